/* Named groups: the static table and the parser of OpenSSL's groups lists.
 * Never sees an SSL*. */
#ifndef SESAME_CODEC_GROUPS_H
#define SESAME_CODEC_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"

/* ---- named groups (RFC 8446 4.2.7) ---- */

#define GROUP_SECP256R1 0x0017
#define GROUP_SECP384R1 0x0018
#define GROUP_X25519    0x001d

/* group_to_nid / group_from_nid: NID_X25519, NID_X9_62_prime256v1,
 * NID_secp384r1 <-> wire value; 0 / NID_undef if unsupported. */
int group_to_nid(uint16_t group);
uint16_t group_from_nid(int nid);
/* group_name: the OpenSSL short group name ("x25519", "secp256r1", ...). */
const char *group_name(uint16_t group);
/* groups_default: X25519, P-256, P-384 (out: >= 3). */
void groups_default(uint16_t *out, size_t *num);
/* groups_parse_list: SSL_CTX_set1_groups_list syntax ("X25519:P-256").
 * Unknown names and duplicates fail (SSL_R_UNSUPPORTED_ELLIPTIC_CURVE);
 * names OpenSSL knows that we do not implement (P-521, X448, ffdhe*) are
 * skipped; the result must be non-empty. */
int groups_parse_list(const char *str, uint16_t *out, size_t max, size_t *num) WUR;
/* groups_from_nids: SSL_CTX_set1_groups (NIDs; EVP_PKEY_X25519 == NID_X25519). */
int groups_from_nids(const int *nids, size_t num_nids, uint16_t *out, size_t max, size_t *num) WUR;

#endif

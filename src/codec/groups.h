/* Named groups: the static table and the parser of OpenSSL's groups lists.
 * Never sees an SSL*. */
#ifndef SESAME_CODEC_GROUPS_H
#define SESAME_CODEC_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"

/* ---- named groups (RFC 8446 4.2.7, RFC 7919) ---- */

#define GROUP_SECP256R1 0x0017
#define GROUP_SECP384R1 0x0018
#define GROUP_SECP521R1 0x0019
#define GROUP_X25519    0x001d
#define GROUP_X448      0x001e
#define GROUP_FFDHE2048 0x0100
#define GROUP_FFDHE3072 0x0101
#define GROUP_FFDHE4096 0x0102
#define GROUP_FFDHE6144 0x0103
#define GROUP_FFDHE8192 0x0104

/* The number of groups in the table (every group we implement); a groups
 * list, free of duplicates, never has more (SESAME_MAX_GROUPS). */
#define GROUPS_NUM 10

/* group_to_nid / group_from_nid: NID_X25519, NID_X9_62_prime256v1, ...,
 * NID_ffdhe8192 <-> wire value; NID_undef / 0 if not in the table. */
int group_to_nid(uint16_t group);
uint16_t group_from_nid(int nid);
/* group_report_nid: the NID OpenSSL 3.0's SSL_get1_groups reports for a
 * group it knows (RFC 8422's 1..30, RFC 7919's 256..260), those sesame
 * does not implement included; else TLSEXT_nid_unknown | |group|. */
int group_report_nid(uint16_t group);
/* group_name: OpenSSL's TLS name of the group, as SSL_group_to_name gives
 * it ("x25519", "secp256r1", "x448", "ffdhe2048", ...); NULL if unknown. */
const char *group_name(uint16_t group);
/* groups_default: OpenSSL 3.0's default list, in its order: x25519,
 * secp256r1, x448, secp521r1, secp384r1, ffdhe2048 ... ffdhe8192
 * (out: >= GROUPS_NUM). */
void groups_default(uint16_t *out, size_t *num);
/* groups_parse_list: SSL_CTX_set1_groups_list syntax ("X25519:P-256"),
 * names spelt as OpenSSL spells them (case matters, as in OpenSSL).
 * Unknown names and duplicates fail (SSL_R_UNSUPPORTED_ELLIPTIC_CURVE);
 * names OpenSSL knows for curves that TLS 1.3 does not use (secp224r1,
 * brainpool, ...) are skipped; the result must be non-empty. */
int groups_parse_list(const char *str, uint16_t *out, size_t max, size_t *num) WUR;
/* groups_from_nids: SSL_CTX_set1_groups (NIDs; EVP_PKEY_X25519 == NID_X25519). */
int groups_from_nids(const int *nids, size_t num_nids, uint16_t *out, size_t max, size_t *num) WUR;

/* ---- a peer's supported_groups, kept compactly ---- */

/* groups_pack: the groups of the u16 list |list| that the table knows, in
 * the list's order, 4 bits each (at most 16: the table has GROUPS_NUM). */
uint64_t groups_pack(const CBS *list);
/* groups_packed_at: the |i|th group of a packed list; 0 past its end. */
uint16_t groups_packed_at(uint64_t packed, size_t i);

#endif

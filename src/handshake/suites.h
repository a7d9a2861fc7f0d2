/* Cipher suites, named groups and signature schemes: the static tables and
 * the parsers of OpenSSL's configuration strings (cipher lists, ciphersuites,
 * groups lists, sigalgs lists).  Pure data plus parsing; never sees an SSL*. */
#ifndef SESAME_HANDSHAKE_SUITES_H
#define SESAME_HANDSHAKE_SUITES_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "base/bytes.h"

/* ---- cipher suites ---- */

/* suite_by_value: the suite with wire value |v|, or NULL if unsupported. */
const SSL_CIPHER *suite_by_value(uint16_t v);
/* suite_by_name: by OpenSSL name or IANA name (case-sensitive), or NULL. */
const SSL_CIPHER *suite_by_name(const char *name);
/* suite_is_tls13: 1 for a TLS 1.3 suite. */
int suite_is_tls13(const SSL_CIPHER *c);
/* suite_all: the whole table (TLS 1.3 first) and its size. */
const SSL_CIPHER *suite_all(size_t *num);

/* suites_default_tls13/12: OpenSSL's default preference orders. */
void suites_default_tls13(const SSL_CIPHER **out, size_t *num); /* out: >= 3 */
void suites_default_tls12(const SSL_CIPHER **out, size_t *num); /* out: >= 6 */

/* suites_parse_tls13: SSL_CTX_set_ciphersuites syntax, colon-separated TLS 1.3
 * suite names; unknown names are ignored but if the string is non-empty at
 * least one must match (else SSL_R_NO_CIPHER_MATCH).  "" gives none. */
int suites_parse_tls13(const char *str, const SSL_CIPHER **out, size_t max, size_t *num) WUR;

/* suites_parse_tls12: OpenSSL cipher-string syntax (SSL_CTX_set_cipher_list)
 * restricted to our TLS 1.2 suites.  Fails with SSL_R_NO_CIPHER_MATCH when
 * the result is empty.  *out_seclevel receives n from "@SECLEVEL=n", or -1. */
int suites_parse_tls12(const char *str, const SSL_CIPHER **out, size_t max, size_t *num,
                       int *out_seclevel) WUR;

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

/* ---- signature schemes (RFC 8446 4.2.3) ---- */

#define SIGALG_RSA_PKCS1_SHA256       0x0401
#define SIGALG_RSA_PKCS1_SHA384       0x0501
#define SIGALG_RSA_PKCS1_SHA512       0x0601
#define SIGALG_ECDSA_SECP256R1_SHA256 0x0403
#define SIGALG_ECDSA_SECP384R1_SHA384 0x0503
#define SIGALG_ECDSA_SECP521R1_SHA512 0x0603
#define SIGALG_RSA_PSS_RSAE_SHA256    0x0804
#define SIGALG_RSA_PSS_RSAE_SHA384    0x0805
#define SIGALG_RSA_PSS_RSAE_SHA512    0x0806
#define SIGALG_ED25519                0x0807
#define SIGALG_ED448                  0x0808
#define SIGALG_RSA_PSS_PSS_SHA256     0x0809
#define SIGALG_RSA_PSS_PSS_SHA384     0x080a
#define SIGALG_RSA_PSS_PSS_SHA512     0x080b

struct sigalg_info {
    uint16_t value;
    const char *name; /* IANA name, e.g. "rsa_pss_rsae_sha256" */
    int pkey_type;    /* EVP_PKEY_EC, EVP_PKEY_RSA, EVP_PKEY_RSA_PSS, EVP_PKEY_ED25519 */
    int md_nid;       /* NID_sha256/384/512, NID_undef for EdDSA */
    int curve_nid;    /* ECDSA in TLS 1.3: the required curve; else NID_undef */
    int pss;          /* RSASSA-PSS padding */
    int sig_nid;      /* as SSL_get_peer_signature_type_nid reports (EVP_PKEY_*) */
    int tls13_ok;     /* usable for CertificateVerify in TLS 1.3 */
};

/* sigalg_lookup: the table row for |v|, or NULL if unsupported. */
const struct sigalg_info *sigalg_lookup(uint16_t v);
/* sigalgs_default: our default list, OpenSSL's order (out: >= 16). */
void sigalgs_default(uint16_t *out, size_t *num);
/* sigalgs_parse_list: SSL_CTX_set1_sigalgs_list syntax: IANA names or
 * "ALG+HASH" (RSA, RSA-PSS/PSS, ECDSA, ed25519...). Unknown or duplicate
 * entries fail (SSL_R_BAD_VALUE); known-but-unsupported ones (SHA-1,
 * SHA-224, DSA) are skipped. */
int sigalgs_parse_list(const char *str, uint16_t *out, size_t max, size_t *num) WUR;
/* sigalgs_from_nid_pairs: SSL_CTX_set1_sigalgs (pairs of {hash NID, pkey NID}). */
int sigalgs_from_nid_pairs(const int *pairs, size_t num_ints, uint16_t *out, size_t max,
                           size_t *num) WUR;

#endif

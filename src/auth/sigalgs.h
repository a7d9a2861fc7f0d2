/* Signature schemes (RFC 8446 4.2.3): the table, the parsers of OpenSSL's
 * sigalgs configuration, and signing/verifying with a scheme.  Knows keys,
 * not SSL*. */
#ifndef SESAME_AUTH_SIGALGS_H
#define SESAME_AUTH_SIGALGS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "base/bytes.h"

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
/* sigalg_report: what OpenSSL 3.0's SSL_get_sigalgs reports for |v|: the
 * signature's EVP_PKEY type, the hash NID and the combined NID (each
 * NID_undef where OpenSSL has none), for every scheme OpenSSL 3.0 knows,
 * those sesame does not implement included (SHA-1, SHA-224, DSA); 0 and
 * all NID_undef for a scheme it does not know. */
int sigalg_report(uint16_t v, int *sign, int *hash, int *sign_hash);
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

/* sigalg_sign signs |tbs| with |key| per the SignatureScheme |sigalg| into
 * |out| (|out_cap| bytes); *out_len is set.  A length libcrypto reports
 * beyond |out_cap| or EVP_PKEY_get_size(key) is a failure. */
int sigalg_sign(EVP_PKEY *key, uint16_t sigalg, const uint8_t *tbs, size_t tbs_len, uint8_t *out,
                size_t out_cap, size_t *out_len) WUR;
/* sigalg_verify checks |sig| over |tbs| with the peer's |key|; the key type
 * (and in TLS 1.3, the ECDSA curve) must match |sigalg|
 * (SSL_R_WRONG_SIGNATURE_TYPE), a bad signature raises SSL_R_BAD_SIGNATURE.
 * |tls13| selects TLS 1.3 rules (ECDSA curve fixed, no PKCS#1). */
int sigalg_verify(EVP_PKEY *key, uint16_t sigalg, const uint8_t *tbs, size_t tbs_len,
                  const uint8_t *sig, size_t sig_len, int tls13) WUR;
/* sigalg_key_compatible: 1 if |key| can sign with |sigalg| (TLS 1.3 rules
 * when |tls13|: ECDSA curve must match, no PKCS#1). */
int sigalg_key_compatible(const EVP_PKEY *key, uint16_t sigalg, int tls13);

#endif

/* Internal interface of the api/ layer: the configuration object shared by
 * SSL_CTX and SSL, certificate selection, signatures with a TLS
 * SignatureScheme, and peer chain verification. */
#ifndef SESAME_API_API_H
#define SESAME_API_API_H

#include "internal.h"

/* For public functions whose declaration OpenSSL's headers hide under our
 * OPENSSL_API_COMPAT (deprecated in 1.1.0): export them explicitly. */
#define SESAME_EXPORT __attribute__((visibility("default")))

/* ---- config.c ---- */

/* cfg_init sets OpenSSL's defaults. Fails only on allocation. */
int cfg_init(struct ssl_config *c) WUR;
/* cfg_copy deep-copies |src| into the zeroed |dst| (certs/keys up-ref'd,
 * chains, ALPN and the verify param duplicated). On failure |dst| is freed. */
int cfg_copy(struct ssl_config *dst, const struct ssl_config *src) WUR;
/* cfg_free releases everything |c| owns; safe on a zeroed config. */
void cfg_free(struct ssl_config *c);
/* cfg_rebuild_ciphers refreshes c->cipher_stack from suites13 + suites12. */
int cfg_rebuild_ciphers(struct ssl_config *c) WUR;
/* cfg_cert_slot_free / cfg_cert_slot_copy: one CERT_SLOT. */
void cfg_cert_slot_free(CERT_SLOT *slot);
int cfg_cert_slot_copy(CERT_SLOT *dst, const CERT_SLOT *src) WUR;

/* ---- certs.c ---- */

/* cert_slot_for_key: CERT_SLOT_* for the key's type, or -1 if unsupported. */
int cert_slot_for_key(const EVP_PKEY *pkey);
/* cert_add_chain appends |x| to the current slot's chain (taking a new
 * reference if |up_ref|, else taking over the caller's). */
int cert_add_chain(struct ssl_config *c, X509 *x, int up_ref) WUR;
/* cert_set_chain replaces the current slot's chain with |chain| (copied with
 * up-refs if |dup|, else taken over); NULL clears. */
int cert_set_chain(struct ssl_config *c, STACK_OF(X509) * chain, int dup) WUR;
/* cert_set_current: SSL_CERT_SET_FIRST / SSL_CERT_SET_NEXT / SSL_CERT_SET_SERVER
 * over the non-empty slots; 1 if a slot was selected. */
int cert_set_current(struct ssl_config *c, long op);
/* cert_select_current_x509: make the slot holding |x| current. */
int cert_select_current_x509(struct ssl_config *c, X509 *x);
/* cert_select_for_sigalgs picks our certificate+key (from s->cfg.certs) and a
 * TLS 1.3 signature scheme among |peer_sigalgs| (a list of u16 values,
 * without its length prefix), in our preference order (s->cfg.sigalgs).
 * Fails with SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM (send handshake_failure). */
int cert_select_for_sigalgs(SSL *s, const CBS *peer_sigalgs_u16list, CERT_SLOT **out,
                            uint16_t *out_sigalg) WUR;

/* ---- sigalgs.c ---- */

/* sigalg_sign signs |tbs| with |key| per the SignatureScheme |sigalg|;
 * |out| must hold EVP_PKEY_get_size(key) bytes, *out_len is set. */
int sigalg_sign(EVP_PKEY *key, uint16_t sigalg, const uint8_t *tbs, size_t tbs_len, uint8_t *out,
                size_t *out_len) WUR;
/* sigalg_verify checks |sig| over |tbs| with the peer's |key|; the key type
 * (and in TLS 1.3, the ECDSA curve) must match |sigalg|
 * (SSL_R_WRONG_SIGNATURE_TYPE), a bad signature raises SSL_R_BAD_SIGNATURE. */
int sigalg_verify(EVP_PKEY *key, uint16_t sigalg, const uint8_t *tbs, size_t tbs_len,
                  const uint8_t *sig, size_t sig_len) WUR;
/* sigalg_verify12: as sigalg_verify with TLS 1.2 rules (any ECDSA curve,
 * PKCS#1 allowed). */
int sigalg_verify12(EVP_PKEY *key, uint16_t sigalg, const uint8_t *tbs, size_t tbs_len,
                    const uint8_t *sig, size_t sig_len) WUR;
/* sigalg_key_compatible: 1 if |key| can sign with |sigalg| (TLS 1.3 rules
 * when |tls13|: ECDSA curve must match, no PKCS#1). */
int sigalg_key_compatible(const EVP_PKEY *key, uint16_t sigalg, int tls13);

/* ---- verify.c ---- */

/* ssl_verify_peer_chain verifies the peer's |chain| (leaf first) with the
 * context's store, s->cfg.param, verify_cb / app_verify_cb.  Sets
 * s->verify_result.  Returns 1 if the handshake may continue, else 0 with
 * *out_alert set and SSL_R_CERTIFICATE_VERIFY_FAILED raised. */
int ssl_verify_peer_chain(SSL *s, STACK_OF(X509) * chain, uint8_t *out_alert) WUR;
/* ssl_verify_alert: the TLS alert OpenSSL sends for an X509_V_ERR_* code. */
uint8_t ssl_verify_alert(long x509_err);

/* ---- strings.c ---- */

/* ssl_load_strings loads our SSL_R_* reason strings (once). */
void ssl_load_strings(void);

#endif

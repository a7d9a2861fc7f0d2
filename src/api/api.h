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

/* ---- options.c ---- */

/* cfg_set0_tmp_dh: SSL_CTX_set0_tmp_dh_pkey on a configuration (checked
 * against its security level; takes |pkey| only on success). */
int cfg_set0_tmp_dh(struct ssl_config *c, EVP_PKEY *pkey) WUR;
/* cfg_set_tmp_dh_legacy: SSL_CTRL_SET_TMP_DH with a DH (not taken). */
long cfg_set_tmp_dh_legacy(struct ssl_config *c, DH *dh);

/* ---- certs.c ---- */

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
/* cert_add_file_names appends the distinct subjects of the PEM certificates
 * in |file| to |out| (names already there are not repeated). */
int cert_add_file_names(STACK_OF(X509_NAME) * out, const char *file, OSSL_LIB_CTX *libctx,
                        const char *propq) WUR;

/* ---- conf.c ---- */

/* conf_apply_system_default applies the "system_default" section of the
 * configuration's ssl_conf module to a new SSL_CTX, as OpenSSL's
 * SSL_CTX_new does (nothing when there is none; failures ignored). */
void conf_apply_system_default(SSL_CTX *ctx);

/* ---- strings.c ---- */

/* ssl_load_strings loads our SSL_R_* reason strings (once). */
void ssl_load_strings(void);

#endif

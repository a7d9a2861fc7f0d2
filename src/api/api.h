/* Internal interface of the api/ layer: the configuration object shared by
 * SSL_CTX and SSL, certificate selection, signatures with a TLS
 * SignatureScheme, and peer chain verification. */
#ifndef SESAME_API_API_H
#define SESAME_API_API_H

#include "internal.h"

#include "auth/config.h"

/* For public functions whose declaration OpenSSL's headers hide under our
 * OPENSSL_API_COMPAT (deprecated in 1.1.0): export them explicitly. */
#define SESAME_EXPORT __attribute__((visibility("default")))

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
/* ---- verify.c ---- */

/* SSL_set_verify_depth / SSL_CTX_set_verify_depth: the depth goes into the
 * verify parameters, which may have to be copied first (auth/config.h). */
void ssl_set_verify_depth(SSL *s, int depth);
void ssl_ctx_set_verify_depth(SSL_CTX *ctx, int depth);
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

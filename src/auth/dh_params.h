/* Finite-field DHE parameters for TLS 1.2 (DHE-RSA suites), chosen as
 * OpenSSL 3.0 chooses them from the SSL_CTX_set_dh_auto /
 * SSL_CTX_set0_tmp_dh_pkey / SSL_CTX_set_tmp_dh(_callback) settings kept in
 * struct ssl_config.  The handshake (server) calls these; api/ stores the
 * settings. */
#ifndef SESAME_AUTH_DH_PARAMS_H
#define SESAME_AUTH_DH_PARAMS_H

#include "internal.h"

/* ssl_dhe_possible: 1 if DHE suites may be chosen at all: parameters,
 * dh_auto or a callback are set (OpenSSL's ssl_set_masks; without any of
 * them a server never picks a DHE suite).  Whether the parameters are then
 * strong enough is checked only when they are used (ssl_dh_params_ok). */
int ssl_dhe_possible(const struct ssl_config *c);

/* ssl_dh_params_for: the parameters (a new reference the caller frees) of
 * a DHE handshake, in OpenSSL's precedence:
 *  - dh_auto on: the group OpenSSL 3.0's ssl_get_auto_dh picks: from
 *    |security_bits| (EVP_PKEY_get_security_bits of the server's
 *    certificate key; ignored when dh_auto is 2), raised to the security
 *    level's bits (80 at level 0/1): >= 192 bits the RFC 3526 8192-bit
 *    group, >= 152: 4096, >= 128: 3072, >= 112: 2048 (all g = 2), below:
 *    RFC 2409's 1024-bit group.  (OpenSSL 3.0 uses these MODP groups here,
 *    not the RFC 7919 ffdhe ones.)  Made with libcrypto once and cached.
 *  - else the configured parameters;
 *  - else the callback's, called as OpenSSL does: cb(s, 0, 1024); |s| is
 *    only passed through to it.
 * NULL when none applies or the callback returned NULL (OpenSSL then fails
 * the handshake with an internal_error alert, ERR_R_INTERNAL_ERROR), or on
 * an allocation failure (error raised). */
EVP_PKEY *ssl_dh_params_for(const struct ssl_config *c, int security_bits, SSL *s);

/* ssl_dh_params_ok: OpenSSL's SSL_SECOP_TMP_DH check of |dh| at the
 * configuration's security level: its security bits reach the level's (80
 * even at level 0).  The server checks the parameters it is about to use
 * (failing: SSL_R_DH_KEY_TOO_SMALL, handshake_failure alert) and
 * SSL_CTX_set0_tmp_dh_pkey checks them when set. */
int ssl_dh_params_ok(int security_level, const EVP_PKEY *dh);

#endif

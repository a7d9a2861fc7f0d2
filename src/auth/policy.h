/* What a configuration allows, as OpenSSL 3.0 decides it before a
 * handshake: the protocol versions, the authentication classes the
 * signature algorithms leave usable, and from those the suites a client
 * offers (SSL_get1_supported_ciphers).  Knows struct ssl_config, not SSL*. */
#ifndef SESAME_AUTH_POLICY_H
#define SESAME_AUTH_POLICY_H

#include "internal.h"

/* policy_version_range: OpenSSL's ssl_get_min_max_version.  A method fixed
 * to a version (|method_version| not TLS_ANY_VERSION) allows only it.
 * Otherwise each of TLS 1.3 .. TLS 1.0 is enabled unless outside the
 * min/max protocol versions, disabled by SSL_OP_NO_TLSv1_x, or below TLS
 * 1.2 in Suite B mode (OpenSSL 3.0 does not apply the security level
 * here); the range is the lowest run of enabled versions (OpenSSL's
 * "holes": SSL_OP_NO_TLSv1_2 alone leaves TLS 1.0-1.1, where none of our
 * suites is usable).  0 when none is enabled. */
int policy_version_range(const struct ssl_config *c, int method_version, int *out_min,
                         int *out_max) WUR;

/* policy_auth_mask: OpenSSL's ssl_set_sig_mask: the SUITE_AUTH_* classes
 * for which none of the configured signature algorithms (Suite B's in
 * Suite B mode) is usable at the security level. */
unsigned policy_auth_mask(const struct ssl_config *c);

/* policy_shared_sigalgs: OpenSSL's tls1_set_shared_sigalgs: the schemes in
 * both our list (Suite B's in Suite B mode) and the peer's |peer|, that
 * the security level allows, in the peer's order, or in ours with
 * SSL_OP_CIPHER_SERVER_PREFERENCE or in Suite B mode.  |out| has room for
 * |max|; returns the number written. */
size_t policy_shared_sigalgs(const struct ssl_config *c, const uint16_t *peer, size_t num_peer,
                             uint16_t *out, size_t max);

/* policy_supported_suites: the configured suites (TLS 1.3 first, as
 * SSL_get_ciphers lists them) that a connection with this configuration
 * may use: OpenSSL's ssl_set_client_disabled + ssl_cipher_disabled
 * (SSL_SECOP_CIPHER_SUPPORTED), what its client offers and what
 * SSL_get1_supported_ciphers lists.  |out| has room for |max|.  Returns 0
 * (*num = 0) when no protocol version is enabled. */
int policy_supported_suites(const struct ssl_config *c, int method_version, const SSL_CIPHER **out,
                            size_t max, size_t *num);

#endif

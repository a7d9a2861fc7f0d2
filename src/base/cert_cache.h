/* cert_d2i_cached: parse one DER certificate received from a peer.
 *
 * OpenSSL 3.0's d2i_X509 builds a provider decoder chain for the public key
 * on every call, which costs about as much as an ECDSA verification.  Peers
 * mostly send the same few certificates, so each thread keeps its last few
 * parsed certificates keyed on their exact DER and hands out new references
 * to them.  Connections on one thread that receive identical certificates
 * thus share one X509 (as sessions and SSL_CTXs already share theirs). */
#ifndef SESAME_BASE_CERT_CACHE_H
#define SESAME_BASE_CERT_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

/* cert_d2i_cached parses exactly |der_len| bytes (trailing bytes fail) into
 * a new reference; NULL on failure. */
X509 *cert_d2i_cached(const uint8_t *der, size_t der_len);

#endif

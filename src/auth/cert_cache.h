/* cert_d2i_cached: parse one DER certificate received from a peer.
 *
 * OpenSSL 3.0's d2i_X509 builds a provider decoder chain for the public key
 * on every call, which costs about as much as an ECDSA verification.  Peers
 * mostly send the same few certificates, so each thread keeps its last few
 * parsed certificates keyed on their exact DER and hands out new references
 * to them.  Connections on one thread that receive identical certificates
 * thus share one X509 (as sessions and SSL_CTXs already share theirs). */
#ifndef SESAME_AUTH_CERT_CACHE_H
#define SESAME_AUTH_CERT_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

/* cert_d2i_cached parses exactly |der_len| bytes (trailing bytes fail) into
 * a new reference; NULL on failure.  See cert_whole. */
X509 *cert_d2i_cached(const uint8_t *der, size_t der_len);

/* cert_whole: 1 if |x| has all libcrypto could have failed to build while
 * parsing it: a public key with its size information, and a valid
 * extension cache (built now if it was not).  A certificate parsed while an
 * allocation failed may lack them for good, as may one that really has an
 * unsupported key or broken extensions; cert_d2i_cached parses a
 * certificate that is not whole a second time, and caches only whole ones. */
int cert_whole(X509 *x);

/* ---- our own certificates, encoded once ----
 *
 * A CERT_SLOT's certificate and chain are sent in every Certificate message;
 * i2d_X509 of each on every handshake costs an ASN.1 walk and an allocation
 * per certificate.  A cert_der holds their DER, made when the slot is set
 * (configuration time) and immutable afterwards, so SSL objects copying the
 * slot at SSL_new share it by reference count across threads.  It keeps
 * references to the X509s it encoded: cert_der_matches then tells, by
 * identity, whether the slot still holds exactly those certificates (a
 * chain stack handed out by SSL_CTX_get0_chain_certs may be changed behind
 * our back; then the handshake encodes as before). */
struct cert_der;

/* cert_der_new encodes |leaf| followed by |chain| (may be NULL); NULL on
 * failure or if there are more than CERT_DER_MAX_CHAIN chain certificates
 * (the handshake then encodes them itself). Raises no error. */
#define CERT_DER_MAX_CHAIN 16
struct cert_der *cert_der_new(X509 *leaf, STACK_OF(X509) * chain);
void cert_der_up_ref(struct cert_der *d);
/* cert_der_free drops a reference; NULL does nothing. */
void cert_der_free(struct cert_der *d);
/* cert_der_matches: 1 if |d| was made from exactly |leaf| and |chain|
 * (the same objects, in order). */
int cert_der_matches(const struct cert_der *d, const X509 *leaf, STACK_OF(X509) * chain);
/* cert_der_get: the number of certificates and their encodings. */
size_t cert_der_get(const struct cert_der *d, const uint8_t *const **out_ders,
                    const size_t **out_lens);

#endif

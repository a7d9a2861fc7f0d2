/* Process-wide table of libcrypto algorithms, fetched once.
 *
 * OpenSSL 3.0 pays for a method-store lookup (and its locks) on every
 * implicit fetch; every layer of sesame takes its EVP handles from here
 * instead.  The first call to an accessor fetches its algorithm (base/once.h:
 * a failed fetch is tried again on the next call, never remembered); the
 * handles live until process exit.  Accessors return NULL if the fetch
 * failed (e.g. an allocation, or a provider lacks the algorithm).
 */
#ifndef SESAME_KEYS_ALGS_H
#define SESAME_KEYS_ALGS_H

#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>

/* algs_sha256/algs_sha384: the fetched SHA-256 / SHA-384 digests. */
const EVP_MD *algs_sha256(void);
const EVP_MD *algs_sha384(void);

/* algs_aes128gcm/algs_aes256gcm/algs_chacha20poly1305: the TLS AEADs. */
const EVP_CIPHER *algs_aes128gcm(void);
const EVP_CIPHER *algs_aes256gcm(void);
const EVP_CIPHER *algs_chacha20poly1305(void);

/* algs_hmac: EVP_MAC "HMAC". */
EVP_MAC *algs_hmac(void);

/* algs_md_by_nid maps NID_sha256/NID_sha384 to the fetched digests; NULL
 * for anything else. */
const EVP_MD *algs_md_by_nid(int nid);

/* algs_empty_hash returns Hash("") for the fetched SHA-256/SHA-384 (a
 * precomputed constant, RFC 8446 7.1 Derive-Secret(., ., "")), or NULL if
 * |md| is not one of them. */
const uint8_t *algs_empty_hash(const EVP_MD *md);

#endif

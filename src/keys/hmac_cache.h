/* Keyed HMAC contexts from a per-thread cache, for the key schedules of
 * both versions (hkdf.c for TLS 1.3, tls12_keys.c for TLS 1.2's PRF).
 *
 * An HMAC_REF is one context keyed for one secret: hmac_ref_begin keys it
 * (or finds a context of this thread that already holds the key, and
 * reuses its absorbed pads), EVP_MAC_update feeds it, hmac_ref_final ends
 * one HMAC, hmac_ref_restart begins the next HMAC under the same key, and
 * hmac_ref_end gives the context back.  For the fetched SHA-256/SHA-384
 * (keys/algs.h) the contexts belong to the calling thread (created on its
 * first use, freed and their remembered keys wiped at thread exit); other
 * digests get a temporary context.  The key is absorbed before any output
 * is written, so outputs may alias it.
 */
#ifndef SESAME_KEYS_HMAC_CACHE_H
#define SESAME_KEYS_HMAC_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "base/bytes.h"

struct hmac_slot;

typedef struct {
    EVP_MAC_CTX *ctx;
    struct hmac_slot *slot; /* NULL: a temporary context */
    size_t md_len;
} HMAC_REF;

/* hmac_md_len: the output length of |md|; 0 (with an error pushed) for a
 * missing or unusable digest. */
size_t hmac_md_len(const EVP_MD *md);

/* hmac_ref_begin: |r| keyed with |key| (an empty key is the hash-length
 * zero key, the same to HMAC), the first HMAC begun.  On failure an error
 * is pushed and nothing needs releasing. */
int hmac_ref_begin(HMAC_REF *r, const EVP_MD *md, const uint8_t *key, size_t key_len) WUR;

/* hmac_ref_restart: the next HMAC under the same key. */
int hmac_ref_restart(HMAC_REF *r) WUR;

/* hmac_ref_final: the HMAC into |out| (r->md_len bytes). */
int hmac_ref_final(HMAC_REF *r, uint8_t *out) WUR;

/* hmac_ref_end releases |r|; after a failure (|ok| 0) a cached context's
 * key is forgotten and an error is pushed. */
void hmac_ref_end(HMAC_REF *r, int ok);

#endif

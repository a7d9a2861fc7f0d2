/* The running handshake transcript hash (RFC 8446 4.4.1, RFC 5246 7.4.9).
 *
 * Until the negotiated hash is known (after ServerHello) the handshake
 * messages are buffered; transcript_set_md() hashes the buffer and from then
 * on messages are hashed as they arrive.  The buffer is dropped at that
 * point unless transcript_keep_buffer() was called first (TLS 1.2 client
 * CertificateVerify may sign the raw messages with another hash).
 */
#ifndef SESAME_KEYS_TRANSCRIPT_H
#define SESAME_KEYS_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "base/bytes.h"

/* RFC 8446 4.4.1 HandshakeType message_hash. */
#define TRANSCRIPT_MESSAGE_HASH 254

typedef struct {
    const EVP_MD *md;    /* NULL while buffering */
    EVP_MD_CTX *ctx;     /* running hash once md is set */
    EVP_MD_CTX *scratch; /* reused by transcript_hash() to finish a copy */
    uint8_t *buf;        /* raw messages, while buffering or if kept */
    size_t buf_len, buf_cap;
    uint8_t keep_buffer; /* keep |buf| past transcript_set_md() */
    uint8_t buf_dropped; /* |buf| was released; it is no longer complete */
} TRANSCRIPT;

/* transcript_init starts an empty transcript in buffering mode. */
int transcript_init(TRANSCRIPT *t) WUR;

/* transcript_keep_buffer asks to keep the raw messages after the hash is
 * set.  Fails if the buffer was already dropped. */
int transcript_keep_buffer(TRANSCRIPT *t) WUR;

/* transcript_set_md fixes the hash: hashes what was buffered, then hashes
 * directly.  Setting the same md again is a no-op; a different one fails. */
int transcript_set_md(TRANSCRIPT *t, const EVP_MD *md) WUR;

/* transcript_update appends a handshake message (or part of one). */
int transcript_update(TRANSCRIPT *t, const uint8_t *data, size_t len) WUR;

/* transcript_hash writes the hash of everything so far to |out| (at least
 * EVP_MAX_MD_SIZE bytes) and its length to *out_len, without disturbing the
 * running state.  Requires the md to be set. */
int transcript_hash(const TRANSCRIPT *t, uint8_t *out, size_t *out_len) WUR;

/* transcript_hash_len is the hash length, or 0 while buffering. */
size_t transcript_hash_len(const TRANSCRIPT *t);

/* transcript_buffer exposes the raw messages; fails unless still buffering
 * or transcript_keep_buffer() was called in time. */
int transcript_buffer(const TRANSCRIPT *t, const uint8_t **out_data, size_t *out_len) WUR;

/* transcript_drop_buffer frees the raw messages once no longer needed. */
void transcript_drop_buffer(TRANSCRIPT *t);

/* transcript_hrr_restart: RFC 8446 4.4.1, on HelloRetryRequest replace the
 * transcript so far (ClientHello1) by the synthetic message
 * message_hash(254) || 00 00 Hash.length || Hash(ClientHello1).
 * Requires the md to be set. */
int transcript_hrr_restart(TRANSCRIPT *t) WUR;

/* transcript_save: a copy of the running hash (the handshake transcript a
 * post-handshake authentication continues); NULL on failure. */
EVP_MD_CTX *transcript_save(const TRANSCRIPT *t);
/* transcript_resume starts |t| (freshly initialised) from a saved running
 * hash of |md|. */
int transcript_resume(TRANSCRIPT *t, const EVP_MD *md, const EVP_MD_CTX *saved) WUR;

/* transcript_free releases everything; safe on a zeroed or freed struct. */
void transcript_free(TRANSCRIPT *t);

#endif

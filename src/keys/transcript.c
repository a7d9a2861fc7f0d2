/* Running handshake hash: see transcript.h. */
#include "keys/transcript.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

int transcript_init(TRANSCRIPT *t)
{
    memset(t, 0, sizeof(*t));
    return 1;
}

int transcript_keep_buffer(TRANSCRIPT *t)
{
    if (t->buf_dropped) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    t->keep_buffer = 1;
    return 1;
}

/* tr_append copies |len| bytes onto the end of the buffer, growing it
 * geometrically so a handshake costs a handful of reallocations. */
static int tr_append(TRANSCRIPT *t, const uint8_t *data, size_t len)
{
    if (len == 0)
        return 1;
    if (len > SIZE_MAX / 2 - t->buf_len) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    if (t->buf_cap - t->buf_len < len) {
        size_t cap = t->buf_cap ? t->buf_cap : 1024;
        while (cap - t->buf_len < len)
            cap *= 2;
        uint8_t *nbuf = OPENSSL_realloc(t->buf, cap);
        if (nbuf == NULL) {
            ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
            return 0;
        }
        t->buf = nbuf;
        t->buf_cap = cap;
    }
    memcpy(t->buf + t->buf_len, data, len);
    t->buf_len += len;
    return 1;
}

int transcript_set_md(TRANSCRIPT *t, const EVP_MD *md)
{
    if (md == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    if (t->md != NULL) {
        if (t->md == md)
            return 1;
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    if ((t->ctx == NULL && (t->ctx = EVP_MD_CTX_new()) == NULL) ||
        (t->scratch == NULL && (t->scratch = EVP_MD_CTX_new()) == NULL)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    if (!EVP_DigestInit_ex(t->ctx, md, NULL) ||
        (t->buf_len > 0 && !EVP_DigestUpdate(t->ctx, t->buf, t->buf_len))) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    t->md = md;
    if (!t->keep_buffer)
        transcript_drop_buffer(t);
    return 1;
}

int transcript_update(TRANSCRIPT *t, const uint8_t *data, size_t len)
{
    if (t->md == NULL || t->keep_buffer) {
        if (!tr_append(t, data, len))
            return 0;
    }
    if (t->md != NULL && len > 0 && !EVP_DigestUpdate(t->ctx, data, len)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    return 1;
}

int transcript_hash(const TRANSCRIPT *t, uint8_t *out, size_t *out_len)
{
    if (t->md == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    /* Finish a copy in the scratch context (allocated with the running one)
     * so the running state survives and no EVP_MD_CTX is allocated here. */
    unsigned int n = 0;
    if (!EVP_MD_CTX_copy_ex(t->scratch, t->ctx) || !EVP_DigestFinal_ex(t->scratch, out, &n) ||
        n == 0 || n != transcript_hash_len(t)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    *out_len = n;
    return 1;
}

size_t transcript_hash_len(const TRANSCRIPT *t)
{
    return t->md != NULL ? (size_t)EVP_MD_get_size(t->md) : 0;
}

int transcript_buffer(const TRANSCRIPT *t, const uint8_t **out_data, size_t *out_len)
{
    if (t->buf_dropped) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    *out_data = t->buf;
    *out_len = t->buf_len;
    return 1;
}

void transcript_drop_buffer(TRANSCRIPT *t)
{
    /* Handshake messages are not secret, but cleanse anyway: cheap, and the
     * buffer may hold e.g. PSK identities. */
    OPENSSL_clear_free(t->buf, t->buf_cap);
    t->buf = NULL;
    t->buf_len = t->buf_cap = 0;
    t->keep_buffer = 0;
    t->buf_dropped = 1;
}

int transcript_hrr_restart(TRANSCRIPT *t)
{
    uint8_t msg[4 + EVP_MAX_MD_SIZE];
    size_t hash_len;
    if (!transcript_hash(t, msg + 4, &hash_len))
        return 0;
    /* RFC 8446 4.4.1: Transcript-Hash(ClientHello1, HelloRetryRequest, ...) =
     *   Hash(message_hash || 00 00 Hash.length || Hash(ClientHello1) || HRR || ...) */
    msg[0] = TRANSCRIPT_MESSAGE_HASH;
    msg[1] = 0;
    msg[2] = 0;
    msg[3] = (uint8_t)hash_len;
    if (!EVP_DigestInit_ex(t->ctx, t->md, NULL) || !EVP_DigestUpdate(t->ctx, msg, 4 + hash_len)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    if (t->keep_buffer) {
        t->buf_len = 0;
        if (!tr_append(t, msg, 4 + hash_len))
            return 0;
    }
    return 1;
}

void transcript_free(TRANSCRIPT *t)
{
    if (t == NULL)
        return;
    EVP_MD_CTX_free(t->ctx);
    EVP_MD_CTX_free(t->scratch);
    OPENSSL_clear_free(t->buf, t->buf_cap);
    memset(t, 0, sizeof(*t));
}

EVP_MD_CTX *transcript_save(const TRANSCRIPT *t)
{
    EVP_MD_CTX *c = t->ctx != NULL && t->md != NULL ? EVP_MD_CTX_new() : NULL;
    if (c == NULL || !EVP_MD_CTX_copy_ex(c, t->ctx)) {
        EVP_MD_CTX_free(c);
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return NULL;
    }
    return c;
}

int transcript_resume(TRANSCRIPT *t, const EVP_MD *md, const EVP_MD_CTX *saved)
{
    if (!transcript_set_md(t, md))
        return 0;
    if (!EVP_MD_CTX_copy_ex(t->ctx, saved)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    return 1;
}

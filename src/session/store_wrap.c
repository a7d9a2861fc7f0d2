/* Values in the fleet store: their keys, and their protection at rest.
 *
 * With key_file, every value (a session, the ticket key ring) is sealed
 * with AES-256-GCM under the wrap key, its store key as the AAD (a value
 * copied under another key does not open):
 *   'W' || nonce (12) || ciphertext || tag (16)
 * Without, values are marked plain: 'P' || value.  A server without the
 * wrap key reads no wrapped value, and one with it reads no plain value. */
#include "internal.h"

#include <limits.h>
#include <string.h>

#include <openssl/rand.h>

#include "keys/algs.h"
#include "session/store_internal.h"

#define WRAP_NONCE 12
#define WRAP_TAG   16
#define MAX_VALUE  (256 * 1024)

size_t store_key(const struct sess_store *st, const char *kind, const uint8_t *a, size_t a_len,
                 const uint8_t *b, size_t b_len, uint8_t out[STORE_KEY_MAX])
{
    static const char hex[] = "0123456789abcdef";
    size_t p = strlen(st->prefix), k = strlen(kind);
    size_t need = p + 1 + k + (a != NULL ? 1 + 2 * a_len : 0) + (b != NULL ? 1 + 2 * b_len : 0);
    if (need > STORE_KEY_MAX)
        return 0;
    memcpy(out, st->prefix, p);
    out[p++] = ':';
    memcpy(out + p, kind, k);
    p += k;
    if (a != NULL)
        out[p++] = ':';
    for (size_t i = 0; i < a_len; i++) {
        out[p++] = (uint8_t)hex[a[i] >> 4];
        out[p++] = (uint8_t)hex[a[i] & 15];
    }
    if (b != NULL) {
        out[p++] = ':';
        for (size_t i = 0; i < b_len; i++) {
            out[p++] = (uint8_t)hex[b[i] >> 4];
            out[p++] = (uint8_t)hex[b[i] & 15];
        }
    }
    return p;
}

uint8_t *store_wrap(const struct sess_store *st, const uint8_t *key, size_t key_len,
                    const uint8_t *pt, size_t pt_len, size_t *out_len)
{
    if (pt_len > MAX_VALUE || key_len > INT_MAX)
        return NULL;
    size_t len = 1 + pt_len + (st->have_wrap ? WRAP_NONCE + WRAP_TAG : 0);
    uint8_t *out = OPENSSL_malloc(len);
    if (out == NULL)
        return NULL;
    if (!st->have_wrap) {
        out[0] = 'P';
        memcpy(out + 1, pt, pt_len);
        *out_len = len;
        return out;
    }
    out[0] = 'W';
    uint8_t *nonce = out + 1, *ct = nonce + WRAP_NONCE, *tag = ct + pt_len;
    int n = 0, fin = 0, ok = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (c != NULL && RAND_bytes(nonce, WRAP_NONCE) == 1 &&
        EVP_EncryptInit_ex2(c, algs_aes256gcm(), st->wrap_key, nonce, NULL) &&
        EVP_EncryptUpdate(c, NULL, &n, key, (int)key_len) &&
        EVP_EncryptUpdate(c, ct, &n, pt, (int)pt_len) && (size_t)n == pt_len &&
        EVP_EncryptFinal_ex(c, ct + n, &fin) && fin == 0 &&
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, WRAP_TAG, tag))
        ok = 1;
    EVP_CIPHER_CTX_free(c);
    if (!ok) {
        OPENSSL_clear_free(out, len);
        return NULL;
    }
    *out_len = len;
    return out;
}

int store_unwrap(const struct sess_store *st, const uint8_t *key, size_t key_len,
                 const uint8_t *val, size_t val_len, const uint8_t **pt, size_t *pt_len,
                 uint8_t **owned)
{
    CBS in, nonce, ct, tag;
    uint8_t type;
    *owned = NULL;
    cbs_init(&in, val, val_len);
    if (val_len > MAX_VALUE + 1 + WRAP_NONCE + WRAP_TAG || key_len > INT_MAX ||
        !cbs_get_u8(&in, &type))
        return 0;
    if (!st->have_wrap) {
        if (type != 'P')
            return 0;
        *pt = cbs_data(&in);
        *pt_len = cbs_len(&in);
        return 1;
    }
    if (type != 'W' || !cbs_get_bytes(&in, &nonce, WRAP_NONCE) || cbs_len(&in) < WRAP_TAG ||
        !cbs_get_bytes(&in, &ct, cbs_len(&in) - WRAP_TAG) || !cbs_get_bytes(&in, &tag, WRAP_TAG))
        return 0;
    size_t ct_len = cbs_len(&ct);
    uint8_t *out = OPENSSL_malloc(ct_len + 1);
    int n = 0, fin = 0, ok = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (out != NULL && c != NULL &&
        EVP_DecryptInit_ex2(c, algs_aes256gcm(), st->wrap_key, cbs_data(&nonce), NULL) &&
        EVP_DecryptUpdate(c, NULL, &n, key, (int)key_len) &&
        EVP_DecryptUpdate(c, out, &n, cbs_data(&ct), (int)ct_len) && (size_t)n == ct_len &&
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, WRAP_TAG, (void *)cbs_data(&tag)) &&
        EVP_DecryptFinal_ex(c, out + n, &fin) > 0 && fin == 0)
        ok = 1;
    EVP_CIPHER_CTX_free(c);
    if (!ok) {
        OPENSSL_clear_free(out, ct_len + 1);
        return 0;
    }
    *owned = out;
    *pt = out;
    *pt_len = ct_len;
    return 1;
}

/* Ephemeral (EC)DHE for the TLS 1.3 key_share: X25519, P-256, P-384.
 * RFC 8446 4.2.8.2 (uncompressed points), 7.4.1/7.4.2 (shared secrets).
 *
 * Why per-thread contexts?  In OpenSSL 3.0 every EVP_PKEY_CTX built from a
 * name (EVP_PKEY_Q_keygen, EVP_PKEY_new_raw_*_key_ex) fetches the key
 * manager and sets up a generation/import context, which costs more than
 * the bookkeeping of the key itself.  Each thread instead keeps one
 * keygen-initialised context per group and one fromdata-initialised X25519
 * context, made on its first handshake and freed at thread exit; both are
 * reusable (generation and import do not change them).  No lock: a context
 * is only ever used by its own thread.
 */
#include "internal.h"

#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "codec/consts.h"
#include "handshake/hs.h"

int kex_supported(uint16_t group)
{
    return group == CODEC_GROUP_X25519 || group == CODEC_GROUP_SECP256R1 ||
           group == CODEC_GROUP_SECP384R1;
}

/* ---- the per-thread contexts ---- */

enum { KX_X25519, KX_P256, KX_P384, KX_NUM };

typedef struct {
    EVP_PKEY_CTX *gen[KX_NUM];   /* EVP_PKEY_keygen_init'ed, group set */
    EVP_PKEY_CTX *x25519_import; /* EVP_PKEY_fromdata_init'ed */
    EVP_PKEY *x25519_peer;       /* a peer public key, overwritten per use */
} KX_THREAD;

static pthread_key_t g_kx_key;
static pthread_once_t g_kx_once = PTHREAD_ONCE_INIT;
static int g_kx_key_ok;
static _Thread_local KX_THREAD *tl_kx;

/* Thread-exit destructor: frees this thread's contexts. */
static void kx_thread_free(void *p)
{
    KX_THREAD *t = p;
    if (t == NULL)
        return;
    for (int i = 0; i < KX_NUM; i++)
        EVP_PKEY_CTX_free(t->gen[i]);
    EVP_PKEY_CTX_free(t->x25519_import);
    EVP_PKEY_free(t->x25519_peer);
    OPENSSL_free(t);
    tl_kx = NULL;
}

static void kx_key_init(void)
{
    g_kx_key_ok = pthread_key_create(&g_kx_key, kx_thread_free) == 0;
}

/* kx_thread returns this thread's cache, creating it on first use; NULL if
 * it cannot (callers then use temporary contexts). */
static KX_THREAD *kx_thread(void)
{
    pthread_once(&g_kx_once, kx_key_init);
    if (!g_kx_key_ok)
        return NULL;
    KX_THREAD *t = tl_kx;
    if (t == NULL) {
        t = OPENSSL_zalloc(sizeof(*t));
        if (t == NULL)
            return NULL;
        if (pthread_setspecific(g_kx_key, t) != 0) {
            OPENSSL_free(t);
            return NULL;
        }
        tl_kx = t;
    }
    return t;
}

static int kx_index(uint16_t group)
{
    switch (group) {
    case CODEC_GROUP_X25519:
        return KX_X25519;
    case CODEC_GROUP_SECP256R1:
        return KX_P256;
    case CODEC_GROUP_SECP384R1:
        return KX_P384;
    default:
        return -1;
    }
}

/* kx_gen_ctx_new: a keygen context for |idx| (NULL library context and
 * property query, as before: the application's defaults). */
static EVP_PKEY_CTX *kx_gen_ctx_new(int idx)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, idx == KX_X25519 ? "X25519" : "EC", NULL);
    if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0)
        goto err;
    if (idx != KX_X25519) {
        OSSL_PARAM params[2];
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                                     idx == KX_P256 ? "P-256" : "P-384", 0);
        params[1] = OSSL_PARAM_construct_end();
        if (EVP_PKEY_CTX_set_params(ctx, params) <= 0)
            goto err;
    }
    return ctx;
err:
    EVP_PKEY_CTX_free(ctx);
    return NULL;
}

static EVP_PKEY_CTX *kx_import_ctx_new(void)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL);
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* kx_gen_ctx: the thread's keygen context for |idx| (*out_owned = 0) or,
 * without a thread cache, a fresh one to free (*out_owned = 1). */
static EVP_PKEY_CTX *kx_gen_ctx(int idx, int *out_owned)
{
    KX_THREAD *t = kx_thread();
    if (t == NULL) {
        *out_owned = 1;
        return kx_gen_ctx_new(idx);
    }
    *out_owned = 0;
    if (t->gen[idx] == NULL)
        t->gen[idx] = kx_gen_ctx_new(idx);
    return t->gen[idx];
}

static EVP_PKEY_CTX *kx_import_ctx(int *out_owned)
{
    KX_THREAD *t = kx_thread();
    if (t == NULL) {
        *out_owned = 1;
        return kx_import_ctx_new();
    }
    *out_owned = 0;
    if (t->x25519_import == NULL)
        t->x25519_import = kx_import_ctx_new();
    return t->x25519_import;
}

/* ---- key generation and agreement ---- */

int kex_keygen(uint16_t group, EVP_PKEY **out_key, uint8_t *out_pub, size_t *out_pub_len)
{
    EVP_PKEY *key = NULL;
    size_t len;
    int idx = kex_supported(group) ? kx_index(group) : -1;

    if (idx < 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_UNSUPPORTED_ELLIPTIC_CURVE);
        return 0;
    }
    int owned;
    EVP_PKEY_CTX *ctx = kx_gen_ctx(idx, &owned);
    int ok = ctx != NULL && EVP_PKEY_keygen(ctx, &key) > 0;
    if (owned)
        EVP_PKEY_CTX_free(ctx);
    if (!ok)
        goto err;
    if (idx == KX_X25519) {
        len = 32;
        if (!EVP_PKEY_get_raw_public_key(key, out_pub, &len) || len != 32)
            goto err;
    } else {
        /* RFC 8446 4.2.8.2: the uncompressed point (the default format). */
        len = 0;
        if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out_pub, 133,
                                             &len) ||
            len == 0)
            goto err;
    }
    *out_key = key;
    *out_pub_len = len;
    return 1;
err:
    EVP_PKEY_free(key);
    ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
    return 0;
}

/* kx_x25519_import: a new X25519 public key (32 bytes). */
static EVP_PKEY *kx_x25519_import(const uint8_t *peer, size_t peer_len)
{
    int owned;
    EVP_PKEY *pk = NULL;
    EVP_PKEY_CTX *ctx = kx_import_ctx(&owned);
    if (ctx == NULL)
        return NULL;
    /* What EVP_PKEY_new_raw_public_key_ex does, minus the fetch. */
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)peer, peer_len);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_KEYPAIR, params) != 1) {
        EVP_PKEY_free(pk);
        pk = NULL;
    }
    if (owned)
        EVP_PKEY_CTX_free(ctx);
    return pk;
}

/* kx_x25519_peer: the peer's X25519 public key (32 bytes), a reference the
 * caller frees.  Even from a reused import context, every new EVP_PKEY
 * costs a key-manager type lookup (a walk of the whole name map in OpenSSL
 * 3.0), so each thread keeps one peer key and overwrites its public value
 * in place (the provider's encoded-public-key parameter) for the next
 * exchange.  Only this thread uses it, and kex_derive drops every other
 * reference (its derive context) before returning, so nothing can see the
 * key change. */
static EVP_PKEY *kx_x25519_peer(const uint8_t *peer, size_t peer_len)
{
    KX_THREAD *t = kx_thread();
    if (t != NULL && t->x25519_peer != NULL) {
        ERR_set_mark();
        int ok = EVP_PKEY_set1_encoded_public_key(t->x25519_peer, peer, peer_len) == 1 &&
                 EVP_PKEY_up_ref(t->x25519_peer);
        if (ok) {
            ERR_pop_to_mark();
            return t->x25519_peer;
        }
        /* unknown state: forget it and import afresh */
        ERR_pop_to_mark();
        EVP_PKEY_free(t->x25519_peer);
        t->x25519_peer = NULL;
    }
    EVP_PKEY *pk = kx_x25519_import(peer, peer_len);
    if (pk != NULL && t != NULL && EVP_PKEY_up_ref(pk))
        t->x25519_peer = pk;
    return pk;
}

int kex_derive(uint16_t group, EVP_PKEY *key, const uint8_t *peer, size_t peer_len, uint8_t *out,
               size_t *out_len, uint8_t *out_alert)
{
    EVP_PKEY *pk = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    int ok = 0;

    *out_alert = CODEC_ALERT_INTERNAL_ERROR;
    if (group == CODEC_GROUP_X25519) {
        if (peer_len != 32)
            goto bad_share;
        pk = kx_x25519_peer(peer, peer_len);
        if (pk == NULL)
            goto bad_share;
    } else {
        /* RFC 8446 4.2.8.2: only the uncompressed form is allowed. */
        size_t want = group == CODEC_GROUP_SECP256R1 ? 65 : 97;
        if (peer_len != want || peer[0] != 4)
            goto bad_share;
        pk = EVP_PKEY_new();
        if (pk == NULL || !EVP_PKEY_copy_parameters(pk, key))
            goto err;
        /* This checks the point is on the curve. */
        if (!EVP_PKEY_set1_encoded_public_key(pk, peer, peer_len))
            goto bad_share;
    }
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    if (ctx == NULL || EVP_PKEY_derive_init(ctx) <= 0)
        goto err;
    /* Every 32-byte string is a valid X25519 public key (RFC 7748 5), so the
     * provider's public-key check (which would build yet another context)
     * has nothing to check there; the all-zero result is still refused by
     * the derivation.  EC points get the full check. */
    if (EVP_PKEY_derive_set_peer_ex(ctx, pk, group != CODEC_GROUP_X25519) <= 0)
        goto bad_share;
    size_t n = 66;
    if (EVP_PKEY_derive(ctx, out, &n) <= 0)
        goto bad_share; /* includes the all-zero X25519 result */
    *out_len = n;
    ok = 1;
    goto done;
bad_share:
    *out_alert = CODEC_ALERT_ILLEGAL_PARAMETER;
    ERR_raise(ERR_LIB_SSL, SSL_R_BAD_ECPOINT);
    goto done;
err:
    ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
done:
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return ok;
}

/* Ephemeral (EC)DHE for the TLS 1.3 key_share: X25519, X448, P-256, P-384,
 * P-521 and the RFC 7919 groups ffdhe2048 ... ffdhe8192.
 * RFC 8446 4.2.8.1 (FFDHE shares), 4.2.8.2 (uncompressed points), 7.4.1
 * (the FFDHE secret, left-padded) and 7.4.2 (ECDHE secrets); RFC 7748 6
 * (the all-zero X25519/X448 result); RFC 7919 5.1 (1 < y < p-1).
 *
 * Why per-thread contexts?  In OpenSSL 3.0 every EVP_PKEY_CTX built from a
 * name (EVP_PKEY_Q_keygen, EVP_PKEY_new_raw_*_key_ex) fetches the key
 * manager and sets up a generation/import context, which costs more than
 * the bookkeeping of the key itself.  Each thread instead keeps one
 * keygen-initialised context per group (made when the thread first uses the
 * group) and, for X25519 and X448, one fromdata-initialised context and one
 * peer key, all freed at thread exit; they are reusable (generation and
 * import do not change them).  No lock: a context is only ever used by its
 * own thread.
 */
#include "internal.h"

#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/param_build.h>

#include "codec/consts.h"
#include "base/once.h"
#include "handshake/hs.h"

/* ---- the groups ---- */

enum kx_kind { KX_KIND_X, KX_KIND_EC, KX_KIND_DH };

/* Indices into k_kx and the per-thread contexts; X25519 and X448 first
 * (they index the X-only arrays too). */
enum {
    KX_X25519,
    KX_X448,
    KX_P256,
    KX_P384,
    KX_P521,
    KX_FFDHE2048,
    KX_FFDHE3072,
    KX_FFDHE4096,
    KX_FFDHE6144,
    KX_FFDHE8192,
    KX_NUM
};
#define KX_NUM_X 2

static const struct kx_group {
    uint16_t group;
    uint8_t kind;         /* enum kx_kind */
    uint16_t share_len;   /* the key_exchange field, exactly */
    uint16_t secret_len;  /* the shared secret, exactly */
    const char *keytype;  /* the key manager */
    const char *grp_name; /* OSSL_PKEY_PARAM_GROUP_NAME, or NULL */
} k_kx[KX_NUM] = {
    [KX_X25519] = {CODEC_GROUP_X25519, KX_KIND_X, 32, 32, "X25519", NULL},
    [KX_X448] = {CODEC_GROUP_X448, KX_KIND_X, 56, 56, "X448", NULL},
    /* 0x04 || X || Y, each coordinate the field's size */
    [KX_P256] = {CODEC_GROUP_SECP256R1, KX_KIND_EC, 65, 32, "EC", "P-256"},
    [KX_P384] = {CODEC_GROUP_SECP384R1, KX_KIND_EC, 97, 48, "EC", "P-384"},
    [KX_P521] = {CODEC_GROUP_SECP521R1, KX_KIND_EC, 133, 66, "EC", "P-521"},
    /* y and the secret both len(p) bytes, big-endian */
    [KX_FFDHE2048] = {CODEC_GROUP_FFDHE2048, KX_KIND_DH, 256, 256, "DH", "ffdhe2048"},
    [KX_FFDHE3072] = {CODEC_GROUP_FFDHE3072, KX_KIND_DH, 384, 384, "DH", "ffdhe3072"},
    [KX_FFDHE4096] = {CODEC_GROUP_FFDHE4096, KX_KIND_DH, 512, 512, "DH", "ffdhe4096"},
    [KX_FFDHE6144] = {CODEC_GROUP_FFDHE6144, KX_KIND_DH, 768, 768, "DH", "ffdhe6144"},
    [KX_FFDHE8192] = {CODEC_GROUP_FFDHE8192, KX_KIND_DH, 1024, 1024, "DH", "ffdhe8192"},
};

_Static_assert(HS_MAX_KEX >= 1024, "HS_MAX_KEX holds the largest share and secret (ffdhe8192)");

static int kx_index(uint16_t group)
{
    /* X25519 first: the common case costs one comparison. */
    for (int i = 0; i < KX_NUM; i++)
        if (k_kx[i].group == group)
            return i;
    return -1;
}

int kex_supported(uint16_t group)
{
    return kx_index(group) >= 0;
}

size_t kex_share_len(uint16_t group)
{
    int i = kx_index(group);
    return i < 0 ? 0 : k_kx[i].share_len;
}

/* ---- the per-thread contexts ---- */

typedef struct {
    EVP_PKEY_CTX *gen[KX_NUM];        /* EVP_PKEY_keygen_init'ed, group set */
    EVP_PKEY_CTX *x_import[KX_NUM_X]; /* EVP_PKEY_fromdata_init'ed */
    EVP_PKEY *x_peer[KX_NUM_X];       /* a peer public key, overwritten per use */
} KX_THREAD;

static pthread_key_t g_kx_key;
static SESAME_ONCE g_kx_once = SESAME_ONCE_INIT;
static _Thread_local KX_THREAD *tl_kx;

/* Thread-exit destructor: frees this thread's contexts. */
static void kx_thread_free(void *p)
{
    KX_THREAD *t = p;
    if (t == NULL)
        return;
    for (int i = 0; i < KX_NUM; i++)
        EVP_PKEY_CTX_free(t->gen[i]);
    for (int i = 0; i < KX_NUM_X; i++) {
        EVP_PKEY_CTX_free(t->x_import[i]);
        EVP_PKEY_free(t->x_peer[i]);
    }
    OPENSSL_free(t);
    tl_kx = NULL;
}

static int kx_key_init(void *arg)
{
    (void)arg;
    return pthread_key_create(&g_kx_key, kx_thread_free) == 0;
}

/* kx_thread returns this thread's cache, creating it on first use; NULL if
 * it cannot (callers then use temporary contexts). */
static KX_THREAD *kx_thread(void)
{
    if (!sesame_once(&g_kx_once, kx_key_init, NULL))
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

/* kx_gen_ctx_new: a keygen context for |idx| (NULL library context and
 * property query, as before: the application's defaults). */
static EVP_PKEY_CTX *kx_gen_ctx_new(int idx)
{
    const struct kx_group *g = &k_kx[idx];
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, g->keytype, NULL);
    if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0)
        goto err;
    if (g->grp_name != NULL) {
        OSSL_PARAM params[2];
        params[0] =
            OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)g->grp_name, 0);
        params[1] = OSSL_PARAM_construct_end();
        if (EVP_PKEY_CTX_set_params(ctx, params) <= 0)
            goto err;
    }
    return ctx;
err:
    EVP_PKEY_CTX_free(ctx);
    return NULL;
}

static EVP_PKEY_CTX *kx_import_ctx_new(int xi)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, k_kx[xi].keytype, NULL);
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

/* kx_import_ctx: the same for the import context of X25519/X448 |xi|. */
static EVP_PKEY_CTX *kx_import_ctx(int xi, int *out_owned)
{
    KX_THREAD *t = kx_thread();
    if (t == NULL) {
        *out_owned = 1;
        return kx_import_ctx_new(xi);
    }
    *out_owned = 0;
    if (t->x_import[xi] == NULL)
        t->x_import[xi] = kx_import_ctx_new(xi);
    return t->x_import[xi];
}

/* ---- key generation ---- */

int kex_keygen(uint16_t group, EVP_PKEY **out_key, uint8_t *out_pub, size_t *out_pub_len)
{
    EVP_PKEY *key = NULL;
    size_t len;
    int idx = kx_index(group);

    if (idx < 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_UNSUPPORTED_ELLIPTIC_CURVE);
        return 0;
    }
    const struct kx_group *g = &k_kx[idx];
    int owned;
    EVP_PKEY_CTX *ctx = kx_gen_ctx(idx, &owned);
    int ok = ctx != NULL && EVP_PKEY_keygen(ctx, &key) > 0;
    if (owned)
        EVP_PKEY_CTX_free(ctx);
    if (!ok)
        goto err;
    if (g->kind == KX_KIND_X) {
        len = HS_MAX_KEX;
        if (!EVP_PKEY_get_raw_public_key(key, out_pub, &len))
            goto err;
    } else {
        /* EC: the uncompressed point (the default format), RFC 8446
         * 4.2.8.2; DH: y left-padded to len(p), RFC 8446 4.2.8.1. */
        len = 0;
        if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out_pub,
                                             HS_MAX_KEX, &len))
            goto err;
    }
    if (len != g->share_len || (g->kind == KX_KIND_EC && out_pub[0] != 4))
        goto err;
    *out_key = key;
    *out_pub_len = len;
    return 1;
err:
    EVP_PKEY_free(key);
    ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
    return 0;
}

/* ---- the peer's key ---- */

/* kx_x_import: a new X25519/X448 public key from its raw encoding. */
static EVP_PKEY *kx_x_import(int xi, const uint8_t *peer, size_t peer_len)
{
    int owned;
    EVP_PKEY *pk = NULL;
    EVP_PKEY_CTX *ctx = kx_import_ctx(xi, &owned);
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

/* kx_x_peer: the peer's X25519/X448 public key, a reference the caller
 * frees.  Even from a reused import context, every new EVP_PKEY costs a
 * key-manager type lookup (a walk of the whole name map in OpenSSL 3.0),
 * so each thread keeps one peer key per type and overwrites its public
 * value in place (the provider's encoded-public-key parameter) for the next
 * exchange.  Only this thread uses it, and kex_derive drops every other
 * reference (its derive context) before returning, so nothing can see the
 * key change. */
static EVP_PKEY *kx_x_peer(int xi, const uint8_t *peer, size_t peer_len)
{
    KX_THREAD *t = kx_thread();
    if (t != NULL && t->x_peer[xi] != NULL) {
        ERR_set_mark();
        int ok = EVP_PKEY_set1_encoded_public_key(t->x_peer[xi], peer, peer_len) == 1 &&
                 EVP_PKEY_up_ref(t->x_peer[xi]);
        if (ok) {
            ERR_pop_to_mark();
            return t->x_peer[xi];
        }
        /* unknown state: forget it and import afresh */
        ERR_pop_to_mark();
        EVP_PKEY_free(t->x_peer[xi]);
        t->x_peer[xi] = NULL;
    }
    EVP_PKEY *pk = kx_x_import(xi, peer, peer_len);
    if (pk != NULL && t != NULL && EVP_PKEY_up_ref(pk))
        t->x_peer[xi] = pk;
    return pk;
}

/* kx_dh_y_ok: RFC 7919 5.1 / RFC 8446 4.2.8.1: 1 < y < p-1 for the
 * big-endian |y| of exactly len(p) bytes, p taken from our |key|. */
static int kx_dh_y_ok(EVP_PKEY *key, const uint8_t *y, size_t len)
{
    BIGNUM *p = NULL, *by = BN_bin2bn(y, (int)len, NULL);
    int ok = by != NULL && EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_FFC_P, &p) &&
             (size_t)BN_num_bytes(p) == len && BN_sub_word(p, 1) && BN_cmp(by, p) < 0 &&
             BN_cmp(by, BN_value_one()) > 0;
    BN_free(by);
    BN_free(p);
    return ok;
}

/* kx_peer_from_params: a public key with the domain parameters of our
 * |key| (curve or FFDHE group) and the peer's encoded value. */
static EVP_PKEY *kx_peer_from_params(EVP_PKEY *key, const uint8_t *peer, size_t peer_len,
                                     int *out_internal)
{
    EVP_PKEY *pk = EVP_PKEY_new();
    *out_internal = 1;
    if (pk == NULL || !EVP_PKEY_copy_parameters(pk, key))
        goto err;
    *out_internal = 0;
    /* EC: checks the point is on the curve; DH: the range, again. */
    if (EVP_PKEY_set1_encoded_public_key(pk, peer, peer_len) != 1)
        goto err;
    return pk;
err:
    EVP_PKEY_free(pk);
    return NULL;
}

/* ---- agreement ---- */

/* kx_is_zero: 1 if all |len| bytes are zero (no early exit: a secret). */
static int kx_is_zero(const uint8_t *b, size_t len)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < len; i++)
        acc |= b[i];
    return acc == 0;
}

int kex_derive(uint16_t group, EVP_PKEY *key, const uint8_t *peer, size_t peer_len, uint8_t *out,
               size_t *out_len, uint8_t *out_alert)
{
    EVP_PKEY *pk = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    int ok = 0, internal = 0;
    int reason = SSL_R_BAD_ECPOINT;
    int idx = kx_index(group);

    *out_alert = CODEC_ALERT_INTERNAL_ERROR;
    if (idx < 0 || key == NULL)
        goto err;
    const struct kx_group *g = &k_kx[idx];
    if (peer_len != g->share_len) {
        reason = SSL_R_BAD_KEY_SHARE;
        goto bad_share;
    }
    switch (g->kind) {
    case KX_KIND_X:
        /* every string of the right length is a key (RFC 7748 5): a
         * failure here is ours */
        if ((pk = kx_x_peer(idx, peer, peer_len)) == NULL)
            goto err;
        break;
    case KX_KIND_EC: {
        /* RFC 8446 4.2.8.2: only the uncompressed form is allowed. */
        CBS share;
        uint8_t form;
        cbs_init(&share, peer, peer_len);
        if (!cbs_peek_u8(&share, &form) || form != 4)
            goto bad_share;
        if ((pk = kx_peer_from_params(key, peer, peer_len, &internal)) == NULL)
            goto maybe_bad;
        break;
    }
    default:
        reason = SSL_R_BAD_DH_VALUE;
        if (!kx_dh_y_ok(key, peer, peer_len))
            goto bad_share;
        if ((pk = kx_peer_from_params(key, peer, peer_len, &internal)) == NULL)
            goto maybe_bad;
        break;
    }
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    if (ctx == NULL || EVP_PKEY_derive_init(ctx) <= 0)
        goto err;
    /* RFC 8446 7.4.1: the FFDHE secret keeps its leading zeros. */
    if (g->kind == KX_KIND_DH && EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0)
        goto err;
    /* Every 32- or 56-byte string is a valid X25519/X448 public key (RFC
     * 7748 5), so the provider's public-key check (which would build yet
     * another context) has nothing to check there; the all-zero result is
     * refused below.  FFDHE: the range was checked above, which RFC 7919
     * 5.1 asks for (the full check would cost a modexp by a |p|-bit
     * exponent).  EC points get the provider's full check. */
    if (EVP_PKEY_derive_set_peer_ex(ctx, pk, g->kind == KX_KIND_EC) <= 0) {
        if (g->kind == KX_KIND_EC)
            goto bad_share; /* the provider's point check */
        goto err;
    }
    size_t n = HS_MAX_KEX;
    if (EVP_PKEY_derive(ctx, out, &n) <= 0) {
        /* The provider refuses the all-zero X25519/X448 result itself. */
        if (g->kind == KX_KIND_X)
            goto bad_share;
        goto err;
    }
    if (n != g->secret_len) {
        OPENSSL_cleanse(out, n <= HS_MAX_KEX ? n : HS_MAX_KEX);
        goto err;
    }
    /* RFC 8446 7.4.2 / RFC 7748 6: a small-order X25519/X448 share. */
    if (g->kind == KX_KIND_X && kx_is_zero(out, n))
        goto bad_share;
    *out_len = n;
    ok = 1;
    goto done;
maybe_bad:
    if (internal)
        goto err;
bad_share:
    *out_alert = CODEC_ALERT_ILLEGAL_PARAMETER;
    ERR_raise(ERR_LIB_SSL, reason);
    goto done;
err:
    ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
done:
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return ok;
}

/* ---- keys for the API ---- */

EVP_PKEY *kex_public_key(uint16_t group, const uint8_t *pub, size_t pub_len)
{
    int idx = kx_index(group);
    if (idx < 0 || pub == NULL || pub_len != k_kx[idx].share_len)
        return NULL;
    const struct kx_group *g = &k_kx[idx];
    EVP_PKEY *pk = NULL;
    OSSL_PARAM *params = NULL;
    BIGNUM *y = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, g->keytype, NULL);
    if (bld == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0)
        goto done;
    if (g->grp_name != NULL &&
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->grp_name, 0))
        goto done;
    if (g->kind == KX_KIND_DH) {
        if ((y = BN_bin2bn(pub, (int)pub_len, NULL)) == NULL ||
            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
            goto done;
    } else if (!OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len)) {
        goto done;
    }
    if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
        EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        EVP_PKEY_free(pk);
        pk = NULL;
    }
done:
    if (pk == NULL)
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(y);
    EVP_PKEY_CTX_free(ctx);
    return pk;
}

/* ---- TLS 1.2 DHE over any domain (RFC 5246 7.4.3, 8.1.2) ---- */

EVP_PKEY *kex_dh_params(const uint8_t *p, size_t p_len, const uint8_t *g, size_t g_len,
                        int min_bits, uint8_t *out_alert)
{
    BIGNUM *bp = BN_bin2bn(p, (int)p_len, NULL), *bg = BN_bin2bn(g, (int)g_len, NULL);
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pk = NULL;
    *out_alert = CODEC_ALERT_INTERNAL_ERROR;
    if (bp == NULL || bg == NULL)
        goto done;
    /* a group too small to be safe, an even p, g outside 1 < g < p-1 */
    int bits = BN_num_bits(bp);
    if (bits < min_bits || bits > 8 * HS_MAX_KEX) {
        *out_alert = CODEC_ALERT_INSUFFICIENT_SECURITY;
        ERR_raise(ERR_LIB_SSL, SSL_R_DH_KEY_TOO_SMALL);
        goto done;
    }
    if (!BN_is_odd(bp) || BN_cmp(bg, BN_value_one()) <= 0 || !BN_sub_word(bp, 1) ||
        BN_cmp(bg, bp) >= 0 || !BN_add_word(bp, 1)) {
        *out_alert = CODEC_ALERT_ILLEGAL_PARAMETER;
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_DH_VALUE);
        goto done;
    }
    if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, bp) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, bg) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
        (ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) == NULL ||
        EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_KEY_PARAMETERS, params) <= 0) {
        EVP_PKEY_free(pk);
        pk = NULL;
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
    }
done:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bp);
    BN_free(bg);
    return pk;
}

/* dh_bn_out: |bn| big-endian, left-padded to |len| bytes (0: unpadded). */
static int dh_bn_out(const BIGNUM *bn, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t n = (size_t)BN_num_bytes(bn);
    if (len == 0)
        len = n;
    if (n > len || len > cap || BN_bn2binpad(bn, out, (int)len) != (int)len)
        return 0;
    *out_len = len;
    return 1;
}

int kex_dh_keygen(EVP_PKEY *params, EVP_PKEY **out_key, uint8_t *out_pub, size_t *out_pub_len)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
    EVP_PKEY *key = NULL;
    BIGNUM *y = NULL;
    int ok = ctx != NULL && EVP_PKEY_keygen_init(ctx) > 0 && EVP_PKEY_keygen(ctx, &key) > 0 &&
             EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PUB_KEY, &y) &&
             dh_bn_out(y, (size_t)EVP_PKEY_get_size(key), out_pub, HS_MAX_KEX, out_pub_len);
    EVP_PKEY_CTX_free(ctx);
    BN_free(y);
    if (!ok) {
        EVP_PKEY_free(key);
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    *out_key = key;
    return 1;
}

int kex_dh_domain(EVP_PKEY *key, uint8_t *p, size_t *p_len, uint8_t *g, size_t *g_len)
{
    BIGNUM *bp = NULL, *bg = NULL;
    int ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_FFC_P, &bp) &&
             EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_FFC_G, &bg) &&
             dh_bn_out(bp, 0, p, HS_MAX_KEX, p_len) && dh_bn_out(bg, 0, g, HS_MAX_KEX, g_len);
    BN_free(bp);
    BN_free(bg);
    if (!ok)
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
    return ok;
}

EVP_PKEY *kex_dh_public_key(EVP_PKEY *domain, const uint8_t *y, size_t y_len)
{
    int internal;
    return domain != NULL ? kx_peer_from_params(domain, y, y_len, &internal) : NULL;
}

int kex_dh_derive12(EVP_PKEY *key, const uint8_t *peer, size_t peer_len, uint8_t *out,
                    size_t *out_len, uint8_t *out_alert)
{
    size_t plen = (size_t)EVP_PKEY_get_size(key);
    uint8_t y[HS_MAX_KEX];
    EVP_PKEY *pk = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    int ok = 0, internal = 0;
    *out_alert = CODEC_ALERT_INTERNAL_ERROR;
    /* the peer's value may come without leading zeros: pad it to len(p) */
    if (plen == 0 || plen > HS_MAX_KEX || peer_len == 0 || peer_len > plen) {
        *out_alert = CODEC_ALERT_ILLEGAL_PARAMETER;
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_DH_VALUE);
        return 0;
    }
    memset(y, 0, plen - peer_len);
    memcpy(y + plen - peer_len, peer, peer_len);
    if (!kx_dh_y_ok(key, y, plen)) {
        *out_alert = CODEC_ALERT_ILLEGAL_PARAMETER;
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_DH_VALUE);
        return 0;
    }
    if ((pk = kx_peer_from_params(key, y, plen, &internal)) == NULL) {
        if (!internal)
            *out_alert = CODEC_ALERT_ILLEGAL_PARAMETER;
        ERR_raise(ERR_LIB_SSL, internal ? ERR_R_EVP_LIB : SSL_R_BAD_DH_VALUE);
        return 0;
    }
    size_t n = HS_MAX_KEX;
    if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) == NULL ||
        EVP_PKEY_derive_init(ctx) <= 0 || EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0 ||
        EVP_PKEY_derive_set_peer_ex(ctx, pk, 0) <= 0 || EVP_PKEY_derive(ctx, out, &n) <= 0 ||
        n != plen) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        goto done;
    }
    /* RFC 5246 8.1.2: leading zero bytes of Z are stripped (TLS 1.3 keeps
     * them) */
    size_t z = 0;
    while (z < n && out[z] == 0)
        z++;
    memmove(out, out + z, n - z);
    OPENSSL_cleanse(out + n - z, z);
    *out_len = n - z;
    ok = *out_len > 0;
    if (!ok)
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_DH_VALUE);
done:
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return ok;
}

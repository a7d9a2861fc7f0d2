/* HKDF and HKDF-Expand-Label on EVP_MAC HMAC: see hkdf.h.
 *
 * Why not EVP_KDF "HKDF"/"TLS13-KDF"?  Each derivation there needs a new
 * EVP_KDF_CTX plus an OSSL_PARAM digest *name* that the provider re-fetches
 * on every call.  A TLS 1.3 handshake performs ~20 tiny expansions (one HMAC
 * block each), so that overhead dominates.  Instead each thread keeps a few
 * EVP_MAC_CTXs per fetched digest and re-keys them with EVP_MAC_init(): no
 * context allocation and no fetch per call (~2.5x faster than EVP_KDF).
 * libcrypto 3.0's HMAC still allocates internally when re-keyed (digest
 * sub-contexts); avoiding that would mean hand-rolling HMAC, which we don't.
 *
 * Each cached context also remembers the key it holds (a copy, kept like the
 * HMAC pads the context already holds until it is re-keyed, wiped at thread
 * exit): a call with a key one of them holds restarts from the absorbed pads
 * (EVP_MAC_init with a NULL key) instead of re-keying.  The key schedule
 * expands each secret under several labels ("key"/"iv"/"finished", "c hs
 * traffic"/"s hs traffic"/"derived", ...), so this saves two hash
 * compressions and the digest re-initialisation on over half of a
 * handshake's HMACs.
 */
#include "keys/hkdf.h"

#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include "base/once.h"
#include "keys/algs.h"

/* Index into the per-thread cache: the two TLS 1.3 hashes. */
enum { HK_SHA256, HK_SHA384, HK_NUM };

/* HK_WAYS keyed contexts per hash and thread, each remembering its key
 * (len 0 = unknown, not reusable).  A handshake has about nine live secrets
 * per side, used in bursts; four ways catch the reuse of a secret after a
 * few others (e.g. a handshake traffic secret: "key", "iv", later
 * "finished"), also with client and server on one thread.  Keys longer than
 * |key| (never seen in TLS 1.3) are not remembered. */
#define HK_WAYS 4

typedef struct {
    EVP_MAC_CTX *ctx;
    uint8_t key[128];
    size_t len;
    uint64_t used; /* LRU stamp */
} HK_SLOT;

typedef struct {
    HK_SLOT slot[HK_NUM][HK_WAYS];
    uint64_t clock;
} HK_THREAD;

/* A context to use: a thread's slot (|hit| if already keyed with the key
 * asked for) or a temporary context (|slot| NULL, freed by hk_ctx_put). */
typedef struct {
    EVP_MAC_CTX *ctx;
    HK_SLOT *slot;
    int hit;
} HK_CTX;

static pthread_key_t g_hk_key;
static SESAME_ONCE g_hk_once = SESAME_ONCE_INIT;
static _Thread_local HK_THREAD *tl_hk;

/* Thread-exit destructor: frees this thread's cached contexts and wipes the
 * remembered keys. */
static void hk_thread_free(void *p)
{
    HK_THREAD *t = p;
    if (t == NULL)
        return;
    for (int i = 0; i < HK_NUM; i++)
        for (int w = 0; w < HK_WAYS; w++)
            EVP_MAC_CTX_free(t->slot[i][w].ctx);
    OPENSSL_clear_free(t, sizeof(*t));
    tl_hk = NULL;
}

static int hk_key_init(void *arg)
{
    (void)arg;
    return pthread_key_create(&g_hk_key, hk_thread_free) == 0;
}

/* hk_ctx_new makes an HMAC context bound to |md| (unkeyed). */
static EVP_MAC_CTX *hk_ctx_new(const EVP_MD *md)
{
    EVP_MAC *mac = algs_hmac();
    if (mac == NULL)
        return NULL;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    if (ctx == NULL)
        return NULL;
    OSSL_PARAM params[2];
    params[0] =
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)EVP_MD_get0_name(md), 0);
    params[1] = OSSL_PARAM_construct_end();
    if (!EVP_MAC_CTX_set_params(ctx, params)) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static HK_THREAD *hk_thread(void)
{
    if (!sesame_once(&g_hk_once, hk_key_init, NULL))
        return NULL;
    HK_THREAD *t = tl_hk;
    if (t == NULL) {
        t = OPENSSL_zalloc(sizeof(*t));
        if (t == NULL)
            return NULL;
        if (pthread_setspecific(g_hk_key, t) != 0) {
            OPENSSL_free(t);
            return NULL;
        }
        tl_hk = t;
    }
    return t;
}

/* hk_key_equal compares two keys of |len| bytes in constant time, a word at
 * a time (CRYPTO_memcmp goes byte by byte, and this runs for every slot on
 * every HMAC). */
static int hk_key_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        acc |= x ^ y;
    }
    for (; i < len; i++)
        acc |= (uint64_t)(a[i] ^ b[i]);
    return acc == 0;
}

/* hk_ctx_get sets |c| to an HMAC context for |md| that will be keyed with
 * |key| (already normalised by hk_norm_key): for SHA-256/384 the thread's
 * slot holding that key, else its least recently used slot; for other
 * digests a fresh context.  Returns 0 if there is none. */
static int hk_ctx_get(const EVP_MD *md, const uint8_t *key, size_t key_len, HK_CTX *c)
{
    int idx = -1;
    if (md == algs_sha256())
        idx = HK_SHA256;
    else if (md == algs_sha384())
        idx = HK_SHA384;

    HK_THREAD *t = idx >= 0 ? hk_thread() : NULL;
    if (t != NULL) {
        HK_SLOT *ways = t->slot[idx], *victim = &ways[0];
        c->hit = 0;
        for (int w = 0; w < HK_WAYS; w++) {
            HK_SLOT *sl = &ways[w];
            if (sl->ctx != NULL && sl->len == key_len && hk_key_equal(sl->key, key, key_len)) {
                victim = sl;
                c->hit = 1;
                break;
            }
            if (sl->used < victim->used)
                victim = sl;
        }
        if (victim->ctx == NULL) {
            victim->ctx = hk_ctx_new(md);
            victim->len = 0;
        }
        victim->used = ++t->clock;
        c->ctx = victim->ctx;
        c->slot = victim;
        return c->ctx != NULL;
    }
    c->ctx = hk_ctx_new(md);
    c->slot = NULL;
    c->hit = 0;
    return c->ctx != NULL;
}

/* hk_ctx_put releases |c|; after a failure (|ok| 0) a slot's state is
 * unknown, so its key is forgotten. */
static void hk_ctx_put(HK_CTX *c, int ok)
{
    if (c->slot == NULL)
        EVP_MAC_CTX_free(c->ctx);
    else if (!ok)
        c->slot->len = 0;
}

/* hk_mac_final finishes one HMAC into |out| (exactly |md_len| bytes). */
static int hk_mac_final(EVP_MAC_CTX *ctx, uint8_t *out, size_t md_len)
{
    size_t n = 0;
    return EVP_MAC_final(ctx, out, &n, md_len) && n == md_len;
}

/* hk_norm_key: EVP_MAC_init treats a NULL key as "keep the previous key",
 * and zero-length keys are awkward for the provider; HMAC pads short keys
 * with zeros (RFC 2104 2), so an all-zero hash-length key is the same key. */
static const uint8_t kZeros[EVP_MAX_MD_SIZE];

static void hk_norm_key(const uint8_t **key, size_t *key_len, size_t md_len)
{
    if (*key_len == 0) {
        *key = kZeros;
        *key_len = md_len;
    }
}

/* hk_init_key starts an HMAC with |key| (normalised) on |c|. */
static int hk_init_key(HK_CTX *c, const uint8_t *key, size_t key_len)
{
    if (c->hit)
        return EVP_MAC_init(c->ctx, NULL, 0, NULL); /* same key: reuse the pads */
    HK_SLOT *sl = c->slot;
    if (sl != NULL)
        sl->len = 0;
    if (!EVP_MAC_init(c->ctx, key, key_len, NULL))
        return 0;
    /* Copied before any output is written: |out| may alias |key|. */
    if (sl != NULL && key_len <= sizeof(sl->key)) {
        memcpy(sl->key, key, key_len);
        sl->len = key_len;
    }
    return 1;
}

static int hk_md_len(const EVP_MD *md, size_t *out)
{
    int n = md != NULL ? EVP_MD_get_size(md) : 0;
    if (n <= 0 || n > EVP_MAX_MD_SIZE) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    *out = (size_t)n;
    return 1;
}

int tls13_hmac(const EVP_MD *md, uint8_t *out, const uint8_t *key, size_t key_len,
               const uint8_t *data, size_t len)
{
    size_t md_len;
    if (!hk_md_len(md, &md_len))
        return 0;
    HK_CTX c;
    hk_norm_key(&key, &key_len, md_len);
    if (!hk_ctx_get(md, key, key_len, &c)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    int ok = hk_init_key(&c, key, key_len) && EVP_MAC_update(c.ctx, data, len) &&
             hk_mac_final(c.ctx, out, md_len);
    hk_ctx_put(&c, ok);
    if (!ok)
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
    return ok;
}

int tls13_hkdf_extract(const EVP_MD *md, uint8_t *out, const uint8_t *salt, size_t salt_len,
                       const uint8_t *ikm, size_t ikm_len)
{
    /* RFC 5869 2.2: PRK = HMAC-Hash(salt, IKM); a missing salt is HashLen
     * zeros, which tls13_hmac already does for an empty key. */
    return tls13_hmac(md, out, salt_len ? salt : NULL, salt_len, ikm, ikm_len);
}

/* hk_expand: RFC 5869 2.3 with |info| given in two pieces so callers need
 * not concatenate.  T(0) = "", T(i) = HMAC(PRK, T(i-1) | info | i).  Every
 * block after the first re-initialises the context with a NULL key, which
 * reuses the already-absorbed PRK instead of re-deriving the pads. */
static int hk_expand(const EVP_MD *md, uint8_t *out, size_t out_len, const uint8_t *prk,
                     size_t prk_len, const uint8_t *info, size_t info_len)
{
    size_t md_len;
    if (!hk_md_len(md, &md_len))
        return 0;
    if (out_len > 255 * md_len) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    if (out_len == 0)
        return 1;
    HK_CTX c;
    hk_norm_key(&prk, &prk_len, md_len);
    if (!hk_ctx_get(md, prk, prk_len, &c)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    EVP_MAC_CTX *ctx = c.ctx;
    uint8_t t[EVP_MAX_MD_SIZE];
    size_t done = 0;
    int ok = 1;
    for (uint8_t i = 1; ok && done < out_len; i++) {
        ok = (i == 1 ? hk_init_key(&c, prk, prk_len) : EVP_MAC_init(ctx, NULL, 0, NULL)) &&
             (i == 1 || EVP_MAC_update(ctx, t, md_len)) && EVP_MAC_update(ctx, info, info_len) &&
             EVP_MAC_update(ctx, &i, 1) && hk_mac_final(ctx, t, md_len);
        if (ok) {
            size_t n = out_len - done < md_len ? out_len - done : md_len;
            memcpy(out + done, t, n);
            done += n;
        }
    }
    OPENSSL_cleanse(t, sizeof(t));
    hk_ctx_put(&c, ok);
    if (!ok)
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
    return ok;
}

int tls13_hkdf_expand(const EVP_MD *md, uint8_t *out, size_t out_len, const uint8_t *prk,
                      size_t prk_len, const uint8_t *info, size_t info_len)
{
    return hk_expand(md, out, out_len, prk, prk_len, info, info_len);
}

int tls13_hkdf_expand_label_n(const EVP_MD *md, uint8_t *out, size_t out_len, const uint8_t *secret,
                              size_t secret_len, const uint8_t *label, size_t label_len,
                              const uint8_t *context, size_t context_len)
{
    static const uint8_t kPrefix[] = "tls13 ";
    /* RFC 8446 7.1:
     *   struct {
     *       uint16 length = Length;
     *       opaque label<7..255> = "tls13 " + Label;
     *       opaque context<0..255> = Context;
     *   } HkdfLabel;                                                      */
    uint8_t info[2 + 1 + 255 + 1 + 255];
    CBB cbb, child;
    size_t info_len;
    if (out_len > 0xffff || label_len > TLS13_MAX_LABEL_LEN || context_len > 255 ||
        (label_len > 0 && label == NULL) || (context_len > 0 && context == NULL)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    if (!cbb_init_fixed(&cbb, info, sizeof(info)) || !cbb_add_u16(&cbb, (uint16_t)out_len) ||
        !cbb_add_u8_prefixed(&cbb, &child) ||
        !cbb_add_bytes(&child, kPrefix, sizeof(kPrefix) - 1) ||
        !cbb_add_bytes(&child, label, label_len) || !cbb_add_u8_prefixed(&cbb, &child) ||
        !cbb_add_bytes(&child, context, context_len) || !cbb_finish(&cbb, NULL, &info_len)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    return hk_expand(md, out, out_len, secret, secret_len, info, info_len);
}

int tls13_hkdf_expand_label(const EVP_MD *md, uint8_t *out, size_t out_len, const uint8_t *secret,
                            size_t secret_len, const char *label, const uint8_t *context,
                            size_t context_len)
{
    if (label == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    return tls13_hkdf_expand_label_n(md, out, out_len, secret, secret_len, (const uint8_t *)label,
                                     strlen(label), context, context_len);
}

int tls13_derive_secret(const EVP_MD *md, uint8_t *out, const uint8_t *secret, const char *label,
                        const uint8_t *transcript_hash)
{
    /* RFC 8446 7.1: Derive-Secret(Secret, Label, Messages) =
     *   HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length) */
    size_t md_len;
    if (!hk_md_len(md, &md_len))
        return 0;
    return tls13_hkdf_expand_label(md, out, md_len, secret, md_len, label, transcript_hash, md_len);
}

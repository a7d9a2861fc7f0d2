/* The per-thread cache of keyed HMAC contexts: see hmac_cache.h.
 *
 * Why not EVP_KDF ("HKDF", "TLS13-KDF", "TLS1-PRF")?  Each derivation there
 * needs a new EVP_KDF_CTX plus an OSSL_PARAM digest *name* that the
 * provider re-fetches on every call; TLS1-PRF also re-keys its HMAC and
 * duplicates the HMAC context for every output block.  A TLS 1.3 handshake
 * performs ~20 tiny expansions and a TLS 1.2 one four PRF runs, so that
 * overhead would dominate.  Instead each thread keeps a few EVP_MAC_CTXs
 * per fetched digest and re-keys them with EVP_MAC_init(): no context
 * allocation and no fetch per call (~2.5x faster than EVP_KDF for HKDF).
 * libcrypto 3.0's HMAC still allocates internally when re-keyed (digest
 * sub-contexts); avoiding that would mean hand-rolling HMAC, which we don't.
 *
 * Each cached context also remembers the key it holds (a copy, kept like
 * the HMAC pads the context already holds until it is re-keyed, wiped at
 * thread exit): a call with a key one of them holds restarts from the
 * absorbed pads (EVP_MAC_init with a NULL key) instead of re-keying.  TLS
 * 1.3 expands each secret under several labels ("key"/"iv"/"finished", "c
 * hs traffic"/"s hs traffic"/"derived", ...); TLS 1.2 runs the PRF on the
 * master secret for the key block and both Finished messages.  This saves
 * two hash compressions and the digest re-initialisation on over half of a
 * handshake's HMACs.
 */
#include "keys/hmac_cache.h"

#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include "base/once.h"
#include "keys/algs.h"

/* Index into the per-thread cache: the two hashes TLS uses. */
enum { HK_SHA256, HK_SHA384, HK_NUM };

/* HK_WAYS keyed contexts per hash and thread, each remembering its key
 * (len 0 = unknown, not reusable).  A handshake has about nine live secrets
 * per side, used in bursts; four ways catch the reuse of a secret after a
 * few others (e.g. a handshake traffic secret: "key", "iv", later
 * "finished"), also with client and server on one thread.  Keys longer than
 * |key| (a DHE premaster secret) are not remembered. */
#define HK_WAYS 4

struct hmac_slot {
    EVP_MAC_CTX *ctx;
    uint8_t key[128];
    size_t len;
    uint64_t used; /* LRU stamp */
};

typedef struct {
    struct hmac_slot slot[HK_NUM][HK_WAYS];
    uint64_t clock;
} HK_THREAD;

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

/* hk_slot_get: for SHA-256/384 the thread's slot holding |key| (|*hit|
 * set), else its least recently used slot; NULL if the digest has no slots
 * or there is no memory (the caller then uses a temporary context). */
static struct hmac_slot *hk_slot_get(const EVP_MD *md, const uint8_t *key, size_t key_len, int *hit)
{
    int idx = -1;
    if (md == algs_sha256())
        idx = HK_SHA256;
    else if (md == algs_sha384())
        idx = HK_SHA384;
    HK_THREAD *t = idx >= 0 ? hk_thread() : NULL;
    if (t == NULL)
        return NULL;
    struct hmac_slot *ways = t->slot[idx], *victim = &ways[0];
    *hit = 0;
    for (int w = 0; w < HK_WAYS; w++) {
        struct hmac_slot *sl = &ways[w];
        if (sl->ctx != NULL && sl->len == key_len && hk_key_equal(sl->key, key, key_len)) {
            victim = sl;
            *hit = 1;
            break;
        }
        if (sl->used < victim->used)
            victim = sl;
    }
    if (victim->ctx == NULL) {
        victim->ctx = hk_ctx_new(md);
        victim->len = 0;
        if (victim->ctx == NULL)
            return NULL;
    }
    victim->used = ++t->clock;
    return victim;
}

size_t hmac_md_len(const EVP_MD *md)
{
    int n = md != NULL ? EVP_MD_get_size(md) : 0;
    if (n <= 0 || n > EVP_MAX_MD_SIZE) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    return (size_t)n;
}

/* EVP_MAC_init treats a NULL key as "keep the previous key", and
 * zero-length keys are awkward for the provider; HMAC pads short keys with
 * zeros (RFC 2104 2), so an all-zero hash-length key is the same key. */
static const uint8_t kZeros[EVP_MAX_MD_SIZE];

int hmac_ref_begin(HMAC_REF *r, const EVP_MD *md, const uint8_t *key, size_t key_len)
{
    r->ctx = NULL;
    r->slot = NULL;
    if ((r->md_len = hmac_md_len(md)) == 0)
        return 0;
    if (key_len == 0) {
        key = kZeros;
        key_len = r->md_len;
    }
    int hit = 0;
    struct hmac_slot *sl = hk_slot_get(md, key, key_len, &hit);
    if (sl != NULL) {
        r->slot = sl;
        r->ctx = sl->ctx;
        if (hit) {
            if (EVP_MAC_init(r->ctx, NULL, 0, NULL)) /* same key: reuse the pads */
                return 1;
            hmac_ref_end(r, 0);
            return 0;
        }
        sl->len = 0;
    } else if ((r->ctx = hk_ctx_new(md)) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    if (!EVP_MAC_init(r->ctx, key, key_len, NULL)) {
        hmac_ref_end(r, 0);
        return 0;
    }
    /* Copied before any output is written: an output may alias |key|. */
    if (sl != NULL && key_len <= sizeof(sl->key)) {
        memcpy(sl->key, key, key_len);
        sl->len = key_len;
    }
    return 1;
}

int hmac_ref_restart(HMAC_REF *r)
{
    return EVP_MAC_init(r->ctx, NULL, 0, NULL);
}

int hmac_ref_final(HMAC_REF *r, uint8_t *out)
{
    size_t n = 0;
    return EVP_MAC_final(r->ctx, out, &n, r->md_len) && n == r->md_len;
}

void hmac_ref_end(HMAC_REF *r, int ok)
{
    if (r->slot == NULL)
        EVP_MAC_CTX_free(r->ctx);
    else if (!ok)
        r->slot->len = 0;
    if (!ok)
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
    r->ctx = NULL;
    r->slot = NULL;
}

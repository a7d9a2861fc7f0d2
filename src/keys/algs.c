/* Process-wide algorithm table: see algs.h. */
#include "keys/algs.h"

#include <string.h>

#include <openssl/obj_mac.h>

#include "base/once.h"

enum alg_kind { ALG_MD, ALG_CIPHER, ALG_MAC };

/* One fetched algorithm.  Each is fetched on first use, under its own
 * sesame_once: a fetch that fails (an allocation, or a provider that lacks
 * the algorithm) is tried again on the next use instead of being
 * remembered. */
struct alg {
    SESAME_ONCE once;
    enum alg_kind kind;
    const char *name;
    void *handle;
    /* digests: Hash(""), computed with the fetch (|empty_len| 0: none) */
    size_t empty_len;
    uint8_t empty[48];
};

enum { A_SHA256, A_SHA384, A_AES128GCM, A_AES256GCM, A_CHACHA20POLY1305, A_HMAC, A_NUM };

/* NULL library context and property query: the application's defaults, as
 * libssl itself would use for an SSL_CTX created without a libctx. */
static struct alg g_algs[A_NUM] = {
    [A_SHA256] = {SESAME_ONCE_INIT, ALG_MD, "SHA2-256", NULL, 32, {0}},
    [A_SHA384] = {SESAME_ONCE_INIT, ALG_MD, "SHA2-384", NULL, 48, {0}},
    [A_AES128GCM] = {SESAME_ONCE_INIT, ALG_CIPHER, "AES-128-GCM", NULL, 0, {0}},
    [A_AES256GCM] = {SESAME_ONCE_INIT, ALG_CIPHER, "AES-256-GCM", NULL, 0, {0}},
    [A_CHACHA20POLY1305] = {SESAME_ONCE_INIT, ALG_CIPHER, "ChaCha20-Poly1305", NULL, 0, {0}},
    [A_HMAC] = {SESAME_ONCE_INIT, ALG_MAC, "HMAC", NULL, 0, {0}},
};

/* alg_fetch: the sesame_once initialisation of one entry; on failure it
 * keeps nothing. */
static int alg_fetch(void *arg)
{
    struct alg *a = arg;
    switch (a->kind) {
    case ALG_MD: {
        EVP_MD *md = EVP_MD_fetch(NULL, a->name, NULL);
        unsigned int n = 0;
        if (md == NULL)
            return 0;
        if (a->empty_len > 0 && (!EVP_Digest("", 0, a->empty, &n, md, NULL) || n != a->empty_len ||
                                 n > sizeof(a->empty))) {
            EVP_MD_free(md);
            return 0;
        }
        a->handle = md;
        return 1;
    }
    case ALG_CIPHER:
        a->handle = EVP_CIPHER_fetch(NULL, a->name, NULL);
        break;
    case ALG_MAC:
        a->handle = EVP_MAC_fetch(NULL, a->name, NULL);
        break;
    }
    return a->handle != NULL;
}

static void *alg_get(int i)
{
    struct alg *a = &g_algs[i];
    return sesame_once(&a->once, alg_fetch, a) ? a->handle : NULL;
}

const EVP_MD *algs_sha256(void)
{
    return alg_get(A_SHA256);
}

const EVP_MD *algs_sha384(void)
{
    return alg_get(A_SHA384);
}

const EVP_CIPHER *algs_aes128gcm(void)
{
    return alg_get(A_AES128GCM);
}

const EVP_CIPHER *algs_aes256gcm(void)
{
    return alg_get(A_AES256GCM);
}

const EVP_CIPHER *algs_chacha20poly1305(void)
{
    return alg_get(A_CHACHA20POLY1305);
}

EVP_MAC *algs_hmac(void)
{
    return alg_get(A_HMAC);
}

const EVP_MD *algs_md_by_nid(int nid)
{
    switch (nid) {
    case NID_sha256:
        return algs_sha256();
    case NID_sha384:
        return algs_sha384();
    default:
        return NULL;
    }
}

const uint8_t *algs_empty_hash(const EVP_MD *md)
{
    if (md == NULL)
        return NULL;
    /* A digest handed out by an accessor was fetched, with its Hash(""). */
    if (md == algs_sha256())
        return g_algs[A_SHA256].empty;
    if (md == algs_sha384())
        return g_algs[A_SHA384].empty;
    return NULL;
}

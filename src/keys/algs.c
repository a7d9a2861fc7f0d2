/* Process-wide algorithm table: see algs.h. */
#include "keys/algs.h"

#include <pthread.h>
#include <string.h>

#include <openssl/obj_mac.h>

static struct {
    EVP_MD *sha256, *sha384;
    EVP_CIPHER *aes128gcm, *aes256gcm, *chacha20poly1305;
    EVP_MAC *hmac;
    EVP_KDF *hkdf, *tls1_prf;
    uint8_t empty_sha256[32];
    uint8_t empty_sha384[48];
    int empty_ok;
} g_algs;

static pthread_once_t g_algs_once = PTHREAD_ONCE_INIT;

static void algs_do_init(void)
{
    /* NULL library context and property query: the application's defaults,
     * as libssl itself would use for an SSL_CTX created without a libctx. */
    g_algs.sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    g_algs.sha384 = EVP_MD_fetch(NULL, "SHA2-384", NULL);
    g_algs.aes128gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    g_algs.aes256gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    g_algs.chacha20poly1305 = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
    g_algs.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    g_algs.hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    g_algs.tls1_prf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);

    unsigned int n = 0;
    int ok = g_algs.sha256 != NULL && g_algs.sha384 != NULL &&
             EVP_Digest("", 0, g_algs.empty_sha256, &n, g_algs.sha256, NULL) &&
             n == sizeof(g_algs.empty_sha256) &&
             EVP_Digest("", 0, g_algs.empty_sha384, &n, g_algs.sha384, NULL) &&
             n == sizeof(g_algs.empty_sha384);
    g_algs.empty_ok = ok;
}

static void algs_init(void)
{
    pthread_once(&g_algs_once, algs_do_init);
}

const EVP_MD *algs_sha256(void)
{
    algs_init();
    return g_algs.sha256;
}

const EVP_MD *algs_sha384(void)
{
    algs_init();
    return g_algs.sha384;
}

const EVP_CIPHER *algs_aes128gcm(void)
{
    algs_init();
    return g_algs.aes128gcm;
}

const EVP_CIPHER *algs_aes256gcm(void)
{
    algs_init();
    return g_algs.aes256gcm;
}

const EVP_CIPHER *algs_chacha20poly1305(void)
{
    algs_init();
    return g_algs.chacha20poly1305;
}

EVP_MAC *algs_hmac(void)
{
    algs_init();
    return g_algs.hmac;
}

EVP_KDF *algs_hkdf(void)
{
    algs_init();
    return g_algs.hkdf;
}

EVP_KDF *algs_tls1_prf(void)
{
    algs_init();
    return g_algs.tls1_prf;
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
    algs_init();
    if (md == NULL || !g_algs.empty_ok)
        return NULL;
    if (md == g_algs.sha256)
        return g_algs.empty_sha256;
    if (md == g_algs.sha384)
        return g_algs.empty_sha384;
    return NULL;
}

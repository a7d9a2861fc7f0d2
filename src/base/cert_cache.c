/* A small per-thread cache of parsed peer certificates; see cert_cache.h. */
#include "internal.h"

#include <limits.h>
#include <string.h>

#include "base/cert_cache.h"

/* OpenSSL 3.0 parses a certificate's public key through the provider
 * decoders, building a decoder chain each time: d2i_X509 of one P-256 leaf
 * costs about as much as an ECDSA verification.  Peers keep sending the same
 * certificates, so each thread keeps the last few it parsed, by their exact
 * DER, and hands out references to the same X509.  An X509 is safe to share
 * (its lazily computed extension cache is locked; refcounts are atomic), as
 * libssl already shares the certificates of an SSL_CTX and of sessions.  No
 * lock: a cache is only used by its own thread; it is freed at thread exit. */

#define PEER_CERT_CACHE_N 8
/* Larger certificates are parsed every time (not copied into the cache). */
#define PEER_CERT_CACHE_MAX_DER 16384

typedef struct {
    X509 *x509;
    uint8_t *der;
    size_t der_len;
    uint64_t used; /* LRU stamp */
} PEER_CERT_ENTRY;

typedef struct {
    PEER_CERT_ENTRY e[PEER_CERT_CACHE_N];
    uint64_t clock;
} PEER_CERT_CACHE;

static pthread_key_t g_pcc_key;
static pthread_once_t g_pcc_once = PTHREAD_ONCE_INIT;
static int g_pcc_key_ok;
static _Thread_local PEER_CERT_CACHE *tl_pcc;

static void pcc_thread_free(void *p)
{
    PEER_CERT_CACHE *c = p;
    if (c == NULL)
        return;
    for (int i = 0; i < PEER_CERT_CACHE_N; i++) {
        X509_free(c->e[i].x509);
        OPENSSL_free(c->e[i].der);
    }
    OPENSSL_free(c);
    tl_pcc = NULL;
}

static void pcc_key_init(void) { g_pcc_key_ok = pthread_key_create(&g_pcc_key, pcc_thread_free) == 0; }

static PEER_CERT_CACHE *pcc_get(void)
{
    pthread_once(&g_pcc_once, pcc_key_init);
    if (!g_pcc_key_ok)
        return NULL;
    PEER_CERT_CACHE *c = tl_pcc;
    if (c == NULL) {
        c = OPENSSL_zalloc(sizeof(*c));
        if (c == NULL)
            return NULL;
        if (pthread_setspecific(g_pcc_key, c) != 0) {
            OPENSSL_free(c);
            return NULL;
        }
        tl_pcc = c;
    }
    return c;
}

X509 *cert_d2i_cached(const uint8_t *der, size_t der_len)
{
    if (der_len == 0 || der_len > LONG_MAX)
        return NULL;
    PEER_CERT_CACHE *c = der_len <= PEER_CERT_CACHE_MAX_DER ? pcc_get() : NULL;
    if (c != NULL) {
        for (int i = 0; i < PEER_CERT_CACHE_N; i++) {
            PEER_CERT_ENTRY *e = &c->e[i];
            if (e->x509 != NULL && e->der_len == der_len && memcmp(e->der, der, der_len) == 0 &&
                X509_up_ref(e->x509)) {
                e->used = ++c->clock;
                return e->x509;
            }
        }
    }
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)der_len);
    if (x == NULL)
        return NULL;
    if (p != der + der_len) {
        /* trailing bytes: not a certificate encoding we accept */
        X509_free(x);
        return NULL;
    }
    if (c != NULL) {
        PEER_CERT_ENTRY *victim = &c->e[0];
        for (int i = 1; i < PEER_CERT_CACHE_N && victim->x509 != NULL; i++)
            if (c->e[i].x509 == NULL || c->e[i].used < victim->used)
                victim = &c->e[i];
        uint8_t *copy = OPENSSL_memdup(der, der_len);
        if (copy != NULL && X509_up_ref(x)) {
            X509_free(victim->x509);
            OPENSSL_free(victim->der);
            victim->x509 = x;
            victim->der = copy;
            victim->der_len = der_len;
            victim->used = ++c->clock;
        } else {
            OPENSSL_free(copy);
        }
    }
    return x;
}

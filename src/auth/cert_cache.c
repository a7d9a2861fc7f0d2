/* A small per-thread cache of parsed peer certificates; see cert_cache.h. */
#include "internal.h"

#include <limits.h>
#include <string.h>

#include "auth/cert_cache.h"
#include "base/once.h"

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
static SESAME_ONCE g_pcc_once = SESAME_ONCE_INIT;
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

static int pcc_key_init(void *arg)
{
    (void)arg;
    return pthread_key_create(&g_pcc_key, pcc_thread_free) == 0;
}

static PEER_CERT_CACHE *pcc_get(void)
{
    if (!sesame_once(&g_pcc_once, pcc_key_init, NULL))
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

int cert_whole(X509 *x)
{
    /* OpenSSL 3.0 fills three things while parsing (or on first use) and
     * keeps whatever it got, even after an allocation failed on the way:
     * the public key (d2i tolerates a key it could not decode), the key's
     * size information (EVP_PKEY_get_bits/security_bits/size, read from the
     * provider once; 0 when that failed, which verification then calls a
     * key too small), and the extension cache (EXFLAG_INVALID, or
     * EXFLAG_NO_FINGERPRINT when the hash could not be computed).
     * X509_check_purpose builds the extension cache now, so nothing is left
     * to fail later. */
    ERR_set_mark();
    EVP_PKEY *pk = X509_get0_pubkey(x);
    int whole = pk != NULL && EVP_PKEY_get_bits(pk) > 0 && EVP_PKEY_get_security_bits(pk) > 0 &&
                EVP_PKEY_get_size(pk) > 0 && X509_check_purpose(x, -1, 0) == 1 &&
                !(X509_get_extension_flags(x) & (EXFLAG_INVALID | EXFLAG_NO_FINGERPRINT));
    ERR_pop_to_mark();
    return whole;
}

/* d2i_exact: d2i_X509 of exactly |der_len| bytes (trailing bytes fail). */
static X509 *d2i_exact(const uint8_t *der, size_t der_len)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)der_len);
    if (x != NULL && p != der + der_len) {
        X509_free(x); /* trailing bytes: not an encoding we accept */
        return NULL;
    }
    return x;
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
    X509 *x = d2i_exact(der, der_len);
    if (x == NULL)
        return NULL;
    int whole = cert_whole(x);
    if (!whole) {
        /* Parsed while an allocation failed, or really so (an unsupported
         * key, broken extensions): a second parse tells them apart unless
         * the allocations keep failing, and then whatever we hand out fails
         * the handshake anyway. */
        X509 *again = d2i_exact(der, der_len);
        if (again == NULL) {
            X509_free(x);
            return NULL;
        }
        X509_free(x);
        x = again;
        whole = cert_whole(x);
    }
    /* Never cache a certificate that is not whole: parse it afresh next
     * time. */
    if (c != NULL && whole) {
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

/* ---- our own certificates as DER (see cert_cache.h) ---- */

struct cert_der {
    _Atomic int refs;
    size_t num;                                 /* leaf + chain */
    X509 *x509[1 + CERT_DER_MAX_CHAIN];         /* references held */
    const uint8_t *der[1 + CERT_DER_MAX_CHAIN]; /* into |blob| */
    size_t len[1 + CERT_DER_MAX_CHAIN];
    uint8_t *blob;
};

struct cert_der *cert_der_new(X509 *leaf, STACK_OF(X509) * chain)
{
    int nchain = chain != NULL ? sk_X509_num(chain) : 0;
    if (leaf == NULL || nchain < 0 || nchain > CERT_DER_MAX_CHAIN)
        return NULL;
    struct cert_der *d = OPENSSL_zalloc(sizeof(*d));
    if (d == NULL)
        return NULL;
    atomic_init(&d->refs, 1);
    size_t total = 0;
    for (int i = 0; i <= nchain; i++) {
        X509 *x = i == 0 ? leaf : sk_X509_value(chain, i - 1);
        int len = x != NULL ? i2d_X509(x, NULL) : -1;
        if (len <= 0 || !X509_up_ref(x))
            goto err;
        d->x509[d->num++] = x;
        d->len[i] = (size_t)len;
        total += (size_t)len;
    }
    if ((d->blob = OPENSSL_malloc(total)) == NULL)
        goto err;
    uint8_t *p = d->blob;
    for (size_t i = 0; i < d->num; i++) {
        uint8_t *q = p;
        if (i2d_X509(d->x509[i], &q) != (int)d->len[i])
            goto err;
        d->der[i] = p;
        p = q;
    }
    return d;
err:
    ERR_clear_error();
    cert_der_free(d);
    return NULL;
}

void cert_der_up_ref(struct cert_der *d)
{
    atomic_fetch_add_explicit(&d->refs, 1, memory_order_relaxed);
}

void cert_der_free(struct cert_der *d)
{
    if (d == NULL || atomic_fetch_sub_explicit(&d->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (size_t i = 0; i < d->num; i++)
        X509_free(d->x509[i]);
    OPENSSL_free(d->blob);
    OPENSSL_free(d);
}

int cert_der_matches(const struct cert_der *d, const X509 *leaf, STACK_OF(X509) * chain)
{
    int nchain = chain != NULL ? sk_X509_num(chain) : 0;
    if (d == NULL || leaf != d->x509[0] || nchain < 0 || (size_t)nchain + 1 != d->num)
        return 0;
    for (int i = 0; i < nchain; i++)
        if (sk_X509_value(chain, i) != d->x509[i + 1])
            return 0;
    return 1;
}

size_t cert_der_get(const struct cert_der *d, const uint8_t *const **out_ders,
                    const size_t **out_lens)
{
    *out_ders = d->der;
    *out_lens = d->len;
    return d->num;
}

/* The peer's certificates of a session, kept as DER and parsed lazily.
 *
 * A parsed X509 costs several KB of heap (names, extensions, the public key
 * object, caches); the DER is a few hundred bytes.  Most sessions (a client
 * holding tickets, a server cache) are never asked for their peer, so a
 * session holds one immutable block with the certificates' DER, shared by
 * reference among the sessions of one connection (one per ticket), and the
 * X509 objects are made on the first SSL_SESSION_get0_peer /
 * SSL_get_peer_cert_chain.  Two threads racing on the first call may both
 * parse; one compare-and-swap publishes the winner and the loser frees its
 * copy, so every caller sees the same stable pointer. */
#include "internal.h"

#include "auth/cert_cache.h"

#include <stddef.h>
#include <string.h>

#include "session/session_cache.h"

#define TAG_SEQUENCE 0x30

struct sess_peer {
    _Atomic int references;
    uint32_t num_certs;
    _Atomic(X509 *) leaf;            /* parsed on demand */
    _Atomic(STACK_OF(X509) *) chain; /* parsed on demand; [0] is |leaf| */
    size_t der_len;
    uint8_t der[]; /* the Certificates, leaf first */
};

/* next_cert takes one whole DER Certificate TLV (a SEQUENCE with a minimal
 * definite length of at most 3 bytes) off |in| into |out|. */
static int next_cert(CBS *in, CBS *out)
{
    CBS copy = *in, body;
    uint8_t tag, l0;
    size_t len;
    if (!cbs_get_u8(&copy, &tag) || tag != TAG_SEQUENCE || !cbs_get_u8(&copy, &l0))
        return 0;
    if (l0 < 0x80) {
        len = l0;
    } else {
        size_t n = l0 & 0x7f;
        if (n == 0 || n > 3)
            return 0;
        len = 0;
        for (size_t i = 0; i < n; i++) {
            uint8_t b;
            if (!cbs_get_u8(&copy, &b) || (i == 0 && b == 0))
                return 0;
            len = (len << 8) | b;
        }
        if (len < 0x80)
            return 0;
    }
    if (!cbs_get_bytes(&copy, &body, len))
        return 0;
    return cbs_get_bytes(in, out, (size_t)(cbs_data(&copy) - cbs_data(in)));
}

/* parse_one: d2i of exactly the bytes of |c|. */
static X509 *parse_one(const CBS *c)
{
    return cert_d2i_cached(cbs_data(c), cbs_len(c));
}

size_t sess_peer_split(const uint8_t *certs, size_t len, int full)
{
    CBS in, c;
    size_t n = 0;
    cbs_init(&in, certs, len);
    while (cbs_len(&in) > 0) {
        if (!next_cert(&in, &c))
            return 0;
        if (full) {
            X509 *x = parse_one(&c);
            if (x == NULL)
                return 0;
            X509_free(x);
        }
        n++;
    }
    return n;
}

static struct sess_peer *peer_alloc(size_t len, size_t num_certs)
{
    if (num_certs == 0 || num_certs > UINT32_MAX || len > SIZE_MAX - sizeof(struct sess_peer))
        return NULL;
    struct sess_peer *p = OPENSSL_malloc(offsetof(struct sess_peer, der) + len);
    if (p == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return NULL;
    }
    atomic_init(&p->references, 1);
    p->num_certs = (uint32_t)num_certs;
    atomic_init(&p->leaf, NULL);
    atomic_init(&p->chain, NULL);
    p->der_len = len;
    return p;
}

struct sess_peer *sess_peer_from_der(const uint8_t *certs, size_t len, size_t num_certs)
{
    struct sess_peer *p = peer_alloc(len, num_certs);
    if (p != NULL)
        memcpy(p->der, certs, len);
    return p;
}

struct sess_peer *sess_peer_from_x509s(STACK_OF(X509) * chain)
{
    int num = sk_X509_num(chain);
    size_t total = 0;
    if (num <= 0)
        return NULL;
    for (int i = 0; i < num; i++) {
        int l = i2d_X509(sk_X509_value(chain, i), NULL);
        if (l <= 0 || (size_t)l > SIZE_MAX / 2 - total)
            return NULL;
        total += (size_t)l;
    }
    struct sess_peer *p = peer_alloc(total, (size_t)num);
    if (p == NULL)
        return NULL;
    unsigned char *w = p->der;
    for (int i = 0; i < num; i++) {
        /* i2d writes the same bytes it measured (the X509 keeps its encoding). */
        int l = i2d_X509(sk_X509_value(chain, i), &w);
        if (l <= 0 || (size_t)(w - p->der) > total) {
            OPENSSL_free(p);
            return NULL;
        }
    }
    if ((size_t)(w - p->der) != total) {
        OPENSSL_free(p);
        return NULL;
    }
    return p;
}

void sess_peer_up_ref(struct sess_peer *p)
{
    atomic_fetch_add_explicit(&p->references, 1, memory_order_relaxed);
}

void sess_peer_free(struct sess_peer *p)
{
    if (p == NULL)
        return;
    if (atomic_fetch_sub_explicit(&p->references, 1, memory_order_acq_rel) > 1)
        return;
    sk_X509_pop_free(atomic_load_explicit(&p->chain, memory_order_acquire), X509_free);
    X509_free(atomic_load_explicit(&p->leaf, memory_order_acquire));
    OPENSSL_free(p);
}

const uint8_t *sess_peer_der(const struct sess_peer *p, size_t *out_len)
{
    *out_len = p->der_len;
    return p->der;
}

X509 *sess_peer_leaf(struct sess_peer *p)
{
    if (p == NULL)
        return NULL;
    X509 *x = atomic_load_explicit(&p->leaf, memory_order_acquire);
    if (x != NULL)
        return x;
    CBS in, c;
    cbs_init(&in, p->der, p->der_len);
    if (!next_cert(&in, &c) || (x = parse_one(&c)) == NULL)
        return NULL;
    X509 *expected = NULL;
    /* release: the winner's parsed object is complete before it is seen. */
    if (atomic_compare_exchange_strong_explicit(&p->leaf, &expected, x, memory_order_acq_rel,
                                                memory_order_acquire))
        return x;
    X509_free(x); /* another thread published first */
    return expected;
}

STACK_OF(X509) * sess_peer_chain(struct sess_peer *p)
{
    if (p == NULL)
        return NULL;
    STACK_OF(X509) *sk = atomic_load_explicit(&p->chain, memory_order_acquire);
    if (sk != NULL)
        return sk;
    X509 *leaf = sess_peer_leaf(p);
    if (leaf == NULL || (sk = sk_X509_new_reserve(NULL, (int)p->num_certs)) == NULL)
        return NULL;
    if (!X509_up_ref(leaf)) {
        sk_X509_free(sk);
        return NULL;
    }
    if (!sk_X509_push(sk, leaf)) {
        X509_free(leaf);
        sk_X509_free(sk);
        return NULL;
    }
    CBS in, c;
    cbs_init(&in, p->der, p->der_len);
    if (!next_cert(&in, &c)) /* the leaf, already parsed */
        goto err;
    while (cbs_len(&in) > 0) {
        X509 *x;
        if (!next_cert(&in, &c) || (x = parse_one(&c)) == NULL)
            goto err;
        if (!sk_X509_push(sk, x)) {
            X509_free(x);
            goto err;
        }
    }
    STACK_OF(X509) *expected = NULL;
    if (atomic_compare_exchange_strong_explicit(&p->chain, &expected, sk, memory_order_acq_rel,
                                                memory_order_acquire))
        return sk;
    sk_X509_pop_free(sk, X509_free);
    return expected;
err:
    sk_X509_pop_free(sk, X509_free);
    return NULL;
}

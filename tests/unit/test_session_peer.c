/* The session's peer certificates: kept as DER, parsed lazily and once
 * (session/session_peer.c), shared by the sessions of one connection. */
#include "testutil.h"

#include "pair.h"

#include <pthread.h>
#include <stdatomic.h>

#include "internal.h"
#include "session/session_cache.h"

static TEST_PKI pki;

/* kept: sessions from the client's new-session callback */
static SSL_SESSION *kept[8];
static int num_kept;

static int keep_cb(SSL *ssl, SSL_SESSION *sess)
{
    (void)ssl;
    if (num_kept == (int)(sizeof(kept) / sizeof(kept[0])))
        return 0;
    kept[num_kept++] = sess;
    return 1;
}

static void drop_kept(void)
{
    for (int i = 0; i < num_kept; i++)
        SSL_SESSION_free(kept[i]);
    num_kept = 0;
}

/* server_ctx: leaf + the CA as chain, so the client receives two certificates. */
static SSL_CTX *server_ctx(void)
{
    SSL_CTX *c = pair_server_ctx(&pki);
    if (c == NULL)
        return NULL;
    X509_up_ref(pki.ca);
    if (!SSL_CTX_add_extra_chain_cert(c, pki.ca)) {
        X509_free(pki.ca);
        SSL_CTX_free(c);
        return NULL;
    }
    SSL_CTX_set_num_tickets(c, 2);
    return c;
}

static SSL_CTX *client_ctx(void)
{
    SSL_CTX *c = pair_client_ctx(&pki);
    if (c == NULL)
        return NULL;
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(c, keep_cb);
    return c;
}

/* connect: handshake (resuming |resume| if set) and read the tickets. */
static int do_connect(SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *resume, SSL **out_c, SSL **out_s)
{
    if (!pair_new(cctx, sctx, out_c, out_s))
        return 0;
    if (resume != NULL && !SSL_set_session(*out_c, resume))
        return 0;
    if (!pair_handshake(*out_c, *out_s))
        return 0;
    pair_pump_client(*out_c);
    return 1;
}

static void close_pair(SSL *c, SSL *s)
{
    SSL_shutdown(c);
    SSL_shutdown(s);
    SSL_free(c);
    SSL_free(s);
}

static void test_struct_size(void)
{
    /* a regression guard for the per-session memory target (bench memory) */
    CHECK(sizeof(struct ssl_session_st) <= 256);
}

static void test_get0_peer_stable(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx();
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    REQUIRE(do_connect(cctx, sctx, NULL, &c, &s));
    CHECK_EQ_INT(num_kept, 2);
    SSL_SESSION *cs = SSL_get_session(c);
    REQUIRE(cs != NULL);
    X509 *p1 = SSL_SESSION_get0_peer(cs);
    X509 *p2 = SSL_SESSION_get0_peer(cs);
    CHECK(p1 != NULL && p1 == p2);
    CHECK(p1 != NULL && X509_cmp(p1, pki.leaf) == 0);
    /* the connection's accessors return the session's objects */
    CHECK(SSL_get0_peer_certificate(c) == p1);
    X509 *g = SSL_get1_peer_certificate(c);
    CHECK(g == p1);
    X509_free(g);
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(c);
    CHECK(chain != NULL && sk_X509_num(chain) == 2);
    CHECK(chain != NULL && sk_X509_value(chain, 0) == p1);
    CHECK(chain != NULL && X509_cmp(sk_X509_value(chain, 1), pki.ca) == 0);
    CHECK(SSL_get_peer_cert_chain(c) == chain);
    /* the two tickets' sessions share one certificate block: same X509 */
    REQUIRE(num_kept == 2);
    CHECK(kept[0]->peer != NULL && kept[0]->peer == kept[1]->peer);
    CHECK(SSL_SESSION_get0_peer(kept[0]) == SSL_SESSION_get0_peer(kept[1]));
    close_pair(c, s);
    drop_kept();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_peer_survives_ssl_free(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx();
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    REQUIRE(do_connect(cctx, sctx, NULL, &c, &s));
    SSL_SESSION *mine = SSL_get1_session(c);
    REQUIRE(mine != NULL);
    X509 *before = SSL_get0_peer_certificate(c);
    REQUIRE(before != NULL);
    close_pair(c, s);
    /* the session owns the X509: still the same object (ASan: no UAF) */
    CHECK(SSL_SESSION_get0_peer(mine) == before);
    CHECK(X509_cmp(before, pki.leaf) == 0);
    /* a ticket session never asked before: parsed now, after SSL_free */
    REQUIRE(num_kept >= 1);
    X509 *k = SSL_SESSION_get0_peer(kept[num_kept - 1]);
    CHECK(k != NULL && X509_cmp(k, pki.leaf) == 0);
    SSL_SESSION_free(mine);
    /* the kept sessions still hold the block */
    CHECK(SSL_SESSION_get0_peer(kept[num_kept - 1]) == k);
    drop_kept();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_resumed_connection_peer(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx();
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    REQUIRE(do_connect(cctx, sctx, NULL, &c, &s));
    close_pair(c, s);
    REQUIRE(num_kept == 2);
    SSL_SESSION *t = kept[1];
    kept[1] = NULL;
    num_kept = 1;
    drop_kept();
    REQUIRE(do_connect(cctx, sctx, t, &c, &s));
    CHECK_EQ_INT(SSL_session_reused(c), 1);
    X509 *x = SSL_get1_peer_certificate(c);
    CHECK(x != NULL && X509_cmp(x, pki.leaf) == 0);
    /* the resumed session shares the certificate block of the one offered */
    CHECK(x == SSL_SESSION_get0_peer(t));
    X509_free(x);
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(c);
    CHECK(chain != NULL && sk_X509_num(chain) == 2);
    CHECK_EQ_INT(SSL_get_verify_result(c), X509_V_OK);
    close_pair(c, s);
    SSL_SESSION_free(t);
    drop_kept();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ---- concurrency: first calls racing on an unparsed session ---- */

#define NTHREADS 8

struct race {
    SSL_SESSION *sess;
    atomic_int ready;
    X509 *leaf[NTHREADS];
    STACK_OF(X509) * chain[NTHREADS];
};

struct racer {
    struct race *r;
    int idx;
};

static void *race_main(void *arg)
{
    struct racer *me = arg;
    struct race *r = me->r;
    atomic_fetch_add(&r->ready, 1);
    while (atomic_load(&r->ready) < NTHREADS)
        ; /* spin: start together */
    if (me->idx % 2 == 0) {
        r->leaf[me->idx] = SSL_SESSION_get0_peer(r->sess);
        r->chain[me->idx] = sess_peer_chain(r->sess->peer);
    } else {
        r->chain[me->idx] = sess_peer_chain(r->sess->peer);
        r->leaf[me->idx] = SSL_SESSION_get0_peer(r->sess);
    }
    return NULL;
}

static void test_concurrent_get0_peer(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx();
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    REQUIRE(do_connect(cctx, sctx, NULL, &c, &s));
    close_pair(c, s);
    REQUIRE(num_kept >= 1);
    unsigned char *der = NULL;
    int len = i2d_SSL_SESSION(kept[0], &der);
    REQUIRE(len > 0);
    for (int round = 0; round < 20; round++) {
        /* a fresh copy each round: nothing parsed yet */
        const unsigned char *q = der;
        struct race r;
        memset(&r, 0, sizeof(r));
        r.sess = d2i_SSL_SESSION(NULL, &q, len);
        REQUIRE(r.sess != NULL);
        atomic_init(&r.ready, 0);
        pthread_t th[NTHREADS];
        struct racer rc[NTHREADS];
        for (int i = 0; i < NTHREADS; i++) {
            rc[i].r = &r;
            rc[i].idx = i;
            REQUIRE(pthread_create(&th[i], NULL, race_main, &rc[i]) == 0);
        }
        for (int i = 0; i < NTHREADS; i++)
            pthread_join(th[i], NULL);
        for (int i = 0; i < NTHREADS; i++) {
            CHECK(r.leaf[i] != NULL && r.leaf[i] == r.leaf[0]);
            CHECK(r.chain[i] != NULL && r.chain[i] == r.chain[0]);
        }
        CHECK(r.chain[0] != NULL && sk_X509_value(r.chain[0], 0) == r.leaf[0]);
        CHECK(r.leaf[0] != NULL && X509_cmp(r.leaf[0], pki.leaf) == 0);
        SSL_SESSION_free(r.sess);
    }
    OPENSSL_free(der);
    drop_kept();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ---- serialization ---- */

static void test_i2d_d2i_keeps_chain(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx();
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    REQUIRE(do_connect(cctx, sctx, NULL, &c, &s));
    close_pair(c, s);
    REQUIRE(num_kept >= 1);
    unsigned char *der = NULL;
    int len = i2d_SSL_SESSION(kept[0], &der);
    REQUIRE(len > 0);
    const unsigned char *q = der;
    SSL_SESSION *d = d2i_SSL_SESSION(NULL, &q, len);
    REQUIRE(d != NULL);
    CHECK(q == der + len);
    CHECK(X509_cmp(SSL_SESSION_get0_peer(d), pki.leaf) == 0);
    /* i2d does not need the parsed objects and gives the same bytes */
    unsigned char *again = NULL;
    CHECK_EQ_INT(i2d_SSL_SESSION(d, &again), len);
    CHECK(again != NULL && memcmp(again, der, (size_t)len) == 0);
    OPENSSL_free(again);
    /* a client connection using the session returns its chain */
    SSL *c2 = SSL_new(cctx);
    REQUIRE(c2 != NULL);
    SSL_set_connect_state(c2);
    CHECK(SSL_set_session(c2, d));
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(c2);
    CHECK(chain != NULL && sk_X509_num(chain) == 2);
    CHECK(chain != NULL && sk_X509_value(chain, 0) == SSL_SESSION_get0_peer(d));
    CHECK(SSL_get0_peer_certificate(c2) == SSL_SESSION_get0_peer(d));
    SSL_free(c2);
    SSL_SESSION_free(d);
    /* a corrupted certificate inside otherwise valid DER is rejected */
    size_t l;
    const uint8_t *certs = sess_peer_der(kept[0]->peer, &l);
    const uint8_t *hit = NULL;
    for (int i = 0; i + (int)l <= len && hit == NULL; i++)
        if (memcmp(der + i, certs, l) == 0)
            hit = der + i;
    REQUIRE(hit != NULL);
    unsigned char *bad = OPENSSL_memdup(der, (size_t)len);
    REQUIRE(bad != NULL);
    bad[(hit - der) + 8] ^= 0xff; /* inside the leaf's TBSCertificate header */
    q = bad;
    SSL_SESSION *b = d2i_SSL_SESSION(NULL, &q, len);
    CHECK(b == NULL);
    SSL_SESSION_free(b);
    ERR_clear_error();
    OPENSSL_free(bad);
    OPENSSL_free(der);
    drop_kept();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* A version 1 session (peer [5] = leaf, peerChain [12]) still reads. */
static int add_tlv(CBB *b, uint8_t tag, const uint8_t *p, size_t len)
{
    if (!cbb_add_u8(b, tag))
        return 0;
    if (len < 0x80) {
        if (!cbb_add_u8(b, (uint8_t)len))
            return 0;
    } else if (len <= 0xff) {
        if (!cbb_add_u8(b, 0x81) || !cbb_add_u8(b, (uint8_t)len))
            return 0;
    } else {
        if (!cbb_add_u8(b, 0x82) || !cbb_add_u16(b, (uint16_t)len))
            return 0;
    }
    return len == 0 || cbb_add_bytes(b, p, len);
}

static int add_der_of(CBB *b, uint8_t tag, CBB *inner)
{
    uint8_t *d;
    size_t l;
    if (!cbb_finish(inner, &d, &l))
        return 0;
    int ok = add_tlv(b, tag, d, l);
    OPENSSL_free(d);
    return ok;
}

static void test_format_v1_still_read(void)
{
    unsigned char *leaf = NULL, *ca = NULL;
    int ll = i2d_X509(pki.leaf, &leaf), cl = i2d_X509(pki.ca, &ca);
    REQUIRE(ll > 0 && cl > 0);
    static const uint8_t one = 1, suite[2] = {0x13, 0x01}, t[2] = {0x03, 0x04};
    uint8_t mk[32], id[32], tms[4] = {0x65, 0x00, 0x00, 0x00}, to[2] = {0x1c, 0x20};
    memset(mk, 0x11, sizeof(mk));
    memset(id, 0x22, sizeof(id));
    CBB body, f5, f12, seq, f6;
    REQUIRE(cbb_init(&body, 4096) && cbb_init(&f5, 1024) && cbb_init(&f12, 2048) &&
            cbb_init(&seq, 2048) && cbb_init(&f6, 8));
    CHECK(add_tlv(&body, 0x02, &one, 1) && add_tlv(&body, 0x02, t, 2) &&
          add_tlv(&body, 0x04, suite, 2) && add_tlv(&body, 0x04, mk, 32) &&
          add_tlv(&body, 0x04, id, 32) && add_tlv(&body, 0x04, NULL, 0) &&
          add_tlv(&body, 0x02, tms, 4) && add_tlv(&body, 0x02, to, 2));
    CHECK(cbb_add_bytes(&f5, leaf, (size_t)ll) && add_der_of(&body, 0xa5, &f5));
    uint8_t zero = 0;
    CHECK(add_tlv(&f6, 0x02, &zero, 1) && add_der_of(&body, 0xa6, &f6));
    CHECK(cbb_add_bytes(&seq, leaf, (size_t)ll) && cbb_add_bytes(&seq, ca, (size_t)cl) &&
          add_der_of(&f12, 0x30, &seq) && add_der_of(&body, 0xac, &f12));
    CBB all;
    REQUIRE(cbb_init(&all, 4096));
    CHECK(add_der_of(&all, 0x30, &body));
    uint8_t *der;
    size_t len;
    REQUIRE(cbb_finish(&all, &der, &len));
    const unsigned char *q = der;
    SSL_SESSION *d = d2i_SSL_SESSION(NULL, &q, (long)len);
    REQUIRE(d != NULL);
    CHECK(X509_cmp(SSL_SESSION_get0_peer(d), pki.leaf) == 0);
    STACK_OF(X509) *chain = sess_peer_chain(d->peer);
    CHECK(chain != NULL && sk_X509_num(chain) == 2);
    CHECK(chain != NULL && X509_cmp(sk_X509_value(chain, 1), pki.ca) == 0);
    CHECK(d->verify_result == 0);
    /* written back as version 2, which reads to the same chain */
    unsigned char *v2 = NULL;
    int l2 = i2d_SSL_SESSION(d, &v2);
    CHECK(l2 > 0 && v2[0] == 0x30);
    q = v2;
    SSL_SESSION *e = d2i_SSL_SESSION(NULL, &q, l2);
    CHECK(e != NULL && sk_X509_num(sess_peer_chain(e->peer)) == 2);
    SSL_SESSION_free(e);
    OPENSSL_free(v2);
    SSL_SESSION_free(d);
    OPENSSL_free(der);
    OPENSSL_free(leaf);
    OPENSSL_free(ca);
}

/* ---- the server's view of a client certificate ---- */

static void test_server_peer(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx();
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    CHECK(SSL_CTX_use_certificate(cctx, pki.leaf) == 1 &&
          SSL_CTX_use_PrivateKey(cctx, pki.leaf_key) == 1);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), pki.ca);
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    SSL_CTX_set_session_id_context(sctx, (const unsigned char *)"peer-test", 9);
    REQUIRE(do_connect(cctx, sctx, NULL, &c, &s));
    X509 *x = SSL_get1_peer_certificate(s);
    CHECK(x != NULL && X509_cmp(x, pki.leaf) == 0);
    X509_free(x);
    SSL_SESSION *ss = SSL_get1_session(s);
    REQUIRE(ss != NULL);
    CHECK(SSL_SESSION_get0_peer(ss) != NULL);
    CHECK(SSL_SESSION_get0_peer(ss) == SSL_SESSION_get0_peer(ss));
    /* OpenSSL's server chain excludes the client's own certificate; the
     * client built its chain from its verify store (OpenSSL's auto chain),
     * so the CA follows */
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(s);
    CHECK(chain != NULL && sk_X509_num(chain) == 1 &&
          X509_cmp(sk_X509_value(chain, 0), pki.ca) == 0);
    close_pair(c, s);
    CHECK(X509_cmp(SSL_SESSION_get0_peer(ss), pki.leaf) == 0);
    SSL_SESSION_free(ss);
    drop_kept();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

TEST_MAIN({
    pair_pki_init(&pki);
    RUN(test_struct_size);
    RUN(test_get0_peer_stable);
    RUN(test_peer_survives_ssl_free);
    RUN(test_resumed_connection_peer);
    RUN(test_concurrent_get0_peer);
    RUN(test_i2d_d2i_keeps_chain);
    RUN(test_format_v1_still_read);
    RUN(test_server_peer);
    pair_pki_free(&pki);
})
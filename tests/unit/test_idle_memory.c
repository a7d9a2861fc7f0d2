/* test_idle_memory.c - what an idle connection keeps.
 *
 * An idle pair is a client and a server SSL after a full handshake (ECDSA
 * P-256 leaf verified by the client, X25519, AES-128-GCM; TLS 1.3 with the
 * server's two tickets read by the client, or TLS 1.2 with a ticket), both
 * having called SSL_read once and got SSL_ERROR_WANT_READ, nothing pending:
 * the state bench/handshake.c's idle modes measure.
 *
 *   test_idle_heap (its own ctest entry, skipped under sanitizers, whose
 *   allocator is not glibc's): glibc's mallinfo2 around 200 such pairs kept
 *   open at once, the handshake's BIO pair replaced by one shared null BIO
 *   so that no transport is counted.  Bounds: 10,240 bytes per pair (the
 *   target: a tenth of OpenSSL 3.0's 99 KB), 6,144 with
 *   SSL_MODE_RELEASE_BUFFERS.  Measured when written (Release build):
 *   TLS 1.3 8.9 KB and 5.0 KB, TLS 1.2 8.6 KB and 4.7 KB, so the bounds
 *   leave about 13% and 20% of headroom; a regression of a few hundred
 *   bytes per SSL fails.
 *   test_idle_state: the same pairs, structurally: no record, handshake or
 *   output buffer, no handshake state, the configuration block shared with
 *   the context, and with SSL_MODE_RELEASE_BUFFERS no keyed cipher context.
 *   test_config_copy_on_write: the shared configuration block keeps
 *   OpenSSL's semantics: an SSL keeps what its context had at SSL_new, a
 *   change on either side is not seen by the other, SSL_CTX_get0_param
 *   stops the sharing.
 *   test_mode_release_buffers: SSL_CTX_set_mode / SSL_get_mode report
 *   SSL_MODE_RELEASE_BUFFERS as OpenSSL 3.0 does (values checked against
 *   the system libssl). */
#include "testutil.h"

#include "pair.h"

#include <malloc.h>

#include "auth/config.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HEAP_MEASURABLE 0 /* the sanitizer's allocator is not glibc's */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define HEAP_MEASURABLE 0
#else
#define HEAP_MEASURABLE 1
#endif
#else
#define HEAP_MEASURABLE 1
#endif

#define NUM_PAIRS            200
#define BOUND_DEFAULT        10240
#define BOUND_RELEASE_BUFFER 6144

static TEST_PKI pki;
static BIO *null_bio; /* every idle SSL's transport */

static long heap_now(void)
{
    struct mallinfo2 m = mallinfo2();
    return (long)(m.uordblks + m.hblkhd);
}

/* contexts as the benchmark's: |version| only, X25519 (and P-256 for the
 * TLS 1.2 certificate's curve), the server's default two tickets */
static void make_ctxs(int version, int release_buffers, SSL_CTX **out_s, SSL_CTX **out_c)
{
    SSL_CTX *s = pair_server_ctx(&pki), *c = pair_client_ctx(&pki);
    const char *groups = version == TLS1_3_VERSION ? "X25519" : "X25519:P-256";
    CHECK(s != NULL && c != NULL);
    CHECK(SSL_CTX_set_min_proto_version(s, version) && SSL_CTX_set_max_proto_version(s, version));
    CHECK(SSL_CTX_set_min_proto_version(c, version) && SSL_CTX_set_max_proto_version(c, version));
    CHECK(SSL_CTX_set1_groups_list(s, groups) && SSL_CTX_set1_groups_list(c, groups));
    if (version == TLS1_3_VERSION)
        CHECK(SSL_CTX_set_ciphersuites(c, "TLS_AES_128_GCM_SHA256"));
    else
        CHECK(SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-AES128-GCM-SHA256"));
    if (release_buffers) {
        SSL_CTX_set_mode(s, SSL_MODE_RELEASE_BUFFERS);
        SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
    }
    *out_s = s;
    *out_c = c;
}

/* idle_pair: a pair in the idle state described above, on null_bio. */
static int idle_pair(SSL_CTX *sctx, SSL_CTX *cctx, SSL **out_c, SSL **out_s)
{
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    BIO *b1 = NULL, *b2 = NULL;
    if (c == NULL || s == NULL || !BIO_new_bio_pair(&b1, 0, &b2, 0)) {
        SSL_free(c);
        SSL_free(s);
        return 0;
    }
    SSL_set_bio(c, b1, b1);
    SSL_set_bio(s, b2, b2);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    unsigned char b;
    int ok = pair_handshake(c, s);
    int rc = SSL_read(c, &b, 1), rs = SSL_read(s, &b, 1);
    ok = ok && rc < 0 && SSL_get_error(c, rc) == SSL_ERROR_WANT_READ && rs < 0 &&
         SSL_get_error(s, rs) == SSL_ERROR_WANT_READ && SSL_pending(c) == 0 &&
         SSL_pending(s) == 0 && SSL_get_verify_result(c) == X509_V_OK;
    /* the BIO pair (two 17 KB buffers) goes: one reference to the shared
     * null BIO each, which SSL_set_bio takes over */
    BIO_up_ref(null_bio);
    SSL_set_bio(c, null_bio, null_bio);
    BIO_up_ref(null_bio);
    SSL_set_bio(s, null_bio, null_bio);
    if (!ok) {
        SSL_free(c);
        SSL_free(s);
        return 0;
    }
    *out_c = c;
    *out_s = s;
    return 1;
}

/* per_pair_heap: heap bytes per idle pair, NUM_PAIRS open at once. */
static long per_pair_heap(int version, int release_buffers)
{
    SSL_CTX *sctx, *cctx;
    SSL *pairs[2 * NUM_PAIRS];
    make_ctxs(version, release_buffers, &sctx, &cctx);
    /* warm-up: lazy initialisations, per-thread caches */
    for (int i = 0; i < 20; i++) {
        SSL *c, *s;
        if (!CHECK(idle_pair(sctx, cctx, &c, &s)))
            break;
        SSL_free(c);
        SSL_free(s);
    }
    long base = heap_now();
    int n = 0;
    for (; n < NUM_PAIRS; n++)
        if (!CHECK(idle_pair(sctx, cctx, &pairs[2 * n], &pairs[2 * n + 1])))
            break;
    long after = heap_now();
    for (int i = 0; i < 2 * n; i++)
        SSL_free(pairs[i]);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    return n == NUM_PAIRS ? (after - base) / n : -1;
}

static void test_idle_heap(void)
{
    if (!HEAP_MEASURABLE)
        SKIP("heap use is measured with glibc's mallinfo2, not under a sanitizer");
    static const struct {
        int version, release_buffers;
        long bound;
    } k[] = {
        {TLS1_3_VERSION, 0, BOUND_DEFAULT},
        {TLS1_3_VERSION, 1, BOUND_RELEASE_BUFFER},
        {TLS1_2_VERSION, 0, BOUND_DEFAULT},
        {TLS1_2_VERSION, 1, BOUND_RELEASE_BUFFER},
    };
    for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
        long per = per_pair_heap(k[i].version, k[i].release_buffers);
        fprintf(stderr, "  %s%s: %ld bytes per idle pair (bound %ld)\n",
                k[i].version == TLS1_3_VERSION ? "TLS 1.3" : "TLS 1.2",
                k[i].release_buffers ? ", SSL_MODE_RELEASE_BUFFERS" : "", per, k[i].bound);
        CHECK(per > 0 && per <= k[i].bound);
    }
}

/* idle_ok: one SSL of an idle pair holds no buffer and no handshake
 * state, shares its context's configuration block, and with
 * SSL_MODE_RELEASE_BUFFERS has no keyed cipher context. */
static int idle_ok(const SSL *x, int release_buffers)
{
    const struct rec_layer *rl = &x->rl;
    int ok = CHECK(rl->rbuf == NULL && rl->rbuf_len == 0 && rl->plain_len == 0);
    ok &= CHECK(rl->wbuf == NULL && rl->hbuf == NULL);
    ok &= CHECK(x->hs == NULL);
    ok &= CHECK(!cfg_shared_is_own(&x->cfg) && x->cfg.sh == x->ctx->cfg.sh);
    ok &= CHECK(rl->rd_on && rl->wr_on);
    if (release_buffers)
        ok &= CHECK(!rl->rd.keyed && !rl->wr.keyed);
    else
        ok &= CHECK(rl->rd.keyed && rl->wr.keyed);
    return ok;
}

static void test_idle_state(void)
{
    for (int v = 0; v < 2; v++) {
        for (int rb = 0; rb < 2; rb++) {
            SSL_CTX *sctx, *cctx;
            SSL *c, *s;
            make_ctxs(v ? TLS1_2_VERSION : TLS1_3_VERSION, rb, &sctx, &cctx);
            if (CHECK(idle_pair(sctx, cctx, &c, &s))) {
                if (!idle_ok(c, rb) || !idle_ok(s, rb))
                    fprintf(stderr, "  (TLS 1.%d, release buffers %d)\n", v ? 2 : 3, rb);
                SSL_free(c);
                SSL_free(s);
            }
            SSL_CTX_free(sctx);
            SSL_CTX_free(cctx);
        }
    }
}

static void test_config_copy_on_write(void)
{
    SSL_CTX *ctx = pair_server_ctx(&pki);
    REQUIRE(ctx != NULL);
    REQUIRE(SSL_CTX_set_ciphersuites(ctx, "TLS_AES_256_GCM_SHA384"));
    SSL *a = SSL_new(ctx), *b = SSL_new(ctx);
    REQUIRE(a != NULL && b != NULL);
    CHECK(a->cfg.sh == ctx->cfg.sh && b->cfg.sh == ctx->cfg.sh);

    /* a change to the context after SSL_new: the SSLs keep the old list */
    CHECK(SSL_CTX_set_ciphersuites(ctx, "TLS_CHACHA20_POLY1305_SHA256"));
    CHECK(a->cfg.sh != ctx->cfg.sh && a->cfg.sh == b->cfg.sh && !cfg_shared_is_own(&a->cfg));
    CHECK(strcmp(SSL_get_cipher_list(a, 0), "TLS_AES_256_GCM_SHA384") == 0);
    CHECK(strcmp(SSL_get_cipher_list(b, 0), "TLS_AES_256_GCM_SHA384") == 0);
    CHECK(strcmp(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(SSL_CTX_get_ciphers(ctx), 0)),
                 "TLS_CHACHA20_POLY1305_SHA256") == 0);

    /* a change to one SSL: neither its sibling nor the context sees it */
    CHECK(SSL_set_ciphersuites(a, "TLS_AES_128_GCM_SHA256"));
    CHECK(SSL_set1_groups_list(a, "P-384"));
    CHECK(strcmp(SSL_get_cipher_list(a, 0), "TLS_AES_128_GCM_SHA256") == 0);
    CHECK(strcmp(SSL_get_cipher_list(b, 0), "TLS_AES_256_GCM_SHA384") == 0);
    CHECK(a->cfg.sh->num_groups == 1 && b->cfg.sh->num_groups > 1 && ctx->cfg.sh->num_groups > 1);
    CHECK(cfg_shared_is_own(&a->cfg) && a->cfg.sh != b->cfg.sh);

    /* the same with the verify parameters, the certificate, ALPN, the
     * session id context */
    CHECK(SSL_set1_host(b, "b.example") == 1);
    CHECK(SSL_set_alpn_protos(b, (const unsigned char *)"\x02h2", 3) == 0);
    CHECK(SSL_set_session_id_context(b, (const unsigned char *)"bb", 2) == 1);
    CHECK(SSL_use_certificate(b, pki.ca) == 1); /* same slot (EC): replaces the leaf */
    CHECK(X509_VERIFY_PARAM_get0_host(SSL_get0_param(b), 0) != NULL);
    CHECK(X509_VERIFY_PARAM_get0_host(SSL_get0_param(a), 0) == NULL);
    CHECK(X509_VERIFY_PARAM_get0_host(SSL_CTX_get0_param(ctx), 0) == NULL);
    CHECK(b->cfg.sh->alpn_len == 3 && a->cfg.sh->alpn_len == 0 && ctx->cfg.sh->alpn_len == 0);
    CHECK(b->cfg.sh->sid_ctx_len == 2 && a->cfg.sh->sid_ctx_len == 0);
    CHECK(SSL_get_certificate(b) == pki.ca && SSL_get_certificate(a) == pki.leaf &&
          SSL_CTX_get0_certificate(ctx) == pki.leaf);

    /* SSL_CTX_get0_param handed out a pointer the application may write
     * through at any time: later SSLs get copies, and a write after their
     * SSL_new does not reach them */
    X509_VERIFY_PARAM *p = SSL_CTX_get0_param(ctx);
    REQUIRE(p != NULL);
    SSL *c = SSL_new(ctx);
    REQUIRE(c != NULL);
    CHECK(c->cfg.sh != ctx->cfg.sh && cfg_shared_is_own(&c->cfg));
    CHECK(X509_VERIFY_PARAM_set1_host(p, "late.example", 0) == 1);
    CHECK(X509_VERIFY_PARAM_get0_host(SSL_get0_param(c), 0) == NULL);
    SSL *d = SSL_new(ctx);
    REQUIRE(d != NULL);
    CHECK(X509_VERIFY_PARAM_get0_host(SSL_get0_param(d), 0) != NULL);

    /* freeing the context first: the SSLs keep their blocks */
    SSL_CTX_free(ctx);
    CHECK(strcmp(SSL_get_cipher_list(b, 0), "TLS_AES_256_GCM_SHA384") == 0);
    SSL_free(a);
    SSL_free(b);
    SSL_free(c);
    SSL_free(d);
}

static void test_mode_release_buffers(void)
{
    /* OpenSSL 3.0 (checked with the system libssl): the default mode is
     * SSL_MODE_AUTO_RETRY (4); SSL_CTX_set_mode returns the new mode (0x14),
     * SSL_new copies it, SSL_clear_mode removes it. */
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    REQUIRE(ctx != NULL);
    CHECK_EQ_INT(SSL_CTX_get_mode(ctx), SSL_MODE_AUTO_RETRY);
    CHECK_EQ_INT(SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS), 0x14);
    CHECK_EQ_INT(SSL_CTX_get_mode(ctx), 0x14);
    SSL *s = SSL_new(ctx);
    REQUIRE(s != NULL);
    CHECK_EQ_INT(SSL_get_mode(s), 0x14);
    CHECK_EQ_INT(SSL_clear_mode(s, SSL_MODE_RELEASE_BUFFERS), SSL_MODE_AUTO_RETRY);
    CHECK_EQ_INT(SSL_get_mode(s), SSL_MODE_AUTO_RETRY);
    CHECK_EQ_INT(SSL_CTX_get_mode(ctx), 0x14);
    CHECK_EQ_INT(SSL_set_mode(s, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE), 0x15);
    SSL_free(s);
    SSL_CTX_free(ctx);
}

TEST_MAIN({
    pair_pki_init(&pki);
    null_bio = BIO_new(BIO_s_null());
    if (null_bio == NULL || pki.leaf == NULL) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    RUN_ALONE(test_idle_heap); /* ctest-alone: test_idle_heap */
    RUN(test_idle_state);
    RUN(test_config_copy_on_write);
    RUN(test_mode_release_buffers);
    BIO_free(null_bio);
    pair_pki_free(&pki);
})

/* unit.sessions_guide: what docs/sessions.md tells application developers and no other
 * test pins down, each in TLS 1.3 and in TLS 1.2, through the public API only:
 *  - a client's new-session callback is called only when its SSL_CTX's cache mode has
 *    SSL_SESS_CACHE_CLIENT (the default mode is server-only);
 *  - a client never looks into its own cache: it resumes only what SSL_set_session gives it;
 *    SSL_SESS_CACHE_NO_INTERNAL_STORE keeps the callback and leaves the cache empty;
 *  - a connection freed without SSL_shutdown spoils its current session, which is the one the
 *    callback handed out last, even though the application holds a reference to it (S10);
 *    TLS 1.3 tickets received before the last one stay good; i2d/d2i do not carry that mark
 *    (so an application checks SSL_SESSION_is_resumable before it saves a session);
 *  - SSL_set_session takes a reference of its own: the caller may free its one at once;
 *  - TLS 1.3: a session that resumed a connection is no longer resumable once that connection
 *    has read a fresh ticket (S9); TLS 1.2: a session resumes again and again;
 *  - ALPN is not a boundary of resumption: a session made under one protocol resumes in a
 *    connection that negotiates another. */
#include "testutil.h"

#include "pair.h"

static TEST_PKI pki;

/* What the client's new-session callback handed out, in order (each one reference). */
#define MAX_KEPT 8
static SSL_SESSION *kept[MAX_KEPT];
static int nkept;

static int keep_cb(SSL *ssl, SSL_SESSION *sess)
{
    (void)ssl;
    if (nkept == MAX_KEPT)
        return 0;
    kept[nkept++] = sess;
    return 1;
}

static void kept_reset(void)
{
    for (int i = 0; i < nkept; i++)
        SSL_SESSION_free(kept[i]);
    nkept = 0;
}

/* Sessions a full handshake hands out: two tickets (TLS 1.3), one session (TLS 1.2). */
static int per_conn(int version)
{
    return version == TLS1_3_VERSION ? 2 : 1;
}

static int set_version(SSL_CTX *ctx, int version)
{
    return SSL_CTX_set_min_proto_version(ctx, version) &&
           SSL_CTX_set_max_proto_version(ctx, version);
}

/* The server selects the first protocol the client offers. */
static int alpn_first(SSL *s, const unsigned char **out, unsigned char *outlen,
                      const unsigned char *in, unsigned int inlen, void *arg)
{
    (void)s;
    (void)arg;
    if (inlen < 2 || in[0] == 0 || in[0] > inlen - 1)
        return SSL_TLSEXT_ERR_NOACK;
    *out = in + 1;
    *outlen = in[0];
    return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *server(int version)
{
    SSL_CTX *ctx = pair_server_ctx(&pki);
    static const unsigned char sid_ctx[] = "sessions guide";
    if (ctx == NULL || !set_version(ctx, version) ||
        !SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1)) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_alpn_select_cb(ctx, alpn_first, NULL);
    return ctx;
}

/* A client with the callback; mode < 0 leaves the default cache mode. */
static SSL_CTX *client(int version, int mode)
{
    SSL_CTX *ctx = pair_client_ctx(&pki);
    if (ctx == NULL || !set_version(ctx, version)) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (mode >= 0)
        SSL_CTX_set_session_cache_mode(ctx, mode);
    SSL_CTX_sess_set_new_cb(ctx, keep_cb);
    return ctx;
}

struct conn_opts {
    SSL_SESSION *offer;      /* SSL_set_session, or NULL */
    int free_offer;          /* SSL_SESSION_free(offer) right after SSL_set_session */
    int unclean;             /* SSL_free without SSL_shutdown */
    const char *alpn;        /* one protocol to offer, or NULL */
    char alpn_got[2][32];    /* out: what client and server negotiated */
    SSL_SESSION *client_cur; /* out: SSL_get0_session(c) after the round trip (no reference) */
};

/* One connection: handshake, a round trip (the client reads the tickets), then both ends
 * shut down properly, or not at all. Returns SSL_session_reused (agreed by both ends), -1 if
 * the connection failed or the ends disagree. */
static int connect_once(SSL_CTX *cctx, SSL_CTX *sctx, struct conn_opts *o)
{
    SSL *c, *s;
    if (!pair_new(cctx, sctx, &c, &s))
        return -1;
    int ok = 1;
    if (o->offer != NULL) {
        ok = SSL_set_session(c, o->offer) == 1;
        if (o->free_offer) {
            SSL_SESSION_free(o->offer);
            o->offer = NULL;
        }
    }
    if (ok && o->alpn != NULL) {
        unsigned char wire[32];
        size_t n = strlen(o->alpn);
        wire[0] = (unsigned char)n;
        memcpy(wire + 1, o->alpn, n);
        ok = SSL_set_alpn_protos(c, wire, (unsigned)n + 1) == 0;
    }
    ok = ok && pair_handshake(c, s) && pair_roundtrip(c, s, "guide");
    int reused = ok && SSL_session_reused(c) == SSL_session_reused(s) ? SSL_session_reused(c) : -1;
    for (int i = 0; i < 2; i++) {
        const unsigned char *p = NULL;
        unsigned int len = 0;
        SSL_get0_alpn_selected(i == 0 ? c : s, &p, &len);
        snprintf(o->alpn_got[i], sizeof(o->alpn_got[i]), "%.*s", (int)len,
                 p ? (const char *)p : "");
    }
    o->client_cur = SSL_get0_session(c);
    if (ok && !o->unclean) {
        ok = SSL_shutdown(c) >= 0 && SSL_shutdown(s) >= 0 && SSL_shutdown(c) == 1;
        if (!ok)
            reused = -1;
    }
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    return reused;
}

/* ---- the callback and the cache mode ---- */

static void callback_needs_cache_client(int version)
{
    SSL_CTX *sctx = server(version);
    SSL_CTX *dflt = client(version, -1);
    SSL_CTX *cli = client(version, SSL_SESS_CACHE_CLIENT);
    REQUIRE(sctx && dflt && cli);
    CHECK_EQ_INT(SSL_CTX_get_session_cache_mode(dflt), SSL_SESS_CACHE_SERVER);
    struct conn_opts o = {0};
    CHECK_EQ_INT(connect_once(dflt, sctx, &o), 0);
    CHECK_EQ_INT(nkept, 0); /* default mode: the callback is never called */
    /* the connection still had a resumable session (SSL_get0_session after the reads) */
    SSL *c, *s;
    REQUIRE(pair_new(dflt, sctx, &c, &s));
    CHECK(pair_handshake(c, s) && pair_roundtrip(c, s, "x"));
    SSL_SESSION *got = SSL_get1_session(c);
    CHECK(got != NULL && SSL_SESSION_is_resumable(got));
    CHECK(SSL_shutdown(c) >= 0 && SSL_shutdown(s) >= 0 && SSL_shutdown(c) == 1);
    SSL_free(c);
    SSL_free(s);
    CHECK_EQ_INT(nkept, 0);
    struct conn_opts r = {.offer = got};
    CHECK_EQ_INT(connect_once(dflt, sctx, &r), 1);
    SSL_SESSION_free(got);

    memset(&o, 0, sizeof(o));
    CHECK_EQ_INT(connect_once(cli, sctx, &o), 0);
    CHECK_EQ_INT(nkept, per_conn(version));
    for (int i = 0; i < nkept; i++)
        CHECK(SSL_SESSION_is_resumable(kept[i]));
    kept_reset();
    SSL_CTX_free(sctx);
    SSL_CTX_free(dflt);
    SSL_CTX_free(cli);
}

static void test_callback_needs_cache_client_tls13(void)
{
    callback_needs_cache_client(TLS1_3_VERSION);
}

static void test_callback_needs_cache_client_tls12(void)
{
    callback_needs_cache_client(TLS1_2_VERSION);
}

/* A client stores sessions in its cache (without NO_INTERNAL_STORE) but never offers them on
 * its own; with NO_INTERNAL_STORE the cache stays empty and the callback still runs. */
static void client_cache_not_looked_up(int version)
{
    SSL_CTX *sctx = server(version);
    SSL_CTX *store = client(version, SSL_SESS_CACHE_CLIENT);
    SSL_CTX *nostore = client(version, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    REQUIRE(sctx && store && nostore);
    struct conn_opts o = {0};
    CHECK_EQ_INT(connect_once(store, sctx, &o), 0);
    CHECK_EQ_INT(SSL_CTX_sess_number(store), per_conn(version));
    CHECK_EQ_INT(nkept, per_conn(version));
    memset(&o, 0, sizeof(o));
    CHECK_EQ_INT(connect_once(store, sctx, &o), 0); /* nothing offered: a full handshake */
    kept_reset();

    memset(&o, 0, sizeof(o));
    CHECK_EQ_INT(connect_once(nostore, sctx, &o), 0);
    CHECK_EQ_INT(SSL_CTX_sess_number(nostore), 0);
    CHECK_EQ_INT(nkept, per_conn(version));
    kept_reset();
    SSL_CTX_free(sctx);
    SSL_CTX_free(store);
    SSL_CTX_free(nostore);
}

static void test_client_cache_not_looked_up_tls13(void)
{
    client_cache_not_looked_up(TLS1_3_VERSION);
}

static void test_client_cache_not_looked_up_tls12(void)
{
    client_cache_not_looked_up(TLS1_2_VERSION);
}

/* ---- S10 from the application's side ---- */

static void unclean_free_spoils_kept_session(int version)
{
    SSL_CTX *sctx = server(version);
    SSL_CTX *cctx = client(version, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    REQUIRE(sctx && cctx);
    int n = per_conn(version);

    /* properly shut down: every session handed out stays good */
    struct conn_opts o = {0};
    CHECK_EQ_INT(connect_once(cctx, sctx, &o), 0);
    REQUIRE(nkept == n);
    CHECK(o.client_cur == kept[n - 1]); /* the connection's session is the last one handed out */
    for (int i = 0; i < n; i++)
        CHECK(SSL_SESSION_is_resumable(kept[i]));
    SSL_SESSION *good = kept[n - 1];
    kept[n - 1] = NULL;
    kept_reset();

    /* freed without SSL_shutdown: the last session is spoiled, the application's reference
     * notwithstanding; offering it gives a full handshake, not a failure */
    memset(&o, 0, sizeof(o));
    o.unclean = 1;
    CHECK_EQ_INT(connect_once(cctx, sctx, &o), 0);
    REQUIRE(nkept == n);
    CHECK(o.client_cur == kept[n - 1]);
    CHECK(!SSL_SESSION_is_resumable(kept[n - 1]));
    for (int i = 0; i < n - 1; i++) /* TLS 1.3: the earlier ticket is still good */
        CHECK(SSL_SESSION_is_resumable(kept[i]));
    SSL_SESSION *spoiled = kept[n - 1], *earlier = n > 1 ? kept[0] : NULL;
    kept[n - 1] = NULL;
    kept[0] = n > 1 ? NULL : kept[0];
    kept_reset();
    struct conn_opts r = {.offer = spoiled};
    CHECK_EQ_INT(connect_once(cctx, sctx, &r), 0);
    kept_reset();
    /* i2d writes it all the same, and what d2i reads back does not remember the spoiling:
     * an application checks SSL_SESSION_is_resumable before it saves a session */
    unsigned char *der = NULL;
    int der_len = i2d_SSL_SESSION(spoiled, &der);
    CHECK(der_len > 0);
    const unsigned char *p = der;
    SSL_SESSION *back = der_len > 0 ? d2i_SSL_SESSION(NULL, &p, der_len) : NULL;
    CHECK(back != NULL && SSL_SESSION_is_resumable(back));
    SSL_SESSION_free(back);
    OPENSSL_free(der);
    if (earlier != NULL) {
        struct conn_opts e = {.offer = earlier};
        CHECK_EQ_INT(connect_once(cctx, sctx, &e), 1);
        kept_reset();
    }
    struct conn_opts g = {.offer = good};
    CHECK_EQ_INT(connect_once(cctx, sctx, &g), 1);
    kept_reset();
    SSL_SESSION_free(good);
    SSL_SESSION_free(spoiled);
    SSL_SESSION_free(earlier);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_unclean_free_spoils_kept_session_tls13(void)
{
    unclean_free_spoils_kept_session(TLS1_3_VERSION);
}

static void test_unclean_free_spoils_kept_session_tls12(void)
{
    unclean_free_spoils_kept_session(TLS1_2_VERSION);
}

/* ---- SSL_set_session's reference ---- */

static void set_session_takes_its_reference(int version)
{
    SSL_CTX *sctx = server(version);
    SSL_CTX *cctx = client(version, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    REQUIRE(sctx && cctx);
    struct conn_opts o = {0};
    CHECK_EQ_INT(connect_once(cctx, sctx, &o), 0);
    REQUIRE(nkept > 0);
    SSL_SESSION *sess = kept[nkept - 1];
    kept[nkept - 1] = NULL;
    kept_reset();
    /* the application gives its only reference back right after SSL_set_session: the
     * connection keeps the session alive (ASan would see a use after free otherwise) */
    struct conn_opts r = {.offer = sess, .free_offer = 1};
    CHECK_EQ_INT(connect_once(cctx, sctx, &r), 1);
    kept_reset();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_set_session_takes_its_reference_tls13(void)
{
    set_session_takes_its_reference(TLS1_3_VERSION);
}

static void test_set_session_takes_its_reference_tls12(void)
{
    set_session_takes_its_reference(TLS1_2_VERSION);
}

/* ---- single use (TLS 1.3) and reuse (TLS 1.2) ---- */

/* TLS 1.3: once the resumed connection has read a fresh ticket, the session it resumed with
 * is no longer resumable (S9). TLS 1.2: a session resumes again and again. */
static void used_session(int version)
{
    SSL_CTX *sctx = server(version);
    SSL_CTX *cctx = client(version, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    REQUIRE(sctx && cctx);
    struct conn_opts o = {0};
    CHECK_EQ_INT(connect_once(cctx, sctx, &o), 0);
    REQUIRE(nkept > 0);
    SSL_SESSION *sess = kept[nkept - 1];
    kept[nkept - 1] = NULL;
    kept_reset();
    for (int i = 0; i < 3; i++) {
        struct conn_opts r = {.offer = sess};
        int want = version == TLS1_3_VERSION && i > 0 ? 0 : 1;
        CHECK_EQ_INT(connect_once(cctx, sctx, &r), want);
        if (version == TLS1_3_VERSION) {
            CHECK_EQ_INT(nkept, i == 0 ? 1 : 2); /* one fresh ticket after a resumption */
            CHECK(!SSL_SESSION_is_resumable(sess));
        } else {
            CHECK_EQ_INT(nkept, 0); /* nothing new: the same session stays the one to use */
            CHECK(SSL_SESSION_is_resumable(sess));
        }
        kept_reset();
    }
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_used_session_tls13(void)
{
    used_session(TLS1_3_VERSION);
}

static void test_used_session_tls12(void)
{
    used_session(TLS1_2_VERSION);
}

/* ---- ALPN ---- */

static void alpn_not_a_boundary(int version)
{
    SSL_CTX *sctx = server(version);
    SSL_CTX *cctx = client(version, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    REQUIRE(sctx && cctx);
    struct conn_opts o = {.alpn = "h2"};
    CHECK_EQ_INT(connect_once(cctx, sctx, &o), 0);
    CHECK(strcmp(o.alpn_got[0], "h2") == 0 && strcmp(o.alpn_got[1], "h2") == 0);
    REQUIRE(nkept > 0);
    SSL_SESSION *sess = kept[nkept - 1];
    kept[nkept - 1] = NULL;
    kept_reset();
    struct conn_opts r = {.offer = sess, .alpn = "http/1.1"};
    CHECK_EQ_INT(connect_once(cctx, sctx, &r), 1);
    CHECK(strcmp(r.alpn_got[0], "http/1.1") == 0 && strcmp(r.alpn_got[1], "http/1.1") == 0);
    kept_reset();
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_alpn_not_a_boundary_tls13(void)
{
    alpn_not_a_boundary(TLS1_3_VERSION);
}

static void test_alpn_not_a_boundary_tls12(void)
{
    alpn_not_a_boundary(TLS1_2_VERSION);
}

TEST_MAIN({
    pair_pki_init(&pki);
    RUN(test_callback_needs_cache_client_tls13);
    RUN(test_callback_needs_cache_client_tls12);
    RUN(test_client_cache_not_looked_up_tls13);
    RUN(test_client_cache_not_looked_up_tls12);
    RUN(test_unclean_free_spoils_kept_session_tls13);
    RUN(test_unclean_free_spoils_kept_session_tls12);
    RUN(test_set_session_takes_its_reference_tls13);
    RUN(test_set_session_takes_its_reference_tls12);
    RUN(test_used_session_tls13);
    RUN(test_used_session_tls12);
    RUN(test_alpn_not_a_boundary_tls13);
    RUN(test_alpn_not_a_boundary_tls12);
    kept_reset();
    pair_pki_free(&pki);
})

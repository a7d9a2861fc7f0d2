/* The per-SSL_CTX session cache (contract S8, S11, S12, S13) + a thread
 * stress that must be clean under -fsanitize=thread. */
#include "test_session_util.h"

static long ctrl(SSL_CTX *ctx, int cmd, long larg)
{
    long r = -1;
    if (!sess_ctx_ctrl(ctx, cmd, larg, NULL, &r))
        return -999;
    return r;
}

static int removed;
static SSL_SESSION *last_removed;
static void on_remove(SSL_CTX *ctx, SSL_SESSION *s)
{
    (void)ctx;
    removed++;
    last_removed = s;
}

static void test_defaults_and_ctrl(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_GET_SESS_CACHE_SIZE, 0), SSL_SESSION_CACHE_MAX_SIZE_DEFAULT);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_GET_SESS_CACHE_MODE, 0), SSL_SESS_CACHE_SERVER);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SET_SESS_CACHE_SIZE, 5), SSL_SESSION_CACHE_MAX_SIZE_DEFAULT);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SET_SESS_CACHE_SIZE, -1), 0);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_GET_SESS_CACHE_SIZE, 0), 5);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SET_SESS_CACHE_MODE, SSL_SESS_CACHE_BOTH),
                 SSL_SESS_CACHE_SERVER);
    CHECK_EQ_INT(SSL_CTX_get_timeout(ctx), 7200);
    CHECK_EQ_INT(SSL_CTX_set_timeout(ctx, 10), 7200);
    CHECK_EQ_INT(SSL_CTX_get_timeout(ctx), 10);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_CONNECT_RENEGOTIATE, 0), 0);
    sess_count(ctx, SESS_CNT_ACCEPT);
    sess_count(ctx, SESS_CNT_ACCEPT_GOOD);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_ACCEPT, 0), 1);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_ACCEPT_GOOD, 0), 1);
    long r;
    CHECK(!sess_ctx_ctrl(ctx, SSL_CTRL_MODE, 0, NULL, &r));
    tu_ctx_free(ctx);
}

static void test_lru_eviction_at_cap(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    SSL_CTX_sess_set_remove_cb(ctx, on_remove);
    (void)ctrl(ctx, SSL_CTRL_SET_SESS_CACHE_SIZE, 3);
    SSL_SESSION *s[5];
    for (int i = 0; i < 5; i++)
        s[i] = tu_sess((uint8_t)(10 + i));
    removed = 0;
    CHECK(SSL_CTX_add_session(ctx, s[0]) == 1);
    CHECK(SSL_CTX_add_session(ctx, s[1]) == 1);
    CHECK(SSL_CTX_add_session(ctx, s[2]) == 1);
    /* touch s[0] so that s[1] is the least recently used */
    SSL *ssl = tu_ssl_new(ctx, 1);
    ssl->version = TLS1_3_VERSION;
    SSL_SESSION *hit = sess_cache_lookup(ssl, s[0]->session_id, 32);
    CHECK(hit == s[0]);
    SSL_SESSION_free(hit);
    CHECK(SSL_CTX_add_session(ctx, s[3]) == 1);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_NUMBER, 0), 3);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_CACHE_FULL, 0), 1);
    CHECK_EQ_INT(removed, 1);
    CHECK(last_removed == s[1]);
    CHECK(!SSL_has_matching_session_id(ssl, s[1]->session_id, 32));
    CHECK(SSL_has_matching_session_id(ssl, s[0]->session_id, 32));
    /* adding the same object again: 0, no change */
    CHECK(SSL_CTX_add_session(ctx, s[0]) == 0);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_NUMBER, 0), 3);
    /* same id, other object: replaces */
    SSL_SESSION *twin = SSL_SESSION_dup(s[0]);
    CHECK(SSL_CTX_add_session(ctx, twin) == 1);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_NUMBER, 0), 3);
    CHECK(s[0]->owner == NULL && twin->owner == &ctx->cache);
    CHECK(SSL_CTX_remove_session(ctx, twin) == 1);
    CHECK(SSL_CTX_remove_session(ctx, twin) == 0);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_NUMBER, 0), 2);
    SSL_SESSION_free(twin);
    tu_ssl_free(ssl);
    tu_ctx_free(ctx);
    for (int i = 0; i < 5; i++)
        SSL_SESSION_free(s[i]);
}

static void test_S11_flush_timeout_remove_cb(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    SSL_CTX_sess_set_remove_cb(ctx, on_remove);
    SSL_SESSION *a = tu_sess(20), *b = tu_sess(21);
    CHECK(SSL_SESSION_set_timeout(a, 1));
    CHECK(SSL_CTX_add_session(ctx, a) == 1 && SSL_CTX_add_session(ctx, b) == 1);
    removed = 0;
    long now = (long)(tu_clock() / 1000);
    SSL_CTX_flush_sessions(ctx, now + 1); /* not yet: time+1 == tm */
    CHECK_EQ_INT(removed, 0);
    SSL_CTX_flush_sessions(ctx, now + 2);
    CHECK_EQ_INT(removed, 1);
    CHECK(last_removed == a);
    CHECK(!SSL_SESSION_is_resumable(a));
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_NUMBER, 0), 1);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_TIMEOUTS, 0), 0); /* flush does not count */
    SSL *ssl = tu_ssl_new(ctx, 1);
    CHECK(sess_cache_lookup(ssl, a->session_id, 32) == NULL);
    /* expiry seen by a lookup: removed, timeouts++ */
    CHECK(SSL_SESSION_set_timeout(b, 1));
    atomic_fetch_add(&tu_now, 5000);
    CHECK(sess_cache_lookup(ssl, b->session_id, 32) == NULL);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_TIMEOUTS, 0), 1);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_NUMBER, 0), 0);
    tu_ssl_free(ssl);
    SSL_SESSION_free(a);
    SSL_SESSION_free(b);
    tu_ctx_free(ctx);
}

static void test_S12_get1_survives_flush(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    SSL *ssl = tu_ssl_new(ctx, 1);
    SSL_SESSION *a = tu_sess(30);
    CHECK(SSL_CTX_add_session(ctx, a) == 1);
    CHECK(SSL_set_session(ssl, a));
    SSL_SESSION_free(a);
    SSL_SESSION *mine = SSL_get1_session(ssl);
    tu_ssl_free(ssl);
    SSL_CTX_flush_sessions(ctx, 0);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_NUMBER, 0), 0);
    CHECK_EQ_INT(tu_refs(mine), 1);
    CHECK(SSL_SESSION_get_protocol_version(mine) == TLS1_3_VERSION);
    SSL_SESSION_free(mine);
    tu_ctx_free(ctx);
}

static void test_S13_two_ctx(void)
{
    SSL_CTX *c1 = tu_ctx_new(), *c2 = tu_ctx_new();
    SSL_SESSION *a = tu_sess(40);
    CHECK(SSL_CTX_add_session(c1, a) == 1);
    /* refused: a session belongs to one cache; neither cache changes */
    CHECK(SSL_CTX_add_session(c2, a) == 0);
    CHECK(ERR_get_error() != 0);
    CHECK_EQ_INT(ctrl(c1, SSL_CTRL_SESS_NUMBER, 0), 1);
    CHECK_EQ_INT(ctrl(c2, SSL_CTRL_SESS_NUMBER, 0), 0);
    CHECK(SSL_CTX_remove_session(c2, a) == 0);
    /* a dup can go to the second cache */
    SSL_SESSION *d = SSL_SESSION_dup(a);
    d->not_resumable = 0;
    CHECK(SSL_CTX_add_session(c2, d) == 1);
    CHECK(SSL_CTX_remove_session(c1, a) == 1);
    /* once out of c1, a can join c2 (replacing d, same id) */
    CHECK(SSL_CTX_add_session(c2, a) == 1);
    CHECK_EQ_INT(ctrl(c2, SSL_CTRL_SESS_NUMBER, 0), 1);
    tu_ctx_free(c1);
    tu_ctx_free(c2);
    CHECK_EQ_INT(tu_refs(a), 1);
    SSL_SESSION_free(a);
    SSL_SESSION_free(d);
}

static SSL_SESSION *ext_sess;
static int ext_copy;
static SSL_SESSION *get_cb(SSL *s, const unsigned char *id, int len, int *copy)
{
    (void)s;
    if (ext_sess == NULL || len != 32 || memcmp(id, ext_sess->session_id, 32) != 0)
        return NULL;
    *copy = ext_copy;
    if (!ext_copy)
        SSL_SESSION_up_ref(ext_sess); /* we hand over a reference */
    return ext_sess;
}

static void test_get_cb_copy_semantics(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    SSL_CTX_sess_set_get_cb(ctx, get_cb);
    CHECK(SSL_CTX_sess_get_get_cb(ctx) == get_cb);
    SSL *ssl = tu_ssl_new(ctx, 1);
    ext_sess = tu_sess(50);
    for (ext_copy = 1; ext_copy >= 0; ext_copy--) {
        ctx->session_cache_mode = SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL_STORE;
        SSL_SESSION *r = sess_cache_lookup(ssl, ext_sess->session_id, 32);
        CHECK(r == ext_sess);
        CHECK_EQ_INT(tu_refs(ext_sess), 2);
        SSL_SESSION_free(r);
        CHECK_EQ_INT(tu_refs(ext_sess), 1);
    }
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_CB_HIT, 0), 2);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_MISSES, 0), 2);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_HIT, 0), 2);
    /* with internal store: cached after the callback */
    ctx->session_cache_mode = SSL_SESS_CACHE_SERVER;
    ext_copy = 1;
    SSL_SESSION *r = sess_cache_lookup(ssl, ext_sess->session_id, 32);
    CHECK(r == ext_sess);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_NUMBER, 0), 1);
    SSL_SESSION_free(r);
    /* other sid_ctx: not resumable here */
    tu_set_sid_ctx(ssl, "abc");
    CHECK(sess_cache_lookup(ssl, ext_sess->session_id, 32) == NULL);
    /* NO_INTERNAL_LOOKUP: the callback is asked even though it is cached */
    tu_set_sid_ctx(ssl, "");
    ctx->session_cache_mode = SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL_LOOKUP;
    long before = ctrl(ctx, SSL_CTRL_SESS_CB_HIT, 0);
    r = sess_cache_lookup(ssl, ext_sess->session_id, 32);
    CHECK(r == ext_sess);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_CB_HIT, 0), before + 1);
    SSL_SESSION_free(r);
    tu_ssl_free(ssl);
    tu_ctx_free(ctx);
    CHECK_EQ_INT(tu_refs(ext_sess), 1);
    SSL_SESSION_free(ext_sess);
    ext_sess = NULL;
}

static int new_cb_calls, new_cb_keep;
static SSL_SESSION *kept;
static int new_cb(SSL *s, SSL_SESSION *sess)
{
    (void)s;
    new_cb_calls++;
    if (new_cb_keep)
        kept = sess;
    return new_cb_keep;
}

static void test_S8_new_cb_refcount_rule(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    SSL_CTX_sess_set_new_cb(ctx, new_cb);
    CHECK(SSL_CTX_sess_get_new_cb(ctx) == new_cb);
    ctx->session_cache_mode = SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE;
    SSL *cl = tu_ssl_new(ctx, 0);
    SSL_SESSION *a = tu_sess(60);
    new_cb_keep = 0;
    CHECK(sess_cache_add_new(cl, a));
    CHECK_EQ_INT(new_cb_calls, 1);
    CHECK_EQ_INT(tu_refs(a), 1); /* returned 0: reference dropped */
    new_cb_keep = 1;
    CHECK(sess_cache_add_new(cl, a));
    CHECK_EQ_INT(new_cb_calls, 2);
    CHECK(kept == a);
    CHECK_EQ_INT(tu_refs(a), 2); /* returned 1: the app holds one */
    SSL_SESSION_free(kept);
    /* server mode not enabled on the client side: no callback */
    SSL *sv = tu_ssl_new(ctx, 1);
    CHECK(sess_cache_add_new(sv, a));
    CHECK_EQ_INT(new_cb_calls, 2);
    /* client with internal store */
    ctx->session_cache_mode = SSL_SESS_CACHE_CLIENT;
    new_cb_keep = 0;
    CHECK(sess_cache_add_new(cl, a));
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_NUMBER, 0), 1);
    CHECK_EQ_INT(tu_refs(a), 2); /* the cache's */
    tu_ssl_free(cl);
    tu_ssl_free(sv);
    tu_ctx_free(ctx);
    CHECK_EQ_INT(tu_refs(a), 1);
    SSL_SESSION_free(a);
}

static void test_auto_flush(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    SSL_SESSION *a = tu_sess(70);
    CHECK(SSL_SESSION_set_timeout(a, 1));
    CHECK(SSL_CTX_add_session(ctx, a) == 1);
    atomic_fetch_add(&tu_now, 10000);
    for (int i = 0; i < 254; i++)
        sess_cache_note_handshake(ctx);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_NUMBER, 0), 1);
    sess_cache_note_handshake(ctx);
    CHECK_EQ_INT(ctrl(ctx, SSL_CTRL_SESS_NUMBER, 0), 0);
    SSL_SESSION_free(a);
    tu_ctx_free(ctx);
}

/* ---- stress ---- */

#define THREADS    8
#define PER_THREAD 3000
static SSL_CTX *stress_ctx;

static void *stress(void *arg)
{
    int t = (int)(intptr_t)arg;
    SSL *ssl = tu_ssl_new(stress_ctx, 1);
    ssl->version = TLS1_3_VERSION;
    for (int i = 0; i < PER_THREAD; i++) {
        SSL_SESSION *s = tu_sess(0);
        s->session_id[0] = (uint8_t)t;
        memcpy(s->session_id + 1, &i, sizeof(i));
        if (SSL_CTX_add_session(stress_ctx, s) != 1)
            abort();
        SSL_SESSION *r = sess_cache_lookup(ssl, s->session_id, 32);
        SSL_SESSION_free(r);
        if (i % 3 == 0)
            (void)SSL_CTX_remove_session(stress_ctx, s);
        /* other threads' entries */
        uint8_t id[32];
        memcpy(id, s->session_id, 32);
        id[0] = (uint8_t)((t + 1) % THREADS);
        r = sess_cache_lookup(ssl, id, 32);
        SSL_SESSION_free(r);
        if (i % 500 == 0)
            SSL_CTX_flush_sessions(stress_ctx, 1);
        SSL_SESSION_free(s);
    }
    cfg_free(&ssl->cfg);
    free(ssl);
    return NULL;
}

static void test_thread_stress(void)
{
    stress_ctx = tu_ctx_new();
    (void)ctrl(stress_ctx, SSL_CTRL_SET_SESS_CACHE_SIZE, 1000);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, stress, (void *)(intptr_t)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    long n = ctrl(stress_ctx, SSL_CTRL_SESS_NUMBER, 0);
    CHECK(n > 0 && n <= 1000);
    CHECK(ctrl(stress_ctx, SSL_CTRL_SESS_CACHE_FULL, 0) > 0);
    tu_ctx_free(stress_ctx);
}

TEST_MAIN({
    sesame_set_clock_for_test(tu_clock);
    RUN(test_defaults_and_ctrl);
    RUN(test_lru_eviction_at_cap);
    RUN(test_S11_flush_timeout_remove_cb);
    RUN(test_S12_get1_survives_flush);
    RUN(test_S13_two_ctx);
    RUN(test_get_cb_copy_semantics);
    RUN(test_S8_new_cb_refcount_rule);
    RUN(test_auto_flush);
    RUN(test_thread_stress);
})

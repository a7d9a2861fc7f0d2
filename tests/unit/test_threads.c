/* test_threads.c - 8 threads x N handshakes on ONE server SSL_CTX and ONE
 * client SSL_CTX (session contract, S8/S9 under concurrency).
 *
 * Each thread alternates a full handshake and a resumption with the newest
 * session its new-session callback received (the callback is shared by all
 * threads; it finds its thread through SSL_get_app_data).  Connections come in
 * pairs (full, resumed); for half of the pairs the server SSL gets
 * SSL_OP_NO_TICKET, so its tickets are stateful: cached in the shared server
 * cache and single-use (sess_cache_take), the other half are stateless sealed
 * tickets.  A janitor thread meanwhile flushes the server cache
 * (SSL_CTX_flush_sessions with the current time: nothing is expired, so
 * nothing may go) and reads the counters.
 *
 * Checked: every handshake succeeds, every intended resumption resumes (on
 * both sides), the client's new-session callback fired for every ticket, the
 * counters add up, and the server cache holds exactly the stateful sessions
 * not yet used.  N = 2000 by default; SESAME_THREADS_N overrides it (the
 * sanitizer builds in CI use a smaller N). */
#include "testutil.h"

#include "pair.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define NTHREADS 8

static TEST_PKI pki;
static SSL_CTX *sctx, *cctx;
static atomic_int workers_done;

struct worker {
    pthread_t tid;
    int id;
    long n;
    SSL_SESSION *latest; /* newest session from the new-session callback */
    /* results */
    long handshakes, hs_failed, data_failed;
    long full, resume_attempts, resumed, resume_missed, side_mismatch;
    long stateful_resumed, stateless_resumed;
    long cb_sessions, not_resumable_in_cb, no_session;
    long expect_cached;  /* stateful sessions this thread left in the server cache */
    long expect_tickets; /* tickets this thread's connections received */
};

static int new_cb(SSL *ssl, SSL_SESSION *sess)
{
    struct worker *w = SSL_get_app_data(ssl);
    if (w == NULL)
        return 0;
    w->cb_sessions++;
    if (!SSL_SESSION_is_resumable(sess))
        w->not_resumable_in_cb++;
    SSL_SESSION_free(w->latest);
    w->latest = sess; /* returning 1: the reference is ours */
    return 1;
}

/* one_conn: one connection; returns 1 if the handshake and a round trip
 * worked; *reused = SSL_session_reused on the client. */
static int one_conn(struct worker *w, SSL_SESSION *offer, int stateful, int *reused)
{
    SSL *c, *s;
    char b[16];
    int ok = 0;
    *reused = 0;
    if (!pair_new(cctx, sctx, &c, &s))
        return 0;
    SSL_set_app_data(c, w);
    if (stateful)
        SSL_set_options(s, SSL_OP_NO_TICKET);
    if (offer != NULL && SSL_set_session(c, offer) != 1)
        goto out;
    if (!pair_handshake(c, s)) {
        w->hs_failed++;
        goto out;
    }
    if (!pair_roundtrip(c, s, "ping")) { /* the client reads the tickets first */
        w->data_failed++;
        goto out;
    }
    *reused = SSL_session_reused(c);
    if (SSL_session_reused(s) != *reused)
        w->side_mismatch++;
    ok = 1;
    SSL_shutdown(c);
    (void)SSL_read(s, b, sizeof(b));
    SSL_shutdown(s);
    SSL_shutdown(c);
out:
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    return ok;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    SSL_SESSION *sess = NULL;
    for (long j = 0; j < w->n; j++) {
        int stateful = (int)((w->id + j / 2) & 1), reused = 0;
        w->handshakes++;
        if ((j & 1) == 0) {
            /* full handshake; its newest ticket is resumed next */
            SSL_SESSION_free(w->latest);
            w->latest = NULL;
            if (one_conn(w, NULL, stateful, &reused)) {
                w->full++;
                w->expect_tickets += (long)SSL_CTX_get_num_tickets(sctx);
                if (stateful)
                    w->expect_cached += (long)SSL_CTX_get_num_tickets(sctx);
            }
            sess = w->latest;
            w->latest = NULL;
            if (sess == NULL)
                w->no_session++;
        } else if (sess != NULL) {
            w->resume_attempts++;
            if (one_conn(w, sess, stateful, &reused)) {
                if (reused) {
                    w->resumed++;
                    if (stateful) {
                        w->stateful_resumed++;
                        w->expect_cached -= 1; /* the used ticket is taken out */
                    } else {
                        w->stateless_resumed++;
                    }
                } else {
                    w->resume_missed++;
                }
                /* as OpenSSL: one ticket after a resumption */
                long tickets = reused ? 1 : (long)SSL_CTX_get_num_tickets(sctx);
                w->expect_tickets += tickets;
                if (stateful)
                    w->expect_cached += tickets;
            }
            SSL_SESSION_free(sess);
            sess = NULL;
        }
    }
    SSL_SESSION_free(sess);
    SSL_SESSION_free(w->latest);
    w->latest = NULL;
    OPENSSL_thread_stop();
    atomic_fetch_add(&workers_done, 1);
    return NULL;
}

static long janitor_flushes;
static void *janitor_main(void *arg)
{
    (void)arg;
    while (atomic_load(&workers_done) < NTHREADS) {
        SSL_CTX_flush_sessions(sctx, (long)time(NULL));
        (void)SSL_CTX_sess_number(sctx);
        (void)SSL_CTX_sess_hits(sctx);
        janitor_flushes++;
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static long threads_n(void)
{
    const char *e = getenv("SESAME_THREADS_N");
    long n = 2000;
    if (e != NULL && *e != '\0') {
        char *end;
        long v = strtol(e, &end, 10);
        if (*end == '\0' && v > 0)
            n = v;
        else
            fprintf(stderr, "SESAME_THREADS_N=\"%s\" ignored\n", e);
    }
    return n;
}

/* run: |cache_size| > 0 shrinks the server cache so that concurrent adds
 * evict (LRU across shards) while other threads look up and take sessions:
 * stateful tickets may then be evicted before use, and their resumption must
 * fall back to a full handshake (never fail); stateless ones must resume. */
static void run(long n, long cache_size)
{
    static struct worker w[NTHREADS];
    pthread_t janitor;
    sctx = pair_server_ctx(&pki);
    cctx = pair_client_ctx(&pki);
    REQUIRE(sctx && cctx);
    if (cache_size > 0)
        SSL_CTX_sess_set_cache_size(sctx, cache_size);
    SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(cctx, new_cb);
    long cap = SSL_CTX_sess_get_cache_size(sctx);
    atomic_store(&workers_done, 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < NTHREADS; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].id = i;
        w[i].n = n;
        REQUIRE(pthread_create(&w[i].tid, NULL, worker_main, &w[i]) == 0);
    }
    REQUIRE(pthread_create(&janitor, NULL, janitor_main, NULL) == 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(w[i].tid, NULL);
    pthread_join(janitor, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);

    struct worker t;
    memset(&t, 0, sizeof(t));
    for (int i = 0; i < NTHREADS; i++) {
        t.handshakes += w[i].handshakes;
        t.hs_failed += w[i].hs_failed;
        t.data_failed += w[i].data_failed;
        t.full += w[i].full;
        t.resume_attempts += w[i].resume_attempts;
        t.resumed += w[i].resumed;
        t.resume_missed += w[i].resume_missed;
        t.side_mismatch += w[i].side_mismatch;
        t.stateful_resumed += w[i].stateful_resumed;
        t.stateless_resumed += w[i].stateless_resumed;
        t.cb_sessions += w[i].cb_sessions;
        t.not_resumable_in_cb += w[i].not_resumable_in_cb;
        t.no_session += w[i].no_session;
        t.expect_cached += w[i].expect_cached;
        t.expect_tickets += w[i].expect_tickets;
    }
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    long succeeded = t.handshakes - t.hs_failed - t.data_failed;
    fprintf(stderr,
            "  %d threads x %ld handshakes in %.1f s: %ld ok, %ld handshake failures, "
            "%ld data failures\n"
            "  full %ld, resumptions %ld/%ld (stateful %ld, stateless %ld), missed %ld, "
            "side mismatches %ld\n"
            "  client callbacks %ld (not resumable %ld), full handshakes without a session %ld\n"
            "  server: accept_good %ld, hits %ld (resumptions %ld), misses %ld, cached %ld "
            "(expected %ld), "
            "cache_full %ld; client: connect_good %ld, hits %ld; janitor flushes %ld\n",
            NTHREADS, n, secs, succeeded, t.hs_failed, t.data_failed, t.full, t.resumed,
            t.resume_attempts, t.stateful_resumed, t.stateless_resumed, t.resume_missed,
            t.side_mismatch, t.cb_sessions, t.not_resumable_in_cb, t.no_session,
            SSL_CTX_sess_accept_good(sctx), SSL_CTX_sess_hits(sctx), t.resumed,
            SSL_CTX_sess_misses(sctx), SSL_CTX_sess_number(sctx), t.expect_cached,
            SSL_CTX_sess_cache_full(sctx), SSL_CTX_sess_connect_good(cctx), SSL_CTX_sess_hits(cctx),
            janitor_flushes);

    CHECK_EQ_INT(t.handshakes, NTHREADS * n);
    CHECK_EQ_INT(t.hs_failed, 0);
    CHECK_EQ_INT(t.data_failed, 0);
    CHECK_EQ_INT(t.no_session, 0);
    CHECK_EQ_INT(t.resume_attempts, NTHREADS * (n / 2));
    CHECK_EQ_INT(t.side_mismatch, 0);
    CHECK(t.stateless_resumed > 0 || n < 2);
    if (cache_size == 0) {
        CHECK_EQ_INT(t.resumed, t.resume_attempts);
        CHECK_EQ_INT(t.resume_missed, 0);
        CHECK(t.stateful_resumed > 0 || n < 4);
    } else {
        /* only stateful ones may miss (evicted) */
        CHECK_EQ_INT(t.stateless_resumed, NTHREADS * (n / 2) / 2);
        CHECK(SSL_CTX_sess_number(sctx) <= cache_size);
    }
    /* S8: one callback per ticket, each resumable */
    CHECK_EQ_INT(t.cb_sessions, t.expect_tickets);
    CHECK_EQ_INT(t.not_resumable_in_cb, 0);
    /* counters */
    CHECK_EQ_INT(SSL_CTX_sess_accept_good(sctx), succeeded);
    CHECK_EQ_INT(SSL_CTX_sess_connect_good(cctx), succeeded);
    CHECK_EQ_INT(SSL_CTX_sess_hits(cctx), t.resumed);
    /* S9 + cache integrity: exactly the unused stateful sessions are cached
     * (when the cache never filled up). */
    if (cache_size == 0 && (cap == 0 || t.expect_cached <= cap)) {
        CHECK_EQ_INT(SSL_CTX_sess_number(sctx), t.expect_cached);
        CHECK_EQ_INT(SSL_CTX_sess_cache_full(sctx), 0);
    }
    SSL_CTX_flush_sessions(sctx, 0);
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), 0);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_S8_S9_threads_share_one_ctx(void)
{
    run(threads_n(), 0);
}

static void test_S13_threads_cache_eviction(void)
{
    long n = threads_n() / 4;
    run(n < 4 ? 4 : n, 32);
}

TEST_MAIN({
    (void)pair_pump_client;
    pair_pki_init(&pki);
    RUN(test_S8_S9_threads_share_one_ctx);
    RUN(test_S13_threads_cache_eviction);
    pair_pki_free(&pki);
})

/* The fleet session store (session/store*.c) over real in-memory handshakes,
 * against a fake store module (store_fake/fake_store.c, an in-process map
 * with failure switches): servers attached to one store resume each other's
 * sessions (TLS 1.3 stateless and stateful tickets, TLS 1.2 ids and
 * tickets), stateful tickets are single use across them, strict_tickets
 * makes stateless ones single use too, the shared ticket keys rotate and
 * are wrapped with a key_file, a failing or timing-out store means full
 * handshakes (never failed ones) with the in-process cache still serving,
 * application ticket keys win, clients never touch the store, and the
 * store's counters count.  The Redis module has its own test. */
#include "testutil.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "base/clock.h"
#include "pair.h"
#include "sesame.h"
#include "session/store_module.h"

static TEST_PKI pki;
static void (*set_mode)(int);
static uint8_t *(*store_get)(const char *, size_t *);
static long (*store_ops)(void);
static _Atomic uint64_t fake_now;
static uint64_t test_clock(void)
{
    return fake_now;
}

/* server: a server SSL_CTX attached to the fake store under |prefix|
 * (query |extra| appended). */
static SSL_CTX *server(const char *prefix, const char *extra, long options)
{
    char url[512];
    snprintf(url, sizeof(url), "redis://127.0.0.1:1/0?prefix=%s%s", prefix, extra ? extra : "");
    SSL_CTX *c = pair_server_ctx(&pki);
    if (c == NULL || !CHECK(sesame_CTX_set_session_store(c, url) == 1)) {
        ERR_print_errors_fp(stderr);
        SSL_CTX_free(c);
        return NULL;
    }
    SSL_CTX_set_options(c, options);
    return c;
}

static SSL_CTX *client(int tls12, int no_ticket)
{
    SSL_CTX *c = pair_client_ctx(&pki);
    if (tls12)
        SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION);
    if (no_ticket)
        SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
    return c;
}

/* connect_once: one connection (resuming |resume| if given), closed
 * cleanly; the client's session after it (NULL if the handshake failed),
 * *reused whether it resumed. */
static SSL_SESSION *connect_once(SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *resume, int *reused)
{
    SSL *c, *s;
    SSL_SESSION *out = NULL;
    *reused = -1;
    if (!pair_new(cctx, sctx, &c, &s))
        return NULL;
    if (resume != NULL)
        SSL_set_session(c, resume);
    if (pair_handshake(c, s) && pair_roundtrip(c, s, "ping")) {
        *reused = SSL_session_reused(c);
        out = SSL_get1_session(c);
        SSL_shutdown(c);
        SSL_shutdown(s);
    }
    SSL_free(c);
    SSL_free(s);
    ERR_clear_error();
    return out;
}

/* copy: an independent copy of |s|, as a client reading a session file has
 * (our client marks a TLS 1.3 session it resumed with as spent, S9; a copy
 * lets the test offer the same ticket again, as a replaying client would). */
static SSL_SESSION *copy(SSL_SESSION *s)
{
    unsigned char *der = NULL;
    int len = i2d_SSL_SESSION(s, &der);
    const unsigned char *p = der;
    SSL_SESSION *r = len > 0 ? d2i_SSL_SESSION(NULL, &p, len) : NULL;
    OPENSSL_free(der);
    return r;
}

/* across: a session from |a| offered to |b|: 1 resumed, 0 full, -1 failed;
 * *keep (if given) a copy of the session from |a|. */
static int across(SSL_CTX *cctx, SSL_CTX *a, SSL_CTX *b, SSL_SESSION **keep)
{
    int r1, r2;
    SSL_SESSION *s1 = connect_once(cctx, a, NULL, &r1);
    if (s1 == NULL || r1 != 0) { /* no CHECK: threads call this */
        SSL_SESSION_free(s1);
        return -1;
    }
    if (keep != NULL)
        *keep = copy(s1);
    SSL_SESSION *s2 = connect_once(cctx, b, s1, &r2);
    SSL_SESSION_free(s1);
    SSL_SESSION_free(s2);
    return s2 == NULL ? -1 : r2;
}

static void test_missing_module_then_fake(void)
{
    /* the module is loaded on the first attach; a failed load is retried */
    setenv("SESAME_STORE_MODULE", "/nonexistent/libsesame-store-redis.so", 1);
    SSL_CTX *c = pair_server_ctx(&pki);
    ERR_clear_error();
    CHECK(sesame_CTX_set_session_store(c, "redis://127.0.0.1:1/0") == 0);
    const char *data = NULL;
    unsigned long e = ERR_peek_last_error_data(&data, NULL);
    CHECK(ERR_GET_REASON(e) == SSL_R_BAD_VALUE);
    CHECK(data != NULL && strstr(data, "cannot load the store module") != NULL &&
          strstr(data, "/nonexistent/") != NULL);
    CHECK(sesame_CTX_get_session_store(c) == NULL);
    ERR_clear_error();
    setenv("SESAME_STORE_MODULE", getenv("FAKE_STORE_MODULE"), 1);
    CHECK(sesame_CTX_set_session_store(c, "redis://127.0.0.1:1/0") == 1);
    CHECK(sesame_CTX_set_session_store(c, NULL) == 1);
    CHECK(sesame_CTX_get_session_store(c) == NULL);
    SSL_CTX_free(c);
    void *dl = dlopen(getenv("FAKE_STORE_MODULE"), RTLD_NOW | RTLD_NOLOAD);
    CHECK(dl != NULL);
    *(void **)&set_mode = dlsym(dl, "fake_store_set_mode");
    *(void **)&store_get = dlsym(dl, "fake_store_get");
    *(void **)&store_ops = dlsym(dl, "fake_store_ops");
    CHECK(set_mode != NULL && store_get != NULL && store_ops != NULL);
}

static void test_bad_urls(void)
{
    static const char *bad[] = {
        "http://127.0.0.1/",        "redis://h/0?timeout_ms=0",
        "redis://h/0?timeout_ms=x", "redis://h/0?strict_tickets=2",
        "redis://h/0?prefix=a%20b", "redis://h/0?ticket_key_period=0",
        "redis://refuse/0",         "redis://h/0?key_file=/nonexistent/key",
    };
    SSL_CTX *c = pair_server_ctx(&pki);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ERR_clear_error();
        if (!CHECK(sesame_CTX_set_session_store(c, bad[i]) == 0))
            fprintf(stderr, "  accepted %s\n", bad[i]);
        CHECK(ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_BAD_VALUE);
    }
    CHECK(sesame_CTX_get_session_store(c) == NULL);
    CHECK(sesame_CTX_set_session_store(NULL, "redis://h/0") == 0);
    ERR_clear_error();
    SSL_CTX_free(c);
}

static void test_environment(void)
{
    setenv("SESAME_SESSION_STORE", "redis://:secret@127.0.0.1:6390/2?prefix=env", 1);
    SSL_CTX *c = SSL_CTX_new(TLS_server_method());
    unsetenv("SESAME_SESSION_STORE");
    const char *u = sesame_CTX_get_session_store(c);
    CHECK(u != NULL && strcmp(u, "redis://:***@127.0.0.1:6390/2?prefix=env") == 0);
    SSL_CTX *d = SSL_CTX_new(TLS_server_method());
    CHECK(sesame_CTX_get_session_store(d) == NULL);
    SSL_CTX_free(c);
    SSL_CTX_free(d);
}

static void test_fleet_modes(void)
{
    struct {
        const char *name;
        int tls12, server_no_ticket, client_no_ticket;
    } modes[] = {
        {"tls13-stateless", 0, 0, 0},
        {"tls13-stateful", 0, 1, 0},
        {"tls12-id", 1, 1, 1},
        {"tls12-ticket", 1, 0, 0},
    };
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        long opt = modes[i].server_no_ticket ? SSL_OP_NO_TICKET : 0;
        SSL_CTX *a = server(modes[i].name, NULL, opt), *b = server(modes[i].name, NULL, opt);
        SSL_CTX *cc = client(modes[i].tls12, modes[i].client_no_ticket);
        int r = across(cc, a, b, NULL);
        if (!CHECK(r == 1))
            fprintf(stderr, "  %s: from A on B: %d\n", modes[i].name, r);
        /* stateful sessions were found in the store by B */
        if (modes[i].server_no_ticket)
            CHECK(sesame_CTX_sess_store_hits(b) >= 1);
        CHECK(sesame_CTX_sess_store_errors(a) == 0 && sesame_CTX_sess_store_errors(b) == 0);
        /* another prefix is another fleet */
        SSL_CTX *x = server("elsewhere", NULL, opt);
        CHECK(across(cc, a, x, NULL) == 0);
        SSL_CTX_free(x);
        SSL_CTX_free(a);
        SSL_CTX_free(b);
        SSL_CTX_free(cc);
    }
}

static void test_single_use_across(void)
{
    SSL_CTX *a = server("single", NULL, SSL_OP_NO_TICKET);
    SSL_CTX *b = server("single", NULL, SSL_OP_NO_TICKET), *cc = client(0, 0);
    SSL_SESSION *s1 = NULL;
    CHECK(across(cc, a, b, &s1) == 1);
    int r;
    SSL_SESSION *s3 = connect_once(cc, a, s1, &r);
    CHECK(s3 != NULL && r == 0); /* used on B: not again on A, which issued it */
    SSL_SESSION_free(s3);
    s3 = connect_once(cc, b, s1, &r);
    CHECK(s3 != NULL && r == 0);
    SSL_SESSION_free(s3);
    SSL_SESSION_free(s1);
    SSL_CTX_free(a);
    SSL_CTX_free(b);
    SSL_CTX_free(cc);
}

static void test_strict_tickets(void)
{
    SSL_CTX *a = server("strict", "&strict_tickets=1", 0);
    SSL_CTX *b = server("strict", "&strict_tickets=1", 0), *cc = client(0, 0);
    SSL_SESSION *s1 = NULL;
    CHECK(across(cc, a, b, &s1) == 1);
    int r;
    SSL_SESSION *s3 = connect_once(cc, a, s1, &r);
    CHECK(s3 != NULL && r == 0);
    SSL_SESSION_free(s3);
    SSL_SESSION_free(s1);
    /* TLS 1.2 tickets too; the resumption hands out a fresh ticket */
    SSL_CTX *c12 = client(1, 0);
    CHECK(across(c12, a, b, &s1) == 1);
    s3 = connect_once(c12, a, s1, &r);
    CHECK(s3 != NULL && r == 0);
    SSL_SESSION_free(s3);
    SSL_SESSION_free(s1);
    /* without strict mode the same ticket resumes twice */
    SSL_CTX *p = server("lax", NULL, 0), *q = server("lax", NULL, 0);
    CHECK(across(cc, p, q, &s1) == 1);
    s3 = connect_once(cc, p, s1, &r);
    CHECK(s3 != NULL && r == 1);
    SSL_SESSION_free(s3);
    SSL_SESSION_free(s1);
    SSL_CTX_free(p);
    SSL_CTX_free(q);
    SSL_CTX_free(a);
    SSL_CTX_free(b);
    SSL_CTX_free(cc);
    SSL_CTX_free(c12);
}

static void test_store_failures(void)
{
    static const int failures[] = {STORE_ERR, STORE_TIMEOUT};
    for (int i = 0; i < 2; i++) {
        SSL_CTX *a = server(i ? "fail-t" : "fail-e", NULL, SSL_OP_NO_TICKET);
        SSL_CTX *b = server(i ? "fail-t" : "fail-e", NULL, SSL_OP_NO_TICKET);
        SSL_CTX *cc = client(1, 1);
        set_mode(failures[i]);
        int r;
        SSL_SESSION *s1 = connect_once(cc, a, NULL, &r);
        CHECK(s1 != NULL && r == 0);
        /* the store fails: the in-process cache still resumes on A; B does a
         * full handshake, never a failed one */
        SSL_SESSION *s2 = connect_once(cc, a, s1, &r);
        CHECK(s2 != NULL && r == 1);
        SSL_SESSION_free(s2);
        s2 = connect_once(cc, b, s1, &r);
        CHECK(s2 != NULL && r == 0);
        SSL_SESSION_free(s2);
        long errs = sesame_CTX_sess_store_errors(a) + sesame_CTX_sess_store_errors(b);
        long tos = sesame_CTX_sess_store_timeouts(a) + sesame_CTX_sess_store_timeouts(b);
        CHECK(i == 0 ? errs >= 2 && tos == 0 : tos >= 2 && errs == 0);
        /* TLS 1.3 stateful and stateless on a failing store: full handshakes */
        SSL_CTX *c13 = client(0, 0);
        CHECK(across(c13, a, b, NULL) == 0);
        SSL_CTX *a2 = server(i ? "fail-t2" : "fail-e2", NULL, 0);
        SSL_CTX *b2 = server(i ? "fail-t2" : "fail-e2", NULL, 0);
        CHECK(across(c13, a2, b2, NULL) == 0);
        /* the store back: it serves again, without reattaching */
        set_mode(STORE_OK);
        fake_now += 2000; /* past the ring's retry delay */
        CHECK(across(c13, a2, b2, NULL) == 1);
        CHECK(across(cc, a, b, NULL) == 1);
        SSL_SESSION_free(s1);
        SSL_CTX_free(a);
        SSL_CTX_free(b);
        SSL_CTX_free(a2);
        SSL_CTX_free(b2);
        SSL_CTX_free(cc);
        SSL_CTX_free(c13);
    }
}

static void test_rotation(void)
{
    SSL_CTX *a = server("rot", "&ticket_key_period=10", 0);
    SSL_CTX *b = server("rot", "&ticket_key_period=10", 0), *cc = client(0, 0);
    int r;
    SSL_SESSION *t1 = connect_once(cc, a, NULL, &r);
    CHECK(t1 != NULL && r == 0);
    size_t len1 = 0, len2 = 0;
    uint8_t *ring1 = store_get("rot:ticket-keys", &len1);
    CHECK(ring1 != NULL && len1 > 0 && ring1[0] == 'P');
    fake_now += 11 * 1000; /* A's key expires: A rotates the fleet's ring */
    SSL_SESSION *t2 = connect_once(cc, a, NULL, &r);
    CHECK(t2 != NULL && r == 0);
    uint8_t *ring2 = store_get("rot:ticket-keys", &len2);
    CHECK(ring2 != NULL && (len1 != len2 || memcmp(ring1, ring2, len1) != 0));
    SSL_SESSION *t3 = connect_once(cc, b, t2, &r); /* B opens A's new ticket */
    CHECK(t3 != NULL && r == 1);
    SSL_SESSION_free(t3);
    SSL_SESSION *t1_again = copy(t1);
    t3 = connect_once(cc, b, t1, &r); /* and the one sealed before (previous key) */
    CHECK(t3 != NULL && r == 1);
    SSL_SESSION_free(t3);
    /* two more periods idle: the old key is retired everywhere */
    fake_now += 25 * 1000;
    SSL_SESSION *t4 = connect_once(cc, b, NULL, &r);
    SSL_SESSION_free(t4);
    t3 = connect_once(cc, a, t1_again, &r);
    CHECK(t3 != NULL && r == 0);
    SSL_SESSION_free(t1_again);
    SSL_SESSION_free(t3);
    free(ring1);
    free(ring2);
    SSL_SESSION_free(t1);
    SSL_SESSION_free(t2);
    SSL_CTX_free(a);
    SSL_CTX_free(b);
    SSL_CTX_free(cc);
}

static void test_key_file(void)
{
    char k1[] = "/tmp/sesame-store-k1-XXXXXX", k2[] = "/tmp/sesame-store-k2-XXXXXX";
    int f1 = mkstemp(k1), f2 = mkstemp(k2);
    CHECK(f1 >= 0 && f2 >= 0);
    CHECK(write(f1, "fleet secret number one, 32 byt", 32) == 32);
    CHECK(write(f2, "fleet secret number two, 32 byt", 32) == 32);
    close(f1);
    close(f2);
    char q1[128], q2[128];
    snprintf(q1, sizeof(q1), "&key_file=%s", k1);
    snprintf(q2, sizeof(q2), "&key_file=%s", k2);
    SSL_CTX *a = server("wrap", q1, SSL_OP_NO_TICKET), *b = server("wrap", q1, SSL_OP_NO_TICKET);
    SSL_CTX *cc = client(0, 0);
    CHECK(across(cc, a, b, NULL) == 1); /* stateful sessions, wrapped */
    SSL_CTX_set_options(a, 0);
    SSL_CTX_clear_options(a, SSL_OP_NO_TICKET);
    SSL_CTX_clear_options(b, SSL_OP_NO_TICKET);
    CHECK(across(cc, a, b, NULL) == 1); /* tickets under the wrapped ring */
    size_t len = 0;
    uint8_t *ring = store_get("wrap:ticket-keys", &len);
    CHECK(ring != NULL && len > 1 && ring[0] == 'W');
    free(ring);
    /* a server with another secret reads neither: full handshakes, counted */
    SSL_CTX *x = server("wrap", q2, 0);
    CHECK(across(cc, a, x, NULL) == 0);
    CHECK(sesame_CTX_sess_store_errors(x) >= 1);
    /* nor does one without a secret */
    SSL_CTX *y = server("wrap", NULL, 0);
    CHECK(across(cc, a, y, NULL) == 0);
    unlink(k1);
    unlink(k2);
    SSL_CTX_free(a);
    SSL_CTX_free(b);
    SSL_CTX_free(x);
    SSL_CTX_free(y);
    SSL_CTX_free(cc);
}

static void test_app_keys_win(void)
{
    unsigned char keys[80];
    memset(keys, 7, sizeof(keys));
    SSL_CTX *a = server("appkeys", NULL, 0), *b = server("appkeys", NULL, 0);
    CHECK(SSL_CTX_set_tlsext_ticket_keys(a, keys, sizeof(keys)) == 1);
    CHECK(SSL_CTX_set_tlsext_ticket_keys(b, keys, sizeof(keys)) == 1);
    SSL_CTX *cc = client(0, 0);
    CHECK(across(cc, a, b, NULL) == 1);
    size_t len = 0;
    uint8_t *ring = store_get("appkeys:ticket-keys", &len);
    CHECK(ring == NULL); /* the fleet's ring was never needed */
    free(ring);
    SSL_CTX *c = server("appkeys", NULL, 0); /* the fleet's keys: not the app's */
    CHECK(across(cc, a, c, NULL) == 0);
    SSL_CTX_free(a);
    SSL_CTX_free(b);
    SSL_CTX_free(c);
    SSL_CTX_free(cc);
}

static void test_clients_leave_the_store_alone(void)
{
    setenv("SESAME_SESSION_STORE", "redis://127.0.0.1:1/0?prefix=clients", 1);
    SSL_CTX *cc = pair_client_ctx(&pki);
    unsetenv("SESAME_SESSION_STORE");
    CHECK(sesame_CTX_get_session_store(cc) != NULL);
    SSL_CTX *s = pair_server_ctx(&pki);
    long before = store_ops();
    int r;
    SSL_SESSION *s1 = connect_once(cc, s, NULL, &r);
    CHECK(s1 != NULL);
    SSL_CTX_remove_session(cc, s1);
    CHECK(store_ops() == before);
    SSL_SESSION_free(s1);
    SSL_CTX_free(cc);
    SSL_CTX_free(s);
}

static void test_bad_session_removed_from_store(void)
{
    SSL_CTX *a = server("bad", NULL, SSL_OP_NO_TICKET), *b = server("bad", NULL, SSL_OP_NO_TICKET);
    SSL_CTX *cc = client(1, 1);
    int r;
    SSL_SESSION *s1 = connect_once(cc, a, NULL, &r);
    CHECK(s1 != NULL && r == 0);
    /* contract S10 on A: SSL_CTX_remove_session reaches the store */
    SSL_SESSION *srv = NULL;
    size_t len = 0;
    uint8_t *v = store_get("bad:s:", &len);
    CHECK(v != NULL);
    free(v);
    unsigned int idlen = 0;
    const unsigned char *id = SSL_SESSION_get_id(s1, &idlen);
    srv = SSL_SESSION_new();
    CHECK(SSL_SESSION_set1_id(srv, id, idlen) == 1);
    SSL_CTX_remove_session(a, srv);
    SSL_SESSION_free(srv);
    v = store_get("bad:s:", &len);
    CHECK(v == NULL);
    free(v);
    SSL_SESSION *s2 = connect_once(cc, b, s1, &r);
    CHECK(s2 != NULL && r == 0);
    SSL_SESSION_free(s2);
    SSL_SESSION_free(s1);
    SSL_CTX_free(a);
    SSL_CTX_free(b);
    SSL_CTX_free(cc);
}

/* Threads: handshakes on two shared server SSL_CTXs, each resumption on the
 * other one, while the ring is created and rotated (the clock jumps). */
#define THREADS       4
#define THREAD_ROUNDS 5
#define PHASES        5
static SSL_CTX *t_a, *t_b, *t_sa, *t_sb, *t_client;
static _Atomic int t_resumed, t_failed;

static void *thread_main(void *arg)
{
    (void)arg;
    for (int i = 0; i < THREAD_ROUNDS; i++) {
        int r1 = across(t_client, t_a, t_b, NULL), r2 = across(t_client, t_sb, t_sa, NULL);
        atomic_fetch_add(&t_resumed, (r1 == 1) + (r2 == 1));
        atomic_fetch_add(&t_failed, (r1 < 0) + (r2 < 0));
    }
    return NULL;
}

static void test_threads(void)
{
    t_a = server("threads", "&ticket_key_period=1", 0);
    t_b = server("threads", "&ticket_key_period=1", 0);
    t_sa = server("threads", NULL, SSL_OP_NO_TICKET);
    t_sb = server("threads", NULL, SSL_OP_NO_TICKET);
    t_client = client(0, 0);
    /* In phases: between two, the clock moves 0.6 key periods, so the threads of
     * the next phase race to rotate the ring (compare-and-set) about every other
     * phase; within a phase it stands still, so a ticket is opened within a
     * period of its sealing (two rotations retire a key). */
    for (int phase = 0; phase < PHASES; phase++) {
        pthread_t th[THREADS];
        for (int i = 0; i < THREADS; i++)
            pthread_create(&th[i], NULL, thread_main, NULL);
        for (int i = 0; i < THREADS; i++)
            pthread_join(th[i], NULL);
        fake_now += 600;
    }
    CHECK(atomic_load(&t_failed) == 0);
    CHECK(atomic_load(&t_resumed) == 2 * PHASES * THREADS * THREAD_ROUNDS);
    SSL_CTX_free(t_a);
    SSL_CTX_free(t_b);
    SSL_CTX_free(t_sa);
    SSL_CTX_free(t_sb);
    SSL_CTX_free(t_client);
}

TEST_MAIN({
    if (getenv("FAKE_STORE_MODULE") == NULL) {
        fprintf(stderr, "FAKE_STORE_MODULE not set (run through ctest)\n");
        return 1;
    }
    pair_pki_init(&pki);
    fake_now = sesame_now_ms();
    sesame_set_clock_for_test(test_clock);
    RUN(test_missing_module_then_fake);
    RUN(test_bad_urls);
    RUN(test_environment);
    RUN(test_fleet_modes);
    RUN(test_single_use_across);
    RUN(test_strict_tickets);
    RUN(test_store_failures);
    RUN(test_rotation);
    RUN(test_key_file);
    RUN(test_app_keys_win);
    RUN(test_clients_leave_the_store_alone);
    RUN(test_bad_session_removed_from_store);
    RUN(test_threads);
    sesame_set_clock_for_test(NULL);
    pair_pki_free(&pki);
})

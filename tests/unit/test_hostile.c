/* test_hostile.c - every rule of the hostile peer's table (tests/hostile/scenarios.c) against
 * our library in-process: the peer (libcrypto only) on one side, an SSL of ours on the other,
 * joined by memory BIOs and driven in one thread.  For each row: the alert the peer receives,
 * and what our caller sees -- SSL_get_error, the first reason in the error queue, and whether
 * it was SSL_do_handshake or SSL_read that failed.
 *
 * The victim is driven only when the peer waits for it: the peer's read pumps the victim
 * until it writes something, fails, or blocks on input.  A victim that blocks while the peer
 * waits for its answer is a hang (the peer sees HP_IO_TIMEOUT); a call that never returns is
 * caught by an alarm.  The victim server answers each line it reads reversed, as
 * `sesame s_server -rev` does for the TCP test (tests/interop/test_hostile.sh).
 *
 * HOSTILE_ONLY=name runs one row; HOSTILE_VERBOSE=1 prints the records the peer reads. */
#include "testutil.h"
#include "pair.h"

#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include "../hostile/peer.h"
#include "../hostile/scenarios.h"
#include "record/record_io.h"

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

/* The victim's pipe under HP_CTL_SMALL_PIPE: room for two KeyUpdate replies. */
#define SMALL_PIPE_BYTES 64
#define WATCHDOG_SECONDS 60

enum { V_PROGRESS, V_BLOCKED, V_DONE };

typedef struct {
    SSL_CTX *ctx; /* for a second connection (HP_CTL_RECONNECT) */
    SSL *ssl;
    BIO *in;        /* peer -> victim */
    BIO *out;       /* victim -> peer */
    BIO *pipe_peer; /* after HP_CTL_SMALL_PIPE: our end of the victim's small pipe */
    int in_handshake;
    int done;     /* 0 running, 1 failed, 2 closed by the peer (close_notify) */
    int last_err; /* SSL_get_error of the last call (SSL_ERROR_NONE after a success) */
    int end_ret, end_err, failed_in_handshake;
    unsigned long codes[8]; /* the error queue when it failed */
    int num_codes;
    int heap_on;
    long heap_net, heap_peak;
    HP_BUF line; /* data read, not yet a whole line */
} VICTIM;

static const char *g_current = "";

static void on_alarm(int sig)
{
    (void)sig;
    static const char m[] = "test_hostile: a call did not return (spinning?) in scenario ";
    (void)!write(2, m, sizeof(m) - 1);
    (void)!write(2, g_current, strlen(g_current));
    (void)!write(2, "\n", 1);
    _exit(1);
}

static long heap_now(void)
{
    struct mallinfo2 m = mallinfo2();
    return (long)(m.uordblks + m.hblkhd);
}

/* echo_lines: each whole line read goes back reversed (sesame s_server -rev). */
static void echo_lines(VICTIM *v, const char *data, size_t n)
{
    hp_buf_add(&v->line, data, n);
    for (;;) {
        uint8_t *nl = memchr(v->line.p, '\n', v->line.n);
        if (nl == NULL)
            return;
        size_t len = (size_t)(nl - v->line.p), keep = len + 1, k = len;
        while (k > 0 && v->line.p[k - 1] == '\r')
            k--;
        char rev[4096];
        size_t m = k < sizeof(rev) - 1 ? k : sizeof(rev) - 1;
        for (size_t i = 0; i < m; i++)
            rev[i] = (char)v->line.p[k - 1 - i];
        rev[m++] = '\n';
        (void)SSL_write(v->ssl, rev, (int)m);
        memmove(v->line.p, v->line.p + keep, v->line.n - keep);
        v->line.n -= keep;
    }
}

/* victim_call makes one call on the victim: SSL_do_handshake until it completes, then
 * SSL_read. */
static int victim_call(VICTIM *v)
{
    char buf[4096];
    long before = heap_now();
    int r, e = SSL_ERROR_NONE, st;
    ERR_clear_error();
    r = v->in_handshake ? SSL_do_handshake(v->ssl) : SSL_read(v->ssl, buf, sizeof(buf));
    if (r <= 0)
        e = SSL_get_error(v->ssl, r);
    v->last_err = e;
    if (r > 0) {
        if (v->in_handshake)
            v->in_handshake = 0;
        else if (SSL_is_server(v->ssl))
            echo_lines(v, buf, (size_t)r);
        st = V_PROGRESS;
    } else if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        st = V_BLOCKED;
    } else {
        v->done = e == SSL_ERROR_ZERO_RETURN ? 2 : 1;
        v->end_ret = r;
        v->end_err = e;
        v->failed_in_handshake = v->in_handshake;
        unsigned long c;
        while ((c = ERR_get_error()) != 0)
            if (v->num_codes < 8)
                v->codes[v->num_codes++] = c;
        if (e == SSL_ERROR_ZERO_RETURN)
            (void)SSL_shutdown(v->ssl);
        st = V_DONE;
    }
    ERR_clear_error();
    if (v->heap_on) {
        v->heap_net += heap_now() - before;
        if (v->heap_net > v->heap_peak)
            v->heap_peak = v->heap_net;
    }
    return st;
}

static int read_output(VICTIM *v, uint8_t *buf, size_t cap)
{
    int n = 0, want = cap > INT_MAX ? INT_MAX : (int)cap;
    if (BIO_ctrl_pending(v->out) > 0)
        n = BIO_read(v->out, buf, want);
    else if (v->pipe_peer != NULL)
        n = BIO_read(v->pipe_peer, buf, want);
    return n > 0 ? n : 0;
}

static int io_send(void *arg, const uint8_t *buf, size_t len)
{
    VICTIM *v = arg;
    return len == 0 || BIO_write(v->in, buf, (int)len) == (int)len;
}

static int io_recv(void *arg, uint8_t *buf, size_t cap, size_t *got)
{
    VICTIM *v = arg;
    for (int i = 0; i < 100000; i++) {
        int n = read_output(v, buf, cap);
        if (n == 0 && v->done)
            return HP_IO_EOF;
        if (n == 0 && victim_call(v) == V_BLOCKED && (n = read_output(v, buf, cap)) == 0)
            return HP_IO_TIMEOUT; /* the victim waits for us */
        if (n > 0) {
            *got = (size_t)n;
            return HP_IO_OK;
        }
    }
    return HP_IO_TIMEOUT;
}

/* settle runs the victim until it blocks or ends; its SSL_get_error. */
static long settle(VICTIM *v)
{
    for (int i = 0; i < 100000 && !v->done; i++)
        if (victim_call(v) != V_PROGRESS)
            break;
    return v->done ? v->end_err : v->last_err;
}

static int victim_new(VICTIM *v, SSL_CTX *ctx, int server);
static void victim_free(VICTIM *v);

/* reconnect: the victim's connection ends (after it has read what it was sent) and a new
 * SSL of the same context takes its place; a client resumes the session of the old one. */
static long reconnect(VICTIM *v)
{
    settle(v);
    int server = SSL_is_server(v->ssl);
    SSL_CTX *ctx = v->ctx;
    SSL_SESSION *sess = server ? NULL : SSL_get1_session(v->ssl);
    victim_free(v);
    int ok = victim_new(v, ctx, server) &&
             (server || (sess != NULL && SSL_set_session(v->ssl, sess) == 1));
    SSL_SESSION_free(sess);
    return ok ? 1 : -1;
}

static long io_ctl(void *arg, int op)
{
    VICTIM *v = arg;
    switch (op) {
    case HP_CTL_SETTLE:
        return settle(v);
    case HP_CTL_SMALL_PIPE: {
        BIO *mine = NULL, *peer = NULL;
        settle(v);
        if (!BIO_new_bio_pair(&mine, SMALL_PIPE_BYTES, &peer, SMALL_PIPE_BYTES))
            return -1;
        SSL_set0_wbio(v->ssl, mine); /* drops the SSL's reference to v->out, not ours */
        v->pipe_peer = peer;
        v->heap_on = 1;
        v->heap_net = v->heap_peak = 0;
        return 1;
    }
    case HP_CTL_HEAP_GROWTH:
        return HEAP_MEASURABLE && v->heap_on ? v->heap_peak : -1;
    case HP_CTL_PENDING_OUT:
        return (long)rec_pending_output(v->ssl);
    case HP_CTL_RECONNECT:
        return reconnect(v);
    }
    return -1;
}

static int victim_new(VICTIM *v, SSL_CTX *ctx, int server)
{
    memset(v, 0, sizeof(*v));
    v->ctx = ctx;
    v->ssl = SSL_new(ctx);
    v->in = BIO_new(BIO_s_mem());
    v->out = BIO_new(BIO_s_mem());
    if (v->ssl == NULL || v->in == NULL || v->out == NULL)
        return 0;
    BIO_set_mem_eof_return(v->in, -1);
    BIO_set_mem_eof_return(v->out, -1);
    BIO_up_ref(v->in);
    BIO_up_ref(v->out);
    SSL_set_bio(v->ssl, v->in, v->out);
    if (server)
        SSL_set_accept_state(v->ssl);
    else
        SSL_set_connect_state(v->ssl);
    v->in_handshake = 1;
    return 1;
}

static void victim_free(VICTIM *v)
{
    SSL_free(v->ssl);
    BIO_free(v->in);
    BIO_free(v->out);
    BIO_free(v->pipe_peer);
    hp_buf_free(&v->line);
}

static int first_ssl_reason(const VICTIM *v)
{
    for (int i = 0; i < v->num_codes; i++)
        if (ERR_GET_LIB(v->codes[i]) == ERR_LIB_SSL)
            return ERR_GET_REASON(v->codes[i]);
    return 0;
}

static void print_codes(const VICTIM *v)
{
    for (int i = 0; i < v->num_codes; i++) {
        char s[256];
        ERR_error_string_n(v->codes[i], s, sizeof(s));
        fprintf(stderr, "    error queue: %s\n", s);
    }
}

/* run_one plays one row; 1 when everything the row asks for was seen. */
static int run_one(const HP_SCENARIO *sc, SSL_CTX *sctx, SSL_CTX *cctx, const TEST_PKI *pki)
{
    VICTIM v;
    HP p;
    int before = test_failures;
    int server = sc->victim == HP_VICTIM_SERVER;
    HP_IO io = {io_send, io_recv, io_ctl, &v};
    g_current = sc->name;
    if (!CHECK(victim_new(&v, server ? sctx : cctx, server)) ||
        !CHECK(hp_init(&p, &io, !server, pki->leaf, pki->leaf_key))) {
        victim_free(&v);
        return 0;
    }
    p.verbose = getenv("HOSTILE_VERBOSE") != NULL;
    alarm(WATCHDOG_SECONDS);
    int ok = hp_scenario_run(sc, &p);
    if (!ok)
        fprintf(stderr, "  %s: peer: %s\n", sc->name, p.why);
    CHECK(ok);

    if (sc->ssl_error == SSL_ERROR_NONE) {
        if (!CHECK(v.done != 1 && !v.in_handshake))
            fprintf(stderr, "  %s: the victim failed (SSL_get_error %d)\n", sc->name, v.end_err);
    } else if (sc->ssl_error == SSL_ERROR_ZERO_RETURN) {
        if (!CHECK(v.done == 2))
            fprintf(stderr, "  %s: the victim did not see close_notify (done %d, err %d)\n",
                    sc->name, v.done, v.end_err);
    } else if (!CHECK(v.done == 1)) {
        fprintf(stderr, "  %s: the victim did not fail (last SSL_get_error %d)\n", sc->name,
                v.last_err);
    } else {
        int reason = first_ssl_reason(&v);
        int want_hs = sc->phase == HP_PHASE_HANDSHAKE;
        /* the peer's own alert: OpenSSL 3.0's SSL_read returns 0 for it (with the alert's
         * reason queued), SSL_do_handshake -1; every other failure is -1 */
        int peer_alert = sc->alert == HP_NO_ALERT;
        CHECK_EQ_INT(v.end_err, sc->ssl_error);
        CHECK_EQ_INT(v.end_ret, peer_alert && !v.failed_in_handshake ? 0 : -1);
        CHECK_EQ_INT(reason, sc->reason);
        if (!CHECK(v.failed_in_handshake == want_hs))
            fprintf(stderr, "  %s: the victim failed in %s, expected in %s\n", sc->name,
                    v.failed_in_handshake ? "SSL_do_handshake" : "SSL_read",
                    want_hs ? "SSL_do_handshake" : "SSL_read");
        if (reason != sc->reason)
            print_codes(&v);
        /* The failure is sticky: the next call fails at once and sends nothing more (after
         * the peer's own alert, SSL_read returns 0 and SSL_get_error says ZERO_RETURN, as
         * OpenSSL 3.0 does: checked against the system libssl). */
        char b[16];
        size_t pending = BIO_ctrl_pending(v.out);
        ERR_clear_error();
        int r = SSL_read(v.ssl, b, sizeof(b));
        int e = SSL_get_error(v.ssl, r);
        if (!CHECK(r <= 0 && (e == SSL_ERROR_SSL || e == SSL_ERROR_SYSCALL ||
                              (peer_alert && r == 0 && e == SSL_ERROR_ZERO_RETURN))))
            fprintf(stderr, "  %s: after the failure SSL_read returned %d, SSL_get_error %d\n",
                    sc->name, r, e);
        CHECK(BIO_ctrl_pending(v.out) == pending);
        ERR_clear_error();
    }
    alarm(0);
    int passed = test_failures == before;
    fprintf(stderr, "%s %-38s alert %-22s SSL_get_error %d  %s\n", passed ? "ok  " : "FAIL",
            sc->name, p.alert_level >= 0 ? hp_alert_name(p.alert_desc) : "none",
            v.done ? v.end_err : v.last_err,
            v.num_codes && ERR_reason_error_string(v.codes[0]) ? ERR_reason_error_string(v.codes[0])
                                                               : "");
    hp_free(&p);
    victim_free(&v);
    return passed;
}

static void test_hostile_scenarios(void)
{
    TEST_PKI pki;
    pair_pki_init(&pki);
    SSL_CTX *sctx = pair_server_ctx(&pki);
    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    REQUIRE(sctx != NULL && cctx != NULL);
    /* an RSA certificate too, and DHE parameters, for the TLS 1.2 DHE-RSA rows (as `sesame
     * s_server -dcert` with its automatic parameters) */
    EVP_PKEY *rsa_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    X509 *rsa_leaf =
        rsa_key != NULL ? pair_make_cert(rsa_key, pki.ca_key, pki.ca, "localhost", 0, 30) : NULL;
    REQUIRE(rsa_leaf != NULL && SSL_CTX_use_certificate(sctx, rsa_leaf) == 1 &&
            SSL_CTX_use_PrivateKey(sctx, rsa_key) == 1 && SSL_CTX_set_dh_auto(sctx, 1) == 1);
    signal(SIGALRM, on_alarm);
    const char *only = getenv("HOSTILE_ONLY");
    size_t n = 0, passed = 0;
    for (size_t i = 0; i < hp_num_scenarios; i++) {
        if (only != NULL && strcmp(only, hp_scenarios[i].name) != 0)
            continue;
        n++;
        passed += (size_t)run_one(&hp_scenarios[i], sctx, cctx, &pki);
    }
    fprintf(stderr, "hostile peer: %zu of %zu scenarios passed\n", passed, n);
    CHECK(n > 0);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    X509_free(rsa_leaf);
    EVP_PKEY_free(rsa_key);
    pair_pki_free(&pki);
}

/* The table itself: unique names, and every failure row names a reason and a fatal alert. */
static void test_hostile_table(void)
{
    for (size_t i = 0; i < hp_num_scenarios; i++) {
        const HP_SCENARIO *a = &hp_scenarios[i];
        CHECK(hp_scenario_find(a->name) == a);
        CHECK(a->run != NULL && a->rule != NULL);
        if (a->ssl_error == SSL_ERROR_SSL)
            CHECK(a->reason != 0 && a->alert != HP_AD_CLOSE_NOTIFY &&
                  strncmp(a->reason_name, "SSL_R_", 6) == 0);
    }
}

/* pair.h helpers this test does not use */
static inline void pair_unused_(void)
{
    (void)pair_new;
    (void)pair_client_ctx;
}

TEST_MAIN({
    RUN(test_hostile_table);
    RUN(test_hostile_scenarios);
})

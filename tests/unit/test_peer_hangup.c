/* A peer that goes away in the middle of the handshake, or after it without
 * close_notify: what SSL_do_handshake and SSL_read return, SSL_get_error, the
 * error queue, errno, the alert we send, SSL_get_shutdown and the session
 * cache, with and without SSL_OP_IGNORE_UNEXPECTED_EOF, TLS 1.2 and 1.3, both
 * roles.  nginx decides from these whether a client that hung up is an
 * "[info] peer closed connection in SSL handshake" or an "[crit]
 * SSL_do_handshake() failed" (ngx_ssl_handshake, ngx_ssl_connection_error).
 *
 * The expectations are OpenSSL 3.0's.  They were measured against the system
 * libssl (3.0.19) with throwaway programs over TCP on loopback (a raw-socket
 * client hanging up at each point, a server doing the same to a client), and
 * this file uses only the public API: tests/CMakeLists.txt also builds it
 * against the system libssl and runs it as unit.peer_hangup.openssl, so every
 * expectation below is checked against OpenSSL on every run (the marker line
 * for tests/CMakeLists.txt: "ctest-control: openssl").  What OpenSSL 3.0
 * does, in short:
 *  - EOF without close_notify (no option): SSL_ERROR_SSL, one error queued,
 *    SSL_R_UNEXPECTED_EOF_WHILE_READING, a fatal decode_error alert sent (a
 *    half-closed peer reads it), the session removed from the cache; later
 *    calls fail with nothing queued (SSL_ERROR_SYSCALL).  After the handshake
 *    SSL_read returns 0 (not -1) with the same error.
 *  - the same with SSL_OP_IGNORE_UNEXPECTED_EOF, or the peer's close_notify
 *    during the handshake: taken as a close.  -1 (SSL_read: 0) with nothing
 *    queued, SSL_ERROR_ZERO_RETURN, SSL_get_shutdown SSL_RECEIVED_SHUTDOWN, no
 *    alert, the session kept.
 *  - a transport error (ECONNRESET): SSL_ERROR_SYSCALL with nothing queued
 *    and errno as the transport left it, no alert, the session kept while the
 *    handshake had not completed.  (OpenSSL then reads again on the next call;
 *    sesame's failure stays: not checked here.) */
#include "testutil.h"

#include <errno.h>

#include "control.h"
#include "pair.h"

static TEST_PKI pki;

/* ---- a transport that can be reset ------------------------------------ */

/* A source BIO over a memory BIO: reads what was put in; once empty it says
 * "would block", or after reset_bio_fail() fails as a reset TCP connection
 * does (-1, no retry, errno ECONNRESET, not EOF). */
typedef struct {
    BIO *inner;
    int failed;
} RESET_BIO;

static int reset_read(BIO *b, char *out, int len)
{
    RESET_BIO *r = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    int n = BIO_read(r->inner, out, len);
    if (n > 0)
        return n;
    if (r->failed) {
        errno = ECONNRESET;
        return -1;
    }
    BIO_set_retry_read(b);
    return -1;
}

static int reset_write(BIO *b, const char *in, int len)
{
    RESET_BIO *r = BIO_get_data(b);
    return BIO_write(r->inner, in, len);
}

static long reset_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b;
    (void)num;
    (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int reset_create(BIO *b)
{
    RESET_BIO *r = calloc(1, sizeof(*r));
    if (r == NULL || (r->inner = BIO_new(BIO_s_mem())) == NULL) {
        free(r);
        return 0;
    }
    BIO_set_data(b, r);
    BIO_set_init(b, 1);
    return 1;
}

static int reset_destroy(BIO *b)
{
    RESET_BIO *r = BIO_get_data(b);
    if (r != NULL) {
        BIO_free(r->inner);
        free(r);
    }
    BIO_set_data(b, NULL);
    return 1;
}

static BIO_METHOD *reset_method(void)
{
    static BIO_METHOD *m;
    if (m == NULL) {
        m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "test reset");
        if (m == NULL || !BIO_meth_set_read(m, reset_read) || !BIO_meth_set_write(m, reset_write) ||
            !BIO_meth_set_ctrl(m, reset_ctrl) || !BIO_meth_set_create(m, reset_create) ||
            !BIO_meth_set_destroy(m, reset_destroy))
            return NULL;
    }
    return m;
}

static void reset_bio_fail(BIO *b)
{
    ((RESET_BIO *)BIO_get_data(b))->failed = 1;
}

/* ---- a client and a server over memory BIOs, moved by hand ------------- */

typedef struct {
    SSL *c, *s;
    BIO *c_in, *c_out, *s_in, *s_out; /* s_in or c_in may be a reset BIO */
} HPAIR;

/* The alert the SSL under test wrote last ((level << 8) | description), -1: none. */
static int alert_written = -1;

static void info_cb(const SSL *s, int where, int ret)
{
    (void)s;
    if (where == SSL_CB_WRITE_ALERT) /* (SSL_CB_READ_ALERT shares a bit with it) */
        alert_written = ret;
}

static int hpair_new(SSL_CTX *cctx, SSL_CTX *sctx, HPAIR *p, int reset_side)
{
    memset(p, 0, sizeof(*p));
    p->c = SSL_new(cctx);
    p->s = SSL_new(sctx);
    p->c_in = reset_side == 'c' ? BIO_new(reset_method()) : BIO_new(BIO_s_mem());
    p->c_out = BIO_new(BIO_s_mem());
    p->s_in = reset_side == 's' ? BIO_new(reset_method()) : BIO_new(BIO_s_mem());
    p->s_out = BIO_new(BIO_s_mem());
    if (p->c == NULL || p->s == NULL || !p->c_in || !p->c_out || !p->s_in || !p->s_out)
        return 0;
    SSL_set_bio(p->c, p->c_in, p->c_out);
    SSL_set_bio(p->s, p->s_in, p->s_out);
    SSL_set_connect_state(p->c);
    SSL_set_accept_state(p->s);
    SSL_set_tlsext_host_name(p->c, "localhost");
    SSL_set1_host(p->c, "localhost");
    return 1;
}

static void hpair_free(HPAIR *p)
{
    SSL_free(p->c);
    SSL_free(p->s);
}

/* take: everything |from| holds, into buf; its length. */
static size_t take(BIO *from, uint8_t *buf, size_t cap)
{
    size_t len = 0;
    int n;
    while (len < cap && (n = BIO_read(from, buf + len, (int)(cap - len))) > 0)
        len += (size_t)n;
    return len;
}

/* put: |len| bytes into the input of an SSL (a memory or a reset BIO). */
static void put(BIO *to, const uint8_t *buf, size_t len)
{
    if (len > 0)
        BIO_write(to, buf, (int)len);
}

/* eof: no more bytes will come (a memory BIO read then returns 0, EOF). */
static void eof(BIO *in)
{
    BIO_set_mem_eof_return(in, 0);
}

static void move(BIO *from, BIO *to)
{
    uint8_t buf[32768];
    put(to, buf, take(from, buf, sizeof(buf)));
}

static int hpair_handshake(HPAIR *p)
{
    for (int i = 0; i < 10; i++) {
        (void)SSL_do_handshake(p->c);
        move(p->c_out, p->s_in);
        (void)SSL_do_handshake(p->s);
        move(p->s_out, p->c_in);
    }
    ERR_clear_error();
    return SSL_is_init_finished(p->c) && SSL_is_init_finished(p->s);
}

static SSL_CTX *server_ctx(int ignore)
{
    SSL_CTX *c = pair_server_ctx(&pki);
    if (c == NULL)
        return NULL;
    SSL_CTX_set_info_callback(c, info_cb);
    if (ignore)
        SSL_CTX_set_options(c, SSL_OP_IGNORE_UNEXPECTED_EOF);
    return c;
}

static SSL_CTX *client_ctx(int version, int ignore)
{
    SSL_CTX *c = pair_client_ctx(&pki);
    if (c == NULL)
        return NULL;
    SSL_CTX_set_min_proto_version(c, version);
    SSL_CTX_set_max_proto_version(c, version);
    SSL_CTX_set_info_callback(c, info_cb);
    if (ignore)
        SSL_CTX_set_options(c, SSL_OP_IGNORE_UNEXPECTED_EOF);
    return c;
}

/* ---- what the SSL under test reports ------------------------------------ */

enum outcome {
    EOF_ERROR, /* SSL_ERROR_SSL, unexpected EOF, decode_error sent */
    CLOSED,    /* SSL_ERROR_ZERO_RETURN, nothing queued, no alert */
    RESET      /* SSL_ERROR_SYSCALL, nothing queued, errno ECONNRESET, no alert */
};

static const char *outcome_name(enum outcome o)
{
    return o == EOF_ERROR ? "unexpected EOF" : o == CLOSED ? "closed" : "reset";
}

/* expect_handshake_end: SSL_do_handshake on |s| (its input already ended)
 * returns what OpenSSL 3.0 returns for |o|; |what| names the case. */
static void expect_handshake_end(SSL *s, enum outcome o, const char *what)
{
    ERR_clear_error();
    alert_written = -1;
    errno = 0;
    int r = SSL_do_handshake(s);
    int err = errno;
    int e = SSL_get_error(s, r);
    unsigned long first = ERR_peek_error(), last = ERR_peek_last_error();
    int ok = test_failures;
    CHECK_EQ_INT(r, -1);
    CHECK_EQ_INT(SSL_in_init(s), 1);
    switch (o) {
    case EOF_ERROR:
        CHECK_EQ_INT(e, SSL_ERROR_SSL);
        /* exactly one error: nginx reads the reason of ERR_peek_last_error */
        CHECK(first == last);
        CHECK_EQ_INT(ERR_GET_LIB(first), ERR_LIB_SSL);
        CHECK_EQ_INT(ERR_GET_REASON(first), SSL_R_UNEXPECTED_EOF_WHILE_READING);
        CHECK_EQ_INT(alert_written, (SSL3_AL_FATAL << 8) | SSL_AD_DECODE_ERROR);
        CHECK_EQ_INT(SSL_get_shutdown(s), 0);
        break;
    case CLOSED:
        CHECK_EQ_INT(e, SSL_ERROR_ZERO_RETURN);
        CHECK_EQ_INT(first, 0);
        CHECK_EQ_INT(alert_written, -1);
        CHECK_EQ_INT(SSL_get_shutdown(s), SSL_RECEIVED_SHUTDOWN);
        break;
    case RESET:
        CHECK_EQ_INT(e, SSL_ERROR_SYSCALL);
        CHECK_EQ_INT(first, 0);
        CHECK_EQ_INT(err, ECONNRESET); /* nginx logs errno with SSL_ERROR_SYSCALL */
        CHECK_EQ_INT(alert_written, -1);
        CHECK_EQ_INT(SSL_get_shutdown(s), 0);
        break;
    }
    ERR_clear_error();
    /* and later: nothing queued (SSL_ERROR_SYSCALL after an error; ZERO_RETURN
     * after a close, SSL_read returning 0) */
    if (o != RESET) {
        char b[16];
        r = SSL_read(s, b, sizeof(b));
        e = SSL_get_error(s, r);
        CHECK_EQ_INT(ERR_peek_error(), 0);
        if (o == EOF_ERROR) {
            CHECK_EQ_INT(r, -1);
            CHECK_EQ_INT(e, SSL_ERROR_SYSCALL);
        } else {
            CHECK_EQ_INT(r, 0);
            CHECK_EQ_INT(e, SSL_ERROR_ZERO_RETURN);
        }
        ERR_clear_error();
    }
    if (test_failures != ok)
        fprintf(stderr, "  ... in: %s (expected: %s)\n", what, outcome_name(o));
}

/* ---- the server under test: the client hangs up --------------------------- */

enum point {
    AT_CONNECT,      /* nothing sent */
    AT_HEADER,       /* 3 bytes of the ClientHello's record header */
    AT_HALF_HELLO,   /* half of the ClientHello */
    AT_HELLO,        /* the whole ClientHello; the server answers, then waits */
    AT_SECOND,       /* the client's second flight, all but its last 3 bytes */
    AT_CLOSE_NOTIFY, /* the ClientHello, then a warning close_notify in clear */
    AT_RESET         /* the ClientHello, then the connection is reset */
};

static const char *point_name(enum point pt)
{
    static const char *const names[] = {"connect only",
                                        "3 bytes of the header",
                                        "half a ClientHello",
                                        "a whole ClientHello",
                                        "part of the second flight",
                                        "close_notify",
                                        "reset"};
    return names[pt];
}

static const uint8_t kCloseNotify[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00};

/* server_hangup: the client sends up to |pt| and goes away. */
static void server_hangup(int version, int ignore, enum point pt)
{
    char what[160];
    snprintf(what, sizeof(what), "server, TLS 1.%d, %s, client gone after %s",
             version == TLS1_3_VERSION ? 3 : 2,
             ignore ? "SSL_OP_IGNORE_UNEXPECTED_EOF" : "no option", point_name(pt));
    SSL_CTX *sctx = server_ctx(ignore), *cctx = client_ctx(version, 0);
    HPAIR p;
    REQUIRE(sctx && cctx && hpair_new(cctx, sctx, &p, pt == AT_RESET ? 's' : 0));
    static uint8_t buf[65536];
    (void)SSL_do_handshake(p.c);
    size_t n = take(p.c_out, buf, sizeof(buf));
    REQUIRE(n > 10);
    enum outcome o = ignore ? CLOSED : EOF_ERROR;
    switch (pt) {
    case AT_CONNECT:
        break;
    case AT_HEADER:
        put(p.s_in, buf, 3);
        break;
    case AT_HALF_HELLO:
        put(p.s_in, buf, n / 2);
        break;
    case AT_HELLO:
        put(p.s_in, buf, n);
        break;
    case AT_SECOND:
        put(p.s_in, buf, n);
        REQUIRE(SSL_do_handshake(p.s) == -1);
        move(p.s_out, p.c_in);
        (void)SSL_do_handshake(p.c);
        n = take(p.c_out, buf, sizeof(buf));
        REQUIRE(n > 3);
        put(p.s_in, buf, n - 3);
        break;
    case AT_CLOSE_NOTIFY:
        put(p.s_in, buf, n);
        put(p.s_in, kCloseNotify, sizeof(kCloseNotify));
        o = CLOSED; /* with or without the option */
        break;
    case AT_RESET:
        put(p.s_in, buf, n);
        REQUIRE(SSL_do_handshake(p.s) == -1);
        ERR_clear_error();
        reset_bio_fail(p.s_in);
        o = RESET;
        break;
    }
    if (pt != AT_RESET)
        eof(p.s_in);
    expect_handshake_end(p.s, o, what);
    hpair_free(&p);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_server_client_hangs_up(void)
{
    static const int versions[] = {TLS1_3_VERSION, TLS1_2_VERSION};
    for (size_t v = 0; v < 2; v++)
        for (int ignore = 0; ignore < 2; ignore++)
            for (int pt = AT_CONNECT; pt <= AT_RESET; pt++)
                server_hangup(versions[v], ignore, (enum point)pt);
}

/* ---- the client under test: the server hangs up --------------------------- */

enum cpoint {
    C_AT_HELLO,        /* the server read the ClientHello and went away */
    C_AT_HALF_FLIGHT,  /* half of the server's first flight */
    C_AT_SECOND,       /* TLS 1.2: the server's CCS and Finished, all but 3 bytes */
    C_AT_CLOSE_NOTIFY, /* a warning close_notify in clear */
    C_AT_RESET
};

static void client_hangup(int version, int ignore, enum cpoint pt)
{
    static const char *const names[] = {"the ClientHello", "half its first flight",
                                        "part of its second flight", "close_notify", "reset"};
    char what[160];
    snprintf(what, sizeof(what), "client, TLS 1.%d, %s, server gone after %s",
             version == TLS1_3_VERSION ? 3 : 2,
             ignore ? "SSL_OP_IGNORE_UNEXPECTED_EOF" : "no option", names[pt]);
    SSL_CTX *sctx = server_ctx(0), *cctx = client_ctx(version, ignore);
    HPAIR p;
    REQUIRE(sctx && cctx && hpair_new(cctx, sctx, &p, pt == C_AT_RESET ? 'c' : 0));
    static uint8_t buf[65536];
    REQUIRE(SSL_do_handshake(p.c) == -1);
    move(p.c_out, p.s_in);
    enum outcome o = ignore ? CLOSED : EOF_ERROR;
    size_t n;
    switch (pt) {
    case C_AT_HELLO:
        break;
    case C_AT_HALF_FLIGHT:
        (void)SSL_do_handshake(p.s);
        n = take(p.s_out, buf, sizeof(buf));
        REQUIRE(n > 10);
        put(p.c_in, buf, n / 2);
        break;
    case C_AT_SECOND:
        (void)SSL_do_handshake(p.s);
        move(p.s_out, p.c_in);
        REQUIRE(SSL_do_handshake(p.c) == -1); /* TLS 1.2: waits for CCS, Finished */
        move(p.c_out, p.s_in);
        (void)SSL_do_handshake(p.s);
        n = take(p.s_out, buf, sizeof(buf));
        REQUIRE(n > 3);
        put(p.c_in, buf, n - 3);
        break;
    case C_AT_CLOSE_NOTIFY:
        put(p.c_in, kCloseNotify, sizeof(kCloseNotify));
        o = CLOSED;
        break;
    case C_AT_RESET:
        ERR_clear_error();
        reset_bio_fail(p.c_in);
        o = RESET;
        break;
    }
    if (pt != C_AT_RESET)
        eof(p.c_in);
    expect_handshake_end(p.c, o, what);
    hpair_free(&p);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_client_server_hangs_up(void)
{
    for (int ignore = 0; ignore < 2; ignore++) {
        for (int pt = C_AT_HELLO; pt <= C_AT_RESET; pt++) {
            client_hangup(TLS1_2_VERSION, ignore, (enum cpoint)pt);
            if (pt != C_AT_SECOND) /* TLS 1.3: the client completes on the first flight */
                client_hangup(TLS1_3_VERSION, ignore, (enum cpoint)pt);
        }
    }
}

/* ---- after the handshake: EOF without close_notify ----------------------- */

/* The client completes the handshake, sends |data| (or nothing) and goes
 * away without close_notify: the server reads the data, then 0 --
 * SSL_ERROR_SSL (unexpected EOF, decode_error sent), or with
 * SSL_OP_IGNORE_UNEXPECTED_EOF SSL_ERROR_ZERO_RETURN as after close_notify. */
static void read_after_handshake(int version, int ignore, const char *data)
{
    SSL_CTX *sctx = server_ctx(ignore), *cctx = client_ctx(version, 0);
    HPAIR p;
    REQUIRE(sctx && cctx && hpair_new(cctx, sctx, &p, 0));
    REQUIRE(hpair_handshake(&p));
    if (data != NULL) {
        REQUIRE(SSL_write(p.c, data, (int)strlen(data)) == (int)strlen(data));
        move(p.c_out, p.s_in);
    }
    eof(p.s_in);
    char b[64];
    int r;
    if (data != NULL) {
        CHECK_EQ_INT(SSL_read(p.s, b, sizeof(b)), (int)strlen(data));
    }
    ERR_clear_error();
    alert_written = -1;
    r = SSL_read(p.s, b, sizeof(b));
    int e = SSL_get_error(p.s, r);
    CHECK_EQ_INT(r, 0);
    if (ignore) {
        CHECK_EQ_INT(e, SSL_ERROR_ZERO_RETURN);
        CHECK_EQ_INT(ERR_peek_error(), 0);
        CHECK_EQ_INT(alert_written, -1);
        CHECK_EQ_INT(SSL_get_shutdown(p.s), SSL_RECEIVED_SHUTDOWN);
        /* a clean close: SSL_shutdown sends our close_notify and is done */
        CHECK_EQ_INT(SSL_shutdown(p.s), 1);
    } else {
        CHECK_EQ_INT(e, SSL_ERROR_SSL);
        CHECK_EQ_INT(ERR_GET_REASON(ERR_peek_error()), SSL_R_UNEXPECTED_EOF_WHILE_READING);
        CHECK(ERR_peek_error() == ERR_peek_last_error());
        CHECK_EQ_INT(alert_written, (SSL3_AL_FATAL << 8) | SSL_AD_DECODE_ERROR);
        CHECK_EQ_INT(SSL_get_shutdown(p.s), 0);
        ERR_clear_error();
        r = SSL_read(p.s, b, sizeof(b));
        CHECK_EQ_INT(r, -1);
        CHECK_EQ_INT(SSL_get_error(p.s, r), SSL_ERROR_SYSCALL);
    }
    ERR_clear_error();
    hpair_free(&p);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_eof_after_handshake(void)
{
    static const int versions[] = {TLS1_3_VERSION, TLS1_2_VERSION};
    for (size_t v = 0; v < 2; v++) {
        for (int ignore = 0; ignore < 2; ignore++) {
            int before = test_failures;
            read_after_handshake(versions[v], ignore, NULL);
            read_after_handshake(versions[v], ignore, "hello");
            if (test_failures != before)
                fprintf(stderr, "  ... in: EOF after the handshake, TLS 1.%d, %s\n",
                        versions[v] == TLS1_3_VERSION ? 3 : 2, ignore ? "option" : "no option");
        }
    }
}

/* ---- the server's session cache when a resuming client hangs up ---------- */

static int removed;

static void remove_cb(SSL_CTX *ctx, SSL_SESSION *sess)
{
    (void)ctx;
    (void)sess;
    removed++;
}

/* A TLS 1.2 client resumes a session from the server's cache (by id) and
 * goes away once the server has answered (ServerHello, ChangeCipherSpec,
 * Finished): after an unexpected EOF the server removes the session (its
 * fatal alert does); after a close (the option, or close_notify) or a reset
 * it keeps it.  (After close_notify OpenSSL reads on at the next call, and
 * an EOF there is unexpected: only one call is made here.) */
static void resumed_hangup(enum point pt, int ignore, int expect_kept)
{
    SSL_CTX *sctx = server_ctx(ignore), *cctx = client_ctx(TLS1_2_VERSION, 0);
    REQUIRE(sctx && cctx);
    SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    SSL_CTX_sess_set_remove_cb(sctx, remove_cb);
    HPAIR p;
    REQUIRE(hpair_new(cctx, sctx, &p, 0) && hpair_handshake(&p));
    SSL_SESSION *sess = SSL_get1_session(p.c);
    REQUIRE(sess != NULL);
    SSL_shutdown(p.c);
    move(p.c_out, p.s_in);
    SSL_shutdown(p.s);
    hpair_free(&p);
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), 1);

    REQUIRE(hpair_new(cctx, sctx, &p, pt == AT_RESET ? 's' : 0));
    SSL_set_session(p.c, sess);
    REQUIRE(SSL_do_handshake(p.c) == -1);
    move(p.c_out, p.s_in);
    if (pt == AT_CLOSE_NOTIFY)
        put(p.s_in, kCloseNotify, sizeof(kCloseNotify));
    removed = 0;
    int r = SSL_do_handshake(p.s);
    CHECK_EQ_INT(r, -1);
    CHECK_EQ_INT(SSL_session_reused(p.s), 1);
    if (pt != AT_CLOSE_NOTIFY) {
        CHECK_EQ_INT(SSL_get_error(p.s, r), SSL_ERROR_WANT_READ);
        if (pt == AT_RESET)
            reset_bio_fail(p.s_in);
        else
            eof(p.s_in);
        ERR_clear_error();
        r = SSL_do_handshake(p.s);
    }
    CHECK_EQ_INT(SSL_get_error(p.s, r), pt == AT_RESET                    ? SSL_ERROR_SYSCALL
                                        : pt == AT_CLOSE_NOTIFY || ignore ? SSL_ERROR_ZERO_RETURN
                                                                          : SSL_ERROR_SSL);
    ERR_clear_error();
    hpair_free(&p);
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), expect_kept);
    CHECK_EQ_INT(removed, !expect_kept);
    if (SSL_CTX_sess_number(sctx) != expect_kept)
        fprintf(stderr, "  ... in: resumed, client gone (%s, %s)\n", point_name(pt),
                ignore ? "option" : "no option");
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_session_kept_unless_unexpected_eof(void)
{
    resumed_hangup(AT_HELLO, 0, 0);
    resumed_hangup(AT_HELLO, 1, 1);
    resumed_hangup(AT_CLOSE_NOTIFY, 0, 1);
    resumed_hangup(AT_RESET, 0, 1);
}

TEST_MAIN({
    pair_pki_init(&pki);
    CONTROL_RUN();
    RUN(test_server_client_hangs_up);
    RUN(test_client_server_hangs_up);
    RUN(test_eof_after_handshake);
    RUN(test_session_kept_unless_unexpected_eof);
    pair_pki_free(&pki);
    BIO_meth_free(reset_method());
})

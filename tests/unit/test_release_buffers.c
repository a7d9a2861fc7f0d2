/* test_release_buffers.c - data still flows, byte for byte and with
 * OpenSSL's read semantics, when the record, handshake and output buffers
 * come and go (always) and the cipher contexts are released while idle
 * (SSL_MODE_RELEASE_BUFFERS).  Every scenario runs in TLS 1.3 and TLS 1.2,
 * without and with SSL_MODE_RELEASE_BUFFERS:
 *
 *   test_large_writes: 300 KB each way through a 4 KB BIO pair, so that
 *   SSL_write returns SSL_ERROR_WANT_WRITE with a record half written (the
 *   output buffer must stay until it is flushed) and is retried; the reader
 *   takes 1,000 bytes at a time (partial records).
 *   test_pending_peek_partial: over memory BIOs with the bytes delivered by
 *   hand: SSL_peek, SSL_pending, SSL_has_pending on a record read in part,
 *   and on a record that arrived in part (header only, half its body).
 *   test_key_update_while_idle (TLS 1.3): KeyUpdate with update_requested
 *   both ways between idle periods, data checked after each.
 *   test_tickets_while_idle (TLS 1.3): the server sends more tickets to an
 *   idle client (SSL_new_session_ticket); the client takes them in SSL_read
 *   and the connection goes on.
 * After each step where both sides wait for the other, neither holds a
 * buffer, and with SSL_MODE_RELEASE_BUFFERS neither a keyed context. */
#include "testutil.h"

#include "pair.h"

#include "record/record_io.h"

static TEST_PKI pki;
static int tickets_seen;

static int new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
    (void)ssl;
    (void)sess;
    tickets_seen++;
    return 0;
}

struct mode {
    int version;
    int release_buffers;
};

static const struct mode k_modes[] = {
    {TLS1_3_VERSION, 0},
    {TLS1_3_VERSION, 1},
    {TLS1_2_VERSION, 0},
    {TLS1_2_VERSION, 1},
};

static void mode_print(const struct mode *m)
{
    fprintf(stderr, "  (TLS 1.%d%s)\n", m->version == TLS1_3_VERSION ? 3 : 2,
            m->release_buffers ? ", SSL_MODE_RELEASE_BUFFERS" : "");
}

static void make_ctxs(const struct mode *m, SSL_CTX **out_s, SSL_CTX **out_c)
{
    SSL_CTX *s = pair_server_ctx(&pki), *c = pair_client_ctx(&pki);
    CHECK(s != NULL && c != NULL);
    CHECK(SSL_CTX_set_min_proto_version(s, m->version) &&
          SSL_CTX_set_max_proto_version(s, m->version));
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT);
    SSL_CTX_sess_set_new_cb(c, new_session_cb);
    if (m->release_buffers) {
        SSL_CTX_set_mode(s, SSL_MODE_RELEASE_BUFFERS);
        SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
    }
    *out_s = s;
    *out_c = c;
}

/* idle: |x| waits for its peer: no buffer, and with
 * SSL_MODE_RELEASE_BUFFERS no keyed cipher context. */
static int idle(const SSL *x, const struct mode *m)
{
    const struct rec_layer *rl = &x->rl;
    int ok = rl->rbuf == NULL && rl->wbuf == NULL && rl->hbuf == NULL;
    if (m->release_buffers)
        ok = ok && !rl->rd.keyed && !rl->wr.keyed;
    return ok;
}

/* read_would_block: SSL_read finds nothing (and so goes idle). */
static int read_would_block(SSL *x)
{
    unsigned char b;
    int r = SSL_read(x, &b, 1);
    return r < 0 && SSL_get_error(x, r) == SSL_ERROR_WANT_READ;
}

/* ---- memory BIOs, bytes moved by hand ---- */

typedef struct {
    SSL *c, *s;
    BIO *c_in, *c_out, *s_in, *s_out; /* borrowed: the SSLs own them */
} LINK;

static int link_new(LINK *l, SSL_CTX *sctx, SSL_CTX *cctx)
{
    memset(l, 0, sizeof(*l));
    l->c = SSL_new(cctx);
    l->s = SSL_new(sctx);
    l->c_in = BIO_new(BIO_s_mem());
    l->c_out = BIO_new(BIO_s_mem());
    l->s_in = BIO_new(BIO_s_mem());
    l->s_out = BIO_new(BIO_s_mem());
    if (l->c == NULL || l->s == NULL || !l->c_in || !l->c_out || !l->s_in || !l->s_out)
        return 0;
    SSL_set_bio(l->c, l->c_in, l->c_out);
    SSL_set_bio(l->s, l->s_in, l->s_out);
    SSL_set_connect_state(l->c);
    SSL_set_accept_state(l->s);
    return 1;
}

static void link_free(LINK *l)
{
    SSL_free(l->c);
    SSL_free(l->s);
}

/* move up to |max| bytes from one side's output to the other's input. */
static size_t move(BIO *from, BIO *to, size_t max)
{
    unsigned char tmp[4096];
    size_t done = 0;
    while (done < max) {
        size_t want = max - done < sizeof(tmp) ? max - done : sizeof(tmp);
        int n = BIO_read(from, tmp, (int)want);
        if (n <= 0)
            break;
        if (BIO_write(to, tmp, n) != n)
            break;
        done += (size_t)n;
    }
    return done;
}

static void flow(LINK *l)
{
    move(l->c_out, l->s_in, SIZE_MAX);
    move(l->s_out, l->c_in, SIZE_MAX);
}

static int link_handshake(LINK *l)
{
    int cdone = 0, sdone = 0;
    for (int i = 0; i < 100 && !(cdone && sdone); i++) {
        if (!cdone) {
            int r = SSL_do_handshake(l->c);
            if (r == 1)
                cdone = 1;
            else if (SSL_get_error(l->c, r) != SSL_ERROR_WANT_READ)
                return 0;
        }
        flow(l);
        if (!sdone) {
            int r = SSL_do_handshake(l->s);
            if (r == 1)
                sdone = 1;
            else if (SSL_get_error(l->s, r) != SSL_ERROR_WANT_READ)
                return 0;
        }
        flow(l);
    }
    /* both wait for the other: the client takes the tickets */
    return cdone && sdone && read_would_block(l->c) && read_would_block(l->s);
}

/* send_and_check: |n| bytes from |w| arrive at |r| in one piece. */
static int send_and_check(LINK *l, SSL *w, SSL *r, const char *msg)
{
    char buf[256];
    int n = (int)strlen(msg);
    if (SSL_write(w, msg, n) != n)
        return 0;
    flow(l);
    int got = SSL_read(r, buf, sizeof(buf));
    return got == n && memcmp(buf, msg, (size_t)n) == 0;
}

/* ---- scenarios ---- */

#define BIG (300 * 1024)

/* one direction of test_large_writes */
static void big_transfer(SSL *w, SSL *r, const struct mode *m)
{
    static unsigned char out[BIG], in[BIG];
    for (size_t i = 0; i < BIG; i++)
        out[i] = (unsigned char)(i * 131 + (i >> 11));
    size_t sent = 0, got = 0;
    int blocked = 0;
    for (int i = 0; i < 100000 && got < BIG; i++) {
        if (sent < BIG) {
            /* a retried write gives the same arguments */
            int n = SSL_write(w, out + sent, (int)(BIG - sent));
            if (n > 0) {
                CHECK_EQ_INT(n, (int)(BIG - sent));
                sent += (size_t)n;
            } else if (CHECK(SSL_get_error(w, n) == SSL_ERROR_WANT_WRITE)) {
                /* a record waits in the output buffer until it is written */
                blocked++;
                CHECK(w->rl.wbuf != NULL && rec_pending_output(w) > 0);
            }
        }
        for (;;) {
            size_t want = BIG - got < 1000 ? BIG - got : 1000;
            if (want == 0)
                break;
            int n = SSL_read(r, in + got, (int)want);
            if (n <= 0) {
                CHECK_EQ_INT(SSL_get_error(r, n), SSL_ERROR_WANT_READ);
                break;
            }
            got += (size_t)n;
        }
    }
    CHECK(blocked > 0); /* the 4 KB pipe did make the writer wait */
    if (!CHECK(got == BIG && memcmp(in, out, BIG) == 0))
        mode_print(m);
    CHECK(read_would_block(r) && read_would_block(w));
    if (!CHECK(idle(w, m) && idle(r, m)))
        fprintf(stderr, "  w: %p %p %p %d %d  r: %p %p %p %d %d\n", (void *)w->rl.rbuf,
                (void *)w->rl.wbuf, (void *)w->rl.hbuf, w->rl.rd.keyed, w->rl.wr.keyed,
                (void *)r->rl.rbuf, (void *)r->rl.wbuf, (void *)r->rl.hbuf, r->rl.rd.keyed,
                r->rl.wr.keyed);
}

static void test_large_writes(void)
{
    for (size_t i = 0; i < sizeof(k_modes) / sizeof(k_modes[0]); i++) {
        const struct mode *m = &k_modes[i];
        SSL_CTX *sctx, *cctx;
        make_ctxs(m, &sctx, &cctx);
        SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
        BIO *b1 = NULL, *b2 = NULL;
        REQUIRE(c != NULL && s != NULL && BIO_new_bio_pair(&b1, 4096, &b2, 4096));
        SSL_set_bio(c, b1, b1);
        SSL_set_bio(s, b2, b2);
        SSL_set_connect_state(c);
        SSL_set_accept_state(s);
        if (CHECK(pair_handshake(c, s))) {
            CHECK(read_would_block(c) && read_would_block(s));
            big_transfer(s, c, m);
            big_transfer(c, s, m);
            CHECK(SSL_shutdown(c) == 0);
            CHECK(SSL_shutdown(s) == 0 || SSL_get_shutdown(s) & SSL_RECEIVED_SHUTDOWN);
        }
        SSL_free(c);
        SSL_free(s);
        SSL_CTX_free(sctx);
        SSL_CTX_free(cctx);
    }
}

static void pending_peek_partial(const struct mode *m)
{
    SSL_CTX *sctx, *cctx;
    LINK l;
    make_ctxs(m, &sctx, &cctx);
    REQUIRE(link_new(&l, sctx, cctx));
    if (!CHECK(link_handshake(&l)))
        goto out;
    CHECK(idle(l.c, m) && idle(l.s, m));
    static char msg[3000], buf[5000];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (char)('a' + i % 23);

    /* a record read in part: SSL_peek, then SSL_read in pieces */
    CHECK_EQ_INT(SSL_write(l.s, msg, sizeof(msg)), (int)sizeof(msg));
    CHECK(l.s->rl.wbuf == NULL); /* all written: released */
    flow(&l);
    CHECK_EQ_INT(SSL_pending(l.c), 0);
    CHECK_EQ_INT(SSL_peek(l.c, buf, 100), 100);
    CHECK(memcmp(buf, msg, 100) == 0);
    CHECK_EQ_INT(SSL_pending(l.c), (int)sizeof(msg));
    CHECK_EQ_INT(SSL_has_pending(l.c), 1);
    CHECK(l.c->rl.rbuf != NULL); /* the plaintext is still there */
    CHECK_EQ_INT(SSL_read(l.c, buf, 1000), 1000);
    CHECK(memcmp(buf, msg, 1000) == 0);
    CHECK_EQ_INT(SSL_pending(l.c), (int)sizeof(msg) - 1000);
    CHECK_EQ_INT(SSL_peek(l.c, buf, 10), 10);
    CHECK(memcmp(buf, msg + 1000, 10) == 0);
    CHECK_EQ_INT(SSL_read(l.c, buf, sizeof(buf)), (int)sizeof(msg) - 1000);
    CHECK(memcmp(buf, msg + 1000, sizeof(msg) - 1000) == 0);
    CHECK_EQ_INT(SSL_pending(l.c), 0);
    CHECK_EQ_INT(SSL_has_pending(l.c), 0);
    CHECK(l.c->rl.rbuf == NULL); /* consumed: released on the way out */
    CHECK(read_would_block(l.c) && idle(l.c, m));

    /* a record that arrives in part: 3 bytes of its header, then the rest
     * of the header and half the body, then the rest */
    CHECK_EQ_INT(SSL_write(l.s, msg, sizeof(msg)), (int)sizeof(msg));
    size_t total = (size_t)BIO_ctrl_pending(l.s_out);
    CHECK(total > sizeof(msg));
    CHECK_EQ_INT((int)move(l.s_out, l.c_in, 3), 3);
    CHECK(read_would_block(l.c));
    CHECK_EQ_INT(SSL_has_pending(l.c), 1);
    CHECK_EQ_INT(SSL_pending(l.c), 0);
    CHECK(l.c->rl.rbuf == NULL); /* no body yet, no buffer */
    move(l.s_out, l.c_in, total / 2);
    CHECK_EQ_INT(SSL_peek(l.c, buf, 10), -1);
    CHECK_EQ_INT(SSL_get_error(l.c, -1), SSL_ERROR_WANT_READ);
    CHECK_EQ_INT(SSL_has_pending(l.c), 1);
    CHECK(l.c->rl.rbuf != NULL); /* half a body held */
    move(l.s_out, l.c_in, SIZE_MAX);
    CHECK_EQ_INT(SSL_peek(l.c, buf, 10), 10);
    CHECK_EQ_INT(SSL_read(l.c, buf, sizeof(buf)), (int)sizeof(msg));
    CHECK(memcmp(buf, msg, sizeof(msg)) == 0);
    CHECK_EQ_INT(SSL_has_pending(l.c), 0);
    CHECK(read_would_block(l.c) && idle(l.c, m));

    /* and back */
    CHECK(send_and_check(&l, l.c, l.s, "and the other way"));
    CHECK(read_would_block(l.s) && read_would_block(l.c) && idle(l.s, m) && idle(l.c, m));
out:
    link_free(&l);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_pending_peek_partial(void)
{
    for (size_t i = 0; i < sizeof(k_modes) / sizeof(k_modes[0]); i++) {
        int before = test_failures;
        pending_peek_partial(&k_modes[i]);
        if (test_failures != before)
            mode_print(&k_modes[i]);
    }
}

static void key_update_while_idle(const struct mode *m)
{
    SSL_CTX *sctx, *cctx;
    LINK l;
    make_ctxs(m, &sctx, &cctx);
    REQUIRE(link_new(&l, sctx, cctx));
    if (!CHECK(link_handshake(&l)))
        goto out;
    for (int round = 0; round < 3; round++) {
        /* the client asks for a KeyUpdate; the server answers with its own */
        CHECK(SSL_key_update(l.c, SSL_KEY_UPDATE_REQUESTED) == 1);
        CHECK(send_and_check(&l, l.c, l.s, "after the client's KeyUpdate"));
        CHECK(read_would_block(l.s));
        CHECK(send_and_check(&l, l.s, l.c, "after the server's answer"));
        CHECK(read_would_block(l.c) && read_would_block(l.s) && idle(l.c, m) && idle(l.s, m));
        /* the other way */
        CHECK(SSL_key_update(l.s, SSL_KEY_UPDATE_REQUESTED) == 1);
        CHECK(send_and_check(&l, l.s, l.c, "after the server's KeyUpdate"));
        CHECK(read_would_block(l.c));
        CHECK(send_and_check(&l, l.c, l.s, "after the client's answer"));
        CHECK(read_would_block(l.s) && read_would_block(l.c) && idle(l.c, m) && idle(l.s, m));
    }
    /* close_notify each way, with the keys made again if they were released */
    CHECK(SSL_shutdown(l.c) == 0);
    flow(&l);
    unsigned char b;
    CHECK(SSL_read(l.s, &b, 1) == 0 && SSL_get_error(l.s, 0) == SSL_ERROR_ZERO_RETURN);
    CHECK(SSL_shutdown(l.s) == 1);
    flow(&l);
    CHECK(SSL_shutdown(l.c) == 1);
out:
    link_free(&l);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_key_update_while_idle(void)
{
    for (size_t i = 0; i < sizeof(k_modes) / sizeof(k_modes[0]); i++) {
        if (k_modes[i].version != TLS1_3_VERSION)
            continue;
        int before = test_failures;
        key_update_while_idle(&k_modes[i]);
        if (test_failures != before)
            mode_print(&k_modes[i]);
    }
}

static void tickets_while_idle(const struct mode *m)
{
    SSL_CTX *sctx, *cctx;
    LINK l;
    make_ctxs(m, &sctx, &cctx);
    REQUIRE(link_new(&l, sctx, cctx));
    tickets_seen = 0;
    if (!CHECK(link_handshake(&l)))
        goto out;
    CHECK_EQ_INT(tickets_seen, 2);
    CHECK(idle(l.c, m) && idle(l.s, m));
    for (int round = 0; round < 3; round++) {
        CHECK(SSL_new_session_ticket(l.s) == 1);
        CHECK(SSL_new_session_ticket(l.s) == 1);
        CHECK(SSL_do_handshake(l.s) == 1); /* sends them */
        CHECK(l.s->rl.wbuf == NULL);
        flow(&l);
        CHECK(read_would_block(l.c)); /* takes them */
        CHECK_EQ_INT(tickets_seen, 4 + 2 * round);
        CHECK(idle(l.c, m));
        CHECK(send_and_check(&l, l.c, l.s, "after the tickets"));
        CHECK(send_and_check(&l, l.s, l.c, "and back"));
        CHECK(read_would_block(l.c) && read_would_block(l.s) && idle(l.c, m) && idle(l.s, m));
    }
    /* a ticket and data in one flight */
    CHECK(SSL_new_session_ticket(l.s) == 1);
    CHECK(send_and_check(&l, l.s, l.c, "data behind a ticket"));
    CHECK_EQ_INT(tickets_seen, 9);
out:
    link_free(&l);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_tickets_while_idle(void)
{
    for (size_t i = 0; i < sizeof(k_modes) / sizeof(k_modes[0]); i++) {
        if (k_modes[i].version != TLS1_3_VERSION)
            continue;
        int before = test_failures;
        tickets_while_idle(&k_modes[i]);
        if (test_failures != before)
            mode_print(&k_modes[i]);
    }
}

TEST_MAIN({
    pair_pki_init(&pki);
    if (pki.leaf == NULL) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    RUN(test_large_writes);
    RUN(test_pending_peek_partial);
    RUN(test_key_update_while_idle);
    RUN(test_tickets_while_idle);
    pair_pki_free(&pki);
})

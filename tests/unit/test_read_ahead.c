/* test_read_ahead.c - SSL_set_read_ahead / SSL_CTX_set_read_ahead (nginx
 * sets it): one read of the transport takes what it has, beyond the record
 * being read, and the records are served from it before the BIO is read
 * again.  Over memory BIOs with the bytes moved by hand, TLS 1.3 and 1.2:
 *   - three records delivered at once: with read-ahead the first SSL_read
 *     drains the BIO (without it, the later records stay in the BIO), then
 *     SSL_pending is 0 but SSL_has_pending 1 (OpenSSL: unprocessed bytes
 *     count), and the next reads need nothing from the BIO;
 *   - the bytes delivered in 7-byte pieces, and the whole handshake with
 *     read-ahead on both sides, with 100 KB each way: every byte arrives;
 *   - nothing is held once everything was read (the read-ahead buffer is
 *     released like the others). */
#include "testutil.h"

#include <string.h>

#include "pair.h"

#include "internal.h"

static TEST_PKI pki;

typedef struct {
    SSL *c, *s;
    BIO *c_in, *c_out, *s_in, *s_out;
} MEMPAIR;

static BIO *mem(void)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (b != NULL)
        BIO_set_mem_eof_return(b, -1);
    return b;
}

/* move: what |from| holds to |to|, in pieces of |piece| bytes (0: at once) */
static void move(BIO *from, BIO *to, int piece)
{
    static char buf[1 << 18];
    int n = BIO_read(from, buf, sizeof(buf));
    for (int off = 0; n > 0 && off < n;) {
        int k = piece > 0 && n - off > piece ? piece : n - off;
        BIO_write(to, buf + off, k);
        off += k;
    }
}

static int mp_new(MEMPAIR *p, int version, int ahead_c, int ahead_s)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    memset(p, 0, sizeof(*p));
    if (sctx == NULL || cctx == NULL)
        goto err;
    SSL_CTX_set_max_proto_version(cctx, version);
    SSL_CTX_set_read_ahead(cctx, ahead_c);
    SSL_CTX_set_read_ahead(sctx, ahead_s);
    p->c = SSL_new(cctx);
    p->s = SSL_new(sctx);
    p->c_in = mem(), p->c_out = mem(), p->s_in = mem(), p->s_out = mem();
    if (!p->c || !p->s || !p->c_in || !p->c_out || !p->s_in || !p->s_out)
        goto err;
    SSL_set_bio(p->c, p->c_in, p->c_out);
    SSL_set_bio(p->s, p->s_in, p->s_out);
    SSL_set_connect_state(p->c);
    SSL_set_accept_state(p->s);
    SSL_set_tlsext_host_name(p->c, "localhost");
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    return 1;
err:
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    return 0;
}

static void mp_free(MEMPAIR *p)
{
    SSL_free(p->c);
    SSL_free(p->s);
}

/* mp_handshake: both sides to the end, flights moved in |piece|-byte
 * pieces; the client then reads what follows (TLS 1.3 tickets). */
static int mp_handshake(MEMPAIR *p, int piece)
{
    int cdone = 0, sdone = 0;
    for (int i = 0; i < 100 && !(cdone && sdone); i++) {
        int r = cdone ? 1 : SSL_do_handshake(p->c);
        if (r == 1)
            cdone = 1;
        else if (SSL_get_error(p->c, r) != SSL_ERROR_WANT_READ)
            return 0;
        move(p->c_out, p->s_in, piece);
        r = sdone ? 1 : SSL_do_handshake(p->s);
        if (r == 1)
            sdone = 1;
        else if (SSL_get_error(p->s, r) != SSL_ERROR_WANT_READ)
            return 0;
        move(p->s_out, p->c_in, piece);
    }
    char b[1];
    int r = SSL_read(p->c, b, 1); /* the tickets, if any */
    ERR_clear_error();
    return cdone && sdone && r <= 0 && SSL_get_error(p->c, r) == SSL_ERROR_WANT_READ;
}

static void test_three_records(void)
{
    for (int v = 0; v < 2; v++) {
        int version = v ? TLS1_2_VERSION : TLS1_3_VERSION;
        for (int ahead = 0; ahead < 2; ahead++) {
            MEMPAIR p;
            REQUIRE(mp_new(&p, version, ahead, 0));
            REQUIRE(mp_handshake(&p, 0));
            CHECK_EQ_INT(SSL_get_read_ahead(p.c), ahead);
            CHECK(SSL_write(p.s, "one", 3) == 3 && SSL_write(p.s, "two!", 4) == 4 &&
                  SSL_write(p.s, "three", 5) == 5);
            move(p.s_out, p.c_in, 0);
            char b[16];
            CHECK(SSL_read(p.c, b, 3) == 3 && memcmp(b, "one", 3) == 0);
            CHECK_EQ_INT(SSL_pending(p.c), 0);
            /* OpenSSL's SSL_has_pending: bytes read but not processed */
            CHECK_EQ_INT(SSL_has_pending(p.c), ahead);
            /* read-ahead took all the transport had; without it the other
             * records wait in the BIO */
            CHECK_EQ_INT(BIO_pending(p.c_in) == 0, ahead);
            CHECK(SSL_read(p.c, b, sizeof(b)) == 4 && memcmp(b, "two!", 4) == 0);
            CHECK(SSL_read(p.c, b, sizeof(b)) == 5 && memcmp(b, "three", 5) == 0);
            CHECK_EQ_INT(SSL_has_pending(p.c), 0);
            int r = SSL_read(p.c, b, sizeof(b));
            CHECK(r <= 0 && SSL_get_error(p.c, r) == SSL_ERROR_WANT_READ);
            CHECK(p.c->rl.ahead == NULL && p.c->rl.rbuf == NULL);
            mp_free(&p);
        }
    }
}

static void test_pieces_and_bulk(void)
{
    static uint8_t out[100000], in[100000];
    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (uint8_t)(i * 31 + 7);
    for (int v = 0; v < 2; v++) {
        int version = v ? TLS1_2_VERSION : TLS1_3_VERSION;
        for (int piece = 0; piece <= 7; piece += 7) {
            MEMPAIR p;
            REQUIRE(mp_new(&p, version, 1, 1));
            REQUIRE(mp_handshake(&p, piece));
            for (int dir = 0; dir < 2; dir++) {
                SSL *w = dir ? p.s : p.c, *r = dir ? p.c : p.s;
                BIO *wo = dir ? p.s_out : p.c_out, *ri = dir ? p.c_in : p.s_in;
                size_t got = 0;
                for (size_t off = 0; off < sizeof(out); off += 20000) {
                    CHECK(SSL_write(w, out + off, 20000) == 20000);
                    move(wo, ri, piece ? 1000 + piece : 0);
                    int n;
                    while ((n = SSL_read(r, in + got, (int)(sizeof(in) - got))) > 0)
                        got += (size_t)n;
                    ERR_clear_error();
                }
                CHECK_EQ_INT((int)got, (int)sizeof(out));
                CHECK(memcmp(in, out, sizeof(out)) == 0);
                CHECK(r->rl.ahead == NULL);
            }
            mp_free(&p);
        }
    }
}

TEST_MAIN({
    pair_pki_init(&pki);
    RUN(test_three_records);
    RUN(test_pieces_and_bulk);
    pair_pki_free(&pki);
})

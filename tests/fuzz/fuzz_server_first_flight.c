/* Fuzz target: a TLS server's handling of the client's first flight, through
 * the public API (record layer, handshake driver, ClientHello processing,
 * PSK / ticket resumption, HelloRetryRequest, early data, and whatever
 * records follow the ClientHello).
 *
 * An SSL server (fuzz_server_ctx: P-256 certificate, stateless tickets with
 * the fixed keys, fixed clock; early data allowed) reads the input from a
 * memory BIO that reports WANT_READ when empty.  SSL_accept must never
 * crash, and must return an error (SSL_ERROR_SSL) or want more
 * (SSL_ERROR_WANT_READ): no client can finish a handshake blind, since the
 * client Finished depends on the server's fresh key share and random.
 *
 * Input: the bytes a client sends, as on the wire (records).  The input is
 * given in two parts, SSL_accept being called after each, to exercise the
 * resumption of the state machine after WANT_READ: the split point is the
 * end of the first record (the ClientHello for the corpus inputs). */
#include "fuzz_common.h"

static SSL_CTX *g_ctx;

/* Exercise the ALPN and SNI callbacks with what the ClientHello carried. */
static int alpn_cb(SSL *s, const unsigned char **out, unsigned char *out_len,
                   const unsigned char *in, unsigned int in_len, void *arg)
{
    static const unsigned char ours[] = "\x02h2\x08http/1.1";
    (void)s;
    (void)arg;
    if (SSL_select_next_proto((unsigned char **)out, out_len, ours, sizeof(ours) - 1, in, in_len) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    return SSL_TLSEXT_ERR_OK;
}

static int sni_cb(SSL *s, int *alert, void *arg)
{
    (void)alert;
    (void)arg;
    const char *name = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
    if (name != NULL && strcmp(name, "reject.example") == 0)
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    return SSL_TLSEXT_ERR_OK;
}

static void init(void)
{
    if (g_ctx != NULL)
        return;
    g_ctx = fuzz_server_ctx();
    FUZZ_ASSERT(g_ctx != NULL);
    FUZZ_ASSERT(SSL_CTX_set_max_early_data(g_ctx, 16384) == 1);
    SSL_CTX_set_options(g_ctx, SSL_OP_NO_ANTI_REPLAY);
    SSL_CTX_set_alpn_select_cb(g_ctx, alpn_cb, NULL);
    SSL_CTX_set_tlsext_servername_callback(g_ctx, sni_cb);
}

static int step(SSL *s)
{
    int r = SSL_accept(s);
    FUZZ_ASSERT(r != 1);
    int e = SSL_get_error(s, r);
    if (e != SSL_ERROR_SSL && e != SSL_ERROR_WANT_READ) {
        fprintf(stderr, "SSL_accept returned %d, SSL_get_error %d\n", r, e);
        FUZZ_ASSERT(e == SSL_ERROR_SSL || e == SSL_ERROR_WANT_READ);
    }
    if (getenv("FUZZ_VERBOSE") != NULL) /* which inputs get how far */
        fprintf(stderr, "SSL_accept: %s %s\n", e == SSL_ERROR_WANT_READ ? "want-read" : "error",
                e == SSL_ERROR_WANT_READ ? "" : ERR_reason_error_string(ERR_peek_error()));
    return e == SSL_ERROR_WANT_READ;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    SSL *s = SSL_new(g_ctx);
    BIO *rb = fuzz_mem_bio(), *wb = fuzz_mem_bio();
    FUZZ_ASSERT(s != NULL && rb != NULL && wb != NULL);
    SSL_set_bio(s, rb, wb);
    SSL_set_accept_state(s);

    size_t first = size;
    if (size >= 5) {
        size_t rec = 5 + ((size_t)data[3] << 8 | data[4]);
        if (rec < size)
            first = rec;
    }
    FUZZ_ASSERT(BIO_write(rb, data, (int)first) == (int)first || first == 0);
    int more = step(s);
    if (more && first < size) {
        FUZZ_ASSERT(BIO_write(rb, data + first, (int)(size - first)) == (int)(size - first));
        more = step(s);
    }
    if (more) {
        /* The peer is gone: a server still waiting must fail cleanly. */
        BIO_set_mem_eof_return(rb, 0);
        int r = SSL_accept(s);
        FUZZ_ASSERT(r != 1);
    }
    SSL_free(s);
    ERR_clear_error();
    return 0;
}

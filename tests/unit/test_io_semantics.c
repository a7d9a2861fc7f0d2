/* OpenSSL 3.0's return conventions of the I/O entry points and of the
 * getters a TLS 1.3 connection answers, checked over memory BIOs (each
 * expectation was compared with the system's libssl):
 * SSL_shutdown (0/1, WANT_READ, data after close_notify, EOF), I/O before a
 * role was chosen and after a fatal error, SSL_get_client_ciphers,
 * SSL_get_shared_ciphers, SSL_get_finished / SSL_get_peer_finished, and
 * the reason strings. */
#include "testutil.h"

#include "pair.h"

static TEST_PKI pki;

/* A client and a server joined by four memory BIOs, moved by hand. */
typedef struct {
    SSL *c, *s;
    BIO *c_in, *c_out, *s_in, *s_out;
} MEM_PAIR;

static void move(BIO *from, BIO *to)
{
    char buf[32768];
    int n;
    while ((n = BIO_read(from, buf, sizeof(buf))) > 0)
        BIO_write(to, buf, n);
}

static int mem_pair_new(SSL_CTX *cctx, SSL_CTX *sctx, MEM_PAIR *p)
{
    memset(p, 0, sizeof(*p));
    p->c = SSL_new(cctx);
    p->s = SSL_new(sctx);
    p->c_in = BIO_new(BIO_s_mem());
    p->c_out = BIO_new(BIO_s_mem());
    p->s_in = BIO_new(BIO_s_mem());
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

/* mem_pair_step: one SSL_do_handshake on each side, moving the bytes. */
static void mem_pair_step(MEM_PAIR *p)
{
    (void)SSL_do_handshake(p->c);
    move(p->c_out, p->s_in);
    (void)SSL_do_handshake(p->s);
    move(p->s_out, p->c_in);
}

static int mem_pair_handshake(MEM_PAIR *p)
{
    for (int i = 0; i < 10; i++)
        mem_pair_step(p);
    ERR_clear_error();
    return SSL_is_init_finished(p->c) && SSL_is_init_finished(p->s);
}

static void mem_pair_free(MEM_PAIR *p)
{
    SSL_free(p->c);
    SSL_free(p->s);
}

/* The reason of the first queued error (0 if none); clears the queue. */
static int first_reason(void)
{
    int r = ERR_GET_REASON(ERR_peek_error());
    ERR_clear_error();
    return r;
}

static void test_shutdown_client_first(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    MEM_PAIR p;
    char b[16];
    REQUIRE(sctx && cctx && mem_pair_new(cctx, sctx, &p) && mem_pair_handshake(&p));
    int r = SSL_shutdown(p.c);
    CHECK_EQ_INT(r, 0); /* sent, the peer's not yet received */
    CHECK_EQ_INT(SSL_get_shutdown(p.c), SSL_SENT_SHUTDOWN);
    CHECK(BIO_ctrl_pending(p.c_out) > 0);
    /* nothing from the peer yet: WANT_READ (the tickets are consumed) */
    r = SSL_shutdown(p.c);
    CHECK(r == -1 && SSL_get_error(p.c, r) == SSL_ERROR_WANT_READ);
    CHECK_EQ_INT(ERR_peek_error(), 0);
    r = SSL_shutdown(p.c);
    CHECK(r == -1 && SSL_get_error(p.c, r) == SSL_ERROR_WANT_READ);
    move(p.c_out, p.s_in);
    r = SSL_read(p.s, b, sizeof(b));
    CHECK(r == 0 && SSL_get_error(p.s, r) == SSL_ERROR_ZERO_RETURN);
    CHECK_EQ_INT(SSL_get_shutdown(p.s), SSL_RECEIVED_SHUTDOWN);
    CHECK_EQ_INT(SSL_shutdown(p.s), 1);
    CHECK_EQ_INT(SSL_shutdown(p.s), 1);
    CHECK_EQ_INT(SSL_get_shutdown(p.s), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    move(p.s_out, p.c_in);
    CHECK_EQ_INT(SSL_shutdown(p.c), 1);
    CHECK_EQ_INT(SSL_shutdown(p.c), 1);
    r = SSL_read(p.c, b, sizeof(b));
    CHECK(r == 0 && SSL_get_error(p.c, r) == SSL_ERROR_ZERO_RETURN);
    r = SSL_write(p.c, "x", 1);
    CHECK(r == -1 && SSL_get_error(p.c, r) == SSL_ERROR_SSL);
    CHECK_EQ_INT(first_reason(), SSL_R_PROTOCOL_IS_SHUTDOWN);
    mem_pair_free(&p);

    /* both at once: 0 each, then 1 each */
    REQUIRE(mem_pair_new(cctx, sctx, &p) && mem_pair_handshake(&p));
    CHECK_EQ_INT(SSL_shutdown(p.c), 0);
    CHECK_EQ_INT(SSL_shutdown(p.s), 0);
    move(p.c_out, p.s_in);
    move(p.s_out, p.c_in);
    CHECK_EQ_INT(SSL_shutdown(p.c), 1);
    CHECK_EQ_INT(SSL_shutdown(p.s), 1);
    mem_pair_free(&p);

    /* quiet shutdown sends nothing and reports both directions closed */
    REQUIRE(mem_pair_new(cctx, sctx, &p) && mem_pair_handshake(&p));
    SSL_set_quiet_shutdown(p.c, 1);
    CHECK_EQ_INT(SSL_shutdown(p.c), 1);
    CHECK_EQ_INT(SSL_get_shutdown(p.c), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    CHECK_EQ_INT(BIO_ctrl_pending(p.c_out), 0);
    mem_pair_free(&p);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* While SSL_shutdown waits for the peer's close_notify, application data
 * is an error (no alert: ours was close_notify); SSL_read still returns it. */
static void test_shutdown_data_after_close_notify(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    MEM_PAIR p;
    char b[16];
    REQUIRE(sctx && cctx && mem_pair_new(cctx, sctx, &p) && mem_pair_handshake(&p));
    CHECK_EQ_INT(SSL_shutdown(p.c), 0);
    size_t sent = BIO_ctrl_pending(p.c_out);
    CHECK_EQ_INT(SSL_write(p.s, "hello", 5), 5);
    move(p.s_out, p.c_in);
    int r = SSL_shutdown(p.c);
    CHECK(r == -1 && SSL_get_error(p.c, r) == SSL_ERROR_SSL);
    CHECK_EQ_INT(first_reason(), SSL_R_APPLICATION_DATA_AFTER_CLOSE_NOTIFY);
    CHECK_EQ_INT(BIO_ctrl_pending(p.c_out), sent); /* no alert after close_notify */
    CHECK_EQ_INT(SSL_get_shutdown(p.c), SSL_SENT_SHUTDOWN);
    CHECK(SSL_in_init(p.c) && !SSL_is_init_finished(p.c));
    /* the failed connection: I/O returns -1 quietly, shutdown is refused */
    r = SSL_read(p.c, b, sizeof(b));
    CHECK(r == -1 && SSL_get_error(p.c, r) == SSL_ERROR_SYSCALL);
    CHECK_EQ_INT(ERR_peek_error(), 0);
    r = SSL_shutdown(p.c);
    CHECK(r == -1 && SSL_get_error(p.c, r) == SSL_ERROR_SSL);
    CHECK_EQ_INT(first_reason(), SSL_R_SHUTDOWN_WHILE_IN_INIT);
    mem_pair_free(&p);

    REQUIRE(mem_pair_new(cctx, sctx, &p) && mem_pair_handshake(&p));
    CHECK_EQ_INT(SSL_shutdown(p.c), 0);
    CHECK_EQ_INT(SSL_write(p.s, "hello", 5), 5);
    move(p.s_out, p.c_in);
    CHECK_EQ_INT(SSL_read(p.c, b, sizeof(b)), 5);
    r = SSL_read(p.c, b, sizeof(b));
    CHECK(r == -1 && SSL_get_error(p.c, r) == SSL_ERROR_WANT_READ);
    mem_pair_free(&p);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_shutdown_eof(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    MEM_PAIR p;
    REQUIRE(sctx && cctx && mem_pair_new(cctx, sctx, &p) && mem_pair_handshake(&p));
    CHECK_EQ_INT(SSL_shutdown(p.c), 0);
    BIO_set_mem_eof_return(p.c_in, 0);
    int r = SSL_shutdown(p.c);
    CHECK(r == -1 && SSL_get_error(p.c, r) == SSL_ERROR_SSL);
    CHECK_EQ_INT(first_reason(), SSL_R_UNEXPECTED_EOF_WHILE_READING);
    r = SSL_shutdown(p.c);
    CHECK(r == -1 && SSL_get_error(p.c, r) == SSL_ERROR_SSL);
    CHECK_EQ_INT(first_reason(), SSL_R_SHUTDOWN_WHILE_IN_INIT);
    mem_pair_free(&p);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* Until a role is chosen OpenSSL refuses I/O, whatever the method. */
static void test_role_not_set(void)
{
    const SSL_METHOD *methods[] = {TLS_client_method(), TLS_server_method(), TLS_method()};
    for (size_t i = 0; i < 3; i++) {
        SSL_CTX *ctx = SSL_CTX_new(methods[i]);
        SSL *s = ctx != NULL ? SSL_new(ctx) : NULL;
        char b[4];
        REQUIRE(s != NULL);
        SSL_set_bio(s, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
        int r = SSL_read(s, b, sizeof(b));
        CHECK(r == -1 && SSL_get_error(s, r) == SSL_ERROR_SSL);
        CHECK_EQ_INT(first_reason(), SSL_R_UNINITIALIZED);
        CHECK_EQ_INT(SSL_write(s, "x", 1), -1);
        CHECK_EQ_INT(first_reason(), SSL_R_UNINITIALIZED);
        CHECK_EQ_INT(SSL_peek(s, b, sizeof(b)), -1);
        CHECK_EQ_INT(first_reason(), SSL_R_UNINITIALIZED);
        CHECK_EQ_INT(SSL_shutdown(s), -1);
        CHECK_EQ_INT(first_reason(), SSL_R_UNINITIALIZED);
        CHECK_EQ_INT(SSL_do_handshake(s), -1);
        CHECK_EQ_INT(first_reason(), SSL_R_CONNECTION_TYPE_NOT_SET);
        CHECK(SSL_in_before(s) && SSL_in_init(s));
        CHECK_EQ_INT(SSL_is_server(s), i != 0);
        /* SSL_connect chooses the client role itself */
        if (i != 1) {
            r = SSL_connect(s);
            CHECK(r == -1 && SSL_get_error(s, r) == SSL_ERROR_WANT_READ);
            CHECK_EQ_INT(SSL_is_server(s), 0);
        }
        SSL_free(s);
        SSL_CTX_free(ctx);
    }
}

/* A handshake that failed: the server's calls return -1 with nothing
 * queued; the client, once it read the alert, sees its own close. */
static void test_io_after_failed_handshake(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    MEM_PAIR p;
    char b[8];
    REQUIRE(sctx && cctx);
    CHECK(SSL_CTX_set_ciphersuites(cctx, "TLS_AES_128_GCM_SHA256"));
    CHECK(SSL_CTX_set_ciphersuites(sctx, "TLS_AES_256_GCM_SHA384"));
    REQUIRE(mem_pair_new(cctx, sctx, &p));
    CHECK(!mem_pair_handshake(&p));
    int r = SSL_do_handshake(p.s);
    CHECK(r == -1 && SSL_get_error(p.s, r) == SSL_ERROR_SYSCALL && ERR_peek_error() == 0);
    r = SSL_read(p.s, b, sizeof(b));
    CHECK(r == -1 && SSL_get_error(p.s, r) == SSL_ERROR_SYSCALL && ERR_peek_error() == 0);
    r = SSL_write(p.s, "x", 1);
    CHECK(r == -1 && SSL_get_error(p.s, r) == SSL_ERROR_SYSCALL && ERR_peek_error() == 0);
    CHECK_EQ_INT(SSL_get_shutdown(p.s), 0);
    CHECK_EQ_INT(SSL_shutdown(p.s), -1);
    CHECK_EQ_INT(first_reason(), SSL_R_SHUTDOWN_WHILE_IN_INIT);
    /* the client read the handshake_failure alert in mem_pair_handshake */
    CHECK_EQ_INT(SSL_get_shutdown(p.c), SSL_RECEIVED_SHUTDOWN);
    r = SSL_read(p.c, b, sizeof(b));
    CHECK(r == 0 && SSL_get_error(p.c, r) == SSL_ERROR_ZERO_RETURN);
    r = SSL_write(p.c, "x", 1);
    CHECK(r == -1 && SSL_get_error(p.c, r) == SSL_ERROR_ZERO_RETURN);
    mem_pair_free(&p);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* TLS 1.3: the client's handshake is over before the server looked at its
 * certificate, so a rejected (or missing) certificate is an alert the
 * client sees on its next read, not in SSL_connect. */
static void test_client_cert_rejected_after_connect(void)
{
    TEST_PKI other;
    other.ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    other.leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    other.ca = pair_make_cert(other.ca_key, other.ca_key, NULL, "other-ca", 1, 30);
    other.leaf = pair_make_cert(other.leaf_key, other.ca_key, other.ca, "client", 0, 30);
    for (int with_cert = 1; with_cert >= 0; with_cert--) {
        SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
        MEM_PAIR p;
        char b[16];
        REQUIRE(sctx && cctx);
        X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), pki.ca);
        SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        if (with_cert) {
            CHECK_EQ_INT(SSL_CTX_use_certificate(cctx, other.leaf), 1);
            CHECK_EQ_INT(SSL_CTX_use_PrivateKey(cctx, other.leaf_key), 1);
        }
        REQUIRE(mem_pair_new(cctx, sctx, &p));
        CHECK(!mem_pair_handshake(&p));
        CHECK(SSL_is_init_finished(p.c)); /* SSL_connect succeeded */
        int r = SSL_do_handshake(p.s);
        CHECK(r == -1 && SSL_get_error(p.s, r) == SSL_ERROR_SYSCALL);
        r = SSL_read(p.c, b, sizeof(b));
        CHECK(r == 0 && SSL_get_error(p.c, r) == SSL_ERROR_SSL);
        CHECK_EQ_INT(first_reason(), with_cert ? SSL_R_TLSV1_ALERT_UNKNOWN_CA
                                               : SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED);
        CHECK(!SSL_is_init_finished(p.c));
        mem_pair_free(&p);
        SSL_CTX_free(sctx);
        SSL_CTX_free(cctx);
    }
    pair_pki_free(&other);
}

static int same_cipher_list(STACK_OF(SSL_CIPHER) * sk, const char *const *names, int n)
{
    if (sk == NULL || sk_SSL_CIPHER_num(sk) != n)
        return 0;
    for (int i = 0; i < n; i++)
        if (strcmp(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(sk, i)), names[i]) != 0)
            return 0;
    return 1;
}

static void test_client_and_shared_ciphers(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    MEM_PAIR p;
    char buf[256];
    REQUIRE(sctx && cctx);
    /* TLS 1.3 only: OpenSSL's client would offer its TLS 1.2 suites too */
    CHECK(SSL_CTX_set_min_proto_version(cctx, TLS1_3_VERSION));
    CHECK(SSL_CTX_set_ciphersuites(cctx, "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:"
                                         "TLS_AES_256_GCM_SHA384"));
    CHECK(SSL_CTX_set_ciphersuites(sctx, "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"));
    REQUIRE(mem_pair_new(cctx, sctx, &p));
    /* before a ClientHello: NULL, and no error queued */
    CHECK(SSL_get_client_ciphers(p.s) == NULL);
    CHECK(SSL_get_shared_ciphers(p.s, buf, sizeof(buf)) == NULL);
    CHECK_EQ_INT(ERR_peek_error(), 0);
    REQUIRE(mem_pair_handshake(&p));
    static const char *const offered[] = {"TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
                                          "TLS_AES_256_GCM_SHA384"};
    STACK_OF(SSL_CIPHER) *cl = SSL_get_client_ciphers(p.s);
    CHECK(same_cipher_list(cl, offered, 3));
    CHECK(SSL_get_client_ciphers(p.s) == cl); /* kept, not rebuilt */
    /* the very objects SSL_get_ciphers lists (Python compares pointers) */
    STACK_OF(SSL_CIPHER) *ours = SSL_get_ciphers(p.s);
    REQUIRE(ours != NULL && cl != NULL);
    CHECK(sk_SSL_CIPHER_value(cl, 0) == sk_SSL_CIPHER_value(ours, 1));
    /* shared: the client's order, only what the server enables */
    CHECK(SSL_get_shared_ciphers(p.s, buf, sizeof(buf)) == buf);
    CHECK(strcmp(buf, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384") == 0);
    /* truncated to the names that fit whole; NULL if not even the first */
    CHECK(SSL_get_shared_ciphers(p.s, buf, 23) == buf);
    CHECK(strcmp(buf, "TLS_AES_128_GCM_SHA256") == 0);
    CHECK(SSL_get_shared_ciphers(p.s, buf, 45) == buf);
    CHECK(strcmp(buf, "TLS_AES_128_GCM_SHA256") == 0);
    CHECK(SSL_get_shared_ciphers(p.s, buf, 46) == buf);
    CHECK(strcmp(buf, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384") == 0);
    CHECK(SSL_get_shared_ciphers(p.s, buf, 22) == NULL);
    CHECK(SSL_get_shared_ciphers(p.s, buf, 1) == NULL);
    /* a client has neither */
    CHECK(SSL_get_client_ciphers(p.c) == NULL);
    CHECK(SSL_get_shared_ciphers(p.c, buf, sizeof(buf)) == NULL);
    CHECK_EQ_INT(ERR_peek_error(), 0);
    /* SSL_clear keeps them (until the next ClientHello), as OpenSSL does */
    CHECK(SSL_clear(p.s));
    CHECK(same_cipher_list(SSL_get_client_ciphers(p.s), offered, 3));
    mem_pair_free(&p);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* Each side's Finished length is its own: the server has sent its Finished
 * one flight before it sees the client's. */
static void test_finished(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    MEM_PAIR p;
    uint8_t a[64], b[64];
    REQUIRE(sctx && cctx && mem_pair_new(cctx, sctx, &p));
    CHECK_EQ_INT(SSL_get_finished(p.c, a, sizeof(a)), 0);
    CHECK_EQ_INT(SSL_get_peer_finished(p.s, a, sizeof(a)), 0);
    mem_pair_step(&p); /* ClientHello; the server's flight with Finished */
    CHECK_EQ_INT(SSL_get_finished(p.s, a, sizeof(a)), 48); /* SHA-384 suite */
    CHECK_EQ_INT(SSL_get_peer_finished(p.s, a, sizeof(a)), 0);
    CHECK_EQ_INT(SSL_get_finished(p.c, a, sizeof(a)), 0);
    mem_pair_step(&p); /* the client's Finished */
    REQUIRE(SSL_is_init_finished(p.c) && SSL_is_init_finished(p.s));
    CHECK_EQ_INT(SSL_get_finished(p.c, a, sizeof(a)), 48);
    CHECK_EQ_INT(SSL_get_peer_finished(p.s, b, sizeof(b)), 48);
    CHECK_EQ_MEM(a, 48, b, 48);
    CHECK_EQ_INT(SSL_get_finished(p.s, a, sizeof(a)), 48);
    CHECK_EQ_INT(SSL_get_peer_finished(p.c, b, sizeof(b)), 48);
    CHECK_EQ_MEM(a, 48, b, 48);
    /* a short buffer gets the first bytes; the length is the whole */
    uint8_t small[4];
    CHECK_EQ_INT(SSL_get_peer_finished(p.c, small, sizeof(small)), 48);
    CHECK_EQ_MEM(small, 4, b, 4);
    mem_pair_free(&p);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* The reason strings are OpenSSL's own (Python's tests match them). */
static void test_reason_strings(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method()); /* loads the strings */
    REQUIRE(ctx != NULL);
    CHECK(strcmp(ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_TLSV1_ALERT_UNKNOWN_CA)),
                 "tlsv1 alert unknown ca") == 0);
    CHECK(strcmp(ERR_reason_error_string(
                     ERR_PACK(ERR_LIB_SSL, 0, SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED)),
                 "tlsv13 alert certificate required") == 0);
    char buf[256];
    ERR_error_string_n(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_CERTIFICATE_VERIFY_FAILED), buf, sizeof(buf));
    CHECK(strcmp(buf, "error:0A000086:SSL routines::certificate verify failed") == 0);
    SSL_CTX_free(ctx);
}

TEST_MAIN({
    pair_pki_init(&pki);
    RUN(test_shutdown_client_first);
    RUN(test_shutdown_data_after_close_notify);
    RUN(test_shutdown_eof);
    RUN(test_role_not_set);
    RUN(test_io_after_failed_handshake);
    RUN(test_client_cert_rejected_after_connect);
    RUN(test_client_and_shared_ciphers);
    RUN(test_finished);
    RUN(test_reason_strings);
    pair_pki_free(&pki);
})

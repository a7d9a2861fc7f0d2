/* In-memory TLS 1.3 handshakes between our client and our server through
 * the public API: suites, groups, HelloRetryRequest, tickets, resumption,
 * KeyUpdate, close_notify, bad input, post-handshake authentication and
 * the calls after a fatal error. */
#include "testutil.h"

#include "pair.h"

static TEST_PKI pki;

static int ticket_count;
static int count_ticket_cb(SSL *s, SSL_SESSION *sess)
{
    (void)s;
    (void)sess;
    ticket_count++;
    return 0;
}

static void test_full_handshake_and_data(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    SSL *c, *s;
    REQUIRE(sctx && cctx && pair_new(cctx, sctx, &c, &s));
    CHECK(pair_handshake(c, s));
    CHECK(strcmp(SSL_get_version(c), "TLSv1.3") == 0);
    CHECK(SSL_get_verify_result(c) == X509_V_OK);
    CHECK(SSL_session_reused(c) == 0);
    CHECK(pair_roundtrip(c, s, "hello over sesame"));
    /* 100 KiB from server to client, in pieces */
    static char big[100 * 1024], got[100 * 1024];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)(i * 7);
    /* the BIO pair holds ~17 KiB: alternate writing and reading */
    size_t have = 0, sent = 0;
    for (int i = 0; i < 1000 && have < sizeof(got); i++) {
        if (sent < sizeof(big)) {
            int w = SSL_write(s, big + sent, (int)(sizeof(big) - sent));
            if (w > 0)
                sent += (size_t)w;
            else
                CHECK_EQ_INT(SSL_get_error(s, w), SSL_ERROR_WANT_WRITE);
        }
        int r = SSL_read(c, got + have, (int)(sizeof(got) - have));
        if (r > 0)
            have += (size_t)r;
    }
    CHECK(have == sizeof(big) && memcmp(big, got, sizeof(big)) == 0);
    /* close_notify: client shuts down, server reads 0 with ZERO_RETURN */
    CHECK(SSL_shutdown(c) == 0);
    char b[8];
    int r = SSL_read(s, b, sizeof(b));
    CHECK(r == 0 && SSL_get_error(s, r) == SSL_ERROR_ZERO_RETURN);
    CHECK(SSL_shutdown(s) == 1);
    CHECK(SSL_shutdown(c) == 1);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void run_suite_group(const char *suite, const char *cgroups, const char *sgroups)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    CHECK(SSL_CTX_set_ciphersuites(cctx, suite) == 1);
    CHECK(SSL_CTX_set1_groups_list(cctx, cgroups) == 1);
    CHECK(SSL_CTX_set1_groups_list(sctx, sgroups) == 1);
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    if (!CHECK(pair_handshake(c, s)))
        fprintf(stderr, "  suite %s groups %s / %s\n", suite, cgroups, sgroups);
    CHECK(strcmp(SSL_CIPHER_get_name(SSL_get_current_cipher(c)), suite) == 0);
    CHECK(pair_roundtrip(c, s, "x"));
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_suites_groups_hrr(void)
{
    const char *suites[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                            "TLS_CHACHA20_POLY1305_SHA256"};
    const char *groups[] = {"X25519", "P-256", "P-384"};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            run_suite_group(suites[i], groups[j], groups[j]);
    /* HelloRetryRequest: the client's first share is not acceptable. */
    run_suite_group("TLS_AES_128_GCM_SHA256", "X25519:P-256", "P-256");
    run_suite_group("TLS_AES_256_GCM_SHA384", "P-256:P-384", "P-384");
}

static void test_tickets_and_resumption(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT);
    SSL_CTX_sess_set_new_cb(cctx, count_ticket_cb);
    ticket_count = 0;
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    REQUIRE(pair_handshake(c, s));
    pair_pump_client(c);
    CHECK_EQ_INT(ticket_count, 2);
    SSL_SESSION *sess = SSL_get1_session(c);
    CHECK(sess != NULL && SSL_SESSION_is_resumable(sess));
    SSL_shutdown(c);
    SSL_free(c);
    SSL_free(s);

    REQUIRE(pair_new(cctx, sctx, &c, &s));
    CHECK(SSL_set_session(c, sess) == 1);
    CHECK(pair_handshake(c, s));
    CHECK(SSL_session_reused(c) == 1);
    CHECK(SSL_session_reused(s) == 1);
    CHECK(pair_roundtrip(c, s, "resumed"));
    SSL_free(c);
    SSL_free(s);
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* SSL_new_session_ticket: extra tickets go out on the next SSL_do_handshake
 * (or SSL_write), and arrive as new sessions on the client. */
static void test_new_session_ticket_on_demand(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    SSL_CTX_set_num_tickets(sctx, 0);
    SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT);
    SSL_CTX_sess_set_new_cb(cctx, count_ticket_cb);
    ticket_count = 0;
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    REQUIRE(pair_handshake(c, s));
    pair_pump_client(c);
    CHECK_EQ_INT(ticket_count, 0);
    CHECK(SSL_new_session_ticket(s) == 1 && SSL_new_session_ticket(s) == 1);
    CHECK(SSL_do_handshake(s) == 1);
    pair_pump_client(c);
    CHECK_EQ_INT(ticket_count, 2);
    CHECK(SSL_SESSION_is_resumable(SSL_get0_session(c)) == 1);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_key_update(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    SSL *c, *s;
    REQUIRE(sctx && cctx && pair_new(cctx, sctx, &c, &s));
    REQUIRE(pair_handshake(c, s));
    CHECK(SSL_key_update(c, SSL_KEY_UPDATE_REQUESTED) == 1);
    CHECK(pair_roundtrip(c, s, "after key update"));
    CHECK(pair_roundtrip(c, s, "and again"));
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* A server fed raw bytes: it must fail with SSL_ERROR_SSL and send the
 * expected alert. */
static void bad_input(const uint8_t *in, size_t len, int want_alert)
{
    SSL_CTX *sctx = pair_server_ctx(&pki);
    REQUIRE(sctx);
    SSL *s = SSL_new(sctx);
    BIO *rb = BIO_new_mem_buf(in, (int)len), *wb = BIO_new(BIO_s_mem());
    SSL_set_bio(s, rb, wb);
    int r = SSL_accept(s);
    CHECK(r <= 0);
    CHECK_EQ_INT(SSL_get_error(s, r), SSL_ERROR_SSL);
    CHECK(ERR_peek_error() != 0);
    ERR_clear_error();
    const uint8_t *out;
    long n = BIO_get_mem_data(wb, (char **)&out);
    /* the last record must be an alert with the wanted description */
    if (want_alert >= 0 && !CHECK(n >= 7))
        fprintf(stderr, "  case: first byte %u, %zu bytes, want alert %d, got %ld bytes\n", in[0],
                len, want_alert, n);
    if (want_alert >= 0) {
        if (n >= 7) {
            CHECK_EQ_INT(out[n - 7], 21);
            CHECK_EQ_INT(out[n - 1], want_alert);
        }
    }
    SSL_free(s);
    SSL_CTX_free(sctx);
}

static void test_bad_input(void)
{
    /* garbage before the handshake */
    static const uint8_t garbage[] = "GET / HTTP/1.0\r\n\r\n";
    bad_input(garbage, sizeof(garbage) - 1, 10);
    /* oversized plaintext record */
    uint8_t big[5] = {22, 3, 1, 0x48, 0x01};
    bad_input(big, sizeof(big), 22);
    /* a complete ClientHello message too short for its fields */
    static const uint8_t badlen[] = {22, 3, 1, 0, 8, 1, 0, 0, 4, 3, 3, 0, 0};
    bad_input(badlen, sizeof(badlen), 50);
    /* a ClientHello offering only TLS 1.2 (no supported_versions) */
    uint8_t ch12[5 + 4 + 2 + 32 + 1 + 4 + 2];
    size_t o = 0;
    ch12[o++] = 22;
    ch12[o++] = 3;
    ch12[o++] = 1;
    ch12[o++] = 0;
    ch12[o++] = 4 + 2 + 32 + 1 + 4 + 2;
    ch12[o++] = 1;
    ch12[o++] = 0;
    ch12[o++] = 0;
    ch12[o++] = 2 + 32 + 1 + 4 + 2;
    ch12[o++] = 3;
    ch12[o++] = 3;
    memset(ch12 + o, 7, 32);
    o += 32;
    ch12[o++] = 0;
    ch12[o++] = 0;
    ch12[o++] = 2;
    ch12[o++] = 0xc0;
    ch12[o++] = 0x2f;
    ch12[o++] = 1;
    ch12[o++] = 0;
    /* OpenSSL answers it with handshake_failure: no supported_groups, so
     * no group for its one ECDHE suite */
    bad_input(ch12, o, 40);
    /* the same offering TLS 1.0 only: protocol_version */
    ch12[9] = 3;
    ch12[10] = 1;
    bad_input(ch12, o, 70);
    /* wrong message order: a Finished before any ClientHello */
    static const uint8_t order[] = {22, 3, 1, 0, 8, 20, 0, 0, 4, 0, 0, 0, 0};
    bad_input(order, sizeof(order), 10);
    /* application data before the handshake */
    static const uint8_t early_app[] = {23, 3, 3, 0, 2, 'h', 'i'};
    bad_input(early_app, sizeof(early_app), 10);
    /* truncated record: EOF in the middle -> SSL error, no alert needed */
    static const uint8_t trunc[] = {22, 3, 1, 0, 100, 1, 0};
    bad_input(trunc, sizeof(trunc), -1);
}

/* A tampered server Finished must end with decrypt_error / bad_record_mac. */
static void test_tampered_flight(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    REQUIRE(sctx && cctx);
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    BIO *c_in = BIO_new(BIO_s_mem()), *c_out = BIO_new(BIO_s_mem());
    BIO *s_in = BIO_new(BIO_s_mem()), *s_out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(c_in, -1);
    BIO_set_mem_eof_return(s_in, -1);
    SSL_set_bio(c, c_in, c_out);
    SSL_set_bio(s, s_in, s_out);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    CHECK(SSL_do_handshake(c) == -1); /* ClientHello */
    char *p;
    long n = BIO_get_mem_data(c_out, &p);
    BIO_write(s_in, p, (int)n);
    (void)BIO_reset(c_out);
    CHECK(SSL_do_handshake(s) == -1); /* server flight */
    n = BIO_get_mem_data(s_out, &p);
    REQUIRE(n > 40);
    p[n - 20] ^= 1; /* inside the last encrypted record (Finished) */
    BIO_write(c_in, p, (int)n);
    int r = SSL_do_handshake(c);
    CHECK(r <= 0 && SSL_get_error(c, r) == SSL_ERROR_SSL);
    n = BIO_get_mem_data(c_out, &p);
    CHECK(n > 0); /* an alert went out */
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_untrusted_server(void)
{
    TEST_PKI other;
    pair_pki_init(&other);
    SSL_CTX *sctx = pair_server_ctx(&other), *cctx = pair_client_ctx(&pki);
    SSL *c, *s;
    REQUIRE(sctx && cctx && pair_new(cctx, sctx, &c, &s));
    CHECK(!pair_handshake(c, s));
    CHECK(SSL_get_verify_result(c) != X509_V_OK);
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    pair_pki_free(&other);
}

static int chcb_calls, chcb_mode, chcb_saw_sni, chcb_saw_versions;
static int client_hello_cb(SSL *s, int *al, void *arg)
{
    (void)arg;
    chcb_calls++;
    const unsigned char *p;
    size_t len;
    chcb_saw_sni = SSL_client_hello_get0_ext(s, TLSEXT_TYPE_server_name, &p, &len) && len > 5;
    int *exts = NULL;
    size_t n = 0;
    chcb_saw_versions = 0;
    if (SSL_client_hello_get1_extensions_present(s, &exts, &n))
        for (size_t i = 0; i < n; i++)
            chcb_saw_versions |= exts[i] == TLSEXT_TYPE_supported_versions;
    OPENSSL_free(exts);
    CHECK(SSL_client_hello_get0_random(s, &p) == 32);
    CHECK(SSL_client_hello_get0_ciphers(s, &p) >= 2);
    CHECK(SSL_client_hello_get0_legacy_version(s) == TLS1_2_VERSION);
    if (chcb_mode == 1 && chcb_calls == 1)
        return SSL_CLIENT_HELLO_RETRY;
    if (chcb_mode == 2) {
        *al = SSL_AD_ACCESS_DENIED;
        return SSL_CLIENT_HELLO_ERROR;
    }
    return SSL_CLIENT_HELLO_SUCCESS;
}

/* SSL_CTX_set_client_hello_cb: the callback sees the hello, can suspend the
 * handshake (SSL_ERROR_WANT_CLIENT_HELLO_CB) or refuse it with an alert. */
static void test_client_hello_cb(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    SSL_CTX_set_client_hello_cb(sctx, client_hello_cb, NULL);
    chcb_mode = 1;
    chcb_calls = 0;
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    CHECK(SSL_do_handshake(c) == -1);
    int r = SSL_do_handshake(s);
    CHECK(r == -1 && SSL_get_error(s, r) == SSL_ERROR_WANT_CLIENT_HELLO_CB);
    CHECK(pair_handshake(c, s));
    CHECK(chcb_calls == 2 && chcb_saw_sni && chcb_saw_versions);
    SSL_free(c);
    SSL_free(s);
    /* outside the callback there is no hello to see */
    CHECK(SSL_client_hello_get0_legacy_version(s = SSL_new(sctx)) == 0);
    SSL_free(s);
    chcb_mode = 2;
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    CHECK(!pair_handshake(c, s));
    ERR_clear_error();
    /* the client sees the server's access_denied alert */
    r = SSL_do_handshake(c);
    CHECK(r <= 0 && SSL_get_error(c, r) == SSL_ERROR_SSL);
    CHECK_EQ_INT(ERR_GET_REASON(ERR_peek_last_error()),
                 SSL_AD_REASON_OFFSET + SSL_AD_ACCESS_DENIED);
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* Post-handshake client authentication, with a KeyUpdate from the client
 * crossing the server's CertificateRequest: RFC 8446 4.6.2 has the server
 * expect other messages before the answer (found by fuzz_client_conn: our
 * server took the KeyUpdate for the answer and failed). */
static void test_pha_key_update_crossing(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    SSL *c, *s;
    char buf[16];
    REQUIRE(sctx && cctx);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), pki.ca);
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE, NULL);
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    SSL_set_post_handshake_auth(c, 1);
    REQUIRE(SSL_use_certificate(c, pki.leaf) == 1 && SSL_use_PrivateKey(c, pki.leaf_key) == 1);
    REQUIRE(pair_handshake(c, s));
    pair_pump_client(c);
    CHECK(SSL_get0_peer_certificate(s) == NULL);
    /* the request goes out; the client, not reading, updates its key and
     * writes */
    CHECK(SSL_verify_client_post_handshake(s) == 1);
    CHECK(SSL_do_handshake(s) == 1);
    CHECK(SSL_key_update(c, SSL_KEY_UPDATE_NOT_REQUESTED) == 1);
    CHECK(SSL_write(c, "x", 1) == 1);
    CHECK(SSL_read(s, buf, sizeof(buf)) == 1 && buf[0] == 'x');
    /* the client answers the request; the server takes the answer */
    int r = SSL_read(c, buf, sizeof(buf));
    CHECK(r == -1 && SSL_get_error(c, r) == SSL_ERROR_WANT_READ);
    r = SSL_read(s, buf, sizeof(buf));
    CHECK(r == -1 && SSL_get_error(s, r) == SSL_ERROR_WANT_READ);
    CHECK(SSL_get0_peer_certificate(s) != NULL);
    CHECK(pair_roundtrip(c, s, "authenticated"));
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* After a fatal error every call fails, as in OpenSSL (whose failed
 * connection is back "in init", in its error state); found by the
 * connection fuzz targets: SSL_do_handshake returned 1 and SSL_shutdown 1
 * on a connection that had failed after its handshake. */
static void test_calls_after_fatal_error(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    SSL *c, *s;
    char buf[16];
    REQUIRE(sctx && cctx && pair_new(cctx, sctx, &c, &s));
    REQUIRE(pair_handshake(c, s));
    pair_pump_client(c);
    /* a record no key opens: the server fails and tells the client */
    static const uint8_t junk[] = {23, 3,  3,  0,  20, 1,  2,  3,  4,  5,  6,  7, 8,
                                   9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    REQUIRE(BIO_write(SSL_get_wbio(c), junk, sizeof(junk)) == (int)sizeof(junk));
    int r = SSL_read(s, buf, sizeof(buf));
    CHECK(r == -1 && SSL_get_error(s, r) == SSL_ERROR_SSL);
    r = SSL_read(c, buf, sizeof(buf));
    CHECK(r <= 0 && SSL_get_error(c, r) == SSL_ERROR_SSL);
    /* As OpenSSL 3.0 (checked against the system libssl): SSL_do_handshake,
     * SSL_read and SSL_write fail with nothing queued (SSL_ERROR_SYSCALL; on
     * the side that received the peer's fatal alert, SSL_ERROR_ZERO_RETURN),
     * SSL_shutdown fails with SHUTDOWN_WHILE_IN_INIT (SSL_ERROR_SSL). */
    SSL *both[2] = {s, c};
    for (int i = 0; i < 2; i++) {
        SSL *x = both[i];
        int quiet = x == c ? SSL_ERROR_ZERO_RETURN : SSL_ERROR_SYSCALL;
        ERR_clear_error();
        r = SSL_do_handshake(x);
        CHECK(r < 0 && SSL_get_error(x, r) == quiet);
        ERR_clear_error();
        r = SSL_shutdown(x);
        CHECK(r < 0 && SSL_get_error(x, r) == SSL_ERROR_SSL);
        ERR_clear_error();
        r = SSL_write(x, "x", 1);
        CHECK(r <= 0 && SSL_get_error(x, r) == quiet);
        ERR_clear_error();
        r = SSL_read(x, buf, sizeof(buf));
        CHECK(r <= 0 && SSL_get_error(x, r) == quiet);
        CHECK(SSL_key_update(x, SSL_KEY_UPDATE_NOT_REQUESTED) == 0);
        ERR_clear_error();
    }
    CHECK(SSL_new_session_ticket(s) == 0);
    CHECK(SSL_verify_client_post_handshake(s) == 0);
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* OpenSSL's auto chain: with no chain configured, the certificate's
 * issuers from the store go out with it, unless SSL_MODE_NO_AUTO_CHAIN. */
static void test_auto_chain(void)
{
    for (int no_auto = 0; no_auto < 2; no_auto++) {
        SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
        SSL *c, *s;
        REQUIRE(sctx && cctx);
        X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), pki.ca);
        if (no_auto)
            SSL_CTX_set_mode(sctx, SSL_MODE_NO_AUTO_CHAIN);
        REQUIRE(pair_new(cctx, sctx, &c, &s));
        REQUIRE(pair_handshake(c, s));
        STACK_OF(X509) *got = SSL_get_peer_cert_chain(c); /* a client's includes the leaf */
        CHECK_EQ_INT(sk_X509_num(got), no_auto ? 1 : 2);
        if (!no_auto && sk_X509_num(got) == 2)
            CHECK(X509_cmp(sk_X509_value(got, 1), pki.ca) == 0);
        SSL_free(c);
        SSL_free(s);
        SSL_CTX_free(sctx);
        SSL_CTX_free(cctx);
    }
}

TEST_MAIN({
    pair_pki_init(&pki);
    RUN(test_full_handshake_and_data);
    RUN(test_suites_groups_hrr);
    RUN(test_tickets_and_resumption);
    RUN(test_new_session_ticket_on_demand);
    RUN(test_key_update);
    RUN(test_bad_input);
    RUN(test_tampered_flight);
    RUN(test_untrusted_server);
    RUN(test_client_hello_cb);
    RUN(test_pha_key_update_crossing);
    RUN(test_calls_after_fatal_error);
    RUN(test_auto_chain);
    pair_pki_free(&pki);
})

/* TLS 1.3 post-handshake client authentication between our client and our
 * server in memory, with OpenSSL 3.0's semantics (each expectation was
 * compared with the system's libssl): the errors of
 * SSL_verify_client_post_handshake, the request going out with the next
 * SSL_do_handshake / SSL_write, the client answering while it reads, the
 * server's view of the client afterwards, and a refused or missing
 * certificate reaching the client as an alert on its next read. */
#include "testutil.h"

#include "pair.h"

static TEST_PKI pki, other_pki;

static int verify_calls;
static int count_verify_cb(int ok, X509_STORE_CTX *ctx)
{
    (void)ctx;
    verify_calls++;
    return ok;
}

static int accept_all_cb(int ok, X509_STORE_CTX *ctx)
{
    (void)ok;
    (void)ctx;
    return 1;
}

/* The reason of the first queued error (0 if none); clears the queue. */
static int first_reason(void)
{
    int r = ERR_GET_REASON(ERR_peek_error());
    ERR_clear_error();
    return r;
}

/* A server that trusts the test CA for client certificates and asks for
 * them only after the handshake, with verify |mode| (| PEER | POST_HS). */
static SSL_CTX *pha_server_ctx(int mode)
{
    SSL_CTX *c = pair_server_ctx(&pki);
    if (c == NULL)
        return NULL;
    X509_STORE_add_cert(SSL_CTX_get_cert_store(c), pki.ca);
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE | mode, count_verify_cb);
    return c;
}

/* A client offering post_handshake_auth with the certificate of |p| (or
 * none). */
static SSL_CTX *pha_client_ctx(const TEST_PKI *p)
{
    SSL_CTX *c = pair_client_ctx(&pki);
    if (c == NULL)
        return NULL;
    SSL_CTX_set_post_handshake_auth(c, 1);
    if (p != NULL &&
        (SSL_CTX_use_certificate(c, p->leaf) != 1 || SSL_CTX_use_PrivateKey(c, p->leaf_key) != 1)) {
        SSL_CTX_free(c);
        return NULL;
    }
    return c;
}

/* Connected, tickets read: a connection ready for a request. */
static int connect_pair(SSL_CTX *cctx, SSL_CTX *sctx, SSL **c, SSL **s)
{
    if (!pair_new(cctx, sctx, c, s))
        return 0;
    if (!pair_handshake(*c, *s)) {
        SSL_free(*c);
        SSL_free(*s);
        return 0;
    }
    pair_pump_client(*c);
    return 1;
}

/* read_expect: SSL_read on |x| returns |want_ret| with SSL_get_error
 * |want_err|. */
static int read_expect(SSL *x, int want_ret, int want_err)
{
    char b[64];
    int r = SSL_read(x, b, sizeof(b));
    int e = SSL_get_error(x, r);
    if (r != want_ret || e != want_err) {
        fprintf(stderr, "  SSL_read: %d (error %d), expected %d (error %d)\n", r, e, want_ret,
                want_err);
        return 0;
    }
    return 1;
}

static void test_request_errors(void)
{
    SSL_CTX *sctx = pha_server_ctx(0), *cctx = pha_client_ctx(&pki);
    SSL *c, *s;
    REQUIRE(sctx && cctx && pair_new(cctx, sctx, &c, &s));
    /* before the handshake: no version yet */
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 0);
    CHECK_EQ_INT(first_reason(), SSL_R_WRONG_SSL_VERSION);
    /* during it */
    CHECK_EQ_INT(SSL_do_handshake(c), -1);
    CHECK_EQ_INT(SSL_do_handshake(s), -1);
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 0);
    CHECK_EQ_INT(first_reason(), SSL_R_STILL_IN_INIT);
    REQUIRE(pair_handshake(c, s));
    pair_pump_client(c);
    CHECK_EQ_INT(SSL_verify_client_post_handshake(c), 0);
    CHECK_EQ_INT(first_reason(), SSL_R_NOT_SERVER);
    /* verification off: nothing to ask for */
    SSL_set_verify(s, SSL_VERIFY_NONE, NULL);
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 0);
    CHECK_EQ_INT(first_reason(), SSL_R_INVALID_CONFIG);
    SSL_set_verify(s, SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE, NULL);
    /* a pending request puts the server back in init */
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 1);
    CHECK(SSL_in_init(s) && !SSL_is_init_finished(s));
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 0);
    CHECK_EQ_INT(first_reason(), SSL_R_STILL_IN_INIT);
    CHECK_EQ_INT(SSL_shutdown(s), -1);
    CHECK_EQ_INT(first_reason(), SSL_R_SHUTDOWN_WHILE_IN_INIT);
    /* sent: REQUEST_SENT until the client's answer is in */
    CHECK_EQ_INT(SSL_do_handshake(s), 1);
    CHECK(!SSL_in_init(s));
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 0);
    CHECK_EQ_INT(first_reason(), SSL_R_REQUEST_SENT);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);

    /* a client that did not offer the extension */
    cctx = pair_client_ctx(&pki);
    REQUIRE(cctx && connect_pair(cctx, sctx, &c, &s));
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 0);
    CHECK_EQ_INT(first_reason(), SSL_R_EXTENSION_NOT_RECEIVED);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void test_request_and_answer(void)
{
    SSL_CTX *sctx = pha_server_ctx(SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
    SSL_CTX *cctx = pha_client_ctx(&pki);
    SSL *c, *s;
    uint8_t fin_c[64], fin_s[64];
    REQUIRE(sctx && cctx && connect_pair(cctx, sctx, &c, &s));
    CHECK(SSL_get0_peer_certificate(s) == NULL);
    verify_calls = 0;
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 1);
    CHECK_EQ_INT(SSL_do_handshake(s), 1); /* the request goes out */
    CHECK(read_expect(s, -1, SSL_ERROR_WANT_READ));
    /* the client answers while it reads (no data for it yet) */
    CHECK(read_expect(c, -1, SSL_ERROR_WANT_READ));
    CHECK_EQ_INT(ERR_peek_error(), 0);
    /* the server takes the answer in its next read */
    CHECK(read_expect(s, -1, SSL_ERROR_WANT_READ));
    X509 *peer = SSL_get_peer_certificate(s);
    CHECK(peer != NULL && X509_cmp(peer, pki.leaf) == 0);
    X509_free(peer);
    CHECK(SSL_SESSION_get0_peer(SSL_get0_session(s)) != NULL);
    CHECK_EQ_INT(SSL_get_verify_result(s), X509_V_OK);
    CHECK(verify_calls > 0);
    CHECK(SSL_is_init_finished(s));
    /* the client's PHA Finished is the latest of both sides' */
    size_t n = SSL_get_finished(c, fin_c, sizeof(fin_c));
    CHECK_EQ_INT(SSL_get_peer_finished(s, fin_s, sizeof(fin_s)), n);
    CHECK_EQ_MEM(fin_c, n, fin_s, n);
    CHECK(pair_roundtrip(c, s, "after authentication"));
    /* another request is allowed once the first completed */
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 1);
    /* this time it goes out with application data */
    CHECK_EQ_INT(SSL_write(s, "ping", 4), 4);
    char b[16];
    CHECK_EQ_INT(SSL_read(c, b, sizeof(b)), 4);
    CHECK(memcmp(b, "ping", 4) == 0);
    CHECK_EQ_INT(SSL_write(c, "pong", 4), 4);
    CHECK_EQ_INT(SSL_read(s, b, sizeof(b)), 4);
    CHECK(memcmp(b, "pong", 4) == 0);
    CHECK(SSL_get0_peer_certificate(s) != NULL && SSL_is_init_finished(s));
    SSL_free(c);
    SSL_free(s);

    /* SSL_VERIFY_CLIENT_ONCE: one CertificateRequest per connection */
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE | SSL_VERIFY_CLIENT_ONCE,
                       NULL);
    REQUIRE(connect_pair(cctx, sctx, &c, &s));
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 1);
    CHECK_EQ_INT(SSL_do_handshake(s), 1);
    CHECK(read_expect(c, -1, SSL_ERROR_WANT_READ));
    CHECK(read_expect(s, -1, SSL_ERROR_WANT_READ));
    CHECK(SSL_get0_peer_certificate(s) != NULL);
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 0);
    CHECK_EQ_INT(first_reason(), SSL_R_INVALID_CONFIG);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* Tickets issued after an authentication stand for the authenticated
 * client: a connection resumed with one knows the client's certificate. */
static void test_ticket_after_authentication(void)
{
    SSL_CTX *sctx = pha_server_ctx(0), *cctx = pha_client_ctx(&pki);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    /* (OpenSSL refuses to resume with SSL_VERIFY_PEER and no context) */
    CHECK_EQ_INT(SSL_CTX_set_session_id_context(sctx, (const unsigned char *)"pha", 3), 1);
    REQUIRE(connect_pair(cctx, sctx, &c, &s));
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 1);
    CHECK_EQ_INT(SSL_do_handshake(s), 1);
    CHECK(read_expect(c, -1, SSL_ERROR_WANT_READ));
    CHECK(read_expect(s, -1, SSL_ERROR_WANT_READ));
    REQUIRE(SSL_get0_peer_certificate(s) != NULL);
    /* a fresh ticket, then the client keeps the session it stands for */
    CHECK_EQ_INT(SSL_new_session_ticket(s), 1);
    CHECK_EQ_INT(SSL_do_handshake(s), 1);
    CHECK(read_expect(c, -1, SSL_ERROR_WANT_READ));
    SSL_SESSION *sess = SSL_get1_session(c);
    REQUIRE(sess != NULL);
    SSL_shutdown(c);
    SSL_free(c);
    SSL_free(s);

    REQUIRE(pair_new(cctx, sctx, &c, &s));
    CHECK_EQ_INT(SSL_set_session(c, sess), 1);
    REQUIRE(pair_handshake(c, s));
    CHECK(SSL_session_reused(s));
    X509 *peer = SSL_get_peer_certificate(s);
    CHECK(peer != NULL && X509_cmp(peer, pki.leaf) == 0);
    X509_free(peer);
    SSL_SESSION_free(sess);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* A client without a certificate answers with an empty Certificate. */
static void test_no_certificate(void)
{
    SSL_CTX *sctx = pha_server_ctx(0), *cctx = pha_client_ctx(NULL);
    SSL *c, *s;
    REQUIRE(sctx && cctx && connect_pair(cctx, sctx, &c, &s));
    /* optional: the connection goes on without a client certificate */
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 1);
    CHECK_EQ_INT(SSL_do_handshake(s), 1);
    CHECK(read_expect(c, -1, SSL_ERROR_WANT_READ));
    CHECK(read_expect(s, -1, SSL_ERROR_WANT_READ));
    CHECK(SSL_get0_peer_certificate(s) == NULL);
    CHECK(pair_roundtrip(c, s, "still here"));
    SSL_free(c);
    SSL_free(s);

    /* required: the server fails, the client sees certificate_required on
     * its next read */
    SSL_CTX_set_verify(
        sctx, SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    REQUIRE(connect_pair(cctx, sctx, &c, &s));
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 1);
    CHECK_EQ_INT(SSL_do_handshake(s), 1);
    CHECK(read_expect(c, -1, SSL_ERROR_WANT_READ));
    CHECK(read_expect(s, -1, SSL_ERROR_SSL));
    CHECK_EQ_INT(first_reason(), SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE);
    CHECK(read_expect(s, -1, SSL_ERROR_SYSCALL)); /* failed: quiet from now on */
    CHECK(read_expect(c, 0, SSL_ERROR_SSL));
    CHECK_EQ_INT(first_reason(), SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED);
    CHECK(read_expect(c, 0, SSL_ERROR_ZERO_RETURN));
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 0);
    CHECK_EQ_INT(first_reason(), SSL_R_STILL_IN_INIT);
    CHECK_EQ_INT(SSL_do_handshake(s), -1);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* A certificate the server does not trust: unknown_ca, seen by the client
 * on its next read, not while it answers. */
static void test_untrusted_certificate(void)
{
    SSL_CTX *sctx = pha_server_ctx(0), *cctx = pha_client_ctx(&other_pki);
    SSL *c, *s;
    REQUIRE(sctx && cctx && connect_pair(cctx, sctx, &c, &s));
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 1);
    CHECK_EQ_INT(SSL_do_handshake(s), 1);
    CHECK(read_expect(c, -1, SSL_ERROR_WANT_READ));
    CHECK(read_expect(s, -1, SSL_ERROR_SSL));
    CHECK_EQ_INT(first_reason(), SSL_R_CERTIFICATE_VERIFY_FAILED);
    CHECK(SSL_get_verify_result(s) != X509_V_OK);
    CHECK(read_expect(c, 0, SSL_ERROR_SSL));
    CHECK_EQ_INT(first_reason(), SSL_R_TLSV1_ALERT_UNKNOWN_CA);
    SSL_free(c);
    SSL_free(s);

    /* a verify callback that accepts anyway: authenticated, with the
     * verification error kept in the verify result */
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE, accept_all_cb);
    REQUIRE(connect_pair(cctx, sctx, &c, &s));
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 1);
    CHECK_EQ_INT(SSL_do_handshake(s), 1);
    CHECK(read_expect(c, -1, SSL_ERROR_WANT_READ));
    CHECK(read_expect(s, -1, SSL_ERROR_WANT_READ));
    CHECK(SSL_get0_peer_certificate(s) != NULL);
    CHECK(SSL_get_verify_result(s) != X509_V_OK);
    CHECK(pair_roundtrip(c, s, "accepted"));
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* The client certificate callback supplies the certificate when the
 * request comes; returning -1 suspends the answer (WANT_X509_LOOKUP). */
static int cert_cb_calls;
static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
    (void)ssl;
    if (cert_cb_calls++ == 0)
        return -1;
    X509_up_ref(pki.leaf);
    EVP_PKEY_up_ref(pki.leaf_key);
    *x509 = pki.leaf;
    *pkey = pki.leaf_key;
    return 1;
}

static void test_client_cert_cb(void)
{
    SSL_CTX *sctx = pha_server_ctx(SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
    SSL_CTX *cctx = pha_client_ctx(NULL);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    SSL_CTX_set_client_cert_cb(cctx, client_cert_cb);
    cert_cb_calls = 0;
    REQUIRE(connect_pair(cctx, sctx, &c, &s));
    CHECK_EQ_INT(cert_cb_calls, 0); /* no request in the handshake */
    CHECK_EQ_INT(SSL_verify_client_post_handshake(s), 1);
    CHECK_EQ_INT(SSL_do_handshake(s), 1);
    CHECK(read_expect(c, -1, SSL_ERROR_WANT_X509_LOOKUP));
    CHECK(read_expect(c, -1, SSL_ERROR_WANT_READ));
    CHECK_EQ_INT(cert_cb_calls, 2);
    CHECK(read_expect(s, -1, SSL_ERROR_WANT_READ));
    CHECK(SSL_get0_peer_certificate(s) != NULL);
    CHECK(pair_roundtrip(c, s, "called back"));
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* A second PKI whose CA has another name (a CA of the same name would make
 * verification fail on the signature instead). */
static void other_pki_init(TEST_PKI *p)
{
    p->ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    p->leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    p->ca = pair_make_cert(p->ca_key, p->ca_key, NULL, "other-ca", 1, 30);
    p->leaf = pair_make_cert(p->leaf_key, p->ca_key, p->ca, "client", 0, 30);
}

TEST_MAIN({
    pair_pki_init(&pki);
    other_pki_init(&other_pki);
    RUN(test_request_errors);
    RUN(test_request_and_answer);
    RUN(test_ticket_after_authentication);
    RUN(test_no_certificate);
    RUN(test_untrusted_certificate);
    RUN(test_client_cert_cb);
    pair_pki_free(&other_pki);
    pair_pki_free(&pki);
})

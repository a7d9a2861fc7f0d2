/* unit.cli_api: what the openssl CLI (s_server, s_client, s_time) asks of the
 * library besides the handshake itself, over in-memory pairs:
 * SSL_get_sigalgs / SSL_get_shared_sigalgs, SSL_get1_groups and
 * SSL_get_shared_group, SSL_get0_ec_point_formats, what a resumed hello
 * leaves of those, the client's servername callback, SSL_MODE_AUTO_RETRY
 * cleared (a read returns after each ticket), an SSL reused on a new
 * transport after SSL_set_connect_state (s_client -reconnect), TLS 1.3
 * record padding, and the SSL BIO (BIO_f_ssl and its helpers).
 *
 * Public API only: the file is also built against the system libssl and run
 * as unit.cli_api.openssl ("ctest-control: openssl"), which is how every
 * expectation here was checked, and is checked again on every run. */
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <string.h>

#include "testutil.h"
#include "control.h"
#include "pair.h"

static TEST_PKI g_pki;

/* a pair whose client offers exactly these signature schemes and groups */
static int make_ctxs(int version, SSL_CTX **cctx, SSL_CTX **sctx)
{
    *sctx = pair_server_ctx(&g_pki);
    *cctx = pair_client_ctx(&g_pki);
    if (*sctx == NULL || *cctx == NULL)
        return 0;
    SSL_CTX_set_max_proto_version(*cctx, version);
    return SSL_CTX_set1_sigalgs_list(*cctx, "ECDSA+SHA256:rsa_pss_rsae_sha256:ed25519") == 1 &&
           SSL_CTX_set1_groups_list(*cctx, "P-256:X25519") == 1 &&
           SSL_CTX_set1_sigalgs_list(*sctx, "ed25519:ECDSA+SHA256:ECDSA+SHA384") == 1 &&
           SSL_CTX_set1_groups_list(*sctx, "X25519:P-384:P-256") == 1;
}

static void check_sigalg(SSL *s, int shared, int i, int sign, int hash, int sign_hash,
                         unsigned char rsig, unsigned char rhash)
{
    int a = -1, b = -1, c = -1;
    unsigned char rs = 0, rh = 0;
    if (shared)
        SSL_get_shared_sigalgs(s, i, &a, &b, &c, &rs, &rh);
    else
        SSL_get_sigalgs(s, i, &a, &b, &c, &rs, &rh);
    if (!CHECK(a == sign && b == hash && c == sign_hash && rs == rsig && rh == rhash))
        fprintf(stderr, "  %s[%d]: %d %d %d %02x%02x\n", shared ? "shared" : "sigalgs", i, a, b, c,
                rh, rs);
}

static void peer_lists(int version)
{
    SSL_CTX *cctx, *sctx;
    SSL *c, *s;
    REQUIRE(make_ctxs(version, &cctx, &sctx));
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    /* nothing before a hello */
    CHECK_EQ_INT(SSL_get_sigalgs(s, -1, NULL, NULL, NULL, NULL, NULL), 0);
    CHECK_EQ_INT(SSL_get1_groups(s, NULL), 0);
    REQUIRE(pair_handshake(c, s));

    /* the client's list, as sent */
    CHECK_EQ_INT(SSL_get_sigalgs(s, -1, NULL, NULL, NULL, NULL, NULL), 3);
    check_sigalg(s, 0, 0, EVP_PKEY_EC, NID_sha256, NID_ecdsa_with_SHA256, 0x03, 0x04);
    check_sigalg(s, 0, 1, EVP_PKEY_RSA_PSS, NID_sha256, NID_undef, 0x04, 0x08);
    check_sigalg(s, 0, 2, EVP_PKEY_ED25519, NID_undef, NID_undef, 0x07, 0x08);
    CHECK_EQ_INT(SSL_get_sigalgs(s, 3, NULL, NULL, NULL, NULL, NULL), 0);
    /* both lists, in the client's order; idx -1 is out of range */
    CHECK_EQ_INT(SSL_get_shared_sigalgs(s, 0, NULL, NULL, NULL, NULL, NULL), 2);
    CHECK_EQ_INT(SSL_get_shared_sigalgs(s, -1, NULL, NULL, NULL, NULL, NULL), 0);
    check_sigalg(s, 1, 0, EVP_PKEY_EC, NID_sha256, NID_ecdsa_with_SHA256, 0x03, 0x04);
    check_sigalg(s, 1, 1, EVP_PKEY_ED25519, NID_undef, NID_undef, 0x07, 0x08);
    /* fixed when the hello was read (OpenSSL's tls1_process_sigalgs) */
    SSL_set_options(s, SSL_OP_CIPHER_SERVER_PREFERENCE);
    check_sigalg(s, 1, 0, EVP_PKEY_EC, NID_sha256, NID_ecdsa_with_SHA256, 0x03, 0x04);
    SSL_clear_options(s, SSL_OP_CIPHER_SERVER_PREFERENCE);
    /* the client asked for no certificate: it has no peer list */
    CHECK_EQ_INT(SSL_get_sigalgs(c, -1, NULL, NULL, NULL, NULL, NULL), 0);
    CHECK_EQ_INT(SSL_get_shared_sigalgs(c, 0, NULL, NULL, NULL, NULL, NULL), 0);

    /* groups: the client's, then the shared ones in its order */
    int groups[8];
    CHECK_EQ_INT(SSL_get1_groups(s, NULL), 2);
    CHECK_EQ_INT(SSL_get1_groups(s, groups), 2);
    CHECK(groups[0] == NID_X9_62_prime256v1 && groups[1] == NID_X25519);
    CHECK_EQ_INT(SSL_get_shared_group(s, -1), 2);
    CHECK_EQ_INT(SSL_get_shared_group(s, 0), NID_X9_62_prime256v1);
    CHECK_EQ_INT(SSL_get_shared_group(s, 1), NID_X25519);

    /* TLS 1.2: the peer's ec_point_formats, uncompressed first */
    const unsigned char *pf = NULL;
    long npf = SSL_get0_ec_point_formats(s, &pf);
    long npf_c = SSL_get0_ec_point_formats(c, &pf);
    if (version == TLS1_2_VERSION) {
        CHECK(npf >= 1 && npf_c >= 1 && pf != NULL && pf[0] == TLSEXT_ECPOINTFORMAT_uncompressed);
    } else {
        CHECK_EQ_INT(npf, 0);
        CHECK_EQ_INT(npf_c, 0);
    }
    CHECK(SSL_get_client_ciphers(s) != NULL);
    pair_pump_client(c);
    SSL_SESSION *sess = SSL_get1_session(c);
    SSL_shutdown(c); /* a session of a connection not shut down is dropped */
    SSL_free(c);
    SSL_free(s);

    /* with server preference, the server's order */
    SSL_CTX_set_options(sctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    REQUIRE(pair_handshake(c, s));
    CHECK_EQ_INT(SSL_get_shared_sigalgs(s, 0, NULL, NULL, NULL, NULL, NULL), 2);
    check_sigalg(s, 1, 0, EVP_PKEY_ED25519, NID_undef, NID_undef, 0x07, 0x08);
    check_sigalg(s, 1, 1, EVP_PKEY_EC, NID_sha256, NID_ecdsa_with_SHA256, 0x03, 0x04);
    SSL_CTX_clear_options(sctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_free(c);
    SSL_free(s);

    /* a resumed hello: OpenSSL keeps no signature algorithms; TLS 1.2 keeps
     * no groups, formats or suites either */
    REQUIRE(sess != NULL && pair_new(cctx, sctx, &c, &s));
    SSL_set_session(c, sess);
    REQUIRE(pair_handshake(c, s));
    CHECK_EQ_INT(SSL_session_reused(s), 1);
    CHECK_EQ_INT(SSL_get_sigalgs(s, -1, NULL, NULL, NULL, NULL, NULL), 0);
    CHECK_EQ_INT(SSL_get_shared_sigalgs(s, 0, NULL, NULL, NULL, NULL, NULL), 0);
    if (version == TLS1_2_VERSION) {
        CHECK_EQ_INT(SSL_get1_groups(s, NULL), 0);
        CHECK_EQ_INT(SSL_get_shared_group(s, -1), 0);
        CHECK_EQ_INT(SSL_get0_ec_point_formats(s, &pf), 0);
        CHECK(SSL_get_client_ciphers(s) == NULL);
    } else {
        CHECK_EQ_INT(SSL_get1_groups(s, NULL), 2);
        CHECK(SSL_get_client_ciphers(s) != NULL);
    }
    SSL_SESSION_free(sess);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void test_peer_lists_tls13(void)
{
    peer_lists(TLS1_3_VERSION);
}

static void test_peer_lists_tls12(void)
{
    peer_lists(TLS1_2_VERSION);
}

/* ---- the servername callback of a client ---- */

static int g_sni_calls, g_sni_ret, g_sni_type;
static const char *g_sni_name;

static int sni_cb(SSL *s, int *al, void *arg)
{
    (void)arg;
    g_sni_calls++;
    g_sni_name = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
    g_sni_type = SSL_get_servername_type(s);
    if (g_sni_ret == SSL_TLSEXT_ERR_ALERT_FATAL)
        *al = SSL_AD_ACCESS_DENIED;
    return g_sni_ret;
}

static void client_servername_cb(int version)
{
    SSL_CTX *cctx, *sctx;
    SSL *c, *s;
    REQUIRE(make_ctxs(version, &cctx, &sctx));
    SSL_CTX_set_tlsext_servername_callback(cctx, sni_cb);
    g_sni_calls = 0;
    g_sni_ret = SSL_TLSEXT_ERR_OK;
    REQUIRE(pair_new(cctx, sctx, &c, &s)); /* sends "localhost" */
    CHECK(pair_handshake(c, s));
    CHECK_EQ_INT(g_sni_calls, 1);
    CHECK(g_sni_name != NULL && strcmp(g_sni_name, "localhost") == 0);
    CHECK_EQ_INT(g_sni_type, TLSEXT_NAMETYPE_host_name);
    SSL_free(c);
    SSL_free(s);

    /* no name sent: the callback still runs (s_client prints "Can't use
     * SSL_get_servername") */
    g_sni_calls = 0;
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    SSL_set_tlsext_host_name(c, NULL);
    CHECK(pair_handshake(c, s));
    CHECK_EQ_INT(g_sni_calls, 1);
    CHECK_EQ_INT(g_sni_type, -1);
    SSL_free(c);
    SSL_free(s);

    /* a fatal answer ends the handshake with its alert */
    g_sni_calls = 0;
    g_sni_ret = SSL_TLSEXT_ERR_ALERT_FATAL;
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    CHECK(!pair_handshake(c, s));
    CHECK_EQ_INT(g_sni_calls, 1);
    unsigned long e = ERR_peek_last_error();
    CHECK(ERR_GET_REASON(e) == SSL_R_CALLBACK_FAILED ||
          ERR_GET_REASON(e) == SSL_R_TLSV1_ALERT_ACCESS_DENIED);
    CHECK(SSL_get_error(c, -1) == SSL_ERROR_SSL);
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void test_client_servername_cb_tls13(void)
{
    client_servername_cb(TLS1_3_VERSION);
}

static void test_client_servername_cb_tls12(void)
{
    client_servername_cb(TLS1_2_VERSION);
}

/* ---- SSL_MODE_AUTO_RETRY cleared ---- */

static int g_tickets;

static int count_ticket(SSL *s, SSL_SESSION *sess)
{
    (void)s;
    (void)sess;
    g_tickets++;
    return 0;
}

static void test_auto_retry_cleared(void)
{
    SSL_CTX *cctx, *sctx;
    SSL *c, *s;
    char buf[16];
    REQUIRE(make_ctxs(TLS1_3_VERSION, &cctx, &sctx));
    SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT);
    SSL_CTX_sess_set_new_cb(cctx, count_ticket);
    SSL_CTX_clear_mode(cctx, SSL_MODE_AUTO_RETRY);
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    REQUIRE(pair_handshake(c, s));
    g_tickets = 0;
    /* two tickets wait in the transport: each read handles one and returns */
    CHECK_EQ_INT(SSL_read(c, buf, sizeof(buf)), -1);
    CHECK_EQ_INT(SSL_get_error(c, -1), SSL_ERROR_WANT_READ);
    CHECK_EQ_INT(g_tickets, 1);
    CHECK(BIO_pending(SSL_get_rbio(c)) > 0);
    CHECK_EQ_INT(SSL_read(c, buf, sizeof(buf)), -1);
    CHECK_EQ_INT(SSL_get_error(c, -1), SSL_ERROR_WANT_READ);
    CHECK_EQ_INT(g_tickets, 2);
    CHECK_EQ_INT(SSL_read(c, buf, sizeof(buf)), -1); /* nothing left */
    CHECK_EQ_INT(SSL_get_error(c, -1), SSL_ERROR_WANT_READ);
    CHECK_EQ_INT(SSL_write(s, "hi", 2), 2);
    CHECK_EQ_INT(SSL_read(c, buf, sizeof(buf)), 2);
    SSL_free(c);
    SSL_free(s);

    /* by default the read goes on past both tickets */
    SSL_CTX_set_mode(cctx, SSL_MODE_AUTO_RETRY);
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    REQUIRE(pair_handshake(c, s));
    g_tickets = 0;
    CHECK_EQ_INT(SSL_write(s, "hi", 2), 2);
    CHECK_EQ_INT(SSL_read(c, buf, sizeof(buf)), 2);
    CHECK_EQ_INT(g_tickets, 2);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* ---- one SSL, a new transport: s_client -reconnect ---- */

static void reconnect(int version)
{
    SSL_CTX *cctx, *sctx;
    SSL *c, *s, *s2;
    BIO *b1, *b2;
    REQUIRE(make_ctxs(version, &cctx, &sctx));
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    REQUIRE(pair_handshake(c, s));
    if (version == TLS1_3_VERSION)
        pair_pump_client(c); /* the tickets */
    CHECK(SSL_shutdown(c) >= 0);
    SSL_set_connect_state(c);
    /* what the CLI does: a new socket, the same SSL */
    REQUIRE(BIO_new_bio_pair(&b1, 0, &b2, 0));
    SSL_set_bio(c, b1, b1);
    SSL_set_connect_state(c);
    CHECK(SSL_in_before(c));
    s2 = SSL_new(sctx);
    REQUIRE(s2 != NULL);
    SSL_set_bio(s2, b2, b2);
    SSL_set_accept_state(s2);
    CHECK(pair_handshake(c, s2));
    CHECK_EQ_INT(SSL_session_reused(c), 1);
    CHECK(pair_roundtrip(c, s2, "again"));
    SSL_free(c);
    SSL_free(s);
    SSL_free(s2);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void test_reconnect_tls13(void)
{
    reconnect(TLS1_3_VERSION);
}

static void test_reconnect_tls12(void)
{
    reconnect(TLS1_2_VERSION);
}

/* ---- TLS 1.3 record padding ---- */

static size_t pad_cb(SSL *s, int type, size_t len, void *arg)
{
    (void)s;
    (void)type;
    (void)len;
    return *(size_t *)arg;
}

/* the size on the wire of one SSL_write of one byte */
static int wire_len(SSL *c, SSL *s)
{
    char b;
    BIO *in = SSL_get_rbio(s);
    if (SSL_write(c, "x", 1) != 1)
        return -1;
    int n = (int)BIO_pending(in);
    if (SSL_read(s, &b, 1) != 1)
        return -1;
    return n;
}

static void test_record_padding(void)
{
    SSL_CTX *cctx, *sctx;
    SSL *c, *s;
    size_t cb_pad = 10;
    REQUIRE(make_ctxs(TLS1_3_VERSION, &cctx, &sctx));
    CHECK_EQ_INT(SSL_CTX_set_block_padding(cctx, 16385), 0);
    CHECK_EQ_INT(SSL_CTX_set_block_padding(cctx, 64), 1);
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    REQUIRE(pair_handshake(c, s));
    pair_pump_client(c);
    /* 5-byte header, 1 byte + type byte padded to 64, 16-byte tag */
    CHECK_EQ_INT(wire_len(c, s), 5 + 64 + 16);
    CHECK_EQ_INT(SSL_set_block_padding(c, 1), 1); /* 1: none */
    CHECK_EQ_INT(wire_len(c, s), 5 + 2 + 16);
    CHECK_EQ_INT(SSL_set_record_padding_callback(c, pad_cb), 1);
    SSL_set_record_padding_callback_arg(c, &cb_pad);
    CHECK(SSL_get_record_padding_callback_arg(c) == &cb_pad);
    CHECK_EQ_INT(wire_len(c, s), 5 + 2 + 10 + 16);
    cb_pad = 100000; /* never past a record's plaintext limit */
    CHECK_EQ_INT(wire_len(c, s), 5 + 16384 + 16);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* ---- the SSL BIO ---- */

static void test_bio_ssl(void)
{
    SSL_CTX *cctx, *sctx;
    BIO *b1, *b2;
    REQUIRE(make_ctxs(TLS1_3_VERSION, &cctx, &sctx));
    REQUIRE(BIO_new_bio_pair(&b1, 0, &b2, 0));
    BIO *cb = BIO_new_ssl(cctx, 1), *sb = BIO_new_ssl(sctx, 0);
    REQUIRE(cb != NULL && sb != NULL);
    CHECK(BIO_method_type(cb) == BIO_TYPE_SSL && BIO_f_ssl() == BIO_f_ssl());
    SSL *cs = NULL, *ss = NULL;
    CHECK_EQ_INT(BIO_get_ssl(cb, &cs), 1);
    CHECK_EQ_INT(BIO_get_ssl(sb, &ss), 1);
    REQUIRE(cs != NULL && ss != NULL);
    CHECK_EQ_INT(SSL_is_server(cs), 0);
    CHECK_EQ_INT(SSL_is_server(ss), 1);
    SSL_set_tlsext_host_name(cs, "localhost");
    /* pushing the transport below gives it to the SSL */
    BIO *cchain = BIO_push(cb, b1), *schain = BIO_push(sb, b2);
    CHECK(SSL_get_rbio(cs) == b1 && SSL_get_wbio(ss) == b2);
    CHECK(BIO_next(cb) == b1);
    int cdone = 0, sdone = 0;
    for (int i = 0; i < 100 && !(cdone && sdone); i++) {
        if (!cdone) {
            long r = BIO_do_handshake(cchain);
            if (r == 1)
                cdone = 1;
            else
                CHECK(BIO_should_retry(cchain) && BIO_should_read(cchain));
        }
        if (!sdone && BIO_do_handshake(schain) == 1)
            sdone = 1;
    }
    REQUIRE(cdone && sdone);
    CHECK_EQ_INT(BIO_write(cchain, "hello", 5), 5);
    char buf[16];
    int n = BIO_read(schain, buf, sizeof(buf));
    CHECK(n == 5 && memcmp(buf, "hello", 5) == 0);
    /* nothing more: a retry, flagged for reading */
    CHECK_EQ_INT(BIO_read(schain, buf, sizeof(buf)), -1);
    CHECK(BIO_should_retry(schain) && BIO_should_read(schain));
    CHECK_EQ_INT(BIO_puts(schain, "back"), 4);
    CHECK_EQ_INT(BIO_read(cchain, buf, sizeof(buf)), 4); /* the tickets pass first */
    CHECK_EQ_INT((int)BIO_pending(cchain), 0);
    /* renegotiation counters: the previous value comes back */
    CHECK_EQ_INT(BIO_set_ssl_renegotiate_bytes(cchain, 100), 0); /* < 512: ignored */
    CHECK_EQ_INT(BIO_set_ssl_renegotiate_bytes(cchain, 4096), 0);
    CHECK_EQ_INT(BIO_set_ssl_renegotiate_bytes(cchain, 8192), 4096);
    CHECK_EQ_INT(BIO_get_num_renegotiates(cchain), 0);
    /* the session of one SSL BIO copied to another's SSL */
    BIO *other = BIO_new_ssl(cctx, 1);
    REQUIRE(other != NULL);
    CHECK_EQ_INT(BIO_ssl_copy_session_id(other, cchain), 1);
    SSL *os = NULL;
    BIO_get_ssl(other, &os);
    CHECK(os != NULL && SSL_get_session(os) == SSL_get_session(cs));
    CHECK_EQ_INT(BIO_ssl_copy_session_id(other, b1), 0); /* no SSL BIO there */
    BIO_free_all(other);
    /* BIO_ssl_shutdown sends close_notify; the peer reads its end */
    BIO_ssl_shutdown(cchain);
    CHECK(SSL_get_shutdown(cs) & SSL_SENT_SHUTDOWN);
    CHECK_EQ_INT(BIO_read(schain, buf, sizeof(buf)), 0);
    CHECK(SSL_get_error(ss, 0) == SSL_ERROR_ZERO_RETURN);
    ERR_clear_error();
    /* the chains own everything (BIO_CLOSE): no leak under the sanitizers */
    BIO_free_all(cchain);
    BIO_free_all(schain);

    /* the connect helpers build the usual chains */
    BIO *conn = BIO_new_ssl_connect(cctx), *buffered = BIO_new_buffer_ssl_connect(cctx);
    CHECK(conn != NULL && BIO_method_type(conn) == BIO_TYPE_SSL &&
          BIO_method_type(BIO_next(conn)) == BIO_TYPE_CONNECT);
    CHECK(buffered != NULL && BIO_method_type(buffered) == BIO_TYPE_BUFFER &&
          BIO_find_type(buffered, BIO_TYPE_SSL) != NULL);
    BIO_free_all(conn);
    BIO_free_all(buffered);
    /* freeing an SSL BIO whose SSL never started queues nothing; one that
     * did says close_notify, under BIO_CLOSE only */
    ERR_clear_error();
    BIO_free_all(BIO_new_ssl(cctx, 1));
    CHECK_EQ_INT(ERR_peek_error(), 0);
    for (int close = 0; close < 2; close++) {
        SSL *c, *s;
        REQUIRE(pair_new(cctx, sctx, &c, &s));
        REQUIRE(pair_handshake(c, s));
        BIO *b = BIO_new(BIO_f_ssl());
        REQUIRE(b != NULL);
        CHECK_EQ_INT(BIO_set_ssl(b, c, close ? BIO_CLOSE : BIO_NOCLOSE), 1);
        if (close)
            SSL_up_ref(c);
        BIO_free_all(b); /* with the reference it took on the SSL's read BIO */
        CHECK_EQ_INT((SSL_get_shutdown(c) & SSL_SENT_SHUTDOWN) != 0, close);
        SSL_free(c);
        SSL_free(s);
    }
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

TEST_MAIN({
    CONTROL_RUN();
    pair_pki_init(&g_pki);
    RUN(test_peer_lists_tls13);
    RUN(test_peer_lists_tls12);
    RUN(test_client_servername_cb_tls13);
    RUN(test_client_servername_cb_tls12);
    RUN(test_auto_retry_cleared);
    RUN(test_reconnect_tls13);
    RUN(test_reconnect_tls12);
    RUN(test_record_padding);
    RUN(test_bio_ssl);
    pair_pki_free(&g_pki);
})

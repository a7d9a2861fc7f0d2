/* TLS 1.2 between two sesame endpoints in memory: every ECDHE suite with an
 * ECDSA and an RSA certificate, resumption by ticket and by session id, the
 * extended master secret (RFC 7627), the downgrade sentinel (RFC 8446
 * 4.1.3), version negotiation, the RFC 5705 exporter, client certificates,
 * renegotiation refused (RFC 5746) and the message callback. */
#include "testutil.h"

#include <string.h>

#include "pair.h"

#include "internal.h"
#include "codec/consts.h"
#include "record/record_io.h"

static TEST_PKI pki;
static EVP_PKEY *rsa_key;
static X509 *rsa_leaf;

/* server_ctx12: a server with the ECDSA and the RSA certificate. */
static SSL_CTX *server_ctx12(void)
{
    SSL_CTX *c = pair_server_ctx(&pki);
    if (c != NULL &&
        (SSL_CTX_use_certificate(c, rsa_leaf) != 1 || SSL_CTX_use_PrivateKey(c, rsa_key) != 1)) {
        SSL_CTX_free(c);
        return NULL;
    }
    return c;
}

/* client_ctx12: a verifying client limited to TLS 1.2. */
static SSL_CTX *client_ctx12(void)
{
    SSL_CTX *c = pair_client_ctx(&pki);
    if (c != NULL && SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION) != 1) {
        SSL_CTX_free(c);
        return NULL;
    }
    return c;
}

static void free4(SSL *c, SSL *s, SSL_CTX *cctx, SSL_CTX *sctx)
{
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void test_every_suite(void)
{
    static const struct {
        const char *name;
        int rsa;
    } suites[] = {
        {"ECDHE-ECDSA-AES128-GCM-SHA256", 0}, {"ECDHE-ECDSA-AES256-GCM-SHA384", 0},
        {"ECDHE-ECDSA-CHACHA20-POLY1305", 0}, {"ECDHE-RSA-AES128-GCM-SHA256", 1},
        {"ECDHE-RSA-AES256-GCM-SHA384", 1},   {"ECDHE-RSA-CHACHA20-POLY1305", 1},
    };
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
        SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
        SSL *c, *s;
        REQUIRE(sctx && cctx && SSL_CTX_set_cipher_list(cctx, suites[i].name) == 1);
        REQUIRE(pair_new(cctx, sctx, &c, &s));
        if (!CHECK(pair_handshake(c, s))) {
            fprintf(stderr, "  suite %s\n", suites[i].name);
            ERR_print_errors_fp(stderr);
        }
        CHECK_EQ_INT(SSL_version(c), TLS1_2_VERSION);
        CHECK_EQ_INT(SSL_version(s), TLS1_2_VERSION);
        CHECK(strcmp(SSL_get_version(c), "TLSv1.2") == 0);
        const SSL_CIPHER *cc = SSL_get_current_cipher(c), *sc = SSL_get_current_cipher(s);
        CHECK(cc != NULL && strcmp(SSL_CIPHER_get_name(cc), suites[i].name) == 0);
        CHECK(sc != NULL && strcmp(SSL_CIPHER_get_name(sc), suites[i].name) == 0);
        /* the certificate the suite calls for */
        X509 *peer = SSL_get0_peer_certificate(c);
        CHECK(peer != NULL && X509_cmp(peer, suites[i].rsa ? rsa_leaf : pki.leaf) == 0);
        CHECK_EQ_INT(SSL_get_verify_result(c), X509_V_OK);
        CHECK_EQ_INT(SSL_get_extms_support(c), 1);
        CHECK_EQ_INT(SSL_get_extms_support(s), 1);
        CHECK_EQ_INT(SSL_get_secure_renegotiation_support(c), 1);
        CHECK_EQ_INT(SSL_get_secure_renegotiation_support(s), 1);
        CHECK(pair_roundtrip(c, s, "hello over TLS 1.2"));
        CHECK(pair_roundtrip(c, s, "and back again"));
        free4(c, s, cctx, sctx);
    }
}

/* RFC 8422 5.1: an ECDSA certificate only on a curve the client's groups
 * name; else another suite's certificate, or no shared cipher (OpenSSL). */
static void test_ecdsa_curve_in_client_groups(void)
{
    for (int rsa_allowed = 1; rsa_allowed >= 0; rsa_allowed--) {
        SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
        SSL *c, *s;
        REQUIRE(sctx && cctx && SSL_CTX_set1_groups_list(cctx, "X25519") == 1);
        CHECK(SSL_CTX_set_cipher_list(cctx, rsa_allowed ? "ECDHE-ECDSA-AES128-GCM-SHA256:"
                                                          "ECDHE-RSA-AES128-GCM-SHA256"
                                                        : "ECDHE-ECDSA-AES128-GCM-SHA256") == 1);
        REQUIRE(pair_new(cctx, sctx, &c, &s));
        int ok = pair_handshake(c, s);
        CHECK_EQ_INT(ok, rsa_allowed);
        if (ok) {
            CHECK(strcmp(SSL_CIPHER_get_name(SSL_get_current_cipher(c)),
                         "ECDHE-RSA-AES128-GCM-SHA256") == 0);
        } else {
            CHECK_EQ_INT(s->alert_sent, CODEC_ALERT_HANDSHAKE_FAILURE);
            CHECK_EQ_INT(ERR_GET_REASON(ERR_peek_error()), SSL_R_NO_SHARED_CIPHER);
        }
        ERR_clear_error();
        free4(c, s, cctx, sctx);
    }
}

/* resume: a full handshake, then one offering its session; returns whether
 * both sides report the second as resumed. */
static int resume(SSL_CTX *cctx, SSL_CTX *sctx, int *out_had_ticket)
{
    SSL *c, *s;
    SSL_SESSION *sess = NULL;
    int reused = 0;
    *out_had_ticket = -1;
    if (!pair_new(cctx, sctx, &c, &s))
        return 0;
    if (CHECK(pair_handshake(c, s)) && CHECK(!SSL_session_reused(c))) {
        sess = SSL_get1_session(c);
        CHECK(sess != NULL && SSL_SESSION_get_protocol_version(sess) == TLS1_2_VERSION);
        *out_had_ticket = sess != NULL && SSL_SESSION_has_ticket(sess);
    }
    SSL_shutdown(c);
    SSL_shutdown(s);
    SSL_free(c);
    SSL_free(s);
    if (sess == NULL || !pair_new(cctx, sctx, &c, &s))
        goto out;
    CHECK(SSL_set_session(c, sess) == 1);
    if (CHECK(pair_handshake(c, s))) {
        reused = SSL_session_reused(c) && SSL_session_reused(s);
        CHECK_EQ_INT(SSL_session_reused(c), SSL_session_reused(s));
        CHECK(pair_roundtrip(c, s, "resumed data"));
        CHECK_EQ_INT(SSL_version(c), TLS1_2_VERSION);
    }
    SSL_free(c);
    SSL_free(s);
out:
    SSL_SESSION_free(sess);
    return reused;
}

static void test_resumption_ticket_and_id(void)
{
    SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
    REQUIRE(sctx && cctx);
    SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT);
    int had_ticket;
    CHECK(resume(cctx, sctx, &had_ticket)); /* by ticket (RFC 5077) */
    CHECK_EQ_INT(had_ticket, 1);
    /* by session id: the server keeps the session in its cache */
    SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    long hits = SSL_CTX_sess_hits(sctx);
    CHECK(resume(cctx, sctx, &had_ticket));
    CHECK_EQ_INT(had_ticket, 0);
    CHECK(SSL_CTX_sess_hits(sctx) == hits + 1);
    /* neither: no ticket and no cache, so a full handshake */
    SSL_CTX_set_session_cache_mode(sctx, SSL_SESS_CACHE_OFF);
    CHECK(!resume(cctx, sctx, &had_ticket));
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* Without the extended master secret the handshake works, but its session
 * is never resumed (RFC 7627 5.3 lets a server refuse; we always do). */
static void test_no_extended_master_secret(void)
{
    for (int side = 0; side < 2; side++) {
        SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
        REQUIRE(sctx && cctx);
        SSL_CTX_set_options(side == 0 ? cctx : sctx, SSL_OP_NO_EXTENDED_MASTER_SECRET);
        SSL *c, *s;
        REQUIRE(pair_new(cctx, sctx, &c, &s));
        CHECK(pair_handshake(c, s));
        CHECK_EQ_INT(SSL_get_extms_support(c), 0);
        CHECK_EQ_INT(SSL_get_extms_support(s), 0);
        CHECK(pair_roundtrip(c, s, "no ems"));
        SSL_SESSION *sess = SSL_get1_session(c);
        CHECK(sess != NULL && !SSL_SESSION_is_resumable(sess));
        SSL_SESSION_free(sess);
        int had_ticket;
        CHECK(!resume(cctx, sctx, &had_ticket));
        free4(c, s, cctx, sctx);
    }
}

static int ends_with_sentinel(const SSL *x)
{
    uint8_t r[32];
    return SSL_get_server_random(x, r, sizeof(r)) == 32 && memcmp(r + 24, "DOWNGRD\x01", 8) == 0;
}

/* RFC 8446 4.1.3 */
static void test_downgrade_sentinel(void)
{
    /* a server that can do 1.3 marks a 1.2 ServerHello */
    SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
    SSL *c, *s;
    REQUIRE(sctx && cctx && pair_new(cctx, sctx, &c, &s));
    CHECK(pair_handshake(c, s));
    CHECK(ends_with_sentinel(c));
    free4(c, s, cctx, sctx);

    /* a 1.2-only server does not, and a 1.3 client accepts 1.2 from it */
    sctx = server_ctx12();
    cctx = pair_client_ctx(&pki);
    REQUIRE(sctx && cctx && SSL_CTX_set_max_proto_version(sctx, TLS1_2_VERSION) == 1);
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    CHECK(pair_handshake(c, s));
    CHECK_EQ_INT(SSL_version(c), TLS1_2_VERSION);
    CHECK(!ends_with_sentinel(c));
    SSL_free(c);
    SSL_free(s);

    /* the sentinel written into that ServerHello by someone in between:
     * a client that offered 1.3 aborts (illegal_parameter) */
    BIO *cin = BIO_new(BIO_s_mem()), *cout = BIO_new(BIO_s_mem());
    BIO *sin = BIO_new(BIO_s_mem()), *sout = BIO_new(BIO_s_mem());
    c = SSL_new(cctx);
    s = SSL_new(sctx);
    REQUIRE(c && s && cin && cout && sin && sout);
    SSL_set_bio(c, cin, cout);
    SSL_set_bio(s, sin, sout);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    CHECK(SSL_do_handshake(c) == -1);
    char *p;
    long n = BIO_get_mem_data(cout, &p);
    BIO_write(sin, p, (int)n);
    CHECK(SSL_do_handshake(s) == -1);
    n = BIO_get_mem_data(sout, &p);
    /* record header 5, handshake header 4, version 2: the random at 11 */
    REQUIRE(n > 11 + 32 && p[5] == CODEC_HS_SERVER_HELLO);
    memcpy(p + 11 + 24, "DOWNGRD\x01", 8);
    BIO_write(cin, p, (int)n);
    ERR_clear_error();
    int r = SSL_do_handshake(c);
    CHECK(r <= 0 && SSL_get_error(c, r) == SSL_ERROR_SSL);
    CHECK_EQ_INT(ERR_GET_REASON(ERR_peek_last_error()), SSL_R_INAPPROPRIATE_FALLBACK);
    CHECK_EQ_INT(c->alert_sent, CODEC_ALERT_ILLEGAL_PARAMETER);
    ERR_clear_error();
    free4(c, s, cctx, sctx);
}

/* RFC 7507: a client falling back to 1.2 says so; a server that can do
 * more refuses with inappropriate_fallback, one that cannot goes on. */
static void test_fallback_scsv(void)
{
    for (int server_max12 = 0; server_max12 < 2; server_max12++) {
        SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
        SSL *c, *s;
        REQUIRE(sctx && cctx);
        SSL_CTX_set_mode(cctx, SSL_MODE_SEND_FALLBACK_SCSV);
        if (server_max12)
            CHECK(SSL_CTX_set_max_proto_version(sctx, TLS1_2_VERSION) == 1);
        REQUIRE(pair_new(cctx, sctx, &c, &s));
        int ok = pair_handshake(c, s);
        CHECK_EQ_INT(ok, server_max12);
        if (!ok) {
            CHECK_EQ_INT(s->alert_sent, CODEC_ALERT_INAPPROPRIATE_FALLBACK);
            CHECK_EQ_INT(ERR_GET_REASON(ERR_peek_error()), SSL_R_INAPPROPRIATE_FALLBACK);
        }
        ERR_clear_error();
        free4(c, s, cctx, sctx);
    }
}

/* Version ranges: 1.3 on both sides wins; a range with nothing in common
 * ends with protocol_version from the server. */
static void test_version_negotiation(void)
{
    static const struct {
        int cmin, cmax, smin, smax, want; /* want 0: fails */
    } cases[] = {
        {0, 0, 0, 0, TLS1_3_VERSION},
        {0, TLS1_2_VERSION, 0, 0, TLS1_2_VERSION},
        {0, 0, 0, TLS1_2_VERSION, TLS1_2_VERSION},
        {TLS1_3_VERSION, 0, 0, TLS1_2_VERSION, 0},
        {0, TLS1_2_VERSION, TLS1_3_VERSION, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        SSL_CTX *sctx = server_ctx12(), *cctx = pair_client_ctx(&pki);
        SSL *c, *s;
        REQUIRE(sctx && cctx);
        CHECK(SSL_CTX_set_min_proto_version(cctx, cases[i].cmin) == 1 &&
              SSL_CTX_set_max_proto_version(cctx, cases[i].cmax) == 1 &&
              SSL_CTX_set_min_proto_version(sctx, cases[i].smin) == 1 &&
              SSL_CTX_set_max_proto_version(sctx, cases[i].smax) == 1);
        REQUIRE(pair_new(cctx, sctx, &c, &s));
        int ok = pair_handshake(c, s);
        if (!CHECK(ok == (cases[i].want != 0)))
            fprintf(stderr, "  case %zu\n", i);
        if (ok) {
            CHECK_EQ_INT(SSL_version(c), cases[i].want);
            CHECK_EQ_INT(SSL_version(s), cases[i].want);
        } else {
            CHECK_EQ_INT(s->alert_sent, CODEC_ALERT_PROTOCOL_VERSION);
            CHECK_EQ_INT(ERR_GET_REASON(ERR_peek_last_error()), SSL_R_UNSUPPORTED_PROTOCOL);
        }
        ERR_clear_error();
        free4(c, s, cctx, sctx);
    }
}

/* RFC 5705: both ends derive the same bytes; label, context and its
 * absence all change them; RFC 5705's reserved labels are refused. */
static void test_exporter(void)
{
    SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
    SSL *c, *s;
    REQUIRE(sctx && cctx && pair_new(cctx, sctx, &c, &s));
    REQUIRE(pair_handshake(c, s));
    uint8_t a[48], b[48], x[48], y[48];
    static const uint8_t ctx[] = "context";
    CHECK(SSL_export_keying_material(c, a, sizeof(a), "EXPERIMENTAL test", 17, ctx, 7, 1) == 1);
    CHECK(SSL_export_keying_material(s, b, sizeof(b), "EXPERIMENTAL test", 17, ctx, 7, 1) == 1);
    CHECK(memcmp(a, b, sizeof(a)) == 0);
    CHECK(SSL_export_keying_material(c, x, sizeof(x), "EXPERIMENTAL tesT", 17, ctx, 7, 1) == 1);
    CHECK(memcmp(a, x, sizeof(a)) != 0);
    /* no context differs from an empty one in TLS 1.2 */
    CHECK(SSL_export_keying_material(c, x, sizeof(x), "EXPERIMENTAL test", 17, NULL, 0, 0) == 1);
    CHECK(SSL_export_keying_material(c, y, sizeof(y), "EXPERIMENTAL test", 17, NULL, 0, 1) == 1);
    CHECK(memcmp(x, y, sizeof(x)) != 0);
    CHECK(SSL_export_keying_material(s, b, sizeof(b), "EXPERIMENTAL test", 17, NULL, 0, 1) == 1);
    CHECK(memcmp(y, b, sizeof(y)) == 0);
    CHECK(SSL_export_keying_material(c, x, sizeof(x), "master secret", 13, NULL, 0, 0) == 0);
    CHECK(SSL_export_keying_material(c, x, sizeof(x), "key expansion", 13, NULL, 0, 0) == 0);
    ERR_clear_error();
    free4(c, s, cctx, sctx);
}

static void test_client_certificate(void)
{
    for (int have_cert = 1; have_cert >= 0; have_cert--) {
        SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
        SSL *c, *s;
        REQUIRE(sctx && cctx);
        X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), pki.ca);
        SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        if (have_cert)
            CHECK(SSL_CTX_use_certificate(cctx, rsa_leaf) == 1 &&
                  SSL_CTX_use_PrivateKey(cctx, rsa_key) == 1);
        REQUIRE(pair_new(cctx, sctx, &c, &s));
        int ok = pair_handshake(c, s);
        CHECK_EQ_INT(ok, have_cert);
        if (ok) {
            X509 *peer = SSL_get0_peer_certificate(s);
            CHECK(peer != NULL && X509_cmp(peer, rsa_leaf) == 0);
            CHECK_EQ_INT(SSL_get_verify_result(s), X509_V_OK);
            CHECK(pair_roundtrip(c, s, "with a client certificate"));
        } else {
            /* RFC 5246 7.4.6: handshake_failure, as from OpenSSL */
            CHECK_EQ_INT(s->alert_sent, CODEC_ALERT_HANDSHAKE_FAILURE);
        }
        ERR_clear_error();
        free4(c, s, cctx, sctx);
    }
}

/* inject: |x| sends a handshake message of |type| (empty body) under its
 * current keys, as a peer asking to renegotiate would. */
static int inject(SSL *x, uint8_t type)
{
    uint8_t m[4] = {type, 0, 0, 0};
    return rec_queue(x, REC_HANDSHAKE, m, sizeof(m)) && rec_flush(x) == REC_OK;
}

static void test_renegotiation_refused(void)
{
    for (int from_server = 1; from_server >= 0; from_server--) {
        SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
        SSL *c, *s;
        REQUIRE(sctx && cctx && pair_new(cctx, sctx, &c, &s));
        REQUIRE(pair_handshake(c, s));
        SSL *asker = from_server ? s : c, *refuser = from_server ? c : s;
        /* HelloRequest from the server, ClientHello from the client */
        REQUIRE(inject(asker, from_server ? CODEC_HS_HELLO_REQUEST : CODEC_HS_CLIENT_HELLO));
        CHECK(SSL_write(asker, "data", 4) == 4);
        char buf[16];
        CHECK(SSL_read(refuser, buf, sizeof(buf)) == 4);
        /* the refusal is a warning: the asker reads on */
        CHECK(SSL_write(refuser, "more", 4) == 4);
        CHECK(SSL_read(asker, buf, sizeof(buf)) == 4 && memcmp(buf, "more", 4) == 0);
        CHECK_EQ_INT(SSL_get_shutdown(asker), 0);
        CHECK(pair_roundtrip(c, s, "still going"));
        /* a peer that asks without end, with no data between, is cut off */
        for (int i = 0; i < 200; i++)
            REQUIRE(inject(asker, from_server ? CODEC_HS_HELLO_REQUEST : CODEC_HS_CLIENT_HELLO));
        ERR_clear_error();
        int r = SSL_read(refuser, buf, sizeof(buf));
        CHECK(r <= 0 && SSL_get_error(refuser, r) == SSL_ERROR_SSL);
        CHECK_EQ_INT(refuser->alert_sent, CODEC_ALERT_UNEXPECTED_MESSAGE);
        ERR_clear_error();
        free4(c, s, cctx, sctx);
    }
}

/* After the handshake a TLS 1.2 peer may send no other handshake message
 * (no KeyUpdate, no NewSessionTicket, no Finished). */
static void test_other_post_handshake_messages(void)
{
    static const uint8_t types[] = {CODEC_HS_NEW_SESSION_TICKET, 24 /* key_update */,
                                    CODEC_HS_FINISHED, CODEC_HS_CERTIFICATE_REQUEST};
    for (size_t i = 0; i < sizeof(types); i++) {
        SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
        SSL *c, *s;
        REQUIRE(sctx && cctx && pair_new(cctx, sctx, &c, &s));
        REQUIRE(pair_handshake(c, s));
        REQUIRE(inject(s, types[i]));
        char buf[16];
        ERR_clear_error();
        int r = SSL_read(c, buf, sizeof(buf));
        CHECK(r <= 0 && SSL_get_error(c, r) == SSL_ERROR_SSL);
        CHECK_EQ_INT(c->alert_sent, CODEC_ALERT_UNEXPECTED_MESSAGE);
        ERR_clear_error();
        free4(c, s, cctx, sctx);
    }
}

struct seen {
    int ske, ccs_out, ccs_in, other_version;
};

static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                   SSL *ssl, void *arg)
{
    (void)ssl;
    struct seen *w = arg;
    const uint8_t *b = buf;
    if (content_type == SSL3_RT_HANDSHAKE && len > 0 && b[0] == CODEC_HS_SERVER_KEY_EXCHANGE &&
        !write_p)
        w->ske++;
    if (content_type == SSL3_RT_CHANGE_CIPHER_SPEC && len == 1 && b[0] == 1)
        *(write_p ? &w->ccs_out : &w->ccs_in) += 1;
    /* the client hello goes out before the version is known */
    if (version != TLS1_2_VERSION &&
        !(content_type == SSL3_RT_HANDSHAKE && len > 0 && b[0] == CODEC_HS_CLIENT_HELLO))
        w->other_version++;
}

/* What Python's test_msg_callback_tls12 looks for. */
static void test_msg_callback(void)
{
    SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
    SSL *c, *s;
    struct seen w = {0};
    REQUIRE(sctx && cctx);
    SSL_CTX_set_msg_callback(cctx, msg_cb);
    SSL_CTX_set_msg_callback_arg(cctx, &w);
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    CHECK(pair_handshake(c, s));
    CHECK_EQ_INT(w.ske, 1);
    CHECK_EQ_INT(w.ccs_out, 1);
    CHECK_EQ_INT(w.ccs_in, 1);
    CHECK_EQ_INT(w.other_version, 0);
    free4(c, s, cctx, sctx);
}

/* A change_cipher_spec where a handshake message is due, or twice. */
static void test_misplaced_ccs(void)
{
    SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
    SSL *c, *s;
    REQUIRE(sctx && cctx && pair_new(cctx, sctx, &c, &s));
    REQUIRE(pair_handshake(c, s));
    static const uint8_t one = 1;
    /* after the handshake, under the keys: unexpected */
    REQUIRE(rec_queue(s, REC_CCS, &one, 1) && rec_flush(s) == REC_OK);
    char buf[8];
    ERR_clear_error();
    int r = SSL_read(c, buf, sizeof(buf));
    CHECK(r <= 0 && SSL_get_error(c, r) == SSL_ERROR_SSL);
    CHECK_EQ_INT(c->alert_sent, CODEC_ALERT_UNEXPECTED_MESSAGE);
    CHECK_EQ_INT(ERR_GET_REASON(ERR_peek_error()), SSL_R_CCS_RECEIVED_EARLY);
    ERR_clear_error();
    free4(c, s, cctx, sctx);

    /* after the handshake, in the clear: every record is protected once the peer's
     * change_cipher_spec has come (RFC 5246 6.2.3), so this one does not open */
    sctx = server_ctx12();
    cctx = client_ctx12();
    REQUIRE(sctx && cctx && pair_new(cctx, sctx, &c, &s));
    REQUIRE(pair_handshake(c, s));
    REQUIRE(rec_queue_plain(s, REC_CCS, &one, 1) && rec_flush(s) == REC_OK);
    ERR_clear_error();
    r = SSL_read(c, buf, sizeof(buf));
    CHECK(r <= 0 && SSL_get_error(c, r) == SSL_ERROR_SSL);
    CHECK_EQ_INT(c->alert_sent, CODEC_ALERT_BAD_RECORD_MAC);
    ERR_clear_error();
    free4(c, s, cctx, sctx);

    /* before the ServerHello: the client's first flight is only a hello */
    sctx = server_ctx12();
    cctx = client_ctx12();
    REQUIRE(sctx && cctx && pair_new(cctx, sctx, &c, &s));
    CHECK(SSL_do_handshake(c) == -1);
    REQUIRE(rec_queue_plain(c, REC_CCS, &one, 1) && rec_flush(c) == REC_OK);
    ERR_clear_error();
    r = SSL_do_handshake(s);
    for (int i = 0; i < 4 && r == -1 && SSL_get_error(s, r) == SSL_ERROR_WANT_READ; i++) {
        (void)SSL_do_handshake(c);
        r = SSL_do_handshake(s);
    }
    CHECK(r <= 0 && SSL_get_error(s, r) == SSL_ERROR_SSL);
    CHECK_EQ_INT(s->alert_sent, CODEC_ALERT_UNEXPECTED_MESSAGE);
    ERR_clear_error();
    free4(c, s, cctx, sctx);
}

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg)
{
    (void)ssl;
    (void)arg;
    static const unsigned char want[] = "\x08http/1.1";
    unsigned char *o;
    if (SSL_select_next_proto(&o, outlen, want, sizeof(want) - 1, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    *out = o;
    return SSL_TLSEXT_ERR_OK;
}

static void test_alpn_and_sni(void)
{
    SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    static const uint8_t protos[] = "\x02h2\x08http/1.1";
    CHECK(SSL_CTX_set_alpn_protos(cctx, protos, sizeof(protos) - 1) == 0);
    SSL_CTX_set_alpn_select_cb(sctx, alpn_select, NULL);
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    CHECK(pair_handshake(c, s));
    const unsigned char *p;
    unsigned int n;
    SSL_get0_alpn_selected(c, &p, &n);
    CHECK(n == 8 && memcmp(p, "http/1.1", 8) == 0);
    const char *sni = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
    CHECK(sni != NULL && strcmp(sni, "localhost") == 0);
    free4(c, s, cctx, sctx);
}

TEST_MAIN({
    pair_pki_init(&pki);
    rsa_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    rsa_leaf = pair_make_cert(rsa_key, pki.ca_key, pki.ca, "localhost", 0, 30);
    RUN(test_every_suite);
    RUN(test_ecdsa_curve_in_client_groups);
    RUN(test_resumption_ticket_and_id);
    RUN(test_no_extended_master_secret);
    RUN(test_downgrade_sentinel);
    RUN(test_version_negotiation);
    RUN(test_fallback_scsv);
    RUN(test_exporter);
    RUN(test_client_certificate);
    RUN(test_renegotiation_refused);
    RUN(test_other_post_handshake_messages);
    RUN(test_msg_callback);
    RUN(test_misplaced_ccs);
    RUN(test_alpn_and_sni);
    EVP_PKEY_free(rsa_key);
    X509_free(rsa_leaf);
    pair_pki_free(&pki);
})

/* TLS 1.2 between two sesame endpoints in memory: every ECDHE suite with an
 * ECDSA and an RSA certificate, resumption by ticket and by session id, the
 * extended master secret (RFC 7627), the downgrade sentinel (RFC 8446
 * 4.1.3), version negotiation, the RFC 5705 exporter, client certificates,
 * renegotiation refused (RFC 5746), the message callback, handshake messages
 * a byte per record or several per record, records interleaved inside a
 * message refused, resumption only with the session's suite offered. */
#include "testutil.h"

#include <string.h>

#include <openssl/core_names.h>

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
        {"DHE-RSA-AES128-GCM-SHA256", 1},     {"DHE-RSA-AES256-GCM-SHA384", 1},
        {"DHE-RSA-CHACHA20-POLY1305", 1},
    };
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
        SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
        SSL *c, *s;
        int dhe = strncmp(suites[i].name, "DHE-", 4) == 0;
        REQUIRE(sctx && cctx && SSL_CTX_set_cipher_list(cctx, suites[i].name) == 1);
        /* DHE needs parameters: OpenSSL's automatic ones (2048 bits for
         * the RSA-2048 certificate) */
        REQUIRE(SSL_CTX_set_dh_auto(sctx, 1) == 1);
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
        /* RFC 5246 7.4.9: 12-byte verify_data, each side's the other's peer's */
        uint8_t f1[64], f2[64];
        CHECK_EQ_INT((int)SSL_get_finished(c, f1, sizeof(f1)), 12);
        CHECK_EQ_INT((int)SSL_get_peer_finished(s, f2, sizeof(f2)), 12);
        CHECK(memcmp(f1, f2, 12) == 0);
        CHECK_EQ_INT((int)SSL_get_finished(s, f1, sizeof(f1)), 12);
        CHECK_EQ_INT((int)SSL_get_peer_finished(c, f2, sizeof(f2)), 12);
        CHECK(memcmp(f1, f2, 12) == 0);
        /* the ephemeral keys, both sides' views (OpenSSL: DH with the
         * group's size, or the ECDHE group: X25519 first by default) */
        EVP_PKEY *ck = NULL, *sk = NULL, *cp = NULL, *sp = NULL;
        CHECK(SSL_get_peer_tmp_key(c, &cp) == 1 && SSL_get_tmp_key(s, &sk) == 1);
        CHECK(SSL_get_peer_tmp_key(s, &sp) == 1 && SSL_get_tmp_key(c, &ck) == 1);
        if (cp != NULL && sk != NULL && sp != NULL && ck != NULL) {
            CHECK_EQ_INT(EVP_PKEY_get_base_id(cp), dhe ? EVP_PKEY_DH : EVP_PKEY_X25519);
            CHECK_EQ_INT(EVP_PKEY_get_bits(cp), dhe ? 2048 : 253);
            CHECK_EQ_INT(EVP_PKEY_eq(cp, sk), 1);
            CHECK_EQ_INT(EVP_PKEY_eq(sp, ck), 1);
            CHECK_EQ_INT(EVP_PKEY_eq(cp, ck), 0);
        }
        EVP_PKEY_free(ck);
        EVP_PKEY_free(sk);
        EVP_PKEY_free(cp);
        EVP_PKEY_free(sp);
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

/* ---- records: fragmentation and interleaving (RFC 5246 6.2.1) ---- */

/* How relay() reframes the plaintext handshake records on their way. */
enum rf_mode { RF_AS_IS, RF_ONE_BYTE, RF_MERGE, RF_CCS_INSIDE };

typedef struct {
    enum rf_mode mode;
    int ccs_seen;      /* the sender's ChangeCipherSpec went by: records are protected */
    int injected;      /* RF_CCS_INSIDE: done once */
    long records;      /* records delivered */
    uint8_t hs[65536]; /* RF_MERGE: handshake bytes held for one record */
    size_t hs_len;
} RELAY;

static void put_record(BIO *to, RELAY *r, uint8_t type, const uint8_t *p, size_t n)
{
    uint8_t h[5] = {type, 3, 3, (uint8_t)(n >> 8), (uint8_t)n};
    BIO_write(to, h, 5);
    if (n > 0)
        BIO_write(to, p, (int)n);
    r->records++;
}

/* relay moves what |from| holds (whole records) to |to|, reframing the
 * sender's plaintext handshake records as r->mode says. */
static void relay(BIO *from, BIO *to, RELAY *r)
{
    static uint8_t buf[1 << 17];
    int n = BIO_read(from, buf, sizeof(buf));
    size_t len = n > 0 ? (size_t)n : 0, off = 0;
    while (off + 5 <= len) {
        uint8_t type = buf[off];
        size_t rl = (size_t)buf[off + 3] << 8 | buf[off + 4];
        const uint8_t *body = buf + off + 5;
        if (off + 5 + rl > len)
            break;
        off += 5 + rl;
        if (type != 22 || r->ccs_seen || r->mode == RF_AS_IS) {
            if (r->hs_len > 0) {
                put_record(to, r, 22, r->hs, r->hs_len);
                r->hs_len = 0;
            }
            if (type == 20)
                r->ccs_seen = 1;
            put_record(to, r, type, body, rl);
            continue;
        }
        if (r->mode == RF_ONE_BYTE) {
            for (size_t i = 0; i < rl; i++)
                put_record(to, r, 22, body + i, 1);
        } else if (r->mode == RF_MERGE) {
            memcpy(r->hs + r->hs_len, body, rl);
            r->hs_len += rl;
        } else if (!r->injected && rl >= 2) {
            static const uint8_t one = 1;
            put_record(to, r, 22, body, 1);
            put_record(to, r, 20, &one, 1);
            put_record(to, r, 22, body + 1, rl - 1);
            r->injected = 1;
        } else {
            put_record(to, r, 22, body, rl);
        }
    }
    if (r->hs_len > 0) { /* RF_MERGE: all this flight's handshake records in one */
        put_record(to, r, 22, r->hs, r->hs_len);
        r->hs_len = 0;
    }
}

static BIO *mem_bio(void)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (b != NULL)
        BIO_set_mem_eof_return(b, -1);
    return b;
}

/* reframed_handshake: a TLS 1.2 handshake with client authentication over
 * memory BIOs, |cr| reframing what the client sends, |sr| what the server
 * sends; 1 when both finish.  On failure *out_alert_c / *out_alert_s are
 * the alerts each side sent. */
static int reframed_handshake(RELAY *cr, RELAY *sr, int resume_too, int *out_alert_c,
                              int *out_alert_s)
{
    SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
    int ok = 0;
    SSL_SESSION *sess = NULL;
    *out_alert_c = *out_alert_s = -1;
    if (!CHECK(sctx != NULL && cctx != NULL))
        goto out;
    X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), pki.ca);
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    SSL_CTX_set_session_id_context(sctx, (const unsigned char *)"frag", 4);
    CHECK(SSL_CTX_use_certificate(cctx, pki.leaf) == 1 &&
          SSL_CTX_use_PrivateKey(cctx, pki.leaf_key) == 1);
    for (int round = 0; round < (resume_too ? 2 : 1); round++) {
        SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
        BIO *c_in = mem_bio(), *c_out = mem_bio(), *s_in = mem_bio(), *s_out = mem_bio();
        if (!CHECK(c && s && c_in && c_out && s_in && s_out)) {
            SSL_free(c);
            SSL_free(s);
            break;
        }
        SSL_set_bio(c, c_in, c_out);
        SSL_set_bio(s, s_in, s_out);
        SSL_set_connect_state(c);
        SSL_set_accept_state(s);
        SSL_set_tlsext_host_name(c, "localhost");
        if (sess != NULL)
            CHECK(SSL_set_session(c, sess) == 1);
        cr->ccs_seen = sr->ccs_seen = 0;
        int cdone = 0, sdone = 0, failed = 0;
        for (int i = 0; i < 200 && !(cdone && sdone) && !failed; i++) {
            int r = cdone ? 1 : SSL_do_handshake(c);
            if (r == 1)
                cdone = 1;
            else if (SSL_get_error(c, r) != SSL_ERROR_WANT_READ)
                failed = 1;
            relay(c_out, s_in, cr);
            r = sdone ? 1 : SSL_do_handshake(s);
            if (r == 1)
                sdone = 1;
            else if (SSL_get_error(s, r) != SSL_ERROR_WANT_READ)
                failed = 1;
            relay(s_out, c_in, sr);
        }
        /* let the peer of a failed side read the alert */
        (void)SSL_do_handshake(c);
        *out_alert_c = c->alert_sent;
        *out_alert_s = s->alert_sent;
        ok = cdone && sdone;
        if (ok) {
            CHECK_EQ_INT(SSL_version(c), TLS1_2_VERSION);
            CHECK_EQ_INT(SSL_session_reused(c), round);
            CHECK_EQ_INT(SSL_session_reused(s), round);
            X509 *peer = SSL_get0_peer_certificate(s);
            CHECK(peer != NULL && X509_cmp(peer, pki.leaf) == 0);
            CHECK(SSL_write(c, "ping", 4) == 4);
            relay(c_out, s_in, cr);
            char b[8];
            CHECK(SSL_read(s, b, sizeof(b)) == 4 && memcmp(b, "ping", 4) == 0);
            if (round == 0)
                sess = SSL_get1_session(c);
            SSL_shutdown(c);
            SSL_shutdown(s);
        }
        ERR_clear_error();
        SSL_free(c);
        SSL_free(s);
        if (!ok)
            break;
    }
out:
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    return ok;
}

static void test_fragmented_handshake(void)
{
    int ac, as;
    /* every plaintext handshake byte in a record of its own, both ways,
     * full handshake (client certificate) and resumption */
    RELAY cr = {.mode = RF_ONE_BYTE}, sr = {.mode = RF_ONE_BYTE};
    CHECK(reframed_handshake(&cr, &sr, 1, &ac, &as));
    CHECK(cr.records > 300 && sr.records > 1000); /* certificates byte by byte */
    /* each flight's handshake messages in one record */
    RELAY cm = {.mode = RF_MERGE}, sm = {.mode = RF_MERGE};
    CHECK(reframed_handshake(&cm, &sm, 1, &ac, &as));
    /* control: as sent */
    RELAY ca = {.mode = RF_AS_IS}, sa = {.mode = RF_AS_IS};
    CHECK(reframed_handshake(&ca, &sa, 0, &ac, &as));
    CHECK(cr.records > ca.records && sr.records > sa.records);
}

/* A ChangeCipherSpec between two fragments of a handshake message is
 * refused with unexpected_message, by either side. */
static void test_interleaved_records_refused(void)
{
    int ac, as;
    RELAY cr = {.mode = RF_AS_IS}, sr = {.mode = RF_CCS_INSIDE};
    CHECK(!reframed_handshake(&cr, &sr, 0, &ac, &as));
    CHECK(sr.injected);
    CHECK_EQ_INT(ac, CODEC_ALERT_UNEXPECTED_MESSAGE);
    RELAY cr2 = {.mode = RF_CCS_INSIDE}, sr2 = {.mode = RF_AS_IS};
    CHECK(!reframed_handshake(&cr2, &sr2, 0, &ac, &as));
    CHECK(cr2.injected);
    CHECK_EQ_INT(as, CODEC_ALERT_UNEXPECTED_MESSAGE);
}

/* A server never resumes a session whose suite the client no longer
 * offers: a full handshake instead (RFC 5246 7.4.1.2). */
static void test_resumption_needs_the_suite(void)
{
    SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    REQUIRE(SSL_CTX_set_cipher_list(cctx, "ECDHE-ECDSA-AES128-GCM-SHA256") == 1);
    REQUIRE(pair_new(cctx, sctx, &c, &s) && pair_handshake(c, s));
    SSL_SESSION *sess = SSL_get1_session(c);
    SSL_shutdown(c);
    SSL_shutdown(s);
    SSL_free(c);
    SSL_free(s);
    for (int by_id = 0; by_id < 2; by_id++) {
        if (by_id)
            SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
        /* the client offers the session but not its suite */
        REQUIRE(pair_new(cctx, sctx, &c, &s));
        CHECK(SSL_set_cipher_list(c, "ECDHE-ECDSA-AES256-GCM-SHA384") == 1);
        CHECK(SSL_set_session(c, sess) == 1);
        CHECK(pair_handshake(c, s));
        CHECK_EQ_INT(SSL_session_reused(c), 0);
        CHECK_EQ_INT(SSL_session_reused(s), 0);
        CHECK(strcmp(SSL_get_cipher_name(c), "ECDHE-ECDSA-AES256-GCM-SHA384") == 0);
        if (by_id) {
            /* a session id from the cache now, to offer below */
            SSL_SESSION_free(sess);
            sess = SSL_get1_session(c);
        }
        SSL_shutdown(c);
        SSL_shutdown(s);
        SSL_free(c);
        SSL_free(s);
    }
    /* with its suite offered again, the id resumes */
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    CHECK(SSL_set_cipher_list(c, "ECDHE-ECDSA-AES256-GCM-SHA384") == 1);
    CHECK(SSL_set_session(c, sess) == 1);
    CHECK(pair_handshake(c, s));
    CHECK_EQ_INT(SSL_session_reused(c), 1);
    free4(c, s, cctx, sctx);
    SSL_SESSION_free(sess);
}

/* ---- SSL_CTX_set_generate_session_id (checked against the system libssl:
 * a TLS 1.2 server without tickets calls it once per new session, a TLS 1.3
 * server once per ticket, a TLS 1.2 server issuing a ticket never) ---- */

static int gen_calls, gen_mode;
static uint8_t gen_counter;

static int gen_id(SSL *ssl, unsigned char *id, unsigned int *len)
{
    (void)ssl;
    gen_calls++;
    if (*len != 32 || gen_mode == 1)
        return 0; /* refuses */
    memcpy(id, "sesame-id-", 10);
    id[10] = gen_mode == 3 ? 0 : ++gen_counter; /* mode 3: always the same id */
    *len = gen_mode == 2 ? 0 : 16;              /* mode 2: a bad length */
    return 1;
}

static int gen_id_ssl(SSL *ssl, unsigned char *id, unsigned int *len)
{
    (void)ssl;
    memset(id, 0x77, 8);
    *len = 8;
    return 1;
}

/* gen_handshake: a TLS 1.2 (or 1.3) handshake on |sctx|; the client's
 * session id length (0 if it failed) and the alerts. */
static unsigned gen_handshake(SSL_CTX *cctx, SSL_CTX *sctx, uint8_t *out_id, int per_ssl_cb,
                              int *out_server_alert)
{
    SSL *c, *s;
    unsigned len = 0;
    if (!pair_new(cctx, sctx, &c, &s))
        return 0;
    if (per_ssl_cb)
        SSL_set_generate_session_id(s, gen_id_ssl);
    ERR_clear_error();
    if (pair_handshake(c, s)) {
        pair_roundtrip(c, s, "x");
        const unsigned char *id = SSL_SESSION_get_id(SSL_get_session(c), &len);
        memcpy(out_id, id, len);
        SSL_shutdown(c);
        SSL_shutdown(s);
    }
    *out_server_alert = s->alert_sent;
    SSL_free(c);
    SSL_free(s);
    return len;
}

static void test_generate_session_id(void)
{
    SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
    uint8_t id[32];
    int alert;
    REQUIRE(sctx && cctx);
    SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    CHECK_EQ_INT(SSL_CTX_set_generate_session_id(sctx, gen_id), 1);

    /* 16-byte ids from the callback, one call per new session; they resume */
    gen_mode = 0;
    gen_calls = 0;
    CHECK_EQ_INT(gen_handshake(cctx, sctx, id, 0, &alert), 16);
    CHECK(memcmp(id, "sesame-id-", 10) == 0);
    CHECK_EQ_INT(gen_calls, 1);
    int reused_ticket;
    SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT);
    CHECK(resume(cctx, sctx, &reused_ticket));
    CHECK_EQ_INT(reused_ticket, 0);
    CHECK_EQ_INT(gen_calls, 2); /* the full handshake's; none for the resumption */

    /* SSL_set_generate_session_id overrides the context's */
    CHECK_EQ_INT(gen_handshake(cctx, sctx, id, 1, &alert), 8);
    CHECK(id[0] == 0x77 && id[7] == 0x77);
    CHECK_EQ_INT(gen_calls, 2);

    /* failures: internal_error with OpenSSL's reasons */
    static const struct {
        int mode;
        int reason;
    } bad[] = {{1, SSL_R_SSL_SESSION_ID_CALLBACK_FAILED},
               {2, SSL_R_SSL_SESSION_ID_HAS_BAD_LENGTH},
               {3, SSL_R_SSL_SESSION_ID_CONFLICT}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        gen_mode = bad[i].mode;
        if (gen_mode == 3) /* the same id twice: the second conflicts */
            CHECK_EQ_INT(gen_handshake(cctx, sctx, id, 0, &alert), 16);
        CHECK_EQ_INT(gen_handshake(cctx, sctx, id, 0, &alert), 0);
        CHECK_EQ_INT(alert, CODEC_ALERT_INTERNAL_ERROR);
        int found = 0;
        unsigned long e;
        while ((e = ERR_get_error()) != 0)
            found |= ERR_GET_REASON(e) == bad[i].reason;
        CHECK(found);
    }

    /* a ticket carries the session: no id to make */
    gen_mode = 0;
    gen_calls = 0;
    SSL_CTX_clear_options(sctx, SSL_OP_NO_TICKET);
    CHECK_EQ_INT(gen_handshake(cctx, sctx, id, 0, &alert), 32);
    CHECK_EQ_INT(gen_calls, 0);
    /* TLS 1.3: one id per ticket (two by default); the client's session
     * has an id of its own (32 bytes, as with OpenSSL) */
    SSL_CTX_set_max_proto_version(cctx, TLS1_3_VERSION);
    CHECK_EQ_INT(gen_handshake(cctx, sctx, id, 0, &alert), 32);
    CHECK_EQ_INT(gen_calls, 2);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ---- RFC 5077 ticket renewal and the lifetime hint ---- */

static int renew_dec_ret = 1;
static int renew_key_cb(SSL *ssl, unsigned char name[16], unsigned char *iv, EVP_CIPHER_CTX *c,
                        EVP_MAC_CTX *m, int enc)
{
    (void)ssl;
    static const unsigned char aes[32] = "0123456789abcdef0123456789abcde", hk[32] = "hmac";
    OSSL_PARAM p[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                       OSSL_PARAM_construct_end()};
    if (enc) {
        static unsigned char n;
        memset(name, 'R', 16);
        memset(iv, ++n, 16); /* another IV each time: each ticket differs */
    } else if (memcmp(name, "RRRRRRRRRRRRRRRR", 16) != 0) {
        return 0;
    }
    if (!EVP_CipherInit_ex(c, EVP_aes_256_cbc(), NULL, aes, iv, enc) ||
        !EVP_MAC_CTX_set_params(m, p) || !EVP_MAC_init(m, hk, sizeof(hk), NULL))
        return -1;
    return enc ? 1 : renew_dec_ret;
}

static int renew_new_sessions;
static int renew_new_cb(SSL *ssl, SSL_SESSION *sess)
{
    (void)ssl;
    (void)sess;
    renew_new_sessions++;
    return 0;
}

/* resume_once: offers |sess| on a new pair; the client's session after
 * the handshake (a reference), or NULL. */
static SSL_SESSION *resume_once(SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *sess, int *out_reused)
{
    SSL *c, *s;
    SSL_SESSION *out = NULL;
    *out_reused = -1;
    if (!pair_new(cctx, sctx, &c, &s))
        return NULL;
    if (sess != NULL)
        CHECK(SSL_set_session(c, sess) == 1);
    if (CHECK(pair_handshake(c, s))) {
        *out_reused = SSL_session_reused(c);
        CHECK_EQ_INT(SSL_session_reused(s), *out_reused);
        out = SSL_get1_session(c);
        SSL_shutdown(c);
        SSL_shutdown(s);
    }
    SSL_free(c);
    SSL_free(s);
    return out;
}

static void test_ticket_renewal(void)
{
    SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
    int reused;
    REQUIRE(sctx && cctx);
    CHECK(SSL_CTX_set_tlsext_ticket_key_evp_cb(sctx, renew_key_cb) == 1);
    SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT);
    SSL_CTX_sess_set_new_cb(cctx, renew_new_cb);
    SSL_CTX_set_timeout(sctx, 3000);
    renew_new_sessions = 0;
    SSL_SESSION *s1 = resume_once(cctx, sctx, NULL, &reused);
    REQUIRE(s1 != NULL);
    CHECK_EQ_INT(reused, 0);
    CHECK_EQ_INT(renew_new_sessions, 1);
    /* the hint of a new session's ticket: the session's timeout (OpenSSL) */
    CHECK_EQ_INT((int)SSL_SESSION_get_ticket_lifetime_hint(s1), 3000);
    const unsigned char *t1, *t2;
    size_t l1, l2;
    SSL_SESSION_get0_ticket(s1, &t1, &l1);

    /* the callback says 1: resumed, no new ticket, the same session */
    renew_dec_ret = 1;
    SSL_SESSION *s2 = resume_once(cctx, sctx, s1, &reused);
    CHECK_EQ_INT(reused, 1);
    CHECK_EQ_INT(renew_new_sessions, 1);
    CHECK(s2 == s1);
    SSL_SESSION_free(s2);

    /* 2: resumed, and a renewed ticket makes a new session (hint 0) */
    renew_dec_ret = 2;
    s2 = resume_once(cctx, sctx, s1, &reused);
    CHECK_EQ_INT(reused, 1);
    CHECK_EQ_INT(renew_new_sessions, 2);
    REQUIRE(s2 != NULL);
    CHECK(s2 != s1);
    SSL_SESSION_get0_ticket(s2, &t2, &l2);
    CHECK(l2 > 0 && (l1 != l2 || memcmp(t1, t2, l1) != 0));
    CHECK_EQ_INT((int)SSL_SESSION_get_ticket_lifetime_hint(s2), 0);
    /* the renewed ticket resumes too */
    renew_dec_ret = 1;
    SSL_SESSION *s3 = resume_once(cctx, sctx, s2, &reused);
    CHECK_EQ_INT(reused, 1);
    SSL_SESSION_free(s3);

    /* 0: the ticket is refused, a full handshake */
    renew_dec_ret = 0;
    s3 = resume_once(cctx, sctx, s1, &reused);
    CHECK_EQ_INT(reused, 0);
    SSL_SESSION_free(s3);
    renew_dec_ret = 1;
    SSL_SESSION_free(s1);
    SSL_SESSION_free(s2);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ---- the keylog callback: NSS's CLIENT_RANDOM line for TLS 1.2 ---- */

static char keylog_line[512];
static int keylog_lines;

static void keylog_cb(const SSL *ssl, const char *line)
{
    (void)ssl;
    keylog_lines++;
    snprintf(keylog_line, sizeof(keylog_line), "%s", line);
}

static void test_keylog_client_random(void)
{
    SSL_CTX *sctx = server_ctx12(), *cctx = client_ctx12();
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    SSL_CTX_set_keylog_callback(cctx, keylog_cb);
    keylog_lines = 0;
    REQUIRE(pair_new(cctx, sctx, &c, &s) && pair_handshake(c, s));
    CHECK_EQ_INT(keylog_lines, 1);
    uint8_t cr[32], mk[48];
    char hex_cr[65], hex_mk[97], want[200];
    CHECK_EQ_INT((int)SSL_get_client_random(c, cr, sizeof(cr)), 32);
    CHECK_EQ_INT((int)SSL_SESSION_get_master_key(SSL_get_session(c), mk, sizeof(mk)), 48);
    test_to_hex(cr, 32, hex_cr);
    test_to_hex(mk, 48, hex_mk);
    snprintf(want, sizeof(want), "CLIENT_RANDOM %s %s", hex_cr, hex_mk);
    CHECK(strcmp(keylog_line, want) == 0);
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
    RUN(test_fragmented_handshake);
    RUN(test_interleaved_records_refused);
    RUN(test_resumption_needs_the_suite);
    RUN(test_generate_session_id);
    RUN(test_ticket_renewal);
    RUN(test_keylog_client_random);
    EVP_PKEY_free(rsa_key);
    X509_free(rsa_leaf);
    pair_pki_free(&pki);
})

/* Ticket sealing/opening, key rotation, 80-byte keys, OpenSSL-style key
 * callback, stateful single-use tickets (contract S9). */
#include "test_session_util.h"

#include <limits.h>

#include <openssl/core_names.h>

static int issue(SSL *s, SSL_SESSION *sess, uint8_t **t, size_t *tl)
{
    CBB cbb;
    if (!cbb_init(&cbb, 256))
        return 0;
    if (!sess_ticket_issue(s, sess, &cbb) || !cbb_finish(&cbb, t, tl)) {
        cbb_cleanup(&cbb);
        return 0;
    }
    return 1;
}

static void test_seal_open_roundtrip(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    ctx->session_timeout = 100000; /* keys outlive the session's 7200 s */
    SSL *sv = tu_ssl_new(ctx, 1);
    SSL_SESSION *sess = tu_sess(1);
    uint8_t *t = NULL;
    size_t tl = 0;
    REQUIRE(issue(sv, sess, &t, &tl));
    CHECK(tl > 29 + 16 && t[0] == 2); /* ring format version 2 */
    SSL_SESSION *out = NULL;
    int renew = -1;
    CHECK(sess_ticket_accept(sv, t, tl, &out, &renew));
    REQUIRE(out != NULL);
    CHECK(renew == 0);
    CHECK(memcmp(out->master_key, sess->master_key, 32) == 0 && out->cipher == sess->cipher);
    CHECK(memcmp(out->session_id, sess->session_id, 32) == 0);
    SSL_SESSION_free(out);
    /* tampered => NULL, not an error */
    for (size_t i = 0; i < tl; i += 7) {
        t[i] ^= 1;
        out = (SSL_SESSION *)1;
        CHECK(sess_ticket_accept(sv, t, tl, &out, &renew) == 1 && out == NULL);
        t[i] ^= 1;
    }
    CHECK(sess_ticket_accept(sv, t, tl - 1, &out, &renew) == 1 && out == NULL);
    CHECK(sess_ticket_accept(sv, t, 3, &out, &renew) == 1 && out == NULL);
    /* another sid_ctx => NULL */
    tu_set_sid_ctx(sv, "zz");
    CHECK(sess_ticket_accept(sv, t, tl, &out, &renew) == 1 && out == NULL);
    tu_set_sid_ctx(sv, "");
    /* expired => NULL, timeouts++ */
    atomic_fetch_add(&tu_now, 7201 * 1000ULL);
    CHECK(sess_ticket_accept(sv, t, tl, &out, &renew) == 1 && out == NULL);
    long n = 0;
    CHECK(sess_ctx_ctrl(ctx, SSL_CTRL_SESS_TIMEOUTS, 0, NULL, &n) && n == 1);
    OPENSSL_free(t);
    SSL_SESSION_free(sess);
    tu_ssl_free(sv);
    tu_ctx_free(ctx);
}

static void test_key_rotation(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    ctx->session_timeout = 100; /* rotate every 50 s */
    SSL *sv = tu_ssl_new(ctx, 1);
    SSL_SESSION *sess = tu_sess(2);
    sess->timeout = 1000;
    uint8_t *t = NULL;
    size_t tl = 0;
    REQUIRE(issue(sv, sess, &t, &tl));
    SSL_SESSION *out;
    int renew;
    atomic_fetch_add(&tu_now, 60 * 1000); /* one rotation: previous key */
    CHECK(sess_ticket_accept(sv, t, tl, &out, &renew) && out != NULL && renew == 1);
    SSL_SESSION_free(out);
    atomic_fetch_add(&tu_now, 50 * 1000); /* second rotation: retired */
    CHECK(sess_ticket_accept(sv, t, tl, &out, &renew) && out == NULL);
    OPENSSL_free(t);
    SSL_SESSION_free(sess);
    tu_ssl_free(sv);
    tu_ctx_free(ctx);
}

static void test_ticket_keys_ctrl_80(void)
{
    SSL_CTX *c1 = tu_ctx_new(), *c2 = tu_ctx_new();
    uint8_t keys[80], got[80];
    long r;
    for (int i = 0; i < 80; i++)
        keys[i] = (uint8_t)i;
    CHECK(sess_ctx_ctrl(c1, SSL_CTRL_SET_TLSEXT_TICKET_KEYS, 80, keys, &r) && r == 1);
    CHECK(sess_ctx_ctrl(c1, SSL_CTRL_SET_TLSEXT_TICKET_KEYS, 48, keys, &r) && r == 0);
    ERR_clear_error();
    CHECK(sess_ctx_ctrl(c1, SSL_CTRL_GET_TLSEXT_TICKET_KEYS, 0, NULL, &r) && r == 80);
    CHECK(sess_ctx_ctrl(c1, SSL_CTRL_GET_TLSEXT_TICKET_KEYS, 80, got, &r) && r == 1);
    CHECK(memcmp(keys, got, 80) == 0);
    CHECK(sess_ctx_ctrl(c2, SSL_CTRL_SET_TLSEXT_TICKET_KEYS, 80, keys, &r) && r == 1);
    SSL *a = tu_ssl_new(c1, 1), *b = tu_ssl_new(c2, 1);
    SSL_SESSION *sess = tu_sess(3), *out;
    uint8_t *t = NULL;
    size_t tl = 0;
    int renew;
    REQUIRE(issue(a, sess, &t, &tl));
    CHECK(memcmp(t, keys, 16) == 0); /* OpenSSL layout: key name first */
    CHECK((tl - 16 - 16 - 32) % 16 == 0);
    CHECK(sess_ticket_accept(b, t, tl, &out, &renew) && out != NULL); /* shared keys */
    SSL_SESSION_free(out);
    t[tl - 1] ^= 1;
    CHECK(sess_ticket_accept(b, t, tl, &out, &renew) && out == NULL);
    OPENSSL_free(t);
    SSL_SESSION_free(sess);
    tu_ssl_free(a);
    tu_ssl_free(b);
    tu_ctx_free(c1);
    tu_ctx_free(c2);
}

static int cb_dec_ret = 1;
static int key_cb(SSL *s, unsigned char name[16], unsigned char *iv, EVP_CIPHER_CTX *c,
                  EVP_MAC_CTX *m, int enc)
{
    (void)s;
    static const unsigned char aes[32] = "0123456789abcdef0123456789abcde", hk[32] = "hmac";
    OSSL_PARAM p[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                       OSSL_PARAM_construct_end()};
    if (enc) {
        memset(name, 'N', 16);
        memset(iv, 7, 16);
    } else if (memcmp(name, "NNNNNNNNNNNNNNNN", 16) != 0) {
        return 0;
    }
    if (!EVP_CipherInit_ex(c, EVP_aes_256_cbc(), NULL, aes, iv, enc) ||
        !EVP_MAC_CTX_set_params(m, p) || !EVP_MAC_init(m, hk, sizeof(hk), NULL))
        return -1;
    return enc ? 1 : cb_dec_ret;
}

static void test_ticket_key_evp_cb(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    CHECK(SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, key_cb));
    SSL *sv = tu_ssl_new(ctx, 1);
    SSL_SESSION *sess = tu_sess(4), *out;
    uint8_t *t = NULL;
    size_t tl = 0;
    int renew;
    REQUIRE(issue(sv, sess, &t, &tl));
    CHECK(tl > 64 && memcmp(t, "NNNNNNNNNNNNNNNN", 16) == 0);
    CHECK(sess_ticket_accept(sv, t, tl, &out, &renew) && out != NULL && renew == 0);
    SSL_SESSION_free(out);
    cb_dec_ret = 2;
    CHECK(sess_ticket_accept(sv, t, tl, &out, &renew) && out != NULL && renew == 1);
    SSL_SESSION_free(out);
    cb_dec_ret = -1;
    CHECK(sess_ticket_accept(sv, t, tl, &out, &renew) == 0 && out == NULL);
    ERR_clear_error();
    cb_dec_ret = 1;
    t[0] = 'X'; /* unknown key name: fallback */
    CHECK(sess_ticket_accept(sv, t, tl, &out, &renew) == 1 && out == NULL);
    OPENSSL_free(t);
    SSL_SESSION_free(sess);
    tu_ssl_free(sv);
    tu_ctx_free(ctx);
}

static void test_S9_stateful_single_use(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    SSL *sv = tu_ssl_new(ctx, 1);
    sv->cfg.options |= SSL_OP_NO_TICKET;
    SSL_SESSION *sess = tu_sess(5), *out;
    uint8_t *t = NULL;
    size_t tl = 0;
    int renew;
    REQUIRE(issue(sv, sess, &t, &tl));
    CHECK(tl == 32 && memcmp(t, sess->session_id, 32) == 0);
    long n = 0;
    CHECK(sess_ctx_ctrl(ctx, SSL_CTRL_SESS_NUMBER, 0, NULL, &n) && n == 1);
    sv->version = TLS1_3_VERSION;
    CHECK(sess_ticket_accept(sv, t, tl, &out, &renew) && out == sess);
    SSL_SESSION_free(out);
    CHECK(sess_ticket_accept(sv, t, tl, &out, &renew) && out == NULL); /* second use */
    CHECK(sess_ctx_ctrl(ctx, SSL_CTRL_SESS_NUMBER, 0, NULL, &n) && n == 0);
    OPENSSL_free(t);
    SSL_SESSION_free(sess);
    tu_ssl_free(sv);
    tu_ctx_free(ctx);
}

static void test_S9_anti_replay_stateless(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    SSL *sv = tu_ssl_new(ctx, 1);
    sv->cfg.max_early_data = 1024; /* OpenSSL: anti-replay on with early data */
    SSL_SESSION *sess = tu_sess(6), *out;
    uint8_t *t = NULL;
    size_t tl = 0;
    int renew;
    REQUIRE(issue(sv, sess, &t, &tl));
    CHECK(sess_ticket_accept(sv, t, tl, &out, &renew) && out != NULL);
    SSL_SESSION_free(out);
    CHECK(sess_ticket_accept(sv, t, tl, &out, &renew) && out == NULL);
    OPENSSL_free(t);
    SSL_SESSION_free(sess);
    tu_ssl_free(sv);
    tu_ctx_free(ctx);
}

/* key_name_of: the ring key name a (ring-format) ticket was sealed under. */
static void key_name_of(const uint8_t *t, uint8_t name[16])
{
    memcpy(name, t + 1, 16);
}

/* A ring key seals a bounded number of tickets (random 96-bit GCM nonces are
 * safe for about 2^32 seals), then rotates; the old key still opens its
 * tickets for one more period. */
static void test_key_rotates_by_count(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    ctx->session_timeout = 100000;
    CHECK(ctx->tickets.max_seals == TICKET_KEY_MAX_SEALS && TICKET_KEY_MAX_SEALS <= (1ULL << 32));
    ctx->tickets.max_seals = 3;
    SSL *sv = tu_ssl_new(ctx, 1);
    uint8_t *t[5] = {0};
    size_t tl[5];
    uint8_t names[5][16];
    for (int i = 0; i < 5; i++) {
        SSL_SESSION *sess = tu_sess(20 + i);
        REQUIRE(issue(sv, sess, &t[i], &tl[i]));
        key_name_of(t[i], names[i]);
        SSL_SESSION_free(sess);
    }
    CHECK(memcmp(names[0], names[1], 16) == 0 && memcmp(names[1], names[2], 16) == 0);
    CHECK(memcmp(names[2], names[3], 16) != 0); /* the 4th seal needed a fresh key */
    CHECK(memcmp(names[3], names[4], 16) == 0);
    for (int i = 0; i < 5; i++) {
        SSL_SESSION *out = NULL;
        int renew = 0;
        CHECK(sess_ticket_accept(sv, t[i], tl[i], &out, &renew) && out != NULL);
        CHECK_EQ_INT(renew, i < 3); /* the old key's tickets are renewed */
        SSL_SESSION_free(out);
        OPENSSL_free(t[i]);
    }
    tu_ssl_free(sv);
    tu_ctx_free(ctx);
}

/* A huge session timeout does not overflow the rotation period: the key
 * still rotates (at most a day), and opening is not broken. */
static void test_key_period_bounded(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    ctx->session_timeout = LONG_MAX;
    SSL *sv = tu_ssl_new(ctx, 1);
    uint8_t *a = NULL, *b = NULL, na[16], nb[16];
    size_t al, bl;
    SSL_SESSION *sess = tu_sess(30);
    REQUIRE(issue(sv, sess, &a, &al));
    SSL_SESSION *out = NULL;
    int renew = 0;
    CHECK(sess_ticket_accept(sv, a, al, &out, &renew) && out != NULL && renew == 0);
    SSL_SESSION_free(out);
    atomic_fetch_add(&tu_now, 25 * 3600 * 1000ULL); /* more than a day later */
    REQUIRE(issue(sv, sess, &b, &bl));
    key_name_of(a, na);
    key_name_of(b, nb);
    CHECK(memcmp(na, nb, 16) != 0);
    OPENSSL_free(a);
    OPENSSL_free(b);
    SSL_SESSION_free(sess);
    tu_ssl_free(sv);
    tu_ctx_free(ctx);
}

TEST_MAIN({
    sesame_set_clock_for_test(tu_clock);
    RUN(test_key_rotates_by_count);
    RUN(test_key_period_bounded);
    RUN(test_seal_open_roundtrip);
    RUN(test_key_rotation);
    RUN(test_ticket_keys_ctrl_80);
    RUN(test_ticket_key_evp_cb);
    RUN(test_S9_stateful_single_use);
    RUN(test_S9_anti_replay_stateless);
})

/* SSL_SESSION object, refcounts, getters, dup, print, and the seed's
 * SSL_get_session family (contract S1, S2, S3, S6, S10, S14). */
#include "test_session_util.h"

static void test_S14_fresh_ssl_null(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    SSL *s = tu_ssl_new(ctx, 1);
    CHECK(SSL_get_session(s) == NULL);
    CHECK(SSL_get0_session(s) == NULL);
    CHECK(SSL_get1_session(s) == NULL);
    tu_ssl_free(s);
    tu_ctx_free(ctx);
}

static void test_S1_get_session_no_ref(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    SSL *s = tu_ssl_new(ctx, 0);
    SSL_SESSION *sess = tu_sess(1);
    CHECK(SSL_set_session(s, sess));
    CHECK_EQ_INT(tu_refs(sess), 2);
    CHECK(SSL_get_session(s) == sess);
    CHECK_EQ_INT(tu_refs(sess), 2);
    /* S2: get0 is the same */
    CHECK(SSL_get0_session(s) == SSL_get_session(s));
    CHECK_EQ_INT(tu_refs(sess), 2);
    SSL_SESSION_free(sess);
    tu_ssl_free(s);
    tu_ctx_free(ctx);
}

static void test_S3_get1_outlives_ssl(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    SSL *s = tu_ssl_new(ctx, 0);
    SSL_SESSION *sess = tu_sess(2);
    CHECK(SSL_set_session(s, sess));
    SSL_SESSION_free(sess);
    SSL_SESSION *mine = SSL_get1_session(s);
    CHECK(mine == sess);
    CHECK_EQ_INT(tu_refs(mine), 2);
    tu_ssl_free(s);
    CHECK_EQ_INT(tu_refs(mine), 1);
    unsigned int l;
    CHECK(SSL_SESSION_get_id(mine, &l) != NULL && l == 32);
    SSL_SESSION_free(mine); /* ASan: no leak, no UAF */
    tu_ctx_free(ctx);
}

static void test_S6_resumable_needs_ticket(void)
{
    SSL_SESSION *s = SSL_SESSION_new();
    REQUIRE(s != NULL);
    CHECK(SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION));
    CHECK_EQ_INT(SSL_SESSION_is_resumable(s), 0); /* TLS 1.3 client before the ticket */
    CHECK(sess_client_set_ticket(s, (const uint8_t *)"ticketbytes", 11, 7200, 42));
    CHECK_EQ_INT(SSL_SESSION_is_resumable(s), 1);
    CHECK(SSL_SESSION_has_ticket(s));
    CHECK_EQ_INT(SSL_SESSION_get_ticket_lifetime_hint(s), 7200);
    const unsigned char *t;
    size_t tl;
    SSL_SESSION_get0_ticket(s, &t, &tl);
    CHECK(tl == 11 && memcmp(t, "ticketbytes", 11) == 0);
    unsigned int idl;
    SSL_SESSION_get_id(s, &idl);
    CHECK_EQ_INT(idl, 32);
    s->not_resumable = 1;
    CHECK_EQ_INT(SSL_SESSION_is_resumable(s), 0);
    SSL_SESSION_free(s);
}

static void test_getters_setters(void)
{
    SSL_SESSION *s = SSL_SESSION_new();
    REQUIRE(s != NULL);
    CHECK_EQ_INT(SSL_SESSION_get_timeout(s), 304);
    CHECK_EQ_INT(SSL_SESSION_set_timeout(s, 100), 1);
    CHECK_EQ_INT(SSL_SESSION_get_timeout(s), 100);
    CHECK_EQ_INT(SSL_SESSION_set_time(s, 12345), 12345);
    CHECK_EQ_INT(SSL_SESSION_get_time(s), 12345);
    uint8_t big[64] = {0};
    CHECK(!SSL_SESSION_set1_id(s, big, 33));
    ERR_clear_error();
    CHECK(SSL_SESSION_set1_id_context(s, (const uint8_t *)"ctx", 3));
    unsigned int l;
    CHECK(memcmp(SSL_SESSION_get0_id_context(s, &l), "ctx", 3) == 0 && l == 3);
    CHECK(!SSL_SESSION_set1_id_context(s, big, 33));
    ERR_clear_error();
    CHECK(SSL_SESSION_set1_hostname(s, "example.com"));
    CHECK(strcmp(SSL_SESSION_get0_hostname(s), "example.com") == 0);
    CHECK(SSL_SESSION_set1_hostname(s, NULL) && SSL_SESSION_get0_hostname(s) == NULL);
    CHECK(SSL_SESSION_set1_alpn_selected(s, (const uint8_t *)"h2", 2));
    const unsigned char *a;
    size_t al;
    SSL_SESSION_get0_alpn_selected(s, &a, &al);
    CHECK(al == 2 && memcmp(a, "h2", 2) == 0);
    CHECK(SSL_SESSION_set1_master_key(s, big, 48));
    CHECK(!SSL_SESSION_set1_master_key(s, big, 49));
    CHECK_EQ_INT(SSL_SESSION_get_master_key(s, NULL, 0), 48);
    uint8_t out[16];
    CHECK_EQ_INT(SSL_SESSION_get_master_key(s, out, sizeof(out)), 16);
    CHECK(SSL_SESSION_set_max_early_data(s, 1000) && SSL_SESSION_get_max_early_data(s) == 1000);
    CHECK_EQ_INT(SSL_SESSION_get_compress_id(s), 0);
    CHECK_EQ_INT(SSL_SESSION_get_max_fragment_length(s), 0);
    CHECK(SSL_SESSION_get0_peer(s) == NULL);
    void *ad;
    size_t adl;
    CHECK(SSL_SESSION_set1_ticket_appdata(s, "app", 3));
    CHECK(SSL_SESSION_get0_ticket_appdata(s, &ad, &adl) && adl == 3 && memcmp(ad, "app", 3) == 0);
    int idx = SSL_SESSION_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    CHECK(idx >= 0);
    CHECK(SSL_SESSION_set_ex_data(s, idx, &idx));
    CHECK(SSL_SESSION_get_ex_data(s, idx) == &idx);
    SSL_SESSION_free(s);
}

static void test_up_ref_and_dup(void)
{
    SSL_SESSION *s = tu_sess(3);
    CHECK(SSL_SESSION_set1_hostname(s, "h.example"));
    CHECK(SSL_SESSION_up_ref(s));
    CHECK_EQ_INT(tu_refs(s), 2);
    SSL_SESSION_free(s);
    SSL_SESSION *d = SSL_SESSION_dup(s);
    REQUIRE(d != NULL);
    CHECK(d != s && tu_refs(d) == 1);
    CHECK(strcmp(SSL_SESSION_get0_hostname(d), "h.example") == 0);
    /* The copy shares the immutable hostname block; a setter on one copy
     * replaces that copy's block only. */
    CHECK(SSL_SESSION_set1_hostname(d, "other.example"));
    CHECK(strcmp(SSL_SESSION_get0_hostname(d), "other.example") == 0);
    CHECK(strcmp(SSL_SESSION_get0_hostname(s), "h.example") == 0);
    CHECK(SSL_SESSION_set1_id_context(s, (const uint8_t *)"ctx", 3));
    CHECK(d->sid_ctx_len == 0 && s->sid_ctx_len == 3);
    CHECK(strcmp(SSL_SESSION_get0_hostname(s), "h.example") == 0);
    CHECK(SSL_SESSION_set1_hostname(s, NULL) && SSL_SESSION_get0_hostname(s) == NULL);
    CHECK(s->sid_ctx_len == 3 && memcmp(s->sid_ctx, "ctx", 3) == 0);
    CHECK(d->owner == NULL && d->lru_next == NULL);
    SSL_SESSION_free(s);
    SSL_SESSION_free(d);
    SSL_SESSION_free(NULL);
}

static void test_print(void)
{
    SSL_SESSION *s = tu_sess(4);
    BIO *b = BIO_new(BIO_s_mem());
    CHECK(sess_client_set_ticket(s, (const uint8_t *)"0123456789abcdef0123", 20, 7200, 1));
    CHECK(SSL_SESSION_print(b, s));
    char *p;
    long n = BIO_get_mem_data(b, &p);
    char *txt = strndup(p, (size_t)n);
    CHECK(strstr(txt, "SSL-Session:\n    Protocol  : TLSv1.3\n") != NULL);
    CHECK(strstr(txt, "    Cipher    : TLS_AES_128_GCM_SHA256\n") != NULL);
    CHECK(strstr(txt, "    Resumption PSK: 5A5A") != NULL);
    CHECK(strstr(txt, "TLS session ticket lifetime hint: 7200 (seconds)") != NULL);
    CHECK(strstr(txt, "    Max Early Data: 0\n") != NULL);
    free(txt);
    BIO_free(b);
    b = BIO_new(BIO_s_mem());
    CHECK(SSL_SESSION_print_keylog(b, s));
    n = BIO_get_mem_data(b, &p);
    CHECK(n > 20 && memcmp(p, "RSA Session-ID:", 15) == 0);
    BIO_free(b);
    SSL_SESSION_free(s);
}

static int removed_count;
static void count_remove(SSL_CTX *ctx, SSL_SESSION *s)
{
    (void)ctx;
    (void)s;
    removed_count++;
}

static void test_S10_unclean_end_removes(void)
{
    SSL_CTX *ctx = tu_ctx_new();
    SSL_CTX_sess_set_remove_cb(ctx, count_remove);
    SSL_SESSION *a = tu_sess(5), *b = tu_sess(6);
    CHECK(SSL_CTX_add_session(ctx, a) == 1 && SSL_CTX_add_session(ctx, b) == 1);
    /* a: handshake done, no close_notify sent => removed */
    SSL *s1 = tu_ssl_new(ctx, 1);
    CHECK(SSL_set_session(s1, a));
    s1->phase = HS_PHASE_DONE;
    removed_count = 0;
    tu_ssl_free(s1);
    CHECK_EQ_INT(removed_count, 1);
    CHECK(!SSL_SESSION_is_resumable(a));
    /* b: clean shutdown => stays */
    SSL *s2 = tu_ssl_new(ctx, 1);
    CHECK(SSL_set_session(s2, b));
    s2->phase = HS_PHASE_DONE;
    s2->shutdown = SSL_SENT_SHUTDOWN;
    tu_ssl_free(s2);
    CHECK_EQ_INT(removed_count, 1);
    long n = 0;
    CHECK(sess_ctx_ctrl(ctx, SSL_CTRL_SESS_NUMBER, 0, NULL, &n) && n == 1);
    /* fatal => removed even after close_notify */
    SSL *s3 = tu_ssl_new(ctx, 1);
    CHECK(SSL_set_session(s3, b));
    s3->phase = HS_PHASE_DONE;
    s3->shutdown = SSL_SENT_SHUTDOWN;
    s3->fatal = 1;
    tu_ssl_free(s3);
    CHECK(sess_ctx_ctrl(ctx, SSL_CTRL_SESS_NUMBER, 0, NULL, &n) && n == 0);
    SSL_SESSION_free(a);
    SSL_SESSION_free(b);
    tu_ctx_free(ctx);
}

TEST_MAIN({
    sesame_set_clock_for_test(tu_clock);
    RUN(test_S14_fresh_ssl_null);
    RUN(test_S1_get_session_no_ref);
    RUN(test_S3_get1_outlives_ssl);
    RUN(test_S6_resumable_needs_ticket);
    RUN(test_getters_setters);
    RUN(test_up_ref_and_dup);
    RUN(test_print);
    RUN(test_S10_unclean_end_removes);
})

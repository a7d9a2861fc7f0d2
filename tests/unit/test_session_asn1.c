/* i2d/d2i/PEM of sessions; malformed DER never crashes. */
#include "test_session_util.h"

static SSL_SESSION *full_session(void)
{
    SSL_SESSION *s = tu_sess(1);
    CHECK(SSL_SESSION_set1_hostname(s, "example.org"));
    CHECK(SSL_SESSION_set1_alpn_selected(s, (const uint8_t *)"h2", 2));
    CHECK(SSL_SESSION_set1_id_context(s, (const uint8_t *)"sidctx", 6));
    CHECK(sess_client_set_ticket(s, (const uint8_t *)"some-ticket-bytes", 17, 3600, 77));
    CHECK(SSL_SESSION_set1_ticket_appdata(s, "ad", 2));
    s->max_early_data = 16384;
    s->verify_result = 0;
    s->group = 29;
    return s;
}

static void test_roundtrip_der_pem(void)
{
    SSL_SESSION *s = full_session();
    int l = i2d_SSL_SESSION(s, NULL);
    REQUIRE(l > 0);
    unsigned char *buf = malloc((size_t)l), *p = buf;
    CHECK_EQ_INT(i2d_SSL_SESSION(s, &p), l);
    CHECK(p == buf + l);
    const unsigned char *q = buf;
    SSL_SESSION *d = d2i_SSL_SESSION(NULL, &q, l);
    REQUIRE(d != NULL);
    CHECK(q == buf + l);
    CHECK(d->version == TLS1_3_VERSION && d->cipher == s->cipher);
    CHECK(d->master_key_len == 32 && memcmp(d->master_key, s->master_key, 32) == 0);
    CHECK(d->session_id_len == 32 && memcmp(d->session_id, s->session_id, 32) == 0);
    CHECK(strcmp(d->hostname, "example.org") == 0);
    CHECK(d->ticket_len == 17 && d->ticket_lifetime_hint == 3600 && d->ticket_age_add == 77);
    CHECK(d->time_ms == s->time_ms && d->timeout == s->timeout);
    CHECK(d->max_early_data == 16384 && d->verify_result == 0 && d->group == 29);
    void *ad = NULL;
    size_t adl = 0, al = 0;
    const unsigned char *a = NULL;
    CHECK(SSL_SESSION_get0_ticket_appdata(d, &ad, &adl) && adl == 2 && memcmp(ad, "ad", 2) == 0);
    SSL_SESSION_get0_alpn_selected(d, &a, &al);
    CHECK(al == 2 && memcmp(a, "h2", 2) == 0);
    CHECK(d->sid_ctx_len == 6 && memcmp(d->sid_ctx, "sidctx", 6) == 0);
    unsigned char *again = NULL;
    CHECK_EQ_INT(i2d_SSL_SESSION(d, &again), l);
    CHECK(again != NULL && memcmp(again, buf, (size_t)l) == 0);
    OPENSSL_free(again);
    BIO *b = BIO_new(BIO_s_mem());
    CHECK(PEM_write_bio_SSL_SESSION(b, s));
    char *txt;
    long n = BIO_get_mem_data(b, &txt);
    CHECK(n > 0 && strncmp(txt, "-----BEGIN SSL SESSION PARAMETERS-----", 38) == 0);
    SSL_SESSION *e = PEM_read_bio_SSL_SESSION(b, NULL, NULL, NULL);
    CHECK(e != NULL && e->ticket_len == 17);
    SSL_SESSION_free(e);
    BIO_free(b);
    SSL_SESSION_free(d);
    SSL_SESSION_free(s);
    free(buf);
}

static void test_malformed_never_crash(void)
{
    SSL_SESSION *s = full_session();
    unsigned char *der = NULL;
    int l = i2d_SSL_SESSION(s, &der);
    REQUIRE(l > 0);
    for (int i = 0; i < l; i++) { /* every strict prefix is rejected */
        const unsigned char *q = der;
        SSL_SESSION *d = d2i_SSL_SESSION(NULL, &q, i);
        CHECK(d == NULL);
        SSL_SESSION_free(d);
    }
    srand(12345);
    unsigned char *m = malloc((size_t)l);
    int accepted = 0;
    for (int it = 0; it < 20000; it++) {
        memcpy(m, der, (size_t)l);
        int k = 1 + rand() % 4;
        for (int j = 0; j < k; j++)
            m[rand() % l] ^= (unsigned char)(1 + rand() % 255);
        const unsigned char *q = m;
        SSL_SESSION *d = d2i_SSL_SESSION(NULL, &q, l - (rand() % 3 == 0 ? rand() % l : 0));
        if (d != NULL) {
            accepted++;
            unsigned char *re = NULL;
            CHECK(i2d_SSL_SESSION(d, &re) > 0);
            OPENSSL_free(re);
            SSL_SESSION_free(d);
        }
    }
    ERR_clear_error();
    (void)accepted;
    /* unknown cipher suite => error */
    SSL_SESSION *bad = tu_sess(2);
    static const struct ssl_cipher_st fake = {"X", "X", 0x0300ffff, 0xffff, 0, 0, 0,
                                              0,   0,   0,          0,      0, 0, 1};
    bad->cipher = &fake;
    unsigned char *bd = NULL;
    int bl = i2d_SSL_SESSION(bad, &bd);
    const unsigned char *q = bd;
    CHECK(bl > 0 && d2i_SSL_SESSION(NULL, &q, bl) == NULL);
    CHECK(ERR_get_error() != 0);
    OPENSSL_free(bd);
    SSL_SESSION_free(bad);
    free(m);
    OPENSSL_free(der);
    SSL_SESSION_free(s);
}

TEST_MAIN({
    RUN(test_roundtrip_der_pem);
    RUN(test_malformed_never_crash);
})

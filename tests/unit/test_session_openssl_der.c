/* d2i_SSL_SESSION / PEM_read_bio_SSL_SESSION also read OpenSSL's own session
 * layout (docs/session-format.md, "Reading OpenSSL's sessions").
 *
 * data/openssl_tls13.der and data/openssl_tls12.der were written by OpenSSL
 * 3.0.19 (`openssl s_client -sess_out` against `openssl s_server -www`, then
 * `openssl sess_id -outform DER`); tests/interop/test_sess_id_openssl.sh makes
 * fresh ones on every run. */
#include "internal.h"
#include "session/session_cache.h"

#include "testutil.h"

static unsigned char *load(const char *name, size_t *len)
{
    char path[1024];
    const char *src = getenv("SRC_DIR");
    if (src != NULL)
        snprintf(path, sizeof(path), "%s/tests/unit/data/%s", src, name);
    else
        snprintf(path, sizeof(path), "data/%s", name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    unsigned char *buf = malloc(4096);
    *len = buf ? fread(buf, 1, 4096, f) : 0;
    fclose(f);
    return buf;
}

static SSL_SESSION *parse(const unsigned char *d, size_t len)
{
    const unsigned char *p = d;
    SSL_SESSION *s = d2i_SSL_SESSION(NULL, &p, (long)len);
    if (s != NULL && p != d + len) {
        SSL_SESSION_free(s);
        return NULL;
    }
    return s;
}

/* reencode: i2d (our format) and d2i again; the result must re-encode to the
 * same bytes (what the fuzz target asserts). */
static SSL_SESSION *reencode(const SSL_SESSION *s)
{
    unsigned char *a = NULL, *b = NULL;
    int la = i2d_SSL_SESSION(s, &a);
    if (!CHECK(la > 0))
        return NULL;
    /* ours: SEQUENCE { INTEGER 2, ... } */
    CHECK(a[0] == 0x30);
    const unsigned char *p = a;
    SSL_SESSION *d = d2i_SSL_SESSION(NULL, &p, la);
    CHECK(d != NULL && p == a + la);
    if (d != NULL) {
        int lb = i2d_SSL_SESSION(d, &b);
        CHECK(lb == la && memcmp(a, b, (size_t)la) == 0);
    }
    OPENSSL_free(a);
    OPENSSL_free(b);
    return d;
}

static const uint8_t tls13_id_head[4] = {0xbd, 0x00, 0x25, 0x62};
static const uint8_t tls13_psk_head[4] = {0x83, 0xf4, 0xd5, 0xd4};

static void check_tls13_fields(const SSL_SESSION *s)
{
    CHECK_EQ_INT(s->version, TLS1_3_VERSION);
    CHECK(s->cipher != NULL && s->cipher->suite == 0x1302);
    CHECK(s->session_id_len == 32 && memcmp(s->session_id, tls13_id_head, 4) == 0);
    /* the resumption PSK OpenSSL derived from the ticket nonce: SHA-384 long */
    CHECK(s->master_key_len == 48 && memcmp(s->master_key, tls13_psk_head, 4) == 0);
    CHECK_EQ_INT(s->time_ms, 1795630446000ULL);
    CHECK_EQ_INT(s->timeout, 7200);
    CHECK_EQ_INT(s->ticket_lifetime_hint, 7200);
    CHECK_EQ_INT(s->ticket_age_add, 0x68847ed1u);
    CHECK(s->ticket_len == 208 && s->ticket != NULL && s->ticket[0] == 0x5c);
    CHECK_EQ_INT(s->group, 29);
    CHECK_EQ_INT(s->verify_result, X509_V_OK);
    CHECK_EQ_INT(s->sid_ctx_len, 0);
    CHECK(s->hostname == NULL);
    CHECK(!s->ems && s->max_early_data == 0);
    CHECK(SSL_SESSION_is_resumable(s));
    X509 *peer = SSL_SESSION_get0_peer((SSL_SESSION *)s);
    CHECK(peer != NULL);
    if (peer != NULL) {
        char cn[64] = "";
        X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof(cn));
        CHECK(strcmp(cn, "localhost") == 0);
    }
}

static void test_openssl_tls13(void)
{
    size_t len = 0;
    unsigned char *d = load("openssl_tls13.der", &len);
    REQUIRE(d != NULL && len == 846);
    SSL_SESSION *s = parse(d, len);
    REQUIRE(s != NULL);
    check_tls13_fields(s);
    SSL_SESSION *again = reencode(s);
    if (again != NULL)
        check_tls13_fields(again);
    SSL_SESSION_free(again);

    /* d2i into an existing object replaces it (our documented behaviour) */
    SSL_SESSION *keep = SSL_SESSION_new();
    const unsigned char *p = d;
    CHECK(d2i_SSL_SESSION(&keep, &p, (long)len) == keep && keep != NULL && keep != s);
    CHECK(keep != NULL && keep->ticket_len == 208);
    SSL_SESSION_free(keep);

    /* PEM: OpenSSL's label is the same as ours */
    BIO *b = BIO_new(BIO_s_mem());
    REQUIRE(b != NULL);
    CHECK(PEM_write_bio(b, "SSL SESSION PARAMETERS", "", d, (long)len) > 0);
    SSL_SESSION *ps = PEM_read_bio_SSL_SESSION(b, NULL, NULL, NULL);
    CHECK(ps != NULL);
    if (ps != NULL)
        check_tls13_fields(ps);
    SSL_SESSION_free(ps);
    BIO_free(b);
    SSL_SESSION_free(s);
    free(d);
}

static void test_openssl_tls12(void)
{
    size_t len = 0;
    unsigned char *d = load("openssl_tls12.der", &len);
    REQUIRE(d != NULL && len == 623);
    SSL_SESSION *s = parse(d, len);
    REQUIRE(s != NULL);
    CHECK_EQ_INT(s->version, TLS1_2_VERSION);
    CHECK(s->cipher != NULL && s->cipher->suite == 0xc02b);
    CHECK(s->master_key_len == 48 && s->session_id_len == 32);
    CHECK(s->ems); /* [13] flags bit 0 */
    CHECK(s->ticket == NULL && s->ticket_len == 0);
    CHECK_EQ_INT(s->time_ms, 1795630491000ULL);
    CHECK(SSL_SESSION_get0_peer(s) != NULL);
    SSL_SESSION *again = reencode(s);
    CHECK(again != NULL && again->ems && again->version == TLS1_2_VERSION);
    SSL_SESSION_free(again);
    SSL_SESSION_free(s);
    free(d);
}

/* expect_fail: d2i of |d| fails with |reason| (0: any) and leaves *pp alone. */
static void expect_fail(const unsigned char *d, size_t len, int reason, int line)
{
    ERR_clear_error();
    const unsigned char *p = d;
    SSL_SESSION *s = d2i_SSL_SESSION(NULL, &p, (long)len);
    unsigned long e = ERR_peek_last_error();
    if (s != NULL || p != d || e == 0 || (reason != 0 && ERR_GET_REASON(e) != reason)) {
        fprintf(stderr, "line %d: expected failure (reason %d), got %s, error %lx\n", line, reason,
                s ? "a session" : "NULL", e);
        CHECK(0);
    }
    SSL_SESSION_free(s);
    ERR_clear_error();
}

static void test_sample_edits(void)
{
    size_t len = 0;
    unsigned char *d = load("openssl_tls13.der", &len);
    REQUIRE(d != NULL && len == 846);
    unsigned char *m = malloc(len);
    /* 30 82 03 4a | 02 01 01 | 02 02 03 04 | 04 02 13 02 | ... */
    REQUIRE(d[7] == 0x02 && d[8] == 0x02 && d[9] == 0x03 && d[10] == 0x04);
    REQUIRE(d[11] == 0x04 && d[12] == 0x02 && d[13] == 0x13 && d[14] == 0x02);
    static const uint16_t bad_versions[] = {0x0300, 0x0301, 0x0302, 0x0305, 0x7f1c, 0xfefd, 0xfeff};
    for (size_t i = 0; i < sizeof(bad_versions) / sizeof(bad_versions[0]); i++) {
        memcpy(m, d, len);
        m[9] = (uint8_t)(bad_versions[i] >> 8);
        m[10] = (uint8_t)bad_versions[i];
        /* 0xfefd etc. are negative INT32s written in 2 bytes: malformed for us */
        expect_fail(m, len, bad_versions[i] >= 0x8000 ? 0 : SSL_R_UNSUPPORTED_SSL_VERSION,
                    __LINE__);
    }
    memcpy(m, d, len);
    m[13] = 0x00, m[14] = 0xff; /* not a cipher suite we know */
    expect_fail(m, len, SSL_R_UNKNOWN_CIPHER_TYPE, __LINE__);
    memcpy(m, d, len);
    m[13] = 0x00, m[14] = 0x9c; /* RSA-AES128-GCM-SHA256: not ours */
    expect_fail(m, len, SSL_R_UNKNOWN_CIPHER_TYPE, __LINE__);
    memcpy(m, d, len);
    m[13] = 0xc0, m[14] = 0x2c; /* a TLS 1.2 suite in a TLS 1.3 session */
    expect_fail(m, len, SSL_R_BAD_DATA, __LINE__);
    memcpy(m, d, len);
    m[14] = 0x01; /* TLS_AES_128_GCM_SHA256: its PSK is 32 bytes, not 48 */
    expect_fail(m, len, SSL_R_BAD_DATA, __LINE__);
    memcpy(m, d, len);
    m[6] = 0x03; /* layout version 3: neither OpenSSL's nor ours */
    expect_fail(m, len, SSL_R_BAD_DATA, __LINE__);

    /* every strict prefix is rejected; so is any trailing junk inside the SEQUENCE */
    for (size_t i = 0; i < len; i++)
        expect_fail(d, i, 0, __LINE__);
    free(m);
    free(d);
}

/* A minimal OpenSSL-layout session built by hand: the mandatory fields and
 * then |tail| (optional fields). */
static size_t build(unsigned char *out, uint16_t suite, size_t mk_len, const unsigned char *tail,
                    size_t tail_len)
{
    unsigned char body[512];
    size_t n = 0;
    static const unsigned char head[] = {0x02, 0x01, 0x01, 0x02, 0x02, 0x03, 0x04, 0x04, 0x02};
    memcpy(body, head, sizeof(head));
    n = sizeof(head);
    body[n++] = (uint8_t)(suite >> 8);
    body[n++] = (uint8_t)suite;
    body[n++] = 0x04; /* session_id: empty */
    body[n++] = 0x00;
    body[n++] = 0x04;
    body[n++] = (uint8_t)mk_len;
    memset(body + n, 0x5a, mk_len);
    n += mk_len;
    if (tail_len > 0)
        memcpy(body + n, tail, tail_len);
    n += tail_len;
    out[0] = 0x30;
    if (n < 0x80) {
        out[1] = (uint8_t)n;
        memcpy(out + 2, body, n);
        return n + 2;
    }
    out[1] = 0x81;
    out[2] = (uint8_t)n;
    memcpy(out + 3, body, n);
    return n + 3;
}

static void test_built(void)
{
    unsigned char der[600];
    size_t l;
    SSL_SESSION *s;
    /* no optional field: time = now, timeout = 3 s, verify = OK (OpenSSL's defaults) */
    l = build(der, 0x1301, 32, NULL, 0);
    s = parse(der, l);
    CHECK(s != NULL);
    if (s != NULL) {
        CHECK(s->timeout == 3 && s->time_ms > 0 && s->verify_result == X509_V_OK);
        CHECK(s->ticket == NULL && s->peer == NULL && s->hostname == NULL);
        SSL_SESSION_free(reencode(s));
    }
    SSL_SESSION_free(s);

    /* all fields we map, plus the ones we read and drop */
    static const unsigned char full[] = {
        0xa1, 0x06, 0x02, 0x04, 0x65, 0x00, 0x00, 0x00, /* [1] time */
        0xa2, 0x04, 0x02, 0x02, 0x0e, 0x10,             /* [2] timeout 3600 */
        0xa4, 0x05, 0x04, 0x03, 'c',  't',  'x',        /* [4] sid_ctx */
        0xa5, 0x03, 0x02, 0x01, 0x14,                   /* [5] verify 20 */
        0xa6, 0x0d, 0x04, 0x0b, 'e',  'x',  'a',  'm',  'p',  'l',
        'e',  '.',  'o',  'r',  'g',  0xa7, 0x03, 0x04, 0x01, 'h', /* [7] psk hint */
        0xa8, 0x03, 0x04, 0x01, 'i',                               /* [8] psk identity */
        0xa9, 0x04, 0x02, 0x02, 0x1c, 0x20,                        /* [9] lifetime */
        0xaa, 0x05, 0x04, 0x03, 't',  'k',  't',                   /* [10] ticket */
        0xac, 0x03, 0x04, 0x01, 's',                               /* [12] srp user */
        0xad, 0x03, 0x02, 0x01, 0x01,                              /* [13] flags: EMS */
        0xae, 0x03, 0x02, 0x01, 0x07,                              /* [14] age add */
        0xaf, 0x04, 0x02, 0x02, 0x40, 0x00,                        /* [15] early data */
        0xb0, 0x04, 0x04, 0x02, 'h',  '2',                         /* [16] ALPN */
        0xb1, 0x03, 0x02, 0x01, 0x02,                              /* [17] max frag */
        0xb2, 0x04, 0x04, 0x02, 'a',  'd',                         /* [18] appdata */
        0xb3, 0x03, 0x02, 0x01, 0x17,                              /* [19] group */
    };
    l = build(der, 0x1303, 32, full, sizeof(full));
    s = parse(der, l);
    CHECK(s != NULL);
    if (s != NULL) {
        CHECK_EQ_INT(s->time_ms, 0x65000000ULL * 1000);
        CHECK_EQ_INT(s->timeout, 3600);
        CHECK(s->sid_ctx_len == 3 && memcmp(s->sid_ctx, "ctx", 3) == 0);
        CHECK_EQ_INT(s->verify_result, 20);
        CHECK(s->hostname != NULL && strcmp(s->hostname, "example.org") == 0);
        CHECK(s->ticket_len == 3 && memcmp(s->ticket, "tkt", 3) == 0);
        CHECK(s->ticket_lifetime_hint == 7200 && s->ticket_age_add == 7);
        CHECK(s->ems && s->max_early_data == 0x4000 && s->group == 0x17);
        const unsigned char *a = NULL;
        size_t al = 0;
        SSL_SESSION_get0_alpn_selected(s, &a, &al);
        CHECK(al == 2 && memcmp(a, "h2", 2) == 0);
        void *ad = NULL;
        size_t adl = 0;
        CHECK(SSL_SESSION_get0_ticket_appdata(s, &ad, &adl) && adl == 2 &&
              memcmp(ad, "ad", 2) == 0);
        SSL_SESSION *r = reencode(s);
        CHECK(r != NULL && r->hostname != NULL && r->ticket_len == 3 && r->ems);
        SSL_SESSION_free(r);
    }
    SSL_SESSION_free(s);

    /* rejected */
    static const unsigned char comp[] = {0xab, 0x03, 0x04, 0x01, 0x01};    /* [11] compression */
    static const unsigned char rpk[] = {0xb4, 0x02, 0x04, 0x00};           /* [20] raw public key */
    static const unsigned char unknown[] = {0xb5, 0x03, 0x02, 0x01, 0x00}; /* [21] */
    static const unsigned char order[] = {0xa2, 0x03, 0x02, 0x01, 0x05,
                                          0xa1, 0x03, 0x02, 0x01, 0x05}; /* [2] before [1] */
    static const unsigned char twice[] = {0xa1, 0x03, 0x02, 0x01, 0x05,
                                          0xa1, 0x03, 0x02, 0x01, 0x05};
    static const unsigned char neg_time[] = {0xa1, 0x03, 0x02, 0x01, 0xff};
    static const unsigned char nul_host[] = {0xa6, 0x05, 0x04, 0x03, 'a', 0, 'b'};
    static const unsigned char bad_frag[] = {0xb1, 0x03, 0x02, 0x01, 0x05};
    static const unsigned char bad_peer[] = {0xa3, 0x04, 0x30, 0x02, 0x05, 0x00};
    static const unsigned char two_certs_short[] = {0xa3, 0x02, 0x30, 0x00};
    static const unsigned char long_ctx[] = {
        0xa4, 0x23, 0x04, 0x21, 1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
        16,   17,   18,   19,   20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33};
    static const unsigned char big_age[] = {0xae, 0x07, 0x02, 0x05, 0x01, 0, 0, 0, 0};
    static const unsigned char trailing[] = {0x05, 0x00};
    const struct {
        const unsigned char *t;
        size_t n;
    } bad[] = {
        {comp, sizeof(comp)},         {rpk, sizeof(rpk)},
        {unknown, sizeof(unknown)},   {order, sizeof(order)},
        {twice, sizeof(twice)},       {neg_time, sizeof(neg_time)},
        {nul_host, sizeof(nul_host)}, {bad_frag, sizeof(bad_frag)},
        {bad_peer, sizeof(bad_peer)}, {two_certs_short, sizeof(two_certs_short)},
        {long_ctx, sizeof(long_ctx)}, {big_age, sizeof(big_age)},
        {trailing, sizeof(trailing)},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        l = build(der, 0x1301, 32, bad[i].t, bad[i].n);
        expect_fail(der, l, SSL_R_BAD_DATA, __LINE__ + (int)i * 1000);
    }
    /* master key lengths: TLS 1.3 must be the suite's hash size */
    l = build(der, 0x1301, 48, NULL, 0);
    expect_fail(der, l, SSL_R_BAD_DATA, __LINE__);
    l = build(der, 0x1302, 32, NULL, 0);
    expect_fail(der, l, SSL_R_BAD_DATA, __LINE__);
    l = build(der, 0x1301, 0, NULL, 0);
    expect_fail(der, l, SSL_R_BAD_DATA, __LINE__);
    l = build(der, 0x1302, 48, NULL, 0);
    s = parse(der, l);
    CHECK(s != NULL && s->master_key_len == 48);
    SSL_SESSION_free(s);
}

/* Random edits of the real samples: never a crash (ASan/UBSan), an error
 * queued on each failure, and whatever is accepted re-encodes stably. */
static void test_mutations(void)
{
    const char *names[] = {"openssl_tls13.der", "openssl_tls12.der"};
    srand(4242);
    for (size_t f = 0; f < 2; f++) {
        size_t len = 0;
        unsigned char *d = load(names[f], &len);
        REQUIRE(d != NULL && len > 16);
        unsigned char *m = malloc(len);
        int accepted = 0;
        for (int it = 0; it < 20000; it++) {
            memcpy(m, d, len);
            int k = 1 + rand() % 4;
            for (int j = 0; j < k; j++) {
                /* the header and fixed fields are the interesting part: bias to them */
                size_t at = rand() % 2 ? (size_t)rand() % 120 : (size_t)rand() % len;
                m[at % len] ^= (unsigned char)(1 + rand() % 255);
            }
            size_t use = rand() % 3 == 0 ? (size_t)rand() % len : len;
            ERR_clear_error();
            const unsigned char *p = m;
            SSL_SESSION *s = d2i_SSL_SESSION(NULL, &p, (long)use);
            if (s == NULL) {
                CHECK(ERR_peek_error() != 0 && p == m);
                continue;
            }
            accepted++;
            CHECK(p > m && p <= m + use);
            SSL_SESSION_free(reencode(s));
            SSL_SESSION_free(s);
        }
        ERR_clear_error();
        CHECK(accepted > 0); /* edits of the ticket bytes, for one, still parse */
        free(m);
        free(d);
    }
}

TEST_MAIN({
    RUN(test_openssl_tls13);
    RUN(test_openssl_tls12);
    RUN(test_sample_edits);
    RUN(test_built);
    RUN(test_mutations);
})

/* Unit tests for src/codec/messages12.c (TLS 1.2 handshake messages):
 * exact bytes of what the writers make, round trips, every malformed length
 * and forbidden value with its alert, trailing bytes, empty lists, the
 * largest sizes each vector takes, every truncation, random mutation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "codec/codec.h"
#include "codec/messages12.h"
#include "testutil.h"

/* ---- helpers ---- */

/* unhex: |hex| (spaces ignored) into a malloc'd buffer of exactly the
 * decoded size (so ASan sees any overread). */
static uint8_t *unhex(const char *hex, size_t *out_len)
{
    uint8_t tmp[8192];
    size_t n = test_from_hex(hex, tmp, sizeof(tmp));
    uint8_t *out = malloc(n ? n : 1);
    if (out == NULL)
        abort();
    memcpy(out, tmp, n);
    *out_len = n;
    return out;
}

/* finish: the CBB's bytes in a malloc'd buffer of exactly their size. */
static uint8_t *finish(CBB *cbb, size_t *len)
{
    uint8_t *p = NULL, *copy;
    if (!cbb_finish(cbb, &p, len)) {
        cbb_cleanup(cbb);
        return NULL;
    }
    copy = malloc(*len ? *len : 1);
    if (copy == NULL)
        abort();
    memcpy(copy, p, *len);
    OPENSSL_free(p);
    return copy;
}

/* body_of checks a complete message's type and u24 length and points
 * |body| at its body. */
static int body_of(const uint8_t *msg, size_t len, uint8_t type, CBS *body)
{
    CBS in;
    uint8_t t;
    cbs_init(&in, msg, len);
    return cbs_get_u8(&in, &t) && t == type && cbs_get_u24_prefixed(&in, body) && cbs_len(&in) == 0;
}

static int cbs_eq(const CBS *cbs, const void *data, size_t len)
{
    return cbs_mem_equal(cbs, (const uint8_t *)data, len);
}

/* The parsers under one signature, for the tables and loops below. */
static CODEC_SERVER_KEY_EXCHANGE g_ske;
static CODEC_CERTIFICATE12 g_ct;
static CODEC_CERTIFICATE_REQUEST12 g_cr;
static CODEC_NEW_SESSION_TICKET12 g_nst;
static CBS g_pub;

static int p_ske_ec(CBS *b, uint8_t *a)
{
    return codec_parse_server_key_exchange(b, 0, &g_ske, a);
}
static int p_ske_dh(CBS *b, uint8_t *a)
{
    return codec_parse_server_key_exchange(b, 1, &g_ske, a);
}
static int p_cke_ec(CBS *b, uint8_t *a)
{
    return codec_parse_client_key_exchange(b, 0, &g_pub, a);
}
static int p_cke_dh(CBS *b, uint8_t *a)
{
    return codec_parse_client_key_exchange(b, 1, &g_pub, a);
}
static int p_ct(CBS *b, uint8_t *a)
{
    return codec_parse_certificate12(b, &g_ct, a);
}
static int p_cr(CBS *b, uint8_t *a)
{
    return codec_parse_certificate_request12(b, &g_cr, a);
}
static int p_empty(CBS *b, uint8_t *a)
{
    return codec_parse_empty(b, a);
}
static int p_nst(CBS *b, uint8_t *a)
{
    return codec_parse_new_session_ticket12(b, &g_nst, a);
}

typedef int (*parse_fn)(CBS *, uint8_t *);

/* run_parse parses |len| bytes of |data| (an exact-size copy) and checks
 * the outcome: on success the body is consumed and the error queue empty;
 * on failure the alert is set, the view untouched and an SSL error queued
 * (its reason |reason| unless 0).  Returns the parser's result. */
static int run_parse(parse_fn parse, const uint8_t *data, size_t len, int want_ok,
                     uint8_t want_alert, int reason, int line)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (copy == NULL)
        abort();
    if (len)
        memcpy(copy, data, len);
    CBS cbs;
    uint8_t alert = 0;
    ERR_clear_error();
    cbs_init(&cbs, copy, len);
    int r = parse(&cbs, &alert);
    unsigned long err = ERR_peek_error();
    int bad = 0;
    if (r != want_ok) {
        fprintf(stderr, "line %d: parse returned %d, expected %d (alert %u)\n", line, r, want_ok,
                alert);
        bad = 1;
    } else if (r) {
        bad = cbs_len(&cbs) != 0 || err != 0;
    } else {
        bad = alert != want_alert || cbs_data(&cbs) != copy || cbs_len(&cbs) != len ||
              ERR_GET_LIB(err) != ERR_LIB_SSL || (reason != 0 && ERR_GET_REASON(err) != reason);
        if (bad)
            fprintf(stderr, "line %d: alert %u (expected %u), reason %d\n", line, alert, want_alert,
                    ERR_GET_REASON(err));
    }
    test_checks++;
    if (bad)
        test_failures++;
    ERR_clear_error();
    free(copy);
    return r;
}

static int expect_hex(parse_fn parse, const char *hex, int want_ok, uint8_t want_alert, int line)
{
    size_t len;
    uint8_t *b = unhex(hex, &len);
    int r = run_parse(parse, b, len, want_ok, want_alert,
                      want_alert == CODEC_ALERT_DECODE_ERROR ? SSL_R_LENGTH_MISMATCH : 0, line);
    free(b);
    return r;
}

#define OK      1, 0
#define DECODE  0, CODEC_ALERT_DECODE_ERROR
#define ILLEGAL 0, CODEC_ALERT_ILLEGAL_PARAMETER

/* ---- the writers' exact bytes, and what the parsers make of them ---- */

static void test_server_key_exchange_ecdhe(void)
{
    static const uint8_t point[] = {0x04, 0xaa, 0xbb, 0xcc};
    static const uint8_t sig[] = {0x30, 0x01, 0x02};
    CBB params, msg;
    uint8_t *p, *m;
    size_t plen, mlen;
    CBS body;

    REQUIRE(cbb_init(&params, 16));
    REQUIRE(codec_write_ecdhe_params(&params, 0x0017, point, sizeof(point)));
    p = finish(&params, &plen);
    REQUIRE(p != NULL);
    CHECK_EQ_HEX(p, plen, "03 0017 04 04aabbcc");

    REQUIRE(cbb_init(&msg, 16));
    REQUIRE(codec_write_server_key_exchange(&msg, p, plen, 0x0403, sig, sizeof(sig)));
    m = finish(&msg, &mlen);
    REQUIRE(m != NULL);
    CHECK_EQ_HEX(m, mlen, "0c 00000f 03 0017 04 04aabbcc 0403 0003 300102");

    REQUIRE(body_of(m, mlen, CODEC_HS_SERVER_KEY_EXCHANGE, &body));
    uint8_t alert = 0;
    CHECK(codec_parse_server_key_exchange(&body, 0, &g_ske, &alert));
    CHECK(cbs_len(&body) == 0);
    CHECK_EQ_MEM(cbs_data(&g_ske.params), cbs_len(&g_ske.params), p, plen);
    CHECK(g_ske.named_curve == 0x0017);
    CHECK(cbs_eq(&g_ske.point, point, sizeof(point)));
    CHECK(g_ske.sigalg == 0x0403);
    CHECK(cbs_eq(&g_ske.signature, sig, sizeof(sig)));
    CHECK(cbs_len(&g_ske.dh_p) == 0 && cbs_len(&g_ske.dh_g) == 0 && cbs_len(&g_ske.dh_ys) == 0);
    /* |params| views the body itself (the bytes to verify in place). */
    CHECK(cbs_data(&g_ske.params) == m + 4);
    free(p);
    free(m);
}

static void test_server_key_exchange_dhe(void)
{
    static const uint8_t prime[] = {0xff, 0xff, 0xfe}, gen[] = {0x02}, ys[] = {0x12, 0x34};
    static const uint8_t sig[] = {0xee};
    CBB params, msg;
    uint8_t *p, *m;
    size_t plen, mlen;
    CBS body;

    REQUIRE(cbb_init(&params, 16));
    REQUIRE(
        codec_write_dhe_params(&params, prime, sizeof(prime), gen, sizeof(gen), ys, sizeof(ys)));
    p = finish(&params, &plen);
    REQUIRE(p != NULL);
    CHECK_EQ_HEX(p, plen, "0003 fffffe 0001 02 0002 1234");

    REQUIRE(cbb_init(&msg, 16));
    REQUIRE(codec_write_server_key_exchange(&msg, p, plen, 0x0804, sig, sizeof(sig)));
    m = finish(&msg, &mlen);
    REQUIRE(m != NULL);
    CHECK_EQ_HEX(m, mlen, "0c 000011 0003 fffffe 0001 02 0002 1234 0804 0001 ee");

    REQUIRE(body_of(m, mlen, CODEC_HS_SERVER_KEY_EXCHANGE, &body));
    uint8_t alert = 0;
    CHECK(codec_parse_server_key_exchange(&body, 1, &g_ske, &alert));
    CHECK_EQ_MEM(cbs_data(&g_ske.params), cbs_len(&g_ske.params), p, plen);
    CHECK(cbs_eq(&g_ske.dh_p, prime, sizeof(prime)));
    CHECK(cbs_eq(&g_ske.dh_g, gen, sizeof(gen)));
    CHECK(cbs_eq(&g_ske.dh_ys, ys, sizeof(ys)));
    CHECK(g_ske.named_curve == 0 && cbs_len(&g_ske.point) == 0);
    CHECK(g_ske.sigalg == 0x0804);
    CHECK(cbs_eq(&g_ske.signature, sig, sizeof(sig)));
    /* The same body read as ECDHE: 00 is no curve type. */
    REQUIRE(body_of(m, mlen, CODEC_HS_SERVER_KEY_EXCHANGE, &body));
    CHECK(run_parse(p_ske_ec, cbs_data(&body), cbs_len(&body), ILLEGAL, SSL_R_WRONG_CURVE,
                    __LINE__) == 0);
    free(p);
    free(m);
}

static void test_client_key_exchange(void)
{
    static const uint8_t pub[] = {0x01, 0x02, 0x03};
    CBB cbb;
    uint8_t *m;
    size_t mlen;
    CBS body;
    uint8_t alert = 0;

    REQUIRE(cbb_init(&cbb, 16));
    REQUIRE(codec_write_client_key_exchange(&cbb, 0, pub, sizeof(pub)));
    m = finish(&cbb, &mlen);
    REQUIRE(m != NULL);
    CHECK_EQ_HEX(m, mlen, "10 000004 03 010203");
    REQUIRE(body_of(m, mlen, CODEC_HS_CLIENT_KEY_EXCHANGE, &body));
    CHECK(codec_parse_client_key_exchange(&body, 0, &g_pub, &alert));
    CHECK(cbs_len(&body) == 0 && cbs_eq(&g_pub, pub, sizeof(pub)));
    free(m);

    REQUIRE(cbb_init(&cbb, 16));
    REQUIRE(codec_write_client_key_exchange(&cbb, 1, pub, sizeof(pub)));
    m = finish(&cbb, &mlen);
    REQUIRE(m != NULL);
    CHECK_EQ_HEX(m, mlen, "10 000005 0003 010203");
    REQUIRE(body_of(m, mlen, CODEC_HS_CLIENT_KEY_EXCHANGE, &body));
    CHECK(codec_parse_client_key_exchange(&body, 1, &g_pub, &alert));
    CHECK(cbs_len(&body) == 0 && cbs_eq(&g_pub, pub, sizeof(pub)));
    /* Each read the other way is malformed. */
    REQUIRE(body_of(m, mlen, CODEC_HS_CLIENT_KEY_EXCHANGE, &body));
    run_parse(p_cke_ec, cbs_data(&body), cbs_len(&body), DECODE, SSL_R_LENGTH_MISMATCH, __LINE__);
    free(m);
}

static void test_certificate12(void)
{
    static const uint8_t c1[] = {0x30, 0x82}, c2[] = {0xaa}, c3[] = {0x01, 0x02, 0x03};
    const uint8_t *ders[3] = {c1, c2, c3};
    const size_t lens[3] = {sizeof(c1), sizeof(c2), sizeof(c3)};
    CBB cbb;
    uint8_t *m;
    size_t mlen;
    CBS body, list, der;
    uint8_t alert = 0;

    REQUIRE(cbb_init(&cbb, 16));
    REQUIRE(codec_write_certificate12(&cbb, ders, lens, 3));
    m = finish(&cbb, &mlen);
    REQUIRE(m != NULL);
    CHECK_EQ_HEX(m, mlen, "0b 000012 00000f 000002 3082 000001 aa 000003 010203");
    REQUIRE(body_of(m, mlen, CODEC_HS_CERTIFICATE, &body));
    CHECK(codec_parse_certificate12(&body, &g_ct, &alert));
    CHECK(cbs_len(&body) == 0);
    CHECK(g_ct.num_certs == 3);
    list = g_ct.certificate_list;
    for (size_t i = 0; i < 3; i++) {
        CHECK(codec_cert12_next(&list, &der));
        CHECK(cbs_eq(&der, ders[i], lens[i]));
    }
    CHECK(!codec_cert12_next(&list, &der));
    CHECK(cbs_len(&list) == 0);
    free(m);

    /* No certificate: an empty list (a client without one). */
    REQUIRE(cbb_init(&cbb, 16));
    REQUIRE(codec_write_certificate12(&cbb, NULL, NULL, 0));
    m = finish(&cbb, &mlen);
    REQUIRE(m != NULL);
    CHECK_EQ_HEX(m, mlen, "0b 000003 000000");
    REQUIRE(body_of(m, mlen, CODEC_HS_CERTIFICATE, &body));
    CHECK(codec_parse_certificate12(&body, &g_ct, &alert));
    CHECK(g_ct.num_certs == 0 && cbs_len(&g_ct.certificate_list) == 0);
    free(m);
}

static void test_certificate_request12(void)
{
    static const uint16_t sigalgs[] = {0x0403, 0x0804, 0x0401};
    static const uint8_t n1[] = {0x30, 0x00}, n2[] = {0x30, 0x03, 0x01, 0x02, 0x03};
    const uint8_t *cas[2] = {n1, n2};
    const size_t ca_lens[2] = {sizeof(n1), sizeof(n2)};
    CBB cbb;
    uint8_t *m;
    size_t mlen;
    CBS body, it, name;
    uint8_t alert = 0;
    uint16_t v;

    REQUIRE(cbb_init(&cbb, 16));
    REQUIRE(codec_write_certificate_request12(&cbb, sigalgs, 3, cas, ca_lens, 2));
    m = finish(&cbb, &mlen);
    REQUIRE(m != NULL);
    CHECK_EQ_HEX(m, mlen, "0d 000018 02 0140 0006 0403 0804 0401 000b 0002 3000 0005 3003010203");
    REQUIRE(body_of(m, mlen, CODEC_HS_CERTIFICATE_REQUEST, &body));
    CHECK(codec_parse_certificate_request12(&body, &g_cr, &alert));
    CHECK(cbs_len(&body) == 0);
    CHECK_EQ_HEX(cbs_data(&g_cr.certificate_types), cbs_len(&g_cr.certificate_types), "0140");
    it = g_cr.sigalgs;
    for (size_t i = 0; i < 3; i++)
        CHECK(codec_u16_list_next(&it, &v) && v == sigalgs[i]);
    CHECK(!codec_u16_list_next(&it, &v));
    it = g_cr.certificate_authorities;
    for (size_t i = 0; i < 2; i++) {
        CHECK(cbs_get_u16_prefixed(&it, &name));
        CHECK(cbs_eq(&name, cas[i], ca_lens[i]));
    }
    CHECK(cbs_len(&it) == 0);
    free(m);

    /* No CA names: an empty list. */
    REQUIRE(cbb_init(&cbb, 16));
    REQUIRE(codec_write_certificate_request12(&cbb, sigalgs, 1, NULL, NULL, 0));
    m = finish(&cbb, &mlen);
    REQUIRE(m != NULL);
    CHECK_EQ_HEX(m, mlen, "0d 000009 02 0140 0002 0403 0000");
    REQUIRE(body_of(m, mlen, CODEC_HS_CERTIFICATE_REQUEST, &body));
    CHECK(codec_parse_certificate_request12(&body, &g_cr, &alert));
    CHECK(cbs_len(&g_cr.certificate_authorities) == 0);
    free(m);
}

static void test_empty_and_ticket(void)
{
    CBB cbb;
    uint8_t *m;
    size_t mlen;
    CBS body;
    uint8_t alert = 0;
    static const uint8_t ticket[] = {0xde, 0xad, 0xbe, 0xef};

    REQUIRE(cbb_init(&cbb, 16));
    REQUIRE(codec_write_empty(&cbb, CODEC_HS_SERVER_HELLO_DONE));
    REQUIRE(codec_write_empty(&cbb, CODEC_HS_HELLO_REQUEST));
    m = finish(&cbb, &mlen);
    REQUIRE(m != NULL);
    CHECK_EQ_HEX(m, mlen, "0e000000 00000000");
    REQUIRE(body_of(m, 4, CODEC_HS_SERVER_HELLO_DONE, &body));
    CHECK(codec_parse_empty(&body, &alert));
    REQUIRE(body_of(m + 4, 4, CODEC_HS_HELLO_REQUEST, &body));
    CHECK(codec_parse_empty(&body, &alert));
    free(m);

    REQUIRE(cbb_init(&cbb, 16));
    REQUIRE(codec_write_new_session_ticket12(&cbb, 7200, ticket, sizeof(ticket)));
    m = finish(&cbb, &mlen);
    REQUIRE(m != NULL);
    CHECK_EQ_HEX(m, mlen, "04 00000a 00001c20 0004 deadbeef");
    REQUIRE(body_of(m, mlen, CODEC_HS_NEW_SESSION_TICKET, &body));
    CHECK(codec_parse_new_session_ticket12(&body, &g_nst, &alert));
    CHECK(cbs_len(&body) == 0);
    CHECK(g_nst.lifetime_hint == 7200);
    CHECK(cbs_eq(&g_nst.ticket, ticket, sizeof(ticket)));
    free(m);

    /* RFC 5077 3.3: an empty ticket (the server changed its mind). */
    REQUIRE(cbb_init(&cbb, 16));
    REQUIRE(codec_write_new_session_ticket12(&cbb, 0, NULL, 0));
    m = finish(&cbb, &mlen);
    REQUIRE(m != NULL);
    CHECK_EQ_HEX(m, mlen, "04 000006 00000000 0000");
    REQUIRE(body_of(m, mlen, CODEC_HS_NEW_SESSION_TICKET, &body));
    CHECK(codec_parse_new_session_ticket12(&body, &g_nst, &alert));
    CHECK(g_nst.lifetime_hint == 0 && cbs_len(&g_nst.ticket) == 0);
    free(m);

    /* Any lifetime hint: TLS 1.2 sets no limit (unlike TLS 1.3's 7 days). */
    expect_hex(p_nst, "ffffffff 0001 aa", OK, __LINE__);
    CHECK(g_nst.lifetime_hint == 0xffffffffu);
}

/* ---- malformed input, forbidden values ---- */

static void test_malformed(void)
{
    /* ServerKeyExchange, ECDHE. */
    expect_hex(p_ske_ec, "03 001d 01 aa 0403 0001 bb", OK, __LINE__);
    expect_hex(p_ske_ec, "03 001d 01 aa 0403 0001 bb 00", DECODE, __LINE__); /* trailing */
    expect_hex(p_ske_ec, "", DECODE, __LINE__);
    expect_hex(p_ske_ec, "03", DECODE, __LINE__);
    expect_hex(p_ske_ec, "03 00", DECODE, __LINE__);
    expect_hex(p_ske_ec, "03 001d", DECODE, __LINE__);                    /* no point */
    expect_hex(p_ske_ec, "03 001d 00 0403 0001 bb", DECODE, __LINE__);    /* empty point */
    expect_hex(p_ske_ec, "03 001d 02 aa", DECODE, __LINE__);              /* point overrun */
    expect_hex(p_ske_ec, "03 001d 01 aa", DECODE, __LINE__);              /* no signature */
    expect_hex(p_ske_ec, "03 001d 01 aa 04", DECODE, __LINE__);           /* half a sigalg */
    expect_hex(p_ske_ec, "03 001d 01 aa 0403", DECODE, __LINE__);         /* no sig length */
    expect_hex(p_ske_ec, "03 001d 01 aa 0403 00", DECODE, __LINE__);      /* half a length */
    expect_hex(p_ske_ec, "03 001d 01 aa 0403 0000", DECODE, __LINE__);    /* empty signature */
    expect_hex(p_ske_ec, "03 001d 01 aa 0403 0002 bb", DECODE, __LINE__); /* sig overrun */
    expect_hex(p_ske_ec, "03 001d 01 aa 0403 0001 bb cc", DECODE, __LINE__);
    /* curve_type other than named_curve (3): explicit_prime (1),
     * explicit_char2 (2), and values that are no type at all. */
    static const char *const bad_types[] = {"00", "01", "02", "04", "ff"};
    for (size_t i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
        char hex[64];
        snprintf(hex, sizeof(hex), "%s 001d 01 aa 0403 0001 bb", bad_types[i]);
        size_t len;
        uint8_t *b = unhex(hex, &len);
        run_parse(p_ske_ec, b, len, ILLEGAL, SSL_R_WRONG_CURVE, __LINE__);
        /* Judged once the three bytes are there (as OpenSSL does). */
        run_parse(p_ske_ec, b, 3, ILLEGAL, SSL_R_WRONG_CURVE, __LINE__);
        run_parse(p_ske_ec, b, 2, DECODE, SSL_R_LENGTH_MISMATCH, __LINE__);
        free(b);
    }

    /* ServerKeyExchange, DHE. */
    expect_hex(p_ske_dh, "0001 17 0001 02 0001 05 0401 0001 bb", OK, __LINE__);
    expect_hex(p_ske_dh, "0001 17 0001 02 0001 05 0401 0001 bb 00", DECODE, __LINE__);
    expect_hex(p_ske_dh, "0000 0001 02 0001 05 0401 0001 bb", DECODE, __LINE__); /* empty p */
    expect_hex(p_ske_dh, "0001 17 0000 0001 05 0401 0001 bb", DECODE, __LINE__); /* empty g */
    expect_hex(p_ske_dh, "0001 17 0001 02 0000 0401 0001 bb", DECODE, __LINE__); /* empty Ys */
    expect_hex(p_ske_dh, "0001 17 0001 02 0001 05 0401 0000", DECODE, __LINE__); /* empty sig */
    expect_hex(p_ske_dh, "0002 17", DECODE, __LINE__);
    expect_hex(p_ske_dh, "0001 17 0001 02 0003 05", DECODE, __LINE__);
    expect_hex(p_ske_dh, "0001 17 0001 02 0001 05", DECODE, __LINE__);
    expect_hex(p_ske_dh, "00", DECODE, __LINE__);
    expect_hex(p_ske_dh, "", DECODE, __LINE__);
    /* Leading zeros and zero values are the key exchange's to judge. */
    expect_hex(p_ske_dh, "0002 0017 0001 00 0001 00 0401 0001 bb", OK, __LINE__);

    /* ClientKeyExchange. */
    expect_hex(p_cke_ec, "01 aa", OK, __LINE__);
    expect_hex(p_cke_ec, "", DECODE, __LINE__);      /* no (implicit) point */
    expect_hex(p_cke_ec, "00", DECODE, __LINE__);    /* empty point */
    expect_hex(p_cke_ec, "02 aa", DECODE, __LINE__); /* overrun */
    expect_hex(p_cke_ec, "01 aa bb", DECODE, __LINE__);
    expect_hex(p_cke_dh, "0001 aa", OK, __LINE__);
    expect_hex(p_cke_dh, "", DECODE, __LINE__);
    expect_hex(p_cke_dh, "00", DECODE, __LINE__);
    expect_hex(p_cke_dh, "0000", DECODE, __LINE__);
    expect_hex(p_cke_dh, "0002 aa", DECODE, __LINE__);
    expect_hex(p_cke_dh, "0001 aa bb", DECODE, __LINE__);

    /* Certificate. */
    expect_hex(p_ct, "000000", OK, __LINE__);
    expect_hex(p_ct, "", DECODE, __LINE__);
    expect_hex(p_ct, "0000", DECODE, __LINE__);
    expect_hex(p_ct, "000000 00", DECODE, __LINE__);     /* trailing */
    expect_hex(p_ct, "000001 00", DECODE, __LINE__);     /* list of one byte */
    expect_hex(p_ct, "000003 000000", DECODE, __LINE__); /* empty certificate */
    expect_hex(p_ct, "000004 000001 aa", OK, __LINE__);
    expect_hex(p_ct, "000004 000002 aa", DECODE, __LINE__);    /* entry overrun */
    expect_hex(p_ct, "000005 000001 aa 00", DECODE, __LINE__); /* partial second entry */
    expect_hex(p_ct, "000007 000001 aa 000000", DECODE, __LINE__);
    expect_hex(p_ct, "000005 000001 aa", DECODE, __LINE__);    /* list overrun */
    expect_hex(p_ct, "000003 000001 aa", DECODE, __LINE__);    /* list too short */
    expect_hex(p_ct, "000004 000001 aa ff", DECODE, __LINE__); /* trailing after list */

    /* CertificateRequest. */
    expect_hex(p_cr, "01 40 0002 0403 0000", OK, __LINE__);
    expect_hex(p_cr, "01 40 0002 0403 0000 00", DECODE, __LINE__); /* trailing */
    expect_hex(p_cr, "00 0002 0403 0000", DECODE, __LINE__);       /* no certificate types */
    expect_hex(p_cr, "01 40 0000 0000", DECODE, __LINE__);         /* no sigalgs */
    expect_hex(p_cr, "01 40 0003 040304 0000", DECODE, __LINE__);  /* odd sigalgs */
    expect_hex(p_cr, "01 40 0002 0403", DECODE, __LINE__);         /* no CA list */
    expect_hex(p_cr, "01 40 0002 0403 00", DECODE, __LINE__);
    expect_hex(p_cr, "01 40 0002 0403 0002 0000", DECODE, __LINE__); /* empty CA name */
    expect_hex(p_cr, "01 40 0002 0403 0003 0001 30", OK, __LINE__);
    expect_hex(p_cr, "01 40 0002 0403 0003 0002 30", DECODE, __LINE__);    /* name overrun */
    expect_hex(p_cr, "01 40 0002 0403 0004 0001 30 00", DECODE, __LINE__); /* partial name */
    expect_hex(p_cr, "01 40 0002 0403 0004 0001 30", DECODE, __LINE__);    /* list overrun */
    expect_hex(p_cr, "02 40", DECODE, __LINE__);
    expect_hex(p_cr, "", DECODE, __LINE__);
    /* Unknown certificate types and algorithms: the caller's to skip. */
    expect_hex(p_cr, "03 07 ff 00 0004 fefe 0000 0000", OK, __LINE__);

    /* ServerHelloDone / HelloRequest. */
    expect_hex(p_empty, "", OK, __LINE__);
    expect_hex(p_empty, "00", DECODE, __LINE__);
    expect_hex(p_empty, "000000", DECODE, __LINE__);

    /* NewSessionTicket. */
    expect_hex(p_nst, "00000000 0000", OK, __LINE__);
    expect_hex(p_nst, "", DECODE, __LINE__);
    expect_hex(p_nst, "000000", DECODE, __LINE__);
    expect_hex(p_nst, "00000000", DECODE, __LINE__);
    expect_hex(p_nst, "00000000 00", DECODE, __LINE__);
    expect_hex(p_nst, "00000000 0002 aa", DECODE, __LINE__);
    expect_hex(p_nst, "00000000 0001 aa bb", DECODE, __LINE__);
    expect_hex(p_nst, "00000000 0000 00", DECODE, __LINE__);
}

/* ---- the largest vectors, and one byte more ---- */

static void test_max_sizes(void)
{
    const size_t big = 0x1000000; /* 2^24 */
    uint8_t *buf = malloc(big);
    REQUIRE(buf != NULL);
    memset(buf, 0x5a, big);
    CBB cbb;
    uint8_t *m;
    size_t mlen;
    CBS body;
    uint8_t alert = 0;

    /* ECPoint<1..2^8-1>: 255 bytes in both messages; 256 refused. */
    REQUIRE(cbb_init(&cbb, 64));
    CHECK(codec_write_ecdhe_params(&cbb, 0x001d, buf, 255));
    m = finish(&cbb, &mlen);
    REQUIRE(m != NULL);
    CHECK(mlen == 4 + 255);
    REQUIRE(cbb_init(&cbb, 64));
    CHECK(codec_write_server_key_exchange(&cbb, m, mlen, 0x0403, buf, 0xffff));
    free(m);
    m = finish(&cbb, &mlen);
    REQUIRE(m != NULL);
    REQUIRE(body_of(m, mlen, CODEC_HS_SERVER_KEY_EXCHANGE, &body));
    CHECK(codec_parse_server_key_exchange(&body, 0, &g_ske, &alert));
    CHECK(cbs_len(&g_ske.point) == 255 && cbs_len(&g_ske.signature) == 0xffff);
    free(m);

    REQUIRE(cbb_init(&cbb, 64));
    CHECK(codec_write_client_key_exchange(&cbb, 0, buf, 255));
    m = finish(&cbb, &mlen);
    REQUIRE(m != NULL);
    REQUIRE(body_of(m, mlen, CODEC_HS_CLIENT_KEY_EXCHANGE, &body));
    CHECK(codec_parse_client_key_exchange(&body, 0, &g_pub, &alert) && cbs_len(&g_pub) == 255);
    free(m);

    /* The writers refuse what does not fit (or is empty) before writing
     * anything: the CBB is as it was and still usable. */
    REQUIRE(cbb_init(&cbb, 64));
    REQUIRE(cbb_add_u8(&cbb, 0x99));
    CHECK(!codec_write_ecdhe_params(&cbb, 0x001d, buf, 256));
    CHECK(!codec_write_ecdhe_params(&cbb, 0x001d, buf, 0));
    CHECK(!codec_write_client_key_exchange(&cbb, 0, buf, 256));
    CHECK(!codec_write_client_key_exchange(&cbb, 0, buf, 0));
    CHECK(!codec_write_client_key_exchange(&cbb, 1, buf, 0x10000));
    CHECK(!codec_write_client_key_exchange(&cbb, 1, buf, 0));
    CHECK(!codec_write_dhe_params(&cbb, buf, 0x10000, buf, 1, buf, 1));
    CHECK(!codec_write_dhe_params(&cbb, buf, 1, buf, 0, buf, 1));
    CHECK(!codec_write_dhe_params(&cbb, buf, 1, buf, 1, buf, 0x10000));
    CHECK(!codec_write_server_key_exchange(&cbb, buf, 4, 0x0403, buf, 0x10000));
    CHECK(!codec_write_server_key_exchange(&cbb, buf, 4, 0x0403, buf, 0));
    CHECK(!codec_write_server_key_exchange(&cbb, buf, 0, 0x0403, buf, 1));
    CHECK(!codec_write_new_session_ticket12(&cbb, 1, buf, 0x10000));
    {
        static const uint16_t one = 0x0403;
        const uint8_t *der = buf;
        size_t zero = 0, over = 0x10000, over24 = big;
        CHECK(!codec_write_certificate12(&cbb, &der, &zero, 1));
        CHECK(!codec_write_certificate12(&cbb, &der, &over24, 1));
        CHECK(!codec_write_certificate_request12(&cbb, &one, 0, NULL, NULL, 0));
        CHECK(!codec_write_certificate_request12(&cbb, &one, 1, &der, &zero, 1));
        CHECK(!codec_write_certificate_request12(&cbb, &one, 1, &der, &over, 1));
    }
    CHECK(cbb_len(&cbb) == 1);
    CHECK(codec_write_empty(&cbb, CODEC_HS_SERVER_HELLO_DONE));
    m = finish(&cbb, &mlen);
    REQUIRE(m != NULL);
    CHECK_EQ_HEX(m, mlen, "99 0e000000");
    free(m);
    ERR_clear_error();

    /* dh_p/dh_g/dh_Ys<1..2^16-1>, dh_Yc likewise. */
    REQUIRE(cbb_init(&cbb, 64));
    CHECK(codec_write_dhe_params(&cbb, buf, 0xffff, buf, 0xffff, buf, 0xffff));
    m = finish(&cbb, &mlen);
    REQUIRE(m != NULL);
    REQUIRE(cbb_init(&cbb, 64));
    CHECK(codec_write_server_key_exchange(&cbb, m, mlen, 0x0401, buf, 0xffff));
    free(m);
    m = finish(&cbb, &mlen);
    REQUIRE(m != NULL);
    REQUIRE(body_of(m, mlen, CODEC_HS_SERVER_KEY_EXCHANGE, &body));
    CHECK(codec_parse_server_key_exchange(&body, 1, &g_ske, &alert));
    CHECK(cbs_len(&g_ske.dh_p) == 0xffff && cbs_len(&g_ske.dh_ys) == 0xffff);
    CHECK(cbs_len(&g_ske.params) == 3 * (2 + 0xffff));
    free(m);
    REQUIRE(cbb_init(&cbb, 64));
    CHECK(codec_write_client_key_exchange(&cbb, 1, buf, 0xffff));
    m = finish(&cbb, &mlen);
    REQUIRE(m != NULL);
    REQUIRE(body_of(m, mlen, CODEC_HS_CLIENT_KEY_EXCHANGE, &body));
    CHECK(codec_parse_client_key_exchange(&body, 1, &g_pub, &alert) && cbs_len(&g_pub) == 0xffff);
    free(m);

    /* A ticket of 2^16-1 bytes. */
    REQUIRE(cbb_init(&cbb, 64));
    CHECK(codec_write_new_session_ticket12(&cbb, 1, buf, 0xffff));
    m = finish(&cbb, &mlen);
    REQUIRE(m != NULL);
    REQUIRE(body_of(m, mlen, CODEC_HS_NEW_SESSION_TICKET, &body));
    CHECK(codec_parse_new_session_ticket12(&body, &g_nst, &alert));
    CHECK(cbs_len(&g_nst.ticket) == 0xffff);
    free(m);

    /* CertificateRequest: sigalgs<2..2^16-2> (32767 of them); the CA list
     * <0..2^16-1> holds one name of 2^16-3 bytes, not of 2^16-2. */
    uint16_t *algs = malloc(32768 * sizeof(uint16_t));
    REQUIRE(algs != NULL);
    for (size_t i = 0; i < 32768; i++)
        algs[i] = (uint16_t)i;
    {
        const uint8_t *der = buf;
        size_t name_len = 0xffff - 2;
        REQUIRE(cbb_init(&cbb, 64));
        CHECK(codec_write_certificate_request12(&cbb, algs, 32767, &der, &name_len, 1));
        m = finish(&cbb, &mlen);
        REQUIRE(m != NULL);
        REQUIRE(body_of(m, mlen, CODEC_HS_CERTIFICATE_REQUEST, &body));
        CHECK(codec_parse_certificate_request12(&body, &g_cr, &alert));
        CHECK(cbs_len(&g_cr.sigalgs) == 0xfffe);
        CHECK(cbs_len(&g_cr.certificate_authorities) == 0xffff);
        free(m);
        REQUIRE(cbb_init(&cbb, 64));
        CHECK(!codec_write_certificate_request12(&cbb, algs, 32768, NULL, NULL, 0));
        name_len++;
        CHECK(!codec_write_certificate_request12(&cbb, algs, 1, &der, &name_len, 1));
        cbb_cleanup(&cbb);
        ERR_clear_error();
    }
    free(algs);

    /* Certificate: the message body is <= 2^24-1, so one certificate of
     * 2^24-7 bytes (list and entry prefixes) fits and one more byte not. */
    {
        const uint8_t *der = buf;
        size_t n = big - 7;
        REQUIRE(cbb_init(&cbb, 64));
        CHECK(codec_write_certificate12(&cbb, &der, &n, 1));
        m = finish(&cbb, &mlen);
        REQUIRE(m != NULL);
        REQUIRE(body_of(m, mlen, CODEC_HS_CERTIFICATE, &body));
        CHECK(codec_parse_certificate12(&body, &g_ct, &alert));
        CHECK(g_ct.num_certs == 1 && cbs_len(&g_ct.certificate_list) == big - 4);
        free(m);
        n++;
        REQUIRE(cbb_init(&cbb, 64));
        CHECK(!codec_write_certificate12(&cbb, &der, &n, 1));
        cbb_cleanup(&cbb);
        ERR_clear_error();
    }
    free(buf);
}

/* ---- every truncation, random mutation ---- */

struct sample {
    parse_fn parse;
    const char *hex;
};

static const struct sample kSamples[] = {
    {p_ske_ec, "03 0017 05 0411223344 0403 0004 30020100"},
    {p_ske_dh, "0003 fffffe 0001 02 0002 1234 0804 0002 eeee"},
    {p_cke_ec, "05 0411223344"},
    {p_cke_dh, "0003 112233"},
    {p_ct, "00000b 000002 3082 000003 010203"},
    {p_cr, "02 0140 0004 0403 0804 0009 0002 3000 0003 300101"},
    {p_nst, "00001c20 0004 deadbeef"},
};

/* Every strict prefix of a valid body is a decode_error. */
static void test_truncation(void)
{
    for (size_t s = 0; s < sizeof(kSamples) / sizeof(kSamples[0]); s++) {
        size_t len;
        uint8_t *b = unhex(kSamples[s].hex, &len);
        run_parse(kSamples[s].parse, b, len, OK, 0, __LINE__);
        for (size_t n = 0; n < len; n++)
            run_parse(kSamples[s].parse, b, n, DECODE, SSL_R_LENGTH_MISMATCH, __LINE__);
        /* And one byte more. */
        uint8_t *longer = malloc(len + 1);
        REQUIRE(longer != NULL);
        memcpy(longer, b, len);
        longer[len] = 0;
        run_parse(kSamples[s].parse, longer, len + 1, DECODE, SSL_R_LENGTH_MISMATCH, __LINE__);
        free(longer);
        free(b);
    }
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Random edits: whatever comes out, the parser answers with success (body
 * consumed) or one of its two alerts, and reads nothing outside the input
 * (exact-size copies, ASan). */
static void test_mutations(void)
{
    size_t bad = 0;
    for (size_t s = 0; s < sizeof(kSamples) / sizeof(kSamples[0]); s++) {
        size_t len;
        uint8_t *src = unhex(kSamples[s].hex, &len);
        for (int i = 0; i < 5000; i++) {
            uint8_t buf[128];
            size_t n = len;
            memcpy(buf, src, len);
            for (int e = 1 + (int)(rng() % 4); e > 0; e--) {
                switch (rng() % 4) {
                case 0:
                    buf[rng() % n] ^= (uint8_t)(1 + rng() % 255);
                    break;
                case 1:
                    buf[rng() % n] = (uint8_t[]){0, 1, 3, 0x7f, 0x80, 0xff}[rng() % 6];
                    break;
                case 2:
                    n = 1 + rng() % n;
                    break;
                default:
                    if (n < sizeof(buf)) {
                        size_t at = rng() % n;
                        memmove(buf + at + 1, buf + at, n - at);
                        buf[at] = (uint8_t)rng();
                        n++;
                    }
                }
            }
            uint8_t *exact = malloc(n);
            REQUIRE(exact != NULL);
            memcpy(exact, buf, n);
            CBS cbs;
            uint8_t alert = 0;
            cbs_init(&cbs, exact, n);
            int r = kSamples[s].parse(&cbs, &alert);
            if (r ? cbs_len(&cbs) != 0
                  : alert != CODEC_ALERT_DECODE_ERROR && alert != CODEC_ALERT_ILLEGAL_PARAMETER)
                bad++;
            ERR_clear_error();
            free(exact);
        }
        free(src);
    }
    CHECK(bad == 0);
}

TEST_MAIN({
    RUN(test_server_key_exchange_ecdhe);
    RUN(test_server_key_exchange_dhe);
    RUN(test_client_key_exchange);
    RUN(test_certificate12);
    RUN(test_certificate_request12);
    RUN(test_empty_and_ticket);
    RUN(test_malformed);
    RUN(test_max_sizes);
    RUN(test_truncation);
    RUN(test_mutations);
})

/* Cipher suites as OpenSSL 3.0 reports and configures them: the SSL_CIPHER
 * getters, the cipher-string language (against data/cipher_strings.txt,
 * generated from the system `openssl` by tools/gen-cipher-corpus.py),
 * SSL_get_ciphers and friends, SSL_get1_supported_ciphers,
 * SSL_bytes_to_cipher_list, and the DHE parameter settings.  Every expected
 * value here is what the system libssl (OpenSSL 3.0.19) answered for the
 * same calls. */
#include "internal.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>

#include "auth/dh_params.h"
#include "auth/policy.h"
#include "codec/cipher_suites.h"
#include "testutil.h"

/* ---- the getters ---- */

static const struct {
    uint16_t value;
    const char *name, *std_name;
    uint32_t id;
    int bits, alg_bits;
    const char *version;
    int kx_nid, auth_nid, cipher_nid, digest_nid, hs_digest_nid, aead;
    const char *description;
} k_getters[] = {
    {0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", 0x03001302, 256, 256, "TLSv1.3",
     NID_kx_any, NID_auth_any, NID_aes_256_gcm, NID_undef, NID_sha384, 1,
     "TLS_AES_256_GCM_SHA384         TLSv1.3 Kx=any      Au=any   Enc=AESGCM(256)            "
     "Mac=AEAD\n"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", 0x03001303, 256, 256,
     "TLSv1.3", NID_kx_any, NID_auth_any, NID_chacha20_poly1305, NID_undef, NID_sha256, 1,
     "TLS_CHACHA20_POLY1305_SHA256   TLSv1.3 Kx=any      Au=any   Enc=CHACHA20/POLY1305(256) "
     "Mac=AEAD\n"},
    {0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", 0x03001301, 128, 128, "TLSv1.3",
     NID_kx_any, NID_auth_any, NID_aes_128_gcm, NID_undef, NID_sha256, 1,
     "TLS_AES_128_GCM_SHA256         TLSv1.3 Kx=any      Au=any   Enc=AESGCM(128)            "
     "Mac=AEAD\n"},
    {0xc02c, "ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0x0300c02c,
     256, 256, "TLSv1.2", NID_kx_ecdhe, NID_auth_ecdsa, NID_aes_256_gcm, NID_undef, NID_sha384, 1,
     "ECDHE-ECDSA-AES256-GCM-SHA384  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESGCM(256)            "
     "Mac=AEAD\n"},
    {0xc030, "ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0x0300c030,
     256, 256, "TLSv1.2", NID_kx_ecdhe, NID_auth_rsa, NID_aes_256_gcm, NID_undef, NID_sha384, 1,
     "ECDHE-RSA-AES256-GCM-SHA384    TLSv1.2 Kx=ECDH     Au=RSA   Enc=AESGCM(256)            "
     "Mac=AEAD\n"},
    {0x009f, "DHE-RSA-AES256-GCM-SHA384", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", 0x0300009f, 256,
     256, "TLSv1.2", NID_kx_dhe, NID_auth_rsa, NID_aes_256_gcm, NID_undef, NID_sha384, 1,
     "DHE-RSA-AES256-GCM-SHA384      TLSv1.2 Kx=DH       Au=RSA   Enc=AESGCM(256)            "
     "Mac=AEAD\n"},
    {0xcca9, "ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
     0x0300cca9, 256, 256, "TLSv1.2", NID_kx_ecdhe, NID_auth_ecdsa, NID_chacha20_poly1305,
     NID_undef, NID_sha256, 1,
     "ECDHE-ECDSA-CHACHA20-POLY1305  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=CHACHA20/POLY1305(256) "
     "Mac=AEAD\n"},
    {0xcca8, "ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
     0x0300cca8, 256, 256, "TLSv1.2", NID_kx_ecdhe, NID_auth_rsa, NID_chacha20_poly1305, NID_undef,
     NID_sha256, 1,
     "ECDHE-RSA-CHACHA20-POLY1305    TLSv1.2 Kx=ECDH     Au=RSA   Enc=CHACHA20/POLY1305(256) "
     "Mac=AEAD\n"},
    {0xccaa, "DHE-RSA-CHACHA20-POLY1305", "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0x0300ccaa,
     256, 256, "TLSv1.2", NID_kx_dhe, NID_auth_rsa, NID_chacha20_poly1305, NID_undef, NID_sha256, 1,
     "DHE-RSA-CHACHA20-POLY1305      TLSv1.2 Kx=DH       Au=RSA   Enc=CHACHA20/POLY1305(256) "
     "Mac=AEAD\n"},
    {0xc02b, "ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0x0300c02b,
     128, 128, "TLSv1.2", NID_kx_ecdhe, NID_auth_ecdsa, NID_aes_128_gcm, NID_undef, NID_sha256, 1,
     "ECDHE-ECDSA-AES128-GCM-SHA256  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESGCM(128)            "
     "Mac=AEAD\n"},
    {0xc02f, "ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0x0300c02f,
     128, 128, "TLSv1.2", NID_kx_ecdhe, NID_auth_rsa, NID_aes_128_gcm, NID_undef, NID_sha256, 1,
     "ECDHE-RSA-AES128-GCM-SHA256    TLSv1.2 Kx=ECDH     Au=RSA   Enc=AESGCM(128)            "
     "Mac=AEAD\n"},
    {0x009e, "DHE-RSA-AES128-GCM-SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 0x0300009e, 128,
     128, "TLSv1.2", NID_kx_dhe, NID_auth_rsa, NID_aes_128_gcm, NID_undef, NID_sha256, 1,
     "DHE-RSA-AES128-GCM-SHA256      TLSv1.2 Kx=DH       Au=RSA   Enc=AESGCM(128)            "
     "Mac=AEAD\n"},
    {0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", 0x030000ff,
     0, 0, "unknown", NID_kx_any, NID_auth_any, NID_undef, NID_md5_sha1, NID_md5, 0,
     "TLS_EMPTY_RENEGOTIATION_INFO_SCSV unknown Kx=any      Au=any   Enc=unknown                "
     "Mac=unknown\n"},
    {0x5600, "TLS_FALLBACK_SCSV", "TLS_FALLBACK_SCSV", 0x03005600, 0, 0, "unknown", NID_kx_any,
     NID_auth_any, NID_undef, NID_md5_sha1, NID_md5, 0,
     "TLS_FALLBACK_SCSV              unknown Kx=any      Au=any   Enc=unknown                "
     "Mac=unknown\n"},
};

static void test_getters(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *s = SSL_new(ctx);
    REQUIRE(s != NULL);
    for (size_t i = 0; i < sizeof(k_getters) / sizeof(k_getters[0]); i++) {
        unsigned char v[2] = {(unsigned char)(k_getters[i].value >> 8),
                              (unsigned char)k_getters[i].value};
        const SSL_CIPHER *c = SSL_CIPHER_find(s, v);
        char buf[128], *d;
        int alg_bits = -1;
        if (!CHECK(c != NULL)) {
            fprintf(stderr, "  no suite 0x%04x\n", k_getters[i].value);
            continue;
        }
        CHECK(strcmp(SSL_CIPHER_get_name(c), k_getters[i].name) == 0);
        CHECK(strcmp(SSL_CIPHER_standard_name(c), k_getters[i].std_name) == 0);
        CHECK_EQ_INT(SSL_CIPHER_get_id(c), k_getters[i].id);
        CHECK_EQ_INT(SSL_CIPHER_get_protocol_id(c), k_getters[i].value);
        CHECK_EQ_INT(SSL_CIPHER_get_bits(c, &alg_bits), k_getters[i].bits);
        CHECK_EQ_INT(alg_bits, k_getters[i].alg_bits);
        CHECK_EQ_INT(SSL_CIPHER_get_bits(c, NULL), k_getters[i].bits);
        CHECK(strcmp(SSL_CIPHER_get_version(c), k_getters[i].version) == 0);
        CHECK_EQ_INT(SSL_CIPHER_get_kx_nid(c), k_getters[i].kx_nid);
        CHECK_EQ_INT(SSL_CIPHER_get_auth_nid(c), k_getters[i].auth_nid);
        CHECK_EQ_INT(SSL_CIPHER_get_cipher_nid(c), k_getters[i].cipher_nid);
        CHECK_EQ_INT(SSL_CIPHER_get_digest_nid(c), k_getters[i].digest_nid);
        /* OpenSSL's EVP_get_digestbynid object, e.g. EVP_sha256() itself */
        CHECK(SSL_CIPHER_get_handshake_digest(c) ==
              EVP_get_digestbynid(k_getters[i].hs_digest_nid));
        CHECK(SSL_CIPHER_get_handshake_digest(c) != NULL);
        CHECK_EQ_INT(SSL_CIPHER_is_aead(c), k_getters[i].aead);
        d = SSL_CIPHER_description(c, buf, sizeof(buf));
        CHECK(d == buf && strcmp(buf, k_getters[i].description) == 0);
        d = SSL_CIPHER_description(c, NULL, 0); /* allocated, 128 bytes */
        CHECK(d != NULL && strcmp(d, k_getters[i].description) == 0);
        OPENSSL_free(d);
        CHECK(SSL_CIPHER_description(c, buf, 127) == NULL);
        /* the IANA name maps back to OpenSSL's */
        CHECK(strcmp(OPENSSL_cipher_name(k_getters[i].std_name), k_getters[i].name) == 0);
        /* suites are found by value, SCSVs only by SSL_CIPHER_find */
        CHECK((suite_by_value(k_getters[i].value) == c) == (k_getters[i].aead == 1));
    }
    CHECK(SSL_CIPHER_get_handshake_digest(suite_by_value(0xc02f)) == EVP_sha256());
    CHECK(SSL_CIPHER_get_handshake_digest(suite_by_value(0x009f)) == EVP_sha384());
    /* TLS 1.2 record IVs: GCM's 4-byte salt (RFC 5288), ChaCha's 12 (RFC 7905) */
    CHECK_EQ_INT(suite_by_value(0x009e)->iv_len, 4);
    CHECK_EQ_INT(suite_by_value(0x009f)->iv_len, 4);
    CHECK_EQ_INT(suite_by_value(0xccaa)->iv_len, 12);
    CHECK_EQ_INT(suite_by_value(0x009f)->key_len, 32);
    CHECK_EQ_INT(suite_by_value(0x009e)->key_len, 16);
    CHECK_EQ_INT(suite_by_value(0xccaa)->md_nid, NID_sha256);
    CHECK_EQ_INT(suite_by_value(0x009f)->md_nid, NID_sha384);

    /* unknown values; names */
    static const unsigned char grease[2] = {0x0a, 0x0a}, none[2] = {0, 0};
    CHECK(SSL_CIPHER_find(s, grease) == NULL);
    CHECK(SSL_CIPHER_find(s, none) == NULL);
    CHECK(strcmp(OPENSSL_cipher_name("bogus"), "(NONE)") == 0);
    CHECK(strcmp(OPENSSL_cipher_name(NULL), "(NONE)") == 0);
    CHECK(strcmp(SSL_CIPHER_get_name(NULL), "(NONE)") == 0);
    CHECK(strcmp(SSL_CIPHER_standard_name(NULL), "(NONE)") == 0);
    CHECK(strcmp(SSL_CIPHER_get_version(NULL), "(NONE)") == 0);
    CHECK_EQ_INT(SSL_CIPHER_get_bits(NULL, NULL), 0);
    CHECK_EQ_INT(SSL_CIPHER_get_cipher_nid(NULL), NID_undef);
    /* what OpenSSL 3.0 returns as its defaults */
    CHECK(strcmp(OSSL_default_cipher_list(), "ALL:!COMPLEMENTOFDEFAULT:!eNULL") == 0);
    CHECK(strcmp(OSSL_default_ciphersuites(),
                 "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256") ==
          0);
    SSL_free(s);
    SSL_CTX_free(ctx);
}

/* ---- the cipher-string corpus ---- */

/* names: the OpenSSL names of a TLS 1.2 list joined by ':' */
static void names(const SSL_CIPHER *const *list, size_t n, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? ":" : "", list[i]->name);
}

/* stack_names: the TLS 1.2 suites of a stack, as names(); "-" for NULL. */
static void stack_names(STACK_OF(SSL_CIPHER) * sk, char *out, size_t cap)
{
    const SSL_CIPHER *list[32];
    size_t n = 0;
    if (sk == NULL) {
        snprintf(out, cap, "-");
        return;
    }
    for (int i = 0; i < sk_SSL_CIPHER_num(sk) && n < 32; i++)
        if (!suite_is_tls13(sk_SSL_CIPHER_value(sk, i)))
            list[n++] = sk_SSL_CIPHER_value(sk, i);
    names(list, n, out, cap);
}

static int reason_of(const char *marker)
{
    if (strcmp(marker, "!INVALID_COMMAND") == 0)
        return SSL_R_INVALID_COMMAND;
    if (strcmp(marker, "!NO_CIPHER_MATCH") == 0)
        return SSL_R_NO_CIPHER_MATCH;
    if (strcmp(marker, "!AT_LEAST_TLS_1.2_NEEDED_IN_SUITEB_MODE") == 0)
        return SSL_R_AT_LEAST_TLS_1_2_NEEDED_IN_SUITEB_MODE;
    return -1;
}

/* check_string: one corpus line, through the parser and through the API
 * of a TLS 1.2-only context. */
static int check_string(const char *str, const char *conf, const char *sup)
{
    const SSL_CIPHER *list[SUITES12_MAX];
    size_t n = 0;
    struct suites12_state st = {2, 0, 1};
    char got[2048];
    int ok = 1, r;

    ERR_clear_error();
    r = suites_parse_tls12(str, list, SUITES12_MAX, &n, &st);
    if (conf[0] == '!') {
        int want = reason_of(conf);
        ok &= CHECK(want > 0);
        ok &= CHECK(r == (want == SSL_R_NO_CIPHER_MATCH ? -1 : 0));
        ok &= CHECK(ERR_GET_REASON(ERR_peek_last_error()) == want);
    } else {
        names(list, n, got, sizeof(got));
        ok &= CHECK(r == 1);
        ok &= CHECK(strcmp(got, conf) == 0);
    }

    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *s = NULL;
    ok &= CHECK(SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
                SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) == 1);
    ERR_clear_error();
    r = SSL_CTX_set_cipher_list(ctx, str);
    if (conf[0] == '!') {
        ok &= CHECK(r == 0);
        ok &= CHECK(ERR_GET_REASON(ERR_peek_last_error()) == reason_of(conf));
    } else {
        ok &= CHECK(r == 1);
        stack_names(SSL_CTX_get_ciphers(ctx), got, sizeof(got));
        ok &= CHECK(strcmp(got, conf) == 0);
        /* the TLS 1.3 suites stay first */
        ok &= CHECK(sk_SSL_CIPHER_num(SSL_CTX_get_ciphers(ctx)) == 3 + (int)n &&
                    suite_is_tls13(sk_SSL_CIPHER_value(SSL_CTX_get_ciphers(ctx), 2)));
        s = SSL_new(ctx);
        ok &= CHECK(s != NULL);
        STACK_OF(SSL_CIPHER) *sk = SSL_get1_supported_ciphers(s);
        stack_names(sk, got, sizeof(got));
        ok &= CHECK(strcmp(got, sup[0] == '\0' ? "-" : sup) == 0);
        sk_SSL_CIPHER_free(sk);
    }
    SSL_free(s);
    SSL_CTX_free(ctx);
    if (!ok)
        fprintf(stderr, "  for cipher string \"%s\" (expected %s / %s, got %s)\n", str, conf, sup,
                got);
    return ok;
}

static FILE *open_data(const char *name)
{
    char path[1024];
    FILE *f = fopen(name, "r");
    const char *src = getenv("SRC_DIR");
    if (f == NULL && src != NULL) {
        snprintf(path, sizeof(path), "%s/tests/unit/%s", src, name);
        f = fopen(path, "r");
    }
    return f;
}

static void test_corpus(void)
{
    FILE *f = open_data("data/cipher_strings.txt");
    char line[8192];
    int lines = 0, failed = 0;
    REQUIRE(f != NULL);
    while (fgets(line, sizeof(line), f) != NULL) {
        char *t1, *t2;
        size_t l = strlen(line);
        if (line[0] == '#')
            continue;
        REQUIRE(l > 0 && line[l - 1] == '\n');
        line[l - 1] = '\0';
        t1 = strchr(line, '\t');
        REQUIRE(t1 != NULL);
        *t1++ = '\0';
        t2 = strchr(t1, '\t');
        REQUIRE(t2 != NULL);
        *t2++ = '\0';
        lines++;
        failed += !check_string(line, t1, t2);
    }
    fclose(f);
    fprintf(stderr, "  %d cipher strings, %d differ from OpenSSL\n", lines, failed);
    CHECK(lines >= 200);
}

/* ---- SSL_CTX_set_cipher_list semantics beyond the order ---- */

static void test_cipher_list_semantics(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *s;
    REQUIRE(ctx != NULL);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(SSL_CTX_get_ciphers(ctx)), 12);

    /* malformed: the list stays */
    CHECK(SSL_CTX_set_cipher_list(ctx, "ECDHE-RSA-AES128-GCM-SHA256") == 1);
    CHECK(SSL_CTX_set_cipher_list(ctx, "ALL:#x") == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_INVALID_COMMAND);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(SSL_CTX_get_ciphers(ctx)), 4);
    /* nothing of ours: OpenSSL has replaced the TLS 1.2 list by an empty one */
    CHECK(SSL_CTX_set_cipher_list(ctx, "foo") == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_NO_CIPHER_MATCH);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(SSL_CTX_get_ciphers(ctx)), 3);
    CHECK_EQ_INT(ctx->cfg.sh->num_suites12, 0);
    /* NULL: 0 with nothing queued, list unchanged */
    CHECK(SSL_CTX_set_cipher_list(ctx, NULL) == 0);
    CHECK(ERR_peek_error() == 0);

    /* @SECLEVEL stays even when the string then fails */
    CHECK(SSL_CTX_set_cipher_list(ctx, "ECDHE-RSA-AES128-GCM-SHA256") == 1);
    CHECK(SSL_CTX_set_cipher_list(ctx, "@SECLEVEL=1:ALL:@FOO") == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_INVALID_COMMAND);
    CHECK_EQ_INT(SSL_CTX_get_security_level(ctx), 1);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(SSL_CTX_get_ciphers(ctx)), 4);
    CHECK(SSL_CTX_set_cipher_list(ctx, "@SECLEVEL=3:foo") == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_NO_CIPHER_MATCH);
    CHECK_EQ_INT(SSL_CTX_get_security_level(ctx), 3);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(SSL_CTX_get_ciphers(ctx)), 3);
    CHECK(SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0") == 1);
    CHECK_EQ_INT(SSL_CTX_get_security_level(ctx), 0);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(SSL_CTX_get_ciphers(ctx)), 12);

    /* an SSL copies the list at SSL_new and then has its own */
    s = SSL_new(ctx);
    REQUIRE(s != NULL);
    CHECK(SSL_set_cipher_list(s, "DHE") == 1);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(SSL_get_ciphers(s)), 6);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(SSL_CTX_get_ciphers(ctx)), 12);
    CHECK(SSL_CTX_set_cipher_list(ctx, "ECDSA") == 1);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(SSL_get_ciphers(s)), 6);
    CHECK(SSL_set_cipher_list(s, "foo") == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_NO_CIPHER_MATCH);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(SSL_get_ciphers(s)), 3);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(SSL_CTX_get_ciphers(ctx)), 6);
    SSL_free(s);

    /* Suite B: the flags stay and rewrite every later string */
    CHECK(SSL_CTX_set_cipher_list(ctx, "SUITEB128") == 1);
    CHECK_EQ_INT(ctx->cfg.suiteb_flags, SSL_CERT_FLAG_SUITEB_128_LOS);
    CHECK(SSL_CTX_set_cipher_list(ctx, "ALL") == 1);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(SSL_CTX_get_ciphers(ctx)), 5);
    CHECK(SSL_CTX_set_cipher_list(ctx, "SUITEB192") == 1);
    CHECK_EQ_INT(ctx->cfg.suiteb_flags, SSL_CERT_FLAG_SUITEB_192_LOS);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(SSL_CTX_get_ciphers(ctx)), 4);
    s = SSL_new(ctx); /* an SSL inherits the mode */
    REQUIRE(s != NULL);
    CHECK(SSL_set_cipher_list(s, "DHE") == 1);
    CHECK_EQ_INT(SSL_get_cipher_list(s, 3)[0], 'E');
    CHECK(strcmp(SSL_get_cipher_list(s, 3), "ECDHE-ECDSA-AES256-GCM-SHA384") == 0);
    SSL_free(s);
    SSL_CTX_free(ctx);

    /* Suite B needs a method that can speak TLS 1.2; the failure is sticky */
    ctx = SSL_CTX_new(TLSv1_1_method());
    REQUIRE(ctx != NULL);
    CHECK(SSL_CTX_set_cipher_list(ctx, "SUITEB128") == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_AT_LEAST_TLS_1_2_NEEDED_IN_SUITEB_MODE);
    CHECK(SSL_CTX_set_cipher_list(ctx, "ALL") == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_AT_LEAST_TLS_1_2_NEEDED_IN_SUITEB_MODE);
    SSL_CTX_free(ctx);
    ERR_clear_error();
}

/* ---- SSL_get_ciphers, SSL_get_cipher_list, the cached stack ---- */

static void test_get_ciphers(void)
{
    /* from the system libssl: -ciphersuites TLS_AES_128_GCM_SHA256 'DHE:ECDHE' */
    static const uint16_t want[] = {0x1301, 0x009f, 0xccaa, 0x009e, 0xc02c,
                                    0xc030, 0xcca9, 0xcca8, 0xc02b, 0xc02f};
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *s;
    STACK_OF(SSL_CIPHER) * sk;
    REQUIRE(ctx != NULL);
    CHECK(SSL_CTX_get_ciphers(NULL) == NULL);
    CHECK(SSL_get_ciphers(NULL) == NULL);
    CHECK(SSL_get_cipher_list(NULL, 0) == NULL);

    /* the default: TLS 1.3 then OpenSSL's DEFAULT order */
    static const uint16_t def[] = {0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f,
                                   0xcca9, 0xcca8, 0xccaa, 0xc02b, 0xc02f, 0x009e};
    sk = SSL_CTX_get_ciphers(ctx);
    REQUIRE(sk_SSL_CIPHER_num(sk) == 12);
    for (int i = 0; i < 12; i++)
        CHECK_EQ_INT(SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(sk, i)), def[i]);

    CHECK(SSL_CTX_set_cipher_list(ctx, "DHE:ECDHE") == 1);
    CHECK(SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256") == 1);
    sk = SSL_CTX_get_ciphers(ctx);
    CHECK(sk == SSL_CTX_get_ciphers(ctx)); /* one cached stack */
    REQUIRE(sk_SSL_CIPHER_num(sk) == 10);
    for (int i = 0; i < 10; i++)
        CHECK_EQ_INT(SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(sk, i)), want[i]);

    s = SSL_new(ctx);
    REQUIRE(s != NULL);
    sk = SSL_get_ciphers(s);
    /* the same list (shared with the context until either changes it) */
    CHECK(sk == SSL_get_ciphers(s));
    REQUIRE(sk_SSL_CIPHER_num(sk) == 10);
    for (int i = 0; i < 10; i++) {
        CHECK_EQ_INT(SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(sk, i)), want[i]);
        CHECK(strcmp(SSL_get_cipher_list(s, i), SSL_CIPHER_get_name(sk_SSL_CIPHER_value(sk, i))) ==
              0);
    }
    CHECK(SSL_get_cipher_list(s, 10) == NULL);
    CHECK(SSL_get_cipher_list(s, -1) == NULL);
    /* TLS 1.3 changes keep the TLS 1.2 part, and the other way round */
    CHECK(SSL_set_ciphersuites(s, "") == 1);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(SSL_get_ciphers(s)), 9);
    CHECK(strcmp(SSL_get_cipher_list(s, 0), "DHE-RSA-AES256-GCM-SHA384") == 0);
    CHECK(SSL_set_cipher_list(s, "CHACHA20") == 1);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(SSL_get_ciphers(s)), 3);
    CHECK(SSL_set_ciphersuites(s, "TLS_AES_256_GCM_SHA384") == 1);
    CHECK(strcmp(SSL_get_cipher_list(s, 0), "TLS_AES_256_GCM_SHA384") == 0);
    CHECK(strcmp(SSL_get_cipher_list(s, 1), "ECDHE-ECDSA-CHACHA20-POLY1305") == 0);
    /* an empty TLS 1.2 list and no TLS 1.3 suites: an empty stack, nothing supported */
    CHECK(SSL_set_cipher_list(s, "foo") == 0);
    CHECK(SSL_set_ciphersuites(s, "") == 1);
    CHECK(SSL_get_ciphers(s) != NULL && sk_SSL_CIPHER_num(SSL_get_ciphers(s)) == 0);
    CHECK(SSL_get1_supported_ciphers(s) == NULL);
    /* the context's list is its own all along */
    CHECK(SSL_get_ciphers(s) != SSL_CTX_get_ciphers(ctx));
    CHECK_EQ_INT(sk_SSL_CIPHER_num(SSL_CTX_get_ciphers(ctx)), 10);
    SSL_free(s);
    SSL_CTX_free(ctx);
    ERR_clear_error();
}

/* ---- SSL_get1_supported_ciphers ---- */

enum cfg_kind { K_NONE, K_MAX, K_MIN, K_OPTS, K_LEVEL, K_SIGALGS, K_CIPHERS };

/* Expected lists (our suites, in order) from the system libssl for the same
 * configurations; "-" is NULL.  OpenSSL's own lists also hold suites we do
 * not implement; where only those are left (TLS 1.0/1.1 ranges) we return
 * NULL. */
static const struct {
    const char *what;
    int method; /* 0 TLS_method, 12 TLSv1_2_method, 11 TLSv1_1_method */
    long level; /* -9: leave */
    long min, max;
    uint64_t opts;
    const char *sigalgs, *ciphers, *ciphersuites;
    const char *want;
} k_supported[] = {
    {"default", 0, -9, 0, 0, 0, NULL, NULL, NULL,
     "1302 1303 1301 c02c c030 009f cca9 cca8 ccaa c02b c02f 009e"},
    {"max 1.2", 0, -9, 0, TLS1_2_VERSION, 0, NULL, NULL, NULL,
     "c02c c030 009f cca9 cca8 ccaa c02b c02f 009e"},
    {"min 1.3", 0, -9, TLS1_3_VERSION, 0, 0, NULL, NULL, NULL, "1302 1303 1301"},
    {"no 1.3", 0, -9, 0, 0, SSL_OP_NO_TLSv1_3, NULL, NULL, NULL,
     "c02c c030 009f cca9 cca8 ccaa c02b c02f 009e"},
    {"no 1.2: TLS 1.0-1.1 remain", 0, -9, 0, 0, SSL_OP_NO_TLSv1_2, NULL, NULL, NULL, "-"},
    {"no 1.2 1.1 1.0", 0, 0, 0, 0, SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_TLSv1, NULL,
     NULL, NULL, "1302 1303 1301"},
    {"max 1.1", 0, -9, 0, TLS1_1_VERSION, 0, NULL, NULL, NULL, "-"},
    {"TLSv1_2_method", 12, -9, 0, 0, 0, NULL, NULL, NULL,
     "c02c c030 009f cca9 cca8 ccaa c02b c02f 009e"},
    {"TLSv1_2_method ignores NO_TLSv1_2", 12, -9, 0, 0, SSL_OP_NO_TLSv1_2, NULL, NULL, NULL,
     "c02c c030 009f cca9 cca8 ccaa c02b c02f 009e"},
    {"TLSv1_1_method", 11, -9, 0, 0, 0, NULL, NULL, NULL, "-"},
    {"level 3", 0, 3, 0, 0, 0, NULL, NULL, NULL,
     "1302 1303 1301 c02c c030 009f cca9 cca8 ccaa c02b c02f 009e"},
    {"level 4", 0, 4, 0, 0, 0, NULL, NULL, NULL, "1302 1303 c02c c030 009f cca9 cca8 ccaa"},
    {"level 5", 0, 5, 0, 0, 0, NULL, NULL, NULL, "1302 1303 c02c c030 009f cca9 cca8 ccaa"},
    {"level 9 is 5", 0, 9, 0, 0, 0, NULL, NULL, NULL, "1302 1303 c02c c030 009f cca9 cca8 ccaa"},
    {"level -1 is 0", 0, -1, 0, 0, 0, NULL, NULL, NULL,
     "1302 1303 1301 c02c c030 009f cca9 cca8 ccaa c02b c02f 009e"},
    {"RSA sigalgs only", 0, -9, 0, 0, 0, "RSA+SHA256", NULL, NULL,
     "1302 1303 1301 c030 009f cca8 ccaa c02f 009e"},
    {"ECDSA sigalgs only", 0, -9, 0, 0, 0, "ECDSA+SHA256", NULL, NULL,
     "1302 1303 1301 c02c cca9 c02b"},
    {"ed25519 counts as ECDSA", 0, -9, 0, 0, 0, "ed25519", NULL, NULL,
     "1302 1303 1301 c02c cca9 c02b"},
    {"RSA-PSS counts as RSA", 0, -9, 0, 0, 0, "rsa_pss_pss_sha256", NULL, NULL,
     "1302 1303 1301 c030 009f cca8 ccaa c02f 009e"},
    {"level 4, SHA-256 RSA too weak", 0, 4, 0, 0, 0, "RSA+SHA256:ECDSA+SHA384", NULL, NULL,
     "1302 1303 c02c cca9"},
    {"level 5, ed448 and SHA-384 too weak", 0, 5, 0, 0, 0, "ed448:RSA+SHA384", NULL, NULL,
     "1302 1303"},
    {"level 4, ed448 and SHA-384 enough", 0, 4, 0, 0, 0, "ed448:RSA+SHA384", NULL, NULL,
     "1302 1303 c02c c030 009f cca9 cca8 ccaa"},
    {"Suite B", 0, -9, 0, 0, 0, NULL, "SUITEB128", NULL, "1302 1303 1301 c02b c02c"},
    {"Suite B leaves no TLS 1.0-1.1", 0, 0, 0, 0, SSL_OP_NO_TLSv1_2, NULL, "SUITEB128", NULL,
     "1302 1303 1301"},
    {"DHE only, no TLS 1.3 suites", 0, -9, 0, 0, 0, NULL, "DHE", "", "009f ccaa 009e"},
    {"a failed cipher list", 0, -9, 0, 0, 0, NULL, "foo", NULL, "1302 1303 1301"},
    {"nothing", 0, -9, 0, 0, 0, NULL, "foo", "", "-"},
};

static void test_supported(void)
{
    for (size_t i = 0; i < sizeof(k_supported) / sizeof(k_supported[0]); i++) {
        const SSL_METHOD *m = k_supported[i].method == 12   ? TLSv1_2_method()
                              : k_supported[i].method == 11 ? TLSv1_1_method()
                                                            : TLS_method();
        SSL_CTX *ctx = SSL_CTX_new(m);
        SSL *s;
        char got[256] = "";
        size_t used = 0;
        REQUIRE(ctx != NULL);
        if (k_supported[i].min)
            CHECK(SSL_CTX_set_min_proto_version(ctx, k_supported[i].min) == 1);
        if (k_supported[i].max)
            CHECK(SSL_CTX_set_max_proto_version(ctx, k_supported[i].max) == 1);
        SSL_CTX_set_options(ctx, k_supported[i].opts);
        if (k_supported[i].sigalgs)
            CHECK(SSL_CTX_set1_sigalgs_list(ctx, k_supported[i].sigalgs) == 1);
        if (k_supported[i].ciphers)
            (void)SSL_CTX_set_cipher_list(ctx, k_supported[i].ciphers);
        if (k_supported[i].ciphersuites)
            CHECK(SSL_CTX_set_ciphersuites(ctx, k_supported[i].ciphersuites) == 1);
        if (k_supported[i].level != -9)
            SSL_CTX_set_security_level(ctx, (int)k_supported[i].level);
        s = SSL_new(ctx);
        REQUIRE(s != NULL);
        STACK_OF(SSL_CIPHER) *sk = SSL_get1_supported_ciphers(s);
        if (sk == NULL)
            snprintf(got, sizeof(got), "-");
        for (int j = 0; sk != NULL && j < sk_SSL_CIPHER_num(sk); j++)
            used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%04x", j ? " " : "",
                                     SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(sk, j)));
        if (!CHECK(strcmp(got, k_supported[i].want) == 0))
            fprintf(stderr, "  %s: got %s, want %s\n", k_supported[i].what, got,
                    k_supported[i].want);
        sk_SSL_CIPHER_free(sk);
        SSL_free(s);
        SSL_CTX_free(ctx);
    }
    CHECK(SSL_get1_supported_ciphers(NULL) == NULL);
    ERR_clear_error();

    /* the filter the handshake uses */
    const SSL_CIPHER *dhe = suite_by_value(0x009e), *t13 = suite_by_value(0x1301);
    CHECK(!suite_disabled(dhe, TLS1_2_VERSION, TLS1_3_VERSION, 2, 0, 0));
    CHECK(suite_disabled(dhe, TLS1_2_VERSION, TLS1_3_VERSION, 2, SUITE_KX_DHE, 0));
    CHECK(suite_disabled(dhe, TLS1_2_VERSION, TLS1_3_VERSION, 2, 0, SUITE_AUTH_RSA));
    CHECK(
        !suite_disabled(dhe, TLS1_2_VERSION, TLS1_3_VERSION, 2, SUITE_KX_ECDHE, SUITE_AUTH_ECDSA));
    CHECK(suite_disabled(dhe, TLS1_3_VERSION, TLS1_3_VERSION, 2, 0, 0));
    CHECK(suite_disabled(dhe, TLS1_2_VERSION, TLS1_3_VERSION, 4, 0, 0));
    CHECK(suite_disabled(dhe, 0, 0, 0, 0, 0));
    CHECK(!suite_disabled(t13, TLS1_2_VERSION, TLS1_3_VERSION, 3, 3, 3));
    CHECK(suite_disabled(t13, TLS1_2_VERSION, TLS1_2_VERSION, 0, 0, 0));
    CHECK(suite_disabled(suite_or_scsv_by_value(0x00ff), TLS1_2_VERSION, TLS1_3_VERSION, 0, 0, 0));
}

/* ---- SSL_bytes_to_cipher_list ---- */

static void test_bytes_to_cipher_list(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *s = SSL_new(ctx);
    STACK_OF(SSL_CIPHER) *sk = NULL, *scsvs = NULL;
    static const unsigned char in[] = {0xc0, 0x2f, 0x00, 0xff, 0x56, 0x00, 0x13,
                                       0x01, 0x0a, 0x0a, 0xcc, 0xaa, 0x00, 0x9e};
    static const unsigned char v2[] = {0x00, 0xc0, 0x2f, 0x01, 0x00, 0x80,
                                       0x00, 0x00, 0xff, 0x00, 0x13, 0x02};
    REQUIRE(s != NULL);

    CHECK(SSL_bytes_to_cipher_list(s, in, sizeof(in), 0, &sk, &scsvs) == 1);
    REQUIRE(sk != NULL && scsvs != NULL);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(sk), 4);
    CHECK_EQ_INT(SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(sk, 0)), 0xc02f);
    CHECK_EQ_INT(SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(sk, 1)), 0x1301);
    CHECK_EQ_INT(SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(sk, 2)), 0xccaa);
    CHECK_EQ_INT(SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(sk, 3)), 0x009e);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(scsvs), 2);
    CHECK(strcmp(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(scsvs, 0)),
                 "TLS_EMPTY_RENEGOTIATION_INFO_SCSV") == 0);
    CHECK(strcmp(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(scsvs, 1)), "TLS_FALLBACK_SCSV") == 0);
    sk_SSL_CIPHER_free(sk);
    sk_SSL_CIPHER_free(scsvs);

    /* SSLv2 format: 3 bytes each, true SSLv2 suites (first byte set) skipped */
    CHECK(SSL_bytes_to_cipher_list(s, v2, sizeof(v2), 1, &sk, &scsvs) == 1);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(sk), 2);
    CHECK_EQ_INT(SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(sk, 0)), 0xc02f);
    CHECK_EQ_INT(SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(sk, 1)), 0x1302);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(scsvs), 1);
    sk_SSL_CIPHER_free(sk);
    sk_SSL_CIPHER_free(scsvs);

    /* unknown only: two empty stacks; NULL outputs are allowed */
    CHECK(SSL_bytes_to_cipher_list(s, in + 8, 2, 0, &sk, &scsvs) == 1);
    CHECK(sk_SSL_CIPHER_num(sk) == 0 && sk_SSL_CIPHER_num(scsvs) == 0);
    sk_SSL_CIPHER_free(sk);
    sk_SSL_CIPHER_free(scsvs);
    CHECK(SSL_bytes_to_cipher_list(s, in, 2, 0, NULL, NULL) == 1);

    ERR_clear_error();
    CHECK(SSL_bytes_to_cipher_list(s, in, 0, 0, &sk, &scsvs) == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_NO_CIPHERS_SPECIFIED);
    CHECK(SSL_bytes_to_cipher_list(s, in, 3, 0, &sk, &scsvs) == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_ERROR_IN_RECEIVED_CIPHER_LIST);
    CHECK(SSL_bytes_to_cipher_list(s, in, 4, 1, &sk, &scsvs) == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_ERROR_IN_RECEIVED_CIPHER_LIST);
    SSL_free(s);
    SSL_CTX_free(ctx);
}

/* ---- DHE parameters ---- */

static int g_cb_calls, g_cb_export, g_cb_keylen;
static DH *g_cb_dh;
static DH *dh_cb(SSL *s, int is_export, int keylength)
{
    (void)s;
    g_cb_calls++;
    g_cb_export = is_export;
    g_cb_keylen = keylength;
    return g_cb_dh;
}

/* group_of: the libcrypto name of a DH key's group ("modp_2048"), or its
 * size in bits for an unnamed one ("1024"). */
static const char *group_of(EVP_PKEY *k, char *buf, size_t cap)
{
    size_t len;
    if (k == NULL)
        return "(none)";
    ERR_set_mark();
    if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, buf, cap, &len))
        snprintf(buf, cap, "%d", EVP_PKEY_get_bits(k));
    ERR_pop_to_mark();
    return buf;
}

static EVP_PKEY *ffdhe(const char *name)
{
    EVP_PKEY *k = NULL;
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    OSSL_PARAM p[] = {OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)name, 0),
                      OSSL_PARAM_END};
    if (pc == NULL || EVP_PKEY_paramgen_init(pc) != 1 || EVP_PKEY_CTX_set_params(pc, p) != 1 ||
        EVP_PKEY_paramgen(pc, &k) != 1)
        k = NULL;
    EVP_PKEY_CTX_free(pc);
    return k;
}

static void test_dh_auto(void)
{
    /* what the system libssl's server sent (SSL_get_peer_tmp_key) with
     * dh_auto 1 and an RSA certificate of these security bits, or with
     * dh_auto 2, at these security levels */
    static const struct {
        long mode;
        int secbits, level;
        const char *group;
    } k_cases[] = {
        {1, 80, 0, "1024"},       {1, 80, 1, "1024"},       {1, 112, 0, "modp_2048"},
        {1, 112, 2, "modp_2048"}, {1, 128, 0, "modp_3072"}, {1, 128, 3, "modp_3072"},
        {1, 152, 2, "modp_4096"}, {1, 192, 2, "modp_8192"}, {1, 200, 0, "modp_8192"},
        {1, 112, 3, "modp_3072"}, {1, 80, 2, "modp_2048"},  {5, 112, 2, "modp_2048"},
        {2, 200, 0, "1024"},      {2, 200, 1, "1024"},      {2, 0, 2, "modp_2048"},
        {2, 152, 3, "modp_3072"}, {2, 0, 4, "modp_8192"},   {2, 0, 5, "modp_8192"},
    };
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    char buf[64];
    REQUIRE(ctx != NULL);
    CHECK(!ssl_dhe_possible(&ctx->cfg));
    CHECK(ssl_dh_params_for(&ctx->cfg, 112, NULL) == NULL);
    for (size_t i = 0; i < sizeof(k_cases) / sizeof(k_cases[0]); i++) {
        CHECK_EQ_INT(SSL_CTX_set_dh_auto(ctx, k_cases[i].mode), 1);
        SSL_CTX_set_security_level(ctx, k_cases[i].level);
        CHECK(ssl_dhe_possible(&ctx->cfg));
        EVP_PKEY *k = ssl_dh_params_for(&ctx->cfg, k_cases[i].secbits, NULL);
        if (!CHECK(k != NULL && strcmp(group_of(k, buf, sizeof(buf)), k_cases[i].group) == 0))
            fprintf(stderr, "  dh_auto %ld, %d bits, level %d: %s, want %s\n", k_cases[i].mode,
                    k_cases[i].secbits, k_cases[i].level, group_of(k, buf, sizeof(buf)),
                    k_cases[i].group);
        EVP_PKEY_free(k);
    }
    /* the same cached parameters each time; g = 2, RFC 2409's 1024-bit prime */
    SSL_CTX_set_dh_auto(ctx, 2);
    SSL_CTX_set_security_level(ctx, 0);
    EVP_PKEY *a = ssl_dh_params_for(&ctx->cfg, 0, NULL), *b = ssl_dh_params_for(&ctx->cfg, 0, NULL);
    BIGNUM *p = NULL, *g = NULL, *want = BN_get_rfc2409_prime_1024(NULL);
    CHECK(a != NULL && a == b);
    CHECK(EVP_PKEY_get_bn_param(a, OSSL_PKEY_PARAM_FFC_P, &p) == 1 && BN_cmp(p, want) == 0);
    CHECK(EVP_PKEY_get_bn_param(a, OSSL_PKEY_PARAM_FFC_G, &g) == 1 && BN_is_word(g, 2));
    BN_free(p);
    BN_free(g);
    BN_free(want);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
    /* off again */
    SSL_CTX_set_dh_auto(ctx, 0);
    CHECK(!ssl_dhe_possible(&ctx->cfg));
    SSL_CTX_free(ctx);
}

static void test_dh_params(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *s;
    EVP_PKEY *k2048 = ffdhe("ffdhe2048"), *k3072 = ffdhe("ffdhe3072"), *got;
    DH *d1024 = DH_get_1024_160(), *d2048 = DH_get_2048_256();
    char buf[64];
    REQUIRE(ctx != NULL && k2048 != NULL && k3072 != NULL && d1024 != NULL && d2048 != NULL);

    /* the security level decides what may be set (80 bits even at level 0) */
    ERR_clear_error();
    CHECK(SSL_CTX_set0_tmp_dh_pkey(ctx, NULL) == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_DH_KEY_TOO_SMALL);
    CHECK(SSL_CTX_set_tmp_dh(ctx, d1024) == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_DH_KEY_TOO_SMALL);
    CHECK(!ssl_dhe_possible(&ctx->cfg));
    SSL_CTX_set_security_level(ctx, 1);
    CHECK(SSL_CTX_set_tmp_dh(ctx, d1024) == 1); /* the DH stays ours */
    CHECK(ssl_dhe_possible(&ctx->cfg));
    got = ssl_dh_params_for(&ctx->cfg, 112, NULL);
    CHECK(got != NULL && EVP_PKEY_get_bits(got) == 1024);
    EVP_PKEY_free(got);
    SSL_CTX_set_security_level(ctx, 0);
    CHECK(SSL_CTX_set0_tmp_dh_pkey(ctx, NULL) == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_DH_KEY_TOO_SMALL);
    SSL_CTX_set_security_level(ctx, 2);
    CHECK(SSL_CTX_set_tmp_dh(ctx, NULL) == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == ERR_R_PASSED_NULL_PARAMETER);
    /* a key refused stays the caller's */
    SSL_CTX_set_security_level(ctx, 3);
    CHECK(SSL_CTX_set0_tmp_dh_pkey(ctx, k2048) == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_DH_KEY_TOO_SMALL);
    CHECK(EVP_PKEY_get_bits(k2048) == 2048);
    SSL_CTX_set_security_level(ctx, 2);
    CHECK(SSL_CTX_set0_tmp_dh_pkey(ctx, k2048) == 1); /* taken */
    CHECK(ctx->cfg.sh->dh_tmp == k2048);
    CHECK(ssl_dh_params_ok(2, k2048) && !ssl_dh_params_ok(3, k2048) && ssl_dh_params_ok(0, k2048));
    CHECK(ssl_dh_params_ok(3, k3072) && !ssl_dh_params_ok(4, k3072));

    /* SSL_new copies (a reference); the SSL's own setting is its own */
    s = SSL_new(ctx);
    REQUIRE(s != NULL);
    CHECK(s->cfg.sh->dh_tmp == k2048);
    got = ssl_dh_params_for(&s->cfg, 112, s);
    CHECK(got == k2048);
    EVP_PKEY_free(got);
    CHECK(SSL_set0_tmp_dh_pkey(s, k3072) == 1);
    CHECK(s->cfg.sh->dh_tmp == k3072 && ctx->cfg.sh->dh_tmp == k2048);
    CHECK(SSL_set_tmp_dh(s, d2048) == 1);
    got = ssl_dh_params_for(&s->cfg, 112, s);
    CHECK(got != NULL && got != k3072 && EVP_PKEY_get_bits(got) == 2048);
    EVP_PKEY_free(got);
    SSL_set_security_level(s, 3);
    CHECK(SSL_set_tmp_dh(s, d2048) == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_DH_KEY_TOO_SMALL);
    SSL_set_security_level(s, 2);
    /* dh_auto wins over the parameters */
    CHECK_EQ_INT(SSL_set_dh_auto(s, 1), 1);
    got = ssl_dh_params_for(&s->cfg, 128, s);
    CHECK(got != NULL && strcmp(group_of(got, buf, sizeof(buf)), "modp_3072") == 0);
    EVP_PKEY_free(got);
    CHECK_EQ_INT(ctx->cfg.dh_auto, 0);
    /* the context outlives nothing: the SSL keeps its reference */
    SSL_CTX *ctx2 = SSL_CTX_new(TLS_method());
    REQUIRE(ctx2 != NULL);
    SSL_CTX_set_dh_auto(ctx2, 2);
    CHECK(SSL_set_SSL_CTX(s, ctx2) == ctx2); /* SNI: the CERT part comes along */
    CHECK(s->cfg.sh->dh_tmp == NULL && s->cfg.dh_auto == 2);
    CHECK(SSL_set_SSL_CTX(s, ctx) == ctx);
    CHECK(s->cfg.sh->dh_tmp == k2048 && s->cfg.dh_auto == 0);
    SSL_CTX_free(ctx2);
    SSL_CTX_free(ctx);
    got = ssl_dh_params_for(&s->cfg, 112, s);
    CHECK(got == k2048);
    EVP_PKEY_free(got);
    SSL_free(s);

    /* the callback: the ctrl is refused, the function and callback_ctrl store it */
    ctx = SSL_CTX_new(TLS_method());
    REQUIRE(ctx != NULL);
    CHECK(SSL_CTX_ctrl(ctx, SSL_CTRL_SET_TMP_DH_CB, 0, NULL) == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED);
    SSL_CTX_set_tmp_dh_callback(ctx, dh_cb);
    CHECK(ssl_dhe_possible(&ctx->cfg));
    s = SSL_new(ctx);
    REQUIRE(s != NULL);
    CHECK(SSL_ctrl(s, SSL_CTRL_SET_TMP_DH_CB, 0, NULL) == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED);
    g_cb_dh = d2048;
    g_cb_calls = 0;
    got = ssl_dh_params_for(&s->cfg, 112, s);
    CHECK(g_cb_calls == 1 && g_cb_export == 0 && g_cb_keylen == 1024);
    CHECK(got != NULL && EVP_PKEY_get_bits(got) == 2048);
    EVP_PKEY_free(got);
    g_cb_dh = NULL;
    CHECK(ssl_dh_params_for(&s->cfg, 112, s) == NULL);
    /* parameters win over the callback */
    CHECK(SSL_set_tmp_dh(s, d2048) == 1);
    g_cb_calls = 0;
    got = ssl_dh_params_for(&s->cfg, 112, s);
    CHECK(got != NULL && g_cb_calls == 0);
    EVP_PKEY_free(got);
    CHECK(SSL_callback_ctrl(s, SSL_CTRL_SET_TMP_DH_CB, NULL) == 1);
    CHECK(s->cfg.dh_tmp_cb == NULL);
    SSL_set_tmp_dh_callback(s, dh_cb);
    CHECK(s->cfg.dh_tmp_cb == dh_cb);
    CHECK(SSL_CTX_callback_ctrl(ctx, SSL_CTRL_SET_TMP_DH_CB, NULL) == 1);
    CHECK(ctx->cfg.dh_tmp_cb == NULL && !ssl_dhe_possible(&ctx->cfg));
    CHECK_EQ_INT(SSL_CTX_set_dh_auto(ctx, 5), 1);
    CHECK(ssl_dhe_possible(&ctx->cfg));
    SSL_free(s);
    SSL_CTX_free(ctx);
    DH_free(d1024);
    DH_free(d2048);
    ERR_clear_error();
}

TEST_MAIN({
    RUN(test_getters);
    RUN(test_corpus);
    RUN(test_cipher_list_semantics);
    RUN(test_get_ciphers);
    RUN(test_supported);
    RUN(test_bytes_to_cipher_list);
    RUN(test_dh_auto);
    RUN(test_dh_params);
})

/* Unit tests for src/keys: HKDF, the TLS 1.3 key schedule and the
 * transcript hash, against RFC 5869 A.1 and RFC 8448 sections 3 and 4, and
 * cross-checked against libcrypto's own "TLS13-KDF"/"HKDF" for SHA-384. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "keys/algs.h"
#include "keys/hkdf.h"
#include "keys/tls13_schedule.h"
#include "keys/transcript.h"

static int g_failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            ERR_print_errors_fp(stderr);                                                           \
            g_failures++;                                                                          \
        }                                                                                          \
    } while (0)

/* hex decodes |hex| (whitespace ignored) into |out|; returns the length. */
static size_t hex(uint8_t *out, size_t cap, const char *hex)
{
    size_t n = 0;
    int hi = -1;
    for (; *hex; hex++) {
        int v;
        char c = *hex;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        else
            continue;
        if (hi < 0) {
            hi = v;
        } else {
            if (n >= cap) {
                fprintf(stderr, "hex: buffer too small\n");
                g_failures++;
                return n;
            }
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return n;
}

/* check_hex compares |got| with the hex string |want|, printing both. */
#define CHECK_HEX(got, len, want) check_hex(__FILE__, __LINE__, #got, got, len, want)
static void check_hex(const char *file, int line, const char *what, const uint8_t *got, size_t len,
                      const char *want)
{
    uint8_t w[512];
    size_t wn = hex(w, sizeof(w), want);
    if (wn != len || memcmp(w, got, len) != 0) {
        fprintf(stderr, "%s:%d: %s mismatch\n  got:  ", file, line, what);
        for (size_t i = 0; i < len; i++)
            fprintf(stderr, "%02x", got[i]);
        fprintf(stderr, "\n  want: %s\n", want);
        g_failures++;
    }
}

/* ---- RFC 8448 section 3 handshake messages (for the transcript) ---- */

static const char kClientHello[] =
    "01 00 00 c0 03 03 cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 "
    "a2 ef 62 83 02 4d ec e7 00 00 06 13 01 13 03 13 02 01 00 00 91 00 00 00 0b 00 09 00 00 06 "
    "73 65 72 76 65 72 ff 01 00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 "
    "02 01 03 01 04 00 23 00 00 00 33 00 26 00 24 00 1d 00 20 99 38 1d e5 60 e4 bd 43 d2 3d 8e "
    "43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69 1e 52 9a af 2c 00 2b 00 03 02 03 04 00 0d "
    "00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06 04 01 05 01 06 01 02 01 04 02 05 02 "
    "06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01";
static const char kServerHello[] =
    "02 00 00 56 03 03 a6 af 06 a4 12 18 60 dc 5e 6e 60 24 9c d3 4c 95 93 0c 8a c5 cb 14 34 da "
    "c1 55 77 2e d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24 00 1d 00 20 c9 82 88 76 11 20 95 fe "
    "66 76 2b db f7 c6 72 e1 56 d6 cc 25 3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f 00 2b 00 02 03 04";
static const char kEncryptedExtensions[] =
    "08 00 00 24 00 22 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 "
    "00 1c 00 02 40 01 00 00 00 00";
static const char kCertificate[] =
    "0b 00 01 b9 00 00 01 b5 00 01 b0 30 82 01 ac 30 82 01 15 a0 03 02 01 02 02 01 02 30 0d 06 "
    "09 2a 86 48 86 f7 0d 01 01 0b 05 00 30 0e 31 0c 30 0a 06 03 55 04 03 13 03 72 73 61 30 1e "
    "17 0d 31 36 30 37 33 30 30 31 32 33 35 39 5a 17 0d 32 36 30 37 33 30 30 31 32 33 35 39 5a "
    "30 0e 31 0c 30 0a 06 03 55 04 03 13 03 72 73 61 30 81 9f 30 0d 06 09 2a 86 48 86 f7 0d 01 "
    "01 01 05 00 03 81 8d 00 30 81 89 02 81 81 00 b4 bb 49 8f 82 79 30 3d 98 08 36 39 9b 36 c6 "
    "98 8c 0c 68 de 55 e1 bd b8 26 d3 90 1a 24 61 ea fd 2d e4 9a 91 d0 15 ab bc 9a 95 13 7a ce "
    "6c 1a f1 9e aa 6a f9 8c 7c ed 43 12 09 98 e1 87 a8 0e e0 cc b0 52 4b 1b 01 8c 3e 0b 63 26 "
    "4d 44 9a 6d 38 e2 2a 5f da 43 08 46 74 80 30 53 0e f0 46 1c 8c a9 d9 ef bf ae 8e a6 d1 d0 "
    "3e 2b d1 93 ef f0 ab 9a 80 02 c4 74 28 a6 d3 5a 8d 88 d7 9f 7f 1e 3f 02 03 01 00 01 a3 1a "
    "30 18 30 09 06 03 55 1d 13 04 02 30 00 30 0b 06 03 55 1d 0f 04 04 03 02 05 a0 30 0d 06 09 "
    "2a 86 48 86 f7 0d 01 01 0b 05 00 03 81 81 00 85 aa d2 a0 e5 b9 27 6b 90 8c 65 f7 3a 72 67 "
    "17 06 18 a5 4c 5f 8a 7b 33 7d 2d f7 a5 94 36 54 17 f2 ea e8 f8 a5 8c 8f 81 72 f9 31 9c f3 "
    "6b 7f d6 c5 5b 80 f2 1a 03 01 51 56 72 60 96 fd 33 5e 5e 67 f2 db f1 02 70 2e 60 8c ca e6 "
    "be c1 fc 63 a4 2a 99 be 5c 3e b7 10 7c 3c 54 e9 b9 eb 2b d5 20 3b 1c 3b 84 e0 a8 b2 f7 59 "
    "40 9b a3 ea c9 d9 1d 40 2d cc 0c c8 f8 96 12 29 ac 91 87 b4 2b 4d e1 00 00";
static const char kCertificateVerify[] =
    "0f 00 00 84 08 04 00 80 5a 74 7c 5d 88 fa 9b d2 e5 5a b0 85 a6 10 15 b7 21 1f 82 4c d4 84 "
    "14 5a b3 ff 52 f1 fd a8 47 7b 0b 7a bc 90 db 78 e2 d3 3a 5c 14 1a 07 86 53 fa 6b ef 78 0c "
    "5e a2 48 ee aa a7 85 c4 f3 94 ca b6 d3 0b be 8d 48 59 ee 51 1f 60 29 57 b1 54 11 ac 02 76 "
    "71 45 9e 46 44 5c 9e a5 8c 18 1e 81 8e 95 b8 c3 fb 0b f3 27 84 09 d3 be 15 2a 3d a5 04 3e "
    "06 3d da 65 cd f5 ae a2 0d 53 df ac d4 2f 74 f3";
static const char kServerFinished[] =
    "14 00 00 20 9b 9b 14 1d 90 63 37 fb d2 cb dc e7 1d f4 de da 4a b4 2c 30 95 72 cb 7f ff ee "
    "54 54 b7 8f 07 18";
static const char kClientFinished[] =
    "14 00 00 20 a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1 1a 03 9e c1 76 94 fa c6 e9 85 27 b6 "
    "42 f2 ed d5 ce 61";

/* RFC 8448 section 3 transcript hashes. */
#define TH_CH_SH "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8"
#define TH_CH_CV "edb7725fa7a3473b031ec8ef65a2485493900138a2b91291407d7951a06110ed"
#define TH_CH_SF "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13"
#define TH_CH_CF "209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d"

static int feed_hex(TRANSCRIPT *t, const char *h)
{
    uint8_t buf[1024];
    size_t n = hex(buf, sizeof(buf), h);
    return transcript_update(t, buf, n);
}

/* ---- an independent reference: libcrypto's TLS13-KDF ---- */

static int ref_expand_label(const EVP_MD *md, uint8_t *out, size_t out_len, const uint8_t *secret,
                            size_t secret_len, const char *label, const uint8_t *ctx,
                            size_t ctx_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS13-KDF", NULL);
    EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    static const char prefix[] = "tls13 ";
    uint8_t dummy = 0;
    OSSL_PARAM p[7], *q = p;
    *q++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)EVP_MD_get0_name(md), 0);
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len);
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX, (void *)prefix,
                                             sizeof(prefix) - 1);
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, (void *)label, strlen(label));
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_DATA,
                                             ctx_len ? (void *)ctx : (void *)&dummy, ctx_len);
    *q = OSSL_PARAM_construct_end();
    int ok = kctx != NULL && EVP_KDF_derive(kctx, out, out_len, p) > 0;
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    return ok;
}

/* ---- tests ---- */

static void test_algs(void)
{
    CHECK(algs_sha256() != NULL && algs_sha384() != NULL);
    CHECK(algs_aes128gcm() != NULL && algs_aes256gcm() != NULL);
    CHECK(algs_chacha20poly1305() != NULL);
    CHECK(algs_hmac() != NULL);
    CHECK(algs_md_by_nid(NID_sha256) == algs_sha256());
    CHECK(algs_md_by_nid(NID_sha384) == algs_sha384());
    CHECK(algs_md_by_nid(NID_sha1) == NULL);
    CHECK(algs_sha256() == algs_sha256()); /* fetched once */
    CHECK(EVP_MD_get_size(algs_sha384()) == 48);
    CHECK(EVP_CIPHER_get_key_length(algs_aes256gcm()) == 32);
    CHECK(algs_empty_hash(algs_sha256()) != NULL);
    CHECK_HEX(algs_empty_hash(algs_sha256()), 32,
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(algs_empty_hash(algs_sha384()) != NULL);
    CHECK_HEX(algs_empty_hash(algs_sha384()), 48,
              "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da"
              "274edebfe76f65fbd51ad2f14898b95b");
}

/* RFC 5869 A.1 (two output blocks: exercises the re-keying path). */
static void test_rfc5869(void)
{
    const EVP_MD *md = algs_sha256();
    uint8_t ikm[22], salt[13], info[10], prk[32], okm[42];
    memset(ikm, 0x0b, sizeof(ikm));
    for (size_t i = 0; i < sizeof(salt); i++)
        salt[i] = (uint8_t)i;
    for (size_t i = 0; i < sizeof(info); i++)
        info[i] = (uint8_t)(0xf0 + i);
    CHECK(tls13_hkdf_extract(md, prk, salt, sizeof(salt), ikm, sizeof(ikm)));
    CHECK_HEX(prk, 32, "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    CHECK(tls13_hkdf_expand(md, okm, sizeof(okm), prk, sizeof(prk), info, sizeof(info)));
    CHECK_HEX(
        okm, 42,
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    /* A.3: zero-length salt and info. */
    CHECK(tls13_hkdf_extract(md, prk, NULL, 0, ikm, sizeof(ikm)));
    CHECK_HEX(prk, 32, "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
    CHECK(tls13_hkdf_expand(md, okm, sizeof(okm), prk, sizeof(prk), NULL, 0));
    CHECK_HEX(
        okm, 42,
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    /* Too long an output is refused. */
    uint8_t big[255 * 32 + 1];
    CHECK(!tls13_hkdf_expand(md, big, sizeof(big), prk, 32, NULL, 0));
    CHECK(tls13_hkdf_expand(md, big, sizeof(big) - 1, prk, 32, NULL, 0));
    ERR_clear_error();
}

/* HKDF-Expand-Label against RFC 8448 and against TLS13-KDF (SHA-256/384). */
static void test_expand_label(void)
{
    const EVP_MD *md = algs_sha256();
    uint8_t secret[48], out[300], ref[300];
    /* RFC 8448 3: "derive write traffic keys for handshake data" from the
     * server handshake traffic secret. */
    hex(secret, 32, "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
    CHECK(tls13_hkdf_expand_label(md, out, 16, secret, 32, "key", NULL, 0));
    CHECK_HEX(out, 16, "3fce516009c21727d0f2e4e86ee403bc");
    CHECK(tls13_hkdf_expand_label(md, out, 12, secret, 32, "iv", NULL, 0));
    CHECK_HEX(out, 12, "5d313eb2671276ee13000b30");

    const EVP_MD *mds[2] = {algs_sha256(), algs_sha384()};
    const char *labels[] = {"key", "iv", "finished", "traffic upd", "c hs traffic", "derived"};
    uint8_t context[48];
    for (size_t i = 0; i < sizeof(context); i++)
        context[i] = (uint8_t)(3 * i + 1);
    for (size_t i = 0; i < sizeof(secret); i++)
        secret[i] = (uint8_t)(0xa0 ^ i);
    for (int m = 0; m < 2; m++) {
        size_t hl = (size_t)EVP_MD_get_size(mds[m]);
        for (size_t l = 0; l < sizeof(labels) / sizeof(labels[0]); l++) {
            size_t lens[] = {12, 16, 32, hl, 100, 300};
            for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
                size_t ctx_len = (l & 1) ? hl : 0;
                memset(out, 0, sizeof(out));
                CHECK(tls13_hkdf_expand_label(mds[m], out, lens[k], secret, hl, labels[l], context,
                                              ctx_len));
                CHECK(ref_expand_label(mds[m], ref, lens[k], secret, hl, labels[l], context,
                                       ctx_len));
                CHECK(memcmp(out, ref, lens[k]) == 0);
            }
        }
    }
    /* SHA-384 extract against libcrypto's HKDF. */
    {
        uint8_t prk[48], ref_prk[48];
        EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
        EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
        EVP_KDF_free(kdf);
        int mode = EVP_KDF_HKDF_MODE_EXTRACT_ONLY;
        OSSL_PARAM p[5];
        p[0] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
        p[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA2-384", 0);
        p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, secret, 40);
        p[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, context, 20);
        p[4] = OSSL_PARAM_construct_end();
        CHECK(kctx != NULL && EVP_KDF_derive(kctx, ref_prk, 48, p) > 0);
        EVP_KDF_CTX_free(kctx);
        CHECK(tls13_hkdf_extract(algs_sha384(), prk, context, 20, secret, 40));
        CHECK(memcmp(prk, ref_prk, 48) == 0);
    }
    /* Aliasing: out == secret. */
    uint8_t a[32], b[32];
    hex(a, 32, "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
    CHECK(tls13_hkdf_expand_label(md, b, 32, a, 32, "traffic upd", NULL, 0));
    CHECK(tls13_hkdf_expand_label(md, a, 32, a, 32, "traffic upd", NULL, 0));
    CHECK(memcmp(a, b, 32) == 0);
    /* Limits. */
    char longlabel[251];
    memset(longlabel, 'x', sizeof(longlabel) - 1);
    longlabel[250] = 0;
    CHECK(!tls13_hkdf_expand_label(md, out, 16, secret, 32, longlabel, NULL, 0));
    longlabel[249] = 0;
    CHECK(tls13_hkdf_expand_label(md, out, 16, secret, 32, longlabel, NULL, 0));
    CHECK(!tls13_hkdf_expand_label(md, out, 16, secret, 32, "key", out, 256));
    ERR_clear_error();
    /* A digest other than the cached two takes the uncached path. */
    EVP_MD *sha512 = EVP_MD_fetch(NULL, "SHA2-512", NULL);
    CHECK(sha512 != NULL);
    CHECK(tls13_hkdf_expand_label(sha512, out, 64, secret, 48, "key", context, 5));
    CHECK(ref_expand_label(sha512, ref, 64, secret, 48, "key", context, 5));
    CHECK(memcmp(out, ref, 64) == 0);
    EVP_MD_free(sha512);
}

/* RFC 8448 section 3, "Simple 1-RTT Handshake", through the schedule API,
 * with transcript hashes produced by TRANSCRIPT over the RFC's messages. */
static void test_rfc8448_simple(void)
{
    const EVP_MD *md = algs_sha256();
    TLS13_SCHEDULE ks;
    TRANSCRIPT tr;
    uint8_t th[EVP_MAX_MD_SIZE], out[EVP_MAX_MD_SIZE], ecdhe[32];
    uint8_t c_hs[32], s_hs[32], c_ap[32], s_ap[32], res_master[32], key[16], iv[12];
    size_t th_len = 0;

    CHECK(tls13_sched_init(&ks, md, NULL, 0));
    CHECK(ks.hash_len == 32);
    CHECK_HEX(ks.secret, 32, "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a");

    /* The "derived" salt, checked via the primitive. */
    CHECK(tls13_derive_secret(md, out, ks.secret, "derived", algs_empty_hash(md)));
    CHECK_HEX(out, 32, "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba");

    hex(ecdhe, 32, "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d");
    CHECK(tls13_sched_advance(&ks, ecdhe, sizeof(ecdhe)));
    CHECK_HEX(ks.secret, 32, "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac");

    /* ClientHello arrives before the hash is known: it is buffered. */
    CHECK(transcript_init(&tr));
    CHECK(feed_hex(&tr, kClientHello));
    CHECK(!transcript_hash(&tr, th, &th_len));
    ERR_clear_error();
    CHECK(transcript_set_md(&tr, md));
    CHECK(feed_hex(&tr, kServerHello));
    CHECK(transcript_hash(&tr, th, &th_len));
    CHECK(th_len == 32);
    CHECK_HEX(th, 32, TH_CH_SH);

    CHECK(tls13_sched_derive(&ks, c_hs, "c hs traffic", th));
    CHECK_HEX(c_hs, 32, "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21");
    CHECK(tls13_sched_derive(&ks, s_hs, "s hs traffic", th));
    CHECK_HEX(s_hs, 32, "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");

    CHECK(tls13_traffic_key_iv(md, s_hs, key, 16, iv, 12));
    CHECK_HEX(key, 16, "3fce516009c21727d0f2e4e86ee403bc");
    CHECK_HEX(iv, 12, "5d313eb2671276ee13000b30");
    CHECK(tls13_traffic_key_iv(md, c_hs, key, 16, iv, 12));
    CHECK_HEX(key, 16, "dbfaa693d1762c5b666af5d950258d01");
    CHECK_HEX(iv, 12, "5bd3c71b836e0b76bb73265f");

    CHECK(tls13_sched_advance(&ks, NULL, 0));
    CHECK_HEX(ks.secret, 32, "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919");

    CHECK(feed_hex(&tr, kEncryptedExtensions));
    CHECK(feed_hex(&tr, kCertificate));
    CHECK(feed_hex(&tr, kCertificateVerify));
    CHECK(transcript_hash(&tr, th, &th_len));
    CHECK_HEX(th, 32, TH_CH_CV);
    /* Server Finished: the verify_data in the RFC's Finished message. */
    CHECK(tls13_finished_mac(md, out, s_hs, th));
    CHECK_HEX(out, 32, "9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718");

    CHECK(feed_hex(&tr, kServerFinished));
    CHECK(transcript_hash(&tr, th, &th_len));
    CHECK_HEX(th, 32, TH_CH_SF);
    CHECK(tls13_sched_derive(&ks, c_ap, "c ap traffic", th));
    CHECK_HEX(c_ap, 32, "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5");
    CHECK(tls13_sched_derive(&ks, s_ap, "s ap traffic", th));
    CHECK_HEX(s_ap, 32, "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643");
    CHECK(tls13_sched_derive(&ks, out, "exp master", th));
    CHECK_HEX(out, 32, "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50");
    CHECK(tls13_traffic_key_iv(md, s_ap, key, 16, iv, 12));
    CHECK_HEX(key, 16, "9f02283b6c9c07efc26bb9f2ac92e356");
    CHECK_HEX(iv, 12, "cf782b88dd83549aadf1e984");
    /* Client Finished is over the same transcript (CH..server Finished). */
    CHECK(tls13_finished_mac(md, out, c_hs, th));
    CHECK_HEX(out, 32, "a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61");

    CHECK(feed_hex(&tr, kClientFinished));
    CHECK(transcript_hash(&tr, th, &th_len));
    CHECK_HEX(th, 32, TH_CH_CF);
    CHECK(tls13_traffic_key_iv(md, c_ap, key, 16, iv, 12));
    CHECK_HEX(key, 16, "17422dda596ed5d9acd890e3c63f5051");
    CHECK_HEX(iv, 12, "5b78923dee08579033e523d9");
    CHECK(tls13_sched_derive(&ks, res_master, "res master", th));
    CHECK_HEX(res_master, 32, "7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c");

    /* NewSessionTicket nonce 00 00. */
    static const uint8_t nonce[2] = {0, 0};
    CHECK(tls13_resumption_psk(md, out, res_master, nonce, sizeof(nonce)));
    CHECK_HEX(out, 32, "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3");

    /* KeyUpdate (RFC 8446 7.2; no RFC 8448 vector): against TLS13-KDF, in place. */
    uint8_t upd[32], ref[32];
    memcpy(upd, c_ap, 32);
    CHECK(tls13_next_traffic_secret(md, upd));
    CHECK(ref_expand_label(md, ref, 32, c_ap, 32, "traffic upd", NULL, 0));
    CHECK(memcmp(upd, ref, 32) == 0);
    CHECK(memcmp(upd, c_ap, 32) != 0);

    tls13_sched_cleanup(&ks);
    transcript_free(&tr);
    transcript_free(&tr); /* idempotent */
}

/* RFC 8448 section 4, "Resumed 0-RTT Handshake": early secret from the PSK,
 * binder key, PSK binder, early traffic secret and keys. */
static void test_rfc8448_resumed(void)
{
    const EVP_MD *md = algs_sha256();
    TLS13_SCHEDULE ks;
    uint8_t psk[32], th[32], binder_key[32], out[32], c_e[32], key[16], iv[12];
    hex(psk, 32, "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3");
    CHECK(tls13_sched_init(&ks, md, psk, sizeof(psk)));
    CHECK_HEX(ks.secret, 32, "9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c");
    CHECK(tls13_sched_binder_key(&ks, 0, binder_key));
    CHECK_HEX(binder_key, 32, "69fe131a3bbad5d63c64eebcc30e395b9d8107726a13d074e389dbc8a4e47256");
    CHECK(tls13_sched_binder_key(&ks, 1, out));
    CHECK(memcmp(out, binder_key, 32) != 0);
    CHECK(ref_expand_label(md, th, 32, ks.secret, 32, "ext binder", algs_empty_hash(md), 32));
    CHECK(memcmp(out, th, 32) == 0);
    /* Binder over the truncated ClientHello's hash (printed by the RFC). */
    hex(th, 32, "63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14");
    CHECK(tls13_finished_mac(md, out, binder_key, th));
    CHECK_HEX(out, 32, "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d");
    /* Early traffic over Hash(ClientHello). */
    hex(th, 32, "08ad0fa05d7c7233b1775ba2ff9f4c5b8b59276b7f227f13a976245f5d960913");
    CHECK(tls13_sched_derive(&ks, c_e, "c e traffic", th));
    CHECK_HEX(c_e, 32, "3fbbe6a60deb66c30a32795aba0eff7eaa10105586e7be5c09678d63b6caab62");
    CHECK(tls13_sched_derive(&ks, out, "e exp master", th));
    CHECK_HEX(out, 32, "b2026866610937d7423e5be90862ccf24c0e6091186d34f812089ff5be2ef7df");
    CHECK(tls13_traffic_key_iv(md, c_e, key, 16, iv, 12));
    CHECK_HEX(key, 16, "920205a5b7bf2115e6fc5c2942834f54");
    CHECK_HEX(iv, 12, "6d475f0993c8e564610db2b9");
    tls13_sched_cleanup(&ks);
}

/* RFC 8446 7.5 exporter, composed by hand from independent pieces. */
static void test_exporter(void)
{
    const EVP_MD *md = algs_sha256();
    uint8_t ems[32], secret[32], ch[32], want[40], got[40], got2[40];
    unsigned int n;
    static const char label[] = "EXPERIMENTAL my label";
    static const uint8_t context[] = "some context";
    hex(ems, 32, "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50");

    CHECK(ref_expand_label(md, secret, 32, ems, 32, label, algs_empty_hash(md), 32));
    CHECK(EVP_Digest(context, sizeof(context) - 1, ch, &n, md, NULL) && n == 32);
    CHECK(ref_expand_label(md, want, sizeof(want), secret, 32, "exporter", ch, 32));
    CHECK(tls13_export_keying_material(md, got, sizeof(got), ems, label, strlen(label), context,
                                       sizeof(context) - 1, 1));
    CHECK(memcmp(got, want, sizeof(got)) == 0);

    /* No context == empty context (OpenSSL's TLS 1.3 behaviour). */
    CHECK(tls13_export_keying_material(md, got, sizeof(got), ems, label, strlen(label), context,
                                       sizeof(context) - 1, 0));
    CHECK(tls13_export_keying_material(md, got2, sizeof(got2), ems, label, strlen(label), NULL, 0,
                                       1));
    CHECK(memcmp(got, got2, sizeof(got)) == 0);
    CHECK(memcmp(got, want, sizeof(got)) != 0);
    CHECK(
        ref_expand_label(md, want, sizeof(want), secret, 32, "exporter", algs_empty_hash(md), 32));
    CHECK(memcmp(got, want, sizeof(got)) == 0);
    /* The label length is honoured (not NUL-terminated). */
    CHECK(tls13_export_keying_material(md, got2, sizeof(got2), ems, label, 5, NULL, 0, 0));
    CHECK(memcmp(got, got2, sizeof(got)) != 0);
}

static void test_transcript(void)
{
    const EVP_MD *md = algs_sha256();
    TRANSCRIPT t;
    uint8_t h[EVP_MAX_MD_SIZE], h2[EVP_MAX_MD_SIZE];
    size_t hl = 0;
    const uint8_t *bp;
    size_t bl;
    static const char kAbc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    /* "abc" split across updates with set_md in the middle; buffer dropped. */
    CHECK(transcript_init(&t));
    CHECK(transcript_hash_len(&t) == 0);
    CHECK(transcript_update(&t, (const uint8_t *)"a", 1));
    CHECK(transcript_update(&t, (const uint8_t *)"", 0));
    CHECK(transcript_buffer(&t, &bp, &bl) && bl == 1 && bp[0] == 'a');
    CHECK(transcript_set_md(&t, md));
    CHECK(transcript_set_md(&t, md)); /* same md: no-op */
    CHECK(!transcript_set_md(&t, algs_sha384()));
    CHECK(!transcript_buffer(&t, &bp, &bl));
    CHECK(!transcript_keep_buffer(&t));
    ERR_clear_error();
    CHECK(transcript_hash_len(&t) == 32);
    CHECK(transcript_update(&t, (const uint8_t *)"b", 1));
    CHECK(transcript_update(&t, (const uint8_t *)"c", 1));
    CHECK(transcript_hash(&t, h, &hl) && hl == 32);
    CHECK_HEX(h, 32, kAbc);
    /* Hashing does not disturb the running state. */
    CHECK(transcript_hash(&t, h, &hl));
    CHECK_HEX(h, 32, kAbc);
    CHECK(transcript_update(&t, (const uint8_t *)"d", 1));
    CHECK(transcript_hash(&t, h, &hl));
    CHECK_HEX(h, 32, "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589");
    transcript_free(&t);

    /* Keeping the buffer; a large message forces it to grow. */
    static uint8_t big[5000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 7);
    CHECK(transcript_init(&t));
    CHECK(transcript_keep_buffer(&t));
    CHECK(transcript_update(&t, big, 10));
    CHECK(transcript_set_md(&t, algs_sha384()));
    CHECK(transcript_update(&t, big + 10, sizeof(big) - 10));
    CHECK(transcript_buffer(&t, &bp, &bl) && bl == sizeof(big) && memcmp(bp, big, bl) == 0);
    CHECK(transcript_hash(&t, h, &hl) && hl == 48);
    {
        unsigned int n = 0;
        CHECK(EVP_Digest(big, sizeof(big), h2, &n, algs_sha384(), NULL) && n == 48);
        CHECK(memcmp(h, h2, 48) == 0);
    }
    transcript_drop_buffer(&t);
    CHECK(!transcript_buffer(&t, &bp, &bl));
    ERR_clear_error();
    CHECK(transcript_update(&t, big, 1));
    transcript_free(&t);

    /* HRR restart: message_hash(254) 00 00 20 Hash(CH1), then HRR, CH2. */
    CHECK(transcript_init(&t));
    CHECK(!transcript_hrr_restart(&t)); /* md not set */
    ERR_clear_error();
    CHECK(transcript_keep_buffer(&t));
    CHECK(transcript_update(&t, (const uint8_t *)"CH1", 3));
    CHECK(transcript_set_md(&t, md));
    CHECK(transcript_hrr_restart(&t));
    {
        uint8_t synth[4 + 32];
        unsigned int n = 0;
        synth[0] = 254;
        synth[1] = 0;
        synth[2] = 0;
        synth[3] = 32;
        CHECK(EVP_Digest("CH1", 3, synth + 4, &n, md, NULL) && n == 32);
        CHECK(transcript_buffer(&t, &bp, &bl) && bl == sizeof(synth) && memcmp(bp, synth, bl) == 0);
        CHECK(transcript_update(&t, (const uint8_t *)"HRR", 3));
        CHECK(transcript_update(&t, (const uint8_t *)"CH2", 3));
        CHECK(transcript_hash(&t, h, &hl));
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        CHECK(c != NULL && EVP_DigestInit_ex(c, md, NULL) &&
              EVP_DigestUpdate(c, synth, sizeof(synth)) && EVP_DigestUpdate(c, "HRRCH2", 6) &&
              EVP_DigestFinal_ex(c, h2, &n));
        EVP_MD_CTX_free(c);
        CHECK(memcmp(h, h2, 32) == 0);
        /* And it differs from the plain transcript. */
        CHECK(EVP_Digest("CH1HRRCH2", 9, h2, &n, md, NULL));
        CHECK(memcmp(h, h2, 32) != 0);
    }
    transcript_free(&t);
}

/* Derivations from several threads (exercises the per-thread MAC cache
 * and its thread-exit destructor, which ASan checks for leaks). */
static void *thread_main(void *arg)
{
    int *ok = arg;
    TLS13_SCHEDULE ks;
    *ok = 1;
    for (int i = 0; i < 200; i++) {
        uint8_t psk[32];
        hex(psk, 32, "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3");
        if (!tls13_sched_init(&ks, algs_sha256(), psk, 32)) {
            *ok = 0;
            break;
        }
        static const uint8_t want[] = {0x9b, 0x21, 0x88, 0xe9};
        if (memcmp(ks.secret, want, 4) != 0)
            *ok = 0;
        if (!tls13_sched_init(&ks, algs_sha384(), NULL, 0))
            *ok = 0;
    }
    return NULL;
}

static void test_threads(void)
{
    pthread_t th[4];
    int ok[4];
    for (int i = 0; i < 4; i++)
        CHECK(pthread_create(&th[i], NULL, thread_main, &ok[i]) == 0);
    for (int i = 0; i < 4; i++) {
        CHECK(pthread_join(th[i], NULL) == 0);
        CHECK(ok[i]);
    }
}

int main(void)
{
    test_algs();
    test_rfc5869();
    test_expand_label();
    test_rfc8448_simple();
    test_rfc8448_resumed();
    test_exporter();
    test_transcript();
    test_threads();
    if (g_failures) {
        fprintf(stderr, "test_keys: %d failure(s)\n", g_failures);
        return 1;
    }
    printf("test_keys: ok\n");
    return 0;
}

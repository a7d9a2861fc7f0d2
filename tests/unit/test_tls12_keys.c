/* Unit tests for src/keys/tls12_keys.c, the TLS 1.2 key schedule:
 *   - the PRF against the published TLS 1.2 PRF test vectors (SHA-256 and
 *     SHA-384; first posted to the IETF TLS list, since copied into many
 *     test suites);
 *   - the PRF against P_hash of RFC 5246 5 written here, in the test only,
 *     on raw HMAC (EVP_MAC), for many lengths and seed splits;
 *   - master secret (plain and extended), Finished, key block and exporter
 *     against what OpenSSL 3.0's own libssl computed in real TLS 1.2
 *     connections (known answers below; the key block by decrypting the
 *     client's encrypted Finished record of that connection);
 *   - the exporter's refusals, argument checks, aliasing. */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/ssl.h>

#include "keys/algs.h"
#include "keys/tls12_keys.h"
#include "testutil.h"

/* ---- an independent P_hash, on HMAC only ---- */

/* ref_hmac: HMAC-|md|(key, a || b) with a context of its own. */
static int ref_hmac(const char *md, const uint8_t *key, size_t key_len, const uint8_t *a,
                    size_t a_len, const uint8_t *b, size_t b_len, uint8_t *out, size_t *out_len)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[2] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)md, 0),
        OSSL_PARAM_construct_end(),
    };
    int ok = ctx != NULL && EVP_MAC_init(ctx, key, key_len, params) &&
             EVP_MAC_update(ctx, a, a_len) && EVP_MAC_update(ctx, b, b_len) &&
             EVP_MAC_final(ctx, out, out_len, EVP_MAX_MD_SIZE);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return ok;
}

/* ref_p_hash: RFC 5246 5,
 *   P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
 *                          HMAC_hash(secret, A(2) + seed) + ...
 *   A(0) = seed, A(i) = HMAC_hash(secret, A(i-1))
 * truncated to |len| bytes. */
static int ref_p_hash(const char *md, const uint8_t *secret, size_t secret_len, const uint8_t *seed,
                      size_t seed_len, uint8_t *out, size_t len)
{
    uint8_t a[EVP_MAX_MD_SIZE], block[EVP_MAX_MD_SIZE];
    size_t a_len, block_len, done = 0;
    if (!ref_hmac(md, secret, secret_len, seed, seed_len, NULL, 0, a, &a_len))
        return 0;
    while (done < len) {
        if (!ref_hmac(md, secret, secret_len, a, a_len, seed, seed_len, block, &block_len))
            return 0;
        size_t n = len - done < block_len ? len - done : block_len;
        memcpy(out + done, block, n);
        done += n;
        if (!ref_hmac(md, secret, secret_len, a, a_len, NULL, 0, a, &a_len))
            return 0;
    }
    return 1;
}

/* cat: a || b || c into |out| (returns the length). */
static size_t cat(uint8_t *out, const void *a, size_t a_len, const void *b, size_t b_len,
                  const void *c, size_t c_len)
{
    if (a_len)
        memcpy(out, a, a_len);
    if (b_len)
        memcpy(out + a_len, b, b_len);
    if (c_len)
        memcpy(out + a_len + b_len, c, c_len);
    return a_len + b_len + c_len;
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

/* ---- the published vectors ---- */

static const char kVecSecret256[] = "9bbe436ba940f017b17652849a71db35";
static const char kVecSeed256[] = "a0ba9f936cda311827a6f796ffd5198c";
static const char kVecOut256[] = "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
                                 "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
                                 "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
                                 "87347b66";
static const char kVecSecret384[] = "b80b733d6ceefcdc71566ea48e5567df";
static const char kVecSeed384[] = "cd665cf6a8447dd6ff8b27555edb7465";
static const char kVecOut384[] = "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd"
                                 "e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd"
                                 "8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425"
                                 "9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6"
                                 "91c8f3a26854308d5eaa3be85e0990703d73e56f";

static void test_prf_published_vectors(void)
{
    uint8_t secret[16], seed[16], want[148], out[148], ref[148];
    size_t want_len;
    struct {
        const EVP_MD *md;
        const char *name, *secret, *seed, *out;
    } v[2] = {
        {algs_sha256(), "SHA2-256", kVecSecret256, kVecSeed256, kVecOut256},
        {algs_sha384(), "SHA2-384", kVecSecret384, kVecSeed384, kVecOut384},
    };
    for (int i = 0; i < 2; i++) {
        REQUIRE(v[i].md != NULL);
        REQUIRE(test_from_hex(v[i].secret, secret, sizeof(secret)) == 16);
        REQUIRE(test_from_hex(v[i].seed, seed, sizeof(seed)) == 16);
        want_len = test_from_hex(v[i].out, want, sizeof(want));
        REQUIRE(want_len == (i == 0 ? 100 : 148));
        /* The seed whole, then split over the three seed arguments. */
        memset(out, 0, sizeof(out));
        CHECK(tls12_prf(v[i].md, out, want_len, secret, 16, "test label", seed, 16, NULL, 0, NULL,
                        0));
        CHECK_EQ_MEM(out, want_len, want, want_len);
        memset(out, 0, sizeof(out));
        CHECK(tls12_prf(v[i].md, out, want_len, secret, 16, "test label", seed, 5, seed + 5, 1,
                        seed + 6, 10));
        CHECK_EQ_MEM(out, want_len, want, want_len);
        /* The label may also be carried by the seeds. */
        uint8_t ls[26];
        cat(ls, "test label", 10, seed, 16, NULL, 0);
        memset(out, 0, sizeof(out));
        CHECK(tls12_prf(v[i].md, out, want_len, secret, 16, NULL, ls, 26, NULL, 0, NULL, 0));
        CHECK_EQ_MEM(out, want_len, want, want_len);
        /* A prefix is the same PRF asked for fewer bytes. */
        CHECK(tls12_prf(v[i].md, out, 12, secret, 16, "test label", seed, 16, NULL, 0, NULL, 0));
        CHECK_EQ_MEM(out, 12, want, 12);
        /* And the reference below agrees with the published vector too. */
        CHECK(ref_p_hash(v[i].name, secret, 16, ls, 26, ref, want_len));
        CHECK_EQ_MEM(ref, want_len, want, want_len);
    }
}

/* tls12_prf against the reference for every output length up to a few
 * blocks, and seeds from nothing (label only) to long. */
static void test_prf_against_reference(void)
{
    static const size_t lens[] = {1, 11, 12, 31, 32, 33, 47, 48, 49, 63, 64, 65, 96, 97, 200, 1000};
    uint8_t secret[200], seed[900], full[1000], out[1000], ref[1000];
    const EVP_MD *mds[2] = {algs_sha256(), algs_sha384()};
    const char *names[2] = {"SHA2-256", "SHA2-384"};
    size_t bad = 0;
    fill(secret, sizeof(secret), 1);
    fill(seed, sizeof(seed), 2);
    for (int m = 0; m < 2; m++) {
        REQUIRE(mds[m] != NULL);
        for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
            size_t n = lens[l];
            size_t secret_len = 1 + (n * 7) % sizeof(secret);
            size_t s1 = n % 64, s2 = (n * 3) % 100, s3 = n % 7;
            size_t full_len = cat(full, "some label", 10, seed, s1, seed + s1, s2);
            memcpy(full + full_len, seed + s1 + s2, s3);
            full_len += s3;
            memset(out, 0, sizeof(out));
            if (!tls12_prf(mds[m], out, n, secret, secret_len, "some label", seed, s1, seed + s1,
                           s2, seed + s1 + s2, s3) ||
                !ref_p_hash(names[m], secret, secret_len, full, full_len, ref, n) ||
                memcmp(out, ref, n) != 0) {
                fprintf(stderr, "  mismatch: md %d, %zu bytes\n", m, n);
                bad++;
            }
        }
    }
    CHECK(bad == 0);
    /* The longest seed the KDF takes is 1024 bytes (OpenSSL 3.0's limit,
     * which OpenSSL's own exporter has too); it works, one more fails. */
    uint8_t big[1100];
    fill(big, sizeof(big), 3);
    CHECK(tls12_prf(mds[0], out, 32, secret, 48, "x", big, 1023, NULL, 0, NULL, 0));
    uint8_t seed1024[1024];
    cat(seed1024, "x", 1, big, 1023, NULL, 0);
    CHECK(ref_p_hash(names[0], secret, 48, seed1024, 1024, ref, 32));
    CHECK_EQ_MEM(out, 32, ref, 32);
    ERR_clear_error();
    CHECK(!tls12_prf(mds[0], out, 32, secret, 48, "x", big, 1024, NULL, 0, NULL, 0));
    CHECK(ERR_peek_error() != 0);
    ERR_clear_error();
}

/* ---- known answers from OpenSSL 3.0's libssl ----
 *
 * Where they come from: a throwaway program (not kept) linked with the
 * system's libssl.so.3 (OpenSSL 3.0.19) ran one TLS 1.2 connection per case
 * between an OpenSSL client and an OpenSSL server over memory BIOs, with a
 * plain PSK suite so that the premaster secret is known (RFC 4279 2: the
 * 32-byte PSK "sesame-test-psk-0123456789abcdef" gives 0020 || 32 zeros ||
 * 0020 || PSK), SSL_OP_NO_TICKET, and SSL_OP_NO_EXTENDED_MASTER_SECRET on
 * both sides for the cases without EMS.  It logged
 * SSL_get_client_random / SSL_get_server_random, SSL_SESSION_get_master_key
 * (the keylog CLIENT_RANDOM line's secret), SSL_get_finished /
 * SSL_get_peer_finished (client's and server's verify_data), the hash of
 * the handshake messages seen by SSL_set_msg_callback up to and including
 * ClientKeyExchange (the session hash; with PSK and no client certificate
 * it is also the client Finished's transcript hash) and up to and
 * including the client's Finished (the server Finished's), the client's
 * first record after its ChangeCipherSpec as it went on the wire (its
 * Finished, AES-GCM), and SSL_export_keying_material(40 bytes, label
 * "EXPORTER-sesame") without a context, with an empty one, and with
 * "context". */
typedef struct {
    const char *suite;
    int sha384, ems;
    const char *client_random, *server_random, *master, *session_hash, *server_fin_hash;
    const char *client_verify, *server_verify, *client_fin_record;
    const char *export_noctx, *export_emptyctx, *export_ctx;
} KAT;

static const KAT kKats[] = {
    {"PSK-AES128-GCM-SHA256", 0, 1,
     "357d7e4fe8d1e3307920dcd248bb72d5296cc8b64fe2741b7c42350aa4c5331e",
     "a87f1936a90440d3ca6cb77aa12ec0fb085253ea0185c37f202d86ec1c738762",
     "c2a25069813ae94b7f26311284bbd5f126ae0d1e50de875232892726368f4d2f"
     "fc319fe2f71ff4db8c74d0e253042452",
     "99e5e6d7c82035ee0757428de2ba5424ed02ffbfd782a12d7706e516c0651e01",
     "14887df5df2e6091f96af65a329becbf2fb13ce6359bfea3478c9ae42b6eb41b", "15027dc414a7d64e12a395ac",
     "41ee8655d687f466a39b2eed",
     "1603030028a65ea22beeb1d61d0e0fe3ba1829412bf24fac91b475615e3ddc09b5e2fb3ea10211fc659ddb6937",
     "acea9bdba6552b1434a1166f1434e9e7d7c71ed35fd89f2e07f888db8d2e28aafc9eda042ad6eb52",
     "0530f95f68677619eb27809267eb1fb41a9a5d4cd150a8ffee8d9e2e0f1d1bd264cc351aaa14a49a",
     "3ce6181856a9abc01b60e3e7f63bb007eb369bdaf4ad1d15589a1767965263dc02b4946bc405deb9"},
    {"PSK-AES128-GCM-SHA256", 0, 0,
     "dbc899cf0757052c0738f6311456f6a3639d2ff945c287eb987871703eb1f6cc",
     "d0730ae7a3e969d762bad2988f993f5b8e532a02770a5fcf8b11b000dfe2f06f",
     "181593cd019f16b2fbae2cb3fc49c08024e838e9eecc0f8925d38876b7ee47d0"
     "a85c4e51ee904f5024c4402f08049d60",
     "9ed87c26eca64dbcd7e095bababbce8d965552ead08fe8a03c145dfe74661de9",
     "666c6bb195751c95542ee68e93ef3bc06ae6205c586fb87068c44b5b8ab5f917", "fceae8c86c9406a47c97281f",
     "6ab8087c9d6ca9b7c84a7d79",
     "160303002895c313e2160348e7e2f900559bd9faa91343077acb70c335a8db8def4fe303063b8ef60c4634e01e",
     "b079eb2b1a94d6bf64e497f0eee0b3927343a8bb31ef8ff0840dc467e1af2c9108b303fb9693f1ef",
     "601ca1e23b27759a05122cfe7b436855d3fa0627788e35087cf296f49eb263c02bf53e33cb6e87f6",
     "30f96cedfea8acf793558a05dff9387b6926f06944aa2bc481046789df3bc1c63f529ade0ca11a78"},
    {"PSK-AES256-GCM-SHA384", 1, 1,
     "cc61af36a6777a3a9eeb717ce2cef6c226abf396928eced6c7f3f457c6e56a54",
     "ce507474740f00d7c7a74ade85384d45b142406bf8f49d76af764de8d86e0c35",
     "ea2088431b917a02cc5bb3a3ff26ba20386cddacd5628214cca025a465a3fcdf"
     "14be8356b13017442d45f898e12f561c",
     "5f2fa908c7bcfb17636cf81b978657a5a29884206e193479be0295996d8f9d5b"
     "5eb4947e9cd159ed340dcd68ab800164",
     "1132b25b0dea484d63f4559f6bb4733d6ca51a77079fc5e7a38e55ecc880f287"
     "36b54bda5339ac8f30802fd18ba0d337",
     "a6d47228f474356c07792f09", "b6e72983b5093ef6cf2e1159",
     "16030300287974b9e509a6f9023825ae5d398d8f1684e8e7a96787ab297811bbbe53f84fab514281b1a546cc62",
     "695d656d8bc4588ae00d0ea01a3584748db5cc1cd9f4f57c712291b2b860361d8804fd062240d911",
     "e5abdf11e2118ccb5b566240d5f367d256c7e93b2a33c17005e54b40f21da3200be244ed94fd30df",
     "a9d0847786741633dd5df4464ea764f7d23815e0ca1f3a7747ee41e2b45650264397be2eb5ac18df"},
    {"PSK-AES256-GCM-SHA384", 1, 0,
     "8d895d447525a71b50dad4a4151364522379bb1d5d9fbc401c8358ed9c90797f",
     "f5afac03cff2bac0eb14e049fc738861efba0762bda092c68dcb3d8a1c58b798",
     "00a34f685596fccd026c672e5e3711cf9e9ce90c248d2ccf55b2f6938fb5bb73"
     "9511d2e0678ef689aecdc7553a6c4b7a",
     "d9469b9e5cf73a77c7d64a45c08c391c92f63a687a1b20238bcd8a7b5b775992"
     "dc29359d2f81d61dc2da6b50b26a0f48",
     "f1049a9a7a96975c143d38070d6f0d4fff54c101853e9f32fc33e1f18f8f2f99"
     "0ba493cff906f87035a35aa6741545ee",
     "7f823ef6576447f3dd2244ef", "91b4c896690d9b589a669fe0",
     "1603030028e91a8b94685c435fc707950f9511bc3e4cc1c44d0dfca90a7735f9380e1e0aeea4f0df9579d9ed8a",
     "f9cd23c04583e94a7729df5f75a8e9152a8e63cab57c1c7770f340cf767907847f3eb42badbb46b0",
     "3b8a2f9831fccd15d4660663174af6dbe3f2908bcc5fb6faaedb8dc4d738125ddd38f3efda5fa056",
     "768b8f761a8ca409b6319ef9bee840cc13a267ad29e0a5a86394dd70d67d4ac61f473d5d034ce091"},
};

static const char kPsk[] = "sesame-test-psk-0123456789abcdef";

/* psk_pms: RFC 4279 2, other_secret = N zeros. */
static size_t psk_pms(uint8_t *out)
{
    size_t n = sizeof(kPsk) - 1;
    out[0] = 0;
    out[1] = (uint8_t)n;
    memset(out + 2, 0, n);
    out[2 + n] = 0;
    out[3 + n] = (uint8_t)n;
    memcpy(out + 4 + n, kPsk, n);
    return 4 + 2 * n;
}

/* gcm_open_finished decrypts a TLS 1.2 AES-GCM record (sequence number 0,
 * RFC 5288 3: nonce = implicit 4 bytes || explicit 8 bytes; additional
 * data = seq || type || version || plaintext length) into |pt|. */
static int gcm_open_finished(const uint8_t *rec, size_t rec_len, const uint8_t *key, size_t key_len,
                             const uint8_t iv4[4], uint8_t *pt, size_t *pt_len)
{
    if (rec_len < 5 + 8 + 16)
        return 0;
    size_t ct_len = rec_len - 5 - 8 - 16;
    uint8_t nonce[12], aad[13] = {0};
    memcpy(nonce, iv4, 4);
    memcpy(nonce + 4, rec + 5, 8);
    aad[8] = rec[0];
    aad[9] = rec[1];
    aad[10] = rec[2];
    aad[11] = (uint8_t)(ct_len >> 8);
    aad[12] = (uint8_t)ct_len;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, n2 = 0;
    int ok = c != NULL &&
             EVP_DecryptInit_ex(c, key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm(), NULL, key,
                                nonce) &&
             EVP_DecryptUpdate(c, NULL, &n, aad, sizeof(aad)) &&
             EVP_DecryptUpdate(c, pt, &n, rec + 13, (int)ct_len) &&
             EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, (void *)(rec + 13 + ct_len)) &&
             EVP_DecryptFinal_ex(c, pt + n, &n2) > 0;
    EVP_CIPHER_CTX_free(c);
    *pt_len = (size_t)(n + n2);
    return ok;
}

static void test_openssl_known_answers(void)
{
    for (size_t k = 0; k < sizeof(kKats) / sizeof(kKats[0]); k++) {
        const KAT *t = &kKats[k];
        const EVP_MD *md = t->sha384 ? algs_sha384() : algs_sha256();
        size_t hash_len = t->sha384 ? 48 : 32;
        uint8_t cr[32], sr[32], want_master[48], sh[48], sfh[48], cv[12], sv[12], rec[128],
            exp[3][40];
        uint8_t pms[128], master[48], fin[12], kb[72], out[48], pt[64];
        size_t rec_len, pt_len = 0, pms_len = psk_pms(pms);
        fprintf(stderr, "  %s ems=%d\n", t->suite, t->ems);
        REQUIRE(md != NULL);
        REQUIRE(test_from_hex(t->client_random, cr, 32) == 32);
        REQUIRE(test_from_hex(t->server_random, sr, 32) == 32);
        REQUIRE(test_from_hex(t->master, want_master, 48) == 48);
        REQUIRE(test_from_hex(t->session_hash, sh, 48) == hash_len);
        REQUIRE(test_from_hex(t->server_fin_hash, sfh, 48) == hash_len);
        REQUIRE(test_from_hex(t->client_verify, cv, 12) == 12);
        REQUIRE(test_from_hex(t->server_verify, sv, 12) == 12);
        rec_len = test_from_hex(t->client_fin_record, rec, sizeof(rec));
        REQUIRE(test_from_hex(t->export_noctx, exp[0], 40) == 40);
        REQUIRE(test_from_hex(t->export_emptyctx, exp[1], 40) == 40);
        REQUIRE(test_from_hex(t->export_ctx, exp[2], 40) == 40);

        /* Master secret: extended over the session hash, or not. */
        memset(master, 0, sizeof(master));
        CHECK(tls12_master_secret(md, master, pms, pms_len, cr, sr, t->ems ? sh : NULL,
                                  t->ems ? hash_len : 0));
        CHECK_EQ_MEM(master, 48, want_master, 48);
        /* ... and the other kind is a different secret. */
        CHECK(tls12_master_secret(md, out, pms, pms_len, cr, sr, t->ems ? NULL : sh,
                                  t->ems ? 0 : hash_len));
        CHECK(memcmp(out, want_master, 40) != 0);

        /* Finished, both ways (with PSK the client's transcript ends with
         * ClientKeyExchange, so its hash is the session hash). */
        CHECK(tls12_finished(md, want_master, 0, sh, hash_len, fin));
        CHECK_EQ_MEM(fin, 12, cv, 12);
        CHECK(tls12_finished(md, want_master, 1, sfh, hash_len, fin));
        CHECK_EQ_MEM(fin, 12, sv, 12);

        /* Key block: client_write_key, server_write_key, client IV (4),
         * server IV (4) open the client's Finished record as OpenSSL sealed
         * it: 14 00000c || client verify_data. */
        size_t key_len = t->sha384 ? 32 : 16, kb_len = 2 * key_len + 8;
        CHECK(tls12_key_block(md, want_master, cr, sr, kb, kb_len));
        CHECK(gcm_open_finished(rec, rec_len, kb, key_len, kb + 2 * key_len, pt, &pt_len));
        CHECK(pt_len == 16);
        CHECK_EQ_MEM(pt, 4, "\x14\x00\x00\x0c", 4);
        CHECK_EQ_MEM(pt + 4, 12, cv, 12);
        /* The same key block from the reference, over server || client. */
        uint8_t seed[13 + 64], ref[72];
        cat(seed, "key expansion", 13, sr, 32, cr, 32);
        CHECK(ref_p_hash(t->sha384 ? "SHA2-384" : "SHA2-256", want_master, 48, seed, sizeof(seed),
                         ref, kb_len));
        CHECK_EQ_MEM(kb, kb_len, ref, kb_len);

        /* Exporter: no context, an empty one (its length is still in the
         * seed), a context. */
        CHECK(tls12_export_keying_material(md, want_master, cr, sr, "EXPORTER-sesame", 15, NULL, 0,
                                           0, out, 40));
        CHECK_EQ_MEM(out, 40, exp[0], 40);
        CHECK(tls12_export_keying_material(md, want_master, cr, sr, "EXPORTER-sesame", 15,
                                           (const uint8_t *)"", 0, 1, out, 40));
        CHECK_EQ_MEM(out, 40, exp[1], 40);
        CHECK(tls12_export_keying_material(md, want_master, cr, sr, "EXPORTER-sesame", 15, NULL, 0,
                                           1, out, 40));
        CHECK_EQ_MEM(out, 40, exp[1], 40);
        CHECK(tls12_export_keying_material(md, want_master, cr, sr, "EXPORTER-sesame", 15,
                                           (const uint8_t *)"context", 7, 1, out, 40));
        CHECK_EQ_MEM(out, 40, exp[2], 40);
        /* Without use_context the context is ignored altogether. */
        CHECK(tls12_export_keying_material(md, want_master, cr, sr, "EXPORTER-sesame", 15,
                                           (const uint8_t *)"context", 7, 0, out, 40));
        CHECK_EQ_MEM(out, 40, exp[0], 40);
    }
}

/* ---- master secret, key block, Finished, exporter against the reference ---- */

static void test_derivations_against_reference(void)
{
    uint8_t pms[300], cr[32], sr[32], hash[48], master[48], ref[200], out[200], seed[600];
    const EVP_MD *mds[2] = {algs_sha256(), algs_sha384()};
    const char *names[2] = {"SHA2-256", "SHA2-384"};
    fill(cr, 32, 11);
    fill(sr, 32, 12);
    fill(hash, 48, 13);
    for (int m = 0; m < 2; m++) {
        size_t hl = m ? 48 : 32;
        REQUIRE(mds[m] != NULL);
        /* Premaster secrets of the sizes key exchanges make: 32 (X25519),
         * 48 (RSA), 66 (P-521), 256 (ffdhe2048), and odd ones. */
        static const size_t pms_lens[] = {1, 32, 48, 56, 66, 128, 255, 256, 300};
        for (size_t i = 0; i < sizeof(pms_lens) / sizeof(pms_lens[0]); i++) {
            size_t pl = pms_lens[i];
            fill(pms, pl, (uint32_t)(100 + i));
            CHECK(tls12_master_secret(mds[m], master, pms, pl, cr, sr, NULL, 0));
            size_t sl = cat(seed, "master secret", 13, cr, 32, sr, 32);
            CHECK(ref_p_hash(names[m], pms, pl, seed, sl, ref, 48));
            CHECK_EQ_MEM(master, 48, ref, 48);
            CHECK(tls12_master_secret(mds[m], master, pms, pl, cr, sr, hash, hl));
            sl = cat(seed, "extended master secret", 22, hash, hl, NULL, 0);
            CHECK(ref_p_hash(names[m], pms, pl, seed, sl, ref, 48));
            CHECK_EQ_MEM(master, 48, ref, 48);
        }
        /* Key blocks of every size a TLS 1.2 suite needs (AES-128-GCM 40,
         * AES-256-GCM 72, ChaCha20-Poly1305 88, CBC with HMAC up to 136)
         * and then some. */
        static const size_t kb_lens[] = {40, 72, 88, 104, 128, 136, 200};
        for (size_t i = 0; i < sizeof(kb_lens) / sizeof(kb_lens[0]); i++) {
            CHECK(tls12_key_block(mds[m], master, cr, sr, out, kb_lens[i]));
            size_t sl = cat(seed, "key expansion", 13, sr, 32, cr, 32);
            CHECK(ref_p_hash(names[m], master, 48, seed, sl, ref, kb_lens[i]));
            CHECK_EQ_MEM(out, kb_lens[i], ref, kb_lens[i]);
        }
        for (int from_server = 0; from_server < 2; from_server++) {
            CHECK(tls12_finished(mds[m], master, from_server, hash, hl, out));
            size_t sl = cat(seed, from_server ? "server finished" : "client finished", 15, hash, hl,
                            NULL, 0);
            CHECK(ref_p_hash(names[m], master, 48, seed, sl, ref, 12));
            CHECK_EQ_MEM(out, 12, ref, 12);
        }
        /* Exporter with a context up to the longest the KDF takes: label
         * 15 + randoms 64 + length 2 + context 943 = 1024 bytes of seed.
         * One byte more fails (as in OpenSSL 3.0, whose own exporter
         * stops at the same length). */
        uint8_t context[1000];
        fill(context, sizeof(context), 14);
        static const size_t ctx_lens[] = {0, 1, 255, 256, 943};
        for (size_t i = 0; i < sizeof(ctx_lens) / sizeof(ctx_lens[0]); i++) {
            size_t cl = ctx_lens[i];
            uint8_t big_seed[1100], len2[2] = {(uint8_t)(cl >> 8), (uint8_t)cl};
            size_t sl = cat(big_seed, "EXPORTER-label1", 15, cr, 32, sr, 32);
            sl += cat(big_seed + sl, len2, 2, context, cl, NULL, 0);
            CHECK(tls12_export_keying_material(mds[m], master, cr, sr, "EXPORTER-label1", 15,
                                               context, cl, 1, out, 100));
            CHECK(ref_p_hash(names[m], master, 48, big_seed, sl, ref, 100));
            CHECK_EQ_MEM(out, 100, ref, 100);
        }
        ERR_clear_error();
        CHECK(!tls12_export_keying_material(mds[m], master, cr, sr, "EXPORTER-label1", 15, context,
                                            944, 1, out, 100));
        CHECK(ERR_peek_error() != 0);
        ERR_clear_error();
        /* An empty label is no reserved one. */
        CHECK(tls12_export_keying_material(mds[m], master, cr, sr, "", 0, NULL, 0, 0, out, 16));
        size_t sl = cat(seed, cr, 32, sr, 32, NULL, 0);
        CHECK(ref_p_hash(names[m], master, 48, seed, sl, ref, 16));
        CHECK_EQ_MEM(out, 16, ref, 16);
        /* A label is bytes: a NUL inside counts. */
        CHECK(tls12_export_keying_material(mds[m], master, cr, sr, "a\0b", 3, NULL, 0, 0, out, 16));
        sl = cat(seed, "a\0b", 3, cr, 32, sr, 32);
        CHECK(ref_p_hash(names[m], master, 48, seed, sl, ref, 16));
        CHECK_EQ_MEM(out, 16, ref, 16);
    }
}

static void test_exporter_reserved_labels(void)
{
    static const char *const reserved[] = {
        "client finished",        "server finished", "master secret",
        "extended master secret", "key expansion",
    };
    uint8_t master[48], cr[32], sr[32], out[16];
    const EVP_MD *md = algs_sha256();
    REQUIRE(md != NULL);
    fill(master, 48, 21);
    fill(cr, 32, 22);
    fill(sr, 32, 23);
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        char longer[64];
        size_t n = strlen(reserved[i]);
        snprintf(longer, sizeof(longer), "%sX", reserved[i]);
        for (int with_suffix = 0; with_suffix < 2; with_suffix++) {
            ERR_clear_error();
            CHECK(!tls12_export_keying_material(md, master, cr, sr, longer, n + with_suffix, NULL,
                                                0, 0, out, sizeof(out)));
            unsigned long e = ERR_peek_error();
            CHECK(ERR_GET_LIB(e) == ERR_LIB_SSL &&
                  ERR_GET_REASON(e) == SSL_R_TLS_ILLEGAL_EXPORTER_LABEL);
        }
        /* A proper prefix of a reserved label is an ordinary label. */
        ERR_clear_error();
        CHECK(tls12_export_keying_material(md, master, cr, sr, reserved[i], n - 1, NULL, 0, 0, out,
                                           sizeof(out)));
        /* Case matters: "Master Secret" is no reserved label. */
        CHECK(tls12_export_keying_material(md, master, cr, sr, "Master Secret", 13, NULL, 0, 0, out,
                                           sizeof(out)));
    }
    CHECK(ERR_peek_error() == 0);
    ERR_clear_error();
}

/* ---- arguments, aliasing ---- */

static void test_arguments(void)
{
    uint8_t master[48], cr[32], sr[32], out[64], a[64], b[64];
    const EVP_MD *md = algs_sha256();
    REQUIRE(md != NULL);
    fill(master, 48, 31);
    fill(cr, 32, 32);
    fill(sr, 32, 33);
    ERR_clear_error();
    /* No digest, no output (OpenSSL's exporter fails on 0 bytes too), no
     * seed at all, a NULL with a length. */
    CHECK(!tls12_prf(NULL, out, 16, master, 48, "l", cr, 32, NULL, 0, NULL, 0));
    CHECK(!tls12_prf(md, out, 0, master, 48, "l", cr, 32, NULL, 0, NULL, 0));
    CHECK(!tls12_prf(md, NULL, 16, master, 48, "l", cr, 32, NULL, 0, NULL, 0));
    CHECK(!tls12_prf(md, out, 16, master, 48, NULL, NULL, 0, NULL, 0, NULL, 0));
    CHECK(!tls12_prf(md, out, 16, master, 48, "l", NULL, 5, NULL, 0, NULL, 0));
    CHECK(!tls12_prf(md, out, 16, NULL, 48, "l", cr, 32, NULL, 0, NULL, 0));
    CHECK(!tls12_finished(md, master, 0, NULL, 0, out));
    CHECK(!tls12_export_keying_material(md, master, cr, sr, NULL, 3, NULL, 0, 0, out, 16));
    CHECK(!tls12_export_keying_material(md, master, cr, sr, "l", 1, NULL, 3, 1, out, 16));
    CHECK(!tls12_export_keying_material(md, master, cr, sr, "l", 1, cr, 0x10000, 1, out, 16));
    CHECK(!tls12_export_keying_material(md, master, cr, sr, "l", 1, NULL, 0, 0, out, 0));
    CHECK(ERR_peek_error() != 0);
    ERR_clear_error();
    /* A failed derivation leaves no partial output. */
    memset(out, 0xcc, sizeof(out));
    CHECK(!tls12_prf(md, out, 32, master, 48, "x", a, 1024, NULL, 0, NULL, 0));
    uint8_t zero[32] = {0};
    CHECK_EQ_MEM(out, 32, zero, 32);
    ERR_clear_error();

    /* The output may be the secret itself. */
    CHECK(tls12_key_block(md, master, cr, sr, a, 48));
    memcpy(b, master, 48);
    CHECK(tls12_key_block(md, b, cr, sr, b, 48));
    CHECK_EQ_MEM(b, 48, a, 48);
    memcpy(b, master, 48);
    CHECK(tls12_master_secret(md, a, master, 48, cr, sr, NULL, 0));
    CHECK(tls12_master_secret(md, b, b, 48, cr, sr, NULL, 0));
    CHECK_EQ_MEM(b, 48, a, 48);
    /* A digest that is not one of the two fetched ones also works. */
    EVP_MD *sha512 = EVP_MD_fetch(NULL, "SHA2-512", NULL);
    REQUIRE(sha512 != NULL);
    CHECK(tls12_prf(sha512, out, 64, master, 48, "l", cr, 32, NULL, 0, NULL, 0));
    uint8_t seed[33];
    cat(seed, "l", 1, cr, 32, NULL, 0);
    CHECK(ref_p_hash("SHA2-512", master, 48, seed, 33, a, 64));
    CHECK_EQ_MEM(out, 64, a, 64);
    EVP_MD_free(sha512);
    CHECK(ERR_peek_error() == 0);
}

TEST_MAIN({
    RUN(test_prf_published_vectors);
    RUN(test_prf_against_reference);
    RUN(test_openssl_known_answers);
    RUN(test_derivations_against_reference);
    RUN(test_exporter_reserved_labels);
    RUN(test_arguments);
})

/* Unit tests for the key exchange (src/handshake/kex.c) in every group,
 * its validation of the peer's share, and what the API reports of it
 * afterwards (SSL_get_peer_tmp_key, SSL_get_tmp_key, SSL_get_shared_group,
 * SSL_get_negotiated_group), over in-memory handshakes. */
#include "internal.h"

#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "codec/consts.h"
#include "codec/groups.h"
#include "handshake/hs.h"

#include "testutil.h"

#include "pair.h"

static TEST_PKI pki;

static const struct {
    uint16_t group;
    const char *name; /* for groups lists */
    int nid;
    size_t share_len, secret_len;
    int pkey_id, bits; /* what SSL_get_peer_tmp_key's key says, as OpenSSL */
    const char *ec_name;
} k_groups[] = {
    {CODEC_GROUP_X25519, "X25519", NID_X25519, 32, 32, EVP_PKEY_X25519, 253, NULL},
    {CODEC_GROUP_SECP256R1, "P-256", NID_X9_62_prime256v1, 65, 32, EVP_PKEY_EC, 256, "prime256v1"},
    {CODEC_GROUP_X448, "X448", NID_X448, 56, 56, EVP_PKEY_X448, 448, NULL},
    {CODEC_GROUP_SECP521R1, "P-521", NID_secp521r1, 133, 66, EVP_PKEY_EC, 521, "secp521r1"},
    {CODEC_GROUP_SECP384R1, "P-384", NID_secp384r1, 97, 48, EVP_PKEY_EC, 384, "secp384r1"},
    {CODEC_GROUP_FFDHE2048, "ffdhe2048", NID_ffdhe2048, 256, 256, EVP_PKEY_DH, 2048, NULL},
    {CODEC_GROUP_FFDHE3072, "ffdhe3072", NID_ffdhe3072, 384, 384, EVP_PKEY_DH, 3072, NULL},
    {CODEC_GROUP_FFDHE4096, "ffdhe4096", NID_ffdhe4096, 512, 512, EVP_PKEY_DH, 4096, NULL},
    {CODEC_GROUP_FFDHE6144, "ffdhe6144", NID_ffdhe6144, 768, 768, EVP_PKEY_DH, 6144, NULL},
    {CODEC_GROUP_FFDHE8192, "ffdhe8192", NID_ffdhe8192, 1024, 1024, EVP_PKEY_DH, 8192, NULL},
};
#define NUM_GROUPS (sizeof(k_groups) / sizeof(k_groups[0]))

/* derive_fails: kex_derive refuses |peer| with illegal_parameter and
 * |reason| on the error queue. */
static int derive_fails(uint16_t group, EVP_PKEY *key, const uint8_t *peer, size_t len, int reason)
{
    uint8_t out[HS_MAX_KEX];
    size_t out_len = 0;
    uint8_t alert = 0;
    ERR_clear_error();
    int r = kex_derive(group, key, peer, len, out, &out_len, &alert);
    unsigned long e = ERR_peek_last_error();
    int ok = r == 0 && alert == CODEC_ALERT_ILLEGAL_PARAMETER && ERR_GET_LIB(e) == ERR_LIB_SSL &&
             ERR_GET_REASON(e) == reason;
    if (!ok)
        fprintf(stderr, "  group 0x%04x len %zu: ret %d alert %u reason %d (want %d)\n", group, len,
                r, alert, ERR_GET_REASON(e), reason);
    ERR_clear_error();
    return ok;
}

/* ---- kex.c ---- */

/* Two fresh keys in every group agree, with the lengths RFC 8446 fixes. */
static void test_every_group_agrees(void)
{
    for (size_t i = 0; i < NUM_GROUPS; i++) {
        uint16_t g = k_groups[i].group;
        EVP_PKEY *a = NULL, *b = NULL;
        uint8_t pa[HS_MAX_KEX], pb[HS_MAX_KEX], sa[HS_MAX_KEX], sb[HS_MAX_KEX];
        size_t la = 0, lb = 0, na = 0, nb = 0;
        uint8_t alert = 0;
        CHECK(kex_supported(g));
        CHECK_EQ_INT(kex_share_len(g), k_groups[i].share_len);
        CHECK(kex_keygen(g, &a, pa, &la) && kex_keygen(g, &b, pb, &lb));
        CHECK_EQ_INT(la, k_groups[i].share_len);
        CHECK_EQ_INT(lb, k_groups[i].share_len);
        CHECK(kex_derive(g, a, pb, lb, sa, &na, &alert));
        CHECK(kex_derive(g, b, pa, la, sb, &nb, &alert));
        CHECK_EQ_INT(na, k_groups[i].secret_len);
        CHECK_EQ_MEM(sa, na, sb, nb);
        if (k_groups[i].ec_name != NULL)
            CHECK(pa[0] == 4 && pb[0] == 4);
        /* the same exchange again, through the per-thread cached peer key */
        if (g == CODEC_GROUP_X25519 || g == CODEC_GROUP_X448) {
            CHECK(kex_derive(g, a, pb, lb, sa, &na, &alert));
            CHECK_EQ_MEM(sa, na, sb, nb);
        }
        EVP_PKEY_free(a);
        EVP_PKEY_free(b);
    }
    EVP_PKEY *k = NULL;
    uint8_t p[HS_MAX_KEX];
    size_t l;
    CHECK(!kex_supported(0x0016) && kex_share_len(0x0016) == 0);
    CHECK(!kex_keygen(0x0016, &k, p, &l));
    ERR_clear_error();
}

/* RFC 8446 4.2.8: a share of any other length is illegal_parameter. */
static void test_wrong_lengths(void)
{
    for (size_t i = 0; i < NUM_GROUPS; i++) {
        uint16_t g = k_groups[i].group;
        EVP_PKEY *a = NULL, *b = NULL;
        uint8_t pa[HS_MAX_KEX], pb[HS_MAX_KEX + 1];
        size_t la, lb;
        REQUIRE(kex_keygen(g, &a, pa, &la) && kex_keygen(g, &b, pb, &lb));
        pb[lb] = 0;
        CHECK(derive_fails(g, a, pb, lb - 1, SSL_R_BAD_KEY_SHARE));
        CHECK(derive_fails(g, a, pb, lb + 1, SSL_R_BAD_KEY_SHARE));
        CHECK(derive_fails(g, a, pb, 0, SSL_R_BAD_KEY_SHARE));
        CHECK(derive_fails(g, a, pb, 1, SSL_R_BAD_KEY_SHARE));
        EVP_PKEY_free(a);
        EVP_PKEY_free(b);
    }
}

/* RFC 8446 4.2.8.2: uncompressed points on the curve only. */
static void test_ec_points(void)
{
    static const uint16_t curves[] = {CODEC_GROUP_SECP256R1, CODEC_GROUP_SECP384R1,
                                      CODEC_GROUP_SECP521R1};
    for (size_t i = 0; i < 3; i++) {
        uint16_t g = curves[i];
        EVP_PKEY *a = NULL, *b = NULL;
        uint8_t pa[HS_MAX_KEX], pb[HS_MAX_KEX], bad[HS_MAX_KEX];
        size_t la, lb;
        REQUIRE(kex_keygen(g, &a, pa, &la) && kex_keygen(g, &b, pb, &lb));
        size_t coord = (lb - 1) / 2;
        /* the compressed form (right length for nothing) */
        bad[0] = (uint8_t)(2 + (pb[lb - 1] & 1));
        memcpy(bad + 1, pb + 1, coord);
        CHECK(derive_fails(g, a, bad, 1 + coord, SSL_R_BAD_KEY_SHARE));
        /* the uncompressed length with another form byte (hybrid, compressed) */
        memcpy(bad, pb, lb);
        bad[0] = 6;
        CHECK(derive_fails(g, a, bad, lb, SSL_R_BAD_ECPOINT));
        bad[0] = 2;
        CHECK(derive_fails(g, a, bad, lb, SSL_R_BAD_ECPOINT));
        /* off the curve: y changed */
        memcpy(bad, pb, lb);
        bad[lb - 1] ^= 1;
        CHECK(derive_fails(g, a, bad, lb, SSL_R_BAD_ECPOINT));
        /* (0, 0) is on none of them */
        memset(bad, 0, lb);
        bad[0] = 4;
        CHECK(derive_fails(g, a, bad, lb, SSL_R_BAD_ECPOINT));
        EVP_PKEY_free(a);
        EVP_PKEY_free(b);
    }
}

/* RFC 8446 7.4.2 / RFC 7748 6: small-order u-coordinates give the all-zero
 * secret, which is refused. */
static void test_x_zero_secret(void)
{
    uint8_t u[56];
    uint8_t p[HS_MAX_KEX];
    size_t l;
    EVP_PKEY *k25519 = NULL, *k448 = NULL;
    REQUIRE(kex_keygen(CODEC_GROUP_X25519, &k25519, p, &l));
    REQUIRE(kex_keygen(CODEC_GROUP_X448, &k448, p, &l));
    memset(u, 0, sizeof(u)); /* u = 0 */
    CHECK(derive_fails(CODEC_GROUP_X25519, k25519, u, 32, SSL_R_BAD_ECPOINT));
    CHECK(derive_fails(CODEC_GROUP_X448, k448, u, 56, SSL_R_BAD_ECPOINT));
    u[0] = 1; /* u = 1 (little-endian) */
    CHECK(derive_fails(CODEC_GROUP_X25519, k25519, u, 32, SSL_R_BAD_ECPOINT));
    CHECK(derive_fails(CODEC_GROUP_X448, k448, u, 56, SSL_R_BAD_ECPOINT));
    /* a point of order 8 on curve25519 */
    uint8_t o8[32];
    test_from_hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", o8,
                  sizeof(o8));
    CHECK(derive_fails(CODEC_GROUP_X25519, k25519, o8, 32, SSL_R_BAD_ECPOINT));
    /* a good share still works afterwards (the cached peer key recovers) */
    EVP_PKEY *b = NULL;
    uint8_t pb[HS_MAX_KEX], s1[HS_MAX_KEX];
    size_t lb, n;
    uint8_t alert;
    REQUIRE(kex_keygen(CODEC_GROUP_X25519, &b, pb, &lb));
    CHECK(kex_derive(CODEC_GROUP_X25519, k25519, pb, lb, s1, &n, &alert) && n == 32);
    EVP_PKEY_free(b);
    EVP_PKEY_free(k25519);
    EVP_PKEY_free(k448);
}

/* dh_key: an ffdhe2048 (prime |p|) key pair with private exponent |x|
 * (public 2^x). */
static EVP_PKEY *dh_key(unsigned x, const BIGNUM *p)
{
    EVP_PKEY *pk = NULL;
    BIGNUM *priv = BN_new(), *pub = BN_new(), *two = BN_new();
    BN_CTX *bn = BN_CTX_new();
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *ps = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    if (priv && pub && two && bn && bld && ctx && BN_set_word(priv, x) && BN_set_word(two, 2) &&
        BN_mod_exp(pub, two, priv, p, bn) &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "ffdhe2048", 0) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub) &&
        (ps = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(ctx) > 0 &&
        EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_KEYPAIR, ps) != 1) {
        EVP_PKEY_free(pk);
        pk = NULL;
    }
    OSSL_PARAM_free(ps);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    BN_CTX_free(bn);
    BN_free(priv);
    BN_free(pub);
    BN_free(two);
    return pk;
}

/* RFC 7919 5.1 / RFC 8446 4.2.8.1: y of len(p) bytes with 1 < y < p-1;
 * RFC 8446 7.4.1: the secret keeps its leading zeros. */
static void test_ffdhe_values(void)
{
    const uint16_t g = CODEC_GROUP_FFDHE2048;
    EVP_PKEY *a = NULL;
    uint8_t pa[HS_MAX_KEX], y[256], out[HS_MAX_KEX];
    size_t la, n = 0;
    uint8_t alert = 0;
    BIGNUM *p = NULL, *v = BN_new();
    REQUIRE(v != NULL && kex_keygen(g, &a, pa, &la));
    REQUIRE(EVP_PKEY_get_bn_param(a, OSSL_PKEY_PARAM_FFC_P, &p) && BN_num_bytes(p) == 256);

    memset(y, 0, sizeof(y)); /* 0 */
    CHECK(derive_fails(g, a, y, 256, SSL_R_BAD_DH_VALUE));
    y[255] = 1; /* 1 */
    CHECK(derive_fails(g, a, y, 256, SSL_R_BAD_DH_VALUE));
    y[255] = 2; /* 2: the generator, fine */
    CHECK(kex_derive(g, a, y, 256, out, &n, &alert) && n == 256);
    BN_bn2binpad(p, y, 256); /* p */
    CHECK(derive_fails(g, a, y, 256, SSL_R_BAD_DH_VALUE));
    REQUIRE(BN_copy(v, p) && BN_sub_word(v, 1) && BN_bn2binpad(v, y, 256) == 256); /* p-1 */
    CHECK(derive_fails(g, a, y, 256, SSL_R_BAD_DH_VALUE));
    REQUIRE(BN_sub_word(v, 1) && BN_bn2binpad(v, y, 256) == 256); /* p-2: fine */
    CHECK(kex_derive(g, a, y, 256, out, &n, &alert) && n == 256);
    REQUIRE(BN_add_word(v, 3) && BN_bn2binpad(v, y, 256) == 256); /* p+1 */
    CHECK(derive_fails(g, a, y, 256, SSL_R_BAD_DH_VALUE));
    memset(y, 0xff, sizeof(y)); /* 2^2048 - 1 > p */
    CHECK(derive_fails(g, a, y, 256, SSL_R_BAD_DH_VALUE));
    /* a short share: y = 2 without its leading zeros */
    y[0] = 2;
    CHECK(derive_fails(g, a, y, 1, SSL_R_BAD_KEY_SHARE));
    memset(y, 0, sizeof(y));
    y[254] = 2;
    CHECK(derive_fails(g, a, y + 1, 255, SSL_R_BAD_KEY_SHARE));
    /* a share of another group's length */
    CHECK(derive_fails(g, a, pa, 384, SSL_R_BAD_KEY_SHARE));

    /* The padded secret: private exponent 8 and the peer's y = 2 give
     * 2^8 = 0x0100, which must come out as 256 bytes. */
    EVP_PKEY *k8 = dh_key(8, p);
    REQUIRE(k8 != NULL);
    memset(y, 0, sizeof(y));
    y[255] = 2;
    memset(out, 0xaa, sizeof(out));
    CHECK(kex_derive(g, k8, y, 256, out, &n, &alert));
    CHECK_EQ_INT(n, 256);
    uint8_t want[256] = {0};
    want[254] = 1;
    CHECK_EQ_MEM(out, n, want, sizeof(want));
    /* and the other side of that exchange: our y = 2^8, their key */
    EVP_PKEY *k1 = dh_key(1, p); /* y = 2 */
    uint8_t y8[256] = {0};
    y8[254] = 1;
    REQUIRE(k1 != NULL);
    CHECK(kex_derive(g, k1, y8, 256, out, &n, &alert));
    CHECK_EQ_MEM(out, n, want, sizeof(want));
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k8);
    EVP_PKEY_free(a);
    BN_free(p);
    BN_free(v);
}

/* kex_public_key makes what SSL_get_peer_tmp_key returns. */
static void test_public_key(void)
{
    for (size_t i = 0; i < NUM_GROUPS; i++) {
        uint16_t g = k_groups[i].group;
        EVP_PKEY *a = NULL;
        uint8_t pa[HS_MAX_KEX];
        size_t la;
        REQUIRE(kex_keygen(g, &a, pa, &la));
        EVP_PKEY *pk = kex_public_key(g, pa, la);
        REQUIRE(pk != NULL);
        CHECK_EQ_INT(EVP_PKEY_get_id(pk), k_groups[i].pkey_id);
        CHECK_EQ_INT(EVP_PKEY_get_bits(pk), k_groups[i].bits);
        CHECK(EVP_PKEY_eq(pk, a) == 1); /* the same public value */
        if (k_groups[i].ec_name != NULL) {
            char name[64];
            size_t nl;
            CHECK(EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name),
                                                 &nl) &&
                  strcmp(name, k_groups[i].ec_name) == 0);
        }
        CHECK(kex_public_key(g, pa, la - 1) == NULL);
        ERR_clear_error();
        EVP_PKEY_free(pk);
        EVP_PKEY_free(a);
    }
}

/* ---- through the API ---- */

static void check_tmp_key(SSL *ssl, int peer, size_t gi)
{
    EVP_PKEY *k = NULL;
    long r = peer ? SSL_get_peer_tmp_key(ssl, &k) : SSL_get_tmp_key(ssl, &k);
    if (!CHECK(r == 1 && k != NULL)) {
        fprintf(stderr, "  %s %s tmp key, group %s\n", SSL_is_server(ssl) ? "server" : "client",
                peer ? "peer" : "own", k_groups[gi].name);
        return;
    }
    CHECK_EQ_INT(EVP_PKEY_get_id(k), k_groups[gi].pkey_id);
    CHECK_EQ_INT(EVP_PKEY_get_bits(k), k_groups[gi].bits);
    EVP_PKEY_free(k);
}

/* keys_match: the client's view of the server's key is the server's own. */
static int keys_match(SSL *c, SSL *s)
{
    EVP_PKEY *cp = NULL, *sp = NULL, *co = NULL, *so = NULL;
    int ok = SSL_get_peer_tmp_key(c, &cp) && SSL_get_tmp_key(s, &so) &&
             SSL_get_peer_tmp_key(s, &sp) && SSL_get_tmp_key(c, &co) && EVP_PKEY_eq(cp, so) == 1 &&
             EVP_PKEY_eq(sp, co) == 1 && EVP_PKEY_eq(cp, sp) != 1;
    EVP_PKEY_free(cp);
    EVP_PKEY_free(sp);
    EVP_PKEY_free(co);
    EVP_PKEY_free(so);
    return ok;
}

/* Every group end to end, the client offering only it, the server its
 * defaults (all groups). */
static void test_handshake_every_group(void)
{
    for (size_t i = 0; i < NUM_GROUPS; i++) {
        SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
        SSL *c, *s;
        REQUIRE(sctx && cctx);
        CHECK(SSL_CTX_set1_groups_list(cctx, k_groups[i].name) == 1);
        REQUIRE(pair_new(cctx, sctx, &c, &s));
        EVP_PKEY *k = NULL;
        CHECK(SSL_get_peer_tmp_key(c, &k) == 0 && k == NULL); /* nothing yet */
        if (!CHECK(pair_handshake(c, s)))
            fprintf(stderr, "  group %s\n", k_groups[i].name);
        CHECK(pair_roundtrip(c, s, "x"));
        CHECK_EQ_INT(SSL_get_negotiated_group(c), k_groups[i].nid);
        CHECK_EQ_INT(SSL_get_negotiated_group(s), k_groups[i].nid);
        check_tmp_key(c, 1, i);
        check_tmp_key(c, 0, i);
        check_tmp_key(s, 1, i);
        check_tmp_key(s, 0, i);
        CHECK(keys_match(c, s));
        /* a new reference each time */
        EVP_PKEY *k1 = NULL, *k2 = NULL;
        CHECK(SSL_get_peer_tmp_key(c, &k1) && SSL_get_peer_tmp_key(c, &k2) && k1 != k2);
        EVP_PKEY_free(k1);
        EVP_PKEY_free(k2);
        CHECK(strcmp(SSL_group_to_name(c, k_groups[i].nid), group_name(k_groups[i].group)) == 0);
        /* the server saw one shared group; a client knows none */
        CHECK_EQ_INT(SSL_get_shared_group(s, -1), 1);
        CHECK_EQ_INT(SSL_get_shared_group(s, 0), k_groups[i].nid);
        CHECK_EQ_INT(SSL_get_shared_group(c, -1), 0);
        /* SSL_clear forgets them */
        SSL_shutdown(c);
        CHECK(SSL_clear(c) == 1);
        CHECK(SSL_get_peer_tmp_key(c, &k) == 0 && SSL_get_tmp_key(c, &k) == 0);
        SSL_free(c);
        SSL_free(s);
        SSL_CTX_free(sctx);
        SSL_CTX_free(cctx);
    }
}

/* hrr_count: ServerHellos (HelloRetryRequest included) the client read. */
static int g_server_hellos;
static void count_sh_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                        SSL *ssl, void *arg)
{
    (void)version;
    (void)ssl;
    (void)arg;
    if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 &&
        ((const uint8_t *)buf)[0] == SSL3_MT_SERVER_HELLO)
        g_server_hellos++;
}

/* run_groups: a handshake with these groups lists; the negotiated NID (0 if
 * it failed), the number of ServerHellos in *out_sh. */
static int run_groups(const char *cgroups, const char *sgroups, int server_pref, int *out_sh,
                      long *out_shared, int *out_shared_at)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    SSL *c = NULL, *s = NULL;
    int nid = 0;
    if (sctx == NULL || cctx == NULL || SSL_CTX_set1_groups_list(cctx, cgroups) != 1 ||
        SSL_CTX_set1_groups_list(sctx, sgroups) != 1 || !pair_new(cctx, sctx, &c, &s))
        goto done;
    if (server_pref)
        SSL_set_options(s, SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_set_msg_callback(c, count_sh_cb);
    g_server_hellos = 0;
    if (pair_handshake(c, s) && keys_match(c, s) &&
        SSL_get_negotiated_group(c) == SSL_get_negotiated_group(s))
        nid = SSL_get_negotiated_group(c);
    *out_sh = g_server_hellos;
    if (out_shared != NULL) {
        *out_shared = SSL_get_shared_group(s, -1);
        for (long i = 0; i < 4; i++)
            out_shared_at[i] = SSL_get_shared_group(s, i);
    }
done:
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    return nid;
}

/* The server takes the client's share if it can (client's order), else
 * asks for its own first choice with a HelloRetryRequest. */
static void test_server_choice(void)
{
    int sh = 0;
    long n = 0;
    int at[4];
    /* share for P-521 accepted though the server prefers X448 */
    CHECK_EQ_INT(run_groups("P-521:ffdhe3072:X25519", "X448:X25519:P-521", 0, &sh, &n, at),
                 NID_secp521r1);
    CHECK_EQ_INT(sh, 1);
    /* shared groups in the client's order, or ours with server preference (as OpenSSL) */
    CHECK_EQ_INT(n, 2);
    CHECK(at[0] == NID_secp521r1 && at[1] == NID_X25519 && at[2] == 0);
    CHECK_EQ_INT(run_groups("P-521:ffdhe3072:X25519", "X448:X25519:P-521", 1, &sh, &n, at),
                 NID_secp521r1);
    CHECK(n == 2 && at[0] == NID_X25519 && at[1] == NID_secp521r1 && at[2] == 0);
    /* HelloRetryRequest into every kind of group */
    CHECK_EQ_INT(run_groups("X25519:X448", "X448", 0, &sh, NULL, NULL), NID_X448);
    CHECK_EQ_INT(sh, 2);
    CHECK_EQ_INT(run_groups("X448:P-521", "P-521:X25519", 0, &sh, NULL, NULL), NID_secp521r1);
    CHECK_EQ_INT(sh, 2);
    CHECK_EQ_INT(run_groups("P-256:ffdhe2048", "ffdhe3072:ffdhe2048", 0, &sh, NULL, NULL),
                 NID_ffdhe2048);
    CHECK_EQ_INT(sh, 2);
    CHECK_EQ_INT(run_groups("ffdhe2048:X25519", "P-384:X25519", 0, &sh, NULL, NULL), NID_X25519);
    CHECK_EQ_INT(sh, 2);
    /* nothing in common */
    CHECK_EQ_INT(run_groups("ffdhe2048", "X25519", 0, &sh, NULL, NULL), 0);
}

/* ---- EncryptedExtensions.supported_groups (RFC 8446 4.2.7) ---- */

/* What the client's message callback saw of the EncryptedExtensions: how
 * many arrived, and the body of the supported_groups extension (-1: none). */
static struct {
    int ee_seen;
    int server_hellos; /* a HelloRetryRequest counts */
    int groups_len;    /* -1: no supported_groups */
    uint8_t groups[64];
    int bad; /* the message did not parse */
} g_ee;

static void ee_cb(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl,
                  void *arg)
{
    (void)version;
    (void)ssl;
    (void)arg;
    const uint8_t *m = buf;
    if (write_p || content_type != SSL3_RT_HANDSHAKE || len < 4)
        return;
    if (m[0] == SSL3_MT_SERVER_HELLO)
        g_ee.server_hellos++;
    if (m[0] != SSL3_MT_ENCRYPTED_EXTENSIONS)
        return;
    g_ee.ee_seen++;
    /* msg_type, uint24 length, Extension extensions<0..2^16-1> */
    size_t body = (size_t)m[1] << 16 | (size_t)m[2] << 8 | m[3];
    if (body != len - 4 || body < 2 || ((size_t)m[4] << 8 | m[5]) != body - 2) {
        g_ee.bad = 1;
        return;
    }
    for (size_t i = 6; i < len;) {
        if (len - i < 4) {
            g_ee.bad = 1;
            return;
        }
        unsigned type = (unsigned)m[i] << 8 | m[i + 1];
        size_t n = (size_t)m[i + 2] << 8 | m[i + 3];
        if (len - i - 4 < n) {
            g_ee.bad = 1;
            return;
        }
        if (type == TLSEXT_TYPE_supported_groups) {
            if (g_ee.groups_len >= 0 || n > sizeof(g_ee.groups)) {
                g_ee.bad = 1;
                return;
            }
            memcpy(g_ee.groups, m + i + 4, n);
            g_ee.groups_len = (int)n;
        }
        i += 4 + n;
    }
}

/* ee_groups: a TLS 1.3 handshake with these groups lists (the client
 * sends a share for its first group only); the supported_groups body the
 * EncryptedExtensions carried, as hex into |hex| ("" when absent), and the
 * number of ServerHellos (a HelloRetryRequest counts) in *out_sh.  0 when
 * the handshake or the message failed. */
static int ee_groups(const char *cgroups, const char *sgroups, char *hex, size_t hex_cap,
                     int *out_sh)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    SSL *c = NULL, *s = NULL;
    int ok = 0;
    memset(&g_ee, 0, sizeof(g_ee));
    g_ee.groups_len = -1;
    hex[0] = 0;
    if (sctx == NULL || cctx == NULL || SSL_CTX_set1_groups_list(cctx, cgroups) != 1 ||
        SSL_CTX_set1_groups_list(sctx, sgroups) != 1 ||
        SSL_CTX_set_min_proto_version(cctx, TLS1_3_VERSION) != 1 || !pair_new(cctx, sctx, &c, &s))
        goto done;
    SSL_set_msg_callback(c, ee_cb);
    if (!pair_handshake(c, s))
        goto done;
    *out_sh = g_ee.server_hellos;
    ok = g_ee.ee_seen == 1 && !g_ee.bad;
    if (ok && g_ee.groups_len >= 0) {
        /* NamedGroup named_group_list<2..2^16-1> */
        size_t n = g_ee.groups_len >= 2 ? (size_t)g_ee.groups[0] << 8 | g_ee.groups[1] : 0;
        ok = n >= 2 && n % 2 == 0 && n + 2 == (size_t)g_ee.groups_len && 2 * n + 1 <= hex_cap;
        if (ok)
            test_to_hex(g_ee.groups + 2, n, hex);
    }
    if (!ok)
        fprintf(stderr, "  %s / %s: %d EncryptedExtensions, bad %d\n", cgroups, sgroups,
                g_ee.ee_seen, g_ee.bad);
done:
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    return ok;
}

/* RFC 8446 4.2.7: the server sends its supported_groups in
 * EncryptedExtensions exactly when the client's share was not for its
 * first choice, listing its groups in its own order (as OpenSSL 3.0:
 * `openssl s_server -groups P-256:X25519` answers `s_client -groups
 * X25519:P-256 -tlsextdebug` with "supported_groups (len=6)" 0004 0017
 * 001d, and says nothing when the share is for its first group). */
static void test_ee_supported_groups(void)
{
    char hex[129];
    int sh = 0;
    /* the client's X25519 share accepted, though the server prefers P-256 */
    CHECK(ee_groups("X25519:P-256", "P-256:X25519", hex, sizeof(hex), &sh));
    CHECK(strcmp(hex, "0017001d") == 0);
    CHECK_EQ_INT(sh, 1);
    /* the share is for the server's first choice: nothing to say */
    CHECK(ee_groups("X25519:P-256", "X25519:P-256", hex, sizeof(hex), &sh));
    CHECK(strcmp(hex, "") == 0);
    CHECK(ee_groups("P-256:X25519", "P-256:X25519", hex, sizeof(hex), &sh));
    CHECK(strcmp(hex, "") == 0);
    /* the client's only group is the server's last: the whole list, ours */
    CHECK(ee_groups("P-384", "X25519:X448:P-384", hex, sizeof(hex), &sh));
    CHECK(strcmp(hex, "001d001e0018") == 0);
    /* after a HelloRetryRequest for the server's first choice: nothing */
    CHECK(ee_groups("X448:P-256", "P-256:X25519", hex, sizeof(hex), &sh));
    CHECK(strcmp(hex, "") == 0);
    CHECK_EQ_INT(sh, 2);
    /* after one for a group the server ranks lower (its first the client lacks) */
    CHECK(ee_groups("X448:P-256", "X25519:P-256", hex, sizeof(hex), &sh));
    CHECK(strcmp(hex, "001d0017") == 0);
    CHECK_EQ_INT(sh, 2);
}

/* first_flight: the client's ClientHello (or the server's first flight
 * for it), through memory BIOs. */
static void mem_pair(SSL_CTX *cctx, SSL_CTX *sctx, SSL **c, SSL **s)
{
    *c = SSL_new(cctx);
    *s = SSL_new(sctx);
    SSL_set_bio(*c, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    SSL_set_bio(*s, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    BIO_set_mem_eof_return(SSL_get_rbio(*c), -1);
    BIO_set_mem_eof_return(SSL_get_rbio(*s), -1);
    SSL_set_connect_state(*c);
    SSL_set_accept_state(*s);
}

/* replace_share: in |buf|, the key_share entry of |group| with |len|
 * bytes gets |val| as its key_exchange. */
static int replace_share(uint8_t *buf, size_t n, uint16_t group, const uint8_t *val, size_t len)
{
    uint8_t hdr[4] = {(uint8_t)(group >> 8), (uint8_t)group, (uint8_t)(len >> 8), (uint8_t)len};
    /* from the end: the key_share comes after the lists that may hold the
     * same bytes (supported_groups, ec_point_formats) */
    for (size_t i = n >= 4 + len ? n - 4 - len + 1 : 0; i-- > 0;)
        if (memcmp(buf + i, hdr, 4) == 0) {
            memcpy(buf + i + 4, val, len);
            return 1;
        }
    return 0;
}

/* A bad share on the wire ends the handshake with illegal_parameter, on
 * either side. */
static void test_bad_share_on_the_wire(void)
{
    static const struct {
        const char *group;
        uint16_t id;
        size_t len;
        uint8_t last; /* the share: zeros, then this byte */
        int reason;
    } cases[] = {
        {"X25519", CODEC_GROUP_X25519, 32, 0, SSL_R_BAD_ECPOINT},
        {"X448", CODEC_GROUP_X448, 56, 0, SSL_R_BAD_ECPOINT},
        {"P-256", CODEC_GROUP_SECP256R1, 65, 0, SSL_R_BAD_ECPOINT},
        {"ffdhe2048", CODEC_GROUP_FFDHE2048, 256, 1, SSL_R_BAD_DH_VALUE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t val[256] = {0};
        val[cases[i].len - 1] = cases[i].last;
        for (int server_side = 1; server_side >= 0; server_side--) {
            SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
            SSL *c, *s;
            char *p;
            REQUIRE(sctx && cctx && SSL_CTX_set1_groups_list(cctx, cases[i].group) == 1);
            mem_pair(cctx, sctx, &c, &s);
            CHECK(SSL_do_handshake(c) == -1);
            long n = BIO_get_mem_data(SSL_get_wbio(c), &p);
            if (server_side)
                CHECK(replace_share((uint8_t *)p, (size_t)n, cases[i].id, val, cases[i].len));
            BIO_write(SSL_get_rbio(s), p, (int)n);
            (void)BIO_reset(SSL_get_wbio(c));
            ERR_clear_error();
            int r = SSL_do_handshake(s);
            SSL *victim = s;
            if (!server_side) {
                CHECK(r == -1 && SSL_get_error(s, r) == SSL_ERROR_WANT_READ);
                n = BIO_get_mem_data(SSL_get_wbio(s), &p);
                /* the ServerHello is in the clear */
                CHECK(replace_share((uint8_t *)p, (size_t)n, cases[i].id, val, cases[i].len));
                BIO_write(SSL_get_rbio(c), p, (int)n);
                r = SSL_do_handshake(c);
                victim = c;
            }
            unsigned long e = ERR_peek_last_error();
            if (!CHECK(r <= 0 && SSL_get_error(victim, r) == SSL_ERROR_SSL &&
                       victim->alert_sent == CODEC_ALERT_ILLEGAL_PARAMETER &&
                       ERR_GET_REASON(e) == cases[i].reason))
                fprintf(stderr, "  %s, bad share to the %s: alert %u reason %d\n", cases[i].group,
                        server_side ? "server" : "client", victim->alert_sent, ERR_GET_REASON(e));
            ERR_clear_error();
            SSL_free(c);
            SSL_free(s);
            SSL_CTX_free(sctx);
            SSL_CTX_free(cctx);
        }
    }
}

TEST_MAIN({
    pair_pki_init(&pki);
    RUN(test_every_group_agrees);
    RUN(test_wrong_lengths);
    RUN(test_ec_points);
    RUN(test_x_zero_secret);
    RUN(test_ffdhe_values);
    RUN(test_public_key);
    RUN(test_handshake_every_group);
    RUN(test_server_choice);
    RUN(test_ee_supported_groups);
    RUN(test_bad_share_on_the_wire);
    pair_pki_free(&pki);
})

/* Unit tests of the api/ layer: object lifetimes, BIO ownership, ctrl
 * semantics, configuration strings, certificates, verification, signatures
 * and error strings. */
#include "internal.h"

#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "auth/auth.h"
#include "handshake/hs.h"
#include "api/session_hooks.h"
#include "auth/sigalgs.h"
#include "codec/cipher_suites.h"
#include "codec/groups.h"
#include "testutil.h"

/* Weak stand-ins so this test links without the session and record layers;
 * the real build links the real ones. */
__attribute__((weak)) int sess_cache_init(SSL_CTX *ctx)
{
    (void)ctx;
    return 1;
}
__attribute__((weak)) void sess_cache_cleanup(SSL_CTX *ctx)
{
    (void)ctx;
}
__attribute__((weak)) int ticket_keys_init(SSL_CTX *ctx)
{
    (void)ctx;
    return 1;
}
__attribute__((weak)) void ticket_keys_cleanup(struct ticket_keys *tk)
{
    (void)tk;
}
__attribute__((weak)) void sess_connection_end(SSL *s)
{
    SSL_SESSION_free(s->session);
    s->session = NULL;
}
__attribute__((weak)) int sess_ctx_ctrl(SSL_CTX *ctx, int cmd, long larg, void *parg, long *r)
{
    (void)ctx;
    (void)cmd;
    (void)larg;
    (void)parg;
    (void)r;
    return 0;
}
__attribute__((weak)) int sess_ctx_callback_ctrl(SSL_CTX *ctx, int cmd, void (*fp)(void), long *r)
{
    (void)ctx;
    (void)cmd;
    (void)fp;
    (void)r;
    return 0;
}
__attribute__((weak)) void ssl_io_free(SSL *s)
{
    (void)s;
}
__attribute__((weak)) void SSL_SESSION_free(SSL_SESSION *sess)
{
    (void)sess;
}

static int bio_refs(BIO *b)
{
    /* BIO_up_ref + BIO_free never frees here since the caller holds a ref */
    (void)b;
    return 0;
}

static void test_ctx_ssl_lifetimes(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    REQUIRE(ctx != NULL);
    CHECK(SSL_CTX_up_ref(ctx) == 1);
    SSL_CTX_free(ctx); /* back to one reference */
    SSL *s = SSL_new(ctx);
    REQUIRE(s != NULL);
    CHECK(SSL_get_SSL_CTX(s) == ctx);
    CHECK_EQ_INT(atomic_load(&ctx->references), 3); /* ctx + session_ctx */
    CHECK(SSL_up_ref(s) == 1);
    SSL_free(s);
    CHECK(SSL_is_server(s) == 1); /* TLS_method: OpenSSL reports server until told */
    SSL_set_connect_state(s);
    CHECK(SSL_is_server(s) == 0);
    CHECK(SSL_in_init(s) && SSL_in_before(s) && !SSL_is_init_finished(s));
    CHECK(SSL_get_state(s) == TLS_ST_BEFORE);
    CHECK(strcmp(SSL_get_version(s), "unknown") == 0);
    SSL_free(s);
    CHECK_EQ_INT(atomic_load(&ctx->references), 1);
    SSL_CTX_free(ctx);

    SSL_CTX *c2 = SSL_CTX_new(TLS_client_method());
    SSL *s2 = SSL_new(c2);
    CHECK(SSL_is_server(s2) == 0);
    SSL_free(s2);
    SSL_CTX_free(c2);
    CHECK(SSL_CTX_new(NULL) == NULL);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_NULL_SSL_METHOD_PASSED);

    SSL_CTX *c12 = SSL_CTX_new(TLSv1_2_method());
    CHECK_EQ_INT(SSL_CTX_get_min_proto_version(c12), TLS1_2_VERSION);
    CHECK_EQ_INT(SSL_CTX_get_max_proto_version(c12), TLS1_2_VERSION);
    SSL_CTX_free(c12);
    (void)bio_refs;
}

static void test_set_bio_ownership(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *s = SSL_new(ctx);
    BIO *a = BIO_new(BIO_s_mem()), *b = BIO_new(BIO_s_mem()), *c = BIO_new(BIO_s_mem());
    /* keep our own references to observe frees */
    BIO_up_ref(a);
    BIO_up_ref(b);
    BIO_up_ref(c);

    SSL_set_bio(s, a, a); /* one ref handed over, two held */
    CHECK(SSL_get_rbio(s) == a && SSL_get_wbio(s) == a);
    SSL_set_bio(s, a, a); /* nothing changes, nothing taken */
    SSL_set_bio(s, b, c); /* both references to a dropped */
    CHECK(SSL_get_rbio(s) == b && SSL_get_wbio(s) == c);
    SSL_set_bio(s, b, a); /* only wbio changes: c freed, one ref to a taken */
    BIO_up_ref(a);        /* (balance: we handed over one) */
    CHECK(SSL_get_wbio(s) == a);
    SSL_free(s);
    /* now only our references remain: each BIO_free must be the last */
    CHECK(BIO_free(a) == 1);
    CHECK(BIO_free(b) == 1);
    CHECK(BIO_free(c) == 1);

    /* SSL_set_fd gives a socket BIO with NOCLOSE */
    s = SSL_new(ctx);
    CHECK(SSL_set_fd(s, 5) == 1);
    CHECK_EQ_INT(SSL_get_fd(s), 5);
    CHECK_EQ_INT(SSL_get_wfd(s), 5);
    CHECK(SSL_get_rbio(s) == SSL_get_wbio(s));
    CHECK(SSL_set_wfd(s, 6) == 1);
    CHECK_EQ_INT(SSL_get_wfd(s), 6);
    CHECK_EQ_INT(SSL_get_rfd(s), 5);
    SSL_free(s);
    SSL_CTX_free(ctx);
}

static void test_ctrl(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    CHECK(SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) == 1);
    CHECK_EQ_INT(SSL_CTX_get_min_proto_version(ctx), TLS1_3_VERSION);
    CHECK(SSL_CTX_set_max_proto_version(ctx, 0x1234) == 0);
    CHECK_EQ_INT(SSL_CTX_get_max_proto_version(ctx), 0);
    CHECK((SSL_CTX_get_mode(ctx) & SSL_MODE_AUTO_RETRY) != 0);
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    CHECK((SSL_CTX_get_mode(ctx) & SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER) != 0);
    CHECK(SSL_CTX_ctrl(ctx, 9999, 0, NULL) == 0);

    static const unsigned char alpn[] = "\x02h2\x08http/1.1";
    CHECK_EQ_INT(SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn) - 1), 0);
    CHECK_EQ_INT(SSL_CTX_set_alpn_protos(ctx, (const unsigned char *)"\x05h2", 3), 1);

    CHECK(SSL_CTX_set_cipher_list(ctx, "garbage:nothing") == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_NO_CIPHER_MATCH);
    CHECK(SSL_CTX_set_cipher_list(ctx, "TLS_AES_128_GCM_SHA256") == 0); /* 1.3 names don't count */
    ERR_clear_error();
    CHECK(SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:!aRSA") == 1);
    CHECK_EQ_INT(ctx->cfg.sh->num_suites12, 2);
    CHECK(SSL_CTX_set_cipher_list(ctx, "HIGH:!aNULL:+aRSA") == 1);
    CHECK_EQ_INT(ctx->cfg.sh->num_suites12, 9);
    CHECK(ctx->cfg.sh->suites12[3]->auth_nid == NID_auth_rsa &&
          ctx->cfg.sh->suites12[2]->auth_nid == NID_auth_ecdsa);
    CHECK(SSL_CTX_set_cipher_list(ctx, "AES128:ALL:@STRENGTH") == 1);
    CHECK_EQ_INT(ctx->cfg.sh->suites12[5]->bits, 256);
    CHECK_EQ_INT(ctx->cfg.sh->suites12[6]->bits, 128);
    CHECK(SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=1") == 1);
    CHECK_EQ_INT(SSL_CTX_get_security_level(ctx), 1);
    CHECK(SSL_CTX_set_ciphersuites(ctx, "TLS_CHACHA20_POLY1305_SHA256:bogus") == 1);
    CHECK_EQ_INT(ctx->cfg.sh->num_suites13, 1);
    CHECK(SSL_CTX_set_ciphersuites(ctx, "bogus") == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_NO_CIPHER_MATCH);
    CHECK(SSL_CTX_set_ciphersuites(ctx, "") == 1);
    CHECK_EQ_INT(ctx->cfg.sh->num_suites13, 0);
    CHECK_EQ_INT(sk_SSL_CIPHER_num(SSL_CTX_get_ciphers(ctx)), 9);

    /* OpenSSL 3.0's default groups, in its order */
    static const uint16_t default_groups[] = {
        GROUP_X25519,    GROUP_SECP256R1, GROUP_X448,      GROUP_SECP521R1, GROUP_SECP384R1,
        GROUP_FFDHE2048, GROUP_FFDHE3072, GROUP_FFDHE4096, GROUP_FFDHE6144, GROUP_FFDHE8192};
    CHECK_EQ_MEM(ctx->cfg.sh->groups, ctx->cfg.sh->num_groups * 2, default_groups,
                 sizeof(default_groups));
    CHECK(SSL_CTX_set1_groups_list(ctx, "P-384:x25519") == 1);
    CHECK_EQ_INT(ctx->cfg.sh->num_groups, 2);
    CHECK_EQ_INT(ctx->cfg.sh->groups[0], GROUP_SECP384R1);
    CHECK(SSL_CTX_set1_groups_list(ctx, "X25519:P-521") == 1);
    CHECK_EQ_INT(ctx->cfg.sh->num_groups, 2);
    CHECK_EQ_INT(ctx->cfg.sh->groups[1], GROUP_SECP521R1);
    /* every spelling OpenSSL accepts, and only those (case matters) */
    CHECK(SSL_CTX_set1_groups_list(ctx, "x25519:prime256v1:X448:secp521r1:P-384:ffdhe2048:"
                                        "ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192") == 1);
    CHECK_EQ_MEM(ctx->cfg.sh->groups, ctx->cfg.sh->num_groups * 2, default_groups,
                 sizeof(default_groups));
    CHECK(SSL_CTX_set1_groups_list(ctx, "x448:secp256r1:P-521:X25519") == 1);
    CHECK_EQ_INT(ctx->cfg.sh->num_groups, 4);
    CHECK(SSL_CTX_set1_groups_list(ctx, "SECP521R1") == 0);
    CHECK(SSL_CTX_set1_groups_list(ctx, "FFDHE2048") == 0);
    CHECK(SSL_CTX_set1_groups_list(ctx, "p-521") == 0);
    CHECK(SSL_CTX_set1_groups_list(ctx, "secp224r1:X448") == 1); /* secp224r1 skipped */
    CHECK_EQ_INT(ctx->cfg.sh->num_groups, 1);
    CHECK_EQ_INT(ctx->cfg.sh->groups[0], GROUP_X448);
    CHECK(SSL_CTX_set1_groups_list(ctx, "X25519:nonsense") == 0);
    CHECK(SSL_CTX_set1_groups_list(ctx, "X25519:X25519") == 0);
    CHECK(SSL_CTX_set1_groups_list(ctx, "P-521:secp521r1") == 0);
    ERR_clear_error();
    int nids[] = {NID_X9_62_prime256v1};
    CHECK(SSL_CTX_set1_groups(ctx, nids, 1) == 1);
    CHECK_EQ_INT(ctx->cfg.sh->groups[0], GROUP_SECP256R1);
    int nids2[] = {NID_ffdhe8192, NID_X448, NID_secp521r1, NID_ffdhe2048};
    CHECK(SSL_CTX_set1_groups(ctx, nids2, 4) == 1);
    CHECK_EQ_INT(ctx->cfg.sh->num_groups, 4);
    CHECK(ctx->cfg.sh->groups[0] == GROUP_FFDHE8192 && ctx->cfg.sh->groups[3] == GROUP_FFDHE2048);
    SSL *gs = SSL_new(ctx);
    CHECK(gs != NULL && strcmp(SSL_group_to_name(gs, NID_X448), "x448") == 0 &&
          strcmp(SSL_group_to_name(gs, NID_secp521r1), "secp521r1") == 0 &&
          strcmp(SSL_group_to_name(gs, NID_ffdhe4096), "ffdhe4096") == 0);
    SSL_free(gs);

    CHECK(SSL_CTX_set1_sigalgs_list(ctx, "ECDSA+SHA256:RSA-PSS+SHA256:ed25519") == 1);
    CHECK_EQ_INT(ctx->cfg.sh->num_sigalgs, 4);
    CHECK_EQ_INT(ctx->cfg.sh->sigalgs[1], SIGALG_RSA_PSS_RSAE_SHA256);
    CHECK(SSL_CTX_set1_sigalgs_list(ctx, "foo+SHA256") == 0);
    ERR_clear_error();

    SSL *s = SSL_new(ctx);
    CHECK(SSL_set_tlsext_host_name(s, "example.com") == 1);
    CHECK(strcmp(SSL_get_servername(s, TLSEXT_NAMETYPE_host_name), "example.com") == 0);
    CHECK(SSL_set_alpn_protos(s, alpn, sizeof(alpn) - 1) == 0);
    CHECK(SSL_get_min_proto_version(s) == TLS1_3_VERSION);
    CHECK(SSL_set_max_send_fragment(s, 1024) == 1);
    CHECK_EQ_INT(s->rl.max_frag, 1024);
    CHECK(SSL_set_max_send_fragment(s, 100) == 0);
    SSL_free(s);

    /* SRP is not supported: failure with an error queued */
    CHECK(SSL_CTX_set_srp_username(ctx, (char *)"user") == 0);
    CHECK(ERR_peek_error() != 0);
    ERR_clear_error();
    CHECK(SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"x", 40) == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_SSL_SESSION_ID_CONTEXT_TOO_LONG);
    SSL_CTX_free(ctx);
}

static void test_select_next_proto(void)
{
    unsigned char *out;
    unsigned char outlen;
    static const unsigned char srv[] = "\x08http/1.1\x02h2";
    static const unsigned char cli[] = "\x02h2\x08http/1.1";
    CHECK(SSL_select_next_proto(&out, &outlen, srv, sizeof(srv) - 1, cli, sizeof(cli) - 1) ==
          OPENSSL_NPN_NEGOTIATED);
    CHECK(outlen == 8 && memcmp(out, "http/1.1", 8) == 0);
    CHECK(SSL_select_next_proto(&out, &outlen,
                                (const unsigned char *)"\x03"
                                                       "abc",
                                4, cli, sizeof(cli) - 1) == OPENSSL_NPN_NO_OVERLAP);
    CHECK(outlen == 2 && memcmp(out, "h2", 2) == 0);
}

/* ---- certificates made on the fly ---- */

static EVP_PKEY *gen_key(const char *type, const char *curve)
{
    if (curve != NULL)
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
    if (strcmp(type, "RSA") == 0)
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    return EVP_PKEY_Q_keygen(NULL, NULL, type);
}

static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                       long not_before, long not_after, int ca)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(rand() & 0x7fffffff));
    X509_gmtime_adj(X509_getm_notBefore(x), not_before);
    X509_gmtime_adj(X509_getm_notAfter(x), not_after);
    X509_set_pubkey(x, key);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
    X509_EXTENSION *e;
    if (ca) {
        e = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE");
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
        e = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage, "critical,keyCertSign");
    } else {
        char san[128];
        snprintf(san, sizeof(san), "DNS:%s", cn);
        e = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
    }
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256());
    return x;
}

static void test_certs_and_keys(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    EVP_PKEY *k1 = gen_key("EC", "P-256"), *k2 = gen_key("EC", "P-256");
    EVP_PKEY *ed = gen_key("ED25519", NULL);
    X509 *c1 = make_cert(k1, "a.test", NULL, NULL, -60, 3600, 0);
    X509 *ced = make_cert(ed, "ed.test", NULL, NULL, -60, 3600, 0);

    ERR_clear_error();
    CHECK(SSL_CTX_check_private_key(ctx) == 0);
    CHECK(ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_NO_CERTIFICATE_ASSIGNED);
    ERR_clear_error();
    CHECK(SSL_CTX_use_certificate(ctx, c1) == 1);
    CHECK(SSL_CTX_use_PrivateKey(ctx, k2) == 0); /* mismatch */
    ERR_clear_error();
    CHECK(SSL_CTX_use_PrivateKey(ctx, k1) == 1);
    CHECK(SSL_CTX_check_private_key(ctx) == 1);
    CHECK(SSL_CTX_get0_certificate(ctx) == c1);
    /* a new certificate whose key differs drops the old key */
    X509 *c2 = make_cert(k2, "b.test", NULL, NULL, -60, 3600, 0);
    CHECK(SSL_CTX_use_certificate(ctx, c2) == 1);
    CHECK(SSL_CTX_get0_privatekey(ctx) == NULL);
    CHECK(SSL_CTX_use_PrivateKey(ctx, k2) == 1);
    CHECK(SSL_CTX_use_certificate(ctx, ced) == 1 && SSL_CTX_use_PrivateKey(ctx, ed) == 1);
    CHECK(SSL_CTX_add1_chain_cert(ctx, c1) == 1);

    /* files: PEM round trip through the chain-file loader */
    char path[] = "/tmp/sesame_test_api_XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    FILE *f = fdopen(fd, "w");
    PEM_write_X509(f, c2);
    PEM_write_X509(f, c1);
    fclose(f);
    CHECK(SSL_CTX_use_certificate_chain_file(ctx, path) == 1);
    CHECK(SSL_CTX_get0_certificate(ctx) == NULL ||
          X509_cmp(SSL_CTX_get0_certificate(ctx), c2) == 0);
    STACK_OF(X509) *chain = NULL;
    CHECK(SSL_CTX_get0_chain_certs(ctx, &chain) == 1);
    CHECK(chain != NULL && sk_X509_num(chain) == 1);
    STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(path);
    CHECK(names != NULL && sk_X509_NAME_num(names) == 2);
    sk_X509_NAME_pop_free(names, X509_NAME_free);
    CHECK(SSL_CTX_use_certificate_file(ctx, "/nonexistent", SSL_FILETYPE_PEM) == 0);
    ERR_clear_error();
    unlink(path);

    /* selection: a client offering only ed25519 gets the Ed25519 slot */
    SSL *s = SSL_new(ctx);
    s->version = TLS1_3_VERSION;
    static const uint8_t only_ed[] = {0x08, 0x07};
    static const uint8_t p384_only[] = {0x05, 0x03};
    static const uint8_t p256[] = {0x08, 0x04, 0x04, 0x03};
    CBS l;
    int slot;
    uint16_t alg;
#define SELECT(list)                                                                               \
    auth_select_cert(s->cfg.sh->certs, s->cfg.cert_current, AUTH_SLOTS_ALL, s->cfg.sh->sigalgs,    \
                     s->cfg.sh->num_sigalgs, list, 1, &slot, &alg)
    cbs_init(&l, only_ed, sizeof(only_ed));
    CHECK(SELECT(&l) == 1 && alg == SIGALG_ED25519 && s->cfg.sh->certs[slot].pkey == ed);
    cbs_init(&l, p256, sizeof(p256));
    CHECK(SELECT(&l) == 1 && alg == SIGALG_ECDSA_SECP256R1_SHA256);
    cbs_init(&l, p384_only, sizeof(p384_only));
    CHECK(SELECT(&l) == 0); /* P-256 key can't do 0x0503 */
#undef SELECT
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM);
    SSL_free(s);

    X509_free(c1);
    X509_free(c2);
    X509_free(ced);
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k2);
    EVP_PKEY_free(ed);
    SSL_CTX_free(ctx);
}

static void test_verify(void)
{
    EVP_PKEY *cak = gen_key("EC", "P-256"), *lk = gen_key("EC", "P-256");
    X509 *ca = make_cert(cak, "Test CA", NULL, NULL, -3600, 86400, 1);
    X509 *good = make_cert(lk, "server.test", ca, cak, -60, 3600, 0);
    X509 *expired = make_cert(lk, "server.test", ca, cak, -7200, -3600, 0);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    STACK_OF(X509) *chain = sk_X509_new_null();
    uint8_t alert = 0;

    SSL *s = SSL_new(ctx);
    SSL_set_connect_state(s);
    CHECK(SSL_set1_host(s, "server.test") == 1);
    sk_X509_push(chain, good);
    CHECK(hs_verify_chain(s, chain, &alert) == 1);
    CHECK_EQ_INT(SSL_get_verify_result(s), X509_V_OK);
    CHECK(SSL_get0_peername(s) != NULL && strcmp(SSL_get0_peername(s), "server.test") == 0);
    CHECK(SSL_get0_verified_chain(s) != NULL && sk_X509_num(SSL_get0_verified_chain(s)) == 2);
    SSL_free(s);

    s = SSL_new(ctx);
    SSL_set_connect_state(s);
    CHECK(SSL_set1_host(s, "other.test") == 1);
    CHECK(hs_verify_chain(s, chain, &alert) == 0);
    CHECK_EQ_INT(SSL_get_verify_result(s), X509_V_ERR_HOSTNAME_MISMATCH);
    CHECK_EQ_INT(alert, SSL_AD_BAD_CERTIFICATE);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_CERTIFICATE_VERIFY_FAILED);
    ERR_clear_error();
    SSL_free(s);

    sk_X509_set(chain, 0, expired);
    s = SSL_new(ctx);
    SSL_set_connect_state(s);
    CHECK(hs_verify_chain(s, chain, &alert) == 0);
    CHECK_EQ_INT(SSL_get_verify_result(s), X509_V_ERR_CERT_HAS_EXPIRED);
    CHECK_EQ_INT(alert, SSL_AD_CERTIFICATE_EXPIRED);
    ERR_clear_error();
    /* VERIFY_NONE: the result is only recorded */
    SSL_set_verify(s, SSL_VERIFY_NONE, NULL);
    CHECK(hs_verify_chain(s, chain, &alert) == 1);
    CHECK_EQ_INT(SSL_get_verify_result(s), X509_V_ERR_CERT_HAS_EXPIRED);
    SSL_free(s);

    /* an untrusted self-signed leaf -> unknown_ca */
    X509 *self = make_cert(lk, "server.test", NULL, NULL, -60, 3600, 0);
    sk_X509_set(chain, 0, self);
    s = SSL_new(ctx);
    SSL_set_connect_state(s);
    CHECK(hs_verify_chain(s, chain, &alert) == 0);
    CHECK_EQ_INT(alert, SSL_AD_UNKNOWN_CA);
    ERR_clear_error();
    SSL_free(s);
    CHECK(SSL_get_ex_data_X509_STORE_CTX_idx() >= 0);
    CHECK(SSL_get_ex_data_X509_STORE_CTX_idx() == SSL_get_ex_data_X509_STORE_CTX_idx());

    sk_X509_free(chain);
    X509_free(self);
    X509_free(ca);
    X509_free(good);
    X509_free(expired);
    EVP_PKEY_free(cak);
    EVP_PKEY_free(lk);
    SSL_CTX_free(ctx);
}

static void roundtrip(EVP_PKEY *k, uint16_t alg, int expect_tls13)
{
    uint8_t tbs[100], sig[1024];
    size_t sig_len = 0;
    memset(tbs, 0x20, 64);
    memcpy(tbs + 64, "TLS 1.3, server CertificateVerify", 33);
    if (!CHECK(sigalg_sign(k, alg, tbs, 97, sig, sizeof(sig), &sig_len) == 1)) {
        fprintf(stderr, "  sigalg %04x\n", alg);
        return;
    }
    CHECK_EQ_INT(sigalg_verify(k, alg, tbs, 97, sig, sig_len, 1), expect_tls13);
    CHECK_EQ_INT(sigalg_verify(k, alg, tbs, 97, sig, sig_len, 0), 1);
    sig[sig_len / 2] ^= 1;
    CHECK(sigalg_verify(k, alg, tbs, 97, sig, sig_len, 0) == 0);
    ERR_clear_error();
}

static void test_sigalgs(void)
{
    EVP_PKEY *p256 = gen_key("EC", "P-256"), *p384 = gen_key("EC", "P-384");
    EVP_PKEY *rsa = gen_key("RSA", NULL), *ed = gen_key("ED25519", NULL);
    roundtrip(p256, SIGALG_ECDSA_SECP256R1_SHA256, 1);
    roundtrip(p384, SIGALG_ECDSA_SECP384R1_SHA384, 1);
    roundtrip(p384, SIGALG_ECDSA_SECP256R1_SHA256, 0); /* curve mismatch only matters in 1.3 */
    roundtrip(rsa, SIGALG_RSA_PSS_RSAE_SHA256, 1);
    roundtrip(rsa, SIGALG_RSA_PSS_RSAE_SHA384, 1);
    roundtrip(rsa, SIGALG_RSA_PSS_RSAE_SHA512, 1);
    roundtrip(rsa, SIGALG_RSA_PKCS1_SHA256, 0);
    roundtrip(ed, SIGALG_ED25519, 1);
    uint8_t sig[512];
    size_t len;
    CHECK(sigalg_sign(ed, SIGALG_ECDSA_SECP256R1_SHA256, sig, 10, sig, sizeof(sig), &len) == 0);
    CHECK(ERR_GET_REASON(ERR_get_error()) == SSL_R_WRONG_SIGNATURE_TYPE);
    CHECK(sigalg_key_compatible(p256, SIGALG_ECDSA_SECP384R1_SHA384, 1) == 0);
    CHECK(sigalg_key_compatible(rsa, SIGALG_RSA_PSS_PSS_SHA256, 1) == 0);
    EVP_PKEY_free(p256);
    EVP_PKEY_free(p384);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ed);
}

static void test_strings(void)
{
    CHECK(OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, NULL) == 1);
    const char *r =
        ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_CERTIFICATE_VERIFY_FAILED));
    CHECK(r != NULL && strcmp(r, "certificate verify failed") == 0);
    CHECK(strcmp(SSL_alert_desc_string_long(48), "unknown CA") == 0);
    CHECK(strcmp(SSL_alert_desc_string_long(40), "handshake failure") == 0);
    CHECK(strcmp(SSL_alert_type_string_long(2 << 8 | 42), "fatal") == 0);
    const SSL_CIPHER *c = suite_by_value(0x1301);
    REQUIRE(c != NULL);
    CHECK(strcmp(SSL_CIPHER_get_name(c), "TLS_AES_128_GCM_SHA256") == 0);
    CHECK(strcmp(SSL_CIPHER_get_version(c), "TLSv1.3") == 0);
    CHECK_EQ_INT(SSL_CIPHER_get_id(c), 0x03001301);
    CHECK_EQ_INT(SSL_CIPHER_get_protocol_id(c), 0x1301);
    CHECK(SSL_CIPHER_get_handshake_digest(c) != NULL);
    CHECK(strcmp(OPENSSL_cipher_name("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
                 "ECDHE-RSA-AES128-GCM-SHA256") == 0);
    char buf[128];
    CHECK(SSL_CIPHER_description(suite_by_value(0x1302), buf, sizeof(buf)) != NULL);
    CHECK(strncmp(buf,
                  "TLS_AES_256_GCM_SHA384         TLSv1.3 Kx=any      Au=any   Enc=AESGCM(256)     "
                  "       Mac=AEAD",
                  95) == 0);
    CHECK(suite_by_name("ECDHE-ECDSA-CHACHA20-POLY1305") == suite_by_value(0xcca9));
}

TEST_MAIN({
    RUN(test_ctx_ssl_lifetimes);
    RUN(test_set_bio_ownership);
    RUN(test_ctrl);
    RUN(test_select_next_proto);
    RUN(test_certs_and_keys);
    RUN(test_verify);
    RUN(test_sigalgs);
    RUN(test_strings);
})

/* SSL_CONF_*: configuration commands, as OpenSSL 3.0 answers them. nginx's
 * ssl_conf_command runs them (file form, SSL_CONF_FLAG_SERVER |
 * SSL_CONF_FLAG_CERTIFICATE | SSL_CONF_FLAG_SHOW_ERRORS, on its SSL_CTX).
 *
 * The expectations were measured on the system libssl (3.0.19) with a
 * throwaway program running ~90 commands on both libraries and comparing
 * return values, errors, options, verify mode, version bounds, tickets,
 * certificate and key; this file uses the public API only and is also built
 * against the system libssl and run as unit.ssl_conf.openssl (the marker for
 * tests/CMakeLists.txt: "ctest-control: openssl"), so each expectation is
 * checked against OpenSSL on every run.  Where sesame answers otherwise
 * (docs/unsupported.md) nothing is checked here: the errors the setters
 * themselves queue for a bad group or signature algorithm name.  unit.conf
 * covers the whole command table, RecordPadding and the CA list. */
#include "testutil.h"

#include <unistd.h>

#include "control.h"
#include "pair.h"

static TEST_PKI pki;

#define FILE_SERVER                                                                                \
    (SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_CERTIFICATE |                       \
     SSL_CONF_FLAG_SHOW_ERRORS)

static SSL_CONF_CTX *conf_new(unsigned flags, SSL_CTX *ctx)
{
    SSL_CONF_CTX *c = SSL_CONF_CTX_new();
    if (c == NULL)
        return NULL;
    CHECK_EQ_INT(SSL_CONF_CTX_set_flags(c, flags), flags);
    if (ctx != NULL)
        SSL_CONF_CTX_set_ssl_ctx(c, ctx);
    return c;
}

/* The reason of the last queued error, and whether its data is |data|;
 * clears the queue. */
static int last_error(const char *data)
{
    const char *d = NULL;
    int flags = 0;
    unsigned long e = 0, x;
    while ((x = ERR_get_error_all(NULL, NULL, NULL, &d, &flags)) != 0)
        e = x;
    if (data != NULL && !CHECK(e != 0 && (flags & ERR_TXT_STRING) && strcmp(d, data) == 0))
        fprintf(stderr, "  error data: '%s', expected '%s'\n", (flags & ERR_TXT_STRING) ? d : "",
                data);
    return ERR_GET_REASON(e);
}

static const char *first_cipher(SSL_CTX *ctx)
{
    STACK_OF(SSL_CIPHER) *sk = SSL_CTX_get_ciphers(ctx);
    return sk_SSL_CIPHER_num(sk) > 0 ? SSL_CIPHER_get_name(sk_SSL_CIPHER_value(sk, 0)) : "";
}

/* What nginx does for "ssl_conf_command Options -SessionTicket;" and
 * "ssl_conf_command Ciphersuites TLS_CHACHA20_POLY1305_SHA256;", then a
 * handshake with the context: no ticket in TLS 1.2, the suite in TLS 1.3. */
static void test_nginx_commands(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    REQUIRE(sctx && cctx);
    SSL_CONF_CTX *c = conf_new(FILE_SERVER, sctx);
    REQUIRE(c != NULL);
    ERR_clear_error();
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Options", "-SessionTicket"), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"), 2);
    CHECK_EQ_INT(SSL_CONF_CTX_finish(c), 1);
    CHECK_EQ_INT(ERR_peek_error(), 0);
    SSL_CONF_CTX_free(c);
    CHECK(SSL_CTX_get_options(sctx) & SSL_OP_NO_TICKET);
    CHECK(strcmp(first_cipher(sctx), "TLS_CHACHA20_POLY1305_SHA256") == 0);

    SSL *cl, *sv;
    REQUIRE(pair_new(cctx, sctx, &cl, &sv));
    REQUIRE(pair_handshake(cl, sv));
    CHECK(strcmp(SSL_CIPHER_get_name(SSL_get_current_cipher(cl)), "TLS_CHACHA20_POLY1305_SHA256") ==
          0);
    SSL_free(cl);
    SSL_free(sv);

    SSL_CTX_set_max_proto_version(cctx, TLS1_2_VERSION);
    REQUIRE(pair_new(cctx, sctx, &cl, &sv));
    REQUIRE(pair_handshake(cl, sv));
    SSL_SESSION *sess = SSL_get1_session(cl);
    REQUIRE(sess != NULL);
    CHECK(!SSL_SESSION_has_ticket(sess)); /* no TLS 1.2 ticket */
    SSL_SESSION_free(sess);
    SSL_free(cl);
    SSL_free(sv);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* Options: names without regard to case, a comma-separated list (spaces
 * allowed), + or - before a name; only names for the context's role. */
static void test_options(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    REQUIRE(ctx != NULL);
    SSL_CONF_CTX *c = conf_new(FILE_SERVER, ctx);
    REQUIRE(c != NULL);
    uint64_t base = SSL_CTX_get_options(ctx);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "OPTIONS", "-sessionticket, ServerPreference"), 2);
    CHECK_EQ_INT(SSL_CTX_get_options(ctx) & ~base,
                 SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "options", "SessionTicket,-ServerPreference,+PrioritizeChaCha"),
                 2);
    CHECK_EQ_INT(SSL_CTX_get_options(ctx) & ~base, SSL_OP_PRIORITIZE_CHACHA);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Options", "-MiddleboxCompat"), 2);
    CHECK(!(SSL_CTX_get_options(ctx) & SSL_OP_ENABLE_MIDDLEBOX_COMPAT));
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Options", "Bugs"), 2);
    CHECK_EQ_INT(SSL_CTX_get_options(ctx) & SSL_OP_ALL, SSL_OP_ALL);
    /* an unknown name, an empty list or element: a bad value */
    ERR_clear_error();
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Options", "Bogus"), 0);
    CHECK_EQ_INT(last_error("cmd=Options, value=Bogus"), SSL_R_BAD_VALUE);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Options", ""), 0);
    CHECK_EQ_INT(last_error("cmd=Options, value="), SSL_R_BAD_VALUE);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Options", ","), 0);
    CHECK_EQ_INT(last_error(NULL), SSL_R_BAD_VALUE);
    /* no value: -3 */
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Options", NULL), -3);
    CHECK_EQ_INT(last_error("cmd=Options, value=<EMPTY>"), SSL_R_BAD_VALUE);
    SSL_CONF_CTX_free(c);

    /* a client context: ServerPreference is not one of its names */
    c = conf_new(SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT | SSL_CONF_FLAG_SHOW_ERRORS, ctx);
    REQUIRE(c != NULL);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Options", "ServerPreference"), 0);
    CHECK_EQ_INT(last_error("cmd=Options, value=ServerPreference"), SSL_R_BAD_VALUE);
    SSL_CONF_CTX_free(c);
    /* neither role: no name applies; without SHOW_ERRORS nothing is queued */
    c = conf_new(SSL_CONF_FLAG_FILE, ctx);
    REQUIRE(c != NULL);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Options", "SessionTicket"), 0);
    CHECK_EQ_INT(ERR_peek_error(), 0);
    SSL_CONF_CTX_free(c);
    SSL_CTX_free(ctx);
}

/* Unknown commands, commands not allowed by the flags, a NULL command. */
static void test_unknown_and_allowed(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    REQUIRE(ctx != NULL);
    SSL_CONF_CTX *c =
        conf_new(SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_SHOW_ERRORS, ctx);
    REQUIRE(c != NULL);
    ERR_clear_error();
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Bogus", "x"), -2);
    CHECK_EQ_INT(last_error("cmd=Bogus"), SSL_R_UNKNOWN_CMD_NAME);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "-Options", "SessionTicket"), -2); /* file form has no prefix */
    CHECK_EQ_INT(last_error("cmd=-Options"), SSL_R_UNKNOWN_CMD_NAME);
    /* certificate commands need SSL_CONF_FLAG_CERTIFICATE */
    CHECK_EQ_INT(SSL_CONF_cmd(c, "PrivateKey", "x"), -2);
    CHECK_EQ_INT(last_error("cmd=PrivateKey"), SSL_R_UNKNOWN_CMD_NAME);
    CHECK_EQ_INT(SSL_CONF_cmd_value_type(c, "Certificate"), SSL_CONF_TYPE_UNKNOWN);
    CHECK_EQ_INT(SSL_CONF_cmd(c, NULL, "x"), 0);
    CHECK_EQ_INT(last_error(NULL), SSL_R_INVALID_NULL_CMD_NAME);
    SSL_CONF_CTX_free(c);
    /* server-only commands in a client context */
    c = conf_new(SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT | SSL_CONF_FLAG_SHOW_ERRORS, ctx);
    REQUIRE(c != NULL);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "NumTickets", "4"), -2);
    CHECK_EQ_INT(last_error("cmd=NumTickets"), SSL_R_UNKNOWN_CMD_NAME);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "ECDHParameters", "X25519"), -2);
    CHECK_EQ_INT(last_error(NULL), SSL_R_UNKNOWN_CMD_NAME);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "VerifyMode", "Peer"), 2);
    CHECK_EQ_INT(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_PEER);
    SSL_CONF_CTX_free(c);
    /* without SHOW_ERRORS: the same answers, nothing queued */
    c = conf_new(SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_SERVER, ctx);
    REQUIRE(c != NULL);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Bogus", "x"), -2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Options", "Bogus"), 0);
    CHECK_EQ_INT(ERR_peek_error(), 0);
    SSL_CONF_CTX_free(c);
    SSL_CTX_free(ctx);
}

/* The value commands, on the context's getters. */
static void test_value_commands(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    REQUIRE(ctx != NULL);
    SSL_CONF_CTX *c = conf_new(FILE_SERVER, ctx);
    REQUIRE(c != NULL);
    ERR_clear_error();
    CHECK_EQ_INT(SSL_CONF_cmd(c, "MinProtocol", "TLSv1.2"), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "MaxProtocol", "TLSv1.3"), 2);
    CHECK_EQ_INT(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
    CHECK_EQ_INT(SSL_CTX_get_max_proto_version(ctx), TLS1_3_VERSION);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "MinProtocol", "tlsv1.2"), 0); /* version names: exact */
    CHECK_EQ_INT(last_error("cmd=MinProtocol, value=tlsv1.2"), SSL_R_BAD_VALUE);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "MinProtocol", "DTLSv1.2"), 2); /* valid, not for TLS */
    CHECK_EQ_INT(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "MinProtocol", "None"), 2);
    CHECK_EQ_INT(SSL_CTX_get_min_proto_version(ctx), 0);
    uint64_t base = SSL_CTX_get_options(ctx);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Protocol", "-ALL,TLSv1.3"), 2);
    CHECK_EQ_INT(SSL_CTX_get_options(ctx) & ~base,
                 SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_TLSv1_2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Protocol", "TLSv9"), 0);
    CHECK_EQ_INT(last_error(NULL), SSL_R_BAD_VALUE);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "CipherString", "ECDHE-ECDSA-CHACHA20-POLY1305"), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Ciphersuites", "TLS_AES_128_GCM_SHA256"), 2);
    CHECK(strcmp(first_cipher(ctx), "TLS_AES_128_GCM_SHA256") == 0);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Ciphersuites", "BOGUS"), 0);
    CHECK_EQ_INT(last_error("cmd=Ciphersuites, value=BOGUS"), SSL_R_BAD_VALUE);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Groups", "X25519:P-256"), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Curves", "secp384r1"), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "ECDHParameters", "secp384r1"), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "ECDHParameters", "automatic"), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "ECDHParameters", "X25519:P-256"), 0); /* one group only */
    CHECK_EQ_INT(last_error("cmd=ECDHParameters, value=X25519:P-256"), SSL_R_BAD_VALUE);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "SignatureAlgorithms", "ECDSA+SHA256:rsa_pss_rsae_sha256"), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "ClientSignatureAlgorithms", "ECDSA+SHA256"), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "NumTickets", "4"), 2);
    CHECK_EQ_INT(SSL_CTX_get_num_tickets(ctx), 4);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "NumTickets", "-1"), 0);
    CHECK_EQ_INT(last_error(NULL), SSL_R_BAD_VALUE);
    CHECK_EQ_INT(SSL_CTX_get_num_tickets(ctx), 4);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "NumTickets", "x"), 2); /* read as atoi: 0 */
    CHECK_EQ_INT(SSL_CTX_get_num_tickets(ctx), 0);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "VerifyMode", "Require"), 2);
    CHECK_EQ_INT(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "VerifyMode", "-Require,Request,Once"), 2);
    CHECK_EQ_INT(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "VerifyMode", "Peer"), 0); /* a client's */
    CHECK_EQ_INT(last_error(NULL), SSL_R_BAD_VALUE);
    CHECK_EQ_INT(SSL_CONF_CTX_finish(c), 1);
    SSL_CONF_CTX_free(c);

    /* no SSL_CTX: the values are accepted and go nowhere, but a version
     * bound cannot be checked without a method */
    c = conf_new(FILE_SERVER, NULL);
    REQUIRE(c != NULL);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Ciphersuites", "x"), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Options", "-SessionTicket"), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "MinProtocol", "TLSv1.2"), 0);
    CHECK_EQ_INT(last_error(NULL), SSL_R_BAD_VALUE);
    SSL_CONF_CTX_free(c);
    SSL_CTX_free(ctx);
}

/* Certificate and key files; with SSL_CONF_FLAG_REQUIRE_PRIVATE a missing
 * key is read from the certificate's file at finish. */
static void test_certificate_files(void)
{
    const char *dir = getenv("CERT_DIR"), *mk = getenv("MAKE_CERTS");
    if (dir == NULL || mk == NULL)
        SKIP("CERT_DIR / MAKE_CERTS not set (run under ctest)");
    char cmd[2200], cert[512], key[512], both[540], ca[512];
    snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>&1", mk, dir);
    REQUIRE(system(cmd) == 0);
    snprintf(cert, sizeof(cert), "%s/server.pem", dir);
    snprintf(key, sizeof(key), "%s/server.key", dir);
    snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
    snprintf(both, sizeof(both), "%s/conf-test-both-%ld.pem", dir, (long)getpid());
    snprintf(cmd, sizeof(cmd), "cat %s %s > %s", cert, key, both);
    REQUIRE(system(cmd) == 0);

    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    REQUIRE(ctx != NULL);
    SSL_CONF_CTX *c = conf_new(FILE_SERVER, ctx);
    REQUIRE(c != NULL);
    ERR_clear_error();
    CHECK_EQ_INT(SSL_CONF_cmd_value_type(c, "Certificate"), SSL_CONF_TYPE_FILE);
    CHECK_EQ_INT(SSL_CONF_cmd_value_type(c, "ChainCAPath"), SSL_CONF_TYPE_DIR);
    CHECK_EQ_INT(SSL_CONF_cmd_value_type(c, "VerifyCAStore"), SSL_CONF_TYPE_STORE);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Certificate", "/nonexistent"), 0);
    CHECK_EQ_INT(last_error("cmd=Certificate, value=/nonexistent"), SSL_R_BAD_VALUE);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Certificate", cert), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "PrivateKey", key), 2);
    CHECK_EQ_INT(SSL_CTX_check_private_key(ctx), 1);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "VerifyCAFile", ca), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "ChainCAFile", ca), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "VerifyCAFile", "/nonexistent"), 0);
    CHECK_EQ_INT(last_error("cmd=VerifyCAFile, value=/nonexistent"), SSL_R_BAD_VALUE);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "DHParameters", "/nonexistent"), 0);
    CHECK_EQ_INT(last_error("cmd=DHParameters, value=/nonexistent"), SSL_R_BAD_VALUE);
    CHECK_EQ_INT(SSL_CONF_CTX_finish(c), 1);
    SSL_CONF_CTX_free(c);
    SSL_CTX_free(ctx);

    ctx = SSL_CTX_new(TLS_method());
    REQUIRE(ctx != NULL);
    c = conf_new(FILE_SERVER | SSL_CONF_FLAG_REQUIRE_PRIVATE, ctx);
    REQUIRE(c != NULL);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Certificate", both), 2);
    CHECK(SSL_CTX_get0_privatekey(ctx) == NULL);
    CHECK_EQ_INT(SSL_CONF_CTX_finish(c), 1);
    CHECK(SSL_CTX_get0_privatekey(ctx) != NULL);
    CHECK_EQ_INT(SSL_CTX_check_private_key(ctx), 1);
    SSL_CONF_CTX_free(c);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    unlink(both);
}

/* Command lines: the "-" prefix (or one set), switches (1: no value used),
 * SSL_CONF_cmd_argv consuming its arguments. */
static void test_command_line(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    REQUIRE(ctx != NULL);
    SSL_CONF_CTX *c =
        conf_new(SSL_CONF_FLAG_CMDLINE | SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_SHOW_ERRORS, ctx);
    REQUIRE(c != NULL);
    ERR_clear_error();
    uint64_t base = SSL_CTX_get_options(ctx);
    CHECK_EQ_INT(SSL_CONF_cmd_value_type(c, "-no_ticket"), SSL_CONF_TYPE_NONE);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "-no_ticket", "ignored"), 1);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "-serverpref", NULL), 1);
    CHECK_EQ_INT(SSL_CTX_get_options(ctx) & ~base,
                 SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "-no_middlebox", NULL), 1);
    CHECK(!(SSL_CTX_get_options(ctx) & SSL_OP_ENABLE_MIDDLEBOX_COMPAT));
    CHECK_EQ_INT(SSL_CONF_cmd(c, "no_ticket", NULL), -2); /* no prefix */
    CHECK_EQ_INT(last_error("cmd=no_ticket"), SSL_R_UNKNOWN_CMD_NAME);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "-Options", "x"), -2); /* file form only */
    CHECK_EQ_INT(last_error("cmd=Options"), SSL_R_UNKNOWN_CMD_NAME);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "-min_protocol", "TLSv1.3"), 2);
    CHECK_EQ_INT(SSL_CTX_get_min_proto_version(ctx), TLS1_3_VERSION);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "-named_curve", "auto"), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "-cert", "x"), -2); /* no SSL_CONF_FLAG_CERTIFICATE */
    ERR_clear_error();

    char *args[] = {"-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256", "-no_tls1_2", "-other", "x", NULL};
    char **argv = args;
    int argc = 5;
    CHECK_EQ_INT(SSL_CONF_cmd_argv(c, &argc, &argv), 2);
    CHECK(argv == args + 2 && argc == 3);
    CHECK_EQ_INT(SSL_CONF_cmd_argv(c, &argc, &argv), 1);
    CHECK(argv == args + 3 && argc == 2);
    CHECK(SSL_CTX_get_options(ctx) & SSL_OP_NO_TLSv1_2);
    CHECK_EQ_INT(SSL_CONF_cmd_argv(c, &argc, &argv), 0); /* not ours: nothing consumed */
    CHECK(argv == args + 3 && argc == 2);
    ERR_clear_error();
    char *bad[] = {"-cipher", "NOTHING", NULL};
    argv = bad;
    argc = 2;
    CHECK_EQ_INT(SSL_CONF_cmd_argv(c, &argc, &argv), -1);
    CHECK(argv == bad && argc == 2);
    ERR_clear_error();

    /* another prefix */
    CHECK_EQ_INT(SSL_CONF_CTX_set1_prefix(c, "--"), 1);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "--no_renegotiation", NULL), 1);
    CHECK(SSL_CTX_get_options(ctx) & SSL_OP_NO_RENEGOTIATION);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "-no_renegotiation", NULL), -2);
    ERR_clear_error();
    SSL_CONF_CTX_free(c);
    SSL_CTX_free(ctx);
}

/* An SSL as the target: its options change, not its context's. */
static void test_ssl_target(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *s = ctx != NULL ? SSL_new(ctx) : NULL;
    REQUIRE(s != NULL);
    SSL_CONF_CTX *c = conf_new(FILE_SERVER, NULL);
    REQUIRE(c != NULL);
    SSL_CONF_CTX_set_ssl(c, s);
    uint64_t ctx_opts = SSL_CTX_get_options(ctx);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Options", "-SessionTicket"), 2);
    CHECK(SSL_get_options(s) & SSL_OP_NO_TICKET);
    CHECK_EQ_INT(SSL_CTX_get_options(ctx), ctx_opts);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "MinProtocol", "TLSv1.3"), 2);
    CHECK_EQ_INT(SSL_get_min_proto_version(s), TLS1_3_VERSION);
    CHECK_EQ_INT(SSL_CONF_CTX_finish(c), 1);
    SSL_CONF_CTX_free(c);
    SSL_free(s);
    SSL_CTX_free(ctx);
}

TEST_MAIN({
    pair_pki_init(&pki);
    CONTROL_RUN();
    RUN(test_nginx_commands);
    RUN(test_options);
    RUN(test_unknown_and_allowed);
    RUN(test_value_commands);
    RUN(test_certificate_files);
    RUN(test_command_line);
    RUN(test_ssl_target);
    pair_pki_free(&pki);
})

/* unit.ssl_config: sections of the configuration file applied to an SSL_CTX
 * or SSL (SSL_CTX_config, SSL_config, and the "system_default" section that
 * SSL_CTX_new applies), and the Certificate Transparency log store.
 *
 * The test writes a configuration and points OPENSSL_CONF at it before the
 * first call into the library (which loads the configuration once).  Public
 * API only: also built against the system libssl and run as
 * unit.ssl_config.openssl ("ctest-control: openssl"). */
#include <openssl/ct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "control.h"

static char g_conf[64] = "/tmp/sesame-unit-ssl-config.XXXXXX";

static int write_conf(void)
{
    int fd = mkstemp(g_conf);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL)
        return 0;
    fputs("openssl_conf = openssl_init\n"
          "[openssl_init]\n"
          "ssl_conf = ssl_sect\n"
          "[ssl_sect]\n"
          "system_default = sys_sect\n"
          "good = good_sect\n"
          "bad = bad_sect\n"
          "[sys_sect]\n"
          "Options = -SessionTicket\n"
          "[good_sect]\n"
          "MinProtocol = TLSv1.3\n"
          "Curves = P-384\n"
          "[bad_sect]\n"
          "NoSuchCommand = x\n"
          "MinProtocol = TLSv9\n"
          "Options = Bugs\n",
          f);
    return fclose(f) == 0;
}

/* the data of the last error queued, or "" */
static const char *last_error_data(unsigned long *out_reason)
{
    const char *data = NULL;
    int flags = 0;
    unsigned long e = ERR_peek_last_error_data(&data, &flags);
    *out_reason = e != 0 ? (unsigned long)ERR_GET_REASON(e) : 0;
    return data != NULL && (flags & ERR_TXT_STRING) ? data : "";
}

static void test_ssl_ctx_config(void)
{
    unsigned long reason;
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    REQUIRE(ctx != NULL);
    /* system_default: applied by SSL_CTX_new */
    CHECK(SSL_CTX_get_options(ctx) & SSL_OP_NO_TICKET);
    CHECK_EQ_INT(ERR_peek_error(), 0);
    CHECK_EQ_INT(SSL_CTX_config(ctx, "good"), 1);
    CHECK_EQ_INT(SSL_CTX_get_min_proto_version(ctx), TLS1_3_VERSION);
    CHECK_EQ_INT(ERR_peek_error(), 0);
    /* every command is tried; a failing one makes the result 0 (and, as in
     * OpenSSL 3.0, queues nothing) */
    CHECK_EQ_INT(SSL_CTX_config(ctx, "bad"), 0);
    CHECK((SSL_CTX_get_options(ctx) & SSL_OP_ALL) == SSL_OP_ALL);
    CHECK_EQ_INT(ERR_peek_error(), 0);
    /* an unknown section */
    CHECK_EQ_INT(SSL_CTX_config(ctx, "nosuch"), 0);
    CHECK(strcmp(last_error_data(&reason), "name=nosuch") == 0);
    CHECK_EQ_INT(reason, SSL_R_INVALID_CONFIGURATION_NAME);
    ERR_clear_error();
    CHECK_EQ_INT(SSL_CTX_config(ctx, NULL), 0);
    CHECK(strcmp(last_error_data(&reason), "name=<NULL>") == 0);
    ERR_clear_error();

    SSL *s = SSL_new(ctx);
    SSL_CTX *ctx2 = SSL_CTX_new(TLS_client_method());
    REQUIRE(s != NULL && ctx2 != NULL);
    CHECK_EQ_INT(SSL_CTX_set_min_proto_version(ctx, 0), 1);
    CHECK_EQ_INT(SSL_config(s, "good"), 1);
    CHECK_EQ_INT(SSL_get_min_proto_version(s), TLS1_3_VERSION);
    CHECK_EQ_INT(SSL_CTX_get_min_proto_version(ctx), 0);
    CHECK_EQ_INT(SSL_CTX_config(ctx2, "good"), 1); /* a client method: client commands */
    CHECK_EQ_INT(SSL_CTX_get_min_proto_version(ctx2), TLS1_3_VERSION);
    SSL_free(s);
    SSL_CTX_free(ctx2);
    SSL_CTX_free(ctx);
}

static void test_ctlog_store(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    REQUIRE(ctx != NULL);
    CHECK(SSL_CTX_get0_ctlog_store(ctx) != NULL);
    char path[64] = "/tmp/sesame-unit-ctlog.XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    REQUIRE(f != NULL);
    /* one log (key: a P-256 public key in base64 DER) */
    fputs("enabled_logs = test_log\n"
          "[test_log]\n"
          "description = test\n"
          "key = "
          "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEfahLEimAoz2t01p3uMziiLOl/"
          "fHTDM0YDOhBRuiBARsV4UvxG2LdNgoIGLrtCzWE0J5APC2em4JlvR8EEEFMoA==\n",
          f);
    fclose(f);
    CHECK_EQ_INT(SSL_CTX_set_ctlog_list_file(ctx, path), 1);
    CHECK_EQ_INT(SSL_CTX_set_ctlog_list_file(ctx, "/nonexistent/ct.cnf"), 0);
    ERR_clear_error();
    CTLOG_STORE *st = CTLOG_STORE_new();
    REQUIRE(st != NULL);
    SSL_CTX_set0_ctlog_store(ctx, st);
    CHECK(SSL_CTX_get0_ctlog_store(ctx) == st);
    unlink(path);
    SSL_CTX_free(ctx);
}

TEST_MAIN({
    if (!write_conf()) {
        fprintf(stderr, "cannot write %s\n", g_conf);
        return 1;
    }
    setenv("OPENSSL_CONF", g_conf, 1);
    CONTROL_RUN();
    RUN(test_ssl_ctx_config);
    RUN(test_ctlog_store);
    unlink(g_conf);
})

/* resume_client: keep the session of one TLS connection and resume it in the
 * next, the way docs/sessions.md describes.
 *
 *   resume_client [options] HOST PORT   two connections to an HTTPS-style
 *                                       server (it sends one GET request on
 *                                       each and reads the answer to the end)
 *   resume_client [options] -demo       the same with a server in this
 *                                       process, over memory BIOs: no network
 *
 * For each connection it prints one line, "new" for a full handshake or
 * "reused" for a resumed one:
 *
 *   connection 1: new, TLSv1.3, TLS_AES_256_GCM_SHA384, 2 session(s) received
 *   connection 2: reused, TLSv1.3, TLS_AES_256_GCM_SHA384, 2 session(s) received
 *
 * Only the OpenSSL 3.0 API is used; built with the project it is linked
 * against sesame's libssl.so.3. Exit status 0 when both connections worked
 * (whether or not the second one was resumed), 1 otherwise. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* What the application keeps between connections. */
struct app {
    SSL_SESSION *kept; /* the newest session the server gave us (one reference) */
    int received;      /* sessions announced on the current connection */
};

/* The new-session callback: the library calls it once for every session
 * that can be resumed (in TLS 1.3 once per ticket, after the handshake; in
 * TLS 1.2 once, at the end of a full handshake). Returning 1 tells the
 * library that we keep the reference it passed us. */
static int new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
    struct app *a = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    a->received++;
    SSL_SESSION_free(a->kept); /* an older one: the newest ticket is the one to use */
    a->kept = sess;
    return 1;
}

static void report(SSL *ssl, const struct app *a, int n)
{
    const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
    printf("connection %d: %s, %s, %s, %d session(s) received\n", n,
           SSL_session_reused(ssl) ? "reused" : "new", SSL_get_version(ssl),
           c != NULL ? SSL_CIPHER_get_name(c) : "(none)", a->received);
}

/* Prepares a client SSL: server name, expected certificate name, and the
 * session to offer (SSL_set_session takes a reference of its own). */
static SSL *client_ssl(SSL_CTX *ctx, struct app *a, const char *name)
{
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL)
        return NULL;
    unsigned char ip[16];
    int is_ip = inet_pton(AF_INET, name, ip) == 1 || inet_pton(AF_INET6, name, ip) == 1;
    int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name)
                   : SSL_set_tlsext_host_name(ssl, name) && SSL_set1_host(ssl, name);
    if (ok && a->kept != NULL)
        ok = SSL_set_session(ssl, a->kept);
    if (!ok) {
        SSL_free(ssl);
        return NULL;
    }
    a->received = 0;
    return ssl;
}

/* ---- over TCP ---------------------------------------------------------- */

static int tcp_connect(const char *host, const char *port)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_STREAM;
    int e = getaddrinfo(host, port, &hints, &res);
    if (e != 0) {
        fprintf(stderr, "resume_client: %s:%s: %s\n", host, port, gai_strerror(e));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        /* Never wait for ever on a silent server. */
        struct timeval tv = {10, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        fprintf(stderr, "resume_client: cannot connect to %s:%s\n", host, port);
    return fd;
}

/* One connection: handshake, a request, the whole answer (TLS 1.3 tickets
 * arrive while we read), then a proper shutdown, without which the session
 * of this connection would be considered bad and could not be resumed. */
static int tcp_connection(SSL_CTX *ctx, struct app *a, const char *host, const char *port,
                          const char *name, int n, int print)
{
    int fd = tcp_connect(host, port);
    if (fd < 0)
        return 0;
    SSL *ssl = client_ssl(ctx, a, name);
    int ok = ssl != NULL && SSL_set_fd(ssl, fd) && SSL_connect(ssl) == 1;
    if (ok) {
        char req[512];
        int len = snprintf(req, sizeof(req), "GET / HTTP/1.0\r\nHost: %s\r\n\r\n", name);
        ok = len > 0 && (size_t)len < sizeof(req) && SSL_write(ssl, req, len) == len;
    }
    while (ok) {
        char buf[4096];
        int r = SSL_read(ssl, buf, sizeof(buf));
        if (r > 0) {
            if (print)
                fwrite(buf, 1, (size_t)r, stdout);
            continue;
        }
        int err = SSL_get_error(ssl, r);
        /* ZERO_RETURN: the server's close_notify. A bare EOF ends the
         * answer of many HTTPS servers too; anything else is an error. */
        if (err != SSL_ERROR_ZERO_RETURN && !(err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0))
            ok = 0;
        break;
    }
    if (ok) {
        report(ssl, a, n);
        SSL_shutdown(ssl);
    } else {
        fprintf(stderr, "resume_client: connection %d failed\n", n);
        ERR_print_errors_fp(stderr);
    }
    SSL_free(ssl);
    close(fd);
    return ok;
}

/* ---- in-process demo: a server of our own over memory BIOs ----------------- */

/* A self-signed ECDSA P-256 certificate for "localhost". */
static X509 *self_signed(EVP_PKEY *key)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    X509V3_CTX v3;
    X509_EXTENSION *san = NULL;
    int ok = x != NULL && name != NULL && X509_set_version(x, 2) &&
             ASN1_INTEGER_set(X509_get_serialNumber(x), 1) &&
             X509_gmtime_adj(X509_getm_notBefore(x), -60) &&
             X509_gmtime_adj(X509_getm_notAfter(x), 3600) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                        (const unsigned char *)"localhost", -1, -1, 0) &&
             X509_set_subject_name(x, name) && X509_set_issuer_name(x, name) &&
             X509_set_pubkey(x, key);
    if (ok) {
        X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
        san = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "DNS:localhost");
        ok = san != NULL && X509_add_ext(x, san, -1) && X509_sign(x, key, EVP_sha256()) > 0;
    }
    X509_EXTENSION_free(san);
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* Runs both handshakes until done (each side's output is the other's input). */
static int pump_handshake(SSL *c, SSL *s)
{
    int cdone = 0, sdone = 0;
    for (int i = 0; i < 100 && !(cdone && sdone); i++) {
        if (!cdone) {
            int r = SSL_do_handshake(c);
            if (r == 1)
                cdone = 1;
            else if (SSL_get_error(c, r) != SSL_ERROR_WANT_READ)
                return 0;
        }
        if (!sdone) {
            int r = SSL_do_handshake(s);
            if (r == 1)
                sdone = 1;
            else if (SSL_get_error(s, r) != SSL_ERROR_WANT_READ)
                return 0;
        }
    }
    return cdone && sdone;
}

static int demo_connection(SSL_CTX *cctx, SSL_CTX *sctx, struct app *a, int n, int print)
{
    SSL *c = client_ssl(cctx, a, "localhost");
    SSL *s = SSL_new(sctx);
    BIO *cb = NULL, *sb = NULL;
    int ok = c != NULL && s != NULL && BIO_new_bio_pair(&cb, 0, &sb, 0);
    if (ok) {
        SSL_set_bio(c, cb, cb);
        SSL_set_bio(s, sb, sb);
        SSL_set_connect_state(c);
        SSL_set_accept_state(s);
        ok = pump_handshake(c, s);
    }
    /* The server writes; the client reads the tickets (TLS 1.3), then the data. */
    static const char hello[] = "hello from the in-process server\n";
    char buf[256];
    int r = 0;
    ok = ok && SSL_write(s, hello, (int)strlen(hello)) == (int)strlen(hello) &&
         (r = SSL_read(c, buf, sizeof(buf))) > 0;
    if (ok && print)
        fwrite(buf, 1, (size_t)r, stdout);
    if (ok) {
        report(c, a, n);
        /* Both sides close properly: client, server, then the client reads
         * the server's close_notify. */
        ok = SSL_shutdown(c) >= 0 && SSL_shutdown(s) >= 0 && SSL_shutdown(c) == 1;
    }
    if (!ok) {
        fprintf(stderr, "resume_client: demo connection %d failed\n", n);
        ERR_print_errors_fp(stderr);
    }
    SSL_free(c);
    SSL_free(s);
    return ok;
}

static SSL_CTX *demo_server_ctx(EVP_PKEY *key, X509 *cert, int version)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    static const unsigned char sid_ctx[] = "resume_client demo";
    if (ctx == NULL || !SSL_CTX_use_certificate(ctx, cert) || !SSL_CTX_use_PrivateKey(ctx, key) ||
        !SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1) ||
        (version != 0 && (!SSL_CTX_set_min_proto_version(ctx, version) ||
                          !SSL_CTX_set_max_proto_version(ctx, version)))) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* ---- main ------------------------------------------------------------------ */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: resume_client [options] HOST PORT\n"
            "       resume_client [options] -demo\n"
            "options:\n"
            "  -CAfile FILE      trust the certificates in FILE (default: the system's)\n"
            "  -servername NAME  name sent as SNI and checked in the certificate (default: HOST)\n"
            "  -tls1_2, -tls1_3  use only this protocol version\n"
            "  -print            print what the server sent\n");
}

int main(int argc, char **argv)
{
    const char *cafile = NULL, *servername = NULL, *host = NULL, *port = NULL;
    int version = 0, demo = 0, print = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-CAfile") == 0 && i + 1 < argc)
            cafile = argv[++i];
        else if (strcmp(argv[i], "-servername") == 0 && i + 1 < argc)
            servername = argv[++i];
        else if (strcmp(argv[i], "-tls1_2") == 0)
            version = TLS1_2_VERSION;
        else if (strcmp(argv[i], "-tls1_3") == 0)
            version = TLS1_3_VERSION;
        else if (strcmp(argv[i], "-demo") == 0)
            demo = 1;
        else if (strcmp(argv[i], "-print") == 0)
            print = 1;
        else if (strcmp(argv[i], "-help") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] != '-' && host == NULL)
            host = argv[i];
        else if (argv[i][0] != '-' && port == NULL)
            port = argv[i];
        else {
            usage(stderr);
            return 1;
        }
    }
    if (demo ? host != NULL : port == NULL) {
        usage(stderr);
        return 1;
    }

    struct app a = {NULL, 0};
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    SSL_CTX *sctx = NULL;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    int ok = ctx != NULL;
    if (ok) {
        /* Without SSL_SESS_CACHE_CLIENT a client never calls the
         * new-session callback; NO_INTERNAL_STORE: the callback is our
         * store, the SSL_CTX need not keep a list of its own. */
        SSL_CTX_set_session_cache_mode(ctx,
                                       SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
        SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
        SSL_CTX_set_app_data(ctx, &a);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        if (version != 0)
            ok = SSL_CTX_set_min_proto_version(ctx, version) &&
                 SSL_CTX_set_max_proto_version(ctx, version);
    }
    if (ok && demo) {
        ok = (key = EVP_EC_gen("P-256")) != NULL && (cert = self_signed(key)) != NULL &&
             X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), cert) &&
             (sctx = demo_server_ctx(key, cert, version)) != NULL;
    } else if (ok) {
        ok = cafile != NULL ? SSL_CTX_load_verify_locations(ctx, cafile, NULL)
                            : SSL_CTX_set_default_verify_paths(ctx);
    }
    if (!ok) {
        fprintf(stderr, "resume_client: setup failed\n");
        ERR_print_errors_fp(stderr);
    }

    for (int n = 1; ok && n <= 2; n++) {
        if (n == 2 && a.kept == NULL)
            printf("(the server sent no session: nothing to resume)\n");
        ok = demo ? demo_connection(ctx, sctx, &a, n, print)
                  : tcp_connection(ctx, &a, host, port, servername ? servername : host, n, print);
    }

    SSL_SESSION_free(a.kept);
    SSL_CTX_free(ctx);
    SSL_CTX_free(sctx);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ok ? 0 : 1;
}

/* sesame demo: a TLS 1.3 server thread and a client in one process over
 * loopback TCP, with an in-memory ECDSA P-256 CA and leaf certificate: a full
 * handshake, application data, the tickets arriving, and a resumed handshake. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "tools.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    int ok = e != NULL && X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok;
}

/* A certificate for key named cn, signed by issuer (self-signed if NULL). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                       long serial)
{
    X509 *x = X509_new();
    if (x == NULL)
        return NULL;
    X509_NAME *name = X509_get_subject_name(x);
    int ok = X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), serial) &&
             X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
             X509_gmtime_adj(X509_getm_notAfter(x), 86400) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                        0) &&
             X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) &&
             X509_set_pubkey(x, key);
    if (ok && issuer == NULL)
        ok = add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") &&
             add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
    else if (ok)
        ok = add_ext(x, issuer, NID_basic_constraints, "CA:FALSE") &&
             add_ext(x, issuer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") &&
             add_ext(x, issuer, NID_ext_key_usage, "serverAuth");
    if (!ok || !X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256())) {
        X509_free(x);
        return NULL;
    }
    return x;
}

struct server_arg {
    SSL_CTX *ctx;
    int lfd;
    int ok;
};

/* Serves two connections: handshake, echo one message, close. */
static void *server_main(void *p)
{
    struct server_arg *a = p;
    a->ok = 1;
    for (int i = 0; i < 2; i++) {
        int fd = accept(a->lfd, NULL, NULL);
        if (fd < 0) {
            a->ok = 0;
            break;
        }
        SSL *ssl = SSL_new(a->ctx);
        char buf[4096];
        int n;
        if (ssl == NULL || !SSL_set_fd(ssl, fd) || SSL_accept(ssl) != 1) {
            fprintf(stderr, "demo server: handshake failed\n");
            ERR_print_errors_fp(stderr);
            a->ok = 0;
        } else if ((n = SSL_read(ssl, buf, sizeof(buf))) > 0) {
            if (SSL_write(ssl, buf, n) != n)
                a->ok = 0;
            while (SSL_read(ssl, buf, sizeof(buf)) > 0)
                ; /* until the client's close_notify */
            SSL_shutdown(ssl);
        }
        SSL_free(ssl);
        close(fd);
    }
    return NULL;
}

static SSL_SESSION *newest;
static int tickets;

static int ticket_cb(SSL *ssl, SSL_SESSION *s)
{
    (void)ssl;
    tickets++;
    printf("  ticket %d received (lifetime %lus, resumable=%d)\n", tickets,
           SSL_SESSION_get_ticket_lifetime_hint(s), SSL_SESSION_is_resumable(s));
    SSL_SESSION_free(newest);
    newest = s;
    return 1;
}

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One client connection; returns 1 when everything in it worked. */
static int client_round(SSL_CTX *ctx, unsigned short port, SSL_SESSION *resume, long long *out_us,
                        int *out_reused)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        perror("demo: connect");
        if (fd >= 0)
            close(fd);
        return 0;
    }
    int ok = 0;
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL || !SSL_set_fd(ssl, fd) || !SSL_set_tlsext_host_name(ssl, "localhost") ||
        !SSL_set1_host(ssl, "localhost") || (resume && !SSL_set_session(ssl, resume)))
        goto out;
    long long t0 = now_us();
    if (SSL_connect(ssl) != 1) {
        fprintf(stderr, "demo: client handshake failed\n");
        goto out;
    }
    *out_us = now_us() - t0;
    *out_reused = SSL_session_reused(ssl);
    const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
    int nid = SSL_get_negotiated_group(ssl);
    const char *group = nid > 0 ? OBJ_nid2sn(nid) : NULL;
    long v = SSL_get_verify_result(ssl);
    printf("%s handshake: %s, %s, %s, group %s, verification %s, %lld us\n",
           resume ? "resumed" : "full", *out_reused ? "Reused" : "New", SSL_get_version(ssl),
           c ? SSL_CIPHER_get_name(c) : "(NONE)", group ? group : "(none)",
           v == X509_V_OK ? "OK" : X509_verify_cert_error_string(v), *out_us);
    if (v != X509_V_OK)
        goto out;

    static const char msg[] = "hello over TLS from the sesame demo\n";
    char buf[256];
    if (SSL_write(ssl, msg, (int)strlen(msg)) != (int)strlen(msg))
        goto out;
    printf("  sent:     %s", msg);
    int n = SSL_read(ssl, buf, sizeof(buf) - 1); /* tickets come before the echo */
    if (n <= 0)
        goto out;
    buf[n] = '\0';
    printf("  received: %s", buf);
    if ((size_t)n != strlen(msg) || memcmp(buf, msg, (size_t)n) != 0)
        goto out;
    SSL_shutdown(ssl);
    while (SSL_read(ssl, buf, sizeof(buf)) > 0)
        ;
    ok = 1;
out:
    if (!ok)
        ERR_print_errors_fp(stderr);
    SSL_free(ssl);
    close(fd);
    return ok;
}

int cmd_demo(int argc, char **argv)
{
    int help = 0;
    const struct opt tab[] = {
        {"help", OPT_FLAG, &help, "this text"},
        {NULL, 0, NULL, NULL},
    };
    if (!opts_parse(argc, argv, tab, "demo"))
        return 1;
    if (help) {
        opts_usage(stdout, "demo", tab);
        return 0;
    }
    int rc = 1, lfd = -1, started = 0;
    pthread_t th;
    struct server_arg sa = {0};
    SSL_CTX *sctx = NULL, *cctx = NULL;
    X509 *ca = NULL, *leaf = NULL;
    EVP_PKEY *ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY *leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    const char *lib = loaded_libssl_path();

    printf("sesame demo (libssl: %s)\n", lib ? lib : "?");
    if (ca_key == NULL || leaf_key == NULL ||
        (ca = make_cert(ca_key, "sesame demo CA", NULL, NULL, 1)) == NULL ||
        (leaf = make_cert(leaf_key, "localhost", ca, ca_key, 2)) == NULL) {
        fprintf(stderr, "demo: cannot create the certificates\n");
        goto out;
    }
    printf("generated an ECDSA P-256 CA and a leaf certificate for localhost\n");

    sctx = SSL_CTX_new(TLS_server_method());
    cctx = SSL_CTX_new(TLS_client_method());
    if (sctx == NULL || cctx == NULL || SSL_CTX_use_certificate(sctx, leaf) != 1 ||
        SSL_CTX_use_PrivateKey(sctx, leaf_key) != 1 ||
        !SSL_CTX_set_min_proto_version(sctx, TLS1_3_VERSION) ||
        !SSL_CTX_set_min_proto_version(cctx, TLS1_3_VERSION) ||
        X509_STORE_add_cert(SSL_CTX_get_cert_store(cctx), ca) != 1) {
        fprintf(stderr, "demo: context setup failed\n");
        goto out;
    }
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(cctx, ticket_cb);

    lfd = tcp_listen("127.0.0.1", "0");
    struct sockaddr_in addr;
    socklen_t alen = sizeof(addr);
    if (lfd < 0 || getsockname(lfd, (struct sockaddr *)&addr, &alen) != 0)
        goto out;
    sa.ctx = sctx;
    sa.lfd = lfd;
    if (pthread_create(&th, NULL, server_main, &sa) != 0)
        goto out;
    started = 1;
    unsigned short port = ntohs(addr.sin_port);
    printf("server listening on 127.0.0.1:%u\n\n", port);

    long long full_us = 0, res_us = 0;
    int reused = 0;
    if (!client_round(cctx, port, NULL, &full_us, &reused))
        goto out;
    if (tickets == 0 || newest == NULL) {
        fprintf(stderr, "demo: FAILED: no session ticket arrived\n");
        goto out;
    }
    printf("\n");
    SSL_SESSION *s = newest;
    SSL_SESSION_up_ref(s);
    int ok = client_round(cctx, port, s, &res_us, &reused);
    SSL_SESSION_free(s);
    if (!ok)
        goto out;
    printf("\nfull handshake %lld us, resumed handshake %lld us, SSL_session_reused()=%d\n",
           full_us, res_us, reused);
    if (!reused) {
        fprintf(stderr, "demo: FAILED: the second handshake did not resume the session\n");
        goto out;
    }
    rc = 0;
out:
    if (lfd >= 0)
        shutdown(lfd, SHUT_RDWR); /* wakes the server thread if it still waits */
    if (started) {
        pthread_join(th, NULL);
        if (!sa.ok)
            rc = 1;
    }
    if (lfd >= 0)
        close(lfd);
    if (rc != 0) {
        ERR_print_errors_fp(stderr);
        fprintf(stderr, "demo: FAILED\n");
    } else {
        printf("demo: OK\n");
    }
    SSL_SESSION_free(newest);
    newest = NULL;
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    X509_free(ca);
    X509_free(leaf);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(leaf_key);
    return rc;
}

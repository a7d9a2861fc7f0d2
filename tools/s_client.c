/* sesame s_client: connect, verify, print a summary block, then copy stdin
 * to the connection and the connection to stdout. Flags as `openssl s_client`. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "tools.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* State the callbacks share; one connection at a time. */
static struct {
    int verify_return_error;
    int verify_err;      /* first verification error of the current connection */
    int alert;           /* last alert received from the server, -1 if none */
    SSL_SESSION *latest; /* newest session from the new-session callback */
    int num_sessions;    /* sessions received so far */
    const char *sess_out;
    int sess_written;
    const char *psk_identity;
    unsigned char *psk;
    size_t psk_len;
} cli;

struct cli_opts {
    const char *connect, *servername, *cafile, *alpn, *cert, *key, *groups, *cipher, *suites;
    const char *sess_out, *sess_in, *psk_identity, *psk, *keylog, *verify_hostname;
    const char *min_proto, *max_proto, *keymatexport;
    int keymatexportlen;
    int noservername, verify_return_error, tls1_2, tls1_3, reconnect, quiet, brief, help, state;
};

static int verify_cb(int ok, X509_STORE_CTX *xs)
{
    if (!ok && cli.verify_err == X509_V_OK)
        cli.verify_err = X509_STORE_CTX_get_error(xs);
    return ok || !cli.verify_return_error;
}

static void info_cb(const SSL *ssl, int where, int ret)
{
    (void)ssl;
    if ((where & SSL_CB_READ_ALERT) == SSL_CB_READ_ALERT)
        cli.alert = ret;
}

static void write_session(SSL_SESSION *s)
{
    BIO *b = BIO_new_file(cli.sess_out, "w");
    if (b == NULL || PEM_write_bio_SSL_SESSION(b, s) != 1) {
        fprintf(stderr, "cannot write session to '%s'\n", cli.sess_out);
        ERR_print_errors_fp(stderr);
    } else {
        cli.sess_written = 1;
    }
    BIO_free(b);
}

/* Keeps the newest session (returning 1 keeps the reference). */
static int new_session_cb(SSL *ssl, SSL_SESSION *s)
{
    (void)ssl;
    SSL_SESSION_free(cli.latest);
    cli.latest = s;
    cli.num_sessions++;
    if (cli.sess_out != NULL)
        write_session(s);
    return 1;
}

static int psk_use_cb(SSL *ssl, const EVP_MD *md, const unsigned char **id, size_t *id_len,
                      SSL_SESSION **sess)
{
    *sess = NULL;
    *id = NULL;
    *id_len = 0;
    SSL_SESSION *s = psk_session_new(ssl, cli.psk, cli.psk_len);
    if (s == NULL)
        return 0;
    const EVP_MD *hd = SSL_CIPHER_get_handshake_digest(SSL_SESSION_get0_cipher(s));
    if (md != NULL && (hd == NULL || EVP_MD_get_type(md) != EVP_MD_get_type(hd))) {
        /* The handshake already uses another hash: offer no PSK. */
        SSL_SESSION_free(s);
        return 1;
    }
    *sess = s;
    *id = (const unsigned char *)cli.psk_identity;
    *id_len = strlen(cli.psk_identity);
    return 1;
}

/* print_tmp_key: the server's key share, in `openssl s_client`'s words
 * ("Server Temp Key: X25519, 253 bits", "ECDH, prime256v1, 256 bits",
 * "DH, 2048 bits"). */
static void print_tmp_key(SSL *ssl)
{
    EVP_PKEY *key = NULL;
    if (!SSL_get_peer_tmp_key(ssl, &key) || key == NULL)
        return;
    int id = EVP_PKEY_get_id(key), bits = EVP_PKEY_get_bits(key);
    if (id == EVP_PKEY_EC) {
        char name[80];
        size_t len;
        if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name),
                                            &len))
            strcpy(name, "?");
        printf("Server Temp Key: ECDH, %s, %d bits\n", name, bits);
    } else if (id == EVP_PKEY_DH) {
        printf("Server Temp Key: DH, %d bits\n", bits);
    } else {
        printf("Server Temp Key: %s, %d bits\n", OBJ_nid2sn(id), bits);
    }
    EVP_PKEY_free(key);
}

static void print_block(SSL *ssl, const struct cli_opts *o)
{
    const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
    const unsigned char *alpn = NULL;
    unsigned int alpn_len = 0;
    X509 *peer = SSL_get0_peer_certificate(ssl);
    char subj[512];

    printf("---\n");
    print_session_line(stdout, ssl);
    printf("Protocol: %s\n", SSL_get_version(ssl));
    printf("Cipher: %s\n", c ? SSL_CIPHER_get_name(c) : "(NONE)");
    if (peer != NULL) {
        X509_NAME_oneline(X509_get_subject_name(peer), subj, sizeof(subj));
        printf("Peer certificate: %s\n", subj);
    } else {
        printf("Peer certificate: none\n");
    }
    print_tmp_key(ssl);
    printf("Secure Renegotiation IS%s supported\n",
           SSL_get_secure_renegotiation_support(ssl) ? "" : " NOT");
    printf("Extended master secret: %s\n", SSL_get_extms_support(ssl) == 1 ? "yes" : "no");
    SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
    if (alpn_len > 0)
        printf("ALPN protocol: %.*s\n", (int)alpn_len, (const char *)alpn);
    else
        printf("No ALPN negotiated\n");
    long v = cli.verify_err != X509_V_OK ? cli.verify_err : SSL_get_verify_result(ssl);
    if (v == X509_V_OK)
        printf("Verification: OK\n");
    else
        printf("Verification error: %s\n", X509_verify_cert_error_string(v));
    if (o->keymatexport != NULL)
        print_keymat(stdout, ssl, o->keymatexport, o->keymatexportlen);
    printf("---\n");
    fflush(stdout);
}

/* Connects and completes the handshake (blocking), then makes the socket
 * nonblocking. Returns NULL (after printing why) on failure. */
static SSL *do_connect(SSL_CTX *ctx, const struct cli_opts *o, const char *host, const char *port,
                       const char *sni, SSL_SESSION *resume, int *out_fd)
{
    int fd = tcp_connect(host, port);
    if (fd < 0)
        return NULL;
    if (!o->quiet && !o->brief) {
        printf("CONNECTED(%08X)\n", (unsigned)fd);
        fflush(stdout);
    }
    SSL *ssl = SSL_new(ctx);
    const char *vhost = o->verify_hostname ? o->verify_hostname : sni;
    if (ssl == NULL || !SSL_set_fd(ssl, fd) ||
        (sni != NULL && !SSL_set_tlsext_host_name(ssl, sni)) ||
        (vhost != NULL && !SSL_set1_host(ssl, vhost)) ||
        (resume != NULL && !SSL_set_session(ssl, resume))) {
        ERR_print_errors_fp(stderr);
        SSL_free(ssl);
        close(fd);
        return NULL;
    }
    if (cli.psk != NULL)
        SSL_set_psk_use_session_callback(ssl, psk_use_cb);
    cli.verify_err = X509_V_OK;
    cli.alert = -1;
    if (SSL_connect(ssl) != 1) {
        fprintf(stderr, "handshake failed\n");
        if (cli.alert >= 0)
            fprintf(stderr, "server alert: %s\n", SSL_alert_desc_string_long(cli.alert));
        if (cli.verify_err != X509_V_OK)
            fprintf(stderr, "Verification error: %s\n",
                    X509_verify_cert_error_string(cli.verify_err));
        ERR_print_errors_fp(stderr);
        SSL_free(ssl);
        tcp_close_gracefully(fd);
        return NULL;
    }
    set_nonblock(fd);
    *out_fd = fd;
    return ssl;
}

/* Waits for the SSL to become ready after a WANT_READ/WANT_WRITE, at most
 * timeout_ms (-1: no limit). Returns 0 on timeout. */
static int wait_io(SSL *ssl, int fd, int ret, int timeout_ms)
{
    int e = SSL_get_error(ssl, ret);
    struct pollfd p = {fd, e == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, 0};
    return poll(&p, 1, timeout_ms) > 0;
}

/* Writes all of buf on a nonblocking connection. */
static int ssl_write_all(SSL *ssl, int fd, const char *buf, size_t len)
{
    while (len > 0) {
        size_t w = 0;
        int r = SSL_write_ex(ssl, buf, len, &w);
        if (r == 1) {
            buf += w;
            len -= w;
            continue;
        }
        int e = SSL_get_error(ssl, r);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
            return 0;
        wait_io(ssl, fd, r, -1);
    }
    return 1;
}

/* Reads whatever is available (SSL_pending included) to stdout. Returns 1
 * while the connection is open, 0 once the peer closed, -1 when reading
 * failed (the error printed); *events gets what to poll for. */
static int drain(SSL *ssl, short *events, int closing)
{
    char buf[16384];
    for (;;) {
        int n = SSL_read(ssl, buf, (int)sizeof(buf));
        if (n > 0) {
            write_all(STDOUT_FILENO, buf, (size_t)n);
            continue;
        }
        int e = SSL_get_error(ssl, n);
        if (e == SSL_ERROR_WANT_READ) {
            *events = POLLIN;
            return 1;
        }
        if (e == SSL_ERROR_WANT_WRITE) {
            *events = POLLOUT;
            return 1;
        }
        /* After our close_notify, a peer that just closes the socket is fine. */
        int failed = e != SSL_ERROR_ZERO_RETURN && ERR_peek_error() != 0 && !closing;
        if (failed) {
            fprintf(stderr, "read error\n");
            ERR_print_errors_fp(stderr);
        }
        ERR_clear_error();
        return failed ? -1 : 0;
    }
}

/* TLS 1.3: waits (at most timeout_ms) until a new session (ticket) arrived,
 * copying any application data to stdout meanwhile. */
static void wait_for_ticket(SSL *ssl, int fd, int have, int timeout_ms)
{
    if (SSL_version(ssl) != TLS1_3_VERSION)
        return;
    long long end = now_ms() + timeout_ms;
    while (cli.num_sessions == have) {
        long long left = end - now_ms();
        short ev = POLLIN;
        if (left <= 0 || !drain(ssl, &ev, 0) || cli.num_sessions != have)
            break;
        struct pollfd p = {fd, ev, 0};
        if (poll(&p, 1, (int)left) <= 0)
            break;
    }
}

/* Offset of a line that is exactly "Q" in buf, or -1. */
static long find_quit(const char *buf, size_t n, int at_line_start)
{
    for (size_t i = 0; i < n; i++) {
        if (!(i == 0 ? at_line_start : buf[i - 1] == '\n'))
            continue;
        if (buf[i] == 'Q' && ((i + 1 < n && buf[i + 1] == '\n') ||
                              (i + 2 < n && buf[i + 1] == '\r' && buf[i + 2] == '\n')))
            return (long)i;
    }
    return -1;
}

/* stdin -> connection, connection -> stdout, until the peer closes or stdin
 * ends ("Q" line or EOF; then close_notify and up to 2 s for the rest). */
/* interact copies stdin to the connection and the connection to stdout
 * until either side ends; 0 when reading or writing failed. */
static int interact(SSL *ssl, int fd)
{
    int stdin_open = 1, sent_close = 0, line_start = 1, ok = 1;
    long long deadline = 0;
    char buf[16384];
    for (;;) {
        short ev = POLLIN;
        int d = drain(ssl, &ev, sent_close);
        if (d <= 0) {
            ok = d == 0;
            break;
        }
        int timeout = -1;
        if (sent_close) {
            long long left = deadline - now_ms();
            if (left <= 0)
                break;
            timeout = (int)left;
        }
        struct pollfd p[2] = {{fd, ev, 0}, {STDIN_FILENO, POLLIN, 0}};
        int np = poll(p, stdin_open ? 2 : 1, timeout);
        if (np < 0 && errno != EINTR)
            break;
        if (np <= 0 || !stdin_open || p[1].revents == 0)
            continue;
        ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));
        int quit = r <= 0;
        if (r > 0) {
            long q = find_quit(buf, (size_t)r, line_start);
            size_t send = q >= 0 ? (size_t)q : (size_t)r;
            line_start = buf[r - 1] == '\n';
            if (send > 0 && !ssl_write_all(ssl, fd, buf, send)) {
                ERR_print_errors_fp(stderr);
                ok = 0;
                break;
            }
            quit = q >= 0;
        } else if (r < 0 && errno == EINTR) {
            continue;
        }
        if (quit) {
            stdin_open = 0;
            sent_close = 1;
            deadline = now_ms() + 2000;
            SSL_shutdown(ssl);
        }
    }
    if (!sent_close && ok)
        SSL_shutdown(ssl);
    return ok;
}

static SSL_CTX *make_ctx(const struct cli_opts *o)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL)
        return NULL;
    if (!ctx_set_versions(ctx, o->tls1_2, o->tls1_3, o->min_proto, o->max_proto) ||
        !ctx_set_algs(ctx, o->cipher, o->suites, o->groups)
        /* The external PSK is bound to SHA-256: offer that suite first. */
        || (o->psk != NULL && o->suites == NULL &&
            !SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                                           "TLS_CHACHA20_POLY1305_SHA256")) ||
        (o->cert != NULL && !ctx_load_cert_key(ctx, o->cert, o->key)) ||
        (o->keylog != NULL && !ctx_set_keylog(ctx, o->keylog)))
        goto err;
    SSL_CTX_set_default_verify_paths(ctx);
    if (o->cafile != NULL && SSL_CTX_load_verify_locations(ctx, o->cafile, NULL) != 1) {
        fprintf(stderr, "cannot load CA file '%s'\n", o->cafile);
        goto err;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
    SSL_CTX_set_info_callback(ctx, info_cb);
    if (o->state)
        ctx_trace_states(ctx);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
    if (o->alpn != NULL) {
        unsigned int len;
        unsigned char *w = alpn_wire(o->alpn, &len);
        /* SSL_CTX_set_alpn_protos returns 0 on success. */
        int bad = w == NULL || SSL_CTX_set_alpn_protos(ctx, w, len) != 0;
        free(w);
        if (bad)
            goto err;
    }
    return ctx;
err:
    ERR_print_errors_fp(stderr);
    SSL_CTX_free(ctx);
    return NULL;
}

int cmd_s_client(int argc, char **argv)
{
    struct cli_opts o = {0};
    o.keymatexportlen = 20;
    const struct opt tab[] = {
        {"connect", OPT_STR, &o.connect, "HOST:PORT  server (default localhost:4433)"},
        {"servername", OPT_STR, &o.servername, "NAME  SNI name (default: the host)"},
        {"noservername", OPT_FLAG, &o.noservername, "send no SNI"},
        {"CAfile", OPT_STR, &o.cafile, "FILE  trusted CAs (PEM)"},
        {"verify_return_error", OPT_FLAG, &o.verify_return_error, "fail on verification errors"},
        {"verify_hostname", OPT_STR, &o.verify_hostname, "NAME  name the certificate must match"},
        {"alpn", OPT_STR, &o.alpn, "LIST  ALPN protocols to offer"},
        {"cert", OPT_STR, &o.cert, "FILE  client certificate chain"},
        {"key", OPT_STR, &o.key, "FILE  client key (default: -cert)"},
        {"tls1_3", OPT_FLAG, &o.tls1_3, "TLS 1.3 only"},
        {"tls1_2", OPT_FLAG, &o.tls1_2, "TLS 1.2 only"},
        {"min_protocol", OPT_STR, &o.min_proto, "V  minimum version"},
        {"max_protocol", OPT_STR, &o.max_proto, "V  maximum version"},
        {"groups", OPT_STR, &o.groups, "LIST  key exchange groups"},
        {"cipher", OPT_STR, &o.cipher, "LIST  TLS 1.2 cipher list"},
        {"ciphersuites", OPT_STR, &o.suites, "LIST  TLS 1.3 cipher suites"},
        {"sess_out", OPT_STR, &o.sess_out, "FILE  write the (newest) session"},
        {"sess_in", OPT_STR, &o.sess_in, "FILE  resume this session"},
        {"reconnect", OPT_FLAG, &o.reconnect, "reconnect 5 times, resuming"},
        {"psk_identity", OPT_STR, &o.psk_identity, "ID  external PSK identity"},
        {"psk", OPT_STR, &o.psk, "HEX  external PSK key (TLS 1.3)"},
        {"quiet", OPT_FLAG, &o.quiet, "print only the data"},
        {"brief", OPT_FLAG, &o.brief, "print only the summary block"},
        {"keylogfile", OPT_STR, &o.keylog, "FILE  append NSS key log lines"},
        {"state", OPT_FLAG, &o.state, "print the handshake states"},
        {"keymatexport", OPT_STR, &o.keymatexport, "LABEL  print exported keying material"},
        {"keymatexportlen", OPT_INT, &o.keymatexportlen, "N  bytes to export (default 20)"},
        {"help", OPT_FLAG, &o.help, "this text"},
        {NULL, 0, NULL, NULL},
    };
    if (!opts_parse(argc, argv, tab, "s_client"))
        return 1;
    if (o.help) {
        opts_usage(stdout, "s_client", tab);
        return 0;
    }
    cli.verify_return_error = o.verify_return_error;
    cli.sess_out = o.sess_out;
    cli.psk_identity = o.psk_identity ? o.psk_identity : "Client_identity";
    if (o.psk != NULL && (cli.psk = hex_decode(o.psk, &cli.psk_len)) == NULL) {
        fprintf(stderr, "sesame s_client: bad -psk hex '%s'\n", o.psk);
        return 1;
    }

    int rc = 1, fd = -1;
    char *host = NULL, *port = NULL;
    SSL *ssl = NULL;
    SSL_SESSION *resume = NULL;
    SSL_CTX *ctx = NULL;
    if (!split_host_port(o.connect ? o.connect : "localhost:4433", &host, &port)) {
        fprintf(stderr, "sesame s_client: bad -connect '%s'\n", o.connect);
        goto out;
    }
    if (host == NULL)
        host = strdup("localhost");
    const char *sni = o.servername;
    if (sni == NULL && !is_ip_literal(host))
        sni = host;
    if (o.noservername)
        sni = NULL;
    if ((ctx = make_ctx(&o)) == NULL)
        goto out;
    if (o.sess_in != NULL) {
        BIO *b = BIO_new_file(o.sess_in, "r");
        resume = b ? PEM_read_bio_SSL_SESSION(b, NULL, NULL, NULL) : NULL;
        BIO_free(b);
        if (resume == NULL) {
            fprintf(stderr, "cannot read session from '%s'\n", o.sess_in);
            ERR_print_errors_fp(stderr);
            goto out;
        }
    }
    int rounds = o.reconnect ? 6 : 1;
    for (int i = 0; i < rounds; i++) {
        int have = cli.num_sessions;
        if ((ssl = do_connect(ctx, &o, host, port, sni, resume, &fd)) == NULL)
            goto out;
        if (!o.quiet)
            print_block(ssl, &o);
        if (i + 1 == rounds)
            break;
        /* Wait for this connection's ticket so that the next one resumes. */
        wait_for_ticket(ssl, fd, have, 2000);
        SSL_SESSION_free(resume);
        resume = cli.latest ? cli.latest : SSL_get1_session(ssl);
        if (resume == cli.latest)
            SSL_SESSION_up_ref(resume);
        SSL_shutdown(ssl);
        SSL_free(ssl);
        ssl = NULL;
        close(fd);
        fd = -1;
    }
    rc = interact(ssl, fd) ? 0 : 1;
    if (cli.sess_out != NULL && !cli.sess_written) {
        SSL_SESSION *s = SSL_get1_session(ssl);
        if (s != NULL)
            write_session(s);
        SSL_SESSION_free(s);
    }
out:
    SSL_free(ssl);
    if (fd >= 0)
        tcp_close_gracefully(fd); /* our alert may still be in flight */
    SSL_SESSION_free(resume);
    SSL_SESSION_free(cli.latest);
    SSL_CTX_free(ctx);
    free(host);
    free(port);
    free(cli.psk);
    return rc;
}

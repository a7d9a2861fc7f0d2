/* sesame s_server: a TLS server serving connections one after another, with
 * the flags of `openssl s_server` (-www, -WWW, -rev, SNI, ALPN, PSK, ...). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "tools.h"
#ifndef SESAME_TOOLS_NO_STORE
#include "sesame.h"
#endif

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

enum srv_mode { MODE_STDOUT, MODE_WWW, MODE_WWW_FILES, MODE_REV };

/* Settings the callbacks need; one server per process. */
static struct {
    const char *servername;
    SSL_CTX *ctx2;
    unsigned char *alpn;
    unsigned int alpn_len;
    const char *psk_identity;
    unsigned char *psk;
    size_t psk_len;
    int verify_return_error;
    int verify_err; /* first verification error of the current connection */
    const char *keymatexport;
    int keymatexportlen;
} srv;

static int verify_cb(int ok, X509_STORE_CTX *xs)
{
    if (!ok && srv.verify_err == X509_V_OK)
        srv.verify_err = X509_STORE_CTX_get_error(xs);
    return ok || !srv.verify_return_error;
}

static int servername_cb(SSL *ssl, int *alert, void *arg)
{
    (void)alert;
    (void)arg;
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (name != NULL && srv.ctx2 != NULL && strcasecmp(name, srv.servername) == 0)
        SSL_set_SSL_CTX(ssl, srv.ctx2);
    return SSL_TLSEXT_ERR_OK;
}

static int alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                   const unsigned char *in, unsigned int inlen, void *arg)
{
    (void)ssl;
    (void)arg;
    unsigned char *sel = NULL;
    /* The first list given to SSL_select_next_proto is the preferred one. */
    if (SSL_select_next_proto(&sel, outlen, srv.alpn, srv.alpn_len, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = sel;
    return SSL_TLSEXT_ERR_OK;
}

static int psk_find_cb(SSL *ssl, const unsigned char *id, size_t id_len, SSL_SESSION **sess)
{
    *sess = NULL;
    if (id_len == strlen(srv.psk_identity) && memcmp(id, srv.psk_identity, id_len) == 0) {
        *sess = psk_session_new(ssl, srv.psk, srv.psk_len);
        if (*sess == NULL)
            return 0;
    }
    return 1;
}

struct srv_opts {
    const char *accept, *cert, *key, *cafile, *alpn, *servername, *cert2, *key2, *dcert, *dkey;
    const char *dhparam;
    const char *min_proto, *max_proto, *cipher, *suites, *groups, *psk_identity, *psk;
    const char *keylog, *keymatexport, *session_store;
    int keymatexportlen;
    int verify, Verify, www, WWW, rev, tls1_2, tls1_3, quiet, no_ticket, num_tickets;
    int allow_no_dhe, no_cache, naccept, help, verify_return_error, state;
};

/* set_dh: DHE parameters from a PEM file, else the automatic ones (as
 * openssl s_server: "Using default temp DH parameters"). */
static int set_dh(SSL_CTX *ctx, const char *file)
{
    if (file == NULL)
        return SSL_CTX_set_dh_auto(ctx, 1) == 1;
    BIO *b = BIO_new_file(file, "r");
    EVP_PKEY *dh = b != NULL ? PEM_read_bio_Parameters(b, NULL) : NULL;
    BIO_free(b);
    if (dh == NULL || SSL_CTX_set0_tmp_dh_pkey(ctx, dh) != 1) {
        fprintf(stderr, "cannot use DH parameters from '%s'\n", file);
        EVP_PKEY_free(dh);
        return 0;
    }
    return 1;
}

static SSL_CTX *make_ctx(const struct srv_opts *o, const char *cert, const char *key)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL)
        return NULL;
    static const unsigned char sid_ctx[] = "sesame s_server";
    if (!ctx_set_versions(ctx, o->tls1_2, o->tls1_3, o->min_proto, o->max_proto) ||
        !ctx_set_algs(ctx, o->cipher, o->suites, o->groups) ||
        (cert != NULL && !ctx_load_cert_key(ctx, cert, key)) ||
        (o->dcert != NULL && cert == o->cert && !ctx_load_cert_key(ctx, o->dcert, o->dkey)) ||
        !set_dh(ctx, o->dhparam) || (o->keylog != NULL && !ctx_set_keylog(ctx, o->keylog)) ||
        !SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1))
        goto err;
    if (o->state)
        ctx_trace_states(ctx);
    if (o->cafile != NULL) {
        if (SSL_CTX_load_verify_locations(ctx, o->cafile, NULL) != 1) {
            fprintf(stderr, "cannot load CA file '%s'\n", o->cafile);
            goto err;
        }
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(o->cafile);
        if (names != NULL)
            SSL_CTX_set_client_CA_list(ctx, names);
    } else if (o->verify >= 0 || o->Verify >= 0) {
        SSL_CTX_set_default_verify_paths(ctx);
    }
    if (o->Verify >= 0)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
    else if (o->verify >= 0)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
    if (o->verify >= 0 || o->Verify >= 0)
        SSL_CTX_set_verify_depth(ctx, o->Verify >= 0 ? o->Verify : o->verify);
    uint64_t opts = 0;
    if (o->no_ticket)
        opts |= SSL_OP_NO_TICKET;
    if (o->allow_no_dhe)
        opts |= SSL_OP_ALLOW_NO_DHE_KEX;
    if (opts)
        SSL_CTX_set_options(ctx, opts);
    if (o->num_tickets >= 0 && !SSL_CTX_set_num_tickets(ctx, (size_t)o->num_tickets))
        goto err;
    if (o->no_cache)
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (srv.alpn != NULL)
        SSL_CTX_set_alpn_select_cb(ctx, alpn_cb, NULL);
    if (srv.psk != NULL)
        SSL_CTX_set_psk_find_session_callback(ctx, psk_find_cb);
    return ctx;
err:
    ERR_print_errors_fp(stderr);
    SSL_CTX_free(ctx);
    return NULL;
}

/* Buffered line reader over an SSL connection. */
struct reader {
    SSL *ssl;
    char buf[16384];
    size_t off, len;
};

/* Reads one line (with its '\n', if any) into line; returns its length, 0 at
 * EOF or error. Lines longer than cap-1 are returned in pieces. */
static size_t read_line(struct reader *r, char *line, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap) {
        if (r->off == r->len) {
            int k = SSL_read(r->ssl, r->buf, (int)sizeof(r->buf));
            if (k <= 0)
                break;
            r->off = 0;
            r->len = (size_t)k;
        }
        char c = r->buf[r->off++];
        line[n++] = c;
        if (c == '\n')
            break;
    }
    line[n] = '\0';
    return n;
}

static int ssl_write_all(SSL *ssl, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        size_t w = 0;
        if (SSL_write_ex(ssl, p, len, &w) != 1)
            return 0;
        p += w;
        len -= w;
    }
    return 1;
}

static const char *verify_string(SSL *ssl)
{
    long v = srv.verify_err != X509_V_OK ? srv.verify_err : SSL_get_verify_result(ssl);
    return v == X509_V_OK ? NULL : X509_verify_cert_error_string(v);
}

/* The connection summary shared by the log and the -www page. */
static void describe(FILE *f, SSL *ssl)
{
    const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
    const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    const unsigned char *alpn = NULL;
    unsigned int alpn_len = 0;
    char subj[512];
    X509 *peer = SSL_get0_peer_certificate(ssl);
    const char *verr = verify_string(ssl);

    print_session_line(f, ssl);
    fprintf(f, "Protocol: %s\n", SSL_get_version(ssl));
    fprintf(f, "Cipher: %s\n", c ? SSL_CIPHER_get_name(c) : "(NONE)");
    fprintf(f, "SNI: %s\n", sni ? sni : "none");
    SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
    if (alpn_len > 0)
        fprintf(f, "ALPN protocol: %.*s\n", (int)alpn_len, (const char *)alpn);
    else
        fprintf(f, "No ALPN negotiated\n");
    if (peer != NULL) {
        X509_NAME_oneline(X509_get_subject_name(peer), subj, sizeof(subj));
        fprintf(f, "Client certificate: %s\n", subj);
        if (verr != NULL)
            fprintf(f, "Verification error: %s\n", verr);
        else
            fprintf(f, "Verification: OK\n");
    } else {
        fprintf(f, "Client certificate: none\n");
    }
    fprintf(f, "Secure Renegotiation IS%s supported\n",
            SSL_get_secure_renegotiation_support(ssl) ? "" : " NOT");
    if (srv.keymatexport != NULL)
        print_keymat(f, ssl, srv.keymatexport, srv.keymatexportlen);
}

static void serve_www(SSL *ssl, struct reader *r)
{
    char line[8192], first[8192];
    if (read_line(r, first, sizeof(first)) == 0)
        return;
    /* Skip the remaining header lines, up to the empty one. */
    for (;;) {
        size_t n = read_line(r, line, sizeof(line));
        if (n == 0 || strcmp(line, "\r\n") == 0 || strcmp(line, "\n") == 0)
            break;
    }
    if (strncmp(first, "GET ", 4) != 0) {
        static const char bad[] = "HTTP/1.0 400 Bad Request\r\n\r\n";
        ssl_write_all(ssl, bad, sizeof(bad) - 1);
        return;
    }
    char *page = NULL;
    size_t page_len = 0;
    FILE *f = open_memstream(&page, &page_len);
    if (f == NULL)
        return;
    fprintf(f, "HTTP/1.0 200 ok\r\nContent-type: text/html\r\n\r\n");
    fprintf(f, "<HTML><BODY BGCOLOR=\"#ffffff\">\n<pre>\n\n");
    fprintf(f, "sesame s_server\n---\n");
    describe(f, ssl);
    fprintf(f, "---\n");
    fflush(f);
    BIO *b = BIO_new_fp(f, BIO_NOCLOSE);
    if (b != NULL) {
        SSL_SESSION_print(b, SSL_get0_session(ssl));
        BIO_free(b);
    }
    fprintf(f, "---\n%ld items in the session cache\n", SSL_CTX_sess_number(SSL_get_SSL_CTX(ssl)));
    fprintf(f, "</pre></BODY></HTML>\r\n\r\n");
    fclose(f);
    ssl_write_all(ssl, page, page_len);
    free(page);
}

static void serve_files(SSL *ssl, struct reader *r)
{
    char line[8192], first[8192];
    if (read_line(r, first, sizeof(first)) == 0)
        return;
    for (;;) {
        size_t n = read_line(r, line, sizeof(line));
        if (n == 0 || strcmp(line, "\r\n") == 0 || strcmp(line, "\n") == 0)
            break;
    }
    char *path = NULL;
    if (strncmp(first, "GET /", 5) == 0) {
        path = first + 5;
        path[strcspn(path, " \r\n?")] = '\0';
    }
    FILE *fp = NULL;
    if (path != NULL && *path != '\0' && strstr(path, "..") == NULL)
        fp = fopen(path, "rb");
    if (fp == NULL) {
        static const char nf[] =
            "HTTP/1.0 404 Not Found\r\nContent-type: text/plain\r\n\r\nnot found\r\n";
        ssl_write_all(ssl, nf, sizeof(nf) - 1);
        return;
    }
    size_t pl = strlen(path);
    const char *type = (pl > 5 && strcmp(path + pl - 5, ".html") == 0) ? "text/html" : "text/plain";
    char hdr[128];
    int hl = snprintf(hdr, sizeof(hdr), "HTTP/1.0 200 ok\r\nContent-type: %s\r\n\r\n", type);
    if (ssl_write_all(ssl, hdr, (size_t)hl)) {
        static char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
            if (!ssl_write_all(ssl, buf, n))
                break;
    }
    fclose(fp);
}

static void serve_rev(SSL *ssl, struct reader *r)
{
    char line[16384];
    size_t n;
    while ((n = read_line(r, line, sizeof(line))) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (strcmp(line, "CLOSE") == 0)
            break;
        for (size_t i = 0; i < n / 2; i++) {
            char t = line[i];
            line[i] = line[n - 1 - i];
            line[n - 1 - i] = t;
        }
        line[n++] = '\n';
        if (!ssl_write_all(ssl, line, n))
            break;
    }
}

static void serve_stdout(SSL *ssl)
{
    char buf[16384];
    int n;
    while ((n = SSL_read(ssl, buf, (int)sizeof(buf))) > 0)
        if (!write_all(STDOUT_FILENO, buf, (size_t)n))
            break;
}

/* SIGINT and SIGTERM set |stop|; installed without SA_RESTART, so a blocked
 * poll, accept or read returns EINTR and the server exits cleanly. */
static volatile sig_atomic_t stop;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void install_stop_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* wait_accept: the next connection on |lfd|, or -1 once a stop signal came
 * (a bounded poll closes the window between checking |stop| and blocking). */
static int wait_accept(int lfd)
{
    while (!stop) {
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        int n = poll(&p, 1, 250);
        if (n < 0 && errno != EINTR) {
            perror("poll");
            return -1;
        }
        if (n <= 0 || stop)
            continue;
        int fd = accept(lfd, NULL, NULL);
        if (fd >= 0)
            return fd;
        if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN) {
            perror("accept");
            return -1;
        }
    }
    return -1;
}

#ifndef SESAME_TOOLS_NO_STORE
/* print_url_redacted: |url| with the password of "scheme://[user]:password@"
 * replaced by "***" (error messages must not echo secrets). */
static void print_url_redacted(FILE *f, const char *url)
{
    const char *auth = strstr(url, "://");
    const char *at = auth != NULL ? strchr(auth + 3, '@') : NULL;
    const char *colon = auth != NULL ? strchr(auth + 3, ':') : NULL;
    const char *slash = auth != NULL ? strchr(auth + 3, '/') : NULL;
    if (at != NULL && colon != NULL && colon < at && (slash == NULL || at < slash))
        fprintf(f, "%.*s***%s", (int)(colon + 1 - url), url, at);
    else
        fputs(url, f);
}

/* attach_store: -session_store URL on |ctx|; 0 (printed) on failure. */
static int attach_store(SSL_CTX *ctx, const char *url)
{
    if (sesame_CTX_set_session_store(ctx, url) == 1)
        return 1;
    fprintf(stderr, "sesame s_server: cannot use the session store '");
    print_url_redacted(stderr, url);
    fprintf(stderr, "'\n");
    ERR_print_errors_fp(stderr);
    return 0;
}

/* print_store_counters: on exit, when a store is attached (from
 * SESAME_SESSION_STORE or -session_store), its counters over both contexts. */
static void print_store_counters(SSL_CTX *ctx, SSL_CTX *ctx2)
{
    SSL_CTX *ctxs[2] = {ctx, ctx2};
    long hits = 0, misses = 0, errors = 0, timeouts = 0;
    int attached = 0;
    for (int i = 0; i < 2; i++) {
        if (ctxs[i] == NULL || sesame_CTX_get_session_store(ctxs[i]) == NULL)
            continue;
        attached = 1;
        hits += sesame_CTX_sess_store_hits(ctxs[i]);
        misses += sesame_CTX_sess_store_misses(ctxs[i]);
        errors += sesame_CTX_sess_store_errors(ctxs[i]);
        timeouts += sesame_CTX_sess_store_timeouts(ctxs[i]);
    }
    if (attached) {
        printf("session store: hits %ld misses %ld errors %ld timeouts %ld\n", hits, misses, errors,
               timeouts);
        fflush(stdout);
    }
}
#endif

int cmd_s_server(int argc, char **argv)
{
    struct srv_opts o = {0};
    o.verify = o.Verify = o.num_tickets = -1;
    o.keymatexportlen = 20;
    const struct opt tab[] = {
        {"accept", OPT_STR, &o.accept, "[HOST:]PORT  where to listen (default 4433)"},
        {"port", OPT_STR, &o.accept, "PORT  same as -accept"},
        {"cert", OPT_STR, &o.cert, "FILE  certificate chain (PEM)"},
        {"key", OPT_STR, &o.key, "FILE  private key (PEM; default: -cert)"},
        {"dcert", OPT_STR, &o.dcert, "FILE  a second certificate chain (another key type)"},
        {"dkey", OPT_STR, &o.dkey, "FILE  its private key (default: -dcert)"},
        {"dhparam", OPT_STR, &o.dhparam, "FILE  DH parameters for DHE (default: automatic)"},
        {"CAfile", OPT_STR, &o.cafile, "FILE  CAs to verify client certificates"},
        {"verify", OPT_INT, &o.verify, "N  ask for a client certificate (depth N)"},
        {"Verify", OPT_INT, &o.Verify, "N  require a client certificate (depth N)"},
        {"verify_return_error", OPT_FLAG, &o.verify_return_error,
         "fail on client certificate errors"},
        {"www", OPT_FLAG, &o.www, "answer GET with a status page"},
        {"WWW", OPT_FLAG, &o.WWW, "serve files named by the GET path"},
        {"rev", OPT_FLAG, &o.rev, "echo lines reversed (CLOSE ends)"},
        {"alpn", OPT_STR, &o.alpn, "LIST  ALPN protocols, server preference"},
        {"servername", OPT_STR, &o.servername, "NAME  SNI name for -cert2/-key2"},
        {"cert2", OPT_STR, &o.cert2, "FILE  certificate for -servername"},
        {"key2", OPT_STR, &o.key2, "FILE  key for -servername"},
        {"tls1_3", OPT_FLAG, &o.tls1_3, "TLS 1.3 only"},
        {"tls1_2", OPT_FLAG, &o.tls1_2, "TLS 1.2 only"},
        {"min_protocol", OPT_STR, &o.min_proto, "V  minimum version (TLSv1.2, TLSv1.3)"},
        {"max_protocol", OPT_STR, &o.max_proto, "V  maximum version"},
        {"cipher", OPT_STR, &o.cipher, "LIST  TLS 1.2 cipher list"},
        {"ciphersuites", OPT_STR, &o.suites, "LIST  TLS 1.3 cipher suites"},
        {"groups", OPT_STR, &o.groups, "LIST  key exchange groups"},
        {"quiet", OPT_FLAG, &o.quiet, "no connection summaries"},
        {"state", OPT_FLAG, &o.state, "print the handshake states"},
        {"no_ticket", OPT_FLAG, &o.no_ticket, "SSL_OP_NO_TICKET (stateful sessions)"},
        {"num_tickets", OPT_INT, &o.num_tickets, "N  TLS 1.3 tickets per connection"},
        {"psk_identity", OPT_STR, &o.psk_identity, "ID  external PSK identity"},
        {"psk", OPT_STR, &o.psk, "HEX  external PSK key"},
        {"allow_no_dhe_kex", OPT_FLAG, &o.allow_no_dhe, "allow psk_ke resumption"},
        {"no_cache", OPT_FLAG, &o.no_cache, "disable the session cache"},
        {"session_store", OPT_STR, &o.session_store,
         "URL  share sessions and ticket keys (redis://[:pw@]host:port/db, docs/fleet.md)"},
        {"naccept", OPT_INT, &o.naccept, "N  exit after N connections"},
        {"keylogfile", OPT_STR, &o.keylog, "FILE  append NSS key log lines"},
        {"keymatexport", OPT_STR, &o.keymatexport, "LABEL  print exported keying material"},
        {"keymatexportlen", OPT_INT, &o.keymatexportlen, "N  bytes to export (default 20)"},
        {"help", OPT_FLAG, &o.help, "this text"},
        {NULL, 0, NULL, NULL},
    };
    if (!opts_parse(argc, argv, tab, "s_server"))
        return 1;
    if (o.help) {
        opts_usage(stdout, "s_server", tab);
        return 0;
    }
    if (o.cert == NULL && o.psk == NULL) {
        fprintf(stderr, "sesame s_server: -cert is required\n");
        opts_usage(stderr, "s_server", tab);
        return 1;
    }
    if (o.servername != NULL && o.cert2 == NULL) {
        fprintf(stderr, "sesame s_server: -servername needs -cert2 (and -key2)\n");
        return 1;
    }
    enum srv_mode mode = o.WWW ? MODE_WWW_FILES : o.www ? MODE_WWW : o.rev ? MODE_REV : MODE_STDOUT;

    srv.servername = o.servername;
    srv.verify_return_error = o.verify_return_error;
    srv.keymatexport = o.keymatexport;
    srv.keymatexportlen = o.keymatexportlen;
    srv.psk_identity = o.psk_identity ? o.psk_identity : "Client_identity";
    if (o.psk != NULL && (srv.psk = hex_decode(o.psk, &srv.psk_len)) == NULL) {
        fprintf(stderr, "sesame s_server: bad -psk hex '%s'\n", o.psk);
        return 1;
    }
    if (o.alpn != NULL && (srv.alpn = alpn_wire(o.alpn, &srv.alpn_len)) == NULL)
        return 1;

    int rc = 1, lfd = -1;
    char *host = NULL, *port = NULL;
    SSL_CTX *ctx = make_ctx(&o, o.cert, o.key);
    if (ctx == NULL)
        goto out;
    if (o.servername != NULL) {
        if ((srv.ctx2 = make_ctx(&o, o.cert2, o.key2)) == NULL)
            goto out;
        SSL_CTX_set_tlsext_servername_callback(ctx, servername_cb);
    }
    if (o.session_store != NULL) {
#ifdef SESAME_TOOLS_NO_STORE
        fprintf(stderr, "sesame s_server: -session_store needs sesame's libssl.so.3\n");
        goto out;
#else
        if (!attach_store(ctx, o.session_store) ||
            (srv.ctx2 != NULL && !attach_store(srv.ctx2, o.session_store)))
            goto out;
#endif
    }
    if (!split_host_port(o.accept ? o.accept : "4433", &host, &port)) {
        fprintf(stderr, "sesame s_server: bad -accept '%s'\n", o.accept);
        goto out;
    }
    if ((lfd = tcp_listen(host, port)) < 0)
        goto out;
    install_stop_handlers();
    printf("ACCEPT\n");
    fflush(stdout);

    for (int served = 0; !stop && (o.naccept <= 0 || served < o.naccept); served++) {
        int fd = wait_accept(lfd);
        if (fd < 0) {
            if (stop)
                break;
            goto out;
        }
        SSL *ssl = SSL_new(ctx);
        if (ssl == NULL || !SSL_set_fd(ssl, fd)) {
            ERR_print_errors_fp(stderr);
            SSL_free(ssl);
            close(fd);
            continue;
        }
        srv.verify_err = X509_V_OK;
        if (SSL_accept(ssl) != 1) {
            fprintf(stderr, "ERROR: handshake failed\n");
            ERR_print_errors_fp(stderr);
            SSL_free(ssl);
            tcp_close_gracefully(fd); /* our alert may still be in flight */
            continue;
        }
        if (!o.quiet) {
            printf("-----\n");
            describe(stdout, ssl);
            printf("CONNECTION ESTABLISHED\n");
            fflush(stdout);
        }
        struct reader *r = calloc(1, sizeof(*r));
        if (r != NULL) {
            r->ssl = ssl;
            switch (mode) {
            case MODE_WWW:
                serve_www(ssl, r);
                break;
            case MODE_WWW_FILES:
                serve_files(ssl, r);
                break;
            case MODE_REV:
                serve_rev(ssl, r);
                break;
            case MODE_STDOUT:
                serve_stdout(ssl);
                break;
            }
            free(r);
        }
        fflush(stdout);
        if (ERR_peek_error() != 0) { /* the connection failed after the handshake */
            fprintf(stderr, "ERROR: connection failed\n");
            ERR_print_errors_fp(stderr);
        }
        SSL_shutdown(ssl);
        ERR_clear_error();
        if (!o.quiet) {
            printf("CONNECTION CLOSED\n");
            fflush(stdout);
        }
        SSL_free(ssl);
        tcp_close_gracefully(fd);
    }
    rc = 0;
out:
#ifndef SESAME_TOOLS_NO_STORE
    if (lfd >= 0) /* it served: the counters of the store it used, if any */
        print_store_counters(ctx, srv.ctx2);
#endif
    if (lfd >= 0)
        close(lfd);
    free(host);
    free(port);
    SSL_CTX_free(srv.ctx2);
    SSL_CTX_free(ctx);
    free(srv.alpn);
    free(srv.psk);
    return rc;
}

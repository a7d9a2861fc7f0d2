/* Option parsing and the helpers shared by the subcommands (sockets,
 * context setup, PSK sessions, key logging). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "tools.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

void opts_usage(FILE *f, const char *cmd, const struct opt *tab)
{
    fprintf(f, "usage: sesame %s [options]\n", cmd);
    for (const struct opt *o = tab; o->name != NULL; o++)
        fprintf(f, "  -%-20s %s\n", o->name, o->help ? o->help : "");
}

int opts_parse(int argc, char **argv, const struct opt *tab, const char *cmd)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const struct opt *o = NULL;
        if (a[0] == '-') {
            const char *n = a + 1;
            if (*n == '-') /* accept --flag too */
                n++;
            for (const struct opt *t = tab; t->name != NULL; t++)
                if (strcmp(t->name, n) == 0) {
                    o = t;
                    break;
                }
        }
        if (o == NULL) {
            fprintf(stderr, "sesame %s: unknown option '%s'\n", cmd, a);
            opts_usage(stderr, cmd, tab);
            return 0;
        }
        if (o->kind == OPT_FLAG) {
            *(int *)o->dst = 1;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "sesame %s: option '%s' needs a value\n", cmd, a);
            opts_usage(stderr, cmd, tab);
            return 0;
        }
        const char *v = argv[++i];
        if (o->kind == OPT_STR) {
            *(const char **)o->dst = v;
        } else {
            char *end;
            errno = 0;
            long n = strtol(v, &end, 10);
            if (errno != 0 || *v == '\0' || *end != '\0' || n < 0 || n > INT_MAX) {
                fprintf(stderr, "sesame %s: bad number '%s' for '%s'\n", cmd, v, a);
                opts_usage(stderr, cmd, tab);
                return 0;
            }
            *(int *)o->dst = (int)n;
        }
    }
    return 1;
}

int split_host_port(const char *spec, char **host, char **port)
{
    *host = NULL;
    *port = NULL;
    const char *colon = strrchr(spec, ':');
    if (colon == NULL) {
        *port = strdup(spec);
        return *port != NULL && **port != '\0';
    }
    const char *h = spec;
    size_t hl = (size_t)(colon - spec);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (colon[1] == '\0')
        return 0;
    *port = strdup(colon + 1);
    if (hl > 0)
        *host = strndup(h, hl);
    return *port != NULL;
}

int is_ip_literal(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

int tcp_listen(const char *host, const char *port)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "getaddrinfo %s:%s: %s\n", host ? host : "*", port, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0)
            break;
        close(fd);
        fd = -1;
    }
    if (fd < 0)
        fprintf(stderr, "cannot listen on %s:%s: %s\n", host ? host : "*", port, strerror(errno));
    freeaddrinfo(res);
    return fd;
}

int tcp_connect(const char *host, const char *port)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "getaddrinfo %s:%s: %s\n", host, port, gai_strerror(rc));
        return -1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        err = errno;
        close(fd);
        fd = -1;
    }
    if (fd < 0)
        fprintf(stderr, "connect to %s:%s failed: %s\n", host, port, strerror(err));
    freeaddrinfo(res);
    return fd;
}

int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0;
}

int parse_proto_version(const char *s)
{
    static const struct {
        const char *n;
        int v;
    } t[] = {
        {"None", 0},
        {"TLSv1", TLS1_VERSION},
        {"TLSv1.1", TLS1_1_VERSION},
        {"TLSv1.2", TLS1_2_VERSION},
        {"TLSv1.3", TLS1_3_VERSION},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(t[i].n, s) == 0)
            return t[i].v;
    return -1;
}

int ctx_set_versions(SSL_CTX *ctx, int tls1_2, int tls1_3, const char *min, const char *max)
{
    int lo = -1, hi = -1;
    if (min != NULL && (lo = parse_proto_version(min)) < 0) {
        fprintf(stderr, "unknown protocol version '%s'\n", min);
        return 0;
    }
    if (max != NULL && (hi = parse_proto_version(max)) < 0) {
        fprintf(stderr, "unknown protocol version '%s'\n", max);
        return 0;
    }
    if (tls1_2 && tls1_3) {
        lo = TLS1_2_VERSION;
        hi = TLS1_3_VERSION;
    } else if (tls1_2) {
        lo = hi = TLS1_2_VERSION;
    } else if (tls1_3) {
        lo = hi = TLS1_3_VERSION;
    }
    if (lo >= 0 && !SSL_CTX_set_min_proto_version(ctx, lo))
        return 0;
    if (hi >= 0 && !SSL_CTX_set_max_proto_version(ctx, hi))
        return 0;
    return 1;
}

int ctx_set_algs(SSL_CTX *ctx, const char *cipher, const char *suites, const char *groups)
{
    if (cipher != NULL && !SSL_CTX_set_cipher_list(ctx, cipher)) {
        fprintf(stderr, "bad -cipher list '%s'\n", cipher);
        return 0;
    }
    if (suites != NULL && !SSL_CTX_set_ciphersuites(ctx, suites)) {
        fprintf(stderr, "bad -ciphersuites list '%s'\n", suites);
        return 0;
    }
    if (groups != NULL && !SSL_CTX_set1_groups_list(ctx, groups)) {
        fprintf(stderr, "bad -groups list '%s'\n", groups);
        return 0;
    }
    return 1;
}

int ctx_load_cert_key(SSL_CTX *ctx, const char *cert, const char *key)
{
    if (key == NULL)
        key = cert;
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
        fprintf(stderr, "cannot load certificate '%s'\n", cert);
        return 0;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        fprintf(stderr, "cannot load private key '%s'\n", key);
        return 0;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        fprintf(stderr, "private key '%s' does not match certificate '%s'\n", key, cert);
        return 0;
    }
    return 1;
}

static FILE *keylog_fp;

static void keylog_cb(const SSL *ssl, const char *line)
{
    (void)ssl;
    if (keylog_fp != NULL) {
        fprintf(keylog_fp, "%s\n", line);
        fflush(keylog_fp);
    }
}

int ctx_set_keylog(SSL_CTX *ctx, const char *file)
{
    if (keylog_fp == NULL) {
        keylog_fp = fopen(file, "a");
        if (keylog_fp == NULL) {
            fprintf(stderr, "cannot open key log file '%s': %s\n", file, strerror(errno));
            return 0;
        }
    }
    SSL_CTX_set_keylog_callback(ctx, keylog_cb);
    return 1;
}

unsigned char *alpn_wire(const char *list, unsigned int *out_len)
{
    size_t n = strlen(list);
    unsigned char *out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    size_t w = 0;
    const char *p = list;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        if (l == 0 || l > 255) {
            fprintf(stderr, "bad ALPN list '%s'\n", list);
            free(out);
            return NULL;
        }
        out[w++] = (unsigned char)l;
        memcpy(out + w, p, l);
        w += l;
        if (c == NULL)
            break;
        p = c + 1;
    }
    *out_len = (unsigned int)w;
    return out;
}

unsigned char *hex_decode(const char *hex, size_t *out_len)
{
    size_t n = strlen(hex);
    if (n == 0 || n % 2 != 0)
        return NULL;
    unsigned char *out = malloc(n / 2);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n / 2; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex[2 * i + k];
            int d = (c >= '0' && c <= '9')   ? c - '0'
                    : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                    : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                             : -1;
            if (d < 0) {
                free(out);
                return NULL;
            }
            v = v * 16 + d;
        }
        out[i] = (unsigned char)v;
    }
    *out_len = n / 2;
    return out;
}

SSL_SESSION *psk_session_new(SSL *ssl, const unsigned char *key, size_t key_len)
{
    static const unsigned char aes128gcm[2] = {0x13, 0x01};
    const SSL_CIPHER *c = SSL_CIPHER_find(ssl, aes128gcm);
    if (c == NULL)
        return NULL;
    SSL_SESSION *s = SSL_SESSION_new();
    if (s == NULL)
        return NULL;
    if (!SSL_SESSION_set1_master_key(s, key, key_len) || !SSL_SESSION_set_cipher(s, c) ||
        !SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION)) {
        SSL_SESSION_free(s);
        return NULL;
    }
    return s;
}

static int find_libssl(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    if (info->dlpi_name != NULL && strstr(info->dlpi_name, "libssl.so") != NULL) {
        *(const char **)arg = info->dlpi_name;
        return 1;
    }
    return 0;
}

const char *loaded_libssl_path(void)
{
    /* The name as the dynamic loader recorded it (absolute for libraries
     * found through the search path), not resolved through symlinks. */
    const char *name = NULL;
    dl_iterate_phdr(find_libssl, &name);
    return name;
}

void print_session_line(FILE *f, SSL *ssl)
{
    const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
    fprintf(f, "%s, %s, Cipher is %s\n", SSL_session_reused(ssl) ? "Reused" : "New",
            SSL_get_version(ssl), c ? SSL_CIPHER_get_name(c) : "(NONE)");
}

void print_keymat(FILE *f, SSL *ssl, const char *label, int len)
{
    fprintf(f, "Keying material exporter:\n");
    fprintf(f, "    Label: '%s'\n", label);
    fprintf(f, "    Length: %i bytes\n", len);
    unsigned char *km = len > 0 ? malloc((size_t)len) : NULL;
    if (km == NULL ||
        SSL_export_keying_material(ssl, km, (size_t)len, label, strlen(label), NULL, 0, 0) <= 0) {
        fprintf(f, "    Error\n");
    } else {
        fprintf(f, "    Keying material: ");
        for (int i = 0; i < len; i++)
            fprintf(f, "%02X", km[i]);
        fprintf(f, "\n");
    }
    free(km);
}

int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        p += n;
        len -= (size_t)n;
    }
    return 1;
}

long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Lets the peer read everything before the socket closes: an unread byte
 * at close() would make the kernel reset the connection. Bounded to 1 s. */
void tcp_close_gracefully(int fd)
{
    shutdown(fd, SHUT_WR);
    long long end = now_ms() + 1000;
    char buf[4096];
    for (;;) {
        long long left = end - now_ms();
        if (left <= 0)
            break;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)left) <= 0)
            break;
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0)
            break;
    }
    close(fd);
}

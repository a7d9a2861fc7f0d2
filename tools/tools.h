/* Shared declarations of the `sesame` command-line tool. */
#ifndef SESAME_TOOLS_H
#define SESAME_TOOLS_H

#include <stddef.h>
#include <stdio.h>

#include <openssl/ssl.h>

/* Each subcommand: argv[0] is the subcommand name; returns the exit status. */
int cmd_s_server(int argc, char **argv);
int cmd_s_client(int argc, char **argv);
int cmd_sess_id(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_run(int argc, char **argv);

/* One entry of an option table: "-name", its kind and where the value goes. */
enum opt_kind { OPT_FLAG, OPT_STR, OPT_INT };
struct opt {
    const char *name; /* without the leading '-' */
    enum opt_kind kind;
    void *dst;        /* int* for OPT_FLAG/OPT_INT, const char** for OPT_STR */
    const char *help; /* argument name and description for the usage text */
};

/* Parses argv[1..] against a table terminated by a {NULL} entry. Unknown
 * flags, missing values and bad numbers print an error plus the usage to
 * stderr and return 0. */
int opts_parse(int argc, char **argv, const struct opt *tab, const char *cmd);
/* Prints "usage: sesame CMD [options]" and the option table to f. */
void opts_usage(FILE *f, const char *cmd, const struct opt *tab);

/* Splits "[HOST:]PORT" or "[V6]:PORT"; host is NULL when absent. Allocates
 * *host (free it). Returns 1 on success. */
int split_host_port(const char *spec, char **host, char **port);
/* 1 if s is a literal IPv4 or IPv6 address. */
int is_ip_literal(const char *s);
/* Listening TCP socket on host (NULL: any) and port; -1 on error. */
int tcp_listen(const char *host, const char *port);
/* Connected TCP socket; -1 on error (printed). */
int tcp_connect(const char *host, const char *port);
/* tcp_close_gracefully half-closes fd and drains it (bounded, 1 s) before
 * closing: an unread byte at close() would make the kernel reset the
 * connection and could destroy an alert still in flight. */
void tcp_close_gracefully(int fd);
/* Sets O_NONBLOCK on fd. */
int set_nonblock(int fd);

/* "TLSv1.3" and friends to a version number; -1 when unknown. */
int parse_proto_version(const char *s);
/* Applies -tls1_2/-tls1_3/-min_protocol/-max_protocol to ctx. */
int ctx_set_versions(SSL_CTX *ctx, int tls1_2, int tls1_3, const char *min, const char *max);
/* Applies -cipher/-ciphersuites/-groups when set. */
int ctx_set_algs(SSL_CTX *ctx, const char *cipher, const char *suites, const char *groups);
/* Loads a certificate chain and its key into ctx. */
int ctx_load_cert_key(SSL_CTX *ctx, const char *cert, const char *key);
/* -state: prints every handshake step and alert to stderr as openssl does
 * (keeps ctx's info callback, called after). */
void ctx_trace_states(SSL_CTX *ctx);
/* Opens file for NSS key log lines and installs the callback on ctx. */
int ctx_set_keylog(SSL_CTX *ctx, const char *file);

/* "h2,http/1.1" to ALPN wire format; returns malloc'd buffer, NULL on error. */
unsigned char *alpn_wire(const char *list, unsigned int *out_len);
/* Hex string to bytes (malloc'd); NULL on error. */
unsigned char *hex_decode(const char *hex, size_t *out_len);
/* A TLS 1.3 external-PSK session (TLS_AES_128_GCM_SHA256) with key. */
SSL_SESSION *psk_session_new(SSL *ssl, const unsigned char *key, size_t key_len);

/* Full path of the loaded object whose name contains "libssl.so", or NULL. */
const char *loaded_libssl_path(void);
/* "New" or "Reused" line: "New, TLSv1.3, Cipher is X". */
void print_session_line(FILE *f, SSL *ssl);
/* -keymatexport: "Keying material exporter:" and the label, length and hex
 * bytes (or "Error") as `openssl s_client` / `s_server` print them. */
void print_keymat(FILE *f, SSL *ssl, const char *label, int len);
/* Writes all of buf to fd (handles EINTR/partial writes). */
int write_all(int fd, const void *buf, size_t len);
/* Millisecond monotonic clock. */
long long now_ms(void);

#endif

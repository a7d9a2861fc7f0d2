/* fleet_load: the client of interop.fleet_load (tests/fleet/test_fleet_load.sh), on our
 * libssl.so.3. Performs N resumptions spread round-robin over the servers given, each on a
 * different server than the one that issued the session, and counts resumed against full
 * handshakes; exits 1 unless every one resumed (none lost to the store).
 *
 *   fleet_load -ports P1,P2,... -CAfile FILE -n N -kinds K1,K2,...
 *
 * Kinds, taken in turn for each resumption:
 *   tls13    a chain: each resumption offers the newest ticket of the previous connection to
 *            the next server (stateful or stateless, as the servers issue them: -no_ticket or
 *            not); the resumed connection's new ticket feeds the next step
 *   tls12id  a full TLS 1.2 handshake on one server (client SSL_OP_NO_TICKET: a session id),
 *            its session resumed on the next server
 *   tls12tk  the same with a TLS 1.2 ticket
 * Each connection sends "GET / HTTP/1.0" and reads to the end (sesame s_server -www answers
 * one request and closes), so the TLS 1.3 tickets have arrived.  Prints the libssl.so.3 it
 * mapped, the counts per kind and the rate. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <link.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define MAX_PORTS 16
#define MAX_KINDS 3

enum kind { K_TLS13, K_TLS12ID, K_TLS12TK };
static const char *const kind_names[] = {"tls13", "tls12id", "tls12tk"};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

/* The newest session the client was given (new-session callback). */
static SSL_SESSION *newest;

static int new_session_cb(SSL *ssl, SSL_SESSION *s)
{
    (void)ssl;
    SSL_SESSION_free(newest);
    newest = s;
    return 1;
}

static SSL_CTX *client_ctx(const char *cafile, int version, int no_ticket)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL || !SSL_CTX_set_min_proto_version(ctx, version) ||
        !SSL_CTX_set_max_proto_version(ctx, version) ||
        SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1) {
        ERR_print_errors_fp(stderr);
        exit(2);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
    if (no_ticket)
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    return ctx;
}

static int tcp_connect_port(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    /* Finished and the request leave at once (Nagle would hold the request for an ACK). */
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* one: a connection to |port| offering |resume| (may be NULL); reads the whole answer.
 * Returns 1 resumed, 0 full, -1 failed. The session to go on with is then in |newest|. */
static int one(SSL_CTX *ctx, int port, SSL_SESSION *resume)
{
    int fd = tcp_connect_port(port);
    if (fd < 0) {
        fprintf(stderr, "fleet_load: cannot connect to port %d\n", port);
        return -1;
    }
    SSL *ssl = SSL_new(ctx);
    int ret = -1;
    if (ssl == NULL || !SSL_set_fd(ssl, fd) || !SSL_set_tlsext_host_name(ssl, "localhost") ||
        (resume != NULL && !SSL_set_session(ssl, resume)))
        goto done;
    if (SSL_connect(ssl) != 1) {
        fprintf(stderr, "fleet_load: handshake with port %d failed\n", port);
        goto done;
    }
    static const char req[] = "GET / HTTP/1.0\r\n\r\n";
    if (SSL_write(ssl, req, (int)sizeof(req) - 1) != (int)sizeof(req) - 1)
        goto done;
    char buf[4096];
    size_t got = 0;
    int n;
    while ((n = SSL_read(ssl, buf, (int)sizeof(buf))) > 0)
        got += (size_t)n;
    if (got == 0) {
        fprintf(stderr, "fleet_load: no answer from port %d\n", port);
        goto done;
    }
    ret = SSL_session_reused(ssl) ? 1 : 0;
    SSL_shutdown(ssl);
done:
    if (ret < 0)
        ERR_print_errors_fp(stderr);
    ERR_clear_error();
    SSL_free(ssl);
    close(fd);
    return ret;
}

static void usage(void)
{
    fprintf(stderr, "usage: fleet_load -ports P1,P2,... -CAfile FILE -n N "
                    "-kinds tls13|tls12id|tls12tk[,...]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int ports[MAX_PORTS], nports = 0, nkinds = 0;
    enum kind kinds[MAX_KINDS];
    const char *cafile = NULL;
    long total = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-ports") == 0) {
            char *list = strdup(argv[i + 1]), *save = NULL;
            for (char *p = strtok_r(list, ",", &save); p != NULL && nports < MAX_PORTS;
                 p = strtok_r(NULL, ",", &save))
                ports[nports++] = atoi(p);
            free(list);
        } else if (strcmp(argv[i], "-kinds") == 0) {
            char *list = strdup(argv[i + 1]), *save = NULL;
            for (char *p = strtok_r(list, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save)) {
                int k = -1;
                for (int j = 0; j < MAX_KINDS; j++)
                    if (strcmp(p, kind_names[j]) == 0)
                        k = j;
                if (k < 0 || nkinds == MAX_KINDS)
                    usage();
                kinds[nkinds++] = (enum kind)k;
            }
            free(list);
        } else if (strcmp(argv[i], "-CAfile") == 0) {
            cafile = argv[i + 1];
        } else if (strcmp(argv[i], "-n") == 0) {
            total = atol(argv[i + 1]);
        } else {
            usage();
        }
    }
    if (argc % 2 != 1 || nports < 2 || nkinds == 0 || cafile == NULL || total <= 0)
        usage();

    const char *lib = NULL;
    dl_iterate_phdr(find_libssl, &lib);
    printf("libssl: %s\n", lib ? lib : "(not found)");

    SSL_CTX *ctx13 = client_ctx(cafile, TLS1_3_VERSION, 0);
    SSL_CTX *ctx12id = client_ctx(cafile, TLS1_2_VERSION, 1);
    SSL_CTX *ctx12tk = client_ctx(cafile, TLS1_2_VERSION, 0);
    long resumed[MAX_KINDS] = {0}, full[MAX_KINDS] = {0}, done[MAX_KINDS] = {0};
    long failed = 0, conns = 0;
    SSL_SESSION *chain = NULL; /* tls13: the ticket to offer next */
    int chain_server = 0;      /* tls13: the server that issued it */
    int next_server = 0;       /* tls12*: the next issuing server */
    double t0 = now_s();

    for (long i = 0; i < total && failed == 0; i++) {
        enum kind k = kinds[i % nkinds];
        int r, to;
        if (k == K_TLS13) {
            if (chain == NULL) { /* the chain's first session: a full handshake */
                if (one(ctx13, ports[chain_server], NULL) < 0 || newest == NULL) {
                    failed++;
                    break;
                }
                conns++;
                chain = newest;
                newest = NULL;
            }
            to = (chain_server + 1) % nports;
            r = one(ctx13, ports[to], chain);
            conns++;
            SSL_SESSION_free(chain);
            chain = newest; /* the ticket of the resumed (or full) connection */
            newest = NULL;
            chain_server = to;
        } else {
            SSL_CTX *ctx = k == K_TLS12ID ? ctx12id : ctx12tk;
            int from = next_server;
            to = (from + 1) % nports;
            next_server = to;
            if (one(ctx, ports[from], NULL) != 0 || newest == NULL) {
                failed++;
                break;
            }
            conns++;
            SSL_SESSION *s = newest;
            newest = NULL;
            if ((k == K_TLS12TK) != (SSL_SESSION_has_ticket(s) != 0)) {
                fprintf(stderr, "fleet_load: %s: the server on port %d issued %s\n", kind_names[k],
                        ports[from], k == K_TLS12TK ? "no ticket" : "a ticket");
                SSL_SESSION_free(s);
                failed++;
                break;
            }
            r = one(ctx, ports[to], s);
            conns++;
            SSL_SESSION_free(s);
            SSL_SESSION_free(newest);
            newest = NULL;
        }
        done[k]++;
        if (r < 0) {
            failed++;
        } else if (r == 1) {
            resumed[k]++;
        } else {
            full[k]++;
            if (full[k] <= 5)
                fprintf(stderr, "fleet_load: %s resumption #%ld (port %d) was a full handshake\n",
                        kind_names[k], i, ports[to]);
        }
    }
    double t = now_s() - t0;
    long all_resumed = 0, all_full = 0, all_done = 0;
    for (int k = 0; k < MAX_KINDS; k++) {
        if (done[k] == 0)
            continue;
        printf("%s: %ld resumed, %ld full, of %ld\n", kind_names[k], resumed[k], full[k], done[k]);
        all_resumed += resumed[k];
        all_full += full[k];
        all_done += done[k];
    }
    printf("servers: %d, connections: %ld in %.2f s: %.0f connections/s, %.0f resumptions/s\n",
           nports, conns, t, t > 0 ? (double)conns / t : 0, t > 0 ? (double)all_resumed / t : 0);
    printf("resumed %ld of %ld, full %ld, failed %ld\n", all_resumed, total, all_full, failed);
    SSL_SESSION_free(chain);
    SSL_SESSION_free(newest);
    SSL_CTX_free(ctx13);
    SSL_CTX_free(ctx12id);
    SSL_CTX_free(ctx12tk);
    return all_resumed == total && all_done == total && failed == 0 ? 0 : 1;
}

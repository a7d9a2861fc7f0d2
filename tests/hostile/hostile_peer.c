/* hostile_peer - the hostile TLS 1.3 / 1.2 peer over TCP, for tests/interop/test_hostile.sh.
 *
 *   hostile_peer list
 *       one line per scenario: NAME VICTIM ALERT SSL_ERROR REASON PHASE CONNECTIONS, where
 *       VICTIM is server|client, ALERT the AlertDescription expected (-1: none), REASON the
 *       packed error code as OpenSSL prints it (0A0000XX; 0 for none), PHASE handshake|after
 *       and CONNECTIONS once|reconnect (a client victim that must connect a second time,
 *       resuming: `sesame s_client -reconnect`; a server victim gets a second connection
 *       whenever its script asks)
 *   hostile_peer table
 *       the same as a Markdown table, for docs/testing.md
 *   hostile_peer connect HOST PORT NAME
 *       plays the client of scenario NAME against a server (sesame s_server -rev)
 *   hostile_peer accept PORT NAME CERT KEY
 *       listens on 127.0.0.1:PORT (0: an ephemeral port), prints "PORT n", accepts one
 *       connection (within 20 s; another when the script reconnects) and plays the server of
 *       scenario NAME with CERT/KEY (PEM; the key ECDSA P-256)
 *
 * Prints "ok   NAME: ..." and exits 0 when the victim answered as the row says, else
 * "FAIL NAME: why" and exits 1.  Every read waits at most HOSTILE_TIMEOUT_MS (5000) ms.
 * Links libcrypto only. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "scenarios.h"

typedef struct {
    int fd;
    int timeout_ms;
    int closed; /* the victim reset the connection while we were sending */
    /* for a second connection (HP_CTL_RECONNECT): where to connect, or where we listen */
    const char *host, *port;
    int listen_fd;
} TCP;

static int tcp_send(void *arg, const uint8_t *buf, size_t len)
{
    TCP *t = arg;
    while (len > 0 && !t->closed) {
        ssize_t n = send(t->fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            /* The victim closed while we were still talking: what it said before that is
             * still to be read, and decides the scenario. */
            t->closed = 1;
            break;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 1;
}

static int tcp_recv(void *arg, uint8_t *buf, size_t cap, size_t *got)
{
    TCP *t = arg;
    for (;;) {
        struct pollfd p = {t->fd, POLLIN, 0};
        int r = poll(&p, 1, t->timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return HP_IO_TIMEOUT;
        if (r < 0)
            return HP_IO_ERR;
        ssize_t n = recv(t->fd, buf, cap, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0) {
            *got = (size_t)n;
            return HP_IO_OK;
        }
        return HP_IO_EOF; /* FIN, or a reset after the victim closed */
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: hostile_peer list | table\n"
                    "       hostile_peer connect HOST PORT NAME\n"
                    "       hostile_peer accept PORT NAME CERT KEY\n");
    return 2;
}

static int list(void)
{
    for (size_t i = 0; i < hp_num_scenarios; i++) {
        const HP_SCENARIO *s = &hp_scenarios[i];
        printf("%s %s %d %d %08lX %s %s\n", s->name,
               s->victim == HP_VICTIM_SERVER ? "server" : "client", s->alert, s->ssl_error,
               s->reason ? ERR_PACK(ERR_LIB_SSL, 0, s->reason) : 0UL,
               s->phase == HP_PHASE_HANDSHAKE ? "handshake" : "after",
               hp_scenario_reconnects(s) ? "reconnect" : "once");
    }
    return 0;
}

static const char *ssl_error_name(int e)
{
    switch (e) {
    case 0:
        return "NONE";
    case 1:
        return "SSL";
    case 6:
        return "ZERO_RETURN";
    }
    return "?";
}

static int table(void)
{
    printf("| # | scenario | victim | what the peer does (RFC 8446 section; TLS 1.2 rows: RFC 5246 "
           "unless named) | alert the victim sends | SSL_get_error | first reason | fails in |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < hp_num_scenarios; i++) {
        const HP_SCENARIO *s = &hp_scenarios[i];
        printf("| %zu | `%s` | %s | %s | %s | %s | %s | %s |\n", i + 1, s->name,
               s->victim == HP_VICTIM_SERVER ? "server" : "client", s->rule,
               s->alert == HP_NO_ALERT ? "none" : hp_alert_name(s->alert),
               ssl_error_name(s->ssl_error), s->reason ? s->reason_name : "-",
               s->ssl_error != 1                ? "-"
               : s->phase == HP_PHASE_HANDSHAKE ? "handshake"
                                                : "SSL_read");
    }
    return 0;
}

static int tcp_connect(const char *host, const char *port)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &res) != 0 || res == NULL)
        return -1;
    int fd = socket(res->ai_family, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

/* tcp_accept: the next connection on |lfd|, within 20 s (-1 if none). */
static int tcp_accept(int lfd)
{
    struct pollfd p = {lfd, POLLIN, 0};
    if (poll(&p, 1, 20000) != 1) {
        fprintf(stderr, "hostile_peer: no connection within 20 s\n");
        return -1;
    }
    return accept(lfd, NULL, NULL);
}

/* tcp_listen listens on 127.0.0.1:PORT and prints "PORT n" (-1 on failure). */
static int tcp_listen(const char *port)
{
    struct sockaddr_in a = {0};
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)atoi(port));
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 1) != 0) {
        perror("hostile_peer: listen");
        goto out;
    }
    socklen_t alen = sizeof(a);
    if (getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
        perror("hostile_peer: getsockname");
        goto out;
    }
    printf("PORT %u\n", ntohs(a.sin_port));
    fflush(stdout);
    return fd;
out:
    if (fd >= 0)
        close(fd);
    return -1;
}

static long tcp_ctl(void *arg, int op)
{
    TCP *t = arg;
    if (op != HP_CTL_RECONNECT)
        return -1;
    close(t->fd);
    t->closed = 0;
    t->fd = t->listen_fd >= 0 ? tcp_accept(t->listen_fd) : tcp_connect(t->host, t->port);
    return t->fd >= 0 ? 1 : -1;
}

static int play(const HP_SCENARIO *sc, TCP t, X509 *cert, EVP_PKEY *key)
{
    t.timeout_ms = 5000;
    const char *ms = getenv("HOSTILE_TIMEOUT_MS");
    if (ms != NULL && atoi(ms) > 0)
        t.timeout_ms = atoi(ms);
    HP_IO io = {tcp_send, tcp_recv, tcp_ctl, &t};
    HP p;
    if (!hp_init(&p, &io, sc->victim == HP_VICTIM_CLIENT, cert, key)) {
        fprintf(stderr, "hostile_peer: init failed\n");
        return 1;
    }
    p.verbose = getenv("HOSTILE_VERBOSE") != NULL;
    int ok = hp_scenario_run(sc, &p);
    if (ok)
        printf("ok   %s: victim sent %s%s\n", sc->name,
               p.alert_level >= 0 ? hp_alert_name(p.alert_desc) : "no alert",
               sc->alert == HP_NO_ALERT ? " and answered correctly" : "");
    else
        printf("FAIL %s: %s (alert seen: %s)\n", sc->name, p.why,
               p.alert_level >= 0 ? hp_alert_name(p.alert_desc) : "none");
    fflush(stdout);
    hp_free(&p);
    if (t.fd >= 0)
        close(t.fd);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc == 2 && strcmp(argv[1], "list") == 0)
        return list();
    if (argc == 2 && strcmp(argv[1], "table") == 0)
        return table();
    if (argc == 5 && strcmp(argv[1], "connect") == 0) {
        const HP_SCENARIO *sc = hp_scenario_find(argv[4]);
        if (sc == NULL || sc->victim != HP_VICTIM_SERVER) {
            fprintf(stderr, "hostile_peer: no server-victim scenario '%s'\n", argv[4]);
            return 2;
        }
        int fd = tcp_connect(argv[2], argv[3]);
        if (fd < 0) {
            fprintf(stderr, "hostile_peer: cannot connect to %s:%s\n", argv[2], argv[3]);
            return 1;
        }
        TCP t = {.fd = fd, .host = argv[2], .port = argv[3], .listen_fd = -1};
        return play(sc, t, NULL, NULL);
    }
    if (argc == 6 && strcmp(argv[1], "accept") == 0) {
        const HP_SCENARIO *sc = hp_scenario_find(argv[3]);
        if (sc == NULL || sc->victim != HP_VICTIM_CLIENT) {
            fprintf(stderr, "hostile_peer: no client-victim scenario '%s'\n", argv[3]);
            return 2;
        }
        FILE *fc = fopen(argv[4], "r"), *fk = fopen(argv[5], "r");
        X509 *cert = fc ? PEM_read_X509(fc, NULL, NULL, NULL) : NULL;
        EVP_PKEY *key = fk ? PEM_read_PrivateKey(fk, NULL, NULL, NULL) : NULL;
        if (fc)
            fclose(fc);
        if (fk)
            fclose(fk);
        if (cert == NULL || key == NULL) {
            fprintf(stderr, "hostile_peer: cannot read %s / %s\n", argv[4], argv[5]);
            return 2;
        }
        int lfd = tcp_listen(argv[2]), fd = lfd >= 0 ? tcp_accept(lfd) : -1;
        TCP t = {.fd = fd, .listen_fd = lfd};
        int rc = fd < 0 ? 1 : play(sc, t, cert, key);
        if (lfd >= 0)
            close(lfd);
        X509_free(cert);
        EVP_PKEY_free(key);
        return rc;
    }
    return usage();
}

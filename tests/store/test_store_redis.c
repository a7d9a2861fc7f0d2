/* unit.store_redis: libsesame-store-redis.so, loaded with dlopen as
 * libssl.so.3 loads it, against redis-server instances started here on free
 * loopback ports (killed by PID at exit, and by PR_SET_PDEATHSIG should
 * this process die first).  Every wait is bounded.
 *
 * Covers: the table; URLs good and bad (rediss:// refused); every operation
 * and result code; binary and large values; GETDEL atomicity (8 threads
 * race for 200 keys: each taken once); pooling (one connection for
 * sequential operations, at most 32); PX and NX; cas create/swap/mismatch;
 * AUTH (password, user + password, wrong password: STORE_ERR at once);
 * SELECT isolation; a unix socket; timeouts (DEBUG SLEEP: STORE_TIMEOUT
 * after ~timeout_ms); fork (the child connects afresh, the parent's
 * connection survives); Redis killed (STORE_ERR at once, no connection
 * attempt while backing off, the delay doubling); Redis restarted (the same
 * handle works again within ~2 s).
 *
 * Exits 77 (skipped) without redis-server or without the module (no
 * hiredis at build time).  The module's path: STORE_REDIS_MODULE, or the
 * environment's SESAME_STORE_REDIS_MODULE. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store_module.h"
#include "testutil.h"

#ifndef STORE_REDIS_MODULE
#define STORE_REDIS_MODULE "libsesame-store-redis.so"
#endif

static const struct sesame_store_module *M;

/* ---- time ---------------------------------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(double ms)
{
    struct timespec ts;
    if (ms <= 0)
        return;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- redis-server instances ---------------------------------------------------------------- */

#define MAX_SERVERS 4
static pid_t servers[MAX_SERVERS];
static pid_t owner_pid;
static char tmpdir[64];
static char sock_path[128];
static int debug_flag; /* redis-server >= 7: --enable-debug-command yes */

static void kill_server(pid_t *pid)
{
    if (*pid <= 0)
        return;
    kill(*pid, SIGKILL);
    waitpid(*pid, NULL, 0);
    *pid = 0;
}

static void cleanup(void)
{
    int i;
    if (getpid() != owner_pid)
        return;
    for (i = 0; i < MAX_SERVERS; i++)
        kill_server(&servers[i]);
    if (tmpdir[0] != '\0') {
        unlink(sock_path);
        rmdir(tmpdir);
    }
}

static int have_program(const char *name)
{
    const char *path = getenv("PATH");
    char buf[4096];
    while (path != NULL && *path != '\0') {
        size_t n = strcspn(path, ":");
        snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name);
        if (access(buf, X_OK) == 0)
            return 1;
        path += n;
        if (*path == ':')
            path++;
    }
    return 0;
}

static int redis_major(void)
{
    FILE *p = popen("redis-server --version 2>/dev/null", "r");
    char line[512];
    int major = 0;
    if (p == NULL)
        return 0;
    if (fgets(line, sizeof(line), p) != NULL) {
        const char *v = strstr(line, "v=");
        if (v != NULL)
            major = atoi(v + 2);
    }
    pclose(p);
    return major;
}

static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* raw_connect: a plain TCP connection for the test's own commands, reads and
 * writes bounded by 2 s. */
static int raw_connect(int port)
{
    struct sockaddr_in a;
    struct timeval tv = {2, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int raw_send(int fd, const char *inline_cmd)
{
    size_t n = strlen(inline_cmd);
    return send(fd, inline_cmd, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

/* raw_reply: one reply into buf (NUL-terminated): a line (+, -, :) or a
 * whole bulk string ($N ... ). -1 on timeout or EOF. */
static int raw_reply(int fd, char *buf, size_t cap)
{
    size_t have = 0;
    for (;;) {
        ssize_t n;
        char *crlf;
        buf[have] = '\0';
        crlf = strstr(buf, "\r\n");
        if (crlf != NULL) {
            if (buf[0] != '$')
                return 0;
            long blen = atol(buf + 1);
            if (blen < 0)
                return 0;
            if (have >= (size_t)(crlf - buf) + 2 + (size_t)blen + 2)
                return 0;
        }
        if (have + 1 >= cap)
            return -1;
        n = recv(fd, buf + have, cap - 1 - have, 0);
        if (n <= 0)
            return -1;
        have += (size_t)n;
    }
}

/* raw_cmd: an inline command on a new connection; its reply into buf. */
static int raw_cmd(int port, const char *cmd, char *buf, size_t cap)
{
    int fd = raw_connect(port), rc = -1;
    if (fd < 0)
        return -1;
    if (raw_send(fd, cmd) == 0)
        rc = raw_reply(fd, buf, cap);
    close(fd);
    return rc;
}

/* info_field: a number from INFO's reply (e.g. total_connections_received). */
static long info_field(int fd, const char *section, const char *field)
{
    char cmd[64], buf[16384], *p;
    snprintf(cmd, sizeof(cmd), "INFO %s\r\n", section);
    if (raw_send(fd, cmd) != 0 || raw_reply(fd, buf, sizeof(buf)) != 0)
        return -1;
    p = strstr(buf, field);
    if (p == NULL || p[strlen(field)] != ':')
        return -1;
    return atol(p + strlen(field) + 1);
}

/* start_server: redis-server on 127.0.0.1:port (+ extra arguments), ready
 * to answer within 5 s; its pid, or -1. */
static pid_t start_server(int port, const char *requirepass, const char *unixsocket)
{
    char portstr[16], buf[256];
    const char *argv[24];
    int argc = 0, i;
    pid_t pid;
    double t0;

    snprintf(portstr, sizeof(portstr), "%d", port);
    argv[argc++] = "redis-server";
    argv[argc++] = "--port";
    argv[argc++] = portstr;
    argv[argc++] = "--bind";
    argv[argc++] = "127.0.0.1";
    argv[argc++] = "--save";
    argv[argc++] = "";
    argv[argc++] = "--appendonly";
    argv[argc++] = "no";
    argv[argc++] = "--dir";
    argv[argc++] = tmpdir;
    argv[argc++] = "--logfile";
    argv[argc++] = "";
    if (debug_flag) {
        argv[argc++] = "--enable-debug-command";
        argv[argc++] = "yes";
    }
    if (requirepass != NULL) {
        argv[argc++] = "--requirepass";
        argv[argc++] = requirepass;
    }
    if (unixsocket != NULL) {
        argv[argc++] = "--unixsocket";
        argv[argc++] = unixsocket;
        argv[argc++] = "--unixsocketperm";
        argv[argc++] = "700";
    }
    argv[argc] = NULL;

    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != owner_pid)
            _exit(127);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
        execvp("redis-server", (char *const *)argv);
        _exit(127);
    }
    for (i = 0; i < MAX_SERVERS; i++)
        if (servers[i] == 0) {
            servers[i] = pid;
            break;
        }
    t0 = now_ms();
    while (now_ms() - t0 < 5000) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            for (i = 0; i < MAX_SERVERS; i++)
                if (servers[i] == pid)
                    servers[i] = 0;
            return -1;
        }
        /* Up once it answers (NOAUTH from a server with a password counts). */
        if (raw_cmd(port, "PING\r\n", buf, sizeof(buf)) == 0 && (buf[0] == '+' || buf[0] == '-'))
            return pid;
        sleep_ms(10);
    }
    return -1;
}

static void stop_server(pid_t pid)
{
    int i;
    for (i = 0; i < MAX_SERVERS; i++)
        if (servers[i] == pid)
            kill_server(&servers[i]);
}

/* ---- helpers ----------------------------------------------------------------------------- */

static int main_port;  /* the main server: TCP + unix socket, no password */
static pid_t main_pid; /* ... killed and restarted by the last test */

static void *open_url(const char *url, unsigned timeout_ms)
{
    char err[256] = "";
    void *h = M->open(url, timeout_ms, err, sizeof(err));
    if (h == NULL)
        fprintf(stderr, "  open(%s): %s\n", url, err);
    return h;
}

static void *open_main(const char *suffix, unsigned timeout_ms)
{
    char url[256];
    snprintf(url, sizeof(url), "redis://127.0.0.1:%d%s", main_port, suffix);
    return open_url(url, timeout_ms);
}

#define K(s) (const uint8_t *)(s), strlen(s)

static int set_s(void *h, const char *k, const char *v, uint64_t ttl, int nx)
{
    return M->set(h, K(k), K(v), ttl, nx);
}

/* get_is: get(key) returns rc and, for STORE_OK, exactly |want|. */
static int get_is(void *h, const char *k, int del, int rc, const char *want)
{
    uint8_t *v = NULL;
    size_t n = 0;
    int got = M->get(h, K(k), del, &v, &n);
    int ok = got == rc;
    if (ok && rc == STORE_OK)
        ok = v != NULL && n == strlen(want) && memcmp(v, want, n) == 0;
    if (ok && rc != STORE_OK)
        ok = v == NULL && n == 0;
    if (!ok)
        fprintf(stderr, "  get(%s): rc %d (want %d), '%.*s' (want '%s')\n", k, got, rc,
                v != NULL ? (int)n : 0, v != NULL ? (const char *)v : "", want ? want : "");
    M->free_value(v, n);
    return ok;
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_table(void)
{
    REQUIRE(M != NULL);
    CHECK_EQ_INT(M->abi, SESAME_STORE_ABI);
    CHECK(M->name != NULL && strcmp(M->name, "redis") == 0);
    CHECK(M->open && M->close && M->get && M->set && M->del && M->cas && M->free_value &&
          M->set_nowait);
    M->free_value(NULL, 0);
    M->close(NULL);
}

static void test_urls(void)
{
    static const char *const good[] = {
        "redis://127.0.0.1",
        "redis://127.0.0.1:6379/0",
        "redis://localhost:6380/15?timeout_ms=5&prefix=x&strict_tickets=1",
        "redis://:secret@127.0.0.1:1",
        "redis://user:secret@127.0.0.1:1/2",
        "redis://:p%40ss%3Aw%2Frd@host.example:1",
        "redis://:p@ss@host:1/",
        "redis://[::1]:6379/3",
        "redis://[::1]",
        "redis://h?db=4&password=x&user=u&key_file=/k",
        "redis://h/4?db=4",
        "REDIS://h",
        "unix:///tmp/redis.sock",
        "unix:///tmp/redis.sock?db=2&password=p&ticket_key_period=60",
    };
    static const struct {
        const char *url, *reason;
    } bad[] = {
        {"rediss://127.0.0.1:6379",
         "rediss:// needs hiredis with TLS (hiredis >= 1.0 built with SSL); this one has none"},
        {"redis://127.0.0.1:0", "port"},
        {"redis://127.0.0.1:65536", "port"},
        {"redis://127.0.0.1:12ab", "port"},
        {"redis://127.0.0.1:", "port"},
        {"redis://127.0.0.1:-1", "port"},
        {"redis://", "empty host"},
        {"redis:///0", "empty host"},
        {"redis://:pw@/0", "empty host"},
        {"redis://:pw@:6379", "empty host"},
        {"redis://h/abc", "not a number"},
        {"redis://h/1x", "not a number"},
        {"redis://h/-1", "not a number"},
        {"redis://h/99999999999", "not a number"},
        {"redis://h?db=x", "not a number"},
        {"redis://h/1?db=2", "twice"},
        {"redis://::1:6379", "brackets"},
        {"redis://[::1", "]"},
        {"redis://[::1]x", "]"},
        {"redis://secret@h", "password"},
        {"redis://:bad%zz@h", "password"},
        {"redis://:nul%00@h", "password"},
        {"redis://h st", "host"},
        {"unix://", "absolute path"},
        {"unix://relative.sock", "absolute path"},
        {"http://h", "scheme"},
        {"", "scheme"},
    };
    char err[256];
    size_t i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        double t0 = now_ms();
        void *h = M->open(good[i], 10, err, sizeof(err));
        if (!CHECK(h != NULL))
            fprintf(stderr, "  good URL refused: %s (%s)\n", good[i], err);
        CHECK(now_ms() - t0 < 50); /* open does not connect */
        M->close(h);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        void *h;
        strcpy(err, "");
        h = M->open(bad[i].url, 10, err, sizeof(err));
        if (!CHECK(h == NULL))
            fprintf(stderr, "  bad URL accepted: %s\n", bad[i].url);
        M->close(h);
        if (!CHECK(strstr(err, bad[i].reason) != NULL))
            fprintf(stderr, "  %s: reason '%s', expected it to mention '%s'\n", bad[i].url, err,
                    bad[i].reason);
    }
    CHECK(M->open(NULL, 10, err, sizeof(err)) == NULL);
    CHECK(M->open("redis://:pw@/", 10, NULL, 0) == NULL); /* no room for a reason: fine */
    strcpy(err, "x");
    CHECK(M->open("redis://h:0", 10, err, 1) == NULL && err[0] == '\0'); /* truncated */
}

static void test_ops(void)
{
    void *h = open_main("", 1000);
    uint8_t *v = NULL;
    size_t n = 7;
    char buf[256];
    REQUIRE(h != NULL);

    /* set / get / get+del / del */
    CHECK_EQ_INT(set_s(h, "ops:a", "alpha", 0, 0), STORE_OK);
    CHECK(get_is(h, "ops:a", 0, STORE_OK, "alpha"));
    CHECK(get_is(h, "ops:a", 0, STORE_OK, "alpha"));
    CHECK(get_is(h, "ops:a", 1, STORE_OK, "alpha"));
    CHECK(get_is(h, "ops:a", 0, STORE_MISS, NULL));
    CHECK(get_is(h, "ops:a", 1, STORE_MISS, NULL));
    CHECK_EQ_INT(M->del(h, K("ops:a")), STORE_MISS);
    CHECK_EQ_INT(set_s(h, "ops:a", "again", 0, 0), STORE_OK);
    CHECK_EQ_INT(M->del(h, K("ops:a")), STORE_OK);
    CHECK_EQ_INT(M->del(h, K("ops:a")), STORE_MISS);
    CHECK_EQ_INT(M->get(h, K("ops:a"), 0, &v, &n), STORE_MISS);
    CHECK(v == NULL && n == 0);

    /* set overwrites; ttl 0 is no expiry */
    CHECK_EQ_INT(set_s(h, "ops:b", "one", 0, 0), STORE_OK);
    CHECK_EQ_INT(set_s(h, "ops:b", "two", 0, 0), STORE_OK);
    CHECK(get_is(h, "ops:b", 0, STORE_OK, "two"));
    CHECK(raw_cmd(main_port, "PTTL ops:b\r\n", buf, sizeof(buf)) == 0 &&
          strncmp(buf, ":-1\r\n", 5) == 0);

    /* binary keys and values, the empty value */
    {
        static const uint8_t key[] = {'k', 0, '\r', '\n', 0xff, '$', '*'};
        static const uint8_t val[] = {0, 1, '\r', '\n', '$', '-', '1', 0xfe, 0};
        CHECK_EQ_INT(M->set(h, key, sizeof(key), val, sizeof(val), 0, 0), STORE_OK);
        CHECK_EQ_INT(M->get(h, key, sizeof(key), 1, &v, &n), STORE_OK);
        CHECK_EQ_MEM(v, n, val, sizeof(val));
        M->free_value(v, n);
        CHECK_EQ_INT(M->set(h, key, sizeof(key), NULL, 0, 0, 0), STORE_OK);
        v = NULL;
        CHECK_EQ_INT(M->get(h, key, sizeof(key), 1, &v, &n), STORE_OK);
        CHECK(v != NULL && n == 0);
        M->free_value(v, n);
    }

    /* a large value (many reads, the allocated command buffer) */
    {
        size_t big = 300 * 1024, i;
        uint8_t *val = malloc(big);
        REQUIRE(val != NULL);
        for (i = 0; i < big; i++)
            val[i] = (uint8_t)(i * 7 + i / 251);
        CHECK_EQ_INT(M->set(h, K("ops:big"), val, big, 60000, 0), STORE_OK);
        CHECK_EQ_INT(M->get(h, K("ops:big"), 1, &v, &n), STORE_OK);
        CHECK(n == big && v != NULL && memcmp(v, val, big) == 0);
        M->free_value(v, n);
        free(val);
    }

    /* NX */
    CHECK_EQ_INT(set_s(h, "ops:nx", "first", 0, 1), STORE_OK);
    CHECK_EQ_INT(set_s(h, "ops:nx", "second", 0, 1), STORE_MISS);
    CHECK(get_is(h, "ops:nx", 0, STORE_OK, "first"));
    CHECK_EQ_INT(set_s(h, "ops:nx", "third", 0, 0), STORE_OK); /* without NX: replaced */
    CHECK(get_is(h, "ops:nx", 1, STORE_OK, "third"));

    /* an error reply (WRONGTYPE) is STORE_ERR, and the connection stays good */
    CHECK(raw_cmd(main_port, "RPUSH ops:list x\r\n", buf, sizeof(buf)) == 0);
    CHECK_EQ_INT(M->get(h, K("ops:list"), 0, &v, &n), STORE_ERR);
    CHECK_EQ_INT(M->get(h, K("ops:list"), 1, &v, &n), STORE_ERR);
    CHECK_EQ_INT(M->cas(h, K("ops:list"), K("x"), K("y"), 0), STORE_ERR);
    CHECK(get_is(h, "ops:nx", 0, STORE_MISS, NULL)); /* no backoff: works at once */
    CHECK_EQ_INT(M->del(h, K("ops:list")), STORE_OK);

    /* bad arguments */
    CHECK_EQ_INT(M->get(h, NULL, 3, 0, &v, &n), STORE_ERR);
    CHECK_EQ_INT(M->get(h, K("x"), 0, NULL, &n), STORE_ERR);
    CHECK_EQ_INT(M->set(h, K("x"), NULL, 3, 0, 0), STORE_ERR);
    CHECK_EQ_INT(M->del(NULL, K("x")), STORE_ERR);
    M->close(h);
}

/* set_nowait: written at once, read back by the next command on the same
 * connection (the owed replies drained first); more than RS_MAX_PENDING in
 * a row. */
static void test_set_nowait(void)
{
    void *h = open_main("", 1000);
    char key[32], val[32], buf[256];
    REQUIRE(h != NULL && M->set_nowait != NULL);
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof(key), "nw:%d", i);
        snprintf(val, sizeof(val), "value-%d", i);
        CHECK_EQ_INT(M->set_nowait(h, K(key), K(val), i % 2 ? 60000 : 0), STORE_OK);
    }
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof(key), "nw:%d", i);
        snprintf(val, sizeof(val), "value-%d", i);
        CHECK(get_is(h, key, 1, STORE_OK, val));
    }
    CHECK(raw_cmd(main_port, "PTTL nw:1\r\n", buf, sizeof(buf)) == 0 && buf[0] == ':');
    /* a key set meanwhile by someone else is overwritten in order */
    CHECK(raw_cmd(main_port, "SET nw:ro x\r\n", buf, sizeof(buf)) == 0);
    CHECK_EQ_INT(M->set_nowait(h, K("nw:ro"), K("y"), 0), STORE_OK);
    CHECK(get_is(h, "nw:ro", 1, STORE_OK, "y"));
    M->close(h);
}

static void test_ttl(void)
{
    void *h = open_main("", 1000);
    char buf[256];
    double t0, gone = -1;
    REQUIRE(h != NULL);
    CHECK_EQ_INT(set_s(h, "ttl:a", "v", 150, 0), STORE_OK);
    t0 = now_ms();
    CHECK(raw_cmd(main_port, "PTTL ttl:a\r\n", buf, sizeof(buf)) == 0 && buf[0] == ':' &&
          atol(buf + 1) > 0 && atol(buf + 1) <= 150);
    CHECK(get_is(h, "ttl:a", 0, STORE_OK, "v"));
    while (now_ms() - t0 < 1000) {
        uint8_t *v = NULL;
        size_t n = 0;
        int rc = M->get(h, K("ttl:a"), 0, &v, &n);
        M->free_value(v, n);
        if (rc == STORE_MISS) {
            gone = now_ms() - t0;
            break;
        }
        CHECK_EQ_INT(rc, STORE_OK);
        sleep_ms(5);
    }
    CHECK(gone > 100 && gone < 400);
    fprintf(stderr, "  PX 150: gone after %.0f ms\n", gone);
    /* NX with PX: the key is there until it expires */
    CHECK_EQ_INT(set_s(h, "ttl:b", "v1", 100, 1), STORE_OK);
    CHECK_EQ_INT(set_s(h, "ttl:b", "v2", 100, 1), STORE_MISS);
    sleep_ms(200);
    CHECK_EQ_INT(set_s(h, "ttl:b", "v3", 0, 1), STORE_OK);
    CHECK(get_is(h, "ttl:b", 1, STORE_OK, "v3"));
    M->close(h);
}

static void test_cas(void)
{
    void *h = open_main("", 1000);
    char buf[256];
    REQUIRE(h != NULL);
    M->del(h, K("cas:k"));
    /* create: expect NULL */
    CHECK_EQ_INT(M->cas(h, K("cas:k"), NULL, 0, K("v1"), 0), STORE_OK);
    CHECK(get_is(h, "cas:k", 0, STORE_OK, "v1"));
    CHECK_EQ_INT(M->cas(h, K("cas:k"), NULL, 0, K("v2"), 0), STORE_MISS);
    CHECK(get_is(h, "cas:k", 0, STORE_OK, "v1"));
    /* mismatch */
    CHECK_EQ_INT(M->cas(h, K("cas:k"), K("v0"), K("v2"), 0), STORE_MISS);
    CHECK_EQ_INT(M->cas(h, K("cas:k"), K("v1x"), K("v2"), 0), STORE_MISS);
    CHECK_EQ_INT(M->cas(h, K("cas:k"), K(""), K("v2"), 0), STORE_MISS);
    CHECK(get_is(h, "cas:k", 0, STORE_OK, "v1"));
    /* swap, with a ttl then without */
    CHECK_EQ_INT(M->cas(h, K("cas:k"), K("v1"), K("v2"), 60000), STORE_OK);
    CHECK(get_is(h, "cas:k", 0, STORE_OK, "v2"));
    CHECK(raw_cmd(main_port, "PTTL cas:k\r\n", buf, sizeof(buf)) == 0 && buf[0] == ':' &&
          atol(buf + 1) > 50000);
    CHECK_EQ_INT(M->cas(h, K("cas:k"), K("v2"), K("v3"), 0), STORE_OK);
    CHECK(raw_cmd(main_port, "PTTL cas:k\r\n", buf, sizeof(buf)) == 0 &&
          strncmp(buf, ":-1\r\n", 5) == 0);
    /* expect "v3" on a missing key: no */
    CHECK_EQ_INT(M->del(h, K("cas:k")), STORE_OK);
    CHECK_EQ_INT(M->cas(h, K("cas:k"), K("v3"), K("v4"), 0), STORE_MISS);
    CHECK(get_is(h, "cas:k", 0, STORE_MISS, NULL));
    /* create with a ttl; binary values with NULs compare exactly */
    {
        static const uint8_t a[] = {0, 'a', 0}, b[] = {0, 'a', 1}, c[] = {'c'};
        CHECK_EQ_INT(M->cas(h, K("cas:b"), NULL, 0, a, sizeof(a), 60000), STORE_OK);
        CHECK_EQ_INT(M->cas(h, K("cas:b"), b, sizeof(b), c, sizeof(c), 0), STORE_MISS);
        CHECK_EQ_INT(M->cas(h, K("cas:b"), a, 2, c, sizeof(c), 0), STORE_MISS);
        CHECK_EQ_INT(M->cas(h, K("cas:b"), a, sizeof(a), c, sizeof(c), 0), STORE_OK);
        CHECK(get_is(h, "cas:b", 1, STORE_OK, "c"));
    }
    M->close(h);
}

/* GETDEL atomicity: 8 threads race to take each of 200 keys. */
#define RACE_THREADS 8
#define RACE_KEYS    200
struct racer {
    void *h;
    int idx;
    int took[RACE_KEYS];
    int errors;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    int i;
    for (i = 0; i < RACE_KEYS; i++) {
        int k = (i + r->idx * 25) % RACE_KEYS, rc;
        char key[32], want[32];
        uint8_t *v = NULL;
        size_t n = 0;
        snprintf(key, sizeof(key), "race:%d", k);
        snprintf(want, sizeof(want), "value-%d", k);
        rc = M->get(r->h, K(key), 1, &v, &n);
        if (rc == STORE_OK && n == strlen(want) && memcmp(v, want, n) == 0)
            r->took[k]++;
        else if (rc != STORE_MISS)
            r->errors++;
        M->free_value(v, n);
    }
    return NULL;
}

static void test_getdel_race(void)
{
    static struct racer rs[RACE_THREADS];
    pthread_t th[RACE_THREADS];
    void *h = open_main("", 2000);
    int i, k, once = 0, errors = 0;
    REQUIRE(h != NULL);
    for (k = 0; k < RACE_KEYS; k++) {
        char key[32], val[32];
        snprintf(key, sizeof(key), "race:%d", k);
        snprintf(val, sizeof(val), "value-%d", k);
        CHECK_EQ_INT(set_s(h, key, val, 60000, 0), STORE_OK);
    }
    for (i = 0; i < RACE_THREADS; i++) {
        memset(&rs[i], 0, sizeof(rs[i]));
        rs[i].h = h;
        rs[i].idx = i;
        CHECK(pthread_create(&th[i], NULL, race, &rs[i]) == 0);
    }
    for (i = 0; i < RACE_THREADS; i++)
        pthread_join(th[i], NULL);
    for (k = 0; k < RACE_KEYS; k++) {
        int total = 0;
        for (i = 0; i < RACE_THREADS; i++)
            total += rs[i].took[k];
        once += total == 1;
    }
    for (i = 0; i < RACE_THREADS; i++)
        errors += rs[i].errors;
    CHECK_EQ_INT(once, RACE_KEYS);
    CHECK_EQ_INT(errors, 0);
    fprintf(stderr, "  %d threads x %d GETDEL: %d keys taken exactly once, %d errors\n",
            RACE_THREADS, RACE_KEYS, once, errors);
    M->close(h);
}

/* Connections are pooled: sequential operations share one, threads at most one each. */
struct reuser {
    void *h;
    int errors;
};

static void *reuse(void *arg)
{
    struct reuser *r = arg;
    int i;
    for (i = 0; i < 50; i++)
        r->errors += set_s(r->h, "reuse:k", "v", 0, 0) != STORE_OK;
    return NULL;
}

static void test_pool_reuse(void)
{
    static struct reuser rs[RACE_THREADS];
    pthread_t th[RACE_THREADS];
    void *h = open_main("", 2000);
    int fd = raw_connect(main_port), i, errors = 0;
    long n0, n1, n2;
    REQUIRE(h != NULL && fd >= 0);
    n0 = info_field(fd, "stats", "total_connections_received");
    for (i = 0; i < 100; i++)
        errors += set_s(h, "reuse:k", "v", 0, 0) != STORE_OK;
    n1 = info_field(fd, "stats", "total_connections_received");
    CHECK_EQ_INT(n1 - n0, 1);
    for (i = 0; i < RACE_THREADS; i++) {
        rs[i].h = h;
        rs[i].errors = 0;
        CHECK(pthread_create(&th[i], NULL, reuse, &rs[i]) == 0);
    }
    for (i = 0; i < RACE_THREADS; i++) {
        pthread_join(th[i], NULL);
        errors += rs[i].errors;
    }
    n2 = info_field(fd, "stats", "total_connections_received");
    CHECK(n2 - n0 >= 1 && n2 - n0 <= RACE_THREADS);
    CHECK_EQ_INT(errors, 0);
    fprintf(stderr, "  100 sequential ops: %ld connection; then %d threads x 50: %ld in all\n",
            n1 - n0, RACE_THREADS, n2 - n0);
    close(fd);
    M->close(h);
}

/* At most 32 connections per handle: 40 threads at once against a server
 * that never answers: 32 connect and time out, 8 fail at once. */
#define BOUND_THREADS 40
struct bounder {
    void *h;
    pthread_barrier_t *go;
    int rc;
    double ms;
};

static void *bound(void *arg)
{
    struct bounder *b = arg;
    double t0;
    pthread_barrier_wait(b->go);
    t0 = now_ms();
    b->rc = set_s(b->h, "k", "v", 0, 0);
    b->ms = now_ms() - t0;
    return NULL;
}

static void test_pool_bound(void)
{
    static struct bounder bs[BOUND_THREADS];
    pthread_t th[BOUND_THREADS];
    pthread_barrier_t go;
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    char url[128];
    int lfd = socket(AF_INET, SOCK_STREAM, 0), i, timeouts = 0, errs = 0, accepted = 0, fd;
    double worst_err = 0;
    void *h;
    REQUIRE(lfd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(lfd, 128) == 0);
    REQUIRE(getsockname(lfd, (struct sockaddr *)&a, &alen) == 0);
    snprintf(url, sizeof(url), "redis://127.0.0.1:%d", ntohs(a.sin_port));
    h = open_url(url, 300);
    REQUIRE(h != NULL);
    pthread_barrier_init(&go, NULL, BOUND_THREADS);
    for (i = 0; i < BOUND_THREADS; i++) {
        bs[i].h = h;
        bs[i].go = &go;
        CHECK(pthread_create(&th[i], NULL, bound, &bs[i]) == 0);
    }
    for (i = 0; i < BOUND_THREADS; i++) {
        pthread_join(th[i], NULL);
        if (bs[i].rc == STORE_TIMEOUT) {
            timeouts++;
        } else {
            CHECK_EQ_INT(bs[i].rc, STORE_ERR);
            errs++;
            if (bs[i].ms > worst_err)
                worst_err = bs[i].ms;
        }
    }
    pthread_barrier_destroy(&go);
    fcntl(lfd, F_SETFL, O_NONBLOCK);
    while ((fd = accept(lfd, NULL, NULL)) >= 0) {
        accepted++;
        close(fd);
    }
    close(lfd);
    CHECK_EQ_INT(timeouts, 32);
    CHECK_EQ_INT(errs, BOUND_THREADS - 32);
    CHECK_EQ_INT(accepted, 32);
    CHECK(worst_err < 50);
    fprintf(stderr,
            "  %d threads at once, no answer: %d connected and timed out, %d failed at once "
            "(<= %.1f ms)\n",
            BOUND_THREADS, timeouts, errs, worst_err);
    M->close(h);
}

static void test_select_db(void)
{
    void *h0 = open_main("", 1000), *h1 = open_main("/1", 1000),
         *h1q = open_main("/?db=1&prefix=ignored", 1000);
    REQUIRE(h0 != NULL && h1 != NULL && h1q != NULL);
    M->del(h0, K("db:k"));
    M->del(h1, K("db:k"));
    CHECK_EQ_INT(set_s(h0, "db:k", "zero", 0, 0), STORE_OK);
    CHECK(get_is(h1, "db:k", 0, STORE_MISS, NULL));
    CHECK_EQ_INT(set_s(h1, "db:k", "one", 0, 0), STORE_OK);
    CHECK(get_is(h0, "db:k", 0, STORE_OK, "zero"));
    CHECK(get_is(h1q, "db:k", 0, STORE_OK, "one"));
    CHECK_EQ_INT(M->del(h1, K("db:k")), STORE_OK);
    CHECK(get_is(h0, "db:k", 1, STORE_OK, "zero"));
    M->close(h0);
    M->close(h1);
    M->close(h1q);
    /* a db the server does not have: SELECT fails, so does the operation */
    h0 = open_main("/999", 1000);
    REQUIRE(h0 != NULL);
    CHECK_EQ_INT(set_s(h0, "db:k", "x", 0, 0), STORE_ERR);
    M->close(h0);
}

static void test_unix_socket(void)
{
    char url[256];
    void *hu, *h2;
    snprintf(url, sizeof(url), "unix://%s?db=2&timeout_ms=7", sock_path);
    hu = open_url(url, 1000);
    h2 = open_main("/2", 1000);
    REQUIRE(hu != NULL && h2 != NULL);
    CHECK_EQ_INT(set_s(hu, "unix:k", "via unix", 0, 0), STORE_OK);
    CHECK(get_is(h2, "unix:k", 0, STORE_OK, "via unix"));
    CHECK(get_is(hu, "unix:k", 1, STORE_OK, "via unix"));
    CHECK_EQ_INT(M->del(hu, K("unix:k")), STORE_MISS);
    M->close(hu);
    M->close(h2);
    /* no such socket: STORE_ERR at once */
    snprintf(url, sizeof(url), "unix://%s/none.sock", tmpdir);
    hu = open_url(url, 1000);
    REQUIRE(hu != NULL);
    {
        double t0 = now_ms();
        CHECK_EQ_INT(set_s(hu, "k", "v", 0, 0), STORE_ERR);
        CHECK(now_ms() - t0 < 50);
    }
    M->close(hu);
}

static void test_auth(void)
{
    int port = free_port();
    pid_t pid;
    char url[256];
    void *h;
    double t0, t1;
    REQUIRE(port > 0);
    pid = start_server(port, "p@ss:w/rd", NULL);
    REQUIRE(pid > 0);

    snprintf(url, sizeof(url), "redis://:p%%40ss%%3Aw%%2Frd@127.0.0.1:%d", port);
    h = open_url(url, 1000);
    CHECK(h != NULL);
    CHECK_EQ_INT(set_s(h, "auth:k", "secret value", 0, 0), STORE_OK);
    CHECK(get_is(h, "auth:k", 0, STORE_OK, "secret value"));
    M->close(h);

    snprintf(url, sizeof(url), "redis://default:p@ss:w%%2Frd@127.0.0.1:%d/3", port);
    h = open_url(url, 1000); /* AUTH default <password>, the last '@' ends it */
    CHECK(h != NULL);
    CHECK_EQ_INT(set_s(h, "auth:k", "in db 3", 0, 0), STORE_OK);
    M->close(h);

    snprintf(url, sizeof(url), "redis://127.0.0.1:%d?password=p%%40ss%%3Aw%%2Frd&db=3", port);
    h = open_url(url, 1000);
    CHECK(h != NULL);
    CHECK(get_is(h, "auth:k", 1, STORE_OK, "in db 3"));
    M->close(h);

    /* wrong password, unknown user, none: STORE_ERR without a stall */
    snprintf(url, sizeof(url), "redis://:wrong@127.0.0.1:%d", port);
    h = open_url(url, 1000);
    REQUIRE(h != NULL);
    t0 = now_ms();
    CHECK_EQ_INT(set_s(h, "auth:k", "v", 0, 0), STORE_ERR);
    t1 = now_ms();
    CHECK(t1 - t0 < 50);
    CHECK_EQ_INT(set_s(h, "auth:k", "v", 0, 0), STORE_ERR); /* backing off */
    CHECK(now_ms() - t1 < 5);
    fprintf(stderr, "  wrong password: STORE_ERR in %.1f ms, then %.2f ms while backing off\n",
            t1 - t0, now_ms() - t1);
    M->close(h);

    snprintf(url, sizeof(url), "redis://nobody:p%%40ss%%3Aw%%2Frd@127.0.0.1:%d", port);
    h = open_url(url, 1000);
    REQUIRE(h != NULL);
    CHECK_EQ_INT(set_s(h, "auth:k", "v", 0, 0), STORE_ERR);
    M->close(h);

    snprintf(url, sizeof(url), "redis://127.0.0.1:%d", port);
    h = open_url(url, 1000);
    REQUIRE(h != NULL);
    CHECK(get_is(h, "auth:k", 0, STORE_ERR, NULL)); /* NOAUTH */
    M->close(h);
    stop_server(pid);
}

static void test_timeout(void)
{
    void *h = open_main("", 20), *h2 = open_main("", 20);
    char buf[256];
    double t0, t_pooled, t_new, t_backoff;
    int fd;
    REQUIRE(h != NULL && h2 != NULL);
    if (!debug_flag)
        fprintf(stderr, "  (redis-server < 7: DEBUG is allowed without a flag)\n");
    CHECK_EQ_INT(set_s(h, "to:k", "v", 0, 0), STORE_OK); /* a pooled connection */

    fd = raw_connect(main_port);
    REQUIRE(fd >= 0);
    CHECK(raw_send(fd, "DEBUG SLEEP 0.5\r\n") == 0);
    sleep_ms(30); /* the server is asleep */

    t0 = now_ms();
    CHECK(get_is(h, "to:k", 0, STORE_TIMEOUT, NULL)); /* on the pooled connection */
    t_pooled = now_ms() - t0;
    t0 = now_ms();
    CHECK(get_is(h2, "to:k", 0, STORE_TIMEOUT, NULL)); /* connects (the backlog), no answer */
    t_new = now_ms() - t0;
    t0 = now_ms();
    CHECK(get_is(h, "to:k", 0, STORE_ERR, NULL)); /* backing off: at once */
    t_backoff = now_ms() - t0;
    CHECK(t_pooled >= 15 && t_pooled < 200);
    CHECK(t_new >= 15 && t_new < 200);
    CHECK(t_backoff < 5);
    fprintf(stderr,
            "  timeout_ms=20 against DEBUG SLEEP 0.5: STORE_TIMEOUT after %.1f ms (pooled), "
            "%.1f ms (new connection); then STORE_ERR in %.2f ms (backing off)\n",
            t_pooled, t_new, t_backoff);

    CHECK(raw_reply(fd, buf, sizeof(buf)) == 0 && strncmp(buf, "+OK", 3) == 0); /* awake */
    close(fd);
    sleep_ms(60); /* past the first backoff delay */
    CHECK(get_is(h, "to:k", 1, STORE_OK, "v"));
    CHECK(get_is(h2, "to:k", 0, STORE_MISS, NULL));
    M->close(h);
    M->close(h2);
}

static void test_fork(void)
{
    void *h = open_main("", 1000);
    int fd, status = -1;
    long n0, n1, n2;
    pid_t child;
    double t0;
    REQUIRE(h != NULL);
    CHECK_EQ_INT(set_s(h, "fork:parent", "p", 0, 0), STORE_OK); /* one pooled connection */
    fd = raw_connect(main_port);
    REQUIRE(fd >= 0);
    n0 = info_field(fd, "stats", "total_connections_received");
    REQUIRE(n0 > 0);

    child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        int bad = 0;
        uint8_t *v = NULL;
        size_t n = 0;
        bad |= M->get(h, K("fork:parent"), 0, &v, &n) != STORE_OK || n != 1 || v[0] != 'p';
        M->free_value(v, n);
        bad |= set_s(h, "fork:child", "c", 0, 0) != STORE_OK;
        bad |= M->del(h, K("fork:nothing")) != STORE_MISS;
        M->close(h);
        _exit(bad ? 3 : 0);
    }
    t0 = now_ms();
    while (now_ms() - t0 < 5000 && waitpid(child, &status, WNOHANG) == 0)
        sleep_ms(2);
    if (!CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    }
    n1 = info_field(fd, "stats", "total_connections_received");
    CHECK_EQ_INT(n1 - n0, 1); /* the child made its own connection */

    /* the parent's pooled connection is intact (no new connection either) */
    CHECK(get_is(h, "fork:child", 1, STORE_OK, "c"));
    CHECK(get_is(h, "fork:parent", 1, STORE_OK, "p"));
    n2 = info_field(fd, "stats", "total_connections_received");
    CHECK_EQ_INT(n2 - n1, 0);
    close(fd);
    M->close(h);
}

/* Redis killed: STORE_ERR at once, no connection attempt while backing off,
 * attempts at growing intervals; restarted: the same handle works again. */
static void test_down_and_back(void)
{
    void *h = open_main("", 20);
    struct sockaddr_in a;
    int lfd, one = 1, attempts = 0, accepted = 0, fds[64], nfds = 0, i, slow_errs = 0, rc;
    double t_fail, t0, t, att[16], worst_fast = 0;
    REQUIRE(h != NULL);
    CHECK_EQ_INT(set_s(h, "down:k", "v", 0, 0), STORE_OK);
    stop_server(main_pid);
    main_pid = 0;

    /* the pooled connection is dead: the op notices, tries to connect (refused) */
    t0 = now_ms();
    CHECK(get_is(h, "down:k", 0, STORE_ERR, NULL));
    t_fail = now_ms();
    CHECK(t_fail - t0 < 50);
    fprintf(stderr, "  killed: first op STORE_ERR in %.2f ms\n", t_fail - t0);

    /* A listener on the port counts connection attempts (and never answers). */
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(lfd >= 0);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)main_port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(lfd, 64) == 0);
    fcntl(lfd, F_SETFL, O_NONBLOCK);

    /* Until ~1.7 s after the failure: an op every 2 ms; the ones that take
     * ~timeout_ms are connection attempts; all others fail at once. */
    while ((t = now_ms()) - t_fail < 1700) {
        double d;
        uint8_t *v = NULL;
        size_t n = 0;
        int fd;
        rc = M->get(h, K("down:k"), 0, &v, &n);
        d = now_ms() - t;
        M->free_value(v, n);
        while ((fd = accept(lfd, NULL, NULL)) >= 0) {
            accepted++;
            if (nfds < 64)
                fds[nfds++] = fd;
            else
                close(fd);
        }
        if (rc == STORE_TIMEOUT) {
            if (attempts < 16)
                att[attempts] = t - t_fail;
            attempts++;
        } else {
            CHECK_EQ_INT(rc, STORE_ERR);
            if (d > worst_fast)
                worst_fast = d;
            if (d >= 5)
                slow_errs++;
        }
        sleep_ms(2);
    }
    CHECK_EQ_INT(accepted, attempts); /* no connection but those that timed out */
    CHECK_EQ_INT(slow_errs, 0);
    CHECK(attempts >= 3 && attempts <= 6);
    fprintf(stderr, "  down: %d connection attempts in 1.7 s, at", attempts);
    for (i = 0; i < attempts && i < 16; i++)
        fprintf(stderr, " %.0f", att[i]);
    fprintf(stderr, " ms; other ops STORE_ERR in <= %.2f ms\n", worst_fast);
    /* the first attempt after 50 ms, then each interval doubles (+ the 20 ms timeout) */
    if (attempts >= 1)
        CHECK(att[0] >= 45 && att[0] < 50 + 60);
    for (i = 1; i < attempts && i < 16; i++) {
        double gap = att[i] - att[i - 1], want = 50.0 * (1 << i);
        if (!CHECK(gap >= want - 5 && gap < want + 20 + 60))
            fprintf(stderr, "  attempt %d: %.0f ms after the previous, expected ~%.0f\n", i, gap,
                    want + 20);
    }
    for (i = 0; i < nfds; i++)
        close(fds[i]);
    close(lfd);

    /* Restarted on the same port: the handle works again within the longest delay. */
    main_pid = start_server(main_port, NULL, sock_path);
    REQUIRE(main_pid > 0);
    t0 = now_ms();
    for (;;) {
        rc = set_s(h, "down:k", "back", 0, 0);
        if (rc == STORE_OK || now_ms() - t0 > 3000)
            break;
        sleep_ms(10);
    }
    CHECK_EQ_INT(rc, STORE_OK);
    CHECK(now_ms() - t0 < 2500);
    fprintf(stderr, "  restarted: ops succeed again %.0f ms after the server is up\n",
            now_ms() - t0);
    CHECK(get_is(h, "down:k", 1, STORE_OK, "back"));
    M->close(h);
}

int main(int argc, char **argv)
{
    const char *path = getenv("SESAME_STORE_REDIS_MODULE");
    sesame_store_module_fn fn;
    void *dl;
    char tmpl[] = "/tmp/sesame-redis-XXXXXX";

    test_only = argc > 1 ? argv[1] : NULL;
    if (path == NULL || *path == '\0')
        path = STORE_REDIS_MODULE;
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "skipped: %s not built (hiredis missing at configure time?)\n", path);
        return 77;
    }
    if (!have_program("redis-server")) {
        fprintf(stderr, "skipped: redis-server not installed (Debian: redis-server)\n");
        return 77;
    }
    dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) {
        fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
        return 1;
    }
    fn = (sesame_store_module_fn)dlsym(dl, SESAME_STORE_MODULE_SYMBOL);
    if (fn == NULL) {
        fprintf(stderr, "dlsym %s: %s\n", SESAME_STORE_MODULE_SYMBOL, dlerror());
        return 1;
    }
    M = fn();
    /* exactly one exported symbol of ours */
    CHECK(dlsym(dl, "rs_command") == NULL && dlsym(dl, "rs_url_parse") == NULL);

    owner_pid = getpid();
    atexit(cleanup);
    signal(SIGPIPE, SIG_DFL); /* the module must never raise it */
    if (mkdtemp(tmpl) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(tmpdir, sizeof(tmpdir), "%s", tmpl);
    snprintf(sock_path, sizeof(sock_path), "%s/redis.sock", tmpdir);
    debug_flag = redis_major() >= 7;
    main_port = free_port();
    main_pid = main_port > 0 ? start_server(main_port, NULL, sock_path) : -1;
    if (main_pid <= 0) {
        fprintf(stderr, "cannot start redis-server on 127.0.0.1:%d\n", main_port);
        return 1;
    }

    RUN(test_table);
    RUN(test_urls);
    RUN(test_ops);
    RUN(test_set_nowait);
    RUN(test_ttl);
    RUN(test_cas);
    RUN(test_getdel_race);
    RUN(test_pool_reuse);
    RUN(test_pool_bound);
    RUN(test_select_db);
    RUN(test_unix_socket);
    RUN(test_auth);
    RUN(test_timeout);
    RUN(test_fork);
    RUN(test_down_and_back);

    dlclose(dl);
    fprintf(stderr, "%s: %d checks, %d failed, %d skipped\n", __FILE__, test_checks, test_failures,
            test_skipped);
    return test_failures != 0 ? 1 : 0;
}

/* redis_pool.c: connections of a handle.
 *
 * A mutex-protected list of idle connections; an operation takes one (or
 * makes one, up to RS_MAX_CONNS), runs its command without the mutex, and
 * gives it back.  A connection that failed (I/O error, timeout, EOF,
 * protocol error) is freed, never pooled again: its stream state is
 * unknown.  Every failure bumps the pool's generation, so the idle
 * connections made before it (likely as dead) are dropped instead of being
 * tried one by one, and starts or extends the backoff: while it lasts, an
 * operation that would need a new connection fails at once (STORE_ERR)
 * without connecting.  The delay starts at RS_BACKOFF_MIN_MS and doubles,
 * up to RS_BACKOFF_MAX_MS, for each failure after it expired; any success
 * resets it.
 *
 * Commands are written by this file (send with MSG_NOSIGNAL: a dead peer
 * never raises SIGPIPE in the host program) and read by hiredis
 * (redisGetReply on a blocking context with an empty output buffer only
 * reads).  Each socket's SO_RCVTIMEO/SO_SNDTIMEO is the handle's timeout;
 * a new connection uses what is left of the operation's deadline after
 * connecting, so connect + AUTH + SELECT + the command fit in about one
 * timeout.
 *
 * Fork: the pool remembers the pid its connections belong to; an operation
 * in another process (a child after fork) closes the inherited idle
 * connections' descriptors (close only, no I/O: the parent's connections
 * are not disturbed) and starts afresh. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "redis_store.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* remaining_ms: what is left until |deadline|, at least 1 ms. */
static unsigned remaining_ms(uint64_t deadline)
{
    uint64_t now = now_ns();
    if (now >= deadline)
        return 1;
    return (unsigned)((deadline - now + 999999u) / 1000000u);
}

/* mentions: whether hiredis's errstr is the message of errno |e|. */
static int mentions(const char *errstr, int e)
{
    char buf[128];
    const char *m = strerror_r(e, buf, sizeof(buf));
    return m != NULL && *m != '\0' && strstr(errstr, m) != NULL;
}

/* is_timeout: a hiredis I/O failure that was a timeout (the errno saved
 * right after the call, or the message hiredis kept, in English or in the
 * program's locale). */
static int is_timeout(int e, const char *errstr)
{
    if (e == EAGAIN || e == EWOULDBLOCK || e == ETIMEDOUT)
        return 1;
    if (errstr == NULL)
        return 0;
    return strstr(errstr, "Resource temporarily unavailable") != NULL ||
           strstr(errstr, "timed out") != NULL || mentions(errstr, EAGAIN) ||
           mentions(errstr, ETIMEDOUT);
}

static struct timeval tv_of_ms(unsigned ms)
{
    struct timeval tv;
    tv.tv_sec = (time_t)(ms / 1000u);
    tv.tv_usec = (suseconds_t)(ms % 1000u) * 1000;
    return tv;
}

static int conn_set_timeout(struct rs_conn *conn, unsigned ms)
{
    if (conn->cur_timeout_ms == ms)
        return 0;
    if (redisSetTimeout(conn->c, tv_of_ms(ms)) != REDIS_OK)
        return -1;
    conn->cur_timeout_ms = ms;
    return 0;
}

/* ---- the wire: RESP out, hiredis in ------------------------------------------------------ */

static size_t digits(size_t v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

static size_t resp_size(int argc, const size_t *lens)
{
    size_t n = 1 + digits((size_t)argc) + 2;
    int i;
    for (i = 0; i < argc; i++)
        n += 1 + digits(lens[i]) + 2 + lens[i] + 2;
    return n;
}

static size_t resp_format(char *out, size_t cap, int argc, const char *const *argv,
                          const size_t *lens)
{
    size_t o = (size_t)snprintf(out, cap, "*%d\r\n", argc);
    int i;
    for (i = 0; i < argc; i++) {
        o += (size_t)snprintf(out + o, cap - o, "$%zu\r\n", lens[i]);
        if (lens[i] > 0)
            memcpy(out + o, argv[i], lens[i]);
        o += lens[i];
        out[o++] = '\r';
        out[o++] = '\n';
    }
    return o;
}

static int send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? STORE_TIMEOUT : STORE_ERR;
    }
    return STORE_OK;
}

/* wipe_reader: zeroes what hiredis's reader has consumed (a reply may hold
 * a secret); when it has consumed everything, the whole buffer. */
static void wipe_reader(redisContext *c)
{
    redisReader *r = c->reader;
    if (r == NULL || r->buf == NULL)
        return;
#if HIREDIS_MAJOR == 0
    if (r->pos >= r->len) {
        explicit_bzero(r->buf, r->len + sdsavail(r->buf));
        sdsclear(r->buf);
        r->pos = 0;
        r->len = 0;
        return;
    }
#endif
    explicit_bzero(r->buf, r->pos);
}

/* scrub_stack: overwrites the stack below the caller's frame, where
 * hiredis's read buffer (16 KiB on its stack) held the reply. */
static __attribute__((noinline)) void scrub_stack(void)
{
    char area[20 * 1024];
    explicit_bzero(area, sizeof(area));
    __asm__ __volatile__("" : : "r"(area) : "memory");
}

void rs_reply_free(redisReply *r)
{
    if (r == NULL)
        return;
    if (r->str != NULL && r->len > 0)
        explicit_bzero(r->str, (size_t)r->len);
    freeReplyObject(r);
}

/* conn_send: writes one command on |conn|, bounded by |timeout_ms|. */
static int conn_send(struct rs_conn *conn, unsigned timeout_ms, int argc, const char *const *argv,
                     const size_t *lens)
{
    char small[2048], *buf = small;
    size_t need = resp_size(argc, lens), n;
    int rc;

    if (conn_set_timeout(conn, timeout_ms) != 0)
        return STORE_ERR;
    if (need + 1 > sizeof(small)) {
        buf = malloc(need + 1); /* + 1: snprintf's NUL */
        if (buf == NULL)
            return STORE_ERR;
    }
    n = resp_format(buf, need + 1, argc, argv, lens);
    rc = send_all(conn->c->fd, buf, n);
    explicit_bzero(buf, n);
    if (buf != small)
        free(buf);
    return rc;
}

/* conn_recv: the next reply on |conn| (its socket timeout already set). */
static int conn_recv(struct rs_conn *conn, redisReply **out)
{
    redisContext *c = conn->c;
    void *r = NULL;
    int grc, e;

    *out = NULL;
    errno = 0;
    grc = redisGetReply(c, &r);
    e = errno;
    scrub_stack();
    wipe_reader(c);
    if (grc != REDIS_OK || r == NULL) {
        rs_reply_free(r);
        if (c->err == REDIS_ERR_IO && is_timeout(e, c->errstr))
            return STORE_TIMEOUT;
        return STORE_ERR;
    }
    *out = r;
    return STORE_OK;
}

/* conn_drain: reads and drops the replies |conn| owes (an error reply to a
 * command sent without waiting is dropped too: nobody waits for it). */
static int conn_drain(struct rs_conn *conn, unsigned timeout_ms)
{
    if (conn->pending > 0 && conn_set_timeout(conn, timeout_ms) != 0)
        return STORE_ERR;
    while (conn->pending > 0) {
        redisReply *r;
        int rc = conn_recv(conn, &r);
        if (rc != STORE_OK)
            return rc;
        rs_reply_free(r);
        conn->pending--;
    }
    return STORE_OK;
}

/* conn_call: one command on |conn|, each read and write bounded by
 * |timeout_ms|. */
static int conn_call(struct rs_conn *conn, unsigned timeout_ms, int argc, const char *const *argv,
                     const size_t *lens, redisReply **out)
{
    int rc;
    *out = NULL;
    if ((rc = conn_drain(conn, timeout_ms)) != STORE_OK ||
        (rc = conn_send(conn, timeout_ms, argc, argv, lens)) != STORE_OK)
        return rc;
    return conn_recv(conn, out);
}

/* conn_open: connects, then AUTH and SELECT as the URL says; all of it
 * before |deadline| (about: each step is bounded by what is left). */
static int conn_open(const struct rs_handle *h, struct rs_conn *conn, uint64_t deadline)
{
    const struct rs_url *u = &h->url;
    struct timeval tv = tv_of_ms(h->timeout_ms);
    redisContext *c;
    redisReply *r;
    const char *argv[3];
    size_t lens[3];
    char dbstr[16];
    int argc, rc, ok, e;

    errno = 0;
    c = u->is_unix ? redisConnectUnixWithTimeout(u->path, tv)
                   : redisConnectWithTimeout(u->host, u->port, tv);
    e = errno;
    if (c == NULL)
        return STORE_ERR;
    if (c->err != 0) {
        rc = c->err == REDIS_ERR_IO && is_timeout(e, c->errstr) ? STORE_TIMEOUT : STORE_ERR;
        redisFree(c);
        return rc;
    }
    conn->c = c;
    conn->cur_timeout_ms = 0;

    if (u->has_password) {
        argc = 0;
        argv[argc] = "AUTH";
        lens[argc++] = 4;
        if (u->user[0] != '\0') {
            argv[argc] = u->user;
            lens[argc++] = strlen(u->user);
        }
        argv[argc] = u->password;
        lens[argc++] = strlen(u->password);
        rc = conn_call(conn, remaining_ms(deadline), argc, argv, lens, &r);
        if (rc != STORE_OK)
            return rc;
        ok = r->type == REDIS_REPLY_STATUS && r->str != NULL && strcmp(r->str, "OK") == 0;
        rs_reply_free(r);
        if (!ok)
            return STORE_ERR; /* wrong password, no such user */
    }
    if (u->db != 0) {
        argv[0] = "SELECT";
        lens[0] = 6;
        lens[1] = (size_t)snprintf(dbstr, sizeof(dbstr), "%ld", u->db);
        argv[1] = dbstr;
        rc = conn_call(conn, remaining_ms(deadline), 2, argv, lens, &r);
        if (rc != STORE_OK)
            return rc;
        ok = r->type == REDIS_REPLY_STATUS && r->str != NULL && strcmp(r->str, "OK") == 0;
        rs_reply_free(r);
        if (!ok)
            return STORE_ERR; /* db out of range */
    }
    return STORE_OK;
}

/* ---- the pool ---------------------------------------------------------------------------- */

static void free_conns(struct rs_conn *list)
{
    while (list != NULL) {
        struct rs_conn *next = list->next;
        if (list->c != NULL)
            redisFree(list->c); /* close(fd): no I/O, harmless in a forked child */
        free(list);
        list = next;
    }
}

/* fork_check_locked: in a process other than the pool's, forgets the
 * inherited connections (returned, to be closed without the mutex) and the
 * backoff. */
static struct rs_conn *fork_check_locked(struct rs_handle *h, pid_t me)
{
    struct rs_conn *inherited;
    if (me == h->pid)
        return NULL;
    inherited = h->idle;
    h->idle = NULL;
    h->total = 0;
    h->gen++;
    h->pid = me;
    h->backoff_ms = 0;
    h->backoff_until_ns = 0;
    return inherited;
}

static void note_failure_locked(struct rs_handle *h)
{
    uint64_t now = now_ns();
    h->gen++;
    if (now < h->backoff_until_ns)
        return; /* already backing off: one failure burst counts once */
    h->backoff_ms = h->backoff_ms == 0 ? RS_BACKOFF_MIN_MS : h->backoff_ms * 2;
    if (h->backoff_ms > RS_BACKOFF_MAX_MS)
        h->backoff_ms = RS_BACKOFF_MAX_MS;
    h->backoff_until_ns = now + (uint64_t)h->backoff_ms * 1000000u;
}

/* conn_idle_ok: an idle connection with nothing to read (no EOF, no
 * reset, no stray bytes) is fit to carry a command. */
static int conn_idle_ok(const struct rs_conn *conn)
{
    struct pollfd p;
    p.fd = conn->c->fd;
    p.events = POLLIN | POLLRDHUP;
    p.revents = 0;
    return poll(&p, 1, 0) == 0;
}

/* pool_drop: |conn| leaves the pool for good (closed); |failure| starts or
 * extends the backoff. */
static void pool_drop(struct rs_handle *h, struct rs_conn *conn, int failure)
{
    pthread_mutex_lock(&h->mu);
    if (conn->pid == h->pid) {
        h->total--;
        if (failure)
            note_failure_locked(h);
    }
    pthread_mutex_unlock(&h->mu);
    conn->next = NULL;
    free_conns(conn);
}

/* pool_give: |conn| answered; back to the idle list (unless a failure
 * since it was taken made its generation stale). */
static void pool_give(struct rs_handle *h, struct rs_conn *conn)
{
    int keep = 0;
    pthread_mutex_lock(&h->mu);
    if (conn->pid == h->pid) {
        h->backoff_ms = 0;
        h->backoff_until_ns = 0;
        if (conn->gen == h->gen) {
            conn->next = h->idle;
            h->idle = conn;
            keep = 1;
        } else {
            h->total--;
        }
    }
    pthread_mutex_unlock(&h->mu);
    if (!keep) {
        conn->next = NULL;
        free_conns(conn);
    }
}

/* pool_take: an idle connection, or a new one (connected, authenticated,
 * db selected) unless backing off or at RS_MAX_CONNS.  *fresh tells
 * which. */
static int pool_take(struct rs_handle *h, uint64_t deadline, struct rs_conn **out, int *fresh)
{
    pid_t me = getpid();
    for (;;) {
        struct rs_conn *stale, *conn = NULL;
        unsigned gen = 0;
        int rc = STORE_OK;

        pthread_mutex_lock(&h->mu);
        stale = fork_check_locked(h, me);
        while (h->idle != NULL) {
            conn = h->idle;
            h->idle = conn->next;
            if (conn->gen == h->gen)
                break;
            conn->next = stale; /* made before a failure */
            stale = conn;
            h->total--;
            conn = NULL;
        }
        if (conn == NULL) {
            if (h->backoff_until_ns != 0 && now_ns() < h->backoff_until_ns)
                rc = STORE_ERR;
            else if (h->total >= RS_MAX_CONNS)
                rc = STORE_ERR;
            else
                h->total++; /* reserved: connect without the mutex */
            gen = h->gen;
        }
        pthread_mutex_unlock(&h->mu);
        free_conns(stale);

        if (conn != NULL) {
            /* owed replies are bytes to read: its next command drains them */
            if (conn->pending > 0 || conn_idle_ok(conn)) {
                *out = conn;
                *fresh = 0;
                return STORE_OK;
            }
            pool_drop(h, conn, 0); /* closed by the server while idle */
            continue;
        }
        if (rc != STORE_OK)
            return rc;

        conn = calloc(1, sizeof(*conn));
        if (conn == NULL) {
            pthread_mutex_lock(&h->mu);
            if (h->pid == me)
                h->total--;
            pthread_mutex_unlock(&h->mu);
            return STORE_ERR;
        }
        conn->gen = gen;
        conn->pid = me;
        rc = conn_open(h, conn, deadline);
        if (rc != STORE_OK) {
            pool_drop(h, conn, 1);
            return rc;
        }
        *out = conn;
        *fresh = 1;
        return STORE_OK;
    }
}

/* run: one command on a pooled or new connection, within the handle's
 * timeout; with |reply| NULL the command is only written (the connection
 * then owes its reply, drained before its next command). */
static int run(struct rs_handle *h, int argc, const char *const *argv, const size_t *lens,
               redisReply **reply)
{
    uint64_t deadline = now_ns() + (uint64_t)h->timeout_ms * 1000000u;
    struct rs_conn *conn = NULL;
    int fresh = 0, rc;

    rc = pool_take(h, deadline, &conn, &fresh);
    if (rc != STORE_OK)
        return rc;
    unsigned t = fresh ? remaining_ms(deadline) : h->timeout_ms;
    if (reply != NULL) {
        rc = conn_call(conn, t, argc, argv, lens, reply);
    } else {
        rc = conn->pending >= RS_MAX_PENDING ? conn_drain(conn, t) : STORE_OK;
        if (rc == STORE_OK && (rc = conn_send(conn, t, argc, argv, lens)) == STORE_OK)
            conn->pending++;
    }
    if (rc == STORE_OK)
        pool_give(h, conn);
    else
        pool_drop(h, conn, 1);
    return rc;
}

int rs_command(struct rs_handle *h, int argc, const char *const *argv, const size_t *lens,
               redisReply **reply)
{
    *reply = NULL;
    return run(h, argc, argv, lens, reply);
}

int rs_command_nowait(struct rs_handle *h, int argc, const char *const *argv, const size_t *lens)
{
    return run(h, argc, argv, lens, NULL);
}

int rs_pool_init(struct rs_handle *h)
{
    h->idle = NULL;
    h->total = 0;
    h->gen = 0;
    h->pid = getpid();
    h->backoff_ms = 0;
    h->backoff_until_ns = 0;
    return pthread_mutex_init(&h->mu, NULL) == 0 ? 0 : -1;
}

void rs_pool_free(struct rs_handle *h)
{
    struct rs_conn *idle;
    pthread_mutex_lock(&h->mu);
    idle = h->idle;
    h->idle = NULL;
    h->total = 0;
    pthread_mutex_unlock(&h->mu);
    free_conns(idle);
    pthread_mutex_destroy(&h->mu);
}

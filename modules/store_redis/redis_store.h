/* redis_store.h: the Redis session-store module's own declarations (not
 * installed; the interface with libssl.so.3 is src/session/store_module.h).
 *
 *   redis_url.c    parses redis://, unix:// (and refuses rediss://)
 *   redis_pool.c   the per-handle connection pool: connect, AUTH/SELECT,
 *                  one command on a connection, backoff, fork detection
 *   redis_store.c  the operations (GET/GETDEL, SET, DEL, EVAL) and the
 *                  exported table, sesame_store_module_v1
 */
#ifndef SESAME_REDIS_STORE_H
#define SESAME_REDIS_STORE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <hiredis/hiredis.h>

#include "store_module.h"

#define RS_MAX_CONNS          32   /* connections per handle (idle + in use) */
#define RS_BACKOFF_MIN_MS     50   /* first delay after a failure */
#define RS_BACKOFF_MAX_MS     2000 /* the delay doubles up to this */
#define RS_DEFAULT_TIMEOUT_MS 10   /* open() with timeout_ms 0 */
#define RS_MAX_TIMEOUT_MS     60000

#define RS_HOST_MAX     256
#define RS_PATH_MAX     108 /* sizeof(struct sockaddr_un.sun_path) */
#define RS_USER_MAX     256
#define RS_PASSWORD_MAX 512

/* A parsed store URL. */
struct rs_url {
    int is_unix;
    char host[RS_HOST_MAX]; /* TCP: name or address, IPv6 without brackets */
    int port;
    char path[RS_PATH_MAX]; /* unix: the socket's path */
    char user[RS_USER_MAX]; /* empty: AUTH with the password only */
    char password[RS_PASSWORD_MAX];
    int has_password;
    long db;
};

/* rs_url_parse: 0 and *out filled, or -1 with a reason in err. */
int rs_url_parse(const char *url, struct rs_url *out, char *err, size_t err_len);

/* One connection. */
struct rs_conn {
    redisContext *c;
    struct rs_conn *next;    /* in the idle list */
    unsigned gen;            /* the pool's generation when it was made */
    pid_t pid;               /* the process that made it */
    unsigned cur_timeout_ms; /* the socket's read/write timeout now (0: unknown) */
    unsigned pending;        /* replies owed for commands sent without waiting */
};

/* A handle: what open() returns. */
struct rs_handle {
    struct rs_url url;
    unsigned timeout_ms;

    pthread_mutex_t mu; /* guards everything below; never held across I/O */
    struct rs_conn *idle;
    unsigned total;            /* connections of this pid, idle or in use */
    unsigned gen;              /* bumped on every failure: older idle connections are dropped */
    pid_t pid;                 /* the process the pool's connections belong to */
    uint64_t backoff_until_ns; /* CLOCK_MONOTONIC; no new connection before */
    unsigned backoff_ms;       /* the current delay; 0 when the last operation succeeded */
};

/* rs_pool_init / rs_pool_free: the pool of a handle (free closes every idle
 * connection; none may be in use). */
int rs_pool_init(struct rs_handle *h);
void rs_pool_free(struct rs_handle *h);

/* rs_command: one command (argv/lens, binary-safe) on a pooled or new
 * connection, within the handle's timeout.  STORE_OK with *reply set (any
 * reply type, an error reply included: the connection was fine), or
 * STORE_ERR / STORE_TIMEOUT with *reply NULL.  Release *reply with
 * rs_reply_free. */
int rs_command(struct rs_handle *h, int argc, const char *const *argv, const size_t *lens,
               redisReply **reply);

/* rs_command_nowait: sends one command on a pooled or new connection and
 * returns without waiting for its reply (the connection owes it; the next
 * command on that connection reads and drops it first).  STORE_OK when the
 * command was written, else STORE_ERR / STORE_TIMEOUT. */
#define RS_MAX_PENDING 32
int rs_command_nowait(struct rs_handle *h, int argc, const char *const *argv, const size_t *lens);

/* rs_reply_free: wipes the reply's string, then frees it. */
void rs_reply_free(redisReply *r);

#endif

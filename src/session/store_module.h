/* The interface between libssl.so.3 (session/store.c) and a session-store
 * module, a shared object loaded with dlopen only when a store is configured
 * (SESAME_SESSION_STORE or sesame_CTX_set_session_store).  The Redis store
 * (modules/store_redis/, libsesame-store-redis.so) is the one module; keeping
 * it out of libssl.so.3 keeps hiredis out of every program that does not ask
 * for a store.
 *
 * Plain C types only: the module links nothing of sesame.  It exports one
 * function, sesame_store_module_v1, returning a static table whose |abi|
 * must equal SESAME_STORE_ABI.
 *
 * Semantics every module keeps:
 * - Keys and values are opaque bytes.  Values may hold secrets: the module
 *   wipes its own copies before freeing them, and |free_value| wipes.
 * - Every operation returns within the handle's timeout (connect included),
 *   never blocks longer, and never raises anything into libcrypto's error
 *   queue.  After a failure the module backs off (reconnects later, with a
 *   growing delay); while it backs off operations fail at once (STORE_ERR).
 * - Thread-safe: any number of threads may call one handle concurrently
 *   (a pool of connections; no lock held across network I/O).
 * - Fork-safe: a handle used in a child process after fork() never touches
 *   the parent's connections (it notices the new pid and connects afresh).
 * - ttl_ms 0 means no expiry. */
#ifndef SESAME_STORE_MODULE_H
#define SESAME_STORE_MODULE_H

#include <stddef.h>
#include <stdint.h>

#define SESAME_STORE_ABI           1
#define SESAME_STORE_MODULE_SYMBOL "sesame_store_module_v1"

/* Results of every operation. */
enum {
    STORE_OK = 1,       /* done / found */
    STORE_MISS = 0,     /* no such key; for set_nx and cas: the condition failed */
    STORE_ERR = -1,     /* refused, not connected, protocol error, backing off */
    STORE_TIMEOUT = -2, /* no answer within the timeout */
};

struct sesame_store_module {
    unsigned abi;     /* SESAME_STORE_ABI */
    const char *name; /* "redis" */
    /* open: a handle for |url| (the module's own scheme, e.g.
     * redis://[:password@]host:port/db, unix:///path?db=N, rediss://...);
     * query parameters the module does not know are ignored (libssl reads
     * its own).  Does not connect.  NULL on a bad URL, with a reason in |err|. */
    void *(*open)(const char *url, unsigned timeout_ms, char *err, size_t err_len);
    void (*close)(void *h);
    /* get: the value of |key| into *out (module-allocated, release with
     * free_value); with |del| the key is removed in the same atomic step
     * (GETDEL): only one caller in the whole fleet gets a given value. */
    int (*get)(void *h, const uint8_t *key, size_t key_len, int del, uint8_t **out,
               size_t *out_len);
    /* set: stores |val| with a time to live; with |nx| only if the key does
     * not exist yet (STORE_MISS if it did). */
    int (*set)(void *h, const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len,
               uint64_t ttl_ms, int nx);
    /* del: removes |key| (STORE_OK removed, STORE_MISS there was none). */
    int (*del)(void *h, const uint8_t *key, size_t key_len);
    /* cas: atomically replaces the value of |key| by |val| if its value is
     * exactly |expect|, or if |expect| is NULL, if the key does not exist.
     * STORE_OK swapped, STORE_MISS the condition failed. */
    int (*cas)(void *h, const uint8_t *key, size_t key_len, const uint8_t *expect,
               size_t expect_len, const uint8_t *val, size_t val_len, uint64_t ttl_ms);
    void (*free_value)(uint8_t *val, size_t len);
    /* set_nowait (may be NULL: then set is used): stores |val| like set
     * without waiting for the store's answer (the module reads it later,
     * before the connection's next command).  STORE_OK means written, not
     * stored.  For publishing new sessions off the handshake's critical
     * path: the store orders commands per connection, and the client needs
     * a round trip of its own before it can offer the session anywhere. */
    int (*set_nowait)(void *h, const uint8_t *key, size_t key_len, const uint8_t *val,
                      size_t val_len, uint64_t ttl_ms);
};

typedef const struct sesame_store_module *(*sesame_store_module_fn)(void);

#endif

/* What store.c and store_ring.c share: the per-SSL_CTX store. */
#ifndef SESAME_SESSION_STORE_INTERNAL_H
#define SESAME_SESSION_STORE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "session/store_module.h"
#include "session/ticket.h"

#define STORE_PREFIX_MAX 48
#define STORE_KEY_MAX    256
#define STORE_WRAP_KEY   32

/* The fleet's ticket key ring as last read from the store. */
struct store_ring {
    struct ticket_ring_key k[3]; /* current, next, previous */
    uint64_t created_ms;         /* when the current key became current */
};

struct sess_store {
    const struct sesame_store_module *mod;
    void *h;
    char *url_public; /* the URL without its password */
    unsigned timeout_ms;
    int strict;
    uint64_t period_ms; /* ticket_key_period, 0 = from the SSL_CTX */
    char prefix[STORE_PREFIX_MAX + 1];
    int have_wrap;
    uint8_t wrap_key[STORE_WRAP_KEY];
    _Atomic int server_used; /* a server handshake ran: removals go to the store */
    _Atomic long cnt[4];     /* STORE_CNT_* */
    /* ticket key ring (store_ring.c) */
    pthread_mutex_t refresh_lock; /* one refresher at a time */
    pthread_rwlock_t ring_lock;   /* guards the fields below */
    int have_ring;
    struct store_ring ring;
    uint8_t *ring_raw; /* the value read from the store, for compare-and-set */
    size_t ring_raw_len;
    uint64_t fetched_ms, retry_ms;
    _Atomic uint64_t seals; /* tickets this process sealed under ring.k[0] */
};

/* store_count classifies a module result into the counters: |lookup| ops
 * count hits and misses too. */
void store_count(struct sess_store *st, int r, int lookup);
/* store_key: prefix ":" |kind| [":" hex(a) [":" hex(b)]] into |out| (a
 * NULL part is left out; an empty one is not); its length, 0 if it does
 * not fit. */
size_t store_key(const struct sess_store *st, const char *kind, const uint8_t *a, size_t a_len,
                 const uint8_t *b, size_t b_len, uint8_t out[STORE_KEY_MAX]);
/* store_wrap / store_unwrap: a value at rest, sealed with the wrap key
 * (AAD = the store key) when one is configured, else marked plain.
 * store_wrap returns a buffer to free with OPENSSL_clear_free (*out_len);
 * store_unwrap returns 1 with the plaintext as a view into |val| or into
 * *owned (then OPENSSL_clear_free it), 0 if not ours/not authentic. */
uint8_t *store_wrap(const struct sess_store *st, const uint8_t *key, size_t key_len,
                    const uint8_t *pt, size_t pt_len, size_t *out_len);
int store_unwrap(const struct sess_store *st, const uint8_t *key, size_t key_len,
                 const uint8_t *val, size_t val_len, const uint8_t **pt, size_t *pt_len,
                 uint8_t **owned);
/* store_ring_decode: the ring in a value's plaintext; 0 if malformed (a
 * ring without a current and a next key included). */
int store_ring_decode(const uint8_t *in, size_t len, struct store_ring *r);
void store_ring_init(struct sess_store *st);
void store_ring_free(struct sess_store *st);

#endif

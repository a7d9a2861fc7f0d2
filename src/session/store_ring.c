/* The fleet's ticket key ring, kept in the store under PREFIX:ticket-keys:
 * three keys, current (seals), next (becomes current at the next rotation;
 * opens already, so a ticket sealed by a server that rotated first opens on
 * the others) and previous (opens, and the ticket is renewed).
 *
 * The first server that finds no ring creates one (set if absent); the
 * first that sees the current key expired (current for one period, or
 * TICKET_KEY_MAX_SEALS seals here) rotates it with one compare-and-set
 * against the value it read; a server that loses either race reads the
 * winner's ring.  Every server re-reads the ring every period/4 (at most
 * every 30 s), so all pick up a rotation within a period.  The value is
 * wrapped at rest when the store has a key_file (store_wrap.c).
 *
 *   format (1) || current since, ms (8) || valid bits (1) || 3 x (name 16 || key 32)
 *
 * While the store cannot be read the cached ring goes on serving, for at
 * most two periods; then (and before the first read) the SSL_CTX's own
 * ring seals, and tickets open only on this server. */
#include "internal.h"

#include <string.h>

#include <openssl/rand.h>

#include "base/clock.h"
#include "base/mem.h"
#include "session/store.h"
#include "session/store_internal.h"

#define RING_FORMAT    1
#define RING_KEY_BYTES (16 + 32)
#define RING_BLOB      (1 + 8 + 1 + 3 * RING_KEY_BYTES)
#define MAX_REFRESH_MS (30ULL * 1000)
#define RETRY_MS       1000
#define RACE_ATTEMPTS  3

void store_ring_init(struct sess_store *st)
{
    pthread_mutex_init(&st->refresh_lock, NULL);
    pthread_rwlock_init(&st->ring_lock, NULL);
}

void store_ring_free(struct sess_store *st)
{
    pthread_mutex_destroy(&st->refresh_lock);
    pthread_rwlock_destroy(&st->ring_lock);
    OPENSSL_clear_free(st->ring_raw, st->ring_raw_len);
    st->ring_raw = NULL;
    mem_wipe(&st->ring, sizeof(st->ring));
}

static void ring_encode(const struct store_ring *r, uint8_t out[RING_BLOB])
{
    uint8_t *p = out;
    *p++ = RING_FORMAT;
    for (int i = 7; i >= 0; i--)
        *p++ = (uint8_t)(r->created_ms >> (8 * i));
    *p++ = (uint8_t)((r->k[0].valid ? 1 : 0) | (r->k[1].valid ? 2 : 0) | (r->k[2].valid ? 4 : 0));
    for (int i = 0; i < 3; i++) {
        memcpy(p, r->k[i].name, 16);
        memcpy(p + 16, r->k[i].key, 32);
        p += RING_KEY_BYTES;
    }
}

int store_ring_decode(const uint8_t *in, size_t len, struct store_ring *r)
{
    CBS cbs;
    uint8_t format, valid;
    uint32_t hi, lo;
    cbs_init(&cbs, in, len);
    if (len != RING_BLOB || !cbs_get_u8(&cbs, &format) || format != RING_FORMAT ||
        !cbs_get_u32(&cbs, &hi) || !cbs_get_u32(&cbs, &lo) || !cbs_get_u8(&cbs, &valid) ||
        !(valid & 1) || !(valid & 2))
        return 0;
    uint64_t created = (uint64_t)hi << 32 | lo;
    memset(r, 0, sizeof(*r));
    r->created_ms = created;
    for (int i = 0; i < 3; i++) {
        if (!cbs_copy_bytes(&cbs, r->k[i].name, 16) || !cbs_copy_bytes(&cbs, r->k[i].key, 32))
            return 0;
        r->k[i].valid = (valid >> i) & 1;
        r->k[i].created_ms = created;
    }
    return 1;
}

static int fresh_key(struct ticket_ring_key *k, uint64_t now)
{
    k->created_ms = now;
    k->valid = 1;
    return RAND_bytes(k->name, sizeof(k->name)) == 1 &&
           RAND_priv_bytes(k->key, sizeof(k->key)) == 1;
}

static int age_at_least(uint64_t now, uint64_t since, uint64_t period)
{
    return now >= since && now - since >= period;
}

/* ring_read: the ring in the store: STORE_OK (*r, and the raw value in
 * *raw for a later compare-and-set), STORE_MISS, or a failure (a value we
 * cannot read is STORE_ERR: never overwritten). */
static int ring_read(struct sess_store *st, const uint8_t *key, size_t klen, struct store_ring *r,
                     uint8_t **raw, size_t *raw_len)
{
    uint8_t *val = NULL;
    size_t val_len = 0;
    int rc = st->mod->get(st->h, key, klen, 0, &val, &val_len);
    store_count(st, rc, 0);
    if (rc != STORE_OK)
        return rc;
    const uint8_t *pt = NULL;
    size_t pt_len = 0;
    uint8_t *owned = NULL;
    int ok = store_unwrap(st, key, klen, val, val_len, &pt, &pt_len, &owned) &&
             store_ring_decode(pt, pt_len, r);
    OPENSSL_clear_free(owned, pt_len);
    if (ok && (*raw = OPENSSL_memdup(val, val_len)) != NULL) {
        *raw_len = val_len;
    } else {
        ok = 0;
        store_count(st, STORE_ERR, 0); /* wrong key_file, another format */
    }
    st->mod->free_value(val, val_len);
    return ok ? STORE_OK : STORE_ERR;
}

/* ring_publish: compare-and-set of the ring (expect NULL: create). */
static int ring_publish(struct sess_store *st, const uint8_t *key, size_t klen,
                        const struct store_ring *r, const uint8_t *expect, size_t expect_len,
                        uint8_t **raw, size_t *raw_len)
{
    uint8_t blob[RING_BLOB];
    ring_encode(r, blob);
    size_t val_len = 0;
    uint8_t *val = store_wrap(st, key, klen, blob, sizeof(blob), &val_len);
    mem_wipe(blob, sizeof(blob));
    if (val == NULL)
        return STORE_ERR;
    int rc = st->mod->cas(st->h, key, klen, expect, expect_len, val, val_len, 0);
    store_count(st, rc, 0);
    if (rc == STORE_OK) {
        *raw = val;
        *raw_len = val_len;
    } else {
        OPENSSL_clear_free(val, val_len);
    }
    return rc;
}

static void adopt(struct sess_store *st, const struct store_ring *r, uint8_t *raw, size_t raw_len,
                  uint64_t now)
{
    pthread_rwlock_wrlock(&st->ring_lock);
    if (!st->have_ring || memcmp(st->ring.k[0].name, r->k[0].name, 16) != 0)
        atomic_store(&st->seals, 0);
    st->ring = *r;
    OPENSSL_clear_free(st->ring_raw, st->ring_raw_len);
    st->ring_raw = raw;
    st->ring_raw_len = raw_len;
    st->have_ring = 1;
    st->fetched_ms = now;
    pthread_rwlock_unlock(&st->ring_lock);
}

static int due(const struct store_ring *r, uint64_t now, uint64_t period, uint64_t seals)
{
    return age_at_least(now, r->created_ms, period) || seals >= TICKET_KEY_MAX_SEALS;
}

/* refresh: reads the ring, creating or rotating it when needed. */
static void refresh(struct sess_store *st, uint64_t now, uint64_t period)
{
    uint8_t key[STORE_KEY_MAX];
    size_t klen = store_key(st, "ticket-keys", NULL, 0, NULL, 0, key);
    struct store_ring r, next;
    uint8_t *raw = NULL, *nraw = NULL;
    size_t raw_len = 0, nraw_len = 0;
    int done = 0;
    for (int attempt = 0; attempt < RACE_ATTEMPTS && !done && klen != 0; attempt++) {
        int rc = ring_read(st, key, klen, &r, &raw, &raw_len);
        if (rc == STORE_MISS) {
            memset(&next, 0, sizeof(next));
            next.created_ms = now;
            if (!fresh_key(&next.k[0], now) || !fresh_key(&next.k[1], now))
                break;
            rc = ring_publish(st, key, klen, &next, NULL, 0, &nraw, &nraw_len);
            if (rc == STORE_OK) {
                adopt(st, &next, nraw, nraw_len, now);
                done = 1;
            } else if (rc != STORE_MISS) {
                break; /* STORE_MISS: another server created it first: read it */
            }
        } else if (rc == STORE_OK) {
            if (!due(&r, now, period, atomic_load(&st->seals))) {
                adopt(st, &r, raw, raw_len, now);
                raw = NULL;
                done = 1;
                break;
            }
            memset(&next, 0, sizeof(next));
            next.created_ms = now;
            next.k[0] = r.k[1];
            next.k[0].created_ms = now;
            if (!fresh_key(&next.k[1], now))
                break;
            if (!age_at_least(now, r.created_ms, 2 * period))
                next.k[2] = r.k[0]; /* idle for two periods: retire it */
            rc = ring_publish(st, key, klen, &next, raw, raw_len, &nraw, &nraw_len);
            if (rc == STORE_OK) {
                adopt(st, &next, nraw, nraw_len, now);
                done = 1;
            } else if (rc != STORE_MISS) {
                break; /* STORE_MISS: another server rotated first: read again */
            }
        } else {
            break;
        }
        OPENSSL_clear_free(raw, raw_len);
        raw = NULL;
    }
    OPENSSL_clear_free(raw, raw_len);
    mem_wipe(&r, sizeof(r));
    mem_wipe(&next, sizeof(next));
    if (!done) {
        pthread_rwlock_wrlock(&st->ring_lock);
        st->retry_ms = now + RETRY_MS;
        pthread_rwlock_unlock(&st->ring_lock);
    }
}

int sess_store_ring_keys(SSL_CTX *ctx, uint64_t period_ms, int seal, struct ticket_ring_key keys[3],
                         size_t *n)
{
    struct sess_store *st = ctx->store;
    *n = 0;
    if (st == NULL)
        return 0;
    uint64_t now = sesame_now_ms();
    uint64_t period = st->period_ms != 0 ? st->period_ms : period_ms;
    uint64_t every = period / 4 < MAX_REFRESH_MS ? period / 4 : MAX_REFRESH_MS;
    pthread_rwlock_rdlock(&st->ring_lock);
    int have = st->have_ring;
    int stale = !have || !age_at_least(now, st->fetched_ms, 0) ||
                age_at_least(now, st->fetched_ms, every) ||
                due(&st->ring, now, period, atomic_load(&st->seals));
    int may_try = now >= st->retry_ms;
    pthread_rwlock_unlock(&st->ring_lock);
    if (stale && may_try) {
        /* one refresher; the others go on with the ring they have (before
         * the first ring, they wait for it: bounded by the store timeout) */
        if (have ? pthread_mutex_trylock(&st->refresh_lock) == 0
                 : pthread_mutex_lock(&st->refresh_lock) == 0) {
            refresh(st, now, period);
            pthread_mutex_unlock(&st->refresh_lock);
        }
    }
    pthread_rwlock_rdlock(&st->ring_lock);
    /* a ring the store has not confirmed for two periods is not used */
    if (st->have_ring && !age_at_least(now, st->ring.created_ms, 2 * period)) {
        for (int i = 0; i < 3; i++)
            if (st->ring.k[i].valid)
                keys[(*n)++] = st->ring.k[i];
        if (seal)
            atomic_fetch_add(&st->seals, 1);
    }
    pthread_rwlock_unlock(&st->ring_lock);
    return *n > 0;
}

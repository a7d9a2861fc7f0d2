/* The per-SSL_CTX session cache: sharded hash table + LRU, counters, ctrl.
 *
 * Locking: each shard has a mutex guarding its buckets, its LRU list and the
 * linkage fields (lru_prev/lru_next/hash_next/lru_stamp) of the sessions in
 * it.  A session's |owner| is claimed with an atomic compare-and-swap so a
 * session can be in at most one cache (contract S13).  No user callback is
 * ever called with a shard lock held: removed sessions are collected on a
 * local list and released after unlocking.  No thread holds two shard locks
 * at once. */
#include "internal.h"

#include <string.h>

#include <openssl/rand.h>

#include "base/random.h"
#include "session/session_cache.h"
#include "session/store.h"
#include "session/ticket.h"

#define SHARD_BITS      4
#define INITIAL_BUCKETS 64

/* ---- keyed hash of a session id ----
 * Not a MAC: only a table index that a peer cannot steer, because the key is
 * random per cache and the ids are mixed through multiply/xorshift rounds. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static uint64_t id_hash(const struct sess_cache *c, const uint8_t *id, size_t len)
{
    uint64_t h = c->hash_key[0] ^ ((uint64_t)len * 0x9e3779b97f4a7c15ULL);
    size_t i = 0;
    while (i < len) {
        uint64_t w = 0;
        size_t n = len - i < 8 ? len - i : 8;
        for (size_t j = 0; j < n; j++)
            w |= (uint64_t)id[i + j] << (8 * j);
        h = mix64(h ^ w ^ c->hash_key[1]) + c->hash_key[0];
        i += n;
    }
    return mix64(h ^ c->hash_key[1]);
}

static struct sess_shard *shard_of(struct sess_cache *c, uint64_t h)
{
    return &c->shards[h >> (64 - SHARD_BITS)];
}

static void *owner_load(SSL_SESSION *s)
{
    return __atomic_load_n(&s->owner, __ATOMIC_ACQUIRE);
}

static int owner_claim(SSL_SESSION *s, void *cache)
{
    void *expected = NULL;
    return __atomic_compare_exchange_n(&s->owner, &expected, cache, 0, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE);
}

static void owner_release(SSL_SESSION *s)
{
    __atomic_store_n(&s->owner, NULL, __ATOMIC_RELEASE);
}

int sess_expired(const SSL_SESSION *s, uint64_t now_ms)
{
    uint64_t end = s->time_ms + s->timeout * 1000;
    if (end < s->time_ms) /* overflow: never */
        return 0;
    return now_ms > end;
}

/* ---- shard primitives (caller holds the shard lock) ---- */

static void update_tail_stamp(struct sess_shard *sh)
{
    atomic_store_explicit(&sh->tail_stamp, sh->lru_tail ? sh->lru_tail->lru_stamp : UINT64_MAX,
                          memory_order_relaxed);
}

static void lru_unlink(struct sess_shard *sh, SSL_SESSION *s)
{
    if (s->lru_prev != NULL)
        s->lru_prev->lru_next = s->lru_next;
    else
        sh->lru_head = s->lru_next;
    if (s->lru_next != NULL)
        s->lru_next->lru_prev = s->lru_prev;
    else
        sh->lru_tail = s->lru_prev;
    s->lru_prev = s->lru_next = NULL;
}

static void lru_push_head(struct sess_cache *c, struct sess_shard *sh, SSL_SESSION *s)
{
    s->lru_stamp = atomic_fetch_add_explicit(&c->clock, 1, memory_order_relaxed) + 1;
    s->lru_prev = NULL;
    s->lru_next = sh->lru_head;
    if (sh->lru_head != NULL)
        sh->lru_head->lru_prev = s;
    sh->lru_head = s;
    if (sh->lru_tail == NULL)
        sh->lru_tail = s;
}

static SSL_SESSION **bucket_slot(struct sess_shard *sh, uint64_t h)
{
    return &sh->buckets[h & (sh->nbuckets - 1)];
}

static SSL_SESSION *shard_find(struct sess_shard *sh, uint64_t h, const uint8_t *id, size_t len)
{
    for (SSL_SESSION *p = *bucket_slot(sh, h); p != NULL; p = p->hash_next)
        if (p->hash == h && p->session_id_len == len && memcmp(p->session_id, id, len) == 0)
            return p;
    return NULL;
}

/* shard_unlink removes |s| (which is in |sh|) from the hash and LRU. */
static void shard_unlink(struct sess_cache *c, struct sess_shard *sh, SSL_SESSION *s)
{
    SSL_SESSION **pp = bucket_slot(sh, s->hash);
    while (*pp != NULL && *pp != s)
        pp = &(*pp)->hash_next;
    if (*pp == s)
        *pp = s->hash_next;
    s->hash_next = NULL;
    lru_unlink(sh, s);
    update_tail_stamp(sh);
    sh->count--;
    atomic_fetch_sub_explicit(&c->number, 1, memory_order_relaxed);
    owner_release(s);
}

/* shard_grow doubles the bucket array when the load factor exceeds 1; on
 * allocation failure the table just stays denser. */
static void shard_grow(struct sess_shard *sh)
{
    size_t n = sh->nbuckets * 2;
    SSL_SESSION **nb = OPENSSL_zalloc(n * sizeof(*nb));
    if (nb == NULL)
        return;
    for (size_t i = 0; i < sh->nbuckets; i++) {
        SSL_SESSION *p = sh->buckets[i];
        while (p != NULL) {
            SSL_SESSION *next = p->hash_next;
            p->hash_next = nb[p->hash & (n - 1)];
            nb[p->hash & (n - 1)] = p;
            p = next;
        }
    }
    OPENSSL_free(sh->buckets);
    sh->buckets = nb;
    sh->nbuckets = n;
}

/* release_list fires the remove callback (if |notify|) and drops the cache's
 * reference for each session on a list chained through lru_next. */
static void release_list(SSL_CTX *ctx, SSL_SESSION *list, int notify)
{
    while (list != NULL) {
        SSL_SESSION *next = list->lru_next;
        list->lru_next = NULL;
        if (notify && ctx->remove_session_cb != NULL)
            ctx->remove_session_cb(ctx, list);
        SSL_SESSION_free(list);
        list = next;
    }
}

/* ---- lifecycle ---- */

int sess_cache_init(SSL_CTX *ctx)
{
    struct sess_cache *c = &ctx->cache;
    memset(c, 0, sizeof(*c));
    if (RAND_bytes((unsigned char *)c->hash_key, sizeof(c->hash_key)) != 1)
        return 0;
    atomic_init(&c->cap, SSL_SESSION_CACHE_MAX_SIZE_DEFAULT);
    for (int i = 0; i < SESS_CACHE_SHARDS; i++) {
        struct sess_shard *sh = &c->shards[i];
        sh->buckets = OPENSSL_zalloc(INITIAL_BUCKETS * sizeof(*sh->buckets));
        if (sh->buckets == NULL || pthread_mutex_init(&sh->lock, NULL) != 0) {
            OPENSSL_free(sh->buckets);
            sh->buckets = NULL;
            for (int j = 0; j < i; j++) {
                pthread_mutex_destroy(&c->shards[j].lock);
                OPENSSL_free(c->shards[j].buckets);
            }
            ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
            return 0;
        }
        sh->nbuckets = INITIAL_BUCKETS;
        atomic_init(&sh->tail_stamp, UINT64_MAX);
    }
    if (ctx->session_cache_mode == 0)
        ctx->session_cache_mode = SSL_SESS_CACHE_SERVER;
    if (ctx->session_timeout == 0)
        ctx->session_timeout = 7200;
    c->initialized = 1;
    return 1;
}

void sess_cache_cleanup(SSL_CTX *ctx)
{
    struct sess_cache *c = &ctx->cache;
    if (!c->initialized)
        return;
    /* OpenSSL's SSL_CTX_free flushes everything through the remove callback. */
    SSL_CTX_flush_sessions(ctx, 0);
    for (int i = 0; i < SESS_CACHE_SHARDS; i++) {
        pthread_mutex_destroy(&c->shards[i].lock);
        OPENSSL_free(c->shards[i].buckets);
        c->shards[i].buckets = NULL;
    }
    c->initialized = 0;
}

/* ---- counters ---- */

void sess_count(SSL_CTX *ctx, int which)
{
    struct sess_cache *c = &ctx->cache;
    _Atomic long *p;
    switch (which) {
    case SESS_CNT_CONNECT:
        p = &c->n_connect;
        break;
    case SESS_CNT_CONNECT_GOOD:
        p = &c->n_connect_good;
        break;
    case SESS_CNT_ACCEPT:
        p = &c->n_accept;
        break;
    case SESS_CNT_ACCEPT_GOOD:
        p = &c->n_accept_good;
        break;
    case SESS_CNT_HIT:
        p = &c->n_hit;
        break;
    case SESS_CNT_MISS:
        p = &c->n_miss;
        break;
    case SESS_CNT_CB_HIT:
        p = &c->n_cb_hit;
        break;
    case SESS_CNT_TIMEOUT:
        p = &c->n_timeout;
        break;
    case SESS_CNT_CONNECT_RENEGOTIATE:
        p = &c->n_connect_reneg;
        break;
    case SESS_CNT_ACCEPT_RENEGOTIATE:
        p = &c->n_accept_reneg;
        break;
    default:
        return;
    }
    atomic_fetch_add_explicit(p, 1, memory_order_relaxed);
}

/* ---- eviction ---- */

/* evict_one removes the least recently used session of the whole cache: the
 * shard tails' stamps are read without locks, the oldest shard is locked and
 * its tail evicted.  Returns the evicted session (cache reference) or NULL. */
static SSL_SESSION *evict_one(struct sess_cache *c)
{
    for (int attempt = 0; attempt < 4; attempt++) {
        int best = -1;
        uint64_t best_stamp = UINT64_MAX;
        for (int i = 0; i < SESS_CACHE_SHARDS; i++) {
            uint64_t st = atomic_load_explicit(&c->shards[i].tail_stamp, memory_order_relaxed);
            if (st < best_stamp) {
                best_stamp = st;
                best = i;
            }
        }
        if (best < 0)
            return NULL;
        struct sess_shard *sh = &c->shards[best];
        pthread_mutex_lock(&sh->lock);
        SSL_SESSION *victim = sh->lru_tail;
        if (victim != NULL) {
            shard_unlink(c, sh, victim);
            victim->not_resumable = 1;
        }
        pthread_mutex_unlock(&sh->lock);
        if (victim != NULL)
            return victim;
    }
    return NULL;
}

/* ---- add / remove ---- */

/* cache_add: SSL_CTX_add_session; |quiet| suppresses the error on refusal. */
static int cache_add(SSL_CTX *ctx, SSL_SESSION *sess, int quiet)
{
    struct sess_cache *c = &ctx->cache;
    if (sess == NULL || !c->initialized)
        return 0;
    if (!owner_claim(sess, c)) {
        if (owner_load(sess) == c) {
            /* Already cached here: like OpenSSL, just refresh its place, return 0. */
            uint64_t h = id_hash(c, sess->session_id, sess->session_id_len);
            struct sess_shard *sh = shard_of(c, h);
            pthread_mutex_lock(&sh->lock);
            if (owner_load(sess) == c) {
                lru_unlink(sh, sess);
                lru_push_head(c, sh, sess);
                update_tail_stamp(sh);
            }
            pthread_mutex_unlock(&sh->lock);
            return 0;
        }
        /* Contract S13: a session is cached by one SSL_CTX only.  Linking it
         * into a second cache would overwrite the first cache's links, so
         * we refuse; the session stays valid and in its first cache. */
        if (!quiet)
            ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    if (!SSL_SESSION_up_ref(sess)) {
        owner_release(sess);
        return 0;
    }
    uint64_t h = id_hash(c, sess->session_id, sess->session_id_len);
    struct sess_shard *sh = shard_of(c, h);
    pthread_mutex_lock(&sh->lock);
    SSL_SESSION *old = shard_find(sh, h, sess->session_id, sess->session_id_len);
    if (old != NULL)
        shard_unlink(c, sh, old); /* same id, other object: the new one wins */
    if (ctx->session_cache_mode & SSL_SESS_CACHE_UPDATE_TIME)
        sess->time_ms = sesame_now_ms();
    sess->hash = h;
    sess->hash_next = *bucket_slot(sh, h);
    *bucket_slot(sh, h) = sess;
    lru_push_head(c, sh, sess);
    update_tail_stamp(sh);
    sh->count++;
    long number = atomic_fetch_add_explicit(&c->number, 1, memory_order_relaxed) + 1;
    if (sh->count > sh->nbuckets)
        shard_grow(sh);
    pthread_mutex_unlock(&sh->lock);
    /* OpenSSL drops a replaced duplicate without the remove callback. */
    SSL_SESSION_free(old);

    long cap = atomic_load_explicit(&c->cap, memory_order_relaxed);
    SSL_SESSION *evicted = NULL;
    while (cap > 0 && number > cap) {
        SSL_SESSION *v = evict_one(c);
        if (v == NULL)
            break;
        atomic_fetch_add_explicit(&c->n_cache_full, 1, memory_order_relaxed);
        v->lru_next = evicted;
        evicted = v;
        number = atomic_load_explicit(&c->number, memory_order_relaxed);
    }
    release_list(ctx, evicted, 1);
    return 1;
}

int SSL_CTX_add_session(SSL_CTX *ctx, SSL_SESSION *sess)
{
    return cache_add(ctx, sess, 0);
}

/* cache_remove_ex: unlinks the cached session with |sess|'s id; marks |sess|
 * not resumable and fires the remove callback (even when the session was not
 * in the internal cache, so external caches hear of it: OpenSSL 3.0); with
 * |from_store| removes it from the fleet store too.  Returns 1 iff a session
 * was removed from the internal cache. */
static int cache_remove_ex(SSL_CTX *ctx, SSL_SESSION *sess, int from_store)
{
    struct sess_cache *c = &ctx->cache;
    if (sess == NULL || sess->session_id_len == 0 || !c->initialized)
        return 0;
    uint64_t h = id_hash(c, sess->session_id, sess->session_id_len);
    struct sess_shard *sh = shard_of(c, h);
    pthread_mutex_lock(&sh->lock);
    SSL_SESSION *r = shard_find(sh, h, sess->session_id, sess->session_id_len);
    if (r != NULL)
        shard_unlink(c, sh, r);
    sess->not_resumable = 1;
    pthread_mutex_unlock(&sh->lock);
    if (from_store)
        sess_store_remove(ctx, sess);
    if (ctx->remove_session_cb != NULL)
        ctx->remove_session_cb(ctx, sess);
    SSL_SESSION_free(r);
    return r != NULL;
}

static int cache_remove(SSL_CTX *ctx, SSL_SESSION *sess)
{
    return cache_remove_ex(ctx, sess, 1);
}

int SSL_CTX_remove_session(SSL_CTX *ctx, SSL_SESSION *sess)
{
    return cache_remove(ctx, sess);
}

void SSL_CTX_flush_sessions(SSL_CTX *ctx, long tm)
{
    struct sess_cache *c = &ctx->cache;
    if (!c->initialized)
        return;
    for (int i = 0; i < SESS_CACHE_SHARDS; i++) {
        struct sess_shard *sh = &c->shards[i];
        SSL_SESSION *dead = NULL;
        pthread_mutex_lock(&sh->lock);
        SSL_SESSION *p = sh->lru_tail;
        while (p != NULL) {
            SSL_SESSION *prev = p->lru_prev;
            /* OpenSSL 3.0: tm == 0 flushes all; else removes t > time+timeout. */
            if (tm == 0 || p->time_ms / 1000 + p->timeout < (uint64_t)tm) {
                shard_unlink(c, sh, p);
                p->not_resumable = 1;
                p->lru_next = dead;
                dead = p;
            }
            p = prev;
        }
        pthread_mutex_unlock(&sh->lock);
        release_list(ctx, dead, 1);
    }
}

void sess_cache_note_handshake(SSL_CTX *ctx)
{
    unsigned n = atomic_fetch_add_explicit(&ctx->cache.handshakes, 1, memory_order_relaxed) + 1;
    if ((n & 0xff) == 0xff && !(ctx->session_cache_mode & SSL_SESS_CACHE_NO_AUTO_CLEAR))
        SSL_CTX_flush_sessions(ctx, (long)(sesame_now_ms() / 1000));
}

void sess_cache_set_times(SSL_SESSION *s, const uint64_t *time_ms, const uint64_t *timeout)
{
    struct sess_cache *c = owner_load(s);
    struct sess_shard *sh = NULL;
    if (c != NULL) {
        sh = shard_of(c, id_hash(c, s->session_id, s->session_id_len));
        pthread_mutex_lock(&sh->lock);
    }
    if (time_ms != NULL)
        s->time_ms = *time_ms;
    if (timeout != NULL)
        s->timeout = *timeout;
    if (sh != NULL)
        pthread_mutex_unlock(&sh->lock);
}

/* ---- lookups ---- */

static int sid_ctx_matches(const SSL *s, const SSL_SESSION *sess)
{
    return sess->sid_ctx_len == s->cfg.sh->sid_ctx_len &&
           memcmp(sess->sid_ctx, s->cfg.sh->sid_ctx, sess->sid_ctx_len) == 0;
}

/* internal_find: new reference to the cached session |id|, or NULL. */
static SSL_SESSION *internal_find(SSL_CTX *ctx, const uint8_t *id, size_t len)
{
    struct sess_cache *c = &ctx->cache;
    if (!c->initialized)
        return NULL;
    uint64_t h = id_hash(c, id, len);
    struct sess_shard *sh = shard_of(c, h);
    pthread_mutex_lock(&sh->lock);
    SSL_SESSION *r = shard_find(sh, h, id, len);
    if (r != NULL) {
        if (!r->not_resumable && SSL_SESSION_up_ref(r)) {
            lru_unlink(sh, r);
            lru_push_head(c, sh, r);
            update_tail_stamp(sh);
        } else {
            r = NULL;
        }
    }
    pthread_mutex_unlock(&sh->lock);
    return r;
}

/* Where lookup_ex found a session. */
enum { FROM_NONE, FROM_INTERNAL, FROM_STORE, FROM_CALLBACK };

/* lookup_ex: the body of sess_cache_lookup.  A lookup asks the internal
 * cache, then the fleet store, then the application's get callback.  With
 * |take| (single use) the store is asked first and its answer wins: it
 * removes the session in the same step, so that one server in the whole
 * fleet gets it; the internal cache answers only when the store could not
 * be reached.  *out_from says where the session came from,
 * *out_store_answered whether the store answered. */
static SSL_SESSION *lookup_ex(SSL *s, const uint8_t *id, size_t len, int take, int *out_from,
                              int *out_store_answered)
{
    SSL_CTX *ctx = s->session_ctx != NULL ? s->session_ctx : s->ctx;
    int mode = ctx->session_cache_mode;
    SSL_SESSION *ret = NULL;
    int store = sess_store_active(ctx, s);
    *out_from = FROM_NONE;
    *out_store_answered = 0;
    if (len == 0 || len > SSL_MAX_SSL_SESSION_ID_LENGTH)
        return NULL;
    if (store && take && (ret = sess_store_fetch(ctx, s, id, len, 1, out_store_answered)) != NULL)
        *out_from = FROM_STORE;
    int internal = !*out_store_answered && !(mode & SSL_SESS_CACHE_NO_INTERNAL_LOOKUP);
    if (internal && (ret = internal_find(ctx, id, len)) != NULL)
        *out_from = FROM_INTERNAL;
    if (ret == NULL && store && !take &&
        (ret = sess_store_fetch(ctx, s, id, len, 0, out_store_answered)) != NULL)
        *out_from = FROM_STORE;
    if (ret == NULL && internal)
        sess_count(ctx, SESS_CNT_MISS);
    if (ret == NULL && ctx->get_session_cb != NULL) {
        int copy = 1;
        ret = ctx->get_session_cb(s, id, (int)len, &copy);
        if (ret != NULL) {
            if (ret->not_resumable) {
                if (!copy)
                    SSL_SESSION_free(ret);
                return NULL;
            }
            sess_count(ctx, SESS_CNT_CB_HIT);
            /* copy != 0: the callback kept its reference, we take our own. */
            if (copy && !SSL_SESSION_up_ref(ret))
                return NULL;
            *out_from = FROM_CALLBACK;
            if (!(mode & SSL_SESS_CACHE_NO_INTERNAL_STORE))
                (void)cache_add(ctx, ret, 1);
        }
    }
    if (ret == NULL)
        return NULL;
    if ((s->version != 0 && ret->version != s->version) || !sid_ctx_matches(s, ret)) {
        SSL_SESSION_free(ret);
        return NULL;
    }
    if (sess_expired(ret, sesame_now_ms())) {
        sess_count(ctx, SESS_CNT_TIMEOUT);
        (void)cache_remove(ctx, ret);
        SSL_SESSION_free(ret);
        return NULL;
    }
    sess_count(ctx, SESS_CNT_HIT);
    return ret;
}

SSL_SESSION *sess_cache_lookup(SSL *s, const uint8_t *id, size_t id_len)
{
    int from, answered;
    return lookup_ex(s, id, id_len, 0, &from, &answered);
}

/* drop_local: removes the internal cache's copy of session |id| (it was
 * used elsewhere in the fleet, or here through the store). */
static void drop_local(SSL_CTX *ctx, const uint8_t *id, size_t id_len)
{
    SSL_SESSION *loc = internal_find(ctx, id, id_len);
    if (loc != NULL) {
        (void)cache_remove_ex(ctx, loc, 0);
        SSL_SESSION_free(loc);
    }
}

SSL_SESSION *sess_cache_take(SSL *s, const uint8_t *id, size_t id_len)
{
    SSL_CTX *ctx = s->session_ctx != NULL ? s->session_ctx : s->ctx;
    int from, answered;
    SSL_SESSION *r = lookup_ex(s, id, id_len, 1, &from, &answered);
    if (answered) {
        /* The store handed the session out once for the whole fleet (or it
         * was used already): the copy cached here must not serve again. */
        drop_local(ctx, id, id_len);
        if (r != NULL && from == FROM_STORE)
            r->not_resumable = 1;
        if (from != FROM_CALLBACK)
            return r;
    }
    if (r == NULL)
        return NULL;
    /* Single use (contract S9): only the thread that really unlinks the
     * session from the internal cache may use it.  A session that only lives
     * in an external cache is removed there through the remove callback. */
    int removed = cache_remove(ctx, r);
    int in_internal =
        from == FROM_INTERNAL || !(ctx->session_cache_mode & SSL_SESS_CACHE_NO_INTERNAL_STORE);
    if (in_internal && !removed) {
        SSL_SESSION_free(r);
        return NULL;
    }
    /* cache_remove marked it not resumable (for other holders); the copy we
     * hand to the handshake is used for exactly this one resumption. */
    return r;
}

int SSL_has_matching_session_id(const SSL *s, const unsigned char *id, unsigned int id_len)
{
    if (id_len > SSL_MAX_SSL_SESSION_ID_LENGTH)
        return 0;
    SSL_CTX *ctx = s->session_ctx != NULL ? s->session_ctx : s->ctx;
    SSL_SESSION *r = internal_find(ctx, id, id_len);
    SSL_SESSION_free(r);
    return r != NULL;
}

int SSL_CTX_set_generate_session_id(SSL_CTX *ctx, GEN_SESSION_CB cb)
{
    if (ctx == NULL)
        return 0;
    ctx->cfg.generate_session_id = cb;
    return 1;
}

int SSL_set_generate_session_id(SSL *s, GEN_SESSION_CB cb)
{
    if (s == NULL)
        return 0;
    s->cfg.generate_session_id = cb;
    return 1;
}

int sess_generate_id(SSL *s, uint8_t id[SSL_MAX_SSL_SESSION_ID_LENGTH], unsigned *out_len,
                     int *out_reason)
{
    SSL_CTX *ctx = s->session_ctx != NULL ? s->session_ctx : s->ctx;
    GEN_SESSION_CB cb =
        s->cfg.generate_session_id ? s->cfg.generate_session_id : ctx->cfg.generate_session_id;
    unsigned len = SSL_MAX_SSL_SESSION_ID_LENGTH;
    *out_len = 0;
    *out_reason = ERR_R_INTERNAL_ERROR;
    if (cb == NULL) {
        /* 256 random bits: no collision to look for */
        if (rand_public(id, len) != 1) {
            *out_reason = ERR_R_RAND_LIB;
            return 0;
        }
        *out_len = len;
        return 1;
    }
    memset(id, 0, SSL_MAX_SSL_SESSION_ID_LENGTH);
    if (!cb(s, id, &len)) {
        *out_reason = SSL_R_SSL_SESSION_ID_CALLBACK_FAILED;
        return 0;
    }
    if (len == 0 || len > SSL_MAX_SSL_SESSION_ID_LENGTH) {
        *out_reason = SSL_R_SSL_SESSION_ID_HAS_BAD_LENGTH;
        return 0;
    }
    if (SSL_has_matching_session_id(s, id, len)) {
        *out_reason = SSL_R_SSL_SESSION_ID_CONFLICT;
        return 0;
    }
    *out_len = len;
    return 1;
}

int sess_cache_add_new(SSL *s, SSL_SESSION *sess)
{
    SSL_CTX *ctx = s->session_ctx != NULL ? s->session_ctx : s->ctx;
    int mode = ctx->session_cache_mode;
    int side = s->server ? SSL_SESS_CACHE_SERVER : SSL_SESS_CACHE_CLIENT;
    if (sess == NULL || !(mode & side))
        return 1;
    /* OpenSSL: without a session id there is nothing to cache; a server
     * verifying clients must not cache sessions without an id context. */
    if (sess->session_id_len == 0)
        return 1;
    if (s->server && sess->sid_ctx_len == 0 && (s->cfg.verify_mode & SSL_VERIFY_PEER))
        return 1;
    /* OpenSSL 3.0: a TLS 1.3 server normally issues self-contained tickets
     * and keeps no cache entry, except for stateful tickets, anti-replay of
     * early data, or when a remove callback shows the app tracks the cache. */
    int store = !(mode & SSL_SESS_CACHE_NO_INTERNAL_STORE);
    if (store && s->server && sess->version == TLS1_3_VERSION)
        store = (s->cfg.options & SSL_OP_NO_TICKET) ||
                (s->cfg.max_early_data > 0 && !(s->cfg.options & SSL_OP_NO_ANTI_REPLAY)) ||
                ctx->remove_session_cb != NULL;
    if (store)
        (void)cache_add(ctx, sess, 1);
    /* The fleet store: sessions a client resumes by id or stateful ticket
     * (a stateless TLS 1.3 ticket carries its session itself). */
    if (s->server && sess_store_active(ctx, s) &&
        (sess->version != TLS1_3_VERSION || (s->cfg.options & SSL_OP_NO_TICKET)))
        sess_store_put(ctx, sess);
    if (ctx->new_session_cb != NULL) {
        /* Contract S8: the callback gets a reference; returning 1 keeps it. */
        if (!SSL_SESSION_up_ref(sess))
            return 0;
        if (!ctx->new_session_cb(s, sess))
            SSL_SESSION_free(sess);
    }
    return 1;
}

/* ---- SSL_CTX accessors ---- */

long SSL_CTX_set_timeout(SSL_CTX *ctx, long t)
{
    if (ctx == NULL)
        return 0;
    long old = ctx->session_timeout;
    ctx->session_timeout = t;
    return old;
}

long SSL_CTX_get_timeout(const SSL_CTX *ctx)
{
    return ctx == NULL ? 0 : ctx->session_timeout;
}

void SSL_CTX_sess_set_new_cb(SSL_CTX *ctx, int (*cb)(SSL *, SSL_SESSION *))
{
    ctx->new_session_cb = cb;
}

int (*SSL_CTX_sess_get_new_cb(SSL_CTX *ctx))(SSL *, SSL_SESSION *)
{
    return ctx->new_session_cb;
}

void SSL_CTX_sess_set_remove_cb(SSL_CTX *ctx, void (*cb)(SSL_CTX *, SSL_SESSION *))
{
    ctx->remove_session_cb = cb;
}

void (*SSL_CTX_sess_get_remove_cb(SSL_CTX *ctx))(SSL_CTX *, SSL_SESSION *)
{
    return ctx->remove_session_cb;
}

void SSL_CTX_sess_set_get_cb(SSL_CTX *ctx,
                             SSL_SESSION *(*cb)(SSL *, const unsigned char *, int, int *))
{
    ctx->get_session_cb = cb;
}

SSL_SESSION *(*SSL_CTX_sess_get_get_cb(SSL_CTX *ctx))(SSL *, const unsigned char *, int, int *)
{
    return ctx->get_session_cb;
}

/* ---- ctrl ---- */

int sess_ticket_ctrl(SSL_CTX *ctx, int cmd, long larg, void *parg, long *out_ret);

int sess_ctx_ctrl(SSL_CTX *ctx, int cmd, long larg, void *parg, long *out_ret)
{
    struct sess_cache *c = &ctx->cache;
    long r;
    switch (cmd) {
    case SSL_CTRL_SESS_NUMBER:
        r = atomic_load(&c->number);
        break;
    case SSL_CTRL_SESS_CONNECT:
        r = atomic_load(&c->n_connect);
        break;
    case SSL_CTRL_SESS_CONNECT_GOOD:
        r = atomic_load(&c->n_connect_good);
        break;
    case SSL_CTRL_SESS_CONNECT_RENEGOTIATE:
        r = atomic_load(&c->n_connect_reneg);
        break;
    case SSL_CTRL_SESS_ACCEPT:
        r = atomic_load(&c->n_accept);
        break;
    case SSL_CTRL_SESS_ACCEPT_GOOD:
        r = atomic_load(&c->n_accept_good);
        break;
    case SSL_CTRL_SESS_ACCEPT_RENEGOTIATE:
        r = atomic_load(&c->n_accept_reneg);
        break;
    case SSL_CTRL_SESS_HIT:
        r = atomic_load(&c->n_hit);
        break;
    case SSL_CTRL_SESS_CB_HIT:
        r = atomic_load(&c->n_cb_hit);
        break;
    case SSL_CTRL_SESS_MISSES:
        r = atomic_load(&c->n_miss);
        break;
    case SSL_CTRL_SESS_TIMEOUTS:
        r = atomic_load(&c->n_timeout);
        break;
    case SSL_CTRL_SESS_CACHE_FULL:
        r = atomic_load(&c->n_cache_full);
        break;
    case SSL_CTRL_SET_SESS_CACHE_SIZE:
        if (larg < 0) {
            r = 0;
            break;
        }
        r = atomic_exchange(&c->cap, larg);
        break;
    case SSL_CTRL_GET_SESS_CACHE_SIZE:
        r = atomic_load(&c->cap);
        break;
    case SSL_CTRL_SET_SESS_CACHE_MODE:
        r = ctx->session_cache_mode;
        ctx->session_cache_mode = (int)larg;
        break;
    case SSL_CTRL_GET_SESS_CACHE_MODE:
        r = ctx->session_cache_mode;
        break;
    default:
        return sess_ticket_ctrl(ctx, cmd, larg, parg, out_ret);
    }
    *out_ret = r;
    return 1;
}

/* The per-SSL_CTX session cache (session/session_cache.c) and the session
 * layer's internal API for the api/ and handshake/ modules.
 *
 * The cache is split into SESS_CACHE_SHARDS shards, each with its own mutex,
 * hash buckets and LRU list, so that concurrent handshakes on one SSL_CTX do
 * not serialize on a single lock.  Sessions are indexed by a keyed hash of
 * their session id (key drawn at init), so peers cannot pick colliding ids.
 * A session belongs to at most one cache at a time (contract S13): its
 * |owner| field points at that cache. */
#ifndef SESAME_SESSION_CACHE_H
#define SESAME_SESSION_CACHE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"

#define SESS_CACHE_SHARDS 16

struct sess_shard {
    pthread_mutex_t lock;
    struct ssl_session_st **buckets; /* chained through hash_next */
    size_t nbuckets;                 /* power of two */
    size_t count;
    struct ssl_session_st *lru_head; /* most recently used */
    struct ssl_session_st *lru_tail; /* least recently used */
    _Atomic uint64_t tail_stamp;     /* lru_tail's stamp, UINT64_MAX if empty */
};

struct sess_cache {
    int initialized;
    uint64_t hash_key[2];
    _Atomic long cap;            /* SSL_CTX_sess_set_cache_size; 0 = unlimited */
    _Atomic long number;         /* sessions cached, all shards */
    _Atomic uint64_t clock;      /* LRU stamps */
    _Atomic unsigned handshakes; /* for the flush every 255 handshakes */
    /* counters for SSL_CTX_sess_* */
    _Atomic long n_connect, n_connect_good, n_connect_reneg;
    _Atomic long n_accept, n_accept_good, n_accept_reneg;
    _Atomic long n_hit, n_cb_hit, n_miss, n_timeout, n_cache_full;
    struct sess_shard shards[SESS_CACHE_SHARDS];
};

/* ---- lifecycle (called by api/ from SSL_CTX_new / SSL_CTX_free) ---- */

/* sess_cache_init sets up ctx->cache and the defaults ctx->session_cache_mode
 * = SSL_SESS_CACHE_SERVER, ctx->session_timeout = 7200 (if 0). */
int sess_cache_init(SSL_CTX *ctx) WUR;
/* sess_cache_cleanup empties the cache like OpenSSL's SSL_CTX_free: every
 * cached session is removed and the remove callback is called for each
 * (SSL_CTX_flush_sessions(ctx, 0) semantics), then the locks are destroyed. */
void sess_cache_cleanup(SSL_CTX *ctx);

/* ---- ctrl (called by api/ from SSL_CTX_ctrl / SSL_CTX_callback_ctrl) ----
 * Return 1 if |cmd| was handled (the ctrl's return value is in *out_ret),
 * 0 if the command is not a session command. */
int sess_ctx_ctrl(SSL_CTX *ctx, int cmd, long larg, void *parg, long *out_ret);
int sess_ctx_callback_ctrl(SSL_CTX *ctx, int cmd, void (*fp)(void), long *out_ret);

/* ---- handshake side ---- */

enum {
    SESS_CNT_CONNECT = 0,
    SESS_CNT_CONNECT_GOOD,
    SESS_CNT_ACCEPT,
    SESS_CNT_ACCEPT_GOOD,
    SESS_CNT_HIT,
    SESS_CNT_MISS,
    SESS_CNT_CB_HIT,
    SESS_CNT_TIMEOUT,
    SESS_CNT_CONNECT_RENEGOTIATE,
    SESS_CNT_ACCEPT_RENEGOTIATE
};
/* sess_count bumps one counter of ctx's cache (atomic). */
void sess_count(SSL_CTX *ctx, int which);

/* sess_cache_note_handshake: call once per completed handshake on
 * s->session_ctx; every 255th call flushes expired sessions unless
 * SSL_SESS_CACHE_NO_AUTO_CLEAR. */
void sess_cache_note_handshake(SSL_CTX *ctx);

/* sess_cache_lookup (server): finds the session |id| for |s|: the internal
 * cache (unless SSL_SESS_CACHE_NO_INTERNAL_LOOKUP), then get_session_cb.
 * Checks sid_ctx and expiry; counts hit/miss/cb_hit/timeout.  Returns a NEW
 * reference (caller frees) or NULL (no error queued: full handshake). */
SSL_SESSION *sess_cache_lookup(SSL *s, const uint8_t *id, size_t id_len);

/* sess_cache_take (server, stateful tickets): like sess_cache_lookup on the
 * internal cache only, but removes the session from the cache (single use,
 * contract S9), firing the remove callback.  New reference or NULL. */
SSL_SESSION *sess_cache_take(SSL *s, const uint8_t *id, size_t id_len);

/* sess_cache_add_new: a newly established session |sess| of |s|: inserts it
 * into s->session_ctx's cache per the cache mode (server or client side) and
 * calls new_session_cb (contract S8: we up-ref before calling; the callback
 * returning 1 keeps that reference, 0 makes us drop it).  Returns 1; 0 only
 * on internal failure. */
int sess_cache_add_new(SSL *s, SSL_SESSION *sess) WUR;

/* sess_generate_id: a server's new session id into |id| (32 bytes of
 * room), *out_len its length: from the SSL's SSL_set_generate_session_id
 * callback, else its session context's, else 32 random bytes (OpenSSL's
 * rules: the callback may shorten the id, not to 0; an id the session
 * cache already holds is refused).  0 with *out_reason (SSL_R_*) on
 * failure: the caller sends internal_error. */
int sess_generate_id(SSL *s, uint8_t id[SSL_MAX_SSL_SESSION_ID_LENGTH], unsigned *out_len,
                     int *out_reason) WUR;

/* ---- connection teardown (called by api/ from SSL_free and SSL_clear) ----
 * Contract S10: removes a session of an unclean connection from the cache,
 * then releases s->session and s->psk_session. */
void sess_connection_end(SSL *s);

/* ---- serialization (session_asn1.c), shared by tickets and i2d/d2i ---- */

/* sess_encode writes |s| in the sesame DER format (docs/session-format.md).
 * for_ticket=1 omits the fields a ticket does not need (the ticket itself).
 * On failure the reason is raised (no cipher, too long, an allocation). */
int sess_encode(CBB *out, const SSL_SESSION *s, int for_ticket) WUR;
/* sess_decode parses a whole DER session from |in| (consumes it); NULL and an
 * error queued on failure, with *out_malformed (may be NULL) 1 when the input
 * is not a session we read, 0 when an allocation failed. */
SSL_SESSION *sess_decode(CBS *in, int for_ticket, int *out_malformed);

/* ---- peer certificates (session_peer.c) ----
 * A session keeps the peer's certificates as received: one immutable,
 * reference-counted block of DER (leaf first), shared by every session made
 * from the same connection.  The X509 objects are parsed only when asked for,
 * once, and published with a compare-and-swap, so concurrent readers of one
 * published session get the same pointers; they live as long as the block. */

/* sess_peer_from_x509s: a block holding the DER of |chain| (leaf first);
 * NULL (error queued) on failure. */
struct sess_peer *sess_peer_from_x509s(STACK_OF(X509) * chain);
/* sess_peer_from_der: a block holding |certs|, a concatenation of
 * |num_certs| >= 1 DER Certificates already split and checked by
 * sess_peer_split; NULL on allocation failure. */
struct sess_peer *sess_peer_from_der(const uint8_t *certs, size_t len, size_t num_certs);
/* sess_peer_split counts the Certificate TLVs of |certs| (each a DER
 * SEQUENCE, nothing in between or after); 0 if malformed or empty.  With
 * |full| set each one is also parsed by d2i_X509 (and the result dropped). */
size_t sess_peer_split(const uint8_t *certs, size_t len, int full);
void sess_peer_up_ref(struct sess_peer *p);
void sess_peer_free(struct sess_peer *p);
/* sess_peer_der: the concatenated DER and its length. */
const uint8_t *sess_peer_der(const struct sess_peer *p, size_t *out_len);
/* sess_peer_leaf / sess_peer_chain: the parsed leaf / whole chain (leaf
 * first, element 0 is the leaf object), parsed on first use; NULL if |p| is
 * NULL or parsing fails.  Thread-safe; the results are owned by |p|. */
X509 *sess_peer_leaf(struct sess_peer *p);
STACK_OF(X509) * sess_peer_chain(struct sess_peer *p);

/* ---- the variable-length parts (session.c) ---- */

/* sess_set_extra replaces sid_ctx, hostname (NULL = none), the selected ALPN
 * protocol and the ticket appdata of |s| in one allocation (the arguments may
 * point into |s|'s current block).  0 on failure, |s| unchanged. */
int sess_set_extra(SSL_SESSION *s, const uint8_t *sid_ctx, size_t sid_ctx_len, const char *hostname,
                   size_t hostname_len, const uint8_t *alpn, size_t alpn_len,
                   const uint8_t *appdata, size_t appdata_len) WUR;
/* sess_dup: SSL_SESSION_dup, without the ticket unless |with_ticket|. */
SSL_SESSION *sess_dup(const SSL_SESSION *src, int with_ticket);
/* sess_alpn / sess_appdata: views into the block (NULL, 0 when empty). */
const uint8_t *sess_alpn(const SSL_SESSION *s, size_t *out_len);
const uint8_t *sess_appdata(const SSL_SESSION *s, size_t *out_len);

/* sess_cache_set_times updates time/timeout (either may be NULL) of a
 * possibly cached session under its shard's lock (SSL_SESSION_set_time). */
void sess_cache_set_times(SSL_SESSION *s, const uint64_t *time_ms, const uint64_t *timeout);

/* sess_expired: 1 if |s| has expired at |now_ms|. */
int sess_expired(const SSL_SESSION *s, uint64_t now_ms);

#endif

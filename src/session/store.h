/* The fleet session store (session/store.c, session/store_ring.c): a second
 * home for server sessions and the ticket key ring, shared by every server
 * attached to the same store (Redis, through the module of store_module.h).
 *
 * The in-process cache (session_cache.c) stays: sessions go to both, and
 * while the store cannot be reached the in-process cache answers alone.
 * When the store answers, its answer wins (a session removed or used on
 * another server is gone here too): one round trip per stateful
 * resumption, none for a stateless ticket (unless strict_tickets), and one
 * per ticket-key refresh (every period/4 at most, per process).
 *
 * Every function here is a no-op (or says "no answer") for an SSL_CTX with
 * no store; none queues an error on the handshake path: a store that fails
 * means a full handshake, counted in the store's counters. */
#ifndef SESAME_SESSION_STORE_H
#define SESAME_SESSION_STORE_H

#include <stddef.h>
#include <stdint.h>

struct ticket_ring_key;

/* ---- attaching (api/ calls these) ---- */

/* sess_store_ctx_init (SSL_CTX_new): attaches the store named by
 * SESAME_SESSION_STORE, if set.  Never fails the SSL_CTX: a bad URL or a
 * missing module is reported once per process on stderr and the SSL_CTX
 * keeps its sessions in process. */
void sess_store_ctx_init(SSL_CTX *ctx);
/* sess_store_ctx_free (SSL_CTX_free): closes the store, wipes its keys. */
void sess_store_ctx_free(SSL_CTX *ctx);
/* sess_store_attach: attaches |url| (NULL detaches).  1, or 0 with the
 * reason queued.  Not to be called while handshakes run on |ctx|. */
int sess_store_attach(SSL_CTX *ctx, const char *url);
/* sess_store_url: the URL without its password, or NULL. */
const char *sess_store_url(const SSL_CTX *ctx);

enum { STORE_CNT_HITS, STORE_CNT_MISSES, STORE_CNT_ERRORS, STORE_CNT_TIMEOUTS };
long sess_store_counter(const SSL_CTX *ctx, int which);

/* ---- sessions (session_cache.c calls these) ---- */

/* sess_store_active: |ctx| has a store and |s| is a server. */
int sess_store_active(const SSL_CTX *ctx, const SSL *s);
/* sess_store_put: publishes a new server session (TLS 1.2 session id or
 * TLS 1.3 stateful ticket) for its remaining lifetime. */
void sess_store_put(SSL_CTX *ctx, const SSL_SESSION *sess);
/* sess_store_fetch: the session |id| in |s|'s session id context, removed
 * from the store in the same step when |take| (single use across the
 * fleet).  *out_answered = 1 when the store answered (then NULL means "no
 * such session"), 0 when it could not be asked.  New reference or NULL. */
SSL_SESSION *sess_store_fetch(SSL_CTX *ctx, const SSL *s, const uint8_t *id, size_t id_len,
                              int take, int *out_answered);
/* sess_store_remove: removes |sess| from the store (a bad session, S10). */
void sess_store_remove(SSL_CTX *ctx, const SSL_SESSION *sess);

/* ---- stateless tickets (ticket.c calls these) ---- */

/* sess_store_strict: strict_tickets is on (stateless tickets single use
 * across the fleet). */
int sess_store_strict(const SSL_CTX *ctx);
/* sess_store_first_use: records the use of |ticket| until |ttl_ms| from
 * now; 1 if this was its first use anywhere in the fleet, 0 if it was used
 * before or the store could not say (strict: a full handshake). */
int sess_store_first_use(SSL_CTX *ctx, const uint8_t *ticket, size_t len, uint64_t ttl_ms);

/* sess_store_ring_keys (store_ring.c): the fleet's ticket keys, refreshed
 * from the store when due (and rotated there when the current key has been
 * current for |period_ms|).  keys[0] is the current key (seals), then the
 * next and the previous one (open only), *n of them valid.  0 when |ctx|
 * has no store or the store's ring is not known (yet): use the local ring. */
int sess_store_ring_keys(SSL_CTX *ctx, uint64_t period_ms, int seal, struct ticket_ring_key keys[3],
                         size_t *n);

#endif

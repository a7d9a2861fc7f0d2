/* sesame.h: what sesame's libssl.so.3 offers beyond OpenSSL's API.
 *
 * Programs use the system's <openssl/ssl.h> for everything else; these few
 * functions say what OpenSSL's API cannot: the fleet-wide session store.
 * They are exported with the symbol version SESAME_1 (OpenSSL's names keep
 * OPENSSL_3.0.0), so a program that calls them needs sesame's libssl.so.3;
 * one that must also run on OpenSSL's can look them up with dlsym.
 *
 * Session store (docs/fleet.md): servers that share one store resume each
 * other's sessions and open each other's tickets.
 *   SESAME_SESSION_STORE=redis://[:password@]host:port/db   (or unix:///path?db=N)
 * in a program's environment attaches every SSL_CTX it creates; the URL's
 * query parameters tune it: timeout_ms=N (each store operation, default 10),
 * strict_tickets=1 (stateless tickets single use across the fleet too),
 * key_file=PATH (wrap ticket keys and sessions at rest with a secret from the
 * file), ticket_key_period=S (rotation period of the shared ticket keys),
 * prefix=P (Redis key prefix, default "sesame").
 * A store that cannot be reached means full handshakes, never failed ones. */
#ifndef SESAME_H
#define SESAME_H

#include <openssl/ssl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* sesame_CTX_set_session_store attaches |ctx| to the store at |url| (the
 * format of SESAME_SESSION_STORE), replacing the one from the environment;
 * NULL detaches it (sessions stay in this process).  Loads the store module
 * when needed; connects on first use.  1 on success; 0 with an error queued
 * (a malformed URL, the module or its library missing). */
int sesame_CTX_set_session_store(SSL_CTX *ctx, const char *url);

/* sesame_CTX_get_session_store: the URL |ctx| uses (password removed), or
 * NULL when it has none. */
const char *sesame_CTX_get_session_store(const SSL_CTX *ctx);

/* Counters of |ctx|'s store operations, like SSL_CTX_sess_hits:
 * hits: session lookups the store answered with a session; misses: session
 * lookups answered "none"; errors: operations that failed at once (refused,
 * not connected, backing off after a failure, a value it could not read);
 * timeouts: operations with no answer within timeout_ms. */
long sesame_CTX_sess_store_hits(const SSL_CTX *ctx);
long sesame_CTX_sess_store_misses(const SSL_CTX *ctx);
long sesame_CTX_sess_store_errors(const SSL_CTX *ctx);
long sesame_CTX_sess_store_timeouts(const SSL_CTX *ctx);

#ifdef __cplusplus
}
#endif

#endif

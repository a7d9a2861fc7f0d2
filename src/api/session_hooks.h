/* Functions other layers implement that the api/ objects call.  Declared
 * here so api/ does not depend on those layers' headers. */
#ifndef SESAME_API_SESSION_HOOKS_H
#define SESAME_API_SESSION_HOOKS_H

#include "internal.h"

/* session/: per-SSL_CTX cache and ticket keys, set up in SSL_CTX_new and torn
 * down in SSL_CTX_free. */
extern int sess_cache_init(SSL_CTX *ctx);
extern void sess_cache_cleanup(SSL_CTX *ctx);
extern int ticket_keys_init(SSL_CTX *ctx);
extern void ticket_keys_cleanup(struct ticket_keys *tk);
/* session/: the fleet session store (session/store.h) */
extern void sess_store_ctx_init(SSL_CTX *ctx);
extern void sess_store_ctx_free(SSL_CTX *ctx);
extern int sess_store_attach(SSL_CTX *ctx, const char *url);
extern const char *sess_store_url(const SSL_CTX *ctx);
extern long sess_store_counter(const SSL_CTX *ctx, int which);
/* session/: called by SSL_free before anything is released (contract S10);
 * releases s->session (and s->psk_session). */
extern void sess_connection_end(SSL *s);
/* session/: SSL_CTX_ctrl / SSL_CTX_callback_ctrl commands of the session
 * cache and tickets. Return 1 if |cmd| was handled (result in *out_ret). */
extern int sess_ctx_ctrl(SSL_CTX *ctx, int cmd, long larg, void *parg, long *out_ret);
extern int sess_ctx_callback_ctrl(SSL_CTX *ctx, int cmd, void (*fp)(void), long *out_ret);

/* record/ (the lead): frees the record layer and handshake state of |s|. */
extern void ssl_io_free(SSL *s);

#endif

/* Helpers shared by the session-layer unit tests: build an SSL_CTX / SSL by
 * hand (calloc + the session layer's init functions), so that the tests run
 * without the api/ module; a fake clock. */
#ifndef SESAME_TEST_SESSION_UTIL_H
#define SESAME_TEST_SESSION_UTIL_H

#include "internal.h"
#include "auth/config.h"
#include "session/session_cache.h"
#include "session/ticket.h"
#include "codec/cipher_suites.h"

#include "testutil.h"

static _Atomic uint64_t tu_now = 1700000000000ULL;
static inline uint64_t tu_clock(void)
{
    return atomic_load(&tu_now);
}

/* tu_set_sid_ctx: the session id context of |s| (its own configuration
 * block from then on). */
static inline void tu_set_sid_ctx(SSL *s, const char *sid)
{
    struct ssl_config_shared *w = cfg_shared_mut(&s->cfg);
    if (w == NULL)
        abort();
    w->sid_ctx_len = strlen(sid);
    memcpy(w->sid_ctx, sid, w->sid_ctx_len);
}

static inline SSL_CTX *tu_ctx_new(void)
{
    SSL_CTX *ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL || !cfg_init(&ctx->cfg) || !sess_cache_init(ctx) || !ticket_keys_init(ctx))
        abort();
    atomic_init(&ctx->references, 1);
    return ctx;
}

static inline void tu_ctx_free(SSL_CTX *ctx)
{
    sess_cache_cleanup(ctx);
    ticket_keys_cleanup(&ctx->tickets);
    cfg_free(&ctx->cfg);
    free(ctx);
}

static inline SSL *tu_ssl_new(SSL_CTX *ctx, int server)
{
    SSL *s = calloc(1, sizeof(*s));
    if (s == NULL)
        abort();
    s->ctx = s->session_ctx = ctx;
    s->server = server;
    if (!cfg_copy(&s->cfg, &ctx->cfg))
        abort();
    return s;
}

static inline void tu_ssl_free(SSL *s)
{
    sess_connection_end(s);
    cfg_free(&s->cfg);
    free(s);
}

/* tu_sess: a complete TLS 1.3 session with a given id byte. */
static inline SSL_SESSION *tu_sess(uint8_t idbyte)
{
    SSL_SESSION *s = SSL_SESSION_new();
    uint8_t id[32], key[32];
    memset(id, idbyte, sizeof(id));
    id[0] = (uint8_t)(idbyte * 7 + 1);
    memset(key, 0x5a, sizeof(key));
    if (s == NULL || !SSL_SESSION_set1_id(s, id, sizeof(id)) ||
        !SSL_SESSION_set1_master_key(s, key, sizeof(key)) ||
        !SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION) ||
        !SSL_SESSION_set_cipher(s, suite_by_value(0x1301)))
        abort();
    s->time_ms = tu_clock();
    s->timeout = 7200;
    return s;
}

static inline int tu_refs(const SSL_SESSION *s)
{
    return atomic_load(&s->references);
}

#endif

/* Server sessions in the fleet store: TLS 1.2 sessions by id and TLS 1.3
 * stateful tickets, stored under
 *   PREFIX:s:hex(session id context):hex(session id)
 * as sess_encode's DER (the i2d format, docs/session-format.md), wrapped
 * (store_wrap.c), with the session's remaining lifetime as time to live;
 * and the used stateless tickets of strict mode, PREFIX:u:hex(SHA-256 of
 * the ticket, first 16 bytes), kept until the ticket would expire. */
#include "internal.h"

#include <string.h>

#include "base/clock.h"
#include "keys/algs.h"
#include "session/session_cache.h"
#include "session/store.h"
#include "session/store_internal.h"

/* A session whose end does not fit (huge timeouts) lives 30 days in the
 * store; the session's own expiry check still applies on use. */
#define MAX_TTL_MS (30ULL * 24 * 3600 * 1000)

static uint64_t remaining_ms(const SSL_SESSION *sess, uint64_t now)
{
    uint64_t end = sess->time_ms + sess->timeout * 1000;
    if (sess->timeout > MAX_TTL_MS / 1000 || end < sess->time_ms)
        return MAX_TTL_MS;
    if (end <= now)
        return 0;
    return end - now > MAX_TTL_MS ? MAX_TTL_MS : end - now;
}

void sess_store_put(SSL_CTX *ctx, const SSL_SESSION *sess)
{
    struct sess_store *st = ctx->store;
    if (st == NULL || sess->session_id_len == 0)
        return;
    atomic_store_explicit(&st->server_used, 1, memory_order_relaxed);
    uint64_t ttl = remaining_ms(sess, sesame_now_ms());
    uint8_t key[STORE_KEY_MAX];
    size_t klen = store_key(st, "s", sess->sid_ctx, sess->sid_ctx_len, sess->session_id,
                            sess->session_id_len, key);
    if (ttl == 0 || klen == 0)
        return;
    CBB der;
    uint8_t *pt = NULL, *val = NULL;
    size_t pt_len = 0, val_len = 0;
    ERR_set_mark();
    if (cbb_init(&der, 512)) {
        if (sess_encode(&der, sess, 0) && cbb_finish(&der, &pt, &pt_len))
            val = store_wrap(st, key, klen, pt, pt_len, &val_len);
        else
            cbb_cleanup(&der);
    }
    ERR_pop_to_mark(); /* a session we cannot store is only not shared */
    /* not waited for: the store answers while the handshake goes on */
    if (val != NULL)
        store_count(st,
                    st->mod->set_nowait != NULL
                        ? st->mod->set_nowait(st->h, key, klen, val, val_len, ttl)
                        : st->mod->set(st->h, key, klen, val, val_len, ttl, 0),
                    0);
    OPENSSL_clear_free(pt, pt_len);
    OPENSSL_clear_free(val, val_len);
}

SSL_SESSION *sess_store_fetch(SSL_CTX *ctx, const SSL *s, const uint8_t *id, size_t id_len,
                              int take, int *out_answered)
{
    struct sess_store *st = ctx->store;
    *out_answered = 0;
    if (st == NULL)
        return NULL;
    atomic_store_explicit(&st->server_used, 1, memory_order_relaxed);
    uint8_t key[STORE_KEY_MAX];
    size_t klen = store_key(st, "s", s->cfg.sh->sid_ctx, s->cfg.sh->sid_ctx_len, id, id_len, key);
    if (klen == 0)
        return NULL;
    uint8_t *val = NULL;
    size_t val_len = 0;
    int r = st->mod->get(st->h, key, klen, take, &val, &val_len);
    store_count(st, r, 1);
    if (r == STORE_MISS)
        *out_answered = 1;
    if (r != STORE_OK)
        return NULL;
    *out_answered = 1;
    const uint8_t *pt = NULL;
    size_t pt_len = 0;
    uint8_t *owned = NULL;
    SSL_SESSION *sess = NULL;
    if (store_unwrap(st, key, klen, val, val_len, &pt, &pt_len, &owned)) {
        CBS cbs;
        cbs_init(&cbs, pt, pt_len);
        ERR_set_mark();
        sess = sess_decode(&cbs, 0, NULL);
        ERR_pop_to_mark(); /* unreadable: a full handshake */
    }
    OPENSSL_clear_free(owned, pt_len);
    st->mod->free_value(val, val_len);
    /* the id must be the one asked for (a value moved under another key) */
    if (sess != NULL && (sess->session_id_len != id_len || memcmp(sess->session_id, id, id_len))) {
        SSL_SESSION_free(sess);
        sess = NULL;
    }
    return sess;
}

void sess_store_remove(SSL_CTX *ctx, const SSL_SESSION *sess)
{
    struct sess_store *st = ctx->store;
    if (st == NULL || sess->session_id_len == 0 ||
        !atomic_load_explicit(&st->server_used, memory_order_relaxed))
        return;
    uint8_t key[STORE_KEY_MAX];
    size_t klen = store_key(st, "s", sess->sid_ctx, sess->sid_ctx_len, sess->session_id,
                            sess->session_id_len, key);
    if (klen != 0)
        store_count(st, st->mod->del(st->h, key, klen), 0);
}

int sess_store_first_use(SSL_CTX *ctx, const uint8_t *ticket, size_t len, uint64_t ttl_ms)
{
    struct sess_store *st = ctx->store;
    uint8_t digest[EVP_MAX_MD_SIZE], key[STORE_KEY_MAX];
    unsigned dlen = 0;
    if (st == NULL)
        return 1;
    ERR_set_mark();
    int ok = EVP_Digest(ticket, len, digest, &dlen, algs_sha256(), NULL) && dlen >= 16;
    ERR_pop_to_mark();
    if (!ok)
        return 0;
    size_t klen = store_key(st, "u", digest, 16, NULL, 0, key);
    if (klen == 0)
        return 0;
    if (ttl_ms == 0 || ttl_ms > MAX_TTL_MS)
        ttl_ms = MAX_TTL_MS;
    static const uint8_t used[] = "1";
    int r = st->mod->set(st->h, key, klen, used, 1, ttl_ms, 1);
    store_count(st, r, 0);
    return r == STORE_OK;
}

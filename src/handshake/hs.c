/* The handshake driver: runs the role's state machine, owns the handshake
 * state's lifetime, and provides the message plumbing both roles use. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include "codec/consts.h"
#include "handshake/hs.h"
#include "handshake/pha.h"
#include "keys/algs.h"
#include "record/record_io.h"

int hs_start(SSL *s)
{
    /* Zeroing the two 1 KiB key-share buffers at the end would cost more
     * than the rest: only their first *_len bytes are ever read. */
    struct hs_state *hs = OPENSSL_malloc(sizeof(*hs));
    if (hs != NULL)
        memset(hs, 0, offsetof(struct hs_state, kex_pub));
    if (hs == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    if (!transcript_init(&hs->transcript)) {
        OPENSSL_free(hs);
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    hs->state = s->server ? SS_READ_CLIENT_HELLO : CS_SEND_CLIENT_HELLO;
    s->hs = hs;
    s->phase = HS_PHASE_IN_INIT;
    s->rl.seen_ccs = 0;
    s->rl.ccs_allowed = 0;
    if (s->rl.max_frag == 0)
        s->rl.max_frag = s->cfg.max_send_fragment ? s->cfg.max_send_fragment : 16384;
    return 1;
}

void hs_free(SSL *s)
{
    struct hs_state *hs = s->hs;
    if (hs == NULL)
        return;
    transcript_free(&hs->transcript);
    tls13_sched_cleanup(&hs->ks);
    EVP_PKEY_free(hs->kex_key);
    EVP_PKEY_free(hs->dh_params);
    OPENSSL_free(hs->cookie);
    OPENSSL_free(hs->nst_ticket);
    OPENSSL_free(hs->cert_req_ctx);
    sk_X509_pop_free(hs->peer_chain, X509_free);
    SSL_SESSION_free(hs->psk);
    /* the secrets it holds (the key schedule wiped itself above) */
    OPENSSL_cleanse(hs->client_hs, sizeof(hs->client_hs));
    OPENSSL_cleanse(hs->server_hs, sizeof(hs->server_hs));
    OPENSSL_cleanse(hs->kex_secret, hs->kex_secret_len);
    OPENSSL_cleanse(hs->master, sizeof(hs->master));
    OPENSSL_cleanse(hs->key_block, sizeof(hs->key_block));
    OPENSSL_free(hs);
    s->hs = NULL;
    s->rl.ccs_allowed = 0;
}

void hs_info(SSL *s, int where, int ret)
{
    void (*cb)(const SSL *, int, int) = s->cfg.info_cb;
    if (cb == NULL && s->ctx != NULL)
        cb = s->ctx->cfg.info_cb;
    if (cb != NULL)
        cb(s, where, ret);
}

void hs_set_state(SSL *s, int state)
{
    /* As OpenSSL, the callback hears of each step as it completes (the
     * state string names the step just done). */
    hs_info(s, s->server ? SSL_CB_ACCEPT_LOOP : SSL_CB_CONNECT_LOOP, 1);
    s->hs->state = state;
}

void hs_set_state_to_read(SSL *s, int state)
{
    hs_info(s, s->server ? SSL_CB_ACCEPT_LOOP : SSL_CB_CONNECT_LOOP, 1);
    hs_set_state(s, state);
}

void hs_set_state_quietly(SSL *s, int state)
{
    s->hs->state = state;
}

void hs_msg_cb(SSL *s, int write_p, const uint8_t *msg, size_t len)
{
    /* the negotiated version; the hellos before it is known count as 1.3 */
    int version = s->version == TLS1_2_VERSION ? TLS1_2_VERSION : TLS1_3_VERSION;
    if (s->cfg.msg_cb != NULL)
        s->cfg.msg_cb(write_p, version, SSL3_RT_HANDSHAKE, msg, len, s, s->cfg.msg_cb_arg);
}

int hs_send_message(SSL *s, const uint8_t *msg, size_t len)
{
    if (!transcript_update(&s->hs->transcript, msg, len) ||
        !rec_queue(s, REC_HANDSHAKE, msg, len)) {
        hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    hs_msg_cb(s, 1, msg, len);
    return 1;
}

int hs_send_cbb(SSL *s, CBB *cbb)
{
    uint8_t *data = NULL;
    size_t len;
    if (!cbb_finish(cbb, &data, &len)) {
        cbb_cleanup(cbb);
        hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    int ok = hs_send_message(s, data, len);
    OPENSSL_free(data);
    return ok;
}

enum hs_ret hs_peek_type(SSL *s, uint8_t *out_type)
{
    const uint8_t *msg;
    size_t len;
    uint8_t alert;
    int r = rec_hs_message(s, &msg, &len, &alert);
    if (r != REC_OK)
        return hs_rec_result(s, r, alert);
    *out_type = msg[0];
    return HS_OK;
}

enum hs_ret hs_get_message(SSL *s, uint8_t type, CBS *out_body)
{
    const uint8_t *msg;
    size_t len;
    uint8_t alert;
    int r = rec_hs_message(s, &msg, &len, &alert);
    if (r != REC_OK)
        return hs_rec_result(s, r, alert);
    CBS m;
    uint8_t got;
    cbs_init(&m, msg, len);
    if (!cbs_get_u8(&m, &got) || !cbs_skip(&m, 3))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    if (got != type)
        return hs_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_UNEXPECTED_MESSAGE);
    *out_body = m;
    return HS_OK;
}

void hs_current_message(const SSL *s, const uint8_t **out_msg, size_t *out_len)
{
    *out_msg = s->rl.hbuf + s->rl.hbuf_off;
    *out_len = s->rl.hmsg_len;
}

int hs_consume(SSL *s)
{
    const uint8_t *msg;
    size_t len;
    hs_current_message(s, &msg, &len);
    hs_msg_cb(s, 0, msg, len);
    if (!transcript_update(&s->hs->transcript, msg, len)) {
        hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    rec_hs_consume(s);
    return 1;
}

int hs_transcript_hash(SSL *s, uint8_t *out)
{
    size_t len;
    return transcript_hash(&s->hs->transcript, out, &len);
}

int hs_hash_with(SSL *s, const uint8_t *extra, size_t extra_len, uint8_t *out)
{
    TRANSCRIPT *t = &s->hs->transcript;
    /* Finish a copy in the transcript's scratch context (as transcript_hash
     * does) instead of allocating one. */
    EVP_MD_CTX *c = t->scratch;
    unsigned int n = 0;
    int ok = c != NULL && t->ctx != NULL && EVP_MD_CTX_copy_ex(c, t->ctx) &&
             EVP_DigestUpdate(c, extra, extra_len) && EVP_DigestFinal_ex(c, out, &n) &&
             n == s->hs->hash_len;
    if (!ok)
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
    return ok;
}

void hs_keylog(SSL *s, const char *label, const uint8_t *secret, size_t len)
{
    SSL_CTX_keylog_cb_func cb = s->ctx != NULL ? s->ctx->keylog_cb : NULL;
    if (cb == NULL)
        return;
    /* label SP client_random(hex) SP secret(hex) */
    char line[64 + 1 + 64 + 1 + 2 * SESAME_MAX_HASH + 1];
    size_t off = (size_t)snprintf(line, sizeof(line), "%s ", label);
    for (size_t i = 0; i < 32 && off + 2 < sizeof(line); i++, off += 2)
        snprintf(line + off, 3, "%02x", s->client_random[i]);
    line[off++] = ' ';
    for (size_t i = 0; i < len && off + 2 < sizeof(line); i++, off += 2)
        snprintf(line + off, 3, "%02x", secret[i]);
    line[off] = 0;
    cb(s, line);
    OPENSSL_cleanse(line, sizeof(line));
}

int hs_run(SSL *s)
{
    /* OpenSSL's state machine, once in its error state, returns -1 and
     * queues nothing (SSL_get_error: SSL_ERROR_SYSCALL, or ZERO_RETURN
     * after the peer's alert). */
    if (s->fatal)
        return -1;
    if (s->hs == NULL) {
        hs_info(s, SSL_CB_HANDSHAKE_START, 1);
        hs_info(s, s->server ? SSL_CB_ACCEPT_LOOP : SSL_CB_CONNECT_LOOP, 1); /* "before" */
        if (s->server) /* as OpenSSL's: again when the ClientHello arrives */
            hs_info(s, SSL_CB_ACCEPT_LOOP, 1);
        if (!hs_start(s)) {
            ssl_fatal(s, CODEC_ALERT_INTERNAL_ERROR); /* hs_start raised why */
            return -1;
        }
    }
    for (;;) {
        int st = s->hs->state;
        if (st == CS_DONE || st == SS_DONE) {
            int offered = s->version == TLS1_3_VERSION &&
                          (s->server ? s->hs->pha_offered : s->cfg.post_handshake_auth);
            if (!tls13_pha_keep_transcript(s, offered)) {
                hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
                return -1;
            }
            int r = rec_flush(s);
            if (r != REC_OK) {
                hs_rec_result(s, r, 0);
                return -1;
            }
            if (s->wbio != NULL)
                (void)BIO_flush(s->wbio);
            /* OpenSSL's server reports no step "SSL negotiation finished
             * successfully", and in TLS 1.3 HANDSHAKE_DONE before the
             * tickets (tls13_server.c) */
            int done_reported = s->hs->done_reported;
            hs_free(s);
            s->phase = HS_PHASE_DONE;
            if (!s->server)
                hs_info(s, SSL_CB_CONNECT_LOOP, 1);
            if (!done_reported)
                hs_info(s, SSL_CB_HANDSHAKE_DONE, 1);
            hs_info(s, s->server ? SSL_CB_ACCEPT_EXIT : SSL_CB_CONNECT_EXIT, 1);
            return 1;
        }
        enum hs_ret r;
        if (hs_state_is_tls12(st))
            r = s->server ? tls12_server_step(s) : tls12_client_step(s);
        else
            r = s->server ? tls13_server_step(s) : tls13_client_step(s);
        if (r == HS_RETRY)
            return -1;
        if (r == HS_CLOSED) {
            /* nothing queued: SSL_ERROR_ZERO_RETURN; the next call reads on */
            hs_info(s, s->server ? SSL_CB_ACCEPT_EXIT : SSL_CB_CONNECT_EXIT, -1);
            return -1;
        }
        if (r == HS_ERR) {
            if (!s->fatal) /* a step that failed without saying why */
                hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
            /* ERR_peek_error non-empty => SSL_ERROR_SSL for the caller */
            if (ERR_peek_error() == 0 && !s->fatal_syscall)
                ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
            hs_info(s, s->server ? SSL_CB_ACCEPT_EXIT : SSL_CB_CONNECT_EXIT, -1);
            return -1;
        }
    }
}

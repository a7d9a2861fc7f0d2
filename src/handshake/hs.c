/* The handshake driver: runs the role's state machine, owns the handshake
 * state's lifetime, and provides the message plumbing both roles use. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include "codec/consts.h"
#include "handshake/hs.h"
#include "keys/algs.h"
#include "record/record_io.h"

int hs_start(SSL *s)
{
    struct hs_state *hs = OPENSSL_zalloc(sizeof(*hs));
    if (hs == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    if (!transcript_init(&hs->transcript)) {
        OPENSSL_free(hs);
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    s->hs = hs;
    s->phase = HS_PHASE_IN_INIT;
    s->rl.seen_ccs = 0;
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
    OPENSSL_free(hs->cookie);
    OPENSSL_free(hs->cert_req_ctx);
    sk_X509_pop_free(hs->peer_chain, X509_free);
    SSL_SESSION_free(hs->new_session);
    SSL_SESSION_free(hs->offered_psk);
    OPENSSL_clear_free(hs, sizeof(*hs));
    s->hs = NULL;
}

void ssl_fatal(SSL *s, uint8_t alert)
{
    if (s->fatal)
        return;
    s->fatal = 1;
    s->rwstate = SSL_NOTHING;
    /* OpenSSL removes the session of a connection that failed (S10). */
    if (s->session != NULL && s->session_ctx != NULL)
        SSL_CTX_remove_session(s->session_ctx, s->session);
    if (alert != 0 && !(s->shutdown & SSL_SENT_SHUTDOWN)) {
        s->shutdown |= SSL_SENT_SHUTDOWN;
        rec_send_alert(s, CODEC_ALERT_LEVEL_FATAL, alert);
    }
}

enum hs_ret hs_fail(SSL *s, uint8_t alert, int reason)
{
    if (reason != 0)
        ERR_raise(ERR_LIB_SSL, reason);
    ssl_fatal(s, alert);
    return HS_ERR;
}

void hs_info(SSL *s, int where, int ret)
{
    void (*cb)(const SSL *, int, int) = s->cfg.info_cb;
    if (cb == NULL && s->ctx != NULL)
        cb = s->ctx->cfg.info_cb;
    if (cb != NULL)
        cb(s, where, ret);
}

static void msg_cb(SSL *s, int write_p, const uint8_t *msg, size_t len)
{
    if (s->cfg.msg_cb != NULL)
        s->cfg.msg_cb(write_p, TLS1_3_VERSION, SSL3_RT_HANDSHAKE, msg, len, s, s->cfg.msg_cb_arg);
}

int hs_send_message(SSL *s, const uint8_t *msg, size_t len)
{
    if (!transcript_update(&s->hs->transcript, msg, len) ||
        !rec_queue(s, REC_HANDSHAKE, msg, len)) {
        ssl_fatal(s, CODEC_ALERT_INTERNAL_ERROR);
        return 0;
    }
    msg_cb(s, 1, msg, len);
    return 1;
}

int hs_send_cbb(SSL *s, CBB *cbb)
{
    uint8_t *data;
    size_t len;
    int ok = cbb_finish(cbb, &data, &len) && hs_send_message(s, data, len);
    if (!ok) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        ssl_fatal(s, CODEC_ALERT_INTERNAL_ERROR);
        cbb_cleanup(cbb);
        return 0;
    }
    OPENSSL_free(data);
    return 1;
}

static enum hs_ret rec_to_hs(int r)
{
    return r == REC_RETRY ? HS_RETRY : HS_ERR;
}

enum hs_ret hs_peek_type(SSL *s, uint8_t *out_type)
{
    const uint8_t *msg;
    size_t len;
    int r = rec_hs_message(s, &msg, &len);
    if (r != REC_OK)
        return rec_to_hs(r);
    *out_type = msg[0];
    return HS_OK;
}

enum hs_ret hs_get_message(SSL *s, uint8_t type, CBS *out_body)
{
    const uint8_t *msg;
    size_t len;
    int r = rec_hs_message(s, &msg, &len);
    if (r != REC_OK)
        return rec_to_hs(r);
    if (msg[0] != type)
        return hs_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_UNEXPECTED_MESSAGE);
    cbs_init(out_body, msg + 4, len - 4);
    return HS_OK;
}

int hs_consume(SSL *s)
{
    const uint8_t *msg = s->rl.hbuf + s->rl.hbuf_off;
    size_t len = s->rl.hmsg_len;
    msg_cb(s, 0, msg, len);
    if (!transcript_update(&s->hs->transcript, msg, len)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        ssl_fatal(s, CODEC_ALERT_INTERNAL_ERROR);
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
    unsigned int n;
    int ok = c != NULL && t->ctx != NULL && EVP_MD_CTX_copy_ex(c, t->ctx) &&
             EVP_DigestUpdate(c, extra, extra_len) && EVP_DigestFinal_ex(c, out, &n);
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
}

int hs_run(SSL *s)
{
    if (s->fatal) {
        ERR_raise(ERR_LIB_SSL, SSL_R_PROTOCOL_IS_SHUTDOWN);
        return 0;
    }
    if (s->hs == NULL) {
        if (!hs_start(s))
            return 0;
        hs_info(s, SSL_CB_HANDSHAKE_START, 1);
    }
    for (;;) {
        int done = s->server ? tls13_server_done(s) : tls13_client_done(s);
        if (done) {
            int r = rec_flush(s);
            if (r != REC_OK)
                return r == REC_RETRY ? -1 : 0;
            if (s->wbio != NULL)
                (void)BIO_flush(s->wbio);
            hs_free(s);
            s->phase = HS_PHASE_DONE;
            hs_info(s, SSL_CB_HANDSHAKE_DONE, 1);
            hs_info(s, s->server ? SSL_CB_ACCEPT_EXIT : SSL_CB_CONNECT_EXIT, 1);
            return 1;
        }
        enum hs_ret r = s->server ? tls13_server_step(s) : tls13_client_step(s);
        if (r == HS_RETRY)
            return -1;
        if (r == HS_ERR) {
            if (!s->fatal)
                ssl_fatal(s, CODEC_ALERT_INTERNAL_ERROR);
            /* ERR_peek_error non-empty => SSL_ERROR_SSL for the caller */
            if (ERR_peek_error() == 0 && !s->fatal_syscall)
                ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
            return 0;
        }
    }
}

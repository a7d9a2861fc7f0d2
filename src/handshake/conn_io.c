/* The connection after (and around) the handshake, for the API layer:
 * reading application data with the post-handshake messages on the way,
 * sending what the application asked for since the handshake, flushing.
 * Failures take the connection's one failure path. */
#include "internal.h"

#include "codec/consts.h"
#include "handshake/conn.h"
#include "handshake/hs.h"
#include "handshake/pha.h"
#include "record/record_io.h"

int conn_flush(SSL *s)
{
    int r = rec_flush(s);
    if (r == REC_ERR)
        ssl_fatal(s, 0);
    if (r == REC_OK)
        s->ku_reply_unsent = 0;
    return r == REC_OK ? 1 : r == REC_RETRY ? -1 : 0;
}

int conn_send_pending(SSL *s)
{
    if (s->fatal || (s->shutdown & SSL_SENT_SHUTDOWN) || s->version != TLS1_3_VERSION)
        return 1;
    /* key_update_pending: 0 none, else 1 + SSL_KEY_UPDATE_* */
    if (s->key_update_pending != 0 &&
        !tls13_send_key_update(s, s->key_update_pending - 1 == SSL_KEY_UPDATE_REQUESTED))
        return 0;
    if (s->tickets_pending > 0 && s->server) {
        size_t n = s->tickets_pending;
        s->tickets_pending = 0;
        if (!tls13_send_tickets(s, n))
            return 0;
    }
    return tls13_pha_send_request(s);
}

int conn_has_pending(const SSL *s)
{
    return s->tickets_pending > 0 || s->key_update_pending != 0 || s->pha_state == PHA_REQ_PENDING;
}

int hs_post_next(SSL *s, const uint8_t **msg, size_t *len, uint8_t *type, CBS *body,
                 enum hs_ret *out)
{
    uint8_t alert = 0;
    int r = rec_hs_peek(s, msg, len, &alert);
    *out = HS_OK; /* REC_RETRY: incomplete, wait for more records */
    if (r != REC_OK) {
        if (r != REC_RETRY)
            *out = hs_rec_result(s, r, alert);
        return 0;
    }
    if (++s->post_hs_msgs > HS_MAX_POST_HS_MESSAGES) {
        *out = hs_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_UNEXPECTED_MESSAGE);
        return 0;
    }
    cbs_init(body, *msg, *len);
    if (!cbs_get_u8(body, type) || !cbs_skip(body, 3)) {
        *out = hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    return 1;
}

/* post_handshake: the version's handling of handshake messages after the
 * handshake. */
static enum hs_ret post_handshake(SSL *s)
{
    return s->version == TLS1_2_VERSION ? tls12_post_handshake(s) : tls13_post_handshake(s);
}

int conn_read_app(SSL *s)
{
    struct rec_layer *rl = &s->rl;
    for (;;) {
        if (rl->plain_len > 0 && rl->plain_type == REC_APPDATA)
            return 1;
        /* A post-handshake message a callback suspended (the client
         * certificate callback answering a CertificateRequest) is still
         * buffered: present it again before reading on (its answer is then
         * flushed below). */
        if (rec_hs_buffered(s) > 0 && post_handshake(s) != HS_OK)
            return -1;
        if (rec_pending_output(s) > 0) {
            /* A KeyUpdate reply we owe goes out before we read on: while it
             * cannot be written, we stop reading (WANT_WRITE), so a peer
             * that never reads cannot make us buffer replies. */
            int saved = s->rwstate;
            int r = rec_flush(s);
            if (r == REC_OK)
                s->ku_reply_unsent = 0;
            else if (r == REC_ERR)
                return ssl_fatal(s, 0), -1;
            else if (s->ku_reply_unsent)
                return -1;
            else
                s->rwstate = saved; /* other output: retried by the next write */
        }
        uint8_t alert = 0;
        int r = rec_next(s, &alert);
        if (r == REC_CLOSED)
            return 0;
        if (r == REC_RETRY)
            return -1;
        if (r != REC_OK)
            return ssl_fatal(s, alert), -1;
        if (rl->plain_type == REC_CCS) { /* TLS 1.2: never after the handshake */
            ERR_raise(ERR_LIB_SSL, SSL_R_CCS_RECEIVED_EARLY);
            return ssl_fatal(s, CODEC_ALERT_UNEXPECTED_MESSAGE), -1;
        }
        if (rl->plain_type == REC_HANDSHAKE) {
            if (!rec_hs_take_plain(s, &alert))
                return ssl_fatal(s, alert), -1;
            if (post_handshake(s) != HS_OK)
                return -1;
            /* OpenSSL: without SSL_MODE_AUTO_RETRY a read that handled a
             * post-handshake message (a ticket, a KeyUpdate) returns as if
             * it had to wait (SSL_ERROR_WANT_READ), so that an event loop
             * on a blocking socket regains control; the record layer holds
             * no further input here (it reads one record at a time). */
            if (!(s->cfg.mode & SSL_MODE_AUTO_RETRY) && s->rbio != NULL) {
                s->rwstate = SSL_READING;
                BIO_clear_retry_flags(s->rbio);
                BIO_set_retry_read(s->rbio);
                return -1;
            }
            continue;
        }
        /* application data: the peer is not only sending messages */
        s->post_hs_msgs = 0;
        s->key_updates = 0;
    }
}

/* The read side of the record layer: framing, limits and unprotection of
 * received records, alerts, the compatibility change_cipher_spec, skipped
 * early data, and the reassembly of handshake messages (RFC 8446 5, 6). */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "codec/consts.h"
#include "record/record_io.h"

/* One record: header + the largest TLS 1.2 ciphertext (2^14 + 2048). */
#define RBUF_SIZE (REC_HEADER_LEN + 16384 + 2048)
/* Consecutive empty records tolerated before we call it an attack. */
#define MAX_EMPTY_RECORDS 32
/* Consecutive warning alerts tolerated (BoringSSL allows 4). */
#define MAX_WARNING_ALERTS 4
/* The largest handshake message we accept (certificate chains included). */
#define MAX_HS_MESSAGE (128 * 1024)

/* rec_err raises |reason| and hands |alert| to the caller. */
static int rec_err(uint8_t *out_alert, uint8_t alert, int reason)
{
    ERR_raise(ERR_LIB_SSL, reason);
    *out_alert = alert;
    return REC_ERR;
}

void rec_skip_early_data(SSL *s, int mode, uint32_t budget)
{
    s->rl.skip_early = (uint8_t)mode;
    s->rl.skip_budget = budget;
}

/* read_bytes fills rbuf up to |want| bytes. */
static int read_bytes(SSL *s, size_t want, uint8_t *out_alert)
{
    struct rec_layer *rl = &s->rl;
    *out_alert = 0;
    while (rl->rbuf_len < want) {
        if (s->rbio == NULL)
            return rec_err(out_alert, 0, SSL_R_BIO_NOT_SET);
        s->rwstate = SSL_READING;
        int n = BIO_read(s->rbio, rl->rbuf + rl->rbuf_len, (int)(want - rl->rbuf_len));
        if (n > 0 && (size_t)n > want - rl->rbuf_len) {
            /* a BIO claiming more than it was asked for: never trusted */
            s->rwstate = SSL_NOTHING;
            rl->io_failed = 1;
            ERR_raise(ERR_LIB_SSL, ERR_R_BIO_LIB);
            return REC_ERR;
        }
        if (n <= 0) {
            if (BIO_should_retry(s->rbio))
                return REC_RETRY;
            s->rwstate = SSL_NOTHING;
            if (n == 0 || BIO_eof(s->rbio)) {
                rl->eof = 1;
                /* OpenSSL 3.0: an EOF without close_notify is an SSL error
                 * (and it sends a decode_error alert, which the peer may
                 * still read after a half close), unless the application
                 * asked to take it as the peer's close_notify. */
                if (s->cfg.options & SSL_OP_IGNORE_UNEXPECTED_EOF) {
                    s->shutdown |= SSL_RECEIVED_SHUTDOWN;
                    s->warn_alert = CODEC_ALERT_CLOSE_NOTIFY;
                    return REC_CLOSED;
                }
                return rec_err(out_alert, CODEC_ALERT_DECODE_ERROR,
                               SSL_R_UNEXPECTED_EOF_WHILE_READING);
            }
            rl->io_failed = 1;
            return REC_ERR;
        }
        rl->rbuf_len += (size_t)n;
    }
    s->rwstate = SSL_NOTHING;
    return REC_OK;
}

/* skip_early: RFC 8446 4.2.10 -- a server that rejected 0-RTT drops the
 * client's early data, up to its max_early_data_size; 1 if this record of
 * |len| bytes is dropped. */
static int skip_early(struct rec_layer *rl, size_t len)
{
    if (len > rl->skip_budget)
        return 0;
    rl->skip_budget -= (uint32_t)len;
    return 1;
}

/* A record was read and dropped (skipped early data): read the next. */
#define REC_SKIPPED 2

/* read_record reads and opens one record into rl->plain. */
static int read_record(SSL *s, uint8_t *out_alert)
{
    struct rec_layer *rl = &s->rl;
    int r;

    if (rl->rbuf == NULL && (rl->rbuf = OPENSSL_malloc(RBUF_SIZE)) == NULL)
        return rec_err(out_alert, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
    if (rl->rbuf_len == 0)
        rl->plain_len = 0;
    if ((r = read_bytes(s, REC_HEADER_LEN, out_alert)) != REC_OK)
        return r;

    CBS hdr;
    uint8_t type;
    uint16_t version, len;
    cbs_init(&hdr, rl->rbuf, REC_HEADER_LEN);
    if (!cbs_get_u8(&hdr, &type) || !cbs_get_u16(&hdr, &version) || !cbs_get_u16(&hdr, &len))
        return rec_err(out_alert, CODEC_ALERT_DECODE_ERROR, SSL_R_BAD_LENGTH);
    if (type < REC_CCS || type > REC_APPDATA) {
        /* Plain HTTP to a TLS port, or garbage before the handshake. */
        CBS first;
        cbs_init(&first, rl->rbuf, 4);
        if (!rl->rd_on && cbs_mem_equal(&first, (const uint8_t *)"GET ", 4))
            return rec_err(out_alert, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_HTTP_REQUEST);
        return rec_err(out_alert, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_WRONG_VERSION_NUMBER);
    }
    if ((version >> 8) != 3)
        return rec_err(out_alert, CODEC_ALERT_PROTOCOL_VERSION, SSL_R_WRONG_VERSION_NUMBER);
    /* RFC 8446 5.1/5.2: plaintext records are at most 2^14, protected ones
     * 2^14 + 256.  Skipped early data is protected too. */
    size_t max = SESAME_MAX_PLAINTEXT;
    if (rl->rd_on && rl->rd_tls12)
        max = REC_TLS12_MAX_CIPHERTEXT; /* RFC 5246 6.2.3: every type, 2^14 + 2048 */
    else if (type == REC_APPDATA && (rl->rd_on || rl->skip_early != REC_SKIP_NONE))
        max = REC_MAX_CIPHERTEXT;
    if (len > max)
        return rec_err(out_alert, CODEC_ALERT_RECORD_OVERFLOW, SSL_R_PACKET_LENGTH_TOO_LONG);
    if (REC_HEADER_LEN + (size_t)len > rl->rbuf_used_max)
        rl->rbuf_used_max = REC_HEADER_LEN + (size_t)len;
    if ((r = read_bytes(s, REC_HEADER_LEN + (size_t)len, out_alert)) != REC_OK)
        return r;
    rl->rbuf_len = 0; /* the next call starts a new record */

    uint8_t *body = rl->rbuf + REC_HEADER_LEN;
    int opened12 = rl->rd_on && rl->rd_tls12;
    if (opened12) {
        /* RFC 5246 6.2.3.3: every record after the peer's change_cipher_spec
         * is protected, its type in the clear (and in the AAD), a
         * change_cipher_spec too: one in the clear does not open */
        uint8_t alert = CODEC_ALERT_BAD_RECORD_MAC, *plain;
        size_t plen;
        if (!rec_tls12_open(&rl->rd, rl->rbuf, body, len, &plain, &plen, &alert)) {
            *out_alert = alert;
            return REC_ERR;
        }
        body = plain;
        len = (uint16_t)plen;
    }
    if (type == REC_CCS) {
        /* RFC 8446 5: a change_cipher_spec of the single byte 1 is dropped
         * between the first ClientHello and the peer's Finished, never in
         * the middle of a handshake message; anything else is unexpected. */
        CBS ccs;
        uint8_t v = 0;
        cbs_init(&ccs, body, len);
        /* In TLS 1.2 it is a protocol message: passed up for the handshake
         * to judge where it stands (RFC 5246 7.1). */
        int allowed = rl->tls12 || (rl->ccs_allowed && rl->seen_ccs == 0);
        if (!allowed || !cbs_get_u8(&ccs, &v) || cbs_len(&ccs) != 0 || v != 1 ||
            rec_hs_buffered(s) != 0)
            return rec_err(out_alert, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_BAD_CHANGE_CIPHER_SPEC);
        rl->seen_ccs = 1;
        rl->plain = body;
        rl->plain_len = 0;
        rl->plain_type = REC_CCS;
        return REC_OK;
    }
    if (opened12) {
        /* opened above */
    } else if (rl->rd_on && type == REC_APPDATA) {
        uint8_t inner, alert = CODEC_ALERT_BAD_RECORD_MAC;
        size_t plen;
        int may_skip = rl->skip_early == REC_SKIP_UNDECRYPTABLE;
        if (may_skip)
            ERR_set_mark();
        int opened = rec_tls13_open(&rl->rd, rl->rbuf, body, len, &inner, &plen, &alert);
        if (!opened && may_skip && alert == CODEC_ALERT_BAD_RECORD_MAC && skip_early(rl, len)) {
            ERR_pop_to_mark(); /* skipped early data is no error */
            return REC_SKIPPED;
        }
        if (may_skip)
            ERR_clear_last_mark();
        if (!opened) {
            *out_alert = alert;
            return REC_ERR;
        }
        rl->skip_early = REC_SKIP_NONE;
        /* RFC 8446 5: only these may be protected; an inner
         * change_cipher_spec or an unknown type is unexpected_message. */
        if (inner != REC_HANDSHAKE && inner != REC_ALERT && inner != REC_APPDATA)
            return rec_err(out_alert, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_BAD_RECORD_TYPE);
        type = inner;
        len = (uint16_t)plen;
    } else if (type == REC_APPDATA && rl->skip_early == REC_SKIP_APPDATA && skip_early(rl, len)) {
        return REC_SKIPPED;
    } else if (rl->rd_on && !rl->rd_tls12) {
        /* Once protected, only an alert may still arrive in the clear (a
         * peer that failed to process our ServerHello). */
        if (!(type == REC_ALERT && s->hs != NULL))
            return rec_err(out_alert, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_UNEXPECTED_RECORD);
    } else if (type == REC_APPDATA) {
        return rec_err(out_alert, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_UNEXPECTED_RECORD);
    }
    if (type == REC_HANDSHAKE && rl->skip_early == REC_SKIP_APPDATA)
        rl->skip_early = REC_SKIP_NONE; /* the second ClientHello */
    if (len == 0 && type != REC_APPDATA)
        return rec_err(out_alert, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_RECORD_TOO_SMALL);
    if (len == 0) {
        if (++rl->empty_records > MAX_EMPTY_RECORDS)
            return rec_err(out_alert, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_RECORD_TOO_SMALL);
    } else {
        rl->empty_records = 0;
    }
    rl->plain = body;
    rl->plain_len = len;
    rl->plain_type = type;
    return REC_OK;
}

/* handle_alert processes the alert in rl->plain. */
static int handle_alert(SSL *s, uint8_t *out_alert)
{
    struct rec_layer *rl = &s->rl;
    CBS a;
    uint8_t level, desc;
    cbs_init(&a, rl->plain, rl->plain_len);
    /* RFC 8446 5.1: alerts are never fragmented. */
    if (!cbs_get_u8(&a, &level) || !cbs_get_u8(&a, &desc) || cbs_len(&a) != 0)
        return rec_err(out_alert, CODEC_ALERT_DECODE_ERROR, SSL_R_BAD_LENGTH);
    rl->plain_len = 0;
    if (s->cfg.msg_cb != NULL) {
        uint8_t b[2] = {level, desc};
        s->cfg.msg_cb(0, s->version ? s->version : TLS1_2_VERSION, SSL3_RT_ALERT, b, 2, s,
                      s->cfg.msg_cb_arg);
    }
    void (*cb)(const SSL *, int, int) = s->cfg.info_cb;
    if (cb == NULL && s->ctx != NULL)
        cb = s->ctx->cfg.info_cb;
    if (cb != NULL)
        cb(s, SSL_CB_READ_ALERT, (level << 8) | desc);
    if (level != CODEC_ALERT_LEVEL_WARNING && level != CODEC_ALERT_LEVEL_FATAL)
        return rec_err(out_alert, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_UNKNOWN_ALERT_TYPE);
    s->alert_received = desc;
    /* RFC 8446 5.1: nothing may sit between the fragments of a handshake
     * message (a fatal alert still ends the connection as itself). */
    if (level == CODEC_ALERT_LEVEL_WARNING && rec_hs_buffered(s) != 0)
        return rec_err(out_alert, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_UNEXPECTED_RECORD);
    if (desc == CODEC_ALERT_CLOSE_NOTIFY) {
        s->shutdown |= SSL_RECEIVED_SHUTDOWN;
        s->warn_alert = desc;
        return REC_CLOSED;
    }
    /* RFC 8446 6: user_canceled may be a warning; every other alert in
     * TLS 1.3 is fatal whatever its level says.  In TLS 1.2 a warning is
     * a warning (RFC 5246 7.2.2: no_renegotiation, say); either way a run
     * of them without anything else between is bounded. */
    if (level == CODEC_ALERT_LEVEL_WARNING && (desc == CODEC_ALERT_USER_CANCELED || rl->tls12)) {
        s->warn_alert = desc;
        if (++rl->warnings > MAX_WARNING_ALERTS)
            return rec_err(out_alert, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_TOO_MANY_WARN_ALERTS);
        return REC_OK;
    }
    ERR_raise(ERR_LIB_SSL, SSL_AD_REASON_OFFSET + desc);
    char num[8];
    snprintf(num, sizeof(num), "%u", desc);
    ERR_add_error_data(2, "SSL alert number ", num);
    s->shutdown |= SSL_RECEIVED_SHUTDOWN;
    *out_alert = 0; /* the peer aborted: nothing to answer */
    return REC_ERR;
}

int rec_next(SSL *s, uint8_t *out_alert)
{
    struct rec_layer *rl = &s->rl;
    *out_alert = 0;
    for (;;) {
        if (rl->plain_len > 0 && rl->plain_type != REC_CCS)
            return REC_OK;
        int r = read_record(s, out_alert);
        if (r == REC_SKIPPED)
            continue;
        if (r != REC_OK)
            return r;
        if (rl->plain_type == REC_CCS) {
            if (rl->tls12)
                return REC_OK; /* for the handshake to judge */
            continue;
        }
        if (rl->plain_type == REC_ALERT) {
            r = handle_alert(s, out_alert);
            if (r != REC_OK)
                return r;
            continue;
        }
        /* RFC 8446 5.1: a handshake message is never interleaved with
         * records of another type. */
        if (rl->plain_type != REC_HANDSHAKE && rec_hs_buffered(s) != 0)
            return rec_err(out_alert, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_UNEXPECTED_RECORD);
        if (rl->plain_len == 0 && s->hs == NULL)
            continue; /* an empty application data record, after the handshake */
        rl->warnings = 0;
        return REC_OK;
    }
}

/* ---- handshake message assembly ---- */

int rec_hs_take_plain(SSL *s, uint8_t *out_alert)
{
    struct rec_layer *rl = &s->rl;
    size_t n = rl->plain_len;
    if (rl->hbuf_off > 0 && rl->hbuf_off == rl->hbuf_len)
        rl->hbuf_off = rl->hbuf_len = 0;
    if (rl->hbuf_cap - rl->hbuf_len < n) {
        /* compact first, then grow */
        if (rl->hbuf_off > 0) {
            memmove(rl->hbuf, rl->hbuf + rl->hbuf_off, rl->hbuf_len - rl->hbuf_off);
            rl->hbuf_len -= rl->hbuf_off;
            rl->hbuf_off = 0;
        }
        if (rl->hbuf_cap - rl->hbuf_len < n) {
            size_t ncap = rl->hbuf_cap ? rl->hbuf_cap : 4096;
            while (ncap - rl->hbuf_len < n)
                ncap *= 2;
            /* handshake messages carry secrets (tickets, Finished) */
            uint8_t *nb = mem_grow_wiped(rl->hbuf, rl->hbuf_cap, rl->hbuf_len, ncap);
            if (nb == NULL) {
                rec_err(out_alert, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
                return 0;
            }
            rl->hbuf = nb;
            rl->hbuf_cap = ncap;
        }
    }
    memcpy(rl->hbuf + rl->hbuf_len, rl->plain, n);
    rl->hbuf_len += n;
    if (rl->hbuf_len > rl->hbuf_used_max)
        rl->hbuf_used_max = rl->hbuf_len;
    rl->plain_len = 0;
    return 1;
}

size_t rec_hs_buffered(const SSL *s)
{
    return s->rl.hbuf_len - s->rl.hbuf_off;
}

int rec_hs_peek(SSL *s, const uint8_t **out_msg, size_t *out_len, uint8_t *out_alert)
{
    struct rec_layer *rl = &s->rl;
    CBS b;
    uint8_t type;
    uint32_t mlen;
    /* (no arithmetic on a NULL buffer before the first record) */
    if (rl->hbuf != NULL)
        cbs_init(&b, rl->hbuf + rl->hbuf_off, rl->hbuf_len - rl->hbuf_off);
    else
        cbs_init(&b, NULL, 0);
    if (!cbs_get_u8(&b, &type) || !cbs_get_u24(&b, &mlen))
        return REC_RETRY;
    if (mlen > MAX_HS_MESSAGE)
        return rec_err(out_alert, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_EXCESSIVE_MESSAGE_SIZE);
    if (cbs_len(&b) < mlen)
        return REC_RETRY;
    *out_msg = rl->hbuf + rl->hbuf_off;
    *out_len = 4 + (size_t)mlen;
    rl->hmsg_len = *out_len;
    return REC_OK;
}

int rec_hs_message(SSL *s, const uint8_t **out_msg, size_t *out_len, uint8_t *out_alert)
{
    struct rec_layer *rl = &s->rl;
    *out_alert = 0;
    for (;;) {
        int r = rec_hs_peek(s, out_msg, out_len, out_alert);
        if (r != REC_RETRY)
            return r;
        /* Send what we have before waiting for the peer. */
        if (rec_pending_output(s) > 0 && (r = rec_flush(s)) != REC_OK)
            return r;
        r = rec_next(s, out_alert);
        if (r != REC_OK) /* REC_CLOSED: the peer closed in the middle of a handshake */
            return r;
        /* RFC 8446 5: application data (even empty) before the handshake
         * is complete is unexpected; in TLS 1.2 so is a change_cipher_spec
         * where a handshake message is due. */
        if (rl->plain_type == REC_CCS)
            return rec_err(out_alert, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_CCS_RECEIVED_EARLY);
        if (rl->plain_type != REC_HANDSHAKE)
            return rec_err(out_alert, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_UNEXPECTED_RECORD);
        if (!rec_hs_take_plain(s, out_alert))
            return REC_ERR;
    }
}

int rec_read_ccs(SSL *s, uint8_t *out_alert)
{
    struct rec_layer *rl = &s->rl;
    int r;
    *out_alert = 0;
    /* RFC 5246 7.1: on a handshake message boundary */
    if (rec_hs_buffered(s) != 0)
        return rec_err(out_alert, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_CCS_RECEIVED_EARLY);
    if (rec_pending_output(s) > 0 && (r = rec_flush(s)) != REC_OK)
        return r;
    r = rec_next(s, out_alert);
    if (r != REC_OK)
        return r;
    if (rl->plain_type != REC_CCS)
        return rec_err(out_alert, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_UNEXPECTED_MESSAGE);
    rl->plain_len = 0;
    return REC_OK;
}

void rec_hs_consume(SSL *s)
{
    struct rec_layer *rl = &s->rl;
    rl->hbuf_off += rl->hmsg_len;
    rl->hmsg_len = 0;
    if (rl->hbuf_off == rl->hbuf_len)
        rl->hbuf_off = rl->hbuf_len = 0;
}

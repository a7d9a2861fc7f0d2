/* Record framing over the BIOs: RFC 8446 5 (and 5246 6.2 for TLS 1.2). */
#include "internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "codec/consts.h"
#include "keys/algs.h"
#include "keys/tls13_schedule.h"
#include "record/record_io.h"

/* One record: header + the largest TLS 1.2 ciphertext (2^14 + 2048). */
#define RBUF_SIZE (REC_HEADER_LEN + 16384 + 2048)
/* Consecutive empty records tolerated before we call it an attack. */
#define MAX_EMPTY_RECORDS 32

void rec_layer_free(struct rec_layer *rl)
{
    rec_aead_cleanup(&rl->rd);
    rec_aead_cleanup(&rl->wr);
    /* Only the part that ever held a record can hold plaintext. */
    if (rl->rbuf != NULL)
        OPENSSL_cleanse(rl->rbuf, rl->rbuf_used_max);
    OPENSSL_free(rl->rbuf);
    OPENSSL_clear_free(rl->wbuf, rl->wbuf_cap);
    OPENSSL_clear_free(rl->hbuf, rl->hbuf_cap);
    memset(rl, 0, sizeof(*rl));
}

static const EVP_CIPHER *cipher_of(const SSL_CIPHER *c)
{
    switch (c->cipher_nid) {
    case NID_aes_128_gcm:
        return algs_aes128gcm();
    case NID_aes_256_gcm:
        return algs_aes256gcm();
    case NID_chacha20_poly1305:
        return algs_chacha20poly1305();
    }
    return NULL;
}

int rec_set_key13(SSL *s, int enc, const SSL_CIPHER *c, const uint8_t *secret)
{
    struct rec_layer *rl = &s->rl;
    const EVP_MD *md = algs_md_by_nid(c->md_nid);
    const EVP_CIPHER *cipher = cipher_of(c);
    uint8_t key[32], iv[12];
    int ok = 0;

    if (md == NULL || cipher == NULL || c->key_len > sizeof(key)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    if (!tls13_traffic_key_iv(md, secret, key, c->key_len, iv, sizeof(iv)))
        goto out;
    REC_AEAD *a = enc ? &rl->wr : &rl->rd;
    rec_aead_cleanup(a);
    if (!rec_aead_init(a, cipher, key, c->key_len, iv, sizeof(iv), enc, 0))
        goto out;
    if (enc) {
        rl->wr_on = 1;
        rl->wr_version = TLS1_2_VERSION;
    } else {
        rl->rd_on = 1;
    }
    rl->records_since_keyupdate = 0;
    ok = 1;
out:
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(iv, sizeof(iv));
    return ok;
}

/* ---- writing ---- */

static int wbuf_reserve(struct rec_layer *rl, size_t n)
{
    if (rl->wbuf_off == rl->wbuf_len)
        rl->wbuf_off = rl->wbuf_len = 0;
    if (rl->wbuf_cap - rl->wbuf_len >= n)
        return 1;
    size_t need = rl->wbuf_len + n;
    size_t ncap = rl->wbuf_cap ? rl->wbuf_cap : 4096;
    while (ncap < need)
        ncap *= 2;
    uint8_t *nb = OPENSSL_realloc(rl->wbuf, ncap);
    if (nb == NULL)
        return 0;
    rl->wbuf = nb;
    rl->wbuf_cap = ncap;
    return 1;
}

int rec_queue(SSL *s, uint8_t type, const uint8_t *data, size_t len)
{
    struct rec_layer *rl = &s->rl;
    size_t frag = rl->max_frag ? rl->max_frag : SESAME_MAX_PLAINTEXT;
    if (type != REC_APPDATA || frag > SESAME_MAX_PLAINTEXT)
        frag = SESAME_MAX_PLAINTEXT;

    do {
        size_t n = len < frag ? len : frag;
        size_t out_len;
        if (rl->wr_on) {
            size_t need = rec_tls13_sealed_len(&rl->wr, n, 0);
            if (!wbuf_reserve(rl, need))
                goto err;
            if (!rec_tls13_seal(&rl->wr, type, data, n, 0, rl->wbuf + rl->wbuf_len,
                                rl->wbuf_cap - rl->wbuf_len, &out_len))
                return 0;
        } else {
            if (!wbuf_reserve(rl, REC_HEADER_LEN + n))
                goto err;
            uint8_t *p = rl->wbuf + rl->wbuf_len;
            uint16_t v = rl->wr_version ? rl->wr_version : TLS1_2_VERSION;
            p[0] = type;
            p[1] = (uint8_t)(v >> 8);
            p[2] = (uint8_t)v;
            p[3] = (uint8_t)(n >> 8);
            p[4] = (uint8_t)n;
            if (n)
                memcpy(p + REC_HEADER_LEN, data, n);
            out_len = REC_HEADER_LEN + n;
        }
        rl->wbuf_len += out_len;
        data += n;
        len -= n;
    } while (len > 0);
    return 1;
err:
    ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
    return 0;
}

size_t rec_pending_output(const SSL *s)
{
    return s->rl.wbuf_len - s->rl.wbuf_off;
}

int rec_flush(SSL *s)
{
    struct rec_layer *rl = &s->rl;
    while (rl->wbuf_off < rl->wbuf_len) {
        if (s->wbio == NULL) {
            ERR_raise(ERR_LIB_SSL, SSL_R_BIO_NOT_SET);
            return REC_ERR;
        }
        size_t want = rl->wbuf_len - rl->wbuf_off;
        if (want > INT_MAX)
            want = INT_MAX;
        s->rwstate = SSL_WRITING;
        int n = BIO_write(s->wbio, rl->wbuf + rl->wbuf_off, (int)want);
        if (n <= 0) {
            if (BIO_should_retry(s->wbio))
                return REC_RETRY;
            s->rwstate = SSL_NOTHING;
            s->fatal = 1;
            s->fatal_syscall = 1;
            return REC_ERR;
        }
        rl->wbuf_off += (size_t)n;
    }
    s->rwstate = SSL_NOTHING;
    rl->wbuf_off = rl->wbuf_len = 0;
    return REC_OK;
}

void rec_send_alert(SSL *s, uint8_t level, uint8_t desc)
{
    uint8_t a[2] = {level, desc};
    if (s->wbio == NULL)
        return;
    /* Drop anything unsent: the alert goes out after what was flushed. */
    if (!rec_queue(s, REC_ALERT, a, 2))
        return;
    if (level == CODEC_ALERT_LEVEL_FATAL || desc == CODEC_ALERT_CLOSE_NOTIFY)
        s->alert_sent = desc;
    if (s->cfg.msg_cb != NULL)
        s->cfg.msg_cb(1, s->version ? s->version : TLS1_2_VERSION, SSL3_RT_ALERT, a, 2, s,
                      s->cfg.msg_cb_arg);
    if (s->cfg.info_cb != NULL)
        s->cfg.info_cb(s, SSL_CB_WRITE_ALERT, (level << 8) | desc);
    else if (s->ctx != NULL && s->ctx->cfg.info_cb != NULL)
        s->ctx->cfg.info_cb(s, SSL_CB_WRITE_ALERT, (level << 8) | desc);
    int saved = s->rwstate;
    if (rec_flush(s) != REC_OK)
        s->rwstate = saved; /* best effort: the connection is failing anyway */
    s->rwstate = saved;
}

/* ---- reading ---- */

/* read_bytes fills rbuf up to |want| bytes. */
static int read_bytes(SSL *s, size_t want)
{
    struct rec_layer *rl = &s->rl;
    while (rl->rbuf_len < want) {
        if (s->rbio == NULL) {
            ERR_raise(ERR_LIB_SSL, SSL_R_BIO_NOT_SET);
            s->fatal = 1;
            return REC_ERR;
        }
        s->rwstate = SSL_READING;
        int n = BIO_read(s->rbio, rl->rbuf + rl->rbuf_len, (int)(want - rl->rbuf_len));
        if (n <= 0) {
            if (BIO_should_retry(s->rbio))
                return REC_RETRY;
            s->rwstate = SSL_NOTHING;
            rl->eof = 1;
            if (n == 0 || BIO_eof(s->rbio)) {
                /* OpenSSL 3.0: an EOF without close_notify is an SSL error,
                 * unless the application asked to treat it as a close. */
                if (s->cfg.options & SSL_OP_IGNORE_UNEXPECTED_EOF) {
                    s->shutdown |= SSL_RECEIVED_SHUTDOWN;
                    s->got_close_notify = 1;
                    return REC_CLOSED;
                }
                ERR_raise(ERR_LIB_SSL, SSL_R_UNEXPECTED_EOF_WHILE_READING);
                s->fatal = 1;
                return REC_ERR;
            }
            s->fatal = 1;
            s->fatal_syscall = 1;
            return REC_ERR;
        }
        rl->rbuf_len += (size_t)n;
    }
    s->rwstate = SSL_NOTHING;
    return REC_OK;
}

static int rec_fail(SSL *s, uint8_t alert, int reason)
{
    ERR_raise(ERR_LIB_SSL, reason);
    ssl_fatal(s, alert);
    return REC_ERR;
}

/* read_record reads and opens one record into rl->plain. */
static int read_record(SSL *s)
{
    struct rec_layer *rl = &s->rl;
    int r;

    if (rl->rbuf == NULL && (rl->rbuf = OPENSSL_malloc(RBUF_SIZE)) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return REC_ERR;
    }
    if (rl->rbuf_len == 0)
        rl->plain_len = 0;
    if ((r = read_bytes(s, REC_HEADER_LEN)) != REC_OK)
        return r;

    CBS hdr;
    uint8_t type;
    uint16_t version, len;
    cbs_init(&hdr, rl->rbuf, REC_HEADER_LEN);
    if (!cbs_get_u8(&hdr, &type) || !cbs_get_u16(&hdr, &version) || !cbs_get_u16(&hdr, &len))
        return rec_fail(s, CODEC_ALERT_DECODE_ERROR, SSL_R_BAD_LENGTH);
    if (type < REC_CCS || type > REC_APPDATA) {
        /* Plain HTTP to a TLS port, or garbage before the handshake. */
        CBS first;
        cbs_init(&first, rl->rbuf, 4);
        if (!rl->rd_on && cbs_mem_equal(&first, (const uint8_t *)"GET ", 4))
            return rec_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_HTTP_REQUEST);
        return rec_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_WRONG_VERSION_NUMBER);
    }
    if ((version >> 8) != 3)
        return rec_fail(s, CODEC_ALERT_PROTOCOL_VERSION, SSL_R_WRONG_VERSION_NUMBER);
    /* RFC 8446 5.1/5.2: plaintext records are at most 2^14, protected ones
     * 2^14 + 256 (TLS 1.2 allows 2^14 + 2048). */
    size_t max = SESAME_MAX_PLAINTEXT;
    if (rl->rd_on && type == REC_APPDATA)
        max = rl->tls12 ? 16384 + 2048 : REC_MAX_CIPHERTEXT;
    if (len > max)
        return rec_fail(s, CODEC_ALERT_RECORD_OVERFLOW, SSL_R_PACKET_LENGTH_TOO_LONG);
    if (REC_HEADER_LEN + (size_t)len > rl->rbuf_used_max)
        rl->rbuf_used_max = REC_HEADER_LEN + (size_t)len;
    if ((r = read_bytes(s, REC_HEADER_LEN + (size_t)len)) != REC_OK)
        return r;
    rl->rbuf_len = 0; /* the next call starts a new record */

    uint8_t *body = rl->rbuf + REC_HEADER_LEN;
    if (type == REC_CCS) {
        /* RFC 8446 5: a change_cipher_spec of the single byte 1 is ignored
         * while the handshake runs; anything else is unexpected. */
        CBS ccs;
        uint8_t v = 0;
        cbs_init(&ccs, body, len);
        if (s->hs == NULL || !cbs_get_u8(&ccs, &v) || cbs_len(&ccs) != 0 || v != 1 ||
            rl->seen_ccs > 0)
            return rec_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_BAD_CHANGE_CIPHER_SPEC);
        rl->seen_ccs = 1;
        rl->plain = body;
        rl->plain_len = 0;
        rl->plain_type = REC_CCS;
        return REC_OK;
    }
    if (rl->rd_on && type == REC_APPDATA) {
        uint8_t inner, alert = CODEC_ALERT_BAD_RECORD_MAC;
        size_t plen;
        if (!rec_tls13_open(&rl->rd, rl->rbuf, body, len, &inner, &plen, &alert)) {
            ssl_fatal(s, alert);
            return REC_ERR;
        }
        type = inner;
        len = (uint16_t)plen;
        rl->records_since_keyupdate++;
    } else if (rl->rd_on) {
        /* Once protected, only an alert may still arrive in the clear (a
         * peer that failed to process our ServerHello). */
        if (!(type == REC_ALERT && s->hs != NULL))
            return rec_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_UNEXPECTED_RECORD);
    } else if (type == REC_APPDATA) {
        return rec_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_UNEXPECTED_RECORD);
    }
    if (len == 0 && type != REC_APPDATA)
        return rec_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_RECORD_TOO_SMALL);
    if (len == 0) {
        if (++rl->empty_records > MAX_EMPTY_RECORDS)
            return rec_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_RECORD_TOO_SMALL);
    } else {
        rl->empty_records = 0;
    }
    rl->plain = body;
    rl->plain_len = len;
    rl->plain_type = type;
    return REC_OK;
}

static void info_alert(SSL *s, int where, int val)
{
    void (*cb)(const SSL *, int, int) = s->cfg.info_cb;
    if (cb == NULL && s->ctx != NULL)
        cb = s->ctx->cfg.info_cb;
    if (cb != NULL)
        cb(s, where, val);
}

/* handle_alert processes the alert in rl->plain. */
static int handle_alert(SSL *s)
{
    struct rec_layer *rl = &s->rl;
    CBS a;
    uint8_t level, desc;
    cbs_init(&a, rl->plain, rl->plain_len);
    /* RFC 8446 5.1: alerts are never fragmented. */
    if (!cbs_get_u8(&a, &level) || !cbs_get_u8(&a, &desc) || cbs_len(&a) != 0)
        return rec_fail(s, CODEC_ALERT_DECODE_ERROR, SSL_R_BAD_LENGTH);
    rl->plain_len = 0;
    if (s->cfg.msg_cb != NULL) {
        uint8_t b[2] = {level, desc};
        s->cfg.msg_cb(0, s->version ? s->version : TLS1_2_VERSION, SSL3_RT_ALERT, b, 2, s,
                      s->cfg.msg_cb_arg);
    }
    info_alert(s, SSL_CB_READ_ALERT, (level << 8) | desc);
    s->alert_received = desc;
    if (desc == CODEC_ALERT_CLOSE_NOTIFY) {
        s->shutdown |= SSL_RECEIVED_SHUTDOWN;
        s->got_close_notify = 1;
        return REC_CLOSED;
    }
    /* RFC 8446 6: user_canceled may be a warning; every other alert in
     * TLS 1.3 is fatal whatever its level says. */
    if (desc == CODEC_ALERT_USER_CANCELED && level == CODEC_ALERT_LEVEL_WARNING)
        return REC_OK;
    if (level != CODEC_ALERT_LEVEL_WARNING && level != CODEC_ALERT_LEVEL_FATAL)
        return rec_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_UNKNOWN_ALERT_TYPE);
    ERR_raise(ERR_LIB_SSL, SSL_AD_REASON_OFFSET + desc);
    char num[8];
    snprintf(num, sizeof(num), "%u", desc);
    ERR_add_error_data(2, "SSL alert number ", num);
    s->fatal = 1;
    s->shutdown |= SSL_RECEIVED_SHUTDOWN;
    /* OpenSSL drops the session when the peer aborts (contract S10). */
    if (s->session != NULL && s->session_ctx != NULL)
        SSL_CTX_remove_session(s->session_ctx, s->session);
    return REC_ERR;
}

int rec_next(SSL *s)
{
    struct rec_layer *rl = &s->rl;
    for (;;) {
        if (rl->plain_len > 0 && rl->plain_type != REC_CCS)
            return REC_OK;
        int r = read_record(s);
        if (r != REC_OK)
            return r;
        if (rl->plain_type == REC_CCS)
            continue;
        if (rl->plain_type == REC_ALERT) {
            r = handle_alert(s);
            if (r != REC_OK)
                return r;
            continue;
        }
        if (rl->plain_len == 0)
            continue; /* empty application data record */
        return REC_OK;
    }
}

/* ---- handshake message assembly ---- */

int rec_hs_take_plain(SSL *s)
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
            uint8_t *nb = OPENSSL_realloc(rl->hbuf, ncap);
            if (nb == NULL) {
                ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
                ssl_fatal(s, CODEC_ALERT_INTERNAL_ERROR);
                return 0;
            }
            rl->hbuf = nb;
            rl->hbuf_cap = ncap;
        }
    }
    memcpy(rl->hbuf + rl->hbuf_len, rl->plain, n);
    rl->hbuf_len += n;
    rl->plain_len = 0;
    return 1;
}

size_t rec_hs_buffered(const SSL *s)
{
    return s->rl.hbuf_len - s->rl.hbuf_off;
}

/* The largest handshake message we accept (certificate chains included). */
#define MAX_HS_MESSAGE (128 * 1024)

int rec_hs_message(SSL *s, const uint8_t **out_msg, size_t *out_len)
{
    struct rec_layer *rl = &s->rl;
    for (;;) {
        CBS b;
        uint8_t type;
        uint32_t mlen;
        /* (no arithmetic on a NULL buffer before the first record) */
        if (rl->hbuf != NULL)
            cbs_init(&b, rl->hbuf + rl->hbuf_off, rl->hbuf_len - rl->hbuf_off);
        else
            cbs_init(&b, NULL, 0);
        if (cbs_get_u8(&b, &type) && cbs_get_u24(&b, &mlen)) {
            if (mlen > MAX_HS_MESSAGE)
                return rec_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_EXCESSIVE_MESSAGE_SIZE);
            if (cbs_len(&b) >= mlen) {
                *out_msg = rl->hbuf + rl->hbuf_off;
                *out_len = 4 + (size_t)mlen;
                rl->hmsg_len = *out_len;
                return REC_OK;
            }
        }
        /* Send what we have before waiting for the peer. */
        if (rec_pending_output(s) > 0) {
            int r = rec_flush(s);
            if (r != REC_OK)
                return r;
        }
        int r = rec_next(s);
        if (r == REC_CLOSED) {
            /* close_notify in the middle of a handshake */
            ERR_raise(ERR_LIB_SSL, SSL_R_UNEXPECTED_EOF_WHILE_READING);
            s->fatal = 1;
            return REC_ERR;
        }
        if (r != REC_OK)
            return r;
        if (rl->plain_type != REC_HANDSHAKE)
            return rec_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_UNEXPECTED_RECORD);
        if (!rec_hs_take_plain(s))
            return REC_ERR;
    }
}

void rec_hs_consume(SSL *s)
{
    struct rec_layer *rl = &s->rl;
    rl->hbuf_off += rl->hmsg_len;
    rl->hmsg_len = 0;
    if (rl->hbuf_off == rl->hbuf_len)
        rl->hbuf_off = rl->hbuf_len = 0;
}

/* The write side of the record layer: protection into the output buffer,
 * flushing to the wbio, alerts (RFC 8446 5, 6). */
#include "internal.h"

#include <limits.h>
#include <string.h>

#include "base/mem.h"
#include "codec/consts.h"
#include "keys/algs.h"
#include "keys/tls13_schedule.h"
#include "record/record_internal.h"
#include "record/record_io.h"

void rec_layer_free(struct rec_layer *rl)
{
    rec_aead_cleanup(&rl->rd);
    rec_aead_cleanup(&rl->wr);
    /* Only the part of a buffer that was ever used can hold plaintext
     * (wiping whole 4 KB and 16 KB buffers cost more than a resumed
     * handshake's PRF); the record body is allocated to its exact size. */
    mem_wipe(rl->rbuf, rl->rbuf_cap);
    OPENSSL_free(rl->rbuf);
    mem_wipe(rl->ahead, rl->ahead_len);
    OPENSSL_free(rl->ahead);
    mem_wipe(rl->wbuf, rl->wbuf_used_max);
    OPENSSL_free(rl->wbuf);
    mem_wipe(rl->hbuf, rl->hbuf_used_max);
    OPENSSL_free(rl->hbuf);
    memset(rl, 0, sizeof(*rl));
}

void rec_park_keys(SSL *s)
{
    rec_aead_park(&s->rl.rd);
    rec_aead_park(&s->rl.wr);
}

void rec_wbuf_release(struct rec_layer *rl)
{
    if (rl->wbuf == NULL || rl->wbuf_off != rl->wbuf_len)
        return;
    mem_wipe(rl->wbuf, rl->wbuf_used_max);
    OPENSSL_free(rl->wbuf);
    rl->wbuf = NULL;
    rl->wbuf_cap = rl->wbuf_off = rl->wbuf_len = rl->wbuf_used_max = 0;
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

/* install keys one direction: the previous epoch is gone either way. */
static int install(struct rec_layer *rl, int enc, const EVP_CIPHER *cipher, const uint8_t *key,
                   size_t key_len, const uint8_t *iv, size_t iv_len, int tls12)
{
    REC_AEAD *a = enc ? &rl->wr : &rl->rd;
    rec_aead_cleanup(a);
    if (enc)
        rl->wr_on = 0;
    else
        rl->rd_on = 0;
    if (!rec_aead_init(a, cipher, key, key_len, iv, iv_len, enc, tls12))
        return 0;
    if (enc) {
        rl->wr_on = 1;
        rl->wr_tls12 = (uint8_t)tls12;
        rl->wr_version = TLS1_2_VERSION;
    } else {
        rl->rd_on = 1;
        rl->rd_tls12 = (uint8_t)tls12;
    }
    return 1;
}

int rec_set_key12(SSL *s, int enc, const SSL_CIPHER *c, const uint8_t *key, const uint8_t *iv)
{
    const EVP_CIPHER *cipher = cipher_of(c);
    if (cipher == NULL || c->key_len > 32 || (c->iv_len != 4 && c->iv_len != 12)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    return install(&s->rl, enc, cipher, key, c->key_len, iv, c->iv_len, 1);
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
    ok = install(rl, enc, cipher, key, c->key_len, iv, sizeof(iv), 0);
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
    if (rl->wbuf_cap - rl->wbuf_len >= n) {
        if (rl->wbuf_len + n > rl->wbuf_used_max)
            rl->wbuf_used_max = rl->wbuf_len + n;
        return 1;
    }
    size_t need = rl->wbuf_len + n;
    /* doubling while a flight is assembled; what one call needs at once
     * (queue reserves a whole write) exactly */
    size_t ncap = rl->wbuf_cap ? 2 * rl->wbuf_cap : 4096;
    if (ncap < need)
        ncap = need;
    /* (records here are protected, or public handshake messages: no need to
     * wipe what a moving realloc leaves behind) */
    uint8_t *nb = OPENSSL_realloc(rl->wbuf, ncap);
    if (nb == NULL)
        return 0;
    rl->wbuf = nb;
    rl->wbuf_cap = ncap;
    if (need > rl->wbuf_used_max)
        rl->wbuf_used_max = need;
    return 1;
}

/* tls13_padding: OpenSSL's TLS 1.3 record padding: |rlen| is the inner
 * plaintext's length with its type byte; the record never grows past the
 * maximum fragment. */
static size_t tls13_padding(SSL *s, uint8_t type, size_t rlen)
{
    size_t max = s->cfg.max_send_fragment ? s->cfg.max_send_fragment : SESAME_MAX_PLAINTEXT;
    size_t pad = 0, block = s->cfg.block_padding;
    if (rlen >= max)
        return 0;
    if (s->cfg.record_padding_cb != NULL)
        pad = s->cfg.record_padding_cb(s, type, rlen, s->cfg.record_padding_arg);
    else if (block > 0 && rlen % block != 0)
        pad = block - rlen % block;
    return pad > max - rlen ? max - rlen : pad;
}

static int queue(SSL *s, uint8_t type, const uint8_t *data, size_t len, int protect)
{
    struct rec_layer *rl = &s->rl;
    size_t frag = rl->max_frag ? rl->max_frag : SESAME_MAX_PLAINTEXT;
    if (type != REC_APPDATA || frag > SESAME_MAX_PLAINTEXT)
        frag = SESAME_MAX_PLAINTEXT;
    /* room for all the records at once: one allocation of the right size
     * for a large write (each record's size depends only on its length) */
    if (protect && len > 0) {
        size_t full = len / frag, rest = len % frag, total;
        if (rl->wr_tls12)
            total = full * rec_tls12_sealed_len(&rl->wr, frag) +
                    (rest ? rec_tls12_sealed_len(&rl->wr, rest) : 0);
        else
            total = full * rec_tls13_sealed_len(&rl->wr, frag, 0) +
                    (rest ? rec_tls13_sealed_len(&rl->wr, rest, 0) : 0);
        if (!wbuf_reserve(rl, total))
            goto err;
    }

    do {
        size_t n = len < frag ? len : frag;
        size_t out_len;
        if (protect && rl->wr_tls12) {
            size_t need = rec_tls12_sealed_len(&rl->wr, n);
            if (!wbuf_reserve(rl, need))
                goto err;
            if (!rec_tls12_seal(&rl->wr, type, TLS1_2_VERSION, data, n, rl->wbuf + rl->wbuf_len,
                                rl->wbuf_cap - rl->wbuf_len, &out_len))
                return 0;
        } else if (protect) {
            size_t pad = tls13_padding(s, type, n + 1);
            size_t need = rec_tls13_sealed_len(&rl->wr, n, pad);
            if (!wbuf_reserve(rl, need))
                goto err;
            if (!rec_tls13_seal(&rl->wr, type, data, n, pad, rl->wbuf + rl->wbuf_len,
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
            if (n > 0)
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

int rec_queue(SSL *s, uint8_t type, const uint8_t *data, size_t len)
{
    return queue(s, type, data, len, s->rl.wr_on);
}

int rec_queue_plain(SSL *s, uint8_t type, const uint8_t *data, size_t len)
{
    return queue(s, type, data, len, 0);
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
        if (n > 0 && (size_t)n > want) {
            s->rwstate = SSL_NOTHING;
            rl->io_failed = 1;
            ERR_raise(ERR_LIB_SSL, ERR_R_BIO_LIB);
            return REC_ERR;
        }
        if (n <= 0) {
            if (BIO_should_retry(s->wbio))
                return REC_RETRY;
            s->rwstate = SSL_NOTHING;
            rl->io_failed = 1;
            return REC_ERR;
        }
        rl->wbuf_off += (size_t)n;
    }
    s->rwstate = SSL_NOTHING;
    rl->wbuf_off = rl->wbuf_len = 0;
    rec_wbuf_release(rl); /* all sent: nothing to keep */
    return REC_OK;
}

void rec_send_alert(SSL *s, uint8_t level, uint8_t desc)
{
    uint8_t a[2] = {level, desc};
    if (s->wbio == NULL || s->rl.io_failed)
        return;
    if (!rec_queue(s, REC_ALERT, a, 2))
        return;
    if (level == CODEC_ALERT_LEVEL_FATAL || desc == CODEC_ALERT_CLOSE_NOTIFY)
        s->alert_sent = desc;
    if (s->cfg.msg_cb != NULL)
        s->cfg.msg_cb(1, s->version ? s->version : TLS1_2_VERSION, SSL3_RT_ALERT, a, 2, s,
                      s->cfg.msg_cb_arg);
    void (*cb)(const SSL *, int, int) = s->cfg.info_cb;
    if (cb == NULL && s->ctx != NULL)
        cb = s->ctx->cfg.info_cb;
    if (cb != NULL)
        cb(s, SSL_CB_WRITE_ALERT, (level << 8) | desc);
    int saved = s->rwstate;
    int r = rec_flush(s); /* best effort: the connection is ending */
    (void)r;
    s->rwstate = saved;
}

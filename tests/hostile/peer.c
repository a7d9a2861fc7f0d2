/* peer.c - the hostile TLS 1.3 peer: records, key schedule, handshake steps (see peer.h).
 * libcrypto only; written from RFC 8446, sharing no code with the library under test. */
#include "peer.h"
#include "peer_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#define SUITE_AES_128_GCM_SHA256 0x1301
#define GROUP_X25519             0x001d
#define SIGALG_ECDSA_P256_SHA256 0x0403
#define SIGALG_RSA_PSS_SHA256    0x0804
#define MAX_RECORD_BODY          (16384 + 2048)

/* RFC 8446 4.1.3: the ServerHello.random of a HelloRetryRequest. */
static const uint8_t k_hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* ---- buffers ---- */

void hp_buf_free(HP_BUF *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

void hp_buf_add(HP_BUF *b, const void *data, size_t len)
{
    if (b->n + len > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + len)
            cap *= 2;
        uint8_t *np = realloc(b->p, cap);
        if (np == NULL) {
            fprintf(stderr, "hostile peer: out of memory\n");
            abort();
        }
        b->p = np;
        b->cap = cap;
    }
    if (len > 0)
        memcpy(b->p + b->n, data, len);
    b->n += len;
}

void hp_buf_u8(HP_BUF *b, unsigned v)
{
    uint8_t x = (uint8_t)v;
    hp_buf_add(b, &x, 1);
}

void hp_buf_u16(HP_BUF *b, unsigned v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    hp_buf_add(b, x, 2);
}

void hp_buf_u24(HP_BUF *b, unsigned long v)
{
    uint8_t x[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    hp_buf_add(b, x, 3);
}

void hp_buf_ext(HP_BUF *b, unsigned type, const void *body, size_t len)
{
    hp_buf_u16(b, type);
    hp_buf_u16(b, (unsigned)len);
    hp_buf_add(b, body, len);
}

HP_BUF hp_hs_msg(uint8_t type, const void *body, size_t len)
{
    HP_BUF m = {0};
    hp_buf_u8(&m, type);
    hp_buf_u24(&m, len);
    hp_buf_add(&m, body, len);
    return m;
}

void hp_buf_drop(HP_BUF *b, size_t n)
{
    memmove(b->p, b->p + n, b->n - n);
    b->n -= n;
}

/* ---- the peer object ---- */

int hp_fail(HP *p, const char *fmt, ...)
{
    if (p->why[0] == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->why, sizeof(p->why), fmt, ap);
        va_end(ap);
    }
    return 0;
}

int hp_init(HP *p, const HP_IO *io, int is_server, X509 *cert, EVP_PKEY *key)
{
    memset(p, 0, sizeof(*p));
    p->io = *io;
    p->is_server = is_server;
    p->alert_level = -1;
    p->alert_desc = -1;
    p->cert = cert;
    p->key = key;
    p->transcript = EVP_MD_CTX_new();
    if (p->transcript == NULL || !EVP_DigestInit_ex(p->transcript, EVP_sha256(), NULL))
        return 0;
    p->session_id_len = 32;
    return RAND_bytes(p->session_id, 32) == 1;
}

void hp_free(HP *p)
{
    free(p->in);
    hp_buf_free(&p->hs);
    hp_buf_free(&p->appdata);
    EVP_MD_CTX_free(p->transcript);
    EVP_PKEY_free(p->kex);
    EVP_PKEY_free(p->kex12);
    hp_buf_free(&p->kex12_peer);
    hp_buf_free(&p->dh_p);
    hp_buf_free(&p->dh_g);
    OPENSSL_cleanse(p, sizeof(*p));
}

int hp_reconnect(HP *p)
{
    if (hp_ctl(p, HP_CTL_RECONNECT) != 1)
        return hp_fail(p, "the transport cannot open a second connection");
    /* what survives: the transport, our identity, the TLS 1.2 session */
    uint8_t master12[48], sid12[32];
    size_t sid12_len = p->sid12_len;
    memcpy(master12, p->master12, sizeof(master12));
    memcpy(sid12, p->sid12, sizeof(sid12));
    HP_IO io = p->io;
    int is_server = p->is_server, verbose = p->verbose;
    size_t hs_frag = p->hs_frag;
    X509 *cert = p->cert;
    EVP_PKEY *key = p->key;
    hp_free(p);
    int ok = hp_init(p, &io, is_server, cert, key);
    p->verbose = verbose;
    p->hs_frag = hs_frag;
    memcpy(p->master12, master12, sizeof(master12));
    memcpy(p->sid12, sid12, sizeof(sid12));
    p->sid12_len = sid12_len;
    OPENSSL_cleanse(master12, sizeof(master12));
    return ok ? 1 : hp_fail(p, "cannot start a second connection");
}

long hp_ctl(HP *p, int op)
{
    return p->io.ctl != NULL ? p->io.ctl(p->io.arg, op) : -1;
}

const char *hp_alert_name(int desc)
{
    switch (desc) {
    case HP_AD_CLOSE_NOTIFY:
        return "close_notify";
    case HP_AD_UNEXPECTED_MESSAGE:
        return "unexpected_message";
    case HP_AD_BAD_RECORD_MAC:
        return "bad_record_mac";
    case HP_AD_RECORD_OVERFLOW:
        return "record_overflow";
    case HP_AD_HANDSHAKE_FAILURE:
        return "handshake_failure";
    case HP_AD_ILLEGAL_PARAMETER:
        return "illegal_parameter";
    case HP_AD_DECODE_ERROR:
        return "decode_error";
    case HP_AD_DECRYPT_ERROR:
        return "decrypt_error";
    case HP_AD_PROTOCOL_VERSION:
        return "protocol_version";
    case HP_AD_INTERNAL_ERROR:
        return "internal_error";
    case HP_AD_INAPPROPRIATE_FALLBACK:
        return "inappropriate_fallback";
    case HP_AD_USER_CANCELED:
        return "user_canceled";
    case HP_AD_NO_RENEGOTIATION:
        return "no_renegotiation";
    case HP_AD_UNRECOGNIZED_NAME:
        return "unrecognized_name";
    case HP_AD_MISSING_EXTENSION:
        return "missing_extension";
    case HP_AD_UNSUPPORTED_EXTENSION:
        return "unsupported_extension";
    case -1:
        return "none";
    }
    return "?";
}

const char *hp_io_name(int r)
{
    switch (r) {
    case HP_IO_OK:
        return "ok";
    case HP_IO_EOF:
        return "the victim closed the connection";
    case HP_IO_TIMEOUT:
        return "the victim said nothing (it waits: a hang)";
    }
    return "transport or record error";
}

/* ---- key schedule (RFC 8446 7.1), SHA-256 only ---- */

static void hmac256(const uint8_t *key, size_t key_len, const uint8_t *d, size_t d_len,
                    uint8_t out[32])
{
    unsigned int n = 32;
    if (HMAC(EVP_sha256(), key, (int)key_len, d, d_len, out, &n) == NULL) {
        fprintf(stderr, "hostile peer: HMAC failed\n");
        abort();
    }
}

static void hkdf_extract(const uint8_t salt[32], const uint8_t *ikm, size_t ikm_len,
                         uint8_t out[32])
{
    hmac256(salt, 32, ikm, ikm_len, out);
}

/* HKDF-Expand-Label(secret, label, context, len), len <= 64. */
static void expand_label(const uint8_t secret[32], const char *label, const uint8_t *ctx,
                         size_t ctx_len, uint8_t *out, size_t len)
{
    HP_BUF info = {0};
    hp_buf_u16(&info, (unsigned)len);
    hp_buf_u8(&info, (unsigned)(6 + strlen(label)));
    hp_buf_add(&info, "tls13 ", 6);
    hp_buf_add(&info, label, strlen(label));
    hp_buf_u8(&info, (unsigned)ctx_len);
    hp_buf_add(&info, ctx, ctx_len);
    uint8_t t[32];
    size_t done = 0;
    for (uint8_t i = 1; done < len; i++) {
        HP_BUF in = {0};
        if (i > 1)
            hp_buf_add(&in, t, 32);
        hp_buf_add(&in, info.p, info.n);
        hp_buf_u8(&in, i);
        hmac256(secret, 32, in.p, in.n, t);
        hp_buf_free(&in);
        size_t k = len - done < 32 ? len - done : 32;
        memcpy(out + done, t, k);
        done += k;
    }
    hp_buf_free(&info);
}

static void derive_secret(const uint8_t secret[32], const char *label, const uint8_t hash[32],
                          uint8_t out[32])
{
    expand_label(secret, label, hash, 32, out, 32);
}

static void empty_hash(uint8_t out[32])
{
    EVP_Digest("", 0, out, NULL, EVP_sha256(), NULL);
}

static void transcript_hash(HP *p, uint8_t out[32])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int n;
    EVP_MD_CTX_copy_ex(c, p->transcript);
    EVP_DigestFinal_ex(c, out, &n);
    EVP_MD_CTX_free(c);
}

void hp_transcript_add(HP *p, const void *msg, size_t len)
{
    EVP_DigestUpdate(p->transcript, msg, len);
}

static void set_dir(HP_DIR *d, const uint8_t secret[32])
{
    memcpy(d->secret, secret, 32);
    expand_label(secret, "key", NULL, 0, d->key, 16);
    expand_label(secret, "iv", NULL, 0, d->iv, 12);
    d->seq = 0;
    d->on = 1;
}

static void next_secret(HP_DIR *d)
{
    uint8_t next[32];
    expand_label(d->secret, "traffic upd", NULL, 0, next, 32);
    set_dir(d, next);
}

void hp_next_write_key(HP *p)
{
    next_secret(&p->wr);
}

/* handshake_secrets: Handshake Secret from the (EC)DHE secret (no PSK), then both
 * handshake traffic secrets over the transcript so far (through ServerHello). */
static void handshake_secrets(HP *p, const uint8_t *ecdhe, size_t ecdhe_len)
{
    uint8_t zeros[32] = {0}, early[32], derived[32], h[32];
    hkdf_extract(zeros, zeros, 32, early);
    empty_hash(h);
    derive_secret(early, "derived", h, derived);
    hkdf_extract(derived, ecdhe, ecdhe_len, p->hs_secret);
    transcript_hash(p, h);
    derive_secret(p->hs_secret, "c hs traffic", h, p->c_hs);
    derive_secret(p->hs_secret, "s hs traffic", h, p->s_hs);
}

/* app_secrets: master secret and application traffic secrets over the transcript through
 * the server's Finished. */
static void app_secrets(HP *p)
{
    uint8_t zeros[32] = {0}, derived[32], h[32];
    empty_hash(h);
    derive_secret(p->hs_secret, "derived", h, derived);
    hkdf_extract(derived, zeros, 32, p->master);
    transcript_hash(p, h);
    derive_secret(p->master, "c ap traffic", h, p->c_ap);
    derive_secret(p->master, "s ap traffic", h, p->s_ap);
}

static void finished_mac(HP *p, const uint8_t base[32], uint8_t out[32])
{
    uint8_t fk[32], h[32];
    expand_label(base, "finished", NULL, 0, fk, 32);
    transcript_hash(p, h);
    hmac256(fk, 32, h, 32, out);
}

/* ---- X25519 ---- */

int hp_kex_keygen(HP *p, uint8_t pub[32])
{
    size_t n = 32;
    if (p->kex == NULL && (p->kex = EVP_PKEY_Q_keygen(NULL, NULL, "X25519")) == NULL)
        return hp_fail(p, "X25519 keygen failed");
    if (!EVP_PKEY_get_raw_public_key(p->kex, pub, &n) || n != 32)
        return hp_fail(p, "X25519 public key");
    return 1;
}

int hp_kex_derive(HP *p, uint8_t out[32])
{
    EVP_PKEY *peer =
        EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, p->peer_share, sizeof(p->peer_share));
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(p->kex, NULL);
    size_t n = 32;
    int ok = peer != NULL && c != NULL && EVP_PKEY_derive_init(c) > 0 &&
             EVP_PKEY_derive_set_peer(c, peer) > 0 && EVP_PKEY_derive(c, out, &n) > 0 && n == 32;
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(peer);
    return ok ? 1 : hp_fail(p, "X25519 derive failed (victim's share)");
}

/* ---- records ---- */

int hp_send_raw(HP *p, const void *data, size_t len)
{
    if (!p->io.send(p->io.arg, data, len))
        return hp_fail(p, "send failed: the victim closed the connection");
    return 1;
}

int hp_send_plain_v(HP *p, uint16_t version, uint8_t type, const void *data, size_t len)
{
    HP_BUF r = {0};
    hp_buf_u8(&r, type);
    hp_buf_u16(&r, version);
    hp_buf_u16(&r, (unsigned)len);
    hp_buf_add(&r, data, len);
    int ok = hp_send_raw(p, r.p, r.n);
    hp_buf_free(&r);
    return ok;
}

int hp_send_plain(HP *p, uint8_t type, const void *data, size_t len)
{
    return hp_send_plain_v(p, 0x0303, type, data, len);
}

static void make_nonce(const HP_DIR *d, uint8_t nonce[12])
{
    memcpy(nonce, d->iv, 12);
    for (int i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(d->seq >> (8 * i));
}

size_t hp_seal(HP *p, uint8_t inner, const void *data, size_t len, size_t pad, HP_BUF *out)
{
    size_t in_len = len + 1 + pad, clen = in_len + 16;
    uint8_t hdr[5] = {HP_CT_APPDATA, 3, 3, (uint8_t)(clen >> 8), (uint8_t)clen};
    uint8_t *pt = calloc(1, in_len), nonce[12], tag[16];
    uint8_t *ct = malloc(in_len);
    int n = 0, ok;
    if (pt == NULL || ct == NULL)
        abort();
    if (len > 0)
        memcpy(pt, data, len);
    pt[len] = inner;
    make_nonce(&p->wr, nonce);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    ok = c != NULL && EVP_EncryptInit_ex2(c, EVP_aes_128_gcm(), p->wr.key, nonce, NULL) &&
         EVP_EncryptUpdate(c, NULL, &n, hdr, 5) && EVP_EncryptUpdate(c, ct, &n, pt, (int)in_len) &&
         EVP_EncryptFinal_ex(c, ct + n, &n) &&
         EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag);
    EVP_CIPHER_CTX_free(c);
    if (!ok) {
        fprintf(stderr, "hostile peer: AES-GCM seal failed\n");
        abort();
    }
    hp_buf_add(out, hdr, 5);
    hp_buf_add(out, ct, in_len);
    hp_buf_add(out, tag, 16);
    p->wr.seq++;
    free(pt);
    free(ct);
    return 5 + clen;
}

int hp_send_protected(HP *p, uint8_t inner, const void *data, size_t len, size_t pad)
{
    HP_BUF r = {0};
    hp_seal(p, inner, data, len, pad, &r);
    int ok = hp_send_raw(p, r.p, r.n);
    hp_buf_free(&r);
    return ok;
}

int hp_send_record(HP *p, uint8_t type, const void *data, size_t len)
{
    if (p->wr.on && p->tls12) {
        HP_BUF r = {0};
        hp12_seal(p, type, data, len, &r);
        int ok = hp_send_raw(p, r.p, r.n);
        hp_buf_free(&r);
        return ok;
    }
    if (p->wr.on)
        return hp_send_protected(p, type, data, len, 0);
    return hp_send_plain(p, type, data, len);
}

int hp_send_alert(HP *p, uint8_t level, uint8_t desc)
{
    uint8_t a[2] = {level, desc};
    return hp_send_record(p, HP_CT_ALERT, a, 2);
}

/* fill makes |want| received bytes available in p->in. */
static int fill(HP *p, size_t want)
{
    while (p->in_len < want) {
        if (p->in_cap < want + 4096) {
            size_t cap = want + 65536;
            uint8_t *np = realloc(p->in, cap);
            if (np == NULL)
                abort();
            p->in = np;
            p->in_cap = cap;
        }
        size_t got = 0;
        int r = p->io.recv(p->io.arg, p->in + p->in_len, p->in_cap - p->in_len, &got);
        if (r != HP_IO_OK) {
            p->eof |= r == HP_IO_EOF;
            p->timed_out |= r == HP_IO_TIMEOUT;
            return r;
        }
        p->in_len += got;
    }
    return HP_IO_OK;
}

static int open_record(HP *p, size_t len)
{
    uint8_t nonce[12];
    uint8_t *body = p->rec + 5;
    int n = 0, ok;
    if (len < 17)
        return hp_fail(p, "protected record of %zu bytes from the victim", len);
    size_t ct_len = len - 16;
    make_nonce(&p->rd, nonce);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    ok = c != NULL && EVP_DecryptInit_ex2(c, EVP_aes_128_gcm(), p->rd.key, nonce, NULL) &&
         EVP_DecryptUpdate(c, NULL, &n, p->rec, 5) &&
         EVP_DecryptUpdate(c, body, &n, body, (int)ct_len) &&
         EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, body + ct_len) &&
         EVP_DecryptFinal_ex(c, body + n, &n) > 0;
    EVP_CIPHER_CTX_free(c);
    if (!ok)
        return hp_fail(p, "a record from the victim does not open (key %llu, seq %llu)",
                       (unsigned long long)p->key_updates_rd, (unsigned long long)p->rd.seq);
    p->rd.seq++;
    while (ct_len > 0 && body[ct_len - 1] == 0)
        ct_len--;
    if (ct_len == 0)
        return hp_fail(p, "protected record from the victim without a content type");
    p->rec_type = body[ct_len - 1];
    p->rec_data = body;
    p->rec_len = ct_len - 1;
    return 1;
}

int hp_read_record(HP *p)
{
    int r = fill(p, 5);
    if (r != HP_IO_OK)
        return r;
    size_t len = (size_t)p->in[3] << 8 | p->in[4];
    if (len > MAX_RECORD_BODY) {
        hp_fail(p, "record of %zu bytes from the victim", len);
        return HP_IO_ERR;
    }
    if ((r = fill(p, 5 + len)) != HP_IO_OK)
        return r;
    memcpy(p->rec, p->in, 5 + len);
    memmove(p->in, p->in + 5 + len, p->in_len - 5 - len);
    p->in_len -= 5 + len;
    if (p->rd.on && p->tls12) {
        if (!hp12_open(p, len))
            return HP_IO_ERR;
    } else if (p->rec[0] == HP_CT_APPDATA && p->rd.on) {
        if (!open_record(p, len))
            return HP_IO_ERR;
    } else {
        p->rec_type = p->rec[0];
        p->rec_data = p->rec + 5;
        p->rec_len = len;
    }
    if (p->rec_type == HP_CT_ALERT) {
        if (p->rec_len != 2) {
            hp_fail(p, "alert record of %zu bytes from the victim", p->rec_len);
            return HP_IO_ERR;
        }
        p->alert_level = p->rec_data[0];
        p->alert_desc = p->rec_data[1];
    }
    if (p->verbose)
        fprintf(stderr, "  <- record type %u, %zu bytes%s\n", p->rec_type, p->rec_len,
                p->rd.on && (p->tls12 || p->rec[0] == HP_CT_APPDATA) ? " (protected)" : "");
    return HP_IO_OK;
}

/* ---- handshake messages ---- */

int hp_send_hs(HP *p, const HP_BUF *msg)
{
    hp_transcript_add(p, msg->p, msg->n);
    if (p->hs_frag == 0)
        return hp_send_record(p, HP_CT_HANDSHAKE, msg->p, msg->n);
    for (size_t off = 0; off < msg->n; off += p->hs_frag) {
        size_t n = msg->n - off < p->hs_frag ? msg->n - off : p->hs_frag;
        if (!hp_send_record(p, HP_CT_HANDSHAKE, msg->p + off, n))
            return 0;
    }
    return 1;
}

/* next_hs_msg reads until a whole handshake message is buffered; *out_len its length. */
static int next_hs_msg(HP *p, const char *what, size_t *out_len)
{
    for (;;) {
        if (p->hs.n >= 4) {
            size_t mlen = (size_t)p->hs.p[1] << 16 | (size_t)p->hs.p[2] << 8 | p->hs.p[3];
            if (p->hs.n >= 4 + mlen) {
                *out_len = 4 + mlen;
                return 1;
            }
        }
        int r = hp_read_record(p);
        if (r != HP_IO_OK)
            return hp_fail(p, "waiting for %s: %s", what, hp_io_name(r));
        switch (p->rec_type) {
        case HP_CT_CCS:
            /* TLS 1.3: compatibility, skipped; TLS 1.2: the victim's keys change here */
            if (p->tls12 && !hp12_victim_ccs(p))
                return 0;
            continue;
        case HP_CT_HANDSHAKE:
            hp_buf_add(&p->hs, p->rec_data, p->rec_len);
            continue;
        case HP_CT_ALERT:
            return hp_fail(p, "waiting for %s: the victim sent alert %s (%d)", what,
                           hp_alert_name(p->alert_desc), p->alert_desc);
        default:
            return hp_fail(p, "waiting for %s: record of type %u", what, p->rec_type);
        }
    }
}

int hp_recv_hs(HP *p, uint8_t type, HP_BUF *body, int transcript)
{
    char what[48];
    size_t len;
    snprintf(what, sizeof(what), "handshake message %u", type);
    if (!next_hs_msg(p, what, &len))
        return 0;
    if (p->hs.p[0] != type)
        return hp_fail(p, "waiting for %s: got handshake message %u", what, p->hs.p[0]);
    if (transcript)
        hp_transcript_add(p, p->hs.p, len);
    if (body != NULL) {
        body->n = 0;
        hp_buf_add(body, p->hs.p + 4, len - 4);
    }
    hp_buf_drop(&p->hs, len);
    p->hs_msgs_seen++;
    p->last_hs_type = type;
    return 1;
}

/* take_p256_share: the victim's P-256 share, when we offered one (hp_p256_share). */
static int take_p256_share(HP *p, RD key)
{
    if (p->kex12 == NULL || p->kex12_group != HP_GROUP_SECP256R1 || key.n != 65)
        return 0;
    p->kex12_peer.n = 0;
    hp_buf_add(&p->kex12_peer, key.p, key.n);
    return 1;
}

/* ---- the client's side ---- */

void hp_share_entry(HP_BUF *b, uint16_t group, const void *key, size_t len)
{
    hp_buf_u16(b, group);
    hp_buf_u16(b, (unsigned)len);
    hp_buf_add(b, key, len);
}

int hp_p256_share(HP *p, HP_BUF *b)
{
    uint8_t *pub = NULL;
    size_t n;
    if (p->kex12 == NULL) {
        p->kex12 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        p->kex12_group = HP_GROUP_SECP256R1;
    }
    if (p->kex12 == NULL || p->kex12_group != HP_GROUP_SECP256R1 ||
        (n = EVP_PKEY_get1_encoded_public_key(p->kex12, &pub)) != 65) {
        OPENSSL_free(pub);
        return hp_fail(p, "P-256 keygen failed");
    }
    hp_share_entry(b, HP_GROUP_SECP256R1, pub, n);
    OPENSSL_free(pub);
    return 1;
}

HP_BUF hp_client_hello(HP *p, const HP_CH_OPTS *o)
{
    static const HP_CH_OPTS defaults;
    HP_BUF body = {0}, exts = {0}, e = {0};
    uint8_t random[32], pub[32];
    if (o == NULL)
        o = &defaults;
    RAND_bytes(random, 32);
    hp_kex_keygen(p, pub);

    hp_buf_u16(&body, o->legacy_version ? o->legacy_version : 0x0303);
    hp_buf_add(&body, random, 32);
    hp_buf_u8(&body, o->no_session_id ? 0 : (unsigned)p->session_id_len);
    if (!o->no_session_id)
        hp_buf_add(&body, p->session_id, p->session_id_len);
    hp_buf_u16(&body, 2);
    hp_buf_u16(&body, SUITE_AES_128_GCM_SHA256);
    hp_buf_u8(&body, 1);
    hp_buf_u8(&body, 0);

    static const uint8_t versions[] = {2, 0x03, 0x04};
    hp_buf_ext(&exts, HP_EXT_SUPPORTED_VERSIONS, versions, sizeof(versions));
    if (!o->no_supported_groups && o->groups != NULL) {
        hp_buf_u16(&e, (unsigned)(2 * o->num_groups));
        for (size_t i = 0; i < o->num_groups; i++)
            hp_buf_u16(&e, o->groups[i]);
        hp_buf_ext(&exts, HP_EXT_SUPPORTED_GROUPS, e.p, e.n);
        e.n = 0;
    } else if (!o->no_supported_groups) {
        static const uint8_t groups[] = {0, 2, 0x00, 0x1d};
        hp_buf_ext(&exts, HP_EXT_SUPPORTED_GROUPS, groups, sizeof(groups));
    }
    static const uint8_t sigalgs[] = {0,
                                      4,
                                      SIGALG_ECDSA_P256_SHA256 >> 8,
                                      SIGALG_ECDSA_P256_SHA256 & 0xff,
                                      SIGALG_RSA_PSS_SHA256 >> 8,
                                      SIGALG_RSA_PSS_SHA256 & 0xff};
    hp_buf_ext(&exts, HP_EXT_SIGNATURE_ALGORITHMS, sigalgs, sizeof(sigalgs));
    if (o->key_share != HP_KS_NONE) {
        if (o->shares != NULL) {
            hp_buf_u16(&e, (unsigned)o->shares->n);
            hp_buf_add(&e, o->shares->p, o->shares->n);
        } else if (o->key_share == HP_KS_X25519) {
            hp_buf_u16(&e, 36);
            hp_buf_u16(&e, GROUP_X25519);
            hp_buf_u16(&e, 32);
            hp_buf_add(&e, pub, 32);
        } else {
            hp_buf_u16(&e, 0);
        }
        hp_buf_ext(&exts, HP_EXT_KEY_SHARE, e.p, e.n);
        e.n = 0;
    }
    static const uint8_t modes[] = {1, 1}; /* psk_dhe_ke */
    hp_buf_ext(&exts, HP_EXT_PSK_KEY_EXCHANGE_MODES, modes, sizeof(modes));
    if (o->early_data)
        hp_buf_ext(&exts, HP_EXT_EARLY_DATA, NULL, 0);
    if (o->extra_ext != NULL && !o->extra_after_psk)
        hp_buf_add(&exts, o->extra_ext->p, o->extra_ext->n);
    if (o->unknown_psk) {
        /* RFC 8446 4.2.11: last.  A ticket of random bytes: no server can open it, so its
         * binder (random too) is never checked. */
        uint8_t ticket[64], binder[32], age[4];
        RAND_bytes(ticket, sizeof(ticket));
        RAND_bytes(binder, sizeof(binder));
        RAND_bytes(age, sizeof(age));
        hp_buf_u16(&e, 2 + sizeof(ticket) + 4);
        hp_buf_u16(&e, sizeof(ticket));
        hp_buf_add(&e, ticket, sizeof(ticket));
        hp_buf_add(&e, age, 4);
        hp_buf_u16(&e, 1 + sizeof(binder));
        hp_buf_u8(&e, sizeof(binder));
        hp_buf_add(&e, binder, sizeof(binder));
        hp_buf_ext(&exts, HP_EXT_PRE_SHARED_KEY, e.p, e.n);
    }
    if (o->extra_ext != NULL && o->extra_after_psk)
        hp_buf_add(&exts, o->extra_ext->p, o->extra_ext->n);
    hp_buf_u16(&body, (unsigned)exts.n);
    hp_buf_add(&body, exts.p, exts.n);
    HP_BUF m = hp_hs_msg(HP_HS_CLIENT_HELLO, body.p, body.n);
    hp_buf_free(&body);
    hp_buf_free(&exts);
    hp_buf_free(&e);
    return m;
}

int hp_client_send_hello(HP *p, const HP_CH_OPTS *o)
{
    HP_BUF m = hp_client_hello(p, o);
    hp_transcript_add(p, m.p, m.n);
    /* RFC 8446 5.1: legacy_record_version 0x0301 for the first ClientHello */
    size_t frag = p->hs_frag ? p->hs_frag : m.n;
    int ok = 1;
    for (size_t off = 0; ok && off < m.n; off += frag) {
        size_t n = m.n - off < frag ? m.n - off : frag;
        ok = hp_send_plain_v(p, p->hrr_done ? 0x0303 : 0x0301, HP_CT_HANDSHAKE, m.p + off, n);
    }
    hp_buf_free(&m);
    return ok;
}

/* hrr_transcript: RFC 8446 4.4.1, the transcript restarts with message_hash(ClientHello1). */
static void hrr_transcript(HP *p)
{
    uint8_t h[32], mh[4] = {HP_HS_MESSAGE_HASH, 0, 0, 32};
    transcript_hash(p, h);
    EVP_DigestInit_ex(p->transcript, EVP_sha256(), NULL);
    hp_transcript_add(p, mh, 4);
    hp_transcript_add(p, h, 32);
}

int hp_client_recv_server_hello(HP *p)
{
    HP_BUF body = {0};
    RD r, random, sid, exts, ks;
    unsigned version, suite, comp;
    int ret = 0;
    if (!hp_recv_hs(p, HP_HS_SERVER_HELLO, &body, 0))
        return 0;
    r.p = body.p;
    r.n = body.n;
    if (!rd_u16(&r, &version) || !rd_bytes(&r, 32, &random) || !rd_u8_prefixed(&r, &sid) ||
        !rd_u16(&r, &suite) || !rd_u8(&r, &comp) || !rd_u16_prefixed(&r, &exts)) {
        hp_fail(p, "malformed ServerHello");
        goto out;
    }
    HP_BUF msg = hp_hs_msg(HP_HS_SERVER_HELLO, body.p, body.n);
    if (memcmp(random.p, k_hrr_random, 32) == 0) {
        hrr_transcript(p);
        hp_transcript_add(p, msg.p, msg.n);
        hp_buf_free(&msg);
        p->hrr_done = 1;
        ret = 2;
        goto out;
    }
    hp_transcript_add(p, msg.p, msg.n);
    hp_buf_free(&msg);
    if (suite != SUITE_AES_128_GCM_SHA256) {
        hp_fail(p, "ServerHello chose suite 0x%04x", suite);
        goto out;
    }
    unsigned group;
    RD key;
    if (!find_ext(exts, HP_EXT_KEY_SHARE, &ks) || !rd_u16(&ks, &group) ||
        !rd_u16_prefixed(&ks, &key) || ks.n != 0) {
        hp_fail(p, "ServerHello without a key share");
        goto out;
    }
    p->group13 = (uint16_t)group;
    uint8_t ecdhe[32];
    size_t ecdhe_len = sizeof(ecdhe);
    if (group == GROUP_X25519 && key.n == 32) {
        memcpy(p->peer_share, key.p, 32);
        p->have_peer_share = 1;
        if (!hp_kex_derive(p, ecdhe))
            goto out;
    } else if (group == HP_GROUP_SECP256R1 && take_p256_share(p, key)) {
        if (!hp_kex12_derive(p, ecdhe, &ecdhe_len) || ecdhe_len != 32) {
            hp_fail(p, "P-256 derive failed (victim's share)");
            goto out;
        }
    } else {
        hp_fail(p, "ServerHello key share for group 0x%04x (%zu bytes), not one we sent", group,
                key.n);
        goto out;
    }
    handshake_secrets(p, ecdhe, 32);
    set_dir(&p->rd, p->s_hs);
    ret = 1;
out:
    hp_buf_free(&body);
    return ret;
}

int hp_client_recv_server_flight(HP *p)
{
    size_t len;
    if (!hp_recv_hs(p, HP_HS_ENCRYPTED_EXTENSIONS, NULL, 1))
        return 0;
    if (!next_hs_msg(p, "Certificate", &len))
        return 0;
    if (p->hs.p[0] == HP_HS_CERTIFICATE_REQUEST)
        return hp_fail(p, "the victim asked for a client certificate");
    if (!hp_recv_hs(p, HP_HS_CERTIFICATE, NULL, 1) ||
        !hp_recv_hs(p, HP_HS_CERTIFICATE_VERIFY, NULL, 1))
        return 0;
    uint8_t want[32];
    HP_BUF fin = {0};
    finished_mac(p, p->s_hs, want);
    if (!hp_recv_hs(p, HP_HS_FINISHED, &fin, 1))
        return 0;
    int ok = fin.n == 32 && CRYPTO_memcmp(fin.p, want, 32) == 0;
    hp_buf_free(&fin);
    if (!ok)
        return hp_fail(p, "the victim's Finished does not verify (our key schedule is wrong)");
    app_secrets(p);
    set_dir(&p->rd, p->s_ap);
    return 1;
}

HP_BUF hp_client_finished_msg(HP *p)
{
    uint8_t mac[32];
    finished_mac(p, p->c_hs, mac);
    return hp_hs_msg(HP_HS_FINISHED, mac, 32);
}

void hp_client_switch_hs_keys(HP *p)
{
    set_dir(&p->wr, p->c_hs);
}

void hp_client_after_finished(HP *p)
{
    set_dir(&p->wr, p->c_ap);
}

int hp_client_send_finished(HP *p)
{
    hp_client_switch_hs_keys(p);
    HP_BUF m = hp_client_finished_msg(p);
    int ok = hp_send_hs(p, &m);
    hp_buf_free(&m);
    hp_client_after_finished(p);
    return ok;
}

int hp_client_handshake(HP *p, const HP_CH_OPTS *o)
{
    if (!hp_client_send_hello(p, o))
        return 0;
    int r = hp_client_recv_server_hello(p);
    if (r == 2)
        return hp_fail(p, "unexpected HelloRetryRequest");
    return r == 1 && hp_client_recv_server_flight(p) && hp_client_send_finished(p);
}

/* ---- the server's side ---- */

int hp_server_recv_hello(HP *p)
{
    HP_BUF body = {0};
    RD r, random, sid, suites, comp, exts, ext, ks;
    unsigned version, s;
    int ok = 0, have_suite = 0;
    if (!hp_recv_hs(p, HP_HS_CLIENT_HELLO, &body, 1))
        return 0;
    r.p = body.p;
    r.n = body.n;
    if (!rd_u16(&r, &version) || !rd_bytes(&r, 32, &random) || !rd_u8_prefixed(&r, &sid) ||
        sid.n > 32 || !rd_u16_prefixed(&r, &suites) || !rd_u8_prefixed(&r, &comp) ||
        !rd_u16_prefixed(&r, &exts)) {
        hp_fail(p, "malformed ClientHello from the victim");
        goto out;
    }
    memcpy(p->session_id, sid.p, sid.n);
    p->session_id_len = sid.n;
    while (rd_u16(&suites, &s))
        have_suite |= s == SUITE_AES_128_GCM_SHA256;
    if (!have_suite) {
        hp_fail(p, "the victim does not offer TLS_AES_128_GCM_SHA256");
        goto out;
    }
    if (!find_ext(exts, HP_EXT_KEY_SHARE, &ext) || !rd_u16_prefixed(&ext, &ks)) {
        hp_fail(p, "ClientHello without key_share");
        goto out;
    }
    while (ks.n > 0) {
        unsigned g;
        RD key;
        if (!rd_u16(&ks, &g) || !rd_u16_prefixed(&ks, &key))
            break;
        if (g == GROUP_X25519 && key.n == 32) {
            memcpy(p->peer_share, key.p, 32);
            p->have_peer_share = 1;
        }
    }
    if (!p->have_peer_share) {
        hp_fail(p, "the victim sent no X25519 key share");
        goto out;
    }
    ok = 1;
out:
    hp_buf_free(&body);
    return ok;
}

int hp_server_send_hrr(HP *p, uint16_t group)
{
    HP_BUF body = {0}, exts = {0};
    hp_buf_u16(&body, 0x0303);
    hp_buf_add(&body, k_hrr_random, 32);
    hp_buf_u8(&body, (unsigned)p->session_id_len);
    hp_buf_add(&body, p->session_id, p->session_id_len);
    hp_buf_u16(&body, SUITE_AES_128_GCM_SHA256);
    hp_buf_u8(&body, 0);
    static const uint8_t version[] = {0x03, 0x04};
    hp_buf_ext(&exts, HP_EXT_SUPPORTED_VERSIONS, version, 2);
    uint8_t g[2] = {(uint8_t)(group >> 8), (uint8_t)group};
    hp_buf_ext(&exts, HP_EXT_KEY_SHARE, g, 2);
    hp_buf_u16(&body, (unsigned)exts.n);
    hp_buf_add(&body, exts.p, exts.n);
    HP_BUF m = hp_hs_msg(HP_HS_SERVER_HELLO, body.p, body.n);
    hrr_transcript(p);
    int ok = hp_send_hs(p, &m);
    hp_buf_free(&m);
    hp_buf_free(&body);
    hp_buf_free(&exts);
    return ok;
}

int hp_server_send_hello(HP *p, const HP_SH_OPTS *o)
{
    static const HP_SH_OPTS defaults;
    HP_BUF body = {0}, exts = {0}, e = {0};
    uint8_t random[32], pub[32], ecdhe[32];
    if (o == NULL)
        o = &defaults;
    if (!hp_kex_keygen(p, pub) || !hp_kex_derive(p, ecdhe))
        return 0;
    RAND_bytes(random, 32);
    hp_buf_u16(&body, 0x0303);
    hp_buf_add(&body, random, 32);
    hp_buf_u8(&body, (unsigned)p->session_id_len);
    for (size_t i = 0; i < p->session_id_len; i++)
        hp_buf_u8(&body, p->session_id[i] ^ (o->sh_wrong_sid ? 0xff : 0));
    hp_buf_u16(&body, o->sh_suite ? o->sh_suite : SUITE_AES_128_GCM_SHA256);
    hp_buf_u8(&body, 0);
    static const uint8_t version[] = {0x03, 0x04};
    hp_buf_ext(&exts, HP_EXT_SUPPORTED_VERSIONS, version, 2);
    hp_buf_u16(&e, o->sh_group ? o->sh_group : GROUP_X25519);
    hp_buf_u16(&e, 32);
    hp_buf_add(&e, pub, 32);
    hp_buf_ext(&exts, HP_EXT_KEY_SHARE, e.p, e.n);
    if (o->psk) {
        static const uint8_t selected[] = {0, 0};
        hp_buf_ext(&exts, HP_EXT_PRE_SHARED_KEY, selected, 2);
    }
    hp_buf_u16(&body, (unsigned)exts.n);
    hp_buf_add(&body, exts.p, exts.n);
    HP_BUF m = hp_hs_msg(HP_HS_SERVER_HELLO, body.p, body.n);
    hp_transcript_add(p, m.p, m.n);
    if (o->sh_tail != NULL)
        hp_buf_add(&m, o->sh_tail->p, o->sh_tail->n);
    int ok = hp_send_record(p, HP_CT_HANDSHAKE, m.p, m.n);
    hp_buf_free(&m);
    hp_buf_free(&body);
    hp_buf_free(&exts);
    hp_buf_free(&e);
    if (!ok)
        return 0;
    handshake_secrets(p, ecdhe, 32);
    /* RFC 8446 D.4: a client in compatibility mode gets a change_cipher_spec */
    if (!o->no_ccs && p->session_id_len > 0) {
        static const uint8_t one = 1;
        if (!hp_send_plain(p, HP_CT_CCS, &one, 1))
            return 0;
    }
    set_dir(&p->wr, p->s_hs);
    set_dir(&p->rd, p->c_hs);
    return 1;
}

int hp_server_send_ee(HP *p, const HP_SH_OPTS *o)
{
    static const HP_SH_OPTS defaults;
    HP_BUF exts = {0}, body = {0};
    if (o == NULL)
        o = &defaults;
    if (o->ee_sni_ack)
        hp_buf_ext(&exts, HP_EXT_SERVER_NAME, NULL, 0);
    if (o->ee_early)
        hp_buf_ext(&exts, HP_EXT_EARLY_DATA, NULL, 0);
    if (o->ee_alpn) {
        static const uint8_t alpn[] = {0, 3, 2, 'h', '2'};
        hp_buf_ext(&exts, HP_EXT_ALPN, alpn, sizeof(alpn));
    }
    if (o->ee_extra != NULL)
        hp_buf_add(&exts, o->ee_extra->p, o->ee_extra->n);
    hp_buf_u16(&body, (unsigned)exts.n);
    hp_buf_add(&body, exts.p, exts.n);
    HP_BUF m = hp_hs_msg(HP_HS_ENCRYPTED_EXTENSIONS, body.p, body.n);
    int ok = hp_send_hs(p, &m);
    hp_buf_free(&m);
    hp_buf_free(&body);
    hp_buf_free(&exts);
    return ok;
}

int hp_server_send_cert(HP *p, const HP_SH_OPTS *o)
{
    HP_BUF body = {0};
    unsigned char *der = NULL;
    int der_len = i2d_X509(p->cert, &der);
    if (der_len <= 0)
        return hp_fail(p, "cannot encode our certificate");
    hp_buf_u8(&body, 0); /* certificate_request_context */
    hp_buf_u24(&body, 3 + (unsigned long)der_len + 2);
    hp_buf_u24(&body, (unsigned long)der_len);
    hp_buf_add(&body, der, (size_t)der_len);
    hp_buf_u16(&body, 0);
    OPENSSL_free(der);
    HP_BUF m = hp_hs_msg(HP_HS_CERTIFICATE, body.p, body.n);
    int ok = hp_send_hs(p, &m);
    hp_buf_free(&m);
    hp_buf_free(&body);
    if (!ok)
        return 0;

    /* RFC 8446 4.4.3: 64 spaces, the context string, 0, Transcript-Hash */
    static const char label[] = "TLS 1.3, server CertificateVerify";
    uint8_t tbs[64 + sizeof(label) + 32], sig[256];
    size_t sig_len = sizeof(sig);
    memset(tbs, 0x20, 64);
    memcpy(tbs + 64, label, sizeof(label)); /* with its NUL */
    transcript_hash(p, tbs + 64 + sizeof(label));
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    ok = c != NULL && EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, p->key) > 0 &&
         EVP_DigestSign(c, sig, &sig_len, tbs, sizeof(tbs)) > 0;
    EVP_MD_CTX_free(c);
    if (!ok)
        return hp_fail(p, "CertificateVerify signature failed (need an ECDSA P-256 key)");
    if (o != NULL && o->bad_signature)
        sig[sig_len / 2] ^= 0x01;
    body = (HP_BUF){0};
    hp_buf_u16(&body, SIGALG_ECDSA_P256_SHA256);
    hp_buf_u16(&body, (unsigned)sig_len);
    hp_buf_add(&body, sig, sig_len);
    m = hp_hs_msg(HP_HS_CERTIFICATE_VERIFY, body.p, body.n);
    ok = hp_send_hs(p, &m);
    hp_buf_free(&m);
    hp_buf_free(&body);
    return ok;
}

HP_BUF hp_server_finished_msg(HP *p)
{
    uint8_t mac[32];
    finished_mac(p, p->s_hs, mac);
    return hp_hs_msg(HP_HS_FINISHED, mac, 32);
}

void hp_server_after_finished(HP *p)
{
    app_secrets(p);
    set_dir(&p->wr, p->s_ap);
}

int hp_server_send_finished(HP *p)
{
    HP_BUF m = hp_server_finished_msg(p);
    int ok = hp_send_hs(p, &m);
    hp_buf_free(&m);
    if (ok)
        hp_server_after_finished(p);
    return ok;
}

int hp_server_recv_finished(HP *p)
{
    uint8_t want[32];
    HP_BUF fin = {0};
    finished_mac(p, p->c_hs, want);
    if (!hp_recv_hs(p, HP_HS_FINISHED, &fin, 1))
        return 0;
    int ok = fin.n == 32 && CRYPTO_memcmp(fin.p, want, 32) == 0;
    hp_buf_free(&fin);
    if (!ok)
        return hp_fail(p, "the victim's Finished does not verify (our key schedule is wrong)");
    set_dir(&p->rd, p->c_ap);
    return 1;
}

int hp_server_handshake(HP *p, const HP_SH_OPTS *o)
{
    return hp_server_recv_hello(p) && hp_server_send_hello(p, o) && hp_server_send_ee(p, o) &&
           hp_server_send_cert(p, o) && hp_server_send_finished(p) && hp_server_recv_finished(p);
}

/* ---- after the handshake ---- */

HP_BUF hp_key_update_msg(int request)
{
    uint8_t r = (uint8_t)(request ? 1 : 0);
    return hp_hs_msg(HP_HS_KEY_UPDATE, &r, 1);
}

int hp_send_key_update(HP *p, int request)
{
    HP_BUF m = hp_key_update_msg(request);
    int ok = hp_send_record(p, HP_CT_HANDSHAKE, m.p, m.n);
    hp_buf_free(&m);
    hp_next_write_key(p);
    return ok;
}

/* post_hs_messages handles the whole messages buffered: a KeyUpdate moves our read key on
 * (at this record boundary, RFC 8446 4.6.3); the others (tickets) are counted. */
static int post_hs_messages(HP *p)
{
    while (p->hs.n >= 4) {
        size_t mlen = (size_t)p->hs.p[1] << 16 | (size_t)p->hs.p[2] << 8 | p->hs.p[3];
        if (p->hs.n < 4 + mlen)
            return 1;
        uint8_t type = p->hs.p[0];
        p->hs_msgs_seen++;
        p->last_hs_type = type;
        hp_buf_drop(&p->hs, 4 + mlen);
        if (type == HP_HS_KEY_UPDATE && p->rd.on) {
            if (p->hs.n != 0)
                return hp_fail(p, "the victim's KeyUpdate does not end its record");
            next_secret(&p->rd);
            p->key_updates_rd++;
        }
        /* anything else (tickets; a handshake message a script did not read) is counted */
    }
    return 1;
}

int hp_pump(HP *p, size_t want_appdata)
{
    for (;;) {
        if (want_appdata > 0 && p->appdata.n >= want_appdata)
            return HP_IO_OK;
        int r = hp_read_record(p);
        if (r != HP_IO_OK)
            return r;
        switch (p->rec_type) {
        case HP_CT_ALERT:
            return HP_IO_OK;
        case HP_CT_HANDSHAKE:
            hp_buf_add(&p->hs, p->rec_data, p->rec_len);
            if (!post_hs_messages(p))
                return HP_IO_ERR;
            break;
        case HP_CT_APPDATA:
            hp_buf_add(&p->appdata, p->rec_data, p->rec_len);
            break;
        default:
            break; /* a change_cipher_spec: the script decides what it means */
        }
    }
}

int hp_expect_alert(HP *p)
{
    if (p->alert_level < 0) {
        int r = hp_pump(p, 0);
        if (p->alert_level < 0) {
            hp_fail(p, "waiting for an alert: %s", hp_io_name(r));
            return -1;
        }
    }
    return p->alert_desc;
}

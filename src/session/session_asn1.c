/* The sesame session DER format (docs/session-format.md), i2d/d2i and PEM.
 *
 * Written with CBB and parsed with CBS; the small DER subset we need
 * (definite lengths, low tag numbers, unsigned INTEGERs, OCTET STRINGs,
 * SEQUENCEs and explicit context tags) is implemented here. */
#include "internal.h"

#include <string.h>

#include "session/session_cache.h"

#define SESS_FORMAT_VERSION 1
#define TAG_INTEGER 0x02
#define TAG_OCTETS 0x04
#define TAG_SEQUENCE 0x30
#define TAG_CTX(n) (0xa0 | (n))
#define MAX_DER (1u << 20) /* 1 MiB: a session never gets near this */

enum {
    F_TICKET = 0, F_LIFETIME, F_AGE_ADD, F_HOSTNAME, F_ALPN, F_PEER, F_VERIFY, F_EARLY,
    F_FLAGS, F_GROUP, F_SIGALG, F_APPDATA, F_CHAIN
};
#define FLAG_EMS 1u
#define FLAG_EXTERNAL_PSK 2u

/* ---- writing ---- */

static int der_add_len(CBB *out, size_t len)
{
    if (len < 0x80)
        return cbb_add_u8(out, (uint8_t)len);
    if (len <= 0xff)
        return cbb_add_u8(out, 0x81) && cbb_add_u8(out, (uint8_t)len);
    if (len <= 0xffff)
        return cbb_add_u8(out, 0x82) && cbb_add_u16(out, (uint16_t)len);
    if (len <= 0xffffff)
        return cbb_add_u8(out, 0x83) && cbb_add_u24(out, (uint32_t)len);
    return 0;
}

static int der_add(CBB *out, uint8_t tag, const uint8_t *p, size_t len)
{
    return cbb_add_u8(out, tag) && der_add_len(out, len) && (len == 0 || cbb_add_bytes(out, p, len));
}

static size_t uint_der(uint64_t v, uint8_t buf[9])
{
    uint8_t tmp[9];
    size_t n = 0;
    do {
        tmp[n++] = (uint8_t)(v & 0xff);
        v >>= 8;
    } while (v != 0);
    if (tmp[n - 1] & 0x80)
        tmp[n++] = 0;
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

static int der_add_uint(CBB *out, uint64_t v)
{
    uint8_t b[9];
    size_t n = uint_der(v, b);
    return der_add(out, TAG_INTEGER, b, n);
}

/* explicit [n] around one inner TLV */
static int ctx_uint(CBB *out, int n, uint64_t v)
{
    uint8_t b[9];
    size_t l = uint_der(v, b);
    return cbb_add_u8(out, (uint8_t)TAG_CTX(n)) && der_add_len(out, l + 2)
           && der_add(out, TAG_INTEGER, b, l);
}

static int ctx_octets(CBB *out, int n, const uint8_t *p, size_t len)
{
    uint8_t hdr_len = len < 0x80 ? 2 : len <= 0xff ? 3 : len <= 0xffff ? 4 : 5;
    return cbb_add_u8(out, (uint8_t)TAG_CTX(n)) && der_add_len(out, len + hdr_len)
           && der_add(out, TAG_OCTETS, p, len);
}

static int add_cert(CBB *out, X509 *x)
{
    unsigned char *der = NULL;
    int l = i2d_X509(x, &der);
    if (l <= 0)
        return 0;
    int ok = cbb_add_bytes(out, der, (size_t)l);
    OPENSSL_free(der);
    return ok;
}

static int encode_body(CBB *b, const SSL_SESSION *s, int for_ticket)
{
    uint8_t suite[2] = {0, 0};
    if (s->cipher == NULL) {
        ERR_raise(ERR_LIB_SSL, SSL_R_NO_CIPHER_MATCH);
        return 0;
    }
    suite[0] = (uint8_t)(s->cipher->suite >> 8);
    suite[1] = (uint8_t)s->cipher->suite;
    if (!der_add_uint(b, SESS_FORMAT_VERSION) || !der_add_uint(b, s->version)
        || !der_add(b, TAG_OCTETS, suite, 2)
        || !der_add(b, TAG_OCTETS, s->master_key, s->master_key_len)
        || !der_add(b, TAG_OCTETS, s->session_id, s->session_id_len)
        || !der_add(b, TAG_OCTETS, s->sid_ctx, s->sid_ctx_len) || !der_add_uint(b, s->time_ms)
        || !der_add_uint(b, s->timeout))
        return 0;
    if (!for_ticket && s->ticket_len > 0 && !ctx_octets(b, F_TICKET, s->ticket, s->ticket_len))
        return 0;
    if (s->ticket_lifetime_hint && !ctx_uint(b, F_LIFETIME, s->ticket_lifetime_hint))
        return 0;
    if (s->ticket_age_add && !ctx_uint(b, F_AGE_ADD, s->ticket_age_add))
        return 0;
    if (s->hostname != NULL
        && !ctx_octets(b, F_HOSTNAME, (const uint8_t *)s->hostname, strlen(s->hostname)))
        return 0;
    if (s->alpn_selected_len > 0 && !ctx_octets(b, F_ALPN, s->alpn_selected, s->alpn_selected_len))
        return 0;
    if (s->peer != NULL) {
        CBB c;
        uint8_t *d = NULL;
        size_t l = 0;
        if (!cbb_init(&c, 1024))
            return 0;
        if (!add_cert(&c, s->peer) || !cbb_finish(&c, &d, &l)) {
            cbb_cleanup(&c);
            return 0;
        }
        int ok = cbb_add_u8(b, TAG_CTX(F_PEER)) && der_add_len(b, l) && cbb_add_bytes(b, d, l);
        OPENSSL_free(d);
        if (!ok)
            return 0;
    }
    if (!ctx_uint(b, F_VERIFY, (uint64_t)(uint32_t)s->verify_result))
        return 0;
    if (s->max_early_data && !ctx_uint(b, F_EARLY, s->max_early_data))
        return 0;
    uint64_t flags = (s->ems ? FLAG_EMS : 0) | (s->is_external_psk ? FLAG_EXTERNAL_PSK : 0);
    if (flags && !ctx_uint(b, F_FLAGS, flags))
        return 0;
    if (s->group && !ctx_uint(b, F_GROUP, s->group))
        return 0;
    if (s->peer_sigalg && !ctx_uint(b, F_SIGALG, s->peer_sigalg))
        return 0;
    if (s->ticket_appdata_len > 0
        && !ctx_octets(b, F_APPDATA, s->ticket_appdata, s->ticket_appdata_len))
        return 0;
    if (s->peer_chain != NULL && sk_X509_num(s->peer_chain) > 0) {
        CBB c;
        uint8_t *d = NULL;
        size_t l = 0;
        if (!cbb_init(&c, 2048))
            return 0;
        for (int i = 0; i < sk_X509_num(s->peer_chain); i++)
            if (!add_cert(&c, sk_X509_value(s->peer_chain, i))) {
                cbb_cleanup(&c);
                return 0;
            }
        if (!cbb_finish(&c, &d, &l))
            return 0;
        size_t hl = l < 0x80 ? 2 : l <= 0xff ? 3 : l <= 0xffff ? 4 : 5;
        int ok = cbb_add_u8(b, TAG_CTX(F_CHAIN)) && der_add_len(b, l + hl)
                 && der_add(b, TAG_SEQUENCE, d, l);
        OPENSSL_free(d);
        if (!ok)
            return 0;
    }
    return 1;
}

int sess_encode(CBB *out, const SSL_SESSION *s, int for_ticket)
{
    CBB body;
    uint8_t *d = NULL;
    size_t l = 0;
    if (!cbb_init(&body, 512))
        return 0;
    if (!encode_body(&body, s, for_ticket) || !cbb_finish(&body, &d, &l)) {
        cbb_cleanup(&body);
        return 0;
    }
    int ok = der_add(out, TAG_SEQUENCE, d, l);
    OPENSSL_clear_free(d, l);
    return ok;
}

/* ---- parsing ---- */

/* der_get reads one TLV with |tag|; 0 on mismatch or malformed. */
static int der_get_any(CBS *in, uint8_t *out_tag, CBS *out)
{
    uint8_t tag, l0;
    CBS copy = *in;
    if (!cbs_get_u8(&copy, &tag) || (tag & 0x1f) == 0x1f || !cbs_get_u8(&copy, &l0))
        return 0;
    size_t len;
    if (l0 < 0x80) {
        len = l0;
    } else {
        size_t n = l0 & 0x7f;
        if (n == 0 || n > 3)
            return 0;
        len = 0;
        for (size_t i = 0; i < n; i++) {
            uint8_t b;
            if (!cbs_get_u8(&copy, &b))
                return 0;
            if (i == 0 && b == 0)
                return 0; /* non-minimal */
            len = (len << 8) | b;
        }
        if (len < 0x80)
            return 0; /* DER: short form required */
    }
    if (!cbs_get_bytes(&copy, out, len))
        return 0;
    *out_tag = tag;
    *in = copy;
    return 1;
}

static int der_get(CBS *in, uint8_t tag, CBS *out)
{
    uint8_t t;
    CBS copy = *in;
    if (!der_get_any(&copy, &t, out) || t != tag)
        return 0;
    *in = copy;
    return 1;
}

static int der_get_uint(CBS *in, uint64_t *out)
{
    CBS v;
    uint8_t b;
    if (!der_get(in, TAG_INTEGER, &v) || cbs_len(&v) == 0 || cbs_len(&v) > 9)
        return 0;
    const uint8_t *p = cbs_data(&v);
    size_t n = cbs_len(&v);
    if (p[0] & 0x80)
        return 0; /* negative */
    if (n > 1 && p[0] == 0 && !(p[1] & 0x80))
        return 0; /* non-minimal */
    if (n == 9 && p[0] != 0)
        return 0;
    uint64_t r = 0;
    while (cbs_len(&v) > 0) {
        if (!cbs_get_u8(&v, &b))
            return 0;
        r = (r << 8) | b;
    }
    *out = r;
    return 1;
}

static int der_get_octets(CBS *in, CBS *out) { return der_get(in, TAG_OCTETS, out); }

/* opt_field: if the next element is [n], *out = its contents and 1; 0 if it
 * is absent (nothing consumed).  -1 on malformed input. */
static int opt_field(CBS *in, int n, CBS *out)
{
    uint8_t t;
    CBS copy = *in;
    if (cbs_len(in) == 0)
        return 0;
    if (!cbs_peek_u8(in, &t))
        return -1;
    if (t != TAG_CTX(n))
        return 0;
    if (!der_get_any(&copy, &t, out))
        return -1;
    *in = copy;
    return 1;
}

static int opt_uint(CBS *in, int n, uint64_t *out, uint64_t max)
{
    CBS f;
    int r = opt_field(in, n, &f);
    if (r <= 0)
        return r;
    if (!der_get_uint(&f, out) || cbs_len(&f) != 0 || *out > max)
        return -1;
    return 1;
}

static int opt_octets(CBS *in, int n, CBS *out)
{
    CBS f;
    int r = opt_field(in, n, &f);
    if (r <= 0)
        return r;
    if (!der_get_octets(&f, out) || cbs_len(&f) != 0)
        return -1;
    return 1;
}

static X509 *parse_cert(CBS *in)
{
    uint8_t t;
    CBS c;
    const uint8_t *start = cbs_data(in);
    if (!der_get_any(in, &t, &c) || t != TAG_SEQUENCE)
        return NULL;
    size_t len = (size_t)(cbs_data(in) - start);
    const unsigned char *p = start;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x != NULL && p != start + len) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static const SSL_CIPHER *cipher_by_suite(const uint8_t suite[2])
{
    return SSL_CIPHER_find(NULL, suite);
}

/* get_fixed: OCTET STRING of at most |cap| bytes into |buf|. */
static int get_fixed(CBS *in, uint8_t *buf, size_t cap, size_t *out_len)
{
    CBS f;
    if (!der_get_octets(in, &f) || cbs_len(&f) > cap)
        return 0;
    *out_len = cbs_len(&f);
    return cbs_copy_bytes(&f, buf, *out_len);
}

SSL_SESSION *sess_decode(CBS *in, int for_ticket)
{
    CBS seq, f;
    uint64_t v, version, proto;
    SSL_SESSION *s = NULL;
    if (!der_get(in, TAG_SEQUENCE, &seq) || !der_get_uint(&seq, &version)
        || version != SESS_FORMAT_VERSION)
        goto bad;
    if ((s = SSL_SESSION_new()) == NULL)
        return NULL;
    if (!der_get_uint(&seq, &proto) || proto > 0xffff)
        goto bad;
    s->version = (uint16_t)proto;
    if (!der_get_octets(&seq, &f) || cbs_len(&f) != 2)
        goto bad;
    if ((s->cipher = cipher_by_suite(cbs_data(&f))) == NULL) {
        SSL_SESSION_free(s);
        ERR_raise(ERR_LIB_SSL, SSL_R_UNKNOWN_CIPHER_TYPE);
        return NULL;
    }
    if (!get_fixed(&seq, s->master_key, sizeof(s->master_key), &s->master_key_len)
        || !get_fixed(&seq, s->session_id, sizeof(s->session_id), &s->session_id_len)
        || !get_fixed(&seq, s->sid_ctx, sizeof(s->sid_ctx), &s->sid_ctx_len)
        || !der_get_uint(&seq, &s->time_ms) || !der_get_uint(&seq, &s->timeout))
        goto bad;
    int r;
    if ((r = opt_octets(&seq, F_TICKET, &f)) < 0 || (r == 1 && for_ticket))
        goto bad;
    if (r == 1 && (cbs_len(&f) == 0 || !cbs_memdup(&f, &s->ticket, &s->ticket_len)))
        goto bad;
    v = 0;
    if (opt_uint(&seq, F_LIFETIME, &v, UINT32_MAX) < 0)
        goto bad;
    s->ticket_lifetime_hint = (uint32_t)v;
    v = 0;
    if (opt_uint(&seq, F_AGE_ADD, &v, UINT32_MAX) < 0)
        goto bad;
    s->ticket_age_add = (uint32_t)v;
    if ((r = opt_octets(&seq, F_HOSTNAME, &f)) < 0)
        goto bad;
    if (r == 1) {
        if (cbs_len(&f) == 0 || cbs_len(&f) > 255 || memchr(cbs_data(&f), 0, cbs_len(&f)) != NULL)
            goto bad;
        if ((s->hostname = OPENSSL_strndup((const char *)cbs_data(&f), cbs_len(&f))) == NULL)
            goto bad;
    }
    if ((r = opt_octets(&seq, F_ALPN, &f)) < 0)
        goto bad;
    if (r == 1 && (cbs_len(&f) == 0 || !cbs_memdup(&f, &s->alpn_selected, &s->alpn_selected_len)))
        goto bad;
    if ((r = opt_field(&seq, F_PEER, &f)) < 0)
        goto bad;
    if (r == 1 && ((s->peer = parse_cert(&f)) == NULL || cbs_len(&f) != 0))
        goto bad;
    v = 1;
    if (opt_uint(&seq, F_VERIFY, &v, UINT32_MAX) < 0)
        goto bad;
    s->verify_result = (long)(int32_t)(uint32_t)v;
    v = 0;
    if (opt_uint(&seq, F_EARLY, &v, UINT32_MAX) < 0)
        goto bad;
    s->max_early_data = (uint32_t)v;
    v = 0;
    if (opt_uint(&seq, F_FLAGS, &v, FLAG_EMS | FLAG_EXTERNAL_PSK) < 0)
        goto bad;
    s->ems = (v & FLAG_EMS) != 0;
    s->is_external_psk = (v & FLAG_EXTERNAL_PSK) != 0;
    v = 0;
    if (opt_uint(&seq, F_GROUP, &v, 0xffff) < 0)
        goto bad;
    s->group = (uint16_t)v;
    v = 0;
    if (opt_uint(&seq, F_SIGALG, &v, 0xffff) < 0)
        goto bad;
    s->peer_sigalg = (uint16_t)v;
    if ((r = opt_octets(&seq, F_APPDATA, &f)) < 0)
        goto bad;
    if (r == 1
        && (cbs_len(&f) == 0 || !cbs_memdup(&f, &s->ticket_appdata, &s->ticket_appdata_len)))
        goto bad;
    if ((r = opt_field(&seq, F_CHAIN, &f)) < 0)
        goto bad;
    if (r == 1) {
        CBS certs;
        if (!der_get(&f, TAG_SEQUENCE, &certs) || cbs_len(&f) != 0 || cbs_len(&certs) == 0)
            goto bad;
        if ((s->peer_chain = sk_X509_new_null()) == NULL)
            goto bad;
        while (cbs_len(&certs) > 0) {
            X509 *x = parse_cert(&certs);
            if (x == NULL || !sk_X509_push(s->peer_chain, x)) {
                X509_free(x);
                goto bad;
            }
        }
    }
    if (cbs_len(&seq) != 0)
        goto bad; /* unknown or out-of-order trailing fields */
    return s;
bad:
    SSL_SESSION_free(s);
    ERR_raise(ERR_LIB_SSL, SSL_R_BAD_DATA);
    return NULL;
}

/* ---- public i2d/d2i/PEM ---- */

int i2d_SSL_SESSION(const SSL_SESSION *in, unsigned char **pp)
{
    CBB cbb;
    uint8_t *d = NULL;
    size_t l = 0;
    if (in == NULL || !cbb_init(&cbb, 512))
        return 0;
    if (!sess_encode(&cbb, in, 0) || !cbb_finish(&cbb, &d, &l) || l > INT32_MAX) {
        cbb_cleanup(&cbb);
        return 0;
    }
    if (pp != NULL) {
        if (*pp == NULL) {
            *pp = d; /* OpenSSL i2d convention: allocate, do not advance */
            return (int)l;
        }
        memcpy(*pp, d, l);
        *pp += l;
    }
    OPENSSL_clear_free(d, l);
    return (int)l;
}

SSL_SESSION *d2i_SSL_SESSION(SSL_SESSION **a, const unsigned char **pp, long length)
{
    if (pp == NULL || *pp == NULL || length <= 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_DATA);
        return NULL;
    }
    CBS cbs;
    cbs_init(&cbs, *pp, (size_t)length > MAX_DER ? MAX_DER : (size_t)length);
    SSL_SESSION *s = sess_decode(&cbs, 0);
    if (s == NULL)
        return NULL;
    *pp = cbs_data(&cbs);
    if (a != NULL) {
        /* The previous *a is released and replaced (see session-format.md). */
        SSL_SESSION_free(*a);
        *a = s;
    }
    return s;
}

#define PEM_NAME "SSL SESSION PARAMETERS"

int PEM_write_bio_SSL_SESSION(BIO *bp, const SSL_SESSION *x)
{
    unsigned char *d = NULL;
    int l = i2d_SSL_SESSION(x, &d);
    if (l <= 0)
        return 0;
    int r = PEM_write_bio(bp, PEM_NAME, "", d, l);
    OPENSSL_clear_free(d, (size_t)l);
    return r > 0;
}

SSL_SESSION *PEM_read_bio_SSL_SESSION(BIO *bp, SSL_SESSION **x, pem_password_cb *cb, void *u)
{
    unsigned char *d = NULL;
    long l = 0;
    if (!PEM_bytes_read_bio(&d, &l, NULL, PEM_NAME, bp, cb, u))
        return NULL;
    const unsigned char *p = d;
    SSL_SESSION *s = d2i_SSL_SESSION(x, &p, l);
    OPENSSL_clear_free(d, (size_t)l);
    return s;
}

int PEM_write_SSL_SESSION(FILE *fp, const SSL_SESSION *x)
{
    BIO *b = BIO_new_fp(fp, BIO_NOCLOSE);
    if (b == NULL)
        return 0;
    int r = PEM_write_bio_SSL_SESSION(b, x);
    BIO_free(b);
    return r;
}

SSL_SESSION *PEM_read_SSL_SESSION(FILE *fp, SSL_SESSION **x, pem_password_cb *cb, void *u)
{
    BIO *b = BIO_new_fp(fp, BIO_NOCLOSE);
    if (b == NULL)
        return NULL;
    SSL_SESSION *s = PEM_read_bio_SSL_SESSION(b, x, cb, u);
    BIO_free(b);
    return s;
}

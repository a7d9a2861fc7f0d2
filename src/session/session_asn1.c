/* The sesame session DER format (docs/session-format.md), i2d/d2i and PEM.
 *
 * Written with CBB and parsed with CBS; the small DER subset we need
 * (definite lengths, low tag numbers, unsigned INTEGERs, OCTET STRINGs,
 * SEQUENCEs and explicit context tags) is implemented here. */
#include "internal.h"

#include "codec/cipher_suites.h"

#include <string.h>

#include "session/session_cache.h"

/* 2: peer [5] is the whole chain (SEQUENCE OF Certificate, leaf first) and
 * [12] is gone.  Version 1 (peer [5] the leaf, [12] the chain) is still read. */
#define SESS_FORMAT_VERSION 2
#define SESS_FORMAT_V1      1
#define TAG_INTEGER         0x02
#define TAG_OCTETS          0x04
#define TAG_SEQUENCE        0x30
#define TAG_CTX(n)          (0xa0 | (n))
#define MAX_DER             (1u << 20) /* 1 MiB: a session never gets near this */

enum {
    F_TICKET = 0,
    F_LIFETIME,
    F_AGE_ADD,
    F_HOSTNAME,
    F_ALPN,
    F_PEER,
    F_VERIFY,
    F_EARLY,
    F_FLAGS,
    F_GROUP,
    F_SIGALG,
    F_APPDATA,
    F_CHAIN
};
#define FLAG_EMS          1u
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

/* hdr_len: bytes of a tag and a DER length for |len| content bytes. */
static size_t hdr_len(size_t len)
{
    return len < 0x80 ? 2 : len <= 0xff ? 3 : len <= 0xffff ? 4 : 5;
}

static int der_add(CBB *out, uint8_t tag, const uint8_t *p, size_t len)
{
    return cbb_add_u8(out, tag) && der_add_len(out, len) &&
           (len == 0 || cbb_add_bytes(out, p, len));
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
    return cbb_add_u8(out, (uint8_t)TAG_CTX(n)) && der_add_len(out, l + 2) &&
           der_add(out, TAG_INTEGER, b, l);
}

static int ctx_octets(CBB *out, int n, const uint8_t *p, size_t len)
{
    return cbb_add_u8(out, (uint8_t)TAG_CTX(n)) && der_add_len(out, len + hdr_len(len)) &&
           der_add(out, TAG_OCTETS, p, len);
}

/* encode_body writes the fields; sess_encode checked the sizes, so only an
 * allocation can fail here. */
static int encode_body(CBB *b, const SSL_SESSION *s, int for_ticket)
{
    uint8_t suite[2] = {0, 0};
    suite[0] = (uint8_t)(s->cipher->suite >> 8);
    suite[1] = (uint8_t)s->cipher->suite;
    if (!der_add_uint(b, SESS_FORMAT_VERSION) || !der_add_uint(b, s->version) ||
        !der_add(b, TAG_OCTETS, suite, 2) ||
        !der_add(b, TAG_OCTETS, s->master_key, s->master_key_len) ||
        !der_add(b, TAG_OCTETS, s->session_id, s->session_id_len) ||
        !der_add(b, TAG_OCTETS, s->sid_ctx, s->sid_ctx_len) || !der_add_uint(b, s->time_ms) ||
        !der_add_uint(b, s->timeout))
        return 0;
    if (!for_ticket && s->ticket_len > 0 && !ctx_octets(b, F_TICKET, s->ticket, s->ticket_len))
        return 0;
    if (s->ticket_lifetime_hint && !ctx_uint(b, F_LIFETIME, s->ticket_lifetime_hint))
        return 0;
    if (s->ticket_age_add && !ctx_uint(b, F_AGE_ADD, s->ticket_age_add))
        return 0;
    /* An empty hostname is written as none: [3] must be 1..255 bytes. */
    if (s->hostname != NULL && s->hostname[0] != 0 &&
        !ctx_octets(b, F_HOSTNAME, (const uint8_t *)s->hostname, strlen(s->hostname)))
        return 0;
    size_t alpn_len, app_len;
    const uint8_t *alpn = sess_alpn(s, &alpn_len), *app = sess_appdata(s, &app_len);
    if (alpn_len > 0 && !ctx_octets(b, F_ALPN, alpn, alpn_len))
        return 0;
    if (s->peer != NULL) {
        /* [5] SEQUENCE OF Certificate: the stored DER, never re-encoded. */
        size_t l;
        const uint8_t *d = sess_peer_der(s->peer, &l);
        if (l > 0xffffff - 5 || !cbb_add_u8(b, TAG_CTX(F_PEER)) ||
            !der_add_len(b, l + hdr_len(l)) || !der_add(b, TAG_SEQUENCE, d, l))
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
    if (app_len > 0 && !ctx_octets(b, F_APPDATA, app, app_len))
        return 0;
    return 1;
}

int sess_encode(CBB *out, const SSL_SESSION *s, int for_ticket)
{
    CBB body;
    uint8_t *d = NULL;
    size_t l = 0, alpn_len, app_len, peer_len = 0;
    if (s->cipher == NULL) {
        ERR_raise(ERR_LIB_SSL, SSL_R_NO_CIPHER_MATCH);
        return 0;
    }
    /* What d2i reads back is at most MAX_DER: refuse to write more (and so
     * never reach a length DER cannot say in three bytes). */
    size_t host_len = s->hostname != NULL ? strlen(s->hostname) : 0;
    (void)sess_alpn(s, &alpn_len);
    (void)sess_appdata(s, &app_len);
    if (s->peer != NULL)
        (void)sess_peer_der(s->peer, &peer_len);
    if (s->ticket_len > MAX_DER || host_len > MAX_DER || alpn_len > MAX_DER || app_len > MAX_DER ||
        peer_len > MAX_DER ||
        s->ticket_len + host_len + alpn_len + app_len + peer_len > MAX_DER - 512) {
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_LENGTH);
        return 0;
    }
    if (!cbb_init(&body, 512))
        goto mem;
    if (!encode_body(&body, s, for_ticket) || !cbb_finish(&body, &d, &l)) {
        cbb_cleanup(&body);
        goto mem;
    }
    int ok = der_add(out, TAG_SEQUENCE, d, l);
    OPENSSL_clear_free(d, l);
    if (ok)
        return 1;
mem:
    ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
    return 0;
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
    size_t n = cbs_len(&v);
    CBS head = v;
    uint8_t first, second = 0;
    if (!cbs_get_u8(&head, &first) || (n > 1 && !cbs_get_u8(&head, &second)))
        return 0;
    if (first & 0x80)
        return 0; /* negative */
    if (n > 1 && first == 0 && !(second & 0x80))
        return 0; /* non-minimal */
    if (n == 9 && first != 0)
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

static int der_get_octets(CBS *in, CBS *out)
{
    return der_get(in, TAG_OCTETS, out);
}

/* opt_tag: if the next element has |tag|, *out = its contents and 1; 0 if it
 * is absent (nothing consumed).  -1 on malformed input.  opt_field: the same
 * for the explicit context tag [n]. */
static int opt_tag(CBS *in, uint8_t tag, CBS *out)
{
    uint8_t t;
    CBS copy = *in;
    if (cbs_len(in) == 0)
        return 0;
    if (!cbs_peek_u8(in, &t))
        return -1;
    if (t != tag)
        return 0;
    if (!der_get_any(&copy, &t, out))
        return -1;
    *in = copy;
    return 1;
}

static int opt_field(CBS *in, int n, CBS *out)
{
    return opt_tag(in, (uint8_t)TAG_CTX(n), out);
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

/* peer_from: the peer block for |certs| (concatenated Certificates).  A
 * ticket's plaintext is authenticated, so its certificates are only split;
 * d2i input is untrusted and each certificate must also parse. */
static int peer_from(const CBS *certs, int for_ticket, struct sess_peer **out)
{
    size_t n = sess_peer_split(cbs_data(certs), cbs_len(certs), !for_ticket);
    if (n == 0)
        return 0; /* malformed */
    *out = sess_peer_from_der(cbs_data(certs), cbs_len(certs), n);
    return *out != NULL ? 1 : -1; /* -1: allocation */
}

/* cipher_by_suite: the suite a 2-byte field names. */
static const SSL_CIPHER *cipher_by_suite(CBS f)
{
    uint16_t v;
    return cbs_get_u16(&f, &v) && cbs_len(&f) == 0 ? suite_by_value(v) : NULL;
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

SSL_SESSION *sess_decode(CBS *in, int for_ticket, int *out_malformed)
{
    CBS seq, f, host, alpn, app;
    uint64_t v, version, proto;
    uint8_t sid_ctx[SSL_MAX_SID_CTX_LENGTH];
    size_t sid_ctx_len, mk_len, id_len;
    int r, has_host, has_alpn, has_app;
    SSL_SESSION *s = NULL;
    if (out_malformed != NULL)
        *out_malformed = 0;
    if (!der_get(in, TAG_SEQUENCE, &seq) || !der_get_uint(&seq, &version) ||
        (version != SESS_FORMAT_VERSION && version != SESS_FORMAT_V1))
        goto bad;
    if ((s = SSL_SESSION_new()) == NULL)
        return NULL;
    if (!der_get_uint(&seq, &proto) || proto > 0xffff)
        goto bad;
    s->version = (uint16_t)proto;
    if (!der_get_octets(&seq, &f) || cbs_len(&f) != 2)
        goto bad;
    if ((s->cipher = cipher_by_suite(f)) == NULL) {
        SSL_SESSION_free(s);
        ERR_raise(ERR_LIB_SSL, SSL_R_UNKNOWN_CIPHER_TYPE);
        if (out_malformed != NULL)
            *out_malformed = 1;
        return NULL;
    }
    if (!get_fixed(&seq, s->master_key, sizeof(s->master_key), &mk_len) ||
        !get_fixed(&seq, s->session_id, sizeof(s->session_id), &id_len) ||
        !get_fixed(&seq, sid_ctx, sizeof(sid_ctx), &sid_ctx_len) ||
        !der_get_uint(&seq, &s->time_ms) || !der_get_uint(&seq, &s->timeout))
        goto bad;
    s->master_key_len = (uint8_t)mk_len;
    s->session_id_len = (uint8_t)id_len;
    if ((r = opt_octets(&seq, F_TICKET, &f)) < 0 || (r == 1 && for_ticket))
        goto bad;
    if (r == 1 && cbs_len(&f) == 0)
        goto bad;
    if (r == 1 && !cbs_memdup(&f, &s->ticket, &s->ticket_len))
        goto mem;
    v = 0;
    if (opt_uint(&seq, F_LIFETIME, &v, UINT32_MAX) < 0)
        goto bad;
    s->ticket_lifetime_hint = (uint32_t)v;
    v = 0;
    if (opt_uint(&seq, F_AGE_ADD, &v, UINT32_MAX) < 0)
        goto bad;
    s->ticket_age_add = (uint32_t)v;
    if ((has_host = opt_octets(&seq, F_HOSTNAME, &host)) < 0)
        goto bad;
    if (has_host == 1 && (cbs_len(&host) == 0 || cbs_len(&host) > 255 ||
                          memchr(cbs_data(&host), 0, cbs_len(&host)) != NULL))
        goto bad;
    if ((has_alpn = opt_octets(&seq, F_ALPN, &alpn)) < 0 || (has_alpn == 1 && cbs_len(&alpn) == 0))
        goto bad;
    if ((r = opt_field(&seq, F_PEER, &f)) < 0)
        goto bad;
    if (r == 1) {
        CBS certs = f;
        /* v2: SEQUENCE OF Certificate; v1: one Certificate (the leaf). */
        if (version != SESS_FORMAT_V1 && (!der_get(&f, TAG_SEQUENCE, &certs) || cbs_len(&f) != 0))
            goto bad;
        if (version == SESS_FORMAT_V1 && sess_peer_split(cbs_data(&certs), cbs_len(&certs), 0) != 1)
            goto bad;
        if ((r = peer_from(&certs, for_ticket, &s->peer)) <= 0)
            goto bad_or_mem;
    }
    v = 1;
    if (opt_uint(&seq, F_VERIFY, &v, UINT32_MAX) < 0)
        goto bad;
    s->verify_result = (int32_t)(uint32_t)v;
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
    if ((has_app = opt_octets(&seq, F_APPDATA, &app)) < 0 || (has_app == 1 && cbs_len(&app) == 0))
        goto bad;
    if (version == SESS_FORMAT_V1) {
        /* v1 [12]: the chain as received, which includes the leaf of [5]. */
        if ((r = opt_field(&seq, F_CHAIN, &f)) < 0)
            goto bad;
        if (r == 1) {
            CBS certs;
            struct sess_peer *p = NULL;
            if (!der_get(&f, TAG_SEQUENCE, &certs) || cbs_len(&f) != 0)
                goto bad;
            if ((r = peer_from(&certs, for_ticket, &p)) <= 0)
                goto bad_or_mem;
            sess_peer_free(s->peer);
            s->peer = p;
        }
    }
    if (cbs_len(&seq) != 0)
        goto bad; /* unknown or out-of-order trailing fields */
    /* sid_ctx, hostname, ALPN and appdata: one allocation */
    if (!sess_set_extra(s, sid_ctx, sid_ctx_len,
                        has_host == 1 ? (const char *)cbs_data(&host) : NULL,
                        has_host == 1 ? cbs_len(&host) : 0, has_alpn == 1 ? cbs_data(&alpn) : NULL,
                        has_alpn == 1 ? cbs_len(&alpn) : 0, has_app == 1 ? cbs_data(&app) : NULL,
                        has_app == 1 ? cbs_len(&app) : 0))
        goto mem; /* the lengths are in range: an allocation failed */
    return s;
bad_or_mem:
    if (r < 0)
        goto mem;
bad:
    SSL_SESSION_free(s);
    ERR_raise(ERR_LIB_SSL, SSL_R_BAD_DATA);
    if (out_malformed != NULL)
        *out_malformed = 1;
    return NULL;
mem:
    SSL_SESSION_free(s);
    ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
    return NULL;
}

/* ---- OpenSSL's session layout (read only) ----
 *
 * What `openssl s_client -sess_out` and OpenSSL's i2d_SSL_SESSION write
 * (docs/session-format.md, "Reading OpenSSL's sessions"):
 *   SEQUENCE { INTEGER 1, INTEGER ssl_version, OCTET STRING cipher(2),
 *              OCTET STRING session_id, OCTET STRING master_key,
 *              [0] IMPLICIT key_arg, [1]..[20] EXPLICIT optional fields }
 * Only TLS 1.2 and TLS 1.3 sessions with one of our suites are taken. */

#define OSSL_FORMAT_VERSION 1
#define OSSL_FLAG_EMS       1u
#define TAG_IMPLICIT_0      0x80

enum {
    OS_TIME = 1,
    OS_TIMEOUT,
    OS_PEER,
    OS_SID_CTX,
    OS_VERIFY,
    OS_HOSTNAME,
    OS_PSK_HINT,
    OS_PSK_ID,
    OS_LIFETIME,
    OS_TICKET,
    OS_COMP,
    OS_SRP,
    OS_FLAGS,
    OS_AGE_ADD,
    OS_EARLY,
    OS_ALPN,
    OS_MAX_FRAG,
    OS_APPDATA,
    OS_GROUP,
    OS_RPK
};

/* is_openssl_der: 1 when |in| (not consumed) is in OpenSSL's layout.  Our
 * version 1 starts the same way (INTEGER 1, INTEGER, then OCTET STRINGs),
 * but its sixth element is a fourth OCTET STRING (sidCtx); in OpenSSL's the
 * sixth element is a context tag, or there is none. */
static int is_openssl_der(const CBS *in)
{
    CBS copy = *in, seq, f;
    uint64_t version;
    uint8_t tag;
    if (!der_get(&copy, TAG_SEQUENCE, &seq) || !der_get_uint(&seq, &version) ||
        version != OSSL_FORMAT_VERSION)
        return 0;
    for (int i = 0; i < 4; i++)
        if (!der_get_any(&seq, &tag, &f))
            return 0;
    if (cbs_len(&seq) == 0)
        return 1;
    return cbs_peek_u8(&seq, &tag) && tag != TAG_OCTETS;
}

/* psk_len: the resumption PSK length of a TLS 1.3 suite (its hash size). */
static size_t psk_len(const SSL_CIPHER *c)
{
    return c->md_nid == NID_sha384 ? 48 : c->md_nid == NID_sha256 ? 32 : 0;
}

/* opt_ignored: an OCTET STRING field we read past (PSK identities, SRP). */
static int opt_ignored(CBS *in, int n)
{
    CBS f;
    return opt_octets(in, n, &f) >= 0;
}

static SSL_SESSION *sess_decode_openssl(CBS *in)
{
    CBS seq, f, sid_ctx, host, alpn, app;
    uint64_t version, proto, v;
    size_t mk_len, id_len, want;
    int r, has_ctx, has_host, has_alpn, has_app, reason = SSL_R_BAD_DATA;
    SSL_SESSION *s = NULL;
    if (!der_get(in, TAG_SEQUENCE, &seq) || !der_get_uint(&seq, &version) ||
        version != OSSL_FORMAT_VERSION || !der_get_uint(&seq, &proto))
        goto bad;
    if (proto != TLS1_2_VERSION && proto != TLS1_3_VERSION) {
        reason = SSL_R_UNSUPPORTED_SSL_VERSION;
        goto bad;
    }
    if (!der_get_octets(&seq, &f) || cbs_len(&f) != 2)
        goto bad;
    if ((s = SSL_SESSION_new()) == NULL)
        return NULL;
    s->version = (uint16_t)proto;
    if ((s->cipher = cipher_by_suite(f)) == NULL) {
        reason = SSL_R_UNKNOWN_CIPHER_TYPE;
        goto bad;
    }
    if (s->cipher->min_version > proto || s->cipher->max_version < proto)
        goto bad; /* e.g. a TLS 1.3 suite in a TLS 1.2 session */
    /* session_id comes before master_key here (the reverse of ours). */
    if (!get_fixed(&seq, s->session_id, sizeof(s->session_id), &id_len) ||
        !get_fixed(&seq, s->master_key, sizeof(s->master_key), &mk_len))
        goto bad;
    /* TLS 1.3: OpenSSL's client stores the PSK already derived from the
     * ticket nonce, one hash long; TLS 1.2: the 48-byte master secret. */
    want = proto == TLS1_3_VERSION ? psk_len(s->cipher) : SSL3_MASTER_SECRET_SIZE;
    if (mk_len == 0 || mk_len != want)
        goto bad;
    s->master_key_len = (uint8_t)mk_len;
    s->session_id_len = (uint8_t)id_len;
    if (opt_tag(&seq, TAG_IMPLICIT_0, &f) < 0) /* key_arg (SSLv2): never written, ignored */
        goto bad;
    v = 0;
    if (opt_uint(&seq, OS_TIME, &v, UINT64_MAX / 1000) < 0)
        goto bad;
    s->time_ms = v != 0 ? v * 1000 : sesame_now_ms(); /* seconds; 0 = now, as OpenSSL */
    v = 0;
    if (opt_uint(&seq, OS_TIMEOUT, &v, UINT64_MAX / 1000) < 0)
        goto bad;
    s->timeout = v != 0 ? v : 3; /* 0 or absent: 3 s, as OpenSSL */
    if ((r = opt_field(&seq, OS_PEER, &f)) < 0)
        goto bad;
    /* [3] is the leaf alone (one Certificate); stored as a one-element chain */
    if (r == 1 && sess_peer_split(cbs_data(&f), cbs_len(&f), 0) != 1)
        goto bad;
    if (r == 1 && (r = peer_from(&f, 0, &s->peer)) <= 0) {
        reason = r < 0 ? ERR_R_MALLOC_FAILURE : reason;
        goto bad;
    }
    if ((has_ctx = opt_octets(&seq, OS_SID_CTX, &sid_ctx)) < 0 ||
        (has_ctx == 1 && cbs_len(&sid_ctx) > SSL_MAX_SID_CTX_LENGTH))
        goto bad;
    v = 0; /* absent = X509_V_OK in OpenSSL's layout */
    if (opt_uint(&seq, OS_VERIFY, &v, INT32_MAX) < 0)
        goto bad;
    s->verify_result = (int32_t)v;
    if ((has_host = opt_octets(&seq, OS_HOSTNAME, &host)) < 0)
        goto bad;
    if (has_host == 1 &&
        (cbs_len(&host) > 255 || memchr(cbs_data(&host), 0, cbs_len(&host)) != NULL))
        goto bad;
    if (has_host == 1 && cbs_len(&host) == 0)
        has_host = 0; /* we keep no empty hostname */
    if (!opt_ignored(&seq, OS_PSK_HINT) || !opt_ignored(&seq, OS_PSK_ID))
        goto bad;
    v = 0;
    if (opt_uint(&seq, OS_LIFETIME, &v, UINT32_MAX) < 0)
        goto bad;
    s->ticket_lifetime_hint = (uint32_t)v;
    if ((r = opt_octets(&seq, OS_TICKET, &f)) < 0 || (r == 1 && cbs_len(&f) > 0xffff))
        goto bad;
    if (r == 1 && cbs_len(&f) > 0 && !cbs_memdup(&f, &s->ticket, &s->ticket_len)) {
        reason = ERR_R_MALLOC_FAILURE;
        goto bad;
    }
    if ((r = opt_field(&seq, OS_COMP, &f)) != 0)
        goto bad; /* written only for a compressed session: not supported */
    if (!opt_ignored(&seq, OS_SRP))
        goto bad;
    v = 0;
    if (opt_uint(&seq, OS_FLAGS, &v, UINT64_MAX) < 0)
        goto bad;
    s->ems = (v & OSSL_FLAG_EMS) != 0;
    v = 0;
    if (opt_uint(&seq, OS_AGE_ADD, &v, UINT32_MAX) < 0)
        goto bad;
    s->ticket_age_add = (uint32_t)v;
    v = 0;
    if (opt_uint(&seq, OS_EARLY, &v, UINT32_MAX) < 0)
        goto bad;
    s->max_early_data = (uint32_t)v;
    if ((has_alpn = opt_octets(&seq, OS_ALPN, &alpn)) < 0 ||
        (has_alpn == 1 && cbs_len(&alpn) > 255))
        goto bad;
    v = 0; /* max_fragment_length mode 0..4: read and dropped (not supported) */
    if (opt_uint(&seq, OS_MAX_FRAG, &v, 4) < 0)
        goto bad;
    if ((has_app = opt_octets(&seq, OS_APPDATA, &app)) < 0)
        goto bad;
    v = 0; /* kex_group: newer OpenSSL (Debian's 3.0.19 writes it) */
    if (opt_uint(&seq, OS_GROUP, &v, 0xffff) < 0)
        goto bad;
    s->group = (uint16_t)v;
    if (opt_field(&seq, OS_RPK, &f) != 0 || cbs_len(&seq) != 0)
        goto bad; /* raw public keys are not supported; nothing else may follow */
    if (!sess_set_extra(s, has_ctx == 1 ? cbs_data(&sid_ctx) : NULL,
                        has_ctx == 1 ? cbs_len(&sid_ctx) : 0,
                        has_host == 1 ? (const char *)cbs_data(&host) : NULL,
                        has_host == 1 ? cbs_len(&host) : 0, has_alpn == 1 ? cbs_data(&alpn) : NULL,
                        has_alpn == 1 ? cbs_len(&alpn) : 0, has_app == 1 ? cbs_data(&app) : NULL,
                        has_app == 1 ? cbs_len(&app) : 0)) {
        reason = ERR_R_MALLOC_FAILURE; /* the lengths are in range */
        goto bad;
    }
    return s;
bad:
    SSL_SESSION_free(s);
    ERR_raise(ERR_LIB_SSL, reason);
    return NULL;
}

/* ---- public i2d/d2i/PEM ---- */

int i2d_SSL_SESSION(const SSL_SESSION *in, unsigned char **pp)
{
    CBB cbb;
    uint8_t *d = NULL;
    size_t l = 0;
    if (in == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_NULL_PARAMETER);
        return 0;
    }
    if (!cbb_init(&cbb, 512)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    if (!sess_encode(&cbb, in, 0)) { /* raised why */
        cbb_cleanup(&cbb);
        return 0;
    }
    if (!cbb_finish(&cbb, &d, &l)) {
        cbb_cleanup(&cbb);
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    if (l > INT32_MAX) { /* sess_encode keeps it far below */
        OPENSSL_clear_free(d, l);
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
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
    /* OpenSSL's own layout is read too (never written): see session-format.md */
    SSL_SESSION *s = is_openssl_der(&cbs) ? sess_decode_openssl(&cbs) : sess_decode(&cbs, 0, NULL);
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

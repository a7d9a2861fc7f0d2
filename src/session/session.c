/* SSL_SESSION: the object, its getters and setters, printing, and the
 * SSL-side session functions of the seed (SSL_get_session & co.).
 *
 * A session is reference counted with an atomic counter.  Once a session is
 * published (in a cache, or handed to an application callback) its fields are
 * treated as immutable by the library; changes go through SSL_SESSION_dup. */
#include "internal.h"

#include "codec/consts.h"

#include <stddef.h>
#include <string.h>

#include "session/session_cache.h"
#include "session/ticket.h"

/* Default lifetime of a fresh SSL_SESSION_new(), as OpenSSL: 304 s.  The
 * handshake overwrites it with the SSL_CTX timeout. */
#define SESS_DEFAULT_TIMEOUT (60 * 5 + 4)

/* sid_ctx of a session without one: never NULL, so callers may memcmp. */
static const uint8_t empty_sid_ctx[1];

/* The variable-length parts of a session in one immutable block, shared by
 * reference among the sessions of a connection (SSL_SESSION_dup). */
struct sess_extra {
    _Atomic int references;
    uint32_t hostname_len; /* without the NUL */
    uint32_t alpn_len;
    uint8_t sid_ctx_len;
    uint8_t has_hostname;
    size_t appdata_len;
    uint8_t data[]; /* sid_ctx || alpn || appdata || hostname NUL */
};

static void extra_free(struct sess_extra *e)
{
    if (e != NULL && atomic_fetch_sub_explicit(&e->references, 1, memory_order_acq_rel) == 1)
        OPENSSL_free(e);
}

/* set_views points sid_ctx and hostname into s->extra. */
static void set_views(SSL_SESSION *s)
{
    struct sess_extra *e = s->extra;
    if (e == NULL) {
        s->sid_ctx = empty_sid_ctx;
        s->sid_ctx_len = 0;
        s->hostname = NULL;
        return;
    }
    s->sid_ctx = e->sid_ctx_len > 0 ? e->data : empty_sid_ctx;
    s->sid_ctx_len = e->sid_ctx_len;
    s->hostname = e->has_hostname
                      ? (const char *)e->data + e->sid_ctx_len + e->alpn_len + e->appdata_len
                      : NULL;
}

int sess_set_extra(SSL_SESSION *s, const uint8_t *sid_ctx, size_t sid_ctx_len, const char *hostname,
                   size_t hostname_len, const uint8_t *alpn, size_t alpn_len,
                   const uint8_t *appdata, size_t appdata_len)
{
    struct sess_extra *e = NULL;
    if (sid_ctx == NULL)
        sid_ctx_len = 0;
    if (alpn == NULL)
        alpn_len = 0;
    if (appdata == NULL)
        appdata_len = 0;
    if (hostname == NULL)
        hostname_len = 0;
    if (sid_ctx_len > SSL_MAX_SID_CTX_LENGTH || hostname_len >= UINT32_MAX ||
        alpn_len >= UINT32_MAX || appdata_len > SIZE_MAX / 2)
        return 0;
    if (sid_ctx_len > 0 || hostname != NULL || alpn_len > 0 || appdata_len > 0) {
        size_t total = sid_ctx_len + alpn_len + appdata_len;
        total += hostname != NULL ? hostname_len + 1 : 0;
        e = OPENSSL_malloc(offsetof(struct sess_extra, data) + total);
        if (e == NULL) {
            ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
            return 0;
        }
        atomic_init(&e->references, 1);
        e->sid_ctx_len = (uint8_t)sid_ctx_len;
        e->alpn_len = (uint32_t)alpn_len;
        e->appdata_len = appdata_len;
        e->hostname_len = (uint32_t)hostname_len;
        e->has_hostname = hostname != NULL;
        uint8_t *w = e->data;
        if (sid_ctx_len > 0)
            memcpy(w, sid_ctx, sid_ctx_len);
        w += sid_ctx_len;
        if (alpn_len > 0)
            memcpy(w, alpn, alpn_len);
        w += alpn_len;
        if (appdata_len > 0)
            memcpy(w, appdata, appdata_len);
        w += appdata_len;
        if (hostname != NULL) {
            if (hostname_len > 0)
                memcpy(w, hostname, hostname_len);
            w[hostname_len] = 0;
        }
    }
    /* The arguments may point into the old block: release it only now. */
    extra_free(s->extra);
    s->extra = e;
    set_views(s);
    return 1;
}

const uint8_t *sess_alpn(const SSL_SESSION *s, size_t *out_len)
{
    const struct sess_extra *e = s->extra;
    *out_len = e != NULL ? e->alpn_len : 0;
    return *out_len > 0 ? e->data + e->sid_ctx_len : NULL;
}

const uint8_t *sess_appdata(const SSL_SESSION *s, size_t *out_len)
{
    const struct sess_extra *e = s->extra;
    *out_len = e != NULL ? e->appdata_len : 0;
    return *out_len > 0 ? e->data + e->sid_ctx_len + e->alpn_len : NULL;
}

/* The current parts, for a setter that changes one of them. */
#define CUR_SID_CTX(s)  (s)->sid_ctx, (s)->sid_ctx_len
#define CUR_HOSTNAME(s) (s)->hostname, ((s)->hostname != NULL ? strlen((s)->hostname) : 0)

SSL_SESSION *SSL_SESSION_new(void)
{
    SSL_SESSION *s = OPENSSL_zalloc(sizeof(*s));
    if (s == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return NULL;
    }
    atomic_init(&s->references, 1);
    s->timeout = SESS_DEFAULT_TIMEOUT;
    s->time_ms = sesame_now_ms();
    s->sid_ctx = empty_sid_ctx;
    /* Not X509_V_OK until a verification really happened (OpenSSL does the same). */
    s->verify_result = 1;
    if (!CRYPTO_new_ex_data(CRYPTO_EX_INDEX_SSL_SESSION, s, &s->ex_data)) {
        OPENSSL_free(s);
        return NULL;
    }
    return s;
}

int SSL_SESSION_up_ref(SSL_SESSION *s)
{
    int prev = atomic_fetch_add_explicit(&s->references, 1, memory_order_relaxed);
    return prev >= 1;
}

void SSL_SESSION_free(SSL_SESSION *s)
{
    if (s == NULL)
        return;
    /* acq_rel: the last owner must see every other owner's writes. */
    int prev = atomic_fetch_sub_explicit(&s->references, 1, memory_order_acq_rel);
    if (prev > 1)
        return;
    CRYPTO_free_ex_data(CRYPTO_EX_INDEX_SSL_SESSION, s, &s->ex_data);
    sess_peer_free(s->peer);
    extra_free(s->extra);
    OPENSSL_free(s->ticket);
    /* also wipes master_key and session_id */
    OPENSSL_clear_free(s, sizeof(*s));
}

SSL_SESSION *SSL_SESSION_dup(const SSL_SESSION *src)
{
    return sess_dup(src, 1);
}

SSL_SESSION *sess_dup(const SSL_SESSION *src, int with_ticket)
{
    if (src == NULL)
        return NULL;
    SSL_SESSION *d = OPENSSL_malloc(sizeof(*d));
    if (d == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return NULL;
    }
    memcpy(d, src, sizeof(*d));
    atomic_init(&d->references, 1);
    /* The copy belongs to no cache; the immutable blocks (peer, extra) are
     * shared, the ticket (which a client may replace) is copied. */
    d->lru_prev = d->lru_next = d->hash_next = NULL;
    d->owner = NULL;
    d->hash = 0;
    if (d->peer != NULL)
        sess_peer_up_ref(d->peer);
    if (d->extra != NULL)
        atomic_fetch_add_explicit(&d->extra->references, 1, memory_order_relaxed);
    d->ticket = NULL;
    memset(&d->ex_data, 0, sizeof(d->ex_data));
    if (!CRYPTO_new_ex_data(CRYPTO_EX_INDEX_SSL_SESSION, d, &d->ex_data))
        goto err;
    if (!CRYPTO_dup_ex_data(CRYPTO_EX_INDEX_SSL_SESSION, &d->ex_data, &src->ex_data))
        goto err;
    if (with_ticket && src->ticket != NULL && src->ticket_len > 0 &&
        (d->ticket = OPENSSL_memdup(src->ticket, src->ticket_len)) == NULL)
        goto err;
    if (d->ticket == NULL)
        d->ticket_len = 0;
    return d;
err:
    ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
    SSL_SESSION_free(d);
    return NULL;
}

/* ---- getters and setters ---- */

const unsigned char *SSL_SESSION_get_id(const SSL_SESSION *s, unsigned int *len)
{
    if (len != NULL)
        *len = (unsigned int)s->session_id_len;
    return s->session_id;
}

int SSL_SESSION_set1_id(SSL_SESSION *s, const unsigned char *sid, unsigned int sid_len)
{
    if (sid_len > SSL_MAX_SSL_SESSION_ID_LENGTH) {
        ERR_raise(ERR_LIB_SSL, SSL_R_SSL_SESSION_ID_TOO_LONG);
        return 0;
    }
    if (sid_len > 0 && sid != s->session_id)
        memmove(s->session_id, sid, sid_len);
    s->session_id_len = sid_len;
    return 1;
}

const unsigned char *SSL_SESSION_get0_id_context(const SSL_SESSION *s, unsigned int *len)
{
    if (len != NULL)
        *len = (unsigned int)s->sid_ctx_len;
    return s->sid_ctx;
}

int SSL_SESSION_set1_id_context(SSL_SESSION *s, const unsigned char *sid_ctx,
                                unsigned int sid_ctx_len)
{
    if (sid_ctx_len > SSL_MAX_SID_CTX_LENGTH) {
        ERR_raise(ERR_LIB_SSL, SSL_R_SSL_SESSION_ID_CONTEXT_TOO_LONG);
        return 0;
    }
    size_t alpn_len, app_len;
    const uint8_t *alpn = sess_alpn(s, &alpn_len), *app = sess_appdata(s, &app_len);
    return sess_set_extra(s, sid_ctx, sid_ctx_len, CUR_HOSTNAME(s), alpn, alpn_len, app, app_len);
}

/* Time and timeout may change on a cached session: the cache module updates
 * them under the owning shard's lock (sess_cache_set_times). */
void sess_cache_set_times(SSL_SESSION *s, const uint64_t *time_ms, const uint64_t *timeout);

long SSL_SESSION_get_time(const SSL_SESSION *s)
{
    if (s == NULL)
        return 0;
    return (long)(s->time_ms / 1000);
}

long SSL_SESSION_set_time(SSL_SESSION *s, long t)
{
    if (s == NULL)
        return 0;
    uint64_t ms = t < 0 ? 0 : (uint64_t)t * 1000;
    sess_cache_set_times(s, &ms, NULL);
    return t;
}

long SSL_SESSION_get_timeout(const SSL_SESSION *s)
{
    if (s == NULL)
        return 0;
    return (long)s->timeout;
}

long SSL_SESSION_set_timeout(SSL_SESSION *s, long t)
{
    if (s == NULL || t < 0)
        return 0;
    uint64_t v = (uint64_t)t;
    sess_cache_set_times(s, NULL, &v);
    return 1;
}

int SSL_SESSION_get_protocol_version(const SSL_SESSION *s)
{
    return s->version;
}

int SSL_SESSION_set_protocol_version(SSL_SESSION *s, int version)
{
    s->version = (uint16_t)version;
    return 1;
}

const SSL_CIPHER *SSL_SESSION_get0_cipher(const SSL_SESSION *s)
{
    return s->cipher;
}

int SSL_SESSION_set_cipher(SSL_SESSION *s, const SSL_CIPHER *cipher)
{
    s->cipher = cipher;
    return 1;
}

const char *SSL_SESSION_get0_hostname(const SSL_SESSION *s)
{
    return s->hostname;
}

int SSL_SESSION_set1_hostname(SSL_SESSION *s, const char *hostname)
{
    size_t alpn_len, app_len;
    const uint8_t *alpn = sess_alpn(s, &alpn_len), *app = sess_appdata(s, &app_len);
    return sess_set_extra(s, CUR_SID_CTX(s), hostname, hostname != NULL ? strlen(hostname) : 0,
                          alpn, alpn_len, app, app_len);
}

void SSL_SESSION_get0_alpn_selected(const SSL_SESSION *s, const unsigned char **alpn, size_t *len)
{
    *alpn = sess_alpn(s, len);
}

int SSL_SESSION_set1_alpn_selected(SSL_SESSION *s, const unsigned char *alpn, size_t len)
{
    size_t app_len;
    const uint8_t *app = sess_appdata(s, &app_len);
    return sess_set_extra(s, CUR_SID_CTX(s), CUR_HOSTNAME(s), alpn, len, app, app_len);
}

/* Parsed from the session's DER on the first call; the X509 is owned by the
 * session (its shared peer block) and stays the same for its lifetime. */
X509 *SSL_SESSION_get0_peer(SSL_SESSION *s)
{
    return s != NULL ? sess_peer_leaf(s->peer) : NULL;
}

unsigned int SSL_SESSION_get_compress_id(const SSL_SESSION *s)
{
    (void)s;
    return 0;
}

int SSL_SESSION_has_ticket(const SSL_SESSION *s)
{
    return s->ticket_len > 0 ? 1 : 0;
}

unsigned long SSL_SESSION_get_ticket_lifetime_hint(const SSL_SESSION *s)
{
    return s->ticket_lifetime_hint;
}

void SSL_SESSION_get0_ticket(const SSL_SESSION *s, const unsigned char **tick, size_t *len)
{
    *len = s->ticket_len;
    if (tick != NULL)
        *tick = s->ticket;
}

/* OpenSSL 3.0: resumable iff not marked otherwise and there is something to
 * present (a session id or a ticket).  A TLS 1.3 client session has neither
 * until a NewSessionTicket arrives (contract S6). */
int SSL_SESSION_is_resumable(const SSL_SESSION *s)
{
    return !s->not_resumable && (s->session_id_len > 0 || s->ticket_len > 0);
}

size_t SSL_SESSION_get_master_key(const SSL_SESSION *s, unsigned char *out, size_t outlen)
{
    if (outlen == 0)
        return s->master_key_len;
    if (outlen > s->master_key_len)
        outlen = s->master_key_len;
    memcpy(out, s->master_key, outlen);
    return outlen;
}

int SSL_SESSION_set1_master_key(SSL_SESSION *s, const unsigned char *in, size_t len)
{
    if (len > sizeof(s->master_key))
        return 0;
    if (len > 0)
        memcpy(s->master_key, in, len);
    s->master_key_len = len;
    return 1;
}

uint32_t SSL_SESSION_get_max_early_data(const SSL_SESSION *s)
{
    return s->max_early_data;
}

int SSL_SESSION_set_max_early_data(SSL_SESSION *s, uint32_t max_early_data)
{
    s->max_early_data = max_early_data;
    return 1;
}

uint8_t SSL_SESSION_get_max_fragment_length(const SSL_SESSION *s)
{
    (void)s;
    return 0; /* TLSEXT_max_fragment_length_DISABLED: we never negotiate it */
}

int SSL_SESSION_set_ex_data(SSL_SESSION *s, int idx, void *data)
{
    return CRYPTO_set_ex_data(&s->ex_data, idx, data);
}

void *SSL_SESSION_get_ex_data(const SSL_SESSION *s, int idx)
{
    return CRYPTO_get_ex_data(&s->ex_data, idx);
}

int SSL_SESSION_set1_ticket_appdata(SSL_SESSION *s, const void *data, size_t len)
{
    size_t alpn_len;
    const uint8_t *alpn = sess_alpn(s, &alpn_len);
    return sess_set_extra(s, CUR_SID_CTX(s), CUR_HOSTNAME(s), alpn, alpn_len, data, len);
}

int SSL_SESSION_get0_ticket_appdata(SSL_SESSION *s, void **data, size_t *len)
{
    *data = (void *)sess_appdata(s, len);
    return 1;
}

/* ---- printing ---- */

static int print_hex(BIO *bp, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (BIO_printf(bp, "%02X", p[i]) <= 0)
            return 0;
    return 1;
}

int SSL_SESSION_print(BIO *bp, const SSL_SESSION *x)
{
    if (x == NULL)
        return 0;
    if (BIO_puts(bp, "SSL-Session:\n") <= 0 ||
        BIO_printf(bp, "    Protocol  : %s\n", codec_version_name(x->version)) <= 0)
        return 0;
    if (x->cipher != NULL) {
        if (BIO_printf(bp, "    Cipher    : %s\n", x->cipher->name) <= 0)
            return 0;
    } else if (BIO_puts(bp, "    Cipher    : 0000\n") <= 0) {
        return 0;
    }
    if (BIO_puts(bp, "    Session-ID: ") <= 0 || !print_hex(bp, x->session_id, x->session_id_len) ||
        BIO_puts(bp, "\n    Session-ID-ctx: ") <= 0 || !print_hex(bp, x->sid_ctx, x->sid_ctx_len))
        return 0;
    if (BIO_puts(bp, x->version >= TLS1_3_VERSION ? "\n    Resumption PSK: "
                                                  : "\n    Master-Key: ") <= 0 ||
        !print_hex(bp, x->master_key, x->master_key_len))
        return 0;
    if (BIO_puts(bp, "\n    PSK identity: None") <= 0 ||
        BIO_puts(bp, "\n    PSK identity hint: None") <= 0 ||
        BIO_puts(bp, "\n    SRP username: None") <= 0)
        return 0;
    if (x->ticket_lifetime_hint != 0 &&
        BIO_printf(bp, "\n    TLS session ticket lifetime hint: %lu (seconds)",
                   (unsigned long)x->ticket_lifetime_hint) <= 0)
        return 0;
    if (x->ticket_len > 0) {
        if (BIO_puts(bp, "\n    TLS session ticket:\n") <= 0 ||
            BIO_dump_indent(bp, (const char *)x->ticket, (int)x->ticket_len, 4) <= 0)
            return 0;
    }
    if (x->time_ms != 0 &&
        BIO_printf(bp, "\n    Start Time: %lld", (long long)(x->time_ms / 1000)) <= 0)
        return 0;
    if (x->timeout != 0 &&
        BIO_printf(bp, "\n    Timeout   : %lld (sec)", (long long)x->timeout) <= 0)
        return 0;
    if (BIO_puts(bp, "\n") <= 0 || BIO_puts(bp, "    Verify return code: ") <= 0 ||
        BIO_printf(bp, "%ld (%s)\n", (long)x->verify_result,
                   X509_verify_cert_error_string(x->verify_result)) <= 0)
        return 0;
    if (BIO_printf(bp, "    Extended master secret: %s\n", x->ems ? "yes" : "no") <= 0)
        return 0;
    if (x->version >= TLS1_3_VERSION &&
        BIO_printf(bp, "    Max Early Data: %u\n", (unsigned)x->max_early_data) <= 0)
        return 0;
    return 1;
}

int SSL_SESSION_print_fp(FILE *fp, const SSL_SESSION *x)
{
    BIO *b = BIO_new_fp(fp, BIO_NOCLOSE);
    if (b == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_BUF_LIB);
        return 0;
    }
    int ret = SSL_SESSION_print(b, x);
    BIO_free(b);
    return ret;
}

/* NSS key log line for TLS 1.2 sessions ("RSA" is the format's fixed label). */
int SSL_SESSION_print_keylog(BIO *bp, const SSL_SESSION *x)
{
    if (x == NULL || x->session_id_len == 0 || x->master_key_len == 0)
        return 0;
    if (BIO_puts(bp, "RSA Session-ID:") <= 0 || !print_hex(bp, x->session_id, x->session_id_len) ||
        BIO_puts(bp, " Master-Key:") <= 0 || !print_hex(bp, x->master_key, x->master_key_len) ||
        BIO_puts(bp, "\n") <= 0)
        return 0;
    return 1;
}

/* ---- the SSL side: the seed's functions ---- */

/* Contract S1/S2/S14: the session in use, no reference taken; NULL if none.
 * (SSL_get0_session is a macro for this function in OpenSSL's headers.) */
SSL_SESSION *SSL_get_session(const SSL *s)
{
    return s->session;
}

/* Contract S3: the same session plus one reference for the caller.  The
 * reference is taken while the session is certainly alive (s holds one). */
SSL_SESSION *SSL_get1_session(SSL *s)
{
    SSL_SESSION *sess = s->session;
    if (sess != NULL && !SSL_SESSION_up_ref(sess))
        return NULL;
    return sess;
}

/* A connection that ended without our close_notify after completing its
 * handshake, or that failed fatally, must not leave its session in the cache
 * (contract S10; OpenSSL's ssl_clear_bad_session plus its fatal-alert rule). */
static void clear_bad_session(SSL *s)
{
    if (s->session == NULL)
        return;
    int unclean = s->phase == HS_PHASE_DONE && !(s->shutdown & SSL_SENT_SHUTDOWN);
    /* a transport failure during the handshake keeps it (ssl_fatal) */
    if ((unclean || (s->fatal && !s->fatal_syscall)) && s->session_ctx != NULL)
        (void)SSL_CTX_remove_session(s->session_ctx, s->session);
}

int SSL_set_session(SSL *s, SSL_SESSION *session)
{
    if (session != NULL && !SSL_SESSION_up_ref(session))
        return 0;
    clear_bad_session(s);
    if (session != NULL)
        s->verify_result = session->verify_result;
    SSL_SESSION_free(s->session);
    s->session = session;
    return 1;
}

void sess_connection_end(SSL *s)
{
    clear_bad_session(s);
    SSL_SESSION_free(s->session);
    s->session = NULL;
    SSL_SESSION_free(s->psk_session);
    s->psk_session = NULL;
}

int SSL_session_reused(const SSL *s)
{
    return s->hit;
}

int SSL_copy_session_id(SSL *to, const SSL *from)
{
    if (!SSL_set_session(to, SSL_get_session(from)))
        return 0;
    if (from->cfg.sid_ctx_len > sizeof(to->cfg.sid_ctx)) {
        ERR_raise(ERR_LIB_SSL, SSL_R_SSL_SESSION_ID_CONTEXT_TOO_LONG);
        return 0;
    }
    memcpy(to->cfg.sid_ctx, from->cfg.sid_ctx, from->cfg.sid_ctx_len);
    to->cfg.sid_ctx_len = from->cfg.sid_ctx_len;
    return 1;
}

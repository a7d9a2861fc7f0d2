/* SSL: creation, reference counting, destruction, BIOs, role, context
 * switching, ex_data. */
#include "internal.h"

#include <string.h>

#include "api/api.h"
#include "api/session_hooks.h"

SSL *SSL_new(SSL_CTX *ctx)
{
    SSL *s;

    if (ctx == NULL) {
        ERR_raise(ERR_LIB_SSL, SSL_R_NULL_SSL_CTX);
        return NULL;
    }
    if (ctx->method == NULL) {
        ERR_raise(ERR_LIB_SSL, SSL_R_SSL_CTX_HAS_NO_DEFAULT_SSL_VERSION);
        return NULL;
    }
    if ((s = OPENSSL_zalloc(sizeof(*s))) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return NULL;
    }
    atomic_init(&s->references, 1);
    if (!cfg_copy(&s->cfg, &ctx->cfg)) {
        OPENSSL_free(s);
        return NULL;
    }
    if (!CRYPTO_new_ex_data(CRYPTO_EX_INDEX_SSL, s, &s->ex_data)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        cfg_free(&s->cfg);
        OPENSSL_free(s);
        return NULL;
    }
    SSL_CTX_up_ref(ctx);
    s->ctx = ctx;
    SSL_CTX_up_ref(ctx);
    s->session_ctx = ctx;
    s->method = ctx->method;
    s->server = ctx->method->role == 1 ? 0 : ctx->method->role == 2 ? 1 : -1;
    s->phase = HS_PHASE_BEFORE;
    s->rwstate = SSL_NOTHING;
    s->verify_result = X509_V_OK;
    s->rl.max_frag = s->cfg.max_send_fragment;
    s->default_passwd_cb = ctx->default_passwd_cb;
    s->default_passwd_cb_userdata = ctx->default_passwd_cb_userdata;
    s->cert_cb = ctx->cert_cb;
    s->cert_cb_arg = ctx->cert_cb_arg;
    return s;
}

int SSL_up_ref(SSL *s)
{
    atomic_fetch_add(&s->references, 1);
    return 1;
}

void SSL_free(SSL *s)
{
    if (s == NULL)
        return;
    if (atomic_fetch_sub(&s->references, 1) != 1)
        return;
    /* contract S10: the session layer decides about s->session while the
     * connection is still intact, then releases it */
    sess_connection_end(s);
    CRYPTO_free_ex_data(CRYPTO_EX_INDEX_SSL, s, &s->ex_data);
    ssl_io_free(s);
    /* SSL_set_bio took one reference per direction, even for one BIO */
    BIO_free_all(s->wbio);
    s->wbio = NULL;
    BIO_free_all(s->rbio);
    s->rbio = NULL;
    cfg_free(&s->cfg);
    OPENSSL_free(s->hostname);
    OPENSSL_free(s->alpn_selected);
    OPENSSL_free(s->peername);
    sk_X509_pop_free(s->peer_chain_nl, X509_free);
    sk_X509_pop_free(s->verified_chain, X509_free);
    sk_SSL_CIPHER_free(s->peer_cipher_stack);
    sk_X509_NAME_pop_free(s->peer_ca_names, X509_NAME_free);
    OPENSSL_free(s->peer_groups_all);
    OPENSSL_free(s->peer_sigalgs_all);
    OPENSSL_free(s->peer_ec_point_formats);
    OPENSSL_free(s->peer_cert_types);
    sk_X509_NAME_pop_free(s->client_ca_names, X509_NAME_free);
    sk_X509_NAME_pop_free(s->ca_names, X509_NAME_free);
    /* own_cert/own_key are borrowed from a cfg.certs slot: not freed */
    OPENSSL_cleanse(&s->s13, sizeof(s->s13));
    SSL_CTX_free(s->session_ctx);
    SSL_CTX_free(s->ctx);
    OPENSSL_free(s);
}

/* ---- BIOs ---- */

void SSL_set0_rbio(SSL *s, BIO *rbio)
{
    BIO_free_all(s->rbio);
    s->rbio = rbio;
}

void SSL_set0_wbio(SSL *s, BIO *wbio)
{
    BIO_free_all(s->wbio);
    s->wbio = wbio;
}

/* OpenSSL's ownership rules, historical asymmetries included: the caller
 * hands over one reference per distinct new BIO. */
void SSL_set_bio(SSL *s, BIO *rbio, BIO *wbio)
{
    if (rbio == s->rbio && wbio == s->wbio)
        return;
    if (rbio != NULL && rbio == wbio)
        BIO_up_ref(rbio);
    if (rbio == s->rbio) {
        SSL_set0_wbio(s, wbio);
        return;
    }
    if (wbio == s->wbio && s->rbio != s->wbio) {
        SSL_set0_rbio(s, rbio);
        return;
    }
    SSL_set0_rbio(s, rbio);
    SSL_set0_wbio(s, wbio);
}

BIO *SSL_get_rbio(const SSL *s)
{
    return s->rbio;
}
BIO *SSL_get_wbio(const SSL *s)
{
    return s->wbio;
}

static BIO *socket_bio(int fd)
{
    BIO *b = BIO_new(BIO_s_socket());
    if (b == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_BUF_LIB);
        return NULL;
    }
    BIO_set_fd(b, fd, BIO_NOCLOSE);
    return b;
}

int SSL_set_fd(SSL *s, int fd)
{
    BIO *b = socket_bio(fd);
    if (b == NULL)
        return 0;
    SSL_set_bio(s, b, b);
    return 1;
}

static int bio_is_socket_fd(BIO *b, int fd)
{
    return b != NULL && BIO_method_type(b) == BIO_TYPE_SOCKET && BIO_get_fd(b, NULL) == fd;
}

int SSL_set_rfd(SSL *s, int fd)
{
    if (bio_is_socket_fd(s->wbio, fd)) {
        BIO_up_ref(s->wbio);
        SSL_set0_rbio(s, s->wbio);
        return 1;
    }
    BIO *b = socket_bio(fd);
    if (b == NULL)
        return 0;
    SSL_set0_rbio(s, b);
    return 1;
}

int SSL_set_wfd(SSL *s, int fd)
{
    if (bio_is_socket_fd(s->rbio, fd)) {
        BIO_up_ref(s->rbio);
        SSL_set0_wbio(s, s->rbio);
        return 1;
    }
    BIO *b = socket_bio(fd);
    if (b == NULL)
        return 0;
    SSL_set0_wbio(s, b);
    return 1;
}

static int bio_fd(BIO *b)
{
    int fd = -1;
    BIO *d = b != NULL ? BIO_find_type(b, BIO_TYPE_DESCRIPTOR) : NULL;
    if (d != NULL)
        BIO_get_fd(d, &fd);
    return fd;
}

int SSL_get_rfd(const SSL *s)
{
    return bio_fd(s->rbio);
}
int SSL_get_wfd(const SSL *s)
{
    return bio_fd(s->wbio);
}
int SSL_get_fd(const SSL *s)
{
    return SSL_get_rfd(s);
}

/* Deprecated since OpenSSL 1.1.0, where it does nothing (as here). */
SESAME_EXPORT void SSL_set_debug(SSL *s, int debug);
void SSL_set_debug(SSL *s, int debug)
{
    (void)s;
    (void)debug;
}

/* ---- role ---- */

/* set_role: OpenSSL resets the state machine here, and the handshake that
 * follows starts with SSL_clear when the object was used before (so that
 * `openssl s_client -reconnect` can reuse one SSL on a new socket, keeping
 * its session to resume).  Reset as that SSL_clear would see it: the
 * shutdown flags and the handshake state already cleared, so a session
 * from a connection that was not shut down is kept (as OpenSSL does). */
static void set_role(SSL *s, int server)
{
    int used = s->phase != HS_PHASE_BEFORE || s->fatal;
    s->shutdown = 0;
    s->phase = HS_PHASE_BEFORE;
    if (used)
        SSL_clear(s);
    s->server = server;
    s->role_set = 1;
}

void SSL_set_connect_state(SSL *s)
{
    set_role(s, 0);
}

void SSL_set_accept_state(SSL *s)
{
    set_role(s, 1);
}

/* OpenSSL reports 1 for a fresh SSL whose method can accept (TLS_method)
 * until SSL_set_connect_state / SSL_connect. */
int SSL_is_server(const SSL *s)
{
    if (s->server >= 0)
        return s->server;
    return s->method->role != 1;
}

/* ---- contexts ---- */

SSL_CTX *SSL_get_SSL_CTX(const SSL *s)
{
    return s->ctx;
}

/* As OpenSSL: the certificate part of the configuration (certificates and
 * keys, signature algorithms, security level, PSK hint) comes from the new
 * context; the session id context follows it if it was the old context's.
 * DHE parameters and the Suite B mode, in OpenSSL's CERT, come along. */
SSL_CTX *SSL_set_SSL_CTX(SSL *s, SSL_CTX *ctx)
{
    if (s->ctx == ctx)
        return s->ctx;
    if (ctx == NULL)
        ctx = s->session_ctx;
    /* (an SSL that switches contexts gets a configuration block of its own) */
    struct ssl_config_shared *w = cfg_shared_mut(&s->cfg);
    if (w == NULL)
        return NULL;
    CERT_SLOT certs[CERT_NUM_SLOTS];
    char *hint = NULL;
    for (int i = 0; i < CERT_NUM_SLOTS; i++) {
        if (!cfg_cert_slot_copy(&certs[i], &ctx->cfg.sh->certs[i])) {
            for (int j = 0; j < i; j++)
                cfg_cert_slot_free(&certs[j]);
            return NULL;
        }
    }
    if (ctx->cfg.sh->psk_identity_hint != NULL &&
        (hint = OPENSSL_strdup(ctx->cfg.sh->psk_identity_hint)) == NULL) {
        for (int j = 0; j < CERT_NUM_SLOTS; j++)
            cfg_cert_slot_free(&certs[j]);
        return NULL;
    }
    if (ctx->cfg.sh->dh_tmp != NULL && !EVP_PKEY_up_ref(ctx->cfg.sh->dh_tmp)) {
        for (int j = 0; j < CERT_NUM_SLOTS; j++)
            cfg_cert_slot_free(&certs[j]);
        OPENSSL_free(hint);
        return NULL;
    }
    for (int i = 0; i < CERT_NUM_SLOTS; i++) {
        cfg_cert_slot_free(&w->certs[i]);
        w->certs[i] = certs[i];
    }
    s->cfg.cert_current = ctx->cfg.cert_current;
    memcpy(w->sigalgs, ctx->cfg.sh->sigalgs, sizeof(w->sigalgs));
    w->num_sigalgs = ctx->cfg.sh->num_sigalgs;
    s->cfg.security_level = ctx->cfg.security_level;
    /* DHE parameters and Suite B mode are part of OpenSSL's CERT too */
    EVP_PKEY_free(w->dh_tmp);
    w->dh_tmp = ctx->cfg.sh->dh_tmp;
    s->cfg.dh_auto = ctx->cfg.dh_auto;
    s->cfg.dh_tmp_cb = ctx->cfg.dh_tmp_cb;
    s->cfg.suiteb_flags = ctx->cfg.suiteb_flags;
    OPENSSL_free(w->psk_identity_hint);
    w->psk_identity_hint = hint;
    if (s->ctx != NULL && w->sid_ctx_len == s->ctx->cfg.sh->sid_ctx_len &&
        memcmp(w->sid_ctx, s->ctx->cfg.sh->sid_ctx, w->sid_ctx_len) == 0) {
        w->sid_ctx_len = ctx->cfg.sh->sid_ctx_len;
        memcpy(w->sid_ctx, ctx->cfg.sh->sid_ctx, sizeof(w->sid_ctx));
    }
    SSL_CTX_up_ref(ctx);
    SSL_CTX_free(s->ctx);
    s->ctx = ctx;
    return ctx;
}

/* ---- ex_data ---- */

int SSL_set_ex_data(SSL *s, int idx, void *data)
{
    return CRYPTO_set_ex_data(&s->ex_data, idx, data);
}

void *SSL_get_ex_data(const SSL *s, int idx)
{
    return CRYPTO_get_ex_data(&s->ex_data, idx);
}

/* ---- application data shortcuts that are functions, not macros ---- */

void SSL_set_verify_result(SSL *s, long v)
{
    s->verify_result = v;
}

/* Option, mode-like and callback setters of SSL_CTX and SSL. */
#include "internal.h"

#include <string.h>

#include <openssl/dh.h>

#include "api/api.h"
#include "auth/dh_params.h"
#include "auth/policy.h"
#include "auth/sigalgs.h"
#include "codec/cipher_suites.h"
#include "codec/groups.h"

/* ---- options ---- */

uint64_t SSL_CTX_get_options(const SSL_CTX *ctx)
{
    return ctx->cfg.options;
}
uint64_t SSL_get_options(const SSL *s)
{
    return s->cfg.options;
}
uint64_t SSL_CTX_set_options(SSL_CTX *ctx, uint64_t op)
{
    return ctx->cfg.options |= op;
}
uint64_t SSL_set_options(SSL *s, uint64_t op)
{
    return s->cfg.options |= op;
}
uint64_t SSL_CTX_clear_options(SSL_CTX *ctx, uint64_t op)
{
    return ctx->cfg.options &= ~op;
}
uint64_t SSL_clear_options(SSL *s, uint64_t op)
{
    return s->cfg.options &= ~op;
}

/* ---- verification settings ---- */

void SSL_CTX_set_verify(SSL_CTX *ctx, int mode, SSL_verify_cb cb)
{
    ctx->cfg.verify_mode = mode;
    ctx->cfg.verify_cb = cb;
}

void SSL_set_verify(SSL *s, int mode, SSL_verify_cb cb)
{
    s->cfg.verify_mode = mode;
    if (cb != NULL)
        s->cfg.verify_cb = cb;
}

void SSL_CTX_set_verify_depth(SSL_CTX *ctx, int depth)
{
    ssl_ctx_set_verify_depth(ctx, depth);
}

void SSL_set_verify_depth(SSL *s, int depth)
{
    ssl_set_verify_depth(s, depth);
}

int SSL_CTX_get_verify_mode(const SSL_CTX *ctx)
{
    return ctx->cfg.verify_mode;
}
int SSL_get_verify_mode(const SSL *s)
{
    return s->cfg.verify_mode;
}
int SSL_CTX_get_verify_depth(const SSL_CTX *ctx)
{
    return X509_VERIFY_PARAM_get_depth(ctx->cfg.sh->param);
}
int SSL_get_verify_depth(const SSL *s)
{
    return X509_VERIFY_PARAM_get_depth(s->cfg.sh->param);
}
SSL_verify_cb SSL_CTX_get_verify_callback(const SSL_CTX *ctx)
{
    return ctx->cfg.verify_cb;
}
SSL_verify_cb SSL_get_verify_callback(const SSL *s)
{
    return s->cfg.verify_cb;
}

void SSL_CTX_set_cert_verify_callback(SSL_CTX *ctx, int (*cb)(X509_STORE_CTX *, void *), void *arg)
{
    ctx->app_verify_cb = cb;
    ctx->app_verify_arg = arg;
}

/* ---- cipher suites ---- */

/* set_cipher_list: as OpenSSL 3.0's SSL_CTX_set_cipher_list.  A malformed
 * string keeps the list; one that selects none of our suites leaves the
 * TLS 1.2 list empty (OpenSSL has replaced it by then) and fails.  The
 * security level a "@SECLEVEL=n" set and the Suite B mode stay either way.
 * (Strings that select only suites OpenSSL has and we do not, e.g. static
 * RSA or CBC ones, are of the second kind here: docs/unsupported.md.) */
static int set_cipher_list(struct ssl_config *c, const SSL_METHOD *meth, const char *str)
{
    const SSL_CIPHER *list[SUITES12_MAX], *old[SUITES12_MAX];
    size_t n = 0, old_n = c->sh->num_suites12;
    struct suites12_state st = {c->security_level, c->suiteb_flags,
                                meth->version == TLS_ANY_VERSION ||
                                    meth->version >= TLS1_2_VERSION};
    int r = suites_parse_tls12(str, list, SUITES12_MAX, &n, &st);

    c->security_level = st.security_level;
    c->suiteb_flags = st.suiteb_flags;
    if (r == 0)
        return 0;
    struct ssl_config_shared *w = cfg_shared_mut(c);
    if (w == NULL)
        return 0;
    memcpy(old, w->suites12, old_n * sizeof(old[0]));
    memcpy(w->suites12, list, n * sizeof(list[0]));
    w->num_suites12 = n;
    if (!cfg_rebuild_ciphers(w)) {
        memcpy(w->suites12, old, old_n * sizeof(old[0]));
        w->num_suites12 = old_n;
        return 0;
    }
    return r == 1;
}

static int set_ciphersuites(struct ssl_config *c, const char *str)
{
    const SSL_CIPHER *list[8];
    size_t n;
    if (!suites_parse_tls13(str, list, 8, &n))
        return 0;
    struct ssl_config_shared *w = cfg_shared_mut(c);
    if (w == NULL)
        return 0;
    memcpy(w->suites13, list, n * sizeof(list[0]));
    w->num_suites13 = n;
    return cfg_rebuild_ciphers(w);
}

int SSL_CTX_set_cipher_list(SSL_CTX *ctx, const char *str)
{
    return set_cipher_list(&ctx->cfg, ctx->method, str);
}
/* OpenSSL checks the context's method for Suite B */
int SSL_set_cipher_list(SSL *s, const char *str)
{
    return set_cipher_list(&s->cfg, s->ctx->method, str);
}
int SSL_CTX_set_ciphersuites(SSL_CTX *ctx, const char *str)
{
    return set_ciphersuites(&ctx->cfg, str);
}
int SSL_set_ciphersuites(SSL *s, const char *str)
{
    return set_ciphersuites(&s->cfg, str);
}

/* OpenSSL 3.0's defaults (SSL_DEFAULT_CIPHER_LIST, TLS_DEFAULT_CIPHERSUITES). */
const char *OSSL_default_cipher_list(void)
{
    return "ALL:!COMPLEMENTOFDEFAULT:!eNULL";
}
const char *OSSL_default_ciphersuites(void)
{
    return "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";
}

/* The configured suites: TLS 1.3 first, then TLS 1.2 in the configured
 * order; the stack belongs to the object. */
STACK_OF(SSL_CIPHER) * SSL_CTX_get_ciphers(const SSL_CTX *ctx)
{
    return ctx != NULL ? ctx->cfg.sh->cipher_stack : NULL;
}

STACK_OF(SSL_CIPHER) * SSL_get_ciphers(const SSL *s)
{
    return s != NULL ? s->cfg.sh->cipher_stack : NULL;
}

/* The configured suites this connection may use (versions, security level,
 * signature algorithms; auth/policy.h), a new stack; NULL when none. */
STACK_OF(SSL_CIPHER) * SSL_get1_supported_ciphers(SSL *s)
{
    const SSL_CIPHER *list[8 + SUITES12_MAX];
    size_t n;
    STACK_OF(SSL_CIPHER) * sk;
    if (s == NULL || s->cfg.sh->cipher_stack == NULL)
        return NULL;
    if (!policy_supported_suites(&s->cfg, s->method->version, list, sizeof(list) / sizeof(list[0]),
                                 &n) ||
        n == 0)
        return NULL;
    if ((sk = sk_SSL_CIPHER_new_reserve(NULL, (int)n)) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        (void)sk_SSL_CIPHER_push(sk, list[i]); /* reserved: cannot fail */
    return sk;
}

const char *SSL_get_cipher_list(const SSL *s, int n)
{
    STACK_OF(SSL_CIPHER) *sk = s != NULL ? s->cfg.sh->cipher_stack : NULL;
    if (sk == NULL || n < 0 || n >= sk_SSL_CIPHER_num(sk))
        return NULL;
    return sk_SSL_CIPHER_value(sk, n)->name;
}

/* SSL_bytes_to_cipher_list: as OpenSSL 3.0's: the suites of a ClientHello's
 * list (2-byte values, or 3-byte SSLv2 ones of which only those with a zero
 * first byte count) that we know, and the signalling values apart. */
int SSL_bytes_to_cipher_list(SSL *s, const unsigned char *bytes, size_t len, int isv2format,
                             STACK_OF(SSL_CIPHER) * *sk, STACK_OF(SSL_CIPHER) * *scsvs)
{
    size_t n = isv2format ? 3 : 2;
    STACK_OF(SSL_CIPHER) *out = NULL, *out_scsvs = NULL;
    (void)s;
    if (bytes == NULL && len != 0)
        return 0;
    if (len == 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_NO_CIPHERS_SPECIFIED);
        return 0;
    }
    if (len % n != 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_ERROR_IN_RECEIVED_CIPHER_LIST);
        return 0;
    }
    if ((out = sk_SSL_CIPHER_new_null()) == NULL || (out_scsvs = sk_SSL_CIPHER_new_null()) == NULL)
        goto err;
    for (size_t i = 0; i < len; i += n) {
        const unsigned char *v = bytes + i;
        const SSL_CIPHER *c;
        if (isv2format) {
            if (v[0] != 0)
                continue; /* a true SSLv2 suite */
            v++;
        }
        if ((c = suite_or_scsv_by_value((uint16_t)(v[0] << 8 | v[1]))) == NULL)
            continue;
        if (!sk_SSL_CIPHER_push(c->valid ? out : out_scsvs, c))
            goto err;
    }
    if (sk != NULL)
        *sk = out;
    else
        sk_SSL_CIPHER_free(out);
    if (scsvs != NULL)
        *scsvs = out_scsvs;
    else
        sk_SSL_CIPHER_free(out_scsvs);
    return 1;
err:
    ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
    sk_SSL_CIPHER_free(out);
    sk_SSL_CIPHER_free(out_scsvs);
    return 0;
}

/* ---- DHE parameters (auth/dh_params.h uses them) ---- */

/* As OpenSSL 3.0: the parameters must be strong enough for the security
 * level (SSL_R_DH_KEY_TOO_SMALL; the caller keeps |pkey| then); on success
 * the configuration owns |pkey|. */
int cfg_set0_tmp_dh(struct ssl_config *c, EVP_PKEY *pkey)
{
    if (!ssl_dh_params_ok(c->security_level, pkey)) {
        ERR_raise(ERR_LIB_SSL, SSL_R_DH_KEY_TOO_SMALL);
        return 0;
    }
    struct ssl_config_shared *w = cfg_shared_mut(c);
    if (w == NULL)
        return 0;
    EVP_PKEY_free(w->dh_tmp);
    w->dh_tmp = pkey;
    return 1;
}

/* SSL_CTRL_SET_TMP_DH (SSL_CTX_set_tmp_dh): a key made from the caller's
 * DH (which stays the caller's). */
long cfg_set_tmp_dh_legacy(struct ssl_config *c, DH *dh)
{
    EVP_PKEY *pkey;
    if (dh == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_NULL_PARAMETER);
        return 0;
    }
    if ((pkey = EVP_PKEY_new()) == NULL || EVP_PKEY_set1_DH(pkey, dh) <= 0) {
        EVP_PKEY_free(pkey);
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    if (!cfg_set0_tmp_dh(c, pkey)) {
        EVP_PKEY_free(pkey);
        return 0;
    }
    return 1;
}

int SSL_CTX_set0_tmp_dh_pkey(SSL_CTX *ctx, EVP_PKEY *dhpkey)
{
    return cfg_set0_tmp_dh(&ctx->cfg, dhpkey);
}

int SSL_set0_tmp_dh_pkey(SSL *s, EVP_PKEY *dhpkey)
{
    return cfg_set0_tmp_dh(&s->cfg, dhpkey);
}

/* Deprecated in 3.0 but functions there: called as cb(ssl, 0, 1024) when
 * neither dh_auto nor parameters are set. */
void SSL_CTX_set_tmp_dh_callback(SSL_CTX *ctx, DH *(*dh)(SSL *ssl, int is_export, int keylength))
{
    ctx->cfg.dh_tmp_cb = dh;
}

void SSL_set_tmp_dh_callback(SSL *s, DH *(*dh)(SSL *ssl, int is_export, int keylength))
{
    s->cfg.dh_tmp_cb = dh;
}

/* ---- ALPN (RFC 7301) ---- */

/* alpn_list_ok: a non-empty sequence of non-empty u8-prefixed names. */
static int alpn_list_ok(const unsigned char *p, size_t len)
{
    size_t i = 0;
    if (len < 2)
        return 0;
    while (i < len) {
        size_t l = p[i];
        if (l == 0 || l > len - i - 1)
            return 0;
        i += 1 + l;
    }
    return 1;
}

/* Note the inverted convention: 0 on success, 1 on failure. */
static int set_alpn(struct ssl_config *c, const unsigned char *protos, unsigned int len)
{
    uint8_t *copy;
    struct ssl_config_shared *w = cfg_shared_mut(c);
    if (w == NULL)
        return 1;
    if (protos == NULL || len == 0) {
        OPENSSL_free(w->alpn);
        w->alpn = NULL;
        w->alpn_len = 0;
        return 0;
    }
    if (!alpn_list_ok(protos, len))
        return 1;
    if ((copy = OPENSSL_memdup(protos, len)) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 1;
    }
    OPENSSL_free(w->alpn);
    w->alpn = copy;
    w->alpn_len = len;
    return 0;
}

int SSL_CTX_set_alpn_protos(SSL_CTX *ctx, const unsigned char *protos, unsigned int len)
{
    return set_alpn(&ctx->cfg, protos, len);
}

int SSL_set_alpn_protos(SSL *s, const unsigned char *protos, unsigned int len)
{
    return set_alpn(&s->cfg, protos, len);
}

void SSL_CTX_set_alpn_select_cb(SSL_CTX *ctx, SSL_CTX_alpn_select_cb_func cb, void *arg)
{
    ctx->alpn_select_cb = cb;
    ctx->alpn_select_arg = arg;
}

void SSL_get0_alpn_selected(const SSL *s, const unsigned char **data, unsigned int *len)
{
    *data = s->alpn_selected;
    *len = s->alpn_selected != NULL ? (unsigned int)s->alpn_selected_len : 0;
}

/* The server's preference wins: the first of |server| also in |client|.
 * Without overlap, the client's first protocol is offered as a fallback. */
int SSL_select_next_proto(unsigned char **out, unsigned char *outlen, const unsigned char *server,
                          unsigned int server_len, const unsigned char *client,
                          unsigned int client_len)
{
    if (client == NULL || !alpn_list_ok(client, client_len)) {
        *out = NULL;
        *outlen = 0;
        return OPENSSL_NPN_NO_OVERLAP;
    }
    if (server != NULL && alpn_list_ok(server, server_len)) {
        for (unsigned int i = 0; i < server_len; i += 1u + server[i]) {
            for (unsigned int j = 0; j < client_len; j += 1u + client[j]) {
                if (server[i] == client[j] &&
                    memcmp(server + i + 1, client + j + 1, server[i]) == 0) {
                    *out = (unsigned char *)server + i + 1;
                    *outlen = server[i];
                    return OPENSSL_NPN_NEGOTIATED;
                }
            }
        }
    }
    *out = (unsigned char *)client + 1;
    *outlen = client[0];
    return OPENSSL_NPN_NO_OVERLAP;
}

/* ---- TLS 1.3 record padding (record/record_write.c) ---- */

/* 0 and 1 mean none; more than a record's plaintext fails (OpenSSL 3.0,
 * which raises no error here) */
static int set_block_padding(struct ssl_config *c, size_t block_size)
{
    if (block_size > SESAME_MAX_PLAINTEXT)
        return 0;
    c->block_padding = block_size == 1 ? 0 : block_size;
    return 1;
}
int SSL_CTX_set_block_padding(SSL_CTX *ctx, size_t block_size)
{
    return set_block_padding(&ctx->cfg, block_size);
}
int SSL_set_block_padding(SSL *s, size_t block_size)
{
    return set_block_padding(&s->cfg, block_size);
}
void SSL_CTX_set_record_padding_callback(SSL_CTX *ctx,
                                         size_t (*cb)(SSL *ssl, int type, size_t len, void *arg))
{
    ctx->cfg.record_padding_cb = cb;
}
/* int: OpenSSL 3.0 refuses a callback on a kernel-TLS connection, which
 * sesame never is */
int SSL_set_record_padding_callback(SSL *s, size_t (*cb)(SSL *ssl, int type, size_t len, void *arg))
{
    s->cfg.record_padding_cb = cb;
    return 1;
}
void SSL_CTX_set_record_padding_callback_arg(SSL_CTX *ctx, void *arg)
{
    ctx->cfg.record_padding_arg = arg;
}
void *SSL_CTX_get_record_padding_callback_arg(const SSL_CTX *ctx)
{
    return ctx->cfg.record_padding_arg;
}
void SSL_set_record_padding_callback_arg(SSL *s, void *arg)
{
    s->cfg.record_padding_arg = arg;
}
void *SSL_get_record_padding_callback_arg(const SSL *s)
{
    return s->cfg.record_padding_arg;
}

/* ---- tickets, post-handshake auth, security level, early data ---- */

int SSL_CTX_set_num_tickets(SSL_CTX *ctx, size_t n)
{
    ctx->cfg.num_tickets = n;
    return 1;
}
size_t SSL_CTX_get_num_tickets(const SSL_CTX *ctx)
{
    return ctx->cfg.num_tickets;
}
int SSL_set_num_tickets(SSL *s, size_t n)
{
    s->cfg.num_tickets = n;
    return 1;
}
size_t SSL_get_num_tickets(const SSL *s)
{
    return s->cfg.num_tickets;
}

void SSL_CTX_set_post_handshake_auth(SSL_CTX *ctx, int val)
{
    ctx->cfg.post_handshake_auth = val;
}
void SSL_set_post_handshake_auth(SSL *s, int val)
{
    s->cfg.post_handshake_auth = val;
}

void SSL_CTX_set_security_level(SSL_CTX *ctx, int level)
{
    ctx->cfg.security_level = level;
}
int SSL_CTX_get_security_level(const SSL_CTX *ctx)
{
    return ctx->cfg.security_level;
}
void SSL_set_security_level(SSL *s, int level)
{
    s->cfg.security_level = level;
}
int SSL_get_security_level(const SSL *s)
{
    return s->cfg.security_level;
}

int SSL_CTX_set_max_early_data(SSL_CTX *ctx, uint32_t v)
{
    ctx->cfg.max_early_data = v;
    return 1;
}
uint32_t SSL_CTX_get_max_early_data(const SSL_CTX *ctx)
{
    return ctx->cfg.max_early_data;
}
int SSL_set_max_early_data(SSL *s, uint32_t v)
{
    s->cfg.max_early_data = v;
    return 1;
}
uint32_t SSL_get_max_early_data(const SSL *s)
{
    return s->cfg.max_early_data;
}

/* ---- callbacks ---- */

void SSL_CTX_set_info_callback(SSL_CTX *ctx, void (*cb)(const SSL *, int, int))
{
    ctx->cfg.info_cb = cb;
}
void (*SSL_CTX_get_info_callback(SSL_CTX *ctx))(const SSL *, int, int)
{
    return ctx->cfg.info_cb;
}
void SSL_set_info_callback(SSL *s, void (*cb)(const SSL *, int, int))
{
    s->cfg.info_cb = cb;
}
void (*SSL_get_info_callback(const SSL *s))(const SSL *, int, int)
{
    return s->cfg.info_cb;
}

void SSL_CTX_set_msg_callback(SSL_CTX *ctx,
                              void (*cb)(int, int, int, const void *, size_t, SSL *, void *))
{
    ctx->cfg.msg_cb = cb;
}
void SSL_set_msg_callback(SSL *s, void (*cb)(int, int, int, const void *, size_t, SSL *, void *))
{
    s->cfg.msg_cb = cb;
}

void SSL_CTX_set_keylog_callback(SSL_CTX *ctx, SSL_CTX_keylog_cb_func cb)
{
    ctx->keylog_cb = cb;
}
SSL_CTX_keylog_cb_func SSL_CTX_get_keylog_callback(const SSL_CTX *ctx)
{
    return ctx->keylog_cb;
}

void SSL_CTX_set_default_passwd_cb(SSL_CTX *ctx, pem_password_cb *cb)
{
    ctx->default_passwd_cb = cb;
}
void SSL_CTX_set_default_passwd_cb_userdata(SSL_CTX *ctx, void *u)
{
    ctx->default_passwd_cb_userdata = u;
}
pem_password_cb *SSL_CTX_get_default_passwd_cb(SSL_CTX *ctx)
{
    return ctx->default_passwd_cb;
}
void *SSL_CTX_get_default_passwd_cb_userdata(SSL_CTX *ctx)
{
    return ctx->default_passwd_cb_userdata;
}
void SSL_set_default_passwd_cb(SSL *s, pem_password_cb *cb)
{
    s->default_passwd_cb = cb;
}
void SSL_set_default_passwd_cb_userdata(SSL *s, void *u)
{
    s->default_passwd_cb_userdata = u;
}
pem_password_cb *SSL_get_default_passwd_cb(SSL *s)
{
    return s->default_passwd_cb;
}
void *SSL_get_default_passwd_cb_userdata(SSL *s)
{
    return s->default_passwd_cb_userdata;
}

void SSL_CTX_set_client_hello_cb(SSL_CTX *ctx, SSL_client_hello_cb_fn cb, void *arg)
{
    ctx->client_hello_cb = cb;
    ctx->client_hello_cb_arg = arg;
}

void SSL_CTX_set_client_cert_cb(SSL_CTX *ctx, int (*cb)(SSL *, X509 **, EVP_PKEY **))
{
    ctx->cfg.client_cert_cb = cb;
}
int (*SSL_CTX_get_client_cert_cb(SSL_CTX *ctx))(SSL *, X509 **, EVP_PKEY **)
{
    return ctx->cfg.client_cert_cb;
}

void SSL_CTX_set_cert_cb(SSL_CTX *ctx, int (*cb)(SSL *, void *), void *arg)
{
    ctx->cert_cb = cb;
    ctx->cert_cb_arg = arg;
}
void SSL_set_cert_cb(SSL *s, int (*cb)(SSL *, void *), void *arg)
{
    s->cert_cb = cb;
    s->cert_cb_arg = arg;
}

/* ---- PSK ---- */

void SSL_CTX_set_psk_client_callback(SSL_CTX *ctx, SSL_psk_client_cb_func cb)
{
    ctx->cfg.psk_client_cb = cb;
}
void SSL_set_psk_client_callback(SSL *s, SSL_psk_client_cb_func cb)
{
    s->cfg.psk_client_cb = cb;
}
void SSL_CTX_set_psk_server_callback(SSL_CTX *ctx, SSL_psk_server_cb_func cb)
{
    ctx->cfg.psk_server_cb = cb;
}
void SSL_set_psk_server_callback(SSL *s, SSL_psk_server_cb_func cb)
{
    s->cfg.psk_server_cb = cb;
}
void SSL_CTX_set_psk_find_session_callback(SSL_CTX *ctx, SSL_psk_find_session_cb_func cb)
{
    ctx->cfg.psk_find_session_cb = cb;
}
void SSL_set_psk_find_session_callback(SSL *s, SSL_psk_find_session_cb_func cb)
{
    s->cfg.psk_find_session_cb = cb;
}
void SSL_CTX_set_psk_use_session_callback(SSL_CTX *ctx, SSL_psk_use_session_cb_func cb)
{
    ctx->cfg.psk_use_session_cb = cb;
}
void SSL_set_psk_use_session_callback(SSL *s, SSL_psk_use_session_cb_func cb)
{
    s->cfg.psk_use_session_cb = cb;
}

static int set_psk_hint(struct ssl_config *c, const char *hint)
{
    char *copy = NULL;
    if (hint != NULL && strlen(hint) > PSK_MAX_IDENTITY_LEN) {
        ERR_raise(ERR_LIB_SSL, SSL_R_DATA_LENGTH_TOO_LONG);
        return 0;
    }
    struct ssl_config_shared *w = cfg_shared_mut(c);
    if (w == NULL)
        return 0;
    if (hint != NULL && (copy = OPENSSL_strdup(hint)) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    OPENSSL_free(w->psk_identity_hint);
    w->psk_identity_hint = copy;
    return 1;
}

int SSL_CTX_use_psk_identity_hint(SSL_CTX *ctx, const char *hint)
{
    return set_psk_hint(&ctx->cfg, hint);
}
int SSL_use_psk_identity_hint(SSL *s, const char *hint)
{
    return set_psk_hint(&s->cfg, hint);
}

/* ---- SRP: not supported (docs/unsupported.md) ---- */

int SSL_CTX_set_srp_username(SSL_CTX *ctx, char *name)
{
    (void)ctx;
    (void)name;
    ERR_raise_data(ERR_LIB_SSL, ERR_R_UNSUPPORTED, "SRP is not supported");
    return 0;
}

int SSL_CTX_set_srp_password(SSL_CTX *ctx, char *password)
{
    (void)ctx;
    (void)password;
    ERR_raise_data(ERR_LIB_SSL, ERR_R_UNSUPPORTED, "SRP is not supported");
    return 0;
}

/* ---- shutdown, session id context, buffers ---- */

void SSL_CTX_set_quiet_shutdown(SSL_CTX *ctx, int mode)
{
    ctx->cfg.quiet_shutdown = mode;
}
int SSL_CTX_get_quiet_shutdown(const SSL_CTX *ctx)
{
    return ctx->cfg.quiet_shutdown;
}
void SSL_set_quiet_shutdown(SSL *s, int mode)
{
    s->cfg.quiet_shutdown = mode;
}
int SSL_get_quiet_shutdown(const SSL *s)
{
    return s->cfg.quiet_shutdown;
}

static int set_sid_ctx(struct ssl_config *c, const unsigned char *sid, unsigned int len)
{
    if (len > SSL_MAX_SID_CTX_LENGTH) {
        ERR_raise(ERR_LIB_SSL, SSL_R_SSL_SESSION_ID_CONTEXT_TOO_LONG);
        return 0;
    }
    struct ssl_config_shared *w = cfg_shared_mut(c);
    if (w == NULL)
        return 0;
    w->sid_ctx_len = len;
    if (len > 0)
        memcpy(w->sid_ctx, sid, len);
    return 1;
}

int SSL_CTX_set_session_id_context(SSL_CTX *ctx, const unsigned char *sid, unsigned int len)
{
    return set_sid_ctx(&ctx->cfg, sid, len);
}

int SSL_set_session_id_context(SSL *s, const unsigned char *sid, unsigned int len)
{
    return set_sid_ctx(&s->cfg, sid, len);
}

void SSL_CTX_set_default_read_buffer_len(SSL_CTX *ctx, size_t len)
{
    (void)ctx;
    (void)len; /* our read buffer is always one full record */
}

void SSL_set_default_read_buffer_len(SSL *s, size_t len)
{
    (void)s;
    (void)len;
}

void SSL_set_read_ahead(SSL *s, int yes)
{
    s->cfg.read_ahead = yes;
}
int SSL_get_read_ahead(const SSL *s)
{
    return s->cfg.read_ahead;
}

/* SSL_METHOD objects.  A method only fixes the role (client/server/either)
 * and, for the version-specific ones, the protocol version. */
#include "internal.h"

#include "api/api.h"

static const SSL_METHOD k_tls_any = {TLS_ANY_VERSION, 0};
static const SSL_METHOD k_tls_client = {TLS_ANY_VERSION, 1};
static const SSL_METHOD k_tls_server = {TLS_ANY_VERSION, 2};
static const SSL_METHOD k_tls12_any = {TLS1_2_VERSION, 0};
static const SSL_METHOD k_tls12_client = {TLS1_2_VERSION, 1};
static const SSL_METHOD k_tls12_server = {TLS1_2_VERSION, 2};
/* TLS 1.0/1.1 are not implemented: these methods fix a version we never
 * negotiate, so handshakes fail with unsupported_protocol (docs/unsupported.md). */
static const SSL_METHOD k_tls10_any = {TLS1_VERSION, 0};
static const SSL_METHOD k_tls10_client = {TLS1_VERSION, 1};
static const SSL_METHOD k_tls10_server = {TLS1_VERSION, 2};
static const SSL_METHOD k_tls11_any = {TLS1_1_VERSION, 0};
static const SSL_METHOD k_tls11_client = {TLS1_1_VERSION, 1};
static const SSL_METHOD k_tls11_server = {TLS1_1_VERSION, 2};

const SSL_METHOD *TLS_method(void)
{
    return &k_tls_any;
}
const SSL_METHOD *TLS_client_method(void)
{
    return &k_tls_client;
}
const SSL_METHOD *TLS_server_method(void)
{
    return &k_tls_server;
}

/* Deprecated in 1.1.0: hidden by our OPENSSL_API_COMPAT, still exported by
 * libssl.so.3 and imported by older programs. */
SESAME_EXPORT const SSL_METHOD *TLSv1_2_method(void);
SESAME_EXPORT const SSL_METHOD *TLSv1_2_client_method(void);
SESAME_EXPORT const SSL_METHOD *TLSv1_2_server_method(void);
SESAME_EXPORT const SSL_METHOD *TLSv1_1_method(void);
SESAME_EXPORT const SSL_METHOD *TLSv1_1_client_method(void);
SESAME_EXPORT const SSL_METHOD *TLSv1_1_server_method(void);
SESAME_EXPORT const SSL_METHOD *TLSv1_method(void);
SESAME_EXPORT const SSL_METHOD *TLSv1_client_method(void);
SESAME_EXPORT const SSL_METHOD *TLSv1_server_method(void);

const SSL_METHOD *TLSv1_2_method(void)
{
    return &k_tls12_any;
}
const SSL_METHOD *TLSv1_2_client_method(void)
{
    return &k_tls12_client;
}
const SSL_METHOD *TLSv1_2_server_method(void)
{
    return &k_tls12_server;
}
const SSL_METHOD *TLSv1_1_method(void)
{
    return &k_tls11_any;
}
const SSL_METHOD *TLSv1_1_client_method(void)
{
    return &k_tls11_client;
}
const SSL_METHOD *TLSv1_1_server_method(void)
{
    return &k_tls11_server;
}
const SSL_METHOD *TLSv1_method(void)
{
    return &k_tls10_any;
}
const SSL_METHOD *TLSv1_client_method(void)
{
    return &k_tls10_client;
}
const SSL_METHOD *TLSv1_server_method(void)
{
    return &k_tls10_server;
}

const SSL_METHOD *SSL_CTX_get_ssl_method(const SSL_CTX *ctx)
{
    return ctx->method;
}
const SSL_METHOD *SSL_get_ssl_method(const SSL *s)
{
    return s->method;
}

int SSL_set_ssl_method(SSL *s, const SSL_METHOD *meth)
{
    if (meth == NULL)
        return 0;
    s->method = meth;
    if (meth->role == 1)
        s->server = 0;
    else if (meth->role == 2)
        s->server = 1;
    if (meth->version != TLS_ANY_VERSION)
        s->cfg.min_version = s->cfg.max_version = meth->version;
    return 1;
}

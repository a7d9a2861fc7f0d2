/* The verification settings and results (the verification itself is
 * auth/verify_chain.c). */
#include "internal.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>

#include "api/api.h"
#include "auth/auth.h"

int SSL_get_ex_data_X509_STORE_CTX_idx(void)
{
    return auth_store_ctx_ssl_idx();
}

/* ---- results and settings ---- */

long SSL_get_verify_result(const SSL *s)
{
    return s->verify_result;
}

int SSL_set1_host(SSL *s, const char *host)
{
    if (host != NULL) {
        ERR_set_mark();
        int ip = X509_VERIFY_PARAM_set1_ip_asc(s->cfg.param, host) == 1;
        ERR_pop_to_mark();
        if (ip)
            return 1;
    }
    return X509_VERIFY_PARAM_set1_host(s->cfg.param, host, 0);
}

int SSL_add1_host(SSL *s, const char *host)
{
    if (host != NULL) {
        ASN1_OCTET_STRING *ip = a2i_IPADDRESS(host);
        if (ip != NULL) {
            ASN1_OCTET_STRING_free(ip);
            char *old = X509_VERIFY_PARAM_get1_ip_asc(s->cfg.param);
            if (old != NULL) {
                OPENSSL_free(old);
                return 0; /* one IP address only */
            }
            return X509_VERIFY_PARAM_set1_ip_asc(s->cfg.param, host);
        }
    }
    return X509_VERIFY_PARAM_add1_host(s->cfg.param, host, 0);
}

void SSL_set_hostflags(SSL *s, unsigned int flags)
{
    X509_VERIFY_PARAM_set_hostflags(s->cfg.param, flags);
}

const char *SSL_get0_peername(SSL *s)
{
    return X509_VERIFY_PARAM_get0_peername(s->cfg.param);
}

X509_VERIFY_PARAM *SSL_CTX_get0_param(SSL_CTX *ctx)
{
    return ctx->cfg.param;
}
X509_VERIFY_PARAM *SSL_get0_param(SSL *s)
{
    return s->cfg.param;
}
int SSL_CTX_set1_param(SSL_CTX *ctx, X509_VERIFY_PARAM *vpm)
{
    return X509_VERIFY_PARAM_set1(ctx->cfg.param, vpm);
}
int SSL_set1_param(SSL *s, X509_VERIFY_PARAM *vpm)
{
    return X509_VERIFY_PARAM_set1(s->cfg.param, vpm);
}

int SSL_CTX_set_purpose(SSL_CTX *ctx, int purpose)
{
    return X509_VERIFY_PARAM_set_purpose(ctx->cfg.param, purpose);
}
int SSL_set_purpose(SSL *s, int purpose)
{
    return X509_VERIFY_PARAM_set_purpose(s->cfg.param, purpose);
}
int SSL_CTX_set_trust(SSL_CTX *ctx, int trust)
{
    return X509_VERIFY_PARAM_set_trust(ctx->cfg.param, trust);
}
int SSL_set_trust(SSL *s, int trust)
{
    return X509_VERIFY_PARAM_set_trust(s->cfg.param, trust);
}

/* ---- the peer's certificates ---- */

X509 *SSL_get0_peer_certificate(const SSL *s)
{
    /* The session parses its stored DER on first use (session_peer.c). */
    return s != NULL && s->session != NULL ? sess_peer_leaf(s->session->peer) : NULL;
}

X509 *SSL_get1_peer_certificate(const SSL *s)
{
    X509 *x = SSL_get0_peer_certificate(s);
    if (x != NULL)
        X509_up_ref(x);
    return x;
}

/* OpenSSL's asymmetry: a client gets the chain including the leaf, a server
 * the chain without the client's own certificate. */
STACK_OF(X509) * SSL_get_peer_cert_chain(const SSL *s)
{
    if (s == NULL || s->session == NULL)
        return NULL;
    if (s->server == 1)
        return s->peer_chain_nl;
    return sess_peer_chain(s->session->peer);
}

STACK_OF(X509) * SSL_get0_verified_chain(const SSL *s)
{
    return s->verified_chain;
}

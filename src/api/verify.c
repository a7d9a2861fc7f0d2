/* The verification settings and results (the verification itself is
 * auth/verify_chain.c). */
#include "internal.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>

#include "api/api.h"
#include "auth/auth.h"
#include "handshake/conn.h"

int SSL_get_ex_data_X509_STORE_CTX_idx(void)
{
    return auth_store_ctx_ssl_idx();
}

/* ---- results and settings ---- */

long SSL_get_verify_result(const SSL *s)
{
    return s->verify_result;
}

/* The verify parameters are in the configuration block an SSL shares with
 * its context until either changes it: these are the writable ones (a
 * copy of the block made first if it is shared); NULL on allocation
 * failure. */
static X509_VERIFY_PARAM *param_mut(struct ssl_config *c)
{
    struct ssl_config_shared *w = cfg_shared_mut(c);
    return w != NULL ? w->param : NULL;
}

/* For a setter that cannot report a failure: the connection fails rather
 * than run with settings it was not given. */
static X509_VERIFY_PARAM *ssl_param_mut_or_fail(SSL *s)
{
    X509_VERIFY_PARAM *p = param_mut(&s->cfg);
    if (p == NULL)
        ssl_fatal(s, 0);
    return p;
}

int SSL_set1_host(SSL *s, const char *host)
{
    X509_VERIFY_PARAM *param = param_mut(&s->cfg);
    if (param == NULL)
        return 0;
    if (host != NULL) {
        ERR_set_mark();
        int ip = X509_VERIFY_PARAM_set1_ip_asc(param, host) == 1;
        ERR_pop_to_mark();
        if (ip)
            return 1;
    }
    return X509_VERIFY_PARAM_set1_host(param, host, 0);
}

int SSL_add1_host(SSL *s, const char *host)
{
    X509_VERIFY_PARAM *param = param_mut(&s->cfg);
    if (param == NULL)
        return 0;
    if (host != NULL) {
        ASN1_OCTET_STRING *ip = a2i_IPADDRESS(host);
        if (ip != NULL) {
            ASN1_OCTET_STRING_free(ip);
            char *old = X509_VERIFY_PARAM_get1_ip_asc(param);
            if (old != NULL) {
                OPENSSL_free(old);
                return 0; /* one IP address only */
            }
            return X509_VERIFY_PARAM_set1_ip_asc(param, host);
        }
    }
    return X509_VERIFY_PARAM_add1_host(param, host, 0);
}

void SSL_set_hostflags(SSL *s, unsigned int flags)
{
    X509_VERIFY_PARAM *param = ssl_param_mut_or_fail(s);
    if (param != NULL)
        X509_VERIFY_PARAM_set_hostflags(param, flags);
}

const char *SSL_get0_peername(SSL *s)
{
    return s->peername;
}

/* The application may change what these return at any time: the block is
 * made this object's own and never shared again (auth/config.h). */
X509_VERIFY_PARAM *SSL_CTX_get0_param(SSL_CTX *ctx)
{
    struct ssl_config_shared *w = cfg_shared_escape(&ctx->cfg);
    return w != NULL ? w->param : NULL;
}
X509_VERIFY_PARAM *SSL_get0_param(SSL *s)
{
    struct ssl_config_shared *w = cfg_shared_escape(&s->cfg);
    return w != NULL ? w->param : NULL;
}
int SSL_CTX_set1_param(SSL_CTX *ctx, X509_VERIFY_PARAM *vpm)
{
    X509_VERIFY_PARAM *param = param_mut(&ctx->cfg);
    return param != NULL && X509_VERIFY_PARAM_set1(param, vpm);
}
int SSL_set1_param(SSL *s, X509_VERIFY_PARAM *vpm)
{
    X509_VERIFY_PARAM *param = param_mut(&s->cfg);
    return param != NULL && X509_VERIFY_PARAM_set1(param, vpm);
}

int SSL_CTX_set_purpose(SSL_CTX *ctx, int purpose)
{
    X509_VERIFY_PARAM *param = param_mut(&ctx->cfg);
    return param != NULL && X509_VERIFY_PARAM_set_purpose(param, purpose);
}
int SSL_set_purpose(SSL *s, int purpose)
{
    X509_VERIFY_PARAM *param = param_mut(&s->cfg);
    return param != NULL && X509_VERIFY_PARAM_set_purpose(param, purpose);
}
int SSL_CTX_set_trust(SSL_CTX *ctx, int trust)
{
    X509_VERIFY_PARAM *param = param_mut(&ctx->cfg);
    return param != NULL && X509_VERIFY_PARAM_set_trust(param, trust);
}
int SSL_set_trust(SSL *s, int trust)
{
    X509_VERIFY_PARAM *param = param_mut(&s->cfg);
    return param != NULL && X509_VERIFY_PARAM_set_trust(param, trust);
}

void ssl_set_verify_depth(SSL *s, int depth)
{
    X509_VERIFY_PARAM *param = ssl_param_mut_or_fail(s);
    s->cfg.verify_depth = depth;
    if (param != NULL)
        X509_VERIFY_PARAM_set_depth(param, depth);
}

void ssl_ctx_set_verify_depth(SSL_CTX *ctx, int depth)
{
    /* (a context that cannot copy its block keeps the old depth; the
     * allocation failure is in the error queue) */
    X509_VERIFY_PARAM *param = param_mut(&ctx->cfg);
    ctx->cfg.verify_depth = depth;
    if (param != NULL)
        X509_VERIFY_PARAM_set_depth(param, depth);
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

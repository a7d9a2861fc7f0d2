/* Peer certificate verification and the verification settings/results. */
#include "internal.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>

#include "api/api.h"
#include "codec/consts.h"

/* ---- the X509_STORE_CTX ex_data index holding the SSL ---- */

static int g_store_ctx_idx = -1;
static pthread_once_t g_store_ctx_once = PTHREAD_ONCE_INIT;

static void new_store_ctx_idx(void)
{
    g_store_ctx_idx =
        X509_STORE_CTX_get_ex_new_index(0, "SSL for verify callback", NULL, NULL, NULL);
}

int SSL_get_ex_data_X509_STORE_CTX_idx(void)
{
    pthread_once(&g_store_ctx_once, new_store_ctx_idx);
    return g_store_ctx_idx;
}

/* ---- X509_V_ERR_* -> alert, the mapping OpenSSL 3.0 uses ---- */

uint8_t ssl_verify_alert(long err)
{
    switch (err) {
    case X509_V_ERR_APPLICATION_VERIFICATION:
        return CODEC_ALERT_HANDSHAKE_FAILURE;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CRL_HAS_EXPIRED:
        return CODEC_ALERT_CERTIFICATE_EXPIRED;
    case X509_V_ERR_CERT_REVOKED:
        return CODEC_ALERT_CERTIFICATE_REVOKED;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
        return CODEC_ALERT_DECRYPT_ERROR;
    case X509_V_ERR_CERT_CHAIN_TOO_LONG:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return CODEC_ALERT_UNKNOWN_CA;
    case X509_V_ERR_INVALID_PURPOSE:
        return CODEC_ALERT_UNSUPPORTED_CERTIFICATE;
    case X509_V_ERR_INVALID_CALL:
    case X509_V_ERR_OUT_OF_MEM:
    case X509_V_ERR_STORE_LOOKUP:
        return CODEC_ALERT_INTERNAL_ERROR;
    case X509_V_ERR_CA_KEY_TOO_SMALL:
    case X509_V_ERR_EC_KEY_EXPLICIT_PARAMS:
    case X509_V_ERR_CA_MD_TOO_WEAK:
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CERT_REJECTED:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_DANE_NO_MATCH:
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_EMAIL_MISMATCH:
    case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
    case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
    case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
    case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
        return CODEC_ALERT_BAD_CERTIFICATE;
    default:
        return CODEC_ALERT_CERTIFICATE_UNKNOWN;
    }
}

/* ---- verification ---- */

int ssl_verify_peer_chain(SSL *s, STACK_OF(X509) * chain, uint8_t *out_alert)
{
    X509_STORE *store = s->cfg.verify_store != NULL ? s->cfg.verify_store : s->ctx->cert_store;
    X509_STORE_CTX *xctx = NULL;
    int ok = 0;

    *out_alert = CODEC_ALERT_INTERNAL_ERROR;
    if (chain == NULL || sk_X509_num(chain) == 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_NO_CERTIFICATES_RETURNED);
        return 0;
    }
    if ((xctx = X509_STORE_CTX_new_ex(s->ctx->libctx, s->ctx->propq)) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    if (!X509_STORE_CTX_init(xctx, store, sk_X509_value(chain, 0), chain)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_X509_LIB);
        goto end;
    }
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(xctx);
    X509_VERIFY_PARAM_set_auth_level(param, s->cfg.security_level);
    if (!X509_STORE_CTX_set_ex_data(xctx, SSL_get_ex_data_X509_STORE_CTX_idx(), s)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_X509_LIB);
        goto end;
    }
    /* a server verifies client certificates and vice versa */
    X509_STORE_CTX_set_default(xctx, s->server == 1 ? "ssl_client" : "ssl_server");
    /* our own settings (host names, depth, purpose) win over the defaults */
    X509_VERIFY_PARAM_set1(param, s->cfg.param);
    if (s->cfg.verify_cb != NULL)
        X509_STORE_CTX_set_verify_cb(xctx, s->cfg.verify_cb);

    int r;
    if (s->ctx->app_verify_cb != NULL)
        r = s->ctx->app_verify_cb(xctx, s->ctx->app_verify_arg);
    else
        r = X509_verify_cert(xctx);
    s->verify_result = X509_STORE_CTX_get_error(xctx);

    sk_X509_pop_free(s->verified_chain, X509_free);
    s->verified_chain = NULL;
    if (X509_STORE_CTX_get0_chain(xctx) != NULL)
        s->verified_chain = X509_STORE_CTX_get1_chain(xctx);
    /* SSL_get0_peername reports the name that matched */
    X509_VERIFY_PARAM_move_peername(s->cfg.param, param);

    if (r > 0) {
        ok = 1;
    } else if (s->cfg.verify_mode == SSL_VERIFY_NONE) {
        /* only recorded: SSL_get_verify_result tells the application */
        ok = 1;
    } else {
        *out_alert = ssl_verify_alert(s->verify_result);
        ERR_raise(ERR_LIB_SSL, SSL_R_CERTIFICATE_VERIFY_FAILED);
        goto end;
    }
    /* a failure that does not stop the handshake leaves no error behind,
     * as OpenSSL clears it (the result stays in verify_result) */
    ERR_clear_error();
end:
    X509_STORE_CTX_free(xctx);
    return ok;
}

/* ---- parsed peer certificates, shared per thread ---- */

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

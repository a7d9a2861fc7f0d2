/* Verifying the peer's certificate chain with the application's store and
 * callbacks, and the alert each verification error earns. */
#include "internal.h"

#include "auth/auth.h"
#include "base/once.h"
#include "codec/consts.h"

/* ---- the X509_STORE_CTX ex_data index holding the SSL ---- */

/* Made on first use; a failure (allocation) is not remembered, so the next
 * call tries again (base/once.h). */
static int g_store_ctx_idx = -1;
static SESAME_ONCE g_store_ctx_once = SESAME_ONCE_INIT;

static int store_ctx_idx_init(void *arg)
{
    (void)arg;
    g_store_ctx_idx =
        X509_STORE_CTX_get_ex_new_index(0, "SSL for verify callback", NULL, NULL, NULL);
    return g_store_ctx_idx >= 0;
}

int auth_store_ctx_ssl_idx(void)
{
    return sesame_once(&g_store_ctx_once, store_ctx_idx_init, NULL) ? g_store_ctx_idx : -1;
}

/* ---- X509_V_ERR_* -> alert, the mapping OpenSSL 3.0 uses ---- */

uint8_t auth_verify_alert(long err)
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

int auth_verify_chain(const struct auth_verify_params *p, STACK_OF(X509) * chain, long *out_result,
                      STACK_OF(X509) * *out_verified, uint8_t *out_alert)
{
    X509_STORE_CTX *xctx = NULL;
    int ok = 0, idx;

    *out_alert = CODEC_ALERT_INTERNAL_ERROR;
    *out_verified = NULL;
    if (chain == NULL || sk_X509_num(chain) == 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_NO_CERTIFICATES_RETURNED);
        return 0;
    }
    if ((idx = auth_store_ctx_ssl_idx()) < 0 ||
        (xctx = X509_STORE_CTX_new_ex(p->libctx, p->propq)) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    if (!X509_STORE_CTX_init(xctx, p->store, sk_X509_value(chain, 0), chain)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_X509_LIB);
        goto end;
    }
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(xctx);
    X509_VERIFY_PARAM_set_auth_level(param, p->security_level);
    if (!X509_STORE_CTX_set_ex_data(xctx, idx, p->ssl)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_X509_LIB);
        goto end;
    }
    /* a server verifies client certificates and vice versa */
    if (!X509_STORE_CTX_set_default(xctx, p->peer_is_client ? "ssl_client" : "ssl_server") ||
        /* our own settings (host names, depth, purpose) win over the defaults */
        !X509_VERIFY_PARAM_set1(param, p->param)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_X509_LIB);
        goto end;
    }
    if (p->verify_cb != NULL)
        X509_STORE_CTX_set_verify_cb(xctx, p->verify_cb);

    int r;
    if (p->app_verify_cb != NULL)
        r = p->app_verify_cb(xctx, p->app_verify_arg);
    else
        r = X509_verify_cert(xctx);
    *out_result = X509_STORE_CTX_get_error(xctx);
    if (X509_STORE_CTX_get0_chain(xctx) != NULL &&
        (*out_verified = X509_STORE_CTX_get1_chain(xctx)) == NULL) {
        /* SSL_get0_verified_chain must not come out empty after a success */
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        goto end;
    }
    /* SSL_get0_peername reports the name that matched */
    const char *matched = X509_VERIFY_PARAM_get0_peername(param);
    if (matched != NULL) {
        char *copy = OPENSSL_strdup(matched);
        if (copy == NULL) {
            ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
            goto end;
        }
        OPENSSL_free(*p->peername);
        *p->peername = copy;
    }

    if (r > 0) {
        ok = 1;
    } else if (p->verify_mode == SSL_VERIFY_NONE) {
        /* only recorded: SSL_get_verify_result tells the application */
        ok = 1;
    } else {
        *out_alert = auth_verify_alert(*out_result);
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

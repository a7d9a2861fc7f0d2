/* The chain we send when the application gave none: the issuers of our
 * certificate found in a store, as OpenSSL 3.0 builds it ("auto chain",
 * unless SSL_MODE_NO_AUTO_CHAIN).  Issuers are looked up by name and key
 * identifier (X509_STORE_CTX_get1_issuer); nothing is verified here -- the
 * peer does that -- so a partial chain is sent as far as it goes. */
#include "internal.h"

#include "auth/auth.h"
#include "auth/cert_cache.h"

STACK_OF(X509) * auth_auto_chain(X509_STORE *store, X509 *leaf)
{
    if (store == NULL || leaf == NULL)
        return NULL;
    STACK_OF(X509) *out = NULL;
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    ERR_set_mark();
    if (ctx != NULL && X509_STORE_CTX_init(ctx, store, leaf, NULL)) {
        X509 *cur = leaf;
        for (int depth = 0; depth < CERT_DER_MAX_CHAIN && X509_self_signed(cur, 0) != 1; depth++) {
            X509 *issuer = NULL;
            if (X509_STORE_CTX_get1_issuer(&issuer, ctx, cur) <= 0 || issuer == NULL)
                break;
            if ((out == NULL && (out = sk_X509_new_null()) == NULL) || !sk_X509_push(out, issuer)) {
                X509_free(issuer);
                break;
            }
            cur = issuer;
        }
    }
    X509_STORE_CTX_free(ctx);
    ERR_pop_to_mark(); /* a store without the issuer is no error */
    return out;
}

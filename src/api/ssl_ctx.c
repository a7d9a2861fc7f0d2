/* SSL_CTX: creation, reference counting, destruction, ex_data. */
#include "internal.h"

#include <string.h>

#include "api/api.h"
#include "api/session_hooks.h"

SSL_CTX *SSL_CTX_new_ex(OSSL_LIB_CTX *libctx, const char *propq, const SSL_METHOD *meth)
{
    SSL_CTX *ctx;

    if (meth == NULL) {
        ERR_raise(ERR_LIB_SSL, SSL_R_NULL_SSL_METHOD_PASSED);
        return NULL;
    }
    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, NULL))
        return NULL;
    if ((ctx = OPENSSL_zalloc(sizeof(*ctx))) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return NULL;
    }
    atomic_init(&ctx->references, 1);
    ctx->method = meth;
    ctx->libctx = libctx;
    ctx->session_cache_mode = SSL_SESS_CACHE_SERVER;
    ctx->session_timeout = 7200; /* RFC-less OpenSSL default, SSL_get_default_timeout */
    if (!cfg_init(&ctx->cfg))
        goto err_nocfg;
    if (meth->version != TLS_ANY_VERSION)
        ctx->cfg.min_version = ctx->cfg.max_version = meth->version;
    if (propq != NULL && (ctx->propq = OPENSSL_strdup(propq)) == NULL)
        goto err_mem;
    if ((ctx->cert_store = X509_STORE_new()) == NULL ||
        (ctx->client_ca_names = sk_X509_NAME_new_null()) == NULL ||
        (ctx->ca_names = sk_X509_NAME_new_null()) == NULL ||
        (ctx->ctlog_store = CTLOG_STORE_new_ex(libctx, propq)) == NULL)
        goto err_mem;
    if (!CRYPTO_new_ex_data(CRYPTO_EX_INDEX_SSL_CTX, ctx, &ctx->ex_data))
        goto err_mem;
    if (!sess_cache_init(ctx) || !ticket_keys_init(ctx)) {
        /* the session layer raised the error; tear down what exists */
        SSL_CTX_free(ctx);
        return NULL;
    }
    conf_apply_system_default(ctx);
    sess_store_ctx_init(ctx); /* SESAME_SESSION_STORE */
    return ctx;
err_mem:
    ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
    cfg_free(&ctx->cfg);
err_nocfg:
    X509_STORE_free(ctx->cert_store);
    sk_X509_NAME_free(ctx->client_ca_names);
    sk_X509_NAME_free(ctx->ca_names);
    CTLOG_STORE_free(ctx->ctlog_store);
    OPENSSL_free(ctx->propq);
    OPENSSL_free(ctx);
    return NULL;
}

SSL_CTX *SSL_CTX_new(const SSL_METHOD *meth)
{
    return SSL_CTX_new_ex(NULL, NULL, meth);
}

int SSL_CTX_up_ref(SSL_CTX *ctx)
{
    atomic_fetch_add(&ctx->references, 1);
    return 1;
}

void SSL_CTX_free(SSL_CTX *ctx)
{
    if (ctx == NULL)
        return;
    if (atomic_fetch_sub(&ctx->references, 1) != 1)
        return;
    /* The remove-session callback may look at the SSL_CTX's ex_data, so the
     * cache goes first. */
    sess_cache_cleanup(ctx);
    CRYPTO_free_ex_data(CRYPTO_EX_INDEX_SSL_CTX, ctx, &ctx->ex_data);
    ticket_keys_cleanup(&ctx->tickets);
    sess_store_ctx_free(ctx);
    cfg_free(&ctx->cfg);
    X509_STORE_free(ctx->cert_store);
    sk_X509_NAME_pop_free(ctx->client_ca_names, X509_NAME_free);
    sk_X509_NAME_pop_free(ctx->ca_names, X509_NAME_free);
    CTLOG_STORE_free(ctx->ctlog_store);
    sk_X509_pop_free(ctx->extra_certs, X509_free);
    OPENSSL_free(ctx->propq);
    OPENSSL_free(ctx);
}

int SSL_CTX_set_ex_data(SSL_CTX *ctx, int idx, void *data)
{
    return CRYPTO_set_ex_data(&ctx->ex_data, idx, data);
}

void *SSL_CTX_get_ex_data(const SSL_CTX *ctx, int idx)
{
    return CRYPTO_get_ex_data(&ctx->ex_data, idx);
}

/* ---- Certificate Transparency log store (no SCT validation) ---- */

int SSL_CTX_set_default_ctlog_list_file(SSL_CTX *ctx)
{
    return CTLOG_STORE_load_default_file(ctx->ctlog_store);
}

int SSL_CTX_set_ctlog_list_file(SSL_CTX *ctx, const char *path)
{
    return CTLOG_STORE_load_file(ctx->ctlog_store, path);
}

void SSL_CTX_set0_ctlog_store(SSL_CTX *ctx, CTLOG_STORE *logs)
{
    CTLOG_STORE_free(ctx->ctlog_store);
    ctx->ctlog_store = logs;
}

const CTLOG_STORE *SSL_CTX_get0_ctlog_store(const SSL_CTX *ctx)
{
    return ctx->ctlog_store;
}

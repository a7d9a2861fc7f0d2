/* Certificates, private keys, chains, client CA lists and trust stores. */
#include "internal.h"

#include <string.h>

#include "api/api.h"
#include "auth/auth.h"
#include "auth/cert_cache.h"
#include "auth/sigalgs.h"
#include "codec/cipher_suites.h"
#include "codec/groups.h"

int SSL_CTX_use_certificate(SSL_CTX *ctx, X509 *x)
{
    return auth_set_cert(&ctx->cfg, x);
}
int SSL_use_certificate(SSL *s, X509 *x)
{
    return auth_set_cert(&s->cfg, x);
}
int SSL_CTX_use_PrivateKey(SSL_CTX *ctx, EVP_PKEY *pkey)
{
    return auth_set_key(&ctx->cfg, pkey);
}
int SSL_use_PrivateKey(SSL *s, EVP_PKEY *pkey)
{
    return auth_set_key(&s->cfg, pkey);
}

static X509 *read_cert_file(const char *file, int type, pem_password_cb *cb, void *u,
                            OSSL_LIB_CTX *libctx, const char *propq)
{
    BIO *in = BIO_new_file(file, "r");
    X509 *x = NULL;
    if (in == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_SYS_LIB);
        return NULL;
    }
    if (type != SSL_FILETYPE_ASN1 && type != SSL_FILETYPE_PEM) {
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_SSL_FILETYPE);
        goto end;
    }
    if ((x = X509_new_ex(libctx, propq)) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        goto end;
    }
    if (type == SSL_FILETYPE_ASN1) {
        if (d2i_X509_bio(in, &x) == NULL) {
            ERR_raise(ERR_LIB_SSL, ERR_R_ASN1_LIB);
            X509_free(x);
            x = NULL;
        }
    } else if (PEM_read_bio_X509(in, &x, cb, u) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PEM_LIB);
        X509_free(x);
        x = NULL;
    }
end:
    BIO_free(in);
    return x;
}

int SSL_CTX_use_certificate_file(SSL_CTX *ctx, const char *file, int type)
{
    X509 *x = read_cert_file(file, type, ctx->default_passwd_cb, ctx->default_passwd_cb_userdata,
                             ctx->libctx, ctx->propq);
    int ret = x != NULL && auth_set_cert(&ctx->cfg, x);
    X509_free(x);
    return ret;
}

int SSL_use_certificate_file(SSL *s, const char *file, int type)
{
    X509 *x = read_cert_file(file, type, s->default_passwd_cb, s->default_passwd_cb_userdata,
                             s->ctx->libctx, s->ctx->propq);
    int ret = x != NULL && auth_set_cert(&s->cfg, x);
    X509_free(x);
    return ret;
}

int SSL_CTX_use_certificate_ASN1(SSL_CTX *ctx, int len, const unsigned char *d)
{
    const unsigned char *p = d;
    X509 *x = X509_new_ex(ctx->libctx, ctx->propq);
    if (x == NULL || d2i_X509(&x, &p, (long)len) == NULL) {
        X509_free(x);
        ERR_raise(ERR_LIB_SSL, ERR_R_ASN1_LIB);
        return 0;
    }
    int ret = auth_set_cert(&ctx->cfg, x);
    X509_free(x);
    return ret;
}

int SSL_use_certificate_ASN1(SSL *s, const unsigned char *d, int len)
{
    const unsigned char *p = d;
    X509 *x = X509_new_ex(s->ctx->libctx, s->ctx->propq);
    if (x == NULL || d2i_X509(&x, &p, (long)len) == NULL) {
        X509_free(x);
        ERR_raise(ERR_LIB_SSL, ERR_R_ASN1_LIB);
        return 0;
    }
    int ret = auth_set_cert(&s->cfg, x);
    X509_free(x);
    return ret;
}

static EVP_PKEY *read_key_file(const char *file, int type, pem_password_cb *cb, void *u,
                               OSSL_LIB_CTX *libctx, const char *propq)
{
    BIO *in = BIO_new_file(file, "r");
    EVP_PKEY *k = NULL;
    if (in == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_SYS_LIB);
        return NULL;
    }
    if (type == SSL_FILETYPE_PEM) {
        k = PEM_read_bio_PrivateKey_ex(in, NULL, cb, u, libctx, propq);
        if (k == NULL)
            ERR_raise(ERR_LIB_SSL, ERR_R_PEM_LIB);
    } else if (type == SSL_FILETYPE_ASN1) {
        k = d2i_PrivateKey_ex_bio(in, NULL, libctx, propq);
        if (k == NULL)
            ERR_raise(ERR_LIB_SSL, ERR_R_ASN1_LIB);
    } else {
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_SSL_FILETYPE);
    }
    BIO_free(in);
    return k;
}

int SSL_CTX_use_PrivateKey_file(SSL_CTX *ctx, const char *file, int type)
{
    EVP_PKEY *k = read_key_file(file, type, ctx->default_passwd_cb, ctx->default_passwd_cb_userdata,
                                ctx->libctx, ctx->propq);
    int ret = k != NULL && auth_set_key(&ctx->cfg, k);
    EVP_PKEY_free(k);
    return ret;
}

int SSL_use_PrivateKey_file(SSL *s, const char *file, int type)
{
    EVP_PKEY *k = read_key_file(file, type, s->default_passwd_cb, s->default_passwd_cb_userdata,
                                s->ctx->libctx, s->ctx->propq);
    int ret = k != NULL && auth_set_key(&s->cfg, k);
    EVP_PKEY_free(k);
    return ret;
}

int SSL_CTX_use_PrivateKey_ASN1(int type, SSL_CTX *ctx, const unsigned char *d, long len)
{
    const unsigned char *p = d;
    EVP_PKEY *k = d2i_PrivateKey_ex(type, NULL, &p, len, ctx->libctx, ctx->propq);
    if (k == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_ASN1_LIB);
        return 0;
    }
    int ret = auth_set_key(&ctx->cfg, k);
    EVP_PKEY_free(k);
    return ret;
}

int SSL_use_PrivateKey_ASN1(int type, SSL *s, const unsigned char *d, long len)
{
    const unsigned char *p = d;
    EVP_PKEY *k = d2i_PrivateKey_ex(type, NULL, &p, len, s->ctx->libctx, s->ctx->propq);
    if (k == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_ASN1_LIB);
        return 0;
    }
    int ret = auth_set_key(&s->cfg, k);
    EVP_PKEY_free(k);
    return ret;
}

/* Deprecated RSA* variants, wrapped into an EVP_PKEY. */
static int set_rsa(struct ssl_config *c, RSA *rsa)
{
    EVP_PKEY *k;
    if (rsa == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_NULL_PARAMETER);
        return 0;
    }
    if ((k = EVP_PKEY_new()) == NULL || !EVP_PKEY_set1_RSA(k, rsa)) {
        EVP_PKEY_free(k);
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    int ret = auth_set_key(c, k);
    EVP_PKEY_free(k);
    return ret;
}

int SSL_CTX_use_RSAPrivateKey(SSL_CTX *ctx, RSA *rsa)
{
    return set_rsa(&ctx->cfg, rsa);
}
int SSL_use_RSAPrivateKey(SSL *s, RSA *rsa)
{
    return set_rsa(&s->cfg, rsa);
}

static RSA *read_rsa_file(const char *file, int type, pem_password_cb *cb, void *u)
{
    BIO *in = BIO_new_file(file, "r");
    RSA *rsa = NULL;
    if (in == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_SYS_LIB);
        return NULL;
    }
    if (type == SSL_FILETYPE_PEM) {
        if ((rsa = PEM_read_bio_RSAPrivateKey(in, NULL, cb, u)) == NULL)
            ERR_raise(ERR_LIB_SSL, ERR_R_PEM_LIB);
    } else if (type == SSL_FILETYPE_ASN1) {
        if ((rsa = d2i_RSAPrivateKey_bio(in, NULL)) == NULL)
            ERR_raise(ERR_LIB_SSL, ERR_R_ASN1_LIB);
    } else {
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_SSL_FILETYPE);
    }
    BIO_free(in);
    return rsa;
}

int SSL_CTX_use_RSAPrivateKey_file(SSL_CTX *ctx, const char *file, int type)
{
    RSA *rsa = read_rsa_file(file, type, ctx->default_passwd_cb, ctx->default_passwd_cb_userdata);
    int ret = rsa != NULL && set_rsa(&ctx->cfg, rsa);
    RSA_free(rsa);
    return ret;
}

int SSL_use_RSAPrivateKey_file(SSL *s, const char *file, int type)
{
    RSA *rsa = read_rsa_file(file, type, s->default_passwd_cb, s->default_passwd_cb_userdata);
    int ret = rsa != NULL && set_rsa(&s->cfg, rsa);
    RSA_free(rsa);
    return ret;
}

int SSL_CTX_use_RSAPrivateKey_ASN1(SSL_CTX *ctx, const unsigned char *d, long len)
{
    const unsigned char *p = d;
    RSA *rsa = d2i_RSAPrivateKey(NULL, &p, len);
    if (rsa == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_ASN1_LIB);
        return 0;
    }
    int ret = set_rsa(&ctx->cfg, rsa);
    RSA_free(rsa);
    return ret;
}

int SSL_use_RSAPrivateKey_ASN1(SSL *s, const unsigned char *d, long len)
{
    const unsigned char *p = d;
    RSA *rsa = d2i_RSAPrivateKey(NULL, &p, len);
    if (rsa == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_ASN1_LIB);
        return 0;
    }
    int ret = set_rsa(&s->cfg, rsa);
    RSA_free(rsa);
    return ret;
}

/* ---- chains ---- */

int cert_add_chain(struct ssl_config *c, X509 *x, int up_ref)
{
    if (x == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_NULL_PARAMETER);
        return 0;
    }
    struct ssl_config_shared *sh = cfg_shared_mut(c);
    if (sh == NULL)
        return 0;
    CERT_SLOT *slot = &sh->certs[c->cert_current];
    if (slot->chain == NULL && (slot->chain = sk_X509_new_null()) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    if (!sk_X509_push(slot->chain, x)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    if (up_ref)
        X509_up_ref(x);
    auth_slot_refresh_der(slot);
    return 1;
}

int cert_set_chain(struct ssl_config *c, STACK_OF(X509) * chain, int dup)
{
    struct ssl_config_shared *sh = cfg_shared_mut(c);
    if (sh == NULL)
        return 0;
    CERT_SLOT *slot = &sh->certs[c->cert_current];
    STACK_OF(X509) *n = chain;
    if (chain != NULL && dup && (n = X509_chain_up_ref(chain)) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    sk_X509_pop_free(slot->chain, X509_free);
    slot->chain = n;
    auth_slot_refresh_der(slot);
    return 1;
}

int cert_set_current(struct ssl_config *c, long op)
{
    int start;
    if (op == SSL_CERT_SET_FIRST)
        start = 0;
    else if (op == SSL_CERT_SET_NEXT)
        start = c->cert_current + 1;
    else
        return 0;
    for (int i = start; i < CERT_NUM_SLOTS; i++)
        if (c->sh->certs[i].x509 != NULL && c->sh->certs[i].pkey != NULL) {
            c->cert_current = i;
            return 1;
        }
    return 0;
}

int cert_select_current_x509(struct ssl_config *c, X509 *x)
{
    if (x == NULL)
        return 0;
    for (int i = 0; i < CERT_NUM_SLOTS; i++)
        if (c->sh->certs[i].x509 != NULL && X509_cmp(c->sh->certs[i].x509, x) == 0) {
            c->cert_current = i;
            return 1;
        }
    return 0;
}

static int use_chain_file(struct ssl_config *c, const char *file, pem_password_cb *cb, void *u,
                          OSSL_LIB_CTX *libctx, const char *propq)
{
    BIO *in;
    X509 *x = NULL;
    int ret = 0;

    ERR_clear_error(); /* the end-of-file check below reads the queue */
    if ((in = BIO_new_file(file, "r")) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_SYS_LIB);
        return 0;
    }
    if ((x = X509_new_ex(libctx, propq)) == NULL || PEM_read_bio_X509_AUX(in, &x, cb, u) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PEM_LIB);
        goto end;
    }
    if (!auth_set_cert(c, x) || ERR_peek_error() != 0)
        goto end;
    if (!cert_set_chain(c, NULL, 0))
        goto end;
    for (;;) {
        X509 *ca = X509_new_ex(libctx, propq);
        if (ca == NULL) {
            ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
            goto end;
        }
        if (PEM_read_bio_X509(in, &ca, cb, u) == NULL) {
            X509_free(ca);
            break;
        }
        if (!cert_add_chain(c, ca, 0)) {
            X509_free(ca);
            goto end;
        }
    }
    /* running out of certificates ends the loop with PEM_R_NO_START_LINE */
    unsigned long err = ERR_peek_last_error();
    if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
        ERR_clear_error();
        ret = 1;
    }
end:
    X509_free(x);
    BIO_free(in);
    return ret;
}

int SSL_CTX_use_certificate_chain_file(SSL_CTX *ctx, const char *file)
{
    return use_chain_file(&ctx->cfg, file, ctx->default_passwd_cb, ctx->default_passwd_cb_userdata,
                          ctx->libctx, ctx->propq);
}

int SSL_use_certificate_chain_file(SSL *s, const char *file)
{
    return use_chain_file(&s->cfg, file, s->default_passwd_cb, s->default_passwd_cb_userdata,
                          s->ctx->libctx, s->ctx->propq);
}

static int use_cert_and_key(struct ssl_config *c, X509 *x, EVP_PKEY *pkey, STACK_OF(X509) * chain,
                            int override)
{
    EVP_PKEY *pub = x != NULL ? X509_get0_pubkey(x) : NULL;
    if (x == NULL || pkey == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_NULL_PARAMETER);
        return 0;
    }
    if (pub == NULL) {
        ERR_raise(ERR_LIB_SSL, SSL_R_X509_LIB);
        return 0;
    }
    if (!X509_check_private_key(x, pkey)) {
        ERR_raise(ERR_LIB_SSL, SSL_R_PRIVATE_KEY_MISMATCH);
        return 0;
    }
    int i = auth_slot_for_key(pkey);
    if (i < 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_UNKNOWN_CERTIFICATE_TYPE);
        return 0;
    }
    if (!override && (c->sh->certs[i].x509 != NULL || c->sh->certs[i].pkey != NULL)) {
        ERR_raise(ERR_LIB_SSL, SSL_R_NOT_REPLACING_CERTIFICATE);
        return 0;
    }
    STACK_OF(X509) *dup = NULL;
    struct ssl_config_shared *sh = cfg_shared_mut(c);
    if (sh == NULL)
        return 0;
    if (chain != NULL && (dup = X509_chain_up_ref(chain)) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    cfg_cert_slot_free(&sh->certs[i]);
    X509_up_ref(x);
    EVP_PKEY_up_ref(pkey);
    sh->certs[i].x509 = x;
    sh->certs[i].pkey = pkey;
    sh->certs[i].chain = dup;
    auth_slot_refresh_der(&sh->certs[i]);
    c->cert_current = i;
    return 1;
}

int SSL_CTX_use_cert_and_key(SSL_CTX *ctx, X509 *x509, EVP_PKEY *privatekey, STACK_OF(X509) * chain,
                             int override)
{
    return use_cert_and_key(&ctx->cfg, x509, privatekey, chain, override);
}

int SSL_use_cert_and_key(SSL *s, X509 *x509, EVP_PKEY *privatekey, STACK_OF(X509) * chain,
                         int override)
{
    return use_cert_and_key(&s->cfg, x509, privatekey, chain, override);
}

/* ---- checks and getters ---- */

static int check_key(const struct ssl_config *c)
{
    const CERT_SLOT *slot = &c->sh->certs[c->cert_current];
    if (slot->x509 == NULL) {
        ERR_raise(ERR_LIB_SSL, SSL_R_NO_CERTIFICATE_ASSIGNED);
        return 0;
    }
    if (slot->pkey == NULL) {
        ERR_raise(ERR_LIB_SSL, SSL_R_NO_PRIVATE_KEY_ASSIGNED);
        return 0;
    }
    return X509_check_private_key(slot->x509, slot->pkey);
}

int SSL_CTX_check_private_key(const SSL_CTX *ctx)
{
    return check_key(&ctx->cfg);
}
int SSL_check_private_key(const SSL *s)
{
    return check_key(&s->cfg);
}

X509 *SSL_CTX_get0_certificate(const SSL_CTX *ctx)
{
    return ctx->cfg.sh->certs[ctx->cfg.cert_current].x509;
}
EVP_PKEY *SSL_CTX_get0_privatekey(const SSL_CTX *ctx)
{
    return ctx->cfg.sh->certs[ctx->cfg.cert_current].pkey;
}

X509 *SSL_get_certificate(const SSL *s)
{
    if (s->own_cert != NULL)
        return s->own_cert;
    return s->cfg.sh->certs[s->cfg.cert_current].x509;
}

EVP_PKEY *SSL_get_privatekey(const SSL *s)
{
    if (s->own_key != NULL)
        return s->own_key;
    return s->cfg.sh->certs[s->cfg.cert_current].pkey;
}

/* ---- client CA names ---- */

void SSL_CTX_set_client_CA_list(SSL_CTX *ctx, STACK_OF(X509_NAME) * list)
{
    sk_X509_NAME_pop_free(ctx->client_ca_names, X509_NAME_free);
    ctx->client_ca_names = list;
}

void SSL_set_client_CA_list(SSL *s, STACK_OF(X509_NAME) * list)
{
    sk_X509_NAME_pop_free(s->client_ca_names, X509_NAME_free);
    s->client_ca_names = list;
}

STACK_OF(X509_NAME) * SSL_CTX_get_client_CA_list(const SSL_CTX *ctx)
{
    return ctx->client_ca_names;
}

/* A client sees the names the server sent; a server its own list. */
STACK_OF(X509_NAME) * SSL_get_client_CA_list(const SSL *s)
{
    if (s->server != 1)
        return s->peer_ca_names;
    return s->client_ca_names != NULL ? s->client_ca_names : s->ctx->client_ca_names;
}

static int add_ca_name(STACK_OF(X509_NAME) * *sk, X509 *x)
{
    X509_NAME *name;
    if (x == NULL)
        return 0;
    if (*sk == NULL && (*sk = sk_X509_NAME_new_null()) == NULL)
        return 0;
    if ((name = X509_NAME_dup(X509_get_subject_name(x))) == NULL)
        return 0;
    if (!sk_X509_NAME_push(*sk, name)) {
        X509_NAME_free(name);
        return 0;
    }
    return 1;
}

int SSL_CTX_add_client_CA(SSL_CTX *ctx, X509 *x)
{
    return add_ca_name(&ctx->client_ca_names, x);
}
int SSL_add_client_CA(SSL *s, X509 *x)
{
    return add_ca_name(&s->client_ca_names, x);
}

static int name_cmp(const X509_NAME *const *a, const X509_NAME *const *b)
{
    return X509_NAME_cmp(*a, *b);
}

int cert_add_file_names(STACK_OF(X509_NAME) * out, const char *file, OSSL_LIB_CTX *libctx,
                        const char *propq)
{
    BIO *in = BIO_new_file(file, "r");
    int ret = 0;
    STACK_OF(X509_NAME) *seen = sk_X509_NAME_new(name_cmp);
    if (in == NULL || seen == NULL) {
        ERR_raise(ERR_LIB_SSL, in == NULL ? ERR_R_SYS_LIB : ERR_R_MALLOC_FAILURE);
        goto end;
    }
    for (int i = 0; i < sk_X509_NAME_num(out); i++)
        if (!sk_X509_NAME_push(seen, sk_X509_NAME_value(out, i)))
            goto end;
    sk_X509_NAME_sort(seen);
    for (;;) {
        X509 *x = X509_new_ex(libctx, propq);
        if (x == NULL)
            goto end;
        if (PEM_read_bio_X509(in, &x, NULL, NULL) == NULL) {
            X509_free(x);
            break;
        }
        X509_NAME *nm = X509_get_subject_name(x);
        if (sk_X509_NAME_find(seen, nm) < 0) {
            X509_NAME *dup = X509_NAME_dup(nm);
            if (dup == NULL || !sk_X509_NAME_push(out, dup) || !sk_X509_NAME_push(seen, dup)) {
                X509_NAME_free(dup);
                X509_free(x);
                goto end;
            }
            sk_X509_NAME_sort(seen);
        }
        X509_free(x);
    }
    ERR_clear_error(); /* PEM_R_NO_START_LINE at the end of the file */
    ret = 1;
end:
    sk_X509_NAME_free(seen);
    BIO_free(in);
    return ret;
}

STACK_OF(X509_NAME) *
    SSL_load_client_CA_file_ex(const char *file, OSSL_LIB_CTX *libctx, const char *propq)
{
    STACK_OF(X509_NAME) *sk = sk_X509_NAME_new_null();
    if (sk == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return NULL;
    }
    if (!cert_add_file_names(sk, file, libctx, propq) || sk_X509_NAME_num(sk) == 0) {
        sk_X509_NAME_pop_free(sk, X509_NAME_free);
        return NULL;
    }
    return sk;
}

STACK_OF(X509_NAME) * SSL_load_client_CA_file(const char *file)
{
    return SSL_load_client_CA_file_ex(file, NULL, NULL);
}

int SSL_add_file_cert_subjects_to_stack(STACK_OF(X509_NAME) * stack, const char *file)
{
    return cert_add_file_names(stack, file, NULL, NULL);
}

/* ---- trust store ---- */

void SSL_CTX_set_cert_store(SSL_CTX *ctx, X509_STORE *store)
{
    X509_STORE_free(ctx->cert_store);
    ctx->cert_store = store;
}

void SSL_CTX_set1_cert_store(SSL_CTX *ctx, X509_STORE *store)
{
    if (store != NULL)
        X509_STORE_up_ref(store);
    SSL_CTX_set_cert_store(ctx, store);
}

X509_STORE *SSL_CTX_get_cert_store(const SSL_CTX *ctx)
{
    return ctx->cert_store;
}

int SSL_CTX_load_verify_file(SSL_CTX *ctx, const char *file)
{
    return X509_STORE_load_file_ex(ctx->cert_store, file, ctx->libctx, ctx->propq);
}

int SSL_CTX_load_verify_dir(SSL_CTX *ctx, const char *dir)
{
    return X509_STORE_load_path(ctx->cert_store, dir);
}

int SSL_CTX_load_verify_store(SSL_CTX *ctx, const char *uri)
{
    return X509_STORE_load_store_ex(ctx->cert_store, uri, ctx->libctx, ctx->propq);
}

int SSL_CTX_load_verify_locations(SSL_CTX *ctx, const char *file, const char *path)
{
    if (file == NULL && path == NULL)
        return 0;
    if (file != NULL && !SSL_CTX_load_verify_file(ctx, file))
        return 0;
    if (path != NULL && !SSL_CTX_load_verify_dir(ctx, path))
        return 0;
    return 1;
}

int SSL_CTX_set_default_verify_paths(SSL_CTX *ctx)
{
    return X509_STORE_set_default_paths_ex(ctx->cert_store, ctx->libctx, ctx->propq);
}

/* The three below succeed even if the default location does not exist. */
int SSL_CTX_set_default_verify_dir(SSL_CTX *ctx)
{
    X509_LOOKUP *l = X509_STORE_add_lookup(ctx->cert_store, X509_LOOKUP_hash_dir());
    if (l == NULL)
        return 0;
    ERR_set_mark();
    X509_LOOKUP_add_dir(l, NULL, X509_FILETYPE_DEFAULT);
    ERR_pop_to_mark();
    return 1;
}

int SSL_CTX_set_default_verify_file(SSL_CTX *ctx)
{
    X509_LOOKUP *l = X509_STORE_add_lookup(ctx->cert_store, X509_LOOKUP_file());
    if (l == NULL)
        return 0;
    ERR_set_mark();
    X509_LOOKUP_load_file_ex(l, NULL, X509_FILETYPE_DEFAULT, ctx->libctx, ctx->propq);
    ERR_pop_to_mark();
    return 1;
}

int SSL_CTX_set_default_verify_store(SSL_CTX *ctx)
{
    X509_LOOKUP *l = X509_STORE_add_lookup(ctx->cert_store, X509_LOOKUP_store());
    if (l == NULL)
        return 0;
    ERR_set_mark();
    X509_LOOKUP_add_store_ex(l, NULL, ctx->libctx, ctx->propq);
    ERR_pop_to_mark();
    return 1;
}

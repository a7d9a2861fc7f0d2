/* struct ssl_config: the settings an SSL_CTX holds and each SSL copies. */
#include "internal.h"

#include <string.h>

#include "api/api.h"
#include "auth/cert_cache.h"
#include "auth/sigalgs.h"
#include "codec/cipher_suites.h"
#include "codec/groups.h"

int cfg_rebuild_ciphers(struct ssl_config *c)
{
    STACK_OF(SSL_CIPHER) *sk = sk_SSL_CIPHER_new_null();
    if (sk == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    /* TLS 1.3 suites first, as OpenSSL lists them */
    for (size_t i = 0; i < c->num_suites13; i++)
        if (!sk_SSL_CIPHER_push(sk, c->suites13[i]))
            goto err;
    for (size_t i = 0; i < c->num_suites12; i++)
        if (!sk_SSL_CIPHER_push(sk, c->suites12[i]))
            goto err;
    sk_SSL_CIPHER_free(c->cipher_stack);
    c->cipher_stack = sk;
    return 1;
err:
    sk_SSL_CIPHER_free(sk);
    ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
    return 0;
}

int cfg_init(struct ssl_config *c)
{
    memset(c, 0, sizeof(*c));
    c->verify_mode = SSL_VERIFY_NONE;
    c->verify_depth = -1; /* unset: X509_VERIFY_PARAM's default (100) applies */
    c->num_tickets = 2;
    c->max_send_fragment = SESAME_MAX_PLAINTEXT;
    c->security_level = 2; /* Debian builds OpenSSL with OPENSSL_TLS_SECURITY_LEVEL=2 */
    c->cert_current = CERT_SLOT_EC;
    c->mode = SSL_MODE_AUTO_RETRY;
    c->options = SSL_OP_ENABLE_MIDDLEBOX_COMPAT | SSL_OP_NO_COMPRESSION;
    suites_default_tls13(c->suites13, &c->num_suites13);
    suites_default_tls12(c->suites12, &c->num_suites12);
    groups_default(c->groups, &c->num_groups);
    sigalgs_default(c->sigalgs, &c->num_sigalgs);
    c->param = X509_VERIFY_PARAM_new();
    if (c->param == NULL || !cfg_rebuild_ciphers(c)) {
        cfg_free(c);
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    return 1;
}

void cfg_cert_slot_free(CERT_SLOT *slot)
{
    X509_free(slot->x509);
    EVP_PKEY_free(slot->pkey);
    sk_X509_pop_free(slot->chain, X509_free);
    cert_der_free(slot->der);
    memset(slot, 0, sizeof(*slot));
}

int cfg_cert_slot_copy(CERT_SLOT *dst, const CERT_SLOT *src)
{
    memset(dst, 0, sizeof(*dst));
    if (src->chain != NULL && (dst->chain = X509_chain_up_ref(src->chain)) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    if (src->x509 != NULL && X509_up_ref(src->x509))
        dst->x509 = src->x509;
    if (src->pkey != NULL && EVP_PKEY_up_ref(src->pkey))
        dst->pkey = src->pkey;
    /* the encoded chain is immutable: shared, not copied */
    if (src->der != NULL) {
        cert_der_up_ref(src->der);
        dst->der = src->der;
    }
    return 1;
}

int cfg_copy(struct ssl_config *dst, const struct ssl_config *src)
{
    *dst = *src;
    /* clear every owned pointer before duplicating, so cfg_free is safe */
    dst->param = NULL;
    dst->cipher_stack = NULL;
    dst->alpn = NULL;
    dst->psk_identity_hint = NULL;
    dst->verify_store = dst->chain_store = NULL;
    dst->dh_tmp = NULL;
    memset(dst->certs, 0, sizeof(dst->certs));

    if ((dst->param = X509_VERIFY_PARAM_new()) == NULL ||
        !X509_VERIFY_PARAM_inherit(dst->param, src->param))
        goto err;
    for (int i = 0; i < CERT_NUM_SLOTS; i++)
        if (!cfg_cert_slot_copy(&dst->certs[i], &src->certs[i]))
            goto err;
    if (src->alpn != NULL) {
        if ((dst->alpn = OPENSSL_memdup(src->alpn, src->alpn_len)) == NULL)
            goto err;
    }
    if (src->psk_identity_hint != NULL &&
        (dst->psk_identity_hint = OPENSSL_strdup(src->psk_identity_hint)) == NULL)
        goto err;
    if (src->verify_store != NULL && X509_STORE_up_ref(src->verify_store))
        dst->verify_store = src->verify_store;
    if (src->chain_store != NULL && X509_STORE_up_ref(src->chain_store))
        dst->chain_store = src->chain_store;
    if (src->dh_tmp != NULL) {
        if (!EVP_PKEY_up_ref(src->dh_tmp))
            goto err;
        dst->dh_tmp = src->dh_tmp;
    }
    if (!cfg_rebuild_ciphers(dst))
        goto err;
    return 1;
err:
    ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
    cfg_free(dst);
    return 0;
}

void cfg_free(struct ssl_config *c)
{
    X509_VERIFY_PARAM_free(c->param);
    c->param = NULL;
    for (int i = 0; i < CERT_NUM_SLOTS; i++)
        cfg_cert_slot_free(&c->certs[i]);
    sk_SSL_CIPHER_free(c->cipher_stack);
    c->cipher_stack = NULL;
    OPENSSL_free(c->alpn);
    c->alpn = NULL;
    c->alpn_len = 0;
    OPENSSL_free(c->psk_identity_hint);
    c->psk_identity_hint = NULL;
    X509_STORE_free(c->verify_store);
    X509_STORE_free(c->chain_store);
    c->verify_store = c->chain_store = NULL;
    EVP_PKEY_free(c->dh_tmp);
    c->dh_tmp = NULL;
}

/* struct ssl_config: the settings an SSL_CTX holds and each SSL copies, its
 * large part shared until written.  See config.h. */
#include "internal.h"

#include <string.h>

#include "auth/cert_cache.h"
#include "auth/config.h"
#include "auth/sigalgs.h"
#include "codec/cipher_suites.h"
#include "codec/groups.h"

int cfg_rebuild_ciphers(struct ssl_config_shared *sh)
{
    STACK_OF(SSL_CIPHER) *sk = sk_SSL_CIPHER_new_null();
    if (sk == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    /* TLS 1.3 suites first, as OpenSSL lists them */
    for (size_t i = 0; i < sh->num_suites13; i++)
        if (!sk_SSL_CIPHER_push(sk, sh->suites13[i]))
            goto err;
    for (size_t i = 0; i < sh->num_suites12; i++)
        if (!sk_SSL_CIPHER_push(sk, sh->suites12[i]))
            goto err;
    sk_SSL_CIPHER_free(sh->cipher_stack);
    sh->cipher_stack = sk;
    return 1;
err:
    sk_SSL_CIPHER_free(sk);
    ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
    return 0;
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

/* shared_free drops a reference to |sh|, freeing it with the last. */
static void shared_free(const struct ssl_config_shared *csh)
{
    /* the one place that writes through the const view: the count, and
     * the block once nobody else can see it */
    struct ssl_config_shared *sh = (struct ssl_config_shared *)csh;
    if (sh == NULL || atomic_fetch_sub(&sh->references, 1) != 1)
        return;
    X509_VERIFY_PARAM_free(sh->param);
    for (int i = 0; i < CERT_NUM_SLOTS; i++)
        cfg_cert_slot_free(&sh->certs[i]);
    sk_SSL_CIPHER_free(sh->cipher_stack);
    OPENSSL_free(sh->alpn);
    OPENSSL_free(sh->psk_identity_hint);
    X509_STORE_free(sh->verify_store);
    X509_STORE_free(sh->chain_store);
    EVP_PKEY_free(sh->dh_tmp);
    OPENSSL_free(sh);
}

/* shared_dup: a block of its own with the same settings (certificates
 * and keys up-ref'd, chains, ALPN and the verify parameters duplicated). */
static struct ssl_config_shared *shared_dup(const struct ssl_config_shared *src)
{
    struct ssl_config_shared *d = OPENSSL_malloc(sizeof(*d));
    if (d == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return NULL;
    }
    /* everything after the two atomics, which other threads may be
     * changing in |src| (the count) and which start afresh here */
    const size_t first = offsetof(struct ssl_config_shared, param);
    memcpy((uint8_t *)d + first, (const uint8_t *)src + first, sizeof(*d) - first);
    atomic_init(&d->references, 1);
    atomic_init(&d->escaped, 0);
    /* clear every owned pointer before duplicating, so shared_free is safe */
    d->param = NULL;
    d->cipher_stack = NULL;
    d->alpn = NULL;
    d->psk_identity_hint = NULL;
    d->verify_store = d->chain_store = NULL;
    d->dh_tmp = NULL;
    memset(d->certs, 0, sizeof(d->certs));

    if ((d->param = X509_VERIFY_PARAM_new()) == NULL ||
        !X509_VERIFY_PARAM_inherit(d->param, src->param))
        goto err;
    for (int i = 0; i < CERT_NUM_SLOTS; i++)
        if (!cfg_cert_slot_copy(&d->certs[i], &src->certs[i]))
            goto err;
    if (src->alpn != NULL && (d->alpn = OPENSSL_memdup(src->alpn, src->alpn_len)) == NULL)
        goto err;
    if (src->psk_identity_hint != NULL &&
        (d->psk_identity_hint = OPENSSL_strdup(src->psk_identity_hint)) == NULL)
        goto err;
    if (src->verify_store != NULL && X509_STORE_up_ref(src->verify_store))
        d->verify_store = src->verify_store;
    if (src->chain_store != NULL && X509_STORE_up_ref(src->chain_store))
        d->chain_store = src->chain_store;
    if (src->dh_tmp != NULL) {
        if (!EVP_PKEY_up_ref(src->dh_tmp))
            goto err;
        d->dh_tmp = src->dh_tmp;
    }
    if (!cfg_rebuild_ciphers(d))
        goto err;
    return d;
err:
    ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
    shared_free(d);
    return NULL;
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
    struct ssl_config_shared *sh = OPENSSL_zalloc(sizeof(*sh));
    if (sh == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    atomic_init(&sh->references, 1);
    atomic_init(&sh->escaped, 0);
    suites_default_tls13(sh->suites13, &sh->num_suites13);
    suites_default_tls12(sh->suites12, &sh->num_suites12);
    groups_default(sh->groups, &sh->num_groups);
    sigalgs_default(sh->sigalgs, &sh->num_sigalgs);
    sh->param = X509_VERIFY_PARAM_new();
    if (sh->param == NULL || !cfg_rebuild_ciphers(sh)) {
        shared_free(sh);
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    c->sh = sh;
    return 1;
}

int cfg_copy(struct ssl_config *dst, const struct ssl_config *src)
{
    *dst = *src;
    struct ssl_config_shared *sh = (struct ssl_config_shared *)src->sh;
    if (atomic_load(&sh->escaped)) {
        /* the application may change it behind our back: a copy */
        if ((dst->sh = shared_dup(src->sh)) == NULL)
            return 0;
        return 1;
    }
    atomic_fetch_add(&sh->references, 1);
    return 1;
}

void cfg_free(struct ssl_config *c)
{
    shared_free(c->sh);
    c->sh = NULL;
}

struct ssl_config_shared *cfg_shared_mut(struct ssl_config *c)
{
    struct ssl_config_shared *sh = (struct ssl_config_shared *)c->sh;
    /* Only references we hold are ever added to a block (SSL_new up-refs
     * the context's), so a count of one stays one while we write. */
    if (atomic_load(&sh->references) == 1)
        return sh;
    struct ssl_config_shared *own = shared_dup(sh);
    if (own == NULL)
        return NULL;
    shared_free(sh);
    c->sh = own;
    return own;
}

struct ssl_config_shared *cfg_shared_escape(struct ssl_config *c)
{
    struct ssl_config_shared *sh = cfg_shared_mut(c);
    if (sh != NULL)
        atomic_store(&sh->escaped, 1);
    return sh;
}

int cfg_shared_is_own(const struct ssl_config *c)
{
    return atomic_load(&((struct ssl_config_shared *)c->sh)->references) == 1;
}

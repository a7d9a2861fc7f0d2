/* Our certificates and keys, one slot per key type: installing them into a
 * configuration (the SSL_CTX_use_* / SSL_use_* functions, and a client
 * certificate callback's answer during the handshake). */
#include "internal.h"

#include "auth/config.h"

#include "auth/auth.h"
#include "auth/cert_cache.h"

int auth_slot_for_key(const EVP_PKEY *pkey)
{
    if (pkey == NULL)
        return -1;
    if (EVP_PKEY_is_a(pkey, "EC"))
        return CERT_SLOT_EC;
    if (EVP_PKEY_is_a(pkey, "RSA"))
        return CERT_SLOT_RSA;
    if (EVP_PKEY_is_a(pkey, "RSA-PSS"))
        return CERT_SLOT_RSA_PSS;
    if (EVP_PKEY_is_a(pkey, "ED25519"))
        return CERT_SLOT_ED25519;
    if (EVP_PKEY_is_a(pkey, "ED448"))
        return CERT_SLOT_ED448;
    return -1;
}

/* At configuration time, so handshakes send the cached bytes. */
void auth_slot_refresh_der(CERT_SLOT *slot)
{
    cert_der_free(slot->der);
    slot->der = slot->x509 != NULL ? cert_der_new(slot->x509, slot->chain) : NULL;
}

int auth_set_cert(struct ssl_config *c, X509 *x)
{
    if (x == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_NULL_PARAMETER);
        return 0;
    }
    EVP_PKEY *pub = X509_get0_pubkey(x);
    if (pub == NULL) {
        ERR_raise(ERR_LIB_SSL, SSL_R_X509_LIB);
        return 0;
    }
    int i = auth_slot_for_key(pub);
    if (i < 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_UNKNOWN_CERTIFICATE_TYPE);
        return 0;
    }
    struct ssl_config_shared *sh = cfg_shared_mut(c);
    if (sh == NULL)
        return 0;
    CERT_SLOT *slot = &sh->certs[i];
    /* a key that does not match the new certificate is dropped, as OpenSSL does */
    if (slot->pkey != NULL) {
        ERR_set_mark();
        if (!X509_check_private_key(x, slot->pkey)) {
            EVP_PKEY_free(slot->pkey);
            slot->pkey = NULL;
        }
        ERR_pop_to_mark();
    }
    X509_up_ref(x);
    X509_free(slot->x509);
    slot->x509 = x;
    auth_slot_refresh_der(slot);
    c->cert_current = i;
    return 1;
}

int auth_set_key(struct ssl_config *c, EVP_PKEY *pkey)
{
    if (pkey == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_NULL_PARAMETER);
        return 0;
    }
    int i = auth_slot_for_key(pkey);
    if (i < 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_UNKNOWN_PKEY_TYPE);
        return 0;
    }
    if (c->sh->certs[i].x509 != NULL && !X509_check_private_key(c->sh->certs[i].x509, pkey))
        return 0; /* X509_check_private_key raised X509_R_KEY_VALUES_MISMATCH */
    struct ssl_config_shared *sh = cfg_shared_mut(c);
    if (sh == NULL)
        return 0;
    CERT_SLOT *slot = &sh->certs[i];
    EVP_PKEY_up_ref(pkey);
    EVP_PKEY_free(slot->pkey);
    slot->pkey = pkey;
    c->cert_current = i;
    return 1;
}

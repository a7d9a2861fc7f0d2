/* Authentication below the handshake: choosing our certificate for the
 * peer's signature schemes, and verifying the peer's chain.  Knows keys,
 * certificates and stores, not SSL* (the SSL travels as an opaque pointer
 * for the verification callbacks). */
#ifndef SESAME_AUTH_AUTH_H
#define SESAME_AUTH_AUTH_H

#include "internal.h"

/* ---- cert_slots.c ---- */

/* auth_slot_for_key: CERT_SLOT_* for the key's type, or -1 if unsupported. */
int auth_slot_for_key(const EVP_PKEY *pkey);
/* auth_slot_refresh_der re-encodes a slot's certificate and chain after
 * either changed (configuration time); failing to encode is no error (the
 * handshake then encodes). */
void auth_slot_refresh_der(CERT_SLOT *slot);
/* auth_set_cert installs |x| (a new reference) in its key type's slot and
 * makes it current; a key in that slot that does not match is dropped. */
int auth_set_cert(struct ssl_config *c, X509 *x) WUR;
/* auth_set_key installs |pkey| (a new reference) in its type's slot; it must
 * match the slot's certificate if there is one. */
int auth_set_key(struct ssl_config *c, EVP_PKEY *pkey) WUR;

/* ---- cert_select.c ---- */

/* Slot masks for auth_select_cert: every slot, and the key types a TLS 1.2
 * suite's authentication allows (RFC 8422 5.1.2: ECDSA suites take EdDSA
 * keys too; RSA suites RSA and RSA-PSS keys). */
#define AUTH_SLOTS_ALL ((1u << CERT_NUM_SLOTS) - 1)
#define AUTH_SLOTS_ECDSA                                                                           \
    ((1u << CERT_SLOT_EC) | (1u << CERT_SLOT_ED25519) | (1u << CERT_SLOT_ED448))
#define AUTH_SLOTS_RSA ((1u << CERT_SLOT_RSA) | (1u << CERT_SLOT_RSA_PSS))

/* auth_auto_chain: |leaf|'s issuers found in |store|, nearest first, up
 * to a self-signed one (OpenSSL's auto chain); NULL when there are none.
 * The caller frees it with sk_X509_pop_free. */
STACK_OF(X509) * auth_auto_chain(X509_STORE *store, X509 *leaf);

/* auth_ec_key_group: the named group (RFC 8422) of an EC key's curve; 0
 * for another key type or a curve we do not name. */
uint16_t auth_ec_key_group(const EVP_PKEY *pkey);

/* auth_select_cert picks one of |certs| (CERT_NUM_SLOTS slots) whose bit is
 * in |slots| and a signature scheme: the first of |ours| (our preference
 * order) that the peer's list |peer| (u16 values, no length prefix) names
 * and that a slot's key can sign with, trying slot |current| first.
 * |tls13| applies TLS 1.3 rules.  Fails with
 * SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM. */
int auth_select_cert(const CERT_SLOT *certs, int current, unsigned slots, const uint16_t *ours,
                     size_t num_ours, const CBS *peer, int tls13, int *out_slot,
                     uint16_t *out_sigalg) WUR;

/* auth_have_cert: 1 if some slot holds a certificate and its key. */
int auth_have_cert(const CERT_SLOT *certs);

/* ---- verify_chain.c ---- */

/* What chain verification needs to know of the connection. */
struct auth_verify_params {
    OSSL_LIB_CTX *libctx;
    const char *propq;
    X509_STORE *store;
    const X509_VERIFY_PARAM *param; /* ours (host names, depth, purpose) */
    char **peername;                /* receives the peer name that matched (replacing it) */
    int security_level;
    int peer_is_client; /* purpose "ssl_client" (a server verifying a client) */
    int verify_mode;    /* SSL_VERIFY_*: NONE records the result only */
    SSL_verify_cb verify_cb;
    int (*app_verify_cb)(X509_STORE_CTX *, void *);
    void *app_verify_arg;
    void *ssl; /* set as the store context's SSL ex_data */
};

/* auth_verify_chain verifies |chain| (leaf first).  *out_result receives the
 * X509_V_* code, *out_verified the chain X509_verify_cert built (or NULL;
 * the caller frees it).  Returns 1 if the handshake may continue, else 0
 * with *out_alert set and SSL_R_CERTIFICATE_VERIFY_FAILED raised. */
int auth_verify_chain(const struct auth_verify_params *p, STACK_OF(X509) * chain, long *out_result,
                      STACK_OF(X509) * *out_verified, uint8_t *out_alert) WUR;

/* auth_verify_alert: the TLS alert OpenSSL sends for an X509_V_ERR_* code. */
uint8_t auth_verify_alert(long x509_err);

/* auth_store_ctx_ssl_idx: the X509_STORE_CTX ex_data index holding the SSL
 * (SSL_get_ex_data_X509_STORE_CTX_idx); -1 if it cannot be created now
 * (a later call tries again). */
int auth_store_ctx_ssl_idx(void);

#endif

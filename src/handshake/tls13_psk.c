/* External PSKs from the TLS 1.2-style PSK callbacks, used for TLS 1.3 the
 * way OpenSSL 3.0 does: the key is bound to TLS_AES_128_GCM_SHA256's hash
 * (SHA-256) and the identity is the callback's NUL-terminated string. */
#include "internal.h"

#include <string.h>

#include "handshake/hs.h"
#include "codec/cipher_suites.h"

SSL_SESSION *tls13_psk_session(const uint8_t *id, size_t id_len, const uint8_t *key, size_t key_len)
{
    if (key_len == 0 || key_len > sizeof(((SSL_SESSION *)0)->master_key) || id_len == 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_PSK_IDENTITY_NOT_FOUND);
        return NULL;
    }
    SSL_SESSION *ss = SSL_SESSION_new();
    if (ss == NULL)
        return NULL;
    ss->version = TLS1_3_VERSION;
    ss->cipher = suite_by_value(0x1301);
    memcpy(ss->master_key, key, key_len);
    ss->master_key_len = key_len;
    ss->is_external_psk = 1;
    ss->ticket = OPENSSL_memdup(id, id_len);
    if (ss->ticket == NULL) {
        SSL_SESSION_free(ss);
        return NULL;
    }
    ss->ticket_len = id_len;
    return ss;
}

SSL_SESSION *tls13_psk_copy(const SSL_SESSION *app, const uint8_t *id, size_t id_len)
{
    if (app->cipher == NULL)
        return NULL;
    SSL_SESSION *ss = tls13_psk_session(id, id_len, app->master_key, app->master_key_len);
    if (ss == NULL)
        return NULL;
    ss->version = app->version;
    ss->cipher = app->cipher;
    ss->max_early_data = app->max_early_data;
    return ss;
}

SSL_SESSION *tls13_psk_from_client_cb(SSL *s)
{
    char identity[PSK_MAX_IDENTITY_LEN + 1];
    uint8_t psk[PSK_MAX_PSK_LEN];
    memset(identity, 0, sizeof(identity));
    unsigned int n =
        s->cfg.psk_client_cb(s, NULL, identity, sizeof(identity) - 1, psk, sizeof(psk));
    SSL_SESSION *ss = NULL;
    if (n > sizeof(psk)) {
        ERR_raise(ERR_LIB_SSL, SSL_R_PSK_IDENTITY_NOT_FOUND);
    } else if (n > 0) {
        identity[sizeof(identity) - 1] = 0;
        ss = tls13_psk_session((const uint8_t *)identity, strlen(identity), psk, n);
    }
    OPENSSL_cleanse(psk, sizeof(psk));
    return ss;
}

SSL_SESSION *tls13_psk_from_server_cb(SSL *s, const uint8_t *id, size_t id_len)
{
    char identity[PSK_MAX_IDENTITY_LEN + 1];
    uint8_t psk[PSK_MAX_PSK_LEN];
    if (id_len > PSK_MAX_IDENTITY_LEN || memchr(id, 0, id_len) != NULL)
        return NULL; /* not an identity the callback could name */
    memcpy(identity, id, id_len);
    identity[id_len] = 0;
    unsigned int n = s->cfg.psk_server_cb(s, identity, psk, sizeof(psk));
    SSL_SESSION *ss = NULL;
    if (n > 0 && n <= sizeof(psk))
        ss = tls13_psk_session(id, id_len, psk, n);
    OPENSSL_cleanse(psk, sizeof(psk));
    return ss;
}

/* Ephemeral (EC)DHE for the TLS 1.3 key_share: X25519, P-256, P-384.
 * RFC 8446 4.2.8.2 (uncompressed points), 7.4.1/7.4.2 (shared secrets). */
#include "internal.h"

#include <string.h>

#include "codec/consts.h"
#include "handshake/hs.h"

int kex_supported(uint16_t group)
{
    return group == CODEC_GROUP_X25519 || group == CODEC_GROUP_SECP256R1 ||
           group == CODEC_GROUP_SECP384R1;
}

static const char *ec_curve(uint16_t group)
{
    return group == CODEC_GROUP_SECP256R1 ? "P-256" : "P-384";
}

int kex_keygen(uint16_t group, EVP_PKEY **out_key, uint8_t *out_pub, size_t *out_pub_len)
{
    EVP_PKEY *key = NULL;
    size_t len;

    if (group == CODEC_GROUP_X25519) {
        /* A raw private key avoids a keygen context per handshake. */
        uint8_t priv[32];
        if (RAND_priv_bytes(priv, sizeof(priv)) != 1)
            goto err;
        key = EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL, priv, sizeof(priv));
        OPENSSL_cleanse(priv, sizeof(priv));
        if (key == NULL)
            goto err;
        len = 32;
        if (!EVP_PKEY_get_raw_public_key(key, out_pub, &len))
            goto err;
    } else if (kex_supported(group)) {
        key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", ec_curve(group));
        if (key == NULL)
            goto err;
        uint8_t *enc = NULL;
        len = EVP_PKEY_get1_encoded_public_key(key, &enc);
        if (len == 0 || len > 133) {
            OPENSSL_free(enc);
            goto err;
        }
        memcpy(out_pub, enc, len);
        OPENSSL_free(enc);
    } else {
        ERR_raise(ERR_LIB_SSL, SSL_R_UNSUPPORTED_ELLIPTIC_CURVE);
        return 0;
    }
    *out_key = key;
    *out_pub_len = len;
    return 1;
err:
    EVP_PKEY_free(key);
    ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
    return 0;
}

int kex_derive(uint16_t group, EVP_PKEY *key, const uint8_t *peer, size_t peer_len,
               uint8_t *out, size_t *out_len, uint8_t *out_alert)
{
    EVP_PKEY *pk = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    int ok = 0;

    *out_alert = CODEC_ALERT_INTERNAL_ERROR;
    if (group == CODEC_GROUP_X25519) {
        if (peer_len != 32)
            goto bad_share;
        pk = EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, peer, peer_len);
        if (pk == NULL)
            goto bad_share;
    } else {
        /* RFC 8446 4.2.8.2: only the uncompressed form is allowed. */
        size_t want = group == CODEC_GROUP_SECP256R1 ? 65 : 97;
        if (peer_len != want || peer[0] != 4)
            goto bad_share;
        pk = EVP_PKEY_new();
        if (pk == NULL || !EVP_PKEY_copy_parameters(pk, key))
            goto err;
        /* This checks the point is on the curve. */
        if (!EVP_PKEY_set1_encoded_public_key(pk, peer, peer_len))
            goto bad_share;
    }
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    if (ctx == NULL || EVP_PKEY_derive_init(ctx) <= 0)
        goto err;
    if (EVP_PKEY_derive_set_peer_ex(ctx, pk, 1) <= 0)
        goto bad_share;
    size_t n = 66;
    if (EVP_PKEY_derive(ctx, out, &n) <= 0)
        goto bad_share; /* includes the all-zero X25519 result */
    *out_len = n;
    ok = 1;
    goto done;
bad_share:
    *out_alert = CODEC_ALERT_ILLEGAL_PARAMETER;
    ERR_raise(ERR_LIB_SSL, SSL_R_BAD_ECPOINT);
    goto done;
err:
    ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
done:
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return ok;
}

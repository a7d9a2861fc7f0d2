/* HKDF and HKDF-Expand-Label on EVP_MAC HMAC: see hkdf.h.  The keyed
 * contexts come from the per-thread cache (keys/hmac_cache.c, which says
 * why not EVP_KDF).
 */
#include "keys/hkdf.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "keys/hmac_cache.h"

int tls13_hmac(const EVP_MD *md, uint8_t *out, const uint8_t *key, size_t key_len,
               const uint8_t *data, size_t len)
{
    HMAC_REF r;
    if (!hmac_ref_begin(&r, md, key, key_len))
        return 0;
    int ok = EVP_MAC_update(r.ctx, data, len) && hmac_ref_final(&r, out);
    hmac_ref_end(&r, ok);
    return ok;
}

int tls13_hkdf_extract(const EVP_MD *md, uint8_t *out, const uint8_t *salt, size_t salt_len,
                       const uint8_t *ikm, size_t ikm_len)
{
    /* RFC 5869 2.2: PRK = HMAC-Hash(salt, IKM); a missing salt is HashLen
     * zeros, which tls13_hmac already does for an empty key. */
    return tls13_hmac(md, out, salt_len ? salt : NULL, salt_len, ikm, ikm_len);
}

/* hk_expand: RFC 5869 2.3 with |info| given in two pieces so callers need
 * not concatenate.  T(0) = "", T(i) = HMAC(PRK, T(i-1) | info | i).  Every
 * block after the first restarts under the already-absorbed PRK. */
static int hk_expand(const EVP_MD *md, uint8_t *out, size_t out_len, const uint8_t *prk,
                     size_t prk_len, const uint8_t *info, size_t info_len)
{
    size_t md_len = hmac_md_len(md);
    if (md_len == 0)
        return 0;
    if (out_len > 255 * md_len) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    if (out_len == 0)
        return 1;
    HMAC_REF r;
    if (!hmac_ref_begin(&r, md, prk, prk_len))
        return 0;
    uint8_t t[EVP_MAX_MD_SIZE];
    size_t done = 0;
    int ok = 1;
    for (uint8_t i = 1; ok && done < out_len; i++) {
        ok = (i == 1 || (hmac_ref_restart(&r) && EVP_MAC_update(r.ctx, t, md_len))) &&
             EVP_MAC_update(r.ctx, info, info_len) && EVP_MAC_update(r.ctx, &i, 1) &&
             hmac_ref_final(&r, t);
        if (ok) {
            size_t n = out_len - done < md_len ? out_len - done : md_len;
            memcpy(out + done, t, n);
            done += n;
        }
    }
    OPENSSL_cleanse(t, sizeof(t));
    hmac_ref_end(&r, ok);
    return ok;
}

int tls13_hkdf_expand(const EVP_MD *md, uint8_t *out, size_t out_len, const uint8_t *prk,
                      size_t prk_len, const uint8_t *info, size_t info_len)
{
    return hk_expand(md, out, out_len, prk, prk_len, info, info_len);
}

int tls13_hkdf_expand_label_n(const EVP_MD *md, uint8_t *out, size_t out_len, const uint8_t *secret,
                              size_t secret_len, const uint8_t *label, size_t label_len,
                              const uint8_t *context, size_t context_len)
{
    static const uint8_t kPrefix[] = "tls13 ";
    /* RFC 8446 7.1:
     *   struct {
     *       uint16 length = Length;
     *       opaque label<7..255> = "tls13 " + Label;
     *       opaque context<0..255> = Context;
     *   } HkdfLabel;                                                      */
    uint8_t info[2 + 1 + 255 + 1 + 255];
    CBB cbb, child;
    size_t info_len;
    if (out_len > 0xffff || label_len > TLS13_MAX_LABEL_LEN || context_len > 255 ||
        (label_len > 0 && label == NULL) || (context_len > 0 && context == NULL)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    if (!cbb_init_fixed(&cbb, info, sizeof(info)) || !cbb_add_u16(&cbb, (uint16_t)out_len) ||
        !cbb_add_u8_prefixed(&cbb, &child) ||
        !cbb_add_bytes(&child, kPrefix, sizeof(kPrefix) - 1) ||
        !cbb_add_bytes(&child, label, label_len) || !cbb_add_u8_prefixed(&cbb, &child) ||
        !cbb_add_bytes(&child, context, context_len) || !cbb_finish(&cbb, NULL, &info_len)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    return hk_expand(md, out, out_len, secret, secret_len, info, info_len);
}

int tls13_hkdf_expand_label(const EVP_MD *md, uint8_t *out, size_t out_len, const uint8_t *secret,
                            size_t secret_len, const char *label, const uint8_t *context,
                            size_t context_len)
{
    if (label == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    return tls13_hkdf_expand_label_n(md, out, out_len, secret, secret_len, (const uint8_t *)label,
                                     strlen(label), context, context_len);
}

int tls13_derive_secret(const EVP_MD *md, uint8_t *out, const uint8_t *secret, const char *label,
                        const uint8_t *transcript_hash)
{
    /* RFC 8446 7.1: Derive-Secret(Secret, Label, Messages) =
     *   HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length) */
    size_t md_len = hmac_md_len(md);
    if (md_len == 0)
        return 0;
    return tls13_hkdf_expand_label(md, out, md_len, secret, md_len, label, transcript_hash, md_len);
}

/* Signing and verifying with a TLS SignatureScheme (RFC 8446 4.2.3). */
#include "internal.h"

#include <pthread.h>
#include <string.h>

#include "api/api.h"
#include "handshake/suites.h"
#include "keys/algs.h"

static EVP_MD *g_sha512;
static pthread_once_t g_sha512_once = PTHREAD_ONCE_INIT;
static void fetch_sha512(void) { g_sha512 = EVP_MD_fetch(NULL, "SHA512", NULL); }

/* md_for: the fetched digest of a scheme; NULL for EdDSA (md_nid undef). */
static int md_for(int md_nid, const EVP_MD **out)
{
    *out = NULL;
    if (md_nid == NID_undef)
        return 1;
    if (md_nid == NID_sha512) {
        pthread_once(&g_sha512_once, fetch_sha512);
        *out = g_sha512;
    } else {
        *out = algs_md_by_nid(md_nid);
    }
    if (*out == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    return 1;
}

/* key_curve_nid: the named curve of an EC key, NID_undef otherwise. */
static int key_curve_nid(const EVP_PKEY *key)
{
    char name[64];
    size_t len = 0;
    if (!EVP_PKEY_get_group_name(key, name, sizeof(name), &len))
        return NID_undef;
    int nid = OBJ_sn2nid(name);
    if (nid == NID_undef)
        nid = EC_curve_nist2nid(name);
    return nid;
}

static int key_matches(const EVP_PKEY *key, const struct sigalg_info *info, int tls13)
{
    switch (info->pkey_type) {
    case EVP_PKEY_EC:
        if (!EVP_PKEY_is_a(key, "EC"))
            return 0;
        /* RFC 8446 4.2.3: in TLS 1.3 the scheme names the curve */
        return !tls13 || key_curve_nid(key) == info->curve_nid;
    case EVP_PKEY_RSA:
        if (!EVP_PKEY_is_a(key, "RSA"))
            return 0;
        break;
    case EVP_PKEY_RSA_PSS:
        if (!EVP_PKEY_is_a(key, "RSA-PSS"))
            return 0;
        break;
    case EVP_PKEY_ED25519:
        return EVP_PKEY_is_a(key, "ED25519");
    case EVP_PKEY_ED448:
        return EVP_PKEY_is_a(key, "ED448");
    default:
        return 0;
    }
    if (info->pss) {
        /* RFC 8017 9.1.1: emLen >= hLen + sLen + 2 with sLen = hLen */
        int hlen = info->md_nid == NID_sha256 ? 32 : info->md_nid == NID_sha384 ? 48 : 64;
        if (EVP_PKEY_get_size(key) < 2 * hlen + 2)
            return 0;
    }
    return 1;
}

int sigalg_key_compatible(const EVP_PKEY *key, uint16_t sigalg, int tls13)
{
    const struct sigalg_info *info = sigalg_lookup(sigalg);
    if (info == NULL || key == NULL || (tls13 && !info->tls13_ok))
        return 0;
    return key_matches(key, info, tls13);
}

/* setup: a digest-sign/verify context with the scheme's padding. */
static int setup(EVP_MD_CTX *mctx, EVP_PKEY *key, const struct sigalg_info *info, int sign)
{
    const EVP_MD *md;
    EVP_PKEY_CTX *pctx = NULL;
    if (!md_for(info->md_nid, &md))
        return 0;
    int ok = sign ? EVP_DigestSignInit(mctx, &pctx, md, NULL, key)
                  : EVP_DigestVerifyInit(mctx, &pctx, md, NULL, key);
    if (ok <= 0) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    if (info->pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
                      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    return 1;
}

int sigalg_sign(EVP_PKEY *key, uint16_t sigalg, const uint8_t *tbs, size_t tbs_len, uint8_t *out,
                size_t *out_len)
{
    const struct sigalg_info *info = sigalg_lookup(sigalg);
    if (info == NULL || key == NULL || !key_matches(key, info, 0)) {
        ERR_raise(ERR_LIB_SSL, SSL_R_WRONG_SIGNATURE_TYPE);
        return 0;
    }
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    size_t len = (size_t)EVP_PKEY_get_size(key);
    int ok = mctx != NULL && setup(mctx, key, info, 1) &&
             EVP_DigestSign(mctx, out, &len, tbs, tbs_len) > 0;
    EVP_MD_CTX_free(mctx);
    if (!ok) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    *out_len = len;
    return 1;
}

static int do_verify(EVP_PKEY *key, uint16_t sigalg, const uint8_t *tbs, size_t tbs_len,
                     const uint8_t *sig, size_t sig_len, int tls13)
{
    const struct sigalg_info *info = sigalg_lookup(sigalg);
    if (info == NULL || key == NULL || (tls13 && !info->tls13_ok) ||
        !key_matches(key, info, tls13)) {
        ERR_raise(ERR_LIB_SSL, SSL_R_WRONG_SIGNATURE_TYPE);
        return 0;
    }
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    if (mctx == NULL || !setup(mctx, key, info, 0)) {
        EVP_MD_CTX_free(mctx);
        return 0;
    }
    int r = EVP_DigestVerify(mctx, sig, sig_len, tbs, tbs_len);
    EVP_MD_CTX_free(mctx);
    if (r != 1) {
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_SIGNATURE);
        return 0;
    }
    return 1;
}

int sigalg_verify(EVP_PKEY *key, uint16_t sigalg, const uint8_t *tbs, size_t tbs_len,
                  const uint8_t *sig, size_t sig_len)
{
    return do_verify(key, sigalg, tbs, tbs_len, sig, sig_len, 1);
}

int sigalg_verify12(EVP_PKEY *key, uint16_t sigalg, const uint8_t *tbs, size_t tbs_len,
                    const uint8_t *sig, size_t sig_len)
{
    return do_verify(key, sigalg, tbs, tbs_len, sig, sig_len, 0);
}

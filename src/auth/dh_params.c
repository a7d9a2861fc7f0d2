/* DHE parameters: OpenSSL 3.0's choice among the configured ones, the
 * automatic groups and the callback. */
#include "internal.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/param_build.h>

#include "auth/dh_params.h"
#include "base/once.h"
#include "codec/cipher_suites.h"

int ssl_dhe_possible(const struct ssl_config *c)
{
    return c->sh->dh_tmp != NULL || c->dh_tmp_cb != NULL || c->dh_auto != 0;
}

int ssl_dh_params_ok(int security_level, const EVP_PKEY *dh)
{
    int bits = dh != NULL ? EVP_PKEY_get_security_bits(dh) : 0;
    if (security_level <= 0)
        return bits >= 80; /* no DH below 1024 bits even at level 0 */
    return bits >= suites_level_bits(security_level);
}

/* ---- the automatic groups ---- */

enum { AUTO_1024, AUTO_2048, AUTO_3072, AUTO_4096, AUTO_8192, AUTO_NUM };

static BIGNUM *auto_prime(int which)
{
    switch (which) {
    case AUTO_1024:
        return BN_get_rfc2409_prime_1024(NULL);
    case AUTO_2048:
        return BN_get_rfc3526_prime_2048(NULL);
    case AUTO_3072:
        return BN_get_rfc3526_prime_3072(NULL);
    case AUTO_4096:
        return BN_get_rfc3526_prime_4096(NULL);
    default:
        return BN_get_rfc3526_prime_8192(NULL);
    }
}

static struct {
    SESAME_ONCE once;
    EVP_PKEY *pkey;
} g_auto[AUTO_NUM] = {
    {SESAME_ONCE_INIT, NULL}, {SESAME_ONCE_INIT, NULL}, {SESAME_ONCE_INIT, NULL},
    {SESAME_ONCE_INIT, NULL}, {SESAME_ONCE_INIT, NULL},
};

/* make_auto: the parameters p, g = 2 as a DH key (libcrypto recognises the
 * RFC 3526 primes as its named groups modp_2048 ...). */
static int make_auto(void *arg)
{
    int which = (int)(intptr_t)arg, ok = 0;
    BIGNUM *p = auto_prime(which);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    EVP_PKEY *pkey = NULL;

    if (p == NULL || bld == NULL || pctx == NULL ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) ||
        !OSSL_PARAM_BLD_push_uint(bld, OSSL_PKEY_PARAM_FFC_G, 2) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL || EVP_PKEY_fromdata_init(pctx) != 1 ||
        EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_KEY_PARAMETERS, params) != 1 || pkey == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        EVP_PKEY_free(pkey);
        goto done;
    }
    g_auto[which].pkey = pkey;
    ok = 1;
done:
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(pctx);
    BN_free(p);
    return ok;
}

static EVP_PKEY *auto_params(const struct ssl_config *c, int security_bits)
{
    int bits = c->dh_auto == 2 ? 80 : security_bits;
    int level_bits = suites_level_bits(c->security_level);
    int which;

    if (bits < level_bits)
        bits = level_bits;
    which = bits >= 192   ? AUTO_8192
            : bits >= 152 ? AUTO_4096
            : bits >= 128 ? AUTO_3072
            : bits >= 112 ? AUTO_2048
                          : AUTO_1024;
    if (!sesame_once(&g_auto[which].once, make_auto, (void *)(intptr_t)which))
        return NULL;
    if (!EVP_PKEY_up_ref(g_auto[which].pkey)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return NULL;
    }
    return g_auto[which].pkey;
}

EVP_PKEY *ssl_dh_params_for(const struct ssl_config *c, int security_bits, SSL *s)
{
    if (c->dh_auto != 0)
        return auto_params(c, security_bits);
    if (c->sh->dh_tmp != NULL) {
        if (!EVP_PKEY_up_ref(c->sh->dh_tmp)) {
            ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
            return NULL;
        }
        return c->sh->dh_tmp;
    }
    if (c->dh_tmp_cb != NULL) {
        /* the DH stays the callback's: the key takes its own reference */
        DH *dh = c->dh_tmp_cb(s, 0, 1024);
        EVP_PKEY *pkey;
        if (dh == NULL)
            return NULL;
        if ((pkey = EVP_PKEY_new()) == NULL || EVP_PKEY_set1_DH(pkey, dh) <= 0) {
            EVP_PKEY_free(pkey);
            ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
            return NULL;
        }
        return pkey;
    }
    return NULL;
}

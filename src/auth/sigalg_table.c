/* The signature scheme table (RFC 8446 4.2.3) and the parsers of OpenSSL's
 * sigalgs configuration strings. Pure data plus parsing. */
#include "internal.h"

#include <string.h>

#include "auth/sigalgs.h"
#include "base/str_token.h"

/* ---- signature schemes ---- */

static const struct sigalg_info k_sigalgs[] = {
    {SIGALG_ECDSA_SECP256R1_SHA256, "ecdsa_secp256r1_sha256", EVP_PKEY_EC, NID_sha256,
     NID_X9_62_prime256v1, 0, EVP_PKEY_EC, 1},
    {SIGALG_ECDSA_SECP384R1_SHA384, "ecdsa_secp384r1_sha384", EVP_PKEY_EC, NID_sha384,
     NID_secp384r1, 0, EVP_PKEY_EC, 1},
    {SIGALG_ECDSA_SECP521R1_SHA512, "ecdsa_secp521r1_sha512", EVP_PKEY_EC, NID_sha512,
     NID_secp521r1, 0, EVP_PKEY_EC, 1},
    {SIGALG_ED25519, "ed25519", EVP_PKEY_ED25519, NID_undef, NID_undef, 0, EVP_PKEY_ED25519, 1},
    {SIGALG_ED448, "ed448", EVP_PKEY_ED448, NID_undef, NID_undef, 0, EVP_PKEY_ED448, 1},
    {SIGALG_RSA_PSS_RSAE_SHA256, "rsa_pss_rsae_sha256", EVP_PKEY_RSA, NID_sha256, NID_undef, 1,
     EVP_PKEY_RSA_PSS, 1},
    {SIGALG_RSA_PSS_RSAE_SHA384, "rsa_pss_rsae_sha384", EVP_PKEY_RSA, NID_sha384, NID_undef, 1,
     EVP_PKEY_RSA_PSS, 1},
    {SIGALG_RSA_PSS_RSAE_SHA512, "rsa_pss_rsae_sha512", EVP_PKEY_RSA, NID_sha512, NID_undef, 1,
     EVP_PKEY_RSA_PSS, 1},
    {SIGALG_RSA_PSS_PSS_SHA256, "rsa_pss_pss_sha256", EVP_PKEY_RSA_PSS, NID_sha256, NID_undef, 1,
     EVP_PKEY_RSA_PSS, 1},
    {SIGALG_RSA_PSS_PSS_SHA384, "rsa_pss_pss_sha384", EVP_PKEY_RSA_PSS, NID_sha384, NID_undef, 1,
     EVP_PKEY_RSA_PSS, 1},
    {SIGALG_RSA_PSS_PSS_SHA512, "rsa_pss_pss_sha512", EVP_PKEY_RSA_PSS, NID_sha512, NID_undef, 1,
     EVP_PKEY_RSA_PSS, 1},
    {SIGALG_RSA_PKCS1_SHA256, "rsa_pkcs1_sha256", EVP_PKEY_RSA, NID_sha256, NID_undef, 0,
     EVP_PKEY_RSA, 0},
    {SIGALG_RSA_PKCS1_SHA384, "rsa_pkcs1_sha384", EVP_PKEY_RSA, NID_sha384, NID_undef, 0,
     EVP_PKEY_RSA, 0},
    {SIGALG_RSA_PKCS1_SHA512, "rsa_pkcs1_sha512", EVP_PKEY_RSA, NID_sha512, NID_undef, 0,
     EVP_PKEY_RSA, 0},
};
#define NUM_SIGALGS (sizeof(k_sigalgs) / sizeof(k_sigalgs[0]))

const struct sigalg_info *sigalg_lookup(uint16_t v)
{
    for (size_t i = 0; i < NUM_SIGALGS; i++)
        if (k_sigalgs[i].value == v)
            return &k_sigalgs[i];
    return NULL;
}

/* OpenSSL 3.0's table as SSL_get_sigalgs reports it (values read from the
 * system libssl): the schemes above and the ones sesame leaves out. */
static const struct {
    uint16_t value;
    int sign, hash, sign_hash;
} k_reported[] = {
    {0x0403, EVP_PKEY_EC, NID_sha256, NID_ecdsa_with_SHA256},
    {0x0503, EVP_PKEY_EC, NID_sha384, NID_ecdsa_with_SHA384},
    {0x0603, EVP_PKEY_EC, NID_sha512, NID_ecdsa_with_SHA512},
    {0x0807, EVP_PKEY_ED25519, NID_undef, NID_undef},
    {0x0808, EVP_PKEY_ED448, NID_undef, NID_undef},
    {0x0809, EVP_PKEY_RSA_PSS, NID_sha256, NID_undef},
    {0x080a, EVP_PKEY_RSA_PSS, NID_sha384, NID_undef},
    {0x080b, EVP_PKEY_RSA_PSS, NID_sha512, NID_undef},
    {0x0804, EVP_PKEY_RSA_PSS, NID_sha256, NID_undef},
    {0x0805, EVP_PKEY_RSA_PSS, NID_sha384, NID_undef},
    {0x0806, EVP_PKEY_RSA_PSS, NID_sha512, NID_undef},
    {0x0401, EVP_PKEY_RSA, NID_sha256, NID_sha256WithRSAEncryption},
    {0x0501, EVP_PKEY_RSA, NID_sha384, NID_sha384WithRSAEncryption},
    {0x0601, EVP_PKEY_RSA, NID_sha512, NID_sha512WithRSAEncryption},
    {0x0303, EVP_PKEY_EC, NID_sha224, NID_ecdsa_with_SHA224},
    {0x0301, EVP_PKEY_RSA, NID_sha224, NID_sha224WithRSAEncryption},
    {0x0302, EVP_PKEY_DSA, NID_sha224, NID_undef},
    {0x0402, EVP_PKEY_DSA, NID_sha256, NID_dsa_with_SHA256},
    {0x0502, EVP_PKEY_DSA, NID_sha384, NID_undef},
    {0x0602, EVP_PKEY_DSA, NID_sha512, NID_undef},
    {0x0203, EVP_PKEY_EC, NID_sha1, NID_ecdsa_with_SHA1},
    {0x0201, EVP_PKEY_RSA, NID_sha1, NID_sha1WithRSAEncryption},
    {0x0202, EVP_PKEY_DSA, NID_sha1, NID_dsaWithSHA1},
};

int sigalg_report(uint16_t v, int *sign, int *hash, int *sign_hash)
{
    *sign = *hash = *sign_hash = NID_undef;
    for (size_t i = 0; i < sizeof(k_reported) / sizeof(k_reported[0]); i++)
        if (k_reported[i].value == v) {
            *sign = k_reported[i].sign;
            *hash = k_reported[i].hash;
            *sign_hash = k_reported[i].sign_hash;
            return 1;
        }
    return 0;
}

void sigalgs_default(uint16_t *out, size_t *num)
{
    for (size_t i = 0; i < NUM_SIGALGS; i++)
        out[i] = k_sigalgs[i].value;
    *num = NUM_SIGALGS;
}

static int add_sigalg(uint16_t v, uint16_t *out, size_t max, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        if (out[i] == v) {
            ERR_raise(ERR_LIB_SSL, SSL_R_BAD_VALUE);
            return 0;
        }
    if (*n >= max) {
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_LENGTH);
        return 0;
    }
    out[(*n)++] = v;
    return 1;
}

/* Entries OpenSSL knows but we do not implement: skipped. */
static const char *const k_sigalgs_unsupported[] = {
    "ecdsa_sha1",
    "ecdsa_sha224",
    "rsa_pkcs1_sha1",
    "rsa_pkcs1_sha224",
    "dsa_sha1",
    "dsa_sha224",
    "dsa_sha256",
    "dsa_sha384",
    "dsa_sha512",
    "ecdsa_brainpoolP256r1_sha256",
    "ecdsa_brainpoolP384r1_sha384",
    "ecdsa_brainpoolP512r1_sha512",
};

static int hash_nid_of(const char *s)
{
    int nid = OBJ_sn2nid(s);
    if (nid == NID_undef)
        nid = OBJ_ln2nid(s);
    return nid;
}

int sigalgs_parse_list(const char *str, uint16_t *out, size_t max, size_t *num)
{
    char tok[64];
    size_t n = 0;
    const char *p = str;
    if (str == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_NULL_PARAMETER);
        return 0;
    }
    while (str_next_token(&p, ":", tok, sizeof(tok))) {
        char *plus = strchr(tok, '+');
        if (plus == NULL) {
            int found = 0;
            for (size_t i = 0; i < NUM_SIGALGS && !found; i++)
                if (strcmp(k_sigalgs[i].name, tok) == 0) {
                    if (!add_sigalg(k_sigalgs[i].value, out, max, &n))
                        return 0;
                    found = 1;
                }
            for (size_t i = 0; i < sizeof(k_sigalgs_unsupported) / sizeof(char *) && !found; i++)
                found = strcmp(k_sigalgs_unsupported[i], tok) == 0;
            if (!found) {
                ERR_raise_data(ERR_LIB_SSL, SSL_R_BAD_VALUE, "signature algorithm '%s'", tok);
                return 0;
            }
            continue;
        }
        *plus = '\0';
        const char *alg = tok, *hash = plus + 1;
        int pkey, pss_any = 0;
        if (strcmp(alg, "RSA") == 0)
            pkey = EVP_PKEY_RSA;
        else if (strcmp(alg, "RSA-PSS") == 0 || strcmp(alg, "PSS") == 0)
            pkey = EVP_PKEY_RSA_PSS, pss_any = 1;
        else if (strcmp(alg, "ECDSA") == 0)
            pkey = EVP_PKEY_EC;
        else if (strcmp(alg, "DSA") == 0)
            pkey = EVP_PKEY_DSA;
        else {
            ERR_raise_data(ERR_LIB_SSL, SSL_R_BAD_VALUE, "signature algorithm '%s'", alg);
            return 0;
        }
        int md = hash_nid_of(hash);
        if (md == NID_undef) {
            ERR_raise_data(ERR_LIB_SSL, SSL_R_BAD_VALUE, "hash '%s'", hash);
            return 0;
        }
        if (md == NID_sha1 || md == NID_sha224 || pkey == EVP_PKEY_DSA)
            continue; /* known to OpenSSL, not to us */
        int found = 0;
        for (size_t i = 0; i < NUM_SIGALGS; i++) {
            const struct sigalg_info *a = &k_sigalgs[i];
            /* RSA-PSS+H names both rsa_pss_rsae_H and rsa_pss_pss_H, as in OpenSSL */
            int match = pss_any ? a->pss : (a->pkey_type == pkey && !a->pss);
            if (match && a->md_nid == md) {
                if (!add_sigalg(a->value, out, max, &n))
                    return 0;
                found = 1;
            }
        }
        if (!found) {
            ERR_raise(ERR_LIB_SSL, SSL_R_BAD_VALUE);
            return 0;
        }
    }
    if (n == 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_VALUE);
        return 0;
    }
    *num = n;
    return 1;
}

int sigalgs_from_nid_pairs(const int *pairs, size_t num_ints, uint16_t *out, size_t max,
                           size_t *num)
{
    size_t n = 0;
    if (pairs == NULL || num_ints == 0 || num_ints % 2 != 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_LENGTH);
        return 0;
    }
    for (size_t k = 0; k < num_ints; k += 2) {
        int md = pairs[k], pkey = pairs[k + 1];
        int found = 0;
        for (size_t i = 0; i < NUM_SIGALGS; i++) {
            const struct sigalg_info *a = &k_sigalgs[i];
            int match = pkey == EVP_PKEY_RSA_PSS ? a->pss : (a->pkey_type == pkey && !a->pss);
            if (match && a->md_nid == md) {
                if (!add_sigalg(a->value, out, max, &n))
                    return 0;
                found = 1;
            }
        }
        if (!found && !(md == NID_sha1 || md == NID_sha224 || pkey == EVP_PKEY_DSA)) {
            ERR_raise(ERR_LIB_SSL, SSL_R_BAD_VALUE);
            return 0;
        }
    }
    if (n == 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_VALUE);
        return 0;
    }
    *num = n;
    return 1;
}

/* What a configuration allows before a handshake (versions, suites). */
#include "internal.h"

#include "auth/policy.h"
#include "auth/sigalgs.h"
#include "codec/cipher_suites.h"

int policy_version_range(const struct ssl_config *c, int method_version, int *out_min, int *out_max)
{
    static const struct {
        int version;
        uint64_t no_op;
    } k_versions[] = {
        {TLS1_3_VERSION, SSL_OP_NO_TLSv1_3},
        {TLS1_2_VERSION, SSL_OP_NO_TLSv1_2},
        {TLS1_1_VERSION, SSL_OP_NO_TLSv1_1},
        {TLS1_VERSION, SSL_OP_NO_TLSv1},
    };
    int version = 0, min = 0, hole = 1;

    if (method_version != TLS_ANY_VERSION) {
        *out_min = *out_max = method_version;
        return 1;
    }
    /* from the highest down; an enabled version after a disabled one starts
     * a new range (SSLv3, not built, ends the table as one more hole) */
    for (size_t i = 0; i < sizeof(k_versions) / sizeof(k_versions[0]); i++) {
        int v = k_versions[i].version;
        int off = (c->min_version != 0 && v < c->min_version) ||
                  (c->max_version != 0 && v > c->max_version) ||
                  (c->options & k_versions[i].no_op) != 0 ||
                  (v <= TLS1_1_VERSION && c->suiteb_flags != 0);
        if (off) {
            hole = 1;
        } else if (!hole) {
            min = v;
        } else {
            version = min = v;
            hole = 0;
        }
    }
    *out_min = min;
    *out_max = version;
    return version != 0;
}

/* sigalg_bits: OpenSSL's security bits of a signature algorithm (half the
 * digest's bits; RFC 8032 for EdDSA). */
static int sigalg_bits(const struct sigalg_info *info)
{
    switch (info->md_nid) {
    case NID_sha256:
        return 128;
    case NID_sha384:
        return 192;
    case NID_sha512:
        return 256;
    default:
        return info->value == SIGALG_ED448 ? 224 : info->value == SIGALG_ED25519 ? 128 : 0;
    }
}

/* our_sigalgs: the configured list, or Suite B's in Suite B mode (OpenSSL's
 * tls12_get_psigalgs); 1 in Suite B mode. */
static int our_sigalgs(const struct ssl_config *c, const uint16_t **list, size_t *n)
{
    static const uint16_t suiteb[] = {SIGALG_ECDSA_SECP256R1_SHA256, SIGALG_ECDSA_SECP384R1_SHA384};
    *list = c->sh->sigalgs;
    *n = c->sh->num_sigalgs;
    switch (c->suiteb_flags & SSL_CERT_FLAG_SUITEB_128_LOS) {
    case SSL_CERT_FLAG_SUITEB_128_LOS:
        *list = suiteb, *n = 2;
        return 1;
    case SSL_CERT_FLAG_SUITEB_128_LOS_ONLY:
        *list = suiteb, *n = 1;
        return 1;
    case SSL_CERT_FLAG_SUITEB_192_LOS:
        *list = suiteb + 1, *n = 1;
        return 1;
    default:
        return 0;
    }
}

size_t policy_shared_sigalgs(const struct ssl_config *c, const uint16_t *peer, size_t num_peer,
                             uint16_t *out, size_t max)
{
    const uint16_t *ours, *pref, *allow;
    size_t num_ours, num_pref, num_allow, n = 0;
    int minbits = c->security_level > 0 ? suites_level_bits(c->security_level) : 0;
    int suiteb = our_sigalgs(c, &ours, &num_ours);

    if ((c->options & SSL_OP_CIPHER_SERVER_PREFERENCE) || suiteb) {
        pref = ours, num_pref = num_ours;
        allow = peer, num_allow = num_peer;
    } else {
        pref = peer, num_pref = num_peer;
        allow = ours, num_allow = num_ours;
    }
    for (size_t i = 0; i < num_pref && n < max; i++) {
        const struct sigalg_info *info = sigalg_lookup(pref[i]);
        if (info == NULL || sigalg_bits(info) < minbits)
            continue;
        for (size_t j = 0; j < num_allow; j++)
            if (allow[j] == pref[i]) {
                out[n++] = pref[i];
                break;
            }
    }
    return n;
}

unsigned policy_auth_mask(const struct ssl_config *c)
{
    unsigned disabled = SUITE_AUTH_RSA | SUITE_AUTH_ECDSA;
    const uint16_t *list;
    size_t n;
    int minbits = c->security_level > 0 ? suites_level_bits(c->security_level) : 0;

    our_sigalgs(c, &list, &n);
    for (size_t i = 0; i < n; i++) {
        const struct sigalg_info *info = sigalg_lookup(list[i]);
        unsigned cls;
        if (info == NULL)
            continue;
        switch (info->pkey_type) {
        case EVP_PKEY_RSA:
        case EVP_PKEY_RSA_PSS:
            cls = SUITE_AUTH_RSA;
            break;
        case EVP_PKEY_EC:
        case EVP_PKEY_ED25519:
        case EVP_PKEY_ED448:
            cls = SUITE_AUTH_ECDSA;
            break;
        default:
            cls = 0;
            break;
        }
        if ((disabled & cls) && sigalg_bits(info) >= minbits)
            disabled &= ~cls;
    }
    return disabled;
}

int policy_supported_suites(const struct ssl_config *c, int method_version, const SSL_CIPHER **out,
                            size_t max, size_t *num)
{
    int lo, hi;
    unsigned auth_mask;
    size_t n = 0;

    *num = 0;
    if (!policy_version_range(c, method_version, &lo, &hi))
        return 0;
    auth_mask = policy_auth_mask(c);
    for (size_t i = 0; i < c->sh->num_suites13 + c->sh->num_suites12 && n < max; i++) {
        const SSL_CIPHER *s =
            i < c->sh->num_suites13 ? c->sh->suites13[i] : c->sh->suites12[i - c->sh->num_suites13];
        if (!suite_disabled(s, lo, hi, c->security_level, 0, auth_mask))
            out[n++] = s;
    }
    *num = n;
    return 1;
}

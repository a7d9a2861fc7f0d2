/* The named-group table (RFC 8446 4.2.7) and the parsers of OpenSSL's
 * groups configuration strings. Pure data plus parsing. */
#include "internal.h"

#include <string.h>
#include <strings.h>

#include "base/str_token.h"
#include "codec/groups.h"

/* ---- groups ---- */

static const struct {
    uint16_t group;
    int nid;
    const char *name; /* OpenSSL's short name as SSL_group_to_name gives */
} k_groups[] = {
    {GROUP_X25519, NID_X25519, "x25519"},
    {GROUP_SECP256R1, NID_X9_62_prime256v1, "secp256r1"},
    {GROUP_SECP384R1, NID_secp384r1, "secp384r1"},
};
#define NUM_GROUPS (sizeof(k_groups) / sizeof(k_groups[0]))

int group_to_nid(uint16_t group)
{
    for (size_t i = 0; i < NUM_GROUPS; i++)
        if (k_groups[i].group == group)
            return k_groups[i].nid;
    return NID_undef;
}

uint16_t group_from_nid(int nid)
{
    for (size_t i = 0; i < NUM_GROUPS; i++)
        if (k_groups[i].nid == nid)
            return k_groups[i].group;
    return 0;
}

const char *group_name(uint16_t group)
{
    for (size_t i = 0; i < NUM_GROUPS; i++)
        if (k_groups[i].group == group)
            return k_groups[i].name;
    return NULL;
}

void groups_default(uint16_t *out, size_t *num)
{
    for (size_t i = 0; i < NUM_GROUPS; i++)
        out[i] = k_groups[i].group;
    *num = NUM_GROUPS;
}

/* Names OpenSSL 3.0 accepts for groups we do not implement: skipped. */
static const char *const k_groups_unsupported[] = {
    "secp521r1",       "P-521",           "X448",       "ffdhe2048", "ffdhe3072", "ffdhe4096",
    "ffdhe6144",       "ffdhe8192",       "secp224r1",  "P-224",     "secp256k1", "brainpoolP256r1",
    "brainpoolP384r1", "brainpoolP512r1", "prime192v1", "P-192",     "secp192r1",
};

static int add_group(uint16_t g, uint16_t *out, size_t max, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        if (out[i] == g) {
            ERR_raise(ERR_LIB_SSL, SSL_R_UNSUPPORTED_ELLIPTIC_CURVE);
            return 0; /* duplicates are an error, as in OpenSSL */
        }
    if (*n < max)
        out[(*n)++] = g;
    return 1;
}

int groups_parse_list(const char *str, uint16_t *out, size_t max, size_t *num)
{
    char tok[64];
    size_t n = 0;
    const char *p = str;
    if (str == NULL || *str == '\0') {
        ERR_raise(ERR_LIB_SSL, SSL_R_UNSUPPORTED_ELLIPTIC_CURVE);
        return 0;
    }
    while (str_next_token(&p, ":", tok, sizeof(tok))) {
        uint16_t g = 0;
        if (strcasecmp(tok, "X25519") == 0)
            g = GROUP_X25519;
        else if (strcasecmp(tok, "P-256") == 0 || strcasecmp(tok, "secp256r1") == 0 ||
                 strcasecmp(tok, "prime256v1") == 0)
            g = GROUP_SECP256R1;
        else if (strcasecmp(tok, "P-384") == 0 || strcasecmp(tok, "secp384r1") == 0)
            g = GROUP_SECP384R1;
        if (g == 0) {
            int known = 0;
            for (size_t i = 0; i < sizeof(k_groups_unsupported) / sizeof(char *); i++)
                known |= strcasecmp(tok, k_groups_unsupported[i]) == 0;
            if (!known) {
                ERR_raise_data(ERR_LIB_SSL, SSL_R_UNSUPPORTED_ELLIPTIC_CURVE, "group '%s'", tok);
                return 0;
            }
            continue;
        }
        if (!add_group(g, out, max, &n))
            return 0;
    }
    if (n == 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_NO_SUITABLE_GROUPS);
        return 0;
    }
    *num = n;
    return 1;
}

int groups_from_nids(const int *nids, size_t num_nids, uint16_t *out, size_t max, size_t *num)
{
    size_t n = 0;
    if (nids == NULL || num_nids == 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_LENGTH);
        return 0;
    }
    for (size_t i = 0; i < num_nids; i++) {
        uint16_t g = group_from_nid(nids[i]);
        if (g == 0) {
            if (nids[i] == NID_secp521r1 || nids[i] == NID_X448 || nids[i] == NID_secp224r1 ||
                nids[i] == NID_ffdhe2048 || nids[i] == NID_ffdhe3072 || nids[i] == NID_ffdhe4096 ||
                nids[i] == NID_ffdhe6144 || nids[i] == NID_ffdhe8192)
                continue;
            ERR_raise(ERR_LIB_SSL, SSL_R_UNSUPPORTED_ELLIPTIC_CURVE);
            return 0;
        }
        if (!add_group(g, out, max, &n))
            return 0;
    }
    if (n == 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_NO_SUITABLE_GROUPS);
        return 0;
    }
    *num = n;
    return 1;
}

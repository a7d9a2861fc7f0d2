/* The named-group table (RFC 8446 4.2.7, RFC 7919) and the parsers of
 * OpenSSL's groups configuration strings. Pure data plus parsing. */
#include "internal.h"

#include <string.h>

#include "base/str_token.h"
#include "codec/extensions.h"
#include "codec/groups.h"

/* ---- groups ---- */

/* In OpenSSL 3.0's default order (what `openssl s_client -trace` offers). */
static const struct {
    uint16_t group;
    int nid;
    const char *name; /* OpenSSL's TLS name, as SSL_group_to_name gives it */
} k_groups[] = {
    {GROUP_X25519, NID_X25519, "x25519"},
    {GROUP_SECP256R1, NID_X9_62_prime256v1, "secp256r1"},
    {GROUP_X448, NID_X448, "x448"},
    {GROUP_SECP521R1, NID_secp521r1, "secp521r1"},
    {GROUP_SECP384R1, NID_secp384r1, "secp384r1"},
    {GROUP_FFDHE2048, NID_ffdhe2048, "ffdhe2048"},
    {GROUP_FFDHE3072, NID_ffdhe3072, "ffdhe3072"},
    {GROUP_FFDHE4096, NID_ffdhe4096, "ffdhe4096"},
    {GROUP_FFDHE6144, NID_ffdhe6144, "ffdhe6144"},
    {GROUP_FFDHE8192, NID_ffdhe8192, "ffdhe8192"},
};
#define NUM_GROUPS (sizeof(k_groups) / sizeof(k_groups[0]))
_Static_assert(NUM_GROUPS == GROUPS_NUM, "GROUPS_NUM is the table's size");
_Static_assert(GROUPS_NUM <= SESAME_MAX_GROUPS, "a groups list must fit struct ssl_config");
_Static_assert(GROUPS_NUM < 16, "groups_pack keeps index + 1 in 4 bits");

/* Every spelling OpenSSL 3.0 accepts in a groups list (its TLS name, the
 * provider's name and the NIST alias), matched case-sensitively as OpenSSL
 * does. */
static const struct {
    const char *name;
    uint16_t group;
} k_group_names[] = {
    {"x25519", GROUP_X25519},       {"X25519", GROUP_X25519},
    {"secp256r1", GROUP_SECP256R1}, {"prime256v1", GROUP_SECP256R1},
    {"P-256", GROUP_SECP256R1},     {"x448", GROUP_X448},
    {"X448", GROUP_X448},           {"secp521r1", GROUP_SECP521R1},
    {"P-521", GROUP_SECP521R1},     {"secp384r1", GROUP_SECP384R1},
    {"P-384", GROUP_SECP384R1},     {"ffdhe2048", GROUP_FFDHE2048},
    {"ffdhe3072", GROUP_FFDHE3072}, {"ffdhe4096", GROUP_FFDHE4096},
    {"ffdhe6144", GROUP_FFDHE6144}, {"ffdhe8192", GROUP_FFDHE8192},
};

static int group_index(uint16_t group)
{
    for (size_t i = 0; i < NUM_GROUPS; i++)
        if (k_groups[i].group == group)
            return (int)i;
    return -1;
}

int group_to_nid(uint16_t group)
{
    int i = group_index(group);
    return i < 0 ? NID_undef : k_groups[i].nid;
}

int group_report_nid(uint16_t group)
{
    /* RFC 8422 5.1.1 ids 1..30, as OpenSSL 3.0 maps them */
    static const int ec[30] = {
        NID_sect163k1,        NID_sect163r1,        NID_sect163r2,
        NID_sect193r1,        NID_sect193r2,        NID_sect233k1,
        NID_sect233r1,        NID_sect239k1,        NID_sect283k1,
        NID_sect283r1,        NID_sect409k1,        NID_sect409r1,
        NID_sect571k1,        NID_sect571r1,        NID_secp160k1,
        NID_secp160r1,        NID_secp160r2,        NID_secp192k1,
        NID_X9_62_prime192v1, NID_secp224k1,        NID_secp224r1,
        NID_secp256k1,        NID_X9_62_prime256v1, NID_secp384r1,
        NID_secp521r1,        NID_brainpoolP256r1,  NID_brainpoolP384r1,
        NID_brainpoolP512r1,  NID_X25519,           NID_X448,
    };
    static const int ffdhe[5] = {NID_ffdhe2048, NID_ffdhe3072, NID_ffdhe4096, NID_ffdhe6144,
                                 NID_ffdhe8192};
    if (group >= 1 && group <= 30)
        return ec[group - 1];
    if (group >= GROUP_FFDHE2048 && group <= GROUP_FFDHE8192)
        return ffdhe[group - GROUP_FFDHE2048];
    return TLSEXT_nid_unknown | group;
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
    int i = group_index(group);
    return i < 0 ? NULL : k_groups[i].name;
}

void groups_default(uint16_t *out, size_t *num)
{
    for (size_t i = 0; i < NUM_GROUPS; i++)
        out[i] = k_groups[i].group;
    *num = NUM_GROUPS;
}

/* Names OpenSSL 3.0 accepts for curves TLS 1.3 does not use: skipped. */
static const char *const k_groups_unsupported[] = {
    "secp224r1",       "P-224",      "secp256k1", "brainpoolP256r1", "brainpoolP384r1",
    "brainpoolP512r1", "prime192v1", "P-192",     "secp192r1",
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
        for (size_t i = 0; i < sizeof(k_group_names) / sizeof(k_group_names[0]) && g == 0; i++)
            if (strcmp(tok, k_group_names[i].name) == 0)
                g = k_group_names[i].group;
        if (g == 0) {
            int known = 0;
            for (size_t i = 0; i < sizeof(k_groups_unsupported) / sizeof(char *); i++)
                known |= strcmp(tok, k_groups_unsupported[i]) == 0;
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
            if (nids[i] == NID_secp224r1)
                continue; /* known to OpenSSL, not a TLS 1.3 group */
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

/* ---- a peer's supported_groups, packed ---- */

uint64_t groups_pack(const CBS *list)
{
    uint64_t packed = 0;
    unsigned seen = 0; /* table indices already packed */
    size_t n = 0;
    CBS it = *list;
    uint16_t v;
    while (codec_u16_list_next(&it, &v) && n < 16) {
        int i = group_index(v);
        if (i < 0 || (seen & (1u << i)))
            continue;
        seen |= 1u << i;
        packed |= (uint64_t)(i + 1) << (4 * n++);
    }
    return packed;
}

uint16_t groups_packed_at(uint64_t packed, size_t i)
{
    if (i >= 16)
        return 0;
    unsigned v = (unsigned)(packed >> (4 * i)) & 0xf;
    return v == 0 ? 0 : k_groups[v - 1].group;
}

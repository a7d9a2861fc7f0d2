/* Cipher suite, group and signature scheme tables, and the parsers of the
 * configuration strings OpenSSL applications pass in. */
#include "internal.h"

#include <string.h>
#include <strings.h>

#include "handshake/suites.h"

/* ---- cipher suites ---- */

/* Order: TLS 1.3 in OpenSSL's default order, then TLS 1.2 in OpenSSL's
 * DEFAULT order (which is also the base order the cipher-string rules
 * append from). */
static const SSL_CIPHER k_suites[] = {
    {"TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", 0x03001302, 0x1302, TLS1_3_VERSION,
     TLS1_3_VERSION, NID_sha384, NID_aes_256_gcm, 32, 12, 256, NID_kx_any, NID_auth_any},
    {"TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", 0x03001303, 0x1303,
     TLS1_3_VERSION, TLS1_3_VERSION, NID_sha256, NID_chacha20_poly1305, 32, 12, 256, NID_kx_any,
     NID_auth_any},
    {"TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", 0x03001301, 0x1301, TLS1_3_VERSION,
     TLS1_3_VERSION, NID_sha256, NID_aes_128_gcm, 16, 12, 128, NID_kx_any, NID_auth_any},
    {"ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0x0300c02c, 0xc02c,
     TLS1_2_VERSION, TLS1_2_VERSION, NID_sha384, NID_aes_256_gcm, 32, 4, 256, NID_kx_ecdhe,
     NID_auth_ecdsa},
    {"ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0x0300c030, 0xc030,
     TLS1_2_VERSION, TLS1_2_VERSION, NID_sha384, NID_aes_256_gcm, 32, 4, 256, NID_kx_ecdhe,
     NID_auth_rsa},
    {"ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0x0300cca9,
     0xcca9, TLS1_2_VERSION, TLS1_2_VERSION, NID_sha256, NID_chacha20_poly1305, 32, 12, 256,
     NID_kx_ecdhe, NID_auth_ecdsa},
    {"ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0x0300cca8,
     0xcca8, TLS1_2_VERSION, TLS1_2_VERSION, NID_sha256, NID_chacha20_poly1305, 32, 12, 256,
     NID_kx_ecdhe, NID_auth_rsa},
    {"ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0x0300c02b, 0xc02b,
     TLS1_2_VERSION, TLS1_2_VERSION, NID_sha256, NID_aes_128_gcm, 16, 4, 128, NID_kx_ecdhe,
     NID_auth_ecdsa},
    {"ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0x0300c02f, 0xc02f,
     TLS1_2_VERSION, TLS1_2_VERSION, NID_sha256, NID_aes_128_gcm, 16, 4, 128, NID_kx_ecdhe,
     NID_auth_rsa},
};
#define NUM_SUITES (sizeof(k_suites) / sizeof(k_suites[0]))
#define NUM_TLS13  3
#define NUM_TLS12  (NUM_SUITES - NUM_TLS13)

const SSL_CIPHER *suite_all(size_t *num)
{
    *num = NUM_SUITES;
    return k_suites;
}

const SSL_CIPHER *suite_by_value(uint16_t v)
{
    for (size_t i = 0; i < NUM_SUITES; i++)
        if (k_suites[i].suite == v)
            return &k_suites[i];
    return NULL;
}

const SSL_CIPHER *suite_by_name(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < NUM_SUITES; i++)
        if (strcmp(k_suites[i].name, name) == 0 || strcmp(k_suites[i].std_name, name) == 0)
            return &k_suites[i];
    return NULL;
}

int suite_is_tls13(const SSL_CIPHER *c)
{
    return c != NULL && c->min_version == TLS1_3_VERSION;
}

void suites_default_tls13(const SSL_CIPHER **out, size_t *num)
{
    for (size_t i = 0; i < NUM_TLS13; i++)
        out[i] = &k_suites[i];
    *num = NUM_TLS13;
}

void suites_default_tls12(const SSL_CIPHER **out, size_t *num)
{
    for (size_t i = 0; i < NUM_TLS12; i++)
        out[i] = &k_suites[NUM_TLS13 + i];
    *num = NUM_TLS12;
}

/* next_token copies the next |sep|-separated element of *p into buf
 * (truncating overlong ones to an empty, never-matching token). */
static int next_token(const char **p, const char *seps, char *buf, size_t cap)
{
    const char *s = *p;
    while (*s && strchr(seps, *s))
        s++;
    if (!*s)
        return 0;
    size_t n = strcspn(s, seps);
    if (n >= cap) {
        buf[0] = '\x01'; /* matches nothing */
        buf[1] = '\0';
    } else {
        memcpy(buf, s, n);
        buf[n] = '\0';
    }
    *p = s + n;
    return 1;
}

int suites_parse_tls13(const char *str, const SSL_CIPHER **out, size_t max, size_t *num)
{
    char tok[128];
    size_t n = 0;
    const char *p = str;
    if (str == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_NULL_PARAMETER);
        return 0;
    }
    while (next_token(&p, ":", tok, sizeof(tok))) {
        /* CONF_parse_list strips surrounding blanks */
        char *t = tok;
        while (*t == ' ' || *t == '\t')
            t++;
        size_t l = strlen(t);
        while (l > 0 && (t[l - 1] == ' ' || t[l - 1] == '\t'))
            t[--l] = '\0';
        const SSL_CIPHER *c = suite_by_name(t);
        if (c == NULL || !suite_is_tls13(c))
            continue; /* unknown names are ignored, as OpenSSL 3.0 does */
        int dup = 0;
        for (size_t i = 0; i < n; i++)
            dup |= out[i] == c;
        if (!dup && n < max)
            out[n++] = c;
    }
    if (*str != '\0' && n == 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_NO_CIPHER_MATCH);
        return 0;
    }
    *num = n;
    return 1;
}

/* Bit masks over the TLS 1.2 part of k_suites (bit i = k_suites[NUM_TLS13+i]). */
static uint32_t tls12_mask_where(int (*pred)(const SSL_CIPHER *))
{
    uint32_t m = 0;
    for (size_t i = 0; i < NUM_TLS12; i++)
        if (pred(&k_suites[NUM_TLS13 + i]))
            m |= 1u << i;
    return m;
}
static int p_all(const SSL_CIPHER *c)
{
    (void)c;
    return 1;
}
static int p_ecdsa(const SSL_CIPHER *c)
{
    return c->auth_nid == NID_auth_ecdsa;
}
static int p_rsa(const SSL_CIPHER *c)
{
    return c->auth_nid == NID_auth_rsa;
}
static int p_aes(const SSL_CIPHER *c)
{
    return c->cipher_nid != NID_chacha20_poly1305;
}
static int p_aes128(const SSL_CIPHER *c)
{
    return c->cipher_nid == NID_aes_128_gcm;
}
static int p_aes256(const SSL_CIPHER *c)
{
    return c->cipher_nid == NID_aes_256_gcm;
}
static int p_chacha(const SSL_CIPHER *c)
{
    return c->cipher_nid == NID_chacha20_poly1305;
}

static const struct {
    const char *alias;
    int (*pred)(const SSL_CIPHER *);
} k_aliases[] = {
    {"ALL", p_all},       {"DEFAULT", p_all},   {"HIGH", p_all},        {"ECDHE", p_all},
    {"EECDH", p_all},     {"kECDHE", p_all},    {"kEECDH", p_all},      {"ECDH", p_all},
    {"TLSv1.2", p_all},   {"AEAD", p_all},      {"FIPS", p_all},        {"aECDSA", p_ecdsa},
    {"ECDSA", p_ecdsa},   {"aRSA", p_rsa},      {"AES", p_aes},         {"AESGCM", p_aes},
    {"AES128", p_aes128}, {"AES256", p_aes256}, {"CHACHA20", p_chacha},
};

/* mask_for matches one name or alias; unknown ones match nothing. */
static uint32_t mask_for(const char *name)
{
    for (size_t i = 0; i < sizeof(k_aliases) / sizeof(k_aliases[0]); i++)
        if (strcmp(k_aliases[i].alias, name) == 0)
            return tls12_mask_where(k_aliases[i].pred);
    for (size_t i = 0; i < NUM_TLS12; i++) {
        const SSL_CIPHER *c = &k_suites[NUM_TLS13 + i];
        if (strcmp(c->name, name) == 0 || strcmp(c->std_name, name) == 0)
            return 1u << i;
    }
    return 0;
}

int suites_parse_tls12(const char *str, const SSL_CIPHER **out, size_t max, size_t *num,
                       int *out_seclevel)
{
    uint8_t order[NUM_TLS12]; /* active suites, in order */
    size_t n_active = 0;
    uint32_t active = 0, killed = 0;
    char tok[256];
    const char *p = str;

    *out_seclevel = -1;
    if (str == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_NULL_PARAMETER);
        return 0;
    }
    while (next_token(&p, ": ,;", tok, sizeof(tok))) {
        char *t = tok;
        char op = 0;
        if (*t == '!' || *t == '-' || *t == '+') {
            op = *t;
            t++;
        }
        if (*t == '@') {
            if (strcmp(t, "@STRENGTH") == 0) {
                /* stable sort of the active list by strength, strongest first */
                for (size_t i = 1; i < n_active; i++) {
                    uint8_t v = order[i];
                    size_t j = i;
                    while (j > 0 &&
                           k_suites[NUM_TLS13 + order[j - 1]].bits < k_suites[NUM_TLS13 + v].bits) {
                        order[j] = order[j - 1];
                        j--;
                    }
                    order[j] = v;
                }
            } else if (strncmp(t, "@SECLEVEL=", 10) == 0 && t[10] >= '0' && t[10] <= '5' &&
                       t[11] == '\0') {
                *out_seclevel = t[10] - '0';
            } else {
                ERR_raise(ERR_LIB_SSL, SSL_R_INVALID_COMMAND);
                return 0;
            }
            continue;
        }
        /* "A+B": the suites matching every part */
        uint32_t m = tls12_mask_where(p_all);
        char *save = t;
        for (;;) {
            char *plus = strchr(save, '+');
            if (plus)
                *plus = '\0';
            m &= mask_for(save);
            if (!plus)
                break;
            save = plus + 1;
        }
        if (m == 0)
            continue;
        switch (op) {
        case '!':
            killed |= m;
            /* fall through */
        case '-': {
            size_t k = 0;
            for (size_t i = 0; i < n_active; i++)
                if (!(m & (1u << order[i])))
                    order[k++] = order[i];
            n_active = k;
            active &= ~m;
            break;
        }
        case '+': {
            /* move the matching active suites to the end, keeping their order */
            uint8_t tail[NUM_TLS12];
            size_t k = 0, nt = 0;
            for (size_t i = 0; i < n_active; i++) {
                if (m & (1u << order[i]))
                    tail[nt++] = order[i];
                else
                    order[k++] = order[i];
            }
            memcpy(order + k, tail, nt);
            break;
        }
        default:
            for (size_t i = 0; i < NUM_TLS12; i++) {
                uint32_t b = 1u << i;
                if ((m & b) && !(active & b) && !(killed & b)) {
                    order[n_active++] = (uint8_t)i;
                    active |= b;
                }
            }
            break;
        }
    }
    if (n_active == 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_NO_CIPHER_MATCH);
        return 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < n_active && n < max; i++)
        out[n++] = &k_suites[NUM_TLS13 + order[i]];
    *num = n;
    return 1;
}

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
    while (next_token(&p, ":", tok, sizeof(tok))) {
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
    while (next_token(&p, ":", tok, sizeof(tok))) {
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

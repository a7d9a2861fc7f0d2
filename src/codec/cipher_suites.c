/* The cipher suite table (TLS 1.3 and TLS 1.2 AEAD suites) and the parsers
 * of OpenSSL's cipher configuration strings. Pure data plus parsing. */
#include "internal.h"

#include <string.h>
#include <strings.h>

#include "base/str_token.h"
#include "codec/cipher_suites.h"

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

int suites_parse_tls13(const char *str, const SSL_CIPHER **out, size_t max, size_t *num)
{
    char tok[128];
    size_t n = 0;
    const char *p = str;
    if (str == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_NULL_PARAMETER);
        return 0;
    }
    while (str_next_token(&p, ":", tok, sizeof(tok))) {
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
    while (str_next_token(&p, ": ,;", tok, sizeof(tok))) {
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

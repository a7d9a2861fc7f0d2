/* The cipher suite table (TLS 1.3 and TLS 1.2 AEAD suites), OpenSSL's
 * security rules for a suite, and the parsers of OpenSSL's cipher
 * configuration strings.  Pure data plus parsing. */
#include "internal.h"

#include <string.h>

#include "base/str_token.h"
#include "codec/cipher_suites.h"

/* ---- the table ---- */

/* Order: TLS 1.3 in OpenSSL's default order, then TLS 1.2 in OpenSSL 3.0's
 * DEFAULT order.  That order is also where OpenSSL's cipher-string rules
 * start from (every suite in it, none active), so the parser below starts
 * from it.  Strength and algorithm bits are equal for all of them. */
static const SSL_CIPHER k_suites[] = {
    {"TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", 0x03001302, 0x1302, TLS1_3_VERSION,
     TLS1_3_VERSION, NID_sha384, NID_aes_256_gcm, 32, 12, 256, NID_kx_any, NID_auth_any, 1},
    {"TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", 0x03001303, 0x1303,
     TLS1_3_VERSION, TLS1_3_VERSION, NID_sha256, NID_chacha20_poly1305, 32, 12, 256, NID_kx_any,
     NID_auth_any, 1},
    {"TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", 0x03001301, 0x1301, TLS1_3_VERSION,
     TLS1_3_VERSION, NID_sha256, NID_aes_128_gcm, 16, 12, 128, NID_kx_any, NID_auth_any, 1},
    {"ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0x0300c02c, 0xc02c,
     TLS1_2_VERSION, TLS1_2_VERSION, NID_sha384, NID_aes_256_gcm, 32, 4, 256, NID_kx_ecdhe,
     NID_auth_ecdsa, 1},
    {"ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0x0300c030, 0xc030,
     TLS1_2_VERSION, TLS1_2_VERSION, NID_sha384, NID_aes_256_gcm, 32, 4, 256, NID_kx_ecdhe,
     NID_auth_rsa, 1},
    {"DHE-RSA-AES256-GCM-SHA384", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", 0x0300009f, 0x009f,
     TLS1_2_VERSION, TLS1_2_VERSION, NID_sha384, NID_aes_256_gcm, 32, 4, 256, NID_kx_dhe,
     NID_auth_rsa, 1},
    {"ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0x0300cca9,
     0xcca9, TLS1_2_VERSION, TLS1_2_VERSION, NID_sha256, NID_chacha20_poly1305, 32, 12, 256,
     NID_kx_ecdhe, NID_auth_ecdsa, 1},
    {"ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0x0300cca8,
     0xcca8, TLS1_2_VERSION, TLS1_2_VERSION, NID_sha256, NID_chacha20_poly1305, 32, 12, 256,
     NID_kx_ecdhe, NID_auth_rsa, 1},
    {"DHE-RSA-CHACHA20-POLY1305", "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0x0300ccaa, 0xccaa,
     TLS1_2_VERSION, TLS1_2_VERSION, NID_sha256, NID_chacha20_poly1305, 32, 12, 256, NID_kx_dhe,
     NID_auth_rsa, 1},
    {"ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0x0300c02b, 0xc02b,
     TLS1_2_VERSION, TLS1_2_VERSION, NID_sha256, NID_aes_128_gcm, 16, 4, 128, NID_kx_ecdhe,
     NID_auth_ecdsa, 1},
    {"ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0x0300c02f, 0xc02f,
     TLS1_2_VERSION, TLS1_2_VERSION, NID_sha256, NID_aes_128_gcm, 16, 4, 128, NID_kx_ecdhe,
     NID_auth_rsa, 1},
    {"DHE-RSA-AES128-GCM-SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 0x0300009e, 0x009e,
     TLS1_2_VERSION, TLS1_2_VERSION, NID_sha256, NID_aes_128_gcm, 16, 4, 128, NID_kx_dhe,
     NID_auth_rsa, 1},
};
#define NUM_SUITES (sizeof(k_suites) / sizeof(k_suites[0]))
#define NUM_TLS13  3
#define NUM_TLS12  (NUM_SUITES - NUM_TLS13)
_Static_assert(NUM_TLS12 == SUITES12_MAX, "SUITES12_MAX is the number of TLS 1.2 suites");

/* The signalling values OpenSSL keeps with its suites (RFC 5746, RFC 7507). */
static const SSL_CIPHER k_scsvs[] = {
    {"TLS_EMPTY_RENEGOTIATION_INFO_SCSV", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", 0x030000ff, 0x00ff,
     0, 0, NID_undef, NID_undef, 0, 0, 0, NID_kx_any, NID_auth_any, 0},
    {"TLS_FALLBACK_SCSV", "TLS_FALLBACK_SCSV", 0x03005600, 0x5600, 0, 0, NID_undef, NID_undef, 0, 0,
     0, NID_kx_any, NID_auth_any, 0},
};

const SSL_CIPHER *suite_by_value(uint16_t v)
{
    for (size_t i = 0; i < NUM_SUITES; i++)
        if (k_suites[i].suite == v)
            return &k_suites[i];
    return NULL;
}

const SSL_CIPHER *suite_or_scsv_by_value(uint16_t v)
{
    const SSL_CIPHER *c = suite_by_value(v);
    for (size_t i = 0; c == NULL && i < sizeof(k_scsvs) / sizeof(k_scsvs[0]); i++)
        if (k_scsvs[i].suite == v)
            c = &k_scsvs[i];
    return c;
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

const SSL_CIPHER *suite_or_scsv_by_std_name(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < NUM_SUITES; i++)
        if (strcmp(k_suites[i].std_name, name) == 0)
            return &k_suites[i];
    for (size_t i = 0; i < sizeof(k_scsvs) / sizeof(k_scsvs[0]); i++)
        if (strcmp(k_scsvs[i].std_name, name) == 0)
            return &k_scsvs[i];
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

/* ---- security rules ---- */

int suites_level_bits(int level)
{
    static const int bits[6] = {0, 80, 112, 128, 192, 256};
    if (level < 0)
        level = 0;
    if (level > 5)
        level = 5;
    return bits[level];
}

int suite_security_ok(const SSL_CIPHER *c, int level)
{
    if (level <= 0)
        return 1;
    /* our suites are authenticated AEAD suites: no aNULL, MD5 or SHA-1 MAC;
     * from level 3 OpenSSL wants forward secrecy, which (EC)DHE and every
     * TLS 1.3 suite have */
    return c->bits >= suites_level_bits(level);
}

unsigned suite_kx_class(const SSL_CIPHER *c)
{
    return c->kx_nid == NID_kx_ecdhe ? SUITE_KX_ECDHE : c->kx_nid == NID_kx_dhe ? SUITE_KX_DHE : 0;
}

unsigned suite_auth_class(const SSL_CIPHER *c)
{
    return c->auth_nid == NID_auth_rsa     ? SUITE_AUTH_RSA
           : c->auth_nid == NID_auth_ecdsa ? SUITE_AUTH_ECDSA
                                           : 0;
}

int suite_disabled(const SSL_CIPHER *c, int min_ver, int max_ver, int level, unsigned kx_mask,
                   unsigned auth_mask)
{
    if ((suite_kx_class(c) & kx_mask) || (suite_auth_class(c) & auth_mask))
        return 1;
    if (max_ver == 0 || !c->valid)
        return 1;
    if (c->min_version > max_ver || c->max_version < min_ver)
        return 1;
    return !suite_security_ok(c, level);
}

/* ---- SSL_CTX_set_ciphersuites ---- */

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

/* ---- SSL_CTX_set_cipher_list: OpenSSL 3.0's cipher-string language ----
 *
 * OpenSSL evaluates a cipher string over every suite it has, kept in one
 * ordered list in which each suite is active (selected) or not.  Each rule
 * selects the suites whose attributes match a pattern and then: adds the
 * inactive ones at the end (a bare word), moves the active ones to the end
 * ('+'), deactivates the active ones and moves them to the front ('-'),
 * or removes them for good ('!').  Every such step keeps the relative
 * order of the suites it does not select and moves the selected ones as a
 * block in their own order, so the order of any subset of the suites after
 * a string is what the same steps give on that subset alone: evaluating the
 * string over our nine suites gives OpenSSL's order restricted to them.
 *
 * A pattern is a cipher name or an alias, or several joined by '+'
 * (their intersection).  The attributes are classes of key exchange,
 * authentication, encryption, MAC and strength; the bits below are ours,
 * one per class this OpenSSL build knows (the aliases of algorithms it has
 * not, e.g. GOST, RC4, IDEA, SEED, are unknown words in it as here). */

enum {
    KX_RSA = 1u << 0,
    KX_DHE = 1u << 1,
    KX_ECDHE = 1u << 2,
    KX_PSK = 1u << 3,
    KX_RSAPSK = 1u << 4,
    KX_ECDHEPSK = 1u << 5,
    KX_DHEPSK = 1u << 6,
    KX_SRP = 1u << 7,
};
enum {
    AU_RSA = 1u << 0,
    AU_DSS = 1u << 1,
    AU_NULL = 1u << 2,
    AU_ECDSA = 1u << 3,
    AU_PSK = 1u << 4,
    AU_SRP = 1u << 5,
};
enum {
    EN_3DES = 1u << 0,
    EN_NULL = 1u << 1,
    EN_AES128 = 1u << 2, /* CBC */
    EN_AES256 = 1u << 3,
    EN_CAMELLIA128 = 1u << 4,
    EN_CAMELLIA256 = 1u << 5,
    EN_AES128GCM = 1u << 6,
    EN_AES256GCM = 1u << 7,
    EN_AES128CCM = 1u << 8,
    EN_AES256CCM = 1u << 9,
    EN_AES128CCM8 = 1u << 10,
    EN_AES256CCM8 = 1u << 11,
    EN_CHACHA20 = 1u << 12,
    EN_ARIA128GCM = 1u << 13,
    EN_ARIA256GCM = 1u << 14,
};
#define EN_ANY_BUT_NULL (~(uint32_t)EN_NULL)
#define EN_AES                                                                                     \
    (EN_AES128 | EN_AES256 | EN_AES128GCM | EN_AES256GCM | EN_AES128CCM | EN_AES256CCM |           \
     EN_AES128CCM8 | EN_AES256CCM8)
enum {
    MAC_MD5 = 1u << 0,
    MAC_SHA1 = 1u << 1,
    MAC_SHA256 = 1u << 2,
    MAC_SHA384 = 1u << 3,
    MAC_AEAD = 1u << 4,
};
/* Strength: two groups, combined differently ("HIGH+FIPS" selects nothing:
 * two strength classes intersect to none) */
enum {
    ST_LOW = 1u << 0,
    ST_MEDIUM = 1u << 1,
    ST_HIGH = 1u << 2,
    ST_FIPS = 1u << 3,
    ST_NOT_DEFAULT = 1u << 4,
};
#define ST_STRONG_MASK  (ST_LOW | ST_MEDIUM | ST_HIGH | ST_FIPS)
#define ST_DEFAULT_MASK ST_NOT_DEFAULT

struct rule_attrs {
    uint32_t kx, au, enc, mac, strength;
    int min_tls;
};

static const struct {
    const char *name;
    struct rule_attrs a;
} k_aliases[] = {
    {"ALL", {0, 0, EN_ANY_BUT_NULL, 0, 0, 0}},
    {"COMPLEMENTOFALL", {0, 0, EN_NULL, 0, 0, 0}},
    {"COMPLEMENTOFDEFAULT", {0, 0, 0, 0, ST_NOT_DEFAULT, 0}},
    {"kRSA", {KX_RSA, 0, 0, 0, 0, 0}},
    {"kEDH", {KX_DHE, 0, 0, 0, 0, 0}},
    {"kDHE", {KX_DHE, 0, 0, 0, 0, 0}},
    {"DH", {KX_DHE, 0, 0, 0, 0, 0}},
    {"kEECDH", {KX_ECDHE, 0, 0, 0, 0, 0}},
    {"kECDHE", {KX_ECDHE, 0, 0, 0, 0, 0}},
    {"ECDH", {KX_ECDHE, 0, 0, 0, 0, 0}},
    {"kPSK", {KX_PSK, 0, 0, 0, 0, 0}},
    {"kRSAPSK", {KX_RSAPSK, 0, 0, 0, 0, 0}},
    {"kECDHEPSK", {KX_ECDHEPSK, 0, 0, 0, 0, 0}},
    {"kDHEPSK", {KX_DHEPSK, 0, 0, 0, 0, 0}},
    {"kSRP", {KX_SRP, 0, 0, 0, 0, 0}},
    {"aRSA", {0, AU_RSA, 0, 0, 0, 0}},
    {"aDSS", {0, AU_DSS, 0, 0, 0, 0}},
    {"DSS", {0, AU_DSS, 0, 0, 0, 0}},
    {"aNULL", {0, AU_NULL, 0, 0, 0, 0}},
    {"aECDSA", {0, AU_ECDSA, 0, 0, 0, 0}},
    {"ECDSA", {0, AU_ECDSA, 0, 0, 0, 0}},
    {"aPSK", {0, AU_PSK, 0, 0, 0, 0}},
    {"aSRP", {0, AU_SRP, 0, 0, 0, 0}},
    {"EDH", {KX_DHE, ~(uint32_t)AU_NULL, 0, 0, 0, 0}},
    {"DHE", {KX_DHE, ~(uint32_t)AU_NULL, 0, 0, 0, 0}},
    {"EECDH", {KX_ECDHE, ~(uint32_t)AU_NULL, 0, 0, 0, 0}},
    {"ECDHE", {KX_ECDHE, ~(uint32_t)AU_NULL, 0, 0, 0, 0}},
    {"NULL", {0, 0, EN_NULL, 0, 0, 0}},
    {"RSA", {KX_RSA, AU_RSA, 0, 0, 0, 0}}, /* static RSA: none of ours */
    {"ADH", {KX_DHE, AU_NULL, 0, 0, 0, 0}},
    {"AECDH", {KX_ECDHE, AU_NULL, 0, 0, 0, 0}},
    {"PSK", {KX_PSK | KX_RSAPSK | KX_ECDHEPSK | KX_DHEPSK, 0, 0, 0, 0, 0}},
    {"SRP", {KX_SRP, 0, 0, 0, 0, 0}},
    {"3DES", {0, 0, EN_3DES, 0, 0, 0}},
    {"eNULL", {0, 0, EN_NULL, 0, 0, 0}},
    {"AES128", {0, 0, EN_AES128 | EN_AES128GCM | EN_AES128CCM | EN_AES128CCM8, 0, 0, 0}},
    {"AES256", {0, 0, EN_AES256 | EN_AES256GCM | EN_AES256CCM | EN_AES256CCM8, 0, 0, 0}},
    {"AES", {0, 0, EN_AES, 0, 0, 0}},
    {"AESGCM", {0, 0, EN_AES128GCM | EN_AES256GCM, 0, 0, 0}},
    {"AESCCM", {0, 0, EN_AES128CCM | EN_AES256CCM | EN_AES128CCM8 | EN_AES256CCM8, 0, 0, 0}},
    {"AESCCM8", {0, 0, EN_AES128CCM8 | EN_AES256CCM8, 0, 0, 0}},
    {"CAMELLIA128", {0, 0, EN_CAMELLIA128, 0, 0, 0}},
    {"CAMELLIA256", {0, 0, EN_CAMELLIA256, 0, 0, 0}},
    {"CAMELLIA", {0, 0, EN_CAMELLIA128 | EN_CAMELLIA256, 0, 0, 0}},
    {"CHACHA20", {0, 0, EN_CHACHA20, 0, 0, 0}},
    {"ARIA", {0, 0, EN_ARIA128GCM | EN_ARIA256GCM, 0, 0, 0}},
    {"ARIAGCM", {0, 0, EN_ARIA128GCM | EN_ARIA256GCM, 0, 0, 0}},
    {"ARIA128", {0, 0, EN_ARIA128GCM, 0, 0, 0}},
    {"ARIA256", {0, 0, EN_ARIA256GCM, 0, 0, 0}},
    {"CBC", {0, 0, EN_3DES | EN_AES128 | EN_AES256 | EN_CAMELLIA128 | EN_CAMELLIA256, 0, 0, 0}},
    {"MD5", {0, 0, 0, MAC_MD5, 0, 0}},
    {"SHA1", {0, 0, 0, MAC_SHA1, 0, 0}},
    {"SHA", {0, 0, 0, MAC_SHA1, 0, 0}},
    {"SHA256", {0, 0, 0, MAC_SHA256, 0, 0}}, /* the HMAC: no AEAD suite */
    {"SHA384", {0, 0, 0, MAC_SHA384, 0, 0}},
    {"SSLv3", {0, 0, 0, 0, 0, SSL3_VERSION}},
    {"TLSv1", {0, 0, 0, 0, 0, TLS1_VERSION}},
    {"TLSv1.0", {0, 0, 0, 0, 0, TLS1_VERSION}},
    {"TLSv1.2", {0, 0, 0, 0, 0, TLS1_2_VERSION}},
    {"LOW", {0, 0, 0, 0, ST_LOW, 0}},
    {"MEDIUM", {0, 0, 0, 0, ST_MEDIUM, 0}},
    {"HIGH", {0, 0, 0, 0, ST_HIGH, 0}},
    {"FIPS", {0, 0, EN_ANY_BUT_NULL, 0, ST_FIPS, 0}},
    {"EDH-DSS-DES-CBC3-SHA", {KX_DHE, AU_DSS, EN_3DES, MAC_SHA1, ST_HIGH | ST_FIPS, 0}},
    {"EDH-RSA-DES-CBC3-SHA", {KX_DHE, AU_RSA, EN_3DES, MAC_SHA1, ST_HIGH | ST_FIPS, 0}},
};

/* suite_attrs: the classes of one of our TLS 1.2 suites. */
static struct rule_attrs suite_attrs(const SSL_CIPHER *c)
{
    struct rule_attrs a = {0, 0, 0, MAC_AEAD, ST_HIGH, TLS1_2_VERSION};
    a.kx = c->kx_nid == NID_kx_dhe ? KX_DHE : KX_ECDHE;
    a.au = c->auth_nid == NID_auth_ecdsa ? AU_ECDSA : AU_RSA;
    switch (c->cipher_nid) {
    case NID_aes_128_gcm:
        a.enc = EN_AES128GCM;
        a.strength |= ST_FIPS;
        break;
    case NID_aes_256_gcm:
        a.enc = EN_AES256GCM;
        a.strength |= ST_FIPS;
        break;
    default:
        a.enc = EN_CHACHA20;
        break;
    }
    return a;
}

/* The list being evaluated: our TLS 1.2 suites (indexes into the TLS 1.2
 * part of k_suites) in OpenSSL's order; removed ones ('!') are gone. */
struct cipher_order {
    uint8_t idx[NUM_TLS12];
    uint8_t active[NUM_TLS12]; /* by suite index */
    size_t n;
};

static const SSL_CIPHER *order_suite(uint8_t i)
{
    return &k_suites[NUM_TLS13 + i];
}

/* A rule's pattern: a suite (cipher_id) and/or attribute classes; or, for
 * the strength sort, only a strength in bits (strength_bits >= 0). */
struct rule {
    uint32_t cipher_id;
    struct rule_attrs a;
    int strength_bits;
};

static int rule_matches(const struct rule *r, const SSL_CIPHER *c)
{
    struct rule_attrs ca;
    if (r->strength_bits >= 0)
        return c->bits == r->strength_bits;
    ca = suite_attrs(c);
    if (r->cipher_id != 0 && r->cipher_id != c->id)
        return 0;
    if ((r->a.kx && !(r->a.kx & ca.kx)) || (r->a.au && !(r->a.au & ca.au)) ||
        (r->a.enc && !(r->a.enc & ca.enc)) || (r->a.mac && !(r->a.mac & ca.mac)))
        return 0;
    if (r->a.min_tls && r->a.min_tls != ca.min_tls)
        return 0;
    if ((r->a.strength & ST_STRONG_MASK) && !(r->a.strength & ST_STRONG_MASK & ca.strength))
        return 0;
    if ((r->a.strength & ST_DEFAULT_MASK) && !(r->a.strength & ST_DEFAULT_MASK & ca.strength))
        return 0;
    return 1;
}

enum rule_op { OP_ADD, OP_KILL, OP_DEL, OP_ORD };

/* apply_rule: one rule over the list, as OpenSSL's ssl_cipher_apply_rule. */
static void apply_rule(struct cipher_order *o, const struct rule *r, enum rule_op op)
{
    uint8_t moved[NUM_TLS12], kept[NUM_TLS12];
    size_t nm = 0, nk = 0;
    for (size_t i = 0; i < o->n; i++) {
        uint8_t x = o->idx[i];
        int sel = rule_matches(r, order_suite(x));
        switch (op) {
        case OP_ADD: /* inactive ones to the end, activated */
            sel = sel && !o->active[x];
            if (sel)
                o->active[x] = 1;
            break;
        case OP_ORD: /* active ones to the end */
            sel = sel && o->active[x];
            break;
        case OP_DEL: /* active ones deactivated, to the front (best places for a later add) */
            sel = sel && o->active[x];
            if (sel)
                o->active[x] = 0;
            break;
        case OP_KILL: /* removed, active or not */
            if (sel) {
                o->active[x] = 0;
                continue;
            }
            break;
        }
        if (sel)
            moved[nm++] = x;
        else
            kept[nk++] = x;
    }
    if (op == OP_DEL) {
        memcpy(o->idx, moved, nm);
        memcpy(o->idx + nm, kept, nk);
    } else {
        memcpy(o->idx, kept, nk);
        memcpy(o->idx + nk, moved, op == OP_KILL ? 0 : nm);
    }
    o->n = op == OP_KILL ? nk : nk + nm;
}

/* strength_sort: "@STRENGTH", the active suites by strength, strongest
 * first, keeping the order within a strength. */
static void strength_sort(struct cipher_order *o)
{
    int max = 0;
    for (size_t i = 0; i < o->n; i++)
        if (o->active[o->idx[i]] && order_suite(o->idx[i])->bits > max)
            max = order_suite(o->idx[i])->bits;
    for (int bits = max; bits >= 0; bits--) {
        int used = 0;
        for (size_t i = 0; i < o->n; i++)
            used |= o->active[o->idx[i]] && order_suite(o->idx[i])->bits == bits;
        if (used) {
            struct rule r = {0, {0, 0, 0, 0, 0, 0}, bits};
            apply_rule(o, &r, OP_ORD);
        }
    }
}

/* The characters of a word; anything else but a separator or an operator
 * at the start of a rule is an error. */
static int word_char(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '.' || ch == '=';
}

static int item_sep(char ch)
{
    return ch == ':' || ch == ' ' || ch == ';' || ch == ',';
}

/* lookup_word: the attributes of the cipher or alias named by |buf| (|len|
 * characters); *cipher_id is set for one of our suites.  0 if unknown. */
static int lookup_word(const char *buf, size_t len, struct rule_attrs *a, uint32_t *cipher_id,
                       int *is_cipher)
{
    for (size_t i = 0; i < NUM_TLS12; i++) {
        const SSL_CIPHER *c = order_suite((uint8_t)i);
        if (strncmp(buf, c->name, len) == 0 && c->name[len] == '\0') {
            *a = suite_attrs(c);
            *cipher_id = c->id;
            *is_cipher = 1;
            return 1;
        }
    }
    for (size_t i = 0; i < sizeof(k_aliases) / sizeof(k_aliases[0]); i++) {
        if (strncmp(buf, k_aliases[i].name, len) == 0 && k_aliases[i].name[len] == '\0') {
            *a = k_aliases[i].a;
            *is_cipher = 0;
            return 1;
        }
    }
    return 0;
}

/* combine: one class of a multi-part pattern ("A+B"): the intersection;
 * 0 when it became empty. */
static int combine(uint32_t *acc, uint32_t part)
{
    if (part == 0)
        return 1;
    if (*acc == 0) {
        *acc = part;
        return 1;
    }
    *acc &= part;
    return *acc != 0;
}

/* process_rules: OpenSSL's ssl_cipher_process_rulestr over |str|.
 * Returns 1, or 0 when the string is malformed (error raised). */
static int process_rules(const char *str, struct cipher_order *o, struct suites12_state *st)
{
    const char *l = str;
    int retval = 1;

    for (;;) {
        char ch = *l;
        enum rule_op op = OP_ADD;
        int special = 0, found = 0;
        const char *buf = l;
        size_t buflen = 0;
        struct rule r = {0, {0, 0, 0, 0, 0, 0}, -1};

        if (ch == '\0')
            break;
        if (ch == '-') {
            op = OP_DEL;
            l++;
        } else if (ch == '+') {
            op = OP_ORD;
            l++;
        } else if (ch == '!') {
            op = OP_KILL;
            l++;
        } else if (ch == '@') {
            special = 1;
            l++;
        }
        if (item_sep(ch)) {
            l++;
            continue;
        }

        for (;;) {
            struct rule_attrs wa;
            uint32_t id = 0;
            int is_cipher = 0, multi;

            buf = l;
            buflen = 0;
            while (word_char(*l)) {
                l++;
                buflen++;
            }
            if (buflen == 0) {
                ERR_raise(ERR_LIB_SSL, SSL_R_INVALID_COMMAND);
                return 0;
            }
            if (special)
                break;
            multi = *l == '+';
            if (multi)
                l++;

            found = lookup_word(buf, buflen, &wa, &id, &is_cipher);
            if (!found)
                break;
            if (!combine(&r.a.kx, wa.kx) || !combine(&r.a.au, wa.au) ||
                !combine(&r.a.enc, wa.enc) || !combine(&r.a.mac, wa.mac)) {
                found = 0;
                break;
            }
            if (wa.strength & ST_STRONG_MASK) {
                if (r.a.strength & ST_STRONG_MASK) {
                    r.a.strength &= (wa.strength & ST_STRONG_MASK) | ~(uint32_t)ST_STRONG_MASK;
                    if (!(r.a.strength & ST_STRONG_MASK)) {
                        found = 0;
                        break;
                    }
                } else {
                    /* as OpenSSL: this also drops a COMPLEMENTOFDEFAULT before it */
                    r.a.strength = wa.strength & ST_STRONG_MASK;
                }
            }
            if (wa.strength & ST_DEFAULT_MASK) {
                if (r.a.strength & ST_DEFAULT_MASK) {
                    r.a.strength &= (wa.strength & ST_DEFAULT_MASK) | ~(uint32_t)ST_DEFAULT_MASK;
                    if (!(r.a.strength & ST_DEFAULT_MASK)) {
                        found = 0;
                        break;
                    }
                } else {
                    r.a.strength |= wa.strength & ST_DEFAULT_MASK;
                }
            }
            if (is_cipher) {
                /* an explicit suite: its version is no part of the pattern */
                r.cipher_id = id;
            } else if (wa.min_tls) {
                if (r.a.min_tls != 0 && r.a.min_tls != wa.min_tls) {
                    found = 0;
                    break;
                }
                r.a.min_tls = wa.min_tls;
            }
            if (!multi)
                break;
        }

        if (special) {
            int ok = 0;
            if (buflen == 8 && strncmp(buf, "STRENGTH", 8) == 0) {
                strength_sort(o);
                ok = 1;
            } else if (buflen == 10 && strncmp(buf, "SECLEVEL=", 9) == 0) {
                int level = buf[9] - '0';
                if (level < 0 || level > 5) {
                    ERR_raise(ERR_LIB_SSL, SSL_R_INVALID_COMMAND);
                } else {
                    st->security_level = level;
                    ok = 1;
                }
            } else {
                ERR_raise(ERR_LIB_SSL, SSL_R_INVALID_COMMAND);
            }
            if (!ok)
                retval = 0; /* and go on: later rules still apply, as in OpenSSL */
            while (*l != '\0' && !item_sep(*l))
                l++;
        } else if (found) {
            apply_rule(o, &r, op);
        } else {
            while (*l != '\0' && !item_sep(*l))
                l++;
        }
        if (*l == '\0')
            break;
    }
    return retval;
}

/* suiteb_rewrite: OpenSSL's check_suiteb_cipher_list.  A string starting
 * with SUITEB128ONLY, SUITEB128C2, SUITEB128 or SUITEB192 sets the Suite B
 * flags, which then replace this and every later string by the Suite B
 * suites.  0 (error raised) when the method cannot speak TLS 1.2. */
static int suiteb_rewrite(const char **str, struct suites12_state *st)
{
    uint32_t flags = 0;
    int comb2 = 0;
    if (strncmp(*str, "SUITEB128ONLY", 13) == 0) {
        flags = SSL_CERT_FLAG_SUITEB_128_LOS_ONLY;
    } else if (strncmp(*str, "SUITEB128C2", 11) == 0) {
        comb2 = 1;
        flags = SSL_CERT_FLAG_SUITEB_128_LOS;
    } else if (strncmp(*str, "SUITEB128", 9) == 0) {
        flags = SSL_CERT_FLAG_SUITEB_128_LOS;
    } else if (strncmp(*str, "SUITEB192", 9) == 0) {
        flags = SSL_CERT_FLAG_SUITEB_192_LOS;
    }
    if (flags) {
        st->suiteb_flags &= ~(uint32_t)SSL_CERT_FLAG_SUITEB_128_LOS;
        st->suiteb_flags |= flags;
    } else {
        flags = st->suiteb_flags & SSL_CERT_FLAG_SUITEB_128_LOS;
    }
    if (!flags)
        return 1;
    if (!st->tls12_method) {
        ERR_raise(ERR_LIB_SSL, SSL_R_AT_LEAST_TLS_1_2_NEEDED_IN_SUITEB_MODE);
        return 0;
    }
    switch (flags) {
    case SSL_CERT_FLAG_SUITEB_128_LOS:
        *str = comb2 ? "ECDHE-ECDSA-AES256-GCM-SHA384"
                     : "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384";
        break;
    case SSL_CERT_FLAG_SUITEB_128_LOS_ONLY:
        *str = "ECDHE-ECDSA-AES128-GCM-SHA256";
        break;
    default: /* SSL_CERT_FLAG_SUITEB_192_LOS */
        *str = "ECDHE-ECDSA-AES256-GCM-SHA384";
        break;
    }
    return 1;
}

int suites_parse_tls12(const char *str, const SSL_CIPHER **out, size_t max, size_t *num,
                       struct suites12_state *st)
{
    struct cipher_order o;
    const char *p;
    int ok = 1;
    size_t n = 0;

    if (str == NULL)
        return 0;
    if (!suiteb_rewrite(&str, st))
        return 0;

    /* every suite, in the base order, none active */
    for (size_t i = 0; i < NUM_TLS12; i++) {
        o.idx[i] = (uint8_t)i;
        o.active[i] = 0;
    }
    o.n = NUM_TLS12;

    /* a leading DEFAULT is OpenSSL's default string (anywhere else it is an
     * unknown word) */
    p = str;
    if (strncmp(str, "DEFAULT", 7) == 0) {
        ok = process_rules("ALL:!COMPLEMENTOFDEFAULT:!eNULL", &o, st);
        p += 7;
        if (*p == ':')
            p++;
    }
    if (ok && *p != '\0')
        ok = process_rules(p, &o, st);
    if (!ok)
        return 0;

    for (size_t i = 0; i < o.n && n < max; i++)
        if (o.active[o.idx[i]])
            out[n++] = order_suite(o.idx[i]);
    *num = n;
    if (n == 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_NO_CIPHER_MATCH);
        return -1;
    }
    return 1;
}

/* Library initialisation, error strings, and the human-readable names of
 * alerts, states, versions and cipher suites. */
#include "internal.h"

#include "codec/consts.h"

#include <string.h>

#include "api/api.h"
#include "base/once.h"
#include "handshake/hs.h"
#include "auth/sigalgs.h"
#include "codec/cipher_suites.h"
#include "codec/groups.h"

extern const ERR_STRING_DATA sesame_ssl_reason_strings[];

static SESAME_ONCE g_strings_once = SESAME_ONCE_INIT;

/* load_strings: OpenSSL 3.0's ERR_load_strings_const reports success even
 * when an insertion into its table failed (an allocation), so every string
 * is looked up afterwards: a missing one means trying again next time. */
static int load_strings(void *arg)
{
    (void)arg;
    if (!ERR_load_strings_const(sesame_ssl_reason_strings))
        return 0;
    for (const ERR_STRING_DATA *e = sesame_ssl_reason_strings; e->error != 0; e++) {
        const char *got = ERR_reason_error_string(e->error);
        if (got == NULL || strcmp(got, e->string) != 0)
            return 0;
    }
    return 1;
}

void ssl_load_strings(void)
{
    (void)sesame_once(&g_strings_once, load_strings, NULL);
}

int OPENSSL_init_ssl(uint64_t opts, const OPENSSL_INIT_SETTINGS *settings)
{
    /* as libssl does: the config file is loaded unless asked not to */
    if (!(opts & OPENSSL_INIT_NO_LOAD_CONFIG))
        opts |= OPENSSL_INIT_LOAD_CONFIG;
    if (!OPENSSL_init_crypto(opts | OPENSSL_INIT_ADD_ALL_CIPHERS | OPENSSL_INIT_ADD_ALL_DIGESTS,
                             settings))
        return 0;
    if (!(opts & OPENSSL_INIT_NO_LOAD_SSL_STRINGS))
        ssl_load_strings();
    return 1;
}

int ERR_load_SSL_strings(void)
{
    ssl_load_strings();
    return 1;
}

/* ---- alerts ---- */

static const struct {
    int desc;
    const char *sh, *lng;
} k_alerts[] = {
    {SSL3_AD_CLOSE_NOTIFY, "CN", "close notify"},
    {SSL3_AD_UNEXPECTED_MESSAGE, "UM", "unexpected_message"},
    {SSL3_AD_BAD_RECORD_MAC, "BM", "bad record mac"},
    {TLS1_AD_DECRYPTION_FAILED, "DC", "decryption failed"},
    {TLS1_AD_RECORD_OVERFLOW, "RO", "record overflow"},
    {SSL3_AD_DECOMPRESSION_FAILURE, "DF", "decompression failure"},
    {SSL3_AD_HANDSHAKE_FAILURE, "HF", "handshake failure"},
    {SSL3_AD_NO_CERTIFICATE, "NC", "no certificate"},
    {SSL3_AD_BAD_CERTIFICATE, "BC", "bad certificate"},
    {SSL3_AD_UNSUPPORTED_CERTIFICATE, "UC", "unsupported certificate"},
    {SSL3_AD_CERTIFICATE_REVOKED, "CR", "certificate revoked"},
    {SSL3_AD_CERTIFICATE_EXPIRED, "CE", "certificate expired"},
    {SSL3_AD_CERTIFICATE_UNKNOWN, "CU", "certificate unknown"},
    {SSL3_AD_ILLEGAL_PARAMETER, "IP", "illegal parameter"},
    {TLS1_AD_UNKNOWN_CA, "CA", "unknown CA"},
    {TLS1_AD_ACCESS_DENIED, "AD", "access denied"},
    {TLS1_AD_DECODE_ERROR, "DE", "decode error"},
    {TLS1_AD_DECRYPT_ERROR, "CY", "decrypt error"},
    {TLS1_AD_EXPORT_RESTRICTION, "ER", "export restriction"},
    {TLS1_AD_PROTOCOL_VERSION, "PV", "protocol version"},
    {TLS1_AD_INSUFFICIENT_SECURITY, "IS", "insufficient security"},
    {TLS1_AD_INTERNAL_ERROR, "IE", "internal error"},
    {TLS1_AD_USER_CANCELLED, "US", "user canceled"},
    {TLS1_AD_NO_RENEGOTIATION, "NR", "no renegotiation"},
    {TLS1_AD_UNSUPPORTED_EXTENSION, "UE", "unsupported extension"},
    {TLS1_AD_CERTIFICATE_UNOBTAINABLE, "CO", "certificate unobtainable"},
    {TLS1_AD_UNRECOGNIZED_NAME, "UN", "unrecognized name"},
    {TLS1_AD_BAD_CERTIFICATE_STATUS_RESPONSE, "BR", "bad certificate status response"},
    {TLS1_AD_BAD_CERTIFICATE_HASH_VALUE, "BH", "bad certificate hash value"},
    {TLS1_AD_UNKNOWN_PSK_IDENTITY, "UP", "unknown PSK identity"},
    {TLS1_AD_NO_APPLICATION_PROTOCOL, "NP", "no application protocol"},
};

const char *SSL_alert_desc_string(int value)
{
    for (size_t i = 0; i < sizeof(k_alerts) / sizeof(k_alerts[0]); i++)
        if (k_alerts[i].desc == (value & 0xff))
            return k_alerts[i].sh;
    return "UK";
}

const char *SSL_alert_desc_string_long(int value)
{
    for (size_t i = 0; i < sizeof(k_alerts) / sizeof(k_alerts[0]); i++)
        if (k_alerts[i].desc == (value & 0xff))
            return k_alerts[i].lng;
    return "unknown";
}

const char *SSL_alert_type_string(int value)
{
    switch (value >> 8) {
    case SSL3_AL_WARNING:
        return "W";
    case SSL3_AL_FATAL:
        return "F";
    default:
        return "U";
    }
}

const char *SSL_alert_type_string_long(int value)
{
    switch (value >> 8) {
    case SSL3_AL_WARNING:
        return "warning";
    case SSL3_AL_FATAL:
        return "fatal";
    default:
        return "unknown";
    }
}

/* ---- handshake state ---- */

OSSL_HANDSHAKE_STATE SSL_get_state(const SSL *s)
{
    switch (s->phase) {
    case HS_PHASE_BEFORE:
        return TLS_ST_BEFORE;
    case HS_PHASE_DONE:
        return TLS_ST_OK;
    default:
        return s->hs != NULL ? (OSSL_HANDSHAKE_STATE)hs_state_info(s->hs->state)->ossl_state
                             : TLS_ST_BEFORE;
    }
}

const char *SSL_state_string_long(const SSL *s)
{
    if (s->fatal)
        return "error";
    switch (s->phase) {
    case HS_PHASE_BEFORE:
        return "before SSL initialization";
    case HS_PHASE_DONE:
        return "SSL negotiation finished successfully";
    default:
        return s->hs != NULL ? hs_state_info(s->hs->state)->long_name : "unknown state";
    }
}

const char *SSL_state_string(const SSL *s)
{
    if (s->fatal)
        return "SSLERR";
    switch (s->phase) {
    case HS_PHASE_BEFORE:
        return "PINIT";
    case HS_PHASE_DONE:
        return "SSLOK";
    default:
        return s->hs != NULL ? hs_state_info(s->hs->state)->short_name : "UNKWN";
    }
}

/* ---- versions ---- */

/* Before the handshake OpenSSL reports the method's version (TLS_ANY_VERSION
 * for TLS_method). */
int SSL_version(const SSL *s)
{
    return s->version != 0 ? s->version : s->method->version;
}
const char *SSL_get_version(const SSL *s)
{
    return codec_version_name(SSL_version(s));
}

/* The legacy_version of our/the peer's ClientHello: 0x0303 for TLS 1.3. */
int SSL_client_version(const SSL *s)
{
    if (s->version == 0)
        return 0;
    return s->version > TLS1_2_VERSION ? TLS1_2_VERSION : s->version;
}

/* ---- cipher suites ---- */

const char *SSL_CIPHER_get_name(const SSL_CIPHER *c)
{
    return c != NULL ? c->name : "(NONE)";
}
const char *SSL_CIPHER_standard_name(const SSL_CIPHER *c)
{
    return c != NULL ? c->std_name : "(NONE)";
}

const char *OPENSSL_cipher_name(const char *rfc_name)
{
    return SSL_CIPHER_get_name(suite_or_scsv_by_std_name(rfc_name));
}

int SSL_CIPHER_get_bits(const SSL_CIPHER *c, int *alg_bits)
{
    if (c == NULL)
        return 0;
    if (alg_bits != NULL)
        *alg_bits = c->bits;
    return c->bits;
}

const char *SSL_CIPHER_get_version(const SSL_CIPHER *c)
{
    return c != NULL ? codec_version_name(c->min_version) : "(NONE)";
}

/* OpenSSL dereferences |c| in these; sesame answers for NULL as for
 * "no algorithm". */
uint32_t SSL_CIPHER_get_id(const SSL_CIPHER *c)
{
    return c != NULL ? c->id : 0;
}
uint16_t SSL_CIPHER_get_protocol_id(const SSL_CIPHER *c)
{
    return c != NULL ? c->suite : 0;
}
int SSL_CIPHER_get_cipher_nid(const SSL_CIPHER *c)
{
    return c != NULL ? c->cipher_nid : NID_undef;
}
/* AEAD suites have no separate MAC digest; OpenSSL's signalling values
 * (no MAC bits) report MD5-SHA1, the entry its table has for "none". */
int SSL_CIPHER_get_digest_nid(const SSL_CIPHER *c)
{
    return c != NULL && !c->valid ? NID_md5_sha1 : NID_undef;
}
int SSL_CIPHER_get_kx_nid(const SSL_CIPHER *c)
{
    return c != NULL ? c->kx_nid : NID_undef;
}
int SSL_CIPHER_get_auth_nid(const SSL_CIPHER *c)
{
    return c != NULL ? c->auth_nid : NID_undef;
}
int SSL_CIPHER_is_aead(const SSL_CIPHER *c)
{
    return c != NULL && c->valid;
}
/* As OpenSSL: EVP_get_digestbynid's object (so that comparisons with
 * EVP_sha256() hold); MD5 for a signalling value (its handshake-digest
 * index 0). */
const EVP_MD *SSL_CIPHER_get_handshake_digest(const SSL_CIPHER *c)
{
    if (c == NULL)
        return NULL;
    return EVP_get_digestbynid(c->valid ? c->md_nid : NID_md5);
}

/* OpenSSL's lookup includes the signalling values; |s| is not used. */
const SSL_CIPHER *SSL_CIPHER_find(SSL *s, const unsigned char *ptr)
{
    (void)s;
    if (ptr == NULL)
        return NULL;
    return suite_or_scsv_by_value((uint16_t)(ptr[0] << 8 | ptr[1]));
}

char *SSL_CIPHER_description(const SSL_CIPHER *c, char *buf, int len)
{
    const char *kx, *au, *enc;
    int own = 0;
    if (buf == NULL) {
        len = 128;
        if ((buf = OPENSSL_malloc((size_t)len)) == NULL) {
            ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
            return NULL;
        }
        own = 1;
    } else if (len < 128) {
        return NULL;
    }
    if (c == NULL) { /* OpenSSL crashes */
        if (own)
            OPENSSL_free(buf);
        return NULL;
    }
    switch (c->kx_nid) {
    case NID_kx_ecdhe:
        kx = "ECDH";
        break;
    case NID_kx_dhe:
        kx = "DH";
        break;
    case NID_kx_any:
        kx = "any";
        break;
    default:
        kx = "unknown";
        break;
    }
    switch (c->auth_nid) {
    case NID_auth_ecdsa:
        au = "ECDSA";
        break;
    case NID_auth_rsa:
        au = "RSA";
        break;
    case NID_auth_any:
        au = "any";
        break;
    default:
        au = "unknown";
        break;
    }
    switch (c->cipher_nid) {
    case NID_aes_128_gcm:
        enc = "AESGCM(128)";
        break;
    case NID_aes_256_gcm:
        enc = "AESGCM(256)";
        break;
    case NID_chacha20_poly1305:
        enc = "CHACHA20/POLY1305(256)";
        break;
    default:
        enc = "unknown";
        break;
    }
    BIO_snprintf(buf, (size_t)len, "%-30s %-7s Kx=%-8s Au=%-5s Enc=%-22s Mac=%-4s\n", c->name,
                 codec_version_name(c->min_version), kx, au, enc, c->valid ? "AEAD" : "unknown");
    return buf;
}

const SSL_CIPHER *SSL_get_current_cipher(const SSL *s)
{
    if (s->cipher != NULL)
        return s->cipher;
    return s->session != NULL ? s->session->cipher : NULL;
}

const SSL_CIPHER *SSL_get_pending_cipher(const SSL *s)
{
    return s->phase == HS_PHASE_IN_INIT ? s->cipher : NULL;
}

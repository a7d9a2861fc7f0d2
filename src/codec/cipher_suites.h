/* Cipher suites: the static table, OpenSSL's security rules for a suite,
 * and the parsers of OpenSSL's cipher configuration strings (cipher lists,
 * ciphersuites).  Never sees an SSL*. */
#ifndef SESAME_CODEC_CIPHER_SUITES_H
#define SESAME_CODEC_CIPHER_SUITES_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "base/bytes.h"

/* The number of TLS 1.2 suites we implement (the most a TLS 1.2 list holds). */
#define SUITES12_MAX 9

/* ---- the table ---- */

/* suite_by_value: the suite with wire value |v|, or NULL if unsupported.
 * Never a signalling value. */
const SSL_CIPHER *suite_by_value(uint16_t v);
/* suite_or_scsv_by_value: as suite_by_value, and also the signalling values
 * TLS_EMPTY_RENEGOTIATION_INFO_SCSV (0x00ff) and TLS_FALLBACK_SCSV (0x5600),
 * as OpenSSL's SSL_CIPHER_find reports them (|valid| 0). */
const SSL_CIPHER *suite_or_scsv_by_value(uint16_t v);
/* suite_by_name: by OpenSSL name or IANA name (case-sensitive), or NULL. */
const SSL_CIPHER *suite_by_name(const char *name);
/* suite_or_scsv_by_std_name: by IANA name, signalling values included
 * (OpenSSL_cipher_name), or NULL. */
const SSL_CIPHER *suite_or_scsv_by_std_name(const char *name);
/* suite_is_tls13: 1 for a TLS 1.3 suite. */
int suite_is_tls13(const SSL_CIPHER *c);

/* suites_default_tls13/12: OpenSSL's default preference orders (for TLS
 * 1.2, OpenSSL 3.0's DEFAULT restricted to our suites). */
void suites_default_tls13(const SSL_CIPHER **out, size_t *num); /* out: >= 3 */
void suites_default_tls12(const SSL_CIPHER **out, size_t *num); /* out: >= SUITES12_MAX */

/* ---- OpenSSL's security rules (its default security callback) ---- */

/* suites_level_bits: the minimum security bits of security level |level|
 * (clamped to 0..5): 0, 80, 112, 128, 192, 256. */
int suites_level_bits(int level);
/* suite_security_ok: 1 if |c| is allowed at security |level|
 * (SSL_SECOP_CIPHER_SUPPORTED/SHARED/CHECK): strength at least the level's
 * bits; from level 3 only forward-secret suites (all of ours are). */
int suite_security_ok(const SSL_CIPHER *c, int level);

/* Key exchange and authentication classes of a TLS 1.2 suite, for masks
 * (TLS 1.3 suites and SCSVs are in no class, so no mask disables them). */
#define SUITE_KX_ECDHE   0x1u
#define SUITE_KX_DHE     0x2u
#define SUITE_AUTH_RSA   0x1u
#define SUITE_AUTH_ECDSA 0x2u
unsigned suite_kx_class(const SSL_CIPHER *c);
unsigned suite_auth_class(const SSL_CIPHER *c);

/* suite_disabled: OpenSSL's ssl_cipher_disabled(): 1 if |c| may not be used
 * (offered by a client, chosen by a server, listed by
 * SSL_get1_supported_ciphers) in a connection whose protocol versions are
 * [min_ver, max_ver] (max_ver 0: none) at security |level|, or when its key
 * exchange / authentication class is in |kx_mask| / |auth_mask|. */
int suite_disabled(const SSL_CIPHER *c, int min_ver, int max_ver, int level, unsigned kx_mask,
                   unsigned auth_mask);

/* ---- parsers ---- */

/* suites_parse_tls13: SSL_CTX_set_ciphersuites syntax, colon-separated TLS 1.3
 * suite names; unknown names are ignored but if the string is non-empty at
 * least one must match (else SSL_R_NO_CIPHER_MATCH).  "" gives none. */
int suites_parse_tls13(const char *str, const SSL_CIPHER **out, size_t max, size_t *num) WUR;

/* What a cipher string reads and changes besides the list. */
struct suites12_state {
    int security_level;    /* in: current; out: as "@SECLEVEL=n" left it */
    uint32_t suiteb_flags; /* in/out: SSL_CERT_FLAG_SUITEB_* (sticky, as OpenSSL) */
    int tls12_method;      /* in: the method may speak TLS 1.2 (Suite B needs it) */
};

/* suites_parse_tls12: OpenSSL 3.0's cipher-string language
 * (SSL_CTX_set_cipher_list) evaluated over our TLS 1.2 suites, giving the
 * order OpenSSL gives them: names, aliases, "A+B", the operators ! - +,
 * @STRENGTH, @SECLEVEL=n, a leading DEFAULT or SUITEB...; unknown words are
 * ignored.  |st| is updated even when the string fails, as in OpenSSL (a
 * "@SECLEVEL=n" before the error stays).  Returns 1 with the list in
 * |out| (*num >= 1); 0 for a malformed string (SSL_R_INVALID_COMMAND or
 * SSL_R_AT_LEAST_TLS_1_2_NEEDED_IN_SUITEB_MODE raised; OpenSSL keeps the old
 * list); -1 when the string selects none of our suites (SSL_R_NO_CIPHER_MATCH
 * raised, *num = 0: OpenSSL then has replaced its TLS 1.2 list by an empty
 * one).  A NULL |str| fails with nothing raised, as OpenSSL. */
int suites_parse_tls12(const char *str, const SSL_CIPHER **out, size_t max, size_t *num,
                       struct suites12_state *st) WUR;

#endif

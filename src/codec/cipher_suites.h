/* Cipher suites: the static table and the parsers of OpenSSL's cipher
 * configuration strings (cipher lists, ciphersuites).  Never sees an SSL*. */
#ifndef SESAME_CODEC_CIPHER_SUITES_H
#define SESAME_CODEC_CIPHER_SUITES_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "base/bytes.h"

/* ---- cipher suites ---- */

/* suite_by_value: the suite with wire value |v|, or NULL if unsupported. */
const SSL_CIPHER *suite_by_value(uint16_t v);
/* suite_by_name: by OpenSSL name or IANA name (case-sensitive), or NULL. */
const SSL_CIPHER *suite_by_name(const char *name);
/* suite_is_tls13: 1 for a TLS 1.3 suite. */
int suite_is_tls13(const SSL_CIPHER *c);
/* suite_all: the whole table (TLS 1.3 first) and its size. */
const SSL_CIPHER *suite_all(size_t *num);

/* suites_default_tls13/12: OpenSSL's default preference orders. */
void suites_default_tls13(const SSL_CIPHER **out, size_t *num); /* out: >= 3 */
void suites_default_tls12(const SSL_CIPHER **out, size_t *num); /* out: >= 6 */

/* suites_parse_tls13: SSL_CTX_set_ciphersuites syntax, colon-separated TLS 1.3
 * suite names; unknown names are ignored but if the string is non-empty at
 * least one must match (else SSL_R_NO_CIPHER_MATCH).  "" gives none. */
int suites_parse_tls13(const char *str, const SSL_CIPHER **out, size_t max, size_t *num) WUR;

/* suites_parse_tls12: OpenSSL cipher-string syntax (SSL_CTX_set_cipher_list)
 * restricted to our TLS 1.2 suites.  Fails with SSL_R_NO_CIPHER_MATCH when
 * the result is empty.  *out_seclevel receives n from "@SECLEVEL=n", or -1. */
int suites_parse_tls12(const char *str, const SSL_CIPHER **out, size_t max, size_t *num,
                       int *out_seclevel) WUR;

#endif

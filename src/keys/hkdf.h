/* HKDF (RFC 5869) and the TLS 1.3 labelled forms (RFC 8446 7.1).
 *
 * All functions take a digest from keys/algs.h (fetched once).  For the
 * fetched SHA-256/SHA-384 the HMAC runs on a per-thread cached EVP_MAC_CTX
 * (created on a thread's first call, freed at thread exit); other digests
 * fall back to a temporary context.  Outputs may alias the secret/key
 * input (the key is absorbed before any output is written).
 */
#ifndef SESAME_KEYS_HKDF_H
#define SESAME_KEYS_HKDF_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "base/bytes.h"

/* TLS13_MAX_LABEL_LEN: RFC 8446 7.1 HkdfLabel.label is <7..255> including
 * the "tls13 " prefix, so a caller's label is at most 249 bytes. */
#define TLS13_MAX_LABEL_LEN 249

/* tls13_hmac writes HMAC-md(key, data) (EVP_MD_get_size(md) bytes) to
 * |out|. |out| may alias |key| or |data|. */
int tls13_hmac(const EVP_MD *md, uint8_t *out, const uint8_t *key, size_t key_len,
               const uint8_t *data, size_t len) WUR;

/* tls13_hkdf_extract: RFC 5869 2.2 HKDF-Extract(salt, IKM) into |out|
 * (EVP_MD_get_size(md) bytes). salt_len 0 means a string of hash-length
 * zeros (which HMAC treats the same as an empty key). */
int tls13_hkdf_extract(const EVP_MD *md, uint8_t *out, const uint8_t *salt, size_t salt_len,
                       const uint8_t *ikm, size_t ikm_len) WUR;

/* tls13_hkdf_expand: RFC 5869 2.3 HKDF-Expand(PRK, info, out_len);
 * out_len <= 255 * hash length. */
int tls13_hkdf_expand(const EVP_MD *md, uint8_t *out, size_t out_len, const uint8_t *prk,
                      size_t prk_len, const uint8_t *info, size_t info_len) WUR;

/* tls13_hkdf_expand_label: RFC 8446 7.1 HKDF-Expand-Label(Secret, Label,
 * Context, Length). |label| is NUL-terminated and given without the
 * "tls13 " prefix; context_len <= 255; out_len <= 65535. */
int tls13_hkdf_expand_label(const EVP_MD *md, uint8_t *out, size_t out_len, const uint8_t *secret,
                            size_t secret_len, const char *label, const uint8_t *context,
                            size_t context_len) WUR;

/* tls13_hkdf_expand_label_n: as above with an explicit label length (the
 * label need not be NUL-terminated; used for exporter labels). */
int tls13_hkdf_expand_label_n(const EVP_MD *md, uint8_t *out, size_t out_len, const uint8_t *secret,
                              size_t secret_len, const uint8_t *label, size_t label_len,
                              const uint8_t *context, size_t context_len) WUR;

/* tls13_derive_secret: RFC 8446 7.1 Derive-Secret(Secret, Label, Messages)
 * given Transcript-Hash(Messages) (hash-length bytes); |secret| and |out|
 * are hash-length. |out| may alias |secret|. */
int tls13_derive_secret(const EVP_MD *md, uint8_t *out, const uint8_t *secret, const char *label,
                        const uint8_t *transcript_hash) WUR;

#endif

/* Record protection: AEAD seal/open of TLS 1.3 (RFC 8446 5.2-5.4) and
 * TLS 1.2 AEAD (RFC 5246 6.2.3.3, RFC 5288 AES-GCM, RFC 7905 ChaCha20-Poly1305)
 * records.
 *
 * A REC_AEAD is one direction of one epoch: the EVP_CIPHER_CTX is keyed once
 * in rec_aead_init(); each record then only sets a fresh nonce, so no
 * allocation and no algorithm fetch happens per record.  Records are
 * protected in place (seal writes straight into the caller's output buffer,
 * open decrypts the received body where it lies).
 *
 * Failures raise an ERR_LIB_SSL error and, for open, set *out_alert to the
 * AlertDescription the caller must send (RFC 8446 6.2).
 */
#ifndef SESAME_RECORD_AEAD_H
#define SESAME_RECORD_AEAD_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "base/bytes.h"

/* RFC 8446 5.1: maximum plaintext fragment (both versions). */
#define REC_MAX_PLAINTEXT 16384
/* RFC 8446 5.2: maximum TLS 1.3 TLSCiphertext.length. */
#define REC_TLS13_MAX_CIPHERTEXT (16384 + 256)
/* RFC 5246 6.2.3: maximum TLS 1.2 TLSCiphertext.length. */
#define REC_TLS12_MAX_CIPHERTEXT (16384 + 2048)
/* Record header: type(1) || legacy_version(2) || length(2). */
#define REC_HEADER_LEN 5
/* Tag length of every AEAD we support (AES-GCM, ChaCha20-Poly1305). */
#define REC_AEAD_TAG_LEN 16
/* RFC 5288 3: TLS 1.2 AES-GCM explicit nonce carried in each record. */
#define REC_TLS12_EXPLICIT_NONCE_LEN 8

/* One direction's record protection state for one key epoch.  The keyed
 * cipher context (about 1 KB of provider state with AES-GCM) may be
 * released while the connection is idle (rec_aead_park); the key is kept
 * to make it again. */
typedef struct {
    EVP_CIPHER_CTX *ctx;      /* keyed when |keyed| */
    const EVP_CIPHER *cipher; /* NULL until rec_aead_init succeeded */
    uint8_t key[32];
    uint8_t key_len;
    uint8_t keyed;          /* ctx holds the key (0 while parked) */
    uint8_t iv[12];         /* TLS 1.3 / ChaCha: static IV; TLS 1.2 GCM: salt in iv[0..3], rest 0 */
    uint64_t seq;           /* next record sequence number */
    uint8_t tag_len;        /* 16 */
    uint8_t enc;            /* 1 seal, 0 open */
    uint8_t tls12_explicit; /* TLS 1.2 AES-GCM: 8-byte explicit nonce on the wire */
} REC_AEAD;

/* rec_aead_init keys |a| for sealing (enc=1) or opening (enc=0).  |cipher| is
 * a process-wide fetched AES-128/256-GCM or ChaCha20-Poly1305; |key_len| must
 * match it.  |iv_len| is 12 (TLS 1.3; TLS 1.2 ChaCha20, RFC 7905 2) or 4 (TLS
 * 1.2 AES-GCM salt, RFC 5288 3; only with tls12=1).  seq starts at 0.
 * |a| is overwritten: clean up any previous epoch first.
 * On failure |a| is left cleaned up (safe to call rec_aead_cleanup again). */
int rec_aead_init(REC_AEAD *a, const EVP_CIPHER *cipher, const uint8_t *key, size_t key_len,
                  const uint8_t *iv, size_t iv_len, int enc, int tls12) WUR;

/* rec_aead_cleanup frees the context and wipes |a|.  Safe on a zeroed or
 * already-cleaned REC_AEAD. */
void rec_aead_cleanup(REC_AEAD *a);

/* rec_aead_park frees the provider's keyed state, keeping key, IV and
 * sequence number: the next seal or open keys the context again (and
 * fails, with internal_error for open, if that fails).  Safe in any
 * state. */
void rec_aead_park(REC_AEAD *a);

/* rec_tls13_sealed_len is the full record size rec_tls13_seal writes:
 * 5 + in_len + 1 + pad_len + tag. */
size_t rec_tls13_sealed_len(const REC_AEAD *a, size_t in_len, size_t pad_len);

/* rec_tls13_seal protects one record (RFC 8446 5.2): TLSInnerPlaintext =
 * in || type || zeros(pad_len), AAD = the record header (23, 0x0303, length),
 * nonce = iv XOR seq (5.3).  Writes header + ciphertext + tag to |out| and
 * advances seq.  |in| may equal out + 5 (in place) but must not otherwise
 * overlap |out|.  Fails if in_len + 1 + pad_len > 2^14 + 1 (5.4), if
 * |out_cap| is too small, or if the sequence number is exhausted. */
int rec_tls13_seal(REC_AEAD *a, uint8_t type, const uint8_t *in, size_t in_len, size_t pad_len,
                   uint8_t *out, size_t out_cap, size_t *out_len) WUR;

/* rec_tls13_open authenticates and decrypts one record in place.  |header| is
 * the 5 received header bytes (the AAD), |body| the ciphertext + tag.  On
 * success the content is at body[0 .. *out_len), *out_type is the inner
 * content type, and seq advances.  On failure *out_alert is set:
 * bad_record_mac (auth failure, body shorter than the tag), record_overflow
 * (body > 2^14 + 256, content > 2^14), unexpected_message (no non-zero byte:
 * no content type, 5.4), internal_error (sequence exhausted).  After an
 * authentication failure the body has been wiped; seq advances only once a
 * record authenticates. */
int rec_tls13_open(REC_AEAD *a, const uint8_t header[5], uint8_t *body, size_t body_len,
                   uint8_t *out_type, size_t *out_len, uint8_t *out_alert) WUR;

/* rec_tls12_sealed_len is the full record size rec_tls12_seal writes:
 * 5 + explicit nonce (8 for AES-GCM, 0 for ChaCha20) + in_len + tag. */
size_t rec_tls12_sealed_len(const REC_AEAD *a, size_t in_len);

/* rec_tls12_seal protects one TLS 1.2 AEAD record (RFC 5246 6.2.3.3): AAD =
 * seq(8) || type || version(2) || in_len(2); AES-GCM nonce = salt || seq with
 * seq sent as the explicit nonce (RFC 5288 3); ChaCha20 nonce = iv XOR seq
 * (RFC 7905 2).  Writes header + record to |out|, advances seq.  |in| must
 * not overlap |out| unless in == out + 5 + explicit nonce length. */
int rec_tls12_seal(REC_AEAD *a, uint8_t type, uint16_t version, const uint8_t *in, size_t in_len,
                   uint8_t *out, size_t out_cap, size_t *out_len) WUR;

/* rec_tls12_open authenticates and decrypts a TLS 1.2 AEAD record in place.
 * |header| is the received header (type and version go into the AAD), |body|
 * is explicit nonce (if any) || ciphertext || tag.  On success *out_plain
 * points into |body| and *out_len is the plaintext length; seq advances.
 * On failure *out_alert is bad_record_mac, record_overflow (body > 2^14 +
 * 2048 or plaintext > 2^14) or internal_error; as for TLS 1.3, a body that
 * fails authentication is wiped and seq does not advance. */
int rec_tls12_open(REC_AEAD *a, const uint8_t header[5], uint8_t *body, size_t body_len,
                   uint8_t **out_plain, size_t *out_len, uint8_t *out_alert) WUR;

#endif

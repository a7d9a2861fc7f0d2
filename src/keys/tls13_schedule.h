/* The TLS 1.3 key schedule, RFC 8446 7.1, and the secrets hung off it.
 *
 *        0 (or PSK) -> Early Secret      (tls13_sched_init)
 *   (EC)DHE        -> Handshake Secret   (tls13_sched_advance)
 *   0              -> Master Secret      (tls13_sched_advance, ikm NULL)
 *
 * At each stage tls13_sched_derive() produces the traffic/exporter/
 * resumption secrets from a transcript hash.  All buffers of secrets are
 * hash-length (EVP_MD_get_size(md)) unless stated.
 */
#ifndef SESAME_KEYS_TLS13_SCHEDULE_H
#define SESAME_KEYS_TLS13_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "base/bytes.h"

/* The current stage's secret (Early, Handshake or Master). */
typedef struct {
    const EVP_MD *md;
    size_t hash_len;
    uint8_t secret[EVP_MAX_MD_SIZE];
    /* |secret| is the Early Secret without a PSK, a constant per hash whose
     * "derived" salt is precomputed (set by tls13_sched_init only). */
    uint8_t no_psk_early;
} TLS13_SCHEDULE;

/* tls13_sched_init sets the Early Secret = HKDF-Extract(0, PSK); psk NULL
 * (or psk_len 0) means hash_len zeros (RFC 8446 7.1). */
int tls13_sched_init(TLS13_SCHEDULE *ks, const EVP_MD *md, const uint8_t *psk, size_t psk_len) WUR;

/* tls13_sched_binder_key: Derive-Secret(Early, "ext binder" if |external|
 * else "res binder", "") (RFC 8446 7.1, 4.2.11.2). */
int tls13_sched_binder_key(const TLS13_SCHEDULE *ks, int external, uint8_t *out) WUR;

/* tls13_sched_advance moves to the next stage:
 * secret = HKDF-Extract(Derive-Secret(secret, "derived", ""), ikm);
 * ikm NULL means hash_len zeros (for the Master Secret). */
int tls13_sched_advance(TLS13_SCHEDULE *ks, const uint8_t *ikm, size_t ikm_len) WUR;

/* tls13_sched_derive: Derive-Secret(secret, label, Messages) given their
 * hash, e.g. "c e traffic", "e exp master", "c hs traffic", "s hs traffic",
 * "c ap traffic", "s ap traffic", "exp master", "res master". */
int tls13_sched_derive(const TLS13_SCHEDULE *ks, uint8_t *out, const char *label,
                       const uint8_t *transcript_hash) WUR;

/* tls13_sched_cleanup wipes the schedule. */
void tls13_sched_cleanup(TLS13_SCHEDULE *ks);

/* tls13_finished_mac: RFC 8446 4.4.4 verify_data =
 * HMAC(HKDF-Expand-Label(base_key, "finished", "", Hash.length),
 *      transcript_hash); also the PSK binder (4.2.11.2) with the binder key. */
int tls13_finished_mac(const EVP_MD *md, uint8_t *out, const uint8_t *base_secret,
                       const uint8_t *transcript_hash) WUR;

/* tls13_traffic_key_iv: RFC 8446 7.3 write key ("key") and IV ("iv") from a
 * traffic secret. */
int tls13_traffic_key_iv(const EVP_MD *md, const uint8_t *secret, uint8_t *key, size_t key_len,
                         uint8_t *iv, size_t iv_len) WUR;

/* tls13_next_traffic_secret: RFC 8446 7.2 KeyUpdate,
 * secret = HKDF-Expand-Label(secret, "traffic upd", "", Hash.length),
 * in place. */
int tls13_next_traffic_secret(const EVP_MD *md, uint8_t *secret) WUR;

/* tls13_resumption_psk: RFC 8446 4.6.1
 * PSK = HKDF-Expand-Label(res_master, "resumption", ticket_nonce, Hash.length). */
int tls13_resumption_psk(const EVP_MD *md, uint8_t *out, const uint8_t *res_master,
                         const uint8_t *nonce, size_t nonce_len) WUR;

/* tls13_export_keying_material: RFC 8446 7.5 TLS-Exporter(label, context,
 * out_len) from the (early) exporter master secret.  As OpenSSL's
 * SSL_export_keying_material in TLS 1.3, !use_context is the same as an
 * empty context.  label_len <= 249. */
int tls13_export_keying_material(const EVP_MD *md, uint8_t *out, size_t out_len,
                                 const uint8_t *exporter_master, const char *label,
                                 size_t label_len, const uint8_t *context, size_t context_len,
                                 int use_context) WUR;

#endif

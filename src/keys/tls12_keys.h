/* The TLS 1.2 key schedule: the PRF (RFC 5246 5), the master secret (RFC
 * 5246 8.1; extended, RFC 7627 4), the key block (RFC 5246 6.3), Finished
 * (7.4.9) and the exporter (RFC 5705), on libcrypto's TLS1-PRF KDF. */
#ifndef SESAME_KEYS_TLS12_KEYS_H
#define SESAME_KEYS_TLS12_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "base/bytes.h"

#define TLS12_MASTER_LEN   48
#define TLS12_FINISHED_LEN 12
#define TLS12_RANDOM_LEN   32

/* tls12_prf: P_<md>(secret, label || seed1 || seed2 || seed3) into |out|
 * (any seed may be NULL with length 0). */
int tls12_prf(const EVP_MD *md, uint8_t *out, size_t out_len, const uint8_t *secret,
              size_t secret_len, const char *label, const uint8_t *seed1, size_t seed1_len,
              const uint8_t *seed2, size_t seed2_len, const uint8_t *seed3, size_t seed3_len) WUR;

/* tls12_master_secret: from the premaster secret; with |session_hash|
 * (session_hash_len > 0) the extended master secret of RFC 7627 4, else
 * RFC 5246 8.1 over client_random || server_random. */
int tls12_master_secret(const EVP_MD *md, uint8_t out[TLS12_MASTER_LEN], const uint8_t *pms,
                        size_t pms_len, const uint8_t client_random[TLS12_RANDOM_LEN],
                        const uint8_t server_random[TLS12_RANDOM_LEN], const uint8_t *session_hash,
                        size_t session_hash_len) WUR;

/* tls12_key_block: RFC 5246 6.3 "key expansion" over server_random ||
 * client_random, |out_len| bytes. */
int tls12_key_block(const EVP_MD *md, const uint8_t master[TLS12_MASTER_LEN],
                    const uint8_t client_random[TLS12_RANDOM_LEN],
                    const uint8_t server_random[TLS12_RANDOM_LEN], uint8_t *out,
                    size_t out_len) WUR;

/* tls12_finished: verify_data = PRF(master, "client finished" or "server
 * finished", Hash(handshake_messages))[0..11]. */
int tls12_finished(const EVP_MD *md, const uint8_t master[TLS12_MASTER_LEN], int from_server,
                   const uint8_t *transcript_hash, size_t hash_len,
                   uint8_t out[TLS12_FINISHED_LEN]) WUR;

/* tls12_export_keying_material: RFC 5705 4, PRF(master, label, client_random
 * || server_random [|| u16 context_len || context]); !use_context omits the
 * context entirely (unlike TLS 1.3).  Labels RFC 5705 reserves ("client
 * finished", "server finished", "master secret", "key expansion",
 * "extended master secret") are refused. */
int tls12_export_keying_material(const EVP_MD *md, const uint8_t master[TLS12_MASTER_LEN],
                                 const uint8_t client_random[TLS12_RANDOM_LEN],
                                 const uint8_t server_random[TLS12_RANDOM_LEN], const char *label,
                                 size_t label_len, const uint8_t *context, size_t context_len,
                                 int use_context, uint8_t *out, size_t out_len) WUR;

#endif

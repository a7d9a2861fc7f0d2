/* The TLS 1.2 key schedule on libcrypto's TLS1-PRF KDF: see tls12_keys.h.
 *
 * Every derivation is one EVP_KDF_derive with the digest's name, the secret
 * and the seed in pieces (the label first): the provider concatenates the
 * OSSL_KDF_PARAM_SEED parameters in order, so nothing is copied together
 * here.  The KDF keeps its own copies of the secret and seed and wipes them
 * when the context is freed (OPENSSL_clear_free / OPENSSL_cleanse); the
 * output is written only by the KDF, directly into the caller's buffer
 * (wiped again if the derivation fails), so no secret passes through a
 * buffer of ours.  Outputs may therefore alias the secret.
 *
 * Why a new EVP_KDF_CTX for every derivation, not one kept per thread as
 * hkdf.c keeps its HMAC contexts?  OpenSSL 3.0's TLS1-PRF cannot be reused:
 * each set_params *appends* its seeds to what the context already holds
 * (up to 1024 bytes), and only EVP_KDF_CTX_reset empties it -- which also
 * drops the digest and the HMAC context, so the next call has to set the
 * digest again, fetching HMAC and the digest by name, exactly what a fresh
 * context costs; 3.0 has no EVP_KDF_CTX_dup for it either.  Measured
 * (master secret, SHA-256, 48 bytes; callgrind, instructions per call): a
 * fresh context 64,500, a per-thread context reset around each use 63,200
 * (2% less; natively 3.25 against 3.5 us).  Not worth a thread cache.  The
 * cost is the provider's: it re-keys its HMAC and duplicates the HMAC
 * context (three digest contexts each) for every block.  The KDF (fetched
 * once, keys/algs.h) is what OpenSSL's own libssl runs, fetching it for
 * every call besides.  Also: the seed (label and all) is at most 1024
 * bytes there, so an exporter context longer than about 950 bytes fails,
 * as it does in OpenSSL.
 */
#include "keys/tls12_keys.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/ssl.h>

#include "keys/algs.h"

/* The most seed pieces a derivation uses: the exporter's label,
 * client_random, server_random, context length, context. */
#define PRF_MAX_SEEDS 5

typedef struct {
    const uint8_t *data;
    size_t len;
} PRF_PIECE;

/* prf_derive: P_md(secret, seed[0] || ... || seed[n-1]) into |out|.  Empty
 * pieces are left out; NULL with a length is a caller's error. */
static int prf_derive(const EVP_MD *md, uint8_t *out, size_t out_len, const uint8_t *secret,
                      size_t secret_len, const PRF_PIECE *seed, size_t n)
{
    OSSL_PARAM params[3 + PRF_MAX_SEEDS], *p = params;
    const char *name = md != NULL ? EVP_MD_get0_name(md) : NULL;
    EVP_KDF *kdf = algs_tls1_prf();
    EVP_KDF_CTX *kctx;
    int ok;

    if (name == NULL || EVP_MD_get_size(md) <= 0 || out == NULL || out_len == 0 ||
        (secret == NULL && secret_len > 0) || n > PRF_MAX_SEEDS) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)name, 0);
    *p++ = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_SECRET, secret != NULL ? (void *)secret : (void *)"", secret_len);
    for (size_t i = 0; i < n; i++) {
        if (seed[i].len == 0)
            continue;
        if (seed[i].data == NULL) {
            ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
            return 0;
        }
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)seed[i].data,
                                                 seed[i].len);
    }
    *p = OSSL_PARAM_construct_end();

    if (kdf == NULL || (kctx = EVP_KDF_CTX_new(kdf)) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    ok = EVP_KDF_derive(kctx, out, out_len, params) > 0;
    EVP_KDF_CTX_free(kctx);
    if (!ok) {
        OPENSSL_cleanse(out, out_len);
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
    }
    return ok;
}

static PRF_PIECE piece(const void *data, size_t len)
{
    PRF_PIECE pc = {(const uint8_t *)data, len};
    return pc;
}

int tls12_prf(const EVP_MD *md, uint8_t *out, size_t out_len, const uint8_t *secret,
              size_t secret_len, const char *label, const uint8_t *seed1, size_t seed1_len,
              const uint8_t *seed2, size_t seed2_len, const uint8_t *seed3, size_t seed3_len)
{
    const PRF_PIECE seed[4] = {
        piece(label, label != NULL ? strlen(label) : 0),
        piece(seed1, seed1_len),
        piece(seed2, seed2_len),
        piece(seed3, seed3_len),
    };
    return prf_derive(md, out, out_len, secret, secret_len, seed, 4);
}

int tls12_master_secret(const EVP_MD *md, uint8_t out[TLS12_MASTER_LEN], const uint8_t *pms,
                        size_t pms_len, const uint8_t client_random[TLS12_RANDOM_LEN],
                        const uint8_t server_random[TLS12_RANDOM_LEN], const uint8_t *session_hash,
                        size_t session_hash_len)
{
    if (session_hash_len > 0) {
        /* RFC 7627 4: master_secret = PRF(pre_master_secret, "extended
         * master secret", session_hash)[0..47]. */
        return tls12_prf(md, out, TLS12_MASTER_LEN, pms, pms_len, "extended master secret",
                         session_hash, session_hash_len, NULL, 0, NULL, 0);
    }
    /* RFC 5246 8.1: PRF(pre_master_secret, "master secret",
     * ClientHello.random + ServerHello.random)[0..47]. */
    return tls12_prf(md, out, TLS12_MASTER_LEN, pms, pms_len, "master secret", client_random,
                     TLS12_RANDOM_LEN, server_random, TLS12_RANDOM_LEN, NULL, 0);
}

int tls12_key_block(const EVP_MD *md, const uint8_t master[TLS12_MASTER_LEN],
                    const uint8_t client_random[TLS12_RANDOM_LEN],
                    const uint8_t server_random[TLS12_RANDOM_LEN], uint8_t *out, size_t out_len)
{
    /* RFC 5246 6.3: PRF(SecurityParameters.master_secret, "key expansion",
     * SecurityParameters.server_random + SecurityParameters.client_random). */
    return tls12_prf(md, out, out_len, master, TLS12_MASTER_LEN, "key expansion", server_random,
                     TLS12_RANDOM_LEN, client_random, TLS12_RANDOM_LEN, NULL, 0);
}

int tls12_finished(const EVP_MD *md, const uint8_t master[TLS12_MASTER_LEN], int from_server,
                   const uint8_t *transcript_hash, size_t hash_len, uint8_t out[TLS12_FINISHED_LEN])
{
    /* RFC 5246 7.4.9: PRF(master_secret, finished_label,
     * Hash(handshake_messages))[0..verify_data_length-1]. */
    if (transcript_hash == NULL || hash_len == 0) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    return tls12_prf(md, out, TLS12_FINISHED_LEN, master, TLS12_MASTER_LEN,
                     from_server ? "server finished" : "client finished", transcript_hash, hash_len,
                     NULL, 0, NULL, 0);
}

/* RFC 5705 4 (and RFC 7627 for the last): labels an exporter must not use.
 * Refused when the label starts with one of them, as OpenSSL 3.0 does (it
 * compares each against the start of label || client_random, so a label
 * that merely begins with a reserved one is refused there too). */
static const char *const kReserved[] = {
    "client finished",        "server finished", "master secret",
    "extended master secret", "key expansion",
};

int tls12_export_keying_material(const EVP_MD *md, const uint8_t master[TLS12_MASTER_LEN],
                                 const uint8_t client_random[TLS12_RANDOM_LEN],
                                 const uint8_t server_random[TLS12_RANDOM_LEN], const char *label,
                                 size_t label_len, const uint8_t *context, size_t context_len,
                                 int use_context, uint8_t *out, size_t out_len)
{
    uint8_t ctx_len[2];
    if ((label == NULL && label_len > 0) ||
        (use_context && (context_len > 0xffff || (context == NULL && context_len > 0)))) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    for (size_t i = 0; i < sizeof(kReserved) / sizeof(kReserved[0]); i++) {
        size_t n = strlen(kReserved[i]);
        if (label_len >= n && memcmp(label, kReserved[i], n) == 0) {
            ERR_raise(ERR_LIB_SSL, SSL_R_TLS_ILLEGAL_EXPORTER_LABEL);
            return 0;
        }
    }
    /* RFC 5705 4: PRF(SecurityParameters.master_secret, label,
     *   SecurityParameters.client_random + SecurityParameters.server_random
     *   [+ context_value_length + context_value])[length].
     * Without a context nothing follows the randoms; with an empty one, its
     * two-byte length 0 does. */
    ctx_len[0] = (uint8_t)(context_len >> 8);
    ctx_len[1] = (uint8_t)context_len;
    const PRF_PIECE seed[PRF_MAX_SEEDS] = {
        piece(label, label_len),
        piece(client_random, TLS12_RANDOM_LEN),
        piece(server_random, TLS12_RANDOM_LEN),
        piece(ctx_len, use_context ? 2 : 0),
        piece(context, use_context ? context_len : 0),
    };
    return prf_derive(md, out, out_len, master, TLS12_MASTER_LEN, seed, PRF_MAX_SEEDS);
}

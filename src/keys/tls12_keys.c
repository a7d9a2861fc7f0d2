/* The TLS 1.2 key schedule: see tls12_keys.h.
 *
 * The PRF is P_hash of RFC 5246 5 run on one keyed HMAC context from the
 * per-thread cache (keys/hmac_cache.c): the secret is absorbed once, every
 * further HMAC restarts from its pads, and a master secret the cache still
 * holds (the key block, then both Finished messages, the exporter) is not
 * absorbed again.  libcrypto's TLS1-PRF KDF, which OpenSSL's own libssl
 * runs, costs about 64,500 instructions for a 48-byte master secret
 * (callgrind): a new KDF context, the digest fetched by name, and the HMAC
 * re-keyed and its context duplicated for every block.  Nothing is copied
 * together here: the seed is fed in its pieces (the label first).  A(i) is
 * kept in a local buffer wiped before returning; output blocks are written
 * straight into the caller's buffer (wiped again if a step fails).
 *
 * The seed (label and all) is limited to 1024 bytes, as OpenSSL 3.0's
 * TLS1-PRF limits it, so an exporter context longer than about 950 bytes
 * fails as it does in OpenSSL.
 */
#include "keys/tls12_keys.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "keys/hmac_cache.h"

/* The most seed pieces a derivation uses: the exporter's label,
 * client_random, server_random, context length, context. */
#define PRF_MAX_SEEDS 5
/* The longest seed, as OpenSSL 3.0's TLS1-PRF takes it. */
#define PRF_MAX_SEED_LEN 1024

typedef struct {
    const uint8_t *data;
    size_t len;
} PRF_PIECE;

static int prf_update_seed(HMAC_REF *r, const PRF_PIECE *seed, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (seed[i].len > 0 && !EVP_MAC_update(r->ctx, seed[i].data, seed[i].len))
            return 0;
    return 1;
}

/* prf_derive: P_md(secret, seed[0] || ... || seed[n-1]) into |out|:
 *   A(0) = seed, A(i) = HMAC(secret, A(i-1)),
 *   P_hash = HMAC(secret, A(1) || seed) || HMAC(secret, A(2) || seed) || ...
 * Empty pieces are left out; NULL with a length is a caller's error. */
static int prf_derive(const EVP_MD *md, uint8_t *out, size_t out_len, const uint8_t *secret,
                      size_t secret_len, const PRF_PIECE *seed, size_t n)
{
    size_t seed_len = 0;
    int args_ok = md != NULL && out != NULL && out_len > 0 && (secret != NULL || secret_len == 0) &&
                  n <= PRF_MAX_SEEDS;
    for (size_t i = 0; args_ok && i < n; i++) {
        args_ok = seed[i].data != NULL || seed[i].len == 0;
        seed_len += seed[i].len;
    }
    /* As TLS1-PRF: some seed, and not more than it takes. */
    if (!args_ok || seed_len == 0 || seed_len > PRF_MAX_SEED_LEN) {
        if (out != NULL)
            OPENSSL_cleanse(out, out_len);
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }

    HMAC_REF r;
    if (!hmac_ref_begin(&r, md, secret, secret_len)) {
        OPENSSL_cleanse(out, out_len);
        return 0;
    }
    size_t md_len = r.md_len, done = 0;
    uint8_t a[EVP_MAX_MD_SIZE], block[EVP_MAX_MD_SIZE];
    /* A(1) */
    int ok = prf_update_seed(&r, seed, n) && hmac_ref_final(&r, a);
    while (ok && done < out_len) {
        size_t take = out_len - done < md_len ? out_len - done : md_len;
        ok = hmac_ref_restart(&r) && EVP_MAC_update(r.ctx, a, md_len) &&
             prf_update_seed(&r, seed, n) && hmac_ref_final(&r, block);
        if (!ok)
            break;
        memcpy(out + done, block, take);
        done += take;
        /* A(i+1), only if another block follows */
        if (done < out_len)
            ok = hmac_ref_restart(&r) && EVP_MAC_update(r.ctx, a, md_len) && hmac_ref_final(&r, a);
    }
    OPENSSL_cleanse(a, sizeof(a));
    OPENSSL_cleanse(block, sizeof(block));
    hmac_ref_end(&r, ok);
    if (!ok)
        OPENSSL_cleanse(out, out_len);
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

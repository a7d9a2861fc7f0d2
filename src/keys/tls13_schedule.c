/* TLS 1.3 key schedule: see tls13_schedule.h. */
#include "keys/tls13_schedule.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "base/once.h"
#include "keys/algs.h"
#include "keys/hkdf.h"

static const uint8_t kZeros[EVP_MAX_MD_SIZE];

/* sched_md_len validates |md| and returns its size in *out. */
static int sched_md_len(const EVP_MD *md, size_t *out)
{
    int n = md != NULL ? EVP_MD_get_size(md) : 0;
    if (n <= 0 || n > EVP_MAX_MD_SIZE) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    *out = (size_t)n;
    return 1;
}

/* sched_hash hashes |len| bytes of |data| with |md| (hash_len bytes). */
static int sched_hash(const EVP_MD *md, uint8_t *out, size_t hash_len, const void *data, size_t len)
{
    unsigned int n = 0;
    if (!EVP_Digest(data, len, out, &n, md, NULL) || n != hash_len) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    return 1;
}

/* sched_empty_hash writes Transcript-Hash("") = Hash("") for |md|: the
 * precomputed one for SHA-256/384, else computed. */
static int sched_empty_hash(const EVP_MD *md, uint8_t *out, size_t hash_len)
{
    const uint8_t *h = algs_empty_hash(md);
    if (h != NULL) {
        memcpy(out, h, hash_len);
        return 1;
    }
    return sched_hash(md, out, hash_len, "", 0);
}

/* Without a PSK the Early Secret, HKDF-Extract(0, 0), and the salt of the
 * next stage, Derive-Secret(Early Secret, "derived", ""), depend only on the
 * hash: computed once per process for the fetched SHA-256/SHA-384 (two
 * HMACs saved per full handshake and side).  They are public values. */
struct no_psk {
    SESAME_ONCE once;
    const EVP_MD *(*md_fn)(void);
    const EVP_MD *md;
    uint8_t early[EVP_MAX_MD_SIZE];
    uint8_t derived[EVP_MAX_MD_SIZE];
};
static struct no_psk g_no_psk[2] = {
    {SESAME_ONCE_INIT, algs_sha256, NULL, {0}, {0}},
    {SESAME_ONCE_INIT, algs_sha384, NULL, {0}, {0}},
};

/* sched_no_psk_compute: the uncached derivation of both constants. */
static int sched_no_psk_compute(const EVP_MD *md, size_t hash_len, uint8_t *early, uint8_t *derived)
{
    uint8_t empty[EVP_MAX_MD_SIZE];
    return tls13_hkdf_extract(md, early, NULL, 0, kZeros, hash_len) &&
           sched_empty_hash(md, empty, hash_len) &&
           tls13_derive_secret(md, derived, early, "derived", empty);
}

/* sched_no_psk_init: the sesame_once initialisation of one entry.  A
 * failure leaves no error behind: the caller then takes the uncached path,
 * which reports it, and the next handshake tries again. */
static int sched_no_psk_init(void *arg)
{
    struct no_psk *e = arg;
    const EVP_MD *md = e->md_fn();
    size_t hash_len;
    ERR_set_mark();
    int ok = md != NULL && sched_md_len(md, &hash_len) &&
             sched_no_psk_compute(md, hash_len, e->early, e->derived);
    ERR_pop_to_mark();
    if (ok)
        e->md = md;
    return ok;
}

/* sched_no_psk returns the precomputed constants for |md|, or NULL. */
static const uint8_t *sched_no_psk(const EVP_MD *md, const uint8_t **out_derived)
{
    for (int i = 0; i < 2; i++) {
        if (g_no_psk[i].md_fn() == md &&
            sesame_once(&g_no_psk[i].once, sched_no_psk_init, &g_no_psk[i]) &&
            g_no_psk[i].md == md) {
            if (out_derived != NULL)
                *out_derived = g_no_psk[i].derived;
            return g_no_psk[i].early;
        }
    }
    return NULL;
}

int tls13_sched_init(TLS13_SCHEDULE *ks, const EVP_MD *md, const uint8_t *psk, size_t psk_len)
{
    size_t hash_len;
    if (!sched_md_len(md, &hash_len))
        return 0;
    ks->md = md;
    ks->hash_len = hash_len;
    ks->no_psk_early = 0;
    if (psk == NULL || psk_len == 0) {
        const uint8_t *early = sched_no_psk(md, NULL);
        if (early != NULL) {
            memcpy(ks->secret, early, hash_len);
            ks->no_psk_early = 1;
            return 1;
        }
        psk = kZeros;
        psk_len = hash_len;
    }
    /* RFC 8446 7.1: Early Secret = HKDF-Extract(salt = 0, IKM = PSK). */
    return tls13_hkdf_extract(md, ks->secret, NULL, 0, psk, psk_len);
}

int tls13_sched_binder_key(const TLS13_SCHEDULE *ks, int external, uint8_t *out)
{
    uint8_t empty[EVP_MAX_MD_SIZE];
    return sched_empty_hash(ks->md, empty, ks->hash_len) &&
           tls13_derive_secret(ks->md, out, ks->secret, external ? "ext binder" : "res binder",
                               empty);
}

int tls13_sched_advance(TLS13_SCHEDULE *ks, const uint8_t *ikm, size_t ikm_len)
{
    uint8_t empty[EVP_MAX_MD_SIZE], salt[EVP_MAX_MD_SIZE];
    if (ikm == NULL) {
        ikm = kZeros;
        ikm_len = ks->hash_len;
    }
    /* RFC 8446 7.1: each stage's salt is Derive-Secret(prev, "derived", ""). */
    const uint8_t *derived = NULL;
    int ok;
    if (ks->no_psk_early && sched_no_psk(ks->md, &derived) != NULL) {
        ok = tls13_hkdf_extract(ks->md, ks->secret, derived, ks->hash_len, ikm, ikm_len);
    } else {
        ok = sched_empty_hash(ks->md, empty, ks->hash_len) &&
             tls13_derive_secret(ks->md, salt, ks->secret, "derived", empty) &&
             tls13_hkdf_extract(ks->md, ks->secret, salt, ks->hash_len, ikm, ikm_len);
    }
    ks->no_psk_early = 0;
    OPENSSL_cleanse(salt, sizeof(salt));
    return ok;
}

int tls13_sched_derive(const TLS13_SCHEDULE *ks, uint8_t *out, const char *label,
                       const uint8_t *transcript_hash)
{
    return tls13_derive_secret(ks->md, out, ks->secret, label, transcript_hash);
}

void tls13_sched_cleanup(TLS13_SCHEDULE *ks)
{
    OPENSSL_cleanse(ks, sizeof(*ks));
}

int tls13_finished_mac(const EVP_MD *md, uint8_t *out, const uint8_t *base_secret,
                       const uint8_t *transcript_hash)
{
    size_t hash_len;
    uint8_t finished_key[EVP_MAX_MD_SIZE];
    if (!sched_md_len(md, &hash_len))
        return 0;
    /* RFC 8446 4.4.4: finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length);
     * verify_data = HMAC(finished_key, Transcript-Hash(...)). */
    int ok = tls13_hkdf_expand_label(md, finished_key, hash_len, base_secret, hash_len, "finished",
                                     NULL, 0) &&
             tls13_hmac(md, out, finished_key, hash_len, transcript_hash, hash_len);
    OPENSSL_cleanse(finished_key, sizeof(finished_key));
    return ok;
}

int tls13_traffic_key_iv(const EVP_MD *md, const uint8_t *secret, uint8_t *key, size_t key_len,
                         uint8_t *iv, size_t iv_len)
{
    size_t hash_len;
    if (!sched_md_len(md, &hash_len))
        return 0;
    /* RFC 8446 7.3 */
    return tls13_hkdf_expand_label(md, key, key_len, secret, hash_len, "key", NULL, 0) &&
           tls13_hkdf_expand_label(md, iv, iv_len, secret, hash_len, "iv", NULL, 0);
}

int tls13_next_traffic_secret(const EVP_MD *md, uint8_t *secret)
{
    size_t hash_len;
    uint8_t next[EVP_MAX_MD_SIZE];
    if (!sched_md_len(md, &hash_len))
        return 0;
    /* RFC 8446 7.2: application_traffic_secret_N+1 =
     *   HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length) */
    int ok = tls13_hkdf_expand_label(md, next, hash_len, secret, hash_len, "traffic upd", NULL, 0);
    if (ok)
        memcpy(secret, next, hash_len);
    OPENSSL_cleanse(next, sizeof(next));
    return ok;
}

int tls13_resumption_psk(const EVP_MD *md, uint8_t *out, const uint8_t *res_master,
                         const uint8_t *nonce, size_t nonce_len)
{
    size_t hash_len;
    if (!sched_md_len(md, &hash_len))
        return 0;
    /* RFC 8446 4.6.1 */
    return tls13_hkdf_expand_label(md, out, hash_len, res_master, hash_len, "resumption", nonce,
                                   nonce_len);
}

int tls13_export_keying_material(const EVP_MD *md, uint8_t *out, size_t out_len,
                                 const uint8_t *exporter_master, const char *label,
                                 size_t label_len, const uint8_t *context, size_t context_len,
                                 int use_context)
{
    size_t hash_len;
    uint8_t empty[EVP_MAX_MD_SIZE], ctx_hash[EVP_MAX_MD_SIZE], secret[EVP_MAX_MD_SIZE];
    if (!sched_md_len(md, &hash_len))
        return 0;
    if (!use_context) {
        context = NULL;
        context_len = 0;
    }
    if (context_len > 0 && context == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    /* RFC 8446 7.5:
     *   TLS-Exporter(label, context_value, key_length) =
     *     HKDF-Expand-Label(Derive-Secret(Secret, label, ""),
     *                       "exporter", Hash(context_value), key_length)
     * Derive-Secret is spelled out because |label| is length-delimited. */
    int ok =
        sched_empty_hash(md, empty, hash_len) &&
        tls13_hkdf_expand_label_n(md, secret, hash_len, exporter_master, hash_len,
                                  (const uint8_t *)label, label_len, empty, hash_len) &&
        (context_len == 0 ? sched_empty_hash(md, ctx_hash, hash_len)
                          : sched_hash(md, ctx_hash, hash_len, context, context_len)) &&
        tls13_hkdf_expand_label(md, out, out_len, secret, hash_len, "exporter", ctx_hash, hash_len);
    OPENSSL_cleanse(secret, sizeof(secret));
    return ok;
}

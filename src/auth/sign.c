/* Signing and verifying with a TLS SignatureScheme (RFC 8446 4.2.3). */
#include "internal.h"

#include <pthread.h>
#include <string.h>

#include "auth/sigalgs.h"
#include "base/once.h"
#include "keys/algs.h"

static EVP_MD *g_sha512;
static SESAME_ONCE g_sha512_once = SESAME_ONCE_INIT;
static int fetch_sha512(void *arg)
{
    (void)arg;
    g_sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
    return g_sha512 != NULL;
}

/* md_for: the fetched digest of a scheme; NULL for EdDSA (md_nid undef). */
static int md_for(int md_nid, const EVP_MD **out)
{
    *out = NULL;
    if (md_nid == NID_undef)
        return 1;
    if (md_nid == NID_sha512) {
        *out = sesame_once(&g_sha512_once, fetch_sha512, NULL) ? g_sha512 : NULL;
    } else {
        *out = algs_md_by_nid(md_nid);
    }
    if (*out == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    return 1;
}

/* key_curve_nid_slow: the named curve of an EC key, NID_undef otherwise. */
static int key_curve_nid_slow(const EVP_PKEY *key)
{
    char name[64];
    size_t len = 0;
    if (!EVP_PKEY_get_group_name(key, name, sizeof(name), &len))
        return NID_undef;
    int nid = OBJ_sn2nid(name);
    if (nid == NID_undef)
        nid = EC_curve_nist2nid(name);
    return nid;
}

static int key_curve_nid(const EVP_PKEY *key);

static int key_matches(const EVP_PKEY *key, const struct sigalg_info *info, int tls13)
{
    switch (info->pkey_type) {
    case EVP_PKEY_EC:
        if (!EVP_PKEY_is_a(key, "EC"))
            return 0;
        /* RFC 8446 4.2.3: in TLS 1.3 the scheme names the curve */
        return !tls13 || key_curve_nid(key) == info->curve_nid;
    case EVP_PKEY_RSA:
        if (!EVP_PKEY_is_a(key, "RSA"))
            return 0;
        break;
    case EVP_PKEY_RSA_PSS:
        if (!EVP_PKEY_is_a(key, "RSA-PSS"))
            return 0;
        break;
    case EVP_PKEY_ED25519:
        return EVP_PKEY_is_a(key, "ED25519");
    case EVP_PKEY_ED448:
        return EVP_PKEY_is_a(key, "ED448");
    default:
        return 0;
    }
    if (info->pss) {
        /* RFC 8017 9.1.1: emLen >= hLen + sLen + 2 with sLen = hLen */
        int hlen = info->md_nid == NID_sha256 ? 32 : info->md_nid == NID_sha384 ? 48 : 64;
        if (EVP_PKEY_get_size(key) < 2 * hlen + 2)
            return 0;
    }
    return 1;
}

int sigalg_key_compatible(const EVP_PKEY *key, uint16_t sigalg, int tls13)
{
    const struct sigalg_info *info = sigalg_lookup(sigalg);
    if (info == NULL || key == NULL || (tls13 && !info->tls13_ok))
        return 0;
    return key_matches(key, info, tls13);
}

/* setup: a digest-sign/verify context with the scheme's padding. */
static int setup(EVP_MD_CTX *mctx, EVP_PKEY *key, const struct sigalg_info *info, int sign)
{
    const EVP_MD *md;
    EVP_PKEY_CTX *pctx = NULL;
    if (!md_for(info->md_nid, &md))
        return 0;
    int ok = sign ? EVP_DigestSignInit(mctx, &pctx, md, NULL, key)
                  : EVP_DigestVerifyInit(mctx, &pctx, md, NULL, key);
    if (ok <= 0) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    if (info->pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
                      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    return 1;
}

/* ---- per-thread signing/verification contexts ----
 *
 * EVP_DigestSignInit/EVP_DigestVerifyInit build a new EVP_PKEY_CTX on every
 * call (a key-manager fetch and a walk of the whole name map in OpenSSL 3.0)
 * plus a digest context inside the signature provider.  For ECDSA and RSA
 * (PKCS#1 v1.5 or PSS) the same signature is had by hashing |tbs| with the
 * prefetched digest and signing/verifying that digest with EVP_PKEY_sign/
 * EVP_PKEY_verify, whose context is reusable: each thread keeps the last few
 * such contexts, keyed on (key, scheme, sign/verify).  A context holds a
 * reference to its key, so a cached key pointer cannot be freed and reused
 * for another key while its entry exists.  Contexts are only used by their
 * own thread (no lock) and freed at thread exit.  EdDSA (one-shot only) and
 * RSA-PSS-restricted keys keep the EVP_DigestSign/Verify path. */

#define SIG_CACHE_N 4

typedef struct {
    EVP_PKEY_CTX *pctx; /* sign- or verify-initialised, scheme parameters set */
    const EVP_PKEY *key;
    uint16_t sigalg;
    uint8_t sign;
    int curve_nid; /* key_curve_nid_slow(key), memoised */
    uint64_t used; /* LRU stamp */
} SIG_ENTRY;

typedef struct {
    SIG_ENTRY e[SIG_CACHE_N];
    uint64_t clock;
} SIG_THREAD;

static pthread_key_t g_sig_key;
static SESAME_ONCE g_sig_once = SESAME_ONCE_INIT;
static _Thread_local SIG_THREAD *tl_sig;

/* Thread-exit destructor: frees this thread's contexts. */
static void sig_thread_free(void *p)
{
    SIG_THREAD *t = p;
    if (t == NULL)
        return;
    for (int i = 0; i < SIG_CACHE_N; i++)
        EVP_PKEY_CTX_free(t->e[i].pctx);
    OPENSSL_free(t);
    tl_sig = NULL;
}

static int sig_key_init(void *arg)
{
    (void)arg;
    return pthread_key_create(&g_sig_key, sig_thread_free) == 0;
}

static SIG_THREAD *sig_thread(void)
{
    if (!sesame_once(&g_sig_once, sig_key_init, NULL))
        return NULL;
    SIG_THREAD *t = tl_sig;
    if (t == NULL) {
        t = OPENSSL_zalloc(sizeof(*t));
        if (t == NULL)
            return NULL;
        if (pthread_setspecific(g_sig_key, t) != 0) {
            OPENSSL_free(t);
            return NULL;
        }
        tl_sig = t;
    }
    return t;
}

/* pkey_ctx_new: an EVP_PKEY_sign/verify context for |key| with the
 * scheme's digest and padding, as EVP_DigestSignInit/VerifyInit set them. */
static EVP_PKEY_CTX *pkey_ctx_new(EVP_PKEY *key, const struct sigalg_info *info, const EVP_MD *md,
                                  int sign)
{
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    if (pctx == NULL || (sign ? EVP_PKEY_sign_init(pctx) : EVP_PKEY_verify_init(pctx)) <= 0 ||
        EVP_PKEY_CTX_set_signature_md(pctx, md) <= 0)
        goto err;
    if (info->pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
                      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0))
        goto err;
    return pctx;
err:
    EVP_PKEY_CTX_free(pctx);
    return NULL;
}

/* sig_ctx_get: this thread's context for (key, scheme, sign), made on a
 * miss (evicting the least recently used); *out_entry is its slot, or NULL
 * for a temporary context the caller frees. */
static EVP_PKEY_CTX *sig_ctx_get(EVP_PKEY *key, uint16_t sigalg, const struct sigalg_info *info,
                                 const EVP_MD *md, int sign, SIG_ENTRY **out_entry)
{
    SIG_THREAD *t = sig_thread();
    *out_entry = NULL;
    if (t == NULL)
        return pkey_ctx_new(key, info, md, sign);
    SIG_ENTRY *victim = &t->e[0];
    for (int i = 0; i < SIG_CACHE_N; i++) {
        SIG_ENTRY *e = &t->e[i];
        if (e->pctx != NULL && e->key == key && e->sigalg == sigalg && e->sign == sign) {
            e->used = ++t->clock;
            *out_entry = e;
            return e->pctx;
        }
        if (e->pctx == NULL || (victim->pctx != NULL && e->used < victim->used))
            victim = e;
    }
    EVP_PKEY_CTX *pctx = pkey_ctx_new(key, info, md, sign);
    if (pctx == NULL)
        return NULL;
    EVP_PKEY_CTX_free(victim->pctx);
    victim->pctx = pctx;
    victim->key = key;
    victim->sigalg = sigalg;
    victim->sign = (uint8_t)sign;
    victim->curve_nid = info->pkey_type == EVP_PKEY_EC ? key_curve_nid_slow(key) : NID_undef;
    victim->used = ++t->clock;
    *out_entry = victim;
    return pctx;
}

/* key_curve_nid: the named curve of an EC key, NID_undef otherwise.  Asking
 * the provider costs a parameter query and a name lookup; the keys this
 * thread signs or verifies with again and again (our own, a peer's cached
 * certificate) have it memoised in their cache entry, whose reference keeps
 * the pointer from being reused for another key. */
static int key_curve_nid(const EVP_PKEY *key)
{
    SIG_THREAD *t = tl_sig;
    if (t != NULL)
        for (int i = 0; i < SIG_CACHE_N; i++)
            if (t->e[i].pctx != NULL && t->e[i].key == key && t->e[i].curve_nid != NID_undef)
                return t->e[i].curve_nid;
    return key_curve_nid_slow(key);
}

/* sig_ctx_put: after a failure a cached context's state is unknown; drop it. */
static void sig_ctx_put(EVP_PKEY_CTX *pctx, SIG_ENTRY *e, int ok)
{
    if (e == NULL) {
        EVP_PKEY_CTX_free(pctx);
    } else if (!ok) {
        EVP_PKEY_CTX_free(e->pctx);
        memset(e, 0, sizeof(*e));
    }
}

/* digest_path: the scheme signs a digest we may compute ourselves. */
static int digest_path(const struct sigalg_info *info)
{
    return info->md_nid != NID_undef &&
           (info->pkey_type == EVP_PKEY_EC || info->pkey_type == EVP_PKEY_RSA);
}

/* prehash: |tbs| hashed with the scheme's digest. */
static int prehash(const struct sigalg_info *info, const uint8_t *tbs, size_t tbs_len,
                   const EVP_MD **out_md, uint8_t *dgst, unsigned int *dgst_len)
{
    return md_for(info->md_nid, out_md) && EVP_Digest(tbs, tbs_len, dgst, dgst_len, *out_md, NULL);
}

int sigalg_sign(EVP_PKEY *key, uint16_t sigalg, const uint8_t *tbs, size_t tbs_len, uint8_t *out,
                size_t out_cap, size_t *out_len)
{
    const struct sigalg_info *info = sigalg_lookup(sigalg);
    if (info == NULL || key == NULL || !key_matches(key, info, 0)) {
        ERR_raise(ERR_LIB_SSL, SSL_R_WRONG_SIGNATURE_TYPE);
        return 0;
    }
    int key_size = EVP_PKEY_get_size(key);
    if (key_size <= 0 || (size_t)key_size > out_cap) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    size_t len = (size_t)key_size;
    int ok;
    if (digest_path(info)) {
        const EVP_MD *md;
        uint8_t dgst[EVP_MAX_MD_SIZE];
        unsigned int dgst_len;
        SIG_ENTRY *e = NULL;
        EVP_PKEY_CTX *pctx = NULL;
        ok = prehash(info, tbs, tbs_len, &md, dgst, &dgst_len) &&
             (pctx = sig_ctx_get(key, sigalg, info, md, 1, &e)) != NULL &&
             EVP_PKEY_sign(pctx, out, &len, dgst, dgst_len) > 0;
        if (pctx != NULL)
            sig_ctx_put(pctx, e, ok);
    } else {
        EVP_MD_CTX *mctx = EVP_MD_CTX_new();
        ok = mctx != NULL && setup(mctx, key, info, 1) &&
             EVP_DigestSign(mctx, out, &len, tbs, tbs_len) > 0;
        EVP_MD_CTX_free(mctx);
    }
    /* OpenSSL 3.0.19 can report success with a length of 2^32-1 when an
     * allocation fails inside ECDSA signing: never trust a length beyond
     * what the key allows (it would be copied out of |out|). */
    if (ok && (len == 0 || len > (size_t)key_size))
        ok = 0;
    if (!ok) {
        OPENSSL_cleanse(out, out_cap);
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    *out_len = len;
    return 1;
}

static int do_verify(EVP_PKEY *key, uint16_t sigalg, const uint8_t *tbs, size_t tbs_len,
                     const uint8_t *sig, size_t sig_len, int tls13)
{
    const struct sigalg_info *info = sigalg_lookup(sigalg);
    if (info == NULL || key == NULL || (tls13 && !info->tls13_ok) ||
        !key_matches(key, info, tls13)) {
        ERR_raise(ERR_LIB_SSL, SSL_R_WRONG_SIGNATURE_TYPE);
        return 0;
    }
    int r;
    if (digest_path(info)) {
        const EVP_MD *md;
        uint8_t dgst[EVP_MAX_MD_SIZE];
        unsigned int dgst_len;
        SIG_ENTRY *e = NULL;
        EVP_PKEY_CTX *pctx = NULL;
        if (!prehash(info, tbs, tbs_len, &md, dgst, &dgst_len) ||
            (pctx = sig_ctx_get(key, sigalg, info, md, 0, &e)) == NULL) {
            ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
            return 0;
        }
        r = EVP_PKEY_verify(pctx, sig, sig_len, dgst, dgst_len);
        sig_ctx_put(pctx, e, r == 1);
    } else {
        EVP_MD_CTX *mctx = EVP_MD_CTX_new();
        if (mctx == NULL || !setup(mctx, key, info, 0)) {
            EVP_MD_CTX_free(mctx);
            return 0;
        }
        r = EVP_DigestVerify(mctx, sig, sig_len, tbs, tbs_len);
        EVP_MD_CTX_free(mctx);
    }
    if (r != 1) {
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_SIGNATURE);
        return 0;
    }
    return 1;
}

int sigalg_verify(EVP_PKEY *key, uint16_t sigalg, const uint8_t *tbs, size_t tbs_len,
                  const uint8_t *sig, size_t sig_len, int tls13)
{
    return do_verify(key, sigalg, tbs, tbs_len, sig, sig_len, tls13);
}

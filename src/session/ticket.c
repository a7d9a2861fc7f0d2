/* TLS 1.3 session tickets: the key ring, sealing and opening.
 *
 * Default (no application keys, no callback): tickets are sealed with
 * AES-256-GCM under the current ring key with a random 96-bit nonce:
 *   0x02 || key name (16) || nonce (12) || ciphertext || tag (16)
 * the first 29 bytes being the AAD.  The ring key is used directly (no
 * per-ticket HKDF): random nonces are safe for 2^32 seals per key, and the
 * key rotates every session_timeout/2, far below that at any real rate; one
 * AEAD pass per ticket keeps resumption cheap.
 *
 * With SSL_CTRL_SET_TLSEXT_TICKET_KEYS or a ticket key callback: OpenSSL's
 * envelope, key name (16) || IV (16) || AES-256-CBC || HMAC-SHA256. */
#include "internal.h"

#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "base/once.h"
#include "base/random.h"
#include "keys/algs.h"
#include "session/session_cache.h"
#include "session/store.h"
#include "session/ticket.h"

/* 2 since the session format 2 (docs/session-format.md); a version 1 ticket
 * is not ours any more and gets a full handshake. */
#define RING_VERSION         2
#define NAME_LEN             16
#define NONCE_LEN            12
#define TAG_LEN              16
#define RING_HDR             (1 + NAME_LEN + NONCE_LEN)
#define OSSL_IV_LEN          16
#define OSSL_MAC_LEN         32
#define MAX_TICKET_PLAINTEXT (64 * 1024)

/* ---- fetched algorithms (once per process) ---- */

static SESAME_ONCE cbc_once = SESAME_ONCE_INIT;
static EVP_CIPHER *aes256cbc;

static int fetch_cbc(void *arg)
{
    (void)arg;
    aes256cbc = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
    return aes256cbc != NULL;
}

static const EVP_CIPHER *algs_aes256cbc(void)
{
    return sesame_once(&cbc_once, fetch_cbc, NULL) ? aes256cbc : NULL;
}

/* ---- key ring ---- */

static int new_ring_key(struct ticket_ring_key *k, uint64_t now)
{
    if (RAND_bytes(k->name, sizeof(k->name)) != 1 || RAND_priv_bytes(k->key, sizeof(k->key)) != 1)
        return 0;
    k->created_ms = now;
    k->valid = 1;
    return 1;
}

int ticket_keys_init(SSL_CTX *ctx)
{
    struct ticket_keys *tk = &ctx->tickets;
    memset(tk, 0, sizeof(*tk));
    if (pthread_rwlock_init(&tk->lock, NULL) != 0)
        return 0;
    tk->max_seals = TICKET_KEY_MAX_SEALS;
    if (!new_ring_key(&tk->cur, sesame_now_ms())) {
        pthread_rwlock_destroy(&tk->lock);
        return 0;
    }
    tk->initialized = 1;
    return 1;
}

void ticket_keys_cleanup(struct ticket_keys *tk)
{
    if (!tk->initialized)
        return;
    pthread_rwlock_destroy(&tk->lock);
    OPENSSL_cleanse(tk, sizeof(*tk));
}

/* The longest rotation period: a key seals for at most a day, whatever the
 * session timeout (which may be anything up to LONG_MAX seconds). */
#define MAX_ROTATION_MS (24ULL * 3600 * 1000)

/* rotation_ms: a key is current for half the session timeout (bounded). */
static uint64_t rotation_ms(const SSL_CTX *ctx)
{
    uint64_t t = ctx->session_timeout > 0 ? (uint64_t)ctx->session_timeout : 7200;
    if (t > MAX_ROTATION_MS / 500)
        return MAX_ROTATION_MS;
    uint64_t ms = t * 500;
    return ms > 0 ? ms : 1;
}

/* age_at_least: |now| is at least |period| after |since| (no overflow). */
static int age_at_least(uint64_t now, uint64_t since, uint64_t period)
{
    return now >= since && now - since >= period;
}

/* rotate: a fresh current key; the old one keeps opening tickets for one
 * more period unless it has been idle that long already. */
static int rotate(struct ticket_keys *tk, uint64_t now, uint64_t period)
{
    struct ticket_ring_key fresh;
    if (!new_ring_key(&fresh, now))
        return 0;
    if (!age_at_least(now, tk->cur.created_ms, 2 * period))
        tk->prev = tk->cur;
    else
        memset(&tk->prev, 0, sizeof(tk->prev)); /* idle for too long: retire both */
    tk->cur = fresh;
    atomic_store(&tk->cur_seals, 0);
    OPENSSL_cleanse(&fresh, sizeof(fresh));
    return 1;
}

/* snapshot copies the ring (rotating it first if due) so that the AEAD work
 * runs without any lock.  A key is current for one period, or until it has
 * sealed max_seals tickets (random 96-bit GCM nonces are safe for about 2^32
 * seals under one key), then "previous" for one more period, then gone.
 * |seal|: the caller seals one ticket with the current key. */
static int snapshot(SSL_CTX *ctx, struct ticket_ring_key *cur, struct ticket_ring_key *prev,
                    int seal)
{
    struct ticket_keys *tk = &ctx->tickets;
    uint64_t now = sesame_now_ms(), period = rotation_ms(ctx);
    pthread_rwlock_rdlock(&tk->lock);
    int due = age_at_least(now, tk->cur.created_ms, period) ||
              (seal && atomic_fetch_add(&tk->cur_seals, 1) >= tk->max_seals);
    if (!due) {
        *cur = tk->cur;
        *prev = tk->prev;
        pthread_rwlock_unlock(&tk->lock);
        return 1;
    }
    pthread_rwlock_unlock(&tk->lock);
    pthread_rwlock_wrlock(&tk->lock);
    /* another thread may have rotated meanwhile */
    if (age_at_least(now, tk->cur.created_ms, period) ||
        (seal && atomic_load(&tk->cur_seals) >= tk->max_seals)) {
        if (!rotate(tk, now, period)) {
            pthread_rwlock_unlock(&tk->lock);
            return 0;
        }
    }
    if (seal)
        atomic_fetch_add(&tk->cur_seals, 1);
    *cur = tk->cur;
    *prev = tk->prev;
    pthread_rwlock_unlock(&tk->lock);
    return 1;
}

/* ring_keys: the keys to seal with (keys[0]) and to open with: the
 * fleet's ring (current, next, previous) when the SSL_CTX has a store that
 * knows it, then this SSL_CTX's own ring (current, previous), which seals
 * when the fleet's ring is unknown.  The first *n_fresh keys open a ticket
 * without renewing it. */
#define RING_KEYS_MAX 5
static int ring_keys(SSL_CTX *ctx, int seal, struct ticket_ring_key keys[RING_KEYS_MAX], size_t *n,
                     size_t *n_fresh)
{
    struct ticket_ring_key cur, prev;
    size_t m = 0;
    int fleet = sess_store_ring_keys(ctx, rotation_ms(ctx), seal, keys, &m);
    if (!snapshot(ctx, &cur, &prev, seal && !fleet)) {
        OPENSSL_cleanse(keys, sizeof(keys[0]) * RING_KEYS_MAX);
        return 0;
    }
    *n_fresh = fleet ? (m < 2 ? m : 2) : 1;
    keys[m++] = cur;
    if (prev.valid)
        keys[m++] = prev;
    *n = m;
    OPENSSL_cleanse(&cur, sizeof(cur));
    OPENSSL_cleanse(&prev, sizeof(prev));
    return 1;
}

/* ---- ring format ---- */

static int ring_seal(SSL_CTX *ctx, const uint8_t *pt, size_t pt_len, CBB *out)
{
    struct ticket_ring_key keys[RING_KEYS_MAX];
    const struct ticket_ring_key *cur = &keys[0];
    size_t nkeys = 0, nfresh = 0;
    uint8_t *hdr, *body;
    int ok = 0, n = 0, fin = 0;
    EVP_CIPHER_CTX *c = NULL;
    memset(keys, 0, sizeof(keys));
    if (pt_len > INT_MAX - 64 || !ring_keys(ctx, 1, keys, &nkeys, &nfresh)) /* EVP int lengths */
        goto done;
    if (!cbb_add_space(out, &hdr, RING_HDR))
        goto done;
    hdr[0] = RING_VERSION;
    memcpy(hdr + 1, cur->name, NAME_LEN);
    if (rand_public(hdr + 1 + NAME_LEN, NONCE_LEN) != 1)
        goto done;
    uint8_t aad[RING_HDR];
    memcpy(aad, hdr, RING_HDR);
    if (!cbb_add_space(out, &body, pt_len + TAG_LEN))
        goto done;
    c = EVP_CIPHER_CTX_new();
    if (c == NULL ||
        !EVP_EncryptInit_ex2(c, algs_aes256gcm(), cur->key, aad + 1 + NAME_LEN, NULL) ||
        !EVP_EncryptUpdate(c, NULL, &n, aad, RING_HDR) ||
        !EVP_EncryptUpdate(c, body, &n, pt, (int)pt_len) || (size_t)n != pt_len ||
        !EVP_EncryptFinal_ex(c, body + n, &fin) || fin != 0 ||
        !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, TAG_LEN, body + pt_len))
        goto done;
    ok = 1;
done:
    EVP_CIPHER_CTX_free(c);
    OPENSSL_cleanse(keys, sizeof(keys));
    if (!ok)
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
    return ok;
}

/* ring_open: 1 opened (plaintext in *out, OPENSSL_clear_free), 0 not ours
 * or not authentic, -1 failed (an allocation, the cipher; raised). */
static int ring_open(SSL_CTX *ctx, const uint8_t *t, size_t len, uint8_t **out, size_t *out_len,
                     int *renew)
{
    struct ticket_ring_key keys[RING_KEYS_MAX];
    size_t nkeys = 0, nfresh = 0;
    const struct ticket_ring_key *k = NULL;
    EVP_CIPHER_CTX *c = NULL;
    uint8_t *pt = NULL;
    size_t pt_cap = 0;
    int ret = -1, n = 0, fin = 0;
    CBS in, rest, hdr, name, nonce, ct, tag;
    uint8_t version;
    /* version || name || nonce || ciphertext || tag, the header the AAD */
    cbs_init(&in, t, len);
    rest = in;
    if (!cbs_get_bytes(&rest, &hdr, RING_HDR) || !cbs_get_u8(&in, &version) ||
        version != RING_VERSION || !cbs_get_bytes(&in, &name, NAME_LEN) ||
        !cbs_get_bytes(&in, &nonce, NONCE_LEN) || cbs_len(&in) < TAG_LEN ||
        !cbs_get_bytes(&in, &ct, cbs_len(&in) - TAG_LEN) || !cbs_get_bytes(&in, &tag, TAG_LEN) ||
        cbs_len(&ct) > MAX_TICKET_PLAINTEXT)
        return 0;
    if (!ring_keys(ctx, 0, keys, &nkeys, &nfresh)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return -1;
    }
    for (size_t i = 0; i < nkeys && k == NULL; i++)
        if (keys[i].valid && cbs_mem_equal(&name, keys[i].name, NAME_LEN)) {
            k = &keys[i];
            *renew = i >= nfresh; /* an older key: a fresh ticket replaces it */
        }
    if (k == NULL) {
        ret = 0;
        goto done;
    }
    size_t ct_len = cbs_len(&ct);
    pt_cap = ct_len + 1;
    pt = OPENSSL_malloc(pt_cap);
    c = EVP_CIPHER_CTX_new();
    if (pt == NULL || c == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        goto done;
    }
    if (!EVP_DecryptInit_ex2(c, algs_aes256gcm(), k->key, cbs_data(&nonce), NULL) ||
        !EVP_DecryptUpdate(c, NULL, &n, cbs_data(&hdr), (int)cbs_len(&hdr)) ||
        !EVP_DecryptUpdate(c, pt, &n, cbs_data(&ct), (int)ct_len) || (size_t)n != ct_len ||
        !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, (void *)cbs_data(&tag))) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        goto done;
    }
    if (EVP_DecryptFinal_ex(c, pt + n, &fin) <= 0) {
        ret = 0; /* not authentic: a full handshake */
        goto done;
    }
    if (fin != 0) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        goto done;
    }
    *out = pt;
    *out_len = ct_len;
    pt = NULL;
    ret = 1;
done:
    EVP_CIPHER_CTX_free(c);
    OPENSSL_clear_free(pt, pt_cap); /* a partly decrypted session */
    OPENSSL_cleanse(keys, sizeof(keys));
    return ret;
}

/* ---- OpenSSL envelope: app keys or callbacks ---- */

/* A MAC context of either flavour (EVP_MAC for the app keys and the EVP
 * callback, HMAC_CTX for the legacy callback). */
struct mac {
    EVP_MAC_CTX *evp;
    HMAC_CTX *legacy;
};

static int mac_new(SSL_CTX *ctx, struct mac *m)
{
    memset(m, 0, sizeof(*m));
    if (ctx->ticket_key_evp_cb == NULL && ctx->ticket_key_cb != NULL)
        return (m->legacy = HMAC_CTX_new()) != NULL;
    return (m->evp = EVP_MAC_CTX_new(algs_hmac())) != NULL;
}

static void mac_free(struct mac *m)
{
    EVP_MAC_CTX_free(m->evp);
    HMAC_CTX_free(m->legacy);
}

static int mac_update(struct mac *m, const uint8_t *p, size_t n)
{
    return m->evp ? EVP_MAC_update(m->evp, p, n) : HMAC_Update(m->legacy, p, n);
}

static int mac_final(struct mac *m, uint8_t *out, size_t *out_len)
{
    if (m->evp)
        return EVP_MAC_final(m->evp, out, out_len, EVP_MAX_MD_SIZE);
    unsigned int l = 0;
    int r = HMAC_Final(m->legacy, out, &l);
    *out_len = l;
    return r;
}

/* ossl_keys: the callback, or the app keys.  Returns the callback's value
 * semantics: 1 ok, 2 ok+renew (dec), 0 no key / don't issue, <0 error. */
static int ossl_keys(SSL *s, SSL_CTX *ctx, uint8_t name[NAME_LEN], uint8_t iv[OSSL_IV_LEN],
                     EVP_CIPHER_CTX *c, struct mac *m, int enc)
{
    if (ctx->ticket_key_evp_cb != NULL)
        return ctx->ticket_key_evp_cb(s, name, iv, c, m->evp, enc);
    if (ctx->ticket_key_cb != NULL)
        return ctx->ticket_key_cb(s, name, iv, c, m->legacy, enc);
    struct ticket_keys *tk = &ctx->tickets;
    uint8_t aes[32], hmac[32], kname[NAME_LEN];
    pthread_rwlock_rdlock(&tk->lock);
    int have = tk->have_app_keys;
    memcpy(aes, tk->app_aes, 32);
    memcpy(hmac, tk->app_hmac, 32);
    memcpy(kname, tk->app_name, NAME_LEN);
    pthread_rwlock_unlock(&tk->lock);
    int ret = 0;
    if (!have)
        goto done;
    if (enc) {
        memcpy(name, kname, NAME_LEN);
        if (rand_public(iv, OSSL_IV_LEN) != 1) {
            ret = -1;
            goto done;
        }
    } else if (CRYPTO_memcmp(name, kname, NAME_LEN) != 0) {
        goto done;
    }
    OSSL_PARAM params[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                            OSSL_PARAM_construct_end()};
    if (!EVP_CipherInit_ex2(c, algs_aes256cbc(), aes, iv, enc, NULL) ||
        !EVP_MAC_init(m->evp, hmac, sizeof(hmac), params)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        ret = -1;
        goto done;
    }
    ret = 1;
done:
    OPENSSL_cleanse(aes, sizeof(aes));
    OPENSSL_cleanse(hmac, sizeof(hmac));
    return ret;
}

/* ossl_seal: 1 sealed, 2 the callback declined (nothing written), 0 error. */
static int ossl_seal(SSL *s, SSL_CTX *ctx, const uint8_t *pt, size_t pt_len, CBB *out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    struct mac m;
    int ok = 0, n = 0, fin = 0;
    uint8_t name[NAME_LEN] = {0}, iv[EVP_MAX_IV_LENGTH] = {0}, *p;
    size_t mlen = 0;
    if (!mac_new(ctx, &m) || c == NULL)
        goto done;
    int r = ossl_keys(s, ctx, name, iv, c, &m, 1);
    if (r == 0) {
        ok = 2;
        goto done;
    }
    if (r < 0)
        goto done;
    int ivl = EVP_CIPHER_CTX_get_iv_length(c);
    int bl = EVP_CIPHER_CTX_get_block_size(c);
    if (ivl < 0 || ivl > EVP_MAX_IV_LENGTH || bl <= 0)
        goto done;
    size_t start = cbb_len(out);
    if (pt_len > INT_MAX - 64 || !cbb_add_bytes(out, name, NAME_LEN) ||
        !cbb_add_bytes(out, iv, (size_t)ivl) || !cbb_add_space(out, &p, pt_len + (size_t)bl) ||
        !EVP_EncryptUpdate(c, p, &n, pt, (int)pt_len) || n < 0 || (size_t)n > pt_len + (size_t)bl ||
        !EVP_EncryptFinal_ex(c, p + n, &fin) || fin < 0 ||
        (size_t)n + (size_t)fin > pt_len + (size_t)bl)
        goto done;
    /* give back the unused block slack */
    out->buf->len -= pt_len + (size_t)bl - ((size_t)n + (size_t)fin);
    const uint8_t *all = cbb_data(out) + start;
    size_t all_len = cbb_len(out) - start;
    uint8_t tag[EVP_MAX_MD_SIZE];
    if (!mac_update(&m, all, all_len) || !mac_final(&m, tag, &mlen) || mlen == 0 ||
        mlen > sizeof(tag) || !cbb_add_bytes(out, tag, mlen))
        goto done;
    ok = 1;
done:
    EVP_CIPHER_CTX_free(c);
    mac_free(&m);
    if (!ok)
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
    return ok;
}

/* ossl_open: 1 opened, 0 not decryptable, -1 error (callback < 0, an
 * allocation; raised). */
static int ossl_open(SSL *s, SSL_CTX *ctx, const uint8_t *t, size_t len, uint8_t **out,
                     size_t *out_len, int *renew)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    struct mac m;
    uint8_t name[NAME_LEN], iv[EVP_MAX_IV_LENGTH], tag[EVP_MAX_MD_SIZE], *pt = NULL;
    size_t mlen = 0, pt_cap = 0;
    int ret = 0, n = 0, fin = 0;
    CBS in, head, body, ct, mac_in;
    if (!mac_new(ctx, &m) || c == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        ret = -1;
        goto done;
    }
    /* OpenSSL: shorter than name + the largest IV cannot be a ticket. */
    cbs_init(&in, t, len);
    head = in;
    if (len > MAX_TICKET_PLAINTEXT || !cbs_copy_bytes(&head, name, NAME_LEN) ||
        !cbs_copy_bytes(&head, iv, EVP_MAX_IV_LENGTH))
        goto done;
    int r = ossl_keys(s, ctx, name, iv, c, &m, 0);
    if (r <= 0) {
        if (r < 0 && (ctx->ticket_key_evp_cb != NULL || ctx->ticket_key_cb != NULL))
            ERR_raise(ERR_LIB_SSL, SSL_R_CALLBACK_FAILED);
        ret = r < 0 ? -1 : 0;
        goto done;
    }
    if (r == 2)
        *renew = 1;
    /* name || IV (the cipher's length) || ciphertext || MAC over the rest */
    int ivl = EVP_CIPHER_CTX_get_iv_length(c);
    size_t ml = m.evp ? EVP_MAC_CTX_get_mac_size(m.evp) : (size_t)HMAC_size(m.legacy);
    if (ivl < 0 || ivl > EVP_MAX_IV_LENGTH || ml == 0 || ml > EVP_MAX_MD_SIZE || len <= ml)
        goto done;
    if (!cbs_get_bytes(&in, &body, len - ml) || !cbs_get_bytes(&in, &mac_in, ml))
        goto done;
    ct = body;
    if (!cbs_skip(&ct, NAME_LEN + (size_t)ivl) || cbs_len(&ct) == 0)
        goto done;
    if (!mac_update(&m, cbs_data(&body), cbs_len(&body)) || !mac_final(&m, tag, &mlen) ||
        mlen != ml) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        ret = -1;
        goto done;
    }
    if (!cbs_mem_equal(&mac_in, tag, ml))
        goto done; /* not authentic: a full handshake */
    size_t ct_len = cbs_len(&ct);
    pt_cap = ct_len + EVP_MAX_BLOCK_LENGTH;
    pt = OPENSSL_malloc(pt_cap);
    if (pt == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        ret = -1;
        goto done;
    }
    /* Authentic, so a failure to decrypt means the keys disagree (a
     * callback's cipher): not decryptable. */
    if (!EVP_DecryptUpdate(c, pt, &n, cbs_data(&ct), (int)ct_len) || n < 0 || (size_t)n > ct_len ||
        EVP_DecryptFinal_ex(c, pt + n, &fin) <= 0 || fin < 0 || (size_t)n + (size_t)fin > ct_len)
        goto done;
    *out = pt;
    *out_len = (size_t)n + (size_t)fin;
    pt = NULL;
    ret = 1;
done:
    OPENSSL_clear_free(pt, pt_cap); /* a partly decrypted session */
    EVP_CIPHER_CTX_free(c);
    mac_free(&m);
    return ret;
}

static int use_ossl_format(SSL_CTX *ctx)
{
    if (ctx->ticket_key_evp_cb != NULL || ctx->ticket_key_cb != NULL)
        return 1;
    pthread_rwlock_rdlock(&ctx->tickets.lock);
    int r = ctx->tickets.have_app_keys;
    pthread_rwlock_unlock(&ctx->tickets.lock);
    return r;
}

/* ---- handshake API ---- */

static SSL_CTX *sess_ctx(SSL *s)
{
    return s->session_ctx != NULL ? s->session_ctx : s->ctx;
}

int sess_ticket_seal(SSL *s, SSL_SESSION *sess, CBB *out_ticket)
{
    SSL_CTX *ctx = sess_ctx(s);
    if (ctx->gen_ticket_cb != NULL) {
        if (!ctx->gen_ticket_cb(s, ctx->ticket_cb_arg))
            return 0;
        SSL_SESSION *cur = s->session;
        size_t app_len = 0;
        const uint8_t *app = cur != NULL && cur != sess ? sess_appdata(cur, &app_len) : NULL;
        if (app_len > 0 && !SSL_SESSION_set1_ticket_appdata(sess, app, app_len))
            return 0;
    }
    CBB plain;
    uint8_t *pt = NULL;
    size_t pt_len = 0;
    if (!cbb_init(&plain, 512))
        return 0;
    if (!sess_encode(&plain, sess, 1) || !cbb_finish(&plain, &pt, &pt_len)) {
        cbb_cleanup(&plain);
        return 0;
    }
    int r = use_ossl_format(ctx) ? ossl_seal(s, ctx, pt, pt_len, out_ticket)
                                 : ring_seal(ctx, pt, pt_len, out_ticket);
    OPENSSL_clear_free(pt, pt_len);
    return r;
}

int sess_ticket_issue(SSL *s, SSL_SESSION *sess, CBB *out_ticket)
{
    /* Every ticket is its own session, with a fresh id (as OpenSSL 3.0,
     * also from SSL_CTX_set_generate_session_id's callback). */
    unsigned id_len;
    int reason;
    if (!sess_generate_id(s, sess->session_id, &id_len, &reason)) {
        ERR_raise(ERR_LIB_SSL, reason);
        return 0;
    }
    sess->session_id_len = id_len;
    if (s->cfg.options & SSL_OP_NO_TICKET) {
        /* Stateful: the ticket is the id of a cached session (single use). */
        if (!cbb_add_bytes(out_ticket, sess->session_id, sess->session_id_len))
            return 0;
        return sess_cache_add_new(s, sess);
    }
    int r = sess_ticket_seal(s, sess, out_ticket);
    if (r == 0)
        return 0;
    if (r == 2)
        return 1; /* callback said "don't issue": empty ticket */
    return sess_cache_add_new(s, sess);
}

/* ticket_ttl_ms: how long a used ticket is remembered (0: the store's
 * longest). */
static uint64_t ticket_ttl_ms(const SSL_SESSION *sess)
{
    return sess->timeout > UINT64_MAX / 1000 ? 0 : sess->timeout * 1000;
}

int sess_ticket_accept(SSL *s, const uint8_t *identity, size_t len, SSL_SESSION **out,
                       int *out_renew)
{
    SSL_CTX *ctx = sess_ctx(s);
    *out = NULL;
    *out_renew = 0;
    if (identity == NULL || len == 0)
        return 1;
    if ((s->cfg.options & SSL_OP_NO_TICKET) && len <= SSL_MAX_SSL_SESSION_ID_LENGTH) {
        /* Stateful ticket: single use (contract S9). */
        *out = sess_cache_take(s, identity, len);
        return 1;
    }
    uint8_t *pt = NULL;
    size_t pt_len = 0;
    int renew = 0;
    int r = use_ossl_format(ctx) ? ossl_open(s, ctx, identity, len, &pt, &pt_len, &renew)
                                 : ring_open(ctx, identity, len, &pt, &pt_len, &renew);
    if (r < 0)
        return 0; /* the reason is raised */
    if (r == 0)
        return 1;
    CBS cbs;
    int malformed = 0;
    cbs_init(&cbs, pt, pt_len);
    ERR_set_mark();
    SSL_SESSION *sess = sess_decode(&cbs, 1, &malformed);
    OPENSSL_clear_free(pt, pt_len);
    if (sess == NULL && !malformed) {
        ERR_clear_last_mark(); /* an allocation failed: the handshake fails */
        return 0;
    }
    ERR_pop_to_mark();
    if (sess == NULL)
        return 1; /* authentic but unreadable (e.g. older format): full handshake */
    if (ctx->dec_ticket_cb != NULL) {
        SSL_TICKET_RETURN tr = ctx->dec_ticket_cb(
            s, sess, NULL, 0, renew ? SSL_TICKET_SUCCESS_RENEW : SSL_TICKET_SUCCESS,
            ctx->ticket_cb_arg);
        if (tr == SSL_TICKET_RETURN_ABORT) {
            SSL_SESSION_free(sess);
            ERR_raise(ERR_LIB_SSL, SSL_R_CALLBACK_FAILED);
            return 0;
        }
        if (tr == SSL_TICKET_RETURN_IGNORE || tr == SSL_TICKET_RETURN_IGNORE_RENEW) {
            SSL_SESSION_free(sess);
            return 1;
        }
        renew = tr == SSL_TICKET_RETURN_USE_RENEW;
    }
    if (sess->sid_ctx_len != s->cfg.sh->sid_ctx_len ||
        memcmp(sess->sid_ctx, s->cfg.sh->sid_ctx, sess->sid_ctx_len) != 0) {
        SSL_SESSION_free(sess);
        return 1;
    }
    if (sess_expired(sess, sesame_now_ms())) {
        sess_count(ctx, SESS_CNT_TIMEOUT);
        SSL_SESSION_free(sess);
        return 1;
    }
    /* Anti-replay for early data (OpenSSL 3.0): a stateless ticket is valid
     * only while its cache entry exists; the first use removes it. */
    if (s->cfg.max_early_data > 0 && !(s->cfg.options & SSL_OP_NO_ANTI_REPLAY) &&
        !SSL_CTX_remove_session(ctx, sess)) {
        SSL_SESSION_free(sess);
        return 1;
    }
    /* strict_tickets: a stateless ticket is single use across the fleet
     * too; the store remembers it until it would expire.  A fresh ticket
     * replaces it (TLS 1.2 renews; TLS 1.3 issues new ones anyway). */
    if (sess_store_strict(ctx)) {
        if (!sess_store_first_use(ctx, identity, len, ticket_ttl_ms(sess))) {
            SSL_SESSION_free(sess);
            return 1;
        }
        renew = 1;
    }
    *out = sess;
    *out_renew = renew;
    return 1;
}

/* sess_client_set_ticket: client side of a NewSessionTicket; see ticket.h. */
int sess_client_set_ticket(SSL_SESSION *sess, const uint8_t *ticket, size_t len, uint32_t lifetime,
                           uint32_t age_add)
{
    uint8_t *copy = NULL;
    unsigned int dlen = 0;
    if (len == 0 || (copy = OPENSSL_memdup(ticket, len)) == NULL)
        return 0;
    /* As OpenSSL: the session id is SHA-256(ticket), so that the session
     * is resumable and has a cache key. */
    if (!EVP_Digest(ticket, len, sess->session_id, &dlen, algs_sha256(), NULL)) {
        OPENSSL_free(copy);
        return 0;
    }
    sess->session_id_len = dlen;
    OPENSSL_free(sess->ticket);
    sess->ticket = copy;
    sess->ticket_len = len;
    sess->ticket_lifetime_hint = lifetime;
    sess->ticket_age_add = age_add;
    sess->time_ms = sesame_now_ms();
    return 1;
}

/* ---- public setters ---- */

int SSL_CTX_set_tlsext_ticket_key_evp_cb(SSL_CTX *ctx,
                                         int (*fp)(SSL *, unsigned char *, unsigned char *,
                                                   EVP_CIPHER_CTX *, EVP_MAC_CTX *, int))
{
    ctx->ticket_key_evp_cb = fp;
    return 1;
}

int SSL_CTX_set_session_ticket_cb(SSL_CTX *ctx, SSL_CTX_generate_session_ticket_fn gen_cb,
                                  SSL_CTX_decrypt_session_ticket_fn dec_cb, void *arg)
{
    ctx->gen_ticket_cb = gen_cb;
    ctx->dec_ticket_cb = dec_cb;
    ctx->ticket_cb_arg = arg;
    return 1;
}

int sess_ticket_ctrl(SSL_CTX *ctx, int cmd, long larg, void *parg, long *out_ret)
{
    if (cmd != SSL_CTRL_SET_TLSEXT_TICKET_KEYS && cmd != SSL_CTRL_GET_TLSEXT_TICKET_KEYS)
        return 0;
    struct ticket_keys *tk = &ctx->tickets;
    uint8_t *keys = parg;
    const long klen = NAME_LEN + 32 + 32;
    if (keys == NULL) {
        *out_ret = klen;
        return 1;
    }
    if (larg != klen) {
        ERR_raise(ERR_LIB_SSL, SSL_R_INVALID_TICKET_KEYS_LENGTH);
        *out_ret = 0;
        return 1;
    }
    pthread_rwlock_wrlock(&tk->lock);
    int ok = 1;
    if (cmd == SSL_CTRL_SET_TLSEXT_TICKET_KEYS) {
        memcpy(tk->app_name, keys, NAME_LEN);
        memcpy(tk->app_hmac, keys + NAME_LEN, 32);
        memcpy(tk->app_aes, keys + NAME_LEN + 32, 32);
        tk->have_app_keys = 1;
    } else {
        /* OpenSSL always has keys in this layout; we create them on first
         * request so that GET on one SSL_CTX + SET on another shares tickets. */
        if (!tk->have_app_keys) {
            ok = RAND_bytes(tk->app_name, NAME_LEN) == 1 &&
                 RAND_priv_bytes(tk->app_hmac, 32) == 1 && RAND_priv_bytes(tk->app_aes, 32) == 1;
            tk->have_app_keys = ok;
        }
        if (ok) {
            memcpy(keys, tk->app_name, NAME_LEN);
            memcpy(keys + NAME_LEN, tk->app_hmac, 32);
            memcpy(keys + NAME_LEN + 32, tk->app_aes, 32);
        }
    }
    pthread_rwlock_unlock(&tk->lock);
    *out_ret = ok;
    return 1;
}

int sess_ctx_callback_ctrl(SSL_CTX *ctx, int cmd, void (*fp)(void), long *out_ret)
{
    if (cmd != SSL_CTRL_SET_TLSEXT_TICKET_KEY_CB)
        return 0;
    ctx->ticket_key_cb =
        (int (*)(SSL *, unsigned char *, unsigned char *, EVP_CIPHER_CTX *, HMAC_CTX *, int))fp;
    *out_ret = 1;
    return 1;
}

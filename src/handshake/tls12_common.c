/* What both TLS 1.2 roles share: the master secret and the keys
 * (RFC 5246 6.3, 8.1; RFC 7627), ChangeCipherSpec and Finished both ways
 * (7.1, 7.4.9), the peer's Certificate (7.4.2), the content a
 * ServerKeyExchange signs (7.4.3), and the session a handshake
 * establishes. */
#include "internal.h"

#include <string.h>

#include "auth/auth.h"
#include "auth/cert_cache.h"
#include "codec/consts.h"
#include "codec/messages12.h"
#include "codec/messages13.h"
#include "handshake/hs.h"
#include "handshake/tls12.h"
#include "keys/tls12_keys.h"
#include "record/record_io.h"

/* ---- keys ---- */

int tls12_derive_master(SSL *s, const uint8_t *pms, size_t pms_len)
{
    struct hs_state *hs = s->hs;
    uint8_t hash[SESAME_MAX_HASH];
    size_t hash_len = 0;
    /* RFC 7627 4: the session hash covers the messages through
     * ClientKeyExchange */
    if (hs->ems) {
        if (!hs_transcript_hash(s, hash))
            return 0;
        hash_len = hs->hash_len;
    }
    if (!tls12_master_secret(hs->md, hs->master, pms, pms_len, s->client_random, s->server_random,
                             hs->ems ? hash : NULL, hash_len))
        return 0;
    hs_keylog(s, "CLIENT_RANDOM", hs->master, TLS12_MASTER_LEN);
    return 1;
}

/* change_keys installs this direction's keys from the key block:
 * client_write_key, server_write_key, client_write_IV, server_write_IV
 * (RFC 5246 6.3; AEAD suites have no MAC keys).  The block is derived for
 * the first direction and wiped after the second. */
static int change_keys(SSL *s, int enc)
{
    struct hs_state *hs = s->hs;
    const SSL_CIPHER *c = s->cipher;
    size_t kl = c->key_len, il = c->iv_len, need = 2 * kl + 2 * il;
    if (need > sizeof(hs->key_block)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    if (hs->key_block_len == 0) {
        if (!tls12_key_block(hs->md, hs->master, s->client_random, s->server_random, hs->key_block,
                             need))
            return 0;
        hs->key_block_len = (uint8_t)need;
    }
    const uint8_t *kb = hs->key_block;
    int client_keys = enc ? !s->server : s->server;
    int ok = rec_set_key12(s, enc, c, client_keys ? kb : kb + kl,
                           client_keys ? kb + 2 * kl : kb + 2 * kl + il);
    if (++hs->keys_installed == 2)
        OPENSSL_cleanse(hs->key_block, sizeof(hs->key_block));
    return ok;
}

/* ---- ChangeCipherSpec ---- */

int tls12_send_ccs(SSL *s)
{
    static const uint8_t one = 1;
    if (!rec_queue_plain(s, REC_CCS, &one, 1) || !change_keys(s, 1)) {
        hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    if (s->cfg.msg_cb != NULL)
        s->cfg.msg_cb(1, TLS1_2_VERSION, SSL3_RT_CHANGE_CIPHER_SPEC, &one, 1, s, s->cfg.msg_cb_arg);
    return 1;
}

enum hs_ret tls12_read_ccs(SSL *s)
{
    static const uint8_t one = 1;
    uint8_t alert;
    int r = rec_read_ccs(s, &alert);
    if (r != REC_OK)
        return hs_rec_result(s, r, alert);
    if (s->cfg.msg_cb != NULL)
        s->cfg.msg_cb(0, TLS1_2_VERSION, SSL3_RT_CHANGE_CIPHER_SPEC, &one, 1, s, s->cfg.msg_cb_arg);
    if (!change_keys(s, 0))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    return HS_OK;
}

/* ---- Finished ---- */

/* verify_data: the Finished of |from_server| over the transcript so far. */
static int verify_data(SSL *s, int from_server, uint8_t out[TLS12_FINISHED_LEN])
{
    struct hs_state *hs = s->hs;
    uint8_t hash[SESAME_MAX_HASH];
    return hs_transcript_hash(s, hash) &&
           tls12_finished(hs->md, hs->master, from_server, hash, hs->hash_len, out);
}

int tls12_send_finished(SSL *s)
{
    uint8_t vd[TLS12_FINISHED_LEN];
    CBB cbb;
    if (!verify_data(s, s->server, vd) || !cbb_init(&cbb, 32)) {
        hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    memcpy(s->finished_own, vd, sizeof(vd));
    s->finished_len = sizeof(vd);
    if (!codec_write_finished(&cbb, vd, sizeof(vd))) {
        cbb_cleanup(&cbb);
        hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    return hs_send_cbb(s, &cbb);
}

enum hs_ret tls12_read_finished(SSL *s)
{
    uint8_t expect[TLS12_FINISHED_LEN];
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;
    CBS body, vd;
    enum hs_ret r = hs_get_message(s, CODEC_HS_FINISHED, &body);
    if (r != HS_OK)
        return r;
    if (!codec_parse_finished(&body, TLS12_FINISHED_LEN, &vd, &alert))
        return hs_fail(s, alert, SSL_R_BAD_LENGTH);
    if (!verify_data(s, !s->server, expect))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    /* RFC 5246 7.4.9: a wrong Finished is decrypt_error */
    if (!cbs_mem_equal(&vd, expect, sizeof(expect)))
        return hs_fail(s, CODEC_ALERT_DECRYPT_ERROR, SSL_R_DIGEST_CHECK_FAILED);
    memcpy(s->finished_peer, expect, sizeof(expect));
    s->finished_peer_len = sizeof(expect);
    if (!hs_consume(s))
        return HS_ERR;
    /* RFC 5246 7.1: the peer's handshake ends here: nothing may follow in
     * the same flight (a renegotiating hello comes in its own time) */
    if (rec_hs_buffered(s) != 0)
        return hs_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_NOT_ON_RECORD_BOUNDARY);
    return HS_OK;
}

/* ---- the peer's certificates ---- */

enum hs_ret tls12_read_certificate(SSL *s, int allow_empty)
{
    CODEC_CERTIFICATE12 c;
    CBS body;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;
    enum hs_ret r = hs_get_message(s, CODEC_HS_CERTIFICATE, &body);
    if (r != HS_OK)
        return r;
    if (!codec_parse_certificate12(&body, &c, &alert))
        return hs_fail(s, alert, 0);
    /* RFC 5246 7.4.2: a server always sends one (allow_empty 0) */
    return hs_take_peer_chain(s, &c.certificate_list, c.num_certs, 0, allow_empty);
}

/* ---- what a ServerKeyExchange signs ---- */

int tls12_ske_signed_content(SSL *s, const uint8_t *params, size_t params_len, uint8_t **out,
                             size_t *out_len)
{
    /* RFC 5246 7.4.3: client_random || server_random || params */
    CBB cbb;
    if (!cbb_init(&cbb, 64 + params_len) || !cbb_add_bytes(&cbb, s->client_random, 32) ||
        !cbb_add_bytes(&cbb, s->server_random, 32) || !cbb_add_bytes(&cbb, params, params_len) ||
        !cbb_finish(&cbb, out, out_len)) {
        cbb_cleanup(&cbb);
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    return 1;
}

/* ---- the session ---- */

int tls12_establish_session(SSL *s)
{
    struct hs_state *hs = s->hs;
    if (s->hit) {
        /* resumed: the session is the one resumed (OpenSSL keeps the same
         * object on a client, so SSL_get1_session returns what was set) */
        if (hs->psk == NULL)
            return 0;
        SSL_SESSION_free(s->session);
        s->session = hs->psk;
        hs->psk = NULL;
        s->verify_result = s->session->verify_result;
        return 1;
    }
    SSL_SESSION *ss = SSL_SESSION_new();
    if (ss == NULL)
        return 0;
    ss->version = TLS1_2_VERSION;
    ss->cipher = s->cipher;
    ss->time_ms = sesame_now_ms();
    ss->timeout = (uint64_t)s->session_ctx->session_timeout;
    ss->group = s->group;
    ss->peer_sigalg = s->peer_sigalg;
    ss->ems = hs->ems;
    memcpy(ss->master_key, hs->master, TLS12_MASTER_LEN);
    ss->master_key_len = TLS12_MASTER_LEN;
    memcpy(ss->session_id, hs->sid12, hs->sid12_len);
    ss->session_id_len = (uint8_t)hs->sid12_len;
    if (!sess_set_extra(ss, s->cfg.sh->sid_ctx, s->cfg.sh->sid_ctx_len, s->hostname,
                        s->hostname != NULL ? strlen(s->hostname) : 0, s->alpn_selected,
                        s->alpn_selected_len, NULL, 0))
        goto err;
    if (hs->peer_chain != NULL) {
        if (s->server) {
            /* OpenSSL: on a server the chain handed out excludes the leaf */
            STACK_OF(X509) *nl = X509_chain_up_ref(hs->peer_chain);
            if (nl == NULL)
                goto err;
            X509_free(sk_X509_shift(nl));
            sk_X509_pop_free(s->peer_chain_nl, X509_free);
            s->peer_chain_nl = nl;
        }
        if ((ss->peer = sess_peer_from_x509s(hs->peer_chain)) == NULL)
            goto err;
    }
    /* with or without a peer certificate (X509_V_OK when none was sent, as
     * OpenSSL: a resumption hands it back through SSL_get_verify_result) */
    ss->verify_result = (int32_t)s->verify_result;
    /* a session is resumable at once in TLS 1.2 (contract S4) unless the
     * master secret lacks the extended form (we never resume those) */
    ss->not_resumable = !hs->ems;
    SSL_SESSION_free(s->session);
    s->session = ss;
    return 1;
err:
    SSL_SESSION_free(ss);
    return 0;
}

/* ---- suites ---- */

int tls12_suite_dhe(const SSL_CIPHER *c)
{
    return c->kx_nid == NID_kx_dhe;
}

unsigned tls12_suite_slots(const SSL_CIPHER *c)
{
    return c->auth_nid == NID_auth_ecdsa ? AUTH_SLOTS_ECDSA : AUTH_SLOTS_RSA;
}

int tls12_ec_group(uint16_t g)
{
    return g < 0x0100 && kex_supported(g); /* 0x0100..0x01ff: FFDHE (RFC 7919) */
}

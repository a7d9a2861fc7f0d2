/* What both TLS 1.3 roles share: the handshake and application secrets, PSK
 * binders, the compatibility change_cipher_spec, Certificate,
 * CertificateVerify and Finished both ways, and the session a handshake
 * establishes (RFC 8446 4.2.11.2, 4.4, 7.1, D.4). */
#include "internal.h"

#include <string.h>

#include "auth/auth.h"
#include "auth/cert_cache.h"
#include "auth/policy.h"
#include "auth/sigalgs.h"
#include "codec/consts.h"
#include "codec/messages13.h"
#include "handshake/hs.h"
#include "keys/algs.h"
#include "record/record_io.h"

/* ---- secrets ---- */

int tls13_set_suite_md(SSL *s, const SSL_CIPHER *suite)
{
    struct hs_state *hs = s->hs;
    const EVP_MD *md = algs_md_by_nid(suite->md_nid);
    int len = md != NULL ? EVP_MD_get_size(md) : 0;
    if (len <= 0 || len > SESAME_MAX_HASH) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    hs->md = md;
    hs->hash_len = (size_t)len;
    return 1;
}

int tls13_derive_handshake_secrets(SSL *s, const SSL_SESSION *psk, const uint8_t *secret,
                                   size_t secret_len)
{
    struct hs_state *hs = s->hs;
    uint8_t hash[SESAME_MAX_HASH];
    int ok = tls13_sched_init(&hs->ks, hs->md, psk ? psk->master_key : NULL,
                              psk ? psk->master_key_len : 0) &&
             tls13_sched_advance(&hs->ks, secret_len ? secret : NULL, secret_len) &&
             hs_transcript_hash(s, hash) &&
             tls13_sched_derive(&hs->ks, hs->client_hs, "c hs traffic", hash) &&
             tls13_sched_derive(&hs->ks, hs->server_hs, "s hs traffic", hash);
    if (!ok)
        return 0;
    hs_keylog(s, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", hs->client_hs, hs->hash_len);
    hs_keylog(s, "SERVER_HANDSHAKE_TRAFFIC_SECRET", hs->server_hs, hs->hash_len);
    return 1;
}

int tls13_derive_app_secrets(SSL *s)
{
    struct hs_state *hs = s->hs;
    uint8_t hash[SESAME_MAX_HASH];
    s->s13.md = hs->md;
    s->s13.hash_len = hs->hash_len;
    if (!tls13_sched_advance(&hs->ks, NULL, 0) || !hs_transcript_hash(s, hash) ||
        !tls13_sched_derive(&hs->ks, s->s13.client_app, "c ap traffic", hash) ||
        !tls13_sched_derive(&hs->ks, s->s13.server_app, "s ap traffic", hash) ||
        !tls13_sched_derive(&hs->ks, s->s13.exporter, "exp master", hash))
        return 0;
    hs_keylog(s, "CLIENT_TRAFFIC_SECRET_0", s->s13.client_app, hs->hash_len);
    hs_keylog(s, "SERVER_TRAFFIC_SECRET_0", s->s13.server_app, hs->hash_len);
    hs_keylog(s, "EXPORTER_SECRET", s->s13.exporter, hs->hash_len);
    return 1;
}

int tls13_derive_resumption(SSL *s)
{
    struct hs_state *hs = s->hs;
    uint8_t hash[SESAME_MAX_HASH];
    return hs_transcript_hash(s, hash) &&
           tls13_sched_derive(&hs->ks, s->s13.resumption, "res master", hash);
}

int tls13_psk_binder(SSL *s, const EVP_MD *md, const SSL_SESSION *psk, int external,
                     const uint8_t *hello, size_t trunc_len, uint8_t *out)
{
    uint8_t hash[SESAME_MAX_HASH], bkey[SESAME_MAX_HASH];
    TLS13_SCHEDULE ks;
    int ok;
    /* RFC 8446 4.2.11.2: the binder covers the transcript up to and
     * including the ClientHello truncated before the binders list; after a
     * HelloRetryRequest that transcript starts with ClientHello1's hash. */
    if (s->hs->hrr)
        ok = hs_hash_with(s, hello, trunc_len, hash);
    else
        ok = EVP_Digest(hello, trunc_len, hash, NULL, md, NULL);
    ok = ok && tls13_sched_init(&ks, md, psk->master_key, psk->master_key_len) &&
         tls13_sched_binder_key(&ks, external, bkey) && tls13_finished_mac(md, out, bkey, hash);
    tls13_sched_cleanup(&ks);
    OPENSSL_cleanse(bkey, sizeof(bkey));
    return ok;
}

/* ---- the compatibility change_cipher_spec ---- */

int tls13_queue_compat_ccs(SSL *s)
{
    static const uint8_t one = 1;
    struct hs_state *hs = s->hs;
    /* RFC 8446 D.4: in compatibility mode (a non-empty legacy_session_id,
     * ours as a client or the client's as a server) one CCS goes out
     * before the first protected or second hello message. */
    if (hs->ccs_sent || hs->legacy_sid_len == 0)
        return 1;
    hs->ccs_sent = 1;
    if (!rec_queue_plain(s, REC_CCS, &one, 1)) {
        hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
        return 0;
    }
    return 1;
}

/* ---- Certificate and CertificateVerify ---- */

enum hs_ret hs_client_servername_cb(SSL *s)
{
    SSL_CTX *ctx = s->ctx->servername_cb != NULL ? s->ctx : s->session_ctx;
    int al = SSL_AD_UNRECOGNIZED_NAME;
    if (ctx->servername_cb == NULL)
        return HS_OK;
    switch (ctx->servername_cb(s, &al, ctx->servername_arg)) {
    case SSL_TLSEXT_ERR_ALERT_FATAL:
        return hs_fail(s, (uint8_t)al, SSL_R_CALLBACK_FAILED);
    case SSL_TLSEXT_ERR_ALERT_WARNING:
        /* TLS 1.3 has no warning alerts */
        if (s->version != TLS1_3_VERSION)
            rec_send_alert(s, CODEC_ALERT_LEVEL_WARNING, (uint8_t)al);
        return HS_OK;
    default:
        return HS_OK;
    }
}

int hs_keep_u16_list(const CBS *list, uint16_t **out, uint16_t *num)
{
    CBS l = *list;
    size_t n = cbs_len(&l) / 2;
    uint16_t *v = NULL;
    if (n > UINT16_MAX)
        n = UINT16_MAX;
    if (n > 0 && (v = OPENSSL_malloc(n * sizeof(*v))) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (!cbs_get_u16(&l, &v[i]))
            n = i; /* cannot happen: n counts whole values */
    OPENSSL_free(*out);
    *out = v;
    *num = (uint16_t)n;
    return 1;
}

void hs_server_resuming(SSL *s, int tls13)
{
    OPENSSL_free(s->peer_sigalgs_all);
    s->peer_sigalgs_all = NULL;
    s->num_peer_sigalgs_all = 0;
    s->num_shared_sigalgs = 0;
    if (tls13)
        return;
    OPENSSL_free(s->peer_groups_all);
    s->peer_groups_all = NULL;
    s->num_peer_groups_all = 0;
    s->peer_groups = 0;
    OPENSSL_free(s->peer_ec_point_formats);
    s->peer_ec_point_formats = NULL;
    s->num_peer_ec_point_formats = 0;
    s->num_peer_suites = 0; /* SSL_get_client_ciphers: none either */
    sk_SSL_CIPHER_free(s->peer_cipher_stack);
    s->peer_cipher_stack = NULL;
}

int hs_keep_u8_list(const CBS *list, uint8_t **out, uint8_t *num)
{
    size_t n = cbs_len(list) > UINT8_MAX ? UINT8_MAX : cbs_len(list);
    uint8_t *v = NULL;
    if (n > 0 && (v = OPENSSL_memdup(cbs_data(list), n)) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    OPENSSL_free(*out);
    *out = v;
    *num = (uint8_t)n;
    return 1;
}

int tls13_set_peer_sigalgs(SSL *s, const CBS *list)
{
    struct hs_state *hs = s->hs;
    if (!hs_keep_u16_list(list, &s->peer_sigalgs_all, &s->num_peer_sigalgs_all))
        return 0;
    s->num_shared_sigalgs = (uint8_t)policy_shared_sigalgs(
        &s->cfg, s->peer_sigalgs_all, s->num_peer_sigalgs_all, s->shared_sigalgs,
        sizeof(s->shared_sigalgs) / sizeof(s->shared_sigalgs[0]));
    /* keep the first HS_MAX_SIGALGS schemes (whole u16 values) */
    size_t n = cbs_len(list) & ~(size_t)1;
    if (n > sizeof(hs->peer_sigalgs))
        n = sizeof(hs->peer_sigalgs);
    CBS l = *list;
    if (!cbs_copy_bytes(&l, hs->peer_sigalgs, n))
        n = 0;
    hs->peer_sigalgs_len = n;
    return 1;
}

int tls13_keep_kex_shares(SSL *s, const uint8_t *peer, size_t peer_len)
{
    struct hs_state *hs = s->hs;
    size_t own_len = hs->kex_pub_len;
    OPENSSL_free(s->kex_shares);
    s->kex_shares = NULL;
    s->kex_peer_len = s->kex_own_len = 0;
    if (peer_len > HS_MAX_KEX || own_len > HS_MAX_KEX)
        return 0;
    /* Only what the exchange made public: the keys are rebuilt when asked. */
    if ((s->kex_shares = OPENSSL_malloc(peer_len + own_len)) == NULL)
        return 0;
    memcpy(s->kex_shares, peer, peer_len);
    memcpy(s->kex_shares + peer_len, hs->kex_pub, own_len);
    s->kex_peer_len = (uint16_t)peer_len;
    s->kex_own_len = (uint16_t)own_len;
    return 1;
}

/* send_cert_verify signs the transcript so far with |slot|'s key. */
static int send_cert_verify(SSL *s, const CERT_SLOT *slot, uint16_t sigalg)
{
    struct hs_state *hs = s->hs;
    uint8_t hash[SESAME_MAX_HASH], tbs[CODEC_CV_MAX_SIGNED_CONTENT];
    uint8_t sig[1024];
    size_t tbs_len, sig_len = 0;
    CBB cbb;
    if (!hs_transcript_hash(s, hash) ||
        !codec_cv_signed_content(tbs, sizeof(tbs), &tbs_len, s->server, hash, hs->hash_len) ||
        !sigalg_sign(slot->pkey, sigalg, tbs, tbs_len, sig, sizeof(sig), &sig_len)) {
        hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
        return 0;
    }
    if (!cbb_init(&cbb, 16 + sig_len) ||
        !codec_write_certificate_verify(&cbb, sigalg, sig, sig_len)) {
        cbb_cleanup(&cbb);
        hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    if (!hs_send_cbb(s, &cbb))
        return 0;
    s->own_sigalg = sigalg;
    return 1;
}

enum hs_ret tls13_read_certificate(SSL *s, int allow_empty)
{
    struct hs_state *hs = s->hs;
    CODEC_CERTIFICATE c;
    CBS body;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;
    enum hs_ret r = hs_get_message(s, CODEC_HS_CERTIFICATE, &body);
    if (r != HS_OK)
        return r;
    if (!codec_parse_certificate(&body, &c, &alert))
        return hs_fail(s, alert, 0);
    /* RFC 8446 4.4.2: the context echoes the request's (empty in the
     * handshake). */
    if (!cbs_mem_equal(&c.context, hs->cert_req_ctx, hs->cert_req_ctx_len))
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_INVALID_CONTEXT);
    return hs_take_peer_chain(s, &c.certificate_list, c.num_certs, 1, allow_empty);
}

enum hs_ret tls13_read_cert_verify(SSL *s)
{
    struct hs_state *hs = s->hs;
    CODEC_CERTIFICATE_VERIFY cv;
    CBS body;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;
    uint8_t hash[SESAME_MAX_HASH], tbs[CODEC_CV_MAX_SIGNED_CONTENT];
    size_t tbs_len;
    enum hs_ret r = hs_get_message(s, CODEC_HS_CERTIFICATE_VERIFY, &body);
    if (r != HS_OK)
        return r;
    if (!codec_parse_certificate_verify(&body, &cv, &alert))
        return hs_fail(s, alert, 0);
    /* RFC 8446 4.4.3: the scheme must be one we offered. */
    int offered = 0;
    for (size_t i = 0; i < s->cfg.sh->num_sigalgs; i++)
        offered |= s->cfg.sh->sigalgs[i] == cv.sigalg;
    EVP_PKEY *pk = hs->peer_chain ? X509_get0_pubkey(sk_X509_value(hs->peer_chain, 0)) : NULL;
    if (!offered || pk == NULL || !sigalg_key_compatible(pk, cv.sigalg, 1))
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_WRONG_SIGNATURE_TYPE);
    if (!hs_transcript_hash(s, hash) ||
        !codec_cv_signed_content(tbs, sizeof(tbs), &tbs_len, !s->server, hash, hs->hash_len))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    if (!sigalg_verify(pk, cv.sigalg, tbs, tbs_len, cbs_data(&cv.signature), cbs_len(&cv.signature),
                       1))
        return hs_fail(s, CODEC_ALERT_DECRYPT_ERROR, SSL_R_BAD_SIGNATURE);
    s->peer_sigalg = cv.sigalg;
    return hs_consume(s) ? HS_OK : HS_ERR;
}

/* ---- CertificateRequest (server) ---- */

int tls13_send_certificate(SSL *s, const CERT_SLOT *slot, uint16_t sigalg)
{
    return hs_send_certificate(s, slot, 0) && (slot == NULL || send_cert_verify(s, slot, sigalg));
}

int tls13_send_certificate_request(SSL *s, const uint8_t *ctx, size_t ctx_len)
{
    struct hs_ca_names cas;
    CBB cbb;
    if (!hs_ca_names_der(s, &cas))
        return 0;
    int ok = cbb_init(&cbb, 256) &&
             codec_write_certificate_request(&cbb, ctx, ctx_len, s->cfg.sh->sigalgs,
                                             s->cfg.sh->num_sigalgs, cas.der, cas.len, cas.num);
    hs_ca_names_free(&cas);
    if (!ok) {
        cbb_cleanup(&cbb);
        hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    if (!hs_send_cbb(s, &cbb))
        return 0;
    s->hs->cert_requested = 1;
    s->certreq_sent = 1;
    return 1;
}

/* ---- Finished ---- */

int tls13_send_finished(SSL *s, const uint8_t *base)
{
    struct hs_state *hs = s->hs;
    uint8_t hash[SESAME_MAX_HASH], mac[SESAME_MAX_HASH];
    CBB cbb;
    if (!hs_transcript_hash(s, hash) || !tls13_finished_mac(hs->md, mac, base, hash) ||
        !cbb_init(&cbb, 64)) {
        hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    memcpy(s->finished_own, mac, hs->hash_len);
    s->finished_len = hs->hash_len;
    if (!codec_write_finished(&cbb, mac, hs->hash_len)) {
        cbb_cleanup(&cbb);
        hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    return hs_send_cbb(s, &cbb);
}

enum hs_ret tls13_read_finished(SSL *s, const uint8_t *base)
{
    struct hs_state *hs = s->hs;
    uint8_t hash[SESAME_MAX_HASH], mac[SESAME_MAX_HASH];
    CBS body, vd;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;
    enum hs_ret r = hs_get_message(s, CODEC_HS_FINISHED, &body);
    if (r != HS_OK)
        return r;
    if (!codec_parse_finished(&body, hs->hash_len, &vd, &alert))
        return hs_fail(s, alert, SSL_R_BAD_LENGTH);
    if (!hs_transcript_hash(s, hash) || !tls13_finished_mac(hs->md, mac, base, hash))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    /* RFC 8446 4.4.4: a wrong Finished is decrypt_error. */
    if (!cbs_mem_equal(&vd, mac, hs->hash_len))
        return hs_fail(s, CODEC_ALERT_DECRYPT_ERROR, SSL_R_DIGEST_CHECK_FAILED);
    memcpy(s->finished_peer, mac, hs->hash_len);
    s->finished_peer_len = hs->hash_len;
    if (!hs_consume(s))
        return HS_ERR;
    /* RFC 8446 5.1: the key changes after the handshake's Finished, on a
     * record boundary (a post-handshake authentication's Finished changes
     * no key: a message may follow it in its record); RFC 8446 5: no
     * change_cipher_spec after the peer's Finished. */
    if (s->phase != HS_PHASE_DONE && rec_hs_buffered(s) != 0)
        return hs_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_NOT_ON_RECORD_BOUNDARY);
    s->rl.ccs_allowed = 0;
    return HS_OK;
}

/* ---- the session a handshake establishes ---- */

int tls13_establish_session(SSL *s)
{
    struct hs_state *hs = s->hs;
    SSL_SESSION *ss = SSL_SESSION_new();
    if (ss == NULL)
        return 0;
    ss->version = TLS1_3_VERSION;
    ss->cipher = s->cipher;
    ss->time_ms = sesame_now_ms();
    ss->timeout = (uint64_t)s->session_ctx->session_timeout;
    ss->group = s->group;
    ss->peer_sigalg = s->peer_sigalg;
    /* sid_ctx, SNI and ALPN in one block, shared by every ticket's session
     * of this connection (SSL_SESSION_dup). */
    if (!sess_set_extra(ss, s->cfg.sh->sid_ctx, s->cfg.sh->sid_ctx_len, s->hostname,
                        s->hostname != NULL ? strlen(s->hostname) : 0, s->alpn_selected,
                        s->alpn_selected_len, NULL, 0))
        goto err;
    SSL_SESSION *old = hs->psk;
    if (s->hit && old != NULL) {
        /* The peer's identity carries over from the resumed session (the
         * same certificate block, so the same parsed X509 once parsed). */
        if (old->peer != NULL) {
            sess_peer_up_ref(old->peer);
            ss->peer = old->peer;
        }
        ss->verify_result = old->verify_result;
        s->verify_result = old->verify_result;
    } else {
        if (hs->peer_chain != NULL) {
            if (s->server) {
                /* OpenSSL: on a server the chain handed out excludes the leaf. */
                sk_X509_pop_free(s->peer_chain_nl, X509_free);
                if ((s->peer_chain_nl = X509_chain_up_ref(hs->peer_chain)) == NULL)
                    goto err;
                X509_free(sk_X509_shift(s->peer_chain_nl));
            }
            /* The session keeps the chain as DER (a few hundred bytes instead
             * of several KB of parsed X509s) and parses it again only if
             * asked. */
            if ((ss->peer = sess_peer_from_x509s(hs->peer_chain)) == NULL)
                goto err;
        }
        /* with or without a peer certificate (X509_V_OK when none was sent,
         * as OpenSSL: a resumption hands it back through
         * SSL_get_verify_result) */
        ss->verify_result = (int32_t)s->verify_result;
    }
    SSL_SESSION_free(s->session);
    s->session = ss;
    return 1;
err:
    SSL_SESSION_free(ss);
    return 0;
}

/* Steps both TLS 1.3 roles share: Certificate, CertificateVerify, Finished
 * and the application secrets (RFC 8446 4.4, 7.1). */
#include "internal.h"

#include <string.h>

#include "api/api.h"
#include "base/cert_cache.h"
#include "codec/consts.h"
#include "codec/messages13.h"
#include "handshake/hs.h"
#include "record/record_io.h"

void tls13_set_peer_sigalgs(SSL *s, const CBS *list)
{
    struct hs_state *hs = s->hs;
    size_t n = cbs_len(list);
    if (n > sizeof(hs->peer_sigalgs))
        n = sizeof(hs->peer_sigalgs) & ~(size_t)1;
    memcpy(hs->peer_sigalgs, cbs_data(list), n);
    hs->peer_sigalgs_len = n;
}

int tls13_send_certificate(SSL *s, const CERT_SLOT *slot, int with_cv, uint16_t sigalg)
{
    struct hs_state *hs = s->hs;
    CBB cbb;
    int ok = 0;
    int n = 0;
    uint8_t *ders[1 + 16] = {0};
    size_t lens[1 + 16];
    const uint8_t *const *send_ders = (const uint8_t *const *)ders;
    const size_t *send_lens = lens;
    size_t num = 0;

    if (slot != NULL && slot->x509 != NULL) {
        STACK_OF(X509) *chain = slot->chain;
        if ((chain == NULL || sk_X509_num(chain) == 0) && s->ctx->extra_certs != NULL)
            chain = s->ctx->extra_certs;
        if (cert_der_matches(slot->der, slot->x509, chain)) {
            /* encoded when the certificate was set (base/cert_cache.c) */
            num = cert_der_get(slot->der, &send_ders, &send_lens);
        } else {
            int len = i2d_X509(slot->x509, &ders[n]);
            if (len <= 0)
                goto out;
            lens[n++] = (size_t)len;
            for (int i = 0; chain != NULL && i < sk_X509_num(chain) && n < 17; i++) {
                len = i2d_X509(sk_X509_value(chain, i), &ders[n]);
                if (len <= 0)
                    goto out;
                lens[n++] = (size_t)len;
            }
            num = (size_t)n;
        }
    }
    if (!cbb_init(&cbb, 2048))
        goto out;
    if (!codec_write_certificate(&cbb, hs->cert_req_ctx, hs->cert_req_ctx_len, send_ders, send_lens,
                                 num) ||
        !hs_send_cbb(s, &cbb))
        goto out;
    if (with_cv) {
        uint8_t hash[SESAME_MAX_HASH], tbs[CODEC_CV_MAX_SIGNED_CONTENT];
        size_t tbs_len, sig_len;
        uint8_t sig[1024];
        if ((size_t)EVP_PKEY_get_size(slot->pkey) > sizeof(sig) || !hs_transcript_hash(s, hash) ||
            !codec_cv_signed_content(tbs, sizeof(tbs), &tbs_len, s->server, hash, hs->hash_len) ||
            !sigalg_sign(slot->pkey, sigalg, tbs, tbs_len, sig, &sig_len))
            goto out;
        if (!cbb_init(&cbb, 16 + sig_len))
            goto out;
        if (!codec_write_certificate_verify(&cbb, sigalg, sig, sig_len) || !hs_send_cbb(s, &cbb))
            goto out;
        s->own_sigalg = sigalg;
    }
    ok = 1;
out:
    for (int i = 0; i < n; i++)
        OPENSSL_free(ders[i]);
    if (!ok)
        ssl_fatal(s, CODEC_ALERT_INTERNAL_ERROR);
    return ok;
}

enum hs_ret tls13_read_certificate(SSL *s, CBS *body, int allow_empty)
{
    struct hs_state *hs = s->hs;
    CODEC_CERTIFICATE c;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;

    if (!codec_parse_certificate(body, &c, &alert))
        return hs_fail(s, alert, 0);
    /* RFC 8446 4.4.2: the context echoes the request's (empty for a server). */
    if (!cbs_mem_equal(&c.context, hs->cert_req_ctx, hs->cert_req_ctx_len))
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_INVALID_CONTEXT);
    if (c.num_certs == 0) {
        if (!allow_empty)
            return hs_fail(s, CODEC_ALERT_DECODE_ERROR, SSL_R_NO_CERTIFICATES_RETURNED);
        return HS_OK;
    }
    STACK_OF(X509) *chain = sk_X509_new_null();
    if (chain == NULL)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
    CBS list = c.certificate_list, der, exts;
    while (cbs_len(&list) > 0) {
        if (!codec_cert_next(&list, &der, &exts))
            goto bad;
        X509 *x = cert_d2i_cached(cbs_data(&der), cbs_len(&der));
        if (x == NULL)
            goto bad;
        if (!sk_X509_push(chain, x)) {
            X509_free(x);
            sk_X509_pop_free(chain, X509_free);
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
        }
    }
    EVP_PKEY *pk = X509_get0_pubkey(sk_X509_value(chain, 0));
    if (pk == NULL) {
        sk_X509_pop_free(chain, X509_free);
        return hs_fail(s, CODEC_ALERT_UNSUPPORTED_CERTIFICATE, SSL_R_UNKNOWN_CERTIFICATE_TYPE);
    }
    sk_X509_pop_free(hs->peer_chain, X509_free);
    hs->peer_chain = chain;
    return HS_OK;
bad:
    sk_X509_pop_free(chain, X509_free);
    return hs_fail(s, CODEC_ALERT_BAD_CERTIFICATE, SSL_R_BAD_PACKET);
}

enum hs_ret tls13_verify_cv(SSL *s, CBS *body)
{
    struct hs_state *hs = s->hs;
    CODEC_CERTIFICATE_VERIFY cv;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;
    uint8_t hash[SESAME_MAX_HASH], tbs[CODEC_CV_MAX_SIGNED_CONTENT];
    size_t tbs_len;

    if (!codec_parse_certificate_verify(body, &cv, &alert))
        return hs_fail(s, alert, 0);
    /* RFC 8446 4.4.3: the scheme must be one we offered. */
    int offered = 0;
    for (size_t i = 0; i < s->cfg.num_sigalgs; i++)
        offered |= s->cfg.sigalgs[i] == cv.sigalg;
    EVP_PKEY *pk = hs->peer_chain ? X509_get0_pubkey(sk_X509_value(hs->peer_chain, 0)) : NULL;
    if (!offered || pk == NULL || !sigalg_key_compatible(pk, cv.sigalg, 1))
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_WRONG_SIGNATURE_TYPE);
    if (!hs_transcript_hash(s, hash) ||
        !codec_cv_signed_content(tbs, sizeof(tbs), &tbs_len, !s->server, hash, hs->hash_len))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    if (!sigalg_verify(pk, cv.sigalg, tbs, tbs_len, cbs_data(&cv.signature),
                       cbs_len(&cv.signature)))
        return hs_fail(s, CODEC_ALERT_DECRYPT_ERROR, SSL_R_BAD_SIGNATURE);
    s->peer_sigalg = cv.sigalg;
    return HS_OK;
}

int tls13_send_finished(SSL *s, const uint8_t *base)
{
    struct hs_state *hs = s->hs;
    uint8_t hash[SESAME_MAX_HASH], mac[SESAME_MAX_HASH];
    CBB cbb;
    if (!hs_transcript_hash(s, hash) || !tls13_finished_mac(hs->md, mac, base, hash) ||
        !cbb_init(&cbb, 64))
        return 0;
    memcpy(s->finished_own, mac, hs->hash_len);
    s->finished_len = hs->hash_len;
    return codec_write_finished(&cbb, mac, hs->hash_len) && hs_send_cbb(s, &cbb);
}

enum hs_ret tls13_check_finished(SSL *s, CBS *body, const uint8_t *base)
{
    struct hs_state *hs = s->hs;
    uint8_t hash[SESAME_MAX_HASH], mac[SESAME_MAX_HASH];
    CBS vd;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;
    if (!codec_parse_finished(body, hs->hash_len, &vd, &alert))
        return hs_fail(s, alert, SSL_R_BAD_LENGTH);
    if (!hs_transcript_hash(s, hash) || !tls13_finished_mac(hs->md, mac, base, hash))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    /* RFC 8446 4.4.4: a wrong Finished is decrypt_error. */
    if (!cbs_mem_equal(&vd, mac, hs->hash_len))
        return hs_fail(s, CODEC_ALERT_DECRYPT_ERROR, SSL_R_DIGEST_CHECK_FAILED);
    memcpy(s->finished_peer, mac, hs->hash_len);
    return HS_OK;
}

enum hs_ret tls13_read_finished(SSL *s, const uint8_t *base)
{
    CBS body;
    enum hs_ret r = hs_get_message(s, CODEC_HS_FINISHED, &body);
    if (r != HS_OK)
        return r;
    if ((r = tls13_check_finished(s, &body, base)) != HS_OK)
        return r;
    if (!hs_consume(s))
        return HS_ERR;
    if (rec_hs_buffered(s) != 0)
        return hs_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_NOT_ON_RECORD_BOUNDARY);
    return HS_OK;
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

enum hs_ret tls13_read_cv(SSL *s, int next)
{
    CBS body;
    enum hs_ret r = hs_get_message(s, CODEC_HS_CERTIFICATE_VERIFY, &body);
    if (r != HS_OK)
        return r;
    if ((r = tls13_verify_cv(s, &body)) != HS_OK)
        return r;
    if (!hs_consume(s))
        return HS_ERR;
    s->hs->state = next;
    return HS_OK;
}

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
    if (!sess_set_extra(ss, s->cfg.sid_ctx, s->cfg.sid_ctx_len, s->hostname,
                        s->hostname != NULL ? strlen(s->hostname) : 0, s->alpn_selected,
                        s->alpn_selected_len, NULL, 0))
        goto err;
    SSL_SESSION *old = hs->offered_psk;
    if (s->hit && old != NULL) {
        /* The peer's identity carries over from the resumed session (the
         * same certificate block, so the same parsed X509 once parsed). */
        if (old->peer != NULL) {
            sess_peer_up_ref(old->peer);
            ss->peer = old->peer;
        }
        ss->verify_result = old->verify_result;
        s->verify_result = old->verify_result;
    } else if (hs->peer_chain != NULL) {
        if (s->server) {
            /* OpenSSL: on a server the chain handed out excludes the leaf. */
            sk_X509_pop_free(s->peer_chain_nl, X509_free);
            s->peer_chain_nl = X509_chain_up_ref(hs->peer_chain);
            if (s->peer_chain_nl != NULL)
                X509_free(sk_X509_shift(s->peer_chain_nl));
        }
        /* The session keeps the chain as DER (a few hundred bytes instead of
         * several KB of parsed X509s) and parses it again only if asked. */
        if ((ss->peer = sess_peer_from_x509s(hs->peer_chain)) == NULL)
            goto err;
        ss->verify_result = (int32_t)s->verify_result;
    }
    SSL_SESSION_free(s->session);
    s->session = ss;
    return 1;
err:
    SSL_SESSION_free(ss);
    return 0;
}

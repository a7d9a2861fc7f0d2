/* Certificates in the handshake, both versions and both roles: sending our
 * chain, the CA names of a CertificateRequest, verifying the peer's chain
 * (auth/), and choosing a client certificate. */
#include "internal.h"

#include <string.h>

#include "auth/auth.h"
#include "auth/cert_cache.h"
#include "codec/consts.h"
#include "codec/messages12.h"
#include "codec/messages13.h"
#include "handshake/hs.h"

/* ---- our chain ---- */

int hs_send_certificate(SSL *s, const CERT_SLOT *slot, int tls12)
{
    struct hs_state *hs = s->hs;
    CBB cbb;
    int ok = 0, n = 0;
    uint8_t *ders[1 + CERT_DER_MAX_CHAIN] = {0};
    size_t lens[1 + CERT_DER_MAX_CHAIN];
    const uint8_t *const *send_ders = (const uint8_t *const *)ders;
    const size_t *send_lens = lens;
    size_t num = 0;

    STACK_OF(X509) *built = NULL;
    if (slot != NULL && slot->x509 != NULL) {
        STACK_OF(X509) *chain = slot->chain;
        if ((chain == NULL || sk_X509_num(chain) == 0) && s->ctx->extra_certs != NULL)
            chain = s->ctx->extra_certs;
        /* OpenSSL: no chain given, so one from the chain store or else the
         * verification store */
        if ((chain == NULL || sk_X509_num(chain) == 0) && !(s->cfg.mode & SSL_MODE_NO_AUTO_CHAIN))
            chain = built = auth_auto_chain(s->cfg.sh->chain_store != NULL ? s->cfg.sh->chain_store
                                                                           : s->ctx->cert_store,
                                            slot->x509);
        if (cert_der_matches(slot->der, slot->x509, chain)) {
            /* encoded when the certificate was set (auth/cert_cache.c) */
            num = cert_der_get(slot->der, &send_ders, &send_lens);
        } else {
            int len = i2d_X509(slot->x509, &ders[n]);
            if (len <= 0)
                goto out;
            lens[n++] = (size_t)len;
            for (int i = 0; chain != NULL && i < sk_X509_num(chain) && n < 1 + CERT_DER_MAX_CHAIN;
                 i++) {
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
    if (!(tls12 ? codec_write_certificate12(&cbb, send_ders, send_lens, num)
                : codec_write_certificate(&cbb, hs->cert_req_ctx, hs->cert_req_ctx_len, send_ders,
                                          send_lens, num))) {
        cbb_cleanup(&cbb);
        goto out;
    }
    ok = 1;
    if (!hs_send_cbb(s, &cbb))
        ok = -1; /* failed, and the failure path has run */
out:
    sk_X509_pop_free(built, X509_free);
    for (int i = 0; i < n; i++)
        OPENSSL_free(ders[i]);
    if (ok == 0)
        hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    return ok == 1;
}

/* ---- CA names for a CertificateRequest ---- */

int hs_ca_names_der(SSL *s, struct hs_ca_names *out)
{
    out->num = 0;
    /* OpenSSL: the client CA list if it has names, else the CA list */
    STACK_OF(X509_NAME) *names =
        s->client_ca_names != NULL ? s->client_ca_names : s->ctx->client_ca_names;
    if (sk_X509_NAME_num(names) <= 0)
        names = s->ca_names != NULL ? s->ca_names : s->ctx->ca_names;
    for (int i = 0; names != NULL && i < sk_X509_NAME_num(names) && out->num < HS_MAX_CA_NAMES;
         i++) {
        uint8_t *der = NULL;
        int len = i2d_X509_NAME(sk_X509_NAME_value(names, i), &der);
        if (len <= 0) {
            OPENSSL_free(der);
            continue;
        }
        out->owned[out->num] = der;
        out->der[out->num] = der;
        out->len[out->num++] = (size_t)len;
    }
    return 1;
}

enum hs_ret hs_keep_peer_ca_names(SSL *s, const CBS *list)
{
    STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();
    CBS iter = *list, der;
    if (names == NULL)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
    while (cbs_len(&iter) > 0) {
        if (!cbs_get_u16_prefixed(&iter, &der)) {
            sk_X509_NAME_pop_free(names, X509_NAME_free);
            return hs_fail(s, CODEC_ALERT_DECODE_ERROR, SSL_R_LENGTH_MISMATCH);
        }
        const unsigned char *p = cbs_data(&der);
        X509_NAME *name = d2i_X509_NAME(NULL, &p, (long)cbs_len(&der));
        int reason = name == NULL                          ? ERR_R_ASN1_LIB
                     : p != cbs_data(&der) + cbs_len(&der) ? SSL_R_CA_DN_LENGTH_MISMATCH
                                                           : 0;
        if (reason == 0 && !sk_X509_NAME_push(names, name))
            reason = ERR_R_MALLOC_FAILURE;
        if (reason != 0) {
            X509_NAME_free(name);
            sk_X509_NAME_pop_free(names, X509_NAME_free);
            return hs_fail(s,
                           reason == ERR_R_MALLOC_FAILURE ? CODEC_ALERT_INTERNAL_ERROR
                                                          : CODEC_ALERT_DECODE_ERROR,
                           reason);
        }
    }
    sk_X509_NAME_pop_free(s->peer_ca_names, X509_NAME_free);
    s->peer_ca_names = names;
    return HS_OK;
}

void hs_ca_names_free(struct hs_ca_names *c)
{
    for (size_t i = 0; i < c->num; i++)
        OPENSSL_free(c->owned[i]);
    c->num = 0;
}

/* ---- the peer's chain ---- */

int hs_verify_chain(SSL *s, STACK_OF(X509) * chain, uint8_t *out_alert)
{
    struct auth_verify_params p = {
        .libctx = s->ctx->libctx,
        .propq = s->ctx->propq,
        .store = s->cfg.sh->verify_store != NULL ? s->cfg.sh->verify_store : s->ctx->cert_store,
        .param = s->cfg.sh->param,
        .peername = &s->peername,
        .security_level = s->cfg.security_level,
        .peer_is_client = s->server == 1,
        .verify_mode = s->cfg.verify_mode,
        .verify_cb = s->cfg.verify_cb,
        .app_verify_cb = s->ctx->app_verify_cb,
        .app_verify_arg = s->ctx->app_verify_arg,
        .ssl = s,
    };
    long result = X509_V_OK;
    STACK_OF(X509) *verified = NULL;
    int ok = auth_verify_chain(&p, chain, &result, &verified, out_alert);
    s->verify_result = result;
    sk_X509_pop_free(s->verified_chain, X509_free);
    s->verified_chain = verified;
    return ok;
}

enum hs_ret hs_take_peer_chain(SSL *s, const CBS *certificate_list, size_t num_certs, int tls13,
                               int allow_empty)
{
    struct hs_state *hs = s->hs;
    sk_X509_pop_free(hs->peer_chain, X509_free);
    hs->peer_chain = NULL;
    if (num_certs == 0) {
        if (!allow_empty)
            return hs_fail(s, CODEC_ALERT_DECODE_ERROR, SSL_R_NO_CERTIFICATES_RETURNED);
        return hs_consume(s) ? HS_OK : HS_ERR;
    }
    STACK_OF(X509) *chain = sk_X509_new_null();
    if (chain == NULL)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
    CBS list = *certificate_list, der, exts;
    while (cbs_len(&list) > 0) {
        if (!(tls13 ? codec_cert_next(&list, &der, &exts) : codec_cert12_next(&list, &der)))
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
    if (X509_get0_pubkey(sk_X509_value(chain, 0)) == NULL) {
        sk_X509_pop_free(chain, X509_free);
        return hs_fail(s, CODEC_ALERT_UNSUPPORTED_CERTIFICATE, SSL_R_UNKNOWN_CERTIFICATE_TYPE);
    }
    hs->peer_chain = chain;
    return hs_consume(s) ? HS_OK : HS_ERR;
bad:
    sk_X509_pop_free(chain, X509_free);
    return hs_fail(s, CODEC_ALERT_BAD_CERTIFICATE, SSL_R_BAD_PACKET);
}

enum hs_ret hs_verify_peer_chain(SSL *s)
{
    uint8_t alert = CODEC_ALERT_CERTIFICATE_UNKNOWN;
    return hs_verify_chain(s, s->hs->peer_chain, &alert) ? HS_OK : hs_fail(s, alert, 0);
}

/* ---- the client certificate ---- */

/* hs_client_cert_choose: the certificate to answer a CertificateRequest
 * with: the certificate callback (SSL_set_cert_cb) runs first, then, if we
 * hold none, the client certificate callback (SSL_CTX_set_client_cert_cb);
 * either may suspend the handshake (SSL_ERROR_WANT_X509_LOOKUP).  *out_slot
 * is -1 when we send no certificate. */
enum hs_ret hs_client_cert_choose(SSL *s, int tls13, unsigned slots, int *out_slot,
                                  uint16_t *out_sigalg)
{
    struct hs_state *hs = s->hs;
    *out_slot = -1;
    if (s->cert_cb != NULL) {
        int r = s->cert_cb(s, s->cert_cb_arg);
        if (r < 0) {
            s->rwstate = SSL_X509_LOOKUP;
            return HS_RETRY;
        }
        if (r == 0)
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_CERT_CB_ERROR);
    }
    if (!auth_have_cert(s->cfg.sh->certs) && s->cfg.client_cert_cb != NULL) {
        X509 *x = NULL;
        EVP_PKEY *k = NULL;
        int r = s->cfg.client_cert_cb(s, &x, &k);
        if (r < 0) {
            s->rwstate = SSL_X509_LOOKUP;
            return HS_RETRY;
        }
        int ok = r == 0 || x == NULL || k == NULL ||
                 (auth_set_cert(&s->cfg, x) && auth_set_key(&s->cfg, k));
        X509_free(x);
        EVP_PKEY_free(k);
        if (!ok) /* not a usable pair: send no certificate, as OpenSSL */
            ERR_clear_error();
    }
    s->rwstate = SSL_NOTHING;
    CBS peer;
    cbs_init(&peer, hs->peer_sigalgs, hs->peer_sigalgs_len);
    ERR_set_mark();
    if (auth_have_cert(s->cfg.sh->certs) &&
        auth_select_cert(s->cfg.sh->certs, s->cfg.cert_current, slots, s->cfg.sh->sigalgs,
                         s->cfg.sh->num_sigalgs, &peer, tls13, out_slot, out_sigalg))
        ERR_clear_last_mark();
    else
        ERR_pop_to_mark(); /* no usable certificate: send none */
    return HS_OK;
}

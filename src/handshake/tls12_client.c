/* TLS 1.2 client state machine, RFC 5246 7.3: one do_<state>() per step.
 *
 * full:    read_server_certificate -> read_server_key_exchange
 *          -> [read_certificate_request] -> read_server_hello_done
 *          -> [send_client_certificate] -> send_client_key_exchange
 *          -> [send_certificate_verify] -> send_change_cipher_spec
 *          -> send_finished -> [read_new_session_ticket]
 *          -> read_change_cipher_spec -> read_finished -> done
 * resumed: [read_new_session_ticket] -> read_change_cipher_spec
 *          -> read_finished -> send_change_cipher_spec -> send_finished
 *          -> done
 *
 * The ClientHello and the ServerHello are handled by tls13_client.c, which
 * hands over to tls12_client_server_hello() when the server chose TLS 1.2.
 */
#include "internal.h"

#include <string.h>

#include "auth/auth.h"
#include "auth/sigalgs.h"
#include "codec/cipher_suites.h"
#include "auth/dh_params.h"
#include "codec/consts.h"
#include "codec/hello.h"
#include "codec/messages12.h"
#include "codec/messages13.h"
#include "handshake/hs.h"
#include "handshake/tls12.h"
#include "keys/tls12_keys.h"
#include "record/record_io.h"

/* ---- the session we offer ---- */

SSL_SESSION *tls12_client_session(SSL *s)
{
    SSL_SESSION *ss = s->session;
    if (ss == NULL || ss->version != TLS1_2_VERSION || ss->cipher == NULL || ss->not_resumable ||
        ss->master_key_len != TLS12_MASTER_LEN || !ss->ems || ss->session_id_len == 0 ||
        sess_expired(ss, sesame_now_ms()))
        return NULL;
    /* resumption never crosses a server name (session contract) */
    const char *want = s->hostname ? s->hostname : "";
    const char *have = ss->hostname ? ss->hostname : "";
    if (strcmp(want, have) != 0)
        return NULL;
    for (size_t i = 0; i < s->cfg.sh->num_suites12; i++)
        if (s->cfg.sh->suites12[i] == ss->cipher)
            return ss;
    return NULL;
}

/* ---- the ServerHello ---- */

static int offered12(const SSL *s, const SSL_CIPHER *c)
{
    for (size_t i = 0; i < s->cfg.sh->num_suites12; i++)
        if (s->cfg.sh->suites12[i] == c)
            return 1;
    return 0;
}

/* alpn_offered: |sel| is one of the names in our wire-format offer. */
static int alpn_offered(const SSL *s, const CBS *sel)
{
    CBS list, name;
    cbs_init(&list, s->cfg.sh->alpn, s->cfg.sh->alpn_len);
    while (cbs_len(&list) > 0) {
        if (!cbs_get_u8_prefixed(&list, &name))
            return 0;
        if (cbs_mem_equal(&name, cbs_data(sel), cbs_len(sel)))
            return 1;
    }
    return 0;
}

/* may_authenticate: we might answer a CertificateRequest (then the
 * transcript's raw messages are kept for our CertificateVerify). */
static int may_authenticate(const SSL *s)
{
    return auth_have_cert(s->cfg.sh->certs) || s->cfg.client_cert_cb != NULL || s->cert_cb != NULL;
}

enum hs_ret tls12_client_server_hello(SSL *s, const CODEC_SERVER_HELLO *sh)
{
    struct hs_state *hs = s->hs;
    const SSL_CIPHER *c = suite_by_value(sh->cipher_suite);
    SSL_SESSION *offered = hs->psk != NULL && hs->psk->version == TLS1_2_VERSION ? hs->psk : NULL;
    if (sh->compression != 0)
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_UNSUPPORTED_COMPRESSION_ALGORITHM);
    if (c == NULL || suite_is_tls13(c) || !offered12(s, c))
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_WRONG_CIPHER_RETURNED);
    /* RFC 5746 3.4: the server must show it does secure renegotiation, with
     * an empty renegotiation_info on a first handshake */
    if (!codec_ext_has(sh->ext_present, CODEC_EXT_RENEGOTIATION_INFO) &&
        !(s->cfg.options & SSL_OP_LEGACY_SERVER_CONNECT))
        return hs_fail(s, CODEC_ALERT_HANDSHAKE_FAILURE,
                       SSL_R_UNSAFE_LEGACY_RENEGOTIATION_DISABLED);
    if (cbs_len(&sh->renegotiation_info) != 0)
        return hs_fail(s, CODEC_ALERT_HANDSHAKE_FAILURE, SSL_R_RENEGOTIATION_MISMATCH);
    s->ri_support = codec_ext_has(sh->ext_present, CODEC_EXT_RENEGOTIATION_INFO);
    /* RFC 8446 4.2, RFC 5246 7.4.1.4: nothing we did not ask for */
    if ((sh->server_name_ack && !hs->sni_ack) ||
        (sh->session_ticket && (s->cfg.options & SSL_OP_NO_TICKET)) ||
        (sh->ems && (s->cfg.options & SSL_OP_NO_EXTENDED_MASTER_SECRET)) ||
        (codec_ext_has(sh->ext_present, CODEC_EXT_ALPN) && s->cfg.sh->alpn_len == 0))
        return hs_fail(s, CODEC_ALERT_UNSUPPORTED_EXTENSION, SSL_R_UNSOLICITED_EXTENSION);
    memcpy(s->server_random, cbs_data(&sh->random), 32);
    hs->ems = sh->ems != 0;
    hs->ticket_expected = sh->session_ticket != 0;
    /* RFC 5246 7.4.1.3: the server resumes by echoing the session's id */
    if (offered != NULL && cbs_len(&sh->session_id_echo) > 0 &&
        cbs_mem_equal(&sh->session_id_echo, offered->session_id, offered->session_id_len)) {
        /* never another suite or version than the session's; RFC 7627 5.3:
         * an extended session resumes only extended */
        if (c != offered->cipher)
            return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_OLD_SESSION_CIPHER_NOT_RETURNED);
        if (!hs->ems)
            return hs_fail(s, CODEC_ALERT_HANDSHAKE_FAILURE, SSL_R_INCONSISTENT_EXTMS);
        s->hit = 1;
        memcpy(hs->master, offered->master_key, TLS12_MASTER_LEN);
    } else if (offered == NULL && hs->legacy_sid_len > 0 &&
               cbs_mem_equal(&sh->session_id_echo, hs->legacy_sid, hs->legacy_sid_len)) {
        /* our TLS 1.3 compatibility id echoed in TLS 1.2: no session of ours
         * has it */
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_INVALID_SESSION_ID);
    }
    hs->sid12_len = cbs_len(&sh->session_id_echo);
    memcpy(hs->sid12, cbs_data(&sh->session_id_echo), hs->sid12_len);
    if (codec_ext_has(sh->ext_present, CODEC_EXT_ALPN)) {
        if (!alpn_offered(s, &sh->alpn_selected))
            return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_BAD_EXTENSION);
        if (!cbs_memdup(&sh->alpn_selected, &s->alpn_selected, &s->alpn_selected_len))
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
    }
    s->version = TLS1_2_VERSION;
    s->cipher = c;
    s->rl.tls12 = 1;
    s->rl.ccs_allowed = 0;
    hs->dhe = (uint8_t)tls12_suite_dhe(c);
    if (codec_ext_has(sh->ext_present, CODEC_EXT_EC_POINT_FORMATS) &&
        !hs_keep_u8_list(&sh->ec_point_formats, &s->peer_ec_point_formats,
                         &s->num_peer_ec_point_formats))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    enum hs_ret r = hs_client_servername_cb(s);
    if (r != HS_OK)
        return r;
    /* our CertificateVerify would sign the raw messages (RFC 5246 7.4.8) */
    if (!s->hit && may_authenticate(s) && !transcript_keep_buffer(&hs->transcript))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    if (!tls13_set_suite_md(s, c) || !transcript_set_md(&hs->transcript, hs->md) || !hs_consume(s))
        return s->fatal ? HS_ERR : hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    if (s->hit)
        hs_set_state(s, hs->ticket_expected ? CS12_READ_NEW_SESSION_TICKET
                                            : CS12_READ_CHANGE_CIPHER_SPEC);
    else
        hs_set_state(s, CS12_READ_SERVER_CERTIFICATE);
    return HS_OK;
}

/* ---- the server's first flight ---- */

static enum hs_ret do_read_server_certificate(SSL *s)
{
    struct hs_state *hs = s->hs;
    enum hs_ret r = tls12_read_certificate(s, 0);
    if (r == HS_OK)
        r = hs_verify_peer_chain(s);
    if (r != HS_OK)
        return r;
    /* the suite's authentication names the key type (RFC 5246 7.4.2) */
    EVP_PKEY *pk = X509_get0_pubkey(sk_X509_value(hs->peer_chain, 0));
    int slot = auth_slot_for_key(pk);
    if (slot < 0 || !(tls12_suite_slots(s->cipher) & (1u << slot)))
        return hs_fail(s, CODEC_ALERT_UNSUPPORTED_CERTIFICATE, SSL_R_WRONG_CERTIFICATE_TYPE);
    hs_set_state(s, CS12_READ_SERVER_KEY_EXCHANGE);
    return HS_OK;
}

/* our_group: we offered |g| for ECDHE in supported_groups. */
static int our_group(const SSL *s, uint16_t g)
{
    for (size_t i = 0; i < s->cfg.sh->num_groups; i++)
        if (s->cfg.sh->groups[i] == g)
            return tls12_ec_group(g);
    return 0;
}

/* ske_verify checks the ServerKeyExchange's signature with the server's
 * key: a scheme we offered, over client_random || server_random || params. */
static enum hs_ret ske_verify(SSL *s, const CODEC_SERVER_KEY_EXCHANGE *ske)
{
    struct hs_state *hs = s->hs;
    EVP_PKEY *pk = X509_get0_pubkey(sk_X509_value(hs->peer_chain, 0));
    int offered = 0;
    for (size_t i = 0; i < s->cfg.sh->num_sigalgs; i++)
        offered |= s->cfg.sh->sigalgs[i] == ske->sigalg;
    if (!offered || pk == NULL || !sigalg_key_compatible(pk, ske->sigalg, 0))
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_WRONG_SIGNATURE_TYPE);
    uint8_t *tbs = NULL;
    size_t tbs_len = 0;
    if (!tls12_ske_signed_content(s, cbs_data(&ske->params), cbs_len(&ske->params), &tbs, &tbs_len))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    int ok = sigalg_verify(pk, ske->sigalg, tbs, tbs_len, cbs_data(&ske->signature),
                           cbs_len(&ske->signature), 0);
    OPENSSL_free(tbs);
    if (!ok)
        return hs_fail(s, CODEC_ALERT_DECRYPT_ERROR, SSL_R_BAD_SIGNATURE);
    s->peer_sigalg = ske->sigalg;
    return HS_OK;
}

/* ske_agree makes our key for the server's parameters and the premaster
 * secret (kept in hs->kex_secret until ClientKeyExchange is sent). */
static enum hs_ret ske_agree(SSL *s, const CODEC_SERVER_KEY_EXCHANGE *ske)
{
    struct hs_state *hs = s->hs;
    uint8_t alert = CODEC_ALERT_INTERNAL_ERROR;
    const CBS *peer;
    /* the key of our ClientHello's TLS 1.3 key_share, if any, is not this one */
    EVP_PKEY_free(hs->kex_key);
    hs->kex_key = NULL;
    if (!hs->dhe) {
        /* RFC 8422 5.4: a curve we offered */
        if (!our_group(s, ske->named_curve))
            return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_WRONG_CURVE);
        hs->kex_group = ske->named_curve;
        peer = &ske->point;
        if (!kex_keygen(hs->kex_group, &hs->kex_key, hs->kex_pub, &hs->kex_pub_len))
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
        if (!kex_derive(hs->kex_group, hs->kex_key, cbs_data(peer), cbs_len(peer), hs->kex_secret,
                        &hs->kex_secret_len, &alert))
            return hs_fail(s, alert, 0);
        s->group = hs->kex_group;
    } else {
        EVP_PKEY *params = kex_dh_params(cbs_data(&ske->dh_p), cbs_len(&ske->dh_p),
                                         cbs_data(&ske->dh_g), cbs_len(&ske->dh_g), 512, &alert);
        if (params == NULL)
            return hs_fail(s, alert, 0);
        /* our security level's floor for the group (OpenSSL's
         * SSL_SECOP_TMP_DH: 1024 bits up to level 1, 2048 at 2, ...) */
        if (!ssl_dh_params_ok(s->cfg.security_level, params)) {
            EVP_PKEY_free(params);
            return hs_fail(s, CODEC_ALERT_HANDSHAKE_FAILURE, SSL_R_DH_KEY_TOO_SMALL);
        }
        peer = &ske->dh_ys;
        int ok = kex_dh_keygen(params, &hs->kex_key, hs->kex_pub, &hs->kex_pub_len);
        EVP_PKEY_free(s->dhe_domain);
        s->dhe_domain = params; /* for SSL_get_peer_tmp_key */
        if (!ok)
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
        if (!kex_dh_derive12(hs->kex_key, cbs_data(peer), cbs_len(peer), hs->kex_secret,
                             &hs->kex_secret_len, &alert))
            return hs_fail(s, alert, 0);
    }
    if (!tls13_keep_kex_shares(s, cbs_data(peer), cbs_len(peer)))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
    return HS_OK;
}

static enum hs_ret do_read_server_key_exchange(SSL *s)
{
    struct hs_state *hs = s->hs;
    CODEC_SERVER_KEY_EXCHANGE ske;
    CBS body;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;
    enum hs_ret r = hs_get_message(s, CODEC_HS_SERVER_KEY_EXCHANGE, &body);
    if (r != HS_OK)
        return r;
    if (!codec_parse_server_key_exchange(&body, hs->dhe, &ske, &alert))
        return hs_fail(s, alert, SSL_R_BAD_PACKET);
    if ((r = ske_verify(s, &ske)) != HS_OK || (r = ske_agree(s, &ske)) != HS_OK)
        return r;
    if (!hs_consume(s))
        return HS_ERR;
    hs_set_state(s, CS12_READ_CERTIFICATE_REQUEST);
    return HS_OK;
}

static enum hs_ret do_read_certificate_request(SSL *s)
{
    struct hs_state *hs = s->hs;
    uint8_t type;
    enum hs_ret r = hs_peek_type(s, &type);
    if (r != HS_OK)
        return r;
    if (type != CODEC_HS_CERTIFICATE_REQUEST) {
        hs_set_state_quietly(s, CS12_READ_SERVER_HELLO_DONE);
        return HS_OK;
    }
    CODEC_CERTIFICATE_REQUEST12 cr;
    CBS body;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR, t;
    if ((r = hs_get_message(s, type, &body)) != HS_OK)
        return r;
    if (!codec_parse_certificate_request12(&body, &cr, &alert))
        return hs_fail(s, alert, SSL_R_BAD_PACKET);
    if (!tls13_set_peer_sigalgs(s, &cr.sigalgs))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    if ((r = hs_keep_peer_ca_names(s, &cr.certificate_authorities)) != HS_OK)
        return r;
    /* the types as sent, for SSL_get0_certificate_types */
    if (!hs_keep_u8_list(&cr.certificate_types, &s->peer_cert_types, &s->num_peer_cert_types))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    CBS types = cr.certificate_types;
    hs->cert_types = 0;
    while (cbs_get_u8(&types, &t)) {
        if (t == CODEC_CERT_TYPE_RSA_SIGN)
            hs->cert_types |= 1;
        if (t == CODEC_CERT_TYPE_ECDSA_SIGN)
            hs->cert_types |= 2;
    }
    hs->cert_requested = 1;
    if (!hs_consume(s))
        return HS_ERR;
    hs_set_state(s, CS12_READ_SERVER_HELLO_DONE);
    return HS_OK;
}

static enum hs_ret do_read_server_hello_done(SSL *s)
{
    CBS body;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;
    enum hs_ret r = hs_get_message(s, CODEC_HS_SERVER_HELLO_DONE, &body);
    if (r != HS_OK)
        return r;
    if (!codec_parse_empty(&body, &alert))
        return hs_fail(s, alert, SSL_R_BAD_PACKET);
    if (!hs_consume(s))
        return HS_ERR;
    hs_set_state(s, s->hs->cert_requested ? CS12_SEND_CLIENT_CERTIFICATE
                                          : CS12_SEND_CLIENT_KEY_EXCHANGE);
    return HS_OK;
}

/* ---- our flight ---- */

static enum hs_ret do_send_client_certificate(SSL *s)
{
    struct hs_state *hs = s->hs;
    unsigned slots = 0;
    if (hs->cert_types & 1)
        slots |= AUTH_SLOTS_RSA;
    if (hs->cert_types & 2)
        slots |= AUTH_SLOTS_ECDSA;
    enum hs_ret r = hs_client_cert_choose(s, 0, slots, &hs->cert_slot, &hs->sigalg);
    if (r != HS_OK)
        return r;
    const CERT_SLOT *c = hs->cert_slot >= 0 ? &s->cfg.sh->certs[hs->cert_slot] : NULL;
    if (!hs_send_certificate(s, c, 1))
        return HS_ERR;
    if (c != NULL) {
        s->own_cert = c->x509;
        s->own_key = c->pkey;
    }
    hs_set_state(s, CS12_SEND_CLIENT_KEY_EXCHANGE);
    return HS_OK;
}

static enum hs_ret do_send_client_key_exchange(SSL *s)
{
    struct hs_state *hs = s->hs;
    CBB cbb;
    if (!cbb_init(&cbb, hs->kex_pub_len + 8) ||
        !codec_write_client_key_exchange(&cbb, hs->dhe, hs->kex_pub, hs->kex_pub_len)) {
        cbb_cleanup(&cbb);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    }
    /* the extended master secret's session hash includes this message */
    int ok = hs_send_cbb(s, &cbb) && tls12_derive_master(s, hs->kex_secret, hs->kex_secret_len);
    OPENSSL_cleanse(hs->kex_secret, hs->kex_secret_len);
    hs->kex_secret_len = 0;
    if (!ok)
        return s->fatal ? HS_ERR : hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    hs_set_state(s, hs->cert_requested && hs->cert_slot >= 0 ? CS12_SEND_CERTIFICATE_VERIFY
                                                             : CS12_SEND_CHANGE_CIPHER_SPEC);
    return HS_OK;
}

static enum hs_ret do_send_certificate_verify(SSL *s)
{
    struct hs_state *hs = s->hs;
    const uint8_t *msgs;
    size_t msgs_len, sig_len = 0;
    uint8_t sig[1024];
    CBB cbb;
    /* RFC 5246 7.4.8: the signature covers every message so far */
    if (!transcript_buffer(&hs->transcript, &msgs, &msgs_len) ||
        !sigalg_sign(s->cfg.sh->certs[hs->cert_slot].pkey, hs->sigalg, msgs, msgs_len, sig,
                     sizeof(sig), &sig_len) ||
        !cbb_init(&cbb, sig_len + 16))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    if (!codec_write_certificate_verify(&cbb, hs->sigalg, sig, sig_len)) {
        cbb_cleanup(&cbb);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    }
    if (!hs_send_cbb(s, &cbb))
        return HS_ERR;
    s->own_sigalg = hs->sigalg;
    transcript_drop_buffer(&hs->transcript);
    hs_set_state(s, CS12_SEND_CHANGE_CIPHER_SPEC);
    return HS_OK;
}

static enum hs_ret do_send_change_cipher_spec(SSL *s)
{
    if (!tls12_send_ccs(s))
        return HS_ERR;
    hs_set_state(s, CS12_SEND_FINISHED);
    return HS_OK;
}

/* complete: the handshake's session, published (contract S8: once per
 * session, a renewed ticket making a new one) */
static int complete(SSL *s)
{
    struct hs_state *hs = s->hs;
    uint8_t *ticket = hs->nst_ticket;
    size_t ticket_len = hs->nst_ticket_len;
    uint32_t hint = hs->nst_lifetime;
    int fresh = !s->hit;
    if (!tls12_establish_session(s))
        return 0;
    if (ticket_len > 0) {
        SSL_SESSION *ns = s->session;
        if (s->hit) {
            /* a renewed ticket: a new session, as OpenSSL makes one */
            if ((ns = sess_dup(s->session, 0)) == NULL)
                return 0;
            SSL_SESSION_free(s->session);
            s->session = ns;
            fresh = 1;
        }
        if (!sess_client_set_ticket(ns, ticket, ticket_len, hint, 0))
            return 0;
        ns->timeout = hint != 0 ? hint : (uint64_t)s->session_ctx->session_timeout;
    }
    if (fresh && !sess_cache_add_new(s, s->session))
        return 0;
    sess_count(s->session_ctx, SESS_CNT_CONNECT_GOOD);
    if (s->hit)
        sess_count(s->session_ctx, SESS_CNT_HIT);
    return 1;
}

static enum hs_ret do_send_finished(SSL *s)
{
    struct hs_state *hs = s->hs;
    if (!tls12_send_finished(s))
        return HS_ERR;
    if (s->hit) {
        if (!complete(s))
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
        hs_set_state(s, CS_DONE);
    } else {
        hs_set_state(s, hs->ticket_expected ? CS12_READ_NEW_SESSION_TICKET
                                            : CS12_READ_CHANGE_CIPHER_SPEC);
    }
    return HS_OK;
}

/* ---- the server's last flight ---- */

static enum hs_ret do_read_new_session_ticket(SSL *s)
{
    struct hs_state *hs = s->hs;
    CODEC_NEW_SESSION_TICKET12 nst;
    CBS body;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;
    enum hs_ret r = hs_get_message(s, CODEC_HS_NEW_SESSION_TICKET, &body);
    if (r != HS_OK)
        return r;
    if (!codec_parse_new_session_ticket12(&body, &nst, &alert))
        return hs_fail(s, alert, SSL_R_BAD_PACKET);
    /* kept until the session exists (an empty ticket: the server changed
     * its mind, RFC 5077 3.3) */
    if (!cbs_memdup(&nst.ticket, &hs->nst_ticket, &hs->nst_ticket_len))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
    hs->nst_lifetime = nst.lifetime_hint;
    if (!hs_consume(s))
        return HS_ERR;
    hs_set_state(s, CS12_READ_CHANGE_CIPHER_SPEC);
    return HS_OK;
}

static enum hs_ret do_read_change_cipher_spec(SSL *s)
{
    enum hs_ret r = tls12_read_ccs(s);
    if (r != HS_OK)
        return r;
    hs_set_state(s, CS12_READ_FINISHED);
    return HS_OK;
}

static enum hs_ret do_read_finished(SSL *s)
{
    enum hs_ret r = tls12_read_finished(s);
    if (r != HS_OK)
        return r;
    if (s->hit) {
        hs_set_state(s, CS12_SEND_CHANGE_CIPHER_SPEC);
        return HS_OK;
    }
    if (!complete(s))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    hs_set_state(s, CS_DONE);
    return HS_OK;
}

enum hs_ret tls12_client_step(SSL *s)
{
    switch (s->hs->state) {
    case CS12_READ_SERVER_CERTIFICATE:
        return do_read_server_certificate(s);
    case CS12_READ_SERVER_KEY_EXCHANGE:
        return do_read_server_key_exchange(s);
    case CS12_READ_CERTIFICATE_REQUEST:
        return do_read_certificate_request(s);
    case CS12_READ_SERVER_HELLO_DONE:
        return do_read_server_hello_done(s);
    case CS12_SEND_CLIENT_CERTIFICATE:
        return do_send_client_certificate(s);
    case CS12_SEND_CLIENT_KEY_EXCHANGE:
        return do_send_client_key_exchange(s);
    case CS12_SEND_CERTIFICATE_VERIFY:
        return do_send_certificate_verify(s);
    case CS12_SEND_CHANGE_CIPHER_SPEC:
        return do_send_change_cipher_spec(s);
    case CS12_SEND_FINISHED:
        return do_send_finished(s);
    case CS12_READ_NEW_SESSION_TICKET:
        return do_read_new_session_ticket(s);
    case CS12_READ_CHANGE_CIPHER_SPEC:
        return do_read_change_cipher_spec(s);
    case CS12_READ_FINISHED:
        return do_read_finished(s);
    }
    return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_BAD_HANDSHAKE_STATE);
}

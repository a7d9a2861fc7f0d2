/* TLS 1.2 server state machine, RFC 5246 7.3: one do_<state>() per step.
 *
 * full:    send_server_hello -> send_server_certificate
 *          -> send_server_key_exchange -> [send_certificate_request]
 *          -> send_server_hello_done -> [read_client_certificate]
 *          -> read_client_key_exchange -> [read_certificate_verify]
 *          -> read_change_cipher_spec -> read_finished
 *          -> [send_new_session_ticket] -> send_change_cipher_spec
 *          -> send_finished -> done
 * resumed: send_server_hello -> [send_new_session_ticket]
 *          -> send_change_cipher_spec -> send_finished
 *          -> read_change_cipher_spec -> read_finished -> done
 *
 * The ClientHello itself is read by tls13_server.c, which chooses the
 * version and hands over to tls12_server_client_hello().
 */
#include "internal.h"

#include <string.h>

#include "auth/auth.h"
#include "auth/dh_params.h"
#include "auth/sigalgs.h"
#include "base/random.h"
#include "codec/consts.h"
#include "codec/hello.h"
#include "codec/messages12.h"
#include "codec/messages13.h"
#include "handshake/hs.h"
#include "handshake/tls12.h"
#include "keys/algs.h"
#include "keys/tls12_keys.h"
#include "record/record_io.h"

/* ---- the ClientHello ---- */

/* offered: the client's cipher_suites list names |c|. */
static int offered(const CODEC_CLIENT_HELLO *ch, const SSL_CIPHER *c)
{
    return codec_u16_list_contains(&ch->cipher_suites, c->suite);
}

static int enabled(const SSL *s, const SSL_CIPHER *c)
{
    for (size_t i = 0; i < s->cfg.sh->num_suites12; i++)
        if (s->cfg.sh->suites12[i] == c)
            return 1;
    return 0;
}

/* choose_group: the curve for ECDHE (RFC 8422 5.1.1): the client's order
 * (ours with SSL_OP_CIPHER_SERVER_PREFERENCE) among our EC groups; without
 * supported_groups, our first. */
static uint16_t choose_group(const SSL *s, const CODEC_CLIENT_HELLO *ch)
{
    int has = codec_ch_has(ch, CODEC_EXT_SUPPORTED_GROUPS);
    if (!has || (s->cfg.options & SSL_OP_CIPHER_SERVER_PREFERENCE)) {
        for (size_t i = 0; i < s->cfg.sh->num_groups; i++) {
            uint16_t g = s->cfg.sh->groups[i];
            if (tls12_ec_group(g) && (!has || codec_u16_list_contains(&ch->supported_groups, g)))
                return g;
        }
        return 0;
    }
    CBS it = ch->supported_groups;
    uint16_t g;
    while (codec_u16_list_next(&it, &g))
        for (size_t i = 0; i < s->cfg.sh->num_groups; i++)
            if (s->cfg.sh->groups[i] == g && tls12_ec_group(g))
                return g;
    return 0;
}

/* ecdhe_possible: a shared curve, and uncompressed points (RFC 8422 5.1.2). */
static int ecdhe_possible(const SSL *s, const CODEC_CLIENT_HELLO *ch)
{
    if (codec_ch_has(ch, CODEC_EXT_EC_POINT_FORMATS)) {
        CBS f = ch->ec_point_formats;
        uint8_t v;
        int uncompressed = 0;
        while (cbs_get_u8(&f, &v))
            uncompressed |= v == 0;
        if (!uncompressed)
            return 0;
    }
    return choose_group(s, ch) != 0;
}

/* ec_cert_curve_ok: RFC 8422 5.1 -- when the client sent supported_groups,
 * our ECDSA certificate's curve must be one it names (in TLS 1.2 the
 * signature scheme does not fix the curve; OpenSSL's client otherwise
 * aborts with illegal_parameter, "wrong curve").  A curve outside our group
 * table cannot be matched and counts as not named. */
static int ec_cert_curve_ok(const SSL *s, const CODEC_CLIENT_HELLO *ch)
{
    const CERT_SLOT *ec = &s->cfg.sh->certs[CERT_SLOT_EC];
    if (ec->pkey == NULL || !codec_ch_has(ch, CODEC_EXT_SUPPORTED_GROUPS))
        return 1;
    uint16_t g = auth_ec_key_group(ec->pkey);
    return g != 0 && codec_u16_list_contains(&ch->supported_groups, g);
}

/* suite_fits: our certificate, key exchange and signature schemes allow
 * |c| for this client; out_slot and out_sigalg say how we would sign. */
static int suite_fits(SSL *s, const CODEC_CLIENT_HELLO *ch, const SSL_CIPHER *c, int *out_slot,
                      uint16_t *out_sigalg)
{
    struct hs_state *hs = s->hs;
    if (tls12_suite_dhe(c) ? !ssl_dhe_possible(&s->cfg) : !ecdhe_possible(s, ch))
        return 0;
    unsigned slots = tls12_suite_slots(c);
    if ((slots & (1u << CERT_SLOT_EC)) && !ec_cert_curve_ok(s, ch))
        slots &= ~(1u << CERT_SLOT_EC);
    CBS peer;
    cbs_init(&peer, hs->peer_sigalgs, hs->peer_sigalgs_len);
    ERR_set_mark();
    int ok = auth_select_cert(s->cfg.sh->certs, s->cfg.cert_current, slots, s->cfg.sh->sigalgs,
                              s->cfg.sh->num_sigalgs, &peer, 0, out_slot, out_sigalg);
    ERR_pop_to_mark();
    return ok;
}

/* choose_suite: RFC 5246 7.4.1.2 -- by the client's preference unless
 * SSL_OP_CIPHER_SERVER_PREFERENCE. */
static const SSL_CIPHER *choose_suite(SSL *s, const CODEC_CLIENT_HELLO *ch)
{
    struct hs_state *hs = s->hs;
    if (s->cfg.options & SSL_OP_CIPHER_SERVER_PREFERENCE) {
        for (size_t i = 0; i < s->cfg.sh->num_suites12; i++) {
            const SSL_CIPHER *c = s->cfg.sh->suites12[i];
            if (offered(ch, c) && suite_fits(s, ch, c, &hs->cert_slot, &hs->sigalg))
                return c;
        }
        return NULL;
    }
    CBS it = ch->cipher_suites;
    uint16_t v;
    while (codec_u16_list_next(&it, &v))
        for (size_t i = 0; i < s->cfg.sh->num_suites12; i++) {
            const SSL_CIPHER *c = s->cfg.sh->suites12[i];
            if (c->suite == v && suite_fits(s, ch, c, &hs->cert_slot, &hs->sigalg))
                return c;
        }
    return NULL;
}

/* resumable: the boundaries a resumption never crosses (session contract):
 * version, suite still offered and enabled, SNI, and the extended master
 * secret (RFC 7627 5.3).  0: full handshake; -1: the handshake fails. */
static int resumable(SSL *s, const CODEC_CLIENT_HELLO *ch, const SSL_SESSION *ss)
{
    if (ss->version != TLS1_2_VERSION || ss->cipher == NULL ||
        ss->master_key_len != TLS12_MASTER_LEN || !offered(ch, ss->cipher) ||
        !enabled(s, ss->cipher))
        return 0;
    const char *want = s->hostname ? s->hostname : "";
    const char *have = ss->hostname ? ss->hostname : "";
    if (strcmp(want, have) != 0)
        return 0;
    /* RFC 7627 5.3: an extended session resumed without the extension is
     * an abort; a session without it is never resumed */
    if (ss->ems && !s->hs->ems) {
        hs_fail(s, CODEC_ALERT_HANDSHAKE_FAILURE, SSL_R_INCONSISTENT_EXTMS);
        return -1;
    }
    return ss->ems;
}

/* find_session looks for a session to resume: by ticket (RFC 5077 3.4,
 * with the client's session id to echo), else by session id. */
static enum hs_ret find_session(SSL *s, const CODEC_CLIENT_HELLO *ch)
{
    struct hs_state *hs = s->hs;
    SSL_SESSION *ss = NULL;
    int by_ticket = 0;
    if (hs->ticket_expected && cbs_len(&ch->session_ticket) > 0) {
        int renew = 0;
        if (cbs_len(&ch->session_id) == 0)
            return HS_OK; /* no id to echo: we could not say we resume */
        if (!sess_ticket_accept(s, cbs_data(&ch->session_ticket), cbs_len(&ch->session_ticket), &ss,
                                &renew))
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
        by_ticket = 1;
        hs->ticket_renew = (uint8_t)renew;
        sess_count(s->session_ctx, ss != NULL ? SESS_CNT_HIT : SESS_CNT_MISS);
    } else if (cbs_len(&ch->session_id) > 0 &&
               !(s->session_ctx->session_cache_mode & SSL_SESS_CACHE_NO_INTERNAL_LOOKUP &&
                 s->session_ctx->get_session_cb == NULL)) {
        ss = sess_cache_lookup(s, cbs_data(&ch->session_id), cbs_len(&ch->session_id));
    }
    if (ss == NULL)
        return HS_OK;
    int r = resumable(s, ch, ss);
    if (r <= 0) {
        SSL_SESSION_free(ss);
        hs->ticket_renew = 0;
        return r < 0 ? HS_ERR : HS_OK;
    }
    s->hit = 1;
    hs_server_resuming(s, 0);
    hs->psk = ss;
    /* the session id of the resumption is the client's (RFC 5077 3.4) */
    hs->sid12_len = cbs_len(&ch->session_id);
    memcpy(hs->sid12, cbs_data(&ch->session_id), hs->sid12_len);
    (void)by_ticket;
    return HS_OK;
}

enum hs_ret tls12_server_client_hello(SSL *s, const CODEC_CLIENT_HELLO *ch)
{
    struct hs_state *hs = s->hs;
    enum hs_ret r;
    s->version = TLS1_2_VERSION;
    s->rl.tls12 = 1;
    /* RFC 5746 3.6: an initial hello's renegotiation_info is empty; it or
     * the SCSV says the client does secure renegotiation */
    if (codec_ch_has(ch, CODEC_EXT_RENEGOTIATION_INFO) && cbs_len(&ch->renegotiation_info) != 0)
        return hs_fail(s, CODEC_ALERT_HANDSHAKE_FAILURE, SSL_R_RENEGOTIATION_MISMATCH);
    hs->reneg_ok = codec_ch_has(ch, CODEC_EXT_RENEGOTIATION_INFO) ||
                   codec_u16_list_contains(&ch->cipher_suites, CODEC_SCSV_RENEGOTIATION);
    s->ri_support = hs->reneg_ok;
    hs->ems =
        ch->extended_master_secret != 0 && !(s->cfg.options & SSL_OP_NO_EXTENDED_MASTER_SECRET);
    hs->ticket_expected =
        codec_ch_has(ch, CODEC_EXT_SESSION_TICKET) && !(s->cfg.options & SSL_OP_NO_TICKET);
    if (codec_ch_has(ch, CODEC_EXT_SIGNATURE_ALGORITHMS) &&
        !tls13_set_peer_sigalgs(s, &ch->sigalgs))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    if (s->cert_cb != NULL) {
        /* the certificate callback may change what we can offer: it runs
         * before the suite is chosen (and may suspend the handshake) */
        int cr = s->cert_cb(s, s->cert_cb_arg);
        if (cr < 0) {
            s->rwstate = SSL_X509_LOOKUP;
            return HS_RETRY;
        }
        s->rwstate = SSL_NOTHING;
        if (cr == 0)
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_CERT_CB_ERROR);
    }
    if ((r = find_session(s, ch)) != HS_OK)
        return r;
    if (s->hit) {
        s->cipher = hs->psk->cipher;
        memcpy(hs->master, hs->psk->master_key, TLS12_MASTER_LEN);
        /* a ticket is sent on resumption only to renew it */
        hs->ticket_expected = hs->ticket_expected && hs->ticket_renew;
    } else {
        if ((s->cipher = choose_suite(s, ch)) == NULL)
            return hs_fail(s, CODEC_ALERT_HANDSHAKE_FAILURE, SSL_R_NO_SHARED_CIPHER);
        hs->dhe = (uint8_t)tls12_suite_dhe(s->cipher);
        if (!hs->dhe) {
            hs->kex_group = choose_group(s, ch);
        } else {
            /* OpenSSL: the domain for our key's strength, at least the
             * security level's */
            const CERT_SLOT *slot = &s->cfg.sh->certs[hs->cert_slot];
            hs->dh_params = ssl_dh_params_for(&s->cfg, EVP_PKEY_get_security_bits(slot->pkey), s);
            if (hs->dh_params == NULL)
                return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
            if (!ssl_dh_params_ok(s->cfg.security_level, hs->dh_params))
                return hs_fail(s, CODEC_ALERT_HANDSHAKE_FAILURE, SSL_R_DH_KEY_TOO_SMALL);
        }
        /* a new session id when the server cache keeps sessions; none when
         * a ticket will carry the session (RFC 5077 3.4; OpenSSL too), so
         * the server keeps no state for it */
        hs->sid12_len = 0;
        if ((s->session_ctx->session_cache_mode & SSL_SESS_CACHE_SERVER) && !hs->ticket_expected) {
            unsigned len;
            int reason;
            if (!sess_generate_id(s, hs->sid12, &len, &reason))
                return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, reason);
            hs->sid12_len = len;
        }
    }
    if (!tls13_set_suite_md(s, s->cipher))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    /* A client's CertificateVerify signs all the messages with a hash of its
     * choosing (RFC 5246 7.4.8): keep them when we will ask for one. */
    if (!s->hit && (s->cfg.verify_mode & SSL_VERIFY_PEER) &&
        !transcript_keep_buffer(&hs->transcript))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    if (!transcript_set_md(&hs->transcript, hs->md))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    if ((r = hs_select_alpn(s, ch)) != HS_OK)
        return r;
    hs->sni_ack = hs->sni_ack && !s->hit;
    hs->ec_formats = codec_ch_has(ch, CODEC_EXT_EC_POINT_FORMATS) && !hs->dhe && !s->hit;
    if (!hs_consume(s))
        return HS_ERR;
    hs_set_state(s, SS12_SEND_SERVER_HELLO);
    return HS_OK;
}

/* ---- the server's first flight ---- */

static enum hs_ret do_send_server_hello(SSL *s)
{
    struct hs_state *hs = s->hs;
    CODEC_SERVER_HELLO_OUT o;
    uint16_t lo, hi;
    CBB cbb;
    if (rand_public(s->server_random, 32) != 1)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_RAND_LIB);
    /* RFC 8446 4.1.3: a server able to speak TLS 1.3 that negotiates 1.2
     * says so in the last 8 bytes of its random */
    if (hs_version_range(s, &lo, &hi) && hi >= TLS1_3_VERSION)
        memcpy(s->server_random + 24, CODEC_DOWNGRADE_TLS12, 8);
    memset(&o, 0, sizeof(o));
    o.legacy_version = TLS1_2_VERSION;
    o.random = s->server_random;
    o.session_id = hs->sid12;
    o.session_id_len = hs->sid12_len;
    o.cipher_suite = s->cipher->suite;
    o.renegotiation_info = hs->reneg_ok;
    o.ems = hs->ems;
    o.session_ticket = hs->ticket_expected;
    o.server_name_ack = hs->sni_ack;
    o.ec_point_formats = hs->ec_formats;
    o.alpn = s->alpn_selected;
    o.alpn_len = s->alpn_selected_len;
    if (!cbb_init(&cbb, 128) || !codec_write_server_hello(&cbb, &o)) {
        cbb_cleanup(&cbb);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    }
    if (!hs_send_cbb(s, &cbb))
        return HS_ERR;
    if (s->hit)
        hs_set_state(s, hs->ticket_expected ? SS12_SEND_NEW_SESSION_TICKET
                                            : SS12_SEND_CHANGE_CIPHER_SPEC);
    else
        hs_set_state(s, SS12_SEND_SERVER_CERTIFICATE);
    return HS_OK;
}

static enum hs_ret do_send_server_certificate(SSL *s)
{
    struct hs_state *hs = s->hs;
    const CERT_SLOT *slot = &s->cfg.sh->certs[hs->cert_slot];
    if (!hs_send_certificate(s, slot, 1))
        return HS_ERR;
    s->own_cert = slot->x509;
    s->own_key = slot->pkey;
    hs_set_state(s, SS12_SEND_SERVER_KEY_EXCHANGE);
    return HS_OK;
}

/* ske_params writes our ephemeral key's parameters (what is signed). */
static int ske_params(SSL *s, CBB *params)
{
    struct hs_state *hs = s->hs;
    if (!hs->dhe)
        return kex_keygen(hs->kex_group, &hs->kex_key, hs->kex_pub, &hs->kex_pub_len) &&
               codec_write_ecdhe_params(params, hs->kex_group, hs->kex_pub, hs->kex_pub_len);
    uint8_t p[HS_MAX_KEX], g[HS_MAX_KEX];
    size_t p_len, g_len;
    return hs->dh_params != NULL &&
           kex_dh_keygen(hs->dh_params, &hs->kex_key, hs->kex_pub, &hs->kex_pub_len) &&
           kex_dh_domain(hs->kex_key, p, &p_len, g, &g_len) &&
           codec_write_dhe_params(params, p, p_len, g, g_len, hs->kex_pub, hs->kex_pub_len);
}

static enum hs_ret do_send_server_key_exchange(SSL *s)
{
    struct hs_state *hs = s->hs;
    const CERT_SLOT *slot = &s->cfg.sh->certs[hs->cert_slot];
    CBB params, cbb;
    uint8_t *pbytes = NULL, *tbs = NULL, sig[1024];
    size_t plen = 0, tbs_len = 0, sig_len = 0;
    int ok = cbb_init(&params, 1100) && ske_params(s, &params) &&
             cbb_finish(&params, &pbytes, &plen) &&
             tls12_ske_signed_content(s, pbytes, plen, &tbs, &tbs_len) &&
             sigalg_sign(slot->pkey, hs->sigalg, tbs, tbs_len, sig, sizeof(sig), &sig_len) &&
             cbb_init(&cbb, plen + sig_len + 16) &&
             codec_write_server_key_exchange(&cbb, pbytes, plen, hs->sigalg, sig, sig_len);
    if (!ok)
        cbb_cleanup(&params);
    OPENSSL_free(pbytes);
    OPENSSL_free(tbs);
    if (!ok) {
        cbb_cleanup(&cbb);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    }
    if (!hs_send_cbb(s, &cbb))
        return HS_ERR;
    s->own_sigalg = hs->sigalg;
    s->group = hs->dhe ? 0 : hs->kex_group;
    hs_set_state(s, (s->cfg.verify_mode & SSL_VERIFY_PEER) ? SS12_SEND_CERTIFICATE_REQUEST
                                                           : SS12_SEND_SERVER_HELLO_DONE);
    return HS_OK;
}

static enum hs_ret do_send_certificate_request(SSL *s)
{
    struct hs_ca_names cas;
    CBB cbb;
    if (!hs_ca_names_der(s, &cas))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    int ok = cbb_init(&cbb, 256) &&
             codec_write_certificate_request12(&cbb, s->cfg.sh->sigalgs, s->cfg.sh->num_sigalgs,
                                               cas.der, cas.len, cas.num);
    hs_ca_names_free(&cas);
    if (!ok) {
        cbb_cleanup(&cbb);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    }
    if (!hs_send_cbb(s, &cbb))
        return HS_ERR;
    s->hs->cert_requested = 1;
    s->certreq_sent = 1;
    hs_set_state(s, SS12_SEND_SERVER_HELLO_DONE);
    return HS_OK;
}

static enum hs_ret do_send_server_hello_done(SSL *s)
{
    CBB cbb;
    if (!cbb_init(&cbb, 8) || !codec_write_empty(&cbb, CODEC_HS_SERVER_HELLO_DONE)) {
        cbb_cleanup(&cbb);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    }
    if (!hs_send_cbb(s, &cbb))
        return HS_ERR;
    hs_set_state_to_read(s, s->hs->cert_requested ? SS12_READ_CLIENT_CERTIFICATE
                                                  : SS12_READ_CLIENT_KEY_EXCHANGE);
    return HS_OK;
}

/* ---- the client's flight ---- */

static enum hs_ret do_read_client_certificate(SSL *s)
{
    struct hs_state *hs = s->hs;
    enum hs_ret r = tls12_read_certificate(s, 1);
    if (r != HS_OK)
        return r;
    if (hs->peer_chain == NULL) {
        /* RFC 5246 7.4.6: a server that insists answers handshake_failure */
        if (s->cfg.verify_mode & SSL_VERIFY_FAIL_IF_NO_PEER_CERT)
            return hs_fail(s, CODEC_ALERT_HANDSHAKE_FAILURE,
                           SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE);
    } else if ((r = hs_verify_peer_chain(s)) != HS_OK) {
        return r;
    }
    hs_set_state(s, SS12_READ_CLIENT_KEY_EXCHANGE);
    return HS_OK;
}

static enum hs_ret do_read_client_key_exchange(SSL *s)
{
    struct hs_state *hs = s->hs;
    CBS body, pub;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR, pms[HS_MAX_KEX];
    size_t pms_len = 0;
    enum hs_ret r = hs_get_message(s, CODEC_HS_CLIENT_KEY_EXCHANGE, &body);
    if (r != HS_OK)
        return r;
    if (!codec_parse_client_key_exchange(&body, hs->dhe, &pub, &alert))
        return hs_fail(s, alert, SSL_R_BAD_PACKET);
    int ok =
        hs->dhe ? kex_dh_derive12(hs->kex_key, cbs_data(&pub), cbs_len(&pub), pms, &pms_len, &alert)
                : kex_derive(hs->kex_group, hs->kex_key, cbs_data(&pub), cbs_len(&pub), pms,
                             &pms_len, &alert);
    if (!ok)
        return hs_fail(s, alert, 0);
    ok = tls13_keep_kex_shares(s, cbs_data(&pub), cbs_len(&pub));
    if (ok && hs->dhe) {
        /* for SSL_get_peer_tmp_key */
        EVP_PKEY_free(s->dhe_domain);
        s->dhe_domain = hs->dh_params;
        ok = EVP_PKEY_up_ref(s->dhe_domain);
        if (!ok)
            s->dhe_domain = NULL;
    }
    /* the extended master secret's session hash includes this message */
    ok = ok && hs_consume(s) && tls12_derive_master(s, pms, pms_len);
    OPENSSL_cleanse(pms, pms_len);
    if (!ok)
        return s->fatal ? HS_ERR : hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    hs_set_state(s, hs->peer_chain != NULL ? SS12_READ_CERTIFICATE_VERIFY
                                           : SS12_READ_CHANGE_CIPHER_SPEC);
    return HS_OK;
}

static enum hs_ret do_read_certificate_verify(SSL *s)
{
    struct hs_state *hs = s->hs;
    CODEC_CERTIFICATE_VERIFY cv;
    CBS body;
    const uint8_t *msgs;
    size_t msgs_len;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;
    enum hs_ret r = hs_get_message(s, CODEC_HS_CERTIFICATE_VERIFY, &body);
    if (r != HS_OK)
        return r;
    if (!codec_parse_certificate_verify(&body, &cv, &alert))
        return hs_fail(s, alert, 0);
    /* RFC 5246 7.4.8: a scheme we asked for, over all the messages so far */
    int asked = 0;
    for (size_t i = 0; i < s->cfg.sh->num_sigalgs; i++)
        asked |= s->cfg.sh->sigalgs[i] == cv.sigalg;
    EVP_PKEY *pk = X509_get0_pubkey(sk_X509_value(hs->peer_chain, 0));
    if (!asked || pk == NULL || !sigalg_key_compatible(pk, cv.sigalg, 0))
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_WRONG_SIGNATURE_TYPE);
    if (!transcript_buffer(&hs->transcript, &msgs, &msgs_len))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    if (!sigalg_verify(pk, cv.sigalg, msgs, msgs_len, cbs_data(&cv.signature),
                       cbs_len(&cv.signature), 0))
        return hs_fail(s, CODEC_ALERT_DECRYPT_ERROR, SSL_R_BAD_SIGNATURE);
    s->peer_sigalg = cv.sigalg;
    if (!hs_consume(s))
        return HS_ERR;
    transcript_drop_buffer(&hs->transcript);
    hs_set_state(s, SS12_READ_CHANGE_CIPHER_SPEC);
    return HS_OK;
}

static enum hs_ret do_read_change_cipher_spec(SSL *s)
{
    enum hs_ret r = tls12_read_ccs(s);
    if (r != HS_OK)
        return r;
    hs_set_state(s, SS12_READ_FINISHED);
    return HS_OK;
}

/* complete: the handshake's session (and, for a new one, the cache and the
 * new-session callback, contract S8). */
static int complete(SSL *s)
{
    if (!tls12_establish_session(s))
        return 0;
    if (!s->hit && !sess_cache_add_new(s, s->session))
        return 0;
    sess_count(s->session_ctx, SESS_CNT_ACCEPT_GOOD);
    sess_cache_note_handshake(s->session_ctx);
    return 1;
}

static enum hs_ret do_read_finished(SSL *s)
{
    struct hs_state *hs = s->hs;
    enum hs_ret r = tls12_read_finished(s);
    if (r != HS_OK)
        return r;
    if (!complete(s))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    if (s->hit)
        hs_set_state(s, SS_DONE);
    else
        hs_set_state(s, hs->ticket_expected ? SS12_SEND_NEW_SESSION_TICKET
                                            : SS12_SEND_CHANGE_CIPHER_SPEC);
    return HS_OK;
}

/* ---- the server's last flight ---- */

static enum hs_ret do_send_new_session_ticket(SSL *s)
{
    struct hs_state *hs = s->hs;
    SSL_SESSION *ss = s->hit ? hs->psk : s->session;
    CBB tk, cbb;
    uint8_t *ticket = NULL;
    size_t ticket_len = 0;
    if (ss == NULL || !cbb_init(&tk, 256))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    /* RFC 5077 3.3: advisory in TLS 1.2.  As OpenSSL: the session's
     * timeout, and none (0) for a ticket renewed on resumption. */
    uint64_t hint = s->hit ? 0 : ss->timeout;
    if (hint > UINT32_MAX)
        hint = UINT32_MAX;
    /* a declining ticket callback still owes the message, empty (RFC 5077
     * 3.3) */
    int sealed = sess_ticket_seal(s, ss, &tk);
    if (sealed == 0 || !cbb_finish(&tk, &ticket, &ticket_len)) {
        cbb_cleanup(&tk);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    }
    int ok =
        cbb_init(&cbb, ticket_len + 16) &&
        codec_write_new_session_ticket12(&cbb, ticket_len ? (uint32_t)hint : 0, ticket, ticket_len);
    OPENSSL_free(ticket);
    if (!ok) {
        cbb_cleanup(&cbb);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    }
    if (!hs_send_cbb(s, &cbb))
        return HS_ERR;
    hs_set_state(s, SS12_SEND_CHANGE_CIPHER_SPEC);
    return HS_OK;
}

static enum hs_ret do_send_change_cipher_spec(SSL *s)
{
    if (!tls12_send_ccs(s))
        return HS_ERR;
    hs_set_state(s, SS12_SEND_FINISHED);
    return HS_OK;
}

static enum hs_ret do_send_finished(SSL *s)
{
    if (!tls12_send_finished(s))
        return HS_ERR;
    if (s->hit)
        hs_set_state_to_read(s, SS12_READ_CHANGE_CIPHER_SPEC);
    else
        hs_set_state(s, SS_DONE);
    return HS_OK;
}

enum hs_ret tls12_server_step(SSL *s)
{
    switch (s->hs->state) {
    case SS12_SEND_SERVER_HELLO:
        return do_send_server_hello(s);
    case SS12_SEND_SERVER_CERTIFICATE:
        return do_send_server_certificate(s);
    case SS12_SEND_SERVER_KEY_EXCHANGE:
        return do_send_server_key_exchange(s);
    case SS12_SEND_CERTIFICATE_REQUEST:
        return do_send_certificate_request(s);
    case SS12_SEND_SERVER_HELLO_DONE:
        return do_send_server_hello_done(s);
    case SS12_READ_CLIENT_CERTIFICATE:
        return do_read_client_certificate(s);
    case SS12_READ_CLIENT_KEY_EXCHANGE:
        return do_read_client_key_exchange(s);
    case SS12_READ_CERTIFICATE_VERIFY:
        return do_read_certificate_verify(s);
    case SS12_READ_CHANGE_CIPHER_SPEC:
        return do_read_change_cipher_spec(s);
    case SS12_READ_FINISHED:
        return do_read_finished(s);
    case SS12_SEND_NEW_SESSION_TICKET:
        return do_send_new_session_ticket(s);
    case SS12_SEND_CHANGE_CIPHER_SPEC:
        return do_send_change_cipher_spec(s);
    case SS12_SEND_FINISHED:
        return do_send_finished(s);
    }
    return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_BAD_HANDSHAKE_STATE);
}

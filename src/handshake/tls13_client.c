/* TLS 1.3 client state machine, RFC 8446 2 and 4. */
#include "internal.h"

#include <string.h>

#include "api/api.h"
#include "codec/consts.h"
#include "codec/hello.h"
#include "codec/messages13.h"
#include "handshake/hs.h"
#include "handshake/suites.h"
#include "keys/algs.h"
#include "keys/hkdf.h"
#include "record/record_io.h"

enum {
    CS_SEND_CH = 0,
    CS_READ_SH,
    CS_READ_EE,
    CS_READ_CERT_REQ,
    CS_READ_CERT,
    CS_READ_CV,
    CS_READ_FIN,
    CS_SEND_FLIGHT,
    CS_DONE
};

int tls13_client_done(const SSL *s)
{
    return s->hs->state == CS_DONE;
}

static const EVP_MD *suite_md(const SSL_CIPHER *c)
{
    return algs_md_by_nid(c->md_nid);
}

/* psk_usable: the session |ss| can be offered with our configuration. */
static int psk_usable(SSL *s, const SSL_SESSION *ss)
{
    if (ss == NULL || ss->version != TLS1_3_VERSION || ss->cipher == NULL ||
        ss->master_key_len == 0 || ss->not_resumable)
        return 0;
    if (!ss->is_external_psk && (ss->ticket_len == 0 || sess_expired(ss, sesame_now_ms())))
        return 0;
    /* Some enabled suite must share the session's hash (RFC 8446 4.2.11). */
    for (size_t i = 0; i < s->cfg.num_suites13; i++)
        if (s->cfg.suites13[i]->md_nid == ss->cipher->md_nid)
            return 1;
    return 0;
}

/* choose_psk decides what to offer: an external PSK from the application's
 * callback, else the session set with SSL_set_session. */
static int choose_psk(SSL *s)
{
    struct hs_state *hs = s->hs;
    if (s->cfg.psk_use_session_cb != NULL) {
        const unsigned char *id = NULL;
        size_t idlen = 0;
        SSL_SESSION *ps = NULL;
        if (!s->cfg.psk_use_session_cb(s, NULL, &id, &idlen, &ps)) {
            SSL_SESSION_free(ps);
            ERR_raise(ERR_LIB_SSL, SSL_R_BAD_PSK);
            return 0;
        }
        if (ps != NULL && idlen > 0 && idlen <= 0xffff) {
            ps->is_external_psk = 1;
            OPENSSL_free(ps->ticket);
            ps->ticket = OPENSSL_memdup(id, idlen);
            ps->ticket_len = ps->ticket ? idlen : 0;
            if (psk_usable(s, ps)) {
                hs->offered_psk = ps;
                hs->offered_external = 1;
                return 1;
            }
        }
        SSL_SESSION_free(ps);
    } else if (s->cfg.psk_client_cb != NULL) {
        SSL_SESSION *ps = tls13_psk_from_client_cb(s);
        if (ps != NULL && psk_usable(s, ps)) {
            hs->offered_psk = ps;
            hs->offered_external = 1;
            return 1;
        }
        SSL_SESSION_free(ps);
    }
    if (psk_usable(s, s->session)) {
        SSL_SESSION_up_ref(s->session);
        hs->offered_psk = s->session;
    }
    return 1;
}

/* send_client_hello builds and queues ClientHello (first or after HRR). */
static enum hs_ret send_client_hello(SSL *s)
{
    struct hs_state *hs = s->hs;
    CODEC_CLIENT_HELLO_OUT ch;
    uint16_t suites[8], versions[1] = {TLS1_3_VERSION};
    size_t nsuites = 0;
    CBB cbb;
    uint8_t *msg = NULL;
    size_t msg_len, binders_off = 0;

    memset(&ch, 0, sizeof(ch));
    for (size_t i = 0; i < s->cfg.num_suites13; i++)
        suites[nsuites++] = s->cfg.suites13[i]->suite;
    if (nsuites == 0)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_NO_CIPHERS_AVAILABLE);
    ch.random = s->client_random;
    ch.session_id = hs->legacy_sid;
    ch.session_id_len = hs->legacy_sid_len;
    ch.cipher_suites = suites;
    ch.num_cipher_suites = nsuites;
    /* RFC 6066 3: no IP literals in server_name. */
    if (s->hostname != NULL && s->hostname[0] != 0) {
        ERR_set_mark();
        ASN1_OCTET_STRING *ip = a2i_IPADDRESS(s->hostname);
        ERR_pop_to_mark(); /* not an address: whatever it queued is noise */
        if (ip == NULL)
            ch.server_name = s->hostname;
        ASN1_OCTET_STRING_free(ip);
    }
    ch.groups = s->cfg.groups;
    ch.num_groups = s->cfg.num_groups;
    ch.sigalgs = s->cfg.sigalgs;
    ch.num_sigalgs = s->cfg.num_sigalgs;
    ch.versions = versions;
    ch.num_versions = 1;
    ch.alpn = s->cfg.alpn;
    ch.alpn_len = s->cfg.alpn_len;
    ch.key_shares[0].group = hs->kex_group;
    ch.key_shares[0].pub = hs->kex_pub;
    ch.key_shares[0].pub_len = hs->kex_pub_len;
    ch.num_key_shares = 1;
    ch.send_key_share = 1;
    ch.cookie = hs->cookie;
    ch.cookie_len = hs->cookie_len;
    ch.psk_dhe_ke = 1;
    ch.psk_ke = (s->cfg.options & SSL_OP_ALLOW_NO_DHE_KEX) != 0;
    /* post_handshake_auth is not offered until post-handshake
     * CertificateRequest is implemented (docs/unsupported.md). */
    const EVP_MD *pmd = NULL;
    if (hs->offered_psk != NULL) {
        SSL_SESSION *ps = hs->offered_psk;
        pmd = suite_md(ps->cipher);
        ch.psks[0].identity = ps->ticket;
        ch.psks[0].identity_len = ps->ticket_len;
        /* RFC 8446 4.2.11.1: obfuscated_ticket_age = age in ms + age_add */
        uint64_t now = sesame_now_ms();
        uint64_t age = now > ps->time_ms ? now - ps->time_ms : 0;
        ch.psks[0].obfuscated_age = ps->is_external_psk ? 0 : (uint32_t)age + ps->ticket_age_add;
        ch.psks[0].binder_len = (size_t)EVP_MD_get_size(pmd);
        ch.num_psks = 1;
    }
    if (!cbb_init(&cbb, 512))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
    if (!codec_write_client_hello(&cbb, &ch, &binders_off) || !cbb_finish(&cbb, &msg, &msg_len)) {
        cbb_cleanup(&cbb);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    }
    if (hs->offered_psk != NULL) {
        /* RFC 8446 4.2.11.2: the binder covers the transcript up to and
         * including the ClientHello truncated before the binders. */
        TLS13_SCHEDULE ks;
        uint8_t hash[SESAME_MAX_HASH], bkey[SESAME_MAX_HASH], binder[SESAME_MAX_HASH];
        size_t blen = (size_t)EVP_MD_get_size(pmd);
        const uint8_t *bp = binder;
        int ok;
        if (hs->hrr)
            ok = hs_hash_with(s, msg, binders_off, hash);
        else
            ok = EVP_Digest(msg, binders_off, hash, NULL, pmd, NULL);
        ok = ok &&
             tls13_sched_init(&ks, pmd, hs->offered_psk->master_key,
                              hs->offered_psk->master_key_len) &&
             tls13_sched_binder_key(&ks, hs->offered_external, bkey) &&
             tls13_finished_mac(pmd, binder, bkey, hash) &&
             codec_patch_binders(msg, msg_len, binders_off, &bp, &blen, 1);
        tls13_sched_cleanup(&ks);
        OPENSSL_cleanse(bkey, sizeof(bkey));
        if (!ok) {
            OPENSSL_free(msg);
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
        }
    }
    int ok = hs_send_message(s, msg, msg_len);
    OPENSSL_free(msg);
    return ok ? HS_OK : HS_ERR;
}

static enum hs_ret do_send_ch(SSL *s)
{
    struct hs_state *hs = s->hs;
    if (s->cfg.max_version != 0 && s->cfg.max_version < TLS1_3_VERSION)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_NO_PROTOCOLS_AVAILABLE);
    if (s->cfg.num_groups == 0)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_NO_SHARED_GROUPS);
    if (RAND_bytes(s->client_random, 32) != 1 || RAND_bytes(hs->legacy_sid, 32) != 1)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_RAND_LIB);
    /* RFC 8446 D.4: a non-empty legacy_session_id asks for compatibility
     * mode, unless the application turned it off. */
    hs->legacy_sid_len = (s->cfg.options & SSL_OP_ENABLE_MIDDLEBOX_COMPAT) ? 32 : 0;
    hs->kex_group = s->cfg.groups[0];
    if (!kex_keygen(hs->kex_group, &hs->kex_key, hs->kex_pub, &hs->kex_pub_len))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    if (!choose_psk(s))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    s->rl.wr_version = TLS1_VERSION; /* RFC 8446 5.1: 0x0301 for the first hello */
    sess_count(s->session_ctx, SESS_CNT_CONNECT);
    enum hs_ret r = send_client_hello(s);
    s->rl.wr_version = TLS1_2_VERSION;
    if (r != HS_OK)
        return r;
    hs->state = CS_READ_SH;
    return HS_OK;
}

static int offered_suite(const SSL *s, uint16_t v)
{
    for (size_t i = 0; i < s->cfg.num_suites13; i++)
        if (s->cfg.suites13[i]->suite == v)
            return 1;
    return 0;
}

static int queue_compat_ccs(SSL *s)
{
    static const uint8_t one = 1;
    struct hs_state *hs = s->hs;
    if (hs->ccs_sent || hs->legacy_sid_len == 0)
        return 1;
    hs->ccs_sent = 1;
    uint8_t wr_on = s->rl.wr_on;
    s->rl.wr_on = 0;
    int ok = rec_queue(s, REC_CCS, &one, 1);
    s->rl.wr_on = wr_on;
    return ok;
}

static enum hs_ret handle_hrr(SSL *s, const CODEC_SERVER_HELLO *sh, const SSL_CIPHER *c)
{
    struct hs_state *hs = s->hs;
    /* RFC 8446 4.1.4: at most one HRR, and it must change something. */
    if (hs->hrr)
        return hs_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_UNEXPECTED_MESSAGE);
    int group_ok = 0;
    for (size_t i = 0; i < s->cfg.num_groups; i++)
        group_ok |= s->cfg.groups[i] == sh->hrr_group;
    if (sh->hrr_group != 0 && (!group_ok || sh->hrr_group == hs->kex_group))
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_BAD_KEY_SHARE);
    if (sh->hrr_group == 0 && cbs_len(&sh->cookie) == 0)
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_BAD_HELLO_REQUEST);
    hs->hrr = 1;
    hs->hrr_suite = c->suite;
    hs->md = suite_md(c);
    hs->hash_len = (size_t)EVP_MD_get_size(hs->md);
    if (!transcript_set_md(&hs->transcript, hs->md) || !transcript_hrr_restart(&hs->transcript) ||
        !hs_consume(s))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    if (cbs_len(&sh->cookie) > 0 && !cbs_memdup(&sh->cookie, &hs->cookie, &hs->cookie_len))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
    if (sh->hrr_group != 0) {
        EVP_PKEY_free(hs->kex_key);
        hs->kex_key = NULL;
        hs->kex_group = sh->hrr_group;
        if (!kex_keygen(hs->kex_group, &hs->kex_key, hs->kex_pub, &hs->kex_pub_len))
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    }
    /* A PSK whose hash differs from the chosen suite's cannot be used. */
    if (hs->offered_psk != NULL && hs->offered_psk->cipher->md_nid != c->md_nid) {
        SSL_SESSION_free(hs->offered_psk);
        hs->offered_psk = NULL;
    }
    if (!queue_compat_ccs(s))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    return send_client_hello(s);
}

static enum hs_ret do_read_sh(SSL *s)
{
    struct hs_state *hs = s->hs;
    CBS body;
    CODEC_SERVER_HELLO sh;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;
    enum hs_ret r = hs_get_message(s, CODEC_HS_SERVER_HELLO, &body);
    if (r != HS_OK)
        return r;
    if (!codec_parse_server_hello(&body, &sh, &alert))
        return hs_fail(s, alert, SSL_R_BAD_PACKET);
    /* Without supported_versions the server chose TLS 1.2 or older. */
    if (!sh.is_hrr && sh.selected_version == 0)
        return hs_fail(s, CODEC_ALERT_PROTOCOL_VERSION, SSL_R_UNSUPPORTED_PROTOCOL);
    if (sh.selected_version != TLS1_3_VERSION)
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_UNSUPPORTED_PROTOCOL);
    if (sh.legacy_version != TLS1_2_VERSION)
        return hs_fail(s, CODEC_ALERT_PROTOCOL_VERSION, SSL_R_BAD_LEGACY_VERSION);
    if (!cbs_mem_equal(&sh.session_id_echo, hs->legacy_sid, hs->legacy_sid_len))
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_INVALID_SESSION_ID);
    if (sh.compression != 0)
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_UNSUPPORTED_COMPRESSION_ALGORITHM);
    const SSL_CIPHER *c = suite_by_value(sh.cipher_suite);
    if (c == NULL || !offered_suite(s, sh.cipher_suite) ||
        (hs->hrr && sh.cipher_suite != hs->hrr_suite))
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_WRONG_CIPHER_RETURNED);
    if (sh.is_hrr)
        return handle_hrr(s, &sh, c);

    memcpy(s->server_random, cbs_data(&sh.random), 32);
    hs->md = suite_md(c);
    hs->hash_len = (size_t)EVP_MD_get_size(hs->md);
    if (!transcript_set_md(&hs->transcript, hs->md))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);

    const uint8_t *psk = NULL;
    size_t psk_len = 0;
    if (sh.has_psk) {
        if (hs->offered_psk == NULL || sh.psk_identity != 0 ||
            hs->offered_psk->cipher->md_nid != c->md_nid)
            return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_BAD_PSK_IDENTITY);
        psk = hs->offered_psk->master_key;
        psk_len = hs->offered_psk->master_key_len;
        s->hit = 1;
    }
    uint8_t secret[66];
    size_t secret_len = 0;
    if (codec_ext_has(sh.ext_present, CODEC_EXT_KEY_SHARE)) {
        if (sh.key_share.group != hs->kex_group)
            return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_BAD_KEY_SHARE);
        if (!kex_derive(hs->kex_group, hs->kex_key, cbs_data(&sh.key_share.key_exchange),
                        cbs_len(&sh.key_share.key_exchange), secret, &secret_len, &alert))
            return hs_fail(s, alert, 0);
        s->group = hs->kex_group;
    } else if (s->hit && (s->cfg.options & SSL_OP_ALLOW_NO_DHE_KEX)) {
        hs->psk_ke_only = 1; /* RFC 8446 4.2.9 psk_ke */
    } else {
        return hs_fail(s, CODEC_ALERT_MISSING_EXTENSION, SSL_R_NO_SUITABLE_KEY_SHARE);
    }
    if (!hs_consume(s))
        return HS_ERR;

    uint8_t hash[SESAME_MAX_HASH];
    int ok = tls13_sched_init(&hs->ks, hs->md, psk, psk_len) &&
             tls13_sched_advance(&hs->ks, secret_len ? secret : NULL, secret_len) &&
             hs_transcript_hash(s, hash) &&
             tls13_sched_derive(&hs->ks, hs->client_hs, "c hs traffic", hash) &&
             tls13_sched_derive(&hs->ks, hs->server_hs, "s hs traffic", hash);
    OPENSSL_cleanse(secret, sizeof(secret));
    if (!ok)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    hs_keylog(s, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", hs->client_hs, hs->hash_len);
    hs_keylog(s, "SERVER_HANDSHAKE_TRAFFIC_SECRET", hs->server_hs, hs->hash_len);
    s->version = TLS1_3_VERSION;
    s->cipher = c;
    /* RFC 8446 5.1: no handshake data may straddle the key change. */
    if (rec_hs_buffered(s) != 0)
        return hs_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_NOT_ON_RECORD_BOUNDARY);
    /* Our write key changes only when our second flight starts: an alert
     * before that goes out in the clear, as peers expect (OpenSSL does the
     * same). */
    if (!queue_compat_ccs(s) || !rec_set_key13(s, 0, c, hs->server_hs))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    hs->state = CS_READ_EE;
    return HS_OK;
}

/* alpn_offered: |sel| is one of the names in our wire-format offer. */
static int alpn_offered(const SSL *s, const CBS *sel)
{
    CBS list, name;
    cbs_init(&list, s->cfg.alpn, s->cfg.alpn_len);
    while (cbs_len(&list) > 0) {
        if (!cbs_get_u8_prefixed(&list, &name))
            return 0;
        if (cbs_mem_equal(&name, cbs_data(sel), cbs_len(sel)))
            return 1;
    }
    return 0;
}

static enum hs_ret do_read_ee(SSL *s)
{
    struct hs_state *hs = s->hs;
    CBS body;
    CODEC_ENCRYPTED_EXTENSIONS ee;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;
    enum hs_ret r = hs_get_message(s, CODEC_HS_ENCRYPTED_EXTENSIONS, &body);
    if (r != HS_OK)
        return r;
    if (!codec_parse_encrypted_extensions(&body, &ee, &alert))
        return hs_fail(s, alert, SSL_R_BAD_EXTENSION);
    if (codec_ext_has(ee.ext_present, CODEC_EXT_ALPN)) {
        if (s->cfg.alpn_len == 0 || !alpn_offered(s, &ee.alpn_selected))
            return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_BAD_EXTENSION);
        if (!cbs_memdup(&ee.alpn_selected, &s->alpn_selected, &s->alpn_selected_len))
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
    }
    if (ee.early_data)
        return hs_fail(s, CODEC_ALERT_UNSUPPORTED_EXTENSION, SSL_R_BAD_EXTENSION);
    if (!hs_consume(s))
        return HS_ERR;
    hs->state = s->hit ? CS_READ_FIN : CS_READ_CERT_REQ;
    return HS_OK;
}

static enum hs_ret do_read_cert_req(SSL *s)
{
    struct hs_state *hs = s->hs;
    uint8_t type;
    enum hs_ret r = hs_peek_type(s, &type);
    if (r != HS_OK)
        return r;
    if (type == CODEC_HS_CERTIFICATE_REQUEST) {
        CBS body;
        CODEC_CERTIFICATE_REQUEST cr;
        uint8_t alert = CODEC_ALERT_DECODE_ERROR;
        if (hs_get_message(s, type, &body) != HS_OK)
            return HS_ERR;
        if (!codec_parse_certificate_request(&body, &cr, &alert))
            return hs_fail(s, alert, SSL_R_BAD_PACKET);
        /* RFC 8446 4.3.2: empty context during the handshake. */
        if (cbs_len(&cr.context) != 0)
            return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_INVALID_CONTEXT);
        tls13_set_peer_sigalgs(s, &cr.sigalgs);
        hs->cert_requested = 1;
        if (!hs_consume(s))
            return HS_ERR;
    }
    hs->state = CS_READ_CERT;
    return HS_OK;
}

static enum hs_ret do_read_cert(SSL *s)
{
    struct hs_state *hs = s->hs;
    CBS body;
    uint8_t alert = CODEC_ALERT_CERTIFICATE_UNKNOWN;
    enum hs_ret r = hs_get_message(s, CODEC_HS_CERTIFICATE, &body);
    if (r != HS_OK)
        return r;
    /* Certificate was parsed against an empty context for the server. */
    uint8_t *saved = hs->cert_req_ctx;
    size_t saved_len = hs->cert_req_ctx_len;
    hs->cert_req_ctx = NULL;
    hs->cert_req_ctx_len = 0;
    r = tls13_read_certificate(s, &body, 0);
    hs->cert_req_ctx = saved;
    hs->cert_req_ctx_len = saved_len;
    if (r != HS_OK)
        return r;
    if (!ssl_verify_peer_chain(s, hs->peer_chain, &alert))
        return hs_fail(s, alert, 0);
    if (!hs_consume(s))
        return HS_ERR;
    hs->state = CS_READ_CV;
    return HS_OK;
}

static enum hs_ret do_read_fin(SSL *s)
{
    struct hs_state *hs = s->hs;
    enum hs_ret r = tls13_read_finished(s, hs->server_hs);
    if (r != HS_OK)
        return r;
    if (!tls13_derive_app_secrets(s) || !rec_set_key13(s, 0, s->cipher, s->s13.server_app))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    hs->state = CS_SEND_FLIGHT;
    return HS_OK;
}

static enum hs_ret do_send_flight(SSL *s)
{
    struct hs_state *hs = s->hs;
    if (!rec_set_key13(s, 1, s->cipher, hs->client_hs))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    if (hs->cert_requested) {
        CERT_SLOT *slot = NULL;
        uint16_t sigalg = 0;
        CBS peer;
        cbs_init(&peer, hs->peer_sigalgs, hs->peer_sigalgs_len);
        int have = 0;
        for (int i = 0; i < CERT_NUM_SLOTS; i++)
            have |= s->cfg.certs[i].x509 != NULL && s->cfg.certs[i].pkey != NULL;
        if (have && !cert_select_for_sigalgs(s, &peer, &slot, &sigalg)) {
            ERR_clear_error(); /* no usable certificate: send none */
            slot = NULL;
        }
        if (!tls13_send_certificate(s, slot, slot != NULL, sigalg))
            return HS_ERR;
        if (slot != NULL) {
            s->own_cert = slot->x509;
            s->own_key = slot->pkey;
        }
    }
    if (!tls13_send_finished(s, hs->client_hs))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    if (!rec_set_key13(s, 1, s->cipher, s->s13.client_app) || !tls13_derive_resumption(s) ||
        !tls13_establish_session(s))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    sess_count(s->session_ctx, SESS_CNT_CONNECT_GOOD);
    if (s->hit)
        sess_count(s->session_ctx, SESS_CNT_HIT);
    if (s->hit && !hs->offered_external) {
        /* remembered until a fresh ticket replaces it (tls13_post.c) */
        SSL_SESSION_free(s->psk_session);
        s->psk_session = hs->offered_psk;
        hs->offered_psk = NULL;
    }
    hs->state = CS_DONE;
    return HS_OK;
}

enum hs_ret tls13_client_step(SSL *s)
{
    switch (s->hs->state) {
    case CS_SEND_CH:
        return do_send_ch(s);
    case CS_READ_SH:
        return do_read_sh(s);
    case CS_READ_EE:
        return do_read_ee(s);
    case CS_READ_CERT_REQ:
        return do_read_cert_req(s);
    case CS_READ_CERT:
        return do_read_cert(s);
    case CS_READ_CV:
        return tls13_read_cv(s, CS_READ_FIN);
    case CS_READ_FIN:
        return do_read_fin(s);
    case CS_SEND_FLIGHT:
        return do_send_flight(s);
    }
    return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_BAD_HANDSHAKE_STATE);
}

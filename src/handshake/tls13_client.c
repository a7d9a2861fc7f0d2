/* TLS 1.3 client state machine, RFC 8446 2 and 4: one do_<state>() per step.
 *
 *   send_client_hello -> read_server_hello -> [send_second_client_hello
 *   -> read_server_hello] -> read_encrypted_extensions
 *   -> [read_certificate_request -> read_server_certificate
 *       -> read_server_certificate_verify] -> read_server_finished
 *   -> [send_client_certificate] -> send_client_finished -> done
 */
#include "internal.h"

#include <string.h>

#include "auth/auth.h"
#include "base/random.h"
#include "codec/cipher_suites.h"
#include "codec/consts.h"
#include "codec/hello.h"
#include "codec/messages12.h"
#include "codec/messages13.h"
#include "handshake/hs.h"
#include "keys/algs.h"
#include "record/record_io.h"

/* psk_usable: the session |ss| can be offered with our configuration. */
static int psk_usable(SSL *s, const SSL_SESSION *ss)
{
    if (ss == NULL || ss->version != TLS1_3_VERSION || ss->cipher == NULL ||
        ss->master_key_len == 0 || ss->not_resumable)
        return 0;
    if (!ss->is_external_psk && (ss->ticket_len == 0 || sess_expired(ss, sesame_now_ms())))
        return 0;
    /* Some enabled suite must share the session's hash (RFC 8446 4.2.11). */
    for (size_t i = 0; i < s->cfg.sh->num_suites13; i++)
        if (s->cfg.sh->suites13[i]->md_nid == ss->cipher->md_nid)
            return 1;
    return 0;
}

/* psk_from_use_session_cb asks SSL_set_psk_use_session_callback's callback
 * for an external PSK.  The application's session is only read: applications
 * share one such session across connections and threads. */
static int psk_from_use_session_cb(SSL *s, SSL_SESSION **out)
{
    const unsigned char *id = NULL;
    size_t idlen = 0;
    SSL_SESSION *app = NULL;
    *out = NULL;
    if (!s->cfg.psk_use_session_cb(s, NULL, &id, &idlen, &app)) {
        SSL_SESSION_free(app);
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_PSK);
        return 0;
    }
    if (app != NULL && id != NULL && idlen > 0 && idlen <= 0xffff)
        *out = tls13_psk_copy(app, id, idlen);
    SSL_SESSION_free(app); /* the callback handed us a reference */
    return 1;
}

/* choose_psk decides what to offer: an external PSK from the application's
 * callbacks, else the session set with SSL_set_session. */
static int choose_psk(SSL *s)
{
    struct hs_state *hs = s->hs;
    SSL_SESSION *ps = NULL;
    if (s->cfg.psk_use_session_cb != NULL) {
        if (!psk_from_use_session_cb(s, &ps))
            return 0;
    } else if (s->cfg.psk_client_cb != NULL) {
        ps = tls13_psk_from_client_cb(s);
    }
    if (ps != NULL && hs->offer13 && psk_usable(s, ps)) {
        hs->psk = ps;
        hs->offered_external = 1;
        return 1;
    }
    SSL_SESSION_free(ps);
    SSL_SESSION *ss = NULL;
    if (hs->offer13 && psk_usable(s, s->session))
        ss = s->session;
    else if (hs->offer12)
        ss = tls12_client_session(s);
    if (ss != NULL && SSL_SESSION_up_ref(ss))
        hs->psk = ss;
    return 1;
}

/* send_client_hello builds and queues ClientHello (first or after HRR). */
static enum hs_ret send_client_hello(SSL *s)
{
    struct hs_state *hs = s->hs;
    CODEC_CLIENT_HELLO_OUT ch;
    uint16_t suites[8 + 16 + 1], versions[2];
    size_t nsuites = 0, nversions = 0;
    CBB cbb;
    uint8_t *msg = NULL;
    size_t msg_len, binders_off = 0;
    /* the TLS 1.3 parts of the hello, and its PSK (a TLS 1.2 session goes
     * by its id and ticket instead) */
    int psk13 = hs->psk != NULL && hs->psk->version == TLS1_3_VERSION;

    memset(&ch, 0, sizeof(ch));
    for (size_t i = 0; hs->offer13 && i < s->cfg.sh->num_suites13 && nsuites < 8; i++)
        suites[nsuites++] = s->cfg.sh->suites13[i]->suite;
    for (size_t i = 0; hs->offer12 && i < s->cfg.sh->num_suites12 && nsuites < 8 + 16; i++)
        suites[nsuites++] = s->cfg.sh->suites12[i]->suite;
    if (nsuites == 0)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_NO_CIPHERS_AVAILABLE);
    /* RFC 7507: the application says this is a retry with fewer versions */
    if (s->cfg.mode & SSL_MODE_SEND_FALLBACK_SCSV)
        suites[nsuites++] = CODEC_TLS_FALLBACK_SCSV;
    if (hs->offer13)
        versions[nversions++] = TLS1_3_VERSION;
    if (hs->offer12)
        versions[nversions++] = TLS1_2_VERSION;
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
    hs->sni_ack = ch.server_name != NULL; /* client: we sent server_name */
    ch.groups = s->cfg.sh->groups;
    ch.num_groups = s->cfg.sh->num_groups;
    ch.sigalgs = s->cfg.sh->sigalgs;
    ch.num_sigalgs = s->cfg.sh->num_sigalgs;
    ch.alpn = s->cfg.sh->alpn;
    ch.alpn_len = s->cfg.sh->alpn_len;
    if (hs->offer13) {
        /* RFC 8446 4.2.1: TLS 1.3 is offered only through supported_versions
         * (a TLS 1.2-only hello has none, RFC 5246 7.4.1.2) */
        ch.versions = versions;
        ch.num_versions = nversions;
        ch.key_shares[0].group = hs->kex_group;
        ch.key_shares[0].pub = hs->kex_pub;
        ch.key_shares[0].pub_len = hs->kex_pub_len;
        ch.num_key_shares = 1;
        ch.send_key_share = 1;
        ch.cookie = hs->cookie;
        ch.cookie_len = hs->cookie_len;
        ch.psk_dhe_ke = 1;
        ch.psk_ke = (s->cfg.options & SSL_OP_ALLOW_NO_DHE_KEX) != 0;
        ch.post_handshake_auth = s->cfg.post_handshake_auth;
    }
    if (hs->offer12) {
        /* RFC 7627, RFC 5746 3.4, RFC 8422 5.1.2, RFC 5077 3.2 */
        ch.ems = !(s->cfg.options & SSL_OP_NO_EXTENDED_MASTER_SECRET);
        ch.renegotiation_info = 1;
        ch.ec_point_formats = 1;
        if (!(s->cfg.options & SSL_OP_NO_TICKET)) {
            ch.tls12_session_ticket = 1;
            if (hs->psk != NULL && !psk13) {
                ch.ticket = hs->psk->ticket;
                ch.ticket_len = hs->psk->ticket_len;
            }
        }
    }
    const EVP_MD *pmd = NULL;
    if (psk13) {
        SSL_SESSION *ps = hs->psk;
        pmd = algs_md_by_nid(ps->cipher->md_nid);
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
    if (psk13) {
        uint8_t binder[SESAME_MAX_HASH];
        size_t blen = (size_t)EVP_MD_get_size(pmd);
        const uint8_t *bp = binder;
        int ok =
            tls13_psk_binder(s, pmd, hs->psk, hs->offered_external, msg, binders_off, binder) &&
            codec_patch_binders(msg, msg_len, binders_off, &bp, &blen, 1);
        OPENSSL_cleanse(binder, sizeof(binder));
        if (!ok) {
            OPENSSL_free(msg);
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
        }
    }
    int ok = hs_send_message(s, msg, msg_len);
    OPENSSL_free(msg);
    return ok ? HS_OK : HS_ERR;
}

static enum hs_ret do_send_client_hello(SSL *s)
{
    struct hs_state *hs = s->hs;
    uint16_t lo, hi;
    if (!hs_version_range(s, &lo, &hi))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_NO_PROTOCOLS_AVAILABLE);
    hs->offer13 = hi >= TLS1_3_VERSION && s->cfg.sh->num_suites13 > 0;
    hs->offer12 = lo <= TLS1_2_VERSION && s->cfg.sh->num_suites12 > 0;
    if (!hs->offer13 && !hs->offer12)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_NO_CIPHERS_AVAILABLE);
    if (s->cfg.sh->num_groups == 0)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_NO_SHARED_GROUPS);
    if (rand_public(s->client_random, 32) != 1 || rand_public(hs->legacy_sid, 32) != 1)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_RAND_LIB);
    /* RFC 8446 D.4: a non-empty legacy_session_id asks for compatibility
     * mode, unless the application turned it off. */
    hs->legacy_sid_len = hs->offer13 && (s->cfg.options & SSL_OP_ENABLE_MIDDLEBOX_COMPAT) ? 32 : 0;
    if (hs->offer13) {
        hs->kex_group = s->cfg.sh->groups[0];
        if (!kex_keygen(hs->kex_group, &hs->kex_key, hs->kex_pub, &hs->kex_pub_len))
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    }
    if (!choose_psk(s))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    /* RFC 5246 7.4.1.2: a TLS 1.2 session is offered by its id */
    if (hs->psk != NULL && hs->psk->version == TLS1_2_VERSION) {
        hs->legacy_sid_len = hs->psk->session_id_len;
        memcpy(hs->legacy_sid, hs->psk->session_id, hs->legacy_sid_len);
    }
    s->rl.wr_version = TLS1_VERSION; /* RFC 8446 5.1: 0x0301 for the first hello */
    sess_count(s->session_ctx, SESS_CNT_CONNECT);
    enum hs_ret r = send_client_hello(s);
    s->rl.wr_version = TLS1_2_VERSION;
    if (r != HS_OK)
        return r;
    s->rl.ccs_allowed = 1; /* RFC 8446 5: from the first ClientHello on */
    hs_set_state(s, CS_READ_SERVER_HELLO);
    return HS_OK;
}

static int offered_suite(const SSL *s, uint16_t v)
{
    for (size_t i = 0; i < s->cfg.sh->num_suites13; i++)
        if (s->cfg.sh->suites13[i]->suite == v)
            return 1;
    return 0;
}

static enum hs_ret handle_hrr(SSL *s, const CODEC_SERVER_HELLO *sh, const SSL_CIPHER *c)
{
    struct hs_state *hs = s->hs;
    /* RFC 8446 4.1.4: at most one HRR, and it must change something. */
    if (hs->hrr)
        return hs_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_UNEXPECTED_MESSAGE);
    int group_ok = 0;
    for (size_t i = 0; i < s->cfg.sh->num_groups; i++)
        group_ok |= s->cfg.sh->groups[i] == sh->hrr_group;
    if (sh->hrr_group != 0 && (!group_ok || sh->hrr_group == hs->kex_group))
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_BAD_KEY_SHARE);
    if (sh->hrr_group == 0 && cbs_len(&sh->cookie) == 0)
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_BAD_HELLO_REQUEST);
    hs->hrr = 1;
    hs->hrr_suite = c->suite;
    if (!tls13_set_suite_md(s, c) || !transcript_set_md(&hs->transcript, hs->md) ||
        !transcript_hrr_restart(&hs->transcript) || !hs_consume(s))
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
    if (hs->psk != NULL && hs->psk->version == TLS1_3_VERSION &&
        hs->psk->cipher->md_nid != c->md_nid) {
        SSL_SESSION_free(hs->psk);
        hs->psk = NULL;
    }
    hs_set_state(s, CS_SEND_SECOND_CLIENT_HELLO);
    return HS_OK;
}

static enum hs_ret do_send_second_client_hello(SSL *s)
{
    if (!tls13_queue_compat_ccs(s))
        return HS_ERR;
    enum hs_ret r = send_client_hello(s);
    if (r != HS_OK)
        return r;
    hs_set_state(s, CS_READ_SERVER_HELLO);
    return HS_OK;
}

static enum hs_ret do_read_server_hello(SSL *s)
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
    /* Without supported_versions the server chose TLS 1.2 or older
     * (RFC 8446 4.2.1). */
    if (!sh.is_hrr && sh.selected_version == 0) {
        if (!hs->offer12 || sh.legacy_version != TLS1_2_VERSION || hs->hrr)
            return hs_fail(s, CODEC_ALERT_PROTOCOL_VERSION, SSL_R_UNSUPPORTED_PROTOCOL);
        /* RFC 8446 4.1.3: a server that could have spoken TLS 1.3 with us
         * says DOWNGRD\x01: someone in between removed TLS 1.3 */
        CBS tail = sh.random;
        if (hs->offer13 && cbs_skip(&tail, 24) &&
            cbs_mem_equal(&tail, (const uint8_t *)CODEC_DOWNGRADE_TLS12, 8))
            return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_INAPPROPRIATE_FALLBACK);
        return tls12_client_server_hello(s, &sh);
    }
    if (sh.selected_version != TLS1_3_VERSION || !hs->offer13)
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
    if (!tls13_set_suite_md(s, c) || !transcript_set_md(&hs->transcript, hs->md))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    if (sh.has_psk) {
        /* RFC 8446 4.2: a response to an extension we did not send */
        if (hs->psk == NULL || hs->psk->version != TLS1_3_VERSION)
            return hs_fail(s, CODEC_ALERT_UNSUPPORTED_EXTENSION, SSL_R_UNSOLICITED_EXTENSION);
        if (sh.psk_identity != 0 || hs->psk->cipher->md_nid != c->md_nid)
            return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_BAD_PSK_IDENTITY);
        s->hit = 1;
    }
    uint8_t secret[HS_MAX_KEX];
    size_t secret_len = 0;
    if (codec_ext_has(sh.ext_present, CODEC_EXT_KEY_SHARE)) {
        if (sh.key_share.group != hs->kex_group)
            return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_BAD_KEY_SHARE);
        if (!kex_derive(hs->kex_group, hs->kex_key, cbs_data(&sh.key_share.key_exchange),
                        cbs_len(&sh.key_share.key_exchange), secret, &secret_len, &alert))
            return hs_fail(s, alert, 0);
        s->group = hs->kex_group;
        if (!tls13_keep_kex_shares(s, cbs_data(&sh.key_share.key_exchange),
                                   cbs_len(&sh.key_share.key_exchange))) {
            OPENSSL_cleanse(secret, sizeof(secret));
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
        }
    } else if (s->hit && (s->cfg.options & SSL_OP_ALLOW_NO_DHE_KEX)) {
        hs->psk_ke_only = 1; /* RFC 8446 4.2.9 psk_ke */
    } else {
        return hs_fail(s, CODEC_ALERT_MISSING_EXTENSION, SSL_R_NO_SUITABLE_KEY_SHARE);
    }
    if (!hs_consume(s)) {
        OPENSSL_cleanse(secret, secret_len);
        return HS_ERR;
    }
    int ok = tls13_derive_handshake_secrets(s, s->hit ? hs->psk : NULL, secret, secret_len);
    OPENSSL_cleanse(secret, secret_len);
    if (!ok)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    s->version = TLS1_3_VERSION;
    s->cipher = c;
    /* RFC 8446 5.1: no handshake data may straddle the key change. */
    if (rec_hs_buffered(s) != 0)
        return hs_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_NOT_ON_RECORD_BOUNDARY);
    /* Our write key changes only when our second flight starts: an alert
     * before that goes out in the clear, as peers expect (OpenSSL does the
     * same). */
    if (!tls13_queue_compat_ccs(s))
        return HS_ERR;
    if (!rec_set_key13(s, 0, c, hs->server_hs))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    hs_set_state(s, CS_READ_ENCRYPTED_EXTENSIONS);
    return HS_OK;
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

static enum hs_ret do_read_encrypted_extensions(SSL *s)
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
    /* RFC 8446 4.2: a response to an extension we did not send (we never
     * offer early data) is unsupported_extension. */
    if ((codec_ext_has(ee.ext_present, CODEC_EXT_SERVER_NAME) && !hs->sni_ack) ||
        (codec_ext_has(ee.ext_present, CODEC_EXT_ALPN) && s->cfg.sh->alpn_len == 0) ||
        codec_ext_has(ee.ext_present, CODEC_EXT_EARLY_DATA))
        return hs_fail(s, CODEC_ALERT_UNSUPPORTED_EXTENSION, SSL_R_UNSOLICITED_EXTENSION);
    if (codec_ext_has(ee.ext_present, CODEC_EXT_ALPN)) {
        if (!alpn_offered(s, &ee.alpn_selected))
            return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_BAD_EXTENSION);
        if (!cbs_memdup(&ee.alpn_selected, &s->alpn_selected, &s->alpn_selected_len))
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
    }
    /* the server's groups, for SSL_get1_groups (OpenSSL: not when resuming) */
    if (!s->hit && codec_ext_has(ee.ext_present, CODEC_EXT_SUPPORTED_GROUPS) &&
        !hs_keep_u16_list(&ee.supported_groups, &s->peer_groups_all, &s->num_peer_groups_all))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    if ((r = hs_client_servername_cb(s)) != HS_OK)
        return r;
    if (!hs_consume(s))
        return HS_ERR;
    hs_set_state(s, s->hit ? CS_READ_SERVER_FINISHED : CS_READ_CERTIFICATE_REQUEST);
    return HS_OK;
}

static enum hs_ret do_read_certificate_request(SSL *s)
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
        if ((r = hs_get_message(s, type, &body)) != HS_OK)
            return r;
        if (!codec_parse_certificate_request(&body, &cr, &alert))
            return hs_fail(s, alert, SSL_R_BAD_PACKET);
        /* RFC 8446 4.3.2: empty context during the handshake. */
        if (cbs_len(&cr.context) != 0)
            return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_INVALID_CONTEXT);
        if (!tls13_set_peer_sigalgs(s, &cr.sigalgs))
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
        if (codec_ext_has(cr.ext_present, CODEC_EXT_CERTIFICATE_AUTHORITIES) &&
            (r = hs_keep_peer_ca_names(s, &cr.certificate_authorities)) != HS_OK)
            return r;
        hs->cert_requested = 1;
        if (!hs_consume(s))
            return HS_ERR;
        hs_set_state(s, CS_READ_SERVER_CERTIFICATE);
        return HS_OK;
    }
    hs_set_state_quietly(s, CS_READ_SERVER_CERTIFICATE);
    return HS_OK;
}

static enum hs_ret do_read_server_certificate(SSL *s)
{
    enum hs_ret r = tls13_read_certificate(s, 0);
    if (r == HS_OK)
        r = hs_verify_peer_chain(s);
    if (r != HS_OK)
        return r;
    hs_set_state(s, CS_READ_SERVER_CERTIFICATE_VERIFY);
    return HS_OK;
}

static enum hs_ret do_read_server_certificate_verify(SSL *s)
{
    enum hs_ret r = tls13_read_cert_verify(s);
    if (r != HS_OK)
        return r;
    hs_set_state(s, CS_READ_SERVER_FINISHED);
    return HS_OK;
}

static enum hs_ret do_read_server_finished(SSL *s)
{
    struct hs_state *hs = s->hs;
    enum hs_ret r = tls13_read_finished(s, hs->server_hs);
    if (r != HS_OK)
        return r;
    if (!tls13_derive_app_secrets(s) || !rec_set_key13(s, 0, s->cipher, s->s13.server_app))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    if (!tls13_queue_compat_ccs(s))
        return HS_ERR;
    if (!rec_set_key13(s, 1, s->cipher, hs->client_hs))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    hs_set_state(s, hs->cert_requested ? CS_SEND_CLIENT_CERTIFICATE : CS_SEND_CLIENT_FINISHED);
    return HS_OK;
}

static enum hs_ret do_send_client_certificate(SSL *s)
{
    int slot;
    uint16_t sigalg = 0;
    enum hs_ret r = hs_client_cert_choose(s, 1, AUTH_SLOTS_ALL, &slot, &sigalg);
    if (r != HS_OK)
        return r;
    const CERT_SLOT *c = slot >= 0 ? &s->cfg.sh->certs[slot] : NULL;
    if (!tls13_send_certificate(s, c, sigalg))
        return HS_ERR;
    if (c != NULL) {
        s->own_cert = c->x509;
        s->own_key = c->pkey;
    }
    hs_set_state(s, CS_SEND_CLIENT_FINISHED);
    return HS_OK;
}

static enum hs_ret do_send_client_finished(SSL *s)
{
    struct hs_state *hs = s->hs;
    if (!tls13_send_finished(s, hs->client_hs))
        return HS_ERR;
    if (!rec_set_key13(s, 1, s->cipher, s->s13.client_app) || !tls13_derive_resumption(s) ||
        !tls13_establish_session(s))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    sess_count(s->session_ctx, SESS_CNT_CONNECT_GOOD);
    if (s->hit)
        sess_count(s->session_ctx, SESS_CNT_HIT);
    if (s->hit && !hs->offered_external) {
        /* remembered until a fresh ticket replaces it (tls13_post.c) */
        SSL_SESSION_free(s->psk_session);
        s->psk_session = hs->psk;
        hs->psk = NULL;
    }
    hs_set_state(s, CS_DONE);
    return HS_OK;
}

enum hs_ret tls13_client_step(SSL *s)
{
    switch (s->hs->state) {
    case CS_SEND_CLIENT_HELLO:
        return do_send_client_hello(s);
    case CS_READ_SERVER_HELLO:
        return do_read_server_hello(s);
    case CS_SEND_SECOND_CLIENT_HELLO:
        return do_send_second_client_hello(s);
    case CS_READ_ENCRYPTED_EXTENSIONS:
        return do_read_encrypted_extensions(s);
    case CS_READ_CERTIFICATE_REQUEST:
        return do_read_certificate_request(s);
    case CS_READ_SERVER_CERTIFICATE:
        return do_read_server_certificate(s);
    case CS_READ_SERVER_CERTIFICATE_VERIFY:
        return do_read_server_certificate_verify(s);
    case CS_READ_SERVER_FINISHED:
        return do_read_server_finished(s);
    case CS_SEND_CLIENT_CERTIFICATE:
        return do_send_client_certificate(s);
    case CS_SEND_CLIENT_FINISHED:
        return do_send_client_finished(s);
    }
    return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_BAD_HANDSHAKE_STATE);
}

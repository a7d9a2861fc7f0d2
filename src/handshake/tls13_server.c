/* TLS 1.3 server state machine, RFC 8446 2 and 4. */
#include "internal.h"

#include <string.h>

#include "api/api.h"
#include "codec/consts.h"
#include "codec/hello.h"
#include "codec/messages13.h"
#include "handshake/hs.h"
#include "handshake/suites.h"
#include "keys/algs.h"
#include "record/record_io.h"

enum { SS_READ_CH = 0, SS_READ_CERT, SS_READ_CV, SS_READ_FIN, SS_SEND_TICKETS, SS_DONE };

int tls13_server_done(const SSL *s)
{
    return s->hs->state == SS_DONE;
}

/* Facts gathered from the ClientHello that outlive its buffer. */
struct ch_choice {
    const SSL_CIPHER *suite;
    uint16_t group;   /* chosen group (0: none usable) */
    const CBS *share; /* the client's share for |group|, or NULL */
    SSL_SESSION *psk; /* accepted PSK session (reference) */
    int psk_index;
    int psk_external;
    int psk_ke_only;
};

/* choose_suite picks our suite for the client's list, by the client's order
 * unless SSL_OP_CIPHER_SERVER_PREFERENCE; |md_nid| (0: any) restricts the
 * choice to suites with that hash. */
static const SSL_CIPHER *choose_suite(SSL *s, const CBS *client_list, int md_nid)
{
    int server_pref = (s->cfg.options & SSL_OP_CIPHER_SERVER_PREFERENCE) != 0;
    CBS it = *client_list;
    uint16_t v;
    if (server_pref) {
        for (size_t i = 0; i < s->cfg.num_suites13; i++)
            if ((md_nid == 0 || s->cfg.suites13[i]->md_nid == md_nid) &&
                codec_u16_list_contains(client_list, s->cfg.suites13[i]->suite))
                return s->cfg.suites13[i];
        return NULL;
    }
    while (cbs_len(&it) >= 2 && codec_u16_list_next(&it, &v))
        for (size_t i = 0; i < s->cfg.num_suites13; i++)
            if (s->cfg.suites13[i]->suite == v &&
                (md_nid == 0 || s->cfg.suites13[i]->md_nid == md_nid))
                return s->cfg.suites13[i];
    return NULL;
}

static int our_group(const SSL *s, uint16_t g)
{
    for (size_t i = 0; i < s->cfg.num_groups; i++)
        if (s->cfg.groups[i] == g)
            return kex_supported(g);
    return 0;
}

/* choose_group prefers a group the client already sent a share for (no
 * HelloRetryRequest), in the client's order; else our first mutual group. */
static void choose_group(SSL *s, const CODEC_CLIENT_HELLO *ch, struct ch_choice *c)
{
    c->group = 0;
    c->share = NULL;
    for (size_t i = 0; i < ch->num_key_shares; i++)
        if (our_group(s, ch->key_shares[i].group)) {
            c->group = ch->key_shares[i].group;
            c->share = &ch->key_shares[i].key_exchange;
            return;
        }
    if (!codec_ch_has(ch, CODEC_EXT_SUPPORTED_GROUPS))
        return;
    for (size_t i = 0; i < s->cfg.num_groups; i++)
        if (kex_supported(s->cfg.groups[i]) &&
            codec_u16_list_contains(&ch->supported_groups, s->cfg.groups[i])) {
            c->group = s->cfg.groups[i];
            return;
        }
}

/* sni_callback runs the servername callback (which may switch SSL_CTX). */
static enum hs_ret sni_callback(SSL *s, int *out_ack)
{
    SSL_CTX *ctx = s->ctx;
    int al = SSL_AD_UNRECOGNIZED_NAME;
    *out_ack = s->hostname != NULL;
    if (ctx->servername_cb == NULL)
        return HS_OK;
    int r = ctx->servername_cb(s, &al, ctx->servername_arg);
    switch (r) {
    case SSL_TLSEXT_ERR_ALERT_FATAL:
        return hs_fail(s, (uint8_t)al, SSL_R_CALLBACK_FAILED);
    case SSL_TLSEXT_ERR_NOACK:
        *out_ack = 0;
        return HS_OK;
    default:
        return HS_OK;
    }
}

/* The slack allowed between the ticket age the client reports and the
 * time since we issued it: the round trip plus clock-rate differences. */
#define TICKET_AGE_SLACK_MS (60 * 1000)

/* ticket_age_plausible: RFC 8446 4.2.11.1/8.3 -- the client's view of the
 * ticket's age (obfuscated_ticket_age - ticket_age_add, mod 2^32) must not
 * exceed the ticket lifetime nor disagree with our own clock beyond the
 * slack.  A ticket that fails is simply not used (full handshake). */
static int ticket_age_plausible(const SSL_SESSION *ps, uint32_t obfuscated_age)
{
    uint64_t client_age = (uint32_t)(obfuscated_age - ps->ticket_age_add);
    uint64_t now = sess_clock_ms();
    uint64_t server_age = now > ps->time_ms ? now - ps->time_ms : 0;
    uint64_t lifetime_ms =
        (uint64_t)(ps->ticket_lifetime_hint ? ps->ticket_lifetime_hint : ps->timeout) * 1000;
    if (client_age > lifetime_ms + TICKET_AGE_SLACK_MS)
        return 0;
    uint64_t diff = client_age > server_age ? client_age - server_age : server_age - client_age;
    return diff <= TICKET_AGE_SLACK_MS;
}

/* check_binder verifies the PSK binder at |index| (RFC 8446 4.2.11.2). */
static int check_binder(SSL *s, const CODEC_CLIENT_HELLO *ch, const SSL_SESSION *psk, int external,
                        size_t index)
{
    struct hs_state *hs = s->hs;
    const uint8_t *msg = s->rl.hbuf + s->rl.hbuf_off;
    size_t trunc = 4 + ch->psk_binders_offset;
    uint8_t hash[SESAME_MAX_HASH], bkey[SESAME_MAX_HASH], binder[SESAME_MAX_HASH];
    TLS13_SCHEDULE ks;
    int ok;
    if (hs->hrr)
        ok = hs_hash_with(s, msg, trunc, hash);
    else
        ok = EVP_Digest(msg, trunc, hash, NULL, hs->md, NULL);
    ok = ok && tls13_sched_init(&ks, hs->md, psk->master_key, psk->master_key_len) &&
         tls13_sched_binder_key(&ks, external, bkey) &&
         tls13_finished_mac(hs->md, binder, bkey, hash);
    tls13_sched_cleanup(&ks);
    OPENSSL_cleanse(bkey, sizeof(bkey));
    return ok && cbs_mem_equal(&ch->psk_binders[index], binder, hs->hash_len);
}

/* choose_psk resolves the offered identities; an unknown, expired or
 * mismatched one only means a full handshake (never an error). */
static enum hs_ret choose_psk(SSL *s, const CODEC_CLIENT_HELLO *ch, struct ch_choice *c)
{
    if (!codec_ch_has(ch, CODEC_EXT_PRE_SHARED_KEY))
        return HS_OK;
    /* RFC 8446 4.2.9: without psk_key_exchange_modes, no PSK. */
    if (!codec_ch_has(ch, CODEC_EXT_PSK_KEY_EXCHANGE_MODES))
        return hs_fail(s, CODEC_ALERT_MISSING_EXTENSION, SSL_R_MISSING_PSK_KEX_MODES_EXTENSION);
    int dhe = 0, ke = 0;
    CBS m = ch->psk_modes;
    uint8_t mode;
    while (cbs_get_u8(&m, &mode)) {
        dhe |= mode == CODEC_PSK_DHE_KE;
        ke |= mode == CODEC_PSK_KE;
    }
    int use_ke = 0;
    if (!(dhe && c->share != NULL)) {
        if (!(ke && (s->cfg.options & SSL_OP_ALLOW_NO_DHE_KEX)))
            return HS_OK;
        use_ke = 1;
    }
    for (size_t i = 0; i < ch->num_psks; i++) {
        const CBS *id = &ch->psk_ids[i].identity;
        SSL_SESSION *ps = NULL;
        int external = 0, renew = 0;
        if (s->cfg.psk_find_session_cb != NULL) {
            if (!s->cfg.psk_find_session_cb(s, cbs_data(id), cbs_len(id), &ps))
                return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_BAD_PSK);
            external = ps != NULL;
        }
        if (ps == NULL && s->cfg.psk_server_cb != NULL) {
            ps = tls13_psk_from_server_cb(s, cbs_data(id), cbs_len(id));
            external = ps != NULL;
        }
        if (ps == NULL && !sess_ticket_accept(s, cbs_data(id), cbs_len(id), &ps, &renew))
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
        if (ps == NULL)
            continue;
        /* Boundaries a resumption must never cross (session contract).  On
         * the first hello the suite may still move to one with the PSK's
         * hash (RFC 8446 4.2.11); after a HelloRetryRequest it is fixed. */
        const SSL_CIPHER *suite = c->suite;
        if (ps->cipher != NULL && ps->cipher->md_nid != suite->md_nid && !s->hs->hrr)
            suite = choose_suite(s, &ch->cipher_suites, ps->cipher->md_nid);
        int ok = ps->version == TLS1_3_VERSION && ps->cipher != NULL && suite != NULL &&
                 ps->cipher->md_nid == suite->md_nid && ps->master_key_len > 0;
        if (ok && !external)
            ok = ticket_age_plausible(ps, ch->psk_ids[i].obfuscated_ticket_age);
        if (ok && !external) {
            const char *want = s->hostname ? s->hostname : "";
            const char *have = ps->hostname ? ps->hostname : "";
            ok = strcmp(want, have) == 0 && ps->sid_ctx_len == s->cfg.sid_ctx_len &&
                 memcmp(ps->sid_ctx, s->cfg.sid_ctx, ps->sid_ctx_len) == 0;
        }
        if (!ok) {
            SSL_SESSION_free(ps);
            continue;
        }
        if (suite != c->suite) {
            c->suite = suite;
            s->hs->md = algs_md_by_nid(suite->md_nid);
            s->hs->hash_len = (size_t)EVP_MD_get_size(s->hs->md);
        }
        if (!check_binder(s, ch, ps, external, i)) {
            SSL_SESSION_free(ps);
            return hs_fail(s, CODEC_ALERT_DECRYPT_ERROR, SSL_R_BAD_PSK);
        }
        c->psk = ps;
        c->psk_index = (int)i;
        c->psk_external = external;
        c->psk_ke_only = use_ke;
        return HS_OK;
    }
    return HS_OK;
}

static int send_ccs_once(SSL *s, const CODEC_CLIENT_HELLO *ch)
{
    static const uint8_t one = 1;
    struct hs_state *hs = s->hs;
    if (hs->ccs_sent || cbs_len(&ch->session_id) == 0)
        return 1;
    hs->ccs_sent = 1;
    uint8_t on = s->rl.wr_on;
    s->rl.wr_on = 0;
    int ok = rec_queue(s, REC_CCS, &one, 1);
    s->rl.wr_on = on;
    return ok;
}

static enum hs_ret send_hrr(SSL *s, const CODEC_CLIENT_HELLO *ch, const struct ch_choice *c)
{
    struct hs_state *hs = s->hs;
    CODEC_SERVER_HELLO_OUT o;
    CBB cbb;
    memset(&o, 0, sizeof(o));
    o.session_id = cbs_data(&ch->session_id);
    o.session_id_len = cbs_len(&ch->session_id);
    o.cipher_suite = c->suite->suite;
    o.version = TLS1_3_VERSION;
    o.is_hrr = 1;
    o.hrr_group = c->group;
    if (!hs_consume(s) || !transcript_hrr_restart(&hs->transcript))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    if (!cbb_init(&cbb, 128) || !codec_write_server_hello(&cbb, &o)) {
        cbb_cleanup(&cbb);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    }
    if (!hs_send_cbb(s, &cbb) || !send_ccs_once(s, ch))
        return HS_ERR;
    hs->hrr = 1;
    hs->kex_group = c->group;
    hs->hrr_suite = c->suite->suite;
    return HS_OK;
}

static enum hs_ret select_alpn(SSL *s, const CODEC_CLIENT_HELLO *ch)
{
    SSL_CTX *ctx = s->ctx;
    if (!codec_ch_has(ch, CODEC_EXT_ALPN) || ctx->alpn_select_cb == NULL)
        return HS_OK;
    const unsigned char *sel = NULL;
    unsigned char sel_len = 0;
    int r = ctx->alpn_select_cb(s, &sel, &sel_len, cbs_data(&ch->alpn),
                                (unsigned int)cbs_len(&ch->alpn), ctx->alpn_select_arg);
    if (r == SSL_TLSEXT_ERR_OK && sel != NULL && sel_len > 0) {
        OPENSSL_free(s->alpn_selected);
        s->alpn_selected = OPENSSL_memdup(sel, sel_len);
        if (s->alpn_selected == NULL)
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
        s->alpn_selected_len = sel_len;
    } else if (r == SSL_TLSEXT_ERR_ALERT_FATAL) {
        return hs_fail(s, CODEC_ALERT_NO_APPLICATION_PROTOCOL, SSL_R_NO_APPLICATION_PROTOCOL);
    }
    return HS_OK;
}

static enum hs_ret send_cert_request(SSL *s)
{
    struct hs_state *hs = s->hs;
    CBB cbb;
    const uint8_t *cas[64];
    size_t lens[64];
    uint8_t *ders[64];
    size_t n = 0;
    STACK_OF(X509_NAME) *names = s->ctx->client_ca_names;
    for (int i = 0; names != NULL && i < sk_X509_NAME_num(names) && n < 64; i++) {
        int len = i2d_X509_NAME(sk_X509_NAME_value(names, i), NULL);
        ders[n] = NULL;
        if (len <= 0 || i2d_X509_NAME(sk_X509_NAME_value(names, i), &ders[n]) != len)
            continue;
        cas[n] = ders[n];
        lens[n++] = (size_t)len;
    }
    int ok = cbb_init(&cbb, 256) &&
             codec_write_certificate_request(&cbb, NULL, 0, s->cfg.sigalgs, s->cfg.num_sigalgs, cas,
                                             lens, n) &&
             hs_send_cbb(s, &cbb);
    for (size_t i = 0; i < n; i++)
        OPENSSL_free(ders[i]);
    if (!ok)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    hs->cert_requested = 1;
    return HS_OK;
}

/* client_hello_callback runs SSL_CTX_set_client_hello_cb's callback, which
 * may inspect the hello (SSL_client_hello_get0_*), switch SSL_CTX, fail the
 * handshake, or suspend it (SSL_ERROR_WANT_CLIENT_HELLO_CB: the same hello
 * is presented again on the next call). */
static enum hs_ret client_hello_callback(SSL *s, const CODEC_CLIENT_HELLO *ch)
{
    SSL_CTX *ctx = s->ctx;
    if (ctx->client_hello_cb == NULL)
        return HS_OK;
    int al = SSL_AD_INTERNAL_ERROR;
    s->hs->client_hello = ch;
    int r = ctx->client_hello_cb(s, &al, ctx->client_hello_cb_arg);
    s->hs->client_hello = NULL;
    if (r == SSL_CLIENT_HELLO_RETRY) {
        s->rwstate = SSL_CLIENT_HELLO_CB;
        return HS_RETRY;
    }
    if (r != SSL_CLIENT_HELLO_SUCCESS)
        return hs_fail(s, (uint8_t)al, SSL_R_CALLBACK_FAILED);
    s->rwstate = SSL_NOTHING;
    return HS_OK;
}

/* hello_checks: version, compression and the legacy fields. */
static enum hs_ret hello_checks(SSL *s, const CODEC_CLIENT_HELLO *ch)
{
    if (s->cfg.max_version != 0 && s->cfg.max_version < TLS1_3_VERSION)
        return hs_fail(s, CODEC_ALERT_PROTOCOL_VERSION, SSL_R_UNSUPPORTED_PROTOCOL);
    /* RFC 8446 4.2.1: TLS 1.3 is chosen only via supported_versions.  Until
     * TLS 1.2 lands, anything else is refused with protocol_version. */
    if (!codec_ch_has(ch, CODEC_EXT_SUPPORTED_VERSIONS) ||
        !codec_u16_list_contains(&ch->supported_versions, TLS1_3_VERSION))
        return hs_fail(s, CODEC_ALERT_PROTOCOL_VERSION, SSL_R_UNSUPPORTED_PROTOCOL);
    /* RFC 8446 4.1.2: exactly one compression method, null. */
    if (cbs_len(&ch->compression_methods) != 1 || cbs_data(&ch->compression_methods)[0] != 0)
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_UNSUPPORTED_COMPRESSION_ALGORITHM);
    return HS_OK;
}

static enum hs_ret send_server_flight(SSL *s, const CODEC_CLIENT_HELLO *ch, struct ch_choice *c,
                                      int sni_ack)
{
    struct hs_state *hs = s->hs;
    uint8_t secret[66];
    size_t secret_len = 0;
    uint8_t alert = CODEC_ALERT_INTERNAL_ERROR;
    CBB cbb;

    if (!c->psk_ke_only) {
        hs->kex_group = c->group;
        if (!kex_keygen(c->group, &hs->kex_key, hs->kex_pub, &hs->kex_pub_len))
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
        if (!kex_derive(c->group, hs->kex_key, cbs_data(c->share), cbs_len(c->share), secret,
                        &secret_len, &alert))
            return hs_fail(s, alert, 0);
        s->group = c->group;
    }
    if (!hs_consume(s))
        return HS_ERR;

    CODEC_SERVER_HELLO_OUT o;
    memset(&o, 0, sizeof(o));
    if (RAND_bytes(s->server_random, 32) != 1)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_RAND_LIB);
    o.random = s->server_random;
    o.session_id = cbs_data(&ch->session_id);
    o.session_id_len = cbs_len(&ch->session_id);
    o.cipher_suite = c->suite->suite;
    o.version = TLS1_3_VERSION;
    if (!c->psk_ke_only) {
        o.key_share_group = c->group;
        o.key_share_pub = hs->kex_pub;
        o.key_share_pub_len = hs->kex_pub_len;
    }
    o.has_psk = c->psk != NULL;
    o.psk_identity = (uint16_t)c->psk_index;
    if (!cbb_init(&cbb, 256) || !codec_write_server_hello(&cbb, &o)) {
        cbb_cleanup(&cbb);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    }
    if (!hs_send_cbb(s, &cbb))
        return HS_ERR;

    uint8_t hash[SESAME_MAX_HASH];
    int ok = tls13_sched_init(&hs->ks, hs->md, c->psk ? c->psk->master_key : NULL,
                              c->psk ? c->psk->master_key_len : 0) &&
             tls13_sched_advance(&hs->ks, secret_len ? secret : NULL, secret_len) &&
             hs_transcript_hash(s, hash) &&
             tls13_sched_derive(&hs->ks, hs->client_hs, "c hs traffic", hash) &&
             tls13_sched_derive(&hs->ks, hs->server_hs, "s hs traffic", hash);
    OPENSSL_cleanse(secret, sizeof(secret));
    if (!ok)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    hs_keylog(s, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", hs->client_hs, hs->hash_len);
    hs_keylog(s, "SERVER_HANDSHAKE_TRAFFIC_SECRET", hs->server_hs, hs->hash_len);
    if (rec_hs_buffered(s) != 0)
        return hs_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_NOT_ON_RECORD_BOUNDARY);
    if (!send_ccs_once(s, ch) || !rec_set_key13(s, 1, c->suite, hs->server_hs) ||
        !rec_set_key13(s, 0, c->suite, hs->client_hs))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);

    /* EncryptedExtensions */
    enum hs_ret r = select_alpn(s, ch);
    if (r != HS_OK)
        return r;
    CODEC_ENCRYPTED_EXTENSIONS_OUT ee;
    memset(&ee, 0, sizeof(ee));
    ee.alpn = s->alpn_selected;
    ee.alpn_len = s->alpn_selected_len;
    ee.server_name_ack = sni_ack && c->psk == NULL;
    if (!cbb_init(&cbb, 64) || !codec_write_encrypted_extensions(&cbb, &ee)) {
        cbb_cleanup(&cbb);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    }
    if (!hs_send_cbb(s, &cbb))
        return HS_ERR;

    if (c->psk == NULL) {
        CERT_SLOT *slot = NULL;
        uint16_t sigalg = 0;
        if (!codec_ch_has(ch, CODEC_EXT_SIGNATURE_ALGORITHMS))
            return hs_fail(s, CODEC_ALERT_MISSING_EXTENSION, SSL_R_MISSING_SIGALGS_EXTENSION);
        if (!cert_select_for_sigalgs(s, &ch->sigalgs, &slot, &sigalg))
            return hs_fail(s, CODEC_ALERT_HANDSHAKE_FAILURE, 0);
        if ((s->cfg.verify_mode & SSL_VERIFY_PEER) && (r = send_cert_request(s)) != HS_OK)
            return r;
        if (!tls13_send_certificate(s, slot, 1, sigalg))
            return HS_ERR;
        s->own_cert = slot->x509;
        s->own_key = slot->pkey;
    }
    if (!tls13_send_finished(s, hs->server_hs) || !tls13_derive_app_secrets(s) ||
        !rec_set_key13(s, 1, c->suite, s->s13.server_app))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    return HS_OK;
}

static enum hs_ret do_read_ch(SSL *s)
{
    struct hs_state *hs = s->hs;
    CBS body;
    CODEC_CLIENT_HELLO ch;
    struct ch_choice c;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;
    int sni_ack = 0;
    enum hs_ret r = hs_get_message(s, CODEC_HS_CLIENT_HELLO, &body);
    if (r != HS_OK)
        return r;
    if (!codec_parse_client_hello(&body, &ch, &alert))
        return hs_fail(s, alert, SSL_R_BAD_PACKET);
    if (!hs->hrr && (r = client_hello_callback(s, &ch)) != HS_OK)
        return r;
    if (!hs->hrr)
        sess_count(s->session_ctx, SESS_CNT_ACCEPT);
    if ((r = hello_checks(s, &ch)) != HS_OK)
        return r;
    memset(&c, 0, sizeof(c));
    if (!hs->hrr) {
        memcpy(s->client_random, cbs_data(&ch.random), 32);
        if (codec_ch_has(&ch, CODEC_EXT_SERVER_NAME) && cbs_len(&ch.server_name) > 0) {
            OPENSSL_free(s->hostname);
            s->hostname =
                OPENSSL_strndup((const char *)cbs_data(&ch.server_name), cbs_len(&ch.server_name));
            if (s->hostname == NULL)
                return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
        }
        if ((r = sni_callback(s, &sni_ack)) != HS_OK)
            return r;
        hs->sni_ack = (uint8_t)sni_ack; /* remembered across an HRR */
    } else {
        sni_ack = hs->sni_ack;
    }
    c.suite = choose_suite(s, &ch.cipher_suites, 0);
    if (c.suite == NULL || (hs->hrr && c.suite->suite != hs->hrr_suite))
        return hs_fail(s, CODEC_ALERT_HANDSHAKE_FAILURE, SSL_R_NO_SHARED_CIPHER);
    if (!hs->hrr) {
        hs->md = algs_md_by_nid(c.suite->md_nid);
        hs->hash_len = (size_t)EVP_MD_get_size(hs->md);
    }
    if (codec_ch_has(&ch, CODEC_EXT_SIGNATURE_ALGORITHMS))
        tls13_set_peer_sigalgs(s, &ch.sigalgs);
    choose_group(s, &ch, &c);
    if (hs->hrr && c.group != hs->kex_group) {
        /* RFC 8446 4.1.2: the second hello must carry the requested share. */
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_BAD_KEY_SHARE);
    }
    if ((r = choose_psk(s, &ch, &c)) != HS_OK)
        return r;
    /* The suite (and so the transcript hash) is final only now: a PSK may
     * have moved the choice to a suite sharing its hash. */
    if (!hs->hrr && !transcript_set_md(&hs->transcript, hs->md))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    if (c.psk == NULL || !c.psk_ke_only) {
        if (c.group == 0)
            return hs_fail(s, CODEC_ALERT_HANDSHAKE_FAILURE, SSL_R_NO_SHARED_GROUPS);
        if (c.share == NULL) {
            SSL_SESSION_free(c.psk);
            return send_hrr(s, &ch, &c);
        }
    }
    if (c.psk != NULL) {
        s->hit = 1;
        hs->offered_psk = c.psk; /* owned by hs now */
        hs->psk_ke_only = (uint8_t)c.psk_ke_only;
    }
    /* Stateful tickets are counted by the cache lookup itself. */
    if (codec_ch_has(&ch, CODEC_EXT_PRE_SHARED_KEY) && !(s->cfg.options & SSL_OP_NO_TICKET))
        sess_count(s->session_ctx, c.psk != NULL ? SESS_CNT_HIT : SESS_CNT_MISS);
    s->version = TLS1_3_VERSION;
    s->cipher = c.suite;
    if ((r = send_server_flight(s, &ch, &c, sni_ack)) != HS_OK)
        return r;
    hs->state = s->hit ? SS_READ_FIN : (hs->cert_requested ? SS_READ_CERT : SS_READ_FIN);
    return HS_OK;
}

static enum hs_ret do_read_cert(SSL *s)
{
    struct hs_state *hs = s->hs;
    CBS body;
    enum hs_ret r = hs_get_message(s, CODEC_HS_CERTIFICATE, &body);
    if (r != HS_OK)
        return r;
    if ((r = tls13_read_certificate(s, &body, 1)) != HS_OK)
        return r;
    if (hs->peer_chain == NULL) {
        if ((s->cfg.verify_mode & SSL_VERIFY_PEER) &&
            (s->cfg.verify_mode & SSL_VERIFY_FAIL_IF_NO_PEER_CERT))
            return hs_fail(s, CODEC_ALERT_CERTIFICATE_REQUIRED,
                           SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE);
        if (!hs_consume(s))
            return HS_ERR;
        hs->state = SS_READ_FIN;
        return HS_OK;
    }
    uint8_t alert = CODEC_ALERT_CERTIFICATE_UNKNOWN;
    if (!ssl_verify_peer_chain(s, hs->peer_chain, &alert))
        return hs_fail(s, alert, 0);
    if (!hs_consume(s))
        return HS_ERR;
    hs->state = SS_READ_CV;
    return HS_OK;
}

static enum hs_ret do_read_fin(SSL *s)
{
    struct hs_state *hs = s->hs;
    enum hs_ret r = tls13_read_finished(s, hs->client_hs);
    if (r != HS_OK)
        return r;
    if (!rec_set_key13(s, 0, s->cipher, s->s13.client_app) || !tls13_derive_resumption(s) ||
        !tls13_establish_session(s))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    sess_count(s->session_ctx, SESS_CNT_ACCEPT_GOOD);
    sess_cache_note_handshake(s->session_ctx);
    hs->state = SS_SEND_TICKETS;
    return HS_OK;
}

static enum hs_ret do_send_tickets(SSL *s)
{
    if (!tls13_send_tickets(s, s->cfg.num_tickets))
        return HS_ERR;
    s->hs->state = SS_DONE;
    return HS_OK;
}

enum hs_ret tls13_server_step(SSL *s)
{
    switch (s->hs->state) {
    case SS_READ_CH:
        return do_read_ch(s);
    case SS_READ_CERT:
        return do_read_cert(s);
    case SS_READ_CV:
        return tls13_read_cv(s, SS_READ_FIN);
    case SS_READ_FIN:
        return do_read_fin(s);
    case SS_SEND_TICKETS:
        return do_send_tickets(s);
    }
    return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_BAD_HANDSHAKE_STATE);
}

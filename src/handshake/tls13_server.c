/* TLS 1.3 server state machine, RFC 8446 2 and 4: one do_<state>() per step.
 *
 *   read_client_hello -> [send_hello_retry_request -> read_second_client_hello]
 *   -> [select_certificate] -> send_server_hello -> send_encrypted_extensions ->
 * [send_certificate_request]
 *   -> [send_server_certificate] -> send_server_finished
 *   -> [read_client_certificate -> [read_client_certificate_verify]]
 *   -> read_client_finished -> send_tickets -> done
 */
#include "internal.h"

#include <string.h>

#include "auth/auth.h"
#include "base/random.h"
#include "codec/cipher_suites.h"
#include "codec/consts.h"
#include "codec/groups.h"
#include "codec/hello.h"
#include "codec/messages12.h"
#include "codec/messages13.h"
#include "handshake/hs.h"
#include "keys/algs.h"
#include "record/record_io.h"

/* What the server decides from a ClientHello. */
struct ch_choice {
    const SSL_CIPHER *suite;
    uint16_t group;   /* chosen group (0: none usable) */
    const CBS *share; /* the client's share for |group|, or NULL */
    SSL_SESSION *psk; /* accepted PSK session (reference) */
    int psk_index;
    int psk_external;
    int psk_ke_only;
};

/* The early data a server that refuses 0-RTT skips (RFC 8446 4.2.10):
 * OpenSSL's default recv_max_early_data, plus each record's overhead. */
#define SKIP_EARLY_DATA_BUDGET (16384 + 64 * 256)

/* ---- choosing the parameters ---- */

/* choose_suite picks our suite for the client's list, by the client's order
 * unless SSL_OP_CIPHER_SERVER_PREFERENCE; |md_nid| (0: any) restricts the
 * choice to suites with that hash. */
static const SSL_CIPHER *choose_suite(SSL *s, const CBS *client_list, int md_nid)
{
    int server_pref = (s->cfg.options & SSL_OP_CIPHER_SERVER_PREFERENCE) != 0;
    CBS it = *client_list;
    uint16_t v;
    if (server_pref) {
        for (size_t i = 0; i < s->cfg.sh->num_suites13; i++)
            if ((md_nid == 0 || s->cfg.sh->suites13[i]->md_nid == md_nid) &&
                codec_u16_list_contains(client_list, s->cfg.sh->suites13[i]->suite))
                return s->cfg.sh->suites13[i];
        return NULL;
    }
    while (codec_u16_list_next(&it, &v))
        for (size_t i = 0; i < s->cfg.sh->num_suites13; i++)
            if (s->cfg.sh->suites13[i]->suite == v &&
                (md_nid == 0 || s->cfg.sh->suites13[i]->md_nid == md_nid))
                return s->cfg.sh->suites13[i];
    return NULL;
}

static int our_group(const SSL *s, uint16_t g)
{
    for (size_t i = 0; i < s->cfg.sh->num_groups; i++)
        if (s->cfg.sh->groups[i] == g)
            return kex_supported(g);
    return 0;
}

/* first_group: our most preferred group we can use. */
static uint16_t first_group(const SSL *s)
{
    for (size_t i = 0; i < s->cfg.sh->num_groups; i++)
        if (kex_supported(s->cfg.sh->groups[i]))
            return s->cfg.sh->groups[i];
    return 0;
}

/* choose_group uses a share the client sent for a group we support, in the
 * client's order (no HelloRetryRequest); else our first group the client
 * supports (then a HelloRetryRequest asks for its share). */
static void choose_group(SSL *s, const CODEC_CLIENT_HELLO *ch, struct ch_choice *c)
{
    c->group = 0;
    c->share = NULL;
    for (size_t i = 0; i < ch->num_key_shares; i++)
        if (our_group(s, ch->key_shares[i].group) &&
            (!codec_ch_has(ch, CODEC_EXT_SUPPORTED_GROUPS) ||
             codec_u16_list_contains(&ch->supported_groups, ch->key_shares[i].group))) {
            c->group = ch->key_shares[i].group;
            c->share = &ch->key_shares[i].key_exchange;
            return;
        }
    if (!codec_ch_has(ch, CODEC_EXT_SUPPORTED_GROUPS))
        return;
    for (size_t i = 0; i < s->cfg.sh->num_groups; i++)
        if (kex_supported(s->cfg.sh->groups[i]) &&
            codec_u16_list_contains(&ch->supported_groups, s->cfg.sh->groups[i])) {
            c->group = s->cfg.sh->groups[i];
            return;
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
    uint64_t now = sesame_now_ms();
    uint64_t server_age = now > ps->time_ms ? now - ps->time_ms : 0;
    /* the lifetime the ticket was sent with (older tickets carry it) */
    uint64_t lifetime = ps->ticket_lifetime_hint ? ps->ticket_lifetime_hint : ps->timeout;
    if (lifetime > CODEC_MAX_TICKET_LIFETIME)
        lifetime = CODEC_MAX_TICKET_LIFETIME;
    uint64_t lifetime_ms = lifetime * 1000;
    if (client_age > lifetime_ms + TICKET_AGE_SLACK_MS)
        return 0;
    uint64_t diff = client_age > server_age ? client_age - server_age : server_age - client_age;
    return diff <= TICKET_AGE_SLACK_MS;
}

/* check_binder verifies the PSK binder at |index| (RFC 8446 4.2.11.2). */
static int check_binder(SSL *s, const CODEC_CLIENT_HELLO *ch, const SSL_SESSION *psk, int external,
                        size_t index)
{
    const uint8_t *msg;
    size_t msg_len;
    uint8_t binder[SESAME_MAX_HASH];
    hs_current_message(s, &msg, &msg_len);
    size_t trunc = 4 + ch->psk_binders_offset;
    if (trunc > msg_len)
        return 0;
    int ok = tls13_psk_binder(s, s->hs->md, psk, external, msg, trunc, binder) &&
             cbs_mem_equal(&ch->psk_binders[index], binder, s->hs->hash_len);
    OPENSSL_cleanse(binder, sizeof(binder));
    return ok;
}

/* find_psk resolves one offered identity: the application's PSK callbacks
 * first, then our tickets.  *out is NULL when the identity is unknown. */
static int find_psk(SSL *s, const CBS *id, SSL_SESSION **out, int *out_external)
{
    int renew = 0;
    *out = NULL;
    *out_external = 0;
    if (s->cfg.psk_find_session_cb != NULL) {
        if (!s->cfg.psk_find_session_cb(s, cbs_data(id), cbs_len(id), out)) {
            ERR_raise(ERR_LIB_SSL, SSL_R_BAD_PSK);
            return 0;
        }
        *out_external = *out != NULL;
    }
    if (*out == NULL && s->cfg.psk_server_cb != NULL) {
        *out = tls13_psk_from_server_cb(s, cbs_data(id), cbs_len(id));
        *out_external = *out != NULL;
    }
    if (*out == NULL && !sess_ticket_accept(s, cbs_data(id), cbs_len(id), out, &renew))
        return 0;
    return 1;
}

/* psk_fits: the boundaries a resumption must never cross (session
 * contract); *io_suite may move to a suite with the PSK's hash on the first
 * hello (RFC 8446 4.2.11); after a HelloRetryRequest it is fixed. */
static int psk_fits(SSL *s, const CODEC_CLIENT_HELLO *ch, const SSL_SESSION *ps, int external,
                    size_t i, const SSL_CIPHER **io_suite)
{
    const SSL_CIPHER *suite = *io_suite;
    if (ps->version != TLS1_3_VERSION || ps->cipher == NULL || ps->master_key_len == 0)
        return 0;
    if (ps->cipher->md_nid != suite->md_nid && !s->hs->hrr)
        suite = choose_suite(s, &ch->cipher_suites, ps->cipher->md_nid);
    if (suite == NULL || ps->cipher->md_nid != suite->md_nid)
        return 0;
    if (!external) {
        const char *want = s->hostname ? s->hostname : "";
        const char *have = ps->hostname ? ps->hostname : "";
        if (!ticket_age_plausible(ps, ch->psk_ids[i].obfuscated_ticket_age) ||
            strcmp(want, have) != 0 || ps->sid_ctx_len != s->cfg.sh->sid_ctx_len ||
            memcmp(ps->sid_ctx, s->cfg.sh->sid_ctx, ps->sid_ctx_len) != 0)
            return 0;
    }
    *io_suite = suite;
    return 1;
}

/* psk_modes reads psk_key_exchange_modes: may a PSK be used with (EC)DHE
 * (*out_dhe), or alone (*out_ke, only with SSL_OP_ALLOW_NO_DHE_KEX)? */
static void psk_modes(const SSL *s, const CODEC_CLIENT_HELLO *ch, int *out_dhe, int *out_ke)
{
    CBS m = ch->psk_modes;
    uint8_t mode;
    *out_dhe = *out_ke = 0;
    if (!codec_ch_has(ch, CODEC_EXT_PRE_SHARED_KEY) ||
        !codec_ch_has(ch, CODEC_EXT_PSK_KEY_EXCHANGE_MODES))
        return;
    while (cbs_get_u8(&m, &mode)) {
        *out_dhe |= mode == CODEC_PSK_DHE_KE;
        *out_ke |= mode == CODEC_PSK_KE && (s->cfg.options & SSL_OP_ALLOW_NO_DHE_KEX);
    }
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
    int dhe, ke;
    psk_modes(s, ch, &dhe, &ke);
    int use_ke = !(dhe && c->share != NULL);
    if (use_ke && !ke)
        return HS_OK;
    for (size_t i = 0; i < ch->num_psks; i++) {
        SSL_SESSION *ps;
        int external;
        if (!find_psk(s, &ch->psk_ids[i].identity, &ps, &external))
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
        if (ps == NULL)
            continue;
        const SSL_CIPHER *suite = c->suite;
        if (!psk_fits(s, ch, ps, external, i, &suite)) {
            SSL_SESSION_free(ps);
            continue;
        }
        if (suite != c->suite) {
            c->suite = suite;
            if (!tls13_set_suite_md(s, suite)) {
                SSL_SESSION_free(ps);
                return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
            }
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

/* ---- callbacks the application gets during the ClientHello ---- */

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

/* sni_callback runs the servername callback (which may switch SSL_CTX). */
static enum hs_ret sni_callback(SSL *s)
{
    SSL_CTX *ctx = s->ctx;
    int al = SSL_AD_UNRECOGNIZED_NAME;
    s->hs->sni_ack = s->hostname != NULL;
    if (ctx->servername_cb == NULL)
        return HS_OK;
    switch (ctx->servername_cb(s, &al, ctx->servername_arg)) {
    case SSL_TLSEXT_ERR_ALERT_FATAL:
        return hs_fail(s, (uint8_t)al, SSL_R_CALLBACK_FAILED);
    case SSL_TLSEXT_ERR_NOACK:
        s->hs->sni_ack = 0;
        return HS_OK;
    default:
        return HS_OK;
    }
}

enum hs_ret hs_select_alpn(SSL *s, const CODEC_CLIENT_HELLO *ch)
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

/* do_select_certificate runs the certificate callback (SSL_CTX_set_cert_cb,
 * which may suspend the handshake: SSL_ERROR_WANT_X509_LOOKUP), then picks
 * our certificate for the client's signature schemes. */
static enum hs_ret do_select_certificate(SSL *s)
{
    struct hs_state *hs = s->hs;
    if (s->cert_cb != NULL) {
        int r = s->cert_cb(s, s->cert_cb_arg);
        if (r < 0) {
            s->rwstate = SSL_X509_LOOKUP;
            return HS_RETRY;
        }
        s->rwstate = SSL_NOTHING;
        if (r == 0)
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_CERT_CB_ERROR);
    }
    CBS peer;
    cbs_init(&peer, hs->peer_sigalgs, hs->peer_sigalgs_len);
    if (!auth_select_cert(s->cfg.sh->certs, s->cfg.cert_current, AUTH_SLOTS_ALL, s->cfg.sh->sigalgs,
                          s->cfg.sh->num_sigalgs, &peer, 1, &hs->cert_slot, &hs->sigalg))
        return hs_fail(s, CODEC_ALERT_HANDSHAKE_FAILURE, 0);
    hs_set_state(s, SS_SEND_SERVER_HELLO);
    return HS_OK;
}

/* ---- the ClientHellos ---- */

/* choose_version: RFC 8446 4.2.1 -- the highest version both speak, from
 * supported_versions when the client sent it, else from legacy_version
 * (RFC 5246 E.1); 0 with the failure path taken when there is none. */
static uint16_t choose_version(SSL *s, const CODEC_CLIENT_HELLO *ch)
{
    uint16_t lo, hi;
    /* RFC 8446 D.5: a legacy_version of SSL 3.0 or below is refused,
     * whatever supported_versions says. */
    if (ch->legacy_version <= SSL3_VERSION || !hs_version_range(s, &lo, &hi)) {
        hs_fail(s, CODEC_ALERT_PROTOCOL_VERSION, SSL_R_UNSUPPORTED_PROTOCOL);
        return 0;
    }
    if (codec_ch_has(ch, CODEC_EXT_SUPPORTED_VERSIONS)) {
        for (uint16_t v = hi; v >= lo && v >= TLS1_2_VERSION; v--)
            if (codec_u16_list_contains(&ch->supported_versions, v))
                return v;
    } else if (ch->legacy_version >= TLS1_2_VERSION && lo <= TLS1_2_VERSION) {
        return TLS1_2_VERSION;
    }
    hs_fail(s, CODEC_ALERT_PROTOCOL_VERSION, SSL_R_UNSUPPORTED_PROTOCOL);
    return 0;
}

/* check_hello: compression, and the extensions RFC 8446 requires. */
static enum hs_ret check_hello(SSL *s, const CODEC_CLIENT_HELLO *ch, uint16_t version)
{
    /* RFC 8446 4.1.2, RFC 5246 7.4.1.2: the null compression method, and
     * in TLS 1.3 nothing else. */
    CBS cm = ch->compression_methods;
    uint8_t method;
    int has_null = 0;
    while (cbs_get_u8(&cm, &method))
        has_null |= method == 0;
    if (!has_null || (version == TLS1_3_VERSION && cbs_len(&ch->compression_methods) != 1))
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_UNSUPPORTED_COMPRESSION_ALGORITHM);
    if (version != TLS1_3_VERSION) {
        /* RFC 7507 3: a client retrying with less than it could do (the
         * fallback SCSV) while we do more: someone interfered */
        uint16_t lo, hi;
        hs_version_range(s, &lo, &hi);
        if (version < hi && codec_u16_list_contains(&ch->cipher_suites, CODEC_TLS_FALLBACK_SCSV))
            return hs_fail(s, CODEC_ALERT_INAPPROPRIATE_FALLBACK, SSL_R_INAPPROPRIATE_FALLBACK);
        return HS_OK;
    }
    /* RFC 8446 9.2: supported_groups and key_share come together; without
     * a PSK, signature_algorithms and supported_groups are required. */
    int groups = codec_ch_has(ch, CODEC_EXT_SUPPORTED_GROUPS);
    int shares = codec_ch_has(ch, CODEC_EXT_KEY_SHARE);
    int psk = codec_ch_has(ch, CODEC_EXT_PRE_SHARED_KEY);
    if (groups && !shares)
        return hs_fail(s, CODEC_ALERT_MISSING_EXTENSION, SSL_R_NO_SUITABLE_KEY_SHARE);
    if ((shares || !psk) && !groups)
        return hs_fail(s, CODEC_ALERT_MISSING_EXTENSION, SSL_R_MISSING_SUPPORTED_GROUPS_EXTENSION);
    if (!psk && !codec_ch_has(ch, CODEC_EXT_SIGNATURE_ALGORITHMS))
        return hs_fail(s, CODEC_ALERT_MISSING_EXTENSION, SSL_R_MISSING_SIGALGS_EXTENSION);
    return HS_OK;
}

/* send_hrr_next: answer with a HelloRetryRequest asking for |group|. */
static enum hs_ret send_hrr_next(SSL *s, uint16_t group)
{
    struct hs_state *hs = s->hs;
    hs->kex_group = group;
    if (!transcript_set_md(&hs->transcript, hs->md) || !hs_consume(s) ||
        !transcript_hrr_restart(&hs->transcript))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    hs_set_state(s, SS_SEND_HELLO_RETRY_REQUEST);
    return HS_OK;
}

/* choose_params decides suite, group and PSK for a ClientHello and moves
 * to the HelloRetryRequest, the certificate choice or the ServerHello.
 * The ClientHello is consumed (in the transcript) on success. */
static enum hs_ret choose_params(SSL *s, const CODEC_CLIENT_HELLO *ch)
{
    struct hs_state *hs = s->hs;
    struct ch_choice c;
    enum hs_ret r;
    int dhe, ke;
    memset(&c, 0, sizeof(c));

    c.suite = choose_suite(s, &ch->cipher_suites, 0);
    if (c.suite == NULL || (hs->hrr && c.suite->suite != hs->hrr_suite))
        return hs_fail(s, CODEC_ALERT_HANDSHAKE_FAILURE, SSL_R_NO_SHARED_CIPHER);
    if (!hs->hrr && !tls13_set_suite_md(s, c.suite))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    hs->hrr_suite = c.suite->suite;
    if (codec_ch_has(ch, CODEC_EXT_SIGNATURE_ALGORITHMS) &&
        !tls13_set_peer_sigalgs(s, &ch->sigalgs))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    choose_group(s, ch, &c);
    /* RFC 8446 4.1.2: the second hello must carry the share we asked for;
     * RFC 8446 4.1.4: there is never a second HelloRetryRequest. */
    if (hs->hrr && (c.group != hs->kex_group || c.share == NULL))
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_BAD_KEY_SHARE);
    psk_modes(s, ch, &dhe, &ke);
    if (c.share == NULL && !ke) {
        /* No usable share and no PSK-only mode: ask for a share before
         * looking at PSKs (a single-use ticket must not be spent on a
         * hello we do not answer). */
        if (c.group == 0)
            return hs_fail(s, CODEC_ALERT_HANDSHAKE_FAILURE, SSL_R_NO_SHARED_GROUPS);
        return send_hrr_next(s, c.group);
    }
    if ((r = choose_psk(s, ch, &c)) != HS_OK)
        return r;
    /* From here the PSK is owned by hs (freed with it). */
    hs->psk = c.psk;
    hs->psk_index = c.psk_index;
    hs->offered_external = (uint8_t)c.psk_external;
    hs->psk_ke_only = (uint8_t)(c.psk != NULL && c.psk_ke_only);
    hs->hrr_suite = c.suite->suite;
    s->cipher = c.suite;
    if (!hs->psk_ke_only) {
        if (c.group == 0)
            return hs_fail(s, CODEC_ALERT_HANDSHAKE_FAILURE, SSL_R_NO_SHARED_GROUPS);
        if (c.share == NULL) {
            SSL_SESSION_free(hs->psk);
            hs->psk = NULL;
            return send_hrr_next(s, c.group);
        }
        /* the (EC)DHE secret now, so a bad share fails before ServerHello */
        uint8_t alert = CODEC_ALERT_INTERNAL_ERROR;
        hs->kex_group = c.group;
        hs->groups_in_ee = c.group != first_group(s);
        if (!kex_keygen(c.group, &hs->kex_key, hs->kex_pub, &hs->kex_pub_len))
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
        if (!kex_derive(c.group, hs->kex_key, cbs_data(c.share), cbs_len(c.share), hs->kex_secret,
                        &hs->kex_secret_len, &alert))
            return hs_fail(s, alert, 0);
        s->group = c.group;
        if (!tls13_keep_kex_shares(s, cbs_data(c.share), cbs_len(c.share)))
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
    }
    /* The suite (and so the transcript hash) is final only now: a PSK may
     * have moved the choice to a suite sharing its hash. */
    if (!transcript_set_md(&hs->transcript, hs->md))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    if ((r = hs_select_alpn(s, ch)) != HS_OK)
        return r;
    if (hs->psk != NULL) {
        s->hit = 1;
        hs_server_resuming(s, 1);
    }
    /* Stateful tickets are counted by the cache lookup itself. */
    if (codec_ch_has(ch, CODEC_EXT_PRE_SHARED_KEY) && !(s->cfg.options & SSL_OP_NO_TICKET))
        sess_count(s->session_ctx, hs->psk != NULL ? SESS_CNT_HIT : SESS_CNT_MISS);
    s->version = TLS1_3_VERSION;
    if (!hs_consume(s))
        return HS_ERR;
    if (hs->psk != NULL)
        hs_set_state(s, SS_SEND_SERVER_HELLO);
    else /* still part of reading the ClientHello */
        hs_set_state_quietly(s, SS_SELECT_CERTIFICATE);
    return HS_OK;
}

static enum hs_ret get_client_hello(SSL *s, CODEC_CLIENT_HELLO *ch)
{
    CBS body;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;
    enum hs_ret r = hs_get_message(s, CODEC_HS_CLIENT_HELLO, &body);
    if (r != HS_OK)
        return r;
    if (!codec_parse_client_hello(&body, ch, &alert))
        return hs_fail(s, alert, SSL_R_BAD_PACKET);
    return HS_OK;
}

/* note_client_suites keeps the suites of the client's list that we know,
 * for SSL_get_client_ciphers and SSL_get_shared_ciphers (OpenSSL keeps the
 * client's list once a suite was chosen, and replaces it after a
 * HelloRetryRequest). */
static void note_client_suites(SSL *s, const CBS *client_list)
{
    CBS it = *client_list;
    uint16_t v;
    size_t n = 0;
    while (n < sizeof(s->peer_suites) / sizeof(s->peer_suites[0]) && codec_u16_list_next(&it, &v))
        if (suite_by_value(v) != NULL)
            s->peer_suites[n++] = v;
    s->num_peer_suites = (uint8_t)n;
    sk_SSL_CIPHER_free(s->peer_cipher_stack);
    s->peer_cipher_stack = NULL;
}

/* keep_peer_lists: what the application may ask about a hello (of
 * |version|) later, noted as OpenSSL notes it, before anything is chosen
 * (a second hello's lists replace the first's): its suites
 * (SSL_get_client_ciphers), its supported_groups (SSL_get1_groups,
 * SSL_get_shared_group), in TLS 1.2 its ec_point_formats, in TLS 1.3 its
 * certificate_authorities (SSL_get0_peer_CA_list), and whether it signals
 * secure renegotiation (the SCSV, in any version; in TLS 1.2 the
 * renegotiation_info extension too, tls12_server.c). */
static enum hs_ret keep_peer_lists(SSL *s, const CODEC_CLIENT_HELLO *ch, uint16_t version)
{
    CBS none;
    cbs_init(&none, NULL, 0);
    note_client_suites(s, &ch->cipher_suites);
    const CBS *groups =
        codec_ch_has(ch, CODEC_EXT_SUPPORTED_GROUPS) ? &ch->supported_groups : &none;
    if (!hs_keep_u16_list(groups, &s->peer_groups_all, &s->num_peer_groups_all))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    s->peer_groups = groups_pack(groups);
    /* RFC 8422 5.1.2: a TLS 1.2 extension, ignored in TLS 1.3 (OpenSSL) */
    const CBS *formats = version == TLS1_2_VERSION && codec_ch_has(ch, CODEC_EXT_EC_POINT_FORMATS)
                             ? &ch->ec_point_formats
                             : &none;
    if (!hs_keep_u8_list(formats, &s->peer_ec_point_formats, &s->num_peer_ec_point_formats))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    s->ri_support = codec_u16_list_contains(&ch->cipher_suites, CODEC_SCSV_RENEGOTIATION);
    /* RFC 8446 4.2.4: the CAs the client's certificate may chain to */
    if (version == TLS1_3_VERSION && codec_ch_has(ch, CODEC_EXT_CERTIFICATE_AUTHORITIES))
        return hs_keep_peer_ca_names(s, &ch->certificate_authorities);
    return HS_OK;
}

static enum hs_ret do_read_client_hello(SSL *s)
{
    struct hs_state *hs = s->hs;
    CODEC_CLIENT_HELLO ch;
    enum hs_ret r;
    if ((r = get_client_hello(s, &ch)) != HS_OK)
        return r;
    /* the application's callback and the count once per hello, even when a
     * later callback suspends the handshake and the hello is read again */
    if (!hs->hello_seen) {
        if ((r = client_hello_callback(s, &ch)) != HS_OK)
            return r;
        sess_count(s->session_ctx, SESS_CNT_ACCEPT);
        hs->hello_seen = 1;
    }
    uint16_t version = choose_version(s, &ch);
    if (version == 0)
        return HS_ERR;
    if ((r = check_hello(s, &ch, version)) != HS_OK)
        return r;
    s->rl.ccs_allowed = version == TLS1_3_VERSION; /* RFC 8446 5: from the first hello on */
    memcpy(s->client_random, cbs_data(&ch.random), 32);
    hs->legacy_sid_len = cbs_len(&ch.session_id);
    memcpy(hs->legacy_sid, cbs_data(&ch.session_id), hs->legacy_sid_len);
    hs->early_data = codec_ch_has(&ch, CODEC_EXT_EARLY_DATA) != 0;
    hs->pha_offered = ch.post_handshake_auth != 0;
    if (codec_ch_has(&ch, CODEC_EXT_SERVER_NAME) && cbs_len(&ch.server_name) > 0) {
        OPENSSL_free(s->hostname);
        s->hostname =
            OPENSSL_strndup((const char *)cbs_data(&ch.server_name), cbs_len(&ch.server_name));
        if (s->hostname == NULL)
            return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
    }
    if ((r = sni_callback(s)) != HS_OK)
        return r;
    if ((r = keep_peer_lists(s, &ch, version)) != HS_OK)
        return r;
    if (version == TLS1_2_VERSION)
        return tls12_server_client_hello(s, &ch);
    return choose_params(s, &ch);
}

static enum hs_ret do_read_second_client_hello(SSL *s)
{
    struct hs_state *hs = s->hs;
    CODEC_CLIENT_HELLO ch;
    enum hs_ret r;
    if ((r = get_client_hello(s, &ch)) != HS_OK)
        return r;
    /* RFC 8446 4.1.4: the version stays TLS 1.3 */
    if (choose_version(s, &ch) != TLS1_3_VERSION)
        return s->fatal ? HS_ERR : hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_BAD_PACKET);
    if ((r = check_hello(s, &ch, TLS1_3_VERSION)) != HS_OK)
        return r;
    /* RFC 8446 4.1.2: the second hello repeats the first, without early
     * data and with the legacy session id unchanged. */
    if (codec_ch_has(&ch, CODEC_EXT_EARLY_DATA) ||
        !cbs_mem_equal(&ch.session_id, hs->legacy_sid, hs->legacy_sid_len))
        return hs_fail(s, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_BAD_PACKET);
    if ((r = keep_peer_lists(s, &ch, TLS1_3_VERSION)) != HS_OK)
        return r;
    return choose_params(s, &ch);
}

/* ---- the server's flight ---- */

static enum hs_ret do_send_hello_retry_request(SSL *s)
{
    struct hs_state *hs = s->hs;
    CODEC_SERVER_HELLO_OUT o;
    CBB cbb;
    memset(&o, 0, sizeof(o));
    o.session_id = hs->legacy_sid;
    o.session_id_len = hs->legacy_sid_len;
    o.cipher_suite = hs->hrr_suite;
    o.version = TLS1_3_VERSION;
    o.is_hrr = 1;
    o.hrr_group = hs->kex_group;
    if (!cbb_init(&cbb, 128) || !codec_write_server_hello(&cbb, &o)) {
        cbb_cleanup(&cbb);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    }
    int ccs = !hs->ccs_sent;
    if (!hs_send_cbb(s, &cbb) || !tls13_queue_compat_ccs(s))
        return HS_ERR;
    hs->hrr = 1;
    /* RFC 8446 4.2.10: the client's early data may follow its first hello;
     * skip it until the second. */
    if (hs->early_data)
        rec_skip_early_data(s, REC_SKIP_APPDATA, SKIP_EARLY_DATA_BUDGET);
    if (ccs && hs->ccs_sent)
        hs_set_state(s, SS_SEND_COMPAT_CCS);
    hs_set_state(s, SS_EARLY_DATA);
    hs_set_state_to_read(s, SS_READ_SECOND_CLIENT_HELLO);
    return HS_OK;
}

static enum hs_ret do_send_server_hello(SSL *s)
{
    struct hs_state *hs = s->hs;
    CODEC_SERVER_HELLO_OUT o;
    CBB cbb;
    if (rand_public(s->server_random, 32) != 1)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_RAND_LIB);
    memset(&o, 0, sizeof(o));
    o.random = s->server_random;
    o.session_id = hs->legacy_sid;
    o.session_id_len = hs->legacy_sid_len;
    o.cipher_suite = s->cipher->suite;
    o.version = TLS1_3_VERSION;
    if (!hs->psk_ke_only) {
        o.key_share_group = hs->kex_group;
        o.key_share_pub = hs->kex_pub;
        o.key_share_pub_len = hs->kex_pub_len;
    }
    o.has_psk = hs->psk != NULL;
    o.psk_identity = (uint16_t)hs->psk_index;
    if (!cbb_init(&cbb, 256) || !codec_write_server_hello(&cbb, &o)) {
        cbb_cleanup(&cbb);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    }
    if (!hs_send_cbb(s, &cbb))
        return HS_ERR;
    int ok = tls13_derive_handshake_secrets(s, hs->psk, hs->kex_secret, hs->kex_secret_len);
    OPENSSL_cleanse(hs->kex_secret, hs->kex_secret_len);
    hs->kex_secret_len = 0;
    if (!ok)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    /* RFC 8446 5.1: no handshake data may straddle the key change. */
    if (rec_hs_buffered(s) != 0)
        return hs_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_NOT_ON_RECORD_BOUNDARY);
    int ccs = !hs->ccs_sent;
    if (!tls13_queue_compat_ccs(s))
        return HS_ERR;
    if (!rec_set_key13(s, 1, s->cipher, hs->server_hs) ||
        !rec_set_key13(s, 0, s->cipher, hs->client_hs))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, 0);
    /* RFC 8446 4.2.10: we never accept 0-RTT; skip what cannot decrypt. */
    if (hs->early_data && !hs->hrr)
        rec_skip_early_data(s, REC_SKIP_UNDECRYPTABLE, SKIP_EARLY_DATA_BUDGET);
    else
        rec_skip_early_data(s, REC_SKIP_NONE, 0);
    if (ccs && hs->ccs_sent)
        hs_set_state(s, SS_SEND_COMPAT_CCS);
    hs_set_state(s, SS_SEND_ENCRYPTED_EXTENSIONS);
    return HS_OK;
}

static enum hs_ret do_send_encrypted_extensions(SSL *s)
{
    struct hs_state *hs = s->hs;
    CODEC_ENCRYPTED_EXTENSIONS_OUT ee;
    uint16_t groups[SESAME_MAX_GROUPS];
    size_t n = 0;
    CBB cbb;
    memset(&ee, 0, sizeof(ee));
    ee.alpn = s->alpn_selected;
    ee.alpn_len = s->alpn_selected_len;
    ee.server_name_ack = hs->sni_ack && hs->psk == NULL;
    /* As OpenSSL: tell the client our preference when its share was not our
     * first choice, so its next hello can send the better one. */
    if (hs->groups_in_ee) {
        for (size_t i = 0; i < s->cfg.sh->num_groups && n < SESAME_MAX_GROUPS; i++)
            if (kex_supported(s->cfg.sh->groups[i]))
                groups[n++] = s->cfg.sh->groups[i];
        ee.groups = groups;
        ee.num_groups = n;
    }
    if (!cbb_init(&cbb, 64) || !codec_write_encrypted_extensions(&cbb, &ee)) {
        cbb_cleanup(&cbb);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    }
    if (!hs_send_cbb(s, &cbb))
        return HS_ERR;
    if (hs->psk != NULL)
        hs_set_state(s, SS_SEND_SERVER_FINISHED);
    else if ((s->cfg.verify_mode & SSL_VERIFY_PEER) &&
             !(s->cfg.verify_mode & SSL_VERIFY_POST_HANDSHAKE))
        hs_set_state(s, SS_SEND_CERTIFICATE_REQUEST);
    else
        hs_set_state(s, SS_SEND_SERVER_CERTIFICATE);
    return HS_OK;
}

static enum hs_ret do_send_certificate_request(SSL *s)
{
    if (!tls13_send_certificate_request(s, NULL, 0))
        return HS_ERR;
    hs_set_state(s, SS_SEND_SERVER_CERTIFICATE);
    return HS_OK;
}

static enum hs_ret do_send_server_certificate(SSL *s)
{
    struct hs_state *hs = s->hs;
    const CERT_SLOT *slot = &s->cfg.sh->certs[hs->cert_slot];
    if (!tls13_send_certificate(s, slot, hs->sigalg))
        return HS_ERR;
    s->own_cert = slot->x509;
    s->own_key = slot->pkey;
    hs_set_state(s, SS_SEND_SERVER_CERTIFICATE_VERIFY); /* sent with the certificate */
    hs_set_state(s, SS_SEND_SERVER_FINISHED);
    return HS_OK;
}

static enum hs_ret do_send_server_finished(SSL *s)
{
    struct hs_state *hs = s->hs;
    if (!tls13_send_finished(s, hs->server_hs))
        return HS_ERR;
    if (!tls13_derive_app_secrets(s) || !rec_set_key13(s, 1, s->cipher, s->s13.server_app))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    hs_set_state(s, SS_EARLY_DATA);
    hs_set_state_to_read(s,
                         hs->cert_requested ? SS_READ_CLIENT_CERTIFICATE : SS_READ_CLIENT_FINISHED);
    return HS_OK;
}

/* ---- the client's second flight ---- */

static enum hs_ret do_read_client_certificate(SSL *s)
{
    struct hs_state *hs = s->hs;
    enum hs_ret r = tls13_read_certificate(s, 1);
    if (r != HS_OK)
        return r;
    if (hs->peer_chain == NULL) {
        if ((s->cfg.verify_mode & SSL_VERIFY_PEER) &&
            (s->cfg.verify_mode & SSL_VERIFY_FAIL_IF_NO_PEER_CERT))
            return hs_fail(s, CODEC_ALERT_CERTIFICATE_REQUIRED,
                           SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE);
        hs_set_state(s, SS_READ_CLIENT_FINISHED);
        return HS_OK;
    }
    if ((r = hs_verify_peer_chain(s)) != HS_OK)
        return r;
    hs_set_state(s, SS_READ_CLIENT_CERTIFICATE_VERIFY);
    return HS_OK;
}

static enum hs_ret do_read_client_certificate_verify(SSL *s)
{
    enum hs_ret r = tls13_read_cert_verify(s);
    if (r != HS_OK)
        return r;
    hs_set_state(s, SS_READ_CLIENT_FINISHED);
    return HS_OK;
}

static enum hs_ret do_read_client_finished(SSL *s)
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
    hs_set_state(s, SS_SEND_TICKETS);
    /* As OpenSSL's server: the handshake is done, then the tickets go out. */
    hs_info(s, SSL_CB_HANDSHAKE_DONE, 1);
    hs->done_reported = 1;
    return HS_OK;
}

static enum hs_ret do_send_tickets(SSL *s)
{
    /* As OpenSSL: a resumed connection gets one fresh ticket (single use,
     * contract S9); SSL_CTX_set_num_tickets governs full handshakes. */
    size_t n = s->cfg.num_tickets;
    if (s->hit && n > 1)
        n = 1;
    if (!tls13_send_tickets(s, n))
        return HS_ERR;
    /* one step per ticket, as OpenSSL's server reports them */
    for (size_t i = 1; i < n; i++)
        hs_info(s, SSL_CB_ACCEPT_LOOP, 1);
    if (n > 0)
        hs_set_state(s, SS_DONE);
    else
        hs_set_state_quietly(s, SS_DONE);
    return HS_OK;
}

enum hs_ret tls13_server_step(SSL *s)
{
    switch (s->hs->state) {
    case SS_READ_CLIENT_HELLO:
        return do_read_client_hello(s);
    case SS_SEND_HELLO_RETRY_REQUEST:
        return do_send_hello_retry_request(s);
    case SS_READ_SECOND_CLIENT_HELLO:
        return do_read_second_client_hello(s);
    case SS_SELECT_CERTIFICATE:
        return do_select_certificate(s);
    case SS_SEND_SERVER_HELLO:
        return do_send_server_hello(s);
    case SS_SEND_ENCRYPTED_EXTENSIONS:
        return do_send_encrypted_extensions(s);
    case SS_SEND_CERTIFICATE_REQUEST:
        return do_send_certificate_request(s);
    case SS_SEND_SERVER_CERTIFICATE:
        return do_send_server_certificate(s);
    case SS_SEND_SERVER_FINISHED:
        return do_send_server_finished(s);
    case SS_READ_CLIENT_CERTIFICATE:
        return do_read_client_certificate(s);
    case SS_READ_CLIENT_CERTIFICATE_VERIFY:
        return do_read_client_certificate_verify(s);
    case SS_READ_CLIENT_FINISHED:
        return do_read_client_finished(s);
    case SS_SEND_TICKETS:
        return do_send_tickets(s);
    }
    return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, SSL_R_BAD_HANDSHAKE_STATE);
}

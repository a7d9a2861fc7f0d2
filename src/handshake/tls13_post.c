/* TLS 1.3 after the handshake: NewSessionTicket (RFC 8446 4.6.1) both ways,
 * KeyUpdate (4.6.3) both ways, and the dispatch of post-handshake
 * authentication messages (tls13_pha.c).  Every count a peer controls is
 * bounded: consecutive post-handshake messages and KeyUpdates without
 * application data between them, and at most one KeyUpdate reply waiting
 * to be written. */
#include "internal.h"

#include <string.h>

#include "base/random.h"
#include "codec/consts.h"
#include "codec/messages13.h"
#include "handshake/hs.h"
#include "handshake/pha.h"
#include "keys/tls13_schedule.h"
#include "record/record_io.h"

/* RFC 8446 4.6.1: at most seven days. */
#define MAX_TICKET_LIFETIME 604800
/* KeyUpdates in a row without application data (BoringSSL: 32). */
#define MAX_KEY_UPDATES 32

/* queue_cbb queues a post-handshake message (not part of any transcript). */
static int queue_cbb(SSL *s, CBB *cbb)
{
    uint8_t *m;
    size_t len;
    if (!cbb_finish(cbb, &m, &len)) {
        cbb_cleanup(cbb);
        return 0;
    }
    int ok = rec_queue(s, REC_HANDSHAKE, m, len);
    if (ok)
        hs_msg_cb(s, 1, m, len);
    OPENSSL_free(m);
    return ok;
}

/* issue_one builds the session a ticket stands for and queues the ticket. */
static int issue_one(SSL *s)
{
    uint8_t nonce[8];
    uint64_t n = s->tickets_sent;
    for (int i = 7; i >= 0; i--, n >>= 8)
        nonce[i] = (uint8_t)n;
    SSL_SESSION *t = sess_dup(s->ticket_base != NULL ? s->ticket_base : s->session, 0);
    CBB tk, cbb;
    uint8_t *ticket = NULL;
    size_t ticket_len = 0;
    int ok = 0;
    if (t == NULL)
        return 0;
    uint64_t lifetime = (uint64_t)s->session_ctx->session_timeout;
    if (lifetime > MAX_TICKET_LIFETIME)
        lifetime = MAX_TICKET_LIFETIME;
    t->master_key_len = (uint8_t)s->s13.hash_len;
    t->time_ms = sesame_now_ms();
    t->timeout = (uint64_t)s->session_ctx->session_timeout;
    /* as OpenSSL, the server's session carries no lifetime hint (only a
     * client's does): the lifetime sent is min(timeout, 7 days), which is
     * what ticket_age_plausible applies */
    if (!tls13_resumption_psk(s->s13.md, t->master_key, s->s13.resumption, nonce, sizeof(nonce)) ||
        rand_public((uint8_t *)&t->ticket_age_add, sizeof(t->ticket_age_add)) != 1)
        goto out;
    if (!cbb_init(&tk, 256))
        goto out;
    if (!sess_ticket_issue(s, t, &tk) || !cbb_finish(&tk, &ticket, &ticket_len)) {
        cbb_cleanup(&tk);
        goto out;
    }
    if (ticket_len == 0) { /* the application's callback declined */
        ok = 1;
        goto out;
    }
    ok = cbb_init(&cbb, ticket_len + 32) &&
         codec_write_new_session_ticket(&cbb, (uint32_t)lifetime, t->ticket_age_add, nonce,
                                        sizeof(nonce), ticket, ticket_len, 0, 0) &&
         queue_cbb(s, &cbb);
    if (!ok)
        cbb_cleanup(&cbb);
    if (ok) {
        s->tickets_sent++;
        /* As in OpenSSL, the connection's session becomes the one the newest
         * ticket stands for: an unclean end then removes it (S10). */
        SSL_SESSION_free(s->session);
        s->session = t;
        t = NULL;
    }
out:
    OPENSSL_free(ticket);
    SSL_SESSION_free(t);
    if (!ok)
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
    return ok;
}

int tls13_send_tickets(SSL *s, size_t n)
{
    if (n == 0 || s->session == NULL || s->s13.md == NULL)
        return 1;
    if (s->ticket_base == NULL) {
        if (!SSL_SESSION_up_ref(s->session)) {
            hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
            return 0;
        }
        s->ticket_base = s->session;
    }
    for (size_t i = 0; i < n; i++)
        if (!issue_one(s)) {
            ssl_fatal(s, CODEC_ALERT_INTERNAL_ERROR);
            return 0;
        }
    return 1;
}

/* own_secret / peer_secret: the application traffic secrets by role. */
static uint8_t *own_secret(SSL *s)
{
    return s->server ? s->s13.server_app : s->s13.client_app;
}

static uint8_t *peer_secret(SSL *s)
{
    return s->server ? s->s13.client_app : s->s13.server_app;
}

int tls13_send_key_update(SSL *s, int request)
{
    CBB cbb;
    if (!cbb_init(&cbb, 8) || !codec_write_key_update(&cbb, (uint8_t)request) ||
        !queue_cbb(s, &cbb) || !tls13_next_traffic_secret(s->s13.md, own_secret(s)) ||
        !rec_set_key13(s, 1, s->cipher, own_secret(s))) {
        cbb_cleanup(&cbb);
        hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    s->key_update_pending = 0;
    return 1;
}

/* client_ticket turns a NewSessionTicket into a new resumable session that
 * replaces the connection's (S7) and is announced to the application (S8). */
static enum hs_ret client_ticket(SSL *s, CBS *body)
{
    CODEC_NEW_SESSION_TICKET nst;
    uint8_t alert = CODEC_ALERT_DECODE_ERROR;
    if (!codec_parse_new_session_ticket(body, &nst, &alert))
        return hs_fail(s, alert, SSL_R_BAD_PACKET);
    if (nst.lifetime == 0 || s->session == NULL)
        return HS_OK; /* RFC 8446 4.6.1: zero lifetime = discard immediately */
    /* The copy shares the connection's peer certificates and sid_ctx/SNI/
     * ALPN block; only the ticket is its own. */
    SSL_SESSION *ns = sess_dup(s->session, 0);
    if (ns == NULL)
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_MALLOC_FAILURE);
    if (!sess_client_set_ticket(ns, cbs_data(&nst.ticket), cbs_len(&nst.ticket), nst.lifetime,
                                nst.age_add) ||
        !tls13_resumption_psk(s->s13.md, ns->master_key, s->s13.resumption, cbs_data(&nst.nonce),
                              cbs_len(&nst.nonce))) {
        SSL_SESSION_free(ns);
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    }
    ns->master_key_len = (uint8_t)s->s13.hash_len;
    ns->timeout = nst.lifetime;
    ns->max_early_data = nst.has_early_data ? nst.max_early_data : 0;
    ns->not_resumable = 0;
    SSL_SESSION_free(s->session);
    s->session = ns;
    /* Contract S9: the ticket this connection resumed with is now spent;
     * with a fresher one in hand, the client never offers it again. */
    if (s->psk_session != NULL) {
        s->psk_session->not_resumable = 1;
        SSL_SESSION_free(s->psk_session);
        s->psk_session = NULL;
    }
    if (!sess_cache_add_new(s, ns))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    return HS_OK;
}

/* key_update switches the peer's key and owes it one reply when asked.
 * Replies coalesce: while one is queued and unwritten, a new request needs
 * no second one (RFC 8446 4.6.3), so a peer that never reads cannot make
 * us buffer without bound. */
static enum hs_ret key_update(SSL *s, CBS *body)
{
    uint8_t req, alert = CODEC_ALERT_DECODE_ERROR;
    if (!codec_parse_key_update(body, &req, &alert))
        return hs_fail(s, alert, SSL_R_BAD_KEY_UPDATE);
    if (++s->key_updates > MAX_KEY_UPDATES)
        return hs_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_TOO_MANY_KEY_UPDATES);
    /* RFC 8446 5.1: a key change must align with a record boundary. */
    if (rec_hs_buffered(s) != 0)
        return hs_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_NOT_ON_RECORD_BOUNDARY);
    if (!tls13_next_traffic_secret(s->s13.md, peer_secret(s)) ||
        !rec_set_key13(s, 0, s->cipher, peer_secret(s)))
        return hs_fail(s, CODEC_ALERT_INTERNAL_ERROR, ERR_R_INTERNAL_ERROR);
    if (s->ku_reply_unsent && rec_pending_output(s) == 0)
        s->ku_reply_unsent = 0;
    if (req == CODEC_KEY_UPDATE_REQUESTED && !(s->shutdown & SSL_SENT_SHUTDOWN) &&
        !s->ku_reply_unsent) {
        if (!tls13_send_key_update(s, CODEC_KEY_UPDATE_NOT_REQUESTED))
            return HS_ERR;
        s->ku_reply_unsent = 1;
    }
    return HS_OK;
}

enum hs_ret tls13_post_handshake(SSL *s)
{
    for (;;) {
        const uint8_t *msg;
        size_t len;
        uint8_t type;
        CBS body;
        enum hs_ret out;
        if (!hs_post_next(s, &msg, &len, &type, &body, &out))
            return out;
        enum hs_ret h;
        if (tls13_pha_wants(s, type)) {
            /* post-handshake authentication keeps its own transcript */
            h = tls13_pha_message(s);
            if (h != HS_OK) {
                if (h == HS_RETRY)
                    s->post_hs_msgs--; /* presented again */
                return h;
            }
            continue;
        }
        hs_msg_cb(s, 0, msg, len);
        rec_hs_consume(s);
        if (type == CODEC_HS_NEW_SESSION_TICKET && !s->server)
            h = client_ticket(s, &body);
        else if (type == CODEC_HS_KEY_UPDATE)
            h = key_update(s, &body);
        else
            h = hs_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_UNEXPECTED_MESSAGE);
        if (h != HS_OK)
            return h;
    }
}

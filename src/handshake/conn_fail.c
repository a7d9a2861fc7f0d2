/* The one failure path of a connection: every fatal error, found by the
 * record layer, a state machine, the post-handshake code or the API layer,
 * ends here. */
#include "internal.h"

#include "codec/consts.h"
#include "handshake/hs.h"
#include "record/record_io.h"

void ssl_fatal(SSL *s, uint8_t alert)
{
    if (s->fatal)
        return;
    s->fatal = 1;
    s->rwstate = SSL_NOTHING;
    if (s->rl.io_failed)
        s->fatal_syscall = 1;
    /* Contract S10: the session of a connection that failed is removed from
     * the cache (which marks it not resumable), as OpenSSL does when it
     * sends (or would send) a fatal alert.  A transport failure is not such
     * an error for OpenSSL 3.0: it removes nothing then, and keeps a session
     * whose handshake had not completed (a completed one still goes when the
     * connection is freed without close_notify, clear_bad_session). */
    if (!s->fatal_syscall && s->session != NULL && s->session_ctx != NULL)
        SSL_CTX_remove_session(s->session_ctx, s->session);
    /* A TLS 1.2 server resuming holds the cached session in hs->psk until
     * the handshake completes; OpenSSL has it as its connection's session
     * from the ClientHello on, so a failure there removes it too. */
    if (!s->fatal_syscall && s->server && s->hit && s->version == TLS1_2_VERSION && s->hs != NULL &&
        s->hs->psk != NULL && s->hs->psk != s->session && s->session_ctx != NULL)
        SSL_CTX_remove_session(s->session_ctx, s->hs->psk);
    /* No alert after our close_notify.  SSL_get_shutdown is left as it
     * is: OpenSSL does not count a fatal alert as a shutdown. */
    if (alert != 0 && !(s->shutdown & SSL_SENT_SHUTDOWN))
        rec_send_alert(s, CODEC_ALERT_LEVEL_FATAL, alert);
}

enum hs_ret hs_fail(SSL *s, uint8_t alert, int reason)
{
    if (reason != 0)
        ERR_raise(ERR_LIB_SSL, reason);
    ssl_fatal(s, alert);
    return HS_ERR;
}

/* The peer closed before the handshake completed: its close_notify, or EOF
 * with SSL_OP_IGNORE_UNEXPECTED_EOF.  OpenSSL 3.0 takes that as a close, not
 * as an error (measured against the system libssl 3.0.19, both roles, TLS
 * 1.2 and 1.3; tests/unit/test_peer_hangup.c): the handshake returns -1 with
 * nothing queued, SSL_get_error says SSL_ERROR_ZERO_RETURN, SSL_get_shutdown
 * SSL_RECEIVED_SHUTDOWN, no alert is sent and the session stays cached; the
 * state is not an error state (a later call reads again).  nginx logs this
 * as "peer closed connection in SSL handshake" at level info. */
static enum hs_ret peer_closed(SSL *s)
{
    s->rwstate = SSL_NOTHING;
    s->shutdown |= SSL_RECEIVED_SHUTDOWN;
    s->warn_alert = CODEC_ALERT_CLOSE_NOTIFY;
    return HS_CLOSED;
}

enum hs_ret hs_rec_result(SSL *s, int rec_ret, uint8_t alert)
{
    switch (rec_ret) {
    case REC_OK:
        return HS_OK;
    case REC_RETRY:
        return HS_RETRY;
    case REC_CLOSED:
        return peer_closed(s);
    default:
        ssl_fatal(s, alert);
        return HS_ERR;
    }
}

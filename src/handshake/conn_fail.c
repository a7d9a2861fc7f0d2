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
     * the cache (which marks it not resumable), as OpenSSL does. */
    if (s->session != NULL && s->session_ctx != NULL)
        SSL_CTX_remove_session(s->session_ctx, s->session);
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

enum hs_ret hs_rec_result(SSL *s, int rec_ret, uint8_t alert)
{
    switch (rec_ret) {
    case REC_OK:
        return HS_OK;
    case REC_RETRY:
        return HS_RETRY;
    default:
        ssl_fatal(s, alert);
        return HS_ERR;
    }
}

/* TLS 1.2 after the handshake: we never renegotiate.  A HelloRequest (to
 * a client) or a ClientHello (to a server) gets a no_renegotiation warning
 * and the connection goes on, as OpenSSL 3.0 does by default for a client's
 * request; any other handshake message is unexpected.  The count of
 * messages between application data is bounded as in TLS 1.3. */
#include "internal.h"

#include "codec/consts.h"
#include "handshake/hs.h"
#include "record/record_io.h"

enum hs_ret tls12_post_handshake(SSL *s)
{
    for (;;) {
        const uint8_t *msg;
        size_t len;
        uint8_t type;
        CBS m;
        enum hs_ret out;
        if (!hs_post_next(s, &msg, &len, &type, &m, &out))
            return out;
        hs_msg_cb(s, 0, msg, len);
        rec_hs_consume(s);
        int refused = s->server ? type == CODEC_HS_CLIENT_HELLO
                                : type == CODEC_HS_HELLO_REQUEST && cbs_len(&m) == 0;
        if (!refused)
            return hs_fail(s, CODEC_ALERT_UNEXPECTED_MESSAGE, SSL_R_UNEXPECTED_MESSAGE);
        if (!(s->shutdown & SSL_SENT_SHUTDOWN))
            rec_send_alert(s, CODEC_ALERT_LEVEL_WARNING, CODEC_ALERT_NO_RENEGOTIATION);
    }
}

/* -state: print the handshake's progress as `openssl s_client/s_server -state`
 * does ("SSL_connect:SSLv3/TLS write client hello"), from the info callback
 * and the library's state table (SSL_state_string_long). */
#include "tools.h"

#include <stdio.h>

static void (*chained)(const SSL *, int, int);

static void state_cb(const SSL *ssl, int where, int ret)
{
    const char *who = (where & SSL_ST_CONNECT)  ? "SSL_connect"
                      : (where & SSL_ST_ACCEPT) ? "SSL_accept"
                                                : "undefined";
    if (where & SSL_CB_LOOP) {
        fprintf(stderr, "%s:%s\n", who, SSL_state_string_long(ssl));
    } else if (where & SSL_CB_ALERT) {
        fprintf(stderr, "SSL3 alert %s:%s:%s\n", (where & SSL_CB_READ) ? "read" : "write",
                SSL_alert_type_string_long(ret), SSL_alert_desc_string_long(ret));
    } else if (where & SSL_CB_EXIT) {
        if (ret == 0)
            fprintf(stderr, "%s:failed in %s\n", who, SSL_state_string_long(ssl));
        else if (ret < 0)
            fprintf(stderr, "%s:error in %s\n", who, SSL_state_string_long(ssl));
    }
    if (chained != NULL)
        chained(ssl, where, ret);
}

void ctx_trace_states(SSL_CTX *ctx)
{
    chained = SSL_CTX_get_info_callback(ctx);
    SSL_CTX_set_info_callback(ctx, state_cb);
}

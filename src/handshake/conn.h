/* The connection around the handshake, for the API layer (conn_io.c,
 * conn_fail.c). */
#ifndef SESAME_HANDSHAKE_CONN_H
#define SESAME_HANDSHAKE_CONN_H

#include "internal.h"

/* ssl_fatal: the one failure path (see hs.h). */
void ssl_fatal(SSL *s, uint8_t alert);

/* conn_flush writes queued records: 1 done, -1 would block, 0 failed
 * (failure path taken). */
int conn_flush(SSL *s);

/* conn_send_pending queues what the application asked for since the
 * handshake: a KeyUpdate, tickets, a post-handshake CertificateRequest.
 * 0 on failure (failure path taken). */
int conn_send_pending(SSL *s) WUR;
/* conn_has_pending: conn_send_pending has something to send. */
int conn_has_pending(const SSL *s);

/* conn_read_app makes application data available in s->rl.plain,
 * processing post-handshake messages on the way: 1 data, 0 close_notify,
 * -1 failure (failure path taken) or would block (rwstate says which). */
int conn_read_app(SSL *s);

#endif

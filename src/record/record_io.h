/* Record layer operations on an SSL: see record.h for the state. */
#ifndef SESAME_RECORD_IO_H
#define SESAME_RECORD_IO_H

#include "internal.h"

/* Results of operations that touch the transport. */
enum rec_ret {
    REC_ERR = 0, /* fatal: s->fatal is set, an error is queued */
    REC_OK = 1,
    REC_RETRY = -1, /* the BIO would block: s->rwstate says which way */
    REC_CLOSED = -2 /* the peer sent close_notify */
};

/* rec_layer_free releases buffers and keys. */
void rec_layer_free(struct rec_layer *rl);

/* rec_set_key13 installs TLS 1.3 traffic keys derived from |secret| for
 * reading (|enc|=0) or writing (|enc|=1). */
int rec_set_key13(SSL *s, int enc, const SSL_CIPHER *c, const uint8_t *secret) WUR;

/* rec_queue protects and appends |len| bytes of |type| to the output buffer,
 * split into records of at most max_frag bytes.  Nothing is written to the
 * BIO until rec_flush. */
int rec_queue(SSL *s, uint8_t type, const uint8_t *data, size_t len) WUR;

/* rec_flush writes the output buffer to the wbio. REC_OK, REC_RETRY, REC_ERR. */
int rec_flush(SSL *s) WUR;

/* rec_pending_output: bytes queued but not yet written. */
size_t rec_pending_output(const SSL *s);

/* rec_next makes the next record's plaintext available in s->rl.plain with
 * its type in s->rl.plain_type (handshake or application data).  Alerts and
 * compatibility change_cipher_spec records are handled here. Returns REC_OK,
 * REC_RETRY, REC_CLOSED or REC_ERR. */
int rec_next(SSL *s) WUR;

/* rec_send_alert queues a fatal (level 2) or warning alert and tries to flush
 * it; transport errors while doing so are ignored. */
void rec_send_alert(SSL *s, uint8_t level, uint8_t desc);

/* rec_hs_message: a complete handshake message from the input.  On REC_OK
 * out_msg and out_len cover the whole message, 4-byte header included; it
 * stays valid until rec_hs_consume.  Reads records as needed. */
int rec_hs_message(SSL *s, const uint8_t **out_msg, size_t *out_len) WUR;

/* rec_hs_consume drops the message returned last by rec_hs_message. */
void rec_hs_consume(SSL *s);

/* rec_hs_buffered: handshake bytes received but not yet consumed (a key
 * change must not happen with any pending, RFC 8446 5.1). */
size_t rec_hs_buffered(const SSL *s);

/* rec_hs_take_plain moves the current handshake-record plaintext into the
 * handshake buffer (used by the post-handshake reader). */
int rec_hs_take_plain(SSL *s) WUR;

#endif

/* Record layer operations on an SSL: see record.h for the state.
 *
 * The record layer never decides the fate of the connection: on a protocol
 * error it raises the reason, sets *out_alert to the alert the peer must
 * get (0 when none can or should be sent) and returns REC_ERR; its caller
 * then takes the connection's one failure path (ssl_fatal).  A transport
 * failure sets rl.io_failed. */
#ifndef SESAME_RECORD_IO_H
#define SESAME_RECORD_IO_H

#include "internal.h"

/* Results of operations that touch the transport. */
enum rec_ret {
    REC_ERR = 0, /* failed: reason raised, *out_alert (where there is one) set */
    REC_OK = 1,
    REC_RETRY = -1, /* the BIO would block: s->rwstate says which way */
    REC_CLOSED = -2 /* the peer sent close_notify */
};

/* rec_layer_free releases buffers and keys, wiping them. */
void rec_layer_free(struct rec_layer *rl);

/* rec_set_key13 installs TLS 1.3 traffic keys derived from |secret| for
 * reading (|enc|=0) or writing (|enc|=1). */
int rec_set_key13(SSL *s, int enc, const SSL_CIPHER *c, const uint8_t *secret) WUR;

/* rec_set_key12 installs a TLS 1.2 AEAD key: |key| and the implicit |iv|
 * (4-byte salt for AES-GCM, RFC 5288 3; 12 bytes for ChaCha20-Poly1305,
 * RFC 7905 2) from the key block, for reading (|enc|=0) or writing. */
int rec_set_key12(SSL *s, int enc, const SSL_CIPHER *c, const uint8_t *key, const uint8_t *iv) WUR;

/* rec_read_ccs (TLS 1.2): the next record must be change_cipher_spec, on a
 * handshake message boundary (RFC 5246 7.1); anything else is
 * unexpected_message.  REC_OK, REC_RETRY, REC_CLOSED (the peer closed) or
 * REC_ERR. */
int rec_read_ccs(SSL *s, uint8_t *out_alert) WUR;

/* rec_queue protects and appends |len| bytes of |type| to the output buffer,
 * split into records of at most max_frag bytes.  Nothing is written to the
 * BIO until rec_flush.  Fails only on allocation or sealing failure. */
int rec_queue(SSL *s, uint8_t type, const uint8_t *data, size_t len) WUR;
/* rec_queue_plain: rec_queue without protection, whatever the write key
 * (the compatibility change_cipher_spec, RFC 8446 D.4). */
int rec_queue_plain(SSL *s, uint8_t type, const uint8_t *data, size_t len) WUR;

/* rec_flush writes the output buffer to the wbio: REC_OK, REC_RETRY, or
 * REC_ERR on a transport failure (rl.io_failed set). */
int rec_flush(SSL *s) WUR;

/* rec_pending_output: bytes queued but not yet written. */
size_t rec_pending_output(const SSL *s);

/* rec_send_alert queues an alert and tries to flush it; transport errors
 * while doing so are ignored (the connection is ending anyway). */
void rec_send_alert(SSL *s, uint8_t level, uint8_t desc);

/* rec_next makes the next record's plaintext available in s->rl.plain with
 * its type in s->rl.plain_type (handshake or application data; during the
 * handshake an empty application data record is returned too, so the
 * caller can refuse it).  Alerts and compatibility change_cipher_spec
 * records are handled here.  REC_OK, REC_RETRY, REC_CLOSED or REC_ERR. */
int rec_next(SSL *s, uint8_t *out_alert) WUR;

/* rec_hs_message: a complete handshake message from the input.  On REC_OK
 * out_msg and out_len cover the whole message, 4-byte header included; it
 * stays valid until rec_hs_consume.  Reads records as needed.  REC_OK,
 * REC_RETRY, REC_CLOSED (the peer closed: close_notify, or EOF with
 * SSL_OP_IGNORE_UNEXPECTED_EOF) or REC_ERR. */
int rec_hs_message(SSL *s, const uint8_t **out_msg, size_t *out_len, uint8_t *out_alert) WUR;

/* rec_hs_consume drops the message returned last by rec_hs_message. */
void rec_hs_consume(SSL *s);

/* rec_hs_buffered: handshake bytes received but not yet consumed (a key
 * change must not happen with any pending, RFC 8446 5.1). */
size_t rec_hs_buffered(const SSL *s);

/* rec_hs_take_plain moves the current handshake-record plaintext into the
 * handshake buffer (used by the post-handshake reader). */
int rec_hs_take_plain(SSL *s, uint8_t *out_alert) WUR;

/* rec_hs_peek: the complete handshake message at the front of the handshake
 * buffer, without reading: REC_OK with out_msg and out_len set, REC_RETRY when
 * none is complete yet, REC_ERR when the length is beyond our limit. */
int rec_hs_peek(SSL *s, const uint8_t **out_msg, size_t *out_len, uint8_t *out_alert) WUR;

/* rec_skip_early_data: the server did not accept 0-RTT; skip up to |budget|
 * bytes of the client's early data the way |mode| (enum rec_skip_early)
 * says (RFC 8446 4.2.10). */
void rec_skip_early_data(SSL *s, int mode, uint32_t budget);

#endif

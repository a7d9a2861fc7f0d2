/* The record layer: framing over the BIOs, protection with the current keys,
 * reassembly of handshake messages, alerts and change_cipher_spec.
 *
 * All reads and writes of the transport happen here.  Functions that may
 * block return one of enum rec_status; on RS_RETRY the caller returns to the
 * application with s->rwstate saying why (SSL_READING / SSL_WRITING).
 */
#ifndef SESAME_RECORD_H
#define SESAME_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "record/aead.h"

/* RFC 8446 5.1 content types */
#define REC_CCS       20
#define REC_ALERT     21
#define REC_HANDSHAKE 22
#define REC_APPDATA   23

/* Largest record we accept: header + 2^14 + 256 (RFC 8446 5.2). */
#define REC_MAX_CIPHERTEXT (16384 + 256)
#define REC_HEADER_LEN     5

/* How the server skips early data it did not accept (RFC 8446 4.2.10). */
enum rec_skip_early {
    REC_SKIP_NONE = 0,
    REC_SKIP_UNDECRYPTABLE, /* after ServerHello: records that fail to decrypt */
    REC_SKIP_APPDATA        /* after HelloRetryRequest: application_data records */
};

struct rec_layer {
    /* read side: one record at a time in rbuf */
    uint8_t *rbuf;
    size_t rbuf_len;      /* bytes of the current record received so far */
    const uint8_t *plain; /* unread plaintext of the current record */
    size_t plain_len;
    uint8_t plain_type; /* content type of |plain| */
    REC_AEAD rd;
    uint8_t rd_on;          /* decryption active */
    uint8_t wr_on;          /* encryption active */
    uint8_t tls12;          /* TLS 1.2 rules: its record protection (for keys
                             * installed from now on), change_cipher_spec
                             * delivered to the handshake, warning alerts */
    uint8_t rd_tls12;       /* the read key is a TLS 1.2 one */
    uint8_t wr_tls12;       /* the write key is a TLS 1.2 one */
    uint8_t ccs_allowed;    /* a compat CCS may arrive now (RFC 8446 5) */
    uint8_t seen_ccs;       /* a (TLS 1.3 compat) CCS was received */
    uint8_t io_failed;      /* the transport failed (not a protocol error) */
    uint8_t eof;            /* the transport reported end of file */
    uint8_t skip_early;     /* enum rec_skip_early */
    uint16_t wr_version;    /* legacy_record_version on the wire */
    uint32_t empty_records; /* consecutive empty records, bounded */
    uint32_t warnings;      /* consecutive warning alerts, bounded */
    uint32_t skip_budget;   /* early-data bytes we may still skip */
    REC_AEAD wr;
    /* write side */
    uint8_t *wbuf;
    size_t wbuf_cap;
    size_t wbuf_off;      /* first unsent byte */
    size_t wbuf_len;      /* end of pending bytes */
    size_t wbuf_used_max; /* high-water mark of what was reserved, wiped at free */
    /* handshake messages: bytes received but not yet consumed */
    uint8_t *hbuf;
    size_t hbuf_len;
    size_t hbuf_cap;
    size_t hbuf_off;      /* start of the unconsumed part */
    size_t hbuf_used_max; /* high-water mark of hbuf, wiped at free */
    size_t hmsg_len;      /* length of the message handed out last (consumed on next get) */
    /* SSL_write in progress (partial write retry semantics) */
    size_t wpend_tot;
    size_t wpend_done;
    size_t max_frag;      /* plaintext bytes per record we send */
    size_t rbuf_used_max; /* high-water mark of rbuf, wiped at free */
};

#endif

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

/* The three buffers (record body, handshake messages, output) exist only
 * while they hold something: each is allocated when bytes arrive for it and
 * wiped (the part ever used) and freed as soon as it is empty again, so an
 * idle connection holds none (OpenSSL's SSL_MODE_RELEASE_BUFFERS, always). */
struct rec_layer {
    /* read side: one record at a time, its header in rhdr, its body in rbuf
     * (allocated once the header announced the body's length, released once
     * the record is consumed) */
    uint8_t rhdr[REC_HEADER_LEN];
    uint8_t *rbuf;
    size_t rbuf_cap; /* size of rbuf: the body's length (at least 1), all wiped */
    size_t rbuf_len; /* bytes of the current record received so far, header included */
    /* read-ahead (SSL_set_read_ahead; nginx sets it): what one read of the
     * transport gave beyond the bytes asked for, served before the BIO is
     * read again; allocated only while it holds some (REC_AHEAD_CAP) */
    uint8_t *ahead;
    size_t ahead_off, ahead_len;
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
    uint8_t *wbuf; /* allocated while it holds unsent bytes */
    size_t wbuf_cap;
    size_t wbuf_off;      /* first unsent byte */
    size_t wbuf_len;      /* end of pending bytes */
    size_t wbuf_used_max; /* high-water mark of what was reserved, wiped at free */
    /* handshake messages: bytes received but not yet consumed (allocated
     * while there are some) */
    uint8_t *hbuf;
    size_t hbuf_len;
    size_t hbuf_cap;
    size_t hbuf_off;      /* start of the unconsumed part */
    size_t hbuf_used_max; /* high-water mark of hbuf, wiped at free */
    size_t hmsg_len;      /* length of the message handed out last (consumed on next get) */
    /* SSL_write in progress (partial write retry semantics) */
    size_t wpend_tot;
    size_t wpend_done;
    size_t max_frag; /* plaintext bytes per record we send */
};

#endif

/* The extension table (which extension may appear in which message) and
 * small helpers to walk extension blocks and u16 lists.
 *
 * Alert policy shared by every parser (RFC 8446 4.2):
 *  - malformed lengths / truncation / trailing bytes      -> decode_error
 *  - the same extension type twice in one block           -> illegal_parameter
 *  - an extension we know, not specified for this message -> illegal_parameter
 *    (RFC 8446 4.2: "If an implementation receives an extension which it
 *    recognizes and which is not specified for the message in which it
 *    appears, it MUST abort the handshake with an illegal_parameter alert")
 *  - an extension we do not know: ignored in ClientHello, CertificateRequest,
 *    NewSessionTicket and Certificate entries; unsupported_extension in
 *    ServerHello, HelloRetryRequest and EncryptedExtensions (we never send
 *    an extension we do not know, so such a response is unsolicited).
 * "Known" means listed in the table in extensions.c: the extensions this
 * library implements.  Whether a known response extension was actually
 * requested is the handshake layer's check (compare ext_present).
 */
#ifndef SESAME_CODEC_EXTENSIONS_H
#define SESAME_CODEC_EXTENSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "codec/consts.h"

/* Message contexts for the extension table (bitmask). */
#define CODEC_MSG_CH   0x01u /* ClientHello */
#define CODEC_MSG_SH   0x02u /* TLS 1.3 ServerHello */
#define CODEC_MSG_HRR  0x04u /* HelloRetryRequest */
#define CODEC_MSG_EE   0x08u /* EncryptedExtensions */
#define CODEC_MSG_CR   0x10u /* TLS 1.3 CertificateRequest */
#define CODEC_MSG_CT   0x20u /* TLS 1.3 Certificate entry */
#define CODEC_MSG_NST  0x40u /* TLS 1.3 NewSessionTicket */
#define CODEC_MSG_SH12 0x80u /* TLS 1.2 (or older) ServerHello */

/* codec_ext_index returns the internal index (0..63) of a known extension
 * type, or -1 if the type is not in the table. */
int codec_ext_index(uint16_t type);

/* codec_ext_bit is the ext_present bit of |type| (0 for unknown types). */
uint64_t codec_ext_bit(uint16_t type);

/* codec_ext_has is 1 iff |type| is set in an ext_present bitmap. */
int codec_ext_has(uint64_t ext_present, uint16_t type);

/* codec_ext_next splits the next extension off an extensions block (the
 * contents of its u16 length prefix).  Returns 1 and fills |out_type| and
 * |out_data|, or 0 at the end or on a malformed block. Does no validation
 * beyond framing; for SSL_client_hello_get0_ext and friends. */
int codec_ext_next(CBS *exts, uint16_t *out_type, CBS *out_data) WUR;

/* codec_ext_find looks up |type| in an extensions block (contents, no
 * prefix).  Returns 1 and sets |out_data| if found, else 0. */
int codec_ext_find(const CBS *exts, uint16_t type, CBS *out_data) WUR;

/* Callback for codec_parse_extensions: handles one extension whose type is
 * known and allowed in this message (|type|); must consume |data| entirely
 * (leftover bytes are a decode_error), sets |*out_alert| on failure. */
typedef int (*codec_ext_handler)(void *ctx, uint16_t type, CBS *data, uint8_t *out_alert);

/* codec_parse_extensions walks an extensions block (contents of the u16
 * prefix) for message context |msg| (one CODEC_MSG_* bit), enforcing the
 * alert policy above, recording seen types in |*ext_present| (which the
 * caller zeroes), and calling |handler| for each known, allowed extension.
 * With |psk_last| set, pre_shared_key must be the last extension
 * (RFC 8446 4.2.11, ClientHello) or it is an illegal_parameter. */
int codec_parse_extensions(CBS *exts, unsigned msg, int psk_last, uint64_t *ext_present,
                           codec_ext_handler handler, void *ctx, uint8_t *out_alert) WUR;

/* codec_u16_list_next reads the next u16 from a list view; 0 at the end
 * (an odd trailing byte also ends it; parsed lists are validated even). */
int codec_u16_list_next(CBS *iter, uint16_t *out) WUR;

/* codec_u16_list_contains is 1 iff the u16 list |list| contains |v|. */
int codec_u16_list_contains(const CBS *list, uint16_t v);

/* codec_get_u16_list reads a u16-prefixed, non-empty, even-length list of
 * u16 values into |out| (its contents). 0 on malformed input. */
int codec_get_u16_list(CBS *cbs, CBS *out) WUR;

/* codec_write_u16_list appends a u16-prefixed list of |num| u16 values. */
int codec_write_u16_list(CBB *cbb, const uint16_t *v, size_t num) WUR;

#endif

/* TLS 1.2 handshake messages (RFC 5246 7.4, RFC 8422 5, RFC 7919, RFC 5077
 * 3.3): parse a BODY into a struct of views, write a COMPLETE message
 * (type || u24 length || body) into a CBB.  Same conventions as hello.h:
 * parsers consume the body exactly, and on failure return 0 with an SSL
 * error raised and *out_alert set (decode_error for malformed lengths,
 * illegal_parameter for values the RFC forbids). */
#ifndef SESAME_CODEC_MESSAGES12_H
#define SESAME_CODEC_MESSAGES12_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "codec/consts.h"

/* ---- ServerKeyExchange (RFC 8422 5.4 ECDHE; RFC 5246 7.4.3 DHE) ---- */

typedef struct {
    CBS params; /* the ServerECDHParams / ServerDHParams bytes, as signed */
    /* ECDHE: curve_type must be named_curve (3), else illegal_parameter */
    uint16_t named_curve;
    CBS point; /* u8-prefixed ECPoint contents, non-empty */
    /* DHE: each a u16-prefixed non-empty big-endian integer */
    CBS dh_p, dh_g, dh_ys;
    uint16_t sigalg; /* SignatureAndHashAlgorithm */
    CBS signature;   /* u16-prefixed, non-empty */
} CODEC_SERVER_KEY_EXCHANGE;

/* codec_parse_server_key_exchange parses ECDHE (|dhe| 0) or DHE (|dhe| 1)
 * parameters followed by the digitally-signed struct. */
int codec_parse_server_key_exchange(CBS *body, int dhe, CODEC_SERVER_KEY_EXCHANGE *out,
                                    uint8_t *out_alert) WUR;
/* codec_write_ecdhe_params / codec_write_dhe_params append the params part
 * of ServerKeyExchange (what is signed) to |cbb| (no message header). */
int codec_write_ecdhe_params(CBB *cbb, uint16_t named_curve, const uint8_t *point,
                             size_t point_len) WUR;
int codec_write_dhe_params(CBB *cbb, const uint8_t *p, size_t p_len, const uint8_t *g, size_t g_len,
                           const uint8_t *ys, size_t ys_len) WUR;
/* codec_write_server_key_exchange appends the complete message: |params|
 * (as written above), then sigalg and signature. */
int codec_write_server_key_exchange(CBB *cbb, const uint8_t *params, size_t params_len,
                                    uint16_t sigalg, const uint8_t *sig, size_t sig_len) WUR;

/* ---- ClientKeyExchange (RFC 8422 5.7 ECDHE: u8 point; RFC 5246 7.4.7.2
 * DHE: u16 Yc) ---- */

/* codec_parse_client_key_exchange: *out_public views the (non-empty)
 * public value. */
int codec_parse_client_key_exchange(CBS *body, int dhe, CBS *out_public, uint8_t *out_alert) WUR;
int codec_write_client_key_exchange(CBB *cbb, int dhe, const uint8_t *pub, size_t pub_len) WUR;

/* ---- Certificate (RFC 5246 7.4.2): u24 list of u24 DER certificates ---- */

typedef struct {
    CBS certificate_list; /* walk with codec_cert12_next */
    size_t num_certs;     /* 0 is allowed on the wire (a client without one) */
} CODEC_CERTIFICATE12;

/* Every entry is validated non-empty. */
int codec_parse_certificate12(CBS *body, CODEC_CERTIFICATE12 *out, uint8_t *out_alert) WUR;
/* codec_cert12_next splits the next certificate off |list|; 0 at the end. */
int codec_cert12_next(CBS *list, CBS *out_cert_der) WUR;
int codec_write_certificate12(CBB *cbb, const uint8_t *const *der, const size_t *der_len,
                              size_t num) WUR;

/* ---- CertificateRequest (RFC 5246 7.4.4) ---- */

typedef struct {
    CBS certificate_types;       /* u8 list, non-empty */
    CBS sigalgs;                 /* u16 list, non-empty, even */
    CBS certificate_authorities; /* DistinguishedName list contents (may be empty) */
} CODEC_CERTIFICATE_REQUEST12;

int codec_parse_certificate_request12(CBS *body, CODEC_CERTIFICATE_REQUEST12 *out,
                                      uint8_t *out_alert) WUR;
/* Writes certificate_types {rsa_sign(1), ecdsa_sign(64)}, the sigalgs, and
 * the DER names cas[i]/ca_lens[i]. */
int codec_write_certificate_request12(CBB *cbb, const uint16_t *sigalgs, size_t num_sigalgs,
                                      const uint8_t *const *cas, const size_t *ca_lens,
                                      size_t num_cas) WUR;

/* ---- CertificateVerify (RFC 5246 7.4.8): as TLS 1.3's (messages13.h) ---- */

/* ---- ServerHelloDone (7.4.5) and HelloRequest (7.4.1.1): empty ---- */

int codec_parse_empty(CBS *body, uint8_t *out_alert) WUR;
int codec_write_empty(CBB *cbb, uint8_t type) WUR;

/* ---- Finished (7.4.9): 12 bytes of verify_data ---- */

#define CODEC_TLS12_FINISHED_LEN 12

/* ---- NewSessionTicket (RFC 5077 3.3) ---- */

typedef struct {
    uint32_t lifetime_hint; /* seconds; 0 = unspecified */
    CBS ticket;             /* u16-prefixed; may be empty (RFC 5077 3.3) */
} CODEC_NEW_SESSION_TICKET12;

int codec_parse_new_session_ticket12(CBS *body, CODEC_NEW_SESSION_TICKET12 *out,
                                     uint8_t *out_alert) WUR;
int codec_write_new_session_ticket12(CBB *cbb, uint32_t lifetime_hint, const uint8_t *ticket,
                                     size_t ticket_len) WUR;

/* ---- constants ---- */

/* RFC 8422 5.4 ECCurveType named_curve. */
#define CODEC_EC_CURVE_TYPE_NAMED 3
/* RFC 5246 7.4.4 ClientCertificateType. */
#define CODEC_CERT_TYPE_RSA_SIGN   1
#define CODEC_CERT_TYPE_ECDSA_SIGN 64
/* RFC 8446 4.1.3: the last 8 bytes of a ServerHello.random negotiating TLS
 * 1.2 (or below) from a server that could speak TLS 1.3. */
#define CODEC_DOWNGRADE_TLS12 "DOWNGRD\x01"
/* RFC 5746 3.3: TLS_EMPTY_RENEGOTIATION_INFO_SCSV. */
#define CODEC_SCSV_RENEGOTIATION 0x00ff
/* RFC 5246 7.4.1.1 HelloRequest. */
#define CODEC_HS_HELLO_REQUEST 0

#endif

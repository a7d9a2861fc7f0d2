/* TLS 1.3 messages after the hellos (RFC 8446 4.3 - 4.6): parse a BODY into
 * a struct of views, write a COMPLETE message into a CBB. Same conventions
 * as hello.h. */
#ifndef SESAME_CODEC_MESSAGES13_H
#define SESAME_CODEC_MESSAGES13_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "codec/consts.h"
#include "codec/extensions.h"

/* ---- EncryptedExtensions, RFC 8446 4.3.1 ---- */

typedef struct {
    uint64_t ext_present;
    CBS alpn_selected;    /* exactly one protocol name (no prefix) */
    int server_name_ack;  /* empty server_name */
    int early_data;       /* empty early_data: 0-RTT accepted */
    CBS supported_groups; /* u16 list, server's preference */
} CODEC_ENCRYPTED_EXTENSIONS;

int codec_parse_encrypted_extensions(CBS *body, CODEC_ENCRYPTED_EXTENSIONS *out,
                                     uint8_t *out_alert) WUR;

typedef struct {
    const uint8_t *alpn; /* selected protocol (no prefix); 0 = omit */
    size_t alpn_len;
    int server_name_ack;
    int early_data;
    const uint16_t *groups; /* supported_groups; 0 = omit */
    size_t num_groups;
} CODEC_ENCRYPTED_EXTENSIONS_OUT;

int codec_write_encrypted_extensions(CBB *cbb, const CODEC_ENCRYPTED_EXTENSIONS_OUT *in) WUR;

/* ---- CertificateRequest, RFC 8446 4.3.2 ---- */

typedef struct {
    uint64_t ext_present;
    CBS context;                 /* certificate_request_context */
    CBS sigalgs;                 /* u16 list; required (else missing_extension) */
    CBS sigalgs_cert;            /* u16 list; optional */
    CBS certificate_authorities; /* DistinguishedName list contents: each
                                  * a u16-prefixed non-empty DER name */
} CODEC_CERTIFICATE_REQUEST;

int codec_parse_certificate_request(CBS *body, CODEC_CERTIFICATE_REQUEST *out,
                                    uint8_t *out_alert) WUR;

/* Writes context, signature_algorithms and, if num_cas > 0,
 * certificate_authorities from DER names cas[i]/ca_lens[i]. */
int codec_write_certificate_request(CBB *cbb, const uint8_t *context, size_t context_len,
                                    const uint16_t *sigalgs, size_t num_sigalgs,
                                    const uint8_t *const *cas, const size_t *ca_lens,
                                    size_t num_cas) WUR;

/* ---- Certificate, RFC 8446 4.4.2 ---- */

typedef struct {
    CBS context;          /* certificate_request_context */
    CBS certificate_list; /* validated entries; walk with codec_cert_next */
    size_t num_certs;     /* 0 is allowed on the wire (no certificate) */
} CODEC_CERTIFICATE;

/* Every entry is validated: non-empty u24 cert_data, u16 extensions that
 * may only be status_request / SCT (unknown ones ignored). */
int codec_parse_certificate(CBS *body, CODEC_CERTIFICATE *out, uint8_t *out_alert) WUR;

/* codec_cert_next splits the next CertificateEntry off |list| (a copy of
 * certificate_list): |out_cert_der| = cert_data, |out_exts| = extensions
 * block contents. 0 at the end. */
int codec_cert_next(CBS *list, CBS *out_cert_der, CBS *out_exts) WUR;

/* Writes a Certificate with |num| entries, each with no extensions. */
int codec_write_certificate(CBB *cbb, const uint8_t *context, size_t context_len,
                            const uint8_t *const *der, const size_t *der_len, size_t num) WUR;

/* ---- CertificateVerify, RFC 8446 4.4.3 ---- */

typedef struct {
    uint16_t sigalg;
    CBS signature;
} CODEC_CERTIFICATE_VERIFY;

int codec_parse_certificate_verify(CBS *body, CODEC_CERTIFICATE_VERIFY *out,
                                   uint8_t *out_alert) WUR;

int codec_write_certificate_verify(CBB *cbb, uint16_t sigalg, const uint8_t *sig,
                                   size_t sig_len) WUR;

/* Longest output of codec_cv_signed_content (64 + 33 + 1 + 64). */
#define CODEC_CV_MAX_SIGNED_CONTENT 162

/* codec_cv_signed_content builds the signed data: 64 spaces || "TLS 1.3,
 * server CertificateVerify" (or client) || 0x00 || transcript hash. */
int codec_cv_signed_content(uint8_t *out, size_t out_cap, size_t *out_len, int is_server,
                            const uint8_t *transcript_hash, size_t hash_len) WUR;

/* ---- Finished, RFC 8446 4.4.4 ---- */

/* The body must be exactly |expected_len| bytes (else decode_error);
 * |out_verify_data| views it. Comparison is the caller's (constant time). */
int codec_parse_finished(CBS *body, size_t expected_len, CBS *out_verify_data,
                         uint8_t *out_alert) WUR;

int codec_write_finished(CBB *cbb, const uint8_t *verify_data, size_t len) WUR;

/* ---- NewSessionTicket, RFC 8446 4.6.1 ---- */

typedef struct {
    uint64_t ext_present;
    uint32_t lifetime; /* <= 604800, else illegal_parameter */
    uint32_t age_add;
    CBS nonce;
    CBS ticket; /* non-empty */
    int has_early_data;
    uint32_t max_early_data; /* when has_early_data */
} CODEC_NEW_SESSION_TICKET;

int codec_parse_new_session_ticket(CBS *body, CODEC_NEW_SESSION_TICKET *out,
                                   uint8_t *out_alert) WUR;

/* Writes early_data with |max_early_data| when |has_early_data|. */
int codec_write_new_session_ticket(CBB *cbb, uint32_t lifetime, uint32_t age_add,
                                   const uint8_t *nonce, size_t nonce_len, const uint8_t *ticket,
                                   size_t ticket_len, int has_early_data,
                                   uint32_t max_early_data) WUR;

/* ---- KeyUpdate, RFC 8446 4.6.3 ---- */

/* |*out_request| = 0 (update_not_requested) or 1 (update_requested);
 * any other value is illegal_parameter. */
int codec_parse_key_update(CBS *body, uint8_t *out_request, uint8_t *out_alert) WUR;

int codec_write_key_update(CBB *cbb, uint8_t request) WUR;

#endif

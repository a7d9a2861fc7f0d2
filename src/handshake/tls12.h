/* What the TLS 1.2 state machines share (tls12_common.c). */
#ifndef SESAME_HANDSHAKE_TLS12_H
#define SESAME_HANDSHAKE_TLS12_H

#include "internal.h"

/* tls12_derive_master: the (extended) master secret from the premaster
 * secret; logged as CLIENT_RANDOM for the keylog callback. */
int tls12_derive_master(SSL *s, const uint8_t *pms, size_t pms_len) WUR;
/* tls12_send_ccs queues ChangeCipherSpec and switches our write keys. */
int tls12_send_ccs(SSL *s) WUR;
/* tls12_read_ccs reads the peer's ChangeCipherSpec and switches its keys. */
enum hs_ret tls12_read_ccs(SSL *s);
/* tls12_send_finished / tls12_read_finished: RFC 5246 7.4.9. */
int tls12_send_finished(SSL *s) WUR;
enum hs_ret tls12_read_finished(SSL *s);
/* tls12_read_certificate reads a TLS 1.2 Certificate into hs->peer_chain
 * (NULL when empty and |allow_empty|). */
enum hs_ret tls12_read_certificate(SSL *s, int allow_empty);
/* tls12_ske_signed_content: client_random || server_random || params, the
 * bytes a ServerKeyExchange's signature covers (*out: OPENSSL_free). */
int tls12_ske_signed_content(SSL *s, const uint8_t *params, size_t params_len, uint8_t **out,
                             size_t *out_len) WUR;
/* tls12_establish_session makes s->session this handshake's session (the
 * resumed one, or a new one with the master secret). */
int tls12_establish_session(SSL *s) WUR;
/* tls12_suite_dhe: the suite's key exchange is DHE (else ECDHE). */
int tls12_suite_dhe(const SSL_CIPHER *c);
/* tls12_suite_slots: the certificate slots the suite's authentication
 * allows (AUTH_SLOTS_ECDSA or AUTH_SLOTS_RSA). */
unsigned tls12_suite_slots(const SSL_CIPHER *c);
/* tls12_ec_group: |g| can be an ECDHE curve in TLS 1.2 (not FFDHE). */
int tls12_ec_group(uint16_t g);

#endif

/* The handshake driver and what the TLS 1.3 state machines share.
 *
 * Each role has one enum of states and one do_<state>() function per state
 * (tls13_client.c, tls13_server.c).  A state function returns an enum
 * hs_ret; the driver (hs.c) loops, and all transport I/O happens below it in
 * the record layer, so a WANT_READ/WANT_WRITE simply re-enters the same
 * state later with nothing consumed.
 */
#ifndef SESAME_HANDSHAKE_HS_H
#define SESAME_HANDSHAKE_HS_H

#include "internal.h"
#include "codec/hello.h"
#include "keys/tls13_schedule.h"
#include "keys/transcript.h"

enum hs_ret {
    HS_ERR = 0,   /* fatal, alert queued */
    HS_OK = 1,    /* state advanced; continue */
    HS_RETRY = -1 /* transport would block; return to the caller */
};

#define HS_MAX_SIGALGS 32

struct hs_state {
    int state;
    TRANSCRIPT transcript;
    TLS13_SCHEDULE ks;
    const EVP_MD *md;
    size_t hash_len;
    uint8_t client_hs[SESAME_MAX_HASH];
    uint8_t server_hs[SESAME_MAX_HASH];
    /* our ephemeral key share */
    uint16_t kex_group;
    EVP_PKEY *kex_key;
    uint8_t kex_pub[136];
    size_t kex_pub_len;
    uint8_t legacy_sid[32];
    size_t legacy_sid_len;
    uint8_t hrr; /* a HelloRetryRequest happened */
    uint8_t ccs_sent;
    uint8_t cert_requested; /* server asked for a client certificate */
    uint8_t psk_ke_only;    /* resumption without (EC)DHE */
    uint8_t sni_ack;        /* server: acknowledge server_name in EE */
    uint8_t *cookie;
    size_t cookie_len;
    uint8_t *cert_req_ctx;
    size_t cert_req_ctx_len;
    uint8_t peer_sigalgs[2 * HS_MAX_SIGALGS]; /* raw u16 list, truncated */
    size_t peer_sigalgs_len;
    STACK_OF(X509) * peer_chain; /* leaf first */
    SSL_SESSION *new_session;    /* the session this handshake establishes */
    /* client: the PSK offered (ticket session or external) */
    SSL_SESSION *offered_psk;
    uint8_t offered_external;
    uint16_t hrr_suite;
    /* server: the parsed ClientHello, only while the client hello callback
     * runs (SSL_client_hello_get0_*) */
    const CODEC_CLIENT_HELLO *client_hello;
};

/* hs_start allocates the handshake state (role decided by s->server). */
int hs_start(SSL *s) WUR;
/* hs_free releases it, wiping secrets. */
void hs_free(SSL *s);
/* hs_run drives the handshake: 1 done, 0 error, -1 retry (rwstate set). */
int hs_run(SSL *s);

/* hs_fail raises |reason|, marks the connection failed and sends |alert|. */
enum hs_ret hs_fail(SSL *s, uint8_t alert, int reason);

/* hs_send_message queues a complete handshake message (header included),
 * adds it to the transcript and reports it to the message callback. */
int hs_send_message(SSL *s, const uint8_t *msg, size_t len) WUR;
/* hs_send_cbb: hs_send_message on a CBB's contents, then cleans the CBB. */
int hs_send_cbb(SSL *s, CBB *cbb) WUR;

/* hs_get_message fetches the next message, checks its type is |type| (a
 * mismatch is unexpected_message) and hands out its body.  The message is
 * not yet in the transcript: call hs_consume when done with it. */
enum hs_ret hs_get_message(SSL *s, uint8_t type, CBS *out_body);
/* hs_peek_type reports the next message's type (reading as needed). */
enum hs_ret hs_peek_type(SSL *s, uint8_t *out_type);
/* hs_consume adds the current message to the transcript and drops it. */
int hs_consume(SSL *s) WUR;

/* hs_transcript_hash: the hash of everything so far. */
int hs_transcript_hash(SSL *s, uint8_t *out) WUR;
/* hs_hash_with: the hash of the transcript followed by |extra|. */
int hs_hash_with(SSL *s, const uint8_t *extra, size_t extra_len, uint8_t *out) WUR;

/* hs_keylog reports a secret to the keylog callback (NSS key log format). */
void hs_keylog(SSL *s, const char *label, const uint8_t *secret, size_t len);
/* hs_info calls the info callback. */
void hs_info(SSL *s, int where, int ret);

/* ECDHE, kex.c */
int kex_supported(uint16_t group);
/* kex_keygen makes an ephemeral key for |group| and its public encoding. */
int kex_keygen(uint16_t group, EVP_PKEY **out_key, uint8_t *out_pub, size_t *out_pub_len) WUR;
/* kex_derive computes the shared secret with the peer's encoded share.  A
 * malformed share sets *out_alert (illegal_parameter). */
int kex_derive(uint16_t group, EVP_PKEY *key, const uint8_t *peer, size_t peer_len, uint8_t *out,
               size_t *out_len, uint8_t *out_alert) WUR;

/* certificates, tls13_cert.c */
/* tls13_send_certificate queues Certificate and CertificateVerify for the
 * chosen slot, signing with |sigalg|. */
int tls13_send_certificate(SSL *s, const CERT_SLOT *slot, int with_cv, uint16_t sigalg) WUR;
/* tls13_read_certificate parses a Certificate message body into
 * hs->peer_chain. */
enum hs_ret tls13_read_certificate(SSL *s, CBS *body, int allow_empty);
/* tls13_verify_cv checks CertificateVerify against the peer's leaf. */
enum hs_ret tls13_verify_cv(SSL *s, CBS *body);
/* tls13_read_cv reads CertificateVerify, checks it and moves to |next|. */
enum hs_ret tls13_read_cv(SSL *s, int next);
/* tls13_establish_session makes s->session the session this handshake
 * established (S1); on a client it cannot resume until a ticket arrives (S6). */
int tls13_establish_session(SSL *s) WUR;
/* tls13_send_finished / tls13_check_finished use |base| (our or the peer's
 * handshake traffic secret). */
int tls13_send_finished(SSL *s, const uint8_t *base) WUR;
enum hs_ret tls13_check_finished(SSL *s, CBS *body, const uint8_t *base);
/* tls13_read_finished reads the peer's Finished, checks it against |base|,
 * and requires the record boundary a key change needs (RFC 8446 5.1). */
enum hs_ret tls13_read_finished(SSL *s, const uint8_t *base);
/* tls13_derive_app_secrets: master secret, application traffic and exporter
 * secrets from the transcript through the server Finished. */
int tls13_derive_app_secrets(SSL *s) WUR;
/* tls13_derive_resumption: resumption master secret after client Finished. */
int tls13_derive_resumption(SSL *s) WUR;
/* tls13_set_peer_sigalgs stores the peer's signature_algorithms list. */
void tls13_set_peer_sigalgs(SSL *s, const CBS *list);

/* external PSKs from the PSK callbacks, tls13_psk.c */
/* tls13_psk_session: a session for an external PSK |key| named |id|,
 * bound to SHA-256 (TLS_AES_128_GCM_SHA256), as OpenSSL does. */
SSL_SESSION *tls13_psk_session(const uint8_t *id, size_t id_len, const uint8_t *key,
                               size_t key_len);
/* tls13_psk_from_client_cb / _server_cb ask SSL_CTX_set_psk_client_callback /
 * _server_callback for a key; NULL when there is none. */
SSL_SESSION *tls13_psk_from_client_cb(SSL *s);
SSL_SESSION *tls13_psk_from_server_cb(SSL *s, const uint8_t *id, size_t id_len);

/* the role state machines */
enum hs_ret tls13_client_step(SSL *s);
enum hs_ret tls13_server_step(SSL *s);
int tls13_client_done(const SSL *s);
int tls13_server_done(const SSL *s);

/* post-handshake messages, tls13_post.c */
/* tls13_post_handshake processes one post-handshake message already in the
 * handshake buffer (NewSessionTicket, KeyUpdate). */
int tls13_post_handshake(SSL *s) WUR;
/* tls13_send_tickets queues |n| NewSessionTickets (server). */
int tls13_send_tickets(SSL *s, size_t n) WUR;
/* tls13_send_key_update queues a KeyUpdate and switches our write key. */
int tls13_send_key_update(SSL *s, int request) WUR;

#endif

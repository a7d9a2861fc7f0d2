/* Session tickets (session/ticket.c): the per-SSL_CTX key ring and the
 * sealing/opening of TLS 1.3 NewSessionTicket tickets.
 *
 * Default format (sesame): 0x02 || key name (16) || nonce (12) ||
 * AES-256-GCM(serialized session) || tag (16), AAD = the first 29 bytes.
 * With application keys (SSL_CTRL_SET_TLSEXT_TICKET_KEYS) or a ticket key
 * callback, OpenSSL's layout: key name (16) || IV (16) || AES-256-CBC ||
 * HMAC-SHA256(everything before). */
#ifndef SESAME_SESSION_TICKET_H
#define SESAME_SESSION_TICKET_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "base/bytes.h"

struct ticket_ring_key {
    uint8_t name[16];
    uint8_t key[32];
    uint64_t created_ms;
    int valid;
};

/* Tickets one ring key seals before it rotates: random 96-bit GCM nonces
 * stay safe for about 2^32 encryptions under one key; stay well below. */
#define TICKET_KEY_MAX_SEALS (1ULL << 31)

struct ticket_keys {
    int initialized;
    pthread_rwlock_t lock; /* guards everything below */
    struct ticket_ring_key cur, prev;
    _Atomic uint64_t cur_seals; /* tickets sealed under cur (read lock suffices) */
    uint64_t max_seals;         /* rotate after this many (tests lower it) */
    /* application keys (80 bytes: name 16 || HMAC 32 || AES 32) */
    int have_app_keys;
    uint8_t app_name[16];
    uint8_t app_hmac[32];
    uint8_t app_aes[32];
};

/* ticket_keys_init: random initial key; called from SSL_CTX_new. */
int ticket_keys_init(SSL_CTX *ctx) WUR;
/* ticket_keys_cleanup wipes the keys; called from SSL_CTX_free. */
void ticket_keys_cleanup(struct ticket_keys *tk);

/* sess_ticket_issue (server, TLS 1.3 NewSessionTicket): writes the opaque
 * ticket for the complete session |sess| into |out_ticket| (raw bytes, no
 * length prefix).  With SSL_OP_NO_TICKET in s->cfg.options the ticket is
 * stateful: |sess| gets a fresh random 32-byte session id, is inserted in
 * s->session_ctx's cache (+ new_session_cb) and the id is the ticket.
 * Otherwise the serialized session is sealed; if the cache mode includes
 * SSL_SESS_CACHE_SERVER the session is also handed to sess_cache_add_new
 * (as OpenSSL 3.0 does).  Returns 1 on success; 0 on failure.  A ticket key
 * callback returning 0 ("don't issue") yields 1 with an empty ticket:
 * the caller must then not send a NewSessionTicket. */
int sess_ticket_issue(SSL *s, SSL_SESSION *sess, CBB *out_ticket) WUR;

/* sess_ticket_seal (server): the sealed ticket for |sess| (the ticket key
 * callbacks or our key ring) appended to |out_ticket|: 1 sealed, 2 the
 * application's callback declined (nothing written), 0 failed. */
int sess_ticket_seal(SSL *s, SSL_SESSION *sess, CBB *out_ticket) WUR;

/* sess_ticket_accept (server): resolves a PSK identity.  1 with *out = new
 * reference on success; 1 with *out = NULL when unknown / undecryptable /
 * expired / other sid_ctx (full handshake); 0 only on internal failure.
 * *out_renew = 1 when the ticket should be replaced (old key, callback 2). */
int sess_ticket_accept(SSL *s, const uint8_t *identity, size_t len, SSL_SESSION **out,
                       int *out_renew) WUR;

/* sess_client_set_ticket (client, NewSessionTicket): stores the ticket,
 * lifetime and age_add in |sess| (not yet published), sets time to now and
 * session_id = SHA-256(ticket) as OpenSSL does (so the session is resumable:
 * contract S6). */
int sess_client_set_ticket(SSL_SESSION *sess, const uint8_t *ticket, size_t len, uint32_t lifetime,
                           uint32_t age_add) WUR;

/* sess_ticket_ctrl: SSL_CTRL_SET/GET_TLSEXT_TICKET_KEYS (via sess_ctx_ctrl). */
int sess_ticket_ctrl(SSL_CTX *ctx, int cmd, long larg, void *parg, long *out_ret);

#endif

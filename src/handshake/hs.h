/* The handshake driver and what the TLS 1.3 state machines share.
 *
 * Each role has one enum of states and one do_<state>() function per state
 * (tls13_client.c, tls13_server.c).  A state function returns an enum
 * hs_ret; the driver (hs.c) loops, and all transport I/O happens below it in
 * the record layer, so a WANT_READ/WANT_WRITE simply re-enters the same
 * state later with nothing consumed.  Every fatal error, wherever it is
 * found, ends in ssl_fatal (conn_fail.c).
 */
#ifndef SESAME_HANDSHAKE_HS_H
#define SESAME_HANDSHAKE_HS_H

#include "internal.h"
#include "codec/hello.h"
#include "keys/tls13_schedule.h"
#include "keys/transcript.h"
#include "handshake/conn.h"

enum hs_ret {
    HS_ERR = 0,    /* fatal: ssl_fatal has run */
    HS_OK = 1,     /* state advanced; continue */
    HS_RETRY = -1, /* transport would block (or a callback asked to wait) */
    HS_CLOSED = -2 /* the peer closed (close_notify, or EOF taken as one): no error */
};

#define HS_MAX_SIGALGS 32
/* Largest key share (ffdhe8192: 1024 bytes) and shared secret. */
#define HS_MAX_KEX 1024

/* The states of both roles, in one enum so one table names them all. */
enum hs_state_id {
    /* client */
    CS_SEND_CLIENT_HELLO = 0,
    CS_READ_SERVER_HELLO,
    CS_SEND_SECOND_CLIENT_HELLO,
    CS_READ_ENCRYPTED_EXTENSIONS,
    CS_READ_CERTIFICATE_REQUEST,
    CS_READ_SERVER_CERTIFICATE,
    CS_READ_SERVER_CERTIFICATE_VERIFY,
    CS_READ_SERVER_FINISHED,
    CS_SEND_CLIENT_CERTIFICATE,
    CS_SEND_CLIENT_FINISHED,
    CS_DONE,
    /* server */
    SS_READ_CLIENT_HELLO,
    SS_SEND_HELLO_RETRY_REQUEST,
    SS_READ_SECOND_CLIENT_HELLO,
    SS_SELECT_CERTIFICATE,
    SS_SEND_SERVER_HELLO,
    /* SS_SEND_COMPAT_CCS, SS_SEND_SERVER_CERTIFICATE_VERIFY, SS_EARLY_DATA:
     * steps only reported to the info callback, as OpenSSL's server does
     * (the work is done in the state before them); never current between
     * steps. */
    SS_SEND_COMPAT_CCS,
    SS_SEND_ENCRYPTED_EXTENSIONS,
    SS_SEND_CERTIFICATE_REQUEST,
    SS_SEND_SERVER_CERTIFICATE,
    SS_SEND_SERVER_CERTIFICATE_VERIFY,
    SS_SEND_SERVER_FINISHED,
    SS_EARLY_DATA, /* the end of the server's flight (TLS_ST_EARLY_DATA) */
    SS_READ_CLIENT_CERTIFICATE,
    SS_READ_CLIENT_CERTIFICATE_VERIFY,
    SS_READ_CLIENT_FINISHED,
    SS_SEND_TICKETS,
    SS_DONE,
    /* TLS 1.2 client, after the ServerHello */
    CS12_READ_SERVER_CERTIFICATE,
    CS12_READ_SERVER_KEY_EXCHANGE,
    CS12_READ_CERTIFICATE_REQUEST,
    CS12_READ_SERVER_HELLO_DONE,
    CS12_SEND_CLIENT_CERTIFICATE,
    CS12_SEND_CLIENT_KEY_EXCHANGE,
    CS12_SEND_CERTIFICATE_VERIFY,
    CS12_SEND_CHANGE_CIPHER_SPEC,
    CS12_SEND_FINISHED,
    CS12_READ_NEW_SESSION_TICKET,
    CS12_READ_CHANGE_CIPHER_SPEC,
    CS12_READ_FINISHED,
    /* TLS 1.2 server, after the ClientHello */
    SS12_SEND_SERVER_HELLO,
    SS12_SEND_SERVER_CERTIFICATE,
    SS12_SEND_SERVER_KEY_EXCHANGE,
    SS12_SEND_CERTIFICATE_REQUEST,
    SS12_SEND_SERVER_HELLO_DONE,
    SS12_READ_CLIENT_CERTIFICATE,
    SS12_READ_CLIENT_KEY_EXCHANGE,
    SS12_READ_CERTIFICATE_VERIFY,
    SS12_READ_CHANGE_CIPHER_SPEC,
    SS12_READ_FINISHED,
    SS12_SEND_NEW_SESSION_TICKET,
    SS12_SEND_CHANGE_CIPHER_SPEC,
    SS12_SEND_FINISHED,
    HS_NUM_STATES
};

/* What the table says of a state (hs_states.c). */
struct hs_state_info {
    const char *name;       /* our name, for debug output */
    int ossl_state;         /* OSSL_HANDSHAKE_STATE for SSL_get_state */
    const char *long_name;  /* SSL_state_string_long */
    const char *short_name; /* SSL_state_string */
};

/* hs_state_info: the row for |state| (never NULL). */
const struct hs_state_info *hs_state_info(int state);

struct hs_state {
    int state; /* enum hs_state_id */
    TRANSCRIPT transcript;
    TLS13_SCHEDULE ks;
    const EVP_MD *md;
    size_t hash_len;
    uint8_t client_hs[SESAME_MAX_HASH];
    uint8_t server_hs[SESAME_MAX_HASH];
    /* our ephemeral key share (the bytes are at the end) */
    uint16_t kex_group;
    EVP_PKEY *kex_key;
    size_t kex_pub_len;
    size_t kex_secret_len;
    /* client: the legacy_session_id we sent; server: the client's, echoed */
    uint8_t legacy_sid[32];
    size_t legacy_sid_len;
    uint8_t hrr;              /* a HelloRetryRequest happened */
    uint8_t ccs_sent;         /* the compatibility change_cipher_spec went out */
    uint8_t done_reported;    /* the info callback heard SSL_CB_HANDSHAKE_DONE */
    uint8_t cert_requested;   /* server asked for a client certificate */
    uint8_t psk_ke_only;      /* resumption without (EC)DHE */
    uint8_t sni_ack;          /* server: acknowledge server_name in EE */
    uint8_t groups_in_ee;     /* server: the client's share was not our first choice */
    uint8_t early_data;       /* server: the ClientHello offered 0-RTT (never accepted) */
    uint8_t offered_external; /* client: the PSK offered is an external one */
    uint8_t pha_offered;      /* server: the client offered post_handshake_auth */
    uint8_t hello_seen;       /* server: the ClientHello callback ran (once) */
    uint8_t offer13, offer12; /* client: the versions the ClientHello offers */
    /* TLS 1.2 */
    uint8_t ems;             /* extended master secret negotiated (RFC 7627) */
    uint8_t ticket_expected; /* a NewSessionTicket follows (RFC 5077) */
    uint8_t ticket_renew;    /* server: the accepted ticket is to be replaced */
    uint8_t dhe;             /* the suite's key exchange is DHE (else ECDHE) */
    uint8_t reneg_ok;        /* secure renegotiation indicated (RFC 5746) */
    uint8_t ec_formats;      /* server: answer ec_point_formats (RFC 8422) */
    uint8_t cert_types;      /* client: CertificateRequest types (1 rsa, 2 ecdsa) */
    uint8_t sid12[32];       /* the session id of this TLS 1.2 handshake */
    size_t sid12_len;
    uint8_t master[48];  /* TLS 1.2 master secret */
    EVP_PKEY *dh_params; /* TLS 1.2 server, DHE: the domain (auth/dh_params.h) */
    /* TLS 1.2 key block (RFC 5246 6.3), derived once for both directions
     * and wiped once both are installed */
    uint8_t key_block[2 * 32 + 2 * 12];
    uint8_t key_block_len;
    uint8_t keys_installed; /* directions installed from it */
    uint8_t *nst_ticket;    /* client: the ticket a NewSessionTicket carried */
    size_t nst_ticket_len;
    uint32_t nst_lifetime; /* ... and its lifetime hint (seconds) */
    uint16_t hrr_suite;
    uint8_t *cookie;
    size_t cookie_len;
    uint8_t *cert_req_ctx; /* post-handshake CertificateRequest context */
    size_t cert_req_ctx_len;
    uint8_t peer_sigalgs[2 * HS_MAX_SIGALGS]; /* raw u16 list, truncated */
    size_t peer_sigalgs_len;
    STACK_OF(X509) * peer_chain; /* leaf first */
    /* client: the PSK offered (ticket session or external); server: the
     * PSK accepted */
    SSL_SESSION *psk;
    int psk_index;
    /* server: the certificate slot and scheme chosen */
    int cert_slot;
    uint16_t sigalg;
    /* server: the parsed ClientHello, only while the client hello callback
     * runs (SSL_client_hello_get0_*) */
    const CODEC_CLIENT_HELLO *client_hello;
    /* Last, and not zeroed by hs_start (only the first kex_pub_len /
     * kex_secret_len bytes are ever read): our public share, and on a
     * server the (EC)DHE shared secret from the ClientHello's share. */
    uint8_t kex_pub[HS_MAX_KEX];
    uint8_t kex_secret[HS_MAX_KEX];
};

/* ---- the driver, hs.c ---- */

/* hs_start allocates the handshake state (role decided by s->server). */
int hs_start(SSL *s) WUR;
/* hs_free releases it, wiping secrets. */
void hs_free(SSL *s);
/* hs_run drives the handshake: 1 done, -1 failed (the error queue says so)
 * or would block (rwstate says which way), as SSL_do_handshake returns. */
int hs_run(SSL *s);
/* hs_set_state tells the info callback the current step is done (the
 * state table names it), then moves to |state|. */
void hs_set_state(SSL *s, int state);
/* hs_set_state_quietly moves on from a step that did nothing (an optional
 * message that was not there). */
void hs_set_state_quietly(SSL *s, int state);
/* hs_set_state_to_read: hs_set_state from a step that ends the server's
 * flight to one that reads.  OpenSSL's server reports such a step twice: as
 * its flight ends and again when the client's next message arrives; sesame
 * reports both as the flight ends. */
void hs_set_state_to_read(SSL *s, int state);

/* ---- the failure path, conn_fail.c ---- */

/* ssl_fatal (declared in conn.h): THE failure path of a connection, for
 * every fatal error wherever it is found.  Makes the failure sticky, removes
 * the session from the cache (contract S10; not after a transport failure,
 * as OpenSSL), notes a transport failure (SSL_ERROR_SYSCALL), and sends
 * |alert| (an AlertDescription; 0 sends none).  Idempotent. */
/* hs_fail raises |reason| (0: none, already raised) and calls ssl_fatal. */
enum hs_ret hs_fail(SSL *s, uint8_t alert, int reason);
/* hs_rec_result maps a record-layer result to the handshake's: REC_ERR
 * takes the failure path with the record layer's alert; REC_CLOSED (the
 * peer closed) stops the handshake without an error (HS_CLOSED). */
enum hs_ret hs_rec_result(SSL *s, int rec_ret, uint8_t alert);

/* ---- messages, hs.c ---- */

/* hs_send_message queues a complete handshake message (header included),
 * adds it to the transcript and reports it to the message callback; on
 * failure takes the failure path. */
int hs_send_message(SSL *s, const uint8_t *msg, size_t len) WUR;
/* hs_send_cbb: hs_send_message on a CBB's contents; always cleans the CBB. */
int hs_send_cbb(SSL *s, CBB *cbb) WUR;
/* hs_get_message fetches the next message, checks its type is |type| (a
 * mismatch is unexpected_message) and hands out its body.  The message is
 * not yet in the transcript: call hs_consume when done with it. */
enum hs_ret hs_get_message(SSL *s, uint8_t type, CBS *out_body);
/* hs_peek_type reports the next message's type (reading as needed). */
enum hs_ret hs_peek_type(SSL *s, uint8_t *out_type);
/* hs_current_message: the whole message hs_get_message handed out last. */
void hs_current_message(const SSL *s, const uint8_t **out_msg, size_t *out_len);
/* hs_consume adds the current message to the transcript and drops it. */
int hs_consume(SSL *s) WUR;
/* hs_msg_cb reports a handshake message to the message callback. */
void hs_msg_cb(SSL *s, int write_p, const uint8_t *msg, size_t len);

/* hs_transcript_hash: the hash of everything so far. */
int hs_transcript_hash(SSL *s, uint8_t *out) WUR;
/* hs_hash_with: the hash of the transcript followed by |extra|. */
int hs_hash_with(SSL *s, const uint8_t *extra, size_t extra_len, uint8_t *out) WUR;

/* hs_keylog reports a secret to the keylog callback (NSS key log format). */
void hs_keylog(SSL *s, const char *label, const uint8_t *secret, size_t len);
/* hs_info calls the info callback. */
void hs_info(SSL *s, int where, int ret);

/* ---- (EC)DHE, kex.c ---- */

/* kex_supported: 1 if we can do key exchange in |group| (X25519, X448,
 * P-256, P-384, P-521, ffdhe2048 ... ffdhe8192). */
int kex_supported(uint16_t group);
/* kex_share_len: the exact length of a key_share for |group|; 0 if
 * unsupported. */
size_t kex_share_len(uint16_t group);
/* kex_keygen makes an ephemeral key for |group| and its public encoding
 * into |out_pub| (HS_MAX_KEX bytes). */
int kex_keygen(uint16_t group, EVP_PKEY **out_key, uint8_t *out_pub, size_t *out_pub_len) WUR;
/* kex_derive computes the shared secret into |out| (HS_MAX_KEX bytes) with
 * the peer's encoded share: exactly the group's length (RFC 8446 4.2.8);
 * EC points uncompressed and on the curve; FFDHE 1 < y < p-1, the secret
 * left-padded to len(p); an all-zero X25519/X448 secret refused.  A bad
 * share sets *out_alert to illegal_parameter and raises SSL_R_BAD_KEY_SHARE
 * (length), SSL_R_BAD_ECPOINT (point, zero secret) or SSL_R_BAD_DH_VALUE. */
int kex_derive(uint16_t group, EVP_PKEY *key, const uint8_t *peer, size_t peer_len, uint8_t *out,
               size_t *out_len, uint8_t *out_alert) WUR;
/* kex_public_key: a new public-only EVP_PKEY for the encoded share |pub| of
 * |group| (what SSL_get_peer_tmp_key returns); NULL on failure. */
EVP_PKEY *kex_public_key(uint16_t group, const uint8_t *pub, size_t pub_len);

/* TLS 1.2 DHE over any domain (kex.c).  kex_dh_params: a domain from the
 * peer's p and g (at least |min_bits|; *out_alert otherwise); kex_dh_keygen:
 * an ephemeral key in |params|' domain and its public value (padded to
 * len(p)); kex_dh_domain: p and g of a key (unpadded); kex_dh_derive12: Z
 * with the peer's value (checked 1 < y < p-1), leading zero bytes
 * stripped as RFC 5246 8.1.2 asks. */
EVP_PKEY *kex_dh_params(const uint8_t *p, size_t p_len, const uint8_t *g, size_t g_len,
                        int min_bits, uint8_t *out_alert);
int kex_dh_keygen(EVP_PKEY *params, EVP_PKEY **out_key, uint8_t *out_pub, size_t *out_pub_len) WUR;
int kex_dh_domain(EVP_PKEY *key, uint8_t *p, size_t *p_len, uint8_t *g, size_t *g_len) WUR;
int kex_dh_derive12(EVP_PKEY *key, const uint8_t *peer, size_t peer_len, uint8_t *out,
                    size_t *out_len, uint8_t *out_alert) WUR;
/* kex_dh_public_key: a new public-only key in |domain|'s group with the
 * value |y| (SSL_get_peer_tmp_key / SSL_get_tmp_key after DHE). */
EVP_PKEY *kex_dh_public_key(EVP_PKEY *domain, const uint8_t *y, size_t y_len);

/* ---- what both TLS 1.3 roles share, tls13_common.c ---- */

/* tls13_set_suite_md fixes the handshake hash from |suite|. */
int tls13_set_suite_md(SSL *s, const SSL_CIPHER *suite) WUR;
/* tls13_derive_handshake_secrets: Early Secret from |psk| (may be NULL),
 * Handshake Secret from the (EC)DHE |secret| (may be empty), and both
 * handshake traffic secrets over the transcript through ServerHello. */
int tls13_derive_handshake_secrets(SSL *s, const SSL_SESSION *psk, const uint8_t *secret,
                                   size_t secret_len) WUR;
/* tls13_psk_binder computes the binder of |psk| over |hello| truncated to
 * |trunc_len| bytes (preceded by the transcript so far after an HRR),
 * RFC 8446 4.2.11.2.  |md| is the PSK's hash. */
int tls13_psk_binder(SSL *s, const EVP_MD *md, const SSL_SESSION *psk, int external,
                     const uint8_t *hello, size_t trunc_len, uint8_t *out) WUR;
/* tls13_queue_compat_ccs queues the middlebox-compatibility
 * change_cipher_spec once (RFC 8446 D.4), in the clear. */
int tls13_queue_compat_ccs(SSL *s) WUR;
/* tls13_send_certificate queues Certificate (and, if |slot| is non-NULL,
 * CertificateVerify signed with |sigalg|) for |slot| (NULL: empty). */
int tls13_send_certificate(SSL *s, const CERT_SLOT *slot, uint16_t sigalg) WUR;
/* tls13_send_certificate_request queues a CertificateRequest with
 * |ctx| (empty in the handshake), our signature schemes and the client CA
 * names (SSL_set_client_CA_list); 0 on failure (failure path taken). */
int tls13_send_certificate_request(SSL *s, const uint8_t *ctx, size_t ctx_len) WUR;
/* tls13_read_certificate reads a Certificate into hs->peer_chain (NULL when
 * empty and |allow_empty|), checking the request context. */
enum hs_ret tls13_read_certificate(SSL *s, int allow_empty);
/* ---- certificates, both versions, hs_certs.c ---- */

/* hs_send_certificate queues Certificate for |slot| (NULL: empty), in the
 * TLS 1.2 format when |tls12|, else TLS 1.3's (with the request context). */
int hs_send_certificate(SSL *s, const CERT_SLOT *slot, int tls12) WUR;

#define HS_MAX_CA_NAMES 64
/* The DER of the CA names a CertificateRequest carries. */
struct hs_ca_names {
    const uint8_t *der[HS_MAX_CA_NAMES];
    size_t len[HS_MAX_CA_NAMES];
    uint8_t *owned[HS_MAX_CA_NAMES];
    size_t num;
};
/* hs_keep_peer_ca_names replaces s->peer_ca_names (SSL_get0_peer_CA_list,
 * and a client's SSL_get_client_CA_list) with the names of a
 * DistinguishedName list (the contents the codec checked: u16-prefixed,
 * non-empty names), as OpenSSL keeps those of a CertificateRequest or of a
 * ClientHello's certificate_authorities.  A name that is not one whole DER
 * Name fails the handshake with decode_error, as in OpenSSL. */
enum hs_ret hs_keep_peer_ca_names(SSL *s, const CBS *list) WUR;
/* hs_ca_names_der encodes SSL_set_client_CA_list's names (at most 64). */
int hs_ca_names_der(SSL *s, struct hs_ca_names *out) WUR;
void hs_ca_names_free(struct hs_ca_names *c);

/* hs_verify_chain verifies |chain| (leaf first) with the connection's
 * store, settings and callbacks (auth/), setting s->verify_result and
 * s->verified_chain; 0 with *out_alert when the handshake must stop. */
int hs_verify_chain(SSL *s, STACK_OF(X509) * chain, uint8_t *out_alert) WUR;
/* hs_take_peer_chain: the peer's Certificate message (its certificate_list
 * of |num_certs| entries, TLS 1.3 entries with extensions or TLS 1.2 bare
 * ones) decoded into hs->peer_chain and the message consumed; an empty list
 * only if |allow_empty| (else decode_error, as OpenSSL), an entry that is not
 * a certificate bad_certificate, a leaf whose key we cannot use
 * unsupported_certificate. */
enum hs_ret hs_take_peer_chain(SSL *s, const CBS *certificate_list, size_t num_certs, int tls13,
                               int allow_empty);
/* hs_verify_peer_chain verifies hs->peer_chain with the connection's
 * store and callbacks (auth/), setting s->verify_result. */
enum hs_ret hs_verify_peer_chain(SSL *s);
/* tls13_read_cert_verify reads CertificateVerify and checks it against the
 * peer's leaf. */
enum hs_ret tls13_read_cert_verify(SSL *s);
/* tls13_send_finished queues Finished keyed by |base| (our handshake
 * traffic secret). */
int tls13_send_finished(SSL *s, const uint8_t *base) WUR;
/* tls13_read_finished reads the peer's Finished, checks it against |base|,
 * and, in the handshake, requires the record boundary a key change needs
 * (RFC 8446 5.1). */
enum hs_ret tls13_read_finished(SSL *s, const uint8_t *base);
/* tls13_derive_app_secrets: master secret, application traffic and exporter
 * secrets from the transcript through the server Finished. */
int tls13_derive_app_secrets(SSL *s) WUR;
/* tls13_derive_resumption: resumption master secret after client Finished. */
int tls13_derive_resumption(SSL *s) WUR;
/* tls13_establish_session makes s->session the session this handshake
 * established (S1); on a client it cannot resume until a ticket arrives (S6). */
int tls13_establish_session(SSL *s) WUR;
/* tls13_set_peer_sigalgs stores the peer's signature_algorithms list (in
 * the handshake state, and whole in s->peer_sigalgs_all); 0 on allocation
 * failure (error raised). */
int tls13_set_peer_sigalgs(SSL *s, const CBS *list) WUR;
/* hs_client_servername_cb: a client calls the SSL_CTX's servername callback
 * once the server's extensions are processed (EncryptedExtensions in TLS
 * 1.3, ServerHello in TLS 1.2), as OpenSSL does: SSL_TLSEXT_ERR_ALERT_FATAL
 * fails with the alert it set (unrecognized_name by default), a warning is
 * sent in TLS 1.2 only. */
enum hs_ret hs_client_servername_cb(SSL *s) WUR;
/* hs_server_resuming forgets what OpenSSL does not keep of a ClientHello
 * that resumes a session: its signature_algorithms, and in TLS 1.2 (not
 * |tls13|) its suites, supported_groups and ec_point_formats too (the
 * getters then report none, as OpenSSL's). */
void hs_server_resuming(SSL *s, int tls13);
/* hs_keep_u16_list replaces *out with a copy of the u16 list |list| (an
 * even number of bytes); 0 on allocation failure (error raised). */
int hs_keep_u16_list(const CBS *list, uint16_t **out, uint16_t *num) WUR;
/* hs_keep_u8_list: the same for a u8 list (at most 255 values). */
int hs_keep_u8_list(const CBS *list, uint8_t **out, uint8_t *num) WUR;
/* tls13_keep_kex_shares records the peer's share and ours (hs->kex_pub) of
 * the exchange in s->group for the API (s->kex_shares), replacing any
 * earlier ones. */
int tls13_keep_kex_shares(SSL *s, const uint8_t *peer, size_t peer_len) WUR;

/* ---- external PSKs from the PSK callbacks, tls13_psk.c ---- */

/* tls13_psk_session: a session for an external PSK |key| named |id|,
 * bound to SHA-256 (TLS_AES_128_GCM_SHA256), as OpenSSL does. */
SSL_SESSION *tls13_psk_session(const uint8_t *id, size_t id_len, const uint8_t *key,
                               size_t key_len);
/* tls13_psk_from_client_cb / _server_cb ask SSL_CTX_set_psk_client_callback /
 * _server_callback for a key; NULL when there is none. */
SSL_SESSION *tls13_psk_from_client_cb(SSL *s);
SSL_SESSION *tls13_psk_from_server_cb(SSL *s, const uint8_t *id, size_t id_len);

/* tls13_psk_copy: our own session for the external PSK of the
 * application's |app| session, named |id| (the application's session is
 * never written to). */
SSL_SESSION *tls13_psk_copy(const SSL_SESSION *app, const uint8_t *id, size_t id_len);

/* ---- versions, version.c ---- */

/* hs_version_range: the versions this configuration may negotiate (TLS 1.2
 * and 1.3 only; SSL_set_min/max_proto_version, SSL_OP_NO_TLSv1_2/3, a
 * method fixed to one version); 0 when none is left. */
int hs_version_range(const SSL *s, uint16_t *out_min, uint16_t *out_max);
/* hs_state_is_tls12: |state| belongs to the TLS 1.2 state machines. */
int hs_state_is_tls12(int state);

/* ---- TLS 1.2, tls12_client.c / tls12_server.c / tls12_common.c ---- */

/* tls12_client_server_hello continues the client after a TLS 1.2
 * ServerHello (the message is current, not yet in the transcript). */
enum hs_ret tls12_client_server_hello(SSL *s, const CODEC_SERVER_HELLO *sh);
/* tls12_server_client_hello continues the server after it chose TLS 1.2
 * for the ClientHello |ch| (current, not yet in the transcript). */
enum hs_ret tls12_server_client_hello(SSL *s, const CODEC_CLIENT_HELLO *ch);
/* hs_select_alpn runs the server's ALPN callback on the client's list. */
enum hs_ret hs_select_alpn(SSL *s, const CODEC_CLIENT_HELLO *ch);
enum hs_ret tls12_client_step(SSL *s);
enum hs_ret tls12_server_step(SSL *s);
/* tls12_client_session: the TLS 1.2 session the client may offer (a
 * borrowed pointer), or NULL. */
SSL_SESSION *tls12_client_session(SSL *s);

/* ---- the role state machines ---- */

enum hs_ret tls13_client_step(SSL *s);
enum hs_ret tls13_server_step(SSL *s);
/* hs_client_cert_choose picks the certificate answering a
 * CertificateRequest (callbacks first) among the slots in |slots|, with
 * TLS 1.3 rules when |tls13|; *out_slot -1 for none. */
enum hs_ret hs_client_cert_choose(SSL *s, int tls13, unsigned slots, int *out_slot,
                                  uint16_t *out_sigalg);

/* ---- after the handshake, tls13_post.c ---- */

/* tls13_post_handshake processes the complete post-handshake messages in
 * the handshake buffer (NewSessionTicket, KeyUpdate, CertificateRequest);
 * HS_OK, HS_RETRY (a reply cannot be written yet) or HS_ERR. */
enum hs_ret tls13_post_handshake(SSL *s);

/* Post-handshake messages of any kind in a row without application data,
 * in either version. */
#define HS_MAX_POST_HS_MESSAGES 128

/* hs_post_next: the next whole handshake message after the handshake
 * (counted against HS_MAX_POST_HS_MESSAGES, unexpected_message beyond):
 * 1 with the message (*msg, *len), its *type and its *body; 0 with *out
 * what the caller returns (HS_OK when more records are needed, HS_ERR
 * after a failure).  Both versions' post_handshake loops (conn_io.c). */
int hs_post_next(SSL *s, const uint8_t **msg, size_t *len, uint8_t *type, CBS *body,
                 enum hs_ret *out);

/* tls12_post_handshake: the same for TLS 1.2, where renegotiation is
 * refused (RFC 5746 4.2, 4.4: a no_renegotiation warning answers a
 * HelloRequest or a ClientHello) and anything else is unexpected. */
enum hs_ret tls12_post_handshake(SSL *s);
/* tls13_send_tickets queues |n| NewSessionTickets (server). */
int tls13_send_tickets(SSL *s, size_t n) WUR;
/* tls13_send_key_update queues a KeyUpdate and switches our write key. */
int tls13_send_key_update(SSL *s, int request) WUR;

#endif

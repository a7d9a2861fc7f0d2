/* The shared internal definitions of sesame: the SSL_CTX, SSL, SSL_SESSION,
 * SSL_CIPHER and SSL_METHOD objects behind OpenSSL's opaque types.
 *
 * Every library .c file includes this header first.  The OpenSSL headers are
 * included under default visibility so that the public functions we define
 * with OpenSSL's names are exported (the version script then narrows the
 * export list to exactly those names, tagged OPENSSL_3.0.0); everything else
 * is compiled with -fvisibility=hidden.
 *
 * Ownership of the sub-structures:
 *   struct ssl_config      auth/config.c  (settings shared by SSL_CTX and SSL)
 *   struct sess_cache      session/       (per-SSL_CTX cache and counters)
 *   struct ticket_keys     session/       (per-SSL_CTX ticket key ring)
 *   struct rec_layer       record/        (buffers, keys, sequence numbers)
 *   struct hs_state        handshake/     (live handshake only)
 */
#ifndef SESAME_INTERNAL_H
#define SESAME_INTERNAL_H

#pragma GCC visibility push(default)
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ct.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#pragma GCC visibility pop

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include "base/bytes.h"
#include "base/clock.h"

/* Largest hash we use (SHA-384). */
#define SESAME_MAX_HASH 48
/* TLS record plaintext limit, RFC 8446 5.1. */
#define SESAME_MAX_PLAINTEXT 16384
/* Longest groups list: every group we implement once (codec/groups.h). */
#define SESAME_MAX_GROUPS 10

/* ---- cipher suites ---- */

/* codec/cipher_suites.c holds the table; besides the suites it has the two
 * signalling values (TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV)
 * as OpenSSL does, with |valid| 0: they are never configured nor
 * negotiated, only reported (SSL_CIPHER_find, SSL_bytes_to_cipher_list). */
struct ssl_cipher_st {
    const char *name;     /* OpenSSL name, e.g. "TLS_AES_128_GCM_SHA256" */
    const char *std_name; /* IANA name */
    uint32_t id;          /* 0x03000000 | suite, as SSL_CIPHER_get_id returns */
    uint16_t suite;       /* wire value */
    uint16_t min_version; /* TLS1_2_VERSION or TLS1_3_VERSION (0: SCSV) */
    uint16_t max_version;
    int md_nid;     /* PRF / HKDF hash: NID_sha256, NID_sha384 (SCSV: NID_undef) */
    int cipher_nid; /* NID_aes_128_gcm, NID_aes_256_gcm, NID_chacha20_poly1305 */
    uint8_t key_len;
    uint8_t
        iv_len;    /* TLS 1.3: 12; TLS 1.2 GCM: 4 (salt, RFC 5288); TLS 1.2 ChaCha: 12 (RFC 7905) */
    int bits;      /* strength (SSL_CIPHER_get_bits; equal to the algorithm's bits) */
    int kx_nid;    /* NID_kx_any (1.3, SCSV), NID_kx_ecdhe, NID_kx_dhe */
    int auth_nid;  /* NID_auth_any (1.3, SCSV), NID_auth_ecdsa, NID_auth_rsa */
    uint8_t valid; /* 1 for a suite, 0 for a signalling value */
};

/* ---- methods ---- */

struct ssl_method_st {
    int version; /* TLS_ANY_VERSION or a fixed version */
    int role;    /* 0 either, 1 client only, 2 server only */
};

/* ---- certificates and keys ---- */

enum {
    CERT_SLOT_EC = 0,
    CERT_SLOT_RSA,
    CERT_SLOT_RSA_PSS,
    CERT_SLOT_ED25519,
    CERT_SLOT_ED448,
    CERT_NUM_SLOTS
};

typedef struct {
    X509 *x509;
    EVP_PKEY *pkey;
    STACK_OF(X509) * chain; /* extra certificates, leaf excluded */
    /* base/cert_cache.c: x509 + chain as DER, encoded when they are set and
     * shared by reference count with the slots copied from this one; NULL
     * if not encoded (then the handshake encodes them itself). */
    struct cert_der *der;
} CERT_SLOT;

/* The large, rarely changed part of the settings (certificates, suite and
 * group lists, ALPN, the verify parameters, ...): shared by reference
 * count between an SSL_CTX and the SSLs made from it, and copied on write
 * (auth/config.c: cfg_shared_mut) by whichever of them changes it first,
 * so that an SSL costs nothing here unless it is configured on its own,
 * while each keeps OpenSSL's semantics (an SSL keeps the settings its
 * SSL_CTX had at SSL_new).  Read it through the const pointer only. */
struct ssl_config_shared {
    /* (the two atomics first: auth/config.c copies what follows them) */
    _Atomic int references;
    /* a pointer to mutable state inside (the verify parameters, a chain
     * stack) was handed to the application, which may change it at any
     * time: SSL_new then gives the SSL a copy of its own */
    _Atomic uint8_t escaped;
    X509_VERIFY_PARAM *param; /* host name, depth, purpose */
    CERT_SLOT certs[CERT_NUM_SLOTS];
    /* enabled suites in preference order (num_suites12 may be 0: OpenSSL
     * keeps an empty TLS 1.2 list after a cipher string matching nothing) */
    const SSL_CIPHER *suites13[8];
    size_t num_suites13;
    const SSL_CIPHER *suites12[16];
    size_t num_suites12;
    STACK_OF(SSL_CIPHER) * cipher_stack; /* cached for SSL_get_ciphers */
    /* SSL_CTX_set0_tmp_dh_pkey / SSL_CTX_set_tmp_dh (owned, NULL if none) */
    EVP_PKEY *dh_tmp;
    uint16_t groups[SESAME_MAX_GROUPS]; /* supported groups, preference order */
    size_t num_groups;
    uint16_t sigalgs[16]; /* signature schemes we accept/offer */
    size_t num_sigalgs;
    uint8_t *alpn; /* client: protocol list we offer (wire format) */
    size_t alpn_len;
    uint8_t sid_ctx[SSL_MAX_SID_CTX_LENGTH];
    size_t sid_ctx_len;
    char *psk_identity_hint;
    /* api/: SSL_CTX_set1_verify_cert_store / set1_chain_cert_store (NULL =
     * use the SSL_CTX's cert_store) */
    X509_STORE *verify_store;
    X509_STORE *chain_store;
};

/* Settings that an SSL_CTX holds and each SSL copies at SSL_new (and that
 * the SSL_set_* functions then change for that one connection): the small
 * ones inline, the large ones in |sh|, shared until written. */
struct ssl_config {
    uint64_t options;             /* SSL_OP_* */
    uint32_t mode;                /* SSL_MODE_* */
    int min_version, max_version; /* 0 = no limit */
    int verify_mode;
    int verify_depth;
    SSL_verify_cb verify_cb;
    /* SSL_(CTX_)set_generate_session_id: makes TLS 1.2 session ids and
     * TLS 1.3 tickets' ids on a server (session/session_cache.c) */
    GEN_SESSION_CB generate_session_id;
    int cert_current; /* slot last set, for SSL_get_certificate */
    /* SSL_CERT_FLAG_SUITEB_* set by a cipher string starting "SUITEB..."; as
     * in OpenSSL it stays and rewrites every later cipher string */
    uint32_t suiteb_flags;
    /* the other SSL_CERT_FLAG_* bits (SSL_CTRL_CERT_FLAGS; SSL_CONF "-strict"):
     * kept and reported, SSL_CERT_FLAG_TLS_STRICT's checks are not made */
    uint32_t cert_flags;
    /* DHE parameters (auth/dh_params.h reads them): SSL_CTX_set_dh_auto
     * (0 off, 2 by the security level only, else by our certificate's key
     * too), sh->dh_tmp, SSL_CTX_set_tmp_dh_callback; OpenSSL's precedence in
     * that order. */
    long dh_auto;
    DH *(*dh_tmp_cb)(SSL *, int, int);
    size_t num_tickets; /* TLS 1.3 tickets sent after the handshake */
    int post_handshake_auth;
    int quiet_shutdown;
    int read_ahead;
    size_t max_send_fragment;
    /* TLS 1.3 record padding (record/record_write.c): the callback's answer,
     * else up to a multiple of block_padding (0: none) */
    size_t block_padding;
    size_t (*record_padding_cb)(SSL *, int, size_t, void *);
    void *record_padding_arg;
    int security_level;
    uint32_t max_early_data;
    /* callbacks, settable per SSL too */
    void (*info_cb)(const SSL *, int, int);
    void (*msg_cb)(int, int, int, const void *, size_t, SSL *, void *);
    void *msg_cb_arg;
    SSL_psk_client_cb_func psk_client_cb;
    SSL_psk_server_cb_func psk_server_cb;
    SSL_psk_find_session_cb_func psk_find_session_cb;
    SSL_psk_use_session_cb_func psk_use_session_cb;
    int (*client_cert_cb)(SSL *, X509 **, EVP_PKEY **);
    const struct ssl_config_shared *sh; /* never NULL once initialised */
};

/* ---- sessions ---- */

struct sess_peer;  /* session/session_peer.c: the peer's certificates as DER */
struct sess_extra; /* session/session.c: sid_ctx, hostname, ALPN, ticket appdata */

/* Laid out for size (a server may cache millions): small fields first, no
 * padding holes, the variable-length parts in shared immutable side blocks.
 * Sessions copied from one connection (one per ticket) share |peer| and
 * |extra| by reference count; a setter replaces the block (copy on write). */
struct ssl_session_st {
    _Atomic int references;
    uint16_t version;
    uint16_t group; /* key exchange group of the original handshake */
    uint16_t peer_sigalg;
    uint8_t master_key_len;
    uint8_t session_id_len;
    uint8_t sid_ctx_len;
    _Atomic uint8_t not_resumable; /* set when bad, or spent (single use); any thread */
    uint8_t is_external_psk;       /* built by an application for an external PSK */
    uint8_t ems;                   /* TLS 1.2 extended master secret */
    const SSL_CIPHER *cipher;
    /* TLS 1.3: the resumption PSK derived from this ticket's nonce (or an
     * external PSK); TLS 1.2: the master secret. */
    uint8_t master_key[SESAME_MAX_HASH];
    uint8_t session_id[SSL_MAX_SSL_SESSION_ID_LENGTH];
    uint32_t ticket_lifetime_hint; /* seconds */
    uint32_t ticket_age_add;
    uint32_t max_early_data;
    int32_t verify_result; /* X509_V_* (fits an int) */
    uint64_t time_ms;      /* creation (or ticket receipt), ms since the epoch */
    uint64_t timeout;      /* seconds */
    uint8_t *ticket;       /* client: the opaque ticket to present (own allocation) */
    size_t ticket_len;
    /* Read-only views into |extra| (set only by session/): sid_ctx is never
     * NULL (a static empty array when sid_ctx_len is 0); hostname is the SNI
     * the session was made for, or NULL. */
    const uint8_t *sid_ctx;
    const char *hostname;
    struct sess_extra *extra; /* NULL when all its parts are empty */
    struct sess_peer *peer;   /* NULL when the peer sent no certificate */
    CRYPTO_EX_DATA ex_data;
    /* cache linkage, owned by session/session_cache.c; a session belongs to
     * at most one cache at a time (contract S13). */
    struct ssl_session_st *lru_prev, *lru_next, *hash_next;
    void *owner; /* the struct sess_cache holding it, or NULL */
    uint64_t hash;
    uint64_t lru_stamp; /* cache-wide use stamp (LRU across shards) */
};

#include "session/session_cache.h" /* struct sess_cache */
#include "session/ticket.h"        /* struct ticket_keys */
#include "record/record.h"         /* struct rec_layer */

/* ---- SSL_CTX ---- */

struct ssl_ctx_st {
    _Atomic int references;
    const SSL_METHOD *method;
    OSSL_LIB_CTX *libctx;
    char *propq;
    struct ssl_config cfg;
    X509_STORE *cert_store;
    STACK_OF(X509_NAME) * client_ca_names; /* sent in CertificateRequest */
    /* SSL_CTX_set0_CA_list: the CertificateRequest's names when there is no
     * client CA list (api/ca_names.c) */
    STACK_OF(X509_NAME) * ca_names;
    /* Certificate Transparency logs (SSL_CTX_set_default_ctlog_list_file):
     * kept for the application; sesame validates no SCTs */
    CTLOG_STORE *ctlog_store;
    STACK_OF(X509) * extra_certs; /* SSL_CTX_add_extra_chain_cert */
    struct sess_cache cache;
    struct ticket_keys tickets;
    struct sess_store *store; /* the fleet session store, or NULL (session/store.h) */
    CRYPTO_EX_DATA ex_data;
    pem_password_cb *default_passwd_cb;
    void *default_passwd_cb_userdata;
    int (*servername_cb)(SSL *, int *, void *);
    void *servername_arg;
    int (*alpn_select_cb)(SSL *, const unsigned char **, unsigned char *, const unsigned char *,
                          unsigned int, void *);
    void *alpn_select_arg;
    SSL_CTX_keylog_cb_func keylog_cb;
    int (*app_verify_cb)(X509_STORE_CTX *, void *);
    void *app_verify_arg;
    SSL_client_hello_cb_fn client_hello_cb;
    void *client_hello_cb_arg;
    /* session callbacks (contract S8, S11) */
    int (*new_session_cb)(SSL *, SSL_SESSION *);
    void (*remove_session_cb)(SSL_CTX *, SSL_SESSION *);
    SSL_SESSION *(*get_session_cb)(SSL *, const unsigned char *, int, int *);
    /* ticket key callbacks (nginx, apps doing their own rotation) */
    int (*ticket_key_evp_cb)(SSL *, unsigned char *, unsigned char *, EVP_CIPHER_CTX *,
                             EVP_MAC_CTX *, int);
    int (*ticket_key_cb)(SSL *, unsigned char *, unsigned char *, EVP_CIPHER_CTX *, HMAC_CTX *,
                         int);
    SSL_CTX_generate_session_ticket_fn gen_ticket_cb;
    SSL_CTX_decrypt_session_ticket_fn dec_ticket_cb;
    void *ticket_cb_arg;
    int session_cache_mode;
    long session_timeout; /* seconds, default 7200 (SSL_CTX_set_timeout) */
    /* api/: SSL_CTX_set_cert_cb (called before the certificate is chosen) */
    int (*cert_cb)(SSL *, void *);
    void *cert_cb_arg;
};

/* ---- SSL ---- */

/* Handshake progress as seen by SSL_get_state / SSL_in_init. */
enum ssl_hs_phase { HS_PHASE_BEFORE = 0, HS_PHASE_IN_INIT, HS_PHASE_DONE };

struct hs_state; /* handshake/hs.h */

/* Secrets that outlive the handshake (TLS 1.3). */
struct tls13_secrets {
    const EVP_MD *md;
    size_t hash_len;
    uint8_t client_app[SESAME_MAX_HASH];
    uint8_t server_app[SESAME_MAX_HASH];
    uint8_t exporter[SESAME_MAX_HASH];
    uint8_t resumption[SESAME_MAX_HASH];
};

struct ssl_st {
    _Atomic int references;
    SSL_CTX *ctx;         /* current context (SNI may switch it) */
    SSL_CTX *session_ctx; /* context whose cache and callbacks sessions use */
    const SSL_METHOD *method;
    int server; /* 1 server, 0 client, -1 not yet set */
    /* SSL_set_connect_state / SSL_set_accept_state (or SSL_connect /
     * SSL_accept) was called: OpenSSL's handshake_func is set.  Until then
     * I/O fails (SSL_R_UNINITIALIZED, SSL_R_CONNECTION_TYPE_NOT_SET). */
    uint8_t role_set;
    struct ssl_config cfg;
    char *hostname; /* client: SNI to send; server: SNI received */
    BIO *rbio, *wbio;
    CRYPTO_EX_DATA ex_data;

    /* state */
    enum ssl_hs_phase phase;
    int rwstate;           /* SSL_NOTHING, SSL_READING, SSL_WRITING, SSL_X509_LOOKUP, ... */
    int shutdown;          /* SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN */
    uint8_t fatal;         /* sticky: a fatal error occurred */
    uint8_t fatal_syscall; /* the fatal error was a transport failure (nothing queued) */
    uint8_t alert_sent;    /* last alert we sent (description), for SSL_alert_* */
    uint8_t alert_received;
    uint8_t warn_alert; /* the last warning alert received (OpenSSL's s3.warn_alert) */
    uint8_t hit;        /* SSL_session_reused */
    struct rec_layer rl;
    struct hs_state *hs; /* non-NULL only while a handshake runs */

    /* negotiated */
    uint16_t version; /* 0 until known */
    const SSL_CIPHER *cipher;
    uint16_t group;
    uint16_t peer_sigalg;
    uint16_t own_sigalg;
    /* handshake/: the key shares of the (EC)DHE exchange, the peer's
     * (kex_peer_len bytes) then ours (kex_own_len), in one allocation, kept
     * for SSL_get_peer_tmp_key / SSL_get_tmp_key (api/ctrl.c makes the keys
     * when asked); NULL when there was none.  Public values only. */
    uint16_t kex_peer_len, kex_own_len;
    uint8_t *kex_shares;
    /* TLS 1.2 DHE (group 0): the domain (p, g) the shares belong to */
    EVP_PKEY *dhe_domain;
    /* server: the client's supported_groups that we know, in its order
     * (codec/groups.h groups_pack), for SSL_get_shared_group */
    uint64_t peer_groups;
    /* the peer's signature_algorithms (a server: the ClientHello's; a
     * client: the last CertificateRequest's) and supported_groups (a
     * server: the ClientHello's; a client: a TLS 1.3 server's
     * EncryptedExtensions) as received, unknown values included, for
     * SSL_get_sigalgs / SSL_get_shared_sigalgs / SSL_get1_groups; NULL
     * when none arrived */
    uint16_t *peer_sigalgs_all;
    uint16_t *peer_groups_all;
    uint16_t num_peer_sigalgs_all, num_peer_groups_all;
    /* the schemes both sides have, fixed when the peer's list arrived
     * (auth/policy.h policy_shared_sigalgs; SSL_get_shared_sigalgs) */
    uint16_t shared_sigalgs[16];
    uint8_t num_shared_sigalgs;
    /* TLS 1.2: the peer's ec_point_formats (SSL_get0_ec_point_formats); a
     * client: the certificate_types of a CertificateRequest
     * (SSL_get0_certificate_types) */
    uint8_t *peer_ec_point_formats;
    uint8_t *peer_cert_types;
    uint8_t num_peer_ec_point_formats, num_peer_cert_types;
    uint8_t *alpn_selected;
    size_t alpn_selected_len;
    SSL_SESSION *session;     /* the session in use (contract S1) */
    SSL_SESSION *psk_session; /* client: the session we offered */
    long verify_result;
    STACK_OF(X509) * peer_chain_nl; /* returned by SSL_get_peer_cert_chain (server: without leaf) */
    struct tls13_secrets s13;
    X509 *own_cert; /* the certificate we sent */
    EVP_PKEY *own_key;
    STACK_OF(X509_NAME) * peer_ca_names;
    size_t tickets_sent;
    uint8_t tickets_pending;    /* server: tickets still to send (SSL_new_session_ticket) */
    uint8_t key_update_pending; /* 0 none, else 1 + SSL_KEY_UPDATE_* to send */
    /* after the handshake: counts a peer controls, bounded (tls13_post.c) */
    uint16_t post_hs_msgs;   /* post-handshake messages since the last application data */
    uint8_t key_updates;     /* KeyUpdates since the last application data */
    uint8_t ku_reply_unsent; /* a KeyUpdate reply is queued and not yet written */
    uint8_t ri_support;      /* TLS 1.2: the peer does secure renegotiation (RFC 5746) */
    /* post-handshake client authentication (handshake/tls13_pha.c) */
    uint8_t pha_state;          /* enum pha_state */
    uint8_t certreq_sent;       /* server: a CertificateRequest went out (SSL_VERIFY_CLIENT_ONCE) */
    EVP_MD_CTX *pha_transcript; /* the handshake transcript, kept for it */
    struct hs_state *pha_hs;    /* an authentication in progress */
    uint8_t client_random[32];
    uint8_t server_random[32];
    uint8_t finished_peer[SESAME_MAX_HASH]; /* for SSL_get_peer_finished */
    uint8_t finished_own[SESAME_MAX_HASH];
    size_t finished_len;      /* of finished_own: 0 until we sent Finished */
    size_t finished_peer_len; /* 0 until the peer's Finished verified */
    /* server: the suites of the client's hello that we know, in its order
     * (set once a suite was chosen); SSL_get_client_ciphers builds
     * peer_cipher_stack from them on demand (api/info.c). */
    uint16_t peer_suites[16];
    uint8_t num_peer_suites;
    STACK_OF(SSL_CIPHER) * peer_cipher_stack;
    /* api/: SSL_set_default_passwd_cb(_userdata), for SSL_use_*_file */
    pem_password_cb *default_passwd_cb;
    void *default_passwd_cb_userdata;
    /* api/: SSL_set_cert_cb */
    int (*cert_cb)(SSL *, void *);
    void *cert_cb_arg;
    /* api/: SSL_set_client_CA_list; NULL = use ctx->client_ca_names */
    STACK_OF(X509_NAME) * client_ca_names;
    /* auth/: the peer name that matched in the last verification
     * (SSL_get0_peername), or NULL */
    char *peername;
    /* api/: SSL_set0_CA_list; NULL = use ctx->ca_names */
    STACK_OF(X509_NAME) * ca_names;
    /* api/: the chain X509_verify_cert built (SSL_get0_verified_chain) */
    STACK_OF(X509) * verified_chain;
    /* handshake/: server, TLS 1.3: the connection's own session, never
     * cached; every ticket's session is a copy of it (copying a cached
     * session would race with the cache's links). */
    SSL_SESSION *ticket_base;
};

/* ---- helpers used across layers ---- */

/* ssl_fatal: make the connection's failure sticky and queue |alert| (an
 * RFC 8446 AlertDescription, or 0 for none) for sending. */
void ssl_fatal(SSL *s, uint8_t alert);

#endif

/* peer.h - a scripted, hostile TLS 1.3 (and TLS 1.2) peer for sesame's tests.
 *
 * An independent, minimal TLS 1.3 (RFC 8446) written on libcrypto only: X25519, HKDF over
 * HMAC-SHA256, AES-128-GCM (TLS_AES_128_GCM_SHA256), ECDSA P-256 for its CertificateVerify;
 * and a minimal TLS 1.2 beside it (peer12.c, "TLS 1.2" below).
 * It verifies no certificate and implements no extension beyond what a handshake with sesame
 * needs.  What it offers instead is control: every record and message can be sent whole,
 * fragmented, corrupted, out of order or not at all, so that a script (scenarios.c) can
 * break exactly one rule of RFC 8446 and watch which alert comes back.
 *
 * It never links libssl: it is the independent side of the conversation, run against our
 * library in-process (tests/unit/test_hostile.c, over memory BIOs) and over TCP
 * (tests/hostile/hostile_peer.c driven by tests/interop/test_hostile.sh).
 *
 * The transport is a pair of callbacks (HP_IO), so the same script runs on both.  Reads are
 * bounded: a transport reports HP_IO_TIMEOUT when the victim has nothing more to say (the
 * in-process driver knows it exactly; over TCP it is a timeout), which a script treats as a
 * hang, never waits on. */
#ifndef SESAME_TESTS_HOSTILE_PEER_H
#define SESAME_TESTS_HOSTILE_PEER_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* ---- transport ---- */

enum hp_io_ret { HP_IO_OK = 1, HP_IO_EOF = 0, HP_IO_TIMEOUT = -1, HP_IO_ERR = -2 };

/* Requests a script can make of its transport (HP_IO.ctl); a transport that cannot honour
 * one returns -1 and the script skips the check that needed it. */
enum hp_ctl {
    HP_CTL_SETTLE = 1,  /* let the victim run until it blocks: returns its SSL_get_error */
    HP_CTL_SMALL_PIPE,  /* from now on the victim writes into a pipe of a few dozen bytes */
    HP_CTL_HEAP_GROWTH, /* peak bytes the victim's own calls kept allocated since SMALL_PIPE */
    HP_CTL_PENDING_OUT, /* bytes the victim has queued and not yet written */
    HP_CTL_RECONNECT,   /* this connection ends; a new one to the same victim begins (a
                         * client victim resumes the session of the last one): 1 */
};

typedef struct {
    /* send writes all of buf: 1, or 0 when the transport failed (the victim closed). */
    int (*send)(void *arg, const uint8_t *buf, size_t len);
    /* recv reads at least one byte into buf (*got set): HP_IO_OK, HP_IO_EOF (the victim
     * closed), HP_IO_TIMEOUT (the victim waits for us, or said nothing in time), HP_IO_ERR. */
    int (*recv)(void *arg, uint8_t *buf, size_t cap, size_t *got);
    /* ctl: enum hp_ctl; may be NULL. */
    long (*ctl)(void *arg, int op);
    void *arg;
} HP_IO;

/* ---- TLS constants the scripts use ---- */

#define HP_CT_CCS       20
#define HP_CT_ALERT     21
#define HP_CT_HANDSHAKE 22
#define HP_CT_APPDATA   23

#define HP_HS_HELLO_REQUEST        0
#define HP_HS_CLIENT_HELLO         1
#define HP_HS_SERVER_HELLO         2
#define HP_HS_NEW_SESSION_TICKET   4
#define HP_HS_ENCRYPTED_EXTENSIONS 8
#define HP_HS_CERTIFICATE          11
#define HP_HS_SERVER_KEY_EXCHANGE  12
#define HP_HS_CERTIFICATE_REQUEST  13
#define HP_HS_SERVER_HELLO_DONE    14
#define HP_HS_CERTIFICATE_VERIFY   15
#define HP_HS_CLIENT_KEY_EXCHANGE  16
#define HP_HS_FINISHED             20
#define HP_HS_KEY_UPDATE           24
#define HP_HS_MESSAGE_HASH         254

#define HP_EXT_SERVER_NAME            0
#define HP_EXT_SUPPORTED_GROUPS       10
#define HP_EXT_EC_POINT_FORMATS       11
#define HP_EXT_SIGNATURE_ALGORITHMS   13
#define HP_EXT_ALPN                   16
#define HP_EXT_EXTENDED_MASTER_SECRET 23
#define HP_EXT_SESSION_TICKET         35
#define HP_EXT_PRE_SHARED_KEY         41
#define HP_EXT_EARLY_DATA             42
#define HP_EXT_SUPPORTED_VERSIONS     43
#define HP_EXT_COOKIE                 44
#define HP_EXT_PSK_KEY_EXCHANGE_MODES 45
#define HP_EXT_KEY_SHARE              51
#define HP_EXT_RENEGOTIATION_INFO     0xff01

/* Alerts (AlertDescription) */
#define HP_AD_CLOSE_NOTIFY           0
#define HP_AD_UNEXPECTED_MESSAGE     10
#define HP_AD_BAD_RECORD_MAC         20
#define HP_AD_RECORD_OVERFLOW        22
#define HP_AD_HANDSHAKE_FAILURE      40
#define HP_AD_ILLEGAL_PARAMETER      47
#define HP_AD_DECODE_ERROR           50
#define HP_AD_DECRYPT_ERROR          51
#define HP_AD_PROTOCOL_VERSION       70
#define HP_AD_INTERNAL_ERROR         80
#define HP_AD_INAPPROPRIATE_FALLBACK 86
#define HP_AD_USER_CANCELED          90
#define HP_AD_NO_RENEGOTIATION       100
#define HP_AD_UNRECOGNIZED_NAME      112
#define HP_AD_MISSING_EXTENSION      109
#define HP_AD_UNSUPPORTED_EXTENSION  110

/* ---- a growable byte buffer ---- */

typedef struct {
    uint8_t *p;
    size_t n, cap;
} HP_BUF;

void hp_buf_free(HP_BUF *b);
void hp_buf_add(HP_BUF *b, const void *data, size_t len);
void hp_buf_u8(HP_BUF *b, unsigned v);
void hp_buf_u16(HP_BUF *b, unsigned v);
void hp_buf_u24(HP_BUF *b, unsigned long v);
/* hp_buf_ext appends an extension: type, u16 length, body. */
void hp_buf_ext(HP_BUF *b, unsigned type, const void *body, size_t len);
/* hp_hs_msg: a handshake message (4-byte header + body) in a new buffer. */
HP_BUF hp_hs_msg(uint8_t type, const void *body, size_t len);

/* ---- the peer ---- */

/* One direction's record protection (TLS 1.2: |iv| holds the 4-byte salt of RFC 5288). */
typedef struct {
    int on;
    uint8_t secret[32];
    uint8_t key[16], iv[12];
    uint64_t seq;
} HP_DIR;

/* ClientHello knobs (zero = a normal TLS 1.3 ClientHello, X25519, one suite). */
enum hp_key_share { HP_KS_X25519 = 0, HP_KS_EMPTY, HP_KS_NONE };
typedef struct {
    uint16_t legacy_version; /* 0: 0x0303 */
    int key_share;           /* enum hp_key_share */
    int no_supported_groups;
    int early_data;  /* offer 0-RTT */
    int unknown_psk; /* offer a ticket no server can open (with psk_dhe_ke) */
    int no_session_id;
    /* whole extensions (type, length, body) added after the usual ones: before
     * pre_shared_key, or after it when |extra_after_psk| */
    const HP_BUF *extra_ext;
    int extra_after_psk;
    /* key_share: these KeyShareEntry items (hp_share_entry) instead of our X25519 share */
    const HP_BUF *shares;
    /* supported_groups: these |num_groups| groups instead of X25519 alone */
    const uint16_t *groups;
    size_t num_groups;
} HP_CH_OPTS;

/* ServerHello / EncryptedExtensions knobs (zero = normal). */
typedef struct {
    int psk;           /* ServerHello: pre_shared_key, selected_identity 0 */
    int ee_sni_ack;    /* EncryptedExtensions: empty server_name */
    int ee_early;      /* EncryptedExtensions: early_data */
    int ee_alpn;       /* EncryptedExtensions: ALPN "h2" */
    int no_ccs;        /* no compatibility change_cipher_spec after ServerHello */
    int bad_signature; /* CertificateVerify: one bit of the signature flipped */
    /* bytes sent in the ServerHello's own record after it (not in the transcript) */
    const HP_BUF *sh_tail;
    uint16_t sh_suite;      /* ServerHello: this cipher suite (0: TLS_AES_128_GCM_SHA256) */
    uint16_t sh_group;      /* ServerHello: this group in key_share (0: X25519), same key */
    int sh_wrong_sid;       /* ServerHello: legacy_session_id_echo not the client's */
    const HP_BUF *ee_extra; /* EncryptedExtensions: whole extensions added */
} HP_SH_OPTS;

typedef struct HP {
    HP_IO io;
    int is_server;
    char why[256]; /* the first thing that went wrong, for the report */
    int verbose;

    /* received, not yet framed */
    uint8_t *in;
    size_t in_len, in_cap;
    /* handshake bytes received, not yet a whole message */
    HP_BUF hs;
    /* the last record read */
    uint8_t rec[5 + 16384 + 2048];
    uint8_t rec_type; /* content type (inner, when protected) */
    uint8_t *rec_data;
    size_t rec_len;

    HP_DIR rd, wr;
    EVP_MD_CTX *transcript;
    EVP_PKEY *kex; /* our X25519 key */
    uint8_t peer_share[32];
    int have_peer_share;
    uint16_t group13; /* client role: the group of the ServerHello's key_share */
    uint8_t hs_secret[32], master[32];
    uint8_t c_hs[32], s_hs[32], c_ap[32], s_ap[32];
    uint8_t session_id[32];
    size_t session_id_len;
    int hrr_done;
    size_t hs_frag; /* hp_send_hs: records of at most this many bytes (0: one record) */

    /* server role */
    X509 *cert;
    EVP_PKEY *key;

    /* what the victim said after the handshake */
    HP_BUF appdata;
    int alert_level; /* -1: none yet */
    int alert_desc;
    int eof;
    int timed_out;
    unsigned long hs_msgs_seen;   /* handshake messages read (scripts may reset it) */
    int last_hs_type;             /* type of the last one */
    unsigned long key_updates_rd; /* KeyUpdates received from the victim */

    /* TLS 1.2 (peer12.c) */
    int tls12;               /* records are TLS 1.2's: the type in the clear, RFC 5288 nonces */
    HP_DIR rd_next, wr_next; /* what a change_cipher_spec switches to (.on: derived) */
    uint8_t client_random[32], server_random[32];
    uint8_t master12[48];
    uint8_t client_vd[12], server_vd[12]; /* the verify_data of both Finished messages */
    int ems;                              /* the victim offered/echoed extended_master_secret */
    int victim_ec_formats;                /* the victim's hello carried ec_point_formats */
    int victim_ticket_ext;                /* the victim's ClientHello carried session_ticket */
    uint16_t suite12;                     /* the suite the victim chose (client role) */
    int victim_reneg_info;                /* the victim's ServerHello had renegotiation_info */
    /* the key exchange the victim's ServerKeyExchange chose (client role): a named curve, or
     * HP_KEX12_DHE with the victim's domain; our key for it (X25519 uses |kex|) */
    uint16_t kex12_group;
    EVP_PKEY *kex12;
    HP_BUF kex12_peer; /* the victim's public value: ECPoint or dh_Ys */
    HP_BUF dh_p, dh_g;
    /* the session id of the last ServerHello (sent or received), and of the victim's last
     * ClientHello; whether the last handshake was abbreviated */
    uint8_t sid12[32], victim_sid12[32];
    size_t sid12_len, victim_sid12_len;
    int resumed12;
} HP;

/* hp_init / hp_free: a peer on |io|; a server needs |cert| and |key| (ECDSA P-256). */
int hp_init(HP *p, const HP_IO *io, int is_server, X509 *cert, EVP_PKEY *key);
void hp_free(HP *p);
/* hp_reconnect: HP_CTL_RECONNECT, then everything of the connection forgotten but the
 * TLS 1.2 session (master12, sid12): 1, or 0 with p->why. */
int hp_reconnect(HP *p);
/* hp_fail notes the first reason the script went wrong; returns 0. */
int hp_fail(HP *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* hp_ctl asks the transport (enum hp_ctl); -1 when it cannot. */
long hp_ctl(HP *p, int op);

/* ---- records ---- */

/* hp_send_raw: bytes as they are. */
int hp_send_raw(HP *p, const void *data, size_t len);
/* hp_send_record: one record of |type|, protected when the write key is on. */
int hp_send_record(HP *p, uint8_t type, const void *data, size_t len);
/* hp_send_plain: one unprotected record, whatever the keys (outer version 0x0303). */
int hp_send_plain(HP *p, uint8_t type, const void *data, size_t len);
/* hp_send_plain_v: the same with outer version |version|. */
int hp_send_plain_v(HP *p, uint16_t version, uint8_t type, const void *data, size_t len);
/* hp_seal: a protected record with inner type |inner| and |pad| zero bytes of padding,
 * written to |out| (the record's length returned); the sequence number advances. */
size_t hp_seal(HP *p, uint8_t inner, const void *data, size_t len, size_t pad, HP_BUF *out);
/* hp_send_protected: hp_seal + send. */
int hp_send_protected(HP *p, uint8_t inner, const void *data, size_t len, size_t pad);
/* hp_send_alert: an alert record (protected when the write key is on). */
int hp_send_alert(HP *p, uint8_t level, uint8_t desc);

/* hp_read_record reads one record into p->rec_type/rec_data/rec_len, opening it when the
 * read key is on: HP_IO_OK, HP_IO_EOF, HP_IO_TIMEOUT, HP_IO_ERR (bad record). */
int hp_read_record(HP *p);

/* ---- handshake messages ---- */

/* hp_transcript_add adds a whole handshake message to the transcript. */
void hp_transcript_add(HP *p, const void *msg, size_t len);
/* hp_send_hs: add |msg| to the transcript and send it in one record (or in records of
 * p->hs_frag bytes). */
int hp_send_hs(HP *p, const HP_BUF *msg);
/* hp_recv_hs reads the next handshake message (skipping change_cipher_spec); it must be
 * of |type|.  Adds it to the transcript when |transcript|.  The body is copied to |body|. */
int hp_recv_hs(HP *p, uint8_t type, HP_BUF *body, int transcript);

/* hp_share_entry appends a KeyShareEntry (RFC 8446 4.2.8) of |group| to |b|. */
void hp_share_entry(HP_BUF *b, uint16_t group, const void *key, size_t len);
/* hp_p256_share: our P-256 key pair for TLS 1.3 (made once; p->kex12), its KeyShareEntry
 * appended to |b|: 1, or 0 with p->why.  A ServerHello choosing P-256 then uses it. */
int hp_p256_share(HP *p, HP_BUF *b);
/* hp_client_hello builds a ClientHello (not sent, not in the transcript). */
HP_BUF hp_client_hello(HP *p, const HP_CH_OPTS *o);
/* The client's steps: send ClientHello (one record); read ServerHello or
 * HelloRetryRequest (1: ServerHello, 2: HelloRetryRequest, 0: failure); read
 * EncryptedExtensions .. Finished; send Finished (then the application keys are on). */
int hp_client_send_hello(HP *p, const HP_CH_OPTS *o);
int hp_client_recv_server_hello(HP *p);
int hp_client_recv_server_flight(HP *p);
/* hp_client_finished_msg: our Finished message (not sent, not in the transcript). */
HP_BUF hp_client_finished_msg(HP *p);
/* hp_client_switch_hs_keys: our write key becomes the client handshake key. */
void hp_client_switch_hs_keys(HP *p);
/* hp_client_after_finished: both directions switch to the application keys. */
void hp_client_after_finished(HP *p);
int hp_client_send_finished(HP *p);
/* hp_client_handshake: all of the above with |o| (NULL: defaults). */
int hp_client_handshake(HP *p, const HP_CH_OPTS *o);

/* The server's steps: read ClientHello; send ServerHello (+ compatibility CCS), with the
 * handshake keys on afterwards; EncryptedExtensions; Certificate + CertificateVerify;
 * Finished (then our write key is the application key); read the client's Finished. */
int hp_server_recv_hello(HP *p);
/* hp_server_send_hrr: a HelloRetryRequest asking for |group| (the transcript restarts). */
int hp_server_send_hrr(HP *p, uint16_t group);
int hp_server_send_hello(HP *p, const HP_SH_OPTS *o);
int hp_server_send_ee(HP *p, const HP_SH_OPTS *o);
int hp_server_send_cert(HP *p, const HP_SH_OPTS *o);
HP_BUF hp_server_finished_msg(HP *p);
/* hp_server_after_finished: derive the application secrets; write key = server's. */
void hp_server_after_finished(HP *p);
int hp_server_send_finished(HP *p);
int hp_server_recv_finished(HP *p);
int hp_server_handshake(HP *p, const HP_SH_OPTS *o);

/* ---- after the handshake ---- */

/* hp_send_key_update sends KeyUpdate and switches our write key. */
int hp_send_key_update(HP *p, int request);
/* hp_key_update_msg: the KeyUpdate message alone (the caller switches keys with
 * hp_next_write_key once it is sent). */
HP_BUF hp_key_update_msg(int request);
void hp_next_write_key(HP *p);

/* hp_pump reads what the victim sends after the handshake -- tickets, KeyUpdates (our
 * read key follows), application data (kept in p->appdata) -- until an alert, EOF or
 * timeout, or until |want_appdata| bytes of application data arrived.  Returns the
 * HP_IO_* status that stopped it (HP_IO_OK: the data arrived). */
int hp_pump(HP *p, size_t want_appdata);
/* hp_expect_alert: hp_pump until the victim sends an alert; returns its description,
 * or -1 (EOF, timeout, garbage: p->why says which). */
int hp_expect_alert(HP *p);

/* hp_alert_name: "unexpected_message", ... ("?" for others). */
const char *hp_alert_name(int desc);

/* ---- TLS 1.2 (peer12.c) ----
 *
 * RFC 5246 with TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (0xc02b): X25519 (RFC 8422), the
 * extended master secret (RFC 7627), the PRF of libcrypto's "TLS1-PRF" KDF over SHA-256,
 * AES-128-GCM records with the explicit nonce of RFC 5288, an ECDSA P-256 ServerKeyExchange
 * signature.  As a client it also takes P-256 or, with TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
 * (0x009e), the victim's DHE domain, and resumes a session by its id in a second connection
 * (hp_reconnect).  As in TLS 1.3 the peer verifies no certificate or signature of the
 * victim's; it checks the victim's Finished.  Once p->tls12 is set (by the first hello),
 * hp_send_record and hp_read_record protect and open TLS 1.2 records, and a
 * change_cipher_spec read from the victim turns its read key on (p->rd_next). */

#define HP_SUITE12_ECDSA_AES128_GCM   0xc02b
#define HP_SUITE12_DHE_RSA_AES128_GCM 0x009e
#define HP_SCSV_FALLBACK              0x5600
#define HP_GROUP_SECP256R1            0x0017
#define HP_GROUP_X25519               0x001d
#define HP_KEX12_DHE                  0xffff /* p->kex12_group of a DHE suite */

/* ClientHello knobs (zero = a TLS 1.2 ClientHello: no supported_versions, the one suite,
 * X25519, EMS, an empty renegotiation_info, no session_ticket). */
typedef struct {
    uint16_t legacy_version; /* 0: 0x0303 (also the record's version when not 0x0303) */
    const uint16_t *suites;  /* NULL: the one suite */
    size_t num_suites;
    int fallback_scsv;         /* TLS_FALLBACK_SCSV (RFC 7507) after the suites */
    int no_reneg_info;         /* no renegotiation_info */
    const uint8_t *reneg_info; /* renegotiated_connection (|reneg_info_len| bytes) */
    size_t reneg_info_len;
    const uint16_t *groups; /* supported_groups (NULL: X25519, P-256) */
    size_t num_groups;
    int no_ems; /* no extended_master_secret */
    int resume; /* offer the session of the last connection (p->sid12) */
} HP12_CH_OPTS;

/* Server flight knobs (zero = normal). */
typedef struct {
    uint16_t suite;         /* ServerHello: this suite (0: 0xc02b) */
    int no_reneg_info;      /* ServerHello: no renegotiation_info */
    int downgrade_sentinel; /* ServerHello.random ends with DOWNGRD\x01 (RFC 8446 4.1.3) */
    int ticket_ext;         /* ServerHello: an empty session_ticket (RFC 5077) */
    int bad_signature;      /* ServerKeyExchange: one bit of the signature flipped */
    uint16_t ske_group;     /* ServerKeyExchange: this named curve (0: X25519), same point */
    uint16_t version;       /* ServerHello.server_version (0: 0x0303) */
    int ticket_ext_body;    /* ServerHello: a session_ticket extension of one byte */
    int no_ems;             /* ServerHello: no extended_master_secret, offered or not */
    int resume;             /* ServerHello: the victim's session id echoed (a resumption) */
} HP12_SH_OPTS;

/* hp12_seal: one protected TLS 1.2 record of |type| (the sequence number advances). */
void hp12_seal(HP *p, uint8_t type, const void *data, size_t len, HP_BUF *out);
/* hp12_open opens p->rec (|len| bytes of body) into rec_type/rec_data/rec_len: 1, or 0. */
int hp12_open(HP *p, size_t len);
/* hp12_victim_ccs: the victim's change_cipher_spec was read; its read key goes on. */
int hp12_victim_ccs(HP *p);
/* hp12_send_ccs: our change_cipher_spec (in the clear), then our write key goes on. */
int hp12_send_ccs(HP *p);
/* hp12_derive: premaster (X25519 with p->peer_share; as a client, whatever the victim's
 * ServerKeyExchange chose), the extended master secret over the transcript so far (through
 * ClientKeyExchange), the key block into rd_next/wr_next. */
int hp12_derive(HP *p);
/* hp12_key_block: the key block from p->master12 and both randoms into rd_next/wr_next. */
void hp12_key_block(HP *p);
/* hp12_finished_msg: the Finished of the client or server over the transcript so far (not
 * sent, not in the transcript); its verify_data kept in client_vd/server_vd. */
HP_BUF hp12_finished_msg(HP *p, int from_server);
/* hp12_recv_finished: the victim's change_cipher_spec and Finished, checked. */
int hp12_recv_finished(HP *p);
/* hp12_send_finished: our Finished (through hp_send_hs: protected once hp12_send_ccs ran). */
int hp12_send_finished(HP *p);

/* The client's steps. */
HP_BUF hp12_client_hello(HP *p, const HP12_CH_OPTS *o);
int hp12_client_send_hello(HP *p, const HP12_CH_OPTS *o);
/* ServerHello (must be TLS 1.2, 0xc02b or 0x009e, with EMS), Certificate,
 * ServerKeyExchange (X25519, P-256 or DHE), ServerHelloDone. */
int hp12_client_recv_server_flight(HP *p);
/* hp12_client_recv_server_hello: only the ServerHello (p->resumed12 set when it echoes the
 * session offered); hp12_client_recv_server_flight calls it. */
int hp12_client_recv_server_hello(HP *p);
HP_BUF hp12_client_key_exchange_msg(HP *p);
/* hp12_client_send_cke: ClientKeyExchange sent, then hp12_derive. */
int hp12_client_send_cke(HP *p);
/* all of it: hello, flight, ClientKeyExchange, CCS, Finished, the victim's CCS + Finished
 * (abbreviated when the victim resumes: its CCS + Finished, then ours) */
int hp12_client_handshake(HP *p, const HP12_CH_OPTS *o);
/* hp12_close: our close_notify, then the victim's (or its end, or silence) awaited. */
int hp12_close(HP *p);

/* The server's steps. */
int hp12_server_recv_hello(HP *p);
int hp12_server_send_hello(HP *p, const HP12_SH_OPTS *o);
int hp12_server_send_cert(HP *p);
int hp12_server_send_ske(HP *p, const HP12_SH_OPTS *o);
int hp12_server_send_done(HP *p);
/* ServerHello, Certificate, ServerKeyExchange, ServerHelloDone */
int hp12_server_send_flight(HP *p, const HP12_SH_OPTS *o);
/* hp12_server_recv_cke: the victim's ClientKeyExchange, then hp12_derive. */
int hp12_server_recv_cke(HP *p);
/* all of it: hello, flight, the victim's ClientKeyExchange, CCS + Finished, ours */
int hp12_server_handshake(HP *p, const HP12_SH_OPTS *o);

#endif

/* ClientHello, ServerHello and HelloRetryRequest (RFC 8446 4.1).
 *
 * Parsers take the message BODY (the caller strips type and u24 length),
 * must consume it exactly, and fill a struct of CBS views into the caller's
 * buffer (valid while that buffer lives).  On failure they return 0, raise
 * an SSL error and set |*out_alert|.  Writers append the COMPLETE message
 * (type || u24 length || body) to a CBB. See extensions.h for the alert
 * policy on extensions.
 */
#ifndef SESAME_CODEC_HELLO_H
#define SESAME_CODEC_HELLO_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "codec/consts.h"
#include "codec/extensions.h"

#define CODEC_MAX_KEY_SHARES     8 /* client shares kept; extra ones ignored */
#define CODEC_MAX_PSK_IDENTITIES 8 /* PSK identities kept; extra ones ignored */

/* One KeyShareEntry (RFC 8446 4.2.8). */
typedef struct {
    uint16_t group;
    CBS key_exchange; /* non-empty; empty for the HRR form (group only) */
} CODEC_KEY_SHARE;

/* One PskIdentity (RFC 8446 4.2.11). */
typedef struct {
    CBS identity; /* non-empty */
    uint32_t obfuscated_ticket_age;
} CODEC_PSK_IDENTITY;

/* A parsed ClientHello (RFC 8446 4.1.2; also TLS 1.2-style hellos, which
 * lack supported_versions, and SSLv3-style ones with no extensions at all).
 * A field is meaningful only when codec_ch_has(ch, its extension). */
typedef struct {
    uint16_t legacy_version;
    CBS random;              /* 32 bytes */
    CBS session_id;          /* <= 32 bytes */
    CBS cipher_suites;       /* u16 list: even length, non-empty */
    CBS compression_methods; /* u8 list, non-empty */
    CBS extensions;          /* the raw extensions block (no prefix); empty
                              * if the hello had none. For codec_ext_next. */
    uint64_t ext_present;    /* bit codec_ext_index(t) set if t was seen */

    CBS server_name;             /* host_name entry: non-empty, no NUL bytes; may
                                  * be empty if the list had no host_name entry */
    CBS supported_groups;        /* u16 list, validated non-empty, even */
    CBS sigalgs;                 /* u16 list, validated non-empty, even */
    CBS sigalgs_cert;            /* u16 list, validated non-empty, even */
    CBS alpn;                    /* ProtocolNameList contents (u8-prefixed names,
                                  * each validated non-empty) */
    CBS supported_versions;      /* u16 list, validated non-empty, even */
    CBS psk_modes;               /* u8 list, non-empty */
    CBS cookie;                  /* non-empty */
    CBS certificate_authorities; /* DistinguishedName list contents */
    CODEC_KEY_SHARE key_shares[CODEC_MAX_KEY_SHARES];
    size_t num_key_shares; /* first CODEC_MAX_KEY_SHARES entries; the
                            * whole list has no duplicated group */
    CODEC_PSK_IDENTITY psk_ids[CODEC_MAX_PSK_IDENTITIES];
    CBS psk_binders[CODEC_MAX_PSK_IDENTITIES]; /* binder i for psk_ids[i] */
    size_t num_psks;                           /* first CODEC_MAX_PSK_IDENTITIES identities */
    size_t num_psks_on_wire;                   /* identities actually offered (may be more) */
    size_t psk_binders_offset;                 /* offset within the BODY of the binders
                                                * list's u16 length: hash header(4) ||
                                                * body[0..offset) for the binder transcript */
    int early_data, post_handshake_auth, extended_master_secret, encrypt_then_mac, status_request,
        sct;
    CBS session_ticket;     /* TLS 1.2 ticket: may be present and empty */
    CBS renegotiation_info; /* renegotiated_connection (inside u8 prefix) */
    CBS ec_point_formats;   /* u8 list contents, non-empty */
} CODEC_CLIENT_HELLO;

/* codec_parse_client_hello parses a ClientHello body into |out|. */
int codec_parse_client_hello(CBS *body, CODEC_CLIENT_HELLO *out, uint8_t *out_alert) WUR;

/* codec_ch_has is 1 iff the ClientHello carried extension |type|. */
int codec_ch_has(const CODEC_CLIENT_HELLO *ch, uint16_t type);

/* What to put in a ClientHello. Zero fields are omitted; a zeroed struct
 * plus random and cipher suites gives a minimal TLS 1.2-style hello. */
typedef struct {
    uint16_t legacy_version;   /* 0 means 0x0303 */
    const uint8_t *random;     /* 32 bytes, required */
    const uint8_t *session_id; /* legacy_session_id */
    size_t session_id_len;     /* <= 32 */
    const uint16_t *cipher_suites;
    size_t num_cipher_suites; /* >= 1 */
    const char *server_name;  /* NULL: no server_name extension */
    const uint16_t *groups;   /* supported_groups (0: omit) */
    size_t num_groups;
    const uint16_t *sigalgs; /* signature_algorithms (0: omit) */
    size_t num_sigalgs;
    const uint16_t *sigalgs_cert; /* signature_algorithms_cert (0: omit) */
    size_t num_sigalgs_cert;
    const uint16_t *versions; /* supported_versions (0: omit) */
    size_t num_versions;
    const uint8_t *alpn; /* wire-format ProtocolNameList contents, as given
                          * to SSL_CTX_set_alpn_protos; 0 = none */
    size_t alpn_len;
    struct {
        uint16_t group;
        const uint8_t *pub;
        size_t pub_len;
    } key_shares[2];
    size_t num_key_shares; /* key_share is sent (possibly empty) iff
                            * send_key_share or num_key_shares > 0 */
    int send_key_share;    /* send key_share even with no shares */
    const uint8_t *cookie; /* HRR cookie echo (0: omit) */
    size_t cookie_len;
    int psk_ke, psk_dhe_ke; /* psk_key_exchange_modes (neither: omit) */
    int post_handshake_auth, early_data;
    struct {
        const uint8_t *identity;
        size_t identity_len;
        uint32_t obfuscated_age;
        size_t binder_len; /* 32..255; written as zeros, patch later */
    } psks[2];
    size_t num_psks; /* pre_shared_key is written LAST */
    /* TLS 1.2 extensions, written when set: */
    int tls12_session_ticket; /* session_ticket ext with |ticket| (may be
                               * empty) */
    const uint8_t *ticket;
    size_t ticket_len;
    int ems;                /* extended_master_secret */
    int etm;                /* encrypt_then_mac */
    int renegotiation_info; /* empty renegotiation_info */
    int ec_point_formats;   /* ec_point_formats = [uncompressed] */
    int status_request;     /* OCSP status_request, no ids/extensions */
    size_t pad_to;          /* RFC 7685: if nonzero and the complete message (header
                             * included) would be shorter than pad_to, a padding
                             * extension is added (before pre_shared_key) to reach
                             * at least pad_to bytes */
} CODEC_CLIENT_HELLO_OUT;

/* codec_write_client_hello appends a complete ClientHello. With PSKs,
 * |*out_binders_offset| (may be NULL) is the offset from the start of the
 * message (its header) to the binders list's u16 length, else 0. */
int codec_write_client_hello(CBB *cbb, const CODEC_CLIENT_HELLO_OUT *in,
                             size_t *out_binders_offset) WUR;

/* codec_patch_binders overwrites the |num| placeholder binders of a written
 * ClientHello (|msg|, |msg_len| = complete message) in place. Each length
 * must match what was written. */
int codec_patch_binders(uint8_t *msg, size_t msg_len, size_t binders_offset,
                        const uint8_t *const *binders, const size_t *binder_lens, size_t num) WUR;

/* A parsed ServerHello or HelloRetryRequest (RFC 8446 4.1.3, 4.1.4), or a
 * TLS 1.2 ServerHello (no supported_versions; TLS 1.2 extension rules). */
typedef struct {
    uint16_t legacy_version;
    CBS random; /* 32 bytes */
    CBS session_id_echo;
    uint16_t cipher_suite;
    uint8_t compression;
    int is_hrr;                /* random was the HRR magic (RFC 8446 4.1.3) */
    CBS extensions;            /* raw extensions block (no prefix) */
    uint64_t ext_present;      /* see codec_ext_has */
    uint16_t selected_version; /* supported_versions, 0 if absent */
    CODEC_KEY_SHARE key_share; /* ServerHello key_share */
    uint16_t hrr_group;        /* HelloRetryRequest key_share */
    int has_psk;
    uint16_t psk_identity; /* pre_shared_key selected_identity */
    CBS cookie;            /* HRR cookie, non-empty */
    /* TLS 1.2 ServerHello extensions: */
    CBS renegotiation_info; /* contents inside the u8 prefix */
    int ems, etm, session_ticket, server_name_ack, status_request;
    CBS alpn_selected;    /* the one protocol name (no prefix) */
    CBS ec_point_formats; /* u8 list contents, non-empty */
    CBS sct;              /* SignedCertificateTimestampList */
} CODEC_SERVER_HELLO;

/* codec_parse_server_hello parses a ServerHello body; detects HRR by the
 * magic random; applies TLS 1.3 rules when supported_versions is present
 * (or HRR), TLS 1.2 rules otherwise. */
int codec_parse_server_hello(CBS *body, CODEC_SERVER_HELLO *out, uint8_t *out_alert) WUR;

/* What to put in a ServerHello / HelloRetryRequest. */
typedef struct {
    uint16_t legacy_version; /* 0 means 0x0303 */
    const uint8_t *random;   /* 32 bytes; ignored (magic used) if is_hrr */
    const uint8_t *session_id;
    size_t session_id_len;
    uint16_t cipher_suite;
    uint16_t version;         /* supported_versions selected_version; 0 = omit */
    uint16_t key_share_group; /* ServerHello key_share when key_share_pub */
    const uint8_t *key_share_pub;
    size_t key_share_pub_len;
    int is_hrr;
    uint16_t hrr_group;    /* HRR key_share selected_group; 0 = omit */
    const uint8_t *cookie; /* HRR cookie; 0 = omit */
    size_t cookie_len;
    int has_psk;
    uint16_t psk_identity;
    /* TLS 1.2 extensions: */
    int renegotiation_info; /* empty renegotiation_info */
    int ems, etm, session_ticket, server_name_ack, status_request;
    const uint8_t *alpn; /* selected protocol (no prefix); 0 = omit */
    size_t alpn_len;
    int ec_point_formats; /* [uncompressed] */
} CODEC_SERVER_HELLO_OUT;

/* codec_write_server_hello appends a complete ServerHello or HRR. */
int codec_write_server_hello(CBB *cbb, const CODEC_SERVER_HELLO_OUT *in) WUR;

#endif

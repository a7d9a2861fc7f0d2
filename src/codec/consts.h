/* Wire constants of TLS 1.3 (RFC 8446) and the TLS 1.2 extensions we speak.
 * Pure data: no functions, safe to include from any layer. */
#ifndef SESAME_CODEC_CONSTS_H
#define SESAME_CODEC_CONSTS_H

#include <stdint.h>

/* Handshake message types, RFC 8446 4 (and RFC 5246 7.4 for TLS 1.2). */
#define CODEC_HS_HELLO_REQUEST        0 /* TLS 1.2 */
#define CODEC_HS_CLIENT_HELLO         1
#define CODEC_HS_SERVER_HELLO         2
#define CODEC_HS_NEW_SESSION_TICKET   4
#define CODEC_HS_END_OF_EARLY_DATA    5
#define CODEC_HS_ENCRYPTED_EXTENSIONS 8
#define CODEC_HS_CERTIFICATE          11
#define CODEC_HS_SERVER_KEY_EXCHANGE  12 /* TLS 1.2 */
#define CODEC_HS_CERTIFICATE_REQUEST  13
#define CODEC_HS_SERVER_HELLO_DONE    14 /* TLS 1.2 */
#define CODEC_HS_CERTIFICATE_VERIFY   15
#define CODEC_HS_CLIENT_KEY_EXCHANGE  16 /* TLS 1.2 */
#define CODEC_HS_FINISHED             20
#define CODEC_HS_KEY_UPDATE           24
#define CODEC_HS_MESSAGE_HASH         254 /* RFC 8446 4.4.1 synthetic message */

/* Size of the handshake message header: type(1) || u24 length. */
#define CODEC_HS_HEADER_LEN 4

/* Alert descriptions, RFC 8446 6. */
#define CODEC_ALERT_CLOSE_NOTIFY                    0
#define CODEC_ALERT_UNEXPECTED_MESSAGE              10
#define CODEC_ALERT_BAD_RECORD_MAC                  20
#define CODEC_ALERT_RECORD_OVERFLOW                 22
#define CODEC_ALERT_HANDSHAKE_FAILURE               40
#define CODEC_ALERT_BAD_CERTIFICATE                 42
#define CODEC_ALERT_UNSUPPORTED_CERTIFICATE         43
#define CODEC_ALERT_CERTIFICATE_REVOKED             44
#define CODEC_ALERT_CERTIFICATE_EXPIRED             45
#define CODEC_ALERT_CERTIFICATE_UNKNOWN             46
#define CODEC_ALERT_ILLEGAL_PARAMETER               47
#define CODEC_ALERT_UNKNOWN_CA                      48
#define CODEC_ALERT_ACCESS_DENIED                   49
#define CODEC_ALERT_DECODE_ERROR                    50
#define CODEC_ALERT_DECRYPT_ERROR                   51
#define CODEC_ALERT_PROTOCOL_VERSION                70
#define CODEC_ALERT_INSUFFICIENT_SECURITY           71
#define CODEC_ALERT_INTERNAL_ERROR                  80
#define CODEC_ALERT_INAPPROPRIATE_FALLBACK          86
#define CODEC_ALERT_USER_CANCELED                   90
#define CODEC_ALERT_NO_RENEGOTIATION                100
#define CODEC_ALERT_MISSING_EXTENSION               109
#define CODEC_ALERT_UNSUPPORTED_EXTENSION           110
#define CODEC_ALERT_UNRECOGNIZED_NAME               112
#define CODEC_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE 113
#define CODEC_ALERT_UNKNOWN_PSK_IDENTITY            115
#define CODEC_ALERT_CERTIFICATE_REQUIRED            116
#define CODEC_ALERT_NO_APPLICATION_PROTOCOL         120

/* Alert levels, RFC 8446 6. */
#define CODEC_ALERT_LEVEL_WARNING 1
#define CODEC_ALERT_LEVEL_FATAL   2

/* Extension types, RFC 8446 4.2 and the RFCs cited. */
#define CODEC_EXT_SERVER_NAME               0      /* RFC 6066 3 */
#define CODEC_EXT_STATUS_REQUEST            5      /* RFC 6066 8 */
#define CODEC_EXT_SUPPORTED_GROUPS          10     /* RFC 8422, 7919 */
#define CODEC_EXT_EC_POINT_FORMATS          11     /* RFC 8422 5.1.2 */
#define CODEC_EXT_SIGNATURE_ALGORITHMS      13     /* RFC 8446 4.2.3 */
#define CODEC_EXT_ALPN                      16     /* RFC 7301 */
#define CODEC_EXT_SCT                       18     /* RFC 6962 */
#define CODEC_EXT_PADDING                   21     /* RFC 7685 */
#define CODEC_EXT_ENCRYPT_THEN_MAC          22     /* RFC 7366 */
#define CODEC_EXT_EXTENDED_MASTER_SECRET    23     /* RFC 7627 */
#define CODEC_EXT_SESSION_TICKET            35     /* RFC 5077 */
#define CODEC_EXT_PRE_SHARED_KEY            41     /* RFC 8446 4.2.11 */
#define CODEC_EXT_EARLY_DATA                42     /* RFC 8446 4.2.10 */
#define CODEC_EXT_SUPPORTED_VERSIONS        43     /* RFC 8446 4.2.1 */
#define CODEC_EXT_COOKIE                    44     /* RFC 8446 4.2.2 */
#define CODEC_EXT_PSK_KEY_EXCHANGE_MODES    45     /* RFC 8446 4.2.9 */
#define CODEC_EXT_CERTIFICATE_AUTHORITIES   47     /* RFC 8446 4.2.4 */
#define CODEC_EXT_POST_HANDSHAKE_AUTH       49     /* RFC 8446 4.2.6 */
#define CODEC_EXT_SIGNATURE_ALGORITHMS_CERT 50     /* RFC 8446 4.2.3 */
#define CODEC_EXT_KEY_SHARE                 51     /* RFC 8446 4.2.8 */
#define CODEC_EXT_RENEGOTIATION_INFO        0xff01 /* RFC 5746 */

/* psk_key_exchange_modes values, RFC 8446 4.2.9. */
#define CODEC_PSK_KE     0
#define CODEC_PSK_DHE_KE 1

/* KeyUpdateRequest values, RFC 8446 4.6.3. */
#define CODEC_KEY_UPDATE_NOT_REQUESTED 0
#define CODEC_KEY_UPDATE_REQUESTED     1

/* server_name NameType host_name, RFC 6066 3. */
#define CODEC_SNI_HOST_NAME 0

/* Named groups, RFC 8446 4.2.7. */
#define CODEC_GROUP_SECP256R1 0x0017
#define CODEC_GROUP_SECP384R1 0x0018
#define CODEC_GROUP_SECP521R1 0x0019
#define CODEC_GROUP_X25519    0x001d
#define CODEC_GROUP_X448      0x001e
/* RFC 7919 finite-field groups. */
#define CODEC_GROUP_FFDHE2048 0x0100
#define CODEC_GROUP_FFDHE3072 0x0101
#define CODEC_GROUP_FFDHE4096 0x0102
#define CODEC_GROUP_FFDHE6144 0x0103
#define CODEC_GROUP_FFDHE8192 0x0104

/* Signature schemes, RFC 8446 4.2.3. */
#define CODEC_SIG_RSA_PKCS1_SHA1         0x0201
#define CODEC_SIG_ECDSA_SHA1             0x0203
#define CODEC_SIG_RSA_PKCS1_SHA256       0x0401
#define CODEC_SIG_ECDSA_SECP256R1_SHA256 0x0403
#define CODEC_SIG_RSA_PKCS1_SHA384       0x0501
#define CODEC_SIG_ECDSA_SECP384R1_SHA384 0x0503
#define CODEC_SIG_RSA_PKCS1_SHA512       0x0601
#define CODEC_SIG_ECDSA_SECP521R1_SHA512 0x0603
#define CODEC_SIG_RSA_PSS_RSAE_SHA256    0x0804
#define CODEC_SIG_RSA_PSS_RSAE_SHA384    0x0805
#define CODEC_SIG_RSA_PSS_RSAE_SHA512    0x0806
#define CODEC_SIG_ED25519                0x0807
#define CODEC_SIG_ED448                  0x0808
#define CODEC_SIG_RSA_PSS_PSS_SHA256     0x0809
#define CODEC_SIG_RSA_PSS_PSS_SHA384     0x080a
#define CODEC_SIG_RSA_PSS_PSS_SHA512     0x080b

/* Protocol versions, RFC 8446 4.2.1. */
#define CODEC_VERSION_TLS1_0 0x0301
#define CODEC_VERSION_TLS1_1 0x0302
#define CODEC_VERSION_TLS1_2 0x0303
#define CODEC_VERSION_TLS1_3 0x0304

/* TLS 1.3 cipher suites, RFC 8446 B.4. */
#define CODEC_TLS_AES_128_GCM_SHA256       0x1301
#define CODEC_TLS_AES_256_GCM_SHA384       0x1302
#define CODEC_TLS_CHACHA20_POLY1305_SHA256 0x1303

/* Signalling cipher suite values: RFC 5746 3.3 and RFC 7507. */
#define CODEC_TLS_EMPTY_RENEGOTIATION_INFO_SCSV 0x00ff
#define CODEC_TLS_FALLBACK_SCSV                 0x5600

/* Length of ClientHello/ServerHello random, RFC 8446 4.1.2. */
#define CODEC_RANDOM_LEN 32
/* Maximum legacy_session_id length, RFC 8446 4.1.2. */
#define CODEC_MAX_SESSION_ID_LEN 32
/* Maximum ticket lifetime in seconds (7 days), RFC 8446 4.6.1. */
#define CODEC_MAX_TICKET_LIFETIME 604800

/* RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest
 * (the SHA-256 of "HelloRetryRequest"). */
static const uint8_t CODEC_HRR_RANDOM[CODEC_RANDOM_LEN] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* RFC 8446 4.1.3: last 8 bytes of a TLS 1.3 server's random when it
 * negotiates TLS 1.2 (..._TLS12) or below (..._TLS11). */
static const uint8_t CODEC_DOWNGRADE_TLS12[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};
static const uint8_t CODEC_DOWNGRADE_TLS11[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00};

/* codec_version_name: OpenSSL's name for a protocol version ("TLSv1.3"),
 * "unknown" for anything else. */
const char *codec_version_name(int version);

#endif

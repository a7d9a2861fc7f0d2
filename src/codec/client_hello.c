/* ClientHello parser, RFC 8446 4.1.2 (and RFC 5246 7.4.1.2 hellos). */
#include <string.h>

#include "codec/codec_internal.h"
#include "codec/hello.h"

int codec_ch_has(const CODEC_CLIENT_HELLO *ch, uint16_t type)
{
    return codec_ext_has(ch->ext_present, type);
}

/* RFC 6066 3: ServerNameList; we keep the host_name entry. */
static int parse_server_name(CBS *data, CODEC_CLIENT_HELLO *ch, uint8_t *out_alert)
{
    CBS list, name;
    int have_host = 0;
    if (!cbs_get_u16_prefixed(data, &list) || cbs_len(&list) == 0)
        return CODEC_DECODE_ERROR(out_alert);
    while (cbs_len(&list) > 0) {
        uint8_t name_type;
        if (!cbs_get_u8(&list, &name_type) || !cbs_get_u16_prefixed(&list, &name) ||
            cbs_len(&name) == 0)
            return CODEC_DECODE_ERROR(out_alert);
        if (name_type != CODEC_SNI_HOST_NAME)
            continue;
        /* RFC 6066 3: at most one name of each type. */
        if (have_host)
            return CODEC_ILLEGAL(out_alert, SSL_R_SSL3_EXT_INVALID_SERVERNAME);
        if (memchr(cbs_data(&name), 0, cbs_len(&name)) != NULL)
            return CODEC_ILLEGAL(out_alert, SSL_R_SSL3_EXT_INVALID_SERVERNAME);
        have_host = 1;
        ch->server_name = name;
    }
    return 1;
}

/* RFC 7301 3.1: ProtocolNameList of non-empty u8-prefixed names. */
static int parse_alpn_list(CBS *data, CBS *out, uint8_t *out_alert)
{
    CBS list, iter, name;
    if (!cbs_get_u16_prefixed(data, &list) || cbs_len(&list) == 0)
        return CODEC_DECODE_ERROR(out_alert);
    iter = list;
    while (cbs_len(&iter) > 0) {
        if (!cbs_get_u8_prefixed(&iter, &name) || cbs_len(&name) == 0)
            return CODEC_DECODE_ERROR(out_alert);
    }
    *out = list;
    return 1;
}

/* RFC 8446 4.2.8: KeyShareClientHello. Keeps the first entries, rejects a
 * group offered twice anywhere in the list. */
static int parse_key_shares(CBS *data, CODEC_CLIENT_HELLO *ch, uint8_t *out_alert)
{
    CBS list;
    uint8_t seen[65536 / 8];
    memset(seen, 0, sizeof(seen));
    if (!cbs_get_u16_prefixed(data, &list))
        return CODEC_DECODE_ERROR(out_alert);
    while (cbs_len(&list) > 0) {
        uint16_t group;
        CBS kx;
        if (!cbs_get_u16(&list, &group) || !cbs_get_u16_prefixed(&list, &kx) || cbs_len(&kx) == 0)
            return CODEC_DECODE_ERROR(out_alert);
        /* RFC 8446 4.2.8: "Clients MUST NOT offer multiple KeyShareEntry
         * values for the same group". */
        if (seen[group / 8] & (1u << (group % 8)))
            return CODEC_ILLEGAL(out_alert, SSL_R_BAD_KEY_SHARE);
        seen[group / 8] |= (uint8_t)(1u << (group % 8));
        if (ch->num_key_shares < CODEC_MAX_KEY_SHARES) {
            ch->key_shares[ch->num_key_shares].group = group;
            ch->key_shares[ch->num_key_shares].key_exchange = kx;
            ch->num_key_shares++;
        }
    }
    return 1;
}

/* RFC 8446 4.2.11: OfferedPsks. |body_len| is the whole body's length: the
 * extension is last, so the binders list ends exactly at the body's end. */
static int parse_psks(CBS *data, CODEC_CLIENT_HELLO *ch, size_t body_len, uint8_t *out_alert)
{
    CBS ids, binders;
    size_t n = 0;
    if (!cbs_get_u16_prefixed(data, &ids) || cbs_len(&ids) == 0)
        return CODEC_DECODE_ERROR(out_alert);
    while (cbs_len(&ids) > 0) {
        CBS id;
        uint32_t age;
        if (!cbs_get_u16_prefixed(&ids, &id) || cbs_len(&id) == 0 || !cbs_get_u32(&ids, &age))
            return CODEC_DECODE_ERROR(out_alert);
        if (n < CODEC_MAX_PSK_IDENTITIES) {
            ch->psk_ids[n].identity = id;
            ch->psk_ids[n].obfuscated_ticket_age = age;
        }
        n++;
    }
    /* The caller checked this is the last extension, so what remains of the
     * body is exactly this binders list (u16 length included). */
    ch->psk_binders_offset = body_len - cbs_len(data);
    if (!cbs_get_u16_prefixed(data, &binders) || cbs_len(&binders) == 0)
        return CODEC_DECODE_ERROR(out_alert);
    size_t nb = 0;
    while (cbs_len(&binders) > 0) {
        CBS b;
        if (!cbs_get_u8_prefixed(&binders, &b) || cbs_len(&b) < 32)
            return CODEC_DECODE_ERROR(out_alert);
        if (nb < CODEC_MAX_PSK_IDENTITIES)
            ch->psk_binders[nb] = b;
        nb++;
    }
    /* One binder per identity, in the same order. */
    if (nb != n)
        return CODEC_ILLEGAL(out_alert, SSL_R_BAD_PSK);
    ch->num_psks_on_wire = n;
    ch->num_psks = n < CODEC_MAX_PSK_IDENTITIES ? n : CODEC_MAX_PSK_IDENTITIES;
    return 1;
}

/* RFC 8446 4.2.4: DistinguishedName authorities<3..2^16-1>. */
static int parse_ca_list(CBS *data, CBS *out, uint8_t *out_alert)
{
    CBS list, iter, name;
    if (!cbs_get_u16_prefixed(data, &list) || cbs_len(&list) == 0)
        return CODEC_DECODE_ERROR(out_alert);
    iter = list;
    while (cbs_len(&iter) > 0) {
        if (!cbs_get_u16_prefixed(&iter, &name) || cbs_len(&name) == 0)
            return CODEC_DECODE_ERROR(out_alert);
    }
    *out = list;
    return 1;
}

/* State for the extension callback. */
typedef struct {
    CODEC_CLIENT_HELLO *ch;
    size_t body_len;
} ch_ctx;

static int ch_ext(void *vctx, uint16_t type, CBS *data, uint8_t *out_alert)
{
    ch_ctx *ctx = vctx;
    CODEC_CLIENT_HELLO *ch = ctx->ch;
    CBS tmp;

    switch (type) {
    case CODEC_EXT_SERVER_NAME:
        return parse_server_name(data, ch, out_alert);
    case CODEC_EXT_SUPPORTED_GROUPS:
        if (!codec_get_u16_list(data, &ch->supported_groups))
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_SIGNATURE_ALGORITHMS:
        if (!codec_get_u16_list(data, &ch->sigalgs))
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_SIGNATURE_ALGORITHMS_CERT:
        if (!codec_get_u16_list(data, &ch->sigalgs_cert))
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_ALPN:
        return parse_alpn_list(data, &ch->alpn, out_alert);
    case CODEC_EXT_SUPPORTED_VERSIONS:
        /* RFC 8446 4.2.1: ProtocolVersion versions<2..254> (u8 prefix). */
        if (!cbs_get_u8_prefixed(data, &ch->supported_versions) ||
            cbs_len(&ch->supported_versions) == 0 || cbs_len(&ch->supported_versions) % 2 != 0)
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_PSK_KEY_EXCHANGE_MODES:
        if (!cbs_get_u8_prefixed(data, &ch->psk_modes) || cbs_len(&ch->psk_modes) == 0)
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_COOKIE:
        if (!cbs_get_u16_prefixed(data, &ch->cookie) || cbs_len(&ch->cookie) == 0)
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_CERTIFICATE_AUTHORITIES:
        return parse_ca_list(data, &ch->certificate_authorities, out_alert);
    case CODEC_EXT_KEY_SHARE:
        return parse_key_shares(data, ch, out_alert);
    case CODEC_EXT_PRE_SHARED_KEY:
        return parse_psks(data, ch, ctx->body_len, out_alert);
    case CODEC_EXT_EARLY_DATA:
        ch->early_data = 1; /* RFC 8446 4.2.10: empty in ClientHello */
        return 1;
    case CODEC_EXT_POST_HANDSHAKE_AUTH:
        ch->post_handshake_auth = 1; /* RFC 8446 4.2.6: empty */
        return 1;
    case CODEC_EXT_EXTENDED_MASTER_SECRET:
        ch->extended_master_secret = 1; /* RFC 7627 5.1: empty */
        return 1;
    case CODEC_EXT_ENCRYPT_THEN_MAC:
        ch->encrypt_then_mac = 1; /* RFC 7366 2: empty */
        return 1;
    case CODEC_EXT_SESSION_TICKET:
        /* RFC 5077 3.2: the whole extension_data is the ticket. */
        if (!cbs_get_bytes(data, &ch->session_ticket, cbs_len(data)))
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_RENEGOTIATION_INFO:
        if (!cbs_get_u8_prefixed(data, &ch->renegotiation_info))
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_EC_POINT_FORMATS:
        if (!cbs_get_u8_prefixed(data, &ch->ec_point_formats) ||
            cbs_len(&ch->ec_point_formats) == 0)
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_STATUS_REQUEST:
        /* RFC 6066 8: contents are the caller's business if it staples. */
        ch->status_request = 1;
        return cbs_get_bytes(data, &tmp, cbs_len(data));
    case CODEC_EXT_SCT:
        ch->sct = 1; /* RFC 6962 3.3.1: empty from the client */
        return 1;
    case CODEC_EXT_PADDING:
        /* RFC 7685 3: contents are zeros; not worth enforcing. */
        return cbs_get_bytes(data, &tmp, cbs_len(data));
    default:
        return 1; /* unreachable: the table and this switch agree */
    }
}

int codec_parse_client_hello(CBS *body, CODEC_CLIENT_HELLO *out, uint8_t *out_alert)
{
    CBS in = *body, exts;
    size_t body_len = cbs_len(body);
    memset(out, 0, sizeof(*out));

    if (!cbs_get_u16(&in, &out->legacy_version) ||
        !cbs_get_bytes(&in, &out->random, CODEC_RANDOM_LEN) ||
        !cbs_get_u8_prefixed(&in, &out->session_id))
        return CODEC_DECODE_ERROR(out_alert);
    if (cbs_len(&out->session_id) > CODEC_MAX_SESSION_ID_LEN)
        return CODEC_ILLEGAL(out_alert, SSL_R_SSL3_SESSION_ID_TOO_LONG);
    /* cipher_suites<2..2^16-2>, legacy_compression_methods<1..2^8-1>. */
    if (!codec_get_u16_list(&in, &out->cipher_suites) ||
        !cbs_get_u8_prefixed(&in, &out->compression_methods) ||
        cbs_len(&out->compression_methods) == 0)
        return CODEC_DECODE_ERROR(out_alert);

    /* RFC 5246 7.4.1.2: a hello may end here, with no extensions block. */
    if (cbs_len(&in) == 0) {
        *body = in;
        return 1;
    }
    if (!cbs_get_u16_prefixed(&in, &exts) || cbs_len(&in) != 0)
        return CODEC_DECODE_ERROR(out_alert);
    out->extensions = exts;

    ch_ctx ctx = {out, body_len};
    if (!codec_parse_extensions(&exts, CODEC_MSG_CH, 1, &out->ext_present, ch_ext, &ctx, out_alert))
        return 0;
    *body = in;
    return 1;
}

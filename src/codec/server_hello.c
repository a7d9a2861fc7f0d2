/* ServerHello / HelloRetryRequest parser and writer, RFC 8446 4.1.3-4.1.4
 * (and the TLS 1.2 ServerHello of RFC 5246 7.4.1.3). */
#include <string.h>

#include "codec/codec_internal.h"
#include "codec/hello.h"

static int sh_ext(void *vctx, uint16_t type, CBS *data, uint8_t *out_alert)
{
    CODEC_SERVER_HELLO *sh = vctx;
    CBS list;

    switch (type) {
    case CODEC_EXT_SUPPORTED_VERSIONS:
        if (!cbs_get_u16(data, &sh->selected_version))
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_KEY_SHARE:
        if (sh->is_hrr) {
            /* RFC 8446 4.2.8: KeyShareHelloRetryRequest is just a group. */
            if (!cbs_get_u16(data, &sh->hrr_group))
                return CODEC_DECODE_ERROR(out_alert);
            return 1;
        }
        if (!cbs_get_u16(data, &sh->key_share.group) ||
            !cbs_get_u16_prefixed(data, &sh->key_share.key_exchange) ||
            cbs_len(&sh->key_share.key_exchange) == 0)
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_PRE_SHARED_KEY:
        sh->has_psk = 1;
        if (!cbs_get_u16(data, &sh->psk_identity))
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_COOKIE:
        if (!cbs_get_u16_prefixed(data, &sh->cookie) || cbs_len(&sh->cookie) == 0)
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_RENEGOTIATION_INFO:
        if (!cbs_get_u8_prefixed(data, &sh->renegotiation_info))
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_EXTENDED_MASTER_SECRET:
        sh->ems = 1;
        return 1;
    case CODEC_EXT_ENCRYPT_THEN_MAC:
        sh->etm = 1;
        return 1;
    case CODEC_EXT_SESSION_TICKET:
        sh->session_ticket = 1; /* RFC 5077 3.2: empty in ServerHello */
        return 1;
    case CODEC_EXT_SERVER_NAME:
        sh->server_name_ack = 1; /* RFC 6066 3: empty */
        return 1;
    case CODEC_EXT_STATUS_REQUEST:
        sh->status_request = 1; /* RFC 6066 8: empty */
        return 1;
    case CODEC_EXT_SCT:
        return cbs_get_bytes(data, &sh->sct, cbs_len(data));
    case CODEC_EXT_ALPN:
        /* RFC 7301 3.1: the server's list holds exactly one name. */
        if (!cbs_get_u16_prefixed(data, &list) || !cbs_get_u8_prefixed(&list, &sh->alpn_selected) ||
            cbs_len(&sh->alpn_selected) == 0 || cbs_len(&list) != 0)
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_EC_POINT_FORMATS:
        if (!cbs_get_u8_prefixed(data, &sh->ec_point_formats) ||
            cbs_len(&sh->ec_point_formats) == 0)
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    default:
        return 1;
    }
}

int codec_parse_server_hello(CBS *body, CODEC_SERVER_HELLO *out, uint8_t *out_alert)
{
    CBS in = *body, exts, ignored;
    memset(out, 0, sizeof(*out));

    if (!cbs_get_u16(&in, &out->legacy_version) ||
        !cbs_get_bytes(&in, &out->random, CODEC_RANDOM_LEN) ||
        !cbs_get_u8_prefixed(&in, &out->session_id_echo))
        return CODEC_DECODE_ERROR(out_alert);
    if (cbs_len(&out->session_id_echo) > CODEC_MAX_SESSION_ID_LEN)
        return CODEC_ILLEGAL(out_alert, SSL_R_SSL3_SESSION_ID_TOO_LONG);
    if (!cbs_get_u16(&in, &out->cipher_suite) || !cbs_get_u8(&in, &out->compression))
        return CODEC_DECODE_ERROR(out_alert);
    out->is_hrr = cbs_mem_equal(&out->random, CODEC_HRR_RANDOM, CODEC_RANDOM_LEN);

    /* RFC 5246 7.4.1.3: a TLS 1.2 ServerHello may omit the extensions. */
    if (cbs_len(&in) == 0) {
        *body = in;
        return 1;
    }
    if (!cbs_get_u16_prefixed(&in, &exts) || cbs_len(&in) != 0)
        return CODEC_DECODE_ERROR(out_alert);
    out->extensions = exts;

    /* RFC 8446 4.1.3: supported_versions marks a TLS 1.3 ServerHello, whose
     * extension rules differ from TLS 1.2's. */
    unsigned msg = CODEC_MSG_SH12;
    if (out->is_hrr)
        msg = CODEC_MSG_HRR;
    else if (codec_ext_find(&exts, CODEC_EXT_SUPPORTED_VERSIONS, &ignored))
        msg = CODEC_MSG_SH;

    if (!codec_parse_extensions(&exts, msg, 0, &out->ext_present, sh_ext, out, out_alert))
        return 0;
    *body = in;
    return 1;
}

/* Opens extension |type| in |exts|; its data goes into |data|. */
static int add_ext(CBB *exts, uint16_t type, CBB *data)
{
    return cbb_add_u16(exts, type) && cbb_add_u16_prefixed(exts, data);
}

/* The extensions of |in|, in the order we send them. */
static int write_sh_exts(CBB *exts, const CODEC_SERVER_HELLO_OUT *in)
{
    /* Children live until the final flush: all in this scope. */
    CBB data, tmp;
    if (in->version != 0 &&
        !(add_ext(exts, CODEC_EXT_SUPPORTED_VERSIONS, &data) && cbb_add_u16(&data, in->version)))
        return 0;
    if (in->is_hrr && in->hrr_group != 0 &&
        !(add_ext(exts, CODEC_EXT_KEY_SHARE, &data) && cbb_add_u16(&data, in->hrr_group)))
        return 0;
    if (!in->is_hrr && in->key_share_pub != NULL &&
        !(add_ext(exts, CODEC_EXT_KEY_SHARE, &data) && cbb_add_u16(&data, in->key_share_group) &&
          cbb_add_u16_prefixed(&data, &tmp) &&
          cbb_add_bytes(&tmp, in->key_share_pub, in->key_share_pub_len)))
        return 0;
    if (in->is_hrr && in->cookie_len > 0 &&
        !(add_ext(exts, CODEC_EXT_COOKIE, &data) && cbb_add_u16_prefixed(&data, &tmp) &&
          cbb_add_bytes(&tmp, in->cookie, in->cookie_len)))
        return 0;
    if (!in->is_hrr && in->has_psk &&
        !(add_ext(exts, CODEC_EXT_PRE_SHARED_KEY, &data) && cbb_add_u16(&data, in->psk_identity)))
        return 0;
    /* TLS 1.2 extensions. */
    if (in->renegotiation_info &&
        !(add_ext(exts, CODEC_EXT_RENEGOTIATION_INFO, &data) && cbb_add_u8(&data, 0)))
        return 0;
    if (in->server_name_ack && !(cbb_add_u16(exts, CODEC_EXT_SERVER_NAME) && cbb_add_u16(exts, 0)))
        return 0;
    if (in->ems && !(cbb_add_u16(exts, CODEC_EXT_EXTENDED_MASTER_SECRET) && cbb_add_u16(exts, 0)))
        return 0;
    if (in->etm && !(cbb_add_u16(exts, CODEC_EXT_ENCRYPT_THEN_MAC) && cbb_add_u16(exts, 0)))
        return 0;
    if (in->session_ticket &&
        !(cbb_add_u16(exts, CODEC_EXT_SESSION_TICKET) && cbb_add_u16(exts, 0)))
        return 0;
    if (in->status_request &&
        !(cbb_add_u16(exts, CODEC_EXT_STATUS_REQUEST) && cbb_add_u16(exts, 0)))
        return 0;
    CBB name;
    if (in->alpn_len > 0) {
        if (!add_ext(exts, CODEC_EXT_ALPN, &data) || !cbb_add_u16_prefixed(&data, &tmp) ||
            !cbb_add_u8_prefixed(&tmp, &name) || !cbb_add_bytes(&name, in->alpn, in->alpn_len))
            return 0;
    }
    if (in->ec_point_formats && !(add_ext(exts, CODEC_EXT_EC_POINT_FORMATS, &data) &&
                                  cbb_add_u8(&data, 1) && cbb_add_u8(&data, 0)))
        return 0;
    return cbb_flush(exts);
}

int codec_write_server_hello(CBB *cbb, const CODEC_SERVER_HELLO_OUT *in)
{
    CBB body, sid, exts;
    const uint8_t *random = in->is_hrr ? CODEC_HRR_RANDOM : in->random;
    if (random == NULL || in->session_id_len > CODEC_MAX_SESSION_ID_LEN || in->alpn_len > 255)
        return CODEC_WRITE_FAIL();

    if (!cbb_add_u8(cbb, CODEC_HS_SERVER_HELLO) || !cbb_add_u24_prefixed(cbb, &body) ||
        !cbb_add_u16(&body, in->legacy_version ? in->legacy_version : CODEC_VERSION_TLS1_2) ||
        !cbb_add_bytes(&body, random, CODEC_RANDOM_LEN) || !cbb_add_u8_prefixed(&body, &sid) ||
        !cbb_add_bytes(&sid, in->session_id, in->session_id_len) ||
        !cbb_add_u16(&body, in->cipher_suite) ||
        !cbb_add_u8(&body, 0 /* legacy_compression_method */) ||
        !cbb_add_u16_prefixed(&body, &exts) || !write_sh_exts(&exts, in) || !cbb_flush(cbb))
        return CODEC_WRITE_FAIL();
    return 1;
}

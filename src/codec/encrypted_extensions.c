/* EncryptedExtensions, RFC 8446 4.3.1. */
#include <string.h>

#include "codec/codec_internal.h"
#include "codec/messages13.h"

static int ee_ext(void *vctx, uint16_t type, CBS *data, uint8_t *out_alert)
{
    CODEC_ENCRYPTED_EXTENSIONS *ee = vctx;
    CBS list;

    switch (type) {
    case CODEC_EXT_ALPN:
        /* RFC 7301 3.1: the server's list holds exactly one name. */
        if (!cbs_get_u16_prefixed(data, &list) || !cbs_get_u8_prefixed(&list, &ee->alpn_selected) ||
            cbs_len(&ee->alpn_selected) == 0 || cbs_len(&list) != 0)
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_SERVER_NAME:
        ee->server_name_ack = 1; /* RFC 6066 3: empty */
        return 1;
    case CODEC_EXT_EARLY_DATA:
        ee->early_data = 1; /* RFC 8446 4.2.10: empty */
        return 1;
    case CODEC_EXT_SUPPORTED_GROUPS:
        if (!codec_get_u16_list(data, &ee->supported_groups))
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    default:
        return 1;
    }
}

int codec_parse_encrypted_extensions(CBS *body, CODEC_ENCRYPTED_EXTENSIONS *out, uint8_t *out_alert)
{
    CBS in = *body, exts;
    memset(out, 0, sizeof(*out));
    if (!cbs_get_u16_prefixed(&in, &exts) || cbs_len(&in) != 0)
        return CODEC_DECODE_ERROR(out_alert);
    if (!codec_parse_extensions(&exts, CODEC_MSG_EE, 0, &out->ext_present, ee_ext, out, out_alert))
        return 0;
    *body = in;
    return 1;
}

int codec_write_encrypted_extensions(CBB *cbb, const CODEC_ENCRYPTED_EXTENSIONS_OUT *in)
{
    CBB body, exts, data, list, name;
    if (in->alpn_len > 255 || !cbb_add_u8(cbb, CODEC_HS_ENCRYPTED_EXTENSIONS) ||
        !cbb_add_u24_prefixed(cbb, &body) || !cbb_add_u16_prefixed(&body, &exts))
        return CODEC_WRITE_FAIL();
    if (in->server_name_ack &&
        !(cbb_add_u16(&exts, CODEC_EXT_SERVER_NAME) && cbb_add_u16(&exts, 0)))
        return CODEC_WRITE_FAIL();
    if (in->num_groups > 0 &&
        !(cbb_add_u16(&exts, CODEC_EXT_SUPPORTED_GROUPS) && cbb_add_u16_prefixed(&exts, &data) &&
          codec_write_u16_list(&data, in->groups, in->num_groups)))
        return CODEC_WRITE_FAIL();
    if (in->alpn_len > 0 &&
        !(cbb_add_u16(&exts, CODEC_EXT_ALPN) && cbb_add_u16_prefixed(&exts, &data) &&
          cbb_add_u16_prefixed(&data, &list) && cbb_add_u8_prefixed(&list, &name) &&
          cbb_add_bytes(&name, in->alpn, in->alpn_len)))
        return CODEC_WRITE_FAIL();
    if (in->early_data && !(cbb_add_u16(&exts, CODEC_EXT_EARLY_DATA) && cbb_add_u16(&exts, 0)))
        return CODEC_WRITE_FAIL();
    if (!cbb_flush(cbb))
        return CODEC_WRITE_FAIL();
    return 1;
}

/* Certificate, RFC 8446 4.4.2. */
#include <string.h>

#include "codec/codec_internal.h"
#include "codec/messages13.h"

/* Entry extensions are validated (framing, duplicates, which types) but
 * their contents are left to the caller, who walks them again. */
static int entry_ext(void *vctx, uint16_t type, CBS *data, uint8_t *out_alert)
{
    CBS all;
    (void)vctx;
    (void)type;
    (void)out_alert;
    return cbs_get_bytes(data, &all, cbs_len(data));
}

int codec_cert_next(CBS *list, CBS *out_cert_der, CBS *out_exts)
{
    CBS copy = *list;
    if (!cbs_get_u24_prefixed(&copy, out_cert_der) || !cbs_get_u16_prefixed(&copy, out_exts))
        return 0;
    *list = copy;
    return 1;
}

int codec_parse_certificate(CBS *body, CODEC_CERTIFICATE *out, uint8_t *out_alert)
{
    CBS in = *body, iter;
    memset(out, 0, sizeof(*out));
    if (!cbs_get_u8_prefixed(&in, &out->context) ||
        !cbs_get_u24_prefixed(&in, &out->certificate_list) || cbs_len(&in) != 0)
        return CODEC_DECODE_ERROR(out_alert);

    iter = out->certificate_list;
    while (cbs_len(&iter) > 0) {
        CBS der, exts;
        uint64_t seen = 0;
        /* opaque cert_data<1..2^24-1>; Extension extensions<0..2^16-1>. */
        if (!codec_cert_next(&iter, &der, &exts) || cbs_len(&der) == 0)
            return CODEC_DECODE_ERROR(out_alert);
        if (!codec_parse_extensions(&exts, CODEC_MSG_CT, 0, &seen, entry_ext, NULL, out_alert))
            return 0;
        out->num_certs++;
    }
    *body = in;
    return 1;
}

int codec_write_certificate(CBB *cbb, const uint8_t *context, size_t context_len,
                            const uint8_t *const *der, const size_t *der_len, size_t num)
{
    CBB body, ctx, list, entry;
    /* Validate first: a failure mid-write would leave an open child. */
    for (size_t i = 0; i < num; i++) {
        if (der_len[i] == 0)
            return CODEC_WRITE_FAIL();
    }
    if (!cbb_add_u8(cbb, CODEC_HS_CERTIFICATE) || !cbb_add_u24_prefixed(cbb, &body) ||
        !cbb_add_u8_prefixed(&body, &ctx) || !cbb_add_bytes(&ctx, context, context_len) ||
        !cbb_add_u24_prefixed(&body, &list))
        return CODEC_WRITE_FAIL();
    for (size_t i = 0; i < num; i++) {
        if (!cbb_add_u24_prefixed(&list, &entry) || !cbb_add_bytes(&entry, der[i], der_len[i]) ||
            !cbb_add_u16(&list, 0 /* no extensions */))
            return CODEC_WRITE_FAIL();
    }
    if (!cbb_flush(cbb))
        return CODEC_WRITE_FAIL();
    return 1;
}

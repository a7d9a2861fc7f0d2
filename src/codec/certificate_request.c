/* CertificateRequest, RFC 8446 4.3.2. */
#include <string.h>

#include "codec/codec_internal.h"
#include "codec/messages13.h"

static int cr_ext(void *vctx, uint16_t type, CBS *data, uint8_t *out_alert)
{
    CODEC_CERTIFICATE_REQUEST *cr = vctx;
    CBS iter, name, tmp;

    switch (type) {
    case CODEC_EXT_SIGNATURE_ALGORITHMS:
        if (!codec_get_u16_list(data, &cr->sigalgs))
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_SIGNATURE_ALGORITHMS_CERT:
        if (!codec_get_u16_list(data, &cr->sigalgs_cert))
            return CODEC_DECODE_ERROR(out_alert);
        return 1;
    case CODEC_EXT_CERTIFICATE_AUTHORITIES:
        /* RFC 8446 4.2.4: DistinguishedName authorities<3..2^16-1>. */
        if (!cbs_get_u16_prefixed(data, &cr->certificate_authorities) ||
            cbs_len(&cr->certificate_authorities) == 0)
            return CODEC_DECODE_ERROR(out_alert);
        iter = cr->certificate_authorities;
        while (cbs_len(&iter) > 0) {
            if (!cbs_get_u16_prefixed(&iter, &name) || cbs_len(&name) == 0)
                return CODEC_DECODE_ERROR(out_alert);
        }
        return 1;
    default:
        /* status_request, SCT: requests with contents we do not inspect. */
        return cbs_get_bytes(data, &tmp, cbs_len(data));
    }
}

int codec_parse_certificate_request(CBS *body, CODEC_CERTIFICATE_REQUEST *out, uint8_t *out_alert)
{
    CBS in = *body, exts;
    memset(out, 0, sizeof(*out));
    if (!cbs_get_u8_prefixed(&in, &out->context) || !cbs_get_u16_prefixed(&in, &exts) ||
        cbs_len(&in) != 0)
        return CODEC_DECODE_ERROR(out_alert);
    if (!codec_parse_extensions(&exts, CODEC_MSG_CR, 0, &out->ext_present, cr_ext, out, out_alert))
        return 0;
    /* RFC 8446 4.3.2: "The signature_algorithms extension MUST be
     * specified". */
    if (!codec_ext_has(out->ext_present, CODEC_EXT_SIGNATURE_ALGORITHMS))
        return CODEC_FAIL(out_alert, CODEC_ALERT_MISSING_EXTENSION,
                          SSL_R_MISSING_SIGALGS_EXTENSION);
    *body = in;
    return 1;
}

int codec_write_certificate_request(CBB *cbb, const uint8_t *context, size_t context_len,
                                    const uint16_t *sigalgs, size_t num_sigalgs,
                                    const uint8_t *const *cas, const size_t *ca_lens,
                                    size_t num_cas)
{
    CBB body, ctx, exts, data, list, name;
    /* Validate before opening children: a failure mid-write would leave the
     * caller's CBB pointing at our stack. */
    for (size_t i = 0; i < num_cas; i++) {
        if (ca_lens[i] == 0)
            return CODEC_WRITE_FAIL();
    }
    if (num_sigalgs == 0 || !cbb_add_u8(cbb, CODEC_HS_CERTIFICATE_REQUEST) ||
        !cbb_add_u24_prefixed(cbb, &body) || !cbb_add_u8_prefixed(&body, &ctx) ||
        !cbb_add_bytes(&ctx, context, context_len) || !cbb_add_u16_prefixed(&body, &exts) ||
        !cbb_add_u16(&exts, CODEC_EXT_SIGNATURE_ALGORITHMS) ||
        !cbb_add_u16_prefixed(&exts, &data) || !codec_write_u16_list(&data, sigalgs, num_sigalgs))
        return CODEC_WRITE_FAIL();
    if (num_cas > 0) {
        if (!cbb_add_u16(&exts, CODEC_EXT_CERTIFICATE_AUTHORITIES) ||
            !cbb_add_u16_prefixed(&exts, &data) || !cbb_add_u16_prefixed(&data, &list))
            return CODEC_WRITE_FAIL();
        for (size_t i = 0; i < num_cas; i++) {
            if (!cbb_add_u16_prefixed(&list, &name) || !cbb_add_bytes(&name, cas[i], ca_lens[i]))
                return CODEC_WRITE_FAIL();
        }
    }
    if (!cbb_flush(cbb))
        return CODEC_WRITE_FAIL();
    return 1;
}

/* Fuzz target: codec_parse_certificate + codec_cert_next (src/codec/certificate.c),
 * then d2i_X509 on each entry as the handshake layer does.
 * Input: a TLS 1.3 Certificate BODY (no type / u24 length header). */
#include "fuzz_common.h"

#include "codec/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CBS body, list, der, exts, d;
    CODEC_CERTIFICATE c;
    uint8_t alert = 0;
    uint16_t v;
    cbs_init(&body, data, size);
    if (!codec_parse_certificate(&body, &c, &alert)) {
        FUZZ_ASSERT(alert != 0);
        ERR_clear_error();
        return 0;
    }
    FUZZ_ASSERT(cbs_len(&body) == 0);
    FUZZ_ASSERT(cbs_len(&c.context) <= 255);
    size_t n = 0;
    list = c.certificate_list;
    while (codec_cert_next(&list, &der, &exts)) {
        FUZZ_ASSERT(cbs_len(&der) > 0);
        n++;
        const unsigned char *p = cbs_data(&der);
        X509 *x = d2i_X509(NULL, &p, (long)cbs_len(&der));
        X509_free(x);
        while (codec_ext_next(&exts, &v, &d))
            (void)v;
    }
    /* every validated entry is walked, and nothing is left over */
    FUZZ_ASSERT(n == c.num_certs);
    FUZZ_ASSERT(cbs_len(&list) == 0);
    ERR_clear_error();
    return 0;
}

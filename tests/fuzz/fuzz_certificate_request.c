/* Fuzz target: codec_parse_certificate_request (src/codec/certificate_request.c).
 * Input: a TLS 1.3 CertificateRequest BODY (no type / u24 length header). */
#include "fuzz_common.h"

#include "codec/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CBS body, it, name;
    CODEC_CERTIFICATE_REQUEST cr;
    uint8_t alert = 0;
    uint16_t v;
    cbs_init(&body, data, size);
    if (!codec_parse_certificate_request(&body, &cr, &alert)) {
        FUZZ_ASSERT(alert != 0);
        ERR_clear_error();
        return 0;
    }
    FUZZ_ASSERT(cbs_len(&body) == 0);
    FUZZ_ASSERT(cbs_len(&cr.sigalgs) > 0 && cbs_len(&cr.sigalgs) % 2 == 0);
    unsigned sum = 0;
    it = cr.sigalgs;
    while (codec_u16_list_next(&it, &v))
        sum += v;
    it = cr.sigalgs_cert;
    while (codec_u16_list_next(&it, &v))
        sum += v;
    /* certificate_authorities: each a u16-prefixed non-empty DER name; parse
     * them as SSL_get0_peer_CA_list would. */
    it = cr.certificate_authorities;
    while (cbs_len(&it) > 0) {
        FUZZ_ASSERT(cbs_get_u16_prefixed(&it, &name));
        FUZZ_ASSERT(cbs_len(&name) > 0);
        const unsigned char *p = cbs_data(&name);
        X509_NAME *xn = d2i_X509_NAME(NULL, &p, (long)cbs_len(&name));
        X509_NAME_free(xn);
    }
    (void)sum;
    ERR_clear_error();
    return 0;
}

/* Fuzz target: codec_parse_certificate_request12 (src/codec/messages12.c),
 * d2i_X509_NAME of each CA name as SSL_get0_peer_CA_list would.
 * Input: a TLS 1.2 CertificateRequest BODY (no type / u24 length header).
 * A body that parses is written again with
 * codec_write_certificate_request12 (which always offers rsa_sign and
 * ecdsa_sign): what follows the certificate types must come out the same,
 * and the whole body when those were the types. */
#include "fuzz_common.h"

#include "codec/extensions.h"
#include "codec/messages12.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CBS body, it, name;
    CODEC_CERTIFICATE_REQUEST12 cr;
    uint8_t alert = 0;
    uint16_t v;
    cbs_init(&body, data, size);
    if (!codec_parse_certificate_request12(&body, &cr, &alert)) {
        FUZZ_ASSERT(alert == CODEC_ALERT_DECODE_ERROR);
        FUZZ_ASSERT(cbs_len(&body) == size);
        ERR_clear_error();
        return 0;
    }
    FUZZ_ASSERT(cbs_len(&body) == 0);
    FUZZ_ASSERT(cbs_len(&cr.certificate_types) > 0);
    FUZZ_ASSERT(cbs_len(&cr.sigalgs) > 0 && cbs_len(&cr.sigalgs) % 2 == 0);

    size_t num_algs = cbs_len(&cr.sigalgs) / 2, num_cas = 0;
    uint16_t *algs = malloc(num_algs * sizeof(*algs));
    const uint8_t **cas = malloc((cbs_len(&cr.certificate_authorities) / 3 + 1) * sizeof(*cas));
    size_t *ca_lens = malloc((cbs_len(&cr.certificate_authorities) / 3 + 1) * sizeof(*ca_lens));
    FUZZ_ASSERT(algs != NULL && cas != NULL && ca_lens != NULL);
    size_t i = 0;
    it = cr.sigalgs;
    while (codec_u16_list_next(&it, &v))
        algs[i++] = v;
    FUZZ_ASSERT(i == num_algs);
    it = cr.certificate_authorities;
    while (cbs_len(&it) > 0) {
        FUZZ_ASSERT(cbs_get_u16_prefixed(&it, &name));
        FUZZ_ASSERT(cbs_len(&name) > 0);
        cas[num_cas] = cbs_data(&name);
        ca_lens[num_cas++] = cbs_len(&name);
        const unsigned char *p = cbs_data(&name);
        X509_NAME *xn = d2i_X509_NAME(NULL, &p, (long)cbs_len(&name));
        X509_NAME_free(xn);
    }

    CBB cbb;
    uint8_t *m = NULL;
    size_t mlen = 0;
    FUZZ_ASSERT(cbb_init(&cbb, 64));
    FUZZ_ASSERT(codec_write_certificate_request12(&cbb, algs, num_algs, cas, ca_lens, num_cas));
    FUZZ_ASSERT(cbb_finish(&cbb, &m, &mlen));
    size_t types = 1 + cbs_len(&cr.certificate_types), ours = CODEC_HS_HEADER_LEN + 3;
    FUZZ_ASSERT(m[0] == CODEC_HS_CERTIFICATE_REQUEST && mlen - ours == size - types);
    FUZZ_ASSERT(memcmp(m + ours, data + types, size - types) == 0);
    if (cbs_mem_equal(&cr.certificate_types, (const uint8_t *)"\x01\x40", 2))
        FUZZ_ASSERT(memcmp(m + CODEC_HS_HEADER_LEN, data, size) == 0);
    OPENSSL_free(m);
    free(algs);
    free(cas);
    free(ca_lens);
    ERR_clear_error();
    return 0;
}

/* Fuzz target: codec_parse_certificate12 + codec_cert12_next
 * (src/codec/messages12.c), then d2i_X509 on each entry as the handshake
 * layer will.  Input: a TLS 1.2 Certificate BODY (no type / u24 length
 * header).  A body that parses is written again with
 * codec_write_certificate12: the same bytes must come out. */
#include "fuzz_common.h"

#include "codec/messages12.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CBS body, list, der;
    CODEC_CERTIFICATE12 c;
    uint8_t alert = 0;
    cbs_init(&body, data, size);
    if (!codec_parse_certificate12(&body, &c, &alert)) {
        FUZZ_ASSERT(alert == CODEC_ALERT_DECODE_ERROR);
        FUZZ_ASSERT(cbs_len(&body) == size);
        ERR_clear_error();
        return 0;
    }
    FUZZ_ASSERT(cbs_len(&body) == 0);
    const uint8_t **ders = malloc((c.num_certs + 1) * sizeof(*ders));
    size_t *lens = malloc((c.num_certs + 1) * sizeof(*lens));
    FUZZ_ASSERT(ders != NULL && lens != NULL);
    size_t n = 0;
    list = c.certificate_list;
    while (codec_cert12_next(&list, &der)) {
        FUZZ_ASSERT(cbs_len(&der) > 0 && n < c.num_certs);
        ders[n] = cbs_data(&der);
        lens[n++] = cbs_len(&der);
        const unsigned char *p = cbs_data(&der);
        X509 *x = d2i_X509(NULL, &p, (long)cbs_len(&der));
        X509_free(x);
    }
    /* every validated entry is walked, and nothing is left over */
    FUZZ_ASSERT(n == c.num_certs);
    FUZZ_ASSERT(cbs_len(&list) == 0);

    CBB cbb;
    uint8_t *m = NULL;
    size_t mlen = 0;
    FUZZ_ASSERT(cbb_init(&cbb, 64));
    FUZZ_ASSERT(codec_write_certificate12(&cbb, ders, lens, n));
    FUZZ_ASSERT(cbb_finish(&cbb, &m, &mlen));
    FUZZ_ASSERT(mlen == CODEC_HS_HEADER_LEN + size && m[0] == CODEC_HS_CERTIFICATE);
    FUZZ_ASSERT(memcmp(m + CODEC_HS_HEADER_LEN, data, size) == 0);
    OPENSSL_free(m);
    free(ders);
    free(lens);
    ERR_clear_error();
    return 0;
}

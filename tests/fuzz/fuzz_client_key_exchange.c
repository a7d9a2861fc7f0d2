/* Fuzz target: codec_parse_client_key_exchange (src/codec/messages12.c).
 * Input: one mode byte (bit 0: 0 = ECDHE, 1 = DHE), then a TLS 1.2
 * ClientKeyExchange BODY (no type / u24 length header).  A body that
 * parses is written again with codec_write_client_key_exchange: the same
 * bytes must come out. */
#include "fuzz_common.h"

#include "codec/messages12.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CBS body, pub;
    uint8_t alert = 0;
    if (size < 1)
        return 0;
    int dhe = data[0] & 1;
    cbs_init(&body, data + 1, size - 1);
    if (!codec_parse_client_key_exchange(&body, dhe, &pub, &alert)) {
        FUZZ_ASSERT(alert == CODEC_ALERT_DECODE_ERROR);
        FUZZ_ASSERT(cbs_len(&body) == size - 1);
        ERR_clear_error();
        return 0;
    }
    FUZZ_ASSERT(cbs_len(&body) == 0);
    FUZZ_ASSERT(cbs_len(&pub) > 0 && cbs_len(&pub) <= (dhe ? 0xffffu : 0xffu));
    CBB cbb;
    uint8_t *m = NULL;
    size_t mlen = 0;
    FUZZ_ASSERT(cbb_init(&cbb, 64));
    FUZZ_ASSERT(codec_write_client_key_exchange(&cbb, dhe, cbs_data(&pub), cbs_len(&pub)));
    FUZZ_ASSERT(cbb_finish(&cbb, &m, &mlen));
    FUZZ_ASSERT(mlen == CODEC_HS_HEADER_LEN + size - 1 && m[0] == CODEC_HS_CLIENT_KEY_EXCHANGE);
    FUZZ_ASSERT(memcmp(m + CODEC_HS_HEADER_LEN, data + 1, size - 1) == 0);
    OPENSSL_free(m);
    return 0;
}

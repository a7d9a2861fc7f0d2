/* Fuzz target: codec_parse_server_key_exchange (src/codec/messages12.c).
 * Input: one mode byte (bit 0: 0 = ECDHE, 1 = DHE), then a TLS 1.2
 * ServerKeyExchange BODY (no type / u24 length header).
 * A body that parses is written again with codec_write_ecdhe_params /
 * codec_write_dhe_params and codec_write_server_key_exchange: the same
 * bytes must come out, and |params| must be exactly the parameters. */
#include "fuzz_common.h"

#include "codec/messages12.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CBS body;
    CODEC_SERVER_KEY_EXCHANGE ske;
    uint8_t alert = 0;
    if (size < 1)
        return 0;
    int dhe = data[0] & 1;
    cbs_init(&body, data + 1, size - 1);
    if (!codec_parse_server_key_exchange(&body, dhe, &ske, &alert)) {
        FUZZ_ASSERT(alert == CODEC_ALERT_DECODE_ERROR || alert == CODEC_ALERT_ILLEGAL_PARAMETER);
        FUZZ_ASSERT(cbs_len(&body) == size - 1);
        ERR_clear_error();
        return 0;
    }
    FUZZ_ASSERT(cbs_len(&body) == 0);
    FUZZ_ASSERT(cbs_data(&ske.params) == data + 1);
    FUZZ_ASSERT(cbs_len(&ske.signature) > 0 && cbs_len(&ske.signature) <= 0xffff);
    if (dhe) {
        FUZZ_ASSERT(cbs_len(&ske.dh_p) > 0 && cbs_len(&ske.dh_g) > 0 && cbs_len(&ske.dh_ys) > 0);
        FUZZ_ASSERT(cbs_len(&ske.point) == 0);
    } else {
        FUZZ_ASSERT(cbs_len(&ske.point) > 0 && cbs_len(&ske.point) <= 255);
        FUZZ_ASSERT(data[1] == CODEC_EC_CURVE_TYPE_NAMED);
    }

    CBB params, msg;
    uint8_t *p = NULL, *m = NULL;
    size_t plen = 0, mlen = 0;
    FUZZ_ASSERT(cbb_init(&params, 64));
    if (dhe)
        FUZZ_ASSERT(codec_write_dhe_params(&params, cbs_data(&ske.dh_p), cbs_len(&ske.dh_p),
                                           cbs_data(&ske.dh_g), cbs_len(&ske.dh_g),
                                           cbs_data(&ske.dh_ys), cbs_len(&ske.dh_ys)));
    else
        FUZZ_ASSERT(codec_write_ecdhe_params(&params, ske.named_curve, cbs_data(&ske.point),
                                             cbs_len(&ske.point)));
    FUZZ_ASSERT(cbb_finish(&params, &p, &plen));
    FUZZ_ASSERT(cbs_mem_equal(&ske.params, p, plen));
    FUZZ_ASSERT(cbb_init(&msg, 64));
    FUZZ_ASSERT(codec_write_server_key_exchange(&msg, p, plen, ske.sigalg, cbs_data(&ske.signature),
                                                cbs_len(&ske.signature)));
    FUZZ_ASSERT(cbb_finish(&msg, &m, &mlen));
    FUZZ_ASSERT(mlen == CODEC_HS_HEADER_LEN + size - 1 && m[0] == CODEC_HS_SERVER_KEY_EXCHANGE);
    FUZZ_ASSERT(memcmp(m + CODEC_HS_HEADER_LEN, data + 1, size - 1) == 0);
    OPENSSL_free(p);
    OPENSSL_free(m);
    return 0;
}

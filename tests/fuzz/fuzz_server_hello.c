/* Fuzz target: codec_parse_server_hello (src/codec/server_hello.c): TLS 1.3
 * ServerHello, HelloRetryRequest and TLS 1.2 ServerHello.
 * Input: a ServerHello BODY (no type / u24 length header). */
#include "fuzz_common.h"

#include "codec/codec.h"

static unsigned touch(const CBS *c)
{
    return cbs_len(c) ? cbs_data(c)[cbs_len(c) - 1] : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CBS body, it, d;
    CODEC_SERVER_HELLO sh;
    uint8_t alert = 0;
    uint16_t v;
    cbs_init(&body, data, size);
    if (!codec_parse_server_hello(&body, &sh, &alert)) {
        FUZZ_ASSERT(alert != 0);
        ERR_clear_error();
        return 0;
    }
    FUZZ_ASSERT(cbs_len(&body) == 0);
    FUZZ_ASSERT(cbs_len(&sh.random) == 32);
    FUZZ_ASSERT(cbs_len(&sh.session_id_echo) <= 32);
    if (sh.is_hrr)
        FUZZ_ASSERT(cbs_len(&sh.key_share.key_exchange) == 0);
    unsigned sum = touch(&sh.key_share.key_exchange) + touch(&sh.cookie) +
                   touch(&sh.renegotiation_info) + touch(&sh.alpn_selected) +
                   touch(&sh.ec_point_formats) + touch(&sh.sct) + touch(&sh.session_id_echo);
    it = sh.extensions;
    while (codec_ext_next(&it, &v, &d))
        sum += v + touch(&d);
    (void)sum;
    return 0;
}

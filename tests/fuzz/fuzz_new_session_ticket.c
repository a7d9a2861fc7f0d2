/* Fuzz target: codec_parse_new_session_ticket (src/codec/messages13.c).
 * Input: a NewSessionTicket BODY (no type / u24 length header). */
#include "fuzz_common.h"

#include "codec/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CBS body;
    CODEC_NEW_SESSION_TICKET nst;
    uint8_t alert = 0;
    cbs_init(&body, data, size);
    if (!codec_parse_new_session_ticket(&body, &nst, &alert)) {
        FUZZ_ASSERT(alert != 0);
        ERR_clear_error();
        return 0;
    }
    FUZZ_ASSERT(cbs_len(&body) == 0);
    FUZZ_ASSERT(nst.lifetime <= 604800);
    FUZZ_ASSERT(cbs_len(&nst.ticket) > 0);
    FUZZ_ASSERT(cbs_len(&nst.nonce) <= 255);
    unsigned sum = cbs_data(&nst.ticket)[cbs_len(&nst.ticket) - 1];
    if (cbs_len(&nst.nonce) > 0)
        sum += cbs_data(&nst.nonce)[cbs_len(&nst.nonce) - 1];
    (void)sum;
    return 0;
}

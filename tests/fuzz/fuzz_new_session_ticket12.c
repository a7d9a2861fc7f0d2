/* Fuzz target: codec_parse_new_session_ticket12 (src/codec/messages12.c).
 * Input: a TLS 1.2 NewSessionTicket BODY (RFC 5077 3.3; no type / u24
 * length header).  A body that parses is written again with
 * codec_write_new_session_ticket12: the same bytes must come out. */
#include "fuzz_common.h"

#include "codec/messages12.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CBS body;
    CODEC_NEW_SESSION_TICKET12 nst;
    uint8_t alert = 0;
    cbs_init(&body, data, size);
    if (!codec_parse_new_session_ticket12(&body, &nst, &alert)) {
        FUZZ_ASSERT(alert == CODEC_ALERT_DECODE_ERROR);
        FUZZ_ASSERT(cbs_len(&body) == size);
        ERR_clear_error();
        return 0;
    }
    FUZZ_ASSERT(cbs_len(&body) == 0);
    FUZZ_ASSERT(cbs_len(&nst.ticket) == size - 6);
    CBB cbb;
    uint8_t *m = NULL;
    size_t mlen = 0;
    FUZZ_ASSERT(cbb_init(&cbb, 64));
    FUZZ_ASSERT(codec_write_new_session_ticket12(&cbb, nst.lifetime_hint, cbs_data(&nst.ticket),
                                                 cbs_len(&nst.ticket)));
    FUZZ_ASSERT(cbb_finish(&cbb, &m, &mlen));
    FUZZ_ASSERT(mlen == CODEC_HS_HEADER_LEN + size && m[0] == CODEC_HS_NEW_SESSION_TICKET);
    FUZZ_ASSERT(memcmp(m + CODEC_HS_HEADER_LEN, data, size) == 0);
    OPENSSL_free(m);
    return 0;
}

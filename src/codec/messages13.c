/* The small TLS 1.3 messages: Finished (RFC 8446 4.4.4), NewSessionTicket
 * (4.6.1), KeyUpdate (4.6.3).  (No EndOfEarlyData: early data is never
 * accepted nor sent; the HRR message_hash is built by keys/transcript.c.) */
#include <string.h>

#include "codec/codec_internal.h"
#include "codec/messages13.h"

/* write_simple appends a message whose body is |len| bytes of |data|. */
static int write_simple(CBB *cbb, uint8_t type, const uint8_t *data, size_t len)
{
    CBB body;
    if (!cbb_add_u8(cbb, type) || !cbb_add_u24_prefixed(cbb, &body) ||
        !cbb_add_bytes(&body, data, len) || !cbb_flush(cbb))
        return CODEC_WRITE_FAIL();
    return 1;
}

int codec_parse_finished(CBS *body, size_t expected_len, CBS *out_verify_data, uint8_t *out_alert)
{
    CBS in = *body;
    if (cbs_len(&in) != expected_len || !cbs_get_bytes(&in, out_verify_data, expected_len))
        return CODEC_DECODE_ERROR(out_alert);
    *body = in;
    return 1;
}

int codec_write_finished(CBB *cbb, const uint8_t *verify_data, size_t len)
{
    return write_simple(cbb, CODEC_HS_FINISHED, verify_data, len);
}

static int nst_ext(void *vctx, uint16_t type, CBS *data, uint8_t *out_alert)
{
    CODEC_NEW_SESSION_TICKET *nst = vctx;
    if (type != CODEC_EXT_EARLY_DATA)
        return 1;
    /* RFC 8446 4.2.10: uint32 max_early_data_size. */
    if (!cbs_get_u32(data, &nst->max_early_data))
        return CODEC_DECODE_ERROR(out_alert);
    nst->has_early_data = 1;
    return 1;
}

int codec_parse_new_session_ticket(CBS *body, CODEC_NEW_SESSION_TICKET *out, uint8_t *out_alert)
{
    CBS in = *body, exts;
    memset(out, 0, sizeof(*out));
    /* ticket_nonce<0..255>, ticket<1..2^16-1>, extensions<0..2^16-2>. */
    if (!cbs_get_u32(&in, &out->lifetime) || !cbs_get_u32(&in, &out->age_add) ||
        !cbs_get_u8_prefixed(&in, &out->nonce) || !cbs_get_u16_prefixed(&in, &out->ticket) ||
        cbs_len(&out->ticket) == 0 || !cbs_get_u16_prefixed(&in, &exts) || cbs_len(&in) != 0)
        return CODEC_DECODE_ERROR(out_alert);
    /* RFC 8446 4.6.1: "Servers MUST NOT use any value greater than 604800
     * seconds." */
    if (out->lifetime > CODEC_MAX_TICKET_LIFETIME)
        return CODEC_ILLEGAL(out_alert, SSL_R_BAD_VALUE);
    if (!codec_parse_extensions(&exts, CODEC_MSG_NST, 0, &out->ext_present, nst_ext, out,
                                out_alert))
        return 0;
    *body = in;
    return 1;
}

int codec_write_new_session_ticket(CBB *cbb, uint32_t lifetime, uint32_t age_add,
                                   const uint8_t *nonce, size_t nonce_len, const uint8_t *ticket,
                                   size_t ticket_len, int has_early_data, uint32_t max_early_data)
{
    CBB body, n, t, exts, data;
    if (ticket_len == 0 || !cbb_add_u8(cbb, CODEC_HS_NEW_SESSION_TICKET) ||
        !cbb_add_u24_prefixed(cbb, &body) || !cbb_add_u32(&body, lifetime) ||
        !cbb_add_u32(&body, age_add) || !cbb_add_u8_prefixed(&body, &n) ||
        !cbb_add_bytes(&n, nonce, nonce_len) || !cbb_add_u16_prefixed(&body, &t) ||
        !cbb_add_bytes(&t, ticket, ticket_len) || !cbb_add_u16_prefixed(&body, &exts))
        return CODEC_WRITE_FAIL();
    if (has_early_data &&
        !(cbb_add_u16(&exts, CODEC_EXT_EARLY_DATA) && cbb_add_u16_prefixed(&exts, &data) &&
          cbb_add_u32(&data, max_early_data)))
        return CODEC_WRITE_FAIL();
    if (!cbb_flush(cbb))
        return CODEC_WRITE_FAIL();
    return 1;
}

int codec_parse_key_update(CBS *body, uint8_t *out_request, uint8_t *out_alert)
{
    CBS in = *body;
    uint8_t v;
    if (!cbs_get_u8(&in, &v) || cbs_len(&in) != 0)
        return CODEC_DECODE_ERROR(out_alert);
    /* RFC 8446 4.6.3: any other value is an illegal_parameter. */
    if (v != CODEC_KEY_UPDATE_NOT_REQUESTED && v != CODEC_KEY_UPDATE_REQUESTED)
        return CODEC_FAIL(out_alert, CODEC_ALERT_ILLEGAL_PARAMETER, SSL_R_INVALID_KEY_UPDATE_TYPE);
    *out_request = v;
    *body = in;
    return 1;
}

int codec_write_key_update(CBB *cbb, uint8_t request)
{
    return write_simple(cbb, CODEC_HS_KEY_UPDATE, &request, 1);
}

/* The extension table and generic extension-block walking; see extensions.h. */
#include "codec/extensions.h"

#include "codec/codec_internal.h"

/* Which message each extension we implement may appear in: RFC 8446 4.2
 * (the table), RFC 5246/7.4.1.4 and the extension RFCs for TLS 1.2.  The
 * position in this array is the extension's bit in ext_present.  Sorted by
 * type: codec_ext_index searches it by halves (test_codec checks the
 * order). */
static const struct {
    uint16_t type;
    uint8_t msgs;
} kExtTable[] = {
    {CODEC_EXT_SERVER_NAME, CODEC_MSG_CH | CODEC_MSG_SH12 | CODEC_MSG_EE},
    {CODEC_EXT_STATUS_REQUEST, CODEC_MSG_CH | CODEC_MSG_SH12 | CODEC_MSG_CR | CODEC_MSG_CT},
    {CODEC_EXT_SUPPORTED_GROUPS, CODEC_MSG_CH | CODEC_MSG_EE},
    {CODEC_EXT_EC_POINT_FORMATS, CODEC_MSG_CH | CODEC_MSG_SH12},
    {CODEC_EXT_SIGNATURE_ALGORITHMS, CODEC_MSG_CH | CODEC_MSG_CR},
    {CODEC_EXT_ALPN, CODEC_MSG_CH | CODEC_MSG_SH12 | CODEC_MSG_EE},
    {CODEC_EXT_SCT, CODEC_MSG_CH | CODEC_MSG_SH12 | CODEC_MSG_CR | CODEC_MSG_CT},
    {CODEC_EXT_PADDING, CODEC_MSG_CH},
    {CODEC_EXT_ENCRYPT_THEN_MAC, CODEC_MSG_CH | CODEC_MSG_SH12},
    {CODEC_EXT_EXTENDED_MASTER_SECRET, CODEC_MSG_CH | CODEC_MSG_SH12},
    {CODEC_EXT_SESSION_TICKET, CODEC_MSG_CH | CODEC_MSG_SH12},
    {CODEC_EXT_PRE_SHARED_KEY, CODEC_MSG_CH | CODEC_MSG_SH},
    {CODEC_EXT_EARLY_DATA, CODEC_MSG_CH | CODEC_MSG_EE | CODEC_MSG_NST},
    {CODEC_EXT_SUPPORTED_VERSIONS, CODEC_MSG_CH | CODEC_MSG_SH | CODEC_MSG_HRR},
    {CODEC_EXT_COOKIE, CODEC_MSG_CH | CODEC_MSG_HRR},
    {CODEC_EXT_PSK_KEY_EXCHANGE_MODES, CODEC_MSG_CH},
    {CODEC_EXT_CERTIFICATE_AUTHORITIES, CODEC_MSG_CH | CODEC_MSG_CR},
    {CODEC_EXT_POST_HANDSHAKE_AUTH, CODEC_MSG_CH},
    {CODEC_EXT_SIGNATURE_ALGORITHMS_CERT, CODEC_MSG_CH | CODEC_MSG_CR},
    {CODEC_EXT_KEY_SHARE, CODEC_MSG_CH | CODEC_MSG_SH | CODEC_MSG_HRR},
    {CODEC_EXT_RENEGOTIATION_INFO, CODEC_MSG_CH | CODEC_MSG_SH12},
};

_Static_assert(sizeof(kExtTable) / sizeof(kExtTable[0]) <= 64, "ext_present is a 64-bit map");

int codec_ext_index(uint16_t type)
{
    size_t lo = 0, hi = sizeof(kExtTable) / sizeof(kExtTable[0]);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (kExtTable[mid].type == type)
            return (int)mid;
        if (kExtTable[mid].type < type)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

uint64_t codec_ext_bit(uint16_t type)
{
    int i = codec_ext_index(type);
    return i < 0 ? 0 : (uint64_t)1 << i;
}

int codec_ext_has(uint64_t ext_present, uint16_t type)
{
    return (ext_present & codec_ext_bit(type)) != 0;
}

int codec_ext_next(CBS *exts, uint16_t *out_type, CBS *out_data)
{
    CBS copy = *exts;
    if (!cbs_get_u16(&copy, out_type) || !cbs_get_u16_prefixed(&copy, out_data))
        return 0;
    *exts = copy;
    return 1;
}

int codec_ext_find(const CBS *exts, uint16_t type, CBS *out_data)
{
    CBS iter = *exts, data;
    uint16_t t;
    while (codec_ext_next(&iter, &t, &data)) {
        if (t == type) {
            *out_data = data;
            return 1;
        }
    }
    return 0;
}

/* Messages in which an unknown extension is fatal: responses to our own
 * ClientHello, which never carries an extension we do not know. */
#define MSGS_REJECT_UNKNOWN (CODEC_MSG_SH | CODEC_MSG_HRR | CODEC_MSG_EE | CODEC_MSG_SH12)

int codec_parse_extensions(CBS *exts, unsigned msg, int psk_last, uint64_t *ext_present,
                           codec_ext_handler handler, void *ctx, uint8_t *out_alert)
{
    /* Duplicates of unknown types must be caught too (RFC 8446 4.2), but they
     * have no table index: keep a small list of the unknown types seen, and
     * past 64 of them (an absurd message, but a peer may send one) a map of
     * all 2^16 types, cleared only then.  The block is at most 2^16 bytes,
     * so at most 16384 extensions. */
    uint16_t unknown_seen[64];
    size_t num_unknown = 0;
    uint64_t unknown_map[65536 / 64];
    int use_map = 0;

    while (cbs_len(exts) > 0) {
        uint16_t type;
        CBS data;
        if (!codec_ext_next(exts, &type, &data))
            return CODEC_DECODE_ERROR(out_alert);

        int idx = codec_ext_index(type);
        if (idx < 0) {
            if (msg & MSGS_REJECT_UNKNOWN)
                return CODEC_FAIL(out_alert, CODEC_ALERT_UNSUPPORTED_EXTENSION,
                                  SSL_R_UNSOLICITED_EXTENSION);
            uint64_t tbit = (uint64_t)1 << (type & 63);
            if (use_map) {
                if (unknown_map[type >> 6] & tbit)
                    return CODEC_ILLEGAL(out_alert, SSL_R_BAD_EXTENSION);
                unknown_map[type >> 6] |= tbit;
                continue;
            }
            for (size_t i = 0; i < num_unknown; i++) {
                if (unknown_seen[i] == type)
                    return CODEC_ILLEGAL(out_alert, SSL_R_BAD_EXTENSION);
            }
            if (num_unknown < sizeof(unknown_seen) / sizeof(unknown_seen[0])) {
                unknown_seen[num_unknown++] = type;
                continue;
            }
            memset(unknown_map, 0, sizeof(unknown_map));
            for (size_t i = 0; i < num_unknown; i++)
                unknown_map[unknown_seen[i] >> 6] |= (uint64_t)1 << (unknown_seen[i] & 63);
            unknown_map[type >> 6] |= tbit;
            use_map = 1;
            continue;
        }

        uint64_t bit = (uint64_t)1 << idx;
        if (*ext_present & bit)
            return CODEC_ILLEGAL(out_alert, SSL_R_BAD_EXTENSION);
        *ext_present |= bit;
        /* RFC 8446 4.2: known but not specified for this message. */
        if ((kExtTable[idx].msgs & msg) == 0)
            return CODEC_ILLEGAL(out_alert, SSL_R_BAD_EXTENSION);
        /* RFC 8446 4.2.11: pre_shared_key MUST be the last extension. */
        if (psk_last && type == CODEC_EXT_PRE_SHARED_KEY && cbs_len(exts) != 0)
            return CODEC_ILLEGAL(out_alert, SSL_R_BAD_EXTENSION);

        if (!handler(ctx, type, &data, out_alert))
            return 0;
        if (cbs_len(&data) != 0)
            return CODEC_DECODE_ERROR(out_alert);
    }
    return 1;
}

int codec_u16_list_next(CBS *iter, uint16_t *out)
{
    return cbs_get_u16(iter, out);
}

int codec_u16_list_contains(const CBS *list, uint16_t v)
{
    CBS iter = *list;
    uint16_t x;
    while (codec_u16_list_next(&iter, &x)) {
        if (x == v)
            return 1;
    }
    return 0;
}

int codec_get_u16_list(CBS *cbs, CBS *out)
{
    CBS copy = *cbs;
    if (!cbs_get_u16_prefixed(&copy, out) || cbs_len(out) == 0 || cbs_len(out) % 2 != 0)
        return 0;
    *cbs = copy;
    return 1;
}

int codec_write_u16_list(CBB *cbb, const uint16_t *v, size_t num)
{
    CBB list;
    if (!cbb_add_u16_prefixed(cbb, &list))
        return 0;
    for (size_t i = 0; i < num; i++) {
        if (!cbb_add_u16(&list, v[i]))
            return 0;
    }
    return cbb_flush(cbb);
}

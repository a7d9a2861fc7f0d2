/* CertificateVerify, RFC 8446 4.4.3. */
#include <string.h>

#include "codec/codec_internal.h"
#include "codec/messages13.h"

int codec_parse_certificate_verify(CBS *body, CODEC_CERTIFICATE_VERIFY *out, uint8_t *out_alert)
{
    CBS in = *body;
    memset(out, 0, sizeof(*out));
    if (!cbs_get_u16(&in, &out->sigalg) || !cbs_get_u16_prefixed(&in, &out->signature) ||
        cbs_len(&in) != 0)
        return CODEC_DECODE_ERROR(out_alert);
    *body = in;
    return 1;
}

int codec_write_certificate_verify(CBB *cbb, uint16_t sigalg, const uint8_t *sig, size_t sig_len)
{
    CBB body, s;
    if (!cbb_add_u8(cbb, CODEC_HS_CERTIFICATE_VERIFY) || !cbb_add_u24_prefixed(cbb, &body) ||
        !cbb_add_u16(&body, sigalg) || !cbb_add_u16_prefixed(&body, &s) ||
        !cbb_add_bytes(&s, sig, sig_len) || !cbb_flush(cbb))
        return CODEC_WRITE_FAIL();
    return 1;
}

int codec_cv_signed_content(uint8_t *out, size_t out_cap, size_t *out_len, int is_server,
                            const uint8_t *transcript_hash, size_t hash_len)
{
    /* RFC 8446 4.4.3: 64 octets of 0x20, the context string, a zero byte,
     * then the transcript hash. */
    static const char kServer[] = "TLS 1.3, server CertificateVerify";
    static const char kClient[] = "TLS 1.3, client CertificateVerify";
    const char *label = is_server ? kServer : kClient;
    CBB cbb;
    uint8_t *pad;
    if (hash_len > 64 || !cbb_init_fixed(&cbb, out, out_cap) || !cbb_add_space(&cbb, &pad, 64))
        return CODEC_WRITE_FAIL();
    memset(pad, 0x20, 64);
    /* sizeof includes the terminating NUL, which is the separator byte. */
    if (!cbb_add_bytes(&cbb, (const uint8_t *)label, sizeof(kServer)) ||
        !cbb_add_bytes(&cbb, transcript_hash, hash_len) || !cbb_finish(&cbb, NULL, out_len))
        return CODEC_WRITE_FAIL();
    return 1;
}

/* Fuzz target: codec_parse_client_hello (src/codec/client_hello.c).
 * Input: a ClientHello BODY (no type / u24 length header), as the parser
 * receives it from the handshake layer. */
#include "fuzz_common.h"

#include "codec/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CBS body, it, d;
    CODEC_CLIENT_HELLO ch;
    uint8_t alert = 0;
    uint16_t v;
    cbs_init(&body, data, size);
    if (!codec_parse_client_hello(&body, &ch, &alert)) {
        FUZZ_ASSERT(alert != 0);
        ERR_clear_error();
        return 0;
    }
    /* The parser consumes the whole body and keeps its documented limits. */
    FUZZ_ASSERT(cbs_len(&body) == 0);
    FUZZ_ASSERT(cbs_len(&ch.random) == 32);
    FUZZ_ASSERT(cbs_len(&ch.session_id) <= 32);
    FUZZ_ASSERT(cbs_len(&ch.cipher_suites) > 0 && cbs_len(&ch.cipher_suites) % 2 == 0);
    FUZZ_ASSERT(cbs_len(&ch.compression_methods) > 0);
    FUZZ_ASSERT(ch.num_key_shares <= CODEC_MAX_KEY_SHARES);
    FUZZ_ASSERT(ch.num_psks <= CODEC_MAX_PSK_IDENTITIES && ch.num_psks <= ch.num_psks_on_wire);
    if (ch.num_psks > 0)
        FUZZ_ASSERT(ch.psk_binders_offset > 0 && ch.psk_binders_offset < size);
    /* Touch every view (ASan checks they lie inside the input). */
    unsigned sum = 0;
    for (size_t i = 0; i < ch.num_key_shares; i++)
        for (size_t j = 0; j < cbs_len(&ch.key_shares[i].key_exchange); j++)
            sum += cbs_data(&ch.key_shares[i].key_exchange)[j];
    for (size_t i = 0; i < ch.num_psks; i++) {
        FUZZ_ASSERT(cbs_len(&ch.psk_ids[i].identity) > 0);
        sum += cbs_data(&ch.psk_ids[i].identity)[cbs_len(&ch.psk_ids[i].identity) - 1];
        if (cbs_len(&ch.psk_binders[i]) > 0)
            sum += cbs_data(&ch.psk_binders[i])[cbs_len(&ch.psk_binders[i]) - 1];
    }
    const CBS *lists[] = {&ch.cipher_suites, &ch.supported_groups, &ch.sigalgs, &ch.sigalgs_cert,
                          &ch.supported_versions};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        it = *lists[i];
        while (codec_u16_list_next(&it, &v))
            sum += v;
    }
    const CBS *views[] = {&ch.server_name,
                          &ch.alpn,
                          &ch.psk_modes,
                          &ch.cookie,
                          &ch.certificate_authorities,
                          &ch.session_ticket,
                          &ch.renegotiation_info,
                          &ch.ec_point_formats};
    for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
        if (cbs_len(views[i]) > 0)
            sum += cbs_data(views[i])[cbs_len(views[i]) - 1];
    if (codec_ch_has(&ch, CODEC_EXT_SERVER_NAME) && cbs_len(&ch.server_name) > 0)
        FUZZ_ASSERT(memchr(cbs_data(&ch.server_name), 0, cbs_len(&ch.server_name)) == NULL);
    /* What SSL_client_hello_get0_ext and friends do. */
    it = ch.extensions;
    while (codec_ext_next(&it, &v, &d)) {
        CBS found;
        FUZZ_ASSERT(codec_ext_find(&ch.extensions, v, &found));
        sum += v + (unsigned)cbs_len(&d);
    }
    (void)sum;
    return 0;
}

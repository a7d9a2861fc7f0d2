/* Fuzz target: codec_parse_encrypted_extensions (src/codec/encrypted_extensions.c).
 * Input: an EncryptedExtensions BODY (no type / u24 length header). */
#include "fuzz_common.h"

#include "codec/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CBS body, it;
    CODEC_ENCRYPTED_EXTENSIONS ee;
    uint8_t alert = 0;
    uint16_t v;
    cbs_init(&body, data, size);
    if (!codec_parse_encrypted_extensions(&body, &ee, &alert)) {
        FUZZ_ASSERT(alert != 0);
        ERR_clear_error();
        return 0;
    }
    FUZZ_ASSERT(cbs_len(&body) == 0);
    unsigned sum = 0;
    if (codec_ext_has(ee.ext_present, CODEC_EXT_ALPN)) {
        /* exactly one, non-empty protocol name */
        FUZZ_ASSERT(cbs_len(&ee.alpn_selected) > 0);
        sum += cbs_data(&ee.alpn_selected)[cbs_len(&ee.alpn_selected) - 1];
    }
    it = ee.supported_groups;
    while (codec_u16_list_next(&it, &v))
        sum += v;
    (void)sum;
    return 0;
}

/* ClientHello writer and PSK binder patching, RFC 8446 4.1.2, 4.2.11.2. */
#include <string.h>

#include "codec/codec_internal.h"
#include "codec/hello.h"

/* add_ext opens extension |type|; its data goes into |data|. */
static int add_ext(CBB *exts, uint16_t type, CBB *data)
{
    return cbb_add_u16(exts, type) && cbb_add_u16_prefixed(exts, data);
}

/* add_empty_ext writes extension |type| with empty extension_data. */
static int add_empty_ext(CBB *exts, uint16_t type)
{
    return cbb_add_u16(exts, type) && cbb_add_u16(exts, 0);
}

/* RFC 6066 3: a ServerNameList with one host_name. */
static int write_server_name(CBB *exts, const char *name)
{
    CBB data, list, host;
    size_t len = strlen(name);
    return add_ext(exts, CODEC_EXT_SERVER_NAME, &data) && cbb_add_u16_prefixed(&data, &list) &&
           cbb_add_u8(&list, CODEC_SNI_HOST_NAME) && cbb_add_u16_prefixed(&list, &host) &&
           cbb_add_bytes(&host, (const uint8_t *)name, len) && cbb_flush(exts);
}

/* A u16 list extension (supported_groups, signature_algorithms...). */
static int write_u16_list_ext(CBB *exts, uint16_t type, const uint16_t *v, size_t num)
{
    CBB data;
    return add_ext(exts, type, &data) && codec_write_u16_list(&data, v, num) && cbb_flush(exts);
}

/* RFC 8446 4.2.1: supported_versions with a u8-prefixed list. */
static int write_versions(CBB *exts, const uint16_t *v, size_t num)
{
    CBB data, list;
    if (!add_ext(exts, CODEC_EXT_SUPPORTED_VERSIONS, &data) || !cbb_add_u8_prefixed(&data, &list))
        return 0;
    for (size_t i = 0; i < num; i++) {
        if (!cbb_add_u16(&list, v[i]))
            return 0;
    }
    return cbb_flush(exts);
}

/* RFC 8446 4.2.8: KeyShareClientHello. */
static int write_key_shares(CBB *exts, const CODEC_CLIENT_HELLO_OUT *in)
{
    CBB data, list, kx;
    if (!add_ext(exts, CODEC_EXT_KEY_SHARE, &data) || !cbb_add_u16_prefixed(&data, &list))
        return 0;
    for (size_t i = 0; i < in->num_key_shares; i++) {
        if (!cbb_add_u16(&list, in->key_shares[i].group) || !cbb_add_u16_prefixed(&list, &kx) ||
            !cbb_add_bytes(&kx, in->key_shares[i].pub, in->key_shares[i].pub_len))
            return 0;
    }
    return cbb_flush(exts);
}

/* Length of the pre_shared_key extension, header included, so padding can
 * be sized before it is written. */
static size_t psk_ext_len(const CODEC_CLIENT_HELLO_OUT *in)
{
    size_t n = 4 + 2 + 2; /* ext header, identities and binders prefixes */
    for (size_t i = 0; i < in->num_psks; i++)
        n += 2 + in->psks[i].identity_len + 4 + 1 + in->psks[i].binder_len;
    return n;
}

/* RFC 8446 4.2.11: OfferedPsks with zeroed binders. |msg_start| is the
 * message's first byte in the CBB, for the binders offset. */
static int write_psks(CBB *exts, const CODEC_CLIENT_HELLO_OUT *in, size_t msg_start,
                      size_t *out_binders_offset)
{
    CBB data, ids, id, binders, b;
    uint8_t *p;
    if (!add_ext(exts, CODEC_EXT_PRE_SHARED_KEY, &data) || !cbb_add_u16_prefixed(&data, &ids))
        return 0;
    for (size_t i = 0; i < in->num_psks; i++) {
        if (!cbb_add_u16_prefixed(&ids, &id) ||
            !cbb_add_bytes(&id, in->psks[i].identity, in->psks[i].identity_len) ||
            !cbb_add_u32(&ids, in->psks[i].obfuscated_age))
            return 0;
    }
    if (!cbb_flush(&data))
        return 0;
    /* cbb_len is the shared buffer's length: where the binders start. */
    size_t off = cbb_len(&data) - msg_start;
    if (!cbb_add_u16_prefixed(&data, &binders))
        return 0;
    for (size_t i = 0; i < in->num_psks; i++) {
        if (!cbb_add_u8_prefixed(&binders, &b) || !cbb_add_space(&b, &p, in->psks[i].binder_len))
            return 0;
        memset(p, 0, in->psks[i].binder_len);
    }
    if (out_binders_offset != NULL)
        *out_binders_offset = off;
    return cbb_flush(exts);
}

/* The extensions other than padding and pre_shared_key. */
static int write_main_exts(CBB *exts, const CODEC_CLIENT_HELLO_OUT *in)
{
    CBB data, tmp;
    if (in->server_name != NULL && !write_server_name(exts, in->server_name))
        return 0;
    if (in->ems && !add_empty_ext(exts, CODEC_EXT_EXTENDED_MASTER_SECRET))
        return 0;
    if (in->renegotiation_info && !(add_ext(exts, CODEC_EXT_RENEGOTIATION_INFO, &data) &&
                                    cbb_add_u8(&data, 0) && cbb_flush(exts)))
        return 0;
    if (in->num_groups > 0 &&
        !write_u16_list_ext(exts, CODEC_EXT_SUPPORTED_GROUPS, in->groups, in->num_groups))
        return 0;
    if (in->ec_point_formats && !(add_ext(exts, CODEC_EXT_EC_POINT_FORMATS, &data) &&
                                  cbb_add_u8(&data, 1) && cbb_add_u8(&data, 0) && cbb_flush(exts)))
        return 0;
    if (in->tls12_session_ticket &&
        !(add_ext(exts, CODEC_EXT_SESSION_TICKET, &data) &&
          cbb_add_bytes(&data, in->ticket, in->ticket_len) && cbb_flush(exts)))
        return 0;
    if (in->status_request &&
        !(add_ext(exts, CODEC_EXT_STATUS_REQUEST, &data) && cbb_add_u8(&data, 1 /* ocsp */) &&
          cbb_add_u16(&data, 0) && cbb_add_u16(&data, 0) && cbb_flush(exts)))
        return 0;
    if (in->num_sigalgs > 0 &&
        !write_u16_list_ext(exts, CODEC_EXT_SIGNATURE_ALGORITHMS, in->sigalgs, in->num_sigalgs))
        return 0;
    if (in->num_sigalgs_cert > 0 && !write_u16_list_ext(exts, CODEC_EXT_SIGNATURE_ALGORITHMS_CERT,
                                                        in->sigalgs_cert, in->num_sigalgs_cert))
        return 0;
    if (in->alpn_len > 0 &&
        !(add_ext(exts, CODEC_EXT_ALPN, &data) && cbb_add_u16_prefixed(&data, &tmp) &&
          cbb_add_bytes(&tmp, in->alpn, in->alpn_len) && cbb_flush(exts)))
        return 0;
    if (in->etm && !add_empty_ext(exts, CODEC_EXT_ENCRYPT_THEN_MAC))
        return 0;
    if ((in->num_key_shares > 0 || in->send_key_share) && !write_key_shares(exts, in))
        return 0;
    if (in->psk_ke || in->psk_dhe_ke) {
        if (!add_ext(exts, CODEC_EXT_PSK_KEY_EXCHANGE_MODES, &data) ||
            !cbb_add_u8_prefixed(&data, &tmp) ||
            (in->psk_dhe_ke && !cbb_add_u8(&tmp, CODEC_PSK_DHE_KE)) ||
            (in->psk_ke && !cbb_add_u8(&tmp, CODEC_PSK_KE)) || !cbb_flush(exts))
            return 0;
    }
    if (in->num_versions > 0 && !write_versions(exts, in->versions, in->num_versions))
        return 0;
    if (in->cookie_len > 0 &&
        !(add_ext(exts, CODEC_EXT_COOKIE, &data) && cbb_add_u16_prefixed(&data, &tmp) &&
          cbb_add_bytes(&tmp, in->cookie, in->cookie_len) && cbb_flush(exts)))
        return 0;
    if (in->post_handshake_auth && !add_empty_ext(exts, CODEC_EXT_POST_HANDSHAKE_AUTH))
        return 0;
    if (in->early_data && !add_empty_ext(exts, CODEC_EXT_EARLY_DATA))
        return 0;
    return 1;
}

/* RFC 7685 3: a padding extension of |pad| zero bytes. */
static int write_padding(CBB *exts, size_t pad)
{
    CBB data;
    uint8_t *p;
    if (!add_ext(exts, CODEC_EXT_PADDING, &data) || !cbb_add_space(&data, &p, pad))
        return 0;
    memset(p, 0, pad);
    /* Close |data| before it goes out of scope. */
    return cbb_flush(exts);
}

/* Checks the caller's input for what the wire cannot carry. */
static int check_input(const CODEC_CLIENT_HELLO_OUT *in)
{
    if (in->random == NULL || in->session_id_len > CODEC_MAX_SESSION_ID_LEN ||
        in->num_cipher_suites == 0 || in->num_key_shares > 2 || in->num_psks > 2)
        return 0;
    for (size_t i = 0; i < in->num_key_shares; i++) {
        if (in->key_shares[i].pub_len == 0)
            return 0;
    }
    for (size_t i = 0; i < in->num_psks; i++) {
        if (in->psks[i].binder_len < 32 || in->psks[i].binder_len > 255 ||
            in->psks[i].identity_len == 0)
            return 0;
    }
    return 1;
}

int codec_write_client_hello(CBB *cbb, const CODEC_CLIENT_HELLO_OUT *in, size_t *out_binders_offset)
{
    CBB body, list, exts;
    if (out_binders_offset != NULL)
        *out_binders_offset = 0;
    if (!check_input(in) || !cbb_flush(cbb))
        return CODEC_WRITE_FAIL();
    size_t msg_start = cbb_len(cbb);

    if (!cbb_add_u8(cbb, CODEC_HS_CLIENT_HELLO) || !cbb_add_u24_prefixed(cbb, &body) ||
        !cbb_add_u16(&body, in->legacy_version ? in->legacy_version : CODEC_VERSION_TLS1_2) ||
        !cbb_add_bytes(&body, in->random, CODEC_RANDOM_LEN) || !cbb_add_u8_prefixed(&body, &list) ||
        !cbb_add_bytes(&list, in->session_id, in->session_id_len) ||
        !codec_write_u16_list(&body, in->cipher_suites, in->num_cipher_suites) ||
        /* legacy_compression_methods = [null] */
        !cbb_add_u8(&body, 1) || !cbb_add_u8(&body, 0) || !cbb_add_u16_prefixed(&body, &exts) ||
        !write_main_exts(&exts, in) || !cbb_flush(&exts))
        return CODEC_WRITE_FAIL();

    /* RFC 7685: pad the whole message up to pad_to. A padding extension
     * costs 4 bytes of header, so a short gap overshoots slightly. */
    size_t psk_len = in->num_psks > 0 ? psk_ext_len(in) : 0;
    size_t so_far = cbb_len(cbb) - msg_start + psk_len;
    if (in->pad_to > 0 && so_far < in->pad_to) {
        size_t gap = in->pad_to - so_far;
        if (!write_padding(&exts, gap >= 4 ? gap - 4 : 0))
            return CODEC_WRITE_FAIL();
    }
    if (in->num_psks > 0 && !write_psks(&exts, in, msg_start, out_binders_offset))
        return CODEC_WRITE_FAIL();
    if (!cbb_flush(cbb))
        return CODEC_WRITE_FAIL();
    return 1;
}

int codec_patch_binders(uint8_t *msg, size_t msg_len, size_t binders_offset,
                        const uint8_t *const *binders, const size_t *binder_lens, size_t num)
{
    CBS in, list;
    cbs_init(&in, msg, msg_len);
    if (binders_offset == 0 || !cbs_skip(&in, binders_offset) ||
        !cbs_get_u16_prefixed(&in, &list) || cbs_len(&in) != 0)
        return CODEC_WRITE_FAIL();
    for (size_t i = 0; i < num; i++) {
        CBS b;
        if (!cbs_get_u8_prefixed(&list, &b) || cbs_len(&b) != binder_lens[i])
            return CODEC_WRITE_FAIL();
        /* b views |msg|, which the caller gave us writable. */
        size_t pos = msg_len - cbs_len(&list) - cbs_len(&b);
        memcpy(msg + pos, binders[i], binder_lens[i]);
    }
    if (cbs_len(&list) != 0)
        return CODEC_WRITE_FAIL();
    return 1;
}

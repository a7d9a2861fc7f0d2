/* Unit tests for src/codec: RFC 8448 vectors, round trips, malformed input,
 * truncation and random mutation. main() returns 0 iff all checks pass. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "codec/codec.h"
#include "testutil.h"

/* hex decodes |hex| (whitespace ignored) into a malloc'd buffer. */
static uint8_t *unhex(const char *hex, size_t *out_len)
{
    size_t n = strlen(hex), j = 0;
    uint8_t *out = malloc(n / 2 + 1);
    int hi = -1;
    for (size_t i = 0; i < n; i++) {
        char c = hex[i];
        int v;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        else
            continue;
        if (hi < 0) {
            hi = v;
        } else {
            out[j++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    *out_len = j;
    return out;
}

/* body_of checks a complete message's header (|type|, length) and points
 * |body| at its body. */
static int body_of(const uint8_t *msg, size_t len, uint8_t type, CBS *body)
{
    CBS in;
    uint8_t t;
    cbs_init(&in, msg, len);
    if (!cbs_get_u8(&in, &t) || t != type || !cbs_get_u24_prefixed(&in, body) || cbs_len(&in) != 0)
        return 0;
    return 1;
}

static int cbs_eq_hex(const CBS *cbs, const char *hex)
{
    size_t n;
    uint8_t *b = unhex(hex, &n);
    int ok = cbs_mem_equal(cbs, b, n);
    free(b);
    return ok;
}

static int cbs_eq_str(const CBS *cbs, const char *s)
{
    return cbs_mem_equal(cbs, (const uint8_t *)s, strlen(s));
}

/* ---- RFC 8448 vectors ---- */

/* RFC 8448 3: ClientHello (complete message). */
static const char kRfcCH[] =
    "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef628302"
    "4dece7000006130113031302010000910000000b0009000006736572766572ff010001"
    "00000a00140012001d0017001800190100010101020103010400230000003300260024"
    "001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf"
    "2c002b0003020304000d0020001e040305030603020308040805080604010501060102"
    "010402050206020202002d00020101001c00024001";
/* RFC 8448 3: ServerHello. */
static const char kRfcSH[] =
    "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3"
    "e2692800130100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6"
    "cc253b833df1dd69b1b04e751f0f002b00020304";
/* RFC 8448 3: EncryptedExtensions (carries record_size_limit, which we do
 * not implement, hence never request). */
static const char kRfcEE[] =
    "080000240022000a00140012001d00170018001901000101010201030104001c000240"
    "0100000000";
/* RFC 8448 3: server Finished. */
static const char kRfcFin[] =
    "140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718";
/* RFC 8448 3: NewSessionTicket. */
static const char kRfcNST[] =
    "040000c90000001efad6aac502000000b22c035d829359ee5ff7af4ec900000000262a"
    "6494dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097"
    "a3a982117283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454"
    "a3664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b3f7d"
    "8f92f228bda40dda721470f9fbf297b5aea617646fac5c03272e970727c621a79141ef"
    "5f7de6505e5bfbc388e93343694093934ae4d3570008002a000400000400";
/* RFC 8448 4: resumed ClientHello (prefix up to the binders, then the
 * binders list with the binder computed there). */
static const char kRfcResumedCH[] =
    "010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc419d7876"
    "487d95000006130113031302010001cd0000000b0009000006736572766572ff010001"
    "00000a00140012001d00170018001901000101010201030104003300260024001d0020"
    "e4ffb68ac05f8d96c99da26698346c6be16482badddafe051a66b4f18d668f0b002a00"
    "00002b0003020304000d0020001e040305030603020308040805080604010501060102"
    "010402050206020202002d00020101001c000240010015005700000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000002900dd00b800b22c035d829359ee5ff7af4ec900000000262a6494"
    "dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a9"
    "82117283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a366"
    "4d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b3f7d8f92"
    "f228bda40dda721470f9fbf297b5aea617646fac5c03272e970727c621a79141ef5f7d"
    "e6505e5bfbc388e93343694093934ae4d357fad6aacb"
    "0021203add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d";
/* RFC 8448 5: HelloRetryRequest. */
static const char kRfcHRR[] =
    "020000ac0303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8"
    "a8339c001301000084003300020017002c0074007271dcd04bb88bc3189119398a0000"
    "0000eefafc76c146b823b096f8aacad365dd0030953f4edf625636e5f21bb2e23fcc65"
    "4b1b5b40318d10d137abcbb87574e36e8a1f025f7dfa5d6e50781b5eda4aa15b0c8be7"
    "78257d16aa3030e9e7841dd9e4c0342267e8ca0caf571fb2b7cff0f934b0002b00020304";

static void test_rfc8448_client_hello(void)
{
    size_t len;
    uint8_t *msg = unhex(kRfcCH, &len);
    CBS body;
    CODEC_CLIENT_HELLO ch;
    uint8_t alert = 0;
    CHECK(len == 196);
    CHECK(body_of(msg, len, CODEC_HS_CLIENT_HELLO, &body));
    CHECK(codec_parse_client_hello(&body, &ch, &alert));
    CHECK(cbs_len(&body) == 0);
    CHECK(ch.legacy_version == 0x0303);
    CHECK(cbs_eq_hex(&ch.random, "cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912"
                                 "ec18a2ef6283024dece7"));
    CHECK(cbs_len(&ch.session_id) == 0);
    CHECK(cbs_len(&ch.cipher_suites) == 6);
    CHECK(codec_u16_list_contains(&ch.cipher_suites, CODEC_TLS_AES_128_GCM_SHA256));
    CHECK(codec_u16_list_contains(&ch.cipher_suites, CODEC_TLS_AES_256_GCM_SHA384));
    CHECK(!codec_u16_list_contains(&ch.cipher_suites, 0x1304));
    CHECK(cbs_eq_str(&ch.server_name, "server"));
    CHECK(codec_ch_has(&ch, CODEC_EXT_RENEGOTIATION_INFO));
    CHECK(cbs_len(&ch.renegotiation_info) == 0);
    CHECK(codec_u16_list_contains(&ch.supported_groups, CODEC_GROUP_X25519));
    CHECK(codec_u16_list_contains(&ch.supported_groups, 0x0104)); /* ffdhe */
    CHECK(codec_ch_has(&ch, CODEC_EXT_SESSION_TICKET));
    CHECK(cbs_len(&ch.session_ticket) == 0);
    CHECK(ch.num_key_shares == 1);
    CHECK(ch.key_shares[0].group == CODEC_GROUP_X25519);
    CHECK(cbs_eq_hex(&ch.key_shares[0].key_exchange,
                     "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e"
                     "529aaf2c"));
    CHECK(cbs_len(&ch.supported_versions) == 2);
    CHECK(codec_u16_list_contains(&ch.supported_versions, CODEC_VERSION_TLS1_3));
    CHECK(cbs_len(&ch.sigalgs) == 30);
    CHECK(codec_u16_list_contains(&ch.sigalgs, CODEC_SIG_RSA_PSS_RSAE_SHA256));
    CHECK(cbs_eq_hex(&ch.psk_modes, "01"));
    CHECK(!codec_ch_has(&ch, CODEC_EXT_PRE_SHARED_KEY));
    CHECK(!codec_ch_has(&ch, CODEC_EXT_EARLY_DATA));
    CHECK(ch.num_psks == 0 && !ch.early_data);
    /* record_size_limit (28) is unknown to us: ignored, not recorded. */
    CBS rsl;
    CHECK(codec_ext_find(&ch.extensions, 28, &rsl) && cbs_eq_hex(&rsl, "4001"));

    /* Walk the raw extensions in order. */
    CBS it = ch.extensions, data;
    uint16_t type, order[16];
    size_t n = 0;
    while (n < 16 && codec_ext_next(&it, &type, &data))
        order[n++] = type;
    CHECK(n == 9 && order[0] == 0 && order[1] == 0xff01 && order[8] == 28);
    free(msg);
}

static void test_rfc8448_resumed_client_hello(void)
{
    size_t len;
    uint8_t *msg = unhex(kRfcResumedCH, &len);
    CBS body;
    CODEC_CLIENT_HELLO ch;
    uint8_t alert = 0;
    CHECK(len == 512);
    CHECK(body_of(msg, len, CODEC_HS_CLIENT_HELLO, &body));
    CHECK(codec_parse_client_hello(&body, &ch, &alert));
    CHECK(ch.early_data);
    CHECK(codec_ch_has(&ch, CODEC_EXT_PADDING));
    CHECK(ch.num_psks == 1 && ch.num_psks_on_wire == 1);
    CHECK(cbs_len(&ch.psk_ids[0].identity) == 0xb2);
    CHECK(ch.psk_ids[0].obfuscated_ticket_age == 0xfad6aacb);
    CHECK(cbs_eq_hex(&ch.psk_binders[0], "3add4fb2d8fdf822a0ca3cf7678ef5e88dae99"
                                         "0141c5924d57bb6fa31b9e5f9d"));
    /* RFC 8448 4: the truncated hello hashed for the binder is 477 bytes
     * (header included). */
    CHECK(ch.psk_binders_offset + CODEC_HS_HEADER_LEN == 477);
    free(msg);
}

static void test_rfc8448_server_hello(void)
{
    size_t len;
    uint8_t *msg = unhex(kRfcSH, &len);
    CBS body;
    CODEC_SERVER_HELLO sh;
    uint8_t alert = 0;
    CHECK(body_of(msg, len, CODEC_HS_SERVER_HELLO, &body));
    CHECK(codec_parse_server_hello(&body, &sh, &alert));
    CHECK(!sh.is_hrr);
    CHECK(sh.cipher_suite == CODEC_TLS_AES_128_GCM_SHA256);
    CHECK(sh.compression == 0);
    CHECK(sh.selected_version == CODEC_VERSION_TLS1_3);
    CHECK(sh.key_share.group == CODEC_GROUP_X25519);
    CHECK(cbs_eq_hex(&sh.key_share.key_exchange,
                     "c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b0"
                     "4e751f0f"));
    CHECK(!sh.has_psk);
    CHECK(codec_ext_has(sh.ext_present, CODEC_EXT_KEY_SHARE));
    CHECK(!codec_ext_has(sh.ext_present, CODEC_EXT_COOKIE));
    free(msg);

    msg = unhex(kRfcHRR, &len);
    CHECK(len == 176);
    CHECK(body_of(msg, len, CODEC_HS_SERVER_HELLO, &body));
    CHECK(codec_parse_server_hello(&body, &sh, &alert));
    CHECK(sh.is_hrr);
    CHECK(sh.hrr_group == CODEC_GROUP_SECP256R1);
    CHECK(cbs_len(&sh.cookie) == 0x72);
    CHECK(sh.selected_version == CODEC_VERSION_TLS1_3);
    free(msg);
}

static void test_rfc8448_other(void)
{
    size_t len;
    uint8_t *msg = unhex(kRfcEE, &len);
    CBS body, vd;
    uint8_t alert = 0;
    CODEC_ENCRYPTED_EXTENSIONS ee;
    CHECK(body_of(msg, len, CODEC_HS_ENCRYPTED_EXTENSIONS, &body));
    /* record_size_limit: unknown, so unsolicited. */
    CHECK(!codec_parse_encrypted_extensions(&body, &ee, &alert));
    CHECK(alert == CODEC_ALERT_UNSUPPORTED_EXTENSION);
    free(msg);
    /* The same without record_size_limit (ext block 0x22 -> 0x1c). */
    msg = unhex("0800001e001c000a00140012001d0017001800190100010101020103010400"
                "000000",
                &len);
    CHECK(body_of(msg, len, CODEC_HS_ENCRYPTED_EXTENSIONS, &body));
    CHECK(codec_parse_encrypted_extensions(&body, &ee, &alert));
    CHECK(ee.server_name_ack && !ee.early_data && cbs_len(&ee.alpn_selected) == 0);
    CHECK(codec_u16_list_contains(&ee.supported_groups, CODEC_GROUP_SECP384R1));
    free(msg);

    msg = unhex(kRfcFin, &len);
    CHECK(body_of(msg, len, CODEC_HS_FINISHED, &body));
    CBS copy = body;
    CHECK(!codec_parse_finished(&copy, 48, &vd, &alert));
    CHECK(alert == CODEC_ALERT_DECODE_ERROR);
    CHECK(codec_parse_finished(&body, 32, &vd, &alert));
    CHECK(cbs_len(&vd) == 32);
    free(msg);

    CODEC_NEW_SESSION_TICKET nst;
    msg = unhex(kRfcNST, &len);
    CHECK(body_of(msg, len, CODEC_HS_NEW_SESSION_TICKET, &body));
    CHECK(codec_parse_new_session_ticket(&body, &nst, &alert));
    CHECK(nst.lifetime == 30 && nst.age_add == 0xfad6aac5);
    CHECK(cbs_eq_hex(&nst.nonce, "0000"));
    CHECK(cbs_len(&nst.ticket) == 0xb2);
    CHECK(nst.has_early_data && nst.max_early_data == 0x400);
    free(msg);
}

/* ---- round trips ---- */

static const uint8_t kRandom[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

/* finish_msg flushes |cbb| and gives its bytes (heap, caller frees). */
static uint8_t *finish_msg(CBB *cbb, size_t *len)
{
    uint8_t *out = NULL;
    if (!cbb_finish(cbb, &out, len)) {
        cbb_cleanup(cbb);
        return NULL;
    }
    return out;
}

/* A full-featured ClientHello for round trips and the malformed tests. */
static uint8_t *make_client_hello(size_t *len, size_t *binders_offset, size_t pad_to, int with_psk)
{
    static const uint16_t suites[] = {0x1301, 0x1302, 0x1303};
    static const uint16_t groups[] = {0x001d, 0x0017, 0x0018};
    static const uint16_t sigalgs[] = {0x0403, 0x0804, 0x0807};
    static const uint16_t sigcert[] = {0x0403};
    static const uint16_t versions[] = {0x0304, 0x0303};
    static const uint8_t alpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    static const uint8_t pub1[32] = {0xaa}, pub2[65] = {0x04};
    static const uint8_t sid[32] = {0x55}, cookie[5] = {9, 8, 7, 6, 5};
    static const uint8_t id1[] = "ticket-one", id2[] = "ticket-two-longer";
    static const uint8_t tkt[] = {0xde, 0xad};
    CODEC_CLIENT_HELLO_OUT in;
    memset(&in, 0, sizeof(in));
    in.random = kRandom;
    in.session_id = sid;
    in.session_id_len = sizeof(sid);
    in.cipher_suites = suites;
    in.num_cipher_suites = 3;
    in.server_name = "example.com";
    in.groups = groups;
    in.num_groups = 3;
    in.sigalgs = sigalgs;
    in.num_sigalgs = 3;
    in.sigalgs_cert = sigcert;
    in.num_sigalgs_cert = 1;
    in.versions = versions;
    in.num_versions = 2;
    in.alpn = alpn;
    in.alpn_len = sizeof(alpn);
    in.key_shares[0].group = 0x001d;
    in.key_shares[0].pub = pub1;
    in.key_shares[0].pub_len = sizeof(pub1);
    in.key_shares[1].group = 0x0017;
    in.key_shares[1].pub = pub2;
    in.key_shares[1].pub_len = sizeof(pub2);
    in.num_key_shares = 2;
    in.cookie = cookie;
    in.cookie_len = sizeof(cookie);
    in.psk_ke = 1;
    in.psk_dhe_ke = 1;
    in.post_handshake_auth = 1;
    in.early_data = with_psk;
    in.tls12_session_ticket = 1;
    in.ticket = tkt;
    in.ticket_len = sizeof(tkt);
    in.ems = 1;
    in.etm = 1;
    in.renegotiation_info = 1;
    in.ec_point_formats = 1;
    in.status_request = 1;
    in.pad_to = pad_to;
    if (with_psk) {
        in.psks[0].identity = id1;
        in.psks[0].identity_len = sizeof(id1) - 1;
        in.psks[0].obfuscated_age = 0x01020304;
        in.psks[0].binder_len = 32;
        in.psks[1].identity = id2;
        in.psks[1].identity_len = sizeof(id2) - 1;
        in.psks[1].obfuscated_age = 0xfffffffe;
        in.psks[1].binder_len = 48;
        in.num_psks = 2;
    }
    CBB cbb;
    if (!cbb_init(&cbb, 64))
        return NULL;
    /* Prefix junk: offsets must be relative to the message, not the CBB. */
    if (!cbb_add_u8(&cbb, 0x77)) {
        cbb_cleanup(&cbb);
        return NULL;
    }
    if (!codec_write_client_hello(&cbb, &in, binders_offset)) {
        cbb_cleanup(&cbb);
        return NULL;
    }
    uint8_t *raw = finish_msg(&cbb, len);
    if (raw == NULL)
        return NULL;
    *len -= 1;
    memmove(raw, raw + 1, *len);
    return raw;
}

static void test_client_hello_round_trip(void)
{
    size_t len, off;
    uint8_t *msg = make_client_hello(&len, &off, 0, 1);
    CBS body;
    CODEC_CLIENT_HELLO ch;
    uint8_t alert = 0;
    CHECK(msg != NULL);
    if (msg == NULL)
        return;
    CHECK(body_of(msg, len, CODEC_HS_CLIENT_HELLO, &body));
    CHECK(codec_parse_client_hello(&body, &ch, &alert));
    CHECK(cbs_mem_equal(&ch.random, kRandom, 32));
    CHECK(cbs_len(&ch.session_id) == 32);
    CHECK(cbs_eq_hex(&ch.cipher_suites, "130113021303"));
    CHECK(cbs_eq_hex(&ch.compression_methods, "00"));
    CHECK(cbs_eq_str(&ch.server_name, "example.com"));
    CHECK(cbs_eq_hex(&ch.supported_groups, "001d00170018"));
    CHECK(cbs_eq_hex(&ch.sigalgs, "040308040807"));
    CHECK(cbs_eq_hex(&ch.sigalgs_cert, "0403"));
    CHECK(cbs_eq_hex(&ch.supported_versions, "03040303"));
    CHECK(cbs_eq_hex(&ch.alpn, "026832 08687474702f312e31"));
    CHECK(ch.num_key_shares == 2 && ch.key_shares[0].group == 0x001d &&
          cbs_len(&ch.key_shares[0].key_exchange) == 32 && ch.key_shares[1].group == 0x0017 &&
          cbs_len(&ch.key_shares[1].key_exchange) == 65);
    CHECK(cbs_eq_hex(&ch.cookie, "0908070605"));
    CHECK(cbs_len(&ch.psk_modes) == 2);
    CHECK(ch.post_handshake_auth && ch.early_data && ch.extended_master_secret &&
          ch.encrypt_then_mac && ch.status_request);
    CHECK(cbs_eq_hex(&ch.session_ticket, "dead"));
    CHECK(codec_ch_has(&ch, CODEC_EXT_RENEGOTIATION_INFO) && cbs_len(&ch.renegotiation_info) == 0);
    CHECK(cbs_eq_hex(&ch.ec_point_formats, "00"));
    CHECK(ch.num_psks == 2);
    CHECK(cbs_eq_str(&ch.psk_ids[0].identity, "ticket-one"));
    CHECK(ch.psk_ids[0].obfuscated_ticket_age == 0x01020304);
    CHECK(cbs_eq_str(&ch.psk_ids[1].identity, "ticket-two-longer"));
    CHECK(ch.psk_ids[1].obfuscated_ticket_age == 0xfffffffe);
    CHECK(cbs_len(&ch.psk_binders[0]) == 32 && cbs_len(&ch.psk_binders[1]) == 48);
    CHECK(off != 0 && off == ch.psk_binders_offset + CODEC_HS_HEADER_LEN);
    CHECK(!codec_ch_has(&ch, CODEC_EXT_PADDING));

    /* Patch the binders, re-parse, see them. */
    uint8_t b1[32], b2[48];
    memset(b1, 0x11, sizeof(b1));
    memset(b2, 0x22, sizeof(b2));
    const uint8_t *bs[2] = {b1, b2};
    size_t bl[2] = {32, 48}, bad[2] = {32, 32};
    CHECK(!codec_patch_binders(msg, len, off, bs, bad, 2));
    CHECK(codec_patch_binders(msg, len, off, bs, bl, 2));
    CHECK(body_of(msg, len, CODEC_HS_CLIENT_HELLO, &body));
    CHECK(codec_parse_client_hello(&body, &ch, &alert));
    CHECK(cbs_mem_equal(&ch.psk_binders[0], b1, 32));
    CHECK(cbs_mem_equal(&ch.psk_binders[1], b2, 48));
    free(msg);

    /* Padding to 512 bytes, with and without PSK. */
    for (int psk = 0; psk <= 1; psk++) {
        msg = make_client_hello(&len, &off, 512, psk);
        CHECK(msg != NULL && len == 512);
        if (msg == NULL)
            continue;
        CHECK(body_of(msg, len, CODEC_HS_CLIENT_HELLO, &body));
        CHECK(codec_parse_client_hello(&body, &ch, &alert));
        CHECK(codec_ch_has(&ch, CODEC_EXT_PADDING));
        CHECK(!psk || off == ch.psk_binders_offset + CODEC_HS_HEADER_LEN);
        free(msg);
    }

    /* A minimal, TLS 1.2-style hello: no extensions at all on the wire. */
    static const uint8_t minimal[] = {0x03, 0x03, 1,    2,    3,    4,    5,    6,   7,  8,  9,
                                      10,   11,   12,   13,   14,   15,   16,   17,  18, 19, 20,
                                      21,   22,   23,   24,   25,   26,   27,   28,  29, 30, 31,
                                      32,   0x00, 0x00, 0x02, 0xc0, 0x2f, 0x01, 0x00};
    cbs_init(&body, minimal, sizeof(minimal));
    CHECK(codec_parse_client_hello(&body, &ch, &alert));
    CHECK(ch.ext_present == 0 && cbs_len(&ch.supported_versions) == 0);
}

static void test_server_hello_round_trip(void)
{
    static const uint8_t pub[32] = {7}, sid[3] = {1, 2, 3}, cookie[4] = {4};
    CODEC_SERVER_HELLO_OUT in;
    CODEC_SERVER_HELLO sh;
    CBB cbb;
    CBS body;
    size_t len;
    uint8_t *msg, alert = 0;

    memset(&in, 0, sizeof(in));
    in.random = kRandom;
    in.session_id = sid;
    in.session_id_len = 3;
    in.cipher_suite = 0x1302;
    in.version = CODEC_VERSION_TLS1_3;
    in.key_share_group = 0x001d;
    in.key_share_pub = pub;
    in.key_share_pub_len = 32;
    in.has_psk = 1;
    in.psk_identity = 1;
    CHECK(cbb_init(&cbb, 0) && codec_write_server_hello(&cbb, &in));
    msg = finish_msg(&cbb, &len);
    CHECK(body_of(msg, len, CODEC_HS_SERVER_HELLO, &body));
    CHECK(codec_parse_server_hello(&body, &sh, &alert));
    CHECK(!sh.is_hrr && sh.cipher_suite == 0x1302 && sh.selected_version == 0x0304 &&
          sh.key_share.group == 0x001d && cbs_mem_equal(&sh.key_share.key_exchange, pub, 32) &&
          sh.has_psk && sh.psk_identity == 1 && cbs_mem_equal(&sh.session_id_echo, sid, 3) &&
          cbs_mem_equal(&sh.random, kRandom, 32));
    free(msg);

    /* HelloRetryRequest. */
    memset(&in, 0, sizeof(in));
    in.is_hrr = 1;
    in.cipher_suite = 0x1301;
    in.version = CODEC_VERSION_TLS1_3;
    in.hrr_group = 0x0018;
    in.cookie = cookie;
    in.cookie_len = 4;
    CHECK(cbb_init(&cbb, 0) && codec_write_server_hello(&cbb, &in));
    msg = finish_msg(&cbb, &len);
    CHECK(body_of(msg, len, CODEC_HS_SERVER_HELLO, &body));
    CHECK(codec_parse_server_hello(&body, &sh, &alert));
    CHECK(sh.is_hrr && sh.hrr_group == 0x0018 && cbs_mem_equal(&sh.cookie, cookie, 4) &&
          sh.selected_version == 0x0304);
    CHECK(cbs_mem_equal(&sh.random, CODEC_HRR_RANDOM, 32));
    free(msg);

    /* TLS 1.2 ServerHello. */
    memset(&in, 0, sizeof(in));
    in.random = kRandom;
    in.cipher_suite = 0xc02f;
    in.renegotiation_info = in.ems = in.etm = in.session_ticket = 1;
    in.server_name_ack = in.status_request = in.ec_point_formats = 1;
    in.alpn = (const uint8_t *)"h2";
    in.alpn_len = 2;
    CHECK(cbb_init(&cbb, 0) && codec_write_server_hello(&cbb, &in));
    msg = finish_msg(&cbb, &len);
    CHECK(body_of(msg, len, CODEC_HS_SERVER_HELLO, &body));
    CHECK(codec_parse_server_hello(&body, &sh, &alert));
    CHECK(!sh.is_hrr && sh.selected_version == 0 && sh.cipher_suite == 0xc02f);
    CHECK(sh.ems && sh.etm && sh.session_ticket && sh.server_name_ack && sh.status_request);
    CHECK(codec_ext_has(sh.ext_present, CODEC_EXT_RENEGOTIATION_INFO) &&
          cbs_len(&sh.renegotiation_info) == 0);
    CHECK(cbs_eq_str(&sh.alpn_selected, "h2"));
    CHECK(cbs_eq_hex(&sh.ec_point_formats, "00"));
    free(msg);
}

static void test_other_round_trips(void)
{
    CBB cbb;
    CBS body, vd;
    size_t len;
    uint8_t *msg, alert = 0;

    /* EncryptedExtensions. */
    static const uint16_t groups[] = {0x001d, 0x0017};
    CODEC_ENCRYPTED_EXTENSIONS_OUT eo = {(const uint8_t *)"http/1.1", 8, 1, 1, groups, 2};
    CODEC_ENCRYPTED_EXTENSIONS ee;
    CHECK(cbb_init(&cbb, 0) && codec_write_encrypted_extensions(&cbb, &eo));
    msg = finish_msg(&cbb, &len);
    CHECK(body_of(msg, len, CODEC_HS_ENCRYPTED_EXTENSIONS, &body));
    CHECK(codec_parse_encrypted_extensions(&body, &ee, &alert));
    CHECK(cbs_eq_str(&ee.alpn_selected, "http/1.1") && ee.server_name_ack && ee.early_data &&
          cbs_eq_hex(&ee.supported_groups, "001d0017"));
    free(msg);

    /* CertificateRequest. */
    static const uint16_t sigalgs[] = {0x0804, 0x0403};
    static const uint8_t ca1[] = {0x30, 0x03, 1, 2, 3}, ca2[] = {0x30, 0};
    const uint8_t *cas[] = {ca1, ca2};
    size_t ca_lens[] = {sizeof(ca1), sizeof(ca2)};
    CODEC_CERTIFICATE_REQUEST cr;
    CHECK(cbb_init(&cbb, 0) && codec_write_certificate_request(&cbb, (const uint8_t *)"ctx", 3,
                                                               sigalgs, 2, cas, ca_lens, 2));
    msg = finish_msg(&cbb, &len);
    CHECK(body_of(msg, len, CODEC_HS_CERTIFICATE_REQUEST, &body));
    CHECK(codec_parse_certificate_request(&body, &cr, &alert));
    CHECK(cbs_eq_str(&cr.context, "ctx") && cbs_eq_hex(&cr.sigalgs, "08040403"));
    CHECK(cbs_eq_hex(&cr.certificate_authorities, "0005300301020300023000"));
    CHECK(cbs_len(&cr.sigalgs_cert) == 0);
    free(msg);
    /* Without signature_algorithms: missing_extension. */
    uint8_t *m2 = unhex("000000", &len); /* empty context, empty exts */
    cbs_init(&body, m2, len);
    CHECK(!codec_parse_certificate_request(&body, &cr, &alert));
    CHECK(alert == CODEC_ALERT_MISSING_EXTENSION);
    free(m2);

    /* Certificate. */
    static const uint8_t c1[] = {0x30, 0x82, 1, 2}, c2[] = {0x30, 0x01, 0xff};
    const uint8_t *ders[] = {c1, c2};
    size_t der_lens[] = {sizeof(c1), sizeof(c2)};
    CODEC_CERTIFICATE ct;
    CHECK(cbb_init(&cbb, 0) && codec_write_certificate(&cbb, NULL, 0, ders, der_lens, 2));
    msg = finish_msg(&cbb, &len);
    CHECK(body_of(msg, len, CODEC_HS_CERTIFICATE, &body));
    CHECK(codec_parse_certificate(&body, &ct, &alert));
    CHECK(ct.num_certs == 2 && cbs_len(&ct.context) == 0);
    CBS list = ct.certificate_list, der, exts;
    CHECK(codec_cert_next(&list, &der, &exts) && cbs_mem_equal(&der, c1, 4) && cbs_len(&exts) == 0);
    CHECK(codec_cert_next(&list, &der, &exts) && cbs_mem_equal(&der, c2, 3));
    CHECK(!codec_cert_next(&list, &der, &exts));
    free(msg);
    /* Empty certificate list (client without a certificate). */
    CHECK(cbb_init(&cbb, 0) &&
          codec_write_certificate(&cbb, (const uint8_t *)"c", 1, NULL, NULL, 0));
    msg = finish_msg(&cbb, &len);
    CHECK(body_of(msg, len, CODEC_HS_CERTIFICATE, &body));
    CHECK(codec_parse_certificate(&body, &ct, &alert) && ct.num_certs == 0);
    free(msg);

    /* CertificateVerify. */
    CODEC_CERTIFICATE_VERIFY cv;
    CHECK(cbb_init(&cbb, 0) &&
          codec_write_certificate_verify(&cbb, 0x0804, (const uint8_t *)"sig", 3));
    msg = finish_msg(&cbb, &len);
    CHECK(body_of(msg, len, CODEC_HS_CERTIFICATE_VERIFY, &body));
    CHECK(codec_parse_certificate_verify(&body, &cv, &alert));
    CHECK(cv.sigalg == 0x0804 && cbs_eq_str(&cv.signature, "sig"));
    free(msg);

    uint8_t content[CODEC_CV_MAX_SIGNED_CONTENT], hash[48];
    size_t clen;
    memset(hash, 0xab, sizeof(hash));
    CHECK(codec_cv_signed_content(content, sizeof(content), &clen, 1, hash, 48));
    CHECK(clen == 64 + 33 + 1 + 48);
    CHECK(content[0] == 0x20 && content[63] == 0x20);
    CHECK(memcmp(content + 64, "TLS 1.3, server CertificateVerify", 33) == 0);
    CHECK(content[97] == 0 && content[98] == 0xab);
    CHECK(codec_cv_signed_content(content, sizeof(content), &clen, 0, hash, 32));
    CHECK(memcmp(content + 64, "TLS 1.3, client CertificateVerify", 33) == 0);
    CHECK(!codec_cv_signed_content(content, 100, &clen, 0, hash, 32));
    ERR_clear_error();

    /* Finished. */
    uint8_t v[32];
    memset(v, 0x5a, 32);
    CHECK(cbb_init(&cbb, 0) && codec_write_finished(&cbb, v, 32));
    msg = finish_msg(&cbb, &len);
    CHECK(body_of(msg, len, CODEC_HS_FINISHED, &body));
    CHECK(codec_parse_finished(&body, 32, &vd, &alert) && cbs_mem_equal(&vd, v, 32));
    free(msg);

    /* NewSessionTicket, with and without early_data. */
    CODEC_NEW_SESSION_TICKET nst;
    for (int ed = 0; ed <= 1; ed++) {
        CHECK(cbb_init(&cbb, 0) &&
              codec_write_new_session_ticket(&cbb, 7200, 0x12345678, (const uint8_t *)"\x00\x01", 2,
                                             (const uint8_t *)"TICKET", 6, ed, 16384));
        msg = finish_msg(&cbb, &len);
        CHECK(body_of(msg, len, CODEC_HS_NEW_SESSION_TICKET, &body));
        CHECK(codec_parse_new_session_ticket(&body, &nst, &alert));
        CHECK(nst.lifetime == 7200 && nst.age_add == 0x12345678 && cbs_eq_hex(&nst.nonce, "0001") &&
              cbs_eq_str(&nst.ticket, "TICKET") && nst.has_early_data == ed &&
              nst.max_early_data == (ed ? 16384u : 0u));
        free(msg);
    }

    /* KeyUpdate. */
    uint8_t req = 9;
    CHECK(cbb_init(&cbb, 0) && codec_write_key_update(&cbb, 1));
    msg = finish_msg(&cbb, &len);
    CHECK(body_of(msg, len, CODEC_HS_KEY_UPDATE, &body));
    CHECK(codec_parse_key_update(&body, &req, &alert) && req == 1);
    free(msg);
}

/* ---- malformed input ---- */

/* expect_parse: |parse| of the body |hex| returns |ok|, else |want_alert|. */
static void expect_parse(int (*parse)(CBS *, uint8_t *), const char *hex, int ok,
                         uint8_t want_alert, int line)
{
    size_t len;
    uint8_t *b = unhex(hex, &len);
    CBS body;
    uint8_t alert = 0;
    cbs_init(&body, b, len);
    int r = parse(&body, &alert);
    test_checks++;
    if (r != ok || (!ok && alert != want_alert)) {
        fprintf(stderr, "line %d: parse returned %d alert %u, wanted %d/%u\n", line, r, alert, ok,
                want_alert);
        test_failures++;
    }
    ERR_clear_error();
    free(b);
}

static int p_ch(CBS *b, uint8_t *a)
{
    CODEC_CLIENT_HELLO ch;
    return codec_parse_client_hello(b, &ch, a);
}
static int p_sh(CBS *b, uint8_t *a)
{
    CODEC_SERVER_HELLO sh;
    return codec_parse_server_hello(b, &sh, a);
}
static int p_ee(CBS *b, uint8_t *a)
{
    CODEC_ENCRYPTED_EXTENSIONS ee;
    return codec_parse_encrypted_extensions(b, &ee, a);
}
static int p_cr(CBS *b, uint8_t *a)
{
    CODEC_CERTIFICATE_REQUEST cr;
    return codec_parse_certificate_request(b, &cr, a);
}
static int p_ct(CBS *b, uint8_t *a)
{
    CODEC_CERTIFICATE ct;
    return codec_parse_certificate(b, &ct, a);
}
static int p_cv(CBS *b, uint8_t *a)
{
    CODEC_CERTIFICATE_VERIFY cv;
    return codec_parse_certificate_verify(b, &cv, a);
}
static int p_nst(CBS *b, uint8_t *a)
{
    CODEC_NEW_SESSION_TICKET nst;
    return codec_parse_new_session_ticket(b, &nst, a);
}
static int p_ku(CBS *b, uint8_t *a)
{
    uint8_t r;
    return codec_parse_key_update(b, &r, a);
}

/* A ClientHello body up to and including the compression methods. */
#define CH_HEAD                                                                                    \
    "0303 0000000000000000000000000000000000000000000000000000000000000000"                        \
    "00 0002 1301 0100"
#define SH_HEAD                                                                                    \
    "0303 1111111111111111111111111111111111111111111111111111111111111111"                        \
    "00 1301 00"

#define OK      1, 0
#define DECODE  0, CODEC_ALERT_DECODE_ERROR
#define ILLEGAL 0, CODEC_ALERT_ILLEGAL_PARAMETER
#define UNSUPP  0, CODEC_ALERT_UNSUPPORTED_EXTENSION

static void test_malformed(void)
{
    /* Sanity: the heads themselves. */
    expect_parse(p_ch, CH_HEAD "0000", OK, __LINE__);
    expect_parse(p_ch, CH_HEAD, OK, __LINE__);
    /* Trailing bytes. */
    expect_parse(p_ch, CH_HEAD "0000 00", DECODE, __LINE__);
    expect_parse(p_ch, CH_HEAD "00", DECODE, __LINE__);
    /* session_id of 33 bytes. */
    expect_parse(p_ch,
                 "0303 00000000000000000000000000000000000000000000000000"
                 "00000000000000 21 000000000000000000000000000000000000"
                 "000000000000000000000000000000 0002 1301 0100 0000",
                 ILLEGAL, __LINE__);
    /* Odd and empty cipher suites, empty compression methods. */
    expect_parse(p_ch,
                 "0303 00000000000000000000000000000000000000000000000000"
                 "00000000000000 00 0003 130113 0100 0000",
                 DECODE, __LINE__);
    expect_parse(p_ch,
                 "0303 00000000000000000000000000000000000000000000000000"
                 "00000000000000 00 0000 0100 0000",
                 DECODE, __LINE__);
    expect_parse(p_ch,
                 "0303 00000000000000000000000000000000000000000000000000"
                 "00000000000000 00 0002 1301 00 0000",
                 DECODE, __LINE__);
    /* Bad inner length: supported_groups list length 4 in a 4-byte ext. */
    expect_parse(p_ch, CH_HEAD "0008 000a 0004 0004 001d", DECODE, __LINE__);
    /* Extension data longer than the block. */
    expect_parse(p_ch, CH_HEAD "0004 000a 0010", DECODE, __LINE__);
    /* Leftover bytes inside an extension (ems must be empty). */
    expect_parse(p_ch, CH_HEAD "0005 0017 0001 00", DECODE, __LINE__);
    /* Duplicated known extension. */
    expect_parse(p_ch, CH_HEAD "0008 0017 0000 0017 0000", ILLEGAL, __LINE__);
    /* Duplicated unknown extension. */
    expect_parse(p_ch, CH_HEAD "0008 abcd 0000 abcd 0000", ILLEGAL, __LINE__);
    /* Duplicated unknown extension after more than 64 distinct unknown ones
     * (past the short list of types seen), and the same without the duplicate. */
    {
        static char hex[2 * 1024];
        for (int dup = 0; dup < 2; dup++) {
            size_t n = 71 - (size_t)(1 - dup);
            size_t o = (size_t)snprintf(hex, sizeof(hex), CH_HEAD "%04zx", 4 * n);
            for (size_t i = 0; i < 70; i++)
                o += (size_t)snprintf(hex + o, sizeof(hex) - o, "%04zx0000", 0xa000 + i);
            if (dup)
                o += (size_t)snprintf(hex + o, sizeof(hex) - o, "%04x0000", 0xa045);
            if (dup)
                expect_parse(p_ch, hex, ILLEGAL, __LINE__);
            else
                expect_parse(p_ch, hex, OK, __LINE__);
        }
    }
    /* Unknown extension in ClientHello: ignored. */
    expect_parse(p_ch, CH_HEAD "0009 abcd 0001 ff 0017 0000", OK, __LINE__);
    /* pre_shared_key not last (RFC 8446 4.2.11). */
    expect_parse(p_ch,
                 CH_HEAD "003d 0029 0035 0010 000a 6964656e746974793031 "
                         "00000001 0021 20 "
                         "0000000000000000000000000000000000000000000000000000000000000000"
                         "0017 0000",
                 ILLEGAL, __LINE__);
    /* ... and the same with pre_shared_key last parses. */
    expect_parse(p_ch,
                 CH_HEAD "003d 0017 0000 0029 0035 0010 000a "
                         "6964656e746974793031 00000001 0021 20 "
                         "0000000000000000000000000000000000000000000000000000000000000000",
                 OK, __LINE__);
    /* A lone pre_shared_key parses. */
    expect_parse(p_ch,
                 CH_HEAD "0039 0029 0035 0010 000a 6964656e746974793031 "
                         "00000001 0021 20 "
                         "0000000000000000000000000000000000000000000000000000000000000000",
                 OK, __LINE__);
    /* Binder count differs from identity count. */
    expect_parse(p_ch,
                 CH_HEAD "005a 0029 0056 0010 000a 6964656e746974793031 "
                         "00000001 0042 20 "
                         "0000000000000000000000000000000000000000000000000000000000000000"
                         "20 "
                         "0000000000000000000000000000000000000000000000000000000000000000",
                 ILLEGAL, __LINE__);
    /* Binder shorter than 32 bytes. */
    expect_parse(p_ch, CH_HEAD "0018 0029 0014 000a 0004 61626364 00000001 0004 03 000000", DECODE,
                 __LINE__);
    /* key_share with a duplicated group. */
    expect_parse(p_ch, CH_HEAD "0012 0033 000e 000c 001d 0002 aaaa 001d 0002 bbbb", ILLEGAL,
                 __LINE__);
    /* key_share with an empty key_exchange. */
    expect_parse(p_ch, CH_HEAD "000a 0033 0006 0004 001d 0000", DECODE, __LINE__);
    /* More than CODEC_MAX_KEY_SHARES shares: extra ones ignored. */
    expect_parse(p_ch,
                 CH_HEAD "0033 0033 002f 002d"
                         "0001 0001 aa 0002 0001 aa 0003 0001 aa 0004 0001 aa"
                         "0005 0001 aa 0006 0001 aa 0007 0001 aa 0008 0001 aa"
                         "0009 0001 aa",
                 OK, __LINE__);
    /* server_name with a NUL byte, empty host name, two host names. */
    expect_parse(p_ch, CH_HEAD "000c 0000 0008 0006 00 0003 610062", ILLEGAL, __LINE__);
    expect_parse(p_ch, CH_HEAD "0009 0000 0005 0003 00 0000", DECODE, __LINE__);
    expect_parse(p_ch, CH_HEAD "0010 0000 000c 000a 00 0002 6162 00 0002 6364", ILLEGAL, __LINE__);
    /* ALPN with an empty protocol name. */
    expect_parse(p_ch, CH_HEAD "000a 0010 0006 0004 02 6832 00", DECODE, __LINE__);
    /* supported_versions with an odd length. */
    expect_parse(p_ch, CH_HEAD "0008 002b 0004 03 030403", DECODE, __LINE__);
    /* early_data with contents. */
    expect_parse(p_ch, CH_HEAD "0005 002a 0001 00", DECODE, __LINE__);

    /* ServerHello: forbidden (known, not for TLS 1.3 SH) and unknown. */
    expect_parse(p_sh, SH_HEAD "000a 002b 0002 0304 0000 0000", ILLEGAL, __LINE__);
    expect_parse(p_sh, SH_HEAD "000a 002b 0002 0304 abcd 0000", UNSUPP, __LINE__);
    expect_parse(p_sh, SH_HEAD "0004 abcd 0000", UNSUPP, __LINE__);
    /* TLS 1.3 ServerHello with a cookie (HRR only). */
    expect_parse(p_sh, SH_HEAD "000d 002b 0002 0304 002c 0003 0001 aa", ILLEGAL, __LINE__);
    /* TLS 1.2 ServerHello with key_share. */
    expect_parse(p_sh, SH_HEAD "0008 0033 0004 001d 0000", ILLEGAL, __LINE__);
    /* TLS 1.2 ServerHello with server_name ack is fine; trailing bytes not. */
    expect_parse(p_sh, SH_HEAD "0004 0000 0000", OK, __LINE__);
    expect_parse(p_sh, SH_HEAD "0004 0000 0000 00", DECODE, __LINE__);
    expect_parse(p_sh, SH_HEAD, OK, __LINE__);
    /* Duplicate supported_versions. */
    expect_parse(p_sh, SH_HEAD "000c 002b 0002 0304 002b 0002 0304", ILLEGAL, __LINE__);
    /* HRR carrying a pre_shared_key. */
    expect_parse(p_sh,
                 "0303 cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2"
                 "c8a8339c 00 1301 00 000c 002b 0002 0304 0029 0002 0000",
                 ILLEGAL, __LINE__);
    /* ALPN in a TLS 1.2 ServerHello with two names. */
    expect_parse(p_sh, SH_HEAD "000c 0010 0008 0006 02 6832 02 6833", DECODE, __LINE__);

    /* EncryptedExtensions: unknown is unsupported; forbidden is illegal. */
    expect_parse(p_ee, "0004 abcd 0000", UNSUPP, __LINE__);
    expect_parse(p_ee, "0006 0033 0002 001d", ILLEGAL, __LINE__);
    expect_parse(p_ee, "0000", OK, __LINE__);
    expect_parse(p_ee, "0000 00", DECODE, __LINE__);
    expect_parse(p_ee, "", DECODE, __LINE__);
    expect_parse(p_ee, "0004 002a 0000", OK, __LINE__);

    /* CertificateRequest: unknown ignored; key_share forbidden. */
    expect_parse(p_cr, "00 000e 000d 0004 0002 0804 abcd 0002 0102", OK, __LINE__);
    expect_parse(p_cr, "00 000e 000d 0004 0002 0804 0033 0002 0102", ILLEGAL, __LINE__);
    expect_parse(p_cr, "00 0008 000d 0004 0002 0804 00", DECODE, __LINE__);

    /* Certificate: empty cert_data, extension rules inside entries. */
    expect_parse(p_ct, "00 000005 000000 0000", DECODE, __LINE__);
    expect_parse(p_ct, "00 00000a 000001 aa 0004 abcd 0000", OK, __LINE__);
    expect_parse(p_ct, "00 00000a 000001 aa 0004 0000 0000", ILLEGAL, __LINE__);
    expect_parse(p_ct, "00 00000e 000001 aa 0008 0012 0000 0012 0000", ILLEGAL, __LINE__);
    expect_parse(p_ct, "00 00000a 000001 aa 0004 0012 0000", OK, __LINE__);
    expect_parse(p_ct, "00 000006 000001 aa 0000 00", DECODE, __LINE__);

    /* CertificateVerify trailing byte. */
    expect_parse(p_cv, "0804 0001 aa", OK, __LINE__);
    expect_parse(p_cv, "0804 0001 aa bb", DECODE, __LINE__);

    /* NewSessionTicket: empty ticket, lifetime over 7 days, bad early_data. */
    expect_parse(p_nst, "00000001 00000002 00 0000 0000", DECODE, __LINE__);
    expect_parse(p_nst, "00093a81 00000002 00 0001 aa 0000", ILLEGAL, __LINE__);
    expect_parse(p_nst, "00093a80 00000002 00 0001 aa 0000", OK, __LINE__);
    expect_parse(p_nst, "00000001 00000002 00 0001 aa 0006 002a 0002 0000", DECODE, __LINE__);
    expect_parse(p_nst, "00000001 00000002 00 0001 aa 0004 abcd 0000", OK, __LINE__);
    expect_parse(p_nst, "00000001 00000002 00 0001 aa 0004 0033 0000", ILLEGAL, __LINE__);

    /* KeyUpdate. */
    expect_parse(p_ku, "00", OK, __LINE__);
    expect_parse(p_ku, "01", OK, __LINE__);
    expect_parse(p_ku, "02", ILLEGAL, __LINE__);
    expect_parse(p_ku, "", DECODE, __LINE__);
    expect_parse(p_ku, "0000", DECODE, __LINE__);
}

/* Every strict prefix of a valid ClientHello body fails with decode_error,
 * except the one cut right after compression_methods (a valid hello with no
 * extensions, RFC 5246 7.4.1.2). */
static void test_truncation(void)
{
    size_t len, off;
    uint8_t *msg = make_client_hello(&len, &off, 0, 1);
    CHECK(msg != NULL);
    if (msg == NULL)
        return;
    const uint8_t *body = msg + CODEC_HS_HEADER_LEN;
    size_t body_len = len - CODEC_HS_HEADER_LEN;
    /* version 2 + random 32 + sid 1+32 + suites 2+6 + compression 1+1. */
    size_t no_ext_len = 2 + 32 + 33 + 8 + 2;
    size_t bad = 0;
    for (size_t n = 0; n < body_len; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exact size: ASan sees overreads */
        memcpy(copy, body, n);
        CBS cbs;
        CODEC_CLIENT_HELLO ch;
        uint8_t alert = 0;
        cbs_init(&cbs, copy, n);
        int r = codec_parse_client_hello(&cbs, &ch, &alert);
        if (n == no_ext_len ? !r : (r || alert != CODEC_ALERT_DECODE_ERROR))
            bad++;
        free(copy);
    }
    ERR_clear_error();
    CHECK(bad == 0);
    free(msg);

    /* Same for the RFC 8448 ServerHello. */
    msg = unhex(kRfcSH, &len);
    bad = 0;
    for (size_t n = 0; n < len - 4; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, msg + 4, n);
        CBS cbs;
        CODEC_SERVER_HELLO sh;
        uint8_t alert = 0;
        cbs_init(&cbs, copy, n);
        int r = codec_parse_server_hello(&cbs, &sh, &alert);
        if (n == 38 ? !r : (r || alert != CODEC_ALERT_DECODE_ERROR))
            bad++;
        free(copy);
    }
    ERR_clear_error();
    CHECK(bad == 0);
    free(msg);
}

/* xorshift64: deterministic PRNG for the mutation loop. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* mutate_and_parse applies a few random edits to |src| and runs |parse|. */
static void mutate_and_parse(const uint8_t *src, size_t len, int iterations,
                             int (*parse)(CBS *, uint8_t *))
{
    for (int i = 0; i < iterations; i++) {
        size_t n = len;
        uint8_t *buf = malloc(len + 8);
        memcpy(buf, src, len);
        int edits = 1 + (int)(rng() % 4);
        for (int e = 0; e < edits; e++) {
            uint64_t r = rng();
            switch (r % 4) {
            case 0: /* flip a byte */
                buf[rng() % n] ^= (uint8_t)(1 + rng() % 255);
                break;
            case 1: /* set a byte to an interesting value */
                buf[rng() % n] = (uint8_t[]){0, 1, 0x7f, 0x80, 0xff}[rng() % 5];
                break;
            case 2: /* truncate */
                n = 1 + rng() % n;
                break;
            default: /* insert a byte */
                if (n < len + 8) {
                    size_t at = rng() % n;
                    memmove(buf + at + 1, buf + at, n - at);
                    buf[at] = (uint8_t)rng();
                    n++;
                }
                break;
            }
        }
        /* Exact-size copy so ASan catches any overread. */
        uint8_t *exact = malloc(n);
        memcpy(exact, buf, n);
        CBS cbs;
        uint8_t alert = 0;
        cbs_init(&cbs, exact, n);
        if (!parse(&cbs, &alert) && alert != CODEC_ALERT_DECODE_ERROR &&
            alert != CODEC_ALERT_ILLEGAL_PARAMETER && alert != CODEC_ALERT_UNSUPPORTED_EXTENSION &&
            alert != CODEC_ALERT_MISSING_EXTENSION) {
            fprintf(stderr, "mutation: unexpected alert %u\n", alert);
            test_failures++;
        }
        ERR_clear_error();
        free(exact);
        free(buf);
    }
}

static void test_mutations(void)
{
    size_t len, off;
    uint8_t *msg = make_client_hello(&len, &off, 0, 1);
    if (msg != NULL) {
        mutate_and_parse(msg + 4, len - 4, 20000, p_ch);
        free(msg);
    }
    msg = unhex(kRfcResumedCH, &len);
    mutate_and_parse(msg + 4, len - 4, 5000, p_ch);
    free(msg);
    msg = unhex(kRfcSH, &len);
    mutate_and_parse(msg + 4, len - 4, 5000, p_sh);
    free(msg);
    msg = unhex(kRfcHRR, &len);
    mutate_and_parse(msg + 4, len - 4, 5000, p_sh);
    free(msg);
    msg = unhex(kRfcNST, &len);
    mutate_and_parse(msg + 4, len - 4, 5000, p_nst);
    free(msg);
    msg = unhex("001c000a00140012001d00170018001901000101010201030104000000000010"
                "000b000908687474702f312e31",
                &len);
    mutate_and_parse(msg, len, 5000, p_ee);
    free(msg);
    msg = unhex("03616263 0014 000d 0004 0002 0804 002f 0008 0006 0004 30020101", &len);
    mutate_and_parse(msg, len, 5000, p_cr);
    free(msg);
    msg = unhex("00 00000e 000001 aa 0004 0012 0000 000001 bb 0000", &len);
    mutate_and_parse(msg, len, 5000, p_ct);
    free(msg);
}

/* Every extension we implement has its own ext_present bit (the table is
 * searched by halves, so an unsorted table loses entries); others have none. */
static void test_ext_index_finds_every_known_type(void)
{
    static const uint16_t known[] = {
        CODEC_EXT_SERVER_NAME,
        CODEC_EXT_STATUS_REQUEST,
        CODEC_EXT_SUPPORTED_GROUPS,
        CODEC_EXT_EC_POINT_FORMATS,
        CODEC_EXT_SIGNATURE_ALGORITHMS,
        CODEC_EXT_ALPN,
        CODEC_EXT_SCT,
        CODEC_EXT_PADDING,
        CODEC_EXT_ENCRYPT_THEN_MAC,
        CODEC_EXT_EXTENDED_MASTER_SECRET,
        CODEC_EXT_SESSION_TICKET,
        CODEC_EXT_PRE_SHARED_KEY,
        CODEC_EXT_EARLY_DATA,
        CODEC_EXT_SUPPORTED_VERSIONS,
        CODEC_EXT_COOKIE,
        CODEC_EXT_PSK_KEY_EXCHANGE_MODES,
        CODEC_EXT_CERTIFICATE_AUTHORITIES,
        CODEC_EXT_POST_HANDSHAKE_AUTH,
        CODEC_EXT_SIGNATURE_ALGORITHMS_CERT,
        CODEC_EXT_KEY_SHARE,
        CODEC_EXT_RENEGOTIATION_INFO,
    };
    uint64_t seen = 0;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        int idx = codec_ext_index(known[i]);
        CHECK(idx >= 0 && idx < 64);
        if (idx >= 0 && idx < 64) {
            CHECK((seen & ((uint64_t)1 << idx)) == 0);
            seen |= (uint64_t)1 << idx;
        }
    }
    for (uint32_t t = 0; t <= 0xffff; t++) {
        int is_known = 0;
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
            is_known |= known[i] == t;
        if (!is_known && codec_ext_index((uint16_t)t) != -1) {
            CHECK(codec_ext_index((uint16_t)t) == -1);
            break;
        }
    }
}

TEST_MAIN({
    RUN(test_ext_index_finds_every_known_type);
    RUN(test_rfc8448_client_hello);
    RUN(test_rfc8448_resumed_client_hello);
    RUN(test_rfc8448_server_hello);
    RUN(test_rfc8448_other);
    RUN(test_client_hello_round_trip);
    RUN(test_server_hello_round_trip);
    RUN(test_other_round_trips);
    RUN(test_malformed);
    RUN(test_truncation);
    RUN(test_mutations);
    ERR_clear_error();
})

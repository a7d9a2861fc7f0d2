/* Fuzz target: rec_tls13_open (src/record/aead.c) with fixed keys.
 *
 * Input: mode (1 byte) || records, each record = header (5 bytes) || body,
 * the body's length taken from the header (or whatever is left, if less).
 *   mode bits 0-1: 0/3 AES-128-GCM with the RFC 8448 section 3 server
 *                  handshake key/IV (so the RFC's record is a valid seed),
 *                  1 AES-256-GCM, 2 ChaCha20-Poly1305 (fixed test keys)
 *   mode bit 2:    "plaintext" mode: each record's body is taken as a
 *                  TLSInnerPlaintext and sealed with the same key first
 *                  (rec_tls13_seal with in = body[0..n-1], type = body[n-1],
 *                  no padding), so that the code after authentication
 *                  (padding strip, content type, size limits) sees
 *                  arbitrary plaintexts; the header is then the sealer's.
 *   mode bit 3:    start at sequence number 2^64 - 2 (exhaustion checks).
 * The records are opened one after the other; the sequence number advances
 * only on success, as in the record layer. */
#include "fuzz_common.h"

#include "record/aead.h"

static EVP_CIPHER *g_aes128, *g_aes256, *g_chacha;

static const uint8_t k_rfc_key[16] = {0x3f, 0xce, 0x51, 0x60, 0x09, 0xc2, 0x17, 0x27,
                                      0xd0, 0xf2, 0xe4, 0xe8, 0x6e, 0xe4, 0x03, 0xbc};
static const uint8_t k_rfc_iv[12] = {0x5d, 0x31, 0x3e, 0xb2, 0x67, 0x12,
                                     0x76, 0xee, 0x13, 0x00, 0x0b, 0x30};

static void init(void)
{
    if (g_aes128 != NULL)
        return;
    g_aes128 = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    g_aes256 = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    g_chacha = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
    FUZZ_ASSERT(g_aes128 != NULL && g_aes256 != NULL && g_chacha != NULL);
}

/* The same keys in gen_corpus.c (fuzz_record_keys). */
static void keys_for(unsigned mode, const EVP_CIPHER **c, uint8_t key[32], size_t *key_len,
                     uint8_t iv[12])
{
    switch (mode & 3) {
    case 1:
        *c = g_aes256;
        *key_len = 32;
        break;
    case 2:
        *c = g_chacha;
        *key_len = 32;
        break;
    default:
        *c = g_aes128;
        *key_len = 16;
        memcpy(key, k_rfc_key, 16);
        memcpy(iv, k_rfc_iv, 12);
        return;
    }
    for (size_t i = 0; i < 32; i++)
        key[i] = (uint8_t)(0x40 + i);
    for (size_t i = 0; i < 12; i++)
        iv[i] = (uint8_t)(0x80 + i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    if (size < 1)
        return 0;
    unsigned mode = data[0];
    const EVP_CIPHER *cipher;
    uint8_t key[32], iv[12];
    size_t key_len;
    keys_for(mode, &cipher, key, &key_len, iv);
    REC_AEAD rd, wr;
    memset(&rd, 0, sizeof(rd));
    memset(&wr, 0, sizeof(wr));
    FUZZ_ASSERT(rec_aead_init(&rd, cipher, key, key_len, iv, 12, 0, 0));
    FUZZ_ASSERT(rec_aead_init(&wr, cipher, key, key_len, iv, 12, 1, 0));
    if (mode & 8)
        rd.seq = wr.seq = UINT64_MAX - 1;

    const uint8_t *p = data + 1;
    size_t left = size - 1;
    while (left >= REC_HEADER_LEN) {
        uint8_t header[REC_HEADER_LEN];
        memcpy(header, p, REC_HEADER_LEN);
        size_t n = (size_t)p[3] << 8 | p[4];
        p += REC_HEADER_LEN;
        left -= REC_HEADER_LEN;
        if (n > left)
            n = left;
        uint8_t *body; /* exact size, so ASan sees any overrun */
        size_t body_len;
        if (mode & 4) {
            if (n == 0) {
                continue;
            }
            body_len = n + 1 + REC_AEAD_TAG_LEN;
            uint8_t *rec = malloc(REC_HEADER_LEN + body_len);
            size_t out_len = 0;
            FUZZ_ASSERT(rec != NULL);
            wr.seq = rd.seq;
            if (!rec_tls13_seal(&wr, p[n - 1], p, n - 1, 0, rec, REC_HEADER_LEN + body_len,
                                &out_len)) {
                /* too long for a record (5.4) or sequence exhausted */
                free(rec);
                ERR_clear_error();
                p += n;
                left -= n;
                continue;
            }
            FUZZ_ASSERT(out_len == REC_HEADER_LEN + n + REC_AEAD_TAG_LEN);
            body_len = out_len - REC_HEADER_LEN;
            memcpy(header, rec, REC_HEADER_LEN);
            body = malloc(body_len);
            FUZZ_ASSERT(body != NULL);
            memcpy(body, rec + REC_HEADER_LEN, body_len);
            free(rec);
        } else {
            body_len = n;
            body = malloc(body_len ? body_len : 1);
            FUZZ_ASSERT(body != NULL);
            memcpy(body, p, n);
        }
        uint8_t type = 0, alert = 0xff;
        size_t out_len = (size_t)-1;
        uint64_t seq = rd.seq;
        int ok = rec_tls13_open(&rd, header, body, body_len, &type, &out_len, &alert);
        if (ok) {
            FUZZ_ASSERT(alert == 0);
            FUZZ_ASSERT(type != 0);
            FUZZ_ASSERT(out_len <= REC_MAX_PLAINTEXT && out_len < body_len);
            FUZZ_ASSERT(rd.seq == seq + 1);
            if (mode & 4) /* content = the sealed in, padding stripped */
                FUZZ_ASSERT(memcmp(body, p, out_len) == 0);
        } else {
            FUZZ_ASSERT(alert != 0);
            /* RFC 8446 5.2 / 6.2: only these alerts for a record */
            FUZZ_ASSERT(alert == 20 || alert == 22 || alert == 10 || alert == 80);
            /* a plaintext-mode record authenticates: seq moved on, or the
             * failure was about what is inside */
            if (mode & 4)
                FUZZ_ASSERT(alert != 20);
            else if (alert == 20)
                FUZZ_ASSERT(rd.seq == seq);
        }
        free(body);
        ERR_clear_error();
        p += n;
        left -= n;
    }
    rec_aead_cleanup(&rd);
    rec_aead_cleanup(&wr);
    return 0;
}

/* Record protection with libcrypto AEADs.  See aead.h. */
#include "record/aead.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/sslerr.h>

/* AlertDescription values (RFC 8446 6). */
#define ALERT_UNEXPECTED_MESSAGE 10
#define ALERT_BAD_RECORD_MAC     20
#define ALERT_RECORD_OVERFLOW    22
#define ALERT_INTERNAL_ERROR     80

/* RFC 8446 5.1 ContentType application_data: the outer type of every TLS 1.3
 * protected record. */
#define CT_APPLICATION_DATA 23
/* RFC 8446 5.1: legacy_record_version of protected records. */
#define TLS12_VERSION_WIRE 0x0303

/* RFC 8446 5.4: TLSInnerPlaintext (content || type || padding) is at most
 * 2^14 + 1 bytes. */
#define TLS13_MAX_INNER (REC_MAX_PLAINTEXT + 1)

/* TLS 1.2 additional data: seq(8) || type(1) || version(2) || length(2). */
#define TLS12_AAD_LEN 13

void rec_aead_cleanup(REC_AEAD *a)
{
    if (a == NULL)
        return;
    EVP_CIPHER_CTX_free(a->ctx); /* also wipes the key schedule */
    OPENSSL_cleanse(a, sizeof(*a));
}

void rec_aead_park(REC_AEAD *a)
{
    if (a->ctx == NULL || !a->keyed)
        return;
    /* frees the provider's context (the key schedule, wiped), keeps the
     * small EVP_CIPHER_CTX for the next key_ctx */
    EVP_CIPHER_CTX_reset(a->ctx);
    a->keyed = 0;
}

/* key_ctx keys the context if it is not (first use, or after
 * rec_aead_park).  Both AEADs take a 12-byte nonce by default (RFC 5116
 * 3.2), which the check below confirms once. */
static int key_ctx(REC_AEAD *a) WUR;
static int key_ctx(REC_AEAD *a)
{
    if (a->keyed)
        return 1;
    if (a->cipher == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    if (a->ctx == NULL && (a->ctx = EVP_CIPHER_CTX_new()) == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    /* Key it once; every record afterwards only supplies a nonce. */
    if (!EVP_CipherInit_ex2(a->ctx, a->cipher, a->key, NULL, a->enc, NULL) ||
        EVP_CIPHER_CTX_get_iv_length(a->ctx) != (int)sizeof(a->iv)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        EVP_CIPHER_CTX_reset(a->ctx);
        return 0;
    }
    a->keyed = 1;
    return 1;
}

int rec_aead_init(REC_AEAD *a, const EVP_CIPHER *cipher, const uint8_t *key, size_t key_len,
                  const uint8_t *iv, size_t iv_len, int enc, int tls12)
{
    memset(a, 0, sizeof(*a));
    if (cipher == NULL || key == NULL || iv == NULL) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    int mode = EVP_CIPHER_get_mode(cipher);
    int explicit_nonce = tls12 && mode == EVP_CIPH_GCM_MODE;
    /* RFC 5288 3: TLS 1.2 AES-GCM has a 4-byte implicit salt; every other
     * construction (TLS 1.3 5.3, RFC 7905 2) a 12-byte IV. */
    size_t want_iv = explicit_nonce ? 4 : sizeof(a->iv);
    if (EVP_CIPHER_get_key_length(cipher) < 0 ||
        (size_t)EVP_CIPHER_get_key_length(cipher) != key_len || key_len > sizeof(a->key) ||
        iv_len != want_iv || (EVP_CIPHER_get_flags(cipher) & EVP_CIPH_FLAG_AEAD_CIPHER) == 0) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    a->cipher = cipher;
    memcpy(a->key, key, key_len);
    a->key_len = (uint8_t)key_len;
    a->enc = enc ? 1 : 0;
    /* keyed now, so a failure shows when the key is installed */
    if (!key_ctx(a)) {
        rec_aead_cleanup(a);
        return 0;
    }
    /* For TLS 1.2 GCM iv = salt || 0^8, so "iv XOR seq" below is exactly
     * salt || seq, the RFC 5288 nonce with seq as the explicit part. */
    memcpy(a->iv, iv, iv_len);
    a->tag_len = REC_AEAD_TAG_LEN;
    a->tls12_explicit = (uint8_t)explicit_nonce;
    return 1;
}

/* RFC 8446 5.3 / RFC 7905 2: nonce = iv XOR seq, seq big-endian and
 * left-padded to the IV length. Sets it on the already keyed context. */
static int set_nonce(REC_AEAD *a, uint8_t nonce[12]) WUR;
static int set_nonce(REC_AEAD *a, uint8_t nonce[12])
{
    if (!key_ctx(a))
        return 0;
    memcpy(nonce, a->iv, 12);
    uint64_t seq = a->seq;
    for (int i = 11; i >= 4; i--) {
        nonce[i] ^= (uint8_t)seq;
        seq >>= 8;
    }
    if (!EVP_CipherInit_ex2(a->ctx, NULL, NULL, nonce, -1, NULL)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    return 1;
}

/* A sequence number may not wrap (RFC 8446 5.3, RFC 5246 6.1): the last
 * value is never used, so seq+1 below can never overflow. */
static int seq_ok(const REC_AEAD *a)
{
    if (a->seq == UINT64_MAX) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    return 1;
}

/* Writes the 5-byte record header. */
static int write_header(uint8_t *out, uint8_t type, uint16_t version, size_t len)
{
    CBB cbb;
    if (!cbb_init_fixed(&cbb, out, REC_HEADER_LEN) || !cbb_add_u8(&cbb, type) ||
        !cbb_add_u16(&cbb, version) || !cbb_add_u16(&cbb, (uint16_t)len) ||
        !cbb_finish(&cbb, NULL, NULL)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    return 1;
}

/* Encrypts |len| bytes from |in| to |out| (equal or disjoint). */
static int aead_update(REC_AEAD *a, uint8_t *out, const uint8_t *in, size_t len)
{
    int n;
    /* EVP takes int lengths; records are < 2^15 so this never splits. */
    if (len > INT32_MAX || !EVP_CipherUpdate(a->ctx, out, &n, in, (int)len) || (size_t)n != len) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    return 1;
}

static int aead_aad(REC_AEAD *a, const uint8_t *aad, size_t len)
{
    int n;
    if (!EVP_CipherUpdate(a->ctx, NULL, &n, aad, (int)len)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    return 1;
}

/* Finishes a seal and appends the tag at |tag|. */
static int seal_final(REC_AEAD *a, uint8_t *tag)
{
    int n;
    uint8_t dummy[16];
    /* The AEADs are stream ciphers: Final emits no bytes. */
    if (!EVP_CipherFinal_ex(a->ctx, dummy, &n) || n != 0 ||
        EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_GET_TAG, a->tag_len, tag) <= 0) {
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    return 1;
}

/* Decrypts |len| bytes of |ct| in place and checks |tag|.  On failure the
 * unauthenticated plaintext is wiped so no caller can act on it. */
static int open_body(REC_AEAD *a, uint8_t *ct, size_t len, uint8_t *tag)
{
    int n;
    uint8_t dummy[16];
    if (EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_TAG, a->tag_len, tag) <= 0 ||
        !aead_update(a, ct, ct, len)) {
        OPENSSL_cleanse(ct, len);
        ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
        return 0;
    }
    if (EVP_CipherFinal_ex(a->ctx, dummy, &n) <= 0 || n != 0) {
        OPENSSL_cleanse(ct, len);
        ERR_raise(ERR_LIB_SSL, SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC);
        return 0;
    }
    return 1;
}

size_t rec_tls13_sealed_len(const REC_AEAD *a, size_t in_len, size_t pad_len)
{
    return REC_HEADER_LEN + in_len + 1 + pad_len + a->tag_len;
}

int rec_tls13_seal(REC_AEAD *a, uint8_t type, const uint8_t *in, size_t in_len, size_t pad_len,
                   uint8_t *out, size_t out_cap, size_t *out_len)
{
    /* RFC 8446 5.4: the inner plaintext with padding is at most 2^14 + 1. */
    if (!a->enc || in_len > TLS13_MAX_INNER - 1 || pad_len > TLS13_MAX_INNER - 1 - in_len) {
        ERR_raise(ERR_LIB_SSL, SSL_R_EXCEEDS_MAX_FRAGMENT_SIZE);
        return 0;
    }
    size_t inner_len = in_len + 1 + pad_len;
    size_t total = REC_HEADER_LEN + inner_len + a->tag_len;
    if (out_cap < total) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    if (!seq_ok(a))
        return 0;
    uint8_t nonce[12];
    uint8_t *body = out + REC_HEADER_LEN;
    /* RFC 8446 5.2: the AAD is the record header itself. */
    if (!write_header(out, CT_APPLICATION_DATA, TLS12_VERSION_WIRE, inner_len + a->tag_len) ||
        !set_nonce(a, nonce) || !aead_aad(a, out, REC_HEADER_LEN))
        return 0;
    /* Encrypt the content straight from the caller's buffer, then the
     * content type and zero padding, written in place after it. */
    if (in_len > 0 && !aead_update(a, body, in, in_len))
        return 0;
    body[in_len] = type;
    memset(body + in_len + 1, 0, pad_len);
    if (!aead_update(a, body + in_len, body + in_len, 1 + pad_len) ||
        !seal_final(a, body + inner_len))
        return 0;
    a->seq++;
    *out_len = total;
    return 1;
}

/* Returns the length of |p| without its trailing zero bytes, scanning a
 * word at a time (RFC 8446 5.4: the type is the last non-zero byte). */
static size_t strip_zeros(const uint8_t *p, size_t len)
{
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p + len - 8, 8);
        if (w != 0)
            break;
        len -= 8;
    }
    while (len > 0 && p[len - 1] == 0)
        len--;
    return len;
}

int rec_tls13_open(REC_AEAD *a, const uint8_t header[5], uint8_t *body, size_t body_len,
                   uint8_t *out_type, size_t *out_len, uint8_t *out_alert)
{
    *out_alert = ALERT_INTERNAL_ERROR;
    if (a->enc) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    /* RFC 8446 5.2: TLSCiphertext.length is at most 2^14 + 256. */
    if (body_len > REC_TLS13_MAX_CIPHERTEXT) {
        *out_alert = ALERT_RECORD_OVERFLOW;
        ERR_raise(ERR_LIB_SSL, SSL_R_ENCRYPTED_LENGTH_TOO_LONG);
        return 0;
    }
    if (body_len < a->tag_len) {
        *out_alert = ALERT_BAD_RECORD_MAC;
        ERR_raise(ERR_LIB_SSL, SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC);
        return 0;
    }
    if (!seq_ok(a))
        return 0;
    size_t ct_len = body_len - a->tag_len;
    uint8_t nonce[12];
    if (!set_nonce(a, nonce) || !aead_aad(a, header, REC_HEADER_LEN))
        return 0;
    if (!open_body(a, body, ct_len, body + ct_len)) {
        *out_alert = ALERT_BAD_RECORD_MAC;
        return 0;
    }
    a->seq++;
    /* RFC 8446 5.4: strip the padding; an all-zero plaintext has no type. */
    size_t inner = strip_zeros(body, ct_len);
    if (inner == 0) {
        *out_alert = ALERT_UNEXPECTED_MESSAGE;
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_RECORD_TYPE);
        return 0;
    }
    /* RFC 8446 5.1/5.4: the content itself is at most 2^14 bytes. */
    if (inner - 1 > REC_MAX_PLAINTEXT) {
        *out_alert = ALERT_RECORD_OVERFLOW;
        ERR_raise(ERR_LIB_SSL, SSL_R_DATA_LENGTH_TOO_LONG);
        return 0;
    }
    *out_type = body[inner - 1];
    *out_len = inner - 1;
    *out_alert = 0;
    return 1;
}

size_t rec_tls12_sealed_len(const REC_AEAD *a, size_t in_len)
{
    size_t explicit_len = a->tls12_explicit ? REC_TLS12_EXPLICIT_NONCE_LEN : 0;
    return REC_HEADER_LEN + explicit_len + in_len + a->tag_len;
}

/* RFC 5246 6.2.3.3: additional_data = seq_num || type || version || length. */
static int tls12_aad(REC_AEAD *a, uint8_t type, uint16_t version, size_t len)
{
    uint8_t aad[TLS12_AAD_LEN];
    CBB cbb;
    if (!cbb_init_fixed(&cbb, aad, sizeof(aad)) || !cbb_add_u64(&cbb, a->seq) ||
        !cbb_add_u8(&cbb, type) || !cbb_add_u16(&cbb, version) ||
        !cbb_add_u16(&cbb, (uint16_t)len) || !cbb_finish(&cbb, NULL, NULL)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    return aead_aad(a, aad, sizeof(aad));
}

int rec_tls12_seal(REC_AEAD *a, uint8_t type, uint16_t version, const uint8_t *in, size_t in_len,
                   uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (!a->enc || in_len > REC_MAX_PLAINTEXT) {
        ERR_raise(ERR_LIB_SSL, SSL_R_EXCEEDS_MAX_FRAGMENT_SIZE);
        return 0;
    }
    size_t explicit_len = a->tls12_explicit ? REC_TLS12_EXPLICIT_NONCE_LEN : 0;
    size_t total = rec_tls12_sealed_len(a, in_len);
    if (out_cap < total) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    if (!seq_ok(a))
        return 0;
    uint8_t nonce[12];
    uint8_t *ct = out + REC_HEADER_LEN + explicit_len;
    if (!write_header(out, type, version, total - REC_HEADER_LEN) || !set_nonce(a, nonce) ||
        !tls12_aad(a, type, version, in_len))
        return 0;
    /* RFC 5288 3: the explicit nonce is the last 8 nonce bytes (= seq). */
    if (explicit_len)
        memcpy(out + REC_HEADER_LEN, nonce + 4, REC_TLS12_EXPLICIT_NONCE_LEN);
    if ((in_len > 0 && !aead_update(a, ct, in, in_len)) || !seal_final(a, ct + in_len))
        return 0;
    a->seq++;
    *out_len = total;
    return 1;
}

int rec_tls12_open(REC_AEAD *a, const uint8_t header[5], uint8_t *body, size_t body_len,
                   uint8_t **out_plain, size_t *out_len, uint8_t *out_alert)
{
    *out_alert = ALERT_INTERNAL_ERROR;
    if (a->enc) {
        ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
        return 0;
    }
    /* RFC 5246 6.2.3: TLSCiphertext.length is at most 2^14 + 2048. */
    if (body_len > REC_TLS12_MAX_CIPHERTEXT) {
        *out_alert = ALERT_RECORD_OVERFLOW;
        ERR_raise(ERR_LIB_SSL, SSL_R_ENCRYPTED_LENGTH_TOO_LONG);
        return 0;
    }
    size_t explicit_len = a->tls12_explicit ? REC_TLS12_EXPLICIT_NONCE_LEN : 0;
    if (body_len < explicit_len + a->tag_len) {
        *out_alert = ALERT_BAD_RECORD_MAC;
        ERR_raise(ERR_LIB_SSL, SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC);
        return 0;
    }
    size_t ct_len = body_len - explicit_len - a->tag_len;
    /* RFC 5246 6.2.3: plaintext over 2^14 is record_overflow. The AEADs do not
     * expand, so this is known before decrypting. */
    if (ct_len > REC_MAX_PLAINTEXT) {
        *out_alert = ALERT_RECORD_OVERFLOW;
        ERR_raise(ERR_LIB_SSL, SSL_R_DATA_LENGTH_TOO_LONG);
        return 0;
    }
    if (!seq_ok(a))
        return 0;
    CBS hdr;
    uint8_t type;
    uint16_t version;
    cbs_init(&hdr, header, REC_HEADER_LEN);
    if (!cbs_get_u8(&hdr, &type) || !cbs_get_u16(&hdr, &version)) {
        ERR_raise(ERR_LIB_SSL, ERR_R_INTERNAL_ERROR);
        return 0;
    }
    uint8_t nonce[12];
    if (explicit_len) {
        /* RFC 5288 3: nonce = salt || explicit nonce from the wire. */
        memcpy(nonce, a->iv, 4);
        memcpy(nonce + 4, body, REC_TLS12_EXPLICIT_NONCE_LEN);
        if (!key_ctx(a))
            return 0;
        if (!EVP_CipherInit_ex2(a->ctx, NULL, NULL, nonce, -1, NULL)) {
            ERR_raise(ERR_LIB_SSL, ERR_R_EVP_LIB);
            return 0;
        }
    } else if (!set_nonce(a, nonce)) {
        return 0;
    }
    uint8_t *ct = body + explicit_len;
    if (!tls12_aad(a, type, version, ct_len))
        return 0;
    if (!open_body(a, ct, ct_len, ct + ct_len)) {
        *out_alert = ALERT_BAD_RECORD_MAC;
        return 0;
    }
    a->seq++;
    *out_plain = ct;
    *out_len = ct_len;
    *out_alert = 0;
    return 1;
}

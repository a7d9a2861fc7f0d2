/* Fuzz target: session deserialisation (src/session/session_asn1.c).
 * Every input goes through
 *   - d2i_SSL_SESSION (public API; and i2d_SSL_SESSION of what it returns,
 *     which must re-parse),
 *   - PEM_read_bio_SSL_SESSION (the corpus holds PEM files too),
 *   - sess_decode(for_ticket=1): the format inside a sealed ticket, which
 *     fuzz_ticket_open cannot reach past the ticket MAC.
 * Input: DER or PEM bytes. */
#include "fuzz_common.h"

#include "internal.h"
#include "session/session_cache.h"

static void check_roundtrip(SSL_SESSION *s)
{
    unsigned char *der = NULL;
    int len = i2d_SSL_SESSION(s, &der);
    if (len <= 0) {
        ERR_clear_error();
        return;
    }
    const unsigned char *p = der;
    SSL_SESSION *again = d2i_SSL_SESSION(NULL, &p, len);
    /* what we write, we read back, completely */
    FUZZ_ASSERT(again != NULL);
    FUZZ_ASSERT(p == der + len);
    unsigned char *der2 = NULL;
    int len2 = i2d_SSL_SESSION(again, &der2);
    FUZZ_ASSERT(len2 == len && memcmp(der, der2, (size_t)len) == 0);
    /* a few getters on the parsed object */
    unsigned int idl = 0, ctxl = 0;
    (void)SSL_SESSION_get_id(again, &idl);
    (void)SSL_SESSION_get0_id_context(again, &ctxl);
    FUZZ_ASSERT(idl <= SSL_MAX_SSL_SESSION_ID_LENGTH && ctxl <= SSL_MAX_SID_CTX_LENGTH);
    (void)SSL_SESSION_get_protocol_version(again);
    (void)SSL_SESSION_get0_cipher(again);
    (void)SSL_SESSION_is_resumable(again);
    OPENSSL_free(der);
    OPENSSL_free(der2);
    SSL_SESSION_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* d2i_SSL_SESSION, into a fresh object and replacing an existing one */
    const unsigned char *p = data;
    SSL_SESSION *s = d2i_SSL_SESSION(NULL, &p, (long)size);
    if (s != NULL) {
        FUZZ_ASSERT(p > data && p <= data + size);
        check_roundtrip(s);
        SSL_SESSION *prev = SSL_SESSION_new();
        SSL_SESSION *keep = prev;
        p = data;
        FUZZ_ASSERT(d2i_SSL_SESSION(&keep, &p, (long)size) == keep && keep != NULL);
        SSL_SESSION_free(keep);
        SSL_SESSION_free(s);
    }
    ERR_clear_error();

    /* PEM_read_bio_SSL_SESSION */
    BIO *b = BIO_new_mem_buf(data, (int)size);
    if (b != NULL) {
        SSL_SESSION *ps = PEM_read_bio_SSL_SESSION(b, NULL, NULL, NULL);
        if (ps != NULL)
            check_roundtrip(ps);
        SSL_SESSION_free(ps);
        BIO_free(b);
    }
    ERR_clear_error();

    /* the ticket plaintext format */
    CBS cbs;
    cbs_init(&cbs, data, size);
    SSL_SESSION *ts = sess_decode(&cbs, 1, NULL);
    if (ts != NULL) {
        CBB out;
        uint8_t *enc = NULL;
        size_t enc_len = 0;
        FUZZ_ASSERT(cbb_init(&out, 256));
        if (sess_encode(&out, ts, 1) && cbb_finish(&out, &enc, &enc_len)) {
            CBS again;
            cbs_init(&again, enc, enc_len);
            SSL_SESSION *ts2 = sess_decode(&again, 1, NULL);
            FUZZ_ASSERT(ts2 != NULL);
            SSL_SESSION_free(ts2);
            OPENSSL_free(enc);
        } else {
            cbb_cleanup(&out);
        }
        SSL_SESSION_free(ts);
    }
    ERR_clear_error();
    return 0;
}

/* Post-handshake messages at the record level: records a peer may
 * legitimately send that our own peer never makes, built here with the
 * peer's traffic secret (library internals) and fed to the other side.
 *
 *   - the client's answer to a post-handshake CertificateRequest (Certificate,
 *     CertificateVerify, Finished) and a KeyUpdate in one record: legal, as
 *     no key changes after a post-handshake Finished (RFC 8446 5.1); our
 *     server refused it "not on record boundary" (found by fuzz_server_conn). */
#include "testutil.h"

#include "pair.h"

#include "internal.h"
#include "keys/algs.h"
#include "keys/tls13_schedule.h"
#include "record/aead.h"

static TEST_PKI pki;

/* mem_pair: client and server over four memory BIOs (we carry the bytes). */
static void mem_pair(SSL_CTX *cctx, SSL_CTX *sctx, SSL **out_c, SSL **out_s)
{
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    BIO *b[4];
    for (int i = 0; i < 4; i++) {
        b[i] = BIO_new(BIO_s_mem());
        BIO_set_mem_eof_return(b[i], -1);
    }
    SSL_set_bio(c, b[0], b[1]);
    SSL_set_bio(s, b[2], b[3]);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    *out_c = c;
    *out_s = s;
}

/* carry moves what |from| wrote to |to|'s input. */
static void carry(SSL *from, SSL *to)
{
    char buf[4096];
    int n;
    while ((n = BIO_read(SSL_get_wbio(from), buf, sizeof(buf))) > 0)
        BIO_write(SSL_get_rbio(to), buf, n);
}

static int handshake(SSL *c, SSL *s)
{
    for (int i = 0; i < 10; i++) {
        int rc = SSL_do_handshake(c);
        carry(c, s);
        int rs = SSL_do_handshake(s);
        carry(s, c);
        if (rc == 1 && rs == 1)
            return 1;
    }
    return 0;
}

/* A record protector for |s|'s current write secret, as |s| would seal. */
static int keys_of(SSL *s, const uint8_t *secret, int enc, REC_AEAD *a)
{
    const SSL_CIPHER *c = SSL_get_current_cipher(s);
    const EVP_MD *md = algs_md_by_nid(c->md_nid);
    uint8_t key[32], iv[12];
    return md != NULL && c->cipher_nid == NID_aes_128_gcm &&
           tls13_traffic_key_iv(md, secret, key, c->key_len, iv, sizeof(iv)) &&
           rec_aead_init(a, algs_aes128gcm(), key, c->key_len, iv, sizeof(iv), enc, 0);
}

static void test_pha_answer_and_key_update_in_one_record(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    SSL *c, *s;
    char buf[64];
    REQUIRE(sctx && cctx);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), pki.ca);
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE, NULL);
    SSL_CTX_set_num_tickets(sctx, 0);
    SSL_CTX_set_ciphersuites(cctx, "TLS_AES_128_GCM_SHA256");
    mem_pair(cctx, sctx, &c, &s);
    SSL_set_tlsext_host_name(c, "localhost");
    SSL_set_post_handshake_auth(c, 1);
    REQUIRE(SSL_use_certificate(c, pki.leaf) == 1 && SSL_use_PrivateKey(c, pki.leaf_key) == 1);
    REQUIRE(handshake(c, s));
    /* the request; the client answers with three records */
    REQUIRE(SSL_verify_client_post_handshake(s) == 1 && SSL_do_handshake(s) == 1);
    carry(s, c);
    uint8_t secret[SESAME_MAX_HASH];
    size_t hash_len = c->s13.hash_len;
    memcpy(secret, c->s13.client_app, hash_len); /* what the answer is sealed with */
    int r = SSL_read(c, buf, sizeof(buf));
    REQUIRE(r == -1 && SSL_get_error(c, r) == SSL_ERROR_WANT_READ);
    static uint8_t wire[8192], plain[8192], out[8192];
    int n = BIO_read(SSL_get_wbio(c), wire, sizeof(wire));
    REQUIRE(n > 0);
    /* open them all: Certificate || CertificateVerify || Finished */
    REC_AEAD dec = {0}, enc = {0};
    REQUIRE(keys_of(c, secret, 0, &dec) && keys_of(c, secret, 1, &enc));
    size_t plen = 0;
    for (size_t off = 0; off + 5 <= (size_t)n;) {
        size_t len = (size_t)wire[off + 3] << 8 | wire[off + 4], m = 0;
        uint8_t type = 0, alert = 0;
        REQUIRE(off + 5 + len <= (size_t)n);
        REQUIRE(rec_tls13_open(&dec, wire + off, wire + off + 5, len, &type, &m, &alert));
        REQUIRE(type == 22 && plen + m + 5 <= sizeof(plain));
        memcpy(plain + plen, wire + off + 5, m);
        plen += m;
        off += 5 + len;
    }
    CHECK(plain[0] == 11);
    /* ... and send them again in one record, a KeyUpdate after the Finished */
    static const uint8_t ku[5] = {24, 0, 0, 1, 0};
    memcpy(plain + plen, ku, sizeof(ku));
    plen += sizeof(ku);
    size_t out_len = 0;
    REQUIRE(rec_tls13_seal(&enc, 22, plain, plen, 0, out, sizeof(out), &out_len));
    BIO_write(SSL_get_rbio(s), out, (int)out_len);
    /* the server takes both: the client is authenticated, the key moves on */
    ERR_clear_error();
    r = SSL_read(s, buf, sizeof(buf));
    CHECK(r == -1 && SSL_get_error(s, r) == SSL_ERROR_WANT_READ);
    CHECK(SSL_get0_peer_certificate(s) != NULL);
    const EVP_MD *md = algs_md_by_nid(SSL_get_current_cipher(c)->md_nid);
    REQUIRE(md != NULL && tls13_next_traffic_secret(md, secret));
    rec_aead_cleanup(&enc);
    REQUIRE(keys_of(c, secret, 1, &enc));
    REQUIRE(
        rec_tls13_seal(&enc, 23, (const uint8_t *)"next key", 8, 0, out, sizeof(out), &out_len));
    BIO_write(SSL_get_rbio(s), out, (int)out_len);
    r = SSL_read(s, buf, sizeof(buf));
    CHECK(r == 8 && memcmp(buf, "next key", 8) == 0);
    ERR_clear_error();
    rec_aead_cleanup(&dec);
    rec_aead_cleanup(&enc);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

TEST_MAIN({
    pair_pki_init(&pki);
    RUN(test_pha_answer_and_key_update_in_one_record);
    pair_pki_free(&pki);
})

/* Ticket keys supplied by the application, over real handshakes: a "fleet"
 * of two server SSL_CTXs sharing the keys resumes each other's tickets, with
 * the legacy callback (SSL_CTX_set_tlsext_ticket_key_cb, HMAC_CTX), the EVP
 * callback (SSL_CTX_set_tlsext_ticket_key_evp_cb) and the 80-byte keys
 * (SSL_CTX_set_tlsext_ticket_keys).  An unknown key name means a full
 * handshake; "renew" (2) resumes and is followed by fresh tickets. */
#include "testutil.h"

#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "pair.h"

static TEST_PKI pki;
static const unsigned char key_name[16] = "sesame-fleet-k1";
static unsigned char aes_key[32], hmac_key[32];
static int dec_result = 1; /* what the callbacks answer for our key name */
static int enc_calls, dec_calls;

static int legacy_cb(SSL *s, unsigned char name[16], unsigned char *iv, EVP_CIPHER_CTX *ctx,
                     HMAC_CTX *hctx, int enc)
{
    (void)s;
    if (enc) {
        enc_calls++;
        memcpy(name, key_name, 16);
        if (RAND_bytes(iv, 16) != 1 ||
            !EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, aes_key, iv) ||
            !HMAC_Init_ex(hctx, hmac_key, 32, EVP_sha256(), NULL))
            return -1;
        return 1;
    }
    dec_calls++;
    if (memcmp(name, key_name, 16) != 0)
        return 0;
    if (!EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, aes_key, iv) ||
        !HMAC_Init_ex(hctx, hmac_key, 32, EVP_sha256(), NULL))
        return -1;
    return dec_result;
}

static int evp_cb(SSL *s, unsigned char name[16], unsigned char *iv, EVP_CIPHER_CTX *ctx,
                  EVP_MAC_CTX *mctx, int enc)
{
    (void)s;
    OSSL_PARAM params[2] = {OSSL_PARAM_construct_utf8_string("digest", "SHA256", 0),
                            OSSL_PARAM_construct_end()};
    if (enc) {
        enc_calls++;
        memcpy(name, key_name, 16);
        if (RAND_bytes(iv, 16) != 1 ||
            !EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, aes_key, iv) ||
            !EVP_MAC_init(mctx, hmac_key, 32, params))
            return -1;
        return 1;
    }
    dec_calls++;
    if (memcmp(name, key_name, 16) != 0)
        return 0;
    if (!EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, aes_key, iv) ||
        !EVP_MAC_init(mctx, hmac_key, 32, params))
        return -1;
    return dec_result;
}

static SSL_SESSION *latest;
static int keep_latest(SSL *s, SSL_SESSION *sess)
{
    (void)s;
    SSL_SESSION_free(latest);
    latest = sess;
    return 1; /* we keep the reference */
}

/* connect: one handshake of |cctx| to |sctx| offering |sess| (may be NULL);
 * reads the tickets; returns SSL_session_reused or -1 on failure. */
static int connect(SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *sess)
{
    SSL *c, *s;
    if (!pair_new(cctx, sctx, &c, &s))
        return -1;
    if (sess != NULL)
        SSL_set_session(c, sess);
    int r = -1;
    if (pair_handshake(c, s) && pair_roundtrip(c, s, "fleet")) {
        r = SSL_session_reused(c);
        SSL_shutdown(c);
    }
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    return r;
}

static SSL_CTX *client(void)
{
    SSL_CTX *c = pair_client_ctx(&pki);
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(c, keep_latest);
    return c;
}

/* a session from server A resumes on server B of the same fleet */
static SSL_SESSION *ticket_from(SSL_CTX *cctx, SSL_CTX *a)
{
    SSL_SESSION_free(latest);
    latest = NULL;
    if (connect(cctx, a, NULL) != 0 || latest == NULL)
        return NULL;
    SSL_SESSION *t = latest;
    latest = NULL;
    return t;
}

static void fleet(int which)
{
    SSL_CTX *a = pair_server_ctx(&pki), *b = pair_server_ctx(&pki), *cctx = client();
    REQUIRE(a && b && cctx);
    if (which == 0) {
        SSL_CTX_set_tlsext_ticket_key_cb(a, legacy_cb);
        SSL_CTX_set_tlsext_ticket_key_cb(b, legacy_cb);
    } else if (which == 1) {
        CHECK(SSL_CTX_set_tlsext_ticket_key_evp_cb(a, evp_cb) == 1);
        CHECK(SSL_CTX_set_tlsext_ticket_key_evp_cb(b, evp_cb) == 1);
    } else {
        unsigned char keys[80];
        memcpy(keys, key_name, 16);
        memcpy(keys + 16, hmac_key, 32);
        memcpy(keys + 48, aes_key, 32);
        CHECK(SSL_CTX_set_tlsext_ticket_keys(a, keys, sizeof(keys)) == 1);
        CHECK(SSL_CTX_set_tlsext_ticket_keys(b, keys, sizeof(keys)) == 1);
    }
    enc_calls = dec_calls = 0;
    dec_result = 1;
    SSL_SESSION *t = ticket_from(cctx, a);
    REQUIRE(t != NULL);
    if (which < 2)
        CHECK(enc_calls == 2); /* two tickets by default */
    SSL_SESSION *t2 = SSL_SESSION_dup(t);
    CHECK_EQ_INT(connect(cctx, b, t), 1); /* resumed on the other server */
    if (which < 2) {
        CHECK(dec_calls == 1);
        /* "renew": resumed, and fresh tickets follow */
        dec_result = 2;
        SSL_SESSION_free(latest);
        latest = NULL;
        CHECK_EQ_INT(connect(cctx, a, t2), 1);
        CHECK(latest != NULL && SSL_SESSION_is_resumable(latest));
        /* the callback does not know the key (0): a full handshake, not a failure */
        dec_result = 0;
        SSL_SESSION *t3 = ticket_from(cctx, a); /* (issued with our name) */
        REQUIRE(t3 != NULL);
        CHECK_EQ_INT(connect(cctx, b, t3), 0);
        SSL_SESSION_free(t3);
    } else {
        /* a server with other keys cannot open it: full handshake */
        SSL_CTX *other = pair_server_ctx(&pki);
        CHECK_EQ_INT(connect(cctx, other, t2), 0);
        SSL_CTX_free(other);
    }
    SSL_SESSION_free(t);
    SSL_SESSION_free(t2);
    SSL_SESSION_free(latest);
    latest = NULL;
    SSL_CTX_free(a);
    SSL_CTX_free(b);
    SSL_CTX_free(cctx);
}

static void test_fleet_legacy_callback(void)
{
    fleet(0);
}
static void test_fleet_evp_callback(void)
{
    fleet(1);
}
static void test_fleet_80_byte_keys(void)
{
    fleet(2);
}

TEST_MAIN({
    pair_pki_init(&pki);
    RAND_bytes(aes_key, sizeof(aes_key));
    RAND_bytes(hmac_key, sizeof(hmac_key));
    RUN(test_fleet_legacy_callback);
    RUN(test_fleet_evp_callback);
    RUN(test_fleet_80_byte_keys);
    pair_pki_free(&pki);
})

/* External PSKs in TLS 1.3: the session callbacks (SSL_set_psk_use_session_callback,
 * SSL_CTX_set_psk_find_session_callback), the TLS 1.2-style key callbacks
 * (SSL_CTX_set_psk_client_callback / _server_callback), psk_ke without
 * (EC)DHE (SSL_OP_ALLOW_NO_DHE_KEX), and a wrong key. */
#include "testutil.h"

#include "pair.h"

#include <pthread.h>

#include "internal.h" /* SSL_SESSION.references */

static TEST_PKI pki;
static const uint8_t key_a[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static uint8_t server_key[32];
static _Atomic int find_calls, server_cb_calls;

static SSL_SESSION *make_psk_session(const uint8_t *key)
{
    SSL_SESSION *s = SSL_SESSION_new();
    const unsigned char id[2] = {0x13, 0x01};
    if (s == NULL || !SSL_SESSION_set1_master_key(s, key, 32) ||
        !SSL_SESSION_set_cipher(s, SSL_CIPHER_find(NULL, id)) ||
        !SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION)) {
        SSL_SESSION_free(s);
        return NULL;
    }
    return s;
}

static int use_cb(SSL *ssl, const EVP_MD *md, const unsigned char **id, size_t *idlen,
                  SSL_SESSION **sess)
{
    (void)ssl;
    (void)md;
    *id = (const unsigned char *)"client-one";
    *idlen = 10;
    *sess = make_psk_session(key_a);
    return 1;
}

static int find_cb(SSL *ssl, const unsigned char *id, size_t idlen, SSL_SESSION **sess)
{
    (void)ssl;
    find_calls++;
    *sess = NULL;
    if (idlen == 10 && memcmp(id, "client-one", 10) == 0)
        *sess = make_psk_session(server_key);
    return 1;
}

static unsigned int client_cb(SSL *ssl, const char *hint, char *identity,
                              unsigned int max_identity_len, unsigned char *psk,
                              unsigned int max_psk_len)
{
    (void)ssl;
    (void)hint;
    if (max_identity_len < 8 || max_psk_len < 32)
        return 0;
    strcpy(identity, "legacy-1");
    memcpy(psk, key_a, 32);
    return 32;
}

static unsigned int server_cb(SSL *ssl, const char *identity, unsigned char *psk,
                              unsigned int max_psk_len)
{
    (void)ssl;
    server_cb_calls++;
    if (strcmp(identity, "legacy-1") != 0 || max_psk_len < 32)
        return 0;
    memcpy(psk, server_key, 32);
    return 32;
}

/* run: one handshake; returns 1 if it completed, with *reused set. */
static int run(SSL_CTX *cctx, SSL_CTX *sctx, int *reused, int *peer_cert)
{
    SSL *c, *s;
    if (!pair_new(cctx, sctx, &c, &s))
        return 0;
    int ok = pair_handshake(c, s) && pair_roundtrip(c, s, "psk data");
    if (ok) {
        *reused = SSL_session_reused(c) && SSL_session_reused(s);
        X509 *x = SSL_get1_peer_certificate(c);
        *peer_cert = x != NULL;
        X509_free(x);
    }
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    return ok;
}

static void test_session_callbacks(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    REQUIRE(sctx && cctx);
    SSL_CTX_set_psk_use_session_callback(cctx, use_cb);
    SSL_CTX_set_psk_find_session_callback(sctx, find_cb);
    int reused = 0, cert = 1;
    memcpy(server_key, key_a, 32);
    find_calls = 0;
    CHECK(run(cctx, sctx, &reused, &cert));
    CHECK(find_calls == 1);
    CHECK(reused == 1);
    CHECK(cert == 0); /* a PSK handshake has no certificate */
    /* a different key on the server: the binder fails, the handshake fails */
    server_key[0] ^= 0xff;
    CHECK(!run(cctx, sctx, &reused, &cert));
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_key_callbacks(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    REQUIRE(sctx && cctx);
    SSL_CTX_set_psk_client_callback(cctx, client_cb);
    SSL_CTX_set_psk_server_callback(sctx, server_cb);
    int reused = 0, cert = 1;
    memcpy(server_key, key_a, 32);
    server_cb_calls = 0;
    CHECK(run(cctx, sctx, &reused, &cert));
    CHECK(server_cb_calls == 1);
    CHECK(reused == 1 && cert == 0);
    /* a server whose callback knows no key: full handshake with certificates */
    SSL_CTX_set_psk_server_callback(sctx, NULL);
    CHECK(run(cctx, sctx, &reused, &cert));
    CHECK(reused == 0 && cert == 1);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_psk_ke_without_dhe(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    REQUIRE(sctx && cctx);
    SSL_CTX_set_psk_use_session_callback(cctx, use_cb);
    SSL_CTX_set_psk_find_session_callback(sctx, find_cb);
    memcpy(server_key, key_a, 32);
    /* both allow psk_ke, but the client still offers psk_dhe_ke and a key
     * share, which the server prefers */
    SSL_CTX_set_options(cctx, SSL_OP_ALLOW_NO_DHE_KEX);
    SSL_CTX_set_options(sctx, SSL_OP_ALLOW_NO_DHE_KEX);
    SSL *c, *s;
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    CHECK(pair_handshake(c, s));
    CHECK(SSL_session_reused(s) == 1);
    CHECK(SSL_get_negotiated_group(s) != 0);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* The application's own PSK session, handed out by the use-session callback
 * to every connection (and thread): the library must only read it. */
static SSL_SESSION *shared_psk;

static int use_shared_cb(SSL *ssl, const EVP_MD *md, const unsigned char **id, size_t *idlen,
                         SSL_SESSION **sess)
{
    (void)ssl;
    (void)md;
    *id = (const unsigned char *)"client-one";
    *idlen = 10;
    if (!SSL_SESSION_up_ref(shared_psk))
        return 0;
    *sess = shared_psk; /* the library takes this reference */
    return 1;
}

struct psk_worker {
    SSL_CTX *cctx, *sctx;
    int ok, reused;
};

static void *psk_worker_run(void *arg)
{
    struct psk_worker *w = arg;
    for (int i = 0; i < 20; i++) {
        int reused = 0, cert = 0;
        w->ok += run(w->cctx, w->sctx, &reused, &cert);
        w->reused += reused;
    }
    return NULL;
}

/* Defect: the client stored the PSK identity as a ticket inside the session
 * the application returned (heap corruption when that session is shared).
 * One session, shared by many connections on four threads (TSan watches for
 * writes): afterwards it is byte-for-byte what the application made. */
static void test_shared_psk_session_is_not_modified(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    REQUIRE(sctx && cctx);
    shared_psk = make_psk_session(key_a);
    REQUIRE(shared_psk != NULL);
    unsigned char *before = NULL, *after = NULL;
    int before_len = i2d_SSL_SESSION(shared_psk, &before);
    SSL_CTX_set_psk_use_session_callback(cctx, use_shared_cb);
    SSL_CTX_set_psk_find_session_callback(sctx, find_cb);
    memcpy(server_key, key_a, 32);
    struct psk_worker w[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct psk_worker){cctx, sctx, 0, 0};
        CHECK(pthread_create(&th[i], NULL, psk_worker_run, &w[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ_INT(w[i].ok, 20);
        CHECK_EQ_INT(w[i].reused, 20);
    }
    const unsigned char *tick = NULL;
    size_t tick_len = 1;
    SSL_SESSION_get0_ticket(shared_psk, &tick, &tick_len);
    CHECK(tick == NULL && tick_len == 0);
    int after_len = i2d_SSL_SESSION(shared_psk, &after);
    CHECK(before_len > 0 && before_len == after_len && memcmp(before, after, before_len) == 0);
    CHECK_EQ_INT(atomic_load(&shared_psk->references), 1); /* every reference given back */
    OPENSSL_free(before);
    OPENSSL_free(after);
    SSL_SESSION_free(shared_psk);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

TEST_MAIN({
    pair_pki_init(&pki);
    RUN(test_shared_psk_session_is_not_modified);
    RUN(test_session_callbacks);
    RUN(test_key_callbacks);
    RUN(test_psk_ke_without_dhe);
    pair_pki_free(&pki);
})

/* Secrets never stay behind in freed heap memory.
 *
 * The whole process allocates through our allocator (CRYPTO_set_mem_functions,
 * installed before anything else runs).  realloc always moves, as a real one
 * may.  While "armed", every block freed is copied aside (with libc's
 * malloc); afterwards the copies are searched for the secrets the operation
 * handled.  A writer that grows its buffer with a plain realloc, or a buffer
 * freed without OPENSSL_clear_free, leaves a copy and fails the test.
 *
 * Covered: i2d_SSL_SESSION / d2i_SSL_SESSION / PEM of a client session (its
 * resumption PSK), and the server's ticket sealing (the serialized session
 * with the ticket's PSK) and the client's ticket processing. */
#include "testutil.h"

#include "pair.h"

#include "internal.h"

#define HDR 16

struct freed {
    unsigned char *copy;
    size_t len;
};
static struct freed *freed;
static size_t num_freed, cap_freed;
static int armed;

static void *t_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    unsigned char *p = malloc(n + HDR);
    if (p == NULL)
        return NULL;
    memcpy(p, &n, sizeof(n));
    return p + HDR;
}

static void keep_copy(const unsigned char *p, size_t n)
{
    if (num_freed == cap_freed) {
        size_t nc = cap_freed ? 2 * cap_freed : 1024;
        struct freed *f = realloc(freed, nc * sizeof(*f));
        if (f == NULL)
            abort();
        freed = f;
        cap_freed = nc;
    }
    unsigned char *c = malloc(n ? n : 1);
    if (c == NULL)
        abort();
    memcpy(c, p, n);
    freed[num_freed].copy = c;
    freed[num_freed++].len = n;
}

static void t_free(void *ptr, const char *file, int line)
{
    (void)file;
    (void)line;
    if (ptr == NULL)
        return;
    unsigned char *p = (unsigned char *)ptr - HDR;
    size_t n;
    memcpy(&n, p, sizeof(n));
    if (armed)
        keep_copy(ptr, n);
    free(p);
}

static void *t_realloc(void *ptr, size_t n, const char *file, int line)
{
    if (ptr == NULL)
        return t_malloc(n, file, line);
    if (n == 0) {
        t_free(ptr, file, line);
        return NULL;
    }
    void *q = t_malloc(n, file, line);
    if (q == NULL)
        return NULL;
    size_t old;
    memcpy(&old, (unsigned char *)ptr - HDR, sizeof(old));
    memcpy(q, ptr, old < n ? old : n);
    t_free(ptr, file, line); /* a moving realloc leaves the old block behind */
    return q;
}

static void disarm_and_forget(void)
{
    armed = 0;
    for (size_t i = 0; i < num_freed; i++)
        free(freed[i].copy);
    num_freed = 0;
}

/* blocks_holding: freed blocks (since armed) that contain |secret|. */
static int blocks_holding(const uint8_t *secret, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < num_freed; i++)
        for (size_t j = 0; j + len <= freed[i].len; j++)
            if (memcmp(freed[i].copy + j, secret, len) == 0) {
                n++;
                break;
            }
    return n;
}

static TEST_PKI pki;

/* A client session after a full handshake (certificates, ticket). */
static SSL_SESSION *client_session(SSL_CTX *cctx, SSL_CTX *sctx)
{
    SSL *c, *s;
    if (!pair_new(cctx, sctx, &c, &s) || !pair_handshake(c, s))
        return NULL;
    pair_pump_client(c);
    SSL_SESSION *sess = SSL_get1_session(c);
    SSL_shutdown(c);
    SSL_shutdown(s);
    SSL_free(c);
    SSL_free(s);
    return sess;
}

static void test_session_encoding_leaves_no_psk(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    REQUIRE(sctx && cctx);
    SSL_SESSION *sess = client_session(cctx, sctx);
    REQUIRE(sess != NULL && SSL_SESSION_is_resumable(sess));
    uint8_t psk[64];
    size_t psk_len = SSL_SESSION_get_master_key(sess, psk, sizeof(psk));
    REQUIRE(psk_len >= 32);

    armed = 1;
    unsigned char *der = NULL;
    int dlen = i2d_SSL_SESSION(sess, &der);
    CHECK(dlen > 0);
    const unsigned char *p = der;
    SSL_SESSION *copy = d2i_SSL_SESSION(NULL, &p, dlen);
    CHECK(copy != NULL);
    OPENSSL_clear_free(der, (size_t)dlen); /* the application's own buffer */
    BIO *mem = BIO_new(BIO_s_mem());
    CHECK(PEM_write_bio_SSL_SESSION(mem, copy) == 1);
    BIO_free(mem); /* (the PEM text is the application's to wipe) */
    SSL_SESSION_free(copy);
    armed = 0;
    CHECK_EQ_INT(blocks_holding(psk, psk_len), 0);
    disarm_and_forget();

    OPENSSL_cleanse(psk, sizeof(psk));
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* The server seals the serialized session (with the ticket's PSK) into each
 * ticket; the client derives the same PSK from the ticket.  Neither may
 * leave it behind. */
static void test_ticket_issue_leaves_no_psk(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    REQUIRE(sctx && cctx);
    SSL_CTX_set_num_tickets(sctx, 0);
    SSL *c, *s;
    REQUIRE(pair_new(cctx, sctx, &c, &s) && pair_handshake(c, s));
    armed = 1;
    CHECK(SSL_new_session_ticket(s) == 1);
    CHECK(SSL_do_handshake(s) == 1); /* sends it */
    pair_pump_client(c);
    armed = 0;
    SSL_SESSION *got = SSL_get1_session(c);
    REQUIRE(got != NULL && SSL_SESSION_is_resumable(got));
    uint8_t psk[64];
    size_t psk_len = SSL_SESSION_get_master_key(got, psk, sizeof(psk));
    REQUIRE(psk_len >= 32);
    CHECK_EQ_INT(blocks_holding(psk, psk_len), 0);
    disarm_and_forget();
    OPENSSL_cleanse(psk, sizeof(psk));
    SSL_SESSION_free(got);
    SSL_shutdown(c);
    SSL_shutdown(s);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* The detector itself: a secret in a block freed without wiping is found. */
static void test_detector_finds_unwiped_secret(void)
{
    uint8_t secret[32];
    for (size_t i = 0; i < sizeof(secret); i++)
        secret[i] = (uint8_t)(0xa5 ^ (i * 29));
    armed = 1;
    uint8_t *a = OPENSSL_malloc(100), *b = OPENSSL_malloc(100);
    REQUIRE(a != NULL && b != NULL);
    memcpy(a + 10, secret, sizeof(secret));
    memcpy(b + 10, secret, sizeof(secret));
    a = OPENSSL_realloc(a, 5000); /* moves: the old block keeps a copy */
    OPENSSL_clear_free(a, 5000);
    OPENSSL_clear_free(b, 100);
    armed = 0;
    CHECK_EQ_INT(blocks_holding(secret, sizeof(secret)), 1);
    disarm_and_forget();
}

int main(void)
{
    if (!CRYPTO_set_mem_functions(t_malloc, t_realloc, t_free)) {
        fprintf(stderr, "CRYPTO_set_mem_functions failed: something allocated first\n");
        return 1;
    }
    pair_pki_init(&pki);
    RUN(test_detector_finds_unwiped_secret);
    RUN(test_session_encoding_leaves_no_psk);
    RUN(test_ticket_issue_leaves_no_psk);
    pair_pki_free(&pki);
    free(freed);
    fprintf(stderr, "%s: %d checks, %d failed\n", __FILE__, test_checks, test_failures);
    return test_failures != 0;
}

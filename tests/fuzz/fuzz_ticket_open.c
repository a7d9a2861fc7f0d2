/* Fuzz target: sess_ticket_accept (src/session/ticket.c), the server's
 * resolution of a PSK identity, on a real SSL_CTX / SSL made with the public
 * API: stateless tickets, application keys set with
 * SSL_CTX_set_tlsext_ticket_keys (FUZZ_TICKET_KEYS, OpenSSL's layout: key
 * name || IV || AES-256-CBC || HMAC-SHA256) and the fixed clock, so the
 * corpus ticket (issued by gen_corpus through a real handshake on a context
 * configured the same way) stays valid.
 * Input: the raw ticket (PSK identity) bytes.  Each input is also tried on
 * a second context with the default key ring (sesame's own ticket format:
 * version || key name || nonce || AES-256-GCM), whose random key cannot be
 * seeded, so that one only exercises the framing checks before the AEAD.
 * Past the MAC, the decoder of the ticket plaintext is fuzzed directly by
 * fuzz_d2i_ssl_session (sess_decode with for_ticket=1). */
#include "fuzz_common.h"

#include "internal.h"

static SSL_CTX *g_app_ctx;  /* application keys: OpenSSL ticket format */
static SSL_CTX *g_ring_ctx; /* default key ring: sesame ticket format */
static SSL *g_app_ssl, *g_ring_ssl;

static void init(void)
{
    if (g_app_ctx != NULL)
        return;
    g_app_ctx = fuzz_server_ctx();
    g_ring_ctx = SSL_CTX_new(TLS_server_method());
    FUZZ_ASSERT(g_app_ctx != NULL && g_ring_ctx != NULL);
    g_app_ssl = SSL_new(g_app_ctx);
    g_ring_ssl = SSL_new(g_ring_ctx);
    FUZZ_ASSERT(g_app_ssl != NULL && g_ring_ssl != NULL);
    SSL_set_accept_state(g_app_ssl);
    SSL_set_accept_state(g_ring_ssl);
}

static void accept_one(SSL *s, const uint8_t *data, size_t size)
{
    SSL_SESSION *sess = (SSL_SESSION *)(uintptr_t)1;
    int renew = -1;
    int r = sess_ticket_accept(s, data, size, &sess, &renew);
    /* 0 only on internal failure; never with a session */
    FUZZ_ASSERT(r == 1 || sess == NULL);
    FUZZ_ASSERT(renew == 0 || renew == 1);
    if (getenv("FUZZ_VERBOSE") != NULL) /* is the seed ticket still accepted? */
        fprintf(stderr, "%s: %s\n", s == g_app_ssl ? "app keys" : "key ring",
                sess != NULL ? "session" : "no session (full handshake)");
    if (sess != NULL) {
        /* a usable session: the getters the handshake relies on */
        const unsigned char *t = NULL;
        size_t tl = 0;
        unsigned int idl = 0;
        (void)SSL_SESSION_get_master_key(sess, NULL, 0);
        (void)SSL_SESSION_get_id(sess, &idl);
        SSL_SESSION_get0_ticket(sess, &t, &tl);
        SSL_SESSION_free(sess);
    }
    ERR_clear_error();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    accept_one(g_app_ssl, data, size);
    accept_one(g_ring_ssl, data, size);
    return 0;
}

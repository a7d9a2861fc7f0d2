/* The server's handshake steps as the info callback reports them: the
 * SSL_CB_ACCEPT_LOOP states (SSL_state_string_long, what `s_server -state`
 * prints), SSL_CB_HANDSHAKE_START and SSL_CB_HANDSHAKE_DONE, for TLS 1.3 full,
 * resumed, through a HelloRetryRequest and with a client certificate, and
 * TLS 1.2 full, resumed and with a client certificate.
 *
 * The expected sequences are OpenSSL 3.0's, measured on the system libssl
 * (3.0.x) with this file: it uses the public API only, and
 * tests/CMakeLists.txt also builds it against the system libssl and runs it as
 * unit.info_states.openssl (the marker for tests/CMakeLists.txt:
 * "ctest-control: openssl"), so the sequences below are OpenSSL's on every
 * run.  SSL_CB_ACCEPT_EXIT is left out: how often a step returns WANT_READ
 * depends on how the records were cut, not on the step.  What sesame reports
 * otherwise on purpose (docs/NOTES.md, "States") is not exercised here: the
 * compatibility CCS step for a client with an empty legacy_session_id (OpenSSL
 * sends and reports one anyway; sesame sends none), and the moment the last
 * step of the server's flight is reported the second time.
 *
 * With SESAME_INFO_STATES_PRINT set in the environment, the sequences seen
 * are printed (how the expectations were recorded). */
#include "testutil.h"

#include <stdarg.h>

#include "control.h"
#include "pair.h"

static TEST_PKI pki;

/* ---- the recorder --------------------------------------------------- */

#define MAX_EVENTS 64

struct events {
    int n;
    const char *ev[MAX_EVENTS];
};

static struct events server_events;

static void record(struct events *e, const char *what)
{
    if (e->n < MAX_EVENTS)
        e->ev[e->n] = what;
    e->n++;
}

static void info_cb(const SSL *s, int where, int ret)
{
    (void)ret;
    if (!SSL_is_server((SSL *)s))
        return;
    /* The names are static strings in both libraries. */
    if (where & SSL_CB_HANDSHAKE_START)
        record(&server_events, "START");
    if (where & SSL_CB_HANDSHAKE_DONE)
        record(&server_events, "DONE");
    if ((where & SSL_CB_LOOP) != 0)
        record(&server_events, SSL_state_string_long(s));
}

/* check_events: the server's events equal |want| (NULL-terminated). */
static void check_events(const char *what, const char *const *want)
{
    int n = 0;
    while (want[n] != NULL)
        n++;
    int same = server_events.n == n;
    for (int i = 0; same && i < n; i++)
        same = strcmp(server_events.ev[i], want[i]) == 0;
    if (getenv("SESAME_INFO_STATES_PRINT") != NULL || !same) {
        fprintf(stderr, "  %s: server reported%s\n", what, same ? "" : " (differs)");
        int m = server_events.n > n ? server_events.n : n;
        for (int i = 0; i < m && i < MAX_EVENTS; i++)
            fprintf(stderr, "    %-45s %s %s\n", i < server_events.n ? server_events.ev[i] : "-",
                    i < server_events.n && i < n && strcmp(server_events.ev[i], want[i]) == 0
                        ? "  "
                        : "!=",
                    i < n ? want[i] : "-");
    }
    CHECK(same);
}

/* ---- the handshakes ------------------------------------------------- */

struct setup {
    int version;          /* TLS1_3_VERSION or TLS1_2_VERSION */
    const char *s_groups; /* server's groups, NULL: default */
    const char *c_groups; /* client's groups, NULL: default */
    int client_cert;      /* the server asks for one, the client has one */
};

static SSL_CTX *new_server_ctx(const struct setup *u)
{
    SSL_CTX *sctx = pair_server_ctx(&pki);
    if (sctx == NULL)
        return NULL;
    SSL_CTX_set_min_proto_version(sctx, u->version);
    SSL_CTX_set_max_proto_version(sctx, u->version);
    SSL_CTX_set_info_callback(sctx, info_cb);
    SSL_CTX_set_session_id_context(sctx, (const unsigned char *)"states", 6);
    if (u->s_groups != NULL)
        SSL_CTX_set1_groups_list(sctx, u->s_groups);
    if (u->client_cert) {
        X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), pki.ca);
        SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    }
    return sctx;
}

static SSL_CTX *new_client_ctx(const struct setup *u)
{
    SSL_CTX *cctx = pair_client_ctx(&pki);
    if (cctx == NULL)
        return NULL;
    SSL_CTX_set_min_proto_version(cctx, u->version);
    SSL_CTX_set_max_proto_version(cctx, u->version);
    if (u->c_groups != NULL)
        SSL_CTX_set1_groups_list(cctx, u->c_groups);
    if (u->client_cert) {
        SSL_CTX_use_certificate(cctx, pki.leaf);
        SSL_CTX_use_PrivateKey(cctx, pki.leaf_key);
    }
    return cctx;
}

/* handshake: one connection; records the server's events; returns the
 * client's session (with the tickets read) when |out_sess| is set. */
static int handshake(SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *resume, int want_hit,
                     SSL_SESSION **out_sess)
{
    SSL *c = NULL, *s = NULL;
    int ok = 0;
    memset(&server_events, 0, sizeof(server_events));
    if (!pair_new(cctx, sctx, &c, &s))
        return 0;
    if (resume != NULL)
        SSL_set_session(c, resume);
    if (!pair_handshake(c, s))
        goto done;
    /* the server's tickets (TLS 1.3) reach the client, and the server's
     * reads after the handshake are on record too */
    if (!pair_roundtrip(c, s, "ping"))
        goto done;
    if (SSL_session_reused(s) != want_hit)
        goto done;
    if (out_sess != NULL)
        *out_sess = SSL_get1_session(c);
    ok = 1;
done:
    /* a connection freed without a close_notify is no longer resumable */
    SSL_shutdown(c);
    SSL_shutdown(s);
    SSL_free(c);
    SSL_free(s);
    return ok;
}

/* The sequences (OpenSSL 3.0's server). */
#define ST_BEFORE "before SSL initialization"
#define ST_RCH    "SSLv3/TLS read client hello"
#define ST_WSH    "SSLv3/TLS write server hello"
#define ST_WCCS   "SSLv3/TLS write change cipher spec"
#define ST_WEE    "TLSv1.3 write encrypted extensions"
#define ST_WCR    "SSLv3/TLS write certificate request"
#define ST_WC     "SSLv3/TLS write certificate"
#define ST_WCV    "TLSv1.3 write server certificate verify"
#define ST_WFIN   "SSLv3/TLS write finished"
#define ST_EARLY  "TLSv1.3 early data"
#define ST_RCC    "SSLv3/TLS read client certificate"
#define ST_RCV    "SSLv3/TLS read certificate verify"
#define ST_RFIN   "SSLv3/TLS read finished"
#define ST_WST    "SSLv3/TLS write session ticket"
#define ST_OK     "SSL negotiation finished successfully"
#define ST_WSKE   "SSLv3/TLS write key exchange"
#define ST_WSD    "SSLv3/TLS write server done"
#define ST_RCKE   "SSLv3/TLS read client key exchange"
#define ST_RCCS   "SSLv3/TLS read change cipher spec"

static void run_case(const char *what, const struct setup *u, int resumed, const char *const *want)
{
    SSL_CTX *sctx = new_server_ctx(u), *cctx = new_client_ctx(u);
    REQUIRE(sctx != NULL && cctx != NULL);
    SSL_SESSION *sess = NULL;
    CHECK(handshake(cctx, sctx, NULL, 0, resumed ? &sess : NULL));
    if (resumed) {
        REQUIRE(sess != NULL);
        CHECK(handshake(cctx, sctx, sess, 1, NULL));
        SSL_SESSION_free(sess);
    }
    check_events(what, want);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_tls13_full(void)
{
    static const struct setup u = {TLS1_3_VERSION, NULL, NULL, 0};
    static const char *const want[] = {"START", ST_BEFORE, ST_BEFORE, ST_RCH,  ST_WSH,   ST_WCCS,
                                       ST_WEE,  ST_WC,     ST_WCV,    ST_WFIN, ST_EARLY, ST_EARLY,
                                       ST_RFIN, "DONE",    ST_WST,    ST_WST,  NULL};
    run_case("TLS 1.3 full", &u, 0, want);
}

static void test_tls13_resumed(void)
{
    static const struct setup u = {TLS1_3_VERSION, NULL, NULL, 0};
    static const char *const want[] = {"START", ST_BEFORE, ST_BEFORE, ST_RCH,   ST_WSH,
                                       ST_WCCS, ST_WEE,    ST_WFIN,   ST_EARLY, ST_EARLY,
                                       ST_RFIN, "DONE",    ST_WST,    NULL};
    run_case("TLS 1.3 resumed", &u, 1, want);
}

static void test_tls13_hrr(void)
{
    static const struct setup u = {TLS1_3_VERSION, "P-384", "X25519:P-384", 0};
    static const char *const want[] = {"START",  ST_BEFORE, ST_BEFORE, ST_RCH,   ST_WSH,  ST_WCCS,
                                       ST_EARLY, ST_EARLY,  ST_RCH,    ST_WSH,   ST_WEE,  ST_WC,
                                       ST_WCV,   ST_WFIN,   ST_EARLY,  ST_EARLY, ST_RFIN, "DONE",
                                       ST_WST,   ST_WST,    NULL};
    run_case("TLS 1.3 HelloRetryRequest", &u, 0, want);
}

static void test_tls13_client_cert(void)
{
    static const struct setup u = {TLS1_3_VERSION, NULL, NULL, 1};
    static const char *const want[] = {
        "START", ST_BEFORE, ST_BEFORE, ST_RCH, ST_WSH, ST_WCCS, ST_WEE, ST_WCR, ST_WC,  ST_WCV,
        ST_WFIN, ST_EARLY,  ST_EARLY,  ST_RCC, ST_RCV, ST_RFIN, "DONE", ST_WST, ST_WST, NULL};
    run_case("TLS 1.3 client certificate", &u, 0, want);
}

static void test_tls12_full(void)
{
    static const struct setup u = {TLS1_2_VERSION, NULL, NULL, 0};
    static const char *const want[] = {"START", ST_BEFORE, ST_BEFORE, ST_RCH,  ST_WSH,  ST_WC,
                                       ST_WSKE, ST_WSD,    ST_WSD,    ST_RCKE, ST_RCCS, ST_RFIN,
                                       ST_WST,  ST_WCCS,   ST_WFIN,   "DONE",  NULL};
    run_case("TLS 1.2 full", &u, 0, want);
}

static void test_tls12_resumed(void)
{
    static const struct setup u = {TLS1_2_VERSION, NULL, NULL, 0};
    static const char *const want[] = {"START", ST_BEFORE, ST_BEFORE, ST_RCH,  ST_WSH, ST_WCCS,
                                       ST_WFIN, ST_WFIN,   ST_RCCS,   ST_RFIN, "DONE", NULL};
    run_case("TLS 1.2 resumed", &u, 1, want);
}

static void test_tls12_client_cert(void)
{
    static const struct setup u = {TLS1_2_VERSION, NULL, NULL, 1};
    static const char *const want[] = {
        "START", ST_BEFORE, ST_BEFORE, ST_RCH,  ST_WSH,  ST_WC,  ST_WSKE, ST_WCR,  ST_WSD, ST_WSD,
        ST_RCC,  ST_RCKE,   ST_RCV,    ST_RCCS, ST_RFIN, ST_WST, ST_WCCS, ST_WFIN, "DONE", NULL};
    run_case("TLS 1.2 client certificate", &u, 0, want);
}

TEST_MAIN({
    pair_pki_init(&pki);
    CONTROL_RUN();
    RUN(test_tls13_full);
    RUN(test_tls13_resumed);
    RUN(test_tls13_hrr);
    RUN(test_tls13_client_cert);
    RUN(test_tls12_full);
    RUN(test_tls12_resumed);
    RUN(test_tls12_client_cert);
    pair_pki_free(&pki);
})

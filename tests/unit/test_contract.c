/* test_contract.c - the session contract (docs/session-contract.md, clauses
 * S1..S14 and the "boundaries" paragraph), end to end in TLS 1.3 and 1.2: an in-memory
 * client and server (pair.h) talking through the public OpenSSL API.
 *
 * Every test function carries its clause id (grep -n S7 tests/).  The public
 * API has no refcount getter, so S1/S3/S8/S12 read SSL_SESSION.references
 * through internal.h to compare counts exactly; everything else is public.
 * The binary runs under ASan+LSan in CI: a reference the library forgets to
 * take shows up as a use-after-free, one it forgets to drop as a leak.
 *
 * The mapping clause -> test -> assertion is in docs/session-contract-tests.md.
 * The clauses that apply to TLS 1.2 run there too: *_tls12 variants of the
 * same tests (IN_TLS12) and TLS 1.2 tests of their own (S4, S8, boundaries). */
#include "testutil.h"

#include "pair.h"

#include <time.h>

#include "internal.h" /* SSL_SESSION.references, sesame_now_ms, test clock */

static TEST_PKI pki;

static int refs(const SSL_SESSION *s)
{
    return atomic_load(&((SSL_SESSION *)s)->references);
}

/* ---- callbacks ---- */

/* The client's new-session callback: records every session it is given.
 * cap_ret = 1: returns 1 and so keeps the library's reference.
 * cap_ret = 0: takes its own reference with SSL_SESSION_up_ref, returns 0. */
#define MAX_CAP 32
static SSL_SESSION *cap[MAX_CAP];
static int cap_refs_in_cb[MAX_CAP];
static int cap_resumable[MAX_CAP];
static int ncap;
static int cap_ret = 1;

static int new_cb(SSL *ssl, SSL_SESSION *sess)
{
    (void)ssl;
    if (ncap >= MAX_CAP) {
        ncap++;
        return 0;
    }
    cap_refs_in_cb[ncap] = refs(sess);
    cap_resumable[ncap] = SSL_SESSION_is_resumable(sess);
    if (cap_ret == 0)
        SSL_SESSION_up_ref(sess);
    cap[ncap++] = sess;
    return cap_ret;
}

static void cap_reset(void)
{
    for (int i = 0; i < ncap && i < MAX_CAP; i++)
        SSL_SESSION_free(cap[i]);
    memset(cap, 0, sizeof(cap));
    ncap = 0;
    cap_ret = 1;
}

/* The server's new-session callback (sessions behind the tickets it issues). */
static SSL_SESSION *scap[MAX_CAP];
static int nscap;
static int server_new_cb(SSL *ssl, SSL_SESSION *sess)
{
    (void)ssl;
    if (nscap >= MAX_CAP)
        return 0;
    scap[nscap++] = sess;
    return 1;
}

static void scap_reset(void)
{
    for (int i = 0; i < nscap; i++)
        SSL_SESSION_free(scap[i]);
    memset(scap, 0, sizeof(scap));
    nscap = 0;
}

/* A remove callback (shared by client and server contexts; keyed by ctx). */
static int nremoved;
static SSL_CTX *removed_ctx;
static SSL_SESSION *removed[MAX_CAP];
static void remove_cb(SSL_CTX *ctx, SSL_SESSION *sess)
{
    if (nremoved < MAX_CAP)
        removed[nremoved] = sess;
    nremoved++;
    removed_ctx = ctx;
}

static int was_removed(const SSL_SESSION *s)
{
    for (int i = 0; i < nremoved && i < MAX_CAP; i++)
        if (removed[i] == s)
            return 1;
    return 0;
}

/* Handshake message types the client received (S4: what is on the wire). */
static int seen[256];
static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                   SSL *ssl, void *arg)
{
    (void)version;
    (void)ssl;
    (void)arg;
    if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0)
        seen[((const uint8_t *)buf)[0]]++;
}

/* Injected clock for the whole library (ticket expiry, ages, key rotation):
 * the real time moved by an offset. */
static int64_t clock_offset_ms;
static uint64_t offset_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 + (uint64_t)clock_offset_ms;
}

/* ---- helpers ---- */

/* The highest version both ends may use: 0 (TLS 1.3), or TLS1_2_VERSION
 * while a clause runs again in TLS 1.2 (its *_tls12 variant). */
static int max_version;

/* version_in_use: what a handshake between server_ctx and client_ctx
 * negotiates. */
static int version_in_use(void)
{
    return max_version != 0 ? max_version : TLS1_3_VERSION;
}

/* per_conn: the sessions a client gets from one full handshake: two tickets
 * in TLS 1.3 (the server's default), the handshake's own in TLS 1.2. */
static int per_conn(void)
{
    return max_version == TLS1_2_VERSION ? 1 : 2;
}

static SSL_CTX *server_ctx(void)
{
    SSL_CTX *c = pair_server_ctx(&pki);
    if (c != NULL && SSL_CTX_set_max_proto_version(c, max_version) != 1) {
        SSL_CTX_free(c);
        return NULL;
    }
    return c;
}

/* client_ctx: with_cache = 1 turns on the client cache and new_cb. */
static SSL_CTX *client_ctx(int with_cache)
{
    SSL_CTX *c = pair_client_ctx(&pki);
    if (c != NULL && SSL_CTX_set_max_proto_version(c, max_version) != 1) {
        SSL_CTX_free(c);
        return NULL;
    }
    if (c != NULL && with_cache) {
        SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT);
        SSL_CTX_sess_set_new_cb(c, new_cb);
    }
    return c;
}

/* conn: a new pair offering |sess| (may be NULL), SNI |sni| (NULL:
 * "localhost"); runs the handshake and, with |pump|, lets the client read the
 * tickets.  Returns 1 iff the handshake succeeded. */
static int conn(SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *sess, const char *sni, int pump, SSL **c,
                SSL **s)
{
    *c = *s = NULL;
    if (!pair_new(cctx, sctx, c, s))
        return 0;
    if (sni != NULL)
        SSL_set_tlsext_host_name(*c, sni);
    if (sess != NULL && SSL_set_session(*c, sess) != 1)
        return 0;
    if (!pair_handshake(*c, *s)) {
        ERR_clear_error();
        return 0;
    }
    if (pump)
        pair_pump_client(*c);
    return 1;
}

/* end_clean: close_notify both ways, then free both ends. */
static void end_clean(SSL *c, SSL *s)
{
    char b[8];
    if (c != NULL && s != NULL) {
        SSL_shutdown(c);
        (void)SSL_read(s, b, sizeof(b));
        SSL_shutdown(s);
        SSL_shutdown(c);
    }
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
}

/* end_dirty: free both ends without any shutdown. */
static void end_dirty(SSL *c, SSL *s)
{
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
}

/* resumes: one connection offering |sess|; 1 if both sides report reuse, 0
 * if the handshake succeeded as a full one, -1 if the handshake failed or the
 * two sides disagree. */
static int resumes(SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *sess, const char *sni)
{
    SSL *c, *s;
    int r = -1;
    if (conn(cctx, sctx, sess, sni, 1, &c, &s)) {
        int rc = SSL_session_reused(c), rs = SSL_session_reused(s);
        r = rc == rs ? rc : -1;
        if (rc != rs)
            fprintf(stderr, "  client reused=%d, server reused=%d\n", rc, rs);
    }
    end_clean(c, s);
    return r;
}

/* fresh_session: a full handshake; returns the client's newest (resumable)
 * session with a reference for the caller. */
static SSL_SESSION *fresh_session(SSL_CTX *cctx, SSL_CTX *sctx)
{
    SSL *c, *s;
    SSL_SESSION *r = NULL;
    if (conn(cctx, sctx, NULL, NULL, 1, &c, &s))
        r = SSL_get1_session(c);
    end_clean(c, s);
    return r;
}

/* ================================================================== S1 */

static void test_S1_get_session_takes_no_reference(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    SSL_SESSION *cs = SSL_get_session(c);
    REQUIRE(cs != NULL);
    int before = refs(cs);
    CHECK_EQ_INT(before, 1); /* no client cache, no callback: only the SSL holds it */
    for (int i = 0; i < 10; i++)
        CHECK(SSL_get_session(c) == cs);
    CHECK_EQ_INT(refs(cs), before);
    CHECK(SSL_get0_session(c) == cs);
    CHECK_EQ_INT(refs(cs), before);
    /* it is the session in use by this connection */
    CHECK_EQ_INT(SSL_SESSION_get_protocol_version(cs), version_in_use());
    CHECK(SSL_SESSION_get0_cipher(cs) == SSL_get_current_cipher(c));
    CHECK(SSL_SESSION_get0_peer(cs) != NULL && X509_cmp(SSL_SESSION_get0_peer(cs), pki.leaf) == 0);

    /* server side */
    SSL_SESSION *ss = SSL_get_session(s);
    REQUIRE(ss != NULL);
    int sb = refs(ss);
    CHECK(SSL_get_session(s) == ss);
    CHECK(SSL_get0_session(s) == ss);
    CHECK_EQ_INT(refs(ss), sb);
    CHECK(SSL_SESSION_get0_cipher(ss) == SSL_get_current_cipher(s));
    CHECK(SSL_SESSION_get0_hostname(ss) != NULL &&
          strcmp(SSL_SESSION_get0_hostname(ss), "localhost") == 0);
    end_clean(c, s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ================================================================== S2 */

static void test_S2_get0_is_get_session(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    SSL_SESSION *sess = fresh_session(cctx, sctx);
    REQUIRE(sess != NULL);
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    /* before anything: both NULL */
    CHECK(SSL_get0_session(c) == SSL_get_session(c) && SSL_get_session(c) == NULL);
    CHECK(SSL_get0_session(s) == SSL_get_session(s) && SSL_get_session(s) == NULL);
    /* after SSL_set_session: both the given session */
    CHECK(SSL_set_session(c, sess) == 1);
    CHECK(SSL_get0_session(c) == sess && SSL_get_session(c) == sess);
    /* after the handshake (before the tickets) and after them */
    REQUIRE(pair_handshake(c, s));
    CHECK(SSL_get0_session(c) == SSL_get_session(c) && SSL_get_session(c) != NULL);
    CHECK(SSL_get0_session(s) == SSL_get_session(s) && SSL_get_session(s) != NULL);
    pair_pump_client(c);
    CHECK(SSL_get0_session(c) == SSL_get_session(c) && SSL_get_session(c) != NULL);
    /* get1 returns the same pointer */
    SSL_SESSION *g = SSL_get1_session(c);
    CHECK(g == SSL_get0_session(c));
    SSL_SESSION_free(g);
    /* after SSL_clear of a cleanly shut down connection: still equal */
    SSL_shutdown(c);
    char b[8];
    (void)SSL_read(s, b, sizeof(b));
    SSL_shutdown(s);
    SSL_shutdown(c);
    ERR_clear_error();
    CHECK(SSL_clear(c) == 1);
    CHECK(SSL_get0_session(c) == SSL_get_session(c));
    SSL_free(c);
    SSL_free(s);
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ================================================================== S3 */

static void test_S3_get1_reference_outlives_ssl(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    SSL_SESSION *cs = SSL_get_session(c);
    REQUIRE(cs != NULL);
    int r0 = refs(cs);
    SSL_SESSION *g = SSL_get1_session(c);
    CHECK(g == cs);
    CHECK_EQ_INT(refs(g), r0 + 1);
    SSL_SESSION *g2 = SSL_get1_session(c);
    CHECK(g2 == cs);
    CHECK_EQ_INT(refs(g), r0 + 2);
    SSL_SESSION_free(g2);
    CHECK_EQ_INT(refs(g), r0 + 1);
    /* server side too */
    SSL_SESSION *sg = SSL_get1_session(s);
    REQUIRE(sg != NULL);
    CHECK(sg == SSL_get_session(s));
    end_clean(c, s);
    /* the SSLs are gone: only the caller's references are left */
    CHECK_EQ_INT(refs(g), 1);
    CHECK_EQ_INT(refs(sg), 1);
    CHECK_EQ_INT(SSL_SESSION_get_protocol_version(g), version_in_use());
    CHECK(SSL_SESSION_is_resumable(g));
    CHECK(SSL_SESSION_get0_cipher(sg) != NULL);
    /* still fully usable */
    CHECK_EQ_INT(resumes(cctx, sctx, g, NULL), 1);
    SSL_SESSION_free(g); /* the last reference: ASan would flag a double free */
    SSL_SESSION_free(sg);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ================================================================== S4 */

/* A session holds everything needed to reconnect without a full handshake:
 * on resumption no Certificate / CertificateVerify reaches the client, also
 * after a round trip through DER and PEM. */
static void test_S4_resumption_skips_certificates(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    SSL_CTX_set_msg_callback(cctx, msg_cb);
    memset(seen, 0, sizeof(seen));
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    CHECK(seen[SSL3_MT_CERTIFICATE] == 1 && seen[SSL3_MT_CERTIFICATE_VERIFY] == 1);
    CHECK(SSL_session_reused(c) == 0);
    SSL_SESSION *sess = SSL_get1_session(c);
    end_clean(c, s);
    REQUIRE(sess != NULL && SSL_SESSION_is_resumable(sess));

    memset(seen, 0, sizeof(seen));
    long hits0 = SSL_CTX_sess_hits(sctx);
    REQUIRE(conn(cctx, sctx, sess, NULL, 1, &c, &s));
    CHECK(SSL_session_reused(c) == 1 && SSL_session_reused(s) == 1);
    CHECK_EQ_INT(seen[SSL3_MT_CERTIFICATE], 0);
    CHECK_EQ_INT(seen[SSL3_MT_CERTIFICATE_VERIFY], 0);
    CHECK_EQ_INT(seen[SSL3_MT_FINISHED], 1);
    CHECK_EQ_INT(SSL_CTX_sess_hits(sctx) - hits0, 1);
    /* the peer's identity comes from the session */
    CHECK(SSL_get0_peer_certificate(c) != NULL &&
          X509_cmp(SSL_get0_peer_certificate(c), pki.leaf) == 0);
    CHECK(SSL_get_verify_result(c) == X509_V_OK);
    /* a server that asked for no certificate: X509_V_OK, also when resumed
     * (OpenSSL; nginx's ssl_verify_client optional relies on it) */
    CHECK_EQ_INT(SSL_get_verify_result(s), X509_V_OK);
    CHECK(pair_roundtrip(c, s, "resumed"));
    end_clean(c, s);

    /* DER round trip: the decoded copy alone is enough */
    unsigned char *der = NULL;
    int dlen = i2d_SSL_SESSION(sess, &der);
    CHECK(dlen > 0);
    const unsigned char *p = der;
    SSL_SESSION *fromder = d2i_SSL_SESSION(NULL, &p, dlen);
    OPENSSL_free(der);
    REQUIRE(fromder != NULL);
    CHECK(SSL_SESSION_is_resumable(fromder));
    /* PEM round trip */
    BIO *mem = BIO_new(BIO_s_mem());
    CHECK(PEM_write_bio_SSL_SESSION(mem, sess) == 1);
    SSL_SESSION *frompem = PEM_read_bio_SSL_SESSION(mem, NULL, NULL, NULL);
    BIO_free(mem);
    REQUIRE(frompem != NULL);
    SSL_SESSION_free(sess); /* the original is gone */
    memset(seen, 0, sizeof(seen));
    CHECK_EQ_INT(resumes(cctx, sctx, fromder, NULL), 1);
    CHECK_EQ_INT(seen[SSL3_MT_CERTIFICATE], 0);
    memset(seen, 0, sizeof(seen));
    CHECK_EQ_INT(resumes(cctx, sctx, frompem, NULL), 1);
    CHECK_EQ_INT(seen[SSL3_MT_CERTIFICATE], 0);
    SSL_SESSION_free(fromder);
    SSL_SESSION_free(frompem);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* S4 in TLS 1.2, where the clause applies directly (the session is all it
 * takes): resumable as soon as the handshake ends, by ticket and by session
 * id, also after DER and PEM round trips; no Certificate, ServerKeyExchange
 * or ServerHelloDone on the wire when resumed. */
static void s4_tls12(int by_id)
{
    max_version = TLS1_2_VERSION;
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    if (by_id)
        SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    REQUIRE(conn(cctx, sctx, NULL, NULL, 0, &c, &s));
    CHECK(strcmp(SSL_get_version(c), "TLSv1.2") == 0);
    SSL_SESSION *sess = SSL_get1_session(c);
    /* TLS 1.2: resumable right after the handshake, without reading on */
    CHECK(sess != NULL && SSL_SESSION_is_resumable(sess));
    CHECK_EQ_INT(SSL_SESSION_has_ticket(sess), !by_id);
    end_clean(c, s);
    SSL_CTX_set_msg_callback(cctx, msg_cb);
    long hits0 = SSL_CTX_sess_hits(sctx);
    memset(seen, 0, sizeof(seen));
    REQUIRE(conn(cctx, sctx, sess, NULL, 0, &c, &s));
    CHECK(SSL_session_reused(c) == 1 && SSL_session_reused(s) == 1);
    CHECK_EQ_INT(seen[SSL3_MT_SERVER_HELLO], 1);
    CHECK_EQ_INT(seen[SSL3_MT_CERTIFICATE], 0);
    CHECK_EQ_INT(seen[SSL3_MT_SERVER_KEY_EXCHANGE], 0);
    CHECK_EQ_INT(seen[SSL3_MT_SERVER_DONE], 0);
    CHECK_EQ_INT(seen[SSL3_MT_FINISHED], 1);
    /* a hit either way (OpenSSL counts tickets too); only an id needs the
     * server's cache */
    CHECK_EQ_INT(SSL_CTX_sess_hits(sctx) - hits0, 1);
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), by_id ? 1 : 0);
    CHECK(SSL_get0_peer_certificate(c) != NULL &&
          X509_cmp(SSL_get0_peer_certificate(c), pki.leaf) == 0);
    CHECK(SSL_get_verify_result(c) == X509_V_OK);
    /* no client certificate asked for: X509_V_OK on the server, also when
     * resumed (OpenSSL; nginx's ssl_verify_client optional relies on it) */
    CHECK_EQ_INT(SSL_get_verify_result(s), X509_V_OK);
    CHECK(pair_roundtrip(c, s, "resumed in TLS 1.2"));
    end_clean(c, s);
    /* DER and PEM round trips: the decoded copy alone is enough */
    unsigned char *der = NULL;
    int dlen = i2d_SSL_SESSION(sess, &der);
    const unsigned char *p = der;
    SSL_SESSION *fromder = dlen > 0 ? d2i_SSL_SESSION(NULL, &p, dlen) : NULL;
    OPENSSL_free(der);
    BIO *mem = BIO_new(BIO_s_mem());
    CHECK(PEM_write_bio_SSL_SESSION(mem, sess) == 1);
    SSL_SESSION *frompem = PEM_read_bio_SSL_SESSION(mem, NULL, NULL, NULL);
    BIO_free(mem);
    SSL_SESSION_free(sess);
    REQUIRE(fromder != NULL && frompem != NULL);
    memset(seen, 0, sizeof(seen));
    CHECK_EQ_INT(resumes(cctx, sctx, fromder, NULL), 1);
    CHECK_EQ_INT(resumes(cctx, sctx, frompem, NULL), 1);
    CHECK_EQ_INT(seen[SSL3_MT_CERTIFICATE], 0);
    SSL_SESSION_free(fromder);
    SSL_SESSION_free(frompem);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    max_version = 0;
}

static void test_S4_tls12_resumption(void)
{
    s4_tls12(0); /* by ticket (RFC 5077) */
    s4_tls12(1); /* by session id, from the server's cache */
}

/* ================================================================== S5 */

static void test_S5_no_tickets_means_no_session(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(1);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    cap_reset();
    CHECK(SSL_CTX_set_num_tickets(sctx, 0) == 1);
    CHECK_EQ_INT(SSL_CTX_get_num_tickets(sctx), 0);
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    CHECK(pair_roundtrip(c, s, "data, but no ticket"));
    CHECK_EQ_INT(ncap, 0);
    SSL_SESSION *cs = SSL_get1_session(c);
    CHECK(cs != NULL && !SSL_SESSION_is_resumable(cs));
    end_clean(c, s);
    /* the non-resumable session cannot resume: full handshake, not a failure */
    CHECK_EQ_INT(resumes(cctx, sctx, cs, NULL), 0);
    SSL_SESSION_free(cs);
    cap_reset();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_S5_tickets_sent_later(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(1);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    cap_reset();
    SSL_CTX_set_num_tickets(sctx, 0);
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    /* application data first */
    CHECK(pair_roundtrip(c, s, "first the data"));
    CHECK(pair_roundtrip(c, s, "then more data"));
    CHECK_EQ_INT(ncap, 0);
    CHECK(!SSL_SESSION_is_resumable(SSL_get_session(c)));
    CHECK(SSL_new_session_ticket(c) == 0); /* only servers issue tickets */
    ERR_clear_error();
    /* the server decides, much later, to send two tickets */
    CHECK(SSL_new_session_ticket(s) == 1);
    CHECK(SSL_new_session_ticket(s) == 1);
    CHECK(SSL_write(s, "late", 4) == 4); /* the tickets go out with the next write */
    char b[16];
    CHECK(SSL_read(c, b, sizeof(b)) == 4);
    CHECK_EQ_INT(ncap, 2);
    CHECK(ncap >= 2 && cap_resumable[0] && cap_resumable[1]);
    CHECK(SSL_SESSION_is_resumable(SSL_get_session(c)));
    CHECK(ncap >= 2 && SSL_get_session(c) == cap[1]);
    SSL_SESSION *sess = SSL_get1_session(c);
    end_clean(c, s);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 1);
    SSL_SESSION_free(sess);
    cap_reset();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ================================================================== S6 */

static void test_S6_not_resumable_before_ticket(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(1);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    cap_reset();
    REQUIRE(conn(cctx, sctx, NULL, NULL, 0, &c, &s)); /* no SSL_read yet */
    SSL_SESSION *early = SSL_get1_session(c);
    REQUIRE(early != NULL);
    CHECK(SSL_get_session(c) == early && SSL_get0_session(c) == early);
    CHECK_EQ_INT(SSL_SESSION_is_resumable(early), 0);
    CHECK_EQ_INT(SSL_SESSION_has_ticket(early), 0);
    CHECK_EQ_INT(SSL_SESSION_get_protocol_version(early), TLS1_3_VERSION);
    CHECK_EQ_INT(ncap, 0);
    /* offering it: the handshake succeeds as a full one */
    CHECK_EQ_INT(resumes(cctx, sctx, early, NULL), 0);
    cap_reset();
    /* now the tickets arrive */
    pair_pump_client(c);
    CHECK_EQ_INT(ncap, 2);
    SSL_SESSION *later = SSL_get_session(c);
    CHECK(later != NULL && later != early);
    CHECK_EQ_INT(SSL_SESSION_is_resumable(later), 1);
    CHECK_EQ_INT(SSL_SESSION_is_resumable(early), 0); /* the old object did not change */
    SSL_SESSION *g = SSL_get1_session(c);
    end_clean(c, s);
    CHECK_EQ_INT(resumes(cctx, sctx, g, NULL), 1);
    SSL_SESSION_free(g);
    SSL_SESSION_free(early);
    cap_reset();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ================================================================== S7 */

static void test_S7_last_ticket_wins(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(1);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    cap_reset();
    CHECK(SSL_CTX_set_num_tickets(sctx, 5) == 1);
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    CHECK_EQ_INT(ncap, 5);
    REQUIRE(ncap == 5);
    for (int i = 0; i < 5; i++) {
        CHECK(cap_resumable[i]);
        for (int j = 0; j < i; j++)
            CHECK(cap[i] != cap[j]);
    }
    CHECK(SSL_get_session(c) == cap[4]);
    CHECK(SSL_get0_session(c) == cap[4]);
    SSL_SESSION *g = SSL_get1_session(c);
    CHECK(g == cap[4]);
    /* the tickets differ */
    const unsigned char *t0, *t4;
    size_t l0, l4;
    SSL_SESSION_get0_ticket(cap[0], &t0, &l0);
    SSL_SESSION_get0_ticket(cap[4], &t4, &l4);
    CHECK(l0 > 0 && l4 > 0 && (l0 != l4 || memcmp(t0, t4, l0) != 0));
    /* more tickets on the same connection: the newest wins again */
    CHECK(SSL_new_session_ticket(s) == 1);
    CHECK(SSL_write(s, "x", 1) == 1);
    char b[4];
    CHECK(SSL_read(c, b, sizeof(b)) == 1);
    CHECK_EQ_INT(ncap, 6);
    CHECK(ncap == 6 && SSL_get_session(c) == cap[5]);
    end_clean(c, s);
    CHECK_EQ_INT(resumes(cctx, sctx, g, NULL), 1);
    CHECK_EQ_INT(resumes(cctx, sctx, cap[0], NULL), 1); /* every ticket is a session */
    SSL_SESSION_free(g);
    cap_reset();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ================================================================== S8 */

static void test_S8_callback_once_per_ticket(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(1);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    cap_reset();
    SSL_CTX_set_num_tickets(sctx, 3);
    REQUIRE(conn(cctx, sctx, NULL, NULL, 0, &c, &s));
    CHECK_EQ_INT(ncap, 0); /* the handshake's own session is not announced */
    pair_pump_client(c);
    CHECK_EQ_INT(ncap, 3);
    for (int i = 0; i < ncap && i < MAX_CAP; i++)
        CHECK(cap_resumable[i]);
    pair_pump_client(c); /* nothing new: no extra callback */
    CHECK(pair_roundtrip(c, s, "x"));
    CHECK_EQ_INT(ncap, 3);
    end_clean(c, s);
    CHECK_EQ_INT(ncap, 3);
    /* a failed handshake announces nothing */
    TEST_PKI other;
    pair_pki_init(&other);
    SSL_CTX *bad = pair_server_ctx(&other);
    cap_reset();
    CHECK(!conn(cctx, bad, NULL, NULL, 1, &c, &s));
    end_dirty(c, s);
    CHECK_EQ_INT(ncap, 0);
    SSL_CTX_free(bad);
    pair_pki_free(&other);
    /* every session announced can resume */
    cap_reset();
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    end_clean(c, s);
    int n = ncap;
    SSL_SESSION *mine[MAX_CAP];
    for (int i = 0; i < n; i++)
        mine[i] = cap[i];
    ncap = 0; /* keep our references out of cap_reset */
    for (int i = 0; i < n; i++) {
        CHECK_EQ_INT(resumes(cctx, sctx, mine[i], NULL), 1);
        SSL_SESSION_free(mine[i]);
    }
    cap_reset();
    /* the server's callback fires once per ticket it issues, too */
    SSL_CTX_sess_set_new_cb(sctx, server_new_cb);
    scap_reset();
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    CHECK_EQ_INT(nscap, 3);
    end_clean(c, s);
    scap_reset();
    cap_reset();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* Returning 1 keeps the library's reference for the application; returning
 * 0 lets the library drop it.  NO_INTERNAL_STORE: no cache reference. */
static void s8_refs(int ret, int internal_store)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(1);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    SSL_CTX_set_session_cache_mode(
        cctx, SSL_SESS_CACHE_CLIENT | (internal_store ? 0 : SSL_SESS_CACHE_NO_INTERNAL_STORE));
    cap_reset();
    cap_ret = ret;
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    const int n = per_conn(), last = n - 1;
    REQUIRE(ncap == n);
    /* in the callback: the SSL's reference (+ the cache's) + the callback's */
    int expect_in_cb = 2 + (internal_store ? 1 : 0);
    for (int i = 0; i < n; i++)
        CHECK_EQ_INT(cap_refs_in_cb[i], expect_in_cb);
    /* cap[last] is the SSL's current session; earlier ones were replaced */
    int cache = internal_store ? 1 : 0;
    for (int i = 0; i < last; i++)
        CHECK_EQ_INT(refs(cap[i]), 1 + cache);
    CHECK_EQ_INT(refs(cap[last]), 2 + cache);
    end_clean(c, s);
    for (int i = 0; i < n; i++)
        CHECK_EQ_INT(refs(cap[i]), 1 + cache);
    if (internal_store) {
        CHECK_EQ_INT(SSL_CTX_sess_number(cctx), n);
        SSL_CTX_flush_sessions(cctx, 0);
        CHECK_EQ_INT(SSL_CTX_sess_number(cctx), 0);
    }
    /* exactly one reference each: the application's */
    for (int i = 0; i < n; i++)
        CHECK_EQ_INT(refs(cap[i]), 1);
    cap_reset(); /* frees them: a missing reference would be a use-after-free */
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_S8_return_1_keeps_reference(void)
{
    s8_refs(1, 0);
    s8_refs(1, 1);
}

static void test_S8_return_0_drops_reference(void)
{
    s8_refs(0, 0);
    s8_refs(0, 1);
}

/* returning 0 without taking a reference: no leak (LSan), no crash */
static int drop_cb_calls;
static int drop_cb(SSL *ssl, SSL_SESSION *sess)
{
    (void)ssl;
    (void)sess;
    drop_cb_calls++;
    return 0;
}

static void test_S8_return_0_no_leak(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(1);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    SSL_CTX_sess_set_new_cb(cctx, drop_cb);
    SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    drop_cb_calls = 0;
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    CHECK_EQ_INT(drop_cb_calls, per_conn());
    CHECK_EQ_INT(refs(SSL_get_session(c)), 1);
    end_clean(c, s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ================================================================== S9 */

/* Client: the session used to resume is replaced by the new tickets. */
static void test_S9_client_session_replaced_after_resumption(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(1);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    cap_reset();
    SSL_SESSION *sess = fresh_session(cctx, sctx);
    REQUIRE(sess != NULL);
    int before = ncap;
    REQUIRE(conn(cctx, sctx, sess, NULL, 0, &c, &s));
    CHECK(SSL_session_reused(c) == 1);
    CHECK(SSL_get_session(c) != sess); /* the connection has its own session object */
    pair_pump_client(c);
    CHECK_EQ_INT(ncap - before, 1); /* one fresh ticket from the resumed connection */
    SSL_SESSION *next = SSL_get1_session(c);
    CHECK(next != NULL && next != sess && SSL_SESSION_is_resumable(next));
    unsigned int l1, l2;
    const unsigned char *id1 = SSL_SESSION_get_id(sess, &l1), *id2 = SSL_SESSION_get_id(next, &l2);
    CHECK(l1 != l2 || memcmp(id1, id2, l1) != 0);
    end_clean(c, s);
    /* the replacement resumes in turn */
    CHECK_EQ_INT(resumes(cctx, sctx, next, NULL), 1);
    SSL_SESSION_free(next);
    SSL_SESSION_free(sess);
    cap_reset();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* Server: stateful tickets (SSL_OP_NO_TICKET) are single-use. */
static void test_S9_stateful_ticket_single_use(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    REQUIRE(sctx && cctx);
    SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    SSL_SESSION *sess = fresh_session(cctx, sctx);
    REQUIRE(sess != NULL);
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), 2); /* one cached session per ticket */
    const unsigned char *t;
    size_t tl;
    SSL_SESSION_get0_ticket(sess, &t, &tl);
    CHECK(tl > 0 && tl <= SSL_MAX_SSL_SESSION_ID_LENGTH); /* a session id, not a sealed blob */
    long hits0 = SSL_CTX_sess_hits(sctx);
    /* a copy to present the same ticket again later: our client itself
     * never re-offers a spent session (the client side of S9) */
    SSL_SESSION *again = SSL_SESSION_dup(sess);
    REQUIRE(again != NULL);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 1);
    /* the used one is gone, the resumed connection added one (as OpenSSL) */
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), 2);
    CHECK_EQ_INT(SSL_CTX_sess_hits(sctx) - hits0, 1);
    /* the second use of the same ticket: full handshake, not a failure */
    long acc0 = SSL_CTX_sess_accept_good(sctx), miss0 = SSL_CTX_sess_misses(sctx);
    CHECK_EQ_INT(resumes(cctx, sctx, again, NULL), 0);
    SSL_SESSION_free(again);
    CHECK_EQ_INT(SSL_CTX_sess_accept_good(sctx) - acc0, 1);
    CHECK_EQ_INT(SSL_CTX_sess_misses(sctx) - miss0, 1); /* one miss per failed lookup */
    CHECK_EQ_INT(SSL_CTX_sess_hits(sctx) - hits0, 1);
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ================================================================== S10 */

/* Client cache: an SSL freed without SSL_shutdown loses its session; a
 * cleanly shut down one keeps it. */
static void test_S10_client_unclean_free_removes_session(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(1);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    SSL_CTX_sess_set_remove_cb(cctx, remove_cb);
    cap_reset();
    nremoved = 0;
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    const int n = per_conn(), last = n - 1;
    CHECK_EQ_INT(SSL_CTX_sess_number(cctx), n);
    SSL_SESSION *cur = SSL_get_session(c);
    CHECK(ncap == n && cur == cap[last]);
    end_dirty(c, s);
    CHECK_EQ_INT(SSL_CTX_sess_number(cctx), n - 1);
    CHECK_EQ_INT(nremoved, 1);
    CHECK(removed_ctx == cctx && was_removed(cap[last]));
    CHECK_EQ_INT(SSL_SESSION_is_resumable(cap[last]), 0);
    CHECK_EQ_INT(resumes(cctx, sctx, cap[last], NULL), 0); /* not resumable: full handshake */
    cap_reset();
    SSL_CTX_flush_sessions(cctx, 0);
    /* clean shutdown: both stay */
    nremoved = 0;
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    end_clean(c, s);
    CHECK_EQ_INT(SSL_CTX_sess_number(cctx), n);
    CHECK_EQ_INT(nremoved, 0);
    CHECK(ncap == n && SSL_SESSION_is_resumable(cap[last]));
    CHECK_EQ_INT(resumes(cctx, sctx, cap[last], NULL), 1);
    cap_reset();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* SSL_clear of a connection not shut down: session removed and dropped. */
static void test_S10_clear_unclean_removes_session(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(1);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    SSL_CTX_sess_set_remove_cb(cctx, remove_cb);
    cap_reset();
    nremoved = 0;
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    SSL_SESSION *cur = SSL_get_session(c);
    CHECK(SSL_clear(c) == 1);
    CHECK(SSL_get_session(c) == NULL);
    CHECK_EQ_INT(nremoved, 1);
    CHECK(was_removed(cur));
    CHECK_EQ_INT(SSL_CTX_sess_number(cctx), per_conn() - 1);
    end_dirty(c, s);
    cap_reset();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* A connection that fails: the session it used is removed from the cache. */
static void test_S10_failed_connection_removes_session(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(1);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    SSL_CTX_sess_set_remove_cb(cctx, remove_cb);
    cap_reset();
    SSL_SESSION *sess = fresh_session(cctx, sctx);
    REQUIRE(sess != NULL);
    CHECK_EQ_INT(SSL_CTX_sess_number(cctx), per_conn());
    /* offer it to a server with an untrusted certificate: the client fails */
    TEST_PKI other;
    pair_pki_init(&other);
    SSL_CTX *bad = pair_server_ctx(&other);
    nremoved = 0;
    CHECK(!conn(cctx, bad, sess, NULL, 0, &c, &s));
    end_dirty(c, s);
    CHECK(was_removed(sess));
    CHECK_EQ_INT(SSL_CTX_sess_number(cctx), per_conn() - 1);
    CHECK_EQ_INT(SSL_SESSION_is_resumable(sess), 0);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 0);
    SSL_CTX_free(bad);
    pair_pki_free(&other);
    SSL_SESSION_free(sess);
    cap_reset();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* Server cache (stateful tickets, which the server caches): a server SSL
 * freed without SSL_shutdown must not leave its session resumable. */
static void test_S10_server_unclean_free_removes_session(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(1);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    SSL_CTX_sess_set_remove_cb(sctx, remove_cb);
    SSL_CTX_set_num_tickets(sctx, 1);
    cap_reset();
    nremoved = 0;
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), 1);
    SSL_SESSION *ticket = SSL_get1_session(c);
    SSL_shutdown(c); /* the client ends cleanly, the server does not */
    ERR_clear_error();
    SSL_free(s);
    CHECK_EQ_INT(nremoved, 1);
    CHECK(removed_ctx == sctx);
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), 0);
    SSL_free(c);
    CHECK_EQ_INT(resumes(cctx, sctx, ticket, NULL), 0);
    SSL_SESSION_free(ticket);
    /* control: a cleanly shut down server keeps it */
    nremoved = 0;
    long n0 = SSL_CTX_sess_number(sctx); /* the control's own connection added one */
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    ticket = SSL_get1_session(c);
    end_clean(c, s);
    CHECK_EQ_INT(nremoved, 0);
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), n0 + 1);
    CHECK_EQ_INT(resumes(cctx, sctx, ticket, NULL), 1);
    SSL_SESSION_free(ticket);
    cap_reset();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* A fatal error the record layer finds after the handshake (a record that
 * fails authentication) takes the connection's one failure path: the server
 * answers bad_record_mac, and its session leaves the cache, not resumable. */
static void test_S10_bad_record_mac_removes_session(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(1);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    SSL_CTX_sess_set_remove_cb(sctx, remove_cb);
    SSL_CTX_set_num_tickets(sctx, 1);
    cap_reset();
    nremoved = 0;
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), 1);
    SSL_SESSION *ticket = SSL_get1_session(c);
    SSL_SESSION *server_sess = SSL_get1_session(s);
    REQUIRE(ticket != NULL && server_sess != NULL);
    /* a protected record whose tag cannot verify, as if corrupted in flight */
    uint8_t rec[5 + 40] = {23, 3, 3, 0, 40};
    for (size_t i = 5; i < sizeof(rec); i++)
        rec[i] = (uint8_t)(i * 37);
    CHECK(BIO_write(SSL_get_wbio(c), rec, sizeof(rec)) == (int)sizeof(rec));
    char buf[16];
    CHECK(SSL_read(s, buf, sizeof(buf)) < 0);
    CHECK_EQ_INT(SSL_get_error(s, -1), SSL_ERROR_SSL);
    CHECK_EQ_INT(ERR_GET_REASON(ERR_peek_error()), SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC);
    ERR_clear_error();
    CHECK(was_removed(server_sess));
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), 0);
    CHECK_EQ_INT(SSL_SESSION_is_resumable(server_sess), 0);
    /* the client hears why (OpenSSL 3.0: SSL_read returns 0 for a fatal alert) */
    CHECK(SSL_read(c, buf, sizeof(buf)) <= 0);
    CHECK_EQ_INT(SSL_get_error(c, 0), SSL_ERROR_SSL);
    CHECK_EQ_INT(ERR_GET_REASON(ERR_peek_error()), SSL_AD_REASON_OFFSET + SSL_AD_BAD_RECORD_MAC);
    end_dirty(c, s);
    CHECK_EQ_INT(resumes(cctx, sctx, ticket, NULL), 0);
    SSL_SESSION_free(ticket);
    SSL_SESSION_free(server_sess);
    cap_reset();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ================================================================== S11 */

/* A 1 s timeout: the session times out and the flush removes it. */
static void test_S11_flush_removes_timed_out(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    REQUIRE(sctx && cctx);
    SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    SSL_CTX_sess_set_remove_cb(sctx, remove_cb);
    CHECK_EQ_INT(SSL_CTX_set_timeout(sctx, 1), 7200);
    CHECK_EQ_INT(SSL_CTX_get_timeout(sctx), 1);
    SSL_SESSION *sess = fresh_session(cctx, sctx);
    REQUIRE(sess != NULL);
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), per_conn());
    nremoved = 0;
    SSL_CTX_flush_sessions(sctx, (long)time(NULL)); /* not yet timed out */
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), per_conn());
    CHECK_EQ_INT(nremoved, 0);
    SSL_CTX_flush_sessions(sctx, (long)time(NULL) + 3); /* as if 3 s later */
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), 0);
    CHECK_EQ_INT(nremoved, per_conn());
    CHECK(removed_ctx == sctx);
    SSL_CTX_set_timeout(sctx, 7200);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 0);
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* A good session's time moved into the past with SSL_SESSION_set_time: the
 * flush removes it, the remove callback fires, the server's lookup misses. */
static void test_S11_set_time_then_flush(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    REQUIRE(sctx && cctx);
    SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    SSL_CTX_sess_set_remove_cb(sctx, remove_cb);
    SSL_CTX_sess_set_new_cb(sctx, server_new_cb);
    SSL_CTX_set_num_tickets(sctx, 1);
    scap_reset();
    SSL_SESSION *sess = fresh_session(cctx, sctx);
    REQUIRE(sess != NULL && nscap == 1);
    SSL_SESSION *cached = scap[0];
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), 1);
    nremoved = 0;
    SSL_CTX_flush_sessions(sctx, (long)time(NULL));
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), 1); /* good and young: stays */
    CHECK_EQ_INT(nremoved, 0);
    CHECK(SSL_SESSION_set_time(cached, (long)time(NULL) - 3 * 7200) != 0);
    SSL_CTX_flush_sessions(sctx, (long)time(NULL));
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), 0);
    CHECK_EQ_INT(nremoved, 1);
    CHECK(removed[0] == cached);
    CHECK_EQ_INT(SSL_SESSION_is_resumable(cached), 0);
    long miss0 = SSL_CTX_sess_misses(sctx);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 0); /* the client ticket is still young */
    CHECK(SSL_CTX_sess_misses(sctx) > miss0);
    SSL_SESSION_free(sess);
    /* SSL_SESSION_set_timeout on a cached session works the same */
    SSL_CTX_flush_sessions(sctx, 0); /* the full handshake above cached a ticket */
    scap_reset();
    sess = fresh_session(cctx, sctx);
    REQUIRE(sess != NULL && nscap == 1);
    CHECK(SSL_SESSION_set_timeout(scap[0], 1) == 1);
    CHECK(SSL_SESSION_set_time(scap[0], (long)time(NULL) - 10) != 0);
    nremoved = 0;
    SSL_CTX_flush_sessions(sctx, (long)time(NULL));
    CHECK_EQ_INT(SSL_CTX_sess_number(sctx), 0);
    CHECK_EQ_INT(nremoved, 1);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 0);
    SSL_SESSION_free(sess);
    scap_reset();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ================================================================== S12 */

static void test_S12_get1_survives_cache_flush(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT); /* cache, no callback */
    SSL_CTX_sess_set_remove_cb(cctx, remove_cb);
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    SSL_SESSION *g = SSL_get1_session(c);
    REQUIRE(g != NULL);
    end_clean(c, s);
    CHECK_EQ_INT(SSL_CTX_sess_number(cctx), per_conn());
    CHECK_EQ_INT(refs(g), 2); /* cache + caller */
    nremoved = 0;
    SSL_CTX_flush_sessions(cctx, 0);
    CHECK_EQ_INT(SSL_CTX_sess_number(cctx), 0);
    CHECK_EQ_INT(nremoved, per_conn());
    CHECK(was_removed(g));
    /* still in memory and readable, with exactly the caller's reference */
    CHECK_EQ_INT(refs(g), 1);
    CHECK_EQ_INT(SSL_SESSION_get_protocol_version(g), version_in_use());
    CHECK(SSL_SESSION_get0_cipher(g) != NULL);
    unsigned char *der = NULL;
    CHECK(i2d_SSL_SESSION(g, &der) > 0);
    OPENSSL_free(der);
    SSL_SESSION_free(g); /* once: ASan flags a double free or a leak */

    /* the same with SSL_CTX_remove_session */
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    g = SSL_get1_session(c);
    end_clean(c, s);
    REQUIRE(g != NULL);
    CHECK_EQ_INT(SSL_CTX_remove_session(cctx, g), 1);
    CHECK_EQ_INT(SSL_CTX_remove_session(cctx, g), 0); /* not there any more */
    CHECK_EQ_INT(SSL_CTX_sess_number(cctx), per_conn() - 1);
    CHECK_EQ_INT(refs(g), 1);
    CHECK(SSL_SESSION_get0_peer(g) != NULL);
    SSL_SESSION_free(g);
    SSL_CTX_flush_sessions(cctx, 0);

    /* server side: the app keeps a cached server session through a flush */
    SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    SSL_CTX_sess_set_new_cb(sctx, server_new_cb);
    scap_reset();
    SSL_SESSION *cs = fresh_session(cctx, sctx);
    REQUIRE(nscap == per_conn());
    CHECK_EQ_INT(refs(scap[0]), 2);
    SSL_CTX_flush_sessions(sctx, 0);
    for (int i = 0; i < nscap; i++)
        CHECK_EQ_INT(refs(scap[i]), 1);
    CHECK(SSL_SESSION_get0_cipher(scap[0]) != NULL);
    scap_reset();
    SSL_SESSION_free(cs);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ================================================================== S13 */

/* What sesame does (session/session_cache.c, cache_add): a session records
 * the cache that holds it (SSL_SESSION.owner).  SSL_CTX_add_session(B, s)
 * while s is in A's cache is refused: it returns 0, raises
 * ERR_R_PASSED_INVALID_ARGUMENT, and leaves s in A untouched.  Once A drops s,
 * B may take it.  Adding a session twice to the same cache returns 0 and
 * only refreshes its LRU place.  (OpenSSL 3.0 would overwrite A's list links.) */
static void test_S13_session_in_one_cache_only(void)
{
    SSL_CTX *sctx = server_ctx(), *a = client_ctx(0), *b = client_ctx(0);
    SSL *c, *s;
    REQUIRE(sctx && a && b);
    SSL_CTX_set_session_cache_mode(a, SSL_SESS_CACHE_CLIENT);
    SSL_CTX_set_session_cache_mode(b, SSL_SESS_CACHE_CLIENT);
    SSL_CTX_sess_set_remove_cb(b, remove_cb);
    REQUIRE(conn(a, sctx, NULL, NULL, 1, &c, &s));
    SSL_SESSION *g = SSL_get1_session(c);
    end_clean(c, s);
    REQUIRE(g != NULL);
    CHECK_EQ_INT(SSL_CTX_sess_number(a), per_conn());
    int r0 = refs(g);
    /* twice into A: refused, nothing changes */
    CHECK_EQ_INT(SSL_CTX_add_session(a, g), 0);
    CHECK_EQ_INT(SSL_CTX_sess_number(a), per_conn());
    CHECK_EQ_INT(refs(g), r0);
    /* into B while in A: refused, both caches intact */
    ERR_clear_error();
    CHECK_EQ_INT(SSL_CTX_add_session(b, g), 0);
    CHECK(ERR_peek_error() != 0);
    ERR_clear_error();
    CHECK_EQ_INT(SSL_CTX_sess_number(a), per_conn());
    CHECK_EQ_INT(SSL_CTX_sess_number(b), 0);
    CHECK_EQ_INT(refs(g), r0);
    unsigned int idlen;
    const unsigned char *id = SSL_SESSION_get_id(g, &idlen);
    SSL *sa = SSL_new(a), *sb = SSL_new(b);
    REQUIRE(sa && sb);
    CHECK_EQ_INT(SSL_has_matching_session_id(sa, id, idlen), 1);
    CHECK_EQ_INT(SSL_has_matching_session_id(sb, id, idlen), 0);
    /* still resumes from A (the resumed connection caches one more in A) */
    CHECK(SSL_SESSION_is_resumable(g));
    /* resume with a copy, so that g itself is not spent (client side of S9) */
    SSL_SESSION *gcopy = SSL_SESSION_dup(g);
    REQUIRE(gcopy != NULL);
    CHECK_EQ_INT(resumes(a, sctx, gcopy, NULL), 1);
    SSL_SESSION_free(gcopy);
    long na = SSL_CTX_sess_number(a);
    /* TLS 1.3: two new tickets, one replacing the copy; TLS 1.2: the
     * resumed session is not new */
    CHECK_EQ_INT(na, max_version == TLS1_2_VERSION ? 1 : 3);
    /* B freed: A unaffected */
    SSL_free(sb);
    SSL_CTX_free(b);
    CHECK_EQ_INT(SSL_CTX_sess_number(a), na);
    CHECK_EQ_INT(SSL_has_matching_session_id(sa, id, idlen), 1);
    /* once A drops it, another cache may take it */
    b = client_ctx(0);
    SSL_CTX_set_session_cache_mode(b, SSL_SESS_CACHE_CLIENT);
    SSL_CTX_sess_set_remove_cb(b, remove_cb);
    CHECK_EQ_INT(SSL_CTX_remove_session(a, g), 1);
    CHECK_EQ_INT(SSL_CTX_sess_number(a), na - 1);
    CHECK_EQ_INT(SSL_has_matching_session_id(sa, id, idlen), 0);
    CHECK_EQ_INT(SSL_CTX_add_session(b, g), 1);
    CHECK_EQ_INT(SSL_CTX_sess_number(b), 1);
    CHECK_EQ_INT(SSL_CTX_sess_number(a), na - 1);
    CHECK_EQ_INT(refs(g), r0); /* A's reference moved to B */
    /* SSL_CTX_remove_session marked it not resumable (as OpenSSL does), so
     * B holds it but will not hand it out: no lookup finds it. */
    CHECK_EQ_INT(SSL_SESSION_is_resumable(g), 0);
    sb = SSL_new(b);
    CHECK_EQ_INT(SSL_has_matching_session_id(sb, id, idlen), 0);
    /* and A cannot take it back meanwhile */
    CHECK_EQ_INT(SSL_CTX_add_session(a, g), 0);
    ERR_clear_error();
    CHECK_EQ_INT(SSL_CTX_sess_number(a), na - 1);
    /* freeing B removes it through B's callback only */
    nremoved = 0;
    SSL_free(sb);
    SSL_CTX_free(b);
    CHECK_EQ_INT(nremoved, 1);
    CHECK(was_removed(g));
    CHECK_EQ_INT(refs(g), r0 - 1);
    CHECK_EQ_INT(SSL_CTX_sess_number(a), na - 1);
    SSL_CTX_flush_sessions(a, 0);
    CHECK_EQ_INT(SSL_CTX_sess_number(a), 0);
    CHECK_EQ_INT(refs(g), 1);
    SSL_free(sa);
    SSL_SESSION_free(g);
    SSL_CTX_free(sctx);
    SSL_CTX_free(a);
}

/* ================================================================== S14 */

static void test_S14_fresh_server_ssl_has_no_session(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    REQUIRE(sctx && cctx);
    SSL *s = SSL_new(sctx);
    REQUIRE(s != NULL);
    CHECK(SSL_get_session(s) == NULL);
    CHECK(SSL_get0_session(s) == NULL);
    CHECK(SSL_get1_session(s) == NULL);
    SSL_set_accept_state(s);
    CHECK(SSL_get_session(s) == NULL);
    SSL_free(s);
    SSL *c = SSL_new(cctx);
    REQUIRE(c != NULL);
    CHECK(SSL_get_session(c) == NULL && SSL_get1_session(c) == NULL);
    /* a session set, then unset */
    SSL_SESSION *sess = fresh_session(cctx, sctx);
    REQUIRE(sess != NULL);
    CHECK(SSL_set_session(c, sess) == 1 && SSL_get_session(c) == sess);
    CHECK(SSL_set_session(c, NULL) == 1);
    CHECK(SSL_get_session(c) == NULL && SSL_get1_session(c) == NULL);
    CHECK_EQ_INT(refs(sess), 1);
    SSL_free(c);
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_S14_null_after_clear_of_failed_connection(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    SSL_SESSION *sess = fresh_session(cctx, sctx);
    REQUIRE(sess != NULL);
    TEST_PKI other;
    pair_pki_init(&other);
    SSL_CTX *bad = pair_server_ctx(&other);
    /* the client offers a session and fails (untrusted server) */
    CHECK(!conn(cctx, bad, sess, NULL, 0, &c, &s));
    ERR_clear_error();
    CHECK(SSL_clear(c) == 1);
    CHECK(SSL_get_session(c) == NULL);
    CHECK(SSL_get0_session(c) == NULL);
    CHECK(SSL_get1_session(c) == NULL);
    /* the server side of the failed connection */
    CHECK(SSL_clear(s) == 1);
    CHECK(SSL_get_session(s) == NULL && SSL_get1_session(s) == NULL);
    end_dirty(c, s);
    /* a server that completed a handshake, then SSL_clear without shutdown */
    REQUIRE(conn(cctx, sctx, NULL, NULL, 1, &c, &s));
    CHECK(SSL_get_session(s) != NULL);
    CHECK(SSL_clear(s) == 1);
    CHECK(SSL_get_session(s) == NULL && SSL_get1_session(s) == NULL);
    end_dirty(c, s);
    SSL_CTX_free(bad);
    pair_pki_free(&other);
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ============================================================ boundaries */

static void test_boundary_sni(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    REQUIRE(sctx && cctx);
    SSL_SESSION *sess = fresh_session(cctx, sctx);
    REQUIRE(sess != NULL);
    CHECK(strcmp(SSL_SESSION_get0_hostname(sess), "localhost") == 0);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, "other.example"), 0);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, "localhost"), 1); /* control */
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_boundary_sid_ctx(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    REQUIRE(sctx && cctx);
    CHECK(SSL_CTX_set_session_id_context(sctx, (const unsigned char *)"app-A", 5) == 1);
    SSL_SESSION *sess = fresh_session(cctx, sctx);
    REQUIRE(sess != NULL);
    CHECK(SSL_CTX_set_session_id_context(sctx, (const unsigned char *)"app-B", 5) == 1);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 0);
    CHECK(SSL_CTX_set_session_id_context(sctx, (const unsigned char *)"", 0) == 1);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 0);
    CHECK(SSL_CTX_set_session_id_context(sctx, (const unsigned char *)"app-A", 5) == 1);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 1); /* control */
    SSL_SESSION_free(sess);
    /* stateful tickets: the cache lookup checks it as well */
    SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    sess = fresh_session(cctx, sctx);
    REQUIRE(sess != NULL);
    CHECK(SSL_CTX_set_session_id_context(sctx, (const unsigned char *)"app-B", 5) == 1);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 0);
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_boundary_suite_hash(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    CHECK(SSL_CTX_set_ciphersuites(cctx, "TLS_AES_128_GCM_SHA256") == 1);
    SSL_SESSION *sess = fresh_session(cctx, sctx);
    REQUIRE(sess != NULL);
    CHECK(strcmp(SSL_CIPHER_get_name(SSL_SESSION_get0_cipher(sess)), "TLS_AES_128_GCM_SHA256") ==
          0);
    /* SHA-384 only: full handshake */
    CHECK(SSL_CTX_set_ciphersuites(cctx, "TLS_AES_256_GCM_SHA384") == 1);
    REQUIRE(conn(cctx, sctx, sess, NULL, 1, &c, &s));
    CHECK_EQ_INT(SSL_session_reused(c), 0);
    CHECK_EQ_INT(SSL_session_reused(s), 0);
    CHECK(strcmp(SSL_CIPHER_get_name(SSL_get_current_cipher(c)), "TLS_AES_256_GCM_SHA384") == 0);
    end_clean(c, s);
    /* the server restricted to SHA-384 while the client offers both */
    CHECK(SSL_CTX_set_ciphersuites(cctx, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384") == 1);
    CHECK(SSL_CTX_set_ciphersuites(sctx, "TLS_AES_256_GCM_SHA384") == 1);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 0);
    /* control: another suite with the same hash may resume (RFC 8446 4.2.11) */
    CHECK(SSL_CTX_set_ciphersuites(sctx, "TLS_CHACHA20_POLY1305_SHA256") == 1);
    CHECK(SSL_CTX_set_ciphersuites(cctx, "TLS_CHACHA20_POLY1305_SHA256") == 1);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 1);
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_boundary_protocol_version(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    REQUIRE(sctx && cctx);
    SSL_SESSION *sess = fresh_session(cctx, sctx);
    REQUIRE(sess != NULL);
    /* a copy claiming another version is not offered as a TLS 1.3 PSK */
    SSL_SESSION *other = SSL_SESSION_dup(sess);
    REQUIRE(other != NULL);
    CHECK(SSL_SESSION_set_protocol_version(other, TLS1_2_VERSION) == 1);
    CHECK_EQ_INT(resumes(cctx, sctx, other, NULL), 0);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 1); /* control */
    SSL_SESSION_free(other);
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* Expired on the client's side (the session's own time and timeout). */
static void test_boundary_expired_client_side(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    REQUIRE(sctx && cctx);
    SSL_SESSION *sess = fresh_session(cctx, sctx);
    REQUIRE(sess != NULL);
    SSL_SESSION *old = SSL_SESSION_dup(sess);
    REQUIRE(old != NULL);
    CHECK(SSL_SESSION_set_time(old, (long)time(NULL) - 3 * 86400) != 0);
    CHECK_EQ_INT(resumes(cctx, sctx, old, NULL), 0);
    SSL_SESSION *brief = SSL_SESSION_dup(sess);
    REQUIRE(brief != NULL);
    CHECK(SSL_SESSION_set_timeout(brief, 1) == 1);
    CHECK(SSL_SESSION_set_time(brief, (long)time(NULL) - 5) != 0);
    CHECK_EQ_INT(resumes(cctx, sctx, brief, NULL), 0);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 1); /* control */
    SSL_SESSION_free(old);
    SSL_SESSION_free(brief);
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* Expired on the server's side: the ticket was issued with a 10 s lifetime,
 * a minute has passed, and the client (its copy claims two hours) does not
 * know: the server refuses it. */
static void test_boundary_expired_server_side(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    REQUIRE(sctx && cctx);
    SSL_CTX_set_timeout(sctx, 10);
    SSL_SESSION *sess = fresh_session(cctx, sctx);
    REQUIRE(sess != NULL);
    SSL_CTX_set_timeout(sctx, 7200); /* the key ring keeps its key for hours */
    SSL_SESSION *lying = SSL_SESSION_dup(sess);
    REQUIRE(lying != NULL);
    SSL_SESSION_set_timeout(lying, 7200);
    long to0 = SSL_CTX_sess_timeouts(sctx);
    clock_offset_ms = 60 * 1000;
    sesame_set_clock_for_test(offset_clock);
    CHECK_EQ_INT(resumes(cctx, sctx, lying, NULL), 0);
    CHECK(SSL_CTX_sess_timeouts(sctx) > to0);
    SSL_SESSION_free(lying);
    clock_offset_ms = 0;
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 1); /* control: same ticket, in time */
    sesame_set_clock_for_test(NULL);
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* The ticket age the client reports (obfuscated_ticket_age - age_add) must
 * agree with the server's own clock: a ticket whose reported age is ten
 * minutes off is not used (full handshake, not an error). */
static void test_boundary_ticket_age_mismatch(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    REQUIRE(sctx && cctx);
    SSL_SESSION *sess = fresh_session(cctx, sctx);
    SSL_SESSION *copy = sess != NULL ? SSL_SESSION_dup(sess) : NULL;
    REQUIRE(sess != NULL && copy != NULL);
    SSL_SESSION_set_time(copy, SSL_SESSION_get_time(copy) - 600);
    CHECK_EQ_INT(resumes(cctx, sctx, copy, NULL), 0);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 1); /* control: honest age */
    SSL_SESSION_free(copy);
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* A ticket sealed under a key the server has since retired.  The ring rotates
 * every timeout/2 and keeps the previous key one more period.  The tickets are
 * issued with a 100000 s lifetime and the ring then runs on 7200 s (period
 * 3600 s), so the tickets are still young when their key retires: the
 * fallback is due to the key alone (no timeout counted). */
static void test_boundary_retired_ticket_key(void)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    REQUIRE(sctx && cctx);
    clock_offset_ms = 0;
    sesame_set_clock_for_test(offset_clock);
    SSL_CTX_set_timeout(sctx, 100000);
    SSL_SESSION *a = fresh_session(cctx, sctx);
    SSL_SESSION *b = fresh_session(cctx, sctx);
    REQUIRE(a != NULL && b != NULL);
    SSL_CTX_set_timeout(sctx, 7200);
    /* The one clock moves for client and server alike: the ages the client
     * reports agree with the server's (RFC 8446 4.2.11.1). */
    /* 1.5 periods later: the key is "previous", it still opens tickets */
    clock_offset_ms = 5400LL * 1000;
    CHECK_EQ_INT(resumes(cctx, sctx, a, NULL), 1);
    /* 3 periods later: retired */
    long to0 = SSL_CTX_sess_timeouts(sctx);
    clock_offset_ms = 10800LL * 1000;
    CHECK_EQ_INT(resumes(cctx, sctx, b, NULL), 0);
    CHECK_EQ_INT(SSL_CTX_sess_timeouts(sctx), to0);
    /* tickets issued now work */
    SSL_SESSION *c = fresh_session(cctx, sctx);
    REQUIRE(c != NULL);
    CHECK_EQ_INT(resumes(cctx, sctx, c, NULL), 1);
    clock_offset_ms = 0;
    sesame_set_clock_for_test(NULL);
    SSL_SESSION_free(a);
    SSL_SESSION_free(b);
    SSL_SESSION_free(c);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* S9, client side: once a resumed connection has a fresher ticket, the
 * session it resumed with is spent and never offered again. */
static void test_S9_client_never_reoffers_spent_session(void)
{
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    REQUIRE(pair_handshake(c, s));
    pair_pump_client(c);
    SSL_SESSION *first = SSL_get1_session(c);
    CHECK(first != NULL && SSL_SESSION_is_resumable(first));
    SSL_shutdown(c); /* a clean end keeps the session good (S10) */
    SSL_free(c);
    SSL_free(s);

    REQUIRE(pair_new(cctx, sctx, &c, &s));
    SSL_set_session(c, first);
    REQUIRE(pair_handshake(c, s));
    CHECK(SSL_session_reused(c) == 1);
    CHECK(SSL_SESSION_is_resumable(first) == 1); /* no fresher ticket yet */
    pair_pump_client(c);
    SSL_SESSION *fresh = SSL_get1_session(c);
    CHECK(fresh != NULL && fresh != first && SSL_SESSION_is_resumable(fresh));
    CHECK(SSL_SESSION_is_resumable(first) == 0); /* spent */
    SSL_shutdown(c);                             /* a clean end keeps the session good (S10) */
    SSL_free(c);
    SSL_free(s);

    /* offering the spent session anyway: a full handshake, not an error */
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    SSL_set_session(c, first);
    CHECK(pair_handshake(c, s));
    CHECK(SSL_session_reused(c) == 0);
    SSL_shutdown(c); /* a clean end keeps the session good (S10) */
    SSL_free(c);
    SSL_free(s);
    /* the fresh one resumes */
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    SSL_set_session(c, fresh);
    CHECK(pair_handshake(c, s));
    CHECK(SSL_session_reused(c) == 1);
    SSL_shutdown(c); /* a clean end keeps the session good (S10) */
    SSL_free(c);
    SSL_free(s);
    SSL_SESSION_free(first);
    SSL_SESSION_free(fresh);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ============================================================ TLS 1.2 */

/* The clauses that apply to TLS 1.2 run again there (S5-S7 and S9 are
 * about TLS 1.3 tickets): the same test with both ends limited to 1.2. */
#define IN_TLS12(fn)                                                                               \
    static void fn##_tls12(void)                                                                   \
    {                                                                                              \
        max_version = TLS1_2_VERSION;                                                              \
        fn();                                                                                      \
        max_version = 0;                                                                           \
    }
IN_TLS12(test_S1_get_session_takes_no_reference)
IN_TLS12(test_S2_get0_is_get_session)
IN_TLS12(test_S3_get1_reference_outlives_ssl)
IN_TLS12(test_S8_return_1_keeps_reference)
IN_TLS12(test_S8_return_0_drops_reference)
IN_TLS12(test_S8_return_0_no_leak)
IN_TLS12(test_S10_client_unclean_free_removes_session)
IN_TLS12(test_S10_clear_unclean_removes_session)
IN_TLS12(test_S10_failed_connection_removes_session)
IN_TLS12(test_S10_server_unclean_free_removes_session)
IN_TLS12(test_S10_bad_record_mac_removes_session)
IN_TLS12(test_S11_flush_removes_timed_out)
IN_TLS12(test_S11_set_time_then_flush)
IN_TLS12(test_S12_get1_survives_cache_flush)
IN_TLS12(test_S13_session_in_one_cache_only)
IN_TLS12(test_S14_fresh_server_ssl_has_no_session)
IN_TLS12(test_S14_null_after_clear_of_failed_connection)
IN_TLS12(test_boundary_sni)
IN_TLS12(test_boundary_sid_ctx)
IN_TLS12(test_boundary_expired_client_side)
IN_TLS12(test_boundary_expired_server_side)
IN_TLS12(test_boundary_retired_ticket_key)

/* S8 in TLS 1.2: the handshake's session is announced once, as soon as the
 * handshake ends, resumable; a resumption announces nothing new (OpenSSL:
 * only a full handshake makes a session); a failed handshake nothing.  The
 * server announces the sessions it caches (session ids), not those only a
 * ticket carries (OpenSSL: no id, nothing to cache). */
static void test_S8_tls12_callback_once_per_handshake(void)
{
    max_version = TLS1_2_VERSION;
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(1);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    cap_reset();
    REQUIRE(conn(cctx, sctx, NULL, NULL, 0, &c, &s));
    CHECK_EQ_INT(ncap, 1);
    CHECK(ncap == 1 && cap_resumable[0] && cap[0] == SSL_get_session(c));
    CHECK(pair_roundtrip(c, s, "x"));
    end_clean(c, s);
    CHECK_EQ_INT(ncap, 1);
    SSL_SESSION *first = cap[0];
    SSL_SESSION_up_ref(first);
    CHECK_EQ_INT(resumes(cctx, sctx, first, NULL), 1);
    CHECK_EQ_INT(ncap, 1);
    SSL_SESSION_free(first);
    /* a failed handshake announces nothing */
    TEST_PKI other;
    pair_pki_init(&other);
    SSL_CTX *bad = pair_server_ctx(&other);
    SSL_CTX_set_max_proto_version(bad, TLS1_2_VERSION);
    cap_reset();
    CHECK(!conn(cctx, bad, NULL, NULL, 0, &c, &s));
    end_dirty(c, s);
    CHECK_EQ_INT(ncap, 0);
    SSL_CTX_free(bad);
    pair_pki_free(&other);
    /* the server: once per full handshake it caches */
    SSL_CTX_sess_set_new_cb(sctx, server_new_cb);
    scap_reset();
    REQUIRE(conn(cctx, sctx, NULL, NULL, 0, &c, &s));
    end_clean(c, s);
    CHECK_EQ_INT(nscap, 0); /* a ticket carries it: no id, no cache */
    SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    REQUIRE(conn(cctx, sctx, NULL, NULL, 0, &c, &s));
    CHECK_EQ_INT(nscap, 1);
    CHECK(nscap == 1 && SSL_SESSION_is_resumable(scap[0]));
    SSL_SESSION *again = SSL_get1_session(c);
    end_clean(c, s);
    CHECK_EQ_INT(resumes(cctx, sctx, again, NULL), 1);
    CHECK_EQ_INT(nscap, 1);
    SSL_SESSION_free(again);
    scap_reset();
    cap_reset();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    max_version = 0;
}

/* Boundary, TLS 1.2: a session resumes only with its own suite (RFC 5246
 * 7.4.1.2); offered without it, or to a server that no longer enables it,
 * the handshake is a full one. */
static void test_boundary_suite_tls12(void)
{
    max_version = TLS1_2_VERSION;
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(0);
    SSL *c, *s;
    REQUIRE(sctx && cctx);
    CHECK(SSL_CTX_set_cipher_list(cctx, "ECDHE-ECDSA-AES128-GCM-SHA256") == 1);
    SSL_SESSION *sess = fresh_session(cctx, sctx);
    REQUIRE(sess != NULL);
    CHECK(strcmp(SSL_CIPHER_get_name(SSL_SESSION_get0_cipher(sess)),
                 "ECDHE-ECDSA-AES128-GCM-SHA256") == 0);
    /* same hash, another suite: still a full handshake in TLS 1.2 */
    CHECK(SSL_CTX_set_cipher_list(cctx, "ECDHE-ECDSA-CHACHA20-POLY1305") == 1);
    REQUIRE(conn(cctx, sctx, sess, NULL, 0, &c, &s));
    CHECK_EQ_INT(SSL_session_reused(c), 0);
    CHECK_EQ_INT(SSL_session_reused(s), 0);
    CHECK(strcmp(SSL_CIPHER_get_name(SSL_get_current_cipher(c)), "ECDHE-ECDSA-CHACHA20-POLY1305") ==
          0);
    end_clean(c, s);
    /* the server no longer enables it while the client offers both */
    CHECK(SSL_CTX_set_cipher_list(
              cctx, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305") == 1);
    CHECK(SSL_CTX_set_cipher_list(sctx, "ECDHE-ECDSA-CHACHA20-POLY1305") == 1);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 0);
    /* control */
    CHECK(SSL_CTX_set_cipher_list(sctx, "ECDHE-ECDSA-AES128-GCM-SHA256") == 1);
    CHECK_EQ_INT(resumes(cctx, sctx, sess, NULL), 1);
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    max_version = 0;
}

/* Boundary: a session never resumes in another version.  A TLS 1.2
 * session offered by a client that may do 1.3 to a server that does gives
 * a full TLS 1.3 handshake; a TLS 1.3 session is not offered in a 1.2-only
 * hello; a session claiming 1.2 is not resumed by a 1.2 server as such
 * unless it is one. */
static void test_boundary_protocol_version_tls12(void)
{
    SSL_CTX *sctx = server_ctx(), *c12 = client_ctx(0), *c13 = client_ctx(0);
    SSL *c, *s;
    REQUIRE(sctx && c12 && c13);
    CHECK(SSL_CTX_set_max_proto_version(c12, TLS1_2_VERSION) == 1);
    SSL_SESSION *s12 = fresh_session(c12, sctx), *s13 = fresh_session(c13, sctx);
    REQUIRE(s12 != NULL && s13 != NULL);
    CHECK_EQ_INT(SSL_SESSION_get_protocol_version(s12), TLS1_2_VERSION);
    CHECK_EQ_INT(SSL_SESSION_get_protocol_version(s13), TLS1_3_VERSION);
    REQUIRE(conn(c13, sctx, s12, NULL, 1, &c, &s));
    CHECK_EQ_INT(SSL_version(c), TLS1_3_VERSION);
    CHECK(!SSL_session_reused(c) && !SSL_session_reused(s));
    end_clean(c, s);
    REQUIRE(conn(c12, sctx, s13, NULL, 1, &c, &s));
    CHECK_EQ_INT(SSL_version(c), TLS1_2_VERSION);
    CHECK(!SSL_session_reused(c) && !SSL_session_reused(s));
    end_clean(c, s);
    /* a TLS 1.3 session relabelled 1.2: its secret is no master secret */
    SSL_SESSION *fake = SSL_SESSION_dup(s13);
    REQUIRE(fake != NULL);
    CHECK(SSL_SESSION_set_protocol_version(fake, TLS1_2_VERSION) == 1);
    CHECK_EQ_INT(resumes(c12, sctx, fake, NULL), 0);
    CHECK_EQ_INT(resumes(c12, sctx, s12, NULL), 1); /* control */
    SSL_SESSION_free(fake);
    SSL_SESSION_free(s12);
    SSL_SESSION_free(s13);
    SSL_CTX_free(sctx);
    SSL_CTX_free(c12);
    SSL_CTX_free(c13);
}

TEST_MAIN({
    pair_pki_init(&pki);
    RUN(test_S9_client_never_reoffers_spent_session);
    RUN(test_S1_get_session_takes_no_reference);
    RUN(test_S2_get0_is_get_session);
    RUN(test_S3_get1_reference_outlives_ssl);
    RUN(test_S4_resumption_skips_certificates);
    RUN(test_S4_tls12_resumption);
    RUN(test_S5_no_tickets_means_no_session);
    RUN(test_S5_tickets_sent_later);
    RUN(test_S6_not_resumable_before_ticket);
    RUN(test_S7_last_ticket_wins);
    RUN(test_S8_callback_once_per_ticket);
    RUN(test_S8_return_1_keeps_reference);
    RUN(test_S8_return_0_drops_reference);
    RUN(test_S8_return_0_no_leak);
    RUN(test_S9_client_session_replaced_after_resumption);
    RUN(test_S9_stateful_ticket_single_use);
    RUN(test_S10_client_unclean_free_removes_session);
    RUN(test_S10_clear_unclean_removes_session);
    RUN(test_S10_failed_connection_removes_session);
    RUN(test_S10_server_unclean_free_removes_session);
    RUN(test_S10_bad_record_mac_removes_session);
    RUN(test_S11_flush_removes_timed_out);
    RUN(test_S11_set_time_then_flush);
    RUN(test_S12_get1_survives_cache_flush);
    RUN(test_S13_session_in_one_cache_only);
    RUN(test_S14_fresh_server_ssl_has_no_session);
    RUN(test_S14_null_after_clear_of_failed_connection);
    RUN(test_boundary_sni);
    RUN(test_boundary_sid_ctx);
    RUN(test_boundary_suite_hash);
    RUN(test_boundary_protocol_version);
    RUN(test_boundary_expired_client_side);
    RUN(test_boundary_expired_server_side);
    RUN(test_boundary_ticket_age_mismatch);
    RUN(test_boundary_retired_ticket_key);
    /* TLS 1.2 */
    RUN(test_S1_get_session_takes_no_reference_tls12);
    RUN(test_S2_get0_is_get_session_tls12);
    RUN(test_S3_get1_reference_outlives_ssl_tls12);
    RUN(test_S8_tls12_callback_once_per_handshake);
    RUN(test_S8_return_1_keeps_reference_tls12);
    RUN(test_S8_return_0_drops_reference_tls12);
    RUN(test_S8_return_0_no_leak_tls12);
    RUN(test_S10_client_unclean_free_removes_session_tls12);
    RUN(test_S10_clear_unclean_removes_session_tls12);
    RUN(test_S10_failed_connection_removes_session_tls12);
    RUN(test_S10_server_unclean_free_removes_session_tls12);
    RUN(test_S10_bad_record_mac_removes_session_tls12);
    RUN(test_S11_flush_removes_timed_out_tls12);
    RUN(test_S11_set_time_then_flush_tls12);
    RUN(test_S12_get1_survives_cache_flush_tls12);
    RUN(test_S13_session_in_one_cache_only_tls12);
    RUN(test_S14_fresh_server_ssl_has_no_session_tls12);
    RUN(test_S14_null_after_clear_of_failed_connection_tls12);
    RUN(test_boundary_sni_tls12);
    RUN(test_boundary_sid_ctx_tls12);
    RUN(test_boundary_suite_tls12);
    RUN(test_boundary_protocol_version_tls12);
    RUN(test_boundary_expired_client_side_tls12);
    RUN(test_boundary_expired_server_side_tls12);
    RUN(test_boundary_retired_ticket_key_tls12);
    pair_pki_free(&pki);
})

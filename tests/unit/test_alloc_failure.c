/* test_alloc_failure.c - the allocation-failure sweep.
 *
 * main() first installs a counting allocator with CRYPTO_set_mem_functions,
 * before anything allocates: every OPENSSL_malloc of sesame and every
 * allocation of libcrypto goes through it.  Then, for N = 1, 2, 3, ... the
 * Nth allocation of one scenario fails (only that one), until the scenario
 * runs to its end without reaching N.  The scenario:
 *
 *   server and client SSL_CTX (ECDSA P-256 leaf, the client verifies it),
 *   a full TLS 1.3 handshake over memory BIOs, application data both ways
 *   (the client reads the server's tickets on the way), SSL_get1_session,
 *   i2d_SSL_SESSION + d2i_SSL_SESSION (+ i2d again: the same bytes), and a
 *   resumed handshake with the decoded session, application data again.
 *
 * A second scenario does the same with client authentication and a
 * HelloRetryRequest in both handshakes, and ends with a KeyUpdate each way
 * and SSL_shutdown on both sides.
 *
 * For every N:
 *   - no crash (ASan/UBSan in the sanitizer pass);
 *   - no hang: every loop is bounded, and a handshake in which neither side
 *     can make progress any more is a failure;
 *   - the failure is reported: some call returns its error value, and for
 *     an SSL call SSL_get_error says SSL_ERROR_SSL or SSL_ERROR_SYSCALL;
 *     with no failure injected nothing may fail; whatever succeeds is
 *     checked (verified peer, resumption on both sides, the bytes read, the
 *     session encoding), never success with garbage;
 *   - no leak: each N runs in its own thread, so the per-thread caches
 *     (sesame's and libcrypto's) are released when it ends; after it has
 *     been joined, the number of live blocks must be what it was before
 *     (the process-wide caches were warmed up first).  The blocks an
 *     iteration left behind are listed with their allocation sites.
 *     LeakSanitizer checks too in the ASan pass;
 *   - no sticky failure: the same thread then runs the scenario once more
 *     with no failure injected, and it must succeed completely.
 *
 * Before those sweeps, with sesame still cold, a third one fails each
 * allocation made inside sesame's once-only initialisations (base/once.h),
 * each N in a child process of its own: test_alloc_failure_cold_once.
 *
 * Environment: SESAME_ALLOC_STRIDE=k fails every k-th allocation only
 * (N = first, first+k, ...; the TSan pass of tests/run-all.sh sets it),
 * SESAME_ALLOC_FIRST=n starts at n, SESAME_ALLOC_ONLY=n runs just N=n of
 * the scenarios, SESAME_ALLOC_VARIANT=1|2 one scenario only (and no cold
 * sweep), SESAME_ALLOC_VERBOSE=1 prints every N, SESAME_ALLOC_MAX_PROBLEMS=n
 * stops after n problems (10). */
#include "testutil.h"

#include "pair.h"

#include "auth/auth.h"
#include "auth/cert_cache.h"
#include "base/once.h"
#include "keys/algs.h"
#include "keys/tls13_schedule.h"

/* api/err_strings.c: the SSL reason strings OPENSSL_init_ssl loads */
extern const ERR_STRING_DATA sesame_ssl_reason_strings[];

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

/* ---- the allocator ----
 *
 * Every block carries a header linking it into a list of live blocks with
 * its allocation site and serial number, so that the blocks an iteration
 * leaked can be listed. */

struct blk {
    struct blk *prev, *next;
    const char *file;
    int line;
    unsigned long serial;
    size_t size;
    uint64_t pad; /* header size a multiple of 16: the payload stays aligned */
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct blk g_head = {&g_head, &g_head, NULL, 0, 0, 0, 0};
static long g_live;            /* blocks allocated and not yet freed (under g_lock) */
static unsigned long g_serial; /* blocks allocated so far (under g_lock) */

/* The failure injection: only the sweep thread's allocations are counted. */
static atomic_int g_armed;
static atomic_long g_seen;    /* allocations counted since armed */
static atomic_long g_fail_at; /* the ordinal to fail */
static atomic_int g_injected; /* that allocation happened (and failed) */
static const char *g_fail_file;
static int g_fail_line;
static _Thread_local int tl_sweep;
/* count only the allocations made inside sesame's once-only initialisations */
static int g_once_only;

static int should_fail(const char *file, int line)
{
    if (!tl_sweep || !atomic_load(&g_armed) || (g_once_only && !sesame_once_running()))
        return 0;
    long n = atomic_fetch_add(&g_seen, 1) + 1;
    if (n != atomic_load(&g_fail_at))
        return 0;
    g_fail_file = file;
    g_fail_line = line;
    atomic_store(&g_injected, 1);
    return 1;
}

static void link_blk(struct blk *b)
{
    b->next = g_head.next;
    b->prev = &g_head;
    g_head.next->prev = b;
    g_head.next = b;
}

static void unlink_blk(struct blk *b)
{
    b->prev->next = b->next;
    b->next->prev = b->prev;
}

static void *t_malloc(size_t num, const char *file, int line)
{
    if (should_fail(file, line) || num > SIZE_MAX - sizeof(struct blk))
        return NULL;
    struct blk *b = malloc(sizeof(*b) + num);
    if (b == NULL)
        return NULL;
    b->file = file;
    b->line = line;
    b->size = num;
    pthread_mutex_lock(&g_lock);
    b->serial = ++g_serial;
    g_live++;
    link_blk(b);
    pthread_mutex_unlock(&g_lock);
    return b + 1;
}

static void t_free(void *p, const char *file, int line)
{
    (void)file;
    (void)line;
    if (p == NULL)
        return;
    struct blk *b = (struct blk *)p - 1;
    pthread_mutex_lock(&g_lock);
    unlink_blk(b);
    g_live--;
    pthread_mutex_unlock(&g_lock);
    free(b);
}

static void *t_realloc(void *p, size_t num, const char *file, int line)
{
    if (p == NULL)
        return t_malloc(num, file, line);
    if (num == 0) {
        t_free(p, file, line);
        return NULL;
    }
    if (should_fail(file, line) || num > SIZE_MAX - sizeof(struct blk))
        return NULL;
    struct blk *b = (struct blk *)p - 1;
    pthread_mutex_lock(&g_lock);
    unlink_blk(b);
    struct blk *n = realloc(b, sizeof(*b) + num);
    if (n == NULL) {
        link_blk(b);
        pthread_mutex_unlock(&g_lock);
        return NULL;
    }
    n->size = num;
    link_blk(n);
    pthread_mutex_unlock(&g_lock);
    return n + 1;
}

static long live_blocks(void)
{
    pthread_mutex_lock(&g_lock);
    long n = g_live;
    pthread_mutex_unlock(&g_lock);
    return n;
}

static unsigned long serial_now(void)
{
    pthread_mutex_lock(&g_lock);
    unsigned long n = g_serial;
    pthread_mutex_unlock(&g_lock);
    return n;
}

/* print_blocks_since lists (up to 20) live blocks allocated after |serial|. */
static void print_blocks_since(unsigned long serial)
{
    int shown = 0;
    pthread_mutex_lock(&g_lock);
    for (struct blk *b = g_head.next; b != &g_head && shown < 20; b = b->next)
        if (b->serial > serial) {
            fprintf(stderr, "    live block #%lu, %zu bytes, from %s:%d\n", b->serial, b->size,
                    b->file ? b->file : "?", b->line);
            shown++;
        }
    pthread_mutex_unlock(&g_lock);
}

static void arm(long fail_at)
{
    atomic_store(&g_seen, 0);
    atomic_store(&g_injected, 0);
    g_fail_file = NULL;
    g_fail_line = 0;
    atomic_store(&g_fail_at, fail_at);
    atomic_store(&g_armed, 1);
}

static void disarm(void)
{
    atomic_store(&g_armed, 0);
}

/* ---- the scenario ---- */

static TEST_PKI pki;

enum { SC_OK, SC_FAILED, SC_BAD };

/* The scenarios: 0 as described at the top; 1 the same with client
 * authentication (the server asks for and verifies the client's
 * certificate), a HelloRetryRequest in both handshakes (the server takes
 * P-256 only, the client's first share is X25519), and after the resumed
 * one a KeyUpdate both ways and SSL_shutdown on both sides. */
#define NUM_VARIANTS 2
static const char *const k_variant_name[NUM_VARIANTS] = {
    "full handshake, tickets, i2d/d2i, resumption",
    "the same with client auth and HelloRetryRequests, then KeyUpdate and shutdown",
};

struct scen {
    int variant;
    SSL_CTX *sctx, *cctx;
    SSL *c, *s, *c2, *s2;
    SSL_SESSION *sess, *sess2;
    unsigned char *der;
    const char *stage; /* what it was doing */
    char why[256];     /* SC_BAD: what went wrong */
};

/* bad records an invariant violation. */
static int bad(struct scen *sc, const char *fmt, const char *detail)
{
    snprintf(sc->why, sizeof(sc->why), fmt, detail);
    return SC_BAD;
}

/* failed: a call returned its error value: only with a failure injected,
 * and (|need_err|) with an error queued saying why. */
static int failed(struct scen *sc, const char *what, int need_err)
{
    if (!atomic_load(&g_injected)) {
        ERR_print_errors_fp(stderr);
        return bad(sc, "%s failed with no failure injected", what);
    }
    if (need_err && ERR_peek_error() == 0)
        return bad(sc, "%s failed without an error in the queue", what);
    ERR_clear_error();
    return SC_FAILED;
}

/* ssl_outcome classifies an SSL I/O call's result: 1 done, 0 would block,
 * else SC_FAILED/SC_BAD (negated, so the caller can tell). */
static int ssl_outcome(struct scen *sc, SSL *ssl, int ret, const char *what)
{
    /* Whatever succeeds or waits leaves the error queue empty: an error left
     * behind would turn the next SSL_ERROR_WANT_READ into SSL_ERROR_SSL. */
    static char msg[96];
    if (ret > 0) {
        if (ERR_peek_error() == 0)
            return 1;
        snprintf(msg, sizeof(msg), "%s succeeded", what);
        return -bad(sc, "%s with an error left in the queue", msg);
    }
    int e = SSL_get_error(ssl, ret);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return 0;
    if (e != SSL_ERROR_SSL && e != SSL_ERROR_SYSCALL) {
        snprintf(msg, sizeof(msg), "%s: SSL_get_error %d", what, e);
        return -bad(sc, "%s (neither SSL nor SYSCALL)", msg);
    }
    if (!atomic_load(&g_injected))
        fprintf(stderr, "%s: verify result %ld (%s)\n", what, SSL_get_verify_result(ssl),
                X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
    return -failed(sc, what, e == SSL_ERROR_SSL);
}

/* poke_peer: after |failed| side gave up, let the other side see what it
 * sent (an alert, or nothing) a few times; whatever it does must be a
 * proper result. */
static int poke_peer(struct scen *sc, SSL *peer)
{
    for (int i = 0; i < 3; i++) {
        int r = SSL_do_handshake(peer);
        if (r > 0)
            return SC_FAILED;
        int e = SSL_get_error(peer, r);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_SSL &&
            e != SSL_ERROR_SYSCALL)
            return bad(sc, "%s: the peer of a failed connection got a bad SSL_get_error",
                       sc->stage);
        ERR_clear_error();
        if (e == SSL_ERROR_SSL || e == SSL_ERROR_SYSCALL)
            break;
    }
    return SC_FAILED;
}

/* handshake drives both sides until both are done, one fails, or neither
 * can move (a hang: the failure was swallowed somewhere). */
static int handshake(struct scen *sc, SSL *c, SSL *s)
{
    int cdone = 0, sdone = 0;
    for (int round = 0; round < 32; round++) {
        if (!cdone) {
            int r = ssl_outcome(sc, c, SSL_do_handshake(c), "client SSL_do_handshake");
            if (r < 0)
                return -r == SC_FAILED ? poke_peer(sc, s) : -r;
            cdone = r;
        }
        if (!sdone) {
            int r = ssl_outcome(sc, s, SSL_do_handshake(s), "server SSL_do_handshake");
            if (r < 0)
                return -r == SC_FAILED ? poke_peer(sc, c) : -r;
            sdone = r;
        }
        if (cdone && sdone)
            return SC_OK;
    }
    return bad(sc, "%s: no progress (a hang)", sc->stage);
}

/* transfer: |from| writes |msg|, |to| reads exactly it (the client reads the
 * server's tickets on the way). */
static int transfer(struct scen *sc, SSL *from, SSL *to, const char *msg)
{
    int n = (int)strlen(msg);
    char buf[64];
    int r = ssl_outcome(sc, from, SSL_write(from, msg, n), "SSL_write");
    if (r < 0)
        return -r;
    if (r == 0)
        return bad(sc, "%s: SSL_write would block on a memory BIO", sc->stage);
    int got = 0;
    for (int i = 0; i < 8 && got < n; i++) {
        int ret = SSL_read(to, buf + got, (int)sizeof(buf) - got);
        r = ssl_outcome(sc, to, ret, "SSL_read");
        if (r < 0)
            return -r;
        if (r > 0)
            got += ret;
    }
    if (got != n || memcmp(buf, msg, (size_t)n) != 0)
        return bad(sc, "%s: the data read is not what was written", sc->stage);
    return SC_OK;
}

/* new_pair: client and server SSL over two memory BIOs (each end reads
 * what the other writes). */
static int new_pair(struct scen *sc, SSL **out_c, SSL **out_s)
{
    BIO *c2s = BIO_new(BIO_s_mem()), *s2c = BIO_new(BIO_s_mem());
    SSL *c = NULL, *s = NULL;
    int ret = SC_OK;
    *out_c = *out_s = NULL;
    if (c2s == NULL || s2c == NULL) {
        ret = failed(sc, "BIO_new", 1);
        goto out;
    }
    c = SSL_new(sc->cctx);
    s = SSL_new(sc->sctx);
    if (c == NULL || s == NULL) {
        ret = failed(sc, "SSL_new", 1);
        goto out;
    }
    if (!BIO_up_ref(c2s) || !BIO_up_ref(s2c)) {
        ret = bad(sc, "%s: BIO_up_ref", "");
        goto out;
    }
    SSL_set_bio(c, s2c, c2s); /* one reference each */
    SSL_set_bio(s, c2s, s2c);
    c2s = s2c = NULL;
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    if (!SSL_set_tlsext_host_name(c, "localhost")) {
        ret = failed(sc, "SSL_set_tlsext_host_name", 1);
        goto out;
    }
    if (!SSL_set1_host(c, "localhost")) {
        ret = failed(sc, "SSL_set1_host", 0);
        goto out;
    }
    *out_c = c;
    *out_s = s;
    c = s = NULL;
out:
    BIO_free(c2s);
    BIO_free(s2c);
    SSL_free(c);
    SSL_free(s);
    return ret;
}

static int make_ctxs(struct scen *sc)
{
    sc->stage = "contexts";
    sc->sctx = SSL_CTX_new(TLS_server_method());
    if (sc->sctx == NULL)
        return failed(sc, "SSL_CTX_new (server)", 1);
    if (SSL_CTX_use_certificate(sc->sctx, pki.leaf) != 1)
        return failed(sc, "SSL_CTX_use_certificate", 1);
    if (SSL_CTX_use_PrivateKey(sc->sctx, pki.leaf_key) != 1)
        return failed(sc, "SSL_CTX_use_PrivateKey", 1);
    sc->cctx = SSL_CTX_new(TLS_client_method());
    if (sc->cctx == NULL)
        return failed(sc, "SSL_CTX_new (client)", 1);
    if (!X509_STORE_add_cert(SSL_CTX_get_cert_store(sc->cctx), pki.ca))
        return failed(sc, "X509_STORE_add_cert", 1);
    SSL_CTX_set_verify(sc->cctx, SSL_VERIFY_PEER, NULL);
    if (sc->variant == 1) {
        if (SSL_CTX_use_certificate(sc->cctx, pki.leaf) != 1)
            return failed(sc, "SSL_CTX_use_certificate (client)", 1);
        if (SSL_CTX_use_PrivateKey(sc->cctx, pki.leaf_key) != 1)
            return failed(sc, "SSL_CTX_use_PrivateKey (client)", 1);
        if (!X509_STORE_add_cert(SSL_CTX_get_cert_store(sc->sctx), pki.ca))
            return failed(sc, "X509_STORE_add_cert (server)", 1);
        SSL_CTX_set_verify(sc->sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        if (SSL_CTX_set1_groups_list(sc->sctx, "P-256") != 1)
            return failed(sc, "SSL_CTX_set1_groups_list", 1);
    }
    return SC_OK;
}

/* check_peer: |ssl| sees its peer's certificate (pki.leaf for either
 * role), verified.  The chain a client reports starts with the leaf; a
 * server's leaves it out (as OpenSSL's). */
static int check_peer(struct scen *sc, SSL *ssl)
{
    int server = SSL_is_server(ssl);
    if (SSL_version(ssl) != TLS1_3_VERSION || SSL_get_current_cipher(ssl) == NULL)
        return bad(sc, "%s: version or cipher missing after the handshake", sc->stage);
    if (SSL_get_verify_result(ssl) != X509_V_OK)
        return bad(sc, "%s: handshake done but the verify result is not ok", sc->stage);
    X509 *peer = SSL_get0_peer_certificate(ssl);
    if (peer == NULL)
        return failed(sc, "SSL_get0_peer_certificate", 1);
    if (X509_cmp(peer, pki.leaf) != 0 || !cert_whole(peer))
        return bad(sc, "%s: the peer certificate is not the peer's (or not whole)", sc->stage);
    /* As OpenSSL, a server has no chain from a resumed session. */
    if (server && SSL_session_reused(ssl))
        return SC_OK;
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    if (chain == NULL)
        return failed(sc, "SSL_get_peer_cert_chain", 1);
    /* The sender's chain: its leaf (not in a server's list), then the CA
     * when its verify store holds it (OpenSSL's auto chain). */
    int n = sk_X509_num(chain), skip = server ? 0 : 1;
    if (n < skip || n > skip + 1 || (!server && X509_cmp(sk_X509_value(chain, 0), pki.leaf) != 0) ||
        (n == skip + 1 && X509_cmp(sk_X509_value(chain, skip), pki.ca) != 0))
        return bad(sc, "%s: the peer chain is not the peer's", sc->stage);
    return SC_OK;
}

/* check_peers: the client sees the server's certificate and, in variant
 * 1, the server the client's. */
static int check_peers(struct scen *sc, SSL *c, SSL *s)
{
    int r = check_peer(sc, c);
    if (r == SC_OK && sc->variant == 1)
        r = check_peer(sc, s);
    /* P-256 after the client's X25519 share: there was a HelloRetryRequest */
    if (r == SC_OK && sc->variant == 1 && SSL_get_negotiated_group(c) != NID_X9_62_prime256v1)
        return bad(sc, "%s: not P-256 (no HelloRetryRequest?)", sc->stage);
    return r;
}

/* shutdown_both: SSL_shutdown on both sides until both have sent and
 * received close_notify. */
static int shutdown_both(struct scen *sc, SSL *a, SSL *b)
{
    int done[2] = {0, 0};
    for (int i = 0; i < 8 && !(done[0] && done[1]); i++) {
        SSL *x = i % 2 ? b : a;
        if (done[i % 2])
            continue;
        int ret = SSL_shutdown(x);
        if (ret == 0 && ERR_peek_error() == 0)
            continue; /* sent; the peer's is still to come */
        int r = ssl_outcome(sc, x, ret, "SSL_shutdown");
        if (r < 0)
            return -r;
        done[i % 2] = r;
    }
    if (!done[0] || !done[1])
        return bad(sc, "%s: no progress (a hang)", sc->stage);
    return SC_OK;
}

/* encode checks i2d_SSL_SESSION of |sess| twice (the same length, the
 * bytes written) into sc->der; *out_len is set. */
static int encode(struct scen *sc, SSL_SESSION *sess, unsigned char **out, int *out_len)
{
    int len = i2d_SSL_SESSION(sess, NULL);
    if (len <= 0)
        return failed(sc, "i2d_SSL_SESSION (length)", 1);
    if (len > 1 << 20)
        return bad(sc, "%s: i2d_SSL_SESSION reports an absurd length", sc->stage);
    unsigned char *der = malloc((size_t)len), *p = der;
    if (der == NULL)
        return bad(sc, "%s: test out of memory", sc->stage);
    int len2 = i2d_SSL_SESSION(sess, &p);
    if (len2 <= 0) {
        free(der);
        return failed(sc, "i2d_SSL_SESSION", 1);
    }
    if (len2 != len || p != der + len) {
        free(der);
        return bad(sc, "%s: i2d_SSL_SESSION wrote another length than it reported", sc->stage);
    }
    *out = der;
    *out_len = len;
    return SC_OK;
}

static int scenario_body(struct scen *sc)
{
    int r;
    if ((r = make_ctxs(sc)) != SC_OK)
        return r;

    /* a full handshake */
    sc->stage = "full handshake";
    if ((r = new_pair(sc, &sc->c, &sc->s)) != SC_OK)
        return r;
    if ((r = handshake(sc, sc->c, sc->s)) != SC_OK)
        return r;
    if ((r = check_peers(sc, sc->c, sc->s)) != SC_OK)
        return r;
    if (SSL_session_reused(sc->c) || SSL_session_reused(sc->s))
        return bad(sc, "%s: reports a resumption", sc->stage);
    sc->stage = "data and tickets";
    if ((r = transfer(sc, sc->s, sc->c, "ping from the server")) != SC_OK ||
        (r = transfer(sc, sc->c, sc->s, "pong from the client")) != SC_OK)
        return r;

    /* the client's session, through DER */
    sc->stage = "session encoding";
    sc->sess = SSL_get1_session(sc->c);
    if (sc->sess == NULL)
        return bad(sc, "%s: no session after the handshake", sc->stage);
    if (!SSL_SESSION_is_resumable(sc->sess) || !SSL_SESSION_has_ticket(sc->sess))
        return bad(sc, "%s: the client's session has no ticket", sc->stage);
    unsigned char *der2 = NULL;
    int len = 0, len2 = 0;
    if ((r = encode(sc, sc->sess, &sc->der, &len)) != SC_OK)
        return r;
    const unsigned char *q = sc->der;
    sc->sess2 = d2i_SSL_SESSION(NULL, &q, len);
    if (sc->sess2 == NULL)
        return failed(sc, "d2i_SSL_SESSION", 1);
    if (q != sc->der + len)
        return bad(sc, "%s: d2i_SSL_SESSION did not read the whole encoding", sc->stage);
    if ((r = encode(sc, sc->sess2, &der2, &len2)) != SC_OK)
        return r;
    int same = len2 == len && memcmp(der2, sc->der, (size_t)len) == 0;
    free(der2);
    if (!same)
        return bad(sc, "%s: i2d(d2i(der)) != der", sc->stage);

    /* the resumption */
    sc->stage = "resumed handshake";
    if ((r = new_pair(sc, &sc->c2, &sc->s2)) != SC_OK)
        return r;
    if (!SSL_set_session(sc->c2, sc->sess2))
        return failed(sc, "SSL_set_session", 1);
    if ((r = handshake(sc, sc->c2, sc->s2)) != SC_OK)
        return r;
    if (!SSL_session_reused(sc->c2) || !SSL_session_reused(sc->s2))
        return bad(sc, "%s: not resumed (a failure was swallowed)", sc->stage);
    if ((r = check_peers(sc, sc->c2, sc->s2)) != SC_OK)
        return r;
    sc->stage = "data after resumption";
    if ((r = transfer(sc, sc->c2, sc->s2, "hello again")) != SC_OK || sc->variant == 0)
        return r;

    /* variant 1: a KeyUpdate each way (the server answers the client's
     * request with its own), then close_notify both ways */
    sc->stage = "key update";
    if (SSL_key_update(sc->c2, SSL_KEY_UPDATE_REQUESTED) != 1)
        return bad(sc, "%s: SSL_key_update refused", sc->stage);
    if ((r = transfer(sc, sc->c2, sc->s2, "new keys, please")) != SC_OK ||
        (r = transfer(sc, sc->s2, sc->c2, "here they are")) != SC_OK)
        return r;
    sc->stage = "shutdown";
    return shutdown_both(sc, sc->c2, sc->s2);
}

/* scenario runs the whole scenario and frees everything it made. */
static int scenario(struct scen *sc, int variant)
{
    memset(sc, 0, sizeof(*sc));
    sc->variant = variant;
    int r = scenario_body(sc);
    SSL_free(sc->c);
    SSL_free(sc->s);
    SSL_free(sc->c2);
    SSL_free(sc->s2);
    SSL_SESSION_free(sc->sess);
    SSL_SESSION_free(sc->sess2);
    SSL_CTX_free(sc->cctx);
    SSL_CTX_free(sc->sctx);
    free(sc->der);
    ERR_clear_error();
    return r;
}

/* ---- one iteration, in its own thread ---- */

struct iter {
    int variant;
    long fail_at; /* 0: inject nothing */
    int result;   /* SC_* of the run with the failure */
    int clean;    /* SC_* of the run after it */
    int injected;
    long seen; /* allocations the first run made */
    const char *file;
    int line;
    struct scen sc, sc_clean;
};

static void *iter_main(void *arg)
{
    struct iter *it = arg;
    unsigned char b[1];
    /* libcrypto's per-thread state (DRBGs, error queue) outside the sweep */
    (void)RAND_bytes(b, 1);
    (void)RAND_priv_bytes(b, 1);
    ERR_clear_error();
    tl_sweep = 1;
    arm(it->fail_at);
    it->result = scenario(&it->sc, it->variant);
    disarm();
    it->injected = atomic_load(&g_injected);
    it->seen = atomic_load(&g_seen);
    it->file = g_fail_file;
    it->line = g_fail_line;
    arm(0); /* counts, injects nothing */
    it->clean = scenario(&it->sc_clean, it->variant);
    disarm();
    tl_sweep = 0;
    return NULL;
}

static int run_iter(struct iter *it)
{
    pthread_t t;
    if (pthread_create(&t, NULL, iter_main, it) != 0)
        return 0;
    return pthread_join(t, NULL) == 0;
}

static long env_long(const char *name, long def)
{
    const char *e = getenv(name);
    if (e == NULL || *e == 0)
        return def;
    char *end;
    long v = strtol(e, &end, 10);
    return *end == 0 && v > 0 ? v : def;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* sweep: the sweep over one scenario variant. */
static void sweep(int variant)
{
    long stride = env_long("SESAME_ALLOC_STRIDE", 1);
    long first = env_long("SESAME_ALLOC_FIRST", 1);
    long only = env_long("SESAME_ALLOC_ONLY", 0);
    int verbose = env_long("SESAME_ALLOC_VERBOSE", 0) != 0;
    long max_problems = env_long("SESAME_ALLOC_MAX_PROBLEMS", 10);
    long points = 0, failed_ok = 0, recovered = 0;
    static struct iter it;

    fprintf(stderr, "scenario %d: %s\n", variant, k_variant_name[variant]);
    /* Warm up the process-wide state (fetched algorithms, error strings,
     * libcrypto's caches) with two complete runs. */
    for (int i = 0; i < 2; i++) {
        memset(&it, 0, sizeof(it));
        it.variant = variant;
        REQUIRE(run_iter(&it));
        if (!CHECK(it.result == SC_OK && it.clean == SC_OK)) {
            fprintf(stderr, "warm-up run failed: %s / %s\n", it.sc.why, it.sc_clean.why);
            return;
        }
    }
    long base = live_blocks();
    /* A clean iteration must leave no block behind, or the leak check
     * below means nothing. */
    memset(&it, 0, sizeof(it));
    it.variant = variant;
    unsigned long serial = serial_now();
    REQUIRE(run_iter(&it));
    REQUIRE(it.result == SC_OK && it.clean == SC_OK);
    if (!CHECK(live_blocks() == base)) {
        fprintf(stderr, "a clean iteration left %ld blocks\n", live_blocks() - base);
        print_blocks_since(serial);
        return;
    }
    long total = it.seen;
    fprintf(stderr, "it makes %ld allocations; failing each %s (stride %ld)\n", total,
            stride == 1 ? "one" : "k-th", stride);

    double t0 = now_s();
    long problems = 0;
    for (long n = only ? only : first; problems < max_problems; n += stride) {
        memset(&it, 0, sizeof(it));
        it.variant = variant;
        it.fail_at = n;
        serial = serial_now();
        REQUIRE(run_iter(&it));
        long leaked = live_blocks() - base;
        if (!it.injected) {
            /* N is past the scenario's allocations: it ran clean */
            if (!CHECK(it.result == SC_OK))
                fprintf(stderr, "N=%ld: a run with no failure injected: %s\n", n, it.sc.why);
            break;
        }
        points++;
        int ok = it.result != SC_BAD && it.clean == SC_OK && leaked == 0;
        if (it.result == SC_FAILED)
            failed_ok++;
        else if (it.result == SC_OK)
            recovered++;
        if (verbose || !ok)
            fprintf(stderr, "N=%ld %s:%d: %s%s%s%s\n", n, it.file ? it.file : "?", it.line,
                    it.result == SC_OK       ? "recovered"
                    : it.result == SC_FAILED ? "failed properly"
                                             : "BAD: ",
                    it.result == SC_BAD ? it.sc.why : "",
                    it.clean != SC_OK ? "; the clean run after it failed: " : "",
                    it.clean != SC_OK ? it.sc_clean.why : "");
        if (!CHECK(it.result != SC_BAD) | !CHECK(it.clean == SC_OK))
            problems++;
        if (!CHECK(leaked == 0)) {
            fprintf(stderr, "N=%ld (failed at %s:%d, stage %s): %ld blocks leaked\n", n,
                    it.file ? it.file : "?", it.line, it.sc.stage ? it.sc.stage : "?", leaked);
            print_blocks_since(serial);
            problems++;
            base = live_blocks(); /* report each leak once */
        }
        if (only)
            break;
    }
    if (problems >= max_problems)
        fprintf(stderr, "stopped after %ld problems\n", problems);
    /* And once more, nothing injected: the process is as good as new. */
    memset(&it, 0, sizeof(it));
    it.variant = variant;
    serial = serial_now();
    REQUIRE(run_iter(&it));
    CHECK(it.result == SC_OK && it.clean == SC_OK);
    if (!CHECK(live_blocks() == base))
        print_blocks_since(serial);
    fprintf(stderr,
            "swept %ld allocation points in %.1f s: %ld failed properly, %ld recovered "
            "(the scenario completed)\n",
            points, now_s() - t0, failed_ok, recovered);
    CHECK(points > 0);
}

/* ---- the once-only initialisations, cold ----
 *
 * The sweeps below run after a warm-up, when sesame's once-only
 * initialisations (base/once.h: algorithm fetches, error strings, thread
 * keys, precomputed secrets, the ex_data index) are long done.  Here each N
 * runs in a fresh child process, where none has run yet, and fails the Nth
 * allocation made inside one of them during the scenario; then the child
 * runs the scenario again with nothing injected, which must succeed: a
 * failed initialisation is tried again, never remembered.  libcrypto itself
 * was warmed up before the fork (its own once-only initialisations are not
 * ours to fix, see warm_fetches). */

/* warm_fetches: libcrypto's method construction, which sesame's first
 * fetches would otherwise run.  OpenSSL 3.0 does not recover from an
 * allocation failing in there: the operation's algorithms are then
 * "unsupported" for the life of the process (the provider is not asked
 * again), a libcrypto failure no retry of ours can undo. */
static int warm_fetches(void)
{
    static const char *const mds[] = {"SHA2-256", "SHA2-384", "SHA512"};
    static const char *const ciphers[] = {"AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305",
                                          "AES-256-CBC"};
    static const char *const kdfs[] = {"HKDF", "TLS1-PRF"};
    int ok = 1;
    for (size_t i = 0; i < sizeof(mds) / sizeof(mds[0]); i++) {
        EVP_MD *md = EVP_MD_fetch(NULL, mds[i], NULL);
        ok &= md != NULL;
        EVP_MD_free(md);
    }
    for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
        EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, ciphers[i], NULL);
        ok &= c != NULL;
        EVP_CIPHER_free(c);
    }
    for (size_t i = 0; i < sizeof(kdfs) / sizeof(kdfs[0]); i++) {
        EVP_KDF *k = EVP_KDF_fetch(NULL, kdfs[i], NULL);
        ok &= k != NULL;
        EVP_KDF_free(k);
    }
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    ok &= mac != NULL;
    EVP_MAC_free(mac);
    return ok;
}

/* inits_done: after a clean scenario, every once-only initialisation it
 * needs has completed: also those whose failure would only have cost
 * speed (the precomputed hashes and secrets) or error messages. */
static const char *inits_done(void)
{
    for (const ERR_STRING_DATA *e = sesame_ssl_reason_strings; e->error != 0; e++)
        if (ERR_reason_error_string(e->error) == NULL)
            return "an SSL error string is missing";
    if (algs_empty_hash(algs_sha256()) == NULL || algs_empty_hash(algs_sha384()) == NULL)
        return "no precomputed Hash(\"\")";
    const EVP_MD *mds[2] = {algs_sha256(), algs_sha384()};
    for (int i = 0; i < 2; i++) {
        TLS13_SCHEDULE ks;
        int ok = tls13_sched_init(&ks, mds[i], NULL, 0) && ks.no_psk_early;
        tls13_sched_cleanup(&ks);
        if (!ok)
            return "no precomputed early secret";
    }
    if (auth_store_ctx_ssl_idx() < 0)
        return "no X509_STORE_CTX ex_data index";
    return NULL;
}

/* cold_child: one N in the child; the exit status says how it went. */
enum { COLD_OK = 0, COLD_BAD = 1, COLD_PAST = 2 };

static int cold_child(long n, int verbose)
{
    static struct scen sc;
    tl_sweep = 1;
    g_once_only = 1;
    arm(n);
    int r = scenario(&sc, 0);
    disarm();
    g_once_only = 0;
    int injected = atomic_load(&g_injected);
    const char *file = g_fail_file;
    int line = g_fail_line;
    if (!injected)
        return r == SC_OK ? COLD_PAST : COLD_BAD;
    if (verbose || r == SC_BAD)
        fprintf(stderr, "cold N=%ld %s:%d: %s%s\n", n, file ? file : "?", line,
                r == SC_OK       ? "recovered"
                : r == SC_FAILED ? "failed properly"
                                 : "BAD: ",
                r == SC_BAD ? sc.why : "");
    if (r == SC_BAD)
        return COLD_BAD;
    arm(0);
    r = scenario(&sc, 0);
    disarm();
    if (r != SC_OK) {
        fprintf(stderr, "cold N=%ld (failed at %s:%d): the clean run after it failed: %s\n", n,
                file ? file : "?", line, sc.why);
        return COLD_BAD;
    }
    const char *why = inits_done();
    if (why != NULL) {
        fprintf(stderr, "cold N=%ld (failed at %s:%d): after a clean run: %s\n", n,
                file ? file : "?", line, why);
        return COLD_BAD;
    }
    return COLD_OK;
}

static void test_alloc_failure_cold_once(void)
{
    int verbose = env_long("SESAME_ALLOC_VERBOSE", 0) != 0;
    long stride = env_long("SESAME_ALLOC_STRIDE", 1);
    long points = 0;
    double t0 = now_s();
    for (long n = env_long("SESAME_ALLOC_FIRST", 1); n <= 100000; n += stride) {
        fflush(stderr);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            alarm(60); /* a hang kills the child */
            exit(cold_child(n, verbose));
        }
        int status = 0;
        REQUIRE(waitpid(pid, &status, 0) == pid);
        if (WIFEXITED(status) && WEXITSTATUS(status) == COLD_PAST)
            break;
        points++;
        if (!CHECK(WIFEXITED(status) && WEXITSTATUS(status) == COLD_OK)) {
            if (WIFSIGNALED(status))
                fprintf(stderr, "cold N=%ld: the child died of signal %d\n", n, WTERMSIG(status));
        }
    }
    fprintf(stderr,
            "cold: swept %ld allocation points inside the once-only initialisations in %.1f s\n",
            points, now_s() - t0);
    CHECK(points > 0);
}

static void test_alloc_failure_sweep(void)
{
    long only_variant = env_long("SESAME_ALLOC_VARIANT", 0) - 1; /* 1-based: 0 = all */
    for (int v = 0; v < NUM_VARIANTS; v++)
        if (only_variant < 0 || only_variant == v)
            sweep(v);
}

int main(void)
{
    /* Before anything allocates: libcrypto refuses once it has. */
    if (!CRYPTO_set_mem_functions(t_malloc, t_realloc, t_free)) {
        fprintf(stderr, "CRYPTO_set_mem_functions refused (something allocated first)\n");
        return 1;
    }
    (void)pair_server_ctx;
    (void)pair_client_ctx;
    (void)pair_new;
    /* libcrypto's own start-up, and nothing of sesame yet (the cold test
     * needs its once-only initialisations not done) */
    if (!OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG | OPENSSL_INIT_ADD_ALL_CIPHERS |
                                 OPENSSL_INIT_ADD_ALL_DIGESTS,
                             NULL)) {
        fprintf(stderr, "OPENSSL_init_crypto failed\n");
        return 1;
    }
    pair_pki_init(&pki);
    if (pki.leaf == NULL || pki.ca == NULL || !warm_fetches()) {
        fprintf(stderr, "could not make the test certificates or fetch the algorithms\n");
        return 1;
    }
    if (env_long("SESAME_ALLOC_VARIANT", 0) == 0)
        RUN(test_alloc_failure_cold_once);
    RUN(test_alloc_failure_sweep);
    pair_pki_free(&pki);
    fprintf(stderr, "%s: %d checks, %d failed\n", __FILE__, test_checks, test_failures);
    return test_failures != 0;
}

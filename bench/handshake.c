/* Handshake benchmark, written only against the public OpenSSL API so that the
 * same binary runs over the system libssl or over sesame (LD_LIBRARY_PATH).
 * Client and server live in one thread and talk over a BIO pair.
 *
 *   bench-handshake full|resume|memory|idle|full12|resume12|resume12id|idle12|threads|fleet|all
 *                   [-seconds S] [-n N] [-pairs P] [-count C]
 *
 * -count C (full, resume, resume12 and resume12id, a profiling aid): instead of timing, run 5
 * warm-up handshakes and then exactly C handshakes, so instruction counts
 * (valgrind --tool=callgrind) are repeatable; the work per handshake is the
 * same as in the timed mode.
 *
 * full:   TLS 1.3 full handshakes (X25519, ECDSA P-256 leaf under a CA,
 *         TLS_AES_128_GCM_SHA256, client verifies the chain, no tickets).
 * resume: TLS 1.3 psk_dhe_ke resumptions, each with the newest ticket.
 * memory: heap bytes per server-cached session (stateful tickets) and per
 *         client-held session (mallinfo2 deltas).
 * idle:   heap bytes per idle TLS 1.3 connection pair (client + server, handshake
 *         done, tickets read, both waiting in SSL_read): P pairs (default
 *         1000) open at once; then the same with SSL_MODE_RELEASE_BUFFERS
 *         set on both contexts (as nginx does).
 * idle12: the same in TLS 1.2.
 * full12:     TLS 1.2 full handshakes (ECDHE-ECDSA-AES128-GCM-SHA256, X25519,
 *             extended master secret, the same certificates), no session kept.
 * resume12:   TLS 1.2 resumptions by ticket (RFC 5077), the same session each
 *             time (a 1.2 ticket is not spent by use).
 * resume12id: TLS 1.2 resumptions by session id from the server's cache.
 * threads:    1, 2 and 8 threads at once, each doing "full" (then "resume")
 *             handshakes on one shared server SSL_CTX and one shared client
 *             SSL_CTX; the rate of all threads together and its ratio to
 *             one thread's.
 * fleet:      (not in "all") resumed handshakes of sessions kept by the server: TLS 1.2
 *             session ids and TLS 1.3 stateful tickets. Each round: a full handshake on server
 *             context A issues a session (not timed), then one timed resumption of it. Without
 *             SESAME_SESSION_STORE: resumed on A, from the in-process cache ("local"). With
 *             it (sesame only: every SSL_CTX joins the store): resumed on A ("store same") and
 *             on a second server context B that shares nothing with A but the store ("store
 *             other": the session comes from Redis). Also times a Redis PING on the store's
 *             address (one round trip) and, on sesame, reads the store counters (dlsym).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <dlfcn.h>
#include <link.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int find_libssl(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    if (info->dlpi_name != NULL && strstr(info->dlpi_name, "libssl.so") != NULL) {
        *(const char **)arg = info->dlpi_name;
        return 1;
    }
    return 0;
}

static void die(const char *what)
{
    fprintf(stderr, "bench: FAILED: %s\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

/* ---- certificates ---- */

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    int ok = e != NULL && X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok;
}

static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                       long serial)
{
    X509 *x = X509_new();
    if (x == NULL)
        return NULL;
    X509_NAME *name = X509_get_subject_name(x);
    int ok = X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), serial) &&
             X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
             X509_gmtime_adj(X509_getm_notAfter(x), 86400) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                        0) &&
             X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) &&
             X509_set_pubkey(x, key);
    if (ok && issuer == NULL)
        ok = add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") &&
             add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
    else if (ok)
        ok = add_ext(x, issuer, NID_basic_constraints, "CA:FALSE") &&
             add_ext(x, issuer, NID_subject_alt_name, "DNS:localhost");
    if (!ok || !X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256())) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static X509 *ca_cert, *leaf_cert;
static EVP_PKEY *ca_key, *leaf_key;

static void make_certs(void)
{
    ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (ca_key == NULL || leaf_key == NULL)
        die("key generation");
    ca_cert = make_cert(ca_key, "bench CA", NULL, NULL, 1);
    leaf_cert = ca_cert ? make_cert(leaf_key, "localhost", ca_cert, ca_key, 2) : NULL;
    if (leaf_cert == NULL)
        die("certificate generation");
}

/* ---- contexts and one handshake ---- */

/* The version under test: TLS1_3_VERSION, or TLS1_2_VERSION for *12 modes. */
static int version = TLS1_3_VERSION;

/* set_version: both ends limited to |version|, with its one suite. */
static int set_version(SSL_CTX *ctx)
{
    if (!SSL_CTX_set_min_proto_version(ctx, version) ||
        !SSL_CTX_set_max_proto_version(ctx, version))
        return 0;
    if (version == TLS1_3_VERSION)
        return SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256");
    return SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256");
}

/* groups: X25519 for the key exchange; in TLS 1.2 the client must also name
 * the ECDSA certificate's curve (RFC 8422 5.1), so P-256 comes second. */
static const char *groups(void)
{
    return version == TLS1_3_VERSION ? "X25519" : "X25519:P-256";
}

/* Newest client session from the new-session callback (kept: return 1). */
static SSL_SESSION *newest;
static long num_new_sessions;
/* memory mode: every client session is kept here instead. */
static SSL_SESSION **kept;
static size_t num_kept, cap_kept;

static int new_session_cb(SSL *ssl, SSL_SESSION *s)
{
    (void)ssl;
    num_new_sessions++;
    if (kept != NULL) {
        if (num_kept == cap_kept)
            return 0; /* not kept: the library frees it */
        kept[num_kept++] = s;
        return 1;
    }
    SSL_SESSION_free(newest);
    newest = s;
    return 1;
}

static SSL_CTX *server_ctx(int num_tickets, int stateful)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL || !set_version(ctx) || !SSL_CTX_set1_groups_list(ctx, groups()) ||
        SSL_CTX_use_certificate(ctx, leaf_cert) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, leaf_key) != 1 ||
        !SSL_CTX_set_num_tickets(ctx, (size_t)num_tickets))
        die("server context");
    if (stateful) {
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
        SSL_CTX_sess_set_cache_size(ctx, 1000000);
    }
    return ctx;
}

static SSL_CTX *client_ctx(int want_sessions)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL || !set_version(ctx) || !SSL_CTX_set1_groups_list(ctx, groups()) ||
        X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca_cert) != 1)
        die("client context");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (want_sessions) {
        SSL_CTX_set_session_cache_mode(ctx,
                                       SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
        SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
    }
    return ctx;
}

static int retryable(SSL *ssl, int ret)
{
    int e = SSL_get_error(ssl, ret);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

/* open_pair: a connected pair, handshake done (resuming `resume` if set),
 * the client having read the tickets if `read_tickets`; over a BIO pair. */
static void open_pair(SSL_CTX *sctx, SSL_CTX *cctx, SSL_SESSION *resume, int read_tickets,
                      SSL **out_c, SSL **out_s)
{
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    BIO *bc = NULL, *bs = NULL;
    if (c == NULL || s == NULL || !BIO_new_bio_pair(&bc, 0, &bs, 0))
        die("SSL_new/BIO pair");
    SSL_set_bio(c, bc, bc);
    SSL_set_bio(s, bs, bs);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    if (resume != NULL && !SSL_set_session(c, resume))
        die("SSL_set_session");
    int cdone = 0, sdone = 0;
    for (int i = 0; i < 64 && !(cdone && sdone); i++) {
        if (!cdone) {
            int r = SSL_do_handshake(c);
            if (r == 1)
                cdone = 1;
            else if (!retryable(c, r))
                die("client handshake");
        }
        if (!sdone) {
            int r = SSL_do_handshake(s);
            if (r == 1)
                sdone = 1;
            else if (!retryable(s, r))
                die("server handshake");
        }
    }
    if (!(cdone && sdone))
        die("handshake did not complete");
    if (SSL_get_verify_result(c) != X509_V_OK)
        die("certificate verification");
    if (read_tickets) {
        unsigned char b;
        int r = SSL_read(c, &b, 1); /* processes the NewSessionTicket(s) */
        if (r > 0 || !retryable(c, r))
            die("client read of the ticket");
    }
    *out_c = c;
    *out_s = s;
}

/* One connection: handshake (resuming `resume` if set), let the client read
 * the tickets, close both sides cleanly, free. Returns SSL_session_reused. */
static int one_connection(SSL_CTX *sctx, SSL_CTX *cctx, SSL_SESSION *resume, int read_tickets)
{
    SSL *c, *s;
    open_pair(sctx, cctx, resume, read_tickets, &c, &s);
    int reused = SSL_session_reused(c);
    SSL_shutdown(c);
    SSL_shutdown(s);
    SSL_free(c);
    SSL_free(s);
    return reused;
}

/* ---- modes ---- */

static void bench_full(double seconds, long count)
{
    SSL_CTX *sctx = server_ctx(0, 0), *cctx = client_ctx(0);
    if (version == TLS1_2_VERSION) { /* nothing kept: no ticket, no cache */
        SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
        SSL_CTX_set_session_cache_mode(sctx, SSL_SESS_CACHE_OFF);
    }
    if (count > 0) {
        for (int i = 0; i < 5; i++)
            one_connection(sctx, cctx, NULL, 0);
        double c0 = now_s();
        for (long i = 0; i < count; i++)
            if (one_connection(sctx, cctx, NULL, 0))
                die("a full handshake claims to be resumed");
        printf("full handshakes: %ld in %.3f s\n", count, now_s() - c0);
        SSL_CTX_free(sctx);
        SSL_CTX_free(cctx);
        return;
    }
    double t0 = now_s();
    while (now_s() - t0 < 0.3)
        one_connection(sctx, cctx, NULL, 0);
    long n = 0;
    t0 = now_s();
    double t;
    while ((t = now_s() - t0) < seconds) {
        if (one_connection(sctx, cctx, NULL, 0))
            die("a full handshake claims to be resumed");
        n++;
    }
    printf("%s handshakes/s: %.0f\n", version == TLS1_2_VERSION ? "tls12 full" : "full",
           (double)n / t);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* resume_once: one resumption with the newest ticket; 1 if it resumed. */
static int resume_once(SSL_CTX *sctx, SSL_CTX *cctx)
{
    long before = num_new_sessions;
    SSL_SESSION *s = newest;
    SSL_SESSION_up_ref(s);
    int reused = one_connection(sctx, cctx, s, 1);
    SSL_SESSION_free(s);
    if (num_new_sessions == before)
        die("no fresh ticket on a resumed connection");
    return reused;
}

static void bench_resume(double seconds, long count)
{
    SSL_CTX *sctx = server_ctx(1, 0), *cctx = client_ctx(1);
    one_connection(sctx, cctx, NULL, 1);
    if (newest == NULL)
        die("no ticket after the first handshake");
    if (count > 0) {
        for (int i = 0; i < 5; i++)
            resume_once(sctx, cctx);
        double c0 = now_s();
        for (long i = 0; i < count; i++)
            if (!resume_once(sctx, cctx))
                die("resumption");
        printf("resumed handshakes: %ld in %.3f s\n", count, now_s() - c0);
        SSL_SESSION_free(newest);
        newest = NULL;
        SSL_CTX_free(sctx);
        SSL_CTX_free(cctx);
        return;
    }
    long n = 0, reused = 0;
    double t0 = now_s(), t;
    int warm = 1;
    for (;;) {
        t = now_s() - t0;
        if (warm && t >= 0.3) {
            warm = 0;
            n = reused = 0;
            t0 = now_s();
            continue;
        }
        if (!warm && t >= seconds)
            break;
        reused += resume_once(sctx, cctx);
        n++;
    }
    if (reused != n) {
        fprintf(stderr, "bench: only %ld of %ld handshakes resumed\n", reused, n);
        die("resumption");
    }
    printf("resume handshakes/s: %.0f (%ld/%ld resumed)\n", (double)n / t, reused, n);
    SSL_SESSION_free(newest);
    newest = NULL;
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* TLS 1.2: the session of one full handshake, resumed again and again, by
 * ticket or (by_id) from the server's session cache. */
static void bench_resume12(double seconds, int by_id, long count)
{
    SSL_CTX *sctx = server_ctx(0, by_id), *cctx = client_ctx(1);
    one_connection(sctx, cctx, NULL, 0);
    if (newest == NULL)
        die("no session after the first TLS 1.2 handshake");
    SSL_SESSION *sess = newest;
    newest = NULL;
    if (SSL_SESSION_has_ticket(sess) == by_id)
        die(by_id ? "a ticket where a session id was wanted" : "no ticket");
    long n = 0, reused = 0;
    double t0 = now_s(), t;
    int warm = 1;
    if (count > 0) {
        for (int i = 0; i < 5; i++)
            one_connection(sctx, cctx, sess, 0);
        t0 = now_s();
        for (; n < count; n++)
            reused += one_connection(sctx, cctx, sess, 0);
        warm = 0;
    }
    for (; count == 0;) {
        t = now_s() - t0;
        if (warm && t >= 0.3) {
            warm = 0;
            n = reused = 0;
            t0 = now_s();
            continue;
        }
        if (!warm && t >= seconds)
            break;
        reused += one_connection(sctx, cctx, sess, 0);
        n++;
    }
    t = now_s() - t0;
    if (reused != n) {
        fprintf(stderr, "bench: only %ld of %ld handshakes resumed\n", reused, n);
        die("TLS 1.2 resumption");
    }
    printf("tls12 resume %s handshakes/s: %.0f (%ld/%ld resumed)\n", by_id ? "id" : "ticket",
           (double)n / t, reused, n);
    SSL_SESSION_free(sess);
    SSL_SESSION_free(newest);
    newest = NULL;
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static size_t heap_used(void)
{
    return mallinfo2().uordblks;
}

static void bench_memory(int n)
{
    /* (a) server cache with stateful TLS 1.3 tickets. */
    SSL_CTX *sctx = server_ctx(1, 1), *cctx = client_ctx(0);
    for (int i = 0; i < 20; i++)
        one_connection(sctx, cctx, NULL, 1);
    long cached0 = SSL_CTX_sess_number(sctx);
    size_t base = heap_used();
    for (int i = 0; i < n; i++)
        one_connection(sctx, cctx, NULL, 1);
    size_t after = heap_used();
    long cached = SSL_CTX_sess_number(sctx) - cached0;
    if (cached != n) {
        fprintf(stderr, "bench: %ld sessions cached on the server, expected %d\n", cached, n);
        die("server session cache");
    }
    printf("server cached session bytes: %ld\n", ((long)after - (long)base) / n);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);

    /* (b) sessions a client holds (with their tickets), SSL objects freed. */
    sctx = server_ctx(1, 0);
    cctx = client_ctx(1);
    for (int i = 0; i < 20; i++)
        one_connection(sctx, cctx, NULL, 1);
    SSL_SESSION_free(newest);
    newest = NULL;
    kept = calloc((size_t)n, sizeof(*kept));
    if (kept == NULL)
        die("calloc");
    cap_kept = (size_t)n;
    base = heap_used();
    for (int i = 0; i < n; i++)
        one_connection(sctx, cctx, NULL, 1);
    after = heap_used();
    if (num_kept != (size_t)n) {
        fprintf(stderr, "bench: client kept %zu sessions, expected %d\n", num_kept, n);
        die("client sessions");
    }
    for (size_t i = 0; i < num_kept; i++)
        if (!SSL_SESSION_is_resumable(kept[i]))
            die("a kept client session is not resumable");
    printf("client session bytes: %ld\n", ((long)after - (long)base) / n);
    for (size_t i = 0; i < num_kept; i++)
        SSL_SESSION_free(kept[i]);
    free(kept);
    kept = NULL;
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* idle: heap bytes per idle connection pair: n pairs kept open at once,
 * each after a full handshake (default server: two stateless TLS 1.3
 * tickets, read by the client; TLS 1.2: one ticket), both sides having
 * called SSL_read once (the client for the tickets, the server waiting for
 * a request; both would block), nothing pending.  The
 * BIO pair of the handshake (two 17 KB buffers, which no real transport
 * has) is then replaced by an empty memory BIO per SSL, a few hundred bytes
 * like a socket BIO, so what is measured is the libraries' own state. */
static void bench_idle(int n, int release_buffers)
{
    SSL_CTX *sctx = server_ctx(2, 0), *cctx = client_ctx(0);
    if (release_buffers) { /* as nginx does */
        SSL_CTX_set_mode(sctx, SSL_MODE_RELEASE_BUFFERS);
        SSL_CTX_set_mode(cctx, SSL_MODE_RELEASE_BUFFERS);
    }
    SSL **pairs = calloc((size_t)n * 2, sizeof(*pairs));
    if (pairs == NULL)
        die("calloc");
    /* warm up: per-thread and per-context caches, lazy initialisations */
    for (int i = 0; i < 20; i++)
        one_connection(sctx, cctx, NULL, 1);
    size_t base = heap_used();
    for (int i = 0; i < n; i++) {
        SSL *c, *s;
        open_pair(sctx, cctx, NULL, 1, &c, &s);
        if (SSL_session_reused(c))
            die("a full handshake claims to be resumed");
        /* the server waits for a request, as a server does (nginx reads
         * as soon as the handshake is done): its read would block */
        unsigned char b;
        int r = SSL_read(s, &b, 1);
        if (r > 0 || SSL_get_error(s, r) != SSL_ERROR_WANT_READ)
            die("server read on an idle pair");
        if (SSL_pending(c) != 0 || SSL_pending(s) != 0)
            die("data pending on an idle pair");
        BIO *bc = BIO_new(BIO_s_mem()), *bs = BIO_new(BIO_s_mem());
        if (bc == NULL || bs == NULL)
            die("BIO_new");
        SSL_set_bio(c, bc, bc); /* frees the BIO pair */
        SSL_set_bio(s, bs, bs);
        pairs[2 * i] = c;
        pairs[2 * i + 1] = s;
    }
    size_t after = heap_used();
    printf("%s idle pair bytes%s: %ld\n", version == TLS1_2_VERSION ? "tls12" : "tls13",
           release_buffers ? ", release buffers" : "", ((long)after - (long)base) / n);
    for (int i = 0; i < 2 * n; i++)
        SSL_free(pairs[i]);
    free(pairs);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* ---- threads: N threads handshaking on one shared server SSL_CTX and one
 * shared client SSL_CTX (TLS 1.3, as "full" and "resume") ---- */

/* conn_session: one connection as one_connection, the client reading its
 * ticket(s); returns the client's session (a reference) and sets *reused.
 * No callbacks and no globals: safe on any thread. */
static SSL_SESSION *conn_session(SSL_CTX *sctx, SSL_CTX *cctx, SSL_SESSION *resume, int *reused)
{
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    BIO *bc = NULL, *bs = NULL;
    if (c == NULL || s == NULL || !BIO_new_bio_pair(&bc, 0, &bs, 0))
        die("SSL_new/BIO pair");
    SSL_set_bio(c, bc, bc);
    SSL_set_bio(s, bs, bs);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    if (resume != NULL && !SSL_set_session(c, resume))
        die("SSL_set_session");
    int cdone = 0, sdone = 0;
    for (int i = 0; i < 64 && !(cdone && sdone); i++) {
        int r;
        if (!cdone && (r = SSL_do_handshake(c)) != 1 && !retryable(c, r))
            die("client handshake");
        cdone = cdone || r == 1;
        if (!sdone && (r = SSL_do_handshake(s)) != 1 && !retryable(s, r))
            die("server handshake");
        sdone = sdone || r == 1;
    }
    if (!(cdone && sdone) || SSL_get_verify_result(c) != X509_V_OK)
        die("threaded handshake");
    unsigned char b;
    int r = SSL_read(c, &b, 1); /* the NewSessionTicket */
    if (r > 0 || !retryable(c, r))
        die("client read of the ticket");
    *reused = SSL_session_reused(c);
    SSL_SESSION *out = SSL_get1_session(c);
    SSL_shutdown(c);
    SSL_shutdown(s);
    SSL_free(c);
    SSL_free(s);
    return out;
}

struct thr {
    pthread_t id;
    SSL_CTX *sctx, *cctx;
    int resume;
    double seconds, elapsed;
    long done, reused;
};

static atomic_int thr_go;

static void *thr_main(void *arg)
{
    struct thr *t = arg;
    int reused = 0;
    SSL_SESSION *sess = t->resume ? conn_session(t->sctx, t->cctx, NULL, &reused) : NULL;
    while (!atomic_load(&thr_go))
        sched_yield();
    double t0 = now_s();
    t->done = t->reused = 0;
    while ((t->elapsed = now_s() - t0) < t->seconds) {
        SSL_SESSION *next = conn_session(t->sctx, t->cctx, sess, &reused);
        t->done++;
        t->reused += reused;
        SSL_SESSION_free(sess);
        sess = t->resume ? next : NULL;
        if (!t->resume)
            SSL_SESSION_free(next);
    }
    SSL_SESSION_free(sess);
    return NULL;
}

/* run_threads: |n| threads for |seconds|; handshakes per second, all
 * threads together. */
static double run_threads(int n, int resume, double seconds)
{
    SSL_CTX *sctx = server_ctx(1, 0), *cctx = client_ctx(0);
    struct thr t[8];
    if (n > 8)
        die("at most 8 threads");
    atomic_store(&thr_go, 0);
    for (int i = 0; i < n; i++) {
        t[i] = (struct thr){.sctx = sctx, .cctx = cctx, .resume = resume, .seconds = seconds};
        if (pthread_create(&t[i].id, NULL, thr_main, &t[i]) != 0)
            die("pthread_create");
    }
    atomic_store(&thr_go, 1);
    long done = 0, reused = 0;
    double elapsed = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(t[i].id, NULL);
        done += t[i].done;
        reused += t[i].reused;
        if (t[i].elapsed > elapsed)
            elapsed = t[i].elapsed;
    }
    if (resume ? reused != done : reused != 0)
        die(resume ? "a threaded resumption did not resume" : "a full handshake resumed");
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    return elapsed > 0 ? (double)done / elapsed : 0;
}

static void bench_threads(double seconds)
{
    static const int ns[] = {1, 2, 8};
    for (int resume = 0; resume < 2; resume++) {
        const char *kind = resume ? "resume" : "full";
        double one = 0;
        run_threads(1, resume, 0.3); /* warm-up */
        for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
            double rate = run_threads(ns[i], resume, seconds);
            if (ns[i] == 1)
                one = rate;
            printf("threads %d %s handshakes/s: %.0f\n", ns[i], kind, rate);
            if (ns[i] > 1)
                printf("threads %d/1 %s scaling: %.2f\n", ns[i], kind, one > 0 ? rate / one : 0);
            fflush(stdout);
        }
    }
}

/* ---- fleet: resumption through the session store (SESAME_SESSION_STORE) ---- */

/* redis_connect: a TCP connection to the host:port of a redis://host:port/... URL (no
 * password: AUTH would be needed), for timing PINGs; -1 if it cannot. */
static int redis_connect(const char *url)
{
    const char *p = strncmp(url, "redis://", 8) == 0 ? url + 8 : NULL;
    if (p == NULL || strchr(p, '@') != NULL)
        return -1;
    char host[256], port[16];
    const char *colon = strchr(p, ':'), *end = colon ? colon + strcspn(colon, "/?") : NULL;
    if (colon == NULL || (size_t)(colon - p) >= sizeof(host) ||
        (size_t)(end - colon - 1) >= sizeof(port))
        return -1;
    snprintf(host, sizeof(host), "%.*s", (int)(colon - p), p);
    snprintf(port, sizeof(port), "%.*s", (int)(end - colon - 1), colon + 1);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    if (getaddrinfo(host, port, &hints, &ai) != 0)
        return -1;
    int fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd >= 0) {
        int on = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    }
    return fd;
}

/* redis_ping: one PING and its +PONG (one round trip); 1 on success. */
static int redis_ping(int fd)
{
    char buf[16];
    size_t got = 0;
    if (write(fd, "PING\r\n", 6) != 6)
        return 0;
    while (got < 7) {
        ssize_t r = read(fd, buf + got, sizeof(buf) - got);
        if (r <= 0)
            return 0;
        got += (size_t)r;
    }
    return got == 7 && memcmp(buf, "+PONG\r\n", 7) == 0;
}

/* redis_ping_us: the mean time of |n| PINGs in a row (after 100 warm-up ones); -1 if it
 * cannot say. */
static double redis_ping_us(const char *url, int n)
{
    int fd = redis_connect(url);
    if (fd < 0)
        return -1;
    double t0 = 0;
    for (int i = -100; i < n; i++) {
        if (i == 0)
            t0 = now_s();
        if (!redis_ping(fd)) {
            close(fd);
            return -1;
        }
    }
    double t = now_s() - t0;
    close(fd);
    return t * 1e6 / n;
}

/* store_hits: sesame_CTX_sess_store_hits of |ctx| when the loaded libssl has it
 * (sesame's), else -1. */
static long store_hits(SSL_CTX *ctx)
{
    long (*fn)(const SSL_CTX *) = NULL;
    void *sym = dlsym(RTLD_DEFAULT, "sesame_CTX_sess_store_hits");
    memcpy(&fn, &sym, sizeof(fn));
    return fn != NULL ? fn(ctx) : -1;
}

/* fleet_run: rounds of (full handshake on |issue|, timed resumption on |resume|) for
 * |seconds| of wall time after a warm-up; resumed handshakes per second of resumption.
 * With |ping_fd| (a Redis connection, else -1), each round also times one PING between the
 * two handshakes: the round trip the store pays at that point of the work, into *ping_us. */
static double fleet_run(SSL_CTX *issue, SSL_CTX *resume, SSL_CTX *cctx, double seconds,
                        const char *what, int ping_fd, double *ping_us)
{
    double pinged = 0;
    long pings = 0;
    int tls13 = version == TLS1_3_VERSION;
    long n = 0, reused = 0;
    double spent = 0, t0 = now_s();
    int warm = 1;
    for (;;) {
        double t = now_s() - t0;
        if (warm && t >= 0.3) {
            warm = 0;
            n = reused = pings = 0;
            spent = pinged = 0;
            t0 = now_s();
            continue;
        }
        if (!warm && t >= seconds)
            break;
        SSL_SESSION_free(newest);
        newest = NULL;
        one_connection(issue, cctx, NULL, tls13);
        SSL_SESSION *s = newest;
        newest = NULL;
        if (s == NULL)
            die("fleet: no session from the issuing server");
        if (ping_fd >= 0) {
            double p0 = now_s();
            if (!redis_ping(ping_fd))
                die("fleet: PING");
            pinged += now_s() - p0;
            pings++;
        }
        double r0 = now_s();
        reused += one_connection(resume, cctx, s, tls13);
        spent += now_s() - r0;
        n++;
        SSL_SESSION_free(s);
    }
    SSL_SESSION_free(newest);
    newest = NULL;
    if (reused != n) {
        fprintf(stderr, "bench: fleet %s: only %ld of %ld handshakes resumed\n", what, reused, n);
        die("fleet resumption");
    }
    if (ping_us != NULL)
        *ping_us = pings > 0 ? pinged * 1e6 / (double)pings : -1;
    return spent > 0 ? (double)n / spent : 0;
}

static void bench_fleet(double seconds)
{
    const char *url = getenv("SESAME_SESSION_STORE");
    int with_store = url != NULL && *url != '\0';
    int ping_fd = with_store ? redis_connect(url) : -1;
    static const int versions[] = {TLS1_2_VERSION, TLS1_3_VERSION};
    for (size_t v = 0; v < 2; v++) {
        version = versions[v];
        const char *name = version == TLS1_2_VERSION ? "tls12 id" : "tls13 stateful";
        /* stateful servers (SSL_OP_NO_TICKET), one ticket per TLS 1.3 connection */
        SSL_CTX *a = server_ctx(1, 1), *b = server_ctx(1, 1), *cctx = client_ctx(1);
        if (!with_store) {
            printf("fleet %s local resume handshakes/s: %.0f\n", name,
                   fleet_run(a, a, cctx, seconds, "local", -1, NULL));
        } else {
            printf("fleet %s store same resume handshakes/s: %.0f\n", name,
                   fleet_run(a, a, cctx, seconds, "store same", -1, NULL));
            long h0 = store_hits(b);
            double ping = -1;
            double rate = fleet_run(a, b, cctx, seconds, "store other", ping_fd, &ping);
            long h1 = store_hits(b);
            printf("fleet %s store other resume handshakes/s: %.0f\n", name, rate);
            if (ping >= 0)
                printf("fleet %s redis ping us: %.1f\n", name, ping);
            if (h0 >= 0)
                printf("fleet %s store other hits on B: %ld\n", name, h1 - h0);
        }
        fflush(stdout);
        SSL_CTX_free(a);
        SSL_CTX_free(b);
        SSL_CTX_free(cctx);
    }
    if (with_store) {
        double us = redis_ping_us(url, 2000);
        if (us >= 0)
            printf("redis ping us: %.1f\n", us);
        else
            printf("redis ping us: (not measured)\n");
    }
    if (ping_fd >= 0)
        close(ping_fd);
    version = TLS1_3_VERSION;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench-handshake "
                    "full|resume|memory|idle|full12|resume12|resume12id|idle12|threads|fleet|all\n"
                    "                       [-seconds S] [-n N] [-pairs P] [-count C]\n");
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    const char *mode = argv[1];
    double seconds = 3;
    int n = 2000, idle_n = 1000;
    long count = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "-seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            n = atoi(argv[++i]);
        else if (strcmp(argv[i], "-pairs") == 0 && i + 1 < argc)
            idle_n = atoi(argv[++i]);
        else if (strcmp(argv[i], "-count") == 0 && i + 1 < argc)
            count = atol(argv[++i]);
        else
            usage();
    }
    if (seconds <= 0 || n <= 0 || idle_n <= 0 || count < 0)
        usage();
    int all = strcmp(mode, "all") == 0;
    static const char *const modes[] = {"full",     "resume",     "memory", "idle",    "full12",
                                        "resume12", "resume12id", "idle12", "threads", "fleet"};
    int known = all;
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        known |= strcmp(mode, modes[i]) == 0;
    if (!known)
        usage();

    const char *lib = NULL;
    dl_iterate_phdr(find_libssl, &lib);
    printf("libssl: %s\n", lib ? lib : "(not found)");
    fflush(stdout);
    make_certs();
    if (all || strcmp(mode, "full") == 0)
        bench_full(seconds, count);
    if (all || strcmp(mode, "resume") == 0)
        bench_resume(seconds, count);
    if (all || strcmp(mode, "memory") == 0)
        bench_memory(n);
    if (all || strcmp(mode, "idle") == 0) {
        bench_idle(idle_n, 0);
        bench_idle(idle_n, 1);
    }
    if (all || strcmp(mode, "threads") == 0)
        bench_threads(seconds);
    if (strcmp(mode, "fleet") == 0)
        bench_fleet(seconds);
    version = TLS1_2_VERSION;
    if (all || strcmp(mode, "full12") == 0)
        bench_full(seconds, count);
    if (all || strcmp(mode, "resume12") == 0)
        bench_resume12(seconds, 0, count);
    if (all || strcmp(mode, "resume12id") == 0)
        bench_resume12(seconds, 1, count);
    if (all || strcmp(mode, "idle12") == 0) {
        bench_idle(idle_n, 0);
        bench_idle(idle_n, 1);
    }
    X509_free(ca_cert);
    X509_free(leaf_cert);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(leaf_key);
    return 0;
}

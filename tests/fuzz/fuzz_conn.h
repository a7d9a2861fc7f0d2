/* fuzz_conn.h - the driver of the connection fuzz targets: a whole TLS 1.3
 * connection between our client and our server, in memory, with the
 * fuzzer in the middle.  fuzz_client_conn.c and fuzz_server_conn.c define
 * FC_TARGET_IS_SERVER and include this file; the input format is in
 * fuzz_conn_format.h.
 *
 * The target (the SSL under test) talks to a real peer of the other role.
 * Everything the peer writes is decrypted here (the peer's traffic secrets
 * come from its key log callback), split into units (handshake messages,
 * other records' plaintexts) and queued; the input's operations edit the
 * queue, add units, fragment and pad, and deliver, sealing each record
 * again under the key the target expects.  So the fuzzer speaks with the
 * peer's authority: a record it makes up is accepted by the target's record
 * layer, and the handshake, post-handshake and API code behind it is what
 * gets fuzzed.  The target's output goes to the peer unchanged.
 *
 * Determinism: the same input takes the same path.  libcrypto's randomness
 * is a counter (RAND_set_rand_method: in OpenSSL 3.0 RAND_bytes_ex and
 * RAND_priv_bytes_ex consult a non-default method, and the default
 * provider's X25519/EC key generation and ECDSA nonces call those; checked
 * at start-up by running inputs twice and comparing every byte on the
 * wire), reset for each input; the library's clock is fixed
 * (sesame_set_clock_for_test); certificates, keys and ticket keys are made
 * once from that randomness; the client's session cache and the server's
 * are off, so no state carries over between inputs.
 *
 * Invariants (FUZZ_ASSERT aborts):
 *   - every SSL call returns, and SSL_get_error agrees with its return value:
 *     NONE only for success; WANT_READ only when the input BIO is empty and
 *     the connection has not failed (a target that wants to read bytes it
 *     already has would hang a real event loop); WANT_WRITE only with a full
 *     output BIO (FC_CFG1_SMALL_WBIO; else never); ZERO_RETURN only after a
 *     close_notify; nothing else;
 *   - after a fatal error every later call fails (SSL_do_handshake, read,
 *     peek, write and shutdown return <= 0 with SSL_ERROR_SSL or
 *     SSL_ERROR_SYSCALL, or ZERO_RETURN once the peer's close_notify or
 *     fatal alert arrived, as OpenSSL 3.0; SSL_key_update, SSL_new_session_ticket and
 *     SSL_verify_client_post_handshake return 0), and the failure is sticky;
 *   - no data is returned that the peer did not send: what SSL_read and
 *     SSL_peek return is exactly the next bytes of the application data
 *     sealed to the target under application keys (likewise what the peer
 *     reads is what the target wrote), and SSL_pending never promises more
 *     (application data reaching a waiting SSL_shutdown is an error, as in
 *     OpenSSL 3.0, so an input that shuts down while data may still come is
 *     not "clean"; the target's stream resumes after the last record it
 *     consumed, the peer's somewhere further on);
 *   - a target that completes the handshake completes it with the peer: the
 *     peer completes too on the target's flight, and both agree on the
 *     Finished messages, the exporter, the suite and resumption (a target
 *     that accepted a changed transcript, or a forged Finished, fails this);
 *   - an input that only does what a correct peer may do (deliver late,
 *     fragment, pad, write, KeyUpdate within the limits, tickets, shutdown)
 *     never makes either side fail, and the connection completes with all
 *     the data delivered (and resumes when asked to);
 *   - everything is bounded: operations per input, bytes and records sent to
 *     the target, SSL calls per read loop, rounds; everything is freed
 *     (LeakSanitizer under libFuzzer).
 * A target that never returns from a call is caught by libFuzzer's -timeout
 * and by the replay driver's alarm. */
#ifndef SESAME_TESTS_FUZZ_CONN_H
#define SESAME_TESTS_FUZZ_CONN_H

#include <stdarg.h>
#include <time.h>

#include "fuzz_common.h"
#include "fuzz_conn_format.h"

#include "internal.h"
#include "base/random.h"
#include "handshake/hs.h"
#include "keys/algs.h"
#include "keys/tls13_schedule.h"
#include "record/record_io.h"

#ifndef FC_TARGET_IS_SERVER
#error "define FC_TARGET_IS_SERVER (0: the target is our client, 1: our server) first"
#endif

/* ---- bounds ---- */
#define FC_MAX_OPS      512
#define FC_MAX_UNITS    256
#define FC_MAX_UNIT_LEN (64 * 1024)
#define FC_MAX_WIRE     (2 * 1024 * 1024) /* bytes delivered to the target */
#define FC_MAX_RECORDS  20000             /* records delivered to the target */
#define FC_READ_CALLS   64                /* SSL_read calls per read loop */
#define FC_ROUNDS       16                /* rounds to finish a connection */
#define FC_MAX_STREAM   (8 * 1024 * 1024) /* application data kept to compare */
#define FC_SMALL_WBIO   512               /* FC_CFG1_SMALL_WBIO: the target's output buffer */

/* Library limits an honest peer can reach (tls13_post.c): beyond them the
 * input is no longer "clean". */
#define FC_LIB_MAX_KEY_UPDATES 32
#define FC_LIB_MAX_POST_HS     128

#define FC_SEED UINT64_C(0x5e5a3e0f00d)

/* ---- deterministic randomness ---- */

static uint64_t fc_rand_state;

static int fc_rand_bytes(unsigned char *buf, int num)
{
    for (int i = 0; i < num; i++) {
        uint64_t z = (fc_rand_state += UINT64_C(0x9e3779b97f4a7c15));
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        buf[i] = (unsigned char)(z ^ (z >> 31));
    }
    return 1;
}

static int fc_rand_seed(const void *buf, int num)
{
    (void)buf;
    (void)num;
    return 1;
}

static int fc_rand_add(const void *buf, int num, double entropy)
{
    (void)buf;
    (void)num;
    (void)entropy;
    return 1;
}

static int fc_rand_status(void)
{
    return 1;
}

static RAND_METHOD fc_rand_method = {fc_rand_seed, fc_rand_bytes, NULL,
                                     fc_rand_add,  fc_rand_bytes, fc_rand_status};

/* ---- state ---- */

typedef struct {
    uint8_t *p;
    size_t len, cap;
} fc_buf;

/* A unit of the peer's output: one handshake message (header included) or
 * the plaintext of one record of another type. */
typedef struct {
    uint8_t *data;
    size_t len;
    uint8_t hs;    /* a handshake message */
    uint8_t type;  /* record content type (22 for handshake units) */
    uint8_t stage; /* the peer's write keys then: 0 none, 1 handshake, 2 application */
    uint8_t plain; /* sent as a plaintext record */
    uint16_t ku;   /* KeyUpdates the peer had sent before it */
} fc_unit;

/* One direction's record protection under a peer traffic secret. */
typedef struct {
    REC_AEAD a;
    int stage; /* 0 none, 1 handshake, 2 application */
    uint16_t ku;
    uint8_t secret[SESAME_MAX_HASH];
} fc_keys;

static struct {
    int ready;
    SSL_CTX *cctx, *sctx;
    X509 *cert;
    EVP_PKEY *key;
    uint8_t *sess_der[2]; /* client sessions: [0] SHA-256 suite, [1] SHA-384 */
    size_t sess_len[2];
    int want_session; /* fc_run: keep the client's session (setup) */
    int hashing;      /* fc_run: compute the digest (determinism check, verbose) */
    int verbose;

    /* per input */
    const uint8_t *in;
    size_t in_len, in_off;
    uint8_t cfg0, cfg1;
    SSL *t, *p; /* the target, the peer */
    fc_unit units[FC_MAX_UNITS];
    size_t nunits;
    fc_buf pout;   /* peer output not yet parsed into records */
    fc_buf dec_hs; /* peer handshake bytes not yet a whole message */
    fc_keys dec;   /* reads the peer's records */
    fc_keys enc;   /* seals for the target */
    uint8_t hs_secret[SESAME_MAX_HASH], app_secret[SESAME_MAX_HASH];
    int have_hs, have_app;
    /* the handshake stream sealed for the target under application keys:
     * message boundaries, for KeyUpdates and the clean limits */
    uint8_t eh_hdr[4];
    size_t eh_hdr_len, eh_left;
    size_t frag;
    int coalesce;
    uint8_t pad;
    size_t wire, records, moved;
    fc_buf expect;    /* application data sealed for the target (app keys) */
    size_t t_read;    /* ... of which the target has returned this much */
    fc_buf t_sent;    /* application data the target wrote (or is writing) */
    size_t t_wpend;   /* an SSL_write of this many bytes wants to be retried */
    int t_write_lost; /* a write was given up half done: the peer gets less */
    /* A waiting SSL_shutdown discards the application data it reads (whole
     * records, as many as it gets to), which need then not be read.  For the
     * target we know exactly what it consumed: where each application data
     * record sealed for it ends on the wire (bytes written to its input) and
     * in |expect|.  For the peer we don't: its data check then only asks for
     * each read to be found further on in the stream. */
    fc_buf app_recs; /* pairs of size_t: wire end, end in |expect| */
    int t_discarded, p_resync, p_discarded;
    BIO *t_out;    /* where the target's output is read from */
    BIO *t_pair;   /* the far end of the target's small output BIO pair */
    size_t p_read; /* ... of which the peer has read this much */
    int clean;
    int t_completed, p_completed, agreed;
    int t_closed;                  /* the target has reported close_notify before failing */
    unsigned ku_run, post_run;     /* to the target since application data */
    unsigned p_ku_run, p_post_run; /* to the peer since application data */
    uint64_t digest;
} g;

/* ---- small helpers ---- */

static void fc_buf_add(fc_buf *b, const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    if (b->cap - b->len < n) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap - b->len < n)
            cap *= 2;
        uint8_t *np = realloc(b->p, cap);
        FUZZ_ASSERT(np != NULL);
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void fc_buf_drop(fc_buf *b, size_t n)
{
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
}

static void fc_buf_free(fc_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

static void fc_hash(const uint8_t *p, size_t n)
{
    if (!g.hashing) /* (a byte loop: not for every input) */
        return;
    for (size_t i = 0; i < n; i++)
        g.digest = (g.digest ^ p[i]) * UINT64_C(0x100000001b3);
}

static void fc_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fc_log(const char *fmt, ...)
{
    if (!g.verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

/* ---- the input ---- */

static unsigned fc_u8(void)
{
    return g.in_off < g.in_len ? g.in[g.in_off++] : 0;
}

static unsigned fc_u16(void)
{
    unsigned hi = fc_u8();
    return hi << 8 | fc_u8();
}

static uint32_t fc_u32(void)
{
    uint32_t hi = fc_u16();
    return hi << 16 | fc_u16();
}

/* fc_take: up to |n| bytes of the input (fewer at its end). */
static const uint8_t *fc_take(size_t *n)
{
    size_t left = g.in_len - g.in_off;
    if (*n > left)
        *n = left;
    const uint8_t *p = g.in + g.in_off;
    g.in_off += *n;
    return p;
}

/* ---- the peer's keys ---- */

static const SSL_CIPHER *fc_suite(void)
{
    return g.p->cipher;
}

static const EVP_MD *fc_md(void)
{
    return algs_md_by_nid(fc_suite()->md_nid);
}

static void fc_keys_set(fc_keys *k, int enc, const uint8_t *secret)
{
    const SSL_CIPHER *c = fc_suite();
    const EVP_CIPHER *cipher = c->cipher_nid == NID_aes_128_gcm   ? algs_aes128gcm()
                               : c->cipher_nid == NID_aes_256_gcm ? algs_aes256gcm()
                                                                  : algs_chacha20poly1305();
    uint8_t key[32], iv[12];
    if (secret != k->secret)
        memcpy(k->secret, secret, (size_t)EVP_MD_get_size(fc_md()));
    rec_aead_cleanup(&k->a);
    FUZZ_ASSERT(tls13_traffic_key_iv(fc_md(), k->secret, key, c->key_len, iv, sizeof(iv)));
    FUZZ_ASSERT(rec_aead_init(&k->a, cipher, key, c->key_len, iv, sizeof(iv), enc, 0));
}

static void fc_keys_next(fc_keys *k, int enc)
{
    FUZZ_ASSERT(tls13_next_traffic_secret(fc_md(), k->secret));
    fc_keys_set(k, enc, k->secret);
    k->ku++;
}

static int fc_hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The peer's key log: its handshake and first application write secrets. */
static void fc_keylog(const SSL *s, const char *line)
{
    if (s != g.p)
        return;
    const char *hs =
        g.p->server ? "SERVER_HANDSHAKE_TRAFFIC_SECRET " : "CLIENT_HANDSHAKE_TRAFFIC_SECRET ";
    const char *app = g.p->server ? "SERVER_TRAFFIC_SECRET_0 " : "CLIENT_TRAFFIC_SECRET_0 ";
    uint8_t *out;
    if (strncmp(line, hs, strlen(hs)) == 0) {
        out = g.hs_secret;
        g.have_hs = 1;
        line += strlen(hs);
    } else if (strncmp(line, app, strlen(app)) == 0) {
        out = g.app_secret;
        g.have_app = 1;
        line += strlen(app);
    } else {
        return;
    }
    line = strchr(line, ' '); /* after the client random */
    FUZZ_ASSERT(line != NULL);
    line++;
    for (size_t i = 0; i < SESAME_MAX_HASH && line[0] && line[1]; i++, line += 2)
        out[i] = (uint8_t)(fc_hexval(line[0]) << 4 | fc_hexval(line[1]));
}

/* fc_peer_stage: which keys the peer writes with now (library internals). */
static int fc_peer_stage(void)
{
    const SSL *p = g.p;
    if (!p->rl.wr_on)
        return 0;
    if (p->phase == HS_PHASE_DONE)
        return 2;
    if (p->hs == NULL)
        return 1;
    int st = p->hs->state;
    if (p->server)
        return st >= SS_READ_CLIENT_CERTIFICATE && st <= SS_DONE ? 2 : 1;
    return st == CS_DONE ? 2 : 1;
}

/* ---- the queue of units ---- */

static int fc_unit_insert(size_t pos, const uint8_t *data, size_t len, int hs, uint8_t type,
                          int stage, int plain, uint16_t ku)
{
    if (g.nunits >= FC_MAX_UNITS || len > FC_MAX_UNIT_LEN) {
        g.clean = 0; /* the peer's output is lost */
        return 0;
    }
    if (pos > g.nunits)
        pos = g.nunits;
    memmove(&g.units[pos + 1], &g.units[pos], (g.nunits - pos) * sizeof(fc_unit));
    fc_unit *u = &g.units[pos];
    u->data = malloc(len ? len : 1);
    FUZZ_ASSERT(u->data != NULL);
    if (len > 0)
        memcpy(u->data, data, len);
    u->len = len;
    u->hs = (uint8_t)hs;
    u->type = hs ? REC_HANDSHAKE : type;
    u->stage = (uint8_t)stage;
    u->plain = (uint8_t)(plain || stage == 0);
    u->ku = ku;
    g.nunits++;
    fc_log("    queue[%zu]: %s %u, %zu bytes, stage %d%s\n", pos, hs ? "handshake" : "record",
           hs && len > 0 ? data[0] : type, len, stage, u->plain ? ", plaintext" : "");
    return 1;
}

static void fc_unit_remove(size_t i)
{
    free(g.units[i].data);
    memmove(&g.units[i], &g.units[i + 1], (g.nunits - i - 1) * sizeof(fc_unit));
    g.nunits--;
}

/* fc_dec_plain: one record's plaintext from the peer, into units. */
static void fc_dec_plain(uint8_t type, const uint8_t *p, size_t n, int stage, int plain)
{
    if (type != REC_HANDSHAKE) {
        fc_unit_insert(g.nunits, p, n, 0, type, stage, plain, g.dec.ku);
        return;
    }
    fc_buf_add(&g.dec_hs, p, n);
    int kus = 0;
    while (g.dec_hs.len >= 4) {
        size_t mlen =
            4 + ((size_t)g.dec_hs.p[1] << 16 | (size_t)g.dec_hs.p[2] << 8 | g.dec_hs.p[3]);
        if (g.dec_hs.len < mlen)
            break;
        fc_unit_insert(g.nunits, g.dec_hs.p, mlen, 1, REC_HANDSHAKE, stage, plain, g.dec.ku);
        if (g.dec_hs.p[0] == SSL3_MT_KEY_UPDATE && stage == 2 && !plain)
            kus++;
        fc_buf_drop(&g.dec_hs, mlen);
    }
    /* the peer's key changes after the record that carried its KeyUpdate */
    for (; kus > 0; kus--)
        fc_keys_next(&g.dec, 0);
}

/* fc_peer_output: reads what the peer wrote and queues it as units. */
static void fc_peer_output(void)
{
    uint8_t buf[4096];
    int n;
    while ((n = BIO_read(SSL_get_wbio(g.p), buf, sizeof(buf))) > 0) {
        fc_buf_add(&g.pout, buf, (size_t)n);
        g.moved += (size_t)n;
    }
    static uint8_t rec[REC_HEADER_LEN + 65536];
    while (g.pout.len >= REC_HEADER_LEN) {
        size_t len = (size_t)g.pout.p[3] << 8 | g.pout.p[4];
        if (g.pout.len < REC_HEADER_LEN + len)
            break;
        memcpy(rec, g.pout.p, REC_HEADER_LEN + len);
        fc_buf_drop(&g.pout, REC_HEADER_LEN + len);
        uint8_t type = rec[0];
        if (type != REC_APPDATA || !g.have_hs) {
            fc_dec_plain(type, rec + REC_HEADER_LEN, len, 0, 1);
            continue;
        }
        if (g.dec.stage == 0) {
            fc_keys_set(&g.dec, 0, g.hs_secret);
            g.dec.stage = 1;
        }
        static uint8_t copy[65536];
        memcpy(copy, rec + REC_HEADER_LEN, len);
        uint8_t inner = 0, alert = 0;
        size_t plen = 0;
        ERR_set_mark();
        int ok = rec_tls13_open(&g.dec.a, rec, rec + REC_HEADER_LEN, len, &inner, &plen, &alert);
        if (!ok && g.dec.stage == 1 && g.have_app) {
            /* the peer moved on to its application keys */
            memcpy(rec + REC_HEADER_LEN, copy, len);
            fc_keys_set(&g.dec, 0, g.app_secret);
            g.dec.stage = 2;
            g.dec.ku = 0;
            ok = rec_tls13_open(&g.dec.a, rec, rec + REC_HEADER_LEN, len, &inner, &plen, &alert);
        }
        ERR_pop_to_mark();
        /* the peer wrote a record we cannot read: a driver or peer bug */
        FUZZ_ASSERT(ok);
        fc_dec_plain(inner, rec + REC_HEADER_LEN, plen, g.dec.stage, 0);
    }
}

/* ---- sealing for the target ---- */

static void fc_to_target(const uint8_t *p, size_t n)
{
    FUZZ_ASSERT(BIO_write(SSL_get_rbio(g.t), p, (int)n) == (int)n);
    fc_hash(p, n);
    g.wire += n;
    g.moved += n;
}

/* fc_enc_stage: move the sealing keys to |stage| (never back). */
static void fc_enc_stage(int stage)
{
    if (stage <= g.enc.stage)
        return;
    if (stage == 1 && g.have_hs) {
        fc_keys_set(&g.enc, 1, g.hs_secret);
        g.enc.stage = 1;
    } else if (stage == 2 && g.have_app) {
        fc_keys_set(&g.enc, 1, g.app_secret);
        g.enc.stage = 2;
        g.enc.ku = 0;
        g.eh_hdr_len = g.eh_left = 0;
    }
}

static void fc_post_hs_count(void)
{
    if (g.ku_run > FC_LIB_MAX_KEY_UPDATES || g.post_run >= FC_LIB_MAX_POST_HS)
        g.clean = 0;
}

/* fc_enc_track follows what the target receives under application keys:
 * the data it may return, and the handshake messages (a KeyUpdate changes
 * the key of the next record). */
static void fc_enc_track(uint8_t type, const uint8_t *p, size_t n)
{
    if (type == REC_APPDATA) {
        if (n > 0) {
            if (g.expect.len + n <= FC_MAX_STREAM)
                fc_buf_add(&g.expect, p, n);
            else
                g.clean = 0;
            g.ku_run = g.post_run = 0;
        }
        return;
    }
    if (type != REC_HANDSHAKE)
        return;
    int kus = 0;
    for (size_t i = 0; i < n;) {
        if (g.eh_hdr_len < 4) {
            g.eh_hdr[g.eh_hdr_len++] = p[i++];
            if (g.eh_hdr_len < 4)
                continue;
            g.eh_left = (size_t)g.eh_hdr[1] << 16 | (size_t)g.eh_hdr[2] << 8 | g.eh_hdr[3];
        } else {
            size_t k = n - i < g.eh_left ? n - i : g.eh_left;
            i += k;
            g.eh_left -= k;
        }
        if (g.eh_hdr_len == 4 && g.eh_left == 0) { /* a whole message */
            g.post_run++;
            if (g.eh_hdr[0] == SSL3_MT_KEY_UPDATE) {
                g.ku_run++;
                kus++;
            }
            g.eh_hdr_len = 0;
        }
    }
    fc_post_hs_count();
    for (; kus > 0; kus--)
        fc_keys_next(&g.enc, 1);
}

/* fc_emit seals one record for the target. */
static void fc_emit(uint8_t type, const uint8_t *data, size_t len, int stage, int plain)
{
    static uint8_t out[REC_HEADER_LEN + 65536 + 256];
    if (g.records >= FC_MAX_RECORDS || g.wire >= FC_MAX_WIRE) {
        g.clean = 0;
        return;
    }
    g.records++;
    if (!plain)
        fc_enc_stage(stage);
    if (plain || g.enc.stage == 0) {
        if (len > 0xffff)
            len = 0xffff;
        out[0] = type;
        out[1] = 3;
        out[2] = 3;
        out[3] = (uint8_t)(len >> 8);
        out[4] = (uint8_t)len;
        memcpy(out + REC_HEADER_LEN, data, len);
        fc_to_target(out, REC_HEADER_LEN + len);
        return;
    }
    if (len > REC_MAX_PLAINTEXT) {
        len = REC_MAX_PLAINTEXT;
        g.clean = 0;
    }
    size_t pad = g.pad;
    if (len + 1 + pad > REC_MAX_PLAINTEXT + 1)
        pad = REC_MAX_PLAINTEXT - len;
    size_t n = 0;
    FUZZ_ASSERT(rec_tls13_seal(&g.enc.a, type, data, len, pad, out, sizeof(out), &n));
    fc_to_target(out, n);
    if (g.enc.stage != 2)
        return;
    size_t expect_before = g.expect.len;
    /* Inner type 0 is no type: the receiver takes the last non-zero byte
     * of the content as the type (RFC 8446 5.4). */
    while (type == 0 && len > 0)
        type = data[--len];
    fc_enc_track(type, data, len);
    if (g.expect.len > expect_before) {
        size_t rec[2] = {g.wire, g.expect.len};
        fc_buf_add(&g.app_recs, (const uint8_t *)rec, sizeof(rec));
    }
}

/* fc_t_discarded: after a waiting SSL_shutdown, the target's stream resumes
 * after the last application data record it has consumed. */
static void fc_t_discarded(void)
{
    size_t consumed = g.wire - BIO_ctrl_pending(SSL_get_rbio(g.t)) - g.t->rl.rbuf_len;
    const size_t *recs = (const size_t *)(const void *)g.app_recs.p;
    for (size_t i = g.app_recs.len / (2 * sizeof(size_t)); i > 0; i--)
        if (recs[2 * (i - 1)] <= consumed) {
            if (g.t_read < recs[2 * (i - 1) + 1])
                g.t_read = recs[2 * (i - 1) + 1];
            break;
        }
    g.t_discarded = 1;
}

static int fc_same_run(const fc_unit *a, const fc_unit *b)
{
    return b->hs && a->stage == b->stage && a->plain == b->plain && a->ku == b->ku;
}

/* fc_deliver seals the first |n| units (0: all) for the target. */
static void fc_deliver(size_t n)
{
    if (n == 0 || n > g.nunits)
        n = g.nunits;
    static const uint8_t none[1];
    fc_buf run = {0};
    for (size_t i = 0; i < n;) {
        fc_unit *u = &g.units[i];
        if (!u->hs) {
            fc_emit(u->type, u->data, u->len, u->stage, u->plain);
            i++;
            continue;
        }
        size_t j = i + 1;
        while (g.coalesce && j < n && fc_same_run(u, &g.units[j]))
            j++;
        run.len = 0;
        for (size_t k = i; k < j; k++)
            fc_buf_add(&run, g.units[k].data, g.units[k].len);
        size_t off = 0;
        do {
            size_t m = run.len - off < g.frag ? run.len - off : g.frag;
            fc_emit(REC_HANDSHAKE, run.p != NULL ? run.p + off : none, m, u->stage, u->plain);
            off += m;
        } while (off < run.len);
        i = j;
    }
    fc_buf_free(&run);
    for (size_t i = 0; i < n; i++)
        free(g.units[i].data);
    memmove(&g.units[0], &g.units[n], (g.nunits - n) * sizeof(fc_unit));
    g.nunits -= n;
}

/* ---- checks on the target ---- */

enum { FC_CALL_HS, FC_CALL_READ, FC_CALL_WRITE, FC_CALL_SHUTDOWN };

static void fc_check_agreement(void);

static void fc_t_note_done(void)
{
    if (!g.t_completed && SSL_is_init_finished(g.t)) {
        g.t_completed = 1;
        fc_log("  target: handshake complete\n");
    }
    /* at once: a post-handshake authentication changes the Finished values */
    fc_check_agreement();
}

/* fc_t_result checks a target call's return value against SSL_get_error
 * and the state before the call. */
static void fc_t_result(const char *what, int call, int r, int fatal_before)
{
    int e = SSL_get_error(g.t, r);
    const char *why = e == SSL_ERROR_SSL ? ERR_reason_error_string(ERR_peek_error()) : NULL;
    fc_log("  target %s -> %d (error %d%s%s)\n", what, r, e, g.t->fatal ? ", fatal: " : "",
           g.t->fatal && why != NULL ? why : "");
    /* a failure is sticky */
    FUZZ_ASSERT(!fatal_before || g.t->fatal);
    if (r > 0) {
        FUZZ_ASSERT(e == SSL_ERROR_NONE);
    } else if (!(call == FC_CALL_SHUTDOWN && r == 0)) {
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_SSL && e != SSL_ERROR_SYSCALL &&
            e != SSL_ERROR_ZERO_RETURN && !(e == SSL_ERROR_WANT_WRITE && g.t_pair != NULL)) {
            fprintf(stderr, "%s returned %d, SSL_get_error %d\n", what, r, e);
            FUZZ_ASSERT(0);
        }
        if (e == SSL_ERROR_WANT_READ) {
            /* waiting for bytes it already has would hang an event loop */
            FUZZ_ASSERT(!g.t->fatal);
            FUZZ_ASSERT(BIO_ctrl_pending(SSL_get_rbio(g.t)) == 0);
        }
        if (e == SSL_ERROR_WANT_WRITE) { /* only when its output is full */
            FUZZ_ASSERT(!g.t->fatal);
            FUZZ_ASSERT(BIO_ctrl_get_write_guarantee(SSL_get_wbio(g.t)) == 0);
        }
        if (e == SSL_ERROR_ZERO_RETURN)
            FUZZ_ASSERT(SSL_get_shutdown(g.t) & SSL_RECEIVED_SHUTDOWN);
    }
    if (fatal_before) {
        if (r > 0 || (call == FC_CALL_SHUTDOWN && r == 0) ||
            !(e == SSL_ERROR_SSL || e == SSL_ERROR_SYSCALL ||
              /* OpenSSL 3.0 after the peer's close_notify or its fatal alert */
              (e == SSL_ERROR_ZERO_RETURN &&
               (g.t_closed || (SSL_get_shutdown(g.t) & SSL_RECEIVED_SHUTDOWN))))) {
            fprintf(stderr, "after a fatal error, %s returned %d (SSL_get_error %d)\n", what, r, e);
            FUZZ_ASSERT(0);
        }
    } else if (g.t->fatal) {
        /* the call that failed says so */
        FUZZ_ASSERT(r <= 0 && (e == SSL_ERROR_SSL || e == SSL_ERROR_SYSCALL));
    }
    if (!g.t->fatal && e == SSL_ERROR_ZERO_RETURN)
        g.t_closed = 1;
    if (g.clean && g.t->fatal) {
        fprintf(stderr, "the target failed on a clean input: %s\n",
                ERR_reason_error_string(ERR_peek_error()));
        FUZZ_ASSERT(!g.t->fatal);
    }
    fc_t_note_done();
    ERR_clear_error();
}

static int fc_t_handshake(void)
{
    ERR_clear_error();
    int fatal = g.t->fatal;
    int r = SSL_do_handshake(g.t);
    fc_t_result("SSL_do_handshake", FC_CALL_HS, r, fatal);
    return r;
}

/* fc_stream_check: |d| must be the |n| bytes of |st| at |pos| -- or, with
 * |search| (data was discarded, we know not how much), further on.  Returns
 * where they are. */
static size_t fc_stream_check(const fc_buf *st, size_t pos, const uint8_t *d, size_t n, int search)
{
    while (search && pos + n <= st->len && memcmp(st->p + pos, d, n) != 0)
        pos++;
    if (pos + n > st->len || memcmp(st->p + pos, d, n) != 0) {
        fprintf(stderr, "%zu bytes read are not the %zu at %zu of the %zu sent\n", n, n, pos,
                st->len);
        FUZZ_ASSERT(0);
    }
    return pos;
}

/* fc_t_read: one SSL_read or SSL_peek of up to |len| bytes; its result. */
static int fc_t_read(size_t len, int peek)
{
    static uint8_t buf[65536];
    ERR_clear_error();
    int fatal = g.t->fatal;
    if (len == 0) {
        size_t n = 12345;
        int r = peek ? SSL_peek_ex(g.t, buf, 0, &n) : SSL_read_ex(g.t, buf, 0, &n);
        fc_log("  target SSL_%s_ex(0) -> %d\n", peek ? "peek" : "read", r);
        FUZZ_ASSERT(n == 0 || (r == 0 && n == 12345));
        FUZZ_ASSERT(!fatal || (r == 0 && g.t->fatal));
        ERR_clear_error();
        fc_t_note_done();
        return r;
    }
    int r = peek ? SSL_peek(g.t, buf, (int)len) : SSL_read(g.t, buf, (int)len);
    fc_t_result(peek ? "SSL_peek" : "SSL_read", FC_CALL_READ, r, fatal);
    if (r > 0) {
        /* only what the peer sent, in order */
        FUZZ_ASSERT((size_t)r <= len);
        fc_stream_check(&g.expect, g.t_read, buf, (size_t)r, 0);
        if (!peek) {
            g.t_read += (size_t)r;
            g.moved += (size_t)r;
        }
        int pend = SSL_pending(g.t);
        FUZZ_ASSERT(pend >= 0 && g.t_read + (size_t)pend <= g.expect.len);
        FUZZ_ASSERT(pend == 0 || SSL_has_pending(g.t));
    }
    return r;
}

static void fc_t_read_loop(void)
{
    for (int i = 0; i < FC_READ_CALLS; i++)
        if (fc_t_read(16384, 0) <= 0)
            break;
}

/* fc_pattern: the application data either side writes, by stream position. */
static void fc_pattern(uint8_t *buf, size_t n, size_t at, unsigned mul)
{
    for (size_t i = 0; i < n; i++) /* no short period: a stretch says where it is */
        buf[i] = (uint8_t)(((uint32_t)(at + i) * 2654435761u * mul) >> 24);
}

/* fc_t_write: an SSL_write of |len| new bytes, or the retry of the one that
 * wanted to write (same buffer and length, as the API asks). */
static void fc_t_write(size_t len)
{
    static uint8_t wbuf[65536];
    int retry = g.t_wpend > 0;
    if (retry) {
        len = g.t_wpend;
    } else {
        fc_pattern(wbuf, len, g.t_sent.len, 31);
        fc_buf_add(&g.t_sent, wbuf, len); /* on its way, unless refused */
    }
    ERR_clear_error();
    int fatal = g.t->fatal;
    int r = SSL_write(g.t, wbuf, (int)len);
    int e = SSL_get_error(g.t, r);
    fc_t_result(retry ? "SSL_write (retry)" : "SSL_write", FC_CALL_WRITE, r, fatal);
    g.t_wpend = 0;
    if (r > 0) {
        FUZZ_ASSERT((size_t)r == len);
    } else if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
        g.t_wpend = len; /* to be retried, as the API asks */
    } else if (!retry) {
        g.t_sent.len -= len; /* refused: none of it went out */
    } else {
        g.t_write_lost = 1; /* given up: some of it may have gone out */
    }
}

static void fc_t_run(void)
{
    if (g.t_wpend > 0)
        fc_t_write(0);
    if (!SSL_is_init_finished(g.t))
        fc_t_handshake();
    if (SSL_is_init_finished(g.t))
        fc_t_read_loop();
}

/* A target call that returns 1 or 0 (SSL_key_update, ...): after a fatal
 * error it must refuse. */
static int fc_t_request(const char *what, int r, int fatal)
{
    fc_log("  target %s -> %d\n", what, r);
    if (fatal && r != 0) {
        fprintf(stderr, "after a fatal error, %s returned %d\n", what, r);
        FUZZ_ASSERT(0);
    }
    ERR_clear_error();
    return r;
}

/* ---- the peer ---- */

/* Counts what the peer receives after its handshake (the library's limits
 * on post-handshake messages without application data in between). */
static void fc_peer_msg(int write_p, int version, int content_type, const void *buf, size_t len,
                        SSL *s, void *arg)
{
    (void)version;
    (void)arg;
    if (write_p || content_type != SSL3_RT_HANDSHAKE || len < 1 || s->phase != HS_PHASE_DONE)
        return;
    g.p_post_run++;
    if (((const uint8_t *)buf)[0] == SSL3_MT_KEY_UPDATE)
        g.p_ku_run++;
    if (g.p_ku_run > FC_LIB_MAX_KEY_UPDATES || g.p_post_run >= FC_LIB_MAX_POST_HS)
        g.clean = 0;
}

static void fc_to_peer(void)
{
    uint8_t buf[4096];
    int n;
    while ((n = BIO_read(g.t_out, buf, sizeof(buf))) > 0) {
        FUZZ_ASSERT(BIO_write(SSL_get_rbio(g.p), buf, n) == n);
        fc_hash(buf, (size_t)n);
        g.moved += (size_t)n;
    }
}

static void fc_peer_check(void)
{
    if (g.clean && g.p->fatal) {
        fprintf(stderr, "the peer failed on a clean input: %s\n",
                ERR_reason_error_string(ERR_peek_error()));
        FUZZ_ASSERT(!g.p->fatal);
    }
    if (!g.p_completed && SSL_is_init_finished(g.p))
        g.p_completed = 1;
    fc_check_agreement();
    ERR_clear_error();
}

/* Both sides completed: they must agree on what they negotiated. */
static void fc_check_agreement(void)
{
    if (g.agreed || !g.t_completed || !g.p_completed)
        return;
    g.agreed = 1;
    uint8_t a[64], b[64];
    size_t la = SSL_get_finished(g.t, a, sizeof(a)), lb = SSL_get_peer_finished(g.p, b, sizeof(b));
    FUZZ_ASSERT(la > 0 && la == lb && memcmp(a, b, la) == 0);
    la = SSL_get_peer_finished(g.t, a, sizeof(a));
    lb = SSL_get_finished(g.p, b, sizeof(b));
    FUZZ_ASSERT(la > 0 && la == lb && memcmp(a, b, la) == 0);
    FUZZ_ASSERT(SSL_export_keying_material(g.t, a, 32, "fuzz", 4, NULL, 0, 0) == 1);
    FUZZ_ASSERT(SSL_export_keying_material(g.p, b, 32, "fuzz", 4, NULL, 0, 0) == 1);
    FUZZ_ASSERT(memcmp(a, b, 32) == 0);
    FUZZ_ASSERT(SSL_get_current_cipher(g.t) == SSL_get_current_cipher(g.p));
    FUZZ_ASSERT(SSL_session_reused(g.t) == SSL_session_reused(g.p));
    FUZZ_ASSERT(SSL_version(g.t) == TLS1_3_VERSION);
    ERR_clear_error();
}

/* fc_peer_run: the target's output to the peer; the peer runs (handshake,
 * then reads); its output is queued. */
static void fc_peer_run(void)
{
    fc_to_peer();
    ERR_clear_error();
    if (!SSL_is_init_finished(g.p) && !g.p->fatal) {
        int t_done = g.t_completed;
        int r = SSL_do_handshake(g.p);
        fc_log("  peer SSL_do_handshake -> %d%s\n", r, g.p->fatal ? " (fatal)" : "");
        if (t_done && r != 1) {
            /* the target completed a handshake its peer did not */
            fprintf(stderr, "target completed the handshake, the peer failed: %s\n",
                    ERR_reason_error_string(ERR_peek_error()));
            FUZZ_ASSERT(r == 1);
        }
    }
    if (SSL_is_init_finished(g.p) && !g.p->fatal) {
        static uint8_t buf[16384];
        for (int i = 0; i < FC_READ_CALLS; i++) {
            ERR_clear_error();
            int r = SSL_read(g.p, buf, sizeof(buf));
            if (r <= 0)
                break;
            /* the peer receives what the target wrote */
            fc_log("  peer SSL_read -> %d (at %zu of %zu)\n", r, g.p_read, g.t_sent.len);
            g.p_read = fc_stream_check(&g.t_sent, g.p_read, buf, (size_t)r, g.p_resync) + (size_t)r;
            g.moved += (size_t)r;
            g.p_ku_run = g.p_post_run = 0;
        }
    }
    fc_peer_check();
    fc_peer_output();
    fc_check_agreement();
}

static void fc_round(void)
{
    fc_peer_run();
    fc_deliver(0);
    fc_t_run();
    fc_check_agreement();
}

/* ---- operations ---- */

static void fc_op_edit(void)
{
    size_t idx = fc_u8();
    unsigned kind = fc_u8() % FC_EDIT_COUNT;
    size_t a = 0, b = 0;
    const uint8_t *bytes = NULL;
    switch (kind) {
    case FC_EDIT_REPLACE:
        a = fc_u16();
        bytes = fc_take(&a);
        break;
    case FC_EDIT_XOR:
        a = fc_u16();
        b = fc_u8();
        break;
    case FC_EDIT_TRUNCATE:
        a = fc_u16();
        break;
    case FC_EDIT_INSERT:
        a = fc_u16();
        b = fc_u8();
        bytes = fc_take(&b);
        break;
    case FC_EDIT_SET_TYPE:
        a = fc_u8();
        break;
    case FC_EDIT_SET_LEN:
        a = fc_u8();
        a = a << 16 | fc_u16();
        break;
    default:
        break;
    }
    if (g.nunits == 0)
        return;
    g.clean = 0;
    idx %= g.nunits;
    fc_unit *u = &g.units[idx];
    fc_log("  edit unit %zu (type %u, %zu bytes): kind %u\n", idx,
           u->hs && u->len ? u->data[0] : u->type, u->len, kind);
    switch (kind) {
    case FC_EDIT_REPLACE: {
        size_t hdr = u->hs ? 4 : 0;
        uint8_t *nd = malloc(hdr + a + 1);
        FUZZ_ASSERT(nd != NULL);
        if (u->hs) {
            nd[0] = u->len > 0 ? u->data[0] : 0;
            nd[1] = 0;
            nd[2] = (uint8_t)(a >> 8);
            nd[3] = (uint8_t)a;
        }
        memcpy(nd + hdr, bytes, a);
        free(u->data);
        u->data = nd;
        u->len = hdr + a;
        break;
    }
    case FC_EDIT_XOR:
        if (u->len > 0)
            u->data[a % u->len] ^= (uint8_t)(b ? b : 1);
        break;
    case FC_EDIT_TRUNCATE:
        if (a < u->len)
            u->len = a;
        break;
    case FC_EDIT_INSERT: {
        if (u->len + b > FC_MAX_UNIT_LEN)
            break;
        uint8_t *nd = realloc(u->data, u->len + b + 1);
        FUZZ_ASSERT(nd != NULL);
        size_t at = a % (u->len + 1);
        memmove(nd + at + b, nd + at, u->len - at);
        memcpy(nd + at, bytes, b);
        u->data = nd;
        u->len += b;
        break;
    }
    case FC_EDIT_SET_TYPE:
        if (!u->hs)
            u->type = (uint8_t)a;
        else if (u->len > 0)
            u->data[0] = (uint8_t)a;
        break;
    case FC_EDIT_DROP:
        fc_unit_remove(idx);
        break;
    case FC_EDIT_DUP:
        fc_unit_insert(idx + 1, u->data, u->len, u->hs, u->type, u->stage, u->plain, u->ku);
        break;
    case FC_EDIT_SWAP:
        if (idx + 1 < g.nunits) {
            fc_unit tmp = g.units[idx];
            g.units[idx] = g.units[idx + 1];
            g.units[idx + 1] = tmp;
        }
        break;
    case FC_EDIT_SET_LEN:
        if (u->hs && u->len >= 4) {
            u->data[1] = (uint8_t)(a >> 16);
            u->data[2] = (uint8_t)(a >> 8);
            u->data[3] = (uint8_t)a;
        }
        break;
    case FC_EDIT_PLAIN:
        u->plain = 1;
        break;
    }
}

static void fc_op_inject(void)
{
    size_t pos = fc_u8();
    unsigned flags = fc_u8();
    uint8_t type = (uint8_t)fc_u8();
    size_t len = fc_u16();
    const uint8_t *bytes = fc_take(&len);
    g.clean = 0;
    pos %= g.nunits + 1;
    /* sealed as the unit it goes before (appended: the last one), else as
     * the peer writes now */
    int stage = fc_peer_stage();
    uint16_t ku = g.dec.ku;
    if (g.nunits > 0) {
        const fc_unit *n = &g.units[pos < g.nunits ? pos : pos - 1];
        stage = n->stage;
        ku = n->ku;
    }
    fc_log("  inject at %zu: %s type %u, %zu bytes%s\n", pos,
           flags & FC_INJ_HANDSHAKE ? "handshake message" : "record", type, len,
           flags & FC_INJ_PLAIN ? ", plaintext" : "");
    if (flags & FC_INJ_HANDSHAKE) {
        uint8_t *m = malloc(4 + len);
        FUZZ_ASSERT(m != NULL);
        m[0] = type;
        m[1] = 0;
        m[2] = (uint8_t)(len >> 8);
        m[3] = (uint8_t)len;
        memcpy(m + 4, bytes, len);
        fc_unit_insert(pos, m, 4 + len, 1, REC_HANDSHAKE, stage, flags & FC_INJ_PLAIN, ku);
        free(m);
    } else {
        fc_unit_insert(pos, bytes, len, 0, type, stage, flags & FC_INJ_PLAIN, ku);
    }
}

/* A NewSessionTicket written here, any field values (ticket may be empty). */
static void fc_op_inject_ticket(void)
{
    uint32_t lifetime = fc_u32(), age_add = fc_u32();
    size_t nonce_len = fc_u8(), ticket_len = fc_u16() % 2048;
    unsigned early = fc_u8();
    uint32_t max_early = fc_u32();
    uint8_t m[4 + 4 + 4 + 1 + 255 + 2 + 2048 + 2 + 8];
    size_t n = 4;
    g.clean = 0;
    for (int i = 3; i >= 0; i--)
        m[n++] = (uint8_t)(lifetime >> (8 * i));
    for (int i = 3; i >= 0; i--)
        m[n++] = (uint8_t)(age_add >> (8 * i));
    m[n++] = (uint8_t)nonce_len;
    for (size_t i = 0; i < nonce_len; i++)
        m[n++] = (uint8_t)(i + 1);
    m[n++] = (uint8_t)(ticket_len >> 8);
    m[n++] = (uint8_t)ticket_len;
    for (size_t i = 0; i < ticket_len; i++)
        m[n++] = (uint8_t)(0xa5 ^ i);
    if (early & 1) {
        static const uint8_t ext[4] = {0, 8, 0, 42};
        memcpy(m + n, ext, 4); /* extensions length 8, early_data (42) */
        n += 4;
        m[n++] = 0;
        m[n++] = 4;
        for (int i = 3; i >= 0; i--)
            m[n++] = (uint8_t)(max_early >> (8 * i));
    } else {
        m[n++] = 0;
        m[n++] = 0;
    }
    m[0] = SSL3_MT_NEWSESSION_TICKET;
    m[1] = (uint8_t)((n - 4) >> 16);
    m[2] = (uint8_t)((n - 4) >> 8);
    m[3] = (uint8_t)(n - 4);
    fc_log("  inject NewSessionTicket (%zu bytes)\n", n);
    fc_unit_insert(g.nunits, m, n, 1, REC_HANDSHAKE, fc_peer_stage(), 0, g.dec.ku);
}

static void fc_op(unsigned op)
{
    static uint8_t buf[65536];
    size_t len;
    int r, fatal;
    switch (op) {
    case FC_OP_ROUND:
        fc_log("round\n");
        fc_round();
        break;
    case FC_OP_PEER_RUN:
        fc_log("peer run\n");
        fc_peer_run();
        break;
    case FC_OP_DELIVER:
        len = fc_u8();
        fc_log("deliver %zu of %zu\n", len, g.nunits);
        fc_deliver(len);
        break;
    case FC_OP_TARGET_RUN:
        fc_log("target run\n");
        fc_t_run();
        break;
    case FC_OP_EDIT:
        fc_op_edit();
        break;
    case FC_OP_INJECT:
        fc_op_inject();
        break;
    case FC_OP_FRAG:
        len = fc_u16();
        g.frag = len == 0 || len > REC_MAX_PLAINTEXT ? REC_MAX_PLAINTEXT : len;
        g.coalesce = (fc_u8() & FC_FRAG_COALESCE) != 0;
        g.pad = (uint8_t)fc_u8();
        fc_log("frag %zu coalesce %d pad %u\n", g.frag, g.coalesce, g.pad);
        break;
    case FC_OP_RAW: {
        len = fc_u16();
        const uint8_t *p = fc_take(&len);
        g.clean = 0;
        fc_log("raw %zu bytes\n", len);
        if (g.wire + len <= FC_MAX_WIRE)
            fc_to_target(p, len);
        break;
    }
    case FC_OP_PEER_KEY_UPDATE:
        r = (int)fc_u8() & 1;
        fc_log("peer key update (request %d)\n", r);
        if (SSL_is_init_finished(g.p) && SSL_key_update(g.p, r) == 1)
            (void)SSL_do_handshake(g.p);
        fc_peer_check();
        fc_peer_output();
        break;
    case FC_OP_PEER_WRITE:
        len = fc_u16();
        fc_log("peer write %zu\n", len);
        if (len > 0 && SSL_is_init_finished(g.p)) {
            fc_pattern(buf, len, g.expect.len, 13);
            (void)SSL_write(g.p, buf, (int)len);
        }
        fc_peer_check();
        fc_peer_output();
        break;
    case FC_OP_PEER_TICKET:
        fc_log("peer ticket\n");
        if (SSL_new_session_ticket(g.p) == 1)
            (void)SSL_do_handshake(g.p);
        fc_peer_check();
        fc_peer_output();
        break;
    case FC_OP_INJECT_TICKET:
        fc_op_inject_ticket();
        break;
    case FC_OP_PEER_SHUTDOWN:
        fc_log("peer shutdown\n");
        if (SSL_is_init_finished(g.p)) {
            /* waiting for close_notify: application data still on its way
             * is then an error (APPLICATION_DATA_AFTER_CLOSE_NOTIFY, as in
             * OpenSSL 3.0), so the input is no longer one that must work */
            if (SSL_get_shutdown(g.p) & SSL_SENT_SHUTDOWN) {
                g.p_resync = g.p_discarded = 1;
                g.clean = 0;
            }
            (void)SSL_shutdown(g.p);
        }
        fc_peer_check();
        fc_peer_output();
        break;
    case FC_OP_PEER_CERT_REQUEST:
        fc_log("peer certificate request\n");
        if (SSL_verify_client_post_handshake(g.p) == 1)
            (void)SSL_do_handshake(g.p);
        fc_peer_check();
        fc_peer_output();
        break;
    case FC_OP_T_READ:
    case FC_OP_T_PEEK:
        len = fc_u16();
        fc_log("target %s %zu\n", op == FC_OP_T_READ ? "read" : "peek", len);
        fc_t_read(len, op == FC_OP_T_PEEK);
        break;
    case FC_OP_T_WRITE:
        len = fc_u16();
        fc_log("target write %zu\n", len);
        fc_t_write(len == 0 ? 1 : len);
        break;
    case FC_OP_T_SHUTDOWN:
        fc_log("target shutdown\n");
        ERR_clear_error();
        fatal = g.t->fatal;
        /* will it wait for close_notify?  Application data on its way is
         * then an error (as in OpenSSL 3.0): the input is no longer clean */
        len = SSL_get_shutdown(g.t) == SSL_SENT_SHUTDOWN && rec_pending_output(g.t) == 0;
        if (len)
            g.clean = 0;
        r = SSL_shutdown(g.t);
        fc_t_result("SSL_shutdown", FC_CALL_SHUTDOWN, r, fatal);
        if (len && !fatal)
            fc_t_discarded();
        break;
    case FC_OP_T_KEY_UPDATE:
        r = (int)fc_u8() & 1;
        fc_log("target key update (request %d)\n", r);
        ERR_clear_error();
        fatal = g.t->fatal;
        if (fc_t_request("SSL_key_update", SSL_key_update(g.t, r), fatal))
            fc_t_handshake();
        break;
    case FC_OP_T_TICKET:
        fc_log("target ticket\n");
        ERR_clear_error();
        fatal = g.t->fatal;
        if (fc_t_request("SSL_new_session_ticket", SSL_new_session_ticket(g.t), fatal))
            fc_t_handshake();
        break;
    case FC_OP_T_PHA:
        fc_log("target post-handshake auth\n");
        ERR_clear_error();
        fatal = g.t->fatal;
        if (fc_t_request("SSL_verify_client_post_handshake", SSL_verify_client_post_handshake(g.t),
                         fatal))
            fc_t_handshake();
        break;
    case FC_OP_T_HANDSHAKE:
        fc_log("target handshake\n");
        fc_t_handshake();
        break;
    }
}

/* ---- one connection ---- */

static SSL *fc_client(void)
{
    return FC_TARGET_IS_SERVER ? g.p : g.t;
}

static void fc_setup(void)
{
    SSL *c = SSL_new(g.cctx), *s = SSL_new(g.sctx);
    FUZZ_ASSERT(c != NULL && s != NULL);
    SSL_set_bio(c, fuzz_mem_bio(), fuzz_mem_bio());
    SSL_set_bio(s, fuzz_mem_bio(), fuzz_mem_bio());
    FUZZ_ASSERT(SSL_get_rbio(c) != NULL && SSL_get_wbio(c) != NULL);
    FUZZ_ASSERT(SSL_get_rbio(s) != NULL && SSL_get_wbio(s) != NULL);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    FUZZ_ASSERT(SSL_set_tlsext_host_name(c, "localhost") == 1);
    SSL_set_verify(c, SSL_VERIFY_PEER, NULL);

    static const char *const suites[4] = {NULL, "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                          "TLS_CHACHA20_POLY1305_SHA256"};
    unsigned suite = g.cfg0 & FC_CFG0_SUITE_MASK;
    if (suites[suite] != NULL)
        FUZZ_ASSERT(SSL_set_ciphersuites(c, suites[suite]) == 1);
    switch ((g.cfg0 & FC_CFG0_GROUP_MASK) >> FC_CFG0_GROUP_SHIFT) {
    case 1:
        FUZZ_ASSERT(SSL_set1_groups_list(c, "P-256") == 1);
        break;
    case 2:
        FUZZ_ASSERT(SSL_set1_groups_list(c, "P-384:X25519") == 1);
        break;
    case 3: /* the client's first share is not one the server takes */
        FUZZ_ASSERT(SSL_set1_groups_list(c, "X25519:P-256") == 1);
        FUZZ_ASSERT(SSL_set1_groups_list(s, "P-256") == 1);
        break;
    }
    if (g.cfg0 & FC_CFG0_RESUME) {
        int h = suite == 2;
        const unsigned char *p = g.sess_der[h];
        SSL_SESSION *sess = p != NULL ? d2i_SSL_SESSION(NULL, &p, (long)g.sess_len[h]) : NULL;
        if (sess != NULL)
            FUZZ_ASSERT(SSL_set_session(c, sess) == 1);
        SSL_SESSION_free(sess);
    }
    if (g.cfg0 & (FC_CFG0_CLIENT_CERT | FC_CFG0_PHA)) {
        FUZZ_ASSERT(SSL_use_certificate(c, g.cert) == 1 && SSL_use_PrivateKey(c, g.key) == 1);
        SSL_set_verify(
            s, SSL_VERIFY_PEER | ((g.cfg0 & FC_CFG0_CLIENT_CERT) ? 0 : SSL_VERIFY_POST_HANDSHAKE),
            NULL);
    }
    if (g.cfg0 & FC_CFG0_PHA)
        SSL_set_post_handshake_auth(c, 1);
    if (g.cfg0 & FC_CFG0_ALPN)
        FUZZ_ASSERT(SSL_set_alpn_protos(c, (const unsigned char *)"\x02h2\x08http/1.1", 12) == 0);
    SSL_set_num_tickets(s, ((g.cfg1 & FC_CFG1_TICKETS_MASK) + 2) % 4);
    SSL *t = FC_TARGET_IS_SERVER ? s : c;
    if (g.cfg1 & FC_CFG1_IGNORE_EOF)
        SSL_set_options(t, SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (g.cfg1 & FC_CFG1_NO_COMPAT)
        SSL_clear_options(c, SSL_OP_ENABLE_MIDDLEBOX_COMPAT);
    if (g.cfg1 & FC_CFG1_SMALL_FRAG) {
        FUZZ_ASSERT(SSL_set_max_send_fragment(c, 512) == 1);
        FUZZ_ASSERT(SSL_set_max_send_fragment(s, 512) == 1);
    }
    if (g.cfg1 & FC_CFG1_PSK_KE) {
        SSL_set_options(c, SSL_OP_ALLOW_NO_DHE_KEX);
        SSL_set_options(s, SSL_OP_ALLOW_NO_DHE_KEX);
    }
    if (g.cfg1 & FC_CFG1_SERVER_PREF)
        SSL_set_options(s, SSL_OP_CIPHER_SERVER_PREFERENCE);
    g.t = t;
    g.p = FC_TARGET_IS_SERVER ? c : s;
    g.t_out = SSL_get_wbio(t);
    if (g.cfg1 & FC_CFG1_SMALL_WBIO) {
        /* the target's output fills up: it must wait (WANT_WRITE) and go on */
        BIO *near = NULL, *far = NULL;
        FUZZ_ASSERT(BIO_new_bio_pair(&near, FC_SMALL_WBIO, &far, 0) == 1);
        SSL_set0_wbio(t, near);
        g.t_out = g.t_pair = far;
    }
    SSL_set_msg_callback(g.p, fc_peer_msg);
}

static void fc_save_session(void)
{
    SSL_SESSION *sess = SSL_get1_session(fc_client());
    FUZZ_ASSERT(sess != NULL && SSL_SESSION_is_resumable(sess));
    int h = sess->cipher->md_nid == NID_sha384;
    unsigned char *der = NULL;
    int n = i2d_SSL_SESSION(sess, &der);
    FUZZ_ASSERT(n > 0);
    free(g.sess_der[h]);
    g.sess_der[h] = malloc((size_t)n);
    FUZZ_ASSERT(g.sess_der[h] != NULL);
    memcpy(g.sess_der[h], der, (size_t)n);
    g.sess_len[h] = (size_t)n;
    OPENSSL_free(der);
    SSL_SESSION_free(sess);
}

/* fc_finish: rounds until nothing moves, the checks of a clean input, then
 * the peer goes away. */
static void fc_finish(void)
{
    fc_log("finish\n");
    int settled = 0;
    for (int i = 0; i < FC_ROUNDS && !settled; i++) {
        size_t before = g.moved;
        fc_round();
        settled = g.moved == before && g.nunits == 0 && BIO_ctrl_pending(g.t_out) == 0 &&
                  rec_pending_output(g.t) == 0 && g.t_wpend == 0;
    }
    if (g.clean && settled) {
        FUZZ_ASSERT(g.t_completed && g.p_completed && g.agreed);
        FUZZ_ASSERT(!g.t->fatal && !g.p->fatal);
        FUZZ_ASSERT(g.t_read == g.expect.len || g.t_discarded);
        FUZZ_ASSERT(g.p_read == g.t_sent.len || g.p_discarded || g.t_write_lost);
        if ((g.cfg0 & FC_CFG0_RESUME) && (g.cfg0 & FC_CFG0_SUITE_MASK) != 0)
            FUZZ_ASSERT(SSL_session_reused(g.t));
    }
    if (g.want_session)
        fc_save_session();
    fc_log("%s input: target %s%s, peer %s%s\n", g.clean ? "clean" : "unclean",
           g.t_completed ? "completed" : "incomplete", g.t->fatal ? " (failed)" : "",
           g.p_completed ? "completed" : "incomplete", g.p->fatal ? " (failed)" : "");
    /* The peer is gone: every call ends, none wants to read. */
    g.clean = 0;
    BIO_set_mem_eof_return(SSL_get_rbio(g.t), 0);
    for (int i = 0; i < FC_READ_CALLS; i++) {
        int r = SSL_is_init_finished(g.t) ? fc_t_read(16384, 0) : fc_t_handshake();
        if (r <= 0) {
            FUZZ_ASSERT(SSL_get_error(g.t, r) != SSL_ERROR_WANT_READ);
            break;
        }
    }
}

static void fc_free(void)
{
    SSL_free(g.t);
    SSL_free(g.p);
    BIO_free(g.t_pair);
    g.t = g.p = NULL;
    g.t_out = g.t_pair = NULL;
    for (size_t i = 0; i < g.nunits; i++)
        free(g.units[i].data);
    g.nunits = 0;
    fc_buf_free(&g.pout);
    fc_buf_free(&g.dec_hs);
    fc_buf_free(&g.expect);
    fc_buf_free(&g.t_sent);
    fc_buf_free(&g.app_recs);
    rec_aead_cleanup(&g.dec.a);
    rec_aead_cleanup(&g.enc.a);
    ERR_clear_error();
}

/* fc_run runs one input; returns a digest of every byte on the wire (when
 * g.hashing). */
static uint64_t fc_run(const uint8_t *data, size_t size)
{
    /* per-input state, all of it */
    g.in = data;
    g.in_len = size;
    g.in_off = 0;
    g.nunits = 0;
    memset(&g.pout, 0, sizeof(g.pout));
    memset(&g.dec_hs, 0, sizeof(g.dec_hs));
    memset(&g.expect, 0, sizeof(g.expect));
    memset(&g.t_sent, 0, sizeof(g.t_sent));
    memset(&g.app_recs, 0, sizeof(g.app_recs));
    memset(&g.dec, 0, sizeof(g.dec));
    memset(&g.enc, 0, sizeof(g.enc));
    g.have_hs = g.have_app = 0;
    g.eh_hdr_len = g.eh_left = 0;
    g.frag = REC_MAX_PLAINTEXT;
    g.coalesce = 0;
    g.pad = 0;
    g.wire = g.records = g.moved = 0;
    g.t_read = g.p_read = 0;
    g.t_wpend = 0;
    g.t_write_lost = 0;
    g.t_discarded = g.p_resync = g.p_discarded = 0;
    g.t_out = g.t_pair = NULL;
    g.clean = 1;
    g.t_completed = g.p_completed = g.agreed = g.t_closed = 0;
    g.ku_run = g.post_run = g.p_ku_run = g.p_post_run = 0;
    g.digest = UINT64_C(0xcbf29ce484222325);
    fc_rand_state = FC_SEED;
    rand_public_drop_for_test(); /* nothing buffered from an earlier run */
    ERR_clear_error();

    g.cfg0 = (uint8_t)fc_u8();
    g.cfg1 = (uint8_t)fc_u8();
    fc_log("cfg %02x %02x\n", g.cfg0, g.cfg1);
    fc_setup();
    for (int n = 0; n < FC_MAX_OPS && g.in_off < g.in_len; n++)
        fc_op(fc_u8() % FC_OP_COUNT);
    fc_finish();
    fc_log("done: digest %016llx\n", (unsigned long long)g.digest);
    fc_free();
    return g.digest;
}

/* ---- once per process ---- */

static void fc_make_cert(void)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    time_t now = (time_t)(FUZZ_CLOCK_MS / 1000);
    FUZZ_ASSERT(key != NULL && x != NULL && n != NULL);
    FUZZ_ASSERT(X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), 1) &&
                ASN1_TIME_set(X509_getm_notBefore(x), now - 86400) != NULL &&
                ASN1_TIME_set(X509_getm_notAfter(x), now + 86400L * 365 * 10) != NULL &&
                X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                                           (const unsigned char *)"localhost", -1, -1, 0) &&
                X509_set_subject_name(x, n) && X509_set_issuer_name(x, n) &&
                X509_set_pubkey(x, key) && X509_sign(x, key, EVP_sha256()) > 0);
    X509_NAME_free(n);
    g.cert = x;
    g.key = key;
}

static int fc_alpn_cb(SSL *s, const unsigned char **out, unsigned char *out_len,
                      const unsigned char *in, unsigned int in_len, void *arg)
{
    static const unsigned char ours[] = "\x08http/1.1\x02h2";
    (void)s;
    (void)arg;
    if (SSL_select_next_proto((unsigned char **)out, out_len, ours, sizeof(ours) - 1, in, in_len) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *fc_ctx(int server)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    FUZZ_ASSERT(ctx != NULL);
    FUZZ_ASSERT(X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), g.cert) == 1);
    X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(ctx), (time_t)(FUZZ_CLOCK_MS / 1000));
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (server) {
        uint8_t keys[80];
        fuzz_ticket_keys(keys);
        FUZZ_ASSERT(SSL_CTX_use_certificate(ctx, g.cert) == 1);
        FUZZ_ASSERT(SSL_CTX_use_PrivateKey(ctx, g.key) == 1);
        FUZZ_ASSERT(SSL_CTX_set_tlsext_ticket_keys(ctx, keys, sizeof(keys)) == 1);
        SSL_CTX_set_alpn_select_cb(ctx, fc_alpn_cb, NULL);
    }
    if (server != FC_TARGET_IS_SERVER) /* the peer's context */
        SSL_CTX_set_keylog_callback(ctx, fc_keylog);
    return ctx;
}

static void fc_init(void)
{
    if (g.ready)
        return;
    g.ready = 1;
    g.verbose = getenv("FUZZ_VERBOSE") != NULL;
    FUZZ_ASSERT(RAND_set_rand_method(&fc_rand_method) == 1);
    fc_rand_state = FC_SEED;
    sesame_set_clock_for_test(fuzz_clock);
    fc_make_cert();
    g.cctx = fc_ctx(0);
    g.sctx = fc_ctx(1);
    /* Sessions to resume: one per hash, from clean handshakes. */
    int verbose = g.verbose;
    g.verbose = verbose && atoi(getenv("FUZZ_VERBOSE")) >= 2;
    g.want_session = 1;
    static const uint8_t setup[2][2] = {{1, 0}, {2, 0}};
    for (int h = 0; h < 2; h++) {
        fc_run(setup[h], 2);
        FUZZ_ASSERT(g.sess_der[h] != NULL);
    }
    g.want_session = 0;
    /* Determinism: the same input puts the same bytes on the wire. */
    g.hashing = 1;
    static const uint8_t again[][12] = {
        {0, 0},
        {FC_CFG0_RESUME | 3 | (3 << FC_CFG0_GROUP_SHIFT), 0},
        {FC_CFG0_CLIENT_CERT | FC_CFG0_PHA | 2, 1, FC_OP_ROUND, FC_OP_ROUND, FC_OP_ROUND,
         FC_OP_PEER_KEY_UPDATE, 1, FC_OP_T_KEY_UPDATE, 1, FC_OP_T_WRITE, 0, 9},
    };
    for (size_t i = 0; i < sizeof(again) / sizeof(again[0]); i++) {
        uint64_t d1 = fc_run(again[i], sizeof(again[i]));
        uint64_t d2 = fc_run(again[i], sizeof(again[i]));
        if (d1 != d2) {
            fprintf(stderr, "fuzz_conn: input %zu is not deterministic\n", i);
            FUZZ_ASSERT(d1 == d2);
        }
    }
    g.verbose = verbose;
    g.hashing = verbose;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fc_init();
    fc_run(data, size);
    return 0;
}

#endif

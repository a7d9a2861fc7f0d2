/* gen_corpus.c - writes the seed corpus of every fuzz target into
 * OUTDIR/<target>/ (normally tests/fuzz/corpus/).  Not run by the tests: the
 * corpus is checked in; run it again when a wire or session format changes:
 *
 *   cmake --build build --target fuzz_gen_corpus
 *   ./build/tests/fuzz/fuzz_gen_corpus tests/fuzz/corpus
 *
 * Seeds: the RFC 8448 messages; what our own client and server put on the
 * wire in an in-memory handshake (memory BIOs) with the fuzz server context
 * of fuzz_common.h (fixed ticket keys, fixed clock), so the ticket, the
 * resumption ClientHello and the sessions are real and stay valid; messages
 * our writers make that no handshake here produces (CertificateRequest,
 * TLS 1.2 ServerHello, ...); sealed records for each cipher. */
#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

#include "fuzz_common.h"
#include "fuzz_conn_format.h"

#include "codec/codec.h"
#include "codec/messages12.h"
#include "internal.h"
#include "record/aead.h"
#include "session/session_cache.h"

/* RFC 8448 section 3: {server} handshake record (EE, Certificate, CertificateVerify,
 * Finished), AES-128-GCM with the server handshake key, seq 0 (as in tests/unit/test_aead.c). */
static const char k_rfc_server_hs_record[] =
    "17 03 03 02 a2 d1 ff 33 4a 56 f5 bf f6 59 4a 07 cc 87 b5 80 23 3f 50 0f"
    "45 e4 89 e7 f3 3a f3 5e df 78 69 fc f4 0a a4 0a a2 b8 ea 73 f8 48 a7 ca"
    "07 61 2e f9 f9 45 cb 96 0b 40 68 90 51 23 ea 78 b1 11 b4 29 ba 91 91 cd"
    "05 d2 a3 89 28 0f 52 61 34 aa dc 7f c7 8c 4b 72 9d f8 28 b5 ec f7 b1 3b"
    "d9 ae fb 0e 57 f2 71 58 5b 8e a9 bb 35 5c 7c 79 02 07 16 cf b9 b1 18 3e"
    "f3 ab 20 e3 7d 57 a6 b9 d7 47 76 09 ae e6 e1 22 a4 cf 51 42 73 25 25 0c"
    "7d 0e 50 92 89 44 4c 9b 3a 64 8f 1d 71 03 5d 2e d6 5b 0e 3c dd 0c ba e8"
    "bf 2d 0b 22 78 12 cb b3 60 98 72 55 cc 74 41 10 c4 53 ba a4 fc d6 10 92"
    "8d 80 98 10 e4 b7 ed 1a 8f d9 91 f0 6a a6 24 82 04 79 7e 36 a6 a7 3b 70"
    "a2 55 9c 09 ea d6 86 94 5b a2 46 ab 66 e5 ed d8 04 4b 4c 6d e3 fc f2 a8"
    "94 41 ac 66 27 2f d8 fb 33 0e f8 19 05 79 b3 68 45 96 c9 60 bd 59 6e ea"
    "52 0a 56 a8 d6 50 f5 63 aa d2 74 09 96 0d ca 63 d3 e6 88 61 1e a5 e2 2f"
    "44 15 cf 95 38 d5 1a 20 0c 27 03 42 72 96 8a 26 4e d6 54 0c 84 83 8d 89"
    "f7 2c 24 46 1a ad 6d 26 f5 9e ca ba 9a cb bb 31 7b 66 d9 02 f4 f2 92 a3"
    "6a c1 b6 39 c6 37 ce 34 31 17 b6 59 62 22 45 31 7b 49 ee da 0c 62 58 f1"
    "00 d7 d9 61 ff b1 38 64 7e 92 ea 33 0f ae ea 6d fa 31 c7 a8 4d c3 bd 7e"
    "1b 7a 6c 71 78 af 36 87 90 18 e3 f2 52 10 7f 24 3d 24 3d c7 33 9d 56 84"
    "c8 b0 37 8b f3 02 44 da 8c 87 c8 43 f5 e5 6e b4 c5 e8 28 0a 2b 48 05 2c"
    "f9 3b 16 49 9a 66 db 7c ca 71 e4 59 94 26 f7 d4 61 e6 6f 99 88 2b d8 9f"
    "c5 08 00 be cc a6 2d 6c 74 11 6d bd 29 72 fd a1 fa 80 f8 5d f8 81 ed be"
    "5a 37 66 89 36 b3 35 58 3b 59 91 86 dc 5c 69 18 a3 96 fa 48 a1 81 d6 b6"
    "fa 4f 9d 62 d5 13 af bb 99 2f 2b 99 2f 67 f8 af e6 7f 76 91 3f a3 88 cb"
    "56 30 c8 ca 01 e0 c6 5d 11 c6 6a 1e 2a c4 c8 59 77 b7 c7 a6 99 9b bf 10"
    "dc 35 ae 69 f5 51 56 14 63 6c 0b 9b 68 c1 9e d2 e3 1c 0b 3b 66 76 30 38"
    "eb ba 42 f3 b3 8e dc 03 99 f3 a9 f2 3f aa 63 97 8c 31 7f c9 fa 66 a7 3f"
    "60 f0 50 4d e9 3b 5b 84 5e 27 55 92 c1 23 35 ee 34 0b bc 4f dd d5 02 78"
    "40 16 e4 b3 be 7e f0 4d da 49 f4 b4 40 a3 0c b5 d2 af 93 98 28 fd 4a e3"
    "79 4e 44 f9 4d f5 a6 31 ed e4 2c 17 19 bf da bf 02 53 fe 51 75 be 89 8e"
    "75 0e dc 53 37 0d 2b";

/* RFC 8448 section 3 and 4 and 5 messages, complete (header included). */
static const char k_rfc_ch[] =
    "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef628302"
    "4dece7000006130113031302010000910000000b0009000006736572766572ff010001"
    "00000a00140012001d0017001800190100010101020103010400230000003300260024"
    "001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf"
    "2c002b0003020304000d0020001e040305030603020308040805080604010501060102"
    "010402050206020202002d00020101001c00024001";
static const char k_rfc_sh[] =
    "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3"
    "e2692800130100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6"
    "cc253b833df1dd69b1b04e751f0f002b00020304";
static const char k_rfc_nst[] =
    "040000c90000001efad6aac502000000b22c035d829359ee5ff7af4ec900000000262a"
    "6494dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097"
    "a3a982117283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454"
    "a3664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b3f7d"
    "8f92f228bda40dda721470f9fbf297b5aea617646fac5c03272e970727c621a79141ef"
    "5f7de6505e5bfbc388e93343694093934ae4d3570008002a000400000400";
static const char k_rfc_resumed_ch[] =
    "010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc419d7876"
    "487d95000006130113031302010001cd0000000b0009000006736572766572ff010001"
    "00000a00140012001d00170018001901000101010201030104003300260024001d0020"
    "e4ffb68ac05f8d96c99da26698346c6be16482badddafe051a66b4f18d668f0b002a00"
    "00002b0003020304000d0020001e040305030603020308040805080604010501060102"
    "010402050206020202002d00020101001c000240010015005700000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000002900dd00b800b22c035d829359ee5ff7af4ec900000000262a6494"
    "dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a9"
    "82117283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a366"
    "4d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b3f7d8f92"
    "f228bda40dda721470f9fbf297b5aea617646fac5c03272e970727c621a79141ef5f7d"
    "e6505e5bfbc388e93343694093934ae4d357fad6aacb"
    "0021203add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d";
static const char k_rfc_hrr[] =
    "020000ac0303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8"
    "a8339c001301000084003300020017002c0074007271dcd04bb88bc3189119398a0000"
    "0000eefafc76c146b823b096f8aacad365dd0030953f4edf625636e5f21bb2e23fcc65"
    "4b1b5b40318d10d137abcbb87574e36e8a1f025f7dfa5d6e50781b5eda4aa15b0c8be7"
    "78257d16aa3030e9e7841dd9e4c0342267e8ca0caf571fb2b7cff0f934b0002b00020304";

static const char *g_out;

static _Noreturn void die(const char *what)
{
    fprintf(stderr, "gen_corpus: %s failed\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}
#define NEED(c)                                                                                    \
    do {                                                                                           \
        if (!(c))                                                                                  \
            die(#c);                                                                               \
    } while (0)

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *s; s++) {
        int v;
        if (*s >= '0' && *s <= '9')
            v = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            v = *s - 'a' + 10;
        else
            continue;
        if (hi < 0) {
            hi = v;
        } else {
            NEED(n < cap);
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return n;
}

static void put(const char *target, const char *name, const void *data, size_t len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", g_out, target);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        die(path);
    snprintf(path, sizeof(path), "%s/%s/%s", g_out, target, name);
    FILE *f = fopen(path, "wb");
    NEED(f != NULL);
    NEED(fwrite(data, 1, len, f) == len);
    fclose(f);
    printf("%-60s %6zu bytes\n", path, len);
}

/* put_body: a complete handshake message minus its 4-byte header. */
static void put_body(const char *target, const char *name, const uint8_t *msg, size_t len)
{
    NEED(len >= 4 && (size_t)(msg[1] << 16 | msg[2] << 8 | msg[3]) == len - 4);
    put(target, name, msg + 4, len - 4);
}

static void put_hex_body(const char *target, const char *name, const char *hex)
{
    uint8_t buf[1024];
    put_body(target, name, buf, unhex(hex, buf, sizeof(buf)));
}

/* Finishes a CBB holding one complete message and writes its body. */
static void put_cbb_body(const char *target, const char *name, CBB *cbb)
{
    uint8_t *p = NULL;
    size_t len = 0;
    NEED(cbb_finish(cbb, &p, &len));
    put_body(target, name, p, len);
    OPENSSL_free(p);
}

/* ---- in-memory handshakes with our client and server ---- */

static size_t drain(BIO *b, uint8_t *out, size_t cap)
{
    int n = BIO_read(b, out, (int)cap);
    return n > 0 ? (size_t)n : 0;
}

static void move(BIO *from, BIO *to)
{
    uint8_t buf[16384];
    int n;
    while ((n = BIO_read(from, buf, sizeof(buf))) > 0)
        NEED(BIO_write(to, buf, n) == n);
}

static SSL *new_ssl(SSL_CTX *ctx, int server)
{
    SSL *s = SSL_new(ctx);
    NEED(s != NULL);
    SSL_set_bio(s, fuzz_mem_bio(), fuzz_mem_bio());
    if (server) {
        SSL_set_accept_state(s);
    } else {
        SSL_set_connect_state(s);
        NEED(SSL_set_tlsext_host_name(s, "localhost"));
    }
    return s;
}

static void handshake(SSL *c, SSL *s)
{
    int cdone = 0, sdone = 0;
    for (int i = 0; i < 100 && !(cdone && sdone); i++) {
        if (!cdone) {
            int r = SSL_do_handshake(c);
            cdone = r == 1;
            NEED(cdone || SSL_get_error(c, r) == SSL_ERROR_WANT_READ);
            move(SSL_get_wbio(c), SSL_get_rbio(s));
        }
        if (!sdone) {
            int r = SSL_do_handshake(s);
            sdone = r == 1;
            NEED(sdone || SSL_get_error(s, r) == SSL_ERROR_WANT_READ);
            move(SSL_get_wbio(s), SSL_get_rbio(c));
        }
    }
    NEED(cdone && sdone);
    /* the client reads the NewSessionTickets */
    char b[1];
    NEED(SSL_read(c, b, 1) <= 0);
    ERR_clear_error();
}

/* first_record: the length of the first record in buf. */
static size_t first_record(const uint8_t *buf, size_t len)
{
    NEED(len >= 5);
    size_t n = 5 + ((size_t)buf[3] << 8 | buf[4]);
    NEED(n <= len);
    return n;
}

static void gen_handshakes(void)
{
    SSL_CTX *sctx = fuzz_server_ctx();
    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    NEED(sctx != NULL && cctx != NULL);
    static const unsigned char alpn[] = "\x02h2\x08http/1.1";
    NEED(SSL_CTX_set_alpn_protos(cctx, alpn, sizeof(alpn) - 1) == 0);
    uint8_t buf[16384];
    size_t n;

    /* 1. A full handshake: ClientHello, ServerHello, the session, a ticket. */
    SSL *c = new_ssl(cctx, 0), *s = new_ssl(sctx, 1);
    NEED(SSL_do_handshake(c) <= 0);
    n = drain(SSL_get_wbio(c), buf, sizeof(buf));
    size_t r1 = first_record(buf, n);
    put("server_first_flight", "sesame_client_hello.bin", buf, n);
    put_body("client_hello", "sesame_client_hello.bin", buf + 5, r1 - 5);
    NEED(BIO_write(SSL_get_rbio(s), buf, (int)n) == (int)n);
    NEED(SSL_do_handshake(s) <= 0);
    n = drain(SSL_get_wbio(s), buf, sizeof(buf));
    r1 = first_record(buf, n);
    put_body("server_hello", "sesame_server_hello.bin", buf + 5, r1 - 5);
    NEED(BIO_write(SSL_get_rbio(c), buf, (int)n) == (int)n);
    handshake(c, s);
    SSL_SESSION *sess = SSL_get1_session(c);
    NEED(sess != NULL && SSL_SESSION_is_resumable(sess));
    const unsigned char *ticket;
    size_t ticket_len;
    SSL_SESSION_get0_ticket(sess, &ticket, &ticket_len);
    NEED(ticket_len > 0);
    put("ticket_open", "sesame_ticket.bin", ticket, ticket_len);

    unsigned char *der = NULL;
    int der_len = i2d_SSL_SESSION(sess, &der);
    NEED(der_len > 0);
    put("d2i_ssl_session", "client_session.der", der, (size_t)der_len);
    OPENSSL_free(der);
    BIO *pem = BIO_new(BIO_s_mem());
    NEED(pem != NULL && PEM_write_bio_SSL_SESSION(pem, sess));
    char *pem_data;
    long pem_len = BIO_get_mem_data(pem, &pem_data);
    put("d2i_ssl_session", "client_session.pem", pem_data, (size_t)pem_len);
    BIO_free(pem);
    SSL_SESSION *ssess = SSL_get1_session(s);
    NEED(ssess != NULL);
    der = NULL;
    der_len = i2d_SSL_SESSION(ssess, &der);
    NEED(der_len > 0);
    put("d2i_ssl_session", "server_session.der", der, (size_t)der_len);
    OPENSSL_free(der);
    /* what a ticket seals (sess_decode for_ticket=1) */
    CBB cbb;
    uint8_t *tp = NULL;
    size_t tl = 0;
    NEED(cbb_init(&cbb, 256) && sess_encode(&cbb, ssess, 1) && cbb_finish(&cbb, &tp, &tl));
    put("d2i_ssl_session", "ticket_plaintext.der", tp, tl);
    OPENSSL_free(tp);
    SSL_SESSION_free(ssess);
    /* a clean close, else SSL_free makes the session unresumable (as OpenSSL) */
    SSL_set_shutdown(c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_set_shutdown(s, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(c);
    SSL_free(s);

    /* 2. Resumption: the ClientHello with the ticket as PSK (valid binder).
     * The client judges expiry by the real clock, the ticket was stamped
     * with the fixed one: restamp the client's copy. */
    NEED(SSL_SESSION_set_time(sess, (long)time(NULL)));
    c = new_ssl(cctx, 0);
    NEED(SSL_set_session(c, sess) == 1);
    NEED(SSL_do_handshake(c) <= 0);
    n = drain(SSL_get_wbio(c), buf, sizeof(buf));
    r1 = first_record(buf, n);
    put("server_first_flight", "sesame_resumption_hello.bin", buf, n);
    put_body("client_hello", "sesame_resumption_hello.bin", buf + 5, r1 - 5);
    /* check the server really resumes with it */
    s = new_ssl(sctx, 1);
    NEED(BIO_write(SSL_get_rbio(s), buf, (int)n) == (int)n);
    NEED(SSL_do_handshake(s) <= 0);
    move(SSL_get_wbio(s), SSL_get_rbio(c));
    handshake(c, s);
    NEED(SSL_session_reused(c) && SSL_session_reused(s));
    SSL_free(c);
    SSL_free(s);
    SSL_SESSION_free(sess);

    /* 3. A client offering only P-256 first and both groups, TLS 1.3 only,
     * one suite: another shape of hello; then followed by a CCS and an
     * application_data record, as a middlebox-compatible client sends. */
    c = new_ssl(cctx, 0);
    NEED(SSL_set1_groups_list(c, "P-256:X25519") == 1);
    NEED(SSL_set_ciphersuites(c, "TLS_CHACHA20_POLY1305_SHA256") == 1);
    NEED(SSL_set_min_proto_version(c, TLS1_3_VERSION) == 1);
    NEED(SSL_do_handshake(c) <= 0);
    n = drain(SSL_get_wbio(c), buf, sizeof(buf) - 64);
    static const uint8_t tail[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01, /* CCS */
                                   0x17, 0x03, 0x03, 0x00, 0x15, 1,    2,  3,  4,  5,  6,  7,  8,
                                   9,    10,   11,   12,   13,   14,   15, 16, 17, 18, 19, 20, 21};
    memcpy(buf + n, tail, sizeof(tail));
    put("server_first_flight", "sesame_hello_ccs_appdata.bin", buf, n + sizeof(tail));
    SSL_free(c);

    /* 4. TLS 1.2: a client limited to 1.2, its hello and (after the real
     * server's flight) its ClientKeyExchange, ChangeCipherSpec and
     * Finished, which a server with another random must refuse. */
    c = new_ssl(cctx, 0);
    s = new_ssl(sctx, 1);
    NEED(SSL_set_max_proto_version(c, TLS1_2_VERSION) == 1);
    NEED(SSL_do_handshake(c) <= 0);
    n = drain(SSL_get_wbio(c), buf, sizeof(buf));
    put("server_first_flight", "tls12_client_hello.bin", buf, n);
    put_body("client_hello", "tls12_client_hello.bin", buf + 5, first_record(buf, n) - 5);
    NEED(BIO_write(SSL_get_rbio(s), buf, (int)n) == (int)n);
    NEED(SSL_do_handshake(s) <= 0);
    move(SSL_get_wbio(s), SSL_get_rbio(c));
    NEED(SSL_do_handshake(c) <= 0);
    size_t n2 = drain(SSL_get_wbio(c), buf + n, sizeof(buf) - n);
    put("server_first_flight", "tls12_full_client_flights.bin", buf, n + n2);
    NEED(BIO_write(SSL_get_rbio(s), buf + n, (int)n2) == (int)n2);
    handshake(c, s);
    NEED(SSL_version(c) == TLS1_2_VERSION);
    sess = SSL_get1_session(c);
    NEED(sess != NULL && SSL_SESSION_has_ticket(sess));
    /* as after a clean close: a session freed mid-connection is not resumed */
    SSL_set_shutdown(c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(c);
    SSL_free(s);

    /* 5. TLS 1.2 resumption by ticket: the hello, then the client's CCS and
     * Finished as if the server had resumed. */
    c = new_ssl(cctx, 0);
    s = new_ssl(sctx, 1);
    NEED(SSL_set_max_proto_version(c, TLS1_2_VERSION) == 1);
    NEED(SSL_set_session(c, sess) == 1);
    NEED(SSL_do_handshake(c) <= 0);
    n = drain(SSL_get_wbio(c), buf, sizeof(buf));
    put_body("client_hello", "tls12_resumption_hello.bin", buf + 5, first_record(buf, n) - 5);
    NEED(BIO_write(SSL_get_rbio(s), buf, (int)n) == (int)n);
    NEED(SSL_do_handshake(s) <= 0);
    move(SSL_get_wbio(s), SSL_get_rbio(c));
    NEED(SSL_do_handshake(c) == 1 && SSL_session_reused(c));
    n2 = drain(SSL_get_wbio(c), buf + n, sizeof(buf) - n);
    put("server_first_flight", "tls12_resumption_flights.bin", buf, n + n2);
    SSL_free(c);
    SSL_free(s);
    SSL_SESSION_free(sess);

    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* ---- messages from the RFC and our writers ---- */

static void gen_messages(void)
{
    uint8_t buf[1024];
    size_t n;

    put_hex_body("client_hello", "rfc8448_client_hello.bin", k_rfc_ch);
    put_hex_body("client_hello", "rfc8448_resumed_client_hello.bin", k_rfc_resumed_ch);
    put_hex_body("server_hello", "rfc8448_server_hello.bin", k_rfc_sh);
    put_hex_body("server_hello", "rfc8448_hello_retry_request.bin", k_rfc_hrr);
    put_hex_body("new_session_ticket", "rfc8448_new_session_ticket.bin", k_rfc_nst);

    /* The RFC client hello in a record, as the first flight. */
    n = unhex(k_rfc_ch, buf + 5, sizeof(buf) - 5);
    buf[0] = 0x16, buf[1] = 0x03, buf[2] = 0x01, buf[3] = (uint8_t)(n >> 8), buf[4] = (uint8_t)n;
    put("server_first_flight", "rfc8448_client_hello.bin", buf, n + 5);

    /* The RFC server handshake record: for record_open (mode 0 = the RFC
     * key), and decrypted for EncryptedExtensions and Certificate. */
    uint8_t rec[1024];
    size_t rec_len = unhex(k_rfc_server_hs_record, rec + 1, sizeof(rec) - 1);
    rec[0] = 0;
    put("record_open", "rfc8448_server_handshake.bin", rec, rec_len + 1);
    static const uint8_t key[16] = {0x3f, 0xce, 0x51, 0x60, 0x09, 0xc2, 0x17, 0x27,
                                    0xd0, 0xf2, 0xe4, 0xe8, 0x6e, 0xe4, 0x03, 0xbc};
    static const uint8_t iv[12] = {0x5d, 0x31, 0x3e, 0xb2, 0x67, 0x12,
                                   0x76, 0xee, 0x13, 0x00, 0x0b, 0x30};
    EVP_CIPHER *aes128 = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    REC_AEAD a;
    uint8_t type, alert;
    size_t plen;
    NEED(aes128 != NULL && rec_aead_init(&a, aes128, key, 16, iv, 12, 0, 0));
    NEED(rec_tls13_open(&a, rec + 1, rec + 6, rec_len - 5, &type, &plen, &alert) && type == 22);
    rec_aead_cleanup(&a);
    /* EE || Certificate || CertificateVerify || Finished */
    const uint8_t *m = rec + 6;
    for (size_t off = 0; off + 4 <= plen;) {
        size_t ml = 4 + ((size_t)m[off + 1] << 16 | (size_t)m[off + 2] << 8 | m[off + 3]);
        NEED(off + ml <= plen);
        if (m[off] == CODEC_HS_ENCRYPTED_EXTENSIONS)
            put_body("encrypted_extensions", "rfc8448_encrypted_extensions.bin", m + off, ml);
        else if (m[off] == CODEC_HS_CERTIFICATE)
            put_body("certificate", "rfc8448_certificate.bin", m + off, ml);
        off += ml;
    }

    CBB cbb;
    /* EncryptedExtensions with everything we parse */
    static const uint16_t groups[] = {0x001d, 0x0017, 0x0018};
    CODEC_ENCRYPTED_EXTENSIONS_OUT ee = {(const uint8_t *)"h2", 2, 1, 1, groups, 3};
    NEED(cbb_init(&cbb, 64) && codec_write_encrypted_extensions(&cbb, &ee));
    put_cbb_body("encrypted_extensions", "alpn_sni_early_groups.bin", &cbb);

    /* Certificate: a context and two real certificates */
    EVP_PKEY *k1, *k2;
    X509 *x1, *x2;
    NEED(fuzz_cert_new(&k1, &x1) && fuzz_cert_new(&k2, &x2));
    unsigned char *d1 = NULL, *d2 = NULL;
    int l1 = i2d_X509(x1, &d1), l2 = i2d_X509(x2, &d2);
    NEED(l1 > 0 && l2 > 0);
    const uint8_t *ders[2] = {d1, d2};
    size_t der_lens[2] = {(size_t)l1, (size_t)l2};
    NEED(cbb_init(&cbb, 1024) &&
         codec_write_certificate(&cbb, (const uint8_t *)"ctx", 3, ders, der_lens, 2));
    put_cbb_body("certificate", "two_certs_with_context.bin", &cbb);
    NEED(cbb_init(&cbb, 16) && codec_write_certificate(&cbb, NULL, 0, NULL, NULL, 0));
    put_cbb_body("certificate", "empty.bin", &cbb);

    /* CertificateRequest: context, sigalgs, two CA names */
    static const uint16_t sigalgs[] = {0x0403, 0x0503, 0x0804, 0x0807, 0x0401};
    unsigned char *n1 = NULL, *n2 = NULL;
    int nl1 = i2d_X509_NAME(X509_get_subject_name(x1), &n1);
    int nl2 = i2d_X509_NAME(X509_get_subject_name(x2), &n2);
    NEED(nl1 > 0 && nl2 > 0);
    const uint8_t *cas[2] = {n1, n2};
    size_t ca_lens[2] = {(size_t)nl1, (size_t)nl2};
    NEED(cbb_init(&cbb, 256) &&
         codec_write_certificate_request(&cbb, (const uint8_t *)"\x01\x02\x03\x04", 4, sigalgs, 5,
                                         cas, ca_lens, 2));
    put_cbb_body("certificate_request", "context_sigalgs_cas.bin", &cbb);
    NEED(cbb_init(&cbb, 64) &&
         codec_write_certificate_request(&cbb, NULL, 0, sigalgs, 2, NULL, NULL, 0));
    put_cbb_body("certificate_request", "sigalgs_only.bin", &cbb);
    OPENSSL_free(n1);
    OPENSSL_free(n2);
    OPENSSL_free(d1);
    OPENSSL_free(d2);
    X509_free(x1);
    X509_free(x2);
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k2);

    /* NewSessionTicket with early_data */
    NEED(cbb_init(&cbb, 128) &&
         codec_write_new_session_ticket(&cbb, 7200, 0x01020304, (const uint8_t *)"\0\0\0\1", 4,
                                        (const uint8_t *)"opaque-ticket-bytes", 19, 1, 16384));
    put_cbb_body("new_session_ticket", "early_data.bin", &cbb);

    /* ServerHello, TLS 1.2 style with its extensions */
    uint8_t random[32];
    memset(random, 0x5a, sizeof(random));
    CODEC_SERVER_HELLO_OUT sh;
    memset(&sh, 0, sizeof(sh));
    sh.random = random;
    sh.session_id = random;
    sh.session_id_len = 32;
    sh.cipher_suite = 0xc02b;
    sh.renegotiation_info = sh.ems = sh.etm = sh.session_ticket = sh.server_name_ack = 1;
    sh.status_request = sh.ec_point_formats = 1;
    sh.alpn = (const uint8_t *)"http/1.1";
    sh.alpn_len = 8;
    NEED(cbb_init(&cbb, 128) && codec_write_server_hello(&cbb, &sh));
    put_cbb_body("server_hello", "tls12_server_hello.bin", &cbb);

    /* ClientHello, TLS 1.2 style (no supported_versions) with a ticket */
    static const uint16_t suites[] = {0xc02b, 0xc02f, 0x009c};
    CODEC_CLIENT_HELLO_OUT ch;
    memset(&ch, 0, sizeof(ch));
    ch.random = random;
    ch.cipher_suites = suites;
    ch.num_cipher_suites = 3;
    ch.server_name = "example.com";
    ch.groups = groups;
    ch.num_groups = 3;
    ch.sigalgs = sigalgs;
    ch.num_sigalgs = 5;
    ch.tls12_session_ticket = 1;
    ch.ticket = (const uint8_t *)"tls12-ticket";
    ch.ticket_len = 12;
    ch.ems = ch.etm = ch.renegotiation_info = ch.ec_point_formats = ch.status_request = 1;
    NEED(cbb_init(&cbb, 256) && codec_write_client_hello(&cbb, &ch, NULL));
    put_cbb_body("client_hello", "tls12_client_hello.bin", &cbb);

    EVP_CIPHER_free(aes128);
}

/* ---- TLS 1.2 messages (codec/messages12.h) ---- */

/* put_cbb_body_mode: as put_cbb_body, the body after a mode byte (the
 * server_key_exchange and client_key_exchange targets: 0 ECDHE, 1 DHE). */
static void put_cbb_body_mode(const char *target, const char *name, uint8_t mode, CBB *cbb)
{
    uint8_t *p = NULL;
    size_t len = 0;
    NEED(cbb_finish(cbb, &p, &len));
    NEED(len >= 4 && (size_t)(p[1] << 16 | p[2] << 8 | p[3]) == len - 4);
    p[3] = mode; /* the byte before the body */
    put(target, name, p + 3, len - 3);
    OPENSSL_free(p);
}

/* put_ske: a ServerKeyExchange over |params| with a real ECDSA P-256
 * signature of client_random || server_random || params (RFC 5246 7.4.3). */
static void put_ske(const char *name, uint8_t mode, EVP_PKEY *key, CBB *params)
{
    uint8_t *p = NULL, tbs[2048], sig[128];
    size_t plen = 0, sig_len = sizeof(sig);
    NEED(cbb_finish(params, &p, &plen) && 64 + plen <= sizeof(tbs));
    memset(tbs, 0x11, 32);
    memset(tbs + 32, 0x22, 32);
    memcpy(tbs + 64, p, plen);
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    NEED(mctx != NULL && EVP_DigestSignInit(mctx, NULL, EVP_sha256(), NULL, key) == 1 &&
         EVP_DigestSign(mctx, sig, &sig_len, tbs, 64 + plen) == 1);
    EVP_MD_CTX_free(mctx);
    CBB cbb;
    NEED(cbb_init(&cbb, 256) &&
         codec_write_server_key_exchange(&cbb, p, plen, 0x0403, sig, sig_len));
    put_cbb_body_mode("server_key_exchange", name, mode, &cbb);
    OPENSSL_free(p);
}

static void gen_messages12(void)
{
    EVP_PKEY *k1, *k2, *x25519 = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    X509 *x1, *x2;
    uint8_t pub[256], *pubp = NULL;
    size_t pub_len = 0;
    CBB cbb, params;
    NEED(fuzz_cert_new(&k1, &x1) && fuzz_cert_new(&k2, &x2) && x25519 != NULL);

    /* ServerKeyExchange: ECDHE X25519 and P-256, DHE ffdhe2048-sized */
    pub_len = sizeof(pub);
    NEED(EVP_PKEY_get_raw_public_key(x25519, pub, &pub_len) && pub_len == 32);
    NEED(cbb_init(&params, 64) && codec_write_ecdhe_params(&params, 0x001d, pub, pub_len));
    put_ske("ecdhe_x25519.bin", 0, k1, &params);
    pub_len = EVP_PKEY_get1_encoded_public_key(k2, &pubp);
    NEED(pub_len == 65);
    NEED(cbb_init(&params, 128) && codec_write_ecdhe_params(&params, 0x0017, pubp, pub_len));
    put_ske("ecdhe_p256.bin", 0, k1, &params);
    static uint8_t dh_p[256], dh_ys[256];
    memset(dh_p, 0xff, sizeof(dh_p));
    for (size_t i = 0; i < sizeof(dh_ys); i++)
        dh_ys[i] = (uint8_t)(i * 13 + 7);
    NEED(cbb_init(&params, 600) &&
         codec_write_dhe_params(&params, dh_p, sizeof(dh_p), (const uint8_t *)"\x02", 1, dh_ys,
                                sizeof(dh_ys)));
    put_ske("dhe_2048.bin", 1, k1, &params);

    /* ClientKeyExchange: ECDHE (P-256 point), DHE */
    NEED(cbb_init(&cbb, 128) && codec_write_client_key_exchange(&cbb, 0, pubp, pub_len));
    put_cbb_body_mode("client_key_exchange", "ecdhe_p256.bin", 0, &cbb);
    NEED(cbb_init(&cbb, 300) && codec_write_client_key_exchange(&cbb, 1, dh_ys, sizeof(dh_ys)));
    put_cbb_body_mode("client_key_exchange", "dhe_2048.bin", 1, &cbb);
    OPENSSL_free(pubp);

    /* Certificate: two real certificates; none */
    unsigned char *d1 = NULL, *d2 = NULL;
    int l1 = i2d_X509(x1, &d1), l2 = i2d_X509(x2, &d2);
    NEED(l1 > 0 && l2 > 0);
    const uint8_t *ders[2] = {d1, d2};
    size_t der_lens[2] = {(size_t)l1, (size_t)l2};
    NEED(cbb_init(&cbb, 1024) && codec_write_certificate12(&cbb, ders, der_lens, 2));
    put_cbb_body("certificate12", "two_certs.bin", &cbb);
    NEED(cbb_init(&cbb, 16) && codec_write_certificate12(&cbb, NULL, NULL, 0));
    put_cbb_body("certificate12", "empty.bin", &cbb);

    /* CertificateRequest: sigalgs and two CA names; sigalgs only */
    static const uint16_t sigalgs[] = {0x0403, 0x0503, 0x0804, 0x0807, 0x0401, 0x0201};
    unsigned char *n1 = NULL, *n2 = NULL;
    int nl1 = i2d_X509_NAME(X509_get_subject_name(x1), &n1);
    int nl2 = i2d_X509_NAME(X509_get_subject_name(x2), &n2);
    NEED(nl1 > 0 && nl2 > 0);
    const uint8_t *cas[2] = {n1, n2};
    size_t ca_lens[2] = {(size_t)nl1, (size_t)nl2};
    NEED(cbb_init(&cbb, 256) &&
         codec_write_certificate_request12(&cbb, sigalgs, 6, cas, ca_lens, 2));
    put_cbb_body("certificate_request12", "sigalgs_cas.bin", &cbb);
    NEED(cbb_init(&cbb, 64) && codec_write_certificate_request12(&cbb, sigalgs, 2, NULL, NULL, 0));
    put_cbb_body("certificate_request12", "sigalgs_only.bin", &cbb);

    /* NewSessionTicket: a ticket of a realistic size; an empty one */
    uint8_t ticket[200];
    for (size_t i = 0; i < sizeof(ticket); i++)
        ticket[i] = (uint8_t)(i * 7);
    NEED(cbb_init(&cbb, 256) &&
         codec_write_new_session_ticket12(&cbb, 7200, ticket, sizeof(ticket)));
    put_cbb_body("new_session_ticket12", "ticket.bin", &cbb);
    NEED(cbb_init(&cbb, 16) && codec_write_new_session_ticket12(&cbb, 0, NULL, 0));
    put_cbb_body("new_session_ticket12", "empty_ticket.bin", &cbb);

    OPENSSL_free(n1);
    OPENSSL_free(n2);
    OPENSSL_free(d1);
    OPENSSL_free(d2);
    X509_free(x1);
    X509_free(x2);
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k2);
    EVP_PKEY_free(x25519);
}

/* ---- records for each cipher (keys as in fuzz_record_open.c) ---- */

static void gen_records(void)
{
    static const struct {
        unsigned mode;
        const char *name, *alg;
    } k[] = {{1, "aes256_two_records.bin", "AES-256-GCM"},
             {2, "chacha20_two_records.bin", "ChaCha20-Poly1305"}};
    for (size_t i = 0; i < 2; i++) {
        uint8_t key[32], iv[12], out[256];
        for (size_t j = 0; j < 32; j++)
            key[j] = (uint8_t)(0x40 + j);
        for (size_t j = 0; j < 12; j++)
            iv[j] = (uint8_t)(0x80 + j);
        EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, k[i].alg, NULL);
        REC_AEAD w;
        NEED(c != NULL && rec_aead_init(&w, c, key, 32, iv, 12, 1, 0));
        size_t n1 = 0, n2 = 0;
        out[0] = (uint8_t)k[i].mode;
        NEED(rec_tls13_seal(&w, 22, (const uint8_t *)"\x18\x00\x00\x01\x00", 5, 0, out + 1,
                            sizeof(out) - 1, &n1));
        NEED(rec_tls13_seal(&w, 23, (const uint8_t *)"hello", 5, 7, out + 1 + n1,
                            sizeof(out) - 1 - n1, &n2));
        put("record_open", k[i].name, out, 1 + n1 + n2);
        rec_aead_cleanup(&w);
        EVP_CIPHER_free(c);
    }
    /* plaintext mode (bit 2): inner plaintexts: content || type || padding */
    static const uint8_t plain[] = {0x04,                                    /* mode */
                                    0x17, 0x03, 0x03, 0x00, 0x08,            /* header, 8 */
                                    'a',  'b',  'c',  0x17, 0,    0,   0, 0, /* padded */
                                    0x17, 0x03, 0x03, 0x00, 0x03, 0,   0, 0, /* no type */
                                    0x17, 0x03, 0x03, 0x00, 0x01, 0x15};     /* empty alert */
    put("record_open", "plaintext_mode.bin", plain, sizeof(plain));
}

/* ---- operation scripts for client_conn and server_conn (fuzz_conn_format.h) ----
 *
 * Hand-made: a clean handshake per configuration, then each step the
 * fuzzer can take at least once -- an edit of each message of the peer's
 * flights, fragmentation, records of every content type before, during and
 * after the handshake, and each thing either side can do afterwards.  The
 * unit numbers are those of the queue after the peer's flight (FUZZ_VERBOSE
 * prints it). */

typedef struct {
    uint8_t b[1024];
    size_t n;
} script;

static void sc_u8(script *s, unsigned v)
{
    NEED(s->n < sizeof(s->b));
    s->b[s->n++] = (uint8_t)v;
}

static void sc_u16(script *s, unsigned v)
{
    sc_u8(s, v >> 8);
    sc_u8(s, v);
}

static void sc_u32(script *s, uint32_t v)
{
    sc_u16(s, v >> 16);
    sc_u16(s, v & 0xffff);
}

static void sc_bytes(script *s, const void *p, size_t n)
{
    NEED(s->n + n <= sizeof(s->b));
    memcpy(s->b + s->n, p, n);
    s->n += n;
}

static script sc_new(unsigned cfg0, unsigned cfg1)
{
    script s;
    s.n = 0;
    sc_u8(&s, cfg0);
    sc_u8(&s, cfg1);
    return s;
}

static void sc_ops(script *s, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        sc_u8(s, (unsigned)va_arg(ap, int));
    va_end(ap);
}

static void sc_edit(script *s, unsigned idx, unsigned kind)
{
    sc_ops(s, 3, FC_OP_EDIT, idx, kind);
}

static void sc_inject(script *s, unsigned pos, unsigned flags, unsigned type, const void *p,
                      size_t n)
{
    sc_ops(s, 4, FC_OP_INJECT, pos, flags, type);
    sc_u16(s, (unsigned)n);
    sc_bytes(s, p, n);
}

static void sc_frag(script *s, unsigned size, unsigned flags, unsigned pad)
{
    sc_u8(s, FC_OP_FRAG);
    sc_u16(s, size);
    sc_ops(s, 2, flags, pad);
}

static void sc_put(const char *target, const char *name, const script *s)
{
    put(target, name, s->b, s->n);
}

/* Both targets: a clean connection per configuration. */
static void gen_conn_configs(const char *t)
{
    static const struct {
        const char *name;
        unsigned cfg0, cfg1;
    } k[] = {
        {"cfg_default", 0, 0},
        {"cfg_aes128", 1, 0},
        {"cfg_aes256", 2, 0},
        {"cfg_chacha", 3, 0},
        {"cfg_p256", 1 << FC_CFG0_GROUP_SHIFT, 0},
        {"cfg_p384", 2 << FC_CFG0_GROUP_SHIFT, 0},
        {"cfg_hrr", 3 << FC_CFG0_GROUP_SHIFT, 0},
        {"cfg_resume", FC_CFG0_RESUME | 1, 0},
        {"cfg_resume_sha384", FC_CFG0_RESUME | 2, 0},
        {"cfg_resume_hrr", FC_CFG0_RESUME | 3 | 3 << FC_CFG0_GROUP_SHIFT, 0},
        {"cfg_resume_psk_ke", FC_CFG0_RESUME | 1, FC_CFG1_PSK_KE},
        {"cfg_client_cert", FC_CFG0_CLIENT_CERT, 0},
        {"cfg_pha", FC_CFG0_PHA, 0},
        {"cfg_alpn", FC_CFG0_ALPN, 0},
        {"cfg_tickets3", 0, 1},
        {"cfg_tickets0", 0, 2},
        {"cfg_ignore_eof", 0, FC_CFG1_IGNORE_EOF},
        {"cfg_no_compat", 0, FC_CFG1_NO_COMPAT},
        {"cfg_small_frag", 0, FC_CFG1_SMALL_FRAG},
        {"cfg_server_pref", 0, FC_CFG1_SERVER_PREF},
        {"cfg_small_wbio", FC_CFG0_CLIENT_CERT, FC_CFG1_SMALL_WBIO},
        {"cfg_everything",
         FC_CFG0_CLIENT_CERT | FC_CFG0_PHA | FC_CFG0_ALPN | 2 << FC_CFG0_GROUP_SHIFT,
         1 | FC_CFG1_SMALL_FRAG},
    };
    for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
        script s = sc_new(k[i].cfg0, k[i].cfg1);
        char name[64];
        snprintf(name, sizeof(name), "%s.bin", k[i].name);
        sc_put(t, name, &s);
    }
    /* fragmentation and padding of everything the peer sends */
    script s = sc_new(FC_CFG0_CLIENT_CERT, 0);
    sc_frag(&s, 1, 0, 0);
    sc_put(t, "frag_1.bin", &s);
    s = sc_new(FC_CFG0_CLIENT_CERT, 1);
    sc_frag(&s, 7, FC_FRAG_COALESCE, 3);
    sc_put(t, "frag_7_coalesce_pad.bin", &s);
    s = sc_new(0, 1);
    sc_frag(&s, 0, FC_FRAG_COALESCE, 255);
    sc_put(t, "coalesce_pad255.bin", &s);
}

/* Both targets: after the handshake (three rounds finish it). */
static void gen_conn_after(const char *t, int target_server)
{
    static const uint8_t hello[] = "hello";
    script s;
#define AFTER(cfg0, cfg1)                                                                          \
    (s = sc_new(cfg0, cfg1), sc_ops(&s, 3, FC_OP_ROUND, FC_OP_ROUND, FC_OP_ROUND))

    /* records the peer seals with content types no one may protect */
    static const unsigned types[] = {0, 20, 24, 0x42, 0xff};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        char name[64];
        AFTER(0, 0);
        sc_inject(&s, 0, 0, types[i], hello, 5);
        sc_ops(&s, 3, FC_OP_DELIVER, 0, FC_OP_T_READ);
        sc_u16(&s, 100);
        snprintf(name, sizeof(name), "after_inner_type_%u.bin", types[i]);
        sc_put(t, name, &s);
    }
    /* application data: injected, read in pieces, peeked, zero-length reads */
    AFTER(0, 0);
    sc_inject(&s, 0, 0, 23, hello, 5);
    sc_ops(&s, 3, FC_OP_DELIVER, 0, FC_OP_T_PEEK);
    sc_u16(&s, 2);
    sc_u8(&s, FC_OP_T_READ);
    sc_u16(&s, 0);
    sc_u8(&s, FC_OP_T_READ);
    sc_u16(&s, 3);
    sc_u8(&s, FC_OP_T_READ);
    sc_u16(&s, 100);
    sc_put(t, "after_appdata_read_peek.bin", &s);
    AFTER(0, FC_CFG1_SMALL_FRAG);
    sc_u8(&s, FC_OP_PEER_WRITE);
    sc_u16(&s, 20000);
    sc_u8(&s, FC_OP_T_WRITE);
    sc_u16(&s, 20000);
    sc_put(t, "after_write_both.bin", &s);
    /* empty application data records: a few, and a flood */
    AFTER(0, 0);
    for (int i = 0; i < 3; i++)
        sc_inject(&s, 0, 0, 23, NULL, 0);
    sc_put(t, "after_empty_records.bin", &s);
    AFTER(0, 0);
    for (int i = 0; i < 34; i++)
        sc_inject(&s, 0, 0, 23, NULL, 0);
    sc_put(t, "after_empty_record_flood.bin", &s);
    /* alerts: a warning user_canceled, a fatal one, a close_notify in clear */
    AFTER(0, 0);
    sc_inject(&s, 0, 0, 21, "\x01\x5a", 2);
    sc_u8(&s, FC_OP_PEER_WRITE);
    sc_u16(&s, 10);
    sc_put(t, "after_warning_alert.bin", &s);
    AFTER(0, 0);
    sc_inject(&s, 0, 0, 21, "\x02\x28", 2);
    sc_ops(&s, 3, FC_OP_DELIVER, 0, FC_OP_T_READ);
    sc_u16(&s, 10);
    sc_ops(&s, 2, FC_OP_T_SHUTDOWN, FC_OP_T_HANDSHAKE);
    sc_ops(&s, 2, FC_OP_T_KEY_UPDATE, 1);
    sc_u8(&s, FC_OP_T_WRITE);
    sc_u16(&s, 10);
    sc_put(t, "after_fatal_alert_then_calls.bin", &s);
    AFTER(0, 0);
    sc_inject(&s, 0, FC_INJ_PLAIN, 21, "\x01\x00", 2);
    sc_put(t, "after_plaintext_close_notify.bin", &s);
    /* KeyUpdates: each way, requested, a flood, a fake one the peer never made */
    AFTER(0, 0);
    sc_ops(&s, 3, FC_OP_PEER_KEY_UPDATE, 1, FC_OP_ROUND);
    sc_ops(&s, 3, FC_OP_T_KEY_UPDATE, 1, FC_OP_ROUND);
    sc_u8(&s, FC_OP_PEER_WRITE);
    sc_u16(&s, 100);
    sc_u8(&s, FC_OP_T_WRITE);
    sc_u16(&s, 100);
    sc_put(t, "after_key_updates.bin", &s);
    AFTER(0, 0);
    for (int i = 0; i < 34; i++)
        sc_ops(&s, 2, FC_OP_PEER_KEY_UPDATE, i & 1);
    sc_put(t, "after_key_update_flood.bin", &s);
    AFTER(0, 0);
    sc_inject(&s, 0, FC_INJ_HANDSHAKE, 24, "\x01", 1);
    sc_inject(&s, 1, 0, 23, hello, 5);
    sc_put(t, "after_fake_key_update.bin", &s);
    AFTER(0, 0);
    sc_inject(&s, 0, FC_INJ_HANDSHAKE, 24, "\x02", 1);
    sc_put(t, "after_bad_key_update.bin", &s);
    /* a KeyUpdate not at the end of its record */
    AFTER(0, 0);
    sc_inject(&s, 0, FC_INJ_HANDSHAKE, 24, "\x00", 1);
    sc_inject(&s, 1, FC_INJ_HANDSHAKE, 24, "\x00", 1);
    sc_frag(&s, 0, FC_FRAG_COALESCE, 0);
    sc_put(t, "after_key_update_not_last.bin", &s);
    /* a handshake message split across records, and interrupted */
    AFTER(0, 0);
    sc_frag(&s, 1, 0, 0);
    sc_ops(&s, 2, FC_OP_PEER_KEY_UPDATE, 0);
    sc_put(t, "after_key_update_fragmented.bin", &s);
    AFTER(0, 0);
    sc_inject(&s, 0, FC_INJ_HANDSHAKE, 4, hello, 5);
    sc_edit(&s, 0, FC_EDIT_TRUNCATE);
    sc_u16(&s, 6);
    sc_inject(&s, 1, 0, 23, hello, 5);
    sc_put(t, "after_interleaved_appdata.bin", &s);
    /* unknown and unexpected post-handshake messages */
    static const unsigned msgs[] = {0, 1, 2, 8, 11, 13, 15, 20, 254};
    for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
        char name[64];
        AFTER(FC_CFG0_PHA, 0);
        sc_inject(&s, 0, FC_INJ_HANDSHAKE, msgs[i], hello, 5);
        snprintf(name, sizeof(name), "after_message_%u.bin", msgs[i]);
        sc_put(t, name, &s);
    }
    /* shutdown: each side first, calls after it, a second SSL_shutdown */
    AFTER(0, 0);
    sc_ops(&s, 2, FC_OP_PEER_SHUTDOWN, FC_OP_ROUND);
    sc_u8(&s, FC_OP_T_READ);
    sc_u16(&s, 10);
    sc_u8(&s, FC_OP_T_WRITE);
    sc_u16(&s, 10);
    sc_ops(&s, 3, FC_OP_T_SHUTDOWN, FC_OP_ROUND, FC_OP_T_SHUTDOWN);
    sc_put(t, "after_peer_shutdown.bin", &s);
    AFTER(0, 0);
    sc_ops(&s, 4, FC_OP_T_SHUTDOWN, FC_OP_T_SHUTDOWN, FC_OP_PEER_RUN, FC_OP_PEER_WRITE);
    sc_u16(&s, 50);
    sc_ops(&s, 5, FC_OP_PEER_SHUTDOWN, FC_OP_DELIVER, 0, FC_OP_T_SHUTDOWN, FC_OP_T_SHUTDOWN);
    sc_u8(&s, FC_OP_T_WRITE);
    sc_u16(&s, 10);
    sc_put(t, "after_target_shutdown.bin", &s);
    /* output that fills up: writes and KeyUpdate answers wait for room */
    AFTER(0, FC_CFG1_SMALL_WBIO);
    sc_u8(&s, FC_OP_T_WRITE);
    sc_u16(&s, 30000);
    for (int i = 0; i < 3; i++)
        sc_ops(&s, 5, FC_OP_PEER_KEY_UPDATE, 1, FC_OP_DELIVER, 0, FC_OP_TARGET_RUN);
    sc_ops(&s, 2, FC_OP_T_KEY_UPDATE, 1);
    sc_u8(&s, FC_OP_T_WRITE);
    sc_u16(&s, 1000);
    sc_ops(&s, 2, FC_OP_T_SHUTDOWN, FC_OP_PEER_RUN);
    sc_put(t, "after_small_wbio.bin", &s);
    AFTER(0, FC_CFG1_IGNORE_EOF);
    sc_u8(&s, FC_OP_PEER_WRITE);
    sc_u16(&s, 10);
    sc_put(t, "after_eof_ignored.bin", &s);
    /* bytes that are no record at all */
    AFTER(0, 0);
    sc_u8(&s, FC_OP_RAW);
    sc_u16(&s, 8);
    sc_bytes(&s, "\x17\x03\x03\x00\x03\x01\x02\x03", 8);
    sc_u8(&s, FC_OP_T_READ);
    sc_u16(&s, 10);
    sc_put(t, "after_raw_record.bin", &s);
    AFTER(0, 0);
    sc_inject(&s, 0, FC_INJ_PLAIN, 23, hello, 5);
    sc_put(t, "after_plaintext_appdata.bin", &s);
    AFTER(0, 0);
    sc_inject(&s, 0, FC_INJ_PLAIN, 22, "\x04\x00\x00\x00", 4);
    sc_put(t, "after_plaintext_handshake.bin", &s);

    if (!target_server) {
        /* tickets: the server's own, made up ones of every shape */
        AFTER(0, 0);
        sc_ops(&s, 3, FC_OP_PEER_TICKET, FC_OP_PEER_TICKET, FC_OP_ROUND);
        sc_put(t, "after_tickets.bin", &s);
        static const struct {
            const char *name;
            uint32_t lifetime;
            unsigned nonce, ticket, early;
        } tk[] = {{"ticket_zero_lifetime", 0, 8, 100, 0},
                  {"ticket_long_lifetime", 604801, 8, 100, 0},
                  {"ticket_empty", 7200, 0, 0, 0},
                  {"ticket_early_data", 7200, 255, 1000, 1}};
        for (size_t i = 0; i < sizeof(tk) / sizeof(tk[0]); i++) {
            char name[64];
            AFTER(0, 0);
            sc_u8(&s, FC_OP_INJECT_TICKET);
            sc_u32(&s, tk[i].lifetime);
            sc_u32(&s, 0x12345678);
            sc_u8(&s, tk[i].nonce);
            sc_u16(&s, tk[i].ticket);
            sc_u8(&s, tk[i].early);
            sc_u32(&s, 16384);
            snprintf(name, sizeof(name), "after_%s.bin", tk[i].name);
            sc_put(t, name, &s);
        }
        /* post-handshake authentication asked of our client */
        AFTER(FC_CFG0_PHA, 0);
        sc_ops(&s, 3, FC_OP_PEER_CERT_REQUEST, FC_OP_ROUND, FC_OP_ROUND);
        sc_put(t, "after_pha.bin", &s);
        AFTER(FC_CFG0_PHA, 0);
        sc_ops(&s, 5, FC_OP_PEER_CERT_REQUEST, FC_OP_EDIT, 0, FC_EDIT_XOR, 0);
        sc_u16(&s, 5);
        sc_u8(&s, 0x40);
        sc_put(t, "after_pha_request_edited.bin", &s);
        AFTER(0, 0);
        sc_inject(&s, 0, FC_INJ_HANDSHAKE, 13, "\x00\x00\x04\x00\x0d\x00\x00", 7);
        sc_put(t, "after_unrequested_pha.bin", &s);
        /* regression: our client's KeyUpdate crosses the server's
         * CertificateRequest (the server took it for the answer) */
        AFTER(FC_CFG0_PHA, 0);
        sc_ops(&s, 5, FC_OP_PEER_CERT_REQUEST, FC_OP_T_KEY_UPDATE, 0, FC_OP_ROUND, FC_OP_ROUND);
        sc_put(t, "regress_pha_crossing_key_update.bin", &s);
        /* a client asked for tickets: refuses */
        AFTER(0, 0);
        sc_u8(&s, FC_OP_T_TICKET);
        sc_put(t, "after_client_ticket_call.bin", &s);
    } else {
        /* tickets on demand, post-handshake authentication asked by our server */
        AFTER(0, 0);
        sc_ops(&s, 4, FC_OP_T_TICKET, FC_OP_T_TICKET, FC_OP_ROUND, FC_OP_T_PHA);
        sc_put(t, "after_tickets_pha_refused.bin", &s);
        AFTER(FC_CFG0_PHA, 0);
        sc_ops(&s, 4, FC_OP_T_PHA, FC_OP_ROUND, FC_OP_ROUND, FC_OP_ROUND);
        sc_put(t, "after_pha.bin", &s);
        AFTER(FC_CFG0_PHA, 0);
        sc_ops(&s, 2, FC_OP_T_PHA, FC_OP_PEER_RUN);
        for (unsigned i = 0; i < 3; i++) {
            sc_edit(&s, i, FC_EDIT_XOR);
            sc_u16(&s, 20);
            sc_u8(&s, 0x01);
        }
        sc_put(t, "after_pha_answer_edited.bin", &s);
        AFTER(FC_CFG0_PHA, 0);
        sc_ops(&s, 5, FC_OP_T_PHA, FC_OP_PEER_RUN, FC_OP_EDIT, 1, FC_EDIT_DROP);
        sc_put(t, "after_pha_no_verify.bin", &s);
        /* regression: the client's KeyUpdate crosses our CertificateRequest
         * (we took it for the answer) */
        AFTER(FC_CFG0_PHA, 0);
        sc_ops(&s, 4, FC_OP_PEER_KEY_UPDATE, 0, FC_OP_T_PHA, FC_OP_ROUND);
        sc_put(t, "regress_pha_crossing_key_update.bin", &s);
        /* regression: the answer and a KeyUpdate in one record (we wanted a
         * record boundary after the post-handshake Finished) */
        AFTER(FC_CFG0_PHA, 0);
        sc_ops(&s, 4, FC_OP_T_PHA, FC_OP_PEER_RUN, FC_OP_PEER_KEY_UPDATE, 0);
        sc_frag(&s, 0, FC_FRAG_COALESCE, 0);
        sc_u8(&s, FC_OP_PEER_WRITE);
        sc_u16(&s, 10);
        sc_put(t, "regress_pha_finished_and_key_update.bin", &s);
        /* a NewSessionTicket sent to a server */
        AFTER(0, 0);
        sc_u8(&s, FC_OP_INJECT_TICKET);
        sc_u32(&s, 7200);
        sc_u32(&s, 1);
        sc_u8(&s, 8);
        sc_u16(&s, 32);
        sc_u8(&s, 0);
        sc_u32(&s, 0);
        sc_put(t, "after_ticket_to_server.bin", &s);
    }
#undef AFTER
}

/* client_conn: the server's flight edited (SH, CCS, EE, [CR,] Cert, CV, Fin). */
static void gen_client_conn(void)
{
    const char *t = "client_conn";
    gen_conn_configs(t);
    gen_conn_after(t, 0);
    static const char *const names[] = {"sh", "ccs", "ee", "cr", "cert", "cv", "fin"};
    /* every edit kind on every message of the flight (with a certificate request) */
    for (unsigned m = 0; m < 7; m++)
        for (unsigned k = 0; k < FC_EDIT_COUNT; k++) {
            script s = sc_new(FC_CFG0_CLIENT_CERT, 0);
            char name[64];
            sc_ops(&s, 2, FC_OP_TARGET_RUN, FC_OP_PEER_RUN);
            sc_edit(&s, m, k);
            switch (k) {
            case FC_EDIT_REPLACE:
                sc_u16(&s, 4);
                sc_bytes(&s, "\x00\x02\x00\x00", 4);
                break;
            case FC_EDIT_XOR:
                sc_u16(&s, 9);
                sc_u8(&s, 0x80);
                break;
            case FC_EDIT_TRUNCATE:
                sc_u16(&s, 5);
                break;
            case FC_EDIT_INSERT:
                sc_u16(&s, 4);
                sc_u8(&s, 2);
                sc_bytes(&s, "\x00\x00", 2);
                break;
            case FC_EDIT_SET_TYPE:
                sc_u8(&s, m == 0 ? 4 : 2);
                break;
            case FC_EDIT_SET_LEN:
                sc_u8(&s, 0);
                sc_u16(&s, 1);
                break;
            }
            snprintf(name, sizeof(name), "hs_%s_edit%u.bin", names[m], k);
            sc_put(t, name, &s);
        }
    /* HelloRetryRequest edited (HRR, CCS), or sent twice */
    for (unsigned k = 0; k < 3; k++) {
        script s = sc_new(3 << FC_CFG0_GROUP_SHIFT, 0);
        char name[64];
        sc_ops(&s, 2, FC_OP_TARGET_RUN, FC_OP_PEER_RUN);
        if (k == 2) {
            sc_edit(&s, 0, FC_EDIT_DUP);
        } else {
            sc_edit(&s, 0, FC_EDIT_XOR);
            sc_u16(&s, k == 0 ? 40 : 90);
            sc_u8(&s, 0x01);
        }
        snprintf(name, sizeof(name), "hs_hrr_edit%u.bin", k);
        sc_put(t, name, &s);
    }
    /* the resumption ServerHello edited (pre_shared_key), then EE */
    for (unsigned off = 80; off <= 120; off += 20) {
        script s = sc_new(FC_CFG0_RESUME | 1, 0);
        char name[64];
        sc_ops(&s, 2, FC_OP_TARGET_RUN, FC_OP_PEER_RUN);
        sc_edit(&s, 0, FC_EDIT_XOR);
        sc_u16(&s, off);
        sc_u8(&s, 0x01);
        snprintf(name, sizeof(name), "hs_resume_sh_xor%u.bin", off);
        sc_put(t, name, &s);
    }
    /* records slipped into the flight: alerts, CCS, application data, junk */
    static const struct {
        const char *name;
        unsigned pos, flags, type;
        const char *data;
        size_t len;
    } inj[] = {{"warning_alert_plain", 1, FC_INJ_PLAIN, 21, "\x01\x5a", 2},
               {"fatal_alert_plain", 0, FC_INJ_PLAIN, 21, "\x02\x28", 2},
               {"second_ccs", 3, FC_INJ_PLAIN, 20, "\x01", 1},
               {"protected_ccs", 3, 0, 20, "\x01", 1},
               {"appdata_hs_key", 4, 0, 23, "early", 5},
               {"empty_appdata", 4, 0, 23, "", 0},
               {"unknown_type_hs_key", 4, 0, 0x42, "x", 1},
               {"key_update_in_handshake", 4, FC_INJ_HANDSHAKE, 24, "\x00", 1},
               {"ticket_in_handshake", 4, FC_INJ_HANDSHAKE, 4, "\x00\x00\x00\x00", 4},
               {"plain_unknown_type", 0, FC_INJ_PLAIN, 0x30, "GET /", 5}};
    for (size_t i = 0; i < sizeof(inj) / sizeof(inj[0]); i++) {
        script s = sc_new(0, 0);
        char name[64];
        sc_ops(&s, 2, FC_OP_TARGET_RUN, FC_OP_PEER_RUN);
        sc_inject(&s, inj[i].pos, inj[i].flags, inj[i].type, inj[i].data, inj[i].len);
        snprintf(name, sizeof(name), "hs_inject_%s.bin", inj[i].name);
        sc_put(t, name, &s);
    }
    /* the flight delivered in two parts, the Finished with the next key's data */
    script s = sc_new(0, 0);
    sc_ops(&s, 5, FC_OP_TARGET_RUN, FC_OP_PEER_RUN, FC_OP_DELIVER, 3, FC_OP_TARGET_RUN);
    sc_put(t, "hs_partial_delivery.bin", &s);
    s = sc_new(0, 0);
    sc_ops(&s, 2, FC_OP_TARGET_RUN, FC_OP_PEER_RUN);
    sc_inject(&s, 6, FC_INJ_HANDSHAKE, 4, "\x00", 1);
    sc_frag(&s, 0, FC_FRAG_COALESCE, 0);
    sc_put(t, "hs_message_after_finished.bin", &s);
}

/* server_conn: the client's flights edited (CH; [CCS,] [Cert, CV,] Fin). */
static void gen_server_conn(void)
{
    const char *t = "server_conn";
    gen_conn_configs(t);
    gen_conn_after(t, 1);
    /* the ClientHello: each edit kind, and bytes flipped across it */
    for (unsigned k = 0; k < FC_EDIT_COUNT; k++) {
        script s = sc_new(0, 0);
        char name[64];
        sc_u8(&s, FC_OP_PEER_RUN);
        sc_edit(&s, 0, k);
        switch (k) {
        case FC_EDIT_REPLACE:
            sc_u16(&s, 6);
            sc_bytes(&s, "\x03\x03\x00\x00\x00\x00", 6);
            break;
        case FC_EDIT_XOR:
            sc_u16(&s, 4);
            sc_u8(&s, 0x01);
            break;
        case FC_EDIT_TRUNCATE:
            sc_u16(&s, 60);
            break;
        case FC_EDIT_INSERT:
            sc_u16(&s, 76);
            sc_u8(&s, 2);
            sc_bytes(&s, "\x00\x00", 2);
            break;
        case FC_EDIT_SET_TYPE:
            sc_u8(&s, 2);
            break;
        case FC_EDIT_SET_LEN:
            sc_u8(&s, 0);
            sc_u16(&s, 0x40);
            break;
        }
        snprintf(name, sizeof(name), "hs_ch_edit%u.bin", k);
        sc_put(t, name, &s);
    }
    for (unsigned off = 40; off < 300; off += 20) {
        script s = sc_new(FC_CFG0_ALPN | FC_CFG0_PHA, 0);
        char name[64];
        sc_u8(&s, FC_OP_PEER_RUN);
        sc_edit(&s, 0, FC_EDIT_XOR);
        sc_u16(&s, off);
        sc_u8(&s, 0x02);
        snprintf(name, sizeof(name), "hs_ch_xor%u.bin", off);
        sc_put(t, name, &s);
    }
    /* the resumption ClientHello (pre_shared_key, binders at the end) */
    for (unsigned back = 1; back <= 60; back += 20) {
        script s = sc_new(FC_CFG0_RESUME | 1, 0);
        char name[64];
        sc_u8(&s, FC_OP_PEER_RUN);
        sc_edit(&s, 0, FC_EDIT_XOR);
        sc_u16(&s, 600 - back); /* offsets wrap: the unit is shorter */
        sc_u8(&s, 0x01);
        snprintf(name, sizeof(name), "hs_resume_ch_xor%u.bin", back);
        sc_put(t, name, &s);
    }
    /* the second ClientHello after HRR (queue: CCS, CH2) */
    for (unsigned k = 0; k < 3; k++) {
        script s = sc_new(3 << FC_CFG0_GROUP_SHIFT, 0);
        char name[64];
        sc_ops(&s, 2, FC_OP_ROUND, FC_OP_PEER_RUN);
        if (k == 0) {
            sc_edit(&s, 1, FC_EDIT_XOR);
            sc_u16(&s, 50);
            sc_u8(&s, 0x01);
        } else if (k == 1) {
            sc_edit(&s, 0, FC_EDIT_DROP);
        } else {
            sc_edit(&s, 1, FC_EDIT_DUP);
        }
        snprintf(name, sizeof(name), "hs_ch2_edit%u.bin", k);
        sc_put(t, name, &s);
    }
    /* the client's second flight (CCS, Cert, CV, Fin) */
    for (unsigned m = 0; m < 4; m++)
        for (unsigned k = 0; k < 3; k++) {
            script s = sc_new(FC_CFG0_CLIENT_CERT, 0);
            char name[64];
            sc_ops(&s, 2, FC_OP_ROUND, FC_OP_PEER_RUN);
            sc_edit(&s, m, k == 0 ? FC_EDIT_XOR : k == 1 ? FC_EDIT_DROP : FC_EDIT_SWAP);
            if (k == 0) {
                sc_u16(&s, 12);
                sc_u8(&s, 0x04);
            }
            snprintf(name, sizeof(name), "hs_flight2_%u_edit%u.bin", m, k);
            sc_put(t, name, &s);
        }
    /* records before the ClientHello and in the second flight */
    script s = sc_new(0, 0);
    sc_u8(&s, FC_OP_PEER_RUN);
    sc_inject(&s, 0, FC_INJ_PLAIN, 20, "\x01", 1);
    sc_put(t, "hs_ccs_before_hello.bin", &s);
    s = sc_new(0, 0);
    sc_u8(&s, FC_OP_PEER_RUN);
    sc_inject(&s, 1, FC_INJ_PLAIN, 23, "early", 5);
    sc_put(t, "hs_plain_appdata_after_hello.bin", &s);
    s = sc_new(0, 0);
    sc_ops(&s, 2, FC_OP_ROUND, FC_OP_PEER_RUN);
    sc_inject(&s, 1, 0, 23, "early", 5);
    sc_put(t, "hs_appdata_before_finished.bin", &s);
    s = sc_new(0, 0);
    sc_ops(&s, 2, FC_OP_ROUND, FC_OP_PEER_RUN);
    sc_inject(&s, 1, 0, 0x42, "x", 1);
    sc_put(t, "hs_unknown_type_before_finished.bin", &s);
    s = sc_new(0, 0);
    sc_u8(&s, FC_OP_PEER_RUN);
    sc_frag(&s, 1, 0, 0);
    sc_u8(&s, FC_OP_RAW);
    sc_u16(&s, 5);
    sc_bytes(&s, "GET /", 5);
    sc_put(t, "hs_http_after_fragments.bin", &s);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR (normally tests/fuzz/corpus)\n", argv[0]);
        return 2;
    }
    g_out = argv[1];
    if (mkdir(g_out, 0755) != 0 && errno != EEXIST)
        die(g_out);
    gen_messages();
    gen_messages12();
    gen_records();
    gen_handshakes();
    gen_client_conn();
    gen_server_conn();
    return 0;
}

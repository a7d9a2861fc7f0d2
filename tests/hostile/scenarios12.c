/* scenarios12.c - what the hostile peer does in TLS 1.2, rule by rule (RFC 5246 and its
 * extensions).  The rows, with what the victim must answer, are in scenarios.c's table; the
 * conventions are the same (a script breaks one rule and returns, then sends nothing more
 * once the victim has written something). */
#include "scenarios12.h"

#include <string.h>

#include <openssl/rand.h>

#include "scenarios.h"

#define LEVEL_WARNING 1

/* RFC 5746 3.5 / RFC 5246 7.2.2: a refused renegotiation, answered with this warning. */
#define REFUSED(p) ((p)->alert_level == LEVEL_WARNING && (p)->alert_desc == HP_AD_NO_RENEGOTIATION)

static int send_ccs(HP *p, uint8_t value)
{
    return hp_send_plain(p, HP_CT_CCS, &value, 1);
}

/* ---- baselines: the peer's TLS 1.2 is sound ---- */

int s12_baseline(HP *p)
{
    return hp12_client_handshake(p, NULL) && hp_ping_echo(p);
}

int c12_baseline(HP *p)
{
    static const char hello[] = "hello from the hostile peer, TLS 1.2\n";
    return hp12_server_handshake(p, NULL) &&
           hp_send_record(p, HP_CT_APPDATA, hello, sizeof(hello) - 1) &&
           hp_send_alert(p, LEVEL_WARNING, HP_AD_CLOSE_NOTIFY);
}

/* ---- the victim is a server: the client's flight (RFC 5246 7.1, 7.3, 7.4.7, 7.4.9) ---- */

/* client_to_done: our hello (|o|) and the server's flight through ServerHelloDone. */
static int client_to_done(HP *p, const HP12_CH_OPTS *o)
{
    return hp12_client_send_hello(p, o) && hp12_client_recv_server_flight(p);
}

/* client_to_ccs: ... then our ClientKeyExchange (the keys are derived, not on). */
static int client_to_ccs(HP *p)
{
    return client_to_done(p, NULL) && hp12_client_send_cke(p);
}

int s12_ccs_before_cke(HP *p)
{
    return client_to_done(p, NULL) && send_ccs(p, 1);
}

int s12_ccs_twice(HP *p)
{
    /* both in the clear, one record each: the second arrives where the victim reads under
     * the new keys */
    static const uint8_t two[] = {HP_CT_CCS, 3, 3, 0, 1, 1, HP_CT_CCS, 3, 3, 0, 1, 1};
    return client_to_ccs(p) && hp_send_raw(p, two, sizeof(two));
}

int s12_ccs_twice_protected(HP *p)
{
    /* the second under the keys the first turned on, as a peer repeating itself would */
    static const uint8_t one = 1;
    return client_to_ccs(p) && hp12_send_ccs(p) && hp_send_record(p, HP_CT_CCS, &one, 1);
}

int s12_ccs_value_2(HP *p)
{
    return client_to_ccs(p) && send_ccs(p, 2);
}

int s12_finished_without_ccs(HP *p)
{
    /* our write key stays off: the Finished goes in the clear */
    return client_to_ccs(p) && hp12_send_finished(p);
}

int s12_bad_client_finished(HP *p)
{
    if (!client_to_ccs(p) || !hp12_send_ccs(p))
        return 0;
    HP_BUF fin = hp12_finished_msg(p, 0);
    fin.p[6] ^= 0x01;
    int ok = hp_send_hs(p, &fin);
    hp_buf_free(&fin);
    return ok;
}

static int cke_body(HP *p, const void *body, size_t len)
{
    HP_BUF m = hp_hs_msg(HP_HS_CLIENT_KEY_EXCHANGE, body, len);
    int ok = client_to_done(p, NULL) && hp_send_hs(p, &m);
    hp_buf_free(&m);
    return ok;
}

int s12_cke_empty_point(HP *p)
{
    /* RFC 8422 5.7: ECPoint point<1..2^8-1>; an empty one does not decode */
    static const uint8_t empty[] = {0};
    return cke_body(p, empty, sizeof(empty));
}

int s12_cke_invalid_point(HP *p)
{
    /* the X25519 point 0 (RFC 7748 6.1: the shared secret would be all zeros) */
    uint8_t zero[1 + 32] = {32};
    return cke_body(p, zero, sizeof(zero));
}

int s12_cke_trailing_bytes(HP *p)
{
    HP_BUF m = hp12_client_key_exchange_msg(p);
    uint8_t body[1 + 32 + 1];
    memcpy(body, m.p + 4, 33);
    body[33] = 0;
    hp_buf_free(&m);
    return cke_body(p, body, sizeof(body));
}

int s12_appdata_before_finished(HP *p)
{
    /* under our new write key, where the Finished is due */
    return client_to_ccs(p) && hp12_send_ccs(p) && hp_send_record(p, HP_CT_APPDATA, "x", 1);
}

int s12_cke_straddles_ccs(HP *p)
{
    /* the first 10 bytes of ClientKeyExchange, then the change_cipher_spec (the rest of the
     * message would follow under the new keys; the victim must stop before it) */
    HP_BUF m = hp12_client_key_exchange_msg(p);
    int ok =
        client_to_done(p, NULL) && hp_send_plain(p, HP_CT_HANDSHAKE, m.p, 10) && send_ccs(p, 1);
    hp_buf_free(&m);
    return ok;
}

/* ---- after the handshake: renegotiation refused (RFC 5746, RFC 5246 7.4.1.2) ---- */

/* reneg_hello: a renegotiating ClientHello, with our Finished in renegotiation_info. */
static HP_BUF reneg_hello(HP *p)
{
    uint8_t random[32];
    HP12_CH_OPTS o = {.reneg_info = p->client_vd, .reneg_info_len = sizeof(p->client_vd)};
    memcpy(random, p->client_random, 32);
    HP_BUF m = hp12_client_hello(p, &o);
    memcpy(p->client_random, random, 32);
    return m;
}

int s12_renegotiation_refused(HP *p)
{
    if (!hp12_client_handshake(p, NULL))
        return 0;
    HP_BUF m = reneg_hello(p);
    int ok = hp_send_record(p, HP_CT_HANDSHAKE, m.p, m.n);
    hp_buf_free(&m);
    if (!ok)
        return 0;
    int r = hp_pump(p, 0);
    if (!REFUSED(p))
        return hp_fail(p, "the victim did not refuse the renegotiation with a warning (%s, %s)",
                       hp_alert_name(p->alert_desc), r == HP_IO_TIMEOUT ? "it waits" : "ended");
    p->alert_level = -1; /* the connection goes on: data still flows */
    return hp_ping_echo(p);
}

/* One more than the victim answers without application data between them. */
#define RENEG_FLOOD 129

int s12_renegotiation_flood(HP *p)
{
    if (!hp12_client_handshake(p, NULL))
        return 0;
    HP_BUF m = reneg_hello(p), flood = {0};
    for (int i = 0; i < RENEG_FLOOD; i++)
        hp12_seal(p, HP_CT_HANDSHAKE, m.p, m.n, &flood);
    int ok = hp_send_raw(p, flood.p, flood.n);
    hp_buf_free(&m);
    hp_buf_free(&flood);
    if (!ok)
        return 0;
    /* each refused with a warning, until the victim has had enough */
    int refused = 0;
    for (;;) {
        hp_pump(p, 0);
        if (!REFUSED(p))
            break;
        refused++;
        p->alert_level = -1;
    }
    if (refused < 1 || refused >= RENEG_FLOOD)
        return hp_fail(p, "the victim refused %d of %d renegotiations before its alert", refused,
                       RENEG_FLOOD);
    return 1;
}

/* ---- warning alerts go on in TLS 1.2, a few (RFC 5246 7.2) ---- */

static int warnings12(HP *p, int n)
{
    /* unrecognized_name: a warning TLS 1.2 knows (RFC 6066 3), fatal in TLS 1.3 */
    if (!hp12_client_handshake(p, NULL))
        return 0;
    for (int i = 0; i < n; i++)
        if (!hp_send_alert(p, LEVEL_WARNING, HP_AD_UNRECOGNIZED_NAME))
            return 0;
    return 1;
}

int s12_four_warnings_ok(HP *p)
{
    return warnings12(p, 4) && hp_ping_echo(p);
}

int s12_five_warnings(HP *p)
{
    return warnings12(p, 5);
}

/* ---- the ClientHello (RFC 5746 3.6, RFC 5246 E.1, RFC 7507) ---- */

int s12_reneg_info_not_empty(HP *p)
{
    uint8_t vd[12];
    RAND_bytes(vd, sizeof(vd));
    HP12_CH_OPTS o = {.reneg_info = vd, .reneg_info_len = sizeof(vd)};
    return hp12_client_send_hello(p, &o);
}

/* suites a TLS 1.0 or 1.1 client would offer: ECDHE-ECDSA-AES128-SHA, -AES256-SHA */
static const uint16_t k_old_suites[] = {0xc009, 0xc00a};

int s12_client_hello_tls11(HP *p)
{
    HP12_CH_OPTS o = {.legacy_version = 0x0302, .suites = k_old_suites, .num_suites = 2};
    return hp12_client_send_hello(p, &o);
}

int s12_client_hello_tls10(HP *p)
{
    HP12_CH_OPTS o = {.legacy_version = 0x0301, .suites = k_old_suites, .num_suites = 2};
    return hp12_client_send_hello(p, &o);
}

int s12_cbc_only(HP *p)
{
    /* ECDHE-ECDSA-AES128-SHA, -AES256-SHA, -AES128-SHA256, -AES256-SHA384 */
    static const uint16_t cbc[] = {0xc009, 0xc00a, 0xc023, 0xc024};
    HP12_CH_OPTS o = {.suites = cbc, .num_suites = 4};
    return hp12_client_send_hello(p, &o);
}

int s12_static_rsa_only(HP *p)
{
    /* AES128-GCM-SHA256, AES256-GCM-SHA384, AES128-SHA, AES256-SHA */
    static const uint16_t rsa[] = {0x009c, 0x009d, 0x002f, 0x0035};
    HP12_CH_OPTS o = {.suites = rsa, .num_suites = 4};
    return hp12_client_send_hello(p, &o);
}

int s12_fallback_scsv(HP *p)
{
    HP12_CH_OPTS o = {.fallback_scsv = 1};
    return hp12_client_send_hello(p, &o);
}

/* ---- the victim is a client: the server's flights (RFC 5246 7.3, 7.4; RFC 5746 3.4) ---- */

static int server_hello_with(HP *p, const HP12_SH_OPTS *o)
{
    return hp12_server_recv_hello(p) && hp12_server_send_hello(p, o);
}

/* server_to_ske: hello, Certificate, ServerKeyExchange (|o|); no ServerHelloDone. */
static int server_to_ske(HP *p, const HP12_SH_OPTS *o)
{
    return server_hello_with(p, o) && hp12_server_send_cert(p) && hp12_server_send_ske(p, o);
}

/* server_to_finished: through the victim's Finished (our CCS not sent). */
static int server_to_finished(HP *p)
{
    return hp12_server_recv_hello(p) && hp12_server_send_flight(p, NULL) &&
           hp12_server_recv_cke(p) && hp12_recv_finished(p);
}

int c12_sh_no_reneg_info(HP *p)
{
    HP12_SH_OPTS o = {.no_reneg_info = 1};
    return server_hello_with(p, &o);
}

int c12_sh_suite_not_offered(HP *p)
{
    HP12_SH_OPTS o = {.suite = 0xc006}; /* ECDHE-ECDSA-NULL-SHA */
    return server_hello_with(p, &o);
}

int c12_ske_bad_signature(HP *p)
{
    HP12_SH_OPTS o = {.bad_signature = 1};
    return server_to_ske(p, &o);
}

int c12_ske_group_not_offered(HP *p)
{
    HP12_SH_OPTS o = {.ske_group = 0x0016}; /* secp256k1 */
    return server_to_ske(p, &o);
}

int c12_downgrade_sentinel(HP *p)
{
    HP12_SH_OPTS o = {.downgrade_sentinel = 1};
    return server_hello_with(p, &o);
}

int c12_ccs_before_server_hello_done(HP *p)
{
    return server_to_ske(p, NULL) && send_ccs(p, 1);
}

int c12_bad_server_finished(HP *p)
{
    if (!server_to_finished(p) || !hp12_send_ccs(p))
        return 0;
    HP_BUF fin = hp12_finished_msg(p, 1);
    fin.p[6] ^= 0x01;
    int ok = hp_send_hs(p, &fin);
    hp_buf_free(&fin);
    return ok;
}

int c12_hello_request_refused(HP *p)
{
    static const uint8_t hello_request[] = {HP_HS_HELLO_REQUEST, 0, 0, 0};
    static const char data[] = "still there after the HelloRequest\n";
    if (!hp12_server_handshake(p, NULL) ||
        !hp_send_record(p, HP_CT_HANDSHAKE, hello_request, sizeof(hello_request)))
        return 0;
    int r = hp_pump(p, 0);
    if (!REFUSED(p))
        return hp_fail(p, "the victim did not refuse the HelloRequest with a warning (%s, %s)",
                       hp_alert_name(p->alert_desc), r == HP_IO_TIMEOUT ? "it waits" : "ended");
    p->alert_level = -1; /* the connection goes on: data, then a clean close */
    return hp_send_record(p, HP_CT_APPDATA, data, sizeof(data) - 1) &&
           hp_send_alert(p, LEVEL_WARNING, HP_AD_CLOSE_NOTIFY);
}

int c12_ticket_not_negotiated(HP *p)
{
    /* RFC 5077 3.2: a NewSessionTicket only after a ServerHello with session_ticket */
    static const uint8_t nst[] = {
        HP_HS_NEW_SESSION_TICKET, 0, 0, 6 + 4, 0, 0, 0x1c, 0x20, 0, 4, 't', 'i', 'c', 'k'};
    HP_BUF m = {0};
    hp_buf_add(&m, nst, sizeof(nst));
    int ok = server_to_finished(p) && hp_send_hs(p, &m);
    hp_buf_free(&m);
    return ok;
}

/* ---- the key exchange: DHE, P-256, malformed values (RFC 5246 7.4.7, RFC 8422 5.7) ---- */

static const uint16_t k_dhe_suite[] = {HP_SUITE12_DHE_RSA_AES128_GCM};
static const uint16_t k_p256_only[] = {HP_GROUP_SECP256R1};

int s12_baseline_dhe(HP *p)
{
    HP12_CH_OPTS o = {.suites = k_dhe_suite, .num_suites = 1};
    return hp12_client_handshake(p, &o) && hp_ping_echo(p);
}

int s12_baseline_p256(HP *p)
{
    HP12_CH_OPTS o = {.groups = k_p256_only, .num_groups = 1};
    return hp12_client_handshake(p, &o) && hp_ping_echo(p);
}

/* dhe_yc: a DHE handshake to the ServerHelloDone, then dh_Yc = p - |sub| (|sub| > 0), or
 * |value| (0 or 1) when |sub| is 0, as many bytes as p (RFC 7919 5.1: 1 < Yc < p - 1). */
static int dhe_yc(HP *p, unsigned value, unsigned sub)
{
    HP12_CH_OPTS o = {.suites = k_dhe_suite, .num_suites = 1};
    if (!client_to_done(p, &o))
        return 0;
    if (p->kex12_group != HP_KEX12_DHE)
        return hp_fail(p, "the victim did not choose DHE");
    size_t n = p->dh_p.n;
    HP_BUF body = {0};
    hp_buf_u16(&body, (unsigned)n);
    if (sub > 0) {
        /* p is odd: its last byte is at least 1, so p - 1 only changes that byte */
        hp_buf_add(&body, p->dh_p.p, n);
        body.p[body.n - 1] = (uint8_t)(body.p[body.n - 1] - sub);
    } else {
        for (size_t i = 0; i + 1 < n; i++)
            hp_buf_u8(&body, 0);
        hp_buf_u8(&body, value);
    }
    HP_BUF m = hp_hs_msg(HP_HS_CLIENT_KEY_EXCHANGE, body.p, body.n);
    int ok = hp_send_hs(p, &m);
    hp_buf_free(&m);
    hp_buf_free(&body);
    return ok;
}

int s12_dhe_yc_zero(HP *p)
{
    return dhe_yc(p, 0, 0);
}

int s12_dhe_yc_one(HP *p)
{
    return dhe_yc(p, 1, 0);
}

int s12_dhe_yc_p_minus_1(HP *p)
{
    return dhe_yc(p, 0, 1);
}

int s12_cke_off_curve(HP *p)
{
    /* (1, 1) is not on P-256: 1 - 3 + b is not 1 */
    HP12_CH_OPTS o = {.groups = k_p256_only, .num_groups = 1};
    uint8_t body[1 + 65] = {65, 4};
    body[1 + 32] = 1;
    body[1 + 64] = 1;
    if (!client_to_done(p, &o))
        return 0;
    if (p->kex12_group != HP_GROUP_SECP256R1)
        return hp_fail(p, "the victim did not choose P-256");
    HP_BUF m = hp_hs_msg(HP_HS_CLIENT_KEY_EXCHANGE, body, sizeof(body));
    int ok = hp_send_hs(p, &m);
    hp_buf_free(&m);
    return ok;
}

int s12_cke_short_point(HP *p)
{
    /* an X25519 point of 31 bytes (RFC 8422 5.11: 32) */
    HP_BUF m = hp12_client_key_exchange_msg(p);
    uint8_t body[1 + 31];
    body[0] = 31;
    memcpy(body + 1, m.p + 5, 31);
    hp_buf_free(&m);
    return cke_body(p, body, sizeof(body));
}

/* ---- records after the handshake ---- */

int s12_empty_appdata_flood(HP *p)
{
    /* 1000 zero-length application data records: a victim must not loop on them forever */
    if (!hp12_client_handshake(p, NULL))
        return 0;
    HP_BUF b = {0};
    for (int i = 0; i < 1000; i++)
        hp12_seal(p, HP_CT_APPDATA, NULL, 0, &b);
    int ok = hp_send_raw(p, b.p, b.n);
    hp_buf_free(&b);
    return ok;
}

/* ---- resumption and the extended master secret (RFC 5246 7.3, RFC 7627 5.3) ---- */

/* full_then_reconnect: a full handshake (with EMS), a clean close, a second connection. */
static int full_then_reconnect(HP *p)
{
    return hp12_client_handshake(p, NULL) && hp12_close(p) && hp_reconnect(p);
}

int s12_resumption(HP *p)
{
    HP12_CH_OPTS o = {.resume = 1};
    if (!full_then_reconnect(p) || !hp12_client_handshake(p, &o))
        return 0;
    if (!p->resumed12)
        return hp_fail(p, "the victim did not resume the session");
    return hp_ping_echo(p);
}

int s12_resumption_without_ems(HP *p)
{
    HP12_CH_OPTS o = {.resume = 1, .no_ems = 1};
    return full_then_reconnect(p) && hp12_client_send_hello(p, &o);
}

/* ---- the victim is a client: more of the ServerHello (RFC 5246 7.4.1.3; RFC 5077) ---- */

int c12_sh_tls13_suite(HP *p)
{
    HP12_SH_OPTS o = {.suite = 0x1301}; /* TLS_AES_128_GCM_SHA256 */
    return server_hello_with(p, &o);
}

int c12_sh_version_tls11(HP *p)
{
    HP12_SH_OPTS o = {.version = 0x0302};
    return server_hello_with(p, &o);
}

int c12_sh_ticket_ext_not_empty(HP *p)
{
    HP12_SH_OPTS o = {.ticket_ext_body = 1};
    return server_hello_with(p, &o);
}

int c12_ticket_ext_without_ticket(HP *p)
{
    /* RFC 5077 3.3: the session_ticket extension promised a NewSessionTicket before our
     * change_cipher_spec */
    HP12_SH_OPTS o = {.ticket_ext = 1};
    if (!hp12_server_recv_hello(p))
        return 0;
    if (!p->victim_ticket_ext)
        return hp_fail(p, "the victim did not offer session_ticket");
    return hp12_server_send_flight(p, &o) && hp12_server_recv_cke(p) && hp12_recv_finished(p) &&
           hp12_send_ccs(p);
}

/* resume_with: a first full handshake, then the ServerHello of |o| resuming the session the
 * victim offers in its second connection. */
static int resume_with(HP *p, const HP12_SH_OPTS *o)
{
    if (!hp12_server_handshake(p, NULL) || !hp12_close(p) || !hp_reconnect(p) ||
        !hp12_server_recv_hello(p))
        return 0;
    if (p->victim_sid12_len != p->sid12_len || memcmp(p->victim_sid12, p->sid12, p->sid12_len) != 0)
        return hp_fail(p, "the victim did not offer the session of the first connection");
    return hp12_server_send_hello(p, o);
}

int c12_resumption_without_ems(HP *p)
{
    HP12_SH_OPTS o = {.resume = 1, .no_ems = 1};
    return resume_with(p, &o);
}

int c12_resumption_other_suite(HP *p)
{
    /* the session's suite is ECDHE-ECDSA-AES128-GCM-SHA256; this one was offered too */
    HP12_SH_OPTS o = {.resume = 1, .suite = 0xc02c};
    return resume_with(p, &o);
}

/* scenarios.c - what the hostile peer does, rule by rule, and what the victim must answer.
 *
 * To add a rule: write a script (a function HP * -> 1 when it could do what it meant to),
 * then one row in hp_scenarios[] below.  A script breaks one rule and returns; the runner
 * (hp_scenario_run) then waits for the victim's alert and compares it with the row.  A
 * script that must check more (no second HelloRetryRequest, the echo of a good connection,
 * the victim's memory under a flood) does it itself.
 *
 * The constants of <openssl/ssl.h> (SSL_ERROR_*, SSL_R_*) are only numbers here: this file
 * is linked with libcrypto alone, never with a libssl. */
#include "scenarios.h"
#include "scenarios12.h"

#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>
#include <openssl/ssl.h>

#define LEVEL_WARNING 1
#define LEVEL_FATAL   2

/* A script sends nothing after its insult when the victim has already written something on
 * the connection: over TCP, a victim that closes with our bytes unread resets the connection,
 * and a reset may destroy its alert before we read it (if the alert was still waiting for
 * the acknowledgement of what it sent before). */

/* ---- helpers ---- */

/* ping_echo: application data round trip (the victim echoes each line reversed). */
int hp_ping_echo(HP *p)
{
    if (!hp_send_record(p, HP_CT_APPDATA, HP_PING, strlen(HP_PING)))
        return 0;
    int r = hp_pump(p, strlen(HP_PING_ECHO));
    if (p->alert_level >= 0)
        return hp_fail(p, "the victim sent alert %s instead of the echo",
                       hp_alert_name(p->alert_desc));
    if (r != HP_IO_OK)
        return hp_fail(p, "no echo from the victim (%s)",
                       r == HP_IO_TIMEOUT ? "it waits" : "connection ended");
    if (p->appdata.n != strlen(HP_PING_ECHO) ||
        memcmp(p->appdata.p, HP_PING_ECHO, p->appdata.n) != 0)
        return hp_fail(p, "wrong echo from the victim (%zu bytes)", p->appdata.n);
    return 1;
}

/* junk_records: |n| application_data records of |len| random bytes each (early data under
 * keys the victim does not have), in one write. */
static int junk_records(HP *p, int n, size_t len)
{
    HP_BUF b = {0};
    uint8_t body[2048];
    if (len > sizeof(body))
        return hp_fail(p, "junk record too long");
    for (int i = 0; i < n; i++) {
        RAND_bytes(body, (int)len);
        hp_buf_u8(&b, HP_CT_APPDATA);
        hp_buf_u16(&b, 0x0303);
        hp_buf_u16(&b, (unsigned)len);
        hp_buf_add(&b, body, len);
    }
    int ok = hp_send_raw(p, b.p, b.n);
    hp_buf_free(&b);
    return ok;
}

static int send_ccs(HP *p, uint8_t value)
{
    return hp_send_plain(p, HP_CT_CCS, &value, 1);
}

/* client_to_flight: ClientHello (|o|) and the server's whole first flight read. */
static int client_to_flight(HP *p, const HP_CH_OPTS *o)
{
    if (!hp_client_send_hello(p, o))
        return 0;
    int r = hp_client_recv_server_hello(p);
    if (r == 2)
        return hp_fail(p, "unexpected HelloRetryRequest");
    return r == 1 && hp_client_recv_server_flight(p);
}

/* expect_hrr: ClientHello (|o|) answered by a HelloRetryRequest. */
static int expect_hrr(HP *p, const HP_CH_OPTS *o)
{
    if (!hp_client_send_hello(p, o))
        return 0;
    int r = hp_client_recv_server_hello(p);
    if (r == 1)
        return hp_fail(p, "ServerHello where a HelloRetryRequest was due");
    return r == 2;
}

/* new_session_ticket: a NewSessionTicket message (RFC 8446 4.6.1). */
static HP_BUF new_session_ticket(void)
{
    HP_BUF b = {0};
    uint8_t rnd[4 + 8 + 32];
    RAND_bytes(rnd, sizeof(rnd));
    hp_buf_add(&b, "\x00\x00\x1c\x20", 4); /* lifetime 7200 s */
    hp_buf_add(&b, rnd, 4);                /* ticket_age_add */
    hp_buf_u8(&b, 8);
    hp_buf_add(&b, rnd + 4, 8);
    hp_buf_u16(&b, 32);
    hp_buf_add(&b, rnd + 12, 32);
    hp_buf_u16(&b, 0);
    HP_BUF m = hp_hs_msg(HP_HS_NEW_SESSION_TICKET, b.p, b.n);
    hp_buf_free(&b);
    return m;
}

/* ---- baselines: the peer itself is sound ---- */

static int s_baseline(HP *p)
{
    return hp_client_handshake(p, NULL) && hp_ping_echo(p);
}

static int c_baseline(HP *p)
{
    static const char hello[] = "hello from the hostile peer\n";
    return hp_server_handshake(p, NULL) &&
           hp_send_record(p, HP_CT_APPDATA, hello, sizeof(hello) - 1) &&
           hp_send_alert(p, LEVEL_WARNING, HP_AD_CLOSE_NOTIFY);
}

static int s_one_byte_records(HP *p)
{
    p->hs_frag = 1; /* every handshake message in 1-byte records */
    return s_baseline(p);
}

static int c_one_byte_records(HP *p)
{
    p->hs_frag = 1;
    return c_baseline(p);
}

/* ---- 1. inner content types after the handshake (RFC 8446 5, 5.4) ---- */

static int inner_type(HP *p, uint8_t type)
{
    return hp_client_handshake(p, NULL) && hp_send_protected(p, type, "X", 1, 0);
}

static int s_inner_type_24(HP *p)
{
    return inner_type(p, 24);
}

static int s_inner_type_99(HP *p)
{
    return inner_type(p, 99);
}

static int s_inner_type_ccs(HP *p)
{
    return inner_type(p, HP_CT_CCS);
}

static int s_inner_all_zeros(HP *p)
{
    /* inner type 0 followed by padding: a plaintext without any content type */
    return hp_client_handshake(p, NULL) && hp_send_protected(p, 0, NULL, 0, 8);
}

static int c_inner_type_24(HP *p)
{
    return hp_server_handshake(p, NULL) && hp_send_protected(p, 24, "X", 1, 0);
}

static int s_inner_type_24_in_handshake(HP *p)
{
    /* under the client's handshake key, where its Finished is due */
    if (!client_to_flight(p, NULL))
        return 0;
    hp_client_switch_hs_keys(p);
    return hp_send_protected(p, 24, "X", 1, 0);
}

/* ---- 2. KeyUpdate flood (RFC 8446 4.6.3) ---- */

#define FLOOD_KEY_UPDATES 20000
/* One KeyUpdate reply: 5-byte header, 5-byte message, type, 16-byte tag. */
#define KEY_UPDATE_RECORD 27
#define FLOOD_HEAP_LIMIT  (64 * 1024)

/* key_update_flood: after the handshake (done by the caller). */
static int key_update_flood(HP *p)
{
    /* In-process: from now on the victim writes into a pipe of a few dozen bytes that we
     * do not read until the flood is in. */
    int n = FLOOD_KEY_UPDATES;
    if (hp_ctl(p, HP_CTL_SMALL_PIPE) < 0 && p->is_server) {
        /* Over TCP only the limit can be seen (the kernel's buffers take the replies), and
         * sesame s_client closes without draining after a failed SSL_read: unread
         * KeyUpdates would make it reset the connection over its own alert.  Send just
         * one more than the limit. */
        n = 33;
    }
    HP_BUF flood = {0};
    for (int i = 0; i < n; i++) {
        HP_BUF m = hp_key_update_msg(1);
        hp_seal(p, HP_CT_HANDSHAKE, m.p, m.n, 0, &flood);
        hp_buf_free(&m);
        hp_next_write_key(p);
    }
    int ok = hp_send_raw(p, flood.p, flood.n);
    hp_buf_free(&flood);
    if (!ok)
        return 0;
    /* A victim whose replies cannot be written stops reading: at most one reply waits. */
    long err = hp_ctl(p, HP_CTL_SETTLE);
    if (err >= 0 && err != SSL_ERROR_WANT_WRITE)
        return hp_fail(p,
                       "flooded while its replies cannot be written, the victim's call "
                       "ended with SSL_get_error %ld, not SSL_ERROR_WANT_WRITE",
                       err);
    long pending = hp_ctl(p, HP_CTL_PENDING_OUT);
    if (pending > KEY_UPDATE_RECORD)
        return hp_fail(p, "the victim holds %ld bytes of unsent replies (more than one)", pending);
    long growth = hp_ctl(p, HP_CTL_HEAP_GROWTH);
    if (p->verbose)
        fprintf(stderr,
                "  flood: victim stopped with SSL_get_error %ld, %ld bytes unsent, heap "
                "+%ld bytes\n",
                err, pending, growth);
    if (growth > FLOOD_HEAP_LIMIT)
        return hp_fail(p, "the victim's heap grew by %ld bytes under the flood", growth);
    /* Now we read: the victim goes on, answering each KeyUpdate (our read key follows), and
     * must stop after 32 of them without application data. */
    if (hp_expect_alert(p) < 0)
        return 0;
    if (p->key_updates_rd < 1 || p->key_updates_rd > 32)
        return hp_fail(p, "the victim answered %lu KeyUpdates before its alert (1 to 32 expected)",
                       p->key_updates_rd);
    return 1;
}

static int s_key_update_flood(HP *p)
{
    return hp_client_handshake(p, NULL) && key_update_flood(p);
}

static int c_key_update_flood(HP *p)
{
    return hp_server_handshake(p, NULL) && key_update_flood(p);
}

/* key_updates_then_data: 32 KeyUpdates (each answered), data; twice: data resets the count. */
static int s_key_updates_32_then_data(HP *p)
{
    if (!hp_client_handshake(p, NULL))
        return 0;
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 32; i++)
            if (!hp_send_key_update(p, 1))
                return 0;
        p->appdata.n = 0;
        if (!hp_ping_echo(p))
            return 0;
    }
    if (p->key_updates_rd != 64)
        return hp_fail(p, "the victim answered %lu of 64 KeyUpdate requests", p->key_updates_rd);
    return 1;
}

static int s_key_update_bad_value(HP *p)
{
    static const uint8_t ku[] = {HP_HS_KEY_UPDATE, 0, 0, 1, 2};
    return hp_client_handshake(p, NULL) && hp_send_record(p, HP_CT_HANDSHAKE, ku, sizeof(ku));
}

static int s_empty_appdata_flood(HP *p)
{
    /* 1000 zero-length application data records: a victim must not loop on them forever */
    if (!hp_client_handshake(p, NULL))
        return 0;
    HP_BUF b = {0};
    for (int i = 0; i < 1000; i++)
        hp_seal(p, HP_CT_APPDATA, NULL, 0, 0, &b);
    int ok = hp_send_raw(p, b.p, b.n);
    hp_buf_free(&b);
    return ok;
}

static int s_ticket_from_client(HP *p)
{
    HP_BUF t = new_session_ticket();
    int ok = hp_client_handshake(p, NULL) && hp_send_record(p, HP_CT_HANDSHAKE, t.p, t.n);
    hp_buf_free(&t);
    return ok;
}

/* ---- 3. a second ClientHello without the key share asked for (RFC 8446 4.1.2, 4.1.4) ---- */

static int s_hrr_again_without_share(HP *p)
{
    HP_CH_OPTS o = {.key_share = HP_KS_EMPTY};
    if (!expect_hrr(p, &o) || !hp_client_send_hello(p, &o))
        return 0;
    p->hs_msgs_seen = 0;
    if (hp_expect_alert(p) < 0)
        return 0;
    if (p->hs_msgs_seen != 0)
        return hp_fail(p,
                       "the victim answered with handshake message %d (a second "
                       "HelloRetryRequest?) before its alert",
                       p->last_hs_type);
    return 1;
}

#define GROUP_SECP256R1 0x0017
#define GROUP_X25519    0x001d

static int c_hrr_twice(HP *p)
{
    /* HelloRetryRequest for P-256, the client's second hello, another HelloRetryRequest */
    return hp_server_recv_hello(p) && hp_server_send_hrr(p, GROUP_SECP256R1) &&
           hp_recv_hs(p, HP_HS_CLIENT_HELLO, NULL, 1) && hp_server_send_hrr(p, GROUP_X25519);
}

static int c_hrr_no_change(HP *p)
{
    /* a HelloRetryRequest for the group the client already sent a share for */
    return hp_server_recv_hello(p) && hp_server_send_hrr(p, GROUP_X25519);
}

/* ---- 4. early data the server does not accept (RFC 8446 4.2.10) ---- */

#define EARLY_RECORD 600
/* The victim skips 16384 + 64 * 256 = 32768 bytes of records: the 33rd of 1000 bytes is one
 * too many (and the last we send: see the top of this file). */
#define EARLY_TOO_MANY 33
#define EARLY_BIG      1000

static int s_early_data_skipped(HP *p)
{
    HP_CH_OPTS o = {.early_data = 1, .unknown_psk = 1};
    return hp_client_send_hello(p, &o) && send_ccs(p, 1) && junk_records(p, 3, EARLY_RECORD) &&
           hp_client_recv_server_hello(p) == 1 && hp_client_recv_server_flight(p) &&
           hp_client_send_finished(p) && hp_ping_echo(p);
}

static int s_early_data_too_much(HP *p)
{
    HP_CH_OPTS o = {.early_data = 1, .unknown_psk = 1};
    return hp_client_send_hello(p, &o) && junk_records(p, EARLY_TOO_MANY, EARLY_BIG) &&
           hp_client_recv_server_hello(p) == 1 && hp_client_recv_server_flight(p);
}

static int s_early_data_after_hrr_skipped(HP *p)
{
    HP_CH_OPTS o1 = {.key_share = HP_KS_EMPTY, .early_data = 1, .unknown_psk = 1};
    HP_CH_OPTS o2 = {.unknown_psk = 1};
    /* early data, then the change_cipher_spec, then (after the HelloRetryRequest) the
     * second hello */
    if (!hp_client_send_hello(p, &o1) || !junk_records(p, 3, EARLY_RECORD) || !send_ccs(p, 1))
        return 0;
    if (hp_client_recv_server_hello(p) != 2)
        return hp_fail(p, "no HelloRetryRequest");
    return client_to_flight(p, &o2) && hp_client_send_finished(p) && hp_ping_echo(p);
}

static int s_early_data_after_hrr_too_much(HP *p)
{
    HP_CH_OPTS o = {.key_share = HP_KS_EMPTY, .early_data = 1, .unknown_psk = 1};
    return hp_client_send_hello(p, &o) && junk_records(p, EARLY_TOO_MANY, EARLY_BIG) &&
           hp_client_recv_server_hello(p) == 2;
}

static int s_early_data_in_second_hello(HP *p)
{
    HP_CH_OPTS o1 = {.key_share = HP_KS_EMPTY};
    HP_CH_OPTS o2 = {.early_data = 1};
    return expect_hrr(p, &o1) && hp_client_send_hello(p, &o2);
}

/* ---- the ClientHello's extension block (RFC 8446 4.2, 4.2.11) ---- */

static int s_duplicate_extension(HP *p)
{
    static const uint8_t versions[] = {2, 0x03, 0x04};
    HP_BUF x = {0};
    hp_buf_ext(&x, HP_EXT_SUPPORTED_VERSIONS, versions, sizeof(versions));
    HP_CH_OPTS o = {.extra_ext = &x};
    int ok = hp_client_send_hello(p, &o);
    hp_buf_free(&x);
    return ok;
}

static int s_psk_not_last(HP *p)
{
    HP_BUF x = {0};
    hp_buf_ext(&x, 0x5a5a, NULL, 0); /* an unknown extension, after pre_shared_key */
    HP_CH_OPTS o = {.unknown_psk = 1, .extra_ext = &x, .extra_after_psk = 1};
    int ok = hp_client_send_hello(p, &o);
    hp_buf_free(&x);
    return ok;
}

/* ---- 5. supported_groups and key_share come together (RFC 8446 9.2) ---- */

static int s_groups_without_key_share(HP *p)
{
    HP_CH_OPTS o = {.key_share = HP_KS_NONE};
    return hp_client_send_hello(p, &o);
}

static int s_key_share_without_groups(HP *p)
{
    HP_CH_OPTS o = {.no_supported_groups = 1};
    return hp_client_send_hello(p, &o);
}

/* ---- 6. legacy_version of SSL 3.0 or older (RFC 8446 D.5) ---- */

static int s_legacy_version_0300(HP *p)
{
    HP_CH_OPTS o = {.legacy_version = 0x0300};
    return hp_client_send_hello(p, &o);
}

static int s_legacy_version_0200(HP *p)
{
    HP_CH_OPTS o = {.legacy_version = 0x0200};
    return hp_client_send_hello(p, &o);
}

/* ---- 7. records between the fragments of a handshake message (RFC 8446 5.1) ---- */

/* split_hello: ClientHello in two records with |between| (a whole record) in the middle. */
static int split_hello(HP *p, const void *between, size_t between_len)
{
    HP_BUF m = hp_client_hello(p, NULL);
    hp_transcript_add(p, m.p, m.n);
    int ok = hp_send_plain(p, HP_CT_HANDSHAKE, m.p, 20) && hp_send_raw(p, between, between_len) &&
             hp_send_plain(p, HP_CT_HANDSHAKE, m.p + 20, m.n - 20);
    hp_buf_free(&m);
    return ok;
}

static int s_ccs_inside_client_hello(HP *p)
{
    static const uint8_t ccs[] = {HP_CT_CCS, 3, 3, 0, 1, 1};
    return split_hello(p, ccs, sizeof(ccs));
}

static int s_warning_inside_client_hello(HP *p)
{
    static const uint8_t alert[] = {HP_CT_ALERT, 3, 3, 0, 2, LEVEL_WARNING, HP_AD_USER_CANCELED};
    return split_hello(p, alert, sizeof(alert));
}

/* split_finished: the first 10 bytes of our Finished in a protected record, then |what|: 1 a
 * change_cipher_spec (in the clear, as the compatibility one would be), 2 a warning alert.
 * The rest of the Finished would follow; the victim must stop before it. */
static int split_finished(HP *p, int what)
{
    if (!client_to_flight(p, NULL))
        return 0;
    hp_client_switch_hs_keys(p);
    HP_BUF fin = hp_client_finished_msg(p);
    hp_transcript_add(p, fin.p, fin.n);
    int ok = hp_send_record(p, HP_CT_HANDSHAKE, fin.p, 10) &&
             (what == 1 ? send_ccs(p, 1) : hp_send_alert(p, LEVEL_WARNING, HP_AD_USER_CANCELED));
    hp_buf_free(&fin);
    return ok;
}

static int s_ccs_inside_finished(HP *p)
{
    return split_finished(p, 1);
}

static int s_warning_inside_finished(HP *p)
{
    return split_finished(p, 2);
}

static int s_appdata_inside_key_update(HP *p)
{
    if (!hp_client_handshake(p, NULL))
        return 0;
    /* (the rest of the KeyUpdate would follow: the victim must stop before it) */
    HP_BUF ku = hp_key_update_msg(0);
    int ok =
        hp_send_record(p, HP_CT_HANDSHAKE, ku.p, 2) && hp_send_record(p, HP_CT_APPDATA, "x", 1);
    hp_buf_free(&ku);
    return ok;
}

static int c_appdata_inside_ticket(HP *p)
{
    if (!hp_server_handshake(p, NULL))
        return 0;
    /* (the rest of the ticket would follow: the victim must stop before it) */
    HP_BUF t = new_session_ticket();
    int ok =
        hp_send_record(p, HP_CT_HANDSHAKE, t.p, 10) && hp_send_record(p, HP_CT_APPDATA, "x\n", 2);
    hp_buf_free(&t);
    return ok;
}

static int warnings(HP *p, int n)
{
    if (!hp_client_handshake(p, NULL))
        return 0;
    for (int i = 0; i < n; i++)
        if (!hp_send_alert(p, LEVEL_WARNING, HP_AD_USER_CANCELED))
            return 0;
    return 1;
}

static int s_four_warnings_ok(HP *p)
{
    return warnings(p, 4) && hp_ping_echo(p);
}

static int s_five_warnings(HP *p)
{
    return warnings(p, 5);
}

static int s_handshake_message_too_long(HP *p)
{
    /* a ClientHello announcing 2^24 - 1 bytes: nobody buffers that */
    static const uint8_t hdr[] = {HP_HS_CLIENT_HELLO, 0xff, 0xff, 0xff, 3, 3};
    return hp_send_plain(p, HP_CT_HANDSHAKE, hdr, sizeof(hdr));
}

/* ---- 8. application data before the handshake is complete (RFC 8446 5) ---- */

static int s_appdata_before_client_hello(HP *p)
{
    return hp_send_plain(p, HP_CT_APPDATA, "x", 1);
}

static int s_empty_appdata_before_client_hello(HP *p)
{
    return hp_send_plain(p, HP_CT_APPDATA, NULL, 0);
}

static int s_appdata_before_client_finished(HP *p)
{
    if (!client_to_flight(p, NULL))
        return 0;
    hp_client_switch_hs_keys(p);
    return hp_send_record(p, HP_CT_APPDATA, "x", 1);
}

static int s_empty_appdata_before_client_finished(HP *p)
{
    if (!client_to_flight(p, NULL))
        return 0;
    hp_client_switch_hs_keys(p);
    return hp_send_record(p, HP_CT_APPDATA, NULL, 0);
}

static int c_appdata_before_server_hello(HP *p)
{
    return hp_server_recv_hello(p) && hp_send_plain(p, HP_CT_APPDATA, "x", 1);
}

static int c_appdata_before_server_finished(HP *p)
{
    return hp_server_recv_hello(p) && hp_server_send_hello(p, NULL) && hp_server_send_ee(p, NULL) &&
           hp_send_record(p, HP_CT_APPDATA, "x", 1);
}

static int c_empty_appdata_before_server_finished(HP *p)
{
    return hp_server_recv_hello(p) && hp_server_send_hello(p, NULL) && hp_server_send_ee(p, NULL) &&
           hp_send_record(p, HP_CT_APPDATA, NULL, 0);
}

/* ---- 9. answers to extensions the client never sent (RFC 8446 4.2) ---- */

static int unsolicited_ee(HP *p, const HP_SH_OPTS *o)
{
    return hp_server_recv_hello(p) && hp_server_send_hello(p, o) && hp_server_send_ee(p, o);
}

static int c_ee_server_name(HP *p)
{
    HP_SH_OPTS o = {.ee_sni_ack = 1};
    return unsolicited_ee(p, &o);
}

static int c_ee_early_data(HP *p)
{
    HP_SH_OPTS o = {.ee_early = 1};
    return unsolicited_ee(p, &o);
}

static int c_ee_alpn(HP *p)
{
    HP_SH_OPTS o = {.ee_alpn = 1};
    return unsolicited_ee(p, &o);
}

static int c_sh_pre_shared_key(HP *p)
{
    HP_SH_OPTS o = {.psk = 1};
    return hp_server_recv_hello(p) && hp_server_send_hello(p, &o);
}

/* ---- 10. change_cipher_spec, and messages across a key change (RFC 8446 5, 5.1) ---- */

static int s_ccs_before_client_hello(HP *p)
{
    return send_ccs(p, 1) && hp_client_send_hello(p, NULL);
}

/* ccs_then: ClientHello, |ccs| (raw records), then the server's flight is read. */
static int ccs_then(HP *p, const uint8_t *ccs, size_t len)
{
    return hp_client_send_hello(p, NULL) && hp_send_raw(p, ccs, len) &&
           hp_client_recv_server_hello(p) == 1 && hp_client_recv_server_flight(p);
}

static int s_ccs_twice(HP *p)
{
    static const uint8_t two[] = {HP_CT_CCS, 3, 3, 0, 1, 1, HP_CT_CCS, 3, 3, 0, 1, 1};
    return ccs_then(p, two, sizeof(two));
}

static int s_ccs_value_2(HP *p)
{
    static const uint8_t bad[] = {HP_CT_CCS, 3, 3, 0, 1, 2};
    return ccs_then(p, bad, sizeof(bad));
}

static int s_ccs_two_bytes(HP *p)
{
    static const uint8_t bad[] = {HP_CT_CCS, 3, 3, 0, 2, 1, 1};
    return ccs_then(p, bad, sizeof(bad));
}

static int s_ccs_after_client_finished(HP *p)
{
    return hp_client_handshake(p, NULL) && send_ccs(p, 1);
}

static int c_ccs_after_server_finished(HP *p)
{
    return hp_server_recv_hello(p) && hp_server_send_hello(p, NULL) && hp_server_send_ee(p, NULL) &&
           hp_server_send_cert(p, NULL) && hp_server_send_finished(p) && send_ccs(p, 1) &&
           hp_server_recv_finished(p);
}

static int s_client_hello_straddles(HP *p)
{
    /* ClientHello, then the start of a Finished in the same (plaintext) record */
    HP_BUF m = hp_client_hello(p, NULL);
    hp_transcript_add(p, m.p, m.n);
    uint8_t fin[4 + 32] = {HP_HS_FINISHED, 0, 0, 32};
    hp_buf_add(&m, fin, sizeof(fin));
    int ok = hp_send_plain(p, HP_CT_HANDSHAKE, m.p, m.n);
    hp_buf_free(&m);
    return ok;
}

static int s_finished_straddles(HP *p)
{
    /* Finished and a KeyUpdate in one record: the key changes after Finished */
    if (!client_to_flight(p, NULL))
        return 0;
    hp_client_switch_hs_keys(p);
    HP_BUF fin = hp_client_finished_msg(p), ku = hp_key_update_msg(0);
    hp_transcript_add(p, fin.p, fin.n);
    hp_buf_add(&fin, ku.p, ku.n);
    int ok = hp_send_record(p, HP_CT_HANDSHAKE, fin.p, fin.n);
    hp_buf_free(&fin);
    hp_buf_free(&ku);
    hp_client_after_finished(p);
    return ok;
}

static int s_key_update_straddles(HP *p)
{
    if (!hp_client_handshake(p, NULL))
        return 0;
    HP_BUF ku = hp_key_update_msg(0), ku2 = hp_key_update_msg(0);
    hp_buf_add(&ku, ku2.p, ku2.n);
    int ok = hp_send_record(p, HP_CT_HANDSHAKE, ku.p, ku.n);
    hp_buf_free(&ku);
    hp_buf_free(&ku2);
    return ok;
}

static int c_server_hello_straddles(HP *p)
{
    /* ServerHello and EncryptedExtensions in one plaintext record */
    static const uint8_t no_exts[] = {0, 0};
    HP_BUF ee = hp_hs_msg(HP_HS_ENCRYPTED_EXTENSIONS, no_exts, sizeof(no_exts));
    HP_SH_OPTS o = {.sh_tail = &ee};
    int ok = hp_server_recv_hello(p) && hp_server_send_hello(p, &o);
    hp_buf_free(&ee);
    return ok;
}

static int c_server_finished_straddles(HP *p)
{
    /* the server's Finished and a NewSessionTicket in one record */
    if (!hp_server_recv_hello(p) || !hp_server_send_hello(p, NULL) || !hp_server_send_ee(p, NULL) ||
        !hp_server_send_cert(p, NULL))
        return 0;
    HP_BUF fin = hp_server_finished_msg(p), t = new_session_ticket();
    hp_transcript_add(p, fin.p, fin.n);
    hp_buf_add(&fin, t.p, t.n);
    int ok = hp_send_record(p, HP_CT_HANDSHAKE, fin.p, fin.n);
    hp_buf_free(&fin);
    hp_buf_free(&t);
    hp_server_after_finished(p);
    return ok;
}

/* ---- a message where another is due (RFC 8446 4, 4.6.2) ---- */

static int s_certificate_instead_of_finished(HP *p)
{
    static const uint8_t empty[] = {0, 0, 0, 0};
    HP_BUF m = hp_hs_msg(HP_HS_CERTIFICATE, empty, sizeof(empty));
    int ok = client_to_flight(p, NULL);
    if (ok) {
        hp_client_switch_hs_keys(p);
        ok = hp_send_hs(p, &m);
    }
    hp_buf_free(&m);
    return ok;
}

static int s_client_hello_after_handshake(HP *p)
{
    if (!hp_client_handshake(p, NULL))
        return 0;
    HP_BUF m = hp_client_hello(p, NULL);
    int ok = hp_send_record(p, HP_CT_HANDSHAKE, m.p, m.n);
    hp_buf_free(&m);
    return ok;
}

static int c_certificate_request_without_pha(HP *p)
{
    /* context 1 byte, signature_algorithms {ecdsa_secp256r1_sha256} */
    static const uint8_t cr[] = {1, 0x2a, 0, 8, 0, HP_EXT_SIGNATURE_ALGORITHMS, 0, 4, 0, 2, 4, 3};
    HP_BUF m = hp_hs_msg(HP_HS_CERTIFICATE_REQUEST, cr, sizeof(cr));
    int ok = hp_server_handshake(p, NULL) && hp_send_record(p, HP_CT_HANDSHAKE, m.p, m.n);
    hp_buf_free(&m);
    return ok;
}

/* ---- the ServerHello's fields (RFC 8446 4.1.3, 4.2.8) ---- */

static int server_hello_with(HP *p, const HP_SH_OPTS *o)
{
    return hp_server_recv_hello(p) && hp_server_send_hello(p, o);
}

static int c_sh_group_mismatch(HP *p)
{
    HP_SH_OPTS o = {.sh_group = GROUP_SECP256R1};
    return server_hello_with(p, &o);
}

static int c_sh_wrong_session_id(HP *p)
{
    HP_SH_OPTS o = {.sh_wrong_sid = 1};
    return server_hello_with(p, &o);
}

static int c_sh_suite_not_offered(HP *p)
{
    HP_SH_OPTS o = {.sh_suite = 0x1305}; /* TLS_AES_128_CCM_8_SHA256 */
    return server_hello_with(p, &o);
}

static int c_ee_duplicate_extension(HP *p)
{
    static const uint8_t groups[] = {0, 2, 0x00, 0x1d};
    HP_BUF x = {0};
    hp_buf_ext(&x, HP_EXT_SUPPORTED_GROUPS, groups, sizeof(groups));
    hp_buf_ext(&x, HP_EXT_SUPPORTED_GROUPS, groups, sizeof(groups));
    HP_SH_OPTS o = {.ee_extra = &x};
    int ok = unsolicited_ee(p, &o);
    hp_buf_free(&x);
    return ok;
}

/* ---- authentication: certificate, signature, Finished (RFC 8446 4.4) ---- */

static int c_empty_certificate(HP *p)
{
    static const uint8_t empty[] = {0, 0, 0, 0}; /* context, certificate_list */
    HP_BUF m = hp_hs_msg(HP_HS_CERTIFICATE, empty, sizeof(empty));
    int ok = hp_server_recv_hello(p) && hp_server_send_hello(p, NULL) &&
             hp_server_send_ee(p, NULL) && hp_send_hs(p, &m);
    hp_buf_free(&m);
    return ok;
}

static int c_bad_signature(HP *p)
{
    HP_SH_OPTS o = {.bad_signature = 1};
    return hp_server_recv_hello(p) && hp_server_send_hello(p, &o) && hp_server_send_ee(p, &o) &&
           hp_server_send_cert(p, &o);
}

static int c_bad_server_finished(HP *p)
{
    if (!hp_server_recv_hello(p) || !hp_server_send_hello(p, NULL) || !hp_server_send_ee(p, NULL) ||
        !hp_server_send_cert(p, NULL))
        return 0;
    HP_BUF fin = hp_server_finished_msg(p);
    fin.p[10] ^= 0x01;
    int ok = hp_send_hs(p, &fin);
    hp_buf_free(&fin);
    return ok;
}

static int s_bad_client_finished(HP *p)
{
    if (!client_to_flight(p, NULL))
        return 0;
    hp_client_switch_hs_keys(p);
    HP_BUF fin = hp_client_finished_msg(p);
    fin.p[10] ^= 0x01;
    int ok = hp_send_hs(p, &fin);
    hp_buf_free(&fin);
    return ok;
}

/* ---- alerts from the peer end the connection, unanswered (RFC 8446 6) ---- */

/* silence: after the peer's error alert the victim closes without an alert of its own. */
static int silence(HP *p)
{
    int r = hp_pump(p, 0);
    if (p->alert_level >= 0)
        return hp_fail(p, "the victim answered the peer's alert with alert %s",
                       hp_alert_name(p->alert_desc));
    if (r != HP_IO_EOF)
        return hp_fail(p, "the victim did not close after the peer's alert (it waits)");
    return 1;
}

static int s_fatal_alert_in_handshake(HP *p)
{
    if (!client_to_flight(p, NULL))
        return 0;
    hp_client_switch_hs_keys(p);
    return hp_send_alert(p, LEVEL_FATAL, HP_AD_HANDSHAKE_FAILURE) && silence(p);
}

static int s_warning_level_error_alert(HP *p)
{
    /* unexpected_message sent as a warning: an error alert all the same */
    return hp_client_handshake(p, NULL) &&
           hp_send_alert(p, LEVEL_WARNING, HP_AD_UNEXPECTED_MESSAGE) && silence(p);
}

static int c_fatal_alert_after_handshake(HP *p)
{
    return hp_server_handshake(p, NULL) && hp_send_alert(p, LEVEL_FATAL, HP_AD_INTERNAL_ERROR) &&
           silence(p);
}

/* ---- 11. record limits, protection, alert framing (RFC 8446 5.1, 5.2, 6) ---- */

static int plaintext_too_long(HP *p)
{
    static uint8_t big[16384 + 1];
    memset(big, 0x42, sizeof(big));
    return hp_send_plain(p, HP_CT_HANDSHAKE, big, sizeof(big));
}

static int s_plaintext_record_too_long(HP *p)
{
    return plaintext_too_long(p);
}

static int c_plaintext_record_too_long(HP *p)
{
    return hp_server_recv_hello(p) && plaintext_too_long(p);
}

static int s_ciphertext_too_long(HP *p)
{
    /* an application_data record of 2^14 + 257 bytes */
    static uint8_t big[5 + 16384 + 257];
    if (!hp_client_handshake(p, NULL))
        return 0;
    RAND_bytes(big, sizeof(big));
    big[0] = HP_CT_APPDATA, big[1] = 3, big[2] = 3;
    big[3] = (uint8_t)((sizeof(big) - 5) >> 8), big[4] = (uint8_t)(sizeof(big) - 5);
    return hp_send_raw(p, big, sizeof(big));
}

static int s_inner_plaintext_too_long(HP *p)
{
    /* 2^14 + 1 bytes of content: the ciphertext (2^14 + 18) is within its own limit */
    static uint8_t big[16384 + 1];
    memset(big, 'a', sizeof(big));
    return hp_client_handshake(p, NULL) && hp_send_protected(p, HP_CT_APPDATA, big, sizeof(big), 0);
}

static int corrupted(HP *p)
{
    HP_BUF r = {0};
    hp_seal(p, HP_CT_APPDATA, HP_PING, strlen(HP_PING), 0, &r);
    r.p[7] ^= 0x01; /* a ciphertext bit */
    int ok = hp_send_raw(p, r.p, r.n);
    hp_buf_free(&r);
    return ok;
}

static int s_corrupted_record(HP *p)
{
    return hp_client_handshake(p, NULL) && corrupted(p);
}

static int c_corrupted_record(HP *p)
{
    return hp_server_handshake(p, NULL) && corrupted(p);
}

static int s_truncated_alert_plaintext(HP *p)
{
    static const uint8_t level = LEVEL_FATAL;
    return hp_send_plain(p, HP_CT_ALERT, &level, 1);
}

static int s_truncated_alert_protected(HP *p)
{
    static const uint8_t level = LEVEL_WARNING;
    return hp_client_handshake(p, NULL) && hp_send_record(p, HP_CT_ALERT, &level, 1);
}

static int s_long_alert_protected(HP *p)
{
    static const uint8_t a[3] = {LEVEL_WARNING, HP_AD_USER_CANCELED, 0};
    return hp_client_handshake(p, NULL) && hp_send_record(p, HP_CT_ALERT, a, sizeof(a));
}

/* ---- the table ---- */

/* ---- 12. the server's choice among the client's key shares (RFC 8446 4.2.8) ---- */

#define UNKNOWN_GROUPS 3

static int s_key_share_unknown_then_p256(HP *p)
{
    /* key_share and supported_groups: three groups nobody implements (GREASE values, RFC
     * 8701), then P-256 with a real share: the server takes that one, no HelloRetryRequest */
    uint16_t groups[UNKNOWN_GROUPS + 1];
    uint8_t junk[65];
    HP_BUF shares = {0};
    for (unsigned i = 0; i < UNKNOWN_GROUPS; i++) {
        groups[i] = (uint16_t)(0x2a2a + 0x1010 * i);
        RAND_bytes(junk, sizeof(junk));
        hp_share_entry(&shares, groups[i], junk, sizeof(junk));
    }
    groups[UNKNOWN_GROUPS] = GROUP_SECP256R1;
    HP_CH_OPTS o = {.shares = &shares, .groups = groups, .num_groups = UNKNOWN_GROUPS + 1};
    int ok = hp_p256_share(p, &shares) && hp_client_handshake(p, &o);
    hp_buf_free(&shares);
    if (ok && p->group13 != GROUP_SECP256R1)
        return hp_fail(p, "the victim's ServerHello chose group 0x%04x", p->group13);
    return ok && hp_ping_echo(p);
}

#define MANY_EXTENSIONS 1000

static int s_many_extensions(HP *p)
{
    /* empty extensions of unassigned code points beside the usual ones: ignored (RFC 8446
     * 4.2: "servers MUST ignore unrecognized extensions") */
    HP_BUF x = {0};
    for (unsigned i = 0; i < MANY_EXTENSIONS; i++)
        hp_buf_ext(&x, 0x5000 + i, NULL, 0);
    HP_CH_OPTS o = {.extra_ext = &x};
    int ok = hp_client_handshake(p, &o);
    hp_buf_free(&x);
    if (ok && p->group13 != GROUP_X25519)
        return hp_fail(p, "the victim's ServerHello chose group 0x%04x", p->group13);
    return ok && hp_ping_echo(p);
}

/* ---- 13. a key share the server must refuse (RFC 8446 4.2.8.1, 4.2.8.2, 7.4.2) ---- */

/* bad_share: a ClientHello offering |group| alone, with |key| (|len| bytes) as its share. */
static int bad_share(HP *p, uint16_t group, const uint8_t *key, size_t len)
{
    HP_BUF shares = {0};
    hp_share_entry(&shares, group, key, len);
    HP_CH_OPTS o = {.shares = &shares, .groups = &group, .num_groups = 1};
    int ok = hp_client_send_hello(p, &o);
    hp_buf_free(&shares);
    return ok;
}

/* p256_point: a real P-256 point, uncompressed (65 bytes). */
static int p256_point(HP *p, uint8_t out[65])
{
    HP_BUF b = {0};
    int ok = hp_p256_share(p, &b) && b.n == 4 + 65;
    if (ok)
        memcpy(out, b.p + 4, 65);
    hp_buf_free(&b);
    return ok;
}

static int s_key_share_p256_off_curve(HP *p)
{
    /* (1, 1) is not on P-256 */
    uint8_t pt[65] = {4};
    pt[32] = 1;
    pt[64] = 1;
    return bad_share(p, GROUP_SECP256R1, pt, sizeof(pt));
}

static int s_key_share_p256_compressed(HP *p)
{
    /* a real point in the compressed form of SEC 1 2.3.3: 33 bytes, 4.2.8.2 wants 65 */
    uint8_t pt[65];
    if (!p256_point(p, pt))
        return 0;
    pt[0] = (uint8_t)(0x02 | (pt[64] & 1));
    return bad_share(p, GROUP_SECP256R1, pt, 33);
}

static int s_key_share_p256_prefix_02(HP *p)
{
    /* a real point's 65 bytes with the compressed form's prefix: no point at all */
    uint8_t pt[65];
    if (!p256_point(p, pt))
        return 0;
    pt[0] = 0x02;
    return bad_share(p, GROUP_SECP256R1, pt, sizeof(pt));
}

static int s_key_share_p256_hybrid(HP *p)
{
    /* the hybrid form (0x06/0x07, X9.62): a valid encoding of the point elsewhere, but
     * 4.2.8.2 allows the uncompressed one only */
    uint8_t pt[65];
    if (!p256_point(p, pt))
        return 0;
    pt[0] = (uint8_t)(0x06 | (pt[64] & 1));
    return bad_share(p, GROUP_SECP256R1, pt, sizeof(pt));
}

static int s_key_share_x25519_short(HP *p)
{
    uint8_t key[31];
    RAND_bytes(key, sizeof(key));
    return bad_share(p, GROUP_X25519, key, sizeof(key));
}

static int s_key_share_x25519_long(HP *p)
{
    uint8_t key[33];
    RAND_bytes(key, sizeof(key));
    return bad_share(p, GROUP_X25519, key, sizeof(key));
}

static int s_key_share_x25519_zero(HP *p)
{
    /* u = 0: every scalar gives the all-zero secret (RFC 7748 6.1) */
    static const uint8_t zero[32];
    return bad_share(p, GROUP_X25519, zero, sizeof(zero));
}

static int s_key_share_x25519_order8(HP *p)
{
    /* a point of order 8 (RFC 7748 6.1's small subgroup): X25519's clamped scalar is a
     * multiple of 8, so the secret is all zeros again */
    static const uint8_t order8[32] = {0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24,
                                       0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83, 0xef, 0x5b,
                                       0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86,
                                       0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f, 0x11, 0x57};
    return bad_share(p, GROUP_X25519, order8, sizeof(order8));
}

#define SERVER    HP_VICTIM_SERVER
#define CLIENT    HP_VICTIM_CLIENT
#define HS        HP_PHASE_HANDSHAKE
#define AFTER     HP_PHASE_AFTER
#define FAILS     SSL_ERROR_SSL
#define REASON(r) r, #r
#define NO_REASON 0, ""

const HP_SCENARIO hp_scenarios[] = {
    /* name, victim, script, alert, SSL_get_error, REASON(SSL_R_...), phase, rule */
    {"baseline_server", SERVER, s_baseline, HP_NO_ALERT, SSL_ERROR_NONE, NO_REASON, AFTER,
     "a correct handshake and an echoed line: the peer itself is sound"},
    {"baseline_client", CLIENT, c_baseline, HP_AD_CLOSE_NOTIFY, SSL_ERROR_ZERO_RETURN, NO_REASON,
     AFTER, "a correct handshake, data, close_notify: the peer itself is sound"},
    {"one_byte_records", SERVER, s_one_byte_records, HP_NO_ALERT, SSL_ERROR_NONE, NO_REASON, AFTER,
     "5.1: every handshake message of the client in 1-byte records: a good handshake"},
    {"one_byte_records_to_client", CLIENT, c_one_byte_records, HP_AD_CLOSE_NOTIFY,
     SSL_ERROR_ZERO_RETURN, NO_REASON, AFTER,
     "5.1: every handshake message of the server in 1-byte records: a good handshake"},

    /* 1 */
    {"inner_type_24", SERVER, s_inner_type_24, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_BAD_RECORD_TYPE), AFTER,
     "5/5.4: protected record, inner content type 24 (unknown)"},
    {"inner_type_99", SERVER, s_inner_type_99, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_BAD_RECORD_TYPE), AFTER, "5/5.4: protected record, inner content type 99"},
    {"inner_type_ccs", SERVER, s_inner_type_ccs, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_BAD_RECORD_TYPE), AFTER, "5: protected record, inner change_cipher_spec (20)"},
    {"inner_all_zeros", SERVER, s_inner_all_zeros, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_BAD_RECORD_TYPE), AFTER, "5.4: protected record whose plaintext is all zeros"},
    {"inner_type_24_in_handshake", SERVER, s_inner_type_24_in_handshake, HP_AD_UNEXPECTED_MESSAGE,
     FAILS, REASON(SSL_R_BAD_RECORD_TYPE), HS,
     "5/5.4: inner content type 24 under the handshake key, before the client's Finished"},
    {"inner_type_24_to_client", CLIENT, c_inner_type_24, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_BAD_RECORD_TYPE), AFTER, "5/5.4: inner content type 24, server to client"},

    /* 2 */
    {"key_update_flood", SERVER, s_key_update_flood, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_TOO_MANY_KEY_UPDATES), AFTER,
     "4.6.3: 20000 KeyUpdate(update_requested), never reading: one reply waits at most, "
     "heap bounded; then more than 32 without application data"},
    {"key_update_flood_to_client", CLIENT, c_key_update_flood, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_TOO_MANY_KEY_UPDATES), AFTER, "4.6.3: the same flood, server to client"},
    {"key_updates_32_then_data", SERVER, s_key_updates_32_then_data, HP_NO_ALERT, SSL_ERROR_NONE,
     NO_REASON, AFTER, "4.6.3: 32 KeyUpdate(update_requested), data, 32 more, data: all answered"},

    {"key_update_bad_value", SERVER, s_key_update_bad_value, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_INVALID_KEY_UPDATE_TYPE), AFTER, "4.6.3: KeyUpdate with request_update 2"},
    {"empty_appdata_flood", SERVER, s_empty_appdata_flood, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_RECORD_TOO_SMALL), AFTER,
     "5.1: 1000 zero-length application data records in a row"},
    {"ticket_from_client", SERVER, s_ticket_from_client, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_UNEXPECTED_MESSAGE), AFTER, "4.6.1: a NewSessionTicket sent by the client"},

    /* 3 */
    {"hrr_again_without_share", SERVER, s_hrr_again_without_share, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_KEY_SHARE), HS,
     "4.1.2/4.1.4: second ClientHello again without the share asked for; no second HRR"},

    {"hrr_twice_to_client", CLIENT, c_hrr_twice, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_UNEXPECTED_MESSAGE), HS, "4.1.4: a second HelloRetryRequest"},
    {"hrr_without_change_to_client", CLIENT, c_hrr_no_change, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_KEY_SHARE), HS,
     "4.1.4: HelloRetryRequest for the group the client already sent a share for"},

    /* 4 */
    {"early_data_skipped", SERVER, s_early_data_skipped, HP_NO_ALERT, SSL_ERROR_NONE, NO_REASON,
     AFTER, "4.2.10: 0-RTT with a ticket the server cannot open: undecryptable records skipped"},
    {"early_data_too_much", SERVER, s_early_data_too_much, HP_AD_BAD_RECORD_MAC, FAILS,
     REASON(SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC), HS,
     "4.2.10: more undecryptable early data than the server skips (33 x 1000 bytes)"},
    {"early_data_after_hrr_skipped", SERVER, s_early_data_after_hrr_skipped, HP_NO_ALERT,
     SSL_ERROR_NONE, NO_REASON, AFTER,
     "4.2.10: 0-RTT, HRR: application_data records and a CCS skipped until ClientHello2"},
    {"early_data_after_hrr_too_much", SERVER, s_early_data_after_hrr_too_much,
     HP_AD_UNEXPECTED_MESSAGE, FAILS, REASON(SSL_R_UNEXPECTED_RECORD), HS,
     "4.2.10: 0-RTT, HRR, more application_data than the server skips"},
    {"early_data_in_second_hello", SERVER, s_early_data_in_second_hello, HP_AD_ILLEGAL_PARAMETER,
     FAILS, REASON(SSL_R_BAD_PACKET), HS, "4.1.2: the ClientHello after an HRR offers early_data"},

    {"duplicate_extension", SERVER, s_duplicate_extension, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_EXTENSION), HS, "4.2: supported_versions twice in the ClientHello"},
    {"pre_shared_key_not_last", SERVER, s_psk_not_last, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_EXTENSION), HS, "4.2.11: pre_shared_key followed by another extension"},

    /* 5 */
    {"groups_without_key_share", SERVER, s_groups_without_key_share, HP_AD_MISSING_EXTENSION, FAILS,
     REASON(SSL_R_NO_SUITABLE_KEY_SHARE), HS,
     "9.2: ClientHello with supported_groups, without key_share"},
    {"key_share_without_groups", SERVER, s_key_share_without_groups, HP_AD_MISSING_EXTENSION, FAILS,
     REASON(SSL_R_MISSING_SUPPORTED_GROUPS_EXTENSION), HS,
     "9.2: ClientHello with key_share, without supported_groups"},

    /* 6 */
    {"legacy_version_0300", SERVER, s_legacy_version_0300, HP_AD_PROTOCOL_VERSION, FAILS,
     REASON(SSL_R_UNSUPPORTED_PROTOCOL), HS,
     "D.5: ClientHello.legacy_version 0x0300 (supported_versions: TLS 1.3)"},
    {"legacy_version_0200", SERVER, s_legacy_version_0200, HP_AD_PROTOCOL_VERSION, FAILS,
     REASON(SSL_R_UNSUPPORTED_PROTOCOL), HS,
     "D.5: ClientHello.legacy_version 0x0200 (supported_versions: TLS 1.3)"},

    /* 7 */
    {"ccs_inside_client_hello", SERVER, s_ccs_inside_client_hello, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_BAD_CHANGE_CIPHER_SPEC), HS,
     "5: change_cipher_spec between two fragments of the ClientHello"},
    {"ccs_inside_finished", SERVER, s_ccs_inside_finished, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_BAD_CHANGE_CIPHER_SPEC), HS,
     "5: change_cipher_spec between two fragments of the client's Finished"},
    {"warning_inside_client_hello", SERVER, s_warning_inside_client_hello, HP_AD_UNEXPECTED_MESSAGE,
     FAILS, REASON(SSL_R_UNEXPECTED_RECORD), HS,
     "5.1: warning alert (user_canceled) between two fragments of the ClientHello"},
    {"warning_inside_finished", SERVER, s_warning_inside_finished, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_UNEXPECTED_RECORD), HS,
     "5.1: warning alert (user_canceled) between two fragments of the client's Finished"},
    {"appdata_inside_key_update", SERVER, s_appdata_inside_key_update, HP_AD_UNEXPECTED_MESSAGE,
     FAILS, REASON(SSL_R_UNEXPECTED_RECORD), AFTER,
     "5.1: application data between two fragments of a KeyUpdate"},
    {"appdata_inside_ticket", CLIENT, c_appdata_inside_ticket, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_UNEXPECTED_RECORD), AFTER,
     "5.1: application data between two fragments of a NewSessionTicket"},
    {"four_warnings_ok", SERVER, s_four_warnings_ok, HP_NO_ALERT, SSL_ERROR_NONE, NO_REASON, AFTER,
     "6: four warning alerts (user_canceled) in a row, then data: tolerated"},
    {"five_warnings", SERVER, s_five_warnings, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_TOO_MANY_WARN_ALERTS), AFTER, "6: five warning alerts (user_canceled) in a row"},

    {"handshake_message_too_long", SERVER, s_handshake_message_too_long, HP_AD_ILLEGAL_PARAMETER,
     FAILS, REASON(SSL_R_EXCESSIVE_MESSAGE_SIZE), HS,
     "4: a ClientHello header announcing 2^24 - 1 bytes"},

    /* 8 */
    {"appdata_before_client_hello", SERVER, s_appdata_before_client_hello, HP_AD_UNEXPECTED_MESSAGE,
     FAILS, REASON(SSL_R_UNEXPECTED_RECORD), HS,
     "5: application data (1 byte, in the clear) before the ClientHello"},
    {"empty_appdata_before_client_hello", SERVER, s_empty_appdata_before_client_hello,
     HP_AD_UNEXPECTED_MESSAGE, FAILS, REASON(SSL_R_UNEXPECTED_RECORD), HS,
     "5: zero-length application data before the ClientHello"},
    {"appdata_before_client_finished", SERVER, s_appdata_before_client_finished,
     HP_AD_UNEXPECTED_MESSAGE, FAILS, REASON(SSL_R_UNEXPECTED_RECORD), HS,
     "5: application data (handshake key) before the client's Finished"},
    {"empty_appdata_before_client_finished", SERVER, s_empty_appdata_before_client_finished,
     HP_AD_UNEXPECTED_MESSAGE, FAILS, REASON(SSL_R_UNEXPECTED_RECORD), HS,
     "5: zero-length application data before the client's Finished"},
    {"appdata_before_server_hello", CLIENT, c_appdata_before_server_hello, HP_AD_UNEXPECTED_MESSAGE,
     FAILS, REASON(SSL_R_UNEXPECTED_RECORD), HS,
     "5: application data (in the clear) before the ServerHello"},
    {"appdata_before_server_finished", CLIENT, c_appdata_before_server_finished,
     HP_AD_UNEXPECTED_MESSAGE, FAILS, REASON(SSL_R_UNEXPECTED_RECORD), HS,
     "5: application data (handshake key) after EncryptedExtensions"},
    {"empty_appdata_before_server_finished", CLIENT, c_empty_appdata_before_server_finished,
     HP_AD_UNEXPECTED_MESSAGE, FAILS, REASON(SSL_R_UNEXPECTED_RECORD), HS,
     "5: zero-length application data after EncryptedExtensions"},

    /* 9 */
    {"ee_server_name_unsolicited", CLIENT, c_ee_server_name, HP_AD_UNSUPPORTED_EXTENSION, FAILS,
     REASON(SSL_R_UNSOLICITED_EXTENSION), HS,
     "4.2: server_name in EncryptedExtensions, no SNI sent"},
    {"ee_early_data_unsolicited", CLIENT, c_ee_early_data, HP_AD_UNSUPPORTED_EXTENSION, FAILS,
     REASON(SSL_R_UNSOLICITED_EXTENSION), HS,
     "4.2: early_data in EncryptedExtensions, never offered"},
    {"ee_alpn_unsolicited", CLIENT, c_ee_alpn, HP_AD_UNSUPPORTED_EXTENSION, FAILS,
     REASON(SSL_R_UNSOLICITED_EXTENSION), HS, "4.2: ALPN in EncryptedExtensions, none offered"},
    {"sh_pre_shared_key_unsolicited", CLIENT, c_sh_pre_shared_key, HP_AD_UNSUPPORTED_EXTENSION,
     FAILS, REASON(SSL_R_UNSOLICITED_EXTENSION), HS,
     "4.2: pre_shared_key in ServerHello, no PSK offered"},

    /* 10 */
    {"ccs_before_client_hello", SERVER, s_ccs_before_client_hello, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_BAD_CHANGE_CIPHER_SPEC), HS, "5: change_cipher_spec before the ClientHello"},
    {"ccs_twice", SERVER, s_ccs_twice, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_BAD_CHANGE_CIPHER_SPEC), HS, "5: a second change_cipher_spec"},
    {"ccs_value_2", SERVER, s_ccs_value_2, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_BAD_CHANGE_CIPHER_SPEC), HS, "5: change_cipher_spec of value 2"},
    {"ccs_two_bytes", SERVER, s_ccs_two_bytes, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_BAD_CHANGE_CIPHER_SPEC), HS, "5: change_cipher_spec of two bytes"},
    {"ccs_after_client_finished", SERVER, s_ccs_after_client_finished, HP_AD_UNEXPECTED_MESSAGE,
     FAILS, REASON(SSL_R_BAD_CHANGE_CIPHER_SPEC), AFTER,
     "5: change_cipher_spec after the client's Finished"},
    {"ccs_after_server_finished", CLIENT, c_ccs_after_server_finished, HP_AD_UNEXPECTED_MESSAGE,
     FAILS, REASON(SSL_R_BAD_CHANGE_CIPHER_SPEC), AFTER,
     "5: change_cipher_spec after the server's Finished"},
    {"client_hello_straddles_key_change", SERVER, s_client_hello_straddles,
     HP_AD_UNEXPECTED_MESSAGE, FAILS, REASON(SSL_R_NOT_ON_RECORD_BOUNDARY), HS,
     "5.1: ClientHello and more handshake bytes in one record"},
    {"finished_straddles_key_change", SERVER, s_finished_straddles, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_NOT_ON_RECORD_BOUNDARY), HS,
     "5.1: the client's Finished and a KeyUpdate in one record"},
    {"key_update_straddles_key_change", SERVER, s_key_update_straddles, HP_AD_UNEXPECTED_MESSAGE,
     FAILS, REASON(SSL_R_NOT_ON_RECORD_BOUNDARY), AFTER, "5.1: two KeyUpdates in one record"},
    {"server_hello_straddles_key_change", CLIENT, c_server_hello_straddles,
     HP_AD_UNEXPECTED_MESSAGE, FAILS, REASON(SSL_R_NOT_ON_RECORD_BOUNDARY), HS,
     "5.1: ServerHello and EncryptedExtensions in one plaintext record"},
    {"server_finished_straddles_key_change", CLIENT, c_server_finished_straddles,
     HP_AD_UNEXPECTED_MESSAGE, FAILS, REASON(SSL_R_NOT_ON_RECORD_BOUNDARY), HS,
     "5.1: the server's Finished and a NewSessionTicket in one record"},

    /* a message where another is due */
    {"certificate_instead_of_finished", SERVER, s_certificate_instead_of_finished,
     HP_AD_UNEXPECTED_MESSAGE, FAILS, REASON(SSL_R_UNEXPECTED_MESSAGE), HS,
     "4.4: an unrequested client Certificate where the Finished is due"},
    {"client_hello_after_handshake", SERVER, s_client_hello_after_handshake,
     HP_AD_UNEXPECTED_MESSAGE, FAILS, REASON(SSL_R_UNEXPECTED_MESSAGE), AFTER,
     "4: a ClientHello after the handshake (no renegotiation in TLS 1.3)"},
    {"certificate_request_without_pha", CLIENT, c_certificate_request_without_pha,
     HP_AD_UNEXPECTED_MESSAGE, FAILS, REASON(SSL_R_UNEXPECTED_MESSAGE), AFTER,
     "4.6.2: a post-handshake CertificateRequest, post_handshake_auth not offered"},

    /* the ServerHello's fields */
    {"server_hello_group_mismatch", CLIENT, c_sh_group_mismatch, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_KEY_SHARE), HS,
     "4.2.8: ServerHello key_share for a group the client sent no share for"},
    {"server_hello_wrong_session_id", CLIENT, c_sh_wrong_session_id, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_INVALID_SESSION_ID), HS,
     "4.1.3: legacy_session_id_echo differs from the client's"},
    {"server_hello_suite_not_offered", CLIENT, c_sh_suite_not_offered, HP_AD_ILLEGAL_PARAMETER,
     FAILS, REASON(SSL_R_WRONG_CIPHER_RETURNED), HS,
     "4.1.3: ServerHello picks a suite the client did not offer"},
    {"ee_duplicate_extension", CLIENT, c_ee_duplicate_extension, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_EXTENSION), HS, "4.2: supported_groups twice in EncryptedExtensions"},

    /* authentication */
    {"empty_certificate_to_client", CLIENT, c_empty_certificate, HP_AD_DECODE_ERROR, FAILS,
     REASON(SSL_R_NO_CERTIFICATES_RETURNED), HS, "4.4.2.4: the server's Certificate is empty"},
    {"bad_signature_to_client", CLIENT, c_bad_signature, HP_AD_DECRYPT_ERROR, FAILS,
     REASON(SSL_R_BAD_SIGNATURE), HS, "4.4.3: a bit of the server's signature flipped"},
    {"bad_finished_to_client", CLIENT, c_bad_server_finished, HP_AD_DECRYPT_ERROR, FAILS,
     REASON(SSL_R_DIGEST_CHECK_FAILED), HS, "4.4.4: a bit of the server's Finished flipped"},
    {"bad_client_finished", SERVER, s_bad_client_finished, HP_AD_DECRYPT_ERROR, FAILS,
     REASON(SSL_R_DIGEST_CHECK_FAILED), HS, "4.4.4: a bit of the client's Finished flipped"},

    /* the peer's alerts */
    {"fatal_alert_in_handshake", SERVER, s_fatal_alert_in_handshake, HP_NO_ALERT, FAILS,
     REASON(SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE), HS,
     "6: a fatal handshake_failure alert where the Finished is due: no alert in return"},
    {"warning_level_error_alert", SERVER, s_warning_level_error_alert, HP_NO_ALERT, FAILS,
     REASON(SSL_R_SSLV3_ALERT_UNEXPECTED_MESSAGE), AFTER,
     "6: unexpected_message at warning level: an error all the same, no alert in return"},
    {"fatal_alert_to_client", CLIENT, c_fatal_alert_after_handshake, HP_NO_ALERT, FAILS,
     REASON(SSL_R_TLSV1_ALERT_INTERNAL_ERROR), AFTER,
     "6: a fatal internal_error alert after the handshake: no alert in return"},

    /* 11 */
    {"plaintext_record_too_long", SERVER, s_plaintext_record_too_long, HP_AD_RECORD_OVERFLOW, FAILS,
     REASON(SSL_R_PACKET_LENGTH_TOO_LONG), HS, "5.1: plaintext record of 2^14 + 1 bytes"},
    {"plaintext_record_too_long_to_client", CLIENT, c_plaintext_record_too_long,
     HP_AD_RECORD_OVERFLOW, FAILS, REASON(SSL_R_PACKET_LENGTH_TOO_LONG), HS,
     "5.1: plaintext record of 2^14 + 1 bytes, server to client"},
    {"ciphertext_too_long", SERVER, s_ciphertext_too_long, HP_AD_RECORD_OVERFLOW, FAILS,
     REASON(SSL_R_PACKET_LENGTH_TOO_LONG), AFTER, "5.2: protected record of 2^14 + 257 bytes"},
    {"inner_plaintext_too_long", SERVER, s_inner_plaintext_too_long, HP_AD_RECORD_OVERFLOW, FAILS,
     REASON(SSL_R_DATA_LENGTH_TOO_LONG), AFTER,
     "5.2/5.4: protected record holding 2^14 + 1 bytes of content"},
    {"corrupted_record", SERVER, s_corrupted_record, HP_AD_BAD_RECORD_MAC, FAILS,
     REASON(SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC), AFTER, "5.2: a ciphertext bit flipped"},
    {"corrupted_record_to_client", CLIENT, c_corrupted_record, HP_AD_BAD_RECORD_MAC, FAILS,
     REASON(SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC), AFTER,
     "5.2: a ciphertext bit flipped, server to client"},
    {"truncated_alert_plaintext", SERVER, s_truncated_alert_plaintext, HP_AD_DECODE_ERROR, FAILS,
     REASON(SSL_R_BAD_LENGTH), HS, "6: one-byte alert record before the ClientHello"},
    {"truncated_alert_protected", SERVER, s_truncated_alert_protected, HP_AD_DECODE_ERROR, FAILS,
     REASON(SSL_R_BAD_LENGTH), AFTER, "6: one-byte protected alert"},
    {"long_alert_protected", SERVER, s_long_alert_protected, HP_AD_DECODE_ERROR, FAILS,
     REASON(SSL_R_BAD_LENGTH), AFTER, "5.1/6: three-byte protected alert"},
    /* 12 */
    {"key_share_unknown_then_p256", SERVER, s_key_share_unknown_then_p256, HP_NO_ALERT,
     SSL_ERROR_NONE, NO_REASON, AFTER,
     "4.2.8: shares for three unknown groups, then P-256: ServerHello for P-256, no HRR, data "
     "flows"},
    {"many_extensions", SERVER, s_many_extensions, HP_NO_ALERT, SSL_ERROR_NONE, NO_REASON, AFTER,
     "4.2: 1000 empty extensions of unassigned types in the ClientHello: ignored, X25519, data "
     "flows"},

    /* 13 */
    {"key_share_p256_off_curve", SERVER, s_key_share_p256_off_curve, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_ECPOINT), HS, "4.2.8.2: P-256 share (1, 1), not on the curve"},
    {"key_share_p256_compressed", SERVER, s_key_share_p256_compressed, HP_AD_ILLEGAL_PARAMETER,
     FAILS, REASON(SSL_R_BAD_KEY_SHARE), HS,
     "4.2.8.2: P-256 share in the compressed form (33 bytes, prefix 0x02/0x03)"},
    {"key_share_p256_prefix_02", SERVER, s_key_share_p256_prefix_02, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_ECPOINT), HS, "4.2.8.2: P-256 share of 65 bytes with the prefix 0x02"},
    {"key_share_p256_hybrid", SERVER, s_key_share_p256_hybrid, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_ECPOINT), HS,
     "4.2.8.2: P-256 share in the hybrid form (prefix 0x06/0x07), not the uncompressed"},
    {"key_share_x25519_short", SERVER, s_key_share_x25519_short, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_KEY_SHARE), HS, "4.2.8.2: X25519 share of 31 bytes"},
    {"key_share_x25519_long", SERVER, s_key_share_x25519_long, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_KEY_SHARE), HS, "4.2.8.2: X25519 share of 33 bytes"},
    {"key_share_x25519_zero", SERVER, s_key_share_x25519_zero, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_ECPOINT), HS, "7.4.2/RFC 7748 6.1: X25519 share 0: an all-zero secret"},
    {"key_share_x25519_order8", SERVER, s_key_share_x25519_order8, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_ECPOINT), HS,
     "7.4.2/RFC 7748 6.1: X25519 share of order 8 (5f9c95bc...): an all-zero secret"},
    /* TLS 1.2 (scripts in scenarios12.c; RFC 5246 unless named) */
    {"baseline_server_tls12", SERVER, s12_baseline, HP_NO_ALERT, SSL_ERROR_NONE, NO_REASON, AFTER,
     "TLS 1.2: a correct ECDHE-ECDSA-AES128-GCM-SHA256 handshake (X25519, EMS) and an echoed "
     "line"},
    {"baseline_client_tls12", CLIENT, c12_baseline, HP_AD_CLOSE_NOTIFY, SSL_ERROR_ZERO_RETURN,
     NO_REASON, AFTER, "TLS 1.2: a correct handshake, data, close_notify"},
    {"ccs_before_client_key_exchange_tls12", SERVER, s12_ccs_before_cke, HP_AD_UNEXPECTED_MESSAGE,
     FAILS, REASON(SSL_R_CCS_RECEIVED_EARLY), HS,
     "7.1: change_cipher_spec where the ClientKeyExchange is due"},
    {"ccs_twice_tls12", SERVER, s12_ccs_twice, HP_AD_BAD_RECORD_MAC, FAILS,
     REASON(SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC), HS,
     "6.2.3/7.1: a second change_cipher_spec in the clear, after the first turned the keys on"},
    {"ccs_twice_protected_tls12", SERVER, s12_ccs_twice_protected, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_CCS_RECEIVED_EARLY), HS,
     "7.1: a second change_cipher_spec, under the keys the first turned on"},
    {"ccs_value_2_tls12", SERVER, s12_ccs_value_2, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_BAD_CHANGE_CIPHER_SPEC), HS, "7.1: change_cipher_spec of value 2"},
    {"finished_without_ccs_tls12", SERVER, s12_finished_without_ccs, HP_AD_UNEXPECTED_MESSAGE,
     FAILS, REASON(SSL_R_UNEXPECTED_MESSAGE), HS,
     "7.1: the client's Finished in the clear, no change_cipher_spec"},
    {"bad_client_finished_tls12", SERVER, s12_bad_client_finished, HP_AD_DECRYPT_ERROR, FAILS,
     REASON(SSL_R_DIGEST_CHECK_FAILED), HS, "7.4.9: a bit of the client's verify_data flipped"},
    {"cke_empty_point_tls12", SERVER, s12_cke_empty_point, HP_AD_DECODE_ERROR, FAILS,
     REASON(SSL_R_LENGTH_MISMATCH), HS, "RFC 8422 5.7: ClientKeyExchange with an empty point"},
    {"cke_invalid_point_tls12", SERVER, s12_cke_invalid_point, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_ECPOINT), HS,
     "RFC 8422 5.7/RFC 7748 6.1: ClientKeyExchange with the X25519 point 0"},
    {"cke_trailing_bytes_tls12", SERVER, s12_cke_trailing_bytes, HP_AD_DECODE_ERROR, FAILS,
     REASON(SSL_R_LENGTH_MISMATCH), HS, "7.4.7: ClientKeyExchange with a byte after the point"},
    {"appdata_before_client_finished_tls12", SERVER, s12_appdata_before_finished,
     HP_AD_UNEXPECTED_MESSAGE, FAILS, REASON(SSL_R_UNEXPECTED_RECORD), HS,
     "6.2.1/7.4.9: application data after the client's change_cipher_spec, before its Finished"},
    {"cke_straddles_ccs_tls12", SERVER, s12_cke_straddles_ccs, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_BAD_CHANGE_CIPHER_SPEC), HS,
     "7.1: change_cipher_spec between two fragments of the ClientKeyExchange"},
    {"renegotiation_refused_tls12", SERVER, s12_renegotiation_refused, HP_NO_ALERT, SSL_ERROR_NONE,
     NO_REASON, AFTER,
     "RFC 5746/7.2.2: a renegotiating ClientHello: a no_renegotiation warning, then data flows"},
    {"renegotiation_flood_tls12", SERVER, s12_renegotiation_flood, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_UNEXPECTED_MESSAGE), AFTER,
     "129 renegotiating ClientHellos without data: 128 refused with a warning, then the end"},
    {"four_warnings_ok_tls12", SERVER, s12_four_warnings_ok, HP_NO_ALERT, SSL_ERROR_NONE, NO_REASON,
     AFTER, "7.2: four warning alerts (unrecognized_name) in a row, then data: tolerated"},
    {"five_warnings_tls12", SERVER, s12_five_warnings, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_TOO_MANY_WARN_ALERTS), AFTER,
     "7.2: five warning alerts (unrecognized_name) in a row"},
    {"reneg_info_not_empty_tls12", SERVER, s12_reneg_info_not_empty, HP_AD_HANDSHAKE_FAILURE, FAILS,
     REASON(SSL_R_RENEGOTIATION_MISMATCH), HS,
     "RFC 5746 3.6: a first ClientHello whose renegotiation_info is not empty"},
    {"client_hello_tls11", SERVER, s12_client_hello_tls11, HP_AD_PROTOCOL_VERSION, FAILS,
     REASON(SSL_R_UNSUPPORTED_PROTOCOL), HS, "E.1: a TLS 1.1 ClientHello (0x0302)"},
    {"client_hello_tls10", SERVER, s12_client_hello_tls10, HP_AD_PROTOCOL_VERSION, FAILS,
     REASON(SSL_R_UNSUPPORTED_PROTOCOL), HS, "E.1: a TLS 1.0 ClientHello (0x0301)"},
    {"cbc_suites_only_tls12", SERVER, s12_cbc_only, HP_AD_HANDSHAKE_FAILURE, FAILS,
     REASON(SSL_R_NO_SHARED_CIPHER), HS, "7.4.1.2: only ECDHE-ECDSA CBC suites offered"},
    {"static_rsa_suites_only_tls12", SERVER, s12_static_rsa_only, HP_AD_HANDSHAKE_FAILURE, FAILS,
     REASON(SSL_R_NO_SHARED_CIPHER), HS, "7.4.1.2: only static-RSA suites offered"},
    {"fallback_scsv_tls12", SERVER, s12_fallback_scsv, HP_AD_INAPPROPRIATE_FALLBACK, FAILS,
     REASON(SSL_R_INAPPROPRIATE_FALLBACK), HS,
     "RFC 7507 3: TLS_FALLBACK_SCSV in a TLS 1.2 ClientHello to a TLS 1.3 server"},
    {"baseline_dhe_server_tls12", SERVER, s12_baseline_dhe, HP_NO_ALERT, SSL_ERROR_NONE, NO_REASON,
     AFTER, "TLS 1.2: a correct DHE-RSA-AES128-GCM-SHA256 handshake and an echoed line"},
    {"baseline_p256_server_tls12", SERVER, s12_baseline_p256, HP_NO_ALERT, SSL_ERROR_NONE,
     NO_REASON, AFTER, "TLS 1.2: a correct ECDHE handshake on P-256 and an echoed line"},
    {"dhe_yc_zero_tls12", SERVER, s12_dhe_yc_zero, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_DH_VALUE), HS, "7.4.7.2/RFC 7919 5.1: DHE ClientKeyExchange with Yc = 0"},
    {"dhe_yc_one_tls12", SERVER, s12_dhe_yc_one, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_DH_VALUE), HS, "7.4.7.2/RFC 7919 5.1: DHE ClientKeyExchange with Yc = 1"},
    {"dhe_yc_p_minus_1_tls12", SERVER, s12_dhe_yc_p_minus_1, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_DH_VALUE), HS, "7.4.7.2/RFC 7919 5.1: DHE ClientKeyExchange with Yc = p - 1"},
    {"cke_off_curve_tls12", SERVER, s12_cke_off_curve, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_ECPOINT), HS,
     "RFC 8422 5.7: ClientKeyExchange with the P-256 point (1, 1), not on the curve"},
    {"cke_short_point_tls12", SERVER, s12_cke_short_point, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_BAD_KEY_SHARE), HS,
     "RFC 8422 5.7: ClientKeyExchange with a 31-byte X25519 point"},
    {"empty_appdata_flood_tls12", SERVER, s12_empty_appdata_flood, HP_AD_UNEXPECTED_MESSAGE, FAILS,
     REASON(SSL_R_RECORD_TOO_SMALL), AFTER,
     "6.2.1: 1000 zero-length application data records in a row"},
    {"resumption_server_tls12", SERVER, s12_resumption, HP_NO_ALERT, SSL_ERROR_NONE, NO_REASON,
     AFTER, "7.3: a second connection resumes the first's session (EMS) and echoes a line"},
    {"resumption_without_ems_tls12", SERVER, s12_resumption_without_ems, HP_AD_HANDSHAKE_FAILURE,
     FAILS, REASON(SSL_R_INCONSISTENT_EXTMS), HS,
     "RFC 7627 5.3: resuming an EMS session with a ClientHello without extended_master_secret"},
    {"server_hello_no_reneg_info_tls12", CLIENT, c12_sh_no_reneg_info, HP_AD_HANDSHAKE_FAILURE,
     FAILS, REASON(SSL_R_UNSAFE_LEGACY_RENEGOTIATION_DISABLED), HS,
     "RFC 5746 3.4: a ServerHello without renegotiation_info"},
    {"server_hello_suite_not_offered_tls12", CLIENT, c12_sh_suite_not_offered,
     HP_AD_ILLEGAL_PARAMETER, FAILS, REASON(SSL_R_WRONG_CIPHER_RETURNED), HS,
     "7.4.1.3: ServerHello picks ECDHE-ECDSA-NULL-SHA, never offered"},
    {"ske_bad_signature_tls12", CLIENT, c12_ske_bad_signature, HP_AD_DECRYPT_ERROR, FAILS,
     REASON(SSL_R_BAD_SIGNATURE), HS, "7.4.3: a bit of the ServerKeyExchange signature flipped"},
    {"ske_group_not_offered_tls12", CLIENT, c12_ske_group_not_offered, HP_AD_ILLEGAL_PARAMETER,
     FAILS, REASON(SSL_R_WRONG_CURVE), HS,
     "RFC 8422 5.4: ServerKeyExchange on secp256k1, never offered"},
    {"downgrade_sentinel_tls12", CLIENT, c12_downgrade_sentinel, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_INAPPROPRIATE_FALLBACK), HS,
     "RFC 8446 4.1.3: a TLS 1.2 ServerHello.random ending DOWNGRD\\x01, TLS 1.3 offered"},
    {"ccs_before_server_hello_done_tls12", CLIENT, c12_ccs_before_server_hello_done,
     HP_AD_UNEXPECTED_MESSAGE, FAILS, REASON(SSL_R_CCS_RECEIVED_EARLY), HS,
     "7.1: change_cipher_spec where the ServerHelloDone is due"},
    {"bad_server_finished_tls12", CLIENT, c12_bad_server_finished, HP_AD_DECRYPT_ERROR, FAILS,
     REASON(SSL_R_DIGEST_CHECK_FAILED), HS, "7.4.9: a bit of the server's verify_data flipped"},
    {"hello_request_refused_tls12", CLIENT, c12_hello_request_refused, HP_AD_CLOSE_NOTIFY,
     SSL_ERROR_ZERO_RETURN, NO_REASON, AFTER,
     "7.4.1.1: HelloRequest after the handshake: a no_renegotiation warning, then data flows"},
    {"ticket_not_negotiated_tls12", CLIENT, c12_ticket_not_negotiated, HP_AD_UNEXPECTED_MESSAGE,
     FAILS, REASON(SSL_R_UNEXPECTED_MESSAGE), HS,
     "RFC 5077 3.3: NewSessionTicket, the ServerHello without session_ticket"},
    {"server_hello_tls13_suite_tls12", CLIENT, c12_sh_tls13_suite, HP_AD_ILLEGAL_PARAMETER, FAILS,
     REASON(SSL_R_WRONG_CIPHER_RETURNED), HS,
     "7.4.1.3: a TLS 1.2 ServerHello picks TLS_AES_128_GCM_SHA256 (TLS 1.3 only)"},
    {"server_hello_tls11_tls12", CLIENT, c12_sh_version_tls11, HP_AD_PROTOCOL_VERSION, FAILS,
     REASON(SSL_R_UNSUPPORTED_PROTOCOL), HS, "E.1: a TLS 1.1 ServerHello (0x0302)"},
    {"server_hello_ticket_ext_not_empty_tls12", CLIENT, c12_sh_ticket_ext_not_empty,
     HP_AD_DECODE_ERROR, FAILS, REASON(SSL_R_LENGTH_MISMATCH), HS,
     "RFC 5077 3.2: the ServerHello's session_ticket extension is not empty"},
    {"ticket_ext_without_ticket_tls12", CLIENT, c12_ticket_ext_without_ticket,
     HP_AD_UNEXPECTED_MESSAGE, FAILS, REASON(SSL_R_CCS_RECEIVED_EARLY), HS,
     "RFC 5077 3.3: session_ticket in the ServerHello, then change_cipher_spec, no ticket"},
    {"resumption_without_ems_to_client_tls12", CLIENT, c12_resumption_without_ems,
     HP_AD_HANDSHAKE_FAILURE, FAILS, REASON(SSL_R_INCONSISTENT_EXTMS), HS,
     "RFC 7627 5.3: a ServerHello resuming an EMS session without extended_master_secret"},
    {"resumption_other_suite_to_client_tls12", CLIENT, c12_resumption_other_suite,
     HP_AD_ILLEGAL_PARAMETER, FAILS, REASON(SSL_R_OLD_SESSION_CIPHER_NOT_RETURNED), HS,
     "RFC 5246 7.4.1.3: a ServerHello resuming the session with another suite than its own"},
};

const size_t hp_num_scenarios = sizeof(hp_scenarios) / sizeof(hp_scenarios[0]);

const HP_SCENARIO *hp_scenario_find(const char *name)
{
    for (size_t i = 0; i < hp_num_scenarios; i++)
        if (strcmp(hp_scenarios[i].name, name) == 0)
            return &hp_scenarios[i];
    return NULL;
}

int hp_scenario_reconnects(const HP_SCENARIO *sc)
{
    /* the client victim must resume the session of its first connection in the second */
    return sc->run == c12_resumption_without_ems || sc->run == c12_resumption_other_suite;
}

int hp_scenario_run(const HP_SCENARIO *sc, HP *p)
{
    if (!sc->run(p))
        return hp_fail(p, "script stopped early");
    if (sc->alert == HP_NO_ALERT) {
        if (p->alert_level == LEVEL_FATAL)
            return hp_fail(p, "the victim sent alert %s", hp_alert_name(p->alert_desc));
        return 1;
    }
    int got = hp_expect_alert(p);
    if (got < 0)
        return hp_fail(p, "no alert from the victim");
    if (got != sc->alert)
        return hp_fail(p, "the victim sent alert %s (%d), expected %s (%d)", hp_alert_name(got),
                       got, hp_alert_name(sc->alert), sc->alert);
    int want_level = sc->alert == HP_AD_CLOSE_NOTIFY ? LEVEL_WARNING : LEVEL_FATAL;
    if (p->alert_level != want_level)
        return hp_fail(p, "the victim's %s alert has level %d", hp_alert_name(got), p->alert_level);
    return 1;
}

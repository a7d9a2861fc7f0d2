/* unit.conf: SSL_CONF_* (SSL_CONF_cmd and its table, SSL_CONF_cmd_argv,
 * SSL_CONF_cmd_value_type, prefixes, SSL_CONF_CTX_finish) and the CA list
 * (SSL_CTX_set0_CA_list & co.), against OpenSSL 3.0's answers.
 *
 * The tables below were read from the system libssl (3.0.19) with throwaway
 * programs calling the same functions: which command exists for which role
 * and flags (value types), and what each command does to a fresh SSL_CTX
 * (return value, SSL_OP_* set and cleared, SSL_CERT_FLAG_* and verify mode
 * after, the last error's reason with SSL_CONF_FLAG_SHOW_ERRORS).  Only
 * the public API is used: the file is also built against the system libssl
 * and run as unit.conf.openssl ("ctest-control: openssl"), so each
 * expectation is checked against OpenSSL on every run. */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/dh.h>
#include <openssl/pem.h>

#include "testutil.h"
#include "control.h"
#include "pair.h"

/* ---- which commands exist (SSL_CONF_cmd_value_type) ---- */

/* Every name tried (command-line spelling with '-', file spelling without):
 * those below with all-zero types are not OpenSSL 3.0 commands. */
static const char *const k_names[] = {
    "no_ssl3",
    "no_tls1",
    "no_tls1_1",
    "no_tls1_2",
    "no_tls1_3",
    "bugs",
    "no_comp",
    "comp",
    "no_tx_cert_comp",
    "tx_cert_comp",
    "no_rx_cert_comp",
    "rx_cert_comp",
    "ecdh_single",
    "no_ticket",
    "serverpref",
    "legacy_renegotiation",
    "client_renegotiation",
    "legacy_server_connect",
    "no_renegotiation",
    "no_resumption_on_reneg",
    "no_legacy_server_connect",
    "allow_no_dhe_kex",
    "prefer_no_dhe_kex",
    "prioritize_chacha",
    "strict",
    "no_middlebox",
    "anti_replay",
    "no_anti_replay",
    "no_etm",
    "no_ems",
    "legacy_ec_point_formats",
    "ktls",
    "enable_ktls",
    "ignore_unexpected_eof",
    "sigalgs",
    "client_sigalgs",
    "curves",
    "groups",
    "named_curve",
    "cipher",
    "ciphersuites",
    "min_protocol",
    "max_protocol",
    "addCApath",
    "addCAfile",
    "cert",
    "key",
    "chainCApath",
    "chainCAfile",
    "chainCAstore",
    "verifyCApath",
    "verifyCAfile",
    "verifyCAstore",
    "requestCAFile",
    "requestCAStore",
    "dhparam",
    "record_padding",
    "num_tickets",
    "SignatureAlgorithms",
    "ClientSignatureAlgorithms",
    "Curves",
    "Groups",
    "ECDHParameters",
    "CipherString",
    "Ciphersuites",
    "Protocol",
    "MinProtocol",
    "MaxProtocol",
    "Options",
    "VerifyMode",
    "CertValidation",
    "SetValidFlags",
    "SetValidHost",
    "AddValidHost",
    "SetValidIP",
    "AddCAPath",
    "AddCAFile",
    "Certificate",
    "PrivateKey",
    "ServerInfoFile",
    "ChainCAPath",
    "ChainCAFile",
    "ChainCAStore",
    "VerifyCAPath",
    "VerifyCAFile",
    "VerifyCAStore",
    "RequestCAFile",
    "ClientCAFile",
    "RequestCAPath",
    "ClientCAPath",
    "RequestCAStore",
    "ClientCAStore",
    "DHParameters",
    "RecordPadding",
    "NumTickets",
};

static const struct {
    const char *cmd; /* as passed: "-x" on a command line */
    int file;        /* 1: SSL_CONF_FLAG_FILE, 0: SSL_CONF_FLAG_CMDLINE */
    int type[4];     /* client, server, client+certificate, server+certificate */
} k_value_types[] = {
    {"-no_ssl3", 0, {4, 4, 4, 4}},
    {"-no_tls1", 0, {4, 4, 4, 4}},
    {"-no_tls1_1", 0, {4, 4, 4, 4}},
    {"-no_tls1_2", 0, {4, 4, 4, 4}},
    {"-no_tls1_3", 0, {4, 4, 4, 4}},
    {"-bugs", 0, {4, 4, 4, 4}},
    {"-no_comp", 0, {4, 4, 4, 4}},
    {"-comp", 0, {4, 4, 4, 4}},
    {"-ecdh_single", 0, {0, 4, 0, 4}},
    {"-no_ticket", 0, {4, 4, 4, 4}},
    {"-serverpref", 0, {0, 4, 0, 4}},
    {"-legacy_renegotiation", 0, {4, 4, 4, 4}},
    {"-client_renegotiation", 0, {0, 4, 0, 4}},
    {"-legacy_server_connect", 0, {4, 0, 4, 0}},
    {"-no_renegotiation", 0, {4, 4, 4, 4}},
    {"-no_resumption_on_reneg", 0, {0, 4, 0, 4}},
    {"-no_legacy_server_connect", 0, {4, 0, 4, 0}},
    {"-allow_no_dhe_kex", 0, {4, 4, 4, 4}},
    {"-prioritize_chacha", 0, {0, 4, 0, 4}},
    {"-strict", 0, {4, 4, 4, 4}},
    {"-no_middlebox", 0, {4, 4, 4, 4}},
    {"-anti_replay", 0, {0, 4, 0, 4}},
    {"-no_anti_replay", 0, {0, 4, 0, 4}},
    {"-no_etm", 0, {4, 4, 4, 4}},
    {"-sigalgs", 0, {1, 1, 1, 1}},
    {"-client_sigalgs", 0, {1, 1, 1, 1}},
    {"-curves", 0, {1, 1, 1, 1}},
    {"curves", 1, {1, 1, 1, 1}},
    {"-groups", 0, {1, 1, 1, 1}},
    {"groups", 1, {1, 1, 1, 1}},
    {"-named_curve", 0, {0, 1, 0, 1}},
    {"-cipher", 0, {1, 1, 1, 1}},
    {"-ciphersuites", 0, {1, 1, 1, 1}},
    {"ciphersuites", 1, {1, 1, 1, 1}},
    {"-min_protocol", 0, {1, 1, 1, 1}},
    {"-max_protocol", 0, {1, 1, 1, 1}},
    {"-cert", 0, {0, 0, 2, 2}},
    {"-key", 0, {0, 0, 2, 2}},
    {"-chainCApath", 0, {0, 0, 3, 3}},
    {"chainCApath", 1, {0, 0, 3, 3}},
    {"-chainCAfile", 0, {0, 0, 2, 2}},
    {"chainCAfile", 1, {0, 0, 2, 2}},
    {"-chainCAstore", 0, {0, 0, 5, 5}},
    {"chainCAstore", 1, {0, 0, 5, 5}},
    {"-verifyCApath", 0, {0, 0, 3, 3}},
    {"verifyCApath", 1, {0, 0, 3, 3}},
    {"-verifyCAfile", 0, {0, 0, 2, 2}},
    {"verifyCAfile", 1, {0, 0, 2, 2}},
    {"-verifyCAstore", 0, {0, 0, 5, 5}},
    {"verifyCAstore", 1, {0, 0, 5, 5}},
    {"-requestCAFile", 0, {0, 0, 2, 2}},
    {"requestCAFile", 1, {0, 0, 2, 2}},
    {"-requestCAStore", 0, {0, 0, 5, 5}},
    {"requestCAStore", 1, {0, 0, 5, 5}},
    {"-dhparam", 0, {0, 0, 0, 2}},
    {"-record_padding", 0, {1, 1, 1, 1}},
    {"-num_tickets", 0, {0, 1, 0, 1}},
    {"SignatureAlgorithms", 1, {1, 1, 1, 1}},
    {"ClientSignatureAlgorithms", 1, {1, 1, 1, 1}},
    {"Curves", 1, {1, 1, 1, 1}},
    {"Groups", 1, {1, 1, 1, 1}},
    {"ECDHParameters", 1, {0, 1, 0, 1}},
    {"CipherString", 1, {1, 1, 1, 1}},
    {"Ciphersuites", 1, {1, 1, 1, 1}},
    {"Protocol", 1, {1, 1, 1, 1}},
    {"MinProtocol", 1, {1, 1, 1, 1}},
    {"MaxProtocol", 1, {1, 1, 1, 1}},
    {"Options", 1, {1, 1, 1, 1}},
    {"VerifyMode", 1, {1, 1, 1, 1}},
    {"Certificate", 1, {0, 0, 2, 2}},
    {"PrivateKey", 1, {0, 0, 2, 2}},
    {"ServerInfoFile", 1, {0, 0, 0, 2}},
    {"ChainCAPath", 1, {0, 0, 3, 3}},
    {"ChainCAFile", 1, {0, 0, 2, 2}},
    {"ChainCAStore", 1, {0, 0, 5, 5}},
    {"VerifyCAPath", 1, {0, 0, 3, 3}},
    {"VerifyCAFile", 1, {0, 0, 2, 2}},
    {"VerifyCAStore", 1, {0, 0, 5, 5}},
    {"RequestCAFile", 1, {0, 0, 2, 2}},
    {"ClientCAFile", 1, {0, 0, 0, 2}},
    {"RequestCAPath", 1, {0, 0, 3, 3}},
    {"ClientCAPath", 1, {0, 0, 0, 3}},
    {"RequestCAStore", 1, {0, 0, 5, 5}},
    {"ClientCAStore", 1, {0, 0, 0, 5}},
    {"DHParameters", 1, {0, 0, 0, 2}},
    {"RecordPadding", 1, {1, 1, 1, 1}},
    {"NumTickets", 1, {0, 1, 0, 1}},
};

static void test_value_types(void)
{
    static const unsigned roles[4] = {SSL_CONF_FLAG_CLIENT, SSL_CONF_FLAG_SERVER,
                                      SSL_CONF_FLAG_CLIENT | SSL_CONF_FLAG_CERTIFICATE,
                                      SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_CERTIFICATE};
    SSL_CONF_CTX *c = SSL_CONF_CTX_new();
    REQUIRE(c != NULL);
    for (size_t i = 0; i < sizeof(k_names) / sizeof(k_names[0]); i++) {
        for (int file = 0; file < 2; file++) {
            char cmd[100];
            snprintf(cmd, sizeof(cmd), "%s%s", file ? "" : "-", k_names[i]);
            const int *want = NULL;
            static const int none[4] = {0, 0, 0, 0};
            for (size_t j = 0; j < sizeof(k_value_types) / sizeof(k_value_types[0]); j++)
                if (k_value_types[j].file == file && strcmp(k_value_types[j].cmd, cmd) == 0)
                    want = k_value_types[j].type;
            if (want == NULL)
                want = none;
            for (int r = 0; r < 4; r++) {
                SSL_CONF_CTX_clear_flags(c, 0xff);
                SSL_CONF_CTX_set_flags(c, (file ? SSL_CONF_FLAG_FILE : SSL_CONF_FLAG_CMDLINE) |
                                              roles[r]);
                int got = SSL_CONF_cmd_value_type(c, cmd);
                if (!CHECK(got == want[r]))
                    fprintf(stderr, "  %s (%s, role %d): %d, OpenSSL %d\n", cmd,
                            file ? "file" : "cmdline", r, got, want[r]);
            }
        }
    }
    SSL_CONF_CTX_free(c);
}

/* ---- what each command does to an SSL_CTX ---- */

static const struct {
    char role;
    unsigned flags; /* besides SSL_CONF_FLAG_SHOW_ERRORS */
    const char *cmd, *value;
    int ret;
    unsigned long long set, cleared; /* SSL_OP_* */
    unsigned long cert_flags;        /* SSL_CERT_FLAG_* set */
    int verify_mode;                 /* after */
    unsigned long reason;            /* of the last error queued, 0 if none */
} k_cases[] = {
    {'S', 0x9, "-no_ssl3", NULL, 1, 0x2000000ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-no_ssl3", NULL, 1, 0x2000000ULL, 0ULL, 0, 0, 0},
    {'S', 0x9, "-no_tls1", NULL, 1, 0x4000000ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-no_tls1", NULL, 1, 0x4000000ULL, 0ULL, 0, 0, 0},
    {'S', 0x9, "-no_tls1_1", NULL, 1, 0x10000000ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-no_tls1_1", NULL, 1, 0x10000000ULL, 0ULL, 0, 0, 0},
    {'S', 0x9, "-no_tls1_2", NULL, 1, 0x8000000ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-no_tls1_2", NULL, 1, 0x8000000ULL, 0ULL, 0, 0, 0},
    {'S', 0x9, "-no_tls1_3", NULL, 1, 0x20000000ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-no_tls1_3", NULL, 1, 0x20000000ULL, 0ULL, 0, 0, 0},
    {'S', 0x9, "-bugs", NULL, 1, 0x80000850ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-bugs", NULL, 1, 0x80000850ULL, 0ULL, 0, 0, 0},
    {'S', 0x9, "-no_comp", NULL, 1, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-no_comp", NULL, 1, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0x9, "-comp", NULL, 1, 0ULL, 0x20000ULL, 0, 0, 0},
    {'C', 0x5, "-comp", NULL, 1, 0ULL, 0x20000ULL, 0, 0, 0},
    {'S', 0x9, "-ecdh_single", NULL, 1, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-ecdh_single", NULL, -2, 0ULL, 0ULL, 0, 0, 386},
    {'S', 0x9, "-no_ticket", NULL, 1, 0x4000ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-no_ticket", NULL, 1, 0x4000ULL, 0ULL, 0, 0, 0},
    {'S', 0x9, "-serverpref", NULL, 1, 0x400000ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-serverpref", NULL, -2, 0ULL, 0ULL, 0, 0, 386},
    {'S', 0x9, "-legacy_renegotiation", NULL, 1, 0x40000ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-legacy_renegotiation", NULL, 1, 0x40000ULL, 0ULL, 0, 0, 0},
    {'S', 0x9, "-client_renegotiation", NULL, 1, 0x100ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-client_renegotiation", NULL, -2, 0ULL, 0ULL, 0, 0, 386},
    {'S', 0x9, "-legacy_server_connect", NULL, -2, 0ULL, 0ULL, 0, 0, 386},
    {'C', 0x5, "-legacy_server_connect", NULL, 1, 0x4ULL, 0ULL, 0, 0, 0},
    {'S', 0x9, "-no_renegotiation", NULL, 1, 0x40000000ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-no_renegotiation", NULL, 1, 0x40000000ULL, 0ULL, 0, 0, 0},
    {'S', 0x9, "-no_resumption_on_reneg", NULL, 1, 0x10000ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-no_resumption_on_reneg", NULL, -2, 0ULL, 0ULL, 0, 0, 386},
    {'S', 0x9, "-no_legacy_server_connect", NULL, -2, 0ULL, 0ULL, 0, 0, 386},
    {'C', 0x5, "-no_legacy_server_connect", NULL, 1, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0x9, "-allow_no_dhe_kex", NULL, 1, 0x400ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-allow_no_dhe_kex", NULL, 1, 0x400ULL, 0ULL, 0, 0, 0},
    {'S', 0x9, "-prioritize_chacha", NULL, 1, 0x200000ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-prioritize_chacha", NULL, -2, 0ULL, 0ULL, 0, 0, 386},
    {'S', 0x9, "-strict", NULL, 1, 0ULL, 0ULL, 0x1, 0, 0},
    {'C', 0x5, "-strict", NULL, 1, 0ULL, 0ULL, 0x1, 0, 0},
    {'S', 0x9, "-no_middlebox", NULL, 1, 0ULL, 0x100000ULL, 0, 0, 0},
    {'C', 0x5, "-no_middlebox", NULL, 1, 0ULL, 0x100000ULL, 0, 0, 0},
    {'S', 0x9, "-anti_replay", NULL, 1, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-anti_replay", NULL, -2, 0ULL, 0ULL, 0, 0, 386},
    {'S', 0x9, "-no_anti_replay", NULL, 1, 0x1000000ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-no_anti_replay", NULL, -2, 0ULL, 0ULL, 0, 0, 386},
    {'S', 0x9, "-no_etm", NULL, 1, 0x80000ULL, 0ULL, 0, 0, 0},
    {'C', 0x5, "-no_etm", NULL, 1, 0x80000ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "SessionTicket", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "SessionTicket", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "-SessionTicket", 2, 0x4000ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-SessionTicket", 2, 0x4000ULL, 0ULL, 0, 0, 0},
    {'-', 0x2, "Options", "SessionTicket", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "EmptyFragments", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "EmptyFragments", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "-EmptyFragments", 2, 0x800ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-EmptyFragments", 2, 0x800ULL, 0ULL, 0, 0, 0},
    {'-', 0x2, "Options", "EmptyFragments", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "Bugs", 2, 0x80000850ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "Bugs", 2, 0x80000850ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "-Bugs", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-Bugs", 2, 0ULL, 0ULL, 0, 0, 0},
    {'-', 0x2, "Options", "Bugs", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "Compression", 2, 0ULL, 0x20000ULL, 0, 0, 0},
    {'C', 0x6, "Options", "Compression", 2, 0ULL, 0x20000ULL, 0, 0, 0},
    {'S', 0xa, "Options", "-Compression", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-Compression", 2, 0ULL, 0ULL, 0, 0, 0},
    {'-', 0x2, "Options", "Compression", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "ServerPreference", 2, 0x400000ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "ServerPreference", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "-ServerPreference", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-ServerPreference", 0, 0ULL, 0ULL, 0, 0, 384},
    {'-', 0x2, "Options", "ServerPreference", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "NoResumptionOnRenegotiation", 2, 0x10000ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "NoResumptionOnRenegotiation", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "-NoResumptionOnRenegotiation", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-NoResumptionOnRenegotiation", 0, 0ULL, 0ULL, 0, 0, 384},
    {'-', 0x2, "Options", "NoResumptionOnRenegotiation", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "DHSingle", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "DHSingle", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "-DHSingle", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-DHSingle", 0, 0ULL, 0ULL, 0, 0, 384},
    {'-', 0x2, "Options", "DHSingle", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "ECDHSingle", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "ECDHSingle", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "-ECDHSingle", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-ECDHSingle", 0, 0ULL, 0ULL, 0, 0, 384},
    {'-', 0x2, "Options", "ECDHSingle", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "UnsafeLegacyRenegotiation", 2, 0x40000ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "UnsafeLegacyRenegotiation", 2, 0x40000ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "-UnsafeLegacyRenegotiation", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-UnsafeLegacyRenegotiation", 2, 0ULL, 0ULL, 0, 0, 0},
    {'-', 0x2, "Options", "UnsafeLegacyRenegotiation", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "UnsafeLegacyServerConnect", 2, 0x4ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "UnsafeLegacyServerConnect", 2, 0x4ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "-UnsafeLegacyServerConnect", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-UnsafeLegacyServerConnect", 2, 0ULL, 0ULL, 0, 0, 0},
    {'-', 0x2, "Options", "UnsafeLegacyServerConnect", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "ClientRenegotiation", 2, 0x100ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "ClientRenegotiation", 2, 0x100ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "-ClientRenegotiation", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-ClientRenegotiation", 2, 0ULL, 0ULL, 0, 0, 0},
    {'-', 0x2, "Options", "ClientRenegotiation", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "EncryptThenMac", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "EncryptThenMac", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "-EncryptThenMac", 2, 0x80000ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-EncryptThenMac", 2, 0x80000ULL, 0ULL, 0, 0, 0},
    {'-', 0x2, "Options", "EncryptThenMac", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "NoRenegotiation", 2, 0x40000000ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "NoRenegotiation", 2, 0x40000000ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "-NoRenegotiation", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-NoRenegotiation", 2, 0ULL, 0ULL, 0, 0, 0},
    {'-', 0x2, "Options", "NoRenegotiation", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "AllowNoDHEKEX", 2, 0x400ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "AllowNoDHEKEX", 2, 0x400ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "-AllowNoDHEKEX", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-AllowNoDHEKEX", 2, 0ULL, 0ULL, 0, 0, 0},
    {'-', 0x2, "Options", "AllowNoDHEKEX", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "PreferNoDHEKEX", 0, 0ULL, 0ULL, 0, 0, 384},
    {'C', 0x6, "Options", "PreferNoDHEKEX", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "-PreferNoDHEKEX", 0, 0ULL, 0ULL, 0, 0, 384},
    {'C', 0x6, "Options", "-PreferNoDHEKEX", 0, 0ULL, 0ULL, 0, 0, 384},
    {'-', 0x2, "Options", "PreferNoDHEKEX", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "PrioritizeChaCha", 2, 0x200000ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "PrioritizeChaCha", 2, 0x200000ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "-PrioritizeChaCha", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-PrioritizeChaCha", 2, 0ULL, 0ULL, 0, 0, 0},
    {'-', 0x2, "Options", "PrioritizeChaCha", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "MiddleboxCompat", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "MiddleboxCompat", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "-MiddleboxCompat", 2, 0ULL, 0x100000ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-MiddleboxCompat", 2, 0ULL, 0x100000ULL, 0, 0, 0},
    {'-', 0x2, "Options", "MiddleboxCompat", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "AntiReplay", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "AntiReplay", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "-AntiReplay", 2, 0x1000000ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-AntiReplay", 2, 0x1000000ULL, 0ULL, 0, 0, 0},
    {'-', 0x2, "Options", "AntiReplay", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "ExtendedMasterSecret", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "ExtendedMasterSecret", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "-ExtendedMasterSecret", 2, 0x1ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-ExtendedMasterSecret", 2, 0x1ULL, 0ULL, 0, 0, 0},
    {'-', 0x2, "Options", "ExtendedMasterSecret", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "CANames", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "CANames", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "-CANames", 2, 0x200ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-CANames", 2, 0x200ULL, 0ULL, 0, 0, 0},
    {'-', 0x2, "Options", "CANames", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "KTLS", 2, 0x8ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "KTLS", 2, 0x8ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "-KTLS", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-KTLS", 2, 0ULL, 0ULL, 0, 0, 0},
    {'-', 0x2, "Options", "KTLS", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "StrictCertCheck", 0, 0ULL, 0ULL, 0, 0, 384},
    {'C', 0x6, "Options", "StrictCertCheck", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "-StrictCertCheck", 0, 0ULL, 0ULL, 0, 0, 384},
    {'C', 0x6, "Options", "-StrictCertCheck", 0, 0ULL, 0ULL, 0, 0, 384},
    {'-', 0x2, "Options", "StrictCertCheck", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "IgnoreUnexpectedEOF", 0, 0ULL, 0ULL, 0, 0, 384},
    {'C', 0x6, "Options", "IgnoreUnexpectedEOF", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "-IgnoreUnexpectedEOF", 0, 0ULL, 0ULL, 0, 0, 384},
    {'C', 0x6, "Options", "-IgnoreUnexpectedEOF", 0, 0ULL, 0ULL, 0, 0, 384},
    {'-', 0x2, "Options", "IgnoreUnexpectedEOF", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "LegacyECPointFormats", 0, 0ULL, 0ULL, 0, 0, 384},
    {'C', 0x6, "Options", "LegacyECPointFormats", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "-LegacyECPointFormats", 0, 0ULL, 0ULL, 0, 0, 384},
    {'C', 0x6, "Options", "-LegacyECPointFormats", 0, 0ULL, 0ULL, 0, 0, 384},
    {'-', 0x2, "Options", "LegacyECPointFormats", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "TxCertificateCompression", 0, 0ULL, 0ULL, 0, 0, 384},
    {'C', 0x6, "Options", "TxCertificateCompression", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "-TxCertificateCompression", 0, 0ULL, 0ULL, 0, 0, 384},
    {'C', 0x6, "Options", "-TxCertificateCompression", 0, 0ULL, 0ULL, 0, 0, 384},
    {'-', 0x2, "Options", "TxCertificateCompression", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "RxCertificateCompression", 0, 0ULL, 0ULL, 0, 0, 384},
    {'C', 0x6, "Options", "RxCertificateCompression", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "-RxCertificateCompression", 0, 0ULL, 0ULL, 0, 0, 384},
    {'C', 0x6, "Options", "-RxCertificateCompression", 0, 0ULL, 0ULL, 0, 0, 384},
    {'-', 0x2, "Options", "RxCertificateCompression", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "KTLSTxZerocopySendfile", 0, 0ULL, 0ULL, 0, 0, 384},
    {'C', 0x6, "Options", "KTLSTxZerocopySendfile", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "-KTLSTxZerocopySendfile", 0, 0ULL, 0ULL, 0, 0, 384},
    {'C', 0x6, "Options", "-KTLSTxZerocopySendfile", 0, 0ULL, 0ULL, 0, 0, 384},
    {'-', 0x2, "Options", "KTLSTxZerocopySendfile", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "sessionticket", 2, 0ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "sessionticket", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "-sessionticket", 2, 0x4000ULL, 0ULL, 0, 0, 0},
    {'C', 0x6, "Options", "-sessionticket", 2, 0x4000ULL, 0ULL, 0, 0, 0},
    {'-', 0x2, "Options", "sessionticket", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "VerifyMode", "Peer", 0, 0ULL, 0ULL, 0, 0, 384},
    {'C', 0x6, "VerifyMode", "Peer", 2, 0ULL, 0ULL, 0, 1, 0},
    {'S', 0xa, "VerifyMode", "Request", 2, 0ULL, 0ULL, 0, 1, 0},
    {'C', 0x6, "VerifyMode", "Request", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "VerifyMode", "Require", 2, 0ULL, 0ULL, 0, 3, 0},
    {'C', 0x6, "VerifyMode", "Require", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "VerifyMode", "Once", 2, 0ULL, 0ULL, 0, 5, 0},
    {'C', 0x6, "VerifyMode", "Once", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "VerifyMode", "RequestPostHandshake", 2, 0ULL, 0ULL, 0, 9, 0},
    {'C', 0x6, "VerifyMode", "RequestPostHandshake", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "VerifyMode", "RequirePostHandshake", 2, 0ULL, 0ULL, 0, 11, 0},
    {'C', 0x6, "VerifyMode", "RequirePostHandshake", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "VerifyMode", "peer", 0, 0ULL, 0ULL, 0, 0, 384},
    {'C', 0x6, "VerifyMode", "peer", 2, 0ULL, 0ULL, 0, 1, 0},
    {'S', 0xa, "Protocol", "ALL", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "-ALL", 2, 0x3e000000ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "SSLv2", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "-SSLv2", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "SSLv3", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "-SSLv3", 2, 0x2000000ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "TLSv1", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "-TLSv1", 2, 0x4000000ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "TLSv1.1", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "-TLSv1.1", 2, 0x10000000ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "TLSv1.2", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "-TLSv1.2", 2, 0x8000000ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "TLSv1.3", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "-TLSv1.3", 2, 0x20000000ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "DTLSv1", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "-DTLSv1", 2, 0x4000000ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "DTLSv1.2", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "-DTLSv1.2", 2, 0x8000000ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "tlsv1.2", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "-tlsv1.2", 2, 0x8000000ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "-ALL,TLSv1.2", 2, 0x36000000ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "-ALL, TLSv1.2", 2, 0x36000000ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "-ALL,,TLSv1.2", 0, 0x3e000000ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Protocol", "-ALL,TLSv1.2,", 0, 0x36000000ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Protocol", "", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "Options", "Bugs,-SessionTicket", 2, 0x80004850ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "+Bugs", 2, 0x80000850ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", "bugs", 2, 0x80000850ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Protocol", "tlsv1.2", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Options", NULL, -3, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "VerifyMode", NULL, -3, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "CipherString", NULL, -3, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "CipherString", "NOPE", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "MinProtocol", "TLSv1.2", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "MinProtocol", "tlsv1.2", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "MinProtocol", "None", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "MinProtocol", "DTLSv1", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "MaxProtocol", "SSLv2", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "NumTickets", "-1", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "NumTickets", "abc", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "NumTickets", "3x", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "RecordPadding", "16", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "ECDHParameters", "auto", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "ECDHParameters", "automatic", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "ECDHParameters", "P-256:X25519", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "ECDHParameters", "P-256", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "Groups", "nope", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "SignatureAlgorithms", "nope", 0, 0ULL, 0ULL, 0, 0, 384},
    {'S', 0xa, "UnknownCmd", "x", -2, 0ULL, 0ULL, 0, 0, 386},
    {'S', 0xa, "ServerInfoFile", "/nonexist", -2, 0ULL, 0ULL, 0, 0, 386},
    {'S', 0x9, "-named_curve", "auto", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0x9, "named_curve", "auto", -2, 0ULL, 0ULL, 0, 0, 386},
    {'S', 0x9, "-", "auto", -2, 0ULL, 0ULL, 0, 0, 386},
    {'S', 0x9, "-Options", "Bugs", -2, 0ULL, 0ULL, 0, 0, 386},
    {'S', 0x9, NULL, "x", 0, 0ULL, 0ULL, 0, 0, 385},
    {'S', 0xa, "cipher", "DEFAULT", -2, 0ULL, 0ULL, 0, 0, 386},
    {'S', 0xa, "ciphersuites", "TLS_AES_128_GCM_SHA256", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0xa, "CIPHERSTRING", "DEFAULT", 2, 0ULL, 0ULL, 0, 0, 0},
    {'S', 0x9, "-no_ticket", "junk", 1, 0x4000ULL, 0ULL, 0, 0, 0},
};

/* Reasons of errors the setters raise (not SSL_CONF's own): those may be
 * our own reasons, only their presence is compared. */
static int conf_reason(unsigned long r)
{
    return r == SSL_R_BAD_VALUE || r == SSL_R_UNKNOWN_CMD_NAME || r == SSL_R_INVALID_NULL_CMD_NAME;
}

static void test_cmd_table(void)
{
    for (size_t i = 0; i < sizeof(k_cases) / sizeof(k_cases[0]); i++) {
        SSL_CTX *ctx = SSL_CTX_new(TLS_method());
        SSL_CONF_CTX *c = SSL_CONF_CTX_new();
        REQUIRE(ctx != NULL && c != NULL);
        SSL_CONF_CTX_set_flags(c, k_cases[i].flags | SSL_CONF_FLAG_SHOW_ERRORS);
        SSL_CONF_CTX_set_ssl_ctx(c, ctx);
        ERR_clear_error();
        uint64_t o0 = SSL_CTX_get_options(ctx);
        unsigned long cf0 = (unsigned long)SSL_CTX_set_cert_flags(ctx, 0);
        int r = SSL_CONF_cmd(c, k_cases[i].cmd, k_cases[i].value);
        uint64_t o1 = SSL_CTX_get_options(ctx);
        unsigned long cf1 = (unsigned long)SSL_CTX_set_cert_flags(ctx, 0);
        unsigned long e = ERR_peek_last_error();
        unsigned long reason = e != 0 ? (unsigned long)ERR_GET_REASON(e) : 0;
        int ok = r == k_cases[i].ret && (o1 & ~o0) == k_cases[i].set &&
                 (o0 & ~o1) == k_cases[i].cleared && (cf1 ^ cf0) == k_cases[i].cert_flags &&
                 SSL_CTX_get_verify_mode(ctx) == k_cases[i].verify_mode &&
                 (conf_reason(k_cases[i].reason) ? reason == k_cases[i].reason
                                                 : (reason != 0) == (k_cases[i].reason != 0));
        if (!CHECK(ok))
            fprintf(stderr,
                    "  %c %s %s: ret %d set %#llx cleared %#llx cert %#lx verify %d reason %lu;"
                    " OpenSSL %d %#llx %#llx %#lx %d %lu\n",
                    k_cases[i].role, k_cases[i].cmd ? k_cases[i].cmd : "(null)",
                    k_cases[i].value ? k_cases[i].value : "(null)", r,
                    (unsigned long long)(o1 & ~o0), (unsigned long long)(o0 & ~o1), cf1 ^ cf0,
                    SSL_CTX_get_verify_mode(ctx), reason, k_cases[i].ret, k_cases[i].set,
                    k_cases[i].cleared, k_cases[i].cert_flags, k_cases[i].verify_mode,
                    k_cases[i].reason);
        ERR_clear_error();
        SSL_CONF_CTX_free(c);
        SSL_CTX_free(ctx);
    }
}

/* ---- SSL_CONF_cmd_argv, prefixes, no target ---- */

static void test_argv(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL_CONF_CTX *c = SSL_CONF_CTX_new();
    REQUIRE(ctx != NULL && c != NULL);
    SSL_CONF_CTX_set_flags(c, SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_FILE);
    SSL_CONF_CTX_set_ssl_ctx(c, ctx);
    char *args[] = {"-no_ticket", "-cipher", "DEFAULT", "-unknown", "x",
                    "-cipher",    "NOPE",    "-cipher", NULL};
    char **argv = args;
    int argc = 8;
    /* a switch takes one argument, a command two; argv makes it a command line */
    CHECK_EQ_INT(SSL_CONF_cmd_argv(c, &argc, &argv), 1);
    CHECK(argc == 7 && argv == args + 1);
    CHECK_EQ_INT(SSL_CONF_CTX_set_flags(c, 0), SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_CMDLINE);
    CHECK(SSL_CTX_get_options(ctx) & SSL_OP_NO_TICKET);
    CHECK_EQ_INT(SSL_CONF_cmd_argv(c, &argc, &argv), 2);
    CHECK(argc == 5 && argv == args + 3);
    /* not ours: nothing consumed */
    CHECK_EQ_INT(SSL_CONF_cmd_argv(c, &argc, &argv), 0);
    CHECK(argc == 5 && argv == args + 3);
    argv += 2, argc -= 2;
    /* a bad value: -1, nothing consumed; a missing value: -1 too (-3 inside) */
    CHECK_EQ_INT(SSL_CONF_cmd_argv(c, &argc, &argv), -1);
    CHECK(argc == 3 && argv == args + 5);
    argv += 2, argc -= 2;
    CHECK_EQ_INT(SSL_CONF_cmd_argv(c, &argc, &argv), -3);
    argc = 0;
    CHECK_EQ_INT(SSL_CONF_cmd_argv(c, &argc, &argv), 0);
    char **a2 = args;
    CHECK_EQ_INT(SSL_CONF_cmd_argv(c, NULL, &a2), 1); /* no count: the array's own end */
    ERR_clear_error();

    /* a prefix replaces the command line's '-' (case matters there) */
    CHECK_EQ_INT(SSL_CONF_CTX_set1_prefix(c, "--ssl-"), 1);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "--ssl-no_tls1", NULL), 1);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "-no_tls1", NULL), -2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "--ssl-", NULL), -2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "--SSL-no_tls1", NULL), -2);
    /* in a file it is matched without case */
    SSL_CONF_CTX_clear_flags(c, SSL_CONF_FLAG_CMDLINE);
    SSL_CONF_CTX_set_flags(c, SSL_CONF_FLAG_FILE);
    CHECK_EQ_INT(SSL_CONF_CTX_set1_prefix(c, "SSL"), 1);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "sslOptions", "Bugs"), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Options", "Bugs"), -2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "SSL", "x"), -2);
    CHECK_EQ_INT(SSL_CONF_CTX_set1_prefix(c, NULL), 1);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Options", "Bugs"), 2);
    CHECK_EQ_INT(SSL_CONF_CTX_clear_flags(c, 0xffff), 0);
    ERR_clear_error();
    SSL_CONF_CTX_free(c);
    SSL_CTX_free(ctx);
}

/* Without an SSL_CTX or SSL: list syntax is checked, the rest succeeds or
 * fails as OpenSSL's. */
static void test_no_target(void)
{
    static const struct {
        const char *cmd, *value;
        int ret;
    } cases[] = {
        {"CipherString", "DEFAULT", 2},
        {"CipherString", "NOPE", 2},
        {"SignatureAlgorithms", "ECDSA+SHA256", 2},
        {"SignatureAlgorithms", "nope", 0},
        {"MinProtocol", "TLSv1.2", 0},
        {"NumTickets", "2", 0},
        {"Certificate", "/nonexistent", 2},
        {"VerifyCAFile", "/nonexistent", 2},
        {"Options", "Bugs", 2},
        {"Protocol", "-TLSv1", 2},
        {"ECDHParameters", "P-256", 2},
        {"RecordPadding", "16", 0},
        {"DHParameters", "/nonexistent", 2},
        {"RequestCAFile", "/nonexistent", 0},
    };
    SSL_CONF_CTX *c = SSL_CONF_CTX_new();
    REQUIRE(c != NULL);
    SSL_CONF_CTX_set_flags(c, SSL_CONF_FLAG_CLIENT | SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_FILE |
                                  SSL_CONF_FLAG_CERTIFICATE);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int r = SSL_CONF_cmd(c, cases[i].cmd, cases[i].value);
        if (!CHECK(r == cases[i].ret))
            fprintf(stderr, "  %s=%s: %d, OpenSSL %d\n", cases[i].cmd, cases[i].value, r,
                    cases[i].ret);
    }
    CHECK_EQ_INT(SSL_CONF_CTX_finish(c), 1);
    ERR_clear_error();
    SSL_CONF_CTX_free(c);
    SSL_CONF_CTX_free(NULL);
}

/* An SSL as the target: its own settings change, not its SSL_CTX's. */
static void test_ssl_target(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *s = ctx != NULL ? SSL_new(ctx) : NULL;
    SSL_CONF_CTX *c = SSL_CONF_CTX_new();
    REQUIRE(s != NULL && c != NULL);
    SSL_CONF_CTX_set_flags(c, SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_FILE);
    SSL_CONF_CTX_set_ssl(c, s);
    uint64_t ctx_opts = SSL_CTX_get_options(ctx);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Options", "-SessionTicket"), 2);
    CHECK(SSL_get_options(s) & SSL_OP_NO_TICKET);
    CHECK(SSL_CTX_get_options(ctx) == ctx_opts);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "MinProtocol", "TLSv1.3"), 2);
    CHECK_EQ_INT(SSL_get_min_proto_version(s), TLS1_3_VERSION);
    CHECK_EQ_INT(SSL_CTX_get_min_proto_version(ctx), 0);
    /* VerifyMode adds to the mode (the callback stays) */
    CHECK_EQ_INT(SSL_CONF_cmd(c, "VerifyMode", "Request,Once"), 2);
    CHECK_EQ_INT(SSL_get_verify_mode(s), SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "VerifyMode", "-Once"), 2); /* both of its bits */
    CHECK_EQ_INT(SSL_get_verify_mode(s), 0);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "NumTickets", "5"), 2);
    CHECK_EQ_INT(SSL_get_num_tickets(s), 5);
    CHECK_EQ_INT(SSL_CTX_get_num_tickets(ctx), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Groups", "P-384:X25519"), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Ciphersuites", "TLS_AES_128_GCM_SHA256"), 2);
    STACK_OF(SSL_CIPHER) *ciphers = SSL_get_ciphers(s);
    CHECK(ciphers != NULL && strcmp(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, 0)),
                                    "TLS_AES_128_GCM_SHA256") == 0);
    CHECK_EQ_INT(SSL_CONF_CTX_finish(c), 1);
    SSL_CONF_CTX_free(c);
    SSL_free(s);
    SSL_CTX_free(ctx);
}

/* The protocol bounds as OpenSSL's ssl_set_version_bound sets them: a DTLS
 * version is valid and ignored by a TLS object, an unknown one fails. */
static void test_version_bounds(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    REQUIRE(ctx != NULL);
    CHECK_EQ_INT(SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION), 1);
    CHECK_EQ_INT(SSL_CTX_get_min_proto_version(ctx), 0);
    CHECK_EQ_INT(SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION), 1);
    CHECK_EQ_INT(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
    CHECK_EQ_INT(SSL_CTX_set_min_proto_version(ctx, 0x305), 0);
    CHECK_EQ_INT(SSL_CTX_set_min_proto_version(ctx, DTLS1_BAD_VER), 1);
    CHECK_EQ_INT(SSL_CTX_set_min_proto_version(ctx, 0x200), 0);
    CHECK_EQ_INT(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
    CHECK_EQ_INT(SSL_CTX_set_max_proto_version(ctx, 0), 1);
    CHECK_EQ_INT(SSL_CTX_get_max_proto_version(ctx), 0);

    SSL_CONF_CTX *c = SSL_CONF_CTX_new();
    SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
    REQUIRE(c != NULL && sctx != NULL);
    SSL_CONF_CTX_set_flags(c, SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_CMDLINE);
    SSL_CONF_CTX_set_ssl_ctx(c, sctx);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "-min_protocol", "TLSv1.3"), 2);
    CHECK_EQ_INT(SSL_CTX_get_min_proto_version(sctx), TLS1_3_VERSION);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "-min_protocol", "DTLSv1"), 2); /* valid, not for TLS */
    CHECK_EQ_INT(SSL_CTX_get_min_proto_version(sctx), TLS1_3_VERSION);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "-max_protocol", "tlsv1.2"), 0); /* names are case-sensitive */
    ERR_clear_error();

    /* SSL_CERT_FLAG_*: kept and reported */
    CHECK_EQ_INT(SSL_CTX_set_cert_flags(ctx, SSL_CERT_FLAG_TLS_STRICT), SSL_CERT_FLAG_TLS_STRICT);
    CHECK_EQ_INT(SSL_CTX_set_cert_flags(ctx, 0), SSL_CERT_FLAG_TLS_STRICT);
    CHECK_EQ_INT(SSL_CTX_clear_cert_flags(ctx, SSL_CERT_FLAG_TLS_STRICT), 0);
    CHECK_EQ_INT(SSL_CTX_set_cipher_list(ctx, "SUITEB128"), 1);
    CHECK_EQ_INT(SSL_CTX_set_cert_flags(ctx, 0), SSL_CERT_FLAG_SUITEB_128_LOS);
    SSL *s = SSL_new(ctx);
    REQUIRE(s != NULL);
    CHECK_EQ_INT(SSL_set_cert_flags(s, 0), SSL_CERT_FLAG_SUITEB_128_LOS);
    CHECK_EQ_INT(SSL_clear_cert_flags(s, SSL_CERT_FLAG_SUITEB_128_LOS), 0);
    SSL_free(s);
    SSL_CONF_CTX_free(c);
    SSL_CTX_free(sctx);
    SSL_CTX_free(ctx);
}

/* ---- commands reading files; the CA list ---- */

static char g_dir[64];

static void write_pem(const char *name, X509 *x, EVP_PKEY *key)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", g_dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return;
    if (x != NULL)
        PEM_write_X509(f, x);
    if (key != NULL)
        PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
    fclose(f);
}

static const char *path_of(const char *name)
{
    static char path[4][128];
    static int i;
    i = (i + 1) % 4;
    snprintf(path[i], sizeof(path[i]), "%s/%s", g_dir, name);
    return path[i];
}

static int make_files(TEST_PKI *pki)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/sesame-unit-conf.XXXXXX");
    if (mkdtemp(g_dir) == NULL)
        return 0;
    pair_pki_init(pki);
    write_pem("leaf.pem", pki->leaf, NULL);
    write_pem("leaf.key", NULL, pki->leaf_key);
    write_pem("leaf-and-key.pem", pki->leaf, pki->leaf_key); /* key in the certificate's file */
    write_pem("ca.pem", pki->ca, NULL);
    char cadir[128];
    snprintf(cadir, sizeof(cadir), "%s/cas", g_dir);
    mkdir(cadir, 0700);
    write_pem("cas/ca.pem", pki->ca, NULL);
    write_pem("cas/leaf.pem", pki->leaf, NULL);
    write_pem("cas/also-ca.pem", pki->ca, NULL); /* the same name twice: listed once */
    FILE *f = fopen(path_of("cas/junk.txt"), "w");
    if (f != NULL) {
        fputs("not a certificate\n", f);
        fclose(f);
    }
    /* DH parameters (RFC 7919 ffdhe2048) */
    EVP_PKEY *dh = NULL;
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    if (pc == NULL || EVP_PKEY_paramgen_init(pc) <= 0 ||
        EVP_PKEY_CTX_set_dh_nid(pc, NID_ffdhe2048) <= 0 || EVP_PKEY_paramgen(pc, &dh) <= 0)
        dh = NULL;
    EVP_PKEY_CTX_free(pc);
    BIO *b = BIO_new_file(path_of("dh.pem"), "w");
    int ok = dh != NULL && b != NULL && PEM_write_bio_Parameters(b, dh);
    BIO_free(b);
    EVP_PKEY_free(dh);
    return ok;
}

static void remove_files(void)
{
    static const char *names[] = {"leaf.pem",        "leaf.key",     "leaf-and-key.pem",
                                  "ca.pem",          "cas/ca.pem",   "cas/leaf.pem",
                                  "cas/also-ca.pem", "cas/junk.txt", "dh.pem"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        unlink(path_of(names[i]));
    rmdir(path_of("cas"));
    rmdir(g_dir);
}

static int name_is(const STACK_OF(X509_NAME) * sk, int i, const X509 *x)
{
    return i < sk_X509_NAME_num(sk) &&
           X509_NAME_cmp(sk_X509_NAME_value(sk, i), X509_get_subject_name(x)) == 0;
}

static void test_certificate_commands(void)
{
    TEST_PKI pki;
    REQUIRE(make_files(&pki));
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL_CONF_CTX *c = SSL_CONF_CTX_new();
    REQUIRE(ctx != NULL && c != NULL);
    /* what SSL_CTX_config sets: a file, certificates allowed, keys required */
    SSL_CONF_CTX_set_flags(c, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_SERVER |
                                  SSL_CONF_FLAG_CERTIFICATE | SSL_CONF_FLAG_REQUIRE_PRIVATE |
                                  SSL_CONF_FLAG_SHOW_ERRORS);
    SSL_CONF_CTX_set_ssl_ctx(c, ctx);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "Certificate", path_of("leaf-and-key.pem")), 2);
    CHECK(SSL_CTX_get0_privatekey(ctx) == NULL);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "VerifyCAFile", path_of("ca.pem")), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "ChainCAFile", path_of("ca.pem")), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "VerifyCAPath", path_of("cas")), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "VerifyCAFile", path_of("missing.pem")), 0);
    ERR_clear_error();
    CHECK_EQ_INT(SSL_CONF_cmd(c, "RequestCAFile", path_of("ca.pem")), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "ClientCAPath", path_of("cas")), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "DHParameters", path_of("dh.pem")), 2);
    CHECK_EQ_INT(SSL_CONF_cmd(c, "DHParameters", path_of("leaf.pem")), 0);
    ERR_clear_error();
    CHECK_EQ_INT(sk_X509_NAME_num(SSL_CTX_get0_CA_list(ctx)), 0); /* set at finish */
    /* finish: the key comes from the certificate's file; the names become
     * the CA list */
    CHECK_EQ_INT(SSL_CONF_CTX_finish(c), 1);
    CHECK(SSL_CTX_get0_privatekey(ctx) != NULL && SSL_CTX_check_private_key(ctx) == 1);
    const STACK_OF(X509_NAME) *cas = SSL_CTX_get0_CA_list(ctx);
    CHECK_EQ_INT(sk_X509_NAME_num(cas), 2);
    CHECK(name_is(cas, 0, pki.ca));
    CHECK(name_is(cas, 1, pki.leaf) || name_is(cas, 1, pki.ca));
    X509_STORE *st = NULL;
    CHECK(SSL_CTX_get0_verify_cert_store(ctx, &st) == 1 && st != NULL);
    st = NULL;
    CHECK(SSL_CTX_get0_chain_cert_store(ctx, &st) == 1 && st != NULL);

    /* without SSL_CONF_FLAG_REQUIRE_PRIVATE nothing is loaded at finish;
     * without SSL_CONF_FLAG_CERTIFICATE the commands do not exist */
    SSL_CTX *ctx2 = SSL_CTX_new(TLS_server_method());
    SSL_CONF_CTX *c2 = SSL_CONF_CTX_new();
    REQUIRE(ctx2 != NULL && c2 != NULL);
    SSL_CONF_CTX_set_flags(c2, SSL_CONF_FLAG_CMDLINE | SSL_CONF_FLAG_SERVER);
    SSL_CONF_CTX_set_ssl_ctx(c2, ctx2);
    CHECK_EQ_INT(SSL_CONF_cmd(c2, "-cert", path_of("leaf.pem")), -2);
    SSL_CONF_CTX_set_flags(c2, SSL_CONF_FLAG_CERTIFICATE);
    CHECK_EQ_INT(SSL_CONF_cmd(c2, "-cert", path_of("leaf-and-key.pem")), 2);
    CHECK_EQ_INT(SSL_CONF_CTX_finish(c2), 1);
    CHECK(SSL_CTX_get0_privatekey(ctx2) == NULL);
    CHECK_EQ_INT(SSL_CONF_cmd(c2, "-key", path_of("leaf.key")), 2);
    CHECK(SSL_CTX_check_private_key(ctx2) == 1);
    SSL_CONF_CTX_free(c2);
    SSL_CTX_free(ctx2);

    SSL_CONF_CTX_free(c);
    SSL_CTX_free(ctx);
    remove_files();
    pair_pki_free(&pki);
}

static void test_ca_list_api(void)
{
    TEST_PKI pki;
    REQUIRE(make_files(&pki));
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    REQUIRE(ctx != NULL);
    /* a new SSL_CTX has an empty list */
    CHECK(SSL_CTX_get0_CA_list(ctx) != NULL && sk_X509_NAME_num(SSL_CTX_get0_CA_list(ctx)) == 0);
    CHECK_EQ_INT(SSL_CTX_add1_to_CA_list(ctx, pki.ca), 1);
    CHECK_EQ_INT(SSL_CTX_add1_to_CA_list(ctx, pki.ca), 1); /* no check for duplicates */
    CHECK_EQ_INT(sk_X509_NAME_num(SSL_CTX_get0_CA_list(ctx)), 2);
    SSL *s = SSL_new(ctx);
    REQUIRE(s != NULL);
    /* an SSL without its own list reports its SSL_CTX's */
    CHECK(SSL_get0_CA_list(s) == SSL_CTX_get0_CA_list(ctx));
    CHECK_EQ_INT(SSL_add1_to_CA_list(s, pki.leaf), 1);
    CHECK_EQ_INT(sk_X509_NAME_num(SSL_get0_CA_list(s)), 1);
    CHECK(name_is(SSL_get0_CA_list(s), 0, pki.leaf));
    STACK_OF(X509_NAME) *dup = SSL_dup_CA_list(SSL_CTX_get0_CA_list(ctx));
    CHECK(dup != NULL && sk_X509_NAME_num(dup) == 2 && name_is(dup, 0, pki.ca) &&
          sk_X509_NAME_value(dup, 0) != sk_X509_NAME_value(SSL_CTX_get0_CA_list(ctx), 0));
    SSL_set0_CA_list(s, dup);
    CHECK(SSL_get0_CA_list(s) == dup);
    SSL_CTX_set0_CA_list(ctx, NULL);
    CHECK(SSL_CTX_get0_CA_list(ctx) == NULL);
    CHECK(SSL_get0_peer_CA_list(s) == NULL);

    /* names from a directory (every file; the junk adds nothing) and from a
     * store URI */
    STACK_OF(X509_NAME) *sk = sk_X509_NAME_new_null();
    REQUIRE(sk != NULL);
    CHECK_EQ_INT(SSL_add_dir_cert_subjects_to_stack(sk, path_of("cas")), 1);
    CHECK_EQ_INT(sk_X509_NAME_num(sk), 2);
    CHECK_EQ_INT(SSL_add_dir_cert_subjects_to_stack(sk, path_of("cas")), 1);
    CHECK_EQ_INT(sk_X509_NAME_num(sk), 2);
    CHECK_EQ_INT(SSL_add_dir_cert_subjects_to_stack(sk, path_of("nodir")), 0);
    ERR_clear_error();
    sk_X509_NAME_pop_free(sk, X509_NAME_free);
    sk = sk_X509_NAME_new_null();
    REQUIRE(sk != NULL);
    char uri[200];
    snprintf(uri, sizeof(uri), "file:%s", path_of("ca.pem"));
    CHECK_EQ_INT(SSL_add_store_cert_subjects_to_stack(sk, uri), 1);
    CHECK_EQ_INT(sk_X509_NAME_num(sk), 1);
    CHECK(name_is(sk, 0, pki.ca));
    CHECK_EQ_INT(SSL_add_store_cert_subjects_to_stack(sk, path_of("cas")), 1);
    CHECK_EQ_INT(sk_X509_NAME_num(sk), 2);
    sk_X509_NAME_pop_free(sk, X509_NAME_free);
    ERR_clear_error();

    SSL_free(s);
    SSL_CTX_free(ctx);
    remove_files();
    pair_pki_free(&pki);
}

/* A server's CertificateRequest names its client CA list, or its CA list
 * when it has no client CA list; the client keeps them
 * (SSL_get0_peer_CA_list, SSL_get_client_CA_list) and, in TLS 1.2, the
 * certificate types (SSL_get0_certificate_types). */
static void ca_names_handshake(int version)
{
    TEST_PKI pki;
    pair_pki_init(&pki);
    SSL_CTX *sctx = pair_server_ctx(&pki), *cctx = pair_client_ctx(&pki);
    SSL *c = NULL, *s = NULL;
    REQUIRE(sctx != NULL && cctx != NULL);
    SSL_CTX_set_max_proto_version(sctx, version);
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER, NULL);
    CHECK_EQ_INT(SSL_CTX_add1_to_CA_list(sctx, pki.leaf), 1);
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    REQUIRE(pair_handshake(c, s));
    const STACK_OF(X509_NAME) *got = SSL_get0_peer_CA_list(c);
    CHECK(sk_X509_NAME_num(got) == 1 && name_is(got, 0, pki.leaf));
    CHECK(SSL_get_client_CA_list(c) == got);
    CHECK(SSL_get0_peer_CA_list(s) == NULL); /* our client sends none */
    const unsigned char *types = NULL;
    int ntypes = (int)SSL_get0_certificate_types(c, &types);
    if (version == TLS1_2_VERSION)
        CHECK(ntypes >= 1 && types != NULL);
    else
        CHECK_EQ_INT(ntypes, 0);
    SSL_free(c);
    SSL_free(s);

    /* a client CA list wins */
    STACK_OF(X509_NAME) *cl = sk_X509_NAME_new_null();
    REQUIRE(cl != NULL);
    sk_X509_NAME_push(cl, X509_NAME_dup(X509_get_subject_name(pki.ca)));
    SSL_CTX_set_client_CA_list(sctx, cl);
    REQUIRE(pair_new(cctx, sctx, &c, &s));
    REQUIRE(pair_handshake(c, s));
    got = SSL_get0_peer_CA_list(c);
    CHECK(sk_X509_NAME_num(got) == 1 && name_is(got, 0, pki.ca));
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    pair_pki_free(&pki);
}

static void test_ca_names_tls13(void)
{
    ca_names_handshake(TLS1_3_VERSION);
}

static void test_ca_names_tls12(void)
{
    ca_names_handshake(TLS1_2_VERSION);
}

TEST_MAIN({
    CONTROL_RUN();
    RUN(test_value_types);
    RUN(test_cmd_table);
    RUN(test_argv);
    RUN(test_no_target);
    RUN(test_ssl_target);
    RUN(test_version_bounds);
    RUN(test_certificate_commands);
    RUN(test_ca_list_api);
    RUN(test_ca_names_tls13);
    RUN(test_ca_names_tls12);
})

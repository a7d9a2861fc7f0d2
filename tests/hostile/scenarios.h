/* scenarios.h - the hostile peer's rules: one row per rule of RFC 8446 (for TLS 1.2, of RFC
 * 5246 and its extensions) a peer can break, with what the victim (our library) must answer.
 * The table is in scenarios.c; the drivers are tests/unit/test_hostile.c (in-process, memory
 * BIOs) and tests/hostile/hostile_peer.c (over TCP, against the sesame CLI;
 * tests/interop/test_hostile.sh).  docs/testing.md lists the rows. */
#ifndef SESAME_TESTS_HOSTILE_SCENARIOS_H
#define SESAME_TESTS_HOSTILE_SCENARIOS_H

#include "peer.h"

enum hp_victim {
    HP_VICTIM_SERVER = 0, /* the peer is a client; our library (or sesame s_server) serves */
    HP_VICTIM_CLIENT = 1  /* the peer is a server; our library (or sesame s_client) connects */
};

/* Where the victim's caller sees the failure: SSL_do_handshake (SSL_accept/SSL_connect), or
 * SSL_read after a completed handshake. */
enum hp_phase { HP_PHASE_HANDSHAKE = 0, HP_PHASE_AFTER = 1 };

/* HP_NO_ALERT: the victim must not send a fatal alert (the script checks the success). */
#define HP_NO_ALERT (-1)

typedef struct {
    const char *name; /* unique, [a-z0-9_] */
    int victim;       /* enum hp_victim */
    int (*run)(HP *p);
    /* what the victim must do */
    int alert;     /* AlertDescription it sends (fatal), HP_AD_CLOSE_NOTIFY, or HP_NO_ALERT */
    int ssl_error; /* SSL_get_error its caller sees (SSL_ERROR_NONE: no failure) */
    int reason;    /* SSL_R_* first in its error queue (0: none expected) */
    const char *reason_name; /* "SSL_R_..." (REASON() in scenarios.c fills both) */
    int phase;               /* enum hp_phase */
    const char *rule;        /* RFC 8446 section: what the peer does */
} HP_SCENARIO;

extern const HP_SCENARIO hp_scenarios[];
extern const size_t hp_num_scenarios;

/* hp_scenario_find: the row named |name|, or NULL. */
const HP_SCENARIO *hp_scenario_find(const char *name);

/* hp_scenario_reconnects: 1 when the row's victim is a client that must connect twice (it
 * resumes the first connection's session in the second: HP_CTL_RECONNECT). */
int hp_scenario_reconnects(const HP_SCENARIO *sc);

/* hp_scenario_run runs the row's script on |p| (initialised for the peer's role), then reads
 * the victim's alert: 1 when the peer saw what the row expects, else 0 with p->why. */
int hp_scenario_run(const HP_SCENARIO *sc, HP *p);

/* The echo the in-process victim server gives, as `sesame s_server -rev` does: each line it
 * reads comes back reversed. */
#define HP_PING      "ping\n"
#define HP_PING_ECHO "gnip\n"

/* hp_ping_echo: HP_PING sent, HP_PING_ECHO must come back (p->appdata collects it). */
int hp_ping_echo(HP *p);

#endif

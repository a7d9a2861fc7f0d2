/* scenarios12.h - the hostile peer's TLS 1.2 scripts (scenarios12.c); their rows are in
 * scenarios.c's table with the others.  s12_*: the victim is a server, c12_*: a client. */
#ifndef SESAME_TESTS_HOSTILE_SCENARIOS12_H
#define SESAME_TESTS_HOSTILE_SCENARIOS12_H

#include "peer.h"

int s12_baseline(HP *p);
int c12_baseline(HP *p);

int s12_ccs_before_cke(HP *p);
int s12_ccs_twice(HP *p);
int s12_ccs_twice_protected(HP *p);
int s12_ccs_value_2(HP *p);
int s12_finished_without_ccs(HP *p);
int s12_bad_client_finished(HP *p);
int s12_cke_empty_point(HP *p);
int s12_cke_invalid_point(HP *p);
int s12_cke_trailing_bytes(HP *p);
int s12_appdata_before_finished(HP *p);
int s12_cke_straddles_ccs(HP *p);
int s12_renegotiation_refused(HP *p);
int s12_renegotiation_flood(HP *p);
int s12_four_warnings_ok(HP *p);
int s12_five_warnings(HP *p);
int s12_reneg_info_not_empty(HP *p);
int s12_client_hello_tls11(HP *p);
int s12_client_hello_tls10(HP *p);
int s12_cbc_only(HP *p);
int s12_static_rsa_only(HP *p);
int s12_fallback_scsv(HP *p);
int s12_baseline_dhe(HP *p);
int s12_baseline_p256(HP *p);
int s12_dhe_yc_zero(HP *p);
int s12_dhe_yc_one(HP *p);
int s12_dhe_yc_p_minus_1(HP *p);
int s12_cke_off_curve(HP *p);
int s12_cke_short_point(HP *p);
int s12_empty_appdata_flood(HP *p);
int s12_resumption(HP *p);
int s12_resumption_without_ems(HP *p);

int c12_sh_no_reneg_info(HP *p);
int c12_sh_suite_not_offered(HP *p);
int c12_ske_bad_signature(HP *p);
int c12_ske_group_not_offered(HP *p);
int c12_downgrade_sentinel(HP *p);
int c12_ccs_before_server_hello_done(HP *p);
int c12_bad_server_finished(HP *p);
int c12_hello_request_refused(HP *p);
int c12_ticket_not_negotiated(HP *p);
int c12_sh_tls13_suite(HP *p);
int c12_sh_version_tls11(HP *p);
int c12_sh_ticket_ext_not_empty(HP *p);
int c12_ticket_ext_without_ticket(HP *p);
int c12_resumption_without_ems(HP *p);
int c12_resumption_other_suite(HP *p);

#endif

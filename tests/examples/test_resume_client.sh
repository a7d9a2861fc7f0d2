#!/usr/bin/env bash
# examples.resume_client: examples/resume_client (docs/sessions.md), built against our
# libssl.so.3, keeps the first connection's session through the new-session callback and
# resumes it in the second: in-process (-demo), against sesame s_server and against
# openssl s_server, TLS 1.3 and TLS 1.2. Controls: servers that give no session to resume
# must make it report "new" twice (so the "reused" checks can fail).
source "$(dirname "$0")/../interop/lib.sh"
TEST_NAME=examples.resume_client
EXAMPLE=${RESUME_CLIENT:-$BUILD_DIR/examples/resume_client}

require_sesame
require_system_openssl
[ -x "$EXAMPLE" ] || fail "example not built: $EXAMPLE"
got=$(libssl_loaded_by "$EXAMPLE" -demo)
[ "$got" = "$(readlink -f "$LIBDIR/libssl.so.3")" ] ||
  fail "resume_client loads libssl '${got:-none}', expected ours ($LIBDIR/libssl.so.3)"
pass "resume_client is linked against our libssl.so.3"
certs

# run_example OUT ARGS...: the example, bounded; fails the test if it fails.
run_example() {
  local out=$1; shift
  run_t 20 "$EXAMPLE" "$@" >"$out" 2>&1 || { cat "$out" >&2; fail "resume_client $* exited $?"; }
}

# check_pair OUT VERSION FIRST SECOND WHAT: connection 1 and 2 report FIRST / SECOND
# (new|reused), both in VERSION.
check_pair() {
  local out=$1 v=$2 first=$3 second=$4 what=$5
  expect "$out" "^connection 1: $first, $v, " "$what: first connection not '$first, $v'"
  expect "$out" "^connection 2: $second, $v, " "$what: second connection not '$second, $v'"
  pass "$what: $first then $second ($v)"
}

# 1. no server at all
for v in 1_3 1_2; do
  ver=TLSv${v/_/.}
  run_example "$TMP/demo$v.out" -demo "-tls$v"
  check_pair "$TMP/demo$v.out" "$ver" new reused "in-process demo"
done

# 2. against sesame s_server and openssl s_server (-www: one page per connection)
ca=(-CAfile "$CERTS/ca.pem" -servername localhost 127.0.0.1)
for v in 1_3 1_2; do
  ver=TLSv${v/_/.}
  sesame_server "sesame$v" -cert "$CERTS/server.pem" -key "$CERTS/server.key" -www "-tls$v"
  run_example "$TMP/sesame$v.out" "${ca[@]}" "$PORT" "-tls$v" -print
  check_pair "$TMP/sesame$v.out" "$ver" new reused "sesame s_server"
  # the server saw it the same way (its status page is printed with -print)
  expect "$TMP/sesame$v.out" "^Reused, $ver, " "sesame s_server did not report the resumption"
  stop_bg "$SPID"

  openssl_server "openssl$v" -cert "$CERTS/server.pem" -key "$CERTS/server.key" -www "-tls$v"
  run_example "$TMP/openssl$v.out" "${ca[@]}" "$PORT" "-tls$v" -print
  check_pair "$TMP/openssl$v.out" "$ver" new reused "openssl s_server"
  expect "$TMP/openssl$v.out" "Reused, $ver, " "openssl s_server did not report the resumption"
  stop_bg "$SPID"
done

# 3. controls: a TLS 1.3 server that sends no ticket, a TLS 1.2 server with neither tickets
#    nor a session cache. Nothing can be resumed; the example must say so.
openssl_server "openssl-notickets" -cert "$CERTS/server.pem" -key "$CERTS/server.key" -www \
  -tls1_3 -num_tickets 0
run_example "$TMP/ctl13.out" "${ca[@]}" "$PORT" -tls1_3
check_pair "$TMP/ctl13.out" TLSv1.3 new new "openssl s_server -num_tickets 0 (control)"
expect "$TMP/ctl13.out" "^connection 1: .*, 0 session\(s\) received" "a session was announced"
expect "$TMP/ctl13.out" "nothing to resume" "the example did not notice it had no session"
stop_bg "$SPID"

openssl_server "openssl-nocache" -cert "$CERTS/server.pem" -key "$CERTS/server.key" -www \
  -tls1_2 -no_ticket -no_cache
run_example "$TMP/ctl12.out" "${ca[@]}" "$PORT" -tls1_2
check_pair "$TMP/ctl12.out" TLSv1.2 new new "openssl s_server -no_ticket -no_cache (control)"
stop_bg "$SPID"

pass "all"

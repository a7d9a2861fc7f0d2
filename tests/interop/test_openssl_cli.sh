#!/usr/bin/env bash
# interop.openssl_cli (preload): Debian's openssl command line tool running on OUR libssl.so.3
# (LD_LIBRARY_PATH) at both ends: s_server -www and s_client, full handshakes and resumption
# with -sess_out/-sess_in in TLS 1.3 and TLS 1.2, -reconnect, s_time -new and -reuse, sess_id
# on session files our library wrote, ciphers -v.  The server and every s_client are proved
# to map our library (/proc/PID/maps, while they run); the short-lived tools through LD_DEBUG.
source "$(dirname "$0")/lib.sh"

require_cmd openssl
require_system_openssl
[ -e "$LIBDIR/libssl.so.3" ] || fail "our libssl.so.3 not found in LIBDIR=$LIBDIR"
certs
OURS=(env LD_LIBRARY_PATH="$LIBDIR")

for tool in "s_server -help" "ciphers -v" "sess_id -help"; do
  # shellcheck disable=SC2086
  uses_ours openssl $tool || fail "openssl $tool does not load our libssl.so.3"
done
pass "openssl loads our libssl.so.3 (LD_DEBUG)"

# ---- our s_server -www ----
PORT=$(free_port)
start_bg server "${OURS[@]}" openssl s_server -accept "127.0.0.1:$PORT" \
  -cert "$CERTS/server.pem" -key "$CERTS/server.key" -www
SPID=$BG_PID
wait_port "$PORT" "$SPID" || fail "openssl s_server on our library did not listen on $PORT"
assert_ours "$SPID" "openssl s_server"
pass "openssl s_server runs on our library (pid $(real_pid "$SPID"))"

# cli NAME ARGS...: openssl s_client on our library, its stdin a FIFO kept open until the
# handshake is done (so that /proc/PID/maps can be read while it runs), then an HTTP request;
# it reads the page until the server closes (-ign_eof).  Output in $TMP/NAME.log.
cli() {
  local name=$1; shift
  local in="$TMP/$name.in" fd
  mkfifo "$in"
  start_bg_stdin "$name" "$in" "${OURS[@]}" openssl s_client -connect "127.0.0.1:$PORT" \
    -CAfile "$CERTS/ca.pem" -verify_return_error -ign_eof "$@"
  local cpid=$BG_PID
  exec {fd}>"$in"
  wait_line "$TMP/$name.log" '^(New|Reused), TLSv1\.[23], Cipher' 10 ||
    fail "$name: openssl s_client did not complete a handshake"
  assert_ours "$cpid" "openssl s_client ($name)"
  printf 'GET / HTTP/1.0\r\n\r\n' >&"$fd"
  exec {fd}>&-
  for _ in $(seq 100); do kill -0 "$cpid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$cpid" 2>/dev/null && fail "$name: openssl s_client did not exit after the page"
  wait "$cpid" || fail "$name: openssl s_client exited with status $?"
}

# ---- full handshake, then resumption from the session file, per version ----
for v in 1.3 1.2; do
  flag=-tls${v/./_}
  sess=$TMP/sess$v.pem
  cli "new$v" "$flag" -sess_out "$sess"
  log=$TMP/new$v.log
  expect "$log" "^New, TLSv$v, Cipher is " "TLS $v: first connection"
  expect "$log" '^Verification: OK$' "TLS $v: s_client verified the server"
  expect "$(page "$log")" "^New, TLSv$v, Cipher is " "TLS $v: the server's page (-www) says New"
  [ -s "$sess" ] || fail "TLS $v: -sess_out wrote no session"
  grep -q 'BEGIN SSL SESSION PARAMETERS' "$sess" || fail "TLS $v: the session file is not PEM"
  cli "reused$v" "$flag" -sess_in "$sess"
  log=$TMP/reused$v.log
  expect "$log" "^Reused, TLSv$v, Cipher is " "TLS $v: -sess_in resumes"
  expect "$(page "$log")" "^Reused, TLSv$v, Cipher is " "TLS $v: the server's page says Reused"
  pass "TLS $v: full handshake, then Reused from -sess_out/-sess_in, both ends on our library"
done

# ---- sess_id on the files our library wrote ----
for v in 1.3 1.2; do
  out=$TMP/sess_id$v.txt
  run_t 10 "${OURS[@]}" openssl sess_id -in "$TMP/sess$v.pem" -text -noout >"$out" 2>&1 ||
    fail "sess_id -in (TLS $v session) failed: $(tail -3 "$out")"
  expect "$out" "^    Protocol  : TLSv$v\$" "sess_id: TLS $v protocol"
  expect "$out" '^    Cipher    : [A-Z0-9_-]+$' "sess_id: a cipher"
  expect "$out" '^    Session-ID: [0-9A-F]{64}$' "sess_id: a session id"
  if [ "$v" = 1.3 ]; then
    expect "$out" '^    Resumption PSK: [0-9A-F]{64,96}$' "sess_id: the TLS 1.3 resumption PSK"
  else
    expect "$out" '^    Master-Key: [0-9A-F]{96}$' "sess_id: the TLS 1.2 master key"
    expect "$out" '^    Extended master secret: yes$' "sess_id: extended master secret"
  fi
  expect "$out" '^    TLS session ticket:$' "sess_id: the ticket"
  # DER round trip through our i2d/d2i: the same text
  run_t 10 "${OURS[@]}" openssl sess_id -in "$TMP/sess$v.pem" -outform DER -out "$TMP/sess$v.der" ||
    fail "sess_id -outform DER failed"
  run_t 10 "${OURS[@]}" openssl sess_id -inform DER -in "$TMP/sess$v.der" -text -noout \
    >"$TMP/sess_id_der$v.txt" 2>&1 || fail "sess_id -inform DER failed"
  cmp -s "$out" "$TMP/sess_id_der$v.txt" || fail "sess_id: PEM and DER print differently (TLS $v)"
done
pass "sess_id -in reads the sessions our library wrote (TLS 1.3, 1.2), DER round trip"

# ---- -reconnect: one SSL reused on new sockets (TLS 1.2 resumes each time) ----
reconnect() { # OUT LIB-ENV... -- ARGS
  local out=$1; shift
  run_t 20 "$@" -connect "127.0.0.1:$PORT" -CAfile "$CERTS/ca.pem" -reconnect </dev/null >"$out" 2>&1
}
reconnect "$TMP/reconnect12.log" "${OURS[@]}" openssl s_client -tls1_2 ||
  fail "-reconnect (TLS 1.2) failed: $(tail -5 "$TMP/reconnect12.log")"
n=$(grep -c '^Reused, TLSv1\.2, ' "$TMP/reconnect12.log" || true)
[ "$n" = 5 ] || fail "-reconnect TLS 1.2: $n of 5 reconnections resumed"
reconnect "$TMP/reconnect13.log" "${OURS[@]}" openssl s_client -tls1_3 ||
  fail "-reconnect (TLS 1.3) failed: $(tail -5 "$TMP/reconnect13.log")"
# OpenSSL's own s_client reconnects before any ticket arrives in TLS 1.3: six full handshakes
reconnect "$TMP/reconnect13-sys.log" openssl s_client -tls1_3 || fail "system -reconnect failed"
for f in reconnect13 reconnect13-sys; do
  grep -E '^(New|Reused), TLSv1\.3' "$TMP/$f.log" | cut -d, -f1 >"$TMP/$f.kinds"
done
[ "$(wc -l <"$TMP/reconnect13.kinds")" = 6 ] || fail "-reconnect TLS 1.3: not six handshakes"
cmp -s "$TMP/reconnect13.kinds" "$TMP/reconnect13-sys.kinds" ||
  fail "-reconnect TLS 1.3: ours $(tr '\n' ' ' <"$TMP/reconnect13.kinds"), OpenSSL $(tr '\n' ' ' <"$TMP/reconnect13-sys.kinds")"
pass "-reconnect: TLS 1.2 resumes 5 of 5; TLS 1.3 as OpenSSL's client (all New)"

# ---- s_time against our s_server ----
for mode in new reuse; do
  out=$TMP/s_time_$mode.log
  run_t 30 "${OURS[@]}" openssl s_time -connect "127.0.0.1:$PORT" -CAfile "$CERTS/ca.pem" \
    -"$mode" -time 2 -www / >"$out" 2>&1 || fail "s_time -$mode failed: $(tail -5 "$out")"
  n=$(sed -nE 's/^([0-9]+) connections in [0-9.]+s;.*/\1/p' "$out" | head -1)
  [ -n "$n" ] && [ "$n" -gt 0 ] || fail "s_time -$mode: no connection counted: $(tail -5 "$out")"
  if [ "$mode" = reuse ]; then
    # one 'r' per connection that resumed, '*' per new one (the first)
    r=$(grep -A1 '^starting$' "$out" | tail -1 | tr -cd r | wc -c)
    [ "$r" -ge $((n - 1)) ] || fail "s_time -reuse: $r of $n connections resumed"
  fi
  pass "s_time -$mode for 2 s: $n connections"
done

# ---- ciphers -v: our suites, in OpenSSL's format ----
for args in "-v" "-V" "-v -tls1_2 ECDHE+AESGCM" "-s -v -tls1_3" "-v -stdname"; do
  # shellcheck disable=SC2086
  run_t 10 "${OURS[@]}" openssl ciphers $args >"$TMP/ciphers.ours" 2>&1 ||
    fail "ciphers $args failed"
  # shellcheck disable=SC2086
  run_t 10 openssl ciphers $args >"$TMP/ciphers.sys" 2>&1 || fail "system ciphers $args failed"
  [ -s "$TMP/ciphers.ours" ] || fail "ciphers $args: empty"
  # every line is one of OpenSSL's, in OpenSSL's order (ours has fewer suites)
  grep -Fxf "$TMP/ciphers.ours" "$TMP/ciphers.sys" >"$TMP/ciphers.common" || true
  cmp -s "$TMP/ciphers.ours" "$TMP/ciphers.common" ||
    fail "ciphers $args: lines OpenSSL does not print: $(grep -Fvxf "$TMP/ciphers.sys" "$TMP/ciphers.ours" | head -3)"
done
n=$(run_t 10 "${OURS[@]}" openssl ciphers -v | wc -l)
[ "$n" = 12 ] || fail "ciphers -v: $n suites, expected our 12 (3 TLS 1.3 + 9 TLS 1.2)"
expect "$TMP/ciphers.ours" '^TLS_AES_256_GCM_SHA384 +- TLS_AES_256_GCM_SHA384 +TLSv1\.3 +Kx=any +Au=any +Enc=AESGCM\(256\) +Mac=AEAD$' \
  "ciphers -v -stdname: a TLS 1.3 suite"
pass "ciphers -v/-V/-stdname: our 12 suites, each line as OpenSSL prints it"

# the server served every connection and is still up
kill -0 "$SPID" 2>/dev/null || fail "openssl s_server on our library died"
assert_ours "$SPID" "openssl s_server (at the end)"
pass "all done; s_server still running on our library"

#!/usr/bin/env bash
# TLS 1.2 against the system's OpenSSL (its openssl command, system libssl), both roles:
#  (a) `openssl s_client -tls1_2 -cipher X` -> `sesame s_server -www` for the six ECDHE suites
#      (ECDSA suites with the P-256 certificate, RSA suites with the RSA one): "New, TLSv1.2,
#      Cipher is X", extended master secret and secure renegotiation on both sides; the
#      groups P-256/P-384; an RSA suite against the ECDSA-only server fails (no shared cipher);
#  (b) openssl s_client -sess_out/-sess_in resumes by ticket (sesame s_server -no_cache: only
#      a ticket can resume) and by session id (-no_ticket): "Reused, TLSv1.2" on both sides;
#      the same session under another SNI name gives a full handshake;
#  (c) `sesame s_client -tls1_2 -reconnect` -> openssl s_server -www by ticket (-no_cache) and
#      by session id (-no_ticket): at least 5 "Reused, TLSv1.2", the page says Reused;
#  (d) `sesame s_client -tls1_2 -cipher X` -> openssl s_server (both certificates) per suite;
#  (e) RFC 5705 exporter: -keymatexport values agree both ways (full and resumed 1.2, and 1.3);
#  (f) renegotiation refused: openssl s_client's "R" and openssl s_server's "r" get our
#      warning no_renegotiation (OpenSSL then ends the connection itself with a fatal
#      handshake_failure, rec_layer_s3.c: "Terminate with a fatal alert"); sesame s_server
#      keeps serving;
#  (g) versions: sesame s_client (1.2-1.3) with openssl s_server -tls1_2 negotiates 1.2;
#      TLS 1.0/1.1 clients get protocol_version; 1.2-only vs 1.3-only fails with
#      protocol_version both ways; the downgrade sentinel is in sesame's ServerHello random
#      exactly when sesame could have done 1.3.
. "$(dirname "$0")/lib.sh"
require_sesame
require_system_openssl
certs
C=$CERTS

ECDSA_SUITES="ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305"
RSA_SUITES="ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-CHACHA20-POLY1305"
DHE_SUITES="DHE-RSA-AES128-GCM-SHA256 DHE-RSA-AES256-GCM-SHA384 DHE-RSA-CHACHA20-POLY1305"
CA=(-CAfile "$C/ca.pem" -verify_return_error)
# sesame's -www page: the summary lines may follow HTML tags
PG='^(<[^>]*>)*'

oc() { # OUT ARGS...: openssl s_client -tls1_2 to $PORT, GET /, reading until the server closes
  local out=$1; shift
  openssl_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" "${CA[@]}" -tls1_2 "$@" ||
    { tail -n 20 "$out"; fail "openssl s_client -tls1_2 $* exited $CLIENT_RC"; }
}
sc() { # OUT ARGS...: sesame s_client to $PORT, GET /
  local out=$1; shift
  sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost "${CA[@]}" "$@" ||
    { tail -n 20 "$out"; fail "sesame s_client $* exited $CLIENT_RC"; }
}
# sesame s_client's summary block for a TLS 1.2 connection
sesame_12_block() { # OUT SUITE WHAT
  expect "$1" '^Protocol: TLSv1\.2$' "$3: sesame s_client did not report TLSv1.2"
  [ -z "$2" ] || expect "$1" "^Cipher: $2\$" "$3: sesame s_client did not negotiate $2"
  expect "$1" '^Verification: OK$' "$3: sesame s_client did not verify the server"
  expect "$1" '^Extended master secret: yes$' "$3: sesame s_client: no extended master secret"
  expect "$1" '^Secure Renegotiation IS supported$' "$3: sesame s_client: no secure renegotiation"
}
# openssl_server_stdin NAME ARGS...: openssl s_server whose stdin is a FIFO held open on fd
# $SFD (its commands: "r" renegotiates; EOF would end it); output line-buffered.
openssl_server_stdin() {
  local name=$1; shift
  local fifo=$TMP/$name.in
  mkfifo "$fifo"
  PORT=$(free_port)
  start_bg_stdin "$name" "$fifo" stdbuf -oL -eL openssl s_server -accept "127.0.0.1:$PORT" "$@"
  SPID=$BG_PID
  exec {SFD}>"$fifo"
  wait_port "$PORT" "$SPID" || fail "openssl s_server ($name: $*) did not listen on $PORT"
  assert_system "$SPID" "openssl s_server ($name)"
}
# wait_exit PID SECS: wait (bounded) for a background process to end; false if it did not.
wait_exit() {
  for _ in $(seq $(($2 * 10))); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}
# keymat OUT: the exported keying material (hex) in OUT
keymat() { sed -n 's/^\(<[^>]*>\)*    Keying material: \([0-9A-F]*\)$/\2/p' "$1" | head -1; }
# server_random OUT: the ServerHello random (hex) from openssl s_client -msg output
server_random() {
  awk '/^<<< .*, ServerHello$/ { f = 1; next }
       f && /^    [0-9a-f][0-9a-f]( |$)/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9a-f][0-9a-f]$/) h = h $i; next }
       f { exit }
       END { print substr(h, 13, 64) }' "$1"
}

# ---- (a) openssl s_client -> sesame s_server, each suite -------------------------------------
for kind in ecdsa rsa; do
  if [ "$kind" = ecdsa ]; then cert=server suites=$ECDSA_SUITES sig='ECDSA'
  else cert=server-rsa suites=$RSA_SUITES sig='RSA-PSS'; fi
  sesame_server "ss-$kind" -cert "$C/$cert.pem" -key "$C/$cert.key" -www
  for suite in $suites; do
    out=$TMP/a-$suite.out
    what="openssl s_client -tls1_2 -> sesame s_server ($suite)"
    oc "$out" -servername localhost -cipher "$suite"
    expect "$out" '^Verification: OK' "$what: not verified"
    expect "$out" "^New, TLSv1\\.2, Cipher is $suite\$" "$what: wrong protocol or suite"
    expect "$out" '^    Extended master secret: yes$' "$what: openssl: no extended master secret"
    expect "$out" '^Secure Renegotiation IS supported$' "$what: openssl: no secure renegotiation"
    expect "$out" "^Peer signature type: $sig\$" "$what: the ServerKeyExchange is not signed with $sig"
    expect "$out" '^Server Temp Key: X25519, 253 bits$' "$what: the key exchange is not X25519"
    pg=$(page "$out")
    expect "$pg" "${PG}New, TLSv1\\.2, Cipher is $suite" "$what: sesame's page does not report $suite"
    expect "$pg" '^    Extended master secret: yes' "$what: sesame's page: no extended master secret"
    expect "$pg" '^Secure Renegotiation IS supported' "$what: sesame's page: no secure renegotiation"
    pass "$what"
  done
  if [ "$kind" = ecdsa ]; then
    # ECDHE on the client's first group; the certificate's curve (P-256) must be among its
    # groups too (RFC 8422 5.1), as OpenSSL's server requires
    for g in P-256/prime256v1/256 P-384:P-256/secp384r1/384; do
      IFS=/ read -r groups curve bits <<<"$g"
      out=$TMP/a-$groups.out
      what="openssl s_client -tls1_2 -groups $groups -> sesame s_server"
      oc "$out" -servername localhost -groups "$groups"
      expect "$out" "^Server Temp Key: ECDH, $curve, $bits bits\$" "$what: the key exchange is not on $curve"
      expect "$out" '^New, TLSv1\.2, Cipher is ECDHE-ECDSA-' "$what: no TLS 1.2 ECDHE-ECDSA session"
      pass "$what"
    done
    out=$TMP/a-p384only.out
    what="openssl s_client -tls1_2 -groups P-384 -> sesame s_server (P-256 certificate)"
    openssl_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost "${CA[@]}" \
      -tls1_2 -groups P-384 && fail "$what: the handshake succeeded"
    expect "$out" 'alert handshake failure' "$what: no handshake_failure alert (a certificate on a curve the client did not name?)"
    pass "$what: handshake_failure"
    # no RSA certificate here: an RSA suite alone cannot be negotiated
    out=$TMP/a-nocipher.out
    what="openssl s_client -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -> sesame s_server (ECDSA only)"
    openssl_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost "${CA[@]}" \
      -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 && fail "$what: the handshake succeeded"
    expect "$out" 'alert handshake failure' "$what: no handshake_failure alert"
    pass "$what: handshake_failure"
  fi
  stop_bg "$SPID"
done

# ---- (a2) DHE-RSA: openssl s_client -> sesame s_server (automatic DH parameters: 2048 bits
# for the RSA-2048 certificate, as OpenSSL picks them) -----------------------------------------
sesame_server ss-dhe -cert "$C/server-rsa.pem" -key "$C/server-rsa.key" -www
for suite in $DHE_SUITES; do
  out=$TMP/a2-$suite.out
  what="openssl s_client -tls1_2 -> sesame s_server ($suite)"
  oc "$out" -servername localhost -cipher "$suite"
  expect "$out" '^Verification: OK' "$what: not verified"
  expect "$out" "^New, TLSv1\\.2, Cipher is $suite\$" "$what: wrong protocol or suite"
  expect "$out" '^    Extended master secret: yes$' "$what: openssl: no extended master secret"
  expect "$out" '^Server Temp Key: DH, 2048 bits$' "$what: not a 2048-bit DH exchange"
  expect "$(page "$out")" "${PG}New, TLSv1\\.2, Cipher is $suite" "$what: sesame's page does not report $suite"
  pass "$what"
done
stop_bg "$SPID"

# ---- (b) openssl s_client resumes: by ticket and by session id -----------------------------
for mode in ticket sessid; do
  if [ "$mode" = ticket ]; then flag=-no_cache; else flag=-no_ticket; fi
  sesame_server "ss-$mode" -cert "$C/server.pem" -key "$C/server.key" -www "$flag"
  what="openssl s_client -sess_out/-sess_in -> sesame s_server $flag (by $mode)"
  oc "$TMP/b-$mode-1" -servername localhost -sess_out "$TMP/$mode.sess"
  expect "$TMP/b-$mode-1" '^New, TLSv1\.2, ' "$what: first connection not a new TLS 1.2 session"
  if [ "$mode" = ticket ]; then
    expect "$TMP/b-$mode-1" '^    TLS session ticket:$' "$what: sesame s_server sent no ticket"
  else
    expect_not "$TMP/b-$mode-1" '^    TLS session ticket:$' "$what: sesame s_server sent a ticket despite -no_ticket"
  fi
  [ -s "$TMP/$mode.sess" ] || fail "$what: openssl s_client saved no session"
  oc "$TMP/b-$mode-2" -servername localhost -sess_in "$TMP/$mode.sess"
  expect "$TMP/b-$mode-2" '^Reused, TLSv1\.2, Cipher is ' "$what: openssl s_client did not resume"
  expect "$TMP/b-$mode-2" '^    Extended master secret: yes$' "$what: resumed session without extended master secret"
  expect "$(page "$TMP/b-$mode-2")" "${PG}Reused, TLSv1\\.2, " "$what: sesame's page does not say Reused"
  pass "$what: Reused, TLSv1.2 on both sides"
  oc "$TMP/b-$mode-3" -servername other.example -sess_in "$TMP/$mode.sess" -verify_hostname localhost
  expect "$TMP/b-$mode-3" '^New, TLSv1\.2, ' "$what: session resumed under another SNI name"
  pass "$what: other SNI name => New (full handshake)"
  stop_bg "$SPID"
done

# ---- (c) sesame s_client -tls1_2 -reconnect -> openssl s_server ----------------------------
for mode in ticket sessid; do
  if [ "$mode" = ticket ]; then flag=-no_cache; else flag=-no_ticket; fi
  openssl_server "os-rc-$mode" -cert "$C/server.pem" -key "$C/server.key" -www "$flag"
  what="sesame s_client -tls1_2 -reconnect -> openssl s_server $flag (by $mode)"
  out=$TMP/c-$mode.out
  sc "$out" -tls1_2 -reconnect
  expect "$out" '^New, TLSv1\.2, ' "$what: first connection not New"
  n=$(grep -cE '^Reused, TLSv1\.2, ' "$out" || true)
  # six summaries (one New, five Reused) and the page's own line
  [ "$n" -ge 6 ] || fail "$what: only $n 'Reused, TLSv1.2' lines (5 reconnections + the page expected)"
  expect "$(page "$out")" '^Reused, TLSv1\.2, ' "$what: openssl's page does not say Reused"
  stop_bg "$SPID"
  pass "$what: $((n - 1)) x Reused, TLSv1.2"
done

# ---- (d) sesame s_client -> openssl s_server, each suite -----------------------------------
openssl_server os-suites -cert "$C/server.pem" -key "$C/server.key" \
  -dcert "$C/server-rsa.pem" -dkey "$C/server-rsa.key" -www
for suite in $ECDSA_SUITES $RSA_SUITES; do
  out=$TMP/d-$suite.out
  what="sesame s_client -tls1_2 -> openssl s_server ($suite)"
  sc "$out" -tls1_2 -cipher "$suite"
  sesame_12_block "$out" "$suite" "$what"
  expect "$out" "^New, TLSv1\\.2, Cipher is $suite\$" "$what: sesame s_client: no 'New' line"
  expect "$out" '^Server Temp Key: X25519, 253 bits$' "$what: the key exchange is not X25519"
  pg=$(page "$out")
  expect "$pg" "^New, TLSv1\\.2, Cipher is $suite" "$what: openssl's page does not report $suite"
  expect "$pg" '^    Extended master secret: yes' "$what: openssl's page: no extended master secret"
  pass "$what"
done
stop_bg "$SPID"

# ---- (d2) DHE-RSA: sesame s_client -> openssl s_server (its automatic DH parameters) --------
openssl_server os-dhe -cert "$C/server-rsa.pem" -key "$C/server-rsa.key" -www
for suite in $DHE_SUITES; do
  out=$TMP/d2-$suite.out
  what="sesame s_client -tls1_2 -> openssl s_server ($suite)"
  sc "$out" -tls1_2 -cipher "$suite"
  expect "$out" "^New, TLSv1\\.2, Cipher is $suite\$" "$what: sesame s_client: no 'New' line"
  expect "$out" '^Server Temp Key: DH, 2048 bits$' "$what: not a 2048-bit DH exchange"
  expect "$(page "$out")" "^New, TLSv1\\.2, Cipher is $suite" "$what: openssl's page does not report $suite"
  pass "$what"
done
stop_bg "$SPID"

# ---- (e) exporter ---------------------------------------------------------------------------
LABEL=EXPERIMENTAL-sesame-interop
KM=(-keymatexport "$LABEL" -keymatexportlen 32)
sesame_server ss-km -cert "$C/server.pem" -key "$C/server.key" -www "${KM[@]}"
for v in 1.2 1.3; do
  what="exporter, openssl s_client -tls1_${v#1.} -> sesame s_server"
  out=$TMP/e-$v.out
  openssl_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost "${CA[@]}" \
    "-tls1_${v#1.}" "${KM[@]}" -sess_out "$TMP/km-$v.sess" || fail "$what: openssl s_client failed"
  expect "$out" "^New, TLSv$v, " "$what: not a new TLS $v session"
  expect "$out" "^    Label: '$LABEL'\$" "$what: openssl printed no exporter label"
  ours=$(keymat "$(page "$out")") theirs=$(keymat "$out")
  [ ${#theirs} = 64 ] || fail "$what: openssl exported no 32 bytes ('$theirs')"
  [ "$ours" = "$theirs" ] || fail "$what: keying material differs: sesame $ours, openssl $theirs"
  pass "$what: same 32 bytes"
  [ "$v" = 1.2 ] || continue
  out2=$TMP/e-$v-resumed.out
  openssl_client "$out2" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost "${CA[@]}" \
    -tls1_2 "${KM[@]}" -sess_in "$TMP/km-$v.sess" || fail "$what (resumed): openssl s_client failed"
  expect "$out2" '^Reused, TLSv1\.2, ' "$what (resumed): not resumed"
  ours2=$(keymat "$(page "$out2")") theirs2=$(keymat "$out2")
  [ ${#theirs2} = 64 ] && [ "$ours2" = "$theirs2" ] ||
    fail "$what (resumed): keying material differs: sesame $ours2, openssl $theirs2"
  [ "$theirs2" != "$theirs" ] || fail "$what (resumed): same keying material as the first connection (randoms unused?)"
  pass "$what (resumed): same 32 bytes, new ones"
done
stop_bg "$SPID"
for v in 1.2 1.3; do
  what="exporter, sesame s_client -tls1_${v#1.} -> openssl s_server"
  openssl_server_stdin "os-km-$v" -cert "$C/server.pem" -key "$C/server.key" -naccept 1 "${KM[@]}"
  out=$TMP/e-sc-$v.out
  sesame_client "$out" $'Q\n' -connect "127.0.0.1:$PORT" -servername localhost "${CA[@]}" \
    "-tls1_${v#1.}" "${KM[@]}" || true
  expect "$out" "^Protocol: TLSv$v\$" "$what: not TLS $v"
  expect "$out" "^    Label: '$LABEL'\$" "$what: sesame s_client printed no exporter label"
  expect "$out" '^    Length: 32 bytes$' "$what: sesame s_client printed no length"
  wait_line "$TMP/os-km-$v.log" '^    Keying material: ' 5 || fail "$what: openssl s_server printed no keying material"
  ours=$(keymat "$out") theirs=$(keymat "$TMP/os-km-$v.log")
  [ ${#theirs} = 64 ] && [ "$ours" = "$theirs" ] ||
    fail "$what: keying material differs: sesame '$ours', openssl '$theirs'"
  stop_bg "$SPID"
  exec {SFD}>&-
  pass "$what: same 32 bytes"
done

# ---- (f) renegotiation refused ----------------------------------------------------------------
# openssl s_client's "R" command (a ClientHello on the connection) to sesame s_server -rev
sesame_server ss-reneg -cert "$C/server.pem" -key "$C/server.key" -rev
what="openssl s_client -tls1_2 'R' -> sesame s_server"
out=$TMP/f-client.out done_f=$TMP/f-client.done
{
  trap '' PIPE
  printf 'hello\n' 2>/dev/null || true
  wait_line "$out" '^olleh' 5 || true
  printf 'R\n' 2>/dev/null || true
  for _ in $(seq 100); do [ -e "$done_f" ] && break; sleep 0.1; done
} | {
  run_t 15 stdbuf -oL openssl s_client -connect "127.0.0.1:$PORT" -servername localhost "${CA[@]}" \
    -tls1_2 -msg >"$out" 2>&1 || true
  touch "$done_f"
}
expect "$out" '^olleh' "$what: no data through the connection before renegotiating"
expect "$out" '^RENEGOTIATING' "$what: openssl s_client did not renegotiate"
n=$(grep -cE '^>>> TLS 1\.2, Handshake \[length [0-9a-f]+\], ClientHello' "$out" || true)
[ "$n" = 2 ] || fail "$what: openssl s_client sent $n ClientHellos, expected 2"
n=$(grep -cE '^<<< TLS 1\.2, Alert \[length 0002\], warning no_renegotiation$' "$out" || true)
[ "$n" = 1 ] || { tail -n 20 "$out"; fail "$what: $n 'warning no_renegotiation' alerts from sesame s_server, expected 1"; }
n=$(grep -cE '^<<< .*, ServerHello$' "$out" || true)
[ "$n" = 1 ] || fail "$what: sesame s_server sent $n ServerHellos (renegotiated?)"
expect_not "$out" '^<<< .*, fatal ' "$what: sesame s_server sent a fatal alert"
# OpenSSL ends the connection itself after the refusal (fatal handshake_failure, by design)
expect "$out" '^>>> TLS 1\.2, Alert \[length 0002\], fatal handshake_failure$' "$what: openssl did not end the connection as usual"
kill -0 "$SPID" 2>/dev/null || fail "$what: sesame s_server exited"
out2=$TMP/f-client2.out
openssl_client "$out2" $'again\nCLOSE\n' -connect "127.0.0.1:$PORT" -servername localhost "${CA[@]}" -tls1_2 ||
  fail "$what: the next connection to sesame s_server failed"
expect "$out2" '^niaga$' "$what: sesame s_server does not serve the next connection"
stop_bg "$SPID"
pass "$what: warning no_renegotiation; sesame s_server serves the next connection"

# openssl s_server's "r" command (a HelloRequest) to a connected sesame s_client
what="openssl s_server -tls1_2 'r' (HelloRequest) -> sesame s_client"
openssl_server_stdin os-reneg -cert "$C/server.pem" -key "$C/server.key" -tls1_2 -msg -naccept 1
cfifo=$TMP/f-sc.in
mkfifo "$cfifo"
start_bg_stdin f-sc "$cfifo" "$SESAME" s_client -connect "127.0.0.1:$PORT" -servername localhost "${CA[@]}"
CPID=$BG_PID
exec {CFD}>"$cfifo"
wait_line "$TMP/f-sc.log" '^Verification: OK' 5 || fail "$what: sesame s_client did not connect"
assert_ours "$CPID" "sesame s_client"
expect "$TMP/f-sc.log" '^Protocol: TLSv1\.2$' "$what: not TLS 1.2"
printf 'hello from sesame\n' >&"$CFD"
wait_line "$TMP/os-reneg.log" '^hello from sesame' 5 || fail "$what: openssl s_server got no data from sesame s_client"
printf 'hello from openssl\n' >&"$SFD"
wait_line "$TMP/f-sc.log" '^hello from openssl' 5 || fail "$what: sesame s_client got no data from openssl s_server"
printf 'r\n' >&"$SFD"
wait_line "$TMP/os-reneg.log" '^>>> TLS 1\.2, Handshake \[length 0004\], HelloRequest' 5 ||
  fail "$what: openssl s_server sent no HelloRequest"
wait_line "$TMP/os-reneg.log" '^<<< TLS 1\.2, Alert \[length 0002\], warning no_renegotiation$' 5 ||
  fail "$what: sesame s_client did not answer with warning no_renegotiation"
wait_exit "$CPID" 5 || fail "$what: sesame s_client still runs after openssl's fatal alert"
n=$(grep -cE '^<<< TLS 1\.[0-3], Handshake .*, ClientHello$' "$TMP/os-reneg.log" || true)
[ "$n" = 1 ] || fail "$what: sesame s_client sent $n ClientHellos (renegotiated?)"
# OpenSSL ends the connection after the refusal; sesame s_client reports that alert
expect "$TMP/os-reneg.log" '^>>> TLS 1\.2, Alert \[length 0002\], fatal handshake_failure$' "$what: openssl did not end the connection as usual"
expect "$TMP/f-sc.log" 'alert handshake failure' "$what: sesame s_client did not report openssl's fatal alert"
exec {CFD}>&- {SFD}>&-
stop_bg "$SPID"
pass "$what: warning no_renegotiation, no second handshake"

# ---- (g) versions --------------------------------------------------------------------------
openssl_server os-12 -cert "$C/server.pem" -key "$C/server.key" -www -tls1_2
what="sesame s_client (TLS 1.2-1.3) -> openssl s_server -tls1_2"
out=$TMP/g-12.out
sc "$out"
sesame_12_block "$out" "" "$what"
expect "$(page "$out")" '^New, TLSv1\.2, ' "$what: openssl's page does not say TLSv1.2"
stop_bg "$SPID"
pass "$what: TLSv1.2"

openssl_server os-13 -cert "$C/server.pem" -key "$C/server.key" -www -tls1_3
what="sesame s_client -tls1_2 -> openssl s_server -tls1_3"
out=$TMP/g-12-13.out
sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost "${CA[@]}" -tls1_2 &&
  fail "$what: the handshake succeeded"
expect "$out" '^server alert: protocol version$' "$what: no protocol_version alert from openssl"
stop_bg "$SPID"
pass "$what: protocol_version"

sesame_server ss-13 -cert "$C/server.pem" -key "$C/server.key" -www -tls1_3
what="openssl s_client -tls1_2 -> sesame s_server -tls1_3"
out=$TMP/g-o12-13.out
openssl_client "$out" "" -connect "127.0.0.1:$PORT" -servername localhost "${CA[@]}" -tls1_2 -msg &&
  fail "$what: the handshake succeeded"
expect "$out" '^<<< TLS 1\.[0-3], Alert \[length 0002\], fatal protocol_version$' "$what: no protocol_version alert"
stop_bg "$SPID"
pass "$what: protocol_version"

sesame_server ss-default -cert "$C/server.pem" -key "$C/server.key" -www
for v in 1 1_1; do
  what="openssl s_client -tls$v -> sesame s_server"
  out=$TMP/g-tls$v.out
  openssl_client "$out" "" -connect "127.0.0.1:$PORT" -servername localhost "${CA[@]}" "-tls$v" \
    -cipher 'DEFAULT@SECLEVEL=0' -msg && fail "$what: the handshake succeeded"
  expect "$out" '^>>> TLS 1\.[01], Handshake \[length [0-9a-f]+\], ClientHello' "$what: openssl sent no ClientHello"
  expect "$out" '^<<< TLS 1\.[0-3], Alert \[length 0002\], fatal protocol_version$' "$what: no protocol_version alert"
  pass "$what: protocol_version"
done
# RFC 8446 4.1.3: a server able to do 1.3 that negotiates 1.2 ends its random with
# 44 4F 57 4E 47 52 44 01 ("DOWNGRD\1"); one limited to 1.2 does not.
what="downgrade sentinel, openssl s_client -tls1_2 -> sesame s_server"
out=$TMP/g-sentinel.out
oc "$out" -servername localhost -msg
r=$(server_random "$out")
[ ${#r} = 64 ] || fail "$what: could not read the ServerHello random from -msg output ('$r')"
[ "${r:48:16}" = 444f574e47524401 ] || fail "$what: sesame s_server (1.2-1.3) sent random $r without DOWNGRD\\1"
stop_bg "$SPID"
sesame_server ss-12only -cert "$C/server.pem" -key "$C/server.key" -www -tls1_2
out=$TMP/g-nosentinel.out
oc "$out" -servername localhost -msg
r=$(server_random "$out")
[ ${#r} = 64 ] || fail "$what: could not read the ServerHello random ('$r')"
[[ "${r:48:16}" != 444f574e4752440[01] ]] || fail "$what: sesame s_server -tls1_2 sent a downgrade sentinel ($r)"
stop_bg "$SPID"
pass "$what: DOWNGRD\\1 from a 1.2-1.3 server, none from a 1.2-only one"

# ---- (h) the downgrade sentinel detected: a man in the middle drops supported_versions from
# the client's hello, so openssl s_server (able to do 1.3) answers with TLS 1.2 and DOWNGRD\1.
# A client that offered 1.3 must abort at that ServerHello with illegal_parameter (RFC 8446
# 4.1.3), not later at the Finished the altered hello would break anyway. openssl s_client
# through the same proxy is the control.
openssl_server os-sentinel -cert "$C/server.pem" -key "$C/server.key" -www
UP=$PORT
PPORT=$(free_port)
start_bg proxy python3 "$SRC_DIR/tests/interop/downgrade_proxy.py" "$PPORT" "$UP" 60
PROXY=$BG_PID
wait_port "$PPORT" "$PROXY" || fail "downgrade_proxy.py did not listen"
for who in openssl sesame; do
  what="downgrade sentinel, $who s_client (1.2-1.3) -> proxy -> openssl s_server"
  out=$TMP/h-$who.out
  if [ $who = openssl ]; then
    openssl_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PPORT" -servername localhost "${CA[@]}" \
      && fail "$what: the handshake succeeded"
    expect "$out" 'inappropriate fallback' "$what: openssl did not refuse the sentinel"
  else
    sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PPORT" -servername localhost "${CA[@]}" \
      && fail "$what: the handshake succeeded"
    expect "$out" 'inappropriate fallback' "$what: sesame did not refuse the sentinel"
  fi
  pass "$what: refused (inappropriate fallback)"
done
expect "$TMP/proxy.log" '^stripped supported_versions$' "the proxy stripped nothing"
log=$TMP/os-sentinel.log
expect "$log" 'illegal parameter' "openssl s_server did not receive illegal_parameter"
stop_bg "$PROXY"
stop_bg "$SPID"
pass "downgrade sentinel: both clients abort at the ServerHello with illegal_parameter"

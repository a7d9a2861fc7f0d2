#!/usr/bin/env bash
# TLS 1.2 against GnuTLS (gnutls-cli / gnutls-serv; they load no libssl), priority
# NORMAL:-VERS-ALL:+VERS-TLS1.2, both directions:
#  - all nine suites each way (ECDHE with the ECDSA and the RSA certificate, DHE-RSA; AES-128-GCM,
#    AES-256-GCM and CHACHA20-POLY1305): GnuTLS's description and sesame's summary agree on version, key exchange and cipher; extended
#    master secret and safe renegotiation on; the RFC 5705 exporter (--keymatexport) agrees;
#  - resumption: gnutls-cli --resume against sesame s_server by ticket (-no_cache) and by
#    session id (-no_ticket): "This is a resumed session" and sesame's page says Reused;
#    sesame s_client -tls1_2 -reconnect against gnutls-serv --http by ticket (--nodb) and by
#    session id (--noticket): 5 x "Reused, TLSv1.2" and 5 resumed sessions in gnutls-serv's log;
#  - without the extended master secret (%NO_SESSION_HASH) both roles still connect and say so;
#    such a session is never resumed by sesame (a full handshake, not a failure);
#  - renegotiation refused: gnutls-serv's **REHANDSHAKE** (HelloRequest) gets our warning
#    no_renegotiation (gnutls-serv then drops the connection); gnutls-cli --rehandshake gets
#    "No renegotiation is allowed" and sesame s_server keeps serving.
. "$(dirname "$0")/lib.sh"
require_sesame
require_cmd gnutls-serv gnutls-bin
require_cmd gnutls-cli gnutls-bin
certs
C=$CERTS

PRIO='NORMAL:-VERS-ALL:+VERS-TLS1.2'
LABEL=EXPERIMENTAL-sesame-interop
CA=(-CAfile "$C/ca.pem" -verify_return_error)
PG='^(<[^>]*>)*'
# suite : gnutls cipher : certificate : gnutls key exchange
CASES="ECDHE-ECDSA-AES128-GCM-SHA256:AES-128-GCM:server:ECDHE-ECDSA
ECDHE-ECDSA-AES256-GCM-SHA384:AES-256-GCM:server:ECDHE-ECDSA
ECDHE-ECDSA-CHACHA20-POLY1305:CHACHA20-POLY1305:server:ECDHE-ECDSA
ECDHE-RSA-AES128-GCM-SHA256:AES-128-GCM:server-rsa:ECDHE-RSA
ECDHE-RSA-AES256-GCM-SHA384:AES-256-GCM:server-rsa:ECDHE-RSA
ECDHE-RSA-CHACHA20-POLY1305:CHACHA20-POLY1305:server-rsa:ECDHE-RSA
DHE-RSA-AES128-GCM-SHA256:AES-128-GCM:server-rsa:DHE-RSA
DHE-RSA-AES256-GCM-SHA384:AES-256-GCM:server-rsa:DHE-RSA
DHE-RSA-CHACHA20-POLY1305:CHACHA20-POLY1305:server-rsa:DHE-RSA"

gc() { # OUT INPUT ARGS...: gnutls-cli to localhost:$PORT with INPUT on stdin, which stays open
  # (up to 10 s) until gnutls-cli exits: at EOF on stdin it would stop reading; sets GC_RC
  local out=$1 input=$2; shift 2
  local done_f; done_f=$(mktemp "$TMP/done.XXXXXX"); rm -f "$done_f"
  GC_RC=0
  { trap '' PIPE; printf '%s' "$input" 2>/dev/null || true; for _ in $(seq 100); do [ -e "$done_f" ] && break; sleep 0.1; done; } |
    { rc=0; run_t 15 gnutls-cli --x509cafile "$C/ca.pem" -p "$PORT" "$@" localhost >"$out" 2>&1 || rc=$?; touch "$done_f"; exit "$rc"; } || GC_RC=$?
}
sesame_12_block() { # OUT SUITE WHAT
  expect "$1" '^Protocol: TLSv1\.2$' "$3: sesame s_client did not report TLSv1.2"
  [ -z "$2" ] || expect "$1" "^Cipher: $2\$" "$3: sesame s_client did not negotiate $2"
  expect "$1" '^Verification: OK$' "$3: sesame s_client did not verify the server"
  expect "$1" '^Secure Renegotiation IS supported$' "$3: sesame s_client: no secure renegotiation"
}
lc() { tr '[:upper:]' '[:lower:]'; }
# keymat OUT: exported keying material (lower-case hex), sesame's or GnuTLS's wording
keymat() { sed -n -e 's/^\(<[^>]*>\)*    Keying material: \([0-9A-F]*\)$/\2/p' -e 's/^- Key material: \([0-9a-f]*\)$/\1/p' "$1" | head -1 | lc; }

# ---- gnutls-cli -> sesame s_server, each suite ------------------------------------------------
while IFS=: read -r suite gcipher cert kx; do
  what="gnutls-cli -> sesame s_server ($suite)"
  sesame_server "ss-$suite" -cert "$C/$cert.pem" -key "$C/$cert.key" -www -keymatexport "$LABEL" -keymatexportlen 32
  out=$TMP/gc-$suite.out
  gc "$out" "$HTTP_GET" --priority "$PRIO:-CIPHER-ALL:+$gcipher:-KX-ALL:+$kx" --keymatexport "$LABEL" --keymatexportsize 32
  [ "$GC_RC" = 0 ] || { tail -n 20 "$out"; fail "$what: gnutls-cli exited $GC_RC"; }
  expect "$out" "^- Description: \\(TLS1\\.2-X\\.509\\)-\\(${kx%%-*}-[A-Z0-9]+\\)-\\([A-Z0-9-]+\\)-\\($gcipher\\)\$" "$what: gnutls-cli did not negotiate TLS1.2/${kx%%-*}/$gcipher"
  expect "$out" '^- Options: extended master secret, safe renegotiation' "$what: gnutls-cli: no extended master secret or safe renegotiation"
  pg=$(page "$out")
  expect "$pg" "${PG}New, TLSv1\\.2, Cipher is $suite" "$what: sesame's page does not report $suite"
  expect "$pg" '^    Extended master secret: yes' "$what: sesame's page: no extended master secret"
  ours=$(keymat "$pg") theirs=$(keymat "$out")
  [ ${#theirs} = 64 ] && [ "$ours" = "$theirs" ] ||
    fail "$what: keying material differs: sesame '$ours', gnutls '$theirs'"
  stop_bg "$SPID"
  pass "$what (exporter agrees)"
done <<<"$CASES"

# ---- sesame s_client -> gnutls-serv, each suite (both certificates in one server) -------------
gnutls_server gs-suites --http --x509certfile "$C/server.pem" --x509keyfile "$C/server.key" \
  --x509certfile "$C/server-rsa.pem" --x509keyfile "$C/server-rsa.key" --priority "$PRIO" \
  --keymatexport "$LABEL" --keymatexportsize 32
n=0
while IFS=: read -r suite gcipher cert kx; do
  what="sesame s_client -tls1_2 -> gnutls-serv ($suite)"
  out=$TMP/sc-$suite.out
  sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost "${CA[@]}" \
    -tls1_2 -cipher "$suite" -keymatexport "$LABEL" -keymatexportlen 32 ||
    { tail -n 20 "$out"; fail "$what: sesame s_client exited $CLIENT_RC"; }
  sesame_12_block "$out" "$suite" "$what"
  expect "$out" '^Extended master secret: yes$' "$what: sesame s_client: no extended master secret"
  pg=$(page "$out")
  expect "$pg" 'Protocol version:</TD><TD>TLS1\.2<' "$what: gnutls-serv's page does not say TLS1.2"
  expect "$pg" "<TD>Cipher</TD><TD>$gcipher<" "$what: gnutls-serv's page does not report $gcipher"
  expect "$pg" "Key Exchange:</TD><TD>$kx<" "$what: gnutls-serv's page does not report $kx"
  # gnutls-serv logs one "- Key material:" line per connection, in order
  n=$((n + 1))
  wait_line "$TMP/gs-suites.log" '^- Key material: ' 3 || fail "$what: gnutls-serv printed no keying material"
  for _ in $(seq 30); do [ "$(grep -c '^- Key material: ' "$TMP/gs-suites.log")" -ge "$n" ] && break; sleep 0.1; done
  theirs=$(grep '^- Key material: ' "$TMP/gs-suites.log" | sed -n "${n}p" | sed 's/^- Key material: //' | lc)
  ours=$(keymat "$out")
  [ ${#theirs} = 64 ] && [ "$ours" = "$theirs" ] ||
    fail "$what: keying material differs: sesame '$ours', gnutls '$theirs'"
  pass "$what (exporter agrees)"
done <<<"$CASES"
assert_not_ours "$SPID" "gnutls-serv"
stop_bg "$SPID"

# ---- resumption: gnutls-cli --resume -> sesame s_server --------------------------------------
for mode in ticket sessid; do
  if [ "$mode" = ticket ]; then flag=-no_cache; else flag=-no_ticket; fi
  what="gnutls-cli --resume -> sesame s_server $flag (by $mode)"
  sesame_server "ss-res-$mode" -cert "$C/server.pem" -key "$C/server.key" -www "$flag"
  out=$TMP/gc-res-$mode.out
  gc "$out" "$HTTP_GET" --priority "$PRIO" --resume
  [ "$GC_RC" = 0 ] || { tail -n 20 "$out"; fail "$what: gnutls-cli exited $GC_RC"; }
  expect "$out" '^\*\*\* This is a resumed session' "$what: gnutls-cli did not resume"
  # gnutls-cli sends the request on the second (resumed) connection only
  expect "$(page "$out")" "${PG}Reused, TLSv1\\.2, " "$what: sesame's page does not say Reused"
  n=$(grep -cE '^(New|Reused), TLSv1\.2, ' "$TMP/ss-res-$mode.log" || true)
  [ "$n" = 2 ] || fail "$what: sesame s_server logged $n TLS 1.2 connections, expected 2"
  expect "$TMP/ss-res-$mode.log" '^New, TLSv1\.2, ' "$what: sesame's first connection is not New"
  stop_bg "$SPID"
  pass "$what: resumed on both sides"
done

# ---- resumption: sesame s_client -reconnect -> gnutls-serv ------------------------------------
for mode in ticket sessid; do
  if [ "$mode" = ticket ]; then flag=--nodb; else flag=--noticket; fi
  what="sesame s_client -tls1_2 -reconnect -> gnutls-serv $flag (by $mode)"
  gnutls_server "gs-res-$mode" --http "$flag" --x509certfile "$C/server.pem" --x509keyfile "$C/server.key" --priority "$PRIO"
  out=$TMP/sc-res-$mode.out
  sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost "${CA[@]}" -tls1_2 -reconnect ||
    { tail -n 20 "$out"; fail "$what: sesame s_client exited $CLIENT_RC"; }
  expect "$out" '^New, TLSv1\.2, ' "$what: first connection not New"
  n=$(grep -cE '^Reused, TLSv1\.2, ' "$out" || true)
  [ "$n" = 5 ] || fail "$what: $n 'Reused, TLSv1.2' lines from sesame s_client, expected 5"
  wait_line "$TMP/gs-res-$mode.log" '^\* Accepted connection' 3 || true
  for _ in $(seq 30); do [ "$(grep -c '^\*\*\* This is a resumed session' "$TMP/gs-res-$mode.log")" -ge 5 ] && break; sleep 0.1; done
  n=$(grep -c '^\*\*\* This is a resumed session' "$TMP/gs-res-$mode.log" || true)
  [ "$n" = 5 ] || fail "$what: gnutls-serv logged $n resumed sessions, expected 5"
  stop_bg "$SPID"
  pass "$what: 5 x Reused, TLSv1.2 on both sides"
done

# ---- without the extended master secret (RFC 7627) ------------------------------------------
NOEMS="$PRIO:%NO_SESSION_HASH"
what="gnutls-cli %NO_SESSION_HASH --resume -> sesame s_server"
sesame_server ss-noems -cert "$C/server.pem" -key "$C/server.key" -www
out=$TMP/gc-noems.out
gc "$out" "$HTTP_GET" --priority "$NOEMS" --resume
[ "$GC_RC" = 0 ] || { tail -n 20 "$out"; fail "$what: gnutls-cli exited $GC_RC"; }
expect "$out" '^- Options: safe renegotiation,' "$what: gnutls-cli's options"
expect_not "$out" '^- Options: .*extended master secret' "$what: gnutls-cli used the extended master secret"
pg=$(page "$out")
expect "$pg" '^    Extended master secret: no' "$what: sesame's page does not say 'Extended master secret: no'"
# sesame never resumes a session without it: a full handshake, not a failure
expect "$pg" "${PG}New, TLSv1\\.2, " "$what: a session without the extended master secret was resumed"
expect_not "$out" '^\*\*\* This is a resumed session' "$what: gnutls-cli says resumed"
stop_bg "$SPID"
pass "$what: Extended master secret: no; second connection a full handshake"

what="sesame s_client -tls1_2 -reconnect -> gnutls-serv %NO_SESSION_HASH"
gnutls_server gs-noems --http --x509certfile "$C/server.pem" --x509keyfile "$C/server.key" --priority "$NOEMS"
out=$TMP/sc-noems.out
sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost "${CA[@]}" -tls1_2 -reconnect ||
  { tail -n 20 "$out"; fail "$what: sesame s_client exited $CLIENT_RC"; }
sesame_12_block "$out" "" "$what"
expect "$out" '^Extended master secret: no$' "$what: sesame s_client does not say 'Extended master secret: no'"
expect_not "$out" '^Extended master secret: yes$' "$what: sesame s_client says yes"
n=$(grep -cE '^New, TLSv1\.2, ' "$out" || true)
[ "$n" = 6 ] || fail "$what: $n of 6 connections were full handshakes (sesame never resumes without the extended master secret)"
stop_bg "$SPID"
pass "$what: Extended master secret: no; 6 full handshakes"

# ---- renegotiation refused -------------------------------------------------------------------
what="gnutls-serv **REHANDSHAKE** (HelloRequest) -> sesame s_client"
gnutls_server gs-reneg -d 5 --echo --x509certfile "$C/server.pem" --x509keyfile "$C/server.key" --priority "$PRIO"
out=$TMP/sc-reneg.out done_f=$TMP/sc-reneg.done
{
  trap '' PIPE
  printf 'hello\n' 2>/dev/null || true
  wait_line "$out" '^hello$' 5 || true
  printf '**REHANDSHAKE**\n' 2>/dev/null || true
  for _ in $(seq 100); do [ -e "$done_f" ] && break; sleep 0.1; done
} | {
  run_t 15 "$SESAME" s_client -connect "127.0.0.1:$PORT" -servername localhost "${CA[@]}" >"$out" 2>&1 || true
  touch "$done_f"
}
expect "$out" '^Protocol: TLSv1\.2$' "$what: not TLS 1.2"
expect "$out" '^hello$' "$what: no data echoed before the renegotiation"
expect "$TMP/gs-reneg.log" 'HELLO REQUEST was queued' "$what: gnutls-serv sent no HelloRequest"
wait_line "$TMP/gs-reneg.log" 'Alert\[1\|100\] - No renegotiation is allowed - was received' 3 ||
  fail "$what: gnutls-serv did not receive our warning no_renegotiation"
n=$(grep -c 'Alert\[1|100\]' "$TMP/gs-reneg.log" || true)
[ "$n" = 1 ] || fail "$what: gnutls-serv received $n no_renegotiation alerts, expected 1"
expect_not "$TMP/gs-reneg.log" 'Alert\[2\|' "$what: gnutls-serv received a fatal alert"
stop_bg "$SPID"
pass "$what: warning no_renegotiation (gnutls-serv then drops the connection)"

what="gnutls-cli --rehandshake -> sesame s_server"
sesame_server ss-reneg -cert "$C/server.pem" -key "$C/server.key" -rev
out=$TMP/gc-reneg.out
gc "$out" "" --priority "$PRIO" --rehandshake
expect "$out" '^- Handshake was completed' "$what: no first handshake"
expect "$out" 'Received alert \[100\]: No renegotiation is allowed' "$what: gnutls-cli did not receive no_renegotiation"
expect "$out" 'ReHandshake has failed' "$what: the renegotiation did not fail"
kill -0 "$SPID" 2>/dev/null || fail "$what: sesame s_server exited"
out2=$TMP/gc-reneg2.out
gc "$out2" $'again\nCLOSE\n' --priority "$PRIO"
expect "$out2" '^niaga$' "$what: sesame s_server does not serve the next connection"
stop_bg "$SPID"
pass "$what: No renegotiation is allowed; sesame s_server serves the next connection"

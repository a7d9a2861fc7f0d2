#!/usr/bin/env bash
# TLS 1.3 session resumption with real peers (session contract, issue 3: resumption seen
# from outside, and the SNI boundary that resumption must never cross):
#  - openssl s_client -sess_out / -sess_in against sesame s_server -www, with stateless
#    tickets (default) and stateful ones (-no_ticket): the second connection is
#    "Reused, TLSv1.3" on both sides; the same session offered under another SNI name
#    must give a full handshake ("New"), never a failure;
#  - sesame s_client -reconnect against openssl s_server and gnutls-serv: "Reused" lines;
#  - sesame s_client -sess_out / -sess_in against openssl s_server -www.
. "$(dirname "$0")/lib.sh"
require_sesame
require_system_openssl
require_cmd gnutls-serv gnutls-bin
certs
C=$CERTS

oc() { # OUT ARGS...: openssl s_client to $PORT, GET /, reading until the server closes
  local out=$1; shift
  openssl_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -CAfile "$C/ca.pem" -verify_return_error -tls1_3 "$@" ||
    { tail -n 20 "$out"; fail "openssl s_client $* failed"; }
}

for mode in tickets stateful; do
  extra=(); [ "$mode" = stateful ] && extra=(-no_ticket)
  sesame_server "ss-$mode" -cert "$C/server.pem" -key "$C/server.key" -www "${extra[@]}"
  what="openssl s_client -> sesame s_server ${extra[*]:-(stateless tickets)}"
  oc "$TMP/$mode-1" -servername localhost -sess_out "$TMP/$mode.sess"
  expect "$TMP/$mode-1" '^New, TLSv1\.3, ' "$what: first connection not a new TLS 1.3 session"
  [ -s "$TMP/$mode.sess" ] || fail "$what: openssl s_client received no session ticket from sesame s_server"
  oc "$TMP/$mode-2" -servername localhost -sess_in "$TMP/$mode.sess"
  expect "$TMP/$mode-2" '^Reused, TLSv1\.3, ' "$what: openssl s_client did not resume"
  expect "$(page "$TMP/$mode-2")" '^(<[^>]*>)*Reused, TLSv1\.3, ' "$what: sesame's page does not say Reused"
  pass "$what: Reused, TLSv1.3"
  oc "$TMP/$mode-3" -servername other.example -sess_in "$TMP/$mode.sess"
  expect "$TMP/$mode-3" '^New, TLSv1\.3, ' "$what: session resumed under another SNI name (must be a full handshake)"
  pass "$what: other SNI name => New (full handshake)"
  stop_bg "$SPID"
done

# --- sesame s_client -reconnect ---
openssl_server os-rc -cert "$C/server.pem" -key "$C/server.key" -www -tls1_3
out=$TMP/sc-reconnect-openssl
sesame_client "$out" $'Q\n' -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$C/ca.pem" \
  -verify_return_error -tls1_3 -reconnect || { tail -n 20 "$out"; fail "sesame s_client -reconnect (openssl) failed"; }
expect "$out" '^New, TLSv1\.3, ' "sesame -reconnect vs openssl s_server: first connection not New"
expect "$out" '^Reused, TLSv1\.3, ' "sesame -reconnect vs openssl s_server: no connection was resumed"
stop_bg "$SPID"
pass "sesame s_client -reconnect -> openssl s_server: Reused, TLSv1.3"

gnutls_server gs-rc --x509certfile "$C/server.pem" --x509keyfile "$C/server.key" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3'
out=$TMP/sc-reconnect-gnutls
sesame_client "$out" $'Q\n' -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$C/ca.pem" \
  -verify_return_error -tls1_3 -reconnect || { tail -n 20 "$out"; fail "sesame s_client -reconnect (gnutls) failed"; }
expect "$out" '^New, TLSv1\.3, ' "sesame -reconnect vs gnutls-serv: first connection not New"
expect "$out" '^Reused, TLSv1\.3, ' "sesame -reconnect vs gnutls-serv: no connection was resumed"
stop_bg "$SPID"
pass "sesame s_client -reconnect -> gnutls-serv: Reused, TLSv1.3"

# --- sesame s_client -sess_out / -sess_in ---
openssl_server os-sess -cert "$C/server.pem" -key "$C/server.key" -www -tls1_3
what="sesame s_client -sess_out/-sess_in -> openssl s_server"
out=$TMP/sc-sess-1
sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$C/ca.pem" \
  -verify_return_error -tls1_3 -sess_out "$TMP/sesame.sess" || { tail -n 20 "$out"; fail "$what: first connection failed"; }
expect "$(page "$out")" '^New, TLSv1\.3, ' "$what: openssl's page does not say New for the first connection"
[ -s "$TMP/sesame.sess" ] || fail "$what: sesame s_client wrote no session to -sess_out"
out=$TMP/sc-sess-2
sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$C/ca.pem" \
  -verify_return_error -tls1_3 -sess_in "$TMP/sesame.sess" || { tail -n 20 "$out"; fail "$what: second connection failed"; }
expect "$out" '^Reused, TLSv1\.3, ' "$what: sesame s_client does not report Reused"
expect "$(page "$out")" '^Reused, TLSv1\.3, ' "$what: openssl s_server did not resume (its page: $(grep -E '^(New|Reused)' "$out.page" || echo nothing))"
stop_bg "$SPID"
pass "$what: Reused, TLSv1.3 on both sides"

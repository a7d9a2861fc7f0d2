#!/usr/bin/env bash
# `sesame s_client` (our libssl) completes verified TLS 1.3 handshakes with the system's
# `openssl s_server -www` for every cipher suite x every group, and through a
# HelloRetryRequest (openssl accepts only P-384, sesame's first key share is X25519).
. "$(dirname "$0")/lib.sh"
require_sesame
require_system_openssl
certs
C=$CERTS

SUITES="TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256"
GROUPS_="X25519 P-256 P-384"

# One openssl server per group (-groups G), all suites; sesame offers exactly one suite and
# one group, so success means exactly that pair was negotiated.
for group in $GROUPS_; do
  openssl_server "srv-$group" -cert "$C/server.pem" -key "$C/server.key" -www -tls1_3 -groups "$group"
  for suite in $SUITES; do
    out=$TMP/c-$suite-$group.out
    what="sesame s_client -> openssl s_server ($suite, $group)"
    sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
      -CAfile "$C/ca.pem" -verify_return_error -tls1_3 -ciphersuites "$suite" -groups "$group" ||
      { tail -n 20 "$out"; fail "$what: sesame s_client exited $CLIENT_RC"; }
    sesame_ok_block "$out" "$suite" "$what"
    expect "$out" '^New, TLSv1\.3, Cipher is ' "$what: no 'New, TLSv1.3' line from sesame s_client"
    # openssl s_server's page reports what the server negotiated
    expect "$(page "$out")" "^New, TLSv1\\.3, Cipher is $suite" "$what: openssl's page does not report $suite"
    expect "$out" 'HTTP/1\.0 200 ok' "$what: no HTTP response through the connection"
    pass "$what"
  done
  stop_bg "$SPID"
done

# HelloRetryRequest, observed from the server side (-msg: two ClientHellos received).
openssl_server hrr -cert "$C/server.pem" -key "$C/server.key" -www -tls1_3 -groups P-384 -msg
out=$TMP/c-hrr.out
sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
  -CAfile "$C/ca.pem" -verify_return_error -tls1_3 -groups X25519:P-384 ||
  { tail -n 20 "$out"; fail "HRR: sesame s_client exited $CLIENT_RC"; }
sesame_ok_block "$out" "" "HRR"
expect "$out" 'HTTP/1\.0 200 ok' "HRR: no HTTP response"
n=$(grep -cE '^<<< .*ClientHello' "$TMP/hrr.log" || true)
[ "$n" = 2 ] || fail "HRR: openssl s_server received $n ClientHellos, expected 2 (HelloRetryRequest)"
pass "HelloRetryRequest X25519 -> P-384"

# -state: the handshake steps, as the info callback reports them (the library's state table),
# match what openssl s_client prints against the same server, compatibility CCS and the
# steps after the handshake (tickets) aside.
openssl_server state -cert "$C/server.pem" -key "$C/server.key" -www -tls1_3
out=$TMP/c-state.out
sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
  -CAfile "$C/ca.pem" -verify_return_error -tls1_3 -state ||
  { tail -n 20 "$out"; fail "-state: sesame s_client exited $CLIENT_RC"; }
oout=$TMP/o-state.out
openssl_client "$oout" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
  -CAfile "$C/ca.pem" -tls1_3 -state || true
steps() { grep '^SSL_connect:' "$1" | grep -v 'change cipher spec' | uniq |
            sed -n '1,/negotiation finished successfully/p'; }
[ -n "$(steps "$out")" ] || fail "-state: sesame s_client printed no SSL_connect lines"
diff <(steps "$oout") <(steps "$out") >"$TMP/state.diff" ||
  { cat "$TMP/state.diff"; fail "-state: the handshake steps differ from openssl s_client's"; }
pass "-state: $(steps "$out" | wc -l) handshake steps as openssl s_client reports them"

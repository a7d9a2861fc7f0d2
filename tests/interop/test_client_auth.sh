#!/usr/bin/env bash
# TLS 1.3 client certificates (CertificateRequest, client Certificate/CertificateVerify):
#  - `sesame s_server -Verify 1`: openssl s_client with -cert/-key succeeds; without a
#    certificate the handshake fails with a certificate_required alert (116) from sesame;
#  - `openssl s_server -Verify 1`: sesame s_client with -cert/-key succeeds (openssl's page
#    shows the client certificate), without one it fails.
. "$(dirname "$0")/lib.sh"
require_sesame
require_system_openssl
certs
C=$CERTS

# --- sesame server requires a client certificate ---
sesame_server req -cert "$C/server.pem" -key "$C/server.key" -CAfile "$C/ca.pem" -Verify 1 -www -tls1_3
out=$TMP/oc-cert.out
what="openssl s_client with a certificate -> sesame s_server -Verify 1"
openssl_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
  -CAfile "$C/ca.pem" -verify_return_error -cert "$C/client.pem" -key "$C/client.key" ||
  { tail -n 20 "$out"; fail "$what: openssl s_client exited $CLIENT_RC"; }
expect "$out" '^Verification: OK' "$what: server not verified"
expect "$out" '^New, TLSv1\.3, Cipher is ' "$what: not TLS 1.3"
expect "$(page "$out")" '^(<[^>]*>)*New, TLSv1\.3, ' "$what: no page from sesame (client certificate rejected?)"
pass "$what"

out=$TMP/oc-nocert.out
what="openssl s_client without a certificate -> sesame s_server -Verify 1"
openssl_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
  -CAfile "$C/ca.pem" -verify_return_error || true
expect "$out" 'alert certificate required|SSL alert number 116' "$what: no certificate_required alert from sesame"
expect_not "$out" 'HTTP/1\.[01] 200' "$what: sesame served a page without a client certificate"
kill -0 "$SPID" 2>/dev/null || fail "sesame s_server died after rejecting a client"
pass "$what"

stop_bg "$SPID"

# --- openssl server requires a client certificate ---
openssl_server oreq -cert "$C/server.pem" -key "$C/server.key" -CAfile "$C/ca.pem" -Verify 1 -www -tls1_3
out=$TMP/sc-cert.out
what="sesame s_client with a certificate -> openssl s_server -Verify 1"
sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
  -CAfile "$C/ca.pem" -verify_return_error -cert "$C/client.pem" -key "$C/client.key" ||
  { tail -n 20 "$out"; fail "$what: sesame s_client exited $CLIENT_RC"; }
sesame_ok_block "$out" "" "$what"
pg=$(page "$out")
expect "$pg" '^Client certificate' "$what: openssl saw no client certificate"
expect "$pg" 'CN ?= ?sesame test client' "$what: openssl's page does not show the client certificate"
pass "$what"

out=$TMP/sc-nocert.out
what="sesame s_client without a certificate -> openssl s_server -Verify 1"
rc=0
sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
  -CAfile "$C/ca.pem" -verify_return_error || rc=$?
expect_not "$out" 'HTTP/1\.[01] 200' "$what: got a page without a client certificate"
expect "$TMP/oreq.log" 'peer did not return a certificate|certificate required' \
  "$what: openssl s_server did not report the missing certificate"
pass "$what (sesame exit status $rc)"

#!/usr/bin/env bash
# The system's `openssl s_client` (system libssl) completes verified TLS 1.3 handshakes with
# `sesame s_server -www` (our libssl) for every cipher suite x every group, and through a
# HelloRetryRequest when the client's only key share is for a group the server refuses.
. "$(dirname "$0")/lib.sh"
require_sesame
require_system_openssl
certs
C=$CERTS

SUITES="TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256"
GROUPS_="X25519 P-256 P-384"
temp_key() { case $1 in X25519) echo 'X25519' ;; P-256) echo 'ECDH, prime256v1' ;; P-384) echo 'ECDH, secp384r1' ;; esac; }

# One server with the defaults; each client offers exactly one suite and one group, so a
# successful handshake can only have negotiated that pair.
sesame_server main -cert "$C/server.pem" -key "$C/server.key" -www
for suite in $SUITES; do
  for group in $GROUPS_; do
    out=$TMP/c-$suite-$group.out
    what="openssl s_client -> sesame s_server ($suite, $group)"
    openssl_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
      -CAfile "$C/ca.pem" -verify_return_error -tls1_3 -ciphersuites "$suite" -groups "$group" ||
      { tail -n 20 "$out"; fail "$what: openssl s_client exited $CLIENT_RC"; }
    expect "$out" '^Verification: OK' "$what: not verified"
    expect "$out" "^New, TLSv1\\.3, Cipher is $suite\$" "$what: wrong protocol or suite"
    expect "$out" "^Server Temp Key: $(temp_key "$group")" "$what: wrong key exchange group"
    # sesame's -www page reports the session from the server's side
    expect "$(page "$out")" "^(<[^>]*>)*New, TLSv1\\.3, Cipher is $suite" "$what: sesame's -www page does not report the suite"
    pass "$what"
  done
done
assert_ours "$SPID" "sesame s_server after the handshakes"

# HelloRetryRequest: sesame accepts only P-256; openssl sends one key share (X25519, its
# first group) and must be asked to retry with P-256: two ClientHellos on the wire.
sesame_server hrr -cert "$C/server.pem" -key "$C/server.key" -www -groups P-256
out=$TMP/c-hrr.out
openssl_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
  -CAfile "$C/ca.pem" -verify_return_error -tls1_3 -groups X25519:P-256 -msg ||
  { tail -n 20 "$out"; fail "HRR: openssl s_client exited $CLIENT_RC"; }
expect "$out" '^Verification: OK' "HRR: not verified"
expect "$out" '^New, TLSv1\.3, Cipher is ' "HRR: handshake did not complete"
expect "$out" '^Server Temp Key: ECDH, prime256v1' "HRR: group is not P-256"
n=$(grep -cE '^>>> .*ClientHello' "$out" || true)
[ "$n" = 2 ] || fail "HRR: expected 2 ClientHellos from openssl s_client (HelloRetryRequest), saw $n"
pass "HelloRetryRequest X25519 -> P-256"

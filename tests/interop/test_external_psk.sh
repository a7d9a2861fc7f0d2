#!/usr/bin/env bash
# External TLS 1.3 PSKs (-psk_identity/-psk), both directions: openssl s_client against
# sesame s_server and sesame s_client against openssl s_server resume with the PSK (no
# certificate exchanged: "Reused"); a wrong key makes the handshake fail.
. "$(dirname "$0")/lib.sh"
require_sesame
require_system_openssl
certs
C=$CERTS
KEY=0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
BAD=ff02030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20

sesame_server psk -cert "$C/server.pem" -key "$C/server.key" -www -psk_identity client1 -psk "$KEY"
openssl_client "$TMP/o1" "$HTTP_GET" -connect "127.0.0.1:$PORT" -tls1_3 -psk_identity client1 -psk "$KEY" ||
  { tail -n 20 "$TMP/o1"; fail "openssl s_client with the PSK failed against sesame s_server"; }
expect "$TMP/o1" '^Reused, TLSv1\.3' "openssl s_client -> sesame s_server: the PSK was not used"
rc=0
openssl_client "$TMP/o2" "$HTTP_GET" -connect "127.0.0.1:$PORT" -tls1_3 -psk_identity client1 -psk "$BAD" || rc=$?
expect_not "$TMP/o2" 'HTTP/1\.[01] 200' "openssl s_client with a wrong PSK got a page"
stop_bg "$SPID"
pass "openssl s_client -> sesame s_server: PSK resumes, a wrong key fails"

openssl_server opsk -cert "$C/server.pem" -key "$C/server.key" -www -tls1_3 -psk_identity client1 -psk "$KEY"
sesame_client "$TMP/s1" "$HTTP_GET" -connect "127.0.0.1:$PORT" -CAfile "$C/ca.pem" -psk_identity client1 -psk "$KEY" ||
  { tail -n 20 "$TMP/s1"; fail "sesame s_client with the PSK failed against openssl s_server"; }
expect "$TMP/s1" '^Reused, TLSv1\.3' "sesame s_client -> openssl s_server: the PSK was not used"
rc=0
sesame_client "$TMP/s2" "$HTTP_GET" -connect "127.0.0.1:$PORT" -CAfile "$C/ca.pem" -psk_identity client1 -psk "$BAD" || rc=$?
expect_not "$TMP/s2" 'HTTP/1\.[01] 200' "sesame s_client with a wrong PSK got a page"
stop_bg "$SPID"
pass "sesame s_client -> openssl s_server: PSK resumes, a wrong key fails"

# --- psk_ke without (EC)DHE: gnutls-cli offers only psk_ke; sesame s_server -allow_no_dhe_kex
# accepts it, and its ServerHello then carries no key_share.
require_cmd gnutls-cli gnutls-bin
sesame_server pske -cert "$C/server.pem" -key "$C/server.key" -www -psk_identity client1 -psk "$KEY" -allow_no_dhe_kex
printf 'GET / HTTP/1.0\r\n\r\n' | run_t 10 gnutls-cli -d 4 --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:+PSK' \
  --pskusername client1 --pskkey "$KEY" -p "$PORT" 127.0.0.1 >"$TMP/g1" 2>&1 ||
  { tail -n 20 "$TMP/g1"; fail "gnutls-cli psk_ke against sesame s_server failed"; }
expect "$TMP/g1" '^Reused, TLSv1\.3' "gnutls psk_ke: sesame s_server did not resume with the PSK"
expect "$TMP/g1" "Parsing extension 'Pre Shared Key/41'" "gnutls psk_ke: no pre_shared_key in ServerHello"
expect_not "$TMP/g1" "Parsing extension 'Key Share/51'" "gnutls psk_ke: the server still sent a key share"
stop_bg "$SPID"
pass "gnutls-cli (psk_ke only) -> sesame s_server -allow_no_dhe_kex: PSK without (EC)DHE"

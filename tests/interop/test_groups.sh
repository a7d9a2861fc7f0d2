#!/usr/bin/env bash
# Every TLS 1.3 group OpenSSL 3.0 negotiates (X25519, P-256, X448, P-521, P-384,
# ffdhe2048 ... ffdhe8192), in both roles, against the system's OpenSSL and GnuTLS:
#  - `openssl s_client -groups G` -> `sesame s_server -www` (defaults: every group);
#  - `sesame s_client -groups G` -> `openssl s_server -www` (defaults);
#  - `gnutls-cli` (that one group) -> `sesame s_server`;
#  - `sesame s_client -groups G` -> `gnutls-serv` (all ten groups);
# each client offering exactly one group, so a handshake can only have negotiated that one:
# the "Server Temp Key" lines (openssl's and sesame's) and GnuTLS's description must name it.
# Plus a HelloRetryRequest each way (the client's first share is for a group the server
# does not allow). One handshake per group and direction: ffdhe8192 key generation is slow.
. "$(dirname "$0")/lib.sh"
require_sesame
require_system_openssl
require_cmd gnutls-serv gnutls-bin
require_cmd gnutls-cli gnutls-bin
certs
C=$CERTS

# name for -groups | "Server Temp Key: " as openssl s_client prints it | GnuTLS group | its kx
ROWS=(
  "X25519|X25519, 253 bits|X25519|ECDHE-X25519"
  "P-256|ECDH, prime256v1, 256 bits|SECP256R1|ECDHE-SECP256R1"
  "X448|X448, 448 bits|X448|ECDHE-X448"
  "P-521|ECDH, secp521r1, 521 bits|SECP521R1|ECDHE-SECP521R1"
  "P-384|ECDH, secp384r1, 384 bits|SECP384R1|ECDHE-SECP384R1"
  "ffdhe2048|DH, 2048 bits|FFDHE2048|DHE-FFDHE2048"
  "ffdhe3072|DH, 3072 bits|FFDHE3072|DHE-FFDHE3072"
  "ffdhe4096|DH, 4096 bits|FFDHE4096|DHE-FFDHE4096"
  "ffdhe6144|DH, 6144 bits|FFDHE6144|DHE-FFDHE6144"
  "ffdhe8192|DH, 8192 bits|FFDHE8192|DHE-FFDHE8192"
)
GNUTLS_BASE="NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL"
GNUTLS_ALL=$GNUTLS_BASE
for row in "${ROWS[@]}"; do IFS='|' read -r _ _ gg _ <<<"$row"; GNUTLS_ALL+=":+GROUP-$gg"; done

# ---- openssl s_client -> sesame s_server ----------------------------------------------------
sesame_server ss-openssl -cert "$C/server.pem" -key "$C/server.key" -www
for row in "${ROWS[@]}"; do
  IFS='|' read -r g tk _ _ <<<"$row"
  out=$TMP/oc-$g.out
  what="openssl s_client -groups $g -> sesame s_server"
  openssl_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
    -CAfile "$C/ca.pem" -verify_return_error -tls1_3 -groups "$g" ||
    { tail -n 20 "$out"; fail "$what: openssl s_client exited $CLIENT_RC"; }
  expect "$out" '^Verification: OK' "$what: not verified"
  expect "$out" '^New, TLSv1\.3, Cipher is ' "$what: no TLS 1.3 session"
  expect "$out" "^Server Temp Key: $tk\$" "$what: openssl did not see a $tk key share"
  expect "$(page "$out")" '^(<[^>]*>)*New, TLSv1\.3, Cipher is ' "$what: no page from sesame"
  pass "$what"
done
assert_ours "$SPID" "sesame s_server after the handshakes"
stop_bg "$SPID"

# ---- sesame s_client -> openssl s_server ----------------------------------------------------
openssl_server os-sesame -cert "$C/server.pem" -key "$C/server.key" -www -tls1_3
for row in "${ROWS[@]}"; do
  IFS='|' read -r g tk _ _ <<<"$row"
  out=$TMP/sc-$g.out
  what="sesame s_client -groups $g -> openssl s_server"
  sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
    -CAfile "$C/ca.pem" -verify_return_error -groups "$g" ||
    { tail -n 20 "$out"; fail "$what: sesame s_client exited $CLIENT_RC"; }
  sesame_ok_block "$out" "" "$what"
  expect "$out" '^New, TLSv1\.3, Cipher is ' "$what: no 'New, TLSv1.3' line"
  expect "$out" "^Server Temp Key: $tk\$" "$what: sesame did not report a $tk key share"
  expect "$out" 'HTTP/1\.0 200 ok' "$what: no HTTP response through the connection"
  pass "$what"
done
assert_system "$SPID" "openssl s_server after the handshakes"
stop_bg "$SPID"

# ---- gnutls-cli -> sesame s_server ----------------------------------------------------------
sesame_server ss-gnutls -cert "$C/server.pem" -key "$C/server.key" -www
for row in "${ROWS[@]}"; do
  IFS='|' read -r g _ gg kx <<<"$row"
  out=$TMP/gc-$g.out
  what="gnutls-cli +GROUP-$gg -> sesame s_server"
  rc=0
  printf '%s' "$HTTP_GET" | run_t 20 gnutls-cli --x509cafile "$C/ca.pem" \
    --priority "$GNUTLS_BASE:+GROUP-$gg" -p "$PORT" localhost >"$out" 2>&1 || rc=$?
  [ "$rc" = 0 ] || { tail -n 20 "$out"; fail "$what: gnutls-cli exited $rc"; }
  expect "$out" '^- Handshake was completed' "$what: handshake did not complete"
  expect "$out" "^- Description: \\(TLS1\\.3-X\\.509\\)-\\($kx\\)-" "$what: gnutls-cli did not negotiate $kx"
  expect "$(page "$out")" '^(<[^>]*>)*New, TLSv1\.3, Cipher is ' "$what: no page from sesame"
  pass "$what"
done
assert_ours "$SPID" "sesame s_server after the gnutls handshakes"
stop_bg "$SPID"

# ---- sesame s_client -> gnutls-serv ---------------------------------------------------------
gnutls_server gs-sesame --x509certfile "$C/server.pem" --x509keyfile "$C/server.key" --priority "$GNUTLS_ALL"
for row in "${ROWS[@]}"; do
  IFS='|' read -r g tk _ kx <<<"$row"
  out=$TMP/sg-$g.out
  what="sesame s_client -groups $g -> gnutls-serv"
  sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
    -CAfile "$C/ca.pem" -verify_return_error -groups "$g" ||
    { tail -n 20 "$out"; fail "$what: sesame s_client exited $CLIENT_RC"; }
  sesame_ok_block "$out" "" "$what"
  expect "$out" "^Server Temp Key: $tk\$" "$what: sesame did not report a $tk key share"
  expect "$(page "$out")" "Description:</TD><TD>\\(TLS1\\.3-X\\.509\\)-\\($kx\\)-" "$what: gnutls-serv's page does not report $kx"
  pass "$what"
done
assert_not_ours "$SPID" "gnutls-serv"
stop_bg "$SPID"

# ---- HelloRetryRequest ----------------------------------------------------------------------
# sesame allows only P-521; openssl's first (only) key share is X448: two ClientHellos.
sesame_server hrr-s -cert "$C/server.pem" -key "$C/server.key" -www -groups P-521
out=$TMP/hrr-oc.out
what="HRR: openssl s_client -groups X448:P-521 -> sesame s_server -groups P-521"
openssl_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
  -CAfile "$C/ca.pem" -verify_return_error -tls1_3 -groups X448:P-521 -msg ||
  { tail -n 20 "$out"; fail "$what: openssl s_client exited $CLIENT_RC"; }
expect "$out" '^Server Temp Key: ECDH, secp521r1, 521 bits$' "$what: group is not P-521"
n=$(grep -cE '^>>> .*ClientHello' "$out" || true)
[ "$n" = 2 ] || fail "$what: openssl s_client sent $n ClientHellos, expected 2"
pass "$what"
stop_bg "$SPID"

# openssl allows only ffdhe2048; sesame's first share is X25519.
openssl_server hrr-o -cert "$C/server.pem" -key "$C/server.key" -www -tls1_3 -groups ffdhe2048 -msg
out=$TMP/hrr-sc.out
what="HRR: sesame s_client -groups X25519:ffdhe2048 -> openssl s_server -groups ffdhe2048"
sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
  -CAfile "$C/ca.pem" -verify_return_error -groups X25519:ffdhe2048 ||
  { tail -n 20 "$out"; fail "$what: sesame s_client exited $CLIENT_RC"; }
sesame_ok_block "$out" "" "$what"
expect "$out" '^Server Temp Key: DH, 2048 bits$' "$what: group is not ffdhe2048"
n=$(grep -cE '^<<< .*ClientHello' "$TMP/hrr-o.log" || true)
[ "$n" = 2 ] || fail "$what: openssl s_server received $n ClientHellos, expected 2"
pass "$what"

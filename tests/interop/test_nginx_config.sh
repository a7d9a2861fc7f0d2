#!/usr/bin/env bash
# nginx's TLS directives on our libssl.so.3, with the system libssl as the control: each
# configuration runs on two nginx, one on the system libssl and one on ours (LD_LIBRARY_PATH;
# /proc/PID/maps of master and worker prove which), and every check holds for both. Clients:
# the system's openssl s_client and curl.
#  - TLS 1.3 and 1.2 (curl --tlsv1.3, --tlsv1.2 --tls-max 1.2);
#  - ssl_protocols TLSv1.2 / TLSv1.3 alone: the other version is refused;
#  - ssl_ciphers ECDHE-ECDSA-CHACHA20-POLY1305: chosen; a client without it is refused;
#  - ssl_prefer_server_ciphers on|off with a client preferring another suite: TLS 1.2
#    (ssl_ciphers AES-256 first, the client AES-128 first) and TLS 1.3 (the library's order,
#    AES-256 first; the client AES-128 first): on, the server's choice; off, the client's;
#  - ssl_ecdh_curve X25519 / secp384r1: s_client's "Server Temp Key" (TLS 1.3: a
#    HelloRetryRequest for secp384r1), both versions;
#  - ssl_conf_command Options -SessionTicket (no TLS 1.2 ticket), ssl_conf_command
#    Ciphersuites TLS_CHACHA20_POLY1305_SHA256 (chosen; a client without it is refused);
#  - ssl_verify_client on + ssl_client_certificate: with a certificate 200 and
#    $ssl_client_verify SUCCESS, without one 400 "No required SSL certificate was sent";
#  - SNI: two server blocks on one port, each with its certificate: s_client verifies
#    localhost's and other.example's by name, and the page is the block's ($ssl_server_name).
# Labelled "preload": under ASan our library would need the sanitizer runtime in nginx.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nginx_lib.sh"
require_sesame
require_system_openssl
require_cmd curl
nginx_require
certs
C=$CERTS

CERT="ssl_certificate $C/server.pem; ssl_certificate_key $C/server.key;"
BOTH="ssl_protocols TLSv1.2 TLSv1.3;"
declare -A CONF=(
  [basic]="$CERT $BOTH"
  [only12]="$CERT ssl_protocols TLSv1.2;"
  [only13]="$CERT ssl_protocols TLSv1.3;"
  [chacha]="$CERT $BOTH ssl_ciphers ECDHE-ECDSA-CHACHA20-POLY1305;"
  [prefon]="$CERT $BOTH ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256; ssl_prefer_server_ciphers on;"
  [prefoff]="$CERT $BOTH ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256; ssl_prefer_server_ciphers off;"
  [x25519]="$CERT $BOTH ssl_ecdh_curve X25519;"
  [p384]="$CERT $BOTH ssl_ecdh_curve secp384r1;"
  [noticket]="$CERT $BOTH ssl_session_tickets on; ssl_conf_command Options -SessionTicket;"
  [suites]="$CERT $BOTH ssl_conf_command Ciphersuites TLS_CHACHA20_POLY1305_SHA256;"
  [verify]="$CERT $BOTH ssl_verify_client on; ssl_client_certificate $C/ca.pem;"
)
NAMES="basic only12 only13 chacha prefon prefoff x25519 p384 noticket suites verify"
declare -A NPORT

for lib in system ours; do
  servers=
  for n in $NAMES; do
    PORT=$(free_port)
    NPORT[$lib-$n]=$PORT
    servers+="
  server {
    listen 127.0.0.1:$PORT ssl;
    server_name $n;
    ${CONF[$n]}
    $NGX_PAGE
  }"
  done
  # SNI: two blocks on one port, localhost (the default) and other.example
  PORT=$(free_port)
  NPORT[$lib-sni]=$PORT
  servers+="
  server {
    listen 127.0.0.1:$PORT ssl;
    server_name localhost;
    $CERT $BOTH
    $NGX_PAGE
  }
  server {
    listen 127.0.0.1:$PORT ssl;
    server_name other.example;
    ssl_certificate $C/server-other.pem; ssl_certificate_key $C/server-other.key; $BOTH
    $NGX_PAGE
  }"
  nginx_start "$lib" "$lib" "$servers"
done
pass "nginx on the system libssl and on ours, $(( $(wc -w <<<"$NAMES") + 2 )) server blocks each (master + worker, /proc/PID/maps)"

GET=$'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n'
# oc LIB NAME TAG ARGS...: openssl s_client to block NAME of nginx LIB (output $TMP/LIB-TAG);
# returns s_client's status (a refused handshake is not a test failure by itself)
oc() {
  local lib=$1 n=$2 tag=$3; shift 3
  openssl_client "$TMP/$lib-$tag" "$GET" -connect "127.0.0.1:${NPORT[$lib-$n]}" -CAfile "$C/ca.pem" \
    -verify_return_error "$@"
}
# ok LIB NAME TAG ARGS...: the connection must work
ok() {
  local lib=$1 n=$2 tag=$3; shift 3
  oc "$lib" "$n" "$tag" -servername localhost "$@" ||
    { tail -n 20 "$TMP/$lib-$tag" >&2; fail "$lib: openssl s_client $* to '$n' failed (exit $CLIENT_RC)"; }
  expect "$TMP/$lib-$tag" 'HTTP/1\.1 200 ' "$lib ($tag): no 200 from nginx"
}
# refused LIB NAME TAG REGEX ARGS...: the handshake must fail, s_client saying REGEX
refused() {
  local lib=$1 n=$2 tag=$3 re=$4; shift 4
  ! oc "$lib" "$n" "$tag" -servername localhost "$@" ||
    { tail -n 20 "$TMP/$lib-$tag" >&2; fail "$lib ($tag): openssl s_client $* to '$n' succeeded, expected a refusal"; }
  expect "$TMP/$lib-$tag" "$re" "$lib ($tag): not refused as expected"
  expect_not "$TMP/$lib-$tag" 'HTTP/1\.1 ' "$lib ($tag): nginx answered"
}
both() { local f=$1; shift; for lib in system ours; do "$f" "$lib" "$@"; done; }

# ---- TLS 1.3 and 1.2, curl -------------------------------------------------------------------
for v in 1.3 1.2; do
  for lib in system ours; do
    args=(--tlsv1.3); [ "$v" = 1.2 ] && args=(--tlsv1.2 --tls-max 1.2)
    rc=0
    run_t 20 curl -sS -v --max-time 10 "${args[@]}" --cacert "$C/ca.pem" \
      --resolve "localhost:${NPORT[$lib-basic]}:127.0.0.1" -o "$TMP/$lib-curl$v.page" \
      "https://localhost:${NPORT[$lib-basic]}/" 2>"$TMP/$lib-curl$v.err" || rc=$?
    [ "$rc" = 0 ] || { tail -n 20 "$TMP/$lib-curl$v.err" >&2; fail "$lib: curl (TLS $v) failed (exit $rc)"; }
    expect "$TMP/$lib-curl$v.err" "SSL connection using TLSv$v / " "$lib: curl -v does not report TLS $v"
    expect "$TMP/$lib-curl$v.page" "^nginx basic reused=\\. proto=TLSv$v " "$lib: nginx's page does not say TLSv$v"
  done
  pass "curl over TLS $v: $(grep -oE 'SSL connection using .*' "$TMP/ours-curl$v.err")"
done

# ---- ssl_protocols -----------------------------------------------------------------------------
both ok only12 p12ok -tls1_2
both refused only12 p12no13 'alert protocol version|unsupported protocol|no protocols available' -tls1_3
both ok only13 p13ok -tls1_3
both refused only13 p13no12 'alert protocol version|unsupported protocol|no protocols available' -tls1_2
for lib in system ours; do
  expect "$TMP/$lib-p12ok" '^New, TLSv1\.2, ' "$lib: ssl_protocols TLSv1.2: not TLS 1.2"
  expect "$TMP/$lib-p13ok" '^New, TLSv1\.3, ' "$lib: ssl_protocols TLSv1.3: not TLS 1.3"
done
pass "ssl_protocols TLSv1.2 refuses TLS 1.3 clients, TLSv1.3 refuses TLS 1.2 clients (protocol_version)"

# ---- ssl_ciphers -------------------------------------------------------------------------------
both ok chacha chacha -tls1_2
both refused chacha chachano 'alert handshake failure' -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256
for lib in system ours; do
  expect "$TMP/$lib-chacha" '^New, TLSv1\.2, Cipher is ECDHE-ECDSA-CHACHA20-POLY1305$' "$lib: ssl_ciphers not followed"
done
pass "ssl_ciphers ECDHE-ECDSA-CHACHA20-POLY1305: chosen; a client without it gets handshake_failure"

# ---- ssl_prefer_server_ciphers -----------------------------------------------------------------
CL12=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384
CL13=TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384
both ok prefon pon12 -tls1_2 -cipher "$CL12"
both ok prefoff poff12 -tls1_2 -cipher "$CL12"
both ok prefon pon13 -tls1_3 -ciphersuites "$CL13"
both ok prefoff poff13 -tls1_3 -ciphersuites "$CL13"
for lib in system ours; do
  expect "$TMP/$lib-pon12" 'Cipher is ECDHE-ECDSA-AES256-GCM-SHA384$' "$lib: prefer on (TLS 1.2): not the server's choice"
  expect "$TMP/$lib-poff12" 'Cipher is ECDHE-ECDSA-AES128-GCM-SHA256$' "$lib: prefer off (TLS 1.2): not the client's choice"
  expect "$TMP/$lib-pon13" 'Cipher is TLS_AES_256_GCM_SHA384$' "$lib: prefer on (TLS 1.3): not the server's choice"
  expect "$TMP/$lib-poff13" 'Cipher is TLS_AES_128_GCM_SHA256$' "$lib: prefer off (TLS 1.3): not the client's choice"
done
pass "ssl_prefer_server_ciphers on: the server's order, off: the client's (TLS 1.2 and 1.3)"

# ---- ssl_ecdh_curve ----------------------------------------------------------------------------
for v in 1.3 1.2; do
  both ok x25519 "x$v" "-tls1_${v#1.}"
  both ok p384 "p$v" "-tls1_${v#1.}"
  for lib in system ours; do
    expect "$TMP/$lib-x$v" '^Server Temp Key: X25519, 253 bits$' "$lib: ssl_ecdh_curve X25519 (TLS $v)"
    expect "$TMP/$lib-p$v" '^Server Temp Key: ECDH, secp384r1, 384 bits$' "$lib: ssl_ecdh_curve secp384r1 (TLS $v)"
  done
  pass "ssl_ecdh_curve X25519 and secp384r1, TLS $v: Server Temp Key as configured"
done

# ---- ssl_conf_command --------------------------------------------------------------------------
both ok noticket nt12 -tls1_2
both ok basic t12 -tls1_2
both ok suites cs13 -tls1_3
both refused suites csno 'alert handshake failure' -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256
for lib in system ours; do
  expect_not "$TMP/$lib-nt12" '^    TLS session ticket:$' "$lib: ssl_conf_command Options -SessionTicket: a ticket was sent"
  expect "$TMP/$lib-t12" '^    TLS session ticket:$' "$lib: no ticket without the command (the control)"
  expect "$TMP/$lib-cs13" 'Cipher is TLS_CHACHA20_POLY1305_SHA256$' "$lib: ssl_conf_command Ciphersuites not followed"
done
pass "ssl_conf_command Options -SessionTicket (no ticket) and Ciphersuites TLS_CHACHA20_POLY1305_SHA256"

# ---- ssl_verify_client on ----------------------------------------------------------------------
for v in 1.3 1.2; do
  both ok verify "vc$v" "-tls1_${v#1.}" -cert "$C/client.pem" -key "$C/client.key"
  for lib in system ours; do
    oc "$lib" verify "vn$v" -servername localhost "-tls1_${v#1.}" ||
      { tail -n 20 "$TMP/$lib-vn$v" >&2; fail "$lib: without a client certificate (TLS $v): s_client failed (exit $CLIENT_RC)"; }
    expect "$TMP/$lib-vn$v" 'HTTP/1\.1 400 ' "$lib: without a client certificate (TLS $v): not 400"
    expect "$TMP/$lib-vc$v" "^nginx verify reused=\\. proto=TLSv$v .* verify=SUCCESS " "$lib: with a client certificate (TLS $v): not SUCCESS"
    expect "$TMP/$lib-vn$v" 'No required SSL certificate was sent' "$lib: without a client certificate (TLS $v): not nginx's 400 page"
  done
  pass "ssl_verify_client on, TLS $v: certificate -> 200 SUCCESS; none -> 400 No required SSL certificate was sent"
done

# ---- SNI: two server blocks, two certificates ---------------------------------------------------
for v in 1.3 1.2; do
  for lib in system ours; do
    for name in localhost other.example; do
      openssl_client "$TMP/$lib-sni-$name-$v" $'GET / HTTP/1.0\r\nHost: '"$name"$'\r\n\r\n' \
        -connect "127.0.0.1:${NPORT[$lib-sni]}" -CAfile "$C/ca.pem" -verify_return_error \
        "-tls1_${v#1.}" -servername "$name" -verify_hostname "$name" ||
        { tail -n 20 "$TMP/$lib-sni-$name-$v" >&2; fail "$lib: SNI $name (TLS $v) failed (exit $CLIENT_RC)"; }
      expect "$TMP/$lib-sni-$name-$v" '^ *Verify return code: 0 \(ok\)$' "$lib: SNI $name (TLS $v): certificate not verified for $name"
      expect "$TMP/$lib-sni-$name-$v" "^nginx $name reused=\\. proto=TLSv$v .* sni=$name " "$lib: SNI $name (TLS $v): not the block of $name"
    done
    expect "$TMP/$lib-sni-other.example-$v" 'subject=.*CN ?= ?other\.example' "$lib: SNI other.example (TLS $v): not its certificate"
  done
  pass "SNI, TLS $v: localhost and other.example each get their block and certificate"
done

nginx_no_alarm system ours
pass "no [crit], [alert] or [emerg] in the error logs"

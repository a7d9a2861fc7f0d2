#!/usr/bin/env bash
# Clients hanging up in the middle of the handshake must not alarm nginx's operators.
#
# nginx decides how to log a failed handshake from SSL_get_error and the error queue
# (ngx_ssl_handshake, ngx_ssl_connection_error): a peer that closed is "[info] peer closed
# connection in SSL handshake", anything else "[crit] SSL_do_handshake() failed (SSL: ...)".
# nginx sets SSL_OP_IGNORE_UNEXPECTED_EOF, with which OpenSSL 3.0 reports an EOF during the
# handshake as a close (SSL_ERROR_ZERO_RETURN, nothing queued); a reset is SSL_ERROR_SYSCALL
# with errno ECONNRESET, also logged at info.
#
# Two nginx instances with the same configuration (TLS 1.2 and 1.3, shared session cache):
# "sys" on the system libssl (the control: what nginx logs with OpenSSL), "ours" on our
# libssl.so.3 (proved from /proc/PID/maps of master and worker). For TLS 1.3 and 1.2, raw-socket
# clients (tests/interop/hangup_client.py, no TLS library) hang up: after 3 bytes of the
# ClientHello's record header, half a ClientHello, the whole ClientHello at once, after reading
# the server's first flight, in the middle of their second flight (TLS 1.2: with a
# ClientKeyExchange), after a close_notify, and with a TCP reset. After each connection both
# nginx log exactly one "[info] ... peer closed connection in SSL handshake" line (the
# instance's own, compared by level and message); neither logs anything at crit, alert or
# emerg (nor error). A complete request still works on ours afterwards.
# Labelled "preload": under ASan our library would need the sanitizer runtime in nginx.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nginx_lib.sh"
require_sesame
require_system_openssl
require_cmd python3
require_cmd curl
nginx_require
certs
C=$CERTS
HANGUP=$SRC_DIR/tests/interop/hangup_client.py

declare -A NPORT MASTER GOT
for lib in sys ours; do
  PORT=$(free_port)
  NPORT[$lib]=$PORT
  nginx_start "$lib" "$([ $lib = sys ] && echo system || echo ours)" "
  server {
    listen 127.0.0.1:$PORT ssl;
    server_name localhost;
    ssl_certificate $C/server.pem;
    ssl_certificate_key $C/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:H$lib:1m;
    $NGX_PAGE
  }"
  MASTER[$lib]=$NPID
done
pass "nginx on the system libssl and nginx on ours (master + worker each, /proc/PID/maps)"

# lines LIB: how many handshake-closed lines nginx LIB has logged
closed_lines() { grep -c 'peer closed connection in SSL handshake' "$(nginx_error_log "$1")" || true; }

# hang VERSION MODE: run the client against both; each nginx must log one more
# "peer closed connection in SSL handshake" line, at info; prints that line's level and text.
hang() {
  local v=$1 mode=$2 lib before line out
  for lib in sys ours; do
    before=$(closed_lines "$lib")
    out=$(run_t 15 python3 "$HANGUP" "${NPORT[$lib]}" "$v" "$mode" 2>&1) ||
      fail "hangup_client $v $mode against nginx $lib: $out"
    for _ in $(seq 50); do [ "$(closed_lines "$lib")" -gt "$before" ] && break; sleep 0.1; done
    [ "$(closed_lines "$lib")" -eq $((before + 1)) ] ||
      { tail -n 5 "$(nginx_error_log "$lib")" >&2; fail "TLS $v, client hangs up ($mode): nginx $lib logged $(( $(closed_lines "$lib") - before )) 'peer closed connection in SSL handshake' lines, expected 1"; }
    line=$(grep 'peer closed connection in SSL handshake' "$(nginx_error_log "$lib")" | tail -1)
    # level and message, without the date, pid and client address
    line=$(sed -E 's/^[0-9\/: ]+(\[[a-z]+\]) [0-9#]+: \*[0-9]+ /\1 /; s/, client: .*//' <<<"$line")
    [[ "$line" == "[info] peer closed connection in SSL handshake"* ]] ||
      fail "TLS $v, client hangs up ($mode): nginx $lib logged: $line"
    # "hello": whether nginx meets the EOF or the reset the client's kernel sends when the
    # server's answer arrives depends on timing; the reset adds "(104: Connection reset by peer)"
    [ "$mode" = hello ] && line=$(sed -E 's/ \(104: Connection reset by peer\)//' <<<"$line")
    GOT[$lib]=$line
  done
  [ "${GOT[sys]}" = "${GOT[ours]}" ] ||
    fail "TLS $v, client hangs up ($mode): with the system libssl nginx logs '${GOT[sys]}', with ours '${GOT[ours]}'"
  pass "TLS $v, client hangs up ($mode): ${GOT[ours]}"
}

for v in 1.3 1.2; do
  for mode in header partial hello hello-read second close-notify reset; do
    hang "$v" "$mode"
  done
done

# nothing above info: no [error], [crit], [alert] or [emerg] on either
for lib in sys ours; do
  ! grep -E '\[(error|crit|alert|emerg)\]' "$(nginx_error_log "$lib")" ||
    fail "nginx $lib logged errors for clients that hung up (above)"
done
pass "no [error], [crit], [alert] or [emerg] line in either error log"

# and the server still serves
rc=0
run_t 20 curl -sS --max-time 10 --cacert "$C/ca.pem" --resolve "localhost:${NPORT[ours]}:127.0.0.1" \
  -o "$TMP/page" "https://localhost:${NPORT[ours]}/" 2>"$TMP/curl.err" || rc=$?
[ "$rc" = 0 ] || { cat "$TMP/curl.err" >&2; fail "curl -> nginx (ours) after the hang-ups failed (exit $rc)"; }
expect "$TMP/page" '^nginx localhost reused=\. proto=TLSv1\.3 ' "nginx (ours) did not serve a page after the hang-ups"
pass "nginx (ours) still serves: $(cat "$TMP/page")"
for lib in sys ours; do kill -0 "${MASTER[$lib]}" 2>/dev/null || fail "nginx $lib exited during the test"; done

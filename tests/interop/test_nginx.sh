#!/usr/bin/env bash
# Debian's nginx, run with LD_LIBRARY_PATH=$LIBDIR, loads OUR libssl.so.3 (proved from
# /proc/PID/maps of the master and of the worker that serves the connections) and serves
# HTTPS with TLS 1.3 only:
#  - the system curl (system libssl, proved with LD_DEBUG) fetches a page; curl -v says TLSv1.3;
#  - session resumption across a fleet: instances A and B share one ssl_session_ticket_key
#    file (80 random bytes), C has another. openssl s_client -sess_out against A, then
#    -sess_in against B: "Reused, TLSv1.3", and nginx's $ssl_session_reused is "r" (page and
#    access log); the same session against C: a full handshake ("New"), not an error.
# Each nginx runs in the foreground (daemon off) with a master and one worker, with its
# config, logs, pid file and temp paths in $TMP; the master is stopped by PID (the worker
# PID is recorded too, so the EXIT trap stops it even if the master was killed).
# Labelled "preload": under ASan our library would need the sanitizer runtime in nginx.
. "$(dirname "$0")/lib.sh"
require_sesame
require_system_openssl
require_cmd curl
. "$(dirname "$0")/nginx_lib.sh"
nginx_require
certs
C=$CERTS

# nginx_instance NAME KEYFILE: start nginx on a fresh port; sets PORT, NPID (master),
# WPID (worker); checks both map our libssl.so.3.
nginx_instance() {
  local name=$1 key=$2
  PORT=$(free_port)
  nginx_start "$name" ours "  server {
    listen 127.0.0.1:$PORT ssl;
    server_name localhost;
    ssl_certificate $C/server.pem;
    ssl_certificate_key $C/server.key;
    ssl_protocols TLSv1.3;
    ssl_session_tickets on;
    ssl_session_ticket_key $key;
    location / {
      return 200 \"nginx $name reused=\$ssl_session_reused proto=\$ssl_protocol cipher=\$ssl_cipher\\n\";
    }
  }"
}

openssl rand 80 >"$TMP/fleet.key"
openssl rand 80 >"$TMP/other.key"
[ "$(stat -c %s "$TMP/fleet.key")" = 80 ] || fail "could not make an 80-byte ticket key"

nginx_instance A "$TMP/fleet.key"; PORT_A=$PORT NPID_A=$NPID
nginx_instance B "$TMP/fleet.key"; PORT_B=$PORT NPID_B=$NPID
nginx_instance C "$TMP/other.key"; PORT_C=$PORT NPID_C=$NPID
pass "three nginx instances (master + worker each) map our libssl.so.3"

# ---- (1) system curl -> nginx A --------------------------------------------------------------
CURL=(curl -sS -v --max-time 10 --cacert "$C/ca.pem" --resolve "localhost:$PORT_A:127.0.0.1")
URL=https://localhost:$PORT_A/
got=$(libssl_loaded_by "${CURL[@]}" -o /dev/null "$URL")
[[ "$got" =~ $SYSTEM_LIBSSL_RE ]] || fail "curl loads libssl '${got:-none}', expected the system one"
rc=0
run_t 20 "${CURL[@]}" -o "$TMP/curl.page" "$URL" 2>"$TMP/curl.err" || rc=$?
[ "$rc" = 0 ] || { cat "$TMP/curl.err" >&2; fail "system curl -> nginx (our libssl) failed (exit $rc)"; }
expect "$TMP/curl.err" 'SSL connection using TLSv1\.3 / TLS_' "curl -v does not report a TLS 1.3 connection"
expect "$TMP/curl.err" 'SSL certificate verify ok' "curl did not verify nginx's certificate"
expect "$TMP/curl.page" '^nginx A reused=\. proto=TLSv1\.3 cipher=TLS_' "nginx's page: not a new TLS 1.3 connection"
pass "system curl -> nginx: $(grep -oE 'SSL connection using .*' "$TMP/curl.err")"

# ---- (2) resumption across the fleet -------------------------------------------------------
GET=$'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n'
oc() { # OUT PORT ARGS...: openssl s_client, TLS 1.3, verified, reading until nginx closes
  local out=$1 port=$2; shift 2
  openssl_client "$out" "$GET" -connect "127.0.0.1:$port" -servername localhost -CAfile "$C/ca.pem" \
    -verify_return_error -tls1_3 "$@" || { tail -n 20 "$out" >&2; fail "openssl s_client -connect :$port $* failed (exit $CLIENT_RC)"; }
}

oc "$TMP/a1" "$PORT_A" -sess_out "$TMP/a.sess"
expect "$TMP/a1" '^New, TLSv1\.3, ' "first connection to nginx A: not a new TLS 1.3 session"
expect "$TMP/a1" 'reused=\. proto=TLSv1\.3' "nginx A's page does not say reused=."
[ -s "$TMP/a.sess" ] || fail "openssl s_client received no session ticket from nginx A"
pass "openssl s_client -> nginx A: New, TLSv1.3, ticket saved"

oc "$TMP/b1" "$PORT_B" -sess_in "$TMP/a.sess"
expect "$TMP/b1" '^Reused, TLSv1\.3, ' "ticket from nginx A not accepted by nginx B (same ssl_session_ticket_key)"
expect "$TMP/b1" '^nginx B reused=r proto=TLSv1\.3' "nginx B's \$ssl_session_reused is not \"r\""
wait_line "$TMP/B-access.log" '"GET / HTTP/1\.0" 200 reused=r TLSv1\.3 ' ||
  { cat "$TMP/B-access.log" >&2; fail "nginx B's access log does not say reused=r"; }
pass "ticket from nginx A -> nginx B (same key file): Reused, TLSv1.3; \$ssl_session_reused=r"

oc "$TMP/c1" "$PORT_C" -sess_in "$TMP/a.sess"
expect "$TMP/c1" '^New, TLSv1\.3, ' "nginx C (other key file): not a full handshake"
expect "$TMP/c1" '^nginx C reused=\. proto=TLSv1\.3' "nginx C's \$ssl_session_reused is not \".\""
wait_line "$TMP/C-access.log" '"GET / HTTP/1\.0" 200 reused=\. TLSv1\.3 ' ||
  { cat "$TMP/C-access.log" >&2; fail "nginx C's access log does not say reused=."; }
pass "ticket from nginx A -> nginx C (other key file): New (full handshake)"

# nothing alarming in the error logs (crit/alert/emerg); workers still alive
for n in A B C; do
  ! grep -E '\[(crit|alert|emerg)\]' "$TMP/$n-error.log" ||
    fail "nginx $n logged critical errors (above)"
done
for p in "$NPID_A" "$NPID_B" "$NPID_C"; do
  kill -0 "$p" 2>/dev/null || fail "an nginx instance exited during the test"
done
for p in "$NPID_A" "$NPID_B" "$NPID_C"; do stop_bg "$p"; done
pass "nginx instances stopped cleanly"

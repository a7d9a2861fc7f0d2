#!/usr/bin/env bash
# Debian's nginx, run with LD_LIBRARY_PATH=$LIBDIR, loads OUR libssl.so.3 (proved from
# /proc/PID/maps of the master and of the worker) and serves HTTPS with TLS 1.2 only
# (ssl_protocols TLSv1.2); the system's openssl s_client and curl are the clients:
#  - system curl --tlsv1.2 fetches a page (curl -v: TLSv1.2; nginx: proto=TLSv1.2);
#  - resumption by ticket: instances A and B share one ssl_session_ticket_key file and have no
#    session cache, C has another key: openssl s_client -tls1_2 -sess_out on A, -sess_in on B:
#    "Reused, TLSv1.2" and $ssl_session_reused "r" (page and access log); on C: "New";
#  - resumption by session id: instance S has tickets off and ssl_session_cache shared (nginx's
#    external cache: new/get/remove callbacks, i2d/d2i of the session): -sess_out, -sess_in:
#    "Reused, TLSv1.2", "r"; the session offered to A (no cache, other keys) gives "New";
#  - ssl_verify_client optional (instance V, TLS 1.2 and 1.3): a client without a certificate
#    is served, also when it resumes ($ssl_client_verify NONE; the session says X509_V_OK).
# Each nginx runs in the foreground (daemon off), master + one worker, everything in $TMP.
# Labelled "preload": under ASan our library would need the sanitizer runtime in nginx.
. "$(dirname "$0")/lib.sh"
require_sesame
require_system_openssl
require_cmd curl
. "$(dirname "$0")/nginx_lib.sh"
nginx_require
certs
C=$CERTS

# nginx_instance NAME SESSION_DIRECTIVES [PROTOCOLS]: nginx on a fresh port; sets PORT, NPID
# (master), WPID (worker); checks both map our libssl.so.3.
nginx_instance() {
  local name=$1 sess=$2 protos=${3:-TLSv1.2}
  PORT=$(free_port)
  nginx_start "$name" ours "  server {
    listen 127.0.0.1:$PORT ssl;
    server_name localhost;
    ssl_certificate $C/server.pem;
    ssl_certificate_key $C/server.key;
    ssl_protocols $protos;
    $sess
    location / {
      return 200 \"nginx $name reused=\$ssl_session_reused proto=\$ssl_protocol cipher=\$ssl_cipher verify=\$ssl_client_verify\\n\";
    }
  }"
}

openssl rand 80 >"$TMP/fleet.key"
openssl rand 80 >"$TMP/other.key"
[ "$(stat -c %s "$TMP/fleet.key")" = 80 ] || fail "could not make an 80-byte ticket key"
TICKETS="ssl_session_cache off; ssl_session_tickets on; ssl_session_ticket_key"
nginx_instance A "$TICKETS $TMP/fleet.key;"; PORT_A=$PORT NPID_A=$NPID
nginx_instance B "$TICKETS $TMP/fleet.key;"; PORT_B=$PORT NPID_B=$NPID
nginx_instance C "$TICKETS $TMP/other.key;"; PORT_C=$PORT NPID_C=$NPID
nginx_instance S "ssl_session_cache shared:SESAME:1m; ssl_session_tickets off;"; PORT_S=$PORT NPID_S=$NPID
nginx_instance V "ssl_session_cache shared:V:1m; ssl_verify_client optional; ssl_client_certificate $C/ca.pem;" \
  "TLSv1.2 TLSv1.3"; PORT_V=$PORT NPID_V=$NPID
pass "five nginx instances (master + worker each) map our libssl.so.3"

# ---- (1) system curl --tlsv1.2 -> nginx A ------------------------------------------------------
CURL=(curl -sS -v --max-time 10 --tlsv1.2 --cacert "$C/ca.pem" --resolve "localhost:$PORT_A:127.0.0.1")
URL=https://localhost:$PORT_A/
got=$(libssl_loaded_by "${CURL[@]}" -o /dev/null "$URL")
[[ "$got" =~ $SYSTEM_LIBSSL_RE ]] || fail "curl loads libssl '${got:-none}', expected the system one"
rc=0
run_t 20 "${CURL[@]}" -o "$TMP/curl.page" "$URL" 2>"$TMP/curl.err" || rc=$?
[ "$rc" = 0 ] || { cat "$TMP/curl.err" >&2; fail "system curl -> nginx (our libssl) failed (exit $rc)"; }
expect "$TMP/curl.err" 'SSL connection using TLSv1\.2 / ECDHE-ECDSA-' "curl -v does not report a TLS 1.2 ECDHE-ECDSA connection"
expect "$TMP/curl.err" 'SSL certificate verify ok' "curl did not verify nginx's certificate"
expect "$TMP/curl.page" '^nginx A reused=\. proto=TLSv1\.2 cipher=ECDHE-ECDSA-' "nginx's page: not a new TLS 1.2 connection"
pass "system curl -> nginx: $(grep -oE 'SSL connection using .*' "$TMP/curl.err")"

# ---- (2) resumption ----------------------------------------------------------------------------
GET=$'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n'
oc() { # OUT PORT ARGS...: openssl s_client -tls1_2, verified, reading until nginx closes
  local out=$1 port=$2; shift 2
  openssl_client "$out" "$GET" -connect "127.0.0.1:$port" -servername localhost -CAfile "$C/ca.pem" \
    -verify_return_error -tls1_2 "$@" || { tail -n 20 "$out" >&2; fail "openssl s_client -connect :$port $* failed (exit $CLIENT_RC)"; }
}
access_says() { # NAME REGEX WHAT
  wait_line "$TMP/$1-access.log" "$2" || { cat "$TMP/$1-access.log" >&2; fail "$3"; }
}

oc "$TMP/a1" "$PORT_A" -sess_out "$TMP/a.sess"
expect "$TMP/a1" '^New, TLSv1\.2, ' "first connection to nginx A: not a new TLS 1.2 session"
expect "$TMP/a1" '^    TLS session ticket:$' "nginx A sent no session ticket"
expect "$TMP/a1" '^    Extended master secret: yes$' "nginx A: no extended master secret"
expect "$TMP/a1" '^nginx A reused=\. proto=TLSv1\.2' "nginx A's page does not say reused=."
pass "openssl s_client -tls1_2 -> nginx A: New, TLSv1.2, ticket saved"

oc "$TMP/b1" "$PORT_B" -sess_in "$TMP/a.sess"
expect "$TMP/b1" '^Reused, TLSv1\.2, ' "ticket from nginx A not accepted by nginx B (same ssl_session_ticket_key)"
expect "$TMP/b1" '^nginx B reused=r proto=TLSv1\.2' "nginx B's \$ssl_session_reused is not \"r\""
access_says B '"GET / HTTP/1\.0" 200 reused=r TLSv1\.2 ' "nginx B's access log does not say reused=r"
pass "ticket from nginx A -> nginx B (same key file): Reused, TLSv1.2; \$ssl_session_reused=r"

oc "$TMP/c1" "$PORT_C" -sess_in "$TMP/a.sess"
expect "$TMP/c1" '^New, TLSv1\.2, ' "nginx C (other key file): not a full handshake"
expect "$TMP/c1" '^nginx C reused=\. proto=TLSv1\.2' "nginx C's \$ssl_session_reused is not \".\""
access_says C '"GET / HTTP/1\.0" 200 reused=\. TLSv1\.2 ' "nginx C's access log does not say reused=."
pass "ticket from nginx A -> nginx C (other key file): New (full handshake)"

oc "$TMP/s1" "$PORT_S" -sess_out "$TMP/s.sess"
expect "$TMP/s1" '^New, TLSv1\.2, ' "first connection to nginx S: not a new TLS 1.2 session"
expect_not "$TMP/s1" '^    TLS session ticket:$' "nginx S sent a ticket (ssl_session_tickets off)"
expect "$TMP/s1" '^nginx S reused=\. proto=TLSv1\.2' "nginx S's page does not say reused=."
oc "$TMP/s2" "$PORT_S" -sess_in "$TMP/s.sess"
expect "$TMP/s2" '^Reused, TLSv1\.2, ' "nginx S (shared session cache) did not resume by session id"
expect "$TMP/s2" '^nginx S reused=r proto=TLSv1\.2' "nginx S's \$ssl_session_reused is not \"r\""
access_says S '"GET / HTTP/1\.0" 200 reused=r TLSv1\.2 ' "nginx S's access log does not say reused=r"
pass "nginx S (ssl_session_cache shared, no tickets): Reused, TLSv1.2 by session id"
oc "$TMP/s3" "$PORT_A" -sess_in "$TMP/s.sess"
expect "$TMP/s3" '^New, TLSv1\.2, ' "nginx A resumed a session id of nginx S"
pass "session id of nginx S -> nginx A: New (full handshake)"

# ---- (3) ssl_verify_client optional, a client without a certificate, resumed ----------------
# nginx checks SSL_get_verify_result on every request when it verifies clients: a session made
# without a client certificate must carry X509_V_OK (as OpenSSL), or the resumed request gets
# "400 Bad Request" ("client SSL certificate verify error").
for v in 1.2 1.3; do
  what="nginx V (ssl_verify_client optional), no client certificate, TLS $v"
  vflag=-tls1_${v#1.}
  for i in 1 2; do
    sess=(-sess_out "$TMP/v$v.sess"); [ "$i" = 2 ] && sess=(-sess_in "$TMP/v$v.sess")
    openssl_client "$TMP/v$v-$i" "$GET" -connect "127.0.0.1:$PORT_V" -servername localhost -CAfile "$C/ca.pem" \
      -verify_return_error "$vflag" "${sess[@]}" || { tail -n 20 "$TMP/v$v-$i" >&2; fail "$what: openssl s_client failed"; }
  done
  expect "$TMP/v$v-1" "^nginx V reused=\\. proto=TLSv$v .* verify=NONE\$" "$what: first request not served (verify=NONE)"
  expect "$TMP/v$v-2" "^Reused, TLSv$v, " "$what: not resumed"
  expect "$TMP/v$v-2" "^nginx V reused=r proto=TLSv$v .* verify=NONE\$" "$what: the resumed request was refused ($(grep -m1 -E '^HTTP/1\.1 ' "$TMP/v$v-2" || echo no status))"
  pass "$what: resumed, 200, \$ssl_client_verify=NONE"
done

for n in A B C S V; do
  ! grep -E '\[(crit|alert|emerg)\]' "$TMP/$n-error.log" || fail "nginx $n logged critical errors (above)"
done
for p in "$NPID_A" "$NPID_B" "$NPID_C" "$NPID_S" "$NPID_V"; do
  kill -0 "$p" 2>/dev/null || fail "an nginx instance exited during the test"
done
for p in "$NPID_A" "$NPID_B" "$NPID_C" "$NPID_S" "$NPID_V"; do stop_bg "$p"; done
pass "nginx instances stopped cleanly"

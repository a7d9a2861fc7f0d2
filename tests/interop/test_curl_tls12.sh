#!/usr/bin/env bash
# Debian's curl over OUR libssl.so.3 (LD_LIBRARY_PATH=$LIBDIR, proved with LD_DEBUG=libs) with
# `--tlsv1.2 --tls-max 1.2` against the system's `openssl s_server -www`:
#  - each of two suites (--ciphers): the page (written by openssl) says "New, TLSv1.2, Cipher
#    is X" with the extended master secret;
#  - two URLs in one invocation: curl keeps the session of the first connection and the server
#    reports the second as "Reused, TLSv1.2" — by session id (-no_ticket), and with the
#    server's defaults (cache and tickets);
#  - tickets alone (-no_cache): curl turns tickets off (SSL_OP_NO_TICKET), so the system
#    libssl does not resume there either; ours must give the same answer as the system's.
# Labelled "preload": under ASan our library needs the sanitizer runtime preloaded into curl.
. "$(dirname "$0")/lib.sh"
require_sesame
require_system_openssl
require_cmd curl
certs
C=$CERTS

start_www() { # NAME ARGS...: openssl s_server -www; sets PORT, SPID, URL, CURL
  openssl_server "$@"
  URL=https://localhost:$PORT/
  CURL=(curl -sS --max-time 10 --tlsv1.2 --tls-max 1.2 --cacert "$C/ca.pem" --resolve "localhost:$PORT:127.0.0.1")
}
curl_ours() { # NAME ARGS...: curl over our libssl; stderr in $TMP/NAME.err
  local name=$1 rc=0; shift
  LD_LIBRARY_PATH=$LIBDIR run_t 20 "${CURL[@]}" "$@" 2>"$TMP/$name.err" || rc=$?
  [ "$rc" = 0 ] || fail "curl ($name) over our libssl failed (exit $rc): $(cat "$TMP/$name.err")"
}
said() { grep -E '^(New|Reused), ' "$1" || echo nothing; }

start_www www -cert "$C/server.pem" -key "$C/server.key" -www
got=$(libssl_loaded_by env LD_LIBRARY_PATH="$LIBDIR" "${CURL[@]}" -o /dev/null "$URL")
[ "$got" = "$(readlink -f "$LIBDIR/libssl.so.3")" ] ||
  fail "curl with LD_LIBRARY_PATH=$LIBDIR loaded libssl '${got:-none}', not ours"
pass "curl loads our libssl.so.3"

for suite in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-CHACHA20-POLY1305; do
  curl_ours "one-$suite" --ciphers "$suite" -o "$TMP/p-$suite" "$URL"
  expect "$TMP/p-$suite" "^New, TLSv1\\.2, Cipher is $suite\$" "curl --ciphers $suite: openssl's page says $(said "$TMP/p-$suite")"
  expect "$TMP/p-$suite" '^    Extended master secret: yes$' "curl --ciphers $suite: no extended master secret"
  pass "curl --tlsv1.2 --ciphers $suite -> openssl s_server: New, TLSv1.2, Cipher is $suite"
done

# two URLs: the second connection resumes (the server's defaults: cache and tickets)
curl_ours two-default -o "$TMP/d1" "$URL" -o "$TMP/d2" "$URL"
expect "$TMP/d1" '^New, TLSv1\.2, ' "curl, two URLs: first connection not a new TLS 1.2 session ($(said "$TMP/d1"))"
expect "$TMP/d2" '^Reused, TLSv1\.2, ' "curl, two URLs: second connection not resumed (server says: $(said "$TMP/d2"))"
assert_system "$SPID" "openssl s_server"
stop_bg "$SPID"
pass "curl, two URLs -> openssl s_server: second connection Reused, TLSv1.2"

# by session id only
start_www sessid -cert "$C/server.pem" -key "$C/server.key" -www -no_ticket
curl_ours two-sessid -o "$TMP/s1" "$URL" -o "$TMP/s2" "$URL"
expect "$TMP/s1" '^New, TLSv1\.2, ' "curl vs -no_ticket: first connection not New ($(said "$TMP/s1"))"
expect "$TMP/s2" '^Reused, TLSv1\.2, ' "curl vs -no_ticket: second connection not resumed by session id (server says: $(said "$TMP/s2"))"
stop_bg "$SPID"
pass "curl, two URLs -> openssl s_server -no_ticket: Reused, TLSv1.2 (session id)"

# tickets only: the same answer as curl over the system libssl
start_www tickets -cert "$C/server.pem" -key "$C/server.key" -www -no_cache
curl_ours two-tickets -o "$TMP/t1" "$URL" -o "$TMP/t2" "$URL"
got=$(libssl_loaded_by "${CURL[@]}" -o /dev/null "$URL")
[[ "$got" =~ $SYSTEM_LIBSSL_RE ]] || fail "curl without LD_LIBRARY_PATH loads libssl '${got:-none}', expected the system one"
rc=0
run_t 20 "${CURL[@]}" -o "$TMP/sys1" "$URL" -o "$TMP/sys2" "$URL" 2>"$TMP/sys.err" || rc=$?
[ "$rc" = 0 ] || fail "curl over the system libssl failed (exit $rc): $(cat "$TMP/sys.err")"
expect "$TMP/t1" '^New, TLSv1\.2, ' "curl vs -no_cache: first connection not New"
ours=$(grep -oE '^(New|Reused), TLSv1\.2' "$TMP/t2" || echo none) sys=$(grep -oE '^(New|Reused), TLSv1\.2' "$TMP/sys2" || echo none)
[ "$ours" = "$sys" ] || fail "curl vs -no_cache (tickets only): second connection over our libssl '$ours', over the system's '$sys'"
stop_bg "$SPID"
pass "curl, two URLs -> openssl s_server -no_cache: '$ours' over both libssls"

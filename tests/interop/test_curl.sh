#!/usr/bin/env bash
# Debian's curl, run with LD_LIBRARY_PATH=$LIBDIR, loads OUR libssl.so.3 (proved with
# LD_DEBUG=libs) and fetches a page over TLS 1.3 from the system's `openssl s_server -www`:
#  - one URL: the page (written by openssl s_server) says "New, TLSv1.3";
#  - two URLs in one invocation (session contract, issue 3): curl keeps the session from the
#    first connection and the server reports the second as "Reused, TLSv1.3".
# Labelled "preload": under ASan our library needs the sanitizer runtime preloaded into curl.
. "$(dirname "$0")/lib.sh"
require_sesame
require_system_openssl
require_cmd curl
certs
C=$CERTS

openssl_server www -cert "$C/server.pem" -key "$C/server.key" -www -tls1_3
URL=https://localhost:$PORT/
CURL=(curl -sS --max-time 10 --cacert "$C/ca.pem" --resolve "localhost:$PORT:127.0.0.1")

got=$(libssl_loaded_by env LD_LIBRARY_PATH="$LIBDIR" "${CURL[@]}" -o /dev/null "$URL")
[ "$got" = "$(readlink -f "$LIBDIR/libssl.so.3")" ] ||
  fail "curl with LD_LIBRARY_PATH=$LIBDIR loaded libssl '${got:-none}', not ours"
pass "curl loads our libssl.so.3"

rc=0
LD_LIBRARY_PATH=$LIBDIR run_t 20 "${CURL[@]}" -o "$TMP/p0" "$URL" 2>"$TMP/curl0.err" || rc=$?
[ "$rc" = 0 ] || fail "curl over our libssl failed (exit $rc): $(cat "$TMP/curl0.err")"
expect "$TMP/p0" '^New, TLSv1\.3, Cipher is ' "curl: openssl s_server's page does not report a new TLS 1.3 session"
pass "curl -> openssl s_server -www: New, TLSv1.3"

rc=0
LD_LIBRARY_PATH=$LIBDIR run_t 20 "${CURL[@]}" -o "$TMP/p1" "$URL" -o "$TMP/p2" "$URL" 2>"$TMP/curl12.err" || rc=$?
[ "$rc" = 0 ] || fail "curl (two URLs) over our libssl failed (exit $rc): $(cat "$TMP/curl12.err")"
expect "$TMP/p1" '^New, TLSv1\.3, Cipher is ' "curl: first connection was not a new TLS 1.3 session"
expect "$TMP/p2" '^Reused, TLSv1\.3, Cipher is ' "curl: second connection was not resumed (server says: $(grep -E '^(New|Reused)' "$TMP/p2" || echo nothing))"
assert_system "$SPID" "openssl s_server"
pass "curl, two URLs: second connection Reused, TLSv1.3"

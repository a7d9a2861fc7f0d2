#!/usr/bin/env bash
# 1 MiB each way over TLS 1.3, compared by SHA-256:
#  - upload:   sesame s_client -> openssl s_server (echo mode writes what it receives to stdout);
#  - download: sesame s_client fetches a 1 MiB file from openssl s_server -WWW;
#  - download: openssl s_client fetches the same file from sesame s_server -WWW.
# The payload is base64 text between marker lines (random, but never a lone "Q" line, which
# would end s_client's stdin loop), so it can be cut out of a client's mixed output.
. "$(dirname "$0")/lib.sh"
require_sesame
require_system_openssl
certs
C=$CERTS

mkdir -p "$TMP/www"
DATA=$TMP/www/big.txt
{ echo "-----BEGIN SESAME BULK-----"
  head -c 786432 /dev/urandom | base64 -w 64
  echo "-----END SESAME BULK-----"; } >"$DATA"
want=$(sha256sum <"$DATA" | cut -d' ' -f1)
size=$(stat -c %s "$DATA")
# extract FILE: the marker-delimited payload inside FILE, on stdout
extract() { sed -n '/^-----BEGIN SESAME BULK-----$/,/^-----END SESAME BULK-----$/p' "$1"; }

# --- upload: sesame s_client -> openssl s_server (non-www) ---
PORT=$(free_port)
mkfifo "$TMP/srv.in"
exec 8<>"$TMP/srv.in"   # keeps the server's stdin open and empty (EOF would end its loop)
timeout -k 2 "$BG_MAX" openssl s_server -accept "127.0.0.1:$PORT" -cert "$C/server.pem" -key "$C/server.key" \
  -tls1_3 -quiet -naccept 1 <"$TMP/srv.in" >"$TMP/received" 2>"$TMP/upload-server.log" &
SPID=$!; PIDS+=("$SPID")
wait_port "$PORT" "$SPID" || fail "openssl s_server (upload) did not listen"
assert_system "$SPID" "openssl s_server (upload)"
rc=0
{ cat "$DATA"; echo Q; } | run_t 30 "$SESAME" s_client -connect "127.0.0.1:$PORT" -servername localhost \
  -CAfile "$C/ca.pem" -verify_return_error -tls1_3 >"$TMP/upload-client.log" 2>&1 || rc=$?
[ "$rc" = 0 ] || { tail -n 20 "$TMP/upload-client.log"; fail "upload: sesame s_client exited $rc"; }
# -naccept 1: the server exits once the connection ends, flushing its stdout
for _ in $(seq 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$SPID" 2>/dev/null && fail "upload: openssl s_server still running 5 s after the client finished (no close_notify/EOF?)"
got=$(extract "$TMP/received" | sha256sum | cut -d' ' -f1)
[ "$got" = "$want" ] || fail "upload: openssl s_server received $(stat -c %s "$TMP/received") bytes, SHA-256 differs from the $size bytes sent"
# the "Q" line ends the client; if the CLI forwards it, it is the only thing after the payload
extra=$(sed '1,/^-----END SESAME BULK-----$/d' "$TMP/received" | tr -d '\n')
[ -z "$extra" ] || [ "$extra" = Q ] || fail "upload: unexpected bytes after the payload: $(head -c 80 <<<"$extra")"
exec 8>&-
pass "upload: 1 MiB sesame s_client -> openssl s_server, SHA-256 matches"

# --- download: sesame s_client <- openssl s_server -WWW ---
cd "$TMP/www"
openssl_server www -cert "$C/server.pem" -key "$C/server.key" -WWW -tls1_3
cd "$TMP"
out=$TMP/download-sesame.out
sesame_client "$out" $'GET /big.txt HTTP/1.0\r\n\r\n' -connect "127.0.0.1:$PORT" -servername localhost \
  -CAfile "$C/ca.pem" -verify_return_error -tls1_3 ||
  { tail -n 20 "$out"; fail "download: sesame s_client exited $CLIENT_RC"; }
sesame_ok_block "$out" "" "download"
got=$(extract "$out" | sha256sum | cut -d' ' -f1)
[ "$got" = "$want" ] || fail "download: sesame s_client got $(extract "$out" | wc -c) payload bytes, SHA-256 differs from the $size served"
stop_bg "$SPID"
pass "download: 1 MiB openssl s_server -WWW -> sesame s_client, SHA-256 matches"

# --- download: openssl s_client <- sesame s_server -WWW ---
cd "$TMP/www"
sesame_server swww -cert "$C/server.pem" -key "$C/server.key" -WWW -tls1_3
cd "$TMP"
rc=0
printf 'GET /big.txt HTTP/1.0\r\n\r\n' | run_t 30 openssl s_client -quiet -connect "127.0.0.1:$PORT" \
  -servername localhost -CAfile "$C/ca.pem" -verify_return_error -tls1_3 \
  >"$TMP/download-openssl.out" 2>"$TMP/download-openssl.err" || rc=$?
[ "$rc" = 0 ] || { tail -n 20 "$TMP/download-openssl.err"; fail "download: openssl s_client exited $rc"; }
expect "$TMP/download-openssl.out" 'HTTP/1\.[01] 200' "download: sesame s_server -WWW sent no 200 response"
got=$(extract "$TMP/download-openssl.out" | sha256sum | cut -d' ' -f1)
[ "$got" = "$want" ] || fail "download: openssl s_client got $(extract "$TMP/download-openssl.out" | wc -c) payload bytes from sesame s_server, SHA-256 differs"
stop_bg "$SPID"
pass "download: 1 MiB sesame s_server -WWW -> openssl s_client, SHA-256 matches"

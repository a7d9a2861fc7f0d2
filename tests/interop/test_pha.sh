#!/usr/bin/env bash
# TLS 1.3 post-handshake client authentication against OpenSSL, both roles. Our side is
# Python's ssl module over our libssl.so.3 (tests/interop/pha_peer.py).
#  - our client, `openssl s_server -verify_return_error`: the `c` command on its stdin asks for
#    the client certificate after the handshake; our client answers while it reads and the
#    connection goes on; with a certificate openssl does not trust, our client sees
#    unknown_ca on its next read;
#  - our server, `openssl s_client -enable_pha`: we ask after the handshake and see the client's
#    certificate; without a certificate openssl sees certificate_required, with an untrusted
#    one unknown_ca.
. "$(dirname "$0")/lib.sh"
require_system_openssl
require_cmd python3
certs
C=$CERTS
PEER=$SRC_DIR/tests/interop/pha_peer.py
OURS=$(readlink -f "$LIBDIR/libssl.so.3")

# client_case NAME CERT KEY: openssl s_server (stdin from a FIFO) and our client; leaves the
# logs in $TMP/NAME-srv.log and $TMP/NAME-cli.log.
client_case() {
  local name=$1 cert=$2 key=$3 fifo=$TMP/$1.in go=$TMP/$1.go
  mkfifo "$fifo"
  PORT=$(free_port)
  # stdbuf: s_server's messages are stdio output, seen as they are printed
  start_bg_stdin "$name-srv" "$fifo" stdbuf -oL -eL openssl s_server -accept "127.0.0.1:$PORT" \
    -cert "$C/server.pem" -key "$C/server.key" -CAfile "$C/ca.pem" -tls1_3 -naccept 1 \
    -verify_return_error
  local spid=$BG_PID
  exec 3>"$fifo"
  wait_port "$PORT" "$spid" || fail "$name: openssl s_server did not listen on $PORT"
  assert_system "$spid" "openssl s_server ($name)"
  start_bg "$name-cli" env LD_LIBRARY_PATH="$LIBDIR" python3 "$PEER" client "$PORT" \
    "$C/ca.pem" "$cert" "$key" "$go"
  local cpid=$BG_PID
  wait_line "$TMP/$name-cli.log" '^handshake TLSv1\.3$' 5 ||
    fail "$name: no TLS 1.3 handshake between our client and openssl s_server"
  expect "$TMP/$name-cli.log" "^lib $OURS\$" "$name: the client did not run on our libssl"
  wait_line "$TMP/$name-srv.log" '^CIPHER is ' 5 || fail "$name: openssl s_server did not finish its handshake"
  echo c >&3
  wait_line "$TMP/$name-srv.log" '^SSL_do_handshake -> 1' 5 ||
    fail "$name: openssl s_server did not send its CertificateRequest"
  echo hello-from-server >&3
  touch "$go"
  wait_line "$TMP/$name-cli.log" '^(after|error) ' 8 || fail "$name: our client did not finish"
  exec 3>&-
}

what="our client with a certificate -> openssl s_server, c command"
client_case good "$C/client.pem" "$C/client.key"
expect "$TMP/good-cli.log" '^got hello-from-server$' "$what: no data after the request"
wait_line "$TMP/good-srv.log" '^hello-from-client' 5 ||
  fail "$what: openssl did not get our data after the authentication"
expect "$TMP/good-srv.log" 'depth=0 .*CN ?= ?sesame test client' "$what: openssl saw no client certificate"
expect_not "$TMP/good-srv.log" 'verify error|certificate verify failed' "$what: openssl rejected it"
expect "$TMP/good-cli.log" '^after nothing$' "$what: unexpected data or alert after the answer"
pass "$what"

what="our client with an untrusted certificate -> openssl s_server, c command"
client_case bad "$C/server-untrusted.pem" "$C/server-untrusted.key"
expect "$TMP/bad-cli.log" '^sent$' "$what: our client failed before its next read"
expect "$TMP/bad-cli.log" '^error .*alert unknown ca' "$what: our client did not see unknown_ca"
expect "$TMP/bad-srv.log" 'certificate verify failed' "$what: openssl did not reject the certificate"
pass "$what"

# server_case NAME S_CLIENT_ARGS...: our server and `openssl s_client -enable_pha`.
server_case() {
  local name=$1; shift
  PORT=$(free_port)
  start_bg "$name-srv" env LD_LIBRARY_PATH="$LIBDIR" python3 "$PEER" server "$PORT" \
    "$C/ca.pem" "$C/server.pem" "$C/server.key"
  local spid=$BG_PID
  wait_port "$PORT" "$spid" || fail "$name: our server did not listen on $PORT"
  { printf 'auth\n'; sleep 1; printf 'next\n'; sleep 2; } |
    run_t 15 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost \
      -CAfile "$C/ca.pem" -verify_return_error -enable_pha -ign_eof "$@" \
      >"$TMP/$name-cli.log" 2>&1 || true
  wait_line "$TMP/$name-srv.log" '^(peer|error) ' 5 || fail "$name: our server did not finish"
  expect "$TMP/$name-srv.log" "^lib $OURS\$" "$name: the server did not run on our libssl"
}

what="openssl s_client -enable_pha with a certificate -> our server"
server_case sgood -cert "$C/client.pem" -key "$C/client.key"
expect "$TMP/sgood-srv.log" '^handshake TLSv1\.3 peer at handshake: none$' \
  "$what: not TLS 1.3, or a certificate already in the handshake"
expect "$TMP/sgood-srv.log" '^peer sesame test client ' "$what: our server did not get the certificate"
expect "$TMP/sgood-cli.log" '^peer sesame test client' "$what: openssl did not get our answer"
pass "$what"

what="openssl s_client -enable_pha without a certificate -> our server"
server_case snone
expect "$TMP/snone-srv.log" '^error .*peer did not return a certificate' \
  "$what: our server did not refuse the missing certificate"
expect "$TMP/snone-cli.log" 'alert certificate required' "$what: openssl did not see certificate_required"
pass "$what"

what="openssl s_client -enable_pha with an untrusted certificate -> our server"
server_case sbad -cert "$C/server-untrusted.pem" -key "$C/server-untrusted.key"
expect "$TMP/sbad-srv.log" '^error .*certificate verify failed' "$what: our server accepted it"
expect "$TMP/sbad-cli.log" 'alert unknown ca' "$what: openssl did not see unknown_ca"
pass "$what"

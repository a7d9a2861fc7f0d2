#!/usr/bin/env bash
# ALPN and SNI, both directions, TLS 1.3:
#  - ALPN: sesame s_server -alpn h2,http/1.1 picks by its own preference among the client's
#    offer; openssl s_server -alpn with sesame s_client; no -alpn => "No ALPN negotiated".
#  - SNI: sesame s_server -servername other.example -cert2/-key2 serves the second
#    certificate only to clients asking for other.example; the mirror with openssl s_server.
. "$(dirname "$0")/lib.sh"
require_sesame
require_system_openssl
certs
C=$CERTS

oc() { # OUT ARGS...: openssl s_client to $PORT with the usual verification
  local out=$1; shift
  openssl_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -CAfile "$C/ca.pem" -verify_return_error "$@" ||
    { tail -n 20 "$out"; fail "openssl s_client $* failed"; }
  expect "$out" '^Verification: OK' "openssl s_client $*: not verified"
}
sc() { # OUT ARGS...: sesame s_client to $PORT with the usual verification
  local out=$1; shift
  sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -CAfile "$C/ca.pem" -verify_return_error "$@" ||
    { tail -n 20 "$out"; fail "sesame s_client $* exited non-zero"; }
  sesame_ok_block "$out" "" "sesame s_client $*"
}

# --- ALPN, sesame server ---
sesame_server alpn -cert "$C/server.pem" -key "$C/server.key" -www -alpn h2,http/1.1
oc "$TMP/a1" -servername localhost -alpn h2,http/1.1
expect "$TMP/a1" '^ALPN protocol: h2$' "ALPN: sesame s_server did not select h2"
oc "$TMP/a2" -servername localhost -alpn foo,http/1.1
expect "$TMP/a2" '^ALPN protocol: http/1\.1$' "ALPN: sesame s_server did not select http/1.1"
oc "$TMP/a3" -servername localhost
expect "$TMP/a3" '^No ALPN negotiated' "ALPN: negotiated without a client offer"
stop_bg "$SPID"
pass "ALPN: openssl s_client -> sesame s_server (h2, http/1.1, none)"

# --- ALPN, openssl server ---
openssl_server oalpn -cert "$C/server.pem" -key "$C/server.key" -www -alpn h2,http/1.1
sc "$TMP/a4" -servername localhost -alpn h2,http/1.1
expect "$TMP/a4" '^ALPN protocol: h2$' "ALPN: sesame s_client did not get h2"
sc "$TMP/a5" -servername localhost -alpn http/1.1
expect "$TMP/a5" '^ALPN protocol: http/1\.1$' "ALPN: sesame s_client did not get http/1.1"
sc "$TMP/a6" -servername localhost
expect "$TMP/a6" '^No ALPN negotiated' "ALPN: sesame s_client reports ALPN without offering any"
stop_bg "$SPID"
pass "ALPN: sesame s_client -> openssl s_server (h2, http/1.1, none)"

# --- SNI, sesame server ---
sesame_server sni -cert "$C/server.pem" -key "$C/server.key" -www \
  -servername other.example -cert2 "$C/server-other.pem" -key2 "$C/server-other.key"
oc "$TMP/s1" -servername other.example -verify_hostname other.example
expect "$TMP/s1" '^subject=.*CN ?= ?other\.example' "SNI: sesame s_server did not select the other.example certificate"
oc "$TMP/s2" -servername localhost -verify_hostname localhost
expect "$TMP/s2" '^subject=.*CN ?= ?localhost' "SNI: sesame s_server did not serve the default certificate for localhost"
stop_bg "$SPID"
pass "SNI: openssl s_client -> sesame s_server (other.example, localhost)"

# --- SNI, openssl server ---
openssl_server osni -cert "$C/server.pem" -key "$C/server.key" -www \
  -servername other.example -cert2 "$C/server-other.pem" -key2 "$C/server-other.key"
sc "$TMP/s3" -servername other.example
expect "$TMP/s3" '^Peer certificate: .*CN ?= ?other\.example' "SNI: sesame s_client did not send other.example"
sc "$TMP/s4" -servername localhost
expect "$TMP/s4" '^Peer certificate: .*CN ?= ?localhost' "SNI: sesame s_client got the wrong certificate for localhost"
stop_bg "$SPID"
pass "SNI: sesame s_client -> openssl s_server (other.example, localhost)"

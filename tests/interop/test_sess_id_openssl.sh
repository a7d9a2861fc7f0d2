#!/usr/bin/env bash
# Sessions written by OpenSSL itself (its SSL_SESSION_ASN1 layout, docs/session-format.md
# "Reading OpenSSL's sessions") are read by sesame:
#  - `openssl s_client -sess_out F` against openssl s_server, TLS 1.3 and TLS 1.2;
#  - `sesame sess_id -in F -text` prints the protocol and the cipher OpenSSL reports;
#  - `sesame s_client -sess_in F` against the same openssl s_server resumes both
#    ("Reused, TLSv1.x" on both sides);
#  - `sesame sess_id -in F -out G` writes our own format (which openssl cannot read),
#    and sesame reads G back.
. "$(dirname "$0")/lib.sh"
require_sesame
require_system_openssl
certs
C=$CERTS

for v in 1.3 1.2; do
  flag=-tls1_${v#1.}
  extra=(); [ "$v" = 1.2 ] && extra=(-cipher ECDHE-ECDSA-AES128-GCM-SHA256)
  what="TLS $v session written by openssl s_client"
  openssl_server "os-$v" -cert "$C/server.pem" -key "$C/server.key" -www "$flag"
  F=$TMP/openssl-$v.sess

  out=$TMP/oc-$v
  openssl_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$C/ca.pem" \
    -verify_return_error "$flag" "${extra[@]}" -sess_out "$F" ||
    { tail -n 20 "$out"; fail "$what: openssl s_client failed"; }
  expect "$out" "^New, TLSv$v, " "$what: first connection not a new TLS $v session"
  [ -s "$F" ] || fail "$what: openssl s_client wrote no session"
  # what OpenSSL itself says about the file
  run_t 10 openssl sess_id -in "$F" -noout -text >"$TMP/os-text-$v" 2>&1 ||
    fail "$what: openssl sess_id cannot read its own session"
  cipher=$(sed -n 's/^ *Cipher *: *//p' "$TMP/os-text-$v")
  [ -n "$cipher" ] || fail "$what: no Cipher line from openssl sess_id"

  # sesame sess_id reads it
  txt=$TMP/sesame-text-$v
  run_t 10 "$SESAME" sess_id -in "$F" -text -noout >"$txt" 2>&1 ||
    { cat "$txt"; fail "$what: sesame sess_id cannot read it"; }
  expect "$txt" "^ *Protocol *: TLSv$v\$" "$what: sesame sess_id does not print Protocol TLSv$v"
  expect "$txt" "^ *Cipher *: $cipher\$" "$what: sesame sess_id does not print the cipher ($cipher)"
  for key in 'Session-ID' 'Resumption PSK|Master-Key' 'Start Time'; do
    want=$(grep -E "^ *($key) *:" "$TMP/os-text-$v" | head -1 | sed 's/[[:space:]]*$//')
    [ -z "$want" ] || grep -qxF -- "$want" <(sed 's/[[:space:]]*$//' "$txt") ||
      fail "$what: sesame sess_id's '$key' differs from openssl's ($want)"
  done
  pass "$what: sesame sess_id -text prints TLSv$v, $cipher (same id, key and time as openssl)"

  # sesame s_client resumes with it.  OpenSSL keeps the server name in a TLS 1.2 session
  # only when the server acknowledged it (openssl s_server -www does not), and sesame
  # offers a session only to the name it was made for: without SNI here.
  out=$TMP/sc-$v
  sni=(-servername localhost); [ "$v" = 1.2 ] && sni=()
  sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" "${sni[@]}" -CAfile "$C/ca.pem" \
    -verify_return_error "$flag" -sess_in "$F" || { tail -n 20 "$out"; fail "$what: sesame s_client -sess_in failed"; }
  expect "$out" "^Reused, TLSv$v, " "$what: sesame s_client -sess_in did not resume"
  expect "$(page "$out")" "^(<[^>]*>)*Reused, TLSv$v, " "$what: openssl s_server did not resume"
  pass "$what: sesame s_client -sess_in -> openssl s_server: Reused, TLSv$v"

  # written back in our own format
  G=$TMP/sesame-$v.sess
  run_t 10 "$SESAME" sess_id -in "$F" -out "$G" >/dev/null 2>&1 || fail "$what: sesame sess_id -out failed"
  run_t 10 "$SESAME" sess_id -in "$G" -text -noout >"$TMP/sesame-again-$v" 2>&1 ||
    fail "$what: sesame cannot read back what it wrote"
  cmp -s <(grep -vE '^ *Start Time' "$txt") <(grep -vE '^ *Start Time' "$TMP/sesame-again-$v") ||
    fail "$what: the session changed when written in sesame's format"
  ! run_t 10 openssl sess_id -in "$G" -noout >/dev/null 2>&1 ||
    fail "$what: openssl read sesame's format (expected: sesame writes only its own format)"
  pass "$what: written back in sesame's own format"
  stop_bg "$SPID"
done

# A TLS 1.2 session offered by a client that may do TLS 1.3, to a server that does: the
# server chooses 1.3, so a full TLS 1.3 handshake (never a failure, never a 1.2 resumption).
what="sesame s_client -sess_in (OpenSSL's TLS 1.2 session) -> openssl s_server (1.3)"
openssl_server os-any -cert "$C/server.pem" -key "$C/server.key" -www
out=$TMP/sc-12-on-13
sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$C/ca.pem" \
  -verify_return_error -sess_in "$TMP/openssl-1.2.sess" || { tail -n 20 "$out"; fail "$what: failed"; }
expect "$out" '^New, TLSv1\.3, ' "$what: not a full TLS 1.3 handshake"
stop_bg "$SPID"

#!/usr/bin/env bash
# GnuTLS interop, TLS 1.3 only, each cipher suite, both directions:
#  - `sesame s_client` against `gnutls-serv` (HTTP mode; its page reports the cipher);
#  - `gnutls-cli` against `sesame s_server -www` (sesame's page reports the suite).
. "$(dirname "$0")/lib.sh"
require_sesame
require_cmd gnutls-serv gnutls-bin
require_cmd gnutls-cli gnutls-bin
certs
C=$CERTS

# suite name : gnutls cipher name
PAIRS="TLS_AES_128_GCM_SHA256:AES-128-GCM TLS_AES_256_GCM_SHA384:AES-256-GCM TLS_CHACHA20_POLY1305_SHA256:CHACHA20-POLY1305"

for pair in $PAIRS; do
  suite=${pair%%:*} gc=${pair#*:}
  prio="NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+$gc"

  # sesame s_client -> gnutls-serv
  gnutls_server "gs-$gc" --x509certfile "$C/server.pem" --x509keyfile "$C/server.key" --priority "$prio"
  out=$TMP/sc-$gc.out
  what="sesame s_client -> gnutls-serv ($suite)"
  sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
    -CAfile "$C/ca.pem" -verify_return_error -tls1_3 ||
    { tail -n 20 "$out"; fail "$what: sesame s_client exited $CLIENT_RC"; }
  sesame_ok_block "$out" "$suite" "$what"
  pg=$(page "$out")
  expect "$pg" 'Protocol version:</TD><TD>TLS1\.3<' "$what: gnutls-serv's page does not say TLS1.3"
  expect "$pg" "<TD>Cipher</TD><TD>$gc<" "$what: gnutls-serv's page does not report $gc"
  assert_not_ours "$SPID" "gnutls-serv"
  stop_bg "$SPID"
  pass "$what"

  # gnutls-cli -> sesame s_server
  sesame_server "ss-$gc" -cert "$C/server.pem" -key "$C/server.key" -www
  out=$TMP/gc-$gc.out
  what="gnutls-cli -> sesame s_server ($suite)"
  rc=0
  printf '%s' "$HTTP_GET" | run_t 15 gnutls-cli --x509cafile "$C/ca.pem" --priority "$prio" \
    -p "$PORT" localhost >"$out" 2>&1 || rc=$?
  [ "$rc" = 0 ] || { tail -n 20 "$out"; fail "$what: gnutls-cli exited $rc"; }
  expect "$out" '^- Handshake was completed' "$what: handshake did not complete"
  expect "$out" "^- Description: \\(TLS1\\.3-X\\.509\\)-.*-\\($gc\\)" "$what: gnutls-cli did not negotiate TLS1.3/$gc"
  expect "$(page "$out")" "^(<[^>]*>)*New, TLSv1\\.3, Cipher is $suite" "$what: sesame's page does not report $suite"
  stop_bg "$SPID"
  pass "$what"
done

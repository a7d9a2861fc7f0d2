#!/usr/bin/env bash
# Server certificate types, both directions, TLS 1.3, verified against the test root:
#   ECDSA P-256 leaf sent with its intermediate CA (a chain), ECDSA P-384,
#   RSA-2048 (rsaEncryption key => rsa_pss_rsae_* signatures), Ed25519.
# Each openssl s_client run checks the CertificateVerify signature type it saw.
. "$(dirname "$0")/lib.sh"
require_sesame
require_system_openssl
certs
C=$CERTS

# name : cert file for sesame (chain file where there is an intermediate) : key : peer sig type
KINDS="p256-chain:server-p256-chain.pem:server-p256.key:ECDSA
p384:server-p384.pem:server-p384.key:ECDSA
rsa:server-rsa.pem:server-rsa.key:RSA-PSS
ed25519:server-ed25519.pem:server-ed25519.key:ed25519"

while IFS=: read -r name cert key sigtype; do
  # openssl s_client -> sesame s_server
  sesame_server "ss-$name" -cert "$C/$cert" -key "$C/$key" -www -tls1_3
  out=$TMP/oc-$name.out
  what="openssl s_client -> sesame s_server ($name)"
  openssl_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
    -CAfile "$C/ca.pem" -verify_return_error -tls1_3 ||
    { tail -n 20 "$out"; fail "$what: openssl s_client exited $CLIENT_RC"; }
  expect "$out" '^Verification: OK' "$what: not verified"
  expect "$out" '^New, TLSv1\.3, Cipher is ' "$what: not TLS 1.3"
  expect "$out" "^Peer signature type: $sigtype\$" "$what: CertificateVerify is not $sigtype"
  case $name in
    p256-chain) expect "$out" '^ 1 s:.*CN = sesame test intermediate CA' "$what: sesame did not send the intermediate" ;;
    p384) expect "$out" '^Peer signing digest: SHA384' "$what: not ecdsa_secp384r1_sha384" ;;
  esac
  stop_bg "$SPID"
  pass "$what"

  # sesame s_client -> openssl s_server (openssl's -cert takes one certificate; the
  # intermediate goes in -cert_chain)
  leaf=${cert%.pem}; leaf=${leaf%-chain}.pem
  oargs=(-cert "$C/$leaf" -key "$C/$key")
  [ "$name" = p256-chain ] && oargs+=(-cert_chain "$C/int-ca.pem")
  openssl_server "os-$name" "${oargs[@]}" -www -tls1_3
  out=$TMP/sc-$name.out
  what="sesame s_client -> openssl s_server ($name)"
  sesame_client "$out" "$HTTP_GET" -connect "127.0.0.1:$PORT" -servername localhost \
    -CAfile "$C/ca.pem" -verify_return_error -tls1_3 ||
    { tail -n 20 "$out"; fail "$what: sesame s_client exited $CLIENT_RC"; }
  sesame_ok_block "$out" "" "$what"
  expect "$out" '^Peer certificate: .*CN ?= ?localhost' "$what: peer certificate not reported"
  expect "$out" 'HTTP/1\.0 200 ok' "$what: no HTTP response"
  stop_bg "$SPID"
  pass "$what"
done <<<"$KINDS"

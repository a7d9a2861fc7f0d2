#!/usr/bin/env bash
# make-certs.sh OUTDIR — generate every certificate the interop tests use, with the
# system `openssl` command. Idempotent: does nothing when OUTDIR/.complete exists.
#
# Files written (all PEM; keys unencrypted):
#   ca.pem ca.key                      root CA, ECDSA P-256 (the trust anchor given to clients)
#   int-ca.pem int-ca.key              intermediate CA (ECDSA P-256), signed by the root
#   server.pem server.key              P-256 leaf for localhost/127.0.0.1, signed directly by the root
#   server-p256.pem server-p256.key    P-256 leaf signed by the intermediate
#   server-p256-chain.pem              server-p256.pem + int-ca.pem
#   server-p384.pem server-p384.key    ECDSA P-384 leaf (root-signed)
#   server-rsa.pem server-rsa.key      RSA-2048 (rsaEncryption => rsa_pss_rsae_* in TLS 1.3)
#   server-ed25519.pem server-ed25519.key
#   server-other.pem server-other.key  SAN DNS:other.example (SNI tests)
#   server-expired.pem server-expired.key   valid 2020-01-01 .. 2020-02-01 only
#   untrusted-ca.pem untrusted-ca.key  a root that no client trusts
#   server-untrusted.pem server-untrusted.key  localhost leaf signed by untrusted-ca
#   client.pem client.key              client certificate (ECDSA P-256, clientAuth), root-signed
# Each leaf also gets <name>-chain.pem (leaf followed by its issuing CA when not the root).
set -euo pipefail
OUT=${1:?usage: make-certs.sh OUTDIR}
mkdir -p "$OUT"
[ -f "$OUT/.complete" ] && exit 0
cd "$OUT"
rm -f ./*.pem ./*.key ./*.csr ./*.srl ./*.ext ./*.cnf
rm -rf ./ca-db
exec 3>make-certs.log
o() { openssl "$@" >&3 2>&1 || { echo "make-certs.sh: openssl $* failed (see $OUT/make-certs.log)" >&2; tail -5 "$OUT/make-certs.log" >&2; exit 1; }; }

keygen() { # keygen NAME TYPE
  case $2 in
    p256) o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" ;;
    p384) o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1.key" ;;
    rsa) o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" ;;
    ed25519) o genpkey -algorithm ED25519 -out "$1.key" ;;
  esac
}

ca_ext='basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always'
server_ext() { printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
  'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth' \
  'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid' "subjectAltName=$1"; }
client_ext='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid'

selfsigned_ca() { # NAME CN
  keygen "$1" p256
  printf '%s\n' "$ca_ext" >"$1.ext"
  o req -new -key "$1.key" -subj "/O=sesame tests/CN=$2" -out "$1.csr"
  o x509 -req -in "$1.csr" -key "$1.key" -days 3650 -extfile "$1.ext" -set_serial "0x$(openssl rand -hex 8)" -out "$1.pem"
}

sign() { # NAME KEYTYPE CN EXT_TEXT ISSUER
  keygen "$1" "$2"
  printf '%s\n' "$4" >"$1.ext"
  o req -new -key "$1.key" -subj "/O=sesame tests/CN=$3" -out "$1.csr"
  o x509 -req -in "$1.csr" -CA "$5.pem" -CAkey "$5.key" -days 825 -extfile "$1.ext" \
    -set_serial "0x$(openssl rand -hex 8)" -out "$1.pem"
  if [ "$5" = ca ]; then cp "$1.pem" "$1-chain.pem"; else cat "$1.pem" "$5.pem" >"$1-chain.pem"; fi
}

LOCAL='DNS:localhost,IP:127.0.0.1'
selfsigned_ca ca "sesame test root CA"
sign int-ca p256 "sesame test intermediate CA" "$ca_ext" ca
sign server p256 localhost "$(server_ext "$LOCAL")" ca
sign server-p256 p256 localhost "$(server_ext "$LOCAL")" int-ca
sign server-p384 p384 localhost "$(server_ext "$LOCAL")" ca
sign server-rsa rsa localhost "$(server_ext "$LOCAL")" ca
sign server-ed25519 ed25519 localhost "$(server_ext "$LOCAL")" ca
sign server-other p256 other.example "$(server_ext 'DNS:other.example')" ca
sign client p256 "sesame test client" "$client_ext" ca
selfsigned_ca untrusted-ca "sesame UNTRUSTED root CA"
sign server-untrusted p256 localhost "$(server_ext "$LOCAL")" untrusted-ca

# Expired leaf: `openssl x509 -req` in 3.0 cannot back-date, `openssl ca` can.
mkdir -p ca-db/new
: >ca-db/index.txt
openssl rand -hex 8 >ca-db/serial
cat >ca-db/ca.cnf <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = $OUT/ca-db
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
certificate = $OUT/ca.pem
private_key = $OUT/ca.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied
organizationName = optional
[ server_ext ]
$(server_ext "$LOCAL")
CNF
keygen server-expired p256
o req -new -key server-expired.key -subj "/O=sesame tests/CN=localhost" -out server-expired.csr
o ca -batch -config ca-db/ca.cnf -extensions server_ext -notext \
  -startdate 20200101000000Z -enddate 20200201000000Z -in server-expired.csr -out server-expired.pem
cp server-expired.pem server-expired-chain.pem

rm -f ./*.csr ./*.ext ./*.srl
chmod 644 ./*.pem ./*.key
touch .complete

#!/usr/bin/env bash
# interop.fleet_nginx: two unmodified nginx (Debian's) on our libssl.so.3 (LD_LIBRARY_PATH) with
# the same SESAME_SESSION_STORE and no ticket key file (ssl_session_tickets on): a ticket issued
# by nginx 1 resumes on nginx 2, in TLS 1.3 and TLS 1.2. Twice: one worker each (nginx_lib.sh's
# nginx_start), then two workers each (master_process on: the workers fork from the master that
# created the SSL_CTX, so the store connects after fork), every connection resumed on the other
# nginx. Every nginx process is checked to map our libssl.so.3, the workers the store module.
. "$(dirname "$0")/../interop/lib.sh"
. "$(dirname "$0")/../interop/nginx_lib.sh"
. "$(dirname "$0")/fleet_lib.sh"

fleet_require
nginx_require
redis_start
URL=redis://127.0.0.1:$REDIS_PORT/0

# server_block PORT: one TLS server with the test certificate, tickets on, no key file.
server_block() {
  cat <<EOF
  server {
    listen 127.0.0.1:$1 ssl;
    server_name localhost;
    ssl_certificate $CERTS/server.pem;
    ssl_certificate_key $CERTS/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_tickets on;
    $NGX_PAGE
  }
EOF
}

# nginx_conn OUT PORT ARGS...: conn, and the page nginx sent says the same (reused=r or .).
nginx_conn() {
  conn "$@"
  local want=.
  [ "$HS" = Reused ] && want=r
  [ "$HS" = failed ] || grep -q "reused=$want " "$1" ||
    fail "nginx's page disagrees with the client about resumption ($HS): $(grep -m1 '^nginx' "$1")"
}

# cross LABEL P1 P2 ARGS...: a session from P1 offered to P2 must resume.
cross() {
  local label=$1 p1=$2 p2=$3; shift 3
  nginx_conn "$TMP/$label-1.out" "$p1" "$@" -sess_out "$TMP/$label.sess"
  [ "$HS" = New ] || fail "$label: first connection to nginx on $p1: $HS"
  nginx_conn "$TMP/$label-2.out" "$p2" "$@" -sess_in "$TMP/$label.sess"
  [ "$HS" = Reused ] || fail "$label: a ticket from nginx on $p1 did not resume on nginx on $p2: $HS"
}

assert_module() { # PID WHAT
  grep -q 'libsesame-store-redis\.so' "/proc/$1/maps" || fail "$2 did not map libsesame-store-redis.so"
}

# ---- one worker each (nginx_start) -----------------------------------------------------------
export SESAME_SESSION_STORE=$URL # read by SSL_CTX_new in nginx's master, while parsing the config
P1=$(free_port)
nginx_start n1 ours "$(server_block "$P1")"
W1=$WPID
P2=$(free_port)
nginx_start n2 ours "$(server_block "$P2")"
W2=$WPID
unset SESAME_SESSION_STORE
cross one13 "$P1" "$P2" -tls1_3
cross one12 "$P1" "$P2" -tls1_2
cross one13-back "$P2" "$P1" -tls1_3
assert_module "$W1" "nginx 1's worker"
assert_module "$W2" "nginx 2's worker"
nginx_no_alarm n1 n2
pass "one worker each: tickets from nginx 1 resume on nginx 2 (TLS 1.3, 1.2) and back; both on our libssl, with the store module"

# The control: an nginx on our libssl without the store does not open those tickets.
P0=$(free_port)
nginx_start n0 ours "$(server_block "$P0")"
W0=$WPID
nginx_conn "$TMP/ctl.out" "$P0" -tls1_3 -sess_in "$TMP/one13.sess"
[ "$HS" = New ] || fail "control: an nginx without SESAME_SESSION_STORE resumed a ticket of nginx 1 ($HS)"
! grep -qE 'libsesame-store|libhiredis' "/proc/$W0/maps" || fail "control: nginx without a store mapped the store module or hiredis"
pass "control: an nginx without the store: New (and no store module mapped)"

# ---- two workers each, master_process on -----------------------------------------------------
# ngx2_start NAME PORT: an nginx on our libssl with the store, master_process on and two
# workers (nginx_start with NGX_WORKERS=2); sets WPIDS.
ngx2_start() {
  SESAME_SESSION_STORE="$URL" NGX_WORKERS=2 nginx_start "$1" ours "$(server_block "$2")"
}

Q1=$(free_port)
ngx2_start m1 "$Q1"
M1_WORKERS=("${WPIDS[@]}")
Q2=$(free_port)
ngx2_start m2 "$Q2"
M2_WORKERS=("${WPIDS[@]}")
n=0
for i in $(seq 6); do
  cross multi13-$i "$Q1" "$Q2" -tls1_3
  cross multi12-$i "$Q2" "$Q1" -tls1_2
  n=$((n + 2))
done
served=$(awk '{print $1}' "$TMP/m1-access.log" "$TMP/m2-access.log" | sort -u | wc -l)
for w in "${M1_WORKERS[@]}" "${M2_WORKERS[@]}"; do
  if grep -q "^$w " "$TMP/m1-access.log" "$TMP/m2-access.log"; then assert_module "$w" "nginx worker $w"; fi
done
nginx_no_alarm m1 m2
pass "two workers each (master_process on): $n sessions resumed on the other nginx, $served of 4 workers served"

#!/usr/bin/env bash
# nginx's session resumption on our libssl.so.3, every kind, TLS 1.3 and 1.2, with the system
# libssl as the control: each nginx configuration runs twice, once on the system libssl and once
# on ours (LD_LIBRARY_PATH; /proc/PID/maps of master and worker prove which), and every check
# below must hold for both. The client is the system's openssl s_client (-sess_out, then
# -sess_in on a second connection).
#  - kinds of resumption: ssl_session_cache shared with tickets off (nginx's external cache:
#    new/get/remove callbacks, i2d/d2i; TLS 1.3 resumes by stateful ticket), tickets with the
#    library's own keys, ssl_session_ticket_key files of 48 and 80 bytes: the first connection
#    is "New" and nginx logs $ssl_session_reused ".", the second "Reused" and "r" (page and
#    access log); the shared cache is nginx's (another server block with the same zone, so
#    another SSL_CTX, resumes the session: the external get callback found it);
#  - ssl_session_timeout 2s: the ticket lifetime hint is 2 s; within it a session resumes, 3 s
#    later it does not (cache and ticket, TLS 1.3 and 1.2);
#  - a ticket sealed under another 48-byte key file is refused (full handshake).
# Labelled "preload": under ASan our library would need the sanitizer runtime in nginx.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nginx_lib.sh"
require_sesame
require_system_openssl
nginx_require
certs
C=$CERTS

openssl rand 48 >"$TMP/k48"
openssl rand 48 >"$TMP/k48-other"
openssl rand 80 >"$TMP/k80"
[ "$(stat -c %s "$TMP/k48")" = 48 ] && [ "$(stat -c %s "$TMP/k80")" = 80 ] || fail "could not make the key files"

# The configurations: NAME -> session directives.
declare -A CONF=(
  [cache]="ssl_session_cache shared:SC:1m; ssl_session_tickets off;"
  [cache2]="ssl_session_cache shared:SC:1m; ssl_session_tickets off;"
  [tickets]="ssl_session_cache off; ssl_session_tickets on;"
  [key48]="ssl_session_cache off; ssl_session_ticket_key $TMP/k48;"
  [key48b]="ssl_session_cache off; ssl_session_ticket_key $TMP/k48-other;"
  [key80]="ssl_session_cache off; ssl_session_ticket_key $TMP/k80;"
  [tcache]="ssl_session_cache shared:TC:1m; ssl_session_tickets off; ssl_session_timeout 2s;"
  [tticket]="ssl_session_cache off; ssl_session_ticket_key $TMP/k80; ssl_session_timeout 2s;"
)
NAMES="cache cache2 tickets key48 key48b key80 tcache tticket"
declare -A NPORT

servers=
for lib in system ours; do
  servers=
  for n in $NAMES; do
    PORT=$(free_port)
    NPORT[$lib-$n]=$PORT
    servers+="
  server {
    listen 127.0.0.1:$PORT ssl;
    server_name $n;
    ssl_certificate $C/server.pem;
    ssl_certificate_key $C/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ${CONF[$n]}
    $NGX_PAGE
  }"
  done
  nginx_start "$lib" "$lib" "$servers"
done
pass "nginx on the system libssl and on ours, $(wc -w <<<"$NAMES") server blocks each (master + worker, /proc/PID/maps)"

# oc LIB NAME V TAG ARGS...: openssl s_client -tls1_V to server block NAME of nginx LIB, GET /TAG;
# output in $TMP/LIB-TAG.
oc() {
  local lib=$1 n=$2 v=$3 tag=$4; shift 4
  local out=$TMP/$lib-$tag
  openssl_client "$out" $'GET /'"$tag"$' HTTP/1.0\r\nHost: localhost\r\n\r\n' \
    -connect "127.0.0.1:${NPORT[$lib-$n]}" -servername localhost -CAfile "$C/ca.pem" \
    -verify_return_error "-tls1_${v#1.}" "$@" ||
    { tail -n 20 "$out" >&2; fail "$lib: openssl s_client -tls1_${v#1.} to '$n' ($tag) failed (exit $CLIENT_RC)"; }
}

# expect_conn LIB TAG V NEW|REUSED: s_client's verdict, nginx's page and its access log line
expect_conn() {
  local lib=$1 tag=$2 v=$3 kind=$4 out=$TMP/$1-$2 mark
  if [ "$kind" = NEW ]; then
    expect "$out" "^New, TLSv$v, " "$lib ($tag): not a new TLS $v session"
    mark='\.'
  else
    expect "$out" "^Reused, TLSv$v, " "$lib ($tag): not resumed"
    mark=r
  fi
  expect "$out" "reused=$mark proto=TLSv$v " "$lib ($tag): nginx's page does not say reused=$mark"
  wait_line "$(nginx_access_log "$lib")" "\"GET /$tag HTTP/1\\.0\" 200 reused=$mark TLSv$v " ||
    { tail -n 5 "$(nginx_access_log "$lib")" >&2; fail "$lib ($tag): nginx's access log does not say reused=$mark for TLS $v"; }
}

# ---- every kind of resumption: "." then "r" -----------------------------------------------
for n in cache tickets key48 key80; do
  for v in 1.3 1.2; do
    for lib in system ours; do
      tag=$n-$v
      oc "$lib" "$n" "$v" "$tag-1" -sess_out "$TMP/$lib-$tag.sess"
      expect_conn "$lib" "$tag-1" "$v" NEW
      [ -s "$TMP/$lib-$tag.sess" ] || fail "$lib ($tag): openssl s_client saved no session"
      if [ "$n" = cache ] && [ "$v" = 1.2 ]; then
        expect_not "$TMP/$lib-$tag-1" '^    TLS session ticket:$' "$lib ($tag): a ticket although ssl_session_tickets is off"
      fi
      if [ "$n" != cache ] && [ "$v" = 1.2 ]; then
        expect "$TMP/$lib-$tag-1" '^    TLS session ticket:$' "$lib ($tag): no ticket"
      fi
      oc "$lib" "$n" "$v" "$tag-2" -sess_in "$TMP/$lib-$tag.sess"
      expect_conn "$lib" "$tag-2" "$v" REUSED
    done
    pass "$n, TLS $v: New then Reused, \$ssl_session_reused . then r (system libssl and ours)"
  done
done

# ---- the shared cache is nginx's: another server block (its own SSL_CTX, so its own internal
# cache) with the same zone resumes the session -------------------------------------------------
# (a fresh session: sesame's TLS 1.3 stateful tickets are single-use, contract S9, and the one
# above was used; OpenSSL 3.0 would resume it again, see docs/unsupported.md)
for v in 1.3 1.2; do
  for lib in system ours; do
    oc "$lib" cache "$v" "cache-$v-3" -sess_out "$TMP/$lib-cache-$v-3.sess"
    expect_conn "$lib" "cache-$v-3" "$v" NEW
    oc "$lib" cache2 "$v" "cache2-$v" -sess_in "$TMP/$lib-cache-$v-3.sess"
    expect_conn "$lib" "cache2-$v" "$v" REUSED
  done
  pass "TLS $v: a session of one server block resumed by another with the same shared zone"
done

# ---- a ticket under another 48-byte key: a full handshake ---------------------------------
for v in 1.3 1.2; do
  for lib in system ours; do
    oc "$lib" key48b "$v" "key48b-$v" -sess_in "$TMP/$lib-key48-$v.sess"
    expect_conn "$lib" "key48b-$v" "$v" NEW
  done
  pass "TLS $v: a ticket sealed under another 48-byte key file: New"
done

# ---- ssl_session_timeout 2s ------------------------------------------------------------------
for n in tcache tticket; do
  for v in 1.3 1.2; do
    for lib in system ours; do
      tag=$n-$v
      oc "$lib" "$n" "$v" "$tag-1" -sess_out "$TMP/$lib-$tag.sess"
      expect_conn "$lib" "$tag-1" "$v" NEW
      if [ "$n" = tticket ] || [ "$v" = 1.3 ]; then
        expect "$TMP/$lib-$tag-1" '^    TLS session ticket lifetime hint: 2 \(seconds\)$' \
          "$lib ($tag): the ticket lifetime hint is not ssl_session_timeout"
      fi
      oc "$lib" "$n" "$v" "$tag-2" -sess_in "$TMP/$lib-$tag.sess"
      expect_conn "$lib" "$tag-2" "$v" REUSED
    done
  done
done
sleep 3
for n in tcache tticket; do
  for v in 1.3 1.2; do
    for lib in system ours; do
      tag=$n-$v
      oc "$lib" "$n" "$v" "$tag-3" -sess_in "$TMP/$lib-$tag.sess"
      expect_conn "$lib" "$tag-3" "$v" NEW
    done
    pass "ssl_session_timeout 2s ($n, TLS $v): lifetime hint 2 s, Reused at once, New 3 s later"
  done
done

nginx_no_alarm system ours
pass "no [crit], [alert] or [emerg] in the error logs"

# nginx_lib.sh -- Debian's nginx on our libssl.so.3 or on the system's, for the nginx tests
# (sourced after lib.sh). Each nginx runs in the foreground (daemon off), one master and one
# worker, its config, logs, pid file and temp paths in $TMP/NAME; both processes are stopped by
# PID (the EXIT trap of lib.sh), and which libssl.so.3 each mapped is checked from /proc.
#
#   nginx_require                 NGINX (Debian installs it in /usr/sbin)
#   nginx_start NAME LIB SERVERS  LIB: ours (LD_LIBRARY_PATH=$LIBDIR) or system; SERVERS: the
#                                 server blocks, inside http { } after the common part below
#                                 (take the port from `PORT=$(free_port)` first). Sets NPID
#                                 (master), WPID (a worker) and WPIDS (all workers).
#                                 NGX_WORKERS=N: N workers (default 1); with N > 1 each access
#                                 log line starts with the worker's PID.
#   nginx_error_log NAME, nginx_access_log NAME: the logs' paths.
#
# The common part: error_log at level info, an access log in the format "tls" (below), and
# NGX_PAGE, a location that returns the same fields as a page.

# $ssl_session_reused is "r" for a resumed session, "." otherwise.
NGX_LOG_FORMAT='$remote_addr "$request" $status reused=$ssl_session_reused $ssl_protocol $ssl_cipher verify=$ssl_client_verify sni=$ssl_server_name curve=$ssl_curve'
# shellcheck disable=SC2016
NGX_PAGE='location / { return 200 "nginx $server_name reused=$ssl_session_reused proto=$ssl_protocol cipher=$ssl_cipher verify=$ssl_client_verify sni=$ssl_server_name curve=$ssl_curve\n"; }'

nginx_require() {
  NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
  [ -x "$NGINX" ] || fail "nginx not installed (Debian package nginx; .ci/run installs it)"
}

nginx_error_log() { echo "$TMP/$1-error.log"; }
nginx_access_log() { echo "$TMP/$1-access.log"; }

nginx_start() {
  local name=$1 lib=$2 servers=$3 d=$TMP/$1 workers=${NGX_WORKERS:-1} fmt=tls
  [ "$workers" -gt 1 ] && fmt=tlspid
  mkdir -p "$d"
  cat >"$d/nginx.conf" <<EOF
worker_processes $workers;
pid $d/nginx.pid;
lock_file $d/nginx.lock;
error_log $TMP/$name-error.log info;
events { worker_connections 64; }
http {
  client_body_temp_path $d/body;
  proxy_temp_path $d/proxy;
  fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi;
  scgi_temp_path $d/scgi;
  default_type text/plain;
  log_format tls '$NGX_LOG_FORMAT';
  log_format tlspid '\$pid $NGX_LOG_FORMAT';
  access_log $TMP/$name-access.log $fmt;
$servers
}
EOF
  local env=(env)
  [ "$lib" = ours ] && env+=(LD_LIBRARY_PATH="$LIBDIR")
  "${env[@]}" timeout -k 2 10 "$NGINX" -t -p "$d" -e "$TMP/$name-error.log" -c "$d/nginx.conf" \
    >"$TMP/$name-t.log" 2>&1 || { cat "$TMP/$name-t.log" >&2; fail "nginx -t ($name, $lib libssl) rejected its config"; }
  start_bg "nginx-$name" "${env[@]}" "$NGINX" -p "$d" -e "$TMP/$name-error.log" -c "$d/nginx.conf" \
    -g 'daemon off;'
  NPID=$BG_PID
  local port
  port=$(grep -oE 'listen 127\.0\.0\.1:[0-9]+' "$d/nginx.conf" | head -1 | cut -d: -f2)
  wait_port "$port" "$NPID" || { tail -n 20 "$TMP/$name-error.log" >&2 || true; fail "nginx ($name) did not listen on $port"; }
  local master; master=$(real_pid "$NPID")
  [ "$(cat "/proc/$master/comm" 2>/dev/null)" = nginx ] || fail "nginx ($name): master process not found under PID $NPID"
  WPIDS=()
  for _ in $(seq 50); do
    read -r -a WPIDS <<<"$(cat "/proc/$master/task/$master/children" 2>/dev/null || true)"
    [ "${#WPIDS[@]}" -gt 0 ] || read -r -a WPIDS <<<"$(pgrep -P "$master" 2>/dev/null | tr '\n' ' ' || true)"
    [ "${#WPIDS[@]}" -ge "$workers" ] && break
    sleep 0.1
  done
  [ "${#WPIDS[@]}" -ge "$workers" ] || fail "nginx ($name): ${#WPIDS[@]} workers after 5 s, expected $workers"
  WPID=${WPIDS[0]}
  PIDS+=("${WPIDS[@]}")
  local w
  if [ "$lib" = ours ]; then
    assert_ours "$master" "nginx master ($name, PID $master)"
    for w in "${WPIDS[@]}"; do assert_ours "$w" "nginx worker ($name, PID $w)"; done
  else
    assert_system "$master" "nginx master ($name, PID $master)"
    for w in "${WPIDS[@]}"; do assert_system "$w" "nginx worker ($name, PID $w)"; done
  fi
}

# nginx_no_alarm NAME...: no [crit], [alert] or [emerg] line in the error logs.
nginx_no_alarm() {
  local n
  for n in "$@"; do
    ! grep -E '\[(crit|alert|emerg)\]' "$TMP/$n-error.log" || fail "nginx $n logged critical errors (above)"
  done
}

#!/usr/bin/env bash
# Usage: bench/nginx.sh BUILD_DIR [SECONDS]
# End to end: Debian's nginx (one worker, pinned to CPU 0) serves a small page over TLS, first
# on the system libssl.so.3, then on ours (LD_LIBRARY_PATH=BUILD_DIR/lib), and `openssl s_time`
# (always the system libssl, pinned to CPU 1) drives it for SECONDS (default 10) per case: new
# TLS 1.3 connections, resumed TLS 1.3 connections (-reuse), and the same in TLS 1.2. On two
# cores the client is the bottleneck, so what is compared is connections per second of nginx's
# own CPU time (utime + stime of the worker, from /proc/PID/stat), and the ratio sesame/system.
# Checks from /proc/PID/maps that each worker mapped the intended libssl. Builds nothing.
set -u
BUILD=${1:?usage: bench/nginx.sh BUILD_DIR [SECONDS]}
SECS=${2:-10}
LIB=$(realpath "$BUILD/lib")
OURS=$(realpath "$LIB/libssl.so.3")
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx.sh: nginx not installed" >&2; exit 1; }
[ -e "$OURS" ] || { echo "nginx.sh: no $LIB/libssl.so.3" >&2; exit 1; }
command -v taskset >/dev/null || { echo "nginx.sh: taskset (util-linux) missing" >&2; exit 1; }
T=$(mktemp -d)
MASTER=
cleanup() {
  [ -n "$MASTER" ] && kill "$MASTER" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
TICK=$(getconf CLK_TCK)

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
  -days 2 -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1 || { echo "nginx.sh: openssl req failed" >&2; exit 1; }
head -c 2048 /dev/urandom | base64 >"$T/index.html"

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }

# start WHICH: nginx on CPU 0 with the system libssl or ours; sets PORT, MASTER, WORKER
start() {
  local which=$1 d=$T/$1
  mkdir -p "$d"
  PORT=$(free_port)
  cat >"$d/nginx.conf" <<EOF
worker_processes 1;
pid $d/nginx.pid;
lock_file $d/nginx.lock;
error_log $d/error.log warn;
events { worker_connections 256; }
http {
  client_body_temp_path $d/body;
  proxy_temp_path $d/proxy;
  fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi;
  scgi_temp_path $d/scgi;
  access_log off;
  server {
    listen 127.0.0.1:$PORT ssl;
    ssl_certificate $T/cert.pem;
    ssl_certificate_key $T/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:bench:10m;
    ssl_session_tickets on;
    root $T;
  }
}
EOF
  if [ "$which" = sesame ]; then
    env LD_LIBRARY_PATH="$LIB" taskset -c 0 "$NGINX" -p "$d" -e "$d/error.log" -c "$d/nginx.conf" -g 'daemon off;' &
  else
    env -u LD_LIBRARY_PATH taskset -c 0 "$NGINX" -p "$d" -e "$d/error.log" -c "$d/nginx.conf" -g 'daemon off;' &
  fi
  MASTER=$!
  WORKER=
  for _ in $(seq 50); do
    WORKER=$(pgrep -P "$MASTER" 2>/dev/null | head -1)
    [ -n "$WORKER" ] && grep -q libssl "/proc/$WORKER/maps" 2>/dev/null && break
    sleep 0.1
  done
  [ -n "$WORKER" ] || { echo "nginx.sh: no nginx worker ($which)" >&2; exit 1; }
  local mapped; mapped=$(awk '/libssl\.so/ {print $NF; exit}' "/proc/$WORKER/maps")
  mapped=$(realpath "$mapped")
  if [ "$which" = sesame ] && [ "$mapped" != "$OURS" ]; then
    echo "nginx.sh: the worker mapped $mapped, not $OURS" >&2; exit 1
  fi
  if [ "$which" = system ] && [ "$mapped" = "$OURS" ]; then
    echo "nginx.sh: the system run mapped sesame" >&2; exit 1
  fi
  echo "$which: nginx worker $WORKER maps $mapped" >&2
}

stop() {
  kill "$MASTER" 2>/dev/null
  wait "$MASTER" 2>/dev/null
  MASTER=
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# measure ARGS...: s_time against $PORT with ARGS; prints "connections cpu_seconds"
measure() {
  local c0 c1 out n
  c0=$(cpu_ticks "$WORKER")
  out=$(env -u LD_LIBRARY_PATH taskset -c 1 openssl s_time -connect "127.0.0.1:$PORT" -www /index.html \
        -time "$SECS" "$@" 2>&1)
  c1=$(cpu_ticks "$WORKER")
  n=$(sed -n 's/^\([0-9]*\) connections in .* real seconds.*/\1/p' <<<"$out" | tail -1)
  [ -n "$n" ] || { echo "nginx.sh: s_time printed no count: $out" >&2; echo "0 0"; return; }
  awk -v n="$n" -v t=$((c1 - c0)) -v hz="$TICK" 'BEGIN { printf "%d %.2f\n", n, t / hz }'
}

CASES=("new TLS 1.3:-new -tls1_3" "resumed TLS 1.3:-reuse -tls1_3" "new TLS 1.2:-new -tls1_2" "resumed TLS 1.2:-reuse -tls1_2")
declare -A RES
for which in system sesame; do
  start "$which"
  sleep 0.5
  for c in "${CASES[@]}"; do
    name=${c%%:*} args=${c#*:}
    # shellcheck disable=SC2086
    RES["$which:$name"]=$(measure $args)
  done
  stop
done

echo "nginx $("$NGINX" -v 2>&1 | sed 's/.*\///'), one worker on CPU 0; openssl s_time (system libssl) on CPU 1; $SECS s per case"
printf '%-18s %12s %12s %16s %16s %7s\n' case "system conns" "sesame conns" "system conn/cpu-s" "sesame conn/cpu-s" ratio
for c in "${CASES[@]}"; do
  name=${c%%:*}
  read -r sn st <<<"${RES["system:$name"]}"
  read -r on ot <<<"${RES["sesame:$name"]}"
  awk -v name="$name" -v sn="$sn" -v st="$st" -v on="$on" -v ot="$ot" 'BEGIN {
    sr = st > 0 ? sn / st : 0; orr = ot > 0 ? on / ot : 0
    printf "%-18s %12d %12d %16.0f %16.0f %7s\n", name, sn, on, sr, orr, (sr > 0 ? sprintf("%.2f", orr / sr) : "-") }'
done

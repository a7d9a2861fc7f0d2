#!/usr/bin/env bash
# Usage: bench/run.sh BUILD_DIR
# Runs BUILD_DIR/bin/bench-handshake (built against no particular libssl, no
# RPATH) once over the system libssl.so.3 and once over BUILD_DIR/lib (sesame),
# checks from each run's own "libssl:" line that it mapped the intended
# library, and prints a comparison table. Builds nothing.
# Environment: BENCH_SECONDS (default 3) per rate mode, BENCH_N (default 2000)
# sessions for the memory mode, BENCH_PAIRS (default 1000) connection pairs
# kept open at once for the idle modes, BENCH_FLEET=0 to skip the fleet table.
#
# Then, when redis-server is installed, the fleet table (sesame only): resumed handshakes
# of TLS 1.2 session ids and TLS 1.3 stateful tickets from the in-process cache, and through
# a redis-server this script starts on a free loopback port (and stops by PID) with
# SESAME_SESSION_STORE: resumed on the issuing SSL_CTX and on another one that shares only
# the store; the extra microseconds per handshake against the in-process cache, also counted
# in Redis round trips (a PING timed at the same point of each round, where a round trip costs
# more than in a tight PING loop), check "the store adds one round trip".
set -u
BUILD=${1:?usage: bench/run.sh BUILD_DIR}
BIN=$BUILD/bin/bench-handshake
LIB=$BUILD/lib
SECS=${BENCH_SECONDS:-3}
N=${BENCH_N:-2000}
PAIRS=${BENCH_PAIRS:-1000}
[ -x "$BIN" ] || { echo "run.sh: no benchmark at $BIN (build the project first)" >&2; exit 1; }
[ -e "$LIB/libssl.so.3" ] || { echo "run.sh: no $LIB/libssl.so.3" >&2; exit 1; }
OURS=$(realpath "$LIB/libssl.so.3")
OUT=$(mktemp -d)
REDIS_PID=
trap '[ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null; rm -rf "$OUT"' EXIT
status=0

# run WHICH MODE: output in $OUT/WHICH-MODE; 0 if it ran and mapped the right library.
run() {
  local which=$1 mode=$2 f=$OUT/$1-$2 args=("$mode" -seconds "$SECS" -n "$N" -pairs "$PAIRS")
  if [ "$which" = system ]; then
    env -u LD_LIBRARY_PATH "$BIN" "${args[@]}" >"$f" 2>"$f.err"
  else
    LD_LIBRARY_PATH="$LIB" "$BIN" "${args[@]}" >"$f" 2>"$f.err"
  fi
  local rc=$? mapped
  mapped=$(sed -n 's/^libssl: //p' "$f" | head -1)
  if [ -z "$mapped" ] || [ ! -e "$mapped" ]; then
    echo "run.sh: $which/$mode: the benchmark did not report a loaded libssl" >&2; return 1
  fi
  mapped=$(realpath "$mapped")
  if [ "$which" = system ] && [ "$mapped" = "$OURS" ]; then
    echo "run.sh: $which/$mode: mapped sesame's $mapped instead of the system libssl" >&2; return 1
  fi
  if [ "$which" = sesame ] && [ "$mapped" != "$OURS" ]; then
    echo "run.sh: $which/$mode: mapped $mapped instead of $OURS" >&2; return 1
  fi
  if [ $rc -ne 0 ]; then
    echo "run.sh: $which/$mode failed (exit $rc):" >&2; sed 's/^/  /' "$f.err" | head -20 >&2; return 1
  fi
  return 0
}

# value WHICH MODE LABEL: the number after "LABEL: " or "FAIL".
value() {
  local v
  v=$(sed -n "s#^$3: \([0-9.]*\).*#\1#p" "$OUT/$1-$2" 2>/dev/null | head -1)
  echo "${v:-FAIL}"
}

ratio() {
  case "$1$2" in *FAIL*) echo "-";; *) awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "-" }';; esac
}

for mode in full resume memory idle full12 resume12 resume12id idle12 threads; do
  for which in system sesame; do
    run $which $mode || status=1
  done
done

echo "system libssl: $(sed -n 's/^libssl: //p' "$OUT/system-full" | head -1)"
echo "sesame libssl: $OURS"
echo "seconds per rate: $SECS, sessions for memory: $N, idle pairs: $PAIRS"
echo
printf '%-40s %14s %14s %8s\n' "measure" "system" "sesame" "ratio"
for row in "full:full handshakes/s" "resume:resume handshakes/s" \
           "memory:server cached session bytes" "memory:client session bytes" \
           "idle:tls13 idle pair bytes" "idle:tls13 idle pair bytes, release buffers" \
           "full12:tls12 full handshakes/s" "resume12:tls12 resume ticket handshakes/s" \
           "resume12id:tls12 resume id handshakes/s" "idle12:tls12 idle pair bytes" \
           "idle12:tls12 idle pair bytes, release buffers" \
           "threads:threads 1 full handshakes/s" "threads:threads 2 full handshakes/s" \
           "threads:threads 8 full handshakes/s" "threads:threads 2/1 full scaling" \
           "threads:threads 1 resume handshakes/s" "threads:threads 2 resume handshakes/s" \
           "threads:threads 8 resume handshakes/s" "threads:threads 2/1 resume scaling"; do
  mode=${row%%:*} label=${row#*:}
  s=$(value system "$mode" "$label") o=$(value sesame "$mode" "$label")
  printf '%-40s %14s %14s %8s\n' "$label" "$s" "$o" "$(ratio "$s" "$o")"
  case "$s$o" in *FAIL*) status=1;; esac
done
echo "(ratio = sesame / system; higher is better for rates and scalings, lower for bytes)"

# ---- fleet: resumption through the session store (sesame only) ----------------------------
# fleet_run NAME [ENV...]: bench-handshake fleet on sesame, output in $OUT/fleet-NAME.
fleet_run() {
  local name=$1 f=$OUT/fleet-$1; shift
  env -u SESAME_SESSION_STORE LD_LIBRARY_PATH="$LIB" "$@" "$BIN" fleet -seconds "$SECS" >"$f" 2>"$f.err"
  local rc=$? mapped
  mapped=$(sed -n 's/^libssl: //p' "$f" | head -1)
  if [ -z "$mapped" ] || [ "$(realpath "$mapped" 2>/dev/null)" != "$OURS" ]; then
    echo "run.sh: fleet/$name: mapped '${mapped:-nothing}' instead of $OURS" >&2; return 1
  fi
  if [ $rc -ne 0 ]; then
    echo "run.sh: fleet/$name failed (exit $rc):" >&2; sed 's/^/  /' "$f.err" | head -20 >&2; return 1
  fi
}
fleet() {
  if ! command -v redis-server >/dev/null 2>&1; then
    echo; echo "fleet: skipped (redis-server not installed)"; return 0
  fi
  local port
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    >"$OUT/redis.log" 2>&1 &
  REDIS_PID=$!
  local up=
  for _ in $(seq 50); do
    [ "$(timeout 2 redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && { up=1; break; }
    sleep 0.1
  done
  [ -n "$up" ] || { echo "run.sh: redis-server did not start on $port" >&2; return 1; }
  local ok=0
  fleet_run local || ok=1
  fleet_run store SESAME_SESSION_STORE="redis://127.0.0.1:$port/0" || ok=1
  kill "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; REDIS_PID=
  local ping; ping=$(value fleet store "redis ping us")
  echo
  echo "resumption through the session store (sesame; redis-server on 127.0.0.1; PINGs in a row: $ping us each)"
  printf '%-36s %12s %10s %14s %12s\n' "measure" "handshakes/s" "us each" "+us vs cache" "+round trips"
  local v base r label k
  for v in "tls12 id" "tls13 stateful"; do
    base=$(value fleet local "fleet $v local resume handshakes/s")
    ping=$(value fleet store "fleet $v redis ping us")
    for r in "local:in-process cache" "store:store, same server" "store:store, other server"; do
      label=${r#*:}
      case $label in
        in-process*) k="fleet $v local resume handshakes/s" ;;
        *same*) k="fleet $v store same resume handshakes/s" ;;
        *) k="fleet $v store other resume handshakes/s" ;;
      esac
      local x; x=$(value fleet "${r%%:*}" "$k")
      case "$x$base" in *FAIL*) ok=1 ;; esac
      awk -v name="$v, $label" -v x="$x" -v b="$base" -v p="$ping" 'BEGIN {
        if (x == "FAIL" || b == "FAIL" || x <= 0 || b <= 0) { printf "%-36s %12s\n", name, "FAIL"; exit }
        us = 1e6 / x; d = us - 1e6 / b
        rt = (p != "FAIL" && p > 0) ? sprintf("%.1f", d / p) : "-"
        if (name ~ /in-process/) printf "%-36s %12.0f %10.1f %14s %12s\n", name, x, us, "-", "-"
        else printf "%-36s %12.0f %10.1f %14.1f %12s\n", name, x, us, d, rt }'
    done
    local hits; hits=$(sed -n "s/^fleet $v store other hits on B: //p" "$OUT/fleet-store" | head -1)
    echo "  ($v: a PING between the rounds' handshakes: $ping us; other server: ${hits:-?} store hits on B)"
  done
  echo "(us each = 1e6 / rate, the resumption alone; +round trips = extra us / the PING timed at the"
  echo " same point of each round, between the issuing and the resuming handshake)"
  return $ok
}
if [ "${BENCH_FLEET:-1}" != 0 ]; then fleet || status=1; fi
exit $status

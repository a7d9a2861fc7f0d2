#!/usr/bin/env bash
# interop.fleet_load: 4 sesame s_server processes on one redis-server; fleet_load (a client on
# our libssl.so.3, tests/fleet/fleet_load.c) performs 2,000 resumptions spread round-robin over
# them, each on another server than the one that issued the session, and fails unless every one
# resumed (none lost to the store). Two phases of 4 servers each:
#   stateful (-no_ticket): TLS 1.3 stateful tickets + TLS 1.2 session ids   (FLEET_N1, 1334)
#   tickets:               TLS 1.3 stateless tickets + TLS 1.2 tickets        (FLEET_N2, 666)
# Prints the rate; the servers print their store counters on SIGTERM (hits are checked).
. "$(dirname "$0")/../interop/lib.sh"
. "$(dirname "$0")/fleet_lib.sh"

FLEET_LOAD=${FLEET_LOAD:-$BUILD_DIR/tests/fleet/fleet_load}
N1=${FLEET_N1:-1334}
N2=${FLEET_N2:-666}
fleet_require
[ -x "$FLEET_LOAD" ] || fail "fleet_load not built: $FLEET_LOAD"
redis_start
URL=redis://127.0.0.1:$REDIS_PORT/0

# phase NAME N KINDS SERVER-ARGS...: 4 servers, the client, the servers stopped (SIGTERM).
TOTAL_RESUMED=0
phase() {
  local name=$1 n=$2 kinds=$3; shift 3
  local ports=() pids=() i
  for i in 1 2 3 4; do
    fleet_server "$name-$i" "$URL" -quiet "$@"
    ports+=("$PORT")
    pids+=("$SPID")
  done
  local list; list=$(IFS=,; echo "${ports[*]}")
  local t0; t0=$(date +%s%N)
  local rc=0
  run_t 90 "$FLEET_LOAD" -ports "$list" -CAfile "$CERTS/ca.pem" -n "$n" -kinds "$kinds" \
    >"$TMP/$name-client.out" 2>"$TMP/$name-client.log" || rc=$?
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  sed 's/^/  /' "$TMP/$name-client.out"
  local mapped; mapped=$(sed -n 's/^libssl: //p' "$TMP/$name-client.out")
  [ -n "$mapped" ] && [ "$(readlink -f "$mapped")" = "$(_ours)" ] ||
    fail "$name: fleet_load mapped libssl '${mapped:-none}', expected ours"
  [ "$rc" -eq 0 ] || { head -n 20 "$TMP/$name-client.log" >&2; fail "$name: fleet_load failed (exit $rc): $(tail -n 1 "$TMP/$name-client.out")"; }
  grep -q "^resumed $n of $n, full 0, failed 0$" "$TMP/$name-client.out" ||
    fail "$name: not every resumption resumed: $(tail -n 1 "$TMP/$name-client.out")"
  TOTAL_RESUMED=$((TOTAL_RESUMED + n))
  local hits=0 c
  for i in 1 2 3 4; do
    stop_bg "${pids[$((i - 1))]}"
    c=$(store_counters "$TMP/$name-$i.log")
    [ -n "$c" ] || fail "$name-$i printed no store counters on SIGTERM"
    hits=$((hits + $(counter "$c" hits)))
    echo "  $name-$i: $c"
  done
  PHASE_MS=$ms PHASE_HITS=$hits
}

t_all=$(date +%s%N)
phase stateful "$N1" tls13,tls12id -no_ticket
[ "$PHASE_HITS" -ge "$N1" ] || fail "stateful: $PHASE_HITS store hits for $N1 resumptions across servers"
pass "stateful servers: $N1 resumptions (TLS 1.3 stateful tickets, TLS 1.2 ids) all resumed in $PHASE_MS ms, store hits $PHASE_HITS"
phase tickets "$N2" tls13,tls12tk
pass "ticket servers: $N2 resumptions (TLS 1.3 and TLS 1.2 tickets) all resumed in $PHASE_MS ms"
ms=$(( ($(date +%s%N) - t_all) / 1000000 ))
pass "$TOTAL_RESUMED resumptions over 4 servers on one Redis, none lost, in $ms ms ($(( TOTAL_RESUMED * 1000 / (ms > 0 ? ms : 1) )) resumptions/s, servers' start and stop included)"

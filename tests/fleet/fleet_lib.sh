# fleet_lib.sh -- helpers for the fleet tests (tests/fleet/test_*.sh), sourced after
# tests/interop/lib.sh: a redis-server of the test's own on a free loopback port, sesame
# s_server processes sharing it through SESAME_SESSION_STORE, and one-connection clients
# (the system's openssl s_client) that report whether the handshake was new or resumed.
#
#   fleet_require                      skip (exit 77) without redis-server; the CLI, our
#                                      library and the system openssl; sets CERTS
#   redis_start [PORT] [ARGS...]       redis-server on 127.0.0.1:PORT (default a free port),
#                                      no persistence, DEBUG allowed; sets REDIS_PORT, REDIS_PID
#   redis_stop                         stops it by PID (the port is closed when it returns)
#   fleet_server NAME URL ARGS...      sesame s_server -www on a free port, with
#                                      SESAME_SESSION_STORE=URL ("" = no store); sets PORT, SPID
#   conn OUT PORT ARGS...              one openssl s_client connection (GET /); sets HS to
#                                      New, Reused or failed, and MS to its wall time in ms
#   across LABEL PA PB ARGS...         a session from the server on PA offered to PB; sets
#                                      HS1, HS2, MS2; the session file is $TMP/LABEL.sess
#   ticket_key_name FILE               the key name (bytes 1..16) of the ticket in a session
#                                      file, in hex (docs/session-format.md, "Tickets")
#   store_counters LOG                 the "session store: ..." line a server printed on exit

# Skipped (not passed) when Redis is not installed: ctest's SKIP_RETURN_CODE is 77.
fleet_require() {
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "SKIP [$TEST_NAME]: redis-server not installed (Debian package redis-server)"
    exit 77
  fi
  require_cmd redis-cli redis-tools
  require_sesame
  require_system_openssl
  certs
}

REDIS_PORT=
REDIS_PID=
# redis_start [PORT] [ARGS...]: a redis-server of our own (foreground, stopped by PID).
redis_start() {
  local port=${1:-}
  [ $# -gt 0 ] && shift
  [ -n "$port" ] || port=$(free_port)
  local n=0
  while [ -e "$TMP/redis-$port-$n.log" ]; do n=$((n + 1)); done
  start_bg "redis-$port-$n" redis-server --port "$port" --bind 127.0.0.1 --save '' \
    --appendonly no --daemonize no --enable-debug-command yes --dir "$TMP" "$@"
  REDIS_PID=$BG_PID
  REDIS_PORT=$port
  wait_port "$port" "$REDIS_PID" || fail "redis-server did not listen on $port"
  for _ in $(seq 30); do
    if [ "$(run_t 2 redis-cli -p "$port" ${REDIS_AUTH:+-a "$REDIS_AUTH" --no-auth-warning} ping 2>/dev/null)" = PONG ]; then
      return 0
    fi
    sleep 0.1
  done
  fail "redis-server on $port does not answer PING"
}

redis_stop() {
  stop_bg "$REDIS_PID"
  for _ in $(seq 30); do port_listening "$REDIS_PORT" || return 0; sleep 0.1; done
  fail "redis-server on $REDIS_PORT still listening after it was stopped"
}

# fleet_server NAME URL ARGS...: a sesame s_server sharing the store at URL.
fleet_server() {
  local name=$1 url=$2; shift 2
  PORT=$(free_port)
  local env=(env -u SESAME_SESSION_STORE)
  [ -n "$url" ] && env+=(SESAME_SESSION_STORE="$url")
  start_bg "$name" "${env[@]}" "$SESAME" s_server -accept "127.0.0.1:$PORT" \
    -cert "$CERTS/server.pem" -key "$CERTS/server.key" -www "$@"
  SPID=$BG_PID
  wait_port "$PORT" "$SPID" || fail "sesame s_server ($name: $*) did not listen on $PORT"
  assert_ours "$SPID" "sesame s_server ($name)"
}

HS=
MS=0
# conn OUT PORT ARGS...: one connection of the system's openssl s_client.
conn() {
  local out=$1 port=$2; shift 2
  local t0; t0=$(date +%s%N)
  openssl_client "$out" "$HTTP_GET" -connect "127.0.0.1:$port" -servername localhost \
    -CAfile "$CERTS/ca.pem" -verify_return_error "$@" || true
  MS=$(( ($(date +%s%N) - t0) / 1000000 ))
  HS=failed
  if grep -qE 'HTTP/1\.[01] 200' "$out"; then
    local l; l=$(grep -m1 -oE '^(New|Reused),' "$out" || true)
    [ -n "$l" ] && HS=${l%,}
  fi
  return 0
}

# across LABEL PA PB ARGS...: first connection to PA writes the session, the second offers it
# to PB.
across() {
  local label=$1 pa=$2 pb=$3; shift 3
  conn "$TMP/$label-1.out" "$pa" "$@" -sess_out "$TMP/$label.sess"
  HS1=$HS
  [ "$HS1" = New ] || { tail -n 20 "$TMP/$label-1.out" >&2; fail "$label: the first connection (to port $pa) gave '$HS1', expected New"; }
  [ -s "$TMP/$label.sess" ] || fail "$label: openssl s_client wrote no session"
  conn "$TMP/$label-2.out" "$pb" "$@" -sess_in "$TMP/$label.sess"
  HS2=$HS
  MS2=$MS
}

# expect_hs WANT WHAT: HS (of the last conn/across) is WANT (a regex: New, Reused, New|Reused).
expect_hs() {
  [[ "$HS" =~ ^($1)$ ]] || fail "$2: handshake '$HS', expected $1"
}

ticket_key_name() {
  openssl sess_id -in "$1" -noout -text 2>/dev/null | awk '
    /TLS session ticket:/ { f = 1; next }
    f && /^ *[0-9a-f][0-9a-f][0-9a-f][0-9a-f] - / {
      sub(/^ *[0-9a-f][0-9a-f][0-9a-f][0-9a-f] - /, ""); l = substr($0, 1, 47); gsub(/[- ]/, "", l)
      h = h l; if (length(h) >= 34) { print substr(h, 3, 32); exit }
      next }
    f { exit }'
}

store_counters() {
  grep -m1 -E '^session store: hits [0-9]+ misses [0-9]+ errors [0-9]+ timeouts [0-9]+$' "$1" || true
}

# counter LINE NAME: one number of a "session store:" line.
counter() { sed -E "s/.* $2 ([0-9]+).*/\\1/" <<<"$1"; }

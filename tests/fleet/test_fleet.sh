#!/usr/bin/env bash
# interop.fleet: two sesame s_server processes (our libssl.so.3) share one redis-server of the
# test's own through SESAME_SESSION_STORE; the client is the system's openssl s_client.
#   - a session from A resumes on B: TLS 1.3 stateless tickets, TLS 1.3 stateful tickets (then
#     single use across the fleet), TLS 1.2 session ids, TLS 1.2 tickets; a server without the
#     store does not resume them (the control); the store module is mapped only when used
#   - ticket key rotation (?ticket_key_period=2): A rotates, B opens A's new tickets, unrestarted
#   - strict mode (?strict_tickets=1): a stateless ticket used on B is refused on A
#   - a missing module (SESAME_STORE_MODULE=/nonexistent): -session_store fails naming it; the
#     environment variable alone leaves a server that does full handshakes
#   - a wrong password, a refused connection: full handshakes, quickly
#   - a slow Redis (DEBUG SLEEP 2): a handshake meanwhile takes well under 1 s
#   - Redis stopped: full handshakes on A and B, each < 1 s; Redis back on the same port:
#     resumption across servers returns without restarting the servers
#   - on SIGTERM each server prints its store counters: hits on B, errors/timeouts after the outage
. "$(dirname "$0")/../interop/lib.sh"
. "$(dirname "$0")/fleet_lib.sh"

fleet_require
redis_start
RP=$REDIS_PORT R_PID=$REDIS_PID
URL=redis://127.0.0.1:$RP/0
LIMIT_MS=1000 # a handshake while the store is down, slow or refusing

# ---- four modes across two servers -----------------------------------------------------------
fleet_server tA "$URL"; TA=$PORT TA_PID=$SPID           # tickets (stateless)
fleet_server tB "$URL"; TB=$PORT TB_PID=$SPID
fleet_server sA "$URL" -no_ticket; SA=$PORT SA_PID=$SPID # stateful (session ids, 1.3 ids)
fleet_server sB "$URL" -no_ticket; SB=$PORT SB_PID=$SPID
fleet_server c "" -no_ticket; C=$PORT C_PID=$SPID        # no store: the control

across t13 "$TA" "$TB" -tls1_3
[ "$HS2" = Reused ] || fail "TLS 1.3 stateless ticket from A did not resume on B: $HS2"
conn "$TMP/t13-again.out" "$TA" -tls1_3 -sess_in "$TMP/t13.sess"
expect_hs Reused "a stateless TLS 1.3 ticket (not strict) offered again to A"
conn "$TMP/t13-c.out" "$C" -tls1_3 -sess_in "$TMP/t13.sess"
expect_hs New "control: a server without the store resumed a ticket of A"
pass "TLS 1.3 stateless ticket: issued by A, resumed on B (a server without the store: New)"

across s13 "$SA" "$SB" -tls1_3
[ "$HS2" = Reused ] || fail "TLS 1.3 stateful ticket from A did not resume on B: $HS2"
conn "$TMP/s13-again.out" "$SA" -tls1_3 -sess_in "$TMP/s13.sess"
expect_hs New "single use across the fleet: the stateful TLS 1.3 ticket used on B, offered again to A"
conn "$TMP/s13-again-b.out" "$SB" -tls1_3 -sess_in "$TMP/s13.sess"
expect_hs New "single use: the stateful TLS 1.3 ticket used on B, offered to B again"
pass "TLS 1.3 stateful ticket: issued by A, resumed on B, then refused on A and B (single use)"

across id12 "$SA" "$SB" -tls1_2 -no_ticket
[ "$HS2" = Reused ] || fail "TLS 1.2 session id from A did not resume on B: $HS2"
conn "$TMP/id12-c.out" "$C" -tls1_2 -no_ticket -sess_in "$TMP/id12.sess"
expect_hs New "control: a server without the store resumed a session id of A"
pass "TLS 1.2 session id: issued by A, resumed on B"

across tk12 "$TA" "$TB" -tls1_2
[ "$HS2" = Reused ] || fail "TLS 1.2 ticket from A did not resume on B: $HS2"
pass "TLS 1.2 ticket: issued by A, resumed on B"

# The module is loaded only where a store is configured (hiredis stays out of other programs).
grep -q 'libsesame-store-redis\.so' "/proc/$(real_pid "$TA_PID")/maps" ||
  fail "server A (with a store) did not map libsesame-store-redis.so"
! grep -qE 'libsesame-store|libhiredis' "/proc/$(real_pid "$C_PID")/maps" ||
  fail "the server without a store mapped the store module or hiredis"
pass "libsesame-store-redis.so mapped by the servers with a store only"

# ---- ticket key rotation ---------------------------------------------------------------------
fleet_server kA "$URL?ticket_key_period=2"; KA=$PORT
fleet_server kB "$URL?ticket_key_period=2"; KB=$PORT KB_PID=$SPID
KB_REAL=$(real_pid "$KB_PID")
across k0 "$KA" "$KB" -tls1_3
[ "$HS2" = Reused ] || fail "rotation: a ticket from A did not resume on B before any rotation: $HS2"
K0=$(ticket_key_name "$TMP/k0.sess")
[ -n "$K0" ] || fail "rotation: no ticket key name in A's ticket (openssl sess_id)"
sleep 2.6
across k1 "$KA" "$KB" -tls1_3
K1=$(ticket_key_name "$TMP/k1.sess")
[ "$K1" != "$K0" ] || fail "rotation: A still seals with key $K0 after 2.6 s (ticket_key_period=2)"
[ "$HS2" = Reused ] || fail "rotation: a ticket A sealed with its new key $K1 did not resume on B: $HS2"
[ "$(real_pid "$KB_PID")" = "$KB_REAL" ] && kill -0 "$KB_REAL" || fail "rotation: server B was restarted"
# B seals with the rotated ring too (within its period).
conn "$TMP/k2.out" "$KB" -tls1_3 -sess_out "$TMP/k2.sess"
K2=$(ticket_key_name "$TMP/k2.sess")
pass "rotation: A's key $K0 -> $K1 after 2.6 s; B (same process) opens A's new ticket; B seals with $K2"

# ---- strict mode -----------------------------------------------------------------------------
fleet_server zA "$URL?strict_tickets=1"; ZA=$PORT
fleet_server zB "$URL?strict_tickets=1"; ZB=$PORT
across z13 "$ZA" "$ZB" -tls1_3
[ "$HS2" = Reused ] || fail "strict: a stateless ticket from A did not resume on B: $HS2"
conn "$TMP/z13-again.out" "$ZA" -tls1_3 -sess_in "$TMP/z13.sess"
expect_hs New "strict mode: a stateless TLS 1.3 ticket already used on B, offered to A"
pass "strict_tickets=1: a stateless ticket used on B is refused on A (not strict: accepted again)"

# ---- a missing module ------------------------------------------------------------------------
P=$(free_port)
rc=0
run_t 10 env SESAME_STORE_MODULE=/nonexistent/libsesame-store-redis.so "$SESAME" s_server \
  -accept "127.0.0.1:$P" -cert "$CERTS/server.pem" -key "$CERTS/server.key" -www \
  -session_store "$URL" >"$TMP/nomodule-opt.log" 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "s_server -session_store with a missing module: exit status $rc"
grep -q '/nonexistent' "$TMP/nomodule-opt.log" || { cat "$TMP/nomodule-opt.log" >&2; fail "s_server -session_store with a missing module: the message does not name the module"; }
pass "a missing module: s_server -session_store fails: $(grep -m1 -o "session store: .*" "$TMP/nomodule-opt.log" | cut -c1-160)"

PORT=$(free_port)
start_bg nomodule-env env SESAME_STORE_MODULE=/nonexistent/libsesame-store-redis.so \
  SESAME_SESSION_STORE="$URL" "$SESAME" s_server -accept "127.0.0.1:$PORT" \
  -cert "$CERTS/server.pem" -key "$CERTS/server.key" -www
NM=$PORT NM_PID=$BG_PID
wait_port "$NM" "$NM_PID" || fail "with SESAME_SESSION_STORE and a missing module the server did not start"
assert_ours "$NM_PID" "sesame s_server (missing module)"
conn "$TMP/nm-1.out" "$NM" -tls1_3 -sess_in "$TMP/s13.sess"
expect_hs New "with a missing module (environment only)"
conn "$TMP/nm-2.out" "$NM" -tls1_2 -no_ticket
expect_hs New "with a missing module (environment only), TLS 1.2"
pass "a missing module, SESAME_SESSION_STORE only: the server runs, full handshakes ($MS ms)"

# ---- a wrong password, a refused connection --------------------------------------------------
SOCK=$TMP/redis.sock
REDIS_AUTH=right-secret redis_start "" --requirepass right-secret --unixsocket "$SOCK" --unixsocketperm 700
PW_PORT=$REDIS_PORT PW_PID=$REDIS_PID
REDIS_PORT=$RP REDIS_PID=$R_PID
fleet_server wA "redis://:wrong-secret@127.0.0.1:$PW_PORT/0" -no_ticket; WA=$PORT
fleet_server wB "redis://:wrong-secret@127.0.0.1:$PW_PORT/0" -no_ticket; WB=$PORT WB_PID=$SPID
across pw "$WA" "$WB" -tls1_3
[ "$HS2" = New ] || fail "wrong password: expected a full handshake on B, got $HS2"
[ "$MS2" -lt "$LIMIT_MS" ] || fail "wrong password: the handshake on B took $MS2 ms"
pass "a wrong password: full handshakes (B: $MS2 ms)"
# the right password, over TCP (database 1) and over the unix socket
fleet_server pA "redis://:right-secret@127.0.0.1:$PW_PORT/1" -no_ticket; PA=$PORT
fleet_server pB "unix://$SOCK?db=1&password=right-secret" -no_ticket; PB=$PORT
across pwok "$PA" "$PB" -tls1_2 -no_ticket
[ "$HS2" = Reused ] || fail "the right password (TCP on A, unix socket on B, db 1): $HS2"
[ "$(run_t 2 redis-cli -p "$PW_PORT" -a right-secret --no-auth-warning -n 1 dbsize)" -ge 1 ] ||
  fail "the right password: nothing stored in database 1"
pass "the right password: a session from A (TCP, db 1) resumes on B (unix socket, db 1)"
stop_bg "$PW_PID"

CLOSED=$(free_port)
fleet_server rA "redis://127.0.0.1:$CLOSED/0" -no_ticket; RA=$PORT
fleet_server rB "redis://127.0.0.1:$CLOSED/0" -no_ticket; RB=$PORT RB_PID=$SPID
across refused "$RA" "$RB" -tls1_2 -no_ticket
[ "$HS2" = New ] || fail "refused: expected a full handshake on B, got $HS2"
[ "$MS2" -lt "$LIMIT_MS" ] || fail "refused: the handshake on B took $MS2 ms"
pass "a refused connection (nothing on port $CLOSED): full handshakes (B: $MS2 ms)"

# ---- a slow Redis ----------------------------------------------------------------------------
conn "$TMP/slow-1.out" "$SA" -tls1_3 -sess_out "$TMP/slow.sess"
expect_hs New "slow: the first connection to A"
run_t 10 redis-cli -p "$RP" DEBUG SLEEP 2 >"$TMP/debug-sleep.log" 2>&1 &
SLEEPER=$!
PIDS+=("$SLEEPER")
sleep 0.3
conn "$TMP/slow-2.out" "$SB" -tls1_3 -sess_in "$TMP/slow.sess"
SLOW_MS=$MS
expect_hs 'New|Reused' "slow Redis (DEBUG SLEEP 2): a handshake on B"
[ "$SLOW_MS" -lt "$LIMIT_MS" ] || fail "slow Redis: the handshake on B took $SLOW_MS ms"
SLOW_HS=$HS
wait "$SLEEPER" 2>/dev/null || true
pass "a slow Redis (DEBUG SLEEP 2): a handshake on B meanwhile: $SLOW_HS in $SLOW_MS ms"

# ---- Redis stopped mid-test, then started again ----------------------------------------------
redis_stop
down=()
for i in 1 2 3; do
  across down13-$i "$SA" "$SB" -tls1_3
  [ "$HS2" = New ] || fail "Redis down: a stateful TLS 1.3 session from A resumed on B ($HS2)?"
  [ "$MS2" -lt "$LIMIT_MS" ] || fail "Redis down: a handshake on B took $MS2 ms"
  conn "$TMP/down-a-$i.out" "$SA" -tls1_2 -no_ticket
  expect_hs New "Redis down: a TLS 1.2 handshake on A"
  [ "$MS" -lt "$LIMIT_MS" ] || fail "Redis down: a handshake on A took $MS ms"
  conn "$TMP/down-t-$i.out" "$TB" -tls1_3 -sess_in "$TMP/t13.sess"
  expect_hs 'New|Reused' "Redis down: a TLS 1.3 ticket handshake on tB"
  [ "$MS" -lt "$LIMIT_MS" ] || fail "Redis down: a ticket handshake on tB took $MS ms"
  down+=("$MS2" "$MS")
done
pass "Redis down: A and B go on with full handshakes, each < $LIMIT_MS ms (ms: ${down[*]})"

redis_start "$RP"
t0=$(date +%s%N)
back='' i=0
while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 5000 ]; do
  i=$((i + 1))
  across back13-$i "$SA" "$SB" -tls1_3
  if [ "$HS2" = Reused ]; then back=$(( ($(date +%s%N) - t0) / 1000000 )); break; fi
  sleep 0.25
done
[ -n "$back" ] || fail "Redis back on port $RP: TLS 1.3 stateful sessions from A still do not resume on B after $(( ($(date +%s%N) - t0) / 1000000 )) ms ($i tries)"
across back12 "$SA" "$SB" -tls1_2 -no_ticket
[ "$HS2" = Reused ] || fail "Redis back: a TLS 1.2 session id from A did not resume on B: $HS2"
tk=
for i in $(seq 12); do
  across backtk-$i "$TA" "$TB" -tls1_3
  if [ "$HS2" = Reused ]; then tk=ok; break; fi
  sleep 0.5
done
[ -n "$tk" ] || fail "Redis back: TLS 1.3 tickets from A no longer resume on B"
for p in "$SA_PID" "$SB_PID" "$TA_PID" "$TB_PID"; do kill -0 "$p" || fail "a server exited"; done
pass "Redis back on the same port: resumption across servers returns after $back ms, servers not restarted"

# ---- counters on exit ------------------------------------------------------------------------
stop_bg "$SA_PID"; stop_bg "$SB_PID"; stop_bg "$TB_PID"; stop_bg "$RB_PID"
CB=$(store_counters "$TMP/sB.log")
CA=$(store_counters "$TMP/sA.log")
CT=$(store_counters "$TMP/tB.log")
CR=$(store_counters "$TMP/rB.log")
[ -n "$CB" ] || fail "server sB printed no 'session store: ...' line on SIGTERM"
[ -n "$CA" ] || fail "server sA printed no 'session store: ...' line on SIGTERM"
[ -n "$CT" ] || fail "server tB printed no 'session store: ...' line on SIGTERM"
[ -n "$CR" ] || fail "server rB printed no 'session store: ...' line on SIGTERM"
[ "$(counter "$CB" hits)" -gt 0 ] || fail "sB: no store hits after resuming A's sessions ($CB)"
[ $(( $(counter "$CB" errors) + $(counter "$CB" timeouts) )) -gt 0 ] ||
  fail "sB: no store errors or timeouts after the outage and the slow Redis ($CB)"
[ "$(counter "$CB" timeouts)" -gt 0 ] || echo "note: sB counted no timeout during DEBUG SLEEP ($CB)"
[ $(( $(counter "$CR" errors) + $(counter "$CR" timeouts) )) -gt 0 ] ||
  fail "rB: no store errors with nothing listening on the store's port ($CR)"
[ "$(counter "$CR" hits)" -eq 0 ] || fail "rB: store hits with no store reachable ($CR)"
stop_bg "$C_PID"
[ -z "$(store_counters "$TMP/c.log")" ] || fail "the server without a store printed store counters"
pass "counters on SIGTERM: sA [$CA] sB [$CB] tB [$CT] refused rB [$CR]"

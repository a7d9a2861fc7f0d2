#!/usr/bin/env bash
# The hostile TLS 1.3 / 1.2 peer (tests/hostile/) over TCP against the sesame CLI: every row
# of its scenario table (`hostile_peer list`), the same rows tests/unit/test_hostile.c plays
# in-process.
#   server rows: hostile_peer connect -> one `sesame s_server -rev` (ECDSA and, for DHE-RSA,
#                RSA certificates) serving them one after another; the peer checks the alert
#                it receives (or the echo of a good connection); for a failed handshake the
#                server's log must show the reason (error:0A0000XX), and the server must still
#                be up afterwards
#   client rows: hostile_peer accept (a server on an ephemeral port) <- `sesame s_client
#                -noservername` (with -reconnect when the row resumes in a second
#                connection); the peer checks the alert; the client must print the reason and
#                exit 1 when its handshake failed
# Every wait is bounded: the peer waits at most 5 s for any answer (a victim that hangs fails
# the row), every process runs under timeout and is stopped by PID.
. "$(dirname "$0")/lib.sh"
require_sesame
certs
HP=${HOSTILE_PEER:-$BUILD_DIR/tests/hostile/hostile_peer}
[ -x "$HP" ] || fail "hostile_peer not built: $HP"
"$HP" list >"$TMP/rows" || fail "hostile_peer list failed"
[ -s "$TMP/rows" ] || fail "hostile_peer lists no scenarios"

sesame_server srv -cert "$CERTS/server.pem" -key "$CERTS/server.key" \
  -dcert "$CERTS/server-rsa.pem" -dkey "$CERTS/server-rsa.key" -rev
SRV_LOG=$TMP/srv.log

# log_since OFFSET: the server's log from byte OFFSET on.
log_since() { tail -c +"$(($1 + 1))" "$SRV_LOG"; }

n=0
while read -r name victim alert sslerr reason phase conns; do
  n=$((n + 1))
  out=$TMP/hp-$name.out
  case $victim in
  server)
    off=$(stat -c %s "$SRV_LOG")
    run_t 30 "$HP" connect 127.0.0.1 "$PORT" "$name" >"$out" 2>&1 ||
      { cat "$out" >&2; fail "$(head -1 "$out" | sed 's/^FAIL *//')"; }
    if [ "$phase" = handshake ] && [ "$reason" != 00000000 ]; then
      ok=0
      for _ in $(seq 30); do
        log_since "$off" | grep -q "error:$reason:" && { ok=1; break; }
        sleep 0.1
      done
      [ "$ok" = 1 ] || { log_since "$off" | tail -n 5 >&2;
        fail "$name: sesame s_server did not log error:$reason for the failed handshake"; }
    fi
    kill -0 "$SPID" 2>/dev/null || fail "$name: sesame s_server died"
    pass "$(head -1 "$out" | sed 's/^ok *//')"
    ;;
  client)
    start_bg "hp-$name" "$HP" accept 0 "$name" "$CERTS/server.pem" "$CERTS/server.key"
    hpid=$BG_PID
    hplog=$TMP/hp-$name.log
    port=
    for _ in $(seq 250); do # 5 s
      port=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$hplog" 2>/dev/null || true)
      [ -n "$port" ] && break
      kill -0 "$hpid" 2>/dev/null || break
      sleep 0.02
    done
    [ -n "$port" ] || fail "$name: hostile_peer did not listen"
    cout=$TMP/sc-$name.out
    rc=0
    again=()
    [ "$conns" = reconnect ] && again=(-reconnect)
    sesame_client "$cout" "" -connect "127.0.0.1:$port" -noservername -CAfile "$CERTS/ca.pem" \
      "${again[@]}" || rc=$?
    prc=0
    for _ in $(seq 250); do kill -0 "$hpid" 2>/dev/null || break; sleep 0.02; done
    wait "$hpid" || prc=$?
    [ "$prc" = 0 ] || { tail -n 20 "$cout" >&2; fail "$(grep -v '^PORT ' "$hplog" | head -1 | sed 's/^FAIL *//')"; }
    if [ "$sslerr" = 1 ]; then
      expect "$cout" "error:$reason:" "$name: sesame s_client did not report error:$reason"
      if [ "$phase" = handshake ]; then
        [ "$rc" = 1 ] || fail "$name: sesame s_client exited $rc after a failed handshake"
      fi
    else
      [ "$rc" = 0 ] || fail "$name: sesame s_client exited $rc"
    fi
    pass "$(grep -v '^PORT ' "$hplog" | head -1 | sed 's/^ok *//')"
    ;;
  *) fail "hostile_peer list: bad line '$name $victim ...'" ;;
  esac
done <"$TMP/rows"
pass "$n scenarios"

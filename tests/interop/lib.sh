# lib.sh — helpers sourced by every tests/interop/test_*.sh.
#
# Environment (ctest sets all four; defaults allow running a script by hand from the tree):
#   SRC_DIR    source tree                    (default: two levels above this file)
#   BUILD_DIR  build tree                     (default: $SRC_DIR/build)
#   SESAME     the sesame CLI                 (default: $BUILD_DIR/bin/sesame)
#   LIBDIR     directory of our libssl.so.3   (default: $BUILD_DIR/lib)
#
# Rules every test follows: loopback only, ephemeral ports (free_port), every wait bounded
# (run_t / wait_port), every background process started with start_bg and stopped by PID.
set -euo pipefail

_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=${SRC_DIR:-$(cd "$_LIB_DIR/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SRC_DIR/build}
SESAME=${SESAME:-$BUILD_DIR/bin/sesame}
LIBDIR=${LIBDIR:-$BUILD_DIR/lib}
TEST_NAME=$(basename "$0" .sh)
# Longest any background process may live, even if this script is killed with SIGKILL.
BG_MAX=${BG_MAX:-150}
SYSTEM_LIBSSL_RE='^(/usr)?/lib/x86_64-linux-gnu/libssl\.so\.3$'
# Peers must not inherit a library path pointing at our build.
unset LD_LIBRARY_PATH LD_PRELOAD

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sesame-$TEST_NAME.XXXXXX")
PIDS=()

_cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    # bounded wait: 3 s, then SIGKILL (timeout -k would do it anyway)
    for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if [ "$rc" -ne 0 ] && [ -z "${KEEP_TMP:-}" ]; then
    # Show what the background processes said; it is usually the reason.
    local f
    for f in "$TMP"/*.log; do
      [ -s "$f" ] || continue
      echo "----- $(basename "$f") (last 20 lines) -----"
      tail -n 20 "$f"
    done
  fi
  if [ -n "${KEEP_TMP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# fail MSG...: print and exit 1 (the EXIT trap stops processes and prints their logs).
fail() { echo "FAIL [$TEST_NAME]: $*" >&2; exit 1; }
# pass MSG...: one line per passed check.
pass() { echo "ok   [$TEST_NAME]: $*"; }
# skip MSG...: ctest treats exit 0 as a pass, so say clearly that nothing was tested.
skip() { echo "SKIP [$TEST_NAME]: $*"; exit 0; }

# run_t SECS CMD...: run CMD with a wall-clock limit (SIGTERM, then SIGKILL 2 s later).
run_t() { local s=$1; shift; timeout -k 2 "$s" "$@"; }

# free_port: print a TCP port that is free on 127.0.0.1 right now.
free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'
    return
  fi
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    port_listening "$p" || { echo "$p"; return; }
  done
  fail "free_port: no free port found"
}

# port_listening PORT: true when some socket LISTENs on PORT (any address, IPv4 or IPv6).
# Reads /proc/net/tcp* so it never connects (a probe connection would consume an accept).
port_listening() {
  local hex; hex=$(printf '%04X' "$1")
  awk -v h="$hex" 'NR > 1 { split($2, a, ":"); if (a[2] == h && $4 == "0A") f = 1 } END { exit !f }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# wait_port PORT [PID]: wait up to 5 s for a listener on PORT; fails fast if PID exits.
wait_port() {
  local port=$1 pid=${2:-}
  for _ in $(seq 50); do
    port_listening "$port" && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}

# start_bg NAME CMD...: start CMD in the background (stdin /dev/null, stdout+stderr to
# $TMP/NAME.log), bounded by BG_MAX seconds. Sets BG_PID (the PID to pass to
# assert_ours/maps_lib) and records it for the EXIT trap.
start_bg() {
  local name=$1; shift
  timeout -k 2 "$BG_MAX" "$@" </dev/null >"$TMP/$name.log" 2>&1 &
  BG_PID=$!
  PIDS+=("$BG_PID")
}

# start_bg_stdin NAME INFILE CMD...: like start_bg, with stdin from INFILE (e.g. a FIFO).
start_bg_stdin() {
  local name=$1 in=$2; shift 2
  timeout -k 2 "$BG_MAX" "$@" <"$in" >"$TMP/$name.log" 2>&1 &
  BG_PID=$!
  PIDS+=("$BG_PID")
}

# stop_bg PID: stop one background process now (bounded); its log stays in $TMP.
stop_bg() {
  kill "$1" 2>/dev/null || true
  for _ in $(seq 30); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# real_pid PID: start_bg runs commands under `timeout`; print the PID of the command itself.
real_pid() {
  local pid=$1 child
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = timeout ]; then
    child=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null | awk '{print $1}')
    [ -n "$child" ] || child=$(pgrep -P "$pid" 2>/dev/null | head -1 || true)
    [ -n "$child" ] && pid=$child
  fi
  echo "$pid"
}

# maps_lib PID: print the (resolved) libssl.so.3 path mapped by a running process, or nothing.
maps_lib() {
  local pid; pid=$(real_pid "$1")
  local p; p=$(grep -oE '/[^ ]*libssl\.so\.3([^ ]*)?$' "/proc/$pid/maps" 2>/dev/null | head -1 || true)
  [ -n "$p" ] && readlink -f "$p" || true
}

_ours() { readlink -f "$LIBDIR/libssl.so.3"; }

# assert_ours PID [WHAT]: the process maps our libssl.so.3 (from $LIBDIR).
assert_ours() {
  local got; got=$(maps_lib "$1")
  [ -n "$got" ] && [ "$got" = "$(_ours)" ] ||
    fail "${2:-process $1} maps libssl '${got:-none}', expected ours ($LIBDIR/libssl.so.3)"
}

# assert_system PID [WHAT]: the process maps the system libssl.so.3.
assert_system() {
  local got; got=$(maps_lib "$1")
  [[ "$got" =~ $SYSTEM_LIBSSL_RE ]] ||
    fail "${2:-process $1} maps libssl '${got:-none}', expected the system one"
}

# assert_not_ours PID [WHAT]: for peers without libssl (gnutls): must not map ours.
assert_not_ours() {
  local got; got=$(maps_lib "$1")
  [ -z "$got" ] || [ "$got" != "$(_ours)" ] || fail "${2:-process $1} maps our libssl.so.3"
}

# libssl_loaded_by CMD...: print the libssl.so.3 ld.so initialises for CMD (LD_DEBUG=libs),
# for short-lived programs. Run with the caller's environment (use `env VAR=x CMD` to vary).
libssl_loaded_by() {
  local p
  p=$(LD_DEBUG=libs run_t 10 "$@" 2>&1 >/dev/null </dev/null |
      grep -oE 'calling init: /[^ ]*libssl\.so\.3' | head -1 | sed 's/^calling init: //' || true)
  [ -n "$p" ] && readlink -f "$p" || true
}

# uses_ours CMD...: true when CMD, run with LD_LIBRARY_PATH=$LIBDIR, loads our libssl.so.3.
uses_ours() {
  [ "$(libssl_loaded_by env LD_LIBRARY_PATH="$LIBDIR" "$@")" = "$(_ours)" ]
}

# require_sesame: the CLI and library exist, and the CLI (as run by the tests: no
# LD_LIBRARY_PATH) loads our libssl.so.3 — checked with `sesame version` under LD_DEBUG.
require_sesame() {
  [ -x "$SESAME" ] || fail "sesame CLI not found or not executable: $SESAME (build first)"
  [ -e "$LIBDIR/libssl.so.3" ] || fail "our libssl.so.3 not found in LIBDIR=$LIBDIR"
  local got; got=$(libssl_loaded_by "$SESAME" version)
  [ "$got" = "$(_ours)" ] || fail "'sesame version' loads libssl '${got:-none}', expected $LIBDIR/libssl.so.3"
}

# require_system_openssl: the openssl command exists and loads the system libssl.so.3.
require_system_openssl() {
  command -v openssl >/dev/null || fail "openssl command not installed"
  local got; got=$(libssl_loaded_by openssl version)
  [[ "$got" =~ $SYSTEM_LIBSSL_RE ]] || fail "openssl loads libssl '${got:-none}', expected the system one"
}

# require_cmd CMD [PACKAGE]: fail (not skip: CI installs them) when a peer program is missing.
require_cmd() { command -v "$1" >/dev/null 2>&1 || fail "$1 not installed (Debian package ${2:-$1})"; }

# certs: make sure the test certificates exist; sets CERTS. Generated once per build tree
# (flock: tests run in parallel) by tests/certs/make-certs.sh.
certs() {
  CERTS=$BUILD_DIR/test-certs
  mkdir -p "$BUILD_DIR"
  (
    flock -w 60 9 || fail "timed out waiting for the certificate lock"
    bash "$SRC_DIR/tests/certs/make-certs.sh" "$CERTS"
  ) 9>"$BUILD_DIR/test-certs.lock" || fail "could not generate test certificates"
  [ -f "$CERTS/.complete" ] || fail "test certificates incomplete in $CERTS"
}

# ---- servers: each sets PORT and SPID (and checks which libssl the server mapped) ----------

# sesame_server NAME ARGS...: `sesame s_server -accept 127.0.0.1:PORT ARGS...`
sesame_server() {
  local name=$1; shift
  PORT=$(free_port)
  start_bg "$name" "$SESAME" s_server -accept "127.0.0.1:$PORT" "$@"
  SPID=$BG_PID
  wait_port "$PORT" "$SPID" || fail "sesame s_server ($name: $*) did not listen on $PORT"
  assert_ours "$SPID" "sesame s_server ($name)"
}

# openssl_server NAME ARGS...: `openssl s_server -accept 127.0.0.1:PORT ARGS...`
openssl_server() {
  local name=$1; shift
  PORT=$(free_port)
  start_bg "$name" openssl s_server -accept "127.0.0.1:$PORT" "$@"
  SPID=$BG_PID
  wait_port "$PORT" "$SPID" || fail "openssl s_server ($name: $*) did not listen on $PORT"
  assert_system "$SPID" "openssl s_server ($name)"
}

# gnutls_server NAME ARGS...: `gnutls-serv --port PORT ARGS...` (listens on all addresses)
gnutls_server() {
  local name=$1; shift
  PORT=$(free_port)
  start_bg "$name" gnutls-serv --port "$PORT" "$@"
  SPID=$BG_PID
  wait_port "$PORT" "$SPID" || fail "gnutls-serv ($name: $*) did not listen on $PORT"
  assert_not_ours "$SPID" "gnutls-serv ($name)"
}

# ---- clients ---------------------------------------------------------------------------------

HTTP_GET=$'GET / HTTP/1.0\r\n\r\n'
CLIENT_RC=0

# sesame_client OUT STDIN_TEXT ARGS...: `sesame s_client ARGS...` with STDIN_TEXT on stdin;
# stdin stays open (up to 10 s) until the client exits, so it reads the whole response.
# stdout+stderr go to OUT. Returns the client's exit status.
sesame_client() {
  local out=$1 input=$2; shift 2
  local done_f; done_f=$(mktemp "$TMP/done.XXXXXX"); rm -f "$done_f"
  local rc=0
  { trap '' PIPE; printf '%s' "$input" 2>/dev/null || true; for _ in $(seq 100); do [ -e "$done_f" ] && break; sleep 0.1; done; } |
    { rc=0; run_t 15 "$SESAME" s_client "$@" >"$out" 2>&1 || rc=$?; touch "$done_f"; exit "$rc"; } || rc=$?
  CLIENT_RC=$rc
  [ "$rc" != 124 ] && [ "$rc" != 137 ] || echo "(sesame s_client timed out after 15 s)" >>"$out"
  return "$rc"
}

# openssl_client OUT STDIN_TEXT ARGS...: `openssl s_client -ign_eof ARGS...`; reads until the
# server closes (use with -www servers) — so TLS 1.3 tickets have arrived when it exits.
openssl_client() {
  local out=$1 input=$2; shift 2
  local rc=0
  printf '%s' "$input" | run_t 15 openssl s_client -ign_eof "$@" >"$out" 2>&1 || rc=$?
  CLIENT_RC=$rc
  [ "$rc" != 124 ] && [ "$rc" != 137 ] || echo "(openssl s_client timed out after 15 s)" >>"$out"
  return "$rc"
}

# expect OUT REGEX WHAT: fail unless OUT (a file) has a line matching the extended REGEX.
expect() {
  grep -qE -- "$2" "$1" || { echo "----- $1 -----" >&2; grep -vE '^[A-Za-z0-9+/=]{64}$' "$1" | tail -n 40 >&2; fail "$3 (no line matching /$2/)"; }
}
# expect_not OUT REGEX WHAT
expect_not() {
  ! grep -qE -- "$2" "$1" || { echo "----- $1 -----" >&2; tail -n 40 "$1" >&2; fail "$3 (unexpected line matching /$2/)"; }
}

# sesame client's summary block (see the CLI's s_client): one line each.
sesame_ok_block() { # OUT SUITE WHAT
  expect "$1" '^Protocol: TLSv1\.3$' "$3: sesame s_client did not report TLSv1.3"
  [ -z "$2" ] || expect "$1" "^Cipher: $2\$" "$3: sesame s_client did not negotiate $2"
  expect "$1" '^Verification: OK$' "$3: sesame s_client did not verify the server"
}

# page OUT: print the path of a file holding OUT from the first HTTP status line on (the page
# a -www/-WWW server sent), so checks on it cannot match the client's own summary.
# (openssl s_client's buffered summary and its unbuffered data can share a line, hence no ^.)
page() {
  awk 'f { print; next } /HTTP\/1\.[01] 200/ { f = 1; print substr($0, index($0, "HTTP/1.")) }' "$1" >"$1.page"
  echo "$1.page"
}

# wait_line FILE REGEX [SECS]: wait (default 3 s) until FILE has a line matching REGEX —
# for messages a background peer prints shortly after our client has finished.
wait_line() {
  local n=$(( ${3:-3} * 10 ))
  for _ in $(seq "$n"); do grep -qE -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

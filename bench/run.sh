#!/usr/bin/env bash
# Usage: bench/run.sh BUILD_DIR
# Runs BUILD_DIR/bin/bench-handshake (built against no particular libssl, no
# RPATH) once over the system libssl.so.3 and once over BUILD_DIR/lib (sesame),
# checks from each run's own "libssl:" line that it mapped the intended
# library, and prints a comparison table. Builds nothing.
# Environment: BENCH_SECONDS (default 3) per rate mode, BENCH_N (default 2000)
# sessions for the memory mode.
set -u
BUILD=${1:?usage: bench/run.sh BUILD_DIR}
BIN=$BUILD/bin/bench-handshake
LIB=$BUILD/lib
SECS=${BENCH_SECONDS:-3}
N=${BENCH_N:-2000}
[ -x "$BIN" ] || { echo "run.sh: no benchmark at $BIN (build the project first)" >&2; exit 1; }
[ -e "$LIB/libssl.so.3" ] || { echo "run.sh: no $LIB/libssl.so.3" >&2; exit 1; }
OURS=$(realpath "$LIB/libssl.so.3")
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
status=0

# run WHICH MODE: output in $OUT/WHICH-MODE; 0 if it ran and mapped the right library.
run() {
  local which=$1 mode=$2 f=$OUT/$1-$2 args=("$mode" -seconds "$SECS" -n "$N")
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

for mode in full resume memory full12 resume12 resume12id threads; do
  for which in system sesame; do
    run $which $mode || status=1
  done
done

echo "system libssl: $(sed -n 's/^libssl: //p' "$OUT/system-full" | head -1)"
echo "sesame libssl: $OURS"
echo "seconds per rate: $SECS, sessions for memory: $N"
echo
printf '%-36s %14s %14s %8s\n' "measure" "system" "sesame" "ratio"
for row in "full:full handshakes/s" "resume:resume handshakes/s" \
           "memory:server cached session bytes" "memory:client session bytes" \
           "full12:tls12 full handshakes/s" "resume12:tls12 resume ticket handshakes/s" \
           "resume12id:tls12 resume id handshakes/s" \
           "threads:threads 1 full handshakes/s" "threads:threads 2 full handshakes/s" \
           "threads:threads 8 full handshakes/s" "threads:threads 2/1 full scaling" \
           "threads:threads 1 resume handshakes/s" "threads:threads 2 resume handshakes/s" \
           "threads:threads 8 resume handshakes/s" "threads:threads 2/1 resume scaling"; do
  mode=${row%%:*} label=${row#*:}
  s=$(value system "$mode" "$label") o=$(value sesame "$mode" "$label")
  printf '%-36s %14s %14s %8s\n' "$label" "$s" "$o" "$(ratio "$s" "$o")"
  case "$s$o" in *FAIL*) status=1;; esac
done
echo "(ratio = sesame / system; higher is better for rates and scalings, lower for bytes)"
exit $status

#!/usr/bin/env bash
# The layer check must be able to fail: build two tiny objects laid out like
# the library's (a record-layer object calling a handshake-layer function)
# and expect tools/check-layers.py to report the upward reference; then the
# allowed direction (handshake calling record) must pass.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
d=$t/CMakeFiles/sesame_objs.dir/src
mkdir -p "$d/record" "$d/handshake"
printf 'int hs_thing(void);\nint rec_thing(void) { return hs_thing(); }\n' >"$t/rec.c"
printf 'int hs_thing(void) { return 1; }\n' >"$t/hs.c"
cc -c "$t/rec.c" -o "$d/record/rec.c.o"
cc -c "$t/hs.c" -o "$d/handshake/hs.c.o"
if out=$(python3 "$here/tools/check-layers.py" "$t"); then
  echo "FAIL: an upward reference (record -> handshake) was not reported: $out"
  exit 1
fi
grep -q 'UPWARD record -> handshake: rec.c.o -> hs.c.o:hs_thing' <<<"$out" ||
  { echo "FAIL: unexpected report: $out"; exit 1; }
printf 'int rec_thing(void) { return 1; }\n' >"$t/rec.c"
printf 'int rec_thing(void);\nint hs_thing(void) { return rec_thing(); }\n' >"$t/hs.c"
cc -c "$t/rec.c" -o "$d/record/rec.c.o"
cc -c "$t/hs.c" -o "$d/handshake/hs.c.o"
out=$(python3 "$here/tools/check-layers.py" "$t") || { echo "FAIL: a downward reference was refused: $out"; exit 1; }
echo "ok: the layer check reports upward references and accepts downward ones"

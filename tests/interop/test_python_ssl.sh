#!/usr/bin/env bash
# Python's own ssl test suite (Lib/test/test_ssl.py, `python3 -m test test_ssl -u walltime`)
# with the interpreter's _ssl module on our libssl.so.3: every case must pass or be skipped as
# it is over the system libssl (skips: TLS 1.0/1.1 and SSLv3 unavailable, Windows-only, locale,
# network). The python3 used is the first of those on PATH and /usr/bin/python3 that has the
# test package (Debian: libpython3.11-testsuite, which .ci/run installs). Proves that the
# interpreter mapped our libssl and not the system's.
. "$(dirname "$0")/lib.sh"
require_sesame
PY=
for p in "$(command -v python3 2>/dev/null)" /usr/bin/python3; do
  [ -n "$p" ] && [ -x "$p" ] && "$p" -c 'import test.test_ssl' >/dev/null 2>&1 && { PY=$p; break; }
done
[ -n "$PY" ] || fail "no python3 with the test package (Debian package libpython3.11-testsuite)"

# which libssl does _ssl map? ours, by path
mapped=$(LD_LIBRARY_PATH=$LIBDIR "$PY" -c 'import ssl
for l in open("/proc/self/maps"):
    if "libssl.so" in l:
        print(l.split()[-1]); break')
[ "$(readlink -f "$mapped")" = "$(_ours)" ] || fail "$PY's _ssl mapped '$mapped', not our $(_ours)"
pass "$PY's _ssl maps our libssl ($mapped)"

log=$TMP/test_ssl.log
rc=0
LD_LIBRARY_PATH=$LIBDIR run_t 300 "$PY" -m test test_ssl -v -u walltime --timeout 240 \
  --tempdir "$TMP/pytmp" >"$log" 2>&1 || rc=$?
ran=$(grep -E '^Ran [0-9]+ tests?' "$log" | tail -1 || true)
bad=$(grep -E '^(FAIL|ERROR): ' "$log" | head -10 || true)
if [ $rc -ne 0 ] || [ -n "$bad" ]; then
  tail -n 40 "$log"
  fail "python test_ssl over our libssl (status $rc, $ran): ${bad:-see the log above}"
fi
skipped=$(grep -cE '[.][.][.] skipped ' "$log" || true)
pass "python test_ssl over our libssl: $ran, all passed ($skipped skipped)"

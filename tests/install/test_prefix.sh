#!/usr/bin/env bash
# install.prefix: `cmake --install BUILD --prefix P` into a temporary prefix, then
#  - the layout: P/lib/sesame/libssl.so.3 (the built file), nothing named libssl* directly in
#    P/lib (it would shadow the system's libssl for every program searching P/lib), P/bin/sesame
#    whose RUNPATH is $ORIGIN-relative (no trace of the build tree), no headers, and
#    P/lib/pkgconfig/sesame.pc whose libdir is P/lib/sesame;
#  - the installed CLI maps P/lib/sesame/libssl.so.3 (`sesame version` and LD_DEBUG), also
#    after the whole prefix has been moved elsewhere;
#  - `sesame run`: LD_LIBRARY_PATH given to the program, arguments, exit status and PID kept,
#    usage (2), not found (127), not runnable (126), from the install and the build tree.
# Only sesame itself loads our library here (the programs run are sh and printf), so this
# also runs in the sanitizer build. interop.install runs real programs over the install.
source "$(dirname "$0")/../interop/lib.sh"
TEST_NAME=install.prefix
CMAKE=${CMAKE:-cmake}

P=$TMP/p
run_t 60 "$CMAKE" --install "$BUILD_DIR" --prefix "$P" >"$TMP/install.log" 2>&1 ||
  { cat "$TMP/install.log" >&2; fail "cmake --install $BUILD_DIR --prefix $P failed"; }
pass "cmake --install into $P"

# ---- layout ----------------------------------------------------------------------------------
lib=$P/lib/sesame/libssl.so.3
[ -f "$lib" ] || fail "no $lib"
cmp -s "$lib" "$LIBDIR/libssl.so.3" || fail "$lib is not the library of the build ($LIBDIR)"
[ "$(readlink "$P/lib/sesame/libssl.so")" = libssl.so.3 ] ||
  fail "P/lib/sesame/libssl.so is not a link to libssl.so.3 (for -lssl)"
shadow=$(find "$P/lib" -maxdepth 1 -name 'libssl*' | head -1)
[ -z "$shadow" ] || fail "$shadow: a libssl directly in P/lib would shadow the system's"
[ "$(ls "$P/lib" | tr '\n' ' ')" = "pkgconfig sesame " ] ||
  fail "P/lib holds '$(ls "$P/lib" | tr '\n' ' ')', expected only pkgconfig/ and sesame/"
[ "$(ls "$P/bin")" = sesame ] && [ -x "$P/bin/sesame" ] || fail "P/bin is not just the sesame CLI"
[ ! -e "$P/include" ] || fail "headers installed in P/include (we use the system's <openssl/ssl.h>)"
[ "$(ls "$P" | tr '\n' ' ')" = "bin lib " ] || fail "P holds '$(ls "$P" | tr '\n' ' ')', expected bin/ and lib/"
pass "layout: bin/sesame, lib/sesame/libssl.so.3 (+ libssl.so), lib/pkgconfig/sesame.pc, no libssl* in lib/"

rpath=$(readelf -d "$P/bin/sesame" | sed -n 's/.*(\(RPATH\|RUNPATH\)).*\[\(.*\)\]/\2/p')
[ "$rpath" = "\$ORIGIN/../lib/sesame" ] || fail "P/bin/sesame RPATH/RUNPATH is '$rpath', expected \$ORIGIN/../lib/sesame"
! readelf -d "$P/bin/sesame" | grep -qF "$BUILD_DIR" || fail "P/bin/sesame still names the build tree"
pass "P/bin/sesame: RUNPATH \$ORIGIN/../lib/sesame"

# ---- pkg-config ------------------------------------------------------------------------------
require_cmd pkg-config
pc() { PKG_CONFIG_PATH=$P/lib/pkgconfig run_t 10 pkg-config "$@"; }
[ -f "$P/lib/pkgconfig/sesame.pc" ] || fail "no P/lib/pkgconfig/sesame.pc"
[ "$(pc --variable=libdir sesame)" = "$P/lib/sesame" ] ||
  fail "pkg-config libdir is '$(pc --variable=libdir sesame)', expected $P/lib/sesame"
[ "$(pc --variable=prefix sesame)" = "$P" ] || fail "pkg-config prefix is '$(pc --variable=prefix sesame)'"
libs=$(pc --libs sesame) || fail "pkg-config --libs sesame failed"
[[ " $libs " == *" -L$P/lib/sesame "* && " $libs " == *" -lssl "* ]] ||
  fail "pkg-config --libs sesame: '$libs' lacks -L$P/lib/sesame -lssl"
[[ "$libs" == *"-rpath,$P/lib/sesame"* ]] || fail "pkg-config --libs sesame: '$libs' lacks the RPATH"
pc --cflags sesame >/dev/null || fail "pkg-config --cflags sesame failed"
[ "$(pc --modversion sesame)" = 3.0.0 ] || fail "pkg-config --modversion sesame: $(pc --modversion sesame)"
pass "sesame.pc: libdir $P/lib/sesame, libs '$libs'"

# ---- the installed CLI uses the installed library ---------------------------------------------
want=$(readlink -f "$lib")
run_t 10 "$P/bin/sesame" version >"$TMP/version.out" 2>&1 || fail "P/bin/sesame version failed"
said=$(sed -n 's/^libssl: //p' "$TMP/version.out")
[ -n "$said" ] && [ "$(readlink -f "$said")" = "$want" ] ||
  fail "P/bin/sesame version says libssl '$said', expected $lib"
got=$(libssl_loaded_by "$P/bin/sesame" version)
[ "$got" = "$want" ] || fail "P/bin/sesame loads libssl '${got:-none}' (LD_DEBUG), expected $lib"
pass "P/bin/sesame version: libssl $said"

# ---- sesame run ------------------------------------------------------------------------------
rc=0; run_t 10 "$P/bin/sesame" run >"$TMP/usage.out" 2>"$TMP/usage.err" || rc=$?
[ "$rc" = 2 ] || fail "'sesame run' without a program exited $rc, expected 2"
grep -q '^usage: sesame run' "$TMP/usage.err" || fail "'sesame run' printed no usage on stderr"
[ ! -s "$TMP/usage.out" ] || fail "'sesame run' without a program wrote to stdout"
rc=0; run_t 10 "$P/bin/sesame" run -help >"$TMP/help.out" 2>&1 || rc=$?
[ "$rc" = 0 ] && grep -q '^usage: sesame run' "$TMP/help.out" || fail "'sesame run -help' (exit $rc)"
pass "sesame run: usage, exit 2 without a program"

dir=$(readlink -f "$P/lib/sesame")
out=$(run_t 10 "$P/bin/sesame" run sh -c 'printf %s "$LD_LIBRARY_PATH"')
[ "$out" = "$dir" ] || fail "sesame run gave LD_LIBRARY_PATH='$out', expected '$dir'"
out=$(LD_LIBRARY_PATH=/nonexistent/a:/nonexistent/b run_t 10 "$P/bin/sesame" run sh -c 'printf %s "$LD_LIBRARY_PATH"')
[ "$out" = "$dir:/nonexistent/a:/nonexistent/b" ] || fail "sesame run with LD_LIBRARY_PATH set gave '$out'"
out=$(LD_LIBRARY_PATH= run_t 10 "$P/bin/sesame" run sh -c 'printf %s "$LD_LIBRARY_PATH"')
[ "$out" = "$dir" ] || fail "sesame run with an empty LD_LIBRARY_PATH gave '$out' (an empty entry means .)"
pass "sesame run: LD_LIBRARY_PATH=$dir (prepended to an existing one)"

out=$(run_t 10 "$P/bin/sesame" run printf '%s|' a 'b c' '' '-x' --) || fail "sesame run printf failed"
[ "$out" = "a|b c||-x|--|" ] || fail "sesame run passed the arguments as '$out'"
out=$(run_t 10 "$P/bin/sesame" run -- printf '%s|' -- x) || fail "sesame run -- printf failed"
[ "$out" = "--|x|" ] || fail "sesame run -- gave '$out'"
rc=0; run_t 10 "$P/bin/sesame" run sh -c 'exit 7' || rc=$?
[ "$rc" = 7 ] || fail "sesame run sh -c 'exit 7' exited $rc"
# exec, not fork: the program has sesame's PID
out=$(echo "$BASHPID"; exec "$P/bin/sesame" run sh -c 'echo $$')
[ "$(echo "$out" | sed -n 1p)" = "$(echo "$out" | sed -n 2p)" ] || fail "sesame run forked: PIDs $(echo $out)"
pass "sesame run: arguments, exit status and PID are the program's"

rc=0; run_t 10 "$P/bin/sesame" run "no-such-program-$$" 2>"$TMP/nf.err" || rc=$?
[ "$rc" = 127 ] || fail "a program not found exited $rc, expected 127"
grep -q "no-such-program-$$: command not found" "$TMP/nf.err" || fail "no 'command not found' message"
rc=0; run_t 10 "$P/bin/sesame" run "$TMP/missing/prog" 2>"$TMP/nf2.err" || rc=$?
[ "$rc" = 127 ] && grep -q 'No such file or directory' "$TMP/nf2.err" ||
  fail "a missing path exited $rc, expected 127 with a message"
printf 'not a program\n' >"$TMP/plain"; chmod 644 "$TMP/plain"
rc=0; run_t 10 "$P/bin/sesame" run "$TMP/plain" 2>"$TMP/na.err" || rc=$?
[ "$rc" = 126 ] && [ -s "$TMP/na.err" ] || fail "a file that is not executable exited $rc, expected 126"
pass "sesame run: 127 (not found) and 126 (not runnable), with a message"

# from the build tree: the build's library directory
bdir=$(readlink -f "$LIBDIR")
out=$(run_t 10 "$SESAME" run sh -c 'printf %s "$LD_LIBRARY_PATH"')
[ "$out" = "$bdir" ] || fail "build-tree sesame run gave LD_LIBRARY_PATH='$out', expected '$bdir'"
pass "build-tree sesame run: LD_LIBRARY_PATH=$bdir"

# ---- a moved prefix still works (nothing refers to P by its old name) --------------------------
Q=$TMP/moved/elsewhere
mkdir -p "$TMP/moved"
mv "$P" "$Q"
want=$(readlink -f "$Q/lib/sesame/libssl.so.3")
said=$(run_t 10 "$Q/bin/sesame" version | sed -n 's/^libssl: //p')
[ "$(readlink -f "$said")" = "$want" ] || fail "moved prefix: sesame version says '$said', expected $want"
out=$(run_t 10 "$Q/bin/sesame" run sh -c 'printf %s "$LD_LIBRARY_PATH"')
[ "$out" = "$(readlink -f "$Q/lib/sesame")" ] || fail "moved prefix: sesame run gave '$out'"
pass "moved prefix: $Q/bin/sesame uses $Q/lib/sesame"

pass "all"

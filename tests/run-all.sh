#!/usr/bin/env bash
# tests/run-all.sh — the whole test suite, as CI runs it (after .ci/run installed the tools):
#   1. Release build in build/      -> ctest (unit + interop), -j2
#   2. ASan+UBSan Debug build in build-asan/ -> ctest, excluding label "preload" (tests whose
#      peer program, e.g. curl, would load our sanitized libssl.so.3 without the sanitizer
#      runtime; they run in the Release pass only)
# Exit status non-zero if anything failed; the last line is a one-line summary.
# Environment: JOBS (default 2), SKIP_ASAN=1 to run only the Release pass,
#              FUZZ_SECONDS=N to also run each libFuzzer target N seconds (clang),
#              CTEST_ARGS extra arguments for ctest (e.g. "-L unit").
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-2}
read -r -a EXTRA <<<"${CTEST_ARGS:-}"
results=()
failed=0
start=$(date +%s)

step() { # NAME CMD...
  local name=$1; shift
  echo
  echo "=== $name: $*"
  if "$@"; then results+=("ok:$name"); else results+=("FAILED:$name"); failed=1; return 1; fi
}

release() {
  step "release configure" cmake -S . -B build -DCMAKE_BUILD_TYPE=Release &&
    step "release build" cmake --build build -j"$JOBS" &&
    step "release ctest" ctest --test-dir build --output-on-failure -j"$JOBS" "${EXTRA[@]}"
}

asan() {
  local san="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
  step "asan configure" cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug \
      "-DCMAKE_C_FLAGS=$san" "-DCMAKE_EXE_LINKER_FLAGS=$san" "-DCMAKE_SHARED_LINKER_FLAGS=$san" &&
    step "asan build" cmake --build build-asan -j"$JOBS" &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      step "asan ctest (-LE preload)" ctest --test-dir build-asan --output-on-failure -j"$JOBS" -LE preload "${EXTRA[@]}"
}

# 3. ThreadSanitizer build: the unit tests (the threaded handshake test and
#    the cache stress among them), with a smaller thread workload and every
#    5th point of the allocation-failure sweep (all of it would take minutes
#    under TSan; the Release and ASan passes sweep every point).
tsan() {
  local san="-fsanitize=thread -fno-omit-frame-pointer"
  step "tsan configure" cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug \
      "-DCMAKE_C_FLAGS=$san" "-DCMAKE_EXE_LINKER_FLAGS=$san" "-DCMAKE_SHARED_LINKER_FLAGS=$san" &&
    step "tsan build" cmake --build build-tsan -j"$JOBS" &&
    SESAME_THREADS_N=300 SESAME_ALLOC_STRIDE=5 TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
      step "tsan ctest (-L unit)" ctest --test-dir build-tsan --output-on-failure -j"$JOBS" -L unit "${EXTRA[@]}"
}

# 4. Optional (FUZZ_SECONDS=N): clang libFuzzer build in build-fuzz/, each tests/fuzz target
#    run for N seconds from its seeds (new inputs go to build-fuzz/tests/fuzz/work/<name>/,
#    crashes to build-fuzz/tests/fuzz/crash-*). See docs/testing.md, "Fuzzing".
fuzz() {
  step "fuzz configure" cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSESAME_LIBFUZZER=ON &&
    step "fuzz build" cmake --build build-fuzz -j"$JOBS" || return 1
  local t ok=0
  for t in $(ls tests/fuzz/corpus); do
    mkdir -p "build-fuzz/tests/fuzz/work/$t"
    step "fuzz $t (${FUZZ_SECONDS}s)" env -C build-fuzz/tests/fuzz \
      "./fuzz_$t" "work/$t" "$PWD/tests/fuzz/corpus/$t" "-max_total_time=$FUZZ_SECONDS" -timeout=25 \
      -print_final_stats=1 || ok=1
  done
  return "$ok"
}

release || true
if [ -z "${SKIP_ASAN:-}" ]; then asan || true; fi
if [ -z "${SKIP_TSAN:-}" ]; then tsan || true; fi
if [ -n "${FUZZ_SECONDS:-}" ]; then fuzz || true; fi

echo
for r in "${results[@]}"; do echo "  ${r%%:*}  ${r#*:}"; done
secs=$(( $(date +%s) - start ))
if [ "$failed" = 0 ]; then
  echo "SUMMARY: all test passes succeeded (${#results[@]} steps, ${secs}s)"
else
  echo "SUMMARY: FAILED ($(printf '%s\n' "${results[@]}" | grep -c '^FAILED') of ${#results[@]} steps, ${secs}s)"
fi
exit "$failed"

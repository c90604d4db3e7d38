#!/bin/sh
# Everything `make test` runs, after the release, asan and tsan builds:
#   1. unit tests (cmocka), release build
#   2. the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   3. the concurrent tests under ThreadSanitizer
#   4. valgrind: no leaks in the engine's start/stop cycle and the tools
#   5. a short fuzzing pass over every fuzz target (make fuzz runs longer)
#   6. integration tests (tests/integration/test_*.sh): real processes
#   7. the tree's rules (tests/tree/check_tree.py): layers include only
#      downwards, no import circle between files, no source over 700 lines
# Closes with "tests: N passed, N failed" (suites) and exits non-zero on any failure.
# Usage: tests/run_all.sh [SUITE...]   (unit asan+ubsan tsan fuzz valgrind integration tree; none: all)
set -u
cd "$(dirname "$0")/.."
passed=0
failed=0
failures=""

# With suite names as arguments (.ci/run STAGE), only those run.
only="$*"
suite() {
    name=$1; shift
    if [ -n "$only" ] && ! echo " $only " | grep -qF " $name "; then
        return 0
    fi
    echo "=== $name"
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures="$failures $name"
    fi
}

tsan_tests() {
    # Concurrent code: rings, journal, seqlock state, the stage runtime.
    # ck's inline-asm atomics are invisible to TSan; see tests/tsan.supp.
    export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(pwd)/tests/tsan.supp"
    p=0; f=0
    for t in build/tsan/tests/shm/test_ring build/tsan/tests/shm/test_journal \
             build/tsan/tests/shm/test_state build/tsan/tests/engine/runtime/test_runtime; do
        if [ ! -x "$t" ]; then
            echo "FAIL $t missing"; f=$((f + 1)); continue
        fi
        if timeout -k 10 600 "$t" >/tmp/tf-tsan.$$ 2>&1; then
            echo "ok   $t"; p=$((p + 1))
        else
            echo "FAIL $t"; tail -80 /tmp/tf-tsan.$$ | sed 's/^/    /'; f=$((f + 1))
        fi
        rm -f /tmp/tf-tsan.$$
    done
    echo "tsan: $p passed, $f failed"
    [ $f -eq 0 ]
}

integration_tests() {
    p=0; f=0
    for t in tests/integration/test_*.sh; do
        if timeout -k 10 600 sh "$t"; then
            echo "ok   $t"; p=$((p + 1))
        else
            echo "FAIL $t"; f=$((f + 1))
        fi
    done
    echo "integration: $p passed, $f failed"
    [ $f -eq 0 ]
}

suite unit sh tests/run_unit.sh build unit
suite asan+ubsan env ASAN_OPTIONS="detect_leaks=1" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" sh tests/run_unit.sh build/asan asan+ubsan
suite tsan tsan_tests
suite fuzz env FUZZ_SECONDS=10 sh tests/fuzz_run.sh
suite valgrind sh tests/valgrind.sh
suite integration integration_tests
suite tree /usr/bin/python3 tests/tree/check_tree.py build

echo "tests: $passed passed, $failed failed${failures:+ (failed:$failures)}"
if [ $((passed + failed)) -eq 0 ]; then
    echo "tests: no suite named '$only'" >&2
    exit 2
fi
[ $failed -eq 0 ]

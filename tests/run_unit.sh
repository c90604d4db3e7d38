#!/bin/sh
# Run every cmocka test binary under a build directory, each as its own
# process with a timeout. Usage: run_unit.sh BUILD_DIR [LABEL] [ENV...]
# Prints one line per binary and a closing "LABEL: N passed, N failed".
set -u
dir=${1:?build dir}
label=${2:-unit}
passed=0
failed=0
failed_names=""
bins=$(find "$dir/tests" -type f -name 'test_*' -perm -u+x 2>/dev/null | sort)
if [ -z "$bins" ]; then
    echo "$label: no test binaries under $dir/tests" >&2
    exit 1
fi
for t in $bins; do
    log=$(mktemp)
    start=$(date +%s)
    timeout -k 10 ${TF_TEST_TIMEOUT:-300} "$t" >"$log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    n=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1)
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok   $t (${n:-?} cases, ${secs}s)"
    else
        failed=$((failed + 1))
        failed_names="$failed_names $t"
        echo "FAIL $t (exit $rc, ${secs}s)"
        sed 's/^/    /' "$log" | tail -60
    fi
    rm -f "$log"
done
echo "$label: $passed passed, $failed failed"
[ $failed -eq 0 ]

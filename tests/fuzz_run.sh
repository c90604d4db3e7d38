#!/bin/sh
# Run every fuzz target (build/fuzz/fuzz_*, built by `make fuzz-build`) for
# FUZZ_SECONDS each (default 60; `make test` runs 10), starting from its seed
# corpus fuzz/corpus/<target>/ copied to a temp folder (the repository stays
# clean). Prints ok/FAIL per target; a crash, leak, sanitizer report or
# timeout fails, and the reproducer is kept and named.
set -u
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-60}
p=0; f=0
set -- build/fuzz/fuzz_*
if [ ! -x "$1" ]; then
    echo "FAIL no fuzz targets in build/fuzz (make fuzz-build; needs clang)"
    echo "fuzz: 0 passed, 1 failed"
    exit 1
fi
for t in "$@"; do
    name=${t##*/fuzz_}
    work=$(mktemp -d /tmp/tf-fuzz.XXXXXX)
    mkdir -p "$work/corpus" "$work/artifacts"
    [ -d "fuzz/corpus/$name" ] && cp fuzz/corpus/"$name"/* "$work/corpus/" 2>/dev/null
    if timeout -k 10 $((secs + 60)) "$t" -max_total_time="$secs" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
        "$work/corpus" >"$work/log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
        echo "ok   $t ($secs s, ${execs:-?} inputs)"
        p=$((p + 1))
        rm -rf "$work"
    else
        echo "FAIL $t: reproducer(s) in $work/artifacts"
        grep -E "ERROR|SUMMARY|==[0-9]+==" "$work/log" | head -20 | sed 's/^/    /'
        f=$((f + 1))
    fi
done
echo "fuzz: $p passed, $f failed"
[ $f -eq 0 ]

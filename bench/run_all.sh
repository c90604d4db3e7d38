#!/bin/sh
# Run the benchmarks: every build/bench/bench_*, or the one named
# (`sh bench/run_all.sh ring` runs build/bench/bench_ring; make bench-ring).
# Each prints a human table and `bench <name> <metric> ours=... base=...`
# lines (../shared/BENCH.md). Exits non-zero if any benchmark fails.
set -u
cd "$(dirname "$0")/.." || exit 2

model=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//')
echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC')  nproc $(nproc)  cpu ${model:-unknown}  kernel $(uname -r)"
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) (other work on this host skews every figure)"

if [ $# -gt 0 ]; then
    bins="build/bench/bench_$1"
    # Benchmarks of whole processes against real servers are scripts.
    [ -x "$bins" ] || [ ! -f "bench/bench_$1.sh" ] || bins="bench/bench_$1.sh"
    if [ ! -x "$bins" ] && [ ! -f "$bins" ]; then
        built=""
        for b in build/bench/bench_*; do [ -x "$b" ] && built="$built ${b##*/bench_}"; done
        echo "bench: no benchmark '$1' (built:${built:- none})" >&2
        exit 2
    fi
else
    bins=""
    for b in build/bench/bench_* bench/bench_*.sh; do
        [ -f "$b" ] && bins="$bins $b"
    done
    if [ -z "$bins" ]; then
        echo "bench: nothing built in build/bench (run make first)" >&2
        exit 2
    fi
fi

status=0
for b in $bins; do
    echo
    echo "=== $(basename "$b")"
    case "$b" in *.sh) run="sh $b" ;; *) run=$b ;; esac
    if ! $run; then
        echo "bench: $(basename "$b") failed" >&2
        status=1
    fi
done
exit $status

#!/bin/sh
# Run the benchmarks: all of them, or the one named (make bench-ring -> ring).
# Each prints a human table and `bench <name> <metric> ours=... base=...` lines.
set -u
cd "$(dirname "$0")/.."
echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC')  $(nproc) CPUs  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')  kernel $(uname -r)"
if [ $# -gt 0 ]; then
    bins="build/bench/bench_$1"
    [ -x "$bins" ] || { echo "bench: no benchmark '$1' (have: $(ls build/bench | sed 's/bench_//' | tr '\n' ' '))" >&2; exit 2; }
else
    bins=$(ls build/bench/bench_* 2>/dev/null)
fi
status=0
for b in $bins; do
    echo
    echo "=== $(basename "$b")"
    "$b" || { echo "bench: $(basename "$b") failed" >&2; status=1; }
done
exit $status

#!/bin/sh
# make bench-algo: execution algorithms against one market order on tfsim's
# market with its impact model (bench/bench_algo.py says how).
set -u
cd "$(dirname "$0")/.."
[ -x /usr/bin/python3 ] || { echo "bench-algo: /usr/bin/python3 is required"; exit 1; }
exec /usr/bin/python3 bench/bench_algo.py "$@"

#!/bin/sh
# make bench-exporters: the engine's own hot-path latency (socket receive ->
# journaled, per trade, from the journal's hop timestamps) with the two
# exporters and the query API following the journal live, beside the same
# run without them. Same tfsim load (seeded), same host, one after the other,
# twice each alternating. The exporters never block the engine (journal
# readers cannot), so any difference is CPU contention: as a deployment
# would, the engine's thread has CPU 1 and everything else (tfsim, influxd,
# redis-server, the exporters via export.cpu) is pinned to CPU 0.
set -u
cd "$(dirname "$0")/.."
. tuning/servers.sh
PY=/usr/bin/python3
BIN=build/bin
N=${TF_BENCH_MESSAGES:-300000}
RATE=${TF_BENCH_RATE:-50000}
d=$(mktemp -d /dev/shm/tf-bench-exp.XXXXXX)
influx_pid="" redis_pid="" pids=""
trap 'for p in $pids; do kill -9 "$p" 2>/dev/null; done; tf_stop_pid "$influx_pid"; tf_stop_pid "$redis_pid"; rm -rf "$d"' EXIT INT TERM
iport=$(tf_free_port); rport=$(tf_free_port)
export TF_SERVER_CPU=0
tf_start_influx "$d" "$iport" || exit 1
tf_start_redis "$d" "$rport" || exit 1

one_run() { # one_run NAME WITH_EXPORTERS -> percentiles line
    rm -f "$d/port"
    taskset -c 0 "$BIN/tfsim" --port 0 --port-file "$d/port" --symbols BTCUSDT,ETHUSDT,SOLUSDT --mix trade,bookTicker \
        --rate "$RATE" --messages "$N" --seed 9 >"$d/sim.log" 2>&1 &
    sim=$!
    i=0; until [ -s "$d/port" ] || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
    cat >"$d/$1.yaml" <<YAML
instance: bx$1$$
shm: {dir: $d, mode: 0640, on_stale: replace}
journal:
  md: {capacity: 1048576}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001"}
  - {symbol: ETHUSDT, price_precision: 2, qty_precision: 4, tick_size: "0.01", lot_size: "0.0001"}
  - {symbol: SOLUSDT, price_precision: 2, qty_precision: 3, tick_size: "0.01", lot_size: "0.001"}
feed: {url: "ws://127.0.0.1:$(cat "$d/port")", rest_url: "http://127.0.0.1:$(cat "$d/port")", streams: [trade, bookTicker]}
validation: {max_deviation_bps: 0}
export:
  run_dir: $d/run$1
  cpu: 0
  influx: {url: "http://127.0.0.1:$iport", database: b$1, gzip: false}
  redis: {port: $rport}
  query: {port: 0}
threads:
  - {name: hot, cpu: 1, idle: backoff, stages: [feed]}
YAML
    "$BIN/tfengine" -c "$d/$1.yaml" 2>"$d/engine.log" &
    eng=$!
    oob=""
    if [ "$2" = 1 ]; then
        "$BIN/tfexport-influx" -c "$d/$1.yaml" 2>"$d/xi.log" & oob="$oob $!"
        "$BIN/tfexport-redis" -c "$d/$1.yaml" 2>"$d/xr.log" & oob="$oob $!"
        "$BIN/tfquery" -c "$d/$1.yaml" 2>"$d/q.log" & oob="$oob $!"
    fi
    i=0; until grep -q "generation done" "$d/sim.log" || [ $i -gt 600 ]; do sleep 0.1; i=$((i + 1)); done
    sleep 2
    for p in $oob; do kill -TERM "$p"; wait "$p"; done
    kill -TERM "$eng"; wait "$eng"; kill -TERM "$sim"; wait "$sim"
    "$BIN/tfdump" -n "bx$1$$" -d "$d" --type trade 2>/dev/null |
        sed -n 's/.*recv_to_journal_ns=\([0-9]*\).*/\1/p' >"$d/$1.lat"
    [ "$2" = 1 ] && grep -h "stopped at" "$d/xi.log" "$d/xr.log" | sed 's/^/# /'
}
for round in 1 2; do
    one_run without$round 0
    one_run with$round 1
done
cat "$d"/without*.lat >"$d/without.lat"; cat "$d"/with[0-9]*.lat >"$d/with.lat"
$PY - "$d/with.lat" "$d/without.lat" <<'PYEOF'
import sys
def pct(path):
    v = sorted(int(x) for x in open(path) if x.strip())
    n = len(v)
    return n, {q: v[min(n - 1, int(n * f))] for q, f in (("p50", .5), ("p99", .99), ("p999", .999))} | {"max": v[-1]}
nw, w = pct(sys.argv[1]); nb, b = pct(sys.argv[2])
print(f"# engine socket-receive -> journal per trade, ns ({nw} trades with exporters, {nb} without)")
print(f"# {'':10} {'p50':>8} {'p99':>8} {'p99.9':>8} {'max':>10}")
print(f"# {'with':10} {w['p50']:>8} {w['p99']:>8} {w['p999']:>8} {w['max']:>10}")
print(f"# {'without':10} {b['p50']:>8} {b['p99']:>8} {b['p999']:>8} {b['max']:>10}")
for q in ("p50", "p99", "p999", "max"):
    print(f"bench exporters engine_recv_to_journal_{q} ours={w[q]} base={b[q]} base_name=no_exporters "
          f"ratio={w[q] / b[q]:.2f} unit=ns")
PYEOF

#!/bin/sh
# Integration: the trading record. The engine trades (the sample plugin on
# the paper venue, fed by tfsim); tfexport-influx and tfexport-redis follow
# its order journal (--journal orders) into a real influxd and redis-server
# on free loopback ports.
#  1. orders, fills, positions and PnL reach InfluxDB and Redis exactly as
#     the journal holds them (compare_record.py), though each exporter was
#     killed with -9 and restarted mid-run, and each keeps its own position
#  2. tfquery answers /v1/orders, /v1/fills (from memory, and from InfluxDB
#     before its window), /v1/positions and /v1/pnl as the journal says, and
#     refuses bad parameters
# Every wait is bounded.
set -u
cd "$(dirname "$0")/../.."
BIN=build/bin
PY=/usr/bin/python3
HERE=tests/integration
. tuning/servers.sh
dir=$(mktemp -d /dev/shm/tf-record.XXXXXX)
inst=rec$$
engine_pid="" sim_pid="" influx_pid="" redis_pid="" xi_pid="" xr_pid="" q_pid=""
cleanup() {
    for p in $engine_pid $sim_pid $xi_pid $xr_pid $q_pid; do kill -9 "$p" 2>/dev/null; done
    tf_stop_pid "$influx_pid"
    tf_stop_pid "$redis_pid"
    if [ -n "${TF_KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
fails=0
. tests/integration/lib.sh
for tool in "$PY" influxd redis-server redis-cli; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is required (make deps)"; exit 1; }
done
$PY -c 'import redis' || { echo "FAIL: python3-redis is required (make deps)"; exit 1; }

iport=$(tf_free_port); rport=$(tf_free_port)
tf_start_influx "$dir" "$iport" || exit 1
tf_start_redis "$dir" "$rport" || exit 1
"$BIN/tfsim" --port 0 --port-file "$dir/port" --symbols BTCUSDT,ETHUSDT --rate 2000 >"$dir/sim.log" 2>&1 &
sim_pid=$!
wait_for 5 test -s "$dir/port" || { echo "FAIL tfsim did not come up"; exit 1; }
port=$(cat "$dir/port")
cat >"$dir/cfg.yaml" <<YAML
instance: $inst
shm: {dir: $dir, mode: 0640, on_stale: replace}
journal:
  md: {capacity: 65536}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001", min_notional: "5"}
  - {symbol: ETHUSDT, price_precision: 2, qty_precision: 4, tick_size: "0.01", lot_size: "0.0001", min_notional: "5"}
feed:
  url: ws://127.0.0.1:$port
  rest_url: http://127.0.0.1:$port
  streams: [trade, bookTicker, depth@100ms]
export:
  run_dir: $dir/run
  influx: {url: "http://127.0.0.1:$iport", database: record, batch_points: 50, batch_ms: 50}
  redis: {port: $rport, pipeline: 16}
  query: {port: 0, hot_order_events: 64}
orders:
  capacity: 4096
  journal_capacity: 262144
  journal_file: $dir/run/orders.journal
  plugin: build/lib/sample_strategy.so
  plugin_params: "symbol=BTCUSDT,every=20,offset_ticks=1,qty_lots=100"
risk:
  orders_per_s: 1000
  max_open_orders: 100
  instruments:
    - {symbol: BTCUSDT, max_order_qty: "1", max_position: "2", collar_bps: 500}
  strategies:
    - {id: 1, name: sample, max_open_orders: 10}
    - {id: 2, name: manual}
threads:
  - {name: hot, idle: backoff, stages: [feed, strategy, risk, oms, paper]}
YAML
"$BIN/tfengine" -c "$dir/cfg.yaml" >"$dir/engine.log" 2>&1 &
engine_pid=$!
T="$BIN/tfctl -d $dir -n $inst"
wait_for 10 $T risk || { echo "FAIL engine did not come up"; cat "$dir/engine.log"; exit 1; }
start_xi() { "$BIN/tfexport-influx" -c "$dir/cfg.yaml" --journal orders "$@" 2>>"$dir/xi.log" & xi_pid=$!; }
start_xr() { "$BIN/tfexport-redis" -c "$dir/cfg.yaml" --journal orders "$@" 2>>"$dir/xr.log" & xr_pid=$!; }
start_xi; start_xr
"$BIN/tfquery" -c "$dir/cfg.yaml" --port-file "$dir/qport" 2>"$dir/q.log" &
q_pid=$!
fills_now() { "$BIN/tfdump" -d "$dir" -n "$inst" --orders 2>/dev/null | grep -c "kind=fill"; }

echo "1. orders, fills, positions and PnL reach InfluxDB and Redis exactly"
wait_for 20 sh -c "test \$(\"$BIN/tfdump\" -d '$dir' -n '$inst' --orders 2>/dev/null | grep -c kind=fill) -ge 5"
check "the plugin trades (fills in the order journal: $(fills_now))" test "$(fills_now)" -ge 5
# A market order by hand too: a taker fill on another strategy.
$T -s 2 new BTCUSDT buy 0.01 market >/dev/null
sleep 1
kill -9 "$xi_pid" "$xr_pid"; wait "$xi_pid" "$xr_pid" 2>/dev/null
sleep 1 # the engine trades on while they are down
start_xi; start_xr
sleep 1
kill -TERM "$engine_pid"; wait "$engine_pid" 2>/dev/null; engine_pid=""
kill -TERM "$xi_pid" "$xr_pid"; wait "$xi_pid" "$xr_pid" 2>/dev/null
# Finish: each runs to the end of the journal and stops when idle.
start_xi --until-idle 500; start_xr --until-idle 500
wait "$xi_pid" "$xr_pid" 2>/dev/null; xi_pid="" xr_pid=""
"$BIN/tfdump" -d "$dir" -n "$inst" --orders >"$dir/orders.txt" 2>/dev/null
check "every order event, fill and position in InfluxDB and Redis, exactly once" \
    $PY $HERE/compare_record.py "$dir/orders.txt" "http://127.0.0.1:$iport" record "$rport" "$inst"
check "the exporters' position files are their own" \
    test -s "$dir/run/export-influx-orders.pos" -a -s "$dir/run/export-redis-orders.pos"

echo "2. the query API's trading record, and the Grafana dashboards' InfluxDB queries"
wait_for 5 test -s "$dir/qport"
check "tfquery's answers agree with the journal" $PY $HERE/check_record_api.py "http://127.0.0.1:$(cat "$dir/qport")" "$dir/orders.txt"
# The market-data exporter too, into the same database. The dashboards'
# queries on what this run writes are checked here; bars and export gaps
# in test_export.sh, which makes them.
"$BIN/tfexport-influx" -c "$dir/cfg.yaml" --until-idle 500 2>>"$dir/xi.log"
check "the dashboards' InfluxQL on orders, fills, positions, quotes and feed events names what is written" \
    $PY tests/monitoring/check_dashboards.py --influx "http://127.0.0.1:$iport" record \
    --measurements orders,fills,positions,quotes,trades,feed_events

if [ $fails -ne 0 ]; then
    echo "--- exporter logs"; tail -n 5 "$dir/xi.log" "$dir/xr.log"
fi
echo "test_record: $fails failed"
[ $fails -eq 0 ]

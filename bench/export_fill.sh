# Shared by bench_influx.sh and bench_redis.sh (sourced): fill an engine
# journal with N market-data records from tfsim, then stop the engine so the
# exporters are measured on a full journal, not on the feed's pace.
#   bench_fill DIR MIX N   -> $cfg (config with export endpoints from $EXPORT_YAML), dump in DIR/dump.txt
BIN=build/bin
bench_fill() {
    d=$1 mix=$2 n=$3
    rm -f "$d/port"
    "$BIN/tfsim" --port 0 --port-file "$d/port" --symbols BTCUSDT,ETHUSDT,SOLUSDT --mix "$mix" \
        --rate 200000 --messages "$n" >"$d/sim.log" 2>&1 &
    sim_pid=$!
    i=0; until [ -s "$d/port" ] || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
    cfg=$d/bench.yaml
    cat >"$cfg" <<YAML
instance: bexp$$
shm: {dir: $d, mode: 0640, on_stale: replace}
journal:
  md: {capacity: 2097152}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001"}
  - {symbol: ETHUSDT, price_precision: 2, qty_precision: 4, tick_size: "0.01", lot_size: "0.0001"}
  - {symbol: SOLUSDT, price_precision: 2, qty_precision: 3, tick_size: "0.01", lot_size: "0.001"}
feed:
  url: ws://127.0.0.1:$(cat "$d/port")
  rest_url: http://127.0.0.1:$(cat "$d/port")
  streams: [$4]
validation: {max_deviation_bps: 0}
export:
  run_dir: $d/run
$EXPORT_YAML
threads:
  - {name: hot, cpu: -1, idle: backoff, stages: [feed]}
YAML
    "$BIN/tfengine" -c "$cfg" 2>"$d/engine.log" &
    engine_pid=$!
    i=0; until grep -q "generation done" "$d/sim.log" || [ $i -gt 600 ]; do sleep 0.1; i=$((i + 1)); done
    sleep 1
    kill -TERM "$engine_pid"; wait "$engine_pid"
    kill -TERM "$sim_pid"; wait "$sim_pid"
    "$BIN/tfdump" -n "bexp$$" -d "$d" --from oldest 2>/dev/null >"$d/dump.txt"
}

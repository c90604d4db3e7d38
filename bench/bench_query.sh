#!/bin/sh
# make bench-query: the query API under a fixed-rate (open-loop) load of hot
# requests on loopback, at 1,000 and at 10,000 requests/s: p50/p95/p99/p99.9/max
# from each request's due time (bench/query_load.c). Hot data: 60 minutes of
# bars and the newest trades of 2 symbols, held in tfquery's memory window.
# The baseline in the same run is the same load against a static answer
# (tfquery's 404 path: no data, same HTTP stack) so the figures show what the
# data lookup adds over the server itself.
set -u
cd "$(dirname "$0")/.."
. tuning/servers.sh
PY=/usr/bin/python3
BIN=build/bin
SECS=${TF_BENCH_SECONDS:-5}
d=$(mktemp -d /dev/shm/tf-bench-query.XXXXXX)
pids=""
trap 'for p in $pids; do kill -9 "$p" 2>/dev/null; done; rm -rf "$d"' EXIT INT TERM
$PY tests/integration/gen_trades.py --out "$d/rec.jsonl" --seed 3 --minutes 60 --per-minute 50 >/dev/null
"$BIN/tfsim" --port 0 --port-file "$d/port" --symbols BTCUSDT,ETHUSDT --replay "$d/rec.jsonl" --rate 20000 >"$d/sim.log" 2>&1 &
sim=$!; pids="$pids $sim"
i=0; until [ -s "$d/port" ] || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
cat >"$d/q.yaml" <<YAML
instance: bq$$
shm: {dir: $d, mode: 0640, on_stale: replace}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001"}
  - {symbol: ETHUSDT, price_precision: 2, qty_precision: 4, tick_size: "0.01", lot_size: "0.0001"}
feed: {url: "ws://127.0.0.1:$(cat "$d/port")", rest_url: "http://127.0.0.1:$(cat "$d/port")", streams: [trade]}
bars: {grace_ms: 100, revision_window: 64}
validation: {max_deviation_bps: 5000}
export:
  run_dir: $d/run
  influx: {enabled: false}
  redis: {enabled: false}
  query: {port: 0, hot_bars: 1440, threads: ${TF_BENCH_QUERY_THREADS:-1}}
threads:
  - {name: hot, cpu: -1, idle: backoff, stages: [feed]}
YAML
"$BIN/tfengine" -c "$d/q.yaml" 2>"$d/engine.log" &
eng=$!
i=0; until grep -q "generation done" "$d/sim.log" || [ $i -gt 300 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
kill -TERM "$eng"; wait "$eng"; kill -TERM "$sim"; wait "$sim"
"$BIN/tfquery" -c "$d/q.yaml" --port-file "$d/qport" 2>"$d/q.log" &
pids="$pids $!"
i=0; until [ -s "$d/qport" ] || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
qp=$(cat "$d/qport")
sleep 0.5
# The newest 60 bars of each symbol (held in memory), and the newest trades.
last=$("$BIN/tfdump" -n "bq$$" -d "$d" --type bar 2>/dev/null | tail -1 | sed 's/.*open_time_ms=\([0-9]*\).*/\1/')
from=$((last - 59 * 60000))
set -- "/v1/bars?symbol=BTCUSDT&start=$from&end=$last&limit=60" "/v1/bars?symbol=ETHUSDT&start=$from&end=$last&limit=60" \
       "/v1/trades?symbol=BTCUSDT&limit=100" "/v1/trades?symbol=ETHUSDT&limit=100"
curl -s "http://127.0.0.1:$qp$1" | head -c 160; echo " ..."
echo "# hot requests: bars (60 per answer) and trades (100 per answer), 2 symbols; ${SECS} s per rate; 16 connections"
run() { build/bench/query_load "$qp" "$1" "$SECS" 16 "$@"; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
for rate in 1000 10000; do
    ours=$(build/bench/query_load "$qp" "$rate" "$SECS" 16 "$@")
    base=$(build/bench/query_load "$qp" "$rate" "$SECS" 16 "/v1/none")
    echo "# rate $rate/s  ours (hot data): $ours"
    echo "# rate $rate/s  base (404 path): $base"
    eval "o_$rate=\"$ours\" b_$rate=\"$base\""
done
for q in p50 p95 p99 p999; do
    echo "bench query ${q}_at_1k_qps ours=$(field "$o_1000" ${q}_us) base=$(field "$b_1000" ${q}_us) base_name=static_404 unit=us"
    echo "bench query ${q}_at_10k_qps ours=$(field "$o_10000" ${q}_us) base=$(field "$b_10000" ${q}_us) base_name=static_404 unit=us"
done
echo "bench query achieved_qps_at_10k ours=$(field "$o_10000" rate) base=$(field "$b_10000" rate) base_name=static_404 unit=1/s"
below() { awk -v v="$1" -v t="$2" 'BEGIN { print (v != "" && v + 0 < t) ? "met" : "MISSED" }'; }
echo "target: p95 < 10 ms at 1k qps (users') -> $(below "$(field "$o_1000" p95_us)" 10000)"
echo "target: p99 < 1 ms at 10k qps, hot data (ours) -> $(below "$(field "$o_10000" p99_us)" 1000)"
[ -n "$(field "$o_10000" p99_us)" ] || { echo "bench query: the load generator failed" >&2; exit 1; }

#!/bin/sh
# Integration: several engines, one Redis, one InfluxDB, one Prometheus, and
# history at scale. Two engines (instances A and B) trade BTCUSDT on their
# paper venues, fed by one tfsim; each has its exporters (market data and
# trading record, to InfluxDB and Redis) and tfexport-prom; InfluxDB has
# downsampling on (tools/oob/influx_history.h).
#  1. every Redis key names its instance in its hash tag, and both
#     instances' keys are there, apart
#  2. every InfluxDB point is tagged with its instance; market data in
#     tf_raw, the trading record in autogen; the retention policies and
#     continuous queries are set up
#  3. one Prometheus scrapes both (file-based discovery), every series
#     labelled instance_name
#  4. A's tfquery answers for B: its bars equal B's in Redis; wider
#     timeframes from InfluxDB
#  5. the continuous query copies live 1-minute bars into tf_bars
#  6. history: three days of synthetic 1-minute bars, backfilled; tfquery's
#     15m/1h/4h/1d bars equal the exact aggregation, each from the coarsest
#     resolution that divides it; bad names refused
# Every wait is bounded.
set -u
cd "$(dirname "$0")/../.."
BIN=build/bin
PY=/usr/bin/python3
HERE=tests/integration
. tuning/servers.sh
dir=$(mktemp -d /dev/shm/tf-inst.XXXXXX)
A=ia$$ B=ib$$ H=hist$$
pids="" influx_pid="" redis_pid="" prometheus_pid=""
cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    tf_stop_pid "$prometheus_pid"
    tf_stop_pid "$influx_pid"
    tf_stop_pid "$redis_pid"
    if [ -n "${TF_KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
fails=0
. tests/integration/lib.sh
for tool in "$PY" influxd redis-server redis-cli prometheus curl; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is required (make deps)"; exit 1; }
done
$PY -c 'import redis' || { echo "FAIL: python3-redis is required (make deps)"; exit 1; }

iport=$(tf_free_port); rport=$(tf_free_port); pport=$(tf_free_port)
tf_start_influx "$dir" "$iport" || exit 1
tf_start_redis "$dir" "$rport" || exit 1
"$BIN/tfsim" --port 0 --port-file "$dir/port" --symbols BTCUSDT --rate 2000 >"$dir/sim.log" 2>&1 &
pids="$pids $!"
wait_for 5 test -s "$dir/port" || { echo "FAIL tfsim did not come up"; exit 1; }
port=$(cat "$dir/port")

engine() { # NAME PROM_PORT
    mkdir -p "$dir/$1"
    cat >"$dir/$1/cfg.yaml" <<YAML
instance: $1
shm: {dir: $dir/$1, mode: 0640, on_stale: replace}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001", min_notional: "5"}
feed:
  url: ws://127.0.0.1:$port
  rest_url: http://127.0.0.1:$port
  streams: [trade, bookTicker, depth@100ms]
bars: {grace_ms: 200}
export:
  run_dir: $dir/$1/run
  influx: {url: "http://127.0.0.1:$iport", database: shared, batch_points: 200, batch_ms: 50, downsample: true,
           raw_days: 30}
  redis: {port: $rport, pipeline: 16}
  query: {port: 0}
  prom: {port: $2}
orders:
  capacity: 4096
  journal_capacity: 262144
  plugin: build/lib/sample_strategy.so
  plugin_params: "symbol=BTCUSDT,every=20,offset_ticks=1,qty_lots=100"
risk:
  orders_per_s: 1000
  max_open_orders: 100
  instruments:
    - {symbol: BTCUSDT, max_order_qty: "1", max_position: "2", collar_bps: 500}
  strategies:
    - {id: 1, name: sample, max_open_orders: 10}
threads:
  - {name: hot, idle: backoff, stages: [feed, strategy, risk, oms, paper]}
YAML
    c="$dir/$1/cfg.yaml"
    "$BIN/tfengine" -c "$c" >"$dir/$1/engine.log" 2>&1 & pids="$pids $!"
    wait_for 10 "$BIN/tfctl" -d "$dir/$1" -n "$1" risk || { echo "FAIL engine $1 did not come up"; cat "$dir/$1/engine.log"; exit 1; }
    "$BIN/tfexport-influx" -c "$c" 2>>"$dir/$1/xi.log" & pids="$pids $!"
    "$BIN/tfexport-influx" -c "$c" --journal orders 2>>"$dir/$1/xio.log" & pids="$pids $!"
    "$BIN/tfexport-redis" -c "$c" 2>>"$dir/$1/xr.log" & pids="$pids $!"
    "$BIN/tfexport-redis" -c "$c" --journal orders 2>>"$dir/$1/xro.log" & pids="$pids $!"
    "$BIN/tfexport-prom" -c "$c" 2>>"$dir/$1/prom.log" & pids="$pids $!"
    "$BIN/tfquery" -c "$c" --port-file "$dir/$1/qport" 2>>"$dir/$1/q.log" & pids="$pids $!"
}
pa=$(tf_free_port); pb=$(tf_free_port)
engine "$A" "$pa"
engine "$B" "$pb"
TF_MONITORING_SECRETS="$dir/no-secrets" sh tuning/monitoring/render.sh "$dir/mon" "$pa" "$(tf_free_port)" "$(tf_free_port)" ||
    { echo "FAIL render.sh"; exit 1; }
printf '[{"targets": ["127.0.0.1:%s"], "labels": {"box": "other"}}]\n' "$pb" >"$dir/mon/targets/tradefan-b.json"
tf_start_prometheus "$dir" "$pport" "$dir/mon/prometheus.yml" || exit 1
wait_for 5 test -s "$dir/$A/qport" || { echo "FAIL tfquery did not come up"; exit 1; }
QA=http://127.0.0.1:$(cat "$dir/$A/qport")
R="redis-cli -p $rport"
wait_for 20 sh -c "$R exists 'positions:{$A:binance:BTCUSDT}' | grep -q 1 && $R exists 'positions:{$B:binance:BTCUSDT}' | grep -q 1"

echo "1. Redis: every key names its instance in its hash tag"
$R --scan >"$dir/keys"
check "both instances' trades, quotes, open orders, fills, positions and PnL are there ($(wc -l <"$dir/keys") keys)" \
    sh -c "for i in $A $B; do for k in 'md:trades:{'\$i':binance:BTCUSDT}' 'md:quote:{'\$i':binance:BTCUSDT}' \
        'orders:fills:{'\$i':binance:BTCUSDT}' 'positions:{'\$i':binance:BTCUSDT}' 'pnl:{'\$i'}:1'; do \
        grep -qxF \"\$k\" '$dir/keys' || { echo \"missing \$k\"; exit 1; }; done; done"
check "no key without an instance's hash tag" \
    sh -c "! grep -vE '^[a-z_]+(:[a-z_]+)?:\{($A|$B)(:binance:BTCUSDT)?\}(:1m|:[0-9]+)?$' '$dir/keys'"
check "the two positions are each engine's own" \
    sh -c "test \"\$($R hget 'positions:{$A:binance:BTCUSDT}' 1)\" != \"\$($R hget 'positions:{$B:binance:BTCUSDT}' 1)\""

echo "2. InfluxDB: every point tagged with its instance; retention and continuous queries"
iq() { curl -s "http://127.0.0.1:$iport/query?db=shared" --data-urlencode "q=$1"; }
wait_for 10 sh -c "curl -s 'http://127.0.0.1:$iport/query?db=shared' --data-urlencode \"q=SHOW TAG VALUES FROM autogen.fills WITH KEY = instance\" | grep -q $B"
check "trades of both instances in tf_raw" sh -c "iq() { curl -s 'http://127.0.0.1:$iport/query?db=shared' --data-urlencode \"q=\$1\"; }; \
    out=\$(iq 'SHOW TAG VALUES FROM tf_raw.trades WITH KEY = instance'); echo \"\$out\" | grep -q '\"$A\"' && echo \"\$out\" | grep -q '\"$B\"'"
check "fills of both instances in autogen (the trading record)" sh -c "out=\$(curl -s 'http://127.0.0.1:$iport/query?db=shared' \
    --data-urlencode 'q=SHOW TAG VALUES FROM autogen.fills WITH KEY = instance'); echo \"\$out\" | grep -q '\"$A\"' && echo \"\$out\" | grep -q '\"$B\"'"
check "no point without an instance tag" sh -c "! curl -s 'http://127.0.0.1:$iport/query?db=shared' \
    --data-urlencode 'q=SELECT count(price) FROM tf_raw.trades WHERE instance = '\"''\"'' | grep -q count"
iq 'SHOW RETENTION POLICIES' >"$dir/rps"
check "tf_raw (30 days, the default) and tf_bars (forever)" \
    sh -c "grep -q '\"tf_raw\",\"720h0m0s\",\"[^\"]*\",1,true' '$dir/rps' && grep -q '\"tf_bars\",\"0s\"' '$dir/rps'"
check "continuous queries 1m, 1h, 1d" sh -c "test \$(curl -s 'http://127.0.0.1:$iport/query?db=shared' \
    --data-urlencode 'q=SHOW CONTINUOUS QUERIES' | grep -o 'tf_bars_1[mhd]\"' | sort -u | wc -l) -eq 3"

echo "3. one Prometheus scrapes both engines"
pq() { curl -s "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1"; }
check "tradefan_engine_up of both, by instance_name" wait_for 15 sh -c "out=\$(curl -s 'http://127.0.0.1:$pport/api/v1/query' \
    --data-urlencode 'query=tradefan_engine_up == 1'); echo \"\$out\" | grep -q '\"instance_name\":\"$A\"' && \
    echo \"\$out\" | grep -q '\"instance_name\":\"$B\"'"
check "no tradefan series without instance_name" sh -c "curl -s 'http://127.0.0.1:$pport/api/v1/query' \
    --data-urlencode 'query=count({job=\"tradefan\",instance_name=\"\",__name__=~\"tradefan_.*\"})' | grep -q '\"result\":\[\]'"

echo "4. A's tfquery answers for B"
wait_for 80 sh -c "$R zcard 'md:bars:{$B:binance:BTCUSDT}:1m' | grep -qv '^0'"
check "B's 1-minute bars through A's tfquery equal B's in Redis" $PY - "$QA" "$B" "$rport" <<'PY'
import json, sys, urllib.request, redis
q, inst, rport = sys.argv[1:4]
r = redis.Redis(port=int(rport), decode_responses=True)
want = [json.loads(m) for m in r.zrange("md:bars:{%s:binance:BTCUSDT}:1m" % inst, 0, -1)]
got = json.load(urllib.request.urlopen("%s/v1/bars?instance=%s&symbol=BTCUSDT&start=%d" % (q, inst, want[0]["open_time"])))
print("  %d bars from %s" % (len(got["bars"]), got["source"]))
sys.exit(0 if got["bars"] == want and got["source"] == "redis" else 1)
PY
check "B's 1h bar from InfluxDB has the volume of its 1-minute bars" $PY - "$QA" "$B" "$rport" <<'PY'
import json, sys, time, urllib.request, redis
from decimal import Decimal
q, inst, rport = sys.argv[1:4]
r = redis.Redis(port=int(rport), decode_responses=True)
for _ in range(50):  # the exporter writes bars to InfluxDB a moment after Redis
    want = [json.loads(m) for m in r.zrange("md:bars:{%s:binance:BTCUSDT}:1m" % inst, 0, -1)]
    h0 = want[-1]["open_time"] // 3600000 * 3600000
    vol = sum(Decimal(b["volume"]) for b in want if b["open_time"] >= h0)
    got = json.load(urllib.request.urlopen("%s/v1/bars?instance=%s&symbol=BTCUSDT&timeframe=1h&start=%d&end=%d" %
                                           (q, inst, h0, want[-1]["open_time"])))
    if got["bars"] and Decimal(got["bars"][-1]["volume"]) == vol:
        print("  1h bar volume %s from resolution %s" % (vol, got["resolution"]))
        sys.exit(0)
    time.sleep(0.2)
print("  got %s, want volume %s" % (got, vol))
sys.exit(1)
PY
check "B's quote, trades and positions through A's tfquery equal B's in Redis" $PY - "$QA" "$B" "$rport" <<'PY'
import json, sys, urllib.request, redis
q, inst, rport = sys.argv[1:4]
r = redis.Redis(port=int(rport), decode_responses=True)
ask = lambda p, x="": json.load(urllib.request.urlopen("%s/v1/%s?instance=%s&symbol=BTCUSDT%s" % (q, p, inst, x)))
tag = "{%s:binance:BTCUSDT}" % inst
bad = 0
quote = ask("quote")
now = r.hgetall("md:quote:" + tag)
if quote["source"] != "redis" or quote["instance"] != inst or abs(quote["update_id"] - int(now["update_id"])) > 10**6:
    print("  quote %s vs Redis %s" % (quote, now)); bad += 1
# Trades and positions: stop-free, so compare with what Redis held just before and after.
before = [f["id"] for _, f in r.xrevrange("md:trades:" + tag, count=50)]
got = ask("trades", "&limit=50")["trades"]
if len(got) != 50 or not all(isinstance(t["id"], int) and t["price"] and t["side"] in ("buy", "sell") for t in got) \
        or got[0]["id"] < int(before[-1]):
    print("  trades %s... vs Redis %s..." % (got[:2], before[:2])); bad += 1
pos = ask("positions")["positions"]
want = [json.loads(v) for v in r.hgetall("positions:" + tag).values()]
if [p["strategy"] for p in pos] != [p["strategy"] for p in want] or not pos:
    print("  positions %s vs Redis %s" % (pos, want)); bad += 1
print("  quote, %d trades, %d positions of %s" % (len(got), len(pos), inst))
sys.exit(1 if bad else 0)
PY
check "another instance's unknown symbol: 404" sh -c "curl -s -o /dev/null -w '%{http_code}' \"$QA/v1/quote?instance=$B&symbol=NOPE\" | grep -q 404"
check "an instance name that is not a name: 400" sh -c "curl -s -o /dev/null -w '%{http_code}' \"$QA/v1/bars?instance=x%27%20OR%201=1&symbol=BTCUSDT\" | grep -q 400"
check "a timeframe not served: 400" sh -c "curl -s -o /dev/null -w '%{http_code}' \"$QA/v1/bars?symbol=BTCUSDT&timeframe=2h\" | grep -q 400"

echo "5. the continuous query keeps the 1-minute bars in tf_bars"
check "A's live bars copied into tf_bars.market_data_1m" wait_for 130 sh -c "curl -s 'http://127.0.0.1:$iport/query?db=shared' \
    --data-urlencode \"q=SELECT count(close) FROM tf_bars.market_data_1m WHERE instance='$A'\" | grep -q '\"count\"'"

echo "6. history: three days of 1-minute bars, downsampled exactly"
now=$(date +%s%3N)
start=$(( (now / 86400000 - 3) * 86400000 + 7 * 60000 ))
$PY $HERE/history_bars.py write "http://127.0.0.1:$iport" shared tf_raw "$H" BTCUSDT "$start" \
    $(( (now - start) / 60000 - 90 )) "$dir/bars.json" || { echo "FAIL writing the bars"; exit 1; }
check "tfquery --backfill-days 4 computes the coarse bars" "$BIN/tfquery" -c "$dir/$A/cfg.yaml" --backfill-days 4
for tf in 15m:1m 1h:1h 4h:1h 1d:1d; do
    check "$H at ${tf%%:*} equals the exact aggregation, from resolution ${tf##*:}" \
        $PY $HERE/history_bars.py check "$QA" "$H" BTCUSDT "$dir/bars.json" "${tf%%:*}" "$start" "$now" "${tf##*:}"
done

if [ $fails -ne 0 ]; then
    for i in $A $B; do echo "--- $i logs"; tail -n 5 "$dir/$i/"*.log; done
fi
echo "test_instances: $fails failed"
[ $fails -eq 0 ]

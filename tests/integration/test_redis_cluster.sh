#!/bin/sh
# Integration: the exporters and tfquery on a Redis Cluster (three masters
# on loopback, redis-cli --cluster create). The engine trades BTCUSDT and
# ETHUSDT on its paper venue, fed by tfsim; tfexport-redis (market data and
# the trading record) has export.redis.cluster: true and one node's address.
#  1. every key is on the master of its hash slot, the instrument's keys
#     together ({instance:exchange:symbol})
#  2. the slot of BTCUSDT's keys is moved to another master while the
#     exporter writes: it reads the slot map again, resends, and loses
#     nothing: the trades stream holds every trade of the journal, once
#  3. tfquery reads bars from the cluster (source redis)
# Every wait is bounded.
set -u
cd "$(dirname "$0")/../.."
BIN=build/bin
PY=/usr/bin/python3
. tuning/servers.sh
dir=$(mktemp -d /dev/shm/tf-rcl.XXXXXX)
inst=rcl$$
pids="" nodes=""
cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    for p in $nodes; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1; done
    if [ -n "${TF_KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
fails=0
. tests/integration/lib.sh
for tool in "$PY" redis-server redis-cli; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is required (make deps)"; exit 1; }
done
$PY -c 'import redis' || { echo "FAIL: python3-redis is required (make deps)"; exit 1; }

for i in 1 2 3; do
    p=$(tf_free_port); mkdir -p "$dir/n$i"
    redis-server --port "$p" --cluster-port "$(tf_free_port)" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "$dir/n$i/nodes.conf" \
        --dir "$dir/n$i" --save '' --appendonly no --daemonize no >"$dir/n$i/log" 2>&1 &
    nodes="$nodes $p"
done
for p in $nodes; do wait_for 5 sh -c "redis-cli -p $p ping | grep -q PONG" || { echo "FAIL redis $p"; exit 1; }; done
set -- $nodes
yes yes | redis-cli --cluster create 127.0.0.1:$1 127.0.0.1:$2 127.0.0.1:$3 --cluster-replicas 0 --cluster-yes \
    >"$dir/create.log" 2>&1 || { echo "FAIL cluster create"; cat "$dir/create.log"; exit 1; }
for p in $nodes; do
    wait_for 15 sh -c "redis-cli -p $p cluster info | grep -q 'cluster_state:ok'" || { echo "FAIL cluster state"; exit 1; }
done
seed=$1

"$BIN/tfsim" --port 0 --port-file "$dir/port" --symbols BTCUSDT,ETHUSDT --rate 2000 >"$dir/sim.log" 2>&1 &
pids="$pids $!"
wait_for 5 test -s "$dir/port" || { echo "FAIL tfsim did not come up"; exit 1; }
port=$(cat "$dir/port")
cat >"$dir/cfg.yaml" <<YAML
instance: $inst
shm: {dir: $dir, mode: 0640, on_stale: replace}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001", min_notional: "5"}
  - {symbol: ETHUSDT, price_precision: 2, qty_precision: 4, tick_size: "0.01", lot_size: "0.0001", min_notional: "5"}
feed:
  url: ws://127.0.0.1:$port
  rest_url: http://127.0.0.1:$port
  streams: [trade, bookTicker]
bars: {grace_ms: 200}
export:
  run_dir: $dir/run
  influx: {enabled: false}
  redis: {port: $seed, local: false, cluster: true, pipeline: 16, trades_maxlen: 1000000, retry_min_ms: 50,
          retry_max_ms: 500}
  query: {port: 0}
orders:
  capacity: 4096
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
"$BIN/tfengine" -c "$dir/cfg.yaml" >"$dir/engine.log" 2>&1 &
engine_pid=$!; pids="$pids $engine_pid"
wait_for 10 "$BIN/tfctl" -d "$dir" -n "$inst" risk || { echo "FAIL engine did not come up"; cat "$dir/engine.log"; exit 1; }
"$BIN/tfexport-redis" -c "$dir/cfg.yaml" 2>>"$dir/xr.log" & xr=$!; pids="$pids $xr"
"$BIN/tfexport-redis" -c "$dir/cfg.yaml" --journal orders 2>>"$dir/xro.log" & xro=$!; pids="$pids $xro"
"$BIN/tfquery" -c "$dir/cfg.yaml" --port-file "$dir/qport" 2>>"$dir/q.log" & pids="$pids $!"
B="md:trades:{$inst:binance:BTCUSDT}"
wait_for 20 sh -c "redis-cli -c -p $seed exists 'positions:{$inst:binance:BTCUSDT}' | grep -q 1"

echo "1. every key on the master of its slot"
check "keys on the cluster, each where its slot is, instruments' keys together" $PY - "$inst" $nodes <<'PY'
import sys, redis
inst, ports = sys.argv[1], [int(p) for p in sys.argv[2:]]
seen = {}
for p in ports:
    r = redis.Redis(port=p, decode_responses=True)
    for k in r.scan_iter(count=1000):
        seen[k] = p
        if r.cluster("keyslot", k) not in [s for s in range(16384)]:
            sys.exit("bad slot")
want = ["md:trades:{%s:binance:BTCUSDT}" % inst, "md:trades:{%s:binance:ETHUSDT}" % inst,
        "md:quote:{%s:binance:BTCUSDT}" % inst, "positions:{%s:binance:BTCUSDT}" % inst, "pnl:{%s}:1" % inst]
missing = [k for k in want if k not in seen]
apart = seen.get(want[0]) != seen.get(want[2]) or seen.get(want[0]) != seen.get(want[3])
print("  %d keys on %d masters; missing %s" % (len(seen), len(set(seen.values())), missing))
sys.exit(1 if missing or apart else 0)
PY

# A closed bar, for tfquery to read back in 3.
wait_for 75 sh -c "redis-cli -c -p $seed exists 'md:bars:{$inst:binance:ETHUSDT}:1m' | grep -q 1"

echo "2. a slot moved while the exporter writes"
check "BTCUSDT's slot migrated to another master" $PY - "$inst" $nodes <<'PY'
import sys, redis
inst, ports = sys.argv[1], [int(p) for p in sys.argv[2:]]
rs = {p: redis.Redis(port=p, decode_responses=True) for p in ports}
slot = rs[ports[0]].cluster("keyslot", "{%s:binance:BTCUSDT}" % inst)
ids = {p: r.cluster("myid") for p, r in rs.items()}
src = next(p for p, r in rs.items() if r.cluster("countkeysinslot", slot) > 0)
dst = next(p for p in ports if p != src)
rs[dst].execute_command("CLUSTER SETSLOT", slot, "IMPORTING", ids[src])
rs[src].execute_command("CLUSTER SETSLOT", slot, "MIGRATING", ids[dst])
while True:
    keys = rs[src].execute_command("CLUSTER GETKEYSINSLOT", slot, 100)
    if not keys:
        break
    rs[src].execute_command("MIGRATE", "127.0.0.1", dst, "", 0, 5000, "REPLACE", "KEYS", *keys)
for p in ports:
    rs[p].execute_command("CLUSTER SETSLOT", slot, "NODE", ids[dst])
print("  slot %d moved from %d to %d" % (slot, src, dst))
PY
sleep 2
kill -TERM "$engine_pid"; wait "$engine_pid" 2>/dev/null
check "the exporter read the slot map again" wait_for 10 grep -q "slots moved" "$dir/xr.log"
kill -TERM "$xr"; wait "$xr" 2>/dev/null
"$BIN/tfexport-redis" -c "$dir/cfg.yaml" --until-idle 500 2>>"$dir/xr.log"
"$BIN/tfdump" -n "$inst" -d "$dir" --type trade 2>/dev/null >"$dir/trades.txt"
check "every BTCUSDT trade of the journal in the stream, once" $PY - "$inst" "$seed" "$dir/trades.txt" <<'PY'
import sys, redis
inst, seed, dump = sys.argv[1], int(sys.argv[2]), sys.argv[3]
want = set()
for line in open(dump):
    kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
    if kv.get("type") == "trade" and kv.get("symbol") == "BTCUSDT":
        want.add(int(kv["id"]))
r = redis.RedisCluster(host="127.0.0.1", port=seed, decode_responses=True)
got = [int(f["id"]) for _, f in r.xrange("md:trades:{%s:binance:BTCUSDT}" % inst, "-", "+")]
print("  journal %d trades, stream %d entries, %d distinct" % (len(want), len(got), len(set(got))))
sys.exit(0 if set(got) == want and len(got) == len(want) else 1)
PY

echo "3. tfquery reads the cluster"
# Another engine's tfquery (instance viewer) asks for this one's bars: from the cluster.
sed "s/^instance: .*/instance: viewer/" "$dir/cfg.yaml" >"$dir/viewer.yaml"
"$BIN/tfquery" -c "$dir/viewer.yaml" --port-file "$dir/vport" 2>>"$dir/q.log" & pids="$pids $!"
wait_for 5 test -s "$dir/vport"
check "bars of the engine from the cluster, through another instance's tfquery" $PY - "$inst" "$seed" "$(cat "$dir/vport")" <<'PY'
import json, sys, urllib.request, redis
inst, seed, vport = sys.argv[1], int(sys.argv[2]), sys.argv[3]
r = redis.RedisCluster(host="127.0.0.1", port=seed, decode_responses=True)
want = [json.loads(m) for m in r.zrange("md:bars:{%s:binance:ETHUSDT}:1m" % inst, 0, -1)]
got = json.load(urllib.request.urlopen("http://127.0.0.1:%s/v1/bars?instance=%s&symbol=ETHUSDT&start=%d" %
                                       (vport, inst, want[0]["open_time"])))
print("  %d bars from %s" % (len(got.get("bars", [])), got.get("source")))
sys.exit(0 if got.get("source") == "redis" and got["bars"] == want else 1)
PY
check "no error replies" sh -c "! grep -q 'error reply' '$dir/xr.log' '$dir/xro.log'"

[ $fails -ne 0 ] && tail -n 5 "$dir/xr.log" "$dir/xro.log" "$dir/q.log"
echo "test_redis_cluster: $fails failed"
[ $fails -eq 0 ]

#!/bin/sh
# Integration: the supervisor (tfsup, through tfctl up/down/status) runs a
# whole box on loopback: Redis, InfluxDB, the node exporter, Alertmanager,
# Prometheus, tfsim, the engine, the exporters, the watchdog, tfexport-prom
# and tfquery, each on a free port, data under a temporary folder.
#  1. up: every service started in order and healthy; status says so;
#     Prometheus discovers targets from files (another box's added live)
#  2. an out-of-band process and a server killed (-9) are started again
#     (restarts counted, Prometheus's textfile metric too)
#  3. the engine killed with an order open: held down, alerted (status,
#     tradefan_engine_held 1), not restarted; `tfctl up` (the operator)
#     starts it, and the order is still there
#  4. the engine killed with no order open: started again by itself
#  5. down: everything stopped, nothing left running
#  6. a service that cannot start: up fails, says which with its log, and
#     leaves nothing running
set -u
cd "$(dirname "$0")/../.."
BIN=build/bin
PY=/usr/bin/python3
dir=$(mktemp -d /dev/shm/tf-sup.XXXXXX)
inst=sup$$
cleanup() {
    [ -f "$dir/run/supervisor.pid" ] && kill -TERM "$(cat "$dir/run/supervisor.pid")" 2>/dev/null && sleep 3
    for f in "$dir"/run/supervisor.status "$dir"/run2/supervisor.status; do
        [ -f "$f" ] && awk '!/^#/ && $3 > 0 {print $3}' "$f" | while read -r p; do kill -9 -- "-$p" 2>/dev/null; done
    done
    rm -rf "$dir"
}
trap cleanup EXIT
fails=0
. tests/integration/lib.sh
. tuning/servers.sh
for b in redis-server influxd prometheus prometheus-alertmanager prometheus-node-exporter; do
    command -v "$b" >/dev/null || { echo "FAIL: $b is required (make deps)"; exit 1; }
done
simport=$(tf_free_port) fixport=$(tf_free_port) rport=$(tf_free_port) iport=$(tf_free_port)
qport=$(tf_free_port) pport=$(tf_free_port)
export TF_PROMETHEUS_PORT=$(tf_free_port) TF_ALERTMANAGER_PORT=$(tf_free_port) TF_NODE_EXPORTER_PORT=$(tf_free_port)
cat >"$dir/cfg.yaml" <<YAML
instance: $inst
shm: {dir: $dir, mode: 0640, on_stale: replace}
journal:
  md: {capacity: 65536}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001", min_notional: "5"}
feed:
  url: ws://127.0.0.1:$simport
  rest_url: http://127.0.0.1:$simport
  streams: [trade, bookTicker, depth@100ms]
export:
  run_dir: $dir/run
  influx: {url: "http://127.0.0.1:$iport", database: tf}
  redis: {port: $rport}
  query: {port: $qport}
  prom: {port: $pport}
orders: {capacity: 1024, journal_file: $dir/run/orders.journal}
risk:
  instruments:
    - {symbol: BTCUSDT, max_order_qty: "1", max_position: "5", collar_bps: 5000}
  strategies:
    - {id: 2, name: manual}
exchange: {host: 127.0.0.1, port: $fixport, sender_comp_id: TFSUP, target_comp_id: TFSIM,
           store_dir: $dir/run/fix, reconnect_min_ms: 50, reconnect_max_ms: 500, profile: tfsim}
threads:
  - {name: hot, idle: backoff, stages: [feed, risk, oms, exio]}
YAML
C="$dir/cfg.yaml"
T="$BIN/tfctl -d $dir -n $inst"
status() { "$BIN/tfctl" status -c "$C"; }
state_of() { status | awk -v s="$1" '$1 == s {print $2}'; }
pid_of() { status | awk -v s="$1" '$1 == s {print $3}'; }
restarts_of() { status | awk -v s="$1" '$1 == s {print $4}'; }

echo "1. up"
if "$BIN/tfctl" up -c "$C" >"$dir/up.out" 2>&1; then up_ok=0; else up_ok=1; fi
check "tfctl up returns once everything is up" [ "$up_ok" -eq 0 ]
[ "$up_ok" -eq 0 ] || { cat "$dir/up.out"; tail -20 "$dir"/run/logs/*.log; exit 1; }
for s in redis influxd node-exporter alertmanager prometheus tfsim engine export-influx export-influx-orders \
         export-redis export-redis-orders watchdog export-prom query; do
    check "$s is up" [ "$(state_of "$s")" = up ]
done
check "status exits 0 when all are up" status
check "the engine trades: logged on to tfsim" wait_for 10 sh -c \
    "$BIN/tfstat -d $dir -n $inst --once 2>/dev/null | grep -Eq '^  0 +active '"
check "Prometheus has the supervisor's metrics (node exporter textfile)" wait_for 30 "$PY" -c "
import json, sys, urllib.request
r = json.load(urllib.request.urlopen('http://127.0.0.1:$TF_PROMETHEUS_PORT/api/v1/query?query=tradefan_service_up', timeout=2))
sys.exit(0 if len(r['data']['result']) >= 14 else 1)"

# Another box's targets: one file beside this host's, picked up without a restart.
printf '[{"targets": ["127.0.0.1:%s"], "labels": {"box": "box2"}}]\n' "$TF_NODE_EXPORTER_PORT" \
    >"$dir/run/monitoring/targets/node-box2.json"
check "Prometheus finds another box's targets from a file (file-based discovery)" wait_for 30 "$PY" -c "
import json, sys, urllib.request
r = json.load(urllib.request.urlopen('http://127.0.0.1:$TF_PROMETHEUS_PORT/api/v1/targets', timeout=2))
sys.exit(0 if any(t['labels'].get('box') == 'box2' and t['health'] == 'up' for t in r['data']['activeTargets']) else 1)"

echo "2. a crashed out-of-band process and a crashed server are started again"
old=$(pid_of export-redis)
kill -9 "$old"
check "export-redis started again" wait_for 10 sh -c "[ \"\$($BIN/tfctl status -c $C | awk '\$1 == \"export-redis\" {print \$2, \$3, \$4}' | cut -d' ' -f1)\" = up ] && [ \"\$($BIN/tfctl status -c $C | awk '\$1 == \"export-redis\" {print \$3}')\" != $old ]"
check "its restart counted" [ "$(restarts_of export-redis)" = 1 ]
kill -9 "$(pid_of redis)"
check "redis-server started again" wait_for 10 sh -c "[ \"\$($BIN/tfctl status -c $C | awk '\$1 == \"redis\" {print \$2 \$4}')\" = up1 ]"
check "redis answers again" wait_for 5 sh -c "redis-cli -p $rport ping | grep -q PONG"
check "the restarts reach the metrics file" grep -q "tradefan_service_restarts_total{instance_name=\"$inst\",service=\"redis\"} 1" \
    "$dir/run/monitoring/textfile/supervisor.prom"

echo "3. the engine dies with an order open: held, not restarted"
bid=$($T quote BTCUSDT | cut -d' ' -f1)
low=$("$PY" -c "print('%.2f' % (float('$bid') * 0.97))")
$T -s 2 new BTCUSDT buy 0.001 "$low" >"$dir/order.out" 2>&1
oid=$(sed -n 's/^accepted order=\([0-9]*\).*/\1/p' "$dir/order.out")
check "an order rests at the venue" [ -n "$oid" ]
epid=$(pid_of engine)
kill -9 "$epid"
check "the engine is held" wait_for 5 sh -c "[ \"\$($BIN/tfctl status -c $C | awk '\$1 == \"engine\" {print \$2}')\" = held ]"
check "status names the open orders" sh -c "status_out=\$($BIN/tfctl status -c $C); echo \"\$status_out\" | grep engine | grep -q 'open_orders=1'"
check "the alert metric says so" grep -q "tradefan_engine_held{instance_name=\"$inst\"} 1" "$dir/run/monitoring/textfile/supervisor.prom"
check "the log says ALERT" grep -q "ALERT: the engine exited (signal 9) with 1 open orders" "$dir/run/logs/tfsup.log"
sleep 2
check "still not restarted" [ "$(state_of engine)" = held ]
check "status exits non-zero while one is not up" sh -c "! $BIN/tfctl status -c $C >/dev/null"
"$BIN/tfctl" up -c "$C" >"$dir/up2.out" 2>&1
check "the operator's tfctl up starts it" wait_for 30 sh -c "[ \"\$($BIN/tfctl status -c $C | awk '\$1 == \"engine\" {print \$2}')\" = up ]"
check "the order is still there, open" wait_for 10 sh -c "$T orders | grep -q \"^ *$oid \""
check "the held metric clears" grep -q "tradefan_engine_held{instance_name=\"$inst\"} 0" "$dir/run/monitoring/textfile/supervisor.prom"

echo "4. the engine dies with nothing open: started again by itself"
wait_for 10 sh -c "$BIN/tfstat -d $dir -n $inst --once 2>/dev/null | grep -Eq '^  0 +active '"
$T -s 2 cancel "$oid" >/dev/null 2>&1
check "the order is canceled" wait_for 10 sh -c "! $T orders | grep -q \"^ *$oid \""
before=$(restarts_of engine)
kill -9 "$(pid_of engine)"
check "the engine comes back by itself" wait_for 30 sh -c "[ \"\$($BIN/tfctl status -c $C | awk '\$1 == \"engine\" {print \$2 \$4}')\" = up$((before + 1)) ]"

echo "5. down"
pids=$(status | awk '!/^#/ && $3 > 0 {print $3}')
"$BIN/tfctl" down -c "$C" >"$dir/down.out" 2>&1
check "tfctl down says it stopped" grep -q "stopped" "$dir/down.out"
alive=0
for p in $pids; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
check "nothing left running ($alive alive)" [ "$alive" -eq 0 ]
check "no supervisor left" sh -c "! $BIN/tfctl status -c $C >/dev/null 2>&1; [ ! -f $dir/run/supervisor.pid ]"

echo "6. a service that cannot start"
sed "s#run_dir: $dir/run#run_dir: $dir/run2#; s/instance: $inst/instance: ${inst}b/" "$C" >"$dir/cfg2.yaml"
# Its Redis port taken by something else that is not Redis: the health check never passes.
"$PY" -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $rport)); s.listen(1)
time.sleep(40)" &
squat=$!
sleep 0.3
if TF_MONITORING=0 "$BIN/tfctl" up -c "$dir/cfg2.yaml" >"$dir/up3.out" 2>&1; then bad=0; else bad=1; fi
kill "$squat" 2>/dev/null
check "up fails" [ "$bad" -eq 1 ]
check "naming the service and showing its log" grep -q "redis did not come up" "$dir/up3.out"
check "nothing of it left running" sh -c "! pgrep -f 'redis-serve[r] $dir/run2' >/dev/null && [ ! -f $dir/run2/supervisor.pid ]"

echo "supervisor integration: $fails failed"
[ $fails -eq 0 ]

#!/bin/sh
# Integration: backups and a tested restore (tuning/backup) of a box run by
# the supervisor on loopback, Redis with append-only persistence.
#  1. the box trades a while (the sample strategy over FIX to tfsim); the
#     query API's answers (orders, fills in a closed range), InfluxDB's
#     trades up to a moment, Redis's keys are noted
#  2. a backup by hand, then two more: retention keeps two (backup.keep)
#  3. down; everything of ours wiped (journals, stores, state files; the
#     venue's own book is the venue's and stays)
#  4. restore, up: the query API answers the same, InfluxDB holds the same
#     trades up to that moment, Redis the same keys; the order journal and
#     the venue agree again (the gate passes)
#  5. the supervisor runs the schedule (backup.every_s): backups appear
#  6. a restore refused while the box runs
set -u
cd "$(dirname "$0")/../.."
BIN=build/bin
PY=/usr/bin/python3
dir=$(mktemp -d /dev/shm/tf-backup.XXXXXX)
inst=bak$$
cleanup() {
    "$BIN/tfctl" down -c "$dir/cfg.yaml" >/dev/null 2>&1
    rm -rf "$dir"
}
trap cleanup EXIT
fails=0
. tests/integration/lib.sh
. tuning/servers.sh
export TF_MONITORING=0
simport=$(tf_free_port) fixport=$(tf_free_port) rport=$(tf_free_port) iport=$(tf_free_port) qport=$(tf_free_port)
write_config() { # FILE EVERY_S [STATE]
    cat >"$1" <<YAML
instance: $inst
shm: {dir: $dir, mode: 0640, on_stale: replace}
journal:
  md: {capacity: 262144, file: $dir/run/md.journal}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001", min_notional: "5"}
feed:
  url: ws://127.0.0.1:$simport
  rest_url: http://127.0.0.1:$simport
  streams: [trade, bookTicker, depth@100ms]
export:
  run_dir: $dir/run
  influx: {url: "http://127.0.0.1:$iport", database: bak, top_sample_ms: 0}
  redis: {port: $rport, persistence: aof}
  query: {port: $qport}
  prom: {enabled: false}
backup: {dir: $dir/backups, keep: 2, every_s: $2}
orders: {capacity: 4096, journal_file: $dir/run/orders.journal, plugin: build/lib/sample_strategy.so, plugin_strategy: 1,
         plugin_params: "symbol=BTCUSDT,every=50,offset_ticks=5,qty_lots=100"}
risk:
  state: ${3:-active}
  instruments:
    - {symbol: BTCUSDT, max_order_qty: "1", max_position: "50", collar_bps: 5000}
  strategies:
    - {id: 1, name: plugin}
exchange: {host: 127.0.0.1, port: $fixport, sender_comp_id: TFBAK, target_comp_id: TFSIM,
           store_dir: $dir/run/fix, reconnect_min_ms: 50, reconnect_max_ms: 500, profile: tfsim}
threads:
  - {name: hot, idle: backoff, stages: [feed, strategy, risk, oms, exio]}
YAML
}
C=$dir/cfg.yaml
write_config "$C" 0
B="sh tuning/backup -c $C"
T="$BIN/tfctl -d $dir -n $inst"
get() { curl -s --max-time 5 "http://127.0.0.1:$qport$1"; }
influx_count() { # trades up to MS
    curl -s --max-time 5 "http://127.0.0.1:$iport/query" --data-urlencode "db=bak" \
        --data-urlencode "q=SELECT count(price) FROM trades WHERE time <= $1ms" |
        "$PY" -c 'import json,sys; r=json.load(sys.stdin)["results"][0]; print(r["series"][0]["values"][0][1] if "series" in r else 0)'
}
caught_up() {
    "$BIN/tfstat" -n "$inst" -d "$dir" --json 2>/dev/null | "$PY" -c '
import json, sys
e = json.load(sys.stdin).get("exporters", {})
sys.exit(0 if all(e.get(n, {}).get("behind_ns", 3e9) < 2e9 for n in
                  ("export-influx", "export-influx-orders", "export-redis", "export-redis-orders")) else 1)'
}

echo "1. a box trading"
check "up" sh -c "$BIN/tfctl up -c $C >$dir/up.out 2>&1"
sleep 8
$T -s 0 state HALTED >/dev/null 2>&1
$T -s 0 cancel-all >/dev/null 2>&1
sleep 1
cut=$("$PY" -c 'import time; print(int(time.time() * 1000))')
sleep 1
check "exporters caught up" wait_for 30 caught_up
get "/v1/orders?status=all&limit=1000" >"$dir/orders.before"
get "/v1/fills?symbol=BTCUSDT&start=0&end=$cut&limit=1000" >"$dir/fills.before"
n_before=$(influx_count "$cut")
redis-cli -p "$rport" --scan | sort >"$dir/keys.before"
check "it traded: fills to compare" "$PY" -c "import json,sys; sys.exit(0 if len(json.load(open('$dir/fills.before')).get('fills', [])) > 0 else 1)"
check "trades in InfluxDB to compare ($n_before)" [ "${n_before:-0}" -gt 0 ]

echo "2. backups, and retention"
check "a backup" sh -c "$B now >$dir/b1.out 2>&1"
cat "$dir/b1.out"
first=$(ls -1d "$dir"/backups/*Z | head -1)
check "with InfluxDB, Redis, the journals, the state files and a manifest" sh -c \
    "[ -d $first/influx ] && [ -s $first/redis.rdb ] && [ -s $first/files$dir/run/orders.journal ] && \
     [ -s $first/files$dir/run/md.journal ] && ls $first/files$dir/run/*.pos >/dev/null && [ -f $first/MANIFEST ]"
sleep 1; $B now >/dev/null 2>&1; sleep 1; $B now >/dev/null 2>&1
check "two kept (keep: 2)" [ "$(ls -1d "$dir"/backups/*Z | wc -l)" -eq 2 ]
check "the oldest gone" sh -c "[ ! -d $first ]"
keep=$(ls -1d "$dir"/backups/*Z | head -1)
check "a restore is refused while the box runs" sh -c "! $B restore $keep >$dir/r0.out 2>&1 && grep -q 'tfctl down' $dir/r0.out"

echo "3. down, and everything of ours wiped"
"$BIN/tfctl" down -c "$C" >/dev/null 2>&1
find "$dir/run" -mindepth 1 -maxdepth 1 ! -name tfsim-fix ! -name influxdb -exec rm -rf {} +
rm -rf "$dir/run/influxdb/data" "$dir/run/influxdb/meta" "$dir/run/influxdb/wal"
rm -f "$dir"/tradefan.*
check "wiped" sh -c "[ ! -e $dir/run/orders.journal ] && [ ! -e $dir/run/redis ]"

echo "4. restore"
$B restore "$keep" >"$dir/r.out" 2>&1
rc=$?
cat "$dir/r.out"
check "restored" [ "$rc" -eq 0 ]
write_config "$C" 0 halted # as an operator restoring would: look before trading
check "up again" sh -c "$BIN/tfctl up -c $C >$dir/up2.out 2>&1"
# The backup's FIX sequence numbers are behind the venue's: the session halts, saying so.
check "the FIX session says its sequence numbers are behind the venue's" wait_for 15 \
    grep -q "MsgSeqNum too low.*tfctl session reset 0" "$dir/run/logs/engine.log"
$T -s 0 session reset 0 >/dev/null 2>&1
check "after the operator's session reset the gate passes (engine, feed, FIX reconciled)" sh -c \
    "$BIN/tfsup -c $C --gate --timeout 30 >$dir/gate.out" 
check "exporters caught up" wait_for 30 caught_up
get "/v1/orders?status=all&limit=1000" >"$dir/orders.after"
get "/v1/fills?symbol=BTCUSDT&start=0&end=$cut&limit=1000" >"$dir/fills.after"
same() { "$PY" -c "
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for x in (a, b):
    for k in ('source', 'updated_ms', 'took_ms'):
        x.pop(k, None)
sys.exit(0 if a == b else 1)" "$1" "$2"; }
check "the query API: the same orders" same "$dir/orders.before" "$dir/orders.after"
check "the query API: the same fills" same "$dir/fills.before" "$dir/fills.after"
n_after=$(influx_count "$cut")
check "InfluxDB: the same trades up to the moment ($n_before, $n_after)" [ "$n_before" = "$n_after" ]
redis-cli -p "$rport" --scan | sort >"$dir/keys.after"
check "Redis: the same keys" sh -c "[ -z \"\$(comm -23 $dir/keys.before $dir/keys.after)\" ]"
"$BIN/tfctl" down -c "$C" >/dev/null 2>&1

echo "5. on a schedule"
write_config "$C" 1
rm -rf "$dir/backups"
check "up with backup.every_s: 1" sh -c "$BIN/tfctl up -c $C >$dir/up3.out 2>&1 && grep -q '^backup ' $dir/up3.out"
check "backups appear" wait_for 20 sh -c "[ \$(ls -1d $dir/backups/*Z 2>/dev/null | wc -l) -ge 2 ]"
check "and stay two" sh -c "sleep 2; [ \$(ls -1d $dir/backups/*Z | wc -l) -eq 2 ]"
"$BIN/tfctl" down -c "$C" >/dev/null 2>&1

echo "backup integration: $fails failed"
[ $fails -eq 0 ]

#!/bin/sh
# Integration: tfsim -> tfengine -> tfexport-influx / tfexport-redis -> a real
# influxd and redis-server (started here on free loopback ports, data in a
# temp folder), and the query API in front of them.
#  1. every bar and trade the engine journals is in InfluxDB and Redis with
#     exactly the journal's values, once
#  2. line-protocol escaping round-trips through influxd
#  3. faults: kill -9 each exporter mid-run and restart it; stop influxd and
#     redis-server for a while and restart them: nothing lost or duplicated,
#     and the engine journaled every trade while they were down
#  4. bad configuration and credentials get clear errors
#  5. the query API: hot and cold ranges, every bad input, a backend down
#  6. the exporters and tfquery under valgrind
#  7. an outage longer than the journal holds: reported as a gap
# Every wait is bounded.
set -u
cd "$(dirname "$0")/../.."
BIN=build/bin
PY=/usr/bin/python3
HERE=tests/integration
. tuning/servers.sh
dir=$(mktemp -d /dev/shm/tf-export.XXXXXX)
inst=exp$$
engine_pid="" sim_pid="" influx_pid="" redis_pid="" xi_pid="" xr_pid="" q_pid=""
cleanup() {
    for p in $engine_pid $sim_pid $xi_pid $xr_pid $q_pid; do kill -9 "$p" 2>/dev/null; done
    tf_stop_pid "$influx_pid"
    tf_stop_pid "$redis_pid"
    rm -rf "$dir"
}
trap cleanup EXIT
fails=0
. tests/integration/lib.sh
for tool in "$PY" influxd redis-server redis-cli; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is required (make deps)"; exit 1; }
done
$PY -c 'import redis' || { echo "FAIL: python3-redis is required (make deps)"; exit 1; }


iport=$(tf_free_port)
rport=$(tf_free_port)
tf_start_influx "$dir" "$iport" || exit 1
tf_start_redis "$dir" "$rport" || exit 1
influx_url=http://127.0.0.1:$iport

start_sim() { # ARGS...
    rm -f "$dir/port"
    "$BIN/tfsim" --port 0 --port-file "$dir/port" "$@" >"$dir/sim.log" 2>&1 &
    sim_pid=$!
    wait_for 10 test -s "$dir/port" || { echo "tfsim did not come up"; cat "$dir/sim.log"; exit 1; }
    sport=$(cat "$dir/port")
}
stop_sim() { [ -n "$sim_pid" ] && kill -TERM "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; sim_pid=""; }

write_config() { # FILE DB [EXTRA_INFLUX] [EXTRA_REDIS]   (JOURNAL_CAPACITY from the environment)
    cat >"$1" <<YAML
instance: $inst
shm: {dir: $dir, mode: 0640, on_stale: replace}
journal:
  md: {capacity: ${JOURNAL_CAPACITY:-262144}}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001"}
  - {symbol: ETHUSDT, price_precision: 2, qty_precision: 4, tick_size: "0.01", lot_size: "0.0001"}
feed:
  url: ws://127.0.0.1:$sport
  rest_url: http://127.0.0.1:$sport
  streams: [trade]
  reconnect_min_ms: 20
  reconnect_max_ms: 200
bars: {grace_ms: 200, empty: skip, revision_window: 64}
validation: {max_deviation_bps: 5000}
export:
  run_dir: $dir/run
  influx: {url: "$influx_url", database: $2, batch_points: 500, batch_ms: 50, retry_min_ms: 50,
           retry_max_ms: 500, timeout_ms: 2000 ${3:-}}
  redis: {port: $rport, trades_maxlen: 1000000, bars_keep: 20, retry_min_ms: 50, retry_max_ms: 500,
          timeout_ms: 1000 ${4:-}}
  query: {port: 0, hot_bars: 5, max_limit: 1000, threads: 2}
threads:
  - {name: hot, cpu: -1, idle: backoff, stages: [feed]}
YAML
}

start_engine() {
    "$BIN/tfengine" -c "$1" 2>"$dir/engine.log" &
    engine_pid=$!
    wait_for 10 "$BIN/tfstat" -n "$inst" -d "$dir" --check || { echo "engine did not come up"; cat "$dir/engine.log"; exit 1; }
}
stop_engine() { [ -n "$engine_pid" ] && kill -TERM "$engine_pid"; wait "$engine_pid"; engine_pid=""; }
start_xi() { "$BIN/tfexport-influx" -c "$1" --until-idle "${2:-1500}" 2>>"$dir/xi.log" & xi_pid=$!; }
start_xr() { "$BIN/tfexport-redis" -c "$1" --until-idle "${2:-1500}" 2>>"$dir/xr.log" & xr_pid=$!; }
dump() { "$BIN/tfdump" -n "$inst" -d "$dir" --from oldest 2>/dev/null >"$dir/dump.txt"; }
journal_trades() { grep -c ' type=trade ' "$dir/dump.txt"; }

echo "1. every bar and trade reaches InfluxDB and Redis, exactly"
$PY "$HERE/gen_trades.py" --out "$dir/rec.jsonl" --seed 11 --minutes 40 --per-minute 60
start_sim --symbols BTCUSDT,ETHUSDT --replay "$dir/rec.jsonl" --rate 4000
write_config "$dir/a.yaml" live
start_engine "$dir/a.yaml"
start_xi "$dir/a.yaml"
start_xr "$dir/a.yaml"
wait_for 30 grep -q "replay done\|generation done" "$dir/sim.log"
sleep 1
stop_engine
wait "$xi_pid"; check "tfexport-influx exits 0 at the end of the journal" test $? = 0
wait "$xr_pid"; check "tfexport-redis exits 0 at the end of the journal" test $? = 0
xi_pid="" xr_pid=""
stop_sim
dump
check "the journal holds the replayed trades" test "$(journal_trades)" -gt 4000
check "InfluxDB and Redis equal the journal" \
    $PY "$HERE/compare_export.py" "$dir/dump.txt" --influx "$influx_url" --db live --instance "$inst" --redis "$rport" --bars-keep 20
check "positions saved" grep -q next_seq "$dir/run/export-influx.pos"
check "the VWAP profile is built from the bars in influxd" sh -c \
    "$PY tools/vwap_profile.py --url $influx_url --db live --symbol BTCUSDT --days 3650 --out $dir/profile.txt && \
     grep -qE '^BTCUSDT [0-2][0-9]:[0-5][0-9] [0-9]+\.[0-9]+\$' $dir/profile.txt"
check "a symbol without bars is refused" sh -c \
    "! $PY tools/vwap_profile.py --url $influx_url --db live --symbol XRPUSDT --days 3650 --out $dir/p2.txt"

echo "2. line-protocol escaping round-trips through influxd"
check "points with spaces, commas, equals, quotes, backslashes written" \
    build/tests/tools/oob/test_lineproto --roundtrip "$influx_url" esc
check "read back identical" $PY - "$influx_url" <<'PYEOF'
import json, sys, urllib.parse, urllib.request
url = sys.argv[1]
names = ["plain", "with space", "com,ma", "equ=als", 'quo"te', "back\\slash", 'all ,="\\ mixed']
got = {}
for meas in ("esc test", "esc,test"):
    q = 'SELECT * FROM "%s"' % meas.replace('"', '\\"')
    with urllib.request.urlopen(url + "/query?" + urllib.parse.urlencode({"db": "esc", "q": q})) as r:
        res = json.load(r)["results"][0]
    for s in res.get("series", []):
        for v in s["values"]:
            row = dict(zip(s["columns"], v))
            got[row["idx"]] = (meas, row["tag key"], row["str field"], row["val,ue"])
ok = len(got) == len(names)
for i, n in enumerate(names):
    want = ("esc test" if n == "plain" else "esc,test", n, n, -12.345)
    if got.get(i) != want:
        print("   ", i, got.get(i), "!=", want)
        ok = False
sys.exit(0 if ok else 1)
PYEOF

echo "3. faults: exporters killed, servers stopped; nothing lost or duplicated"
rm -rf "$dir/run"
$PY "$HERE/gen_trades.py" --out "$dir/rec2.jsonl" --seed 12 --minutes 30 --per-minute 100
start_sim --symbols BTCUSDT,ETHUSDT --replay "$dir/rec2.jsonl" --rate 400
# A database of its own (SELECT 1): the first run's streams end later than
# this run's replayed trade times, and stream ids only grow.
write_config "$dir/b.yaml" faults "" ", db: 1"
start_engine "$dir/b.yaml"
start_xi "$dir/b.yaml" 3000
start_xr "$dir/b.yaml" 3000
sleep 2
kill -9 "$xi_pid" "$xr_pid"; wait "$xi_pid" "$xr_pid" 2>/dev/null
sleep 1
start_xi "$dir/b.yaml" 3000
start_xr "$dir/b.yaml" 3000
sleep 1
tf_stop_pid "$influx_pid"; influx_pid=""
sleep 2
tf_start_influx "$dir" "$iport" || exit 1
sleep 1
# SHUTDOWN SAVE: Redis keeps what it had (its own persistence), so what we
# check is that nothing sent while it was down is lost.
redis-cli -p "$rport" shutdown save >/dev/null 2>&1; wait "$redis_pid" 2>/dev/null; redis_pid=""
sleep 2
tf_start_redis "$dir" "$rport" || exit 1
sleep 1
kill -9 "$xi_pid"; wait "$xi_pid" 2>/dev/null
start_xi "$dir/b.yaml" 3000
wait_for 60 grep -q "replay done\|generation done" "$dir/sim.log"
sleep 1
stop_engine
wait "$xi_pid"; check "tfexport-influx exits 0" test $? = 0
wait "$xr_pid"; check "tfexport-redis exits 0" test $? = 0
xi_pid="" xr_pid=""
stop_sim
dump
check "retries were needed (the outages were seen)" grep -q "retrying" "$dir/xi.log"
check "Redis outage seen" grep -q "retrying\|connection lost" "$dir/xr.log"
check "the engine journaled every replayed trade while servers were down" $PY - "$dir/dump.txt" "$dir/rec2.jsonl" <<'PYEOF'
import json, sys
got = set()
for line in open(sys.argv[1]):
    if " type=trade " in line:
        kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
        got.add((kv["symbol"], int(kv["id"])))
sent = set()
for line in open(sys.argv[2]):
    d = json.loads(line)["data"]
    sent.add((d["s"], int(d["t"])))
print(f"    {len(sent)} distinct trades replayed, {len(got)} journaled")
sys.exit(0 if got == sent else 1)
PYEOF
check "InfluxDB and Redis equal the journal after the faults" \
    $PY "$HERE/compare_export.py" "$dir/dump.txt" --influx "$influx_url" --db faults --instance "$inst" --redis "$rport" --redis-db 1 --bars-keep 20

echo "4. configuration and credential errors"
write_config "$dir/c.yaml" nosuchdb ", create_database: false"
rm -rf "$dir/run"
"$BIN/tfexport-influx" -c "$dir/c.yaml" --until-idle 500 2>"$dir/err.log"
check "missing database without create_database: exit 5" test $? = 5
check "... and says so" grep -q 'database "nosuchdb" not found' "$dir/err.log"
write_config "$dir/d.yaml" live "" ", password: {env: TF_TEST_REDIS_PW}"
TF_TEST_REDIS_PW=wrong "$BIN/tfexport-redis" -c "$dir/d.yaml" --until-idle 500 2>"$dir/err.log"
check "Redis refusing AUTH: exit 5" test $? = 5
check "... and says so" grep -q "AUTH refused" "$dir/err.log"
"$BIN/tfexport-redis" -c "$dir/d.yaml" --until-idle 500 2>"$dir/err.log"
check "a password variable that is not set: exit 1" test $? = 1
check "... named in the message" grep -q "TF_TEST_REDIS_PW is not set" "$dir/err.log"
mkdir -p "$dir/run"; echo "journal_id=banana" >"$dir/run/export-influx.pos"
"$BIN/tfexport-influx" -c "$dir/a.yaml" --until-idle 500 2>"$dir/err.log"
check "a garbled position file: it still exports (exit 0)" test $? = 0
check "... naming the file and where it went" grep -q "export-influx.pos: garbled.*moved to .*export-influx.pos.corrupt-" "$dir/err.log"
check "... kept aside for a look, a good one written" sh -c "ls $dir/run/export-influx.pos.corrupt-* && grep -q next_seq $dir/run/export-influx.pos"
echo "5. the query API: hot and cold ranges, bad input, a backend down"
# Section 3's data is in InfluxDB (faults) and Redis db 1; the query server
# keeps 5 bars per symbol in memory (hot_bars: 5), Redis the newest 20.
write_config "$dir/q.yaml" faults "" ", db: 1"
"$BIN/tfquery" -c "$dir/q.yaml" --port-file "$dir/qport" 2>"$dir/q.log" &
q_pid=$!
wait_for 10 test -s "$dir/qport" || { echo "tfquery did not come up"; cat "$dir/q.log"; exit 1; }
qurl=http://127.0.0.1:$(cat "$dir/qport")
check "query results equal the journal (memory, Redis, InfluxDB), errors are 4xx JSON" \
    $PY "$HERE/check_query.py" --url "$qurl" --dump "$dir/dump.txt" --hot 5 --redis-keep 20 --max-limit 1000
tf_stop_pid "$influx_pid"; influx_pid=""
check "InfluxDB down: a cold range gets 503 with the reason, hot ranges still answer" \
    $PY "$HERE/check_query.py" --url "$qurl" --dump "$dir/dump.txt" --hot 5 --redis-keep 20 --influx-down
kill -0 "$q_pid"; check "tfquery still running" test $? = 0
kill -TERM "$q_pid"; wait "$q_pid"; check "tfquery stops cleanly" test $? = 0
q_pid=""

echo "6. valgrind: the exporters and the query server leak nothing and touch no bad memory"
VG="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99"
tf_start_influx "$dir" "$iport" || exit 1
rm -rf "$dir/run"
write_config "$dir/v.yaml" vg "" ", db: 2"
$VG "$BIN/tfexport-influx" -c "$dir/v.yaml" --until-idle 300 2>"$dir/vg.log"
check "tfexport-influx under valgrind: clean" test $? = 0
$VG "$BIN/tfexport-redis" -c "$dir/v.yaml" --until-idle 300 2>>"$dir/vg.log"
check "tfexport-redis under valgrind: clean" test $? = 0
$VG "$BIN/tfquery" -c "$dir/v.yaml" --port-file "$dir/vport" 2>>"$dir/vg.log" &
q_pid=$!
wait_for 30 test -s "$dir/vport"
vurl=http://127.0.0.1:$(cat "$dir/vport")
for path in "/v1/bars?symbol=BTCUSDT&limit=10" "/v1/bars?symbol=BTCUSDT&start=0&limit=5" "/v1/trades?symbol=ETHUSDT&limit=5" \
            "/v1/quote?symbol=BTCUSDT" "/v1/bars?symbol=NOPE" "/v1/health"; do
    curl -s --max-time 20 "$vurl$path" >/dev/null
done
kill -TERM "$q_pid"; wait "$q_pid"
check "tfquery under valgrind: clean" test $? = 0
q_pid=""
grep -q "==[0-9]*==" "$dir/vg.log" && sed -n '1,40p' "$dir/vg.log"

echo "7. an outage longer than the journal holds: a gap, reported with its range"
rm -rf "$dir/run"
$PY "$HERE/gen_trades.py" --out "$dir/rec3.jsonl" --seed 13 --minutes 30 --per-minute 100
start_sim --symbols BTCUSDT,ETHUSDT --replay "$dir/rec3.jsonl" --rate 1500
JOURNAL_CAPACITY=1024 write_config "$dir/g.yaml" gaps
start_engine "$dir/g.yaml"
start_xi "$dir/g.yaml" 60000
wait_for 10 test -s "$dir/run/export-influx.pos"
kill -9 "$xi_pid"; wait "$xi_pid" 2>/dev/null; xi_pid=""
wait_for 60 grep -q "generation done" "$dir/sim.log"
sleep 1
stop_engine
stop_sim
"$BIN/tfexport-influx" -c "$dir/g.yaml" --until-idle 500 2>"$dir/gap.log"
check "the exporter carries on after the gap (exit 0)" test $? = 0
check "the gap is reported with its sequence range" grep -q "GAP: the journal no longer holds sequences [0-9]*\.\.[0-9]*" "$dir/gap.log"
check "... and written to InfluxDB as export_gaps" $PY - "$influx_url" <<'PYEOF'
import json, sys, urllib.parse, urllib.request
q = urllib.parse.urlencode({"db": "gaps", "q": "SELECT from_seq, to_seq, records FROM export_gaps"})
with urllib.request.urlopen(sys.argv[1] + "/query?" + q) as r:
    s = json.load(r)["results"][0].get("series", [])
rows = s[0]["values"] if s else []
print(f"    export_gaps rows: {rows}")
sys.exit(0 if rows and all(v[3] == v[2] - v[1] + 1 > 0 for v in rows) else 1)
PYEOF
check "the Grafana dashboards' InfluxQL on bars and export gaps names what is written" \
    $PY tests/monitoring/check_dashboards.py --influx "$influx_url" live --influx "$influx_url" gaps \
    --measurements market_data,export_gaps,trades

echo "export integration: $fails failed"
[ "$fails" = 0 ]

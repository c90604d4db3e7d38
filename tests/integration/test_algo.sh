#!/bin/sh
# Integration: parent orders (execution algorithms) as real processes.
# tfsim's market feeds the engine (feed → algo → risk → OMS → exio, FIX to
# tfsim's matching engine);
# tfctl starts and steers parents and reads their progress.
#  1. each algorithm completes a parent against the living market: TWAP,
#     VWAP (no profile: time-weighted), POV and iceberg; filled = qty, the
#     children's fills add up to it, parent events in the order journal; a
#     TWAP the sample plugin submits through the plugin ABI
#  2. parameters the algorithm refuses are named in full before sending
#  3. pause, resume, amend, cancel; never over-filled
#  4. the kill switch stops every parent
#  5. restart: kill -9 with a parent running; the restarted engine takes it
#     back from its store and the order journal (filled kept) and resumes
#     it; with orders.algo_on_restart: stop it ends it instead
#  6. the venue's own iceberg (orders.algo_iceberg: native, exchange.iceberg:
#     max_floor): one child of the whole quantity carrying MaxFloor, which
#     tfsim rests showing a tranche at a time and refreshes as takers hit it
set -u
cd "$(dirname "$0")/../.."
BIN=build/bin
PY=/usr/bin/python3
dir=$(mktemp -d /dev/shm/tf-algo.XXXXXX)
inst=algo$$
engine_pid=""
sim_pid=""
cleanup() {
    [ -n "$engine_pid" ] && kill -9 "$engine_pid" 2>/dev/null
    [ -n "$sim_pid" ] && kill -9 "$sim_pid" 2>/dev/null
    [ -n "${prom_pid:-}" ] && kill -9 "$prom_pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
fails=0
. tests/integration/lib.sh
[ -x "$PY" ] || { echo "FAIL: $PY is required"; exit 1; }
T="$BIN/tfctl -d $dir -n $inst -s 2"

mkdir -p "$dir/run/tfsim"
"$BIN/tfsim" --port 0 --port-file "$dir/port" --fix-port 0 --fix-port-file "$dir/fixport" --fix-store "$dir/run/tfsim" \
    --symbols BTCUSDT --rate 2000 --orders-dump "$dir/sim_orders.json" >"$dir/sim.log" 2>&1 &
sim_pid=$!
wait_for 5 test -s "$dir/fixport" || { echo "FAIL tfsim did not come up"; cat "$dir/sim.log"; exit 1; }
port=$(cat "$dir/port")
# A VWAP profile by time of day: the next few minutes busier than the rest.
"$PY" - "$dir/profile.txt" <<'PYEOF'
import sys, time
now = int(time.time()) // 60 % 1440
with open(sys.argv[1], "w") as f:
    f.write("# test profile\n")
    for m in range(1440):
        f.write("BTCUSDT %02d:%02d %s\n" % (m // 60, m % 60, "5.0" if (m - now) % 1440 < 5 else "1.0"))
PYEOF
cat >"$dir/cfg.yaml" <<YAML
instance: $inst
shm: {dir: $dir, mode: 0640, on_stale: replace}
journal:
  md: {capacity: 65536}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001", min_notional: "5"}
feed:
  url: ws://127.0.0.1:$port
  rest_url: http://127.0.0.1:$port
  streams: [trade, bookTicker, depth@100ms]
export: {run_dir: $dir/run, prom: {port: 0}}
orders: {capacity: 4096, journal_capacity: 262144, algo_report_ms: 50, journal_file: $dir/run/orders.journal,
         algo_on_restart: resume, algo_vwap_profile: $dir/profile.txt, plugin: build/lib/sample_strategy.so, plugin_strategy: 1,
         plugin_params: "symbol=BTCUSDT,every=100000000,twap_lots=5000,twap_s=3"}
risk:
  orders_per_s: 1000
  instruments:
    - {symbol: BTCUSDT, max_order_qty: "1", max_position: "5", collar_bps: 500}
  strategies:
    - {id: 1, name: plugin}
    - {id: 2, name: algos}
    - {id: 3, name: other}
exchange: {host: 127.0.0.1, port: $(cat "$dir/fixport"), sender_comp_id: TFALGO, target_comp_id: TFSIM,
           store_dir: $dir/run/fix, reconnect_min_ms: 50, reconnect_max_ms: 500, reconcile_timeout_ms: 2000,
           profile: tfsim}
threads:
  - {name: hot, idle: backoff, stages: [feed, strategy, algo, risk, oms, exio]}
YAML
start_engine() {
    "$BIN/tfengine" -c "$dir/cfg.yaml" >>"$dir/engine.log" 2>&1 &
    engine_pid=$!
    wait_for 10 sh -c "$BIN/tfctl -d $dir -n $inst quote BTCUSDT" ||
        { echo "FAIL engine has no market"; cat "$dir/engine.log"; exit 1; }
    wait_for 10 sh -c "$BIN/tfstat -d $dir -n $inst --once 2>/dev/null | grep -Eq '^  0 +active '" ||
        { echo "FAIL engine did not log on to tfsim"; cat "$dir/engine.log"; exit 1; }
}
start_engine

events() { "$BIN/tfdump" -n "$inst" -d "$dir" --orders 2>/dev/null; }
parent_of() { sed -n 's/.*parent=\([0-9]*\).*/\1/p' "$1" | head -1; }
# A parent finished in a state: its last parent_state event says so.
finished() { # finished PARENT STATE
    events | grep "kind=parent_state order=$1 " | tail -1 | grep -q "state=$2"
}
# The children's fills (their parent's strategy, the parent's side) add up to
# what the parent reports filled, and never above its quantity.
fills_add_up() { # fills_add_up PARENT QTY
    events | "$PY" -c '
import sys, re
parent, qty = sys.argv[1], float(sys.argv[2])
children, filled, reported = set(), 0.0, None
for line in sys.stdin:
    f = dict(re.findall(r"(\w+)=(\S+)", line))
    if f.get("kind") == "parent_state" and f.get("order") == parent:
        reported = float(f["filled"])
    if f.get("kind") == "accepted" and f.get("parent") == parent:
        children.add(f["order"])
    if f.get("kind") == "fill" and f.get("order") in children:
        filled += float(f["last_qty"])
ok = reported is not None and abs(filled - reported) < 1e-9 and reported <= qty + 1e-9
print("children %d, their fills %.5f, parent reports %s, qty %.5f" % (len(children), filled, reported, qty))
sys.exit(0 if ok else 1)' "$1" "$2"
}

echo "1. every algorithm completes a parent against the living market"
$T algo twap BTCUSDT buy 0.3 --duration 3 --slice 0.5 --style touch --resubmit 0.3 >"$dir/twap.out" 2>&1
check "TWAP accepted" grep -q "parent_accepted" "$dir/twap.out"
twap=$(parent_of "$dir/twap.out")
check "TWAP done within its horizon" wait_for 10 finished "$twap" done
check "TWAP: children's fills = its filled <= qty" fills_add_up "$twap" 0.3
$T algo vwap BTCUSDT sell 0.2 --duration 3 --style market >"$dir/vwap.out" 2>&1
vwap=$(parent_of "$dir/vwap.out")
check "VWAP done" wait_for 10 finished "$vwap" done
check "VWAP: children's fills = its filled" fills_add_up "$vwap" 0.2
$T algo pov BTCUSDT buy 0.05 --participation 2000 --min 0.001 --max 0.01 --style market >"$dir/pov.out" 2>&1
pov=$(parent_of "$dir/pov.out")
check "POV done" wait_for 30 finished "$pov" done
check "POV: children's fills = its filled" fills_add_up "$pov" 0.05
bid=$($BIN/tfctl -d $dir -n $inst quote BTCUSDT | cut -d' ' -f1)
limit=$("$PY" -c "print('%.2f' % (float('$bid') - 5))")
$T algo iceberg BTCUSDT sell 0.05 --limit "$limit" --min 0.005 --max 0.01 >"$dir/ice.out" 2>&1
ice=$(parent_of "$dir/ice.out")
check "iceberg done" wait_for 20 finished "$ice" done
check "iceberg: children's fills = its filled" fills_add_up "$ice" 0.05
check "iceberg: every child within the display range (the last may be the remainder)" sh -c \
    "$BIN/tfdump -n $inst -d $dir --orders 2>/dev/null | grep 'kind=accepted' | grep 'parent=$ice ' | \
     sed -n 's/.* qty=\([0-9.]*\) .*/\1/p' | head -n -1 | awk '\$1 < 0.005 || \$1 > 0.01 {bad=1} END {exit bad}'"

events | grep "kind=parent_accepted" | grep "strategy=1 " >"$dir/plugin.out"
plug=$(sed -n 's/.* order=\([0-9]*\) .*/\1/p' "$dir/plugin.out" | head -1)
check "the plugin's TWAP (through the plugin ABI) was accepted" test -n "$plug"
check "and done" wait_for 10 finished "$plug" done
check "its children's fills = its filled" fills_add_up "$plug" 0.05

PYTHONPATH=tools/python "$PY" - "$inst" "$dir" >"$dir/py.out" 2>&1 <<'PYEOF'
import sys, time, tradefan
c = tradefan.Client(sys.argv[1], 2, sys.argv[2])
ev = c.algo("pov", "BTCUSDT", "buy", "0.01", participation_bps=2000, min_child="0.001", max_child="0.005")
assert ev.kind == "parent_accepted", ev
print("parent", ev.order_id)
# The engine refuses what the algorithm refuses (no check on this side): POV without child sizes.
bad = c.algo("pov", "BTCUSDT", "buy", "0.01", participation_bps=2000)
assert bad.rejected and bad.reason == "bad_algo_params", bad
print("refused", bad.reason)
for _ in range(100):
    if not any(p["parent_id"] == ev.order_id for p in c.parents()):
        break
    time.sleep(0.1)
print("gone from parents()")
PYEOF
pyp=$(sed -n 's/^parent \([0-9]*\)/\1/p' "$dir/py.out")
check "Python: a POV parent accepted, the engine's refusal of a bad one read" grep -q "refused bad_algo_params" "$dir/py.out"
check "Python's POV done" wait_for 30 finished "$pyp" done
check "the engine's refusal says why in its error log" sh -c \
    "$BIN/tfstat -n $inst -d $dir --once --no-color | grep -A40 '^error log' | grep -q 'algo_refused'"

echo "2. parameters the algorithm refuses are named in full"
sed "s#algo_vwap_profile: $dir/profile.txt#algo_vwap_profile: $dir/bad_profile.txt#; s/instance: $inst/instance: ${inst}b/; \
     s#$dir/run#$dir/runb#g" \
    "$dir/cfg.yaml" >"$dir/bad.yaml"
printf 'BTCUSDT 10:00 1\nBTCUSDT 25:00 1\n' >"$dir/bad_profile.txt"
timeout 10 "$BIN/tfengine" -c "$dir/bad.yaml" >"$dir/bad_engine.log" 2>&1
check "a bad VWAP profile stops the engine at start, naming the line" grep -q "bad_profile.txt:2: time 25:00" "$dir/bad_engine.log"
$T algo twap BTCUSDT buy 0.1 --duration 2 --slice 5 >"$dir/bad.out" 2>&1
check "refused before sending, saying why" grep -q "the slice is longer than the horizon" "$dir/bad.out"
$T algo pov BTCUSDT buy 0.1 --participation 100 >"$dir/bad2.out" 2>&1
check "POV without child sizes refused" grep -q "min_child" "$dir/bad2.out"

echo "3. pause, resume, amend, cancel"
$T algo twap BTCUSDT buy 0.5 --duration 60 --slice 1 --style passive --offset 50 >"$dir/long.out" 2>&1
long=$(parent_of "$dir/long.out")
check "a long passive TWAP runs" wait_for 5 sh -c "$T parents | grep '^$long ' | grep -q running"
check "tfstat shows it, with its schedule" sh -c "$BIN/tfstat -n $inst -d $dir --once --no-color | grep -E '^  $long +twap +BTCUSDT +buy +running'"
"$BIN/tfexport-prom" -c "$dir/cfg.yaml" --port-file "$dir/promport" >"$dir/prom.log" 2>&1 &
prom_pid=$!
wait_for 5 test -s "$dir/promport"
"$PY" -c "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:'+open('$dir/promport').read().strip()+'/metrics', timeout=5).read().decode())" >"$dir/metrics.txt" 2>&1
check "Prometheus sees it: filled ratio, schedule, slippage" sh -c \
    "grep -q 'trading_parent_filled_ratio{instance_name=\"$inst\",parent=\"$long\",algo=\"twap\",state=\"running\"' $dir/metrics.txt && \
     grep -q 'trading_parent_slippage_bps{instance_name=\"$inst\",parent=\"$long\",algo=\"twap\",against=\"arrival\"}' $dir/metrics.txt && \
     grep -qE '^trading_parents_running\{instance_name=\"$inst\"\} [1-9]' $dir/metrics.txt"
kill "$prom_pid" 2>/dev/null
check "and in JSON" sh -c "$BIN/tfstat -n $inst -d $dir --json | \"$PY\" -c 'import json,sys; p=[x for x in json.load(sys.stdin)[\"parents\"] if x[\"parent_id\"]==$long]; sys.exit(0 if p and p[0][\"state\"]==\"running\" else 1)'"
check "paused" sh -c "$T algo pause $long | grep -q 'action=pause'"
check "shown paused" wait_for 5 sh -c "$T parents | grep '^$long ' | grep -q paused"
check "resumed" sh -c "$T algo resume $long >/dev/null && $T parents | grep '^$long ' | grep -q running"
check "amended up to 0.6" sh -c "$T algo amend $long --qty 0.6 | grep -q 'action=amend'"
check "shown with the new quantity" wait_for 5 sh -c "$T parents | grep '^$long ' | grep -q ' 0.60000 '"
check "an operator (root, here) steers another strategy's parent, and is answered" \
    sh -c "$BIN/tfctl -d $dir -n $inst -s 3 algo pause $long | grep -q 'action=pause'"
check "canceled" sh -c "$T algo cancel $long | grep -q 'action=cancel'"
check "ends canceled, its child canceled" wait_for 10 finished "$long" canceled
check "never over-filled" fills_add_up "$long" 0.6

echo "4. the kill switch stops every parent"
$T algo twap BTCUSDT sell 0.5 --duration 60 --slice 1 --style passive --offset 50 >"$dir/k1.out" 2>&1
$T algo pov BTCUSDT buy 0.5 --participation 10 --min 0.001 --max 0.002 --style passive --offset 50 >"$dir/k2.out" 2>&1
k1=$(parent_of "$dir/k1.out")
k2=$(parent_of "$dir/k2.out")
wait_for 5 sh -c "$T parents | grep -q '^$k2 '"
$BIN/tfctl -d $dir -n $inst kill on >/dev/null
check "the TWAP is canceled" wait_for 10 finished "$k1" canceled
check "the POV is canceled" wait_for 10 finished "$k2" canceled
check "no parent left running" wait_for 5 sh -c "[ \$($T parents | wc -l) -eq 1 ]"
check "a new parent is refused while halted" sh -c "$T algo twap BTCUSDT buy 0.1 --duration 10 --slice 1 | grep -q 'reason=halted'"
$BIN/tfctl -d $dir -n $inst kill off >/dev/null

echo "5. restart with a parent running"
$T algo twap BTCUSDT buy 0.6 --duration 60 --slice 0.5 --style touch --resubmit 0.3 >"$dir/r.out" 2>&1
rp=$(parent_of "$dir/r.out")
filled_of() { $T parents | awk -v id="$1" '$1 == id {print $7}'; }
check "it fills before the crash" wait_for 10 sh -c "[ \"\$($T parents | awk '\$1 == $rp {print \$7}')\" != 0.00000 ]"
before=$(filled_of "$rp")
kill -9 "$engine_pid"
wait "$engine_pid" 2>/dev/null
engine_pid=""
start_engine
check "the restart says it took a parent back and resumed it" grep -q "1 parent orders were running: resumed" "$dir/engine.log"
check "the same parent runs again" wait_for 5 sh -c "$T parents | grep '^$rp ' | grep -q running"
after=$(filled_of "$rp")
check "with what it had filled ($before, now $after)" "$PY" -c "import sys; sys.exit(0 if float('$after') >= float('$before') > 0 else 1)"
check "and goes on filling" wait_for 10 sh -c "[ \"\$($T parents | awk '\$1 == $rp {print \$7}')\" != '$after' ]"
kill -9 "$engine_pid"
wait "$engine_pid" 2>/dev/null
engine_pid=""
sed -i 's/algo_on_restart: resume/algo_on_restart: stop/' "$dir/cfg.yaml"
start_engine
check "with algo_on_restart: stop it is ended at restart" wait_for 10 finished "$rp" canceled
check "never over-filled across the restarts" fills_add_up "$rp" 0.6

echo "6. the venue's own iceberg"
kill -TERM "$engine_pid"
wait "$engine_pid" 2>/dev/null
engine_pid=""
sed -i 's/algo_on_restart: stop,/algo_on_restart: stop, algo_iceberg: native,/; s/profile: tfsim}/profile: tfsim, iceberg: max_floor}/' \
    "$dir/cfg.yaml"
start_engine
quote=$($BIN/tfctl -d $dir -n $inst quote BTCUSDT)
# A sell resting at the touch (inside the spread when there is room): the
# market's takers meet it tranche by tranche.
limit=$("$PY" -c "b, a = map(float, '$quote'.split()[:2]); print('%.2f' % (a - 0.01 if a - b > 0.015 else a))")
$T algo iceberg BTCUSDT sell 0.02 --limit "$limit" --min 0.004 --max 0.006 >"$dir/nice.out" 2>&1
nice=$(parent_of "$dir/nice.out")
check "native iceberg accepted" [ -n "$nice" ]
check "native iceberg done" wait_for 60 finished "$nice" done
check "native iceberg: children's fills = its filled" fills_add_up "$nice" 0.02
events | grep 'kind=accepted' | grep "parent=$nice " >"$dir/nice_children.txt"
check "its first child is the whole quantity" sh -c "head -1 $dir/nice_children.txt | grep -q ' qty=0.02000 '"
kill -TERM "$engine_pid"
wait "$engine_pid"
check "clean stop" [ $? -eq 0 ]
engine_pid=""
kill -TERM "$sim_pid"
wait "$sim_pid" 2>/dev/null
sim_pid=""
child=$(sed -n 's/.* order=\([0-9]*\) .*/\1/p' "$dir/nice_children.txt" | head -1)
check "tfsim got it with MaxFloor in the display range" "$PY" -c "
import json, sys
for line in open('$dir/sim_orders.json'):
    o = json.loads(line)
    if o.get('clordid', '').split('.')[0] == '$child':
        sys.exit(0 if float(o['qty']) == 0.02 and 0.004 <= float(o.get('display', 0)) <= 0.006 else 1)
sys.exit(1)"
check "tfsim refreshed its tranches" sh -c "grep -Eq ' [1-9][0-9]* iceberg refreshes' $dir/sim.log"
echo "algo integration: $fails failed"
[ $fails -eq 0 ]

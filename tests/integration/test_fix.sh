#!/bin/sh
# Integration: trading over FIX. tfsim's market feeds the engine (feed →
# strategy plugin → risk → OMS → exio), and the exio stage trades over FIX
# 4.4 with tfsim's matching engine.
#  1. tfctl: an order acknowledged by the venue, replaced, canceled; an order
#     that crosses fills (maker and taker); a venue reject reaches the OMS
#  2. the sample plugin trades against the living market; tfstat's venue
#     section shows the session
#  3. the session dropped with orders in flight (SIGUSR1): reconnect,
#     resend, status requests; trading goes on
#  4. the venue restarts (orders and sequence numbers kept) and then garbles
#     messages and skips sequence numbers: the engine reconnects and copes
#  5. kill -9 the engine and restart it: the open orders are reconciled by
#     status requests and the engine trades on
#  6. the end: every venue order is an engine order, placed once, with the
#     same fills, fees and final state (tfsim --orders-dump against the
#     engine's order journal); the engine logged out on its way down
#  7. FIX over TLS (OpenSSL on memory BIOs) with a refused first Logon, a
#     pool of two sessions sharing the orders
set -u
cd "$(dirname "$0")/../.."
BIN=build/bin
PY=/usr/bin/python3
dir=$(mktemp -d /dev/shm/tf-fix.XXXXXX)
inst=fix$$
engine_pid=""
sim_pid=""
cleanup() {
    [ -n "$engine_pid" ] && kill -9 "$engine_pid" 2>/dev/null
    [ -n "$sim_pid" ] && kill -9 "$sim_pid" 2>/dev/null
    if [ -n "${TF_KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
fails=0
. tests/integration/lib.sh
[ -x "$PY" ] || { echo "FAIL: $PY is required"; exit 1; }
T="$BIN/tfctl -d $dir -n $inst"
PYTHONPATH=tools/python
export PYTHONPATH
counter() { # counter NAME: a counter's value from tfstat --json (0 when absent)
    "$BIN/tfstat" -d "$dir" -n "$inst" --json 2>/dev/null |
        $PY -c "import json,sys; c=json.load(sys.stdin)['counters']; print(sum(v for k,v in c.items() if k.split('{')[0].endswith('/$1')))"
}

# tfsim keeps its sequence numbers and orders in $dir/run/tfsim across
# restarts, on the same ports once it has had them, as a venue would.
start_sim() { # start_sim EXTRA_ARGS...
    wsp=$(cat "$dir/port" 2>/dev/null || echo 0)
    fxp=$(cat "$dir/fixport" 2>/dev/null || echo 0)
    rm -f "$dir/port" "$dir/fixport"
    mkdir -p "$dir/run/tfsim"
    "$BIN/tfsim" --port "$wsp" --port-file "$dir/port" --fix-port "$fxp" --fix-port-file "$dir/fixport" \
        --fix-store "$dir/run/tfsim" --symbols BTCUSDT,ETHUSDT --rate 2000 --orders-dump "$dir/venue.jsonl" \
        "$@" >>"$dir/sim.log" 2>&1 &
    sim_pid=$!
    wait_for 5 test -s "$dir/fixport" || { echo "FAIL tfsim did not come up"; cat "$dir/sim.log"; exit 1; }
}
stop_sim() {
    kill -TERM "$sim_pid"; wait "$sim_pid" 2>/dev/null
    sim_pid=""
}
write_cfg() { # write_cfg EXCHANGE_EXTRA
    cat >"$dir/cfg.yaml" <<YAML
instance: $inst
shm: {dir: $dir, mode: 0640, on_stale: replace}
journal:
  md: {capacity: 65536}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001", min_notional: "5"}
  - {symbol: ETHUSDT, price_precision: 2, qty_precision: 4, tick_size: "0.01", lot_size: "0.0001", min_notional: "5"}
feed:
  url: ws://127.0.0.1:$(cat "$dir/port")
  rest_url: http://127.0.0.1:$(cat "$dir/port")
  streams: [trade, bookTicker, depth@100ms]
export: {run_dir: $dir/run}
orders:
  capacity: 4096
  journal_capacity: 262144
  journal_file: $dir/run/orders.journal
  plugin: build/lib/sample_strategy.so
  plugin_params: "symbol=BTCUSDT,every=40,offset_ticks=2,qty_lots=100"
risk:
  orders_per_s: 1000
  max_open_orders: 100
  instruments:
    - {symbol: BTCUSDT, max_order_qty: "1", max_position: "2", collar_bps: 500}
  strategies:
    - {id: 1, name: sample, max_open_orders: 10}
    - {id: 2, name: manual}
exchange:
  host: 127.0.0.1
  port: $(cat "$dir/fixport")
  sender_comp_id: TFENGINE
  target_comp_id: TFSIM
  store_dir: $dir/run/fix
  reconnect_min_ms: 50
  reconnect_max_ms: 500
  reconcile_timeout_ms: 2000
  heartbeat_s: 5
  $1
threads:
  - {name: hot, idle: backoff, stages: [feed, strategy, risk, oms, exio]}
YAML
}
start_engine() {
    "$BIN/tfengine" -c "$dir/cfg.yaml" >>"$dir/engine.log" 2>&1 &
    engine_pid=$!
    wait_for 10 $T risk || { echo "FAIL engine did not come up"; cat "$dir/engine.log"; exit 1; }
}
logged_on() { "$BIN/tfstat" -d "$dir" -n "$inst" --once 2>/dev/null | grep -Eq '^  0 +active '; }
price() { $PY tests/integration/orders_helper.py "$dir" "$inst" mid BTCUSDT "$1"; }
order_is() { $T orders --all | awk -v id="$1" -v st="$2" '$1 == id && $0 ~ st {f = 1} END {exit !f}'; }
reconnected() { test "$(counter fix_connects)" -gt "$connects" && logged_on; }

start_sim
write_cfg "cancel_on_disconnect: false"
start_engine
wait_for 10 logged_on
check "the engine logs on to tfsim over FIX" logged_on
wait_for 10 sh -c "$T quote BTCUSDT" || true
sleep 1

echo "1. orders over FIX"
bid=$(price -0.005)
out=$($T -s 2 new BTCUSDT buy 0.01 "$bid")
id=$(echo "$out" | sed -n 's/^accepted order=\([0-9]*\).*/\1/p')
check "accepted by the risk gate" test -n "$id"
wait_for 5 order_is "$id" New
check "acknowledged by the venue over FIX (New)" order_is "$id" New
bid2=$(price -0.006)
$T -s 2 replace "$id" "$bid2" 0.02 >/dev/null
wait_for 5 sh -c "$T orders | grep '^$id ' | grep -q '0.02000'"
check "replaced at the venue (new terms)" sh -c "$T orders | grep '^$id ' | grep -q '0.02000'"
$T -s 2 cancel "$id" >/dev/null
wait_for 5 sh -c "$T orders --all | grep '^$id ' | grep -q Canceled"
check "canceled at the venue" sh -c "$T orders --all | grep '^$id ' | grep -q Canceled"
# On ETHUSDT, where the plugin does not trade: a cross on BTCUSDT could meet
# the plugin's own resting order and be refused as a self-trade.
ask=$($PY tests/integration/orders_helper.py "$dir" "$inst" mid ETHUSDT 0.002)
out=$($T -s 2 new ETHUSDT buy 0.01 "$ask")
xid=$(echo "$out" | sed -n 's/^accepted order=\([0-9]*\).*/\1/p')
wait_for 5 sh -c "$T orders --all | grep '^$xid ' | grep -q Filled"
check "a crossing order fills at the venue" sh -c "$T orders --all | grep '^$xid ' | grep -q Filled"
check "its fill is in the order journal with a fee" \
    sh -c "$BIN/tfdump -n $inst -d $dir --orders 2>/dev/null | grep 'kind=fill order=$xid ' | grep -q 'fee='"

echo "2. the plugin trades"
wait_for 30 sh -c "$T positions | grep -Eq '^BTCUSDT +1 '"
check "the sample plugin's orders filled at the venue (strategy 1 has a position)" \
    sh -c "$T positions | grep -Eq '^BTCUSDT +1 '"
check "tfstat shows the venue session" sh -c "$BIN/tfstat -d $dir -n $inst --once | grep -q 'venue (FIX sessions)'"
check "the stage counted the orders it sent" test "$(counter fix_orders_sent)" -gt 0

echo "3. the session dropped with orders in flight"
connects=$(counter fix_connects)
$T -s 2 new BTCUSDT buy 0.01 "$bid" >/dev/null
$T -s 2 new BTCUSDT sell 0.01 "$(price 0.006)" >/dev/null
kill -USR1 "$sim_pid"
$T -s 2 new BTCUSDT buy 0.01 "$bid" >/dev/null
wait_for 10 reconnected
check "reconnected and logged on again" reconnected
check "open orders reconciled by status requests" test "$(counter fix_orders_reconciled)" -gt 0
wait_for 5 sh -c "$T -s 2 new BTCUSDT buy 0.01 $bid | grep -q accepted"
check "trading goes on after the reconnect" sh -c "$T -s 2 new BTCUSDT buy 0.01 $bid | grep -q accepted"

echo "4. the venue restarts, with faults on the wire"
# tfsim goes down and comes back (its orders and sequence numbers kept),
# now garbling some messages and skipping sequence numbers; the engine
# reconnects by itself and copes.
connects=$(counter fix_connects)
stop_sim
start_sim --fault fix-garble:every=7 --fault fix-skip-seq:every=5
wait_for 15 reconnected
check "the engine reconnected to the restarted venue" reconnected
for k in 1 2 3 4 5 6; do $T -s 2 new BTCUSDT buy 0.01 "$(price -0.00$k)" >/dev/null; done
sleep 2
check "garbled messages were counted and ignored" test "$(counter fix_garbled)" -gt 0
check "skipped sequence numbers were asked for again" test "$(counter fix_resend_requests)" -gt 0
check "the session stayed up" logged_on
check "no order is of unknown fate" test "$(counter fix_orders_unknown_now)" -eq 0

echo "5. kill -9 the engine, restart"
kill -9 "$engine_pid"; wait "$engine_pid" 2>/dev/null
engine_pid=""
start_engine
wait_for 15 logged_on
check "after the restart: logged on" logged_on
replayed_open=$(grep "replayed" "$dir/engine.log" | tail -1 | sed -n 's/.*: \([0-9]*\) open orders.*/\1/p')
# Each is answered by a status answer, or finished first by a report the
# venue resent (its status answer then comes late).
all_reconciled() { test $(($(counter fix_orders_reconciled) + $(counter fix_late_reports))) -ge "${replayed_open:-1}"; }
wait_for 10 all_reconciled
check "each open order was reconciled with the venue (${replayed_open:-?} replayed open)" all_reconciled
check "no order is of unknown fate" test "$(counter fix_orders_unknown_now)" -eq 0
check "it trades on" sh -c "$T -s 2 new BTCUSDT buy 0.01 $bid | grep -q accepted"

echo "6. the engine's records against the venue's"
# The engine stops (it logs out); the venue's market goes on and may fill
# its resting orders meanwhile. It starts again: those reports come by
# resend and status answers. Then the kill switch: every open order
# canceled, nothing new; once none is open nothing can change at the venue,
# and both records are final.
kill -TERM "$engine_pid"; wait "$engine_pid" 2>/dev/null
engine_pid=""
check "the engine logged out on its way down" grep -q "disconnected (peer_logout: engine stopping)" "$dir/sim.log"
sleep 1
start_engine
wait_for 15 logged_on
$T kill on >/dev/null
none_open() { $T orders | grep -q '^0 open orders'; }
wait_for 10 none_open
check "after the kill switch no order is open" none_open
stop_sim
sleep 1
kill -TERM "$engine_pid"; wait "$engine_pid" 2>/dev/null
engine_pid=""
"$BIN/tfdump" -n "$inst" -d "$dir" --orders >"$dir/engine_orders.txt" 2>/dev/null
check "every venue order is an engine order, placed once, with equal fills, fees and state" \
    $PY tests/integration/compare_fix.py "$dir/venue.jsonl" "$dir/engine_orders.txt" TFENGINE

echo "7. FIX over TLS, a pool of two sessions"
start_sim --fix-tls --fault fix-refuse-logon:count=1
# Two sessions (CompIDs TFENGINE1, TFENGINE2) of one account (the username).
write_cfg "tls: true
  tls_verify: false
  sessions: 2
  username: TFENGINE"
start_engine
both_on() { "$BIN/tfstat" -d "$dir" -n "$inst" --once 2>/dev/null | grep -Ec '^  [01] +active ' | grep -q 2; }
wait_for 15 both_on
check "both sessions logged on over TLS, after a refused first Logon" both_on
$T kill off >/dev/null
sleep 1 # both reconciled: new orders alternate between them
t1=$($T -s 2 new BTCUSDT buy 0.01 "$(price -0.005)" | sed -n 's/^accepted order=\([0-9]*\).*/\1/p')
t2=$($T -s 2 new BTCUSDT buy 0.01 "$(price -0.006)" | sed -n 's/^accepted order=\([0-9]*\).*/\1/p')
wait_for 5 order_is "$t2" New
check "orders acknowledged over TLS" sh -c "$T orders | grep -q '^$t1 .*New' && $T orders | grep -q '^$t2 .*New'"
check "orders went out on both sessions" test "$(counter fix_orders_sent)" -ge 2
spread() { "$BIN/tfstat" -d "$dir" -n "$inst" --json | $PY -c "
import json,sys; v=json.load(sys.stdin)['venue']['sessions']
sys.exit(0 if all(s['messages_out'] >= 2 for s in v) and len(v) == 2 else 1)"; }
check "each session carried application messages (round robin)" spread

if [ $fails -ne 0 ]; then
    echo "--- engine log"; tail -30 "$dir/engine.log"
    echo "--- tfsim log"; tail -30 "$dir/sim.log"
fi
echo "test_fix: $fails failed"
[ $fails -eq 0 ]

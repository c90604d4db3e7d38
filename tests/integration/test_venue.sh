#!/bin/sh
# Integration: venue behaviours real FIX venues show, each shown by a tfsim
# fault, the engine trading over FIX against it.
#  1. the venue resets its sequence numbers and does not say so: the
#     session halts with the problem in words (no reconnect loop), a new
#     order is refused at once and tfctl says so (exit 1, venue_unavailable
#     in the journal and in risk_rejects); an operator's reset brings it
#     back at 1; no order placed twice, positions equal the venue's fills
#  2. the venue resets and announces it (ResetSeqNumFlag=Y): the engine
#     resets too and trades on; nothing old is sent again
#  3. exchange.schedule: at the session's end the engine logs out and stays
#     down; at the next start it logs on at 1 with the flag
#  4. the venue restored from an old backup, its book lost: it asks for old
#     messages again (orders older than a second are gap-filled, never
#     placed again), forgets acknowledged orders (fate unknown, a cancel
#     says unknown_order), and an operator resolves them (journaled with
#     the uid)
#  5. a fill after a cancel: applied to the position as an out-of-band
#     fill, journaled, counted, in the error log, and (configured) the kill
#     switch trips; positions equal the venue's fills
#  6. a strict FIX 4.4 venue: tag 8013 refused at start by the fix44
#     profile; with the coinbase profile the venue's Reject reaches the
#     error log and tfstat in words; with fix44 the engine logs on and trades
#  7. a venue that finds orders only by their latest ClOrdID: after a
#     restart the engine asks by the replaced order's current ClOrdID
set -u
cd "$(dirname "$0")/../.."
BIN=${TF_BIN:-build/bin}   # TF_BIN: run against other binaries (e.g. an older engine)
PY=/usr/bin/python3
top=$(mktemp -d /dev/shm/tf-venue.XXXXXX)
engine_pid=""
sim_pid=""
cleanup() {
    [ -n "$engine_pid" ] && kill -9 "$engine_pid" 2>/dev/null
    [ -n "$sim_pid" ] && kill -9 "$sim_pid" 2>/dev/null
    if [ -n "${TF_KEEP:-}" ]; then echo "kept $top"; else rm -rf "$top"; fi
}
trap cleanup EXIT
fails=0
. tests/integration/lib.sh
[ -x "$PY" ] || { echo "FAIL: $PY is required"; exit 1; }
PYTHONPATH=tools/python
export PYTHONPATH

# Each section its own directory, instance, venue and engine.
section() { # section NAME
    [ -n "$engine_pid" ] && { kill -9 "$engine_pid" 2>/dev/null; wait "$engine_pid" 2>/dev/null; }
    [ -n "$sim_pid" ] && { kill -9 "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; }
    engine_pid=""
    sim_pid=""
    dir=$top/$1
    inst=v$1$$
    mkdir -p "$dir/run/tfsim"
    T="$BIN/tfctl -d $dir -n $inst"
}
stat_text() { "$BIN/tfstat" -d "$dir" -n "$inst" --once 2>/dev/null; }
counter() { # counter NAME: a counter's value from tfstat --json (0 when absent)
    "$BIN/tfstat" -d "$dir" -n "$inst" --json 2>/dev/null |
        $PY -c "import json,sys; c=json.load(sys.stdin)['counters']; print(sum(v for k,v in c.items() if k.split('{')[0].endswith('/$1')))"
}
labelled() { # labelled NAME LABEL: one labelled counter's value
    "$BIN/tfstat" -d "$dir" -n "$inst" --json 2>/dev/null |
        $PY -c "import json,sys; c=json.load(sys.stdin)['counters']; print(sum(v for k,v in c.items() if k.split('{')[0].endswith('/$1') and '$2' in k))"
}
start_sim() { # start_sim EXTRA_ARGS...: same ports and store across restarts
    wsp=$(cat "$dir/port" 2>/dev/null || echo 0)
    fxp=$(cat "$dir/fixport" 2>/dev/null || echo 0)
    rm -f "$dir/port" "$dir/fixport"
    "$BIN/tfsim" --port "$wsp" --port-file "$dir/port" --fix-port "$fxp" --fix-port-file "$dir/fixport" \
        --fix-store "$dir/run/tfsim" --symbols BTCUSDT,ETHUSDT --rate 500 --orders-dump "$dir/venue.jsonl" \
        "$@" >>"$dir/sim.log" 2>&1 &
    sim_pid=$!
    wait_for 5 test -s "$dir/fixport" || { echo "FAIL tfsim did not come up"; cat "$dir/sim.log"; exit 1; }
}
stop_sim() {
    kill -TERM "$sim_pid"; wait "$sim_pid" 2>/dev/null
    sim_pid=""
}
write_cfg() { # write_cfg EXCHANGE_EXTRA [RISK_EXTRA]
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
  journal_capacity: 65536
  journal_file: $dir/run/orders.journal
risk:
  orders_per_s: 1000
  max_open_orders: 100
  ${2:-}
  instruments:
    - {symbol: BTCUSDT, max_order_qty: "1", max_position: "2", collar_bps: 500}
  strategies:
    - {id: 2, name: manual}
exchange:
  host: 127.0.0.1
  port: $(cat "$dir/fixport")
  sender_comp_id: TFENGINE
  target_comp_id: TFSIM
  store_dir: $dir/run/fix
  reconnect_min_ms: 50
  reconnect_max_ms: 400
  reconcile_timeout_ms: 1500
  logon_timeout_ms: 2000
  heartbeat_s: 5
  $1
threads:
  - {name: hot, idle: backoff, stages: [feed, risk, oms, exio]}
YAML
}
start_engine() { # a failure is counted and the section goes on (its checks fail): an older engine
    "$BIN/tfengine" -c "$dir/cfg.yaml" >>"$dir/engine.log" 2>&1 &
    engine_pid=$!
    wait_for 10 $T risk || { echo "  FAIL the engine did not come up"; tail -3 "$dir/engine.log"; fails=$((fails + 1)); }
}
stop_engine() {
    kill -TERM "$engine_pid"; wait "$engine_pid" 2>/dev/null
    engine_pid=""
}
logged_on() { stat_text | grep -Eq '^  0 +active '; }
price() { $PY tests/integration/orders_helper.py "$dir" "$inst" mid "$1" "$2"; }
order_id() { sed -n 's/^accepted order=\([0-9]*\).*/\1/p'; }
order_is() { $T orders --all | awk -v id="$1" -v st="$2" '$1 == id && $0 ~ st {f = 1} END {exit !f}'; }
# A resting buy 2 % under the market: acknowledged, never filled.
resting() { $T -s 2 new "${1:-BTCUSDT}" buy 0.01 "$(price "${1:-BTCUSDT}" -0.02)" | order_id; }
journal() { "$BIN/tfdump" -n "$inst" -d "$dir" --orders 2>/dev/null; }
compare() { # compare: every venue order placed once, equal fills; positions equal the venue's fills
    $T positions >"$dir/positions.txt"
    stop_sim
    journal >"$dir/engine_orders.txt"
    $PY tests/integration/compare_fix.py "$dir/venue.jsonl" "$dir/engine_orders.txt" TFENGINE "$dir/positions.txt"
}
boot() { # boot SIM_ARGS: tfsim, the config (EXCHANGE_EXTRA, RISK_EXTRA from $xc, $rc), the engine, logged on
    start_sim "$@"
    write_cfg "${xc:-}" "${rc:-}"
    start_engine
    wait_for 10 logged_on
    wait_for 10 sh -c "$T quote BTCUSDT" || true
    sleep 0.5
}

echo "1. the venue resets its sequence numbers without a word"
section 1
xc="" rc="" boot --fault fix-session-reset:after=12
connects=$(counter fix_connects)
# Traffic first, so the venue's numbers run well ahead of 1 (as after a trading day).
for k in 1 2 3 4 5 6; do x=$(resting); $T -s 2 cancel "$x" >/dev/null; done
a=$(resting)
b=$($T -s 2 new ETHUSDT buy 0.01 "$(price ETHUSDT 0.002)" | order_id) # crosses: fills
wait_for 5 order_is "$a" New
wait_for 5 order_is "$b" Filled
check "before the boundary: an order resting, one filled" sh -c "$T orders --all | grep -q '^$b .*Filled'"
halted() { stat_text | grep -q 'session 0 HALTED: .*below the expected'; }
wait_for 15 halted
check "the session halts, the problem in words in tfstat" halted
check "the engine's log says it in words" grep -q "FIX session 0 HALTED, not reconnecting: Logon MsgSeqNum 1 below the expected" "$dir/engine.log"
check "the error log names it (fix_seq_reset)" sh -c "stat_text() { $BIN/tfstat -d $dir -n $inst --once; }; stat_text | grep -q fix_seq_reset"
after=$(counter fix_connects)
sleep 3
check "no reconnect loop burning the venue's numbers (connects: $connects before, one more after the boundary, $(counter fix_connects) now)" \
    test "$(counter fix_connects)" -eq "$after" -a "$after" -le $((connects + 1))
out=$($T -s 2 new BTCUSDT buy 0.01 "$(price BTCUSDT -0.02)")
rc_new=$?
echo "$out" | sed 's/^/       /'
check "tfctl new while the venue is down: refused, exit 1" test "$rc_new" -eq 1
check "the refusal says venue_unavailable" sh -c "echo '$out' | grep -q 'rejected .*reason=venue_unavailable'"
check "the journal keeps the reason (venue_unavailable, not venue)" \
    sh -c "$BIN/tfdump -n $inst -d $dir --orders 2>/dev/null | grep 'kind=rejected' | grep -q 'reason=venue_unavailable'"
check "risk_rejects{reason=venue_unavailable} counts it" test "$(labelled risk_rejects venue_unavailable)" -ge 1
$T session reset >"$dir/reset.txt"
check "tfctl session reset is answered (journaled with the uid)" grep -q "session_reset .*by_uid=$(id -u)" "$dir/reset.txt"
wait_for 10 logged_on
check "logged on again after the operator's reset" logged_on
check "the reset was counted (fix_seq_resets)" test "$(counter fix_seq_resets)" -ge 1
sleep 2
check "the resting order is still known to the venue (reconciled, not of unknown fate)" \
    test "$(counter fix_orders_unknown_now)" -eq 0
c=$(resting)
wait_for 5 order_is "$c" New
check "trading goes on: a new order acknowledged" order_is "$c" New
$T kill on >/dev/null
wait_for 10 sh -c "$T orders | grep -q '^0 open orders'"
check "no order placed twice; each symbol's position equals the venue's fills" compare

echo "2. the venue resets and says so (ResetSeqNumFlag=Y)"
section 2
xc="" rc="" boot --fault fix-session-reset:after=6,flag=1
a=$(resting)
wait_for 5 order_is "$a" New
sleep 1.5 # older than resend_order_max_age_ms
resets() { test "$(counter fix_seq_resets)" -ge 1 && logged_on; }
wait_for 15 resets
check "the engine took the venue's reset and is logged on" resets
check "not halted" sh -c "! $BIN/tfstat -d $dir -n $inst --once | grep -q HALTED"
c=$(resting)
wait_for 5 order_is "$c" New
check "trading goes on" order_is "$c" New
check "nothing old was asked for or sent again (no ResendRequest either way)" \
    test "$(counter fix_resend_requests)" -eq 0
$T kill on >/dev/null
wait_for 10 sh -c "$T orders | grep -q '^0 open orders'"
check "no order placed twice; positions equal the venue's fills" compare

echo "3. exchange.schedule: the session's end and the next start"
section 3
now=$(date -u +%s)
end=$(date -u -d "@$((now + 8))" +%H:%M:%S)
start=$(date -u -d "@$((now + 14))" +%H:%M:%S)
# The session began yesterday at $start and ends today at $end; the next begins at $start.
xc="schedule: {start: \"$start\", end: \"$end\", time_zone: UTC}" rc="" boot
a=$(resting)
wait_for 5 order_is "$a" New
down() { stat_text | grep -q "session 0 (outside the schedule's hours)"; }
wait_for 12 down
check "at the end of the session hours the engine logs out and stays down" down
check "the venue heard 'end of session'" grep -q "end of session" "$dir/sim.log"
out=$($T -s 2 new BTCUSDT buy 0.01 "$(price BTCUSDT -0.02)")
check "outside the hours a new order is refused (exit 1)" test $? -eq 1
wait_for 12 logged_on
check "at the next start it logs on again" logged_on
check "with its numbers reset (fix_seq_resets)" test "$(counter fix_seq_resets)" -ge 1
check "the venue took the engine's reset" grep -Eq "logged on .*our next MsgSeqNum 2\)" "$dir/sim.log"
check "the resting order is reconciled, not of unknown fate" \
    sh -c "sleep 2; $T orders | grep -q '^$a .*New'"

echo "4. the venue restored from an old backup, its book lost"
section 4
xc="" rc="" boot
a=$(resting)
b=$(resting)
wait_for 5 order_is "$b" New
sleep 1.5 # their NewOrderSingles are now older than resend_order_max_age_ms
stop_sim
grep -c . "$dir/venue.jsonl" >/dev/null 2>&1 && mv "$dir/venue.jsonl" "$dir/venue_before.jsonl"
start_sim --fault fix-lose-book --fault fix-rewind-in:n=40
wait_for 15 logged_on
check "logged on to the restored venue" logged_on
wait_for 5 test "$(counter fix_stale_not_resent)" -gt 0
check "the old orders asked for again were gap-filled, not resent (fix_stale_not_resent $(counter fix_stale_not_resent))" \
    test "$(counter fix_stale_not_resent)" -gt 0
unknown() { test "$(counter fix_orders_unknown_now)" -ge 2; }
wait_for 10 unknown
check "the forgotten orders are of unknown fate" unknown
check "they stay open, counted at their worst case" sh -c "$T orders | grep -q '^$a .*New'"
$T -s 2 cancel "$a" >"$dir/cancel.txt"
check "a cancel says unknown_order (exit 1)" test $? -eq 1
check "  ... in words" grep -q "reason=unknown_order" "$dir/cancel.txt"
$T resolve "$a" canceled >"$dir/resolve.txt"
check "tfctl resolve settles one as canceled, journaled with the uid" grep -q "resolved order=$a .*state=Canceled by_uid=$(id -u)" "$dir/resolve.txt"
$T resolve "$b" filled 0.004 "$(price BTCUSDT -0.02)" >"$dir/resolve2.txt"
check "  ... and one as filled in part" grep -q "resolved order=$b .*state=Canceled" "$dir/resolve2.txt"
wait_for 2 grep -q "order $a resolved" "$dir/engine.log"
check "  ... the engine's log says who" grep -q "order $a resolved as Canceled (filled 0.00000) by uid $(id -u)" "$dir/engine.log"
check "  ... its fill is in the position" sh -c "$T positions | grep -Eq '^BTCUSDT +all +0.00400 '"
check "none is of unknown fate any more" test "$(counter fix_orders_unknown_now)" -eq 0
check "a strategy (not the operator) may not resolve an order" \
    sh -c "! $T -s 2 resolve $a canceled >/dev/null"
stop_sim
check "the venue never placed the old orders again" sh -c "! grep -Eq '\"orig_clordid\":\"($a|$b)\"' $dir/venue.jsonl"

echo "5. a fill after a cancel: out of band"
section 5
xc="" rc="kill_on_out_of_band_fill: true" boot --fault fix-fill-after-cancel:every=1
a=$(resting)
wait_for 5 order_is "$a" New
$T -s 2 cancel "$a" >/dev/null
oob() { test "$(counter orders_out_of_band_fills)" -ge 1; }
wait_for 5 oob
check "the venue's fill after the cancel is applied, out of band" oob
check "  ... journaled with the order and the quantity" \
    sh -c "journal() { $BIN/tfdump -n $inst -d $dir --orders 2>/dev/null; }; journal | grep 'kind=out_of_band_fill order=$a ' | grep -q 'last_qty=0.00500'"
check "  ... in the error log" sh -c "$BIN/tfstat -d $dir -n $inst --once | grep -q order_out_of_band_fill"
wait_for 2 grep -q "OUT-OF-BAND FILL" "$dir/engine.log"
check "  ... and in the engine's log with the order and the quantity" \
    grep -q "OUT-OF-BAND FILL order $a BTCUSDT buy 0.00500 @ " "$dir/engine.log"
check "  ... the position holds it" sh -c "$T positions | grep -Eq '^BTCUSDT +all +0.00500 '"
check "  ... and the kill switch tripped (risk.kill_on_out_of_band_fill)" \
    sh -c "$T risk | grep -q '^kill_switch .*out_of_band_fill'"
check "the order stays canceled" order_is "$a" Canceled
check "positions equal the venue's fills" compare

echo "6. a strict FIX 4.4 venue"
section 6
start_sim --fault fix-strict
write_cfg "cancel_on_disconnect: true"
"$BIN/tfengine" -c "$dir/cfg.yaml" --check-config >"$dir/check.txt" 2>&1
check "cancel_on_disconnect with the fix44 profile is refused at start" test $? -ne 0
check "  ... in words" grep -q "8013 (CancelOrdersOnDisconnect), which venue profile fix44 does not accept" "$dir/check.txt"
write_cfg "cancel_on_disconnect: true
  profile: coinbase"
start_engine
refused() { stat_text | grep -q "session 0: logon refused: Reject: Invalid tag number: 8013"; }
wait_for 10 refused
check "the venue's Reject of our Logon reaches tfstat in words" refused
check "  ... and the error log (fix_logon_refused)" sh -c "$BIN/tfstat -d $dir -n $inst --once | grep -q fix_logon_refused"
stop_engine
write_cfg ""
start_engine
wait_for 10 logged_on
check "with the fix44 profile it logs on to the strict venue" logged_on
wait_for 10 sh -c "$T quote BTCUSDT" || true
a=$(resting)
wait_for 5 order_is "$a" New
check "  ... and trades (nothing the dictionary refuses)" order_is "$a" New
check "  ... no session Reject received" test "$(counter fix_rejects_received)" -eq 0

echo "7. a venue that finds orders by their latest ClOrdID only"
section 7
xc="" rc="" boot --fault fix-status-latest
a=$(resting)
wait_for 5 order_is "$a" New
$T -s 2 replace "$a" "$(price BTCUSDT -0.021)" 0.02 >/dev/null
wait_for 5 sh -c "$T orders | grep '^$a ' | grep -q '0.02000'"
check "replaced" sh -c "$T orders | grep '^$a ' | grep -q '0.02000'"
kill -9 "$engine_pid"; wait "$engine_pid" 2>/dev/null
engine_pid=""
start_engine
wait_for 15 logged_on
reconciled() { test "$(counter fix_orders_reconciled)" -ge 1; }
wait_for 10 reconciled
check "after a restart its status was asked by the current ClOrdID and answered" reconciled
check "  ... it is not of unknown fate" test "$(counter fix_orders_unknown_now)" -eq 0
$T -s 2 cancel "$a" >/dev/null
wait_for 5 order_is "$a" Canceled
check "  ... and it cancels normally" order_is "$a" Canceled

if [ $fails -ne 0 ]; then
    echo "--- engine log"; tail -20 "$dir/engine.log"
    echo "--- tfsim log"; tail -20 "$dir/sim.log"
fi
echo "test_venue: $fails failed"
[ $fails -eq 0 ]

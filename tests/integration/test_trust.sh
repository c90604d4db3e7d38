#!/bin/sh
# Integration: trust boundaries, as a second local user in the segments'
# group (made here; needs root, as CI runs).
#  1. the second user reads the engine (tfstat) but cannot write its
#     segments: the request segment is not group-writable with the order path
#  2. at the door: it may trade the strategy configured for it, not another,
#     and never strategy 0 (the operator's)
#  3. its operator requests — kill switch, limits, trading state,
#     resolutions, session resets — are refused (not_authorized), whatever
#     strategy id its records claim
#  4. the engine is unharmed: alive, trading, the kill switch as the
#     operator left it; the operator (the engine's user) still operates
set -u
cd "$(dirname "$0")/../.."
BIN=$(pwd)/build/bin
PY=/usr/bin/python3
USER2=tftrust2
GROUP2=tftrustgrp
[ "$(id -u)" -eq 0 ] || { echo "FAIL test_trust needs root (to make a second local user); CI runs as root"; exit 1; }
command -v runuser >/dev/null && command -v useradd >/dev/null && command -v groupadd >/dev/null ||
    { echo "FAIL test_trust needs runuser, useradd and groupadd (util-linux, passwd)"; exit 1; }
getent group "$GROUP2" >/dev/null || groupadd "$GROUP2"
id "$USER2" >/dev/null 2>&1 || useradd -M -N -g "$GROUP2" -s /usr/sbin/nologin "$USER2"
dir=$(mktemp -d /dev/shm/tf-trust.XXXXXX)
# Segments made here inherit the directory's group (setgid): the second
# user's group may read them, as an operator's monitoring account would.
chgrp "$GROUP2" "$dir"
chmod 2750 "$dir"
inst=trust$$
engine_pid=""
sim_pid=""
cleanup() {
    [ -n "${TF_KEEP:-}" ] && { echo "kept $dir"; return; }
    [ -n "$engine_pid" ] && kill -9 "$engine_pid" 2>/dev/null
    [ -n "$sim_pid" ] && kill -9 "$sim_pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
fails=0
. tests/integration/lib.sh
T="$BIN/tfctl -d $dir -n $inst"
as2() { runuser -u "$USER2" -- "$@"; }
T2="as2 $BIN/tfctl -d $dir -n $inst"

mkdir -p "$dir/sim"
"$BIN/tfsim" --port 0 --port-file "$dir/sim/port" --symbols BTCUSDT --rate 500 >"$dir/sim/log" 2>&1 &
sim_pid=$!
wait_for 5 test -s "$dir/sim/port" || { echo "FAIL tfsim did not come up"; exit 1; }
port=$(cat "$dir/sim/port")
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
export: {run_dir: $dir/run}
orders: {capacity: 1024, journal_capacity: 65536}
risk:
  orders_per_s: 1000
  instruments:
    - {symbol: BTCUSDT, max_order_qty: "1", max_position: "2", collar_bps: 500}
  strategies:
    - {id: 1, name: house}
    - {id: 2, name: desk, user: $USER2}
threads:
  - {name: hot, idle: backoff, stages: [feed, risk, oms, paper]}
YAML
"$BIN/tfengine" -c "$dir/cfg.yaml" >"$dir/engine.log" 2>&1 &
engine_pid=$!
wait_for 10 $T risk || { echo "FAIL engine did not come up"; cat "$dir/engine.log"; exit 1; }
wait_for 10 sh -c "$T quote BTCUSDT" || true
bid=$($T quote BTCUSDT | awk '{printf "%.2f", $1 * 0.99}')

echo "1. reading, not writing"
check "the second user reads the engine (tfstat)" sh -c "runuser -u $USER2 -- $BIN/tfstat -d $dir -n $inst --once >/dev/null"
req=$(ls "$dir"/tradefan.$inst.requests)
check "  ... but cannot open the request segment for writing" \
    sh -c "! runuser -u $USER2 -- $PY -c \"open('$req', 'r+b')\" 2>/dev/null"
check "the request segment is not group-writable" sh -c "test \$(stat -c %a '$req') = 640"

echo "2. at the door"
out=$($T2 -s 2 new BTCUSDT buy 0.001 "$bid" 2>&1)
check "it trades the strategy configured for it (2)" sh -c "echo '$out' | grep -q '^accepted order='"
out=$($T2 -s 1 new BTCUSDT buy 0.001 "$bid" 2>&1)
check "  ... not another (1), refused in words" sh -c "echo '$out' | grep -q 'may not trade strategy 1'"
out=$($T2 kill on 2>&1)
check "  ... and never strategy 0, the operator's" sh -c "echo '$out' | grep -q 'is not an operator'"

echo "3. operator requests from a trader"
for cmd in "kill on" "kill off" "limit max_order_qty BTCUSDT 0" "state ACTIVE" "cancel-all" \
           "session reset" "resolve 1 canceled"; do
    out=$($T2 -s 2 $cmd 2>&1)
    rc=$?
    case "$cmd" in
    cancel-all) check "'$cmd' as strategy 2 cancels only its own (no operator right needed)" test "$rc" -eq 0 ;;
    *) check "'$cmd' refused (not_authorized, exit 1)" sh -c "test $rc -eq 1 && echo '$out' | grep -q 'reason=not_authorized'" ;;
    esac
done

echo "4. the engine unharmed"
check "alive" kill -0 "$engine_pid"
check "the kill switch as the operator left it (off)" sh -c "$T risk | grep -q '^kill_switch off'"
check "the operator (the engine's user) still operates" sh -c "$T kill on | grep -q '^kill '"
check "  ... and lifts it" sh -c "$T kill off >/dev/null && $T risk | grep -q '^kill_switch off'"
out=$($T2 -s 2 new BTCUSDT buy 0.001 "$bid" 2>&1)
check "the trader trades on" sh -c "echo '$out' | grep -q '^accepted order='"
sleep 0.1 # the gate mirrors the door's counts every 10 ms
refused=$($BIN/tfstat -n "$inst" -d "$dir" --json 2>/dev/null | "$PY" tests/integration/json_counter.py door_refused)
check "the refused knocks are counted (door_refused=$refused, 2 expected)" test "${refused:-0}" -ge 2

if [ $fails -ne 0 ]; then
    echo "--- engine log"; tail -20 "$dir/engine.log"
fi
echo "test_trust: $fails failed"
[ $fails -eq 0 ]

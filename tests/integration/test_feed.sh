#!/bin/sh
# Integration: tfsim -> tfengine's feed stage -> journal/state, as real processes.
#  1. live market data: trades, quotes, depth, bars reach the journal; tfstat
#     shows a synced book; bad frames (malformed, truncated, oversized) are
#     counted as rejections and the engine keeps going
#  2. bars: a recorded stream with duplicates, reordering and gaps, replayed;
#     every bar (last revision) equals tests/integration/bars_reference.py's
#  3. book sync: with injected update-id gaps the book resyncs and ends equal
#     to tfsim's own book
#  4. reconnect: tfsim drops the connection repeatedly; no duplicate trade in
#     the journal, and every trade id missing from it lies in a reported gap
#  5. wss and https (tfsim's self-signed certificate), serverShutdown, and a
#     stalled feed detected by the idle timeout
#  6. planned rotation of the connection
#  7. the WebSocket layer (the engine's own client): messages split into
#     frames with pings between them, the venue's close frame, a frame that
#     breaks the protocol; and libwebsockets' client (feed.transport: lws)
#     over wss with the kernel's receive stamps
# Every wait is bounded; everything lives in a private temp directory.
set -u
cd "$(dirname "$0")/../.."
BIN=build/bin
PY=/usr/bin/python3
HERE=tests/integration
dir=$(mktemp -d /dev/shm/tf-feed.XXXXXX)
inst=feed$$
engine_pid=""
sim_pid=""
cleanup() {
    [ -n "$engine_pid" ] && kill -9 "$engine_pid" 2>/dev/null
    [ -n "$sim_pid" ] && kill -9 "$sim_pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
fails=0
. tests/integration/lib.sh
[ -x "$PY" ] || { echo "FAIL: $PY is required"; exit 1; }

start_sim() { # start_sim ARGS... ; sets sim_pid and port
    rm -f "$dir/port"
    "$BIN/tfsim" --port 0 --port-file "$dir/port" "$@" >"$dir/sim.log" 2>&1 &
    sim_pid=$!
    i=0
    until [ -s "$dir/port" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$sim_pid" 2>/dev/null; then
            echo "tfsim did not come up:"; cat "$dir/sim.log"; return 1
        fi
        sleep 0.05
    done
    port=$(cat "$dir/port")
}

stop_sim() {
    [ -n "$sim_pid" ] || return 0
    kill -TERM "$sim_pid" 2>/dev/null
    wait "$sim_pid" 2>/dev/null
    sim_pid=""
}

write_config() { # write_config FILE PORT STREAMS EMPTY_POLICY [SCHEME_SUFFIX]
    tls=${5:-}
    verify=true
    [ -n "$tls" ] && verify=false   # tfsim's certificate is self-signed
    cat >"$1" <<YAML
instance: $inst
shm: {dir: $dir, mode: 0640, on_stale: replace}
journal:
  md: {capacity: 1048576}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001"}
  - {symbol: ETHUSDT, price_precision: 2, qty_precision: 4, tick_size: "0.01", lot_size: "0.0001"}
feed:
  url: ws${tls}://127.0.0.1:$2
  rest_url: http${tls}://127.0.0.1:$2
  tls_verify: $verify
  streams: [$3]
  idle_timeout_ms: 3000
  ping_interval_ms: 1000
  reconnect_min_ms: 20
  reconnect_max_ms: 500
  rotate_after_s: ${ROTATE:-82800}
  rx_timestamps: ${RX_STAMPS:-false}
  transport: ${TRANSPORT:-uring}
bars: {grace_ms: 200, empty: $4, revision_window: 64}
validation: {max_deviation_bps: 5000}
threads:
  - name: hot
    cpu: -1
    idle: backoff
    stages: [feed]
YAML
}

start_engine() {
    "$BIN/tfengine" -c "$1" 2>"$dir/engine.log" &
    engine_pid=$!
    i=0
    until "$BIN/tfstat" -n "$inst" -d "$dir" --check >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$engine_pid" 2>/dev/null; then
            echo "engine did not come up:"; cat "$dir/engine.log"; return 1
        fi
        sleep 0.05
    done
}

stop_engine() {
    [ -n "$engine_pid" ] || return 0
    kill -TERM "$engine_pid"
    wait "$engine_pid"
    rc=$?
    engine_pid=""
    return $rc
}

dump() { "$BIN/tfdump" -n "$inst" -d "$dir" "$@" 2>/dev/null; }


counter() { # counter NAME_WITH_LABELS: value from tfstat --json
    "$BIN/tfstat" -n "$inst" -d "$dir" --json 2>/dev/null |
        "$PY" "$HERE/json_counter.py" "$1"
}

ALL="trade, aggTrade, bookTicker, depth@100ms, kline_1m"

echo "1. live market data and bad frames"
start_sim --symbols BTCUSDT,ETHUSDT --seed 11 --rate 2000 \
    --fault malformed:every=300 --fault truncate:every=450 --fault oversize:every=700 || exit 1
write_config "$dir/live.yaml" "$port" "$ALL" skip
start_engine "$dir/live.yaml" || exit 1
check "trades reach the journal" wait_for 10 sh -c "\"$BIN/tfdump\" -n $inst -d $dir 2>/dev/null | grep -q 'type=trade symbol=BTCUSDT kind=trade'"
check "aggTrades reach the journal" wait_for 10 sh -c "\"$BIN/tfdump\" -n $inst -d $dir 2>/dev/null | grep -q 'kind=aggTrade'"
check "quotes reach the journal" wait_for 10 sh -c "\"$BIN/tfdump\" -n $inst -d $dir 2>/dev/null | grep -q 'type=quote symbol=ETHUSDT'"
check "a book snapshot is journaled" wait_for 10 sh -c "\"$BIN/tfdump\" -n $inst -d $dir 2>/dev/null | grep -q 'event=book_synced symbol=BTCUSDT'"
check "depth updates follow the snapshot" wait_for 10 sh -c "\"$BIN/tfdump\" -n $inst -d $dir --type depth 2>/dev/null | grep -v snapshot | grep -q 'side='"
check "tfstat shows both books synced" wait_for 10 sh -c "\"$BIN/tfstat\" -n $inst -d $dir 2>/dev/null | grep -c 'book synced' | grep -q 2"
check "tfstat shows the last trade" sh -c "\"$BIN/tfstat\" -n $inst -d $dir | grep -q 'last trade #'"
check "malformed frames counted" wait_for 10 sh -c "[ \"\$(\"$BIN/tfstat\" -n $inst -d $dir --json | \"$PY\" $HERE/json_counter.py 'md_rejected{reason=malformed}')\" -gt 0 ]"
check "oversized frames counted" wait_for 10 sh -c "[ \"\$(\"$BIN/tfstat\" -n $inst -d $dir --json | \"$PY\" $HERE/json_counter.py 'md_rejected{reason=oversized}')\" -gt 0 ]"
"$BIN/tfstat" -n "$inst" -d "$dir" --json >"$dir/live.json"
for reason in unknown_type unknown_symbol missing_field bad_number precision too_many_levels binary unsubscribed; do
    check "every tfsim message decodes (no '$reason' rejections)" \
        [ "$("$PY" "$HERE/json_counter.py" "md_rejected{reason=$reason}" <"$dir/live.json")" -eq 0 ]
done
check "the error log samples a bad frame" sh -c "\"$BIN/tfstat\" -n $inst -d $dir | grep -q md_malformed"
check "the engine is still live" "$BIN/tfstat" -n "$inst" -d "$dir" --check
check "clean stop" stop_engine
stop_sim

echo "2. bars from a recorded stream with duplicates, reordering and gaps"
for policy in skip flat; do
    "$PY" "$HERE/gen_trades.py" --out "$dir/rec.jsonl" --seed 5 --minutes 5 --per-minute 150
    start_sim --symbols BTCUSDT,ETHUSDT --replay "$dir/rec.jsonl" --rate 5000 || exit 1
    write_config "$dir/bars.yaml" "$port" "trade" "$policy"
    start_engine "$dir/bars.yaml" || exit 1
    total=$(wc -l <"$dir/rec.jsonl")
    # Every recorded message handled (accepted or dropped as a duplicate), and
    # the last minute closed (its end + grace is in the past).
    wait_for 30 sh -c "[ \"\$(\"$BIN/tfstat\" -n $inst -d $dir --json | \"$PY\" $HERE/json_counter.py md_messages)\" -ge $total ]"
    sleep 0.5
    dump --type bar >"$dir/bars.txt"
    "$PY" "$HERE/bars_reference.py" "$dir/rec.jsonl" --symbol-precision BTCUSDT=2,5 \
        --symbol-precision ETHUSDT=2,4 --empty "$policy" >"$dir/expected.jsonl"
    check "bars ($policy) equal the reference" "$PY" "$HERE/compare_bars.py" "$dir/bars.txt" "$dir/expected.jsonl"
    check "duplicates were dropped, not journaled" sh -c "[ \"\$(\"$BIN/tfstat\" -n $inst -d $dir --json | \"$PY\" $HERE/json_counter.py 'md_trade_checks{verdict=duplicate}')\" -gt 0 ]"
    check "gaps were reported" sh -c "\"$BIN/tfdump\" -n $inst -d $dir --type feed_event 2>/dev/null | grep -q trade_gap"
    check "clean stop" stop_engine
    stop_sim
done

echo "3. book sync across injected gaps"
start_sim --symbols BTCUSDT,ETHUSDT --seed 12 --rate 3000 --mix depth,trade --messages 30000 \
    --fault gap:every=200 || exit 1
write_config "$dir/book.yaml" "$port" "trade, depth@100ms" skip
start_engine "$dir/book.yaml" || exit 1
# Generation stops after --messages; wait until the engine has handled them.
wait_for 60 sh -c "grep -q 'generation done' $dir/sim.log"
sleep 1
for sym in BTCUSDT ETHUSDT; do
    "$PY" -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
        "http://127.0.0.1:$port/api/v3/depth?symbol=$sym&limit=5000" >"$dir/sim_$sym.json"
done
dump --type depth >"$dir/depth.txt"
check "the engine resynced after gaps" sh -c "[ \"\$(\"$BIN/tfstat\" -n $inst -d $dir --json | \"$PY\" $HERE/json_counter.py md_book_syncs)\" -gt 2 ]"
check "book gaps were reported" sh -c "\"$BIN/tfdump\" -n $inst -d $dir --type feed_event 2>/dev/null | grep -q book_gap"
check "engine books equal tfsim's" "$PY" "$HERE/compare_book.py" "$dir/depth.txt" \
    BTCUSDT="$dir/sim_BTCUSDT.json" ETHUSDT="$dir/sim_ETHUSDT.json"
check "clean stop" stop_engine
stop_sim

echo "4. reconnects"
start_sim --symbols BTCUSDT --seed 13 --rate 4000 --mix trade --record "$dir/sent.jsonl" \
    --fault drop:every=1500 --fault dup:every=50 --duration 12 || exit 1
write_config "$dir/rc.yaml" "$port" "trade" skip
start_engine "$dir/rc.yaml" || exit 1
wait_for 20 sh -c "[ \"\$(\"$BIN/tfstat\" -n $inst -d $dir --json | \"$PY\" $HERE/json_counter.py feed_connects)\" -ge 4 ]"
check "reconnected at least 3 times" sh -c "[ \"\$(\"$BIN/tfstat\" -n $inst -d $dir --json | \"$PY\" $HERE/json_counter.py feed_connects)\" -ge 4 ]"
check "disconnects journaled" sh -c "\"$BIN/tfdump\" -n $inst -d $dir --type feed_event 2>/dev/null | grep -q disconnected"
stop_sim
sleep 0.5
dump --type trade >"$dir/trades.txt"
dump --type feed_event >"$dir/events.txt"
check "no duplicate trade, every missing id in a reported gap" \
    "$PY" "$HERE/check_trades.py" "$dir/trades.txt" "$dir/events.txt" "$dir/sent.jsonl"
check "clean stop" stop_engine

echo "5. wss, serverShutdown, a stalled feed"
start_sim --tls --symbols BTCUSDT,ETHUSDT --seed 14 --rate 2000 --fault shutdown:after=3000 \
    --fault stall:ms=4000,every=6000 || exit 1
write_config "$dir/tls.yaml" "$port" "trade, depth@100ms" skip s
start_engine "$dir/tls.yaml" || exit 1
check "trades arrive over wss" wait_for 10 sh -c "\"$BIN/tfdump\" -n $inst -d $dir --type trade 2>/dev/null | grep -q 'symbol=ETHUSDT'"
check "the book syncs over https" wait_for 10 sh -c "\"$BIN/tfdump\" -n $inst -d $dir --type feed_event 2>/dev/null | grep -q book_synced"
check "serverShutdown is journaled and followed" wait_for 15 sh -c "\"$BIN/tfdump\" -n $inst -d $dir --type feed_event 2>/dev/null | grep -q server_shutdown"
check "reconnected after serverShutdown" wait_for 10 sh -c "[ \"\$(\"$BIN/tfstat\" -n $inst -d $dir --json | \"$PY\" $HERE/json_counter.py feed_connects)\" -ge 2 ]"
check "a stall is caught by the idle timeout" wait_for 20 sh -c "[ \"\$(\"$BIN/tfstat\" -n $inst -d $dir --json | \"$PY\" $HERE/json_counter.py feed_idle_timeouts)\" -ge 1 ]"
check "clean stop" stop_engine
stop_sim

echo "6. planned rotation before the venue's 24 h cut (here after 10 s)"
start_sim --symbols BTCUSDT --seed 15 --rate 500 || exit 1
ROTATE=10 write_config "$dir/rot.yaml" "$port" "trade" skip
start_engine "$dir/rot.yaml" || exit 1
check "the connection is rotated" wait_for 25 sh -c "\"$BIN/tfdump\" -n $inst -d $dir --type feed_event 2>/dev/null | grep -q 'event=rotate'"
check "and reconnected at once" wait_for 5 sh -c "[ \"\$(\"$BIN/tfstat\" -n $inst -d $dir --json | \"$PY\" $HERE/json_counter.py feed_connects)\" -ge 2 ]"
check "clean stop" stop_engine
stop_sim

echo "7. the WebSocket layer"
start_sim --symbols BTCUSDT --seed 16 --rate 2000 --mix trade --record "$dir/ws_sent.jsonl" \
    --fault ws-fragment:every=7 --fault ws-close:after=3000 --duration 5 || exit 1
write_config "$dir/ws.yaml" "$port" "trade" skip
start_engine "$dir/ws.yaml" || exit 1
check "the venue's close frame is answered" wait_for 15 grep -q "our close answered" "$dir/sim.log"
check "the venue's pings inside fragmented messages are answered" \
    sh -c "grep 'our close answered' $dir/sim.log | grep -qv ' 0 pongs'"
check "and the engine reconnects" wait_for 10 sh -c "[ \"\$(\"$BIN/tfstat\" -n $inst -d $dir --json | \"$PY\" $HERE/json_counter.py feed_connects)\" -ge 2 ]"
wait_for 20 sh -c "grep -q 'generation done' $dir/sim.log"
sleep 0.5
check "no fragmented message refused" sh -c "[ \"\$(\"$BIN/tfstat\" -n $inst -d $dir --json | \"$PY\" $HERE/json_counter.py md_rejected)\" -eq 0 ]"
dump --type trade >"$dir/ws_trades.txt"
dump --type feed_event >"$dir/ws_events.txt"
check "every trade journaled whole, or its id in a reported gap" \
    "$PY" "$HERE/check_trades.py" "$dir/ws_trades.txt" "$dir/ws_events.txt" "$dir/ws_sent.jsonl"
check "clean stop" stop_engine
stop_sim
start_sim --symbols BTCUSDT --seed 17 --rate 2000 --mix trade --fault ws-badframe:after=1000 || exit 1
write_config "$dir/ws.yaml" "$port" "trade" skip
start_engine "$dir/ws.yaml" || exit 1
check "a frame that breaks the protocol closes the stream, said so" wait_for 10 sh -c \
    "\"$BIN/tfstat\" -n $inst -d $dir --once --no-color | grep -q 'protocol error from the'"
check "and the engine reconnects after it" wait_for 10 sh -c "[ \"\$(\"$BIN/tfstat\" -n $inst -d $dir --json | \"$PY\" $HERE/json_counter.py feed_connects)\" -ge 2 ]"
check "clean stop" stop_engine
stop_sim
start_sim --tls --symbols BTCUSDT,ETHUSDT --seed 18 --rate 2000 || exit 1
TRANSPORT=lws RX_STAMPS=true write_config "$dir/lws.yaml" "$port" "trade, depth@100ms" skip s
start_engine "$dir/lws.yaml" || exit 1
check "feed.transport lws: trades arrive over wss" wait_for 10 sh -c \
    "\"$BIN/tfdump\" -n $inst -d $dir --type trade 2>/dev/null | grep -q 'symbol=ETHUSDT'"
check "the kernel's receive stamps are taken (feed.rx_timestamps)" wait_for 10 sh -c \
    "[ \"\$(\"$BIN/tfstat\" -n $inst -d $dir --once --no-color | awk '\$1==\"md_kernel_to_recv_ns\"{print \$2}')\" -gt 0 ] 2>/dev/null"
check "clean stop" stop_engine
stop_sim

echo "feed integration: $fails failed"
[ $fails -eq 0 ]

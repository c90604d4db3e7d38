#!/bin/sh
# Valgrind: no leaks and no memory errors in the engine's start/stop cycle
# (including a disk-backed journal restart) and in the tools reading it.
set -u
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind: not installed (make deps)" >&2; exit 1; }
dir=$(mktemp -d /dev/shm/tf-valgrind.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cfg=$dir/vg.yaml
cat >"$cfg" <<YAML
instance: vg$$
shm:
  dir: $dir
rings:
  capacity: 1024
journal:
  md:
    capacity: 65536
    file: $dir/disk/md.journal
synthetic:
  rate_per_s: 20000
threads:
  - name: hot
    cpu: -1
    idle: backoff
    stages: [synth_source, synth_sink]
YAML
VG="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99"
fail=0
# run EXPECTED_EXIT CMD...: valgrind's own verdict is exit 99.
run() {
    want=$1; shift
    echo "valgrind: $*"
    $VG "$@" >"$dir/out" 2>&1
    rc=$?
    if [ $rc -ne "$want" ]; then
        echo "valgrind: FAILED (exit $rc, wanted $want): $*"; sed 's/^/    /' "$dir/out" | tail -40; fail=1
    fi
}
build/bin/tfengine -c "$cfg" --duration 3 2>/dev/null &
sleep 1
run 0 build/bin/tfctl -n vg$$ -d "$dir" ping -c 100   # while an engine runs
wait
run 0 build/bin/tfengine -c "$cfg" --duration 2
run 0 build/bin/tfengine -c "$cfg" --duration 1       # restart: journal recovered
run 0 build/bin/tfstat -n vg$$ -d "$dir"
run 0 build/bin/tfstat -n vg$$ -d "$dir" --json
run 0 build/bin/tfdump -n vg$$ -d "$dir" --from oldest -c 1000
run 2 build/bin/tfengine -c "$dir/missing.yaml"      # error path frees too

# The feed stage against tfsim: libwebsockets, books, bars, reconnects.
build/bin/tfsim --port 0 --port-file "$dir/simport" --symbols BTCUSDT --seed 3 --rate 2000 \
    --fault drop:every=1500 >"$dir/sim.log" 2>&1 &
sim=$!
i=0
while [ ! -s "$dir/simport" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
cat >"$dir/feed.yaml" <<YAML
instance: vgfeed$$
shm: {dir: $dir}
journal: {md: {capacity: 65536}}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001"}
feed: {url: "ws://127.0.0.1:$(cat "$dir/simport")", rest_url: "http://127.0.0.1:$(cat "$dir/simport")",
       reconnect_min_ms: 20}
bars: {grace_ms: 100}
threads:
  - {name: hot, cpu: -1, idle: backoff, stages: [feed]}
YAML
run 0 build/bin/tfengine -c "$dir/feed.yaml" --duration 4
run 0 build/bin/tfstat -n vgfeed$$ -d "$dir"
run 0 build/bin/tfdump -n vgfeed$$ -d "$dir" --from oldest -c 2000

# The order path: the plugin, the risk gate, the OMS and the paper venue
# trading on tfsim's market, tfctl requests meanwhile, then a restart that
# replays the disk-backed order journal.
cat >"$dir/orders.yaml" <<YAML
instance: vgord$$
shm: {dir: $dir}
journal: {md: {capacity: 65536}}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001"}
feed: {url: "ws://127.0.0.1:$(cat "$dir/simport")", rest_url: "http://127.0.0.1:$(cat "$dir/simport")",
       streams: [trade, bookTicker, depth@100ms]}
export: {run_dir: $dir/run}
orders: {capacity: 1024, journal_capacity: 65536, journal_file: $dir/run/orders.journal,
         plugin: build/lib/sample_strategy.so, plugin_params: "symbol=BTCUSDT,every=5,offset_ticks=1,qty_lots=100"}
risk:
  strategies: [{id: 2, name: manual}]
threads:
  - {name: hot, cpu: -1, idle: backoff, stages: [feed, strategy, risk, oms, paper]}
YAML
# Stopped by SIGTERM once every tool below has run (a fixed duration raced
# the tools under valgrind on a busy host).
$VG build/bin/tfengine -c "$dir/orders.yaml" --duration 120 >"$dir/out_orders" 2>&1 &
eng=$!
i=0
while ! build/bin/tfctl -n vgord$$ -d "$dir" risk >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 2
# The monitoring processes beside it: tfexport-prom scraped twice, the
# watchdog watching; both stopped with SIGTERM.
$VG build/bin/tfexport-prom -c "$dir/orders.yaml" --port-file "$dir/promport" >"$dir/out_prom" 2>&1 &
prom=$!
$VG build/bin/tfwatchdog -c "$dir/orders.yaml" >"$dir/out_wd" 2>&1 &
wd=$!
i=0
while [ ! -s "$dir/promport" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
for k in 1 2; do curl -s --max-time 10 "http://127.0.0.1:$(cat "$dir/promport")/metrics" >"$dir/metrics$k" || true; done
grep -q '^tradefan_engine_up{instance_name="vgord'"$$"'"} 1' "$dir/metrics2" ||
    { echo "valgrind: FAILED: tfexport-prom served no live engine"; fail=1; }
# tfconsole: a page and its pieces fetched, a WebSocket held open 3 s (hello,
# history, frames, state), an operator action refused; stopped with SIGTERM.
sed -e "s|^export: {run_dir: $dir/run}|export: {run_dir: $dir/run, console: {enabled: true, port: 0}}|" \
    "$dir/orders.yaml" >"$dir/console.yaml"
$VG build/bin/tfconsole -c "$dir/console.yaml" --port-file "$dir/conport" >"$dir/out_con" 2>&1 &
con=$!
i=0
while [ ! -s "$dir/conport" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
cu="http://127.0.0.1:$(cat "$dir/conport")"
for p in / /console.js /vendor/uPlot.min.css /nothing; do curl -s --max-time 10 -o /dev/null "$cu$p" || true; done
curl -s --max-time 10 -o /dev/null -X POST "$cu/v1/op/kill?on=1" || true
node --experimental-websocket -e '
const ws = new WebSocket(process.argv[1], ["tf-console"]); let n = 0;
ws.onmessage = (e) => { if (JSON.parse(e.data).type === "hello") ws.send(JSON.stringify({type: "resume", after: {}})); n++; };
setTimeout(() => { console.log("messages " + n); process.exit(n > 2 ? 0 : 1); }, 3000);' "ws://127.0.0.1:$(cat "$dir/conport")/ws" \
    >"$dir/out_ws" 2>&1 || { echo "valgrind: FAILED: tfconsole pushed nothing: $(cat "$dir/out_ws")"; fail=1; }
kill -TERM $con
wait $con; rc_con=$?
[ $rc_con -eq 0 ] || { echo "valgrind: FAILED (exit $rc_con): tfconsole"; tail -40 "$dir/out_con" | sed 's/^/    /'; fail=1; }
kill -TERM $prom $wd
wait $prom; rc_prom=$?
wait $wd; rc_wd=$?
[ $rc_prom -eq 0 ] || { echo "valgrind: FAILED (exit $rc_prom): tfexport-prom"; tail -40 "$dir/out_prom" | sed 's/^/    /'; fail=1; }
[ $rc_wd -eq 0 ] || { echo "valgrind: FAILED (exit $rc_wd): tfwatchdog"; tail -40 "$dir/out_wd" | sed 's/^/    /'; fail=1; }
run 0 build/bin/tfctl -n vgord$$ -d "$dir" orders --all
run 0 build/bin/tfctl -n vgord$$ -d "$dir" limits
run 0 build/bin/tfctl -n vgord$$ -d "$dir" kill on --flatten
run 0 build/bin/tfctl -n vgord$$ -d "$dir" kill off
run 0 build/bin/tfstat -n vgord$$ -d "$dir" --json
kill -TERM $eng
wait $eng
rc=$?
if [ $rc -ne 0 ]; then
    echo "valgrind: FAILED (exit $rc): the engine with the order path"; tail -40 "$dir/out_orders" | sed 's/^/    /'; fail=1
fi
run 0 build/bin/tfengine -c "$dir/orders.yaml" --duration 2  # replays the order journal
kill -TERM $sim 2>/dev/null
wait $sim

# Trading over FIX: the exio stage (io_uring, the session layer) against
# tfsim's FIX gateway, which runs under valgrind too; a dropped session
# (SIGUSR1) and a restart that reconciles by status requests.
$VG build/bin/tfsim --port 0 --port-file "$dir/fixsim" --fix-port 0 --fix-port-file "$dir/fixport" \
    --symbols BTCUSDT --seed 5 --rate 1000 >"$dir/out_fixsim" 2>&1 &
fsim=$!
i=0
while { [ ! -s "$dir/fixsim" ] || [ ! -s "$dir/fixport" ]; } && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
cat >"$dir/fix.yaml" <<YAML
instance: vgfix$$
shm: {dir: $dir}
journal: {md: {capacity: 65536}}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001"}
feed: {url: "ws://127.0.0.1:$(cat "$dir/fixsim")", rest_url: "http://127.0.0.1:$(cat "$dir/fixsim")",
       streams: [trade, bookTicker, depth@100ms]}
export: {run_dir: $dir/runfix}
orders: {capacity: 1024, journal_capacity: 65536, journal_file: $dir/runfix/orders.journal,
         plugin: build/lib/sample_strategy.so, plugin_params: "symbol=BTCUSDT,every=5,offset_ticks=1,qty_lots=100"}
exchange: {host: 127.0.0.1, port: $(cat "$dir/fixport"), sender_comp_id: VGENGINE, target_comp_id: TFSIM,
           reconnect_min_ms: 50, reconnect_max_ms: 200}
threads:
  - {name: hot, cpu: -1, idle: backoff, stages: [feed, strategy, risk, oms, exio]}
YAML
$VG build/bin/tfengine -c "$dir/fix.yaml" --duration 10 >"$dir/out_fix" 2>&1 &
eng=$!
i=0
while ! build/bin/tfctl -n vgfix$$ -d "$dir" risk >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 4
kill -USR1 $fsim
sleep 2
run 0 build/bin/tfctl -n vgfix$$ -d "$dir" orders --all
run 0 build/bin/tfstat -n vgfix$$ -d "$dir" --json
wait $eng
rc=$?
if [ $rc -ne 0 ]; then
    echo "valgrind: FAILED (exit $rc): the engine trading over FIX"; tail -40 "$dir/out_fix" | sed 's/^/    /'; fail=1
fi
run 0 build/bin/tfengine -c "$dir/fix.yaml" --duration 3  # replays, logs on, reconciles
kill -TERM $fsim 2>/dev/null
wait $fsim
rc=$?
if [ $rc -ne 0 ]; then
    echo "valgrind: FAILED (exit $rc): tfsim with its FIX gateway"; tail -40 "$dir/out_fixsim" | sed 's/^/    /'; fail=1
fi
$VG build/bin/tfsim --port 0 --symbols BTCUSDT --rate 1000 --duration 2 >"$dir/out" 2>&1 ||
    { echo "valgrind: FAILED: tfsim"; tail -40 "$dir/out" | sed 's/^/    /'; fail=1; }
echo "valgrind: $([ $fail -eq 0 ] && echo 1 passed, 0 failed || echo 0 passed, 1 failed)"
[ $fail -eq 0 ]

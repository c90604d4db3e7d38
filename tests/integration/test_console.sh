#!/bin/sh
# Integration: the web console in a real browser. tfsim feeds an engine that
# trades (the sample strategy on the paper venue); tfquery and tfconsole
# follow it. tests/browser/console_test.mjs drives Debian's Chromium
# headless (playwright-core, pinned in web/package-lock.json): every page
# loads without a console error, what the pages show equals tfquery's JSON,
# a trade is on screen within a measured time, a dropped WebSocket resumes
# without gaps or repeats, and operator actions are refused without the
# operator's token. Screenshots of each page: build/artifacts/console/.
# Then tfconsole bound beyond loopback refuses to start without a token, and
# with one refuses a WebSocket that does not offer it.
# Every wait is bounded.
set -u
cd "$(dirname "$0")/../.."
BIN=build/bin
. tuning/servers.sh
dir=$(mktemp -d /dev/shm/tf-console.XXXXXX)
inst=con$$
art=${TF_ARTIFACTS:-build/artifacts}/console
pids=""
cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    if [ -n "${TF_KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
fails=0
. tests/integration/lib.sh
for tool in node /usr/bin/chromium; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is required (make deps)"; exit 1; }
done
[ -f web/node_modules/playwright-core/index.mjs ] || { echo "FAIL: web/node_modules is missing (make deps: npm ci in web/)"; exit 1; }
[ -f build/web/index.html ] || { echo "FAIL: build/web is missing (make)"; exit 1; }

"$BIN/tfsim" --port 0 --port-file "$dir/port" --symbols BTCUSDT,ETHUSDT --rate 500 >"$dir/sim.log" 2>&1 & pids="$pids $!"
wait_for 5 test -s "$dir/port" || { echo "FAIL tfsim did not come up"; exit 1; }
port=$(cat "$dir/port")
printf 'op-%s\n' "$$" >"$dir/operator"; chmod 600 "$dir/operator"
printf 'viewer-%s\n' "$$" >"$dir/viewer"; chmod 600 "$dir/viewer"
cat >"$dir/cfg.yaml" <<YAML
instance: $inst
shm: {dir: $dir, mode: 0640, on_stale: replace}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001", min_notional: "5"}
  - {symbol: ETHUSDT, price_precision: 2, qty_precision: 4, tick_size: "0.01", lot_size: "0.0001", min_notional: "5"}
feed:
  url: ws://127.0.0.1:$port
  rest_url: http://127.0.0.1:$port
  streams: [trade, bookTicker, depth@100ms]
bars: {grace_ms: 200}
export:
  run_dir: $dir/run
  influx: {enabled: false}
  redis: {enabled: false}
  query: {port: 0}
  console: {enabled: true, port: 0, operator_token: {file: $dir/operator}}
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
    - {id: 2, name: manual}
threads:
  - {name: hot, idle: backoff, stages: [feed, strategy, risk, oms, paper]}
YAML
"$BIN/tfengine" -c "$dir/cfg.yaml" >"$dir/engine.log" 2>&1 & pids="$pids $!"
wait_for 10 "$BIN/tfctl" -d "$dir" -n "$inst" risk >/dev/null || { echo "FAIL engine did not come up"; cat "$dir/engine.log"; exit 1; }
"$BIN/tfquery" -c "$dir/cfg.yaml" --port-file "$dir/qport" 2>"$dir/q.log" & pids="$pids $!"
"$BIN/tfconsole" -c "$dir/cfg.yaml" --port-file "$dir/cport" 2>"$dir/console.log" & pids="$pids $!"
wait_for 5 test -s "$dir/qport" && wait_for 5 test -s "$dir/cport" || { echo "FAIL tfquery or tfconsole"; cat "$dir/console.log"; exit 1; }
"$BIN/tfctl" -d "$dir" -n "$inst" -s 2 new BTCUSDT buy 0.01 market >/dev/null

echo "the console in headless Chromium"
check "every browser check passes (screenshots in $art)" \
    node tests/browser/console_test.mjs "http://127.0.0.1:$(cat "$dir/cport")/" "http://127.0.0.1:$(cat "$dir/qport")" \
    "op-$$" "$art"

echo "beyond loopback"
sed -e "s|console: {enabled: true, port: 0, operator_token: {file: $dir/operator}}|console: {enabled: true, bind: 0.0.0.0, port: 0}|" \
    "$dir/cfg.yaml" >"$dir/open.yaml"
# Bounded: a tfconsole that started anyway would serve until killed.
check "bound to 0.0.0.0 without a token: refuses to start, saying why" sh -c \
    "timeout 5 '$BIN/tfconsole' -c '$dir/open.yaml' >'$dir/open.out' 2>&1; test \$? -eq 1 && grep -q 'no export.console.token' '$dir/open.out'"
sed -e "s|bind: 0.0.0.0, port: 0}|bind: 0.0.0.0, port: 0, token: {file: $dir/viewer}}|" "$dir/open.yaml" >"$dir/tok.yaml"
"$BIN/tfconsole" -c "$dir/tok.yaml" --port-file "$dir/tport" 2>"$dir/console2.log" & pids="$pids $!"
wait_for 5 test -s "$dir/tport"
ws() { node --experimental-websocket -e '
const [url, proto] = process.argv.slice(1);
const ws = new WebSocket(url, proto.split(","));
ws.onmessage = (e) => { console.log(JSON.parse(e.data).type); process.exit(0); };
ws.onerror = () => { console.log("refused"); process.exit(0); };
setTimeout(() => { console.log("timeout"); process.exit(0); }, 3000);' "$@" 2>/dev/null; }
out=$(ws "ws://127.0.0.1:$(cat "$dir/tport")/ws" tf-console)
check "a WebSocket without the viewer's token: refused (it got: $out)" test "$out" = refused
out=$(ws "ws://127.0.0.1:$(cat "$dir/tport")/ws" "tf-console,bearer.viewer-$$")
check "with it: hello (it got: $out)" test "$out" = hello

[ $fails -ne 0 ] && tail -n 5 "$dir/console.log" "$dir/engine.log"
echo "test_console: $fails failed"
[ $fails -eq 0 ]

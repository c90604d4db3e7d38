#!/bin/sh
# Integration: monitoring and alerting end to end, every part real and on
# loopback. Two tfsim processes (the market-data venue and the FIX venue),
# the engine trading over FIX, tfexport-prom, Debian's prometheus,
# prometheus-alertmanager and prometheus-node-exporter with the configs
# from tuning/monitoring/ (rendered by render.sh), and local receivers for
# the webhook, Slack, Telegram and email (tests/integration/alert_sinks.py).
#  1. the configs: promtool check config/rules, promtool test rules,
#     amtool check-config; a live scrape passes promtool check metrics;
#     Prometheus scrapes the engine and the node exporter
#  2. faults, one at a time; each prints how long detection (firing in
#     Prometheus) and delivery (each receiver) took after the fault:
#     a. PnL pushed past 5 % of the daily loss limit (losing trades, then
#        the limit lowered live with tfctl)
#     b. a stalled engine (SIGSTOP for 3 s): also seen by tfwatchdog, which
#        says so (its log, tfstat, tfexport-prom) and trips the kill switch
#        through the door once the engine runs again (watchdog.kill_switch)
#     c. the FIX venue gone (its tfsim killed)
#     d. the market-data venue gone (its tfsim killed)
#  3. inhibition: with the engine stopped, its feed and stage alerts are
#     not delivered, the engine-down page is
set -u
cd "$(dirname "$0")/../.."
BIN=$(pwd)/build/bin
PY=/usr/bin/python3
HERE=tests/integration
dir=$(mktemp -d /dev/shm/tf-alerts.XXXXXX)
inst=alr$$
pids=""
cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    kill -CONT "${engine_pid:-0}" 2>/dev/null
    if [ -n "${TF_KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
fails=0
. tests/integration/lib.sh
. tuning/servers.sh
for tool in prometheus promtool prometheus-alertmanager amtool prometheus-node-exporter; do
    command -v $tool >/dev/null || { echo "FAIL $tool is missing (make deps)"; exit 1; }
done
$PY -c "import aiosmtpd" 2>/dev/null || { echo "FAIL python3-aiosmtpd is missing (make deps)"; exit 1; }
T="$BIN/tfctl -d $dir -n $inst"
now() { $PY -c 'import time; print("%.6f" % time.time())'; }

# ---- the receivers, the venues, the engine, the exporter -------------------
$PY $HERE/alert_sinks.py "$dir/events.jsonl" "$dir/http_port" "$dir/smtp_port" 2>"$dir/sinks.log" &
pids="$pids $!"
wait_for 10 test -s "$dir/smtp_port" || { echo "FAIL the alert receivers did not start"; cat "$dir/sinks.log"; exit 1; }
hp=$(cat "$dir/http_port"); sp=$(cat "$dir/smtp_port")

"$BIN/tfsim" --port 0 --port-file "$dir/md_port" --symbols BTCUSDT --rate 1000 >"$dir/sim_md.log" 2>&1 &
md_pid=$!; pids="$pids $md_pid"
mkdir -p "$dir/run/tfsim"
"$BIN/tfsim" --port 0 --port-file "$dir/unused_port" --fix-port 0 --fix-port-file "$dir/fix_port" \
    --fix-store "$dir/run/tfsim" --symbols BTCUSDT --rate 1000 --taker-fee-bps 10 >"$dir/sim_fix.log" 2>&1 &
fix_pid=$!; pids="$pids $fix_pid"
wait_for 5 test -s "$dir/md_port" && wait_for 5 test -s "$dir/fix_port" ||
    { echo "FAIL tfsim did not come up"; cat "$dir"/sim_*.log; exit 1; }
cat >"$dir/cfg.yaml" <<YAML
instance: $inst
shm: {dir: $dir, mode: 0640, on_stale: replace}
journal:
  md: {capacity: 65536}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001", min_notional: "5"}
feed:
  url: ws://127.0.0.1:$(cat "$dir/md_port")
  rest_url: http://127.0.0.1:$(cat "$dir/md_port")
  streams: [trade, bookTicker, depth@100ms]
export: {run_dir: $dir/run, prom: {port: 0}}
orders:
  capacity: 4096
  journal_capacity: 262144
risk:
  orders_per_s: 1000
  max_open_orders: 100
  daily_loss_limit: "1000000"
  instruments:
    - {symbol: BTCUSDT, max_order_qty: "1", max_position: "2", collar_bps: 500}
  strategies:
    - {id: 1, name: manual}
exchange:
  host: 127.0.0.1
  port: $(cat "$dir/fix_port")
  sender_comp_id: TFENGINE
  target_comp_id: TFSIM
  store_dir: $dir/run/fix
  reconnect_min_ms: 50
  reconnect_max_ms: 500
  heartbeat_s: 5
watchdog: {stall_ms: 250, poll_ms: 20, kill_switch: true}
threads:
  - {name: hot, idle: backoff, stages: [feed, risk, oms, exio]}
YAML
"$BIN/tfengine" -c "$dir/cfg.yaml" >"$dir/engine.log" 2>&1 &
engine_pid=$!; pids="$pids $engine_pid"
wait_for 10 $T risk || { echo "FAIL engine did not come up"; cat "$dir/engine.log"; exit 1; }
"$BIN/tfexport-prom" -c "$dir/cfg.yaml" --port-file "$dir/prom_port" 2>"$dir/tfexport-prom.log" &
pids="$pids $!"
wait_for 5 test -s "$dir/prom_port" || { echo "FAIL tfexport-prom did not come up"; cat "$dir/tfexport-prom.log"; exit 1; }
pp=$(cat "$dir/prom_port")
"$BIN/tfwatchdog" -c "$dir/cfg.yaml" 2>"$dir/watchdog.log" &
pids="$pids $!"

# ---- Prometheus, Alertmanager, the node exporter ---------------------------
np=$(tf_free_port); ap=$(tf_free_port); qp=$(tf_free_port)
mkdir -p "$dir/secrets"; chmod 700 "$dir/secrets"
(umask 077; echo "http://127.0.0.1:$hp/slack" >"$dir/secrets/slack_webhook_url"
 echo "123456:test-token" >"$dir/secrets/telegram_bot_token"; : >"$dir/secrets/smtp_password")
TF_MONITORING_SECRETS="$dir/secrets" TF_SMTP_HOST="127.0.0.1:$sp" TF_ALERT_WEBHOOK="http://127.0.0.1:$hp/alerts" \
    TF_TELEGRAM_API="http://127.0.0.1:$hp" sh tuning/monitoring/render.sh "$dir/mon" "$pp" "$np" "$ap" ||
    { echo "FAIL render.sh"; exit 1; }
tf_start_node_exporter "$np" || exit 1; pids="$pids $node_exporter_pid"
tf_start_alertmanager "$dir" "$ap" "$dir/mon/alertmanager.yml" || exit 1; pids="$pids $alertmanager_pid"
tf_start_prometheus "$dir" "$qp" "$dir/mon/prometheus.yml" || exit 1; pids="$pids $prometheus_pid"
PROM=http://127.0.0.1:$qp

echo "1. the configs and the scrape"
check "promtool check config (the shipped prometheus.yml, rendered)" sh -c "promtool check config '$dir/mon/prometheus.yml' >/dev/null"
check "promtool test rules (tuning/monitoring/rules)" sh -c "promtool test rules tuning/monitoring/rules/tradefan.rules.test.yml >/dev/null"
check "amtool check-config (the shipped alertmanager.yml, rendered)" sh -c "amtool check-config '$dir/mon/alertmanager.yml' >/dev/null"
check "the rendered alertmanager.yml is private (0600)" test "$(stat -c %a "$dir/mon/alertmanager.yml")" = 600
check "the placeholder config has no credentials in it" sh -c "! grep -q test-token tuning/monitoring/alertmanager.yml"
mkdir -p "$dir/s2" && echo x >"$dir/s2/smtp_password" && chmod 644 "$dir/s2/smtp_password"
check "render.sh refuses a secret readable by others" sh -c "! TF_MONITORING_SECRETS='$dir/s2' sh tuning/monitoring/render.sh '$dir/mon2' 1 2 3 2>/dev/null"
curl -s "http://127.0.0.1:$pp/metrics" >"$dir/metrics.txt"
check "a live scrape passes promtool check metrics (no warning)" sh -c "promtool check metrics <'$dir/metrics.txt' >'$dir/lint.txt' 2>&1"
[ -s "$dir/lint.txt" ] && sed 's/^/    /' "$dir/lint.txt" | head -10
for m in trading_orders_total trading_latency_seconds_bucket trading_pnl trading_positions tradefan_ring_depth \
         tradefan_stage_heartbeat_age_seconds tradefan_feed_connected tradefan_venue_session_up \
         tradefan_risk_rejects_total tradefan_kill_switch_active tradefan_thread_busy_seconds_total; do
    check "  serves $m" grep -q "^$m" "$dir/metrics.txt"
done
curl -s "http://127.0.0.1:$np/metrics" >"$dir/node.txt"
check "every Grafana dashboard query names a metric really served (tfexport-prom, node exporter)" \
    $PY tests/monitoring/check_dashboards.py --prom-metrics "$dir/metrics.txt" --prom-metrics "$dir/node.txt"
check "unknown path: 404" sh -c "test \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$pp/nope) = 404"
targets_up() {
    curl -s "$PROM/api/v1/query?query=up" | $PY -c "import json,sys; r=json.load(sys.stdin)['data']['result']; \
sys.exit(0 if sorted(x['metric']['job'] for x in r if x['value'][1]=='1') == ['node','tradefan'] else 1)"
}
wait_for 15 targets_up
check "Prometheus scrapes tfexport-prom and the node exporter (both up)" targets_up
logged_on() { curl -s "http://127.0.0.1:$pp/metrics" | grep -q '^tradefan_venue_session_up{instance_name="'"$inst"'",session="0"} 1'; }
wait_for 15 logged_on
check "the engine is logged on to the FIX venue" logged_on
wait_for 10 sh -c "$T quote BTCUSDT" || true
quiet() { ! $PY -c "import json,sys,urllib.request; d=json.load(urllib.request.urlopen('$PROM/api/v1/alerts')); \
sys.exit(0 if any(a['state']=='firing' for a in d['data']['alerts']) else 1)"; }
wait_for 10 quiet
check "no alert fires on a healthy engine" quiet

ALL=webhook,email,slack,telegram
fault() { # fault ALERT: wait for it after the fault time $t0, print the timings
    if $PY $HERE/wait_alert.py "$PROM" "$dir/events.jsonl" "$1" "$t0" "$ALL" 30 >"$dir/timing" 2>&1; then
        echo "  ok   $(cat "$dir/timing")"
    else
        echo "  FAIL $(cat "$dir/timing")"; fails=$((fails + 1))
    fi
}

echo "2. faults: detection and delivery"
# a. Two market orders lose the spread and two taker fees; then the daily
#    loss limit is lowered live so that the loss is past 5 % of it (10x).
$T -s 1 new BTCUSDT buy 0.01 market >/dev/null && sleep 0.3 && $T -s 1 new BTCUSDT sell 0.01 market >/dev/null
pnl_below_zero() { curl -s "http://127.0.0.1:$pp/metrics" | awk '$1 == "tradefan_daily_pnl" {exit !($2 < 0)}'; }
wait_for 10 pnl_below_zero
pnl=$(curl -s "http://127.0.0.1:$pp/metrics" | awk '$1 == "tradefan_daily_pnl" {print $2}')
limit=$($PY -c "print('%.2f' % max(0.01, -10 * float('${pnl:-0}')))")
t0=$(now)
$T limit daily_loss_limit "" "$limit" >/dev/null
echo "  (daily PnL $pnl, limit lowered to $limit)"
fault TradeFanDailyLoss
# b. The engine stopped in its tracks (every stage stalls).
metric() { curl -s "http://127.0.0.1:$pp/metrics" | awk -v m="$1{instance_name=\"$inst\"}" '$1 == m {print $2}'; }
stalls0=$(metric tradefan_watchdog_stalls_total)
t0=$(now)
kill -STOP "$engine_pid"
wd=$($PY - "http://127.0.0.1:$pp/metrics" "$t0" "${stalls0:-0}" <<'PYEOF'
import sys, time, urllib.request
url, t0, before = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
while time.time() < t0 + 10:
    for line in urllib.request.urlopen(url, timeout=1).read().decode().splitlines():
        if line.startswith("tradefan_watchdog_stalls_total{") and float(line.split()[1]) > before:
            print("%.2f" % (time.time() - t0))
            sys.exit(0)
    time.sleep(0.02)
print("never")
PYEOF
)
check "tfwatchdog sees the stall out of band (after $wd s, in tfexport-prom)" test "$wd" != never
fault TradeFanStageStalled
check "  ... and says which stage in its log" grep -q "STALL: stage .* not polled" "$dir/watchdog.log"
check "  ... and in tfstat" sh -c "$BIN/tfstat -d $dir -n $inst --once --no-color | grep -q 'watchdog .*stalls [1-9]'"
kill -CONT "$engine_pid"
killed() { curl -s "http://127.0.0.1:$pp/metrics" | grep -q '^tradefan_kill_switch_active{instance_name="'"$inst"'"} 1'; }
wait_for 10 killed
check "  ... and trips the kill switch once the engine runs again (watchdog.kill_switch)" killed
check "  ... which its log says" grep -q "kill switch tripped" "$dir/watchdog.log"
# c. The FIX venue goes away.
t0=$(now)
kill -9 "$fix_pid"
fault TradeFanVenueSessionDown
# d. The market-data venue goes away.
t0=$(now)
kill -9 "$md_pid"
fault TradeFanFeedDisconnected

echo "3. inhibition: a dead engine pages once, not for everything behind it"
t0=$(now)
kill -9 "$engine_pid"
fault TradeFanEngineDown
sleep 3
later=$($PY -c "
import json
n = 0
for l in open('$dir/events.jsonl'):
    e = json.loads(l)
    if e['t'] > $t0 and e['status'] == 'firing' and set(e['alerts']) & {'TradeFanStageStalled', 'TradeFanFeedStale'}:
        n += 1
print(n)")
check "no stage-stalled or feed-stale notification after the engine died ($later)" test "$later" -eq 0

if [ $fails -ne 0 ]; then
    echo "--- engine log"; tail -10 "$dir/engine.log"
    echo "--- alertmanager log"; tail -10 "$dir/alertmanager/alertmanager.log"
    echo "--- events"; tail -20 "$dir/events.jsonl"
fi
echo "test_alerts: $fails failed"
[ $fails -eq 0 ]

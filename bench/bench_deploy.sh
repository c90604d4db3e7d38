#!/bin/sh
# make bench-deploy: deploy and rollback (tuning/deploy) of a whole box on
# this machine, timed end to end: the old box stopped, `current` switched,
# the new box started by the supervisor (Redis, InfluxDB, the monitoring,
# tfsim, the engine, the exporters, tfquery) and the gate passed (engine
# heartbeat, feed live, FIX logged on and reconciled), with an order open
# at the venue throughout. DEPLOY_CYCLES (default 5) deploys, each followed
# by a rollback. There is no tool to compare with: the baseline printed is
# the goal (deploy under 60 s, rollback under 30 s).
set -u
cd "$(dirname "$0")/.."
BIN=build/bin
PY=/usr/bin/python3
cycles=${DEPLOY_CYCLES:-5}
dir=$(mktemp -d /dev/shm/tf-bdeploy.XXXXXX)
root=$dir/opt
inst=bdep$$
cleanup() {
    [ -x "$root/current/bin/tfctl" ] && "$root/current/bin/tfctl" down -c "$dir/cfg.yaml" >/dev/null 2>&1
    rm -rf "$dir"
}
trap cleanup EXIT
. tuning/servers.sh
simport=$(tf_free_port) fixport=$(tf_free_port) rport=$(tf_free_port) iport=$(tf_free_port)
qport=$(tf_free_port) pport=$(tf_free_port)
export TF_PROMETHEUS_PORT=$(tf_free_port) TF_ALERTMANAGER_PORT=$(tf_free_port) TF_NODE_EXPORTER_PORT=$(tf_free_port)
cat >"$dir/cfg.yaml" <<YAML
instance: $inst
shm: {dir: $dir, mode: 0640, on_stale: replace}
journal:
  md: {capacity: 65536}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001", min_notional: "5"}
feed:
  url: ws://127.0.0.1:$simport
  rest_url: http://127.0.0.1:$simport
  streams: [trade, bookTicker, depth@100ms]
export:
  run_dir: $dir/run
  influx: {url: "http://127.0.0.1:$iport", database: tf}
  redis: {port: $rport}
  query: {port: $qport}
  prom: {port: $pport}
orders: {capacity: 1024, journal_file: $dir/run/orders.journal}
risk:
  instruments:
    - {symbol: BTCUSDT, max_order_qty: "1", max_position: "5", collar_bps: 5000}
  strategies:
    - {id: 2, name: manual}
exchange: {host: 127.0.0.1, port: $fixport, sender_comp_id: TFBDEP, target_comp_id: TFSIM,
           store_dir: $dir/run/fix, reconnect_min_ms: 50, reconnect_max_ms: 500, profile: tfsim}
threads:
  - {name: hot, idle: backoff, stages: [feed, risk, oms, exio]}
YAML
D="sh tuning/deploy -r $root"
C=$dir/cfg.yaml
$D install a >/dev/null && $D install b >/dev/null || { echo "bench deploy: install failed" >&2; exit 1; }
$D switch a -c "$C" >"$dir/first.out" 2>&1 || { cat "$dir/first.out"; exit 1; }
T="$BIN/tfctl -d $dir -n $inst"
bid=$($T quote BTCUSDT | cut -d' ' -f1)
low=$("$PY" -c "print('%.2f' % (float('$bid') * 0.97))")
$T -s 2 new BTCUSDT buy 0.001 "$low" >/dev/null 2>&1
: >"$dir/times"
next=b
i=0
while [ $i -lt "$cycles" ]; do
    $D switch $next -c "$C" >"$dir/s.out" 2>&1 || { cat "$dir/s.out"; exit 1; }
    sed -n 's/^deploy: .* live in \([0-9.]*\) s (stop \([0-9.]*\) s, start \([0-9.]*\) s, gate \([0-9.]*\) s).*/deploy \1 \2 \3 \4/p' \
        "$dir/s.out" >>"$dir/times"
    $D rollback -c "$C" >"$dir/r.out" 2>&1 || { cat "$dir/r.out"; exit 1; }
    sed -n 's/^deploy: rolled back to .* in \([0-9.]*\) s (stop \([0-9.]*\) s, start \([0-9.]*\) s, gate \([0-9.]*\) s).*/rollback \1 \2 \3 \4/p' \
        "$dir/r.out" >>"$dir/times"
    i=$((i + 1))
done
open=$($T orders | tail -1)
"$PY" - "$dir/times" "$open" <<'PYEOF'
import sys
rows = [l.split() for l in open(sys.argv[1])]
def q(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))]
print("%-9s %4s %9s %9s %9s %9s %9s" % ("", "n", "p50 s", "max s", "stop p50", "start p50", "gate p50"))
for kind, goal in (("deploy", 60.0), ("rollback", 30.0)):
    r = [list(map(float, x[1:])) for x in rows if x[0] == kind]
    tot = [x[0] for x in r]
    print("%-9s %4d %9.2f %9.2f %9.2f %9.2f %9.2f" % (kind, len(r), q(tot, .5), max(tot), q([x[1] for x in r], .5),
                                                   q([x[2] for x in r], .5), q([x[3] for x in r], .5)))
    for m, val in (("p50", q(tot, .5)), ("max", max(tot))):
        print("bench deploy %s_%s ours=%.2f base=%.0f base_name=goal ratio=%.3f unit=s" % (kind, m, val, goal, val / goal))
print("# the order placed before the first deploy, after them all: %s" % sys.argv[2])
PYEOF

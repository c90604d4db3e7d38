#!/bin/sh
# Integration: deploy and rollback (tuning/deploy) of a whole box run by
# the supervisor, on loopback: releases side by side under a temporary
# ROOT, installed from this tree.
#  1. the first release goes live through the gate (heartbeat, feed, FIX
#     logged on and reconciled)
#  2. an order rests; the next release goes live; the order is still open
#     (the journal and the venue's reconciliation carry it), current and
#     previous say which is which
#  3. a broken release: it does not come up, the deploy rolls back to the
#     one that ran, the order still open
#  4. rollback on command: the previous release runs again
#  5. a release that refuses the config changes nothing
# Each deploy and rollback prints its time (goals: under 60 s and 30 s).
set -u
cd "$(dirname "$0")/../.."
BIN=build/bin
PY=/usr/bin/python3
dir=$(mktemp -d /dev/shm/tf-deploy.XXXXXX)
root=$dir/opt
inst=dep$$
cleanup() {
    [ -x "$root/current/bin/tfctl" ] && "$root/current/bin/tfctl" down -c "$dir/cfg.yaml" >/dev/null 2>&1
    [ -f "$dir/run/supervisor.pid" ] && kill -TERM "$(cat "$dir/run/supervisor.pid")" 2>/dev/null && sleep 2
    rm -rf "$dir"
}
trap cleanup EXIT
fails=0
. tests/integration/lib.sh
. tuning/servers.sh
export TF_MONITORING=0
simport=$(tf_free_port) fixport=$(tf_free_port) rport=$(tf_free_port) iport=$(tf_free_port)
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
  query: {enabled: false}
  prom: {enabled: false}
orders: {capacity: 1024, journal_file: $dir/run/orders.journal}
risk:
  instruments:
    - {symbol: BTCUSDT, max_order_qty: "1", max_position: "5", collar_bps: 5000}
  strategies:
    - {id: 2, name: manual}
exchange: {host: 127.0.0.1, port: $fixport, sender_comp_id: TFDEP, target_comp_id: TFSIM,
           store_dir: $dir/run/fix, reconnect_min_ms: 50, reconnect_max_ms: 500, profile: tfsim}
threads:
  - {name: hot, idle: backoff, stages: [feed, risk, oms, exio]}
YAML
D="sh tuning/deploy -r $root"
C="$dir/cfg.yaml"
T="$BIN/tfctl -d $dir -n $inst"
current() { basename "$(readlink "$root/current")"; }
previous() { basename "$(readlink "$root/previous")"; }
order_open() { $T orders | grep -q "^ *$1 "; }

echo "0. releases side by side"
check "install v1" $D install v1
check "install v2" $D install v2
check "a version is installed once" sh -c "! $D install v2 2>/dev/null"
# v3 is broken: its engine takes the config but dies at start.
cp -a "$root/releases/v2" "$root/releases/v3"
mv "$root/releases/v3/bin/tfengine" "$root/releases/v3/bin/tfengine.real"
printf '#!/bin/sh\ncase " $* " in *" --check-config "*) exec "$(dirname "$0")/tfengine.real" "$@" ;; esac\necho "v3: broken on purpose" >&2\nexit 1\n' \
    >"$root/releases/v3/bin/tfengine"
chmod 0755 "$root/releases/v3/bin/tfengine"

echo "1. the first release"
$D switch v1 -c "$C" >"$dir/d1.out" 2>&1
rc=$?
cat "$dir/d1.out" | sed 's/^/    /'
check "v1 live" [ "$rc" -eq 0 ]
check "through the gate: engine, feed, FIX reconciled" sh -c \
    "grep -q 'gate: engine: ok' $dir/d1.out && grep -q 'gate: feed: ok' $dir/d1.out && grep -q 'gate: venue session 0: ok (logged on, reconciled)' $dir/d1.out"
check "current is v1" [ "$(current)" = v1 ]

echo "2. the next release, an order open"
bid=$($T quote BTCUSDT | cut -d' ' -f1)
low=$("$PY" -c "print('%.2f' % (float('$bid') * 0.97))")
$T -s 2 new BTCUSDT buy 0.001 "$low" >"$dir/order.out" 2>&1
oid=$(sed -n 's/^accepted order=\([0-9]*\).*/\1/p' "$dir/order.out")
check "an order rests" [ -n "$oid" ]
$D switch v2 -c "$C" >"$dir/d2.out" 2>&1
rc=$?
cat "$dir/d2.out" | sed 's/^/    /'
check "v2 live" [ "$rc" -eq 0 ]
check "it says how long it took" grep -Eq '^deploy: v2 live in [0-9.]+ s \(stop [0-9.]+ s, start [0-9.]+ s, gate [0-9.]+ s\); previous: v1' "$dir/d2.out"
check "current v2, previous v1" [ "$(current)/$(previous)" = v2/v1 ]
check "the order is still open" wait_for 10 order_open "$oid"
check "the new engine is v2's" sh -c "readlink /proc/\$(awk '\$1 == \"engine\" {print \$3}' $dir/run/supervisor.status)/exe | grep -q '/releases/v2/bin/tfengine'"

echo "3. a broken release rolls back by itself"
$D switch v3 -c "$C" >"$dir/d3.out" 2>&1
rc=$?
cat "$dir/d3.out" | sed 's/^/    /'
check "the deploy fails" [ "$rc" -eq 1 ]
check "and rolls back to v2, saying how long it took" grep -Eq '^deploy: rolled back to v2 in [0-9.]+ s' "$dir/d3.out"
check "current is v2 again" [ "$(current)" = v2 ]
check "the order is still open" wait_for 10 order_open "$oid"

echo "4. rollback on command"
$D rollback -c "$C" >"$dir/d4.out" 2>&1
rc=$?
cat "$dir/d4.out" | sed 's/^/    /'
check "back to v1" sh -c "[ $rc -eq 0 ] && [ \"\$(basename \$(readlink $root/current))\" = v1 ]"
check "it says how long it took" grep -Eq '^deploy: rolled back to v1 in [0-9.]+ s' "$dir/d4.out"
check "previous is v2" [ "$(previous)" = v2 ]
check "the order is still open" wait_for 10 order_open "$oid"
check "list" sh -c "$D list | grep -q '^v1 (current)' && $D list | grep -q '^v2 (previous)'"

echo "5. a release that refuses the config"
mkdir -p "$root/releases/v4/bin"
printf '#!/bin/sh\necho "v4: unknown key" >&2\nexit 2\n' >"$root/releases/v4/bin/tfengine"
chmod 0755 "$root/releases/v4/bin/tfengine"
check "refused before anything stops" sh -c "! $D switch v4 -c $C >$dir/d5.out 2>&1 && grep -q 'v4 refuses the config' $dir/d5.out"
check "v1 still runs" sh -c "[ \"\$(basename \$(readlink $root/current))\" = v1 ] && $BIN/tfctl status -c $C >/dev/null"

"$root/current/bin/tfctl" down -c "$C" >/dev/null 2>&1
echo "deploy integration: $fails failed"
[ $fails -eq 0 ]

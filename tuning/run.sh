#!/bin/sh
# `make run`: start the engine with an environment's config and show it live
# in tfstat; Ctrl-C (or the end of TF_RUN_SECONDS) stops everything cleanly.
# With the config's export section it also starts, on loopback, a local
# influxd and redis-server (where export.*.local is true; data under
# export.run_dir), the two exporters and the query API, and the monitoring:
# tfexport-prom, Prometheus, Alertmanager and the node exporter, on loopback
# with tuning/monitoring's configs (ports: TF_PROMETHEUS_PORT 9090,
# TF_ALERTMANAGER_PORT 9093, TF_NODE_EXPORTER_PORT 9100; TF_MONITORING=0
# leaves them out).
# Usage: tuning/run.sh [ENV]   (development by default)
# Without a terminal (CI, a pipe) tfstat prints a bounded number of frames.
set -u
cd "$(dirname "$0")/.."
env=${1:-development}
cfg=tuning/environments/$env.yaml
bin=build/bin
if [ ! -f "$cfg" ]; then
    echo "run: no config $cfg (environments: $(ls tuning/environments | sed 's/\.yaml//' | tr '\n' ' '))" >&2
    exit 2
fi
"$bin/tfengine" -c "$cfg" --check-config || exit 2
instance=$(sed -n 's/^instance:[[:space:]]*\([A-Za-z0-9_-]*\).*/\1/p' "$cfg" | head -1)
shmdir=$(sed -n '/^shm:/,/^[^ ]/s/^[[:space:]]*dir:[[:space:]]*\([^ #]*\).*/\1/p' "$cfg" | head -1)
shmdir=${shmdir:-/dev/shm}

log=$(mktemp /tmp/tfengine.XXXXXX.log)
eval "$("$bin/tfquery" -c "$cfg" --print-env)"
. tuning/servers.sh
mkdir -p "$TF_RUN_DIR"
# The local servers share the exporters' CPU (export.cpu), off the engine's.
[ "$TF_EXPORT_CPU" -ge 0 ] && TF_SERVER_CPU=$TF_EXPORT_CPU
influx_pid="" redis_pid="" oob_pids="" prometheus_pid="" alertmanager_pid="" node_exporter_pid=""
stop_servers() {
    for p in $oob_pids; do kill -TERM "$p" 2>/dev/null; done
    for p in $oob_pids; do wait "$p" 2>/dev/null; done
    tf_stop_pid "$influx_pid"
    tf_stop_pid "$redis_pid"
    tf_stop_pid "$prometheus_pid"
    tf_stop_pid "$alertmanager_pid"
    tf_stop_pid "$node_exporter_pid"
}
if [ "$TF_INFLUX_ENABLED" = 1 ] && [ "$TF_INFLUX_LOCAL" = 1 ]; then
    tf_start_influx "$TF_RUN_DIR" "$TF_INFLUX_PORT" || exit 1
    echo "run: influxd (pid $influx_pid) on $TF_INFLUX_URL, data in $TF_RUN_DIR/influxdb"
fi
if [ "$TF_REDIS_ENABLED" = 1 ] && [ "$TF_REDIS_LOCAL" = 1 ]; then
    tf_start_redis "$TF_RUN_DIR" "$TF_REDIS_PORT" || { stop_servers; exit 1; }
    echo "run: redis-server (pid $redis_pid) on 127.0.0.1:$TF_REDIS_PORT"
fi
# Monitoring: Prometheus scrapes tfexport-prom (started with the exporters
# below) and the node exporter; alerts go through Alertmanager (receivers
# and secrets: tuning/monitoring/README.md).
if [ "${TF_MONITORING:-1}" = 1 ] && [ "$TF_PROM_ENABLED" = 1 ]; then
    qport=${TF_PROMETHEUS_PORT:-9090} aport=${TF_ALERTMANAGER_PORT:-9093} nport=${TF_NODE_EXPORTER_PORT:-9100}
    mon=$TF_RUN_DIR/monitoring
    if sh tuning/monitoring/render.sh "$mon" "${TF_PROM_URL##*:}" "$nport" "$aport" &&
       tf_start_node_exporter "$nport" && tf_start_alertmanager "$mon" "$aport" "$mon/alertmanager.yml" &&
       tf_start_prometheus "$mon" "$qport" "$mon/prometheus.yml"; then
        echo "run: Prometheus on http://127.0.0.1:$qport (alerts: /alerts), Alertmanager on" \
             "http://127.0.0.1:$aport, node exporter on :$nport, data in $mon"
    else
        echo "run: monitoring did not start (above); the engine runs without it" >&2
    fi
fi

# The embedded venue: when the feed points at this machine, start tfsim there
# (several symbols, a living market, a few faults a real venue also shows).
sim=""
simlog=""
feed_url=$(sed -n '/^feed:/,/^[^ ]/s/^[[:space:]]*url:[[:space:]]*\([^ #]*\).*/\1/p' "$cfg" | head -1)
case "$feed_url" in
ws://127.0.0.1:*|ws://localhost:*)
    simport=${feed_url##*:}
    simport=${simport%%/*}
    simlog=$(mktemp /tmp/tfsim.XXXXXX.log)
    # Its FIX gateway too, when the engine's venue stage is exio and the
    # exchange section points at this machine (sequence numbers kept beside
    # the engine's, so both sides continue where they stopped).
    fixargs=""
    if grep -Eq '^[[:space:]]*stages:.*[[ ,]exio[], ]' "$cfg"; then
        xhost=$(sed -n '/^exchange:/,/^[^ #]/s/^[[:space:]]*host:[[:space:]]*\([^ #]*\).*/\1/p' "$cfg" | head -1)
        xport=$(sed -n '/^exchange:/,/^[^ #]/s/^[[:space:]]*port:[[:space:]]*\([0-9]*\).*/\1/p' "$cfg" | head -1)
        case "${xhost:-127.0.0.1}" in
        127.0.0.1|localhost) fixargs="--fix-port ${xport:-9878} --fix-store $TF_RUN_DIR/tfsim-fix" ;;
        esac
    fi
    # shellcheck disable=SC2086
    "$bin/tfsim" --port "$simport" --symbols BTCUSDT,ETHUSDT,SOLUSDT --rate "${TF_SIM_RATE:-2000}" $fixargs \
        >"$simlog" 2>&1 &
    sim=$!
    i=0
    until grep -q "listening" "$simlog" 2>/dev/null; do
        i=$((i + 1))
        if ! kill -0 "$sim" 2>/dev/null || [ $i -gt 50 ]; then
            echo "run: tfsim did not start:" >&2; cat "$simlog" >&2; exit 1
        fi
        sleep 0.1
    done
    echo "run: tfsim (pid $sim) serves $feed_url${fixargs:+ and FIX on port ${xport:-9878}}; its log: $simlog"
    ;;
esac

"$bin/tfengine" -c "$cfg" 2>"$log" &
engine=$!
stop_engine() {
    if kill -0 "$engine" 2>/dev/null; then
        kill -TERM "$engine"
        wait "$engine"
    fi
    echo "run: engine stopped; its log: $log"
    if [ -n "$sim" ] && kill -0 "$sim" 2>/dev/null; then
        kill -TERM "$sim"
        wait "$sim"
    fi
    stop_servers
    echo "run: exporters, query API, monitoring and local servers stopped; their logs: $TF_RUN_DIR/*.log"
}
trap 'stop_engine; exit 0' INT TERM

# Wait (bounded) for the engine to publish its segments.
i=0
until "$bin/tfstat" -n "$instance" -d "$shmdir" --check >/dev/null 2>&1; do
    i=$((i + 1))
    if ! kill -0 "$engine" 2>/dev/null || [ $i -gt 50 ]; then
        echo "run: the engine did not come up:" >&2
        cat "$log" >&2
        stop_engine
        exit 1
    fi
    sleep 0.1
done

# Out of band: the exporters and the query API (each maps the engine's
# segments read-only; the engine never waits for them).
# With an order path, each exporter runs a second time on the order journal
# (orders, fills, positions, PnL), with a position file of its own.
orders_path=$(grep -Eq '^[[:space:]]*stages:.*[[ ,](risk|oms)[], ]' "$cfg" && echo 1 || echo 0)
if [ "$TF_INFLUX_ENABLED" = 1 ]; then
    "$bin/tfexport-influx" -c "$cfg" 2>>"$TF_RUN_DIR/export-influx.log" &
    oob_pids="$oob_pids $!"
    if [ "$orders_path" = 1 ]; then
        "$bin/tfexport-influx" -c "$cfg" --journal orders 2>>"$TF_RUN_DIR/export-influx-orders.log" &
        oob_pids="$oob_pids $!"
    fi
fi
if [ "$TF_REDIS_ENABLED" = 1 ]; then
    "$bin/tfexport-redis" -c "$cfg" 2>>"$TF_RUN_DIR/export-redis.log" &
    oob_pids="$oob_pids $!"
    if [ "$orders_path" = 1 ]; then
        "$bin/tfexport-redis" -c "$cfg" --journal orders 2>>"$TF_RUN_DIR/export-redis-orders.log" &
        oob_pids="$oob_pids $!"
    fi
fi
# The watchdog: stage heartbeats seen from outside the engine (watchdog: in the config).
"$bin/tfwatchdog" -c "$cfg" 2>>"$TF_RUN_DIR/watchdog.log" &
oob_pids="$oob_pids $!"
if [ "$TF_PROM_ENABLED" = 1 ]; then
    "$bin/tfexport-prom" -c "$cfg" 2>>"$TF_RUN_DIR/export-prom.log" &
    oob_pids="$oob_pids $!"
    echo "run: Prometheus metrics on $TF_PROM_URL/metrics"
fi
if [ "$TF_QUERY_ENABLED" = 1 ]; then
    "$bin/tfquery" -c "$cfg" 2>>"$TF_RUN_DIR/query.log" &
    oob_pids="$oob_pids $!"
    echo "run: query API on $TF_QUERY_URL/v1/ (bars, quote, trades, health)"
fi

if [ -t 1 ] && [ -z "${TF_RUN_SECONDS:-}" ]; then
    echo "run: engine pid $engine; tfstat follows (Ctrl-C stops both)"
    echo "run: live records in another terminal: build/bin/tfdump -n $instance -d $shmdir -f --from live"
    echo "run: trade by hand: build/bin/tfctl -n $instance -s 2 quote BTCUSDT; ... new BTCUSDT buy 0.001 PRICE;" \
         "orders; positions; kill on|off (README: Trading)"
    "$bin/tfstat" -n "$instance" -d "$shmdir" -w -i 1
else
    secs=${TF_RUN_SECONDS:-5}
    "$bin/tfstat" -n "$instance" -d "$shmdir" -w -i 1 -c "$secs"
    echo "run: the latest journal records (tfdump):"
    "$bin/tfdump" -n "$instance" -d "$shmdir" --from live -f -c 12 2>/dev/null
    # The order path: one order on the venue, placed and canceled by tfctl.
    osym=$(sed -n 's/.*symbol:[[:space:]]*\([A-Z0-9]*\).*/\1/p' "$cfg" | head -1)
    if top=$("$bin/tfctl" -n "$instance" -d "$shmdir" quote "$osym" 2>/dev/null); then
        bid=${top%% *}
        echo "run: an order on the venue: tfctl -s 2 new $osym buy 0.001 $bid, then cancel"
        ans=$("$bin/tfctl" -n "$instance" -d "$shmdir" -s 2 new "$osym" buy 0.001 "$bid")
        echo "$ans"
        oid=$(echo "$ans" | sed -n 's/^accepted order=\([0-9]*\).*/\1/p')
        [ -n "$oid" ] && "$bin/tfctl" -n "$instance" -d "$shmdir" -s 2 cancel "$oid"
        "$bin/tfctl" -n "$instance" -d "$shmdir" positions
    fi
    if [ "$TF_QUERY_ENABLED" = 1 ]; then
        sym=$(sed -n 's/.*symbol:[[:space:]]*\([A-Z0-9]*\).*/\1/p' "$cfg" | head -1)
        echo "run: the query API: GET $TF_QUERY_URL/v1/quote?symbol=$sym"
        curl -s --max-time 2 "$TF_QUERY_URL/v1/quote?symbol=$sym"; echo
        echo "run: GET $TF_QUERY_URL/v1/health"
        curl -s --max-time 5 "$TF_QUERY_URL/v1/health"; echo
    fi
fi
stop_engine

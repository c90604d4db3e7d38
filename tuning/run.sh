#!/bin/sh
# `make run`: start the box for an environment's config and show the engine
# live in tfstat; Ctrl-C (or the end of TF_RUN_SECONDS) stops everything
# cleanly. The supervisor (tfctl up, build/bin/tfsup) starts, in order and
# each healthy before the next: the local redis-server and influxd (where
# export.*.local is true; data under export.run_dir), the monitoring
# (Prometheus, Alertmanager and the node exporter on loopback with
# tuning/monitoring's configs; ports TF_PROMETHEUS_PORT 9090,
# TF_ALERTMANAGER_PORT 9093, TF_NODE_EXPORTER_PORT 9100; TF_MONITORING=0
# leaves them out), tfsim when the feed points at this machine, the
# engine, the exporters, the watchdog, tfexport-prom and the query API; it
# restarts what crashes (never the engine with orders open: it alerts).
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

eval "$("$bin/tfquery" -c "$cfg" --print-env)"
# The supervisor starts every service in order, each healthy before the
# next, and keeps them running (tfctl up; README: Operating it).
if ! "$bin/tfctl" up -c "$cfg"; then
    echo "run: the box did not come up (above); logs in $TF_RUN_DIR/logs" >&2
    exit 1
fi
stop_engine() {
    "$bin/tfctl" down -c "$cfg"
    echo "run: everything stopped; the logs: $TF_RUN_DIR/logs/*.log"
}
trap 'stop_engine; exit 0' INT TERM
echo "run: Prometheus on http://127.0.0.1:${TF_PROMETHEUS_PORT:-9090}, Alertmanager on" \
     "http://127.0.0.1:${TF_ALERTMANAGER_PORT:-9093}; metrics on $TF_PROM_URL/metrics; query API on $TF_QUERY_URL/v1/"
[ "${TF_CONSOLE_ENABLED:-0}" = 1 ] && echo "run: the web console on $TF_CONSOLE_URL (read-only unless export.console.operator_token is set)"
echo "run: the services: build/bin/tfctl status -c $cfg"

if [ -t 1 ] && [ -z "${TF_RUN_SECONDS:-}" ]; then
    echo "run: tfstat follows (Ctrl-C stops everything)"
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

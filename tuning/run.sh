#!/bin/sh
# `make run`: start the engine with an environment's config and show it live
# in tfstat; Ctrl-C (or the end of TF_RUN_SECONDS) stops the engine cleanly.
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
    "$bin/tfsim" --port "$simport" --symbols BTCUSDT,ETHUSDT,SOLUSDT --rate "${TF_SIM_RATE:-2000}" \
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
    echo "run: tfsim (pid $sim) serves $feed_url; its log: $simlog"
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

if [ -t 1 ] && [ -z "${TF_RUN_SECONDS:-}" ]; then
    echo "run: engine pid $engine; tfstat follows (Ctrl-C stops both)"
    echo "run: live records in another terminal: build/bin/tfdump -n $instance -d $shmdir -f --from live"
    "$bin/tfstat" -n "$instance" -d "$shmdir" -w -i 1
else
    secs=${TF_RUN_SECONDS:-5}
    "$bin/tfstat" -n "$instance" -d "$shmdir" -w -i 1 -c "$secs"
    echo "run: the latest journal records (tfdump):"
    "$bin/tfdump" -n "$instance" -d "$shmdir" --from live -f -c 12 2>/dev/null
fi
stop_engine

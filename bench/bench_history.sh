#!/bin/sh
# make bench-history: a year of 1-minute bars for one symbol (525,600 bars,
# written into tf_raw as tfexport-influx writes them), downsampled by
# `tfquery --backfill-days 366` into tf_bars (1m copy, 1h, 1d), then tfquery
# asked for the whole year at 1d and at 1h, HIST_REQUESTS times each (default
# 30), closed loop, one at a time: p50/p99/p99.9/max and requests/s.
# Baseline, in the same run, against the same server and data: the same
# requests to a tfquery with downsampling off, which groups the raw
# 1-minute bars (what answering without coarse bars costs).
set -u
cd "$(dirname "$0")/.."
. tuning/servers.sh
PY=/usr/bin/python3
BIN=build/bin
N=${HIST_REQUESTS:-30}
d=$(mktemp -d /dev/shm/tf-bench-hist.XXXXXX)
pids="" influx_pid=""
trap 'for p in $pids; do kill -9 "$p" 2>/dev/null; done; tf_stop_pid "$influx_pid"; rm -rf "$d"' EXIT INT TERM
iport=$(tf_free_port)
tf_start_influx "$d" "$iport" || exit 1
cfg() { # NAME DOWNSAMPLE
    cat >"$d/$1.yaml" <<YAML
instance: bh$$
shm: {dir: $d, mode: 0640, on_stale: replace}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001"}
feed: {url: "ws://127.0.0.1:1", rest_url: "http://127.0.0.1:1", streams: [trade]}
export:
  run_dir: $d/run-$1
  influx: {url: "http://127.0.0.1:$iport", database: hist, downsample: $2, raw_days: 400, timeout_ms: 120000,
           retention_policy: "$3"}
  redis: {enabled: false}
  query: {port: 0, max_limit: 10000}
threads:
  - {name: hot, idle: backoff, stages: [feed]}
YAML
}
cfg down true ""
cfg raw false tf_raw
"$BIN/tfquery" -c "$d/down.yaml" --backfill-days 1 >/dev/null || exit 1 # the policies, before the write
now=$(date +%s%3N)
start=$(( (now / 86400000 - 366) * 86400000 ))
t0=$(date +%s%N)
$PY tests/integration/history_bars.py write "http://127.0.0.1:$iport" hist tf_raw year BTCUSDT "$start" 525600 \
    "$d/bars.json" || exit 1
t1=$(date +%s%N)
bf=$("$BIN/tfquery" -c "$d/down.yaml" --backfill-days 367) || exit 1
echo "# wrote 525600 bars in $(( (t1 - t0) / 1000000 )) ms; $bf"
for n in down raw; do
    "$BIN/tfquery" -c "$d/$n.yaml" --port-file "$d/$n.port" --status "query-$n" 2>"$d/$n.log" &
    pids="$pids $!"
done
i=0; until [ -s "$d/down.port" ] && [ -s "$d/raw.port" ] || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
end=$(( start + 365 * 86400000 - 1 ))
for tf in 1d 1h; do
    # The right answer first (exact), then the timing.
    $PY tests/integration/history_bars.py check "http://127.0.0.1:$(cat "$d/down.port")" year BTCUSDT "$d/bars.json" \
        "$tf" "$start" "$end" "$tf" >"$d/check.$tf" || { cat "$d/check.$tf"; echo "bench history: wrong bars" >&2; exit 1; }
    $PY - "$tf" "$N" "$start" "$end" "$(cat "$d/down.port")" "$(cat "$d/raw.port")" <<'PY'
import json, sys, time, urllib.request
tf, n, start, end, down, raw = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
def run(port):
    url = "http://127.0.0.1:%s/v1/bars?instance=year&symbol=BTCUSDT&timeframe=%s&start=%s&end=%s&limit=10000" % (
        port, tf, start, end)
    lat, t0 = [], time.perf_counter()
    for _ in range(n):
        a = time.perf_counter()
        body = json.load(urllib.request.urlopen(url, timeout=300))
        lat.append((time.perf_counter() - a) * 1e3)
    rate = n / (time.perf_counter() - t0)
    lat.sort()
    pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
    return {"p50": pct(0.5), "p99": pct(0.99), "p999": pct(0.999), "max": lat[-1], "rate": rate,
            "bars": len(body["bars"]), "res": body["resolution"]}
o, b = run(down), run(raw)
print("# a year at %s: ours %d bars from resolution %s; base %d bars from resolution %s; %d requests each" %
      (tf, o["bars"], o["res"], b["bars"], b["res"], n))
for k in ("p50", "p99", "p999", "max"):
    print("bench history year_at_%s_%s ours=%.1f base=%.1f base_name=raw_1m_grouped unit=ms" % (tf, k, o[k], b[k]))
print("bench history year_at_%s_rate ours=%.1f base=%.1f base_name=raw_1m_grouped unit=1/s" % (tf, o["rate"], b["rate"]))
PY
done

#!/bin/sh
# make bench-prom: what a Prometheus scrape of tfexport-prom costs, and
# whether scraping touches the engine.
#  1. scrape time and size of /metrics for an engine with 8 instruments,
#     the order path and 4 FIX sessions (every series configured), beside a
#     scrape of the node exporter on the same host (what Prometheus scrapes
#     next to it), alternating, over one kept-alive connection each
#  2. the engine's per-trade socket-receive -> journal latency with a scrape
#     every 100 ms (faster than our own 250 ms) vs no scraping, and as a
#     control the node exporter scraped as often on the same CPU (the same
#     CPU work that reads nothing of the engine's); same seeded tfsim load,
#     alternating, twice each
# As deployed, the engine's thread has CPU 1; tfsim, the exporters and the
# scraper are pinned to CPU 0.
set -u
cd "$(dirname "$0")/.."
. tuning/servers.sh
PY=/usr/bin/python3
BIN=build/bin
SCRAPES=${TF_BENCH_SCRAPES:-2000}
N=${TF_BENCH_MESSAGES:-300000}
RATE=${TF_BENCH_RATE:-50000}
SYMS=BTCUSDT,ETHUSDT,SOLUSDT,BNBUSDT,XRPUSDT,ADAUSDT,DOGEUSDT,LTCUSDT
d=$(mktemp -d /dev/shm/tf-bench-prom.XXXXXX)
pids=""
trap 'for p in $pids; do kill -9 "$p" 2>/dev/null; done; rm -rf "$d"' EXIT INT TERM
command -v prometheus-node-exporter >/dev/null || { echo "bench-prom: prometheus-node-exporter missing (make deps)"; exit 1; }

start_sim() { # start_sim MESSAGES NAME -> sim pid in $sim (its own FIX store per run)
    rm -f "$d/port" "$d/fixport"
    mkdir -p "$d/sim$2"
    taskset -c 0 "$BIN/tfsim" --port 0 --port-file "$d/port" --fix-port 0 --fix-port-file "$d/fixport" \
        --fix-store "$d/sim$2" --symbols "$SYMS" --mix trade,bookTicker --rate "$RATE" ${1:+--messages $1} \
        --seed 9 >"$d/sim.log" 2>&1 &
    sim=$!
    i=0; until [ -s "$d/fixport" ] || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
write_cfg() { # write_cfg NAME
    {
        echo "instance: bp$1$$"
        echo "shm: {dir: $d, mode: 0640, on_stale: replace}"
        echo "journal: {md: {capacity: 1048576}}"
        echo "instruments:"
        for s in $(echo "$SYMS" | tr , ' '); do
            echo "  - {symbol: $s, price_precision: 2, qty_precision: 5, tick_size: \"0.01\", lot_size: \"0.00001\"}"
        done
        cat <<YAML
feed: {url: "ws://127.0.0.1:$(cat "$d/port")", rest_url: "http://127.0.0.1:$(cat "$d/port")", streams: [trade, bookTicker]}
validation: {max_deviation_bps: 0}
export: {run_dir: $d/run$1, cpu: 0, prom: {port: 0}}
orders: {capacity: 4096, journal_capacity: 65536}
risk:
  strategies:
    - {id: 1, name: one}
    - {id: 2, name: two}
exchange: {host: 127.0.0.1, port: $(cat "$d/fixport"), sender_comp_id: TFB, target_comp_id: TFSIM, sessions: 4,
           store_dir: $d/fix$1, heartbeat_s: 30}
threads:
  - {name: hot, cpu: 1, idle: backoff, stages: [feed, risk, oms, exio]}
YAML
    } >"$d/$1.yaml"
}

echo "# 1. scrape cost: tfexport-prom vs the node exporter"
start_sim "" scrape
write_cfg scrape
"$BIN/tfengine" -c "$d/scrape.yaml" 2>"$d/engine.log" & eng=$!; pids="$pids $eng $sim"
taskset -c 0 "$BIN/tfexport-prom" -c "$d/scrape.yaml" --port-file "$d/pport" 2>"$d/prom.log" & pids="$pids $!"
np=$(tf_free_port)
taskset -c 0 prometheus-node-exporter --web.listen-address="127.0.0.1:$np" --log.level=warn >/dev/null 2>&1 & pids="$pids $!"
i=0; until [ -s "$d/pport" ] || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
tf_wait_http "http://127.0.0.1:$np/metrics" 10 || { echo "bench-prom: node exporter did not start"; exit 1; }
sleep 3 # sessions logged on, books synced
taskset -c 0 $PY - "$(cat "$d/pport")" "$np" "$SCRAPES" <<'PYEOF'
import http.client, sys, time
pp, np, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
conns = {"ours": http.client.HTTPConnection("127.0.0.1", pp), "base": http.client.HTTPConnection("127.0.0.1", np)}
lat = {"ours": [], "base": []}
size = {}
series = {}
for i in range(n + 50):
    for k in ("ours", "base"):
        t = time.perf_counter_ns()
        conns[k].request("GET", "/metrics")
        r = conns[k].getresponse()
        body = r.read()
        dt = time.perf_counter_ns() - t
        if r.status != 200:
            sys.exit("bench-prom: %s answered %d" % (k, r.status))
        if i >= 50:
            lat[k].append(dt)
        size[k] = len(body)
        series[k] = sum(1 for l in body.split(b"\n") if l and not l.startswith(b"#"))
def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * q))]
print("# %d scrapes each, alternating, one kept-alive connection each; tfexport-prom: %d bytes, %d series; "
      "node exporter: %d bytes, %d series" % (n, size["ours"], series["ours"], size["base"], series["base"]))
print("# %-14s %9s %9s %9s %9s %9s  (us)" % ("", "p50", "p90", "p99", "p99.9", "max"))
for k, name in (("ours", "tfexport-prom"), ("base", "node exporter")):
    v = lat[k]
    print("# %-14s %9.0f %9.0f %9.0f %9.0f %9.0f" % (name, pct(v, .5) / 1e3, pct(v, .9) / 1e3, pct(v, .99) / 1e3,
                                                    pct(v, .999) / 1e3, max(v) / 1e3))
for q, f in (("p50", .5), ("p90", .9), ("p99", .99), ("p999", .999)):
    o, b = pct(lat["ours"], f), pct(lat["base"], f)
    print("bench prom scrape_%s ours=%d base=%d base_name=node_exporter_scrape ratio=%.2f unit=ns" % (q, o, b, o / b))
o, b = max(lat["ours"]), max(lat["base"])
print("bench prom scrape_max ours=%d base=%d base_name=node_exporter_scrape ratio=%.2f unit=ns" % (o, b, o / b))
print("bench prom scrape_bytes ours=%d base=%d base_name=node_exporter_scrape ratio=%.2f unit=B" %
      (size["ours"], size["base"], size["ours"] / size["base"]))
print("bench prom series ours=%d base=%d base_name=node_exporter_scrape ratio=%.2f unit=1" %
      (series["ours"], series["base"], series["ours"] / series["base"]))
PYEOF
for p in $pids; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
pids=""

echo "# 2. the engine's hop latency with a scrape every 100 ms vs none"
scraper() { # scraper PORT: GET /metrics every 100 ms, on CPU 0
    taskset -c 0 $PY -c "
import http.client, time
c = http.client.HTTPConnection('127.0.0.1', $1)
while True:
    c.request('GET', '/metrics'); c.getresponse().read(); time.sleep(0.1)
" 2>/dev/null &
}
one_run() { # one_run NAME MODE (0 none, 1 tfexport-prom scraped, 2 the node exporter scraped)
    start_sim "$N" "$1"
    write_cfg "$1"
    "$BIN/tfengine" -c "$d/$1.yaml" 2>"$d/engine.log" & eng=$!
    oob=""
    if [ "$2" = 1 ]; then
        rm -f "$d/pport"
        taskset -c 0 "$BIN/tfexport-prom" -c "$d/$1.yaml" --port-file "$d/pport" 2>>"$d/prom.log" & oob="$oob $!"
        i=0; until [ -s "$d/pport" ] || [ $i -gt 100 ]; do sleep 0.05; i=$((i + 1)); done
        scraper "$(cat "$d/pport")"; oob="$oob $!"
    elif [ "$2" = 2 ]; then
        np=$(tf_free_port)
        taskset -c 0 prometheus-node-exporter --web.listen-address="127.0.0.1:$np" --log.level=warn >/dev/null 2>&1 &
        oob="$oob $!"
        tf_wait_http "http://127.0.0.1:$np/metrics" 10
        scraper "$np"; oob="$oob $!"
    fi
    i=0; until grep -q "generation done" "$d/sim.log" || [ $i -gt 600 ]; do sleep 0.1; i=$((i + 1)); done
    sleep 1
    for p in $oob; do kill -TERM "$p"; wait "$p" 2>/dev/null; done
    kill -TERM "$eng"; wait "$eng"; kill -TERM "$sim"; wait "$sim"
    "$BIN/tfdump" -n "bp$1$$" -d "$d" --type trade 2>/dev/null |
        sed -n 's/.*recv_to_journal_ns=\([0-9]*\).*/\1/p' >"$d/$1.lat"
}
for round in 1 2; do
    one_run none$round 0
    one_run scraped$round 1
    one_run control$round 2
done
cat "$d"/none*.lat >"$d/none.lat"; cat "$d"/scraped*.lat >"$d/scraped.lat"; cat "$d"/control*.lat >"$d/control.lat"
$PY - "$d/scraped.lat" "$d/none.lat" "$d/control.lat" <<'PYEOF'
import sys
def pct(path):
    v = sorted(int(x) for x in open(path) if x.strip())
    n = len(v)
    if not n:
        sys.exit("bench-prom: no trades journaled in %s" % path)
    return n, {q: v[min(n - 1, int(n * f))] for q, f in (("p50", .5), ("p99", .99), ("p999", .999))} | {"max": v[-1]}
nw, w = pct(sys.argv[1]); nb, b = pct(sys.argv[2]); nc, c = pct(sys.argv[3])
print(f"# engine socket-receive -> journal per trade, ns ({nw} trades with tfexport-prom scraped every 100 ms, "
      f"{nb} not scraped, {nc} with the node exporter scraped as often)")
print(f"# {'':24} {'p50':>8} {'p99':>8} {'p99.9':>8} {'max':>10}")
print(f"# {'tfexport-prom scraped':24} {w['p50']:>8} {w['p99']:>8} {w['p999']:>8} {w['max']:>10}")
print(f"# {'nothing scraped':24} {b['p50']:>8} {b['p99']:>8} {b['p999']:>8} {b['max']:>10}")
print(f"# {'node exporter scraped':24} {c['p50']:>8} {c['p99']:>8} {c['p999']:>8} {c['max']:>10}")
for q in ("p50", "p99", "p999", "max"):
    print(f"bench prom engine_recv_to_journal_{q} ours={w[q]} base={b[q]} base_name=no_scrapes "
          f"ratio={w[q] / b[q]:.2f} unit=ns")
for q in ("p50", "p99", "p999", "max"):
    print(f"bench prom engine_recv_to_journal_{q}_vs_control ours={w[q]} base={c[q]} base_name=node_exporter_scraped "
          f"ratio={w[q] / c[q]:.2f} unit=ns")
PYEOF

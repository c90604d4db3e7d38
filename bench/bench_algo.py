#!/usr/bin/python3
"""make bench-algo: implementation shortfall of the execution algorithms
against one market order of the same size, on tfsim's market with a
market-impact model, and how fast children are released.

For each seed (--runs, default 5) and each way to execute (one market order
at arrival, TWAP, VWAP, POV, iceberg): a fresh tfsim (the seed's market,
--fault impact:perm=P,temp=T,decay_ms=D: every BTC a participant trades moves
the fair price P bp for good and T bp decaying with a D ms time constant),
a fresh engine (feed, algo, risk, oms, exio over FIX to tfsim), a buy of
--qty BTC (default 0.2: about 5 % of what tfsim's market trades over the
horizon) over --horizon seconds (default 10), then the fills read from the
order journal. Shortfall = (average fill price - arrival mid) / arrival mid
in basis points, the arrival mid read just before the order or the parent
went in. The same seed gives every way the same market before it trades.
Release latency: the algo stage's algo_release_ns histogram (a slice due,
a trade, the last child done -> the child sent to the risk gate), merged
over the algo runs. Prints the distributions and `bench algo ...` lines."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BIN = "build/bin"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def arg(name, default):
    if name in sys.argv:
        return type(default)(sys.argv[sys.argv.index(name) + 1])
    return default


RUNS = arg("--runs", 5)
QTY = arg("--qty", 0.2)
HORIZON = arg("--horizon", 10.0)
IMPACT = arg("--impact", "perm=2,temp=20,decay_ms=2000")
WAYS = ["market", "twap", "vwap", "pov", "iceberg"]


def wait_for(pred, seconds):
    end = time.time() + seconds
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return False


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def one(seed, way, work):
    d = tempfile.mkdtemp(prefix="tf-bench-algo.", dir="/dev/shm")
    inst = "ba%d" % os.getpid()
    procs = []
    try:
        sim = subprocess.Popen([BIN + "/tfsim", "--port", "0", "--port-file", d + "/port", "--fix-port", "0",
                                "--fix-port-file", d + "/fixport", "--symbols", "BTCUSDT", "--rate", "2000",
                                "--seed", str(seed), "--fault", "impact:" + IMPACT, "--fix-store", d + "/simfix"],
                               stdout=open(d + "/sim.log", "w"), stderr=subprocess.STDOUT)
        procs.append(sim)
        if not wait_for(lambda: os.path.exists(d + "/fixport") and os.path.getsize(d + "/fixport") > 0, 10):
            raise RuntimeError("tfsim did not come up: " + open(d + "/sim.log").read())
        port, fixport = open(d + "/port").read().strip(), open(d + "/fixport").read().strip()
        with open(d + "/cfg.yaml", "w") as f:
            f.write(f"""instance: {inst}
shm: {{dir: {d}, mode: 0640, on_stale: replace}}
journal: {{md: {{capacity: 65536}}}}
instruments:
  - {{symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001", min_notional: "5"}}
feed: {{url: "ws://127.0.0.1:{port}", rest_url: "http://127.0.0.1:{port}", streams: [trade, bookTicker, depth@100ms]}}
export: {{run_dir: {d}/run}}
orders: {{capacity: 16384, journal_capacity: 1048576}}
risk:
  orders_per_s: 5000
  duplicate_count: 0
  instruments:
    - {{symbol: BTCUSDT, max_order_qty: "10", max_order_notional: "1000000", max_position: "100", collar_bps: 1000}}
  strategies:
    - {{id: 3, name: bench}}
exchange: {{host: 127.0.0.1, port: {fixport}, sender_comp_id: BENCHALGO, target_comp_id: TFSIM,
           reset_on_logon: true, store_dir: {d}/fix, profile: tfsim}}
threads:
  - {{name: hot, cpu: -1, idle: backoff, stages: [feed, algo, risk, oms, exio]}}
""")
        eng = subprocess.Popen([BIN + "/tfengine", "-c", d + "/cfg.yaml"], stdout=open(d + "/engine.log", "w"),
                               stderr=subprocess.STDOUT)
        procs.append(eng)
        ctl = [BIN + "/tfctl", "-d", d, "-n", inst, "-s", "3"]

        def quote():
            r = run(ctl + ["quote", "BTCUSDT"])
            return [float(x) for x in r.stdout.split()] if r.returncode == 0 else None

        def logged_on():
            r = run([BIN + "/tfstat", "-n", inst, "-d", d, "--json"])
            try:
                st = json.loads(r.stdout)
            except ValueError:
                return False
            return any(s.get("state") == "active" for s in st.get("venue", {}).get("sessions", []))

        if not wait_for(lambda: quote() is not None and logged_on(), 20):
            raise RuntimeError("engine not ready: " + open(d + "/engine.log").read()[-2000:])
        time.sleep(1.0)  # a settled market before arrival
        bid, ask = quote()
        arrival = (bid + ask) / 2
        q = "%.5f" % QTY
        h = "%.3f" % HORIZON
        cmds = {
            "market": ctl + ["new", "BTCUSDT", "buy", q, "market", "ioc"],
            "twap": ctl + ["algo", "twap", "BTCUSDT", "buy", q, "--duration", h, "--slice", "%.3f" % (HORIZON / 20),
                           "--style", "touch", "--resubmit", "%.3f" % (HORIZON / 40)],
            "vwap": ctl + ["algo", "vwap", "BTCUSDT", "buy", q, "--duration", h, "--style", "touch",
                           "--resubmit", "%.3f" % (HORIZON / 40)],
            "pov": ctl + ["algo", "pov", "BTCUSDT", "buy", q, "--participation", "800", "--min", "0.001",
                          "--max", "0.02", "--style", "touch", "--resubmit", "%.3f" % (HORIZON / 40),
                          "--duration", h],
            "iceberg": ctl + ["algo", "iceberg", "BTCUSDT", "buy", q, "--limit", "%.2f" % (ask * 1.002),
                              "--min", "0.005", "--max", "0.01", "--duration", h],
        }
        r = run(cmds[way])
        if r.returncode != 0:
            raise RuntimeError("%s refused: %s %s" % (way, r.stdout, r.stderr))
        parent = re.search(r"parent=(\d+)", r.stdout)

        def done():
            ev = run([BIN + "/tfdump", "-n", inst, "-d", d, "--orders"]).stdout
            if way == "market":
                return "state=Filled" in ev or "state=Expired" in ev
            return re.search(r"kind=parent_state order=%s .*state=(done|stopped|canceled)" % parent.group(1), ev)

        wait_for(done, HORIZON + 15)
        ev = run([BIN + "/tfdump", "-n", inst, "-d", d, "--orders"]).stdout
        qty = val = 0.0
        for line in ev.splitlines():
            f = dict(re.findall(r"(\w+)=(\S+)", line))
            if f.get("kind") == "fill" and f.get("strategy") == "3":
                qty += float(f["last_qty"])
                val += float(f["last_qty"]) * float(f["last_px"])
        st = json.loads(run([BIN + "/tfstat", "-n", inst, "-d", d, "--json"]).stdout)
        rel = st.get("histograms", {}).get("algo_release_ns")
        if qty <= 0:
            raise RuntimeError("%s filled nothing" % way)
        return {"shortfall_bp": (val / qty - arrival) / arrival * 1e4, "filled": qty, "release": rel}
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(d, ignore_errors=True)


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def main():
    os.chdir(ROOT)
    print("bench-algo: buy %.5f BTC over %.1f s, %d seeded runs per way, tfsim at 2000 msgs/s with "
          "impact %s (bp per BTC traded; decay time constant)" % (QTY, HORIZON, RUNS, IMPACT))
    res = {w: [] for w in WAYS}
    rel = []
    for seed in range(1, RUNS + 1):
        for way in WAYS:
            r = one(seed, way, None)
            res[way].append(r["shortfall_bp"])
            if r["release"]:
                rel.append(r["release"])
            print("  seed %d %-8s shortfall %7.2f bp  filled %.5f" % (seed, way, r["shortfall_bp"], r["filled"]),
                  flush=True)
    print("%-10s %8s %8s %8s %8s %8s" % ("way", "p50", "p90", "mean", "min", "max"))
    for w in WAYS:
        v = res[w]
        print("%-10s %8.2f %8.2f %8.2f %8.2f %8.2f" % (w, pct(v, 50), pct(v, 90), sum(v) / len(v), min(v), max(v)))
    base = pct(res["market"], 50)
    for w in WAYS[1:]:
        ours = pct(res[w], 50)
        ratio = ours / base if base else float("nan")
        print("bench algo %s_shortfall_bp_p50 ours=%.2f base=%.2f base_name=one_market_order ratio=%.3g unit=bp"
              % (w, ours, base, ratio))
    for w in WAYS[1:]:
        print("bench algo %s_shortfall_bp_p90 ours=%.2f base=%.2f base_name=one_market_order unit=bp"
              % (w, pct(res[w], 90), pct(res["market"], 90)))
    if rel:
        p50 = sorted(h.get("p50", 0) for h in rel)
        p99 = sorted(h.get("p99", 0) for h in rel)
        mx = max(h.get("max", 0) for h in rel)
        print("child release (trigger -> sent to risk), per run medians: p50 %s ns, p99 %s ns, max %s ns"
              % (pct(p50, 50), pct(p99, 50), mx))
        print("bench algo release_ns_p50 ours=%d base=na base_name=none unit=ns" % pct(p50, 50))
        print("bench algo release_ns_p99 ours=%d base=na base_name=none unit=ns" % pct(p99, 50))


if __name__ == "__main__":
    main()

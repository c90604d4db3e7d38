"""A whole box on loopback for the chaos suite: its config (free ports,
a temporary folder, the sample strategy trading through tfsim over FIX),
the supervisor's status, the engine's figures (tfstat --json) and the
stores' contents. Used by chaos.py; nothing here injects a fault."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "build", "bin")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def run(*args, timeout=60, check=False):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, check=check)


class Box:
    def __init__(self, small_fs_mb=0):
        self.dir = tempfile.mkdtemp(prefix="tf-chaos.", dir="/dev/shm")
        self.mounted = False
        if small_fs_mb:
            # A filesystem of its own for the segments, journals and stores, so
            # that filling it (the chaos case) fills nothing else on the host.
            r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm,mode=0755" % small_fs_mb, "tmpfs", self.dir],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError("cannot mount a tmpfs for the box (root needed): " + r.stderr.strip())
            self.mounted = True
        self.inst = "chaos%d" % os.getpid()
        self.ports = {k: free_port() for k in ("sim", "fix", "redis", "influx", "query", "prom")}
        self.cfg = os.path.join(self.dir, "cfg.yaml")
        self.run_dir = os.path.join(self.dir, "run")
        p = self.ports
        with open(self.cfg, "w") as f:
            f.write(f"""instance: {self.inst}
shm: {{dir: {self.dir}, mode: 0640, on_stale: replace}}
journal:
  md: {{capacity: 1048576, file: {self.run_dir}/md.journal}}
instruments:
  - {{symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001", min_notional: "5"}}
feed:
  url: ws://127.0.0.1:{p['sim']}
  rest_url: http://127.0.0.1:{p['sim']}
  streams: [trade, bookTicker, depth@100ms]
export:
  run_dir: {self.run_dir}
  influx: {{url: "http://127.0.0.1:{p['influx']}", database: chaos, top_sample_ms: 0}}
  redis: {{port: {p['redis']}}}
  query: {{port: {p['query']}}}
  prom: {{port: {p['prom']}}}
orders: {{capacity: 16384, journal_capacity: 1048576, journal_file: {self.run_dir}/orders.journal,
         plugin: {ROOT}/build/lib/sample_strategy.so, plugin_strategy: 1,
         plugin_params: "symbol=BTCUSDT,every=50,offset_ticks=5,qty_lots=100"}}
risk:
  orders_per_s: 200
  instruments:
    - {{symbol: BTCUSDT, max_order_qty: "1", max_position: "50", collar_bps: 5000}}
  strategies:
    - {{id: 1, name: plugin}}
    - {{id: 2, name: manual}}
watchdog: {{stall_ms: 250}}
exchange: {{host: 127.0.0.1, port: {p['fix']}, sender_comp_id: TFCHAOS, target_comp_id: TFSIM,
           store_dir: {self.run_dir}/fix, reconnect_min_ms: 50, reconnect_max_ms: 1000, reconcile_timeout_ms: 3000,
           profile: tfsim}}
threads:
  - {{name: hot, idle: backoff, stages: [feed, strategy, risk, oms, exio]}}
""")
        self.orders_dump = os.path.join(self.dir, "venue_orders.json")
        self.env = dict(os.environ, TF_MONITORING="0", TF_SIM_RATE="1000", TF_SIM_ORDERS_DUMP=self.orders_dump)

    # ---- the supervisor ----
    def ctl(self, *args, timeout=120):
        return subprocess.run([os.path.join(BIN, "tfctl"), *args], capture_output=True, text=True,
                              timeout=timeout, env=self.env)

    def up(self):
        r = self.ctl("up", "-c", self.cfg)
        if r.returncode != 0:
            raise RuntimeError("the box did not come up:\n" + r.stdout + r.stderr)

    def down(self):
        self.ctl("down", "-c", self.cfg)

    def status(self):
        """service -> (state, pid, restarts)"""
        out = {}
        try:
            with open(os.path.join(self.run_dir, "supervisor.status")) as f:
                for line in f:
                    if line.startswith("#"):
                        continue
                    w = line.split()
                    if len(w) >= 4:
                        out[w[0]] = (w[1], int(w[2]), int(w[3]))
        except OSError:
            pass
        return out

    def pid(self, service):
        return self.status().get(service, ("", 0, 0))[1]

    def gate(self, timeout=0):
        r = run(os.path.join(BIN, "tfsup"), "-c", self.cfg, "--gate", "--timeout", str(timeout),
                timeout=timeout + 30)
        return r.returncode == 0

    # ---- the engine's figures ----
    def stat(self):
        r = run(os.path.join(BIN, "tfstat"), "-n", self.inst, "-d", self.dir, "--json", timeout=10)
        try:
            return json.loads(r.stdout)
        except ValueError:
            return {}

    def tfctl(self, *args, strategy=2):
        return run(os.path.join(BIN, "tfctl"), "-n", self.inst, "-d", self.dir, "-s", str(strategy), *args,
                   timeout=30)

    # ---- the stores ----
    def influx(self, q):
        url = "http://127.0.0.1:%d/query?%s" % (self.ports["influx"], urllib.parse.urlencode({"db": "chaos", "q": q}))
        with urllib.request.urlopen(url, timeout=10) as r:
            return json.load(r)

    def cleanup(self):
        self.down()
        if os.environ.get("CHAOS_KEEP"):
            print("chaos: kept %s" % self.dir)
            return
        if self.mounted:
            subprocess.run(["umount", self.dir], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)

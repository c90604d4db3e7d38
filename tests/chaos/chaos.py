#!/usr/bin/python3
"""make chaos: faults injected into a whole box on loopback (the supervisor
running Redis, InfluxDB, tfsim, the engine with the sample strategy trading
over FIX, the exporters, tfquery, the watchdog), one after the other, each
timed from the injection to its detection and to the recovery; then, over
the whole run, what was lost or went astray.

Per case:   detect_s  from the fault to the first sign the system saw it
                      (the supervisor, an exporter, the watchdog, the FIX
                      session, the feed, as the case says)
            recover_s from the fault to every service up and the gate
                      passed (engine live, feed live, FIX logged on and
                      reconciled, no order of unknown fate); for the
                      engine killed with orders open, from the operator's
                      `tfctl up` (the supervisor holds it down until then)
At the end: points_lost   trades journaled that never reached InfluxDB
            dup_orders    venue orders sharing one of our order ids
            unknown_orders venue orders of ours the engine does not know
            differing     orders whose state or filled quantity differs
                          between the engine and the venue
The goal: zero of the last four, detection under a second.

Usage: chaos.py [--short] [--cases a,b] [--freeze S]
--short runs a subset (make test); a failed expectation prints FAIL and the
run ends "chaos: N passed, M failed" (exit 1 when M > 0)."""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import box as boxmod  # noqa: E402

POLL = 0.02


def wait(cond, limit):
    """Seconds until cond() holds, or None after limit."""
    t0 = time.time()
    while time.time() - t0 < limit:
        try:
            if cond():
                return time.time() - t0
        except Exception:
            pass
        time.sleep(POLL)
    return None


class Chaos:
    def __init__(self, b, freeze_s):
        self.b = b
        self.freeze_s = freeze_s
        self.rows = []
        self.fails = 0

    # ---- what the system shows ----
    def up_all(self):
        st = self.b.status()
        return st and all(v[0] == "up" for v in st.values())

    def recovered(self):
        return self.up_all() and self.b.gate(0)

    def exporter(self, name, key):
        return self.b.stat().get("exporters", {}).get(name, {}).get(key, 0)

    def counter(self, name):
        return self.b.stat().get("counters", {}).get(name, 0)

    # ---- one case ----
    def case(self, name, inject, detected, recover_limit=60, operator=None, expect_detect=1.0, back=None):
        if not wait(self.recovered, 60):
            self.record(name, None, None, "the box was not whole before the case")
            return
        time.sleep(1)
        ctx = {}
        t0 = time.time()
        inject(ctx)
        d = wait(lambda: detected(ctx), 30)
        note = ""
        if operator:
            t_op = operator(ctx)
            r = wait(self.recovered, recover_limit)
            r = None if r is None else time.time() - t_op
            note = "held; recovery counted from the operator's tfctl up"
        elif back:  # the fault lasts a while: recovered once it is over and its effect undone
            r = wait(lambda: back(ctx) and self.recovered(), recover_limit)
            r = None if r is None else time.time() - t0
            if r is not None:
                note = "back %.2f s after the fault ended" % (time.time() - ctx["end"])
        else:
            r = wait(self.recovered, recover_limit)
            r = None if r is None else time.time() - t0
        self.record(name, d, r, note, expect_detect)

    def record(self, name, d, r, note, expect_detect=1.0):
        ok = d is not None and r is not None
        self.rows.append((name, d, r, note, expect_detect))
        status = "ok  " if ok else "FAIL"
        if not ok:
            self.fails += 1
        print("  %s %-26s detect %-8s recover %-8s %s" % (
            status, name, "%.3f s" % d if d is not None else "never", "%.2f s" % r if r is not None else "never",
            note), flush=True)

    # ---- faults ----
    def kill(self, service):
        def inject(ctx):
            ctx["pid"] = self.b.pid(service)
            os.kill(ctx["pid"], signal.SIGKILL)

        def detected(ctx):
            st = self.b.status().get(service)
            return st and (st[0] != "up" or st[1] != ctx["pid"])
        return inject, detected

    def thaw_later(self, pid, seconds):
        """SIGCONT after seconds, whatever happens meanwhile."""
        def thaw():
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        t = threading.Timer(seconds, thaw)
        t.start()
        return t

    def freeze(self, service, exporter):
        """The server frozen (SIGSTOP) for freeze_s: detected when its exporter
        retries, loses it, or falls a second behind; back once thawed and
        the exporter caught up again."""
        def inject(ctx):
            ctx["pid"] = self.b.pid(service)
            ctx["retries"] = self.exporter(exporter, "retries")
            os.kill(ctx["pid"], signal.SIGSTOP)
            ctx["end"] = time.time() + self.freeze_s
            self.thaw_later(ctx["pid"], self.freeze_s)

        def detected(ctx):
            e = self.b.stat().get("exporters", {}).get(exporter, {})
            return (e.get("retries", 0) > ctx["retries"] or e.get("connected", 1) == 0 or
                    e.get("behind_ns", 0) > 1e9)

        def back(ctx):
            e = self.b.stat().get("exporters", {}).get(exporter, {})
            return time.time() >= ctx["end"] and e.get("behind_ns", 1) == 0
        return inject, detected, back

    def run_all(self, cases):
        b = self.b
        table = {
            "kill-engine": lambda: self.engine_with_orders(),
            "kill-export-influx": lambda: self.case("kill-export-influx", *self.kill("export-influx")),
            "kill-export-influx-orders": lambda: self.case("kill-export-influx-orders",
                                                           *self.kill("export-influx-orders")),
            "kill-export-redis": lambda: self.case("kill-export-redis", *self.kill("export-redis")),
            "kill-export-redis-orders": lambda: self.case("kill-export-redis-orders", *self.kill("export-redis-orders")),
            "kill-export-prom": lambda: self.case("kill-export-prom", *self.kill("export-prom")),
            "kill-query": lambda: self.case("kill-query", *self.kill("query")),
            "kill-watchdog": lambda: self.case("kill-watchdog", *self.kill("watchdog")),
            "kill-redis": lambda: self.case("kill-redis", *self.kill("redis")),
            "kill-influxd": lambda: self.case("kill-influxd", *self.kill("influxd")),
            "kill-tfsim": lambda: self.case("kill-tfsim", *self.kill("tfsim")),
            "freeze-redis": lambda: self.freeze_case("redis", "export-redis"),
            "freeze-influxd": lambda: self.freeze_case("influxd", "export-influx"),
            "drop-fix": lambda: self.drop_fix(),
            "drop-feed": lambda: self.drop_feed(),
            "stall-engine": lambda: self.stall_engine(),
            "corrupt-position": lambda: self.corrupt_position(),
            "fill-dirs": lambda: self.fill_dirs(),
        }
        for c in cases:
            table[c]()

    def freeze_case(self, service, exporter):
        inject, detected, back = self.freeze(service, exporter)
        self.case("freeze-%s %gs" % (service, self.freeze_s), inject, detected,
                  recover_limit=self.freeze_s + 90, back=back)

    def engine_with_orders(self):
        """kill -9 the engine with orders open: held, alerted; the operator restarts it."""
        b = self.b
        # An order of our own resting far from the market, so one is open for sure.
        bid = b.tfctl("quote", "BTCUSDT").stdout.split()[0]
        b.tfctl("new", "BTCUSDT", "buy", "0.001", "%.2f" % (float(bid) * 0.9))

        def inject(ctx):
            ctx["pid"] = b.pid("engine")
            os.kill(ctx["pid"], signal.SIGKILL)

        def detected(ctx):
            return b.status().get("engine", ("",))[0] == "held"

        def operator(ctx):
            time.sleep(0.5)  # the operator looked at the orders
            t = time.time()
            b.ctl("up", "-c", b.cfg)
            return t
        self.case("kill-engine (orders open)", inject, detected, operator=operator)

    def drop_fix(self):
        b = self.b

        def inject(ctx):
            ctx["connects"] = self.counter("exio/fix_connects")
            os.kill(b.pid("tfsim"), signal.SIGUSR1)

        def detected(ctx):
            return self.counter("exio/fix_session_state") != 3 or self.counter("exio/fix_connects") > ctx["connects"]
        self.case("drop-fix", inject, detected)

    def drop_feed(self):
        b = self.b

        def inject(ctx):
            ctx["disc"] = self.counter("feed/feed_disconnects")
            r = subprocess.run(["ss", "-K", "dst", "127.0.0.1", "dport", "=", ":%d" % b.ports["sim"]],
                               capture_output=True, text=True)
            ctx["ss"] = r.returncode

        def detected(ctx):
            return self.counter("feed/feed_disconnects") > ctx["disc"]
        self.case("drop-feed", inject, detected)

    def stall_engine(self):
        b = self.b

        def inject(ctx):
            ctx["stalls"] = b.stat().get("watchdog", {}).get("stalls", 0)
            ctx["pid"] = b.pid("engine")
            os.kill(ctx["pid"], signal.SIGSTOP)
            self.thaw_later(ctx["pid"], 1.5)

        def detected(ctx):
            return b.stat().get("watchdog", {}).get("stalls", 0) > ctx["stalls"]
        self.case("stall-engine 1.5s", inject, detected)

    def corrupt_position(self):
        b = self.b
        path = os.path.join(b.run_dir, "export-influx.pos")

        def inject(ctx):
            ctx["pid"] = b.pid("export-influx")
            os.kill(ctx["pid"], signal.SIGSTOP)  # no save between the damage and the crash
            with open(path, "w") as f:
                f.write("journal_id=\x00garbage\n")
            os.kill(ctx["pid"], signal.SIGKILL)

        def detected(ctx):
            st = b.status().get("export-influx")
            return st and st[1] != ctx["pid"]
        self.case("corrupt-position", inject, detected)

    def fill_dirs(self):
        """The filesystem of the segments and journals full for a while
        (the box runs on a tmpfs of its own): detected when anything says
        so (an error logged by the engine, an exporter retrying, a service
        restarted); back once the space is freed and all is whole again."""
        b = self.b
        hold = 10.0
        filler = os.path.join(b.dir, "filler")

        def errors():
            return sum(e.get("count", 0) for e in b.stat().get("errors", []))

        def inject(ctx):
            ctx["errors"] = errors()
            ctx["retries"] = sum(e.get("retries", 0) for e in b.stat().get("exporters", {}).values())
            ctx["restarts"] = sum(v[2] for v in b.status().values())
            subprocess.run(["dd", "if=/dev/zero", "of=" + filler, "bs=1M"], capture_output=True)
            ctx["end"] = time.time() + hold
            threading.Timer(hold, lambda: os.path.exists(filler) and os.unlink(filler)).start()

        def detected(ctx):
            return (errors() > ctx["errors"] or
                    sum(e.get("retries", 0) for e in b.stat().get("exporters", {}).values()) > ctx["retries"] or
                    sum(v[2] for v in b.status().values()) > ctx["restarts"])

        def back(ctx):
            ex = b.stat().get("exporters", {})
            return time.time() >= ctx["end"] and all(ex.get(n, {}).get("behind_ns", 3e9) < 2e9 for n in
                                                       ("export-influx", "export-redis"))
        self.case("fill-dirs %gs" % hold, inject, detected, recover_limit=120, back=back)

    # ---- the whole run ----
    def settle(self):
        """No new orders, none open, every exporter caught up."""
        b = self.b
        b.tfctl("state", "HALTED", strategy=0)
        b.tfctl("cancel-all", strategy=0)
        wait(lambda: b.stat().get("orders", {}).get("open_orders", 1) == 0, 30)
        time.sleep(1)

        def caught_up():
            ex = b.stat().get("exporters", {})
            return all(ex.get(n, {}).get("lag_records", 1) == 0 for n in
                       ("export-influx", "export-influx-orders", "export-redis", "export-redis-orders"))
        wait(caught_up, 60)

    def totals(self):
        b = self.b
        # Trades journaled (the md journal is on disk: every life of the engine is in it).
        r = boxmod.run(os.path.join(boxmod.BIN, "tfdump"), "-n", b.inst, "-d", b.dir, "--type", "trade",
                       timeout=120)
        journal = set(re.findall(r" kind=trade id=(\d+) ", r.stdout))
        seqs = re.findall(r"^seq=(\d+) ", r.stdout, re.M)
        last = int(seqs[-1]) if seqs else 0
        # The market goes on: wait until the exporter is past what was read, then look.
        wait(lambda: self.exporter("export-influx", "position") > last, 60)
        time.sleep(0.5)
        res = b.influx('SELECT "id" FROM "trades"')
        vals = res["results"][0].get("series", [{}])[0].get("values", [])
        stored = set(str(int(v[1])) for v in vals if v[1] is not None)
        lost = len(journal - stored)
        # Orders: the engine's journal against the venue's book (tfsim's dump at its clean exit).
        r = boxmod.run(os.path.join(boxmod.BIN, "tfdump"), "-n", b.inst, "-d", b.dir, "--orders", timeout=120)
        engine = {}
        for line in r.stdout.splitlines():
            f = dict(re.findall(r"(\w+)=(\S+)", line))
            if f.get("order", "0") != "0" and f.get("state", "none") != "none" and f.get("kind") != "parent_state":
                engine[f["order"]] = (f["state"], f.get("filled", "0"))
        b.down()  # tfsim writes its orders dump
        venue = {}
        dups = 0
        with open(b.orders_dump) as f:
            for line in f:
                o = json.loads(line)
                oid = o.get("clordid", "").split(".")[0]
                if oid in venue:
                    dups += 1
                venue[oid] = (o.get("status", ""), o.get("cum", "0"))
        unknown = len([o for o in venue if o not in engine])
        norm = {"New": "NEW", "PartiallyFilled": "PARTIALLY_FILLED", "Filled": "FILLED", "Canceled": "CANCELED",
                "Rejected": "REJECTED", "Expired": "EXPIRED"}
        differ = []
        for oid, (st, filled) in engine.items():
            if oid not in venue:
                if st != "Rejected":  # the engine holds an order the venue never had
                    differ.append((oid, st, filled, "-", "-"))
                continue
            vst, vcum = venue[oid]
            if norm.get(st, st) != vst or abs(float(filled) - float(vcum)) > 1e-9:
                differ.append((oid, st, filled, vst, vcum))
        return {"trades_journaled": len(journal), "trades_stored": len(stored), "points_lost": lost,
                "orders_engine": len(engine), "orders_venue": len(venue), "dup_orders": dups,
                "unknown_orders": unknown, "differing": len(differ), "differing_list": differ[:5]}


SHORT = ["kill-export-influx", "kill-redis", "kill-engine", "drop-fix", "stall-engine", "corrupt-position"]
ALL = ["kill-engine", "kill-export-influx", "kill-export-influx-orders", "kill-export-redis",
       "kill-export-redis-orders", "kill-export-prom", "kill-query", "kill-watchdog", "kill-redis", "kill-influxd",
       "kill-tfsim", "freeze-redis", "freeze-influxd", "drop-fix", "drop-feed", "stall-engine", "corrupt-position",
       "fill-dirs"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--short", action="store_true")
    ap.add_argument("--cases")
    ap.add_argument("--freeze", type=float, default=60.0)
    a = ap.parse_args()
    cases = a.cases.split(",") if a.cases else SHORT if a.short else ALL
    b = boxmod.Box(small_fs_mb=1536 if "fill-dirs" in cases else 0)
    t_start = time.time()
    try:
        b.up()
        c = Chaos(b, a.freeze)
        print("chaos: %d cases on %s (instance %s)" % (len(cases), b.dir, b.inst), flush=True)
        c.run_all(cases)
        c.settle()
        t = c.totals()
        print("chaos totals: trades journaled %d, stored %d; orders: engine %d, venue %d" % (
            t["trades_journaled"], t["trades_stored"], t["orders_engine"], t["orders_venue"]))
        for k in ("points_lost", "dup_orders", "unknown_orders", "differing"):
            ok = t[k] == 0
            print("  %s %-16s %d" % ("ok  " if ok else "FAIL", k, t[k]))
            c.fails += not ok
        for d in t["differing_list"]:
            print("      order %s: engine %s filled %s, venue %s cum %s" % d)
        slow = [r for r in c.rows if r[1] is not None and r[1] > r[4]]
        for r in slow:
            print("  note: %s detected in %.3f s (goal %.1f s)" % (r[0], r[1], r[4]))
        passed = len(c.rows) + 4 - c.fails
        print("chaos: %d passed, %d failed (%.0f s)" % (passed, c.fails, time.time() - t_start))
        return 1 if c.fails else 0
    finally:
        b.cleanup()


if __name__ == "__main__":
    sys.exit(main())

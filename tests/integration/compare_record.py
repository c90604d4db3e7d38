#!/usr/bin/python3
"""The trading record as the journal holds it, against InfluxDB and Redis:
  compare_record.py TFDUMP_OUTPUT INFLUX_URL DB REDIS_PORT INSTANCE
TFDUMP_OUTPUT: `tfdump --orders` lines (key=value). Checks, exactly:
 - every fill is one point in `fills` (count, and price/qty/fee of each by seq)
 - every order event is one point in `orders`
 - the last position per (strategy, symbol) equals `positions`' last point
   and Redis' positions:{<instance>:...} hash, and pnl:{<instance>}:<strategy>
 - Redis' open orders are the orders whose last state is not final
Prints what differs; exit 0 when nothing does."""
import json
import sys
import urllib.parse
import urllib.request

from order_dump import read_events

import redis

dump, url, db, rport, inst = sys.argv[1:6]
fails = 0


def bad(msg):
    global fails
    fails += 1
    print("  MISMATCH " + msg)


events = read_events(dump)

ORDER_KINDS = {"accepted", "rejected", "new", "fill", "pending_cancel", "canceled", "pending_replace",
               "replaced", "cancel_rejected", "expired", "resolved"}
FINAL = {"Filled", "Canceled", "Rejected", "Expired"}
fills = {int(e["seq"]): e for e in events if e["kind"] in ("fill", "out_of_band_fill")}
orders = [e for e in events if e["kind"] in ORDER_KINDS]
positions = {}
for e in events:
    if e["kind"] == "position":
        positions[(e["strategy"], e["symbol"])] = e
last_state = {}
for e in orders:
    if e["order"] != "0":
        last_state[e["order"]] = e["state"]


def q(sql):
    u = url + "/query?" + urllib.parse.urlencode({"db": db, "q": sql, "epoch": "ns"})
    with urllib.request.urlopen(u, timeout=10) as r:
        doc = json.load(r)
    out = []
    for res in doc.get("results", []):
        for s in res.get("series", []) or []:
            cols = s["columns"]
            for v in s["values"]:
                row = dict(zip(cols, v))
                row.update(s.get("tags", {}))
                out.append(row)
    return out


ifills = {int(r["seq"]): r for r in q("SELECT * FROM fills")}
if len(ifills) != len(fills):
    bad("fills: journal %d, InfluxDB %d" % (len(fills), len(ifills)))
for seq, e in fills.items():
    r = ifills.get(seq)
    if not r:
        bad("fill seq %d missing in InfluxDB" % seq)
        continue
    for jk, ik in (("last_px", "price"), ("last_qty", "qty"), ("fee", "fee")):
        if abs(float(e[jk]) - float(r[ik])) > 1e-9:
            bad("fill seq %d %s: journal %s, InfluxDB %s" % (seq, ik, e[jk], r[ik]))
iorders = q("SELECT count(order_id) FROM orders")
n = iorders[0]["count"] if iorders else 0
if n != len(orders):
    bad("order events: journal %d, InfluxDB %d" % (len(orders), n))

rd = redis.Redis(host="127.0.0.1", port=int(rport), decode_responses=True)
ipos = {}
for r in q("SELECT last(qty) AS qty, last(realized) AS realized, last(fees) AS fees FROM positions "
           "GROUP BY strategy, symbol"):
    ipos[(r["strategy"], r["symbol"])] = r
for (s, sym), e in positions.items():
    r = ipos.get((s, sym))
    if not r:
        bad("position %s/%s missing in InfluxDB" % (s, sym))
    else:
        for jk, ik in (("qty", "qty"), ("realized", "realized"), ("fees", "fees")):
            if abs(float(e[jk]) - float(r[ik])) > 1e-9:
                bad("position %s/%s %s: journal %s, InfluxDB %s" % (s, sym, ik, e[jk], r[ik]))
    keys = rd.keys("positions:{%s:*:%s}" % (inst, sym))
    got = json.loads(rd.hget(keys[0], s)) if keys and rd.hget(keys[0], s) else None
    if not got or got["qty"] != e["qty"] or got["realized"] != e["realized"]:
        bad("position %s/%s in Redis: %s, journal qty %s realized %s" % (s, sym, got, e["qty"], e["realized"]))
    pnl = rd.hgetall("pnl:{%s}:%s" % (inst, s))
    if not any(json.loads(v)["realized"] == e["realized"] for k, v in pnl.items() if k.endswith(":" + sym)):
        bad("pnl:{%s}:%s in Redis has no %s with realized %s" % (inst, s, sym, e["realized"]))
open_j = {o for o, st in last_state.items() if st not in FINAL}
open_r = set()
for k in rd.keys("orders:open:{%s:*}" % inst):
    open_r |= set(rd.hkeys(k))
if open_j != open_r:
    bad("open orders: journal %s, Redis %s" % (sorted(open_j)[:10], sorted(open_r)[:10]))
rfills = sum(rd.xlen(k) for k in rd.keys("orders:fills:{%s:*}" % inst))
if rfills != len(fills):
    bad("fills in Redis streams: %d, journal %d" % (rfills, len(fills)))
print("  record: %d order events, %d fills, %d positions, %d open orders compared" %
      (len(orders), len(fills), len(positions), len(open_j)))
sys.exit(1 if fails else 0)

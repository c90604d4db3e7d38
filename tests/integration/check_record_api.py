#!/usr/bin/python3
"""tfquery's trading-record endpoints against the order journal:
  check_record_api.py QUERY_URL TFDUMP_OUTPUT
Prints a line per check; exit 0 when all hold."""
import json
import sys
import urllib.error
import urllib.request

from order_dump import read_events

url, dump = sys.argv[1:3]
fails = 0


def get(path):
    try:
        with urllib.request.urlopen(url + path, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def check(desc, ok):
    global fails
    print("  %s %s" % ("ok  " if ok else "FAIL", desc))
    fails += 0 if ok else 1


events = read_events(dump)
fills = [e for e in events if e["kind"] in ("fill", "out_of_band_fill") and e["symbol"] == "BTCUSDT"]

st, doc = get("/v1/fills?symbol=BTCUSDT&start=0&limit=10000")
check("/v1/fills from the start: every BTCUSDT fill of the journal (%d), source %s" %
      (len(fills), doc.get("source")), st == 200 and len(doc["fills"]) == len(fills))
check("  ... oldest first, prices and quantities as the journal has them",
      st == 200 and [(x["price"], x["qty"]) for x in doc["fills"]] == [(e["last_px"], e["last_qty"]) for e in fills])
check("  ... from InfluxDB: the window holds only the newest events", doc.get("source") == "influxdb")
st, doc = get("/v1/orders?status=all&limit=1")
newest_ms = doc["orders"][0]["updated_ms"] if st == 200 and doc["orders"] else 0
# After the newest event's millisecond: a range the window surely holds
# (the whole millisecond itself may hold more events than the window).
newest_ms += 1
st, doc = get("/v1/fills?symbol=BTCUSDT&start=%d&limit=10000" % newest_ms)
check("/v1/fills after the newest event: from memory (the window holds that range)",
      st == 200 and doc.get("source") == "memory" and all(f["time_ms"] >= newest_ms for f in doc["fills"]))
if st != 200 or doc.get("source") != "memory":
    print("    (start %d: %d %s)" % (newest_ms, st, json.dumps(doc)[:300]))
st, doc = get("/v1/fills?symbol=BTCUSDT&strategy=1&start=0&limit=3")
check("/v1/fills strategy=1 limit=3: the newest three of strategy 1",
      st == 200 and len(doc["fills"]) == 3 and all(x["strategy"] == 1 for x in doc["fills"]))
st, doc = get("/v1/orders?status=all&limit=10000")
check("/v1/orders?status=all: one entry per order (%d)" % (len(doc.get("orders", []))),
      st == 200 and len({o["order_id"] for o in doc["orders"]}) == len(doc["orders"]) and doc["orders"])
st, doc = get("/v1/positions?symbol=BTCUSDT")
ok = st == 200 and any(p["strategy"] == "all" for p in doc["positions"])
check("/v1/positions?symbol=BTCUSDT: per strategy and the total", ok)
last_pos = {}
for e in events:
    if e["kind"] == "position" and e["symbol"] == "BTCUSDT":
        last_pos[int(e["strategy"])] = e
same = st == 200 and all(any(p["strategy"] == s and p["qty"] == e["qty"] and p["realized"] == e["realized"]
                             for p in doc["positions"]) for s, e in last_pos.items())
check("  ... equal to the last position the journal holds for each strategy", same)
st, doc = get("/v1/pnl")
check("/v1/pnl: per strategy, the total and the daily PnL",
      st == 200 and any(s["strategy"] == "all" for s in doc["strategies"]) and "daily_pnl" in doc)
for path, code in (("/v1/fills", 400), ("/v1/fills?symbol=NOPE", 404), ("/v1/orders?status=bogus", 400),
                   ("/v1/orders?strategy=99", 400), ("/v1/pnl?strategy=-1", 400), ("/v1/orders?limit=0", 400),
                   ("/v1/positions?exchange=binance", 400), ("/v1/fills?symbol=BTCUSDT&start=5&end=4", 400)):
    st, doc = get(path)
    check("%s answers %d with its reason" % (path, code), st == code and "error" in doc)
sys.exit(1 if fails else 0)

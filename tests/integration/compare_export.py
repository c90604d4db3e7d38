#!/usr/bin/python3
"""Compare what the exporters wrote with the engine's journal.

  compare_export.py DUMP --influx URL --db DB --instance NAME [--redis PORT] [--bars-keep N]

DUMP is `tfdump --type bar` and `--type trade` output of the whole journal.
Checks, printing one line per failure and a summary:
  - every bar (last revision of each symbol/minute, venue klines apart)
    is in InfluxDB's market_data with exactly the journal's values, and
    InfluxDB has no bar the journal lacks;
  - every journaled trade is in InfluxDB's trades exactly once (by id);
  - with --redis: the newest N bars of each symbol are the sorted set's
    members with the same values, and the trade stream holds every trade
    exactly once (the test sets trades_maxlen above the trade count).
Exit 0 when all hold. Standard library plus python3-redis (Debian)."""
import argparse
import json
import sys
import urllib.parse
import urllib.request
from decimal import Decimal

FIELDS = {"o": "open", "h": "high", "l": "low", "c": "close", "v": "volume", "qv": "quote_volume",
          "vwap": "vwap"}


def parse_dump(path):
    bars, trades, twice = {}, {}, 0
    for line in open(path):
        kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
        if kv.get("type") == "bar":
            if "venue" in kv.get("flags", ""):
                continue
            key = (kv["symbol"], int(kv["open_time_ms"]))
            if key not in bars or int(kv["rev"]) >= int(bars[key]["rev"]):
                bars[key] = kv
        elif kv.get("type") == "trade":
            key = (kv["symbol"], int(kv["id"]))
            if key in trades:
                print(f"journal itself holds trade {key} twice")
                twice += 1
            trades[key] = kv
    return bars, trades, twice


def influx(url, db, q):
    u = f"{url}/query?" + urllib.parse.urlencode({"db": db, "q": q, "epoch": "ms"})
    with urllib.request.urlopen(u, timeout=30) as r:
        res = json.load(r)["results"][0]
    if "error" in res:
        raise SystemExit(f"influx error: {res['error']}")
    out = []
    for s in res.get("series", []):
        cols = s["columns"]
        for v in s["values"]:
            out.append(dict(zip(cols, v)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dump")
    ap.add_argument("--influx", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--instance", required=True)
    ap.add_argument("--redis", type=int)
    ap.add_argument("--redis-db", type=int, default=0)
    ap.add_argument("--bars-keep", type=int, default=1440)
    a = ap.parse_args()
    bars, trades, bad = parse_dump(a.dump)

    got = {}
    rows = influx(a.influx, a.db, "SELECT * FROM market_data")
    for r in rows:
        got[(r["symbol"], r["time"])] = r
    for key, kv in bars.items():
        r = got.get(key)
        if r is None:
            print(f"influx: bar {key} missing")
            bad += 1
            continue
        for short, name in FIELDS.items():
            if Decimal(kv[short]) != Decimal(repr(r[name])):
                print(f"influx: bar {key} {name} {r[name]} != journal {kv[short]}")
                bad += 1
        if int(r["trades"]) != int(kv["n"]) or int(r["revision"]) != int(kv["rev"]):
            print(f"influx: bar {key} trades/revision {r['trades']}/{r['revision']} != {kv['n']}/{kv['rev']}")
            bad += 1
    extra = set(got) - set(bars)
    for key in sorted(extra)[:5]:
        print(f"influx: bar {key} not in the journal")
    bad += len(extra)

    ids = {}
    for r in influx(a.influx, a.db, "SELECT id, price, qty, symbol FROM trades"):
        key = (r["symbol"], int(r["id"]))
        ids[key] = ids.get(key, 0) + 1
        kv = trades.get(key)
        if kv and not (Decimal(repr(r["price"])) == Decimal(kv["price"]) and Decimal(repr(r["qty"])) == Decimal(kv["qty"])):
            print(f"influx: trade {key} {r['price']}/{r['qty']} != journal {kv['price']}/{kv['qty']}")
            bad += 1
    missing = [k for k in trades if k not in ids]
    dup = [k for k, n in ids.items() if n > 1]
    unknown = [k for k in ids if k not in trades]
    if missing or dup or unknown:
        print(f"influx trades: {len(missing)} missing, {len(dup)} duplicated, {len(unknown)} not in journal "
              f"(e.g. {(missing + dup + unknown)[:3]})")
        bad += len(missing) + len(dup) + len(unknown)
    print(f"  influx: {len(bars)} bars, {len(trades)} trades compared")

    if a.redis:
        import redis
        r = redis.Redis(host="127.0.0.1", port=a.redis, db=a.redis_db, decode_responses=True)
        for sym in sorted({k[0] for k in bars}):
            want = sorted(k[1] for k in bars if k[0] == sym)[-a.bars_keep:]
            members = r.zrange(f"md:bars:{{{a.instance}:binance:{sym}}}:1m", 0, -1, withscores=True)
            have = {int(score): json.loads(m) for m, score in members}
            if sorted(have) != want:
                print(f"redis: {sym} bars at {sorted(have)[:3]}... != journal's newest {want[:3]}... "
                      f"({len(have)} vs {len(want)})")
                bad += 1
            for t in want:
                b, kv = have.get(t), bars[(sym, t)]
                if b and any(Decimal(b[name]) != Decimal(kv[short]) for short, name in FIELDS.items()):
                    print(f"redis: bar {sym} {t} differs: {b} vs {kv}")
                    bad += 1
        seen = {}
        for sym in sorted({k[0] for k in trades}):
            for _, f in r.xrange(f"md:trades:{{{a.instance}:binance:{sym}}}", "-", "+"):
                key = (sym, int(f["id"]))
                seen[key] = seen.get(key, 0) + 1
        missing = [k for k in trades if k not in seen]
        dup = [k for k, n in seen.items() if n > 1]
        if missing or dup:
            print(f"redis trades: {len(missing)} missing, {len(dup)} duplicated (e.g. {(missing + dup)[:3]})")
            bad += len(missing) + len(dup)
        print(f"  redis: bars and {len(seen)} stream entries compared")
    print(f"  {bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Synthetic 1-minute bars for the history tests and bench, and the exact
aggregation a coarse bar must equal.
  history_bars.py write INFLUX_URL DB RP INSTANCE SYMBOL START_MS MINUTES OUT_JSON
      writes MINUTES bars from START_MS (on the minute) into RP.market_data
      as tfexport-influx writes them (price precision 2, qty precision 5;
      some minutes flat), and the bars as JSON to OUT_JSON
  history_bars.py check QUERY_URL INSTANCE SYMBOL BARS_JSON TIMEFRAME START_MS END_MS RESOLUTION
      asks tfquery for the range at TIMEFRAME and compares every bar with
      the aggregation of BARS_JSON (exact decimals), and that it came from
      RESOLUTION. Exit 0 when they agree."""
import json
import random
import sys
import urllib.parse
import urllib.request
from decimal import Decimal

PP, QP = 2, 5
WIDTH = {"1m": 60000, "5m": 300000, "15m": 900000, "30m": 1800000, "1h": 3600000, "4h": 14400000,
         "1d": 86400000}


def fx(units, prec):
    return str(Decimal(units).scaleb(-prec).quantize(Decimal(1).scaleb(-prec)))


def vwap_units(qsum, vol, close):
    return (qsum * 10 ** 4 + vol // 2) // vol if vol > 0 else close * 10 ** 4


def make(start_ms, minutes, seed):
    rnd = random.Random(seed)
    price, out = 4300000, []
    for i in range(minutes):
        t = start_ms + i * 60000
        if rnd.random() < 0.1:
            out.append({"t": t, "o": price, "h": price, "l": price, "c": price, "v": 0, "q": 0, "n": 0})
            continue
        o = price
        c = max(100, o + rnd.randint(-500, 500))
        h, l = max(o, c) + rnd.randint(0, 300), min(o, c) - rnd.randint(0, 300)
        v = rnd.randint(1, 5000000)
        qsum = v * rnd.randint(l, h)  # price units x qty units, some price inside the bar
        out.append({"t": t, "o": o, "h": h, "l": l, "c": c, "v": v, "q": qsum, "n": rnd.randint(1, 400)})
        price = c
    return out


def line(inst, sym, b):
    qe8 = b["q"] * 10 ** (8 - PP - QP)
    return ("market_data,exchange=binance,instance=%s,symbol=%s,timeframe=1m open=%s,high=%s,low=%s,close=%s,"
            "volume=%s,vwap=%s,quote_volume=%s,quote_volume_e8=%di,trades=%di,revision=0i,first_trade_id=0i,"
            "last_trade_id=0i,flat=%s,volume_units=%di,price_precision=%di,qty_precision=%di %d" %
            (inst, sym, fx(b["o"], PP), fx(b["h"], PP), fx(b["l"], PP), fx(b["c"], PP), fx(b["v"], QP),
             fx(vwap_units(b["q"], b["v"], b["c"]), PP + 4), fx(qe8, 8), qe8, b["n"],
             "true" if b["n"] == 0 else "false", b["v"], PP, QP, b["t"] * 1000000))


def write(url, db, rp, inst, sym, start_ms, minutes, out_json):
    bars = make(int(start_ms) // 60000 * 60000, int(minutes), hash((inst, sym)) & 0xffff)
    q = urllib.parse.urlencode({"db": db, "rp": rp, "precision": "ns"})
    for k in range(0, len(bars), 10000):
        body = "\n".join(line(inst, sym, b) for b in bars[k:k + 10000]).encode()
        urllib.request.urlopen(urllib.request.Request(url + "/write?" + q, data=body), timeout=120).read()
    with open(out_json, "w") as f:
        json.dump(bars, f)


def aggregate(bars, width, start, end):
    out = {}
    for b in bars:
        if not (start // width * width <= b["t"] <= end):
            continue
        k = b["t"] // width * width
        a = out.get(k)
        if a is None:
            out[k] = dict(b)
        else:
            a["h"], a["l"], a["c"] = max(a["h"], b["h"]), min(a["l"], b["l"]), b["c"]
            a["v"] += b["v"]
            a["q"] += b["q"]
            a["n"] += b["n"]
    return [out[k] | {"t": k} for k in sorted(out)]


def check(qurl, inst, sym, bars_json, tf, start, end, resolution):
    bars = json.load(open(bars_json))
    start, end = int(start), int(end)
    want = aggregate(bars, WIDTH[tf], start, end)
    args = urllib.parse.urlencode({"instance": inst, "symbol": sym, "timeframe": tf, "start": start, "end": end,
                                   "limit": 10000})
    got = json.load(urllib.request.urlopen(qurl + "/v1/bars?" + args, timeout=60))
    bad = 0
    if got.get("resolution") != resolution:
        print("  resolution %s, expected %s" % (got.get("resolution"), resolution))
        bad += 1
    have = got.get("bars", [])
    if len(have) != len(want):
        print("  %d bars, expected %d" % (len(have), len(want)))
        bad += 1
    for g, w in zip(have, want):
        exp = {"open_time": w["t"], "open": fx(w["o"], PP), "high": fx(w["h"], PP), "low": fx(w["l"], PP),
               "close": fx(w["c"], PP), "volume": fx(w["v"], QP), "quote_volume": fx(w["q"] * 10, 8),
               "vwap": fx(vwap_units(w["q"], w["v"], w["c"]), PP + 4), "trades": w["n"]}
        diff = {k: (g.get(k), v) for k, v in exp.items() if g.get(k) != v}
        if diff:
            bad += 1
            if bad < 5:
                print("  bar %d differs: %s" % (w["t"], diff))
    print("  %s %s: %d bars compared from resolution %s, %d differ" % (inst, tf, len(want), got.get("resolution"),
                                                                     bad))
    return bad == 0


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(*sys.argv[2:10])
    elif sys.argv[1] == "check":
        sys.exit(0 if check(*sys.argv[2:10]) else 1)
    else:
        sys.exit(__doc__)

#!/usr/bin/python3
"""Independent 1-minute bars from a recorded Binance combined-stream file.

bars_reference.py FILE --symbol-precision SYM=PRICE_DECIMALS,QTY_DECIMALS ...
                  [--empty skip|flat] [--self-test]

Only "trade" events count; a trade id seen before (per symbol) is a
duplicate and dropped. Trades group by the minute of T. Open is the trade
with the lowest id in the minute, close the highest; high, low, volume,
count; quote volume = sum(price*qty) rounded half up to 8 decimals (as the
venue reports it), VWAP = quote volume / volume rounded half up to the price
precision + 4 decimals. Under --empty flat a minute without
trades between two minutes with trades is a flat bar at the previous close.
Prints one JSON object per bar, sorted by symbol then open time. Standard
library only, decimal arithmetic (never floats).
"""
import argparse
import json
import sys
from decimal import Decimal, ROUND_HALF_UP


def q(value, decimals):
    return format(value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP), "f")


def bars(lines, prec, empty):
    seen = {}
    minutes = {}
    for line in lines:
        line = line.strip()
        if not line:
            continue
        m = json.loads(line)
        d = m.get("data", m)
        if d.get("e") != "trade":
            continue
        sym = d["s"]
        if sym not in prec:
            continue
        tid = int(d["t"])
        if tid in seen.setdefault(sym, set()):
            continue
        seen[sym].add(tid)
        minute = int(d["T"]) // 60000 * 60000
        minutes.setdefault(sym, {}).setdefault(minute, []).append((tid, Decimal(d["p"]), Decimal(d["q"])))
    out = []
    for sym in sorted(minutes):
        pp, qp = prec[sym]
        keys = sorted(minutes[sym])
        last_close = None
        prev = None
        for minute in keys:
            if empty == "flat" and prev is not None:
                for gap in range(prev + 60000, minute, 60000):
                    c = q(last_close, pp)
                    out.append({"symbol": sym, "open_time_ms": gap, "open": c, "high": c, "low": c,
                                "close": c, "volume": q(Decimal(0), qp), "quote_volume": q(Decimal(0), 8),
                                "vwap": q(last_close, pp + 4), "trades": 0, "first_id": 0, "last_id": 0, "flat": True})
            ts = sorted(minutes[sym][minute])
            vol = sum(t[2] for t in ts)
            qsum = sum(t[1] * t[2] for t in ts)
            vwap = qsum / vol if vol else ts[-1][1]
            out.append({"symbol": sym, "open_time_ms": minute, "open": q(ts[0][1], pp),
                        "high": q(max(t[1] for t in ts), pp), "low": q(min(t[1] for t in ts), pp),
                        "close": q(ts[-1][1], pp), "volume": q(vol, qp), "quote_volume": q(qsum, 8),
                        "vwap": q(vwap, pp + 4), "trades": len(ts), "first_id": ts[0][0], "last_id": ts[-1][0],
                        "flat": False})
            last_close = ts[-1][1]
            prev = minute
    return out


def self_test():
    lines = [
        '{"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","t":2,"p":"10.00000000","q":"1.00000000","T":60001}}',
        '{"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","t":1,"p":"11.00000000","q":"3.00000000","T":60000}}',
        '{"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","t":2,"p":"10.00000000","q":"1.00000000","T":60001}}',
        '{"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","t":3,"p":"12.50000000","q":"0.50000000","T":180000}}',
    ]
    b = bars(lines, {"BTCUSDT": (2, 5)}, "flat")
    assert len(b) == 3, b
    # minute 60000: open = id 1 (11), close = id 2 (10); vwap = (33+10)/4 = 10.75
    assert b[0]["open"] == "11.00" and b[0]["close"] == "10.00" and b[0]["vwap"] == "10.750000", b[0]
    assert b[0]["volume"] == "4.00000" and b[0]["quote_volume"] == "43.00000000" and b[0]["trades"] == 2
    assert b[1]["flat"] and b[1]["open"] == "10.00" and b[1]["open_time_ms"] == 120000
    assert b[2]["open"] == "12.50" and b[2]["quote_volume"] == "6.25000000"
    assert len(bars(lines, {"BTCUSDT": (2, 5)}, "skip")) == 2
    # half up: 0.005 -> 0.01
    assert q(Decimal("0.005"), 2) == "0.01"
    print("bars_reference: self-test ok")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?")
    ap.add_argument("--symbol-precision", action="append", default=[])
    ap.add_argument("--empty", choices=["skip", "flat"], default="skip")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    if a.self_test:
        self_test()
        return 0
    prec = {}
    for sp in a.symbol_precision:
        sym, v = sp.split("=")
        pp, qp = v.split(",")
        prec[sym] = (int(pp), int(qp))
    with open(a.file) as f:
        for b in bars(f, prec, a.empty):
            print(json.dumps(b))
    return 0


sys.exit(main())

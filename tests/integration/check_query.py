#!/usr/bin/python3
"""Check tfquery against the engine's journal (tfdump output).

  check_query.py --url URL --dump DUMP --hot N --redis-keep M [--max-limit L] [--influx-down]

Bars: the newest N come from memory, older ones still in Redis (newest M)
from Redis, the oldest from InfluxDB; each answer must equal the journal's
bars (last revision) value for value. Trades: the newest ones equal the
journal's. Every bad input gets its 4xx with a JSON {"error": ...}.
--influx-down: a range only InfluxDB holds gets 503 naming InfluxDB, while
memory and Redis ranges still answer. Standard library only."""
import argparse
import json
import sys
import urllib.error
import urllib.request
from decimal import Decimal

FIELDS = {"o": "open", "h": "high", "l": "low", "c": "close", "v": "volume", "qv": "quote_volume", "vwap": "vwap"}
bad = 0


def get(url, method="GET"):
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        body = e.read()
        try:
            return e.code, json.loads(body)
        except ValueError:
            return e.code, {"unparsed": body.decode(errors="replace")}


def expect(desc, ok, detail=""):
    global bad
    if not ok:
        bad += 1
        print(f"    FAIL {desc} {detail}")


def load(path):
    bars, trades = {}, {}
    for line in open(path):
        kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
        if kv.get("type") == "bar" and "venue" not in kv.get("flags", ""):
            key = (kv["symbol"], int(kv["open_time_ms"]))
            if key not in bars or int(kv["rev"]) >= int(bars[key]["rev"]):
                bars[key] = kv
        elif kv.get("type") == "trade":
            trades.setdefault(kv["symbol"], []).append(kv)
    return bars, trades


def same_bars(desc, got, want):
    if len(got) != len(want):
        expect(desc, False, f"{len(got)} bars, want {len(want)}")
        return
    for g, w in zip(got, want):
        ok = g["open_time"] == int(w["open_time_ms"]) and g["trades"] == int(w["n"]) and \
            g["revision"] == int(w["rev"]) and all(Decimal(g[n]) == Decimal(w[s]) for s, n in FIELDS.items())
        if not ok:
            expect(desc, False, f"{g} != {w}")
            return


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--dump", required=True)
    ap.add_argument("--hot", type=int, required=True)
    ap.add_argument("--redis-keep", type=int, required=True)
    ap.add_argument("--max-limit", type=int, default=1000)
    ap.add_argument("--influx-down", action="store_true")
    a = ap.parse_args()
    bars, trades = load(a.dump)
    u = a.url
    for sym in sorted({k[0] for k in bars}):
        b = [bars[k] for k in sorted(k for k in bars if k[0] == sym)]
        t = lambda i: int(b[i]["open_time_ms"])
        q = f"{u}/v1/bars?symbol={sym}&exchange=binance&timeframe=1m"
        st, j = get(f"{q}&start={t(-a.hot)}&end={t(-1)}")
        expect(f"{sym} hot range from memory", st == 200 and j.get("source") == "memory", f"{st} {j.get('source')} {j.get('error')}")
        if st == 200:
            same_bars(f"{sym} hot bars", j["bars"], b[-a.hot:])
        lo, hi = -a.redis_keep + 1, -a.hot - 1
        st, j = get(f"{q}&start={t(lo)}&end={t(hi)}")
        expect(f"{sym} warm range from Redis", st == 200 and j.get("source") == "redis", f"{st} {j}"[:300])
        if st == 200:
            same_bars(f"{sym} Redis bars", j["bars"], b[lo:hi + 1] if hi != -1 else b[lo:])
        if a.influx_down:
            st, j = get(f"{q}&start={t(0)}&end={t(-1)}&limit=999")
            expect(f"{sym} cold range with InfluxDB down: 503", st == 503 and "InfluxDB" in j.get("error", ""), f"{st} {j}")
            continue
        st, j = get(f"{q}&start={t(0)}&end={t(-1)}&limit={a.max_limit}")
        expect(f"{sym} cold range from InfluxDB", st == 200 and j.get("source") == "influxdb", f"{st} {j}"[:300])
        if st == 200:
            same_bars(f"{sym} InfluxDB bars", j["bars"], b)
        st, j = get(f"{q}&start={t(0)}&end={t(-1)}&limit=3")
        expect(f"{sym} limit keeps the newest", st == 200 and [x["open_time"] for x in j.get("bars", [])] ==
               [t(-3), t(-2), t(-1)], f"{st} {j}"[:300])
        n = 10
        st, j = get(f"{u}/v1/trades?symbol={sym}&limit={n}")
        want = trades[sym][-n:]
        expect(f"{sym} newest trades", st == 200 and [(x["id"], Decimal(x["price"]), Decimal(x["qty"])) for x in j["trades"]]
               == [(int(w["id"]), Decimal(w["price"]), Decimal(w["qty"])) for w in want], f"{st} {j}"[:300])

    # The same cold question again: answered from the LRU cache.
    hits = get(f"{u}/v1/health")[1].get("cache_hits", 0)
    sym0 = sorted({k[0] for k in bars})[0]
    b0 = [bars[k] for k in sorted(k for k in bars if k[0] == sym0)]
    q0 = f"{u}/v1/bars?symbol={sym0}&start={b0[0]['open_time_ms']}&end={b0[-1]['open_time_ms']}&limit=7"
    first, again = get(q0), get(q0)
    expect("a repeated Redis/InfluxDB answer comes from the cache, unchanged",
           a.influx_down or first == again and get(f"{u}/v1/health")[1].get("cache_hits", 0) == hits + 1,
           f"{first[0]} {again[0]} hits {hits}")
    st, j = get(f"{u}/v1/health")
    expect("health answers", st == 200 and j.get("redis") == "up" and
           j.get("influxdb") == ("down" if a.influx_down else "up"), f"{st} {j}")
    sym = sorted({k[0] for k in bars})[0]
    cases = [
        ("unknown symbol", f"/v1/bars?symbol=NOPEUSDT", 404),
        ("unknown exchange", f"/v1/bars?symbol={sym}&exchange=kraken", 404),
        ("missing symbol", "/v1/bars", 400),
        ("start not a number", f"/v1/bars?symbol={sym}&start=yesterday", 400),
        ("negative end", f"/v1/bars?symbol={sym}&end=-5", 400),
        ("start after end", f"/v1/bars?symbol={sym}&start=2000&end=1000", 400),
        ("limit 0", f"/v1/bars?symbol={sym}&limit=0", 400),
        ("huge limit", f"/v1/bars?symbol={sym}&limit=99999999", 400),
        ("limit beyond 2^53", f"/v1/bars?symbol={sym}&limit=999999999999999999999", 400),
        ("unknown parameter", f"/v1/bars?symbol={sym}&colour=red", 400),
        ("parameter twice", f"/v1/bars?symbol={sym}&symbol={sym}", 400),
        ("unsupported timeframe", f"/v1/bars?symbol={sym}&timeframe=2h", 400),
        ("malformed query string", f"/v1/bars?symbol={sym}&justaword", 400),
        ("end whose ns would wrap", f"/v1/bars?symbol={sym}&start=0&end=99999999999999", 400, "end must be 0.."),
        ("start whose ns would wrap", f"/v1/bars?symbol={sym}&start=99999999999999", 400, "start must be 0.."),
        ("a value too long", f"/v1/bars?symbol={sym}&exchange={'x' * 300}", 400, "parameter too long"),
        ("a long argument before a good one", f"/v1/bars?colour={'x' * 300}&symbol={sym}", 400, "parameter too long"),
        ("trades limit too large", f"/v1/trades?symbol={sym}&limit=100000000", 400),
        ("quote of an unknown symbol", "/v1/quote?symbol=NOPE", 404),
        ("unknown endpoint", "/v1/candles", 404),
    ]
    for desc, path, code, *says in cases:  # says: what the error must mention
        st, j = get(u + path)
        expect(desc, st == code and isinstance(j.get("error"), str) and all(w in j["error"] for w in says),
               f"{path[:80]}: {st} {j}")
    st, j = get(f"{u}/v1/bars?symbol={sym}", method="POST")
    expect("POST refused", st == 405 and "error" in j, f"{st} {j}")
    print(f"    {bad} failures")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

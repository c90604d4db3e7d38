#!/usr/bin/python3
"""Build the VWAP volume profile by time of day (orders.algo_vwap_profile)
from the 1-minute bars tfexport-influx keeps in InfluxDB.

  tools/vwap_profile.py --url http://127.0.0.1:8086 --db tradefan --symbol BTCUSDT [--symbol ...]
                        [--days 20] [--out FILE] [--user U --password-file F]

For each symbol: the volume of every bar of the last --days days
(measurement market_data, timeframe 1m; a revised bar counts once, as its
last revision), averaged per UTC minute of the day over the days that have
data, written as "SYMBOL HH:MM VOLUME" lines (the engine's format,
engine/algo/algo_profile.h). A symbol with no bars is an error: a profile
of zeros would make VWAP wait for volume that never comes. Exit 0 written,
1 usage or no data, 2 InfluxDB unreachable or refusing."""
import argparse
import collections
import json
import sys
import urllib.parse
import urllib.request


def query(args, q):
    params = {"db": args.db, "q": q, "epoch": "s"}
    if args.user:
        params["u"] = args.user
        params["p"] = open(args.password_file).read().strip()
    url = args.url.rstrip("/") + "/query?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            body = json.load(r)
    except (OSError, ValueError) as e:
        print("vwap_profile: InfluxDB %s: %s" % (args.url, e), file=sys.stderr)
        sys.exit(2)
    res = body.get("results", [{}])[0]
    if "error" in res:
        print("vwap_profile: InfluxDB refused the query: %s" % res["error"], file=sys.stderr)
        sys.exit(2)
    return res.get("series", [])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--db", default="tradefan")
    ap.add_argument("--symbol", action="append", required=True)
    ap.add_argument("--days", type=int, default=20)
    ap.add_argument("--out", default="-")
    ap.add_argument("--user")
    ap.add_argument("--password-file")
    args = ap.parse_args()
    lines = ["# VWAP profile: average volume per UTC minute over the last %d days (tools/vwap_profile.py)"
             % args.days]
    for sym in args.symbol:
        if not sym.isalnum():
            print("vwap_profile: bad symbol %r" % sym, file=sys.stderr)
            return 1
        series = query(args, "SELECT \"volume\" FROM \"market_data\" WHERE \"symbol\" = '%s' AND "
                             "\"timeframe\" = '1m' AND time > now() - %dd" % (sym.upper(), args.days))
        total = collections.defaultdict(float)
        days = set()
        for s in series:
            for t, vol in s.get("values", []):
                if vol is None:
                    continue
                t = int(t)
                days.add(t // 86400)
                total[(t % 86400) // 60] += float(vol)
        if not days:
            print("vwap_profile: no 1-minute bars of %s in the last %d days" % (sym, args.days), file=sys.stderr)
            return 1
        for minute in sorted(total):
            lines.append("%s %02d:%02d %.8f" % (sym.upper(), minute // 60, minute % 60, total[minute] / len(days)))
    text = "\n".join(lines) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

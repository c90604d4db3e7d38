#!/usr/bin/python3
"""Compare the engine's bars (tfdump --type bar output) with the reference
(bars_reference.py JSON lines): for every (symbol, minute) the engine's last
revision must equal the reference bar field by field, and neither side may
have a bar the other lacks. Venue klines (flags with 'venue') are ignored, and so are flat bars after
the recording's last minute."""
import json
import sys


def parse_dump(path):
    bars = {}
    for line in open(path):
        if " type=bar " not in line:
            continue
        kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
        if "venue" in kv.get("flags", ""):
            continue
        key = (kv["symbol"], int(kv["open_time_ms"]))
        rev = int(kv["rev"])
        if key not in bars or rev >= bars[key][0]:
            bars[key] = (rev, kv)
    return {k: v[1] for k, v in bars.items()}


def main():
    got = parse_dump(sys.argv[1])
    want = {}
    for line in open(sys.argv[2]):
        if line.strip():
            b = json.loads(line)
            want[(b["symbol"], b["open_time_ms"])] = b
    # Under the flat policy the engine keeps making flat bars as minutes pass
    # after the recording ends; the recording cannot know about those.
    last = {}
    for sym, t in want:
        last[sym] = max(last.get(sym, 0), t)
    for key in [k for k in got if "flat" in got[k]["flags"].split(",") and k[1] > last.get(k[0], 0)]:
        del got[key]
    bad = 0
    for key in sorted(set(got) | set(want)):
        g, w = got.get(key), want.get(key)
        if g is None:
            print(f"    missing bar {key}: expected {w}")
            bad += 1
            continue
        if w is None:
            print(f"    unexpected bar {key}: {g}")
            bad += 1
            continue
        pairs = [("o", "open"), ("h", "high"), ("l", "low"), ("c", "close"), ("v", "volume"),
                 ("qv", "quote_volume"), ("vwap", "vwap")]
        diffs = [f"{a}={g[a]} want {w[b]}" for a, b in pairs if g[a] != str(w[b])]
        if int(g["n"]) != int(w["trades"]):
            diffs.append(f"n={g['n']} want {w['trades']}")
        if int(g["first_id"]) != int(w["first_id"]) or int(g["last_id"]) != int(w["last_id"]):
            diffs.append(f"ids {g['first_id']}..{g['last_id']} want {w['first_id']}..{w['last_id']}")
        if ("flat" in g["flags"].split(",")) != bool(w.get("flat")):
            diffs.append(f"flags={g['flags']} want flat={w.get('flat')}")
        if diffs:
            print(f"    bar {key}: " + "; ".join(diffs))
            bad += 1
    print(f"    {len(want)} reference bars, {len(got)} engine bars, {bad} differ")
    return 1 if bad or not want else 0


sys.exit(main())

#!/usr/bin/python3
"""Reconnect check: check_trades.py TRADES_DUMP EVENTS_DUMP SENT_JSONL
- no trade id appears twice in the journal (per symbol and kind);
- every trade id tfsim generated (SENT_JSONL, its --record) that is not in
  the journal lies inside a reported trade_gap range, or after the last
  journaled id (the engine cannot know about those yet), and the journal
  holds no id tfsim never sent."""
import json
import sys
from collections import Counter


def main():
    seen = Counter()
    for line in open(sys.argv[1]):
        if " type=trade " not in line:
            continue
        kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
        seen[(kv["symbol"], kv["kind"], int(kv["id"]))] += 1
    dups = [k for k, n in seen.items() if n > 1]
    gaps = []
    for line in open(sys.argv[2]):
        if "event=trade_gap" in line:
            kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
            gaps.append((kv.get("symbol"), int(kv["a"]), int(kv["b"])))
    sent = set()
    for line in open(sys.argv[3]):
        m = json.loads(line)
        d = m.get("data", m)
        if d.get("e") == "trade":
            sent.add((d["s"], "trade", int(d["t"])))
    got = set(seen)
    last = {}
    for sym, kind, tid in got:
        last[(sym, kind)] = max(last.get((sym, kind), 0), tid)
    unexplained = []
    for key in sorted(sent - got):
        sym, kind, tid = key
        if tid > last.get((sym, kind), 0):
            continue
        if not any(g[0] == sym and g[1] <= tid <= g[2] for g in gaps):
            unexplained.append(key)
    never_sent = sorted(got - sent)
    print(f"    {len(got)} trades journaled, {len(sent)} sent, {len(gaps)} gaps reported, "
          f"{len(dups)} duplicates, {len(unexplained)} missing ids outside any gap, "
          f"{len(never_sent)} never sent")
    if dups:
        print(f"    duplicates: {dups[:5]}")
    if unexplained:
        print(f"    unexplained: {unexplained[:10]}")
    if never_sent:
        print(f"    never sent: {never_sent[:5]}")
    return 1 if dups or unexplained or never_sent or not got or not gaps else 0


sys.exit(main())

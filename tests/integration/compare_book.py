#!/usr/bin/python3
"""Rebuild each book from the engine's journaled depth records (tfdump
--type depth output: a 'clear' record starts a snapshot, then levels; qty 0
removes a level) and compare it with tfsim's REST depth JSON:
compare_book.py DEPTH_DUMP SYMBOL=FILE.json ..."""
import json
import sys
from decimal import Decimal


def main():
    books = {}
    for line in open(sys.argv[1]):
        if " type=depth " not in line:
            continue
        kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
        sym = kv["symbol"]
        book = books.setdefault(sym, {"bid": {}, "ask": {}})
        if " clear " in line:
            book["bid"].clear()
            book["ask"].clear()
            continue
        if "side" not in kv:
            continue
        px, qty = Decimal(kv["price"]), Decimal(kv["qty"])
        side = book[kv["side"]]
        if qty == 0:
            side.pop(px, None)
        else:
            side[px] = qty
    bad = 0
    for arg in sys.argv[2:]:
        sym, path = arg.split("=", 1)
        sim = json.load(open(path))
        want = {"bid": {Decimal(p): Decimal(q) for p, q in sim["bids"] if Decimal(q) != 0},
                "ask": {Decimal(p): Decimal(q) for p, q in sim["asks"] if Decimal(q) != 0}}
        got = books.get(sym, {"bid": {}, "ask": {}})
        for side in ("bid", "ask"):
            if got[side] != want[side]:
                missing = sorted(set(want[side]) - set(got[side]))[:5]
                extra = sorted(set(got[side]) - set(want[side]))[:5]
                wrong = [p for p in want[side] if p in got[side] and got[side][p] != want[side][p]][:5]
                print(f"    {sym} {side}: engine {len(got[side])} levels, tfsim {len(want[side])}; "
                      f"missing {missing} extra {extra} qty differs at {wrong}")
                bad += 1
            else:
                print(f"    {sym} {side}: {len(got[side])} levels equal")
    return 1 if bad else 0


sys.exit(main())

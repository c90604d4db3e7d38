"""The engine's orders against the venue's records, after trading over FIX.

usage: compare_fix.py TFSIM_ORDERS_DUMP TFDUMP_ORDERS_TEXT ACCOUNT [TFCTL_POSITIONS_TEXT]

TFSIM_ORDERS_DUMP: tfsim --orders-dump (one JSON object per order, decimals
as strings). TFDUMP_ORDERS_TEXT: `tfdump --orders` of the engine's order
journal. Every order the venue holds for ACCOUNT must be an engine order
(ClOrdID "<order id>" or "<order id>.<n>"), placed once (no duplicates),
with the same filled quantity, the same fees and a matching final state;
every engine order that passed the risk gate must have reached the venue,
except those refused before sending (venue_unavailable). Out-of-band fills
(a fill the venue made for an order the engine had finished) count with
their order. With TFCTL_POSITIONS_TEXT (`tfctl positions`), each symbol's
total position must equal what the venue's fills add up to. Prints each
difference and a summary; exit 1 on any.
"""
import json
import sys
from decimal import Decimal

OPEN = {"NEW", "PARTIALLY_FILLED"}
ENGINE_OPEN = {"PendingNew", "New", "PartiallyFilled", "PendingCancel", "PendingReplace", "Replaced"}
SAME = {("FILLED", "Filled"), ("CANCELED", "Canceled"), ("EXPIRED", "Expired"), ("REJECTED", "Rejected"),
        ("CANCELED", "Expired"), ("EXPIRED", "Canceled")}


def engine_orders(path):
    orders = {}
    for line in open(path):
        if "type=order_event" not in line:
            continue
        f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
        oid = int(f.get("order", "0"))
        if not oid:
            continue
        o = orders.setdefault(oid, {"fills": Decimal(0), "fees": Decimal(0), "kinds": [], "reason": None,
                                    "oob": Decimal(0)})
        o["kinds"].append(f["kind"])
        if f.get("state", "none") != "none":  # "none": an answer about an order already done
            o["state"] = f["state"]
            o["filled"] = Decimal(f["filled"])
        if f["kind"] == "fill":
            o["fills"] += Decimal(f["last_qty"])
            o["fees"] += Decimal(f["fee"])
        if f["kind"] == "out_of_band_fill":
            o["oob"] += Decimal(f["last_qty"])
            o["fees"] += Decimal(f["fee"])
        if f["kind"] == "rejected":
            o["reason"] = f.get("reason")
    return orders


def main():
    dump, text, account = sys.argv[1], sys.argv[2], sys.argv[3]
    venue = [json.loads(l) for l in open(dump) if l.strip()]
    venue = [v for v in venue if v["account"] == account]
    eng = engine_orders(text)
    bad = []
    seen = {}
    for v in venue:
        oid = int(v["orig_clordid"].split(".")[0])
        if oid in seen:
            bad.append(f"order {oid} placed twice at the venue ({seen[oid]} and {v['order_id']})")
        seen[oid] = v["order_id"]
        e = eng.get(oid)
        if e is None:
            bad.append(f"venue order {v['order_id']} (ClOrdID {v['clordid']}) is no engine order")
            continue
        cum = Decimal(v["cum"])
        if (e.get("filled") or 0) + e["oob"] != cum:
            bad.append(f"order {oid}: engine filled {e.get('filled')} (+{e['oob']} out of band), venue {cum}")
        if e["fills"] != e.get("filled"):
            bad.append(f"order {oid}: engine fills add up to {e['fills']}, its state says {e.get('filled')}")
        if Decimal(v["fees"]) != e["fees"]:
            bad.append(f"order {oid}: engine fees {e['fees']}, venue {v['fees']}")
        st, es = v["status"], e.get("state")
        if not (st in OPEN and es in ENGINE_OPEN) and (st, es) not in SAME and st != es:
            bad.append(f"order {oid}: venue {st}, engine {es}")
    for oid, e in eng.items():
        if oid in seen or "accepted" not in e["kinds"]:
            continue
        if e["reason"] in ("venue_unavailable", "venue"):
            continue  # refused before it was sent, or by the venue before it was kept
        bad.append(f"engine order {oid} ({e.get('state')}) never reached the venue")
    if len(sys.argv) > 4:
        held = {}
        for v in venue:
            q = Decimal(v["cum"])
            held[v["symbol"]] = held.get(v["symbol"], Decimal(0)) + (q if v["side"] == "BUY" else -q)
        for line in open(sys.argv[4]):
            f = line.split()
            if len(f) >= 3 and f[1] == "all":
                if Decimal(f[2]) != held.get(f[0], Decimal(0)):
                    bad.append(f"{f[0]}: engine position {f[2]}, the venue's fills add up to {held.get(f[0], 0)}")
    for b in bad:
        print("  DIFF " + b)
    filled = sum(1 for v in venue if Decimal(v["cum"]) > 0)
    print(f"compare_fix: {len(venue)} venue orders, {len(eng)} engine orders, {filled} with fills, "
          f"{len(bad)} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

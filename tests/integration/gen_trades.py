#!/usr/bin/python3
"""Write a recorded Binance combined-stream file of trades for the bar test.

One JSON message per line ({"stream":"btcusdt@trade","data":{...}}), trade
times spread over several whole minutes in the recent past, with the faults
a venue feed really shows: duplicated trades, neighbours swapped (some across
a minute boundary, so a closed bar must be revised), missing trade ids, and a
minute without any trade (for the empty-interval policy). Deterministic from
--seed. Standard library only; exact decimals, never floats.
"""
import argparse
import json
import random
import time
from decimal import Decimal


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--symbols", default="BTCUSDT:2:5:43000,ETHUSDT:2:4:2300",
                    help="SYMBOL:price_decimals:qty_decimals:start_price,...")
    ap.add_argument("--minutes", type=int, default=5)
    ap.add_argument("--per-minute", type=int, default=120)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dup-every", type=int, default=29)
    ap.add_argument("--swap-every", type=int, default=17)
    ap.add_argument("--gap-every", type=int, default=97)
    ap.add_argument("--empty-minute", type=int, default=2, help="minute index with no trades (-1: none)")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    now_ms = int(time.time() * 1000)
    base_ms = (now_ms // 60000 - a.minutes - 2) * 60000  # whole minutes, all in the past
    out = []
    for spec in a.symbols.split(","):
        sym, pp, qp, start = spec.split(":")
        pp, qp = int(pp), int(qp)
        tick = Decimal(1).scaleb(-pp)
        lot = Decimal(1).scaleb(-qp)
        price = Decimal(start)
        tid = 1000
        msgs = []
        for m in range(a.minutes):
            if m == a.empty_minute:
                continue
            times = sorted(rnd.randrange(0, 60000) for _ in range(a.per_minute))
            for t_off in times:
                tid += 1
                if a.gap_every and tid % a.gap_every == 0:
                    tid += rnd.randrange(1, 4)  # ids the venue never sent
                price += tick * rnd.randrange(-20, 21)
                qty = lot * rnd.randrange(1, 5000)
                T = base_ms + m * 60000 + t_off
                data = {"e": "trade", "E": T + 1, "s": sym, "t": tid,
                        "p": f"{price:.8f}", "q": f"{qty:.8f}", "T": T,
                        "m": rnd.random() < 0.5, "M": True}
                msgs.append({"stream": sym.lower() + "@trade", "data": data})
        # faults: swaps of neighbours, then duplicates
        for i in range(1, len(msgs)):
            if a.swap_every and i % a.swap_every == 0:
                msgs[i - 1], msgs[i] = msgs[i], msgs[i - 1]
        withdup = []
        for i, m in enumerate(msgs):
            withdup.append(m)
            if a.dup_every and i % a.dup_every == 0:
                withdup.append(m)
        out.append(withdup)
    # interleave symbols in time order of arrival
    lines = []
    idx = [0] * len(out)
    while any(idx[k] < len(out[k]) for k in range(len(out))):
        for k in range(len(out)):
            if idx[k] < len(out[k]):
                lines.append(out[k][idx[k]])
                idx[k] += 1
    with open(a.out, "w") as f:
        for m in lines:
            f.write(json.dumps(m, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()

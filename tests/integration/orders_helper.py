"""Helpers for test_orders.sh.
  orders_helper.py DIR INST mid SYMBOL OFFSET   print mid * (1 + OFFSET) at the tick
  orders_helper.py DIR INST python              place, amend, cancel through tradefan.py
"""
import sys
import time
from decimal import Decimal, ROUND_DOWN

import tradefan

shm, inst, cmd = sys.argv[1], sys.argv[2], sys.argv[3]


def top_price(symbol):
    import subprocess
    for _ in range(50):
        r = subprocess.run(["build/bin/tfctl", "-d", shm, "-n", inst, "quote", symbol],
                           capture_output=True, text=True)
        if r.returncode == 0:
            bid, ask = r.stdout.split()
            return (Decimal(bid) + Decimal(ask)) / 2
        time.sleep(0.1)
    raise SystemExit("no top of book for " + symbol)


if cmd == "flood":
    # Submit without waiting for answers until killed: the test kill -9s us mid-stream.
    price = (top_price("BTCUSDT") * Decimal("0.99")).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    c = tradefan.Client(instance=inst, strategy=2, shm_dir=shm)
    lib = c._lib
    while True:
        lib.tfc_ping(c._c)

if cmd == "mid":
    p = top_price(sys.argv[4]) * (1 + Decimal(sys.argv[5]))
    print(p.quantize(Decimal("0.01"), rounding=ROUND_DOWN))
elif cmd == "python":
    price = (top_price("BTCUSDT") * Decimal("0.995")).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    with tradefan.Client(instance=inst, strategy=2, shm_dir=shm) as c:
        ev = c.new_order("BTCUSDT", "buy", "0.001", price=str(price))
        assert ev.kind == "accepted", ev
        bad = c.new_order("BTCUSDT", "buy", "0.001", price="1.00")
        assert bad.rejected and bad.reason == "price_collar", bad
        for _ in range(50):
            o = c.order(ev.order_id)
            if o and o["state"] == "New":
                break
            time.sleep(0.05)
        assert o["state"] == "New", o
        r = c.replace(ev.order_id, str(price - 1), "0.002")
        assert r.kind == "pending_replace", r
        for _ in range(50):
            o = c.order(ev.order_id)
            if o["qty"] == "0.00200":
                break
            time.sleep(0.05)
        assert o["qty"] == "0.00200" and o["version"] == 1, o
        x = c.cancel(ev.order_id)
        assert x.kind == "pending_cancel", x
        for _ in range(50):
            o = c.order(ev.order_id)
            if o["state"] == "Canceled":
                break
            time.sleep(0.05)
        assert o["state"] == "Canceled", o
        kinds = [e.kind for e in c.events() if e.order_id == ev.order_id]
        assert kinds[:2] == ["accepted", "new"] and "replaced" in kinds and kinds[-1] == "canceled", kinds
        print("python: placed, amended and canceled order", ev.order_id)
    with tradefan.Client(instance=inst, strategy=0, shm_dir=shm) as op:
        r = op.set_limit("max_order_qty", "BTCUSDT", "0.002")
        assert r.kind == "limit_set", r
        refused = op.new_order("BTCUSDT", "buy", "0.003", price=str(price))
        assert refused.rejected and refused.reason == "max_qty", refused
        r = op.set_limit("max_order_qty", "BTCUSDT", "1")
        assert r.kind == "limit_set", r
        try:
            op.set_limit("no_such_limit", "", "1")
            raise AssertionError("an unknown limit must raise")
        except tradefan.TradeFanError as e:
            assert "unknown limit" in str(e), e
        print("python: operator limit change applied and refused an order")

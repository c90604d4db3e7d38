#!/usr/bin/python3
"""Example: a Python strategy trading through the engine on the paper venue.

Places a bid below the market, moves it, cancels it, then prints positions.
    PYTHONPATH=tools/python /usr/bin/python3 examples/python_strategy.py [INSTANCE] [SHM_DIR]
"""
import sys

import tradefan

instance = sys.argv[1] if len(sys.argv) > 1 else "dev"
shm_dir = sys.argv[2] if len(sys.argv) > 2 else "/dev/shm"
with tradefan.Client(instance=instance, strategy=2, shm_dir=shm_dir) as c:
    ev = c.new_order("BTCUSDT", "buy", "0.001", price=sys.argv[3] if len(sys.argv) > 3 else "42000.00")
    print("new:", ev)
    if not ev.rejected:
        print("replace:", c.replace(ev.order_id, ev.price, "0.002"))
        print("cancel:", c.cancel(ev.order_id))
    for p in c.positions():
        print(p)

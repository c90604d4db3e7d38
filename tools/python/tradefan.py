"""TradeFan Engine client for Python strategies (standard library only).

A ctypes wrapper over libtfclient.so (include/tradefan/client.h): submit
orders into a running engine's request ring and read the answers from its
order journal. Prices and quantities are decimal strings, converted exactly
at the instrument's precision.

    import tradefan
    with tradefan.Client(instance="dev", strategy=2) as c:
        ev = c.new_order("BTCUSDT", "buy", "0.01", price="42000.00")
        if ev.rejected: print("refused:", ev.reason)
        c.replace(ev.order_id, "42010.00", "0.02")
        c.cancel(ev.order_id)
        for o in c.orders(): print(o)

Set TRADEFAN_CLIENT_LIB to the library's path if it is not found next to
the build (build/lib/libtfclient.so).
"""
import ctypes
import os
from decimal import Decimal

_HERE = os.path.dirname(os.path.abspath(__file__))


class OrderEvent(ctypes.Structure):
    _fields_ = [("order_id", ctypes.c_uint64), ("client_req_id", ctypes.c_uint64),
                ("strategy", ctypes.c_uint32), ("instrument", ctypes.c_uint32),
                ("kind", ctypes.c_uint8), ("state", ctypes.c_uint8), ("side", ctypes.c_uint8),
                ("type", ctypes.c_uint8), ("tif", ctypes.c_uint8), ("flags", ctypes.c_uint8),
                ("reason_code", ctypes.c_uint16),
                ("price_units", ctypes.c_int64), ("qty_units", ctypes.c_int64),
                ("cum_qty_units", ctypes.c_int64), ("last_px_units", ctypes.c_int64),
                ("last_qty_units", ctypes.c_int64), ("fee_money", ctypes.c_int64),
                ("arg", ctypes.c_int64), ("t_request_ns", ctypes.c_uint64),
                ("realtime_ns", ctypes.c_uint64)]


class Order(ctypes.Structure):
    _fields_ = [("order_id", ctypes.c_uint64), ("client_req_id", ctypes.c_uint64),
                ("strategy", ctypes.c_uint32), ("instrument", ctypes.c_uint32),
                ("state_code", ctypes.c_uint8), ("side", ctypes.c_uint8), ("type", ctypes.c_uint8),
                ("tif", ctypes.c_uint8), ("flags", ctypes.c_uint8), ("prev_state", ctypes.c_uint8),
                ("version", ctypes.c_uint16),
                ("price_units", ctypes.c_int64), ("qty_units", ctypes.c_int64),
                ("cum_qty_units", ctypes.c_int64), ("avg_px_units", ctypes.c_int64),
                ("fees_money", ctypes.c_int64), ("pending_price", ctypes.c_int64),
                ("pending_qty", ctypes.c_int64), ("created_realtime_ns", ctypes.c_uint64),
                ("updated_realtime_ns", ctypes.c_uint64)]


class Position(ctypes.Structure):
    _fields_ = [("instrument", ctypes.c_uint32), ("strategy", ctypes.c_uint32),
                ("qty_units", ctypes.c_int64), ("avg_px_units", ctypes.c_int64),
                ("realized_money", ctypes.c_int64), ("unrealized_money", ctypes.c_int64),
                ("fees_money", ctypes.c_int64), ("bought", ctypes.c_int64), ("sold", ctypes.c_int64),
                ("mark_px", ctypes.c_int64), ("fills", ctypes.c_uint64), ("cost", ctypes.c_int64)]


class AlgoParams(ctypes.Structure):  # shm/parents.h tf_algo_params
    _fields_ = [("kind", ctypes.c_uint8), ("side", ctypes.c_uint8), ("price_style", ctypes.c_uint8),
                ("end_policy", ctypes.c_uint8), ("size_jitter_pct", ctypes.c_uint8),
                ("time_jitter_pct", ctypes.c_uint8), ("participation_bps", ctypes.c_uint16),
                ("instrument", ctypes.c_uint32), ("offset_ticks", ctypes.c_int32),
                ("qty", ctypes.c_int64), ("limit_price", ctypes.c_int64),
                ("start_ns", ctypes.c_uint64), ("end_ns", ctypes.c_uint64), ("slice_ns", ctypes.c_uint64),
                ("resubmit_ns", ctypes.c_uint64), ("min_child", ctypes.c_int64), ("max_child", ctypes.c_int64),
                ("seed", ctypes.c_uint64)]


class ParentStatus(ctypes.Structure):  # shm/parents.h tf_parent_status
    _fields_ = [("parent_id", ctypes.c_uint64), ("strategy", ctypes.c_uint32), ("instrument", ctypes.c_uint32),
                ("kind", ctypes.c_uint8), ("side", ctypes.c_uint8), ("state", ctypes.c_uint8),
                ("price_style", ctypes.c_uint8), ("end_policy", ctypes.c_uint8), ("_pad", ctypes.c_uint8 * 3),
                ("children", ctypes.c_uint32), ("_pad2", ctypes.c_uint32),
                ("qty", ctypes.c_int64), ("filled", ctypes.c_int64), ("limit_price", ctypes.c_int64),
                ("avg_px", ctypes.c_int64), ("target", ctypes.c_int64), ("arrival_mid", ctypes.c_int64),
                ("interval_vwap", ctypes.c_int64), ("slippage_mbp", ctypes.c_int64),
                ("vs_vwap_mbp", ctypes.c_int64), ("market_volume", ctypes.c_int64),
                ("start_ns", ctypes.c_uint64), ("end_ns", ctypes.c_uint64), ("updated_realtime_ns", ctypes.c_uint64)]


assert ctypes.sizeof(OrderEvent) == 104 and ctypes.sizeof(Order) == 104
assert ctypes.sizeof(Position) == 88
assert ctypes.sizeof(AlgoParams) == 88 and ctypes.sizeof(ParentStatus) == 136

ALGOS = ["-", "twap", "vwap", "pov", "iceberg"]
ALGO_STATES = ["waiting", "running", "paused", "done", "stopped", "canceled"]
PRICE_STYLES = ["market", "touch", "mid", "passive"]
END_POLICIES = ["sweep", "stop"]
ALGO_ACTIONS = ["start", "pause", "resume", "cancel", "amend"]


def _money(units):
    """Money (10^-8 quote units) as an exact Decimal."""
    return Decimal(units).scaleb(-8)


class TradeFanError(Exception):
    pass


def _load(path=None):
    candidates = [path, os.environ.get("TRADEFAN_CLIENT_LIB"),
                  os.path.join(_HERE, "..", "..", "build", "lib", "libtfclient.so"),
                  "libtfclient.so"]
    errors = []
    for p in candidates:
        if not p:
            continue
        try:
            lib = ctypes.CDLL(p)
            break
        except OSError as e:
            errors.append(str(e))
    else:
        raise TradeFanError("libtfclient.so not found (build it with `make`, or set "
                            "TRADEFAN_CLIENT_LIB): " + "; ".join(errors))
    u64, p_, s = ctypes.c_uint64, ctypes.c_void_p, ctypes.c_char_p
    sigs = {
        "tfc_open": (p_, [s, s, ctypes.c_uint32, s, ctypes.c_size_t]),
        "tfc_close": (None, [p_]),
        "tfc_new_order": (u64, [p_, s, s, s, s, s, s]),
        "tfc_cancel": (u64, [p_, u64]),
        "tfc_replace": (u64, [p_, u64, s, s]),
        "tfc_cancel_all": (u64, [p_]),
        "tfc_ping": (u64, [p_]),
        "tfc_kill": (u64, [p_, ctypes.c_int, ctypes.c_int]),
        "tfc_set_limit": (u64, [p_, s, s, s]),
        "tfc_wait": (ctypes.c_int, [p_, u64, ctypes.c_int, ctypes.POINTER(OrderEvent)]),
        "tfc_next_event": (ctypes.c_int, [p_, ctypes.POINTER(OrderEvent)]),
        "tfc_orders": (ctypes.c_int, [p_, ctypes.POINTER(Order), ctypes.c_int, ctypes.c_int]),
        "tfc_order": (ctypes.c_int, [p_, u64, ctypes.POINTER(Order)]),
        "tfc_positions": (ctypes.c_int, [p_, ctypes.c_int, ctypes.POINTER(Position), ctypes.c_int]),
        "tfc_error": (s, [p_]),
        "tfc_reason_name": (s, [ctypes.c_uint]),
        "tfc_state_name": (s, [ctypes.c_uint]),
        "tfc_event_name": (s, [ctypes.c_uint]),
        "tfc_symbol": (s, [p_, ctypes.c_int]),
        "tfc_price_text": (s, [p_, ctypes.c_int, ctypes.c_int64, s, ctypes.c_size_t]),
        "tfc_qty_text": (s, [p_, ctypes.c_int, ctypes.c_int64, s, ctypes.c_size_t]),
        "tfc_instrument": (ctypes.c_int, [p_, s]),
        "tfc_price_units": (ctypes.c_int, [p_, ctypes.c_int, s, ctypes.POINTER(ctypes.c_int64)]),
        "tfc_qty_units": (ctypes.c_int, [p_, ctypes.c_int, s, ctypes.POINTER(ctypes.c_int64)]),
        "tfc_algo_new": (u64, [p_, ctypes.POINTER(AlgoParams)]),
        "tfc_algo_control": (u64, [p_, u64, ctypes.c_int, ctypes.c_int64, ctypes.c_int64, u64]),
        "tfc_parents": (ctypes.c_int, [p_, ctypes.POINTER(ParentStatus), ctypes.c_int]),
    }
    for name, (res, args) in sigs.items():
        f = getattr(lib, name)
        f.restype, f.argtypes = res, args
    return lib


class Event:
    """One order event, decimals as strings."""

    def __init__(self, client, ev):
        lib, c, i = client._lib, client._c, ev.instrument
        buf = ctypes.create_string_buffer(48)
        self.kind = lib.tfc_event_name(ev.kind).decode()
        self.order_id = ev.order_id
        self.client_req_id = ev.client_req_id
        self.strategy = ev.strategy
        self.state = lib.tfc_state_name(ev.state).decode()
        self.reason = lib.tfc_reason_name(ev.reason_code).decode() if ev.reason_code else None
        self.symbol = lib.tfc_symbol(c, i).decode()
        self.side = "sell" if ev.side else "buy"
        self.price = lib.tfc_price_text(c, i, ev.price_units, buf, 48).decode()
        self.qty = lib.tfc_qty_text(c, i, ev.qty_units, buf, 48).decode()
        self.filled = lib.tfc_qty_text(c, i, ev.cum_qty_units, buf, 48).decode()
        self.last_px = lib.tfc_price_text(c, i, ev.last_px_units, buf, 48).decode()
        self.last_qty = lib.tfc_qty_text(c, i, ev.last_qty_units, buf, 48).decode()

    @property
    def rejected(self):
        return self.kind in ("rejected", "cancel_rejected")

    def __repr__(self):
        r = f" reason={self.reason}" if self.reason else ""
        return (f"<{self.kind} order={self.order_id} {self.symbol} {self.side} {self.qty}@{self.price}"
                f" filled={self.filled} state={self.state}{r}>")


class Client:
    """A strategy's connection to one engine (instance, shm dir, strategy id)."""

    def __init__(self, instance="dev", strategy=1, shm_dir="/dev/shm", lib=None, timeout_ms=3000):
        self._lib = _load(lib)
        err = ctypes.create_string_buffer(600)
        self._c = self._lib.tfc_open(instance.encode(), shm_dir.encode(), strategy, err, 600)
        if not self._c:
            raise TradeFanError(err.value.decode())
        self.timeout_ms = timeout_ms

    def close(self):
        if self._c:
            self._lib.tfc_close(self._c)
            self._c = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _answer(self, req):
        if not req:
            raise TradeFanError(self._lib.tfc_error(self._c).decode())
        ev = OrderEvent()
        if not self._lib.tfc_wait(self._c, req, self.timeout_ms, ctypes.byref(ev)):
            raise TradeFanError(self._lib.tfc_error(self._c).decode())
        return Event(self, ev)

    @staticmethod
    def _b(v):
        return v.encode() if isinstance(v, str) else v

    def new_order(self, symbol, side, qty, price=None, type="limit", tif=""):
        """Submit an order and wait for the engine's answer (accepted or rejected)."""
        b = self._b
        return self._answer(self._lib.tfc_new_order(self._c, b(symbol), b(side), b(type), b(tif),
                                                    b(price) if price else None, b(str(qty))))

    def cancel(self, order_id):
        return self._answer(self._lib.tfc_cancel(self._c, order_id))

    def replace(self, order_id, price, qty):
        return self._answer(self._lib.tfc_replace(self._c, order_id, self._b(price), self._b(qty)))

    def cancel_all(self):
        return self._answer(self._lib.tfc_cancel_all(self._c))

    def set_limit(self, limit, target, value):
        """Operator (strategy 0): change a risk limit live, e.g. ("max_order_qty", "BTCUSDT", "0.5")."""
        b = self._b
        return self._answer(self._lib.tfc_set_limit(self._c, b(limit), b(target), b(str(value))))

    def kill(self, on=True, flatten=False):
        """Operator (strategy 0): trip (on) or reset the kill switch."""
        return self._answer(self._lib.tfc_kill(self._c, 1 if on else 0, 1 if flatten else 0))

    def events(self):
        """Order events since the client opened (all strategies), as they come."""
        ev = OrderEvent()
        while True:
            rc = self._lib.tfc_next_event(self._c, ctypes.byref(ev))
            if rc == 0:
                return
            if rc < 0:
                raise TradeFanError(self._lib.tfc_error(self._c).decode())
            yield Event(self, ev)

    def order(self, order_id):
        o = Order()
        if not self._lib.tfc_order(self._c, order_id, ctypes.byref(o)):
            return None
        return self._order_dict(o)

    def orders(self, open_only=True):
        arr = (Order * 4096)()
        n = self._lib.tfc_orders(self._c, arr, 4096, 1 if open_only else 0)
        return [self._order_dict(arr[k]) for k in range(n)]

    def positions(self, strategy=-1):
        arr = (Position * 1024)()
        n = self._lib.tfc_positions(self._c, strategy, arr, 1024)
        out = []
        buf = ctypes.create_string_buffer(48)
        for k in range(n):
            p = arr[k]
            i = p.instrument
            out.append({"symbol": self._lib.tfc_symbol(self._c, i).decode(), "strategy": p.strategy,
                        "qty": self._lib.tfc_qty_text(self._c, i, p.qty_units, buf, 48).decode(),
                        "avg_px": self._lib.tfc_price_text(self._c, i, p.avg_px_units, buf, 48).decode(),
                        "realized": _money(p.realized_money),
                        "unrealized": _money(p.unrealized_money),
                        "fees": _money(p.fees_money), "fills": p.fills})
        return out

    def _order_dict(self, o):
        lib, c, i = self._lib, self._c, o.instrument
        buf = ctypes.create_string_buffer(48)
        return {"order_id": o.order_id, "strategy": o.strategy,
                "symbol": lib.tfc_symbol(c, i).decode(), "side": "sell" if o.side else "buy",
                "type": "market" if o.type else "limit",
                "price": lib.tfc_price_text(c, i, o.price_units, buf, 48).decode(),
                "qty": lib.tfc_qty_text(c, i, o.qty_units, buf, 48).decode(),
                "filled": lib.tfc_qty_text(c, i, o.cum_qty_units, buf, 48).decode(),
                "state": lib.tfc_state_name(o.state_code).decode(), "version": o.version}

    # ---- parent orders (execution algorithms run by the engine's algo stage) ----

    def _units(self, fn, i, text, what):
        v = ctypes.c_int64()
        if fn(self._c, i, str(text).encode(), ctypes.byref(v)) != 0:
            raise TradeFanError(f"bad {what} {text!r}")
        return v.value

    def algo(self, kind, symbol, side, qty, duration=None, start_in=0, limit=None, slice=None, style="market",
             offset_ticks=0, resubmit=None, participation_bps=0, min_child=None, max_child=None,
             end_policy="sweep", size_jitter_pct=0, time_jitter_pct=0):
        """Start a parent order: kind twap|vwap|pov|iceberg, times in seconds.
        Returns the answer: parent_accepted (order_id = the parent) or rejected."""
        import time
        i = self._lib.tfc_instrument(self._c, symbol.encode())
        if i < 0:
            raise TradeFanError(f"unknown symbol {symbol}")
        now = time.time_ns()
        p = AlgoParams(kind=ALGOS.index(kind), side=1 if side == "sell" else 0,
                       price_style=PRICE_STYLES.index(style), end_policy=END_POLICIES.index(end_policy),
                       size_jitter_pct=size_jitter_pct, time_jitter_pct=time_jitter_pct,
                       participation_bps=participation_bps, instrument=i, offset_ticks=offset_ticks,
                       qty=self._units(self._lib.tfc_qty_units, i, qty, "quantity"),
                       start_ns=now + int(start_in * 1e9))
        if duration:
            p.end_ns = p.start_ns + int(duration * 1e9)
        if limit is not None:
            p.limit_price = self._units(self._lib.tfc_price_units, i, limit, "price")
        if slice:
            p.slice_ns = int(slice * 1e9)
        if resubmit:
            p.resubmit_ns = int(resubmit * 1e9)
        if min_child is not None:
            p.min_child = self._units(self._lib.tfc_qty_units, i, min_child, "quantity")
        if max_child is not None:
            p.max_child = self._units(self._lib.tfc_qty_units, i, max_child, "quantity")
        return self._answer(self._lib.tfc_algo_new(self._c, ctypes.byref(p)))

    def algo_control(self, parent_id, action, qty=None, limit=None, end_in=None):
        """pause, resume, cancel or amend (qty, limit, end_in seconds from now) a parent."""
        import time
        q = lim = end = 0
        if qty is not None or limit is not None:
            p = next((x for x in self.parents() if x["parent_id"] == parent_id), None)
            if p is None:
                raise TradeFanError(f"no running parent {parent_id}")
            i = self._lib.tfc_instrument(self._c, p["symbol"].encode())
            if qty is not None:
                q = self._units(self._lib.tfc_qty_units, i, qty, "quantity")
            if limit is not None:
                lim = self._units(self._lib.tfc_price_units, i, limit, "price")
        if end_in is not None:
            end = time.time_ns() + int(end_in * 1e9)
        return self._answer(self._lib.tfc_algo_control(self._c, parent_id, ALGO_ACTIONS.index(action), q, lim, end))

    def parents(self):
        """The parents running now, decimals as strings, slippage in bp."""
        arr = (ParentStatus * 64)()
        n = self._lib.tfc_parents(self._c, arr, 64)
        if n < 0:
            raise TradeFanError("this engine runs no algo stage")
        out, buf = [], ctypes.create_string_buffer(48)
        lib, c = self._lib, self._c
        for p in arr[:n]:
            i = p.instrument
            out.append({"parent_id": p.parent_id, "strategy": p.strategy,
                        "algo": ALGOS[p.kind] if p.kind < len(ALGOS) else "?",
                        "symbol": lib.tfc_symbol(c, i).decode(), "side": "sell" if p.side else "buy",
                        "state": ALGO_STATES[p.state] if p.state < len(ALGO_STATES) else "?",
                        "qty": lib.tfc_qty_text(c, i, p.qty, buf, 48).decode(),
                        "filled": lib.tfc_qty_text(c, i, p.filled, buf, 48).decode(),
                        "target": lib.tfc_qty_text(c, i, p.target, buf, 48).decode(),
                        "avg_px": lib.tfc_price_text(c, i, p.avg_px, buf, 48).decode() if p.avg_px else None,
                        "slippage_bp": p.slippage_mbp / 1000.0, "vs_vwap_bp": p.vs_vwap_mbp / 1000.0,
                        "children": p.children})
        return out

#!/usr/bin/python3
"""The two baselines of bench_influx.sh, on the points tfexport-influx writes.

  influx_baselines.py lines DUMP OUT          tfdump trades -> line protocol, as tfexport-influx writes them
  influx_baselines.py raw URL DB FILE BATCH CONNS
        a raw load generator: the prepared lines posted in batches of BATCH
        over CONNS keep-alive connections (the server's own ceiling)
  influx_baselines.py python HOST PORT DB FILE N
        the seed's design: python3-influxdb write_points(batch_size=1000) of
        the first N points, prepared as the dicts that client takes
Each prints "points=N seconds=S points_per_s=R" and request round trips
(p50/p99/p99.9/max, microseconds) where it makes them."""
import datetime
import http.client
import sys
import threading
import time


def to_ns(iso):
    dt = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return int(round(dt.timestamp() * 1000)) * 1000000


def lines(dump, out):
    with open(out, "w") as f:
        for line in open(dump):
            kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
            if kv.get("type") != "trade":
                continue
            ts = to_ns(kv["trade_time"]) + int(kv["id"]) % 1000000
            bm = "true" if kv["side"] == "sell" else "false"
            f.write(f"trades,exchange=binance,symbol={kv['symbol']} price={kv['price']},qty={kv['qty']},"
                    f"id={kv['id']}i,buyer_maker={bm} {ts}\n")


def pct(lat):
    lat.sort()
    n = len(lat)
    return (f"round_trip_us p50={lat[n // 2]:.0f} p99={lat[n * 99 // 100]:.0f} "
            f"p999={lat[n * 999 // 1000]:.0f} max={lat[-1]:.0f}") if n else ""


def raw(url, db, path, batch, conns):
    host, port = url.split("//")[1].split(":")
    data = open(path, "rb").read().splitlines(keepends=True)
    bodies = [b"".join(data[i:i + batch]) for i in range(0, len(data), batch)]
    c = http.client.HTTPConnection(host, int(port))
    c.request("POST", f"/query?q=CREATE+DATABASE+{db}")
    c.getresponse().read()
    lat, lock, nxt = [], threading.Lock(), [0]

    def worker():
        h = http.client.HTTPConnection(host, int(port))
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= len(bodies):
                return
            t0 = time.perf_counter()
            h.request("POST", f"/write?db={db}&precision=ns", body=bodies[i],
                      headers={"Content-Type": "text/plain"})
            r = h.getresponse()
            r.read()
            if r.status != 204:
                raise SystemExit(f"raw load: HTTP {r.status}")
            with lock:
                lat.append((time.perf_counter() - t0) * 1e6)

    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker) for _ in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    secs = time.perf_counter() - t0
    print(f"points={len(data)} seconds={secs:.3f} points_per_s={len(data) / secs:.0f} {pct(lat)}")


def python_writer(host, port, db, path, n):
    from influxdb import InfluxDBClient
    pts = []
    for line in open(path):
        head, fields, ts = line.rsplit(" ", 2)[0], line.rsplit(" ", 2)[1], int(line.rsplit(" ", 2)[2])
        meas, *tags = head.split(",")
        f = dict(x.split("=", 1) for x in fields.split(","))
        pts.append({"measurement": meas, "tags": dict(t.split("=", 1) for t in tags), "time": ts,
                    "fields": {"price": float(f["price"]), "qty": float(f["qty"]), "id": int(f["id"][:-1]),
                               "buyer_maker": f["buyer_maker"] == "true"}})
        if len(pts) >= n:
            break
    client = InfluxDBClient(host=host, port=int(port), database=db)
    client.create_database(db)
    t0 = time.perf_counter()
    client.write_points(pts, time_precision="n", batch_size=1000)
    secs = time.perf_counter() - t0
    print(f"points={len(pts)} seconds={secs:.3f} points_per_s={len(pts) / secs:.0f}")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "lines":
        lines(sys.argv[2], sys.argv[3])
    elif cmd == "raw":
        raw(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    elif cmd == "python":
        python_writer(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]))

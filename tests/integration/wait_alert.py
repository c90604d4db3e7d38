#!/usr/bin/python3
"""Wait for an alert after a fault and say how long each step took:
  wait_alert.py PROM_URL EVENTS ALERT FAULT_TIME KINDS [LIMIT_S]
FAULT_TIME: epoch seconds when the fault was made. KINDS: comma-separated
receivers that must deliver it (webhook,email,slack,telegram). Prints
  ALERT: firing in Prometheus after D s; delivered: webhook D s, email D s, ...
and exits 0 when every receiver got it within LIMIT_S (default 30)."""
import json
import sys
import time
import urllib.request

prom, events, alert, t0, kinds = sys.argv[1:6]
t0 = float(t0)
limit = float(sys.argv[6]) if len(sys.argv) > 6 else 30.0
kinds = [k for k in kinds.split(",") if k]
end = t0 + limit
detected = None
got = {}
while time.time() < end and (detected is None or len(got) < len(kinds)):
    if detected is None:
        try:
            with urllib.request.urlopen(prom + "/api/v1/alerts", timeout=1) as r:
                doc = json.load(r)
            if any(a["labels"].get("alertname") == alert and a["state"] == "firing"
                   for a in doc["data"]["alerts"]):
                detected = time.time() - t0
        except Exception:
            pass
    try:
        with open(events) as f:
            for line in f:
                e = json.loads(line)
                if e["t"] >= t0 and alert in e["alerts"] and e["status"] == "firing" and e["kind"] not in got:
                    got[e["kind"]] = e["t"] - t0
    except FileNotFoundError:
        pass
    time.sleep(0.02)
parts = ", ".join("%s %.2f s" % (k, got[k]) if k in got else "%s NOT DELIVERED" % k for k in kinds)
print("%s: firing in Prometheus after %s; delivered: %s" %
      (alert, "%.2f s" % detected if detected is not None else "NEVER", parts))
sys.exit(0 if detected is not None and len(got) == len(kinds) else 1)

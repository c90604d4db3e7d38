#!/usr/bin/python3
"""Check TradeFan's Grafana provisioning against what really exists:
  check_dashboards.py [--prom-metrics FILE]... [--influx URL DB]... [--measurements M,M,...]
Always: every dashboard parses, has a unique uid, and every panel and target
names a datasource uid the provisioning defines, of the right type.
--prom-metrics: every metric a PromQL expression names is one of the
  sample names in the given scrapes (tfexport-prom's, the node exporter's).
--influx: every measurement, field and tag an InfluxQL query names exists
  in those databases (written there by tfexport-influx); with --measurements
  only the queries on those measurements are checked (an integration test
  checks the ones its run writes; together they cover every one used).
Prints each problem; exit 0 when there is none."""
import glob
import json
import os
import re
import sys
import urllib.parse
import urllib.request

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tuning", "monitoring", "grafana")
problems = []


def problem(msg):
    problems.append(msg)
    print("  PROBLEM " + msg)


args = sys.argv[1:]
prom_files, influx, only = [], [], None
while args:
    if args[0] == "--prom-metrics":
        prom_files.append(args[1])
        args = args[2:]
    elif args[0] == "--influx":
        influx.append((args[1], args[2]))
        args = args[3:]
    elif args[0] == "--measurements":
        only = set(args[1].split(","))
        args = args[2:]
    else:
        sys.exit("usage: check_dashboards.py [--prom-metrics FILE]... [--influx URL DB]")

sources = {}
for f in glob.glob(os.path.join(ROOT, "provisioning", "datasources", "*.yml")):
    for ds in yaml.safe_load(open(f))["datasources"]:
        sources[ds["uid"]] = ds["type"]
if not sources:
    problem("no datasources provisioned")

dashboards = sorted(glob.glob(os.path.join(ROOT, "dashboards", "*.json")))
uids = set()
prom_exprs, influx_queries = [], []
for path in dashboards:
    name = os.path.basename(path)
    d = json.load(open(path))
    if d.get("uid") in uids:
        problem("%s: uid %s used twice" % (name, d.get("uid")))
    uids.add(d.get("uid"))
    for p in d.get("panels", []):
        for t in p.get("targets", []) + [p]:
            ds = t.get("datasource") or {}
            if ds.get("uid") not in sources:
                problem("%s/%s: datasource uid %s is not provisioned" % (name, p.get("title"), ds.get("uid")))
            elif sources[ds["uid"]] != ds.get("type"):
                problem("%s/%s: datasource %s is a %s, not %s" % (name, p.get("title"), ds["uid"],
                                                                  sources[ds["uid"]], ds.get("type")))
        for t in p.get("targets", []):
            if "expr" in t:
                prom_exprs.append((name, p["title"], t["expr"]))
            if "query" in t:
                influx_queries.append((name, p["title"], t["query"]))

# ---- PromQL: the metric names an expression uses ---------------------------
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset",
            "bool", "inf", "nan"}


def metric_names(expr):
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)          # strings
    e = re.sub(r"\{[^}]*\}", "", e)                         # label matchers
    e = re.sub(r"\[[^\]]*\]", "", e)                        # ranges
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", e)
    names = set()
    for m in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", e):
        tok = m.group(0)
        rest = e[m.end():].lstrip()
        if tok in KEYWORDS or rest.startswith("("):
            continue
        if re.fullmatch(r"\d+[smhdwy]?", tok):
            continue
        names.add(tok)
    return names


if prom_files:
    served = set()
    for f in prom_files:
        for line in open(f):
            t = re.match(r"# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)", line)
            if t:  # declared, with or without samples yet
                served.add(t.group(1))
                if t.group(2) in ("histogram", "summary"):
                    served |= {t.group(1) + s for s in ("_bucket", "_sum", "_count")}
            elif line and not line.startswith("#"):
                m = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line)
                if m:
                    served.add(m.group(0))
    checked = 0
    for dash, title, expr in prom_exprs:
        for n in metric_names(expr):
            checked += 1
            if n not in served:
                problem("%s/%s: %s is not served (expr: %s)" % (dash, title, n, expr))
    print("  %d PromQL expressions, %d metric references checked against %d served names" %
          (len(prom_exprs), checked, len(served)))

# ---- InfluxQL: measurements, fields and tags -----------------------------------
if influx:
    measurements, fields, tags = set(), {}, {}
    for url, db in influx:
        def q(sql):
            u = url + "/query?" + urllib.parse.urlencode({"db": db, "q": sql})
            with urllib.request.urlopen(u, timeout=10) as r:
                return json.load(r)["results"][0].get("series", [])

        measurements |= {v[0] for s in q("SHOW MEASUREMENTS") for v in s["values"]}
        for s in q("SHOW FIELD KEYS"):
            fields.setdefault(s["name"], set()).update(v[0] for v in s["values"])
        for s in q("SHOW TAG KEYS"):
            tags.setdefault(s["name"], set()).update(v[0] for v in s["values"])
    skipped = 0
    for dash, title, sql in influx_queries:
        mm = re.search(r'FROM\s+"([^"]+)"', sql)
        if only is not None and mm and mm.group(1) not in only:
            skipped += 1
            continue
        m = re.search(r'FROM\s+"([^"]+)"', sql)
        if not m:
            problem("%s/%s: no FROM \"measurement\" in %s" % (dash, title, sql))
            continue
        meas = m.group(1)
        if meas not in measurements:
            problem("%s/%s: measurement %s is not written (have %s)" % (dash, title, meas, sorted(measurements)))
            continue
        select = sql[:m.start()]
        for f in re.findall(r'"([^"]+)"', select):
            if f not in fields.get(meas, set()):
                problem("%s/%s: %s has no field %s" % (dash, title, meas, f))
        rest = sql[m.end():]
        for t in re.findall(r'"([^"]+)"', rest):
            if t not in tags.get(meas, set()) and t not in fields.get(meas, set()):
                problem("%s/%s: %s has no tag or field %s" % (dash, title, meas, t))
    print("  %d InfluxQL queries checked against %d measurements (%d on other measurements left to another run)" %
          (len(influx_queries) - skipped, len(measurements), skipped))

print("  %d dashboards, %d datasources" % (len(dashboards), len(sources)))
sys.exit(1 if problems else 0)

#!/usr/bin/python3
"""Print a counter from `tfstat --json` on stdin: json_counter.py NAME[{LABELS}].
Sums over every owner; 0 if no such counter (so a shell test can compare)."""
import json
import sys

want = sys.argv[1]
name, labels = (want.split("{", 1) + [None])[:2]
if labels is not None:
    labels = labels.rstrip("}")
try:
    doc = json.load(sys.stdin)
except ValueError:
    print(0)
    sys.exit(0)
total = 0
for c in doc.get("counter_details", []):
    if c["name"] == name and (labels is None or c["labels"] == labels):
        total += c["value"]
print(total)

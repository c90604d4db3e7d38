#!/bin/sh
# Integration: a short pass of the chaos suite (make chaos runs every case;
# tests/chaos/chaos.py says what each measures): a crashed exporter, a
# crashed Redis, the engine killed with orders open (held, then the
# operator's tfctl up), the FIX session dropped, the engine stalled, an
# exporter's position file corrupted; then nothing lost, duplicated,
# unknown or differing between the engine and the venue.
set -u
cd "$(dirname "$0")/../.."
for b in redis-server influxd; do
    command -v "$b" >/dev/null || { echo "FAIL: $b is required (make deps)"; exit 1; }
done
exec /usr/bin/python3 tests/chaos/chaos.py --short

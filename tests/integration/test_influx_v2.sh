#!/bin/sh
# Integration: tfexport-influx with export.influx.api 2 (InfluxDB 2.x): its
# writes go to /api/v2/write with the organization, the bucket, the
# precision and "Authorization: Token ...", gzip-compressed, and a wrong
# token stops it with exit 5, saying so. Debian 12 has no InfluxDB 2.x: the
# endpoint is influx_v2_sink.py, which answers as the 2.x API documents.
#  1. every market-data point of the journal arrives, tagged with its instance
#  2. a wrong token: exit 5, "refuses our credentials"
#  3. configuration: api 2 without an org or token is refused
set -u
cd "$(dirname "$0")/../.."
BIN=build/bin
PY=/usr/bin/python3
. tuning/servers.sh
dir=$(mktemp -d /dev/shm/tf-iv2.XXXXXX)
inst=iv2$$
pids=""
cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    if [ -n "${TF_KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
fails=0
. tests/integration/lib.sh
printf 's3cret-token\n' >"$dir/token"; chmod 600 "$dir/token"
$PY tests/integration/influx_v2_sink.py "$dir/sport" "$dir/lines" acme "tf/autogen" s3cret-token & pids="$pids $!"
wait_for 5 test -s "$dir/sport" || { echo "FAIL the v2 sink did not come up"; exit 1; }
"$BIN/tfsim" --port 0 --port-file "$dir/port" --symbols BTCUSDT --rate 2000 >"$dir/sim.log" 2>&1 & pids="$pids $!"
wait_for 5 test -s "$dir/port" || { echo "FAIL tfsim did not come up"; exit 1; }
port=$(cat "$dir/port")
cfg() { # FILE TOKEN_FILE [EXTRA]
    cat >"$1" <<YAML
instance: $inst
shm: {dir: $dir, mode: 0640, on_stale: replace}
instruments:
  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: "0.01", lot_size: "0.00001", min_notional: "5"}
feed: {url: "ws://127.0.0.1:$port", rest_url: "http://127.0.0.1:$port", streams: [trade, bookTicker]}
export:
  run_dir: $dir/run
  influx: {url: "http://127.0.0.1:$(cat "$dir/sport")", local: false, database: tf, api: 2, org: acme,
           token: {file: $2}, batch_points: 100, batch_ms: 50, precision: u ${3:-}}
  redis: {enabled: false}
threads:
  - {name: hot, idle: backoff, stages: [feed]}
YAML
}
cfg "$dir/cfg.yaml" "$dir/token"
"$BIN/tfengine" -c "$dir/cfg.yaml" --duration 2 >"$dir/engine.log" 2>&1 || { echo "FAIL engine"; cat "$dir/engine.log"; exit 1; }

echo "1. the v2 write API"
check "the exporter exports the journal to its end" "$BIN/tfexport-influx" -c "$dir/cfg.yaml" --until-idle 500
check "to /api/v2/write, org and bucket, microseconds" grep -q '^#request /api/v2/write?org=acme&bucket=tf%2Fautogen&precision=us$' "$dir/lines"
"$BIN/tfdump" -n "$inst" -d "$dir" --type trade 2>/dev/null | grep -c 'type=trade' >"$dir/want"
check "every trade of the journal arrived ($(cat "$dir/want")), tagged with the instance" \
    sh -c "test \$(grep -c '^trades,exchange=binance,instance=$inst,symbol=BTCUSDT ' '$dir/lines') -eq \$(cat '$dir/want')"

echo "2. a wrong token"
printf 'wrong\n' >"$dir/bad"; chmod 600 "$dir/bad"
cfg "$dir/bad.yaml" "$dir/bad"
rm -f "$dir/run/export-influx.pos"
"$BIN/tfexport-influx" -c "$dir/bad.yaml" --until-idle 500 2>"$dir/bad.log"; rc=$?
check "exit 5" test "$rc" -eq 5
check "saying the server refuses our credentials" grep -q "refuses our credentials (HTTP 401)" "$dir/bad.log"

echo "3. configuration"
cfg "$dir/noorg.yaml" "$dir/token"
sed -i 's/org: acme,//' "$dir/noorg.yaml"
check "api 2 without an org: refused, saying what it needs" sh -c "'$BIN/tfexport-influx' -c '$dir/noorg.yaml' 2>&1 | \
    grep -q 'needs export.influx.org and export.influx.token'"
echo "test_influx_v2: $fails failed"
[ $fails -eq 0 ]

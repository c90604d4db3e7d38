#!/bin/sh
# make bench-redis: commands/s that tfexport-redis sustains into a local
# redis-server (trade records -> XADD ... MAXLEN ~ into per-symbol streams),
# beside redis-benchmark sending the same command shape with the same
# pipeline depth over one connection, in the same run against the same
# server. Three rounds alternating; the median is reported.
# TF_BENCH_POINTS (default 400000) trades; pipeline = export.redis.pipeline (256).
set -u
cd "$(dirname "$0")/.."
. tuning/servers.sh
. bench/export_fill.sh
N=${TF_BENCH_POINTS:-400000}
P=${TF_BENCH_PIPELINE:-256}
d=$(mktemp -d /dev/shm/tf-bench-redis.XXXXXX)
redis_pid=""
trap 'tf_stop_pid "$redis_pid"; rm -rf "$d"' EXIT INT TERM
rport=$(tf_free_port)
tf_start_redis "$d" "$rport" || exit 1
EXPORT_YAML="  influx: {enabled: false}
  redis: {port: $rport, pipeline: $P, trades_maxlen: 10000}
  query: {enabled: false}"
bench_fill "$d" trade "$N" trade
echo "# $(grep -c ' type=trade ' "$d/dump.txt") trades in the journal; pipeline $P; redis-server $(redis-server --version | cut -d' ' -f3) on 127.0.0.1 (same host, 2 CPUs shared)"
ours() {
    redis-cli -p "$rport" flushall >/dev/null
    rm -rf "$d/run"
    build/bin/tfexport-redis -c "$cfg" --until-idle 200 2>"$d/ours.log"
    grep -o '[0-9]* commands/s' "$d/ours.log" | cut -d' ' -f1
    grep "round trip" "$d/ours.log" >>"$d/lat_ours.txt"
}
base() {
    redis-cli -p "$rport" flushall >/dev/null
    redis-benchmark -p "$rport" -c 1 -P "$P" -n "$N" --csv \
        XADD md:trades:binance:BTCUSDT MAXLEN '~' 10000 '*' price 43000.01 qty 0.00100 id 123456 side buy time 1796046300123 |
        tail -1 | cut -d, -f2 | tr -d '"' | cut -d. -f1
}
median() { tr ' ' '\n' | grep . | sort -n | sed -n 2p; }
o="" b=""
for round in 1 2 3; do
    o="$o $(ours)"
    b="$b $(base)"
done
echo "# commands/s per round: ours $o; redis-benchmark $b"
echo "# ours, last round: $(tail -1 "$d/lat_ours.txt")"
mo=$(echo "$o" | median); mb=$(echo "$b" | median)
echo "bench redis_export cmds_per_s ours=$mo base=$mb base_name=redis_benchmark ratio=$(awk -v a="$mo" -v b="$mb" 'BEGIN { printf "%.2f", b ? a / b : 0 }') unit=1/s"
echo "target: redis_export >= 0.8 x redis_benchmark -> $(awk -v a="$mo" -v b="$mb" 'BEGIN { print (b && a / b >= 0.8) ? "met" : "MISSED" }')"

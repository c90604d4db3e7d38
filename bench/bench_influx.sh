#!/bin/sh
# make bench-influx: points/s that tfexport-influx sustains into a local
# influxd, beside (same run, same influxd, same points) a raw line-protocol
# load generator (the server's own ceiling) and the seed's Python batch
# writer (python3-influxdb, batch 1000). Each contender writes into a fresh
# database, three rounds alternating; the median round is reported.
# TF_BENCH_POINTS (default 400000) trades; TF_BENCH_BATCH (default 5000).
set -u
cd "$(dirname "$0")/.."
. tuning/servers.sh
. bench/export_fill.sh
PY=/usr/bin/python3
N=${TF_BENCH_POINTS:-400000}
B=${TF_BENCH_BATCH:-5000}
d=$(mktemp -d /dev/shm/tf-bench-influx.XXXXXX)
influx_pid=""
trap 'tf_stop_pid "$influx_pid"; rm -rf "$d"' EXIT INT TERM
iport=$(tf_free_port)
tf_start_influx "$d" "$iport" || exit 1
url=http://127.0.0.1:$iport
EXPORT_YAML="  influx: {url: \"$url\", database: DBNAME, batch_points: $B, batch_ms: 200, top_sample_ms: 0, gzip: true}
  redis: {enabled: false}
  query: {enabled: false}"
bench_fill "$d" trade "$N" trade
$PY bench/influx_baselines.py lines "$d/dump.txt" "$d/lines.txt"
points=$(wc -l <"$d/lines.txt")
echo "# $points trades in the journal; batches of $B points; influxd 1.6 on 127.0.0.1 (same host, 2 CPUs shared)"

ours() { # ours DB GZIP -> prints points/s
    sed "s/DBNAME/$1/; s/gzip: true/gzip: $2/" "$cfg" >"$d/ours.yaml"
    rm -rf "$d/run"
    build/bin/tfexport-influx -c "$d/ours.yaml" --until-idle 200 2>"$d/ours.log"
    grep -o '[0-9]* points/s' "$d/ours.log" | cut -d' ' -f1
    grep "round trip" "$d/ours.log" >&2
}
median() { tr ' ' '\n' | grep . | sort -n | sed -n 2p; }
o="" og="" r1="" r2="" p=""
for round in 1 2 3; do
    o="$o $(ours ours$round false 2>>"$d/lat_ours.txt")"
    og="$og $(ours oursgz$round true 2>>"$d/lat_oursgz.txt")"
    r1="$r1 $($PY bench/influx_baselines.py raw "$url" raw1_$round "$d/lines.txt" "$B" 1 | tee -a "$d/lat_raw1.txt" | sed 's/.*points_per_s=\([0-9]*\).*/\1/')"
    r2="$r2 $($PY bench/influx_baselines.py raw "$url" raw2_$round "$d/lines.txt" "$B" 2 | tee -a "$d/lat_raw2.txt" | sed 's/.*points_per_s=\([0-9]*\).*/\1/')"
    p="$p $($PY bench/influx_baselines.py python 127.0.0.1 "$iport" py_$round "$d/lines.txt" 100000 | sed 's/.*points_per_s=\([0-9]*\).*/\1/')"
done
echo "# points/s per round (ours plain, ours gzip, raw 1 connection, raw 2 connections, python):"
echo "#   ours        $o"
echo "#   ours gzip   $og"
echo "#   raw 1 conn  $r1"
echo "#   raw 2 conns $r2"
echo "#   python      $p"
echo "# request round trips (batch of $B), last round:"
echo "#   ours       $(tail -1 "$d/lat_ours.txt")"
echo "#   ours gzip  $(tail -1 "$d/lat_oursgz.txt")"
echo "#   raw 1 conn $(tail -1 "$d/lat_raw1.txt" | sed 's/.*round_trip/round_trip/')"
mo=$(echo "$o" | median); mog=$(echo "$og" | median); m1=$(echo "$r1" | median); m2=$(echo "$r2" | median)
mp=$(echo "$p" | median)
best=$mo; [ "$mog" -gt "$best" ] && best=$mog
ceil=$m1; [ "$m2" -gt "$ceil" ] && ceil=$m2
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
echo "bench influx_export points_per_s ours=$best base=$ceil base_name=raw_line_protocol_load ratio=$(ratio "$best" "$ceil") unit=1/s"
echo "bench influx_export points_per_s ours=$best base=$mp base_name=python_batch_writer ratio=$(ratio "$best" "$mp") unit=1/s"
echo "bench influx_export points_per_s_plain ours=$mo base=$m1 base_name=raw_line_protocol_load_1conn ratio=$(ratio "$mo" "$m1") unit=1/s"
echo "bench influx_export points_per_s_gzip ours=$mog base=$m1 base_name=raw_line_protocol_load_1conn ratio=$(ratio "$mog" "$m1") unit=1/s"
tgt() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t) ? "met" : "MISSED" }'; }
echo "target: influx_export >= 0.9 x raw_line_protocol_load -> $(tgt "$(ratio "$best" "$ceil")" 0.9)"
echo "target: influx_export >= 10 x python_batch_writer -> $(tgt "$(ratio "$best" "$mp")" 10)"
echo "target: influx_export > 10000 points/s (users') -> $(tgt "$best" 10000)"

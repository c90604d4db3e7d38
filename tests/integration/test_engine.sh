#!/bin/sh
# Integration: the real tfengine, tfstat, tfdump and tfctl as separate processes.
#  1. a bad config fails at start with file:line
#  2. the engine starts, tfstat --check sees it live, tfdump reads its journal,
#     tfctl's pings cross the request ring from another process
#  3. SIGTERM stops it cleanly: CLOSED, nothing lost between ring and journal
#  4. kill -9: tfstat reports DEAD; a restart refuses, --replace-stale replaces
#  5. a segment of another layout version: tfstat refuses with exit 3
#  6. a disk-backed journal continues its sequence across a restart
# Every wait is bounded. Segments live in a private directory.
set -u
cd "$(dirname "$0")/../.."
BIN=build/bin
dir=$(mktemp -d /dev/shm/tf-it.XXXXXX)
inst=it$$
engine_pid=""
cleanup() {
    [ -n "$engine_pid" ] && kill -9 "$engine_pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
fails=0
. tests/integration/lib.sh

write_config() { # write_config FILE [JOURNAL_FILE]
    cat >"$1" <<YAML
instance: $inst
shm:
  dir: $dir
  mode: 0640
rings:
  capacity: 1024
journal:
  md:
    capacity: 65536
    file: "${2:-}"
synthetic:
  rate_per_s: 50000
threads:
  - name: hot
    cpu: -1
    idle: backoff
    stages: [synth_source, synth_sink]
YAML
}

start_engine() { # start_engine CONFIG [ARGS...]
    cfg=$1; shift
    "$BIN/tfengine" -c "$cfg" "$@" 2>"$dir/engine.log" &
    engine_pid=$!
    i=0
    until "$BIN/tfstat" -n "$inst" -d "$dir" --check >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$engine_pid" 2>/dev/null; then
            echo "engine did not come up:"; cat "$dir/engine.log"; return 1
        fi
        sleep 0.05
    done
}

stop_engine() {
    kill -TERM "$engine_pid"
    wait "$engine_pid"
    rc=$?
    engine_pid=""
    return $rc
}

cfg=$dir/engine.yaml
write_config "$cfg"

echo "1. bad config"
printf 'instance: %s\nthreads:\n  - name: hot\n    cpu: banana\n    stages: [synth_source]\n' "$inst" >"$dir/bad.yaml"
"$BIN/tfengine" -c "$dir/bad.yaml" 2>"$dir/bad.err"
check "exit code 2" [ $? -eq 2 ]
check "message has file:line" grep -q "bad.yaml:4:" "$dir/bad.err"

echo "2. live engine"
start_engine "$cfg" || exit 1
check "tfstat --check: live" "$BIN/tfstat" -n "$inst" -d "$dir" --check
sleep 0.5
"$BIN/tfstat" -n "$inst" -d "$dir" >"$dir/stat.txt" 2>&1
check "tfstat prints threads, rings and histograms" \
    sh -c "grep -q hot '$dir/stat.txt' && grep -q synth '$dir/stat.txt' && grep -q synth_ring_hop '$dir/stat.txt'"
"$BIN/tfdump" -n "$inst" -d "$dir" --from oldest -c 200 >"$dir/dump.txt" 2>"$dir/dump.err"
check "tfdump prints 200 records" [ "$(grep -c '^seq=' "$dir/dump.txt")" -eq 200 ]
check "first record is the engine start" sh -c "head -1 '$dir/dump.txt' | grep -q 'type=engine_event'"
check "sequences 1..200 in order" sh -c "grep -o '^seq=[0-9]*' '$dir/dump.txt' | cut -d= -f2 | awk 'NR!=\$1{exit 1}'"

check "tfctl ping through the request ring" "$BIN/tfctl" -n "$inst" -d "$dir" ping -c 1000
sleep 0.3
"$BIN/tfstat" -n "$inst" -d "$dir" --json >"$dir/stat.json"
check "engine counted 1000 pings" grep -q '"synth_sink/requests_ping":1000' "$dir/stat.json"
check "tfstat --json is valid JSON" /usr/bin/python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$dir/stat.json"

echo "3. clean stop"
check "SIGTERM: exit 0" stop_engine
"$BIN/tfstat" -n "$inst" -d "$dir" >"$dir/stat.txt" 2>&1
check "tfstat shows CLOSED" grep -q "CLOSED" "$dir/stat.txt"
check "tfstat --check fails on a stopped engine" sh -c "! '$BIN/tfstat' -n '$inst' -d '$dir' --check"
check "tfctl refuses a stopped engine" sh -c "! '$BIN/tfctl' -n '$inst' -d '$dir' ping 2>/dev/null"
"$BIN/tfdump" -n "$inst" -d "$dir" --from oldest --type synth_tick >"$dir/all.txt" 2>/dev/null
ticks=$(grep -c '^seq=' "$dir/all.txt")
check "journal holds ticks ($ticks)" [ "$ticks" -gt 1000 ]
# Consecutive, not "from 1": on a slow or busy host the run outlasts the
# 65536-slot journal and the oldest ticks are overwritten (that is the
# journal's contract, not a gap).
check "no tick sequence gap in the journal" \
    sh -c "grep -o 'src_seq=[0-9]*' '$dir/all.txt' | cut -d= -f2 | awk 'NR>1 && \$1!=prev+1{exit 1} {prev=\$1}'"
check "last record is the engine stop" sh -c "'$BIN/tfdump' -n '$inst' -d '$dir' --from oldest 2>/dev/null | tail -1 | grep -q 'kind=stopping'"

echo "4. crash"
start_engine "$cfg" || exit 1
kill -9 "$engine_pid"; wait "$engine_pid" 2>/dev/null; engine_pid=""
"$BIN/tfstat" -n "$inst" -d "$dir" >"$dir/stat.txt" 2>&1
check "tfstat shows DEAD" grep -q "DEAD" "$dir/stat.txt"
"$BIN/tfengine" -c "$cfg" --duration 1 2>"$dir/refuse.err"
check "restart refused" [ $? -eq 1 ]
check "refusal names the crash" grep -q "crashed" "$dir/refuse.err"
start_engine "$cfg" --replace-stale || exit 1
check "--replace-stale starts" "$BIN/tfstat" -n "$inst" -d "$dir" --check
stop_engine

echo "5. wrong layout version"
cp "$dir/tradefan.$inst.stats" "$dir/stats.copy"
/usr/bin/python3 - "$dir/tradefan.$inst.stats" <<'PY'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(8); f.write(struct.pack("<I", (99 << 16) | 0))
PY
"$BIN/tfstat" -n "$inst" -d "$dir" >"$dir/ver.txt" 2>&1
check "tfstat exit 3" [ $? -eq 3 ]
check "message names the version" grep -q "99.0" "$dir/ver.txt"
"$BIN/tfengine" -c "$cfg" --duration 1 2>"$dir/ver.err"
check "a cleanly closed segment of another layout is replaced" [ $? -eq 0 ]
check "the replacement is reported" grep -q "closed by an engine of layout 99.0" "$dir/ver.err"
# ... but one its engine did not close (LIVE state, pid gone: a crash) is
# refused, as a crashed segment of our own layout is: it may be evidence.
cp "$dir/stats.copy" "$dir/tradefan.$inst.stats"
/usr/bin/python3 - "$dir/tradefan.$inst.stats" <<'PY'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(8); f.write(struct.pack("<I", (99 << 16) | 0))
    f.seek(32); f.write(struct.pack("<iI", 999999, 1))   # owner_pid (no such process), owner_state LIVE
PY
"$BIN/tfengine" -c "$cfg" --duration 1 2>"$dir/ver2.err"
check "a crashed segment of another layout is refused" [ $? -eq 1 ]
check "the refusal names the version" grep -q "99.0" "$dir/ver2.err"
cp "$dir/stats.copy" "$dir/tradefan.$inst.stats"

echo "6. disk-backed journal across restarts"
write_config "$cfg" "$dir/disk/md.journal"
start_engine "$cfg" || exit 1
sleep 0.3
stop_engine
head1=$("$BIN/tfdump" -n "$inst" -d "$dir" --from oldest 2>/dev/null | tail -1 | grep -o '^seq=[0-9]*' | cut -d= -f2)
start_engine "$cfg" || exit 1
sleep 0.3
stop_engine
check "recovery reported" grep -q "recovered journal" "$dir/engine.log"
"$BIN/tfdump" -n "$inst" -d "$dir" --from oldest >"$dir/disk.txt" 2>/dev/null
check "sequence continues after restart (head was $head1)" \
    sh -c "grep -o '^seq=[0-9]*' '$dir/disk.txt' | cut -d= -f2 | awk 'NR!=\$1{exit 1} END{exit NR<=$head1}'"

echo "engine integration: $fails failed"
[ $fails -eq 0 ]

#!/bin/sh
# Integration: the engine's least privilege (config `user:`). Started as
# root it becomes the user before creating anything, keeping CAP_SYS_NICE
# and CAP_IPC_LOCK only (effective, permitted and bounding sets; none
# inheritable or ambient; no_new_privs), its segments are the user's, it
# still locks its memory and runs a SCHED_FIFO thread, and it stops
# cleanly. An unknown user, and a user it cannot become, stop it at start
# with the reason. Runs as root (as make test does on CI); "nobody" is the
# service user here, so nothing is added to the system.
# Also: tuning/host/check item by item, and the engine's start saying the
# same of the host as the check does.
set -u
cd "$(dirname "$0")/../.."
BIN=build/bin
dir=$(mktemp -d /dev/shm/tf-priv.XXXXXX)
chmod 1777 "$dir"
inst=priv$$
engine_pid=""
cleanup() {
    [ -n "$engine_pid" ] && kill -9 "$engine_pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
fails=0
. tests/integration/lib.sh
if [ "$(id -u)" -ne 0 ]; then
    echo "FAIL: this test starts the engine as root and needs to be root"
    exit 1
fi
getent passwd nobody >/dev/null || { echo "FAIL: no user 'nobody'"; exit 1; }

write_config() { # FILE USER
    cat >"$1" <<YAML
instance: $inst
user: $2
shm: {dir: $dir, mode: 0640, on_stale: replace}
lock_memory: true
journal:
  md: {capacity: 4096}
synthetic: {rate_per_s: 1000}
export: {run_dir: $dir/run}
threads:
  - {name: hot, cpu: -1, idle: backoff, rt_priority: 1, stages: [synth_source, synth_sink]}
YAML
}

echo "1. root becomes the service user, keeping two capabilities"
write_config "$dir/ok.yaml" nobody
"$BIN/tfengine" -c "$dir/ok.yaml" >"$dir/engine.log" 2>&1 &
engine_pid=$!
export TRADEFAN_ENGINE_UID=$(id -u nobody) # the tools trust segments of the engine's user
check "it runs" wait_for 10 sh -c "$BIN/tfstat -n $inst -d $dir --check"
st=/proc/$engine_pid/status
check "every uid is nobody's (65534)" grep -Eq '^Uid:[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534' "$st"
check "every gid is nobody's group" sh -c "grep -E '^Gid:' $st | awk '{exit !(\$2 == \$3 && \$3 == \$4 && \$4 == \$5 && \$2 == '$(id -g nobody)')}'"
# CAP_IPC_LOCK is bit 14, CAP_SYS_NICE bit 23: 0x804000.
check "effective: CAP_SYS_NICE and CAP_IPC_LOCK only" grep -q '^CapEff:[[:space:]]*0000000000804000' "$st"
check "permitted: the same" grep -q '^CapPrm:[[:space:]]*0000000000804000' "$st"
check "bounding set: the same" grep -q '^CapBnd:[[:space:]]*0000000000804000' "$st"
check "nothing inheritable or ambient" sh -c "grep -q '^CapInh:[[:space:]]*0000000000000000' $st && grep -q '^CapAmb:[[:space:]]*0000000000000000' $st"
check "no_new_privs" grep -q '^NoNewPrivs:[[:space:]]*1' "$st"
check "its segments are nobody's" sh -c "[ \"\$(stat -c %U $dir/tradefan.$inst.stats)\" = nobody ]"
check "memory locked all the same (CAP_IPC_LOCK)" sh -c "[ \$(awk '/^VmLck:/ {print \$2}' $st) -gt 0 ]"
check "a SCHED_FIFO thread all the same (CAP_SYS_NICE)" sh -c \
    "for t in /proc/$engine_pid/task/*; do awk '{print \$41}' \$t/stat; done | grep -qx 1"
check "the log says so" grep -q "running as nobody (uid 65534), keeping CAP_SYS_NICE and CAP_IPC_LOCK" "$dir/engine.log"
kill -TERM "$engine_pid"
wait "$engine_pid"
check "clean stop" [ $? -eq 0 ]
engine_pid=""

echo "2. users it cannot become"
write_config "$dir/bad.yaml" no_such_user_$$
"$BIN/tfengine" -c "$dir/bad.yaml" >"$dir/bad.log" 2>&1
check "an unknown user stops it at start (exit 1)" [ $? -eq 1 ]
check "naming the user" grep -q "user no_such_user_$$: no such user" "$dir/bad.log"
write_config "$dir/other.yaml" root
setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/tfengine" -c "$dir/other.yaml" >"$dir/other.log" 2>&1
check "not root, another user: refused (exit 1)" [ $? -eq 1 ]
check "saying why" grep -q "not root: cannot become root" "$dir/other.log"

echo "3. does the host fit the layout?"
sed 's/cpu: -1/cpu: 1/' "$dir/ok.yaml" >"$dir/pinned.yaml"
sh tuning/host/check -c "$dir/pinned.yaml" >"$dir/host.txt" 2>&1
hrc=$?
check "tuning/host/check answers (exit $hrc)" [ "$hrc" -le 1 ]
check "item by item: the ten of them" [ "$(grep -cE '^(ok|CHANGE|n/a) ' "$dir/host.txt")" -eq 10 ]
"$BIN/tfengine" -c "$dir/pinned.yaml" --duration 1 >"$dir/pinned.log" 2>&1
if [ "$hrc" -eq 1 ]; then
    check "the engine's start says what does not fit, as the check does" sh -c \
        "[ \$(grep -c 'tfengine: host does not fit the layout' $dir/pinned.log) -eq \$(grep -c '^CHANGE' $dir/host.txt) ]"
else
    check "a host that fits: the engine's start says nothing of it" sh -c "! grep -q 'host does not fit' $dir/pinned.log"
fi

echo "privilege integration: $fails failed"
[ $fails -eq 0 ]

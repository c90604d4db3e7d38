#!/bin/sh
# Integration: the production units (tuning/systemd) as `make install`
# writes them: installed under a temporary prefix with their placeholders
# filled, `systemd-analyze verify` passes on every unit (each template as
# an instance), with no warning about them; the engine's unit keeps its
# promises (no restart behind the operator's back, memlock, its cores,
# the capability bounding set), the others run as the service user on the
# housekeeping core; and tfsup finds the monitoring configs where
# `make install` puts them.
set -u
cd "$(dirname "$0")/../.."
dir=$(mktemp -d /tmp/tf-systemd.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fails=0
. tests/integration/lib.sh
command -v systemd-analyze >/dev/null || { echo "FAIL: systemd-analyze is required (make deps)"; exit 1; }

p=$dir/usr sd=$dir/systemd
check "make install under a prefix" sh -c \
    "make --no-print-directory -s install PREFIX=$p SYSCONFDIR=$dir/etc SYSTEMDDIR=$sd DOCDIR=$p/doc >$dir/install.log 2>&1"
cat "$dir/install.log"
for b in tfengine tfsup tfctl tfstat tfdump tfsim tfwatchdog tfexport-influx tfexport-redis tfexport-prom tfquery; do
    check "bin/$b installed" test -x "$p/bin/$b"
done
check "the monitoring configs and rules" test -x "$p/share/tradefan/monitoring/render.sh" -a \
    -f "$p/share/tradefan/monitoring/rules/tradefan.rules.yml"
n=$(ls "$sd" | wc -l)
check "every unit installed ($n)" [ "$n" -eq "$(ls tuning/systemd | wc -l)" ]
check "no placeholder left" sh -c "! grep -l '@[A-Z]*@' $sd/*"
units=""
for u in "$sd"/*; do
    case "$u" in
    *@.service|*@.target) units="$units ${u%@.*}@test.${u##*.}" ;;
    *) units="$units $u" ;;
    esac
done
# shellcheck disable=SC2086
systemd-analyze verify --man=no $units >"$dir/verify.log" 2>&1
rc=$?
check "systemd-analyze verify passes (rc $rc)" [ "$rc" -eq 0 ]
check "without a word about our units" sh -c "! grep -E 'tradefan' $dir/verify.log"
cat "$dir/verify.log"
e=$sd/tradefan-engine@.service
check "engine: never restarted by systemd" grep -qx 'Restart=no' "$e"
check "engine: memlock unlimited, its cores" sh -c "grep -qx 'LimitMEMLOCK=infinity' $e && grep -qx 'CPUAffinity=1-15' $e"
check "engine: bounding set" grep -qx 'CapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_SETPCAP CAP_SYS_NICE CAP_IPC_LOCK' "$e"
check "engine: scheduling stated" grep -qx 'CPUSchedulingPolicy=other' "$e"
check "engine: the installed binary and /etc config" grep -qx "ExecStart=$p/bin/tfengine -c $dir/etc/tradefan/%i.yaml" "$e"
for u in "$sd"/tradefan-export-*@.service "$sd"/tradefan-prom@.service "$sd"/tradefan-query@.service \
         "$sd"/tradefan-watchdog@.service; do
    check "$(basename "$u"): service user, housekeeping core, restarted" sh -c \
        "grep -qx 'User=tradefan' $u && grep -qx 'CPUAffinity=0' $u && grep -qx 'Restart=always' $u"
done
check "the instance target wants the engine and the processes beside it" sh -c \
    "grep -q 'tradefan-engine@%i.service' $sd/tradefan@.target && grep -q 'tradefan-query@%i.service' $sd/tradefan@.target"
# tfsup, installed, finds render.sh in share/tradefan/monitoring.
cat >"$dir/mon.yaml" <<YAML
instance: sysd$$
shm: {dir: $dir}
export: {run_dir: $dir/run, influx: {enabled: false}, redis: {enabled: false}, query: {enabled: false},
         prom: {port: 19464}}
threads:
  - {name: t, stages: [synth_source, synth_sink]}
YAML
timeout 20 "$p/bin/tfsup" -c "$dir/mon.yaml" --plan >"$dir/plan.txt" 2>&1
check "installed tfsup renders the monitoring configs" test -f "$dir/run/monitoring/prometheus.yml"
check "and plans the installed engine" grep -q "^engine .* $p/bin/tfengine -c $dir/mon.yaml" "$dir/plan.txt"
echo "systemd integration: $fails failed"
[ $fails -eq 0 ]

#!/bin/sh
# Install the Debian packages TradeFan needs, only those missing. Idempotent:
# a machine that has them all runs no apt-get at all.
set -eu

PACKAGES="build-essential pkg-config make
liburing-dev libck-dev libwebsockets-dev libhiredis-dev libcurl4-openssl-dev
libcmocka-dev libquickfix-dev libcyaml-dev libyaml-dev libssl-dev libjansson-dev zlib1g-dev libcap-dev
clang libclang-rt-14-dev openssl
valgrind procps python3 util-linux tzdata systemd
redis-server redis-tools influxdb influxdb-client prometheus prometheus-alertmanager
prometheus-node-exporter python3-aiosmtpd python3-yaml libsimdjson-dev
python3-influxdb python3-redis wrk curl chromium"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

# Node.js for the console's pinned front-end libraries (Debian's nodejs and
# npm, unless a node with its own npm is already there).
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"

# The console's front-end libraries, pinned by web/package-lock.json, from
# the npm registry; again only when the lock changed.
web_deps() {
    here=$(cd "$(dirname "$0")/.." && pwd)
    if [ ! -f "$here/web/node_modules/.package-lock.json" ] ||
        [ "$here/web/package-lock.json" -nt "$here/web/node_modules/.package-lock.json" ]; then
        echo "deps: npm ci in web/ (lightweight-charts, uPlot, playwright-core)"
        (cd "$here/web" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

if [ -z "$missing" ]; then
    web_deps
    exit 0
fi

echo "deps: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: not root; run 'make deps' as root or install:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# The servers are started by the project on loopback with their own data
# folders; keep Debian's default instances from starting on package install.
policy_installed=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    policy_installed=1
fi
# shellcheck disable=SC2086
if apt-get install -y -q --no-install-recommends $missing; then status=0; else status=$?; fi
if [ "$policy_installed" = 1 ]; then
    rm -f /usr/sbin/policy-rc.d
fi
[ $status -eq 0 ] && web_deps
exit $status

# Local InfluxDB and Redis for make run, the tests and the benchmarks:
# loopback only, data under a folder of our own, stopped by the caller.
# Source it (POSIX sh); every wait is bounded. sh has no local variables:
# the functions use only tf__* names, so they never clobber the caller's.
#
#   tf_free_port                       -> prints a free TCP port on 127.0.0.1
#   tf_start_influx DIR PORT           -> sets influx_pid; data in DIR/influxdb
#   tf_start_redis DIR PORT [PASSWORD] -> sets redis_pid
#   tf_start_prometheus DIR PORT CONF  -> sets prometheus_pid; TSDB in DIR/prometheus
#   tf_start_alertmanager DIR PORT CONF -> sets alertmanager_pid; data in DIR/alertmanager
#   tf_start_node_exporter PORT        -> sets node_exporter_pid
#   tf_stop_pid PID                    -> TERM, then KILL after 10 s
# TF_SERVER_CPU=N runs the servers pinned to CPU N (off the engine's cores).

TF_PY=/usr/bin/python3

tf_free_port() {
    $TF_PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

tf_wait_http() { # tf_wait_http URL SECONDS -> 0 once it answers 2xx
    $TF_PY - "$1" "$2" <<'PYEOF'
import sys, time, urllib.request
url, limit = sys.argv[1], float(sys.argv[2])
end = time.time() + limit
while time.time() < end:
    try:
        with urllib.request.urlopen(url, timeout=1) as r:
            if 200 <= r.status < 300:
                sys.exit(0)
    except Exception:
        pass
    time.sleep(0.1)
sys.exit(1)
PYEOF
}

tf_start_influx() { # DIR PORT
    mkdir -p "$1/influxdb"
    tf__d=$(cd "$1/influxdb" && pwd)
    tf__rpc=$(tf_free_port)
    cat >"$tf__d/influxdb.conf" <<CONF
reporting-enabled = false
bind-address = "127.0.0.1:$tf__rpc"
[meta]
  dir = "$tf__d/meta"
  logging-enabled = false
[data]
  dir = "$tf__d/data"
  wal-dir = "$tf__d/wal"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "10s"
[monitor]
  store-enabled = false
[subscriber]
  enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:$2"
  log-enabled = false
  max-body-size = 0
[logging]
  level = "warn"
[continuous_queries]
  enabled = true
  log-enabled = false
  run-interval = "1s"
[retention]
  enabled = true
  check-interval = "30m"
CONF
    ${TF_SERVER_CPU:+taskset -c "$TF_SERVER_CPU"} influxd run -config "$tf__d/influxdb.conf" >"$tf__d/influxd.log" 2>&1 &
    influx_pid=$!
    if ! tf_wait_http "http://127.0.0.1:$2/ping" 30; then
        echo "influxd did not come up on 127.0.0.1:$2:" >&2
        tail -20 "$tf__d/influxd.log" >&2
        return 1
    fi
}

tf_start_redis() { # DIR PORT [PASSWORD]
    mkdir -p "$1/redis"
    tf__d=$(cd "$1/redis" && pwd)   # redis-server resolves paths after its chdir
    if [ -n "${3:-}" ]; then
        ${TF_SERVER_CPU:+taskset -c "$TF_SERVER_CPU"} redis-server --bind 127.0.0.1 --port "$2" --dir "$tf__d" --save "" --appendonly no \
            --requirepass "$3" --logfile "$tf__d/redis.log" &
    else
        ${TF_SERVER_CPU:+taskset -c "$TF_SERVER_CPU"} redis-server --bind 127.0.0.1 --port "$2" --dir "$tf__d" --save "" --appendonly no \
            --logfile "$tf__d/redis.log" &
    fi
    redis_pid=$!
    tf__i=0
    until redis-cli -h 127.0.0.1 -p "$2" ${3:+-a "$3" --no-auth-warning} ping 2>/dev/null | grep -q PONG; do
        tf__i=$((tf__i + 1))
        if [ $tf__i -gt 100 ] || ! kill -0 "$redis_pid" 2>/dev/null; then
            echo "redis-server did not come up on 127.0.0.1:$2:" >&2
            tail -20 "$tf__d/redis.log" >&2
            return 1
        fi
        sleep 0.1
    done
}

tf_start_prometheus() { # DIR PORT CONF
    mkdir -p "$1/prometheus"
    ${TF_SERVER_CPU:+taskset -c "$TF_SERVER_CPU"} prometheus --config.file="$3" \
        --storage.tsdb.path="$1/prometheus" --storage.tsdb.retention.time=2d \
        --web.listen-address="127.0.0.1:$2" --web.enable-lifecycle \
        --log.level=warn >"$1/prometheus/prometheus.log" 2>&1 &
    prometheus_pid=$!
    if ! tf_wait_http "http://127.0.0.1:$2/-/ready" 30; then
        echo "prometheus did not come up on 127.0.0.1:$2:" >&2
        tail -20 "$1/prometheus/prometheus.log" >&2
        return 1
    fi
}

tf_start_alertmanager() { # DIR PORT CONF (no cluster: one host, no gossip port)
    mkdir -p "$1/alertmanager"
    ${TF_SERVER_CPU:+taskset -c "$TF_SERVER_CPU"} prometheus-alertmanager --config.file="$3" \
        --storage.path="$1/alertmanager" --web.listen-address="127.0.0.1:$2" \
        --cluster.listen-address="" --log.level=warn >"$1/alertmanager/alertmanager.log" 2>&1 &
    alertmanager_pid=$!
    if ! tf_wait_http "http://127.0.0.1:$2/-/ready" 30; then
        echo "alertmanager did not come up on 127.0.0.1:$2:" >&2
        tail -20 "$1/alertmanager/alertmanager.log" >&2
        return 1
    fi
}

tf_start_node_exporter() { # PORT
    ${TF_SERVER_CPU:+taskset -c "$TF_SERVER_CPU"} prometheus-node-exporter \
        --web.listen-address="127.0.0.1:$1" --log.level=warn >/dev/null 2>&1 &
    node_exporter_pid=$!
    if ! tf_wait_http "http://127.0.0.1:$1/metrics" 30; then
        echo "prometheus-node-exporter did not come up on 127.0.0.1:$1" >&2
        return 1
    fi
}

tf_stop_pid() { # PID
    [ -n "${1:-}" ] || return 0
    kill -TERM "$1" 2>/dev/null || return 0
    tf__i=0
    while kill -0 "$1" 2>/dev/null && [ $tf__i -lt 100 ]; do sleep 0.1; tf__i=$((tf__i + 1)); done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

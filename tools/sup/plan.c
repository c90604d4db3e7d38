/* tfsup's plan: which services this config needs, how each starts and how
 * its health is checked (see sup.h). The servers get their own folders
 * under run_dir; a Redis password goes into a 0600 redis.conf, never onto
 * a command line others can read. */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/sup/sup.h"

#define FAIL(...) (snprintf(why, cap, __VA_ARGS__), -1)

int sup_arg(sup_service *v, const char *fmt, ...)
{
    size_t used = 0;
    if (v->argc)
        used = (size_t)(v->argv[v->argc - 1] - v->args) + strlen(v->argv[v->argc - 1]) + 1;
    if (v->argc >= SUP_MAX_ARGS || used >= sizeof v->args)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(v->args + used, sizeof v->args - used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof v->args - used)
        return -1;
    v->argv[v->argc++] = v->args + used;
    v->argv[v->argc] = NULL;
    return 0;
}

static sup_service *add(sup *s, const char *name, uint8_t health, uint32_t timeout_ms)
{
    if (s->n >= SUP_MAX_SERVICES)
        return NULL;
    sup_service *v = &s->svc[s->n++];
    memset(v, 0, sizeof *v);
    snprintf(v->name, sizeof v->name, "%s", name);
    v->health = health;
    v->start_timeout_ms = timeout_ms;
    v->cpu = s->cfg.export_.cpu;
    return v;
}

static int mkdirs(const char *path)
{
    char p[SUP_PATH];
    snprintf(p, sizeof p, "%s", path);
    for (char *c = p + 1; *c; c++)
        if (*c == '/') {
            *c = 0;
            if (mkdir(p, 0755) != 0 && errno != EEXIST)
                return -1;
            *c = '/';
        }
    return mkdir(p, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/* A free TCP port on loopback (the kernel's choice; closed again at once). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* The port of "scheme://host:port[/...]" (dflt when none). */
static int url_port(const char *url, int dflt)
{
    const char *hp = strstr(url, "://");
    hp = hp ? hp + 3 : url;
    const char *slash = strchr(hp, '/'), *colon = strchr(hp, ':');
    if (!colon || (slash && colon > slash))
        return dflt;
    return atoi(colon + 1);
}

static bool local_url(const char *url, const char *scheme)
{
    size_t n = strlen(scheme);
    return strncmp(url, scheme, n) == 0 &&
           (strncmp(url + n, "127.0.0.1:", 10) == 0 || strncmp(url + n, "localhost:", 10) == 0);
}

/* A file of the project beside the binaries: tuning/<rel> in a build tree
 * (build/bin), share/tradefan/<installed> once installed. */
static void project_file(const sup *s, const char *rel, const char *installed, char *out, size_t cap)
{
    snprintf(out, cap, "%s/../../tuning/%s", s->bindir, rel);
    if (access(out, R_OK) != 0)
        snprintf(out, cap, "%s/../share/tradefan/%s", s->bindir, installed);
}

static int env_port(const char *name, int dflt)
{
    const char *v = getenv(name);
    return v && *v ? atoi(v) : dflt;
}

static int write_file(const char *path, mode_t mode, const char *text, char *why, size_t cap)
{
    FILE *f = fopen(path, "w");
    if (!f || fchmod(fileno(f), mode) != 0 || fputs(text, f) < 0 || fclose(f) != 0)
        return FAIL("cannot write %s: %s", path, strerror(errno));
    return 0;
}

static int plan_redis(sup *s, char *why, size_t cap)
{
    const tf_cfg_redis *r = &s->cfg.export_.redis;
    char dir[SUP_PATH], abs[SUP_PATH], conf[SUP_PATH + 16], text[3 * SUP_PATH], pw[256] = "";
    snprintf(dir, sizeof dir, "%s/redis", s->run_dir);
    if (mkdirs(dir) != 0 || !realpath(dir, abs)) /* redis-server resolves paths after its chdir */
        return FAIL("cannot create %s: %s", dir, strerror(errno));
    if ((r->password.env[0] || r->password.file[0]) && tf_config_secret_read(&r->password, pw, sizeof pw) != 0)
        return FAIL("export.redis.password: cannot read it");
    snprintf(conf, sizeof conf, "%s/redis.conf", abs);
    snprintf(text, sizeof text, "bind 127.0.0.1\nport %u\ndir %s\nlogfile %s/redis.log\nsave \"\"\n%s%s%s%s",
             r->port, abs, abs, r->persistence ? "appendonly yes\nappendfsync everysec\n" : "appendonly no\n",
             pw[0] ? "requirepass \"" : "", pw, pw[0] ? "\"\n" : "");
    memset(pw, 0, sizeof pw);
    int rc = write_file(conf, 0600, text, why, cap);
    memset(text, 0, sizeof text);
    if (rc != 0)
        return -1;
    sup_service *v = add(s, "redis", SUP_HEALTH_REDIS, 10000);
    if (!v)
        return FAIL("too many services");
    v->port = r->port;
    return sup_arg(v, "redis-server") | sup_arg(v, "%s", conf);
}

static int plan_influx(sup *s, char *why, size_t cap)
{
    const tf_cfg_influx *in = &s->cfg.export_.influx;
    int port = url_port(in->url, 8086), rpc = free_port();
    char dir[SUP_PATH], conf[SUP_PATH + 16], text[4096], abs[SUP_PATH];
    snprintf(dir, sizeof dir, "%s/influxdb", s->run_dir);
    if (mkdirs(dir) != 0 || !realpath(dir, abs))
        return FAIL("cannot create %s: %s", dir, strerror(errno));
    snprintf(conf, sizeof conf, "%s/influxdb.conf", abs);
    snprintf(text, sizeof text,
             "reporting-enabled = false\nbind-address = \"127.0.0.1:%d\"\n[meta]\n  dir = \"%s/meta\"\n"
             "  logging-enabled = false\n[data]\n  dir = \"%s/data\"\n  wal-dir = \"%s/wal\"\n"
             "  query-log-enabled = false\n  cache-snapshot-write-cold-duration = \"10s\"\n[monitor]\n"
             "  store-enabled = false\n[subscriber]\n  enabled = false\n[http]\n  enabled = true\n"
             "  bind-address = \"127.0.0.1:%d\"\n  log-enabled = false\n  max-body-size = 0\n[logging]\n"
             "  level = \"warn\"\n[continuous_queries]\n  enabled = true\n  log-enabled = false\n  run-interval = \"1s\"\n"
             "[retention]\n  enabled = true\n  check-interval = \"30m\"\n",
             rpc, abs, abs, abs, port);
    if (rpc < 0 || write_file(conf, 0644, text, why, cap) != 0)
        return rpc < 0 ? FAIL("no free port for influxd's RPC") : -1;
    sup_service *v = add(s, "influxd", SUP_HEALTH_INFLUX, 30000);
    if (!v)
        return FAIL("too many services");
    snprintf(v->url, sizeof v->url, "http://127.0.0.1:%d/ping", port);
    snprintf(v->probe, sizeof v->probe, "http://127.0.0.1:%d/write?db=%.64s&precision=s", port, in->database);
    return sup_arg(v, "influxd") | sup_arg(v, "run") | sup_arg(v, "-config") | sup_arg(v, "%s", conf);
}

/* Prometheus, Alertmanager and the node exporter, with tuning/monitoring's
 * configs rendered for these ports (render.sh: secrets stay 0600). */
static int plan_monitoring(sup *s, char *why, size_t cap)
{
    int qport = env_port("TF_PROMETHEUS_PORT", 9090), aport = env_port("TF_ALERTMANAGER_PORT", 9093);
    int nport = env_port("TF_NODE_EXPORTER_PORT", 9100);
    char mon[SUP_PATH + 16], render[SUP_PATH + 64], cmd[3 * SUP_PATH];
    snprintf(mon, sizeof mon, "%s/monitoring", s->run_dir);
    project_file(s, "monitoring/render.sh", "monitoring/render.sh", render, sizeof render);
    snprintf(cmd, sizeof cmd, "sh '%s' '%s' %u %d %d", render, mon, s->cfg.export_.prom.port, nport, aport);
    if (mkdirs(mon) != 0 || system(cmd) != 0)
        return FAIL("the monitoring configs did not render (%s)", cmd);
    sup_service *v = add(s, "node-exporter", SUP_HEALTH_HTTP, 10000);
    if (!v)
        return FAIL("too many services");
    snprintf(v->url, sizeof v->url, "http://127.0.0.1:%d/metrics", nport);
    int rc = sup_arg(v, "prometheus-node-exporter") | sup_arg(v, "--web.listen-address=127.0.0.1:%d", nport) |
             sup_arg(v, "--log.level=warn") | sup_arg(v, "--collector.textfile.directory=%s", s->metrics_dir);
    if (!(v = add(s, "alertmanager", SUP_HEALTH_HTTP, 30000)))
        return FAIL("too many services");
    snprintf(v->url, sizeof v->url, "http://127.0.0.1:%d/-/ready", aport);
    rc |= sup_arg(v, "prometheus-alertmanager") | sup_arg(v, "--config.file=%s/alertmanager.yml", mon) |
          sup_arg(v, "--storage.path=%s/alertmanager", mon) | sup_arg(v, "--web.listen-address=127.0.0.1:%d", aport) |
          sup_arg(v, "--cluster.listen-address=") | sup_arg(v, "--log.level=warn");
    if (!(v = add(s, "prometheus", SUP_HEALTH_HTTP, 30000)))
        return FAIL("too many services");
    snprintf(v->url, sizeof v->url, "http://127.0.0.1:%d/-/ready", qport);
    rc |= sup_arg(v, "prometheus") | sup_arg(v, "--config.file=%s/prometheus.yml", mon) |
          sup_arg(v, "--storage.tsdb.path=%s/prometheus", mon) | sup_arg(v, "--storage.tsdb.retention.time=2d") |
          sup_arg(v, "--web.listen-address=127.0.0.1:%d", qport) | sup_arg(v, "--web.enable-lifecycle") |
          sup_arg(v, "--log.level=warn");
    return rc ? FAIL("monitoring: arguments too long") : 0;
}

/* The embedded venue: tfsim when the feed points at this machine, with its
 * FIX gateway when the venue stage is exio and the exchange is local too. */
static int plan_sim(sup *s, char *why, size_t cap)
{
    const tf_config *c = &s->cfg;
    sup_service *v = add(s, "tfsim", SUP_HEALTH_TCP, 10000);
    if (!v)
        return FAIL("too many services");
    v->port = (uint32_t)url_port(c->feed.url, 80);
    char syms[TF_CFG_MAX_INSTRUMENTS * 17] = "";
    for (uint32_t i = 0; i < c->instrument_count; i++)
        snprintf(syms + strlen(syms), sizeof syms - strlen(syms), "%s%s", i ? "," : "", c->instruments[i].symbol);
    const char *rate = getenv("TF_SIM_RATE");
    int rc = sup_arg(v, "%s/tfsim", s->bindir) | sup_arg(v, "--port") | sup_arg(v, "%u", v->port) |
             sup_arg(v, "--symbols") | sup_arg(v, "%s", syms) | sup_arg(v, "--rate") |
             sup_arg(v, "%s", rate && *rate ? rate : "2000");
    if (tf_config_has_stage(c, TF_STAGE_EXIO) &&
        (!strcmp(c->exchange.host, "127.0.0.1") || !strcmp(c->exchange.host, "localhost")))
        rc |= sup_arg(v, "--fix-port") | sup_arg(v, "%u", c->exchange.port) | sup_arg(v, "--fix-store") |
              sup_arg(v, "%s/tfsim-fix", s->run_dir);
    const char *dump = getenv("TF_SIM_ORDERS_DUMP"); /* its book at exit (the chaos suite compares) */
    if (dump && *dump)
        rc |= sup_arg(v, "--orders-dump") | sup_arg(v, "%s", dump);
    return rc ? FAIL("tfsim: arguments too long") : 0;
}

/* One out-of-band tool: BINDIR/tool -c CONFIG [extra...] */
static sup_service *tool(sup *s, const char *name, const char *bin, uint8_t health, const char *extra)
{
    sup_service *v = add(s, name, health, 15000);
    if (!v || sup_arg(v, "%s/%s", s->bindir, bin) || sup_arg(v, "-c") || sup_arg(v, "%s", s->config_path))
        return NULL;
    if (extra && (sup_arg(v, "--journal") || sup_arg(v, "%s", extra)))
        return NULL;
    return v;
}

int sup_plan(sup *s, char *why, size_t cap)
{
    const tf_config *c = &s->cfg;
    const tf_cfg_export *ex = &c->export_;
    s->n = 0;
    snprintf(s->run_dir, sizeof s->run_dir, "%s", ex->run_dir);
    snprintf(s->log_dir, sizeof s->log_dir, "%s/logs", s->run_dir);
    snprintf(s->status_path, sizeof s->status_path, "%s/supervisor.status", s->run_dir);
    snprintf(s->pid_path, sizeof s->pid_path, "%s/supervisor.pid", s->run_dir);
    snprintf(s->metrics_dir, sizeof s->metrics_dir, "%s/monitoring/textfile", s->run_dir);
    if (mkdirs(s->log_dir) != 0 || mkdirs(s->metrics_dir) != 0)
        return FAIL("cannot create %s: %s", s->log_dir, strerror(errno));
    if (ex->redis.enabled && ex->redis.local && plan_redis(s, why, cap) != 0)
        return -1;
    if (ex->influx.enabled && ex->influx.local && plan_influx(s, why, cap) != 0)
        return -1;
    if (s->monitoring && ex->prom.enabled && plan_monitoring(s, why, cap) != 0)
        return -1;
    if (s->sim && local_url(c->feed.url, "ws://") && tf_config_has_stage(c, TF_STAGE_FEED) &&
        plan_sim(s, why, cap) != 0)
        return -1;
    sup_service *e = add(s, "engine", SUP_HEALTH_ENGINE, 30000);
    if (!e || sup_arg(e, "%s/tfengine", s->bindir) || sup_arg(e, "-c") || sup_arg(e, "%s", s->config_path))
        return FAIL("engine: arguments too long");
    e->engine = true;
    e->cpu = -1; /* it pins its own threads */
    bool orders = tf_config_has_stage(c, TF_STAGE_RISK);
    if (c->backup.every_ns) { /* backups on a schedule (tuning/backup every) */
        sup_service *v = add(s, "backup", SUP_HEALTH_ALIVE, 5000);
        char script[SUP_PATH + 64];
        project_file(s, "backup", "backup", script, sizeof script);
        if (!v || sup_arg(v, "sh") || sup_arg(v, "%s", script) || sup_arg(v, "-c") ||
            sup_arg(v, "%s", s->config_path) || sup_arg(v, "every"))
            return FAIL("backup: arguments too long");
    }
    bool ok = true;
    if (ex->influx.enabled) {
        ok &= tool(s, "export-influx", "tfexport-influx", SUP_HEALTH_ALIVE, NULL) != NULL;
        if (orders)
            ok &= tool(s, "export-influx-orders", "tfexport-influx", SUP_HEALTH_ALIVE, "orders") != NULL;
    }
    if (ex->redis.enabled) {
        ok &= tool(s, "export-redis", "tfexport-redis", SUP_HEALTH_ALIVE, NULL) != NULL;
        if (orders)
            ok &= tool(s, "export-redis-orders", "tfexport-redis", SUP_HEALTH_ALIVE, "orders") != NULL;
    }
    ok &= tool(s, "watchdog", "tfwatchdog", SUP_HEALTH_ALIVE, NULL) != NULL;
    if (ex->prom.enabled) {
        sup_service *v = tool(s, "export-prom", "tfexport-prom", ex->prom.port ? SUP_HEALTH_HTTP : SUP_HEALTH_ALIVE,
                              NULL);
        ok &= v != NULL;
        if (v)
            snprintf(v->url, sizeof v->url, "http://%s:%u/metrics", ex->prom.bind, ex->prom.port);
    }
    if (ex->query.enabled) {
        sup_service *v = tool(s, "query", "tfquery", ex->query.port ? SUP_HEALTH_TCP : SUP_HEALTH_ALIVE, NULL);
        ok &= v != NULL;
        if (v)
            v->port = ex->query.port;
    }
    if (ex->console.enabled) {
        sup_service *v = tool(s, "console", "tfconsole", ex->console.port ? SUP_HEALTH_TCP : SUP_HEALTH_ALIVE, NULL);
        ok &= v != NULL;
        if (v)
            v->port = ex->console.port;
    }
    return ok ? 0 : FAIL("too many services or arguments too long");
}

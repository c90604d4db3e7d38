/* The supervisor's plan and status (tools/sup): which services a config
 * needs, in which order, started how; the Redis password only in a 0600
 * file; the status file and metrics as the operator and Prometheus read
 * them; a missing order table counts no open orders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/test_util.h"
#include "tools/sup/sup.h"

static sup S;

static void load(const char *extra, const char *threads)
{
    char yaml[4096], err[512];
    snprintf(yaml, sizeof yaml,
             "instance: plan\nshm: {dir: %s}\n"
             "instruments:\n"
             "  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: \"0.01\", lot_size: \"0.00001\"}\n"
             "  - {symbol: ETHUSDT, price_precision: 2, qty_precision: 4, tick_size: \"0.01\", lot_size: \"0.0001\"}\n"
             "%s"
             "threads:\n  - {name: hot, stages: [%s]}\n",
             test_dir, extra, threads);
    memset(&S, 0, sizeof S);
    if (tf_config_parse(yaml, strlen(yaml), "t.yaml", 2, &S.cfg, err, sizeof err) != 0)
        fail_msg("config: %s", err);
    snprintf(S.config_path, sizeof S.config_path, "/etc/tf/x.yaml");
    snprintf(S.bindir, sizeof S.bindir, "/opt/tf/bin");
    S.sim = true;
}

static const sup_service *find(const char *name)
{
    for (int i = 0; i < S.n; i++)
        if (!strcmp(S.svc[i].name, name))
            return &S.svc[i];
    return NULL;
}

static bool has_arg(const sup_service *v, const char *a)
{
    for (int i = 0; i < v->argc; i++)
        if (!strcmp(v->argv[i], a))
            return true;
    return false;
}

static void test_a_whole_box_in_order(void **state)
{
    (void)state;
    char extra[1024];
    setenv("TF_TEST_REDIS_PW", "s3cret pass", 1);
    snprintf(extra, sizeof extra,
             "feed: {url: \"ws://127.0.0.1:9443\", rest_url: \"http://127.0.0.1:9443\"}\n"
             "export: {run_dir: %s/run, influx: {url: \"http://127.0.0.1:18086\"},\n"
             "         redis: {port: 16379, password: {env: TF_TEST_REDIS_PW}}, query: {port: 18080}, prom: {port: 19464}}\n"
             "exchange: {host: 127.0.0.1, port: 19878, profile: tfsim}\n",
             test_dir);
    load(extra, "feed, risk, oms, exio");
    char why[256];
    assert_int_equal(sup_plan(&S, why, sizeof why), 0);
    const char *order[] = {"redis", "influxd", "tfsim", "engine", "export-influx", "export-influx-orders",
                           "export-redis", "export-redis-orders", "watchdog", "export-prom", "query"};
    assert_int_equal(S.n, (int)(sizeof order / sizeof *order));
    for (int i = 0; i < S.n; i++)
        assert_string_equal(S.svc[i].name, order[i]);
    /* tfsim serves the feed's port and, the venue being local, FIX */
    const sup_service *sim = find("tfsim");
    assert_string_equal(sim->argv[0], "/opt/tf/bin/tfsim");
    assert_true(has_arg(sim, "9443") && has_arg(sim, "--fix-port") && has_arg(sim, "19878"));
    assert_true(has_arg(sim, "BTCUSDT,ETHUSDT"));
    assert_int_equal(sim->health, SUP_HEALTH_TCP);
    assert_int_equal(sim->port, 9443);
    const sup_service *e = find("engine");
    assert_true(e->engine);
    assert_int_equal(e->health, SUP_HEALTH_ENGINE);
    assert_string_equal(e->argv[0], "/opt/tf/bin/tfengine");
    assert_true(has_arg(e, "/etc/tf/x.yaml"));
    assert_true(has_arg(find("export-redis-orders"), "orders"));
    assert_string_equal(find("export-prom")->url, "http://127.0.0.1:19464/metrics");
    assert_int_equal(find("query")->port, 18080);
    assert_string_equal(find("influxd")->url, "http://127.0.0.1:18086/ping");
    assert_int_equal(find("influxd")->health, SUP_HEALTH_INFLUX);
    assert_string_equal(find("influxd")->probe, "http://127.0.0.1:18086/write?db=tradefan&precision=s");
    /* The password is in a 0600 file, never on the command line. */
    const sup_service *r = find("redis");
    assert_int_equal(r->health, SUP_HEALTH_REDIS);
    assert_int_equal(r->port, 16379);
    for (int i = 0; i < r->argc; i++)
        assert_null(strstr(r->argv[i], "s3cret"));
    struct stat st;
    assert_int_equal(stat(r->argv[1], &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char text[2048];
    assert_true(test_read_file(r->argv[1], text, sizeof text) > 0);
    assert_non_null(strstr(text, "requirepass \"s3cret pass\""));
    assert_non_null(strstr(text, "port 16379"));
    snprintf(text, sizeof text, "%s/run/influxdb/influxdb.conf", test_dir);
    char conf[2048];
    assert_true(test_read_file(text, conf, sizeof conf) > 0);
    assert_non_null(strstr(conf, "bind-address = \"127.0.0.1:18086\""));
    unsetenv("TF_TEST_REDIS_PW");
}

/* A remote feed and remote stores: nothing local to start but the engine
 * and the processes beside it; a paper venue's engine has no FIX to serve. */
static void test_remote_servers_are_not_started(void **state)
{
    (void)state;
    char extra[1024];
    snprintf(extra, sizeof extra,
             "feed: {url: \"wss://stream.binance.com:9443\", rest_url: \"https://api.binance.com\"}\n"
             "export: {run_dir: %s/run, influx: {local: false, url: \"http://10.0.0.5:8086\"},\n"
             "         redis: {local: false, host: 10.0.0.6}, query: {enabled: false}, prom: {enabled: false}}\n",
             test_dir);
    load(extra, "feed, risk, oms, paper");
    char why[256];
    assert_int_equal(sup_plan(&S, why, sizeof why), 0);
    const char *order[] = {"engine", "export-influx", "export-influx-orders", "export-redis", "export-redis-orders",
                           "watchdog"};
    assert_int_equal(S.n, 6);
    for (int i = 0; i < S.n; i++)
        assert_string_equal(S.svc[i].name, order[i]);
}

static void test_arguments_are_bounded(void **state)
{
    (void)state;
    sup_service v;
    memset(&v, 0, sizeof v);
    int ok = 0;
    for (int i = 0; i < SUP_MAX_ARGS + 5; i++)
        ok += sup_arg(&v, "a%d", i) == 0;
    assert_int_equal(ok, SUP_MAX_ARGS);
    assert_null(v.argv[SUP_MAX_ARGS]);
    memset(&v, 0, sizeof v);
    char big[1500];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(sup_arg(&v, "%s", big), 0);
    assert_int_equal(sup_arg(&v, "%s", big), -1); /* 2 x 1500 > the 2048 bytes */
    assert_int_equal(v.argc, 1);
}

static void test_status_and_metrics(void **state)
{
    (void)state;
    char extra[512];
    snprintf(extra, sizeof extra, "export: {run_dir: %s/run, influx: {enabled: false}, redis: {enabled: false},\n"
                                  "         query: {enabled: false}, prom: {enabled: false}}\n", test_dir);
    load(extra, "risk, oms, paper");
    char why[256];
    assert_int_equal(sup_plan(&S, why, sizeof why), 0);
    assert_int_equal(S.n, 2); /* engine, watchdog */
    FILE *p = fopen(S.pid_path, "w");
    fprintf(p, "%d\n", (int)getpid());
    fclose(p);
    for (int i = 0; i < S.n; i++) {
        S.svc[i].state = SUP_UP;
        S.svc[i].pid = 100 + i;
        S.svc[i].last_status = -1;
    }
    sup_write_status(&S);
    assert_int_equal(sup_print_status(S.status_path, S.pid_path), 0);
    S.svc[0].state = SUP_HELD;
    S.svc[0].pid = 0;
    S.svc[0].open_orders_at_exit = 3;
    S.svc[0].last_status = 9; /* killed by signal 9 */
    S.svc[1].restarts = 2;
    sup_write_status(&S);
    assert_int_equal(sup_print_status(S.status_path, S.pid_path), 1);
    char text[2048], path[600];
    assert_true(test_read_file(S.status_path, text, sizeof text) > 0);
    assert_non_null(strstr(text, "engine                 held"));
    assert_non_null(strstr(text, "signal=9 open_orders=3"));
    snprintf(path, sizeof path, "%s/supervisor.prom", S.metrics_dir);
    assert_true(test_read_file(path, text, sizeof text) > 0);
    assert_non_null(strstr(text, "tradefan_engine_held{instance_name=\"plan\"} 1\n"));
    assert_non_null(strstr(text, "tradefan_service_up{instance_name=\"plan\",service=\"engine\"} 0\n"));
    assert_non_null(strstr(text, "tradefan_service_restarts_total{instance_name=\"plan\",service=\"watchdog\"} 2\n"));
    unlink(S.pid_path);
    assert_int_equal(sup_print_status(S.status_path, S.pid_path), 2); /* no supervisor */
    /* No engine ever ran here: no order table, so none open. */
    assert_int_equal(sup_open_orders(&S), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_whole_box_in_order),
        cmocka_unit_test(test_remote_servers_are_not_started),
        cmocka_unit_test(test_arguments_are_bounded),
        cmocka_unit_test(test_status_and_metrics),
    };
    if (test_dir_make("tf_sup_plan") != 0)
        return 1;
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    void *st = NULL;
    test_dir_remove(&st);
    return rc;
}

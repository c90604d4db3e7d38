/* Config loading: a full valid file, defaults, every class of error with
 * its exact line, the shipped environment files, and no crash on any prefix
 * of a valid document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "engine/config.h"

static tf_config cfg;
static char err[512];

static int parse(const char *yaml, int ncpus)
{
    err[0] = 0;
    return tf_config_parse(yaml, strlen(yaml), "t.yaml", ncpus, &cfg, err, sizeof err);
}

/* The parse fails, at `line`, with `needle` in the reason. */
static void expect_error(const char *yaml, int line, const char *needle)
{
    assert_int_equal(parse(yaml, 2), -1);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "t.yaml:%d:", line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, needle))
        fail_msg("wanted '%s...%s', got '%s'", prefix, needle, err);
}

static void test_full_config(void **state)
{
    (void)state;
    const char *y = "instance: prod-1\n"
                    "shm:\n  dir: /tmp/x\n  mode: 0660\n  on_stale: replace\n"
                    "rings:\n  capacity: 8192\n  request_capacity: 512\n"
                    "journal:\n  md:\n    capacity: 65536\n    file: /var/lib/tf/md.journal\n"
                    "heartbeat_period_ms: 250\n"
                    "lock_memory: true\n"
                    "synthetic:\n  rate_per_s: 5000\n  burst: 16\n"
                    "threads:\n"
                    "  - name: a\n    cpu: 1\n    rt_priority: 5\n    idle: busy-spin\n"
                    "    stages: [synth_source]\n"
                    "  - name: b\n    cpu: -1\n"
                    "    idle: {strategy: backoff, spins: 7, yields: 3, park_min_ns: 500, park_max_ns: 9000}\n"
                    "    stages: [synth_sink]\n";
    assert_int_equal(parse(y, 2), 0);
    assert_string_equal(cfg.instance, "prod-1");
    assert_string_equal(cfg.shm_dir, "/tmp/x");
    assert_int_equal(cfg.shm_mode, 0660);
    assert_int_equal(cfg.on_stale, TF_STALE_REPLACE);
    assert_int_equal(cfg.ring_capacity, 8192);
    assert_int_equal(cfg.request_ring_capacity, 512);
    assert_int_equal(cfg.md_journal_capacity, 65536);
    assert_string_equal(cfg.md_journal_file, "/var/lib/tf/md.journal");
    assert_int_equal(cfg.heartbeat_period_ns, 250000000ull);
    assert_true(cfg.lock_memory);
    assert_int_equal(cfg.synthetic.rate_per_s, 5000);
    assert_int_equal(cfg.synthetic.burst, 16);
    assert_int_equal(cfg.thread_count, 2);
    assert_string_equal(cfg.threads[0].name, "a");
    assert_int_equal(cfg.threads[0].cpu, 1);
    assert_int_equal(cfg.threads[0].rt_priority, 5);
    assert_int_equal(cfg.threads[0].idle.kind, TF_IDLE_BUSY_SPIN);
    assert_int_equal(cfg.threads[0].stage_count, 1);
    assert_string_equal(cfg.threads[0].stages[0], "synth_source");
    assert_int_equal(cfg.threads[1].cpu, -1);
    assert_int_equal(cfg.threads[1].idle.kind, TF_IDLE_BACKOFF);
    assert_int_equal(cfg.threads[1].idle.spins, 7);
    assert_int_equal(cfg.threads[1].idle.yields, 3);
    assert_int_equal(cfg.threads[1].idle.park_min_ns, 500);
    assert_int_equal(cfg.threads[1].idle.park_max_ns, 9000);
    assert_string_equal(cfg.source_file, "t.yaml");
}

static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(parse("instance: d\nthreads:\n  - name: t\n    stages: [synth_sink]\n", 2), 0);
    assert_string_equal(cfg.shm_dir, "/dev/shm");
    assert_int_equal(cfg.shm_mode, 0640);
    assert_int_equal(cfg.on_stale, TF_STALE_REFUSE);
    assert_int_equal(cfg.ring_capacity, 4096);
    assert_int_equal(cfg.request_ring_capacity, 1024);
    assert_int_equal(cfg.md_journal_capacity, 1u << 20);
    assert_string_equal(cfg.md_journal_file, "");
    assert_int_equal(cfg.heartbeat_period_ns, 100000000ull);
    assert_false(cfg.lock_memory);
    assert_int_equal(cfg.synthetic.rate_per_s, 100000);
    assert_int_equal(cfg.synthetic.burst, 64);
    assert_int_equal(cfg.threads[0].cpu, -1);
    assert_int_equal(cfg.threads[0].idle.kind, TF_IDLE_BACKOFF);
    assert_int_equal(cfg.threads[0].idle.park_max_ns, 1000000);
}

#define T1 "threads:\n  - name: t\n    stages: [synth_sink]\n"

static void test_errors_name_their_line(void **state)
{
    (void)state;
    expect_error("instance: x\nfoo: 1\n" T1, 2, "unknown key 'foo'");
    expect_error("instance: x\ninstance: y\n" T1, 2, "duplicate key 'instance'");
    expect_error(T1, 1, "missing required key 'instance'");
    expect_error("instance: x\n", 1, "missing required key 'threads'");
    expect_error("instance: x\nthreads: []\n", 2, "at least one thread");
    expect_error("instance: a b\n" T1, 1, "instance 'a b'");
    expect_error("instance: x\nrings:\n  capacity: 1000\n" T1, 3, "not a power of two");
    expect_error("instance: x\nrings:\n  capacity: lots\n" T1, 3, "expected an integer for 'capacity', got 'lots'");
    expect_error("instance: x\nrings:\n  capacity: 1\n" T1, 3, "out of range");
    expect_error("instance: x\nrings: 5\n" T1, 2, "rings must be a mapping");
    expect_error("instance: x\nshm:\n  mode: 0999\n" T1, 3, "octal");
    expect_error("instance: x\nshm:\n  mode: 0444\n" T1, 3, "owner read and write");
    expect_error("instance: x\nshm:\n  on_stale: maybe\n" T1, 3, "refuse or replace");
    expect_error("instance: x\nshm:\n  dir: \"\"\n" T1, 3, "must not be empty");
    expect_error("instance: x\njournal:\n  md:\n    capacity: 8\n" T1, 4, "out of range");
    expect_error("instance: x\njournal:\n  trades: {}\n" T1, 3, "unknown key 'trades'");
    expect_error("instance: x\nheartbeat_period_ms: 0\n" T1, 2, "out of range");
    expect_error("instance: x\nlock_memory: yes\n" T1, 2, "lock_memory must be true or false, got 'yes'");
    expect_error("instance: x\nsynthetic:\n  burst: 1000\n" T1, 3, "out of range");
    expect_error("instance: x\nthreads:\n  - name: t\n    cpu: abc\n    stages: [synth_sink]\n", 4,
                 "expected an integer for 'cpu', got 'abc'");
    expect_error("instance: x\nthreads:\n  - name: t\n    cpu: 7\n    stages: [synth_sink]\n", 4,
                 "cpu 7 does not exist on this host (CPUs 0..1)");
    expect_error("instance: x\nthreads:\n  - name: t\n    rt_priority: 100\n    stages: [synth_sink]\n", 4,
                 "out of range");
    expect_error("instance: x\nthreads:\n  - name: t\n    stages: [foo]\n", 4,
                 "unknown stage 'foo' (known: synth_source, synth_sink)");
    expect_error("instance: x\nthreads:\n  - name: t\n    idle: spin\n    stages: [synth_sink]\n", 4,
                 "unknown idle strategy 'spin'");
    expect_error("instance: x\nthreads:\n  - name: t\n    idle: {spins: 3}\n    stages: [synth_sink]\n", 4,
                 "needs a 'strategy'");
    expect_error("instance: x\nthreads:\n  - name: t\n"
                 "    idle: {strategy: backoff, park_min_ns: 10, park_max_ns: 5}\n    stages: [synth_sink]\n",
                 4, "park_min_ns 10 is above park_max_ns 5");
    expect_error("instance: x\nthreads:\n  - name: t\n    stages: []\n", 4, "has no stages");
    expect_error("instance: x\nthreads:\n  - name: t\n", 3, "needs 'stages'");
    expect_error("instance: x\nthreads:\n  - cpu: 1\n    stages: [synth_sink]\n", 3, "needs a 'name'");
    expect_error("instance: x\nthreads:\n  - name: t\n    color: red\n    stages: [synth_sink]\n", 4,
                 "unknown key 'color' in threads[0]");
    expect_error("instance: x\nthreads:\n  - name: a\n    stages: [synth_source, synth_sink]\n"
                 "  - name: b\n    stages: [synth_sink]\n", 6,
                 "stage 'synth_sink' runs on two threads ('a' line 4 and 'b' line 6)");
    expect_error("instance: x\nthreads:\n  - name: a\n    stages: [synth_source]\n"
                 "  - name: a\n    stages: [synth_sink]\n", 5, "thread name 'a' is used twice");
    expect_error("instance: x\nthreads:\n  - name: a\n    stages: [synth_sink, synth_sink]\n", 4,
                 "runs on two threads");
    expect_error("instance: x\n  bad: [\n", 2, "YAML syntax error");
    expect_error("", 1, "empty");
    expect_error("- 1\n- 2\n", 1, "the top level must be a mapping");
    expect_error("instance: [a]\n" T1, 1, "instance must be a name");
    expect_error("instance: &a x\nthreads: *a\n", 1, "threads must be a list"); /* an alias is its anchor node */
}

static void test_missing_file(void **state)
{
    (void)state;
    assert_int_equal(tf_config_load("/nonexistent/x.yaml", 2, &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/x.yaml:1:1: cannot open"));
}

static void test_shipped_environments(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int ncpus;
        const char *instance;
    } envs[] = {{"development", 2, "dev"}, {"testing", 2, "test"},
                {"staging", 16, "staging"}, {"production", 16, "prod"}};
    for (size_t i = 0; i < sizeof envs / sizeof envs[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "tuning/environments/%s.yaml", envs[i].name);
        if (tf_config_load(path, envs[i].ncpus, &cfg, err, sizeof err) != 0)
            fail_msg("%s: %s", path, err);
        assert_string_equal(cfg.instance, envs[i].instance);
    }
    /* Production's layout is impossible on a 2-CPU host, and says why. */
    assert_int_equal(tf_config_load("tuning/environments/production.yaml", 2, &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "does not exist on this host"));
}

static void test_every_prefix_is_handled(void **state)
{
    (void)state;
    const char *y = "instance: dev\nshm:\n  dir: /dev/shm\n  mode: 0640\nrings:\n  capacity: 4096\n"
                    "journal:\n  md:\n    capacity: 65536\n    file: \"\"\nsynthetic: {rate_per_s: 10}\n"
                    "threads:\n  - name: hot\n    cpu: 1\n"
                    "    idle: {strategy: backoff, spins: 1}\n    stages: [synth_source, synth_sink]\n";
    size_t n = strlen(y);
    int ok = 0;
    for (size_t len = 0; len <= n; len++) {
        err[0] = 0;
        int rc = tf_config_parse(y, len, "p.yaml", 2, &cfg, err, sizeof err);
        if (rc == 0)
            ok++;
        else
            assert_int_equal(strncmp(err, "p.yaml:", 7), 0);
    }
    assert_true(ok >= 1); /* the whole document at least */
    /* Garbage bytes. */
    char junk[256];
    uint32_t s = 12345;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof junk; i++) {
            s = s * 1103515245u + 12345u;
            junk[i] = "ab:- \n{}[]&*!|>'\"#%@0123456789"[(s >> 16) % 31];
        }
        tf_config_parse(junk, sizeof junk, "g.yaml", 2, &cfg, err, sizeof err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_config),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_errors_name_their_line),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_shipped_environments),
        cmocka_unit_test(test_every_prefix_is_handled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

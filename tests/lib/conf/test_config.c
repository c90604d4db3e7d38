/* Config loading: a full valid file, defaults, every class of error with its
 * exact "<file>:<line>:<col>: <reason>", the shipped environment files, and
 * no crash (or over-read: buffers are exactly sized) on any prefix of a valid
 * document, random garbage, or byte mutations. Runs from the repo root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/conf/config.h"
#include "shm/orders.h"
#include "shm/records.h"

static tf_config cfg;
static char err[512];

static int parse_n(const char *yaml, int ncpus)
{
    err[0] = 0;
    return tf_config_parse(yaml, strlen(yaml), "t.yaml", ncpus, &cfg, err, sizeof err);
}

static int parse(const char *yaml) { return parse_n(yaml, 2); }

/* The parse fails with exactly this message. */
static void expect_error(const char *yaml, const char *message)
{
    assert_int_equal(parse(yaml), -1);
    assert_string_equal(err, message);
}

/* "<name>:<line>:<col>: <something>" */
static void assert_well_formed(const char *msg, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(msg, name, n) != 0 || msg[n] != ':')
        fail_msg("message does not start with '%s:': '%s'", name, msg);
    const char *p = msg + n + 1;
    for (int field = 0; field < 2; field++) {
        if (!isdigit((unsigned char)*p) || *p == '0')
            fail_msg("no 1-based line:col in '%s'", msg);
        while (isdigit((unsigned char)*p))
            p++;
        if (*p++ != ':')
            fail_msg("malformed position in '%s'", msg);
    }
    if (p[0] != ' ' || !p[1])
        fail_msg("no reason in '%s'", msg);
}

/* ---- valid files ---------------------------------------------------------- */

static void test_full_config(void **state)
{
    (void)state;
    const char *y = "instance: prod-1\n"
                    "shm:\n  dir: /tmp/x\n  mode: 0640\n  on_stale: replace\n"
                    "rings:\n  capacity: 8192\n  request_capacity: 512\n"
                    "journal:\n  md:\n    capacity: 65536\n    file: /var/lib/tf/md.journal\n"
                    "heartbeat_period_ms: 250\n"
                    "lock_memory: true\n"
                    "prefault_memory: false\n"
                    "synthetic:\n  rate_per_s: 5000\n  burst: 16\n"
                    "threads:\n"
                    "  - name: a\n    cpu: 1\n    rt_priority: 5\n    idle: busy-spin\n"
                    "    stages: [synth_source]\n"
                    "  - name: B_2\n    cpu: -1\n"
                    "    idle: {strategy: backoff, spins: 7, yields: 3, park_min_ns: 500, park_max_ns: 9000}\n"
                    "    stages: [synth_sink]\n";
    assert_int_equal(parse(y), 0);
    assert_string_equal(cfg.source_file, "t.yaml");
    assert_string_equal(cfg.instance, "prod-1");
    assert_string_equal(cfg.shm_dir, "/tmp/x");
    assert_int_equal(cfg.shm_mode, 0640);
    assert_int_equal(cfg.on_stale, TF_STALE_REPLACE);
    assert_int_equal(cfg.ring_capacity, 8192);
    assert_int_equal(cfg.request_ring_capacity, 512);
    assert_int_equal(cfg.md_journal_capacity, 65536);
    assert_string_equal(cfg.md_journal_file, "/var/lib/tf/md.journal");
    assert_int_equal(cfg.heartbeat_period_ns, 250000000ull);
    assert_true(cfg.lock_memory);
    assert_false(cfg.prefault_memory);
    assert_int_equal(cfg.synthetic.rate_per_s, 5000);
    assert_int_equal(cfg.synthetic.burst, 16);
    assert_int_equal(cfg.thread_count, 2);
    assert_string_equal(cfg.threads[0].name, "a");
    assert_int_equal(cfg.threads[0].cpu, 1);
    assert_int_equal(cfg.threads[0].rt_priority, 5);
    assert_int_equal(cfg.threads[0].idle.kind, TF_IDLE_BUSY_SPIN);
    assert_int_equal(cfg.threads[0].stage_count, 1);
    assert_int_equal(cfg.threads[0].stages[0], TF_STAGE_SYNTH_SOURCE);
    assert_string_equal(cfg.threads[1].name, "B_2");
    assert_int_equal(cfg.threads[1].cpu, -1);
    assert_int_equal(cfg.threads[1].rt_priority, 0);
    assert_int_equal(cfg.threads[1].idle.kind, TF_IDLE_BACKOFF);
    assert_int_equal(cfg.threads[1].idle.spins, 7);
    assert_int_equal(cfg.threads[1].idle.yields, 3);
    assert_int_equal(cfg.threads[1].idle.park_min_ns, 500);
    assert_int_equal(cfg.threads[1].idle.park_max_ns, 9000);
    assert_int_equal(cfg.threads[1].stage_count, 1);
    assert_int_equal(cfg.threads[1].stages[0], TF_STAGE_SYNTH_SINK);
}

static void test_defaults(void **state)
{
    (void)state;
    memset(&cfg, 0x5a, sizeof cfg);
    assert_int_equal(parse("instance: d\nthreads:\n  - name: t\n    stages: [synth_sink]\n"), 0);
    assert_string_equal(cfg.shm_dir, "/dev/shm");
    assert_int_equal(cfg.shm_mode, 0640);
    assert_int_equal(cfg.on_stale, TF_STALE_REFUSE);
    assert_int_equal(cfg.ring_capacity, 4096);
    assert_int_equal(cfg.request_ring_capacity, 1024);
    assert_int_equal(cfg.md_journal_capacity, 1u << 20);
    assert_string_equal(cfg.md_journal_file, "");
    assert_int_equal(cfg.heartbeat_period_ns, 100000000ull);
    assert_int_equal(cfg.watchdog.stall_ns, 250000000ull);
    assert_int_equal(cfg.watchdog.poll_ns, 50000000ull);
    assert_false(cfg.watchdog.kill_switch);
    assert_true(cfg.export_.prom.enabled);
    assert_string_equal(cfg.export_.prom.bind, "127.0.0.1");
    assert_int_equal(cfg.export_.prom.port, 9464);
    assert_int_equal(cfg.export_.query.hot_order_events, 16384);
    assert_false(cfg.lock_memory);
    assert_true(cfg.prefault_memory);
    assert_false(cfg.feed.service_every_cycle);
    assert_false(cfg.feed.rx_timestamps);
    assert_int_equal(cfg.feed.transport, TF_FEED_TRANSPORT_URING);
    assert_string_equal(cfg.exchange.trace_file, "");
    assert_int_equal(cfg.synthetic.rate_per_s, 100000);
    assert_int_equal(cfg.synthetic.burst, 64);
    assert_int_equal(cfg.thread_count, 1);
    const tf_cfg_thread *t = &cfg.threads[0];
    assert_int_equal(t->cpu, -1);
    assert_int_equal(t->rt_priority, 0);
    assert_int_equal(t->idle.kind, TF_IDLE_BACKOFF);
    assert_int_equal(t->idle.spins, 100);
    assert_int_equal(t->idle.yields, 10);
    assert_int_equal(t->idle.park_min_ns, 1000);
    assert_int_equal(t->idle.park_max_ns, 1000000);
    /* Unused thread slots are zero, not leftovers. */
    assert_int_equal(cfg.threads[1].name[0], 0);
    assert_int_equal(cfg.threads[1].stage_count, 0);

    /* Sections present but partly filled keep the other defaults. */
    assert_int_equal(parse("instance: d\nrings: {capacity: 64}\njournal: {md: {file: /x}}\n"
                           "threads:\n  - name: t\n    idle: {strategy: backoff, spins: 1}\n"
                           "    stages: [synth_sink]\n"), 0);
    assert_int_equal(cfg.ring_capacity, 64);
    assert_int_equal(cfg.request_ring_capacity, 1024);
    assert_int_equal(cfg.md_journal_capacity, 1u << 20);
    assert_string_equal(cfg.md_journal_file, "/x");
    assert_int_equal(cfg.threads[0].idle.spins, 1);
    assert_int_equal(cfg.threads[0].idle.yields, 10);
    assert_int_equal(cfg.threads[0].idle.park_max_ns, 1000000);
}

#define T1 "threads:\n  - name: t\n    stages: [synth_sink]\n"

static void test_value_forms(void **state)
{
    (void)state;
    /* shm.mode: plain 0640 is octal, so is quoted "0640". */
    assert_int_equal(parse("instance: x\nshm: {mode: \"0600\"}\n" T1), 0);
    assert_int_equal(cfg.shm_mode, 0600);
    assert_int_equal(parse("instance: x\nshm:\n  mode: 0644\n" T1), 0);
    assert_int_equal(cfg.shm_mode, 0644);
    /* A scalar idle keeps the backoff parameters' defaults. */
    assert_int_equal(parse("instance: x\nthreads:\n  - name: t\n    idle: yield\n    stages: [synth_sink]\n"), 0);
    assert_int_equal(cfg.threads[0].idle.kind, TF_IDLE_YIELD);
    assert_int_equal(cfg.threads[0].idle.spins, 100);
    /* Names of exactly 31 characters fit; quoted scalars are fine. */
    assert_int_equal(parse("instance: \"abcdefghij-abcdefghij_abcdefghi\"\n" T1), 0);
    assert_string_equal(cfg.instance, "abcdefghij-abcdefghij_abcdefghi");
    assert_int_equal(strlen(cfg.instance), TF_CFG_NAME_MAX - 1);
    /* A stage may be left out; a whole flow-style document; aliases. */
    assert_int_equal(parse("{instance: f, threads: [{name: t, stages: [synth_source]}]}"), 0);
    assert_int_equal(cfg.threads[0].stage_count, 1);
    assert_int_equal(parse("instance: x\nthreads:\n"
                           "  - {name: a, cpu: 0, idle: &fast busy-spin, stages: [synth_source]}\n"
                           "  - {name: b, cpu: 1, idle: *fast, stages: [synth_sink]}\n"), 0);
    assert_int_equal(cfg.threads[1].idle.kind, TF_IDLE_BUSY_SPIN);
    /* Upper ends of the ranges. */
    assert_int_equal(parse("instance: x\nrings: {capacity: 16777216, request_capacity: 2}\n"
                           "journal: {md: {capacity: 67108864}}\nheartbeat_period_ms: 10000\n"
                           "synthetic: {rate_per_s: 0, burst: 256}\n"
                           "threads:\n  - {name: t, rt_priority: 99, stages: [synth_sink]}\n"), 0);
    assert_int_equal(cfg.ring_capacity, 1u << 24);
    assert_int_equal(cfg.request_ring_capacity, 2);
    assert_int_equal(cfg.md_journal_capacity, 1u << 26);
    assert_int_equal(cfg.heartbeat_period_ns, 10000ull * 1000000);
    assert_int_equal(cfg.synthetic.rate_per_s, 0);
    assert_int_equal(cfg.threads[0].rt_priority, 99);
    /* Comments and a document marker are fine. */
    assert_int_equal(parse("# header\n---\ninstance: x # trailing\n" T1 "...\n"), 0);
}

static void test_known_stages_and_idle_names(void **state)
{
    (void)state;
    assert_string_equal(tf_config_known_stages[0], "synth_source");
    assert_string_equal(tf_config_known_stages[1], "synth_sink");
    assert_string_equal(tf_config_known_stages[2], "feed");
    assert_string_equal(tf_config_known_stages[3], "strategy");
    assert_string_equal(tf_config_known_stages[4], "algo");
    assert_string_equal(tf_config_known_stages[5], "risk");
    assert_string_equal(tf_config_known_stages[6], "oms");
    assert_string_equal(tf_config_known_stages[7], "paper");
    assert_string_equal(tf_config_known_stages[8], "exio");
    assert_null(tf_config_known_stages[9]);
    assert_int_equal(TF_STAGE_KIND_COUNT, 9);
    assert_string_equal(tf_idle_kind_name(TF_IDLE_BUSY_SPIN), "busy-spin");
    assert_string_equal(tf_idle_kind_name(TF_IDLE_YIELD), "yield");
    assert_string_equal(tf_idle_kind_name(TF_IDLE_BACKOFF), "backoff");
    assert_string_equal(tf_idle_kind_name(TF_IDLE_SPIN), "spin");
    assert_string_equal(tf_idle_kind_name(TF_IDLE_KIND_COUNT), "?");
    assert_string_equal(tf_idle_kind_name((tf_idle_kind)-1), "?");
}

/* The stage table is the one list of stages: every name in it parses to its
 * own kind (whatever the order on the thread), the kind names itself back,
 * and a name not in it is refused with the list of known ones. */
static void test_stage_table(void **state)
{
    (void)state;
#define INS "instruments:\n  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: \"0.01\", lot_size: \"0.00001\"}\n"
    /* Every kind but exio on one thread, in reverse table order; exio on its own. */
    assert_int_equal(parse("instance: x\n" INS "orders: {plugin: s.so}\nthreads:\n"
                           "  - {name: t, stages: [paper, oms, risk, algo, strategy, feed, synth_sink, synth_source]}\n"), 0);
    assert_int_equal(cfg.threads[0].stage_count, 8);
    for (uint32_t k = 0; k < 8; k++) {
        tf_stage_kind want = (tf_stage_kind)(TF_STAGE_PAPER - k);
        assert_int_equal(cfg.threads[0].stages[k], want);
        assert_true(tf_config_has_stage(&cfg, want));
    }
    assert_false(tf_config_has_stage(&cfg, TF_STAGE_EXIO));
    assert_int_equal(parse("instance: x\n" INS "threads:\n  - {name: t, stages: [risk, oms]}\n"
                           "  - {name: v, stages: [exio]}\n"), 0);
    assert_int_equal(cfg.threads[1].stages[0], TF_STAGE_EXIO);
    assert_false(tf_config_has_stage(&cfg, TF_STAGE_PAPER));
#undef INS
    /* Each name alone, checked against the table by index. */
    for (int k = 0; k < TF_STAGE_KIND_COUNT; k++) {
        const char *name = tf_config_known_stages[k];
        assert_string_equal(tf_stage_kind_name((tf_stage_kind)k), name);
        char yaml[256];
        snprintf(yaml, sizeof yaml, "instance: x\nthreads:\n  - name: t\n    stages: [%s]\n", name);
        if (parse(yaml) == 0) { /* the order path's stages come only as a set */
            assert_int_equal(cfg.threads[0].stage_count, 1);
            assert_int_equal(cfg.threads[0].stages[0], k);
        } else {
            assert_null(strstr(err, "unknown stage"));
        }
    }
    assert_string_equal(tf_stage_kind_name(TF_STAGE_KIND_COUNT), "?");
    assert_string_equal(tf_stage_kind_name((tf_stage_kind)-1), "?");
    /* Names are exact: no case folding, no '-' for '_'. */
    expect_error("instance: x\nthreads:\n  - name: t\n    stages: [Feed]\n",
                 "t.yaml:4:14: unknown stage 'Feed' (known: synth_source, synth_sink, feed, strategy, algo, risk, oms, paper, exio)");
    expect_error("instance: x\nthreads:\n  - name: t\n    stages: [synth_sink, synth-source]\n",
                 "t.yaml:4:26: unknown stage 'synth-source' (known: synth_source, synth_sink, feed, strategy, algo, risk, oms, paper, exio)");
    expect_error("instance: x\nthreads:\n  - name: t\n    stages: [\"\"]\n",
                 "t.yaml:4:14: unknown stage '' (known: synth_source, synth_sink, feed, strategy, algo, risk, oms, paper, exio)");
}

/* ---- errors: exact message, line and column -------------------------------- */

static void test_error_keys(void **state)
{
    (void)state;
    expect_error("instance: d\nwatchdog: {stall_ms: 5}\nthreads:\n  - name: t\n    stages: [synth_sink]\n",
                 "t.yaml:2:22: watchdog.stall_ms 5 is out of range (10..600000)");
    expect_error("instance: x\nfoo: 1\n" T1,
                 "t.yaml:2:1: unknown key 'foo' in the top level (known: instance, user, shm, rings, journal, "
                 "heartbeat_period_ms, lock_memory, prefault_memory, synthetic, instruments, feed, bars, validation, "
                 "export, orders, risk, exchange, watchdog, backup, threads)");
    expect_error("instance: x\nthreads:\n  - name: a\n    stages: [synth_source]\n"
                 "  - name: b\n    color: red\n    stages: [synth_sink]\n",
                 "t.yaml:6:5: unknown key 'color' in threads[1] (known: name, cpu, rt_priority, idle, stages)");
    expect_error("instance: x\njournal:\n  trades: {}\n" T1,
                 "t.yaml:3:3: unknown key 'trades' in journal (known: md)");
    expect_error("instance: x\nthreads:\n  - name: t\n    idle: {strategy: yield, naps: 3}\n"
                 "    stages: [synth_sink]\n",
                 "t.yaml:4:29: unknown key 'naps' in threads[0].idle (known: strategy, spins, yields, "
                 "park_min_ns, park_max_ns)");
    expect_error("instance: x\ninstance: y\n" T1,
                 "t.yaml:2:1: duplicate key 'instance' in the top level (first on line 1)");
    expect_error("instance: x\nshm:\n  dir: /a\n  dir: /b\n" T1,
                 "t.yaml:4:3: duplicate key 'dir' in shm (first on line 3)");
    expect_error("? [a]\n: 1\n", "t.yaml:1:3: keys in the top level must be names, got a list");
    expect_error(T1, "t.yaml:1:1: missing required key 'instance' in the top level");
    expect_error("instance: x\n", "t.yaml:1:1: missing required key 'threads' in the top level");
    expect_error("instance: x\nthreads:\n  - cpu: 1\n    stages: [synth_sink]\n",
                 "t.yaml:3:5: missing required key 'name' in threads[0]");
    expect_error("instance: x\nthreads:\n  - name: t\n",
                 "t.yaml:3:5: missing required key 'stages' in threads[0]");
    expect_error("instance: x\nthreads:\n  - name: t\n    idle: {spins: 3}\n    stages: [synth_sink]\n",
                 "t.yaml:4:11: missing required key 'strategy' in threads[0].idle");
}

static void test_error_types(void **state)
{
    (void)state;
    expect_error("", "t.yaml:1:1: the file is empty");
    expect_error("# only a comment\n\n", "t.yaml:1:1: the file is empty");
    expect_error("---\n", "t.yaml:2:1: the file is empty");
    expect_error("- 1\n- 2\n", "t.yaml:1:1: the top level must be a mapping, got a list");
    expect_error("hello\n", "t.yaml:1:1: the top level must be a mapping, got 'hello'");
    expect_error("instance: x\nrings: 5\n" T1, "t.yaml:2:8: rings must be a mapping, got '5'");
    expect_error("instance: x\nshm:\n" T1, "t.yaml:2:5: shm must be a mapping, got nothing");
    expect_error("instance: x\nthreads: 5\n", "t.yaml:2:10: threads must be a list, got '5'");
    expect_error("instance: x\nthreads:\n", "t.yaml:2:9: threads must be a list, got nothing");
    expect_error("instance: x\nthreads: [5]\n", "t.yaml:2:11: threads[0] must be a mapping, got '5'");
    expect_error("instance: [a]\n" T1, "t.yaml:1:11: instance must be a name, got a list");
    expect_error("instance: x\nrings:\n  capacity: lots\n" T1,
                 "t.yaml:3:13: expected an integer for 'capacity', got 'lots'");
    expect_error("instance: x\nrings:\n  capacity: 0x100\n" T1,
                 "t.yaml:3:13: expected an integer for 'capacity', got '0x100'");
    expect_error("instance: x\nthreads:\n  - name: t\n    cpu: abc\n    stages: [synth_sink]\n",
                 "t.yaml:4:10: expected an integer for 'cpu', got 'abc'");
    expect_error("instance: x\nthreads:\n  - name: t\n    cpu: 1.5\n    stages: [synth_sink]\n",
                 "t.yaml:4:10: expected an integer for 'cpu', got '1.5'");
    expect_error("instance: x\nthreads:\n  - name: t\n    cpu:\n    stages: [synth_sink]\n",
                 "t.yaml:4:9: expected an integer for 'cpu', got nothing");
    expect_error("instance: x\nlock_memory: yes\n" T1,
                 "t.yaml:2:14: expected true or false for 'lock_memory', got 'yes'");
    expect_error("instance: x\njournal:\n  md:\n    file: [a]\n" T1,
                 "t.yaml:4:11: expected a path for 'file', got a list");
    expect_error("instance: x\nthreads:\n  - name: t\n    stages: synth_sink\n",
                 "t.yaml:4:13: stages of thread 't' must be a list, got 'synth_sink'");
    expect_error("instance: x\nthreads:\n  - name: t\n    stages: [{a: 1}]\n",
                 "t.yaml:4:14: a stage must be a name, got a mapping");
    expect_error("instance: x\nthreads:\n  - name: t\n    idle: [busy-spin]\n    stages: [synth_sink]\n",
                 "t.yaml:4:11: threads[0].idle must be a strategy name or a mapping, got a list");
    /* An alias is its anchor's node, reported where the anchor is. */
    expect_error("instance: &a x\nthreads: *a\n", "t.yaml:1:11: threads must be a list, got 'x'");
    /* A second document would be ignored silently. */
    expect_error("instance: x\n" T1 "---\ninstance: y\n",
                 "t.yaml:6:1: a second YAML document starts here; a config file holds one");
}

static void test_error_values(void **state)
{
    (void)state;
    expect_error("instance: x\nrings:\n  capacity: 1000\n" T1,
                 "t.yaml:3:13: rings.capacity 1000 is not a power of two");
    expect_error("instance: x\nrings:\n  request_capacity: 3\n" T1,
                 "t.yaml:3:21: rings.request_capacity 3 is not a power of two");
    expect_error("instance: x\nrings:\n  capacity: 1\n" T1,
                 "t.yaml:3:13: rings.capacity 1 is out of range (2..16777216)");
    expect_error("instance: x\nrings:\n  capacity: 33554432\n" T1,
                 "t.yaml:3:13: rings.capacity 33554432 is out of range (2..16777216)");
    expect_error("instance: x\njournal:\n  md:\n    capacity: 8\n" T1,
                 "t.yaml:4:15: journal.md.capacity 8 is out of range (16..67108864)");
    expect_error("instance: x\njournal:\n  md:\n    capacity: 65535\n" T1,
                 "t.yaml:4:15: journal.md.capacity 65535 is not a power of two");
    expect_error("instance: x\nheartbeat_period_ms: 0\n" T1,
                 "t.yaml:2:22: heartbeat_period_ms 0 is out of range (1..10000)");
    expect_error("instance: x\nsynthetic:\n  burst: 1000\n" T1,
                 "t.yaml:3:10: synthetic.burst 1000 is out of range (1..256)");
    expect_error("instance: x\nsynthetic:\n  rate_per_s: -1\n" T1,
                 "t.yaml:3:15: synthetic.rate_per_s -1 is out of range (0..1000000000)");
    expect_error("instance: x\nsynthetic:\n  rate_per_s: 99999999999999999999\n" T1,
                 "t.yaml:3:15: synthetic.rate_per_s 99999999999999999999 is out of range (0..1000000000)");
    expect_error("instance: x\nthreads:\n  - name: t\n    cpu: 99999999999999999999\n    stages: [synth_sink]\n",
                 "t.yaml:4:10: cpu 99999999999999999999 does not exist on this host (CPUs 0..1)");
    expect_error("instance: x\nshm:\n  mode: 077777777777777777777777\n" T1,
                 "t.yaml:3:9: shm.mode 077777777777777777777777 is out of range (at most 0777)");
    expect_error("instance: x\nthreads:\n  - name: t\n    idle: {strategy: [a]}\n    stages: [synth_sink]\n",
                 "t.yaml:4:22: expected one of busy-spin, yield, backoff, spin for 'strategy', got a list");
    expect_error("instance: x\nthreads:\n  - name: t\n    rt_priority: 100\n    stages: [synth_sink]\n",
                 "t.yaml:4:18: threads[0].rt_priority 100 is out of range (0..99)");
    expect_error("instance: x\nthreads:\n  - name: t\n    idle: {strategy: backoff, spins: -1}\n"
                 "    stages: [synth_sink]\n",
                 "t.yaml:4:38: threads[0].idle.spins -1 is out of range (0..1000000000)");
    expect_error("instance: x\nthreads:\n  - name: t\n"
                 "    idle: {strategy: backoff, park_min_ns: 10, park_max_ns: 5}\n    stages: [synth_sink]\n",
                 "t.yaml:4:11: threads[0].idle: park_min_ns 10 is above park_max_ns 5");
    /* park_min_ns above the default park_max_ns. */
    expect_error("instance: x\nthreads:\n  - name: t\n"
                 "    idle: {strategy: backoff, park_min_ns: 2000000}\n    stages: [synth_sink]\n",
                 "t.yaml:4:11: threads[0].idle: park_min_ns 2000000 is above park_max_ns 1000000");
    /* shm */
    expect_error("instance: x\nshm:\n  mode: 0999\n" T1,
                 "t.yaml:3:9: expected an octal mode with a leading 0 (like 0640) for 'mode', got '0999'");
    expect_error("instance: x\nshm:\n  mode: 640\n" T1,
                 "t.yaml:3:9: expected an octal mode with a leading 0 (like 0640) for 'mode', got '640'");
    expect_error("instance: x\nshm:\n  mode: 01640\n" T1,
                 "t.yaml:3:9: shm.mode 01640 is out of range (at most 0777)");
    expect_error("instance: x\nshm:\n  mode: 0444\n" T1,
                 "t.yaml:3:9: shm.mode 0444 must let the owner read and write (0600)");
    expect_error("instance: x\nshm:\n  on_stale: maybe\n" T1,
                 "t.yaml:3:13: unknown on_stale policy 'maybe' (refuse, replace)");
    expect_error("instance: x\nshm:\n  dir: \"\"\n" T1, "t.yaml:3:8: shm.dir must not be empty");
    /* names */
    expect_error("instance: a b\n" T1, "t.yaml:1:11: instance 'a b' may only use A-Z a-z 0-9 _ -");
    expect_error("instance: a/b\n" T1, "t.yaml:1:11: instance 'a/b' may only use A-Z a-z 0-9 _ -");
    expect_error("instance: \"\"\n" T1, "t.yaml:1:11: instance must not be empty");
    expect_error("instance: abcdefghijabcdefghijabcdefghijab\n" T1,
                 "t.yaml:1:11: instance 'abcdefghijabcdefghijabcdefghijab' is too long "
                 "(32 characters, at most 31)");
    expect_error("instance: x\nthreads:\n  - name: the_thread_with_a_name_that_is_too_long\n"
                 "    stages: [synth_sink]\n",
                 "t.yaml:3:11: thread name 'the_thread_with_a_name_that_is_too_long' is too long "
                 "(39 characters, at most 31)");
    char longpath[400];
    snprintf(longpath, sizeof longpath, "instance: x\njournal:\n  md:\n    file: /%0255d\n" T1, 0);
    expect_error(longpath, "t.yaml:4:11: journal.md.file is too long (256 characters, at most 255)");
}

/* ---- market data: instruments, feed, bars, validation -------------------- */

#define FEED_T "threads:\n  - {name: t, stages: [feed]}\n"
#define BTC "instruments:\n  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, " \
            "tick_size: \"0.01\", lot_size: \"0.00001\", min_notional: \"5\"}\n"

static void test_market_data_config(void **state)
{
    (void)state;
    assert_int_equal(parse("instance: x\n" BTC "feed:\n  url: wss://stream.binance.com:9443\n"
                           "  rest_url: https://api.binance.com\n  streams: [trade, depth]\n"
                           "  rotate_after_s: 3600\n  reconnect_min_ms: 50\n  service_every_cycle: true\n  rx_timestamps: true\n"
                           "  transport: lws\n"
                           "bars: {grace_ms: 500, empty: flat, revision_window: 5}\n"
                           "validation: {max_deviation_bps: 200}\n" FEED_T),
                     0);
    assert_int_equal(cfg.instrument_count, 1);
    assert_string_equal(cfg.instruments[0].venue, "binance");
    assert_int_equal(cfg.instruments[0].price_precision, 2);
    assert_int_equal(cfg.instruments[0].qty_precision, 5);
    assert_int_equal(cfg.instruments[0].min_notional, 500);
    assert_int_equal(cfg.instruments[0].max_price, 0);
    assert_int_equal(cfg.feed.streams, (1u << TF_STREAM_TRADE) | (1u << TF_STREAM_DEPTH_1S));
    assert_int_equal(cfg.feed.rotate_after_ns, 3600ull * 1000000000ull);
    assert_true(cfg.feed.service_every_cycle);
    assert_true(cfg.feed.rx_timestamps);
    assert_int_equal(cfg.feed.transport, TF_FEED_TRANSPORT_LWS);
    assert_int_equal(cfg.feed.reconnect_min_ns, 50000000ull);
    assert_int_equal(cfg.feed.reconnect_max_ns, 30000000000ull);
    assert_int_equal(cfg.bars.grace_ns, 500000000ull);
    assert_int_equal(cfg.bars.empty_policy, 1);
    assert_int_equal(cfg.bars.revision_window, 5);
    assert_int_equal(cfg.validation.max_deviation_bps, 200);
}

static void test_market_data_errors(void **state)
{
    (void)state;
    expect_error("instance: x\n" FEED_T,
                 "t.yaml:3:3: the feed stage needs at least one entry in instruments");
    expect_error("instance: x\ninstruments:\n  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, "
                 "tick_size: \"0.001\", lot_size: \"1\"}\n" FEED_T,
                 "t.yaml:3:72: instruments[0].tick_size \"0.001\" has more decimals than its precision (2)");
    expect_error("instance: x\ninstruments:\n  - {symbol: BTC-USDT, price_precision: 2, qty_precision: 5, "
                 "tick_size: \"0.01\", lot_size: \"1\"}\n" FEED_T,
                 "t.yaml:3:14: instruments[0].symbol must be 1..15 letters and digits, got 'BTC-USDT'");
    expect_error("instance: x\ninstruments:\n  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, "
                 "tick_size: 0.01, lot_size: \"0\"}\n" FEED_T,
                 "t.yaml:3:88: instruments[0].lot_size must be above 0");
    expect_error("instance: x\ninstruments:\n  - {symbol: BTCUSDT, price_precision: 13, qty_precision: 5, "
                 "tick_size: \"1\", lot_size: \"1\"}\n" FEED_T,
                 "t.yaml:3:40: instruments[0].price_precision 13 is out of range (0..12)");
    expect_error("instance: x\n" BTC "  - {symbol: btcusdt, price_precision: 2, qty_precision: 5, "
                 "tick_size: \"0.01\", lot_size: \"1\"}\n" FEED_T,
                 "t.yaml:4:14: instrument btcusdt on binance is listed twice (instruments[0] and instruments[1])");
    expect_error("instance: x\n" BTC "feed: {streams: [trade, candles]}\n" FEED_T,
                 "t.yaml:4:25: unknown stream 'candles' in feed.streams (known: trade, aggTrade, bookTicker, "
                 "depth@100ms, depth, kline_1m)");
    expect_error("instance: x\n" BTC "feed: {streams: [depth, depth@100ms]}\n" FEED_T,
                 "t.yaml:4:17: feed.streams: choose one of depth@100ms and depth (both feed the same book)");
    expect_error("instance: x\n" BTC "feed: {transport: curl}\n" FEED_T,
                 "t.yaml:4:19: unknown feed transport 'curl' (uring, lws)");
    expect_error("instance: x\n" BTC "feed: {rx_timestamps: true}\n" FEED_T,
                 "t.yaml:4:7: feed.rx_timestamps reads the kernel's stamps beside libwebsockets' reads: it needs "
                 "feed.transport: lws");
    expect_error("instance: x\n" BTC "feed: {url: http://x}\n" FEED_T,
                 "t.yaml:4:7: feed.url must start with ws:// or wss://, got \"http://x\"");
    expect_error("instance: x\n" BTC "feed: {reconnect_min_ms: 5000, reconnect_max_ms: 100}\n" FEED_T,
                 "t.yaml:4:7: feed.reconnect_min_ms is above feed.reconnect_max_ms");
    expect_error("instance: x\n" BTC "bars: {empty: zero}\n" FEED_T,
                 "t.yaml:4:15: unknown empty-interval policy 'zero' (skip, flat)");
    expect_error("instance: x\n" BTC "bars: {grace_ms: 60000}\n" FEED_T,
                 "t.yaml:4:18: bars.grace_ms 60000 is out of range (0..59000)");
}

static void test_error_layout(void **state)
{
    (void)state;
    expect_error("instance: x\nthreads: []\n", "t.yaml:2:10: threads must list at least one thread");
    expect_error("instance: x\nthreads:\n  - name: t\n    stages: []\n",
                 "t.yaml:4:13: thread 't' has no stages");
    expect_error("instance: x\nthreads:\n  - name: t\n    cpu: 7\n    stages: [synth_sink]\n",
                 "t.yaml:4:10: cpu 7 does not exist on this host (CPUs 0..1)");
    expect_error("instance: x\nthreads:\n  - name: t\n    cpu: 2\n    stages: [synth_sink]\n",
                 "t.yaml:4:10: cpu 2 does not exist on this host (CPUs 0..1)");
    expect_error("instance: x\nthreads:\n  - name: t\n    cpu: -2\n    stages: [synth_sink]\n",
                 "t.yaml:4:10: cpu -2 is out of range (-1 = not pinned, or a CPU number)");
    assert_int_equal(parse_n("instance: x\nthreads:\n  - {name: t, cpu: 15, stages: [synth_sink]}\n", 16), 0);
    assert_int_equal(cfg.threads[0].cpu, 15);
    expect_error("instance: x\nthreads:\n  - name: t\n    stages: [foo]\n",
                 "t.yaml:4:14: unknown stage 'foo' (known: synth_source, synth_sink, feed, strategy, algo, risk, oms, paper, exio)");
    expect_error("instance: x\nthreads:\n"
                 "  - name: hot\n    stages: [synth_source, synth_sink]\n"
                 "  - name: io\n    stages:\n      - synth_sink\n",
                 "t.yaml:7:9: stage 'synth_sink' runs on two threads ('hot' line 4 and 'io' line 7)");
    expect_error("instance: x\nthreads:\n  - name: a\n    stages: [synth_sink,\n      synth_sink]\n",
                 "t.yaml:5:7: stage 'synth_sink' is listed twice on thread 'a' (lines 4 and 5)");
    expect_error("instance: x\nthreads:\n  - name: a\n    stages: [synth_source]\n"
                 "  - name: a\n    stages: [synth_sink]\n",
                 "t.yaml:5:11: thread name 'a' is used twice (threads[0] and threads[1])");

    /* 17 threads and 17 stages: too many, reported at the 17th. */
    char y[4096];
    int n = snprintf(y, sizeof y, "instance: x\nthreads:\n");
    for (int i = 0; i < TF_CFG_MAX_THREADS + 1; i++)
        n += snprintf(y + n, sizeof y - (size_t)n, "  - {name: t%d, stages: [synth_sink]}\n", i);
    expect_error(y, "t.yaml:19:5: too many threads (at most 16)");
    n = snprintf(y, sizeof y, "instance: x\nthreads:\n  - name: t\n    stages:\n");
    for (int i = 0; i < TF_CFG_MAX_STAGES + 1; i++)
        n += snprintf(y + n, sizeof y - (size_t)n, "      - synth_sink\n");
    expect_error(y, "t.yaml:21:9: too many stages on thread 't' (at most 16)");
}

static void test_error_syntax(void **state)
{
    (void)state;
    expect_error("instance: x\n  bad: [\n",
                 "t.yaml:2:6: YAML syntax error: mapping values are not allowed in this context");
    expect_error("instance: \"x\nthreads: []\n",
                 "t.yaml:3:1: YAML syntax error: found unexpected end of stream "
                 "(while scanning a quoted scalar on line 1)");
    expect_error("instance: x\nthreads: [a, b\n",
                 "t.yaml:3:1: YAML syntax error: did not find expected ',' or ']' "
                 "(while parsing a flow sequence on line 2)");
    expect_error("instance: x\n\tthreads: []\n",
                 "t.yaml:2:1: YAML syntax error: found a tab character that violates indentation "
                 "(while scanning a plain scalar on line 1)");
    expect_error("instance: *nope\n", "t.yaml:1:11: YAML syntax error: found undefined alias");
    expect_error("instance: x\nthreads: \xff\n", "t.yaml:2:10: YAML syntax error: "
                 "invalid leading UTF-8 octet (byte 0xff)");
    /* Every syntax error names the file and a position. */
    assert_int_equal(parse("a: [\n"), -1);
    assert_well_formed(err, "t.yaml");
}

/* ---- the API's edges -------------------------------------------------------- */

static void test_failure_leaves_output_alone(void **state)
{
    (void)state;
    tf_config before;
    memset(&cfg, 0x77, sizeof cfg);
    memcpy(&before, &cfg, sizeof before);
    assert_int_equal(parse("instance: x\nthreads:\n  - name: a\n    stages: [synth_source]\n"
                           "  - name: b\n    stages: [nope]\n"), -1);
    assert_memory_equal(&cfg, &before, sizeof cfg);
}

static void test_small_error_buffer(void **state)
{
    (void)state;
    const char *bad = "instance: x\nfoo: 1\n" T1;
    char small[12];
    memset(small, '#', sizeof small);
    assert_int_equal(tf_config_parse(bad, strlen(bad), "t.yaml", 2, &cfg, small, 8), -1);
    assert_string_equal(small, "t.yaml:");
    assert_int_equal(small[8], '#'); /* nothing written past errlen */
    small[0] = '#';
    assert_int_equal(tf_config_parse(bad, strlen(bad), "t.yaml", 2, &cfg, small, 0), -1);
    assert_int_equal(small[0], '#');
}

static void test_load_files(void **state)
{
    (void)state;
    assert_int_equal(tf_config_load("/nonexistent/x.yaml", 2, &cfg, err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent/x.yaml:1:1: cannot open: No such file or directory");
    assert_int_equal(tf_config_load("/", 2, &cfg, err, sizeof err), -1);
    assert_string_equal(err, "/:1:1: cannot read: Is a directory");

    char path[] = "/tmp/tf-test-config.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *y = "instance: file\n" T1;
    assert_int_equal(write(fd, y, strlen(y)), (ssize_t)strlen(y));
    assert_int_equal(tf_config_load(path, 2, &cfg, err, sizeof err), 0);
    assert_string_equal(cfg.instance, "file");
    assert_string_equal(cfg.source_file, path);
    assert_int_equal(write(fd, "bogus: 1\n", 9), 9);
    assert_int_equal(tf_config_load(path, 2, &cfg, err, sizeof err), -1);
    char want[128];
    snprintf(want, sizeof want, "%s:5:1: unknown key 'bogus' in the top level", path);
    assert_int_equal(strncmp(err, want, strlen(want)), 0);
    close(fd);
    unlink(path);
}

/* ---- the shipped environment files ----------------------------------------- */

static void load_env(const char *env, int ncpus)
{
    char path[128];
    snprintf(path, sizeof path, "tuning/environments/%s.yaml", env);
    if (tf_config_load(path, ncpus, &cfg, err, sizeof err) != 0)
        fail_msg("%s with %d CPUs: %s", path, ncpus, err);
    assert_string_equal(cfg.source_file, path);
}

static void assert_thread(const tf_cfg_thread *t, const char *name, int cpu, int prio,
                          tf_idle_kind idle, const char *stage0, const char *stage1)
{
    assert_string_equal(t->name, name);
    assert_int_equal(t->cpu, cpu);
    assert_int_equal(t->rt_priority, prio);
    assert_int_equal(t->idle.kind, idle);
    if (strcmp(stage0, "feed") != 0 || stage1)
        assert_true(t->stage_count >= (stage1 ? 2u : 1u));
    assert_string_equal(tf_stage_kind_name(t->stages[0]), stage0);
    if (stage1)
        assert_string_equal(tf_stage_kind_name(t->stages[1]), stage1);
}

static void test_env_development(void **state)
{
    (void)state;
    load_env("development", 2);
    assert_string_equal(cfg.instance, "dev");
    assert_int_equal(cfg.thread_count, 1);
    assert_thread(&cfg.threads[0], "hot", 1, 0, TF_IDLE_BACKOFF, "feed", NULL);
    assert_int_equal(cfg.threads[0].stage_count, 6); /* feed, strategy, algo, risk, oms, exio */
    assert_string_equal(cfg.orders.plugin, "build/lib/sample_strategy.so");
    assert_int_equal(cfg.md_journal_capacity, 1u << 20);
    assert_int_equal(cfg.instrument_count, 3);
    assert_string_equal(cfg.instruments[0].symbol, "BTCUSDT");
    assert_int_equal(cfg.instruments[0].tick_size, 1);
    assert_int_equal(cfg.instruments[0].lot_size, 1);
    assert_int_equal(cfg.instruments[0].min_notional, 500);
    assert_string_equal(cfg.feed.url, "ws://127.0.0.1:9443");
    assert_string_equal(cfg.md_journal_file, "");
}

/* The order path's sections: defaults, decimals to units, errors. */
static void test_order_config(void **state)
{
    (void)state;
#define INS "instruments:\n  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: \"0.01\", lot_size: \"0.00001\"}\n"
#define OP "threads:\n  - {name: t, stages: [risk, oms, paper]}\n"
    assert_int_equal(parse("instance: x\n" INS OP), 0);
    assert_int_equal(cfg.orders.capacity, 16384);
    assert_string_equal(cfg.orders.id_file, "run/x/order_ids");
    assert_int_equal(cfg.orders.maker_fee_cbps, 1000); /* "10" bps in hundredths */
    assert_int_equal(cfg.risk.state, 0);
    assert_int_equal(cfg.risk.duplicate_count, 5);
    assert_int_equal(parse("instance: x\n" INS
                           "orders: {maker_fee_bps: \"7.5\", taker_fee_bps: \"0\", capacity: 64}\n"
                           "risk:\n  state: reducing\n  max_gross_exposure: \"1000.5\"\n"
                           "  instruments: [{symbol: btcusdt, max_order_qty: \"0.5\", max_order_notional: \"100\", collar_bps: 50}]\n"
                           "  strategies: [{id: 3, name: s3, max_open_orders: 7, daily_loss_limit: \"12.25\"}]\n" OP), 0);
    assert_int_equal(cfg.orders.maker_fee_cbps, 750);
    assert_int_equal(cfg.risk.state, 1);
    assert_int_equal(cfg.risk.max_gross_exposure, 100050000000ll);
    assert_int_equal(cfg.risk.instruments[0].max_order_qty, 50000);
    assert_int_equal(cfg.risk.instruments[0].max_order_notional, 10000000000ll);
    assert_int_equal(cfg.risk.instruments[0].collar_bps, 50);
    assert_int_equal(cfg.risk.strategies[0].id, 3);
    assert_int_equal(cfg.risk.strategies[0].daily_loss_limit, 1225000000ll);
    expect_error("instance: x\n" INS "threads:\n  - {name: t, stages: [oms, paper]}\n",
                 "t.yaml:5:3: the order path needs the stages risk, oms and a venue (paper or exio) together "
                 "(every order passes the risk gate; the OMS needs a venue)");
    expect_error("instance: x\n" INS "threads:\n  - {name: t, stages: [strategy, risk, oms, paper]}\n",
                 "t.yaml:5:3: the strategy stage needs orders.plugin (a shared object)");
    expect_error("instance: x\n" INS "risk:\n  instruments: [{symbol: ETHUSDT}]\n" OP,
                 "t.yaml:5:26: risk.instruments[0].symbol ETHUSDT is not in instruments");
    expect_error("instance: x\n" INS "risk:\n  instruments: [{symbol: BTCUSDT, max_order_qty: \"0.000001\"}]\n" OP,
                 "t.yaml:5:50: risk.instruments[0].max_order_qty \"0.000001\" has more decimals than its precision (5)");
    expect_error("instance: x\n" INS "risk:\n  strategies: [{id: 1, name: a}, {id: 1, name: b}]\n" OP,
                 "t.yaml:5:39: risk.strategies[1]: strategy id 1 is listed twice");
    expect_error("instance: x\n" INS "risk:\n  strategies: [{id: 16, name: a}]\n" OP,
                 "t.yaml:5:21: risk.strategies[0].id 16 is out of range (1..15)");
    expect_error("instance: x\n" INS "risk: {state: paused}\n" OP,
                 "t.yaml:4:15: unknown trading state 'paused' (active, reducing, halted)");
#undef INS
#undef OP
}

/* The exchange I/O stage's section: defaults, values, errors. */
static void test_exchange_config(void **state)
{
    (void)state;
#define INS "instruments:\n  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: \"0.01\", lot_size: \"0.00001\"}\n"
#define XP "threads:\n  - {name: t, stages: [risk, oms, exio]}\n"
    assert_int_equal(parse("instance: x\n" INS XP), 0);
    const tf_cfg_exchange *x = &cfg.exchange;
    assert_string_equal(x->host, "127.0.0.1");
    assert_int_equal(x->port, 9878);
    assert_string_equal(x->sender_comp_id, "TRADEFAN");
    assert_string_equal(x->target_comp_id, "TFSIM");
    assert_int_equal(x->sessions, 1);
    assert_int_equal(x->heartbeat_s, 30);
    assert_string_equal(x->store_dir, "run/x/fix");
    assert_true(x->resend_orders && x->tls_verify && !x->tls && !x->sqpoll);
    assert_int_equal(x->replace, TF_REPLACE_NATIVE);
    assert_int_equal(x->profile, TF_PROFILE_FIX44);
    assert_int_equal(x->resend_order_max_age_ns, 1000000000ull);
    assert_int_equal(parse("instance: x\n" INS
                           "exchange: {host: 10.0.0.7, port: 9000, sender_comp_id: ME, target_comp_id: SPOT,\n"
                           "           username: key, password: {env: TF_FIX_PW}, sessions: 3, spread: by_instrument,\n"
                           "           replace: cancel_new, messages_per_s: 10, tls: true, tls_server_name: fix.example,\n"
                           "           reconnect_min_ms: 5, reconnect_max_ms: 500, cancel_on_disconnect: true,\n"
                           "           profile: tfsim, resend_order_max_age_ms: 500, trace_file: /tmp/t.trace}\n" XP), 0);
    assert_string_equal(x->trace_file, "/tmp/t.trace");
    assert_int_equal(x->profile, TF_PROFILE_TFSIM);
    assert_int_equal(x->resend_order_max_age_ns, 500000000ull);
    assert_int_equal(x->resend_cancel_max_age_ns, 10000000000ull);
    assert_string_equal(x->host, "10.0.0.7");
    assert_int_equal(x->sessions, 3);
    assert_int_equal(x->spread, TF_SPREAD_BY_INSTRUMENT);
    assert_int_equal(x->replace, TF_REPLACE_CANCEL_NEW);
    assert_int_equal(x->messages_per_s, 10);
    assert_int_equal(x->message_burst, 10); /* defaults to the rate */
    assert_int_equal(x->reconnect_min_ns, 5000000);
    assert_string_equal(x->password.env, "TF_FIX_PW");
    assert_true(x->tls && x->cancel_on_disconnect);
    expect_error("instance: x\n" INS "threads:\n  - {name: t, stages: [risk, oms, paper, exio]}\n",
                 "t.yaml:5:3: one venue stage: paper (dry run) or exio (FIX to the exchange), not both");
    assert_int_equal(parse("instance: x\n" INS "exchange: {host: fix-oe.binance.com, port: 9000}\n" XP), 0);
    assert_string_equal(x->host, "fix-oe.binance.com");
    expect_error("instance: x\n" INS "exchange: {logon: ed25519}\n" XP,
                 "t.yaml:4:11: exchange.logon ed25519 needs exchange.key_file (a PEM private key)");
    expect_error("instance: x\n" INS "exchange: {reconnect_min_ms: 10, reconnect_max_ms: 5}\n" XP,
                 "t.yaml:4:11: exchange.reconnect_min_ms is above exchange.reconnect_max_ms");
    expect_error("instance: x\n" INS "exchange: {sessions: 9}\n" XP,
                 "t.yaml:4:22: exchange.sessions 9 is out of range (1..8)");
    /* Venue profiles: what we would send must be in the venue's dictionary. */
    expect_error("instance: x\n" INS "exchange: {cancel_on_disconnect: true}\n" XP,
                 "t.yaml:4:11: exchange.cancel_on_disconnect sends tag 8013 (CancelOrdersOnDisconnect), which venue "
                 "profile fix44 does not accept (coinbase and tfsim do)");
    assert_int_equal(parse("instance: x\n" INS "exchange: {cancel_on_disconnect: true, profile: coinbase}\n" XP), 0);
    expect_error("instance: x\n" INS "exchange: {replace: cancel_new, profile: coinbase}\n" XP,
                 "t.yaml:4:11: exchange.replace cancel_new sends Binance's XCN message and tags 25033/25034, which "
                 "venue profile coinbase does not accept (binance and tfsim do)");
    expect_error("instance: x\n" INS "exchange: {logon: ed25519, key_file: k.pem}\n" XP,
                 "t.yaml:4:11: exchange.logon ed25519 sends Binance's tag 25035, which venue profile fix44 does not "
                 "accept (binance and tfsim do)");
    /* The key file must exist and be private when the config is read
     * (test_config_secrets.c has the refusals). */
    char kdir[] = "/tmp/tf-cfg-key.XXXXXX", kyaml[512];
    assert_non_null(mkdtemp(kdir));
    char kpath[64];
    snprintf(kpath, sizeof kpath, "%s/k.pem", kdir);
    FILE *kf = fopen(kpath, "w");
    assert_non_null(kf);
    fclose(kf);
    assert_int_equal(chmod(kpath, 0600), 0);
    snprintf(kyaml, sizeof kyaml, "instance: x\n" INS "exchange: {logon: ed25519, key_file: %s, replace: cancel_new, "
             "profile: binance}\n" XP, kpath);
    assert_int_equal(parse(kyaml), 0);
    unlink(kpath);
    rmdir(kdir);
    assert_int_equal(parse("instance: x\n" INS
                           "exchange: {schedule: {start: \"17:00\", end: \"16:55\", time_zone: America/New_York}}\n" XP),
                     0);
    assert_string_equal(x->schedule_zone, "America/New_York");
    assert_int_equal(parse("instance: x\n" INS "exchange: {schedule: {start: \"25:00\", end: \"16:55\"}}\n" XP), -1);
    assert_non_null(strstr(err, "t.yaml:4:22: exchange.schedule: "));
    assert_non_null(strstr(err, "25:00"));
    assert_int_equal(parse("instance: x\n" INS
                           "exchange: {schedule: {start: \"09:00\", end: \"17:00\", time_zone: Mars/Base}}\n" XP), -1);
    assert_non_null(strstr(err, "Mars/Base"));
    expect_error("instance: x\n" INS "exchange: {profile: nyse}\n" XP,
                 "t.yaml:4:21: unknown venue profile 'nyse' (fix44, coinbase, binance, tfsim)");
    expect_error("instance: x\n" INS "exchange: {replace: amend}\n" XP,
                 "t.yaml:4:21: unknown replace 'amend' (native, cancel_new)");
    /* Native icebergs: asked by orders.algo_iceberg, only where the venue takes them. */
    assert_int_equal(x->iceberg, TF_ICEBERG_NONE);
    assert_int_equal(cfg.orders.algo_iceberg, TF_ALGO_ICEBERG_ENGINE);
    assert_int_equal(parse("instance: x\n" INS "exchange: {iceberg: max_floor}\norders: {algo_iceberg: native}\n" XP), 0);
    assert_int_equal(x->iceberg, TF_ICEBERG_MAX_FLOOR);
    assert_int_equal(cfg.orders.algo_iceberg, TF_ALGO_ICEBERG_NATIVE);
    expect_error("instance: x\n" INS "orders: {algo_iceberg: native}\n" XP,
                 "t.yaml:4:9: orders.algo_iceberg native asks the venue for its own icebergs: it needs the exio stage "
                 "and exchange.iceberg max_floor (the venue's word that it takes them)");
    expect_error("instance: x\n" INS "exchange: {iceberg: max_floor}\norders: {algo_iceberg: native}\n"
                 "threads:\n  - {name: t, stages: [risk, oms, paper]}\n",
                 "t.yaml:5:9: orders.algo_iceberg native asks the venue for its own icebergs: it needs the exio stage "
                 "and exchange.iceberg max_floor (the venue's word that it takes them)");
    expect_error("instance: x\n" INS "exchange: {iceberg: display}\n" XP,
                 "t.yaml:4:21: unknown iceberg 'display' (none, max_floor)");
#undef INS
#undef XP
}

/* The exporters' and query server's section: defaults, values, errors. */
static void test_export_config(void **state)
{
    (void)state;
    assert_int_equal(parse("instance: x\n" T1), 0);
    const tf_cfg_export *ex = &cfg.export_;
    assert_string_equal(ex->run_dir, "run/x");
    assert_true(ex->influx.enabled && ex->influx.local && ex->influx.gzip && ex->influx.create_database);
    assert_string_equal(ex->influx.url, "http://127.0.0.1:8086");
    assert_string_equal(ex->influx.database, "tradefan");
    assert_int_equal(ex->influx.precision, TF_INFLUX_NS);
    assert_int_equal(ex->influx.batch_points, 5000);
    assert_int_equal(ex->redis.port, 6379);
    assert_int_equal(ex->redis.pipeline, 256);
    assert_int_equal(ex->query.port, 8080);
    assert_string_equal(ex->query.bind, "127.0.0.1");
    assert_int_equal(parse("instance: x\nexport:\n  run_dir: /tmp/r\n"
                           "  influx: {url: \"https://db:8086\", database: md, retention_policy: week,\n"
                           "           username: u, password: {env: TF_PW}, precision: ms, batch_points: 7,\n"
                           "           batch_ms: 3, gzip: false, top_sample_ms: 0}\n"
                           "  redis: {host: r.example, port: 7000, db: 2, password: {file: /etc/pw}, pipeline: 9}\n"
                           "  query: {bind: 0.0.0.0, port: 0, token: {env: TOK}, cache_bytes: 1024}\n" T1), 0);
    assert_string_equal(ex->run_dir, "/tmp/r");
    assert_string_equal(ex->influx.retention_policy, "week");
    assert_string_equal(ex->influx.password.env, "TF_PW");
    assert_int_equal(ex->influx.precision, TF_INFLUX_MS);
    assert_int_equal(ex->influx.batch_ns, 3000000);
    assert_false(ex->influx.gzip);
    assert_int_equal(ex->influx.top_sample_ns, 0);
    assert_string_equal(ex->redis.host, "r.example");
    assert_int_equal(ex->redis.db, 2);
    assert_string_equal(ex->redis.password.file, "/etc/pw");
    assert_int_equal(ex->query.port, 0);
    assert_string_equal(ex->query.token.env, "TOK");
    assert_int_equal(ex->query.cache_bytes, 1024);

    expect_error("instance: x\nexport: {influx: {precision: h}}\n" T1,
                 "t.yaml:2:30: unknown precision 'h' (ns, u, ms, s)");
    expect_error("instance: x\nexport: {influx: {url: \"udp://x\"}}\n" T1,
                 "t.yaml:2:9: export.influx.url must start with http:// or https://, got \"udp://x\"");
    expect_error("instance: x\nexport: {redis: {port: 70000}}\n" T1,
                 "t.yaml:2:24: export.redis.port 70000 is out of range (1..65535)");
    expect_error("instance: x\nexport: {influx: {password: {file: /a, env: B}}}\n" T1,
                 "t.yaml:2:9: export.influx.password: give file or env, not both");
    expect_error("instance: x\nexport: {influx: {password: hunter2}}\n" T1,
                 "t.yaml:2:29: export.influx.password must be a mapping, got 'hunter2'");
    expect_error("instance: x\nexport: {influx: {batch_points: 0}}\n" T1,
                 "t.yaml:2:33: export.influx.batch_points 0 is out of range (1..1000000)");
    expect_error("instance: x\nexport: {redis: {retry_min_ms: 50, retry_max_ms: 10}}\n" T1,
                 "t.yaml:2:9: export.redis.retry_min_ms is above export.redis.retry_max_ms");
    expect_error("instance: x\nexport: {redis: {cluster: true, local: false, db: 2}}\n" T1,
                 "t.yaml:2:9: export.redis.db is 2 but a Redis Cluster has only database 0 "
                 "(export.redis.cluster is true)");
    expect_error("instance: x\nexport: {redis: {cluster: true}}\n" T1,
                 "t.yaml:2:9: export.redis.cluster needs export.redis.local false: the supervisor starts one "
                 "Redis, not a cluster");
    expect_error("instance: x\nexport: {influx: {downsample: true, raw_days: 30, bars_days: 7}}\n" T1,
                 "t.yaml:2:9: export.influx.bars_days (7) is shorter than raw_days (30): the bars would go "
                 "before the raw data they are made of");
    expect_error("instance: x\nexport: {influx: {downsample: true, retention_policy: one_year}}\n" T1,
                 "t.yaml:2:9: export.influx.downsample chooses the retention policies (tf_raw, tf_bars, autogen): "
                 "remove export.influx.retention_policy \"one_year\"");
    expect_error("instance: x\nexport: {influx: {raw_days: 0}}\n" T1,
                 "t.yaml:2:29: export.influx.raw_days 0 is out of range (1..36500)");
}

static void test_env_testing(void **state)
{
    (void)state;
    load_env("testing", 2);
    assert_string_equal(cfg.instance, "test");
    assert_int_equal(cfg.thread_count, 1);
    assert_thread(&cfg.threads[0], "hot", -1, 0, TF_IDLE_BACKOFF, "feed", NULL);
    assert_int_equal(cfg.ring_capacity, 1024);
    assert_int_equal(cfg.md_journal_capacity, 65536);
    assert_string_equal(cfg.md_journal_file, "");
    assert_int_equal(cfg.instrument_count, 2);
    assert_string_equal(cfg.feed.url, "ws://127.0.0.1:9443");
}

static void test_env_staging(void **state)
{
    (void)state;
    load_env("staging", 16);
    assert_string_equal(cfg.instance, "staging");
    assert_int_equal(cfg.thread_count, 3);
    assert_thread(&cfg.threads[0], "feed", 2, 0, TF_IDLE_BUSY_SPIN, "feed", NULL);
    assert_thread(&cfg.threads[1], "order", 3, 0, TF_IDLE_BUSY_SPIN, "algo", "risk");
    assert_string_equal(tf_stage_kind_name(cfg.threads[1].stages[2]), "oms");
    assert_thread(&cfg.threads[2], "venue", 4, 0, TF_IDLE_BUSY_SPIN, "paper", NULL);
    assert_int_equal(cfg.risk.state, TF_TS_REDUCING);
    assert_string_equal(cfg.feed.url, "wss://stream.binance.com:9443");
    assert_int_equal(cfg.bars.empty_policy, TF_BAR_EMPTY_FLAT);
    assert_string_equal(cfg.md_journal_file, "/var/lib/tradefan/staging/md.journal");
}

static void test_env_production(void **state)
{
    (void)state;
    load_env("production", 16);
    assert_string_equal(cfg.instance, "prod");
    assert_int_equal(cfg.on_stale, TF_STALE_REFUSE);
    assert_int_equal(cfg.thread_count, 3);
    assert_thread(&cfg.threads[0], "feed", 4, 10, TF_IDLE_BUSY_SPIN, "feed", NULL);
    assert_thread(&cfg.threads[1], "order", 5, 10, TF_IDLE_BUSY_SPIN, "algo", "risk");
    assert_string_equal(tf_stage_kind_name(cfg.threads[1].stages[2]), "oms");
    assert_thread(&cfg.threads[2], "venue", 6, 10, TF_IDLE_BUSY_SPIN, "paper", NULL);
    assert_string_equal(cfg.orders.journal_file, "/var/lib/tradefan/prod/orders.journal");
    assert_int_equal(cfg.risk.max_gross_exposure, 100000ll * 100000000);
    assert_string_equal(cfg.feed.rest_url, "https://api.binance.com");
    assert_string_equal(cfg.md_journal_file, "/var/lib/tradefan/prod/md.journal");
    assert_true(cfg.export_.influx.downsample);
    assert_int_equal(cfg.export_.influx.raw_days, 30);
    assert_int_equal(cfg.export_.influx.bars_days, 0);

    /* On a 2-CPU host the layout is impossible, and the message points at the first cpu. */
    const char *path = "tuning/environments/production.yaml";
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256];
    int lineno = 0, cpu_line = 0;
    while (!cpu_line && fgets(line, sizeof line, f)) {
        lineno++;
        if (strstr(line, "cpu: 4"))
            cpu_line = lineno;
    }
    fclose(f);
    assert_true(cpu_line > 0);
    char want[160];
    snprintf(want, sizeof want, "%s:%d:10: cpu 4 does not exist on this host (CPUs 0..1)", path, cpu_line);
    assert_int_equal(tf_config_load(path, 2, &cfg, err, sizeof err), -1);
    assert_string_equal(err, want);
}

/* ---- no crash on anything ----------------------------------------------------- */

/* Parse exactly `len` bytes from a heap copy (so ASan sees any over-read). */
static int parse_exact(const char *bytes, size_t len)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, bytes, len);
    err[0] = 0;
    int rc = tf_config_parse(copy, len, "p.yaml", 2, &cfg, err, sizeof err);
    free(copy);
    if (rc != 0) {
        assert_int_equal(rc, -1);
        assert_well_formed(err, "p.yaml");
    }
    return rc;
}

static const char valid_doc[] =
    "instance: dev\nshm:\n  dir: /dev/shm\n  mode: 0640\n  on_stale: refuse\n"
    "rings:\n  capacity: 4096\n  request_capacity: 1024\n"
    "journal:\n  md:\n    capacity: 65536\n    file: \"\"\n"
    "heartbeat_period_ms: 100\nlock_memory: false\n"
    "synthetic: {rate_per_s: 10, burst: 8}\n"
    "threads:\n  - name: hot\n    cpu: 1\n    rt_priority: 0\n"
    "    idle: &i {strategy: backoff, spins: 1, yields: 2, park_min_ns: 3, park_max_ns: 4}\n"
    "    stages: [synth_source]\n"
    "  - name: io\n    idle: *i\n    stages:\n      - synth_sink\n";

static void test_every_prefix(void **state)
{
    (void)state;
    size_t n = sizeof valid_doc - 1;
    int ok = 0;
    for (size_t len = 0; len <= n; len++)
        ok += parse_exact(valid_doc, len) == 0;
    assert_true(ok >= 1);
    assert_int_equal(parse_exact(valid_doc, n), 0);
}

static uint32_t rnd(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 16;
}

static void test_garbage_and_mutations(void **state)
{
    (void)state;
    static const char alphabet[] = "ab:- \n\t{}[],&*!|>'\"#%@?0123456789~\xff\xc3";
    char buf[512];
    uint32_t s = 12345;
    for (int round = 0; round < 2000; round++) {
        size_t len = rnd(&s) % sizeof buf;
        for (size_t i = 0; i < len; i++)
            buf[i] = alphabet[rnd(&s) % (sizeof alphabet - 1)];
        parse_exact(buf, len);
    }
    size_t n = sizeof valid_doc - 1;
    for (int round = 0; round < 3000; round++) {
        memcpy(buf, valid_doc, n);
        for (int k = 1 + (int)(rnd(&s) % 3); k > 0; k--) {
            size_t at = rnd(&s) % n;
            buf[at] = alphabet[rnd(&s) % (sizeof alphabet - 1)];
        }
        parse_exact(buf, n);
    }
    /* Odd but legal shapes: aliases to the root, deep nesting, NULs. */
    const char *odd[] = {
        "&r {instance: x, threads: *r}",
        "&r [*r]",
        "instance: &a x\nthreads: [*a, *a]\n",
        "instance: x\nthreads: &t [{name: a, stages: [synth_source]}]\nshm: *t\n",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "!!map {? !!str instance : !!str x}",
        "instance: x\nthreads:\n  - name: t\n    stages: [synth_sink]\n    idle: {strategy: [a]}\n",
        "%YAML 1.1\n---\ninstance: x\n",
        "%YAML 9.9\n---\n",
    };
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
        assert_int_equal(parse_exact(odd[i], strlen(odd[i])), -1);
    assert_int_equal(parse_exact("instance: x\0threads: []\n", 24), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_config),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_value_forms),
        cmocka_unit_test(test_known_stages_and_idle_names),
        cmocka_unit_test(test_stage_table),
        cmocka_unit_test(test_error_keys),
        cmocka_unit_test(test_error_types),
        cmocka_unit_test(test_error_values),
        cmocka_unit_test(test_error_layout),
        cmocka_unit_test(test_error_syntax),
        cmocka_unit_test(test_failure_leaves_output_alone),
        cmocka_unit_test(test_small_error_buffer),
        cmocka_unit_test(test_load_files),
        cmocka_unit_test(test_env_development),
        cmocka_unit_test(test_market_data_config),
        cmocka_unit_test(test_market_data_errors),
        cmocka_unit_test(test_export_config),
        cmocka_unit_test(test_order_config),
        cmocka_unit_test(test_exchange_config),
        cmocka_unit_test(test_env_testing),
        cmocka_unit_test(test_env_staging),
        cmocka_unit_test(test_env_production),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_garbage_and_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

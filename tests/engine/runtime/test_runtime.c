/* Stage runtime and engine lifecycle: idle strategies, agent threads
 * (pinning, duty cycle stats, drain at stop), the whole engine start/stop
 * cycle through real segments, a second engine on a live instance, a
 * crashed engine's segments, and a disk-backed journal across restarts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/runtime/idle.h"
#include "engine/runtime/thread.h"
#include "shm/err.h"
#include "shm/records.h"
#include "shm/door.h"
#include "tests/test_util.h"

/* ---- helpers -------------------------------------------------------------- */

static int setup_dir(void **state)
{
    (void)state;
    return test_dir_make("tf-test-runtime");
}

static void base_config(tf_config *c, const char *instance)
{
    memset(c, 0, sizeof *c);
    snprintf(c->source_file, sizeof c->source_file, "test_runtime");
    snprintf(c->instance, sizeof c->instance, "%s", instance);
    snprintf(c->shm_dir, sizeof c->shm_dir, "%s", test_dir);
    c->shm_mode = 0640;
    c->on_stale = TF_STALE_REFUSE;
    c->ring_capacity = 1024;
    c->request_ring_capacity = 64;
    c->md_journal_capacity = 1u << 16;
    c->heartbeat_period_ns = 100000000;
    c->synthetic.rate_per_s = 200000;
    c->synthetic.burst = 64;
    c->thread_count = 2;
    tf_cfg_thread *t = &c->threads[0];
    snprintf(t->name, sizeof t->name, "src");
    t->cpu = -1;
    t->idle = (tf_cfg_idle){.kind = TF_IDLE_BACKOFF, .spins = 10, .yields = 5,
                            .park_min_ns = 1000, .park_max_ns = 100000};
    t->stage_count = 1;
    t->stages[0] = TF_STAGE_SYNTH_SOURCE;
    t = &c->threads[1];
    snprintf(t->name, sizeof t->name, "sink");
    t->cpu = -1;
    t->idle = c->threads[0].idle;
    t->stage_count = 1;
    t->stages[0] = TF_STAGE_SYNTH_SINK;
}

static uint64_t counter(const tf_engine *e, const char *name)
{
    const tf_stats_dir *d = e->stats.dir;
    for (uint32_t i = 0; i < d->counter_count; i++)
        if (strcmp(d->counters[i].name, name) == 0)
            return tf_stats_value(&e->stats, i);
    fail_msg("no counter %s", name);
    return 0;
}

static void sleep_ms(unsigned ms) { usleep(ms * 1000u); }

/* ---- idle strategies ------------------------------------------------------- */

static void test_backoff_parks_then_resets(void **state)
{
    (void)state;
    tf_cfg_idle cfg = {.kind = TF_IDLE_BACKOFF, .spins = 3, .yields = 2,
                       .park_min_ns = 1000, .park_max_ns = 4000};
    tf_idle s;
    tf_idle_init(&s, &cfg);
    for (int i = 0; i < 5; i++)
        tf_idle_after(&s, 0);
    assert_int_equal(s.parks, 0); /* 3 spins + 2 yields */
    tf_idle_after(&s, 0);
    assert_int_equal(s.parks, 1);
    assert_int_equal(s.park_ns, 2000);
    tf_idle_after(&s, 0);
    tf_idle_after(&s, 0);
    assert_int_equal(s.park_ns, 4000); /* capped */
    tf_idle_after(&s, 1);
    assert_int_equal(s.streak, 0);
    assert_int_equal(s.park_ns, 1000);
}

/* ---- agent threads ---------------------------------------------------------- */

typedef struct counting_stage {
    uint64_t polls;
    uint64_t drains;
    uint64_t budget; /* work still to hand out when draining */
} counting_stage;

static int counting_poll(tf_stage *s, uint64_t now)
{
    (void)now;
    counting_stage *c = s->ctx;
    c->polls++;
    return (c->polls % 2) ? 1 : 0;
}

static int counting_drain(tf_stage *s, uint64_t now)
{
    (void)now;
    counting_stage *c = s->ctx;
    c->drains++;
    if (c->budget) {
        c->budget--;
        return 1;
    }
    return 0;
}

static void test_thread_runs_stages_and_drains(void **state)
{
    (void)state;
    static tf_thread_stats tstats;
    static tf_stage_stats sstats[2];
    static tf_errlog_block errs[2];
    memset(&tstats, 0, sizeof tstats);
    counting_stage cs[2] = {{.budget = 5}, {.budget = 0}};
    tf_stage stages[2];
    memset(stages, 0, sizeof stages);
    tf_run_control ctl = {.running = 1, .drain_deadline_ns = UINT64_MAX};
    tf_agent_thread t;
    memset(&t, 0, sizeof t);
    snprintf(t.name, sizeof t.name, "t-test");
    t.cpu = 0;
    tf_cfg_idle idle = {.kind = TF_IDLE_YIELD};
    tf_idle_init(&t.idle, &idle);
    t.stats = &tstats;
    t.control = &ctl;
    for (int i = 0; i < 2; i++) {
        stages[i].poll = counting_poll;
        stages[i].drain = counting_drain;
        stages[i].ctx = &cs[i];
        stages[i].stats = &sstats[i];
        stages[i].errors = &errs[i];
        stages[i].drain_bit = 1u << i;
        stages[i].upstream_mask = (1u << i) - 1; /* stage 1 is downstream of stage 0 */
        t.stages[t.stage_count++] = &stages[i];
    }
    assert_int_equal(tf_agent_thread_start(&t), 0);
    sleep_ms(50);
    tf_store_release_32(&ctl.running, 0);
    tf_agent_thread_join(&t);

    assert_true(tstats.loops > 10);
    assert_true(tstats.loops_with_work > 0);
    assert_true(tstats.heartbeat_ns > 0);
    assert_true(tstats.tid > 0);
    assert_int_equal(sstats[0].polls >= cs[0].polls, 1);
    assert_int_equal(cs[0].budget, 0);       /* drained to the end */
    assert_true(cs[1].drains >= 1);
    assert_int_equal(ctl.drained, 3); /* both stages report drained */
}

static int noop_poll(tf_stage *s, uint64_t now)
{
    (void)s;
    (void)now;
    return 0;
}

static void test_thread_bad_cpu_fails_with_message(void **state)
{
    (void)state;
    static tf_thread_stats tstats;
    static tf_stage_stats sstats;
    tf_stage st = {.poll = noop_poll, .stats = &sstats};
    tf_run_control ctl = {.running = 1, .drain_deadline_ns = UINT64_MAX};
    tf_agent_thread t;
    memset(&t, 0, sizeof t);
    snprintf(t.name, sizeof t.name, "badcpu");
    t.cpu = 1000;
    t.stats = &tstats;
    t.control = &ctl;
    t.stages[t.stage_count++] = &st;
    assert_int_equal(tf_agent_thread_start(&t), -1);
    assert_non_null(strstr(tf_err_msg(), "pin to cpu 1000"));
}

/* ---- the whole engine -------------------------------------------------------- */

static void test_engine_start_stop_loses_nothing(void **state)
{
    (void)state;
    char inst[32];
    snprintf(inst, sizeof inst, "rt%d", (int)getpid());
    static tf_config cfg;
    base_config(&cfg, inst);
    tf_engine *e = calloc(1, sizeof *e);
    assert_non_null(e);
    if (tf_engine_open(e, &cfg) != 0)
        fail_msg("tf_engine_open: %s", tf_err_msg());
    assert_int_equal(tf_engine_start(e), 0);
    for (int i = 0; i < 5; i++) {
        tf_engine_tick(e, tf_now_ns());
        sleep_ms(60);
    }
    tf_engine_stop(e);

    uint64_t generated = counter(e, "synth_generated");
    uint64_t received = counter(e, "synth_received");
    assert_true(generated > 1000);
    assert_int_equal(received, generated);             /* drained at stop */
    assert_int_equal(counter(e, "synth_seq_gaps"), 0);
    assert_int_equal(tf_ring_depth(&e->synth_ring), 0);
    /* start event + every tick + stop event */
    assert_int_equal(e->md.desc->head, received + 2);
    tf_engine_close(e);

    /* Tools see a cleanly closed engine. */
    char path[256];
    assert_int_equal(tf_segment_path(path, sizeof path, test_dir, inst, "stats"), 0);
    tf_segment seg;
    assert_int_equal(tf_segment_attach(&seg, path, TF_SEG_KIND_STATS), TF_SEG_OK);
    assert_int_equal(tf_segment_owner(&seg, tf_now_ns(), NULL), TF_OWNER_CLOSED);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    tf_segment_close(&seg);

    /* The journal holds every tick in order, between the two engine events. */
    assert_int_equal(tf_segment_path(path, sizeof path, test_dir, inst, "md"), 0);
    assert_int_equal(tf_segment_attach(&seg, path, TF_SEG_KIND_JOURNAL), TF_SEG_OK);
    tf_journal j;
    assert_int_equal(tf_journal_attach(&j, &seg), 0);
    tf_journal_reader r;
    tf_journal_reader_init(&r, &j, TF_JOURNAL_FROM_OLDEST);
    uint8_t buf[TF_ENGINE_JOURNAL_SLOT];
    tf_journal_slot *slot = (tf_journal_slot *)buf;
    assert_int_equal(tf_journal_read(&r, slot), TF_JR_OK);
    assert_int_equal(slot->type, TF_REC_ENGINE_EVENT);
    for (uint64_t i = 1; i <= received; i++) {
        assert_int_equal(tf_journal_read(&r, slot), TF_JR_OK);
        assert_int_equal(slot->type, TF_REC_SYNTH_TICK);
        tf_synth_tick tick;
        memcpy(&tick, slot->payload, sizeof tick);
        assert_int_equal(tick.seq, i);
        assert_true(tick.t_journaled_ns >= tick.t_enqueued_ns);
    }
    assert_int_equal(tf_journal_read(&r, slot), TF_JR_OK);
    assert_int_equal(slot->type, TF_REC_ENGINE_EVENT);
    assert_int_equal(tf_journal_read(&r, slot), TF_JR_EMPTY);
    tf_segment_close(&seg);

    /* A closed instance can be started again: its segments are replaced. */
    if (tf_engine_open(e, &cfg) != 0)
        fail_msg("tf_engine_open: %s", tf_err_msg());
    tf_engine_close(e);
    free(e);
}

/* Flat out into a tiny ring on two threads: the ring fills, the source
 * holds records back (counted) and loses none. */
static void test_backpressure_loses_nothing(void **state)
{
    (void)state;
    char inst[32];
    snprintf(inst, sizeof inst, "bp%d", (int)getpid());
    static tf_config cfg;
    base_config(&cfg, inst);
    cfg.ring_capacity = 16;
    cfg.synthetic.rate_per_s = 0; /* as fast as the ring takes them */
    cfg.threads[0].idle.kind = TF_IDLE_YIELD;
    cfg.threads[1].idle.kind = TF_IDLE_YIELD;
    tf_engine *e = calloc(1, sizeof *e);
    assert_int_equal(tf_engine_open(e, &cfg), 0);
    assert_int_equal(tf_engine_start(e), 0);
    sleep_ms(200);
    tf_engine_stop(e);
    uint64_t generated = counter(e, "synth_generated");
    assert_true(generated > 10000);
    assert_true(counter(e, "synth_backpressure") > 0);
    assert_true(e->synth_ring.desc->prod.full_events > 0);
    assert_int_equal(e->synth_ring.desc->prod.drops, 0);
    assert_int_equal(e->synth_ring.desc->cons.high_water, 16);
    assert_int_equal(counter(e, "synth_received"), generated);
    assert_int_equal(counter(e, "synth_seq_gaps"), 0);
    tf_engine_close(e);
    free(e);
}

static void test_second_engine_on_live_instance_refused(void **state)
{
    (void)state;
    char inst[32];
    snprintf(inst, sizeof inst, "live%d", (int)getpid());
    static tf_config cfg;
    base_config(&cfg, inst);
    tf_engine *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    assert_int_equal(tf_engine_open(a, &cfg), 0);
    /* Another process trying the same instance: fork so the pid differs. */
    pid_t pid = fork();
    if (pid == 0) {
        cfg.on_stale = TF_STALE_REPLACE; /* even replace must not touch a live engine */
        int rc = tf_engine_open(b, &cfg);
        _exit(rc == -1 && strstr(tf_err_msg(), "running engine") ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    tf_engine_close(a);
    free(a);
    free(b);
}

static void test_crashed_engine_detected_then_replaced(void **state)
{
    (void)state;
    char inst[32];
    snprintf(inst, sizeof inst, "crash%d", (int)getpid());
    static tf_config cfg;
    base_config(&cfg, inst);
    pid_t pid = fork();
    if (pid == 0) {
        tf_engine *c = calloc(1, sizeof *c);
        if (tf_engine_open(c, &cfg) != 0 || tf_engine_start(c) != 0)
            _exit(3);
        usleep(50000);
        raise(SIGKILL); /* crash: no stop, no close */
        _exit(4);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));

    tf_engine *e = calloc(1, sizeof *e);
    assert_int_equal(tf_engine_open(e, &cfg), -1);
    assert_non_null(strstr(tf_err_msg(), "crashed"));
    cfg.on_stale = TF_STALE_REPLACE;
    if (tf_engine_open(e, &cfg) != 0)
        fail_msg("tf_engine_open: %s", tf_err_msg());
    tf_engine_close(e);
    free(e);
}

static void test_disk_journal_continues_after_restart(void **state)
{
    (void)state;
    char inst[32];
    snprintf(inst, sizeof inst, "disk%d", (int)getpid());
    static tf_config cfg;
    base_config(&cfg, inst);
    snprintf(cfg.md_journal_file, sizeof cfg.md_journal_file, "%s/journal/md.journal", test_dir);
    tf_engine *e = calloc(1, sizeof *e);
    if (tf_engine_open(e, &cfg) != 0)
        fail_msg("tf_engine_open: %s", tf_err_msg());
    assert_int_equal(tf_engine_start(e), 0);
    sleep_ms(100);
    tf_engine_stop(e);
    uint64_t head1 = e->md.desc->head;
    assert_true(head1 > 2);
    tf_engine_close(e);

    if (tf_engine_open(e, &cfg) != 0)
        fail_msg("tf_engine_open: %s", tf_err_msg());
    assert_int_equal(e->md.desc->recovered, head1);
    assert_int_equal(e->md.desc->head, head1 + 1); /* + the new start event */
    assert_int_equal(tf_engine_start(e), 0);
    sleep_ms(50);
    tf_engine_stop(e);
    assert_true(e->md.desc->head > head1 + 2);
    tf_engine_close(e);

    /* Tools find it through the link in the shm directory. */
    char link[256];
    assert_int_equal(tf_segment_path(link, sizeof link, test_dir, inst, "md"), 0);
    tf_segment seg;
    assert_int_equal(tf_segment_attach(&seg, link, TF_SEG_KIND_JOURNAL), TF_SEG_OK);
    tf_segment_close(&seg);
    free(e);
}

TF_MPSC_PROTOTYPE(rt_request, tf_request)

/* Count journal events of `kind` (reading from the oldest). */
static uint64_t count_events(const tf_journal *j, uint8_t kind)
{
    tf_journal_reader r;
    tf_journal_reader_init(&r, j, TF_JOURNAL_FROM_OLDEST);
    uint8_t buf[TF_ENGINE_ORDER_SLOT];
    tf_journal_slot *s = (tf_journal_slot *)buf;
    uint64_t n = 0;
    while (tf_journal_read(&r, s) == TF_JR_OK)
        n += s->type == TF_REC_ORDER_EVENT && ((const tf_order_event *)s->payload)->kind == kind;
    return n;
}

/* The order path across threads (TSan runs this): the risk gate on one
 * thread, the OMS and the paper venue on another, requests from this one.
 * Every order is accepted, acknowledged and, after a cancel-all, canceled. */
static void test_order_path_across_threads(void **state)
{
    (void)state;
    char yaml[2048], err[512];
    snprintf(yaml, sizeof yaml,
             "instance: ord%d\n"
             "shm: {dir: %s}\n"
             "journal: {md: {capacity: 1024}}\n"
             "instruments:\n"
             "  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: \"0.01\", lot_size: \"0.00001\"}\n"
             "export: {run_dir: %s/run}\n"
             "orders: {capacity: 4096, journal_capacity: 65536}\n"
             "risk:\n"
             "  duplicate_count: 0\n"
             "  instruments: [{symbol: BTCUSDT, collar_bps: 0}]\n"
             "  strategies: [{id: 1, name: lane}]\n"
             "threads:\n"
             "  - {name: gate, idle: backoff, stages: [risk]}\n"
             "  - {name: oms, idle: backoff, stages: [oms, paper]}\n",
             (int)getpid(), test_dir, test_dir);
    static tf_config cfg;
    if (tf_config_parse(yaml, strlen(yaml), "rt.yaml", 2, &cfg, err, sizeof err) != 0)
        fail_msg("%s", err);
    tf_engine *e = calloc(1, sizeof *e);
    assert_non_null(e);
    if (tf_engine_open(e, &cfg) != 0)
        fail_msg("tf_engine_open: %s", tf_err_msg());
    assert_int_equal(tf_engine_start(e), 0);
    enum { N = 1000 };
    /* Two clients through the engine's door (shm/door.h), one lane each:
     * the operator's (strategy 0) and strategy 1's; half the orders each. */
    char door[600];
    assert_int_equal(tf_segment_path(door, sizeof door, cfg.shm_dir, cfg.instance, TF_DOOR_NAME), 0);
    int sock[2];
    void *map[2];
    size_t len[2];
    tf_ring lane[2];
    tf_door_reply reply[2];
    for (int k = 0; k < 2; k++)
        if (tf_door_knock(door, (uint32_t)k, &sock[k], &map[k], &len[k], &lane[k], &reply[k], err, sizeof err) != 0)
            fail_msg("knock: %s", err);
    assert_int_equal(reply[0].operator_, 1); /* the engine's own user */
    for (uint64_t i = 1; i <= N; i++) {
        struct tf_request q = {.type = TF_REQ_NEW, .client_seq = i, .t_sent_ns = tf_now_ns()};
        tf_req_order b = {.side = TF_BUY, .type = TF_LIMIT, .price = 4000000 + (int64_t)i, .qty = 100};
        memcpy(q.body, &b, sizeof b);
        tf_ring *r = &lane[i <= N / 2 ? 0 : 1];
        while (!tf_spsc_offer(r, &q, sizeof q))
            sleep_ms(1);
    }
    for (int t = 0; t < 500 && count_events(&e->orders, TF_EV_NEW) < N; t++) {
        tf_engine_tick(e, tf_now_ns());
        sleep_ms(10);
    }
    assert_int_equal(count_events(&e->orders, TF_EV_ACCEPTED), N);
    assert_int_equal(count_events(&e->orders, TF_EV_NEW), N);
    struct tf_request all = {.type = TF_REQ_CANCEL_ALL, .client_seq = N + 1, .t_sent_ns = tf_now_ns()};
    while (!tf_spsc_offer(&lane[0], &all, sizeof all))
        sleep_ms(1);
    for (int t = 0; t < 500 && count_events(&e->orders, TF_EV_CANCELED) < N; t++) {
        tf_engine_tick(e, tf_now_ns());
        sleep_ms(10);
    }
    for (int k = 0; k < 2; k++) {
        munmap(map[k], len[k]);
        close(sock[k]);
    }
    tf_engine_stop(e);
    assert_int_equal(count_events(&e->orders, TF_EV_CANCELED), N);
    assert_int_equal(count_events(&e->orders, TF_EV_ILLEGAL), 0);
    assert_int_equal(e->oms.open_count, 0);  /* the threads are joined: safe to read */
    assert_int_equal(e->risk.open_count, 0);
    tf_engine_close(e);
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_parks_then_resets),
        cmocka_unit_test(test_thread_runs_stages_and_drains),
        cmocka_unit_test(test_thread_bad_cpu_fails_with_message),
        cmocka_unit_test(test_engine_start_stop_loses_nothing),
        cmocka_unit_test(test_backpressure_loses_nothing),
        cmocka_unit_test(test_second_engine_on_live_instance_refused),
        cmocka_unit_test(test_crashed_engine_detected_then_replaced),
        cmocka_unit_test(test_disk_journal_continues_after_restart),
        cmocka_unit_test(test_order_path_across_threads),
    };
    return cmocka_run_group_tests(tests, setup_dir, test_dir_remove);
}

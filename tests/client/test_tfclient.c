/* The client library (include/tradefan/client.h) against an "engine" made
 * in the test with shm/ calls, laid out as engine/engine.c lays out its
 * requests, state and orders segments: tfc_open attaches (or says clearly
 * why not: no engine, engine stopped, wrong layout version, strategy out of
 * range), each request lands in the client's own lane — or, on an engine
 * without the order path, in the shared MPSC ring — typed, from its
 * strategy, with its client request id and its body bound exactly, bad
 * input is refused before anything is sent, and answers are read back from
 * the order journal. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "include/tradefan/client.h"
#include "shm/catalog.h"
#include "shm/err.h"
#include "shm/journal.h"
#include "shm/atomic.h"
#include "shm/door.h"
#include "shm/lanes.h"
#include "shm/records.h"
#include "shm/ring.h"
#include "shm/segment.h"
#include "shm/state.h"
#include "tests/test_util.h"

TF_MPSC_PROTOTYPE(eng_request, tf_request)

#define INST "tc"
#define ORDERS 64u

typedef struct eng {
    bool order_path;
    tf_segment req, state, orders;
    tf_ring requests;
    tf_lanes lanes;                 /* laid out as the engine does; read by nobody */
    tf_door door;                   /* where clients get their lanes (shm/door.h) */
    pthread_t door_thread;
    uint32_t door_stop;
    tf_state_table *table;
    tf_journal journal;
} eng;

static eng E;

/* Anyone may trade strategies 1..3; strategy 0 is the operator's (the test's own user). */
static int allow(void *ctx, uid_t uid, gid_t gid, pid_t pid, uint32_t asked, uint32_t *strategy, bool *op, char *why,
                 size_t len)
{
    (void)ctx, (void)gid, (void)pid;
    if (asked > 3) {
        snprintf(why, len, "strategy %u is not configured", asked);
        return -1;
    }
    *strategy = asked;
    *op = uid == geteuid();
    return 0;
}

static void *door_main(void *arg)
{
    (void)arg;
    while (!tf_load_acquire_32(&E.door_stop))
        tf_door_serve(&E.door, 10);
    return NULL;
}

static void seg_create(tf_segment *seg, const char *name, const tf_seg_layout *l)
{
    char path[256];
    assert_int_equal(tf_segment_path(path, sizeof path, test_dir, INST, name), 0);
    if (tf_segment_create(seg, path, INST, name, l, 0600, TF_STALE_ACTION_REPLACE) != 0)
        fail_msg("create %s: %s", path, tf_err_msg());
}

static void publish(tf_segment *seg)
{
    if (tf_segment_publish(seg) != 0)
        fail_msg("publish: %s", tf_err_msg());
}

static void instrument(uint32_t id, const char *sym, uint8_t pp, uint8_t qp)
{
    tf_md_instrument_info in = {.id = id, .price_precision = pp, .qty_precision = qp};
    snprintf(in.symbol, sizeof in.symbol, "%s", sym);
    snprintf(in.venue, sizeof in.venue, "binance");
    tf_state_slot *s = tf_state_claim(E.table, TF_STATE_INSTRUMENT, sym);
    assert_non_null(s);
    tf_state_write(s, &in, sizeof in, tf_now_ns());
}

/* The segments engine/engine.c makes (requests, state, orders), published. */
static void eng_start(bool order_path)
{
    memset(&E, 0, sizeof E);
    E.order_path = order_path;
    tf_seg_layout l;
    uint64_t len = 0;
    void *region;

    memset(&l, 0, sizeof l);
    l.kind = TF_SEG_KIND_STATE;
    l.region_count = order_path ? 3 : 1;
    l.regions[0].name = TF_REGION_STATE;
    l.regions[0].length = tf_state_region_size(64);
    l.regions[1].name = TF_REGION_ORDERS;
    l.regions[1].length = ORDERS * sizeof(tf_order_slot);
    l.regions[2].name = TF_REGION_LIMITS;
    l.regions[2].length = sizeof(tf_limits_slot);
    seg_create(&E.state, TF_SEG_STATE, &l);
    E.table = tf_segment_region(&E.state, TF_REGION_STATE, NULL);
    assert_non_null(E.table);
    tf_state_table_init(E.table, 64);
    instrument(0, "BTCUSDT", 2, 5);
    instrument(1, "ETHUSDT", 2, 4);

    memset(&l, 0, sizeof l);
    l.kind = TF_SEG_KIND_RINGS;
    l.region_count = order_path ? 2 : 1;
    l.regions[0].name = TF_REGION_REQUESTS;
    l.regions[0].length = tf_ring_region_size(256, sizeof(struct tf_request));
    l.regions[1].name = TF_REGION_LANES;
    l.regions[1].length = tf_lanes_region_size(4, 256, sizeof(struct tf_request));
    seg_create(&E.req, TF_SEG_REQUESTS, &l);
    assert_non_null(region = tf_segment_region(&E.req, TF_REGION_REQUESTS, &len));
    assert_int_equal(tf_ring_init(&E.requests, region, len, TF_REGION_REQUESTS, TF_RING_MPSC, 256,
                                  sizeof(struct tf_request)), 0);
    if (order_path) {
        assert_non_null(region = tf_segment_region(&E.req, TF_REGION_LANES, &len));
        assert_int_equal(tf_lanes_init(&E.lanes, region, len, 4, 256, sizeof(struct tf_request)), 0);
        char door[256];
        assert_int_equal(tf_segment_path(door, sizeof door, test_dir, INST, TF_DOOR_NAME), 0);
        if (tf_door_open(&E.door, door, 0660, 256, sizeof(struct tf_request), allow, NULL) != 0)
            fail_msg("door: %s", tf_err_msg());
        E.door_stop = 0;
        assert_int_equal(pthread_create(&E.door_thread, NULL, door_main, NULL), 0);
        tf_journal_layout(&l, 1024, 128);
        seg_create(&E.orders, TF_SEG_ORDERS, &l);
        assert_int_equal(tf_journal_init(&E.journal, &E.orders, TF_SEG_ORDERS, 1024, 128), 0);
        publish(&E.orders);
    }
    publish(&E.state);
    publish(&E.req);
}

static void eng_stop(void)
{
    if (!E.req.hdr && !E.state.hdr)
        return; /* stopped already */
    if (E.order_path) {
        tf_store_release_32(&E.door_stop, 1);
        pthread_join(E.door_thread, NULL);
        tf_door_close(&E.door);
    }
    tf_segment_close(&E.req);
    tf_segment_close(&E.state);
    if (E.order_path)
        tf_segment_close(&E.orders);
    char path[256];
    const char *names[] = {TF_SEG_REQUESTS, TF_SEG_STATE, TF_SEG_ORDERS};
    for (int i = 0; i < 3; i++) {
        tf_segment_path(path, sizeof path, test_dir, INST, names[i]);
        unlink(path);
    }
    memset(&E, 0, sizeof E);
}

/* After each test, even a failed one: no engine left behind for the next. */
static int teardown(void **state)
{
    (void)state;
    eng_stop();
    return 0;
}

/* The next request the engine would read: from a door lane (waiting a
 * little: the door thread hands lanes over), or the MPSC ring. */
static tf_door_lane *last_lane;
static bool eng_next(struct tf_request *q)
{
    if (!E.order_path)
        return tf_mpsc_poll_eng_request(&E.requests, q);
    for (int i = 0; i < 200; i++) {
        if (tf_door_poll(&E.door, q, &last_lane))
            return true;
        usleep(1000);
    }
    return false;
}

static tfc *open_ok(uint32_t strategy)
{
    char err[512] = "";
    tfc *c = tfc_open(INST, test_dir, strategy, err, sizeof err);
    if (!c)
        fail_msg("tfc_open: %s", err);
    return c;
}

static void assert_has(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("\"%s\" does not say \"%s\"", text, part);
}

static int group_setup(void **state)
{
    (void)state;
    return test_dir_make("tf_client");
}

/* ---- attaching -------------------------------------------------------------------- */

static void test_no_engine(void **state)
{
    (void)state;
    char err[512] = "";
    assert_null(tfc_open(INST, test_dir, 1, err, sizeof err));
    assert_has(err, "no engine 'tc'");
    assert_has(err, test_dir);
    assert_null(tfc_open(INST, "/nonexistent/dir", 1, err, sizeof err));
    assert_has(err, "no engine");
}

static void test_strategy_out_of_range(void **state)
{
    (void)state;
    eng_start(true);
    char err[512] = "";
    assert_null(tfc_open(INST, test_dir, TF_MAX_STRATEGIES, err, sizeof err));
    assert_has(err, "strategy id 16 is out of range (0..15)");
    eng_stop();
}

static void test_wrong_version(void **state)
{
    (void)state;
    eng_start(true);
    uint32_t v = E.req.hdr->layout_version;
    E.req.hdr->layout_version = (TF_LAYOUT_MAJOR + 1) << 16; /* an engine of another layout */
    char err[512] = "", want[32];
    assert_null(tfc_open(INST, test_dir, 1, err, sizeof err));
    assert_has(err, "segment requests");
    snprintf(want, sizeof want, "%u.0", TF_LAYOUT_MAJOR + 1);
    assert_has(err, want);
    E.req.hdr->layout_version = v;
    tfc *c = open_ok(1); /* and fine again once the version is ours */
    tfc_close(c);
    eng_stop();
}

static void test_engine_stopped(void **state)
{
    (void)state;
    eng_start(true);
    tfc *c = open_ok(1);
    assert_int_equal(tfc_alive(c), 1);
    tfc_close(c);
    E.req.hdr->owner_state = TF_OWNER_STATE_CLOSED; /* as tf_segment_close leaves it */
    char err[512] = "";
    assert_null(tfc_open(INST, test_dir, 1, err, sizeof err));
    assert_has(err, "engine 'tc' is not running");
    E.req.hdr->owner_state = TF_OWNER_STATE_LIVE;
    eng_stop();
}

/* ---- requests ------------------------------------------------------------------- */

static void test_new_order_in_own_lane(void **state)
{
    (void)state;
    eng_start(true);
    tfc *c = open_ok(3);
    assert_int_equal(tfc_has_order_path(c), 1);
    assert_int_equal(tfc_instrument(c, "BTCUSDT"), 0);
    assert_int_equal(tfc_instrument(c, "ethusdt"), 1);
    assert_int_equal(tfc_instrument(c, "XRPUSDT"), -1);
    assert_string_equal(tfc_symbol(c, 1), "ETHUSDT");
    assert_string_equal(tfc_symbol(c, 2), "?");

    uint64_t t0 = tf_realtime_ns();
    uint64_t id = tfc_new_order(c, "BTCUSDT", "buy", "limit", NULL, "43000.5", "0.001");
    assert_true(id != 0);
    assert_true(id <= t0); /* ids start at the wall clock when opened */
    struct tf_request q;
    assert_true(eng_next(&q));
    assert_int_equal(q.type, TF_REQ_NEW);
    assert_int_equal(q.source_id, 3);
    assert_int_equal(q.client_seq, id);
    assert_true(q.t_sent_ns > 0);
    tf_req_order b;
    memcpy(&b, q.body, sizeof b);
    assert_int_equal(b.instrument, 0);
    assert_int_equal(b.side, TF_BUY);
    assert_int_equal(b.type, TF_LIMIT);
    assert_int_equal(b.tif, TF_GTC);
    assert_int_equal(b.price, 4300050);
    assert_int_equal(b.qty, 100);
    assert_int_equal(b.order_id, 0);
    assert_false(eng_next(&q));                 /* exactly one record */
    assert_false(tf_mpsc_poll_eng_request(&E.requests, &q)); /* not the shared ring */

    /* A market sell: no price, IOC by default; names in any case. */
    uint64_t id2 = tfc_new_order(c, "ethusdt", "SELL", "market", "", NULL, "2.5");
    assert_int_equal(id2, id + 1);
    assert_true(eng_next(&q));
    memcpy(&b, q.body, sizeof b);
    assert_int_equal(q.client_seq, id2);
    assert_int_equal(b.instrument, 1);
    assert_int_equal(b.side, TF_SELL);
    assert_int_equal(b.type, TF_MARKET);
    assert_int_equal(b.tif, TF_IOC);
    assert_int_equal(b.price, 0);
    assert_int_equal(b.qty, 25000);
    /* An explicit FOK. */
    uint64_t id3 = tfc_new_order(c, "BTCUSDT", "buy", "limit", "fok", "1", "1");
    assert_int_equal(id3, id2 + 1);
    assert_true(eng_next(&q));
    memcpy(&b, q.body, sizeof b);
    assert_int_equal(b.tif, TF_FOK);
    assert_int_equal(b.price, 100);
    assert_int_equal(b.qty, 100000);
    tfc_close(c);
    eng_stop();
}

static void test_bad_input_sends_nothing(void **state)
{
    (void)state;
    eng_start(true);
    tfc *c = open_ok(2);
    struct tf_request q;
    assert_int_equal(tfc_new_order(c, "XRPUSDT", "buy", "limit", NULL, "1", "1"), 0);
    assert_string_equal(tfc_error(c), "unknown symbol XRPUSDT");
    assert_int_equal(tfc_new_order(c, "BTCUSDT", "hold", "limit", NULL, "1", "1"), 0);
    assert_string_equal(tfc_error(c), "side must be buy|sell, type limit|market, tif gtc|ioc|fok");
    assert_int_equal(tfc_new_order(c, "BTCUSDT", "buy", "stop", NULL, "1", "1"), 0);
    assert_int_equal(tfc_new_order(c, "BTCUSDT", "buy", "limit", "day", "1", "1"), 0);
    assert_int_equal(tfc_new_order(c, "BTCUSDT", "buy", "limit", NULL, "", "1"), 0);
    assert_string_equal(tfc_error(c), "a limit order needs a price");
    assert_int_equal(tfc_new_order(c, "BTCUSDT", "buy", "limit", NULL, "43000.001", "1"), 0);
    assert_string_equal(tfc_error(c), "price \"43000.001\" has more decimals than the instrument allows");
    assert_int_equal(tfc_new_order(c, "BTCUSDT", "buy", "limit", NULL, "43000", "1x"), 0);
    assert_string_equal(tfc_error(c), "quantity \"1x\" is not a decimal number");
    assert_int_equal(tfc_new_order(c, "BTCUSDT", "buy", "market", NULL, NULL, NULL), 0);
    assert_string_equal(tfc_error(c), "a price or quantity is missing");
    assert_int_equal(tfc_set_limit(c, "max_bananas", "", "1"), 0);
    assert_has(tfc_error(c), "unknown limit max_bananas (known: min_qty, max_order_qty");
    assert_int_equal(tfc_set_limit(c, "max_position", "", "1"), 0);
    assert_string_equal(tfc_error(c), "limit max_position needs a symbol as its target");
    assert_int_equal(tfc_set_limit(c, "strategy.daily_loss_limit", "two", "1"), 0);
    assert_string_equal(tfc_error(c), "limit strategy.daily_loss_limit needs a strategy id as its target");
    assert_int_equal(tfc_set_limit(c, "max_position", "BTCUSDT", "-1"), 0);
    assert_has(tfc_error(c), "must be a non-negative decimal with at most 5 decimals");
    assert_int_equal(tfc_set_state(c, "PANIC"), 0);
    assert_string_equal(tfc_error(c), "state must be ACTIVE, REDUCING or HALTED");
    assert_int_equal(tfc_replace(c, 12345, "1", "1"), 0);
    assert_string_equal(tfc_error(c), "unknown order 12345");
    assert_false(eng_next(&q));
    /* The ids refused were not used up. */
    uint64_t a = tfc_ping(c), b2 = tfc_ping(c);
    assert_int_equal(b2, a + 1);
    tfc_close(c);
    eng_stop();
}

static void test_other_requests(void **state)
{
    (void)state;
    eng_start(true);
    tfc *c = open_ok(0);
    struct tf_request q;
    tf_req_order o;
    tf_req_limit l;
    tf_req_control k;

    uint64_t id = tfc_cancel(c, 4242);
    assert_true(eng_next(&q));
    assert_int_equal(q.type, TF_REQ_CANCEL);
    assert_int_equal(q.client_seq, id);
    assert_int_equal(q.source_id, 0);
    memcpy(&o, q.body, sizeof o);
    assert_int_equal(o.order_id, 4242);

    id = tfc_cancel_all(c);
    assert_true(eng_next(&q));
    assert_int_equal(q.type, TF_REQ_CANCEL_ALL);
    assert_int_equal(q.client_seq, id);

    id = tfc_set_limit(c, "max_position", "ethusdt", "1.5");
    assert_true(eng_next(&q));
    assert_int_equal(q.type, TF_REQ_SET_LIMIT);
    memcpy(&l, q.body, sizeof l);
    assert_int_equal(l.limit, TF_LIM_MAX_POSITION);
    assert_int_equal(l.target, 1);
    assert_int_equal(l.value, 15000);           /* ETH qty units */
    id = tfc_set_limit(c, "strategy.max_order_notional", "7", "40000");
    assert_true(eng_next(&q));
    memcpy(&l, q.body, sizeof l);
    assert_int_equal(l.limit, TF_LIM_S_MAX_ORDER_NOTIONAL);
    assert_int_equal(l.target, 7);
    assert_int_equal(l.value, 4000000000000ll); /* money: 10^-8 */
    id = tfc_set_limit(c, "collar_bps", "BTCUSDT", "250");
    assert_true(eng_next(&q));
    memcpy(&l, q.body, sizeof l);
    assert_int_equal(l.limit, TF_LIM_COLLAR_BPS);
    assert_int_equal(l.target, 0);
    assert_int_equal(l.value, 250);
    id = tfc_set_limit(c, "duplicate_window_ms", "", "250");
    assert_true(eng_next(&q));
    memcpy(&l, q.body, sizeof l);
    assert_int_equal(l.limit, TF_LIM_G_DUPLICATE_WINDOW_MS);
    assert_int_equal(l.value, 250);

    id = tfc_kill(c, 5, 1);
    assert_true(eng_next(&q));
    assert_int_equal(q.type, TF_REQ_KILL);
    assert_int_equal(q.client_seq, id);
    memcpy(&k, q.body, sizeof k);
    assert_int_equal(k.on, 1);
    assert_int_equal(k.flatten, 1);
    tfc_kill(c, 0, 0);
    assert_true(eng_next(&q));
    memcpy(&k, q.body, sizeof k);
    assert_int_equal(k.on, 0);
    assert_int_equal(k.flatten, 0);

    tfc_set_state(c, "reducing");
    assert_true(eng_next(&q));
    assert_int_equal(q.type, TF_REQ_SET_STATE);
    memcpy(&k, q.body, sizeof k);
    assert_int_equal(k.on, TF_TS_REDUCING);

    id = tfc_ping(c);
    assert_true(eng_next(&q));
    assert_int_equal(q.type, TF_REQ_PING);
    assert_int_equal(q.client_seq, id);
    assert_false(eng_next(&q));
    tfc_close(c);
    eng_stop();
}

/* Two clients, two lanes from the door, each stamped with what the door
 * granted; a strategy the door refuses is told in words at the first
 * request; a closed client's lane is given back. */
static void test_lanes_per_client(void **state)
{
    (void)state;
    eng_start(true);
    tfc *a = open_ok(1), *b = open_ok(2);
    uint64_t ia = tfc_ping(a), ib = tfc_ping(b);
    assert_true(ia && ib);
    struct tf_request q;
    tf_door_lane *lane_of[3] = {NULL, NULL, NULL};
    for (int n = 0; n < 2; n++) {
        assert_true(eng_next(&q));
        assert_true(last_lane->strategy == 1 || last_lane->strategy == 2);
        assert_int_equal(q.client_seq, last_lane->strategy == 1 ? ia : ib);
        lane_of[last_lane->strategy] = last_lane;
    }
    assert_true(lane_of[1] && lane_of[2] && lane_of[1] != lane_of[2]); /* each client its own lane */
    tfc_close(a);
    tfc_close(b);
    tfc *x = open_ok(3);
    assert_true(tfc_ping(x) != 0);
    tfc_close(x);
    /* Strategy 5: the door says no, in words, and nothing is sent. */
    tfc *r = open_ok(5);
    assert_int_equal(tfc_ping(r), 0);
    assert_has(tfc_error(r), "strategy 5 is not configured");
    tfc_close(r);
    eng_stop();
}

static void test_without_order_path(void **state)
{
    (void)state;
    eng_start(false);
    tfc *c = open_ok(1);
    assert_int_equal(tfc_has_order_path(c), 0);
    uint64_t id = tfc_ping(c);
    assert_true(id != 0);
    struct tf_request q;
    assert_true(tf_mpsc_poll_eng_request(&E.requests, &q)); /* the shared ring */
    assert_int_equal(q.type, TF_REQ_PING);
    assert_int_equal(q.source_id, 1);
    assert_int_equal(q.client_seq, id);
    assert_int_equal(tfc_new_order(c, "BTCUSDT", "buy", "limit", NULL, "1", "1"), 0);
    assert_has(tfc_error(c), "the engine runs without the order path");
    assert_int_equal(tfc_cancel_all(c), 0);
    assert_false(tf_mpsc_poll_eng_request(&E.requests, &q));
    tf_order_event ev;
    assert_int_equal(tfc_next_event(c, &ev), 0);
    assert_int_equal(tfc_wait(c, id, 0, &ev), 0);
    assert_has(tfc_error(c), "without the order path");
    tfc_close(c);
    eng_stop();
}

/* ---- answers -------------------------------------------------------------------- */

static void journal_event(uint64_t req, uint32_t strategy, uint8_t kind, uint64_t order_id)
{
    tf_order_event ev = {.order_id = order_id, .client_req_id = req, .strategy = strategy, .kind = kind,
                         .state = TF_OS_PENDING_NEW, .price = 100, .qty = 1};
    assert_true(tf_journal_append(&E.journal, TF_REC_ORDER_EVENT, &ev, sizeof ev) > 0);
}

static void test_answers_from_the_journal(void **state)
{
    (void)state;
    eng_start(true);
    journal_event(1, 5, TF_EV_REJECTED, 0);  /* before the client opened: not seen */
    tfc *c = open_ok(5);
    tf_order_event ev;
    assert_int_equal(tfc_next_event(c, &ev), 0);
    uint64_t id = tfc_new_order(c, "BTCUSDT", "buy", "limit", NULL, "1", "1");
    journal_event(id, 4, TF_EV_ACCEPTED, 77);  /* same request id, another strategy */
    journal_event(id, 5, TF_EV_ACCEPTED, 78);
    assert_int_equal(tfc_wait(c, id, 1000, &ev), 1);
    assert_int_equal(ev.order_id, 78);
    assert_int_equal(ev.strategy, 5);
    assert_int_equal(ev.kind, TF_EV_ACCEPTED);
    /* tfc_wait skipped, did not consume: next_event still has both, in order. */
    assert_int_equal(tfc_next_event(c, &ev), 1);
    assert_int_equal(ev.order_id, 77);
    assert_int_equal(tfc_next_event(c, &ev), 1);
    assert_int_equal(ev.order_id, 78);
    assert_int_equal(tfc_next_event(c, &ev), 0);
    assert_int_equal(tfc_wait(c, id + 1, 0, &ev), 0); /* no such answer */
    assert_has(tfc_error(c), "no answer to request");
    assert_string_equal(tfc_event_name(TF_EV_ACCEPTED), tf_event_kind_names[TF_EV_ACCEPTED]);
    assert_string_equal(tfc_event_name(TF_EV_KIND_COUNT), "?");
    assert_string_equal(tfc_reason_name(TF_RJ_REASON_COUNT), "?");
    assert_string_equal(tfc_state_name(TF_OS_COUNT), "?");
    tfc_close(c);
    eng_stop();
}

static void test_units(void **state)
{
    (void)state;
    eng_start(true);
    tfc *c = open_ok(1);
    int64_t v = 0;
    assert_int_equal(tfc_price_units(c, 0, "43210.5", &v), 0);
    assert_int_equal(v, 4321050);
    assert_int_equal(tfc_qty_units(c, 1, "0.0001", &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(tfc_qty_units(c, 1, "0.00001", &v), -1);
    assert_int_equal(tfc_price_units(c, 5, "1", &v), -1);
    char buf[32];
    assert_string_equal(tfc_price_text(c, 0, 4321050, buf, sizeof buf), "43210.50");
    assert_string_equal(tfc_qty_text(c, 0, 150, buf, sizeof buf), "0.00150");
    assert_string_equal(tfc_qty_text(c, 0, 150, buf, 3), "?"); /* does not fit */
    tfc_close(c);
    eng_stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_no_engine, teardown),
        cmocka_unit_test_teardown(test_strategy_out_of_range, teardown),
        cmocka_unit_test_teardown(test_wrong_version, teardown),
        cmocka_unit_test_teardown(test_engine_stopped, teardown),
        cmocka_unit_test_teardown(test_new_order_in_own_lane, teardown),
        cmocka_unit_test_teardown(test_bad_input_sends_nothing, teardown),
        cmocka_unit_test_teardown(test_other_requests, teardown),
        cmocka_unit_test_teardown(test_lanes_per_client, teardown),
        cmocka_unit_test_teardown(test_without_order_path, teardown),
        cmocka_unit_test_teardown(test_answers_from_the_journal, teardown),
        cmocka_unit_test_teardown(test_units, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, test_dir_remove);
}

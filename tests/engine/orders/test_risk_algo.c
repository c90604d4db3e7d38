/* The risk gate's side of parent orders (engine/orders/risk_algo.c),
 * through the real rings, OMS and paper venue: a parent is checked at once
 * and held against the limits from acceptance; its children pass the gate
 * as orders and only from the algo stage; controls only by its strategy or
 * an operator; a finished parent lets go; the kill switch stops every
 * parent. The algo stage is played by the test on its two rings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/engine/orders/order_fixture.h"
#include "tests/test_util.h"

static const char *yaml =
    "orders: {capacity: 1024}\n"
    "risk:\n"
    "  max_gross_exposure: \"1000000\"\n"
    "  daily_loss_limit: \"100000\"\n"
    "  duplicate_count: 2\n"
    "  instruments:\n"
    "    - {symbol: BTCUSDT, max_order_qty: \"1\", max_order_notional: \"100000\", max_position: \"1.5\",\n"
    "       collar_bps: 500}\n"
    "  strategies:\n"
    "    - {id: 2, name: b}\n"
    "    - {id: 3, name: c}\n";

#define BTC 0
#define PX(x) ((int64_t)((x) * 100 + 0.5))
#define BQ(x) ((int64_t)((x) * 100000 + 0.5))
#define S_NS 1000000000ull

static fx F;
static tf_ring algo_out, algo_in; /* gate -> algo stage, algo stage -> gate */
static void *mem_out, *mem_in;
static uint64_t algo_req = 1ull << 40; /* apart from the fixture's client ids */

static void ring(tf_ring *r, void **mem, uint32_t size)
{
    uint64_t len = tf_ring_region_size(64, size);
    *mem = aligned_alloc(4096, (len + 4095) / 4096 * 4096);
    memset(*mem, 0, len);
    tf_ring_init(r, *mem, len, "algo", TF_RING_SPSC, 64, size);
}

static int setup(void **state)
{
    (void)state;
    if (test_dir_make("tf_risk_algo") != 0 || fx_open(&F, test_dir, yaml) != 0)
        return -1;
    ring(&algo_out, &mem_out, sizeof(tf_algo_cmd));
    ring(&algo_in, &mem_in, sizeof(struct tf_request));
    return 0;
}

static int teardown(void **state)
{
    fx_close(&F);
    free(mem_out);
    free(mem_in);
    return test_dir_remove(state);
}

static tf_order_event answer(uint64_t req)
{
    fx_run(&F);
    tf_order_event ev;
    if (!fx_answer(&F, req, &ev))
        fail_msg("no answer to request %llu", (unsigned long long)req);
    return ev;
}

static void expect_reject(uint64_t req, tf_reject_reason why)
{
    tf_order_event ev = answer(req);
    if (ev.kind != TF_EV_REJECTED || ev.reason != why)
        fail_msg("got %s/%s, want rejected/%s", tf_event_kind_names[ev.kind], tf_reject_reason_names[ev.reason],
                 tf_reject_reason_names[why]);
}

static uint64_t twap(uint32_t strategy, int side, int64_t qty, uint64_t seconds, uint64_t slice_s)
{
    tf_req_algo_params x = {.slice_ns = slice_s * S_NS};
    fx_submit(&F, strategy, TF_REQ_ALGO_PARAMS, &x, sizeof x);
    uint64_t now = tf_realtime_ns();
    tf_req_algo b = {.instrument = BTC, .kind = TF_ALGO_TWAP, .side = (uint8_t)side,
                     .price_style = TF_ALGO_PX_TOUCH, .qty = qty, .start_ns = now, .end_ns = now + seconds * S_NS};
    return fx_submit(&F, strategy, TF_REQ_ALGO_NEW, &b, sizeof b);
}

/* What the algo stage received. */
static bool algo_cmd(tf_algo_cmd *c) { return tf_spsc_poll(&algo_out, c, sizeof *c); }

/* The algo stage sends a request (a child or a report) for strategy s. */
static uint64_t from_algo(uint32_t s, uint32_t type, const void *body, size_t len)
{
    struct tf_request q = {.type = type, .source_id = s, .client_seq = algo_req++, .t_sent_ns = tf_now_ns()};
    memcpy(q.body, body, len);
    tf_spsc_offer(&algo_in, &q, sizeof q);
    return q.client_seq;
}

static uint64_t child(uint32_t s, uint64_t parent, int side, int64_t px, int64_t qty)
{
    tf_req_order b = {.instrument = BTC, .side = (uint8_t)side, .type = TF_LIMIT, .tif = TF_GTC, .price = px,
                      .qty = qty, .order_id = parent, .flags = TF_ORDF_ALGO_CHILD};
    return from_algo(s, TF_REQ_NEW, &b, sizeof b);
}

/* The answer to one of the algo stage's requests (its ids are its own). */
static tf_order_event algo_answer(uint64_t req, uint32_t s)
{
    fx_run(&F);
    tf_journal_reader r;
    tf_journal_reader_init(&r, &F.journal, TF_JOURNAL_FROM_OLDEST);
    uint8_t buf[128];
    tf_journal_slot *sl = (tf_journal_slot *)buf;
    tf_order_event last = {0};
    while (tf_journal_read(&r, sl) == TF_JR_OK) {
        const tf_order_event *ev = (const tf_order_event *)sl->payload;
        if (ev->client_req_id == req && ev->strategy == s && ev->kind != TF_EV_PARENT_STATE) {
            last = *ev;
            break;
        }
    }
    return last;
}

static void test_no_algo_stage_refuses_parents(void **state)
{
    (void)state;
    expect_reject(twap(3, TF_BUY, BQ(0.5), 60, 5), TF_RJ_NO_ALGO_STAGE);
    tf_risk_bind_algo(&F.risk, &algo_out, &algo_in);
}

static void test_a_parent_is_checked_whole_and_held(void **state)
{
    (void)state;
    /* The algorithm's own rules: a slice longer than the horizon. */
    expect_reject(twap(3, TF_BUY, BQ(0.5), 10, 60), TF_RJ_BAD_ALGO_PARAMS);
    /* The whole quantity against the position limit (1.5 BTC). */
    expect_reject(twap(3, TF_BUY, BQ(2), 60, 5), TF_RJ_POSITION_LIMIT);
    uint64_t req = twap(3, TF_BUY, BQ(1.2), 60, 5);
    tf_order_event ev = answer(req);
    assert_int_equal(ev.kind, TF_EV_PARENT_ACCEPTED);
    assert_int_equal(ev.reason, TF_ALGO_TWAP);
    assert_int_equal(ev.qty, BQ(1.2));
    uint64_t parent = ev.order_id;
    assert_true(parent > 0);
    tf_algo_cmd c;
    assert_true(algo_cmd(&c));
    assert_int_equal(c.action, TF_ALGO_ACT_START);
    assert_int_equal(c.parent_id, parent);
    assert_int_equal(c.strategy, 3);
    assert_int_equal(c.params.slice_ns, 5 * S_NS); /* the PARAMS sent just before */
    assert_int_equal(c.params.qty, BQ(1.2));
    /* Held from acceptance: another 0.5 BTC bought would breach 1.5. */
    expect_reject(fx_new(&F, 2, BTC, TF_BUY, TF_LIMIT, PX(42990), BQ(0.5)), TF_RJ_POSITION_LIMIT);

    /* Its child passes as an order, from the algo stage only. */
    tf_req_order forged = {.instrument = BTC, .side = TF_BUY, .type = TF_LIMIT, .price = PX(42990),
                           .qty = BQ(0.3), .order_id = parent, .flags = TF_ORDF_ALGO_CHILD};
    expect_reject(fx_submit(&F, 3, TF_REQ_NEW, &forged, sizeof forged), TF_RJ_NOT_AUTHORIZED);
    tf_order_event ce = algo_answer(child(3, parent, TF_BUY, PX(42990), BQ(0.3)), 3);
    assert_int_equal(ce.kind, TF_EV_ACCEPTED);
    assert_true(ce.flags & TF_ORDF_ALGO_CHILD);
    /* Alike slices are not duplicates. */
    ce = algo_answer(child(3, parent, TF_BUY, PX(42990), BQ(0.3)), 3);
    assert_int_equal(ce.kind, TF_EV_ACCEPTED);
    /* More than the parent still holds: refused. */
    ce = algo_answer(child(3, parent, TF_BUY, PX(42990), BQ(0.7)), 3);
    assert_int_equal(ce.kind, TF_EV_REJECTED);
    assert_int_equal(ce.reason, TF_RJ_BAD_REQUEST);
    /* Another parent's id, or the wrong side: unknown. */
    ce = algo_answer(child(3, parent + 999, TF_BUY, PX(42990), BQ(0.1)), 3);
    assert_int_equal(ce.reason, TF_RJ_UNKNOWN_ORDER);
    ce = algo_answer(child(3, parent, TF_SELL, PX(43010), BQ(0.1)), 3);
    assert_int_equal(ce.reason, TF_RJ_UNKNOWN_ORDER);
    /* Still no room for strategy 2 beside it (0.6 in children + 0.6 held). */
    expect_reject(fx_new(&F, 2, BTC, TF_BUY, TF_LIMIT, PX(42990), BQ(0.5)), TF_RJ_POSITION_LIMIT);

    /* Controls: only its strategy (or an operator). */
    tf_req_algo_control ctl = {.parent_id = parent, .action = TF_ALGO_ACT_PAUSE};
    expect_reject(fx_submit(&F, 2, TF_REQ_ALGO_CONTROL, &ctl, sizeof ctl), TF_RJ_UNKNOWN_ORDER);
    ev = answer(fx_submit(&F, 3, TF_REQ_ALGO_CONTROL, &ctl, sizeof ctl));
    assert_int_equal(ev.kind, TF_EV_PARENT_CONTROL);
    assert_int_equal(ev.reason, TF_ALGO_ACT_PAUSE);
    assert_true(algo_cmd(&c));
    assert_int_equal(c.action, TF_ALGO_ACT_PAUSE);
    /* An amend above the limit is refused for what it adds. */
    ctl = (tf_req_algo_control){.parent_id = parent, .action = TF_ALGO_ACT_AMEND, .qty = BQ(2)};
    expect_reject(fx_submit(&F, 3, TF_REQ_ALGO_CONTROL, &ctl, sizeof ctl), TF_RJ_POSITION_LIMIT);

    /* A report only from the algo stage. */
    tf_req_algo_report rep = {.parent_id = parent, .state = TF_ALGO_CANCELED};
    expect_reject(fx_submit(&F, 3, TF_REQ_ALGO_REPORT, &rep, sizeof rep), TF_RJ_NOT_AUTHORIZED);
    /* The parent ends: its hold goes; its children still count until they end. */
    from_algo(3, TF_REQ_ALGO_REPORT, &rep, sizeof rep);
    fx_run(&F);
    expect_reject(fx_new(&F, 2, BTC, TF_BUY, TF_LIMIT, PX(42990), BQ(1)), TF_RJ_POSITION_LIMIT);
    tf_order_event ok = answer(fx_new(&F, 2, BTC, TF_BUY, TF_LIMIT, PX(42990), BQ(0.8)));
    assert_int_equal(ok.kind, TF_EV_ACCEPTED); /* 0.6 in children + 0.8 <= 1.5 */
    /* Gone: controls and children of it are refused. */
    ctl = (tf_req_algo_control){.parent_id = parent, .action = TF_ALGO_ACT_RESUME};
    expect_reject(fx_submit(&F, 3, TF_REQ_ALGO_CONTROL, &ctl, sizeof ctl), TF_RJ_UNKNOWN_ORDER);
    fx_submit(&F, 0, TF_REQ_CANCEL_ALL, NULL, 0);
    fx_run(&F);
}

static void test_a_childs_unfilled_quantity_returns_to_its_parent(void **state)
{
    (void)state;
    tf_order_event ev = answer(twap(3, TF_SELL, BQ(1), 60, 5));
    assert_int_equal(ev.kind, TF_EV_PARENT_ACCEPTED);
    uint64_t parent = ev.order_id;
    tf_algo_cmd c;
    assert_true(algo_cmd(&c));
    tf_order_event ce = algo_answer(child(3, parent, TF_SELL, PX(43100), BQ(1)), 3);
    assert_int_equal(ce.kind, TF_EV_ACCEPTED);
    /* The parent holds nothing now: a second whole child is refused. */
    ce = algo_answer(child(3, parent, TF_SELL, PX(43100), BQ(0.5)), 3);
    assert_int_equal(ce.reason, TF_RJ_BAD_REQUEST);
    /* The child is canceled unfilled: its quantity is the parent's again. */
    fx_submit(&F, 0, TF_REQ_CANCEL_ALL, NULL, 0);
    fx_run(&F);
    ce = algo_answer(child(3, parent, TF_SELL, PX(43100), BQ(1)), 3);
    assert_int_equal(ce.kind, TF_EV_ACCEPTED);
}

/* A native iceberg's display (tf_req_order.display_qty on a child): a part
 * of a limit child, or refused; what passes reaches the venue command. */
static void test_a_childs_display_is_checked_and_reaches_the_venue(void **state)
{
    (void)state;
    fx_submit(&F, 0, TF_REQ_CANCEL_ALL, NULL, 0);
    fx_run(&F);
    tf_order_event ev = answer(twap(3, TF_BUY, BQ(0.5), 60, 5));
    assert_int_equal(ev.kind, TF_EV_PARENT_ACCEPTED);
    uint64_t parent = ev.order_id;
    tf_algo_cmd c;
    assert_true(algo_cmd(&c));
    tf_req_order b = {.instrument = BTC, .side = TF_BUY, .type = TF_LIMIT, .tif = TF_GTC, .price = PX(42990),
                      .qty = BQ(0.3), .order_id = parent, .flags = TF_ORDF_ALGO_CHILD};
    int64_t bad[] = {BQ(0.3), BQ(0.4), -1};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        b.display_qty = bad[i];
        tf_order_event ce = algo_answer(from_algo(3, TF_REQ_NEW, &b, sizeof b), 3);
        assert_int_equal(ce.kind, TF_EV_REJECTED);
        assert_int_equal(ce.reason, TF_RJ_BAD_REQUEST);
    }
    tf_req_order m = b;
    m.type = TF_MARKET;
    m.price = 0;
    m.tif = TF_IOC;
    m.display_qty = BQ(0.1);
    tf_order_event ce = algo_answer(from_algo(3, TF_REQ_NEW, &m, sizeof m), 3);
    assert_int_equal(ce.reason, TF_RJ_BAD_REQUEST); /* a market order shows nothing */
    /* A good one: risk and OMS only, and the venue command read here. */
    b.display_qty = BQ(0.05);
    from_algo(3, TF_REQ_NEW, &b, sizeof b);
    for (int i = 0; i < 8; i++) {
        F.now += 1000;
        F.s_risk.poll(&F.s_risk, F.now);
        F.s_oms.poll(&F.s_oms, F.now);
    }
    tf_venue_cmd v;
    assert_true(tf_spsc_poll(&F.oms_venue, &v, sizeof v));
    assert_int_equal(v.kind, TF_VC_NEW);
    assert_int_equal(v.qty, BQ(0.3));
    assert_int_equal(v.display_qty, BQ(0.05));
    assert_int_equal(v.t_md_ns, 0); /* the display is not taken for a tick's stamp */
    assert_true(v.request_before_ns > 0);
    assert_false(tf_spsc_poll(&F.oms_venue, &v, sizeof v));
    /* A plain order carries none. */
    fx_new(&F, 2, BTC, TF_BUY, TF_LIMIT, PX(42990), BQ(0.01));
    for (int i = 0; i < 8; i++) {
        F.now += 1000;
        F.s_risk.poll(&F.s_risk, F.now);
        F.s_oms.poll(&F.s_oms, F.now);
    }
    assert_true(tf_spsc_poll(&F.oms_venue, &v, sizeof v));
    assert_int_equal(v.display_qty, 0);
    fx_run(&F);
}

static void test_the_kill_switch_stops_every_parent(void **state)
{
    (void)state;
    tf_algo_cmd c;
    while (algo_cmd(&c)) {
    }
    tf_req_control k = {.on = 1};
    fx_submit(&F, 0, TF_REQ_KILL, &k, sizeof k);
    fx_run(&F);
    assert_true(algo_cmd(&c));
    assert_int_equal(c.action, TF_ALGO_ACT_CANCEL);
    assert_int_equal(c.parent_id, 0); /* every parent */
    expect_reject(twap(3, TF_BUY, BQ(0.1), 60, 5), TF_RJ_HALTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_algo_stage_refuses_parents),
        cmocka_unit_test(test_a_parent_is_checked_whole_and_held),
        cmocka_unit_test(test_a_childs_unfilled_quantity_returns_to_its_parent),
        cmocka_unit_test(test_a_childs_display_is_checked_and_reaches_the_venue),
        cmocka_unit_test(test_the_kill_switch_stops_every_parent),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

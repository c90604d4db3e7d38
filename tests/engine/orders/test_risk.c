/* The risk gate: each pre-trade check passes one order and refuses another
 * with its reason; the kill switch end to end inside one process. Orders go
 * through the real rings, OMS and paper venue (tests/engine/orders/order_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/engine/orders/order_fixture.h"
#include "tests/test_util.h"

static const char *risk_yaml =
    "orders: {capacity: 1024}\n"
    "risk:\n"
    "  max_gross_exposure: \"100000\"\n"
    "  max_concentration_pct: 80\n"
    "  daily_loss_limit: \"1000\"\n"
    "  max_open_orders: 50\n"
    "  duplicate_count: 3\n"
    "  instruments:\n"
    "    - {symbol: BTCUSDT, min_qty: \"0.0002\", max_order_qty: \"1\", max_order_notional: \"50000\",\n"
    "       max_position: \"1.5\", collar_bps: 100}\n"
    "  strategies:\n"
    "    - {id: 1, name: a, orders_per_s: 3, max_order_notional: \"40000\"}\n"
    "    - {id: 2, name: b, max_open_orders: 2}\n"
    "    - {id: 3, name: c}\n"
    "    - {id: 4, name: d, cancels_per_s: 1, replaces_per_s: 1}\n";

#define BTC 0
#define ETH 1
#define PX(x) ((int64_t)((x) * 100 + 0.5))      /* price units, 2 decimals */
#define BQ(x) ((int64_t)((x) * 100000 + 0.5))   /* BTC qty units, 5 decimals */
#define EQ(x) ((int64_t)((x) * 10000 + 0.5))    /* ETH qty units, 4 decimals */

static fx F;

static int setup(void **state)
{
    (void)state;
    if (test_dir_make("tf_risk") != 0 || fx_open(&F, test_dir, risk_yaml) != 0)
        return -1;
    /* BTC ticks of 0.10 and lots of 0.0001 for the tick and lot checks. */
    F.ins.items[BTC].tick_size = 10;
    F.ins.items[BTC].lot_size = 10;
    return 0;
}

static int teardown(void **state)
{
    fx_close(&F);
    return test_dir_remove(state);
}

/* Submit, run the stages, return the answering event. */
static tf_order_event answer(uint64_t req)
{
    fx_run(&F);
    tf_order_event ev;
    if (!fx_answer(&F, req, &ev))
        fail_msg("no answer to request %llu", (unsigned long long)req);
    return ev;
}

static void expect(uint64_t req, tf_reject_reason why, const char *what)
{
    tf_order_event ev = answer(req);
    if (why == TF_RJ_NONE) {
        if (ev.kind == TF_EV_REJECTED || ev.kind == TF_EV_CANCEL_REJECTED)
            fail_msg("%s: refused (%s), should pass", what, tf_reject_reason_names[ev.reason]);
    } else if (ev.kind != TF_EV_REJECTED || ev.reason != why) {
        fail_msg("%s: got %s/%s, want rejected/%s", what, tf_event_kind_names[ev.kind],
                 tf_reject_reason_names[ev.reason], tf_reject_reason_names[why]);
    }
}

static uint64_t order_of(uint64_t req) { return answer(req).order_id; }

static void cancel_all(void)
{
    fx_submit(&F, 0, TF_REQ_CANCEL_ALL, NULL, 0);
    fx_run(&F);
    F.now += 2000000000ull; /* rate buckets refill, duplicate windows pass */
    fx_set_mid(&F, BTC, PX(43000), PX(43000.1));
    fx_set_mid(&F, ETH, PX(3000), PX(3000.1));
}

static void test_identity_and_shape(void **state)
{
    (void)state;
    expect(fx_new(&F, 9, BTC, TF_BUY, TF_LIMIT, PX(42990), BQ(0.001)), TF_RJ_UNKNOWN_STRATEGY, "strategy 9");
    expect(fx_new(&F, 3, 7, TF_BUY, TF_LIMIT, PX(42990), BQ(0.001)), TF_RJ_UNKNOWN_INSTRUMENT, "instrument 7");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42990), 0), TF_RJ_BAD_REQUEST, "qty 0");
    expect(fx_new(&F, 3, BTC, 5, TF_LIMIT, PX(42990), BQ(0.001)), TF_RJ_BAD_REQUEST, "side 5");
    expect(fx_new(&F, 3, ETH, TF_BUY, TF_LIMIT, PX(2999), INT64_MAX), TF_RJ_BAD_REQUEST, "absurd qty");
    expect(fx_new(&F, 3, ETH, TF_BUY, TF_LIMIT, INT64_MAX, EQ(1)), TF_RJ_BAD_REQUEST, "absurd price");
    expect(fx_new(&F, 3, ETH, TF_BUY, TF_LIMIT, PX(2999), 900000000000ll), TF_RJ_MAX_NOTIONAL,
           "a notional no money figure can hold");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42990), BQ(0.001)), TF_RJ_NONE, "a good order");
    /* The same client request id again: a retry never doubles an order. */
    F.req_id--;
    uint64_t again = fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42990), BQ(0.001));
    fx_run(&F);
    int accepted = 0, duplicate = 0;
    tf_journal_reader r;
    tf_journal_reader_init(&r, &F.journal, TF_JOURNAL_FROM_OLDEST);
    uint8_t buf[128];
    tf_journal_slot *s = (tf_journal_slot *)buf;
    while (tf_journal_read(&r, s) == TF_JR_OK) {
        const tf_order_event *ev = (const tf_order_event *)s->payload;
        accepted += ev->client_req_id == again && ev->kind == TF_EV_ACCEPTED;
        duplicate += ev->client_req_id == again && ev->kind == TF_EV_REJECTED &&
                     ev->reason == TF_RJ_DUPLICATE_REQUEST;
    }
    assert_int_equal(accepted, 1); /* one order, */
    assert_int_equal(duplicate, 1); /* and the retry answered as a duplicate */
    cancel_all();
}

static void test_terms(void **state)
{
    (void)state;
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42990.05), BQ(0.001)), TF_RJ_TICK_SIZE, "off tick");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42990.1), BQ(0.001)), TF_RJ_NONE, "on tick");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42990), BQ(0.00015)), TF_RJ_LOT_SIZE, "off lot");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42990), BQ(0.0001)), TF_RJ_MIN_QTY, "below min qty");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42990), BQ(1.0001)), TF_RJ_MAX_QTY, "above max qty");
    expect(fx_new(&F, 3, ETH, TF_BUY, TF_LIMIT, PX(2999), EQ(0.001)), TF_RJ_MIN_NOTIONAL, "3 USDT");
    expect(fx_new(&F, 3, ETH, TF_BUY, TF_LIMIT, PX(2999), EQ(0.002)), TF_RJ_NONE, "6 USDT");
    expect(fx_new(&F, 1, BTC, TF_BUY, TF_LIMIT, PX(42990), BQ(0.95)), TF_RJ_MAX_NOTIONAL,
           "40 840 USDT over strategy 1's 40 000");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42990), BQ(0.95)), TF_RJ_NONE, "the same for strategy 3");
    cancel_all();
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(43500), BQ(0.001)), TF_RJ_PRICE_COLLAR, "1.2 % away");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(43400), BQ(0.001)), TF_RJ_NONE, "0.9 % away");
    cancel_all();
    F.now += 20000000000ull; /* the reference is 20 s old: stale */
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_MARKET, 0, BQ(0.001)), TF_RJ_NO_REFERENCE, "market, stale");
    cancel_all();
}

static void test_exposure(void **state)
{
    (void)state;
    /* Position 1.5: two orders in flight cannot together breach it. */
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(1)), TF_RJ_NONE, "1 BTC");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(0.6)), TF_RJ_POSITION_LIMIT, "1.6 BTC");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(0.5)), TF_RJ_NONE, "1.5 BTC");
    cancel_all();
    /* Gross 100 000: 60 000 of ETH, then 43 000 of BTC is too much. */
    expect(fx_new(&F, 3, ETH, TF_BUY, TF_LIMIT, PX(2990), EQ(20)), TF_RJ_NONE, "60 000 ETH");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(1)), TF_RJ_GROSS_EXPOSURE, "+43 000 BTC");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(0.5)), TF_RJ_NONE, "+21 500 BTC");
    cancel_all();
    /* Concentration 80 % of 100 000. */
    expect(fx_new(&F, 3, ETH, TF_BUY, TF_LIMIT, PX(2990), EQ(30)), TF_RJ_CONCENTRATION, "90 000 ETH");
    expect(fx_new(&F, 3, ETH, TF_BUY, TF_LIMIT, PX(2990), EQ(26)), TF_RJ_NONE, "78 000 ETH");
    cancel_all();
}

static void test_flow_limits(void **state)
{
    (void)state;
    for (int k = 0; k < 3; k++)
        expect(fx_new(&F, 1, BTC, TF_BUY, TF_LIMIT, PX(42900 - k), BQ(0.001)), TF_RJ_NONE, "within rate");
    expect(fx_new(&F, 1, BTC, TF_BUY, TF_LIMIT, PX(42800), BQ(0.001)), TF_RJ_ORDER_RATE, "4th in a second");
    cancel_all();
    expect(fx_new(&F, 2, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(0.001)), TF_RJ_NONE, "open 1");
    expect(fx_new(&F, 2, BTC, TF_BUY, TF_LIMIT, PX(42901), BQ(0.001)), TF_RJ_NONE, "open 2");
    expect(fx_new(&F, 2, BTC, TF_BUY, TF_LIMIT, PX(42902), BQ(0.001)), TF_RJ_MAX_OPEN_ORDERS, "open 3");
    cancel_all();
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(0.001)), TF_RJ_NONE, "same 1");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(0.001)), TF_RJ_NONE, "same 2");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(0.001)), TF_RJ_DUPLICATE_ORDER, "same 3");
    cancel_all();
    /* Self-trade: a buy at or above our own resting sell. */
    expect(fx_new(&F, 2, BTC, TF_SELL, TF_LIMIT, PX(43050), BQ(0.001)), TF_RJ_NONE, "resting sell");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(43060), BQ(0.001)), TF_RJ_SELF_TRADE, "crossing buy");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(43040), BQ(0.001)), TF_RJ_NONE, "buy below it");
    cancel_all();
    /* Cancel and replace throttles; unknown orders. */
    uint64_t a = order_of(fx_new(&F, 4, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(0.001)));
    uint64_t b = order_of(fx_new(&F, 4, BTC, TF_BUY, TF_LIMIT, PX(42901), BQ(0.001)));
    tf_req_order r = {.order_id = a, .price = PX(42910), .qty = BQ(0.002)};
    expect(fx_submit(&F, 4, TF_REQ_REPLACE, &r, sizeof r), TF_RJ_NONE, "replace 1");
    r.order_id = b;
    expect(fx_submit(&F, 4, TF_REQ_REPLACE, &r, sizeof r), TF_RJ_REPLACE_RATE, "replace 2");
    r.order_id = a;
    expect(fx_submit(&F, 4, TF_REQ_CANCEL, &r, sizeof r), TF_RJ_NONE, "cancel 1");
    r.order_id = b;
    expect(fx_submit(&F, 4, TF_REQ_CANCEL, &r, sizeof r), TF_RJ_CANCEL_RATE, "cancel 2");
    r.order_id = 999999;
    expect(fx_submit(&F, 3, TF_REQ_CANCEL, &r, sizeof r), TF_RJ_UNKNOWN_ORDER, "unknown order");
    r.order_id = b;
    expect(fx_submit(&F, 3, TF_REQ_CANCEL, &r, sizeof r), TF_RJ_UNKNOWN_ORDER, "another strategy's order");
    cancel_all();
}

static void test_states_and_limits(void **state)
{
    (void)state;
    uint64_t keep = order_of(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(0.001)));
    tf_req_control st = {.on = TF_TS_REDUCING};
    expect(fx_submit(&F, 0, TF_REQ_SET_STATE, &st, sizeof st), TF_RJ_NONE, "reducing");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(0.002)), TF_RJ_REDUCE_ONLY, "a buy, flat");
    st.on = TF_TS_HALTED;
    expect(fx_submit(&F, 0, TF_REQ_SET_STATE, &st, sizeof st), TF_RJ_NONE, "halted");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(0.003)), TF_RJ_HALTED, "halted buy");
    tf_req_order c = {.order_id = keep};
    expect(fx_submit(&F, 3, TF_REQ_CANCEL, &c, sizeof c), TF_RJ_NONE, "cancels always pass");
    st.on = TF_TS_ACTIVE;
    expect(fx_submit(&F, 0, TF_REQ_SET_STATE, &st, sizeof st), TF_RJ_NONE, "active");
    expect(fx_submit(&F, 3, TF_REQ_SET_STATE, &st, sizeof st), TF_RJ_NOT_AUTHORIZED, "a strategy may not");
    tf_req_limit l = {.limit = TF_LIM_MAX_ORDER_QTY, .target = BTC, .value = BQ(0.5)};
    expect(fx_submit(&F, 3, TF_REQ_SET_LIMIT, &l, sizeof l), TF_RJ_NOT_AUTHORIZED, "limit from a strategy");
    expect(fx_submit(&F, 0, TF_REQ_SET_LIMIT, &l, sizeof l), TF_RJ_NONE, "limit from the operator");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(0.6)), TF_RJ_MAX_QTY, "live limit applies");
    l.limit = 999;
    expect(fx_submit(&F, 0, TF_REQ_SET_LIMIT, &l, sizeof l), TF_RJ_BAD_LIMIT, "unknown limit");
    l = (tf_req_limit){.limit = TF_LIM_MAX_ORDER_QTY, .target = BTC, .value = BQ(1)};
    expect(fx_submit(&F, 0, TF_REQ_SET_LIMIT, &l, sizeof l), TF_RJ_NONE, "back to 1");
    l = (tf_req_limit){.limit = TF_LIM_TRADABLE, .target = ETH, .value = 0};
    expect(fx_submit(&F, 0, TF_REQ_SET_LIMIT, &l, sizeof l), TF_RJ_NONE, "close ETH");
    expect(fx_new(&F, 3, ETH, TF_BUY, TF_LIMIT, PX(2999), EQ(0.01)), TF_RJ_NOT_TRADABLE, "ETH closed");
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(0.001)), TF_RJ_NONE, "BTC still open");
    l.value = 1;
    expect(fx_submit(&F, 0, TF_REQ_SET_LIMIT, &l, sizeof l), TF_RJ_NONE, "open ETH");
    expect(fx_new(&F, 3, ETH, TF_BUY, TF_LIMIT, PX(2999), EQ(0.01)), TF_RJ_NONE, "ETH open again");
    cancel_all();
}

/* Kill switch: trigger → every open order canceled, new orders refused,
 * cancels still pass; the daily loss limit trips it by itself. */
static void test_kill_switch(void **state)
{
    (void)state;
    uint64_t ids[3];
    for (int k = 0; k < 3; k++)
        ids[k] = order_of(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42900 + k), BQ(0.001)));
    tf_req_control on = {.on = 1};
    uint64_t kreq = fx_submit(&F, 0, TF_REQ_KILL, &on, sizeof on);
    tf_order_event ev = answer(kreq);
    assert_int_equal(ev.kind, TF_EV_KILL);
    assert_int_equal(ev.arg, 3);
    for (int k = 0; k < 3; k++)
        assert_null(tf_oms_find(&F.oms, ids[k]));
    assert_int_equal(F.oms.open_count, 0);
    assert_true(F.oms.kill_to_cancels_ns > 0);
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(0.001)), TF_RJ_HALTED, "after the kill");
    tf_req_control off = {.on = 0};
    expect(fx_submit(&F, 0, TF_REQ_KILL, &off, sizeof off), TF_RJ_NONE, "reset");
    cancel_all();

    /* Daily loss: buy 1 BTC from the book, the market falls 1 500. */
    tf_md_depth d = {.instrument = BTC, .side = TF_SIDE_ASK, .flags = TF_MD_DEPTH_FIRST | TF_MD_DEPTH_LAST,
                     .price = PX(43000.1), .qty = BQ(2)};
    tf_paper_on_md(&F.paper, TF_REC_MD_DEPTH, &d);
    expect(fx_new(&F, 3, BTC, TF_BUY, TF_MARKET, 0, BQ(1)), TF_RJ_NONE, "market buy");
    uint64_t rest = order_of(fx_new(&F, 3, BTC, TF_SELL, TF_LIMIT, PX(43300), BQ(0.5)));
    assert_non_null(tf_oms_find(&F.oms, rest));
    fx_run(&F);
    assert_int_equal(F.oms.pos[3][BTC].qty, BQ(1));
    fx_set_mid(&F, BTC, PX(41500), PX(41500.1));
    F.now += 20000000; /* the next mark */
    fx_run(&F);
    assert_true(F.risk.kill_active);
    assert_int_equal(F.risk.kill_trigger, TF_KILL_DAILY_LOSS);
    assert_null(tf_oms_find(&F.oms, rest));
    assert_true(F.risk.daily_pnl < -100000000000ll);
    tf_req_control off2 = {.on = 0};
    fx_submit(&F, 0, TF_REQ_KILL, &off2, sizeof off2);
    fx_run(&F);
    cancel_all();

    /* A stage failure (the engine's main thread sets the flag) trips it too. */
    uint64_t live = order_of(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(0.001)));
    assert_non_null(tf_oms_find(&F.oms, live));
    uint32_t failed = 1;
    F.risk.kill_flag = &failed;
    fx_run(&F);
    assert_true(F.risk.kill_active);
    assert_int_equal(F.risk.kill_trigger, TF_KILL_STAGE_FAILURE);
    assert_null(tf_oms_find(&F.oms, live));
    F.risk.kill_flag = NULL;
    fx_submit(&F, 0, TF_REQ_KILL, &off2, sizeof off2);
    fx_run(&F);
    assert_false(F.risk.kill_active);
}

/* Restart: fills of earlier days replayed from the order journal are the
 * daily loss limit's baseline, not today's loss. */
static void test_replayed_days(void **state)
{
    (void)state;
    fx g;
    assert_int_equal(fx_open(&g, test_dir, "risk:\n  daily_loss_limit: \"500\"\n"), 0);
    uint64_t now_rt = tf_realtime_ns(), yesterday = now_rt - 86400000000000ull;
    const struct { uint8_t kind, state, side; int64_t px, qty, cum; uint64_t rt; } evs[] = {
        {TF_EV_ACCEPTED, TF_OS_PENDING_NEW, TF_BUY, PX(43000), BQ(1), 0, yesterday},
        {TF_EV_FILL, TF_OS_FILLED, TF_BUY, PX(43000), BQ(1), BQ(1), yesterday},
        {TF_EV_ACCEPTED, TF_OS_PENDING_NEW, TF_SELL, PX(42000), BQ(1), 0, yesterday},
        {TF_EV_FILL, TF_OS_FILLED, TF_SELL, PX(42000), BQ(1), BQ(1), yesterday}, /* -1000 yesterday */
        {TF_EV_ACCEPTED, TF_OS_PENDING_NEW, TF_BUY, PX(43000), BQ(0.1), 0, now_rt},
        {TF_EV_FILL, TF_OS_FILLED, TF_BUY, PX(43000), BQ(0.1), BQ(0.1), now_rt},
    };
    for (size_t k = 0; k < sizeof evs / sizeof evs[0]; k++) {
        tf_order_event ev = {.order_id = 1 + k / 2, .client_req_id = 1 + k / 2, .strategy = 3,
                             .instrument = BTC, .kind = evs[k].kind, .state = evs[k].state,
                             .side = evs[k].side, .price = evs[k].px, .qty = evs[k].qty,
                             .cum_qty = evs[k].cum, .realtime_ns = evs[k].rt};
        if (ev.kind == TF_EV_FILL) {
            ev.last_px = evs[k].px;
            ev.last_qty = evs[k].qty;
        }
        tf_oms_replay(&g.oms, &ev);
    }
    assert_int_equal(g.oms.pos[3][BTC].realized, -100000000000ll);        /* -1000 USDT */
    assert_int_equal(g.oms.day_base[3][BTC], -100000000000ll);
    tf_risk_seed_position(&g.risk, 3, &g.oms.pos[3][BTC], g.oms.day_base[3][BTC]);
    tf_order_cmd cmd;
    assert_false(tf_risk_mark(&g.risk, g.now, &cmd));                       /* not a loss of today */
    assert_false(g.risk.kill_active);
    assert_true(g.risk.daily_pnl > -50000000000ll);
    assert_int_equal(g.risk.realized, -100000000000ll);
    fx_close(&g);
}

/* The operator's requests (resolve, session reset) are the operator's
 * (strategy 0) alone; an out-of-band fill moves the gate's exposure and,
 * with risk.kill_on_out_of_band_fill, trips the kill switch. */
static void test_operator_and_out_of_band(void **state)
{
    (void)state;
    uint64_t id = order_of(fx_new(&F, 3, BTC, TF_BUY, TF_LIMIT, PX(42900), BQ(0.001)));
    tf_req_resolve r = {.order_id = id, .outcome = TF_RESOLVE_CANCELED, .uid = 77};
    expect(fx_submit(&F, 3, TF_REQ_RESOLVE, &r, sizeof r), TF_RJ_NOT_AUTHORIZED, "a strategy resolving");
    tf_req_resolve bad = {.order_id = id, .outcome = TF_RESOLVE_FILLED, .qty = 0, .price = PX(42900)};
    expect(fx_submit(&F, 0, TF_REQ_RESOLVE, &bad, sizeof bad), TF_RJ_BAD_REQUEST, "filled with no quantity");
    tf_req_resolve sess = {.order_id = 9};
    expect(fx_submit(&F, 0, TF_REQ_SESSION_RESET, &sess, sizeof sess), TF_RJ_BAD_REQUEST, "no session 9");
    tf_order_event ev = answer(fx_submit(&F, 0, TF_REQ_RESOLVE, &r, sizeof r));
    assert_int_equal(ev.kind, TF_EV_RESOLVED);
    assert_int_equal(ev.arg, 77);
    assert_null(tf_oms_find(&F.oms, id));
    assert_int_equal(F.risk.open_count, 0); /* its worst case no longer counts */
    sess.order_id = UINT64_MAX;
    ev = answer(fx_submit(&F, 0, TF_REQ_SESSION_RESET, &sess, sizeof sess));
    assert_int_equal(ev.kind, TF_EV_SESSION_RESET);
    assert_int_equal(ev.qty, -1);

    int64_t before = F.risk.total[BTC].pos.qty;
    F.risk.kill_on_out_of_band_fill = true;
    tf_exec_report x = {.kind = TF_EX_OUT_OF_BAND_FILL, .instrument = BTC, .order_id = id, .side = TF_BUY,
                        .last_px = PX(42900), .last_qty = BQ(0.002)};
    tf_oms_on_exec(&F.oms, &x, F.now);
    fx_run(&F);
    assert_int_equal(F.risk.total[BTC].pos.qty, before + BQ(0.002));
    assert_true(F.risk.kill_active);
    assert_int_equal(F.risk.kill_trigger, TF_KILL_OUT_OF_BAND_FILL);
}

/* A refused request never moves the request-id window: one record with an
 * unknown type and the largest id cannot make the operator's kill switch a
 * "duplicate" (before: every later request was refused, and the journal
 * kept the poison across a restart). And a client cannot set the kill
 * switch's own flatten flag to pass the halt. */
static void test_refused_ids_and_engine_flags(void **state)
{
    (void)state;
    struct tf_request poison = {.type = 99, .source_id = 0, .client_seq = UINT64_MAX, .t_sent_ns = tf_now_ns()};
    tf_spsc_offer(&F.lanes.rings[F.lane], &poison, sizeof poison);
    tf_order_event ev = answer(UINT64_MAX);
    assert_int_equal(ev.kind, TF_EV_REJECTED);
    tf_req_control on = {.on = 1};
    ev = answer(fx_submit(&F, 0, TF_REQ_KILL, &on, sizeof on));
    assert_int_equal(ev.kind, TF_EV_KILL); /* not a duplicate */
    assert_true(F.risk.kill_active);
    /* Halted: a client's reducing order with the engine's flatten flag is refused. */
    tf_req_order b = {.instrument = BTC, .side = TF_SELL, .type = TF_MARKET, .tif = TF_IOC,
                      .flags = TF_ORDF_FLATTEN | TF_ORDF_REDUCE_ONLY, .qty = BQ(0.001)};
    expect(fx_submit(&F, 3, TF_REQ_NEW, &b, sizeof b), TF_RJ_NOT_AUTHORIZED, "a client's flatten flag");
    tf_req_control off = {.on = 0};
    expect(fx_submit(&F, 0, TF_REQ_KILL, &off, sizeof off), TF_RJ_NONE, "reset");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_and_shape),
        cmocka_unit_test(test_terms),
        cmocka_unit_test(test_exposure),
        cmocka_unit_test(test_flow_limits),
        cmocka_unit_test(test_states_and_limits),
        cmocka_unit_test(test_kill_switch),
        cmocka_unit_test(test_replayed_days),
        cmocka_unit_test(test_operator_and_out_of_band),
        cmocka_unit_test(test_refused_ids_and_engine_flags),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

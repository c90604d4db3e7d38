/* What the OMS settles beyond the venue's normal reports (oms.h):
 * - an out-of-band fill (for an order already finished, or for none we
 *   know) moves the position, is journaled with its quantity, counted and
 *   passed to the risk gate; replaying the journal moves it again;
 * - an operator's resolution of an open order (canceled, or filled with a
 *   quantity and price) finishes it, journaled with the operator's uid,
 *   and tells the venue stage to forget it; a bad one is refused;
 * - a venue refusal keeps its reason (venue_unavailable is not "venue").
 * The OMS is driven directly over the real rings and journal of
 * order_fixture.h; the paper venue is never polled. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/engine/orders/order_fixture.h"
#include "tests/test_util.h"

#define BTC 0

static fx F;
static tf_journal_reader R;
static uint64_t next_order = 1, next_req = 1;

static int setup(void **state)
{
    (void)state;
    fx_journal_slots = 4096;
    if (test_dir_make("tf_oms_settle") != 0 || fx_open(&F, test_dir, "orders: {capacity: 64}\n") != 0)
        return -1;
    tf_journal_reader_init(&R, &F.journal, TF_JOURNAL_FROM_OLDEST);
    return 0;
}

static int teardown(void **state)
{
    fx_close(&F);
    return test_dir_remove(state);
}

/* Events journaled since the last call: how many, and the last one. */
/* Events journaled since the last drain; the last one not a position in
 * *last, the last position (journaled after each fill) in *pos. */
static int drain_with_position(tf_order_event *last, tf_order_event *pos)
{
    uint8_t buf[128];
    tf_journal_slot *s = (tf_journal_slot *)buf;
    int n = 0;
    while (tf_journal_read(&R, s) == TF_JR_OK) {
        tf_order_event ev;
        memcpy(&ev, s->payload, sizeof ev);
        if (ev.kind == TF_EV_POSITION) {
            if (pos)
                *pos = ev;
            continue;
        }
        if (last)
            *last = ev;
        n++;
    }
    return n;
}

static int drain(tf_order_event *last)
{
    return drain_with_position(last, NULL);
}

static void cmd(tf_order_cmd c)
{
    c.client_req_id = next_req++;
    F.now += 1000;
    tf_oms_on_cmd(&F.oms, &c, F.now);
}

static void report(tf_exec_report x)
{
    F.now += 1000;
    tf_oms_on_exec(&F.oms, &x, F.now);
}

static uint64_t live_order(int64_t px, int64_t qty)
{
    uint64_t id = next_order++;
    cmd((tf_order_cmd){.kind = TF_CMD_NEW, .side = TF_BUY, .type = TF_LIMIT, .strategy = 0, .instrument = BTC,
                       .order_id = id, .price = px, .qty = qty});
    report((tf_exec_report){.kind = TF_EX_ACK, .instrument = BTC, .order_id = id});
    drain(NULL);
    return id;
}

static bool feedback(tf_risk_feedback *fb)
{
    bool got = false;
    tf_risk_feedback tmp;
    while (tf_spsc_poll(&F.oms_risk, &tmp, sizeof tmp)) { /* the last one */
        *fb = tmp;
        got = true;
    }
    return got;
}

static bool venue_cmd(tf_venue_cmd *v)
{
    bool got = false;
    tf_venue_cmd tmp;
    while (tf_spsc_poll(&F.oms_venue, &tmp, sizeof tmp)) {
        *v = tmp;
        got = true;
    }
    return got;
}

static void test_out_of_band_fill(void **state)
{
    (void)state;
    uint64_t id = live_order(4300000, 300);
    report((tf_exec_report){.kind = TF_EX_FILL, .instrument = BTC, .order_id = id, .last_px = 4300000,
                            .last_qty = 300});
    assert_null(tf_oms_find(&F.oms, id)); /* filled: finished */
    assert_int_equal(F.oms.total[BTC].qty, 300);
    drain(NULL);
    tf_risk_feedback fb;
    feedback(&fb);
    /* The venue fills it again (it placed it twice): the position follows. */
    report((tf_exec_report){.kind = TF_EX_OUT_OF_BAND_FILL, .instrument = BTC, .order_id = id, .side = TF_BUY,
                            .last_px = 4290000, .last_qty = 100, .fee = 42});
    assert_int_equal(F.oms.total[BTC].qty, 400);
    assert_int_equal(F.oms.pos[0][BTC].qty, 400);
    assert_int_equal(F.oms.status.out_of_band_fills, 1);
    tf_order_event ev, pos = {0};
    assert_int_equal(drain_with_position(&ev, &pos), 1);
    /* The position it left follows it in the journal, for the exporters. */
    assert_int_equal(pos.kind, TF_EV_POSITION);
    assert_int_equal(pos.qty, 400);
    assert_int_equal(pos.instrument, BTC);
    assert_int_equal(pos.last_px, 4290000);
    assert_int_equal(pos.fee, F.oms.pos[0][BTC].fees);
    assert_int_equal(pos.arg, F.oms.pos[0][BTC].realized);
    assert_int_equal(pos.price, F.oms.pos[0][BTC].avg_px);
    assert_int_equal(ev.kind, TF_EV_OUT_OF_BAND_FILL);
    assert_int_equal(ev.order_id, id);
    assert_int_equal(ev.last_qty, 100);
    assert_int_equal(ev.last_px, 4290000);
    assert_int_equal(ev.fee, 42);
    assert_int_equal(ev.state, TF_OS_NONE);
    assert_true(feedback(&fb));
    assert_int_equal(fb.kind, TF_EX_OUT_OF_BAND_FILL);
    assert_int_equal(fb.last_qty, 100);
    /* A sell for no order we know moves the position too. */
    report((tf_exec_report){.kind = TF_EX_OUT_OF_BAND_FILL, .instrument = BTC, .order_id = 0, .side = TF_SELL,
                            .last_px = 4300000, .last_qty = 50});
    assert_int_equal(F.oms.total[BTC].qty, 350);
    /* Replayed from the journal (a restart), the same fills count again. */
    int64_t before = F.oms.total[BTC].qty;
    tf_oms_replay(&F.oms, &ev);
    assert_int_equal(F.oms.total[BTC].qty, before + 100);
    /* Nonsense is refused (an illegal report), the position unmoved. */
    uint64_t illegal = F.oms.status.illegal;
    report((tf_exec_report){.kind = TF_EX_OUT_OF_BAND_FILL, .instrument = 7, .order_id = 0, .side = TF_BUY,
                            .last_px = 1, .last_qty = 1});
    assert_int_equal(F.oms.status.illegal, illegal + 1);
    assert_int_equal(F.oms.total[BTC].qty, before + 100);
}

static void resolve(uint64_t id, uint32_t outcome, int64_t px, int64_t qty, uint32_t uid)
{
    cmd((tf_order_cmd){.kind = TF_CMD_RESOLVE, .strategy = 0, .order_id = id, .price = px, .qty = qty,
                       .arg = (int64_t)((uint64_t)uid << 8 | outcome)});
}

static void test_resolve(void **state)
{
    (void)state;
    uint64_t a = live_order(4300000, 300), b = live_order(4300000, 300);
    tf_risk_feedback fb;
    feedback(&fb);
    resolve(a, TF_RESOLVE_CANCELED, 0, 0, 1234);
    assert_null(tf_oms_find(&F.oms, a));
    tf_order_event ev;
    assert_int_equal(drain(&ev), 1);
    assert_int_equal(ev.kind, TF_EV_RESOLVED);
    assert_int_equal(ev.state, TF_OS_CANCELED);
    assert_int_equal(ev.arg, 1234);
    assert_true(feedback(&fb));
    assert_true(fb.done);
    tf_venue_cmd v;
    assert_true(venue_cmd(&v));
    assert_int_equal(v.kind, TF_VC_FORGET);
    assert_int_equal(v.order_id, a);
    /* Filled in part, as the venue's statement says: a fill, then resolved. */
    resolve(b, TF_RESOLVE_FILLED, 4310000, 100, 1234);
    assert_int_equal(drain(&ev), 2);
    assert_int_equal(ev.kind, TF_EV_RESOLVED);
    assert_int_equal(ev.state, TF_OS_CANCELED);
    assert_int_equal(ev.cum_qty, 100);
    assert_int_equal(F.oms.total[BTC].qty, 100);
    /* Refused: no such open order, and more than is left. */
    resolve(a, TF_RESOLVE_CANCELED, 0, 0, 1);
    assert_int_equal(drain(&ev), 1);
    assert_int_equal(ev.kind, TF_EV_CANCEL_REJECTED);
    assert_int_equal(ev.reason, TF_RJ_UNKNOWN_ORDER);
    uint64_t c = live_order(4300000, 300);
    resolve(c, TF_RESOLVE_FILLED, 4310000, 301, 1);
    assert_int_equal(drain(&ev), 1);
    assert_int_equal(ev.kind, TF_EV_CANCEL_REJECTED);
    assert_int_equal(ev.reason, TF_RJ_BAD_REQUEST);
    assert_non_null(tf_oms_find(&F.oms, c));
}

static void test_venue_refusal_keeps_reason(void **state)
{
    (void)state;
    uint64_t id = next_order++;
    cmd((tf_order_cmd){.kind = TF_CMD_NEW, .side = TF_BUY, .type = TF_LIMIT, .instrument = BTC, .order_id = id,
                       .price = 4300000, .qty = 100});
    drain(NULL);
    report((tf_exec_report){.kind = TF_EX_REJECT, .instrument = BTC, .order_id = id,
                            .reason = TF_RJ_VENUE_UNAVAILABLE});
    tf_order_event ev;
    assert_int_equal(drain(&ev), 1);
    assert_int_equal(ev.kind, TF_EV_REJECTED);
    assert_int_equal(ev.reason, TF_RJ_VENUE_UNAVAILABLE);
    tf_risk_feedback fb;
    assert_true(feedback(&fb));
    assert_int_equal(fb.reason, TF_RJ_VENUE_UNAVAILABLE);
    id = next_order++;
    cmd((tf_order_cmd){.kind = TF_CMD_NEW, .side = TF_BUY, .type = TF_LIMIT, .instrument = BTC, .order_id = id,
                       .price = 4300000, .qty = 100});
    report((tf_exec_report){.kind = TF_EX_REJECT, .instrument = BTC, .order_id = id});
    assert_int_equal(drain(&ev), 2);
    assert_int_equal(ev.reason, TF_RJ_VENUE); /* no detail given: "the venue" */
}

/* The ClOrdID the venue knows an order by comes with its replace, and
 * comes back from the journal at a restart. */
static void test_venue_ref_kept(void **state)
{
    (void)state;
    uint64_t id = live_order(4300000, 300);
    assert_int_equal(tf_oms_venue_ref(&F.oms, id), 0);
    cmd((tf_order_cmd){.kind = TF_CMD_REPLACE, .instrument = BTC, .order_id = id, .price = 4300100, .qty = 300});
    report((tf_exec_report){.kind = TF_EX_REPLACED, .instrument = BTC, .order_id = id, .price = 4300100,
                            .qty = 300, .venue_ref = 77});
    assert_int_equal(tf_oms_venue_ref(&F.oms, id), 77);
    tf_order_event ev;
    drain(&ev);
    assert_int_equal(ev.kind, TF_EV_REPLACED);
    assert_int_equal(ev.arg, 77);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_out_of_band_fill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_venue_refusal_keeps_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(test_venue_ref_kept, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

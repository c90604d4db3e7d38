/* engine/orders/oms.h promises that an impossible execution report — for an
 * unknown order, for an order already finished (canceled, filled), an
 * overfill, a transition the order state machine refuses — is counted,
 * journaled as exactly one TF_EV_ILLEGAL event, and changes nothing: the
 * order's record, its fills, the positions, the feedback to the risk gate.
 * The OMS is driven directly (tf_oms_on_cmd / tf_oms_on_exec) over the real
 * rings and journal of tests/engine/orders/order_fixture.h; the paper venue
 * is never polled, so the reports are exactly the ones fed here. */
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
#define PX(x) ((int64_t)((x) * 100 + 0.5))      /* price units, 2 decimals */
#define BQ(x) ((int64_t)((x) * 100000 + 0.5))   /* BTC qty units, 5 decimals */

static fx F;
static tf_journal_reader R;   /* events not yet looked at */
static uint64_t next_order = 1;
static uint64_t next_req = 1;

static int setup(void **state)
{
    (void)state;
    fx_journal_slots = 4096;
    if (test_dir_make("tf_oms_illegal") != 0 || fx_open(&F, test_dir, "orders: {capacity: 64}\n") != 0)
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
static int drain(tf_order_event *last)
{
    uint8_t buf[128];
    tf_journal_slot *s = (tf_journal_slot *)buf;
    int n = 0;
    while (tf_journal_read(&R, s) == TF_JR_OK) {
        assert_int_equal(s->type, TF_REC_ORDER_EVENT);
        if (last)
            memcpy(last, s->payload, sizeof *last);
        n++;
    }
    return n;
}

static void cmd(uint8_t kind, uint64_t id, int side, int64_t px, int64_t qty)
{
    tf_order_cmd c = {.kind = kind, .side = (uint8_t)side, .type = TF_LIMIT, .tif = TF_GTC,
                      .strategy = 0, .instrument = BTC, .order_id = id, .client_req_id = next_req++,
                      .price = px, .qty = qty};
    F.now += 1000;
    tf_oms_on_cmd(&F.oms, &c, F.now);
}

static void report(uint8_t kind, uint64_t id, int64_t last_px, int64_t last_qty, int64_t fee)
{
    tf_exec_report x = {.kind = kind, .instrument = BTC, .order_id = id, .last_px = last_px,
                        .last_qty = last_qty, .fee = fee};
    F.now += 1000;
    tf_oms_on_exec(&F.oms, &x, F.now);
}

/* A new order acknowledged by the venue (state NEW). */
static uint64_t live_order(int side, int64_t px, int64_t qty)
{
    uint64_t id = next_order++;
    cmd(TF_CMD_NEW, id, side, px, qty);
    report(TF_EX_ACK, id, 0, 0, 0);
    assert_non_null(tf_oms_find(&F.oms, id));
    assert_int_equal(tf_oms_find(&F.oms, id)->state, TF_OS_NEW);
    drain(NULL);
    return id;
}

/* The order's slot in the table (finished orders stay readable there). */
static tf_order_slot *slot_of(uint64_t id)
{
    for (uint32_t k = 0; k < F.oms.capacity; k++)
        if (F.table[k].used && F.table[k].order.order_id == id)
            return &F.table[k];
    fail_msg("order %llu not in the table", (unsigned long long)id);
    return NULL;
}

/* Everything an illegal report must leave alone. */
typedef struct snap {
    tf_order_slot slot;
    bool has_slot;
    tf_position pos, total;
    uint32_t open_count;
    uint64_t fills, illegal, events;
    uint64_t feedback_depth, venue_depth;
    bool findable;
} snap;

static snap take(uint64_t id)
{
    snap s;
    memset(&s, 0, sizeof s);
    for (uint32_t k = 0; k < F.oms.capacity; k++)
        if (F.table[k].used && F.table[k].order.order_id == id) {
            s.slot = F.table[k];
            s.has_slot = true;
        }
    s.pos = F.oms.pos[0][BTC];
    s.total = F.oms.total[BTC];
    s.open_count = F.oms.open_count;
    s.fills = F.oms.status.fills;
    s.illegal = F.oms.status.illegal;
    s.events = F.oms.status.events;
    s.feedback_depth = tf_ring_depth(&F.oms_risk);
    s.venue_depth = tf_ring_depth(&F.oms_venue);
    s.findable = tf_oms_find(&F.oms, id) != NULL;
    return s;
}

/* `after` is `before` with one more illegal report counted and one more
 * event journaled, and nothing else changed; returns that event. */
static tf_order_event unchanged_but_counted(const snap *before, uint64_t id)
{
    snap after = take(id);
    assert_int_equal(after.illegal, before->illegal + 1);
    assert_int_equal(after.events, before->events + 1);
    assert_int_equal(after.has_slot, before->has_slot);
    if (before->has_slot) /* the order, its seqlock and its used flag: byte for byte */
        assert_memory_equal(&after.slot, &before->slot, sizeof after.slot);
    assert_memory_equal(&after.pos, &before->pos, sizeof after.pos);
    assert_memory_equal(&after.total, &before->total, sizeof after.total);
    assert_int_equal(after.open_count, before->open_count);
    assert_int_equal(after.fills, before->fills);
    assert_int_equal(after.feedback_depth, before->feedback_depth); /* the risk gate hears nothing */
    assert_int_equal(after.venue_depth, before->venue_depth);
    assert_int_equal(after.findable, before->findable);
    tf_order_event ev;
    assert_int_equal(drain(&ev), 1); /* exactly one journal event */
    assert_int_equal(ev.kind, TF_EV_ILLEGAL);
    assert_int_equal(ev.order_id, id);
    return ev;
}

static void test_fill_for_unknown_order(void **state)
{
    (void)state;
    drain(NULL);
    snap b = take(999999);
    report(TF_EX_FILL, 999999, PX(43000), BQ(0.5), 123);
    tf_order_event ev = unchanged_but_counted(&b, 999999);
    assert_int_equal(ev.arg, TF_EX_FILL);         /* the report kind */
    assert_int_equal(ev.state, TF_OS_NONE);       /* no such order */
    assert_int_equal(ev.instrument, BTC);
    assert_int_equal(ev.last_px, PX(43000));      /* the report as received */
    assert_int_equal(ev.last_qty, BQ(0.5));
    assert_int_equal(ev.fee, 123);
    assert_int_equal(ev.cum_qty, 0);
    /* Order id 0 is never an order either. */
    b = take(0);
    report(TF_EX_ACK, 0, 0, 0, 0);
    ev = unchanged_but_counted(&b, 0);
    assert_int_equal(ev.arg, TF_EX_ACK);
}

static void test_fill_after_cancel(void **state)
{
    (void)state;
    uint64_t id = live_order(TF_BUY, PX(42000), BQ(1));
    report(TF_EX_FILL, id, PX(42000), BQ(0.25), 10);   /* partly filled, then canceled */
    cmd(TF_CMD_CANCEL, id, TF_BUY, 0, 0);
    report(TF_EX_CANCELED, id, 0, 0, 0);
    drain(NULL);
    assert_null(tf_oms_find(&F.oms, id));
    assert_int_equal(slot_of(id)->order.state, TF_OS_CANCELED);
    assert_int_equal(slot_of(id)->order.cum_qty, BQ(0.25));
    assert_int_equal(F.oms.pos[0][BTC].qty, BQ(0.25));

    snap b = take(id);
    report(TF_EX_FILL, id, PX(42000), BQ(0.5), 20);
    tf_order_event ev = unchanged_but_counted(&b, id);
    assert_int_equal(ev.arg, TF_EX_FILL);
    assert_int_equal(ev.last_qty, BQ(0.5));
    assert_int_equal(slot_of(id)->order.state, TF_OS_CANCELED);
    assert_int_equal(slot_of(id)->order.cum_qty, BQ(0.25));
    assert_int_equal(F.oms.pos[0][BTC].qty, BQ(0.25));

    /* Nor may it be canceled again, acknowledged or expired. */
    uint8_t kinds[] = {TF_EX_CANCELED, TF_EX_ACK, TF_EX_EXPIRED, TF_EX_REPLACED, TF_EX_REJECT};
    for (size_t k = 0; k < sizeof kinds; k++) {
        b = take(id);
        report(kinds[k], id, 0, 0, 0);
        ev = unchanged_but_counted(&b, id);
        assert_int_equal(ev.arg, kinds[k]);
    }
    assert_int_equal(slot_of(id)->order.state, TF_OS_CANCELED);
}

static void test_fill_after_full_fill(void **state)
{
    (void)state;
    uint64_t id = live_order(TF_SELL, PX(44000), BQ(0.1));
    report(TF_EX_FILL, id, PX(44000), BQ(0.1), 5);
    drain(NULL);
    assert_int_equal(slot_of(id)->order.state, TF_OS_FILLED);
    tf_position pos = F.oms.pos[0][BTC];

    snap b = take(id);
    report(TF_EX_FILL, id, PX(44000), BQ(0.1), 5);
    unchanged_but_counted(&b, id);
    assert_int_equal(slot_of(id)->order.state, TF_OS_FILLED);
    assert_int_equal(slot_of(id)->order.cum_qty, BQ(0.1));
    assert_int_equal(F.oms.pos[0][BTC].qty, pos.qty);
    assert_int_equal(F.oms.pos[0][BTC].realized, pos.realized);
    assert_int_equal(F.oms.pos[0][BTC].fills, pos.fills);
}

static void test_overfill(void **state)
{
    (void)state;
    uint64_t id = live_order(TF_BUY, PX(43000), BQ(1));
    report(TF_EX_FILL, id, PX(43000), BQ(0.6), 0);
    drain(NULL);
    const tf_order *o = tf_oms_find(&F.oms, id);
    assert_non_null(o);
    assert_int_equal(o->state, TF_OS_PARTIALLY_FILLED);
    assert_int_equal(o->cum_qty, BQ(0.6));
    int64_t pos_qty = F.oms.pos[0][BTC].qty;

    snap b = take(id);
    report(TF_EX_FILL, id, PX(43000), BQ(0.5), 7); /* 0.6 + 0.5 > 1 */
    tf_order_event ev = unchanged_but_counted(&b, id);
    assert_int_equal(ev.arg, TF_EX_FILL);
    assert_int_equal(ev.state, TF_OS_PARTIALLY_FILLED); /* the order as it stays */
    assert_int_equal(ev.cum_qty, BQ(0.6));
    assert_int_equal(ev.qty, BQ(1));
    assert_int_equal(ev.last_qty, BQ(0.5));
    assert_int_equal(ev.fee, 7);
    assert_int_equal(tf_oms_find(&F.oms, id)->cum_qty, BQ(0.6));
    assert_int_equal(tf_oms_find(&F.oms, id)->state, TF_OS_PARTIALLY_FILLED);
    assert_int_equal(F.oms.pos[0][BTC].qty, pos_qty);

    /* The exact rest is still a legal fill. */
    report(TF_EX_FILL, id, PX(43000), BQ(0.4), 0);
    assert_int_equal(slot_of(id)->order.state, TF_OS_FILLED);
    assert_int_equal(slot_of(id)->order.cum_qty, BQ(1));
    assert_int_equal(F.oms.pos[0][BTC].qty, pos_qty + BQ(0.4));
    drain(NULL);
}

/* Fills that are nonsense whatever the order: no quantity, a negative one, no price. */
static void test_nonsense_fills(void **state)
{
    (void)state;
    uint64_t id = live_order(TF_BUY, PX(43000), BQ(1));
    const int64_t bad[][2] = {{PX(43000), 0}, {PX(43000), -BQ(0.1)}, {0, BQ(0.1)}, {-PX(1), BQ(0.1)}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        snap b = take(id);
        report(TF_EX_FILL, id, bad[k][0], bad[k][1], 0);
        tf_order_event ev = unchanged_but_counted(&b, id);
        assert_int_equal(ev.state, TF_OS_NEW);
        assert_int_equal(ev.cum_qty, 0);
    }
}

/* Reports the state machine does not allow for a live order. */
static void test_transitions_the_fsm_refuses(void **state)
{
    (void)state;
    uint64_t id = live_order(TF_BUY, PX(43000), BQ(1));
    /* NEW: a second ack, a replace nobody asked for, a cancel-reject with no cancel pending */
    uint8_t kinds[] = {TF_EX_ACK, TF_EX_REPLACED, TF_EX_CANCEL_REJECT, TF_EX_REJECT};
    for (size_t k = 0; k < sizeof kinds; k++) {
        snap b = take(id);
        report(kinds[k], id, 0, 0, 0);
        tf_order_event ev = unchanged_but_counted(&b, id);
        assert_int_equal(ev.arg, kinds[k]);
        assert_int_equal(ev.state, TF_OS_NEW);
        assert_int_equal(tf_oms_find(&F.oms, id)->state, TF_OS_NEW);
    }
    /* PENDING_CANCEL: a replace answer is not the answer to a cancel. */
    cmd(TF_CMD_CANCEL, id, TF_BUY, 0, 0);
    drain(NULL);
    assert_int_equal(tf_oms_find(&F.oms, id)->state, TF_OS_PENDING_CANCEL);
    snap b = take(id);
    report(TF_EX_REPLACED, id, 0, 0, 0);
    tf_order_event ev = unchanged_but_counted(&b, id);
    assert_int_equal(ev.state, TF_OS_PENDING_CANCEL);
    assert_int_equal(tf_oms_find(&F.oms, id)->state, TF_OS_PENDING_CANCEL);
    report(TF_EX_CANCELED, id, 0, 0, 0); /* tidy: the real answer */
    drain(NULL);
}

/* A report kind outside tf_exec_kind, for a live order. */
static void test_unknown_report_kind(void **state)
{
    (void)state;
    uint64_t id = live_order(TF_SELL, PX(44000), BQ(1));
    uint8_t kinds[] = {0, TF_EX_OUT_OF_BAND_FILL + 1, 255};
    for (size_t k = 0; k < sizeof kinds; k++) {
        snap b = take(id);
        report(kinds[k], id, PX(44000), BQ(0.1), 0);
        tf_order_event ev = unchanged_but_counted(&b, id);
        assert_int_equal(ev.arg, kinds[k]);
        assert_int_equal(tf_oms_find(&F.oms, id)->state, TF_OS_NEW);
    }
    cmd(TF_CMD_CANCEL, id, TF_SELL, 0, 0);
    report(TF_EX_CANCELED, id, 0, 0, 0);
    drain(NULL);
}

/* The contrast: a cancel refused because the order filled first is normal,
 * journaled as CANCEL_REJECTED and not counted as illegal. */
static void test_late_cancel_reject_is_not_illegal(void **state)
{
    (void)state;
    uint64_t id = live_order(TF_BUY, PX(43000), BQ(0.1));
    cmd(TF_CMD_CANCEL, id, TF_BUY, 0, 0);
    report(TF_EX_FILL, id, PX(43000), BQ(0.1), 0);
    drain(NULL);
    assert_int_equal(slot_of(id)->order.state, TF_OS_FILLED);
    uint64_t illegal = F.oms.status.illegal;
    report(TF_EX_CANCEL_REJECT, id, 0, 0, 0);
    tf_order_event ev;
    assert_int_equal(drain(&ev), 1);
    assert_int_equal(ev.kind, TF_EV_CANCEL_REJECTED);
    assert_int_equal(ev.reason, TF_RJ_ORDER_NOT_OPEN);
    assert_int_equal(F.oms.status.illegal, illegal);
    /* ... but a cancel-reject for an id the OMS never issued is. */
    snap b = take(F.oms.max_order_id + 100);
    report(TF_EX_CANCEL_REJECT, F.oms.max_order_id + 100, 0, 0, 0);
    unchanged_but_counted(&b, F.oms.max_order_id + 100);
}

/* The count reaches readers: the OMS status slot after a publish. */
static void test_count_is_published(void **state)
{
    (void)state;
    uint64_t before = F.oms.status.illegal;
    report(TF_EX_FILL, 777777, PX(1), 1, 0);
    report(TF_EX_EXPIRED, 777778, 0, 0, 0);
    assert_int_equal(drain(NULL), 2);
    tf_oms_publish_all(&F.oms, F.now);
    const tf_state_slot *s = tf_state_find(F.state, TF_STATE_OMS, "oms");
    assert_non_null(s);
    tf_oms_status st;
    assert_int_equal(tf_state_read(s, &st, sizeof st, 1000, NULL), TF_STATE_OK);
    assert_int_equal(st.illegal, before + 2);
    assert_int_equal(st.illegal, F.oms.status.illegal);
    assert_int_equal(st.events, F.oms.status.events);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fill_for_unknown_order),
        cmocka_unit_test(test_fill_after_cancel),
        cmocka_unit_test(test_fill_after_full_fill),
        cmocka_unit_test(test_overfill),
        cmocka_unit_test(test_nonsense_fills),
        cmocka_unit_test(test_transitions_the_fsm_refuses),
        cmocka_unit_test(test_unknown_report_kind),
        cmocka_unit_test(test_late_cancel_reject_is_not_illegal),
        cmocka_unit_test(test_count_is_published),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

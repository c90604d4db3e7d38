/* 1-minute bars (engine/md/md_bars.h): one minute, boundaries, grace, late
 * trades and revisions, too-late trades, arrival order, empty-minute
 * policies (and flat bars following a revised close), exact quote volume
 * and VWAP, BTC-scale values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "engine/md/md_bars.h"

#define MIN 60000000000ull
#define SEC 1000000000ull
#define T0 (28000000ull * MIN) /* a whole minute, epoch ns */

static tf_bar_builder b;
static tf_md_bar out[64];

static void init(uint32_t qp, uint64_t grace, uint32_t policy, uint32_t window)
{
    tf_bar_config c = {.interval_ns = MIN, .grace_ns = grace, .revision_window = window,
                       .empty_policy = policy};
    tf_bar_init(&b, 3, 2, qp, &c); /* prices at 2 decimals */
}

static uint32_t trade(uint64_t id, uint64_t t_ns, int64_t px, int64_t qty)
{
    tf_md_trade t;
    memset(&t, 0, sizeof t);
    t.instrument = 3;
    t.kind = TF_MD_TRADE;
    t.trade_id = id;
    t.price = px;
    t.qty = qty;
    t.trade_time_ns = t_ns;
    return tf_bar_on_trade(&b, &t, out, 64);
}

static void test_one_minute(void **state)
{
    (void)state;
    init(5, 2 * SEC, TF_BAR_EMPTY_SKIP, 10);
    assert_int_equal(trade(1, T0, 1000, 100000), 0);
    assert_int_equal(trade(2, T0 + 10 * SEC, 1100, 200000), 0);
    assert_int_equal(trade(3, T0 + 59 * SEC + 999999999, 900, 100000), 0);
    const tf_md_bar *cur = tf_bar_current(&b);
    assert_non_null(cur);
    assert_int_equal(cur->trade_count, 3);
    /* not closed before minute end + grace */
    assert_int_equal(tf_bar_on_time(&b, T0 + MIN + 2 * SEC - 1, out, 64), 0);
    assert_int_equal(tf_bar_on_time(&b, T0 + MIN + 2 * SEC, out, 64), 1);
    const tf_md_bar *x = &out[0];
    assert_int_equal(x->instrument, 3);
    assert_int_equal(x->open_time_ns, T0);
    assert_int_equal(x->open, 1000);
    assert_int_equal(x->high, 1100);
    assert_int_equal(x->low, 900);
    assert_int_equal(x->close, 900);
    assert_int_equal(x->volume, 400000);
    /* (10.00*1 + 11.00*2 + 9.00*1) = 41.00 at 8 decimals; VWAP 10.25 at 2 + 4 decimals */
    assert_int_equal(x->quote_volume, 4100000000LL);
    assert_int_equal(x->vwap, 10250000);
    assert_int_equal(x->trade_count, 3);
    assert_int_equal(x->first_trade_id, 1);
    assert_int_equal(x->last_trade_id, 3);
    assert_true(x->flags & TF_BAR_CLOSED);
    assert_int_equal(x->revision, 0);
    assert_null(tf_bar_current(&b));
}

static void test_boundary_and_grace(void **state)
{
    (void)state;
    init(0, 2 * SEC, TF_BAR_EMPTY_SKIP, 10);
    trade(1, T0 + MIN - 1, 10, 1);   /* last ns of minute 0 */
    trade(2, T0 + MIN, 20, 1);       /* first ns of minute 1 */
    /* 500 ms after the minute, a trade for minute 0 still lands without revision */
    assert_int_equal(tf_bar_on_time(&b, T0 + MIN + SEC / 2, out, 64), 0);
    assert_int_equal(trade(3, T0 + 30 * SEC, 15, 1), 0);
    assert_int_equal(tf_bar_on_time(&b, T0 + MIN + 2 * SEC, out, 64), 1);
    assert_int_equal(out[0].trade_count, 2);
    assert_int_equal(out[0].revision, 0);
    assert_int_equal(out[0].open, 10);  /* the lowest id, whatever arrived first */
    assert_int_equal(out[0].close, 15); /* the highest id (3), though it arrived last */
}

static void test_arrival_order_does_not_matter(void **state)
{
    (void)state;
    tf_md_bar a, c;
    init(0, 0, TF_BAR_EMPTY_SKIP, 10);
    for (uint64_t id = 1; id <= 50; id++)
        trade(id, T0 + id * SEC, (int64_t)(100 + (id * 37) % 11), (int64_t)id);
    tf_bar_on_time(&b, T0 + MIN, out, 64);
    a = out[0];
    init(0, 0, TF_BAR_EMPTY_SKIP, 10);
    for (uint64_t k = 0; k < 50; k++) {
        uint64_t id = 50 - k;
        trade(id, T0 + id * SEC, (int64_t)(100 + (id * 37) % 11), (int64_t)id);
    }
    tf_bar_on_time(&b, T0 + MIN, out, 64);
    c = out[0];
    assert_memory_equal(&a, &c, sizeof a);
    assert_int_equal(a.open, 100 + (1 * 37) % 11);
    assert_int_equal(a.close, 100 + (50 * 37) % 11);
}

static void test_revisions_and_too_late(void **state)
{
    (void)state;
    init(0, SEC, TF_BAR_EMPTY_SKIP, 2);
    trade(10, T0 + 5 * SEC, 100, 1);
    trade(20, T0 + MIN + 5 * SEC, 200, 1);
    trade(30, T0 + 2 * MIN + 5 * SEC, 300, 1);
    trade(40, T0 + 3 * MIN + 5 * SEC, 400, 1);
    assert_int_equal(tf_bar_on_time(&b, T0 + 4 * MIN + SEC, out, 64), 4);
    /* late for minute 3 (in the window of 2): revision 1, then 2 */
    assert_int_equal(trade(41, T0 + 3 * MIN + 50 * SEC, 410, 1), 1);
    assert_int_equal(out[0].open_time_ns, T0 + 3 * MIN);
    assert_int_equal(out[0].revision, 1);
    assert_int_equal(out[0].close, 410);
    assert_int_equal(out[0].trade_count, 2);
    assert_true(out[0].flags & TF_BAR_CLOSED);
    assert_int_equal(trade(39, T0 + 3 * MIN + 1 * SEC, 390, 1), 1);
    assert_int_equal(out[0].revision, 2);
    assert_int_equal(out[0].open, 390);
    /* minute 0 is outside a window of 2: refused, counted */
    assert_int_equal(trade(11, T0 + 6 * SEC, 100, 1), 0);
    assert_int_equal(b.late_dropped, 1);
}

static void test_empty_minutes(void **state)
{
    (void)state;
    /* skip: no bar for minutes 1 and 2 */
    init(0, 0, TF_BAR_EMPTY_SKIP, 10);
    trade(1, T0, 100, 1);
    trade(2, T0 + 3 * MIN, 130, 1);
    assert_int_equal(tf_bar_on_time(&b, T0 + 4 * MIN, out, 64), 2);
    assert_int_equal(out[1].open_time_ns, T0 + 3 * MIN);
    assert_false(out[0].flags & TF_BAR_POLICY_FLAT);
    /* flat: bars for minutes 1 and 2 at the last close, stated in the record */
    init(0, 0, TF_BAR_EMPTY_FLAT, 10);
    trade(1, T0, 100, 1);
    trade(2, T0 + 3 * MIN, 130, 1);
    assert_int_equal(tf_bar_on_time(&b, T0 + 4 * MIN, out, 64), 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(out[i].open_time_ns, T0 + (uint64_t)i * MIN);
        assert_true(out[i].flags & TF_BAR_POLICY_FLAT);
    }
    assert_true(out[1].flags & TF_BAR_FLAT);
    assert_int_equal(out[1].open, 100);
    assert_int_equal(out[1].close, 100);
    assert_int_equal(out[1].volume, 0);
    assert_int_equal(out[1].trade_count, 0);
    assert_false(out[3].flags & TF_BAR_FLAT);
    /* quiet market: flat bars keep coming as minutes pass */
    assert_int_equal(tf_bar_on_time(&b, T0 + 6 * MIN, out, 64), 2);
    assert_int_equal(out[1].close, 130);
    /* a late trade changes minute 3's close: the flat bars after it follow */
    uint32_t n = trade(3, T0 + 3 * MIN + 30 * SEC, 140, 1);
    assert_int_equal(n, 3);
    assert_int_equal(out[0].revision, 1);
    assert_int_equal(out[1].close, 140);
    assert_int_equal(out[1].revision, 1);
    assert_int_equal(out[2].close, 140);
}

static void test_exact_sums_at_btc_scale(void **state)
{
    (void)state;
    /* price precision 2, qty precision 8: 43210.12 x 0.33333333 three times */
    init(8, 0, TF_BAR_EMPTY_SKIP, 10);
    for (uint64_t id = 1; id <= 3; id++)
        trade(id, T0 + id * SEC, 4321012, 33333333);
    tf_bar_on_time(&b, T0 + MIN, out, 64);
    /* sum = 3 * 4321012 * 33333333 = 432101195678988 (price x qty units, 10^-10);
     * quote volume at 8 decimals = round(43210.1195678988 * 10^8) = 4321011956790 */
    assert_int_equal(out[0].quote_volume, 4321011956790LL);
    /* VWAP at 6 decimals: 432101195678988 / 99999999 = 4321012.0000... x 10^4 */
    assert_int_equal(out[0].vwap, 43210120000LL);
    assert_int_equal(out[0].volume, 99999999);
    /* BTCUSDT's real precisions (2, 5): the quote volume is exact */
    init(5, 0, TF_BAR_EMPTY_SKIP, 10);
    trade(1, T0 + SEC, 4300001, 333);   /* 43000.01 x 0.00333 = 143.1900333 */
    trade(2, T0 + 2 * SEC, 4300099, 1); /* 43000.99 x 0.00001 = 0.4300099 */
    tf_bar_on_time(&b, T0 + MIN, out, 64);
    assert_int_equal(out[0].quote_volume, 14362004320LL); /* 143.62004320 */
    assert_int_equal(out[0].vwap, 43000012934LL);         /* 143.6200432 / 0.00334 = 43000.0129341... */
    /* ten thousand trades of 10 BTC at 100000.00 (10 billion USDT in a minute): no overflow */
    init(8, 0, TF_BAR_EMPTY_SKIP, 10);
    for (uint64_t id = 1; id <= 10000; id++)
        trade(id, T0 + SEC, 10000000, 1000000000);
    tf_bar_on_time(&b, T0 + MIN, out, 64);
    assert_int_equal(out[0].volume, 10000000000000LL);
    assert_int_equal(out[0].quote_volume, 1000000000000000000LL); /* 1e10 USDT at 8 decimals */
    assert_int_equal(out[0].vwap, 100000000000LL);
    /* beyond int64 at 8 decimals (92 billion in one bar): held at the limit */
    init(8, 0, TF_BAR_EMPTY_SKIP, 10);
    for (uint64_t id = 1; id <= 100000; id++)
        trade(id, T0 + SEC, 10000000, 1000000000);
    tf_bar_on_time(&b, T0 + MIN, out, 64);
    assert_int_equal(out[0].quote_volume, INT64_MAX);
    assert_int_equal(out[0].vwap, 100000000000LL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_minute),
        cmocka_unit_test(test_boundary_and_grace),
        cmocka_unit_test(test_arrival_order_does_not_matter),
        cmocka_unit_test(test_revisions_and_too_late),
        cmocka_unit_test(test_empty_minutes),
        cmocka_unit_test(test_exact_sums_at_btc_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

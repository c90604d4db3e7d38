/* Position math (engine/orders/position.h): opening, adding, the average
 * price, realized PnL when a fill reduces, closes or crosses zero, fees and
 * the mark. Money is 10^-8 quote; every expected value is worked by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/orders/position.h"

/* BTCUSDT-like: price 2 decimals, qty 5 decimals (notional = px * qty * 10). */
#define PP 2u
#define QP 5u
#define PX(x) ((int64_t)((x) * 100 + 0.5))
#define BQ(x) ((int64_t)((x) * 100000 + 0.5))
#define USD(x) ((int64_t)(x) * 100000000ll)

static tf_position flat(void)
{
    tf_position p;
    memset(&p, 0, sizeof p);
    return p;
}

static void buy(tf_position *p, int64_t px, int64_t qty, int64_t fee)
{
    tf_position_fill(p, TF_BUY, px, qty, fee, PP, QP);
}

static void sell(tf_position *p, int64_t px, int64_t qty, int64_t fee)
{
    tf_position_fill(p, TF_SELL, px, qty, fee, PP, QP);
}

static void test_buy_opens_long(void **state)
{
    (void)state;
    tf_position p = flat();
    buy(&p, PX(43000), BQ(1), 0);
    assert_int_equal(p.qty, BQ(1));
    assert_int_equal(p.cost, USD(43000));
    assert_int_equal(p.avg_px, PX(43000));
    assert_int_equal(p.bought, BQ(1));
    assert_int_equal(p.sold, 0);
    assert_int_equal(p.fills, 1);
    assert_int_equal(p.realized, 0);
    assert_int_equal(p.fees, 0);
    assert_int_equal(p.unrealized, 0); /* never marked */
    assert_int_equal(p.mark_px, 0);
}

static void test_sell_opens_short(void **state)
{
    (void)state;
    tf_position p = flat();
    sell(&p, PX(44000), BQ(2), 0);
    assert_int_equal(p.qty, -BQ(2));
    assert_int_equal(p.cost, -USD(88000)); /* negative for a short */
    assert_int_equal(p.avg_px, PX(44000)); /* the price, positive */
    assert_int_equal(p.sold, BQ(2));
    assert_int_equal(p.bought, 0);
    assert_int_equal(p.realized, 0);
}

static void test_adding_averages(void **state)
{
    (void)state;
    tf_position p = flat();
    buy(&p, PX(43000), BQ(1), 0);
    buy(&p, PX(44000), BQ(1), 0);
    assert_int_equal(p.qty, BQ(2));
    assert_int_equal(p.cost, USD(87000));
    assert_int_equal(p.avg_px, PX(43500));
    assert_int_equal(p.bought, BQ(2));
    assert_int_equal(p.fills, 2);
    assert_int_equal(p.realized, 0);

    tf_position s = flat();
    sell(&s, PX(100), BQ(1), 0);
    sell(&s, PX(200), BQ(3), 0);
    assert_int_equal(s.qty, -BQ(4));
    assert_int_equal(s.cost, -USD(700));
    assert_int_equal(s.avg_px, PX(175));
}

/* The average is the cost over the quantity, rounded half away from zero. */
static void test_average_rounds(void **state)
{
    (void)state;
    tf_position p = flat();
    /* qty precision 0, price 2: 1 @ 100.00 + 2 @ 100.01 = 300.02 / 3 = 100.00667 */
    tf_position_fill(&p, TF_BUY, 10000, 1, 0, 2, 0);
    tf_position_fill(&p, TF_BUY, 10001, 2, 0, 2, 0);
    assert_int_equal(p.cost, 30002000000ll);
    assert_int_equal(p.avg_px, 10001);
    /* 1 @ 100.00 + 1 @ 100.01: exactly 100.005, half rounds away from zero */
    tf_position q = flat();
    tf_position_fill(&q, TF_BUY, 10000, 1, 0, 2, 0);
    tf_position_fill(&q, TF_BUY, 10001, 1, 0, 2, 0);
    assert_int_equal(q.avg_px, 10001);
    tf_position s = flat();
    tf_position_fill(&s, TF_SELL, 10000, 1, 0, 2, 0);
    tf_position_fill(&s, TF_SELL, 10001, 1, 0, 2, 0);
    assert_int_equal(s.avg_px, 10001);
    /* 2 @ 100.00 + 1 @ 100.01 = 100.00333: rounds down */
    tf_position d = flat();
    tf_position_fill(&d, TF_BUY, 10000, 2, 0, 2, 0);
    tf_position_fill(&d, TF_BUY, 10001, 1, 0, 2, 0);
    assert_int_equal(d.avg_px, 10000);
}

/* Price and qty precision adding up to more than 8 (notional rounded). */
static void test_fine_precision(void **state)
{
    (void)state;
    tf_position p = flat();
    /* price 6 decimals, qty 4: 1.234567 * 3.0000 = 3.703701 quote */
    tf_position_fill(&p, TF_BUY, 1234567, 30000, 0, 6, 4);
    assert_int_equal(p.cost, 370370100);
    assert_int_equal(p.avg_px, 1234567);
    tf_position_fill(&p, TF_SELL, 1334567, 30000, 0, 6, 4);
    assert_int_equal(p.qty, 0);
    assert_int_equal(p.realized, 30000000); /* 0.1 * 3 = 0.3 quote */
}

static void test_reduce_long_realizes(void **state)
{
    (void)state;
    tf_position p = flat();
    buy(&p, PX(43000), BQ(1), 0);
    buy(&p, PX(44000), BQ(1), 0); /* 2 @ 43500 */
    sell(&p, PX(45000), BQ(0.5), 0);
    /* 0.5 * (45000 - 43500) = 750 */
    assert_int_equal(p.realized, USD(750));
    assert_int_equal(p.qty, BQ(1.5));
    assert_int_equal(p.cost, 6525000000000ll); /* 1.5 * 43500 */
    assert_int_equal(p.avg_px, PX(43500));     /* reducing keeps the average */
    assert_int_equal(p.sold, BQ(0.5));
    assert_int_equal(p.bought, BQ(2));
    assert_int_equal(p.fills, 3);
}

static void test_reduce_short_realizes(void **state)
{
    (void)state;
    tf_position p = flat();
    sell(&p, PX(44000), BQ(2), 0);
    buy(&p, PX(43000), BQ(1), 0); /* a profit of 1000 on the half */
    assert_int_equal(p.realized, USD(1000));
    assert_int_equal(p.qty, -BQ(1));
    assert_int_equal(p.cost, -USD(44000));
    assert_int_equal(p.avg_px, PX(44000));
    buy(&p, PX(45000), BQ(1), 0); /* a loss of 1000 on the rest: flat at 0 */
    assert_int_equal(p.realized, 0);
    assert_int_equal(p.qty, 0);
    assert_int_equal(p.cost, 0);
    assert_int_equal(p.avg_px, 0);
}

static void test_close_goes_flat(void **state)
{
    (void)state;
    tf_position p = flat();
    buy(&p, PX(43000), BQ(1), 0);
    tf_position_mark(&p, PX(43100), PP, QP);
    assert_int_equal(p.unrealized, USD(100));
    sell(&p, PX(42000), BQ(1), 0);
    assert_int_equal(p.qty, 0);
    assert_int_equal(p.cost, 0);
    assert_int_equal(p.avg_px, 0);
    assert_int_equal(p.realized, -USD(1000));
    assert_int_equal(p.unrealized, 0); /* nothing open */
    assert_int_equal(p.mark_px, PX(43100)); /* the mark is kept */
    /* Opening again from flat starts a fresh cost basis. */
    buy(&p, PX(50000), BQ(0.1), 0);
    assert_int_equal(p.cost, USD(5000));
    assert_int_equal(p.avg_px, PX(50000));
    assert_int_equal(p.realized, -USD(1000));
}

/* A fill crossing zero realizes the closed part and opens the rest at the fill price. */
static void test_flip_long_to_short(void **state)
{
    (void)state;
    tf_position p = flat();
    buy(&p, PX(43000), BQ(1), 0);
    sell(&p, PX(44000), BQ(3), 0);
    assert_int_equal(p.realized, USD(1000));
    assert_int_equal(p.qty, -BQ(2));
    assert_int_equal(p.cost, -USD(88000));
    assert_int_equal(p.avg_px, PX(44000));
    assert_int_equal(p.bought, BQ(1));
    assert_int_equal(p.sold, BQ(3));
    assert_int_equal(p.fills, 2);
}

static void test_flip_short_to_long(void **state)
{
    (void)state;
    tf_position p = flat();
    sell(&p, PX(44000), BQ(1), 0);
    buy(&p, PX(44500), BQ(1.5), 0);
    assert_int_equal(p.realized, -USD(500));
    assert_int_equal(p.qty, BQ(0.5));
    assert_int_equal(p.cost, USD(22250));
    assert_int_equal(p.avg_px, PX(44500));
}

/* Proportional cost taken in pieces adds up to the whole: a round trip's
 * realized PnL is exact however the closing is split. */
static void test_split_close_is_exact(void **state)
{
    (void)state;
    tf_position p = flat();
    tf_position_fill(&p, TF_BUY, 10000, 1, 0, 2, 0);
    tf_position_fill(&p, TF_BUY, 10001, 2, 0, 2, 0); /* 3 for 300.02 */
    tf_position_fill(&p, TF_SELL, 10000, 1, 0, 2, 0);
    /* a third of 300.02 is 100.006666..67: rounded to the money unit */
    assert_int_equal(p.realized, -666667);
    assert_int_equal(p.cost, 20001333333ll);
    assert_int_equal(p.qty, 2);
    tf_position_fill(&p, TF_SELL, 10000, 2, 0, 2, 0);
    assert_int_equal(p.realized, -2000000); /* paid 300.02, got 300.00 */
    assert_int_equal(p.qty, 0);
    assert_int_equal(p.cost, 0);
}

static void test_fees(void **state)
{
    (void)state;
    tf_position p = flat();
    buy(&p, PX(43000), BQ(1), 860000000);        /* 8.6 quote on the opening fill */
    assert_int_equal(p.realized, -860000000);
    assert_int_equal(p.fees, 860000000);
    assert_int_equal(p.cost, USD(43000));        /* fees do not enter the cost basis */
    assert_int_equal(p.avg_px, PX(43000));
    sell(&p, PX(43100), BQ(1), 862000000);
    assert_int_equal(p.realized, USD(100) - 860000000 - 862000000);
    assert_int_equal(p.fees, 1722000000);
    /* A maker rebate (negative fee) adds to realized. */
    buy(&p, PX(43000), BQ(1), -100000000);
    assert_int_equal(p.fees, 1622000000);
    assert_int_equal(p.realized, USD(100) - 1722000000 + 100000000);
}

static void test_mark(void **state)
{
    (void)state;
    tf_position p = flat();
    tf_position_mark(&p, PX(43000), PP, QP);
    assert_int_equal(p.unrealized, 0);            /* flat */
    assert_int_equal(p.mark_px, PX(43000));
    buy(&p, PX(43000), BQ(2), 0);                 /* a fill re-marks at the kept mark */
    assert_int_equal(p.unrealized, 0);
    tf_position_mark(&p, PX(43500), PP, QP);
    assert_int_equal(p.unrealized, USD(1000));
    tf_position_mark(&p, 0, PP, QP);              /* 0: keep the last mark */
    assert_int_equal(p.mark_px, PX(43500));
    assert_int_equal(p.unrealized, USD(1000));
    tf_position_mark(&p, -5, PP, QP);             /* a negative mark is ignored too */
    assert_int_equal(p.mark_px, PX(43500));
    sell(&p, PX(43500), BQ(1), 0);                /* realized 500, 1 left marked at 43500 */
    assert_int_equal(p.realized, USD(500));
    assert_int_equal(p.unrealized, USD(500));

    tf_position s = flat();
    sell(&s, PX(44000), BQ(1), 0);
    tf_position_mark(&s, PX(43000), PP, QP);
    assert_int_equal(s.unrealized, USD(1000));    /* a short gains when the price falls */
    tf_position_mark(&s, PX(45000), PP, QP);
    assert_int_equal(s.unrealized, -USD(1000));
}

static void test_average_of_flat_is_zero(void **state)
{
    (void)state;
    tf_position p = flat();
    p.avg_px = 123;
    p.cost = 456; /* stale cost with no quantity: the average still says 0 */
    tf_position_average(&p, PP, QP);
    assert_int_equal(p.avg_px, 0);
    p.qty = -BQ(1);
    p.cost = -USD(43000);
    tf_position_average(&p, PP, QP);
    assert_int_equal(p.avg_px, PX(43000));
}

/* Edge cases the code allows: a zero quantity counts a fill and changes
 * nothing else; any side other than TF_BUY is a sell. */
static void test_edges(void **state)
{
    (void)state;
    tf_position p = flat();
    buy(&p, PX(43000), BQ(1), 0);
    tf_position before = p;
    sell(&p, PX(40000), 0, 0);
    assert_int_equal(p.qty, before.qty);
    assert_int_equal(p.cost, before.cost);
    assert_int_equal(p.realized, before.realized);
    assert_int_equal(p.fills, before.fills + 1);

    tf_position q = flat();
    tf_position_fill(&q, 7, PX(100), BQ(1), 0, PP, QP);
    assert_int_equal(q.qty, -BQ(1));
    assert_int_equal(q.sold, BQ(1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buy_opens_long),
        cmocka_unit_test(test_sell_opens_short),
        cmocka_unit_test(test_adding_averages),
        cmocka_unit_test(test_average_rounds),
        cmocka_unit_test(test_fine_precision),
        cmocka_unit_test(test_reduce_long_realizes),
        cmocka_unit_test(test_reduce_short_realizes),
        cmocka_unit_test(test_close_goes_flat),
        cmocka_unit_test(test_flip_long_to_short),
        cmocka_unit_test(test_flip_short_to_long),
        cmocka_unit_test(test_split_close_is_exact),
        cmocka_unit_test(test_fees),
        cmocka_unit_test(test_mark),
        cmocka_unit_test(test_average_of_flat_is_zero),
        cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

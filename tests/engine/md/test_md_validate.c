/* Trade validation and de-duplication (engine/md/md_validate.h): every
 * verdict, gap ranges, out-of-order fills, the id window's edges, the price
 * band and cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "engine/md/md_validate.h"

static tf_trade_validator v;
static uint64_t g1, g2;

static tf_trade_verdict check(uint64_t id, int64_t px, int64_t qty, uint16_t *flags)
{
    tf_md_trade t;
    memset(&t, 0, sizeof t);
    t.trade_id = id;
    t.price = px;
    t.qty = qty;
    tf_trade_verdict r = tf_trade_check(&v, &t, &g1, &g2);
    if (flags)
        *flags = t.flags;
    return r;
}

static void test_in_order_and_duplicates(void **state)
{
    (void)state;
    tf_trade_validator_init(&v, 0, 0);
    uint16_t fl;
    assert_int_equal(check(100, 10, 1, &fl), TF_TRADE_ACCEPT);
    assert_int_equal(fl, 0);
    assert_int_equal(g1, 0);
    assert_int_equal(check(101, 10, 1, NULL), TF_TRADE_ACCEPT);
    assert_int_equal(check(101, 10, 1, NULL), TF_TRADE_DUPLICATE);
    assert_int_equal(check(100, 10, 1, NULL), TF_TRADE_DUPLICATE);
    assert_int_equal(v.accepted, 2);
    assert_int_equal(v.duplicates, 2);
}

static void test_gaps_and_fills(void **state)
{
    (void)state;
    tf_trade_validator_init(&v, 0, 0);
    uint16_t fl;
    check(10, 5, 1, NULL);
    assert_int_equal(check(14, 5, 1, &fl), TF_TRADE_ACCEPT);
    assert_true(fl & TF_MD_AFTER_GAP);
    assert_int_equal(g1, 11);
    assert_int_equal(g2, 13);
    assert_int_equal(v.gaps, 1);
    assert_int_equal(v.gap_ids, 3);
    /* a late one fills part of the gap; reported once, not as a new gap */
    assert_int_equal(check(12, 5, 1, &fl), TF_TRADE_ACCEPT);
    assert_true(fl & TF_MD_OUT_OF_ORDER);
    assert_int_equal(g1, 0);
    assert_int_equal(v.gaps_filled, 1);
    assert_int_equal(check(12, 5, 1, NULL), TF_TRADE_DUPLICATE);
    assert_int_equal(check(15, 5, 1, &fl), TF_TRADE_ACCEPT);
    assert_int_equal(fl, 0);
}

static void test_window_edges(void **state)
{
    (void)state;
    tf_trade_validator_init(&v, 0, 0);
    check(1, 5, 1, NULL);
    check(2 + TF_TRADE_WINDOW, 5, 1, NULL); /* a huge gap: the window moves */
    assert_int_equal(check(2, 5, 1, NULL), TF_TRADE_TOO_OLD);
    assert_int_equal(v.too_old, 1);
    /* just inside the window: unseen, so it fills the gap */
    assert_int_equal(check(2 + TF_TRADE_WINDOW - (TF_TRADE_WINDOW - 1), 5, 1, NULL), TF_TRADE_ACCEPT);
    /* ids recycled in the bitmap never look seen */
    tf_trade_validator_init(&v, 0, 0);
    for (uint64_t id = 1; id <= 3 * TF_TRADE_WINDOW; id++)
        if (check(id, 5, 1, NULL) != TF_TRADE_ACCEPT)
            fail_msg("id %llu refused", (unsigned long long)id);
    assert_int_equal(check(3 * TF_TRADE_WINDOW, 5, 1, NULL), TF_TRADE_DUPLICATE);
    assert_int_equal(check(2 * TF_TRADE_WINDOW + 5, 5, 1, NULL), TF_TRADE_DUPLICATE);
}

static void test_prices_and_quantities(void **state)
{
    (void)state;
    tf_trade_validator_init(&v, 1000000, 500); /* cap, 5 % band */
    assert_int_equal(check(1, 0, 1, NULL), TF_TRADE_BAD_PRICE);
    assert_int_equal(check(1, -5, 1, NULL), TF_TRADE_BAD_PRICE);
    assert_int_equal(check(1, 1000001, 1, NULL), TF_TRADE_BAD_PRICE);
    assert_int_equal(check(1, 100000, 0, NULL), TF_TRADE_BAD_QTY);
    /* refused trades do not mark their id seen */
    assert_int_equal(check(1, 100000, 1, NULL), TF_TRADE_ACCEPT);
    assert_int_equal(check(2, 105000, 1, NULL), TF_TRADE_ACCEPT); /* +5 %: on the band */
    assert_int_equal(check(3, 111000, 1, NULL), TF_TRADE_BAD_PRICE); /* +5.7 % */
    assert_int_equal(check(3, 99750, 1, NULL), TF_TRADE_ACCEPT);
    assert_int_equal(v.bad_price, 4);
    assert_int_equal(v.bad_qty, 1);
    for (int i = 0; i < TF_TRADE_VERDICT_COUNT; i++)
        assert_non_null(tf_trade_verdict_names[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order_and_duplicates),
        cmocka_unit_test(test_gaps_and_fills),
        cmocka_unit_test(test_window_edges),
        cmocka_unit_test(test_prices_and_quantities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

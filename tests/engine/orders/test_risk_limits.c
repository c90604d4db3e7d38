/* The risk gate's limits (engine/orders/risk_limits.h): built from the
 * config, changed one at a time by TF_REQ_SET_LIMIT (each out-of-range
 * change refused with the limits untouched), published under a seqlock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/orders/risk_limits.h"

static tf_config cfg; /* large: static */

static void cfg_reset(void) { memset(&cfg, 0, sizeof cfg); }

static void test_defaults_from_empty_config(void **state)
{
    (void)state;
    cfg_reset();
    tf_risk_limits l;
    memset(&l, 0xAB, sizeof l);
    bool known[TF_MAX_STRATEGIES] = {0};
    tf_risk_limits_from_config(&l, known, &cfg);
    for (uint32_t i = 0; i < TF_MAX_LIMIT_INSTRUMENTS; i++) {
        assert_int_equal(l.collar_bps[i], 500); /* the default collar: 5 % */
        assert_int_equal(l.min_qty[i], 0);
        assert_int_equal(l.max_order_qty[i], 0);
        assert_int_equal(l.max_order_notional[i], 0);
        assert_int_equal(l.max_position[i], 0);
        assert_int_equal(l.closed[i], 0);
    }
    assert_true(known[0]); /* the operator */
    for (uint32_t s = 1; s < TF_MAX_STRATEGIES; s++)
        assert_false(known[s]);
    assert_int_equal(l.max_gross_exposure, 0);
    assert_int_equal(l.daily_loss, 0);
    assert_int_equal(l.dup_count, 0);
    assert_int_equal(l.dup_window_ns, 0);
    assert_int_equal(l.s_rate[TF_RATE_ORDER][3], 0);
}

static void test_from_config(void **state)
{
    (void)state;
    cfg_reset();
    tf_cfg_risk *r = &cfg.risk;
    r->instrument_count = 2;
    r->instruments[0] = (tf_cfg_risk_instrument){.instrument = 1, .collar_bps = 0, .tradable = true,
                                                 .min_qty = 20, .max_order_qty = 100000,
                                                 .max_order_notional = 5000000000000ll,
                                                 .max_position = 150000};
    r->instruments[1] = (tf_cfg_risk_instrument){.instrument = 3, .collar_bps = 250, .tradable = false};
    r->strategy_count = 2;
    r->strategies[0] = (tf_cfg_strategy){.id = 2, .max_open_orders = 7, .orders_per_s = 11,
                                         .cancels_per_s = 12, .replaces_per_s = 13,
                                         .max_order_notional = 111, .max_position_notional = 222,
                                         .daily_loss_limit = 333};
    r->strategies[1] = (tf_cfg_strategy){.id = 15, .orders_per_s = 1};
    r->max_gross_exposure = 444;
    r->daily_loss_limit = 555;
    r->max_concentration_pct = 80;
    r->max_open_orders = 50;
    r->orders_per_s = 21;
    r->cancels_per_s = 22;
    r->replaces_per_s = 23;
    r->duplicate_count = 3;
    r->duplicate_window_ns = 1000000000ull;
    r->reference_max_age_ns = 10000000000ull;
    tf_risk_limits l;
    bool known[TF_MAX_STRATEGIES];
    memset(known, 1, sizeof known); /* stale entries: the call starts from none */
    tf_risk_limits_from_config(&l, known, &cfg);

    assert_int_equal(l.collar_bps[0], 500);       /* not configured: the default */
    assert_int_equal(l.collar_bps[1], 0);         /* configured off */
    assert_int_equal(l.collar_bps[3], 250);
    assert_int_equal(l.min_qty[1], 20);
    assert_int_equal(l.max_order_qty[1], 100000);
    assert_int_equal(l.max_order_notional[1], 5000000000000ll);
    assert_int_equal(l.max_position[1], 150000);
    assert_int_equal(l.closed[1], 0);
    assert_int_equal(l.closed[3], 1);             /* tradable: false */
    assert_int_equal(l.min_qty[0], 0);

    assert_true(known[0]);
    assert_true(known[2]);
    assert_true(known[15]);
    assert_false(known[1]);
    assert_int_equal(l.s_max_open[2], 7);
    assert_int_equal(l.s_rate[TF_RATE_ORDER][2], 11);
    assert_int_equal(l.s_rate[TF_RATE_CANCEL][2], 12);
    assert_int_equal(l.s_rate[TF_RATE_REPLACE][2], 13);
    assert_int_equal(l.s_max_order_notional[2], 111);
    assert_int_equal(l.s_max_position_notional[2], 222);
    assert_int_equal(l.s_daily_loss[2], 333);
    assert_int_equal(l.s_rate[TF_RATE_ORDER][15], 1);
    assert_int_equal(l.s_max_open[15], 0);

    assert_int_equal(l.max_gross_exposure, 444);
    assert_int_equal(l.daily_loss, 555);
    assert_int_equal(l.max_concentration_pct, 80);
    assert_int_equal(l.max_open, 50);
    assert_int_equal(l.g_rate[TF_RATE_ORDER], 21);
    assert_int_equal(l.g_rate[TF_RATE_CANCEL], 22);
    assert_int_equal(l.g_rate[TF_RATE_REPLACE], 23);
    assert_int_equal(l.dup_count, 3);
    assert_int_equal(l.dup_window_ns, 1000000000ull);
    assert_int_equal(l.ref_max_age_ns, 10000000000ull);
}

static void test_plugin_strategy_is_known(void **state)
{
    (void)state;
    cfg_reset();
    tf_risk_limits l;
    bool known[TF_MAX_STRATEGIES] = {0};
    cfg.orders.plugin_strategy = 9;
    tf_risk_limits_from_config(&l, known, &cfg); /* no plugin named: 9 stays unknown */
    assert_false(known[9]);
    strcpy(cfg.orders.plugin, "sample_strategy.so");
    tf_risk_limits_from_config(&l, known, &cfg);
    assert_true(known[9]);
}

/* ---- live changes ---------------------------------------------------------------- */

static tf_risk_limits L;
static bool K[TF_MAX_STRATEGIES];

static int setup(void **state)
{
    (void)state;
    cfg_reset();
    cfg.risk.strategy_count = 1;
    cfg.risk.strategies[0] = (tf_cfg_strategy){.id = 3};
    memset(K, 0, sizeof K);
    tf_risk_limits_from_config(&L, K, &cfg);
    return 0;
}

#define NINS 2u /* instruments the engine knows */

static bool set(uint32_t limit, uint32_t target, int64_t value)
{
    tf_req_limit b = {.limit = limit, .target = target, .value = value};
    return tf_risk_limit_set(&L, K, NINS, &b);
}

/* A refused change leaves every byte as it was. */
static void refused(uint32_t limit, uint32_t target, int64_t value)
{
    tf_risk_limits before = L;
    if (set(limit, target, value))
        fail_msg("limit %u target %u value %lld accepted", limit, target, (long long)value);
    assert_memory_equal(&before, &L, sizeof L);
}

static void test_set_instrument_limits(void **state)
{
    (void)state;
    assert_true(set(TF_LIM_MIN_QTY, 1, 20));
    assert_int_equal(L.min_qty[1], 20);
    assert_true(set(TF_LIM_MAX_ORDER_QTY, 0, 100000));
    assert_int_equal(L.max_order_qty[0], 100000);
    assert_true(set(TF_LIM_MAX_ORDER_NOTIONAL, 1, 5000000000000ll));
    assert_int_equal(L.max_order_notional[1], 5000000000000ll);
    assert_true(set(TF_LIM_MAX_POSITION, 0, 150000));
    assert_int_equal(L.max_position[0], 150000);
    assert_true(set(TF_LIM_COLLAR_BPS, 1, 10000));
    assert_int_equal(L.collar_bps[1], 10000);
    assert_true(set(TF_LIM_COLLAR_BPS, 1, 0)); /* off */
    assert_int_equal(L.collar_bps[1], 0);
    assert_true(set(TF_LIM_MAX_POSITION, 0, 0)); /* 0: no limit */
    assert_int_equal(L.max_position[0], 0);
    assert_int_equal(L.min_qty[0], 0);           /* the other instrument untouched */

    refused(TF_LIM_MIN_QTY, NINS, 1);            /* an instrument the engine does not have */
    refused(TF_LIM_MAX_ORDER_QTY, 63, 1);
    refused(TF_LIM_MAX_POSITION, UINT32_MAX, 1);
    refused(TF_LIM_COLLAR_BPS, 0, 10001);
    refused(TF_LIM_MAX_ORDER_NOTIONAL, 0, -1);   /* negative */
    refused(TF_LIM_MIN_QTY, 0, INT64_MIN);
}

static void test_set_tradable(void **state)
{
    (void)state;
    assert_true(set(TF_LIM_TRADABLE, 1, 0));
    assert_int_equal(L.closed[1], 1);
    assert_int_equal(L.closed[0], 0);
    assert_true(set(TF_LIM_TRADABLE, 1, 1));
    assert_int_equal(L.closed[1], 0);
    refused(TF_LIM_TRADABLE, 1, 2);
    refused(TF_LIM_TRADABLE, NINS, 1);
}

static void test_set_strategy_limits(void **state)
{
    (void)state;
    assert_true(set(TF_LIM_S_MAX_ORDER_NOTIONAL, 3, 77));
    assert_int_equal(L.s_max_order_notional[3], 77);
    assert_true(set(TF_LIM_S_MAX_POSITION_NOTIONAL, 3, 88));
    assert_int_equal(L.s_max_position_notional[3], 88);
    assert_true(set(TF_LIM_S_DAILY_LOSS, 0, 99));   /* the operator is known */
    assert_int_equal(L.s_daily_loss[0], 99);
    assert_true(set(TF_LIM_S_MAX_OPEN_ORDERS, 3, UINT32_MAX));
    assert_int_equal(L.s_max_open[3], UINT32_MAX);
    assert_true(set(TF_LIM_S_ORDERS_PER_S, 3, 5));
    assert_true(set(TF_LIM_S_CANCELS_PER_S, 3, 6));
    assert_true(set(TF_LIM_S_REPLACES_PER_S, 3, 10000000));
    assert_int_equal(L.s_rate[TF_RATE_ORDER][3], 5);
    assert_int_equal(L.s_rate[TF_RATE_CANCEL][3], 6);
    assert_int_equal(L.s_rate[TF_RATE_REPLACE][3], 10000000);

    refused(TF_LIM_S_MAX_ORDER_NOTIONAL, 4, 1);      /* not a configured strategy */
    refused(TF_LIM_S_DAILY_LOSS, TF_MAX_STRATEGIES, 1);
    refused(TF_LIM_S_ORDERS_PER_S, 1000, 1);
    refused(TF_LIM_S_MAX_OPEN_ORDERS, 3, (int64_t)UINT32_MAX + 1);
    refused(TF_LIM_S_CANCELS_PER_S, 3, 10000001);
    refused(TF_LIM_S_MAX_POSITION_NOTIONAL, 3, -5);
}

static void test_set_global_limits(void **state)
{
    (void)state;
    /* The target of a global limit is ignored. */
    assert_true(set(TF_LIM_G_MAX_GROSS_EXPOSURE, 12345, 1000));
    assert_int_equal(L.max_gross_exposure, 1000);
    assert_true(set(TF_LIM_G_DAILY_LOSS, 0, 2000));
    assert_int_equal(L.daily_loss, 2000);
    assert_true(set(TF_LIM_G_MAX_CONCENTRATION_PCT, 0, 100));
    assert_int_equal(L.max_concentration_pct, 100);
    assert_true(set(TF_LIM_G_ORDERS_PER_S, 0, 1));
    assert_true(set(TF_LIM_G_CANCELS_PER_S, 0, 2));
    assert_true(set(TF_LIM_G_REPLACES_PER_S, 0, 3));
    assert_int_equal(L.g_rate[TF_RATE_ORDER], 1);
    assert_int_equal(L.g_rate[TF_RATE_CANCEL], 2);
    assert_int_equal(L.g_rate[TF_RATE_REPLACE], 3);
    assert_true(set(TF_LIM_G_MAX_OPEN_ORDERS, 0, 40));
    assert_int_equal(L.max_open, 40);
    assert_true(set(TF_LIM_G_DUPLICATE_COUNT, 0, 1000000));
    assert_int_equal(L.dup_count, 1000000);
    /* Windows and ages are set in ms and kept in ns. */
    assert_true(set(TF_LIM_G_DUPLICATE_WINDOW_MS, 0, 250));
    assert_int_equal(L.dup_window_ns, 250000000ull);
    assert_true(set(TF_LIM_G_REFERENCE_MAX_AGE_MS, 0, 3600000));
    assert_int_equal(L.ref_max_age_ns, 3600000000000ull);

    refused(TF_LIM_G_MAX_CONCENTRATION_PCT, 0, 101);
    refused(TF_LIM_G_ORDERS_PER_S, 0, 10000001);
    refused(TF_LIM_G_MAX_OPEN_ORDERS, 0, (int64_t)UINT32_MAX + 1);
    refused(TF_LIM_G_DUPLICATE_COUNT, 0, 1000001);
    refused(TF_LIM_G_DUPLICATE_WINDOW_MS, 0, 0);       /* a window of 0 ms makes no sense */
    refused(TF_LIM_G_DUPLICATE_WINDOW_MS, 0, 3600001);
    refused(TF_LIM_G_REFERENCE_MAX_AGE_MS, 0, 0);
    refused(TF_LIM_G_DAILY_LOSS, 0, -1);
}

static void test_unknown_limit(void **state)
{
    (void)state;
    refused(TF_LIM_NONE, 0, 1);
    refused(TF_LIM_COUNT, 0, 1);
    refused(999, 0, 1);
}

static void test_publish(void **state)
{
    (void)state;
    tf_risk_limits_publish(NULL, &L); /* NULL: nothing */
    static tf_limits_slot slot;
    memset(&slot, 0, sizeof slot);
    ck_sequence_init(&slot.seq);
    assert_true(set(TF_LIM_G_MAX_OPEN_ORDERS, 0, 17));
    tf_risk_limits_publish(&slot, &L);
    assert_int_equal(slot.seq.sequence, 2); /* one write: begin and end */
    assert_memory_equal(&slot.lim, &L, sizeof L);
    assert_int_equal(slot.lim.max_open, 17);
    assert_true(set(TF_LIM_G_MAX_OPEN_ORDERS, 0, 18));
    tf_risk_limits_publish(&slot, &L);
    assert_int_equal(slot.seq.sequence, 4);
    assert_int_equal(slot.lim.max_open, 18);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_from_empty_config),
        cmocka_unit_test(test_from_config),
        cmocka_unit_test(test_plugin_strategy_is_known),
        cmocka_unit_test_setup(test_set_instrument_limits, setup),
        cmocka_unit_test_setup(test_set_tradable, setup),
        cmocka_unit_test_setup(test_set_strategy_limits, setup),
        cmocka_unit_test_setup(test_set_global_limits, setup),
        cmocka_unit_test_setup(test_unknown_limit, setup),
        cmocka_unit_test_setup(test_publish, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

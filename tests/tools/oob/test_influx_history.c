/* History at scale (tools/oob/influx_history.h): a coarse bar's VWAP from
 * its integer sums equals the engine's 1-minute formula over the same
 * trades, rounded the same way; no volume gives the close; and the stored
 * series divide each other (1m | 1h | 1d), finest first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "shm/records.h"
#include "tools/oob/influx_history.h"

static void test_vwap_from_sums(void **state)
{
    (void)state;
    /* Two bars, price precision 2, qty precision 5: 1.00000 at 43000.00 and
     * 3.00000 at 43000.01. sum(p*q) in price x qty units; quote volume at
     * 10^-8 is that x 10 (2 + 5 = 7 decimals). */
    int64_t qsum = 4300000LL * 100000 + 4300001LL * 300000, vol = 400000;
    int64_t vwap = influx_history_vwap(qsum * 10, vol, 2, 5, 0);
    /* The engine: (qsum * 10^4 + vol / 2) / vol, in 10^-(2 + 4). */
    assert_int_equal(vwap, (int64_t)(((__int128)qsum * 10000 + vol / 2) / vol));
    assert_int_equal(vwap, 43000007500LL); /* 43000.007500 */
    /* No volume: the close, as a flat bar's. */
    assert_int_equal(influx_history_vwap(0, 0, 2, 5, 4300000LL * 10000), 4300000LL * 10000);
    /* Precisions above 8 decimals in all: the quote volume was rounded to
     * 10^-8, so the sum is scaled back up. */
    assert_int_equal(influx_history_vwap(123, 1, 6, 4, 0), 123LL * 100 * 10000);
}

static void test_series_divide_each_other(void **state)
{
    (void)state;
    assert_string_equal(ih_bars[0].name, "1m");
    for (int k = 1; k < 3; k++) {
        assert_true(ih_bars[k].width_ns > ih_bars[k - 1].width_ns);
        assert_int_equal(ih_bars[k].width_ns % ih_bars[k - 1].width_ns, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vwap_from_sums),
        cmocka_unit_test(test_series_divide_each_other),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

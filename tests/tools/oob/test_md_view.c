/* md_view with instrument slots a corrupt or foreign engine may have
 * written: a precision above TF_FIXED_MAX_PRECISION (200 once smashed the
 * tools' stack through tf_fixed_format) makes the instrument unknown, its
 * figures print as raw units, and unterminated names stay inside their
 * fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/fixed.h"
#include "shm/records.h"
#include "shm/state.h"
#include "tools/oob/md_view.h"

static void put(tf_state_table *t, uint32_t id, const char *sym, unsigned pp, unsigned qp)
{
    tf_md_instrument_info in = {.id = id, .price_precision = (uint8_t)pp, .qty_precision = (uint8_t)qp};
    snprintf(in.symbol, sizeof in.symbol, "%s", sym);
    snprintf(in.venue, sizeof in.venue, "binance");
    tf_state_slot *s = tf_state_claim(t, TF_STATE_INSTRUMENT, sym);
    assert_non_null(s);
    tf_state_write(s, &in, sizeof in, 1);
}

static void test_bad_precision_is_not_used(void **state)
{
    (void)state;
    tf_state_table *t = calloc(1, tf_state_region_size(8));
    assert_non_null(t);
    tf_state_table_init(t, 8);
    put(t, 0, "BTCUSDT", 2, 5);
    put(t, 1, "BADPX", 200, 5);
    put(t, 2, "BADQTY", 2, 19);
    put(t, 3, "MAXPX", 18, 18);
    md_view *mv = malloc(sizeof *mv);
    assert_non_null(mv);
    md_view_load(mv, t);
    assert_non_null(md_view_get(mv, 0));
    assert_null(md_view_get(mv, 1));
    assert_null(md_view_get(mv, 2));
    assert_non_null(md_view_get(mv, 3));
    assert_string_equal(md_view_px(mv, 0, 4321012), "43210.12");
    assert_string_equal(md_view_px(mv, 3, -1), "-0.000000000000000001");
    assert_string_equal(md_view_symbol(mv, 1), "#1");
    /* tfstat passes a slot's precision straight to md_view_num. */
    assert_string_equal(md_view_num(5, 200), "5u");
    assert_string_equal(md_view_num(INT64_MIN, 255), "-9223372036854775808u");
    assert_string_equal(md_view_num(7, TF_FIXED_MAX_PRECISION + 1), "7u");
    /* A bar of the corrupt instrument prints (raw units), without harm. */
    tf_md_bar b = {.instrument = 1, .open = 1, .high = 2, .low = 1, .close = 2, .volume = 3};
    FILE *f = fopen("/dev/null", "w");
    assert_non_null(f);
    md_view_bar(f, mv, &b);
    fclose(f);
    free(mv);
    free(t);
}

static void test_unterminated_names_stay_in_their_fields(void **state)
{
    (void)state;
    tf_state_table *t = calloc(1, tf_state_region_size(4));
    assert_non_null(t);
    tf_state_table_init(t, 4);
    tf_md_instrument_info in = {.id = 0, .price_precision = 2, .qty_precision = 2};
    memset(in.symbol, 'S', sizeof in.symbol);
    memset(in.venue, 'V', sizeof in.venue);
    tf_state_slot *s = tf_state_claim(t, TF_STATE_INSTRUMENT, "x");
    tf_state_write(s, &in, sizeof in, 1);
    md_view *mv = malloc(sizeof *mv);
    md_view_load(mv, t);
    const tf_md_instrument_info *got = md_view_get(mv, 0);
    assert_non_null(got);
    assert_true(strlen(got->symbol) < sizeof got->symbol);
    assert_true(strlen(got->venue) < sizeof got->venue);
    free(mv);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_precision_is_not_used),
        cmocka_unit_test(test_unterminated_names_stay_in_their_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

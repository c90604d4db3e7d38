/* Exact decimal <-> fixed point (shm/fixed.h): every accepted string becomes
 * exactly the integer it denotes; extra non-zero decimals, syntax errors and
 * overflow are refused; formatting round-trips; notional rounding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "shm/fixed.h"

static tf_fixed_rc parse(const char *s, unsigned p, int64_t *v)
{
    return tf_fixed_parse(s, strlen(s), p, v);
}

static void test_parse_exact(void **state)
{
    (void)state;
    int64_t v = -1;
    assert_int_equal(parse("43210.12000000", 2, &v), TF_FIXED_OK);
    assert_int_equal(v, 4321012);
    assert_int_equal(parse("0.00100000", 5, &v), TF_FIXED_OK);
    assert_int_equal(v, 100);
    assert_int_equal(parse("0.10000000", 2, &v), TF_FIXED_OK);
    assert_int_equal(v, 10);
    assert_int_equal(parse("12", 3, &v), TF_FIXED_OK);
    assert_int_equal(v, 12000);
    assert_int_equal(parse("0", 8, &v), TF_FIXED_OK);
    assert_int_equal(v, 0);
    assert_int_equal(parse("-1.5", 2, &v), TF_FIXED_OK);
    assert_int_equal(v, -150);
    assert_int_equal(parse("000123.4", 1, &v), TF_FIXED_OK);
    assert_int_equal(v, 1234);
    assert_int_equal(parse("9223372036854775807", 0, &v), TF_FIXED_OK);
    assert_int_equal(v, INT64_MAX);
    assert_int_equal(parse("-9223372036854775808", 0, &v), TF_FIXED_OK);
    assert_true(v == INT64_MIN);
    assert_int_equal(parse("92233720368.54775807", 8, &v), TF_FIXED_OK);
    assert_int_equal(v, INT64_MAX);
    /* 0.1 + 0.2 style values that floats get wrong stay exact. */
    assert_int_equal(parse("0.30000000", 8, &v), TF_FIXED_OK);
    assert_int_equal(v, 30000000);
}

static void test_parse_refusals(void **state)
{
    (void)state;
    int64_t v = 77;
    assert_int_equal(parse("0.105", 2, &v), TF_FIXED_PRECISION);
    assert_int_equal(parse("1.00000001", 7, &v), TF_FIXED_PRECISION);
    const char *syntax[] = {"", "-", ".", "1.", ".5", "1e5", " 1", "1 ", "+1", "1,5", "0x10", "--1",
                            "1.2.3", "abc", "1.-2", "NaN"};
    for (size_t i = 0; i < sizeof syntax / sizeof *syntax; i++)
        if (parse(syntax[i], 2, &v) != TF_FIXED_SYNTAX)
            fail_msg("'%s' was not refused as syntax", syntax[i]);
    assert_int_equal(parse("9223372036854775808", 0, &v), TF_FIXED_OVERFLOW);
    assert_int_equal(parse("92233720368547758.08", 2, &v), TF_FIXED_OVERFLOW);
    assert_int_equal(parse("100000000000", 8, &v), TF_FIXED_OVERFLOW);
    assert_int_equal(parse("1", 19, &v), TF_FIXED_OVERFLOW);
    assert_int_equal(v, 77); /* untouched on refusal */
    /* Not NUL-terminated: only `len` bytes are read. */
    char buf[4] = {'1', '2', '3', '4'};
    assert_int_equal(tf_fixed_parse(buf, 2, 0, &v), TF_FIXED_OK);
    assert_int_equal(v, 12);
}

static void test_format_round_trip(void **state)
{
    (void)state;
    char b[48];
    assert_int_equal(tf_fixed_format(b, sizeof b, 4321012, 2), 8);
    assert_string_equal(b, "43210.12");
    tf_fixed_format(b, sizeof b, 5, 3);
    assert_string_equal(b, "0.005");
    tf_fixed_format(b, sizeof b, -5, 3);
    assert_string_equal(b, "-0.005");
    tf_fixed_format(b, sizeof b, 7, 0);
    assert_string_equal(b, "7");
    tf_fixed_format(b, sizeof b, INT64_MIN, 8);
    assert_string_equal(b, "-92233720368.54775808");
    assert_int_equal(tf_fixed_format(b, 4, 123456, 2), 0); /* too small */
    for (int64_t v = -2000; v <= 2000; v += 7)
        for (unsigned p = 0; p <= 8; p++) {
            int64_t back;
            size_t n = tf_fixed_format(b, sizeof b, v, p);
            assert_true(n > 0);
            assert_int_equal(tf_fixed_parse(b, n, p, &back), TF_FIXED_OK);
            assert_int_equal(back, v);
        }
}

/* Precisions come from shared memory: one above the maximum (a corrupt
 * instrument slot says 200) is refused without a byte written past `cap`,
 * and no `cap` is ever overrun, whatever the value and precision. */
static void test_format_bad_precision_never_overruns(void **state)
{
    (void)state;
    char b[64];
    memset(b, 'x', sizeof b);
    assert_int_equal(tf_fixed_format(b, 48, 1, 200), 0);
    assert_string_equal(b, ""); /* refused: empty, not stale text */
    for (size_t i = 1; i < sizeof b; i++)
        assert_int_equal(b[i], 'x');
    assert_int_equal(tf_fixed_format(b, 48, -1, TF_FIXED_MAX_PRECISION + 1), 0);
    assert_int_equal(tf_fixed_format(b, 48, INT64_MIN, 255), 0);
    assert_false(tf_fixed_precision_ok(TF_FIXED_MAX_PRECISION + 1));
    assert_true(tf_fixed_precision_ok(TF_FIXED_MAX_PRECISION));
    /* The longest text: INT64_MIN at the maximum precision. */
    assert_int_equal(tf_fixed_format(b, sizeof b, INT64_MIN, TF_FIXED_MAX_PRECISION), 21);
    assert_string_equal(b, "-9.223372036854775808");
    static const int64_t vals[] = {0, 1, -1, 5, INT64_MAX, INT64_MIN, 123456789};
    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++)
        for (unsigned p = 0; p <= TF_FIXED_MAX_PRECISION + 2; p++)
            for (size_t cap = 0; cap <= 26; cap++) {
                memset(b, 'x', sizeof b);
                size_t n = tf_fixed_format(b, cap, vals[k], p);
                assert_true(n < cap || n == 0);
                for (size_t i = cap; i < sizeof b; i++)
                    assert_int_equal(b[i], 'x');
            }
}

static void test_notional(void **state)
{
    (void)state;
    /* 43210.12 * 0.00150 (qty precision 5) = 64.81518 -> 64.82 at price precision 2 */
    assert_int_equal(tf_fixed_notional(4321012, 150, 5), 6482);
    /* exactly half rounds away from zero */
    assert_int_equal(tf_fixed_notional(1, 5, 1), 1);
    assert_int_equal(tf_fixed_notional(-1, 5, 1), -1);
    /* BTC-scale values do not overflow (128-bit intermediate) */
    assert_int_equal(tf_fixed_notional(10000000000LL, 100000000000LL, 8), 10000000000000LL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_exact),
        cmocka_unit_test(test_parse_refusals),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_format_bad_precision_never_overruns),
        cmocka_unit_test(test_notional),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

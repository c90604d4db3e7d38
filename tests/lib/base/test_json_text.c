/* lib/base: the one JSON string escaper (json_text.h) and the one backoff
 * (backoff.h). The escaper's promise: valid JSON whatever the input bytes,
 * whole well-formed UTF-8 kept as it is; the backoff's: doubling from min to
 * max, each delay within +-25 %, back to min after a reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/base/backoff.h"
#include "lib/base/json_text.h"

static const char *esc(const char *s, size_t n)
{
    static char out[4096];
    size_t w = tf_json_escape(out, sizeof out - 1, s, n);
    out[w] = 0;
    return out;
}

static void test_plain_and_specials(void **state)
{
    (void)state;
    assert_string_equal(esc("abc", 3), "\"abc\"");
    assert_string_equal(esc("", 0), "\"\"");
    assert_string_equal(esc("a\"b\\c", 5), "\"a\\\"b\\\\c\"");
    assert_string_equal(esc("\n\t\x01\x7f", 4), "\"\\u000a\\u0009\\u0001\\u007f\"");
    /* A fixed-size field stops at its first NUL. */
    assert_string_equal(esc("ab\0cd", 5), "\"ab\"");
}

static void test_utf8(void **state)
{
    (void)state;
    /* Well-formed sequences of 2, 3 and 4 bytes pass as they are. */
    assert_string_equal(esc("\xc3\xa9", 2), "\"\xc3\xa9\"");
    assert_string_equal(esc("\xe2\x82\xac", 3), "\"\xe2\x82\xac\"");
    assert_string_equal(esc("\xf0\x9f\x98\x80", 4), "\"\xf0\x9f\x98\x80\"");
    /* A lone continuation byte, a cut sequence, an invalid lead: escaped. */
    assert_string_equal(esc("\x80", 1), "\"\\u0080\"");
    assert_string_equal(esc("\xe2\x82", 2), "\"\\u00e2\\u0082\"");
    assert_string_equal(esc("\xff", 1), "\"\\u00ff\"");
    assert_string_equal(esc("\xc0\xaf", 2), "\"\\u00c0\\u00af\"");          /* overlong '/' */
    assert_string_equal(esc("\xe0\x80\xaf", 3), "\"\\u00e0\\u0080\\u00af\""); /* overlong */
    assert_string_equal(esc("\xed\xa0\x80", 3), "\"\\u00ed\\u00a0\\u0080\"");  /* a surrogate */
    assert_string_equal(esc("\xf4\x90\x80\x80", 4), "\"\\u00f4\\u0090\\u0080\\u0080\""); /* > U+10FFFF */
}

static void test_room(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(tf_json_escape(out, sizeof out, "abcdef", 6), 8); /* exactly fits */
    assert_int_equal(tf_json_escape(out, sizeof out, "abcdefg", 7), 0);
    assert_int_equal(tf_json_escape(out, 5, "a\"", 2), 5); /* "a\"" */
    assert_int_equal(tf_json_escape(out, 4, "a\"", 2), 0);
    char big[TF_JSON_ESCAPED_MAX(4)];
    assert_int_equal(tf_json_escape(big, sizeof big, "\x01\x02\x03\x04", 4), sizeof big);
}

/* The stream form writes in chunks; it must equal escaping the whole string,
 * with multi-byte sequences at every offset across the chunk edges. */
static void test_fputs_equals_escape(void **state)
{
    (void)state;
    char in[600];
    for (int shift = 0; shift < 5; shift++) {
        size_t n = 0;
        for (int k = 0; k < shift; k++)
            in[n++] = 'x';
        while (n + 8 < sizeof in) {
            memcpy(in + n, "\xf0\x9f\x98\x80" "\xc3\xa9" "\"\x01", 8);
            n += 8;
        }
        in[n++] = '\xe2'; /* cut at the end */
        char *mem = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&mem, &len);
        assert_non_null(f);
        tf_json_fputs(f, in, n);
        fclose(f);
        assert_string_equal(mem, esc(in, n));
        free(mem);
    }
}

static void test_backoff(void **state)
{
    (void)state;
    tf_backoff b;
    tf_backoff_init(&b, 100, 1000, 42);
    const uint64_t base[] = {100, 200, 400, 800, 1000, 1000};
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < sizeof base / sizeof base[0]; i++) {
            uint64_t d = tf_backoff_next(&b);
            if (d < base[i] - base[i] / 4 || d > base[i] + base[i] / 4)
                fail_msg("delay %zu: %llu, wanted %llu +-25%%", i, (unsigned long long)d,
                         (unsigned long long)base[i]);
        }
        tf_backoff_reset(&b);
    }
    /* max below min is taken as min. */
    tf_backoff_init(&b, 500, 10, 1);
    uint64_t d = tf_backoff_next(&b);
    assert_true(d >= 375 && d <= 625);
    d = tf_backoff_next(&b);
    assert_true(d >= 375 && d <= 625);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_specials), cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_room), cmocka_unit_test(test_fputs_equals_escape),
        cmocka_unit_test(test_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

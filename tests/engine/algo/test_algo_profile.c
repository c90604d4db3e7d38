/* VWAP profiles by time of day (engine/algo/algo_profile.h): a file read
 * into minutes of the day in qty units; every kind of bad line refused
 * with its line number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/algo/algo_profile.h"
#include "shm/err.h"

static tf_instruments ins;
static char path[] = "/tmp/tf_vwap_profile_XXXXXX";

static int load(const char *text, tf_algo_day_profiles *p)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return tf_algo_profiles_load(p, path, &ins);
}

static void test_profiles_load_and_refuse_bad_lines(void **state)
{
    (void)state;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(tf_instruments_add(&ins, "BTCUSDT", "binance", 2, 5, 1, 1, 0, 0), 0);
    assert_int_equal(tf_instruments_add(&ins, "ETHUSDT", "binance", 2, 4, 1, 1, 0, 0), 0);
    tf_algo_day_profiles p;
    assert_int_equal(load("# minute of the day (UTC), volume in BTC\n"
                          "BTCUSDT 00:00 1.5\n"
                          "btcusdt 10:00 12.25   # case does not matter\n"
                          "\n"
                          "BTCUSDT 23:59 0.00001\n", &p), 0);
    assert_non_null(p.day[0]);
    assert_null(p.day[1]); /* ETH: no profile, flat */
    assert_int_equal(p.day[0][0], 150000);
    assert_int_equal(p.day[0][600], 1225000);
    assert_int_equal(p.day[0][1439], 1);
    assert_int_equal(p.day[0][1], 0);
    tf_algo_profiles_free(&p);
    assert_int_equal(load("BTCUSDT 10:00 1\nDOGEUSDT 10:00 1\n", &p), -1);
    assert_non_null(strstr(tf_err_msg(), ":2: DOGEUSDT is not an instrument"));
    assert_int_equal(load("BTCUSDT 24:00 1\n", &p), -1);
    assert_non_null(strstr(tf_err_msg(), ":1: time 24:00 is not HH:MM"));
    assert_int_equal(load("BTCUSDT 10:00 1.000019\n", &p), 0); /* an average: cut to the precision */
    assert_int_equal(p.day[0][600], 100001);
    tf_algo_profiles_free(&p);
    assert_int_equal(load("BTCUSDT 10:00 1x\n", &p), -1);
    assert_non_null(strstr(tf_err_msg(), "not a non-negative decimal"));
    assert_int_equal(load("BTCUSDT 10:00 -3\n", &p), -1);
    assert_int_equal(load("BTCUSDT 10:00\n", &p), -1);
    assert_non_null(strstr(tf_err_msg(), "want SYMBOL HH:MM VOLUME"));
    unlink(path);
    assert_int_equal(tf_algo_profiles_load(&p, path, &ins), -1);
    assert_non_null(strstr(tf_err_msg(), "No such file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profiles_load_and_refuse_bad_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

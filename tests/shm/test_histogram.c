/* Histogram: bucket boundaries (three significant digits up to 2^40),
 * quantiles on known distributions, overflow, merge, empty snapshots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "shm/histogram.h"

static tf_hist *h, *snap;

static int setup(void **state)
{
    (void)state;
    h = malloc(sizeof *h);
    snap = malloc(sizeof *snap);
    return h && snap ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(h);
    free(snap);
    return 0;
}

static void check_bucket(uint64_t v)
{
    uint32_t i = tf_hist_index(v);
    uint64_t lo = tf_hist_bucket_low(i), hi = tf_hist_bucket_high(i);
    if (!(lo <= v && v <= hi))
        fail_msg("value %llu in bucket %u [%llu, %llu]", (unsigned long long)v, i,
                 (unsigned long long)lo, (unsigned long long)hi);
    assert_true((double)(hi - lo + 1) <= (double)lo / 1024.0 + 1.0);
}

static void test_buckets(void **state)
{
    (void)state;
    uint32_t prev = 0;
    for (uint64_t v = 0; v < 100000; v++) {
        check_bucket(v);
        uint32_t i = tf_hist_index(v);
        assert_true(i >= prev); /* monotonic */
        prev = i;
    }
    uint64_t s = 88172645463325252ull;
    for (int k = 0; k < 200000; k++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        check_bucket(s % (1ull << 40));
    }
    for (uint32_t i = 1; i < TF_HIST_BUCKETS; i++)
        assert_int_equal(tf_hist_bucket_low(i), tf_hist_bucket_high(i - 1) + 1); /* contiguous */
    assert_int_equal(tf_hist_index((1ull << 40) - 1), TF_HIST_BUCKETS - 1);
}

static void test_quantiles_uniform(void **state)
{
    (void)state;
    tf_hist_reset(h);
    for (uint64_t v = 1; v <= 100000; v++)
        tf_hist_record(h, v);
    tf_hist_snapshot(snap, h);
    tf_hist_summary s;
    tf_hist_summarize(snap, &s);
    assert_int_equal(s.count, 100000);
    assert_int_equal(s.min, 1);
    assert_int_equal(s.max, 100000);
    assert_true(s.p50 >= 50000 && s.p50 <= 50050);
    assert_true(s.p90 >= 90000 && s.p90 <= 90090);
    assert_true(s.p99 >= 99000 && s.p99 <= 99099);
    assert_true(s.p999 >= 99900 && s.p999 <= 100000);
    assert_true(s.mean > 50000.4 && s.mean < 50000.6);
}

static void test_overflow_merge_empty(void **state)
{
    (void)state;
    tf_hist_reset(h);
    tf_hist_snapshot(snap, h);
    tf_hist_summary s;
    tf_hist_summarize(snap, &s);
    assert_int_equal(s.count, 0);
    assert_int_equal(tf_hist_quantile(snap, 0.5), 0);

    tf_hist_record(h, 1ull << 45);
    tf_hist_record(h, 5);
    assert_int_equal(h->overflow, 1);
    assert_int_equal(h->max, 1ull << 45);
    tf_hist_reset(snap);
    tf_hist_record(snap, 7);
    tf_hist_merge(snap, h);
    assert_int_equal(snap->count, 3);
    assert_int_equal(snap->min, 5);
    assert_int_equal(snap->overflow, 1);
    assert_int_equal(tf_hist_quantile(snap, 0.5), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buckets),
        cmocka_unit_test(test_quantiles_uniform),
        cmocka_unit_test(test_overflow_merge_empty),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

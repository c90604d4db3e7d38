/* Log-linear histogram: bucket index/low/high consistency (exact below 2048,
 * within 1/1024 up to 2^40), monotonic and contiguous buckets; quantiles on
 * known distributions; overflow counting at and beyond 2^40; merge;
 * snapshots (empty, and racing a writer); summaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/histogram.h"

static tf_hist *h, *h2, *snap;

static int setup(void **state)
{
    (void)state;
    h = malloc(sizeof *h);
    h2 = malloc(sizeof *h2);
    snap = malloc(sizeof *snap);
    if (!h || !h2 || !snap)
        return -1;
    tf_hist_reset(h);
    tf_hist_reset(h2);
    tf_hist_reset(snap);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(h);
    free(h2);
    free(snap);
    h = h2 = snap = NULL;
    return 0;
}

static uint64_t rng = 88172645463325252ull;

static uint64_t xorshift(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* v lies in its bucket, and the bucket is exact below 2048 and no wider
 * than 1/1024 of its low end above. */
static void check_bucket(uint64_t v)
{
    uint32_t i = tf_hist_index(v);
    if (i >= TF_HIST_BUCKETS)
        fail_msg("value %llu: index %u out of range", (unsigned long long)v, i);
    uint64_t lo = tf_hist_bucket_low(i), hi = tf_hist_bucket_high(i);
    if (!(lo <= v && v <= hi))
        fail_msg("value %llu in bucket %u [%llu, %llu]", (unsigned long long)v, i,
                 (unsigned long long)lo, (unsigned long long)hi);
    uint64_t width = hi - lo + 1;
    if (v < TF_HIST_LINEAR) {
        if (width != 1)
            fail_msg("value %llu: bucket width %llu, expected exact", (unsigned long long)v,
                     (unsigned long long)width);
    } else if (width * 1024 > lo) {
        fail_msg("value %llu: bucket [%llu, %llu] wider than 1/1024 of its low end",
                 (unsigned long long)v, (unsigned long long)lo, (unsigned long long)hi);
    }
}

static void test_buckets_small_values(void **state)
{
    (void)state;
    uint32_t prev = 0;
    for (uint64_t v = 0; v <= 5000; v++) {
        check_bucket(v);
        uint32_t i = tf_hist_index(v);
        if (v < TF_HIST_LINEAR)
            assert_int_equal(i, v);
        assert_true(i >= prev); /* monotonic */
        assert_true(i <= prev + 1); /* no bucket skipped */
        prev = i;
    }
    assert_int_equal(tf_hist_index(2047), 2047);
    assert_int_equal(tf_hist_index(2048), 2048);
    assert_int_equal(tf_hist_index(2049), 2048); /* width 2 from 2048 */
    assert_int_equal(tf_hist_index(2050), 2049);
    assert_int_equal(tf_hist_bucket_low(2048), 2048);
    assert_int_equal(tf_hist_bucket_high(2048), 2049);
}

static void test_buckets_large_values(void **state)
{
    (void)state;
    /* Uniform below 2^40 (mostly the top powers) ... */
    for (int k = 0; k < 200000; k++)
        check_bucket(xorshift() % (1ull << 40));
    /* ... and log-uniform, so every power of two is visited. */
    for (int k = 0; k < 200000; k++) {
        uint32_t p = (uint32_t)(xorshift() % 40);
        uint64_t v = (1ull << p) | (xorshift() & ((1ull << p) - 1));
        check_bucket(v);
    }
    /* Monotonic across random pairs. */
    for (int k = 0; k < 100000; k++) {
        uint64_t a = xorshift() % (1ull << 40), b = xorshift() % (1ull << 40);
        if (a > b) {
            uint64_t t = a;
            a = b;
            b = t;
        }
        assert_true(tf_hist_index(a) <= tf_hist_index(b));
    }
    /* Every power-of-two boundary. */
    for (uint32_t p = 1; p < 40; p++) {
        uint64_t v = 1ull << p;
        check_bucket(v - 1);
        check_bucket(v);
        check_bucket(v + 1);
        assert_true(tf_hist_index(v) == tf_hist_index(v - 1) + 1 || v <= TF_HIST_LINEAR / 2);
    }
    check_bucket((1ull << 40) - 1);
    assert_int_equal(tf_hist_index((1ull << 40) - 1), TF_HIST_BUCKETS - 1);
}

/* Every bucket: contiguous with the previous, its own ends map back to it. */
static void test_buckets_all_indices(void **state)
{
    (void)state;
    assert_int_equal(tf_hist_bucket_low(0), 0);
    assert_int_equal(tf_hist_bucket_high(0), 0);
    for (uint32_t i = 0; i < TF_HIST_BUCKETS; i++) {
        uint64_t lo = tf_hist_bucket_low(i), hi = tf_hist_bucket_high(i);
        assert_true(lo <= hi);
        assert_int_equal(tf_hist_index(lo), i);
        assert_int_equal(tf_hist_index(hi), i);
        if (i > 0)
            assert_int_equal(lo, tf_hist_bucket_high(i - 1) + 1);
    }
    assert_int_equal(tf_hist_bucket_high(TF_HIST_BUCKETS - 1), (1ull << 40) - 1);
}

static void test_quantiles_uniform(void **state)
{
    (void)state;
    for (uint64_t v = 1; v <= 100000; v++)
        tf_hist_record(h, v);
    tf_hist_snapshot(snap, h);
    tf_hist_summary s;
    tf_hist_summarize(snap, &s);
    assert_int_equal(s.count, 100000);
    assert_int_equal(s.min, 1);       /* exact */
    assert_int_equal(s.max, 100000);  /* exact */
    assert_int_equal(s.overflow, 0);
    /* Within 0.1%, and never below the true value (the bucket's high end). */
    assert_in_range(s.p50, 50000, 50050);
    assert_in_range(s.p90, 90000, 90090);
    assert_in_range(s.p99, 99000, 99099);
    assert_in_range(s.p999, 99900, 100000);
    assert_in_range(s.p9999, 99990, 100000);
    assert_true(s.mean > 50000.49 && s.mean < 50000.51);
    assert_int_equal(tf_hist_quantile(snap, 0.0), 1);
    assert_int_equal(tf_hist_quantile(snap, -1.0), 1);
    assert_int_equal(tf_hist_quantile(snap, 1.0), 100000);
    assert_int_equal(tf_hist_quantile(snap, 2.0), 100000);
    for (int q = 1; q < 1000; q++) {
        uint64_t truth = (uint64_t)q * 100; /* the value at rank q/1000 */
        uint64_t got = tf_hist_quantile(snap, q / 1000.0);
        if (got < truth || (double)got > (double)truth * 1.001)
            fail_msg("quantile %.3f: %llu, true %llu", q / 1000.0, (unsigned long long)got,
                     (unsigned long long)truth);
    }
}

static void test_quantiles_known_shapes(void **state)
{
    (void)state;
    /* A constant: every quantile is that value exactly (capped at max). */
    for (int i = 0; i < 1000; i++)
        tf_hist_record(h, 1234567);
    tf_hist_snapshot(snap, h);
    tf_hist_summary s;
    tf_hist_summarize(snap, &s);
    assert_int_equal(s.p50, 1234567);
    assert_int_equal(s.p9999, 1234567);
    assert_int_equal(s.min, 1234567);
    assert_true(s.mean == 1234567.0);

    /* Bimodal: 99% at 100, 1% at 1,000,000. */
    tf_hist_reset(h);
    for (int i = 0; i < 990; i++)
        tf_hist_record(h, 100);
    for (int i = 0; i < 10; i++)
        tf_hist_record(h, 1000000);
    tf_hist_snapshot(snap, h);
    tf_hist_summarize(snap, &s);
    assert_int_equal(s.count, 1000);
    assert_int_equal(s.p50, 100);
    assert_int_equal(s.p90, 100);
    assert_int_equal(s.p99, 100);
    assert_int_equal(s.p999, 1000000);
    assert_int_equal(s.max, 1000000);
    assert_true(s.mean > 10098.99 && s.mean < 10099.01);

    /* Zeros count. */
    tf_hist_reset(h);
    tf_hist_record(h, 0);
    tf_hist_record(h, 0);
    tf_hist_record(h, 10);
    tf_hist_snapshot(snap, h);
    tf_hist_summarize(snap, &s);
    assert_int_equal(s.min, 0);
    assert_int_equal(s.p50, 0);
    assert_int_equal(s.max, 10);
}

static void test_overflow_counting(void **state)
{
    (void)state;
    tf_hist_record(h, (1ull << 40) - 1); /* the last resolved value */
    assert_int_equal(h->overflow, 0);
    tf_hist_record(h, 1ull << 40);
    tf_hist_record(h, 1ull << 45);
    tf_hist_record(h, UINT64_MAX);
    tf_hist_record(h, 5);
    assert_int_equal(h->overflow, 3);
    assert_int_equal(h->count, 5);
    assert_int_equal(h->counts[TF_HIST_BUCKETS - 1], 4); /* all in the top bucket */
    assert_int_equal(h->max, UINT64_MAX);
    assert_int_equal(h->min, 5);
    tf_hist_snapshot(snap, h);
    assert_int_equal(snap->overflow, 3);
    assert_int_equal(snap->count, 5);
    tf_hist_summary s;
    tf_hist_summarize(snap, &s);
    assert_int_equal(s.overflow, 3);
    assert_int_equal(s.max, UINT64_MAX);
}

/* Samples beyond the resolved range are at least 2^40; a quantile that lands
 * among them must not report less than every one of them (the header:
 * "never under-reports a tail"). The only honest bound left is max. */
static void test_quantile_of_overflowed_samples(void **state)
{
    (void)state;
    const uint64_t big = 1ull << 45; /* ~9.8 hours in ns */
    for (int i = 0; i < 10; i++)
        tf_hist_record(h, big);
    tf_hist_snapshot(snap, h);
    tf_hist_summary s;
    tf_hist_summarize(snap, &s);
    assert_int_equal(s.min, big);
    assert_int_equal(s.max, big);
    if (s.p50 < s.min || s.p99 < s.min)
        fail_msg("every sample is %llu, but p50 = %llu and p99 = %llu (below min)",
                 (unsigned long long)big, (unsigned long long)s.p50, (unsigned long long)s.p99);
    assert_int_equal(s.p50, big);
    assert_int_equal(s.p9999, big);
}

static void test_merge(void **state)
{
    (void)state;
    tf_hist *all = malloc(sizeof *all);
    assert_non_null(all);
    tf_hist_reset(all);
    for (uint64_t v = 1; v <= 50000; v++) {
        tf_hist_record(h, v * 3);
        tf_hist_record(all, v * 3);
    }
    for (uint64_t v = 1; v <= 30000; v++) {
        tf_hist_record(h2, v * 7 + 1);
        tf_hist_record(all, v * 7 + 1);
    }
    tf_hist_record(h2, 1ull << 42);
    tf_hist_record(all, 1ull << 42);
    tf_hist_merge(h, h2);
    assert_int_equal(h->count, all->count);
    assert_int_equal(h->sum, all->sum);
    assert_int_equal(h->min, 3);
    assert_int_equal(h->max, 1ull << 42);
    assert_int_equal(h->overflow, 1);
    assert_memory_equal(h->counts, all->counts, sizeof h->counts);
    for (int q = 1; q < 100; q++)
        assert_int_equal(tf_hist_quantile(h, q / 100.0), tf_hist_quantile(all, q / 100.0));
    free(all);

    /* Merging an empty one changes nothing (its min is UINT64_MAX). */
    tf_hist_reset(h2);
    uint64_t c = h->count, mn = h->min, mx = h->max;
    tf_hist_merge(h, h2);
    assert_int_equal(h->count, c);
    assert_int_equal(h->min, mn);
    assert_int_equal(h->max, mx);

    /* Merging into an empty one copies. */
    tf_hist_reset(h2);
    tf_hist_merge(h2, h);
    assert_int_equal(h2->count, c);
    assert_int_equal(h2->min, mn);
    assert_int_equal(h2->max, mx);
    assert_int_equal(h2->sum, h->sum);

    /* A smaller minimum from the source wins. */
    tf_hist_reset(h2);
    tf_hist_record(h2, 1);
    tf_hist_merge(h, h2);
    assert_int_equal(h->min, 1);
}

static void test_empty(void **state)
{
    (void)state;
    assert_int_equal(h->count, 0);
    assert_int_equal(h->min, UINT64_MAX);
    assert_int_equal(h->max, 0);
    memset(snap, 0xff, sizeof *snap); /* the snapshot must overwrite everything */
    tf_hist_snapshot(snap, h);
    assert_int_equal(snap->count, 0);
    assert_int_equal(snap->sum, 0);
    assert_int_equal(snap->max, 0);
    assert_int_equal(snap->min, UINT64_MAX);
    assert_int_equal(snap->overflow, 0);
    for (uint32_t i = 0; i < TF_HIST_BUCKETS; i++)
        if (snap->counts[i] != 0)
            fail_msg("empty snapshot has %llu in bucket %u", (unsigned long long)snap->counts[i], i);
    tf_hist_summary s;
    memset(&s, 0xff, sizeof s);
    tf_hist_summarize(snap, &s);
    assert_int_equal(s.count, 0);
    assert_int_equal(s.min, 0);
    assert_int_equal(s.max, 0);
    assert_int_equal(s.p50, 0);
    assert_int_equal(s.p9999, 0);
    assert_true(s.mean == 0.0);
    assert_int_equal(tf_hist_quantile(snap, 0.5), 0);
    assert_int_equal(tf_hist_quantile(snap, 0.0), 0);

    /* Reset after use empties it again. */
    tf_hist_record(h, 9);
    tf_hist_reset(h);
    assert_int_equal(h->count, 0);
    assert_int_equal(h->counts[9], 0);
    assert_int_equal(h->min, UINT64_MAX);
}

static void test_summarize_count_mean(void **state)
{
    (void)state;
    for (uint64_t v = 1; v <= 1000; v++)
        tf_hist_record(h, v);
    tf_hist_snapshot(snap, h);
    tf_hist_summary s;
    tf_hist_summarize(snap, &s);
    assert_int_equal(s.count, 1000);
    assert_true(s.mean == 500.5); /* from the exact recorded sum */
    assert_int_equal(s.min, 1);
    assert_int_equal(s.max, 1000);
    assert_int_equal(s.p50, 500);
    assert_int_equal(s.p99, 990);

    /* Large values: the mean is from the exact sum, not bucket midpoints. */
    tf_hist_reset(h);
    tf_hist_record(h, 1000001);
    tf_hist_record(h, 3000003);
    tf_hist_snapshot(snap, h);
    tf_hist_summarize(snap, &s);
    assert_true(s.mean == 2000002.0);
}

/* A snapshot taken while the writer is between bumping a bucket and the
 * totals: the snapshot's count is its buckets' total, and its sum (so the
 * mean) falls back to an estimate from the buckets, never mixing the two. */
static void test_snapshot_racing_writer(void **state)
{
    (void)state;
    for (uint64_t v = 1; v <= 1000; v++)
        tf_hist_record(h, v * 1000);
    h->counts[tf_hist_index(500000)]++; /* bucket bumped, count/sum not yet */
    tf_hist_snapshot(snap, h);
    assert_int_equal(snap->count, 1001);
    uint64_t total = 0;
    for (uint32_t i = 0; i < TF_HIST_BUCKETS; i++)
        total += snap->counts[i];
    assert_int_equal(total, snap->count);
    tf_hist_summary s;
    tf_hist_summarize(snap, &s);
    double truth = (500500.0 * 1000.0 + 500000.0) / 1001.0;
    if (s.mean < truth * 0.999 || s.mean > truth * 1.001)
        fail_msg("estimated mean %.1f, true %.1f", s.mean, truth);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_buckets_small_values),
        T(test_buckets_large_values),
        T(test_buckets_all_indices),
        T(test_quantiles_uniform),
        T(test_quantiles_known_shapes),
        T(test_overflow_counting),
        T(test_quantile_of_overflowed_samples),
        T(test_merge),
        T(test_empty),
        T(test_summarize_count_mean),
        T(test_snapshot_racing_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

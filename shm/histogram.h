/* Log-linear latency histogram (HdrHistogram's bucketing), single writer.
 *
 * Values 0..2047 have a bucket each; above that every power of two is cut
 * into 1024 equal buckets, so any recorded value is known to within 1/1024
 * of itself (three significant digits) up to 2^40 (1100 s in ns). Larger
 * values land in the top bucket and are counted in `overflow`.
 *
 * The struct holds no pointers: it lives in shared memory (stats segment)
 * or in a process (benchmarks). One thread records; any process reads a
 * snapshot and computes percentiles from the snapshot's own total, so a
 * read racing a write is at most one sample off, never inconsistent.
 */
#ifndef TF_SHM_HISTOGRAM_H
#define TF_SHM_HISTOGRAM_H

#include <stdint.h>

#include "shm/atomic.h"
#include "shm/common.h"

#define TF_HIST_SUB_BITS 10u                       /* 1024 buckets per power of two */
#define TF_HIST_LINEAR (2u << TF_HIST_SUB_BITS)    /* 2048 exact buckets */
#define TF_HIST_MAX_POW 40u                        /* values below 2^40 are resolved */
#define TF_HIST_BUCKETS (TF_HIST_LINEAR + (TF_HIST_MAX_POW - TF_HIST_SUB_BITS - 1u) * (1u << TF_HIST_SUB_BITS))

typedef struct tf_hist {
    /* Written by the recording thread only; readers load. */
    uint64_t count;
    uint64_t sum;
    uint64_t max;
    uint64_t min;       /* UINT64_MAX while empty (set by tf_hist_reset) */
    uint64_t overflow;  /* values >= 2^40, recorded in the top bucket */
    uint8_t _pad[TF_WRITER_LINE - 40];
    uint64_t counts[TF_HIST_BUCKETS];
} tf_hist;
_Static_assert(TF_HIST_BUCKETS == 31744, "bucket count");
_Static_assert(sizeof(tf_hist) % TF_WRITER_LINE == 0, "histograms tile writer lines");

/* The percentiles tools and benchmarks print. */
typedef struct tf_hist_summary {
    uint64_t count, min, max, overflow;
    double mean;
    uint64_t p50, p90, p99, p999, p9999;
} tf_hist_summary;

static inline uint32_t tf_hist_index(uint64_t v)
{
    if (v < TF_HIST_LINEAR)
        return (uint32_t)v;
    uint32_t k = 63u - (uint32_t)__builtin_clzll(v); /* v in [2^k, 2^(k+1)) */
    if (k >= TF_HIST_MAX_POW)
        return TF_HIST_BUCKETS - 1;
    uint32_t shift = k - TF_HIST_SUB_BITS;
    return TF_HIST_LINEAR + (k - TF_HIST_SUB_BITS - 1u) * (1u << TF_HIST_SUB_BITS) +
           (uint32_t)((v >> shift) - (1u << TF_HIST_SUB_BITS));
}

/* Recording thread only. No atomics with lock prefix: one writer. */
static inline void tf_hist_record(tf_hist *h, uint64_t v)
{
    uint32_t i = tf_hist_index(v);
    tf_counter_inc(&h->counts[i], 1);
    tf_counter_inc(&h->count, 1);
    tf_counter_inc(&h->sum, v);
    if (v > h->max)
        tf_store_64(&h->max, v);
    if (v < h->min)
        tf_store_64(&h->min, v);
    if (TF_UNLIKELY(v >> TF_HIST_MAX_POW))
        tf_counter_inc(&h->overflow, 1);
}

void tf_hist_reset(tf_hist *h);
/* Lowest and highest value a bucket stands for. */
uint64_t tf_hist_bucket_low(uint32_t i);
uint64_t tf_hist_bucket_high(uint32_t i);
/* Value at quantile q (0..1) of a consistent copy: the highest value
 * equivalent to the bucket holding it (never under-reports a tail). */
uint64_t tf_hist_quantile(const tf_hist *h, double q);
/* Copy `src` (possibly being written) into `dst` and make it consistent:
 * count and sum recomputed from the copied buckets. */
void tf_hist_snapshot(tf_hist *dst, const tf_hist *src);
void tf_hist_summarize(const tf_hist *snapshot, tf_hist_summary *out);
/* dst += src (e.g. runs of a benchmark). */
void tf_hist_merge(tf_hist *dst, const tf_hist *src);

#endif

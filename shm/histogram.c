/* Histogram reading: snapshots, quantiles, summaries (cold path). */
#include "shm/histogram.h"

#include <string.h>

void tf_hist_reset(tf_hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

uint64_t tf_hist_bucket_low(uint32_t i)
{
    if (i < TF_HIST_LINEAR)
        return i;
    uint32_t j = i - TF_HIST_LINEAR;
    uint32_t k = TF_HIST_SUB_BITS + 1u + j / (1u << TF_HIST_SUB_BITS);
    uint64_t sub = (j % (1u << TF_HIST_SUB_BITS)) + (1u << TF_HIST_SUB_BITS);
    return sub << (k - TF_HIST_SUB_BITS);
}

uint64_t tf_hist_bucket_high(uint32_t i)
{
    if (i < TF_HIST_LINEAR)
        return i;
    uint32_t j = i - TF_HIST_LINEAR;
    uint32_t k = TF_HIST_SUB_BITS + 1u + j / (1u << TF_HIST_SUB_BITS);
    return tf_hist_bucket_low(i) + (1ull << (k - TF_HIST_SUB_BITS)) - 1u;
}

void tf_hist_snapshot(tf_hist *dst, const tf_hist *src)
{
    uint64_t max = tf_load_64(&src->max);
    uint64_t min = tf_load_64(&src->min);
    uint64_t overflow = tf_load_64(&src->overflow);
    uint64_t count = 0, sum = 0;
    for (uint32_t i = 0; i < TF_HIST_BUCKETS; i++) {
        uint64_t c = tf_load_64(&src->counts[i]);
        dst->counts[i] = c;
        count += c;
        if (c)
            sum += c * ((tf_hist_bucket_low(i) + tf_hist_bucket_high(i)) / 2);
    }
    dst->count = count;
    /* The recorded sum is exact but may be ahead of the copied buckets; use
     * it when the totals agree, else the bucket estimate. */
    uint64_t rec_count = tf_load_64(&src->count);
    uint64_t rec_sum = tf_load_64(&src->sum);
    dst->sum = rec_count == count ? rec_sum : sum;
    dst->max = max;
    dst->min = count ? min : UINT64_MAX;
    dst->overflow = overflow;
}

uint64_t tf_hist_quantile(const tf_hist *h, double q)
{
    if (h->count == 0)
        return 0;
    if (q <= 0)
        return h->min;
    uint64_t rank = (uint64_t)(q * (double)h->count + 0.5);
    if (rank < 1)
        rank = 1;
    if (rank > h->count)
        rank = h->count;
    uint64_t seen = 0;
    for (uint32_t i = 0; i < TF_HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            /* Bucket bounds are estimates; the recorded extremes are exact
             * (and the only truth for samples past the top bucket). */
            uint64_t v = tf_hist_bucket_high(i);
            if (v > h->max)
                v = h->max;
            if (v < h->min)
                v = h->min;
            return v;
        }
    }
    return h->max;
}

void tf_hist_summarize(const tf_hist *s, tf_hist_summary *out)
{
    memset(out, 0, sizeof *out);
    out->count = s->count;
    if (!s->count)
        return;
    out->min = s->min;
    out->max = s->max;
    out->overflow = s->overflow;
    out->mean = (double)s->sum / (double)s->count;
    out->p50 = tf_hist_quantile(s, 0.50);
    out->p90 = tf_hist_quantile(s, 0.90);
    out->p99 = tf_hist_quantile(s, 0.99);
    out->p999 = tf_hist_quantile(s, 0.999);
    out->p9999 = tf_hist_quantile(s, 0.9999);
}

void tf_hist_merge(tf_hist *dst, const tf_hist *src)
{
    for (uint32_t i = 0; i < TF_HIST_BUCKETS; i++)
        dst->counts[i] += src->counts[i];
    dst->count += src->count;
    dst->sum += src->sum;
    dst->overflow += src->overflow;
    if (src->max > dst->max)
        dst->max = src->max;
    if (src->count && src->min < dst->min)
        dst->min = src->min;
}

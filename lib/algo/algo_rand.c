/* A parent's own random numbers (see algo_internal.h): below algo.c and
 * algo_target.c, which both draw from them. */
#include "lib/algo/algo_internal.h"

uint64_t tf__algo_rand(tf_algo *a)
{
    uint64_t x = a->rng; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    a->rng = x;
    return x * 2685821657736338717ull;
}

int64_t tf__algo_jitter(tf_algo *a, int64_t v, unsigned pct)
{
    if (!pct || v <= 0)
        return v;
    /* uniform in [-pct, +pct] % of v */
    int64_t span = v * (int64_t)pct / 100;
    if (span <= 0)
        return v;
    return v - span + (int64_t)(tf__algo_rand(a) % (uint64_t)(2 * span + 1));
}

/* Reconnect backoff: min, 2*min, 4*min ... up to max, each delay +-25 %
 * jitter so many clients of one venue do not come back in step; reset
 * after a success. Header-only; one owner thread. The engine's reconnects
 * (feed, exio) and the exporters' retries all use it. */
#ifndef TF_BASE_BACKOFF_H
#define TF_BASE_BACKOFF_H

#include <stdint.h>

typedef struct tf_backoff {
    uint64_t min_ns, max_ns, next_ns;
    uint64_t rng;                /* xorshift state, never 0 */
} tf_backoff;

static inline void tf_backoff_init(tf_backoff *b, uint64_t min_ns, uint64_t max_ns, uint64_t seed)
{
    b->min_ns = min_ns;
    b->max_ns = max_ns < min_ns ? min_ns : max_ns;
    b->next_ns = min_ns;
    b->rng = seed | 1;
}

/* The delay to wait before the next attempt (and double the one after). */
static inline uint64_t tf_backoff_next(tf_backoff *b)
{
    uint64_t d = b->next_ns;
    b->next_ns = d > b->max_ns / 2 ? b->max_ns : d * 2;
    b->rng ^= b->rng << 13;
    b->rng ^= b->rng >> 7;
    b->rng ^= b->rng << 17;
    uint64_t quarter = d / 4;
    return d - quarter + (quarter ? b->rng % (2 * quarter + 1) : 0);
}

static inline void tf_backoff_reset(tf_backoff *b) { b->next_ns = b->min_ns; }

#endif

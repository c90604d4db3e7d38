/* Between algo.c (the parent's life) and algo_target.c (each algorithm's
 * schedule). Not a public interface. */
#ifndef TF_LIB_ALGO_INTERNAL_H
#define TF_LIB_ALGO_INTERNAL_H

#include "lib/algo/algo.h"

/* The parent's own random numbers (xorshift64* from its seed). */
uint64_t tf__algo_rand(tf_algo *a);
/* v moved uniformly by up to +-pct %. */
int64_t tf__algo_jitter(tf_algo *a, int64_t v, unsigned pct);
/* The quantity the schedule wants filled by now; the step's version
 * releases TWAP slices that are due (and draws their random sizes). */
int64_t tf__algo_target(const tf_algo *a, const tf_algo_market *m);
int64_t tf__algo_target_step(tf_algo *a, const tf_algo_market *m);

#endif

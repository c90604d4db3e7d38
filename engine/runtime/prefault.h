/* Touch every page the engine has mapped writable before its threads start,
 * so the hot path takes no page fault later: a first write to a fresh page
 * of a journal, a ring, the FIX store's memory or a receive buffer was a
 * few microseconds and made the tails of the tick's hops (make bench-t2t:
 * risk, OMS and FIX encode p99 from 2-3 us to 11-24 us). Without
 * privileges, unlike lock_memory's mlockall; the pages can still be
 * swapped or reclaimed later, which only lock_memory prevents. */
#ifndef TF_ENGINE_RUNTIME_PREFAULT_H
#define TF_ENGINE_RUNTIME_PREFAULT_H

#include <stdint.h>

typedef struct tf_prefault_result {
    uint64_t regions, bytes;    /* populated */
    uint64_t skipped;           /* regions left alone (too large, refused by the kernel) */
} tf_prefault_result;

/* Cold: MADV_POPULATE_WRITE over each private or shared writable mapping
 * of this process no larger than max_region bytes (reservations such as a
 * sanitizer's shadow are far larger and are skipped). 0, or -1 with TF_ERR
 * when /proc/self/maps cannot be read or the kernel has no
 * MADV_POPULATE_WRITE (before Linux 5.14). */
int tf_prefault_writable(uint64_t max_region, tf_prefault_result *out);

#endif

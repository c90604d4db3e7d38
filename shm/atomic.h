/* Acquire/release accessors for shared memory, built on Concurrency Kit's
 * ck_pr. On x86-64 (TSO) the fences are compiler barriers and every access
 * is a plain mov.
 *
 * Under ThreadSanitizer the same accessors use the compiler's __atomic
 * builtins with the same orderings: TSan cannot see ck_pr's inline assembly,
 * and would otherwise report every hand-off as a race. The orderings are the
 * same, so what TSan checks is the protocol we ship. */
#ifndef TF_SHM_ATOMIC_H
#define TF_SHM_ATOMIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <ck_pr.h>

#if defined(__SANITIZE_THREAD__)
#define TF_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TF_TSAN 1
#endif
#endif

#ifdef TF_TSAN
static inline uint64_t tf_load_acquire_64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void tf_store_release_64(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline uint64_t tf_load_64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static inline void tf_store_64(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
static inline uint32_t tf_load_acquire_32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void tf_store_release_32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
/* TSan does not model standalone fences (gcc refuses them with -Werror=tsan).
 * The only fenced accesses are the seqlock-style copies, which are relaxed
 * atomics under TSan, so a compiler barrier loses nothing it could check. */
static inline void tf_fence_acquire(void) { __asm__ __volatile__("" ::: "memory"); }
static inline void tf_fence_release(void) { __asm__ __volatile__("" ::: "memory"); }
static inline void tf_fence_store(void) { __asm__ __volatile__("" ::: "memory"); }
static inline uint64_t tf_add_64(uint64_t *p, uint64_t d) { return __atomic_fetch_add(p, d, __ATOMIC_RELAXED); }
static inline uint32_t tf_load_32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static inline void tf_store_32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
static inline void tf_inc_32(uint32_t *p) { __atomic_fetch_add(p, 1, __ATOMIC_SEQ_CST); }
static inline void tf_or_32(uint32_t *p, uint32_t bits) { __atomic_fetch_or(p, bits, __ATOMIC_SEQ_CST); }
static inline void tf_or_64(uint64_t *p, uint64_t bits) { __atomic_fetch_or(p, bits, __ATOMIC_SEQ_CST); }
static inline void tf_and_64(uint64_t *p, uint64_t bits) { __atomic_fetch_and(p, bits, __ATOMIC_SEQ_CST); }
static inline bool tf_cas_64(uint64_t *p, uint64_t old, uint64_t new_)
{
    return __atomic_compare_exchange_n(p, &old, new_, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
static inline bool tf_cas_32(uint32_t *p, uint32_t old, uint32_t new_)
{
    return __atomic_compare_exchange_n(p, &old, new_, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
#else
static inline uint64_t tf_load_acquire_64(const uint64_t *p)
{
    uint64_t v = ck_pr_load_64(p);
    ck_pr_fence_acquire();
    return v;
}
static inline void tf_store_release_64(uint64_t *p, uint64_t v)
{
    ck_pr_fence_release();
    ck_pr_store_64(p, v);
}
static inline uint64_t tf_load_64(const uint64_t *p) { return ck_pr_load_64(p); }
static inline void tf_store_64(uint64_t *p, uint64_t v) { ck_pr_store_64(p, v); }
static inline uint32_t tf_load_acquire_32(const uint32_t *p)
{
    uint32_t v = ck_pr_load_32(p);
    ck_pr_fence_acquire();
    return v;
}
static inline void tf_store_release_32(uint32_t *p, uint32_t v)
{
    ck_pr_fence_release();
    ck_pr_store_32(p, v);
}
static inline void tf_fence_acquire(void) { ck_pr_fence_acquire(); }
static inline void tf_fence_release(void) { ck_pr_fence_release(); }
/* Store-store: earlier stores are visible before later ones. */
static inline void tf_fence_store(void) { ck_pr_fence_store(); }
static inline uint64_t tf_add_64(uint64_t *p, uint64_t d) { return ck_pr_faa_64(p, d); }
static inline uint32_t tf_load_32(const uint32_t *p) { return ck_pr_load_32(p); }
static inline void tf_store_32(uint32_t *p, uint32_t v) { ck_pr_store_32(p, v); }
static inline void tf_inc_32(uint32_t *p) { ck_pr_inc_32(p); }
static inline void tf_or_32(uint32_t *p, uint32_t bits) { ck_pr_or_32(p, bits); }
static inline void tf_or_64(uint64_t *p, uint64_t bits) { ck_pr_or_64(p, bits); }
static inline void tf_and_64(uint64_t *p, uint64_t bits) { ck_pr_and_64(p, bits); }
static inline bool tf_cas_64(uint64_t *p, uint64_t old, uint64_t new_) { return ck_pr_cas_64(p, old, new_); }
static inline bool tf_cas_32(uint32_t *p, uint32_t old, uint32_t new_) { return ck_pr_cas_32(p, old, new_); }
#endif

/* ck_ring and ck_sequence keep their indices in unsigned int; readers load
 * them through the 32-bit accessors. */
_Static_assert(sizeof(unsigned int) == sizeof(uint32_t), "unsigned int is 32 bits");

/* Single-writer counter bump: no locked instruction, readers see whole values. */
static inline void tf_counter_inc(uint64_t *p, uint64_t d) { tf_store_64(p, tf_load_64(p) + d); }

/* Copy a record that another thread may overwrite meanwhile (seqlock-style
 * readers, whose version check throws torn copies away). Sizes are multiples
 * of 8. Under TSan each word is a relaxed atomic, so the designed race is
 * not reported; otherwise it is a plain memcpy. */
static inline void tf_copy_racy(void *dst, const void *src, size_t n)
{
#ifdef TF_TSAN
    uint64_t *d = dst;
    const uint64_t *s = src;
    for (size_t i = 0; i < n / 8; i++)
        d[i] = __atomic_load_n(&s[i], __ATOMIC_RELAXED);
#else
    memcpy(dst, src, n);
#endif
}

/* The writer's side of tf_copy_racy. */
static inline void tf_write_racy(void *dst, const void *src, size_t n)
{
#ifdef TF_TSAN
    uint64_t *d = dst;
    const uint64_t *s = src;
    for (size_t i = 0; i < n / 8; i++)
        __atomic_store_n(&d[i], s[i], __ATOMIC_RELAXED);
#else
    memcpy(dst, src, n);
#endif
}

#endif

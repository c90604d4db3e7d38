/* Small definitions every TradeFan module shares: cache-line sizes, branch
 * hints, clocks. Header-only; nothing here allocates or blocks. */
#ifndef TF_SHM_COMMON_H
#define TF_SHM_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* One writer per line. 128 rather than 64 bytes because the adjacent-line
 * prefetcher pulls lines in pairs (Aeron and DPDK pad the same way). */
#define TF_CACHELINE 64
#define TF_WRITER_LINE 128
#define TF_ALIGNED(n) __attribute__((aligned(n)))

#define TF_LIKELY(x)   __builtin_expect(!!(x), 1)
#define TF_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define TF_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define TF_IS_POW2(x) ((x) != 0 && (((x) & ((x) - 1)) == 0))

/* Monotonic nanoseconds, shared by every process on the host (vDSO, no
 * syscall): the one clock all hop timestamps and heartbeats use. */
static inline uint64_t tf_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t tf_realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Spin-wait hint; keeps a sibling hyperthread and the memory bus calm. */
static inline void tf_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

/* Copy a name into a fixed-size field, always NUL-terminated, zero-padded
 * (shared-memory records must not carry stale bytes). */
static inline void tf_copy_name(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src && src[i] && i + 1 < cap; i++)
        dst[i] = src[i];
    for (; i < cap; i++)
        dst[i] = 0;
}

#endif

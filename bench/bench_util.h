/* Shared benchmark plumbing (header-only; each benchmark is one binary):
 * TSC timing calibrated against CLOCK_MONOTONIC, pinning, the percentile
 * table, and the machine-readable line format of ../shared/BENCH.md:
 *   bench <name> <metric> ours=<n> base=<n> base_name=<word> ratio=<r> unit=<u>
 */
#ifndef TF_BENCH_UTIL_H
#define TF_BENCH_UTIL_H

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "shm/common.h"
#include "shm/histogram.h"

static double bench_ns_per_tick;

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}


static inline uint64_t bench_ticks(void) { return __rdtsc(); }

/* Calibrate the TSC against CLOCK_MONOTONIC over ~200 ms. */
static inline void bench_calibrate(void)
{
    uint64_t t0 = tf_now_ns(), c0 = __rdtsc();
    struct timespec ts = {0, 200000000};
    nanosleep(&ts, NULL);
    uint64_t t1 = tf_now_ns(), c1 = __rdtsc();
    bench_ns_per_tick = (double)(t1 - t0) / (double)(c1 - c0);
    /* Back-to-back reads: the timer's own step (median), which bounds the resolution. */
    double steps[1001];
    uint64_t prev = __rdtsc();
    for (int i = 0; i < 1001; i++) {
        uint64_t now = __rdtsc();
        steps[i] = (double)(now - prev);
        prev = now;
    }
    qsort(steps, 1001, sizeof steps[0], bench_cmp_double);
    double step = steps[500];
    printf("# TSC %.3f GHz (calibrated against CLOCK_MONOTONIC over %.0f ms); back-to-back "
           "reads %.1f ns apart: figures are good to about that\n",
           1.0 / bench_ns_per_tick, (double)(t1 - t0) / 1e6, step * bench_ns_per_tick);
}

static inline uint64_t bench_ticks_to_ns(uint64_t ticks)
{
    return (uint64_t)((double)ticks * bench_ns_per_tick + 0.5);
}

static inline int bench_pin(int cpu)
{
    if (cpu < 0)
        return 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static inline tf_hist *bench_hist_new(void)
{
    tf_hist *h = malloc(sizeof *h);
    if (!h) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    tf_hist_reset(h);
    return h;
}

static inline void bench_print_hist_header(void)
{
    printf("%-22s %10s %8s %8s %8s %8s %9s %10s\n", "", "samples", "p50", "p90", "p99",
           "p99.9", "p99.99", "max");
}

static inline void bench_print_hist(const char *label, const tf_hist *h, tf_hist_summary *out)
{
    tf_hist_summary s;
    tf_hist_summarize(h, &s);
    printf("%-22s %10llu %8llu %8llu %8llu %8llu %9llu %10llu  ns\n", label,
           (unsigned long long)s.count, (unsigned long long)s.p50, (unsigned long long)s.p90,
           (unsigned long long)s.p99, (unsigned long long)s.p999, (unsigned long long)s.p9999,
           (unsigned long long)s.max);
    if (out)
        *out = s;
}

static inline void bench_line(const char *name, const char *metric, double ours, double base,
                       const char *base_name, const char *unit)
{
    if (base > 0)
        printf("bench %s %s ours=%.0f base=%.0f base_name=%s ratio=%.3g unit=%s\n", name, metric,
               ours, base, base_name, ours / base, unit);
    else
        printf("bench %s %s ours=%.0f base=na base_name=none ratio=na unit=%s\n", name, metric,
               ours, unit);
}

/* Median of n runs; *spread = (max - min) / median. */
static inline double bench_median(double *v, int n, double *spread)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    double med = v[n / 2];
    if (spread)
        *spread = med > 0 ? (v[n - 1] - v[0]) / med : 0;
    return med;
}

#endif

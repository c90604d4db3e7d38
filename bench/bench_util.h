/* Shared benchmark plumbing (header-only; each benchmark is one binary):
 * TSC timing calibrated against CLOCK_MONOTONIC, pinning, a watchdog and
 * clean-up on every exit path, the percentile table, and the machine-readable
 * line format of ../shared/BENCH.md:
 *   bench <name> <metric> ours=<n> base=<n> base_name=<word> ratio=<r> unit=<u>
 */
#ifndef TF_BENCH_UTIL_H
#define TF_BENCH_UTIL_H

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
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

static inline uint64_t bench_ns_to_ticks(double ns) { return (uint64_t)(ns / bench_ns_per_tick); }

static inline uint64_t bench_ticks_to_ns(uint64_t ticks)
{
    return (uint64_t)((double)ticks * bench_ns_per_tick + 0.5);
}

/* Calibrate the TSC against CLOCK_MONOTONIC over ~200 ms and print it. */
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
    printf("# TSC %.3f GHz (calibrated against CLOCK_MONOTONIC over %.0f ms); back-to-back "
           "reads %.1f ns apart: figures are good to about that\n",
           1.0 / bench_ns_per_tick, (double)(t1 - t0) / 1e6, steps[500] * bench_ns_per_tick);
    /* Other work on a 2-CPU host moves every figure; say how busy it was. */
    double load = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &load) != 1)
            load = -1;
        fclose(f);
    }
    printf("# load average (1 min) at start: %.2f%s\n", load,
           load > 0.5 ? " -- other work is running on this host; expect noisy figures" : "");
}

/* ---- clean exit: the shm file goes away on every path ---------------------- */

static char bench_unlink_path[256]; /* set once the segment exists */
static _Atomic uint64_t bench_progress; /* bumped by the thread the watchdog watches */
static volatile sig_atomic_t bench_watch_on;

static inline void bench_say(const char *msg) /* async-signal-safe */
{
    ssize_t rc = write(2, msg, strlen(msg));
    (void)rc;
}

/* Fatal, from any thread: remove the segment and leave. */
static inline __attribute__((noreturn)) void bench_die(const char *prog, const char *what)
{
    fprintf(stderr, "%s: %s; aborting\n", prog, what);
    if (bench_unlink_path[0])
        unlink(bench_unlink_path);
    exit(1);
}

static inline void bench_on_signal(int sig)
{
    static uint64_t last_seen, still;
    if (sig == SIGALRM) {
        if (!bench_watch_on)
            return;
        uint64_t p = atomic_load_explicit(&bench_progress, memory_order_relaxed);
        if (p != last_seen) {
            last_seen = p;
            still = 0;
            return;
        }
        if (++still < 4) /* 4 ticks of 500 ms without progress */
            return;
        bench_say("bench: a partner thread stopped answering for 2 s; aborting\n");
    } else {
        bench_say("bench: interrupted\n");
    }
    if (bench_unlink_path[0])
        unlink(bench_unlink_path);
    _exit(1);
}

/* Remove `path` on SIGINT/SIGTERM and on a watchdog abort; start the
 * watchdog's 500 ms tick (it only acts while bench_watch_on is set, for the
 * loops that block in the kernel where a spin-loop check cannot run). */
static inline void bench_guard(const char *path)
{
    snprintf(bench_unlink_path, sizeof bench_unlink_path, "%s", path);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = bench_on_signal;
    sa.sa_flags = SA_RESTART; /* a blocking read resumes after the tick */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
}

static inline void bench_watchdog(int on)
{
    struct itimerval it;
    memset(&it, 0, sizeof it);
    if (on) {
        it.it_interval.tv_usec = 500000;
        it.it_value.tv_usec = 500000;
    }
    bench_watch_on = on;
    setitimer(ITIMER_REAL, &it, NULL);
}

/* ---- pinning -------------------------------------------------------------- */

/* Pin the calling thread; fatal if the CPU is not available. Returns the CPU
 * the thread runs on afterwards (printed by the benchmarks). */
static inline int bench_pin(const char *prog, int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (cpu < 0 || cpu >= CPU_SETSIZE || pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0) {
        char msg[64];
        snprintf(msg, sizeof msg, "cannot pin a thread to CPU %d", cpu);
        bench_die(prog, msg);
    }
    sched_yield(); /* be sure we migrated before reporting where we are */
    return sched_getcpu();
}

/* ---- other processes (tfsim, the engine, baselines) ------------------------- */

/* Start argv[0] pinned to `cpu` (-1: anywhere) with stdout and stderr to
 * `log` (appended); the child's pid. Exits the benchmark on fork failure. */
static inline pid_t bench_spawn(const char *prog, char *const argv[], int cpu, const char *log)
{
    pid_t p = fork();
    if (p < 0)
        bench_die(prog, "fork");
    if (p == 0) {
        if (cpu >= 0) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(cpu, &set);
            sched_setaffinity(0, sizeof set, &set);
        }
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    return p;
}

/* A number another process writes into a file once it is ready (a port,
 * a start time): 0 with *out, -1 when none came within wait_ms. */
static inline int bench_read_u64_file(const char *path, uint64_t *out, int wait_ms)
{
    for (int i = 0; i < wait_ms / 10; i++) {
        FILE *f = fopen(path, "r");
        if (f) {
            unsigned long long v;
            int ok = fscanf(f, "%llu", &v) == 1 && v > 0;
            fclose(f);
            if (ok) {
                *out = v;
                return 0;
            }
        }
        usleep(10000);
    }
    return -1;
}

/* ---- histograms and lines ------------------------------------------------- */

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

static inline void bench_print_hist(const char *label, const tf_hist *h, const char *unit,
                                    tf_hist_summary *out)
{
    tf_hist_summary s;
    tf_hist_summarize(h, &s);
    printf("%-22s %10llu %8llu %8llu %8llu %8llu %9llu %10llu  %s\n", label,
           (unsigned long long)s.count, (unsigned long long)s.p50, (unsigned long long)s.p90,
           (unsigned long long)s.p99, (unsigned long long)s.p999, (unsigned long long)s.p9999,
           (unsigned long long)s.max, unit);
    if (out)
        *out = s;
}

/* One row of a run table: "RUN LABEL samples p50 ... max UNIT". */
static inline void bench_print_run_row(const char *run, const char *label, const tf_hist_summary *s,
                                       const char *unit)
{
    printf("%-5s %-22s %10llu %8llu %8llu %8llu %8llu %9llu %10llu  %s\n", run, label,
           (unsigned long long)s->count, (unsigned long long)s->p50, (unsigned long long)s->p90,
           (unsigned long long)s->p99, (unsigned long long)s->p999, (unsigned long long)s->p9999,
           (unsigned long long)s->max, unit);
}

static inline void bench_print_run_header(void)
{
    printf("%-5s %-22s %10s %8s %8s %8s %8s %9s %10s\n", "run", "", "samples", "p50", "p90", "p99",
           "p99.9", "p99.99", "max");
}

/* qsort comparator for run records that begin with the measured summary. */
static inline int bench_cmp_p50(const void *a, const void *b)
{
    const tf_hist_summary *x = a, *y = b;
    return x->p50 < y->p50 ? -1 : x->p50 > y->p50;
}

/* One machine-readable line; base <= 0 or base_name NULL prints base=na. */
static inline void bench_line(const char *name, const char *metric, double ours, double base,
                              const char *base_name, const char *unit)
{
    if (base > 0 && base_name)
        printf("bench %s %s ours=%.0f base=%.0f base_name=%s ratio=%.3g unit=%s\n", name, metric,
               ours, base, base_name, ours / base, unit);
    else
        printf("bench %s %s ours=%.0f base=na base_name=none ratio=na unit=%s\n", name, metric,
               ours, unit);
}

/* Median of n runs (sorts v); *spread = (max - min) / median. */
static inline double bench_median(double *v, int n, double *spread)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    double med = v[n / 2];
    if (spread)
        *spread = med > 0 ? (v[n - 1] - v[0]) / med : 0;
    return med;
}

#endif

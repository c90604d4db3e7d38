/* Idle strategies: what a thread does after a duty cycle that found no work
 * (Aeron's IdleStrategy). Busy-spin keeps the core hot for the lowest
 * latency; yield gives the core to others without sleeping; backoff spins,
 * then yields, then parks with nanosleep doubling up to a cap, for threads
 * whose latency matters less than the machine's other work.
 * Called from the thread that owns the state; nothing shared. */
#ifndef TF_ENGINE_IDLE_H
#define TF_ENGINE_IDLE_H

#include <sched.h>
#include <stdint.h>
#include <time.h>

#include "lib/conf/config.h"
#include "shm/common.h"

typedef struct tf_idle {
    tf_cfg_idle cfg;
    uint64_t streak;       /* consecutive idle cycles */
    uint64_t park_ns;      /* next park length */
    uint64_t parks;        /* times parked, for stats */
} tf_idle;

static inline void tf_idle_init(tf_idle *s, const tf_cfg_idle *cfg)
{
    s->cfg = *cfg;
    s->streak = 0;
    s->park_ns = cfg->park_min_ns ? cfg->park_min_ns : 1000;
    s->parks = 0;
}

/* After each duty cycle, with the work it did. */
static inline void tf_idle_after(tf_idle *s, int work)
{
    if (work > 0) {
        s->streak = 0;
        s->park_ns = s->cfg.park_min_ns ? s->cfg.park_min_ns : 1000;
        return;
    }
    switch (s->cfg.kind) {
    case TF_IDLE_BUSY_SPIN:
        tf_cpu_relax();
        return;
    case TF_IDLE_SPIN:
        __asm__ __volatile__("" ::: "memory"); /* the loop re-reads shared state */
        return;
    case TF_IDLE_YIELD:
        sched_yield();
        return;
    case TF_IDLE_BACKOFF:
    default:
        s->streak++;
        if (s->streak <= s->cfg.spins) {
            tf_cpu_relax();
        } else if (s->streak <= (uint64_t)s->cfg.spins + s->cfg.yields) {
            sched_yield();
        } else {
            struct timespec ts = {.tv_sec = (time_t)(s->park_ns / 1000000000ull),
                                  .tv_nsec = (long)(s->park_ns % 1000000000ull)};
            nanosleep(&ts, NULL);
            s->parks++;
            uint64_t next = s->park_ns * 2;
            s->park_ns = next > s->cfg.park_max_ns ? s->cfg.park_max_ns : next;
        }
        return;
    }
}

#endif

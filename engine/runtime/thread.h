/* Agent threads: each runs its stages in a duty cycle, pinned to a CPU with
 * an idle strategy, until the engine's run flag drops; then it drains.
 *
 * The duty cycle reads the clock once, polls every stage, records the
 * cycle in its thread stats (heartbeat, busy/idle time, longest cycle) and
 * hands the work count to the idle strategy. Stats lines have this thread
 * as their only writer.
 *
 * Stopping: when `running` drops, every thread switches to draining its
 * stages in pipeline order: a stage is drained once all of its upstream
 * stages are (their bits are in `drained`) and a drain call made after
 * seeing that returns 0 — so nothing an upstream stage delivered late is
 * left in a ring. Bounded by drain_deadline_ns. (Pipelines with feedback
 * rings, e.g. execution reports flowing back to the OMS, will need the
 * same rule per ring rather than per stage.) */
#ifndef TF_ENGINE_THREAD_H
#define TF_ENGINE_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/conf/config.h"
#include "engine/runtime/idle.h"
#include "engine/runtime/stage.h"

/* Shared by all threads of one engine; written by the main thread. */
typedef struct tf_run_control {
    uint32_t running;          /* 1 while the duty cycles should go on */
    uint32_t drained;          /* bit per stage whose drain is complete (atomic or) */
    uint64_t drain_deadline_ns;
} tf_run_control;

typedef struct tf_agent_thread {
    char name[TF_CFG_NAME_MAX];
    int cpu;
    int rt_priority;
    tf_idle idle;
    tf_stage *stages[TF_CFG_MAX_STAGES];
    uint32_t stage_count;
    tf_thread_stats *stats;
    tf_run_control *control;
    pthread_t handle;
    bool started;
    /* start-up result, written by the thread before it signals `ready` */
    int start_rc;
    char start_error[160];
    uint32_t ready;
} tf_agent_thread;

/* Start the thread; waits until it has pinned itself and set its
 * scheduling, so a bad CPU or a refused SCHED_FIFO fails here with a
 * message rather than later. */
int tf_agent_thread_start(tf_agent_thread *t);
/* Join (after control->running dropped). */
void tf_agent_thread_join(tf_agent_thread *t);

#endif

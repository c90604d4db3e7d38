/* A stage: a poll function doing a bounded amount of work per call and
 * returning how much it did (Aeron's Agent). Threads run one or more stages
 * in a duty cycle; which thread runs which stage comes from the config.
 *
 * Rules for poll(): no malloc, no locks, no blocking syscalls, no formatted
 * logging; cap every drain (a batch size) so one stage cannot starve the
 * others on its thread. Errors go to the stage's error-log block. */
#ifndef TF_ENGINE_STAGE_H
#define TF_ENGINE_STAGE_H

#include <stdint.h>

#include "shm/errlog.h"
#include "shm/stats.h"

typedef struct tf_stage tf_stage;

struct tf_stage {
    char name[32];
    uint32_t owner;               /* stats/errlog owner index */
    /* Called from the stage's thread each duty cycle; now_ns read once per cycle. */
    int (*poll)(tf_stage *self, uint64_t now_ns);
    /* Called from the stage's thread at shutdown: finish what is in flight
     * (drain rings, deliver held-back records), generate nothing new; 0 when
     * there is nothing left. The stage is drained once every upstream stage
     * is drained and a call after that returns 0. May be NULL. */
    int (*drain)(tf_stage *self, uint64_t now_ns);
    void *ctx;
    uint32_t drain_bit;           /* this stage's bit in tf_run_control.drained */
    uint32_t upstream_mask;       /* bits of the stages that feed it, directly or not */
    tf_stage_stats *stats;        /* in the stats segment */
    tf_errlog_block *errors;      /* in the stats segment */
};

/* Note an error from the stage's own thread (no formatting). */
static inline void tf_stage_error(tf_stage *s, tf_err_code code, uint64_t arg,
                                  const char *detail, uint64_t now_ns)
{
    tf_errlog_note(s->errors, s->owner, code, arg, detail, now_ns);
}

#endif

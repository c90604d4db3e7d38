/* The watchdog's judgement, apart from its process: given the stages'
 * heartbeats (the time each was last polled, written by its thread into the
 * stats segment) and the time now, which stages are stalled, and which of
 * them just became so (a new episode, reported and acted on once).
 *
 * A stage whose heartbeat is 0 has not run yet and is never stalled; a
 * heartbeat in the future (another clock) counts as fresh. Pure logic. */
#ifndef TF_TOOLS_WATCHDOG_WATCH_H
#define TF_TOOLS_WATCHDOG_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#define WD_MAX_STAGES 64

typedef struct wd_state {
    bool stalled[WD_MAX_STAGES];  /* as of the last look */
    uint64_t episodes;            /* stall episodes seen */
} wd_state;

typedef struct wd_look {
    uint32_t stalled_now;         /* stages stalled now */
    uint32_t newly;               /* of them, newly stalled at this look */
    int first_new;                /* the lowest newly stalled stage, or -1 */
    uint64_t worst_age_ns;        /* the oldest heartbeat's age */
    int worst;                    /* its stage, or -1 */
} wd_look;

/* Look at `n` stages' heartbeats (index = stage); a stage is stalled when
 * now - heartbeat > stall_ns. */
wd_look wd_scan(wd_state *s, const uint64_t *heartbeat_ns, uint32_t n, uint64_t now_ns, uint64_t stall_ns);

#endif

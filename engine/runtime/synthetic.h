/* Synthetic stages: until the feed and order stages land, a source and a
 * sink prove the runtime end to end through real rings, the journal, the
 * state segment, the stats and the error log.
 *
 * synth_source makes tf_synth_tick records on a fixed schedule (rate from
 * the config, each stamped with the time it was due, so a late thread shows
 * up as latency rather than hiding) and offers them to the "synth" ring;
 * a full ring holds the record back (back-pressure, counted), never drops;
 * at stop it generates nothing new but still delivers a held-back record.
 * synth_sink takes them out in batches, checks the sequence (gaps and
 * reorders counted and noted in the error log), stamps each hop, records
 * hop latencies, appends them to the market-data journal and publishes the
 * last one to the state segment. It also answers the request ring (pings)
 * until the risk stage owns it. */
#ifndef TF_ENGINE_SYNTHETIC_H
#define TF_ENGINE_SYNTHETIC_H

#include <stdint.h>

#include "engine/runtime/stage.h"
#include "shm/histogram.h"
#include "shm/journal.h"
#include "shm/records.h"
#include "shm/ring.h"
#include "shm/state.h"
#include "shm/stats.h"

#define TF_SYNTH_BATCH_MAX 256u

typedef struct tf_synth_source {
    tf_ring *out;
    uint64_t interval_ns;      /* 0: as fast as the ring takes them */
    uint32_t burst;
    uint64_t next_due_ns;
    uint64_t seq;
    int64_t value;
    uint64_t rng;
    tf_synth_tick pending;     /* held back by a full ring */
    int has_pending;
    uint64_t *c_generated;
    uint64_t *c_backpressure;
    uint64_t *g_behind_ns;     /* how far the schedule is behind now */
} tf_synth_source;

typedef struct tf_synth_sink {
    tf_ring *in;
    tf_ring *requests;         /* MPSC; may be NULL */
    uint32_t corrupt_said;     /* requests->corrupt when last reported */
    uint64_t corrupt_said_ns;
    tf_journal *journal;
    tf_state_slot *last_slot;
    uint32_t batch;
    uint64_t expected_seq;
    uint64_t *c_received;
    uint64_t *c_gaps;
    uint64_t *c_reorders;
    uint64_t *c_journaled;
    uint64_t *c_requests;
    uint64_t *c_bad_requests;
    tf_hist *h_ring_hop;       /* enqueued -> dequeued */
    tf_hist *h_create_to_journal; /* due time -> journaled */
    tf_synth_tick buf[TF_SYNTH_BATCH_MAX];
} tf_synth_sink;

/* Register counters/histograms under the stage's owner and wire the stage. */
int tf_synth_source_init(tf_stage *stage, tf_synth_source *src, tf_stats *stats,
                         tf_ring *out, uint64_t rate_per_s, uint32_t burst, uint64_t seed);
int tf_synth_sink_init(tf_stage *stage, tf_synth_sink *sink, tf_stats *stats, tf_ring *in,
                       tf_ring *requests, tf_journal *journal, tf_state_slot *last_slot,
                       uint32_t batch);

#endif

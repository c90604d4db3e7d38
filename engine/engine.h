/* The engine process: from a validated config to running threads and back.
 *
 * tf_engine_open() creates every segment (stats, state, rings, requests,
 * the market-data journal — in /dev/shm or recovered from a file on disk),
 * registers stages and their stats, and publishes the segments; nothing runs
 * yet. tf_engine_start() starts the agent threads as the config lays them
 * out. The main thread then calls tf_engine_tick() periodically (owner
 * heartbeats, engine status, journal flush to disk). tf_engine_stop() drops
 * the run flag, lets every thread drain its rings, writes a stop record,
 * flushes the journal and marks every segment closed; tf_engine_close()
 * unmaps. Everything is allocated in tf_engine_open(); nothing after.
 */
#ifndef TF_ENGINE_ENGINE_H
#define TF_ENGINE_ENGINE_H

#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>

#include "lib/conf/config.h"
#include "engine/event_log.h"
#include "engine/orders/authority.h"
#include "engine/md/feed.h"
#include "engine/md/instruments.h"
#include "engine/orders/oms.h"
#include "engine/venue/exio.h"
#include "engine/orders/paper.h"
#include "engine/orders/risk.h"
#include "engine/algo/algo_stage.h"
#include "engine/orders/strategy_host.h"
#include "engine/runtime/synthetic.h"
#include "engine/runtime/thread.h"
#include "shm/journal.h"
#include "shm/lanes.h"
#include "shm/ring.h"
#include "shm/segment.h"
#include "shm/state.h"
#include "shm/stats.h"

#define TF_ENGINE_STATE_SLOTS 2048u  /* positions: instruments x strategies */
#define TF_ENGINE_JOURNAL_SLOT 128u /* market-data records are up to 96 bytes */
#define TF_ENGINE_DRAIN_NS 2000000000ull /* at most 2 s to drain at stop */
#define TF_ENGINE_ORDER_SLOT 128u   /* order events are 104 bytes */

typedef struct tf_engine {
    tf_config cfg;
    tf_segment seg_stats, seg_state, seg_rings, seg_requests, seg_md, seg_orders;
    tf_stats stats;
    tf_state_table *state;
    tf_state_slot *status_slot;
    tf_ring synth_ring;
    tf_ring request_ring;
    tf_lanes request_lanes;     /* per-client SPSC lanes (order path only) */
    tf_journal md;
    char md_link[256];          /* shm_dir symlink to a disk-backed journal */

    /* The order path (when the risk stage is configured). */
    bool order_path;
    tf_journal orders;          /* the order journal */
    char orders_link[256];
    tf_order_slot *order_table; /* region "orders" of the state segment */
    tf_ring strat_ring;         /* strategy → risk */
    tf_ring risk_oms_ring, oms_venue_ring, venue_oms_ring, oms_risk_ring;
    tf_risk risk;
    tf_oms oms;
    tf_paper paper;
    tf_exio exio;
    tf_strategy_host strategy;
    tf_algo_stage algo;
    tf_ring risk_algo_ring;     /* risk → algo stage */
    tf_ring algo_risk_ring;     /* algo stage → risk */
    tf_parent_slot *parent_slots; /* region "parents" of the state segment (with the algo stage) */
    bool algo_open;
    bool risk_open, oms_open, paper_open, exio_open, strategy_open;
    uint32_t stage_failure;     /* set by the main thread; the risk gate trips the kill switch */
    tf_event_log event_log;     /* the main thread's log in words (engine/event_log.h) */
    /* The door (shm/door.h): clients' lanes, bound to who they are. */
    tf_authority authority;
    tf_door door;
    bool door_open;
    pthread_t door_thread;
    bool door_running;
    uint32_t door_stop;
    uint64_t *c_order_flushes;

    tf_stage stages[TF_CFG_MAX_STAGES];
    uint32_t stage_count;
    tf_synth_source synth_source;
    tf_synth_sink synth_sink;
    tf_instruments instruments;
    tf_feed feed;
    bool feed_open;

    tf_agent_thread threads[TF_CFG_MAX_THREADS];
    uint32_t thread_count;
    tf_run_control control;

    uint64_t started_realtime_ns;
    uint64_t started_ns;
    uint64_t last_flush_ns;
    uint64_t *c_flushes;
    uint64_t *c_flush_errors;
    bool running;
    bool opened;
} tf_engine;

int tf_engine_open(tf_engine *e, const tf_config *cfg);
int tf_engine_start(tf_engine *e);
/* Main thread, every ~heartbeat period. */
void tf_engine_tick(tf_engine *e, uint64_t now_ns);
void tf_engine_stop(tf_engine *e);
void tf_engine_close(tf_engine *e);

/* The order id counter file: ids at or above the value it holds are free;
 * claims a block for this run and returns its first id (cold). */
int tf_engine_claim_order_ids(const char *path, uint64_t at_least, uint64_t *first);

#endif

/* The algo stage: runs parent orders (lib/algo/algo.h) inside the engine,
 * beside the strategy host, so a child goes out within microseconds of
 * its slice time or of the market event that calls for it.
 *
 * In: parents the risk gate accepted, and controls it checked (ring
 * "risk_algo", tf_algo_cmd); the market from the md journal (trades: the
 * volume each parent has seen since it started) and the feed's top-of-book
 * slots; what became of each child from the order journal (accepted,
 * fills, its end).
 * Out: children and progress reports to the risk gate (ring "algo_risk",
 * struct tf_request: TF_REQ_NEW with TF_ORDF_ALGO_CHILD and order_id = the
 * parent, TF_REQ_CANCEL, TF_REQ_ALGO_REPORT); every child passes the gate
 * like any order. Each parent's progress in the state segment's "parents"
 * region (tf_parent_slot, one seqlock each) for tfstat and tfctl.
 *
 * PROMISES
 * - A child is asked for only when the previous one is known to be done
 *   (lib/algo's rule), so a parent never over-fills; a cancel wanted before
 *   the child's order id is known is sent as soon as it is.
 * - The kill switch's stop (parent id 0) cancels every parent.
 * - A child the gate refuses is not asked for again at once: the parent
 *   waits 10 ms, doubling to 1 s with each refusal in a row, and after
 *   TF_ALGO_MAX_REFUSALS in a row it pauses, saying why in the error log
 *   (an operator resumes it).
 * - A report on every change of state, and of the filled quantity at most
 *   every algo.report_ms; the final one releases the gate's hold.
 * - No allocation after init; one thread. */
#ifndef TF_ENGINE_ALGO_STAGE_H
#define TF_ENGINE_ALGO_STAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/algo/algo_profile.h"
#include "engine/algo/algo_store.h"
#include "engine/md/instruments.h"
#include "engine/orders/risk.h"
#include "engine/runtime/stage.h"
#include "lib/algo/algo.h"
#include "lib/conf/config.h"
#include "shm/journal.h"
#include "shm/orders.h"
#include "shm/parents.h"
#include "shm/ring.h"
#include "shm/state.h"
#include "shm/stats.h"

#define TF_ALGO_MAX_REFUSALS 10u

typedef struct tf_algo_parent {
    uint64_t id;                    /* 0: a free slot */
    uint32_t strategy;
    tf_algo algo;
    uint64_t child_req;             /* the request id of the child out (0: none) */
    uint64_t child_order;           /* its order id once accepted (0: not yet) */
    bool cancel_wanted;             /* cancel the child as soon as its order id is known */
    uint64_t cancel_req;            /* the request id of the cancel out (0: none) */
    int64_t volume_base;            /* the instrument's traded volume when the parent started */
    double notional_base;           /* and its notional (price units * qty units) */
    uint8_t reported_state, published_state; /* what the gate was told, what the slot shows */
    uint32_t published_children;
    int64_t published_filled, published_target;
    int64_t reported_filled;
    uint64_t next_report_ns;
    uint64_t trigger_wall;          /* the last child's end: what may release the next (wall clock) */
    uint32_t refusals;              /* children refused in a row by the gate */
    bool arrival_stored;            /* the arrival mid is in the store */
    bool recovering;                /* taken back from the store at a restart, the journal being replayed */
    uint64_t retry_wall;            /* after a refusal: no step before this (wall clock) */
} tf_algo_parent;

/* The market of one instrument, from the md journal's trades. */
typedef struct tf__algo_mkt {
    int64_t volume;                 /* since the stage started */
    double notional;
    bool trades_seen;               /* the trade stream runs: aggTrades are not counted */
    uint64_t last_trade_wall;
} tf__algo_mkt;

typedef struct tf_algo_stage {
    const tf_config *cfg;
    const tf_instruments *ins;
    tf_stage *stage;
    tf_ring *in, *out;
    const tf_journal *md, *orders;
    tf_journal_reader md_reader, order_reader;
    uint8_t *rec;                   /* one journal slot */
    const tf_state_slot *top[TF_MAX_INSTRUMENTS];
    tf__algo_mkt mkt[TF_MAX_INSTRUMENTS];
    tf_parent_slot *slots;          /* region "parents": capacity slots */
    uint32_t capacity;
    tf_algo_parent *parents;
    uint64_t next_req_id;
    uint64_t report_ns;
    uint64_t *c_started, *c_children, *c_child_cancels, *c_finished, *c_ring_full;
    tf_algo_store store;
    tf_algo_day_profiles profiles;  /* orders.algo_vwap_profile */
    tf_hist *h_release;             /* trigger (slice due, market event, child done) -> child sent */
} tf_algo_stage;

/* Cold: wire the stage. `slots` is the state segment's "parents" region
 * (orders.algo_capacity slots). */
int tf_algo_stage_init(tf_stage *stage, tf_algo_stage *a, const tf_config *cfg, const tf_instruments *ins,
                       tf_stats *stats, tf_parent_slot *slots, tf_ring *in,
                       tf_ring *out, const tf_journal *md, const tf_journal *orders);
/* Restart (cold, before any thread runs): each order event of the
 * journal's replay, then the parents the store holds that the journal
 * does not show finished are taken back: resumed, or stopped (canceled)
 * by orders.algo_on_restart; an open child is canceled either way, and the
 * gate holds what is not filled. Returns how many were taken back. */
void tf_algo_stage_replay(tf_algo_stage *a, const tf_order_event *ev);
int tf_algo_stage_recover(tf_algo_stage *a, tf_risk *r, uint32_t *taken);
/* Cold, after every stage is open: the feed's top-of-book slots. */
void tf_algo_stage_bind_references(tf_algo_stage *a, const tf_state_table *state);
void tf_algo_stage_close(tf_algo_stage *a);

#endif

/* The OMS: every order's life, FIX semantics (engine/orders/order_fsm.h), in a
 * fixed-capacity table in shared memory (segment tradefan.<instance>.orders,
 * each order behind its own seqlock so tfctl and tfstat read it whole),
 * positions and PnL per strategy and instrument (state slots), and the
 * order journal — the one writer of each.
 *
 * In: commands from the risk gate (new, cancel, replace, reject, cancel-all,
 * notes) and execution reports from the venue. Out: venue commands, the
 * journal, and feedback to the risk gate (fills, replaces, orders finished)
 * so its exposure stays exact.
 *
 * PROMISES
 * - Every command and every report becomes exactly one journal event; an
 *   impossible report (unknown order, a fill after cancel, an overfill) is
 *   counted, journaled as TF_EV_ILLEGAL, and changes nothing.
 * - No allocation after tf_oms_init(); nothing is dropped: a full venue ring
 *   rejects a new order (venue_unavailable) and holds a cancel-all back
 *   until it fits; a full feedback ring holds execution reports back.
 * - A fill for an order already finished, or for no order we know, is
 *   applied to the position anyway (the venue says we hold it), journaled
 *   as TF_EV_OUT_OF_BAND_FILL, counted, noted in the error log and passed
 *   to the risk gate: a position never differs from the venue's silently.
 * - An operator may settle an open order whose fate the venue cannot tell
 *   (TF_CMD_RESOLVE: canceled, or filled with a quantity and price): it is
 *   journaled with the operator's uid, and the venue stage forgets it.
 * - tf_oms_replay() rebuilds the table, positions and request ids from the
 *   order journal (restart on a disk-backed journal).
 * Single thread: the oms stage's. */
#ifndef TF_ENGINE_OMS_H
#define TF_ENGINE_OMS_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/conf/config.h"
#include "lib/base/id_map.h"
#include "engine/md/instruments.h"
#include "engine/md/md_reference.h"
#include "engine/runtime/stage.h"
#include "shm/histogram.h"
#include "shm/journal.h"
#include "shm/orders.h"
#include "shm/ring.h"
#include "shm/state.h"
#include "shm/stats.h"

#define TF_OMS_DRAIN_WAIT_NS 1000000000ull /* at stop: wait this long for the venue's last answers */
#define TF_OMS_NIL UINT32_MAX

typedef struct tf_oms {
    const tf_instruments *instruments;
    tf_ring *in, *exec, *venue, *feedback;
    tf_journal *journal;

    tf_order_slot *slots;           /* capacity, in shared memory (or the caller's memory) */
    uint32_t capacity;
    uint32_t *link_next, *link_prev;/* the open list / the free FIFO (finished orders stay visible) */
    __int128 *fill_value;           /* sum of price * qty of each order's fills */
    uint32_t open_head, open_count;
    uint64_t drain_started_ns;           /* stop: when draining began (0: running) */
    uint32_t free_head, free_tail;
    tf_id_map ids;

    bool strategy_known[TF_MAX_STRATEGIES];
    tf_position pos[TF_MAX_STRATEGIES][TF_MAX_INSTRUMENTS];
    tf_position total[TF_MAX_INSTRUMENTS];
    tf_state_slot *pos_slot[TF_MAX_STRATEGIES][TF_MAX_INSTRUMENTS];
    tf_state_slot *total_slot[TF_MAX_INSTRUMENTS];
    tf_order_counts counts[TF_MAX_INSTRUMENTS];   /* order events by resulting state (live, not replayed) */
    tf_state_slot *counts_slot[TF_MAX_INSTRUMENTS];
    uint64_t counts_dirty;                        /* instruments to publish at the next mark */
    tf_md_ref_slots ref_slots[TF_MAX_INSTRUMENTS];
    uint64_t next_mark_ns;
    uint64_t rt_now;                /* wall clock read at the start of this poll (0 outside one) */

    uint64_t last_req_id[TF_MAX_STRATEGIES]; /* from replay, for the risk gate */
    int64_t day_base[TF_MAX_STRATEGIES][TF_MAX_INSTRUMENTS]; /* from replay: realized PnL when today (UTC) began */
    uint64_t max_order_id;

    /* A cancel-all in progress (held back while the venue ring is full). */
    bool cancel_all;
    uint32_t cancel_all_strategy;   /* 0 = every strategy */
    uint64_t cancel_all_trigger_ns; /* kill switch: when it tripped, else 0 */
    uint64_t cancel_all_sent;

    tf_stage *stage;                /* for its error log; may be NULL */
    tf_state_slot *status_slot;
    tf_oms_status status;
    uint64_t kill_to_cancels_ns;
    uint64_t *c_events, *c_illegal, *c_venue_full, *c_fills, *c_kill_ns, *c_out_of_band, *c_resolved;
    uint64_t *venue_ref;            /* per slot: the ClOrdID suffix the venue knows the order by (exec report) */
    tf_hist *h_order;               /* request sent → handed to the venue */
    tf_hist *h_t2o;                 /* market-data receive → order handed to the venue */
    tf_hist *h_wait, *h_handle;     /* risk passed → taken here → handed to the venue */
    uint64_t cmd_taken_ns;          /* when the command being handled was taken (0: none) */
} tf_oms;

/* Cold. `table` is `capacity` slots (zeroed) — the orders segment's region.
 * `stats`, `state` may be NULL (tests, benches). */
int tf_oms_init(tf_stage *stage, tf_oms *o, const tf_config *cfg, const tf_instruments *ins,
                tf_stats *stats, tf_state_table *state, tf_order_slot *table, uint32_t capacity,
                tf_ring *in, tf_ring *exec, tf_ring *venue, tf_ring *feedback, tf_journal *journal);
void tf_oms_bind_references(tf_oms *o, const tf_state_table *state);
void tf_oms_free(tf_oms *o);

/* Cold, before threads run: apply one journaled event. */
void tf_oms_replay(tf_oms *o, const tf_order_event *ev);
/* After replay: publish positions and status. */
void tf_oms_publish_all(tf_oms *o, uint64_t now_ns);

/* One command / one report (the poll calls these; tests too). */
void tf_oms_on_cmd(tf_oms *o, const tf_order_cmd *c, uint64_t now_ns);
void tf_oms_on_exec(tf_oms *o, const tf_exec_report *x, uint64_t now_ns);
/* Continue a cancel-all; true when it is complete. */
bool tf_oms_cancel_all_step(tf_oms *o, uint64_t now_ns);

/* The order with this id while it is open, else NULL. */
const tf_order *tf_oms_find(const tf_oms *o, uint64_t order_id);
/* The suffix of the ClOrdID the venue knows an open order by (0: the
 * order's own), as the venue stage last reported it. */
uint64_t tf_oms_venue_ref(const tf_oms *o, uint64_t order_id);

#endif

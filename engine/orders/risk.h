/* The risk gate: the only way into the OMS. Every request — from other
 * processes through the MPSC request ring, from the in-engine strategy
 * through its SPSC ring, and the kill switch's own flattening orders —
 * passes tf_risk_check(); what passes goes on to the OMS as a command with
 * an order id the gate assigns, what fails goes on as a REJECT the OMS
 * journals, so the requester reads the reason in the order journal.
 *
 * The gate keeps its own exact view of exposure: a shadow of every open
 * order (side, price, open quantity) and positions per strategy and
 * instrument, updated by the OMS's feedback ring (fills, replaces, orders
 * finished). An accepted order counts at its worst case (fully filled) at
 * once, so two orders in flight can never together breach a limit.
 *
 * PROMISES
 * - No allocation after tf_risk_init(); no locks; the poll drains feedback
 *   first, then requests, each bounded per call.
 * - A full OMS ring holds the command back (back-pressure to the request
 *   rings); nothing is dropped.
 * - Every rejection is counted by reason (risk_rejects{reason=...}).
 * - Limits change live through TF_REQ_SET_LIMIT; each change is journaled.
 * - The kill switch (a request, the daily loss limit, or a stage failure
 *   flagged by the engine) halts new orders, cancels every open order
 *   (the OMS times trigger → all cancels handed to the venue) and, if
 *   configured, flattens positions with reduce-only market orders.
 * Single thread: the risk stage's. */
#ifndef TF_ENGINE_RISK_H
#define TF_ENGINE_RISK_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/conf/config.h"
#include "lib/base/id_map.h"
#include "engine/md/instruments.h"
#include "engine/md/md_reference.h"
#include "engine/orders/risk_limits.h"
#include "engine/runtime/stage.h"
#include "shm/orders.h"
#include "shm/parents.h"
#include "shm/records.h"
#include "shm/door.h"
#include "shm/lanes.h"
#include "shm/ring.h"
#include "shm/state.h"
#include "shm/stats.h"

#define TF_RISK_DUP_RING 64u        /* recent orders the duplicate check compares against */
#define TF_RISK_NIL UINT32_MAX
#define TF_RISK_OUTBOX 256u         /* power of two */
#define TF_RISK_MAX_PARENTS 64u     /* parent orders held at once */

typedef struct tf_risk_order {
    uint64_t order_id;
    uint32_t strategy, instrument;
    uint8_t side, type, pending_cancel, pending_replace;
    int64_t price;                  /* limit price; market: the reference when accepted */
    int64_t qty, cum;               /* total and filled */
    int64_t reserved;               /* open quantity counted against limits (worst case) */
    int64_t replace_qty;            /* pending replace: the new total */
    uint64_t parent_id;             /* a parent's child: what it leaves unfilled goes back to it (0: none) */
    uint32_t next, prev;            /* this instrument's open orders */
} tf_risk_order;

/* A parent order the gate holds (risk_algo.c): its quantity not yet
 * released to a child nor filled counts as open exposure. */
typedef struct tf_risk_parent {
    uint64_t id;                    /* 0: a free slot */
    uint32_t strategy, instrument;
    uint8_t side;
    int64_t qty;                    /* the parent's quantity, as amended up */
    int64_t px;                     /* its limit, or the reference when accepted: exposure is valued at it */
    int64_t reserved;               /* held against the limits */
} tf_risk_parent;

/* A recently accepted order, for the duplicate-order check. */
typedef struct tf_risk_recent {
    uint64_t t;
    int64_t price, qty;
    uint32_t strategy, instrument;
    uint8_t side;
} tf_risk_recent;

typedef struct tf_rate_bucket {
    uint64_t tokens;                /* in 1e-9 of a request */
    uint64_t last_ns;
} tf_rate_bucket;

/* Exposure of one strategy (or all: strategy index 0 holds every
 * strategy's sum under "total") in one instrument. */
typedef struct tf_risk_expo {
    tf_position pos;                /* filled position, PnL */
    int64_t open_buy, open_sell;    /* reserved open quantity */
    int64_t day_base;               /* realized PnL when the day began */
} tf_risk_expo;


typedef struct tf_risk {
    const tf_instruments *instruments;
    tf_risk_limits lim;
    bool strategy_known[TF_MAX_STRATEGIES];
    uint32_t trading_state;         /* tf_trading_state */
    bool kill_active;
    bool flatten_on_kill;
    bool kill_on_out_of_band_fill;       /* risk.kill_on_out_of_band_fill */
    bool out_of_band_kill_pending;       /* an out-of-band fill arrived: trip at the next poll */
    bool flatten_pending;           /* flatten once the kill's cancels are done (no self-trades) */
    uint32_t kill_trigger;
    uint64_t kill_realtime_ns;
    bool strategy_blocked[TF_MAX_STRATEGIES]; /* its daily loss limit was breached */

    /* inputs and outputs */
    tf_ring *requests;              /* MPSC from other processes; may be NULL */
    tf_lanes *lanes;                /* per-client SPSC lanes (in-process test harnesses; the engine wires
                                     * only the door): the record's source id is taken as given */
    tf_door *door;                  /* the engine's: lanes bound to an identity (shm/door.h); may be NULL */
    /* The request being handled: who sent it, as its source says (not the record). */
    uint64_t *req_window;           /* its lane's request-id window (NULL: the strategy's) */
    bool req_operator;              /* it may make the operator's requests */
    bool req_client;                /* from another process (not the engine's own flatten or plugin) */
    tf_ring *strat_in;              /* SPSC from the strategy stage; may be NULL */
    tf_ring *algo_out;              /* SPSC to the algo stage (parents, controls); NULL: no algo stage */
    tf_ring *algo_in;               /* SPSC from the algo stage (children, parent reports); may be NULL */
    bool req_algo;                  /* the request being handled came from the algo stage */
    bool algo_kill_pending;         /* the kill's stop-every-parent found the algo ring full: again */
    uint64_t algo_req_window;       /* the algo stage's request ids (its own window) */
    tf_stage *stage;                /* for the error log */
    tf_ring *feedback;              /* SPSC from the OMS */
    tf_ring *out;                   /* SPSC to the OMS */
    tf_order_cmd outbox[TF_RISK_OUTBOX];  /* commands the full OMS ring held back */
    uint32_t out_head, out_tail;
    const uint32_t *kill_flag;      /* set by the engine on a stage failure; may be NULL */

    /* the gate's view */
    uint64_t next_order_id;         /* assigned here, so the gate knows every order it let through */
    uint64_t last_req_id[TF_MAX_STRATEGIES];
    tf_risk_order *orders;          /* capacity slots */
    uint32_t capacity, free_head, open_count;
    uint32_t open_by_strategy[TF_MAX_STRATEGIES];
    uint32_t inst_head[TF_MAX_INSTRUMENTS];
    tf_id_map ids;
    tf_risk_expo expo[TF_MAX_STRATEGIES][TF_MAX_INSTRUMENTS];
    tf_risk_expo total[TF_MAX_INSTRUMENTS];
    int64_t ref_px[TF_MAX_INSTRUMENTS];       /* the last reference seen (marks, market orders) */
    tf_md_ref_slots ref_slots[TF_MAX_INSTRUMENTS];
    tf_rate_bucket s_bucket[3][TF_MAX_STRATEGIES], g_bucket[3];
    tf_risk_parent parents[TF_RISK_MAX_PARENTS];
    tf_req_algo_params algo_staged[TF_MAX_STRATEGIES]; /* the last TF_REQ_ALGO_PARAMS per strategy */
    uint64_t algo_staged_seq[TF_MAX_STRATEGIES];
    tf_risk_recent dup[TF_RISK_DUP_RING];
    uint32_t dup_next;
    uint64_t next_mark_ns;
    uint64_t day_index;             /* UTC day of the PnL baseline */
    int64_t daily_pnl, realized, unrealized, gross;

    /* stats */
    tf_state_slot *status_slot;
    tf_limits_slot *limits_slot;    /* region "limits" of the state segment; may be NULL */
    uint64_t *c_rejects[TF_RJ_REASON_COUNT];
    uint64_t *c_accepted, *c_requests, *c_pings, *c_bad_requests, *c_kills, *c_backpressure;
    uint64_t *g_door_lanes, *c_door_granted, *c_door_refused, *c_door_corrupt; /* mirrored at each mark */
    tf_hist *h_check;               /* time inside tf_risk_check */
    tf_hist *h_wait;                /* request sent -> taken here */
    uint64_t accepted, rejected, last_reason;
} tf_risk;

/* Cold: allocate the shadow table, set limits from the config, claim the
 * status slot. `stats` may be NULL (unit tests, benches). */
int tf_risk_init(tf_stage *stage, tf_risk *r, const tf_config *cfg, const tf_instruments *ins,
                 tf_stats *stats, tf_state_table *state, tf_ring *requests, tf_ring *strat_in,
                 tf_ring *feedback, tf_ring *out);
/* Cold: wire the algo stage's rings (parents out, children and reports in). */
static inline void tf_risk_bind_algo(tf_risk *r, tf_ring *out, tf_ring *in)
{
    r->algo_out = out;
    r->algo_in = in;
}
/* Publish the limits to `slot` now and after every change (cold). */
void tf_risk_publish_limits(tf_risk *r, tf_limits_slot *slot);
/* Cold, after every stage is open: find the feed's top-of-book and
 * last-trade slots for reference prices. */
void tf_risk_bind_references(tf_risk *r, const tf_state_table *state);
void tf_risk_free(tf_risk *r);

/* The check alone (unit tests call it directly): TF_RJ_NONE or why not.
 * For a NEW it does not reserve; tf_risk_handle() does. */
tf_reject_reason tf_risk_check(tf_risk *r, const struct tf_request *q, uint64_t now_ns);
/* Check and act on one request: emits the command (or reject) into `cmd`;
 * returns false when the request makes no command (a ping). */
bool tf_risk_handle(tf_risk *r, const struct tf_request *q, uint64_t now_ns, tf_order_cmd *cmd);
/* Apply one OMS feedback record. */
void tf_risk_on_feedback(tf_risk *r, const tf_risk_feedback *fb);
/* Trip the kill switch now: emits the CANCEL_ALL command into `cmd`. */
void tf_risk_kill(tf_risk *r, uint32_t trigger, uint64_t now_ns, tf_order_cmd *cmd);
/* Re-mark positions to the references and check the daily loss limits;
 * returns true (and fills `cmd`) when that trips the kill switch. */
bool tf_risk_mark(tf_risk *r, uint64_t now_ns, tf_order_cmd *cmd);
/* Restart (cold, before threads run): take over an order the OMS rebuilt
 * from the order journal, and the position and request ids it replayed. */
int tf_risk_seed_order(tf_risk *r, const tf_order *o);
/* `day_base`: the position's realized PnL when today (UTC) began. */
void tf_risk_seed_position(tf_risk *r, uint32_t strategy, const tf_position *p, int64_t day_base);
void tf_risk_seed_ids(tf_risk *r, uint64_t next_order_id, const uint64_t *last_req_id);
/* Restart (cold): hold a parent the algo stage took back: `reserved` of
 * its quantity (what is not filled; its open child, seeded as an order,
 * is held twice until it ends: the safe side). -1 when no slot is left. */
int tf_risk_seed_parent(tf_risk *r, uint64_t id, uint32_t strategy, uint32_t instrument, int side, int64_t qty,
                        int64_t px, int64_t reserved);

#endif

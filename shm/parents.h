/* Parent orders (execution algorithms) in the shared-memory contract: the
 * algorithms' parameters as plain values, and the request bodies that
 * start and steer a parent. lib/algo/algo.h decides what a parent does;
 * the engine's algo stage runs it. Units as in orders.h: prices and
 * quantities in the instrument's units; times here are wall clock
 * (CLOCK_REALTIME) ns, since a user sets a horizon by the clock.
 * Numbers are append-only. */
#ifndef TF_SHM_PARENTS_H
#define TF_SHM_PARENTS_H

#include <stdint.h>

#include <ck_sequence.h>

typedef enum tf_algo_kind { TF_ALGO_TWAP = 1, TF_ALGO_VWAP, TF_ALGO_POV, TF_ALGO_ICEBERG, TF_ALGO_KIND_END } tf_algo_kind;
typedef enum tf_algo_price_style {
    TF_ALGO_PX_MARKET = 0,
    TF_ALGO_PX_TOUCH,            /* our side's best: the bid for a buy */
    TF_ALGO_PX_MID,
    TF_ALGO_PX_PASSIVE,          /* offset_ticks behind our side's best */
    TF_ALGO_PX_END
} tf_algo_price_style;
typedef enum tf_algo_end_policy { TF_ALGO_END_SWEEP = 0, TF_ALGO_END_STOP, TF_ALGO_END_POLICY_END } tf_algo_end_policy;
typedef enum tf_algo_state {
    TF_ALGO_WAITING = 0,         /* before its start */
    TF_ALGO_RUNNING,
    TF_ALGO_PAUSED,
    TF_ALGO_DONE,                /* filled */
    TF_ALGO_STOPPED,             /* the horizon ended with quantity left (end policy stop) */
    TF_ALGO_CANCELED,
    TF_ALGO_STATE_END
} tf_algo_state;

extern const char *const tf_algo_kind_names[TF_ALGO_KIND_END];   /* [0] = "-" */
extern const char *const tf_algo_state_names[TF_ALGO_STATE_END];
extern const char *const tf_algo_price_style_names[TF_ALGO_PX_END];
extern const char *const tf_algo_end_policy_names[TF_ALGO_END_POLICY_END];

/* A parent's parameters. */
typedef struct tf_algo_params {
    uint8_t kind;                /* tf_algo_kind */
    uint8_t side;                /* tf_side */
    uint8_t price_style;         /* tf_algo_price_style (TWAP, VWAP, POV) */
    uint8_t end_policy;          /* tf_algo_end_policy */
    uint8_t size_jitter_pct;     /* TWAP slice size, 0..50 */
    uint8_t time_jitter_pct;     /* TWAP slice time, 0..50 */
    uint16_t participation_bps;  /* VWAP cap (0: none), POV target: 1..10000 */
    uint32_t instrument;
    int32_t offset_ticks;        /* PASSIVE: ticks behind the touch */
    int64_t qty;                 /* the parent's quantity */
    int64_t limit_price;         /* the guard; 0 = none (an iceberg needs one) */
    uint64_t start_ns, end_ns;   /* the horizon (TWAP, VWAP; POV, iceberg: end 0 = none) */
    uint64_t slice_ns;           /* TWAP */
    uint64_t resubmit_ns;        /* a resting limit child is replaced after this; 0 = never */
    int64_t min_child, max_child;/* POV child bounds (VWAP: min only, 0 = a lot); iceberg display range
                                  * (min == max: fixed) */
    uint64_t seed;               /* randomisation (0: a fixed default) */
} tf_algo_params;
_Static_assert(sizeof(tf_algo_params) == 88, "algo parameters");

/* ---- requests (struct tf_request, shm/records.h) ---------------------------
 * TF_REQ_ALGO_NEW (tf_req_algo) starts a parent: what and how much. The
 * algorithm's finer parameters come in a TF_REQ_ALGO_PARAMS
 * (tf_req_algo_params) sent just before it on the same lane, its request id
 * one below the NEW's; without one they are 0, and an algorithm that needs
 * one is refused, saying which. The risk gate assigns the parent's id from
 * the order ids and answers in the order journal. TF_REQ_ALGO_CONTROL
 * (tf_req_algo_control) pauses, resumes, cancels or amends a parent of the
 * same strategy (an operator: any). */
typedef struct tf_req_algo {
    uint32_t instrument;
    uint8_t kind, side, price_style, end_policy;
    int64_t qty;
    int64_t limit_price;         /* 0 = none */
    uint64_t start_ns;           /* wall clock; 0 = now */
    uint64_t end_ns;             /* wall clock; 0 = none (POV, iceberg) */
} tf_req_algo;
_Static_assert(sizeof(tf_req_algo) == 40, "fits a request body");

typedef struct tf_req_algo_params {
    uint64_t slice_ns, resubmit_ns;
    int64_t min_child, max_child;
    uint16_t participation_bps;
    uint8_t size_jitter_pct, time_jitter_pct;
    int32_t offset_ticks;
} tf_req_algo_params;
_Static_assert(sizeof(tf_req_algo_params) == 40, "fits a request body");

/* A parent's parameters into the two request bodies they travel in, and
 * back (x NULL: the finer parameters are 0). */
static inline void tf_algo_params_split(const tf_algo_params *p, tf_req_algo *b, tf_req_algo_params *x)
{
    *b = (tf_req_algo){.instrument = p->instrument, .kind = p->kind, .side = p->side,
                       .price_style = p->price_style, .end_policy = p->end_policy, .qty = p->qty,
                       .limit_price = p->limit_price, .start_ns = p->start_ns, .end_ns = p->end_ns};
    *x = (tf_req_algo_params){.slice_ns = p->slice_ns, .resubmit_ns = p->resubmit_ns, .min_child = p->min_child,
                              .max_child = p->max_child, .participation_bps = p->participation_bps,
                              .size_jitter_pct = p->size_jitter_pct, .time_jitter_pct = p->time_jitter_pct,
                              .offset_ticks = p->offset_ticks};
}

static inline void tf_algo_params_join(tf_algo_params *p, const tf_req_algo *b, const tf_req_algo_params *x)
{
    static const tf_req_algo_params none;
    if (!x)
        x = &none;
    *p = (tf_algo_params){.kind = b->kind, .side = b->side, .price_style = b->price_style,
                          .end_policy = b->end_policy, .size_jitter_pct = x->size_jitter_pct,
                          .time_jitter_pct = x->time_jitter_pct, .participation_bps = x->participation_bps,
                          .instrument = b->instrument, .offset_ticks = x->offset_ticks, .qty = b->qty,
                          .limit_price = b->limit_price, .start_ns = b->start_ns, .end_ns = b->end_ns,
                          .slice_ns = x->slice_ns, .resubmit_ns = x->resubmit_ns, .min_child = x->min_child,
                          .max_child = x->max_child};
}

typedef enum tf_algo_action {
    TF_ALGO_ACT_START = 0,       /* risk -> algo stage only */
    TF_ALGO_ACT_PAUSE,
    TF_ALGO_ACT_RESUME,
    TF_ALGO_ACT_CANCEL,
    TF_ALGO_ACT_AMEND,
    TF_ALGO_ACT_END
} tf_algo_action;
extern const char *const tf_algo_action_names[TF_ALGO_ACT_END];

typedef struct tf_req_algo_control {
    uint64_t parent_id;
    uint32_t action;             /* tf_algo_action, not START */
    uint32_t _pad;
    int64_t qty, limit_price;    /* AMEND: 0 = unchanged */
    uint64_t end_ns;             /* AMEND: 0 = unchanged */
} tf_req_algo_control;
_Static_assert(sizeof(tf_req_algo_control) == 40, "fits a request body");

/* TF_REQ_ALGO_REPORT: the algo stage tells the risk gate (and through it
 * the order journal) where a parent stands; a finished state releases what
 * the gate still holds for it. */
typedef struct tf_req_algo_report {
    uint64_t parent_id;
    uint32_t state;              /* tf_algo_state */
    uint32_t _pad;
    int64_t filled, avg_px;
    int64_t slippage_mbp;        /* against the arrival mid, 1/1000 bp, positive: worse */
} tf_req_algo_report;
_Static_assert(sizeof(tf_req_algo_report) == 40, "fits a request body");

/* risk gate -> algo stage (ring "risk_algo"): a parent it accepted, or a
 * control of one it checked (who may, which parent). */
typedef struct tf_algo_cmd {
    uint8_t action;              /* tf_algo_action */
    uint8_t _pad[3];
    uint32_t strategy;
    uint64_t parent_id;
    uint64_t client_req_id;
    uint64_t t_request_ns;
    tf_algo_params params;       /* START: the parent; AMEND: qty, limit_price, end_ns (0: unchanged) */
    uint8_t _pad2[8];
} tf_algo_cmd;
_Static_assert(sizeof(tf_algo_cmd) == 128, "algo command");

/* ---- read by other processes ----------------------------------------------
 * A parent as the algo stage runs it (state segment, region "parents": an
 * array of tf_parent_slot, each behind its own seqlock; used = 0 once the
 * parent is finished and reported). */
typedef struct tf_parent_status {
    uint64_t parent_id;
    uint32_t strategy, instrument;
    uint8_t kind, side, state, price_style;     /* tf_algo_kind, tf_side, tf_algo_state, tf_algo_price_style */
    uint8_t end_policy, _pad[3];
    uint32_t children;           /* sent */
    uint32_t _pad2;
    int64_t qty, filled, limit_price, avg_px;
    int64_t target;              /* what the schedule wants filled by now */
    int64_t arrival_mid;         /* the mid when it started (price units) */
    int64_t interval_vwap;       /* the market's VWAP since it started (price units; 0: no trade yet) */
    int64_t slippage_mbp;        /* its average against the arrival mid, 1/1000 bp, positive: worse */
    int64_t vs_vwap_mbp;         /* its average against the interval VWAP, likewise */
    int64_t market_volume;       /* traded in the market since it started */
    uint64_t start_ns, end_ns;   /* wall clock */
    uint64_t updated_realtime_ns;
} tf_parent_status;
_Static_assert(sizeof(tf_parent_status) == 136, "parent status");

typedef struct tf_parent_slot {
    ck_sequence_t seq;
    uint32_t used;
    tf_parent_status p;
} tf_parent_slot;
_Static_assert(sizeof(tf_parent_slot) == 144, "parent slot");

#endif

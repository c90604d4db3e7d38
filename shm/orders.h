/* The order path's shared-memory contract: request bodies, the records
 * passed between the strategy, risk, OMS and venue stages, the order events
 * journaled for every request and every change of an order, and the order,
 * position and risk records other processes read.
 *
 * Units: prices and quantities are int64 in the instrument's price and qty
 * units (shm/fixed.h). Money — notional, exposure, PnL, fees — is int64 in
 * units of 10^-8 of the quote currency (TF_MONEY_PRECISION), so limits that
 * span instruments add up. Times are CLOCK_MONOTONIC ns unless named
 * *_realtime_ns.
 *
 * Numbers are append-only: they are the contract with clients built earlier.
 */
#ifndef TF_SHM_ORDERS_H
#define TF_SHM_ORDERS_H

#include <stdint.h>

#include <ck_sequence.h>

#include "shm/common.h"
#include "shm/fixed.h"

#define TF_MONEY_PRECISION 8u
#define TF_MAX_STRATEGIES 16u        /* strategy ids 1..15; 0 = the engine (tfctl, kill switch) */

typedef enum tf_side { TF_BUY = 0, TF_SELL = 1 } tf_side;
typedef enum tf_ord_type { TF_LIMIT = 0, TF_MARKET = 1 } tf_ord_type;
typedef enum tf_tif { TF_GTC = 0, TF_IOC = 1, TF_FOK = 2 } tf_tif;

/* Order states, FIX OrdStatus semantics. */
typedef enum tf_ord_state {
    TF_OS_NONE = 0,
    TF_OS_PENDING_NEW,
    TF_OS_NEW,
    TF_OS_PARTIALLY_FILLED,
    TF_OS_FILLED,
    TF_OS_PENDING_CANCEL,
    TF_OS_CANCELED,
    TF_OS_PENDING_REPLACE,
    TF_OS_REPLACED,          /* reported on the replace event; the order goes on as New/PartiallyFilled */
    TF_OS_REJECTED,
    TF_OS_EXPIRED,
    TF_OS_COUNT
} tf_ord_state;

/* Why a request or an order was refused. Each has a counter in the risk
 * stage's stats (risk_rejects{reason=...}). */
typedef enum tf_reject_reason {
    TF_RJ_NONE = 0,
    TF_RJ_DUPLICATE_REQUEST,     /* client request id not above the last one of this strategy */
    TF_RJ_UNKNOWN_STRATEGY,
    TF_RJ_UNKNOWN_INSTRUMENT,
    TF_RJ_BAD_REQUEST,           /* side/type/tif out of range, qty <= 0, price <= 0 on a limit */
    TF_RJ_TICK_SIZE,
    TF_RJ_LOT_SIZE,
    TF_RJ_MIN_QTY,
    TF_RJ_MAX_QTY,
    TF_RJ_MIN_NOTIONAL,
    TF_RJ_MAX_NOTIONAL,
    TF_RJ_PRICE_COLLAR,
    TF_RJ_NO_REFERENCE,          /* no fresh mid/last trade for a collar or a market order */
    TF_RJ_POSITION_LIMIT,
    TF_RJ_GROSS_EXPOSURE,
    TF_RJ_CONCENTRATION,
    TF_RJ_DAILY_LOSS,
    TF_RJ_ORDER_RATE,
    TF_RJ_CANCEL_RATE,
    TF_RJ_REPLACE_RATE,
    TF_RJ_MAX_OPEN_ORDERS,
    TF_RJ_DUPLICATE_ORDER,       /* same side/price/qty too often within the window */
    TF_RJ_SELF_TRADE,
    TF_RJ_HALTED,
    TF_RJ_REDUCE_ONLY,           /* state REDUCING and the order would not reduce */
    TF_RJ_UNKNOWN_ORDER,
    TF_RJ_ORDER_NOT_OPEN,        /* cancel/replace of an order already done or pending */
    TF_RJ_TABLE_FULL,            /* no order slot left */
    TF_RJ_VENUE,                 /* the venue refused it */
    TF_RJ_VENUE_UNAVAILABLE,     /* the venue ring stayed full */
    TF_RJ_BAD_LIMIT,             /* a limit change naming an unknown limit or target */
    TF_RJ_NOT_TRADABLE,          /* the instrument is known but closed to trading */
    TF_RJ_NOT_AUTHORIZED,        /* an operator's request from an identity that is not an operator's, or an
                                  * engine-only flag from a client */
    TF_RJ_NO_ALGO_STAGE,         /* a parent order, and no algo stage runs in this engine */
    TF_RJ_BAD_ALGO_PARAMS,       /* parameters the algorithm refuses (the error log says which and why) */
    TF_RJ_REASON_COUNT
} tf_reject_reason;

extern const char *const tf_reject_reason_names[TF_RJ_REASON_COUNT];
extern const char *const tf_ord_state_names[TF_OS_COUNT];

/* ---- requests (struct tf_request in shm/records.h: type, source_id = the
 * strategy id, client_seq = the client request id, t_sent_ns, body[40]) --- */

/* TF_REQ_NEW, TF_REQ_CANCEL, TF_REQ_REPLACE, TF_REQ_CANCEL_ALL */
typedef struct tf_req_order {
    uint32_t instrument;
    uint8_t side, type, tif;     /* tf_side, tf_ord_type, tf_tif */
    uint8_t flags;               /* TF_ORDF_* */
    int64_t price;               /* limit price; 0 for market */
    int64_t qty;
    uint64_t order_id;           /* cancel/replace: the engine's order id */
    union {
        uint64_t t_md_ns;        /* plugin orders: the receive time of the market data that caused it */
        int64_t display_qty;     /* TF_ORDF_ALGO_CHILD: the venue's native iceberg shows this much at a
                                  * time (0: all of it) */
    };
} tf_req_order;
_Static_assert(sizeof(tf_req_order) == 40, "fits a request body");

enum {
    TF_ORDF_REDUCE_ONLY = 1u << 0,   /* refuse if it would not reduce the position */
    TF_ORDF_FLATTEN = 1u << 1,       /* the kill switch's own flattening order */
    TF_ORDF_ALGO_CHILD = 1u << 2,    /* a parent's child (the algo stage's only): order_id = the parent */
};

/* TF_REQ_RESOLVE: an operator settles an order whose fate the venue cannot
 * tell (it forgot the order): canceled, or filled with qty at price (what
 * the operator learned from the venue's statement). TF_REQ_SESSION_RESET:
 * order_id = the session (UINT64_MAX: all). */
typedef enum tf_resolve_outcome { TF_RESOLVE_CANCELED = 1, TF_RESOLVE_FILLED = 2 } tf_resolve_outcome;
typedef struct tf_req_resolve {
    uint64_t order_id;
    int64_t price, qty;          /* FILLED: the quantity that traded (beyond what is known) and its price */
    uint32_t outcome;            /* tf_resolve_outcome */
    uint32_t uid;                /* the operator (tfctl puts its real uid) */
    uint8_t _pad[8];
} tf_req_resolve;
_Static_assert(sizeof(tf_req_resolve) == 40, "fits a request body");

/* Limits the risk gate keeps, changeable live (TF_REQ_SET_LIMIT). */
typedef enum tf_limit_id {
    TF_LIM_NONE = 0,
    /* per instrument (target = instrument id) */
    TF_LIM_MIN_QTY, TF_LIM_MAX_ORDER_QTY, TF_LIM_MAX_ORDER_NOTIONAL, TF_LIM_MAX_POSITION,
    TF_LIM_COLLAR_BPS,
    /* per strategy (target = strategy id) */
    TF_LIM_S_MAX_ORDER_NOTIONAL, TF_LIM_S_MAX_POSITION_NOTIONAL, TF_LIM_S_MAX_OPEN_ORDERS,
    TF_LIM_S_ORDERS_PER_S, TF_LIM_S_CANCELS_PER_S, TF_LIM_S_REPLACES_PER_S, TF_LIM_S_DAILY_LOSS,
    /* global (target ignored) */
    TF_LIM_G_MAX_GROSS_EXPOSURE, TF_LIM_G_MAX_CONCENTRATION_PCT, TF_LIM_G_DAILY_LOSS,
    TF_LIM_G_ORDERS_PER_S, TF_LIM_G_CANCELS_PER_S, TF_LIM_G_REPLACES_PER_S,
    TF_LIM_G_MAX_OPEN_ORDERS, TF_LIM_G_DUPLICATE_COUNT, TF_LIM_G_DUPLICATE_WINDOW_MS,
    TF_LIM_G_REFERENCE_MAX_AGE_MS,
    TF_LIM_TRADABLE,             /* per instrument: 1 open to trading, 0 closed */
    TF_LIM_COUNT
} tf_limit_id;
extern const char *const tf_limit_names[TF_LIM_COUNT];

/* TF_REQ_SET_LIMIT: value in the limit's unit (qty units, money, count, bps, ms). */
typedef struct tf_req_limit {
    uint32_t limit;              /* tf_limit_id */
    uint32_t target;             /* instrument or strategy id */
    int64_t value;               /* 0 = no limit (except collar: 0 = off) */
    uint8_t _pad[24];
} tf_req_limit;
_Static_assert(sizeof(tf_req_limit) == 40, "fits a request body");

typedef enum tf_trading_state { TF_TS_ACTIVE = 0, TF_TS_REDUCING, TF_TS_HALTED, TF_TS_COUNT } tf_trading_state;
extern const char *const tf_trading_state_names[TF_TS_COUNT];

/* TF_REQ_KILL (on = 1 trips it, 0 resets to ACTIVE), TF_REQ_SET_STATE. */
typedef struct tf_req_control {
    uint32_t on;                 /* KILL: 1/0; SET_STATE: tf_trading_state */
    uint32_t flatten;            /* KILL: also flatten every position */
    uint8_t _pad[32];
} tf_req_control;
_Static_assert(sizeof(tf_req_control) == 40, "fits a request body");

/* ---- between stages (SPSC rings inside the engine) ----------------------- */

typedef enum tf_cmd_kind {
    TF_CMD_NEW = 1, TF_CMD_CANCEL, TF_CMD_REPLACE,
    TF_CMD_REJECT,               /* a request the risk gate refused: journal it */
    TF_CMD_CANCEL_ALL,           /* the kill switch or a cancel-all request */
    TF_CMD_NOTE,                 /* journal a control event (limit changed, kill reset) */
    TF_CMD_RESOLVE,              /* an operator settles an order of unknown fate: price, qty, arg = outcome
                                  * (tf_resolve_outcome), client_req_id; reason = the operator's uid */
    TF_CMD_SESSION_RESET,        /* an operator resets a venue session's sequence numbers: arg = session
                                  * (-1: all) */
    TF_CMD_PARENT,               /* journal a parent order's event: reason = tf_event_kind (TF_EV_PARENT_*),
                                  * order_id = the parent, tif = its tf_algo_kind / tf_algo_action /
                                  * tf_algo_state; ACCEPTED, CONTROL: price, qty, arg as the event;
                                  * STATE: qty = filled, price = average fill price, arg = slippage */
} tf_cmd_kind;

/* risk → oms */
typedef struct tf_order_cmd {
    uint8_t kind;                /* tf_cmd_kind */
    uint8_t side, type, tif;
    uint16_t reason;             /* REJECT: tf_reject_reason; NOTE: tf_event_kind */
    uint16_t req_type;           /* the request it answers */
    uint32_t strategy;
    uint32_t instrument;
    uint64_t order_id;
    uint64_t client_req_id;
    int64_t price, qty;
    int64_t arg;                 /* NOTE: value; CANCEL_ALL: strategy filter (0 = all) */
    uint64_t t_request_ns;       /* when the client sent it */
    uint64_t t_md_ns;            /* the market-data record behind it (plugin), or 0 */
    union {
        uint64_t t_trigger_ns;   /* CANCEL_ALL from the kill switch: when it tripped */
        int64_t display_qty;     /* NEW of an algo child: its native iceberg's display (0: all) */
    };
    uint64_t t_passed_ns;        /* when the risk gate passed it on (the tick's timeline) */
    uint64_t parent_id;          /* NEW of a parent's child (TF_ORDF_ALGO_CHILD): the parent, journaled as the
                                  * accepted event's arg */
} tf_order_cmd;
_Static_assert(sizeof(tf_order_cmd) == 96, "order command");

typedef enum tf_venue_cmd_kind {
    TF_VC_NEW = 1, TF_VC_CANCEL, TF_VC_REPLACE,
    TF_VC_FORGET,                /* the order was settled by an operator: the venue stage stops tracking it */
    TF_VC_SESSION_RESET,         /* qty = the session (-1: all): sequence numbers back to 1, reconnect */
} tf_venue_cmd_kind;

/* oms → venue. The tick's timeline stamps before the OMS's own are kept as
 * ns before t_handed_ns (tf_vc_before / tf_vc_stamp), so the command,
 * with a native iceberg's display quantity, still fits one cache line. */
typedef struct tf_venue_cmd {
    uint8_t kind;                /* tf_venue_cmd_kind */
    uint8_t side, type, tif;
    uint32_t instrument;
    uint64_t order_id;
    int64_t price, qty;          /* NEW: the order; REPLACE: new price and total qty */
    int64_t display_qty;         /* NEW: the venue shows this much at a time (its native iceberg); 0: all */
    uint64_t t_md_ns;            /* tick-to-order: the market-data receive behind it (0: none) */
    uint64_t t_handed_ns;        /* when the OMS handed it to the venue ring */
    uint32_t request_before_ns;  /* the tick's timeline: the request sent (the strategy's decision) */
    uint32_t passed_before_ns;   /*   the risk gate passed it */
} tf_venue_cmd;
_Static_assert(sizeof(tf_venue_cmd) == 64, "venue command: one cache line");

/* A stamp t as ns before handed: 0 when t is 0 (none) or after handed; at
 * least 1 otherwise, at most UINT32_MAX (4.3 s: older is an outlier anyway). */
static inline uint32_t tf_vc_before(uint64_t handed, uint64_t t)
{
    if (!t || t > handed)
        return 0;
    uint64_t d = handed - t;
    return d == 0 ? 1u : d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}
/* The stamp back (0: none). */
static inline uint64_t tf_vc_stamp(uint64_t handed, uint32_t before) { return before ? handed - before : 0; }

typedef enum tf_exec_kind {
    TF_EX_ACK = 1,               /* New */
    TF_EX_REJECT,                /* the new order refused */
    TF_EX_FILL,                  /* partial or full */
    TF_EX_CANCELED,
    TF_EX_REPLACED,
    TF_EX_CANCEL_REJECT,         /* cancel or replace refused (order already done) */
    TF_EX_EXPIRED,               /* IOC/market remainder */
    TF_EX_OUT_OF_BAND_FILL,      /* a fill for an order already finished here, or for no order we know
                                  * (order_id 0): the venue says we hold it; side set */
} tf_exec_kind;

/* venue → oms */
typedef struct tf_exec_report {
    uint8_t kind;                /* tf_exec_kind */
    uint8_t liquidity;           /* 1 maker, 2 taker */
    uint16_t reason;             /* tf_reject_reason */
    uint32_t instrument;
    uint64_t order_id;
    int64_t last_px, last_qty;   /* FILL */
    int64_t price, qty;          /* REPLACED: the new terms */
    int64_t fee;                 /* money */
    uint64_t venue_realtime_ns;
    uint64_t venue_ref;          /* ACK, REPLACED: the suffix of the ClOrdID the venue knows the order by
                                  * now (0: its own), so a restart asks for its status by that */
    uint8_t side;                /* OUT_OF_BAND_FILL: tf_side */
    uint8_t _pad[7];
} tf_exec_report;
_Static_assert(sizeof(tf_exec_report) == 80, "execution report");

/* oms → risk: what the risk gate must know to keep exposure exact. */
typedef struct tf_risk_feedback {
    uint8_t kind;                /* tf_exec_kind that caused it */
    uint8_t side;
    uint8_t done;                /* the order is finished: release it */
    uint8_t _pad;
    uint32_t instrument;
    uint64_t order_id;
    int64_t last_px, last_qty, fee;
    int64_t price, leaves;       /* the order's terms now (after a replace or its reject) */
    uint32_t strategy;
    uint16_t reason;             /* REJECT: tf_reject_reason */
    uint16_t _pad2;
} tf_risk_feedback;
_Static_assert(sizeof(tf_risk_feedback) == 64, "risk feedback");

/* ---- the order journal (tradefan.<instance>.orders, TF_REC_ORDER_EVENT) -- */

typedef enum tf_event_kind {
    TF_EV_ACCEPTED = 1,          /* passed risk, handed to the venue: PendingNew; arg = its parent order's id
                                  * for a parent's child (flags TF_ORDF_ALGO_CHILD), else 0 */
    TF_EV_REJECTED,              /* refused (risk or venue), reason set */
    TF_EV_NEW,                   /* the venue acknowledged it */
    TF_EV_FILL,
    TF_EV_PENDING_CANCEL,
    TF_EV_CANCELED,
    TF_EV_PENDING_REPLACE,
    TF_EV_REPLACED,
    TF_EV_CANCEL_REJECTED,       /* cancel/replace refused: the order stays as it was */
    TF_EV_EXPIRED,
    TF_EV_KILL,                  /* kill switch tripped: arg = open orders canceled; reason = trigger */
    TF_EV_KILL_DONE,             /* all its cancels handed to the venue: arg = ns since the trigger */
    TF_EV_KILL_RESET,
    TF_EV_LIMIT_SET,             /* a limit changed: reason = tf_limit_id, instrument = target, arg = value */
    TF_EV_STATE_SET,             /* trading state changed: arg = tf_trading_state */
    TF_EV_ILLEGAL,               /* an impossible report (fill after cancel, overfill, unknown id): counted, state kept */
    TF_EV_OUT_OF_BAND_FILL,      /* a fill for a finished or unknown order, applied to the position: last_px,
                                  * last_qty, fee, side; state none (the order stays as it ended) */
    TF_EV_RESOLVED,              /* an operator settled an order of unknown fate: state Canceled or Filled
                                  * (a fill event before it carries any quantity); arg = the operator's uid */
    TF_EV_SESSION_RESET,         /* an operator reset a venue session's sequence numbers: arg = session (-1: all),
                                  * reason = the operator's uid */
    TF_EV_POSITION,              /* the strategy's position in the instrument right after the fill journaled
                                  * before it: qty, price = average price, arg = realized, cum_qty = unrealized
                                  * at last_px (the fill's price), fee = fees so far (money); for exporters */
    TF_EV_PARENT_ACCEPTED,       /* a parent order (shm/parents.h) started: order_id = its id, side, instrument,
                                  * qty, price = its limit (0: none), reason = tf_algo_kind */
    TF_EV_PARENT_CONTROL,        /* a parent paused, resumed, canceled or amended: reason = tf_algo_action;
                                  * AMEND: qty, price = the new values (0: unchanged), arg = new end (wall ns) */
    TF_EV_PARENT_STATE,          /* a parent's progress: reason = tf_algo_state, cum_qty = filled, last_px =
                                  * average fill price, arg = slippage against the arrival mid in 1/1000 bp
                                  * (positive: worse) */
    TF_EV_KIND_COUNT
} tf_event_kind;
extern const char *const tf_event_kind_names[TF_EV_KIND_COUNT];

typedef enum tf_kill_trigger {
    TF_KILL_MANUAL = 1, TF_KILL_DAILY_LOSS, TF_KILL_STAGE_FAILURE,
    TF_KILL_OUT_OF_BAND_FILL,    /* risk.kill_on_out_of_band_fill: the venue filled what we thought finished */
    TF_KILL_TRIGGER_COUNT
} tf_kill_trigger;
extern const char *const tf_kill_trigger_names[TF_KILL_TRIGGER_COUNT]; /* [0] = "-" */

typedef struct tf_order_event {
    uint64_t order_id;           /* 0: a request refused before it became an order */
    uint64_t client_req_id;
    uint32_t strategy;
    uint32_t instrument;
    uint8_t kind;                /* tf_event_kind */
    uint8_t state;               /* tf_ord_state after the event */
    uint8_t side, type;
    uint8_t tif, flags;
    uint16_t reason;             /* tf_reject_reason, or as the kind says */
    int64_t price, qty;          /* the order's terms after the event */
    int64_t cum_qty;             /* filled so far */
    int64_t last_px, last_qty;   /* FILL */
    int64_t fee;                 /* FILL: money; reason = liquidity (1 maker, 2 taker, 0 unknown) */
    int64_t arg;                 /* as the kind says */
    uint64_t t_request_ns;       /* when the client sent the request behind it */
    uint64_t realtime_ns;        /* when the engine journaled it */
} tf_order_event;
_Static_assert(sizeof(tf_order_event) == 104, "fits a 128-byte order journal slot");

/* ---- read by other processes --------------------------------------------- */

/* One order, as the OMS keeps it (segment tradefan.<instance>.orders,
 * region "table": an array of tf_order_slot, each behind its own seqlock). */
typedef struct tf_order {
    uint64_t order_id;
    uint64_t client_req_id;
    uint32_t strategy;
    uint32_t instrument;
    uint8_t state, side, type, tif;
    uint8_t flags;
    uint8_t prev_state;          /* state before a pending cancel/replace */
    uint16_t version;            /* replaces applied */
    int64_t price, qty;          /* current terms */
    int64_t cum_qty;
    int64_t avg_px;              /* price units, rounded */
    int64_t fees;                /* money */
    int64_t pending_price, pending_qty; /* asked by a pending replace */
    uint64_t created_realtime_ns, updated_realtime_ns;
} tf_order;
_Static_assert(sizeof(tf_order) == 104, "order record");

typedef struct tf_order_slot {
    ck_sequence_t seq;
    uint32_t used;               /* 1 while the order is in the table */
    uint8_t _pad[16];
    tf_order order;
} tf_order_slot;
_Static_assert(sizeof(tf_order_slot) == 128, "two per writer line pair");

/* A position: per instrument for one strategy, or for all (state slot
 * TF_STATE_POSITION, key "<symbol>" for the total, "<symbol>/<strategy>"). */
typedef struct tf_position {
    uint32_t instrument;
    uint32_t strategy;           /* 0 = all strategies */
    int64_t qty;                 /* signed: long > 0 */
    int64_t avg_px;              /* price units, of the open quantity */
    int64_t realized;            /* money, after fees */
    int64_t unrealized;          /* money, marked to the reference when published */
    int64_t fees;                /* money */
    int64_t bought, sold;        /* qty units traded */
    int64_t mark_px;             /* the reference used */
    uint64_t fills;
    int64_t cost;                /* money: qty * avg_px, exact to the money unit */
} tf_position;
_Static_assert(sizeof(tf_position) == 88, "fits a state slot");

/* Order events per instrument by the state they left the order in (state
 * slot TF_STATE_ORDER_COUNTS, key "<symbol>"), since the engine started:
 * by_state[TF_OS_FILLED] counts orders filled, by_state[TF_OS_REJECTED]
 * requests and orders refused, and so on. Published by the OMS with the
 * positions (every 100 ms). */
typedef struct tf_order_counts {
    uint64_t by_state[TF_OS_COUNT];
} tf_order_counts;
_Static_assert(sizeof(tf_order_counts) <= 96, "fits a state slot");

/* A venue session as the exchange I/O stage sees it (state slot
 * TF_STATE_VENUE_SESSION, key "fix/<session>"): why it is down or halted,
 * in words (the venue's own where it gave any). */
typedef struct tf_venue_session_status {
    uint8_t state;               /* tf_fix_state */
    uint8_t halted;              /* 1: not reconnecting until an operator resets it (tfctl session reset) */
    uint8_t in_schedule;         /* 0: outside exchange.schedule's session hours */
    uint8_t reconciling;         /* 1: logged on, the status of its open orders not all answered yet */
    uint32_t session;
    uint64_t next_in;            /* the MsgSeqNum expected from the venue */
    uint64_t problem_realtime_ns;/* when `problem` was written (0: none) */
    uint32_t unknown_orders;     /* orders of unknown fate (all sessions): an operator must settle them */
    char problem[68];            /* e.g. "Logon MsgSeqNum 1 below the expected 43, no ResetSeqNumFlag" */
} tf_venue_session_status;
_Static_assert(sizeof(tf_venue_session_status) == 96, "fits a state slot");

/* The risk gate as a whole (state slot TF_STATE_RISK, key "risk"). */
typedef struct tf_risk_status {
    uint32_t trading_state;      /* tf_trading_state */
    uint32_t kill_active;
    uint32_t kill_trigger;       /* tf_kill_trigger */
    uint32_t open_orders;
    uint64_t kill_realtime_ns;
    uint64_t kill_to_cancels_ns; /* last kill: trigger → every cancel handed to the venue */
    int64_t gross_exposure;      /* money */
    int64_t daily_pnl;           /* money: realized + unrealized since the day began */
    uint64_t accepted, rejected;
    uint64_t last_reject_reason;
    int64_t realized, unrealized;/* money */
} tf_risk_status;
_Static_assert(sizeof(tf_risk_status) <= 96, "fits a state slot");

/* The OMS as a whole (state slot TF_STATE_OMS, key "oms"). */
typedef struct tf_oms_status {
    uint64_t next_order_id;
    uint32_t open_orders;
    uint32_t table_capacity;
    uint64_t events;             /* journaled */
    uint64_t illegal;            /* impossible reports counted */
    uint64_t replayed;           /* events replayed at start */
    uint64_t fills;
    uint64_t out_of_band_fills;  /* fills for finished or unknown orders, applied to positions */
    uint64_t resolved;           /* orders of unknown fate settled by an operator */
    uint8_t _pad[32];
} tf_oms_status;
_Static_assert(sizeof(tf_oms_status) <= 96, "fits a state slot");

/* The risk gate's limits (region "limits" of the state segment, behind one
 * seqlock; written by the risk stage at start and on every change). Money
 * limits in 10^-8 quote, quantities in instrument units, 0 = no limit. */
#define TF_MAX_LIMIT_INSTRUMENTS 64u
typedef struct tf_risk_limits {
    /* per instrument */
    int64_t min_qty[TF_MAX_LIMIT_INSTRUMENTS], max_order_qty[TF_MAX_LIMIT_INSTRUMENTS];
    int64_t max_order_notional[TF_MAX_LIMIT_INSTRUMENTS], max_position[TF_MAX_LIMIT_INSTRUMENTS];
    uint32_t collar_bps[TF_MAX_LIMIT_INSTRUMENTS];
    uint32_t closed[TF_MAX_LIMIT_INSTRUMENTS];    /* 1: not tradable (new orders refused) */
    /* per strategy */
    int64_t s_max_order_notional[TF_MAX_STRATEGIES], s_max_position_notional[TF_MAX_STRATEGIES];
    int64_t s_daily_loss[TF_MAX_STRATEGIES];
    uint32_t s_max_open[TF_MAX_STRATEGIES];
    uint32_t s_rate[3][TF_MAX_STRATEGIES];   /* orders, cancels, replaces per second */
    /* global */
    int64_t max_gross_exposure, daily_loss;
    uint32_t max_concentration_pct, max_open;
    uint32_t g_rate[3];
    uint32_t dup_count;
    uint64_t dup_window_ns, ref_max_age_ns;
} tf_risk_limits;

typedef struct tf_limits_slot {
    ck_sequence_t seq;
    uint32_t _pad[15];
    tf_risk_limits lim;
} tf_limits_slot;

/* Money (10^-8 quote) from a value in an instrument's price units. */
static inline int64_t tf_money_from_price_units(int64_t v, unsigned price_precision)
{
    if (price_precision <= TF_MONEY_PRECISION)
        return v * tf_pow10[TF_MONEY_PRECISION - price_precision];
    return v / tf_pow10[price_precision - TF_MONEY_PRECISION];
}

/* price * qty as money, exact to the money unit (rounded half away from 0),
 * in 128 bits: callers bounding price and qty check the result's range. */
static inline __int128 tf_money_notional_wide(int64_t price, int64_t qty, unsigned price_precision,
                                              unsigned qty_precision)
{
    __int128 n = (__int128)price * qty;
    int scale = (int)TF_MONEY_PRECISION - (int)price_precision - (int)qty_precision;
    if (scale >= 0)
        return n * tf_pow10[scale];
    __int128 d = tf_pow10[-scale];
    return n >= 0 ? (n + d / 2) / d : (n - d / 2) / d;
}

/* The same as int64 (orders the risk gate let through always fit). */
static inline int64_t tf_money_notional(int64_t price, int64_t qty, unsigned price_precision,
                                        unsigned qty_precision)
{
    return (int64_t)tf_money_notional_wide(price, qty, price_precision, qty_precision);
}

#endif

/* tfsim matching engine: one price-time-priority limit order book per
 * symbol, no I/O. The caller (the FIX gateway, the market agent) calls the
 * operations below; the book answers through one event callback, called
 * synchronously and in order from inside the operation.
 *
 * Design. Every array is allocated by match_create and never grows: an
 * order pool (resting orders and the one being matched), a level pool, per
 * side a sorted array of the active levels (sort key: price for bids,
 * -price for asks, so the best level is always the LAST element: the touch
 * is O(1) and levels appear and disappear at the touch with no memmove),
 * and an owner table (open addressing) heading one intrusive list of open
 * orders per owner. A level is a FIFO of orders (intrusive doubly linked
 * list of pool indices) with its aggregate open quantity. An exchange order
 * id is (sequence << slot_bits) | pool slot: unique and increasing within a
 * book, and found in O(1) by masking the slot and comparing the stored id.
 *
 * Promises.
 *  - No allocation after match_create; no recursion; no I/O.
 *  - Complexities (L = active levels on a side, k = levels or orders
 *    consumed by a match (an iceberg's tranches each count), q = orders at one level, n = an owner's open
 *    orders): best bid/ask O(1); order by id O(1); cancel O(1) plus, when
 *    its level empties, a memmove of the levels better than it (0 at the
 *    touch); submit/replace O(log L + k) plus one such memmove when a level
 *    is created or removed; FOK availability check O(orders inspected, at
 *    most what a fill would consume); match_agent_level O(q); levels of a
 *    side O(returned); owner iteration and match_cancel_owner O(n).
 *  - Events for one operation, in this order:
 *      REJECTED alone (nothing changed), or
 *      submit:  ACCEPTED, then per match FILL then LEVEL (the maker's level),
 *               STP cancels of makers as CANCELED then LEVEL, and last
 *               either LEVEL (the remainder rests), EXPIRED (IOC/FOK/market
 *               remainder, or STP on the taker), or nothing (filled);
 *      replace: REPLACED, LEVEL(s), then as submit after ACCEPTED when the
 *               order lost priority at a new price (it may match);
 *      cancel:  CANCELED then LEVEL.
 *    A LEVEL event follows every change of a level's aggregate quantity
 *    (qty 0: the level is gone), so a shadow book built from LEVEL events
 *    alone always equals the book.
 *  - Icebergs (match_new.display): a resting iceberg shows one tranche of
 *    display (less when less is open) and its level counts only that. A
 *    taker meets the tranche like any order; once it is taken the next
 *    tranche is shown at the back of the same level (FILL, LEVEL of the
 *    level without it, LEVEL with it): it loses time priority, and a taker
 *    still crossing meets the orders behind it first, then the new
 *    tranche. Hidden quantity is reachable at its price only this way. A
 *    replace keeps the display (a new qty or price shows a fresh tranche
 *    when the order rests again).
 *  - The callback must not call the mutating operations (they return
 *    MATCH_R_BUSY, or 0 for match_submit, and emit nothing); queries are
 *    allowed and see the book as of that event.
 *  - Order ids are unique within one book only; ids of finished orders are
 *    never reused. A finished order (filled, canceled, expired) is forgotten:
 *    match_order_get no longer finds it and cancel/replace answer TOO_LATE. */
#ifndef TF_TFSIM_MATCH_H
#define TF_TFSIM_MATCH_H

#include <stdbool.h>
#include <stdint.h>

#define MATCH_QTY_MAX 100000000000000000LL /* one order: 1e9 units (1e-8 each) */
#define MATCH_AGENT 0u                     /* the simulator's own market agent */

enum match_side { MATCH_BUY = 0, MATCH_SELL = 1 };
enum match_type { MATCH_LIMIT = 0, MATCH_MARKET = 1 };
enum match_tif { MATCH_GTC = 0, MATCH_IOC = 1, MATCH_FOK = 2 };
/* Self-trade prevention, applied when the incoming order meets a resting
 * order of the same non-zero owner; the incoming order's mode decides.
 * NONE: no prevention, the two trade with each other as any two orders
 * (Binance's NONE). */
enum match_stp {
    MATCH_STP_EXPIRE_TAKER = 0, MATCH_STP_EXPIRE_MAKER = 1, MATCH_STP_EXPIRE_BOTH = 2, MATCH_STP_NONE = 3
};

enum match_ev_kind {
    MATCH_EV_ACCEPTED = 1, /* order: id assigned, leaves = qty - filled (filled: match_new.filled) */
    MATCH_EV_REJECTED,     /* op, reason; order: the request (id 0 for a new order) */
    MATCH_EV_FILL,         /* trade_id, price (the maker's), qty; order = taker, maker */
    MATCH_EV_CANCELED,     /* reason; qty = quantity removed; order.leaves = 0 */
    MATCH_EV_REPLACED,     /* order: new price/qty/leaves; price, qty: the previous ones */
    MATCH_EV_EXPIRED,      /* reason; qty = quantity removed; order.leaves = 0 */
    MATCH_EV_LEVEL,        /* side, price, qty = the level's new aggregate (0: gone) */
};

enum match_reason {
    MATCH_OK = 0,
    /* REJECTED */
    MATCH_R_BAD_PRICE,     /* <= 0 or not on the tick */
    MATCH_R_BAD_QTY,       /* <= 0, not on the lot, too large, or (replace) <= filled; filled out of range */
    MATCH_R_BAD_PARAM,     /* side/type/tif/stp out of range, or MARKET + post-only */
    MATCH_R_UNKNOWN_ORDER, /* no such id was ever issued by this book */
    MATCH_R_NOT_OWNER,
    MATCH_R_WOULD_TAKE,    /* post-only that would cross */
    MATCH_R_TOO_LATE,      /* the order is already filled, canceled or expired */
    MATCH_R_BOOK_FULL,     /* order pool, level pool or owner table exhausted */
    MATCH_R_BUSY,          /* called from inside the event callback; no event */
    /* CANCELED */
    MATCH_R_REQUESTED,     /* match_cancel, match_agent_level */
    MATCH_R_MASS,          /* match_cancel_owner */
    MATCH_R_STP,           /* CANCELED (maker) or EXPIRED (taker) by self-trade prevention */
    /* EXPIRED */
    MATCH_R_IOC,           /* IOC limit remainder */
    MATCH_R_FOK,           /* FOK that could not fill entirely: nothing traded */
    MATCH_R_MARKET,        /* MARKET remainder: no more liquidity */
};

enum match_op { MATCH_OP_NEW = 0, MATCH_OP_CANCEL, MATCH_OP_REPLACE, MATCH_OP_AMEND, MATCH_OP_AGENT };

typedef struct match_order_info {
    uint64_t id;     /* exchange order id */
    uint64_t tag;    /* the caller's opaque reference */
    uint32_t owner;
    uint8_t side, type, tif, stp;
    bool post_only;
    int64_t price;   /* 0 for MARKET */
    int64_t qty;     /* total quantity */
    int64_t filled;  /* cumulative filled */
    int64_t leaves;  /* open quantity: qty - filled while open, 0 once done */
    int64_t display; /* an iceberg's tranche (0: not one) */
    int64_t shown;   /* resting: what its level counts of it (an iceberg: what is left of its tranche) */
} match_order_info;

typedef struct match_event {
    uint8_t kind;    /* match_ev_kind */
    uint8_t reason;  /* match_reason: REJECTED, CANCELED, EXPIRED */
    uint8_t op;      /* match_op: REJECTED */
    uint8_t side;    /* LEVEL: the level's side; FILL: the taker's side */
    uint64_t trade_id;
    int64_t price, qty;
    match_order_info order; /* the order concerned; for FILL the taker (after the fill) */
    match_order_info maker; /* FILL: the resting order (after the fill) */
} match_event;

typedef void (*match_event_fn)(void *ctx, const match_event *ev);

typedef struct match_config {
    int64_t tick, lot;          /* > 0, in 1e-8 units */
    uint32_t capacity_orders;   /* open orders at once, plus one being matched (>= 2) */
    uint32_t capacity_levels;   /* active price levels, both sides together (>= 2) */
    uint32_t capacity_owners;   /* distinct owners with open orders at once (0: 1024) */
    match_event_fn on_event;    /* required */
    void *ctx;
} match_config;

typedef struct match_new {
    uint32_t owner;             /* MATCH_AGENT (0) or a participant */
    uint64_t tag;
    uint8_t side, type, tif, stp;
    bool post_only;             /* LIMIT only: rejected (WOULD_TAKE) if it would cross */
    int64_t price;              /* LIMIT: > 0, on the tick; ignored for MARKET */
    int64_t qty;                /* > 0, on the lot, <= MATCH_QTY_MAX */
    int64_t filled;             /* already filled (an order restored after a restart): >= 0, on the
                                 * lot, < qty; it matches and rests for qty - filled; 0 normally */
    int64_t display;            /* an iceberg (LIMIT): it rests showing this much (on the lot) at a time;
                                 * 0, or not below what it has open: all of it */
} match_new;

typedef struct match_level_info {
    int64_t price, qty;         /* qty: aggregate open quantity */
    uint32_t orders;
} match_level_info;

typedef struct match_book match_book;

/* NULL on a bad config or out of memory. All memory is allocated here. */
match_book *match_create(const match_config *cfg);
void match_delete(match_book *b);

/* A new order. Returns its exchange order id (also in ACCEPTED), or 0 if
 * rejected (REJECTED says why). A MARKET order is always immediate (its
 * remainder expires; FOK is honoured). A GTC limit needs a level for its
 * price to be possible before matching: if none is free and its price has
 * no level yet it is rejected BOOK_FULL even if it would have filled. */
uint64_t match_submit(match_book *b, const match_new *o);

/* Cancel an open order; only its owner may. Returns MATCH_OK or the reason
 * (also in REJECTED). */
int match_cancel(match_book *b, uint32_t owner, uint64_t id);

/* Cancel-replace: new limit price and new total qty (> filled); the order
 * keeps its id and takes new_tag. Same price and qty not above the old one:
 * keeps its queue position. Same price and more qty: moves to the back of
 * its level. New price: leaves its level and arrives at the new one as an
 * incoming GTC order (it may match as the taker; STP and post-only apply as
 * for a new order). Returns MATCH_OK or the reason (also in REJECTED). */
int match_replace(match_book *b, uint32_t owner, uint64_t id, int64_t new_price, int64_t new_qty,
                  uint64_t new_tag);

/* Reduce an open order's total qty (filled < new_qty <= qty), keeping its
 * queue position: REPLACED then LEVEL. */
int match_amend_down(match_book *b, uint32_t owner, uint64_t id, int64_t new_qty);

/* The market agent: make its (owner 0) open quantity at this side and price
 * exactly qty (>= 0, on the lot). More: one new GTC order for the difference
 * at the back of the level (at a crossing price it trades first, as any
 * order). Less: its orders at that level shrink from the newest (back)
 * towards the front, each amended down (REPLACED) or canceled (CANCELED,
 * REQUESTED), so participants' queue positions only improve. */
int match_agent_level(match_book *b, int side, int64_t price, int64_t qty);

/* Cancel every open order of owner (CANCELED with MATCH_R_MASS, then
 * LEVEL, oldest first). Returns how many. */
uint32_t match_cancel_owner(match_book *b, uint32_t owner);

/* ---- queries (no events) ---- */
/* The best level of a side; false when the side is empty. */
bool match_best(const match_book *b, int side, int64_t *price, int64_t *qty);
/* Up to max levels of a side from the best; returns how many. */
uint32_t match_levels(const match_book *b, int side, match_level_info *out, uint32_t max);
/* The order at the front of a side's best level (the next one a taker
 * meets); false when the side is empty. */
bool match_front(const match_book *b, int side, match_order_info *out);
/* An open order; false if unknown or finished. */
bool match_order_get(const match_book *b, uint64_t id, match_order_info *out);
/* Calls fn for each open order of owner, oldest first; fn must not modify
 * the book. Returns how many. */
uint32_t match_owner_each(const match_book *b, uint32_t owner,
                          void (*fn)(void *ctx, const match_order_info *o), void *ctx);
uint32_t match_open_orders(const match_book *b); /* open orders, all owners */
uint64_t match_last_trade_id(const match_book *b);
uint64_t match_refreshes(const match_book *b); /* iceberg tranches shown again so far */
int64_t match_tick(const match_book *b);
int64_t match_lot(const match_book *b);

#endif

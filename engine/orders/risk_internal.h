/* Between the risk gate's files, which call one way: risk_setup.c (set-up,
 * restart seeding) -> risk.c (the stage: poll loop, request intake, the
 * checks, OMS feedback and marks) -> risk_control.c (the operator's
 * controls, the kill switch, publishing limits). Not a public
 * interface. Everything here runs on the risk stage's thread, except
 * set-up and seeding, which run before the threads start. */
#ifndef TF_ENGINE_RISK_INTERNAL_H
#define TF_ENGINE_RISK_INTERNAL_H

#include "engine/orders/risk.h"

#define TF__RISK_DAY_NS 86400000000000ull

/* Sanity bounds on any order: 10^12 quantity units (10 million BTC at 5
 * decimals) and 10^15 price units; one order's notional below 2^61 money.
 * The table's capacity (<= 2^22 orders) times the quantity bound fits int64. */
#define TF_RISK_MAX_QTY_UNITS 1000000000000ll
#define TF_RISK_MAX_PRICE_UNITS 1000000000000000ll
#define TF_RISK_MAX_MONEY ((__int128)1 << 61)

static inline int64_t tf__risk_abs(int64_t v) { return v < 0 ? -v : v; }
static inline int64_t tf__risk_max(int64_t a, int64_t b) { return a > b ? a : b; }

static inline const tf_instrument *tf__risk_ins(const tf_risk *r, uint32_t i)
{
    return &r->instruments->items[i];
}

/* ---- the shadow order table ------------------------------------------------ */

static inline tf_risk_order *tf__risk_find(tf_risk *r, uint64_t id)
{
    uint32_t idx;
    return tf_id_map_get(&r->ids, id, &idx) ? &r->orders[idx] : NULL;
}

static inline void tf__risk_reserve(tf_risk *r, tf_risk_order *o, int64_t reserved)
{
    int64_t d = reserved - o->reserved;
    tf_risk_expo *e = &r->expo[o->strategy][o->instrument], *t = &r->total[o->instrument];
    if (o->side == TF_BUY) {
        e->open_buy += d;
        t->open_buy += d;
    } else {
        e->open_sell += d;
        t->open_sell += d;
    }
    o->reserved = reserved;
}

static inline tf_risk_order *tf__risk_add(tf_risk *r, uint64_t id, uint32_t strategy, uint32_t ins, int side,
                                          int type, int64_t price, int64_t qty, int64_t cum)
{
    if (r->free_head == TF_RISK_NIL)
        return NULL;
    uint32_t idx = r->free_head;
    if (!tf_id_map_put(&r->ids, id, idx))
        return NULL;
    tf_risk_order *o = &r->orders[idx];
    r->free_head = o->next;
    *o = (tf_risk_order){.order_id = id, .strategy = strategy, .instrument = ins,
                         .side = (uint8_t)side, .type = (uint8_t)type, .price = price, .qty = qty,
                         .cum = cum, .prev = TF_RISK_NIL, .next = r->inst_head[ins]};
    if (o->next != TF_RISK_NIL)
        r->orders[o->next].prev = idx;
    r->inst_head[ins] = idx;
    r->open_count++;
    r->open_by_strategy[strategy]++;
    tf__risk_reserve(r, o, qty - cum);
    return o;
}

static inline void tf__risk_remove(tf_risk *r, tf_risk_order *o)
{
    uint32_t idx = (uint32_t)(o - r->orders);
    tf__risk_reserve(r, o, 0);
    if (o->prev != TF_RISK_NIL)
        r->orders[o->prev].next = o->next;
    else
        r->inst_head[o->instrument] = o->next;
    if (o->next != TF_RISK_NIL)
        r->orders[o->next].prev = o->prev;
    tf_id_map_del(&r->ids, o->order_id);
    r->open_count--;
    r->open_by_strategy[o->strategy]--;
    o->order_id = 0;
    o->next = r->free_head;
    r->free_head = idx;
}

/* ---- commands and status ----------------------------------------------------- */

static inline void tf__risk_cmd(tf_order_cmd *c, const struct tf_request *q, uint8_t kind)
{
    const tf_req_order *b = (const tf_req_order *)q->body;
    *c = (tf_order_cmd){.kind = kind, .req_type = (uint16_t)q->type, .strategy = q->source_id,
                        .client_req_id = q->client_seq, .t_request_ns = q->t_sent_ns};
    if (q->type == TF_REQ_NEW || q->type == TF_REQ_CANCEL || q->type == TF_REQ_REPLACE) {
        c->side = b->side;
        c->type = b->type;
        c->tif = b->tif;
        c->instrument = b->instrument;
        c->price = b->price;
        c->qty = b->qty;
        c->order_id = b->order_id;
        if (b->flags & TF_ORDF_ALGO_CHILD)
            c->display_qty = q->type == TF_REQ_NEW ? b->display_qty : 0; /* a child has no tick behind it */
        else
            c->t_md_ns = b->t_md_ns;
    }
}

static inline void tf__risk_publish(tf_risk *r, uint64_t now)
{
    if (!r->status_slot)
        return;
    tf_risk_status st = {.trading_state = r->trading_state, .kill_active = r->kill_active,
                         .kill_trigger = r->kill_trigger, .open_orders = r->open_count,
                         .kill_realtime_ns = r->kill_realtime_ns, .gross_exposure = r->gross,
                         .daily_pnl = r->daily_pnl, .accepted = r->accepted, .rejected = r->rejected,
                         .last_reject_reason = r->last_reason, .realized = r->realized,
                         .unrealized = r->unrealized};
    tf_state_write(r->status_slot, &st, sizeof st, now);
}

/* risk_exposure.c: the reference price of instrument i (fallback when
 * none yet); the worst-case absolute quantity of an exposure with buy/sell
 * more open; money of qty at px; the gross exposure of every instrument
 * but one; whether an order would reduce the strategy's position (counting
 * its open orders); the position, strategy, gross and concentration
 * limits with buy/sell more open. */
int64_t tf__risk_px(const tf_risk *r, uint32_t i, int64_t fallback);
int64_t tf__risk_worst(const tf_risk_expo *e, int64_t buy, int64_t sell);
int64_t tf__risk_money(const tf_risk *r, uint32_t i, int64_t px, int64_t qty);
int64_t tf__risk_gross_except(const tf_risk *r, uint32_t skip);
bool tf__risk_reduces(const tf_risk_expo *e, int side, int64_t qty);
tf_reject_reason tf__risk_check_exposure(tf_risk *r, uint32_t s, uint32_t i, int64_t px, int64_t buy, int64_t sell);

/* risk_algo.c: parent orders. The check and the action for the TF_REQ_ALGO_*
 * requests (apply returns false when the request makes no command); a
 * child's own check; a child's quantity moved out of its parent's hold
 * (give_back: back in, the child refused); a finished child's unfilled
 * quantity back to its parent; the kill switch stopping every parent. */
tf_reject_reason tf__risk_check_algo(tf_risk *r, uint32_t s, const struct tf_request *q, uint64_t now);
bool tf__risk_apply_algo(tf_risk *r, const struct tf_request *q, uint64_t now, tf_order_cmd *cmd);
tf_reject_reason tf__risk_check_child(tf_risk *r, uint32_t s, const tf_req_order *b);
void tf__risk_child_unhold(tf_risk *r, const tf_req_order *b, bool give_back);
void tf__risk_child_done(tf_risk *r, uint64_t parent_id, int64_t leaves);
void tf__risk_stop_parents(tf_risk *r);
static inline tf_risk_parent *tf__parent_slot_free(tf_risk *r)
{
    for (uint32_t k = 0; k < TF_RISK_MAX_PARENTS; k++)
        if (!r->parents[k].id)
            return &r->parents[k];
    return NULL;
}

/* risk.c: the stage's hooks (tf_risk_init installs them). */
int tf__risk_poll(tf_stage *self, uint64_t now);
int tf__risk_drain(tf_stage *self, uint64_t now);

/* risk_control.c: the operator's requests (TF_REQ_SET_LIMIT, TF_REQ_KILL,
 * TF_REQ_SET_STATE) from strategy `s`: the check, and acting on one that
 * passed (fills `cmd`). */
tf_reject_reason tf__risk_check_control(const tf_risk *r, uint32_t s, const struct tf_request *q);
void tf__risk_apply_control(tf_risk *r, const struct tf_request *q, uint64_t now, tf_order_cmd *cmd);

#endif

/* The risk gate's stage (see risk.h): the poll loop, request intake from
 * the rings, the checks, acting on what passes, the OMS's feedback and the
 * periodic marks. Set-up and seeding live in risk_setup.c (above this file),
 * the operator's controls in risk_control.c (below it). Called from the risk
 * stage's thread only. */
#include "engine/orders/risk_internal.h"

#include "engine/orders/position.h"
#include "shm/histogram.h"

TF_MPSC_PROTOTYPE(tf_request, tf_request)

#define TF__MARK_PERIOD_NS 10000000ull   /* re-mark positions every 10 ms */

/* ---- rate buckets: `rate` per second, a burst of one second's worth ------ */

static bool tf__rate_ok(tf_rate_bucket *b, uint32_t rate, uint64_t now)
{
    if (rate == 0)
        return true;
    uint64_t cap = (uint64_t)rate * 1000000000ull;
    if (b->last_ns == 0) {
        b->tokens = cap;
    } else if (now > b->last_ns) {
        uint64_t add = (now - b->last_ns) * rate;
        b->tokens = b->tokens + add > cap ? cap : b->tokens + add;
    }
    b->last_ns = now;
    return b->tokens >= 1000000000ull;
}

static void tf__rate_take(tf_rate_bucket *b, uint32_t rate)
{
    if (rate != 0 && b->tokens >= 1000000000ull)
        b->tokens -= 1000000000ull;
}

/* ---- the checks ------------------------------------------------------------- */

/* Would an order on `side` at `price` (any price for a market order) cross
 * one of the engine's own resting limit orders in instrument `i`? */
static bool tf__crosses_own(const tf_risk *r, uint32_t i, int side, int type, int64_t price)
{
    for (uint32_t k = r->inst_head[i]; k != TF_RISK_NIL; k = r->orders[k].next) {
        const tf_risk_order *o = &r->orders[k];
        if (o->side == side || o->type != TF_LIMIT)
            continue;
        if (type == TF_MARKET || (side == TF_BUY ? price >= o->price : price <= o->price))
            return true;
    }
    return false;
}

/* Price and size rules shared by NEW and REPLACE; `ref` out. */
static tf_reject_reason tf__check_terms(tf_risk *r, uint32_t s, uint32_t i, int type, int64_t price,
                                        int64_t qty, uint64_t now, int64_t *px_out)
{
    const tf_instrument *in = tf__risk_ins(r, i);
    const tf_risk_limits *l = &r->lim;
    /* Absurd numbers are refused before any arithmetic: with these bounds no
     * sum of open quantities or money figure can overflow. */
    if (qty <= 0 || qty > TF_RISK_MAX_QTY_UNITS || (type == TF_LIMIT && price <= 0) ||
        price > TF_RISK_MAX_PRICE_UNITS || price < 0)
        return TF_RJ_BAD_REQUEST;
    if (type == TF_LIMIT && in->max_price > 0 && price > in->max_price)
        return TF_RJ_PRICE_COLLAR;
    if (type == TF_LIMIT && in->tick_size > 0 && price % in->tick_size != 0)
        return TF_RJ_TICK_SIZE;
    if (in->lot_size > 0 && qty % in->lot_size != 0)
        return TF_RJ_LOT_SIZE;
    if (l->min_qty[i] && qty < l->min_qty[i])
        return TF_RJ_MIN_QTY;
    if (l->max_order_qty[i] && qty > l->max_order_qty[i])
        return TF_RJ_MAX_QTY;
    int64_t ref = tf_md_reference(&r->ref_slots[i], now, l->ref_max_age_ns);
    if (ref > 0)
        r->ref_px[i] = ref;
    if (type == TF_MARKET && ref == 0)
        return TF_RJ_NO_REFERENCE;
    if (type == TF_LIMIT && l->collar_bps[i]) {
        if (ref == 0)
            return TF_RJ_NO_REFERENCE;
        if ((__int128)tf__risk_abs(price - ref) * 10000 > (__int128)l->collar_bps[i] * ref)
            return TF_RJ_PRICE_COLLAR;
    }
    int64_t px = type == TF_LIMIT ? price : ref;
    /* price * qty < 2^90 by the bounds above: exact in 128 bits at any scale. */
    __int128 money = tf_money_notional_wide(px, qty, in->price_precision, in->qty_precision);
    if (money > TF_RISK_MAX_MONEY)
        return TF_RJ_MAX_NOTIONAL;
    int64_t notional = (int64_t)money;
    if (in->min_notional > 0 &&
        notional < tf_money_from_price_units(in->min_notional, in->price_precision))
        return TF_RJ_MIN_NOTIONAL;
    if ((l->max_order_notional[i] && notional > l->max_order_notional[i]) ||
        (l->s_max_order_notional[s] && notional > l->s_max_order_notional[s]))
        return TF_RJ_MAX_NOTIONAL;
    *px_out = px;
    return TF_RJ_NONE;
}

static tf_reject_reason tf__check_new(tf_risk *r, uint32_t s, const tf_req_order *b, uint64_t now)
{
    const tf_risk_limits *l = &r->lim;
    if (b->instrument >= r->instruments->count)
        return TF_RJ_UNKNOWN_INSTRUMENT;
    if (b->side > TF_SELL || b->type > TF_MARKET || b->tif > TF_FOK)
        return TF_RJ_BAD_REQUEST;
    uint32_t i = b->instrument;
    bool flatten = b->flags & TF_ORDF_FLATTEN;
    if (flatten && r->req_client)
        return TF_RJ_NOT_AUTHORIZED; /* the kill switch's own closing orders only */
    if (r->lim.closed[i] && !flatten)
        return TF_RJ_NOT_TRADABLE;
    if (r->trading_state == TF_TS_HALTED && !flatten)
        return TF_RJ_HALTED;
    if (r->strategy_blocked[s] && !flatten)
        return TF_RJ_DAILY_LOSS;
    if ((r->trading_state == TF_TS_REDUCING || (b->flags & (TF_ORDF_REDUCE_ONLY | TF_ORDF_FLATTEN))) &&
        !tf__risk_reduces(&r->expo[s][i], b->side, b->qty))
        return TF_RJ_REDUCE_ONLY;
    int64_t px = 0;
    tf_reject_reason rc = tf__check_terms(r, s, i, b->type, b->price, b->qty, now, &px);
    if (rc != TF_RJ_NONE)
        return rc;
    if ((l->max_open && r->open_count >= l->max_open) ||
        (l->s_max_open[s] && r->open_by_strategy[s] >= l->s_max_open[s]))
        return TF_RJ_MAX_OPEN_ORDERS;
    if (r->open_count >= r->capacity)
        return TF_RJ_TABLE_FULL;
    rc = tf__risk_check_exposure(r, s, i, px, b->side == TF_BUY ? b->qty : 0,
                            b->side == TF_SELL ? b->qty : 0);
    if (rc != TF_RJ_NONE)
        return rc;
    if (tf__crosses_own(r, i, b->side, b->type, b->price))
        return TF_RJ_SELF_TRADE;
    if (l->dup_count >= 2 && !flatten && !(b->flags & TF_ORDF_ALGO_CHILD)) { /* slices alike by design */
        uint32_t same = 0;
        for (uint32_t k = 0; k < TF_RISK_DUP_RING; k++) {
            const tf_risk_recent *d = &r->dup[k];
            same += d->t && now - d->t <= l->dup_window_ns && d->strategy == s && d->instrument == i &&
                    d->side == b->side && d->price == b->price && d->qty == b->qty;
        }
        if (same + 1 >= l->dup_count)
            return TF_RJ_DUPLICATE_ORDER;
    }
    if (!flatten) {
        if (!tf__rate_ok(&r->s_bucket[TF_RATE_ORDER][s], l->s_rate[TF_RATE_ORDER][s], now) ||
            !tf__rate_ok(&r->g_bucket[TF_RATE_ORDER], l->g_rate[TF_RATE_ORDER], now))
            return TF_RJ_ORDER_RATE;
    }
    return TF_RJ_NONE;
}

/* Cancel and replace: the order must be ours and open. */
static tf_reject_reason tf__check_amend(tf_risk *r, uint32_t s, const tf_req_order *b, bool replace,
                                        uint64_t now)
{
    const tf_risk_limits *l = &r->lim;
    tf_risk_order *o = tf__risk_find(r, b->order_id);
    if (!o || (s != 0 && o->strategy != s))
        return TF_RJ_UNKNOWN_ORDER;
    if (o->pending_cancel || o->pending_replace)
        return TF_RJ_ORDER_NOT_OPEN;
    int k = replace ? TF_RATE_REPLACE : TF_RATE_CANCEL;
    if (!replace) {
        /* Cancels always pass the trading state; the rate budget only while trading normally. */
        if (r->trading_state == TF_TS_ACTIVE && !r->kill_active &&
            (!tf__rate_ok(&r->s_bucket[k][s], l->s_rate[k][s], now) ||
             !tf__rate_ok(&r->g_bucket[k], l->g_rate[k], now)))
            return TF_RJ_CANCEL_RATE;
        return TF_RJ_NONE;
    }
    if (r->trading_state == TF_TS_HALTED)
        return TF_RJ_HALTED;
    if (o->type != TF_LIMIT || b->qty <= o->cum)
        return TF_RJ_BAD_REQUEST;
    if (r->trading_state == TF_TS_REDUCING && b->qty > o->qty)
        return TF_RJ_REDUCE_ONLY;
    int64_t px = 0;
    tf_reject_reason rc = tf__check_terms(r, o->strategy, o->instrument, TF_LIMIT, b->price, b->qty,
                                          now, &px);
    if (rc != TF_RJ_NONE)
        return rc;
    int64_t more = b->qty - o->qty > 0 ? b->qty - o->qty : 0;
    rc = tf__risk_check_exposure(r, o->strategy, o->instrument, px, o->side == TF_BUY ? more : 0,
                            o->side == TF_SELL ? more : 0);
    if (rc != TF_RJ_NONE)
        return rc;
    if (tf__crosses_own(r, o->instrument, o->side, TF_LIMIT, b->price))
        return TF_RJ_SELF_TRADE;
    if (!tf__rate_ok(&r->s_bucket[k][s], l->s_rate[k][s], now) ||
        !tf__rate_ok(&r->g_bucket[k], l->g_rate[k], now))
        return TF_RJ_REPLACE_RATE;
    return TF_RJ_NONE;
}

tf_reject_reason tf_risk_check(tf_risk *r, const struct tf_request *q, uint64_t now)
{
    uint32_t s = q->source_id;
    if (s >= TF_MAX_STRATEGIES || !r->strategy_known[s])
        return TF_RJ_UNKNOWN_STRATEGY;
    if (q->client_seq <= (r->req_window ? *r->req_window : r->last_req_id[s]))
        return TF_RJ_DUPLICATE_REQUEST;
    const tf_req_order *b = (const tf_req_order *)q->body;
    switch (q->type) {
    case TF_REQ_NEW:
        if (b->flags & TF_ORDF_ALGO_CHILD) {
            /* A parent's child: checked as an order, with the parent's
             * hold on its quantity let go for the check (the child holds
             * it instead once accepted). */
            tf_reject_reason rc = tf__risk_check_child(r, s, b);
            if (rc != TF_RJ_NONE)
                return rc;
            tf__risk_child_unhold(r, b, false);
            rc = tf__check_new(r, s, b, now);
            tf__risk_child_unhold(r, b, true);
            return rc;
        }
        return tf__check_new(r, s, b, now);
    case TF_REQ_CANCEL: return tf__check_amend(r, s, b, false, now);
    case TF_REQ_REPLACE: return tf__check_amend(r, s, b, true, now);
    case TF_REQ_CANCEL_ALL: return TF_RJ_NONE;
    case TF_REQ_SET_LIMIT:
    case TF_REQ_KILL:
    case TF_REQ_SET_STATE:
    case TF_REQ_RESOLVE:
    case TF_REQ_SESSION_RESET: return tf__risk_check_control(r, s, q);
    case TF_REQ_ALGO_PARAMS:
    case TF_REQ_ALGO_NEW:
    case TF_REQ_ALGO_CONTROL:
    case TF_REQ_ALGO_REPORT: return tf__risk_check_algo(r, s, q, now);
    default: return TF_RJ_BAD_REQUEST;
    }
}

/* ---- acting on a request ---------------------------------------------------- */

static void tf__reject(tf_risk *r, tf_reject_reason why, const struct tf_request *q, tf_order_cmd *cmd)
{
    tf__risk_cmd(cmd, q, TF_CMD_REJECT);
    cmd->reason = (uint16_t)why;
    r->rejected++;
    r->last_reason = why;
    if (r->c_rejects[why])
        tf_counter_inc(r->c_rejects[why], 1);
}

bool tf_risk_handle(tf_risk *r, const struct tf_request *q, uint64_t now, tf_order_cmd *cmd)
{
    if (r->c_requests)
        tf_counter_inc(r->c_requests, 1);
    if (q->type == TF_REQ_PING) {
        if (r->c_pings)
            tf_counter_inc(r->c_pings, 1);
        return false;
    }
    uint64_t t0 = r->h_check ? tf_now_ns() : 0;
    if (r->h_wait && t0 >= q->t_sent_ns && q->t_sent_ns) /* a client's stamp: its clock is ours (monotonic) */
        tf_hist_record(r->h_wait, t0 - q->t_sent_ns);
    tf_reject_reason why = tf_risk_check(r, q, now);
    if (r->h_check)
        tf_hist_record(r->h_check, tf_now_ns() - t0);
    /* Only an accepted request moves the window: a refused one (an unknown
     * type, a huge id) cannot make every later request a duplicate. */
    if (why == TF_RJ_NONE) {
        if (r->req_window)
            *r->req_window = q->client_seq;
        if (q->client_seq > r->last_req_id[q->source_id] && !r->req_algo) /* the algo stage's ids are its own */
            r->last_req_id[q->source_id] = q->client_seq;
    }
    if (why != TF_RJ_NONE) {
        tf__reject(r, why, q, cmd);
        return true;
    }
    uint32_t s = q->source_id;
    const tf_req_order *b = (const tf_req_order *)q->body;
    switch (q->type) {
    case TF_REQ_NEW: {
        uint64_t id = r->next_order_id;
        int64_t px = b->type == TF_LIMIT ? b->price : tf__risk_px(r, b->instrument, 0);
        if (!tf__risk_add(r, id, s, b->instrument, b->side, b->type, px, b->qty, 0)) {
            tf__reject(r, TF_RJ_TABLE_FULL, q, cmd);
            return true;
        }
        r->next_order_id++;
        if (b->flags & TF_ORDF_ALGO_CHILD) {
            tf_risk_order *o = tf__risk_find(r, id);
            o->parent_id = b->order_id;
            tf__risk_child_unhold(r, b, false); /* the child holds its quantity now */
        }
        if (!(b->flags & TF_ORDF_FLATTEN)) {
            tf__rate_take(&r->s_bucket[TF_RATE_ORDER][s], r->lim.s_rate[TF_RATE_ORDER][s]);
            tf__rate_take(&r->g_bucket[TF_RATE_ORDER], r->lim.g_rate[TF_RATE_ORDER]);
        }
        tf_risk_recent *d = &r->dup[r->dup_next++ % TF_RISK_DUP_RING];
        d->t = now;
        d->price = b->price;
        d->qty = b->qty;
        d->strategy = s;
        d->instrument = b->instrument;
        d->side = b->side;
        tf__risk_cmd(cmd, q, TF_CMD_NEW);
        cmd->order_id = id;
        cmd->arg = b->flags;
        cmd->parent_id = b->flags & TF_ORDF_ALGO_CHILD ? b->order_id : 0;
        break;
    }
    case TF_REQ_CANCEL: {
        tf_risk_order *o = tf__risk_find(r, b->order_id);
        o->pending_cancel = 1;
        if (r->trading_state == TF_TS_ACTIVE && !r->kill_active) {
            tf__rate_take(&r->s_bucket[TF_RATE_CANCEL][s], r->lim.s_rate[TF_RATE_CANCEL][s]);
            tf__rate_take(&r->g_bucket[TF_RATE_CANCEL], r->lim.g_rate[TF_RATE_CANCEL]);
        }
        tf__risk_cmd(cmd, q, TF_CMD_CANCEL);
        cmd->instrument = o->instrument;
        break;
    }
    case TF_REQ_REPLACE: {
        tf_risk_order *o = tf__risk_find(r, b->order_id);
        o->pending_replace = 1;
        o->replace_qty = b->qty;
        /* Until the venue answers, either the old or the new terms may trade. */
        tf__risk_reserve(r, o, tf__risk_max(o->reserved, b->qty - o->cum));
        tf__rate_take(&r->s_bucket[TF_RATE_REPLACE][s], r->lim.s_rate[TF_RATE_REPLACE][s]);
        tf__rate_take(&r->g_bucket[TF_RATE_REPLACE], r->lim.g_rate[TF_RATE_REPLACE]);
        tf__risk_cmd(cmd, q, TF_CMD_REPLACE);
        cmd->instrument = o->instrument;
        cmd->side = o->side;
        break;
    }
    case TF_REQ_CANCEL_ALL:
        tf__risk_cmd(cmd, q, TF_CMD_CANCEL_ALL);
        cmd->arg = s; /* the operator (0) cancels everything */
        break;
    case TF_REQ_SET_LIMIT:
    case TF_REQ_KILL:
    case TF_REQ_SET_STATE:
    case TF_REQ_RESOLVE:
    case TF_REQ_SESSION_RESET:
        tf__risk_apply_control(r, q, now, cmd);
        break;
    case TF_REQ_ALGO_PARAMS:
    case TF_REQ_ALGO_NEW:
    case TF_REQ_ALGO_CONTROL:
    case TF_REQ_ALGO_REPORT:
        if (!tf__risk_apply_algo(r, q, now, cmd))
            return false;
        break;
    }
    r->accepted++;
    if (r->c_accepted)
        tf_counter_inc(r->c_accepted, 1);
    if (q->type >= TF_REQ_SET_LIMIT)
        tf__risk_publish(r, now); /* control changes show at once */
    return true;
}

/* ---- feedback from the OMS -------------------------------------------------- */

void tf_risk_on_feedback(tf_risk *r, const tf_risk_feedback *fb)
{
    tf_risk_order *o = tf__risk_find(r, fb->order_id);
    if (fb->kind == TF_EX_REJECT && fb->reason < TF_RJ_REASON_COUNT && r->c_rejects[fb->reason])
        tf_counter_inc(r->c_rejects[fb->reason], 1); /* refused after the gate: the venue, or the OMS's table */
    if (fb->kind == TF_EX_OUT_OF_BAND_FILL) {
        /* The venue's fill for an order finished here: the exposure follows
         * the venue. A risk event: by configuration it trips the kill switch. */
        o = NULL;
        if (r->kill_on_out_of_band_fill)
            r->out_of_band_kill_pending = true;
    }
    if ((fb->kind == TF_EX_FILL || fb->kind == TF_EX_OUT_OF_BAND_FILL) && fb->last_qty > 0 &&
        fb->instrument < r->instruments->count && fb->strategy < TF_MAX_STRATEGIES) {
        uint32_t s = o ? o->strategy : fb->strategy, i = fb->instrument;
        const tf_instrument *in = tf__risk_ins(r, i);
        tf_position_fill(&r->expo[s][i].pos, fb->side, fb->last_px, fb->last_qty, fb->fee,
                         in->price_precision, in->qty_precision);
        tf_position_fill(&r->total[i].pos, fb->side, fb->last_px, fb->last_qty, fb->fee,
                         in->price_precision, in->qty_precision);
        if (o)
            o->cum += fb->last_qty;
    }
    if (!o)
        return;
    if (fb->done) {
        if (o->parent_id)
            tf__risk_child_done(r, o->parent_id, o->reserved); /* unfilled: the parent's to release again */
        tf__risk_remove(r, o);
        return;
    }
    if (fb->kind == TF_EX_REPLACED || fb->kind == TF_EX_CANCEL_REJECT) {
        o->pending_replace = 0;
        o->pending_cancel = 0;
        o->price = fb->price;
        o->qty = o->cum + fb->leaves;
    }
    int64_t want = fb->leaves;
    if (o->pending_replace)
        want = tf__risk_max(want, o->replace_qty - o->cum);
    tf__risk_reserve(r, o, want < 0 ? 0 : want);
}

/* ---- marks, daily loss ------------------------------------------------------ */

bool tf_risk_mark(tf_risk *r, uint64_t now, tf_order_cmd *cmd)
{
    uint64_t day = tf_realtime_ns() / TF__RISK_DAY_NS;
    bool new_day = day != r->day_index;
    r->day_index = day;
    int64_t realized = 0, unrealized = 0, gross = 0, day_pnl = 0;
    int64_t s_pnl[TF_MAX_STRATEGIES] = {0};
    for (uint32_t i = 0; i < r->instruments->count; i++) {
        const tf_instrument *in = tf__risk_ins(r, i);
        int64_t ref = tf_md_reference(&r->ref_slots[i], now, r->lim.ref_max_age_ns);
        if (ref > 0)
            r->ref_px[i] = ref;
        for (uint32_t s = 0; s < TF_MAX_STRATEGIES; s++) {
            if (!r->strategy_known[s])
                continue;
            tf_risk_expo *e = &r->expo[s][i];
            tf_position_mark(&e->pos, r->ref_px[i], in->price_precision, in->qty_precision);
            if (new_day)
                e->day_base = e->pos.realized;
            s_pnl[s] += e->pos.realized - e->day_base + e->pos.unrealized;
        }
        tf_risk_expo *t = &r->total[i];
        tf_position_mark(&t->pos, r->ref_px[i], in->price_precision, in->qty_precision);
        if (new_day)
            t->day_base = t->pos.realized;
        realized += t->pos.realized;
        unrealized += t->pos.unrealized;
        day_pnl += t->pos.realized - t->day_base + t->pos.unrealized;
        gross += tf__risk_money(r, i, tf__risk_px(r, i, 0), tf__risk_worst(t, 0, 0));
    }
    r->realized = realized;
    r->unrealized = unrealized;
    r->daily_pnl = day_pnl;
    r->gross = gross;
    tf__risk_publish(r, now);
    if (r->lim.daily_loss && day_pnl < -r->lim.daily_loss && !r->kill_active) {
        tf_risk_kill(r, TF_KILL_DAILY_LOSS, now, cmd);
        return true;
    }
    for (uint32_t s = 1; s < TF_MAX_STRATEGIES; s++) {
        if (r->strategy_known[s] && r->lim.s_daily_loss[s] && !r->strategy_blocked[s] &&
            s_pnl[s] < -r->lim.s_daily_loss[s]) {
            /* This strategy alone stops: its orders canceled, new ones refused. */
            r->strategy_blocked[s] = true;
            *cmd = (tf_order_cmd){.kind = TF_CMD_CANCEL_ALL, .req_type = TF_REQ_CANCEL_ALL,
                                  .strategy = s, .arg = s, .reason = TF_RJ_DAILY_LOSS,
                                  .t_request_ns = now};
            return true;
        }
    }
    return false;
}

/* ---- the stage -------------------------------------------------------------- */

static bool tf__outbox_full(const tf_risk *r) { return r->out_tail - r->out_head >= TF_RISK_OUTBOX; }

static tf_order_cmd *tf__outbox_slot(tf_risk *r) { return &r->outbox[r->out_tail % TF_RISK_OUTBOX]; }

static uint32_t tf__flush(tf_risk *r)
{
    uint32_t n = 0;
    while (r->out_head != r->out_tail) {
        if (!tf_spsc_offer(r->out, &r->outbox[r->out_head % TF_RISK_OUTBOX], sizeof(tf_order_cmd))) {
            if (r->c_backpressure)
                tf_counter_inc(r->c_backpressure, 1);
            break;
        }
        r->out_head++;
        n++;
    }
    return n;
}

/* After a kill: reduce-only market orders closing every strategy's position. */
static void tf__flatten(tf_risk *r, uint64_t now)
{
    for (uint32_t i = 0; i < r->instruments->count; i++)
        for (uint32_t s = 0; s < TF_MAX_STRATEGIES; s++) {
            int64_t q = r->expo[s][i].pos.qty;
            if (!r->strategy_known[s] || q == 0 || tf__outbox_full(r))
                continue;
            struct tf_request req = {.type = TF_REQ_NEW, .source_id = s,
                                     .client_seq = r->last_req_id[s] + 1, .t_sent_ns = now};
            tf_req_order *b = (tf_req_order *)req.body;
            *b = (tf_req_order){.instrument = i, .side = q > 0 ? TF_SELL : TF_BUY, .type = TF_MARKET,
                                .tif = TF_IOC, .flags = TF_ORDF_FLATTEN | TF_ORDF_REDUCE_ONLY,
                                .qty = q > 0 ? q : -q};
            if (tf_risk_handle(r, &req, now, tf__outbox_slot(r)))
                r->out_tail++;
        }
}

static void tf__kill_now(tf_risk *r, uint32_t trigger, uint64_t now)
{
    tf_risk_kill(r, trigger, now, tf__outbox_slot(r));
    r->out_tail++;
}

int tf__risk_poll(tf_stage *self, uint64_t now)
{
    tf_risk *r = self->ctx;
    int work = 0;
    tf_risk_feedback fb;
    for (int n = 0; n < 256 && tf_spsc_poll(r->feedback, &fb, sizeof fb); n++, work++)
        tf_risk_on_feedback(r, &fb);
    work += (int)tf__flush(r);
    if (r->out_head != r->out_tail)
        return work; /* the OMS is behind: take no more requests */
    if (r->algo_kill_pending)
        tf__risk_stop_parents(r);
    if (r->kill_flag && tf_load_32(r->kill_flag) && !r->kill_active)
        tf__kill_now(r, TF_KILL_STAGE_FAILURE, now);
    if (r->out_of_band_kill_pending && r->out_head == r->out_tail) {
        r->out_of_band_kill_pending = false;
        if (!r->kill_active)
            tf__kill_now(r, TF_KILL_OUT_OF_BAND_FILL, now);
    }
    if (now >= r->next_mark_ns) {
        r->next_mark_ns = now + TF__MARK_PERIOD_NS;
        if (r->door && r->g_door_lanes) { /* the door thread's counts, shown under the gate's name */
            tf_store_64(r->g_door_lanes, tf_door_lanes_open(r->door));
            tf_store_64(r->c_door_granted, tf_load_64(&r->door->granted));
            tf_store_64(r->c_door_refused, tf_load_64(&r->door->refused));
            tf_store_64(r->c_door_corrupt, r->door->corrupt);
        }
        if (tf_risk_mark(r, now, tf__outbox_slot(r))) {
            r->out_tail++;
        }
    }
    struct tf_request q;
    for (int n = 0; n < 64 && r->out_tail - r->out_head < TF_RISK_OUTBOX / 2; n++) {
        /* The in-engine strategy first (lowest tick-to-trade), then the
         * clients' lanes round-robin, then the shared MPSC ring. */
        tf_door_lane *lane = NULL;
        r->req_window = NULL;
        r->req_operator = r->req_client = r->req_algo = false;
        if (r->strat_in && tf_spsc_poll(r->strat_in, &q, sizeof q)) {
            /* the in-engine strategy: the host stamped its id */
        } else if (r->algo_in && tf_spsc_poll(r->algo_in, &q, sizeof q)) {
            r->req_algo = true; /* the algo stage: its parent's strategy stamped, its own id window */
            r->req_window = &r->algo_req_window;
        } else if (r->door && tf_door_poll(r->door, &q, &lane)) {
            q.source_id = lane->strategy; /* the door's word, never the record's */
            if (q.type == TF_REQ_RESOLVE || q.type == TF_REQ_SESSION_RESET) { /* who did it: the kernel's uid */
                uint32_t uid = lane->uid;
                memcpy(q.body + offsetof(tf_req_resolve, uid), &uid, sizeof uid);
            }
            r->req_window = &lane->last_req;
            r->req_operator = lane->operator_;
            r->req_client = true;
        } else if ((r->lanes && tf_lanes_poll(r->lanes, &q, sizeof q)) ||
                   (r->requests && tf_mpsc_poll_tf_request(r->requests, &q))) {
            r->req_operator = q.source_id == 0; /* test harnesses: the record's word */
            r->req_client = true;
        } else {
            break;
        }
        work++;
        tf_order_cmd *c = tf__outbox_slot(r);
        if (!tf_risk_handle(r, &q, now, c))
            continue;
        if (r->req_client)
            c->t_md_ns = 0; /* the tick behind an order is the engine's stamp: a client's record claims none */
        if (r->h_wait)
            c->t_passed_ns = tf_now_ns();
        r->out_tail++;
    }
    /* Flatten after the kill's cancels are confirmed: the closing orders
     * must not meet our own resting ones. */
    if (r->flatten_pending && r->open_count == 0 && r->kill_active &&
        r->out_tail - r->out_head < TF_RISK_OUTBOX / 2) {
        r->flatten_pending = false;
        tf__flatten(r, now);
    }
    work += (int)tf__flush(r);
    return work;
}

int tf__risk_drain(tf_stage *self, uint64_t now)
{
    return tf__risk_poll(self, now);
}

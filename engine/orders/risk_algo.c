/* The risk gate's side of parent orders (shm/parents.h): a parent is
 * checked at once (its parameters by the algorithm's own rules, its whole
 * quantity against the exposure limits at its worst case) and held in the
 * gate's view from acceptance; each child the algo stage releases is
 * checked again as an order and takes its quantity out of the parent's
 * hold, and what a child leaves unfilled goes back to it; a finished
 * parent lets go of the rest. Controls are checked (whose parent, or an
 * operator) and passed on; the kill switch stops every parent. */
#include <string.h>

#include "engine/orders/risk_internal.h"
#include "lib/algo/algo.h"
#include "shm/common.h"
#include "shm/err.h"

static tf_risk_parent *tf__parent_find(tf_risk *r, uint64_t id)
{
    for (uint32_t k = 0; id && k < TF_RISK_MAX_PARENTS; k++)
        if (r->parents[k].id == id)
            return &r->parents[k];
    return NULL;
}

/* Hold `reserved` of the parent's quantity against its strategy's and the
 * instrument's open exposure. */
static void tf__parent_reserve(tf_risk *r, tf_risk_parent *p, int64_t reserved)
{
    int64_t d = reserved - p->reserved;
    tf_risk_expo *e = &r->expo[p->strategy][p->instrument], *t = &r->total[p->instrument];
    if (p->side == TF_BUY) {
        e->open_buy += d;
        t->open_buy += d;
    } else {
        e->open_sell += d;
        t->open_sell += d;
    }
    p->reserved = reserved;
}

/* The parent's parameters: the NEW's body, the PARAMS staged just before it. */
static void tf__parent_params(const tf_risk *r, uint32_t s, const struct tf_request *q, tf_algo_params *p)
{
    bool staged = r->algo_staged_seq[s] && r->algo_staged_seq[s] + 1 == q->client_seq;
    tf_algo_params_join(p, (const tf_req_algo *)q->body, staged ? &r->algo_staged[s] : NULL);
    if (!p->start_ns)
        p->start_ns = tf_realtime_ns();
    p->seed = q->client_seq;
}

static tf_reject_reason tf__check_algo_new(tf_risk *r, uint32_t s, const struct tf_request *q, uint64_t now)
{
    const tf_req_algo *b = (const tf_req_algo *)q->body;
    if (!r->algo_out)
        return TF_RJ_NO_ALGO_STAGE;
    if (b->instrument >= r->instruments->count)
        return TF_RJ_UNKNOWN_INSTRUMENT;
    if (b->side > TF_SELL || b->qty <= 0 || b->qty > TF_RISK_MAX_QTY_UNITS || b->limit_price < 0 ||
        b->limit_price > TF_RISK_MAX_PRICE_UNITS)
        return TF_RJ_BAD_REQUEST;
    uint32_t i = b->instrument;
    if (r->lim.closed[i])
        return TF_RJ_NOT_TRADABLE;
    if (r->trading_state == TF_TS_HALTED)
        return TF_RJ_HALTED;
    if (r->strategy_blocked[s])
        return TF_RJ_DAILY_LOSS;
    if (r->trading_state == TF_TS_REDUCING && !tf__risk_reduces(&r->expo[s][i], b->side, b->qty))
        return TF_RJ_REDUCE_ONLY;
    tf_algo_params p;
    tf__parent_params(r, s, q, &p);
    const tf_instrument *in = tf__risk_ins(r, i);
    tf_algo_instrument ai = {.lot_size = in->lot_size, .tick_size = in->tick_size,
                             .min_qty = r->lim.min_qty[i] > in->lot_size ? r->lim.min_qty[i] : in->lot_size};
    char why[128];
    if (tf_algo_check(&p, &ai, tf_realtime_ns(), why, sizeof why) != 0) {
        if (r->stage && r->stage->errors)
            tf_stage_error(r->stage, TF_E_ALGO_REFUSED, q->client_seq, why, now);
        return TF_RJ_BAD_ALGO_PARAMS;
    }
    int64_t ref = tf_md_reference(&r->ref_slots[i], now, r->lim.ref_max_age_ns);
    if (ref > 0)
        r->ref_px[i] = ref;
    int64_t px = b->limit_price ? b->limit_price : r->ref_px[i];
    if (px <= 0)
        return TF_RJ_NO_REFERENCE; /* no limit and no price yet: its exposure cannot be valued */
    tf_reject_reason rc = tf__risk_check_exposure(r, s, i, px, b->side == TF_BUY ? b->qty : 0,
                                                  b->side == TF_SELL ? b->qty : 0);
    if (rc != TF_RJ_NONE)
        return rc;
    if (!tf__parent_slot_free(r))
        return TF_RJ_TABLE_FULL;
    if (!tf_spsc_can_offer(r->algo_out))
        return TF_RJ_TABLE_FULL; /* the algo stage is behind */
    return TF_RJ_NONE;
}

static tf_reject_reason tf__check_algo_control(tf_risk *r, uint32_t s, const struct tf_request *q)
{
    const tf_req_algo_control *b = (const tf_req_algo_control *)q->body;
    if (!r->algo_out)
        return TF_RJ_NO_ALGO_STAGE;
    if (b->action < TF_ALGO_ACT_PAUSE || b->action >= TF_ALGO_ACT_END)
        return TF_RJ_BAD_REQUEST;
    const tf_risk_parent *p = tf__parent_find(r, b->parent_id);
    if (!p)
        return TF_RJ_UNKNOWN_ORDER;
    if (p->strategy != s && !r->req_operator)
        return TF_RJ_UNKNOWN_ORDER; /* another strategy's parent: as if it did not exist */
    if (b->action == TF_ALGO_ACT_AMEND && (b->qty < 0 || b->qty > TF_RISK_MAX_QTY_UNITS || b->limit_price < 0 ||
                                           b->limit_price > TF_RISK_MAX_PRICE_UNITS))
        return TF_RJ_BAD_REQUEST; /* bounded before any sum of quantities */
    int64_t more = b->action == TF_ALGO_ACT_AMEND && b->qty > p->qty ? b->qty - p->qty : 0;
    if (more) { /* a larger parent is checked for what it adds */
        tf_reject_reason rc = tf__risk_check_exposure(r, p->strategy, p->instrument, p->px,
                                                      p->side == TF_BUY ? more : 0, p->side == TF_SELL ? more : 0);
        if (rc != TF_RJ_NONE)
            return rc;
    }
    if (!tf_spsc_can_offer(r->algo_out))
        return TF_RJ_TABLE_FULL;
    return TF_RJ_NONE;
}

tf_reject_reason tf__risk_check_algo(tf_risk *r, uint32_t s, const struct tf_request *q, uint64_t now)
{
    switch (q->type) {
    case TF_REQ_ALGO_PARAMS:
        return TF_RJ_NONE;
    case TF_REQ_ALGO_NEW:
        return tf__check_algo_new(r, s, q, now);
    case TF_REQ_ALGO_CONTROL:
        return tf__check_algo_control(r, s, q);
    case TF_REQ_ALGO_REPORT: {
        if (!r->req_algo)
            return TF_RJ_NOT_AUTHORIZED; /* the algo stage's word only */
        const tf_req_algo_report *b = (const tf_req_algo_report *)q->body;
        const tf_risk_parent *p = tf__parent_find(r, b->parent_id);
        return p && b->state < TF_ALGO_STATE_END ? TF_RJ_NONE : TF_RJ_UNKNOWN_ORDER;
    }
    default:
        return TF_RJ_BAD_REQUEST;
    }
}

/* A child (TF_ORDF_ALGO_CHILD from the algo stage): its parent must be
 * live and match it, and the child no larger than the parent's hold. */
tf_reject_reason tf__risk_check_child(tf_risk *r, uint32_t s, const tf_req_order *b)
{
    if (!r->req_algo)
        return TF_RJ_NOT_AUTHORIZED;
    const tf_risk_parent *p = tf__parent_find(r, b->order_id);
    if (!p || p->strategy != s || p->instrument != b->instrument || p->side != b->side)
        return TF_RJ_UNKNOWN_ORDER;
    if (b->qty > p->reserved)
        return TF_RJ_BAD_REQUEST; /* the algo stage never asks for more than is left */
    /* A native iceberg's display: a part of the child, in whole lots, on a
     * limit order (a market order has nothing to show). */
    const tf_instrument *in = tf__risk_ins(r, b->instrument);
    if (b->display_qty < 0 || b->display_qty >= b->qty ||
        (b->display_qty && (b->type != TF_LIMIT || (in->lot_size > 0 && b->display_qty % in->lot_size != 0))))
        return TF_RJ_BAD_REQUEST;
    return TF_RJ_NONE;
}

/* Around a child's exposure check: the parent's hold on the child's
 * quantity is let go first (the child holds it as an order instead), and
 * taken back when the child is refused. */
void tf__risk_child_unhold(tf_risk *r, const tf_req_order *b, bool give_back)
{
    tf_risk_parent *p = tf__parent_find(r, b->order_id);
    if (p)
        tf__parent_reserve(r, p, p->reserved + (give_back ? b->qty : -b->qty));
}

void tf__risk_child_done(tf_risk *r, uint64_t parent_id, int64_t leaves)
{
    tf_risk_parent *p = tf__parent_find(r, parent_id);
    if (p && leaves > 0)
        tf__parent_reserve(r, p, p->reserved + leaves);
}

static void tf__parent_cmd(tf_order_cmd *c, const struct tf_request *q, uint16_t event, const tf_risk_parent *p)
{
    *c = (tf_order_cmd){.kind = TF_CMD_PARENT, .reason = event, .req_type = (uint16_t)q->type,
                        .strategy = p->strategy, .instrument = p->instrument, .side = p->side,
                        .order_id = p->id, .client_req_id = q->client_seq, .t_request_ns = q->t_sent_ns};
}

bool tf__risk_apply_algo(tf_risk *r, const struct tf_request *q, uint64_t now, tf_order_cmd *cmd)
{
    (void)now;
    uint32_t s = q->source_id;
    switch (q->type) {
    case TF_REQ_ALGO_PARAMS:
        memcpy(&r->algo_staged[s], q->body, sizeof r->algo_staged[s]);
        r->algo_staged_seq[s] = q->client_seq;
        return false; /* answered with the NEW it belongs to */
    case TF_REQ_ALGO_NEW: {
        tf_risk_parent *p = tf__parent_slot_free(r);
        tf_algo_cmd a = {.action = TF_ALGO_ACT_START, .strategy = s, .parent_id = r->next_order_id++,
                         .client_req_id = q->client_seq, .t_request_ns = q->t_sent_ns};
        tf__parent_params(r, s, q, &a.params);
        *p = (tf_risk_parent){.id = a.parent_id, .strategy = s, .instrument = a.params.instrument,
                              .side = a.params.side, .qty = a.params.qty,
                              .px = a.params.limit_price ? a.params.limit_price : r->ref_px[a.params.instrument]};
        tf__parent_reserve(r, p, a.params.qty);
        tf_spsc_offer(r->algo_out, &a, sizeof a); /* room checked */
        tf__parent_cmd(cmd, q, TF_EV_PARENT_ACCEPTED, p);
        cmd->tif = a.params.kind;
        cmd->price = a.params.limit_price;
        cmd->qty = a.params.qty;
        return true;
    }
    case TF_REQ_ALGO_CONTROL: {
        const tf_req_algo_control *b = (const tf_req_algo_control *)q->body;
        tf_risk_parent *p = tf__parent_find(r, b->parent_id);
        tf_algo_cmd a = {.action = (uint8_t)b->action, .strategy = p->strategy, .parent_id = p->id,
                         .client_req_id = q->client_seq, .t_request_ns = q->t_sent_ns};
        if (b->action == TF_ALGO_ACT_AMEND) {
            a.params.qty = b->qty;
            a.params.limit_price = b->limit_price;
            a.params.end_ns = b->end_ns;
            if (b->qty > p->qty) { /* more to do: hold it now; less: let go when the parent ends */
                tf__parent_reserve(r, p, p->reserved + (b->qty - p->qty));
                p->qty = b->qty;
            }
        }
        tf_spsc_offer(r->algo_out, &a, sizeof a);
        tf__parent_cmd(cmd, q, TF_EV_PARENT_CONTROL, p);
        cmd->strategy = s; /* answered to who asked (an operator may steer any parent) */
        cmd->tif = (uint8_t)b->action;
        cmd->price = b->limit_price;
        cmd->qty = b->qty;
        cmd->arg = (int64_t)b->end_ns;
        return true;
    }
    case TF_REQ_ALGO_REPORT: {
        const tf_req_algo_report *b = (const tf_req_algo_report *)q->body;
        tf_risk_parent *p = tf__parent_find(r, b->parent_id);
        tf__parent_cmd(cmd, q, TF_EV_PARENT_STATE, p);
        cmd->client_req_id = 0; /* the engine's report, not a client's request */
        cmd->tif = (uint8_t)b->state;
        cmd->qty = b->filled;
        cmd->price = b->avg_px;
        cmd->arg = b->slippage_mbp;
        if (b->state == TF_ALGO_DONE || b->state == TF_ALGO_STOPPED || b->state == TF_ALGO_CANCELED) {
            tf__parent_reserve(r, p, 0); /* nothing more will be released */
            p->id = 0;
        }
        return true;
    }
    default:
        return false;
    }
}

void tf__risk_stop_parents(tf_risk *r)
{
    if (!r->algo_out)
        return;
    tf_algo_cmd a = {.action = TF_ALGO_ACT_CANCEL, .parent_id = 0}; /* 0: every parent */
    r->algo_kill_pending = !tf_spsc_offer(r->algo_out, &a, sizeof a);
}

int tf_risk_seed_parent(tf_risk *r, uint64_t id, uint32_t strategy, uint32_t instrument, int side, int64_t qty,
                        int64_t px, int64_t reserved)
{
    tf_risk_parent *p = tf__parent_slot_free(r);
    if (!p || strategy >= TF_MAX_STRATEGIES || instrument >= r->instruments->count)
        return TF_ERR("risk: no room for parent %llu at restart", (unsigned long long)id);
    *p = (tf_risk_parent){.id = id, .strategy = strategy, .instrument = instrument, .side = (uint8_t)side,
                          .qty = qty, .px = px};
    tf__parent_reserve(r, p, reserved > 0 ? reserved : 0);
    return 0;
}

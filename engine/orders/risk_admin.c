/* The risk gate's administration (see risk.h): set-up (the shadow table,
 * limits from the config, counters, the stage's hooks), restart seeding,
 * publishing the limits, and the operator's controls — limit changes, the
 * kill switch, the trading state. Set-up and seeding run on the main
 * thread before the stages start; the controls and tf_risk_kill() on the
 * risk stage's thread, called from risk.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/orders/position.h"
#include "engine/orders/risk_internal.h"
#include "shm/err.h"

void tf_risk_publish_limits(tf_risk *r, tf_limits_slot *slot)
{
    if (slot)
        r->limits_slot = slot;
    tf_risk_limits_publish(r->limits_slot, &r->lim);
}

/* ---- the operator's controls ------------------------------------------------ */

void tf_risk_kill(tf_risk *r, uint32_t trigger, uint64_t now, tf_order_cmd *cmd)
{
    r->trading_state = TF_TS_HALTED;
    r->kill_active = true;
    r->kill_trigger = trigger;
    r->kill_realtime_ns = tf_realtime_ns();
    r->flatten_pending = r->flatten_on_kill; /* risk.flatten_on_kill: every kill flattens */
    if (r->c_kills)
        tf_counter_inc(r->c_kills, 1);
    *cmd = (tf_order_cmd){.kind = TF_CMD_CANCEL_ALL, .reason = (uint16_t)trigger,
                          .req_type = TF_REQ_KILL, .t_trigger_ns = now, .t_request_ns = now};
    tf__risk_publish(r, now);
}

tf_reject_reason tf__risk_check_control(const tf_risk *r, uint32_t s, const struct tf_request *q)
{
    switch (q->type) {
    case TF_REQ_SET_LIMIT: {
        tf_risk_limits scratch = r->lim; /* checked on a copy; tf_risk_handle applies it */
        return s == 0 && tf_risk_limit_set(&scratch, r->strategy_known, r->instruments->count,
                                           (const tf_req_limit *)q->body)
                   ? TF_RJ_NONE
                   : TF_RJ_BAD_LIMIT;
    }
    case TF_REQ_KILL: return s == 0 ? TF_RJ_NONE : TF_RJ_BAD_REQUEST;
    case TF_REQ_SET_STATE:
        return s == 0 && ((const tf_req_control *)q->body)->on < TF_TS_COUNT ? TF_RJ_NONE
                                                                           : TF_RJ_BAD_REQUEST;
    default: return TF_RJ_BAD_REQUEST;
    }
}

void tf__risk_apply_control(tf_risk *r, const struct tf_request *q, uint64_t now, tf_order_cmd *cmd)
{
    uint32_t s = q->source_id;
    switch (q->type) {
    case TF_REQ_SET_LIMIT: {
        const tf_req_limit *lb = (const tf_req_limit *)q->body;
        tf_risk_limit_set(&r->lim, r->strategy_known, r->instruments->count, lb);
        if (lb->limit == TF_LIM_S_DAILY_LOSS)
            r->strategy_blocked[lb->target] = false; /* a new limit is a new decision */
        tf_risk_publish_limits(r, NULL);
        tf__risk_cmd(cmd, q, TF_CMD_NOTE);
        cmd->reason = TF_EV_LIMIT_SET;
        cmd->type = (uint8_t)lb->limit;
        cmd->instrument = lb->target;
        cmd->arg = lb->value;
        break;
    }
    case TF_REQ_KILL: {
        const tf_req_control *cb = (const tf_req_control *)q->body;
        if (cb->on) {
            tf_risk_kill(r, TF_KILL_MANUAL, now, cmd);
            r->flatten_pending |= cb->flatten != 0; /* this kill only */
            cmd->client_req_id = q->client_seq;
            cmd->strategy = s;
        } else {
            r->kill_active = false;
            r->flatten_pending = false;
            r->trading_state = TF_TS_ACTIVE;
            memset(r->strategy_blocked, 0, sizeof r->strategy_blocked);
            tf__risk_cmd(cmd, q, TF_CMD_NOTE);
            cmd->reason = TF_EV_KILL_RESET;
        }
        break;
    }
    case TF_REQ_SET_STATE:
        r->trading_state = ((const tf_req_control *)q->body)->on;
        tf__risk_cmd(cmd, q, TF_CMD_NOTE);
        cmd->reason = TF_EV_STATE_SET;
        cmd->arg = r->trading_state;
        break;
    }
}

/* ---- set-up ----------------------------------------------------------------- */

int tf_risk_init(tf_stage *stage, tf_risk *r, const tf_config *cfg, const tf_instruments *ins,
                 tf_stats *stats, tf_state_table *state, tf_ring *requests, tf_ring *strat_in,
                 tf_ring *feedback, tf_ring *out)
{
    memset(r, 0, sizeof *r);
    r->instruments = ins;
    tf_risk_limits_from_config(&r->lim, r->strategy_known, cfg);
    r->trading_state = cfg->risk.state;
    r->flatten_on_kill = cfg->risk.flatten_on_kill;
    r->requests = requests;
    r->strat_in = strat_in;
    r->feedback = feedback;
    r->out = out;
    r->next_order_id = 1;
    r->capacity = cfg->orders.capacity;
    uint32_t map_cap = r->capacity * 2;
    r->orders = calloc(r->capacity, sizeof *r->orders);
    r->ids.keys = calloc(map_cap, sizeof *r->ids.keys);
    r->ids.values = calloc(map_cap, sizeof *r->ids.values);
    if (!r->orders || !r->ids.keys || !r->ids.values) {
        tf_risk_free(r);
        return TF_ERR("risk: out of memory for %u orders", r->capacity);
    }
    r->ids.mask = map_cap - 1;
    for (uint32_t k = 0; k < r->capacity; k++)
        r->orders[k].next = k + 1 < r->capacity ? k + 1 : TF_RISK_NIL;
    r->free_head = 0;
    for (uint32_t i = 0; i < TF_MAX_INSTRUMENTS; i++)
        r->inst_head[i] = TF_RISK_NIL;
    r->day_index = tf_realtime_ns() / TF__RISK_DAY_NS;
    if (state)
        r->status_slot = tf_state_claim(state, TF_STATE_RISK, "risk");
    if (stats && stage) {
        uint32_t o = stage->owner;
        for (uint32_t k = 1; k < TF_RJ_REASON_COUNT; k++) {
            char label[64];
            snprintf(label, sizeof label, "reason=%s", tf_reject_reason_names[k]);
            r->c_rejects[k] = tf_stats_counter(stats, o, "risk_rejects", label, TF_COUNTER);
        }
        r->c_accepted = tf_stats_counter(stats, o, "risk_accepted", "", TF_COUNTER);
        r->c_requests = tf_stats_counter(stats, o, "requests", "", TF_COUNTER);
        r->c_pings = tf_stats_counter(stats, o, "requests_ping", "", TF_COUNTER);
        r->c_kills = tf_stats_counter(stats, o, "kill_switch_trips", "", TF_COUNTER);
        r->c_backpressure = tf_stats_counter(stats, o, "oms_ring_full", "", TF_COUNTER);
        r->h_check = tf_stats_hist(stats, o, "risk_check_ns", "");
    }
    if (stage) {
        stage->poll = tf__risk_poll;
        stage->drain = tf__risk_drain;
        stage->ctx = r;
    }
    return 0;
}

void tf_risk_bind_references(tf_risk *r, const tf_state_table *state)
{
    for (uint32_t i = 0; i < r->instruments->count; i++) {
        const char *sym = r->instruments->items[i].symbol;
        r->ref_slots[i].top = tf_state_find(state, TF_STATE_MD_TOP, sym);
        r->ref_slots[i].last_trade = tf_state_find(state, TF_STATE_MD_LAST_TRADE, sym);
    }
}

void tf_risk_free(tf_risk *r)
{
    free(r->orders);
    free(r->ids.keys);
    free(r->ids.values);
    r->orders = NULL;
    r->ids.keys = NULL;
    r->ids.values = NULL;
}

int tf_risk_seed_order(tf_risk *r, const tf_order *o)
{
    tf_risk_order *x = tf__risk_add(r, o->order_id, o->strategy, o->instrument, o->side, o->type,
                                    o->price, o->qty, o->cum_qty);
    if (!x)
        return TF_ERR("risk: no room for order %llu at restart", (unsigned long long)o->order_id);
    if (o->state == TF_OS_PENDING_CANCEL)
        x->pending_cancel = 1;
    if (o->state == TF_OS_PENDING_REPLACE) {
        x->pending_replace = 1;
        x->replace_qty = o->pending_qty;
        tf__risk_reserve(r, x, tf__risk_max(x->reserved, o->pending_qty - o->cum_qty));
    }
    return 0;
}

void tf_risk_seed_position(tf_risk *r, uint32_t strategy, const tf_position *p, int64_t day_base)
{
    if (strategy >= TF_MAX_STRATEGIES || p->instrument >= r->instruments->count)
        return;
    r->expo[strategy][p->instrument].pos = *p;
    r->expo[strategy][p->instrument].day_base = day_base;
    r->total[p->instrument].day_base += day_base;
    tf_position *t = &r->total[p->instrument].pos;
    const tf_instrument *in = tf__risk_ins(r, p->instrument);
    /* The total is the sum of the strategies' positions. */
    t->instrument = p->instrument;
    t->qty += p->qty;
    t->cost += p->cost;
    t->realized += p->realized;
    t->fees += p->fees;
    t->bought += p->bought;
    t->sold += p->sold;
    t->fills += p->fills;
    tf_position_average(t, in->price_precision, in->qty_precision);
}

void tf_risk_seed_ids(tf_risk *r, uint64_t next_order_id, const uint64_t *last_req_id)
{
    if (next_order_id > r->next_order_id)
        r->next_order_id = next_order_id;
    for (uint32_t s = 0; s < TF_MAX_STRATEGIES; s++)
        if (last_req_id[s] > r->last_req_id[s])
            r->last_req_id[s] = last_req_id[s];
}

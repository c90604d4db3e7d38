/* The risk gate's set-up (see risk.h): the shadow table, limits from the
 * config, counters, the stage's hooks (risk.c's poll and drain), reference
 * slots, and restart seeding. Runs on the main thread before the stages
 * start; the top of the risk files (setup -> risk.c -> risk_control.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/orders/position.h"
#include "engine/orders/risk_internal.h"
#include "shm/err.h"

/* ---- set-up ----------------------------------------------------------------- */

int tf_risk_init(tf_stage *stage, tf_risk *r, const tf_config *cfg, const tf_instruments *ins,
                 tf_stats *stats, tf_state_table *state, tf_ring *requests, tf_ring *strat_in,
                 tf_ring *feedback, tf_ring *out)
{
    memset(r, 0, sizeof *r);
    r->instruments = ins;
    r->stage = stage;
    tf_risk_limits_from_config(&r->lim, r->strategy_known, cfg);
    r->trading_state = cfg->risk.state;
    r->flatten_on_kill = cfg->risk.flatten_on_kill;
    r->kill_on_out_of_band_fill = cfg->risk.kill_on_out_of_band_fill;
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
        int failed = 0;
        for (uint32_t k = 1; k < TF_RJ_REASON_COUNT && !failed; k++) {
            char label[64];
            snprintf(label, sizeof label, "reason=%s", tf_reject_reason_names[k]);
            failed = !(r->c_rejects[k] = tf_stats_add_counter(stats, o, TF_CTR_RISK_REJECTS, label));
        }
        const tf_counter_reg regs[] = {
            {&r->c_accepted, TF_CTR_RISK_ACCEPTED, NULL},   {&r->c_requests, TF_CTR_REQUESTS, NULL},
            {&r->c_pings, TF_CTR_REQUESTS_PING, NULL},      {&r->c_kills, TF_CTR_KILL_SWITCH_TRIPS, NULL},
            {&r->c_backpressure, TF_CTR_OMS_RING_FULL, NULL},
            {&r->g_door_lanes, TF_CTR_DOOR_LANES_OPEN, NULL}, {&r->c_door_granted, TF_CTR_DOOR_GRANTED, NULL},
            {&r->c_door_refused, TF_CTR_DOOR_REFUSED, NULL},  {&r->c_door_corrupt, TF_CTR_DOOR_LANES_CORRUPT, NULL},
        };
        if (failed || tf_stats_add_counters(stats, o, regs, TF_ARRAY_LEN(regs)) != 0 ||
            !(r->h_check = tf_stats_add_hist(stats, o, TF_HIST_RISK_CHECK_NS, NULL)) ||
            !(r->h_wait = tf_stats_add_hist(stats, o, TF_HIST_RISK_WAIT_NS, NULL))) {
            tf_risk_free(r);
            return -1; /* the message names the counter; the engine adds the stage */
        }
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

/* The risk gate's limits; see risk_limits.h. */
#include "engine/orders/risk_limits.h"

#include <string.h>

#include "shm/atomic.h"

void tf_risk_limits_from_config(tf_risk_limits *l, bool known[TF_MAX_STRATEGIES], const tf_config *cfg)
{
    const tf_cfg_risk *c = &cfg->risk;
    memset(l, 0, sizeof *l);
    memset(known, 0, TF_MAX_STRATEGIES * sizeof *known); /* only the config's strategies */
    for (uint32_t i = 0; i < TF_MAX_LIMIT_INSTRUMENTS; i++)
        l->collar_bps[i] = 500;
    for (uint32_t k = 0; k < c->instrument_count; k++) {
        const tf_cfg_risk_instrument *ri = &c->instruments[k];
        uint32_t i = ri->instrument;
        l->min_qty[i] = ri->min_qty;
        l->max_order_qty[i] = ri->max_order_qty;
        l->max_order_notional[i] = ri->max_order_notional;
        l->max_position[i] = ri->max_position;
        l->collar_bps[i] = ri->collar_bps;
        l->closed[i] = !ri->tradable;
    }
    known[0] = true; /* the operator (tfctl) */
    for (uint32_t k = 0; k < c->strategy_count; k++) {
        const tf_cfg_strategy *st = &c->strategies[k];
        known[st->id] = true;
        l->s_max_order_notional[st->id] = st->max_order_notional;
        l->s_max_position_notional[st->id] = st->max_position_notional;
        l->s_daily_loss[st->id] = st->daily_loss_limit;
        l->s_max_open[st->id] = st->max_open_orders;
        l->s_rate[TF_RATE_ORDER][st->id] = st->orders_per_s;
        l->s_rate[TF_RATE_CANCEL][st->id] = st->cancels_per_s;
        l->s_rate[TF_RATE_REPLACE][st->id] = st->replaces_per_s;
    }
    if (cfg->orders.plugin[0])
        known[cfg->orders.plugin_strategy] = true;
    l->max_gross_exposure = c->max_gross_exposure;
    l->daily_loss = c->daily_loss_limit;
    l->max_concentration_pct = c->max_concentration_pct;
    l->max_open = c->max_open_orders;
    l->g_rate[TF_RATE_ORDER] = c->orders_per_s;
    l->g_rate[TF_RATE_CANCEL] = c->cancels_per_s;
    l->g_rate[TF_RATE_REPLACE] = c->replaces_per_s;
    l->dup_count = c->duplicate_count;
    l->dup_window_ns = c->duplicate_window_ns;
    l->ref_max_age_ns = c->reference_max_age_ns;
}

bool tf_risk_limit_set(tf_risk_limits *l, const bool known[TF_MAX_STRATEGIES],
                       uint32_t instrument_count, const tf_req_limit *b)
{
    int64_t v = b->value;
    uint32_t t = b->target;
    bool inst = t < instrument_count, strat = t < TF_MAX_STRATEGIES && known[t];
    if (v < 0)
        return false;
    switch (b->limit) {
    case TF_LIM_MIN_QTY: if (!inst) return false; l->min_qty[t] = v; return true;
    case TF_LIM_MAX_ORDER_QTY: if (!inst) return false; l->max_order_qty[t] = v; return true;
    case TF_LIM_MAX_ORDER_NOTIONAL: if (!inst) return false; l->max_order_notional[t] = v; return true;
    case TF_LIM_MAX_POSITION: if (!inst) return false; l->max_position[t] = v; return true;
    case TF_LIM_COLLAR_BPS: if (!inst || v > 10000) return false; l->collar_bps[t] = (uint32_t)v; return true;
    case TF_LIM_S_MAX_ORDER_NOTIONAL: if (!strat) return false; l->s_max_order_notional[t] = v; return true;
    case TF_LIM_S_MAX_POSITION_NOTIONAL: if (!strat) return false; l->s_max_position_notional[t] = v; return true;
    case TF_LIM_S_MAX_OPEN_ORDERS: if (!strat || v > UINT32_MAX) return false; l->s_max_open[t] = (uint32_t)v; return true;
    case TF_LIM_S_ORDERS_PER_S: case TF_LIM_S_CANCELS_PER_S: case TF_LIM_S_REPLACES_PER_S:
        if (!strat || v > 10000000) return false;
        l->s_rate[b->limit - TF_LIM_S_ORDERS_PER_S][t] = (uint32_t)v;
        return true;
    case TF_LIM_S_DAILY_LOSS: if (!strat) return false; l->s_daily_loss[t] = v; return true;
    case TF_LIM_G_MAX_GROSS_EXPOSURE: l->max_gross_exposure = v; return true;
    case TF_LIM_G_MAX_CONCENTRATION_PCT: if (v > 100) return false; l->max_concentration_pct = (uint32_t)v; return true;
    case TF_LIM_G_DAILY_LOSS: l->daily_loss = v; return true;
    case TF_LIM_G_ORDERS_PER_S: case TF_LIM_G_CANCELS_PER_S: case TF_LIM_G_REPLACES_PER_S:
        if (v > 10000000) return false;
        l->g_rate[b->limit - TF_LIM_G_ORDERS_PER_S] = (uint32_t)v;
        return true;
    case TF_LIM_G_MAX_OPEN_ORDERS: if (v > UINT32_MAX) return false; l->max_open = (uint32_t)v; return true;
    case TF_LIM_G_DUPLICATE_COUNT: if (v > 1000000) return false; l->dup_count = (uint32_t)v; return true;
    case TF_LIM_G_DUPLICATE_WINDOW_MS: if (v < 1 || v > 3600000) return false; l->dup_window_ns = (uint64_t)v * 1000000; return true;
    case TF_LIM_G_REFERENCE_MAX_AGE_MS: if (v < 1 || v > 3600000) return false; l->ref_max_age_ns = (uint64_t)v * 1000000; return true;
    case TF_LIM_TRADABLE: if (!inst || v > 1) return false; l->closed[t] = v == 0; return true;
    default: return false;
    }
}

void tf_risk_limits_publish(tf_limits_slot *slot, const tf_risk_limits *l)
{
    if (!slot)
        return;
    ck_sequence_write_begin(&slot->seq);
    tf_write_racy(&slot->lim, l, sizeof *l);
    ck_sequence_write_end(&slot->seq);
}

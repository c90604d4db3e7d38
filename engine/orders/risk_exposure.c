/* The risk gate's view of exposure (see risk.h): positions with their
 * open orders and held parents at their worst case, valued at the
 * reference, and the exposure checks every order and parent passes. Below
 * risk.c and risk_algo.c, which both call it. */
#include "engine/orders/risk_internal.h"

/* ---- exposure --------------------------------------------------------------- */

int64_t tf__risk_px(const tf_risk *r, uint32_t i, int64_t fallback)
{
    return r->ref_px[i] > 0 ? r->ref_px[i] : fallback;
}

/* Worst-case absolute quantity of an exposure with `buy`/`sell` more open. */
int64_t tf__risk_worst(const tf_risk_expo *e, int64_t buy, int64_t sell)
{
    return tf__risk_max(tf__risk_abs(e->pos.qty + e->open_buy + buy),
                        tf__risk_abs(e->pos.qty - e->open_sell - sell));
}

int64_t tf__risk_money(const tf_risk *r, uint32_t i, int64_t px, int64_t qty)
{
    const tf_instrument *in = tf__risk_ins(r, i);
    return tf_money_notional(px, qty, in->price_precision, in->qty_precision);
}

int64_t tf__risk_gross_except(const tf_risk *r, uint32_t skip)
{
    int64_t g = 0;
    for (uint32_t i = 0; i < r->instruments->count; i++)
        if (i != skip)
            g += tf__risk_money(r, i, tf__risk_px(r, i, 0), tf__risk_worst(&r->total[i], 0, 0));
    return g;
}

/* Would this order reduce the strategy's position (counting its open orders)? */
bool tf__risk_reduces(const tf_risk_expo *e, int side, int64_t qty)
{
    if (side == TF_BUY)
        return e->pos.qty < 0 && e->pos.qty + e->open_buy + qty <= 0;
    return e->pos.qty > 0 && e->pos.qty - e->open_sell - qty >= 0;
}

/* Position, strategy position, gross and concentration with `buy`/`sell` more open. */
tf_reject_reason tf__risk_check_exposure(tf_risk *r, uint32_t s, uint32_t i, int64_t px, int64_t buy,
                                         int64_t sell)
{
    const tf_risk_limits *l = &r->lim;
    const tf_risk_expo *t = &r->total[i], *e = &r->expo[s][i];
    if (l->max_position[i] && tf__risk_worst(t, buy, sell) > l->max_position[i] &&
        tf__risk_worst(t, buy, sell) > tf__risk_worst(t, 0, 0))
        return TF_RJ_POSITION_LIMIT;
    int64_t mark = tf__risk_px(r, i, px);
    if (l->s_max_position_notional[s] &&
        tf__risk_money(r, i, mark, tf__risk_worst(e, buy, sell)) > l->s_max_position_notional[s] &&
        tf__risk_worst(e, buy, sell) > tf__risk_worst(e, 0, 0))
        return TF_RJ_POSITION_LIMIT;
    if (l->max_gross_exposure || l->max_concentration_pct) {
        int64_t mine = tf__risk_money(r, i, mark, tf__risk_worst(t, buy, sell));
        bool grows = tf__risk_worst(t, buy, sell) > tf__risk_worst(t, 0, 0);
        if (grows && l->max_gross_exposure && tf__risk_gross_except(r, i) + mine > l->max_gross_exposure)
            return TF_RJ_GROSS_EXPOSURE;
        /* One instrument's share of the exposure limit. */
        if (grows && l->max_concentration_pct && l->max_gross_exposure &&
            (__int128)mine * 100 > (__int128)l->max_concentration_pct * l->max_gross_exposure)
            return TF_RJ_CONCENTRATION;
    }
    return TF_RJ_NONE;
}


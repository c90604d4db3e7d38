/* Position math; see position.h. */
#include "engine/orders/position.h"

static int64_t tf__div_round(__int128 n, __int128 d)
{
    if (d < 0) {
        n = -n;
        d = -d;
    }
    return (int64_t)(n >= 0 ? (n + d / 2) / d : (n - d / 2) / d);
}

void tf_position_average(tf_position *p, unsigned pp, unsigned qp)
{
    if (p->qty == 0) {
        p->avg_px = 0;
        return;
    }
    /* cost = avg * qty * 10^(8 - pp - qp)  →  avg = cost / (qty * 10^(...)) */
    int scale = (int)TF_MONEY_PRECISION - (int)pp - (int)qp;
    __int128 n = p->cost, d = p->qty;
    if (scale >= 0)
        d *= tf_pow10[scale];
    else
        n *= tf_pow10[-scale];
    p->avg_px = tf__div_round(n, d);
}

void tf_position_fill(tf_position *p, int side, int64_t px, int64_t qty, int64_t fee,
                      unsigned pp, unsigned qp)
{
    int64_t q = side == TF_BUY ? qty : -qty;
    if (side == TF_BUY)
        p->bought += qty;
    else
        p->sold += qty;
    p->fills++;
    if (p->qty == 0 || (p->qty > 0) == (q > 0)) {
        p->cost += tf_money_notional(px, q, pp, qp);
        p->qty += q;
    } else {
        int64_t held = p->qty > 0 ? p->qty : -p->qty;
        int64_t closing = qty < held ? qty : held;
        int64_t part = tf__div_round((__int128)p->cost * closing, held);
        int64_t sign = p->qty > 0 ? 1 : -1;
        p->realized += sign * tf_money_notional(px, closing, pp, qp) - part;
        p->cost -= part;
        p->qty -= sign * closing;
        int64_t rest = qty - closing;
        if (rest > 0) { /* crossed zero: the rest opens the other way */
            int64_t r = side == TF_BUY ? rest : -rest;
            p->cost = tf_money_notional(px, r, pp, qp);
            p->qty = r;
        }
        if (p->qty == 0)
            p->cost = 0;
    }
    p->realized -= fee;
    p->fees += fee;
    tf_position_average(p, pp, qp);
    tf_position_mark(p, 0, pp, qp);
}

void tf_position_mark(tf_position *p, int64_t mark_px, unsigned pp, unsigned qp)
{
    if (mark_px > 0)
        p->mark_px = mark_px;
    if (p->qty == 0 || p->mark_px <= 0) {
        p->unrealized = 0;
        return;
    }
    p->unrealized = tf_money_notional(p->mark_px, p->qty, pp, qp) - p->cost;
}

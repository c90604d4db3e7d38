/* Execution algorithms: the parent's life and its children (see algo.h).
 * The target quantity each algorithm wants filled by now is in
 * algo_target.c. */
#include "lib/algo/algo.h"

#include <stdio.h>
#include <string.h>

#include "lib/algo/algo_internal.h"

#define FAIL(...) (snprintf(why, why_cap, __VA_ARGS__), -1)

int tf_algo_check(const tf_algo_params *p, const tf_algo_instrument *ins, uint64_t now_ns, char *why,
                  unsigned why_cap)
{
    if (p->kind < TF_ALGO_TWAP || p->kind >= TF_ALGO_KIND_END)
        return FAIL("unknown algorithm %u", p->kind);
    if (p->side > 1)
        return FAIL("side must be buy or sell");
    if (p->price_style >= TF_ALGO_PX_END)
        return FAIL("unknown child price style %u", p->price_style);
    if (p->end_policy >= TF_ALGO_END_POLICY_END)
        return FAIL("unknown end policy %u", p->end_policy);
    if (p->qty <= 0 || p->qty % ins->lot_size != 0)
        return FAIL("qty must be a positive whole number of lots (lot %lld)", (long long)ins->lot_size);
    if (p->qty < ins->min_qty)
        return FAIL("qty is below the instrument's minimum %lld", (long long)ins->min_qty);
    if (p->limit_price < 0 || (p->limit_price && p->limit_price % ins->tick_size != 0))
        return FAIL("limit_price must be 0 (none) or a whole number of ticks (tick %lld)", (long long)ins->tick_size);
    if (p->size_jitter_pct > 50 || p->time_jitter_pct > 50)
        return FAIL("size and time jitter are 0..50 %%");
    if (p->offset_ticks < 0 || p->offset_ticks > 10000)
        return FAIL("offset_ticks must be 0..10000");
    bool horizon = p->kind == TF_ALGO_TWAP || p->kind == TF_ALGO_VWAP;
    if (horizon && (p->end_ns <= p->start_ns || p->end_ns <= now_ns))
        return FAIL("the horizon must end after it starts and after now");
    if (p->end_ns && p->end_ns <= p->start_ns)
        return FAIL("end must come after start");
    if (p->kind == TF_ALGO_TWAP) {
        if (p->slice_ns < 1000000ull)
            return FAIL("slice must be at least 1 ms");
        if ((p->end_ns - p->start_ns) / p->slice_ns > 1000000ull)
            return FAIL("more than a million slices in the horizon");
        if ((p->end_ns - p->start_ns) / p->slice_ns == 0)
            return FAIL("the slice is longer than the horizon");
    }
    if (p->participation_bps > 10000 || (p->kind == TF_ALGO_POV && p->participation_bps == 0))
        return FAIL("participation must be 1..10000 bps%s", p->kind == TF_ALGO_VWAP ? " (0: no cap)" : "");
    if (p->kind == TF_ALGO_POV || p->kind == TF_ALGO_ICEBERG) {
        if (p->min_child <= 0 || p->max_child < p->min_child)
            return FAIL("child sizes need 0 < min_child <= max_child");
        if (p->min_child % ins->lot_size || p->max_child % ins->lot_size)
            return FAIL("child sizes must be whole lots (lot %lld)", (long long)ins->lot_size);
        if (p->min_child < ins->min_qty)
            return FAIL("min_child is below the instrument's minimum %lld", (long long)ins->min_qty);
    }
    if (p->kind == TF_ALGO_VWAP && (p->min_child < 0 || p->min_child % ins->lot_size))
        return FAIL("min_child must be 0 or whole lots (lot %lld)", (long long)ins->lot_size);
    if (p->kind == TF_ALGO_ICEBERG && !p->limit_price)
        return FAIL("an iceberg needs a limit_price");
    return 0;
}

void tf_algo_init(tf_algo *a, const tf_algo_params *p, const tf_algo_instrument *ins,
                  const tf_algo_profile *profile)
{
    memset(a, 0, sizeof *a);
    a->p = *p;
    a->ins = *ins;
    if (profile)
        a->profile = *profile;
    a->rng = p->seed ? p->seed : 0x9E3779B97F4A7C15ull;
    a->state = TF_ALGO_WAITING;
    if (p->kind == TF_ALGO_TWAP)
        a->slices = (uint32_t)((p->end_ns - p->start_ns + p->slice_ns - 1) / p->slice_ns);
}

/* ---- helpers ---- */

static int64_t floor_lots(const tf_algo *a, int64_t q) { return q <= 0 ? 0 : q - q % a->ins.lot_size; }

static int64_t remaining(const tf_algo *a) { return a->p.qty - a->filled; }

static bool is_buy(const tf_algo *a) { return a->p.side == 0; }

/* Is price through the guard (worse than the limit)? */
static bool through_guard(const tf_algo *a, int64_t price)
{
    if (!a->p.limit_price)
        return false;
    return is_buy(a) ? price > a->p.limit_price : price < a->p.limit_price;
}

/* A child's price by the parent's style, guarded; false when the market
 * needed is unknown. */
static bool child_price(const tf_algo *a, const tf_algo_market *m, tf_algo_decision *d)
{
    int64_t tick = a->ins.tick_size, px = 0;
    d->is_market = false;
    d->ioc = false;
    switch (a->p.price_style) {
    case TF_ALGO_PX_MARKET:
        if (!a->p.limit_price) {
            d->is_market = true;
            d->price = 0;
            return true;
        }
        d->price = a->p.limit_price; /* guarded: marketable up to the limit, never resting */
        d->ioc = true;
        return true;
    case TF_ALGO_PX_TOUCH:
        px = is_buy(a) ? m->bid : m->ask;
        break;
    case TF_ALGO_PX_MID:
        if (m->bid <= 0 || m->ask <= 0)
            return false;
        px = (m->bid + m->ask) / 2;
        px = is_buy(a) ? px - px % tick : px + (tick - px % tick) % tick; /* the passive side of the tick */
        break;
    case TF_ALGO_PX_PASSIVE:
        px = is_buy(a) ? m->bid - (int64_t)a->p.offset_ticks * tick : m->ask + (int64_t)a->p.offset_ticks * tick;
        if (is_buy(a) && m->bid <= 0)
            return false;
        break;
    default:
        return false;
    }
    if (px <= 0)
        return false;
    if (through_guard(a, px))
        px = a->p.limit_price;
    d->price = px;
    return true;
}

static tf_algo_decision send(tf_algo *a, const tf_algo_market *m, tf_algo_decision d, int64_t qty)
{
    d.op = TF_ALGO_SEND;
    d.qty = qty;
    a->child_working = true;
    a->child_cancel_sent = false;
    a->child_qty = qty;
    a->child_filled = 0;
    a->child_price = d.price;
    a->child_ioc = d.ioc || d.is_market;
    a->child_sent_ns = m->now_ns;
    a->children++;
    return d;
}

static tf_algo_decision cancel_child(tf_algo *a)
{
    tf_algo_decision d = {0};
    if (a->child_working && !a->child_cancel_sent) {
        a->child_cancel_sent = true;
        d.op = TF_ALGO_CANCEL_CHILD;
    }
    return d;
}

/* The smallest child worth sending. */
static int64_t min_child(const tf_algo *a)
{
    int64_t least = a->ins.min_qty > a->ins.lot_size ? a->ins.min_qty : a->ins.lot_size;
    if ((a->p.kind == TF_ALGO_POV || a->p.kind == TF_ALGO_VWAP) && a->p.min_child > least)
        least = a->p.min_child;
    return least;
}

/* ---- the step ---- */

/* The end of the horizon: sweep what is left once, or stop. */
static tf_algo_decision at_end(tf_algo *a, const tf_algo_market *m)
{
    tf_algo_decision d = {0};
    if (a->child_working)
        return a->sweeps ? d : cancel_child(a); /* the slice child gives way to the sweep */
    int64_t left = remaining(a);
    /* A sweep that fills only in part (the book was thin) is tried again,
     * a few times: never an endless loop at a limit nothing reaches. */
    if (a->p.end_policy == TF_ALGO_END_STOP || a->sweeps >= TF_ALGO_MAX_SWEEPS || left < min_child(a) ||
        (a->sweeps && a->sweep_filled_nothing)) {
        a->state = left > 0 ? TF_ALGO_STOPPED : TF_ALGO_DONE;
        return d;
    }
    a->sweeps++;
    a->sweep_filled_nothing = true; /* until a fill says otherwise */
    if (a->p.limit_price) {
        d.price = a->p.limit_price;
        d.ioc = true;
    } else {
        d.is_market = true;
    }
    return send(a, m, d, left);
}

/* Iceberg: one visible child at the limit, withdrawn while the market is
 * through the limit. */
static tf_algo_decision iceberg(tf_algo *a, const tf_algo_market *m)
{
    tf_algo_decision d = {0};
    int64_t our_touch = is_buy(a) ? m->bid : m->ask;
    bool away = our_touch > 0 && through_guard(a, our_touch);
    if (a->child_working)
        return away ? cancel_child(a) : d;
    if (away)
        return d;
    if (!a->display) {
        int64_t lo = a->p.min_child, hi = a->p.max_child;
        int64_t span = (hi - lo) / a->ins.lot_size;
        a->display = lo + (span > 0 ? (int64_t)(tf__algo_rand(a) % (uint64_t)(span + 1)) * a->ins.lot_size : 0);
    }
    d.price = a->p.limit_price;
    if (a->ins.venue_iceberg) { /* the venue shows display of it at a time and refreshes itself */
        d.display = a->display < remaining(a) ? a->display : 0;
        a->display = 0;
        return send(a, m, d, remaining(a));
    }
    int64_t qty = a->display < remaining(a) ? a->display : remaining(a);
    if (remaining(a) - qty > 0 && remaining(a) - qty < a->ins.min_qty)
        qty = remaining(a); /* no dust left behind */
    if (qty < min_child(a) && qty < remaining(a))
        return d;
    a->display = 0; /* a fresh size for the next refresh */
    return send(a, m, d, qty);
}

tf_algo_decision tf_algo_step(tf_algo *a, const tf_algo_market *m)
{
    tf_algo_decision d = {0};
    if (tf_algo_finished(a))
        return d;
    if (!a->arrival_mid && m->bid > 0 && m->ask > 0)
        a->arrival_mid = (m->bid + m->ask) / 2;
    if (a->canceling) {
        if (a->child_working)
            return cancel_child(a);
        a->state = TF_ALGO_CANCELED;
        return d;
    }
    if (a->filled >= a->p.qty) {
        if (!a->child_working)
            a->state = TF_ALGO_DONE;
        return d;
    }
    if (a->state == TF_ALGO_PAUSED)
        return cancel_child(a);
    if (a->state == TF_ALGO_WAITING) {
        if (m->now_ns < a->p.start_ns)
            return d;
        a->state = TF_ALGO_RUNNING;
        a->next_slice_ns = a->p.start_ns;
    }
    if (a->p.end_ns && m->now_ns >= a->p.end_ns)
        return at_end(a, m);
    if (a->p.kind == TF_ALGO_ICEBERG)
        return iceberg(a, m);
    if (a->child_working) {
        /* A limit child that rested too long, or that an amended limit no
         * longer allows. */
        if (!a->child_ioc && a->p.resubmit_ns && m->now_ns - a->child_sent_ns >= a->p.resubmit_ns)
            return cancel_child(a);
        if (!a->child_ioc && through_guard(a, a->child_price))
            return cancel_child(a); /* the limit was amended past it */
        return d;
    }
    int64_t want = floor_lots(a, tf__algo_target_step(a, m) - a->filled);
    if (want > remaining(a))
        want = remaining(a);
    if (a->p.kind == TF_ALGO_POV && a->p.max_child && want > a->p.max_child)
        want = a->p.max_child;
    if (remaining(a) - want > 0 && remaining(a) - want < a->ins.min_qty)
        want = remaining(a); /* no dust the venue would refuse as a last child */
    if (want < min_child(a) && want < remaining(a))
        return d;
    if (want <= 0)
        return d;
    if (!child_price(a, m, &d))
        return d;
    return send(a, m, d, want);
}

int64_t tf_algo_target(const tf_algo *a, const tf_algo_market *m) { return tf__algo_target(a, m); }

/* ---- what happened to the child ---- */

void tf_algo_child_fill(tf_algo *a, int64_t qty, int64_t price)
{
    if (qty <= 0)
        return;
    a->filled += qty;
    a->child_filled += qty;
    a->sweep_filled_nothing = false;
    a->fill_value += (double)qty * (double)price;
}

void tf_algo_child_done(tf_algo *a)
{
    a->child_working = false;
    a->child_cancel_sent = false;
}

/* ---- controls ---- */

void tf_algo_pause(tf_algo *a)
{
    if (a->state == TF_ALGO_RUNNING || a->state == TF_ALGO_WAITING)
        a->state = TF_ALGO_PAUSED;
}

void tf_algo_resume(tf_algo *a)
{
    if (a->state == TF_ALGO_PAUSED)
        a->state = TF_ALGO_RUNNING;
}

void tf_algo_cancel(tf_algo *a)
{
    if (!tf_algo_finished(a))
        a->canceling = true;
}

int tf_algo_amend(tf_algo *a, int64_t qty, int64_t limit_price, uint64_t end_ns, char *why, unsigned why_cap)
{
    if (tf_algo_finished(a))
        return FAIL("the parent is %s", tf_algo_state_names[a->state]);
    /* Never below what may yet be filled: the working child can fill in
     * full before a cancel reaches the venue. */
    int64_t may_fill = a->filled + (a->child_working ? a->child_qty - a->child_filled : 0);
    if (qty && (qty < may_fill || qty % a->ins.lot_size))
        return FAIL("qty must be whole lots and at least what is filled or working (%lld)", (long long)may_fill);
    if (limit_price && (limit_price < 0 || limit_price % a->ins.tick_size))
        return FAIL("limit_price must be a whole number of ticks");
    if (end_ns && end_ns <= a->p.start_ns)
        return FAIL("end must come after start");
    if (qty)
        a->p.qty = qty;
    if (limit_price)
        a->p.limit_price = limit_price;
    if (end_ns) {
        a->p.end_ns = end_ns;
        if (a->p.kind == TF_ALGO_TWAP) {
            /* The slices still to come spread over the new horizon. */
            uint32_t total = (uint32_t)((end_ns - a->p.start_ns + a->p.slice_ns - 1) / a->p.slice_ns);
            a->slices = total > a->slice ? total : a->slice + 1;
        }
    }
    return 0;
}

/* ---- reports ---- */

int64_t tf_algo_avg_price(const tf_algo *a)
{
    return a->filled ? (int64_t)(a->fill_value / (double)a->filled + 0.5) : 0;
}

int64_t tf_algo_slippage_mbp(int64_t avg, int64_t ref, int side)
{
    if (!avg || ref <= 0)
        return 0;
    int64_t s = (int64_t)(((double)avg - (double)ref) / (double)ref * 1e7);
    return side == 0 ? s : -s;
}

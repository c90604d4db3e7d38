/* Execution algorithms as pure logic: a parent order (TWAP, VWAP, POV or
 * iceberg) decides, at each step, whether to send a child order, cancel
 * the one working, or wait; the caller (the algo stage) carries the
 * decision out through the risk gate and reports back what happened to the
 * child. No clock, no I/O, no allocation: time and the market come in with
 * each call, so every schedule is tested on a simulated clock.
 *
 * PROMISES
 * - One child at most is working at any time, and a new one is decided
 *   only once the last is done (filled, canceled or rejected): the parent
 *   can never over-fill, whatever order fills and cancels arrive in. Every
 *   child's quantity is a whole number of lots, at least the instrument's
 *   minimum, and never more than the parent's quantity less what is filled.
 * - The limit price guard: no child is priced through the parent's limit
 *   (a buy's child never above it, a sell's never below); a market child
 *   is sent only where there is no limit, else a limit child at the limit.
 * - Amend (quantity, limit, end time), pause, resume and cancel act at the
 *   next step (a working child priced through an amended limit is canceled
 *   first). Quantity can be amended down to what is filled plus what the working
 *   child may still fill, not below.
 * - Randomisation (slice size and timing, iceberg display) comes from the
 *   parent's own seed: the same parent on the same market decides the same.
 *
 * The algorithms (the target quantity the parent should have filled by
 * now, and how each child is priced):
 * - TWAP: slices every slice_ns from start to end (each slice time moved by
 *   up to +-time_jitter_pct of the interval), each the remaining quantity
 *   over the remaining slices (so a shortfall is caught up), floored to
 *   lots with the remainder carried, moved by up to +-size_jitter_pct.
 * - VWAP: the target follows a volume profile (cumulative shares of the
 *   day's volume by time of day, in buckets); when the day's volume runs
 *   ahead of or behind the profile the expected total is re-estimated from
 *   it, and cumulative child quantity is capped at participation_bps of the
 *   market volume since the start.
 * - POV: the target is participation_bps of the market volume traded since
 *   the start, sent in children between min_child and max_child.
 * - Iceberg: one visible child of display size (fixed, or random between
 *   min_child and max_child), refreshed only once it is done, at the
 *   parent's limit; while the market has moved through the limit (a buy's
 *   when the best bid is above it: the child would sit behind the market)
 *   the child is withdrawn, and shown again when the market comes back.
 *   With venue_iceberg the venue keeps the hidden part: one child of all
 *   that is left, its display drawn once per child, withdrawn and sent
 *   again (a fresh display) the same way.
 * Child pricing (TWAP, VWAP, POV): market; or a limit at the touch (our
 * side's best), at the mid, or passive (offset_ticks behind our touch),
 * replaced when it has rested resubmit_ns unfilled.
 * End of horizon: sweep (the remainder as one marketable child: market,
 * or a limit at the guard; again while each fills something, up to
 * TF_ALGO_MAX_SWEEPS) or stop (report what is left). */
#ifndef TF_LIB_ALGO_H
#define TF_LIB_ALGO_H

#include <stdbool.h>
#include <stdint.h>

#include "shm/parents.h"

#define TF_ALGO_PROFILE_BUCKETS 48u /* VWAP: the horizon cut into this many buckets at most */
#define TF_ALGO_MAX_SWEEPS 3u       /* end-of-horizon sweeps before the rest is reported stopped */

/* What the instrument asks of every order. min_qty: the smallest order
 * the venue takes (its minimum notional at the current price, in whole
 * lots; the caller may update it as the price moves): no child is smaller
 * and none leaves a smaller remainder behind. */
typedef struct tf_algo_instrument {
    int64_t lot_size, tick_size, min_qty;
    bool venue_iceberg;          /* icebergs use the venue's own (FIX MaxFloor): one child of all that is
                                  * left, showing the display size, which the venue refreshes itself */
} tf_algo_instrument;

/* VWAP's volume profile over the parent's horizon: cum[i] is the share of
 * the horizon's expected volume traded by the end of bucket i, in parts
 * per million (non-decreasing, the last 1000000). Built by the caller from
 * history (tf_algo_profile_from_volumes). */
typedef struct tf_algo_profile {
    uint32_t buckets;
    uint32_t cum_ppm[TF_ALGO_PROFILE_BUCKETS];
    int64_t total;               /* the horizon's expected volume, qty units (the prior) */
} tf_algo_profile;

/* The market at a step. Prices in price units, 0 when unknown; volume is
 * what the market has traded since the parent started (qty units). */
typedef struct tf_algo_market {
    uint64_t now_ns;             /* wall clock */
    int64_t bid, ask;
    int64_t volume;
} tf_algo_market;

/* A parent's running state. */
typedef struct tf_algo {
    tf_algo_params p;
    tf_algo_instrument ins;
    tf_algo_profile profile;     /* VWAP */
    uint8_t state;               /* tf_algo_state */
    bool canceling;              /* asked to end: the working child is being canceled */
    bool child_working;          /* a child is out (sent, not yet done) */
    bool child_cancel_sent;
    uint64_t rng;
    uint8_t sweeps;              /* end-of-horizon sweep children sent */
    bool sweep_filled_nothing;   /* the last sweep got no fill: stop */
    int64_t filled;              /* quantity filled, all children */
    double fill_value;           /* sum of fill qty * price, for the average price */
    int64_t child_qty, child_filled, child_price;
    bool child_ioc;
    uint64_t child_sent_ns;
    uint32_t children;           /* children sent */
    /* TWAP */
    uint32_t slice;              /* slices released */
    uint32_t slices;             /* in the horizon */
    uint64_t next_slice_ns;
    int64_t slice_target;        /* cumulative quantity the released slices want filled */
    /* iceberg */
    int64_t display;             /* the next visible size */
    int64_t arrival_mid;         /* the mid at the first step with a market, for slippage */
} tf_algo;

typedef enum tf_algo_op { TF_ALGO_NONE = 0, TF_ALGO_SEND, TF_ALGO_CANCEL_CHILD } tf_algo_op;

/* One decision. SEND: a child of qty at price (0 when is_market); ioc: it
 * must not rest (a guarded market child, the sweep); display: the venue
 * shows this much of it at a time (venue_iceberg; 0: all of it). */
typedef struct tf_algo_decision {
    uint8_t op;                  /* tf_algo_op */
    bool is_market, ioc;
    int64_t qty, price;
    int64_t display;
} tf_algo_decision;

/* Check parameters against the instrument (and the profile for VWAP);
 * 0, or -1 with why (a sentence naming the parameter). */
int tf_algo_check(const tf_algo_params *p, const tf_algo_instrument *ins, uint64_t now_ns, char *why,
                  unsigned why_cap);
/* Start a parent (its parameters checked). */
void tf_algo_init(tf_algo *a, const tf_algo_params *p, const tf_algo_instrument *ins,
                  const tf_algo_profile *profile);
/* Decide what to do now. A SEND or CANCEL_CHILD must be carried out (or
 * reported failed with tf_algo_child_done) before the next step. */
tf_algo_decision tf_algo_step(tf_algo *a, const tf_algo_market *m);

/* What became of the child: a fill (qty at price), and its end (filled,
 * canceled, rejected: no more fills will come). */
void tf_algo_child_fill(tf_algo *a, int64_t qty, int64_t price);
void tf_algo_child_done(tf_algo *a);

/* The operator's controls; each acts at the next step. Amend: a field of
 * 0 is left as it is. -1 (and why) when refused. */
void tf_algo_pause(tf_algo *a);
void tf_algo_resume(tf_algo *a);
void tf_algo_cancel(tf_algo *a);
int tf_algo_amend(tf_algo *a, int64_t qty, int64_t limit_price, uint64_t end_ns, char *why, unsigned why_cap);

/* The quantity the schedule wants filled by now (TWAP, VWAP, POV). */
int64_t tf_algo_target(const tf_algo *a, const tf_algo_market *m);
/* Average fill price (price units, 0 when nothing filled), and the
 * slippage of an average against a reference price (the arrival mid, a
 * VWAP) in 1/1000 bp for a side (tf_side), positive = worse; 0 without both. */
int64_t tf_algo_avg_price(const tf_algo *a);
int64_t tf_algo_slippage_mbp(int64_t avg, int64_t ref, int side);
static inline bool tf_algo_finished(const tf_algo *a)
{
    return a->state == TF_ALGO_DONE || a->state == TF_ALGO_STOPPED || a->state == TF_ALGO_CANCELED;
}

/* VWAP profile from volumes per bucket (any scale, e.g. the average of
 * past days' 1-minute bars over the horizon). -1 when n is 0, over
 * TF_ALGO_PROFILE_BUCKETS or every volume is 0. */
int tf_algo_profile_from_volumes(tf_algo_profile *out, const int64_t *volumes, uint32_t n);

#define TF_ALGO_DAY_MINUTES 1440u
/* VWAP profile for a horizon from a day's profile by minute (UTC minute of
 * the day -> expected volume in qty units): the horizon cut into at most
 * TF_ALGO_PROFILE_BUCKETS buckets (whole minutes, a horizon of more than a
 * day wraps), each the volume of the minutes it covers, shares of a minute
 * pro rata. -1 when the day's volume over the horizon is 0. */
int tf_algo_profile_from_day(tf_algo_profile *out, const int64_t *day, uint64_t start_ns, uint64_t end_ns);

#endif

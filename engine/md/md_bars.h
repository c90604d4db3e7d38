/* 1-minute bars (OHLCV, quote volume, VWAP, count, first/last trade id)
 * built from validated trades of one instrument.
 *
 * - A trade belongs to the minute of its trade time T (epoch ns, floored to
 *   the interval). Open is the trade with the lowest trade id in the bar,
 *   close the highest (so arrival order never changes a bar); high, low,
 *   volume, quote volume (sum of price*qty at price precision, exact) and
 *   count are order-free; VWAP = quote volume / volume, rounded half up.
 * - A bar stays open until now >= its end + grace; then it is emitted with
 *   TF_BAR_CLOSED, revision 0. A trade for an already-closed bar still in
 *   the revision window emits that bar again with revision+1 (never a
 *   silent change); an older one is refused (counted in late_dropped).
 * - A minute without trades, between two minutes with trades, produces
 *   nothing (TF_BAR_EMPTY_SKIP) or a flat bar at the previous close with
 *   volume 0 and TF_BAR_FLAT (TF_BAR_EMPTY_FLAT); every bar built under the
 *   flat policy carries TF_BAR_POLICY_FLAT, so the record states the policy.
 *
 * PROMISE: pure logic, no I/O, no allocation after init; bars come out in
 * open-time order except revisions; single thread. */
#ifndef TF_ENGINE_MD_BARS_H
#define TF_ENGINE_MD_BARS_H

#include <stdint.h>

#include "shm/records.h"

#define TF_BARS_OPEN_MAX 4u        /* bars open at once (minutes within the grace) */
#define TF_BARS_REVISION_MAX 64u   /* closed bars kept for revision */

typedef struct tf_bar_config {
    uint64_t interval_ns;          /* 60e9 for 1-minute bars */
    uint64_t grace_ns;             /* wait after the minute ends before closing */
    uint32_t revision_window;      /* closed bars that late trades may revise (<= TF_BARS_REVISION_MAX) */
    uint32_t empty_policy;         /* tf_md_empty_policy */
} tf_bar_config;

typedef struct tf_bar_builder {
    uint32_t instrument;
    uint32_t price_precision, qty_precision;
    tf_bar_config cfg;
    uint32_t open_count;
    tf_md_bar open[TF_BARS_OPEN_MAX];          /* by open time */
    __int128 open_qsum[TF_BARS_OPEN_MAX];      /* exact sum of price*qty (price x qty units) */
    uint32_t closed_count, closed_head;
    tf_md_bar closed[TF_BARS_REVISION_MAX];    /* ring of the most recent closed bars */
    __int128 closed_qsum[TF_BARS_REVISION_MAX];
    uint64_t last_closed_open_ns;              /* open time of the newest closed bar, 0 none */
    int64_t last_close;                        /* for flat bars */
    uint64_t late_dropped, revisions, flat_bars, closed_total;
} tf_bar_builder;

void tf_bar_init(tf_bar_builder *b, uint32_t instrument, uint32_t price_precision, uint32_t qty_precision,
                 const tf_bar_config *cfg);

/* Fold in one validated trade. Returns how many bars it emitted into out
 * (revisions of closed bars), at most max. */
uint32_t tf_bar_on_trade(tf_bar_builder *b, const tf_md_trade *t, tf_md_bar *out, uint32_t max);

/* The clock moved to `now_ns` (epoch ns, the local estimate of venue time):
 * close every bar whose end + grace <= now (with flat bars for empty
 * minutes under that policy). Returns how many bars went into out. */
uint32_t tf_bar_on_time(tf_bar_builder *b, uint64_t now_ns, tf_md_bar *out, uint32_t max);

/* The newest open bar (for the state segment), or NULL if none. */
const tf_md_bar *tf_bar_current(const tf_bar_builder *b);

#endif

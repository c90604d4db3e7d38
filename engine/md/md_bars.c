/* 1-minute bars from validated trades (md_bars.h). */
#include "engine/md/md_bars.h"

#include <string.h>

#include "shm/fixed.h"

void tf_bar_init(tf_bar_builder *b, uint32_t instrument, uint32_t price_precision, uint32_t qty_precision,
                 const tf_bar_config *cfg)
{
    memset(b, 0, sizeof *b);
    b->instrument = instrument;
    b->price_precision = price_precision;
    b->qty_precision = qty_precision;
    b->cfg = *cfg;
    if (!b->cfg.interval_ns)
        b->cfg.interval_ns = 60000000000ull;
    if (b->cfg.revision_window == 0 || b->cfg.revision_window > TF_BARS_REVISION_MAX)
        b->cfg.revision_window = TF_BARS_REVISION_MAX;
}

static uint8_t tf__policy_flag(const tf_bar_builder *b)
{
    return b->cfg.empty_policy == TF_BAR_EMPTY_FLAT ? TF_BAR_POLICY_FLAT : 0;
}

/* Derived fields from the exact sum (price units x qty units): quote volume
 * at TF_BAR_QUOTE_PRECISION and VWAP at price precision + TF_BAR_VWAP_EXTRA,
 * both rounded half up; a quote volume beyond int64 (92 billion in the
 * quote currency in one bar) is held at the limit. */
static void tf__finish(const tf_bar_builder *b, tf_md_bar *bar, __int128 qsum)
{
    int e = (int)TF_BAR_QUOTE_PRECISION - (int)(b->price_precision + b->qty_precision);
    __int128 qv = e >= 0 ? qsum * tf_pow10[e] : (qsum + tf_pow10[-e] / 2) / tf_pow10[-e];
    bar->quote_volume = qv > INT64_MAX ? INT64_MAX : (int64_t)qv;
    bar->vwap = bar->volume > 0 ? (int64_t)((qsum * tf_pow10[TF_BAR_VWAP_EXTRA] + bar->volume / 2) / bar->volume)
                                : bar->close * tf_pow10[TF_BAR_VWAP_EXTRA];
}

static void tf__fold(const tf_bar_builder *b, tf_md_bar *bar, __int128 *qsum, const tf_md_trade *t)
{
    if (bar->trade_count == 0) {
        bar->open = bar->high = bar->low = bar->close = t->price;
        bar->first_trade_id = bar->last_trade_id = t->trade_id;
        bar->volume = 0;
        *qsum = 0;
        bar->flags &= (uint8_t)~TF_BAR_FLAT;
    } else {
        if (t->price > bar->high)
            bar->high = t->price;
        if (t->price < bar->low)
            bar->low = t->price;
        if (t->trade_id < bar->first_trade_id) {
            bar->first_trade_id = t->trade_id;
            bar->open = t->price;
        }
        if (t->trade_id > bar->last_trade_id) {
            bar->last_trade_id = t->trade_id;
            bar->close = t->price;
        }
    }
    bar->volume += t->qty;
    *qsum += (__int128)t->price * t->qty;
    bar->trade_count++;
    tf__finish(b, bar, *qsum);
}

/* Index into the closed ring of the i-th newest (0 = newest). */
static uint32_t tf__ring_at(const tf_bar_builder *b, uint32_t i)
{
    uint32_t w = b->cfg.revision_window;
    return (b->closed_head + w - 1 - i) % w;
}

static int tf__ring_find(const tf_bar_builder *b, uint64_t open_ns)
{
    for (uint32_t i = 0; i < b->closed_count; i++) {
        uint32_t k = tf__ring_at(b, i);
        if (b->closed[k].open_time_ns == open_ns)
            return (int)k;
    }
    return -1;
}

static void tf__ring_push(tf_bar_builder *b, const tf_md_bar *bar, __int128 qsum)
{
    uint32_t w = b->cfg.revision_window;
    b->closed[b->closed_head] = *bar;
    b->closed_qsum[b->closed_head] = qsum;
    b->closed_head = (b->closed_head + 1) % w;
    if (b->closed_count < w)
        b->closed_count++;
}

/* Oldest open time still held in the ring (0 if none). */
static uint64_t tf__ring_oldest(const tf_bar_builder *b)
{
    uint64_t oldest = 0;
    for (uint32_t i = 0; i < b->closed_count; i++) {
        uint64_t o = b->closed[tf__ring_at(b, i)].open_time_ns;
        if (!oldest || o < oldest)
            oldest = o;
    }
    return oldest;
}

static void tf__emit(tf_md_bar *out, uint32_t max, uint32_t *n, const tf_md_bar *bar)
{
    if (*n < max)
        out[(*n)++] = *bar;
}

/* A bar's close changed: flat bars right after it follow (revised). */
static void tf__refresh_flats(tf_bar_builder *b, uint64_t open_ns, int64_t close, tf_md_bar *out,
                             uint32_t max, uint32_t *n)
{
    for (uint64_t m = open_ns + b->cfg.interval_ns;; m += b->cfg.interval_ns) {
        int k = tf__ring_find(b, m);
        if (k < 0 || !(b->closed[k].flags & TF_BAR_FLAT) || b->closed[k].close == close)
            return;
        tf_md_bar *f = &b->closed[k];
        f->open = f->high = f->low = f->close = close;
        f->vwap = close * tf_pow10[TF_BAR_VWAP_EXTRA];
        f->revision++;
        b->revisions++;
        tf__emit(out, max, n, f);
    }
}

static void tf__close(tf_bar_builder *b, const tf_md_bar *bar, __int128 qsum, tf_md_bar *out, uint32_t max,
                      uint32_t *n)
{
    tf_md_bar c = *bar;
    c.flags |= TF_BAR_CLOSED;
    tf__ring_push(b, &c, qsum);
    if (c.open_time_ns > b->last_closed_open_ns)
        b->last_closed_open_ns = c.open_time_ns;
    b->last_close = c.close;
    b->closed_total++;
    tf__emit(out, max, n, &c);
}

static void tf__close_oldest_open(tf_bar_builder *b, tf_md_bar *out, uint32_t max, uint32_t *n)
{
    tf__close(b, &b->open[0], b->open_qsum[0], out, max, n);
    memmove(&b->open[0], &b->open[1], (b->open_count - 1) * sizeof b->open[0]);
    memmove(&b->open_qsum[0], &b->open_qsum[1], (b->open_count - 1) * sizeof b->open_qsum[0]);
    b->open_count--;
}

uint32_t tf_bar_on_trade(tf_bar_builder *b, const tf_md_trade *t, tf_md_bar *out, uint32_t max)
{
    uint32_t n = 0;
    uint64_t m = t->trade_time_ns - t->trade_time_ns % b->cfg.interval_ns;
    if (b->closed_count && m <= b->last_closed_open_ns) {
        /* Late: its minute has closed. */
        int k = tf__ring_find(b, m);
        if (k >= 0) {
            tf_md_bar *bar = &b->closed[k];
            int64_t old_close = bar->close;
            tf__fold(b, bar, &b->closed_qsum[k], t);
            bar->revision++;
            b->revisions++;
            tf__emit(out, max, &n, bar);
            if (bar->close != old_close)
                tf__refresh_flats(b, bar->open_time_ns, bar->close, out, max, &n);
            return n;
        }
        if (m < tf__ring_oldest(b)) {
            b->late_dropped++;
            return 0;
        }
        /* A minute that had no bar (skip policy): it appears now, closed. */
        tf_md_bar bar;
        memset(&bar, 0, sizeof bar);
        bar.instrument = b->instrument;
        bar.open_time_ns = m;
        bar.flags = tf__policy_flag(b) | TF_BAR_CLOSED;
        __int128 qsum = 0;
        tf__fold(b, &bar, &qsum, t);
        tf__ring_push(b, &bar, qsum);
        b->closed_total++;
        tf__emit(out, max, &n, &bar);
        return n;
    }
    uint32_t i = 0;
    while (i < b->open_count && b->open[i].open_time_ns < m)
        i++;
    if (i == b->open_count || b->open[i].open_time_ns != m) {
        if (b->open_count == TF_BARS_OPEN_MAX) {
            if (i == 0) { /* older than every open bar and no room: it can only be late */
                b->late_dropped++;
                return 0;
            }
            tf__close_oldest_open(b, out, max, &n);
            i--;
        }
        memmove(&b->open[i + 1], &b->open[i], (b->open_count - i) * sizeof b->open[0]);
        memmove(&b->open_qsum[i + 1], &b->open_qsum[i], (b->open_count - i) * sizeof b->open_qsum[0]);
        b->open_count++;
        memset(&b->open[i], 0, sizeof b->open[i]);
        b->open[i].instrument = b->instrument;
        b->open[i].open_time_ns = m;
        b->open[i].flags = tf__policy_flag(b);
        b->open_qsum[i] = 0;
    }
    tf__fold(b, &b->open[i], &b->open_qsum[i], t);
    return n;
}

uint32_t tf_bar_on_time(tf_bar_builder *b, uint64_t now_ns, tf_md_bar *out, uint32_t max)
{
    uint32_t n = 0;
    uint64_t iv = b->cfg.interval_ns;
    bool flat = b->cfg.empty_policy == TF_BAR_EMPTY_FLAT;
    while (n < max) {
        /* The next minute to close: the oldest open bar, or under the flat
         * policy the minute after the last closed one if it had no trades. */
        uint64_t next = UINT64_MAX;
        if (b->open_count)
            next = b->open[0].open_time_ns;
        if (flat && b->closed_count && b->last_closed_open_ns + iv < next)
            next = b->last_closed_open_ns + iv;
        if (next == UINT64_MAX || next + iv + b->cfg.grace_ns > now_ns)
            break;
        if (b->open_count && b->open[0].open_time_ns == next) {
            tf__close_oldest_open(b, out, max, &n);
        } else {
            tf_md_bar f;
            memset(&f, 0, sizeof f);
            f.instrument = b->instrument;
            f.open_time_ns = next;
            f.flags = TF_BAR_FLAT | TF_BAR_POLICY_FLAT;
            f.open = f.high = f.low = f.close = b->last_close;
            f.vwap = b->last_close * tf_pow10[TF_BAR_VWAP_EXTRA];
            b->flat_bars++;
            tf__close(b, &f, 0, out, max, &n);
        }
    }
    return n;
}

const tf_md_bar *tf_bar_current(const tf_bar_builder *b)
{
    return b->open_count ? &b->open[b->open_count - 1] : NULL;
}

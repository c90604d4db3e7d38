/* L2 book by Binance's snapshot + diff procedure (md_book.h).
 *
 * Each side is a sorted array with the best price at the END (bids
 * ascending, asks descending), so the busy top of the book changes with
 * little memmove; a level is found by binary search. */
#include "engine/md/md_book.h"

#include <stdlib.h>
#include <string.h>

const char *const tf_book_action_names[TF_BOOK_ACTION_COUNT] = {
    [TF_BOOK_APPLIED] = "applied",     [TF_BOOK_BUFFERED] = "buffered",
    [TF_BOOK_IGNORED] = "ignored",     [TF_BOOK_NEED_SNAPSHOT] = "need_snapshot",
    [TF_BOOK_GAP] = "gap",             [TF_BOOK_OVERFLOW] = "overflow",
};

int tf_book_init(tf_book *b, uint32_t instrument, uint32_t max_levels, uint32_t pending_max,
                 uint32_t pending_level_max)
{
    memset(b, 0, sizeof *b);
    b->instrument = instrument;
    b->max_levels = max_levels;
    b->pending_max = pending_max;
    b->pending_level_max = pending_level_max;
    b->bids = calloc(max_levels, sizeof *b->bids);
    b->asks = calloc(max_levels, sizeof *b->asks);
    b->pending = calloc(pending_max, sizeof *b->pending);
    b->pending_levels = calloc(pending_level_max, sizeof *b->pending_levels);
    if (!b->bids || !b->asks || !b->pending || !b->pending_levels) {
        tf_book_free(b);
        return -1;
    }
    return 0;
}

void tf_book_free(tf_book *b)
{
    free(b->bids);
    free(b->asks);
    free(b->pending);
    free(b->pending_levels);
    b->bids = b->asks = NULL;
    b->pending = NULL;
    b->pending_levels = NULL;
}

void tf_book_reset(tf_book *b)
{
    b->state = TF_BOOK_UNSYNCED;
    b->last_update_id = 0;
    b->bid_count = b->ask_count = 0;
    b->pending_count = b->pending_level_count = 0;
    b->snapshot_requested = false;
}

/* "Better" in the side's storage order: stored ascending for bids (best
 * last), descending for asks (best last). Returns the index of `price` or
 * where it would go. */
static uint32_t tf__find(const tf_md_level *lv, uint32_t n, int64_t price, int asks, bool *found)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int64_t p = lv[mid].price;
        bool before = asks ? p > price : p < price;
        if (before)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < n && lv[lo].price == price;
    return lo;
}

static void tf__set(tf_book *b, int asks, int64_t price, int64_t qty)
{
    tf_md_level *lv = asks ? b->asks : b->bids;
    uint32_t *n = asks ? &b->ask_count : &b->bid_count;
    bool found;
    uint32_t i = tf__find(lv, *n, price, asks, &found);
    if (found) {
        if (qty == 0) {
            memmove(&lv[i], &lv[i + 1], (*n - i - 1) * sizeof *lv);
            (*n)--;
        } else {
            lv[i].qty = qty;
        }
        return;
    }
    if (qty == 0)
        return; /* removing a level we do not hold: harmless */
    if (*n == b->max_levels) {
        /* Full: the worst level (index 0) goes, unless the new one is worse. */
        if (i == 0) {
            b->levels_dropped++;
            return;
        }
        memmove(&lv[0], &lv[1], (i - 1) * sizeof *lv);
        lv[i - 1] = (tf_md_level){price, qty};
        b->levels_dropped++;
        return;
    }
    memmove(&lv[i + 1], &lv[i], (*n - i) * sizeof *lv);
    lv[i] = (tf_md_level){price, qty};
    (*n)++;
}

static void tf__apply(tf_book *b, const tf_md_level *bids, uint32_t nb, const tf_md_level *asks,
                      uint32_t na)
{
    for (uint32_t i = 0; i < nb; i++)
        tf__set(b, 0, bids[i].price, bids[i].qty);
    for (uint32_t i = 0; i < na; i++)
        tf__set(b, 1, asks[i].price, asks[i].qty);
}

static void tf__restart(tf_book *b)
{
    tf_book_reset(b);
}

static tf_book_action tf__buffer(tf_book *b, const tf_md_depth_msg *m)
{
    uint32_t nl = m->bid_count + m->ask_count;
    if (b->pending_count == b->pending_max || b->pending_level_count + nl > b->pending_level_max) {
        b->overflows++;
        tf__restart(b);
        return TF_BOOK_OVERFLOW;
    }
    tf_book_pending *p = &b->pending[b->pending_count++];
    p->first_update_id = m->first_update_id;
    p->final_update_id = m->final_update_id;
    p->offset = b->pending_level_count;
    p->bid_count = m->bid_count;
    p->ask_count = m->ask_count;
    memcpy(&b->pending_levels[p->offset], m->bids, m->bid_count * sizeof *m->bids);
    memcpy(&b->pending_levels[p->offset + m->bid_count], m->asks, m->ask_count * sizeof *m->asks);
    b->pending_level_count += nl;
    if (!b->snapshot_requested) {
        b->snapshot_requested = true;
        return TF_BOOK_NEED_SNAPSHOT;
    }
    return TF_BOOK_BUFFERED;
}

tf_book_action tf_book_on_diff(tf_book *b, const tf_md_depth_msg *m)
{
    if (b->state != TF_BOOK_SYNCED)
        return tf__buffer(b, m);
    if (m->final_update_id < b->last_update_id + 1) {
        b->ignored++;
        return TF_BOOK_IGNORED; /* old: already in the book */
    }
    if (m->first_update_id > b->last_update_id + 1) {
        b->gaps++;
        tf__restart(b);
        /* This diff starts the new attempt's buffer. */
        tf__buffer(b, m);
        return TF_BOOK_GAP;
    }
    tf__apply(b, m->bids, m->bid_count, m->asks, m->ask_count);
    b->last_update_id = m->final_update_id;
    b->applied++;
    return TF_BOOK_APPLIED;
}

/* The snapshot's levels, best first in the snapshot, into storage order
 * (best last), keeping the best max_levels. */
static void tf__load_side(tf_book *b, int asks, const tf_md_level *src, uint32_t n)
{
    uint32_t *cnt = asks ? &b->ask_count : &b->bid_count;
    *cnt = 0;
    /* Insert one by one: the snapshot's order is not trusted. */
    for (uint32_t i = 0; i < n; i++)
        tf__set(b, asks, src[i].price, src[i].qty);
}

tf_book_action tf_book_on_snapshot(tf_book *b, const tf_md_snapshot *s, tf_book_apply_fn fn, void *ctx)
{
    uint64_t id = s->last_update_id;
    if (b->pending_count && id < b->pending[0].first_update_id) {
        /* Too old for the diffs we hold: ask again (keep buffering). */
        b->snapshot_requested = true;
        return TF_BOOK_NEED_SNAPSHOT;
    }
    /* Drop buffered diffs already contained in the snapshot. */
    uint32_t k = 0;
    while (k < b->pending_count && b->pending[k].final_update_id <= id)
        k++;
    if (k < b->pending_count && b->pending[k].first_update_id > id + 1) {
        b->gaps++;
        tf__restart(b);
        return TF_BOOK_GAP;
    }
    b->bid_count = b->ask_count = 0;
    tf__load_side(b, 0, s->bids, s->bid_count);
    tf__load_side(b, 1, s->asks, s->ask_count);
    b->last_update_id = id;
    for (; k < b->pending_count; k++) {
        const tf_book_pending *p = &b->pending[k];
        if (p->first_update_id > b->last_update_id + 1) {
            b->gaps++;
            tf__restart(b);
            return TF_BOOK_GAP;
        }
        const tf_md_level *lv = &b->pending_levels[p->offset];
        tf__apply(b, lv, p->bid_count, lv + p->bid_count, p->ask_count);
        b->last_update_id = p->final_update_id;
        b->applied++;
        if (fn)
            fn(ctx, p->first_update_id, p->final_update_id, lv, p->bid_count, lv + p->bid_count,
               p->ask_count);
    }
    /* No diff buffered yet (or all older): the snapshot alone is the book;
     * the next diff must bridge it (U <= id+1 <= u) or it is a gap. */
    b->pending_count = b->pending_level_count = 0;
    b->state = TF_BOOK_SYNCED;
    b->snapshot_requested = false;
    b->syncs++;
    return TF_BOOK_APPLIED;
}

bool tf_book_best_bid(const tf_book *b, tf_md_level *out)
{
    if (!b->bid_count) {
        *out = (tf_md_level){0, 0};
        return false;
    }
    *out = b->bids[b->bid_count - 1];
    return true;
}

bool tf_book_best_ask(const tf_book *b, tf_md_level *out)
{
    if (!b->ask_count) {
        *out = (tf_md_level){0, 0};
        return false;
    }
    *out = b->asks[b->ask_count - 1];
    return true;
}

uint32_t tf_book_levels(const tf_book *b, tf_md_side side, tf_md_level *out, uint32_t max)
{
    const tf_md_level *lv = side == TF_SIDE_ASK ? b->asks : b->bids;
    uint32_t n = side == TF_SIDE_ASK ? b->ask_count : b->bid_count;
    uint32_t k = n < max ? n : max;
    for (uint32_t i = 0; i < k; i++)
        out[i] = lv[n - 1 - i];
    return k;
}

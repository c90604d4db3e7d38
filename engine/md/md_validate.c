/* Trade validation and de-duplication (policy in md_validate.h). */
#include "engine/md/md_validate.h"

#include <string.h>

const char *const tf_trade_verdict_names[TF_TRADE_VERDICT_COUNT] = {
    [TF_TRADE_ACCEPT] = "accept",       [TF_TRADE_DUPLICATE] = "duplicate",
    [TF_TRADE_TOO_OLD] = "too_old",     [TF_TRADE_BAD_PRICE] = "bad_price",
    [TF_TRADE_BAD_QTY] = "bad_qty",
};

void tf_trade_validator_init(tf_trade_validator *v, int64_t max_price, uint32_t max_deviation_bps)
{
    memset(v, 0, sizeof *v);
    v->max_price = max_price;
    v->max_deviation_bps = max_deviation_bps;
}

void tf_trade_validator_reset_ids(tf_trade_validator *v)
{
    v->highest_id = 0;
    memset(v->seen, 0, sizeof v->seen);
}

static inline int tf__seen(const tf_trade_validator *v, uint64_t id)
{
    uint64_t b = id & (TF_TRADE_WINDOW - 1);
    return (v->seen[b >> 6] >> (b & 63)) & 1;
}

static inline void tf__mark(tf_trade_validator *v, uint64_t id, int on)
{
    uint64_t b = id & (TF_TRADE_WINDOW - 1);
    if (on)
        v->seen[b >> 6] |= 1ull << (b & 63);
    else
        v->seen[b >> 6] &= ~(1ull << (b & 63));
}

static int tf__price_ok(const tf_trade_validator *v, int64_t px)
{
    if (px <= 0 || (v->max_price && px > v->max_price))
        return 0;
    if (v->max_deviation_bps && v->last_price) {
        __int128 diff = (__int128)px - v->last_price;
        if (diff < 0)
            diff = -diff;
        if (diff * 10000 > (__int128)v->last_price * v->max_deviation_bps)
            return 0;
    }
    return 1;
}

tf_trade_verdict tf_trade_check(tf_trade_validator *v, tf_md_trade *t, uint64_t *gap_first,
                                uint64_t *gap_last)
{
    *gap_first = *gap_last = 0;
    uint64_t id = t->trade_id;
    if (v->highest_id && id <= v->highest_id) {
        if (v->highest_id - id >= TF_TRADE_WINDOW) {
            v->too_old++;
            return TF_TRADE_TOO_OLD;
        }
        if (tf__seen(v, id)) {
            v->duplicates++;
            return TF_TRADE_DUPLICATE;
        }
    }
    if (!tf__price_ok(v, t->price)) {
        v->bad_price++;
        return TF_TRADE_BAD_PRICE;
    }
    if (t->qty <= 0) {
        v->bad_qty++;
        return TF_TRADE_BAD_QTY;
    }
    if (!v->highest_id || id > v->highest_id) {
        if (v->highest_id && id > v->highest_id + 1) {
            *gap_first = v->highest_id + 1;
            *gap_last = id - 1;
            v->gaps++;
            v->gap_ids += id - 1 - v->highest_id;
            t->flags |= TF_MD_AFTER_GAP;
        }
        /* Ids leaving the window forget their bit before it is reused. */
        uint64_t from = v->highest_id ? v->highest_id + 1 : id;
        if (id - from >= TF_TRADE_WINDOW)
            memset(v->seen, 0, sizeof v->seen);
        else
            for (uint64_t k = from; k < id; k++)
                tf__mark(v, k, 0);
        v->highest_id = id;
    } else {
        t->flags |= TF_MD_OUT_OF_ORDER;
        v->gaps_filled++;
    }
    tf__mark(v, id, 1);
    v->last_price = t->price;
    v->accepted++;
    return TF_TRADE_ACCEPT;
}

/* Reference prices for the order path, read from the feed's state slots
 * (seqlocked, written by the feed stage): the mid of the top of book when
 * both sides are there and fresh, else the last trade when fresh, else none.
 * In-process reads of another stage's slots: never blocks, a torn slot
 * after the retry bound counts as no reference. */
#ifndef TF_ENGINE_MD_REFERENCE_H
#define TF_ENGINE_MD_REFERENCE_H

#include <stdint.h>

#include "shm/records.h"
#include "shm/state.h"

typedef struct tf_md_ref_slots {
    const tf_state_slot *top;        /* TF_STATE_MD_TOP; may be NULL */
    const tf_state_slot *last_trade; /* TF_STATE_MD_LAST_TRADE; may be NULL */
} tf_md_ref_slots;

/* Age of a slot written at `at`: the writer is another thread whose clock
 * read may come after our `now` (read once per duty cycle): that is fresh,
 * not 2^64 ns old. */
static inline uint64_t tf_md_age(uint64_t now_ns, uint64_t at)
{
    return now_ns > at ? now_ns - at : 0;
}

/* The reference price in price units, 0 if none is fresher than max_age_ns. */
static inline int64_t tf_md_reference(const tf_md_ref_slots *s, uint64_t now_ns, uint64_t max_age_ns)
{
    uint64_t at = 0;
    if (s->top) {
        tf_md_top top;
        if (tf_state_read(s->top, &top, sizeof top, 64, &at) == TF_STATE_OK &&
            tf_md_age(now_ns, at) <= max_age_ns && top.bid_price > 0 && top.ask_price > 0 &&
            top.ask_qty > 0 && top.bid_qty > 0)
            return top.bid_price + (top.ask_price - top.bid_price) / 2;
    }
    if (s->last_trade) {
        tf_md_trade t;
        if (tf_state_read(s->last_trade, &t, sizeof t, 64, &at) == TF_STATE_OK &&
            tf_md_age(now_ns, at) <= max_age_ns && t.price > 0)
            return t.price;
    }
    return 0;
}

#endif

/* tfconsole's depth ladder: each instrument's book rebuilt out of band from
 * the journal's depth records (a snapshot's levels, then the diff updates,
 * each level an absolute quantity, 0 removing it), as the engine's feed
 * stage builds its own. The nearest CON_BOOK_LEVELS levels a side are kept;
 * the ladder shows the nearest CON_LADDER. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "shm/fixed.h"
#include "tools/console/console.h"

static void set_level(con_level *lv, uint32_t *n, bool bids, int64_t price, int64_t qty)
{
    uint32_t i = 0;
    while (i < *n && (bids ? lv[i].price > price : lv[i].price < price))
        i++;
    bool here = i < *n && lv[i].price == price;
    if (qty == 0) {
        if (here) {
            memmove(&lv[i], &lv[i + 1], (*n - i - 1) * sizeof *lv);
            (*n)--;
        }
        return;
    }
    if (here) {
        lv[i].qty = qty;
        return;
    }
    if (i >= CON_BOOK_LEVELS)
        return; /* deeper than kept */
    uint32_t move = *n - i - (*n == CON_BOOK_LEVELS ? 1 : 0);
    memmove(&lv[i + 1], &lv[i], move * sizeof *lv);
    lv[i] = (con_level){price, qty};
    if (*n < CON_BOOK_LEVELS)
        (*n)++;
}

void console_book_apply(console *c, const tf_md_depth *d)
{
    if (d->instrument >= QS_MAX_INSTRUMENTS)
        return;
    con_book *b = c->books[d->instrument];
    if (!b && !(b = c->books[d->instrument] = calloc(1, sizeof *b)))
        return;
    if (d->flags & TF_MD_DEPTH_CLEAR) {
        b->nbids = b->nasks = 0;
        b->synced = false;
    } else if ((d->flags & TF_MD_DEPTH_SNAPSHOT) && (d->flags & TF_MD_DEPTH_FIRST)) {
        b->nbids = b->nasks = 0; /* a snapshot replaces the book */
        b->synced = true;
    }
    if (!(d->flags & TF_MD_DEPTH_CLEAR)) {
        if (d->side == TF_SIDE_BID)
            set_level(b->bids, &b->nbids, true, d->price, d->qty);
        else
            set_level(b->asks, &b->nasks, false, d->price, d->qty);
    }
    b->update_id = d->final_update_id;
    b->changed = true;
}

void console_book_json(const console *c, con_text *t, uint32_t id)
{
    const con_book *b = id < QS_MAX_INSTRUMENTS ? c->books[id] : NULL;
    const tf_md_instrument_info *in = &c->src.md.info[id];
    con_printf(t, CON_FRAME_MAX, "\"depth\":{\"synced\":%s,\"update_id\":%" PRIu64 ",\"bids\":[",
               b && b->synced ? "true" : "false", b ? b->update_id : 0);
    for (int side = 0; side < 2; side++) {
        const con_level *lv = b ? (side ? b->asks : b->bids) : NULL;
        uint32_t n = b ? (side ? b->nasks : b->nbids) : 0;
        for (uint32_t i = 0; i < n && i < CON_LADDER; i++) {
            char p[48], q[48];
            tf_fixed_format(p, sizeof p, lv[i].price, in->price_precision);
            tf_fixed_format(q, sizeof q, lv[i].qty, in->qty_precision);
            con_printf(t, CON_FRAME_MAX, "%s[\"%s\",\"%s\"]", i ? "," : "", p, q);
        }
        con_put(t, side ? "]}" : "],\"asks\":[", side ? 2 : 10, CON_FRAME_MAX);
    }
}

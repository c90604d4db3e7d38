/* The paper venue; see paper.h. */
#include "engine/orders/paper.h"

#include <stdlib.h>
#include <string.h>

#include "shm/err.h"
#include "shm/records.h"

#define TF__NIL UINT32_MAX

/* Wall clock once per poll (0 outside one: read now). */
static uint64_t tf__rt(const tf_paper *p) { return p->rt_now ? p->rt_now : tf_realtime_ns(); }

static void tf__report(tf_paper *p, const tf_exec_report *x)
{
    p->outbox[p->out_tail++ % TF_PAPER_OUTBOX] = *x;
}

bool tf_paper_next_report(tf_paper *p, tf_exec_report *x)
{
    if (p->out_head == p->out_tail)
        return false;
    *x = p->outbox[p->out_head++ % TF_PAPER_OUTBOX];
    return true;
}

static uint32_t tf__outbox_used(const tf_paper *p) { return p->out_tail - p->out_head; }

static int64_t tf__fee(const tf_paper *p, uint32_t ins, int64_t px, int64_t qty, bool maker)
{
    const tf_instrument *in = &p->instruments->items[ins];
    __int128 n = tf_money_notional(px, qty, in->price_precision, in->qty_precision);
    return (int64_t)(n * (maker ? p->maker_cbps : p->taker_cbps) / 1000000);
}

static void tf__fill(tf_paper *p, tf_paper_order *o, int64_t px, int64_t qty, bool maker)
{
    o->cum += qty;
    tf_exec_report x = {.kind = TF_EX_FILL, .liquidity = maker ? 1 : 2, .instrument = o->instrument,
                        .order_id = o->order_id, .last_px = px, .last_qty = qty,
                        .fee = tf__fee(p, o->instrument, px, qty, maker),
                        .venue_realtime_ns = tf__rt(p)};
    tf__report(p, &x);
    if (p->c_fills)
        tf_counter_inc(p->c_fills, 1);
}

static void tf__simple(tf_paper *p, uint8_t kind, uint64_t id, uint32_t ins, uint16_t reason)
{
    tf_exec_report x = {.kind = kind, .instrument = ins, .order_id = id, .reason = reason,
                        .venue_realtime_ns = tf__rt(p)};
    tf__report(p, &x);
}

/* ---- resting orders ---------------------------------------------------------- */

static tf_paper_order *tf__find(tf_paper *p, uint64_t id)
{
    uint32_t k;
    return tf_id_map_get(&p->ids, id, &k) ? &p->orders[k] : NULL;
}

/* A new order with these terms (from a venue command or a replayed order). */
static tf_paper_order *tf__alloc(tf_paper *p, uint64_t id, uint32_t instrument, uint8_t side,
                                 uint8_t type, uint8_t tif, int64_t price, int64_t qty)
{
    uint32_t k = p->free_head;
    if (k == TF__NIL || !tf_id_map_put(&p->ids, id, k))
        return NULL;
    p->free_head = p->orders[k].next;
    tf_paper_order *o = &p->orders[k];
    *o = (tf_paper_order){.order_id = id, .instrument = instrument, .side = side, .type = type,
                          .tif = tif, .price = price, .qty = qty, .next = TF__NIL, .prev = TF__NIL};
    return o;
}

static void tf__rest(tf_paper *p, tf_paper_order *o)
{
    uint32_t k = (uint32_t)(o - p->orders);
    tf_paper_book *b = &p->books[o->instrument];
    o->used = 1;
    o->prev = TF__NIL;
    o->next = b->resting_head;
    if (o->next != TF__NIL)
        p->orders[o->next].prev = k;
    b->resting_head = k;
}

static void tf__release(tf_paper *p, tf_paper_order *o)
{
    uint32_t k = (uint32_t)(o - p->orders);
    if (o->used) {
        tf_paper_book *b = &p->books[o->instrument];
        if (o->prev != TF__NIL)
            p->orders[o->prev].next = o->next;
        else
            b->resting_head = o->next;
        if (o->next != TF__NIL)
            p->orders[o->next].prev = o->prev;
    }
    tf_id_map_del(&p->ids, o->order_id);
    o->used = 0;
    o->order_id = 0;
    o->next = p->free_head;
    p->free_head = k;
}

/* ---- the book ------------------------------------------------------------------- */

/* Set a level (qty 0 removes it) in a side kept best first. */
static void tf__level_set(tf_md_level *lv, uint32_t *n, int64_t price, int64_t qty, bool desc)
{
    uint32_t lo = 0, hi = *n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        bool before = desc ? lv[mid].price > price : lv[mid].price < price;
        if (before)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < *n && lv[lo].price == price) {
        if (qty > 0) {
            lv[lo].qty = qty;
        } else {
            memmove(&lv[lo], &lv[lo + 1], (*n - lo - 1) * sizeof *lv);
            (*n)--;
        }
        return;
    }
    if (qty <= 0 || lo >= TF_PAPER_LEVELS)
        return; /* removing an unknown level, or worse than every level kept */
    uint32_t keep = *n < TF_PAPER_LEVELS ? *n : TF_PAPER_LEVELS - 1;
    memmove(&lv[lo + 1], &lv[lo], (keep - lo) * sizeof *lv);
    lv[lo] = (tf_md_level){.price = price, .qty = qty};
    *n = keep + 1;
}

/* Make (price, qty) the best level of a side: better levels are dropped. */
static void tf__set_top(tf_md_level *lv, uint32_t *n, int64_t price, int64_t qty, bool desc)
{
    uint32_t k = 0;
    while (k < *n && (desc ? lv[k].price > price : lv[k].price < price))
        k++;
    memmove(lv, lv + k, (*n - k) * sizeof *lv);
    *n -= k;
    tf__level_set(lv, n, price, qty, desc);
}

/* The side an order takes from: levels and count (bookTicker's top when empty). */
static tf_md_level *tf__opposite(tf_paper_book *b, int side, uint32_t **n, uint32_t *one)
{
    if (side == TF_BUY) {
        if (b->ask_count) {
            *n = &b->ask_count;
            return b->asks;
        }
        *one = b->quote_ask.qty > 0;
        *n = one;
        return &b->quote_ask;
    }
    if (b->bid_count) {
        *n = &b->bid_count;
        return b->bids;
    }
    *one = b->quote_bid.qty > 0;
    *n = one;
    return &b->quote_bid;
}

static bool tf__crosses(const tf_paper_order *o, int64_t level_px)
{
    if (o->type == TF_MARKET)
        return true;
    return o->side == TF_BUY ? level_px <= o->price : level_px >= o->price;
}

/* Take liquidity for `o` as a taker; returns the quantity filled. */
static void tf__walk(tf_paper *p, tf_paper_order *o)
{
    tf_paper_book *b = &p->books[o->instrument];
    uint32_t one = 0, *n;
    tf_md_level *lv = tf__opposite(b, o->side, &n, &one);
    if (o->tif == TF_FOK) {
        int64_t avail = 0;
        for (uint32_t k = 0; k < *n && tf__crosses(o, lv[k].price); k++)
            avail += lv[k].qty;
        if (avail < o->qty - o->cum)
            return;
    }
    while (o->cum < o->qty && *n > 0 && tf__crosses(o, lv[0].price)) {
        int64_t take = o->qty - o->cum < lv[0].qty ? o->qty - o->cum : lv[0].qty;
        tf__fill(p, o, lv[0].price, take, false);
        lv[0].qty -= take;
        if (lv[0].qty == 0) {
            memmove(&lv[0], &lv[1], (*n - 1) * sizeof *lv);
            (*n)--;
        }
    }
}

/* After taking: finish, expire or rest. */
static void tf__settle(tf_paper *p, tf_paper_order *o)
{
    if (o->cum == o->qty) {
        tf__release(p, o);
        return;
    }
    if (o->type == TF_MARKET || o->tif != TF_GTC) {
        tf__simple(p, TF_EX_EXPIRED, o->order_id, o->instrument, 0);
        if (p->c_expired)
            tf_counter_inc(p->c_expired, 1);
        tf__release(p, o);
        return;
    }
    if (!o->used)
        tf__rest(p, o);
}

/* ---- commands -------------------------------------------------------------------- */

void tf_paper_on_cmd(tf_paper *p, const tf_venue_cmd *c)
{
    tf_paper_order *o;
    switch (c->kind) {
    case TF_VC_NEW:
        if (c->instrument >= p->instruments->count || tf__find(p, c->order_id) ||
            !(o = tf__alloc(p, c->order_id, c->instrument, c->side, c->type, c->tif, c->price,
                            c->qty))) {
            tf__simple(p, TF_EX_REJECT, c->order_id, c->instrument, TF_RJ_VENUE);
            if (p->c_rejects)
                tf_counter_inc(p->c_rejects, 1);
            return;
        }
        tf__simple(p, TF_EX_ACK, c->order_id, c->instrument, 0);
        if (p->c_acks)
            tf_counter_inc(p->c_acks, 1);
        tf__walk(p, o);
        tf__settle(p, o);
        return;
    case TF_VC_CANCEL:
        if (!(o = tf__find(p, c->order_id))) {
            tf__simple(p, TF_EX_CANCEL_REJECT, c->order_id, c->instrument, TF_RJ_UNKNOWN_ORDER);
            return;
        }
        tf__simple(p, TF_EX_CANCELED, c->order_id, o->instrument, 0);
        tf__release(p, o);
        return;
    case TF_VC_REPLACE:
        if (!(o = tf__find(p, c->order_id)) || c->qty <= o->cum || c->price <= 0) {
            tf__simple(p, TF_EX_CANCEL_REJECT, c->order_id, c->instrument,
                       o ? TF_RJ_BAD_REQUEST : TF_RJ_UNKNOWN_ORDER);
            return;
        }
        o->price = c->price;
        o->qty = c->qty;
        tf_exec_report x = {.kind = TF_EX_REPLACED, .instrument = o->instrument,
                            .order_id = o->order_id, .price = c->price, .qty = c->qty,
                            .venue_realtime_ns = tf__rt(p)};
        tf__report(p, &x);
        tf__walk(p, o);
        tf__settle(p, o);
        return;
    case TF_VC_FORGET: /* an operator settled it: it trades no more */
        if ((o = tf__find(p, c->order_id)))
            tf__release(p, o);
        return;
    default: /* TF_VC_SESSION_RESET: no sessions here */
        return;
    }
}

/* ---- market data ------------------------------------------------------------------- */

static void tf__on_trade(tf_paper *p, const tf_md_trade *t)
{
    tf_paper_book *b = &p->books[t->instrument];
    int64_t left = t->qty;
    for (uint32_t k = b->resting_head; k != TF__NIL && left > 0;) {
        tf_paper_order *o = &p->orders[k];
        k = o->next;
        bool through = o->side == TF_BUY ? t->price < o->price : t->price > o->price;
        if (!through)
            continue;
        int64_t take = o->qty - o->cum < left ? o->qty - o->cum : left;
        left -= take;
        tf__fill(p, o, o->price, take, true);
        if (o->cum == o->qty)
            tf__release(p, o);
    }
}

void tf_paper_on_md(tf_paper *p, uint16_t type, const void *payload)
{
    if (type == TF_REC_MD_DEPTH) {
        const tf_md_depth *d = payload;
        if (d->instrument >= p->instruments->count)
            return;
        tf_paper_book *b = &p->books[d->instrument];
        if ((d->flags & TF_MD_DEPTH_CLEAR) ||
            ((d->flags & TF_MD_DEPTH_SNAPSHOT) && (d->flags & TF_MD_DEPTH_FIRST))) {
            b->bid_count = b->ask_count = 0;
            if (d->flags & TF_MD_DEPTH_CLEAR)
                b->quote_update_id = 0; /* a resync: the sequence may start again */
        }
        if (d->flags & TF_MD_DEPTH_CLEAR)
            return;
        /* A depth update older than the latest bookTicker (the venue numbers
         * both from one sequence) cannot put a level better than its top. */
        if (d->final_update_id < b->quote_update_id && d->qty > 0 &&
            (d->side == TF_SIDE_BID ? b->quote_bid.qty > 0 && d->price > b->quote_bid.price
                                    : b->quote_ask.qty > 0 && d->price < b->quote_ask.price))
            return;
        if (d->side == TF_SIDE_BID)
            tf__level_set(b->bids, &b->bid_count, d->price, d->qty, true);
        else
            tf__level_set(b->asks, &b->ask_count, d->price, d->qty, false);
    } else if (type == TF_REC_MD_QUOTE) {
        const tf_md_quote *q = payload;
        if (q->instrument >= p->instruments->count)
            return;
        tf_paper_book *b = &p->books[q->instrument];
        b->quote_bid = (tf_md_level){q->bid_price, q->bid_qty};
        b->quote_ask = (tf_md_level){q->ask_price, q->ask_qty};
        if (q->update_id > b->quote_update_id)
            b->quote_update_id = q->update_id;
        /* bookTicker is ahead of the 100 ms depth stream: levels better than
         * its best bid/ask are gone already, and the best levels hold what
         * it says. Without this a buy at the bid could fill at a stale ask. */
        if (q->bid_price > 0 && q->bid_qty > 0)
            tf__set_top(b->bids, &b->bid_count, q->bid_price, q->bid_qty, true);
        if (q->ask_price > 0 && q->ask_qty > 0)
            tf__set_top(b->asks, &b->ask_count, q->ask_price, q->ask_qty, false);
    } else if (type == TF_REC_MD_TRADE) {
        const tf_md_trade *t = payload;
        if (t->instrument < p->instruments->count)
            tf__on_trade(p, t);
    }
}

/* ---- the stage ---------------------------------------------------------------------- */

static uint32_t tf__flush(tf_paper *p)
{
    uint32_t n = 0;
    while (p->out_head != p->out_tail &&
           tf_spsc_offer(p->out, &p->outbox[p->out_head % TF_PAPER_OUTBOX], sizeof(tf_exec_report))) {
        p->out_head++;
        n++;
    }
    return n;
}

static int tf__poll_inner(tf_stage *self, uint64_t now, bool follow_md)
{
    tf_paper *p = self->ctx;
    (void)now;
    p->rt_now = 0;
    int work = (int)tf__flush(p);
    if (tf__outbox_used(p) > TF_PAPER_OUTBOX / 2)
        return work;
    if (follow_md && p->md) {
        if (!p->following) {
            tf_journal_reader_init(&p->reader, p->md, TF_JOURNAL_FROM_LIVE);
            p->following = true;
        }
        tf_journal_slot *s = (tf_journal_slot *)p->rec;
        for (int n = 0; n < 256 && tf__outbox_used(p) < TF_PAPER_OUTBOX / 2; n++) {
            tf_journal_read_rc rc = tf_journal_read(&p->reader, s);
            if (rc == TF_JR_EMPTY)
                break;
            if (rc == TF_JR_GAP) {
                if (p->c_md_gaps)
                    tf_counter_inc(p->c_md_gaps, 1);
                continue;
            }
            work++;
            if (p->c_md)
                tf_counter_inc(p->c_md, 1);
            tf_paper_on_md(p, s->type, s->payload);
        }
    }
    tf_venue_cmd c;
    for (int n = 0; n < 64 && tf__outbox_used(p) < TF_PAPER_OUTBOX / 2 &&
                    tf_spsc_poll(p->in, &c, sizeof c); n++, work++) {
        if (!p->rt_now)
            p->rt_now = tf_realtime_ns();
        tf_paper_on_cmd(p, &c);
    }
    p->rt_now = 0;
    work += (int)tf__flush(p);
    return work;
}

static int tf__poll(tf_stage *self, uint64_t now) { return tf__poll_inner(self, now, true); }

/* At stop: answer the commands already sent, follow no more market data. */
static int tf__drain(tf_stage *self, uint64_t now)
{
    tf_paper *p = self->ctx;
    return tf__poll_inner(self, now, false) + (int)tf__outbox_used(p);
}

void tf_paper_seed(tf_paper *p, const tf_order *o)
{
    tf_paper_order *x = tf__alloc(p, o->order_id, o->instrument, o->side, o->type, o->tif, o->price,
                                  o->qty);
    if (!x)
        return;
    x->cum = o->cum_qty;
    /* What was pending when the engine stopped is answered now. */
    if (o->state == TF_OS_PENDING_NEW)
        tf__simple(p, TF_EX_ACK, o->order_id, o->instrument, 0);
    else if (o->state == TF_OS_PENDING_REPLACE)
        tf__simple(p, TF_EX_CANCEL_REJECT, o->order_id, o->instrument, TF_RJ_VENUE_UNAVAILABLE);
    if (o->state == TF_OS_PENDING_CANCEL || o->type == TF_MARKET) {
        tf__simple(p, o->state == TF_OS_PENDING_CANCEL ? TF_EX_CANCELED : TF_EX_EXPIRED,
                   o->order_id, o->instrument, 0);
        tf__release(p, x);
        return;
    }
    tf__rest(p, x);
}

int tf_paper_init(tf_stage *stage, tf_paper *p, const tf_config *cfg, const tf_instruments *ins,
                  tf_stats *stats, tf_ring *in, tf_ring *out, const tf_journal *md)
{
    memset(p, 0, sizeof *p);
    p->instruments = ins;
    p->in = in;
    p->out = out;
    p->md = md;
    p->maker_cbps = cfg->orders.maker_fee_cbps;
    p->taker_cbps = cfg->orders.taker_fee_cbps;
    p->capacity = cfg->orders.capacity;
    p->orders = calloc(p->capacity, sizeof *p->orders);
    p->ids.keys = calloc((size_t)p->capacity * 2, sizeof *p->ids.keys);
    p->ids.values = calloc((size_t)p->capacity * 2, sizeof *p->ids.values);
    p->rec = md ? calloc(1, md->slot_size) : NULL;
    bool ok = p->orders && p->ids.keys && p->ids.values && (!md || p->rec);
    for (uint32_t i = 0; ok && i < ins->count; i++) {
        p->books[i].bids = calloc(TF_PAPER_LEVELS, sizeof(tf_md_level));
        p->books[i].asks = calloc(TF_PAPER_LEVELS, sizeof(tf_md_level));
        p->books[i].resting_head = TF__NIL;
        ok = p->books[i].bids && p->books[i].asks;
    }
    if (!ok) {
        tf_paper_free(p);
        return TF_ERR("paper venue: out of memory");
    }
    p->ids.mask = p->capacity * 2 - 1;
    for (uint32_t k = 0; k < p->capacity; k++)
        p->orders[k].next = k + 1 < p->capacity ? k + 1 : TF__NIL;
    p->free_head = 0;
    if (stats && stage) {
        uint32_t ow = stage->owner;
        const tf_counter_reg regs[] = {
            {&p->c_acks, TF_CTR_PAPER_ACKS, NULL},       {&p->c_fills, TF_CTR_PAPER_FILLS, NULL},
            {&p->c_expired, TF_CTR_PAPER_EXPIRED, NULL}, {&p->c_rejects, TF_CTR_PAPER_REJECTS, NULL},
            {&p->c_md, TF_CTR_PAPER_MD_RECORDS, NULL},   {&p->c_md_gaps, TF_CTR_PAPER_MD_GAPS, NULL},
        };
        if (tf_stats_add_counters(stats, ow, regs, TF_ARRAY_LEN(regs)) != 0) {
            tf_paper_free(p);
            return -1; /* the message names the counter; the engine adds the stage */
        }
    }
    if (stage) {
        stage->poll = tf__poll;
        stage->drain = tf__drain;
        stage->ctx = p;
    }
    return 0;
}

void tf_paper_free(tf_paper *p)
{
    for (uint32_t i = 0; i < TF_MAX_INSTRUMENTS; i++) {
        free(p->books[i].bids);
        free(p->books[i].asks);
        p->books[i].bids = p->books[i].asks = NULL;
    }
    free(p->orders);
    free(p->ids.keys);
    free(p->ids.values);
    free(p->rec);
    p->orders = NULL;
    p->ids.keys = NULL;
    p->ids.values = NULL;
    p->rec = NULL;
}

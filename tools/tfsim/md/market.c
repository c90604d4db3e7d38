/* tfsim market data from the books: every event of a symbol's matching
 * engine comes here first (sim_md_event, the book's callback). A LEVEL
 * event updates the mirror (bids/asks: the best SIM_BOOK_MAX levels of a
 * side, in price order, found by binary search) and becomes a pending depth
 * change (U..u of the next depthUpdate); a FILL becomes one trade message,
 * folds into the 1m kline and into the aggTrade being built (one per taker
 * order and price, sent when the taker or the price changes or the
 * operation ends: sim_md_done). Events of participants' orders then go on
 * to the order-entry half through sim.order_events (sim_order_ops: the
 * exchange's execution reports); nothing here calls into exchange/ but the
 * matching engine (match.h). The
 * message writers (trade faults dup/reorder, kline, bookTicker, depth with
 * the gap fault, the REST snapshot) are here too; the generator (gen.c)
 * decides what happens, this file says what happened. No allocation except
 * a reordered trade's copy. */
#include "tools/tfsim/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/tfsim/fmt.h"

#define E8 100000000LL

uint64_t sim_realtime_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t sim_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the mirror and pending depth changes ---------------------------------- */

static void pend(sim *s, int si, int ask, int64_t price, int64_t qty)
{
    sim_symbol *y = &s->sym[si];
    sim_level *p = ask ? y->pend_asks : y->pend_bids;
    uint32_t *n = ask ? &y->npend_asks : &y->npend_bids;
    y->update_id++;
    if (!y->pend_first)
        y->pend_first = y->update_id;
    for (uint32_t i = 0; i < *n; i++)
        if (p[i].price == price) {
            p[i].qty = qty;
            return;
        }
    if (*n == 1024) { /* full: what is pending goes out now, this change starts the next one */
        y->update_id--;
        sim_md_depth(s, si, s->now_ms);
        pend(s, si, ask, price, qty);
        return;
    }
    p[(*n)++] = (sim_level){price, qty};
}

void sim_md_clear_pending(sim_symbol *y)
{
    y->pend_first = 0;
    y->npend_bids = y->npend_asks = 0;
}

/* Sort key: ascending from the best level. */
static inline int64_t mkey(int ask, int64_t price) { return ask ? price : -price; }

/* The side from the book again (after a removal when deeper levels were left out). */
static void mirror_reload(sim_symbol *y, int ask)
{
    static match_level_info tmp[SIM_BOOK_MAX];
    sim_level *lv = ask ? y->asks : y->bids;
    uint32_t n = match_levels(y->book, ask ? MATCH_SELL : MATCH_BUY, tmp, SIM_BOOK_MAX);
    for (uint32_t i = 0; i < n; i++)
        lv[i] = (sim_level){tmp[i].price, tmp[i].qty};
    *(ask ? &y->nasks : &y->nbids) = n;
    *(ask ? &y->asks_cut : &y->bids_cut) = n == SIM_BOOK_MAX;
}

static void mirror_set(sim_symbol *y, int ask, int64_t price, int64_t qty)
{
    sim_level *lv = ask ? y->asks : y->bids;
    uint32_t *n = ask ? &y->nasks : &y->nbids;
    bool *cut = ask ? &y->asks_cut : &y->bids_cut;
    int64_t k = mkey(ask, price);
    uint32_t lo = 0, hi = *n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (mkey(ask, lv[mid].price) < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < *n && lv[lo].price == price) {
        if (qty) {
            lv[lo].qty = qty;
            return;
        }
        memmove(&lv[lo], &lv[lo + 1], (*n - lo - 1) * sizeof *lv);
        (*n)--;
        if (*cut)
            mirror_reload(y, ask);
        return;
    }
    if (!qty)
        return;
    if (*n == SIM_BOOK_MAX) {
        *cut = true;
        if (lo == *n)
            return; /* deeper than the mirror */
        (*n)--;     /* the worst one makes room */
    }
    memmove(&lv[lo + 1], &lv[lo], (*n - lo) * sizeof *lv);
    lv[lo] = (sim_level){price, qty};
    (*n)++;
}

/* ---- messages ---------------------------------------------------------------- */

static void record(sim *s, const char *stream, size_t slen, const char *data, size_t len)
{
    if (!s->record)
        return;
    fprintf(s->record, "{\"stream\":\"%.*s\",\"data\":%.*s}\n", (int)slen, stream, (int)len, data);
}

void sim_md_out(sim *s, int si, uint32_t kind, const char *suffix, const char *data, size_t len)
{
    char stream[64];
    fmt_buf b = {stream, stream + sizeof stream - 1, 0};
    fmt_str(&b, s->sym[si].lower);
    fmt_str(&b, "@");
    fmt_str(&b, suffix);
    *b.p = 0;
    record(s, stream, (size_t)(b.p - stream), data, len);
    sim_publish(s, si, kind, stream, data, len);
}

static void emit_trade(sim *s, int si, const char *data, size_t len)
{
    s->trades_out++;
    const sim_fault *f = &s->fault;
    if (f->reorder_every && s->trades_out % f->reorder_every == 0 && !s->held) {
        s->held = malloc(len);
        if (s->held) {
            memcpy(s->held, data, len);
            s->held_len = len;
            s->held_sym = si;
            s->c_reorder++;
            return; /* goes out after the next trade */
        }
    }
    sim_md_out(s, si, SK_TRADE, "trade", data, len);
    if (f->dup_every && s->trades_out % f->dup_every == 0) {
        sim_md_out(s, si, SK_TRADE, "trade", data, len);
        s->c_dup++;
    }
    if (s->held) {
        char *h = s->held;
        s->held = NULL;
        sim_md_out(s, s->held_sym, SK_TRADE, "trade", h, s->held_len);
        free(h);
    }
}

static void kline_fold(sim_symbol *y, int64_t px, int64_t qty, uint64_t id, uint64_t ms)
{
    uint64_t open = ms - ms % 60000;
    if (open != y->k_open_ms || !y->k_n) {
        y->k_open_ms = open;
        y->k_o = y->k_h = y->k_l = px;
        y->k_v = y->k_q = 0;
        y->k_n = 0;
        y->k_first = id;
    }
    if (px > y->k_h)
        y->k_h = px;
    if (px < y->k_l)
        y->k_l = px;
    y->k_c = px;
    y->k_v += qty;
    y->k_q += (int64_t)((__int128)px * qty / E8);
    y->k_n++;
    y->k_last = id;
}

void sim_md_kline(sim *s, int si, uint64_t now_ms, int closed)
{
    sim_symbol *y = &s->sym[si];
    if (!(s->mix & SK_KLINE) || !y->k_n)
        return;
    fmt_buf b = {s->msg, s->msg + SIM_MSG_MAX, 0};
    fmt_str(&b, "{\"e\":\"kline\",\"E\":");
    fmt_u64(&b, now_ms);
    fmt_str(&b, ",\"s\":\"");
    fmt_str(&b, y->name);
    fmt_str(&b, "\",\"k\":{\"t\":");
    fmt_u64(&b, y->k_open_ms);
    fmt_str(&b, ",\"T\":");
    fmt_u64(&b, y->k_open_ms + 59999);
    fmt_str(&b, ",\"s\":\"");
    fmt_str(&b, y->name);
    fmt_str(&b, "\",\"i\":\"1m\",\"f\":");
    fmt_u64(&b, y->k_first);
    fmt_str(&b, ",\"L\":");
    fmt_u64(&b, y->k_last);
    fmt_str(&b, ",\"o\":");
    fmt_dec8(&b, y->k_o);
    fmt_str(&b, ",\"c\":");
    fmt_dec8(&b, y->k_c);
    fmt_str(&b, ",\"h\":");
    fmt_dec8(&b, y->k_h);
    fmt_str(&b, ",\"l\":");
    fmt_dec8(&b, y->k_l);
    fmt_str(&b, ",\"v\":");
    fmt_dec8(&b, y->k_v);
    fmt_str(&b, ",\"n\":");
    fmt_u64(&b, y->k_n);
    fmt_str(&b, closed ? ",\"x\":true,\"q\":" : ",\"x\":false,\"q\":");
    fmt_dec8(&b, y->k_q);
    fmt_str(&b, ",\"V\":\"0.00000000\",\"Q\":\"0.00000000\",\"B\":\"0\"}}");
    if (!b.overflow)
        sim_md_out(s, si, SK_KLINE, "kline_1m", s->msg, (size_t)(b.p - s->msg));
}

/* The aggTrade of the taker order and price being built, if any. */
static void agg_flush(sim *s, int si)
{
    sim_symbol *y = &s->sym[si];
    if (!y->agg_open)
        return;
    y->agg_open = false;
    if (!(s->mix & SK_AGG))
        return;
    y->agg_id++;
    fmt_buf b = {s->msg, s->msg + SIM_MSG_MAX, 0};
    fmt_str(&b, "{\"e\":\"aggTrade\",\"E\":");
    fmt_u64(&b, s->now_ms);
    fmt_str(&b, ",\"s\":\"");
    fmt_str(&b, y->name);
    fmt_str(&b, "\",\"a\":");
    fmt_u64(&b, y->agg_id);
    fmt_str(&b, ",\"p\":");
    fmt_dec8(&b, y->agg_px);
    fmt_str(&b, ",\"q\":");
    fmt_dec8(&b, y->agg_qty);
    fmt_str(&b, ",\"f\":");
    fmt_u64(&b, y->agg_first);
    fmt_str(&b, ",\"l\":");
    fmt_u64(&b, y->trade_id);
    fmt_str(&b, ",\"T\":");
    fmt_u64(&b, s->now_ms);
    fmt_str(&b, y->agg_buy ? ",\"m\":false,\"M\":true}" : ",\"m\":true,\"M\":true}");
    sim_md_out(s, si, SK_AGG, "aggTrade", s->msg, (size_t)(b.p - s->msg));
}

/* One fill: one trade message (the taker's side says who was the maker). */
static void on_fill(sim *s, int si, const match_event *ev)
{
    sim_symbol *y = &s->sym[si];
    bool buy = ev->side == MATCH_BUY;
    if (y->agg_open && (y->agg_taker != ev->order.id || y->agg_px != ev->price))
        agg_flush(s, si);
    if (!y->agg_open) {
        y->agg_open = true;
        y->agg_buy = buy;
        y->agg_taker = ev->order.id;
        y->agg_px = ev->price;
        y->agg_first = y->trade_id + 1;
        y->agg_qty = 0;
    }
    y->agg_qty += ev->qty;
    y->trade_id++;
    kline_fold(y, ev->price, ev->qty, y->trade_id, s->now_ms);
    if (!(s->mix & SK_TRADE))
        return;
    fmt_buf b = {s->msg, s->msg + SIM_MSG_MAX, 0};
    fmt_str(&b, "{\"e\":\"trade\",\"E\":");
    fmt_u64(&b, s->now_ms);
    fmt_str(&b, ",\"s\":\"");
    fmt_str(&b, y->name);
    fmt_str(&b, "\",\"t\":");
    fmt_u64(&b, y->trade_id);
    fmt_str(&b, ",\"p\":");
    fmt_dec8(&b, ev->price);
    fmt_str(&b, ",\"q\":");
    fmt_dec8(&b, ev->qty);
    fmt_str(&b, ",\"T\":");
    fmt_u64(&b, s->now_ms);
    fmt_str(&b, buy ? ",\"m\":false,\"M\":true}" : ",\"m\":true,\"M\":true}");
    emit_trade(s, si, s->msg, (size_t)(b.p - s->msg));
}

/* --impact: the temporary offset decays with its time constant. */
void sim_impact_decay(sim *s, sim_symbol *y, uint64_t now_ns)
{
    sim_impact_state *m = &y->impact;
    if (m->temp_at_ns && now_ns > m->temp_at_ns && s->impact.decay_ms > 0)
        m->temp_bp *= exp(-(double)(now_ns - m->temp_at_ns) / 1e6 / s->impact.decay_ms);
    m->temp_at_ns = now_ns;
}

/* --impact: a participant's fill moves the fair price (see sim_impact). */
static void impact_fill(sim *s, sim_symbol *y, const match_event *ev)
{
    if (s->impact.perm_bp == 0 && s->impact.temp_bp == 0)
        return;
    int participant_buys;
    if (ev->order.owner != MATCH_AGENT)
        participant_buys = ev->side == MATCH_BUY; /* the participant took */
    else if (ev->maker.owner != MATCH_AGENT)
        participant_buys = ev->side != MATCH_BUY; /* the participant's resting order was hit */
    else
        return;
    double units = (double)ev->qty / 1e8, sign = participant_buys ? 1.0 : -1.0;
    sim_impact_decay(s, y, sim_mono_ns());
    y->impact.perm_bp += sign * s->impact.perm_bp * units;
    y->impact.temp_bp += sign * s->impact.temp_bp * units;
}

void sim_md_event(void *ctx, const match_event *ev)
{
    sim_symbol *y = ctx;
    sim *s = y->sim;
    int si = (int)y->index;
    switch (ev->kind) {
    case MATCH_EV_LEVEL: {
        int ask = ev->side == MATCH_SELL;
        mirror_set(y, ask, ev->price, ev->qty);
        if (!s->seeding) {
            pend(s, si, ask, ev->price, ev->qty);
            if (!s->in_gen)
                y->ext_changes = true;
        }
        return;
    }
    case MATCH_EV_FILL:
        on_fill(s, si, ev);
        impact_fill(s, y, ev);
        if (s->order_events.book_event && (ev->order.owner != MATCH_AGENT || ev->maker.owner != MATCH_AGENT))
            s->order_events.book_event(s->order_events.ctx, y->index, ev);
        return;
    default:
        if (s->order_events.book_event && ev->order.owner != MATCH_AGENT)
            s->order_events.book_event(s->order_events.ctx, y->index, ev);
        return;
    }
}

void sim_md_done(sim *s, int si)
{
    sim_symbol *y = &s->sym[si];
    agg_flush(s, si);
    if (y->nbids && y->nasks)
        y->mid = (y->asks[0].price + y->bids[0].price) / 2;
    else if (y->nbids)
        y->mid = y->bids[0].price + y->tick;
    else if (y->nasks)
        y->mid = y->asks[0].price - y->tick;
    if (!s->in_gen && (y->nbids && y->nasks))
        sim_md_book_ticker(s, si);
}

void sim_md_book_ticker(sim *s, int si)
{
    sim_symbol *y = &s->sym[si];
    if (!y->nbids || !y->nasks)
        return;
    if (y->bids[0].price == y->last_bid && y->bids[0].qty == y->last_bid_qty &&
        y->asks[0].price == y->last_ask && y->asks[0].qty == y->last_ask_qty)
        return;
    y->last_bid = y->bids[0].price;
    y->last_bid_qty = y->bids[0].qty;
    y->last_ask = y->asks[0].price;
    y->last_ask_qty = y->asks[0].qty;
    y->bt_update++;
    if (!(s->mix & SK_BOOK_TICKER))
        return;
    fmt_buf b = {s->msg, s->msg + SIM_MSG_MAX, 0};
    fmt_str(&b, "{\"u\":");
    fmt_u64(&b, y->update_id);
    fmt_str(&b, ",\"s\":\"");
    fmt_str(&b, y->name);
    fmt_str(&b, "\",\"b\":");
    fmt_dec8(&b, y->bids[0].price);
    fmt_str(&b, ",\"B\":");
    fmt_dec8(&b, y->bids[0].qty);
    fmt_str(&b, ",\"a\":");
    fmt_dec8(&b, y->asks[0].price);
    fmt_str(&b, ",\"A\":");
    fmt_dec8(&b, y->asks[0].qty);
    fmt_str(&b, "}");
    sim_md_out(s, si, SK_BOOK_TICKER, "bookTicker", s->msg, (size_t)(b.p - s->msg));
}

static void levels_json(fmt_buf *b, const sim_level *lv, uint32_t n)
{
    fmt_str(b, "[");
    for (uint32_t i = 0; i < n; i++) {
        fmt_str(b, i ? ",[" : "[");
        fmt_dec8(b, lv[i].price);
        fmt_str(b, ",");
        fmt_dec8(b, lv[i].qty);
        fmt_str(b, "]");
    }
    fmt_str(b, "]");
}

/* Changes since the last depthUpdate, as one depthUpdate (both speeds
 * carry the same diff; a session subscribes to one). */
void sim_md_depth(sim *s, int si, uint64_t now_ms)
{
    sim_symbol *y = &s->sym[si];
    if (!y->pend_first)
        return;
    y->ext_changes = false;
    s->depth_count++;
    if (s->fault.gap_every && s->depth_count % s->fault.gap_every == 0) {
        y->pend_first += 3; /* ids U..U+2 are never sent: a gap */
        y->update_id += 3;
        s->c_gap++;
    }
    if (s->mix & (SK_DEPTH_100MS | SK_DEPTH_1S)) {
        fmt_buf b = {s->msg, s->msg + SIM_MSG_MAX, 0};
        fmt_str(&b, "{\"e\":\"depthUpdate\",\"E\":");
        fmt_u64(&b, now_ms);
        fmt_str(&b, ",\"s\":\"");
        fmt_str(&b, y->name);
        fmt_str(&b, "\",\"U\":");
        fmt_u64(&b, y->pend_first);
        fmt_str(&b, ",\"u\":");
        fmt_u64(&b, y->update_id);
        fmt_str(&b, ",\"b\":");
        levels_json(&b, y->pend_bids, y->npend_bids);
        fmt_str(&b, ",\"a\":");
        levels_json(&b, y->pend_asks, y->npend_asks);
        fmt_str(&b, "}");
        if (!b.overflow) {
            sim_md_out(s, si, SK_DEPTH_100MS, "depth@100ms", s->msg, (size_t)(b.p - s->msg));
            sim_md_out(s, si, SK_DEPTH_1S, "depth", s->msg, (size_t)(b.p - s->msg));
        }
    }
    y->emitted_u = y->update_id;
    sim_md_clear_pending(y);
}

void sim_md_tick(sim *s, uint64_t now_ns)
{
    for (uint32_t i = 0; i < s->nsym; i++) {
        sim_symbol *y = &s->sym[i];
        if (y->ext_changes && y->pend_first && now_ns - y->last_depth_ns >= 100000000ull) {
            y->last_depth_ns = now_ns;
            sim_md_depth(s, (int)i, sim_realtime_ms());
        }
    }
}

size_t sim_depth_json(sim *s, uint32_t i, uint32_t limit, char *outbuf, size_t cap)
{
    sim_symbol *y = &s->sym[i];
    fmt_buf b = {outbuf, outbuf + cap, 0};
    uint32_t nb = y->nbids < limit ? y->nbids : limit, na = y->nasks < limit ? y->nasks : limit;
    fmt_str(&b, "{\"lastUpdateId\":");
    fmt_u64(&b, y->update_id);
    fmt_str(&b, ",\"bids\":");
    levels_json(&b, y->bids, nb);
    fmt_str(&b, ",\"asks\":");
    levels_json(&b, y->asks, na);
    fmt_str(&b, "}");
    return b.overflow ? 0 : (size_t)(b.p - outbuf);
}

void sim_book_dump(sim *s, FILE *f)
{
    fprintf(f, "{");
    for (uint32_t i = 0; i < s->nsym; i++) {
        size_t n = sim_depth_json(s, i, SIM_BOOK_MAX, s->msg, SIM_MSG_MAX);
        fprintf(f, "%s\"%s\":%.*s", i ? "," : "", s->sym[i].name, (int)n, s->msg);
    }
    fprintf(f, "}\n");
}

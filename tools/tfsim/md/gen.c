/* tfsim market generator: per symbol a market agent (owner 0 of the
 * symbol's matching engine) keeps SIM_LEVELS levels a side on a tick grid,
 * takers trade against the touch and makers move it (a random walk with
 * bursts), deterministic from --seed. The agent acts only through the book:
 * match_agent_level sets its quantity at a price (makers, new far levels),
 * a taker is an owner-0 IOC order at the touch (match_submit), so it fills
 * whatever rests there first by price-time priority, participants' FIX
 * orders included. What happened comes back as the book's events
 * (market.c: the mirror bids/asks, depth changes, trades). Each schedule
 * slot publishes one message: a trade, an aggTrade, a bookTicker, a
 * depthUpdate (changes since the last one, U..u) or a kline_1m; or the next
 * line of a --replay file. */
#include "tools/tfsim/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define E8 100000000LL

static uint64_t rnd(sim *s)
{
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    return s->rng;
}

static int64_t rnd_range(sim *s, int64_t lo, int64_t hi) { return lo + (int64_t)(rnd(s) % (uint64_t)(hi - lo + 1)); }

/* ---- the agent ----------------------------------------------------------- */

static int64_t new_qty(sim *s, const sim_symbol *y) { return y->lot * rnd_range(s, 1, 2000); }

static int bside(int ask) { return ask ? MATCH_SELL : MATCH_BUY; }

/* The agent's quantity at a price of a side (0: its orders there go). */
static int agent_set(sim_symbol *y, int ask, int64_t price, int64_t qty)
{
    return match_agent_level(y->book, bside(ask), price, qty);
}

/* How many levels from the best lie tick by tick (the agent's grid; a
 * participant's order deep in the book, past a gap, is not part of it):
 * O(1) when the whole grid is there, else a binary search (the prefix
 * property is monotone: prices are strictly ordered on the tick grid). */
static uint32_t grid_len(const sim_symbol *y, int ask)
{
    const sim_level *lv = ask ? y->asks : y->bids;
    uint32_t n = ask ? y->nasks : y->nbids;
    int64_t step = ask ? y->tick : -y->tick;
    uint32_t k = n < SIM_LEVELS ? n : SIM_LEVELS;
    if (k == 0 || lv[k - 1].price == lv[0].price + (int64_t)(k - 1) * step)
        return k;
    uint32_t lo = 1, hi = k - 1; /* lv[lo-1] on the grid, lv[hi] not */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (lv[mid].price == lv[0].price + (int64_t)mid * step)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A side thinner than SIM_LEVELS gets new levels at the far end of its
 * grid (one per level a taker took, as the book keeps its depth). */
static void top_up(sim *s, sim_symbol *y, int ask)
{
    const sim_level *lv = ask ? y->asks : y->bids;
    for (uint32_t g, k = 0; (g = grid_len(y, ask)) < SIM_LEVELS && k < 4 * SIM_LEVELS; k++) {
        int64_t far = g ? lv[g - 1].price : y->mid;
        int64_t px = ask ? far + y->tick : far - y->tick;
        if (px <= 0 || agent_set(y, ask, px, new_qty(s, y)) != MATCH_OK)
            return;
    }
}

/* A maker improves the touch (when the spread allows) or changes a level. */
static void maker(sim *s, sim_symbol *y)
{
    int ask = (int)(rnd(s) & 1);
    const sim_level *lv = ask ? y->asks : y->bids;
    const uint32_t *n = ask ? &y->nasks : &y->nbids;
    if (!y->nasks || !y->nbids) { /* a side was swept away: the agent comes back */
        top_up(s, y, 0);
        top_up(s, y, 1);
        return;
    }
    int64_t spread = y->asks[0].price - y->bids[0].price;
    if (spread > y->tick && (rnd(s) % 3) == 0 && grid_len(y, ask) >= SIM_LEVELS) {
        /* new best inside the spread; the agent's level at the depth limit leaves */
        int64_t best = lv[0].price;
        agent_set(y, ask, lv[SIM_LEVELS - 1].price, 0);
        agent_set(y, ask, ask ? best - y->tick : best + y->tick, new_qty(s, y));
    } else {
        uint32_t k = (uint32_t)(rnd(s) % (*n < 20 ? *n : 20));
        agent_set(y, ask, lv[k].price, new_qty(s, y));
    }
}

/* --impact: move the book one tick toward the fair price's offset (the
 * agent withdraws its touch on one side and quotes a tick past the other). */
static void impact_step(sim *s, sim_symbol *y, uint64_t now_ns)
{
    sim_impact_state *m = &y->impact;
    if ((s->impact.perm_bp == 0 && s->impact.temp_bp == 0) || !y->nbids || !y->nasks)
        return;
    sim_impact_decay(s, y, now_ns);
    double mid = (double)(y->bids[0].price + y->asks[0].price) / 2;
    int64_t want = (int64_t)llround((m->perm_bp + m->temp_bp) / 1e4 * mid / (double)y->tick);
    if (want == m->shifted_ticks)
        return;
    int up = want > m->shifted_ticks;
    /* Up: the best ask goes, a bid a tick above the best bid comes (if the
     * spread allows, else at the old ask); down the mirror image. */
    int64_t bid = y->bids[0].price, ask = y->asks[0].price;
    if (up) {
        agent_set(y, 1, ask, 0);
        agent_set(y, 0, bid + y->tick < ask ? bid + y->tick : ask, new_qty(s, y));
    } else {
        agent_set(y, 0, bid, 0);
        agent_set(y, 1, ask - y->tick > bid ? ask - y->tick : bid, new_qty(s, y));
    }
    m->shifted_ticks += up ? 1 : -1;
    top_up(s, y, 0);
    top_up(s, y, 1);
}

/* A taker order hits the touch: an IOC at the best opposite price for 1-3
 * random lots' worth (no more than the level holds; with max_fills 1 no more
 * than its first order, so it is exactly one fill). */
static void taker(sim *s, int si, int max_fills)
{
    sim_symbol *y = &s->sym[si];
    int buy = (int)(rnd(s) & 1);
    const sim_level *lv = buy ? y->asks : y->bids;
    if (!(buy ? y->nasks : y->nbids))
        return;
    int64_t px = lv[0].price, avail = lv[0].qty;
    match_order_info front;
    if (max_fills == 1 && match_front(y->book, bside(buy), &front) && front.leaves < avail)
        avail = front.leaves;
    int fills = (int)rnd_range(s, 1, max_fills);
    int64_t total = 0;
    for (int k = 0; k < fills && total < avail; k++) {
        int64_t q = y->lot * rnd_range(s, 1, 500);
        total += q < avail - total ? q : avail - total;
    }
    match_new o = {.owner = MATCH_AGENT, .side = buy ? MATCH_BUY : MATCH_SELL, .type = MATCH_LIMIT,
                   .tif = MATCH_IOC, .price = px, .qty = total};
    match_submit(y->book, &o);
    sim_md_done(s, si);
    top_up(s, y, buy);
    sim_md_done(s, si);
}

int sim_gen_init(sim *s)
{
    s->rng = s->seed * 0x9E3779B97F4A7C15ull + 1;
    if (!s->rng)
        s->rng = 1;
    s->seeding = true;
    s->now_ms = sim_realtime_ms();
    for (uint32_t i = 0; i < s->nsym; i++) {
        sim_symbol *y = &s->sym[i];
        y->sim = s;
        y->index = i;
        for (size_t k = 0; k <= strlen(y->name); k++)
            y->lower[k] = (char)(y->name[k] >= 'A' && y->name[k] <= 'Z' ? y->name[k] - 'A' + 'a' : y->name[k]);
        int64_t start = 100 * E8;
        y->tick = E8 / 100;
        y->lot = E8 / 1000;
        if (strcmp(y->name, "BTCUSDT") == 0) {
            start = 43000 * E8;
            y->lot = E8 / 100000;
        } else if (strcmp(y->name, "ETHUSDT") == 0) {
            start = 2300 * E8;
            y->lot = E8 / 10000;
        } else if (strcmp(y->name, "SOLUSDT") == 0) {
            start = 95 * E8;
        }
        y->mid = start;
        match_config mc = {.tick = y->tick, .lot = y->lot, .capacity_orders = 65536, .capacity_levels = 8192,
                           .capacity_owners = 1024, .on_event = sim_md_event, .ctx = y};
        y->book = match_create(&mc);
        if (!y->book) {
            fprintf(stderr, "tfsim: out of memory for the book of %s\n", y->name);
            return -1;
        }
        for (uint32_t k = 0; k < SIM_LEVELS; k++) {
            agent_set(y, 0, start - (int64_t)(k + 1) * y->tick, new_qty(s, y));
            agent_set(y, 1, start + (int64_t)(k + 1) * y->tick, new_qty(s, y));
        }
        sim_md_clear_pending(y);
        y->update_id = 1000 + i * 1000000;
        y->emitted_u = y->update_id;
    }
    s->seeding = false;
    return 0;
}

void sim_gen_free(sim *s)
{
    for (uint32_t i = 0; i < s->nsym; i++) {
        match_delete(s->sym[i].book);
        s->sym[i].book = NULL;
    }
}

/* One schedule slot from a --replay file: the next line, routed by its stream. */
static int replay_next(sim *s)
{
    ssize_t n = getline(&s->line, &s->line_cap, s->replay);
    if (n <= 0)
        return 0;
    while (n && (s->line[n - 1] == '\n' || s->line[n - 1] == '\r'))
        s->line[--n] = 0;
    char *st = strstr(s->line, "\"stream\":\"");
    char *data = strstr(s->line, "\"data\":");
    if (!st || !data)
        return 1; /* not a stream message: skip the slot */
    st += 10;
    char *q = strchr(st, '"');
    char *at = q ? memchr(st, '@', (size_t)(q - st)) : NULL;
    if (!q || !at)
        return 1;
    int si = sim_find_symbol(s, st, (size_t)(at - st));
    if (si < 0)
        return 1;
    char kindname[32];
    snprintf(kindname, sizeof kindname, "%.*s", (int)(q - at - 1), at + 1);
    uint32_t kind = strcmp(kindname, "trade") == 0         ? SK_TRADE
                    : strcmp(kindname, "aggTrade") == 0    ? SK_AGG
                    : strcmp(kindname, "bookTicker") == 0  ? SK_BOOK_TICKER
                    : strcmp(kindname, "depth@100ms") == 0 ? SK_DEPTH_100MS
                    : strcmp(kindname, "depth") == 0       ? SK_DEPTH_1S
                    : strncmp(kindname, "kline", 5) == 0   ? SK_KLINE
                                                           : 0;
    /* data runs to the wrapper's closing brace (our own recorded format) */
    data += 7;
    char *end = s->line + n - 1;
    while (end > data && *end != '}')
        end--;
    size_t dlen = (size_t)(end - data);
    char stream[64];
    snprintf(stream, sizeof stream, "%.*s", (int)(q - st), st);
    if (kind == SK_TRADE) {
        s->trades_out++;
        sim_publish(s, si, kind, stream, data, dlen);
    } else if (kind) {
        sim_publish(s, si, kind, stream, data, dlen);
    }
    return 1;
}

static int gen_slot(sim *s, uint64_t now_ns)
{
    uint64_t now_ms = s->now_ms;
    int si = (int)(rnd(s) % s->nsym);
    sim_symbol *y = &s->sym[si];
    if (s->impact.perm_bp != 0 || s->impact.temp_bp != 0) {
        impact_step(s, y, now_ns);
        sim_md_done(s, si);
    }
    if (s->mix == SK_TRADE) {
        /* Trades only: exactly one trade per slot, so trade id k of a single
         * symbol was due at start + (k-1)/rate (benchmarks rely on it). */
        taker(s, si, 1);
        sim_md_clear_pending(y);
        if ((rnd(s) % 4) == 0) {
            maker(s, y);
            sim_md_done(s, si);
        }
        sim_md_clear_pending(y);
        return 1;
    }
    /* Periodic messages first: depth every 100 ms, kline every 2 s. */
    if (now_ns - y->last_depth_ns >= 100000000ull && y->pend_first) {
        y->last_depth_ns = now_ns;
        sim_md_depth(s, si, now_ms);
        return 1;
    }
    if ((s->mix & SK_KLINE) && now_ns - y->k_last_ns >= 2000000000ull && y->k_n) {
        int closed = now_ms - now_ms % 60000 != y->k_open_ms;
        y->k_last_ns = now_ns;
        sim_md_kline(s, si, now_ms, closed);
        if (closed)
            y->k_n = 0;
        return 1;
    }
    /* Bursts: sometimes a run of takers on one symbol. */
    int takers = (rnd(s) % 50) == 0 ? (int)rnd_range(s, 3, 10) : 1;
    if ((s->mix & (SK_TRADE | SK_AGG)) && (rnd(s) % 100) < 60) {
        for (int k = 0; k < takers; k++)
            taker(s, si, 3);
    } else {
        maker(s, y);
        sim_md_done(s, si);
    }
    sim_md_book_ticker(s, si);
    if (y->npend_bids + y->npend_asks > 150) /* keep each depthUpdate moderate */
        sim_md_depth(s, si, now_ms);
    return 1;
}

int sim_gen_next(sim *s, uint64_t now_ns)
{
    if (s->replay)
        return replay_next(s);
    s->now_ms = sim_realtime_ms();
    s->in_gen = true;
    int rc = gen_slot(s, now_ns);
    s->in_gen = false;
    return rc;
}

void sim_gen_flush(sim *s)
{
    if (s->held) {
        char *h = s->held;
        s->held = NULL;
        sim_md_out(s, s->held_sym, SK_TRADE, "trade", h, s->held_len);
        free(h);
    }
    for (uint32_t i = 0; i < s->nsym; i++)
        if (s->sym[i].pend_first && !s->replay)
            sim_md_depth(s, (int)i, sim_realtime_ms());
}


/* tfsim market generator: per symbol an L2 book on a tick grid that takers
 * trade against and makers move (a random walk with bursts), deterministic
 * from --seed. Each schedule slot publishes one message: a trade, an
 * aggTrade, a bookTicker, a depthUpdate (changes since the last one, U..u)
 * or a kline_1m; or the next line of a --replay file. Faults that change
 * the stream itself (dup, reorder, gap) are applied here. */
#include "tools/tfsim/sim.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/tfsim/fmt.h"

#define E8 100000000LL

static uint64_t tf_realtime_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t rnd(sim *s)
{
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    return s->rng;
}

static int64_t rnd_range(sim *s, int64_t lo, int64_t hi) { return lo + (int64_t)(rnd(s) % (uint64_t)(hi - lo + 1)); }

int sim_find_symbol(const sim *s, const char *name, size_t len)
{
    for (uint32_t i = 0; i < s->nsym; i++) {
        const sim_symbol *y = &s->sym[i];
        if (strlen(y->name) == len && (strncmp(y->name, name, len) == 0 || strncmp(y->lower, name, len) == 0))
            return (int)i;
    }
    return -1;
}

/* ---- the book ------------------------------------------------------------ */

static void pend(sim_symbol *y, int ask, int64_t price, int64_t qty)
{
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
    if (*n < 1024)
        p[(*n)++] = (sim_level){price, qty};
}

static int64_t new_qty(sim *s, const sim_symbol *y) { return y->lot * rnd_range(s, 1, 2000); }

/* Remove level k of a side; a new level appears at the far end so the book keeps its depth. */
static void remove_level(sim *s, sim_symbol *y, int ask, uint32_t k)
{
    sim_level *lv = ask ? y->asks : y->bids;
    uint32_t *n = ask ? &y->nasks : &y->nbids;
    pend(y, ask, lv[k].price, 0);
    memmove(&lv[k], &lv[k + 1], (*n - k - 1) * sizeof *lv);
    (*n)--;
    int64_t far = *n ? lv[*n - 1].price : y->mid;
    lv[*n].price = ask ? far + y->tick : far - y->tick;
    lv[*n].qty = new_qty(s, y);
    if (lv[*n].price > 0) {
        pend(y, ask, lv[*n].price, lv[*n].qty);
        (*n)++;
    }
}

/* A maker improves the touch (when the spread allows) or changes a level. */
static void maker(sim *s, sim_symbol *y)
{
    int ask = (int)(rnd(s) & 1);
    sim_level *lv = ask ? y->asks : y->bids;
    uint32_t *n = ask ? &y->nasks : &y->nbids;
    int64_t spread = y->asks[0].price - y->bids[0].price;
    if (spread > y->tick && (rnd(s) % 3) == 0 && *n == SIM_LEVELS) {
        /* new best inside the spread; the worst level leaves */
        pend(y, ask, lv[*n - 1].price, 0);
        memmove(&lv[1], &lv[0], (*n - 1) * sizeof *lv);
        lv[0].price = ask ? y->asks[1].price - y->tick : y->bids[1].price + y->tick;
        lv[0].qty = new_qty(s, y);
        pend(y, ask, lv[0].price, lv[0].qty);
    } else {
        uint32_t k = (uint32_t)(rnd(s) % (*n < 20 ? *n : 20));
        lv[k].qty = new_qty(s, y);
        pend(y, ask, lv[k].price, lv[k].qty);
    }
    y->mid = (y->asks[0].price + y->bids[0].price) / 2;
}

/* ---- messages ------------------------------------------------------------ */

static void record(sim *s, const char *stream, const char *data, size_t len)
{
    if (!s->record)
        return;
    fprintf(s->record, "{\"stream\":\"%s\",\"data\":%.*s}\n", stream, (int)len, data);
}

static void out(sim *s, int si, uint32_t kind, const char *suffix, const char *data, size_t len)
{
    char stream[64];
    snprintf(stream, sizeof stream, "%s@%s", s->sym[si].lower, suffix);
    record(s, stream, data, len);
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
    out(s, si, SK_TRADE, "trade", data, len);
    if (f->dup_every && s->trades_out % f->dup_every == 0) {
        out(s, si, SK_TRADE, "trade", data, len);
        s->c_dup++;
    }
    if (s->held) {
        char *h = s->held;
        s->held = NULL;
        out(s, s->held_sym, SK_TRADE, "trade", h, s->held_len);
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

static void emit_kline(sim *s, int si, uint64_t now_ms, int closed)
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
        out(s, si, SK_KLINE, "kline_1m", s->msg, (size_t)(b.p - s->msg));
}

/* A taker order hits the touch: 1-3 fills at one price (one aggTrade). */
static void taker(sim *s, int si, uint64_t now_ms, int max_fills)
{
    sim_symbol *y = &s->sym[si];
    int buy = (int)(rnd(s) & 1);
    sim_level *lv = buy ? y->asks : y->bids;
    if (!(buy ? y->nasks : y->nbids))
        return;
    int64_t px = lv[0].price;
    int fills = (int)rnd_range(s, 1, max_fills);
    uint64_t first = y->trade_id + 1;
    int64_t total = 0;
    for (int k = 0; k < fills && lv[0].price == px; k++) {
        int64_t q = y->lot * rnd_range(s, 1, 500);
        if (q > lv[0].qty)
            q = lv[0].qty;
        lv[0].qty -= q;
        total += q;
        y->trade_id++;
        kline_fold(y, px, q, y->trade_id, now_ms);
        if (s->mix & SK_TRADE) {
            fmt_buf b = {s->msg, s->msg + SIM_MSG_MAX, 0};
            fmt_str(&b, "{\"e\":\"trade\",\"E\":");
            fmt_u64(&b, now_ms);
            fmt_str(&b, ",\"s\":\"");
            fmt_str(&b, y->name);
            fmt_str(&b, "\",\"t\":");
            fmt_u64(&b, y->trade_id);
            fmt_str(&b, ",\"p\":");
            fmt_dec8(&b, px);
            fmt_str(&b, ",\"q\":");
            fmt_dec8(&b, q);
            fmt_str(&b, ",\"T\":");
            fmt_u64(&b, now_ms);
            fmt_str(&b, buy ? ",\"m\":false,\"M\":true}" : ",\"m\":true,\"M\":true}");
            emit_trade(s, si, s->msg, (size_t)(b.p - s->msg));
        }
        if (lv[0].qty == 0)
            remove_level(s, y, buy, 0);
        else
            pend(y, buy, px, lv[0].qty);
    }
    if (s->mix & SK_AGG) {
        y->agg_id++;
        fmt_buf b = {s->msg, s->msg + SIM_MSG_MAX, 0};
        fmt_str(&b, "{\"e\":\"aggTrade\",\"E\":");
        fmt_u64(&b, now_ms);
        fmt_str(&b, ",\"s\":\"");
        fmt_str(&b, y->name);
        fmt_str(&b, "\",\"a\":");
        fmt_u64(&b, y->agg_id);
        fmt_str(&b, ",\"p\":");
        fmt_dec8(&b, px);
        fmt_str(&b, ",\"q\":");
        fmt_dec8(&b, total);
        fmt_str(&b, ",\"f\":");
        fmt_u64(&b, first);
        fmt_str(&b, ",\"l\":");
        fmt_u64(&b, y->trade_id);
        fmt_str(&b, ",\"T\":");
        fmt_u64(&b, now_ms);
        fmt_str(&b, buy ? ",\"m\":false,\"M\":true}" : ",\"m\":true,\"M\":true}");
        out(s, si, SK_AGG, "aggTrade", s->msg, (size_t)(b.p - s->msg));
    }
    y->mid = (y->asks[0].price + y->bids[0].price) / 2;
}

static void emit_book_ticker(sim *s, int si)
{
    sim_symbol *y = &s->sym[si];
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
    out(s, si, SK_BOOK_TICKER, "bookTicker", s->msg, (size_t)(b.p - s->msg));
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
static void emit_depth(sim *s, int si, uint64_t now_ms)
{
    sim_symbol *y = &s->sym[si];
    if (!y->pend_first)
        return;
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
            out(s, si, SK_DEPTH_100MS, "depth@100ms", s->msg, (size_t)(b.p - s->msg));
            out(s, si, SK_DEPTH_1S, "depth", s->msg, (size_t)(b.p - s->msg));
        }
    }
    y->emitted_u = y->update_id;
    y->pend_first = 0;
    y->npend_bids = y->npend_asks = 0;
}

void sim_gen_init(sim *s)
{
    s->rng = s->seed * 0x9E3779B97F4A7C15ull + 1;
    if (!s->rng)
        s->rng = 1;
    for (uint32_t i = 0; i < s->nsym; i++) {
        sim_symbol *y = &s->sym[i];
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
        y->nbids = y->nasks = SIM_LEVELS;
        for (uint32_t k = 0; k < SIM_LEVELS; k++) {
            y->bids[k] = (sim_level){start - (int64_t)(k + 1) * y->tick, new_qty(s, y)};
            y->asks[k] = (sim_level){start + (int64_t)(k + 1) * y->tick, new_qty(s, y)};
        }
        y->update_id = 1000 + i * 1000000;
        y->emitted_u = y->update_id;
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

int sim_gen_next(sim *s, uint64_t now_ns)
{
    if (s->replay)
        return replay_next(s);
    uint64_t now_ms = tf_realtime_ms();
    int si = (int)(rnd(s) % s->nsym);
    sim_symbol *y = &s->sym[si];
    if (s->mix == SK_TRADE) {
        /* Trades only: exactly one trade per slot, so trade id k of a single
         * symbol was due at start + (k-1)/rate (benchmarks rely on it). */
        taker(s, si, now_ms, 1);
        y->pend_first = 0;
        y->npend_bids = y->npend_asks = 0;
        if ((rnd(s) % 4) == 0)
            maker(s, y);
        y->pend_first = 0;
        y->npend_bids = y->npend_asks = 0;
        return 1;
    }
    /* Periodic messages first: depth every 100 ms, kline every 2 s. */
    if (now_ns - y->last_depth_ns >= 100000000ull && y->pend_first) {
        y->last_depth_ns = now_ns;
        emit_depth(s, si, now_ms);
        return 1;
    }
    if ((s->mix & SK_KLINE) && now_ns - y->k_last_ns >= 2000000000ull && y->k_n) {
        int closed = now_ms - now_ms % 60000 != y->k_open_ms;
        y->k_last_ns = now_ns;
        emit_kline(s, si, now_ms, closed);
        if (closed)
            y->k_n = 0;
        return 1;
    }
    /* Bursts: sometimes a run of takers on one symbol. */
    int takers = (rnd(s) % 50) == 0 ? (int)rnd_range(s, 3, 10) : 1;
    if ((s->mix & (SK_TRADE | SK_AGG)) && (rnd(s) % 100) < 60) {
        for (int k = 0; k < takers; k++)
            taker(s, si, now_ms, 3);
    } else {
        maker(s, y);
    }
    emit_book_ticker(s, si);
    if (y->npend_bids + y->npend_asks > 150) /* keep each depthUpdate moderate */
        emit_depth(s, si, now_ms);
    return 1;
}

void sim_gen_flush(sim *s)
{
    if (s->held) {
        char *h = s->held;
        s->held = NULL;
        out(s, s->held_sym, SK_TRADE, "trade", h, s->held_len);
        free(h);
    }
    for (uint32_t i = 0; i < s->nsym; i++)
        if (s->sym[i].pend_first && !s->replay)
            emit_depth(s, (int)i, tf_realtime_ms());
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
        size_t n = sim_depth_json(s, i, SIM_LEVELS, s->msg, SIM_MSG_MAX);
        fprintf(f, "%s\"%s\":%.*s", i ? "," : "", s->sym[i].name, (int)n, s->msg);
    }
    fprintf(f, "}\n");
}

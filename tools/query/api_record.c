/* The query API's trading record (see record.h): the order-event window and
 * /v1/orders, /v1/fills, /v1/positions, /v1/pnl. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "shm/catalog.h"
#include "shm/common.h"
#include "shm/fixed.h"
#include "tools/query/api.h"

#define Q_MS 1000000ull

/* ---- the window ------------------------------------------------------------ */

int qr_store_init(qr_store *st, uint32_t cap)
{
    memset(st, 0, sizeof *st);
    st->cap = cap ? cap : 1;
    st->ring = calloc(st->cap, sizeof *st->ring);
    return st->ring ? 0 : -1;
}

void qr_store_free(qr_store *st)
{
    free(st->ring);
    st->ring = NULL;
}

void qr_store_clear(qr_store *st)
{
    st->total = 0;
    st->lost = false;
}

void qr_store_add(qr_store *st, const tf_journal_slot *rec)
{
    if (rec->type != TF_REC_ORDER_EVENT || rec->length < sizeof(tf_order_event))
        return;
    qr_event *e = &st->ring[st->total % st->cap];
    memcpy(&e->ev, rec->payload, sizeof e->ev);
    if (e->ev.kind == 0 || e->ev.kind >= TF_EV_KIND_COUNT || e->ev.kind == TF_EV_POSITION)
        return; /* not kept: positions are read live from the engine */
    e->seq = rec->seq;
    st->total++;
}

/* The i-th newest event (0 = newest); i < held. */
static const qr_event *newest(const qr_store *st, uint64_t i)
{
    return &st->ring[(st->total - 1 - i) % st->cap];
}

static uint64_t held(const qr_store *st)
{
    return st->total < st->cap ? st->total : st->cap;
}

/* ---- arguments ----------------------------------------------------------------- */

typedef struct filter {
    const tf_md_instrument_info *in; /* NULL: every instrument */
    tf_md_instrument_info info;
    bool by_strategy;
    uint32_t strategy;
} filter;

/* symbol (+ exchange) optional unless `need_symbol`; strategy optional. */
static bool read_filter(q_server *q, q_response *r, const q_args *a, bool need_symbol, filter *f)
{
    memset(f, 0, sizeof *f);
    const char *sym = q_arg(a, "symbol"), *ex = q_arg(a, "exchange");
    if (need_symbol && (!sym || !*sym)) {
        q_fail(r, 400, "symbol is required");
        return false;
    }
    if (sym) {
        const tf_md_instrument_info *in = oob_source_find(&q->src, ex ? ex : "binance", sym);
        if (!in) {
            q_fail(r, 404, "unknown symbol '%.40s' on '%.40s'", sym, ex ? ex : "binance");
            return false;
        }
        f->info = *in;
        f->in = &f->info;
    } else if (ex) {
        q_fail(r, 400, "exchange needs a symbol");
        return false;
    }
    uint64_t s = 0;
    if (!q_uint_arg(r, a, "strategy", &s, &f->by_strategy))
        return false;
    if (f->by_strategy && s >= TF_MAX_STRATEGIES) {
        q_fail(r, 400, "strategy must be 0..%u, got %" PRIu64, TF_MAX_STRATEGIES - 1, s);
        return false;
    }
    f->strategy = (uint32_t)s;
    return true;
}

static bool matches(const filter *f, uint32_t instrument, uint32_t strategy)
{
    return (!f->in || f->in->id == instrument) && (!f->by_strategy || f->strategy == strategy);
}

static const tf_md_instrument_info *info_of(q_server *q, uint32_t id)
{
    return oob_source_instrument(&q->src, id);
}

static void put_fixed(q_response *r, const char *name, int64_t v, unsigned precision, bool comma)
{
    char t[48];
    tf_fixed_format(t, sizeof t, v, precision);
    q_put(r, "%s\"%s\":\"%s\"", comma ? "," : "", name, t);
}

static const char *status_name(uint8_t s) { return s < TF_OS_COUNT ? tf_ord_state_names[s] : "?"; }

static void put_order(q_response *r, const tf_md_instrument_info *in, uint64_t id, uint32_t strategy, uint8_t side,
                      uint8_t type, uint8_t state, int64_t price, int64_t qty, int64_t filled, uint64_t updated_ns,
                      bool comma)
{
    q_put(r, "%s{\"order_id\":%" PRIu64 ",\"symbol\":\"%s\",\"exchange\":\"%s\",\"strategy\":%u,\"side\":\"%s\","
          "\"type\":\"%s\",\"status\":\"%s\"", comma ? "," : "", id, in->symbol, in->venue, strategy,
          side ? "sell" : "buy", type ? "market" : "limit", status_name(state));
    put_fixed(r, "price", price, in->price_precision, true);
    put_fixed(r, "qty", qty, in->qty_precision, true);
    put_fixed(r, "filled", filled, in->qty_precision, true);
    q_put(r, ",\"updated_ms\":%" PRIu64 "}", (uint64_t)(updated_ns / Q_MS));
}

/* ---- /v1/orders ------------------------------------------------------------------ */

static void orders_open(q_server *q, q_response *r, const filter *f, uint64_t limit)
{
    uint64_t len = 0;
    const tf_order_slot *t = q->src.sseg.base ? tf_segment_region(&q->src.sseg, TF_REGION_ORDERS, &len) : NULL;
    if (!t) {
        q_fail(r, 503, "no order table (engine not running, or no order path)");
        return;
    }
    uint64_t n = len / sizeof *t, shown = 0;
    r->source = "engine";
    q_put(r, "{\"source\":\"engine\",\"status\":\"open\",\"orders\":[");
    for (uint64_t i = 0; i < n && shown < limit; i++) {
        if (!tf_load_32(&t[i].used))
            continue;
        tf_order o;
        if (!tf_seqlock_copy(&t[i].seq, &o, &t[i].order, sizeof o, 1000) || !matches(f, o.instrument, o.strategy))
            continue;
        const tf_md_instrument_info *in = info_of(q, o.instrument);
        if (!in || o.state == TF_OS_NONE)
            continue;
        put_order(r, in, o.order_id, o.strategy, o.side, o.type, o.state, o.price, o.qty, o.cum_qty,
                  o.updated_realtime_ns, shown++ > 0);
    }
    q_put(r, "]}");
}

/* The latest event of each order in the window, newest first. */
static void orders_all(q_server *q, q_response *r, const filter *f, uint64_t limit)
{
    const qr_store *st = &q->record;
    uint64_t n = held(st), shown = 0;
    uint64_t *seen = calloc(limit ? limit : 1, sizeof *seen);
    if (!seen) {
        q_fail(r, 503, "out of memory");
        return;
    }
    r->source = "memory";
    q_put(r, "{\"source\":\"memory\",\"status\":\"all\",\"orders\":[");
    for (uint64_t i = 0; i < n && shown < limit; i++) {
        const tf_order_event *ev = &newest(st, i)->ev;
        if (!ev->order_id || ev->kind > TF_EV_EXPIRED || !matches(f, ev->instrument, ev->strategy))
            continue;
        bool dup = false;
        for (uint64_t k = 0; k < shown && !dup; k++)
            dup = seen[k] == ev->order_id;
        const tf_md_instrument_info *in = dup ? NULL : info_of(q, ev->instrument);
        if (!in)
            continue;
        seen[shown] = ev->order_id;
        put_order(r, in, ev->order_id, ev->strategy, ev->side, ev->type, ev->state, ev->price, ev->qty, ev->cum_qty,
                  ev->realtime_ns, shown++ > 0);
    }
    q_put(r, "]}");
    free(seen);
}

static void orders(q_server *q, q_response *r, const q_args *a)
{
    static const char *const known[] = {"symbol", "exchange", "strategy", "status", "limit", NULL};
    if (!q_args_ok(r, a, known))
        return;
    const char *status = q_arg(a, "status");
    if (status && strcmp(status, "open") != 0 && strcmp(status, "all") != 0) {
        q_fail(r, 400, "status must be open or all, got '%.20s'", status);
        return;
    }
    uint64_t limit = 500;
    if (!q_limit_arg(r, a, q->cfg.export_.query.max_limit, NULL, &limit))
        return;
    pthread_mutex_lock(&q->store.lock);
    filter f;
    if (read_filter(q, r, a, false, &f)) {
        if (status && strcmp(status, "all") == 0)
            orders_all(q, r, &f, limit);
        else
            orders_open(q, r, &f, limit);
    }
    pthread_mutex_unlock(&q->store.lock);
}

/* ---- /v1/fills ---------------------------------------------------------------------- */

static bool is_fill(const tf_order_event *ev)
{
    return ev->kind == TF_EV_FILL || ev->kind == TF_EV_OUT_OF_BAND_FILL;
}

static void put_fill(q_response *r, const tf_md_instrument_info *in, uint64_t time_ms, uint64_t order_id,
                     uint32_t strategy, const char *side, int64_t px, int64_t qty, int64_t fee, const char *liq,
                     bool comma)
{
    q_put(r, "%s{\"time_ms\":%" PRIu64 ",\"order_id\":%" PRIu64 ",\"strategy\":%u,\"side\":\"%s\"", comma ? "," : "",
          time_ms, order_id, strategy, side);
    put_fixed(r, "price", px, in->price_precision, true);
    put_fixed(r, "qty", qty, in->qty_precision, true);
    put_fixed(r, "fee", fee, TF_MONEY_PRECISION, true);
    q_put(r, ",\"liquidity\":\"%s\"}", liq);
}

static const char *liquidity(uint16_t code) { return code == 1 ? "maker" : code == 2 ? "taker" : "unknown"; }

/* From memory when the window reaches back to `start`; true if answered. */
static bool fills_from_memory(q_server *q, q_response *r, const filter *f, uint64_t start_ns, uint64_t end_ns,
                              uint64_t limit)
{
    const qr_store *st = &q->record;
    uint64_t n = held(st);
    bool whole = st->total <= st->cap && !st->lost;
    if (!whole && (n == 0 || newest(st, n - 1)->ev.realtime_ns > start_ns))
        return false;
    uint64_t first = n, count = 0; /* walk back to the oldest of the newest `limit` matches */
    for (uint64_t i = 0; i < n && count < limit; i++) {
        const tf_order_event *ev = &newest(st, i)->ev;
        if (ev->realtime_ns < start_ns)
            break;
        if (is_fill(ev) && ev->realtime_ns <= end_ns && matches(f, ev->instrument, ev->strategy)) {
            first = i;
            count++;
        }
    }
    r->source = "memory";
    q_put(r, "{\"exchange\":\"%s\",\"symbol\":\"%s\",\"source\":\"memory\",\"fills\":[", f->in->venue, f->in->symbol);
    bool comma = false;
    for (uint64_t i = first + 1; count && i-- > 0;) {
        const tf_order_event *ev = &newest(st, i)->ev;
        if (!is_fill(ev) || ev->realtime_ns > end_ns || ev->realtime_ns < start_ns ||
            !matches(f, ev->instrument, ev->strategy))
            continue;
        put_fill(r, f->in, (uint64_t)(ev->realtime_ns / Q_MS), ev->order_id, ev->strategy, ev->side ? "sell" : "buy",
                 ev->last_px, ev->last_qty, ev->fee, liquidity(ev->reason), comma);
        comma = true;
    }
    q_put(r, "]}");
    return true;
}

static void fills_from_influx(q_server *q, q_response *r, const filter *f, uint64_t start_ms, uint64_t end_ms,
                              uint64_t limit)
{
    if (!q->influx_ok) {
        q_fail(r, 503, "the range starts before the fills held in memory, and InfluxDB is not configured");
        return;
    }
    char strat[48] = "", iq[768];
    if (f->by_strategy)
        snprintf(strat, sizeof strat, " AND strategy='%u'", f->strategy);
    /* The trading record's policy: the one named, else autogen when market
     * data has its own (influx_history.h), else the default. */
    const tf_cfg_influx *ic = &q->cfg.export_.influx;
    const char *rp = ic->retention_policy[0] ? ic->retention_policy : ic->downsample ? "autogen" : "";
    /* Names come from the registry and numbers from parsed arguments, never raw request text. */
    snprintf(iq, sizeof iq,
             "SELECT order_id,price,qty,fee,strategy,side,liquidity FROM %s%s%s\"fills\" WHERE exchange='%s' AND "
             "instance='%s' AND symbol='%s'%s AND time >= %" PRIu64 "ms AND time <= %" PRIu64 "ms ORDER BY time DESC "
             "LIMIT %" PRIu64,
             *rp ? "\"" : "", rp, *rp ? "\"." : "", f->in->venue, q->cfg.instance, f->in->symbol, strat, start_ms,
             end_ms, limit);
    size_t len = 0;
    pthread_mutex_lock(&q->backend_lock);
    influx_rc rc = influx_query(&q->influx, iq, q->scratch, q->scratch_cap, &len);
    json_error_t jerr;
    json_t *root = rc == INFLUX_OK ? json_loadb(q->scratch, len, 0, &jerr) : NULL;
    pthread_mutex_unlock(&q->backend_lock);
    json_t *res = json_array_get(json_object_get(root, "results"), 0);
    if (!res || json_object_get(res, "error")) {
        q_fail(r, 503, "InfluxDB unavailable: %s", rc != INFLUX_OK ? influx_rc_name(rc)
                                                    : res ? json_string_value(json_object_get(res, "error"))
                                                          : "unreadable answer");
        json_decref(root);
        return;
    }
    r->source = "influxdb";
    q_put(r, "{\"exchange\":\"%s\",\"symbol\":\"%s\",\"source\":\"influxdb\",\"fills\":[", f->in->venue,
          f->in->symbol);
    json_t *values = json_object_get(json_array_get(json_object_get(res, "series"), 0), "values");
    size_t n = json_array_size(values);
    for (size_t k = 0; k < n; k++) { /* DESC from InfluxDB: answer oldest first */
        json_t *row = json_array_get(values, n - 1 - k);
        if (json_array_size(row) < 8)
            continue;
        double scale_p = 1, scale_q = 1;
        for (unsigned i = 0; i < f->in->price_precision; i++)
            scale_p *= 10;
        for (unsigned i = 0; i < f->in->qty_precision; i++)
            scale_q *= 10;
        const char *strategy = json_string_value(json_array_get(row, 5));
        put_fill(r, f->in, (uint64_t)json_integer_value(json_array_get(row, 0)) / Q_MS,
                 (uint64_t)json_integer_value(json_array_get(row, 1)), strategy ? (uint32_t)atoi(strategy) : 0,
                 json_string_value(json_array_get(row, 6)) ? json_string_value(json_array_get(row, 6)) : "?",
                 (int64_t)(json_number_value(json_array_get(row, 2)) * scale_p + 0.5),
                 (int64_t)(json_number_value(json_array_get(row, 3)) * scale_q + 0.5),
                 (int64_t)(json_number_value(json_array_get(row, 4)) * 1e8 + (json_number_value(json_array_get(row, 4)) < 0 ? -0.5 : 0.5)),
                 json_string_value(json_array_get(row, 7)) ? json_string_value(json_array_get(row, 7)) : "unknown",
                 k > 0);
    }
    q_put(r, "]}");
    json_decref(root);
}

static void fills(q_server *q, q_response *r, const q_args *a)
{
    static const char *const known[] = {"symbol", "exchange", "strategy", "start", "end", "limit", NULL};
    if (!q_args_ok(r, a, known))
        return;
    uint64_t start = 0, end = 0, limit = 500;
    bool has_start;
    if (!q_range_args(r, a, q->cfg.export_.query.max_limit, &start, &has_start, &end, &limit))
        return;
    pthread_mutex_lock(&q->store.lock);
    filter f;
    bool ok = read_filter(q, r, a, true, &f);
    bool done = ok && fills_from_memory(q, r, &f, start * Q_MS, end * Q_MS + (Q_MS - 1), limit);
    pthread_mutex_unlock(&q->store.lock);
    if (ok && !done)
        fills_from_influx(q, r, &f, start, end, limit);
}

/* ---- /v1/positions, /v1/pnl --------------------------------------------------------- */

/* Every position slot the engine publishes, with its strategy (-1: all). */
typedef void (*position_fn)(q_server *q, q_response *r, const filter *f, const tf_position *p, const char *symbol,
                            int strategy, void *ctx);

static bool each_position(q_server *q, q_response *r, const filter *f, position_fn fn, void *ctx)
{
    const tf_state_table *t = q->src.state;
    if (!t) {
        q_fail(r, 503, "no positions (engine not running)");
        return false;
    }
    uint32_t n = tf_load_32(&t->slot_count);
    n = n < t->slot_capacity ? n : t->slot_capacity;
    for (uint32_t i = 0; i < n; i++) {
        const tf_state_slot *sl = &t->slots[i];
        tf_position p;
        if (sl->kind != TF_STATE_POSITION || tf_state_read(sl, &p, sizeof p, 1000, NULL) != TF_STATE_OK)
            continue;
        char key[TF_STATE_KEY + 1];
        memcpy(key, sl->key, TF_STATE_KEY);
        key[TF_STATE_KEY] = 0;
        char *slash = strchr(key, '/');
        int strategy = -1;
        if (slash) {
            *slash = 0;
            strategy = atoi(slash + 1);
            if (strategy < 0 || strategy >= (int)TF_MAX_STRATEGIES)
                continue;
        }
        if ((f->in && strcmp(f->in->symbol, key) != 0) || (f->by_strategy && (int)f->strategy != strategy))
            continue;
        fn(q, r, f, &p, key, strategy, ctx);
    }
    return true;
}

static void position_row(q_server *q, q_response *r, const filter *f, const tf_position *p, const char *symbol,
                         int strategy, void *ctx)
{
    (void)f;
    int *count = ctx;
    const tf_md_instrument_info *in = info_of(q, p->instrument);
    if (!in)
        return;
    if (strategy < 0)
        q_put(r, "%s{\"symbol\":\"%s\",\"exchange\":\"%s\",\"strategy\":\"all\"", (*count)++ ? "," : "", symbol,
              in->venue);
    else
        q_put(r, "%s{\"symbol\":\"%s\",\"exchange\":\"%s\",\"strategy\":%d", (*count)++ ? "," : "", symbol, in->venue,
              strategy);
    put_fixed(r, "qty", p->qty, in->qty_precision, true);
    put_fixed(r, "avg_price", p->avg_px, in->price_precision, true);
    put_fixed(r, "mark_price", p->mark_px, in->price_precision, true);
    put_fixed(r, "realized", p->realized, TF_MONEY_PRECISION, true);
    put_fixed(r, "unrealized", p->unrealized, TF_MONEY_PRECISION, true);
    put_fixed(r, "fees", p->fees, TF_MONEY_PRECISION, true);
    q_put(r, ",\"fills\":%" PRIu64 "}", p->fills);
}

static void positions(q_server *q, q_response *r, const q_args *a)
{
    static const char *const known[] = {"symbol", "exchange", "strategy", NULL};
    if (!q_args_ok(r, a, known))
        return;
    pthread_mutex_lock(&q->store.lock);
    filter f;
    if (read_filter(q, r, a, false, &f)) {
        size_t mark = r->len;
        q_put(r, "{\"source\":\"engine\",\"positions\":[");
        int count = 0;
        if (each_position(q, r, &f, position_row, &count)) {
            r->source = "engine";
            q_put(r, "]}");
        } else if (r->status == 200) {
            r->len = mark;
        }
    }
    pthread_mutex_unlock(&q->store.lock);
}

typedef struct pnl_sum {
    int64_t realized[TF_MAX_STRATEGIES + 1], unrealized[TF_MAX_STRATEGIES + 1], fees[TF_MAX_STRATEGIES + 1];
    bool seen[TF_MAX_STRATEGIES + 1];
} pnl_sum;

static void pnl_add(q_server *q, q_response *r, const filter *f, const tf_position *p, const char *symbol,
                    int strategy, void *ctx)
{
    (void)q, (void)r, (void)f, (void)symbol;
    pnl_sum *s = ctx;
    int k = strategy < 0 ? (int)TF_MAX_STRATEGIES : strategy;
    s->realized[k] += p->realized;
    s->unrealized[k] += p->unrealized;
    s->fees[k] += p->fees;
    s->seen[k] = true;
}

static void pnl(q_server *q, q_response *r, const q_args *a)
{
    static const char *const known[] = {"strategy", NULL};
    if (!q_args_ok(r, a, known))
        return;
    pthread_mutex_lock(&q->store.lock);
    filter f;
    pnl_sum s;
    memset(&s, 0, sizeof s);
    bool ok = read_filter(q, r, a, false, &f) && each_position(q, r, &f, pnl_add, &s);
    tf_risk_status risk;
    const tf_state_slot *rs = ok ? tf_state_find(q->src.state, TF_STATE_RISK, "risk") : NULL;
    bool have_risk = rs && tf_state_read(rs, &risk, sizeof risk, 1000, NULL) == TF_STATE_OK;
    pthread_mutex_unlock(&q->store.lock);
    if (!ok)
        return;
    r->source = "engine";
    q_put(r, "{\"source\":\"engine\",\"currency\":\"quote\",\"strategies\":[");
    bool comma = false;
    for (uint32_t k = 0; k <= TF_MAX_STRATEGIES; k++) {
        if (!s.seen[k])
            continue;
        if (k == TF_MAX_STRATEGIES)
            q_put(r, "%s{\"strategy\":\"all\"", comma ? "," : "");
        else
            q_put(r, "%s{\"strategy\":%u", comma ? "," : "", k);
        put_fixed(r, "realized", s.realized[k], TF_MONEY_PRECISION, true);
        put_fixed(r, "unrealized", s.unrealized[k], TF_MONEY_PRECISION, true);
        put_fixed(r, "total", s.realized[k] + s.unrealized[k], TF_MONEY_PRECISION, true);
        put_fixed(r, "fees", s.fees[k], TF_MONEY_PRECISION, true);
        q_put(r, "}");
        comma = true;
    }
    q_put(r, "]");
    if (have_risk && !f.by_strategy)
        put_fixed(r, "daily_pnl", risk.daily_pnl, TF_MONEY_PRECISION, true);
    q_put(r, "}");
}

bool q_handle_record(q_server *q, const char *path, const q_args *a, q_response *r)
{
    if (strcmp(path, "/v1/orders") == 0)
        orders(q, r, a);
    else if (strcmp(path, "/v1/fills") == 0)
        fills(q, r, a);
    else if (strcmp(path, "/v1/positions") == 0)
        positions(q, r, a);
    else if (strcmp(path, "/v1/pnl") == 0)
        pnl(q, r, a);
    else
        return false;
    return true;
}

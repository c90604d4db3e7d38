/* The trading record and the out-of-band processes as Prometheus metrics
 * (see prom_engine.h): read from the state segment's seqlock slots and the
 * processes' own status segments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/catalog.h"
#include "shm/common.h"
#include "shm/orders.h"
#include "shm/parents.h"
#include "shm/records.h"
#include "tools/oob/oob_process.h"
#include "tools/prom/prom_internal.h"

#define MONEY 1e-8 /* TF_MONEY_PRECISION */

/* Order states as label values (snake_case of FIX OrdStatus). */
static const char *const status_names[TF_OS_COUNT] = {
    [TF_OS_NONE] = "none",
    [TF_OS_PENDING_NEW] = "pending_new",
    [TF_OS_NEW] = "new",
    [TF_OS_PARTIALLY_FILLED] = "partially_filled",
    [TF_OS_FILLED] = "filled",
    [TF_OS_PENDING_CANCEL] = "pending_cancel",
    [TF_OS_CANCELED] = "canceled",
    [TF_OS_PENDING_REPLACE] = "pending_replace",
    [TF_OS_REPLACED] = "replaced",
    [TF_OS_REJECTED] = "rejected",
    [TF_OS_EXPIRED] = "expired",
};

static double pow10_neg(unsigned p)
{
    double x = 1.0;
    for (unsigned i = 0; i < p && i < 18; i++)
        x /= 10.0;
    return x;
}

typedef struct trading_scan {
    const tf_state_table *t;
    uint32_t n;
} trading_scan;

static bool read_slot(const tf_state_slot *sl, void *out, uint32_t cap)
{
    return tf_state_read(sl, out, cap, 1000, NULL) == TF_STATE_OK;
}

/* The instrument's quantity precision, by symbol (the key before '/'). */
static unsigned qty_precision(const trading_scan *sc, const char *symbol)
{
    const tf_state_slot *sl = tf_state_find(sc->t, TF_STATE_INSTRUMENT, symbol);
    tf_md_instrument_info info;
    if (sl && read_slot(sl, &info, sizeof info) && info.qty_precision <= 18)
        return info.qty_precision;
    return 0;
}

static void render_orders(const trading_scan *sc, prom_buf *b)
{
    prom_family(b, "trading_orders_total", "counter",
                "order events since the engine started, by the status they left the order in");
    for (uint32_t i = 0; i < sc->n; i++) {
        const tf_state_slot *sl = &sc->t->slots[i];
        tf_order_counts c;
        if (sl->kind != TF_STATE_ORDER_COUNTS || !read_slot(sl, &c, sizeof c))
            continue;
        char sym[TF_STATE_KEY + 1];
        snprintf(sym, sizeof sym, "%s", VIEW_STR(sl->key));
        for (int st = TF_OS_PENDING_NEW; st < TF_OS_COUNT; st++) {
            prom_label l[] = {{"status", status_names[st]}, {"symbol", sym}};
            prom_sample_u64(b, "", l, 2, c.by_state[st]);
        }
    }
}

/* Positions per instrument and strategy ("all" for the total), and PnL per
 * strategy summed over instruments. */
static void render_positions(const trading_scan *sc, prom_buf *b)
{
    double realized[TF_MAX_STRATEGIES + 1] = {0}, unrealized[TF_MAX_STRATEGIES + 1] = {0};
    bool seen[TF_MAX_STRATEGIES + 1] = {false};
    prom_family(b, "trading_positions", "gauge", "open position in the instrument's base units (long > 0)");
    for (uint32_t i = 0; i < sc->n; i++) {
        const tf_state_slot *sl = &sc->t->slots[i];
        tf_position p;
        if (sl->kind != TF_STATE_POSITION || !read_slot(sl, &p, sizeof p))
            continue;
        char key[TF_STATE_KEY + 1], strategy[16] = "all";
        snprintf(key, sizeof key, "%s", VIEW_STR(sl->key));
        char *slash = strchr(key, '/');
        uint32_t s = TF_MAX_STRATEGIES; /* index of "all" */
        if (slash) {
            *slash = 0;
            s = (uint32_t)strtoul(slash + 1, NULL, 10);
            if (s >= TF_MAX_STRATEGIES)
                continue;
            snprintf(strategy, sizeof strategy, "%u", s);
        }
        prom_label l[] = {{"symbol", key}, {"strategy", strategy}};
        prom_sample(b, "", l, 2, (double)p.qty * pow10_neg(qty_precision(sc, key)));
        realized[s] += (double)p.realized * MONEY;
        unrealized[s] += (double)p.unrealized * MONEY;
        seen[s] = true;
    }
    prom_family(b, "trading_pnl", "gauge",
                "profit and loss in the quote currency, after fees (unrealized: marked to the reference price)");
    for (uint32_t s = 0; s <= TF_MAX_STRATEGIES; s++) {
        if (!seen[s])
            continue;
        char strategy[16];
        if (s == TF_MAX_STRATEGIES)
            snprintf(strategy, sizeof strategy, "all");
        else
            snprintf(strategy, sizeof strategy, "%u", s);
        prom_label r[] = {{"strategy", strategy}, {"kind", "realized"}};
        prom_sample(b, "", r, 2, realized[s]);
        prom_label u[] = {{"strategy", strategy}, {"kind", "unrealized"}};
        prom_sample(b, "", u, 2, unrealized[s]);
    }
}

static void gauge(prom_buf *b, const char *name, const char *help, double value)
{
    prom_family(b, name, "gauge", help);
    prom_sample(b, "", NULL, 0, value);
}

static void render_risk(prom_source *s, const trading_scan *sc, prom_buf *b)
{
    const tf_state_slot *sl = tf_state_find(sc->t, TF_STATE_RISK, "risk");
    tf_risk_status r;
    if (!sl || !read_slot(sl, &r, sizeof r))
        return;
    gauge(b, "tradefan_kill_switch_active", "1 while the kill switch is on", r.kill_active ? 1 : 0);
    prom_family(b, "tradefan_trading_state", "gauge", "1 for the risk gate's trading state");
    static const char *const ts_names[TF_TS_COUNT] = {"active", "reducing", "halted"}; /* as in the config */
    for (int st = 0; st < TF_TS_COUNT; st++) {
        prom_label l[] = {{"state", ts_names[st]}};
        prom_sample_u64(b, "", l, 1, r.trading_state == (uint32_t)st);
    }
    gauge(b, "tradefan_open_orders", "orders open at the venue or on their way", r.open_orders);
    gauge(b, "tradefan_daily_pnl", "realized and unrealized PnL since the UTC day began, quote currency",
          (double)r.daily_pnl * MONEY);
    gauge(b, "tradefan_gross_exposure", "sum of absolute position values, quote currency",
          (double)r.gross_exposure * MONEY);
    /* The limits the alerts compare against (0 = no limit). */
    uint64_t len = 0;
    const tf_limits_slot *ls = s->view.present[VIEW_STATE]
                                   ? tf_segment_region(&s->view.opt[VIEW_STATE], TF_REGION_LIMITS, &len)
                                   : NULL;
    tf_risk_limits lim;
    if (ls && len >= sizeof *ls && tf_seqlock_copy(&ls->seq, &lim, &ls->lim, sizeof lim, 1000)) {
        gauge(b, "tradefan_risk_limit_daily_loss", "the daily loss limit, quote currency (0: none)",
              (double)lim.daily_loss * MONEY);
        gauge(b, "tradefan_risk_limit_gross_exposure", "the gross exposure limit, quote currency (0: none)",
              (double)lim.max_gross_exposure * MONEY);
    }
}

static void render_feed_and_venue(const trading_scan *sc, prom_buf *b)
{
    const tf_state_slot *sl = tf_state_find(sc->t, TF_STATE_FEED, "feed");
    tf_md_feed_status f;
    if (sl && read_slot(sl, &f, sizeof f)) {
        uint64_t rt = tf_realtime_ns();
        gauge(b, "tradefan_feed_last_message_age_seconds",
              "time since the feed's last WebSocket message (a stale feed grows)",
              f.last_frame_realtime_ns && rt > f.last_frame_realtime_ns
                  ? (double)(rt - f.last_frame_realtime_ns) * 1e-9 : 0.0);
    }
    struct {
        const char *name, *help;
    } fams[] = {
        {"tradefan_venue_session_up", "1 while the FIX session is logged on"},
        {"tradefan_venue_session_halted", "1 while the session waits for an operator (tfctl session reset)"},
        {"tradefan_venue_session_in_schedule", "1 inside exchange.schedule's session hours"},
    };
    for (size_t k = 0; k < TF_ARRAY_LEN(fams); k++) {
        prom_family(b, fams[k].name, "gauge", fams[k].help);
        for (uint32_t i = 0; i < sc->n; i++) {
            const tf_state_slot *v = &sc->t->slots[i];
            tf_venue_session_status vs;
            if (v->kind != TF_STATE_VENUE_SESSION || !read_slot(v, &vs, sizeof vs))
                continue;
            char session[16];
            snprintf(session, sizeof session, "%u", vs.session);
            prom_label l[] = {{"session", session}};
            uint64_t x = k == 0 ? vs.state == TF_FIX_ACTIVE : k == 1 ? vs.halted != 0 : vs.in_schedule != 0;
            prom_sample_u64(b, "", l, 1, x);
        }
    }
}

/* Parent orders running in the algo stage (state segment region "parents"):
 * a few at a time (<= orders.algo_capacity), so a series per parent. */
static void render_parents(prom_source *s, prom_buf *b)
{
    uint64_t len = 0;
    const tf_segment *seg = &s->view.opt[VIEW_STATE];
    const tf_parent_slot *slots = seg->base ? tf_segment_region(seg, TF_REGION_PARENTS, &len) : NULL;
    if (!slots)
        return;
    tf_parent_status ps[64];
    uint32_t n = 0;
    for (uint64_t k = 0; k < len / sizeof *slots && n < 64; k++)
        if (tf_load_32(&slots[k].used) && tf_seqlock_copy(&slots[k].seq, &ps[n], &slots[k].p, sizeof ps[n], 1000) &&
            ps[n].parent_id && ps[n].kind < TF_ALGO_KIND_END && ps[n].state < TF_ALGO_STATE_END)
            n++;
    prom_family(b, "trading_parents_running", "gauge", "parent orders the algo stage runs now");
    prom_sample_u64(b, "", NULL, 0, n);
    prom_family(b, "trading_parent_filled_ratio", "gauge", "a parent order's filled quantity over its quantity");
    char id[64][24];
    for (uint32_t i = 0; i < n; i++)
        snprintf(id[i], sizeof id[i], "%llu", (unsigned long long)ps[i].parent_id);
    for (uint32_t i = 0; i < n; i++) {
        prom_label l[] = {{"parent", id[i]}, {"algo", tf_algo_kind_names[ps[i].kind]},
                          {"state", tf_algo_state_names[ps[i].state]}, {"side", ps[i].side ? "sell" : "buy"}};
        prom_sample(b, "", l, 4, ps[i].qty ? (double)ps[i].filled / (double)ps[i].qty : 0);
    }
    prom_family(b, "trading_parent_schedule_ratio", "gauge",
                "what a parent's schedule wants filled by now over its quantity");
    for (uint32_t i = 0; i < n; i++) {
        prom_label l[] = {{"parent", id[i]}, {"algo", tf_algo_kind_names[ps[i].kind]}};
        prom_sample(b, "", l, 2, ps[i].qty ? (double)ps[i].target / (double)ps[i].qty : 0);
    }
    prom_family(b, "trading_parent_slippage_bps", "gauge",
                "a parent's average fill price against the arrival mid or the interval's VWAP, bp (positive: worse)");
    for (uint32_t i = 0; i < n; i++) {
        prom_label a[] = {{"parent", id[i]}, {"algo", tf_algo_kind_names[ps[i].kind]}, {"against", "arrival"}};
        prom_sample(b, "", a, 3, (double)ps[i].slippage_mbp / 1000.0);
        prom_label v[] = {{"parent", id[i]}, {"algo", tf_algo_kind_names[ps[i].kind]}, {"against", "vwap"}};
        prom_sample(b, "", v, 3, (double)ps[i].vs_vwap_mbp / 1000.0);
    }
}

void prom_render_trading(prom_source *s, prom_buf *b, uint64_t now_ns)
{
    (void)now_ns;
    const tf_state_table *t = s->view.state;
    if (!t)
        return;
    trading_scan sc = {.t = t, .n = tf_load_32(&t->slot_count)};
    if (sc.n > t->slot_capacity)
        sc.n = t->slot_capacity;
    const tf_state_slot *es = tf_state_find(t, TF_STATE_ENGINE, "engine");
    tf_engine_status e;
    if (es && read_slot(es, &e, sizeof e))
        gauge(b, "tradefan_engine_start_time_seconds", "when the engine started, seconds since the epoch",
              (double)e.started_realtime_ns * 1e-9);
    render_orders(&sc, b);
    render_positions(&sc, b);
    render_risk(s, &sc, b);
    render_feed_and_venue(&sc, b);
    render_parents(s, b);
}

/* ---- the out-of-band processes ------------------------------------------- */

static const char *const process_segments[] = {"export-influx", "export-redis", "export-influx-orders",
                                               "export-redis-orders", "query"};

void prom_render_processes(prom_source *s, prom_buf *b)
{
    struct {
        bool there, up;
        tf_exporter_status st;
    } p[TF_ARRAY_LEN(process_segments)];
    memset(p, 0, sizeof p);
    for (size_t i = 0; i < TF_ARRAY_LEN(process_segments); i++) {
        tf_seg_owner o;
        p[i].there = oob_status_read(s->dir, s->inst, process_segments[i], TF_STATE_EXPORTER, &p[i].st,
                                     sizeof p[i].st, &o);
        p[i].up = p[i].there && o == TF_OWNER_LIVE;
    }
    struct {
        const char *name, *type, *help;
    } fams[] = {
        {"tradefan_exporter_up", "gauge", "1 while the out-of-band process is alive"},
        {"tradefan_exporter_connected", "gauge", "1 when its last request reached its server"},
        {"tradefan_exporter_lag_records", "gauge", "journal records not yet acknowledged by its server"},
        {"tradefan_exporter_behind_seconds", "gauge", "how long it has not been caught up (0: caught up)"},
        {"tradefan_exporter_exported_total", "counter", "points or commands its server acknowledged (tfquery: requests served)"},
        {"tradefan_exporter_retries_total", "counter", "requests repeated after an error or timeout"},
        {"tradefan_exporter_rejected_total", "counter", "lines its server refused (tfquery: errors answered)"},
        {"tradefan_exporter_gap_records_total", "counter", "journal records lost because the journal lapped it"},
    };
    for (size_t f = 0; f < TF_ARRAY_LEN(fams); f++) {
        prom_family(b, fams[f].name, fams[f].type, fams[f].help);
        for (size_t i = 0; i < TF_ARRAY_LEN(process_segments); i++) {
            if (!p[i].there)
                continue;
            const tf_exporter_status *st = &p[i].st;
            prom_label l[] = {{"exporter", process_segments[i]}};
            switch (f) {
            case 0: prom_sample_u64(b, "", l, 1, p[i].up); break;
            case 1: prom_sample_u64(b, "", l, 1, st->connected != 0); break;
            case 2: prom_sample_u64(b, "", l, 1, st->journal_head > st->position ? st->journal_head - st->position : 0); break;
            case 3: prom_sample(b, "", l, 1, (double)st->behind_ns * 1e-9); break;
            case 4: prom_sample_u64(b, "", l, 1, st->exported); break;
            case 5: prom_sample_u64(b, "", l, 1, st->retries); break;
            case 6: prom_sample_u64(b, "", l, 1, st->rejected); break;
            default: prom_sample_u64(b, "", l, 1, st->gap_records); break;
            }
        }
    }
    /* tfwatchdog: stage heartbeats watched from outside the engine. */
    tf_watchdog_status w;
    tf_seg_owner wo;
    bool wd = oob_status_read(s->dir, s->inst, TF_WATCHDOG_SEGMENT, TF_STATE_WATCHDOG, &w, sizeof w, &wo);
    bool wd_up = wd && wo == TF_OWNER_LIVE;
    prom_family(b, "tradefan_watchdog_up", "gauge", "1 while tfwatchdog watches the engine's stages");
    if (wd)
        prom_sample_u64(b, "", NULL, 0, wd_up);
    prom_family(b, "tradefan_watchdog_stalled_stages", "gauge", "stages tfwatchdog sees stalled now");
    if (wd)
        prom_sample_u64(b, "", NULL, 0, w.stalled_now);
    prom_family(b, "tradefan_watchdog_stalls_total", "counter", "stall episodes tfwatchdog has seen");
    if (wd)
        prom_sample_u64(b, "", NULL, 0, w.stalls);
    prom_family(b, "tradefan_watchdog_kill_requests_total", "counter",
                "kill-switch requests tfwatchdog sent after a stall (watchdog.kill_switch)");
    if (wd)
        prom_sample_u64(b, "", NULL, 0, w.kills_sent);
    prom_family(b, "tradefan_prom_scrapes_total", "counter", "scrapes this exporter answered");
    prom_sample_u64(b, "", NULL, 0, s->scrapes);
}

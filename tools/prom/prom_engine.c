/* An engine's segments as Prometheus metrics (see prom_engine.h). The
 * stats half: catalogue counters, histograms, stages, threads, rings. The
 * trading record and the out-of-band processes are prom_trading.c. */
#include "tools/prom/prom_engine.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "shm/catalog.h"
#include "shm/common.h"
#include "tools/prom/prom_internal.h"

const uint64_t prom_latency_bounds_ns[PROM_LATENCY_BOUNDS] = {
    100,        250,        500,         1000,        2500,        5000,       10000,     25000,
    50000,      100000,     250000,      500000,      1000000,     2500000,    5000000,   10000000,
    25000000,   50000000,   100000000,   250000000,   1000000000,  2500000000,
};

void prom_source_init(prom_source *s, const char *dir, const char *inst)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    snprintf(s->inst, sizeof s->inst, "%s", inst);
}

void prom_source_close(prom_source *s)
{
    if (s->open)
        view_close(&s->view);
    s->open = false;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

void prom_counter_name(const char *name, int kind, char *out, size_t cap, double *scale)
{
    char base[96];
    snprintf(base, sizeof base, "%s", name);
    *scale = 1.0;
    const char *unit = "";
    size_t n = strlen(base);
    if (ends_with(base, "_ns")) {
        base[n - 3] = 0;
        *scale = 1e-9;
        unit = "_seconds";
    } else if (ends_with(base, "_ms")) {
        base[n - 3] = 0;
        *scale = 1e-3;
        unit = "_seconds";
    }
    snprintf(out, cap, "tradefan_%s%s%s", base, unit, kind == TF_COUNTER ? "_total" : "");
}

/* "k=v,k=v" from the engine into labels (names checked); `stage` first. */
static int split_labels(const char *text, char store[][2][64], prom_label *out, int max)
{
    int n = 0;
    const char *p = text;
    while (*p && n < max) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (eq) {
            snprintf(store[n][0], sizeof store[n][0], "%.*s", (int)(eq - p), p);
            snprintf(store[n][1], sizeof store[n][1], "%.*s", (int)(len - (size_t)(eq - p) - 1), eq + 1);
            if (prom_valid_name(store[n][0]) && strcmp(store[n][0], "stage") != 0) {
                out[n].name = store[n][0];
                out[n].value = store[n][1];
                n++;
            }
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return n;
}

/* Which catalogue entry each registered counter is: looked up by name once
 * per engine (the directory only grows while the engine starts). */
static void index_counters(prom_source *s)
{
    const tf_view *v = &s->view;
    uint32_t nc = view_counters(v);
    if (s->indexed == nc && s->indexed_scrape_of == s->opened)
        return;
    for (uint32_t i = 0; i < nc; i++) {
        const tf_metric_def *def = tf_counter_lookup(VIEW_STR(v->stats.dir->counters[i].name));
        s->counter_id[i] = def ? (int16_t)(def - tf_counter_catalog) : -1;
    }
    s->indexed = nc;
    s->indexed_scrape_of = s->opened;
}

/* Every catalogue counter the engine registered, grouped by name: one
 * family per catalogue entry, one sample per (stage, labels). */
static void render_counters(prom_source *s, prom_buf *b)
{
    const tf_view *v = &s->view;
    const tf_stats_dir *d = v->stats.dir;
    index_counters(s);
    uint32_t nc = s->indexed;
    for (int id = 0; id < TF_CTR_COUNT; id++) {
        const tf_metric_def *def = &tf_counter_catalog[id];
        char name[128];
        double scale;
        prom_counter_name(def->name, (int)def->kind, name, sizeof name, &scale);
        prom_family(b, name, def->kind == TF_COUNTER ? "counter" : "gauge", def->help);
        for (uint32_t i = 0; i < nc; i++) {
            if (s->counter_id[i] != id)
                continue;
            const tf_counter_meta *m = &d->counters[i];
            char store[PROM_MAX_LABELS][2][64];
            prom_label l[PROM_MAX_LABELS];
            l[0] = (prom_label){"stage", view_owner_name(v, m->owner)};
            int n = 1 + split_labels(VIEW_STR(m->labels), store + 1, l + 1, PROM_MAX_LABELS - 1);
            uint64_t raw = tf_stats_value(&v->stats, i);
            if (scale == 1.0)
                prom_sample_u64(b, "", l, n, raw);
            else
                prom_sample(b, "", l, n, (double)raw * scale);
        }
    }
}

/* Log-linear buckets into fixed `le` bounds: a bucket counts under the
 * first bound its highest value does not exceed, so a bound never claims a
 * value that may lie above it. The bucket index where each bound's range
 * ends is computed once; a scrape then sums contiguous runs of counters. */
static uint32_t bound_end[PROM_LATENCY_BOUNDS]; /* first bucket past bound k */

static void bounds_init(void)
{
    if (bound_end[0])
        return;
    for (uint32_t k = 0; k < PROM_LATENCY_BOUNDS; k++) {
        uint32_t i = tf_hist_index(prom_latency_bounds_ns[k]);
        bound_end[k] = tf_hist_bucket_high(i) <= prom_latency_bounds_ns[k] ? i + 1 : i;
    }
}

static void render_hists(prom_source *s, prom_buf *b)
{
    tf_view *v = &s->view;
    const tf_stats_dir *d = v->stats.dir;
    bounds_init();
    prom_family(b, "trading_latency_seconds", "histogram",
                "latency of each hop the engine measures (hop = the engine's histogram name)");
    for (uint32_t h = 0; h < view_hists(v); h++) {
        const tf_hist_meta *m = &d->hists[h];
        const tf_hist *src = &v->stats.hists[h];
        char hop[64];
        snprintf(hop, sizeof hop, "%s", VIEW_STR(m->name));
        if (ends_with(hop, "_ns"))
            hop[strlen(hop) - 3] = 0;
        /* Bucket counters are loaded once each: the total is their sum, so
         * +Inf and _count agree with the buckets whatever the writer does. */
        uint64_t cum[PROM_LATENCY_BOUNDS + 1] = {0};
        uint32_t i = 0;
        for (uint32_t k = 0; k <= PROM_LATENCY_BOUNDS; k++) {
            uint32_t end = k < PROM_LATENCY_BOUNDS ? bound_end[k] : TF_HIST_BUCKETS;
            uint64_t run = 0;
            for (; i < end; i++)
                run += tf_load_64(&src->counts[i]);
            cum[k] = run;
        }
        char store[PROM_MAX_LABELS][2][64];
        prom_label l[PROM_MAX_LABELS];
        char le[32];
        l[0] = (prom_label){"hop", hop};
        l[1] = (prom_label){"stage", view_owner_name(v, m->owner)};
        int n = 2 + split_labels(VIEW_STR(m->labels), store + 2, l + 2, PROM_MAX_LABELS - 3);
        l[n] = (prom_label){"le", le};
        uint64_t total = 0;
        for (uint32_t k = 0; k < PROM_LATENCY_BOUNDS; k++) {
            total += cum[k];
            snprintf(le, sizeof le, "%.10g", (double)prom_latency_bounds_ns[k] * 1e-9);
            prom_sample_u64(b, "_bucket", l, n + 1, total);
        }
        total += cum[PROM_LATENCY_BOUNDS];
        snprintf(le, sizeof le, "+Inf");
        prom_sample_u64(b, "_bucket", l, n + 1, total);
        prom_sample(b, "_sum", l, n, (double)tf_load_64(&src->sum) * 1e-9);
        prom_sample_u64(b, "_count", l, n, total);
    }
}

static double age_s(uint64_t now, uint64_t then)
{
    return then && now > then ? (double)(now - then) * 1e-9 : 0.0;
}

static void render_stages(prom_source *s, prom_buf *b, uint64_t now)
{
    const tf_view *v = &s->view;
    const tf_stats_dir *d = v->stats.dir;
    uint32_t no = view_owners(v), nt = view_threads(v);
    struct {
        const char *name, *type, *help;
    } fams[] = {
        {"tradefan_stage_heartbeat_age_seconds", "gauge", "time since the stage was last polled (a stuck stage grows)"},
        {"tradefan_stage_last_work_age_seconds", "gauge", "time since the stage last did work"},
        {"tradefan_stage_polls_total", "counter", "times the stage was polled"},
        {"tradefan_stage_work_total", "counter", "items the stage handled, as it counts them"},
    };
    for (size_t f = 0; f < TF_ARRAY_LEN(fams); f++) {
        prom_family(b, fams[f].name, fams[f].type, fams[f].help);
        for (uint32_t o = 1; o < no; o++) { /* owner 0 is the engine's main thread, not a stage */
            const tf_stage_stats *st = &d->owners[o];
            prom_label l[] = {{"stage", view_owner_name(v, o)}};
            uint64_t hb = tf_load_64(&st->heartbeat_ns), lw = tf_load_64(&st->last_work_ns);
            if (f == 0)
                prom_sample(b, "", l, 1, age_s(now, hb));
            else if (f == 1)
                prom_sample(b, "", l, 1, age_s(now, lw));
            else
                prom_sample_u64(b, "", l, 1, tf_load_64(f == 2 ? &st->polls : &st->work));
        }
    }
    struct {
        const char *name, *type, *help;
    } tfams[] = {
        {"tradefan_thread_busy_seconds_total", "counter", "time in duty cycles that did work (duty cycle = rate of this / (busy + idle))"},
        {"tradefan_thread_idle_seconds_total", "counter", "time in duty cycles that did none"},
        {"tradefan_thread_loops_total", "counter", "duty cycles"},
        {"tradefan_thread_heartbeat_age_seconds", "gauge", "time since the thread last went round its loop"},
        {"tradefan_thread_max_cycle_seconds", "gauge", "the longest single duty cycle"},
    };
    for (size_t f = 0; f < TF_ARRAY_LEN(tfams); f++) {
        prom_family(b, tfams[f].name, tfams[f].type, tfams[f].help);
        for (uint32_t t = 0; t < nt; t++) {
            const tf_thread_stats *th = &d->threads[t];
            prom_label l[] = {{"thread", VIEW_STR(th->name)}};
            switch (f) {
            case 0: prom_sample(b, "", l, 1, (double)tf_load_64(&th->busy_ns) * 1e-9); break;
            case 1: prom_sample(b, "", l, 1, (double)tf_load_64(&th->idle_ns) * 1e-9); break;
            case 2: prom_sample_u64(b, "", l, 1, tf_load_64(&th->loops)); break;
            case 3: prom_sample(b, "", l, 1, age_s(now, tf_load_64(&th->heartbeat_ns))); break;
            default: prom_sample(b, "", l, 1, (double)tf_load_64(&th->max_cycle_ns) * 1e-9); break;
            }
        }
    }
}

static void render_rings(prom_source *s, prom_buf *b)
{
    const tf_view *v = &s->view;
    struct {
        const char *name, *type, *help;
    } fams[] = {
        {"tradefan_ring_depth", "gauge", "records in the ring now"},
        {"tradefan_ring_capacity", "gauge", "records the ring holds"},
        {"tradefan_ring_high_water", "gauge", "deepest the consumer has seen the ring"},
        {"tradefan_ring_full_events_total", "counter", "offers that found the ring full (back-pressure)"},
        {"tradefan_ring_drops_total", "counter", "records given up after the ring stayed full"},
    };
    for (size_t f = 0; f < TF_ARRAY_LEN(fams); f++) {
        prom_family(b, fams[f].name, fams[f].type, fams[f].help);
        for (int i = 0; i < v->ring_count; i++) {
            const tf_ring *g = &v->rings[i];
            prom_label l[] = {{"ring", VIEW_STR(g->desc->name)}};
            uint64_t x = f == 0   ? tf_ring_depth(g)
                         : f == 1 ? g->capacity
                         : f == 2 ? tf_load_64(&g->desc->cons.high_water)
                         : f == 3 ? tf_load_64(&g->desc->prod.full_events)
                                  : tf_load_64(&g->desc->prod.drops);
            prom_sample_u64(b, "", l, 1, x);
        }
    }
}

/* Attach (or re-attach after a restart) quietly: a missing engine is a
 * value (engine_up 0), not a message per scrape. */
static void attach(prom_source *s)
{
    if (s->open && view_replaced(&s->view, s->dir, s->inst))
        prom_source_close(s);
    if (s->open)
        return;
    char path[256];
    struct stat sb;
    if (tf_segment_path(path, sizeof path, s->dir, s->inst, TF_SEG_STATS) != 0 || stat(path, &sb) != 0)
        return;
    s->open = view_open(&s->view, "tfexport-prom", s->dir, s->inst) == 0;
    if (!s->open)
        view_close(&s->view);
    else
        s->opened++;
}

void prom_render(prom_source *s, prom_buf *b)
{
    s->scrapes++;
    /* Every series names its engine: several engines share one Prometheus. */
    prom_const_label(b, "instance_name", s->inst);
    attach(s);
    uint64_t now = tf_now_ns();
    int up = 0;
    if (s->open) {
        uint64_t hb_age = 0;
        up = tf_segment_owner(&s->view.stats_seg, now, &hb_age) == TF_OWNER_LIVE;
    }
    prom_family(b, "tradefan_engine_up", "gauge", "1 while the engine owning the segments is alive");
    prom_label inst[] = {{"instance_name", s->inst}};
    prom_sample_u64(b, "", inst, 1, (uint64_t)up);
    if (s->open) {
        render_counters(s, b);
        render_hists(s, b);
        render_stages(s, b, now);
        render_rings(s, b);
        prom_render_trading(s, b, now);
    }
    prom_render_processes(s, b);
}

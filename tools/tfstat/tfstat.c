/* tfstat: look inside an engine — running, cleanly stopped or crashed.
 *
 *   tfstat [-n INSTANCE] [-d DIR] [-w] [-i SECONDS] [-c COUNT] [--once]
 *          [--json] [--check] [--no-color] [-h]
 *
 * Attaches read-only to DIR/tradefan.INSTANCE.{stats,state,rings,requests,md}
 * (AeronStat-style) and prints the engine's status, threads (duty cycle,
 * heartbeat), stages, counters with rates, latency histograms, rings, the
 * journal, the state slots and the distinct-error log. Only the stats segment
 * is required; a missing optional segment shows as "not present".
 *
 * Rates and duty cycles are differences between two samples: 200 ms apart in
 * print-once mode, one refresh interval apart when watching (-w, or -c COUNT
 * frames). A watch redraws in place on a terminal and prints frames separated
 * by a blank line otherwise; Ctrl-C ends it. When the engine stops and a new
 * one replaces its segments, a watch attaches to the new ones.
 *
 * EXIT CODES
 *   0  printed; the engine may be LIVE, CLOSED or DEAD (a crashed engine's
 *      segments are shown, with a DEAD banner, for post-mortem)
 *   1  usage error; with --check: anything but a LIVE engine whose heartbeat
 *      is younger than 2 s (no engine, stopped, crashed, stuck, unreadable)
 *   2  no engine: DIR/tradefan.INSTANCE.stats is not there
 *   3  a segment has another layout version (engine and tools from other builds)
 *   4  not a TradeFan segment, truncated, corrupt, or unreadable (permissions)
 * A problem in an optional segment is shown in its section, and the exit
 * code is then 3 or 4 as above.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/base/json_text.h"
#include "shm/catalog.h"
#include "shm/records.h"
#include "tools/oob/md_view.h"
#include "tools/tfstat/exporter_view.h"
#include "tools/tfstat/order_view.h"
#include "tools/tfstat/venue_view.h"
#include "tools/oob/view.h"

#define CHECK_MAX_AGE_NS   2000000000ull /* --check: heartbeat younger than this */
#define STUCK_AGE_NS       1000000000ull /* a LIVE engine's heartbeat older: warn */
#define FIRST_SAMPLE_GAP_S 0.2           /* print-once: the two samples for rates */

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}
static int use_color;

/* ---- formatting helpers ------------------------------------------------ */

/* Durations in human units: 870ns, 12.5µs, 3.2ms, 4.10s. */
static const char *dur(uint64_t ns)
{
    char *b = view_scratch();
    if (ns < 1000)
        snprintf(b, VIEW_STR_MAX, "%" PRIu64 "ns", ns);
    else if (ns < 1000000)
        snprintf(b, VIEW_STR_MAX, "%.1fµs", (double)ns / 1e3);
    else if (ns < 1000000000)
        snprintf(b, VIEW_STR_MAX, "%.1fms", (double)ns / 1e6);
    else
        snprintf(b, VIEW_STR_MAX, "%.2fs", (double)ns / 1e9);
    return b;
}

static const char *uptime(uint64_t ns)
{
    char *b = view_scratch();
    uint64_t s = ns / 1000000000ull;
    if (s < 60)
        snprintf(b, VIEW_STR_MAX, "%.1fs", (double)ns / 1e9);
    else if (s < 86400)
        snprintf(b, VIEW_STR_MAX, "%" PRIu64 "h%02" PRIu64 "m%02" PRIu64 "s", s / 3600, s / 60 % 60,
                 s % 60);
    else
        snprintf(b, VIEW_STR_MAX, "%" PRIu64 "d%02" PRIu64 "h%02" PRIu64 "m", s / 86400, s / 3600 % 24,
                 s / 60 % 60);
    return b;
}

/* "N s ago" for a CLOCK_MONOTONIC time. */
static const char *ago(uint64_t now, uint64_t then)
{
    char *b = view_scratch();
    double s = now > then ? (double)(now - then) / 1e9 : 0;
    snprintf(b, VIEW_STR_MAX, s < 10 ? "%.1f s ago" : "%.0f s ago", s);
    return b;
}

static const char *wall(uint64_t realtime_ns)
{
    char *b = view_scratch();
    time_t t = (time_t)(realtime_ns / 1000000000ull);
    struct tm tm;
    if (!realtime_ns || !localtime_r(&t, &tm) || !strftime(b, VIEW_STR_MAX, "%Y-%m-%d %H:%M:%S", &tm))
        snprintf(b, VIEW_STR_MAX, "?");
    return b;
}

/* Right-align `s` in `w` terminal columns (µ is two bytes, one column). */
static void put_r(FILE *f, const char *s, int w)
{
    int cols = 0;
    for (const char *p = s; *p; p++)
        cols += ((unsigned char)*p & 0xC0) != 0x80;
    for (; cols < w; cols++)
        fputc(' ', f);
    fputs(s, f);
}

static const char *paint(const char *esc) { return use_color ? esc : ""; }
#define RED    "\033[1;31m"
#define GREEN  "\033[1;32m"
#define YELLOW "\033[1;33m"
#define BOLD   "\033[1m"
#define RESET  "\033[0m"

/* The error code's name; "code N" for one newer than these tools. */
static const char *code_name(uint32_t code)
{
    if (code < TF_E_CODE_COUNT)
        return tf_err_code_name(code);
    char *b = view_scratch();
    snprintf(b, VIEW_STR_MAX, "code %u", code);
    return b;
}

static const char *idle_name(uint32_t k)
{
    return k == 0 ? "busy-spin" : k == 1 ? "yield" : k == 2 ? "backoff" : "?";
}

static const char *phase_name(uint32_t p)
{
    static const char *const names[] = {"?", "starting", "running", "draining", "stopped"};
    return p < TF_ARRAY_LEN(names) ? names[p] : "?";
}

static const char *owner_text(tf_seg_owner o)
{
    return o == TF_OWNER_LIVE ? "LIVE" : o == TF_OWNER_CLOSED ? "CLOSED (cleanly stopped)" : "DEAD";
}

/* Thread i's share of time in cycles that did work, in percent, between two
 * samples (over its lifetime without `prev`); -1 when it has not run. */
static double duty(uint32_t i, const view_sample *cur, const view_sample *prev)
{
    double busy = (double)(cur->busy[i] - (prev ? prev->busy[i] : 0));
    double idle = (double)(cur->idle[i] - (prev ? prev->idle[i] : 0));
    return busy + idle > 0 ? 100.0 * busy / (busy + idle) : -1;
}

#define JSON_STR(f, field) tf_json_fputs((f), (field), sizeof(field))
#define JSON_CSTR(f, s)    tf_json_fputs((f), (s), strlen(s))

static double json_num(double x) { return x == x && x < 1e300 && x > -1e300 ? x : 0; }

/* ---- what both outputs need ---------------------------------------------- */

typedef struct frame {
    uint64_t now, hb_age, uptime_ns;
    tf_seg_owner owner;
    tf_engine_status es;
    int have_status;
    uint64_t status_updated;
} frame;

static void frame_init(const tf_view *v, frame *fr)
{
    memset(fr, 0, sizeof *fr);
    fr->now = tf_now_ns();
    fr->owner = tf_segment_owner(&v->stats_seg, fr->now, &fr->hb_age);
    const tf_state_slot *s = v->state ? tf_state_find(v->state, TF_STATE_ENGINE, "engine") : NULL;
    fr->have_status =
        s && tf_state_read(s, &fr->es, sizeof fr->es, 1000, &fr->status_updated) == TF_STATE_OK;
    /* Live: since creation. Closed: creation to close. Dead: what the
     * engine last wrote into its status (the end is unknown). */
    const tf_seg_header *h = v->stats_seg.hdr;
    uint64_t created = h->created_realtime_ns;
    uint64_t end = fr->owner == TF_OWNER_LIVE     ? tf_realtime_ns()
                   : fr->owner == TF_OWNER_CLOSED ? tf_load_64(&h->closed_realtime_ns)
                                                  : 0;
    if (created && end > created)
        fr->uptime_ns = end - created;
    else if (fr->have_status)
        fr->uptime_ns = fr->es.uptime_ns;
}

/* ---- text ------------------------------------------------------------------ */

static void print_header(FILE *f, const tf_view *v, const frame *fr, const char *dir)
{
    const tf_seg_header *h = v->stats_seg.hdr;
    const char *col = fr->owner == TF_OWNER_LIVE ? GREEN : fr->owner == TF_OWNER_CLOSED ? YELLOW : RED;
    fprintf(f, "%stradefan instance %s%s in %s   engine pid %d   %s%s%s   layout %u.%u\n", paint(BOLD),
            VIEW_STR(h->instance), paint(RESET), dir, h->owner_pid, paint(col), owner_text(fr->owner),
            paint(RESET), h->layout_version >> 16, h->layout_version & 0xffff);
    const char *up_label = fr->owner == TF_OWNER_LIVE     ? "uptime"
                           : fr->owner == TF_OWNER_CLOSED ? "ran"
                                                          : "ran at least";
    fprintf(f, "  %s %s (started %s)   heartbeat %s ago", up_label, uptime(fr->uptime_ns),
            wall(h->created_realtime_ns), dur(fr->hb_age));
    if (fr->have_status)
        fprintf(f, "   phase %s   config %s", phase_name(fr->es.phase), VIEW_STR(fr->es.config_file));
    fputc('\n', f);
    if (fr->owner == TF_OWNER_DEAD)
        fprintf(f,
                "  %sDEAD: engine pid %d is gone without closing its segments (crashed or killed);"
                " figures are as it left them%s\n",
                paint(RED), h->owner_pid, paint(RESET));
    else if (fr->owner == TF_OWNER_CLOSED)
        fprintf(f, "  stopped at %s\n", wall(tf_load_64(&h->closed_realtime_ns)));
    else if (fr->hb_age > STUCK_AGE_NS)
        fprintf(f, "  %sWARNING: heartbeat %s old: the engine's main thread looks stuck%s\n", paint(RED),
                dur(fr->hb_age), paint(RESET));
}

static int name_width(int w, const char *s)
{
    int n = (int)strlen(s);
    return n > w ? n : w;
}

static void print_threads(FILE *f, const tf_view *v, const frame *fr, const view_sample *cur,
                          const view_sample *prev)
{
    const tf_stats_dir *d = v->stats.dir;
    int w = 7, lifetime = fr->owner != TF_OWNER_LIVE;
    for (uint32_t i = 0; i < view_threads(v); i++)
        w = name_width(w, VIEW_STR(d->threads[i].name));
    fprintf(f, "\n%-*s  cpu  idle       heartbeat      loops/s    duty  max-cycle      parks\n", w + 2,
            "threads");
    if (!view_threads(v))
        fprintf(f, "  (none)\n");
    for (uint32_t i = 0; i < view_threads(v); i++) {
        const tf_thread_stats *t = &d->threads[i];
        uint64_t hb = tf_load_64(&t->heartbeat_ns);
        double dp = duty(i, cur, lifetime ? NULL : prev);
        char cpu[16], duty_s[16];
        snprintf(cpu, sizeof cpu, t->cpu < 0 ? "-" : "%d", t->cpu);
        snprintf(duty_s, sizeof duty_s, dp < 0 ? "-" : "%.1f%%", dp);
        fprintf(f, "  %-*s %4s  %-9s ", w, VIEW_STR(t->name), cpu, idle_name(t->idle_kind));
        put_r(f, hb ? dur(fr->now > hb ? fr->now - hb : 0) : "never", 10);
        fprintf(f, " %12.0f %7s ", view_rate(cur->loops[i], prev ? prev->loops[i] : 0, cur, prev),
                duty_s);
        put_r(f, dur(tf_load_64(&t->max_cycle_ns)), 10);
        fprintf(f, " %10" PRIu64 "\n", tf_load_64(&t->parks));
    }
    if (lifetime && view_threads(v))
        fprintf(f, "  (engine not live: duty is over each thread's lifetime)\n");
}

static void print_stages(FILE *f, const tf_view *v, const frame *fr, const view_sample *cur,
                         const view_sample *prev)
{
    const tf_stats_dir *d = v->stats.dir;
    int w = 6, tw = 6;
    for (uint32_t i = 1; i < view_owners(v); i++)
        w = name_width(w, VIEW_STR(d->owners[i].name));
    for (uint32_t i = 0; i < view_threads(v); i++)
        tw = name_width(tw, VIEW_STR(d->threads[i].name));
    fprintf(f, "\n%-*s  %-*s  heartbeat      polls/s       work/s           work\n", w + 2, "stages", tw,
            "thread");
    if (view_owners(v) <= 1)
        fprintf(f, "  (none)\n");
    for (uint32_t i = 1; i < view_owners(v); i++) {
        const tf_stage_stats *s = &d->owners[i];
        uint64_t hb = tf_load_64(&s->heartbeat_ns);
        const char *thread =
            s->thread_index < view_threads(v) ? VIEW_STR(d->threads[s->thread_index].name) : "?";
        fprintf(f, "  %-*s  %-*s ", w, VIEW_STR(s->name), tw, thread);
        put_r(f, hb ? dur(fr->now > hb ? fr->now - hb : 0) : "never", 10);
        fprintf(f, " %12.0f %12.0f %14" PRIu64 "\n",
                view_rate(cur->polls[i], prev ? prev->polls[i] : 0, cur, prev),
                view_rate(cur->work[i], prev ? prev->work[i] : 0, cur, prev), cur->work[i]);
    }
}

/* "owner/name{labels}" */
static const char *counter_label(const tf_view *v, uint32_t i, int with_labels)
{
    const tf_counter_meta *m = &v->stats.dir->counters[i];
    const char *labels = VIEW_STR(m->labels);
    char b[VIEW_STR_MAX];
    snprintf(b, sizeof b, "%s/%s%s%s%s", view_owner_name(v, m->owner), VIEW_STR(m->name),
             with_labels && labels[0] ? "{" : "", with_labels ? labels : "",
             with_labels && labels[0] ? "}" : "");
    return strcpy(view_scratch(), b);
}

static void print_counters(FILE *f, const tf_view *v, const view_sample *cur, const view_sample *prev)
{
    const tf_stats_dir *d = v->stats.dir;
    int w = 8;
    for (uint32_t i = 0; i < view_counters(v); i++)
        w = name_width(w, counter_label(v, i, 1));
    fprintf(f, "\n%-*s  %14s %12s\n", w + 2, "counters", "value", "rate/s");
    if (!view_counters(v))
        fprintf(f, "  (none)\n");
    for (uint32_t i = 0; i < view_counters(v); i++) {
        fprintf(f, "  %-*s %14" PRIu64, w, counter_label(v, i, 1), cur->counters[i]);
        if (d->counters[i].kind == TF_GAUGE)
            fprintf(f, " %12s\n", "gauge");
        else
            fprintf(f, " %12.0f\n",
                    view_rate(cur->counters[i], prev ? prev->counters[i] : 0, cur, prev));
    }
}

static const char *hist_label(const tf_view *v, uint32_t i)
{
    const tf_hist_meta *m = &v->stats.dir->hists[i];
    const char *labels = VIEW_STR(m->labels);
    char b[VIEW_STR_MAX];
    snprintf(b, sizeof b, "%s%s%s%s", VIEW_STR(m->name), labels[0] ? "{" : "", labels,
             labels[0] ? "}" : "");
    return strcpy(view_scratch(), b);
}

static void print_hists(FILE *f, const tf_view *v)
{
    int w = 10;
    for (uint32_t i = 0; i < view_hists(v); i++)
        w = name_width(w, hist_label(v, i));
    fprintf(f, "\n%-*s  %12s %8s %8s %8s %8s %8s %8s\n", w + 2, "histograms", "count", "p50", "p90",
            "p99", "p99.9", "p99.99", "max");
    if (!view_hists(v))
        fprintf(f, "  (none)\n");
    for (uint32_t i = 0; i < view_hists(v); i++) {
        tf_hist_summary s;
        tf_hist_snapshot(v->snap, &v->stats.hists[i]);
        tf_hist_summarize(v->snap, &s);
        fprintf(f, "  %-*s %12" PRIu64, w, hist_label(v, i), s.count);
        uint64_t q[6] = {s.p50, s.p90, s.p99, s.p999, s.p9999, s.max};
        for (int k = 0; k < 6; k++) {
            fputc(' ', f);
            put_r(f, s.count ? dur(q[k]) : "-", 8);
        }
        if (s.overflow)
            fprintf(f, "  (%" PRIu64 " over 2^40 ns)", s.overflow);
        fputc('\n', f);
    }
}

static void print_rings(FILE *f, const tf_view *v)
{
    int w = 5;
    for (int i = 0; i < v->ring_count; i++)
        w = name_width(w, VIEW_STR(v->rings[i].desc->name));
    fprintf(f,
            "\n%-*s  kind  capacity    depth  high-water     published      consumed  full-events    "
            "drops\n",
            w + 2, "rings");
    for (int s = VIEW_RINGS; s <= VIEW_REQUESTS; s++) {
        if (!v->present[s] && !v->problem[s][0])
            fprintf(f, "  %s: not present\n", view_opt_name(s));
        else if (v->problem[s][0])
            fprintf(f, "  %s%s: %s%s\n", paint(RED), view_opt_name(s), v->problem[s], paint(RESET));
    }
    for (int i = 0; i < v->ring_count; i++) {
        const tf_ring *r = &v->rings[i];
        uint64_t drops = tf_load_64(&r->desc->prod.drops);
        fprintf(f,
                "  %-*s  %-4s %9u %8" PRIu64 " %11" PRIu64 " %13" PRIu64 " %13" PRIu64 " %12" PRIu64
                " %s%8" PRIu64 "%s\n",
                w, VIEW_STR(r->desc->name), r->kind == TF_RING_MPSC ? "mpsc" : "spsc", r->capacity,
                tf_ring_depth(r), tf_load_64(&r->desc->cons.high_water), tf_ring_published(r),
                tf_ring_consumed(r), tf_load_64(&r->desc->prod.full_events), drops ? paint(RED) : "",
                drops, drops ? paint(RESET) : "");
    }
}

static uint64_t md_oldest(const tf_view *v, uint64_t head)
{
    uint64_t first = tf_load_64(&v->md.desc->first_seq);
    uint64_t oldest = head >= v->md.capacity ? head - v->md.capacity + 1 : 1;
    oldest = oldest > first ? oldest : first;
    return oldest > head ? 0 : oldest; /* 0: empty */
}

static void print_journal(FILE *f, const tf_view *v, const view_sample *cur, const view_sample *prev)
{
    fprintf(f, "\njournal md: ");
    if (v->problem[VIEW_MD][0]) {
        fprintf(f, "%s%s%s\n", paint(RED), v->problem[VIEW_MD], paint(RESET));
        return;
    }
    if (!v->present[VIEW_MD]) {
        fprintf(f, "not present\n");
        return;
    }
    fprintf(f,
            "capacity %u x %u B   head %" PRIu64 "   oldest %" PRIu64
            "   %.0f records/s   flushed head %" PRIu64 "   recovered %" PRIu64 "\n",
            v->md.capacity, v->md.slot_size, cur->md_head, md_oldest(v, cur->md_head),
            view_rate(cur->md_head, prev ? prev->md_head : 0, cur, prev),
            tf_load_64(&v->md.desc->flushed_head), tf_load_64(&v->md.desc->recovered));
    if (v->md_target[0])
        fprintf(f, "  on disk: %s\n", v->md_target);
}

static void print_state(FILE *f, const tf_view *v, const frame *fr)
{
    fprintf(f, "\nstate");
    if (v->problem[VIEW_STATE][0] || !v->state) {
        fprintf(f, ": %s%s%s\n", paint(RED),
                v->problem[VIEW_STATE][0] ? v->problem[VIEW_STATE] : "not present", paint(RESET));
        return;
    }
    fputc('\n', f);
    md_view md;
    md_view_load(&md, v->state);
    uint32_t n = tf_load_32(&v->state->slot_count);
    n = n < v->state->slot_capacity ? n : v->state->slot_capacity;
    if (!n)
        fprintf(f, "  (no slots)\n");
    for (uint32_t i = 0; i < n; i++) {
        const tf_state_slot *s = &v->state->slots[i];
        if (order_view_is_kind(s->kind))
            continue; /* the order path's own section */
        union {
            tf_engine_status es;
            tf_synth_tick tick;
            tf_md_top top;
            tf_md_trade trade;
            tf_md_bar bar;
            tf_md_feed_status feed;
            tf_md_instrument_info info;
            uint8_t raw[TF_STATE_PAYLOAD];
        } p;
        uint64_t upd = 0;
        tf_state_rc rc = tf_state_read(s, &p, sizeof p, 1000, &upd);
        fprintf(f, "  %-12s ", VIEW_STR(s->key));
        if (rc == TF_STATE_EMPTY)
            fprintf(f, "never written\n");
        else if (rc == TF_STATE_TORN)
            fprintf(f, "%sTORN: still mid-update (writer died or stuck)%s\n", paint(RED), paint(RESET));
        else if (s->kind == TF_STATE_ENGINE)
            fprintf(f, "engine status: phase %s   pid %d   config %s   uptime %s   updated %s\n",
                    phase_name(p.es.phase), p.es.pid, VIEW_STR(p.es.config_file), uptime(p.es.uptime_ns),
                    ago(fr->now, upd));
        else if (s->kind == TF_STATE_INSTRUMENT)
            fprintf(f, "instrument #%u on %s: tick %s, lot %s, min notional %s\n", p.info.id,
                    VIEW_STR(p.info.venue), md_view_num(p.info.tick_size, p.info.price_precision),
                    md_view_num(p.info.lot_size, p.info.qty_precision),
                    md_view_num(p.info.min_notional, p.info.price_precision));
        else if (s->kind == TF_STATE_MD_TOP)
            fprintf(f, "book %s%-8s%s bid %s x %s   ask %s x %s   levels %u/%u   update %" PRIu64
                    "   trades %" PRIu64 "   volume %s   updated %s\n",
                    p.top.book_state ? paint(GREEN) : paint(RED), p.top.book_state ? "synced" : "UNSYNCED",
                    paint(RESET), md_view_px(&md, p.top.instrument, p.top.bid_price),
                    md_view_qty(&md, p.top.instrument, p.top.bid_qty),
                    md_view_px(&md, p.top.instrument, p.top.ask_price),
                    md_view_qty(&md, p.top.instrument, p.top.ask_qty), p.top.bid_levels, p.top.ask_levels,
                    p.top.update_id, p.top.trade_count, md_view_qty(&md, p.top.instrument, p.top.cum_volume),
                    ago(fr->now, upd));
        else if (s->kind == TF_STATE_MD_LAST_TRADE)
            fprintf(f, "last trade #%" PRIu64 " %s %s @ %s   at %s   age %s\n", p.trade.trade_id,
                    p.trade.flags & TF_MD_BUYER_MAKER ? "sell" : "buy",
                    md_view_qty(&md, p.trade.instrument, p.trade.qty),
                    md_view_px(&md, p.trade.instrument, p.trade.price), md_view_time(p.trade.trade_time_ns),
                    ago(fr->now, upd));
        else if (s->kind == TF_STATE_MD_BAR)
            fprintf(f, "bar %s  O %s H %s L %s C %s  V %s  VWAP %s  n %u  rev %u\n",
                    p.bar.open_time_ns ? md_view_time(p.bar.open_time_ns) + 11 : "-", md_view_px(&md, p.bar.instrument, p.bar.open),
                    md_view_px(&md, p.bar.instrument, p.bar.high), md_view_px(&md, p.bar.instrument, p.bar.low),
                    md_view_px(&md, p.bar.instrument, p.bar.close),
                    md_view_qty(&md, p.bar.instrument, p.bar.volume),
                    md_view_px(&md, p.bar.instrument, p.bar.vwap), p.bar.trade_count, p.bar.revision);
        else if (s->kind == TF_STATE_FEED)
            fprintf(f, "feed %s%s%s %s   connects %" PRIu64 "   disconnects %" PRIu64 "   trade gaps %" PRIu64
                    "   book resyncs %" PRIu64 "   last message %s\n",
                    p.feed.connected ? paint(GREEN) : paint(RED), p.feed.connected ? "connected" : "DOWN",
                    paint(RESET), VIEW_STR(p.feed.url), p.feed.connects, p.feed.disconnects, p.feed.trade_gaps,
                    p.feed.book_resyncs,
                    p.feed.last_frame_realtime_ns ? md_view_time(p.feed.last_frame_realtime_ns) : "never");
        else if (s->kind == TF_STATE_SYNTH_LAST)
            fprintf(f, "last synth tick: seq %" PRIu64 "   value %s   age %s\n", p.tick.seq,
                    view_fixed8(p.tick.value), dur(fr->now > upd ? fr->now - upd : 0));
        else
            fprintf(f, "kind %u, %u bytes, updated %s\n", s->kind, s->length, ago(fr->now, upd));
    }
}

static void print_errors(FILE *f, const tf_view *v, const frame *fr)
{
    const tf_errlog *el = v->stats.errlog;
    int any = 0, w = 6;
    for (uint32_t o = 0; o < view_owners(v); o++)
        w = name_width(w, view_owner_name(v, o));
    fprintf(f, "\nerror log\n");
    for (uint32_t o = 0; o < view_owners(v); o++) {
        const tf_errlog_block *b = &el->blocks[o];
        for (uint32_t k = 0; k < TF_ERRLOG_ENTRIES; k++) {
            const tf_errlog_entry *e = &b->entries[k];
            uint32_t code = tf_load_acquire_32(&e->code);
            if (!code)
                break;
            any = 1;
            fprintf(f, "  %-*s  %s%-16s x%-8" PRIu64 "%s first %s, last %s, last arg %" PRIu64 ": %s\n",
                    w, view_owner_name(v, o), paint(RED), code_name(code), tf_load_64(&e->count),
                    paint(RESET), ago(fr->now, tf_load_64(&e->first_ns)),
                    ago(fr->now, tf_load_64(&e->last_ns)), tf_load_64(&e->last_arg),
                    VIEW_STR(e->detail));
        }
        uint64_t over = tf_load_64(&b->overflow);
        if (over) {
            any = 1;
            fprintf(f, "  %-*s  %soverflow: %" PRIu64 " more distinct errors did not fit%s\n", w,
                    view_owner_name(v, o), paint(RED), over, paint(RESET));
        }
    }
    if (!any)
        fprintf(f, "  (none)\n");
}

static void print_text(FILE *f, const tf_view *v, const view_sample *cur, const view_sample *prev,
                       const char *dir)
{
    frame fr;
    frame_init(v, &fr);
    print_header(f, v, &fr, dir);
    print_threads(f, v, &fr, cur, prev);
    print_stages(f, v, &fr, cur, prev);
    print_counters(f, v, cur, prev);
    print_hists(f, v);
    print_rings(f, v);
    print_journal(f, v, cur, prev);
    print_state(f, v, &fr);
    if (v->state)
        order_view_print(f, v->state, &v->opt[VIEW_STATE]);
    venue_view_print(f, v, cur);
    exporters_print(f, dir, v->stats_seg.hdr->instance);
    print_errors(f, v, &fr);
}

/* ---- JSON ------------------------------------------------------------------ */

static void json_threads(FILE *f, const tf_view *v, const frame *fr, const view_sample *cur,
                         const view_sample *prev)
{
    const tf_stats_dir *d = v->stats.dir;
    fprintf(f, ",\"threads\":[");
    for (uint32_t i = 0; i < view_threads(v); i++) {
        const tf_thread_stats *t = &d->threads[i];
        uint64_t hb = tf_load_64(&t->heartbeat_ns);
        double dp = duty(i, cur, fr->owner == TF_OWNER_LIVE ? prev : NULL);
        fprintf(f, "%s{\"name\":", i ? "," : "");
        JSON_STR(f, t->name);
        fprintf(f,
                ",\"cpu\":%d,\"idle\":\"%s\",\"heartbeat_age_ns\":%" PRIu64 ",\"loops\":%" PRIu64
                ",\"loops_per_s\":%.1f,\"duty_pct\":%.2f,\"busy_ns\":%" PRIu64 ",\"idle_ns\":%" PRIu64
                ",\"max_cycle_ns\":%" PRIu64 ",\"parks\":%" PRIu64 "}",
                t->cpu, idle_name(t->idle_kind), hb && fr->now > hb ? fr->now - hb : 0, cur->loops[i],
                json_num(view_rate(cur->loops[i], prev ? prev->loops[i] : 0, cur, prev)),
                dp < 0 ? 0.0 : dp, cur->busy[i], cur->idle[i], tf_load_64(&t->max_cycle_ns),
                tf_load_64(&t->parks));
    }
    fprintf(f, "],\"stages\":[");
    for (uint32_t i = 1; i < view_owners(v); i++) {
        const tf_stage_stats *s = &d->owners[i];
        uint64_t hb = tf_load_64(&s->heartbeat_ns);
        fprintf(f, "%s{\"name\":", i > 1 ? "," : "");
        JSON_STR(f, s->name);
        fprintf(f, ",\"thread\":");
        JSON_CSTR(f,
                  s->thread_index < view_threads(v) ? VIEW_STR(d->threads[s->thread_index].name) : "");
        fprintf(f,
                ",\"heartbeat_age_ns\":%" PRIu64 ",\"polls\":%" PRIu64
                ",\"polls_per_s\":%.1f,\"work\":%" PRIu64 ",\"work_per_s\":%.1f}",
                hb && fr->now > hb ? fr->now - hb : 0, cur->polls[i],
                json_num(view_rate(cur->polls[i], prev ? prev->polls[i] : 0, cur, prev)), cur->work[i],
                json_num(view_rate(cur->work[i], prev ? prev->work[i] : 0, cur, prev)));
    }
    fputc(']', f);
}

/* "owner/name"; a key used before in this object gets its labels appended. */
static const char *counter_key(const tf_view *v, uint32_t i)
{
    char key[VIEW_STR_MAX];
    snprintf(key, sizeof key, "%s", counter_label(v, i, 0));
    for (uint32_t j = 0; j < i; j++)
        if (strcmp(counter_label(v, j, 0), key) == 0)
            return counter_label(v, i, 1);
    char *b = view_scratch();
    memcpy(b, key, sizeof key);
    return b;
}

static void json_counters(FILE *f, const tf_view *v, const view_sample *cur, const view_sample *prev)
{
    const tf_stats_dir *d = v->stats.dir;
    fprintf(f, ",\"counters\":{");
    for (uint32_t i = 0; i < view_counters(v); i++) {
        fprintf(f, "%s", i ? "," : "");
        JSON_CSTR(f, counter_key(v, i));
        fprintf(f, ":%" PRIu64, cur->counters[i]);
    }
    fprintf(f, "},\"counter_details\":[");
    for (uint32_t i = 0; i < view_counters(v); i++) {
        const tf_counter_meta *m = &d->counters[i];
        fprintf(f, "%s{\"owner\":", i ? "," : "");
        JSON_CSTR(f, view_owner_name(v, m->owner));
        fprintf(f, ",\"name\":");
        JSON_STR(f, m->name);
        fprintf(f, ",\"labels\":");
        JSON_STR(f, m->labels);
        fprintf(f, ",\"kind\":\"%s\",\"value\":%" PRIu64 ",\"rate_per_s\":%.1f}",
                m->kind == TF_GAUGE ? "gauge" : "counter", cur->counters[i],
                m->kind == TF_GAUGE
                    ? 0.0
                    : json_num(view_rate(cur->counters[i], prev ? prev->counters[i] : 0, cur, prev)));
    }
    fprintf(f, "],\"histograms\":{");
    for (uint32_t i = 0; i < view_hists(v); i++) {
        const tf_hist_meta *m = &d->hists[i];
        tf_hist_summary s;
        tf_hist_snapshot(v->snap, &v->stats.hists[i]);
        tf_hist_summarize(v->snap, &s);
        fprintf(f, "%s", i ? "," : "");
        int dup = 0;
        for (uint32_t j = 0; j < i; j++)
            dup |= strcmp(VIEW_STR(d->hists[j].name), VIEW_STR(m->name)) == 0;
        JSON_CSTR(f, dup ? hist_label(v, i) : VIEW_STR(m->name));
        fprintf(f, ":{\"labels\":");
        JSON_STR(f, m->labels);
        fprintf(f, ",\"owner\":");
        JSON_CSTR(f, view_owner_name(v, m->owner));
        fprintf(f, ",\"unit\":");
        JSON_STR(f, m->unit);
        fprintf(f,
                ",\"count\":%" PRIu64 ",\"min\":%" PRIu64 ",\"mean\":%.1f,\"p50\":%" PRIu64
                ",\"p90\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"p999\":%" PRIu64 ",\"p9999\":%" PRIu64
                ",\"max\":%" PRIu64 ",\"overflow\":%" PRIu64 "}",
                s.count, s.min, json_num(s.mean), s.p50, s.p90, s.p99, s.p999, s.p9999, s.max,
                s.overflow);
    }
    fputc('}', f);
}

static void json_problem(FILE *f, const tf_view *v, int i)
{
    fprintf(f, "{\"present\":%s,\"error\":", v->present[i] ? "true" : "false");
    JSON_CSTR(f, v->problem[i]);
    fputc('}', f);
}

static void json_rings_journal(FILE *f, const tf_view *v, const view_sample *cur,
                               const view_sample *prev)
{
    fprintf(f, ",\"rings\":{");
    for (int i = 0; i < v->ring_count; i++) {
        const tf_ring *r = &v->rings[i];
        fprintf(f, "%s", i ? "," : "");
        JSON_STR(f, r->desc->name);
        fprintf(f,
                ":{\"kind\":\"%s\",\"capacity\":%u,\"record_size\":%u,\"depth\":%" PRIu64
                ",\"high_water\":%" PRIu64 ",\"published\":%" PRIu64 ",\"consumed\":%" PRIu64
                ",\"full_events\":%" PRIu64 ",\"drops\":%" PRIu64 "}",
                r->kind == TF_RING_MPSC ? "mpsc" : "spsc", r->capacity, r->record_size, tf_ring_depth(r),
                tf_load_64(&r->desc->cons.high_water), tf_ring_published(r), tf_ring_consumed(r),
                tf_load_64(&r->desc->prod.full_events), tf_load_64(&r->desc->prod.drops));
    }
    fprintf(f, "},\"journal\":");
    if (v->present[VIEW_MD] && !v->problem[VIEW_MD][0]) {
        fprintf(f,
                "{\"name\":\"md\",\"capacity\":%u,\"slot_size\":%u,\"head\":%" PRIu64
                ",\"oldest\":%" PRIu64 ",\"records_per_s\":%.1f,\"flushed_head\":%" PRIu64
                ",\"recovered\":%" PRIu64 ",\"file\":",
                v->md.capacity, v->md.slot_size, cur->md_head, md_oldest(v, cur->md_head),
                json_num(view_rate(cur->md_head, prev ? prev->md_head : 0, cur, prev)),
                tf_load_64(&v->md.desc->flushed_head), tf_load_64(&v->md.desc->recovered));
        JSON_CSTR(f, v->md_target);
        fputc('}', f);
    } else {
        fprintf(f, "null");
    }
    fprintf(f, ",\"segments\":{\"stats\":{\"present\":true,\"error\":\"\"}");
    for (int i = 0; i < VIEW_OPTIONAL; i++) {
        fprintf(f, ",\"%s\":", view_opt_name(i));
        json_problem(f, v, i);
    }
    fputc('}', f);
}

static void json_state_errors(FILE *f, const tf_view *v, const frame *fr)
{
    fprintf(f, ",\"state\":{\"engine\":");
    if (fr->have_status) {
        fprintf(f, "{\"phase\":\"%s\",\"pid\":%d,\"uptime_ns\":%" PRIu64 ",\"config_file\":",
                phase_name(fr->es.phase), fr->es.pid, fr->es.uptime_ns);
        JSON_STR(f, fr->es.config_file);
        fprintf(f, ",\"updated_age_ns\":%" PRIu64 "}",
                fr->now > fr->status_updated ? fr->now - fr->status_updated : 0);
    } else {
        fprintf(f, "null");
    }
    fprintf(f, ",\"last_synth_tick\":");
    const tf_state_slot *s =
        v->state ? tf_state_find(v->state, TF_STATE_SYNTH_LAST, "synth_sink") : NULL;
    tf_synth_tick t;
    uint64_t upd = 0;
    tf_state_rc rc = s ? tf_state_read(s, &t, sizeof t, 1000, &upd) : TF_STATE_EMPTY;
    if (rc == TF_STATE_OK)
        fprintf(f, "{\"seq\":%" PRIu64 ",\"value\":%" PRId64 ",\"age_ns\":%" PRIu64 "}", t.seq, t.value,
                fr->now > upd ? fr->now - upd : 0);
    else
        fprintf(f, rc == TF_STATE_TORN ? "\"torn\"" : "null");
    fprintf(f, "},\"errors\":[");
    int first = 1;
    for (uint32_t o = 0; o < view_owners(v); o++) {
        const tf_errlog_block *b = &v->stats.errlog->blocks[o];
        for (uint32_t k = 0; k < TF_ERRLOG_ENTRIES; k++) {
            const tf_errlog_entry *e = &b->entries[k];
            uint32_t code = tf_load_acquire_32(&e->code);
            if (!code)
                break;
            uint64_t t1 = tf_load_64(&e->first_ns), t2 = tf_load_64(&e->last_ns);
            fprintf(f, "%s{\"owner\":", first ? "" : ",");
            JSON_CSTR(f, view_owner_name(v, o));
            fprintf(f,
                    ",\"code\":\"%s\",\"code_num\":%u,\"count\":%" PRIu64 ",\"first_age_ns\":%" PRIu64
                    ",\"last_age_ns\":%" PRIu64 ",\"last_arg\":%" PRIu64 ",\"detail\":",
                    tf_err_code_name(code), code, tf_load_64(&e->count), fr->now > t1 ? fr->now - t1 : 0,
                    fr->now > t2 ? fr->now - t2 : 0, tf_load_64(&e->last_arg));
            JSON_STR(f, e->detail);
            fputc('}', f);
            first = 0;
        }
    }
    fprintf(f, "],\"error_overflow\":{");
    first = 1;
    for (uint32_t o = 0; o < view_owners(v); o++) {
        uint64_t over = tf_load_64(&v->stats.errlog->blocks[o].overflow);
        if (!over)
            continue;
        fprintf(f, "%s", first ? "" : ",");
        JSON_CSTR(f, view_owner_name(v, o));
        fprintf(f, ":%" PRIu64, over);
        first = 0;
    }
    fputc('}', f);
}

static void print_json(FILE *f, const tf_view *v, const view_sample *cur, const view_sample *prev,
                       const char *dir)
{
    frame fr;
    frame_init(v, &fr);
    const tf_seg_header *h = v->stats_seg.hdr;
    fprintf(f, "{\"instance\":");
    JSON_STR(f, h->instance);
    fprintf(f, ",\"dir\":");
    JSON_CSTR(f, dir);
    fprintf(f,
            ",\"pid\":%d,\"status\":\"%s\",\"heartbeat_age_ns\":%" PRIu64 ",\"uptime_ns\":%" PRIu64
            ",\"created_realtime_ns\":%" PRIu64 ",\"layout_version\":\"%u.%u\",\"phase\":",
            h->owner_pid,
            fr.owner == TF_OWNER_LIVE     ? "live"
            : fr.owner == TF_OWNER_CLOSED ? "closed"
                                          : "dead",
            fr.hb_age, fr.uptime_ns, h->created_realtime_ns, h->layout_version >> 16,
            h->layout_version & 0xffff);
    if (fr.have_status)
        fprintf(f, "\"%s\"", phase_name(fr.es.phase));
    else
        fprintf(f, "null");
    fprintf(f, ",\"sample_ns\":%" PRIu64, prev ? cur->t_ns - prev->t_ns : 0);
    json_threads(f, v, &fr, cur, prev);
    json_counters(f, v, cur, prev);
    json_rings_journal(f, v, cur, prev);
    json_state_errors(f, v, &fr);
    if (v->state)
        order_view_json(f, v->state, &v->opt[VIEW_STATE]);
    venue_view_json(f, v, cur);
    exporters_json(f, dir, v->stats_seg.hdr->instance);
    fprintf(f, "}\n");
}

/* ---- modes ------------------------------------------------------------------ */

/* --check: exit 0 only for a LIVE engine with a fresh heartbeat. */
static int run_check(const char *dir, const char *inst)
{
    char path[256];
    tf_segment seg;
    if (tf_segment_path(path, sizeof path, dir, inst, TF_SEG_STATS) != 0) {
        fprintf(stderr, "tfstat: %s\n", tf_err_msg());
        return 1;
    }
    tf_seg_status st = view_attach(&seg, "tfstat", path, TF_SEG_KIND_STATS);
    if (st == TF_SEG_NOT_THERE)
        view_no_engine("tfstat", inst, dir);
    if (st != TF_SEG_OK)
        return 1;
    uint64_t age = 0;
    tf_seg_owner o = tf_segment_owner(&seg, tf_now_ns(), &age);
    int pid = seg.hdr->owner_pid;
    tf_segment_close(&seg);
    if (o == TF_OWNER_LIVE && age < CHECK_MAX_AGE_NS) {
        printf("engine '%s' LIVE, pid %d, heartbeat %s ago\n", inst, pid, dur(age));
        return 0;
    }
    if (o == TF_OWNER_DEAD)
        fprintf(stderr,
                "tfstat: engine '%s' is DEAD: engine pid %d is gone without closing its segments "
                "(crashed or killed)\n",
                inst, pid);
    else if (o == TF_OWNER_CLOSED)
        fprintf(stderr, "tfstat: engine '%s' is CLOSED (cleanly stopped)\n", inst);
    else
        fprintf(stderr, "tfstat: engine '%s' (pid %d) is LIVE but its heartbeat is %s old: stuck?\n",
                inst, pid, dur(age));
    return 1;
}

/* Sleep, cut short by a signal. */
static void nap(double seconds)
{
    struct timespec ts = {.tv_sec = (time_t)seconds,
                          .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (!stop_requested && nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* One frame to stdout. A terminal watch redraws in place: home the cursor,
 * clear each line's tail and everything below, so the screen never blanks. */
static void emit(const tf_view *v, const view_sample *cur, const view_sample *prev, const char *dir,
                 int json, int redraw, long shown)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = redraw ? open_memstream(&buf, &len) : stdout;
    if (!f)
        f = stdout, redraw = 0;
    if (!redraw && shown && !json)
        fputc('\n', f);
    if (json)
        print_json(f, v, cur, prev, dir);
    else
        print_text(f, v, cur, prev, dir);
    if (redraw) {
        fclose(f);
        fputs("\033[H", stdout);
        for (char *line = buf, *nl; line < buf + len; line = nl + 1) {
            nl = memchr(line, '\n', (size_t)(buf + len - line));
            if (!nl)
                nl = buf + len;
            fwrite(line, 1, (size_t)(nl - line), stdout);
            fputs("\033[K\n", stdout);
        }
        fputs("\033[J", stdout);
        free(buf);
    }
    fflush(stdout);
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: tfstat [-n INSTANCE] [-d DIR] [-w] [-i SECONDS] [-c COUNT] [--once]\n"
        "              [--json] [--check] [--no-color] [-h]\n"
        "  -n, --instance NAME  engine instance (default $TRADEFAN_INSTANCE, else dev)\n"
        "  -d, --dir DIR        segment directory (default /dev/shm)\n"
        "  -w, --watch          refresh every -i seconds until Ctrl-C (or -c frames)\n"
        "  -i, --interval SECS  watch period, fractions allowed (default 1)\n"
        "  -c, --count N        print N frames, then exit (implies -w)\n"
        "      --once           print one frame (the default)\n"
        "      --json           one JSON object per frame, for scripts\n"
        "      --check          health check: exit 0 only if LIVE with a heartbeat under 2 s, else 1\n"
        "      --no-color       no ANSI colours (also: NO_COLOR set, or stdout not a terminal)\n"
        "exit: 0 ok (LIVE, CLOSED or DEAD shown), 1 usage/--check failed, 2 no engine,\n"
        "      3 wrong layout version, 4 not a TradeFan segment or corrupt\n");
}

int main(int argc, char **argv)
{
    const char *inst = getenv("TRADEFAN_INSTANCE") && *getenv("TRADEFAN_INSTANCE")
                           ? getenv("TRADEFAN_INSTANCE")
                           : "dev";
    const char *dir = "/dev/shm";
    int watch = 0, once = 0, json = 0, check = 0, no_color = 0;
    double interval = 1.0;
    long frames = 0;
    static const struct option opts[] = {
        {"instance", required_argument, NULL, 'n'},
        {"dir", required_argument, NULL, 'd'},
        {"watch", no_argument, NULL, 'w'},
        {"interval", required_argument, NULL, 'i'},
        {"count", required_argument, NULL, 'c'},
        {"once", no_argument, NULL, 'o'},
        {"json", no_argument, NULL, 'j'},
        {"check", no_argument, NULL, 'k'},
        {"no-color", no_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "n:d:wi:c:h", opts, NULL)) != -1) {
        char *end;
        switch (ch) {
        case 'n': inst = optarg; break;
        case 'd': dir = optarg; break;
        case 'w': watch = 1; break;
        case 'o': once = 1; break;
        case 'j': json = 1; break;
        case 'k': check = 1; break;
        case 'C': no_color = 1; break;
        case 'i':
            interval = strtod(optarg, &end);
            if (end == optarg || *end || !(interval >= 0.01 && interval <= 86400)) {
                fprintf(stderr, "tfstat: -i wants seconds between 0.01 and 86400, not '%s'\n", optarg);
                return 1;
            }
            break;
        case 'c':
            frames = strtol(optarg, &end, 10);
            if (end == optarg || *end || frames <= 0) {
                fprintf(stderr, "tfstat: -c wants a frame count >= 1, not '%s'\n", optarg);
                return 1;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tfstat: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 1;
    }
    if (check)
        return run_check(dir, inst);
    if (frames)
        watch = 1;
    if (once)
        watch = 0, frames = 1;
    if (!watch)
        frames = 1;
    int tty = isatty(STDOUT_FILENO);
    use_color = tty && !no_color && !json && !getenv("NO_COLOR");

    static tf_view v, fresh;
    int rc = view_open(&v, "tfstat", dir, inst);
    if (rc != 0) {
        view_close(&v);
        return rc;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a signal cuts the sleep short */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int redraw = watch && tty && !json;
    if (redraw)
        fputs("\033[H\033[2J", stdout);
    static view_sample a, b;
    view_sample *cur = &a, *prev = &b;
    view_take_sample(&v, prev);
    nap(FIRST_SAMPLE_GAP_S);
    for (long shown = 0; !stop_requested;) {
        view_take_sample(&v, cur);
        emit(&v, cur, prev, dir, json, redraw, shown);
        if (frames && ++shown >= frames)
            break;
        nap(interval);
        /* A stopped engine replaced by a new one: follow the new one. */
        if (tf_segment_owner(&v.stats_seg, tf_now_ns(), NULL) != TF_OWNER_LIVE &&
            view_replaced(&v, dir, inst)) {
            if (view_open(&fresh, "tfstat", dir, inst) == 0) {
                view_close(&v);
                v = fresh;
                memset(&fresh, 0, sizeof fresh);
                view_take_sample(&v, prev);
                nap(FIRST_SAMPLE_GAP_S);
                continue;
            }
            view_close(&fresh);
        }
        view_sample *t = prev;
        prev = cur;
        cur = t;
    }
    for (int i = 0; i < VIEW_OPTIONAL; i++)
        if (v.problem[i][0])
            fprintf(stderr, "tfstat: %s segment unusable: %s\n", view_opt_name(i), v.problem[i]);
    view_close(&v);
    return v.worst;
}

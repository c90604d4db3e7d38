/* tfstat: look inside a running (or stopped, or crashed) engine.
 *
 * Attaches read-only to the engine's segments and prints threads (duty
 * cycle, heartbeat), stages, counters with rates, latency histograms, ring
 * depths, the journal and the error log. Print-once by default (two samples
 * 200 ms apart, for rates); -w watches; --json for scripts; --check for
 * health checks.
 *
 * Exit codes: 0 ok; 1 usage, or --check found the engine not live/healthy;
 * 2 no engine; 3 wrong layout version; 4 not a TradeFan segment or corrupt.
 */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shm/err.h"
#include "shm/journal.h"
#include "shm/records.h"
#include "shm/ring.h"
#include "shm/segment.h"
#include "tools/tool_util.h"
#include "shm/state.h"
#include "shm/stats.h"

#define MAX_RINGS 16

typedef struct view {
    tf_segment stats_seg, state_seg, rings_seg, req_seg, md_seg;
    int has_state, has_rings, has_req, has_md;
    tf_stats stats;
    tf_state_table *state;
    tf_ring rings[MAX_RINGS];
    int ring_count;
    tf_journal md;
    tf_hist *snap; /* scratch for histogram snapshots */
} view;

typedef struct sample {
    uint64_t t_ns;
    uint64_t loops[TF_STATS_MAX_THREADS], busy[TF_STATS_MAX_THREADS], idle[TF_STATS_MAX_THREADS];
    uint64_t polls[TF_STATS_MAX_OWNERS], work[TF_STATS_MAX_OWNERS];
    uint64_t counters[TF_STATS_MAX_COUNTERS];
    uint64_t md_head;
} sample;

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

static const char *dur(uint64_t ns, char *buf, size_t n)
{
    if (ns < 10000)
        snprintf(buf, n, "%" PRIu64 "ns", ns);
    else if (ns < 10000000)
        snprintf(buf, n, "%.1fus", (double)ns / 1e3);
    else if (ns < 10000000000ull)
        snprintf(buf, n, "%.1fms", (double)ns / 1e6);
    else
        snprintf(buf, n, "%.1fs", (double)ns / 1e9);
    return buf;
}

static const char *uptime(uint64_t ns, char *buf, size_t n)
{
    uint64_t s = ns / 1000000000ull;
    if (s < 60)
        snprintf(buf, n, "%.1fs", (double)ns / 1e9);
    else
        snprintf(buf, n, "%" PRIu64 "h%02" PRIu64 "m%02" PRIu64 "s", s / 3600, s / 60 % 60, s % 60);
    return buf;
}

static const char *idle_name(uint32_t k)
{
    return k == 0 ? "busy-spin" : k == 1 ? "yield" : k == 2 ? "backoff" : "?";
}

/* Attach an optional segment: 1 attached, 0 absent, -exit on a hard error. */
static int attach_optional(tf_segment *seg, const char *dir, const char *inst, const char *name,
                           uint32_t kind)
{
    char path[256];
    if (tf_segment_path(path, sizeof path, dir, inst, name) != 0)
        return 0;
    tf_seg_status st = tf_segment_attach(seg, path, kind);
    if (st == TF_SEG_OK)
        return 1;
    if (st == TF_SEG_NOT_THERE)
        return 0;
    fprintf(stderr, "tfstat: %s\n", tf_err_msg());
    return -tool_exit_code(st);
}

static int view_open(view *v, const char *dir, const char *inst)
{
    memset(v, 0, sizeof *v);
    char path[256];
    if (tf_segment_path(path, sizeof path, dir, inst, "stats") != 0)
        return 1;
    tf_seg_status st = tf_segment_attach(&v->stats_seg, path, TF_SEG_KIND_STATS);
    if (st == TF_SEG_NOT_THERE) {
        fprintf(stderr, "tfstat: no engine '%s' in %s (is it running? start it with `make run`)\n",
                inst, dir);
        return 2;
    }
    if (st != TF_SEG_OK) {
        fprintf(stderr, "tfstat: %s\n", tf_err_msg());
        return tool_exit_code(st);
    }
    if (tf_stats_attach(&v->stats, &v->stats_seg) != 0) {
        fprintf(stderr, "tfstat: %s\n", tf_err_msg());
        return 4;
    }
    int rc;
    if ((rc = attach_optional(&v->state_seg, dir, inst, "state", TF_SEG_KIND_STATE)) < 0)
        return -rc;
    if ((v->has_state = rc))
        v->state = tf_segment_region(&v->state_seg, "state", NULL);
    v->has_state = v->state != NULL;
    if ((rc = attach_optional(&v->rings_seg, dir, inst, "rings", TF_SEG_KIND_RINGS)) < 0)
        return -rc;
    v->has_rings = rc;
    if ((rc = attach_optional(&v->req_seg, dir, inst, "requests", TF_SEG_KIND_RINGS)) < 0)
        return -rc;
    v->has_req = rc;
    tf_segment *ring_segs[2] = {v->has_rings ? &v->rings_seg : NULL, v->has_req ? &v->req_seg : NULL};
    for (int s = 0; s < 2; s++) {
        if (!ring_segs[s])
            continue;
        const tf_seg_header *h = ring_segs[s]->hdr;
        for (uint32_t i = 0; i < h->region_count && v->ring_count < MAX_RINGS; i++) {
            uint64_t len;
            void *reg = tf_segment_region(ring_segs[s], h->regions[i].name, &len);
            if (reg && tf_ring_attach(&v->rings[v->ring_count], reg, len) == 0)
                v->ring_count++;
        }
    }
    if ((rc = attach_optional(&v->md_seg, dir, inst, "md", TF_SEG_KIND_JOURNAL)) < 0)
        return -rc;
    v->has_md = rc && tf_journal_attach(&v->md, &v->md_seg) == 0;
    v->snap = malloc(sizeof(tf_hist));
    return v->snap ? 0 : 1;
}

static void view_close(view *v)
{
    free(v->snap);
    tf_segment_close(&v->md_seg);
    tf_segment_close(&v->req_seg);
    tf_segment_close(&v->rings_seg);
    tf_segment_close(&v->state_seg);
    tf_segment_close(&v->stats_seg);
}

static void take_sample(const view *v, sample *s)
{
    const tf_stats_dir *d = v->stats.dir;
    s->t_ns = tf_now_ns();
    for (uint32_t i = 0; i < d->thread_count && i < TF_STATS_MAX_THREADS; i++) {
        s->loops[i] = tf_load_64(&d->threads[i].loops);
        s->busy[i] = tf_load_64(&d->threads[i].busy_ns);
        s->idle[i] = tf_load_64(&d->threads[i].idle_ns);
    }
    for (uint32_t i = 0; i < d->owner_count && i < TF_STATS_MAX_OWNERS; i++) {
        s->polls[i] = tf_load_64(&d->owners[i].polls);
        s->work[i] = tf_load_64(&d->owners[i].work);
    }
    for (uint32_t i = 0; i < d->counter_count && i < TF_STATS_MAX_COUNTERS; i++)
        s->counters[i] = tf_stats_value(&v->stats, i);
    s->md_head = v->has_md ? tf_journal_head(&v->md) : 0;
}

static double rate(uint64_t now, uint64_t then, const sample *a, const sample *b)
{
    if (!b || a->t_ns <= b->t_ns || now < then)
        return 0;
    return (double)(now - then) * 1e9 / (double)(a->t_ns - b->t_ns);
}

static const char *owner_state_text(tf_seg_owner o)
{
    return o == TF_OWNER_LIVE ? "LIVE" : o == TF_OWNER_CLOSED ? "CLOSED (stopped cleanly)" : "DEAD";
}

static void print_text(const view *v, const sample *cur, const sample *prev)
{
    const tf_seg_header *h = v->stats_seg.hdr;
    const tf_stats_dir *d = v->stats.dir;
    uint64_t now = tf_now_ns(), hb_age = 0;
    tf_seg_owner o = tf_segment_owner(&v->stats_seg, now, &hb_age);
    char b1[32], b2[32], b3[32], b4[32], b5[32], b6[32];

    tf_engine_status es;
    memset(&es, 0, sizeof es);
    const tf_state_slot *ss = v->has_state ? tf_state_find(v->state, TF_STATE_ENGINE, "engine") : NULL;
    int have_status = ss && tf_state_read(ss, &es, sizeof es, 1000, NULL) == TF_STATE_OK;
    static const char *const phases[] = {"?", "starting", "running", "draining", "stopped"};
    printf("engine %s  pid %d  %s  layout %u.%u  heartbeat %s ago\n", h->instance, h->owner_pid,
           owner_state_text(o), h->layout_version >> 16, h->layout_version & 0xffff,
           dur(hb_age, b1, sizeof b1));
    if (o == TF_OWNER_DEAD)
        printf("  engine pid %d is gone without closing its segments (crashed or killed)\n",
               h->owner_pid);
    if (have_status)
        printf("  phase %s  uptime %s  config %s\n", es.phase < 5 ? phases[es.phase] : "?",
               uptime(es.uptime_ns, b1, sizeof b1), es.config_file);

    printf("\nthreads         cpu  idle       heartbeat     loops/s   duty   max-cycle    parks\n");
    for (uint32_t i = 0; i < d->thread_count && i < TF_STATS_MAX_THREADS; i++) {
        const tf_thread_stats *t = &d->threads[i];
        uint64_t hb = tf_load_64(&t->heartbeat_ns);
        double busy = prev ? (double)(cur->busy[i] - prev->busy[i]) : (double)cur->busy[i];
        double idle = prev ? (double)(cur->idle[i] - prev->idle[i]) : (double)cur->idle[i];
        double duty = busy + idle > 0 ? 100.0 * busy / (busy + idle) : 0;
        printf("  %-12s %4d  %-9s %10s %11.0f %5.1f%% %11s %8" PRIu64 "\n", t->name, t->cpu,
               idle_name(t->idle_kind), hb ? dur(now > hb ? now - hb : 0, b1, sizeof b1) : "never",
               rate(cur->loops[i], prev ? prev->loops[i] : 0, cur, prev), duty,
               dur(tf_load_64(&t->max_cycle_ns), b2, sizeof b2), tf_load_64(&t->parks));
    }
    printf("\nstages          thread        heartbeat     polls/s      work/s        work\n");
    for (uint32_t i = 1; i < d->owner_count && i < TF_STATS_MAX_OWNERS; i++) {
        const tf_stage_stats *s = &d->owners[i];
        uint32_t ti = s->thread_index < TF_STATS_MAX_THREADS ? s->thread_index : 0;
        uint64_t shb = tf_load_64(&s->heartbeat_ns);
        printf("  %-13s %-12s %9s %11.0f %11.0f %11" PRIu64 "\n", s->name, d->threads[ti].name,
               shb ? dur(now > shb ? now - shb : 0, b1, sizeof b1) : "never",
               rate(cur->polls[i], prev ? prev->polls[i] : 0, cur, prev),
               rate(cur->work[i], prev ? prev->work[i] : 0, cur, prev), cur->work[i]);
    }
    printf("\ncounters                                                 value        rate/s\n");
    for (uint32_t i = 0; i < d->counter_count && i < TF_STATS_MAX_COUNTERS; i++) {
        const tf_counter_meta *m = &d->counters[i];
        char name[160];
        snprintf(name, sizeof name, "%s/%s%s%s%s", d->owners[m->owner % TF_STATS_MAX_OWNERS].name,
                 m->name, m->labels[0] ? "{" : "", m->labels, m->labels[0] ? "}" : "");
        if (m->kind == TF_GAUGE)
            printf("  %-50s %12" PRIu64 "   (gauge)\n", name, cur->counters[i]);
        else
            printf("  %-50s %12" PRIu64 " %12.0f\n", name, cur->counters[i],
                   rate(cur->counters[i], prev ? prev->counters[i] : 0, cur, prev));
    }
    printf("\nhistograms                            count      p50      p90      p99    p99.9   p99.99      max\n");
    for (uint32_t i = 0; i < d->hist_count && i < TF_STATS_MAX_HISTS; i++) {
        const tf_hist_meta *m = &d->hists[i];
        tf_hist_snapshot(v->snap, &v->stats.hists[i]);
        tf_hist_summary s;
        tf_hist_summarize(v->snap, &s);
        char name[120];
        snprintf(name, sizeof name, "%s%s%s%s", m->name, m->labels[0] ? "{" : "", m->labels,
                 m->labels[0] ? "}" : "");
        printf("  %-32s %10" PRIu64 " %8s %8s %8s %8s %8s %8s\n", name, s.count,
               dur(s.p50, b1, sizeof b1), dur(s.p90, b2, sizeof b2), dur(s.p99, b3, sizeof b3),
               dur(s.p999, b4, sizeof b4), dur(s.p9999, b5, sizeof b5), dur(s.max, b6, sizeof b6));
    }
    printf("\nrings           kind  capacity    depth  high-water     published      consumed   full-events  drops\n");
    if (!v->ring_count)
        printf("  (not present)\n");
    for (int i = 0; i < v->ring_count; i++) {
        const tf_ring *r = &v->rings[i];
        printf("  %-13s %-5s %8u %8" PRIu64 " %11" PRIu64 " %13" PRIu64 " %13" PRIu64 " %13" PRIu64
               " %6" PRIu64 "\n", r->desc->name, r->kind == TF_RING_MPSC ? "mpsc" : "spsc",
               r->capacity, tf_ring_depth(r), tf_load_64(&r->desc->cons.high_water),
               tf_ring_published(r), tf_ring_consumed(r), tf_load_64(&r->desc->prod.full_events),
               tf_load_64(&r->desc->prod.drops));
    }
    printf("\njournal md: ");
    if (!v->has_md)
        printf("not present\n");
    else
        printf("capacity %u  head %" PRIu64 "  %.0f records/s  flushed %" PRIu64 "  recovered %" PRIu64 "\n",
               v->md.capacity, cur->md_head, rate(cur->md_head, prev ? prev->md_head : 0, cur, prev),
               tf_load_64(&v->md.desc->flushed_head), tf_load_64(&v->md.desc->recovered));

    const tf_state_slot *ls = v->has_state ? tf_state_find(v->state, TF_STATE_SYNTH_LAST, "synth_sink") : NULL;
    tf_synth_tick tick;
    uint64_t upd = 0;
    if (ls) {
        tf_state_rc rc = tf_state_read(ls, &tick, sizeof tick, 1000, &upd);
        if (rc == TF_STATE_OK)
            printf("state: last synthetic tick seq %" PRIu64 ", %s ago\n", tick.seq,
                   dur(now > upd ? now - upd : 0, b1, sizeof b1));
        else
            printf("state: last synthetic tick %s\n", rc == TF_STATE_EMPTY ? "none yet" : "TORN (writer died mid-update)");
    }

    printf("\nerror log\n");
    int any = 0;
    const tf_errlog *el = v->stats.errlog;
    for (uint32_t o2 = 0; o2 < d->owner_count && o2 < TF_ERRLOG_MAX_OWNERS; o2++) {
        const tf_errlog_block *b = &el->blocks[o2];
        for (uint32_t k = 0; k < TF_ERRLOG_ENTRIES; k++) {
            const tf_errlog_entry *e = &b->entries[k];
            uint32_t code = tf_load_acquire_32((uint32_t *)&e->code);
            if (!code)
                break;
            any = 1;
            printf("  %-13s %-18s x%-8" PRIu64 " first %s ago, last %s ago, arg %" PRIu64 ": %.24s\n",
                   d->owners[o2].name, tf_err_code_name(code), tf_load_64(&e->count),
                   dur(now - e->first_ns, b1, sizeof b1), dur(now - tf_load_64(&e->last_ns), b2, sizeof b2),
                   tf_load_64(&e->last_arg), e->detail);
        }
        if (b->overflow)
            printf("  %-13s %" PRIu64 " further distinct errors did not fit\n", d->owners[o2].name,
                   b->overflow);
    }
    if (!any)
        printf("  (none)\n");
}

static void print_json(const view *v, const sample *cur, const sample *prev)
{
    const tf_seg_header *h = v->stats_seg.hdr;
    const tf_stats_dir *d = v->stats.dir;
    uint64_t now = tf_now_ns(), hb_age = 0;
    tf_seg_owner o = tf_segment_owner(&v->stats_seg, now, &hb_age);
    printf("{\"instance\":\"%s\",\"pid\":%d,\"status\":\"%s\",\"heartbeat_age_ns\":%" PRIu64
           ",\"layout_version\":%u,\"threads\":[", h->instance, h->owner_pid,
           o == TF_OWNER_LIVE ? "live" : o == TF_OWNER_CLOSED ? "closed" : "dead", hb_age,
           h->layout_version);
    for (uint32_t i = 0; i < d->thread_count && i < TF_STATS_MAX_THREADS; i++) {
        const tf_thread_stats *t = &d->threads[i];
        printf("%s{\"name\":\"%s\",\"cpu\":%d,\"loops\":%" PRIu64 ",\"loops_per_s\":%.0f,\"busy_ns\":%" PRIu64
               ",\"idle_ns\":%" PRIu64 ",\"max_cycle_ns\":%" PRIu64 ",\"parks\":%" PRIu64 "}",
               i ? "," : "", t->name, t->cpu, cur->loops[i],
               rate(cur->loops[i], prev ? prev->loops[i] : 0, cur, prev), cur->busy[i], cur->idle[i],
               tf_load_64(&t->max_cycle_ns), tf_load_64(&t->parks));
    }
    printf("],\"counters\":{");
    for (uint32_t i = 0; i < d->counter_count && i < TF_STATS_MAX_COUNTERS; i++)
        printf("%s\"%s/%s\":%" PRIu64, i ? "," : "", d->owners[d->counters[i].owner % TF_STATS_MAX_OWNERS].name,
               d->counters[i].name, cur->counters[i]);
    printf("},\"histograms\":{");
    for (uint32_t i = 0; i < d->hist_count && i < TF_STATS_MAX_HISTS; i++) {
        tf_hist_snapshot(v->snap, &v->stats.hists[i]);
        tf_hist_summary s;
        tf_hist_summarize(v->snap, &s);
        printf("%s\"%s\":{\"count\":%" PRIu64 ",\"p50\":%" PRIu64 ",\"p90\":%" PRIu64 ",\"p99\":%" PRIu64
               ",\"p999\":%" PRIu64 ",\"p9999\":%" PRIu64 ",\"max\":%" PRIu64 "}", i ? "," : "",
               d->hists[i].name, s.count, s.p50, s.p90, s.p99, s.p999, s.p9999, s.max);
    }
    printf("},\"rings\":{");
    for (int i = 0; i < v->ring_count; i++) {
        const tf_ring *r = &v->rings[i];
        printf("%s\"%s\":{\"capacity\":%u,\"depth\":%" PRIu64 ",\"high_water\":%" PRIu64
               ",\"published\":%" PRIu64 ",\"consumed\":%" PRIu64 ",\"full_events\":%" PRIu64
               ",\"drops\":%" PRIu64 "}", i ? "," : "", r->desc->name, r->capacity, tf_ring_depth(r),
               tf_load_64(&r->desc->cons.high_water), tf_ring_published(r), tf_ring_consumed(r),
               tf_load_64(&r->desc->prod.full_events), tf_load_64(&r->desc->prod.drops));
    }
    printf("},\"journal\":");
    if (v->has_md)
        printf("{\"capacity\":%u,\"head\":%" PRIu64 ",\"flushed_head\":%" PRIu64 "}", v->md.capacity,
               cur->md_head, tf_load_64(&v->md.desc->flushed_head));
    else
        printf("null");
    printf(",\"errors\":[");
    int first = 1;
    for (uint32_t o2 = 0; o2 < d->owner_count && o2 < TF_ERRLOG_MAX_OWNERS; o2++)
        for (uint32_t k = 0; k < TF_ERRLOG_ENTRIES; k++) {
            const tf_errlog_entry *e = &v->stats.errlog->blocks[o2].entries[k];
            uint32_t code = tf_load_acquire_32((uint32_t *)&e->code);
            if (!code)
                break;
            printf("%s{\"owner\":\"%s\",\"code\":\"%s\",\"count\":%" PRIu64 ",\"last_arg\":%" PRIu64 "}",
                   first ? "" : ",", d->owners[o2].name, tf_err_code_name(code),
                   tf_load_64(&e->count), tf_load_64(&e->last_arg));
            first = 0;
        }
    printf("]}\n");
}

static void usage(FILE *f)
{
    fprintf(f, "usage: tfstat [-n INSTANCE] [-d DIR] [-w] [-i SECONDS] [-c FRAMES] [--json] [--check]\n"
               "  -n INSTANCE   engine instance (default $TRADEFAN_INSTANCE or dev)\n"
               "  -d DIR        segment directory (default /dev/shm)\n"
               "  -w            watch: refresh every -i seconds (default 1) until Ctrl-C or -c frames\n"
               "  --json        one JSON object (print-once)\n"
               "  --check       exit 0 only if the engine is live with a heartbeat under 2 s\n");
}

int main(int argc, char **argv)
{
    const char *inst = getenv("TRADEFAN_INSTANCE") ? getenv("TRADEFAN_INSTANCE") : "dev";
    const char *dir = "/dev/shm";
    int watch = 0, json = 0, check = 0;
    double interval = 1.0;
    long frames = -1;
    static const struct option opts[] = {
        {"instance", required_argument, NULL, 'n'}, {"dir", required_argument, NULL, 'd'},
        {"watch", no_argument, NULL, 'w'},          {"interval", required_argument, NULL, 'i'},
        {"count", required_argument, NULL, 'c'},    {"once", no_argument, NULL, 'o'},
        {"json", no_argument, NULL, 'j'},           {"check", no_argument, NULL, 'k'},
        {"no-color", no_argument, NULL, 'C'},       {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "n:d:wi:c:h", opts, NULL)) != -1) {
        char *end;
        switch (ch) {
        case 'n': inst = optarg; break;
        case 'd': dir = optarg; break;
        case 'w': watch = 1; break;
        case 'o': watch = 0; break;
        case 'j': json = 1; break;
        case 'k': check = 1; break;
        case 'C': break;
        case 'i':
            interval = strtod(optarg, &end);
            if (*end || interval <= 0) { fprintf(stderr, "tfstat: bad interval '%s'\n", optarg); return 1; }
            break;
        case 'c':
            frames = strtol(optarg, &end, 10);
            if (*end || frames <= 0) { fprintf(stderr, "tfstat: bad count '%s'\n", optarg); return 1; }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    static view v;
    int rc = view_open(&v, dir, inst);
    if (rc != 0) {
        view_close(&v);
        return rc;
    }
    if (check) {
        uint64_t age = 0;
        tf_seg_owner o = tf_segment_owner(&v.stats_seg, tf_now_ns(), &age);
        int healthy = o == TF_OWNER_LIVE && age < 2000000000ull;
        if (!healthy)
            fprintf(stderr, "tfstat: engine %s is %s (heartbeat %.1f s ago)\n", inst,
                    owner_state_text(o), (double)age / 1e9);
        view_close(&v);
        return healthy ? 0 : 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    static sample a, b;
    sample *cur = &a, *prev = &b;
    take_sample(&v, prev);
    int tty = isatty(STDOUT_FILENO);
    long shown = 0;
    for (;;) {
        usleep(watch ? (useconds_t)(interval * 1e6) : 200000);
        if (stop_requested)
            break;
        take_sample(&v, cur);
        if (watch && tty)
            printf("\033[H\033[2J");
        else if (shown)
            printf("\n");
        if (json)
            print_json(&v, cur, prev);
        else
            print_text(&v, cur, prev);
        fflush(stdout);
        shown++;
        if (!watch || (frames > 0 && shown >= frames) || stop_requested)
            break;
        sample *t = prev;
        prev = cur;
        cur = t;
    }
    view_close(&v);
    return 0;
}

/* tfstat's threads and stages: per thread its cpu, idle strategy,
 * heartbeat, loop rate, duty cycle, longest cycle and parks; per stage its
 * thread, heartbeat, poll and work rates. */
#include <string.h>

#include "tools/oob/stat/tfstat.h"

static const char *idle_name(uint32_t k)
{
    return k == 0 ? "busy-spin" : k == 1 ? "yield" : k == 2 ? "backoff" : "?";
}

/* Thread i's share of time in cycles that did work, in percent, between two
 * samples (over its lifetime without `prev`); -1 when it has not run. */
static double duty(uint32_t i, const view_sample *cur, const view_sample *prev)
{
    double busy = (double)(cur->busy[i] - (prev ? prev->busy[i] : 0));
    double idle = (double)(cur->idle[i] - (prev ? prev->idle[i] : 0));
    return busy + idle > 0 ? 100.0 * busy / (busy + idle) : -1;
}

/* A heartbeat as an age cell: "never" in text when there was none. */
static rcell hb_cell(const frame *fr, uint64_t hb)
{
    rcell c = {.u = hb && fr->now > hb ? fr->now - hb : 0};
    c.text = hb ? NULL : "never";
    return c;
}

enum { T_NAME, T_CPU, T_IDLE, T_HB, T_LOOPS, T_LOOPS_S, T_DUTY, T_BUSY, T_IDLE_NS, T_MAXC, T_PARKS, T_COLS };
static const rcol thread_cols[T_COLS] = {
    [T_NAME] = {.key = "name", .fmt = RF_STR},
    [T_CPU] = {"cpu", 4, " ", "cpu", RF_I64},
    [T_IDLE] = {"idle", -9, "  ", "idle", RF_STR},
    [T_HB] = {"heartbeat", 10, " ", "heartbeat_age_ns", RF_DUR},
    [T_LOOPS] = {.key = "loops", .fmt = RF_U64},
    [T_LOOPS_S] = {"loops/s", 12, " ", "loops_per_s", RF_RATE},
    [T_DUTY] = {"duty", 7, " ", "duty_pct", RF_PCT},
    [T_BUSY] = {.key = "busy_ns", .fmt = RF_U64},
    [T_IDLE_NS] = {.key = "idle_ns", .fmt = RF_U64},
    [T_MAXC] = {"max-cycle", 10, " ", "max_cycle_ns", RF_DUR},
    [T_PARKS] = {"parks", 10, " ", "parks", RF_U64},
};

void section_threads(render *r, const frame *fr)
{
    const tf_view *v = fr->v;
    const view_sample *cur = fr->cur, *prev = fr->prev;
    const tf_stats_dir *d = v->stats.dir;
    int lifetime = fr->owner != TF_OWNER_LIVE;
    rtable t = {.title = "threads", .cols = thread_cols, .ncols = T_COLS, .name_width = 7};
    for (uint32_t i = 0; i < view_threads(v); i++)
        t.name_width = render_widest(t.name_width, VIEW_STR(d->threads[i].name));
    if (r->json)
        fputs(",\"threads\":[", r->f);
    render_head(r, &t);
    if (!view_threads(v) && !r->json)
        fprintf(r->f, "  (none)\n");
    for (uint32_t i = 0; i < view_threads(v); i++) {
        const tf_thread_stats *th = &d->threads[i];
        double dp = duty(i, cur, lifetime ? NULL : prev);
        rcell c[T_COLS] = {
            [T_NAME] = {.s = th->name, .n = sizeof th->name},
            [T_CPU] = {.i = th->cpu, .text = th->cpu < 0 ? "-" : NULL},
            [T_IDLE] = {.s = idle_name(th->idle_kind)},
            [T_HB] = hb_cell(fr, tf_load_64(&th->heartbeat_ns)),
            [T_LOOPS] = {.u = cur->loops[i]},
            [T_LOOPS_S] = {.d = view_rate(cur->loops[i], prev ? prev->loops[i] : 0, cur, prev)},
            [T_DUTY] = {.d = dp < 0 ? 0.0 : dp, .text = dp < 0 ? "-" : NULL},
            [T_BUSY] = {.u = cur->busy[i]},
            [T_IDLE_NS] = {.u = cur->idle[i]},
            [T_MAXC] = {.u = tf_load_64(&th->max_cycle_ns)},
            [T_PARKS] = {.u = tf_load_64(&th->parks)},
        };
        render_row(r, &t, c);
    }
    if (r->json)
        fputc(']', r->f);
    else if (lifetime && view_threads(v))
        fprintf(r->f, "  (engine not live: duty is over each thread's lifetime)\n");
}

enum { S_NAME, S_THREAD, S_HB, S_POLLS, S_POLLS_S, S_WORK_S, S_WORK, S_COLS };
static const rcol stage_cols[S_COLS] = {
    [S_NAME] = {.key = "name", .fmt = RF_STR},
    [S_THREAD] = {"thread", -6, "  ", "thread", RF_STR},
    [S_HB] = {"heartbeat", 10, " ", "heartbeat_age_ns", RF_DUR},
    [S_POLLS] = {.key = "polls", .fmt = RF_U64},
    [S_POLLS_S] = {"polls/s", 12, " ", "polls_per_s", RF_RATE},
    [S_WORK] = {"work", 14, " ", "work", RF_U64},
    [S_WORK_S] = {"work/s", 12, " ", "work_per_s", RF_RATE},
};

void section_stages(render *r, const frame *fr)
{
    const tf_view *v = fr->v;
    const view_sample *cur = fr->cur, *prev = fr->prev;
    const tf_stats_dir *d = v->stats.dir;
    rcol cols[S_COLS];
    memcpy(cols, stage_cols, sizeof cols);
    for (uint32_t i = 0; i < view_threads(v); i++) /* the thread column is as wide as its names */
        cols[S_THREAD].width = -render_widest(-cols[S_THREAD].width, VIEW_STR(d->threads[i].name));
    static const int json_order[] = {S_NAME, S_THREAD, S_HB, S_POLLS, S_POLLS_S, S_WORK, S_WORK_S, -1};
    rtable t = {.title = "stages", .cols = cols, .ncols = S_COLS, .name_width = 6, .json_order = json_order};
    for (uint32_t i = 1; i < view_owners(v); i++)
        t.name_width = render_widest(t.name_width, VIEW_STR(d->owners[i].name));
    if (r->json)
        fputs(",\"stages\":[", r->f);
    render_head(r, &t);
    if (view_owners(v) <= 1 && !r->json)
        fprintf(r->f, "  (none)\n");
    for (uint32_t i = 1; i < view_owners(v); i++) { /* owner 0 is the engine itself */
        const tf_stage_stats *s = &d->owners[i];
        int known = s->thread_index < view_threads(v);
        rcell c[S_COLS] = {
            [S_NAME] = {.s = s->name, .n = sizeof s->name},
            [S_THREAD] = {.s = known ? VIEW_STR(d->threads[s->thread_index].name) : "",
                          .text = known ? NULL : "?"},
            [S_HB] = hb_cell(fr, tf_load_64(&s->heartbeat_ns)),
            [S_POLLS] = {.u = cur->polls[i]},
            [S_POLLS_S] = {.d = view_rate(cur->polls[i], prev ? prev->polls[i] : 0, cur, prev)},
            [S_WORK] = {.u = cur->work[i]},
            [S_WORK_S] = {.d = view_rate(cur->work[i], prev ? prev->work[i] : 0, cur, prev)},
        };
        render_row(r, &t, c);
    }
    if (r->json)
        fputc(']', r->f);
}

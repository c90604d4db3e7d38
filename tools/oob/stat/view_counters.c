/* tfstat's counters (value and rate per second; gauges as they are) and
 * latency histograms (count, percentiles, max), from the stats segment. */
#include <inttypes.h>
#include <string.h>

#include "tools/oob/stat/tfstat.h"

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

enum { C_LABEL, C_OWNER, C_NAME, C_LABELS, C_KIND, C_VALUE, C_RATE, C_COLS };
static const rcol counter_cols[C_COLS] = {
    [C_LABEL] = {.fmt = RF_STR}, /* text: owner/name{labels} */
    [C_OWNER] = {.key = "owner", .fmt = RF_STR},
    [C_NAME] = {.key = "name", .fmt = RF_STR},
    [C_LABELS] = {.key = "labels", .fmt = RF_STR},
    [C_KIND] = {.key = "kind", .fmt = RF_STR},
    [C_VALUE] = {"value", 14, " ", "value", RF_U64, .head_width = 15},
    [C_RATE] = {"rate/s", 12, " ", "rate_per_s", RF_RATE},
};

void section_counters(render *r, const frame *fr)
{
    const tf_view *v = fr->v;
    const view_sample *cur = fr->cur, *prev = fr->prev;
    const tf_stats_dir *d = v->stats.dir;
    rtable t = {.title = "counters", .cols = counter_cols, .ncols = C_COLS, .name_width = 8};
    if (r->json) { /* first a plain name -> value object for scripts */
        fputs(",\"counters\":{", r->f);
        for (uint32_t i = 0; i < view_counters(v); i++) {
            render_json_key(r, i > 0, counter_key(v, i));
            fprintf(r->f, "%" PRIu64, cur->counters[i]);
        }
        fputs("},\"counter_details\":[", r->f);
    }
    for (uint32_t i = 0; i < view_counters(v) && !r->json; i++)
        t.name_width = render_widest(t.name_width, counter_label(v, i, 1));
    render_head(r, &t);
    if (!view_counters(v) && !r->json)
        fprintf(r->f, "  (none)\n");
    for (uint32_t i = 0; i < view_counters(v); i++) {
        const tf_counter_meta *m = &d->counters[i];
        int gauge = m->kind == TF_GAUGE;
        rcell c[C_COLS] = {
            [C_LABEL] = {.s = counter_label(v, i, 1)},
            [C_OWNER] = {.s = view_owner_name(v, m->owner)},
            [C_NAME] = {.s = m->name, .n = sizeof m->name},
            [C_LABELS] = {.s = m->labels, .n = sizeof m->labels},
            [C_KIND] = {.s = gauge ? "gauge" : "counter"},
            [C_VALUE] = {.u = cur->counters[i]},
            [C_RATE] = {.d = gauge ? 0.0 : view_rate(cur->counters[i], prev ? prev->counters[i] : 0, cur, prev),
                        .text = gauge ? "gauge" : NULL},
        };
        render_row(r, &t, c);
    }
    if (r->json)
        fputc(']', r->f);
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

enum { H_NAME, H_LABELS, H_OWNER, H_UNIT, H_COUNT, H_MIN, H_MEAN, H_P50, H_P90, H_P99, H_P999, H_P9999,
       H_MAX, H_OVER, H_COLS };
static const rcol hist_cols[H_COLS] = {
    [H_NAME] = {.fmt = RF_STR}, /* JSON: the member's name */
    [H_LABELS] = {.key = "labels", .fmt = RF_STR},
    [H_OWNER] = {.key = "owner", .fmt = RF_STR},
    [H_UNIT] = {.key = "unit", .fmt = RF_STR},
    [H_COUNT] = {"count", 12, " ", "count", RF_U64, .head_width = 13},
    [H_MIN] = {.key = "min", .fmt = RF_U64},
    [H_MEAN] = {.key = "mean", .fmt = RF_RATE},
    [H_P50] = {"p50", 8, " ", "p50", RF_DUR},
    [H_P90] = {"p90", 8, " ", "p90", RF_DUR},
    [H_P99] = {"p99", 8, " ", "p99", RF_DUR},
    [H_P999] = {"p99.9", 8, " ", "p999", RF_DUR},
    [H_P9999] = {"p99.99", 8, " ", "p9999", RF_DUR},
    [H_MAX] = {"max", 8, " ", "max", RF_DUR},
    [H_OVER] = {NULL, 0, "", "overflow", RF_U64}, /* text: only when there is one */
};

void section_hists(render *r, const frame *fr)
{
    const tf_view *v = fr->v;
    const tf_stats_dir *d = v->stats.dir;
    rtable t = {.title = "histograms", .cols = hist_cols, .ncols = H_COLS, .name_width = 10, .keyed = 1};
    for (uint32_t i = 0; i < view_hists(v) && !r->json; i++)
        t.name_width = render_widest(t.name_width, hist_label(v, i));
    if (r->json)
        fputs(",\"histograms\":{", r->f);
    render_head(r, &t);
    if (!view_hists(v) && !r->json)
        fprintf(r->f, "  (none)\n");
    for (uint32_t i = 0; i < view_hists(v); i++) {
        const tf_hist_meta *m = &d->hists[i];
        tf_hist_summary s;
        tf_hist_snapshot(v->snap, &v->stats.hists[i]);
        tf_hist_summarize(v->snap, &s);
        int dup = 0; /* JSON: a name used before gets its labels */
        for (uint32_t j = 0; j < i && r->json; j++)
            dup |= strcmp(VIEW_STR(d->hists[j].name), VIEW_STR(m->name)) == 0;
        char over[64] = "";
        if (s.overflow)
            snprintf(over, sizeof over, "  (%" PRIu64 " over 2^40 ns)", s.overflow);
        const char *none = s.count ? NULL : "-";
        rcell c[H_COLS] = {
            [H_NAME] = {.s = r->json && !dup ? VIEW_STR(m->name) : hist_label(v, i)},
            [H_LABELS] = {.s = m->labels, .n = sizeof m->labels},
            [H_OWNER] = {.s = view_owner_name(v, m->owner)},
            [H_UNIT] = {.s = m->unit, .n = sizeof m->unit},
            [H_COUNT] = {.u = s.count},
            [H_MIN] = {.u = s.min},
            [H_MEAN] = {.d = s.mean},
            [H_P50] = {.u = s.p50, .text = none},
            [H_P90] = {.u = s.p90, .text = none},
            [H_P99] = {.u = s.p99, .text = none},
            [H_P999] = {.u = s.p999, .text = none},
            [H_P9999] = {.u = s.p9999, .text = none},
            [H_MAX] = {.u = s.max, .text = none},
            [H_OVER] = {.u = s.overflow, .text = over},
        };
        render_row(r, &t, c);
    }
    fputs(r->json ? "}" : "", r->f);
}

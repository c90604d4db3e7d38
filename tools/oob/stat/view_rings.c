/* tfstat's rings (depth, high-water mark, traffic, full events, drops),
 * the market-data journal (head, oldest, rate, flushing) and, in JSON, which
 * segments are present or unusable. */
#include <inttypes.h>

#include "tools/oob/stat/tfstat.h"

enum { R_NAME, R_KIND, R_CAP, R_RECSZ, R_DEPTH, R_HIGH, R_PUB, R_CONS, R_FULL, R_DROPS, R_COLS };
static const rcol ring_cols[R_COLS] = {
    [R_NAME] = {.fmt = RF_STR}, /* JSON: the member's name */
    [R_KIND] = {"kind", -4, "  ", "kind", RF_STR},
    [R_CAP] = {"capacity", 9, " ", "capacity", RF_U64},
    [R_RECSZ] = {.key = "record_size", .fmt = RF_U64},
    [R_DEPTH] = {"depth", 8, " ", "depth", RF_U64},
    [R_HIGH] = {"high-water", 11, " ", "high_water", RF_U64},
    [R_PUB] = {"published", 13, " ", "published", RF_U64},
    [R_CONS] = {"consumed", 13, " ", "consumed", RF_U64},
    [R_FULL] = {"full-events", 12, " ", "full_events", RF_U64},
    [R_DROPS] = {"drops", 8, " ", "drops", RF_U64, RC_PAINT | RC_UNPAINT},
};

void section_rings(render *r, const frame *fr)
{
    const tf_view *v = fr->v;
    rtable t = {.title = "rings", .cols = ring_cols, .ncols = R_COLS, .name_width = 5, .keyed = 1};
    for (int i = 0; i < v->ring_count; i++)
        t.name_width = render_widest(t.name_width, VIEW_STR(v->rings[i].desc->name));
    if (r->json)
        fputs(",\"rings\":{", r->f);
    render_head(r, &t);
    for (int s = VIEW_RINGS; s <= VIEW_REQUESTS && !r->json; s++) {
        if (!v->present[s] && !v->problem[s][0])
            fprintf(r->f, "  %s: not present\n", view_opt_name(s));
        else if (v->problem[s][0])
            fprintf(r->f, "  %s%s: %s%s\n", render_paint(r, RED), view_opt_name(s), v->problem[s],
                    render_paint(r, RESET));
    }
    for (int i = 0; i < v->ring_count; i++) {
        const tf_ring *g = &v->rings[i];
        uint64_t drops = tf_load_64(&g->desc->prod.drops);
        rcell c[R_COLS] = {
            [R_NAME] = {.s = g->desc->name, .n = sizeof g->desc->name},
            [R_KIND] = {.s = g->kind == TF_RING_MPSC ? "mpsc" : "spsc"},
            [R_CAP] = {.u = g->capacity},
            [R_RECSZ] = {.u = g->record_size},
            [R_DEPTH] = {.u = tf_ring_depth(g)},
            [R_HIGH] = {.u = tf_load_64(&g->desc->cons.high_water)},
            [R_PUB] = {.u = tf_ring_published(g)},
            [R_CONS] = {.u = tf_ring_consumed(g)},
            [R_FULL] = {.u = tf_load_64(&g->desc->prod.full_events)},
            [R_DROPS] = {.u = drops},
        };
        t.color = drops ? RED : NULL;
        render_row(r, &t, c);
    }
    fputs(r->json ? "}" : "", r->f);
}

static uint64_t md_oldest(const tf_view *v, uint64_t head)
{
    uint64_t first = tf_load_64(&v->md.desc->first_seq);
    uint64_t oldest = head >= v->md.capacity ? head - v->md.capacity + 1 : 1;
    oldest = oldest > first ? oldest : first;
    return oldest > head ? 0 : oldest; /* 0: empty */
}

/* One line of text, one object in JSON: `pre` is the text's label. */
enum { J_NAME, J_CAP, J_SLOT, J_HEAD, J_OLDEST, J_RATE, J_FLUSHED, J_RECOVERED, J_FILE, J_COLS };
static const rcol journal_cols[J_COLS] = {
    [J_NAME] = {.key = "name", .fmt = RF_STR}, /* text: in the title */
    [J_CAP] = {.pre = "capacity ", .key = "capacity", .fmt = RF_U64},
    [J_SLOT] = {.pre = " x ", .key = "slot_size", .fmt = RF_U64},
    [J_HEAD] = {.pre = " B   head ", .key = "head", .fmt = RF_U64},
    [J_OLDEST] = {.pre = "   oldest ", .key = "oldest", .fmt = RF_U64},
    [J_RATE] = {.pre = "   ", .key = "records_per_s", .fmt = RF_RATE},
    [J_FLUSHED] = {.pre = " records/s   flushed head ", .key = "flushed_head", .fmt = RF_U64},
    [J_RECOVERED] = {.pre = "   recovered ", .key = "recovered", .fmt = RF_U64},
    [J_FILE] = {.pre = "", .key = "file", .fmt = RF_STR}, /* text: a line of its own */
};

void section_journal(render *r, const frame *fr)
{
    const tf_view *v = fr->v;
    const view_sample *cur = fr->cur, *prev = fr->prev;
    int ok = v->present[VIEW_MD] && !v->problem[VIEW_MD][0];
    if (r->json) {
        fputs(",\"journal\":", r->f);
        if (!ok) {
            fputs("null", r->f);
            return;
        }
    } else {
        fprintf(r->f, "\njournal md: ");
        if (!ok) {
            if (v->problem[VIEW_MD][0])
                fprintf(r->f, "%s%s%s\n", render_paint(r, RED), v->problem[VIEW_MD], render_paint(r, RESET));
            else
                fprintf(r->f, "not present\n");
            return;
        }
    }
    char file[300] = "";
    if (v->md_target[0])
        snprintf(file, sizeof file, "\n  on disk: %s", v->md_target);
    rtable t = {.cols = journal_cols, .ncols = J_COLS, .line = 1};
    rcell c[J_COLS] = {
        [J_NAME] = {.s = "md"},
        [J_CAP] = {.u = v->md.capacity},
        [J_SLOT] = {.u = v->md.slot_size},
        [J_HEAD] = {.u = cur->md_head},
        [J_OLDEST] = {.u = md_oldest(v, cur->md_head)},
        [J_RATE] = {.d = view_rate(cur->md_head, prev ? prev->md_head : 0, cur, prev)},
        [J_FLUSHED] = {.u = tf_load_64(&v->md.desc->flushed_head)},
        [J_RECOVERED] = {.u = tf_load_64(&v->md.desc->recovered)},
        [J_FILE] = {.s = v->md_target, .text = file},
    };
    render_row(r, &t, c);
}

/* JSON only: every segment, present or not, and why one is unusable. */
void section_segments(render *r, const frame *fr)
{
    const tf_view *v = fr->v;
    if (!r->json)
        return;
    fprintf(r->f, ",\"segments\":{\"stats\":{\"present\":true,\"error\":\"\"}");
    for (int i = 0; i < VIEW_OPTIONAL; i++) {
        fprintf(r->f, ",\"%s\":{\"present\":%s,\"error\":", view_opt_name(i),
                v->present[i] ? "true" : "false");
        render_json_str(r, v->problem[i]);
        fputc('}', r->f);
    }
    fputc('}', r->f);
}

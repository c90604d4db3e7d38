/* tfstat's header: which engine, whether it is LIVE, CLOSED or DEAD, its
 * uptime, heartbeat and phase (text: the banner; JSON: the top-level
 * fields). Also the frame every section reads. */
#include <inttypes.h>
#include <string.h>

#include "tools/oob/stat/tfstat.h"

const char *phase_name(uint32_t p)
{
    static const char *const names[] = {"?", "starting", "running", "draining", "stopped"};
    return p < TF_ARRAY_LEN(names) ? names[p] : "?";
}

void frame_init(frame *fr, const tf_view *v, const view_sample *cur, const view_sample *prev,
                const char *dir)
{
    memset(fr, 0, sizeof *fr);
    fr->v = v;
    fr->cur = cur;
    fr->prev = prev;
    fr->dir = dir;
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

/* One record: text two or three lines (the banner), JSON the top-level
 * fields (the object is opened here and closed by the caller). */
enum { H_LEAD, H_INSTANCE, H_DIR, H_PID, H_STATUS, H_LAYOUT, /* text: line 1 */
       H_UP_LABEL, H_UPTIME, H_CREATED, H_HB, H_AGO, H_PHASE, H_CONFIG, H_NOTE, /* line 2 (and 3) */
       H_SAMPLE, H_COLS };
static const rcol header_cols[H_COLS] = {
    [H_LEAD] = {.pre = "", .fmt = RF_STR, .flags = RC_PAINT},
    [H_INSTANCE] = {.pre = "", .key = "instance", .fmt = RF_STR, .flags = RC_UNPAINT},
    [H_DIR] = {.pre = " in ", .key = "dir", .fmt = RF_STR},
    [H_PID] = {.pre = "   engine pid ", .key = "pid", .fmt = RF_I64},
    [H_STATUS] = {.pre = "   ", .key = "status", .fmt = RF_STR, .flags = RC_PAINT | RC_UNPAINT},
    [H_LAYOUT] = {.pre = "   layout ", .key = "layout_version", .fmt = RF_STR},
    [H_UP_LABEL] = {.pre = "  ", .fmt = RF_STR},
    [H_UPTIME] = {.pre = " ", .key = "uptime_ns", .fmt = RF_U64},
    [H_CREATED] = {.pre = " (started ", .key = "created_realtime_ns", .fmt = RF_U64},
    [H_HB] = {.pre = ")   heartbeat ", .key = "heartbeat_age_ns", .fmt = RF_DUR},
    [H_AGO] = {.pre = " ago", .fmt = RF_STR},
    [H_PHASE] = {.pre = "   phase ", .key = "phase", .fmt = RF_STR},
    [H_CONFIG] = {.pre = "   config ", .fmt = RF_STR},
    [H_NOTE] = {.pre = "\n  ", .fmt = RF_STR, .flags = RC_PAINT | RC_UNPAINT}, /* hidden when nothing to say */
    [H_SAMPLE] = {.key = "sample_ns", .fmt = RF_U64},
};
static const int header_json_order[] = {H_INSTANCE, H_DIR, H_PID, H_STATUS, H_HB, H_UPTIME, H_CREATED,
                                        H_LAYOUT, H_PHASE, H_SAMPLE, -1};

void section_header(render *r, const frame *fr)
{
    const tf_seg_header *h = fr->v->stats_seg.hdr;
    int live = fr->owner == TF_OWNER_LIVE, closed = fr->owner == TF_OWNER_CLOSED;
    char layout[16], note[300] = "";
    snprintf(layout, sizeof layout, "%u.%u", h->layout_version >> 16, h->layout_version & 0xffff);
    const char *note_color = RED;
    if (fr->owner == TF_OWNER_DEAD)
        snprintf(note, sizeof note,
                 "DEAD: engine pid %d is gone without closing its segments (crashed or killed);"
                 " figures are as it left them", h->owner_pid);
    else if (closed) {
        snprintf(note, sizeof note, "stopped at %s", fmt_wall(tf_load_64(&h->closed_realtime_ns)));
        note_color = NULL;
    }
    else if (fr->hb_age > STUCK_AGE_NS)
        snprintf(note, sizeof note, "WARNING: heartbeat %s old: the engine's main thread looks stuck",
                 fmt_dur(fr->hb_age));
    rcell c[H_COLS] = {
        [H_LEAD] = {.text = "tradefan instance ", .paint = BOLD},
        [H_INSTANCE] = {.s = h->instance, .n = sizeof h->instance},
        [H_DIR] = {.s = fr->dir},
        [H_PID] = {.i = h->owner_pid},
        [H_STATUS] = {.s = live ? "live" : closed ? "closed" : "dead",
                      .text = live ? "LIVE" : closed ? "CLOSED (cleanly stopped)" : "DEAD",
                      .paint = live ? GREEN : closed ? YELLOW : RED},
        [H_LAYOUT] = {.s = layout},
        [H_UP_LABEL] = {.s = live ? "uptime" : closed ? "ran" : "ran at least"},
        [H_UPTIME] = {.u = fr->uptime_ns, .text = fmt_uptime(fr->uptime_ns)},
        [H_CREATED] = {.u = h->created_realtime_ns, .text = fmt_wall(h->created_realtime_ns)},
        [H_HB] = {.u = fr->hb_age},
        [H_PHASE] = {.s = phase_name(fr->es.phase), .json = fr->have_status ? NULL : "null",
                     .hide = !fr->have_status},
        [H_CONFIG] = {.s = fr->es.config_file, .n = sizeof fr->es.config_file, .hide = !fr->have_status},
        [H_NOTE] = {.s = note, .paint = note_color, .hide = !note[0]},
        [H_SAMPLE] = {.u = fr->prev ? fr->cur->t_ns - fr->prev->t_ns : 0},
    };
    rtable t = {.cols = header_cols, .ncols = H_COLS, .line = 1, .members = 1,
                .json_order = header_json_order};
    if (r->json) {
        fputc('{', r->f);
        render_row(r, &t, c);
        return;
    }
    render_line(r, &t, c, H_LEAD, H_UP_LABEL);
    render_line(r, &t, c, H_UP_LABEL, H_SAMPLE);
}

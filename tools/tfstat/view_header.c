/* tfstat's header: which engine, whether it is LIVE, CLOSED or DEAD, its
 * uptime, heartbeat and phase (text: the banner; JSON: the top-level
 * fields). Also the frame every section reads. */
#include <inttypes.h>
#include <string.h>

#include "tools/tfstat/tfstat.h"

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

static void header_text(render *r, const frame *fr)
{
    FILE *f = r->f;
    const tf_seg_header *h = fr->v->stats_seg.hdr;
    const char *col = fr->owner == TF_OWNER_LIVE ? GREEN : fr->owner == TF_OWNER_CLOSED ? YELLOW : RED;
    const char *owner = fr->owner == TF_OWNER_LIVE     ? "LIVE"
                        : fr->owner == TF_OWNER_CLOSED ? "CLOSED (cleanly stopped)"
                                                       : "DEAD";
    fprintf(f, "%stradefan instance %s%s in %s   engine pid %d   %s%s%s   layout %u.%u\n",
            render_paint(r, BOLD), VIEW_STR(h->instance), render_paint(r, RESET), fr->dir, h->owner_pid,
            render_paint(r, col), owner, render_paint(r, RESET), h->layout_version >> 16,
            h->layout_version & 0xffff);
    const char *up_label = fr->owner == TF_OWNER_LIVE     ? "uptime"
                           : fr->owner == TF_OWNER_CLOSED ? "ran"
                                                          : "ran at least";
    fprintf(f, "  %s %s (started %s)   heartbeat %s ago", up_label, fmt_uptime(fr->uptime_ns),
            fmt_wall(h->created_realtime_ns), fmt_dur(fr->hb_age));
    if (fr->have_status)
        fprintf(f, "   phase %s   config %s", phase_name(fr->es.phase), VIEW_STR(fr->es.config_file));
    fputc('\n', f);
    if (fr->owner == TF_OWNER_DEAD)
        fprintf(f,
                "  %sDEAD: engine pid %d is gone without closing its segments (crashed or killed);"
                " figures are as it left them%s\n",
                render_paint(r, RED), h->owner_pid, render_paint(r, RESET));
    else if (fr->owner == TF_OWNER_CLOSED)
        fprintf(f, "  stopped at %s\n", fmt_wall(tf_load_64(&h->closed_realtime_ns)));
    else if (fr->hb_age > STUCK_AGE_NS)
        fprintf(f, "  %sWARNING: heartbeat %s old: the engine's main thread looks stuck%s\n",
                render_paint(r, RED), fmt_dur(fr->hb_age), render_paint(r, RESET));
}

/* The top-level JSON fields (the object is opened here and closed by the caller). */
static void header_json(render *r, const frame *fr)
{
    FILE *f = r->f;
    const tf_seg_header *h = fr->v->stats_seg.hdr;
    fputc('{', f);
    render_json_key(r, 0, "instance");
    render_json_strn(r, h->instance, sizeof h->instance);
    render_json_key(r, 1, "dir");
    render_json_str(r, fr->dir);
    fprintf(f,
            ",\"pid\":%d,\"status\":\"%s\",\"heartbeat_age_ns\":%" PRIu64 ",\"uptime_ns\":%" PRIu64
            ",\"created_realtime_ns\":%" PRIu64 ",\"layout_version\":\"%u.%u\",\"phase\":",
            h->owner_pid,
            fr->owner == TF_OWNER_LIVE     ? "live"
            : fr->owner == TF_OWNER_CLOSED ? "closed"
                                           : "dead",
            fr->hb_age, fr->uptime_ns, h->created_realtime_ns, h->layout_version >> 16,
            h->layout_version & 0xffff);
    if (fr->have_status)
        fprintf(f, "\"%s\"", phase_name(fr->es.phase));
    else
        fprintf(f, "null");
    fprintf(f, ",\"sample_ns\":%" PRIu64, fr->prev ? fr->cur->t_ns - fr->prev->t_ns : 0);
}

void section_header(render *r, const frame *fr)
{
    if (r->json)
        header_json(r, fr);
    else
        header_text(r, fr);
}

/* The out-of-band tools' read-only view of an engine's segments: attaching
 * the stats segment and the optional ones, samples for rates, and the
 * helpers that make shared-memory text printable. See view.h. */
#include "tools/oob/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm/lanes.h"
#include "tools/oob/tool_util.h"

/* Rotating scratch strings, so several results can appear in one printf. */
char *view_scratch(void)
{
    static char bufs[16][VIEW_STR_MAX];
    static unsigned next;
    return bufs[next++ % 16];
}

/* A fixed-size field as a printable C string: never reads past the field,
 * shows anything unprintable as '?'. */
const char *view_str(const char *src, size_t n)
{
    char *b = view_scratch();
    size_t i = 0;
    for (; i < n && i + 1 < VIEW_STR_MAX && src[i]; i++)
        b[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
    b[i] = 0;
    return b;
}

/* A fixed-point 1e-8 value (tf_synth_tick.value) as "-12.34567890". */
const char *view_fixed8(int64_t x)
{
    char *b = view_scratch();
    uint64_t a = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
    snprintf(b, VIEW_STR_MAX, "%s%llu.%08llu", x < 0 ? "-" : "", (unsigned long long)(a / 100000000u),
             (unsigned long long)(a % 100000000u));
    return b;
}

void view_no_engine(const char *tool, const char *inst, const char *dir)
{
    fprintf(stderr, "%s: no engine '%s' in %s (is it running? start it with `make run`)\n", tool, inst,
            dir);
}

/* Attach `path` read-only, printing "TOOL: why" on failure — except for a
 * file that is not there, left to the caller to say what is missing.
 * tool_exit_code() of the result is the tool's exit code. */
tf_seg_status view_attach(tf_segment *seg, const char *tool, const char *path,
                                        uint32_t kind)
{
    tf_seg_status st = tf_segment_attach(seg, path, kind);
    if (st != TF_SEG_OK && st != TF_SEG_NOT_THERE)
        fprintf(stderr, "%s: %s\n", tool, tf_err_msg());
    return st;
}

/* ---- the whole engine --------------------------------------------------- */

const char *view_opt_name(int i)
{
    static const char *const names[VIEW_OPTIONAL] = {TF_SEG_STATE, TF_SEG_RINGS, TF_SEG_REQUESTS, TF_SEG_MD};
    return names[i];
}

/* Counts from the directory, clamped (tf_stats_attach checked them once;
 * they only grow while an engine registers, before it publishes). */
static uint32_t view_min(uint32_t a, uint32_t b) { return a < b ? a : b; }
uint32_t view_threads(const tf_view *v)
{
    return view_min(v->stats.dir->thread_count, TF_STATS_MAX_THREADS);
}
uint32_t view_owners(const tf_view *v)
{
    return view_min(v->stats.dir->owner_count, TF_STATS_MAX_OWNERS);
}
uint32_t view_counters(const tf_view *v)
{
    return view_min(v->stats.dir->counter_count, TF_STATS_MAX_COUNTERS);
}
uint32_t view_hists(const tf_view *v)
{
    return view_min(v->stats.dir->hist_count, TF_STATS_MAX_HISTS);
}

const char *view_owner_name(const tf_view *v, uint32_t o)
{
    return o < view_owners(v) ? VIEW_STR(v->stats.dir->owners[o].name) : "?";
}

/* Note why optional segment i is unusable. Returns -1. */
static int view__problem(tf_view *v, int i, int code, const char *msg)
{
    snprintf(v->problem[i], sizeof v->problem[i], "%s", msg);
    if (code > v->worst)
        v->worst = code;
    return -1;
}

/* 0: attached, or not there (present[i] says which); -1: unusable (problem[i]). */
static int view__optional(tf_view *v, int i, const char *dir, const char *inst)
{
    static const uint32_t kinds[VIEW_OPTIONAL] = {TF_SEG_KIND_STATE, TF_SEG_KIND_RINGS,
                                                  TF_SEG_KIND_RINGS, TF_SEG_KIND_JOURNAL};
    char path[256];
    if (tf_segment_path(path, sizeof path, dir, inst, view_opt_name(i)) != 0)
        return view__problem(v, i, 4, tf_err_msg());
    tf_seg_status st = tf_segment_attach(&v->opt[i], path, kinds[i]);
    if (st == TF_SEG_NOT_THERE)
        return 0;
    if (st != TF_SEG_OK) /* a half-built optional segment is unusable, not "no engine" */
        return view__problem(v, i, st == TF_SEG_WRONG_VERSION ? 3 : 4, tf_err_msg());
    v->present[i] = 1;
    uint64_t len = 0;
    if (i == VIEW_STATE) {
        const tf_state_table *t = tf_segment_region(&v->opt[i], TF_REGION_STATE, &len);
        if (!t)
            return view__problem(v, i, 4, tf_err_msg());
        if (len < sizeof *t || tf_state_region_size(t->slot_capacity) > len)
            return view__problem(v, i, 4, "the state table is larger than its region (corrupt)");
        v->state = t;
    } else if (i == VIEW_MD) {
        if (tf_journal_attach(&v->md, &v->opt[i]) != 0)
            return view__problem(v, i, 4, tf_err_msg());
        ssize_t n = readlink(path, v->md_target, sizeof v->md_target - 1);
        v->md_target[n > 0 ? n : 0] = 0;
    } else { /* every region of a rings segment is one ring: descriptor + buffer */
        const tf_seg_header *h = v->opt[i].hdr;
        for (uint32_t r = 0; r < view_min(h->region_count, TF_SEG_MAX_REGIONS); r++) {
            void *reg =
                tf_segment_region(&v->opt[i], view_str(h->regions[r].name, TF_SEG_NAME_MAX), &len);
            if (v->ring_count == VIEW_MAX_RINGS)
                break;
            if (reg && strcmp(view_str(h->regions[r].name, TF_SEG_NAME_MAX), TF_REGION_LANES) == 0) {
                /* Per-client request lanes: the ones ever claimed are shown as rings. */
                static tf_lanes lanes;
                if (tf_lanes_attach(&lanes, reg, len) != 0) {
                    view__problem(v, i, 4, tf_err_msg());
                    continue;
                }
                for (uint32_t k = 0; k < lanes.count && v->ring_count < VIEW_MAX_RINGS; k++)
                    if (tf_load_64(&lanes.hdr->owners[k].claims))
                        v->rings[v->ring_count++] = lanes.rings[k];
                continue;
            }
            if (!reg || tf_ring_attach(&v->rings[v->ring_count], reg, len) != 0)
                view__problem(v, i, 4, tf_err_msg());
            else
                v->ring_count++;
        }
    }
    return 0;
}

/* Attach an engine: its stats segment or nothing (0, else the exit code
 * after a message), then whatever optional segments there are. */
int view_open(tf_view *v, const char *tool, const char *dir, const char *inst)
{
    memset(v, 0, sizeof *v);
    v->stats_seg.fd = -1;
    for (int i = 0; i < VIEW_OPTIONAL; i++)
        v->opt[i].fd = -1;
    char path[256];
    if (tf_segment_path(path, sizeof path, dir, inst, TF_SEG_STATS) != 0) {
        fprintf(stderr, "%s: %s\n", tool, tf_err_msg());
        return 1;
    }
    tf_seg_status st = view_attach(&v->stats_seg, tool, path, TF_SEG_KIND_STATS);
    if (st == TF_SEG_NOT_THERE)
        view_no_engine(tool, inst, dir);
    if (st != TF_SEG_OK)
        return tool_exit_code(st);
    struct stat sb;
    if (fstat(v->stats_seg.fd, &sb) == 0) {
        v->stats_dev = sb.st_dev;
        v->stats_ino = sb.st_ino;
    }
    if (tf_stats_attach(&v->stats, &v->stats_seg) != 0) {
        fprintf(stderr, "%s: %s\n", tool, tf_err_msg());
        return 4;
    }
    for (int i = 0; i < VIEW_OPTIONAL; i++)
        (void)view__optional(v, i, dir, inst);
    v->snap = malloc(sizeof(tf_hist));
    if (!v->snap) {
        fprintf(stderr, "%s: out of memory\n", tool);
        return 1;
    }
    return 0;
}

/* Safe on a view that failed to open. */
void view_close(tf_view *v)
{
    free(v->snap);
    v->snap = NULL;
    for (int i = VIEW_OPTIONAL - 1; i >= 0; i--)
        tf_segment_close(&v->opt[i]);
    tf_segment_close(&v->stats_seg);
}

/* Has a new engine replaced the stats segment this view has mapped? */
int view_replaced(const tf_view *v, const char *dir, const char *inst)
{
    char path[256];
    struct stat sb;
    if (tf_segment_path(path, sizeof path, dir, inst, TF_SEG_STATS) != 0 || stat(path, &sb) != 0)
        return 0;
    return sb.st_dev != v->stats_dev || sb.st_ino != v->stats_ino;
}

void view_take_sample(const tf_view *v, view_sample *s)
{
    const tf_stats_dir *d = v->stats.dir;
    s->t_ns = tf_now_ns();
    for (uint32_t i = 0; i < view_threads(v); i++) {
        s->loops[i] = tf_load_64(&d->threads[i].loops);
        s->busy[i] = tf_load_64(&d->threads[i].busy_ns);
        s->idle[i] = tf_load_64(&d->threads[i].idle_ns);
    }
    for (uint32_t i = 0; i < view_owners(v); i++) {
        s->polls[i] = tf_load_64(&d->owners[i].polls);
        s->work[i] = tf_load_64(&d->owners[i].work);
    }
    for (uint32_t i = 0; i < view_counters(v); i++)
        s->counters[i] = tf_stats_value(&v->stats, i);
    s->md_head = v->present[VIEW_MD] && !v->problem[VIEW_MD][0] ? tf_journal_head(&v->md) : 0;
}

/* Rate per second of a monotonic figure between two samples (0 without prev). */
double view_rate(uint64_t now, uint64_t then, const view_sample *cur,
                               const view_sample *prev)
{
    if (!prev || cur->t_ns <= prev->t_ns || now < then)
        return 0;
    return (double)(now - then) * 1e9 / (double)(cur->t_ns - prev->t_ns);
}

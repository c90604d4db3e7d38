/* Read-only views of an engine's segments, shared by the out-of-band tools
 * (tfstat, tfdump). Everything here maps read-only and only loads from
 * shared memory: a tool can never disturb the engine, and a crashed
 * engine's segments read the same as a live one's. Cold path.
 *
 * - view_attach(): attach one segment with the tools' messages and exit codes
 *   (tool_util.h: 2 no engine, 3 wrong layout version, 4 not ours/corrupt).
 * - tf_view: the whole engine: the stats segment (required) and the optional
 *   state, rings, requests and md segments, each either attached, not there,
 *   or unusable with the reason kept for display.
 * - view_sample: the monotonic figures rates are computed from.
 * Names in shared memory are fixed-size fields that a corrupt or foreign
 * segment may not terminate: read them through VIEW_STR().
 */
#ifndef TF_TOOLS_VIEW_H
#define TF_TOOLS_VIEW_H

#include <stdint.h>
#include <sys/types.h>

#include "shm/catalog.h"
#include "shm/err.h"
#include "shm/journal.h"
#include "shm/ring.h"
#include "shm/segment.h"
#include "shm/state.h"
#include "shm/stats.h"

#define VIEW_MAX_RINGS 32
#define VIEW_STR_MAX   160 /* owner/name{labels} fits */

/* One of 16 rotating scratch strings of VIEW_STR_MAX bytes, so several
 * results can appear in one printf. */
char *view_scratch(void);

/* A fixed-size field as a printable C string (scratch): never reads past
 * the field, shows anything unprintable as '?'. */
const char *view_str(const char *src, size_t n);
#define VIEW_STR(field) view_str((field), sizeof(field))

/* A fixed-point 1e-8 value (tf_synth_tick.value, money) as "-12.34567890". */
const char *view_fixed8(int64_t x);

/* "TOOL: no engine 'INST' in DIR (...)" on stderr. */
void view_no_engine(const char *tool, const char *inst, const char *dir);

/* Attach `path` read-only, printing "TOOL: why" on failure — except for a
 * file that is not there, left to the caller to say what is missing.
 * tool_exit_code() of the result is the tool's exit code. */
tf_seg_status view_attach(tf_segment *seg, const char *tool, const char *path, uint32_t kind);

/* ---- the whole engine --------------------------------------------------- */

enum { VIEW_STATE, VIEW_RINGS, VIEW_REQUESTS, VIEW_MD, VIEW_OPTIONAL };
/* The catalogue name of optional segment i (TF_SEG_STATE ...). */
const char *view_opt_name(int i);

/* Process-local: this process's mappings. */
typedef struct tf_view {
    tf_segment stats_seg;
    tf_stats stats;
    dev_t stats_dev; /* which file we mapped: a new engine makes a new one */
    ino_t stats_ino;
    tf_segment opt[VIEW_OPTIONAL];
    int present[VIEW_OPTIONAL];
    char problem[VIEW_OPTIONAL][320]; /* "" or why an optional segment is unusable */
    int worst;                        /* worst exit code among the optional segments */
    const tf_state_table *state;
    tf_ring rings[VIEW_MAX_RINGS]; /* from the rings and requests segments */
    int ring_count;
    tf_journal md;
    char md_target[256]; /* where the md symlink points (disk journal) */
    tf_hist *snap;       /* histogram snapshot scratch: ~254 KB, so heap */
} tf_view;

typedef struct view_sample {
    uint64_t t_ns;
    uint64_t loops[TF_STATS_MAX_THREADS], busy[TF_STATS_MAX_THREADS], idle[TF_STATS_MAX_THREADS];
    uint64_t polls[TF_STATS_MAX_OWNERS], work[TF_STATS_MAX_OWNERS];
    uint64_t counters[TF_STATS_MAX_COUNTERS];
    uint64_t md_head;
} view_sample;

/* Counts from the directory, clamped to the layout's maxima (tf_stats_attach
 * checked them once; they only grow while an engine registers). */
uint32_t view_threads(const tf_view *v);
uint32_t view_owners(const tf_view *v);
uint32_t view_counters(const tf_view *v);
uint32_t view_hists(const tf_view *v);

/* Owner o's name (scratch), "?" when out of range. */
const char *view_owner_name(const tf_view *v, uint32_t o);

/* Attach an engine: its stats segment or nothing (0, else the exit code
 * after a message), then whatever optional segments there are. */
int view_open(tf_view *v, const char *tool, const char *dir, const char *inst);

/* Safe on a view that failed to open. */
void view_close(tf_view *v);

/* Has a new engine replaced the stats segment this view has mapped? */
int view_replaced(const tf_view *v, const char *dir, const char *inst);

void view_take_sample(const tf_view *v, view_sample *s);

/* Rate per second of a monotonic figure between two samples (0 without prev). */
double view_rate(uint64_t now, uint64_t then, const view_sample *cur, const view_sample *prev);

#endif

/* The stats segment: per-thread duty cycles and heartbeats, per-stage poll
 * figures, named counters and gauges, latency histograms, the error log.
 *
 * Regions: "directory" (names, labels, thread and stage blocks), "values"
 * (counter values), "histograms", "errors". Owners are stages, with owner 0
 * the engine's main thread. The creator hands every owner whole 128-byte
 * lines of counter values, so each line has exactly one writer.
 *
 * Registration (tf_stats_add_*) happens at start, before threads run; after
 * that the layout is fixed and readers may rely on counts only growing.
 */
#ifndef TF_SHM_STATS_H
#define TF_SHM_STATS_H

#include <stdint.h>

#include "shm/catalog.h"
#include "shm/errlog.h"
#include "shm/histogram.h"
#include "shm/segment.h"

#define TF_STATS_MAX_THREADS 16u
#define TF_STATS_MAX_OWNERS TF_ERRLOG_MAX_OWNERS /* owner 0 = engine main thread */
#define TF_STATS_MAX_COUNTERS 512u
#define TF_STATS_MAX_HISTS 32u
#define TF_STATS_NAME 40u
#define TF_STATS_LABELS 56u
#define TF_STATS_PER_LINE (TF_WRITER_LINE / 8u)

/* tf_counter_kind, tf_counter_id, tf_hist_id: shm/catalog.h */

typedef struct tf_thread_stats {
    char name[32];
    int32_t cpu;              /* -1 unpinned */
    int32_t tid;
    int32_t rt_priority;
    uint32_t idle_kind;
    uint32_t stage_count;
    uint8_t stages[16];       /* owner indices of its stages, in poll order */
    uint8_t _pad0[TF_WRITER_LINE - 68];
    /* Written by that thread only. */
    uint64_t heartbeat_ns TF_ALIGNED(TF_WRITER_LINE);
    uint64_t loops;           /* duty cycles */
    uint64_t loops_with_work;
    uint64_t busy_ns;         /* time in cycles that did work */
    uint64_t idle_ns;         /* time in cycles that did none */
    uint64_t max_cycle_ns;    /* longest single cycle */
    uint64_t parks;           /* backoff: times it slept */
    uint64_t started_ns;
    uint8_t _pad1[TF_WRITER_LINE - 64];
} tf_thread_stats;
_Static_assert(offsetof(tf_thread_stats, heartbeat_ns) == TF_WRITER_LINE, "thread hot line");
_Static_assert(sizeof(tf_thread_stats) == 2 * TF_WRITER_LINE, "thread block");

typedef struct tf_stage_stats {
    char name[32];
    uint32_t thread_index;
    uint32_t _r;
    uint8_t _pad0[TF_WRITER_LINE - 40];
    /* Written by the stage's thread only. */
    uint64_t polls TF_ALIGNED(TF_WRITER_LINE);
    uint64_t polls_with_work;
    uint64_t work;            /* items done, as the stage counts them */
    uint64_t last_work_ns;    /* when it last did work */
    uint64_t heartbeat_ns;    /* when it was last polled: a stuck stage stops here */
    uint8_t _pad1[TF_WRITER_LINE - 40];
} tf_stage_stats;
_Static_assert(sizeof(tf_stage_stats) == 2 * TF_WRITER_LINE, "stage block");

typedef struct tf_counter_meta {
    char name[TF_STATS_NAME];
    char labels[TF_STATS_LABELS]; /* "k=v,k=v" for exporters */
    uint32_t owner;
    uint32_t slot;                /* index into the values region */
    uint32_t kind;                /* tf_counter_kind */
    uint8_t _pad[TF_WRITER_LINE - TF_STATS_NAME - TF_STATS_LABELS - 12];
} tf_counter_meta;
_Static_assert(sizeof(tf_counter_meta) == TF_WRITER_LINE, "counter metadata");

typedef struct tf_hist_meta {
    char name[TF_STATS_NAME];
    char labels[TF_STATS_LABELS];
    uint32_t owner;
    char unit[4];                 /* "ns" */
    uint8_t _pad[TF_WRITER_LINE - TF_STATS_NAME - TF_STATS_LABELS - 8];
} tf_hist_meta;
_Static_assert(sizeof(tf_hist_meta) == TF_WRITER_LINE, "histogram metadata");

typedef struct tf_stats_dir {
    uint32_t thread_count;
    uint32_t owner_count;         /* stages + the engine owner 0 */
    uint32_t counter_count;
    uint32_t hist_count;
    uint8_t _pad[TF_WRITER_LINE - 16];
    tf_thread_stats threads[TF_STATS_MAX_THREADS];
    tf_stage_stats owners[TF_STATS_MAX_OWNERS];
    tf_counter_meta counters[TF_STATS_MAX_COUNTERS];
    tf_hist_meta hists[TF_STATS_MAX_HISTS];
} tf_stats_dir;
_Static_assert(offsetof(tf_stats_dir, threads) == TF_WRITER_LINE, "threads offset");
_Static_assert(offsetof(tf_stats_dir, owners) % TF_WRITER_LINE == 0, "owners aligned");

/* Process-local handle. */
typedef struct tf_stats {
    tf_stats_dir *dir;
    uint64_t *values;
    tf_hist *hists;
    tf_errlog *errlog;
    /* creator only: the values line each owner is filling and how full it is */
    uint32_t owner_line[TF_STATS_MAX_OWNERS];
    uint32_t owner_used[TF_STATS_MAX_OWNERS];
    uint32_t next_line;
} tf_stats;

void tf_stats_layout(tf_seg_layout *layout);
/* Creator: lay out a new stats segment; owner 0 is `engine`. */
int tf_stats_init(tf_stats *st, tf_segment *seg);
/* Readers. */
int tf_stats_attach(tf_stats *st, const tf_segment *seg);

/* Creator, at start. Each returns -1 (tf_err_msg) or NULL when full. */
int tf_stats_add_owner(tf_stats *st, const char *name);            /* returns owner index */
int tf_stats_add_thread(tf_stats *st, const char *name, int cpu, int rt_priority,
                        uint32_t idle_kind);                        /* returns thread index */

/* The engine's counter API: register a catalogue entry (shm/catalog.h) for
 * an owner, with its labels. NULL, with a message naming the counter and
 * the limit that was hit, when the segment has no room: callers fail their
 * init with it (a stage never runs with a counter missing). */
uint64_t *tf_stats_add_counter(tf_stats *st, uint32_t owner, tf_counter_id id, const char *labels);
tf_hist *tf_stats_add_hist(tf_stats *st, uint32_t owner, tf_hist_id id, const char *labels);

/* A stage's counters as one table: all registered, or -1 naming the first
 * that did not fit. */
typedef struct tf_counter_reg {
    uint64_t **out;
    tf_counter_id id;
    const char *labels; /* NULL: none */
} tf_counter_reg;
int tf_stats_add_counters(tf_stats *st, uint32_t owner, const tf_counter_reg *regs, size_t n);

/* The layer below, by name and kind: what the catalogue wrappers call, and
 * what shm's own tests exercise. Engine code registers by catalogue id. */
uint64_t *tf_stats_counter(tf_stats *st, uint32_t owner, const char *name,
                           const char *labels, tf_counter_kind kind);
tf_hist *tf_stats_hist(tf_stats *st, uint32_t owner, const char *name, const char *labels);

static inline tf_errlog_block *tf_stats_errlog(tf_stats *st, uint32_t owner)
{
    return &st->errlog->blocks[owner];
}

/* Reader: the value of counter i (< TF_STATS_MAX_COUNTERS). The slot is
 * read from shared memory: one outside the values region reads as 0. */
static inline uint64_t tf_stats_value(const tf_stats *st, uint32_t i)
{
    uint32_t slot = tf_load_32(&st->dir->counters[i % TF_STATS_MAX_COUNTERS].slot);
    return slot < TF_STATS_MAX_COUNTERS ? tf_load_64(&st->values[slot]) : 0;
}

#endif

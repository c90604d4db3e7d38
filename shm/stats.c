/* Stats segment layout and start-time registration (cold path). */
#include "shm/stats.h"

#include <string.h>

#include "shm/catalog.h"
#include "shm/err.h"

void tf_stats_layout(tf_seg_layout *layout)
{
    memset(layout, 0, sizeof *layout);
    layout->kind = TF_SEG_KIND_STATS;
    layout->region_count = 4;
    layout->regions[0].name = TF_REGION_DIRECTORY;
    layout->regions[0].length = sizeof(tf_stats_dir);
    layout->regions[1].name = TF_REGION_VALUES;
    layout->regions[1].length = TF_STATS_MAX_COUNTERS * sizeof(uint64_t);
    layout->regions[2].name = TF_REGION_HISTOGRAMS;
    layout->regions[2].length = TF_STATS_MAX_HISTS * sizeof(tf_hist);
    layout->regions[3].name = TF_REGION_ERRORS;
    layout->regions[3].length = sizeof(tf_errlog);
}

static int tf__stats_map(tf_stats *st, const tf_segment *seg)
{
    uint64_t len[4] = {0, 0, 0, 0};
    memset(st, 0, sizeof *st);
    st->dir = tf_segment_region(seg, TF_REGION_DIRECTORY, &len[0]);
    st->values = tf_segment_region(seg, TF_REGION_VALUES, &len[1]);
    st->hists = tf_segment_region(seg, TF_REGION_HISTOGRAMS, &len[2]);
    st->errlog = tf_segment_region(seg, TF_REGION_ERRORS, &len[3]);
    if (!st->dir || !st->values || !st->hists || !st->errlog)
        return -1;
    if (len[0] < sizeof(tf_stats_dir) || len[1] < TF_STATS_MAX_COUNTERS * 8 ||
        len[2] < TF_STATS_MAX_HISTS * sizeof(tf_hist) || len[3] < sizeof(tf_errlog))
        return TF_ERR("stats regions of %s are smaller than this layout", seg->path);
    return 0;
}

int tf_stats_init(tf_stats *st, tf_segment *seg)
{
    if (tf__stats_map(st, seg) != 0)
        return -1;
    for (uint32_t i = 0; i < TF_STATS_MAX_HISTS; i++)
        tf_hist_reset(&st->hists[i]);
    return tf_stats_add_owner(st, "engine") == 0 ? 0 : -1;
}

int tf_stats_attach(tf_stats *st, const tf_segment *seg)
{
    if (tf__stats_map(st, seg) != 0)
        return -1;
    tf_stats_dir *d = st->dir;
    if (d->thread_count > TF_STATS_MAX_THREADS || d->owner_count > TF_STATS_MAX_OWNERS ||
        d->counter_count > TF_STATS_MAX_COUNTERS || d->hist_count > TF_STATS_MAX_HISTS)
        return TF_ERR("stats directory of %s is corrupt", seg->path);
    return 0;
}

int tf_stats_add_owner(tf_stats *st, const char *name)
{
    tf_stats_dir *d = st->dir;
    if (d->owner_count >= TF_STATS_MAX_OWNERS)
        return TF_ERR("more than %u stages", TF_STATS_MAX_OWNERS - 1);
    uint32_t i = d->owner_count;
    tf_copy_name(d->owners[i].name, sizeof d->owners[i].name, name);
    st->errlog->owner_count = i + 1;
    /* Release: the new entry is complete before readers count it. */
    tf_store_release_32(&d->owner_count, i + 1);
    return (int)i;
}

int tf_stats_add_thread(tf_stats *st, const char *name, int cpu, int rt_priority,
                        uint32_t idle_kind)
{
    tf_stats_dir *d = st->dir;
    if (d->thread_count >= TF_STATS_MAX_THREADS)
        return TF_ERR("more than %u threads", TF_STATS_MAX_THREADS);
    uint32_t i = d->thread_count;
    tf_thread_stats *t = &d->threads[i];
    tf_copy_name(t->name, sizeof t->name, name);
    t->cpu = cpu;
    t->rt_priority = rt_priority;
    t->idle_kind = idle_kind;
    /* Release: the new entry is complete before readers count it. */
    tf_store_release_32(&d->thread_count, i + 1);
    return (int)i;
}

uint64_t *tf_stats_counter(tf_stats *st, uint32_t owner, const char *name, const char *labels,
                           tf_counter_kind kind)
{
    tf_stats_dir *d = st->dir;
    if (owner >= d->owner_count) {
        TF_ERR("counter %s: unknown owner %u", name, owner);
        return NULL;
    }
    if (d->counter_count >= TF_STATS_MAX_COUNTERS) {
        TF_ERR("counter %s{%s}: no room, the stats segment holds %u counters (TF_STATS_MAX_COUNTERS)", name,
               labels ? labels : "", TF_STATS_MAX_COUNTERS);
        return NULL;
    }
    /* Give each owner whole lines so no line has two writers. */
    if (st->owner_used[owner] == 0 || st->owner_used[owner] == TF_STATS_PER_LINE) {
        if (st->next_line >= TF_STATS_MAX_COUNTERS / TF_STATS_PER_LINE) {
            TF_ERR("counter %s{%s}: no room, every values line of the stats segment is taken", name,
                   labels ? labels : "");
            return NULL;
        }
        st->owner_line[owner] = st->next_line++;
        st->owner_used[owner] = 0;
    }
    uint32_t slot = st->owner_line[owner] * TF_STATS_PER_LINE + st->owner_used[owner]++;
    tf_counter_meta *m = &d->counters[d->counter_count];
    tf_copy_name(m->name, sizeof m->name, name);
    tf_copy_name(m->labels, sizeof m->labels, labels ? labels : "");
    m->owner = owner;
    m->slot = slot;
    m->kind = kind;
    st->values[slot] = 0;
    /* Release: the new entry is complete before readers count it. */
    tf_store_release_32(&d->counter_count, d->counter_count + 1);
    return &st->values[slot];
}

tf_hist *tf_stats_hist(tf_stats *st, uint32_t owner, const char *name, const char *labels)
{
    tf_stats_dir *d = st->dir;
    if (owner >= d->owner_count) {
        TF_ERR("histogram %s: unknown owner %u", name, owner);
        return NULL;
    }
    if (d->hist_count >= TF_STATS_MAX_HISTS) {
        TF_ERR("histogram %s{%s}: no room, the stats segment holds %u histograms (TF_STATS_MAX_HISTS)", name,
               labels ? labels : "", TF_STATS_MAX_HISTS);
        return NULL;
    }
    uint32_t i = d->hist_count;
    tf_hist_meta *m = &d->hists[i];
    tf_copy_name(m->name, sizeof m->name, name);
    tf_copy_name(m->labels, sizeof m->labels, labels ? labels : "");
    tf_copy_name(m->unit, sizeof m->unit, "ns");
    m->owner = owner;
    tf_hist_reset(&st->hists[i]);
    /* Release: the new entry is complete before readers count it. */
    tf_store_release_32(&d->hist_count, i + 1);
    return &st->hists[i];
}

uint64_t *tf_stats_add_counter(tf_stats *st, uint32_t owner, tf_counter_id id, const char *labels)
{
    if ((unsigned)id >= TF_CTR_COUNT) {
        TF_ERR("counter id %d is not in the catalogue", (int)id);
        return NULL;
    }
    const tf_metric_def *m = &tf_counter_catalog[id];
    return tf_stats_counter(st, owner, m->name, labels, (tf_counter_kind)m->kind);
}

tf_hist *tf_stats_add_hist(tf_stats *st, uint32_t owner, tf_hist_id id, const char *labels)
{
    if ((unsigned)id >= TF_HIST_COUNT) {
        TF_ERR("histogram id %d is not in the catalogue", (int)id);
        return NULL;
    }
    return tf_stats_hist(st, owner, tf_hist_catalog[id].name, labels);
}

int tf_stats_add_counters(tf_stats *st, uint32_t owner, const tf_counter_reg *regs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(*regs[i].out = tf_stats_add_counter(st, owner, regs[i].id, regs[i].labels)))
            return -1;
    return 0;
}

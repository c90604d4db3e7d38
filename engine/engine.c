/* Engine lifecycle: segments, stages, threads, heartbeat, orderly stop.
 * Cold path throughout; the hot path is in the stages. */
#include "engine/engine.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm/err.h"
#include "shm/records.h"

static tf_stale_action tf__stale(const tf_config *c)
{
    return c->on_stale == TF_STALE_REPLACE ? TF_STALE_ACTION_REPLACE : TF_STALE_ACTION_REFUSE;
}

static int tf__create(tf_engine *e, tf_segment *seg, const char *name,
                      const tf_seg_layout *layout, unsigned mode)
{
    char path[256];
    if (tf_segment_path(path, sizeof path, e->cfg.shm_dir, e->cfg.instance, name) != 0)
        return -1;
    return tf_segment_create(seg, path, e->cfg.instance, name, layout, mode, tf__stale(&e->cfg));
}

static int tf__mkdirs(const char *dir)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return TF_ERR("directory name too long: %s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0750) != 0 && errno != EEXIST)
            return TF_ERR("mkdir %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0750) != 0 && errno != EEXIST)
        return TF_ERR("mkdir %s: %s", buf, strerror(errno));
    return 0;
}

/* The market-data journal: in shm, or a file on disk recovered at restart
 * and linked from shm_dir so tools find it under the usual name. */
static int tf__open_journal(tf_engine *e)
{
    const tf_config *c = &e->cfg;
    tf_seg_layout layout;
    tf_journal_layout(&layout, c->md_journal_capacity, TF_ENGINE_JOURNAL_SLOT);
    if (!c->md_journal_file[0]) {
        if (tf__create(e, &e->seg_md, "md", &layout, c->shm_mode) != 0)
            return -1;
        return tf_journal_init(&e->md, &e->seg_md, "md", c->md_journal_capacity,
                               TF_ENGINE_JOURNAL_SLOT);
    }
    char dirbuf[TF_CFG_PATH_MAX];
    snprintf(dirbuf, sizeof dirbuf, "%s", c->md_journal_file);
    if (tf__mkdirs(dirname(dirbuf)) != 0)
        return TF_ERR_CTX("journal %s", c->md_journal_file);
    struct stat st;
    if (stat(c->md_journal_file, &st) == 0) {
        if (tf_segment_recover(&e->seg_md, c->md_journal_file, &layout) != 0 ||
            tf_journal_recover(&e->md, &e->seg_md) != 0)
            return TF_ERR_CTX("journal %s", c->md_journal_file);
        fprintf(stderr, "tfengine: recovered journal %s: %llu records, head %llu\n",
                c->md_journal_file, (unsigned long long)e->md.desc->recovered,
                (unsigned long long)e->md.desc->head);
    } else {
        if (tf_segment_create(&e->seg_md, c->md_journal_file, c->instance, "md", &layout,
                              c->shm_mode, tf__stale(c)) != 0 ||
            tf_journal_init(&e->md, &e->seg_md, "md", c->md_journal_capacity,
                            TF_ENGINE_JOURNAL_SLOT) != 0)
            return -1;
    }
    if (tf_segment_path(e->md_link, sizeof e->md_link, c->shm_dir, c->instance, "md") != 0)
        return -1;
    char target[PATH_MAX];
    if (c->md_journal_file[0] == '/') {
        snprintf(target, sizeof target, "%s", c->md_journal_file);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd) ||
            snprintf(target, sizeof target, "%s/%s", cwd, c->md_journal_file) >= (int)sizeof target)
            return TF_ERR("cannot make an absolute path of %s", c->md_journal_file);
    }
    struct stat lst;
    if (lstat(e->md_link, &lst) == 0) {
        if (S_ISLNK(lst.st_mode))
            unlink(e->md_link);
        else if (tf_segment_clear_existing(e->md_link, tf__stale(c)) != 0) /* an shm journal before */
            return -1;
    }
    if (symlink(target, e->md_link) != 0)
        return TF_ERR("symlink %s -> %s: %s", e->md_link, target, strerror(errno));
    return 0;
}

static int tf__open_segments(tf_engine *e)
{
    const tf_config *c = &e->cfg;
    tf_seg_layout layout;

    tf_stats_layout(&layout);
    if (tf__create(e, &e->seg_stats, "stats", &layout, c->shm_mode) != 0 ||
        tf_stats_init(&e->stats, &e->seg_stats) != 0)
        return -1;

    memset(&layout, 0, sizeof layout);
    layout.kind = TF_SEG_KIND_STATE;
    layout.region_count = 1;
    layout.regions[0].name = "state";
    layout.regions[0].length = tf_state_region_size(TF_ENGINE_STATE_SLOTS);
    if (tf__create(e, &e->seg_state, "state", &layout, c->shm_mode) != 0)
        return -1;
    e->state = tf_segment_region(&e->seg_state, "state", NULL);
    tf_state_table_init(e->state, TF_ENGINE_STATE_SLOTS);
    e->status_slot = tf_state_claim(e->state, TF_STATE_ENGINE, "engine");

    memset(&layout, 0, sizeof layout);
    layout.kind = TF_SEG_KIND_RINGS;
    layout.region_count = 1;
    layout.regions[0].name = "synth";
    layout.regions[0].length = tf_ring_region_size(c->ring_capacity, sizeof(tf_synth_tick));
    uint64_t len = 0;
    void *region;
    if (tf__create(e, &e->seg_rings, "rings", &layout, c->shm_mode) != 0 ||
        !(region = tf_segment_region(&e->seg_rings, "synth", &len)) ||
        tf_ring_init(&e->synth_ring, region, len, "synth", TF_RING_SPSC, c->ring_capacity,
                     sizeof(tf_synth_tick)) != 0)
        return -1;

    /* Other processes submit here, so whoever may read may also write. */
    unsigned req_mode = c->shm_mode | ((c->shm_mode & 0040) ? 0020 : 0);
    layout.regions[0].name = "requests";
    layout.regions[0].length = tf_ring_region_size(c->request_ring_capacity, sizeof(struct tf_request));
    if (tf__create(e, &e->seg_requests, "requests", &layout, req_mode) != 0 ||
        !(region = tf_segment_region(&e->seg_requests, "requests", &len)) ||
        tf_ring_init(&e->request_ring, region, len, "requests", TF_RING_MPSC,
                     c->request_ring_capacity, sizeof(struct tf_request)) != 0)
        return -1;

    return tf__open_journal(e);
}

static int tf__add_stage(tf_engine *e, const char *name, uint32_t thread_index)
{
    tf_stage *s = &e->stages[e->stage_count];
    int owner = tf_stats_add_owner(&e->stats, name);
    if (owner < 0)
        return -1;
    tf_copy_name(s->name, sizeof s->name, name);
    s->owner = (uint32_t)owner;
    s->stats = &e->stats.dir->owners[owner];
    s->stats->thread_index = thread_index;
    s->errors = tf_stats_errlog(&e->stats, (uint32_t)owner);
    const tf_config *c = &e->cfg;
    int rc;
    if (strcmp(name, "synth_source") == 0) {
        rc = tf_synth_source_init(s, &e->synth_source, &e->stats, &e->synth_ring,
                                  c->synthetic.rate_per_s, c->synthetic.burst,
                                  (uint64_t)getpid() * 2654435761u);
    } else if (strcmp(name, "synth_sink") == 0) {
        tf_state_slot *last = tf_state_claim(e->state, TF_STATE_SYNTH_LAST, "synth_sink");
        rc = tf_synth_sink_init(s, &e->synth_sink, &e->stats, &e->synth_ring, &e->request_ring,
                                &e->md, last, 64);
    } else if (strcmp(name, "feed") == 0) {
        rc = tf_feed_init(s, &e->feed, c, &e->instruments, &e->stats, e->state, &e->md);
        e->feed_open = rc == 0;
    } else {
        return TF_ERR("stage '%s' is not built into this engine", name);
    }
    if (rc != 0)
        return TF_ERR_CTX("stage %s", name);
    e->stage_count++;
    return 0;
}

static int tf__open_stages(tf_engine *e)
{
    for (uint32_t t = 0; t < e->cfg.thread_count; t++) {
        const tf_cfg_thread *ct = &e->cfg.threads[t];
        int ti = tf_stats_add_thread(&e->stats, ct->name, ct->cpu, ct->rt_priority, ct->idle.kind);
        if (ti < 0)
            return -1;
        tf_agent_thread *th = &e->threads[t];
        memset(th, 0, sizeof *th);
        tf_copy_name(th->name, sizeof th->name, ct->name);
        th->cpu = ct->cpu;
        th->rt_priority = ct->rt_priority;
        tf_idle_init(&th->idle, &ct->idle);
        th->stats = &e->stats.dir->threads[ti];
        th->control = &e->control;
        for (uint32_t k = 0; k < ct->stage_count; k++) {
            if (tf__add_stage(e, ct->stages[k], (uint32_t)ti) != 0)
                return -1;
            tf_stage *s = &e->stages[e->stage_count - 1];
            th->stages[th->stage_count++] = s;
            th->stats->stages[k] = (uint8_t)s->owner;
        }
        th->stats->stage_count = th->stage_count;
        e->thread_count++;
    }
    /* Pipeline order is the order of tf_config_known_stages: each stage's
     * upstream is every configured stage before it. */
    uint32_t configured = 0;
    for (uint32_t i = 0; i < e->stage_count; i++) {
        for (uint32_t k = 0; tf_config_known_stages[k]; k++)
            if (strcmp(tf_config_known_stages[k], e->stages[i].name) == 0)
                e->stages[i].drain_bit = 1u << k;
        configured |= e->stages[i].drain_bit;
    }
    for (uint32_t i = 0; i < e->stage_count; i++)
        e->stages[i].upstream_mask = configured & (e->stages[i].drain_bit - 1);
    return 0;
}

static void tf__write_status(tf_engine *e, uint32_t phase, uint64_t now)
{
    tf_engine_status st;
    memset(&st, 0, sizeof st);
    st.phase = phase;
    st.pid = (int32_t)getpid();
    st.started_realtime_ns = e->started_realtime_ns;
    st.uptime_ns = now - e->started_ns;
    const char *f = e->cfg.source_file;
    size_t n = strlen(f);
    tf_copy_name(st.config_file, sizeof st.config_file,
                 n >= sizeof st.config_file ? f + n - (sizeof st.config_file - 1) : f);
    if (e->status_slot)
        tf_state_write(e->status_slot, &st, sizeof st, now);
}

static void tf__journal_event(tf_engine *e, uint32_t kind, uint64_t arg)
{
    tf_engine_event ev = {.kind = kind, .pid = (int32_t)getpid(),
                          .realtime_ns = tf_realtime_ns(), .arg = arg};
    tf_journal_append(&e->md, TF_REC_ENGINE_EVENT, &ev, sizeof ev);
}

int tf_engine_open(tf_engine *e, const tf_config *cfg)
{
    memset(e, 0, sizeof *e);
    e->cfg = *cfg;
    e->seg_stats.fd = e->seg_state.fd = e->seg_rings.fd = e->seg_requests.fd = e->seg_md.fd = -1;
    e->started_realtime_ns = tf_realtime_ns();
    e->started_ns = tf_now_ns();
    e->opened = true;
    for (uint32_t i = 0; i < cfg->instrument_count; i++) {
        const tf_cfg_instrument *ci = &cfg->instruments[i];
        if (tf_instruments_add(&e->instruments, ci->symbol, ci->venue, ci->price_precision,
                               ci->qty_precision, ci->tick_size, ci->lot_size, ci->min_notional,
                               ci->max_price) != 0) {
            tf_engine_close(e);
            return TF_ERR_CTX("instruments[%u]", i);
        }
    }
    if (tf__open_segments(e) != 0 || tf__open_stages(e) != 0) {
        tf_engine_close(e);
        return -1;
    }
    e->c_flushes = tf_stats_counter(&e->stats, 0, "journal_flushes", "journal=md", TF_COUNTER);
    e->c_flush_errors = tf_stats_counter(&e->stats, 0, "journal_flush_errors", "journal=md", TF_COUNTER);
    tf__write_status(e, TF_PHASE_STARTING, tf_now_ns());
    tf__journal_event(e, TF_ENGINE_STARTED, e->md.desc->head);
    tf_segment *segs[] = {&e->seg_stats, &e->seg_state, &e->seg_rings, &e->seg_requests, &e->seg_md};
    for (size_t i = 0; i < TF_ARRAY_LEN(segs); i++) {
        if (!segs[i]->published && tf_segment_publish(segs[i]) != 0) {
            tf_engine_close(e);
            return -1;
        }
    }
    return 0;
}

int tf_engine_start(tf_engine *e)
{
    tf_store_64(&e->control.drain_deadline_ns, UINT64_MAX);
    tf_store_release_32(&e->control.running, 1);
    for (uint32_t i = 0; i < e->thread_count; i++) {
        if (tf_agent_thread_start(&e->threads[i]) != 0) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", tf_err_msg());
            /* Stages of threads that never ran have nothing to drain. */
            for (uint32_t k = i; k < e->thread_count; k++)
                for (uint32_t j = 0; j < e->threads[k].stage_count; j++)
                    tf_or_32(&e->control.drained, e->threads[k].stages[j]->drain_bit);
            tf_engine_stop(e);
            return TF_ERR("%s", msg);
        }
    }
    e->running = true;
    tf__write_status(e, TF_PHASE_RUNNING, tf_now_ns());
    return 0;
}

void tf_engine_tick(tf_engine *e, uint64_t now)
{
    tf_segment *segs[] = {&e->seg_stats, &e->seg_state, &e->seg_rings, &e->seg_requests, &e->seg_md};
    for (size_t i = 0; i < TF_ARRAY_LEN(segs); i++)
        if (segs[i]->base)
            tf_segment_heartbeat(segs[i], now);
    tf__write_status(e, e->running ? TF_PHASE_RUNNING : TF_PHASE_STOPPED, now);
    /* Write a disk-backed journal to the disk about once a second. MS_SYNC:
     * Linux's MS_ASYNC starts no I/O. The main thread may block here; the
     * stages never wait for it. */
    if (e->cfg.md_journal_file[0] && now - e->last_flush_ns >= 1000000000ull) {
        e->last_flush_ns = now;
        if (tf_journal_flush(&e->md, &e->seg_md, true) == 0)
            tf_counter_inc(e->c_flushes, 1);
        else
            tf_counter_inc(e->c_flush_errors, 1);
    }
}

void tf_engine_stop(tf_engine *e)
{
    tf__write_status(e, TF_PHASE_DRAINING, tf_now_ns());
    tf_store_64(&e->control.drain_deadline_ns, tf_now_ns() + TF_ENGINE_DRAIN_NS);
    tf_store_release_32(&e->control.running, 0);
    for (uint32_t i = 0; i < e->thread_count; i++)
        tf_agent_thread_join(&e->threads[i]);
    e->running = false;
    /* Threads are joined: the main thread is now the journal's only writer. */
    tf__journal_event(e, TF_ENGINE_STOPPING, e->md.desc->head);
    tf__write_status(e, TF_PHASE_STOPPED, tf_now_ns());
    if (e->seg_md.base && tf_journal_flush(&e->md, &e->seg_md, true) != 0)
        fprintf(stderr, "tfengine: %s\n", tf_err_msg());
}

void tf_engine_close(tf_engine *e)
{
    if (!e->opened)
        return;
    if (e->feed_open)
        tf_feed_close(&e->feed);
    e->feed_open = false;
    tf_segment_close(&e->seg_md);
    tf_segment_close(&e->seg_requests);
    tf_segment_close(&e->seg_rings);
    tf_segment_close(&e->seg_state);
    tf_segment_close(&e->seg_stats);
    e->opened = false;
}

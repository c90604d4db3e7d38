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

#include "shm/catalog.h"
#include "shm/durable.h"
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

/* A journal: in shm, or a file on disk recovered at restart and linked
 * from shm_dir so tools find it under the usual name. */
static int tf__open_journal(tf_engine *e, tf_segment *seg, tf_journal *j, const char *name,
                            uint32_t capacity, uint32_t slot_size, const char *file, char *link,
                            size_t link_len)
{
    const tf_config *c = &e->cfg;
    tf_seg_layout layout;
    tf_journal_layout(&layout, capacity, slot_size);
    /* Order events are unchanged since layout 2 (3 appended a kind): an
     * order journal of 2 carries on. Market data since 3 (2's bars had
     * other units); 4 changed only a ring between stages. */
    layout.compat_major = strcmp(name, TF_SEG_ORDERS) == 0 ? 2 : 3;
    if (!file[0]) {
        if (tf__create(e, seg, name, &layout, c->shm_mode) != 0)
            return -1;
        return tf_journal_init(j, seg, name, capacity, slot_size);
    }
    char dirbuf[TF_CFG_PATH_MAX];
    snprintf(dirbuf, sizeof dirbuf, "%s", file);
    if (tf__mkdirs(dirname(dirbuf)) != 0)
        return TF_ERR_CTX("journal %s", file);
    struct stat st;
    if (stat(file, &st) == 0) {
        if (tf_segment_recover(seg, file, &layout) != 0 || tf_journal_recover(j, seg) != 0)
            return TF_ERR_CTX("journal %s", file);
        fprintf(stderr, "tfengine: recovered journal %s: %llu records, head %llu\n", file,
                (unsigned long long)j->desc->recovered, (unsigned long long)j->desc->head);
    } else {
        if (tf_segment_create(seg, file, c->instance, name, &layout, c->shm_mode, tf__stale(c)) != 0 ||
            tf_journal_init(j, seg, name, capacity, slot_size) != 0)
            return -1;
    }
    if (tf_segment_path(link, link_len, c->shm_dir, c->instance, name) != 0)
        return -1;
    char target[PATH_MAX];
    if (file[0] == '/') {
        snprintf(target, sizeof target, "%s", file);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd) ||
            snprintf(target, sizeof target, "%s/%s", cwd, file) >= (int)sizeof target)
            return TF_ERR("cannot make an absolute path of %s", file);
    }
    struct stat lst;
    if (lstat(link, &lst) == 0) {
        if (S_ISLNK(lst.st_mode))
            unlink(link);
        else if (tf_segment_clear_existing(link, tf__stale(c)) != 0) /* an shm journal before */
            return -1;
    }
    if (symlink(target, link) != 0)
        return TF_ERR("symlink %s -> %s: %s", link, target, strerror(errno));
    return 0;
}

static int tf__open_segments(tf_engine *e)
{
    const tf_config *c = &e->cfg;
    tf_seg_layout layout;

    tf_stats_layout(&layout);
    if (tf__create(e, &e->seg_stats, TF_SEG_STATS, &layout, c->shm_mode) != 0 ||
        tf_stats_init(&e->stats, &e->seg_stats) != 0)
        return -1;

    memset(&layout, 0, sizeof layout);
    layout.kind = TF_SEG_KIND_STATE;
    layout.region_count = 1;
    layout.regions[0].name = TF_REGION_STATE;
    layout.regions[0].length = tf_state_region_size(TF_ENGINE_STATE_SLOTS);
    bool algo = tf_config_has_stage(c, TF_STAGE_ALGO);
    if (e->order_path) {
        layout.region_count = 3;
        layout.regions[1].name = TF_REGION_ORDERS;
        layout.regions[1].length = (uint64_t)c->orders.capacity * sizeof(tf_order_slot);
        layout.regions[2].name = TF_REGION_LIMITS;
        layout.regions[2].length = sizeof(tf_limits_slot);
        if (algo) {
            layout.regions[3].name = TF_REGION_PARENTS;
            layout.regions[3].length = (uint64_t)c->orders.algo_capacity * sizeof(tf_parent_slot);
            layout.region_count = 4;
        }
    }
    if (tf__create(e, &e->seg_state, TF_SEG_STATE, &layout, c->shm_mode) != 0)
        return -1;
    e->state = tf_segment_region(&e->seg_state, TF_REGION_STATE, NULL);
    if (e->order_path)
        e->order_table = tf_segment_region(&e->seg_state, TF_REGION_ORDERS, NULL);
    if (e->order_path && algo)
        e->parent_slots = tf_segment_region(&e->seg_state, TF_REGION_PARENTS, NULL);
    tf_state_table_init(e->state, TF_ENGINE_STATE_SLOTS);
    e->status_slot = tf_state_claim(e->state, TF_STATE_ENGINE, "engine");

    /* Rings between stages: the synthetic pair, and the order path's. */
    const struct { const char *name; tf_ring *ring; uint32_t size; bool order; } rings[] = {
        {TF_RING_SYNTH, &e->synth_ring, sizeof(tf_synth_tick), false},
        {TF_RING_STRATEGY_RISK, &e->strat_ring, sizeof(struct tf_request), true},
        {TF_RING_RISK_ALGO, &e->risk_algo_ring, sizeof(tf_algo_cmd), true},
        {TF_RING_ALGO_RISK, &e->algo_risk_ring, sizeof(struct tf_request), true},
        {TF_RING_RISK_OMS, &e->risk_oms_ring, sizeof(tf_order_cmd), true},
        {TF_RING_OMS_VENUE, &e->oms_venue_ring, sizeof(tf_venue_cmd), true},
        {TF_RING_VENUE_OMS, &e->venue_oms_ring, sizeof(tf_exec_report), true},
        {TF_RING_OMS_RISK, &e->oms_risk_ring, sizeof(tf_risk_feedback), true},
    };
    memset(&layout, 0, sizeof layout);
    layout.kind = TF_SEG_KIND_RINGS;
    for (size_t i = 0; i < TF_ARRAY_LEN(rings); i++) {
        if ((rings[i].order && !e->order_path) ||
            (!algo && (rings[i].ring == &e->risk_algo_ring || rings[i].ring == &e->algo_risk_ring)))
            continue;
        layout.regions[layout.region_count].name = rings[i].name;
        layout.regions[layout.region_count++].length = tf_ring_region_size(c->ring_capacity, rings[i].size);
    }
    uint64_t len = 0;
    void *region;
    if (tf__create(e, &e->seg_rings, TF_SEG_RINGS, &layout, c->shm_mode) != 0)
        return -1;
    for (size_t i = 0; i < TF_ARRAY_LEN(rings); i++) {
        if ((rings[i].order && !e->order_path) ||
            (!algo && (rings[i].ring == &e->risk_algo_ring || rings[i].ring == &e->algo_risk_ring)))
            continue;
        if (!(region = tf_segment_region(&e->seg_rings, rings[i].name, &len)) ||
            tf_ring_init(rings[i].ring, region, len, rings[i].name, TF_RING_SPSC, c->ring_capacity,
                         rings[i].size) != 0)
            return -1;
    }
    memset(&layout, 0, sizeof layout);
    layout.kind = TF_SEG_KIND_RINGS;
    layout.region_count = 1;

    /* Without the order path other processes ping here, so whoever may read
     * may also write. With it nobody but the engine writes here: requests
     * come through lanes from the door (shm/door.h). */
    unsigned req_mode = e->order_path ? c->shm_mode : c->shm_mode | ((c->shm_mode & 0040) ? 0020 : 0);
    layout.regions[0].name = TF_REGION_REQUESTS;
    layout.regions[0].length = tf_ring_region_size(c->request_ring_capacity, sizeof(struct tf_request));
    if (e->order_path) { /* one SPSC lane per client process (shm/lanes.h) */
        layout.region_count = 2;
        layout.regions[1].name = TF_REGION_LANES;
        layout.regions[1].length = tf_lanes_region_size(TF_LANES_MAX, c->request_ring_capacity,
                                                        sizeof(struct tf_request));
    }
    if (tf__create(e, &e->seg_requests, TF_SEG_REQUESTS, &layout, req_mode) != 0 ||
        !(region = tf_segment_region(&e->seg_requests, TF_REGION_REQUESTS, &len)) ||
        tf_ring_init(&e->request_ring, region, len, TF_REGION_REQUESTS, TF_RING_MPSC,
                     c->request_ring_capacity, sizeof(struct tf_request)) != 0)
        return -1;
    if (e->order_path && (!(region = tf_segment_region(&e->seg_requests, TF_REGION_LANES, &len)) ||
                          tf_lanes_init(&e->request_lanes, region, len, TF_LANES_MAX,
                                        c->request_ring_capacity, sizeof(struct tf_request)) != 0))
        return -1;

    if (tf__open_journal(e, &e->seg_md, &e->md, TF_SEG_MD, c->md_journal_capacity, TF_ENGINE_JOURNAL_SLOT,
                         c->md_journal_file, e->md_link, sizeof e->md_link) != 0)
        return -1;
    if (e->order_path &&
        tf__open_journal(e, &e->seg_orders, &e->orders, TF_SEG_ORDERS, c->orders.journal_capacity,
                         TF_ENGINE_ORDER_SLOT, c->orders.journal_file, e->orders_link,
                         sizeof e->orders_link) != 0)
        return -1;
    return 0;
}

/* Builds the stage of this kind. The switch has no default, so a kind added
 * to tf_stage_kind without a case here fails the build (-Wswitch). Its
 * drain bit is its place in the pipeline order, the order of tf_stage_kind. */
/* The door: who may knock is the socket's mode (those who may read the
 * segments); who gets in, and as what, is the authority's. */
static int tf__open_door(tf_engine *e)
{
    const tf_config *c = &e->cfg;
    char path[256];
    if (tf_authority_init(&e->authority, c) != 0)
        return -1;
    if (tf_segment_path(path, sizeof path, c->shm_dir, c->instance, TF_DOOR_NAME) != 0)
        return TF_ERR("door path too long");
    unsigned mode = (c->shm_mode & 0700) | ((c->shm_mode & 0040) ? 0060 : 0) | ((c->shm_mode & 0004) ? 0006 : 0);
    if (tf_door_open(&e->door, path, mode, c->request_ring_capacity, sizeof(struct tf_request), tf_authority_admit,
                     &e->authority) != 0)
        return -1;
    e->door_open = true;
    return 0;
}

static void *tf__door_main(void *arg)
{
    tf_engine *e = arg;
    while (!tf_load_acquire_32(&e->door_stop))
        tf_door_serve(&e->door, 100);
    return NULL;
}

static int tf__add_stage(tf_engine *e, tf_stage_kind kind, uint32_t thread_index)
{
    if ((unsigned)kind >= TF_STAGE_KIND_COUNT)
        return TF_ERR("stage kind %d is not built into this engine", (int)kind);
    const char *name = tf_stage_kind_name(kind);
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
    int rc = -1;
    switch (kind) {
    case TF_STAGE_SYNTH_SOURCE:
        rc = tf_synth_source_init(s, &e->synth_source, &e->stats, &e->synth_ring,
                                  c->synthetic.rate_per_s, c->synthetic.burst,
                                  (uint64_t)getpid() * 2654435761u);
        break;
    case TF_STAGE_SYNTH_SINK: {
        tf_state_slot *last = tf_state_claim(e->state, TF_STATE_SYNTH_LAST, "synth_sink");
        /* The risk gate owns the request ring when the order path runs. */
        rc = tf_synth_sink_init(s, &e->synth_sink, &e->stats, &e->synth_ring,
                                e->order_path ? NULL : &e->request_ring, &e->md, last, 64);
        break;
    }
    case TF_STAGE_FEED:
        rc = tf_feed_init(s, &e->feed, c, &e->instruments, &e->stats, e->state, &e->md);
        e->feed_open = rc == 0;
        break;
    case TF_STAGE_STRATEGY:
        rc = tf_strategy_host_init(s, &e->strategy, c, &e->instruments, &e->stats, &e->strat_ring,
                                   &e->md, &e->orders);
        e->strategy_open = rc == 0;
        break;
    case TF_STAGE_ALGO: {
        char dirbuf[TF_CFG_PATH_MAX];
        tf_copy_name(dirbuf, sizeof dirbuf, c->orders.algo_store);
        if (tf__mkdirs(dirname(dirbuf)) != 0) /* the store lives in run_dir, which may be new */
            break;
        rc = tf_algo_stage_init(s, &e->algo, c, &e->instruments, &e->stats, e->parent_slots, &e->risk_algo_ring,
                                &e->algo_risk_ring, &e->md, &e->orders);
        e->algo_open = rc == 0;
        break;
    }
    case TF_STAGE_RISK:
        rc = tf_risk_init(s, &e->risk, c, &e->instruments, &e->stats, e->state, &e->request_ring,
                          tf_config_has_stage(c, TF_STAGE_STRATEGY) ? &e->strat_ring : NULL,
                          &e->oms_risk_ring, &e->risk_oms_ring);
        e->risk.kill_flag = &e->stage_failure;
        if (tf_config_has_stage(c, TF_STAGE_ALGO))
            tf_risk_bind_algo(&e->risk, &e->risk_algo_ring, &e->algo_risk_ring);
        /* Other processes' requests come only through the door: the shared
         * ring and lanes in the request segment are not read. */
        e->risk.lanes = NULL;
        e->risk.requests = NULL;
        if (rc == 0)
            rc = tf__open_door(e);
        e->risk.door = e->door_open ? &e->door : NULL;
        if (rc == 0)
            tf_risk_publish_limits(&e->risk, tf_segment_region(&e->seg_state, TF_REGION_LIMITS, NULL));
        e->risk_open = rc == 0;
        break;
    case TF_STAGE_OMS:
        rc = tf_oms_init(s, &e->oms, c, &e->instruments, &e->stats, e->state, e->order_table,
                         c->orders.capacity, &e->risk_oms_ring, &e->venue_oms_ring,
                         &e->oms_venue_ring, &e->oms_risk_ring, &e->orders);
        e->oms_open = rc == 0;
        break;
    case TF_STAGE_PAPER:
        rc = tf_paper_init(s, &e->paper, c, &e->instruments, &e->stats, &e->oms_venue_ring,
                           &e->venue_oms_ring, &e->md);
        e->paper_open = rc == 0;
        break;
    case TF_STAGE_EXIO:
        rc = tf_exio_init(s, &e->exio, c, &e->instruments, &e->stats, e->state, &e->oms_venue_ring,
                          &e->venue_oms_ring);
        e->exio_open = rc == 0;
        break;
    case TF_STAGE_KIND_COUNT: /* refused above */
        break;
    }
    if (rc != 0)
        return TF_ERR_CTX("stage %s", name);
    s->drain_bit = 1u << kind;
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
    /* Pipeline order is the order of tf_stage_kind: each stage's upstream
     * is every configured stage before it. */
    uint32_t configured = 0;
    for (uint32_t i = 0; i < e->stage_count; i++)
        configured |= e->stages[i].drain_bit;
    for (uint32_t i = 0; i < e->stage_count; i++)
        e->stages[i].upstream_mask = configured & (e->stages[i].drain_bit - 1);
    return 0;
}

int tf_engine_claim_order_ids(const char *path, uint64_t at_least, uint64_t *first)
{
    /* A block of 2^32 ids per run: the file is written once at start, never
     * from the hot path, and a crash can only skip ids, never reuse them. */
    uint64_t stored = 1;
    FILE *f = fopen(path, "r");
    if (f) {
        unsigned long long v;
        if (fscanf(f, "%llu", &v) != 1 || v == 0) {
            fclose(f);
            return TF_ERR("order id file %s is garbled (expected one positive number)", path);
        }
        stored = v;
        fclose(f);
    } else if (errno != ENOENT) {
        return TF_ERR("order id file %s: %s", path, strerror(errno));
    }
    uint64_t start = stored > at_least ? stored : at_least;
    char dirbuf[PATH_MAX], text[32];
    snprintf(dirbuf, sizeof dirbuf, "%s", path);
    int n = snprintf(text, sizeof text, "%llu\n", (unsigned long long)(start + (1ull << 32)));
    if (tf__mkdirs(dirname(dirbuf)) != 0 || tf_file_replace(path, text, (size_t)n) != 0)
        return TF_ERR_CTX("order id file");
    *first = start;
    return 0;
}

/* The order path after every stage is open: references, the journal
 * replayed into the OMS, the risk gate and the paper venue seeded from it,
 * order ids claimed. Cold; before any thread runs. */
static int tf__start_order_path(tf_engine *e)
{
    if (!e->risk_open || !e->oms_open || !(e->paper_open || e->exio_open))
        return TF_ERR("the order path needs the risk and oms stages and a venue (paper or exio)");
    tf_risk_bind_references(&e->risk, e->state);
    tf_oms_bind_references(&e->oms, e->state);
    if (e->algo_open)
        tf_algo_stage_bind_references(&e->algo, e->state);
    tf_journal_reader rd;
    tf_journal_reader_init(&rd, &e->orders, TF_JOURNAL_FROM_OLDEST);
    uint8_t buf[TF_ENGINE_ORDER_SLOT];
    tf_journal_slot *slot = (tf_journal_slot *)buf;
    uint64_t gaps = 0;
    if (tf_journal_head(&e->orders) && e->orders.desc->first_seq > 1)
        fprintf(stderr, "tfengine: WARNING: the order journal no longer holds its first %llu events; "
                        "orders and positions are rebuilt from what it holds (size orders.journal_capacity "
                        "for a trading day)\n", (unsigned long long)(e->orders.desc->first_seq - 1));
    for (;;) {
        tf_journal_read_rc rc = tf_journal_read(&rd, slot);
        if (rc == TF_JR_EMPTY)
            break;
        if (rc == TF_JR_GAP) {
            gaps++;
            continue;
        }
        if (slot->type != TF_REC_ORDER_EVENT)
            continue;
        tf_oms_replay(&e->oms, (const tf_order_event *)slot->payload);
        if (e->algo_open)
            tf_algo_stage_replay(&e->algo, (const tf_order_event *)slot->payload);
    }
    uint64_t first_id;
    if (tf_engine_claim_order_ids(e->cfg.orders.id_file, e->oms.max_order_id + 1, &first_id) != 0)
        return -1;
    tf_risk_seed_ids(&e->risk, first_id, e->oms.last_req_id);
    for (uint32_t k = e->oms.open_head; k != TF_OMS_NIL; k = e->oms.link_next[k]) {
        const tf_order *o = &e->order_table[k].order;
        if (tf_risk_seed_order(&e->risk, o) != 0)
            return -1;
        if (e->paper_open)
            tf_paper_seed(&e->paper, o);
        if (e->exio_open)
            /* reconciled with the venue after its first Logon, by the ClOrdID it knows */
            tf_exio_seed(&e->exio, o, tf_oms_venue_ref(&e->oms, o->order_id));
        if (e->strategy_open)
            tf_strategy_host_adopt(&e->strategy, o);
    }
    for (uint32_t s = 0; s < TF_MAX_STRATEGIES; s++)
        for (uint32_t i = 0; i < e->instruments.count; i++)
            if (e->oms.pos[s][i].fills)
                tf_risk_seed_position(&e->risk, s, &e->oms.pos[s][i], e->oms.day_base[s][i]);
    tf_oms_publish_all(&e->oms, tf_now_ns());
    uint32_t parents = 0;
    if (e->algo_open && tf_algo_stage_recover(&e->algo, &e->risk, &parents) != 0)
        return -1;
    if (parents)
        fprintf(stderr, "tfengine: %u parent orders were running: %s (orders.algo_on_restart)\n", parents,
                e->cfg.orders.algo_on_restart == TF_ALGO_RESTART_RESUME ? "resumed" : "stopped");
    if (e->oms.status.replayed)
        fprintf(stderr, "tfengine: replayed %llu order events: %u open orders, next order id %llu\n",
                (unsigned long long)e->oms.status.replayed, e->oms.open_count,
                (unsigned long long)first_id);
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
    e->seg_orders.fd = -1;
    e->order_path = tf_config_has_stage(cfg, TF_STAGE_RISK);
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
    if (tf__open_segments(e) != 0 || tf__open_stages(e) != 0 ||
        (e->order_path && tf__start_order_path(e) != 0)) {
        tf_engine_close(e);
        return -1;
    }
    const tf_counter_reg regs[] = {
        {&e->c_flushes, TF_CTR_JOURNAL_FLUSHES, "journal=md"},
        {&e->c_flush_errors, TF_CTR_JOURNAL_FLUSH_ERRORS, "journal=md"},
        {&e->c_order_flushes, TF_CTR_JOURNAL_FLUSHES, "journal=orders"},
    };
    if (tf_stats_add_counters(&e->stats, 0, regs, TF_ARRAY_LEN(regs)) != 0) {
        tf_engine_close(e);
        return -1;
    }
    tf__write_status(e, TF_PHASE_STARTING, tf_now_ns());
    tf__journal_event(e, TF_ENGINE_STARTED, e->md.desc->head);
    tf_segment *segs[] = {&e->seg_stats, &e->seg_state, &e->seg_rings, &e->seg_requests, &e->seg_md,
                          &e->seg_orders};
    for (size_t i = 0; i < TF_ARRAY_LEN(segs); i++) {
        if (!segs[i]->base)
            continue;
        if (!segs[i]->published && tf_segment_publish(segs[i]) != 0) {
            tf_engine_close(e);
            return -1;
        }
    }
    return 0;
}

int tf_engine_start(tf_engine *e)
{
    /* From here on (what replay saw is not repeated). */
    tf_event_log_init(&e->event_log, stderr, &e->instruments, e->order_path ? &e->orders : NULL, e->state);
    if (e->door_open) {
        if (pthread_create(&e->door_thread, NULL, tf__door_main, e) != 0)
            return TF_ERR("door thread: cannot start");
        pthread_setname_np(e->door_thread, "tf-door");
        e->door_running = true;
    }
    tf_store_64(&e->control.drain_deadline_ns, UINT64_MAX);
    /* Release: everything set up before start (and the deadline) is seen by
     * a thread that sees running. */
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
    tf_segment *segs[] = {&e->seg_stats, &e->seg_state, &e->seg_rings, &e->seg_requests, &e->seg_md,
                          &e->seg_orders};
    for (size_t i = 0; i < TF_ARRAY_LEN(segs); i++)
        if (segs[i]->base)
            tf_segment_heartbeat(segs[i], now);
    /* A thread that stopped cycling is a stage failure: the risk gate trips
     * the kill switch (its own thread must be alive to do it). */
    if (e->running && e->order_path && e->cfg.risk.stage_silence_ns && !tf_load_32(&e->stage_failure))
        for (uint32_t i = 0; i < e->thread_count; i++) {
            uint64_t hb = tf_load_64(&e->threads[i].stats->heartbeat_ns);
            if (hb && now > hb && now - hb > e->cfg.risk.stage_silence_ns) {
                fprintf(stderr, "tfengine: thread %s silent for %llu ms: stage failure, kill switch\n",
                        e->threads[i].name, (unsigned long long)((now - hb) / 1000000));
                tf_store_32(&e->stage_failure, 1);
            }
        }
    /* Order events reach the disk within a tick (durability of fills). */
    if (e->order_path && e->cfg.orders.journal_file[0] &&
        e->orders.desc->flushed_head != tf_journal_head(&e->orders) &&
        tf_journal_flush(&e->orders, &e->seg_orders, true) == 0)
        tf_counter_inc(e->c_order_flushes, 1);
    tf__write_status(e, e->running ? TF_PHASE_RUNNING : TF_PHASE_STOPPED, now);
    if (e->running)
        tf_event_log_poll(&e->event_log);
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
    /* Release: the drain deadline is seen by a thread that sees running drop. */
    tf_store_release_32(&e->control.running, 0);
    for (uint32_t i = 0; i < e->thread_count; i++)
        tf_agent_thread_join(&e->threads[i]);
    e->running = false;
    if (e->door_running) { /* no more lanes: the risk gate is gone */
        tf_store_release_32(&e->door_stop, 1);
        pthread_join(e->door_thread, NULL);
        e->door_running = false;
    }
    /* Threads are joined: the main thread is now the journal's only writer. */
    tf__journal_event(e, TF_ENGINE_STOPPING, e->md.desc->head);
    tf__write_status(e, TF_PHASE_STOPPED, tf_now_ns());
    if (e->seg_md.base && tf_journal_flush(&e->md, &e->seg_md, true) != 0)
        fprintf(stderr, "tfengine: %s\n", tf_err_msg());
    if (e->seg_orders.base && tf_journal_flush(&e->orders, &e->seg_orders, true) != 0)
        fprintf(stderr, "tfengine: %s\n", tf_err_msg());
}

void tf_engine_close(tf_engine *e)
{
    if (!e->opened)
        return;
    if (e->feed_open)
        tf_feed_close(&e->feed);
    e->feed_open = false;
    if (e->strategy_open)
        tf_strategy_host_close(&e->strategy);
    if (e->algo_open)
        tf_algo_stage_close(&e->algo);
    if (e->risk_open)
        tf_risk_free(&e->risk);
    if (e->oms_open)
        tf_oms_free(&e->oms);
    if (e->paper_open)
        tf_paper_free(&e->paper);
    if (e->exio_open)
        tf_exio_free(&e->exio);
    e->strategy_open = e->algo_open = e->risk_open = e->oms_open = e->paper_open = e->exio_open = false;
    if (e->door_running) {
        tf_store_release_32(&e->door_stop, 1);
        pthread_join(e->door_thread, NULL);
        e->door_running = false;
    }
    if (e->door_open)
        tf_door_close(&e->door);
    e->door_open = false;
    tf_segment_close(&e->seg_orders);
    tf_segment_close(&e->seg_md);
    tf_segment_close(&e->seg_requests);
    tf_segment_close(&e->seg_rings);
    tf_segment_close(&e->seg_state);
    tf_segment_close(&e->seg_stats);
    e->opened = false;
}

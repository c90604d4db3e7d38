/* The algo stage (see algo_stage.h). */
#include "engine/algo/algo_stage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/orders/order_fsm.h"
#include "shm/catalog.h"
#include "shm/common.h"
#include "shm/err.h"
#include "shm/fixed.h"
#include "shm/records.h"

/* ---- the market ---- */

typedef struct tf__market_now {
    tf_md_top top;
    bool fresh;
} tf__market_now;

static void tf__read_top(const tf_algo_stage *a, uint32_t i, tf__market_now *m)
{
    m->fresh = false;
    if (i < TF_MAX_INSTRUMENTS && a->top[i] &&
        tf_state_read(a->top[i], &m->top, sizeof m->top, 8, NULL) == TF_STATE_OK)
        m->fresh = true;
}

/* Follow the md journal's trades: volume and notional per instrument, the
 * trade stream if the feed has it, else aggTrade (never both). */
static int tf__follow_md(tf_algo_stage *a)
{
    int work = 0;
    tf_journal_slot *s = (tf_journal_slot *)a->rec;
    for (int n = 0; n < 256; n++) {
        tf_journal_read_rc rc = tf_journal_read(&a->md_reader, s);
        if (rc == TF_JR_EMPTY)
            break;
        if (rc != TF_JR_OK || s->type != TF_REC_MD_TRADE)
            continue;
        const tf_md_trade *t = (const tf_md_trade *)s->payload;
        if (t->instrument >= TF_MAX_INSTRUMENTS || t->qty <= 0 || t->price <= 0)
            continue;
        work++;
        tf__algo_mkt *m = &a->mkt[t->instrument];
        bool agg = t->kind == TF_MD_AGG_TRADE;
        if (!agg)
            m->trades_seen = true;
        if (agg == m->trades_seen)
            continue; /* aggTrade while the trade stream runs: the same volume twice */
        m->volume += t->qty;
        m->notional += (double)t->qty * (double)t->price;
        m->last_trade_wall = tf_realtime_ns();
    }
    return work;
}

/* ---- out to the risk gate ---- */

static bool tf__send(tf_algo_stage *a, uint32_t strategy, uint32_t type, const void *body, size_t len,
                     uint64_t *req_out)
{
    struct tf_request q = {.type = type, .source_id = strategy, .client_seq = a->next_req_id,
                           .t_sent_ns = tf_now_ns()};
    memcpy(q.body, body, len);
    if (!tf_spsc_offer(a->out, &q, sizeof q)) {
        if (a->c_ring_full)
            tf_counter_inc(a->c_ring_full, 1);
        return false;
    }
    a->next_req_id++;
    if (req_out)
        *req_out = q.client_seq;
    return true;
}

static void tf__publish(tf_algo_stage *a, tf_algo_parent *p, int64_t target)
{
    const tf_algo *g = &p->algo;
    const tf__algo_mkt *mk = &a->mkt[g->p.instrument];
    int64_t vol = (int64_t)(mk->volume - p->volume_base);
    double notional = mk->notional - p->notional_base;
    int64_t vwap = vol > 0 ? (int64_t)(notional / (double)vol + 0.5) : 0;
    int64_t avg = tf_algo_avg_price(g);
    tf_parent_status st = {
        .parent_id = p->id, .strategy = p->strategy, .instrument = g->p.instrument, .kind = g->p.kind,
        .side = g->p.side, .state = g->state, .price_style = g->p.price_style, .end_policy = g->p.end_policy,
        .children = g->children, .qty = g->p.qty, .filled = g->filled, .limit_price = g->p.limit_price,
        .avg_px = avg, .target = target, .arrival_mid = g->arrival_mid,
        .interval_vwap = vwap, .slippage_mbp = tf_algo_slippage_mbp(avg, g->arrival_mid, g->p.side),
        .vs_vwap_mbp = tf_algo_slippage_mbp(avg, vwap, g->p.side), .market_volume = vol, .start_ns = g->p.start_ns,
        .end_ns = g->p.end_ns, .updated_realtime_ns = tf_realtime_ns()};
    tf_parent_slot *s = &a->slots[p - a->parents];
    ck_sequence_write_begin(&s->seq);
    s->p = st;
    tf_store_32(&s->used, 1);
    ck_sequence_write_end(&s->seq);
}

/* Tell the gate where the parent stands: on a change of state, or of the
 * filled quantity once a report period has passed. */
static void tf__report(tf_algo_stage *a, tf_algo_parent *p, uint64_t now, bool force)
{
    const tf_algo *g = &p->algo;
    bool state_changed = g->state != p->reported_state;
    if (!force && !state_changed && (g->filled == p->reported_filled || now < p->next_report_ns))
        return;
    int64_t avg = tf_algo_avg_price(g);
    tf_req_algo_report r = {.parent_id = p->id, .state = g->state, .filled = g->filled, .avg_px = avg,
                            .slippage_mbp = tf_algo_slippage_mbp(avg, g->arrival_mid, g->p.side)};
    if (!tf__send(a, p->strategy, TF_REQ_ALGO_REPORT, &r, sizeof r, NULL))
        return; /* again next cycle */
    p->reported_state = g->state;
    p->reported_filled = g->filled;
    p->next_report_ns = now + a->report_ns;
}

static void tf__free(tf_algo_stage *a, tf_algo_parent *p)
{
    tf_parent_slot *s = &a->slots[p - a->parents];
    ck_sequence_write_begin(&s->seq);
    tf_store_32(&s->used, 0);
    ck_sequence_write_end(&s->seq);
    tf_algo_store_clear(&a->store, (uint32_t)(p - a->parents));
    memset(p, 0, sizeof *p);
    if (a->c_finished)
        tf_counter_inc(a->c_finished, 1);
}

/* ---- commands from the gate ---- */

/* A parent's algorithm, with its VWAP profile over its horizon when the
 * instrument has one (else flat in time). */
static void tf__init_algo(tf_algo_stage *a, tf_algo_parent *p, const tf_algo_params *params,
                          const tf_algo_instrument *ai)
{
    tf_algo_profile prof;
    const int64_t *day = params->instrument < TF_MAX_INSTRUMENTS ? a->profiles.day[params->instrument] : NULL;
    bool have = params->kind == TF_ALGO_VWAP && day &&
                tf_algo_profile_from_day(&prof, day, params->start_ns, params->end_ns) == 0;
    tf_algo_init(&p->algo, params, ai, have ? &prof : NULL);
}

static void tf__start(tf_algo_stage *a, const tf_algo_cmd *c)
{
    tf_algo_parent *p = NULL;
    for (uint32_t k = 0; !p && k < a->capacity; k++)
        if (!a->parents[k].id)
            p = &a->parents[k];
    if (!p || c->params.instrument >= a->ins->count) {
        /* The gate holds no more parents than we have slots: not expected. */
        tf_stage_error(a->stage, TF_E_ALGO_REFUSED, c->parent_id, "no parent slot", tf_now_ns());
        return;
    }
    const tf_instrument *in = &a->ins->items[c->params.instrument];
    tf_algo_instrument ai = {.lot_size = in->lot_size, .tick_size = in->tick_size, .min_qty = in->lot_size,
                              .venue_iceberg = a->cfg->orders.algo_iceberg == TF_ALGO_ICEBERG_NATIVE};
    memset(p, 0, sizeof *p);
    p->id = c->parent_id;
    p->strategy = c->strategy;
    tf__init_algo(a, p, &c->params, &ai);
    tf_algo_store_put(&a->store, (uint32_t)(p - a->parents), c->parent_id, c->strategy, &c->params);
    p->volume_base = a->mkt[c->params.instrument].volume;
    p->notional_base = a->mkt[c->params.instrument].notional;
    p->reported_state = p->published_state = UINT8_MAX; /* the first report and slot write go at once */
    if (a->c_started)
        tf_counter_inc(a->c_started, 1);
}

static void tf__control(tf_algo_stage *a, const tf_algo_cmd *c)
{
    for (uint32_t k = 0; k < a->capacity; k++) {
        tf_algo_parent *p = &a->parents[k];
        if (!p->id || (c->parent_id && p->id != c->parent_id))
            continue;
        char why[128];
        switch (c->action) {
        case TF_ALGO_ACT_PAUSE: tf_algo_pause(&p->algo); break;
        case TF_ALGO_ACT_RESUME: tf_algo_resume(&p->algo); break;
        case TF_ALGO_ACT_CANCEL: tf_algo_cancel(&p->algo); break;
        case TF_ALGO_ACT_AMEND:
            if (tf_algo_amend(&p->algo, c->params.qty, c->params.limit_price, c->params.end_ns, why, sizeof why) != 0)
                tf_stage_error(a->stage, TF_E_ALGO_REFUSED, p->id, why, tf_now_ns());
            break;
        default: break;
        }
    }
}

/* ---- what became of the children ---- */

/* The event leaves its order finished (a position event only follows a fill). */
static bool tf__ends_order(const tf_order_event *ev)
{
    return ev->kind != TF_EV_POSITION && ev->state < TF_OS_COUNT && tf_ord_state_final((tf_ord_state)ev->state);
}

static void tf__refused(tf_algo_stage *a, tf_algo_parent *p, uint16_t reason);

static void tf__on_event(tf_algo_stage *a, const tf_order_event *ev)
{
    for (uint32_t k = 0; k < a->capacity; k++) {
        tf_algo_parent *p = &a->parents[k];
        if (!p->id || !p->child_req)
            continue;
        /* A cancel the gate refused: because the child had already ended
         * (its last event crossed the cancel), the child is done; for any
         * other reason (a rate limit) it is asked again shortly. */
        bool cancel_refused = ev->kind == TF_EV_REJECTED && p->cancel_req && ev->client_req_id == p->cancel_req &&
                              ev->strategy == p->strategy;
        bool ended = cancel_refused && (ev->reason == TF_RJ_UNKNOWN_ORDER || ev->reason == TF_RJ_ORDER_NOT_OPEN);
        if (cancel_refused && !ended) {
            p->cancel_req = 0;
            p->cancel_wanted = true;
            p->retry_wall = tf_realtime_ns() + 100000000ull;
            return;
        }
        bool mine = ended || (ev->order_id && ev->order_id == p->child_order) ||
                    (ev->client_req_id == p->child_req && ev->strategy == p->strategy &&
                     (ev->kind == TF_EV_ACCEPTED || ev->kind == TF_EV_REJECTED));
        if (!mine)
            continue;
        if (ended) {
            tf_algo_child_done(&p->algo);
            p->child_req = p->child_order = p->cancel_req = 0;
            p->cancel_wanted = false;
            return;
        }
        if (ev->kind == TF_EV_ACCEPTED) {
            p->child_order = ev->order_id;
            p->refusals = 0;
        }
        if (ev->kind == TF_EV_FILL)
            tf_algo_child_fill(&p->algo, ev->last_qty, ev->last_px);
        if (ev->kind == TF_EV_REJECTED && !ev->order_id && ev->client_req_id == p->child_req)
            tf__refused(a, p, ev->reason);
        if (ev->kind == TF_EV_REJECTED || tf__ends_order(ev)) {
            tf_algo_child_done(&p->algo);
            p->child_req = p->child_order = p->cancel_req = 0;
            p->cancel_wanted = false;
            p->trigger_wall = tf_realtime_ns(); /* the next child may follow at once */
        }
        return;
    }
}

/* The gate refused the child: wait before the next, and pause the parent
 * when it keeps being refused (a limit it cannot pass, a self-trade with
 * another of the strategy's orders). */
static void tf__refused(tf_algo_stage *a, tf_algo_parent *p, uint16_t reason)
{
    p->refusals++;
    uint32_t shift = p->refusals < 8 ? p->refusals - 1 : 7;
    uint64_t wait = 10000000ull << shift;
    p->retry_wall = tf_realtime_ns() + (wait < 1000000000ull ? wait : 1000000000ull);
    if (p->refusals >= TF_ALGO_MAX_REFUSALS) {
        tf_algo_pause(&p->algo);
        p->refusals = 0;
        tf_stage_error(a->stage, TF_E_ALGO_REFUSED, p->id,
                       reason < TF_RJ_REASON_COUNT ? tf_reject_reason_names[reason] : "refused", tf_now_ns());
    }
}

static int tf__follow_orders(tf_algo_stage *a)
{
    int work = 0;
    tf_journal_slot *s = (tf_journal_slot *)a->rec;
    for (int n = 0; n < 256; n++) {
        tf_journal_read_rc rc = tf_journal_read(&a->order_reader, s);
        if (rc == TF_JR_EMPTY)
            break;
        if (rc != TF_JR_OK || s->type != TF_REC_ORDER_EVENT)
            continue;
        tf__on_event(a, (const tf_order_event *)s->payload);
        work++;
    }
    return work;
}

/* ---- the step ---- */

static void tf__cancel_child(tf_algo_stage *a, tf_algo_parent *p)
{
    if (!p->child_order) {
        p->cancel_wanted = true; /* sent when its order id is known */
        return;
    }
    tf_req_order b = {.instrument = p->algo.p.instrument, .order_id = p->child_order};
    if (tf__send(a, p->strategy, TF_REQ_CANCEL, &b, sizeof b, &p->cancel_req)) {
        p->cancel_wanted = false;
        if (a->c_child_cancels)
            tf_counter_inc(a->c_child_cancels, 1);
    } else {
        p->cancel_wanted = true;
    }
}

static int tf__step(tf_algo_stage *a, tf_algo_parent *p, uint64_t now, uint64_t wall)
{
    tf_algo *g = &p->algo;
    if (wall < p->retry_wall && !g->canceling)
        return 0; /* its last child was refused: not yet */
    tf__market_now mk;
    tf__read_top(a, g->p.instrument, &mk);
    tf_algo_market m = {.now_ns = wall, .bid = mk.fresh ? mk.top.bid_price : 0, .ask = mk.fresh ? mk.top.ask_price : 0,
                        .volume = (int64_t)(a->mkt[g->p.instrument].volume - p->volume_base)};
    if (p->cancel_wanted && p->child_order)
        tf__cancel_child(a, p);
    /* The venue's minimum notional, as a quantity at the price now. */
    const tf_instrument *in = &a->ins->items[g->p.instrument];
    int64_t ref = m.bid > 0 && m.ask > 0 ? (m.bid + m.ask) / 2 : 0;
    if (in->min_notional > 0 && ref > 0) {
        unsigned qp = in->qty_precision <= TF_FIXED_MAX_PRECISION ? in->qty_precision : 0;
        __int128 q = ((__int128)in->min_notional * tf_pow10[qp] + ref - 1) / ref;
        int64_t lots = (int64_t)((q + g->ins.lot_size - 1) / g->ins.lot_size);
        g->ins.min_qty = lots * g->ins.lot_size > g->ins.lot_size ? lots * g->ins.lot_size : g->ins.lot_size;
    }
    /* What may release a child now: a due slice, the last trade, the last child done. */
    uint64_t trigger = p->trigger_wall;
    if (g->p.kind == TF_ALGO_TWAP && g->state == TF_ALGO_RUNNING && wall >= g->next_slice_ns &&
        g->next_slice_ns > trigger)
        trigger = g->next_slice_ns;
    if (a->mkt[g->p.instrument].last_trade_wall > trigger)
        trigger = a->mkt[g->p.instrument].last_trade_wall;
    tf_algo_decision d = tf_algo_step(g, &m);
    if (g->arrival_mid && !p->arrival_stored) {
        tf_algo_store_arrival(&a->store, (uint32_t)(p - a->parents), g->arrival_mid);
        p->arrival_stored = true;
    }
    int work = 0;
    if (d.op == TF_ALGO_SEND) {
        tf_req_order b = {.instrument = g->p.instrument, .side = g->p.side,
                          .type = d.is_market ? TF_MARKET : TF_LIMIT, .tif = d.ioc || d.is_market ? TF_IOC : TF_GTC,
                          .flags = TF_ORDF_ALGO_CHILD, .price = d.price, .qty = d.qty, .order_id = p->id,
                          .display_qty = d.display};
        uint64_t req;
        if (tf__send(a, p->strategy, TF_REQ_NEW, &b, sizeof b, &req)) {
            p->child_req = req;
            p->child_order = 0;
            if (a->c_children)
                tf_counter_inc(a->c_children, 1);
            if (a->h_release && trigger && wall >= trigger)
                tf_hist_record(a->h_release, tf_realtime_ns() - trigger);
        } else {
            tf_algo_child_done(g); /* not sent: decided again next cycle */
        }
        work++;
    } else if (d.op == TF_ALGO_CANCEL_CHILD) {
        tf__cancel_child(a, p);
        work++;
    }
    /* The slot is written when what it shows changes, not every cycle. */
    int64_t target = tf_algo_target(g, &m);
    if (g->state != p->published_state || g->filled != p->published_filled || g->children != p->published_children ||
        target != p->published_target) {
        tf__publish(a, p, target);
        p->published_state = g->state;
        p->published_filled = g->filled;
        p->published_children = g->children;
        p->published_target = target;
    }
    if (g->state != p->reported_state || g->filled != p->reported_filled)
        tf__report(a, p, now, false);
    if (tf_algo_finished(g) && g->state == p->reported_state && !g->child_working)
        tf__free(a, p);
    return work;
}

static int tf__poll(tf_stage *self, uint64_t now)
{
    tf_algo_stage *a = self->ctx;
    int work = 0;
    tf_algo_cmd c;
    for (int n = 0; n < 16 && tf_spsc_poll(a->in, &c, sizeof c); n++, work++) {
        if (c.action == TF_ALGO_ACT_START)
            tf__start(a, &c);
        else
            tf__control(a, &c);
    }
    work += tf__follow_md(a);
    work += tf__follow_orders(a);
    uint64_t wall = 0;
    for (uint32_t k = 0; k < a->capacity; k++) {
        tf_algo_parent *p = &a->parents[k];
        if (!p->id)
            continue;
        if (!wall)
            wall = tf_realtime_ns();
        work += tf__step(a, p, now, wall);
    }
    return work;
}

int tf_algo_stage_init(tf_stage *stage, tf_algo_stage *a, const tf_config *cfg, const tf_instruments *ins,
                       tf_stats *stats, tf_parent_slot *slots, tf_ring *in,
                       tf_ring *out, const tf_journal *md, const tf_journal *orders)
{
    memset(a, 0, sizeof *a);
    a->cfg = cfg;
    a->ins = ins;
    a->stage = stage;
    a->in = in;
    a->out = out;
    a->slots = slots;
    a->capacity = cfg->orders.algo_capacity;
    a->report_ns = cfg->orders.algo_report_ns;
    a->next_req_id = tf_realtime_ns(); /* its own ids, increasing across restarts */
    a->parents = calloc(a->capacity, sizeof *a->parents);
    a->rec = calloc(1, md->slot_size > orders->slot_size ? md->slot_size : orders->slot_size);
    if (!a->parents || !a->rec) {
        tf_algo_stage_close(a);
        return TF_ERR("algo: out of memory");
    }
    if ((cfg->orders.algo_vwap_profile[0] &&
         tf_algo_profiles_load(&a->profiles, cfg->orders.algo_vwap_profile, ins) != 0) ||
        tf_algo_store_open(&a->store, cfg->orders.algo_store, a->capacity) != 0) {
        tf_algo_stage_close(a);
        return -1;
    }
    /* Parents that were running: in place, to be brought up to date by the
     * journal's replay (tf_algo_stage_replay) and taken back after it. */
    for (uint32_t k = 0; k < a->capacity; k++) {
        const tf_algo_store_rec *r = &a->store.f->recs[k];
        if (!tf_load_32((uint32_t *)&r->used) || !r->parent_id || r->params.instrument >= ins->count)
            continue;
        tf_algo_parent *p = &a->parents[k];
        const tf_instrument *im = &ins->items[r->params.instrument];
        tf_algo_instrument ai = {.lot_size = im->lot_size, .tick_size = im->tick_size, .min_qty = im->lot_size,
                                  .venue_iceberg = a->cfg->orders.algo_iceberg == TF_ALGO_ICEBERG_NATIVE};
        char why[128];
        /* A file is read, not trusted: parameters the algorithm would refuse
         * (a zero slice divides by zero) are left out, saying so. */
        if (tf_algo_check(&r->params, &ai, r->params.start_ns, why, sizeof why) != 0) {
            fprintf(stderr, "tfengine: orders.algo_store: parent %llu left out: %s\n",
                    (unsigned long long)r->parent_id, why);
            tf_algo_store_clear(&a->store, k);
            continue;
        }
        p->id = r->parent_id;
        p->strategy = r->strategy;
        tf__init_algo(a, p, &r->params, &ai);
        p->algo.arrival_mid = r->arrival_mid;
        p->arrival_stored = r->arrival_mid != 0;
        p->reported_state = p->published_state = UINT8_MAX;
        p->recovering = true;
    }
    tf_journal_reader_init(&a->md_reader, md, TF_JOURNAL_FROM_LIVE);
    tf_journal_reader_init(&a->order_reader, orders, TF_JOURNAL_FROM_LIVE);
    if (stats && stage) {
        const tf_counter_reg regs[] = {
            {&a->c_started, TF_CTR_ALGO_PARENTS_STARTED, NULL},
            {&a->c_finished, TF_CTR_ALGO_PARENTS_FINISHED, NULL},
            {&a->c_children, TF_CTR_ALGO_CHILDREN, NULL},
            {&a->c_child_cancels, TF_CTR_ALGO_CHILD_CANCELS, NULL},
            {&a->c_ring_full, TF_CTR_ALGO_RING_FULL, NULL},
        };
        if (tf_stats_add_counters(stats, stage->owner, regs, TF_ARRAY_LEN(regs)) != 0 ||
            !(a->h_release = tf_stats_add_hist(stats, stage->owner, TF_HIST_ALGO_RELEASE_NS, NULL))) {
            tf_algo_stage_close(a);
            return -1;
        }
    }
    if (stage) {
        stage->poll = tf__poll;
        stage->drain = NULL;
        stage->ctx = a;
    }
    return 0;
}

/* ---- restart ---- */

void tf_algo_stage_replay(tf_algo_stage *a, const tf_order_event *ev)
{
    for (uint32_t k = 0; k < a->capacity; k++) {
        tf_algo_parent *p = &a->parents[k];
        if (!p->recovering)
            continue;
        tf_algo *g = &p->algo;
        if (ev->kind == TF_EV_ACCEPTED && ev->arg == (int64_t)p->id) {
            p->child_order = ev->order_id; /* its child: open until an event ends it */
            continue;
        }
        if (ev->kind == TF_EV_PARENT_STATE && ev->order_id == p->id) {
            if (ev->reason < TF_ALGO_STATE_END) /* a journal on disk is read, not trusted */
                g->state = (uint8_t)ev->reason; /* finished ones are let go after the replay */
            continue;
        }
        if (!p->child_order || ev->order_id != p->child_order)
            continue;
        if (ev->kind == TF_EV_FILL) {
            g->filled += ev->last_qty;
            g->fill_value += (double)ev->last_qty * (double)ev->last_px;
        }
        if (tf__ends_order(ev))
            p->child_order = 0;
    }
}

int tf_algo_stage_recover(tf_algo_stage *a, tf_risk *r, uint32_t *taken)
{
    *taken = 0;
    for (uint32_t k = 0; k < a->capacity; k++) {
        tf_algo_parent *p = &a->parents[k];
        if (!p->recovering)
            continue;
        tf_algo *g = &p->algo;
        p->recovering = false;
        if (tf_algo_finished(g)) {
            tf__free(a, p); /* finished before the restart; only the store did not know */
            continue;
        }
        g->state = TF_ALGO_RUNNING;
        if (p->child_order) { /* a child from before: canceled, then the parent goes on (or ends) */
            g->child_working = true;
            g->child_cancel_sent = true;
            p->child_req = 1; /* not a request of this run: matched by its order id */
            p->cancel_wanted = true;
        }
        if (a->cfg->orders.algo_on_restart == TF_ALGO_RESTART_STOP)
            tf_algo_cancel(g);
        int64_t px = g->p.limit_price ? g->p.limit_price : g->arrival_mid;
        if (tf_risk_seed_parent(r, p->id, p->strategy, g->p.instrument, g->p.side, g->p.qty, px,
                                g->p.qty - g->filled) != 0)
            return -1;
        (*taken)++;
    }
    return 0;
}

void tf_algo_stage_bind_references(tf_algo_stage *a, const tf_state_table *state)
{
    for (uint32_t i = 0; i < a->ins->count && i < TF_MAX_INSTRUMENTS; i++)
        a->top[i] = tf_state_find(state, TF_STATE_MD_TOP, a->ins->items[i].symbol);
}

void tf_algo_stage_close(tf_algo_stage *a)
{
    tf_algo_store_close(&a->store);
    tf_algo_profiles_free(&a->profiles);
    free(a->parents);
    free(a->rec);
    a->parents = NULL;
    a->rec = NULL;
}

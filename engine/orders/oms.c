/* The OMS; see oms.h. */
#include "engine/orders/oms_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/orders/oms_settle.h"
#include "engine/orders/order_fsm.h"
#include "engine/orders/position.h"
#include "shm/err.h"
#include "shm/records.h"

#define TF__MARK_PERIOD_NS 100000000ull   /* positions re-marked and published every 100 ms */

static void tf__publish_status(tf_oms *o, uint64_t now)
{
    o->status.open_orders = o->open_count;
    o->status.table_capacity = o->capacity;
    o->status.next_order_id = o->max_order_id + 1;
    if (o->status_slot)
        tf_state_write(o->status_slot, &o->status, sizeof o->status, now);
}

/* ---- commands from the risk gate ----------------------------------------------- */

/* c: the command behind it (its tick's timeline travels on), or NULL. */
static bool tf__venue(tf_oms *o, const tf_order *ord, uint8_t kind, int64_t price, int64_t qty,
                      const tf_order_cmd *c, uint64_t now)
{
    tf_venue_cmd v = {.kind = kind, .side = ord->side, .type = ord->type, .tif = ord->tif,
                      .instrument = ord->instrument, .order_id = ord->order_id, .price = price,
                      .qty = qty};
    v.t_handed_ns = tf_now_ns();
    uint64_t t_request = 0;
    if (c) {
        v.t_md_ns = c->t_md_ns;
        v.request_before_ns = tf_vc_before(v.t_handed_ns, c->t_request_ns);
        v.passed_before_ns = tf_vc_before(v.t_handed_ns, c->t_passed_ns);
        t_request = c->t_request_ns;
        if (kind == TF_VC_NEW && c->kind == TF_CMD_NEW && c->parent_id)
            v.display_qty = c->display_qty; /* an algo child's native iceberg (the gate checked it) */
    }
    if (!tf_spsc_offer(o->venue, &v, sizeof v)) {
        if (o->c_venue_full)
            tf_counter_inc(o->c_venue_full, 1);
        if (o->stage && o->stage->errors)
            tf_stage_error(o->stage, TF_E_ORDER_VENUE_FULL, ord->order_id, "venue ring full", v.t_handed_ns);
        return false;
    }
    if (o->h_handle && o->cmd_taken_ns && v.t_handed_ns >= o->cmd_taken_ns)
        tf_hist_record(o->h_handle, v.t_handed_ns - o->cmd_taken_ns);
    if (kind == TF_VC_NEW) {
        if (o->h_order && t_request && v.t_handed_ns >= t_request)
            tf_hist_record(o->h_order, v.t_handed_ns - t_request);
        if (o->h_t2o && v.t_md_ns && v.t_handed_ns >= v.t_md_ns)
            tf_hist_record(o->h_t2o, v.t_handed_ns - v.t_md_ns);
    }
    (void)now;
    return true;
}

static void tf__reject_new(tf_oms *o, const tf_order_cmd *c, uint16_t reason)
{
    tf_order tmp = {.strategy = c->strategy, .instrument = c->instrument, .side = c->side,
                    .type = c->type, .tif = c->tif, .price = c->price, .qty = c->qty,
                    .state = TF_OS_REJECTED, .client_req_id = c->client_req_id};
    tf__oms_event(o, &tmp, TF_EV_REJECTED, reason, NULL, c->req_type, c->client_req_id,
              c->t_request_ns, c->strategy);
}

static void tf__cmd_new(tf_oms *o, const tf_order_cmd *c, uint64_t now)
{
    tf_order *ord = tf__oms_alloc(o, c->order_id);
    if (!ord) {
        tf__reject_new(o, c, TF_RJ_TABLE_FULL);
        tf_order tmp = {.order_id = c->order_id, .side = c->side, .instrument = c->instrument,
                        .strategy = c->strategy};
        tf__oms_feedback(o, &tmp, TF_EX_REJECT, &(tf_exec_report){.kind = TF_EX_REJECT, .reason = TF_RJ_TABLE_FULL},
                         true);
        return;
    }
    uint64_t rt = tf__oms_rt(o);
    TF__OMS_WRITE(o, ord, {
        *ord = (tf_order){.order_id = c->order_id, .client_req_id = c->client_req_id,
                          .strategy = c->strategy, .instrument = c->instrument,
                          .state = TF_OS_PENDING_NEW, .side = c->side, .type = c->type,
                          .tif = c->tif, .flags = (uint8_t)c->arg, .price = c->price,
                          .qty = c->qty, .created_realtime_ns = rt, .updated_realtime_ns = rt};
    });
    if (!tf__venue(o, ord, TF_VC_NEW, c->price, c->qty, c, now)) {
        TF__OMS_WRITE(o, ord, ord->state = TF_OS_REJECTED);
        tf__oms_event(o, ord, TF_EV_REJECTED, TF_RJ_VENUE_UNAVAILABLE, NULL, 0, c->client_req_id,
                  c->t_request_ns, 0);
        tf__oms_feedback(o, ord, TF_EX_REJECT,
                         &(tf_exec_report){.kind = TF_EX_REJECT, .reason = TF_RJ_VENUE_UNAVAILABLE}, true);
        tf__oms_finish(o, ord);
        return;
    }
    tf__oms_event(o, ord, TF_EV_ACCEPTED, 0, NULL, (int64_t)c->parent_id, c->client_req_id, c->t_request_ns, 0);
}

static void tf__cmd_amend(tf_oms *o, const tf_order_cmd *c, uint64_t now)
{
    bool replace = c->kind == TF_CMD_REPLACE;
    tf_order *ord = tf__oms_get(o, c->order_id);
    tf_ord_state next = ord ? tf_order_next(ord->state, replace ? TF_IN_REPLACE_REQ : TF_IN_CANCEL_REQ,
                                            ord->cum_qty > 0)
                            : TF_OS_NONE;
    if (next == TF_OS_NONE) {
        /* Finished or pending between the gate's check and now. */
        tf_order tmp = ord ? *ord : (tf_order){.order_id = c->order_id, .strategy = c->strategy,
                                               .instrument = c->instrument};
        tf__oms_event(o, &tmp, TF_EV_CANCEL_REJECTED, ord ? TF_RJ_ORDER_NOT_OPEN : TF_RJ_UNKNOWN_ORDER,
                  NULL, c->req_type, c->client_req_id, c->t_request_ns, c->strategy);
        if (ord)
            tf__oms_feedback(o, ord, TF_EX_CANCEL_REJECT, NULL, false);
        return;
    }
    uint8_t prev = ord->state;
    bool sent = replace ? tf__venue(o, ord, TF_VC_REPLACE, c->price, c->qty, c, now)
                        : tf__venue(o, ord, TF_VC_CANCEL, 0, 0, c, now);
    if (!sent) {
        tf__oms_event(o, ord, TF_EV_CANCEL_REJECTED, TF_RJ_VENUE_UNAVAILABLE, NULL, c->req_type,
                  c->client_req_id, c->t_request_ns, 0);
        tf__oms_feedback(o, ord, TF_EX_CANCEL_REJECT, NULL, false);
        return;
    }
    TF__OMS_WRITE(o, ord, {
        ord->prev_state = prev;
        ord->state = (uint8_t)next;
        if (replace) {
            ord->pending_price = c->price;
            ord->pending_qty = c->qty;
        }
        ord->updated_realtime_ns = tf__oms_rt(o);
    });
    tf__oms_event(o, ord, replace ? TF_EV_PENDING_REPLACE : TF_EV_PENDING_CANCEL, 0, NULL,
              replace ? c->qty : 0, c->client_req_id, c->t_request_ns, 0);
}

bool tf_oms_cancel_all_step(tf_oms *o, uint64_t now)
{
    for (uint32_t k = o->open_head; k != TF_OMS_NIL;) {
        tf_order *ord = &o->slots[k].order;
        k = o->link_next[k];
        if (o->cancel_all_strategy && ord->strategy != o->cancel_all_strategy)
            continue;
        tf_ord_state next = tf_order_next(ord->state, TF_IN_CANCEL_REQ, ord->cum_qty > 0);
        if (next == TF_OS_NONE)
            continue; /* already pending cancel (or a replace: canceled after its answer) */
        if (!tf__venue(o, ord, TF_VC_CANCEL, 0, 0, NULL, now))
            return false; /* the venue ring is full: go on next poll */
        uint8_t prev = ord->state;
        TF__OMS_WRITE(o, ord, {
            ord->prev_state = prev;
            ord->state = (uint8_t)next;
        });
        tf__oms_event(o, ord, TF_EV_PENDING_CANCEL, 0, NULL, 0, 0, 0, 0);
        o->cancel_all_sent++;
    }
    if (o->cancel_all_trigger_ns) {
        uint64_t took = tf_now_ns() - o->cancel_all_trigger_ns;
        o->kill_to_cancels_ns = took;
        if (o->c_kill_ns)
            tf_store_64(o->c_kill_ns, took);
        tf__oms_event(o, NULL, TF_EV_KILL_DONE, 0, NULL, (int64_t)took, 0, 0, 0);
    }
    o->cancel_all = false;
    return true;
}

void tf_oms_on_cmd(tf_oms *o, const tf_order_cmd *c, uint64_t now)
{
    switch (c->kind) {
    case TF_CMD_NEW: tf__cmd_new(o, c, now); break;
    case TF_CMD_CANCEL:
    case TF_CMD_REPLACE: tf__cmd_amend(o, c, now); break;
    case TF_CMD_REJECT: tf__reject_new(o, c, c->reason); break;
    case TF_CMD_CANCEL_ALL: {
        uint8_t kind = c->req_type == TF_REQ_KILL ? TF_EV_KILL : TF_EV_PENDING_CANCEL;
        tf_order tmp = {.strategy = c->strategy};
        tf__oms_event(o, &tmp, kind, c->reason, NULL, o->open_count, c->client_req_id,
                  c->t_request_ns, c->strategy);
        o->cancel_all = true;
        o->cancel_all_strategy = c->req_type == TF_REQ_KILL ? 0 : (uint32_t)c->arg;
        o->cancel_all_trigger_ns = c->t_trigger_ns;
        o->cancel_all_sent = 0;
        tf_oms_cancel_all_step(o, now);
        break;
    }
    case TF_CMD_RESOLVE: tf__oms_resolve(o, c, now); break;
    case TF_CMD_SESSION_RESET: tf__oms_session_reset(o, c, now); break;
    case TF_CMD_PARENT: tf__oms_parent_event(o, c); break;
    case TF_CMD_NOTE: {
        tf_order tmp = {.strategy = c->strategy, .instrument = c->instrument, .type = c->type};
        tf__oms_event(o, &tmp, (uint8_t)c->reason, c->type, NULL, c->arg, c->client_req_id,
                  c->t_request_ns, c->strategy);
        break;
    }
    }
}

/* ---- execution reports ------------------------------------------------------------ */

static const char *const tf__exec_names[] = {"?", "ack", "reject", "fill", "canceled", "replaced",
                                             "cancel_reject", "expired"};

static void tf__illegal(tf_oms *o, const tf_order *ord, const tf_exec_report *x)
{
    o->status.illegal++;
    if (o->stage && o->stage->errors)
        tf_stage_error(o->stage, TF_E_ORDER_ILLEGAL, x->order_id,
                       !ord ? "report for an unknown order"
                       : x->kind <= TF_EX_EXPIRED ? tf__exec_names[x->kind] : "unknown report kind",
                       tf_now_ns());
    if (o->c_illegal)
        tf_counter_inc(o->c_illegal, 1);
    tf_order tmp = ord ? *ord : (tf_order){.order_id = x->order_id, .instrument = x->instrument};
    tf__oms_event(o, &tmp, TF_EV_ILLEGAL, x->reason, x, x->kind, 0, 0, 0);
}

static const uint8_t tf__exec_input[] = {
    [TF_EX_ACK] = TF_IN_ACK, [TF_EX_REJECT] = TF_IN_REJECT, [TF_EX_CANCELED] = TF_IN_CANCELED,
    [TF_EX_REPLACED] = TF_IN_REPLACED, [TF_EX_CANCEL_REJECT] = TF_IN_CANCEL_REJECT,
    [TF_EX_EXPIRED] = TF_IN_EXPIRED};
static const uint8_t tf__exec_event[] = {
    [TF_EX_ACK] = TF_EV_NEW, [TF_EX_REJECT] = TF_EV_REJECTED, [TF_EX_FILL] = TF_EV_FILL,
    [TF_EX_CANCELED] = TF_EV_CANCELED, [TF_EX_REPLACED] = TF_EV_REPLACED,
    [TF_EX_CANCEL_REJECT] = TF_EV_CANCEL_REJECTED, [TF_EX_EXPIRED] = TF_EV_EXPIRED};

void tf_oms_on_exec(tf_oms *o, const tf_exec_report *x, uint64_t now)
{
    if (x->kind == TF_EX_OUT_OF_BAND_FILL) {
        tf__oms_out_of_band(o, x, now);
        return;
    }
    tf_order *ord = tf__oms_get(o, x->order_id);
    if (!ord && x->kind == TF_EX_CANCEL_REJECT && x->order_id && x->order_id <= o->max_order_id) {
        /* Too late to cancel: the order finished (filled) before the venue
         * saw the cancel. Normal, not impossible. */
        tf_order tmp = {.order_id = x->order_id, .instrument = x->instrument};
        tf__oms_event(o, &tmp, TF_EV_CANCEL_REJECTED, TF_RJ_ORDER_NOT_OPEN, x, 0, 0, 0, 0);
        return;
    }
    if (!ord || x->kind < TF_EX_ACK || x->kind > TF_EX_EXPIRED) {
        tf__illegal(o, NULL, x);
        return;
    }
    uint32_t idx = tf__oms_idx(o, ord);
    tf_fsm_input in;
    if (x->kind == TF_EX_FILL) {
        if (x->last_qty <= 0 || x->last_px <= 0 || ord->cum_qty + x->last_qty > ord->qty) {
            tf__illegal(o, ord, x); /* an overfill, or nonsense */
            return;
        }
        in = ord->cum_qty + x->last_qty == ord->qty ? TF_IN_FILL_FULL : TF_IN_FILL_PARTIAL;
    } else {
        in = tf__exec_input[x->kind];
    }
    bool fills = ord->cum_qty > 0 || x->kind == TF_EX_FILL;
    tf_ord_state next = tf_order_next(ord->state, in, fills);
    if (next == TF_OS_NONE) {
        tf__illegal(o, ord, x);
        return;
    }
    uint64_t rt = tf__oms_rt(o);
    TF__OMS_WRITE(o, ord, {
        if (x->kind == TF_EX_FILL) {
            ord->cum_qty += x->last_qty;
            o->fill_value[idx] += (__int128)x->last_px * x->last_qty;
            ord->avg_px = (int64_t)((o->fill_value[idx] + ord->cum_qty / 2) / ord->cum_qty);
            ord->fees += x->fee;
            if (ord->state == TF_OS_PENDING_CANCEL || ord->state == TF_OS_PENDING_REPLACE)
                ord->prev_state = TF_OS_PARTIALLY_FILLED;
        }
        if (x->kind == TF_EX_REPLACED) {
            /* The venue's terms win: a cancel-then-new replace leaves working
             * what the new order asked for on top of what the old one filled,
             * which a fill between the two makes more than we asked. */
            ord->price = x->price > 0 ? x->price : ord->pending_price;
            ord->qty = x->qty > 0 ? x->qty : ord->pending_qty;
            ord->version++;
        }
        ord->state = (uint8_t)next;
        ord->updated_realtime_ns = rt;
    });
    if (x->kind == TF_EX_ACK || x->kind == TF_EX_REPLACED)
        o->venue_ref[idx] = x->venue_ref;
    if (x->kind == TF_EX_FILL) {
        o->status.fills++;
        if (o->c_fills)
            tf_counter_inc(o->c_fills, 1);
        tf__oms_apply_fill(o, ord->strategy, ord->instrument, ord->side, x->last_px, x->last_qty, x->fee);
        tf__oms_publish_position(o, ord->strategy, ord->instrument, now);
    }
    /* A venue refusal keeps its detail (venue_unavailable, unknown_instrument, ...). */
    uint16_t why = x->kind == TF_EX_REJECT && !x->reason ? TF_RJ_VENUE : x->reason;
    tf__oms_event(o, ord, tf__exec_event[x->kind], why, x,
                  x->kind == TF_EX_REPLACED ? (int64_t)x->venue_ref : 0, 0, 0, 0);
    if (next == TF_OS_REPLACED) /* reported; the order goes on live */
        TF__OMS_WRITE(o, ord, ord->state = (uint8_t)(ord->cum_qty > 0 ? TF_OS_PARTIALLY_FILLED : TF_OS_NEW));
    bool done = tf_ord_state_final(next);
    tf__oms_feedback(o, ord, x->kind, x, done);
    if (done)
        tf__oms_finish(o, ord);
}

/* ---- replay ----------------------------------------------------------------------- */

void tf_oms_replay(tf_oms *o, const tf_order_event *ev)
{
    o->status.replayed++;
    if (ev->strategy < TF_MAX_STRATEGIES && ev->client_req_id > o->last_req_id[ev->strategy])
        o->last_req_id[ev->strategy] = ev->client_req_id;
    if (ev->order_id > o->max_order_id)
        o->max_order_id = ev->order_id;
    if (ev->kind == TF_EV_OUT_OF_BAND_FILL) {
        tf__oms_replay_out_of_band(o, ev);
        return;
    }
    if (!ev->order_id || ev->kind == TF_EV_ILLEGAL || (ev->kind >= TF_EV_KILL && ev->kind != TF_EV_RESOLVED))
        return;
    tf_order *ord = tf__oms_get(o, ev->order_id);
    if (ev->kind == TF_EV_ACCEPTED && !ord) {
        ord = tf__oms_alloc(o, ev->order_id);
        if (!ord)
            return;
        *ord = (tf_order){.order_id = ev->order_id, .client_req_id = ev->client_req_id,
                          .strategy = ev->strategy, .instrument = ev->instrument,
                          .side = ev->side, .type = ev->type, .tif = ev->tif, .flags = ev->flags,
                          .created_realtime_ns = ev->realtime_ns};
    }
    if (!ord)
        return;
    if (ev->kind == TF_EV_FILL && ev->instrument < o->instruments->count &&
        ev->strategy < TF_MAX_STRATEGIES) {
        uint32_t idx = tf__oms_idx(o, ord);
        o->fill_value[idx] += (__int128)ev->last_px * ev->last_qty;
        ord->fees += ev->fee;
        ord->avg_px = ev->cum_qty ? (int64_t)((o->fill_value[idx] + ev->cum_qty / 2) / ev->cum_qty) : 0;
        tf__oms_apply_fill(o, ev->strategy, ev->instrument, ev->side, ev->last_px, ev->last_qty, ev->fee);
        /* Fills of earlier days are the daily loss limit's baseline, not today's PnL. */
        uint64_t midnight = tf_realtime_ns() / 86400000000000ull * 86400000000000ull;
        if (ev->realtime_ns < midnight)
            o->day_base[ev->strategy][ev->instrument] = o->pos[ev->strategy][ev->instrument].realized;
    }
    if (ev->kind == TF_EV_PENDING_REPLACE) {
        ord->pending_qty = ev->arg;
        ord->prev_state = ord->state;
    }
    if (ev->kind == TF_EV_REPLACED) {
        ord->version++;
        o->venue_ref[tf__oms_idx(o, ord)] = (uint64_t)ev->arg;
    }
    ord->state = ev->state == TF_OS_REPLACED ? (ev->cum_qty ? TF_OS_PARTIALLY_FILLED : TF_OS_NEW)
                                             : ev->state;
    ord->price = ev->price;
    ord->qty = ev->qty;
    ord->cum_qty = ev->cum_qty;
    ord->updated_realtime_ns = ev->realtime_ns;
    o->slots[tf__oms_idx(o, ord)].used = 1; /* replay runs before any reader: no seqlock needed */
    if (tf_ord_state_final(ev->state))
        tf__oms_finish(o, ord);
}

void tf_oms_publish_all(tf_oms *o, uint64_t now)
{
    for (uint32_t i = 0; i < o->instruments->count; i++) {
        const tf_instrument *in = &o->instruments->items[i];
        int64_t ref = tf_md_reference(&o->ref_slots[i], now, 60000000000ull);
        for (uint32_t s = 0; s < TF_MAX_STRATEGIES; s++)
            if (o->pos_slot[s][i]) {
                tf_position_mark(&o->pos[s][i], ref, in->price_precision, in->qty_precision);
                tf_state_write(o->pos_slot[s][i], &o->pos[s][i], sizeof(tf_position), now);
            }
        tf_position_mark(&o->total[i], ref, in->price_precision, in->qty_precision);
        if (o->total_slot[i])
            tf_state_write(o->total_slot[i], &o->total[i], sizeof(tf_position), now);
        if (o->counts_slot[i] && (o->counts_dirty >> (i & 63) & 1))
            tf_state_write(o->counts_slot[i], &o->counts[i], sizeof(tf_order_counts), now);
    }
    o->counts_dirty = 0;
    tf__publish_status(o, now);
}

/* ---- the stage ------------------------------------------------------------------- */

static int tf__poll(tf_stage *self, uint64_t now)
{
    tf_oms *o = self->ctx;
    int work = 0;
    o->rt_now = tf_realtime_ns();
    uint32_t room = tf__oms_feedback_room(o);
    tf_exec_report x;
    for (uint32_t n = 0; n < 256 && n < room && tf_spsc_poll(o->exec, &x, sizeof x); n++, work++)
        tf_oms_on_exec(o, &x, now);
    room = tf__oms_feedback_room(o);
    if (o->cancel_all && !tf_oms_cancel_all_step(o, now)) {
        o->rt_now = 0;
        return work + 1;
    }
    tf_order_cmd c;
    for (uint32_t n = 0; n < 64 && n < room && !o->cancel_all && tf_spsc_poll(o->in, &c, sizeof c);
         n++, work++) {
        if (o->h_wait) {
            o->cmd_taken_ns = tf_now_ns();
            if (c.t_passed_ns && o->cmd_taken_ns >= c.t_passed_ns)
                tf_hist_record(o->h_wait, o->cmd_taken_ns - c.t_passed_ns);
        }
        tf_oms_on_cmd(o, &c, now);
        o->cmd_taken_ns = 0;
    }
    if (now >= o->next_mark_ns) {
        o->next_mark_ns = now + TF__MARK_PERIOD_NS;
        tf_oms_publish_all(o, now);
    }
    o->rt_now = 0;
    return work;
}

/* At stop: answer what is queued; a venue on this or a later stage drains
 * its ring, so keep reporting work while it has not. */
/* At stop: deliver what is queued, and for a while (TF_OMS_DRAIN_WAIT_NS)
 * keep listening while orders wait for the venue's answer — the venue
 * stage, downstream, is still logging out and its last reports (a cancel
 * confirmed, a fill) must reach the journal; what never comes is learned
 * by reconciliation at the next start. */
static int tf__drain(tf_stage *self, uint64_t now)
{
    tf_oms *o = self->ctx;
    int work = tf__poll(self, now);
    if (!o->drain_started_ns)
        o->drain_started_ns = now;
    uint32_t waiting = 0;
    if (now - o->drain_started_ns < TF_OMS_DRAIN_WAIT_NS)
        for (uint32_t k = o->open_head; k != TF_OMS_NIL && !waiting; k = o->link_next[k]) {
            uint8_t st = o->slots[k].order.state;
            waiting = st == TF_OS_PENDING_NEW || st == TF_OS_PENDING_CANCEL || st == TF_OS_PENDING_REPLACE;
        }
    return work + (int)tf_ring_depth(o->venue) + (int)tf_ring_depth(o->exec) + (int)waiting;
}

/* ---- set-up ------------------------------------------------------------------------ */

int tf_oms_init(tf_stage *stage, tf_oms *o, const tf_config *cfg, const tf_instruments *ins,
                tf_stats *stats, tf_state_table *state, tf_order_slot *table, uint32_t capacity,
                tf_ring *in, tf_ring *exec, tf_ring *venue, tf_ring *feedback, tf_journal *journal)
{
    memset(o, 0, sizeof *o);
    o->instruments = ins;
    o->in = in;
    o->exec = exec;
    o->venue = venue;
    o->feedback = feedback;
    o->journal = journal;
    o->slots = table;
    o->capacity = capacity;
    o->link_next = calloc(capacity, sizeof *o->link_next);
    o->link_prev = calloc(capacity, sizeof *o->link_prev);
    o->fill_value = calloc(capacity, sizeof *o->fill_value);
    o->venue_ref = calloc(capacity, sizeof *o->venue_ref);
    o->ids.keys = calloc((size_t)capacity * 2, sizeof *o->ids.keys);
    o->ids.values = calloc((size_t)capacity * 2, sizeof *o->ids.values);
    if (!o->link_next || !o->link_prev || !o->fill_value || !o->venue_ref || !o->ids.keys || !o->ids.values) {
        tf_oms_free(o);
        return TF_ERR("oms: out of memory for %u orders", capacity);
    }
    o->ids.mask = capacity * 2 - 1;
    for (uint32_t k = 0; k < capacity; k++)
        o->link_next[k] = k + 1 < capacity ? k + 1 : TF_OMS_NIL;
    o->free_head = 0;
    o->free_tail = capacity - 1;
    o->open_head = TF_OMS_NIL;
    o->strategy_known[0] = true;
    for (uint32_t k = 0; k < cfg->risk.strategy_count; k++)
        o->strategy_known[cfg->risk.strategies[k].id] = true;
    if (cfg->orders.plugin[0])
        o->strategy_known[cfg->orders.plugin_strategy] = true;
    for (uint32_t i = 0; i < ins->count; i++) {
        o->total[i].instrument = i;
        for (uint32_t s = 0; s < TF_MAX_STRATEGIES; s++) {
            o->pos[s][i].instrument = i;
            o->pos[s][i].strategy = s;
        }
    }
    if (state) {
        o->status_slot = tf_state_claim(state, TF_STATE_OMS, "oms");
        for (uint32_t i = 0; i < ins->count; i++) {
            char key[TF_STATE_KEY];
            o->total_slot[i] = tf_state_claim(state, TF_STATE_POSITION, ins->items[i].symbol);
            o->counts_slot[i] = tf_state_claim(state, TF_STATE_ORDER_COUNTS, ins->items[i].symbol);
            o->counts_dirty |= 1ull << (i & 63); /* published zero at start: the series exist */
            for (uint32_t s = 0; s < TF_MAX_STRATEGIES; s++) {
                if (!o->strategy_known[s])
                    continue;
                if (snprintf(key, sizeof key, "%.12s/%u", ins->items[i].symbol, s) >= (int)sizeof key)
                    continue;
                o->pos_slot[s][i] = tf_state_claim(state, TF_STATE_POSITION, key);
                if (!o->pos_slot[s][i]) {
                    tf_oms_free(o);
                    return TF_ERR("oms: no state slot left for position %s", key);
                }
            }
        }
    }
    if (stats && stage) {
        uint32_t ow = stage->owner;
        const tf_counter_reg regs[] = {
            {&o->c_events, TF_CTR_ORDER_EVENTS, NULL},
            {&o->c_illegal, TF_CTR_ORDER_ILLEGAL_REPORTS, NULL},
            {&o->c_venue_full, TF_CTR_VENUE_RING_FULL, NULL},
            {&o->c_fills, TF_CTR_FILLS, NULL},
            {&o->c_kill_ns, TF_CTR_KILL_TO_CANCELS_NS, NULL},
            {&o->c_out_of_band, TF_CTR_ORDERS_OUT_OF_BAND_FILLS, NULL},
            {&o->c_resolved, TF_CTR_ORDERS_RESOLVED, NULL},
        };
        if (tf_stats_add_counters(stats, ow, regs, TF_ARRAY_LEN(regs)) != 0 ||
            !(o->h_order = tf_stats_add_hist(stats, ow, TF_HIST_ORDER_REQUEST_TO_VENUE_NS, NULL)) ||
            !(o->h_t2o = tf_stats_add_hist(stats, ow, TF_HIST_TICK_TO_ORDER_NS, NULL)) ||
            !(o->h_wait = tf_stats_add_hist(stats, ow, TF_HIST_OMS_WAIT_NS, NULL)) ||
            !(o->h_handle = tf_stats_add_hist(stats, ow, TF_HIST_OMS_HANDLE_NS, NULL))) {
            tf_oms_free(o);
            return -1; /* the message names the counter; the engine adds the stage */
        }
    }
    if (stage) {
        stage->poll = tf__poll;
        stage->drain = tf__drain;
        stage->ctx = o;
        o->stage = stage;
    }
    return 0;
}

void tf_oms_bind_references(tf_oms *o, const tf_state_table *state)
{
    for (uint32_t i = 0; i < o->instruments->count; i++) {
        const char *sym = o->instruments->items[i].symbol;
        o->ref_slots[i].top = tf_state_find(state, TF_STATE_MD_TOP, sym);
        o->ref_slots[i].last_trade = tf_state_find(state, TF_STATE_MD_LAST_TRADE, sym);
    }
}

void tf_oms_free(tf_oms *o)
{
    free(o->link_next);
    free(o->link_prev);
    free(o->fill_value);
    free(o->venue_ref);
    o->venue_ref = NULL;
    free(o->ids.keys);
    free(o->ids.values);
    o->link_next = o->link_prev = NULL;
    o->fill_value = NULL;
    o->ids.keys = NULL;
    o->ids.values = NULL;
}

uint64_t tf_oms_venue_ref(const tf_oms *o, uint64_t id)
{
    const tf_order *ord = tf_oms_find(o, id);
    return ord ? o->venue_ref[tf__oms_idx(o, ord)] : 0;
}

/* The OMS's order table (a fixed pool with an open list and a free FIFO,
 * so finished orders stay readable until reused), its journal events, the
 * feedback to the risk gate and the positions it keeps. The bottom of the
 * OMS's files (oms_internal.h); calls nothing above it. The oms stage's
 * thread only. */
#include <string.h>

#include "engine/orders/oms_internal.h"
#include "engine/orders/position.h"
#include "shm/records.h"

/* ---- the table ---------------------------------------------------------------- */

uint32_t tf__oms_idx(const tf_oms *o, const tf_order *ord)
{
    return (uint32_t)(((const tf_order_slot *)((const char *)ord - offsetof(tf_order_slot, order))) -
                      o->slots);
}

const tf_order *tf_oms_find(const tf_oms *o, uint64_t id)
{
    uint32_t idx;
    return id && tf_id_map_get(&o->ids, id, &idx) ? &o->slots[idx].order : NULL;
}

tf_order *tf__oms_get(tf_oms *o, uint64_t id) { return (tf_order *)tf_oms_find(o, id); }

tf_order *tf__oms_alloc(tf_oms *o, uint64_t id)
{
    uint32_t idx = o->free_head;
    if (idx == TF_OMS_NIL || !tf_id_map_put(&o->ids, id, idx))
        return NULL;
    o->free_head = o->link_next[idx];
    if (o->free_head == TF_OMS_NIL)
        o->free_tail = TF_OMS_NIL;
    o->link_prev[idx] = TF_OMS_NIL;
    o->link_next[idx] = o->open_head;
    if (o->open_head != TF_OMS_NIL)
        o->link_prev[o->open_head] = idx;
    o->open_head = idx;
    o->open_count++;
    o->fill_value[idx] = 0;
    o->venue_ref[idx] = 0;
    if (id > o->max_order_id)
        o->max_order_id = id;
    return &o->slots[idx].order;
}

/* A finished order leaves the open list and the id map; its slot goes to
 * the back of the free FIFO, so it stays readable until reused. */
void tf__oms_finish(tf_oms *o, tf_order *ord)
{
    uint32_t idx = tf__oms_idx(o, ord);
    tf_id_map_del(&o->ids, ord->order_id);
    if (o->link_prev[idx] != TF_OMS_NIL)
        o->link_next[o->link_prev[idx]] = o->link_next[idx];
    else
        o->open_head = o->link_next[idx];
    if (o->link_next[idx] != TF_OMS_NIL)
        o->link_prev[o->link_next[idx]] = o->link_prev[idx];
    o->open_count--;
    o->link_next[idx] = TF_OMS_NIL;
    if (o->free_tail != TF_OMS_NIL)
        o->link_next[o->free_tail] = idx;
    else
        o->free_head = idx;
    o->free_tail = idx;
}


/* ---- journal, feedback, positions ---------------------------------------------- */

/* Wall-clock time for records: read once per poll (one clock read for the
 * batch), or now when called outside a poll (replay, tests). */
uint64_t tf__oms_rt(const tf_oms *o) { return o->rt_now ? o->rt_now : tf_realtime_ns(); }

void tf__oms_event(tf_oms *o, const tf_order *ord, uint8_t kind, uint16_t reason,
                      const tf_exec_report *x, int64_t arg, uint64_t client_req_id,
                      uint64_t t_request_ns, uint32_t strategy)
{
    tf_order_event ev = {.kind = kind, .reason = reason, .arg = arg, .client_req_id = client_req_id,
                         .t_request_ns = t_request_ns, .strategy = strategy,
                         .realtime_ns = tf__oms_rt(o)};
    if (ord) {
        ev.order_id = ord->order_id;
        ev.strategy = ord->strategy;
        ev.instrument = ord->instrument;
        ev.state = ord->state;
        ev.side = ord->side;
        ev.type = ord->type;
        ev.tif = ord->tif;
        ev.flags = ord->flags;
        ev.price = ord->price;
        ev.qty = ord->qty;
        ev.cum_qty = ord->cum_qty;
        if (!client_req_id)
            ev.client_req_id = ord->client_req_id;
    }
    bool fill = x && (x->kind == TF_EX_FILL || x->kind == TF_EX_OUT_OF_BAND_FILL);
    if (fill) {
        ev.last_px = x->last_px;
        ev.last_qty = x->last_qty;
        ev.fee = x->fee;
        ev.reason = x->liquidity;
    }
    tf_journal_append(o->journal, TF_REC_ORDER_EVENT, &ev, sizeof ev);
    if (ord && ev.state < TF_OS_COUNT && ev.instrument < TF_MAX_INSTRUMENTS) {
        o->counts[ev.instrument].by_state[ev.state]++;
        o->counts_dirty |= 1ull << (ev.instrument & 63);
    }
    o->status.events++;
    if (o->c_events)
        tf_counter_inc(o->c_events, 1);
    if ((kind == TF_EV_FILL || kind == TF_EV_OUT_OF_BAND_FILL) && ord && ev.strategy < TF_MAX_STRATEGIES &&
        ev.instrument < o->instruments->count)
        tf__oms_position_event(o, &ev);
}

/* A parent order's event (TF_CMD_PARENT, shm/orders.h): the OMS journals
 * it as it came; parents are not in the order table. */
void tf__oms_parent_event(tf_oms *o, const tf_order_cmd *c)
{
    tf_order_event ev = {.order_id = c->order_id, .client_req_id = c->client_req_id, .strategy = c->strategy,
                         .instrument = c->instrument, .kind = (uint8_t)c->reason, .side = c->side,
                         .reason = c->tif, .arg = c->arg, .t_request_ns = c->t_request_ns,
                         .realtime_ns = tf__oms_rt(o)};
    if (c->reason == TF_EV_PARENT_STATE) {
        ev.cum_qty = c->qty;
        ev.last_px = c->price;
    } else {
        ev.qty = c->qty;
        ev.price = c->price;
    }
    tf_journal_append(o->journal, TF_REC_ORDER_EVENT, &ev, sizeof ev);
    o->status.events++;
    if (o->c_events)
        tf_counter_inc(o->c_events, 1);
}

/* After a fill: the position it left, journaled for the exporters and the
 * query API (they keep no position arithmetic of their own). */
void tf__oms_position_event(tf_oms *o, const tf_order_event *fill)
{
    const tf_instrument *in = &o->instruments->items[fill->instrument];
    tf_position p = o->pos[fill->strategy][fill->instrument];
    tf_position_mark(&p, fill->last_px, in->price_precision, in->qty_precision);
    tf_order_event ev = {.kind = TF_EV_POSITION, .strategy = fill->strategy, .instrument = fill->instrument,
                         .order_id = fill->order_id, .qty = p.qty, .price = p.avg_px, .arg = p.realized,
                         .cum_qty = p.unrealized, .last_px = fill->last_px, .fee = p.fees,
                         .realtime_ns = fill->realtime_ns};
    tf_journal_append(o->journal, TF_REC_ORDER_EVENT, &ev, sizeof ev);
    o->status.events++;
    if (o->c_events)
        tf_counter_inc(o->c_events, 1);
}

/* Records the feedback ring can take now (each report or command makes at
 * most one); read once per batch, not per record. */
uint32_t tf__oms_feedback_room(const tf_oms *o)
{
    if (!o->feedback)
        return UINT32_MAX;
    uint64_t depth = tf_ring_depth(o->feedback);
    return depth + 1 < o->feedback->capacity ? (uint32_t)(o->feedback->capacity - 1 - depth) : 0;
}

void tf__oms_feedback(tf_oms *o, const tf_order *ord, uint8_t kind, const tf_exec_report *x,
                         bool done)
{
    if (!o->feedback)
        return;
    tf_risk_feedback fb = {.kind = kind, .side = ord->side, .done = done,
                           .instrument = ord->instrument, .order_id = ord->order_id,
                           .strategy = ord->strategy, .price = ord->price,
                           .leaves = ord->qty - ord->cum_qty, .reason = x ? x->reason : 0};
    if (x && (kind == TF_EX_FILL || kind == TF_EX_OUT_OF_BAND_FILL)) {
        fb.last_px = x->last_px;
        fb.last_qty = x->last_qty;
        fb.fee = x->fee;
    }
    if (!tf_spsc_offer(o->feedback, &fb, sizeof fb))
        tf_ring_count_drop(o->feedback); /* not reached: room is checked first */
}

void tf__oms_publish_position(tf_oms *o, uint32_t s, uint32_t i, uint64_t now)
{
    if (o->pos_slot[s][i])
        tf_state_write(o->pos_slot[s][i], &o->pos[s][i], sizeof(tf_position), now);
    if (o->total_slot[i])
        tf_state_write(o->total_slot[i], &o->total[i], sizeof(tf_position), now);
}

void tf__oms_apply_fill(tf_oms *o, uint32_t s, uint32_t i, int side, int64_t px, int64_t qty,
                           int64_t fee)
{
    const tf_instrument *in = &o->instruments->items[i];
    o->pos[s][i].instrument = o->total[i].instrument = i;
    o->pos[s][i].strategy = s;
    tf_position_fill(&o->pos[s][i], side, px, qty, fee, in->price_precision, in->qty_precision);
    tf_position_fill(&o->total[i], side, px, qty, fee, in->price_precision, in->qty_precision);
}


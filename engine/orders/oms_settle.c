/* What the venue's normal reports do not settle (see oms.h's promises):
 * - an out-of-band fill: the venue filled an order the OMS had finished
 *   (a fill racing a cancel, an order the venue placed again) or one it
 *   never knew. The venue's word wins: the position follows it; the fill
 *   is journaled, counted, noted in the error log (arg = the order id; the
 *   journal has the quantity) and passed to the risk gate, which may trip
 *   the kill switch (risk.kill_on_out_of_band_fill);
 * - an operator's resolution of an order whose fate the venue cannot tell
 *   (it forgot the order): canceled, or filled with a quantity and price,
 *   journaled with the operator's uid; the venue stage forgets the order;
 * - an operator's reset of a venue session's sequence numbers, passed on
 *   to the venue stage and journaled.
 * Calls down into oms_table.c only; called by oms.c. The oms stage's
 * thread only. */
#include "engine/orders/oms_settle.h"

#include "shm/records.h"

/* The strategy of an order no longer open: its slot stays readable in the
 * free FIFO until reused, so look there (a scan, but out-of-band fills
 * are exceptional); 0 (the engine's own) when it is gone. */
static const tf_order *finished_order(const tf_oms *o, uint64_t id)
{
    for (uint32_t k = 0; id && k < o->capacity; k++)
        if (o->slots[k].used && o->slots[k].order.order_id == id)
            return &o->slots[k].order;
    return NULL;
}

static void count(uint64_t *counter)
{
    if (counter)
        tf_counter_inc(counter, 1);
}

static void note_error(tf_oms *o, tf_err_code code, uint64_t arg, const char *detail)
{
    if (o->stage && o->stage->errors)
        tf_stage_error(o->stage, code, arg, detail, tf_now_ns());
}

void tf__oms_out_of_band(tf_oms *o, const tf_exec_report *x, uint64_t now)
{
    const tf_order *known = tf_oms_find(o, x->order_id);
    if (!known)
        known = finished_order(o, x->order_id);
    tf_order tmp = known ? *known : (tf_order){.order_id = x->order_id, .instrument = x->instrument};
    tmp.side = x->side;
    tmp.state = TF_OS_NONE; /* the order stays as it ended; this fill is outside its life */
    if (x->instrument >= o->instruments->count || x->instrument != tmp.instrument || x->side > TF_SELL ||
        x->last_qty <= 0 || x->last_px <= 0 || tmp.strategy >= TF_MAX_STRATEGIES) {
        o->status.illegal++;
        count(o->c_illegal);
        note_error(o, TF_E_ORDER_ILLEGAL, x->order_id, "out_of_band_fill");
        tf__oms_event(o, &tmp, TF_EV_ILLEGAL, 0, x, x->kind, 0, 0, 0);
        return;
    }
    tf__oms_apply_fill(o, tmp.strategy, tmp.instrument, tmp.side, x->last_px, x->last_qty, x->fee);
    tf__oms_publish_position(o, tmp.strategy, tmp.instrument, now);
    o->status.out_of_band_fills++;
    count(o->c_out_of_band);
    note_error(o, TF_E_ORDER_OUT_OF_BAND, x->order_id, "out_of_band_fill");
    tf__oms_event(o, &tmp, TF_EV_OUT_OF_BAND_FILL, 0, x, 0, 0, 0, 0);
    tf__oms_feedback(o, &tmp, TF_EX_OUT_OF_BAND_FILL, x, false);
}

void tf__oms_replay_out_of_band(tf_oms *o, const tf_order_event *ev)
{
    if (ev->instrument >= o->instruments->count || ev->strategy >= TF_MAX_STRATEGIES || ev->side > TF_SELL ||
        ev->last_qty <= 0)
        return;
    tf__oms_apply_fill(o, ev->strategy, ev->instrument, ev->side, ev->last_px, ev->last_qty, ev->fee);
    o->status.out_of_band_fills++;
}

/* A refusal the requester waits for (tfctl): by its request id and strategy. */
static void refuse(tf_oms *o, const tf_order_cmd *c, const tf_order *ord, uint16_t why)
{
    tf_order tmp = ord ? *ord : (tf_order){.order_id = c->order_id};
    tmp.strategy = c->strategy;
    tf__oms_event(o, &tmp, TF_EV_CANCEL_REJECTED, why, NULL, c->req_type, c->client_req_id, c->t_request_ns,
                  c->strategy);
}

void tf__oms_resolve(tf_oms *o, const tf_order_cmd *c, uint64_t now)
{
    tf_order *ord = tf__oms_get(o, c->order_id);
    int64_t outcome = c->arg & 0xff, uid = c->arg >> 8;
    if (!ord) {
        refuse(o, c, NULL, TF_RJ_UNKNOWN_ORDER);
        return;
    }
    bool filled = outcome == TF_RESOLVE_FILLED;
    if ((!filled && outcome != TF_RESOLVE_CANCELED) ||
        (filled && (c->qty <= 0 || c->price <= 0 || c->qty > ord->qty - ord->cum_qty))) {
        refuse(o, c, ord, TF_RJ_BAD_REQUEST);
        return;
    }
    if (tf__oms_feedback_room(o) < 2) {
        refuse(o, c, ord, TF_RJ_VENUE_UNAVAILABLE); /* the risk gate is behind: try again */
        return;
    }
    uint32_t idx = tf__oms_idx(o, ord);
    uint64_t rt = tf__oms_rt(o);
    if (filled) {
        tf_exec_report fill = {.kind = TF_EX_FILL, .instrument = ord->instrument, .order_id = ord->order_id,
                               .last_px = c->price, .last_qty = c->qty};
        TF__OMS_WRITE(o, ord, {
            ord->cum_qty += c->qty;
            o->fill_value[idx] += (__int128)c->price * c->qty;
            ord->avg_px = (int64_t)((o->fill_value[idx] + ord->cum_qty / 2) / ord->cum_qty);
            ord->updated_realtime_ns = rt;
        });
        o->status.fills++;
        tf__oms_apply_fill(o, ord->strategy, ord->instrument, ord->side, c->price, c->qty, 0);
        tf__oms_publish_position(o, ord->strategy, ord->instrument, now);
        tf__oms_event(o, ord, TF_EV_FILL, 0, &fill, 0, 0, 0, 0);
        tf__oms_feedback(o, ord, TF_EX_FILL, &fill, false);
    }
    uint8_t final = ord->cum_qty == ord->qty ? TF_OS_FILLED : TF_OS_CANCELED;
    TF__OMS_WRITE(o, ord, {
        ord->state = final;
        ord->updated_realtime_ns = rt;
    });
    o->status.resolved++;
    count(o->c_resolved);
    /* The answer the operator waits for: by request id and the operator's strategy. */
    tf_order answer = *ord;
    answer.strategy = c->strategy;
    tf__oms_event(o, &answer, TF_EV_RESOLVED, 0, NULL, uid, c->client_req_id, c->t_request_ns, c->strategy);
    tf__oms_feedback(o, ord, TF_EX_CANCELED, NULL, true);
    tf_venue_cmd v = {.kind = TF_VC_FORGET, .instrument = ord->instrument, .order_id = ord->order_id,
                      .t_handed_ns = tf_now_ns()};
    if (o->venue && !tf_spsc_offer(o->venue, &v, sizeof v)) {
        count(o->c_venue_full); /* the venue stage keeps counting it unknown: harmless */
        note_error(o, TF_E_ORDER_VENUE_FULL, ord->order_id, "forget: venue ring full");
    }
    tf__oms_finish(o, ord);
}

void tf__oms_session_reset(tf_oms *o, const tf_order_cmd *c, uint64_t now)
{
    (void)now;
    tf_venue_cmd v = {.kind = TF_VC_SESSION_RESET, .qty = c->qty, .t_handed_ns = tf_now_ns()};
    tf_order tmp = {.strategy = c->strategy, .qty = c->qty};
    if (o->venue && !tf_spsc_offer(o->venue, &v, sizeof v)) {
        count(o->c_venue_full);
        refuse(o, c, &tmp, TF_RJ_VENUE_UNAVAILABLE);
        return;
    }
    tf__oms_event(o, &tmp, TF_EV_SESSION_RESET, 0, NULL, c->arg >> 8, c->client_req_id, c->t_request_ns,
                  c->strategy);
}

/* Order-journal records → InfluxDB points (see influx_points.h, "The
 * trading record"). Every value comes from the event alone, so a record
 * exported twice writes the identical point. */
#include <stdio.h>
#include <string.h>

#include "shm/orders.h"
#include "shm/parents.h"
#include "tools/oob/influx_points.h"

/* Events of one OMS poll share a wall-clock time: the journal sequence in
 * the nanosecond digits keeps them apart (with ns precision; a coarser one
 * can merge events of the same series in the same unit). */
static int64_t stamp(const influx_points *ip, const tf_order_event *ev, uint64_t seq)
{
    uint64_t t = ev->realtime_ns;
    if (ip->divisor == 1)
        t = t / 1000 * 1000 + seq % 1000;
    return (int64_t)(t / ip->divisor);
}

static bool tags(const influx_points *ip, lp_buf *b, const char *m, const tf_order_event *ev,
                 const tf_md_instrument_info *in)
{
    char strategy[12];
    snprintf(strategy, sizeof strategy, "%u", ev->strategy);
    return lp_measurement(b, m) && lp_tag(b, "exchange", in->venue) && lp_tag(b, "instance", ip->instance) &&
           lp_tag(b, "symbol", in->symbol) &&
           lp_tag(b, "strategy", strategy);
}

static const char *reason_text(const tf_order_event *ev)
{
    if (ev->kind == TF_EV_LIMIT_SET)
        return ev->reason < TF_LIM_COUNT ? tf_limit_names[ev->reason] : "?";
    return ev->reason < TF_RJ_REASON_COUNT ? tf_reject_reason_names[ev->reason] : "?";
}

static int order_point(influx_points *ip, lp_buf *b, const tf_order_event *ev, const tf_md_instrument_info *in,
                       uint64_t seq)
{
    unsigned pp = in->price_precision, qp = in->qty_precision;
    const char *status = ev->state < TF_OS_COUNT ? tf_ord_state_names[ev->state] : "?";
    bool ok = tags(ip, b, "orders", ev, in) && lp_tag(b, "event", tf_event_kind_names[ev->kind]) &&
              lp_tag(b, "status", status) && lp_field_int(b, "order_id", (int64_t)ev->order_id) &&
              lp_field_int(b, "client_req_id", (int64_t)ev->client_req_id) &&
              lp_field_str(b, "side", ev->side ? "sell" : "buy") &&
              lp_field_str(b, "type", ev->type ? "market" : "limit") && lp_field_fixed(b, "price", ev->price, pp) &&
              lp_field_fixed(b, "qty", ev->qty, qp) && lp_field_fixed(b, "filled", ev->cum_qty, qp) &&
              lp_field_str(b, "reason", ev->reason && ev->kind != TF_EV_FILL ? reason_text(ev) : "") &&
              lp_field_int(b, "seq", (int64_t)seq) && lp_point_end(b, stamp(ip, ev, seq));
    return ok ? 1 : -1;
}

static int fill_point(influx_points *ip, lp_buf *b, const tf_order_event *ev, const tf_md_instrument_info *in,
                      uint64_t seq)
{
    unsigned pp = in->price_precision, qp = in->qty_precision;
    const char *liq = ev->reason == 1 ? "maker" : ev->reason == 2 ? "taker" : "unknown";
    bool ok = tags(ip, b, "fills", ev, in) && lp_tag(b, "side", ev->side ? "sell" : "buy") &&
              lp_tag(b, "liquidity", liq) &&
              lp_tag(b, "out_of_band", ev->kind == TF_EV_OUT_OF_BAND_FILL ? "true" : "false") &&
              lp_field_int(b, "order_id", (int64_t)ev->order_id) && lp_field_fixed(b, "price", ev->last_px, pp) &&
              lp_field_fixed(b, "qty", ev->last_qty, qp) && lp_field_fixed(b, "fee", ev->fee, TF_MONEY_PRECISION) &&
              lp_field_int(b, "seq", (int64_t)seq) && lp_point_end(b, stamp(ip, ev, seq));
    return ok ? 1 : -1;
}

static int position_point(influx_points *ip, lp_buf *b, const tf_order_event *ev, const tf_md_instrument_info *in,
                          uint64_t seq)
{
    unsigned pp = in->price_precision, qp = in->qty_precision;
    bool ok = tags(ip, b, "positions", ev, in) && lp_field_fixed(b, "qty", ev->qty, qp) &&
              lp_field_fixed(b, "avg_price", ev->price, pp) && lp_field_fixed(b, "mark_price", ev->last_px, pp) &&
              lp_field_fixed(b, "realized", ev->arg, TF_MONEY_PRECISION) &&
              lp_field_fixed(b, "unrealized", ev->cum_qty, TF_MONEY_PRECISION) &&
              lp_field_fixed(b, "fees", ev->fee, TF_MONEY_PRECISION) && lp_point_end(b, stamp(ip, ev, seq));
    return ok ? 1 : -1;
}

/* A parent order's event: measurement parent_orders, tagged with the event
 * and the algorithm's word for it (the algorithm, the action, the state). */
static int parent_point(influx_points *ip, lp_buf *b, const tf_order_event *ev, const tf_md_instrument_info *in,
                        uint64_t seq)
{
    unsigned pp = in->price_precision, qp = in->qty_precision;
    const char *what = ev->kind == TF_EV_PARENT_ACCEPTED
                           ? (ev->reason < TF_ALGO_KIND_END ? tf_algo_kind_names[ev->reason] : "?")
                       : ev->kind == TF_EV_PARENT_CONTROL
                           ? (ev->reason < TF_ALGO_ACT_END ? tf_algo_action_names[ev->reason] : "?")
                           : (ev->reason < TF_ALGO_STATE_END ? tf_algo_state_names[ev->reason] : "?");
    bool ok = tags(ip, b, "parent_orders", ev, in) && lp_tag(b, "event", tf_event_kind_names[ev->kind]) &&
              lp_tag(b, "what", what) && lp_field_int(b, "parent_id", (int64_t)ev->order_id) &&
              lp_field_str(b, "side", ev->side ? "sell" : "buy");
    if (ev->kind == TF_EV_PARENT_STATE)
        ok = ok && lp_field_fixed(b, "filled", ev->cum_qty, qp) && lp_field_fixed(b, "avg_price", ev->last_px, pp) &&
             lp_field_fixed(b, "slippage_bp", ev->arg, 3);
    else
        ok = ok && lp_field_fixed(b, "qty", ev->qty, qp) && lp_field_fixed(b, "limit_price", ev->price, pp);
    ok = ok && lp_field_int(b, "seq", (int64_t)seq) && lp_point_end(b, stamp(ip, ev, seq));
    return ok ? 1 : -1;
}

/* Kill switch, limits, trading state, resolutions, session resets. */
static int risk_point(influx_points *ip, lp_buf *b, const tf_order_event *ev, uint64_t seq)
{
    char strategy[12];
    snprintf(strategy, sizeof strategy, "%u", ev->strategy);
    bool ok = lp_measurement(b, "risk_events") && lp_tag(b, "instance", ip->instance) &&
              lp_tag(b, "event", tf_event_kind_names[ev->kind]) &&
              lp_tag(b, "strategy", strategy) && lp_field_int(b, "arg", ev->arg) &&
              lp_field_int(b, "reason_code", ev->reason) &&
              lp_field_str(b, "reason", ev->kind == TF_EV_KILL ? (ev->reason < TF_KILL_TRIGGER_COUNT
                                                                      ? tf_kill_trigger_names[ev->reason] : "?")
                                        : ev->kind == TF_EV_LIMIT_SET ? reason_text(ev) : "") &&
              lp_field_int(b, "instrument", ev->instrument) && lp_field_int(b, "seq", (int64_t)seq) &&
              lp_point_end(b, stamp(ip, ev, seq));
    return ok ? 1 : -1;
}

int influx_points_order(influx_points *ip, lp_buf *b, const tf_journal_slot *rec, const tf_md_instrument_info *in)
{
    if (rec->length < sizeof(tf_order_event))
        return 0;
    tf_order_event ev;
    memcpy(&ev, rec->payload, sizeof ev);
    if (ev.kind == 0 || ev.kind >= TF_EV_KIND_COUNT)
        return 0;
    bool parent = ev.kind >= TF_EV_PARENT_ACCEPTED && ev.kind <= TF_EV_PARENT_STATE;
    bool per_instrument = ev.kind <= TF_EV_EXPIRED || ev.kind == TF_EV_OUT_OF_BAND_FILL ||
                          ev.kind == TF_EV_RESOLVED || ev.kind == TF_EV_POSITION || parent;
    if (!per_instrument)
        return ev.kind == TF_EV_ILLEGAL ? 0 : risk_point(ip, b, &ev, rec->seq);
    if (!in) {
        ip->unknown_instrument++;
        return 0;
    }
    size_t start = b->len;
    int n;
    if (parent) {
        n = parent_point(ip, b, &ev, in, rec->seq);
    } else if (ev.kind == TF_EV_POSITION) {
        n = position_point(ip, b, &ev, in, rec->seq);
    } else if (ev.kind == TF_EV_OUT_OF_BAND_FILL) {
        n = fill_point(ip, b, &ev, in, rec->seq);
    } else {
        n = order_point(ip, b, &ev, in, rec->seq);
        if (n > 0 && ev.kind == TF_EV_FILL) {
            int f = fill_point(ip, b, &ev, in, rec->seq);
            n = f < 0 ? -1 : n + f;
        }
    }
    if (n < 0)
        b->len = start;
    return n;
}

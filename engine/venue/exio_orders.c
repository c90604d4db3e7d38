/* The exchange I/O stage's order traffic: venue commands to FIX requests
 * (D, F, G, Binance's XCN) on the right session within its message budget,
 * and the venue's answers (8, 9, 3, j) back to tf_exec_report (see exio.h
 * for the rules; the order table is exio_table.c, reconciliation
 * exio_reconcile.c). Calls down into exio_reconcile.c, exio_table.c and
 * exio_out.c; called by exio.c only (see exio_internal.h), from the
 * stage's thread only. */
#include <stdlib.h>
#include <string.h>

#include "engine/venue/exio_orders.h"
#include "engine/venue/exio_out.h"
#include "engine/venue/exio_reconcile.h"
#include "engine/venue/exio_table.h"
#include "shm/err.h"

#define TF__TAG_XCN_MODE 25033u          /* OrderCancelRequestAndNewOrderSingleMode */
#define TF__TAG_CANCEL_CL_ORD_ID 25034u  /* CancelClOrdID */
#define TF__HOLD 1

static const tf_exio_session *session_any(const tf_exio *x, bool ready)
{
    for (uint32_t i = 0; i < x->session_count; i++)
        if (ready ? tf__exio_ready(&x->sessions[i]) : x->sessions[i].fix.state == TF_FIX_ACTIVE)
            return &x->sessions[i];
    return NULL;
}

/* The session for a new order: the next ready one in turn, or the
 * instrument's own (by_instrument) when it is ready. */
static tf_exio_session *session_for_new(tf_exio *x, uint32_t instrument)
{
    uint32_t n = x->session_count;
    uint32_t start = x->cfg->exchange.spread == TF_SPREAD_BY_INSTRUMENT ? instrument % n : x->rr;
    for (uint32_t k = 0; k < n; k++) {
        tf_exio_session *s = &x->sessions[(start + k) % n];
        if (tf__exio_ready(s)) {
            x->rr = (s->index + 1) % n;
            return s;
        }
    }
    return NULL;
}

static tf_exio_session *session_for_order(tf_exio *x, const tf_exio_order *o)
{
    if (o->session < x->session_count && tf__exio_ready(&x->sessions[o->session]))
        return &x->sessions[o->session];
    return (tf_exio_session *)session_any(x, true);
}


/* A native iceberg's MaxFloor (111): what the venue shows of the open
 * quantity at a time; left out when that is all of it. Every request that
 * restates the order says it again (a replace without it would show all). */
static void put_max_floor(tf_fix_writer *w, const tf_exio_order *o, int64_t open, const tf_instrument *in)
{
    if (o->display > 0 && o->display < open)
        tf_fix_put_decimal(w, TF_FIX_TAG_MAX_FLOOR, o->display, in->qty_precision);
}

static bool send_new(tf_exio *x, tf_exio_session *s, tf_exio_order *o)
{
    const tf_instrument *in = &x->instruments->items[o->instrument];
    tf_fix_writer *w = tf_fix_session_begin(&s->fix, "D");
    if (!w)
        return false;
    tf__exio_put_clordid(w, TF_FIX_TAG_CL_ORD_ID, o->order_id, 0);
    tf__exio_put_instrument(x, w, o->instrument);
    tf_fix_put_char(w, TF_FIX_TAG_SIDE, tf__exio_side_char(o->side));
    tf_fix_put_time(w, TF_FIX_TAG_TRANSACT_TIME, x->wall);
    tf_fix_put_decimal(w, TF_FIX_TAG_ORDER_QTY, o->qty, in->qty_precision);
    tf_fix_put_char(w, TF_FIX_TAG_ORD_TYPE, o->type == TF_MARKET ? '1' : '2');
    if (o->type != TF_MARKET)
        tf_fix_put_decimal(w, TF_FIX_TAG_PRICE, o->price, in->price_precision);
    /* A market order lives only now: IOC (or FOK), never GTC. */
    tf_fix_put_char(w, TF_FIX_TAG_TIME_IN_FORCE, o->type == TF_MARKET && o->tif == TF_GTC ? '3' : tf__exio_tif_char(o->tif));
    put_max_floor(w, o, o->qty - o->cum, in);
    return tf_fix_session_send(&s->fix) != 0;
}

/* Cancel (35=F) or replace (35=G) request `req` for o. */
static bool send_change(tf_exio *x, tf_exio_session *s, tf_exio_order *o, uint64_t req, bool cancel)
{
    const tf_instrument *in = &x->instruments->items[o->instrument];
    tf_fix_writer *w = tf_fix_session_begin(&s->fix, cancel ? "F" : "G");
    if (!w)
        return false;
    tf__exio_put_clordid(w, TF_FIX_TAG_ORIG_CL_ORD_ID, o->order_id, o->cur_req);
    tf__exio_put_clordid(w, TF_FIX_TAG_CL_ORD_ID, o->order_id, req);
    tf__exio_put_instrument(x, w, o->instrument);
    tf_fix_put_char(w, TF_FIX_TAG_SIDE, tf__exio_side_char(o->side));
    tf_fix_put_time(w, TF_FIX_TAG_TRANSACT_TIME, x->wall);
    tf_fix_put_decimal(w, TF_FIX_TAG_ORDER_QTY, cancel ? o->qty : o->pend_qty, in->qty_precision);
    if (!cancel) {
        tf_fix_put_char(w, TF_FIX_TAG_ORD_TYPE, '2');
        tf_fix_put_decimal(w, TF_FIX_TAG_PRICE, o->pend_price, in->price_precision);
        tf_fix_put_char(w, TF_FIX_TAG_TIME_IN_FORCE, tf__exio_tif_char(o->tif));
        put_max_floor(w, o, o->pend_qty - o->cum, in);
    }
    return tf_fix_session_send(&s->fix) != 0;
}

/* Binance's replace: cancel the live venue order and place a new one in
 * one request (OrderCancelRequestAndNewOrderSingle, STOP_ON_FAILURE: no
 * new order if the cancel fails). The new order has ClOrdID <id>.<req>,
 * the cancel <id>.<req+1>; it asks for what the old one had not filled. */
static bool send_cancel_new(tf_exio *x, tf_exio_session *s, tf_exio_order *o, uint64_t req)
{
    const tf_instrument *in = &x->instruments->items[o->instrument];
    tf_fix_writer *w = tf_fix_session_begin(&s->fix, "XCN");
    if (!w)
        return false;
    o->leg_qty = o->pend_qty - o->cum;
    tf_fix_put_char(w, TF__TAG_XCN_MODE, '1');
    tf__exio_put_clordid(w, TF_FIX_TAG_ORIG_CL_ORD_ID, o->order_id, o->cur_req);
    tf__exio_put_clordid(w, TF__TAG_CANCEL_CL_ORD_ID, o->order_id, req + 1);
    tf__exio_put_clordid(w, TF_FIX_TAG_CL_ORD_ID, o->order_id, req);
    tf__exio_put_instrument(x, w, o->instrument);
    tf_fix_put_char(w, TF_FIX_TAG_SIDE, tf__exio_side_char(o->side));
    tf_fix_put_time(w, TF_FIX_TAG_TRANSACT_TIME, x->wall);
    tf_fix_put_decimal(w, TF_FIX_TAG_ORDER_QTY, o->leg_qty, in->qty_precision);
    tf_fix_put_char(w, TF_FIX_TAG_ORD_TYPE, '2');
    tf_fix_put_decimal(w, TF_FIX_TAG_PRICE, o->pend_price, in->price_precision);
    tf_fix_put_char(w, TF_FIX_TAG_TIME_IN_FORCE, tf__exio_tif_char(o->tif));
    put_max_floor(w, o, o->leg_qty, in);
    return tf_fix_session_send(&s->fix) != 0;
}


/* Is there a session that will be ready soon (logged on, reconciling)? */
static bool ready_soon(const tf_exio *x) { return session_any(x, false) != NULL; }

static int on_new(tf_exio *x, const tf_venue_cmd *c)
{
    tf_exio_session *s = session_for_new(x, c->instrument);
    tf_exec_report r = {.kind = TF_EX_REJECT, .instrument = c->instrument, .order_id = c->order_id,
                        .venue_realtime_ns = x->wall};
    if (!s) {
        if (ready_soon(x))
            return TF__HOLD;
        r.reason = TF_RJ_VENUE_UNAVAILABLE; /* no session logged on: refuse now rather than trade stale */
        tf__exio_report(x, &r);
        return 0;
    }
    if (c->instrument >= x->instruments->count) {
        r.reason = TF_RJ_UNKNOWN_INSTRUMENT;
        tf__exio_report(x, &r);
        return 0;
    }
    /* An iceberg the venue was not said to take is refused: sent plain it
     * would show all of itself. */
    if (c->display_qty < 0 || (c->display_qty && (x->cfg->exchange.iceberg == TF_ICEBERG_NONE ||
                                                   c->type == TF_MARKET || c->display_qty >= c->qty))) {
        r.reason = TF_RJ_BAD_REQUEST;
        tf__exio_report(x, &r);
        return 0;
    }
    if (!tf__exio_take_token(x, s))
        return TF__HOLD;
    tf_exio_order *o = tf__exio_order_add(x, c->order_id);
    if (!o) {
        r.reason = TF_RJ_TABLE_FULL;
        tf__exio_report(x, &r);
        return 0;
    }
    tf__exio_order_terms(o, c->instrument, c->side, c->type, c->tif, c->price, c->qty);
    o->display = c->display_qty;
    o->session = (uint8_t)s->index;
    o->sent_mono = x->mono;
    if (!send_new(x, s, o)) {
        tf__exio_order_release(x, o);
        r.reason = TF_RJ_VENUE_UNAVAILABLE;
        tf__exio_report(x, &r);
        return 0;
    }
    tf_counter_inc(x->c_orders_out, 1);
    return 0;
}

static int on_change(tf_exio *x, const tf_venue_cmd *c)
{
    bool cancel = c->kind == TF_VC_CANCEL;
    tf_exio_order *o = tf__exio_order_get(x, c->order_id);
    tf_exec_report r = {.kind = TF_EX_CANCEL_REJECT, .instrument = c->instrument, .order_id = c->order_id,
                        .venue_realtime_ns = x->wall};
    if (!o || (o->flags & (TF_EXO_CANCEL_PENDING | TF_EXO_REPLACE_PENDING | TF_EXO_UNTRACEABLE))) {
        /* An untraceable order has no ClOrdID the venue would know it by. */
        r.reason = o && !(o->flags & TF_EXO_UNTRACEABLE) ? TF_RJ_ORDER_NOT_OPEN : TF_RJ_UNKNOWN_ORDER;
        tf__exio_report(x, &r);
        return 0;
    }
    tf_exio_session *s = session_for_order(x, o);
    if (!s) {
        if (ready_soon(x))
            return TF__HOLD;
        r.reason = TF_RJ_VENUE_UNAVAILABLE;
        tf__exio_report(x, &r);
        return 0;
    }
    if (!tf__exio_take_token(x, s))
        return TF__HOLD;
    uint64_t req = ++x->next_req;
    if (!cancel) {
        o->pend_price = c->price;
        o->pend_qty = c->qty;
    }
    bool xcn = !cancel && tf__exio_xcn_mode(x);
    if (xcn)
        x->next_req++; /* req + 1 names the cancel leg */
    if (xcn ? !send_cancel_new(x, s, o, req) : !send_change(x, s, o, req, cancel)) {
        r.reason = TF_RJ_VENUE_UNAVAILABLE;
        tf__exio_report(x, &r);
        return 0;
    }
    o->pend_req = req;
    o->flags |= cancel ? TF_EXO_CANCEL_PENDING : TF_EXO_REPLACE_PENDING;
    o->session = (uint8_t)s->index;
    o->sent_mono = x->mono;
    return 0;
}

/* The operator's: the OMS settled the order (tfctl resolve), or the
 * sequence numbers of a session (or all, -1) go back to 1 — exio.c acts on
 * reset_requested in its next cycle. */
static int on_control(tf_exio *x, const tf_venue_cmd *c)
{
    if (c->kind == TF_VC_FORGET) {
        tf_exio_order *o = tf__exio_order_get(x, c->order_id);
        if (o)
            tf__exio_order_release(x, o);
        return 0;
    }
    for (uint32_t i = 0; i < x->session_count; i++)
        if (c->qty < 0 || (uint64_t)c->qty == i)
            x->sessions[i].reset_requested = true;
    return 0;
}

static int on_command(tf_exio *x, const tf_venue_cmd *c)
{
    switch (c->kind) {
    case TF_VC_NEW: return on_new(x, c);
    case TF_VC_CANCEL:
    case TF_VC_REPLACE: return on_change(x, c);
    default: return on_control(x, c);
    }
}

int tf__exio_take_commands(tf_exio *x)
{
    int n = 0;
    while (n < 64 && tf__exio_outbox_room(x)) {
        tf_venue_cmd c;
        if (x->holding)
            c = x->held;
        else if (!x->in || !tf_spsc_poll(x->in, &c, sizeof c))
            break;
        uint64_t taken = tf_now_ns();
        int rc = on_command(x, &c);
        if (rc == TF__HOLD) {
            x->held = c;
            x->holding = true;
            break;
        }
        if (c.kind == TF_VC_NEW || c.kind == TF_VC_CANCEL || c.kind == TF_VC_REPLACE)
            tf_exio_trace_encoded(&x->trace, &c, taken, tf_now_ns());
        x->holding = false;
        n++;
    }
    return n;
}

int tf_exio_command(tf_exio *x, const tf_venue_cmd *c)
{
    return on_command(x, c);
}

/* ---- reports from the venue ----------------------------------------------------- */

/* Commission (12) in money units (10^-8 of the quote currency), rounded
 * half away from zero when the venue sends more decimals; a malformed one
 * is counted and taken as 0. */
static int64_t commission(tf_exio *x, const tf_fix_msg *m)
{
    const char *v;
    size_t n;
    if (tf_fix_get_str(m, TF_FIX_TAG_COMMISSION, &v, &n) != 0)
        return 0;
    const char *dot = memchr(v, '.', n);
    size_t keep = dot && (size_t)(dot - v) + 1 + TF_MONEY_PRECISION < n ? (size_t)(dot - v) + 1 + TF_MONEY_PRECISION : n;
    int64_t fee;
    if (tf_fixed_parse(v, keep, TF_MONEY_PRECISION, &fee) != TF_FIXED_OK) {
        tf_counter_inc(x->c_illegal, 1);
        tf__exio_error(x, TF_E_FIX_BAD_REPORT, 0, "commission");
        return 0;
    }
    if (keep < n && v[keep] >= '5' && v[keep] <= '9')
        fee += fee < 0 || v[0] == '-' ? -1 : 1;
    return fee;
}

static void on_fill(tf_exio *x, tf_exio_order *o, const tf_fix_msg *m)
{
    const tf_instrument *in = &x->instruments->items[o->instrument];
    int64_t last_px, last_qty, cum, fee = 0;
    int64_t venue_cum;
    if (tf_fix_get_decimal(m, TF_FIX_TAG_LAST_PX, in->price_precision, &last_px) != 0 ||
        tf_fix_get_decimal(m, TF_FIX_TAG_LAST_QTY, in->qty_precision, &last_qty) != 0 ||
        tf_fix_get_decimal(m, TF_FIX_TAG_CUM_QTY, in->qty_precision, &venue_cum) != 0 || last_qty <= 0) {
        tf_counter_inc(x->c_illegal, 1);
        tf__exio_error(x, TF_E_FIX_BAD_REPORT, o->order_id, "fill_fields");
        return;
    }
    cum = o->cum_base + venue_cum;
    if (cum <= o->cum) { /* seen before (a resend, or a status answer got there first) */
        tf_counter_inc(x->c_dup_fills, 1);
        return;
    }
    tf__exio_ack_once(x, o);
    tf__exio_recover_fills(x, o, m, venue_cum, last_qty, last_px);
    fee = commission(x, m);
    char liq = 0;
    tf_fix_get_char(m, TF_FIX_TAG_LAST_LIQUIDITY_IND, &liq);
    tf__exio_report_fill(x, o, last_px, cum - o->cum, fee, liq == '1' ? 1 : liq == '2' ? 2 : 0);
}

/* The legs of a cancel-then-new replace: the old venue order's cancel is
 * not news for the OMS; the new one's New is the replace; the new one
 * refused after the cancel leaves the order canceled. True: handled. */
static bool on_xcn_leg(tf_exio *x, tf_exio_order *o, const tf_fix_msg *m, char et, uint64_t req)
{
    (void)m;
    if (et == '4' && req == o->pend_req + 1) { /* its own cancel leg: news only with the new order's answer */
        o->flags |= TF_EXO_XCN_CANCELED;
        return true;
    }
    if (req != o->pend_req)
        return false;
    if (et == '0') {
        tf__exio_replaced(x, o, o->pend_price, o->cum + o->leg_qty, req, true);
        return true;
    }
    if (et == '8') {
        tf__exio_report_kind(x, o, TF_EX_CANCELED, 0); /* the old order is canceled, the new one refused */
        tf__exio_order_release(x, o);
        return true;
    }
    return false;
}

/* The venue's OrderID (37) as a number that is never 0 (0: absent). */
static uint64_t venue_order_of(const tf_fix_msg *m)
{
    const char *v;
    size_t n;
    if (tf_fix_get_str(m, TF_FIX_TAG_ORDER_ID, &v, &n) != 0 || n == 0)
        return 0;
    uint64_t h = 1469598103934665603ull;
    for (size_t k = 0; k < n; k++)
        h = (h ^ (uint8_t)v[k]) * 1099511628211ull;
    return h | 1;
}

/* A fill for an order finished here (id, its record `d`) or for no order
 * we know (d NULL). A repeat of what was counted is a duplicate; anything
 * beyond, or from another venue order under our ClOrdID (the venue placed
 * it again), the venue says we hold: out of band, to the OMS. */
static void late_fill(tf_exio *x, tf_exio_session *s, const tf_fix_msg *m, uint64_t id, tf_exio_done *d)
{
    const tf_instrument *in = NULL;
    char side = 0;
    if (d) {
        in = &x->instruments->items[d->instrument];
    } else {
        const char *sym;
        size_t n;
        if (tf_fix_get_str(m, TF_FIX_TAG_SYMBOL, &sym, &n) == 0)
            in = tf_instruments_find(x->instruments, sym, n);
        if (tf_fix_get_char(m, TF_FIX_TAG_SIDE, &side) != 0 || (side != '1' && side != '2'))
            in = NULL;
    }
    int64_t last_px, last_qty, venue_cum;
    if (!in || tf_fix_get_decimal(m, TF_FIX_TAG_LAST_PX, in->price_precision, &last_px) != 0 ||
        tf_fix_get_decimal(m, TF_FIX_TAG_LAST_QTY, in->qty_precision, &last_qty) != 0 ||
        tf_fix_get_decimal(m, TF_FIX_TAG_CUM_QTY, in->qty_precision, &venue_cum) != 0 || last_qty <= 0 ||
        last_px <= 0) {
        tf_counter_inc(x->c_illegal, 1);
        tf__exio_error(x, TF_E_FIX_BAD_REPORT, s->index, "late_fill_fields");
        return;
    }
    int64_t qty = last_qty;
    uint64_t vo = venue_order_of(m);
    if (d && (!vo || !d->venue_order || vo == d->venue_order)) {
        int64_t cum = d->cum_base + venue_cum;
        if (cum <= d->cum) { /* a repeat of what was counted */
            tf_counter_inc(x->c_dup_fills, 1);
            tf_counter_inc(x->c_late, 1);
            return;
        }
        qty = cum - d->cum;
        d->cum = cum;
        if (vo)
            d->venue_order = vo;
    } else if (d) { /* another venue order under our ClOrdID: its fills count from 0 */
        d->venue_order = vo;
        d->cum += last_qty;
        d->cum_base = d->cum - venue_cum;
    }
    uint32_t instrument = d ? d->instrument : (uint32_t)(in - x->instruments->items);
    tf_exec_report r = {.kind = TF_EX_OUT_OF_BAND_FILL, .instrument = instrument, .order_id = id,
                        .last_px = last_px, .last_qty = qty, .fee = commission(x, m),
                        .side = d ? d->side : side == '2' ? TF_SELL : TF_BUY, .venue_realtime_ns = x->wall};
    tf_counter_inc(x->c_out_of_band, 1);
    tf__exio_report(x, &r);
}

static void on_execution_report(tf_exio *x, tf_exio_session *s, const tf_fix_msg *m)
{
    uint64_t req = 0, id = 0;
    tf_exio_order *o = tf__exio_order_of(x, m, TF_FIX_TAG_CL_ORD_ID, &req);
    char et = 0;
    const char *v;
    size_t n;
    if (!o) {
        bool ours = tf_fix_get_str(m, TF_FIX_TAG_CL_ORD_ID, &v, &n) == 0 &&
                    tf__exio_parse_clordid(v, n, &id, &req) == 0;
        if (tf_fix_get_char(m, TF_FIX_TAG_EXEC_TYPE, &et) == 0 && (et == 'F' || et == '1' || et == '2')) {
            late_fill(x, s, m, ours ? id : 0, ours ? tf__exio_done_find(x, id) : NULL);
            return;
        }
        if (ours) {
            /* One of ours, already finished here: a status answer or a
             * repeat that crossed the report that finished it. */
            tf_counter_inc(x->c_late, 1);
            return;
        }
    }
    if (!o || tf_fix_get_char(m, TF_FIX_TAG_EXEC_TYPE, &et) != 0) {
        tf_counter_inc(x->c_illegal, 1);
        tf__exio_error(x, TF_E_FIX_BAD_REPORT, s->index, o ? "no_exec_type" : "unknown_order");
        return;
    }
    if (o->sent_mono && et != 'I') {
        uint64_t rtt = x->mono - o->sent_mono;
        tf_store_64(s->g_rtt_ns, rtt);
        if (x->h_rtt)
            tf_hist_record(x->h_rtt, rtt);
        o->sent_mono = 0;
    }
    if (!o->venue_order)
        o->venue_order = venue_order_of(m);
    if ((o->flags & TF_EXO_REPLACE_PENDING) && tf__exio_xcn_mode(x) && o->pend_req && on_xcn_leg(x, o, m, et, req))
        return;
    switch (et) {
    case '0':
        if (req == 0)
            tf__exio_ack_once(x, o);
        return;
    case '8':
        tf_counter_inc(x->c_venue_rejects, 1);
        tf__exio_error(x, TF_E_FIX_REJECT, o->order_id, "order_rejected");
        if (!(o->flags & TF_EXO_ACKED)) {
            tf__exio_report_kind(x, o, TF_EX_REJECT, TF_RJ_VENUE);
            tf__exio_order_release(x, o);
        }
        return;
    case 'F':
        on_fill(x, o, m);
        if (o->cum >= o->qty)
            tf__exio_order_release(x, o);
        return;
    case '4':
    case 'C':
        tf__exio_ack_once(x, o);
        tf__exio_report_kind(x, o, et == '4' ? TF_EX_CANCELED : TF_EX_EXPIRED, 0);
        tf__exio_order_release(x, o);
        return;
    case '5': {
        const tf_instrument *in = &x->instruments->items[o->instrument];
        int64_t px = o->pend_price, qty = o->pend_qty;
        tf_fix_get_decimal(m, TF_FIX_TAG_PRICE, in->price_precision, &px);
        tf_fix_get_decimal(m, TF_FIX_TAG_ORDER_QTY, in->qty_precision, &qty);
        tf__exio_replaced(x, o, px, qty, req, false);
        return;
    }
    case 'I':
        tf__exio_on_status(x, s, o, m, req);
        return;
    default: /* pending new/cancel/replace, restated: nothing changes for the OMS */
        return;
    }
}

static void on_cancel_reject(tf_exio *x, tf_exio_session *s, const tf_fix_msg *m)
{
    uint64_t req = 0;
    tf_exio_order *o = tf__exio_order_of(x, m, TF_FIX_TAG_CL_ORD_ID, &req);
    if (!o) { /* the order finished (a fill) before the venue refused our cancel: normal */
        tf_counter_inc(x->c_late, 1);
        return;
    }
    if (!(req == o->pend_req || (tf__exio_xcn_mode(x) && req == o->pend_req + 1))) {
        tf_counter_inc(x->c_illegal, 1);
        tf__exio_error(x, TF_E_FIX_BAD_REPORT, s->index, "cancel_reject");
        return;
    }
    o->sent_mono = 0;
    tf__exio_clear_pending(o);
    uint64_t why = 99;
    tf_fix_get_u64(m, TF_FIX_TAG_CXL_REJ_REASON, &why);
    tf__exio_report_kind(x, o, TF_EX_CANCEL_REJECT,
                         why == 0 ? TF_RJ_ORDER_NOT_OPEN : why == 1 ? TF_RJ_UNKNOWN_ORDER : TF_RJ_VENUE);
    /* The venue does not know an order we think open: ask what became of it. */
    if (why == 1 && s->fix.state == TF_FIX_ACTIVE && !(o->flags & TF_EXO_UNTRACEABLE))
        tf__exio_query_status(x, s, o);
}

/* A request of ours refused by the session layer (35=3, by RefSeqNum) or
 * the application (35=j): the request's ClOrdID says which order. */
static void on_refused(tf_exio *x, tf_exio_session *s, const tf_fix_msg *m, bool business)
{
    uint64_t ref = 0, req = 0;
    const char *fields;
    size_t len;
    char type[4] = {0};
    tf_exio_order *o = NULL;
    const char *rt;
    size_t rtl;
    if (tf_fix_get_str(m, TF_FIX_TAG_REF_MSG_TYPE, &rt, &rtl) == 0 && rtl < sizeof type)
        memcpy(type, rt, rtl);
    if (business)
        o = tf__exio_order_of(x, m, TF_FIX_TAG_BUSINESS_REJECT_REF_ID, &req);
    if (!o && tf_fix_get_u64(m, TF_FIX_TAG_REF_SEQ_NUM, &ref) == 0 &&
        tf_fix_session_sent(&s->fix, ref, &fields, &len, type) == 0) {
        /* the stored request starts with its own fields: find 11= */
        for (size_t i = 0; i + 3 < len; i++) {
            if ((i == 0 || fields[i - 1] == TF_FIX_SOH) && fields[i] == '1' && fields[i + 1] == '1' &&
                fields[i + 2] == '=') {
                size_t e = i + 3;
                while (e < len && fields[e] != TF_FIX_SOH)
                    e++;
                uint64_t id;
                if (tf__exio_parse_clordid(fields + i + 3, e - i - 3, &id, &req) == 0)
                    o = tf__exio_order_get(x, id);
                break;
            }
        }
    }
    if (!o)
        return; /* not about an order (or one already done): the session counted it */
    tf_counter_inc(x->c_venue_rejects, 1);
    tf__exio_error(x, TF_E_FIX_REJECT, o->order_id, business ? "business_reject" : "session_reject");
    o->sent_mono = 0;
    bool status_request = type[0] == 'H' && type[1] == 0;
    if (!status_request && req == 0 && !(o->flags & TF_EXO_ACKED)) { /* the NewOrderSingle itself */
        tf__exio_report_kind(x, o, TF_EX_REJECT, TF_RJ_VENUE);
        tf__exio_order_release(x, o);
    } else if (!status_request && req && (req == o->pend_req || (tf__exio_xcn_mode(x) && req == o->pend_req + 1))) {
        tf__exio_clear_pending(o);
        tf__exio_report_kind(x, o, TF_EX_CANCEL_REJECT, TF_RJ_VENUE);
    } else if (status_request && (o->flags & TF_EXO_RECONCILING)) { /* our status request was refused */
        tf__exio_status_answered(s, o);
    }
}

int tf__exio_on_message(tf_exio *x, tf_exio_session *s, const tf_fix_msg *m)
{
    const char *t = m->msg_type;
    if (t[0] == '8' && !t[1])
        on_execution_report(x, s, m);
    else if (t[0] == '9' && !t[1])
        on_cancel_reject(x, s, m);
    else if (t[0] == '3' && !t[1])
        on_refused(x, s, m, false);
    else if (t[0] == 'j' && !t[1])
        on_refused(x, s, m, true);
    else if (t[0] == 'B' && !t[1])
        return 0; /* News (e.g. a venue's maintenance notice): nothing to do here */
    else
        return 3; /* unsupported message type */
    return 0;
}

/* ---- reconciliation --------------------------------------------------------------- */

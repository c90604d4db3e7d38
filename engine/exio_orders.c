/* The exchange I/O stage's order side: venue commands to FIX requests,
 * execution reports (and rejects) back to tf_exec_report, and the
 * reconciliation after every Logon (see exio.h for the rules). Called from
 * the stage's thread only. */
#include <stdlib.h>
#include <string.h>

#include "engine/exio_internal.h"
#include "shm/err.h"

#define TF__NO_SESSION 0xffu
#define TF__TAG_XCN_MODE 25033u          /* OrderCancelRequestAndNewOrderSingleMode */
#define TF__TAG_CANCEL_CL_ORD_ID 25034u  /* CancelClOrdID */
#define TF__HOLD 1

/* ---- the order table -------------------------------------------------------- */

int tf__exio_orders_init(tf_exio *x)
{
    x->capacity = x->cfg->orders.capacity;
    x->orders = calloc(x->capacity, sizeof *x->orders);
    x->free_slots = calloc(x->capacity, sizeof *x->free_slots);
    x->ids.keys = calloc((size_t)x->capacity * 2, sizeof *x->ids.keys);
    x->ids.values = calloc((size_t)x->capacity * 2, sizeof *x->ids.values);
    if (!x->orders || !x->free_slots || !x->ids.keys || !x->ids.values)
        return TF_ERR("exio: out of memory for %u orders", x->capacity);
    x->ids.mask = x->capacity * 2 - 1;
    for (uint32_t k = 0; k < x->capacity; k++)
        x->free_slots[k] = x->capacity - 1 - k;
    x->free_count = x->capacity;
    return 0;
}

void tf__exio_orders_free(tf_exio *x)
{
    free(x->orders);
    free(x->free_slots);
    free(x->ids.keys);
    free(x->ids.values);
    x->orders = NULL;
    x->free_slots = NULL;
    x->ids.keys = NULL;
    x->ids.values = NULL;
}

static tf_exio_order *order_get(tf_exio *x, uint64_t id)
{
    uint32_t k;
    return id && tf_id_map_get(&x->ids, id, &k) ? &x->orders[k] : NULL;
}

static tf_exio_order *order_add(tf_exio *x, uint64_t id)
{
    if (x->free_count == 0 || order_get(x, id))
        return NULL;
    uint32_t k = x->free_slots[--x->free_count];
    if (!tf_id_map_put(&x->ids, id, k)) {
        x->free_count++;
        return NULL;
    }
    tf_exio_order *o = &x->orders[k];
    memset(o, 0, sizeof *o);
    o->order_id = id;
    o->used = 1;
    o->session = TF__NO_SESSION;
    return o;
}

static void order_release(tf_exio *x, tf_exio_order *o)
{
    if (o->flags & TF_EXO_UNKNOWN)
        (*x->g_unknown)--;
    /* Status requests still out for it will be answered late: the session
     * must not wait for them before trading again. */
    if (o->status_out && o->session < x->session_count) {
        uint32_t *p = &x->sessions[o->session].reconcile_pending;
        *p = *p > o->status_out ? *p - o->status_out : 0;
    }
    tf_id_map_del(&x->ids, o->order_id);
    o->used = 0;
    x->free_slots[x->free_count++] = (uint32_t)(o - x->orders);
}

/* ---- ClOrdIDs: "<order id>" or "<order id>.<request>" ----------------------- */

static size_t put_digits(char *p, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

static void put_clordid(tf_fix_writer *w, uint32_t tag, uint64_t id, uint64_t req)
{
    char buf[48];
    size_t n = put_digits(buf, id);
    if (req) {
        buf[n++] = '.';
        n += put_digits(buf + n, req);
    }
    tf_fix_put_str(w, tag, buf, n);
}

static int parse_clordid(const char *v, size_t n, uint64_t *id, uint64_t *req)
{
    uint64_t a = 0, b = 0;
    size_t i = 0;
    for (; i < n && v[i] >= '0' && v[i] <= '9' && i < 19; i++)
        a = a * 10 + (uint64_t)(v[i] - '0');
    if (i == 0)
        return -1;
    if (i < n) {
        if (v[i] != '.' || i + 1 == n)
            return -1;
        size_t j = i + 1;
        for (; j < n && v[j] >= '0' && v[j] <= '9' && j - i - 1 < 19; j++)
            b = b * 10 + (uint64_t)(v[j] - '0');
        if (j != n)
            return -1;
    }
    *id = a;
    *req = b;
    return 0;
}

static tf_exio_order *order_of(tf_exio *x, const tf_fix_msg *m, uint32_t tag, uint64_t *req)
{
    const char *v;
    size_t n;
    uint64_t id;
    if (tf_fix_get_str(m, tag, &v, &n) != 0 || parse_clordid(v, n, &id, req) != 0)
        return NULL;
    return order_get(x, id);
}

/* ---- reports to the OMS ----------------------------------------------------- */

static void report(tf_exio *x, const tf_exio_order *o, uint8_t kind, uint16_t reason)
{
    tf_exec_report r = {.kind = kind, .reason = reason, .instrument = o->instrument, .order_id = o->order_id,
                        .venue_realtime_ns = x->wall};
    tf__exio_report(x, &r);
}

static void report_fill(tf_exio *x, tf_exio_order *o, int64_t px, int64_t qty, int64_t fee, uint8_t liquidity)
{
    tf_exec_report r = {.kind = TF_EX_FILL, .liquidity = liquidity, .instrument = o->instrument,
                        .order_id = o->order_id, .last_px = px, .last_qty = qty, .fee = fee,
                        .venue_realtime_ns = x->wall};
    o->cum += qty;
    o->cost += (__int128)px * qty;
    tf__exio_report(x, &r);
}

static void ack_once(tf_exio *x, tf_exio_order *o)
{
    if (!(o->flags & TF_EXO_ACKED)) {
        o->flags |= TF_EXO_ACKED;
        report(x, o, TF_EX_ACK, 0);
    }
}

static void clear_pending(tf_exio_order *o)
{
    o->flags &= (uint8_t)~(TF_EXO_CANCEL_PENDING | TF_EXO_REPLACE_PENDING | TF_EXO_XCN_CANCELED);
    o->pend_req = 0;
    o->xcn_new_absent = false;
}

/* The replace happened: new terms, the live ClOrdID `req`. A cancel-then-
 * new's new venue order counts its CumQty from zero (new_venue_order). */
static void replaced(tf_exio *x, tf_exio_order *o, int64_t px, int64_t qty, uint64_t req, bool new_venue_order)
{
    tf_exec_report r = {.kind = TF_EX_REPLACED, .instrument = o->instrument, .order_id = o->order_id,
                        .price = px, .qty = qty, .venue_realtime_ns = x->wall};
    o->price = px;
    o->qty = qty;
    if (new_venue_order) {
        o->cum_base = o->cum;
        o->cost_base = o->cost;
    }
    o->cur_req = req;
    clear_pending(o);
    tf__exio_report(x, &r);
}

/* Fills the venue counts (CumQty) beyond ours that we never saw: one fill
 * for the difference, priced so that the order's average matches the
 * venue's AvgPx (read at 10^-8, rounded to the price unit). `also_qty` at
 * `also_px` is a fill in the same report that is not missing. */
static void recover_fills(tf_exio *x, tf_exio_order *o, const tf_fix_msg *m, int64_t venue_cum, int64_t also_qty,
                          int64_t also_px)
{
    int64_t missing = o->cum_base + venue_cum - also_qty - o->cum;
    if (missing <= 0)
        return;
    const tf_instrument *in = &x->instruments->items[o->instrument];
    int64_t avg8 = 0;
    int64_t px = o->price;
    if (tf_fix_get_fixed(m, TF_FIX_TAG_AVG_PX, &avg8) == 0 && avg8 > 0 && in->price_precision <= 8) {
        __int128 up = tf_pow10[8 - in->price_precision];
        __int128 seen = o->cost - o->cost_base + (__int128)also_px * also_qty; /* this venue order's, in price units */
        __int128 px8 = ((__int128)avg8 * venue_cum - seen * up + missing / 2) / missing;
        int64_t derived = (int64_t)((px8 + up / 2) / up);
        /* AvgPx rounded to few decimals makes a small remainder's price
         * unreliable: within half the order's price either way, or the
         * order's own price. */
        if (derived > o->price / 2 && derived < o->price + o->price / 2)
            px = derived;
    }
    (*x->c_recovered_fills)++;
    report_fill(x, o, px, missing, 0, 0);
}

/* ---- commands to the venue ---------------------------------------------------- */

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

static char side_char(uint8_t side) { return side == TF_SELL ? '2' : '1'; }
static char tif_char(uint8_t tif) { return tif == TF_IOC ? '3' : tif == TF_FOK ? '4' : '1'; }

static void put_instrument(tf_exio *x, tf_fix_writer *w, uint32_t instrument)
{
    const tf_instrument *in = &x->instruments->items[instrument];
    tf_fix_put_str(w, TF_FIX_TAG_SYMBOL, in->symbol, in->symbol_len);
}

static bool send_new(tf_exio *x, tf_exio_session *s, tf_exio_order *o)
{
    const tf_instrument *in = &x->instruments->items[o->instrument];
    tf_fix_writer *w = tf_fix_session_begin(&s->fix, "D");
    if (!w)
        return false;
    put_clordid(w, TF_FIX_TAG_CL_ORD_ID, o->order_id, 0);
    put_instrument(x, w, o->instrument);
    tf_fix_put_char(w, TF_FIX_TAG_SIDE, side_char(o->side));
    tf_fix_put_time(w, TF_FIX_TAG_TRANSACT_TIME, x->wall);
    tf_fix_put_decimal(w, TF_FIX_TAG_ORDER_QTY, o->qty, in->qty_precision);
    tf_fix_put_char(w, TF_FIX_TAG_ORD_TYPE, o->type == TF_MARKET ? '1' : '2');
    if (o->type != TF_MARKET)
        tf_fix_put_decimal(w, TF_FIX_TAG_PRICE, o->price, in->price_precision);
    /* A market order lives only now: IOC (or FOK), never GTC. */
    tf_fix_put_char(w, TF_FIX_TAG_TIME_IN_FORCE, o->type == TF_MARKET && o->tif == TF_GTC ? '3' : tif_char(o->tif));
    return tf_fix_session_send(&s->fix) != 0;
}

/* Cancel (35=F) or replace (35=G) request `req` for o. */
static bool send_change(tf_exio *x, tf_exio_session *s, tf_exio_order *o, uint64_t req, bool cancel)
{
    const tf_instrument *in = &x->instruments->items[o->instrument];
    tf_fix_writer *w = tf_fix_session_begin(&s->fix, cancel ? "F" : "G");
    if (!w)
        return false;
    put_clordid(w, TF_FIX_TAG_ORIG_CL_ORD_ID, o->order_id, o->cur_req);
    put_clordid(w, TF_FIX_TAG_CL_ORD_ID, o->order_id, req);
    put_instrument(x, w, o->instrument);
    tf_fix_put_char(w, TF_FIX_TAG_SIDE, side_char(o->side));
    tf_fix_put_time(w, TF_FIX_TAG_TRANSACT_TIME, x->wall);
    tf_fix_put_decimal(w, TF_FIX_TAG_ORDER_QTY, cancel ? o->qty : o->pend_qty, in->qty_precision);
    if (!cancel) {
        tf_fix_put_char(w, TF_FIX_TAG_ORD_TYPE, '2');
        tf_fix_put_decimal(w, TF_FIX_TAG_PRICE, o->pend_price, in->price_precision);
        tf_fix_put_char(w, TF_FIX_TAG_TIME_IN_FORCE, tif_char(o->tif));
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
    put_clordid(w, TF_FIX_TAG_ORIG_CL_ORD_ID, o->order_id, o->cur_req);
    put_clordid(w, TF__TAG_CANCEL_CL_ORD_ID, o->order_id, req + 1);
    put_clordid(w, TF_FIX_TAG_CL_ORD_ID, o->order_id, req);
    put_instrument(x, w, o->instrument);
    tf_fix_put_char(w, TF_FIX_TAG_SIDE, side_char(o->side));
    tf_fix_put_time(w, TF_FIX_TAG_TRANSACT_TIME, x->wall);
    tf_fix_put_decimal(w, TF_FIX_TAG_ORDER_QTY, o->leg_qty, in->qty_precision);
    tf_fix_put_char(w, TF_FIX_TAG_ORD_TYPE, '2');
    tf_fix_put_decimal(w, TF_FIX_TAG_PRICE, o->pend_price, in->price_precision);
    tf_fix_put_char(w, TF_FIX_TAG_TIME_IN_FORCE, tif_char(o->tif));
    return tf_fix_session_send(&s->fix) != 0;
}

static bool xcn_mode(const tf_exio *x) { return x->cfg->exchange.replace == TF_REPLACE_CANCEL_NEW; }

static void send_status_request(tf_exio *x, tf_exio_session *s, tf_exio_order *o);

/* One order's fate in question (a cancel refused as unknown): ask, with
 * the same deadline as a reconciliation. */
static void query_status(tf_exio *x, tf_exio_session *s, tf_exio_order *o)
{
    bool idle = s->reconcile_pending == 0;
    send_status_request(x, s, o);
    if (idle && s->reconcile_pending)
        s->reconcile_deadline = x->mono + x->cfg->exchange.reconcile_timeout_ns;
}

static void send_status_for(tf_exio *x, tf_exio_session *s, tf_exio_order *o, uint64_t req)
{
    tf_fix_writer *w = tf_fix_session_begin(&s->fix, "H");
    if (!w)
        return;
    put_clordid(w, TF_FIX_TAG_CL_ORD_ID, o->order_id, req);
    put_instrument(x, w, o->instrument);
    tf_fix_put_char(w, TF_FIX_TAG_SIDE, side_char(o->side));
    tf_fix_put_u64(w, TF_FIX_TAG_ORD_STATUS_REQ_ID, ++x->status_req_id);
    if (tf_fix_session_send(&s->fix) != 0) {
        o->flags |= TF_EXO_RECONCILING;
        o->status_out++;
        s->reconcile_pending++;
        s->tokens -= 1.0; /* counts against the venue's budget; may go below zero */
    }
}

/* The order's live ClOrdID; with a cancel-then-new in flight also the new
 * order's, whose fate the old one's status cannot tell. */
static void send_status_request(tf_exio *x, tf_exio_session *s, tf_exio_order *o)
{
    send_status_for(x, s, o, o->cur_req);
    if (xcn_mode(x) && (o->flags & TF_EXO_REPLACE_PENDING) && o->pend_req)
        send_status_for(x, s, o, o->pend_req);
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
    if (!tf__exio_take_token(x, s))
        return TF__HOLD;
    tf_exio_order *o = order_add(x, c->order_id);
    if (!o) {
        r.reason = TF_RJ_TABLE_FULL;
        tf__exio_report(x, &r);
        return 0;
    }
    o->instrument = c->instrument;
    o->side = c->side;
    o->type = c->type;
    o->tif = c->tif;
    o->price = c->price;
    o->qty = c->qty;
    o->session = (uint8_t)s->index;
    o->sent_mono = x->mono;
    if (!send_new(x, s, o)) {
        order_release(x, o);
        r.reason = TF_RJ_VENUE_UNAVAILABLE;
        tf__exio_report(x, &r);
        return 0;
    }
    (*x->c_orders_out)++;
    return 0;
}

static int on_change(tf_exio *x, const tf_venue_cmd *c)
{
    bool cancel = c->kind == TF_VC_CANCEL;
    tf_exio_order *o = order_get(x, c->order_id);
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
    bool xcn = !cancel && xcn_mode(x);
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

int tf__exio_take_commands(tf_exio *x)
{
    int n = 0;
    while (n < 64 && TF_EXIO_OUTBOX - (x->out_tail - x->out_head) >= TF__EXIO_ROOM) {
        tf_venue_cmd c;
        if (x->holding)
            c = x->held;
        else if (!x->in || !tf_spsc_poll(x->in, &c, sizeof c))
            break;
        int rc = c.kind == TF_VC_NEW ? on_new(x, &c) : on_change(x, &c);
        if (rc == TF__HOLD) {
            x->held = c;
            x->holding = true;
            break;
        }
        x->holding = false;
        n++;
    }
    return n;
}

int tf_exio_command(tf_exio *x, const tf_venue_cmd *c)
{
    return c->kind == TF_VC_NEW ? on_new(x, c) : on_change(x, c);
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
        (*x->c_illegal)++;
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
        (*x->c_illegal)++;
        tf__exio_error(x, TF_E_FIX_BAD_REPORT, o->order_id, "fill_fields");
        return;
    }
    cum = o->cum_base + venue_cum;
    if (cum <= o->cum) { /* seen before (a resend, or a status answer got there first) */
        (*x->c_dup_fills)++;
        return;
    }
    ack_once(x, o);
    recover_fills(x, o, m, venue_cum, last_qty, last_px);
    fee = commission(x, m);
    char liq = 0;
    tf_fix_get_char(m, TF_FIX_TAG_LAST_LIQUIDITY_IND, &liq);
    report_fill(x, o, last_px, cum - o->cum, fee, liq == '1' ? 1 : liq == '2' ? 2 : 0);
}

/* A status answer (ExecType I): what the venue says the order is now. */
/* A status answer while a cancel-then-new is in flight: the old venue
 * order (cur_req) and the new one (pend_req) answer separately. True:
 * handled here. */
static bool on_xcn_status(tf_exio *x, tf_exio_order *o, const tf_fix_msg *m, uint64_t req, char st)
{
    if (!xcn_mode(x))
        return false;
    if (!((o->flags & TF_EXO_REPLACE_PENDING) && o->pend_req)) {
        /* An answer about a venue order this one has moved on from (the
         * replace completed by a resent report first): nothing to learn. */
        return o->cur_req && req != o->cur_req;
    }
    const tf_instrument *in = &x->instruments->items[o->instrument];
    int64_t venue_cum = 0;
    tf_fix_get_decimal(m, TF_FIX_TAG_CUM_QTY, in->qty_precision, &venue_cum);
    if (req == o->pend_req) {
        if (st == '8') { /* the new order was never placed */
            o->xcn_new_absent = true;
            if (o->flags & TF_EXO_XCN_CANCELED) {
                report(x, o, TF_EX_CANCELED, 0);
                order_release(x, o);
            }
            return true;
        }
        /* The new order lives (or lived): the replace happened. */
        replaced(x, o, o->pend_price, o->cum + o->leg_qty, req, true);
        recover_fills(x, o, m, venue_cum, 0, 0);
        if (st == '2') {
            order_release(x, o);
        } else if (st == '4' || st == 'C') {
            report(x, o, st == '4' ? TF_EX_CANCELED : TF_EX_EXPIRED, 0);
            order_release(x, o);
        }
        return true;
    }
    if (req != o->cur_req && req != o->pend_req + 1) /* the old order answers by its ClOrdID or its cancel's */
        return true;
    recover_fills(x, o, m, venue_cum, 0, 0); /* the old order's fills before its cancel */
    if (st == '4' || st == 'C') {
        o->flags |= TF_EXO_XCN_CANCELED;
        if (o->xcn_new_absent) {
            report(x, o, TF_EX_CANCELED, 0);
            order_release(x, o);
        }
    } else if (st == '2') {
        order_release(x, o); /* filled before the cancel could act: the XCN failed whole */
    } else if (st == '8') { /* neither venue order is known: nobody can say */
        if (o->xcn_new_absent && !(o->flags & TF_EXO_UNKNOWN)) {
            o->flags |= TF_EXO_UNKNOWN;
            (*x->c_unknown_fate)++;
            (*x->g_unknown)++;
            tf__exio_error(x, TF_E_FIX_UNKNOWN_FATE, o->order_id, "xcn_both_unknown");
        }
    } else if (st != '6' && st != 'E') { /* still open: the cancel did not happen, so neither did the new order */
        clear_pending(o);
        report(x, o, TF_EX_CANCEL_REJECT, TF_RJ_VENUE);
    }
    return true;
}

static void on_status(tf_exio *x, tf_exio_session *s, tf_exio_order *o, const tf_fix_msg *m, uint64_t req)
{
    if (o->flags & TF_EXO_RECONCILING) {
        if (o->status_out)
            o->status_out--;
        if (!o->status_out)
            o->flags &= (uint8_t)~TF_EXO_RECONCILING;
        if (s->reconcile_pending)
            s->reconcile_pending--;
        (*x->c_reconciled)++;
    }
    if (o->flags & TF_EXO_UNKNOWN) {
        o->flags &= (uint8_t)~TF_EXO_UNKNOWN;
        (*x->g_unknown)--;
    }
    char st = 0;
    tf_fix_get_char(m, TF_FIX_TAG_ORD_STATUS, &st);
    if (on_xcn_status(x, o, m, req, st))
        return;
    if (st == '8') { /* the venue does not know it */
        if (!(o->flags & TF_EXO_ACKED)) {
            report(x, o, TF_EX_REJECT, TF_RJ_VENUE); /* it never got there: it never traded */
            order_release(x, o);
        } else {
            /* It was there and the venue has forgotten it: filled or
             * canceled, nobody can say. Kept open, marked, counted. */
            o->flags |= TF_EXO_UNKNOWN;
            (*x->c_unknown_fate)++;
            (*x->g_unknown)++;
            tf__exio_error(x, TF_E_FIX_UNKNOWN_FATE, o->order_id, "venue_forgot");
        }
        return;
    }
    const tf_instrument *in = &x->instruments->items[o->instrument];
    int64_t venue_cum = o->cum - o->cum_base;
    tf_fix_get_decimal(m, TF_FIX_TAG_CUM_QTY, in->qty_precision, &venue_cum);
    ack_once(x, o);
    recover_fills(x, o, m, venue_cum, 0, 0);
    if (o->pend_req || (o->flags & (TF_EXO_CANCEL_PENDING | TF_EXO_REPLACE_PENDING))) {
        bool open = st == '0' || st == '1' || st == 'A'; /* 6, E: the venue is still working on our request */
        if (open && (o->flags & TF_EXO_REPLACE_PENDING) && req && req == o->pend_req) {
            replaced(x, o, o->pend_price, o->pend_qty, req, false);
        } else if (open) {
            clear_pending(o); /* the request was lost or refused: the order stays as it was */
            report(x, o, TF_EX_CANCEL_REJECT, TF_RJ_VENUE);
        }
    }
    if (req)
        o->cur_req = req;
    if (st == '2') {
        order_release(x, o);
    } else if (st == '4' || st == 'C') {
        report(x, o, st == '4' ? TF_EX_CANCELED : TF_EX_EXPIRED, 0);
        order_release(x, o);
    }
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
        replaced(x, o, o->pend_price, o->cum + o->leg_qty, req, true);
        return true;
    }
    if (et == '8') {
        report(x, o, TF_EX_CANCELED, 0); /* the old order is canceled, the new one refused */
        order_release(x, o);
        return true;
    }
    return false;
}

static void on_execution_report(tf_exio *x, tf_exio_session *s, const tf_fix_msg *m)
{
    uint64_t req = 0, id;
    tf_exio_order *o = order_of(x, m, TF_FIX_TAG_CL_ORD_ID, &req);
    char et = 0;
    const char *v;
    size_t n;
    if (!o && tf_fix_get_str(m, TF_FIX_TAG_CL_ORD_ID, &v, &n) == 0 && parse_clordid(v, n, &id, &req) == 0) {
        /* One of ours, already finished here: a status answer or a repeat
         * that crossed the report that finished it. */
        (*x->c_late)++;
        return;
    }
    if (!o || tf_fix_get_char(m, TF_FIX_TAG_EXEC_TYPE, &et) != 0) {
        (*x->c_illegal)++;
        tf__exio_error(x, TF_E_FIX_BAD_REPORT, s->index, o ? "no_exec_type" : "unknown_order");
        return;
    }
    if (o->sent_mono && et != 'I') {
        uint64_t rtt = x->mono - o->sent_mono;
        *s->g_rtt_ns = rtt;
        if (x->h_rtt)
            tf_hist_record(x->h_rtt, rtt);
        o->sent_mono = 0;
    }
    if ((o->flags & TF_EXO_REPLACE_PENDING) && xcn_mode(x) && o->pend_req && on_xcn_leg(x, o, m, et, req))
        return;
    switch (et) {
    case '0':
        if (req == 0)
            ack_once(x, o);
        return;
    case '8':
        (*x->c_venue_rejects)++;
        tf__exio_error(x, TF_E_FIX_REJECT, o->order_id, "order_rejected");
        if (!(o->flags & TF_EXO_ACKED)) {
            report(x, o, TF_EX_REJECT, TF_RJ_VENUE);
            order_release(x, o);
        }
        return;
    case 'F':
        on_fill(x, o, m);
        if (o->cum >= o->qty)
            order_release(x, o);
        return;
    case '4':
    case 'C':
        ack_once(x, o);
        report(x, o, et == '4' ? TF_EX_CANCELED : TF_EX_EXPIRED, 0);
        order_release(x, o);
        return;
    case '5': {
        const tf_instrument *in = &x->instruments->items[o->instrument];
        int64_t px = o->pend_price, qty = o->pend_qty;
        tf_fix_get_decimal(m, TF_FIX_TAG_PRICE, in->price_precision, &px);
        tf_fix_get_decimal(m, TF_FIX_TAG_ORDER_QTY, in->qty_precision, &qty);
        replaced(x, o, px, qty, req, false);
        return;
    }
    case 'I':
        on_status(x, s, o, m, req);
        return;
    default: /* pending new/cancel/replace, restated: nothing changes for the OMS */
        return;
    }
}

static void on_cancel_reject(tf_exio *x, tf_exio_session *s, const tf_fix_msg *m)
{
    uint64_t req = 0;
    tf_exio_order *o = order_of(x, m, TF_FIX_TAG_CL_ORD_ID, &req);
    if (!o) { /* the order finished (a fill) before the venue refused our cancel: normal */
        (*x->c_late)++;
        return;
    }
    if (!(req == o->pend_req || (xcn_mode(x) && req == o->pend_req + 1))) {
        (*x->c_illegal)++;
        tf__exio_error(x, TF_E_FIX_BAD_REPORT, s->index, "cancel_reject");
        return;
    }
    o->sent_mono = 0;
    clear_pending(o);
    uint64_t why = 99;
    tf_fix_get_u64(m, TF_FIX_TAG_CXL_REJ_REASON, &why);
    report(x, o, TF_EX_CANCEL_REJECT, why == 0 || why == 1 ? TF_RJ_ORDER_NOT_OPEN : TF_RJ_VENUE);
    /* The venue does not know an order we think open: ask what became of it. */
    if (why == 1 && s->fix.state == TF_FIX_ACTIVE && !(o->flags & TF_EXO_UNTRACEABLE))
        query_status(x, s, o);
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
        o = order_of(x, m, TF_FIX_TAG_BUSINESS_REJECT_REF_ID, &req);
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
                if (parse_clordid(fields + i + 3, e - i - 3, &id, &req) == 0)
                    o = order_get(x, id);
                break;
            }
        }
    }
    if (!o)
        return; /* not about an order (or one already done): the session counted it */
    (*x->c_venue_rejects)++;
    tf__exio_error(x, TF_E_FIX_REJECT, o->order_id, business ? "business_reject" : "session_reject");
    o->sent_mono = 0;
    bool status_request = type[0] == 'H' && type[1] == 0;
    if (!status_request && req == 0 && !(o->flags & TF_EXO_ACKED)) { /* the NewOrderSingle itself */
        report(x, o, TF_EX_REJECT, TF_RJ_VENUE);
        order_release(x, o);
    } else if (!status_request && req && (req == o->pend_req || (xcn_mode(x) && req == o->pend_req + 1))) {
        clear_pending(o);
        report(x, o, TF_EX_CANCEL_REJECT, TF_RJ_VENUE);
    } else if (status_request && (o->flags & TF_EXO_RECONCILING)) { /* our status request was refused */
        if (o->status_out)
            o->status_out--;
        if (!o->status_out)
            o->flags &= (uint8_t)~TF_EXO_RECONCILING;
        if (s->reconcile_pending)
            s->reconcile_pending--;
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

void tf__exio_reconcile_start(tf_exio *x, tf_exio_session *s)
{
    s->reconcile_pending = 0;
    for (uint32_t k = 0; k < x->capacity; k++) {
        tf_exio_order *o = &x->orders[k];
        if (!o->used || (o->session != s->index && o->session != TF__NO_SESSION))
            continue;
        o->session = (uint8_t)s->index;
        if (!(o->flags & TF_EXO_UNTRACEABLE))
            send_status_request(x, s, o);
    }
    s->reconcile_deadline = s->reconcile_pending ? x->mono + x->cfg->exchange.reconcile_timeout_ns : 0;
}

void tf__exio_reconcile_check(tf_exio *x, tf_exio_session *s)
{
    if (!s->reconcile_pending || x->mono < s->reconcile_deadline)
        return;
    for (uint32_t k = 0; k < x->capacity; k++) {
        tf_exio_order *o = &x->orders[k];
        if (!o->used || o->session != s->index || !(o->flags & TF_EXO_RECONCILING))
            continue;
        o->flags = (uint8_t)((o->flags & ~TF_EXO_RECONCILING) | TF_EXO_UNKNOWN);
        o->status_out = 0;
        (*x->c_unknown_fate)++;
        (*x->g_unknown)++;
        tf__exio_error(x, TF_E_FIX_UNKNOWN_FATE, o->order_id, "no_status_answer");
    }
    s->reconcile_pending = 0; /* trading resumes; those orders are never sent again */
}

void tf__exio_session_lost(tf_exio *x, tf_exio_session *s)
{
    /* Its orders stay with it: the next Logon of this session reconciles them. */
    for (uint32_t k = 0; k < x->capacity; k++)
        if (x->orders[k].used && x->orders[k].session == s->index) {
            x->orders[k].flags &= (uint8_t)~TF_EXO_RECONCILING;
            x->orders[k].status_out = 0;
        }
}

void tf_exio_seed(tf_exio *x, const tf_order *src)
{
    tf_exio_order *o = order_add(x, src->order_id);
    if (!o)
        return;
    o->instrument = src->instrument;
    o->side = src->side;
    o->type = src->type;
    o->tif = src->tif;
    o->price = src->price;
    o->qty = src->qty;
    o->cum = src->cum_qty;
    o->cost = (__int128)src->avg_px * src->cum_qty;
    if (src->state != TF_OS_PENDING_NEW)
        o->flags |= TF_EXO_ACKED;
    if (src->state == TF_OS_PENDING_CANCEL)
        o->flags |= TF_EXO_CANCEL_PENDING;
    if (src->state == TF_OS_PENDING_REPLACE) {
        o->flags |= TF_EXO_REPLACE_PENDING;
        o->pend_price = src->pending_price;
        o->pend_qty = src->pending_qty;
    }
    if (xcn_mode(x) && src->version > 0) {
        /* Its live venue order is a later one whose ClOrdID died with the
         * last run: the original's status would mislead. Fate unknown. */
        o->flags |= TF_EXO_UNTRACEABLE | TF_EXO_UNKNOWN;
        (*x->c_unknown_fate)++;
        (*x->g_unknown)++;
        tf__exio_error(x, TF_E_FIX_UNKNOWN_FATE, o->order_id, "untraceable_xcn");
    }
}

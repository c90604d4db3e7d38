/* tfsim exchange: what the books did, as execution reports. A book event
 * about a participant's order (the tag is its record + 1) updates the
 * record (status, cum, cost, fees, terms, current ClOrdID, owning session)
 * and sends the report: ACCEPTED → New, FILL → Trade for each participant
 * side (851 1 maker / 2 taker, commission in quote currency at the maker or
 * taker rate), CANCELED → Canceled (11 = the cancel's ClOrdID when it
 * answers one, else the order's), REPLACED → Replaced (11 new, 41
 * previous), EXPIRED → Expired, REJECTED → Rejected or, for a cancel or
 * replace, OrderCancelReject (11 = the CancelClOrdID for XCN's cancel).
 * An order put back into a book after a restart (X_OP_RESTORE) gets no
 * New again, and is reported Canceled if the book refuses it; its fills
 * are reported as any. A finished order goes to the ring of
 * finished ones. fix-fill-after-cancel: every Nth order canceled by an
 * F gets a fill report after its Canceled one (racing_fill). Also the
 * status answers (150=I) and the refusals made before a book is involved. Every ExecutionReport carries 37, 11, 17, 150,
 * 39, 55, 54, 38, 44 (limit), 40, 59, 151, 14, 6 and 60. No allocation. */
#include "tools/tfsim/exchange/exchange_int.h"

#include <string.h>

#define E8 100000000LL

static const char *reject_text(int why)
{
    switch (why) {
    case MATCH_R_BAD_PRICE: return "price not on the tick or not positive";
    case MATCH_R_BAD_QTY: return "quantity not on the lot, not positive, too large or not above the filled";
    case MATCH_R_BAD_PARAM: return "bad order parameters";
    case MATCH_R_WOULD_TAKE: return "post-only order would take";
    case MATCH_R_BOOK_FULL: return "book full";
    case MATCH_R_TOO_LATE: return "too late: the order is done";
    case MATCH_R_UNKNOWN_ORDER: return "unknown order";
    default: return "refused";
    }
}

static char tif_char(uint8_t tif) { return tif == MATCH_IOC ? '3' : tif == MATCH_FOK ? '4' : '1'; }

static int64_t avg_px(const x_order *o) { return o->cum ? (int64_t)((o->cost + o->cum / 2) / o->cum) : 0; }

/* Commission in quote currency (1e-8): price * qty * rate, rounded half away from zero. */
static int64_t commission(int64_t px, int64_t qty, int64_t rate)
{
    __int128 notional = ((__int128)px * qty + E8 / 2) / E8;
    __int128 f = notional * rate;
    return (int64_t)(f >= 0 ? (f + E8 / 2) / E8 : -((-f + E8 / 2) / E8));
}

/* Field `tag` of the request, as field `as`. */
static void put_echo_as(tf_fix_writer *w, const tf_fix_msg *req, uint32_t tag, uint32_t as)
{
    const char *v;
    size_t n;
    if (req && tf_fix_get_str(req, tag, &v, &n) == 0)
        tf_fix_put_str(w, as, v, n);
}

static void put_echo(tf_fix_writer *w, const tf_fix_msg *req, uint32_t tag) { put_echo_as(w, req, tag, tag); }

static bool is_xcn(const tf_fix_msg *req) { return req && tf_fix_is(req, "XCN"); }

/* The order's OrderID, else the request's (not an XCN's: its 37 is the
 * order it cancels, not the new one), else NONE. */
static void put_order_id(tf_fix_writer *w, const x_order *o, const tf_fix_msg *req)
{
    const char *v;
    size_t n;
    if (o && o->order_id)
        tf_fix_put_u64(w, TF_FIX_TAG_ORDER_ID, o->order_id);
    else if (req && !is_xcn(req) && tf_fix_get_str(req, TF_FIX_TAG_ORDER_ID, &v, &n) == 0)
        tf_fix_put_str(w, TF_FIX_TAG_ORDER_ID, v, n);
    else
        tf_fix_put_cstr(w, TF_FIX_TAG_ORDER_ID, "NONE");
}

/* Begin an ExecutionReport with the fields every one carries. */
static tf_fix_writer *begin_8(exchange *x, const x_order *o, uint32_t session, char et, const char *clid,
                              size_t clid_len, const tf_fix_msg *req)
{
    tf_fix_writer *w = ex_begin(x, session, "8");
    if (!w)
        return NULL;
    put_order_id(w, o, req);
    tf_fix_put_str(w, TF_FIX_TAG_CL_ORD_ID, clid, clid_len);
    tf_fix_put_u64(w, TF_FIX_TAG_EXEC_ID, ++x->exec_id);
    tf_fix_put_char(w, TF_FIX_TAG_EXEC_TYPE, et);
    tf_fix_put_char(w, TF_FIX_TAG_ORD_STATUS, o->status);
    if (o->sym < x->s->nsym)
        tf_fix_put_cstr(w, TF_FIX_TAG_SYMBOL, x->s->sym[o->sym].name);
    else
        put_echo(w, req, TF_FIX_TAG_SYMBOL);
    tf_fix_put_char(w, TF_FIX_TAG_SIDE, o->side == MATCH_SELL ? '2' : '1');
    tf_fix_put_fixed(w, TF_FIX_TAG_ORDER_QTY, o->qty);
    tf_fix_put_char(w, TF_FIX_TAG_ORD_TYPE, o->type == MATCH_MARKET ? '1' : '2');
    if (o->type == MATCH_LIMIT)
        tf_fix_put_fixed(w, TF_FIX_TAG_PRICE, o->price);
    tf_fix_put_char(w, TF_FIX_TAG_TIME_IN_FORCE, tif_char(o->tif));
    tf_fix_put_fixed(w, TF_FIX_TAG_LEAVES_QTY, o->status == '0' || o->status == '1' ? o->qty - o->cum : 0);
    tf_fix_put_fixed(w, TF_FIX_TAG_CUM_QTY, o->cum);
    tf_fix_put_fixed(w, TF_FIX_TAG_AVG_PX, avg_px(o));
    tf_fix_put_time(w, TF_FIX_TAG_TRANSACT_TIME, x->wall);
    return w;
}

void ex_report(exchange *x, const x_order *o, uint32_t session, char et, const char *clid, size_t clid_len,
               const char *orig, size_t orig_len)
{
    tf_fix_writer *w = begin_8(x, o, session, et, clid, clid_len, NULL);
    if (!w)
        return;
    if (orig)
        tf_fix_put_str(w, TF_FIX_TAG_ORIG_CL_ORD_ID, orig, orig_len);
    ex_send(x, session);
}

void ex_report_reject(exchange *x, const x_order *o, uint32_t session, int reason, const char *text,
                      const tf_fix_msg *req)
{
    const char *clid = o->cur;
    size_t clid_len = o->cur_len;
    if (!o->order_id && req) /* refused before it had a record: its ClOrdID as it came */
        tf_fix_get_str(req, TF_FIX_TAG_CL_ORD_ID, &clid, &clid_len);
    tf_fix_writer *w = begin_8(x, o, session, '8', clid, clid_len, req);
    if (!w)
        return;
    tf_fix_put_u64(w, TF_FIX_TAG_ORD_REJ_REASON, (uint64_t)reason);
    tf_fix_put_cstr(w, TF_FIX_TAG_TEXT, text);
    ex_send(x, session);
}

void ex_report_status(exchange *x, const x_order *o, uint32_t session, const tf_fix_msg *req, uint32_t tot,
                      bool last)
{
    tf_fix_writer *w = begin_8(x, o, session, 'I', o->cur, o->cur_len, NULL);
    if (!w)
        return;
    put_echo(w, req, TF_FIX_TAG_ORD_STATUS_REQ_ID);
    if (tot) {
        put_echo(w, req, TF_FIX_TAG_MASS_STATUS_REQ_ID);
        tf_fix_put_u64(w, TF_FIX_TAG_TOT_NUM_REPORTS, tot);
        tf_fix_put_char(w, TF_FIX_TAG_LAST_RPT_REQUESTED, last ? 'Y' : 'N');
    }
    ex_send(x, session);
}

/* An answer about no order: a status request for an unknown ClOrdID (39=8,
 * 103=5), or a mass status of an account with none (tot UINT32_MAX: 911=0). */
void ex_report_unknown(exchange *x, uint32_t session, const tf_fix_msg *req, uint32_t tot)
{
    tf_fix_writer *w = ex_begin(x, session, "8");
    if (!w)
        return;
    put_order_id(w, NULL, req);
    const char *v;
    size_t n;
    if (tf_fix_get_str(req, TF_FIX_TAG_CL_ORD_ID, &v, &n) == 0)
        tf_fix_put_str(w, TF_FIX_TAG_CL_ORD_ID, v, n);
    else
        tf_fix_put_cstr(w, TF_FIX_TAG_CL_ORD_ID, "NONE");
    tf_fix_put_u64(w, TF_FIX_TAG_EXEC_ID, ++x->exec_id);
    tf_fix_put_char(w, TF_FIX_TAG_EXEC_TYPE, 'I');
    tf_fix_put_char(w, TF_FIX_TAG_ORD_STATUS, '8');
    put_echo(w, req, TF_FIX_TAG_SYMBOL);
    put_echo(w, req, TF_FIX_TAG_SIDE);
    tf_fix_put_u64(w, TF_FIX_TAG_LEAVES_QTY, 0);
    tf_fix_put_u64(w, TF_FIX_TAG_CUM_QTY, 0);
    tf_fix_put_u64(w, TF_FIX_TAG_AVG_PX, 0);
    tf_fix_put_time(w, TF_FIX_TAG_TRANSACT_TIME, x->wall);
    if (tot) {
        put_echo(w, req, TF_FIX_TAG_MASS_STATUS_REQ_ID);
        tf_fix_put_u64(w, TF_FIX_TAG_TOT_NUM_REPORTS, 0);
        tf_fix_put_char(w, TF_FIX_TAG_LAST_RPT_REQUESTED, 'Y');
    } else {
        put_echo(w, req, TF_FIX_TAG_ORD_STATUS_REQ_ID);
        tf_fix_put_u64(w, TF_FIX_TAG_ORD_REJ_REASON, 5);
        tf_fix_put_cstr(w, TF_FIX_TAG_TEXT, "unknown order");
    }
    ex_send(x, session);
}

void ex_cancel_reject(exchange *x, uint32_t session, const x_order *o, const tf_fix_msg *req, bool cancel,
                      int reason, const char *text)
{
    x->c.cancel_rejects++;
    tf_fix_writer *w = ex_begin(x, session, "9");
    if (!w)
        return;
    put_order_id(w, o, req);
    if (is_xcn(req)) /* XCN's cancel: 11 is its CancelClOrdID, 37 and 41 name the order */
        put_echo_as(w, req, EX_TAG_CANCEL_CL_ORD_ID, TF_FIX_TAG_CL_ORD_ID);
    else
        put_echo(w, req, TF_FIX_TAG_CL_ORD_ID);
    put_echo(w, req, TF_FIX_TAG_ORIG_CL_ORD_ID);
    tf_fix_put_char(w, TF_FIX_TAG_ORD_STATUS, o ? o->status : '8');
    tf_fix_put_char(w, TF_FIX_TAG_CXL_REJ_RESPONSE_TO, cancel ? '1' : '2');
    tf_fix_put_u64(w, TF_FIX_TAG_CXL_REJ_REASON, (uint64_t)reason);
    tf_fix_put_cstr(w, TF_FIX_TAG_TEXT, text);
    tf_fix_put_time(w, TF_FIX_TAG_TRANSACT_TIME, x->wall);
    ex_send(x, session);
}

/* ---- book events ------------------------------------------------------------------ */

static x_order *rec_of(exchange *x, uint64_t tag)
{
    if (!tag || tag > EX_RECORDS)
        return NULL;
    x_order *o = &x->orders[tag - 1];
    return o->order_id && o->open ? o : NULL;
}

static void on_fill(exchange *x, x_order *o, int64_t px, int64_t qty, bool maker)
{
    int64_t fee = commission(px, qty, maker ? x->maker_rate : x->taker_rate);
    o->cum += qty;
    o->cost += (__int128)px * qty;
    o->fees += fee;
    o->status = o->cum >= o->qty ? '2' : '1';
    x->c.fills++;
    tf_fix_writer *w = begin_8(x, o, o->session, 'F', o->cur, o->cur_len, NULL);
    if (w) {
        tf_fix_put_fixed(w, TF_FIX_TAG_LAST_PX, px);
        tf_fix_put_fixed(w, TF_FIX_TAG_LAST_QTY, qty);
        tf_fix_put_fixed(w, TF_FIX_TAG_COMMISSION, fee);
        tf_fix_put_char(w, TF_FIX_TAG_LAST_LIQUIDITY_IND, maker ? '1' : '2');
        ex_send(x, o->session);
    }
    if (o->status == '2')
        ex_rec_finish(x, (uint32_t)(o - x->orders));
}

/* fix-fill-after-cancel: the order just canceled by an F (every Nth) trades
 * after all, as if a trade had raced the cancel: half of what was left (down
 * to a whole lot, at least one lot and at most what was left) at its price,
 * as maker. The fill is the venue's truth (cum, cost, fees); the order stays
 * canceled (39=4). */
static void racing_fill(exchange *x, x_order *o)
{
    uint64_t every = x->s->fix.fault.fill_after_cancel;
    if (!every || !x->op_req || !tf_fix_is(x->op_req, "F") || ++x->cancel_count % every)
        return;
    int64_t lot = match_lot(x->s->sym[o->sym].book), left = o->qty - o->cum;
    if (lot <= 0)
        lot = 1;
    int64_t q = left / 2 / lot * lot;
    if (q < lot)
        q = lot;
    if (q > left)
        q = left;
    if (q <= 0)
        return;
    int64_t fee = commission(o->price, q, x->maker_rate);
    o->cum += q;
    o->cost += (__int128)o->price * q;
    o->fees += fee;
    x->c.fills++;
    x->c.f_fill_after_cancel++;
    tf_fix_writer *w = begin_8(x, o, o->session, 'F', o->cur, o->cur_len, NULL);
    if (w) {
        tf_fix_put_fixed(w, TF_FIX_TAG_LAST_PX, o->price);
        tf_fix_put_fixed(w, TF_FIX_TAG_LAST_QTY, q);
        tf_fix_put_fixed(w, TF_FIX_TAG_COMMISSION, fee);
        tf_fix_put_char(w, TF_FIX_TAG_LAST_LIQUIDITY_IND, '1');
        ex_send(x, o->session);
    }
}

/* The request being handled takes over the order: its ClOrdID becomes the
 * current one (findable), its session gets the reports. *prev: the old one. */
static void take_over(exchange *x, x_order *o, char prev[EX_CLID_MAX], size_t *prev_len)
{
    memcpy(prev, o->cur, o->cur_len);
    *prev_len = o->cur_len;
    ex_set_cur(o, x->op_clid, x->op_clid_len);
    ex_clid_add(x, (uint32_t)(o - x->orders), x->op_clid, x->op_clid_len);
    o->session = x->op_session;
}

static void on_rejected(exchange *x, const match_event *ev)
{
    if (ev->op == MATCH_OP_NEW) {
        x_order *o = rec_of(x, ev->order.tag);
        if (!o)
            return;
        if (x->op == X_OP_RESTORE) { /* an order the restarted book cannot take back: canceled */
            o->status = '4';
            ex_report(x, o, o->session, '4', o->cur, o->cur_len, NULL, 0);
            ex_rec_finish(x, (uint32_t)(o - x->orders));
            return;
        }
        o->status = '8';
        x->c.rejects++;
        ex_report_reject(x, o, o->session, 99, reject_text(ev->reason), NULL);
        ex_rec_finish(x, (uint32_t)(o - x->orders));
        return;
    }
    if ((x->op != X_OP_CANCEL && x->op != X_OP_REPLACE) || !x->op_req)
        return;
    const x_order *o = &x->orders[x->op_rec];
    int reason = ev->reason == MATCH_R_TOO_LATE ? 0 : ev->reason == MATCH_R_UNKNOWN_ORDER ? 1 : 99;
    ex_cancel_reject(x, x->op_session, o, x->op_req, x->op == X_OP_CANCEL, reason, reject_text(ev->reason));
}

void exchange_book_event_cb(void *ctx, uint32_t si, const match_event *ev) { exchange_book_event(ctx, si, ev); }

void exchange_book_event(exchange *x, uint32_t si, const match_event *ev)
{
    (void)si;
    x_order *o;
    char prev[EX_CLID_MAX];
    size_t prev_len;
    switch (ev->kind) {
    case MATCH_EV_ACCEPTED:
        if (!(o = rec_of(x, ev->order.tag)))
            return;
        o->match_id = ev->order.id;
        o->tif = ev->order.tif;
        o->status = o->cum ? '1' : '0';
        if (x->op != X_OP_RESTORE) /* a restored order was acknowledged before the restart */
            ex_report(x, o, o->session, '0', o->cur, o->cur_len, NULL, 0);
        return;
    case MATCH_EV_REJECTED:
        on_rejected(x, ev);
        return;
    case MATCH_EV_FILL:
        if (ev->order.owner != MATCH_AGENT && (o = rec_of(x, ev->order.tag)))
            on_fill(x, o, ev->price, ev->qty, false);
        if (ev->maker.owner != MATCH_AGENT && (o = rec_of(x, ev->maker.tag)))
            on_fill(x, o, ev->price, ev->qty, true);
        return;
    case MATCH_EV_CANCELED:
        if (!(o = rec_of(x, ev->order.tag)))
            return;
        o->status = '4';
        if (x->op == X_OP_CANCEL && x->op_rec == ev->order.tag - 1) {
            take_over(x, o, prev, &prev_len);
            ex_report(x, o, o->session, '4', o->cur, o->cur_len, prev, prev_len);
            racing_fill(x, o);
        } else {
            if (x->op == X_OP_COD)
                x->c.cancel_on_disconnect++;
            ex_report(x, o, o->session, '4', o->cur, o->cur_len, NULL, 0);
        }
        ex_rec_finish(x, (uint32_t)(o - x->orders));
        return;
    case MATCH_EV_REPLACED:
        if (!(o = rec_of(x, ev->order.tag)) || x->op != X_OP_REPLACE || x->op_rec != ev->order.tag - 1)
            return;
        o->price = ev->order.price;
        o->qty = ev->order.qty;
        o->status = o->cum ? '1' : '0';
        take_over(x, o, prev, &prev_len);
        ex_report(x, o, o->session, '5', o->cur, o->cur_len, prev, prev_len);
        return;
    case MATCH_EV_EXPIRED:
        if (!(o = rec_of(x, ev->order.tag)))
            return;
        o->status = 'C';
        ex_report(x, o, o->session, 'C', o->cur, o->cur_len, NULL, 0);
        ex_rec_finish(x, (uint32_t)(o - x->orders));
        return;
    default:
        return;
    }
}

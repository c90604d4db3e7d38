/* tfsim exchange: the participants' requests. NewOrderSingle (D) is
 * checked (fields, symbol, duplicate ClOrdID, the fix-reject fault), gets
 * a record and goes to the symbol's book; what the book does comes back as
 * events (exchange_report.c) during the call. OrderCancelRequest (F) and
 * OrderCancelReplaceRequest (G) find the order by any ClOrdID it had (or
 * its OrderID), refuse when it is unknown or done, and call the book with
 * the request remembered in x->op for the reports. Binance's
 * OrderCancelRequestAndNewOrderSingle (XCN) is the two in one message: the
 * cancel of 41 (or 37) under CancelClOrdID (25034), answered as an F would
 * be but with 11 = the CancelClOrdID, then, unless the cancel failed and
 * the mode (25033) is 1 STOP_ON_FAILURE, the new order of its 11, 55, 54,
 * 38, 40, 44, 59, 18, 25001 exactly as a D (a record and OrderID of its
 * own, in the same account). SelfTradePreventionMode (25001) takes
 * Binance's values: 1 NONE (no prevention: the order trades with its own
 * account's), 2 EXPIRE_TAKER (also when absent), 3 EXPIRE_MAKER, 4
 * EXPIRE_BOTH. OrderStatusRequest (H) and OrderMassStatusRequest (AF,
 * 585=7) answer from the records (fix-status-latest: H finds an order by
 * its current ClOrdID or its OrderID only). Every book operation ends with
 * md_done: exchange_md_ops.book_done (market.c: the aggTrade, mid and
 * bookTicker). With --t2t-out, every D, F, G and XCN is stamped (t2t.c).
 * Nothing here allocates or formats text. This is the top of the exchange's
 * files: exchange_create (at the end) wires its requests into the sessions
 * of exchange_conn.c (x_app_ops). */
#include "tools/tfsim/exchange/exchange_int.h"

#include <string.h>

/* The fields of a D into t; the first problem in *why (and *reason). */
static void parse_new(exchange *x, const tf_fix_msg *m, x_order *t, const char **why, int *reason)
{
    const char *v;
    size_t n;
    char c;
    int si = tf_fix_get_str(m, TF_FIX_TAG_SYMBOL, &v, &n) == 0 ? sim_find_symbol(x->s, v, n) : -1;
    t->sym = si < 0 ? 0xff : (uint8_t)si;
    if (si < 0) {
        *why = "unknown symbol";
        *reason = 1;
        return;
    }
    *reason = 99;
    if (tf_fix_get_char(m, TF_FIX_TAG_SIDE, &c) != 0 || (c != '1' && c != '2')) {
        *why = "Side (54) must be 1 or 2";
        return;
    }
    t->side = c == '1' ? MATCH_BUY : MATCH_SELL;
    if (tf_fix_get_char(m, TF_FIX_TAG_ORD_TYPE, &c) != 0 || (c != '1' && c != '2')) {
        *why = "OrdType (40) must be 1 (market) or 2 (limit)";
        return;
    }
    t->type = c == '1' ? MATCH_MARKET : MATCH_LIMIT;
    if (tf_fix_get_fixed(m, TF_FIX_TAG_ORDER_QTY, &t->qty) != 0) {
        *why = "OrderQty (38) missing or not a decimal of at most 8 places";
        return;
    }
    if (t->type == MATCH_LIMIT && tf_fix_get_fixed(m, TF_FIX_TAG_PRICE, &t->price) != 0) {
        *why = "Price (44) missing or not a decimal of at most 8 places";
        return;
    }
    c = '1';
    tf_fix_get_char(m, TF_FIX_TAG_TIME_IN_FORCE, &c);
    if (c == '0' || c == '1')
        t->tif = MATCH_GTC;
    else if (c == '3')
        t->tif = MATCH_IOC;
    else if (c == '4')
        t->tif = MATCH_FOK;
    else {
        *why = "TimeInForce (59) must be 0, 1, 3 or 4";
        return;
    }
    if (t->type == MATCH_MARKET && t->tif == MATCH_GTC)
        t->tif = MATCH_IOC; /* a market order never rests */
    if (tf_fix_get_str(m, TF_FIX_TAG_EXEC_INST, &v, &n) == 0 && memchr(v, '6', n))
        t->post_only = true;
    t->stp = MATCH_STP_EXPIRE_TAKER;
    if (tf_fix_get_char(m, TF_FIX_TAG_SELF_TRADE_PREVENTION, &c) == 0) {
        static const uint8_t modes[4] = {MATCH_STP_NONE, MATCH_STP_EXPIRE_TAKER, MATCH_STP_EXPIRE_MAKER,
                                         MATCH_STP_EXPIRE_BOTH};
        if (c < '1' || c > '4') {
            *why = "SelfTradePreventionMode (25001) must be 1 (NONE), 2 (EXPIRE_TAKER), 3 (EXPIRE_MAKER) "
                   "or 4 (EXPIRE_BOTH)";
            return;
        }
        t->stp = modes[c - '1'];
    }
    /* An iceberg: MaxFloor (111), the part shown at a time (Binance's FIX
     * takes it the same way). */
    if (tf_fix_get_str(m, TF_FIX_TAG_MAX_FLOOR, &v, &n) == 0) {
        int64_t lot = x->s->sym[si].lot > 0 ? x->s->sym[si].lot : 1;
        if (tf_fix_get_fixed(m, TF_FIX_TAG_MAX_FLOOR, &t->display) != 0 || t->display <= 0 ||
            t->display > t->qty || t->display % lot != 0) {
            *why = "MaxFloor (111) must be a positive quantity on the lot, not above OrderQty (38)";
            t->display = 0;
            return;
        }
        if (t->type != MATCH_LIMIT) {
            *why = "MaxFloor (111) on a market order: only a resting limit order can show a part of itself";
            t->display = 0;
            return;
        }
    }
}

static int on_new(exchange *x, uint32_t si, const tf_fix_msg *m)
{
    const char *id;
    size_t idlen;
    if (tf_fix_get_str(m, TF_FIX_TAG_CL_ORD_ID, &id, &idlen) != 0)
        return 5; /* BusinessMessageReject: conditionally required field missing */
    x->c.orders++;
    x->d_count++;
    x_order t;
    memset(&t, 0, sizeof t);
    t.account = x->sess[si].account;
    t.session = (uint8_t)si;
    t.status = '8';
    ex_set_cur(&t, id, idlen);
    const char *why = NULL;
    int reason = 99;
    parse_new(x, m, &t, &why, &reason);
    if (!why && idlen > EX_CLID_MAX)
        why = "ClOrdID (11) longer than 40 characters";
    uint32_t dup = idlen <= EX_CLID_MAX ? ex_clid_find(x, t.account, id, idlen) : EX_NIL;
    if (dup != EX_NIL && m->poss_dup) { /* sent again: say what became of it */
        ex_report_status(x, &x->orders[dup], si, NULL, 0, false);
        return 0;
    }
    if (dup != EX_NIL && x->orders[dup].open) {
        why = "duplicate ClOrdID (11): an open order has it";
        reason = 6;
    }
    uint64_t every = x->s->fix.fault.reject_every;
    if (!why && every && x->d_count % every == 0) {
        why = "simulated reject";
        x->c.f_rejects++;
    }
    /* Every refused order of a known symbol is remembered, except a duplicate
     * (its ClOrdID must keep naming the open order). */
    uint32_t r = EX_NIL;
    if (t.sym != 0xff && idlen <= EX_CLID_MAX && reason != 6) {
        r = ex_rec_new(x);
        if (r == EX_NIL && !why)
            why = "too many open orders";
    }
    if (r == EX_NIL) {
        x->c.rejects++;
        ex_report_reject(x, &t, si, reason, why, m);
        return 0;
    }
    x_order *o = &x->orders[r];
    o->account = t.account;
    o->session = t.session;
    o->sym = t.sym;
    o->side = t.side;
    o->type = t.type;
    o->tif = t.tif;
    o->stp = t.stp;
    o->post_only = t.post_only;
    o->price = t.type == MATCH_LIMIT ? t.price : 0;
    o->qty = t.qty;
    o->display = t.display;
    ex_set_cur(o, id, idlen);
    memcpy(o->orig, o->cur, o->cur_len);
    o->orig_len = o->cur_len;
    ex_clid_add(x, r, id, idlen);
    if (why) {
        o->status = '8';
        x->c.rejects++;
        ex_report_reject(x, o, si, reason, why, m);
        ex_rec_finish(x, r);
        return 0;
    }
    match_new n = {.owner = o->account, .tag = (uint64_t)r + 1, .side = o->side, .type = o->type, .tif = o->tif,
                   .stp = o->stp, .post_only = o->post_only, .price = o->price, .qty = o->qty,
                   .display = o->display};
    x->op = X_OP_NEW;
    x->op_rec = r;
    match_submit(x->s->sym[o->sym].book, &n);
    x->op = X_OP_NONE;
    md_done(x, o->sym);
    return 0;
}

/* The order a request names: OrigClOrdID (or ClOrdID for H), else OrderID.
 * latest (fix-status-latest): only by the ClOrdID it has now. */
static uint32_t find_order(exchange *x, uint32_t account, const tf_fix_msg *m, uint32_t tag, bool latest)
{
    const char *v;
    size_t n;
    uint64_t oid;
    if (tf_fix_get_str(m, tag, &v, &n) == 0) {
        uint32_t r = ex_clid_find(x, account, v, n);
        const x_order *o = r != EX_NIL ? &x->orders[r] : NULL;
        if (o && (!latest || (o->cur_len == n && memcmp(o->cur, v, n) == 0)))
            return r;
    }
    if (tf_fix_get_u64(m, TF_FIX_TAG_ORDER_ID, &oid) == 0) {
        x_order *o = ex_rec_by_order_id(x, oid, account);
        if (o)
            return (uint32_t)(o - x->orders);
    }
    return EX_NIL;
}

/* The cancel (F, or XCN's cancel under clid = its CancelClOrdID) or the
 * replace (G) of the order m names. True when the book took it (the order
 * is canceled or replaced); else it was refused (OrderCancelReject sent). */
static bool change(exchange *x, uint32_t si, const tf_fix_msg *m, bool cancel, const char *id, size_t idlen)
{
    uint32_t account = x->sess[si].account;
    uint32_t r = find_order(x, account, m, TF_FIX_TAG_ORIG_CL_ORD_ID, false);
    if (r == EX_NIL) {
        ex_cancel_reject(x, si, NULL, m, cancel, 1, "unknown order");
        return false;
    }
    x_order *o = &x->orders[r];
    if (!o->open) {
        ex_cancel_reject(x, si, o, m, cancel, 0, "too late: the order is done");
        return false;
    }
    if (idlen > EX_CLID_MAX) {
        ex_cancel_reject(x, si, o, m, cancel, 99, "ClOrdID (11) longer than 40 characters");
        return false;
    }
    uint32_t d = ex_clid_find(x, account, id, idlen);
    if (d != EX_NIL && x->orders[d].open) {
        ex_cancel_reject(x, si, o, m, cancel, 6, "duplicate ClOrdID (11): an open order has it");
        return false;
    }
    int64_t px = o->price, qty = o->qty;
    char c = '2';
    if (!cancel) {
        tf_fix_get_char(m, TF_FIX_TAG_ORD_TYPE, &c);
        if ((tf_fix_find(m, TF_FIX_TAG_PRICE, 0) >= 0 && tf_fix_get_fixed(m, TF_FIX_TAG_PRICE, &px) != 0) ||
            (tf_fix_find(m, TF_FIX_TAG_ORDER_QTY, 0) >= 0 && tf_fix_get_fixed(m, TF_FIX_TAG_ORDER_QTY, &qty) != 0)) {
            ex_cancel_reject(x, si, o, m, false, 99, "Price (44) or OrderQty (38) not a decimal of at most 8 places");
            return false;
        }
        if (c != '2' || o->type != MATCH_LIMIT) {
            ex_cancel_reject(x, si, o, m, false, 99, "only limit orders (40=2) can be replaced");
            return false;
        }
    }
    match_book *b = x->s->sym[o->sym].book;
    x->op = cancel ? X_OP_CANCEL : X_OP_REPLACE;
    x->op_rec = r;
    x->op_session = (uint8_t)si;
    x->op_clid = id;
    x->op_clid_len = idlen;
    x->op_req = m;
    int rc = cancel ? match_cancel(b, o->account, o->match_id)
                    : match_replace(b, o->account, o->match_id, px, qty, (uint64_t)r + 1);
    x->op = X_OP_NONE;
    x->op_req = NULL;
    md_done(x, o->sym);
    return rc == MATCH_OK;
}

/* F (cancel) or G (cancel-replace). */
static int on_change(exchange *x, uint32_t si, const tf_fix_msg *m, bool cancel)
{
    const char *id;
    size_t idlen;
    if (tf_fix_get_str(m, TF_FIX_TAG_CL_ORD_ID, &id, &idlen) != 0)
        return 5;
    if (cancel)
        x->c.cancels++;
    else
        x->c.replaces++;
    change(x, si, m, cancel, id, idlen);
    return 0;
}

/* XCN: the cancel (its reports carry 11 = the CancelClOrdID, 41 = the
 * order's ClOrdID; a refusal is an OrderCancelReject with 434=1), then the
 * new order as a D, unless the cancel failed under STOP_ON_FAILURE. */
static int on_cancel_new(exchange *x, uint32_t si, const tf_fix_msg *m)
{
    const char *id, *cid;
    size_t idlen, cidlen;
    char mode = 0;
    if (tf_fix_get_str(m, TF_FIX_TAG_CL_ORD_ID, &id, &idlen) != 0 ||
        tf_fix_get_str(m, EX_TAG_CANCEL_CL_ORD_ID, &cid, &cidlen) != 0 ||
        tf_fix_get_char(m, EX_TAG_XCN_MODE, &mode) != 0 || (mode != '1' && mode != '2'))
        return 5; /* BusinessMessageReject: a required field missing (or the mode not 1 or 2) */
    x->c.cancel_news++;
    uint32_t known = idlen <= EX_CLID_MAX ? ex_clid_find(x, x->sess[si].account, id, idlen) : EX_NIL;
    if (known != EX_NIL && m->poss_dup) { /* sent again and done before: say what became of the new one */
        ex_report_status(x, &x->orders[known], si, NULL, 0, false);
        return 0;
    }
    x->c.cancels++;
    if (!change(x, si, m, true, cid, cidlen) && mode == '1')
        return 0;
    return on_new(x, si, m);
}

static int on_status(exchange *x, uint32_t si, const tf_fix_msg *m)
{
    x->c.status_requests++;
    uint32_t r = find_order(x, x->sess[si].account, m, TF_FIX_TAG_CL_ORD_ID, x->s->fix.fault.status_latest);
    if (r == EX_NIL)
        ex_report_unknown(x, si, m, 0);
    else
        ex_report_status(x, &x->orders[r], si, m, 0, false);
    return 0;
}

typedef struct mass_ctx {
    exchange *x;
    uint32_t session, tot, done;
    const tf_fix_msg *req;
} mass_ctx;

static void mass_one(void *ctx, const match_order_info *info)
{
    mass_ctx *mc = ctx;
    if (!info->tag)
        return;
    mc->done++;
    ex_report_status(mc->x, &mc->x->orders[info->tag - 1], mc->session, mc->req, mc->tot, mc->done == mc->tot);
}

static int on_mass_status(exchange *x, uint32_t si, const tf_fix_msg *m)
{
    char type = 0;
    if (tf_fix_get_char(m, TF_FIX_TAG_MASS_STATUS_REQ_TYPE, &type) != 0 || type != '7')
        return 3; /* only 585=7 (all orders) is served */
    x->c.mass_status++;
    uint32_t account = x->sess[si].account;
    mass_ctx mc = {.x = x, .session = si, .req = m};
    for (uint32_t k = 0; k < x->s->nsym; k++)
        mc.tot += match_owner_each(x->s->sym[k].book, account, NULL, NULL);
    if (mc.tot == 0) {
        ex_report_unknown(x, si, m, 0xffffffffu); /* "no orders": TotNumReports 0 */
        return 0;
    }
    for (uint32_t k = 0; k < x->s->nsym; k++)
        match_owner_each(x->s->sym[k].book, account, mass_one, &mc);
    return 0;
}

static int on_app(exchange *x, x_session *ss, const tf_fix_msg *m)
{
    const char *t = m->msg_type;
    uint32_t si = (uint32_t)(ss - x->sess);
    if ((x->s->t2t || x->s->answer) &&
        ((t[1] == 0 && (t[0] == 'D' || t[0] == 'F' || t[0] == 'G')) || tf_fix_is(m, "XCN"))) {
        if (x->s->t2t)
            sim_t2t_reaction(x->s->t2t, x->read_ns, t);
        if (x->s->answer)
            sim_answer_order(x->s->answer, x->read_ns);
    }
    if (t[1] == 0) {
        switch (t[0]) {
        case 'D': return on_new(x, si, m);
        case 'F': return on_change(x, si, m, true);
        case 'G': return on_change(x, si, m, false);
        case 'H': return on_status(x, si, m);
        case '3':
        case 'j': return 0; /* the counterparty refused one of ours: nothing to undo */
        default: return 3;
        }
    }
    if (t[0] == 'A' && t[1] == 'F' && t[2] == 0)
        return on_mass_status(x, si, m);
    if (t[0] == 'X' && t[1] == 'C' && t[2] == 'N' && t[3] == 0)
        return on_cancel_new(x, si, m);
    return 3; /* BusinessMessageReject: unsupported message type */
}

static void cancel_session_orders(exchange *x, uint32_t session)
{
    x->nscratch = 0;
    for (uint32_t r = 0; r < x->ord_fresh && x->nscratch < EX_OPEN_MAX; r++) {
        const x_order *o = &x->orders[r];
        if (o->order_id && o->open && o->session == session && o->match_id)
            x->scratch[x->nscratch++] = r;
    }
    for (uint32_t k = 0; k < x->nscratch; k++) {
        x_order *o = &x->orders[x->scratch[k]];
        if (!o->open)
            continue;
        x->op = X_OP_COD;
        x->op_rec = (uint32_t)x->scratch[k];
        match_cancel(x->s->sym[o->sym].book, o->account, o->match_id);
        x->op = X_OP_NONE;
        md_done(x, o->sym);
    }
}

exchange *exchange_create(sim *s, const exchange_md_ops *md)
{
    static const x_app_ops app = {.on_app = on_app, .cancel_session_orders = cancel_session_orders};
    return ex_new(s, md, &app);
}

/* The exchange I/O stage's reconciliation: after every Logon (a reconnect,
 * or the engine's restart with the orders the OMS replayed) an
 * OrderStatusRequest per open order the session carries — two for a
 * cancel-then-new in flight — and no new orders on it until each is
 * answered or the timeout marks the order of unknown fate; the answers
 * (ExecType I) turned into the reports the OMS missed. Calls down into
 * exio_table.c only; called by exio_orders.c and exio.c (see
 * exio_internal.h), from the stage's thread only. */
#include <string.h>

#include "engine/venue/exio_out.h"
#include "engine/venue/exio_reconcile.h"
#include "engine/venue/exio_table.h"
#include "shm/err.h"


/* One order's fate in question (a cancel refused as unknown): ask, with
 * the same deadline as a reconciliation. */
void tf__exio_query_status(tf_exio *x, tf_exio_session *s, tf_exio_order *o)
{
    bool idle = s->reconcile_pending == 0;
    tf__exio_send_status_request(x, s, o);
    if (idle && s->reconcile_pending)
        s->reconcile_deadline = x->mono + x->cfg->exchange.reconcile_timeout_ns;
}

static void send_status_for(tf_exio *x, tf_exio_session *s, tf_exio_order *o, uint64_t req)
{
    tf_fix_writer *w = tf_fix_session_begin(&s->fix, "H");
    if (!w)
        return;
    tf__exio_put_clordid(w, TF_FIX_TAG_CL_ORD_ID, o->order_id, req);
    tf__exio_put_instrument(x, w, o->instrument);
    tf_fix_put_char(w, TF_FIX_TAG_SIDE, tf__exio_side_char(o->side));
    tf_fix_put_u64(w, TF_FIX_TAG_ORD_STATUS_REQ_ID, ++x->status_req_id);
    if (tf_fix_session_send(&s->fix) != 0) {
        o->flags |= TF_EXO_RECONCILING;
        o->status_out++;
        s->reconcile_pending++;
        tf__exio_spend_token(s);
    }
}

/* The order's live ClOrdID; with a cancel-then-new in flight also the new
 * order's, whose fate the old one's status cannot tell. */
void tf__exio_query_status_by(tf_exio *x, tf_exio_session *s, tf_exio_order *o, uint64_t req)
{
    bool idle = s->reconcile_pending == 0;
    send_status_for(x, s, o, req);
    if (idle && s->reconcile_pending)
        s->reconcile_deadline = x->mono + x->cfg->exchange.reconcile_timeout_ns;
}

void tf__exio_send_status_request(tf_exio *x, tf_exio_session *s, tf_exio_order *o)
{
    send_status_for(x, s, o, o->cur_req);
    if (tf__exio_xcn_mode(x) && (o->flags & TF_EXO_REPLACE_PENDING) && o->pend_req)
        send_status_for(x, s, o, o->pend_req);
}

/* A status answer (ExecType I): what the venue says the order is now. */
/* A status answer while a cancel-then-new is in flight: the old venue
 * order (cur_req) and the new one (pend_req) answer separately. True:
 * handled here. */
static bool on_xcn_status(tf_exio *x, tf_exio_order *o, const tf_fix_msg *m, uint64_t req, char st)
{
    if (!tf__exio_xcn_mode(x))
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
                tf__exio_report_kind(x, o, TF_EX_CANCELED, 0);
                tf__exio_order_release(x, o);
            }
            return true;
        }
        /* The new order lives (or lived): the replace happened. */
        tf__exio_replaced(x, o, o->pend_price, o->cum + o->leg_qty, req, true);
        tf__exio_recover_fills(x, o, m, venue_cum, 0, 0);
        if (st == '2') {
            tf__exio_order_release(x, o);
        } else if (st == '4' || st == 'C') {
            tf__exio_report_kind(x, o, st == '4' ? TF_EX_CANCELED : TF_EX_EXPIRED, 0);
            tf__exio_order_release(x, o);
        }
        return true;
    }
    if (req != o->cur_req && req != o->pend_req + 1) /* the old order answers by its ClOrdID or its cancel's */
        return true;
    tf__exio_recover_fills(x, o, m, venue_cum, 0, 0); /* the old order's fills before its cancel */
    if (st == '4' || st == 'C') {
        o->flags |= TF_EXO_XCN_CANCELED;
        if (o->xcn_new_absent) {
            tf__exio_report_kind(x, o, TF_EX_CANCELED, 0);
            tf__exio_order_release(x, o);
        }
    } else if (st == '2') {
        tf__exio_order_release(x, o); /* filled before the cancel could act: the XCN failed whole */
    } else if (st == '8') { /* neither venue order is known: nobody can say */
        if (o->xcn_new_absent && !(o->flags & TF_EXO_UNKNOWN)) {
            o->flags |= TF_EXO_UNKNOWN;
            tf_counter_inc(x->c_unknown_fate, 1);
            tf_counter_inc(x->g_unknown, 1);
            tf__exio_error(x, TF_E_FIX_UNKNOWN_FATE, o->order_id, "xcn_both_unknown");
        }
    } else if (st != '6' && st != 'E') { /* still open: the cancel did not happen, so neither did the new order */
        tf__exio_clear_pending(o);
        tf__exio_report_kind(x, o, TF_EX_CANCEL_REJECT, TF_RJ_VENUE);
    }
    return true;
}

void tf__exio_status_answered(tf_exio_session *s, tf_exio_order *o)
{
    if (o->status_out)
        o->status_out--;
    if (!o->status_out)
        o->flags &= (uint8_t)~TF_EXO_RECONCILING;
    if (s->reconcile_pending)
        s->reconcile_pending--;
}

void tf__exio_on_status(tf_exio *x, tf_exio_session *s, tf_exio_order *o, const tf_fix_msg *m, uint64_t req)
{
    if (o->flags & TF_EXO_RECONCILING) {
        tf__exio_status_answered(s, o);
        tf_counter_inc(x->c_reconciled, 1);
    }
    if (o->flags & TF_EXO_UNKNOWN) {
        o->flags &= (uint8_t)~TF_EXO_UNKNOWN;
        tf_counter_inc(x->g_unknown, (uint64_t)-1); /* one less */
    }
    char st = 0;
    tf_fix_get_char(m, TF_FIX_TAG_ORD_STATUS, &st);
    if (on_xcn_status(x, o, m, req, st))
        return;
    if (st == '8') { /* the venue does not know it */
        if ((o->flags & TF_EXO_ACKED) && req && req == o->cur_req && !(o->flags & TF_EXO_ASKED_ORIGINAL) &&
            !tf__exio_xcn_mode(x) && s->fix.state == TF_FIX_ACTIVE) {
            /* Not by its latest ClOrdID: a venue may know it by the first. */
            o->flags |= TF_EXO_ASKED_ORIGINAL;
            tf__exio_query_status_by(x, s, o, 0);
            return;
        }
        if (!(o->flags & TF_EXO_ACKED)) {
            tf__exio_report_kind(x, o, TF_EX_REJECT, TF_RJ_VENUE); /* it never got there: it never traded */
            tf__exio_order_release(x, o);
        } else {
            /* It was there and the venue has forgotten it: filled or
             * canceled, nobody can say. Kept open, marked, counted. */
            o->flags |= TF_EXO_UNKNOWN;
            tf_counter_inc(x->c_unknown_fate, 1);
            tf_counter_inc(x->g_unknown, 1);
            tf__exio_error(x, TF_E_FIX_UNKNOWN_FATE, o->order_id, "venue_forgot");
        }
        return;
    }
    const tf_instrument *in = &x->instruments->items[o->instrument];
    int64_t venue_cum = o->cum - o->cum_base;
    tf_fix_get_decimal(m, TF_FIX_TAG_CUM_QTY, in->qty_precision, &venue_cum);
    tf__exio_ack_once(x, o);
    tf__exio_recover_fills(x, o, m, venue_cum, 0, 0);
    if (o->pend_req || (o->flags & (TF_EXO_CANCEL_PENDING | TF_EXO_REPLACE_PENDING))) {
        bool open = st == '0' || st == '1' || st == 'A'; /* 6, E: the venue is still working on our request */
        if (open && (o->flags & TF_EXO_REPLACE_PENDING) && req && req == o->pend_req) {
            tf__exio_replaced(x, o, o->pend_price, o->pend_qty, req, false);
        } else if (open) {
            tf__exio_clear_pending(o); /* the request was lost or refused: the order stays as it was */
            tf__exio_report_kind(x, o, TF_EX_CANCEL_REJECT, TF_RJ_VENUE);
        }
    }
    if (req)
        o->cur_req = req;
    if (st == '2') {
        tf__exio_order_release(x, o);
    } else if (st == '4' || st == 'C') {
        tf__exio_report_kind(x, o, st == '4' ? TF_EX_CANCELED : TF_EX_EXPIRED, 0);
        tf__exio_order_release(x, o);
    }
}

void tf__exio_reconcile_start(tf_exio *x, tf_exio_session *s)
{
    s->reconcile_pending = 0;
    for (uint32_t k = 0; k < x->capacity; k++) {
        tf_exio_order *o = &x->orders[k];
        if (!o->used || (o->session != s->index && o->session != TF__NO_SESSION))
            continue;
        o->session = (uint8_t)s->index;
        if (!(o->flags & TF_EXO_UNTRACEABLE))
            tf__exio_send_status_request(x, s, o);
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
        tf_counter_inc(x->c_unknown_fate, 1);
        tf_counter_inc(x->g_unknown, 1);
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

void tf_exio_seed(tf_exio *x, const tf_order *src, uint64_t venue_ref)
{
    tf_exio_order *o = tf__exio_order_add(x, src->order_id);
    if (!o)
        return;
    tf__exio_order_terms(o, src->instrument, src->side, src->type, src->tif, src->price, src->qty);
    o->cur_req = venue_ref; /* its status is asked by the ClOrdID the venue knows now */
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
    if (tf__exio_xcn_mode(x) && src->version > 0 && !venue_ref) {
        /* Its live venue order is a later one whose ClOrdID died with the
         * last run: the original's status would mislead. Fate unknown. */
        o->flags |= TF_EXO_UNTRACEABLE | TF_EXO_UNKNOWN;
        tf_counter_inc(x->c_unknown_fate, 1);
        tf_counter_inc(x->g_unknown, 1);
        tf__exio_error(x, TF_E_FIX_UNKNOWN_FATE, o->order_id, "untraceable_xcn");
    }
}

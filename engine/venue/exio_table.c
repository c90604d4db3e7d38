/* The exchange I/O stage's order table (a fixed pool, a free-slot stack and
 * an id map), its ClOrdIDs ("<order id>" or "<order id>.<request>", read
 * back without a table), and the reports it hands the OMS, including the
 * arithmetic of fills the venue counted but we never saw. Calls down into
 * exio_out.c only; called by exio_reconcile.c, exio_orders.c and exio.c
 * (see exio_internal.h), from the stage's thread only. */
#include <stdlib.h>
#include <string.h>

#include "engine/venue/exio_out.h"
#include "engine/venue/exio_table.h"
#include "shm/err.h"

int tf__exio_orders_init(tf_exio *x)
{
    x->capacity = x->cfg->orders.capacity;
    x->orders = calloc(x->capacity, sizeof *x->orders);
    x->free_slots = calloc(x->capacity, sizeof *x->free_slots);
    x->ids.keys = calloc((size_t)x->capacity * 2, sizeof *x->ids.keys);
    x->ids.values = calloc((size_t)x->capacity * 2, sizeof *x->ids.values);
    x->done = calloc(TF_EXIO_DONE, sizeof *x->done);
    if (!x->orders || !x->free_slots || !x->ids.keys || !x->ids.values || !x->done)
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
    free(x->done);
    x->done = NULL;
    x->orders = NULL;
    x->free_slots = NULL;
    x->ids.keys = NULL;
    x->ids.values = NULL;
}

tf_exio_order *tf__exio_order_get(tf_exio *x, uint64_t id)
{
    uint32_t k;
    return id && tf_id_map_get(&x->ids, id, &k) ? &x->orders[k] : NULL;
}

tf_exio_done *tf__exio_done_find(tf_exio *x, uint64_t id)
{
    uint64_t n = x->done_next < TF_EXIO_DONE ? x->done_next : TF_EXIO_DONE;
    for (uint64_t k = 1; id && k <= n; k++) { /* newest first; late reports are rare */
        tf_exio_done *d = &x->done[(x->done_next - k) % TF_EXIO_DONE];
        if (d->order_id == id)
            return d;
    }
    return NULL;
}

tf_exio_order *tf__exio_order_add(tf_exio *x, uint64_t id)
{
    if (x->free_count == 0 || tf__exio_order_get(x, id))
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

void tf__exio_order_release(tf_exio *x, tf_exio_order *o)
{
    if (o->flags & TF_EXO_UNKNOWN)
        tf_counter_inc(x->g_unknown, (uint64_t)-1); /* one less */
    /* Status requests still out for it will be answered late: the session
     * must not wait for them before trading again. */
    if (o->status_out && o->session < x->session_count) {
        uint32_t *p = &x->sessions[o->session].reconcile_pending;
        *p = *p > o->status_out ? *p - o->status_out : 0;
    }
    tf_exio_done *d = &x->done[x->done_next++ % TF_EXIO_DONE];
    *d = (tf_exio_done){.order_id = o->order_id, .venue_order = o->venue_order, .cum = o->cum,
                        .cum_base = o->cum_base, .instrument = o->instrument, .side = o->side};
    tf_id_map_del(&x->ids, o->order_id);
    o->used = 0;
    x->free_slots[x->free_count++] = (uint32_t)(o - x->orders);
}

/* ---- ClOrdIDs: "<order id>" or "<order id>.<request>" ----------------------- */

void tf__exio_put_clordid(tf_fix_writer *w, uint32_t tag, uint64_t id, uint64_t req)
{
    char buf[48];
    size_t n = tf_u64_text(buf, id);
    if (req) {
        buf[n++] = '.';
        n += tf_u64_text(buf + n, req);
    }
    tf_fix_put_str(w, tag, buf, n);
}

int tf__exio_parse_clordid(const char *v, size_t n, uint64_t *id, uint64_t *req)
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

tf_exio_order *tf__exio_order_of(tf_exio *x, const tf_fix_msg *m, uint32_t tag, uint64_t *req)
{
    const char *v;
    size_t n;
    uint64_t id;
    if (tf_fix_get_str(m, tag, &v, &n) != 0 || tf__exio_parse_clordid(v, n, &id, req) != 0)
        return NULL;
    return tf__exio_order_get(x, id);
}

/* ---- reports to the OMS ----------------------------------------------------- */

void tf__exio_report_kind(tf_exio *x, const tf_exio_order *o, uint8_t kind, uint16_t reason)
{
    tf_exec_report r = {.kind = kind, .reason = reason, .instrument = o->instrument, .order_id = o->order_id,
                        .venue_realtime_ns = x->wall};
    tf__exio_report(x, &r);
}

void tf__exio_report_fill(tf_exio *x, tf_exio_order *o, int64_t px, int64_t qty, int64_t fee, uint8_t liquidity)
{
    tf_exec_report r = {.kind = TF_EX_FILL, .liquidity = liquidity, .instrument = o->instrument,
                        .order_id = o->order_id, .last_px = px, .last_qty = qty, .fee = fee,
                        .venue_realtime_ns = x->wall};
    o->cum += qty;
    o->cost += (__int128)px * qty;
    tf__exio_report(x, &r);
}

void tf__exio_ack_once(tf_exio *x, tf_exio_order *o)
{
    if (!(o->flags & TF_EXO_ACKED)) {
        o->flags |= TF_EXO_ACKED;
        tf__exio_report_kind(x, o, TF_EX_ACK, 0);
    }
}

void tf__exio_clear_pending(tf_exio_order *o)
{
    o->flags &= (uint8_t)~(TF_EXO_CANCEL_PENDING | TF_EXO_REPLACE_PENDING | TF_EXO_XCN_CANCELED);
    o->pend_req = 0;
    o->xcn_new_absent = false;
}

/* The replace happened: new terms, the live ClOrdID `req`. A cancel-then-
 * new's new venue order counts its CumQty from zero (new_venue_order). */
void tf__exio_replaced(tf_exio *x, tf_exio_order *o, int64_t px, int64_t qty, uint64_t req, bool new_venue_order)
{
    tf_exec_report r = {.kind = TF_EX_REPLACED, .instrument = o->instrument, .order_id = o->order_id,
                        .price = px, .qty = qty, .venue_realtime_ns = x->wall, .venue_ref = req};
    o->price = px;
    o->qty = qty;
    if (new_venue_order) {
        o->cum_base = o->cum;
        o->cost_base = o->cost;
        o->venue_order = 0; /* the next report names the new one */
    }
    o->cur_req = req;
    tf__exio_clear_pending(o);
    tf__exio_report(x, &r);
}

/* Fills the venue counts (CumQty) beyond ours that we never saw: one fill
 * for the difference, priced so that the order's average matches the
 * venue's AvgPx (read at 10^-8, rounded to the price unit). `also_qty` at
 * `also_px` is a fill in the same report that is not missing. */
void tf__exio_recover_fills(tf_exio *x, tf_exio_order *o, const tf_fix_msg *m, int64_t venue_cum, int64_t also_qty,
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
    tf_counter_inc(x->c_recovered_fills, 1);
    tf__exio_report_fill(x, o, px, missing, 0, 0);
}

/* ---- commands to the venue ---------------------------------------------------- */

/* tfconsole's trading record: fills from the order journal (kept, and
 * pushed as they come), open orders from the engine's order table, and the
 * day's PnL sampled every 5 s (see console.h). Read-only, like the rest. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/catalog.h"
#include "shm/common.h"
#include "shm/fixed.h"
#include "shm/orders.h"
#include "tools/console/console.h"

static bool final_state(uint8_t s)
{
    return s == TF_OS_FILLED || s == TF_OS_CANCELED || s == TF_OS_REJECTED || s == TF_OS_EXPIRED ||
           s == TF_OS_NONE;
}

static void fill_json(console *c, con_fill *f, const tf_order_event *ev, uint64_t seq)
{
    const tf_md_instrument_info *in = oob_source_instrument(&c->src, ev->instrument);
    char px[48], qty[48], fee[48];
    unsigned pp = in ? in->price_precision : 0, qp = in ? in->qty_precision : 0;
    tf_fixed_format(px, sizeof px, ev->last_px, pp);
    tf_fixed_format(qty, sizeof qty, ev->last_qty, qp);
    tf_fixed_format(fee, sizeof fee, ev->fee, TF_MONEY_PRECISION);
    int n = snprintf(f->json, sizeof f->json,
                     "{\"seq\":%" PRIu64 ",\"time\":%" PRIu64 ",\"order_id\":%" PRIu64 ",\"strategy\":%u,\"symbol\":\"%s\","
                     "\"side\":\"%s\",\"price\":\"%s\",\"qty\":\"%s\",\"fee\":\"%s\",\"liquidity\":\"%s\",\"out_of_band\":%s}",
                     seq, ev->realtime_ns / 1000000u, ev->order_id, ev->strategy, in ? in->symbol : "?",
                     ev->side ? "sell" : "buy", px, qty, fee,
                     ev->reason == 1 ? "maker" : ev->reason == 2 ? "taker" : "unknown",
                     ev->kind == TF_EV_OUT_OF_BAND_FILL ? "true" : "false");
    f->len = n > 0 && (size_t)n < sizeof f->json ? (uint16_t)n : 0;
    f->seq = seq;
}

void console_record_poll(console *c)
{
    tf_journal_slot *rec = (tf_journal_slot *)c->rec;
    uint64_t now = tf_now_ns();
    if (!c->orders.attached && now - c->orders_try_ns > 200000000ull) {
        c->orders_try_ns = now;
        (void)oob_source_attach(&c->orders, 0, 0); /* no order path: nothing to show */
    }
    for (int got = 0; got < 65536; got++) {
        oob_read_rc rc = oob_source_read(&c->orders, rec);
        if (rc == OOB_READ_NEW_JOURNAL) {
            c->fill_total = 0;
            c->resyncs++;
            continue;
        }
        if (rc == OOB_READ_GAP)
            continue;
        if (rc != OOB_READ_OK)
            break;
        if (rec->type != TF_REC_ORDER_EVENT || rec->length < sizeof(tf_order_event))
            continue;
        tf_order_event ev;
        memcpy(&ev, rec->payload, sizeof ev);
        if (ev.kind != TF_EV_FILL && ev.kind != TF_EV_OUT_OF_BAND_FILL)
            continue;
        fill_json(c, &c->fills[c->fill_total % CON_FILLS], &ev, rec->seq);
        c->fill_total++;
    }
}

/* The fills after seq `after` (at most CON_FILLS), comma-separated. */
void console_fills(const console *c, con_text *t, uint64_t after)
{
    uint64_t from = c->fill_total > CON_FILLS ? c->fill_total - CON_FILLS : 0;
    bool any = false;
    for (uint64_t i = from; i < c->fill_total; i++) {
        const con_fill *f = &c->fills[i % CON_FILLS];
        if (f->seq <= after || !f->len)
            continue;
        if (any)
            con_put(t, ",", 1, CON_FRAME_MAX);
        con_put(t, f->json, f->len, CON_FRAME_MAX);
        any = true;
    }
}

/* The open orders from the engine's order table, as a JSON array. */
void console_open_orders(console *c, con_text *t)
{
    uint64_t len = 0;
    const tf_order_slot *slots = c->src.sseg.base ? tf_segment_region(&c->src.sseg, TF_REGION_ORDERS, &len) : NULL;
    con_put(t, "[", 1, CON_FRAME_MAX);
    uint64_t n = slots ? len / sizeof *slots : 0, shown = 0;
    for (uint64_t i = 0; i < n && shown < 500; i++) {
        if (!tf_load_32(&slots[i].used))
            continue;
        tf_order o;
        if (!tf_seqlock_copy(&slots[i].seq, &o, &slots[i].order, sizeof o, 1000) || final_state(o.state))
            continue;
        const tf_md_instrument_info *in = oob_source_instrument(&c->src, o.instrument);
        if (!in)
            continue;
        char px[48], qty[48], cum[48];
        tf_fixed_format(px, sizeof px, o.price, in->price_precision);
        tf_fixed_format(qty, sizeof qty, o.qty, in->qty_precision);
        tf_fixed_format(cum, sizeof cum, o.cum_qty, in->qty_precision);
        con_printf(t, CON_FRAME_MAX,
                   "%s{\"order_id\":%" PRIu64 ",\"strategy\":%u,\"symbol\":\"%s\",\"side\":\"%s\",\"type\":\"%s\","
                   "\"status\":\"%s\",\"price\":\"%s\",\"qty\":\"%s\",\"filled\":\"%s\",\"updated_ms\":%" PRIu64 "}",
                   shown++ ? "," : "", o.order_id, o.strategy, in->symbol, o.side ? "sell" : "buy",
                   o.type ? "market" : "limit", o.state < TF_OS_COUNT ? tf_ord_state_names[o.state] : "?", px, qty,
                   cum, o.updated_realtime_ns / 1000000u);
    }
    con_put(t, "]", 1, CON_FRAME_MAX);
}

/* The day's PnL (the risk gate's daily_pnl), every 5 s; 24 h kept. */
void console_pnl_sample(console *c, uint64_t now_ns)
{
    if (now_ns - c->pnl_last_ns < 5000000000ull || !c->src.state)
        return;
    c->pnl_last_ns = now_ns;
    const tf_state_slot *slot = tf_state_find(c->src.state, TF_STATE_RISK, "risk");
    tf_risk_status r;
    uint64_t upd;
    if (!slot || tf_state_read(slot, &r, sizeof r, 1000, &upd) != TF_STATE_OK)
        return;
    con_pnl *p = &c->pnl[c->pnl_total++ % CON_PNL];
    p->t_ms = tf_realtime_ns() / 1000000u;
    p->daily = r.daily_pnl;
}

void console_pnl(const console *c, con_text *t, uint64_t from)
{
    uint64_t first = c->pnl_total > CON_PNL ? c->pnl_total - CON_PNL : 0;
    if (from > first)
        first = from;
    char v[48];
    for (uint64_t i = first; i < c->pnl_total; i++) {
        const con_pnl *p = &c->pnl[i % CON_PNL];
        tf_fixed_format(v, sizeof v, p->daily, TF_MONEY_PRECISION);
        con_printf(t, CON_FRAME_MAX, "%s[%" PRIu64 ",%s]", i > first ? "," : "", p->t_ms, v);
    }
}

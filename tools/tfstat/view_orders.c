/* tfstat's order path: the risk gate's status (trading state, kill switch,
 * exposure, PnL), the OMS's (open orders, events, impossible reports),
 * orders by state from the order table, and positions; read from the
 * engine's state segment (seqlocked records) and its orders segment. */
#include <inttypes.h>
#include <stdio.h>

#include "shm/catalog.h"
#include "shm/orders.h"
#include "shm/records.h"
#include "shm/segment.h"
#include "shm/state.h"
#include "tools/oob/md_view.h"
#include "tools/tfstat/tfstat.h"

typedef struct order_view {
    int have_risk, have_oms;
    tf_risk_status risk;
    tf_oms_status oms;
    uint32_t by_state[TF_OS_COUNT];
    uint32_t table_used;
} order_view;

int order_view_is_kind(uint16_t kind)
{
    return kind == TF_STATE_POSITION || kind == TF_STATE_RISK || kind == TF_STATE_OMS;
}

/* 0 when the engine runs no order path. */
static int order_view_load(order_view *ov, const tf_state_table *state, const tf_segment *seg)
{
    memset(ov, 0, sizeof *ov);
    if (!state)
        return 0;
    const tf_state_slot *r = tf_state_find(state, TF_STATE_RISK, "risk");
    const tf_state_slot *o = tf_state_find(state, TF_STATE_OMS, "oms");
    ov->have_risk = r && tf_state_read(r, &ov->risk, sizeof ov->risk, 1000, NULL) == TF_STATE_OK;
    ov->have_oms = o && tf_state_read(o, &ov->oms, sizeof ov->oms, 1000, NULL) == TF_STATE_OK;
    uint64_t len = 0;
    const tf_order_slot *t = seg && seg->base ? tf_segment_region(seg, TF_REGION_ORDERS, &len) : NULL;
    for (uint64_t k = 0; t && k < len / sizeof *t; k++) {
        /* A racy census: one state byte per slot, good enough for counts. */
        if (!tf_load_32(&t[k].used))
            continue;
        uint8_t st = __atomic_load_n(&t[k].order.state, __ATOMIC_RELAXED);
        ov->table_used++;
        if (st < TF_OS_COUNT)
            ov->by_state[st]++;
    }
    return ov->have_risk || ov->have_oms || t;
}

/* Money (10^-8 quote) as its exact decimal text. */
static const char *order_view_money(int64_t v) { return view_fixed8(v); }

static void order_view_print(FILE *f, const tf_state_table *state, const tf_segment *seg)
{
    order_view ov;
    if (!order_view_load(&ov, state, seg))
        return;
    fprintf(f, "\norder path\n");
    if (ov.have_risk)
        fprintf(f, "  risk    %s   kill switch %s%s   open orders %u   gross exposure %s   "
                   "daily PnL %s (realized %s, unrealized %s)   accepted %" PRIu64 "   refused %" PRIu64
                   " (last: %s)\n",
                ov.risk.trading_state < TF_TS_COUNT ? tf_trading_state_names[ov.risk.trading_state] : "?",
                ov.risk.kill_active ? "ON: " : "off",
                ov.risk.kill_active && ov.risk.kill_trigger < TF_KILL_TRIGGER_COUNT
                    ? tf_kill_trigger_names[ov.risk.kill_trigger] : "",
                ov.risk.open_orders, order_view_money(ov.risk.gross_exposure),
                order_view_money(ov.risk.daily_pnl), order_view_money(ov.risk.realized),
                order_view_money(ov.risk.unrealized), ov.risk.accepted, ov.risk.rejected,
                ov.risk.last_reject_reason < TF_RJ_REASON_COUNT
                    ? tf_reject_reason_names[ov.risk.last_reject_reason] : "?");
    if (ov.have_oms)
        fprintf(f, "  oms     open %u of %u slots   events %" PRIu64 "   fills %" PRIu64
                   "   impossible reports %" PRIu64 "   replayed at start %" PRIu64 "\n",
                ov.oms.open_orders, ov.oms.table_capacity, ov.oms.events, ov.oms.fills, ov.oms.illegal,
                ov.oms.replayed);
    fprintf(f, "  orders ");
    for (int s = 1; s < TF_OS_COUNT; s++)
        if (ov.by_state[s])
            fprintf(f, "  %s %u", tf_ord_state_names[s], ov.by_state[s]);
    fprintf(f, ov.table_used ? "\n" : "  none yet\n");
    md_view md;
    md_view_load(&md, state);
    uint32_t n = tf_load_32(&state->slot_count);
    n = n < state->slot_capacity ? n : state->slot_capacity;
    for (uint32_t i = 0; i < n; i++) {
        const tf_state_slot *s = &state->slots[i];
        tf_position p;
        if (s->kind != TF_STATE_POSITION || tf_state_read(s, &p, sizeof p, 1000, NULL) != TF_STATE_OK ||
            (!p.fills && strchr(s->key, '/')))
            continue;
        fprintf(f, "  position %-14.16s qty %s   avg %s   realized %s   unrealized %s   fees %s   fills %" PRIu64 "\n",
                s->key, md_view_qty(&md, p.instrument, p.qty), p.qty ? md_view_px(&md, p.instrument, p.avg_px) : "-",
                order_view_money(p.realized), order_view_money(p.unrealized), order_view_money(p.fees), p.fills);
    }
}

static void order_view_json(FILE *f, const tf_state_table *state, const tf_segment *seg)
{
    order_view ov;
    if (!order_view_load(&ov, state, seg))
        return;
    fprintf(f, ",\"orders\":{\"trading_state\":\"%s\",\"kill_active\":%u,\"kill_trigger\":%u,\"open_orders\":%u,"
               "\"gross_exposure\":%s,\"daily_pnl\":%s,\"realized\":%s,\"unrealized\":%s,"
               "\"accepted\":%" PRIu64 ",\"rejected\":%" PRIu64 ",\"events\":%" PRIu64 ",\"fills\":%" PRIu64
               ",\"illegal_reports\":%" PRIu64 ",\"by_state\":{",
            ov.risk.trading_state < TF_TS_COUNT ? tf_trading_state_names[ov.risk.trading_state] : "?",
            ov.risk.kill_active, ov.risk.kill_trigger, ov.oms.open_orders,
            order_view_money(ov.risk.gross_exposure), order_view_money(ov.risk.daily_pnl),
            order_view_money(ov.risk.realized), order_view_money(ov.risk.unrealized), ov.risk.accepted,
            ov.risk.rejected, ov.oms.events, ov.oms.fills, ov.oms.illegal);
    int first = 1;
    for (int s = 1; s < TF_OS_COUNT; s++)
        if (ov.by_state[s]) {
            fprintf(f, "%s\"%s\":%u", first ? "" : ",", tf_ord_state_names[s], ov.by_state[s]);
            first = 0;
        }
    fprintf(f, "},\"positions\":[");
    first = 1;
    uint32_t n = tf_load_32(&state->slot_count);
    n = n < state->slot_capacity ? n : state->slot_capacity;
    for (uint32_t i = 0; i < n; i++) {
        const tf_state_slot *s = &state->slots[i];
        tf_position p;
        if (s->kind != TF_STATE_POSITION || tf_state_read(s, &p, sizeof p, 1000, NULL) != TF_STATE_OK)
            continue;
        fprintf(f, "%s{\"key\":\"%.16s\",\"instrument\":%u,\"strategy\":%u,\"qty\":%" PRId64 ",\"avg_px\":%" PRId64
                   ",\"realized\":%s,\"unrealized\":%s,\"fees\":%s,\"fills\":%" PRIu64 "}",
                first ? "" : ",", s->key, p.instrument, p.strategy, p.qty, p.avg_px, order_view_money(p.realized),
                order_view_money(p.unrealized), order_view_money(p.fees), p.fills);
        first = 0;
    }
    fprintf(f, "]}");
}

void section_orders(render *r, const frame *fr)
{
    if (!fr->v->state)
        return;
    if (r->json)
        order_view_json(r->f, fr->v->state, &fr->v->opt[VIEW_STATE]);
    else
        order_view_print(r->f, fr->v->state, &fr->v->opt[VIEW_STATE]);
}

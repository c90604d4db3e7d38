/* tfstat's order path: the risk gate's status (trading state, kill switch,
 * exposure, PnL), the OMS's (open orders, events, impossible reports),
 * orders by state from the order table, and positions; read from the
 * engine's state segment (seqlocked records) and its orders segment. */
#include <inttypes.h>
#include <stdio.h>

#include "shm/orders.h"
#include "shm/catalog.h"
#include "shm/records.h"
#include "shm/segment.h"
#include "shm/state.h"
#include "tools/oob/md_view.h"
#include "tools/oob/stat/tfstat.h"

typedef struct order_view {
    int have_risk, have_oms;
    tf_risk_status risk;
    tf_oms_status oms;
    uint32_t by_state[TF_OS_COUNT];
    uint32_t table_used;
} order_view;

int order_view_is_kind(uint16_t kind)
{
    return kind == TF_STATE_POSITION || kind == TF_STATE_RISK || kind == TF_STATE_OMS ||
           kind == TF_STATE_VENUE_SESSION || /* the venue section's */
           kind == TF_STATE_ORDER_COUNTS;    /* for the exporters */
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

/* The risk gate's and the OMS's status: one record, text two lines (risk,
 * oms), JSON the first members of "orders". */
enum { O_TS, O_KILL, O_TRIGGER, O_RISK_OPEN, O_GROSS, O_DAILY, O_REAL, O_UNREAL, O_ACC, O_REF, O_LAST,
       O_RISK_END, /* text: the risk line */
       O_OMS_OPEN, O_CAP, O_EVENTS, O_FILLS, O_ILLEGAL, O_REPLAYED, O_COLS /* the oms line */ };
static const rcol status_cols[O_COLS] = {
    [O_TS] = {.pre = "  risk    ", .key = "trading_state", .fmt = RF_STR},
    [O_KILL] = {.pre = "   kill switch ", .key = "kill_active", .fmt = RF_U64},
    [O_TRIGGER] = {.pre = "", .key = "kill_trigger", .fmt = RF_U64},
    [O_RISK_OPEN] = {.pre = "   open orders ", .fmt = RF_U64},
    [O_GROSS] = {.pre = "   gross exposure ", .key = "gross_exposure", .fmt = RF_RAW},
    [O_DAILY] = {.pre = "   daily PnL ", .key = "daily_pnl", .fmt = RF_RAW},
    [O_REAL] = {.pre = " (realized ", .key = "realized", .fmt = RF_RAW},
    [O_UNREAL] = {.pre = ", unrealized ", .key = "unrealized", .fmt = RF_RAW},
    [O_ACC] = {.pre = ")   accepted ", .key = "accepted", .fmt = RF_U64},
    [O_REF] = {.pre = "   refused ", .key = "rejected", .fmt = RF_U64},
    [O_LAST] = {.pre = " (last: ", .fmt = RF_STR},
    [O_RISK_END] = {.pre = ")", .fmt = RF_STR},
    [O_OMS_OPEN] = {.pre = "  oms     open ", .key = "open_orders", .fmt = RF_U64},
    [O_CAP] = {.pre = " of ", .fmt = RF_U64},
    [O_EVENTS] = {.pre = " slots   events ", .key = "events", .fmt = RF_U64},
    [O_FILLS] = {.pre = "   fills ", .key = "fills", .fmt = RF_U64},
    [O_ILLEGAL] = {.pre = "   impossible reports ", .key = "illegal_reports", .fmt = RF_U64},
    [O_REPLAYED] = {.pre = "   replayed at start ", .fmt = RF_U64},
};
static const int status_json_order[] = {O_TS, O_KILL, O_TRIGGER, O_OMS_OPEN, O_GROSS, O_DAILY, O_REAL,
                                        O_UNREAL, O_ACC, O_REF, O_EVENTS, O_FILLS, O_ILLEGAL, -1};

static void status_rows(render *r, const order_view *ov)
{
    const tf_risk_status *k = &ov->risk;
    const tf_oms_status *o = &ov->oms;
    rcell c[O_COLS] = {
        [O_TS] = {.s = k->trading_state < TF_TS_COUNT ? tf_trading_state_names[k->trading_state] : "?"},
        [O_KILL] = {.u = k->kill_active, .text = k->kill_active ? "ON: " : "off"},
        [O_TRIGGER] = {.u = k->kill_trigger,
                       .text = k->kill_active && k->kill_trigger < TF_KILL_TRIGGER_COUNT
                                   ? tf_kill_trigger_names[k->kill_trigger] : ""},
        [O_RISK_OPEN] = {.u = k->open_orders},
        [O_GROSS] = {.s = order_view_money(k->gross_exposure)},
        [O_DAILY] = {.s = order_view_money(k->daily_pnl)},
        [O_REAL] = {.s = order_view_money(k->realized)},
        [O_UNREAL] = {.s = order_view_money(k->unrealized)},
        [O_ACC] = {.u = k->accepted},
        [O_REF] = {.u = k->rejected},
        [O_LAST] = {.s = k->last_reject_reason < TF_RJ_REASON_COUNT ? tf_reject_reason_names[k->last_reject_reason]
                                                                    : "?"},
        [O_OMS_OPEN] = {.u = o->open_orders},
        [O_CAP] = {.u = o->table_capacity},
        [O_EVENTS] = {.u = o->events},
        [O_FILLS] = {.u = o->fills},
        [O_ILLEGAL] = {.u = o->illegal},
        [O_REPLAYED] = {.u = o->replayed},
    };
    rtable t = {.cols = status_cols, .ncols = O_COLS, .members = 1, .json_order = status_json_order};
    if (r->json) {
        render_row(r, &t, c);
        return;
    }
    if (ov->have_risk)
        render_line(r, &t, c, O_TS, O_OMS_OPEN);
    if (ov->have_oms)
        render_line(r, &t, c, O_OMS_OPEN, O_COLS);
}

/* Orders by state: text "  orders   New 3  Filled 5", JSON a "by_state"
 * object; a column per state that has orders, made here. */
static void by_state_row(render *r, const order_view *ov)
{
    rcol cols[TF_OS_COUNT + 2];
    rcell c[TF_OS_COUNT + 2];
    char pre[TF_OS_COUNT][40];
    int n = 0;
    cols[n] = (rcol){.pre = "  orders ", .fmt = RF_STR};
    c[n++] = (rcell){.text = ""};
    for (int s = 1; s < TF_OS_COUNT; s++) {
        if (!ov->by_state[s])
            continue;
        snprintf(pre[s], sizeof pre[s], "  %s ", tf_ord_state_names[s]);
        cols[n] = (rcol){.pre = pre[s], .key = tf_ord_state_names[s], .fmt = RF_U64};
        c[n++] = (rcell){.u = ov->by_state[s]};
    }
    cols[n] = (rcol){.pre = "", .fmt = RF_STR};
    c[n++] = (rcell){.text = ov->table_used ? "" : "  none yet"};
    rtable t = {.cols = cols, .ncols = n, .line = 1, .members = 1};
    if (r->json) {
        fputs(",\"by_state\":{", r->f);
        render_row(r, &t, c);
        fputc('}', r->f);
    } else {
        render_line(r, &t, c, 0, n);
    }
}

/* A position: text a line (only the aggregate ones and the per-strategy
 * ones that traded), JSON an object of "positions". */
enum { P_KEY, P_INSTRUMENT, P_STRATEGY, P_QTY, P_AVG, P_REAL, P_UNREAL, P_FEES, P_FILLS, P_COLS };
static const rcol position_cols[P_COLS] = {
    [P_KEY] = {.pre = "  position ", .width = -14, .key = "key", .fmt = RF_STR},
    [P_INSTRUMENT] = {.key = "instrument", .fmt = RF_U64},
    [P_STRATEGY] = {.key = "strategy", .fmt = RF_U64},
    [P_QTY] = {.pre = " qty ", .key = "qty", .fmt = RF_I64},
    [P_AVG] = {.pre = "   avg ", .key = "avg_px", .fmt = RF_I64},
    [P_REAL] = {.pre = "   realized ", .key = "realized", .fmt = RF_RAW},
    [P_UNREAL] = {.pre = "   unrealized ", .key = "unrealized", .fmt = RF_RAW},
    [P_FEES] = {.pre = "   fees ", .key = "fees", .fmt = RF_RAW},
    [P_FILLS] = {.pre = "   fills ", .key = "fills", .fmt = RF_U64},
};

static void position_rows(render *r, const tf_state_table *state)
{
    md_view md;
    md_view_load(&md, state);
    rtable t = {.cols = position_cols, .ncols = P_COLS, .line = 1};
    uint32_t n = tf_load_32(&state->slot_count);
    n = n < state->slot_capacity ? n : state->slot_capacity;
    for (uint32_t i = 0; i < n; i++) {
        const tf_state_slot *s = &state->slots[i];
        tf_position p;
        if (s->kind != TF_STATE_POSITION || tf_state_read(s, &p, sizeof p, 1000, NULL) != TF_STATE_OK ||
            (!r->json && !p.fills && strchr(s->key, '/')))
            continue;
        rcell c[P_COLS] = {
            [P_KEY] = {.s = s->key, .n = sizeof s->key},
            [P_INSTRUMENT] = {.u = p.instrument},
            [P_STRATEGY] = {.u = p.strategy},
            [P_QTY] = {.i = p.qty, .text = md_view_qty(&md, p.instrument, p.qty)},
            [P_AVG] = {.i = p.avg_px, .text = p.qty ? md_view_px(&md, p.instrument, p.avg_px) : "-"},
            [P_REAL] = {.s = order_view_money(p.realized)},
            [P_UNREAL] = {.s = order_view_money(p.unrealized)},
            [P_FEES] = {.s = order_view_money(p.fees)},
            [P_FILLS] = {.u = p.fills},
        };
        render_row(r, &t, c);
    }
}

void section_orders(render *r, const frame *fr)
{
    order_view ov;
    if (!fr->v->state || !order_view_load(&ov, fr->v->state, &fr->v->opt[VIEW_STATE]))
        return;
    fputs(r->json ? ",\"orders\":{" : "\norder path\n", r->f);
    status_rows(r, &ov);
    by_state_row(r, &ov);
    if (r->json)
        fputs(",\"positions\":[", r->f);
    position_rows(r, fr->v->state);
    fputs(r->json ? "]}" : "", r->f);
}

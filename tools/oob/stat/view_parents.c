/* tfstat's parent orders: what the algo stage runs now (state segment,
 * region "parents", one seqlocked record each): the algorithm, how much
 * is filled against what the schedule wants by now, the average price and
 * its slippage against the arrival mid and the interval's market VWAP. */
#include <inttypes.h>
#include <stdio.h>

#include "shm/catalog.h"
#include "shm/parents.h"
#include "shm/segment.h"
#include "shm/state.h"
#include "tools/oob/md_view.h"
#include "tools/oob/stat/tfstat.h"

enum { A_ID, A_KIND, A_SYMBOL, A_SIDE, A_STATE, A_QTY, A_FILLED, A_TARGET, A_AVG, A_ARR, A_VWAP, A_KIDS, A_COLS };
static const rcol parent_cols[A_COLS] = {
    [A_ID] = {.key = "parent_id", .fmt = RF_U64},
    [A_KIND] = {"algo", -8, "  ", "algo", RF_STR},
    [A_SYMBOL] = {"symbol", -9, " ", "symbol", RF_STR},
    [A_SIDE] = {"side", -4, " ", "side", RF_STR},
    [A_STATE] = {"state", -8, " ", "state", RF_STR},
    [A_QTY] = {"qty", 13, " ", "qty", RF_I64},
    [A_FILLED] = {"filled", 13, " ", "filled", RF_I64},
    [A_TARGET] = {"schedule", 13, " ", "target", RF_I64},
    [A_AVG] = {"avg", 12, " ", "avg_px", RF_I64},
    [A_ARR] = {"vs arrival", 11, " ", "slippage_bp", RF_RATE},
    [A_VWAP] = {"vs vwap", 10, " ", "vs_vwap_bp", RF_RATE},
    [A_KIDS] = {"children", 9, " ", "children", RF_U64},
};

void section_parents(render *r, const frame *fr)
{
    uint64_t len = 0;
    const tf_segment *seg = &fr->v->opt[VIEW_STATE];
    const tf_parent_slot *slots = seg->base ? tf_segment_region(seg, TF_REGION_PARENTS, &len) : NULL;
    if (!slots)
        return; /* no algo stage */
    md_view md;
    md_view_load(&md, fr->v->state);
    rtable t = {.title = "parents", .cols = parent_cols, .ncols = A_COLS, .name_width = 12};
    if (r->json)
        fputs(",\"parents\":[", r->f);
    else
        render_head(r, &t);
    int shown = 0;
    for (uint64_t k = 0; k < len / sizeof *slots; k++) {
        tf_parent_status p;
        if (!tf_load_32(&slots[k].used) || !tf_seqlock_copy(&slots[k].seq, &p, &slots[k].p, sizeof p, 1000) ||
            !p.parent_id)
            continue;
        uint32_t i = p.instrument;
        char arr[32], vw[32];
        snprintf(arr, sizeof arr, "%.2fbp", (double)p.slippage_mbp / 1000.0);
        snprintf(vw, sizeof vw, "%.2fbp", (double)p.vs_vwap_mbp / 1000.0);
        char id[24];
        snprintf(id, sizeof id, "%" PRIu64, p.parent_id);
        rcell c[A_COLS] = {
            [A_ID] = {.u = p.parent_id, .s = id, .text = id},
            [A_KIND] = {.s = p.kind < TF_ALGO_KIND_END ? tf_algo_kind_names[p.kind] : "?"},
            [A_SYMBOL] = {.s = md_view_symbol(&md, i)},
            [A_SIDE] = {.s = p.side ? "sell" : "buy"},
            [A_STATE] = {.s = p.state < TF_ALGO_STATE_END ? tf_algo_state_names[p.state] : "?"},
            [A_QTY] = {.i = p.qty, .text = md_view_qty(&md, i, p.qty)},
            [A_FILLED] = {.i = p.filled, .text = md_view_qty(&md, i, p.filled)},
            [A_TARGET] = {.i = p.target, .text = md_view_qty(&md, i, p.target)},
            [A_AVG] = {.i = p.avg_px, .text = p.avg_px ? md_view_px(&md, i, p.avg_px) : "-"},
            [A_ARR] = {.d = (double)p.slippage_mbp / 1000.0, .text = arr},
            [A_VWAP] = {.d = (double)p.vs_vwap_mbp / 1000.0, .text = vw},
            [A_KIDS] = {.u = p.children},
        };
        render_row(r, &t, c);
        shown++;
    }
    if (r->json)
        fputs("]", r->f);
    else if (!shown)
        fputs("  none running\n", r->f);
}

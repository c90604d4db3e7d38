/* tfctl: parent orders (see algo_cmd.h). */
#include "tools/tfctl/algo_cmd.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/algo/algo.h"
#include "shm/common.h"

const char tfctl_algo_usage[] =
    "  algo twap|vwap|pov|iceberg SYMBOL buy|sell QTY [--limit PX] [--start S] [--duration S]\n"
    "       [--slice S] [--style market|touch|mid|passive] [--offset TICKS] [--resubmit S]\n"
    "       [--size-jitter PCT] [--time-jitter PCT] [--participation BPS] [--min Q] [--max Q]\n"
    "       [--end-policy sweep|stop]        (times in seconds; --start from now)\n"
    "  algo pause|resume|cancel ID | algo amend ID [--qty Q] [--limit PX] [--end S] | parents\n";

static int pick(const char *v, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (names[i] && strcmp(v, names[i]) == 0)
            return i;
    return -1;
}

static uint64_t seconds_ns(const char *v) { return (uint64_t)(strtod(v, NULL) * 1e9); }

#define FAIL(...) (snprintf(err, cap, __VA_ARGS__), (uint64_t)0)

static uint64_t tfctl__control(tfc *c, int na, char **a, char *err, size_t cap)
{
    int action = pick(a[0], tf_algo_action_names, TF_ALGO_ACT_END);
    if (action <= TF_ALGO_ACT_START || na < 2)
        return FAIL("algo pause|resume|cancel|amend ID ...");
    uint64_t id = strtoull(a[1], NULL, 10);
    int64_t qty = 0, limit = 0;
    uint64_t end = 0;
    tf_parent_status ps[64];
    int n = tfc_parents(c, ps, 64), ins = -1;
    for (int k = 0; k < n; k++)
        if (ps[k].parent_id == id)
            ins = (int)ps[k].instrument;
    for (int i = 2; i + 1 < na; i += 2) {
        if (action != TF_ALGO_ACT_AMEND)
            return FAIL("only amend takes options");
        if (ins < 0)
            return FAIL("no running parent %" PRIu64, id);
        if (!strcmp(a[i], "--qty") && tfc_qty_units(c, ins, a[i + 1], &qty) == 0)
            continue;
        if (!strcmp(a[i], "--limit") && tfc_price_units(c, ins, a[i + 1], &limit) == 0)
            continue;
        if (!strcmp(a[i], "--end")) {
            end = tf_realtime_ns() + seconds_ns(a[i + 1]);
            continue;
        }
        return FAIL("bad option %s %s", a[i], a[i + 1]);
    }
    return tfc_algo_control(c, id, action, qty, limit, end);
}

uint64_t tfctl_algo_request(tfc *c, int na, char **a, char *err, size_t cap)
{
    if (na < 1)
        return FAIL("algo: what?");
    int kind = pick(a[0], tf_algo_kind_names, TF_ALGO_KIND_END);
    if (kind <= 0)
        return tfctl__control(c, na, a, err, cap);
    if (na < 4 || (na - 4) % 2)
        return FAIL("algo %s SYMBOL buy|sell QTY [--option VALUE]...", a[0]);
    int ins = tfc_instrument(c, a[1]);
    if (ins < 0)
        return FAIL("unknown symbol %s", a[1]);
    tf_algo_params p = {.kind = (uint8_t)kind, .instrument = (uint32_t)ins};
    if (strcmp(a[2], "buy") && strcmp(a[2], "sell"))
        return FAIL("side must be buy or sell");
    p.side = strcmp(a[2], "sell") == 0;
    if (tfc_qty_units(c, ins, a[3], &p.qty) != 0)
        return FAIL("bad quantity %s", a[3]);
    uint64_t now = tf_realtime_ns(), duration = 0;
    p.start_ns = now;
    for (int i = 4; i + 1 < na; i += 2) {
        const char *k = a[i], *v = a[i + 1];
        int x;
        if (!strcmp(k, "--limit")) {
            if (tfc_price_units(c, ins, v, &p.limit_price) != 0)
                return FAIL("bad price %s", v);
        } else if (!strcmp(k, "--start")) {
            p.start_ns = now + seconds_ns(v);
        } else if (!strcmp(k, "--duration")) {
            duration = seconds_ns(v);
        } else if (!strcmp(k, "--slice")) {
            p.slice_ns = seconds_ns(v);
        } else if (!strcmp(k, "--resubmit")) {
            p.resubmit_ns = seconds_ns(v);
        } else if (!strcmp(k, "--style") && (x = pick(v, tf_algo_price_style_names, TF_ALGO_PX_END)) >= 0) {
            p.price_style = (uint8_t)x;
        } else if (!strcmp(k, "--end-policy") && (x = pick(v, tf_algo_end_policy_names, TF_ALGO_END_POLICY_END)) >= 0) {
            p.end_policy = (uint8_t)x;
        } else if (!strcmp(k, "--offset")) {
            p.offset_ticks = atoi(v);
        } else if (!strcmp(k, "--size-jitter")) {
            p.size_jitter_pct = (uint8_t)atoi(v);
        } else if (!strcmp(k, "--time-jitter")) {
            p.time_jitter_pct = (uint8_t)atoi(v);
        } else if (!strcmp(k, "--participation")) {
            p.participation_bps = (uint16_t)atoi(v);
        } else if (!strcmp(k, "--min")) {
            if (tfc_qty_units(c, ins, v, &p.min_child) != 0)
                return FAIL("bad quantity %s", v);
        } else if (!strcmp(k, "--max")) {
            if (tfc_qty_units(c, ins, v, &p.max_child) != 0)
                return FAIL("bad quantity %s", v);
        } else {
            return FAIL("unknown option %s (or a bad value %s)", k, v);
        }
    }
    if (duration)
        p.end_ns = p.start_ns + duration;
    /* The algorithm's own rules, here with every word of the reason. */
    tf_algo_instrument ai;
    char why[160];
    if (tfc_lot_tick(c, ins, &ai.lot_size, &ai.tick_size) != 0)
        return FAIL("no lot and tick for %s", a[1]);
    ai.min_qty = ai.lot_size;
    if (tf_algo_check(&p, &ai, now, why, sizeof why) != 0)
        return FAIL("algo %s refused: %s", a[0], why);
    return tfc_algo_new(c, &p);
}

int tfctl_list_parents(tfc *c)
{
    tf_parent_status ps[64];
    int n = tfc_parents(c, ps, 64);
    if (n < 0) {
        fprintf(stderr, "tfctl: this engine runs no algo stage\n");
        return 1;
    }
    printf("%-10s %-8s %-8s %-4s %-8s %14s %14s %14s %12s %10s %10s %5s\n", "parent", "algo", "symbol", "side",
           "state", "qty", "filled", "target", "avg", "vs_arrival", "vs_vwap", "kids");
    for (int k = 0; k < n; k++) {
        const tf_parent_status *p = &ps[k];
        int i = (int)p->instrument;
        char q[40], f[40], t[40], px[40];
        printf("%-10" PRIu64 " %-8s %-8s %-4s %-8s %14s %14s %14s %12s %9.2fbp %9.2fbp %5u\n", p->parent_id,
               p->kind < TF_ALGO_KIND_END ? tf_algo_kind_names[p->kind] : "?", tfc_symbol(c, i),
               p->side ? "sell" : "buy", p->state < TF_ALGO_STATE_END ? tf_algo_state_names[p->state] : "?",
               tfc_qty_text(c, i, p->qty, q, sizeof q), tfc_qty_text(c, i, p->filled, f, sizeof f),
               tfc_qty_text(c, i, p->target, t, sizeof t),
               p->avg_px ? tfc_price_text(c, i, p->avg_px, px, sizeof px) : "-", (double)p->slippage_mbp / 1000.0,
               (double)p->vs_vwap_mbp / 1000.0, p->children);
    }
    return 0;
}

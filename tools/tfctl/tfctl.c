/* tfctl: operate a running engine through its request ring and read its
 * orders, positions and limits from the state segment (the client library,
 * include/tradefan/client.h). Every request waits for its answer in the
 * order journal and prints it; a rejection prints the reason.
 *
 *   tfctl [-n INSTANCE] [-d DIR] [-s STRATEGY] COMMAND ...
 *     ping [-c COUNT]
 *     new SYMBOL buy|sell QTY PRICE|market [gtc|ioc|fok]
 *     cancel ORDER_ID | replace ORDER_ID PRICE QTY | cancel-all
 *     orders [--all] | positions | risk | limits | quote SYMBOL
 *     limit NAME TARGET VALUE      (TARGET a symbol, a strategy id, or "" for global)
 *     kill on [--flatten] | kill off | state ACTIVE|REDUCING|HALTED
 *     resolve ORDER_ID canceled | resolve ORDER_ID filled QTY PRICE
 *     session reset [N|all]
 *     algo twap|vwap|pov|iceberg SYMBOL buy|sell QTY [--option VALUE]...
 *     algo pause|resume|cancel ID | algo amend ID [--qty Q] [--limit PX] [--end S] | parents
 *   tfctl up|down|status -c CONFIG [tfsup options]
 *     the box's services through the supervisor (tfsup, beside tfctl):
 *     up starts them all (or, when they run, what is held or waiting),
 *     down stops them, status shows each one's state
 *
 * A new order, a cancel or a replace is answered twice: the risk gate's
 * (accepted, pending), then the venue's first word about the order (New, a
 * fill, Canceled, Replaced, or a refusal — a venue that is down refuses at
 * once); both are printed. `resolve` settles an order of
 * unknown fate (the venue forgot it) as the venue's statement says;
 * `session reset` starts a venue session's sequence numbers again at 1
 * (after the venue reset its own without saying so: tfstat shows the
 * session halted). Both are the operator's (strategy 0) and journaled with
 * this process's uid.
 *
 * Exit codes: 0 done (accepted), 1 usage or refused — by the risk gate or
 * the venue (the reason printed),
 * 2 no engine (or not running), 3 wrong layout version, 4 not a TradeFan
 * segment or no order path, 5 no answer in time. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "include/tradefan/client.h"
#include "tools/tfctl/algo_cmd.h"
#include "shm/err.h"
#include "shm/fixed.h"
#include "shm/segment.h"
#include "shm/state.h"

#define TFCTL_WAIT_MS 3000

/* tfctl up|down|status ARGS...: tfsup from tfctl's own folder, with
 * --daemon, --down or --status for the word. */
static int supervisor(int argc, char **argv)
{
    char path[512];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 8);
    if (n <= 0) {
        fprintf(stderr, "tfctl: where am I?\n");
        return 2;
    }
    path[n] = 0;
    strcpy(strrchr(path, '/') + 1, "tfsup");
    char *args[64];
    int k = 0;
    args[k++] = path;
    args[k++] = !strcmp(argv[1], "up") ? "--daemon" : !strcmp(argv[1], "down") ? "--down" : "--status";
    for (int i = 2; i < argc && k < 63; i++)
        args[k++] = argv[i];
    args[k] = NULL;
    execv(path, args);
    fprintf(stderr, "tfctl: cannot run %s: %s\n", path, strerror(errno));
    return 2;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tfctl [-n INSTANCE] [-d DIR] [-s STRATEGY] COMMAND ...\n"
            "  ping [-c COUNT]\n"
            "  new SYMBOL buy|sell QTY PRICE|market [gtc|ioc|fok]\n"
            "  cancel ORDER_ID | replace ORDER_ID PRICE QTY | cancel-all\n"
            "  orders [--all] | positions | risk | limits | quote SYMBOL\n"
            "  limit NAME TARGET VALUE   (TARGET: symbol, strategy id, or \"\" for global)\n"
            "  kill on [--flatten] | kill off | state ACTIVE|REDUCING|HALTED\n"
            "  resolve ORDER_ID canceled | resolve ORDER_ID filled QTY PRICE\n"
            "  session reset [N|all]\n%s"
            "usage: tfctl up|down|status -c CONFIG   the box's services (tfsup)\n", tfctl_algo_usage);
}

/* Money (10^-8 quote) as its exact decimal text (a few may share one printf). */
static const char *money_text(int64_t v)
{
    static char bufs[8][40];
    static unsigned next;
    char *b = bufs[next++ % 8];
    if (!tf_fixed_format(b, sizeof bufs[0], v, TF_MONEY_PRECISION))
        snprintf(b, sizeof bufs[0], "?");
    return b;
}

static const char *kill_trigger_name(uint32_t t)
{
    return t < TF_KILL_TRIGGER_COUNT ? tf_kill_trigger_names[t] : "?";
}

static void print_event(tfc *c, const tf_order_event *ev)
{
    char px[40], q[40], cum[40];
    int i = (int)ev->instrument;
    printf("%s order=%" PRIu64 " req=%" PRIu64 " strategy=%u", tfc_event_name(ev->kind), ev->order_id,
           ev->client_req_id, ev->strategy);
    if (ev->kind <= TF_EV_EXPIRED && ev->order_id)
        printf(" %s %s %s@%s filled=%s state=%s", tfc_symbol(c, i), ev->side ? "sell" : "buy",
               tfc_qty_text(c, i, ev->qty, q, sizeof q),
               ev->type ? "market" : tfc_price_text(c, i, ev->price, px, sizeof px),
               tfc_qty_text(c, i, ev->cum_qty, cum, sizeof cum), tfc_state_name(ev->state));
    if (ev->kind == TF_EV_FILL)
        printf(" last=%s@%s fee=%s", tfc_qty_text(c, i, ev->last_qty, q, sizeof q),
               tfc_price_text(c, i, ev->last_px, px, sizeof px), money_text(ev->fee));
    if (ev->kind == TF_EV_PARENT_ACCEPTED)
        printf(" parent=%" PRIu64 " algo=%s", ev->order_id,
               ev->reason < TF_ALGO_KIND_END ? tf_algo_kind_names[ev->reason] : "?");
    else if (ev->kind == TF_EV_PARENT_CONTROL)
        printf(" action=%s", ev->reason < TF_ALGO_ACT_END ? tf_algo_action_names[ev->reason] : "?");
    else if (ev->reason && ev->kind != TF_EV_LIMIT_SET && ev->kind != TF_EV_KILL)
        printf(" reason=%s", tfc_reason_name(ev->reason));
    if (ev->kind == TF_EV_KILL)
        printf(" open_orders=%" PRId64, ev->arg);
    if (ev->kind == TF_EV_RESOLVED)
        printf(" state=%s by_uid=%" PRId64, tfc_state_name(ev->state), ev->arg);
    if (ev->kind == TF_EV_SESSION_RESET && ev->qty < 0)
        printf(" session=all by_uid=%" PRId64, ev->arg);
    else if (ev->kind == TF_EV_SESSION_RESET)
        printf(" session=%" PRId64 " by_uid=%" PRId64, ev->qty, ev->arg);
    printf("\n");
}

static int refused(const tf_order_event *ev)
{
    return ev->kind == TF_EV_REJECTED || ev->kind == TF_EV_CANCEL_REJECTED ? 1 : 0;
}

/* Send done; wait for the answer and print it into *ev: the exit code. */
static int answer_event(tfc *c, uint64_t req, tf_order_event *ev)
{
    if (!req) {
        fprintf(stderr, "tfctl: %s\n", tfc_error(c));
        return 1;
    }
    if (!tfc_wait(c, req, TFCTL_WAIT_MS, ev)) {
        fprintf(stderr, "tfctl: %s\n", tfc_error(c));
        return 5;
    }
    print_event(c, ev);
    return refused(ev);
}

static int answer(tfc *c, uint64_t req)
{
    tf_order_event ev;
    return answer_event(c, req, &ev);
}

/* A new order, a cancel or a replace: the gate's answer, then (when it
 * passed) the venue's first word about the order. */
static int answer_venue(tfc *c, uint64_t req)
{
    tf_order_event ev;
    int rc = answer_event(c, req, &ev);
    if (!req || rc == 5 ||
        (ev.kind != TF_EV_ACCEPTED && ev.kind != TF_EV_PENDING_CANCEL && ev.kind != TF_EV_PENDING_REPLACE))
        return rc;
    tf_order_event v;
    if (!tfc_wait_venue(c, ev.order_id, TFCTL_WAIT_MS, &v)) {
        printf("pending order=%" PRIu64 ": no answer from the venue yet (tfctl orders shows its fate)\n",
               ev.order_id);
        return 0;
    }
    print_event(c, &v);
    return refused(&v);
}

static int list_orders(tfc *c, int all)
{
    static tf_order os[4096];
    int n = tfc_orders(c, os, 4096, !all);
    printf("%-10s %-10s %-3s %-4s %-6s %16s %14s %14s %-16s %s\n", "order", "symbol", "str", "side",
           "type", "price", "qty", "filled", "state", "avg_px");
    for (int k = 0; k < n; k++) {
        const tf_order *o = &os[k];
        char px[40], q[40], cum[40], avg[40];
        int i = (int)o->instrument;
        printf("%-10" PRIu64 " %-10s %-3u %-4s %-6s %16s %14s %14s %-16s %s\n", o->order_id,
               tfc_symbol(c, i), o->strategy, o->side ? "sell" : "buy", o->type ? "market" : "limit",
               o->type ? "-" : tfc_price_text(c, i, o->price, px, sizeof px),
               tfc_qty_text(c, i, o->qty, q, sizeof q), tfc_qty_text(c, i, o->cum_qty, cum, sizeof cum),
               tfc_state_name(o->state), o->cum_qty ? tfc_price_text(c, i, o->avg_px, avg, sizeof avg) : "-");
    }
    printf("%d %s\n", n, all ? "orders in the table" : "open orders");
    return 0;
}

static int list_positions(tfc *c)
{
    tf_position ps[1024];
    printf("%-10s %-8s %14s %16s %16s %16s %14s\n", "symbol", "strategy", "qty", "avg_px", "realized",
           "unrealized", "fees");
    for (int pass = 0; pass < 2; pass++) {
        for (int s = pass ? 0 : -1; s < (pass ? (int)TF_MAX_STRATEGIES : 0); s++) {
            int n = tfc_positions(c, s, ps, 1024);
            for (int k = 0; k < n; k++) {
                const tf_position *p = &ps[k];
                if (pass && !p->fills)
                    continue;
                char q[40], avg[40], who[16];
                int i = (int)p->instrument;
                snprintf(who, sizeof who, pass ? "%u" : "all", p->strategy);
                printf("%-10s %-8s %14s %16s %16s %16s %14s\n", tfc_symbol(c, i), who,
                       tfc_qty_text(c, i, p->qty, q, sizeof q),
                       p->qty ? tfc_price_text(c, i, p->avg_px, avg, sizeof avg) : "-",
                       money_text(p->realized), money_text(p->unrealized), money_text(p->fees));
            }
        }
    }
    return 0;
}

static int show_risk(tfc *c)
{
    tf_risk_status r;
    if (tfc_risk(c, &r) != 0) {
        fprintf(stderr, "tfctl: the risk gate has published no status yet\n");
        return 4;
    }
    printf("trading_state %s\nkill_switch %s%s%s\nopen_orders %u\ngross_exposure %s\n"
           "daily_pnl %s\nrealized %s\nunrealized %s\naccepted %" PRIu64 "\nrejected %" PRIu64
           "\nlast_reject %s\n",
           r.trading_state < TF_TS_COUNT ? tf_trading_state_names[r.trading_state] : "?",
           r.kill_active ? "ON (" : "off", r.kill_active ? kill_trigger_name(r.kill_trigger) : "",
           r.kill_active ? ")" : "", r.open_orders, money_text(r.gross_exposure),
           money_text(r.daily_pnl), money_text(r.realized), money_text(r.unrealized),
           r.accepted, r.rejected, tfc_reason_name((unsigned)r.last_reject_reason));
    return 0;
}

static void money(const char *name, const char *target, int64_t v)
{
    if (v)
        printf("%-30s %-10s %s\n", name, target, money_text(v));
    else
        printf("%-30s %-10s -\n", name, target);
}

static void count(const char *name, const char *target, uint64_t v)
{
    if (v)
        printf("%-30s %-10s %" PRIu64 "\n", name, target, v);
    else
        printf("%-30s %-10s -\n", name, target);
}

static int show_limits(tfc *c)
{
    tf_risk_limits l;
    if (tfc_limits(c, &l) != 0) {
        fprintf(stderr, "tfctl: the risk gate has published no limits\n");
        return 4;
    }
    printf("%-30s %-10s %s   (- = no limit; change: tfctl limit NAME TARGET VALUE)\n", "limit",
           "target", "value");
    money("max_gross_exposure", "", l.max_gross_exposure);
    count("max_concentration_pct", "", l.max_concentration_pct);
    money("daily_loss_limit", "", l.daily_loss);
    count("orders_per_s", "", l.g_rate[0]);
    count("cancels_per_s", "", l.g_rate[1]);
    count("replaces_per_s", "", l.g_rate[2]);
    count("max_open_orders", "", l.max_open);
    count("duplicate_count", "", l.dup_count);
    count("duplicate_window_ms", "", l.dup_window_ns / 1000000);
    count("reference_max_age_ms", "", l.ref_max_age_ns / 1000000);
    for (int i = 0; i < 64 && strcmp(tfc_symbol(c, i), "?") != 0; i++) {
        const char *sym = tfc_symbol(c, i);
        char b[40];
        printf("%-30s %-10s %s\n", "min_qty", sym, l.min_qty[i] ? tfc_qty_text(c, i, l.min_qty[i], b, sizeof b) : "-");
        printf("%-30s %-10s %s\n", "max_order_qty", sym, l.max_order_qty[i] ? tfc_qty_text(c, i, l.max_order_qty[i], b, sizeof b) : "-");
        money("max_order_notional", sym, l.max_order_notional[i]);
        printf("%-30s %-10s %s\n", "max_position", sym, l.max_position[i] ? tfc_qty_text(c, i, l.max_position[i], b, sizeof b) : "-");
        count("collar_bps", sym, l.collar_bps[i]);
        printf("%-30s %-10s %s\n", "tradable", sym, l.closed[i] ? "0 (closed)" : "1");
    }
    for (unsigned s = 1; s < TF_MAX_STRATEGIES; s++) {
        char t[8];
        snprintf(t, sizeof t, "%u", s);
        if (!l.s_max_order_notional[s] && !l.s_max_position_notional[s] && !l.s_daily_loss[s] &&
            !l.s_max_open[s] && !l.s_rate[0][s] && !l.s_rate[1][s] && !l.s_rate[2][s])
            continue;
        money("strategy.max_order_notional", t, l.s_max_order_notional[s]);
        money("strategy.max_position_notional", t, l.s_max_position_notional[s]);
        money("strategy.daily_loss_limit", t, l.s_daily_loss[s]);
        count("strategy.max_open_orders", t, l.s_max_open[s]);
        count("strategy.orders_per_s", t, l.s_rate[0][s]);
        count("strategy.cancels_per_s", t, l.s_rate[1][s]);
        count("strategy.replaces_per_s", t, l.s_rate[2][s]);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "up") || !strcmp(argv[1], "down") || !strcmp(argv[1], "status")))
        return supervisor(argc, argv);
    const char *inst = getenv("TRADEFAN_INSTANCE") ? getenv("TRADEFAN_INSTANCE") : "dev";
    const char *dir = "/dev/shm";
    unsigned strategy = 0;
    int ch;
    while ((ch = getopt(argc, argv, "+n:d:s:h")) != -1) {
        switch (ch) {
        case 'n': inst = optarg; break;
        case 'd': dir = optarg; break;
        case 's': strategy = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 1;
    }
    const char *cmd = argv[optind];
    char **a = argv + optind + 1;
    int na = argc - optind - 1;
    char err[600];
    tfc *c = tfc_open(inst, dir, strategy, err, sizeof err);
    if (!c) {
        fprintf(stderr, "tfctl: %s\n", err);
        return strstr(err, "no engine") || strstr(err, "not running") ? 2
               : strstr(err, "layout version")                        ? 3
                                                                      : 4;
    }
    int rc = 1;
    if (strcmp(cmd, "ping") != 0 && !tfc_has_order_path(c)) {
        fprintf(stderr, "tfctl: engine '%s' runs without the order path (no risk, oms and paper "
                        "stages in its config)\n", inst);
        tfc_close(c);
        return 4;
    }
    if (strcmp(cmd, "ping") == 0) {
        uint64_t count = 1;
        if (na == 2 && strcmp(a[0], "-c") == 0)
            count = strtoull(a[1], NULL, 10);
        uint64_t sent = 0;
        for (; sent < count && tfc_ping(c); sent++)
            ;
        if (sent < count)
            fprintf(stderr, "tfctl: %s\n", tfc_error(c));
        printf("tfctl: %" PRIu64 " pings submitted to %s\n", sent, inst);
        rc = sent == count ? 0 : 1;
    } else if (strcmp(cmd, "new") == 0 && (na == 4 || na == 5)) {
        bool market = strcmp(a[3], "market") == 0;
        rc = answer_venue(c, tfc_new_order(c, a[0], a[1], market ? "market" : "limit", na == 5 ? a[4] : "",
                                         market ? NULL : a[3], a[2]));
    } else if (strcmp(cmd, "cancel") == 0 && na == 1) {
        rc = answer_venue(c, tfc_cancel(c, strtoull(a[0], NULL, 10)));
    } else if (strcmp(cmd, "replace") == 0 && na == 3) {
        rc = answer_venue(c, tfc_replace(c, strtoull(a[0], NULL, 10), a[1], a[2]));
    } else if (strcmp(cmd, "cancel-all") == 0 && na == 0) {
        rc = answer(c, tfc_cancel_all(c));
    } else if (strcmp(cmd, "orders") == 0) {
        rc = list_orders(c, na == 1 && strcmp(a[0], "--all") == 0);
    } else if (strcmp(cmd, "positions") == 0) {
        rc = list_positions(c);
    } else if (strcmp(cmd, "risk") == 0) {
        rc = show_risk(c);
    } else if (strcmp(cmd, "limit") == 0 && na == 3) {
        rc = answer(c, tfc_set_limit(c, a[0], a[1], a[2]));
    } else if (strcmp(cmd, "kill") == 0 && na >= 1 && (!strcmp(a[0], "on") || !strcmp(a[0], "off"))) {
        rc = answer(c, tfc_kill(c, strcmp(a[0], "on") == 0, na == 2 && !strcmp(a[1], "--flatten")));
    } else if (strcmp(cmd, "resolve") == 0 && (na == 2 || na == 4)) {
        rc = answer(c, tfc_resolve(c, strtoull(a[0], NULL, 10), a[1], na == 4 ? a[2] : NULL,
                                   na == 4 ? a[3] : NULL));
    } else if (strcmp(cmd, "session") == 0 && na >= 1 && na <= 2 && strcmp(a[0], "reset") == 0) {
        int which = na == 1 || strcmp(a[1], "all") == 0 ? -1 : atoi(a[1]);
        rc = answer(c, tfc_session_reset(c, which));
    } else if (strcmp(cmd, "state") == 0 && na == 1) {
        rc = answer(c, tfc_set_state(c, a[0]));
    } else if (strcmp(cmd, "quote") == 0 && na == 1) {
        int64_t bid, ask;
        char b1[40], b2[40];
        int i = tfc_instrument(c, a[0]);
        if (i < 0 || tfc_quote(c, i, &bid, &ask) != 0) {
            fprintf(stderr, "tfctl: no top of book for %s\n", a[0]);
        } else {
            printf("%s %s\n", tfc_price_text(c, i, bid, b1, sizeof b1), tfc_price_text(c, i, ask, b2, sizeof b2));
            rc = 0;
        }
    } else if (strcmp(cmd, "limits") == 0) {
        rc = show_limits(c);
    } else if (strcmp(cmd, "algo") == 0) {
        char why[256] = "";
        uint64_t req = tfctl_algo_request(c, na, a, why, sizeof why);
        if (!req)
            fprintf(stderr, "tfctl: %s\n", why[0] ? why : tfc_error(c));
        rc = req ? answer(c, req) : 1;
    } else if (strcmp(cmd, "parents") == 0) {
        rc = tfctl_list_parents(c);
    } else {
        usage(stderr);
    }
    tfc_close(c);
    return rc;
}

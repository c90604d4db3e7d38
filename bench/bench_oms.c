/* make bench-oms: the risk gate + OMS per order, all checks enabled.
 * Latency: the request's send time (stamped as it enters the client's lane)
 * → the order handed to the venue ring, recorded by the OMS as in
 * production; the paper venue acknowledges and the next request cancels the
 * newest open order, so the table of open orders stays small. One thread,
 * pinned, runs submit → risk → OMS → venue in turn (the compact layout's
 * run to completion). Base, alternately in the same run: the same records
 * through the same rings with no stage logic (lane offer → lanes poll → SPSC
 * offer → SPSC poll): what the rings alone cost. Throughput: new + cancel pairs
 * back to back for 2 s, with what was refused (must be 0). Three runs; the
 * median run by p50 is reported, with the spread. */
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_util.h"
#include "tests/engine/orders/order_fixture.h"

#define RUNS 3
#define N 100000
#define LABEL_OURS "ours (request→venue)"
#define LABEL_BASE "base (rings only)"

static const char *yaml =
    "orders: {capacity: 16384}\n"
    "risk:\n"
    "  max_gross_exposure: \"100000000\"\n"
    "  max_concentration_pct: 100\n"
    "  daily_loss_limit: \"1000000\"\n"
    "  orders_per_s: 10000000\n"
    "  cancels_per_s: 10000000\n"
    "  max_open_orders: 1000\n"
    "  duplicate_count: 1000000\n"
    "  instruments:\n"
    "    - {symbol: BTCUSDT, min_qty: \"0.00001\", max_order_qty: \"1\", max_order_notional: \"100000\",\n"
    "       max_position: \"10000\", collar_bps: 500}\n"
    "  strategies:\n"
    "    - {id: 1, name: bench, max_open_orders: 1000, orders_per_s: 10000000, cancels_per_s: 10000000,\n"
    "       max_order_notional: \"100000\", max_position_notional: \"1000000000\", daily_loss_limit: \"1000000\"}\n";

typedef struct run_result {
    tf_hist_summary ours, base;
    double orders_per_s;
    uint64_t refused;
} run_result;

static void advance(fx *f)
{
    uint64_t now = tf_now_ns();
    f->now = now > f->now ? now : f->now; /* never backwards: the reference's age is now - written */
}

/* A new order, then a cancel of the one before it (the new one is timed,
 * and goes first). */
static void new_and_cancel(fx *f, int k)
{
    uint64_t prev = f->oms.open_head != TF_OMS_NIL ? f->table[f->oms.open_head].order.order_id : 0;
    int side = k % 2;
    fx_new(f, 1, 0, side, TF_LIMIT, (side ? 4301000 : 4299000) + k % 100, 100);
    if (prev) {
        tf_req_order c = {.order_id = prev};
        fx_submit(f, 1, TF_REQ_CANCEL, &c, sizeof c);
    }
    fx_run(f);
}

static void one_run(fx *f, tf_hist *ours, tf_hist *base, run_result *out)
{
    tf_hist_reset(ours);
    tf_hist_reset(base);
    f->oms.h_order = ours;
    tf_ring *in = &f->lanes.rings[f->lane], *mid = &f->risk_oms;
    uint64_t refused0 = f->risk.rejected;
    for (int i = 0; i < 2 * N; i++) {
        if (i % 64 == 0) {
            advance(f);
            fx_set_mid(f, 0, 4300000, 4300010);
        }
        if (i % 2 == 0) {
            advance(f);
            new_and_cancel(f, i / 2);
        } else {
            struct tf_request q = {.type = TF_REQ_NEW, .t_sent_ns = tf_now_ns()};
            tf_spsc_offer(in, &q, sizeof q);
            struct tf_request got;
            tf_lanes_poll(&f->lanes, &got, sizeof got);
            tf_order_cmd c = {.t_request_ns = got.t_sent_ns};
            tf_spsc_offer(mid, &c, sizeof c);
            tf_order_cmd c2;
            tf_spsc_poll(mid, &c2, sizeof c2);
            tf_hist_record(base, tf_now_ns() - c2.t_request_ns);
        }
    }
    f->oms.h_order = NULL;
    uint64_t t0 = tf_now_ns(), orders = 0;
    while (tf_now_ns() - t0 < 2000000000ull) {
        advance(f);
        fx_set_mid(f, 0, 4300000, 4300010);
        for (int k = 0; k < 64; k++, orders++) {
            advance(f);
            new_and_cancel(f, k);
        }
    }
    out->orders_per_s = (double)orders / ((double)(tf_now_ns() - t0) / 1e9);
    out->refused = f->risk.rejected - refused0;
    tf_hist_summarize(ours, &out->ours);
    tf_hist_summarize(base, &out->base);
}

int main(void)
{
    bench_calibrate();
    int cpu = bench_pin("bench_oms", 1);
    char dir[] = "/dev/shm/tf-bench-oms.XXXXXX";
    if (!mkdtemp(dir))
        bench_die("bench_oms", "mkdtemp");
    fx f;
    if (fx_open(&f, dir, yaml) != 0)
        return 1;
    tf_hist *ours = bench_hist_new(), *base = bench_hist_new();
    run_result r[RUNS];
    printf("risk gate + OMS on one thread (CPU %d): submit, risk, oms, paper in turn; %d orders a run\n",
           cpu, N);
    bench_print_run_header();
    uint64_t refused = 0;
    for (int k = 0; k < RUNS; k++) {
        one_run(&f, ours, base, &r[k]);
        refused += r[k].refused;
        char run[12];
        snprintf(run, sizeof run, "%d", k + 1);
        bench_print_run_row(run, LABEL_OURS, &r[k].ours, "ns");
        bench_print_run_row("", LABEL_BASE, &r[k].base, "ns");
        printf("%-5s sustained %.0f new orders/s (and as many cancels), %llu refused\n", "",
               r[k].orders_per_s, (unsigned long long)r[k].refused);
    }
    double rates[RUNS];
    for (int k = 0; k < RUNS; k++)
        rates[k] = r[k].orders_per_s;
    double spread_rate;
    double med_rate = bench_median(rates, RUNS, &spread_rate);
    qsort(r, RUNS, sizeof r[0], bench_cmp_p50);
    const run_result *m = &r[RUNS / 2];
    printf("median run by p50; spread of p50 across runs %.0f%%, of orders/s %.0f%%; refused in all: %llu\n",
           m->ours.p50 ? 100.0 * (double)(r[RUNS - 1].ours.p50 - r[0].ours.p50) / (double)m->ours.p50 : 0.0,
           100 * spread_rate, (unsigned long long)refused);
    bench_line("oms", "order_p50", (double)m->ours.p50, (double)m->base.p50, "ring_hops_only", "ns");
    bench_line("oms", "order_p99", (double)m->ours.p99, (double)m->base.p99, "ring_hops_only", "ns");
    bench_line("oms", "order_p999", (double)m->ours.p999, (double)m->base.p999, "ring_hops_only", "ns");
    bench_line("oms", "orders_per_s", med_rate, 0, NULL, "1/s");
    fx_close(&f);
    free(ours);
    free(base);
    rmdir(dir);
    return refused == 0 ? 0 : 1;
}

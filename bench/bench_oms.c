/* make bench-oms: the risk gate + OMS per order, all checks enabled.
 * Latency: the request's send time (stamped as it enters the request ring)
 * → the order handed to the venue ring, recorded by the OMS; the paper
 * venue acknowledges and the next request cancels it, so the book of open
 * orders stays small. One thread runs submit → risk → OMS → venue in turn
 * (the compact layout's run to completion). Base, measured alternately in
 * the same run: the same records through the same rings with no stage logic
 * (MPSC poll → SPSC offer → SPSC poll): what the rings alone cost.
 * Throughput: back to back for 2 s, orders per second with zero loss. */
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_util.h"
#include "tests/engine/order_fixture.h"

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

int main(void)
{
    bench_calibrate();
    char dir[] = "/dev/shm/tf-bench-oms.XXXXXX";
    if (!mkdtemp(dir))
        bench_die("bench_oms", "mkdtemp");
    fx f;
    if (fx_open(&f, dir, yaml) != 0)
        return 1;
    tf_hist *ours = bench_hist_new(), *base = bench_hist_new();
    f.oms.h_order = ours;
    const int N = 200000;
    uint64_t last_id = 0;
    /* The base: the same ring hops without any stage. */
    tf_ring *in = &f.requests, *mid = &f.risk_oms;
    for (int round = 0; round < 2 * N; round++) {
        if (round % 2 == 0) {
            f.now = tf_now_ns();
            if (last_id) {
                tf_req_order c = {.order_id = last_id};
                fx_submit(&f, 1, TF_REQ_CANCEL, &c, sizeof c);
            }
            int side = (round / 2) % 2;
            fx_new(&f, 1, 0, side, TF_LIMIT, (side ? 4301000 : 4299000) + (round / 2) % 100, 100);
            fx_set_mid(&f, 0, 4300000, 4300010);
            fx_run(&f);
            last_id = f.risk.next_order_id - 1;
        } else {
            struct tf_request q = {.type = TF_REQ_NEW, .t_sent_ns = tf_now_ns()};
            tf_mpsc_offer_fx_request(in, &q);
            struct tf_request got;
            tf_mpsc_poll_fx_request(in, &got);
            tf_order_cmd c = {.t_request_ns = got.t_sent_ns};
            tf_spsc_offer(mid, &c, sizeof c);
            tf_order_cmd c2;
            tf_spsc_poll(mid, &c2, sizeof c2);
            tf_hist_record(base, tf_now_ns() - c2.t_request_ns);
        }
    }
    /* Sustained: submit new+cancel pairs back to back for 2 s. */
    f.oms.h_order = NULL;
    uint64_t t0 = tf_now_ns(), orders = 0, accepted0 = f.risk.accepted, rejected0 = f.risk.rejected;
    while (tf_now_ns() - t0 < 2000000000ull) {
        for (int k = 0; k < 64; k++) {
            f.now = tf_now_ns();
            tf_req_order c = {.order_id = last_id};
            fx_submit(&f, 1, TF_REQ_CANCEL, &c, sizeof c);
            fx_new(&f, 1, 0, k % 2, TF_LIMIT, (k % 2 ? 4301000 : 4299000) + k, 100);
            fx_run(&f);
            last_id = f.risk.next_order_id - 1;
            orders++;
        }
        fx_set_mid(&f, 0, 4300000, 4300010);
    }
    double secs = (double)(tf_now_ns() - t0) / 1e9;
    uint64_t rejected = f.risk.rejected - rejected0;
    printf("risk gate + OMS, one thread (submit, risk, oms, paper in turn); %d orders each\n", N);
    bench_print_hist_header();
    tf_hist_summary so, sb;
    bench_print_hist("ours (request→venue)", ours, "ns", &so);
    bench_print_hist("base (rings only)", base, "ns", &sb);
    printf("sustained: %.0f new orders/s (+ as many cancels), %llu requests accepted, %llu refused "
           "(last reason %s)\n", (double)orders / secs, (unsigned long long)(f.risk.accepted - accepted0),
           (unsigned long long)rejected, tf_reject_reason_names[f.risk.last_reason]);
    bench_line("oms", "order_p50", (double)so.p50, (double)sb.p50, "ring_hops_only", "ns");
    bench_line("oms", "order_p99", (double)so.p99, (double)sb.p99, "ring_hops_only", "ns");
    bench_line("oms", "order_p999", (double)so.p999, (double)sb.p999, "ring_hops_only", "ns");
    bench_line("oms", "orders_per_s", (double)orders / secs, 0, NULL, "1/s");
    fx_close(&f);
    rmdir(dir);
    return 0;
}

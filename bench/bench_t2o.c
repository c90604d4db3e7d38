/* make bench-t2o: tick-to-order inside the engine with the sample plugin
 * strategy, on the compact layout: one pinned thread runs strategy → risk →
 * OMS → venue to completion, as the 2-core configuration does. Measured:
 * a market-data record published to the journal → the order it causes
 * handed to the venue ring, recorded by the OMS (tick_to_order_ns, as in
 * production). The plugin (build/lib/sample_strategy.so, every=1) answers
 * each trade with a new order or a cancel of its working one, so every
 * other record causes a new order. Base, alternately in the same run: the same
 * journal append → read → SPSC ring hop with no stage logic (the path's data
 * movement alone). Three runs, the median run by p50 reported with the
 * spread. Target (issue 5): p50 < 2 us, p99 < 10 us on this machine. */
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_util.h"
#include "engine/orders/strategy_host.h"
#include "tests/engine/orders/order_fixture.h"

#define RUNS 3
#define N 100000
#define LABEL_OURS "ours (md→venue ring)"
#define LABEL_BASE "base (journal+ring)"

static const char *yaml =
    "orders: {capacity: 16384, plugin: build/lib/sample_strategy.so,\n"
    "         plugin_params: \"symbol=BTCUSDT,every=1,offset_ticks=20,qty_lots=100\", plugin_strategy: 1}\n"
    "risk:\n"
    "  max_gross_exposure: \"100000000\"\n"
    "  daily_loss_limit: \"1000000\"\n"
    "  orders_per_s: 10000000\n"
    "  cancels_per_s: 10000000\n"
    "  max_open_orders: 1000\n"
    "  duplicate_count: 1000000\n"
    "  instruments:\n"
    "    - {symbol: BTCUSDT, max_order_qty: \"1\", max_order_notional: \"100000\", max_position: \"10000\",\n"
    "       collar_bps: 500}\n";

typedef struct run_result {
    tf_hist_summary ours, base;
} run_result;

int main(void)
{
    bench_calibrate();
    int cpu = bench_pin("bench_t2o", 1);
    char dir[] = "/dev/shm/tf-bench-t2o.XXXXXX";
    if (!mkdtemp(dir))
        bench_die("bench_t2o", "mkdtemp");
    fx f;
    if (fx_open(&f, dir, yaml) != 0)
        return 1;
    tf_segment mdseg;
    tf_journal md;
    tf_seg_layout lay;
    char path[256];
    snprintf(path, sizeof path, "%s/tradefan.fx.md", dir);
    tf_journal_layout(&lay, 1u << 16, 128);
    if (tf_segment_create(&mdseg, path, "fx", "md", &lay, 0600, TF_STALE_ACTION_REPLACE) != 0 ||
        tf_journal_init(&md, &mdseg, "md", 1u << 16, 128) != 0)
        bench_die("bench_t2o", tf_err_msg());
    tf_stage s_strat = {.name = "strategy"};
    tf_strategy_host host;
    if (tf_strategy_host_init(&s_strat, &host, &f.cfg, &f.ins, NULL, &f.strat, &md, &f.journal) != 0) {
        fprintf(stderr, "bench_t2o: %s (run `make` first: the plugin is build/lib/sample_strategy.so)\n",
                tf_err_msg());
        return 1;
    }
    tf_hist *ours = bench_hist_new(), *base = bench_hist_new();
    /* The base's own ring and reader. */
    tf_ring base_ring;
    uint64_t blen = tf_ring_region_size(4096, sizeof(tf_risk_feedback));
    void *bmem = aligned_alloc(4096, (blen + 4095) / 4096 * 4096);
    memset(bmem, 0, blen);
    tf_ring_init(&base_ring, bmem, blen, "base", TF_RING_SPSC, 4096, sizeof(tf_risk_feedback));
    /* The base's own journal, the same size: the strategy never sees its records. */
    tf_segment bseg;
    tf_journal bj;
    char bpath[256];
    snprintf(bpath, sizeof bpath, "%s/tradefan.fx.base", dir);
    if (tf_segment_create(&bseg, bpath, "fx", "base", &lay, 0600, TF_STALE_ACTION_REPLACE) != 0 ||
        tf_journal_init(&bj, &bseg, "base", 1u << 16, 128) != 0)
        bench_die("bench_t2o", tf_err_msg());
    tf_journal_reader rd;
    tf_journal_reader_init(&rd, &bj, TF_JOURNAL_FROM_LIVE);
    uint8_t slot[128];
    tf_journal_slot *s = (tf_journal_slot *)slot;
    uint64_t trade_id = 1;
    const int64_t px = 4300000;
    run_result r[RUNS];
    printf("tick-to-order on one thread (CPU %d, the compact layout), sample plugin on every trade; "
           "%d records a run\n", cpu, 2 * N);
    bench_print_run_header();
    uint64_t refused0 = f.risk.rejected;
    for (int k = 0; k < RUNS; k++) {
        tf_hist_reset(ours);
        tf_hist_reset(base);
        f.oms.h_t2o = ours;
        for (int i = 0; i < 2 * N; i++) {
            uint64_t now = tf_now_ns();
            f.now = now > f.now ? now : f.now;
            if (i % 64 == 0)
                fx_set_mid(&f, 0, px - 5, px + 5);
            tf_md_trade t = {.instrument = 0, .kind = TF_MD_TRADE, .price = px, .qty = 100,
                             .trade_id = trade_id, .first_trade_id = trade_id, .last_trade_id = trade_id};
            trade_id++;
            t.hops.published_ns = tf_now_ns();
            tf_journal_append(i % 2 == 0 ? &md : &bj, TF_REC_MD_TRADE, &t, sizeof t);
            if (i % 2 == 0) {
                /* One duty cycle of the compact thread: strategy, risk, OMS, venue. */
                s_strat.poll(&s_strat, f.now);
                f.s_risk.poll(&f.s_risk, f.now);
                f.s_oms.poll(&f.s_oms, f.now);
                f.s_paper.poll(&f.s_paper, f.now);
                /* The venue's answers back through the OMS to the plugin, off the clock. */
                f.s_oms.poll(&f.s_oms, f.now);
                f.s_risk.poll(&f.s_risk, f.now);
                s_strat.poll(&s_strat, f.now);
            } else {
                while (tf_journal_read(&rd, s) != TF_JR_OK)
                    ;
                const tf_md_trade *got = (const tf_md_trade *)s->payload;
                tf_risk_feedback fb = {.order_id = got->hops.published_ns};
                tf_spsc_offer(&base_ring, &fb, sizeof fb);
                tf_risk_feedback out;
                tf_spsc_poll(&base_ring, &out, sizeof out);
                tf_hist_record(base, tf_now_ns() - out.order_id);
            }
        }
        tf_hist_summarize(ours, &r[k].ours);
        tf_hist_summarize(base, &r[k].base);
        char run[12];
        snprintf(run, sizeof run, "%d", k + 1);
        bench_print_run_row(run, LABEL_OURS, &r[k].ours, "ns");
        bench_print_run_row("", LABEL_BASE, &r[k].base, "ns");
    }
    uint64_t refused = f.risk.rejected - refused0;
    qsort(r, RUNS, sizeof r[0], bench_cmp_p50);
    const run_result *m = &r[RUNS / 2];
    printf("median run by p50; spread of p50 across runs %.0f%%; orders refused by the risk gate: %llu "
           "(last reason %s)\n",
           m->ours.p50 ? 100.0 * (double)(r[RUNS - 1].ours.p50 - r[0].ours.p50) / (double)m->ours.p50 : 0.0,
           (unsigned long long)refused, tf_reject_reason_names[f.risk.last_reason]);
    bench_line("t2o", "p50", (double)m->ours.p50, (double)m->base.p50, "journal_ring_hop", "ns");
    bench_line("t2o", "p99", (double)m->ours.p99, (double)m->base.p99, "journal_ring_hop", "ns");
    bench_line("t2o", "p999", (double)m->ours.p999, (double)m->base.p999, "journal_ring_hop", "ns");
    printf("target p50 < 2000 ns: %s; p99 < 10000 ns: %s\n", m->ours.p50 < 2000 ? "met" : "MISSED",
           m->ours.p99 < 10000 ? "met" : "MISSED");
    tf_strategy_host_close(&host);
    fx_close(&f);
    tf_segment_close(&mdseg);
    unlink(path);
    tf_segment_close(&bseg);
    unlink(bpath);
    free(bmem);
    free(ours);
    free(base);
    rmdir(dir);
    return refused == 0 ? 0 : 1;
}

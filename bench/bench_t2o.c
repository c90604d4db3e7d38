/* make bench-t2o: tick-to-order inside the engine with the sample plugin
 * strategy, on the compact layout (one thread runs strategy → risk → OMS →
 * venue to completion, as the 2-core configuration does): a market-data
 * record published to the journal → the order it causes handed to the venue
 * ring, recorded by the OMS (tick_to_order_ns, as in production). The
 * plugin (build/lib/sample_strategy.so, every=1) answers each trade with a
 * new order or a cancel of its working one, so half the records cause an
 * order. Base, alternately in the same run: the same journal append → read
 * → SPSC ring hop with no stage logic (what the path's data movement
 * alone costs). Target (issue 5): p50 < 2 us, p99 < 10 us. */
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_util.h"
#include "engine/strategy_host.h"
#include "tests/engine/order_fixture.h"

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

int main(void)
{
    bench_calibrate();
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
    f.oms.h_t2o = ours;
    /* The base's ring and reader. */
    tf_ring base_ring, *hop = &base_ring;
    uint64_t blen = tf_ring_region_size(4096, sizeof(tf_risk_feedback));
    void *bmem = aligned_alloc(4096, (blen + 4095) / 4096 * 4096);
    memset(bmem, 0, blen);
    tf_ring_init(&base_ring, bmem, blen, "base", TF_RING_SPSC, 4096, sizeof(tf_risk_feedback));
    tf_journal_reader rd;
    tf_journal_reader_init(&rd, &md, TF_JOURNAL_FROM_LIVE);
    uint8_t slot[128];
    const int N = 200000;
    uint64_t trade_id = 1;
    int64_t px = 4300000;
    for (int i = 0; i < 2 * N; i++) {
        uint64_t now = tf_now_ns();
        f.now = now;
        if (i % 64 == 0)
            fx_set_mid(&f, 0, px - 5, px + 5);
        tf_md_trade t = {.instrument = 0, .kind = TF_MD_TRADE, .price = px, .qty = 100,
                         .trade_id = trade_id, .first_trade_id = trade_id, .last_trade_id = trade_id};
        trade_id++;
        t.hops.published_ns = tf_now_ns();
        if (i % 2 == 0) {
            tf_journal_append(&md, TF_REC_MD_TRADE, &t, sizeof t);
            /* One duty cycle of the compact thread: strategy, risk, OMS, venue. */
            s_strat.poll(&s_strat, now);
            f.s_risk.poll(&f.s_risk, now);
            f.s_oms.poll(&f.s_oms, now);
            f.s_paper.poll(&f.s_paper, now);
            /* The venue's acks back through the OMS to the plugin, off the clock. */
            f.s_oms.poll(&f.s_oms, now);
            s_strat.poll(&s_strat, now);
        } else {
            tf_journal_append(&md, TF_REC_MD_TRADE, &t, sizeof t);
            tf_journal_slot *s = (tf_journal_slot *)slot;
            while (tf_journal_read(&rd, s) != TF_JR_OK)
                ;
            const tf_md_trade *got = (const tf_md_trade *)s->payload;
            tf_risk_feedback fb = {.order_id = got->hops.published_ns};
            tf_spsc_offer(hop, &fb, sizeof fb);
            tf_risk_feedback out;
            tf_spsc_poll(hop, &out, sizeof out);
            tf_hist_record(base, tf_now_ns() - out.order_id);
        }
        if (i % 2 == 0) {
            /* The base reader skips the record the strategy took. */
            tf_journal_slot *s = (tf_journal_slot *)slot;
            tf_journal_read(&rd, s);
        }
    }
    printf("tick-to-order, one thread (compact layout), sample plugin every trade; %d records each\n", N);
    bench_print_hist_header();
    tf_hist_summary so, sb;
    bench_print_hist("ours (md→venue ring)", ours, "ns", &so);
    bench_print_hist("base (journal+ring)", base, "ns", &sb);
    printf("orders: %llu accepted by the risk gate, %llu refused (last reason %s)\n",
           (unsigned long long)f.risk.accepted, (unsigned long long)f.risk.rejected,
           tf_reject_reason_names[f.risk.last_reason]);
    bench_line("t2o", "p50", (double)so.p50, (double)sb.p50, "journal_ring_hop", "ns");
    bench_line("t2o", "p99", (double)so.p99, (double)sb.p99, "journal_ring_hop", "ns");
    bench_line("t2o", "p999", (double)so.p999, (double)sb.p999, "journal_ring_hop", "ns");
    printf("target p50 < 2000 ns: %s; p99 < 10000 ns: %s\n", so.p50 < 2000 ? "met" : "MISSED",
           so.p99 < 10000 ? "met" : "MISSED");
    tf_strategy_host_close(&host);
    free(bmem);
    fx_close(&f);
    tf_segment_close(&mdseg);
    unlink(path);
    rmdir(dir);
    return 0;
}

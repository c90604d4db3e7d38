/* An order path in one process for unit tests and benches: two
 * instruments, a state table with the feed's top-of-book and last-trade
 * slots (set_mid() moves the market), request lanes (fx_submit writes into
 * its claimed lane, as a client does), the risk gate, the OMS and the paper
 * venue connected by real SPSC rings, and an order journal. run() polls the
 * stages until nothing moves. */
#ifndef TF_TESTS_ORDER_FIXTURE_H
#define TF_TESTS_ORDER_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/conf/config.h"
#include "engine/orders/oms.h"
#include "engine/orders/paper.h"
#include "engine/orders/risk.h"
#include "shm/err.h"
#include "shm/journal.h"
#include "shm/lanes.h"
#include "shm/records.h"

typedef struct fx {
    tf_config cfg;
    tf_instruments ins;
    tf_state_table *state;
    tf_state_slot *top[2], *last[2];
    void *ring_mem[6];
    tf_ring requests, risk_oms, oms_venue, venue_oms, oms_risk;
    tf_ring strat;                 /* an in-engine strategy → risk */
    void *lanes_mem;
    tf_lanes lanes;                /* client lanes; fx_submit writes into its own */
    int lane;
    tf_segment jseg;
    tf_journal journal;
    tf_journal_reader reader;
    tf_order_slot *table;
    tf_stage s_risk, s_oms, s_paper;
    tf_risk risk;
    tf_oms oms;
    tf_paper paper;
    uint64_t req_id;
    uint64_t now;
} fx;

TF_MPSC_PROTOTYPE(fx_request, tf_request)

/* Order journal slots (the fuzz target makes it small: it opens a fixture per input). */
static uint32_t fx_journal_slots = 1u << 20;

static inline void fx_ring(fx *f, int k, tf_ring *r, uint32_t cap, uint32_t size, tf_ring_kind kind)
{
    uint64_t len = tf_ring_region_size(cap, size);
    f->ring_mem[k] = aligned_alloc(4096, (len + 4095) / 4096 * 4096);
    memset(f->ring_mem[k], 0, len);
    tf_ring_init(r, f->ring_mem[k], len, "fx", kind, cap, size);
}

static inline void fx_set_mid(fx *f, uint32_t i, int64_t bid, int64_t ask)
{
    tf_md_top t = {.instrument = i, .book_state = 1, .bid_price = bid, .bid_qty = 100000,
                   .ask_price = ask, .ask_qty = 100000};
    tf_state_write(f->top[i], &t, sizeof t, f->now);
}

/* Open with the config's order/risk sections as given in `yaml_risk`. */
static inline int fx_open(fx *f, const char *dir, const char *yaml_extra)
{
    memset(f, 0, sizeof *f);
    char yaml[8192], err[512];
    snprintf(yaml, sizeof yaml,
             "instance: fx\n"
             "instruments:\n"
             "  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: \"0.01\", "
             "lot_size: \"0.00001\", min_notional: \"5\"}\n"
             "  - {symbol: ETHUSDT, price_precision: 2, qty_precision: 4, tick_size: \"0.01\", "
             "lot_size: \"0.0001\", min_notional: \"5\"}\n"
             "%s"
             "threads:\n  - {name: hot, stages: [risk, oms, paper]}\n",
             yaml_extra);
    if (tf_config_parse(yaml, strlen(yaml), "fx.yaml", 2, &f->cfg, err, sizeof err) != 0) {
        fprintf(stderr, "fixture config: %s\n", err);
        return -1;
    }
    for (uint32_t i = 0; i < f->cfg.instrument_count; i++) {
        const tf_cfg_instrument *c = &f->cfg.instruments[i];
        tf_instruments_add(&f->ins, c->symbol, c->venue, c->price_precision, c->qty_precision,
                           c->tick_size, c->lot_size, c->min_notional, c->max_price);
    }
    f->state = calloc(1, tf_state_region_size(256));
    tf_state_table_init(f->state, 256);
    f->now = 1000000000ull;
    for (uint32_t i = 0; i < 2; i++) {
        f->top[i] = tf_state_claim(f->state, TF_STATE_MD_TOP, f->ins.items[i].symbol);
        f->last[i] = tf_state_claim(f->state, TF_STATE_MD_LAST_TRADE, f->ins.items[i].symbol);
    }
    fx_set_mid(f, 0, 4300000, 4300010);   /* BTC 43000.00 / 43000.10 */
    fx_set_mid(f, 1, 300000, 300010);     /* ETH 3000.00 / 3000.10 */
    fx_ring(f, 0, &f->requests, 1024, sizeof(struct tf_request), TF_RING_MPSC);
    fx_ring(f, 1, &f->risk_oms, 4096, sizeof(tf_order_cmd), TF_RING_SPSC);
    fx_ring(f, 2, &f->oms_venue, 4096, sizeof(tf_venue_cmd), TF_RING_SPSC);
    fx_ring(f, 3, &f->venue_oms, 4096, sizeof(tf_exec_report), TF_RING_SPSC);
    fx_ring(f, 4, &f->oms_risk, 4096, sizeof(tf_risk_feedback), TF_RING_SPSC);
    fx_ring(f, 5, &f->strat, 4096, sizeof(struct tf_request), TF_RING_SPSC);
    uint64_t llen = tf_lanes_region_size(4, 1024, sizeof(struct tf_request));
    f->lanes_mem = aligned_alloc(4096, (llen + 4095) / 4096 * 4096);
    memset(f->lanes_mem, 0, llen);
    if (tf_lanes_init(&f->lanes, f->lanes_mem, llen, 4, 1024, sizeof(struct tf_request)) != 0 ||
        (f->lane = tf_lanes_claim(&f->lanes)) < 0)
        return -1;
    tf_seg_layout lay;
    tf_journal_layout(&lay, fx_journal_slots, 128);
    char path[256];
    snprintf(path, sizeof path, "%s/tradefan.fx.orders", dir);
    if (tf_segment_create(&f->jseg, path, "fx", "orders", &lay, 0600, TF_STALE_ACTION_REPLACE) != 0 ||
        tf_journal_init(&f->journal, &f->jseg, "orders", fx_journal_slots, 128) != 0) {
        fprintf(stderr, "fixture journal: %s\n", tf_err_msg());
        return -1;
    }
    tf_journal_reader_init(&f->reader, &f->journal, TF_JOURNAL_FROM_OLDEST);
    f->table = calloc(f->cfg.orders.capacity, sizeof(tf_order_slot));
    if (tf_risk_init(&f->s_risk, &f->risk, &f->cfg, &f->ins, NULL, f->state, &f->requests, &f->strat,
                     &f->oms_risk, &f->risk_oms) != 0 ||
        tf_oms_init(&f->s_oms, &f->oms, &f->cfg, &f->ins, NULL, f->state, f->table,
                    f->cfg.orders.capacity, &f->risk_oms, &f->venue_oms, &f->oms_venue, &f->oms_risk,
                    &f->journal) != 0 ||
        tf_paper_init(&f->s_paper, &f->paper, &f->cfg, &f->ins, NULL, &f->oms_venue, &f->venue_oms,
                      NULL) != 0) {
        fprintf(stderr, "fixture stages: %s\n", tf_err_msg());
        return -1;
    }
    f->risk.lanes = &f->lanes;
    tf_risk_bind_references(&f->risk, f->state);
    tf_oms_bind_references(&f->oms, f->state);
    f->req_id = 1;
    return 0;
}

static inline void fx_close(fx *f)
{
    tf_risk_free(&f->risk);
    tf_oms_free(&f->oms);
    tf_paper_free(&f->paper);
    tf_segment_close(&f->jseg);
    unlink(f->jseg.path);
    for (int k = 0; k < 6; k++)
        free(f->ring_mem[k]);
    free(f->lanes_mem);
    free(f->table);
    free(f->state);
}

static inline int fx_run(fx *f)
{
    int total = 0, w;
    do {
        f->now += 1000;
        w = f->s_risk.poll(&f->s_risk, f->now) + f->s_oms.poll(&f->s_oms, f->now) +
            f->s_paper.poll(&f->s_paper, f->now);
        total += w;
    } while (w > 0);
    return total;
}

/* Submit a request as `strategy`; returns its client request id. */
static inline uint64_t fx_submit(fx *f, uint32_t strategy, uint32_t type, const void *body, size_t len)
{
    /* Sent "now" on the real clock: the OMS times request → venue with it. */
    struct tf_request q = {.type = type, .source_id = strategy, .client_seq = f->req_id++,
                           .t_sent_ns = tf_now_ns()};
    if (body)
        memcpy(q.body, body, len);
    tf_spsc_offer(&f->lanes.rings[f->lane], &q, sizeof q); /* the client's own lane */
    return q.client_seq;
}

static inline uint64_t fx_new(fx *f, uint32_t strategy, uint32_t ins, int side, int type, int64_t px,
                              int64_t qty)
{
    tf_req_order b = {.instrument = ins, .side = (uint8_t)side, .type = (uint8_t)type,
                      .tif = type == TF_MARKET ? TF_IOC : TF_GTC, .price = px, .qty = qty};
    return fx_submit(f, strategy, TF_REQ_NEW, &b, sizeof b);
}

/* The first event answering request `req` (reads the journal from the start). */
static inline int fx_answer(fx *f, uint64_t req, tf_order_event *out)
{
    tf_journal_reader r;
    tf_journal_reader_init(&r, &f->journal, TF_JOURNAL_FROM_OLDEST);
    uint8_t buf[128];
    tf_journal_slot *s = (tf_journal_slot *)buf;
    while (tf_journal_read(&r, s) == TF_JR_OK) {
        const tf_order_event *ev = (const tf_order_event *)s->payload;
        if (ev->client_req_id == req) {
            *out = *ev;
            return 1;
        }
    }
    return 0;
}

#endif

/* Property test: seeded random streams of new, cancel and replace requests
 * from several strategies, with a moving market that fills orders on the
 * paper venue, never leave a limit breached and never lose or duplicate an
 * order: every request is answered exactly once, every accepted order has
 * one id, the OMS and the risk gate agree on what is open, and the filled
 * position never exceeds its limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "tests/engine/orders/order_fixture.h"
#include "tests/test_util.h"

#define STEPS 20000
#define MAX_POS 50000 /* 0.5 BTC */

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_random_streams(void **state)
{
    (void)state;
    fx f;
    if (test_dir_make("tf_prop") != 0)
        fail();
    assert_int_equal(fx_open(&f, test_dir,
                             "orders: {capacity: 4096}\n"
                             "risk:\n"
                             "  max_open_orders: 200\n"
                             "  duplicate_count: 0\n"
                             "  instruments:\n"
                             "    - {symbol: BTCUSDT, max_order_qty: \"0.3\", max_position: \"0.5\", collar_bps: 200}\n"
                             "  strategies:\n"
                             "    - {id: 1, name: a, max_open_orders: 40}\n"
                             "    - {id: 2, name: b}\n"
                             "    - {id: 3, name: c, orders_per_s: 100000}\n"), 0);
    static uint64_t reqs[STEPS];
    static uint8_t req_type[STEPS];
    uint64_t open_ids[512];
    int n_open = 0;
    int64_t mid = 4300000;
    for (int step = 0; step < STEPS; step++) {
        /* The market moves; depth and trades feed the paper venue. */
        mid += (int64_t)(rnd() % 201) - 100;
        fx_set_mid(&f, 0, mid - 5, mid + 5);
        tf_md_depth d = {.instrument = 0, .flags = TF_MD_DEPTH_FIRST | TF_MD_DEPTH_LAST, .qty = 20000};
        d.side = TF_SIDE_ASK;
        d.price = mid + 5 + (int64_t)(rnd() % 50);
        tf_paper_on_md(&f.paper, TF_REC_MD_DEPTH, &d);
        d.side = TF_SIDE_BID;
        d.price = mid - 5 - (int64_t)(rnd() % 50);
        tf_paper_on_md(&f.paper, TF_REC_MD_DEPTH, &d);
        if (rnd() % 4 == 0) {
            tf_md_trade t = {.instrument = 0, .price = mid + (int64_t)(rnd() % 400) - 200,
                             .qty = (int64_t)(rnd() % 20000) + 1};
            tf_paper_on_md(&f.paper, TF_REC_MD_TRADE, &t);
        }
        uint32_t s = 1 + (uint32_t)(rnd() % 3);
        unsigned what = (unsigned)(rnd() % 10);
        if (what < 6 || n_open == 0) {
            int side = (int)(rnd() % 2);
            int type = rnd() % 8 == 0 ? TF_MARKET : TF_LIMIT;
            int64_t px = mid + (side == TF_BUY ? -1 : 1) * ((int64_t)(rnd() % 600) - 100);
            reqs[step] = fx_new(&f, s, 0, side, type, type == TF_LIMIT ? px : 0,
                                (int64_t)(rnd() % 40000) + 100);
            req_type[step] = TF_REQ_NEW;
        } else {
            tf_req_order b = {.order_id = open_ids[rnd() % (uint64_t)n_open],
                              .price = mid + (int64_t)(rnd() % 400) - 200,
                              .qty = (int64_t)(rnd() % 40000) + 100};
            req_type[step] = what < 8 ? TF_REQ_CANCEL : TF_REQ_REPLACE;
            reqs[step] = fx_submit(&f, 0, req_type[step], &b, sizeof b);
        }
        f.now += 1000000; /* 1 ms per step: the marks run */
        fx_run(&f);
        /* Invariants after every step. */
        assert_true(f.oms.total[0].qty <= MAX_POS && f.oms.total[0].qty >= -MAX_POS);
        if (f.oms.open_count != f.risk.open_count) fail_msg("step %d: oms %u open, risk %u", step, f.oms.open_count, f.risk.open_count);
        assert_true(f.risk.total[0].pos.qty + f.risk.total[0].open_buy <= MAX_POS ||
                    f.risk.total[0].open_buy == 0);
        n_open = 0;
        for (uint32_t k = f.oms.open_head; k != TF_OMS_NIL && n_open < 512; k = f.oms.link_next[k])
            open_ids[n_open++] = f.table[k].order.order_id;
    }
    /* Every request answered exactly once; accepted order ids unique. */
    static uint8_t answered[STEPS];
    tf_journal_reader r;
    tf_journal_reader_init(&r, &f.journal, TF_JOURNAL_FROM_OLDEST);
    uint8_t buf[128];
    tf_journal_slot *sl = (tf_journal_slot *)buf;
    uint64_t accepted = 0, last_id = 0, illegal = 0;
    while (tf_journal_read(&r, sl) == TF_JR_OK) {
        const tf_order_event *ev = (const tf_order_event *)sl->payload;
        if (ev->kind == TF_EV_ILLEGAL && illegal++ < 5)
            printf("illegal: order %llu exec kind %lld state %s qty %lld cum %lld last %lld\n",
                   (unsigned long long)ev->order_id, (long long)ev->arg, tf_ord_state_names[ev->state],
                   (long long)ev->qty, (long long)ev->cum_qty, (long long)ev->last_qty);
        if (ev->kind == TF_EV_ACCEPTED) {
            assert_true(ev->order_id > last_id); /* ids only grow: none reused */
            last_id = ev->order_id;
            accepted++;
        }
        bool answer = ev->kind == TF_EV_ACCEPTED || ev->kind == TF_EV_REJECTED ||
                      ev->kind == TF_EV_PENDING_CANCEL || ev->kind == TF_EV_PENDING_REPLACE ||
                      (ev->kind == TF_EV_CANCEL_REJECTED && ev->arg != 0);
        if (!answer || ev->client_req_id == 0 || ev->client_req_id > STEPS)
            continue;
        if (ev->kind == TF_EV_REJECTED && ev->order_id != 0)
            continue; /* the venue's refusal of an accepted order, not an answer */
        answered[ev->client_req_id - 1]++;
    }
    for (int k = 0; k < STEPS; k++)
        if (answered[reqs[k] - 1] != 1)
            fail_msg("request %llu (type %u) answered %u times", (unsigned long long)reqs[k],
                     req_type[k], answered[reqs[k] - 1]);
    assert_int_equal(illegal, 0);
    assert_true(accepted > STEPS / 4);
    assert_true(f.oms.status.fills > 100);
    printf("%d requests: %llu accepted, %llu fills, position %lld\n", STEPS,
           (unsigned long long)accepted, (unsigned long long)f.oms.status.fills,
           (long long)f.oms.total[0].qty);
    fx_close(&f);
    test_dir_remove(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_random_streams)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The paper venue: acks, walking the book with partial fills (taker),
 * IOC/FOK/market remainders, resting orders filled by trades through their
 * price (maker), cancel and replace, and bookTicker keeping the book's top
 * current (a buy at the bid never fills at a stale ask). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/engine/orders/order_fixture.h"
#include "tests/test_util.h"

static fx F;
static uint64_t next_id = 1;

static int setup(void **state)
{
    (void)state;
    return test_dir_make("tf_paper") != 0 || fx_open(&F, test_dir, "orders: {maker_fee_bps: \"1\", taker_fee_bps: \"2\"}\n");
}

static int teardown(void **state)
{
    fx_close(&F);
    return test_dir_remove(state);
}

static void level(int side, int64_t px, int64_t qty, uint64_t u)
{
    tf_md_depth d = {.instrument = 0, .side = (uint8_t)side, .flags = TF_MD_DEPTH_FIRST | TF_MD_DEPTH_LAST,
                     .first_update_id = u, .final_update_id = u, .price = px, .qty = qty};
    tf_paper_on_md(&F.paper, TF_REC_MD_DEPTH, &d);
}

static void clear_book(void)
{
    tf_md_depth d = {.instrument = 0, .flags = TF_MD_DEPTH_CLEAR | TF_MD_DEPTH_FIRST | TF_MD_DEPTH_LAST};
    tf_paper_on_md(&F.paper, TF_REC_MD_DEPTH, &d);
}

static uint64_t send(uint8_t kind, int side, int type, int tif, int64_t px, int64_t qty, uint64_t id)
{
    tf_venue_cmd c = {.kind = kind, .side = (uint8_t)side, .type = (uint8_t)type, .tif = (uint8_t)tif,
                      .instrument = 0, .order_id = id ? id : next_id++, .price = px, .qty = qty};
    tf_paper_on_cmd(&F.paper, &c);
    return c.order_id;
}

/* The next report must be of this kind (and for fills, this price and qty). */
static void expect(uint8_t kind, int64_t px, int64_t qty)
{
    tf_exec_report x;
    assert_true(tf_paper_next_report(&F.paper, &x));
    if (x.kind != kind)
        fail_msg("report kind %u, want %u", x.kind, kind);
    if (kind == TF_EX_FILL) {
        assert_int_equal(x.last_px, px);
        assert_int_equal(x.last_qty, qty);
        assert_true(x.fee > 0);
    }
}

static void expect_none(void)
{
    tf_exec_report x;
    assert_false(tf_paper_next_report(&F.paper, &x));
}

static void test_walks_the_book(void **state)
{
    (void)state;
    clear_book();
    level(TF_SIDE_ASK, 4300010, 100, 10);
    level(TF_SIDE_ASK, 4300020, 200, 11);
    level(TF_SIDE_ASK, 4300030, 300, 12);
    send(TF_VC_NEW, TF_BUY, TF_MARKET, TF_IOC, 0, 250, 0);
    expect(TF_EX_ACK, 0, 0);
    expect(TF_EX_FILL, 4300010, 100);
    expect(TF_EX_FILL, 4300020, 150);
    expect_none();
    /* The liquidity taken stays taken: 50 left at .20, 300 at .30; a limit at .20 takes 50, rests 50. */
    uint64_t id = send(TF_VC_NEW, TF_BUY, TF_LIMIT, TF_GTC, 4300020, 100, 0);
    expect(TF_EX_ACK, 0, 0);
    expect(TF_EX_FILL, 4300020, 50);
    expect_none();
    /* A trade at its price does not fill it (queue unknown); one through it does, at its price. */
    tf_md_trade t = {.instrument = 0, .price = 4300020, .qty = 1000};
    tf_paper_on_md(&F.paper, TF_REC_MD_TRADE, &t);
    expect_none();
    t.price = 4300019;
    tf_paper_on_md(&F.paper, TF_REC_MD_TRADE, &t);
    expect(TF_EX_FILL, 4300020, 50);
    expect_none();
    send(TF_VC_CANCEL, 0, 0, 0, 0, 0, id); /* finished: too late */
    expect(TF_EX_CANCEL_REJECT, 0, 0);
}

static void test_remainders(void **state)
{
    (void)state;
    clear_book();
    level(TF_SIDE_BID, 4299990, 100, 20);
    /* IOC: what cannot fill now expires. */
    send(TF_VC_NEW, TF_SELL, TF_LIMIT, TF_IOC, 4299990, 150, 0);
    expect(TF_EX_ACK, 0, 0);
    expect(TF_EX_FILL, 4299990, 100);
    expect(TF_EX_EXPIRED, 0, 0);
    /* FOK: all or nothing. */
    level(TF_SIDE_BID, 4299980, 100, 21);
    send(TF_VC_NEW, TF_SELL, TF_LIMIT, TF_FOK, 4299980, 150, 0);
    expect(TF_EX_ACK, 0, 0);
    expect(TF_EX_EXPIRED, 0, 0);
    send(TF_VC_NEW, TF_SELL, TF_LIMIT, TF_FOK, 4299980, 100, 0);
    expect(TF_EX_ACK, 0, 0);
    expect(TF_EX_FILL, 4299980, 100);
    expect_none();
    /* A market order on an empty side expires. */
    send(TF_VC_NEW, TF_SELL, TF_MARKET, TF_IOC, 0, 10, 0);
    expect(TF_EX_ACK, 0, 0);
    expect(TF_EX_EXPIRED, 0, 0);
}

static void test_replace_and_cancel(void **state)
{
    (void)state;
    clear_book();
    level(TF_SIDE_ASK, 4300100, 500, 30);
    uint64_t id = send(TF_VC_NEW, TF_BUY, TF_LIMIT, TF_GTC, 4300000, 100, 0);
    expect(TF_EX_ACK, 0, 0);
    expect_none();
    send(TF_VC_REPLACE, 0, 0, 0, 4300100, 300, id); /* now marketable: takes 300 */
    expect(TF_EX_REPLACED, 0, 0);
    expect(TF_EX_FILL, 4300100, 300);
    expect_none();
    id = send(TF_VC_NEW, TF_BUY, TF_LIMIT, TF_GTC, 4300000, 100, 0);
    expect(TF_EX_ACK, 0, 0);
    send(TF_VC_REPLACE, 0, 0, 0, 0, 50, id); /* a price of 0 is refused */
    expect(TF_EX_CANCEL_REJECT, 0, 0);
    send(TF_VC_CANCEL, 0, 0, 0, 0, 0, id);
    expect(TF_EX_CANCELED, 0, 0);
    send(TF_VC_CANCEL, 0, 0, 0, 0, 0, 987654);
    expect(TF_EX_CANCEL_REJECT, 0, 0);
    send(TF_VC_NEW, TF_BUY, TF_LIMIT, TF_GTC, 4300000, 100, 0);
    expect(TF_EX_ACK, 0, 0);
    send(TF_VC_NEW, TF_BUY, TF_LIMIT, TF_GTC, 4300000, 100, next_id - 1); /* the same id twice */
    expect(TF_EX_REJECT, 0, 0);
}

static void test_book_ticker_keeps_the_top_current(void **state)
{
    (void)state;
    clear_book();
    level(TF_SIDE_ASK, 4300000, 100, 100); /* the depth stream's view, 100 ms old */
    level(TF_SIDE_BID, 4299990, 100, 101);
    /* bookTicker (newer, u 150): the market fell; best ask 4299900, best bid 4299890. */
    tf_md_quote q = {.instrument = 0, .update_id = 150, .bid_price = 4299890, .bid_qty = 70,
                     .ask_price = 4299900, .ask_qty = 80};
    tf_paper_on_md(&F.paper, TF_REC_MD_QUOTE, &q);
    /* A late depth update (u 120) for a level better than the ticker's top is ignored. */
    level(TF_SIDE_BID, 4299950, 100, 120);
    /* A sell at the ticker's bid fills there, not at the stale 4299990/4299950 bids. */
    send(TF_VC_NEW, TF_SELL, TF_LIMIT, TF_IOC, 4299890, 50, 0);
    expect(TF_EX_ACK, 0, 0);
    expect(TF_EX_FILL, 4299890, 50);
    expect_none();
    /* A buy at the ticker's bid does not cross the stale 4300000 ask: it rests. */
    send(TF_VC_NEW, TF_BUY, TF_LIMIT, TF_GTC, 4299890, 10, 0);
    expect(TF_EX_ACK, 0, 0);
    expect_none();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walks_the_book),
        cmocka_unit_test(test_remainders),
        cmocka_unit_test(test_replace_and_cancel),
        cmocka_unit_test(test_book_ticker_keeps_the_top_current),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* tfquery's hot store (tools/oob/hot_store.h): trades in a ring of the newest,
 * bars kept sorted by open time with revisions replacing their bar, the
 * oldest dropped when full, range queries with a limit taking the newest,
 * and whether memory holds the whole range asked for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tools/oob/redis_cmds.h"
#include "tools/oob/hot_store.h"

#define MIN_NS 60000000000ull
#define T0 1700000040000000000ull /* on the minute */

static const tf_md_instrument_info BTC = {.id = 0, .price_precision = 2, .qty_precision = 5,
                                          .symbol = "BTCUSDT", .venue = "binance"};
static const tf_md_instrument_info ETH = {.id = 1, .price_precision = 2, .qty_precision = 4,
                                          .symbol = "ETHUSDT", .venue = "binance"};

static _Alignas(8) uint8_t slotbuf[256];

static const tf_journal_slot *rec(uint16_t type, const void *payload, size_t len)
{
    memset(slotbuf, 0, sizeof slotbuf);
    tf_journal_slot *s = (tf_journal_slot *)slotbuf;
    s->seq = 1;
    s->type = type;
    s->length = (uint16_t)len;
    memcpy(s->payload, payload, len);
    return s;
}

static void add_trade(qs_store *st, const tf_md_instrument_info *in, uint64_t id, int64_t px,
                      int64_t qty, uint16_t flags, uint64_t t_ns)
{
    tf_md_trade t = {.instrument = in ? in->id : 0, .flags = flags, .price = px, .qty = qty,
                     .trade_id = id, .first_trade_id = id, .last_trade_id = id, .trade_time_ns = t_ns};
    qs_store_add(st, rec(TF_REC_MD_TRADE, &t, sizeof t), in);
}

static tf_md_bar mkbar(uint32_t ins, uint64_t minute, int64_t close, uint16_t revision, uint8_t flags)
{
    return (tf_md_bar){.instrument = ins, .flags = flags, .revision = revision,
                       .open_time_ns = T0 + minute * MIN_NS, .open = 100, .high = close + 10,
                       .low = 90, .close = close, .volume = 12345, .quote_volume = 1234500,
                       .vwap = 100, .trade_count = 3, .first_trade_id = 1, .last_trade_id = 3};
}

static void add_bar(qs_store *st, uint64_t minute, int64_t close, uint16_t revision)
{
    tf_md_bar b = mkbar(0, minute, close, revision, TF_BAR_CLOSED);
    qs_store_add(st, rec(TF_REC_MD_BAR, &b, sizeof b), &BTC);
}

/* The bars the store holds for BTC, as closes, oldest first. */
static uint32_t closes(const qs_store *st, int64_t *out, uint32_t max)
{
    const qs_bar *first;
    bool complete;
    uint32_t n = qs_store_bars(st, 0, 0, UINT64_MAX, max, &first, &complete);
    for (uint32_t i = 0; i < n; i++)
        out[i] = first[i].bar.close;
    return n;
}

static void test_trades_json(void **state)
{
    (void)state;
    qs_store st;
    assert_int_equal(qs_store_init(&st, 4, 4), 0);
    add_trade(&st, &BTC, 7, 4300010, 150, 0, 1700000000123456789ull);
    add_trade(&st, &BTC, 8, 4300000, 100000, TF_MD_BUYER_MAKER, 1700000000999000000ull);
    assert_int_equal(qs_store_trade_count(&st, 0, 10), 2);
    const qs_trade *t = qs_store_trade(&st, 0, 2, 0);
    const char *want0 = "{\"id\":7,\"price\":\"43000.10\",\"qty\":\"0.00150\",\"side\":\"buy\",\"time\":1700000000123}";
    assert_string_equal(t->json, want0);
    assert_int_equal(t->json_len, strlen(want0));
    assert_int_equal(t->trade.trade_id, 7);
    t = qs_store_trade(&st, 0, 2, 1);
    /* The buyer was the maker: a seller took liquidity. */
    assert_string_equal(t->json, "{\"id\":8,\"price\":\"43000.00\",\"qty\":\"1.00000\",\"side\":\"sell\",\"time\":1700000000999}");
    assert_int_equal(st.records, 2);
    assert_int_equal(qs_store_trade_count(&st, 1, 10), 0); /* another instrument: none */
    qs_store_free(&st);
}

static void test_trade_ring_keeps_the_newest(void **state)
{
    (void)state;
    qs_store st;
    assert_int_equal(qs_store_init(&st, 4, 4), 0);
    for (uint64_t id = 1; id <= 6; id++)
        add_trade(&st, &ETH, id, 300000 + (int64_t)id, 10000, 0, T0 + id * 1000000);
    assert_int_equal(qs_store_trade_count(&st, 1, 10), 4);
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(qs_store_trade(&st, 1, 4, i)->trade.trade_id, 3 + i); /* 3..6, oldest first */
    assert_int_equal(qs_store_trade_count(&st, 1, 2), 2);
    assert_int_equal(qs_store_trade(&st, 1, 2, 0)->trade.trade_id, 5);
    assert_int_equal(qs_store_trade(&st, 1, 2, 1)->trade.trade_id, 6);
    assert_int_equal(qs_store_trade_count(&st, 0, 10), 0);
    qs_store_free(&st);
}

static void test_bars_sorted_and_revised(void **state)
{
    (void)state;
    qs_store st;
    assert_int_equal(qs_store_init(&st, 8, 4), 0);
    add_bar(&st, 3, 103, 0);
    add_bar(&st, 1, 101, 0);
    add_bar(&st, 2, 102, 0);
    add_bar(&st, 5, 105, 0);
    int64_t c[8];
    assert_int_equal(closes(&st, c, 8), 4);
    assert_int_equal(c[0], 101);
    assert_int_equal(c[1], 102);
    assert_int_equal(c[2], 103);
    assert_int_equal(c[3], 105);
    /* A revision replaces its bar, in place. */
    add_bar(&st, 2, 222, 1);
    assert_int_equal(st.s[0].bar_count, 4);
    assert_int_equal(closes(&st, c, 8), 4);
    assert_int_equal(c[1], 222);
    assert_int_equal(st.s[0].bars[1].bar.revision, 1);
    /* Its JSON is the one the Redis exporter stores. */
    char want[QS_JSON_MAX];
    tf_md_bar b = mkbar(0, 2, 222, 1, TF_BAR_CLOSED);
    size_t n = redis_bar_json(want, sizeof want, &b, &BTC);
    assert_true(n > 0);
    assert_int_equal(st.s[0].bars[1].json_len, n);
    assert_string_equal(st.s[0].bars[1].json, want);
    assert_non_null(strstr(want, "\"close\":\"2.22\""));
    assert_non_null(strstr(want, "\"revision\":1"));
    qs_store_free(&st);
}

static void test_full_drops_the_oldest(void **state)
{
    (void)state;
    qs_store st;
    assert_int_equal(qs_store_init(&st, 3, 4), 0);
    add_bar(&st, 2, 102, 0);
    add_bar(&st, 4, 104, 0);
    add_bar(&st, 5, 105, 0);
    assert_int_equal(st.s[0].oldest_complete_ns, T0 + 2 * MIN_NS);
    add_bar(&st, 6, 106, 0);                 /* full: 2 goes */
    int64_t c[4];
    assert_int_equal(closes(&st, c, 4), 3);
    assert_int_equal(c[0], 104);
    assert_int_equal(c[2], 106);
    assert_int_equal(st.s[0].oldest_complete_ns, T0 + 4 * MIN_NS);
    add_bar(&st, 1, 101, 0);                 /* older than everything kept: ignored */
    assert_int_equal(closes(&st, c, 4), 3);
    assert_int_equal(c[0], 104);
    add_bar(&st, 5, 155, 1);                 /* a revision while full: replaced, nothing dropped */
    assert_int_equal(closes(&st, c, 4), 3);
    assert_int_equal(c[0], 104);
    assert_int_equal(c[1], 155);
    /* A late bar between kept ones: the oldest goes, it takes its place. */
    qs_store_clear(&st);
    add_bar(&st, 2, 102, 0);
    add_bar(&st, 4, 104, 0);
    add_bar(&st, 5, 105, 0);
    add_bar(&st, 3, 103, 0);
    assert_int_equal(closes(&st, c, 4), 3);
    assert_int_equal(c[0], 103);
    assert_int_equal(c[1], 104);
    assert_int_equal(c[2], 105);
    assert_int_equal(st.s[0].oldest_complete_ns, T0 + 3 * MIN_NS);
    qs_store_free(&st);
}

static void test_skipped_records(void **state)
{
    (void)state;
    qs_store st;
    assert_int_equal(qs_store_init(&st, 4, 4), 0);
    tf_md_bar v = mkbar(0, 1, 100, 0, TF_BAR_FROM_VENUE); /* the venue's own kline */
    qs_store_add(&st, rec(TF_REC_MD_BAR, &v, sizeof v), &BTC);
    assert_int_equal(st.s[0].bar_count, 0);
    tf_md_bar far = mkbar(QS_MAX_INSTRUMENTS, 1, 100, 0, 0);  /* beyond the store's instruments */
    qs_store_add(&st, rec(TF_REC_MD_BAR, &far, sizeof far), &BTC);
    add_trade(&st, &BTC, 1, 100, 1, 0, T0);                   /* fine */
    tf_md_trade ft = {.instrument = QS_MAX_INSTRUMENTS, .price = 1, .qty = 1, .trade_id = 2};
    qs_store_add(&st, rec(TF_REC_MD_TRADE, &ft, sizeof ft), &BTC);
    tf_md_bar b = mkbar(0, 1, 100, 0, 0);
    qs_store_add(&st, rec(TF_REC_MD_BAR, &b, sizeof b), NULL); /* unknown instrument */
    tf_md_quote q = {.instrument = 0, .bid_price = 1, .ask_price = 2};
    qs_store_add(&st, rec(TF_REC_MD_QUOTE, &q, sizeof q), &BTC); /* not kept */
    assert_int_equal(st.records, 6);                             /* every record counted */
    assert_int_equal(st.s[0].bar_count, 0);
    assert_int_equal(qs_store_trade_count(&st, 0, 10), 1);
    for (uint32_t i = 1; i < QS_MAX_INSTRUMENTS; i++) {
        assert_int_equal(st.s[i].bar_count, 0);
        assert_int_equal(st.s[i].trade_total, 0);
    }
    qs_store_free(&st);
}

static void test_range_queries(void **state)
{
    (void)state;
    qs_store st;
    assert_int_equal(qs_store_init(&st, 16, 4), 0);
    const qs_bar *first;
    bool complete = true;
    assert_int_equal(qs_store_bars(&st, 0, 0, UINT64_MAX, 10, &first, &complete), 0);
    assert_false(complete);                          /* nothing in memory */
    for (uint64_t m = 10; m < 20; m++)
        add_bar(&st, m, (int64_t)m, 0);
    /* Both ends inclusive. */
    uint32_t n = qs_store_bars(&st, 0, T0 + 12 * MIN_NS, T0 + 15 * MIN_NS, 100, &first, &complete);
    assert_int_equal(n, 4);
    assert_int_equal(first[0].bar.close, 12);
    assert_int_equal(first[3].bar.close, 15);
    assert_true(complete);
    /* Between bars. */
    n = qs_store_bars(&st, 0, T0 + 12 * MIN_NS + 1, T0 + 15 * MIN_NS - 1, 100, &first, &complete);
    assert_int_equal(n, 2);
    assert_int_equal(first[0].bar.close, 13);
    /* A limit keeps the newest of the range. */
    n = qs_store_bars(&st, 0, T0 + 10 * MIN_NS, T0 + 19 * MIN_NS, 3, &first, &complete);
    assert_int_equal(n, 3);
    assert_int_equal(first[0].bar.close, 17);
    assert_int_equal(first[2].bar.close, 19);
    /* Starting before the oldest bar kept: memory may miss some. */
    n = qs_store_bars(&st, 0, T0, T0 + 11 * MIN_NS, 100, &first, &complete);
    assert_int_equal(n, 2);
    assert_false(complete);
    n = qs_store_bars(&st, 0, T0 + 10 * MIN_NS, T0 + 11 * MIN_NS, 100, &first, &complete);
    assert_true(complete);
    /* Nothing in range. */
    n = qs_store_bars(&st, 0, T0 + 30 * MIN_NS, UINT64_MAX, 100, &first, &complete);
    assert_int_equal(n, 0);
    n = qs_store_bars(&st, 0, T0 + 15 * MIN_NS, T0 + 14 * MIN_NS, 100, &first, &complete);
    assert_int_equal(n, 0);
    /* limit 0 */
    n = qs_store_bars(&st, 0, 0, UINT64_MAX, 0, &first, &complete);
    assert_int_equal(n, 0);
    qs_store_free(&st);
}

static void test_clear(void **state)
{
    (void)state;
    qs_store st;
    assert_int_equal(qs_store_init(&st, 4, 4), 0);
    add_bar(&st, 1, 101, 0);
    add_trade(&st, &BTC, 1, 100, 1, 0, T0);
    qs_store_clear(&st);
    assert_int_equal(st.s[0].bar_count, 0);
    assert_int_equal(st.s[0].oldest_complete_ns, 0);
    assert_int_equal(qs_store_trade_count(&st, 0, 10), 0);
    const qs_bar *first;
    bool complete;
    assert_int_equal(qs_store_bars(&st, 0, 0, UINT64_MAX, 10, &first, &complete), 0);
    assert_false(complete);
    add_bar(&st, 0, 100, 0); /* and starts again */
    assert_int_equal(st.s[0].bar_count, 1);
    qs_store_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trades_json),
        cmocka_unit_test(test_trade_ring_keeps_the_newest),
        cmocka_unit_test(test_bars_sorted_and_revised),
        cmocka_unit_test(test_full_drops_the_oldest),
        cmocka_unit_test(test_skipped_records),
        cmocka_unit_test(test_range_queries),
        cmocka_unit_test(test_clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

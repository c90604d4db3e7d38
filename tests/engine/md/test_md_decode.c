/* The market-data decoder (engine/md/md_decode.h): every payload example of
 * Binance's spot WebSocket documentation (fields and values as documented,
 * without the // comments), raw and combined, field by field; exact fixed
 * point; every rejection reason; every prefix of a valid message refused;
 * garbage, deep nesting and escapes handled; tfsim's own output decodes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/md/md_decode.h"

static tf_instruments reg;
static tf_md_decoder *dec;
static tf_md_snapshot *snap;
static tf_md_msg m;

static int setup(void **state)
{
    (void)state;
    memset(&reg, 0, sizeof reg);
    if (tf_instruments_add(&reg, "BNBBTC", "binance", 8, 8, 1, 1, 0, 0) != 0 ||
        tf_instruments_add(&reg, "BNBUSDT", "binance", 8, 8, 1, 1, 0, 0) != 0 ||
        tf_instruments_add(&reg, "BTCUSDT", "binance", 2, 5, 1, 1, 500, 0) != 0)
        return -1;
    dec = calloc(1, sizeof *dec);
    snap = calloc(1, sizeof *snap);
    if (!dec || !snap)
        return -1;
    tf_md_decoder_init(dec, &reg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(dec);
    free(snap);
    return 0;
}

static tf_md_reject decode(const char *s) { return tf_md_decode(dec, s, strlen(s), 42, &m); }

/* ---- Binance's documented examples ------------------------------------- */

static const char DOC_AGG[] =
    "{\"e\": \"aggTrade\", \"E\": 1672515782136, \"s\": \"BNBBTC\", \"a\": 12345, \"p\": \"0.001\", "
    "\"q\": \"100\", \"f\": 100, \"l\": 105, \"T\": 1672515782136, \"m\": true, \"M\": true}";
static const char DOC_TRADE[] =
    "{\n  \"e\": \"trade\",\n  \"E\": 1672515782136,\n  \"s\": \"BNBBTC\",\n  \"t\": 12345,\n"
    "  \"p\": \"0.001\",\n  \"q\": \"100\",\n  \"b\": 88,\n  \"a\": 50,\n  \"T\": 1672515782136,\n"
    "  \"m\": true,\n  \"M\": true\n}";
static const char DOC_KLINE[] =
    "{\"e\": \"kline\", \"E\": 1672515782136, \"s\": \"BNBBTC\", \"k\": {\"t\": 1672515780000, "
    "\"T\": 1672515839999, \"s\": \"BNBBTC\", \"i\": \"1m\", \"f\": 100, \"L\": 200, \"o\": \"0.0010\", "
    "\"c\": \"0.0020\", \"h\": \"0.0025\", \"l\": \"0.0015\", \"v\": \"1000\", \"n\": 100, \"x\": false, "
    "\"q\": \"1.0000\", \"V\": \"500\", \"Q\": \"0.500\", \"B\": \"123456\"}}";
static const char DOC_BOOK_TICKER[] =
    "{\"u\":400900217, \"s\":\"BNBUSDT\", \"b\":\"25.35190000\", \"B\":\"31.21000000\", "
    "\"a\":\"25.36520000\", \"A\":\"40.66000000\"}";
static const char DOC_DEPTH[] =
    "{\"e\": \"depthUpdate\", \"E\": 1672515782136, \"s\": \"BNBBTC\", \"U\": 157, \"u\": 160, "
    "\"b\": [[\"0.0024\", \"10\"]], \"a\": [[\"0.0026\", \"100\"]]}";
static const char DOC_SNAPSHOT[] =
    "{\"lastUpdateId\": 1027024, \"bids\": [[\"4.00000000\", \"431.00000000\"]], "
    "\"asks\": [[\"4.00000200\", \"12.00000000\"]]}";

static void test_doc_trade(void **state)
{
    (void)state;
    assert_int_equal(decode(DOC_TRADE), TF_MD_OK);
    assert_int_equal(m.kind, TF_MD_MSG_TRADE);
    assert_int_equal(m.instrument, 0);
    const tf_md_trade *t = &m.u.trade;
    assert_int_equal(t->kind, TF_MD_TRADE);
    assert_int_equal(t->trade_id, 12345);
    assert_int_equal(t->first_trade_id, 12345);
    assert_int_equal(t->last_trade_id, 12345);
    assert_int_equal(t->price, 100000);          /* 0.001 at 8 decimals */
    assert_int_equal(t->qty, 10000000000LL);     /* 100 */
    assert_int_equal(t->trade_time_ns, 1672515782136000000ULL);
    assert_int_equal(t->hops.venue_ns, 1672515782136000000ULL);
    assert_int_equal(t->hops.recv_ns, 42);
    assert_true(t->flags & TF_MD_BUYER_MAKER);
}

static void test_doc_agg_trade(void **state)
{
    (void)state;
    assert_int_equal(decode(DOC_AGG), TF_MD_OK);
    assert_int_equal(m.kind, TF_MD_MSG_AGG_TRADE);
    assert_int_equal(m.u.trade.kind, TF_MD_AGG_TRADE);
    assert_int_equal(m.u.trade.trade_id, 12345);
    assert_int_equal(m.u.trade.first_trade_id, 100);
    assert_int_equal(m.u.trade.last_trade_id, 105);
    assert_int_equal(m.u.trade.price, 100000);
}

static void test_doc_kline(void **state)
{
    (void)state;
    assert_int_equal(decode(DOC_KLINE), TF_MD_OK);
    assert_int_equal(m.kind, TF_MD_MSG_KLINE);
    const tf_md_bar *b = &m.u.bar;
    assert_int_equal(b->open_time_ns, 1672515780000000000ULL);
    assert_int_equal(b->open, 100000);
    assert_int_equal(b->close, 200000);
    assert_int_equal(b->high, 250000);
    assert_int_equal(b->low, 150000);
    assert_int_equal(b->volume, 100000000000LL);
    assert_int_equal(b->quote_volume, 100000000); /* 1.0000 at 8 decimals */
    assert_int_equal(b->trade_count, 100);
    assert_int_equal(b->first_trade_id, 100);
    assert_int_equal(b->last_trade_id, 200);
    assert_int_equal(b->vwap, 1000000000); /* 1.0 / 1000 = 0.001, at 8 + 4 decimals */
    assert_true(b->flags & TF_BAR_FROM_VENUE);
    assert_false(b->flags & TF_BAR_CLOSED);
}

/* A BTCUSDT (2 price decimals) kline whose quote volume is `q`, volume `v`. */
static tf_md_reject decode_kline_q(const char *q, const char *v)
{
    char buf[512];
    snprintf(buf, sizeof buf,
             "{\"e\":\"kline\",\"E\":1,\"s\":\"BTCUSDT\",\"k\":{\"t\":1,\"T\":2,\"i\":\"1m\","
             "\"f\":1,\"L\":2,\"o\":\"1\",\"c\":\"1\",\"h\":\"1\",\"l\":\"1\",\"v\":\"%s\","
             "\"n\":2,\"x\":true,\"q\":\"%s\"}}", v, q);
    return decode(buf);
}

/* The quote volume is kept at 8 decimals, as the venue reports it. One
 * rounded at the edge of int64 is refused as a bad number (it used to
 * overflow a signed integer while rounding half up), and so is a vwap no
 * int64 holds; the largest values that do fit still decode. */
static void test_kline_quote_volume_overflow(void **state)
{
    (void)state;
    assert_int_equal(decode_kline_q("92233720368.547758075", "1"), TF_MD_REJ_BAD_NUMBER);
    assert_int_equal(decode_kline_q("-92233720368.547758085", "1"), TF_MD_REJ_BAD_NUMBER);
    assert_int_equal(decode_kline_q("92233720368.547758065", "1"), TF_MD_OK);
    assert_int_equal(m.u.bar.quote_volume, INT64_MAX);
    assert_int_equal(m.u.bar.vwap, 92233720368547758LL); /* INT64_MAX / 100 at 2 + 4 decimals */
    assert_int_equal(decode_kline_q("-92233720368.547758075", "1"), TF_MD_OK);
    assert_int_equal(m.u.bar.quote_volume, INT64_MIN);
    assert_int_equal(decode_kline_q("1.000000005", "1"), TF_MD_OK);
    assert_int_equal(m.u.bar.quote_volume, 100000001);
    /* Binance's own: 8 decimals kept exactly; VWAP 43000.123456 */
    assert_int_equal(decode_kline_q("4300.01234560", "0.10000"), TF_MD_OK);
    assert_int_equal(m.u.bar.quote_volume, 430001234560LL);
    assert_int_equal(m.u.bar.vwap, 43000123456LL);
    /* INT64_MAX of quote units over 0.00001 of volume: a vwap beyond int64 */
    assert_int_equal(decode_kline_q("92233720368.54775807", "0.00001"), TF_MD_REJ_BAD_NUMBER);
}

static void test_doc_book_ticker(void **state)
{
    (void)state;
    assert_int_equal(decode(DOC_BOOK_TICKER), TF_MD_OK); /* raw: no "e", told by its fields */
    assert_int_equal(m.kind, TF_MD_MSG_BOOK_TICKER);
    assert_int_equal(m.instrument, 1);
    assert_int_equal(m.u.quote.update_id, 400900217);
    assert_int_equal(m.u.quote.bid_price, 2535190000LL);
    assert_int_equal(m.u.quote.bid_qty, 3121000000LL);
    assert_int_equal(m.u.quote.ask_price, 2536520000LL);
    assert_int_equal(m.u.quote.ask_qty, 4066000000LL);
    assert_int_equal(m.u.quote.hops.venue_ns, 0); /* bookTicker carries no event time */
}

static void test_doc_depth(void **state)
{
    (void)state;
    assert_int_equal(decode(DOC_DEPTH), TF_MD_OK);
    assert_int_equal(m.kind, TF_MD_MSG_DEPTH);
    assert_non_null(m.depth);
    assert_int_equal(m.depth->first_update_id, 157);
    assert_int_equal(m.depth->final_update_id, 160);
    assert_int_equal(m.depth->event_time_ns, 1672515782136000000ULL);
    assert_int_equal(m.depth->bid_count, 1);
    assert_int_equal(m.depth->ask_count, 1);
    assert_int_equal(m.depth->bids[0].price, 240000);
    assert_int_equal(m.depth->bids[0].qty, 1000000000LL);
    assert_int_equal(m.depth->asks[0].price, 260000);
    assert_int_equal(m.depth->asks[0].qty, 10000000000LL);
}

static void test_doc_snapshot(void **state)
{
    (void)state;
    assert_int_equal(tf_md_decode_snapshot(&reg.items[0], DOC_SNAPSHOT, strlen(DOC_SNAPSHOT), snap), TF_MD_OK);
    assert_int_equal(snap->last_update_id, 1027024);
    assert_int_equal(snap->bid_count, 1);
    assert_int_equal(snap->bids[0].price, 400000000LL);
    assert_int_equal(snap->bids[0].qty, 43100000000LL);
    assert_int_equal(snap->asks[0].price, 400000200LL);
    /* BTCUSDT at 2 decimals: 4.00000200 has a non-zero 7th decimal. */
    assert_int_equal(tf_md_decode_snapshot(&reg.items[2], DOC_SNAPSHOT, strlen(DOC_SNAPSHOT), snap),
                     TF_MD_REJ_PRECISION);
}

static void test_control_messages(void **state)
{
    (void)state;
    assert_int_equal(decode("{\"e\":\"serverShutdown\",\"E\":1753358795000}"), TF_MD_OK);
    assert_int_equal(m.kind, TF_MD_MSG_SERVER_SHUTDOWN);
    assert_int_equal(decode("{\"result\": null, \"id\": 312}"), TF_MD_OK);
    assert_int_equal(m.kind, TF_MD_MSG_RESPONSE);
    assert_int_equal(m.response_id, 312);
    assert_int_equal(decode("{\"code\": 2, \"msg\": \"Invalid request: too many parameters\"}"), TF_MD_OK);
    assert_int_equal(m.kind, TF_MD_MSG_ERROR);
    assert_int_equal(m.response_id, 2);
}

/* ---- combined streams ---------------------------------------------------- */

static void test_combined_both_orders(void **state)
{
    (void)state;
    char buf[512];
    snprintf(buf, sizeof buf, "{\"stream\":\"bnbbtc@aggTrade\",\"data\":%s}", DOC_AGG);
    assert_int_equal(decode(buf), TF_MD_OK);
    assert_int_equal(m.kind, TF_MD_MSG_AGG_TRADE);
    snprintf(buf, sizeof buf, "{\"data\":%s,\"stream\":\"bnbbtc@aggTrade\"}", DOC_AGG);
    assert_int_equal(decode(buf), TF_MD_OK);
    assert_int_equal(m.u.trade.last_trade_id, 105);
    /* bookTicker: dispatched on the stream name */
    snprintf(buf, sizeof buf, "{\"stream\":\"bnbusdt@bookTicker\",\"data\":%s}", DOC_BOOK_TICKER);
    assert_int_equal(decode(buf), TF_MD_OK);
    assert_int_equal(m.kind, TF_MD_MSG_BOOK_TICKER);
    snprintf(buf, sizeof buf, "{\"stream\":\"bnbbtc@depth@100ms\",\"data\":%s}", DOC_DEPTH);
    assert_int_equal(decode(buf), TF_MD_OK);
    assert_int_equal(m.kind, TF_MD_MSG_DEPTH);
    snprintf(buf, sizeof buf, "{\"stream\":\"bnbbtc@depth\",\"data\":%s}", DOC_DEPTH);
    assert_int_equal(decode(buf), TF_MD_OK);
    assert_int_equal(m.kind, TF_MD_MSG_DEPTH);
    /* a stream we do not decode */
    assert_int_equal(decode("{\"stream\":\"bnbbtc@miniTicker\",\"data\":{\"e\":\"24hrMiniTicker\",\"s\":\"BNBBTC\"}}"),
                     TF_MD_REJ_UNKNOWN_TYPE);
    /* data must be an object */
    assert_int_equal(decode("{\"stream\":\"bnbbtc@trade\",\"data\":\"x\"}"), TF_MD_REJ_MISSING_FIELD);
}

/* tfsim's own output: 8-decimal strings at lower instrument precision. */
static void test_tfsim_output(void **state)
{
    (void)state;
    const char *s = "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1795557046780,\"s\":\"BTCUSDT\","
                    "\"t\":2,\"p\":\"42998.50000000\",\"q\":\"0.01000000\",\"T\":1795557046780,\"m\":true,\"M\":true}}";
    assert_int_equal(decode(s), TF_MD_OK);
    assert_int_equal(m.instrument, 2);
    assert_int_equal(m.u.trade.price, 4299850);
    assert_int_equal(m.u.trade.qty, 1000);
}

/* ---- exactness and refusals ---------------------------------------------- */

static void test_exact_fixed_point(void **state)
{
    (void)state;
    assert_int_equal(decode("{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"0.10000000\","
                            "\"q\":\"0.00001\",\"T\":1,\"m\":false}"), TF_MD_OK);
    assert_int_equal(m.u.trade.price, 10);
    assert_int_equal(m.u.trade.qty, 1);
    assert_false(m.u.trade.flags & TF_MD_BUYER_MAKER);
    assert_int_equal(decode("{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"0.105\","
                            "\"q\":\"1\",\"T\":1,\"m\":false}"), TF_MD_REJ_PRECISION);
    assert_int_equal(decode("{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"1e3\","
                            "\"q\":\"1\",\"T\":1,\"m\":false}"), TF_MD_REJ_BAD_NUMBER);
    assert_int_equal(decode("{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1,\"p\":1.5,"
                            "\"q\":\"1\",\"T\":1,\"m\":false}"), TF_MD_REJ_MISSING_FIELD); /* a number, not a string */
}

static void test_every_reason(void **state)
{
    (void)state;
    assert_int_equal(decode("not json"), TF_MD_REJ_MALFORMED);
    assert_int_equal(decode("{\"e\":\"trade\""), TF_MD_REJ_MALFORMED);
    assert_int_equal(decode("{\"e\":\"trade\"} trailing"), TF_MD_REJ_MALFORMED);
    assert_int_equal(decode("{\"e\":\"trade\",}"), TF_MD_REJ_MALFORMED);
    assert_int_equal(decode("{\"e\":\"nope\"}"), TF_MD_REJ_UNKNOWN_TYPE);
    assert_int_equal(decode("{}"), TF_MD_REJ_UNKNOWN_TYPE);
    assert_int_equal(decode("{\"e\":\"trade\",\"E\":1,\"s\":\"XRPUSDT\",\"t\":1,\"p\":\"1\",\"q\":\"1\",\"T\":1,\"m\":true}"),
                     TF_MD_REJ_UNKNOWN_SYMBOL);
    assert_int_equal(decode("{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":\"1\",\"q\":\"1\",\"T\":1,\"m\":true}"),
                     TF_MD_REJ_MISSING_FIELD); /* no t */
    assert_int_equal(decode("{\"e\":\"trade\",\"E\":-1,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"1\",\"q\":\"1\",\"T\":1,\"m\":true}"),
                     TF_MD_REJ_BAD_NUMBER);
    assert_int_equal(decode("{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":99999999999999999999,\"p\":\"1\",\"q\":\"1\",\"T\":1,\"m\":true}"),
                     TF_MD_REJ_BAD_NUMBER);
    assert_int_equal(decode("{\"e\":\"trade\",\"E\":1.5,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"1\",\"q\":\"1\",\"T\":1,\"m\":true}"),
                     TF_MD_REJ_BAD_NUMBER);
    assert_int_equal(decode("{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BNBBTC\",\"U\":9,\"u\":8,\"b\":[],\"a\":[]}"),
                     TF_MD_REJ_BAD_NUMBER); /* U after u */
    assert_int_equal(decode("{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BNBBTC\",\"U\":1,\"u\":2,\"b\":[[\"1\"]],\"a\":[]}"),
                     TF_MD_REJ_MISSING_FIELD); /* a level without a quantity */
    /* too many levels */
    size_t cap = 64 + (TF_MD_DEPTH_MAX_LEVELS + 1) * 16;
    char *big = malloc(cap);
    assert_non_null(big);
    size_t n = (size_t)snprintf(big, cap, "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BNBBTC\",\"U\":1,\"u\":2,\"b\":[");
    for (uint32_t i = 0; i <= TF_MD_DEPTH_MAX_LEVELS; i++)
        n += (size_t)snprintf(big + n, cap - n, "%s[\"1\",\"1\"]", i ? "," : "");
    snprintf(big + n, cap - n, "],\"a\":[]}");
    assert_int_equal(decode(big), TF_MD_REJ_TOO_MANY_LEVELS);
    free(big);
    for (int r = 0; r < TF_MD_REJ_COUNT; r++)
        assert_non_null(tf_md_reject_names[r]);
}

/* Every prefix of a valid message is refused (a truncated frame), never
 * accepted and never read past; the copy is exactly the prefix's size. */
static void test_every_prefix_refused(void **state)
{
    (void)state;
    const char *msgs[] = {DOC_TRADE, DOC_AGG, DOC_KLINE, DOC_BOOK_TICKER, DOC_DEPTH};
    for (size_t k = 0; k < sizeof msgs / sizeof *msgs; k++) {
        size_t len = strlen(msgs[k]);
        for (size_t i = 0; i < len; i++) {
            char *p = malloc(i ? i : 1);
            memcpy(p, msgs[k], i);
            tf_md_reject rc = tf_md_decode(dec, p, i, 0, &m);
            if (rc == TF_MD_OK)
                fail_msg("prefix of %zu bytes of message %zu accepted", i, k);
            free(p);
        }
    }
}

static void test_garbage_and_nesting(void **state)
{
    (void)state;
    /* unknown keys with nested values, escapes and unicode are skipped */
    assert_int_equal(decode("{\"x\":[[[{\"y\":[1,2,{\"z\":null}]}]]],\"w\":\"a\\\"b\\\\c\\u00e9\","
                            "\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":7,\"p\":\"1.00\",\"q\":\"2\","
                            "\"T\":1,\"m\":true,\"M\":true,\"extra\":{}}"),
                     TF_MD_OK);
    assert_int_equal(m.u.trade.trade_id, 7);
    /* nesting beyond the walker's depth is refused, not recursed into */
    char deep[256];
    memset(deep, '[', 100);
    snprintf(deep + 100, sizeof deep - 100, "]");
    char buf[400];
    snprintf(buf, sizeof buf, "{\"x\":%s}", deep);
    assert_int_equal(decode(buf), TF_MD_REJ_MALFORMED);
    /* symbols are compared as sent: an escaped spelling is not unescaped */
    assert_int_equal(decode("{\"e\":\"trade\",\"s\":\"BTC\\u0055SDT\"}"), TF_MD_REJ_UNKNOWN_SYMBOL);
    assert_int_equal(decode("{\"a\":\"\x01\"}"), TF_MD_REJ_MALFORMED); /* control character in a string */
    assert_int_equal(decode("{\"a\":\"\\q\"}"), TF_MD_REJ_MALFORMED);  /* bad escape */
    assert_int_equal(decode("{\"a\":tru}"), TF_MD_REJ_MALFORMED);
    assert_int_equal(decode("{\"a\":01}"), TF_MD_REJ_MALFORMED); /* JSON forbids leading zeros */
    assert_int_equal(decode(""), TF_MD_REJ_MALFORMED);
    /* random bytes never crash and never decode as a message of ours */
    uint64_t x = 88172645463325252ULL;
    char rnd[300];
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)(x % sizeof rnd);
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            rnd[i] = "{}[]\",:0123456789.-etrufalsn \"sp"[x % 33];
        }
        (void)tf_md_decode(dec, rnd, len, 0, &m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_trade),         cmocka_unit_test(test_doc_agg_trade),
        cmocka_unit_test(test_doc_kline),         cmocka_unit_test(test_kline_quote_volume_overflow),
        cmocka_unit_test(test_doc_book_ticker),   cmocka_unit_test(test_doc_depth),
        cmocka_unit_test(test_doc_snapshot),
        cmocka_unit_test(test_control_messages),  cmocka_unit_test(test_combined_both_orders),
        cmocka_unit_test(test_tfsim_output),      cmocka_unit_test(test_exact_fixed_point),
        cmocka_unit_test(test_every_reason),      cmocka_unit_test(test_every_prefix_refused),
        cmocka_unit_test(test_garbage_and_nesting),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

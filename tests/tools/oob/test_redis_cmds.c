/* The Redis command builder (tools/oob/redis_cmds.h): the exact RESP bytes
 * of each record kind it turns into commands (quote → HSET, trade → XADD
 * with a growing stream id, bar → ZREMRANGEBYSCORE + ZADD + ZREMRANGEBYRANK
 * on the bars or venue bars key), the bar's JSON member, and the buffer
 * limit (less than 3 * RC_CMD_MAX free: -1 and nothing appended). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "shm/orders.h"
#include "shm/parents.h"
#include "tools/oob/redis_cmds.h"

static const tf_md_instrument_info BTC = {.id = 0, .price_precision = 2, .qty_precision = 5,
                                          .symbol = "BTCUSDT", .venue = "binance"};

static redis_cmds RC;
static char mem[16384];
static resp_buf B;
static _Alignas(8) uint8_t slotbuf[256];

static int setup(void **state)
{
    (void)state;
    tf_cfg_redis cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.trades_maxlen = 10000;
    cfg.bars_keep = 1440;
    redis_cmds_init(&RC, &cfg, "prod");
    memset(mem, 0, sizeof mem);
    B = (resp_buf){.p = mem, .cap = sizeof mem};
    return 0;
}

static const tf_journal_slot *rec(uint16_t type, uint64_t seq, const void *payload, size_t len)
{
    memset(slotbuf, 0, sizeof slotbuf);
    tf_journal_slot *s = (tf_journal_slot *)slotbuf;
    s->seq = seq;
    s->type = type;
    s->length = (uint16_t)len;
    memcpy(s->payload, payload, len);
    return s;
}

/* RESP for one command, built independently: "*N" then "$len\r\narg\r\n" each. */
static size_t resp(char *out, int argc, ...)
{
    va_list ap;
    va_start(ap, argc);
    size_t n = (size_t)sprintf(out, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) {
        const char *a = va_arg(ap, const char *);
        n += (size_t)sprintf(out + n, "$%zu\r\n%s\r\n", strlen(a), a);
    }
    va_end(ap);
    return n;
}

/* CR and LF shown as \r \n, for the failure message. */
static const char *shown(const char *p, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 3 < cap; i++) {
        if (p[i] == '\r' || p[i] == '\n') {
            out[o++] = '\\';
            out[o++] = p[i] == '\r' ? 'r' : 'n';
        } else {
            out[o++] = p[i];
        }
    }
    out[o] = 0;
    return out;
}

static void assert_buf(const char *want, size_t want_len)
{
    static char g[8192], w[8192];
    if (B.len != want_len || memcmp(B.p, want, want_len) != 0)
        fail_msg("RESP differs:\n got  (%zu) %s\n want (%zu) %s", B.len, shown(B.p, B.len, g, sizeof g),
                 want_len, shown(want, want_len, w, sizeof w));
}

static const char *BAR_JSON =
    "{\"open_time\":1700000040000,\"open\":\"43000.00\",\"high\":\"43100.00\",\"low\":\"42900.00\","
    "\"close\":\"43050.00\",\"volume\":\"2.50000\",\"quote_volume\":\"107625.00000000\",\"vwap\":\"43050.000000\","
    "\"trades\":12,\"revision\":0,\"first_trade_id\":100,\"last_trade_id\":111,\"flat\":false}";

static tf_md_bar a_bar(uint8_t flags)
{
    return (tf_md_bar){.instrument = 0, .flags = flags, .open_time_ns = 1700000040000000000ull,
                       .open = 4300000, .high = 4310000, .low = 4290000, .close = 4305000,
                       .volume = 250000, .quote_volume = 10762500000000LL, .vwap = 43050000000LL,
                       .trade_count = 12, .first_trade_id = 100, .last_trade_id = 111};
}

static void test_quote_is_hset(void **state)
{
    (void)state;
    tf_md_quote q = {.instrument = 0, .update_id = 42, .bid_price = 4300000, .bid_qty = 150000,
                     .ask_price = 4300010, .ask_qty = 200};
    assert_int_equal(redis_cmds_add(&RC, &B, rec(TF_REC_MD_QUOTE, 5, &q, sizeof q), &BTC), 1);
    const char *want =
        "*12\r\n$4\r\nHSET\r\n$31\r\nmd:quote:{prod:binance:BTCUSDT}\r\n$3\r\nbid\r\n$8\r\n43000.00\r\n"
        "$7\r\nbid_qty\r\n$7\r\n1.50000\r\n$3\r\nask\r\n$8\r\n43000.10\r\n$7\r\nask_qty\r\n$7\r\n0.00200\r\n"
        "$9\r\nupdate_id\r\n$2\r\n42\r\n";
    assert_buf(want, strlen(want));
    assert_int_equal(B.commands, 1);
}

static void test_trade_is_xadd(void **state)
{
    (void)state;
    tf_md_trade t = {.instrument = 0, .price = 4300010, .qty = 150, .trade_id = 777,
                     .trade_time_ns = 1700000000123456789ull};
    assert_int_equal(redis_cmds_add(&RC, &B, rec(TF_REC_MD_TRADE, 9001, &t, sizeof t), &BTC), 1);
    char want[2048];
    size_t n = resp(want, 16, "XADD", "md:trades:{prod:binance:BTCUSDT}", "MAXLEN", "~", "10000",
                    "1700000000123-9001", "price", "43000.10", "qty", "0.00150", "id", "777", "side",
                    "buy", "time", "1700000000123");
    assert_buf(want, n);
    /* An earlier trade after it: the stream id keeps the latest ms (ids must
     * grow), the trade keeps its own time; the buyer maker is a sell. */
    t.trade_time_ns = 1700000000100000000ull;
    t.flags = TF_MD_BUYER_MAKER;
    t.trade_id = 776;
    assert_int_equal(redis_cmds_add(&RC, &B, rec(TF_REC_MD_TRADE, 9002, &t, sizeof t), &BTC), 1);
    n += resp(want + n, 16, "XADD", "md:trades:{prod:binance:BTCUSDT}", "MAXLEN", "~", "10000",
              "1700000000123-9002", "price", "43000.10", "qty", "0.00150", "id", "776", "side",
              "sell", "time", "1700000000100");
    assert_buf(want, n);
    assert_int_equal(RC.stream_ms, 1700000000123ull);
    assert_int_equal(B.commands, 2);
}

static void test_bar_is_three_commands(void **state)
{
    (void)state;
    tf_md_bar b = a_bar(TF_BAR_CLOSED);
    assert_int_equal(redis_cmds_add(&RC, &B, rec(TF_REC_MD_BAR, 1, &b, sizeof b), &BTC), 3);
    /* Fewer than 10 arguments: "*4", not "*04". */
    const char *first = "*4\r\n$16\r\nZREMRANGEBYSCORE\r\n$33\r\nmd:bars:{prod:binance:BTCUSDT}:1m\r\n"
                        "$13\r\n1700000040000\r\n$13\r\n1700000040000\r\n";
    char want[2048];
    size_t n = strlen(first);
    memcpy(want, first, n);
    n += resp(want + n, 4, "ZADD", "md:bars:{prod:binance:BTCUSDT}:1m", "1700000040000", BAR_JSON);
    n += resp(want + n, 4, "ZREMRANGEBYRANK", "md:bars:{prod:binance:BTCUSDT}:1m", "0", "-1441");
    assert_buf(want, n);
    assert_int_equal(B.commands, 3);
}

static void test_venue_bar_key(void **state)
{
    (void)state;
    tf_md_bar b = a_bar(TF_BAR_FROM_VENUE | TF_BAR_FLAT);
    assert_int_equal(redis_cmds_add(&RC, &B, rec(TF_REC_MD_BAR, 1, &b, sizeof b), &BTC), 3);
    char json[512];
    snprintf(json, sizeof json, "%.*s\"flat\":true}", (int)(strlen(BAR_JSON) - strlen("\"flat\":false}")),
             BAR_JSON);
    char want[2048];
    size_t n = resp(want, 4, "ZREMRANGEBYSCORE", "md:venue_bars:{prod:binance:BTCUSDT}:1m", "1700000040000",
                    "1700000040000");
    n += resp(want + n, 4, "ZADD", "md:venue_bars:{prod:binance:BTCUSDT}:1m", "1700000040000", json);
    n += resp(want + n, 4, "ZREMRANGEBYRANK", "md:venue_bars:{prod:binance:BTCUSDT}:1m", "0", "-1441");
    assert_buf(want, n);
}

/* Instruments past the per-instrument key cache get their keys built each time. */
static void test_high_instrument_id(void **state)
{
    (void)state;
    tf_md_instrument_info far = {.id = 200, .price_precision = 4, .qty_precision = 0,
                                 .symbol = "XRPUSDT", .venue = "kraken"};
    tf_md_quote q = {.instrument = 200, .update_id = 1, .bid_price = 5000, .bid_qty = 3,
                     .ask_price = 5001, .ask_qty = 4};
    assert_int_equal(redis_cmds_add(&RC, &B, rec(TF_REC_MD_QUOTE, 1, &q, sizeof q), &far), 1);
    char want[1024];
    size_t n = resp(want, 12, "HSET", "md:quote:{prod:kraken:XRPUSDT}", "bid", "0.5000", "bid_qty", "3", "ask",
                    "0.5001", "ask_qty", "4", "update_id", "1");
    assert_buf(want, n);
    tf_md_trade t = {.instrument = 200, .price = 5000, .qty = 3, .trade_id = 1, .trade_time_ns = 2000000};
    assert_int_equal(redis_cmds_add(&RC, &B, rec(TF_REC_MD_TRADE, 3, &t, sizeof t), &far), 1);
    n += resp(want + n, 16, "XADD", "md:trades:{prod:kraken:XRPUSDT}", "MAXLEN", "~", "10000", "2-3", "price",
              "0.5000", "qty", "3", "id", "1", "side", "buy", "time", "2");
    assert_buf(want, n);
}

static void test_nothing_to_send(void **state)
{
    (void)state;
    tf_md_quote q = {.instrument = 0};
    assert_int_equal(redis_cmds_add(&RC, &B, rec(TF_REC_MD_QUOTE, 1, &q, sizeof q), NULL), 0);
    tf_md_depth d = {.instrument = 0, .price = 1, .qty = 1};
    assert_int_equal(redis_cmds_add(&RC, &B, rec(TF_REC_MD_DEPTH, 1, &d, sizeof d), &BTC), 0);
    assert_int_equal(B.len, 0);
    assert_int_equal(B.commands, 0);
}

static void test_buffer_limit(void **state)
{
    (void)state;
    tf_md_quote q = {.instrument = 0, .update_id = 1, .bid_price = 1, .ask_price = 2};
    const tf_journal_slot *r = rec(TF_REC_MD_QUOTE, 1, &q, sizeof q);
    B.cap = RC_CMD_MAX * 3 - 1; /* one byte short of room for the longest record */
    assert_int_equal(redis_cmds_add(&RC, &B, r, &BTC), -1);
    assert_int_equal(B.len, 0);
    assert_int_equal(B.commands, 0);
    B.cap = RC_CMD_MAX * 3;     /* exactly enough */
    assert_int_equal(redis_cmds_add(&RC, &B, r, &BTC), 1);
    size_t one = B.len;
    assert_true(one > 0);
    /* Now less than 3 * RC_CMD_MAX is free: refused, nothing appended. */
    memset(mem + one, 0x5A, 64);
    assert_int_equal(redis_cmds_add(&RC, &B, r, &BTC), -1);
    assert_int_equal(B.len, one);
    assert_int_equal(B.commands, 1);
    assert_int_equal((unsigned char)mem[one], 0x5A);
    /* Even a record that would make no command is refused while the buffer is full. */
    assert_int_equal(redis_cmds_add(&RC, &B, r, NULL), -1);
}

/* The longest commands stay within RC_CMD_MAX: widest numbers, longest names. */
static void test_longest_command_fits(void **state)
{
    (void)state;
    tf_md_instrument_info wide = {.id = 63, .price_precision = 8, .qty_precision = 8,
                                  .symbol = "ABCDEFGHIJKLMNO", .venue = "abcdefghijklmno"};
    tf_md_bar b = {.instrument = 63, .open_time_ns = UINT64_MAX, .open = INT64_MIN, .high = INT64_MIN,
                   .low = INT64_MIN, .close = INT64_MIN, .volume = INT64_MIN, .quote_volume = INT64_MIN,
                   .vwap = INT64_MIN, .trade_count = UINT32_MAX, .revision = UINT16_MAX,
                   .first_trade_id = UINT64_MAX, .last_trade_id = UINT64_MAX};
    RC.bars_keep = UINT32_MAX;
    assert_int_equal(redis_cmds_add(&RC, &B, rec(TF_REC_MD_BAR, 1, &b, sizeof b), &wide), 3);
    assert_true(B.len <= RC_CMD_MAX * 3);
    size_t before = B.len;
    tf_md_trade t = {.instrument = 63, .price = INT64_MIN, .qty = INT64_MIN, .trade_id = UINT64_MAX,
                     .trade_time_ns = UINT64_MAX};
    RC.trades_maxlen = UINT32_MAX;
    assert_int_equal(redis_cmds_add(&RC, &B, rec(TF_REC_MD_TRADE, UINT64_MAX, &t, sizeof t), &wide), 1);
    assert_true(B.len - before <= RC_CMD_MAX);
    /* The rank bound of the trim: -(bars_keep + 1), as a 64-bit number. */
    assert_non_null(memmem(B.p, before, "$11\r\n-4294967296\r\n", 18));
}

static void test_bar_json(void **state)
{
    (void)state;
    tf_md_bar b = a_bar(0);
    char out[512];
    size_t n = redis_bar_json(out, sizeof out, &b, &BTC);
    assert_int_equal(n, strlen(BAR_JSON));
    assert_string_equal(out, BAR_JSON);
    assert_int_equal(redis_bar_json(out, n + 1, &b, &BTC), n); /* room for the NUL: fits */
    assert_int_equal(redis_bar_json(out, n, &b, &BTC), 0);     /* one short: 0, not a cut member */
}

/* A parent order's events: its latest, as JSON, under parents:<strategy>. */
static void test_parent_events_are_hset(void **state)
{
    (void)state;
    tf_order_event ev = {.order_id = 77, .strategy = 3, .instrument = 0, .kind = TF_EV_PARENT_STATE, .side = 0,
                         .reason = TF_ALGO_DONE, .cum_qty = 50000, .last_px = 4300012, .arg = -1250,
                         .realtime_ns = 1700000000000000001ull};
    assert_int_equal(redis_cmds_add(&RC, &B, rec(TF_REC_ORDER_EVENT, 4, &ev, sizeof ev), &BTC), 1);
    char want[1024];
    size_t n = resp(want, 4, "HSET", "parents:{prod}:3", "77",
                    "{\"parent_id\":77,\"symbol\":\"BTCUSDT\",\"side\":\"buy\",\"state\":\"done\","
                    "\"filled\":\"0.50000\",\"avg_price\":\"43000.12\",\"slippage_bp\":-1.250,"
                    "\"updated_ns\":1700000000000000001}");
    assert_buf(want, n);
    B.len = 0;
    ev.kind = TF_EV_PARENT_ACCEPTED;
    ev.reason = TF_ALGO_TWAP;
    ev.qty = 100000;
    ev.price = 0;
    assert_int_equal(redis_cmds_add(&RC, &B, rec(TF_REC_ORDER_EVENT, 5, &ev, sizeof ev), &BTC), 1);
    n = resp(want, 4, "HSET", "parents:{prod}:3", "77",
             "{\"parent_id\":77,\"symbol\":\"BTCUSDT\",\"side\":\"buy\",\"algo\":\"twap\",\"qty\":\"1.00000\","
             "\"limit_price\":\"0.00\",\"updated_ns\":1700000000000000001}");
    assert_buf(want, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_quote_is_hset, setup),
        cmocka_unit_test_setup(test_trade_is_xadd, setup),
        cmocka_unit_test_setup(test_bar_is_three_commands, setup),
        cmocka_unit_test_setup(test_venue_bar_key, setup),
        cmocka_unit_test_setup(test_high_instrument_id, setup),
        cmocka_unit_test_setup(test_nothing_to_send, setup),
        cmocka_unit_test_setup(test_buffer_limit, setup),
        cmocka_unit_test_setup(test_longest_command_fits, setup),
        cmocka_unit_test_setup(test_bar_json, setup),
        cmocka_unit_test_setup(test_parent_events_are_hset, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

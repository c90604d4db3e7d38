/* Line protocol: escaping, numbers, overflow; journal records → points;
 * the saved position file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "shm/err.h"
#include "shm/orders.h"
#include "shm/parents.h"
#include "tools/oob/oob_process.h"
#include "tools/oob/influx_http.h"
#include "tools/oob/influx_points.h"
#include "tools/oob/lineproto.h"

static char mem[4096];

static lp_buf fresh(size_t cap)
{
    memset(mem, 0, sizeof mem);
    return (lp_buf){.p = mem, .cap = cap};
}

static const char *text(const lp_buf *b)
{
    mem[b->len] = 0;
    return mem;
}

static void test_escaping(void **state)
{
    (void)state;
    lp_buf b = fresh(sizeof mem - 1);
    assert_true(lp_measurement(&b, "my meas,ure=ment"));
    assert_true(lp_tag(&b, "ta g,=", "v a,l=ue\\"));
    assert_true(lp_field_str(&b, "fi=eld", "say \"hi\" \\ bye, x=1"));
    assert_true(lp_field_int(&b, "n", -42));
    assert_true(lp_field_bool(&b, "ok", true));
    assert_true(lp_field_fixed(&b, "px", 4321012, 2));
    assert_true(lp_point_end(&b, 1700000000000000000));
    assert_string_equal(text(&b), "my\\ meas\\,ure=ment,ta\\ g\\,\\==v\\ a\\,l\\=ue\\ "
                                  "fi\\=eld=\"say \\\"hi\\\" \\\\ bye, x=1\",n=-42i,ok=true,px=43210.12 "
                                  "1700000000000000000\n");
}

static void test_refusals_leave_the_buffer_alone(void **state)
{
    (void)state;
    lp_buf b = fresh(sizeof mem - 1);
    assert_true(lp_measurement(&b, "m"));
    size_t len = b.len;
    assert_false(lp_tag(&b, "k", "new\nline"));
    assert_false(lp_tag(&b, "k", ""));
    assert_false(lp_tag(&b, "", "v"));
    assert_int_equal(b.len, len);
    assert_false(lp_point_end(&b, 1)); /* no field yet */
    /* A field that does not fit leaves nothing half-written. */
    b = fresh(32);
    assert_true(lp_measurement(&b, "m"));
    assert_true(lp_field_int(&b, "a", 1)); /* "m a=1i" */
    len = b.len;
    assert_false(lp_field_int(&b, "bb", INT64_MIN));
    assert_int_equal(b.len, len);
    assert_false(lp_field_fixed(&b, "c", 123456789, 4));
    assert_int_equal(b.len, len);
}

static const tf_md_instrument_info btc = {
    .id = 0, .price_precision = 2, .qty_precision = 5, .symbol = "BTCUSDT", .venue = "binance"};

static tf_journal_slot *slot(uint16_t type, const void *rec, size_t len)
{
    static uint64_t space[32];
    tf_journal_slot *s = (tf_journal_slot *)space;
    memset(space, 0, sizeof space);
    s->type = type;
    s->length = (uint16_t)len;
    memcpy(s->payload, rec, len);
    return s;
}

static void test_points(void **state)
{
    (void)state;
    tf_cfg_influx cfg = {.precision = TF_INFLUX_NS, .trades = true, .top_sample_ns = 1000000000};
    influx_points ip;
    influx_points_init(&ip, &cfg, "prod");
    lp_buf b = fresh(sizeof mem - 1);

    tf_md_bar bar = {.instrument = 0, .flags = TF_BAR_CLOSED, .revision = 1,
                     .open_time_ns = 1796046300000000000ull, .open = 4300019, .high = 4300233,
                     .low = 4299936, .close = 4299955, .volume = 398119, .quote_volume = 17119496123456LL,
                     .vwap = 43000951234LL, .trade_count = 150, .first_trade_id = 1001, .last_trade_id = 1151};
    assert_int_equal(influx_points_add(&ip, &b, slot(TF_REC_MD_BAR, &bar, sizeof bar), &btc), 1);
    assert_string_equal(text(&b), "market_data,exchange=binance,instance=prod,symbol=BTCUSDT,timeframe=1m "
                                  "open=43000.19,high=43002.33,low=42999.36,close=42999.55,volume=3.98119,"
                                  "vwap=43000.951234,quote_volume=171194.96123456,quote_volume_e8=17119496123456i,trades=150i,revision=1i,"
                                  "first_trade_id=1001i,last_trade_id=1151i,flat=false,volume_units=398119i,"
                                  "price_precision=2i,qty_precision=5i 1796046300000000000\n");

    /* Trades of one millisecond get distinct, deterministic timestamps. */
    b = fresh(sizeof mem - 1);
    tf_md_trade t = {.instrument = 0, .kind = TF_MD_TRADE, .flags = TF_MD_BUYER_MAKER, .price = 4300001,
                     .qty = 100, .trade_id = 2000123, .trade_time_ns = 1796046300123000000ull,
                     .hops = {.venue_ns = 1796046300124000000ull}};
    assert_int_equal(influx_points_add(&ip, &b, slot(TF_REC_MD_TRADE, &t, sizeof t), &btc), 1);
    assert_string_equal(text(&b), "trades,exchange=binance,instance=prod,symbol=BTCUSDT price=43000.01,qty=0.00100,"
                                  "id=2000123i,buyer_maker=true 1796046300123000123\n");

    /* Quotes: the first one in each second of venue time. */
    b = fresh(sizeof mem - 1);
    tf_md_quote q = {.instrument = 0, .update_id = 9, .bid_price = 4300000, .bid_qty = 1,
                     .ask_price = 4300001, .ask_qty = 2};
    assert_int_equal(influx_points_add(&ip, &b, slot(TF_REC_MD_QUOTE, &q, sizeof q), &btc), 1);
    assert_int_equal(influx_points_add(&ip, &b, slot(TF_REC_MD_QUOTE, &q, sizeof q), &btc), 0);
    assert_string_equal(text(&b), "quotes,exchange=binance,instance=prod,symbol=BTCUSDT bid=43000.00,bid_qty=0.00001,"
                                  "ask=43000.01,ask_qty=0.00002,update_id=9i 1796046300124000000\n");

    /* Unknown instrument: skipped and counted. Depth: no point. */
    assert_int_equal(influx_points_add(&ip, &b, slot(TF_REC_MD_TRADE, &t, sizeof t), NULL), 0);
    assert_int_equal(ip.unknown_instrument, 1);
    tf_md_depth d = {.instrument = 0, .hops = {.venue_ns = 1796046399000000000ull}};
    assert_int_equal(influx_points_add(&ip, &b, slot(TF_REC_MD_DEPTH, &d, sizeof d), &btc), 0);
    assert_int_equal(ip.venue_clock_ns, 1796046399000000000ull);

    /* Millisecond precision: the trade keeps its millisecond. */
    cfg.precision = TF_INFLUX_MS;
    influx_points_init(&ip, &cfg, "prod");
    b = fresh(sizeof mem - 1);
    assert_int_equal(influx_points_add(&ip, &b, slot(TF_REC_MD_TRADE, &t, sizeof t), &btc), 1);
    assert_non_null(strstr(text(&b), " 1796046300123\n"));
    /* A full buffer: -1, nothing appended. */
    b = fresh(40);
    assert_int_equal(influx_points_add(&ip, &b, slot(TF_REC_MD_BAR, &bar, sizeof bar), &btc), -1);
    assert_int_equal(b.len, 0);
}

/* A parent order's progress: measurement parent_orders. */
static void test_parent_points(void **state)
{
    (void)state;
    tf_cfg_influx cfg = {.precision = TF_INFLUX_NS};
    influx_points ip;
    influx_points_init(&ip, &cfg, "prod");
    lp_buf b = fresh(sizeof mem - 1);
    tf_order_event ev = {.order_id = 77, .strategy = 3, .instrument = 0, .kind = TF_EV_PARENT_STATE,
                         .reason = TF_ALGO_RUNNING, .cum_qty = 25000, .last_px = 4300012, .arg = 1500,
                         .realtime_ns = 1796046300000000000ull};
    tf_journal_slot *s = slot(TF_REC_ORDER_EVENT, &ev, sizeof ev);
    s->seq = 9;
    assert_int_equal(influx_points_add(&ip, &b, s, &btc), 1);
    assert_string_equal(text(&b), "parent_orders,exchange=binance,instance=prod,symbol=BTCUSDT,strategy=3,event=parent_state,"
                                  "what=running parent_id=77i,side=\"buy\",filled=0.25000,avg_price=43000.12,"
                                  "slippage_bp=1.500,seq=9i 1796046300000000009\n");
}

static void test_position_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/tf-pos.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/x.pos", dir);
    oob_position p = {.journal_id = 77, .next_seq = 1234};
    p.extra[0] = 5;
    p.extra[15] = 9;
    oob_position q;
    assert_int_equal(oob_position_load(path, &q), 1); /* none yet */
    if (oob_position_save(path, &p) != 0)
        fail_msg("%s", tf_err_msg());
    assert_int_equal(oob_position_load(path, &q), 0);
    assert_memory_equal(&p, &q, sizeof p);
    FILE *f = fopen(path, "w");
    fputs("journal_id=77\nnext_seq=banana\n", f);
    fclose(f);
    assert_int_equal(oob_position_load(path, &q), -1);
    assert_non_null(strstr(tf_err_msg(), "garbled"));
    f = fopen(path, "w");
    fputs("journal_id=77\n", f);
    fclose(f);
    assert_int_equal(oob_position_load(path, &q), -1);
    assert_non_null(strstr(tf_err_msg(), "missing"));
    unlink(path);
    rmdir(dir);
}

/* --roundtrip URL DB: write points with every character that needs
 * escaping to a real InfluxDB through our encoder and writer; the
 * integration test reads them back (tests/integration/test_export.sh). */
static int roundtrip(const char *url, const char *db)
{
    tf_cfg_influx cfg = {.precision = TF_INFLUX_NS, .timeout_ns = 5000000000ull, .gzip = true};
    snprintf(cfg.url, sizeof cfg.url, "%s", url);
    snprintf(cfg.database, sizeof cfg.database, "%s", db);
    static const char *const names[] = {"plain", "with space", "com,ma", "equ=als", "quo\"te",
                                        "back\\slash", "all ,=\"\\ mixed"};
    lp_buf b = fresh(sizeof mem - 1);
    int64_t ts = 1700000000000000000;
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++) {
        const char *n = names[i];
        if (!lp_measurement(&b, n[0] == 'p' ? "esc test" : "esc,test") || !lp_tag(&b, "tag key", n) ||
            !lp_field_str(&b, "str field", n) || !lp_field_int(&b, "idx", i) ||
            !lp_field_fixed(&b, "val,ue", -12345, 3) || !lp_point_end(&b, ts + i))
            return 2;
    }
    influx_conn c;
    if (influx_open(&c, &cfg, sizeof mem) != 0 || influx_create_database(&c) != INFLUX_OK)
        return 3;
    influx_rc rc = influx_write(&c, b.p, b.len);
    if (rc != INFLUX_OK) {
        fprintf(stderr, "write: %s %ld %s\n", influx_rc_name(rc), c.status, c.body);
        return 4;
    }
    influx_close(&c);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--roundtrip") == 0)
        return roundtrip(argv[2], argv[3]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_refusals_leave_the_buffer_alone),
        cmocka_unit_test(test_points),
        cmocka_unit_test(test_parent_points),
        cmocka_unit_test(test_position_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The client library against segments a corrupt or foreign engine may have
 * left: an instrument slot with a precision of 200 (once a stack overrun in
 * tfc_price_text) is left unknown; a state table whose count exceeds its
 * capacity, and an order journal of slots larger than the client's copy
 * buffer (once a heap overrun on the first read), are refused at tfc_open
 * with the reason. The engine is made here with shm/ calls, laid out as
 * engine/engine.c lays it out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "include/tradefan/client.h"
#include "shm/catalog.h"
#include "shm/err.h"
#include "shm/journal.h"
#include "shm/lanes.h"
#include "shm/records.h"
#include "shm/ring.h"
#include "shm/segment.h"
#include "shm/state.h"
#include "tests/test_util.h"

#define INST "tg"

static tf_segment g_req, g_state, g_orders;
static tf_state_table *g_table;

static void seg_create(tf_segment *seg, const char *name, const tf_seg_layout *l)
{
    char path[256];
    assert_int_equal(tf_segment_path(path, sizeof path, test_dir, INST, name), 0);
    if (tf_segment_create(seg, path, INST, name, l, 0600, TF_STALE_ACTION_REPLACE) != 0)
        fail_msg("create %s: %s", path, tf_err_msg());
}

static void instrument(uint32_t id, const char *sym, uint8_t pp, uint8_t qp)
{
    tf_md_instrument_info in = {.id = id, .price_precision = pp, .qty_precision = qp};
    snprintf(in.symbol, sizeof in.symbol, "%s", sym);
    tf_state_slot *s = tf_state_claim(g_table, TF_STATE_INSTRUMENT, sym);
    assert_non_null(s);
    tf_state_write(s, &in, sizeof in, tf_now_ns());
}

/* Requests, state (with the order table and limits) and the order journal
 * with slots of `slot_size` bytes; published. */
static void eng_start(uint32_t slot_size)
{
    tf_seg_layout l;
    uint64_t len = 0;
    void *region;
    memset(&l, 0, sizeof l);
    l.kind = TF_SEG_KIND_STATE;
    l.region_count = 3;
    l.regions[0].name = TF_REGION_STATE;
    l.regions[0].length = tf_state_region_size(16);
    l.regions[1].name = TF_REGION_ORDERS;
    l.regions[1].length = 16 * sizeof(tf_order_slot);
    l.regions[2].name = TF_REGION_LIMITS;
    l.regions[2].length = sizeof(tf_limits_slot);
    seg_create(&g_state, TF_SEG_STATE, &l);
    g_table = tf_segment_region(&g_state, TF_REGION_STATE, NULL);
    tf_state_table_init(g_table, 16);
    instrument(0, "BTCUSDT", 2, 5);
    instrument(1, "BADPX", 200, 5);

    memset(&l, 0, sizeof l);
    l.kind = TF_SEG_KIND_RINGS;
    l.region_count = 1;
    l.regions[0].name = TF_REGION_REQUESTS;
    l.regions[0].length = tf_ring_region_size(64, sizeof(struct tf_request));
    seg_create(&g_req, TF_SEG_REQUESTS, &l);
    tf_ring ring;
    assert_non_null(region = tf_segment_region(&g_req, TF_REGION_REQUESTS, &len));
    assert_int_equal(tf_ring_init(&ring, region, len, TF_REGION_REQUESTS, TF_RING_MPSC, 64,
                                  sizeof(struct tf_request)), 0);
    tf_journal j;
    tf_journal_layout(&l, 16, slot_size);
    seg_create(&g_orders, TF_SEG_ORDERS, &l);
    assert_int_equal(tf_journal_init(&j, &g_orders, TF_SEG_ORDERS, 16, slot_size), 0);
    assert_int_equal(tf_segment_publish(&g_orders), 0);
    assert_int_equal(tf_segment_publish(&g_state), 0);
    assert_int_equal(tf_segment_publish(&g_req), 0);
}

static int teardown(void **state)
{
    (void)state;
    tf_segment_close(&g_req);
    tf_segment_close(&g_state);
    tf_segment_close(&g_orders);
    const char *names[] = {TF_SEG_REQUESTS, TF_SEG_STATE, TF_SEG_ORDERS};
    for (int i = 0; i < 3; i++) {
        char path[256];
        tf_segment_path(path, sizeof path, test_dir, INST, names[i]);
        unlink(path);
    }
    return 0;
}

static void assert_has(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("\"%s\" does not say \"%s\"", text, part);
}

static void test_bad_precision_instrument_left_unknown(void **state)
{
    (void)state;
    eng_start(128);
    char err[512] = "";
    tfc *c = tfc_open(INST, test_dir, 1, err, sizeof err);
    if (!c)
        fail_msg("tfc_open: %s", err);
    assert_int_equal(tfc_instrument(c, "BTCUSDT"), 0);
    assert_int_equal(tfc_instrument(c, "BADPX"), -1);
    char buf[64];
    assert_string_equal(tfc_price_text(c, 0, 4321012, buf, sizeof buf), "43210.12");
    tfc_price_text(c, 1, 4321012, buf, sizeof buf); /* no overrun, whatever it says */
    assert_true(strlen(buf) < sizeof buf);
    int64_t v;
    assert_int_equal(tfc_price_units(c, 1, "1.5", &v), -1);
    tfc_close(c);
}

static void test_state_count_beyond_capacity_refused(void **state)
{
    (void)state;
    eng_start(128);
    g_table->slot_count = 17;
    char err[512] = "";
    assert_null(tfc_open(INST, test_dir, 1, err, sizeof err));
    assert_has(err, "counts 17 slots of 16");
    g_table->slot_count = 2;
    g_table->slot_capacity = 1000; /* more than the region holds */
    assert_null(tfc_open(INST, test_dir, 1, err, sizeof err));
    assert_has(err, "claims 1000 slots");
}

static void test_journal_slots_larger_than_the_client_reads_refused(void **state)
{
    (void)state;
    eng_start(512);
    char err[512] = "";
    assert_null(tfc_open(INST, test_dir, 1, err, sizeof err));
    assert_has(err, "order journal slots of 512 bytes");
}

int main(void)
{
    if (test_dir_make("tf_client_guard") != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_bad_precision_instrument_left_unknown, teardown),
        cmocka_unit_test_teardown(test_state_count_beyond_capacity_refused, teardown),
        cmocka_unit_test_teardown(test_journal_slots_larger_than_the_client_reads_refused, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, test_dir_remove);
}

/* Stats segment and error log: registration and read-back through a
 * read-only attach, one writer per counter line, limits, histograms in shm;
 * the distinct-error log's first/repeat/overflow behaviour and its labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shm/err.h"
#include "tests/test_util.h"
#include "shm/errlog.h"
#include "shm/stats.h"


static int setup(void **state)
{
    (void)state;
    return test_dir_make("tf-test-stats");
}

static void create_stats(tf_segment *seg, tf_stats *st, char *path, const char *name)
{
    assert_int_equal(tf_segment_path(path, 256, test_dir, "t", name), 0);
    tf_seg_layout l;
    tf_stats_layout(&l);
    if (tf_segment_create(seg, path, "t", name, &l, 0640, TF_STALE_ACTION_REFUSE) != 0 ||
        tf_stats_init(st, seg) != 0 || tf_segment_publish(seg) != 0)
        fail_msg("stats: %s", tf_err_msg());
}

static void test_register_and_read_back(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg, rseg;
    tf_stats st, rd;
    create_stats(&seg, &st, path, "a");
    int o1 = tf_stats_add_owner(&st, "feed"), o2 = tf_stats_add_owner(&st, "risk");
    assert_int_equal(o1, 1);
    assert_int_equal(o2, 2);
    assert_int_equal(tf_stats_add_thread(&st, "hot", 1, 0, 2), 0);
    uint64_t *c1 = tf_stats_counter(&st, (uint32_t)o1, "msgs", "venue=sim", TF_COUNTER);
    uint64_t *c2 = tf_stats_counter(&st, (uint32_t)o2, "rejects", "", TF_COUNTER);
    tf_hist *h = tf_stats_hist(&st, (uint32_t)o1, "decode", "venue=sim");
    assert_non_null(c1);
    assert_non_null(c2);
    assert_non_null(h);
    tf_counter_inc(c1, 41);
    tf_counter_inc(c1, 1);
    for (uint64_t v = 100; v < 200; v++)
        tf_hist_record(h, v);
    tf_errlog_note(tf_stats_errlog(&st, (uint32_t)o2), (uint32_t)o2, TF_E_SEQ_GAP, 9, "gap", 5);

    assert_int_equal(tf_segment_attach(&rseg, path, TF_SEG_KIND_STATS), TF_SEG_OK);
    assert_int_equal(tf_stats_attach(&rd, &rseg), 0);
    assert_int_equal(rd.dir->owner_count, 3);
    assert_string_equal(rd.dir->owners[0].name, "engine");
    assert_string_equal(rd.dir->owners[2].name, "risk");
    assert_string_equal(rd.dir->threads[0].name, "hot");
    assert_int_equal(rd.dir->counter_count, 2);
    assert_string_equal(rd.dir->counters[0].name, "msgs");
    assert_string_equal(rd.dir->counters[0].labels, "venue=sim");
    assert_int_equal(tf_stats_value(&rd, 0), 42);
    assert_int_equal(tf_stats_value(&rd, 1), 0);
    tf_hist *snap = malloc(sizeof *snap);
    tf_hist_snapshot(snap, &rd.hists[0]);
    tf_hist_summary s;
    tf_hist_summarize(snap, &s);
    assert_int_equal(s.count, 100);
    assert_int_equal(s.max, 199);
    free(snap);
    assert_int_equal(rd.errlog->blocks[2].entries[0].code, TF_E_SEQ_GAP);
    tf_segment_close(&rseg);
    tf_segment_close(&seg);
}

static void test_one_writer_per_line(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg;
    tf_stats st;
    create_stats(&seg, &st, path, "b");
    uint64_t *ptr[3][20];
    int owners[3];
    for (int o = 0; o < 3; o++) {
        char name[24];
        snprintf(name, sizeof name, "stage%d", o);
        owners[o] = tf_stats_add_owner(&st, name);
    }
    for (int k = 0; k < 20; k++) /* interleaved registration */
        for (int o = 0; o < 3; o++) {
            char name[24];
            snprintf(name, sizeof name, "c%d", k);
            ptr[o][k] = tf_stats_counter(&st, (uint32_t)owners[o], name, "", TF_COUNTER);
            assert_non_null(ptr[o][k]);
        }
    for (int o = 0; o < 3; o++)
        for (int k = 0; k < 20; k++)
            for (int p = 0; p < 3; p++)
                for (int q = 0; q < 20; q++)
                    if (p != o)
                        assert_true((uintptr_t)ptr[o][k] / TF_WRITER_LINE !=
                                    (uintptr_t)ptr[p][q] / TF_WRITER_LINE);
    tf_segment_close(&seg);
}

static void test_limits(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg;
    tf_stats st;
    create_stats(&seg, &st, path, "c");
    int last = 0;
    while ((last = tf_stats_add_owner(&st, "x")) >= 0) {
    }
    assert_non_null(strstr(tf_err_msg(), "more than"));
    assert_null(tf_stats_counter(&st, 999, "n", "", TF_COUNTER));
    int made = 0;
    while (tf_stats_counter(&st, 1, "n", "", TF_COUNTER))
        made++;
    assert_int_equal(made, TF_STATS_MAX_COUNTERS);
    made = 0;
    while (tf_stats_hist(&st, 1, "h", ""))
        made++;
    assert_int_equal(made, TF_STATS_MAX_HISTS);
    for (unsigned i = 0; i < TF_STATS_MAX_THREADS; i++)
        assert_true(tf_stats_add_thread(&st, "t", -1, 0, 0) >= 0);
    assert_int_equal(tf_stats_add_thread(&st, "t", -1, 0, 0), -1);
    tf_segment_close(&seg);
}

static void test_errlog(void **state)
{
    (void)state;
    tf_errlog_block *b = calloc(1, sizeof *b);
    tf_errlog_note(b, 3, TF_E_SEQ_GAP, 10, "first detail", 100);
    tf_errlog_note(b, 3, TF_E_SEQ_GAP, 11, "other detail", 200);
    tf_errlog_note(b, 3, TF_E_RING_FULL_DROP, 1, "drop", 300);
    assert_int_equal(b->entries[0].code, TF_E_SEQ_GAP);
    assert_int_equal(b->entries[0].count, 2);
    assert_int_equal(b->entries[0].first_ns, 100);
    assert_int_equal(b->entries[0].last_ns, 200);
    assert_int_equal(b->entries[0].last_arg, 11);
    assert_string_equal(b->entries[0].detail, "first detail"); /* the first occurrence's */
    assert_int_equal(b->entries[0].owner, 3);
    assert_int_equal(b->entries[1].code, TF_E_RING_FULL_DROP);
    /* More distinct codes than entries: the rest are counted, not lost silently. */
    for (uint32_t c = 1; c < TF_E_CODE_COUNT; c++)
        tf_errlog_note(b, 3, (tf_err_code)c, 0, "x", 400);
    for (uint32_t c = 100; c < 100 + TF_ERRLOG_ENTRIES; c++)
        tf_errlog_note(b, 3, (tf_err_code)c, 0, "x", 500);
    assert_int_equal(b->overflow, TF_E_CODE_COUNT - 1);
    free(b);
    for (uint32_t c = 1; c < TF_E_CODE_COUNT; c++) {
        assert_true(strlen(tf_err_code_name(c)) > 0);
        for (uint32_t d = 1; d < c; d++)
            assert_string_not_equal(tf_err_code_name(c), tf_err_code_name(d));
    }
    assert_string_equal(tf_err_code_name(TF_E_CODE_COUNT + 5), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_and_read_back),
        cmocka_unit_test(test_one_writer_per_line),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_errlog),
    };
    return cmocka_run_group_tests(tests, setup, test_dir_remove);
}

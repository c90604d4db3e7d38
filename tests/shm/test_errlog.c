/* Distinct-error log: the first note of a code fills an entry (code, owner,
 * detail, first/last time, count, argument); repeats bump count, last time
 * and last argument only; distinct codes take distinct entries; codes beyond
 * TF_ERRLOG_ENTRIES are counted in `overflow`; blocks of different owners do
 * not interfere; and the code labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "shm/errlog.h"

static tf_errlog_block *b;

static int setup(void **state)
{
    (void)state;
    b = calloc(1, sizeof *b);
    return b ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(b);
    b = NULL;
    return 0;
}

static void test_layout(void **state)
{
    (void)state;
    assert_int_equal(sizeof(tf_errlog_entry), 64);
    assert_int_equal(sizeof(tf_errlog_block) % TF_WRITER_LINE, 0);
    assert_int_equal(offsetof(tf_errlog, blocks) % TF_WRITER_LINE, 0);
    /* Blocks of two owners never share a writer line. */
    assert_int_equal(offsetof(tf_errlog, blocks[1]) - offsetof(tf_errlog, blocks[0]),
                     sizeof(tf_errlog_block));
}

static void test_first_note_fills_entry(void **state)
{
    (void)state;
    tf_errlog_note(b, 3, TF_E_SEQ_GAP, 10, "gap on feed", 100);
    const tf_errlog_entry *e = &b->entries[0];
    assert_int_equal(e->code, TF_E_SEQ_GAP);
    assert_int_equal(e->owner, 3);
    assert_int_equal(e->count, 1);
    assert_int_equal(e->first_ns, 100);
    assert_int_equal(e->last_ns, 100);
    assert_int_equal(e->last_arg, 10);
    assert_string_equal(e->detail, "gap on feed");
    for (uint32_t i = 1; i < TF_ERRLOG_ENTRIES; i++)
        assert_int_equal(b->entries[i].code, 0); /* nothing else taken */
    assert_int_equal(b->overflow, 0);
}

static void test_detail_truncated_and_terminated(void **state)
{
    (void)state;
    const char *longer = "a detail that is much longer than the field";
    tf_errlog_note(b, 0, TF_E_JOURNAL_FLUSH, 0, longer, 1);
    const tf_errlog_entry *e = &b->entries[0];
    assert_int_equal(e->detail[TF_ERRLOG_DETAIL - 1], 0);
    assert_int_equal(strlen(e->detail), TF_ERRLOG_DETAIL - 1);
    assert_memory_equal(e->detail, longer, TF_ERRLOG_DETAIL - 1);

    tf_errlog_note(b, 0, TF_E_SEQ_REORDER, 0, NULL, 2); /* no detail */
    assert_string_equal(b->entries[1].detail, "");
}

static void test_repeats_bump_count_and_last(void **state)
{
    (void)state;
    tf_errlog_note(b, 3, TF_E_SEQ_GAP, 10, "first detail", 100);
    tf_errlog_note(b, 3, TF_E_SEQ_GAP, 11, "other detail", 200);
    tf_errlog_note(b, 3, TF_E_SEQ_GAP, 12, "third detail", 300);
    const tf_errlog_entry *e = &b->entries[0];
    assert_int_equal(e->code, TF_E_SEQ_GAP);
    assert_int_equal(e->count, 3);
    assert_int_equal(e->first_ns, 100);   /* kept */
    assert_int_equal(e->last_ns, 300);
    assert_int_equal(e->last_arg, 12);
    assert_string_equal(e->detail, "first detail"); /* the first occurrence's */
    assert_int_equal(b->entries[1].code, 0);       /* no second entry */
    for (int i = 0; i < 1000; i++)
        tf_errlog_note(b, 3, TF_E_SEQ_GAP, (uint64_t)i, "x", 1000 + (uint64_t)i);
    assert_int_equal(e->count, 1003);
    assert_int_equal(e->last_ns, 1999);
    assert_int_equal(e->last_arg, 999);
    assert_int_equal(e->first_ns, 100);
}

static void test_distinct_codes_distinct_entries(void **state)
{
    (void)state;
    /* Interleaved: each code keeps its own entry, in order of first sight
     * (as many codes as a block holds: more is test_overflow_counted). */
    const uint32_t n = TF_E_CODE_COUNT - 1 < TF_ERRLOG_ENTRIES - 1 ? TF_E_CODE_COUNT : TF_ERRLOG_ENTRIES - 1;
    for (int round = 0; round < 3; round++)
        for (uint32_t c = 1; c < n; c++)
            tf_errlog_note(b, 7, (tf_err_code)c, c * 10 + (uint64_t)round, tf_err_code_name(c),
                           (uint64_t)round * 100 + c);
    for (uint32_t c = 1; c < n; c++) {
        const tf_errlog_entry *e = &b->entries[c - 1];
        assert_int_equal(e->code, c);
        assert_int_equal(e->owner, 7);
        assert_int_equal(e->count, 3);
        assert_int_equal(e->first_ns, c);
        assert_int_equal(e->last_ns, 200 + c);
        assert_int_equal(e->last_arg, c * 10 + 2);
        assert_string_equal(e->detail, tf_err_code_name(c));
    }
    assert_int_equal(b->entries[n - 1].code, 0);
    assert_int_equal(b->overflow, 0);
}

static void test_overflow_counted(void **state)
{
    (void)state;
    /* Fill every entry with a distinct code (numbers past the named ones
     * stand in for codes a newer engine may add). */
    for (uint32_t i = 0; i < TF_ERRLOG_ENTRIES; i++)
        tf_errlog_note(b, 1, (tf_err_code)(i + 1), i, "fill", 10);
    assert_int_equal(b->overflow, 0);
    for (uint32_t i = 0; i < TF_ERRLOG_ENTRIES; i++)
        assert_int_equal(b->entries[i].code, i + 1);

    /* More distinct codes: counted, not stored, and nothing overwritten. */
    for (uint32_t c = 100; c < 105; c++)
        tf_errlog_note(b, 1, (tf_err_code)c, 0, "extra", 20);
    assert_int_equal(b->overflow, 5);
    tf_errlog_note(b, 1, (tf_err_code)100, 0, "extra", 30); /* each note counts */
    assert_int_equal(b->overflow, 6);
    for (uint32_t i = 0; i < TF_ERRLOG_ENTRIES; i++) {
        assert_int_equal(b->entries[i].code, i + 1);
        assert_int_equal(b->entries[i].count, 1);
        assert_string_equal(b->entries[i].detail, "fill");
    }

    /* Codes already in the log still count as repeats when the log is full. */
    tf_errlog_note(b, 1, (tf_err_code)1, 99, "fill", 40);
    assert_int_equal(b->entries[0].count, 2);
    assert_int_equal(b->entries[0].last_arg, 99);
    assert_int_equal(b->overflow, 6);
}

static void test_owners_blocks_independent(void **state)
{
    (void)state;
    tf_errlog *log = calloc(1, sizeof *log);
    assert_non_null(log);
    tf_errlog_note(&log->blocks[0], 0, TF_E_SEQ_GAP, 1, "main", 5);
    tf_errlog_note(&log->blocks[2], 2, TF_E_SEQ_GAP, 2, "stage two", 6);
    tf_errlog_note(&log->blocks[2], 2, TF_E_SEQ_GAP, 3, "stage two", 7);
    assert_int_equal(log->blocks[0].entries[0].count, 1);
    assert_int_equal(log->blocks[0].entries[0].owner, 0);
    assert_string_equal(log->blocks[0].entries[0].detail, "main");
    assert_int_equal(log->blocks[1].entries[0].code, 0);
    assert_int_equal(log->blocks[2].entries[0].count, 2);
    assert_int_equal(log->blocks[2].entries[0].owner, 2);
    assert_int_equal(log->blocks[2].entries[0].last_arg, 3);
    free(log);
}

static void test_code_names(void **state)
{
    (void)state;
    assert_string_equal(tf_err_code_name(TF_E_NONE), "none");
    for (uint32_t c = 0; c < TF_E_CODE_COUNT; c++) {
        const char *n = tf_err_code_name(c);
        assert_non_null(n);
        assert_non_null(tf_err_code_names[c]);
        assert_ptr_equal(n, tf_err_code_names[c]);
        assert_true(strlen(n) > 0);
        assert_string_not_equal(n, "unknown");
        for (uint32_t d = 0; d < c; d++)
            assert_string_not_equal(n, tf_err_code_name(d));
    }
    assert_string_equal(tf_err_code_name(TF_E_SEQ_GAP), "sequence_gap");
    assert_string_equal(tf_err_code_name(TF_E_DEADLINE_OVERRUN), "deadline_overrun");
    assert_string_equal(tf_err_code_name(TF_E_CODE_COUNT), "unknown");
    assert_string_equal(tf_err_code_name(TF_E_CODE_COUNT + 5), "unknown");
    assert_string_equal(tf_err_code_name(UINT32_MAX), "unknown");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_layout),
        T(test_first_note_fills_entry),
        T(test_detail_truncated_and_terminated),
        T(test_repeats_bump_count_and_last),
        T(test_distinct_codes_distinct_entries),
        T(test_overflow_counted),
        T(test_owners_blocks_independent),
        T(test_code_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

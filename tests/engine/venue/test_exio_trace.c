/* The tick's timeline at the venue stage (engine/venue/exio_trace.h): the
 * commands encoded in a cycle get the cycle's submit stamp, the file lists
 * each command's stamps in order, and nothing is kept without a file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/venue/exio_trace.h"
#include "tests/test_util.h"

static void test_a_cycle_of_commands_gets_its_submit_stamp(void **state)
{
    (void)state;
    char path[] = "/tmp/tf-test-trace.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    tf_exio_trace *t = malloc(sizeof *t);
    assert_non_null(t);
    assert_int_equal(tf_exio_trace_init(t, NULL, 0, path), 0);
    tf_venue_cmd a = {.kind = TF_VC_NEW, .order_id = 7, .t_md_ns = 100, .t_handed_ns = 130,
                      .request_before_ns = tf_vc_before(130, 110), .passed_before_ns = tf_vc_before(130, 120)};
    tf_venue_cmd b = {.kind = TF_VC_CANCEL, .order_id = 8, .t_handed_ns = 135}; /* no tick behind it */
    tf_exio_trace_encoded(t, &a, 140, 150);
    tf_exio_trace_encoded(t, &b, 151, 155);
    assert_int_equal(t->pending_n, 2);
    tf_exio_trace_submitted(t, 200);
    assert_int_equal(t->pending_n, 0);
    tf_exio_trace_submitted(t, 300); /* nothing pending: nothing kept */
    assert_int_equal(t->kept_n, 2);
    tf_exio_trace_close(t);
    char buf[256];
    assert_true(test_read_file(path, buf, sizeof buf) >= 0);
    assert_string_equal(buf, "1 7 100 110 120 130 140 150 200\n2 8 0 0 0 135 151 155 200\n");
    unlink(path);
    free(t);
}

static void test_without_a_file_nothing_is_kept(void **state)
{
    (void)state;
    tf_exio_trace *t = malloc(sizeof *t);
    assert_non_null(t);
    assert_int_equal(tf_exio_trace_init(t, NULL, 0, ""), 0);
    assert_null(t->kept);
    for (uint32_t i = 0; i < 2 * TF_EXIO_TRACE_BATCH; i++) { /* more than a cycle holds: bounded */
        tf_venue_cmd c = {.kind = TF_VC_NEW, .order_id = i + 1, .t_handed_ns = 1};
        tf_exio_trace_encoded(t, &c, 2, 3);
    }
    assert_int_equal(t->pending_n, TF_EXIO_TRACE_BATCH);
    tf_exio_trace_submitted(t, 4);
    assert_int_equal(t->pending_n, 0);
    tf_exio_trace_close(t);
    free(t);
}

/* The venue command keeps two stamps as ns before t_handed_ns: none stays
 * none, the same ns is 1 ns (not none), older than 4.3 s saturates. */
static void test_stamps_before_handed(void **state)
{
    (void)state;
    assert_int_equal(tf_vc_before(1000, 0), 0);
    assert_int_equal(tf_vc_stamp(1000, 0), 0);
    assert_int_equal(tf_vc_before(1000, 2000), 0); /* after it: not a stamp of its past */
    assert_int_equal(tf_vc_before(1000, 1000), 1);
    assert_int_equal(tf_vc_stamp(1000, tf_vc_before(1000, 400)), 400);
    uint64_t h = 10000000000ull;
    assert_int_equal(tf_vc_before(h, 1), UINT32_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_cycle_of_commands_gets_its_submit_stamp),
        cmocka_unit_test(test_without_a_file_nothing_is_kept),
        cmocka_unit_test(test_stamps_before_handed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The algo stage's store (engine/algo/algo_store.h): a record written is
 * there after the file is opened again (a restart), cleared ones are not,
 * and a file of another capacity or not a store is refused, untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/algo/algo_store.h"
#include "shm/err.h"

static void test_records_survive_a_reopen_and_clears_stick(void **state)
{
    (void)state;
    char path[] = "/tmp/tf_algo_store_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path); /* created by the store itself */
    tf_algo_store s;
    assert_int_equal(tf_algo_store_open(&s, path, 8), 0);
    tf_algo_params p = {.kind = TF_ALGO_TWAP, .qty = 1000, .instrument = 2, .slice_ns = 5};
    tf_algo_store_put(&s, 3, 77, 2, &p);
    tf_algo_store_arrival(&s, 3, 4300000);
    tf_algo_store_put(&s, 5, 78, 2, &p);
    tf_algo_store_clear(&s, 5);
    tf_algo_store_put(&s, 99, 79, 2, &p); /* out of range: ignored */
    tf_algo_store_close(&s);
    assert_int_equal(tf_algo_store_open(&s, path, 8), 0);
    assert_int_equal(s.f->recs[3].used, 1);
    assert_int_equal(s.f->recs[3].parent_id, 77);
    assert_int_equal(s.f->recs[3].arrival_mid, 4300000);
    assert_int_equal(s.f->recs[3].params.qty, 1000);
    assert_int_equal(s.f->recs[3].params.slice_ns, 5);
    assert_int_equal(s.f->recs[5].used, 0);
    tf_algo_store_close(&s);
    /* Another capacity: refused, saying why, and the file left as it was. */
    assert_int_equal(tf_algo_store_open(&s, path, 16), -1);
    assert_non_null(strstr(tf_err_msg(), "algo_capacity"));
    assert_int_equal(tf_algo_store_open(&s, path, 8), 0);
    assert_int_equal(s.f->recs[3].parent_id, 77);
    tf_algo_store_close(&s);
    /* Not a store: refused. */
    FILE *f = fopen(path, "r+");
    fputs("garbage!", f);
    fclose(f);
    assert_int_equal(tf_algo_store_open(&s, path, 8), -1);
    assert_non_null(strstr(tf_err_msg(), "not a version"));
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_survive_a_reopen_and_clears_stick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

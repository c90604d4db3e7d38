/* The FIX sequence store's file (lib/fix/fix_store.h) refused with a
 * message, never a crash: another session's file, another format, a wrong
 * size, sequence number 0 (the refusals used to read the file after
 * unmapping it: found by fuzz/fuzz_fix_store.c); a good one reopens with
 * its numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fix/fix_store.h"
#include "shm/err.h"

static char dir[] = "/tmp/tf-fix-store.XXXXXX";
static char path[128];

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/ENGINE-VENUE.seq", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return rmdir(dir);
}

static void write_seq(const tf_fix_seq_file *f, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, f, n), (ssize_t)n);
    close(fd);
}

static tf_fix_seq_file good(void)
{
    tf_fix_seq_file f = {.magic = TF_FIX_SEQ_MAGIC, .version = TF_FIX_SEQ_VERSION, .next_out = 42, .next_in = 17};
    strcpy(f.sender, "ENGINE");
    strcpy(f.target, "VENUE");
    return f;
}

static void expect_refused(const char *words)
{
    tf_fix_store st;
    tf_err_clear();
    assert_int_equal(tf_fix_store_open(&st, dir, "ENGINE", "VENUE"), -1);
    if (!strstr(tf_err_msg(), words))
        fail_msg("'%s' does not say '%s'", tf_err_msg(), words);
}

static void test_refusals(void **state)
{
    (void)state;
    tf_fix_seq_file f = good();
    strcpy(f.target, "OTHER");
    write_seq(&f, sizeof f);
    expect_refused("belongs to session ENGINE-OTHER");
    f = good();
    memset(f.sender, 'S', sizeof f.sender); /* no NUL: the message stays bounded */
    write_seq(&f, sizeof f);
    expect_refused("belongs to session SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS-VENUE");
    f = good();
    f.magic ^= 1;
    write_seq(&f, sizeof f);
    expect_refused("not a version 1 FIX sequence file (magic 5446464958534550, version 1)");
    f = good();
    f.version = 9;
    write_seq(&f, sizeof f);
    expect_refused("version 9)");
    f = good();
    f.next_in = 0;
    write_seq(&f, sizeof f);
    expect_refused("holds sequence number 0");
    f = good();
    write_seq(&f, sizeof f - 1);
    expect_refused("not a TradeFan FIX sequence file");
}

static void test_reopen(void **state)
{
    (void)state;
    tf_fix_seq_file f = good();
    write_seq(&f, sizeof f);
    tf_fix_store st;
    assert_int_equal(tf_fix_store_open(&st, dir, "ENGINE", "VENUE"), 0);
    assert_int_equal(st.seq->next_out, 42);
    assert_int_equal(st.seq->next_in, 17);
    tf_fix_store_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_refusals), cmocka_unit_test(test_reopen)};
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* tfsim --t2t-out (tools/tfsim/t2t.c): a reaction takes the latest trade
 * write before it, each write at most once (later messages until the next
 * write are not samples, nor is one before any write), and the file says
 * "<ns> <MsgType> <t_write> <t_read>" a line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/test_util.h"
#include "tools/tfsim/sim.h"

static void test_pairing(void **state)
{
    (void)state;
    char path[] = "/tmp/tfsim-test-t2t.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    sim_t2t *t = sim_t2t_open(path);
    assert_non_null(t);
    sim_t2t_reaction(t, 50, "D");     /* no write yet */
    sim_t2t_trade_write(t, 100);
    sim_t2t_reaction(t, 150, "D");    /* 50 */
    sim_t2t_reaction(t, 160, "F");    /* the write is taken */
    sim_t2t_trade_write(t, 200);
    sim_t2t_trade_write(t, 300);
    sim_t2t_reaction(t, 1300, "XCN"); /* the latest: 1000 */
    sim_t2t_trade_write(t, 2000);
    sim_t2t_reaction(t, 2007, "G");   /* 7 */
    sim_t2t_close(t, true);
    char buf[256];
    assert_true(test_read_file(path, buf, sizeof buf) >= 0);
    assert_string_equal(buf, "50 D 100 150\n1000 XCN 300 1300\n7 G 2000 2007\n");
    unlink(path);
    /* off: nothing written */
    t = sim_t2t_open(path);
    sim_t2t_close(t, false);
    assert_int_not_equal(access(path, F_OK), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

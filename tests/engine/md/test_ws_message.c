/* WebSocket message reassembly (engine/md/ws_message.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "engine/md/ws_message.h"

static void test_pieces_join_into_one_message(void **state)
{
    (void)state;
    char buf[16];
    tf_ws_message m;
    tf_ws_message_init(&m, buf, sizeof buf);
    assert_int_equal(tf_ws_message_take(&m, "{\"a\":", 5, TF_WS_FIRST, 10), TF_WS_MORE);
    assert_int_equal(tf_ws_message_take(&m, "1", 1, 0, 11), TF_WS_MORE);
    assert_int_equal(tf_ws_message_take(&m, "}", 1, TF_WS_FINAL, 12), TF_WS_MESSAGE);
    assert_int_equal(m.len, 7);
    assert_memory_equal(m.buf, "{\"a\":1}", 7);
    assert_int_equal(m.recv_ns, 10); /* stamped at its first piece */
}

static void test_exactly_full_fits_one_more_byte_is_oversized(void **state)
{
    (void)state;
    char buf[4];
    tf_ws_message m;
    tf_ws_message_init(&m, buf, sizeof buf);
    assert_int_equal(tf_ws_message_take(&m, "abcd", 4, TF_WS_FIRST | TF_WS_FINAL, 1), TF_WS_MESSAGE);
    assert_int_equal(tf_ws_message_take(&m, "ab", 2, TF_WS_FIRST, 2), TF_WS_MORE);
    assert_int_equal(tf_ws_message_take(&m, "cde", 3, 0, 3), TF_WS_MORE);
    assert_int_equal(tf_ws_message_take(&m, "f", 1, TF_WS_FINAL, 4), TF_WS_OVERSIZED);
    assert_int_equal(m.len, 2); /* what fitted before the piece that did not */
    /* The next message is whole again. */
    assert_int_equal(tf_ws_message_take(&m, "xy", 2, TF_WS_FIRST | TF_WS_FINAL, 5), TF_WS_MESSAGE);
    assert_memory_equal(m.buf, "xy", 2);
}

static void test_binary_and_abandoned_messages(void **state)
{
    (void)state;
    char buf[8];
    tf_ws_message m;
    tf_ws_message_init(&m, buf, sizeof buf);
    assert_int_equal(tf_ws_message_take(&m, "\x01\x02", 2, TF_WS_FIRST | TF_WS_BINARY, 1), TF_WS_MORE);
    assert_int_equal(tf_ws_message_take(&m, "\x03", 1, TF_WS_FINAL, 2), TF_WS_BINARY_MSG);
    /* A first piece while a message is open starts over and counts it. */
    assert_int_equal(tf_ws_message_take(&m, "part", 4, TF_WS_FIRST, 3), TF_WS_MORE);
    assert_int_equal(tf_ws_message_take(&m, "new", 3, TF_WS_FIRST | TF_WS_FINAL, 4), TF_WS_MESSAGE);
    assert_int_equal(m.len, 3);
    assert_int_equal(m.abandoned, 1);
    /* After a reset (connection lost), a piece without a first flag opens a message. */
    assert_int_equal(tf_ws_message_take(&m, "ha", 2, TF_WS_FIRST, 5), TF_WS_MORE);
    tf_ws_message_reset(&m);
    assert_int_equal(tf_ws_message_take(&m, "z", 1, TF_WS_FINAL, 6), TF_WS_MESSAGE);
    assert_int_equal(m.len, 1);
    assert_int_equal(m.recv_ns, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pieces_join_into_one_message),
        cmocka_unit_test(test_exactly_full_fits_one_more_byte_is_oversized),
        cmocka_unit_test(test_binary_and_abandoned_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The feed's socket readiness (engine/md/feed_ready.h): a real io_uring
 * watching one end of a socket pair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/md/feed_ready.h"

/* take() until it says ready, with a system call between tries (the
 * completion of a COOP_TASKRUN ring is posted at the next one); bounded. */
static int ready_within(tf_feed_ready *r, int tries)
{
    for (int i = 0; i < tries; i++) {
        if (tf_feed_ready_take(r))
            return 1;
        poll(NULL, 0, 1);
    }
    return 0;
}

static void test_quiet_socket_is_not_ready_data_is(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    tf_feed_ready *r = tf_feed_ready_open();
    assert_non_null(r); /* the CI kernel allows io_uring: a failure here is real */
    assert_true(tf_feed_ready_take(r)); /* nothing watched: the caller must look */
    assert_int_equal(tf_feed_ready_watch(r, sv[0]), 0);
    for (int i = 0; i < 20; i++) { /* nothing to read: never ready */
        assert_false(tf_feed_ready_take(r));
        poll(NULL, 0, 1);
    }
    assert_int_equal(write(sv[1], "x", 1), 1);
    assert_true(ready_within(r, 200));
    /* Once taken, quiet again until more comes (the data is still unread:
     * the feed's own read, lws_service, follows a ready). */
    for (int i = 0; i < 5; i++)
        poll(NULL, 0, 1);
    (void)tf_feed_ready_take(r);
    assert_false(tf_feed_ready_take(r));
    assert_int_equal(write(sv[1], "y", 1), 1);
    assert_true(ready_within(r, 200));
    assert_true(tf_feed_ready_events(r) >= 2);
    tf_feed_ready_close(r);
    close(sv[0]);
    close(sv[1]);
}

static void test_hang_up_is_ready(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    tf_feed_ready *r = tf_feed_ready_open();
    assert_non_null(r);
    assert_int_equal(tf_feed_ready_watch(r, sv[0]), 0);
    close(sv[1]);
    assert_true(ready_within(r, 200));
    tf_feed_ready_close(r);
    close(sv[0]);
}

static void test_a_new_watch_ignores_the_old_socket(void **state)
{
    (void)state;
    int a[2], b[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
    tf_feed_ready *r = tf_feed_ready_open();
    assert_non_null(r);
    assert_int_equal(tf_feed_ready_watch(r, a[0]), 0);
    assert_int_equal(tf_feed_ready_watch(r, b[0]), 0); /* a reconnect: the old watch is cancelled */
    for (int i = 0; i < 5; i++) {
        poll(NULL, 0, 1);
        (void)tf_feed_ready_take(r);
    }
    assert_int_equal(write(a[1], "x", 1), 1); /* the old connection's data: not ours now */
    for (int i = 0; i < 20; i++) {
        assert_false(tf_feed_ready_take(r));
        poll(NULL, 0, 1);
    }
    assert_int_equal(write(b[1], "x", 1), 1);
    assert_true(ready_within(r, 200));
    tf_feed_ready_unwatch(r);
    assert_true(tf_feed_ready_take(r)); /* unwatched: the caller must look */
    tf_feed_ready_close(r);
    for (int i = 0; i < 2; i++) {
        close(a[i]);
        close(b[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quiet_socket_is_not_ready_data_is),
        cmocka_unit_test(test_hang_up_is_ready),
        cmocka_unit_test(test_a_new_watch_ignores_the_old_socket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

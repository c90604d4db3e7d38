/* The watchdog's judgement (tools/watchdog/watch.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "tools/watchdog/watch.h"

#define MS 1000000ull

static void test_stall_is_one_episode_until_it_recovers(void **state)
{
    (void)state;
    wd_state s;
    memset(&s, 0, sizeof s);
    uint64_t hb[3] = {1000 * MS, 1000 * MS, 0}; /* stage 2 never ran */
    wd_look l = wd_scan(&s, hb, 3, 1100 * MS, 250 * MS);
    assert_int_equal(l.stalled_now, 0);
    assert_int_equal(l.newly, 0);
    /* 300 ms later stage 1 has not moved: stalled, once. */
    hb[0] = 1390 * MS;
    l = wd_scan(&s, hb, 3, 1400 * MS, 250 * MS);
    assert_int_equal(l.stalled_now, 1);
    assert_int_equal(l.newly, 1);
    assert_int_equal(l.first_new, 1);
    assert_int_equal(l.worst, 1);
    assert_int_equal(l.worst_age_ns, 400 * MS);
    l = wd_scan(&s, hb, 3, 1500 * MS, 250 * MS);
    assert_int_equal(l.stalled_now, 1);
    assert_int_equal(l.newly, 0); /* the same episode */
    assert_int_equal(s.episodes, 1);
    /* It is polled again, then stalls again: a second episode. */
    hb[1] = 1590 * MS;
    l = wd_scan(&s, hb, 3, 1600 * MS, 250 * MS);
    assert_int_equal(l.stalled_now, 0); /* stage 0's 210 ms is under the threshold */
    assert_false(s.stalled[1]);
    l = wd_scan(&s, hb, 3, 1900 * MS, 250 * MS);
    assert_true(s.stalled[1]);
    assert_true(s.stalled[0]);
    assert_int_equal(s.episodes, 3); /* stage 1 twice, stage 0 once */
    /* Exactly at the threshold is not yet a stall; a heartbeat from the future is fresh. */
    uint64_t edge[2] = {2000 * MS, 3000 * MS};
    wd_state t;
    memset(&t, 0, sizeof t);
    l = wd_scan(&t, edge, 2, 2250 * MS, 250 * MS);
    assert_int_equal(l.stalled_now, 0);
}

static void test_more_stages_than_it_keeps(void **state)
{
    (void)state;
    wd_state s;
    memset(&s, 0, sizeof s);
    uint64_t hb[WD_MAX_STAGES + 8];
    for (int i = 0; i < WD_MAX_STAGES + 8; i++)
        hb[i] = 1;
    wd_look l = wd_scan(&s, hb, WD_MAX_STAGES + 8, 10 * 1000 * MS, 250 * MS);
    assert_int_equal(l.stalled_now, WD_MAX_STAGES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stall_is_one_episode_until_it_recovers),
        cmocka_unit_test(test_more_stages_than_it_keeps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

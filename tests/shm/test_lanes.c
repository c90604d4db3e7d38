/* Request lanes: claiming, releasing, reclaiming a dead owner's lane, and
 * the consumer's round-robin over active lanes (a released lane is read
 * empty before it goes quiet). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm/lanes.h"

#define LANES 4
#define CAP 8

typedef struct rec { uint64_t v[8]; } rec;

static void *region;
static tf_lanes L;

static int setup(void **state)
{
    (void)state;
    uint64_t len = tf_lanes_region_size(LANES, CAP, sizeof(rec));
    region = aligned_alloc(4096, (len + 4095) / 4096 * 4096);
    memset(region, 0, len);
    return tf_lanes_init(&L, region, len, LANES, CAP, sizeof(rec));
}

static int teardown(void **state)
{
    (void)state;
    free(region);
    return 0;
}

static pid_t dead_pid(void)
{
    pid_t p = fork();
    if (p == 0)
        _exit(0);
    waitpid(p, NULL, 0);
    return p;
}

static void test_claim_release_reclaim(void **state)
{
    (void)state;
    for (int i = 0; i < LANES; i++)
        assert_int_equal(tf_lanes_claim(&L), i);
    assert_int_equal(tf_lanes_claim(&L), -1); /* every lane held by a live process (us) */
    tf_lanes_release(&L, 1);
    assert_int_equal(tf_lanes_claim(&L), 1); /* a released lane is free again */
    /* A lane whose owner died is taken over. */
    L.hdr->owners[2].pid = (uint64_t)dead_pid();
    assert_int_equal(tf_lanes_claim(&L), 2);
    assert_int_equal(L.hdr->reclaims, 1);
    /* A reused pid (live, but started at another time) counts as dead. */
    L.hdr->owners[3].start_ticks = 12345;
    assert_int_equal(tf_lanes_claim(&L), 3);
    assert_int_equal(L.hdr->reclaims, 2);
    for (int i = 0; i < LANES; i++)
        tf_lanes_release(&L, i);
}

static void test_round_robin_and_quiet_after_release(void **state)
{
    (void)state;
    tf_lanes consumer;
    assert_int_equal(tf_lanes_attach(&consumer, region, tf_lanes_region_size(LANES, CAP, sizeof(rec))), 0);
    rec r = {{0}}, got;
    /* Released lanes drain, then their bits clear. */
    while (tf_lanes_poll(&consumer, &got, sizeof got))
        ;
    assert_int_equal(L.hdr->active_mask, 0);
    int a = tf_lanes_claim(&L), b = tf_lanes_claim(&L);
    assert_true(a >= 0 && b >= 0 && a != b);
    for (uint64_t k = 0; k < 3; k++) {
        r.v[0] = 100 + k;
        assert_true(tf_spsc_offer(&L.rings[a], &r, sizeof r));
        r.v[0] = 200 + k;
        assert_true(tf_spsc_offer(&L.rings[b], &r, sizeof r));
    }
    /* Alternates between the two lanes: one busy client cannot starve another. */
    uint64_t seen[6];
    for (int k = 0; k < 6; k++) {
        assert_true(tf_lanes_poll(&consumer, &got, sizeof got));
        seen[k] = got.v[0];
    }
    for (int k = 0; k < 6; k += 2)
        assert_true((seen[k] < 200) != (seen[k + 1] < 200));
    assert_false(tf_lanes_poll(&consumer, &got, sizeof got));
    /* What a client wrote before it left is still read. */
    r.v[0] = 300;
    assert_true(tf_spsc_offer(&L.rings[a], &r, sizeof r));
    tf_lanes_release(&L, a);
    assert_true(L.hdr->active_mask & (1ull << a));
    assert_true(tf_lanes_poll(&consumer, &got, sizeof got));
    assert_int_equal(got.v[0], 300);
    assert_false(tf_lanes_poll(&consumer, &got, sizeof got));
    assert_false(L.hdr->active_mask & (1ull << a)); /* read empty and released: quiet */
    assert_true(L.hdr->active_mask & (1ull << b));
    tf_lanes_release(&L, b);
}

static void test_bad_layout_refused(void **state)
{
    (void)state;
    tf_lanes x;
    assert_int_equal(tf_lanes_attach(&x, region, 64), -1);
    uint8_t zero[8192] = {0};
    assert_int_equal(tf_lanes_attach(&x, zero, sizeof zero), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_claim_release_reclaim),
        cmocka_unit_test(test_round_robin_and_quiet_after_release),
        cmocka_unit_test(test_bad_layout_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

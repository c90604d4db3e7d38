/* shm/door.h promises: a lane only for an identity the policy admits, with
 * the identity from the kernel (SO_PEERCRED) and the engine's answer on
 * every record; a refusal in words; a lane whose producer index is out of
 * bounds closed and never read past; a lane given back when its client
 * goes, after what it wrote is read. The door thread runs for real; the
 * client knocks from the test's thread. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "shm/atomic.h"
#include "shm/door.h"
#include "shm/err.h"
#include "tests/test_util.h"

static tf_door D;
static uint32_t stop_flag;
static pthread_t door_thread;
static uid_t seen_uid;

/* Strategy 2 for anyone; strategy 0 (the operator) for nobody here. */
static int policy(void *ctx, uid_t uid, gid_t gid, pid_t pid, uint32_t asked, uint32_t *strategy, bool *op,
                  char *why, size_t len)
{
    (void)ctx, (void)gid, (void)pid;
    seen_uid = uid;
    if (asked != 2) {
        snprintf(why, len, "uid %u may not trade strategy %u", (unsigned)uid, asked);
        return -1;
    }
    *strategy = 2;
    *op = false;
    return 0;
}

static void *serve(void *arg)
{
    (void)arg;
    while (!tf_load_acquire_32(&stop_flag))
        tf_door_serve(&D, 20);
    return NULL;
}

static char path[300];

static int setup(void **state)
{
    (void)state;
    if (test_dir_make("tf_door") != 0)
        return -1;
    snprintf(path, sizeof path, "%s/tradefan.t.door", test_dir);
    if (tf_door_open(&D, path, 0660, 64, sizeof(struct tf_request), policy, NULL) != 0)
        return -1;
    stop_flag = 0;
    return pthread_create(&door_thread, NULL, serve, NULL);
}

static int teardown(void **state)
{
    tf_store_release_32(&stop_flag, 1);
    pthread_join(door_thread, NULL);
    tf_door_close(&D);
    return test_dir_remove(state);
}

typedef struct client {
    int sock;
    void *map;
    size_t len;
    tf_ring ring;
    tf_door_reply reply;
} client;

static int knock(client *c, uint32_t strategy, char *err, size_t n)
{
    memset(c, 0, sizeof *c);
    return tf_door_knock(path, strategy, &c->sock, &c->map, &c->len, &c->ring, &c->reply, err, n);
}

static void leave(client *c)
{
    munmap(c->map, c->len);
    close(c->sock);
}

/* Poll until a record comes (or 2 s). */
static bool next(struct tf_request *q, tf_door_lane **l)
{
    for (int i = 0; i < 2000; i++) {
        if (tf_door_poll(&D, q, l))
            return true;
        usleep(1000);
    }
    return false;
}

static void test_admitted_and_stamped(void **state)
{
    (void)state;
    client c;
    char err[256];
    assert_int_equal(knock(&c, 2, err, sizeof err), 0);
    assert_int_equal(c.reply.strategy, 2);
    assert_int_equal(c.reply.operator_, 0);
    assert_int_equal(c.reply.uid, geteuid());
    assert_int_equal(seen_uid, geteuid()); /* from the kernel, not from the hello */
    /* The record claims strategy 0 (the operator): the lane says 2. */
    struct tf_request q = {.type = TF_REQ_KILL, .source_id = 0, .client_seq = 7};
    assert_true(tf_spsc_offer(&c.ring, &q, sizeof q));
    struct tf_request got;
    tf_door_lane *l = NULL;
    assert_true(next(&got, &l));
    assert_int_equal(got.client_seq, 7);
    assert_int_equal(l->strategy, 2);
    assert_int_equal(l->operator_, 0);
    assert_int_equal(l->uid, geteuid());
    leave(&c);
}

static void test_refused_in_words(void **state)
{
    (void)state;
    client c;
    char err[256];
    assert_int_equal(knock(&c, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "may not trade strategy 0"));
    assert_int_equal(D.refused, 1);
}

/* A client that writes its producer index far ahead: the lane is closed,
 * nothing past the ring is read, and the lane comes back free. */
static void test_corrupt_lane_closed(void **state)
{
    (void)state;
    client c;
    char err[256];
    assert_int_equal(knock(&c, 2, err, sizeof err), 0);
    tf_store_release_64(&c.ring.desc->prod.tail, 1000000);
    struct tf_request got;
    tf_door_lane *l = NULL;
    for (int i = 0; i < 50; i++)
        assert_false(tf_door_poll(&D, &got, &l));
    uint64_t corrupt = 0;
    for (uint32_t i = 0; i < TF_DOOR_LANES; i++)
        corrupt += D.lanes[i].corrupt;
    assert_int_equal(corrupt, 1);
    /* The door frees it; a new client gets a lane again. */
    client c2;
    for (int i = 0; i < 100 && tf_load_acquire_32(&D.lanes[0].state) != TF_DOOR_FREE; i++)
        usleep(10000);
    assert_int_equal(knock(&c2, 2, err, sizeof err), 0);
    leave(&c2);
    leave(&c);
}

/* What a client wrote before it went is still read; then its lane is free. */
static void test_departure_drains_then_frees(void **state)
{
    (void)state;
    client c;
    char err[256];
    assert_int_equal(knock(&c, 2, err, sizeof err), 0);
    for (uint64_t k = 1; k <= 3; k++) {
        struct tf_request q = {.type = TF_REQ_PING, .client_seq = k};
        assert_true(tf_spsc_offer(&c.ring, &q, sizeof q));
    }
    leave(&c);
    usleep(100000); /* the door sees it go */
    struct tf_request got;
    tf_door_lane *l;
    for (uint64_t k = 1; k <= 3; k++) {
        assert_true(next(&got, &l));
        assert_int_equal(got.client_seq, k);
    }
    assert_false(tf_door_poll(&D, &got, &l)); /* empty: drained */
    bool freed = false;
    for (int i = 0; i < 100 && !freed; i++) {
        freed = true;
        for (uint32_t j = 0; j < TF_DOOR_LANES; j++)
            freed &= tf_load_acquire_32(&D.lanes[j].state) == TF_DOOR_FREE;
        usleep(10000);
    }
    assert_true(freed);
}

static void test_door_refuses_a_planted_file(void **state)
{
    (void)state;
    char p[320];
    snprintf(p, sizeof p, "%s/plain", test_dir);
    FILE *f = fopen(p, "w");
    fclose(f);
    tf_door other;
    assert_int_equal(tf_door_open(&other, p, 0660, 64, sizeof(struct tf_request), policy, NULL), -1);
    assert_non_null(strstr(tf_err_msg(), "is not a socket"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_admitted_and_stamped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_in_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_lane_closed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_departure_drains_then_frees, setup, teardown),
        cmocka_unit_test_setup_teardown(test_door_refuses_a_planted_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

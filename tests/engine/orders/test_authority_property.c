/* Property test: whatever sequence of requests a non-operator identity
 * sends — any type, any body bytes, any request id, any strategy id in the
 * record, the kill switch's own flags — no limit changes, the kill switch
 * and the trading state stay as the operator left them, and with the kill
 * switch on no order reaches the venue. The requests go through the risk
 * gate's real poll, as records of a lane whose identity is a strategy's
 * (order_fixture.h's lanes: the record's source id is the identity there,
 * so the stream never claims strategy 0); then the same through the door
 * (shm/door.h) claiming strategy 0 in every record. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "shm/door.h"
#include "tests/engine/orders/order_fixture.h"
#include "tests/test_util.h"

#define STEPS 20000

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char *yaml = "orders: {capacity: 4096}\n"
                          "risk:\n"
                          "  max_open_orders: 100\n"
                          "  instruments:\n"
                          "    - {symbol: BTCUSDT, max_order_qty: \"0.3\", max_position: \"0.5\", collar_bps: 200}\n"
                          "  strategies:\n"
                          "    - {id: 1, name: a}\n"
                          "    - {id: 2, name: b}\n";

/* A request of any shape: a type near the real ones, random body bytes,
 * flags the engine keeps for itself now and then, any id. */
static struct tf_request random_request(uint32_t source)
{
    struct tf_request q = {.type = (uint32_t)(rnd() % 14), .source_id = source, .t_sent_ns = tf_now_ns()};
    q.client_seq = rnd() % 4 == 0 ? UINT64_MAX - rnd() % 3 : rnd();
    for (size_t k = 0; k < sizeof q.body; k += 8) {
        uint64_t v = rnd();
        memcpy(q.body + k, &v, 8);
    }
    if (q.type == TF_REQ_NEW && rnd() % 2) { /* a plausible order, perhaps with the flatten flag */
        tf_req_order b = {.instrument = 0, .side = (uint8_t)(rnd() % 2), .type = (uint8_t)(rnd() % 2),
                          .tif = TF_IOC, .flags = (uint8_t)(rnd() % 4), .price = 4300000, .qty = 100};
        memcpy(q.body, &b, sizeof b);
    }
    return q;
}

static void run_stream(fx *f, bool kill_on)
{
    if (kill_on) {
        tf_req_control on = {.on = 1};
        fx_submit(f, 0, TF_REQ_KILL, &on, sizeof on);
        fx_run(f);
        assert_true(f->risk.kill_active);
    }
    tf_risk_limits lim = f->risk.lim;
    uint32_t trading_state = f->risk.trading_state;
    uint64_t venue_before = tf_ring_published(&f->oms_venue);
    for (int step = 0; step < STEPS; step++) {
        struct tf_request q = random_request(1 + (uint32_t)(rnd() % 2));
        while (!tf_spsc_offer(&f->lanes.rings[f->lane], &q, sizeof q))
            fx_run(f);
        if (step % 64 == 0)
            fx_run(f);
    }
    fx_run(f);
    assert_memory_equal(&f->risk.lim, &lim, sizeof lim);
    assert_int_equal(f->risk.trading_state, trading_state);
    assert_int_equal(f->risk.kill_active, kill_on);
    if (kill_on) /* halted: nothing the stream sent reached the venue */
        assert_int_equal(tf_ring_published(&f->oms_venue), venue_before);
}

static void test_stream_with_kill_off(void **state)
{
    (void)state;
    fx f;
    assert_int_equal(test_dir_make("tf_authprop") == 0 ? fx_open(&f, test_dir, yaml) : -1, 0);
    run_stream(&f, false);
    fx_close(&f);
    test_dir_remove(NULL);
}

static void test_stream_with_kill_on(void **state)
{
    (void)state;
    fx f;
    assert_int_equal(test_dir_make("tf_authprop") == 0 ? fx_open(&f, test_dir, yaml) : -1, 0);
    run_stream(&f, true);
    fx_close(&f);
    test_dir_remove(NULL);
}

/* Through the door: a trader's records all claim strategy 0 (the
 * operator's); the lane says strategy 2, and nothing of the operator's
 * happens. The door's policy here: uid-agnostic, strategy 2, never an
 * operator. */
static tf_door door;
static uint32_t door_stop;
static void *door_main(void *arg)
{
    (void)arg;
    while (!tf_load_acquire_32(&door_stop))
        tf_door_serve(&door, 10);
    return NULL;
}
static int trader_only(void *ctx, uid_t uid, gid_t gid, pid_t pid, uint32_t asked, uint32_t *strategy, bool *op,
                       char *why, size_t len)
{
    (void)ctx, (void)uid, (void)gid, (void)pid, (void)asked, (void)why, (void)len;
    *strategy = 2;
    *op = false;
    return 0;
}

static void test_stream_through_the_door(void **state)
{
    (void)state;
    fx f;
    assert_int_equal(test_dir_make("tf_authprop") == 0 ? fx_open(&f, test_dir, yaml) : -1, 0);
    char path[300];
    snprintf(path, sizeof path, "%s/tradefan.fx.door", test_dir);
    assert_int_equal(tf_door_open(&door, path, 0600, 1024, sizeof(struct tf_request), trader_only, NULL), 0);
    pthread_t t;
    door_stop = 0;
    assert_int_equal(pthread_create(&t, NULL, door_main, NULL), 0);
    f.risk.lanes = NULL;
    f.risk.door = &door;
    int sock;
    void *map;
    size_t len;
    tf_ring lane;
    tf_door_reply reply;
    char err[256];
    assert_int_equal(tf_door_knock(path, 0, &sock, &map, &len, &lane, &reply, err, sizeof err), 0);
    tf_risk_limits lim = f.risk.lim;
    for (int step = 0; step < STEPS; step++) {
        struct tf_request q = random_request(0); /* every record claims the operator */
        if (step % 3 == 0) {
            q.type = TF_REQ_KILL + (uint32_t)(rnd() % 2) * (TF_REQ_SET_LIMIT - TF_REQ_KILL);
            q.client_seq = (uint64_t)step + 1;
        }
        while (!tf_spsc_offer(&lane, &q, sizeof q))
            fx_run(&f);
        if (step % 64 == 0)
            fx_run(&f);
    }
    for (int i = 0; i < 50; i++) { /* the lane read empty */
        fx_run(&f);
        usleep(1000);
    }
    assert_memory_equal(&f.risk.lim, &lim, sizeof lim);
    assert_false(f.risk.kill_active);
    assert_int_equal(f.risk.trading_state, TF_TS_ACTIVE);
    close(sock);
    tf_store_release_32(&door_stop, 1);
    pthread_join(t, NULL);
    tf_door_close(&door);
    fx_close(&f);
    test_dir_remove(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_with_kill_off),
        cmocka_unit_test(test_stream_with_kill_on),
        cmocka_unit_test(test_stream_through_the_door),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

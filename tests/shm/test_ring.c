/* Rings: init/attach checks, SPSC full/drop counting, depth and high-water
 * mark, batches and wraparound; SPSC across threads and across processes;
 * MPSC (ck_ring) with several producer processes. Every wait is bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm/err.h"
#include "shm/records.h"
#include "shm/ring.h"

TF_MPSC_PROTOTYPE(tf_request, tf_request)

typedef struct rec {
    uint64_t seq;
    uint64_t check; /* seq * 31 */
    uint64_t pad[6];
} rec;

#define DEADLINE_NS (20ull * 1000000000ull)

/* Shared anonymous memory survives fork: the same region in every process. */
static void *shared_region(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(p != MAP_FAILED);
    return p;
}

static void test_init_and_attach_checks(void **state)
{
    (void)state;
    size_t len = tf_ring_region_size(16, 64);
    void *mem = shared_region(len);
    tf_ring r;
    assert_int_equal(tf_ring_init(&r, mem, len, "x", TF_RING_SPSC, 12, 64), -1);
    assert_non_null(strstr(tf_err_msg(), "not a power of two"));
    assert_int_equal(tf_ring_init(&r, mem, len, "x", TF_RING_SPSC, 16, 60), -1);
    assert_non_null(strstr(tf_err_msg(), "multiple of 8"));
    assert_int_equal(tf_ring_init(&r, mem, len - 1, "x", TF_RING_SPSC, 16, 64), -1);
    assert_non_null(strstr(tf_err_msg(), "smaller"));
    assert_int_equal(tf_ring_init(&r, mem, len, "x", TF_RING_SPSC, 16, 64), 0);
    tf_ring v;
    assert_int_equal(tf_ring_attach(&v, mem, len), 0);
    assert_int_equal(v.capacity, 16);
    assert_int_equal(tf_ring_attach(&v, mem, len - 64), -1); /* buffer outside */
    assert_non_null(strstr(tf_err_msg(), "outside"));
    ((tf_ring_desc *)mem)->capacity = 3;
    assert_int_equal(tf_ring_attach(&v, mem, len), -1);
    assert_non_null(strstr(tf_err_msg(), "corrupt"));
    munmap(mem, len);
}

static void test_spsc_full_drop_depth(void **state)
{
    (void)state;
    size_t len = tf_ring_region_size(8, sizeof(rec));
    void *mem = shared_region(len);
    tf_ring r;
    assert_int_equal(tf_ring_init(&r, mem, len, "t", TF_RING_SPSC, 8, sizeof(rec)), 0);
    rec in = {0}, out;
    for (uint64_t i = 1; i <= 8; i++) {
        in.seq = i;
        assert_true(tf_spsc_offer(&r, &in, sizeof in));
    }
    assert_int_equal(tf_ring_depth(&r), 8);
    in.seq = 9;
    assert_false(tf_spsc_offer(&r, &in, sizeof in));
    assert_false(tf_spsc_offer(&r, &in, sizeof in));
    assert_int_equal(r.desc->prod.full_events, 2);
    tf_ring_count_drop(&r);
    assert_int_equal(r.desc->prod.drops, 1);
    for (uint64_t i = 1; i <= 8; i++) {
        assert_true(tf_spsc_poll(&r, &out, sizeof out));
        assert_int_equal(out.seq, i);
    }
    assert_false(tf_spsc_poll(&r, &out, sizeof out));
    assert_int_equal(r.desc->cons.high_water, 8);
    assert_int_equal(tf_ring_depth(&r), 0);
    assert_int_equal(tf_ring_published(&r), 8);
    assert_int_equal(tf_ring_consumed(&r), 8);
    munmap(mem, len);
}

static void test_spsc_batches_and_wraparound(void **state)
{
    (void)state;
    size_t len = tf_ring_region_size(4, sizeof(rec));
    void *mem = shared_region(len);
    tf_ring r;
    assert_int_equal(tf_ring_init(&r, mem, len, "w", TF_RING_SPSC, 4, sizeof(rec)), 0);
    rec batch[6], out[6];
    uint64_t next_in = 1, next_out = 1;
    for (int round = 0; round < 1000; round++) {
        uint32_t want = (uint32_t)(round % 6) + 1;
        for (uint32_t i = 0; i < want; i++)
            batch[i] = (rec){.seq = next_in + i, .check = (next_in + i) * 31};
        uint32_t put = tf_spsc_offer_batch(&r, batch, want, sizeof(rec));
        assert_true(put <= want);
        assert_true(tf_ring_depth(&r) <= 4);
        next_in += put;
        uint32_t got = tf_spsc_poll_batch(&r, out, (uint32_t)(round % 3) + 1, sizeof(rec));
        for (uint32_t i = 0; i < got; i++) {
            assert_int_equal(out[i].seq, next_out);
            assert_int_equal(out[i].check, next_out * 31);
            next_out++;
        }
    }
    while (tf_spsc_poll(&r, out, sizeof(rec))) {
        assert_int_equal(out[0].seq, next_out);
        next_out++;
    }
    assert_int_equal(next_out, next_in);
    assert_true(next_in > 1000);
    assert_true(r.desc->prod.full_events > 0); /* partial batches were counted */
    munmap(mem, len);
}

/* ---- across threads and processes ---------------------------------------------- */

#define N_RECORDS 2000000ull

static tf_ring xring;

static int produce(tf_ring *r, uint64_t n)
{
    uint64_t deadline = tf_now_ns() + DEADLINE_NS;
    for (uint64_t i = 1; i <= n; i++) {
        rec x = {.seq = i, .check = i * 31};
        while (!tf_spsc_offer(r, &x, sizeof x))
            if (tf_now_ns() > deadline)
                return -1;
    }
    return 0;
}

static void *producer_thread(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)produce(&xring, N_RECORDS);
}

/* Consume n records; every one in order with its check word. */
static void consume_all(tf_ring *r, uint64_t n)
{
    uint64_t deadline = tf_now_ns() + DEADLINE_NS, next = 1;
    rec buf[32];
    while (next <= n) {
        uint32_t k = tf_spsc_poll_batch(r, buf, 32, sizeof(rec));
        for (uint32_t i = 0; i < k; i++) {
            if (buf[i].seq != next || buf[i].check != next * 31)
                fail_msg("record %llu: seq %llu check %llu", (unsigned long long)next,
                         (unsigned long long)buf[i].seq, (unsigned long long)buf[i].check);
            next++;
        }
        if (!k && tf_now_ns() > deadline)
            fail_msg("timed out at record %llu", (unsigned long long)next);
    }
    assert_false(tf_spsc_poll(r, buf, sizeof(rec)));
}

static void test_spsc_across_threads(void **state)
{
    (void)state;
    size_t len = tf_ring_region_size(1024, sizeof(rec));
    void *mem = shared_region(len);
    assert_int_equal(tf_ring_init(&xring, mem, len, "x", TF_RING_SPSC, 1024, sizeof(rec)), 0);
    pthread_t t;
    pthread_create(&t, NULL, producer_thread, NULL);
    consume_all(&xring, N_RECORDS);
    void *rc;
    pthread_join(t, &rc);
    assert_int_equal((intptr_t)rc, 0);
    assert_int_equal(xring.desc->prod.drops, 0);
    munmap(mem, len);
}

static void test_spsc_across_processes(void **state)
{
    (void)state;
    size_t len = tf_ring_region_size(1024, sizeof(rec));
    void *mem = shared_region(len);
    tf_ring r;
    assert_int_equal(tf_ring_init(&r, mem, len, "p", TF_RING_SPSC, 1024, sizeof(rec)), 0);
    pid_t pid = fork();
    if (pid == 0) {
        tf_ring mine; /* the child's own view of the shared descriptor */
        _exit(tf_ring_attach(&mine, mem, len) == 0 && produce(&mine, N_RECORDS) == 0 ? 0 : 1);
    }
    consume_all(&r, N_RECORDS);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(WEXITSTATUS(status), 0);
    munmap(mem, len);
}

/* ---- MPSC ------------------------------------------------------------------------ */

/* Two producer processes. ck_ring's MPSC commit spins until earlier
 * reservations commit, so with more runnable producers than CPUs a producer
 * preempted between reserve and commit stalls the others for a scheduler
 * slice (measured here: 3 producers + consumer on 2 vCPUs fell to a few
 * thousand requests/s). See ARCHITECTURE.md, "Known limits". */
#define PRODUCERS 2
#define PER_PRODUCER 100000ull

static void test_mpsc_holds_capacity_minus_one(void **state)
{
    (void)state;
    size_t len = tf_ring_region_size(8, sizeof(struct tf_request));
    void *mem = shared_region(len);
    tf_ring r;
    assert_int_equal(tf_ring_init(&r, mem, len, "m", TF_RING_MPSC, 8, sizeof(struct tf_request)), 0);
    struct tf_request q = {.type = TF_REQ_PING};
    for (int i = 0; i < 7; i++) {
        q.client_seq = (uint64_t)i;
        assert_true(tf_mpsc_offer_tf_request(&r, &q));
    }
    assert_false(tf_mpsc_offer_tf_request(&r, &q)); /* ck_ring keeps a slot free */
    assert_int_equal(r.desc->prod.full_events, 1);
    assert_int_equal(tf_ring_depth(&r), 7);
    struct tf_request out;
    for (int i = 0; i < 7; i++) {
        assert_true(tf_mpsc_poll_tf_request(&r, &out));
        assert_int_equal(out.client_seq, (uint64_t)i);
    }
    assert_false(tf_mpsc_poll_tf_request(&r, &out));
    assert_int_equal(r.desc->cons.high_water, 7);
    munmap(mem, len);
}

static void test_mpsc_many_producer_processes(void **state)
{
    (void)state;
    size_t len = tf_ring_region_size(256, sizeof(struct tf_request));
    void *mem = shared_region(len);
    tf_ring r;
    assert_int_equal(tf_ring_init(&r, mem, len, "m", TF_RING_MPSC, 256, sizeof(struct tf_request)), 0);
    pid_t pids[PRODUCERS];
    for (int p = 0; p < PRODUCERS; p++) {
        pids[p] = fork();
        if (pids[p] == 0) {
            tf_ring mine;
            if (tf_ring_attach(&mine, mem, len) != 0)
                _exit(2);
            uint64_t deadline = tf_now_ns() + DEADLINE_NS;
            for (uint64_t i = 1; i <= PER_PRODUCER; i++) {
                struct tf_request q = {.type = TF_REQ_PING, .source_id = (uint32_t)p, .client_seq = i};
                while (!tf_mpsc_offer_tf_request(&mine, &q)) {
                    if (tf_now_ns() > deadline)
                        _exit(1);
                    sched_yield(); /* full: let the consumer run (2 CPUs, 4 processes) */
                }
            }
            _exit(0);
        }
    }
    uint64_t next[PRODUCERS];
    for (int p = 0; p < PRODUCERS; p++)
        next[p] = 1;
    uint64_t total = 0, deadline = tf_now_ns() + DEADLINE_NS;
    struct tf_request q;
    while (total < PRODUCERS * PER_PRODUCER) {
        if (!tf_mpsc_poll_tf_request(&r, &q)) {
            if (tf_now_ns() > deadline)
                fail_msg("timed out after %llu requests", (unsigned long long)total);
            continue;
        }
        assert_true(q.source_id < PRODUCERS);
        if (q.client_seq != next[q.source_id])
            fail_msg("producer %u: got %llu, wanted %llu", q.source_id,
                     (unsigned long long)q.client_seq, (unsigned long long)next[q.source_id]);
        next[q.source_id]++;
        total++;
    }
    for (int p = 0; p < PRODUCERS; p++) {
        int status;
        assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_false(tf_mpsc_poll_tf_request(&r, &q));
    assert_true(r.desc->cons.high_water > 0);
    munmap(mem, len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_and_attach_checks),
        cmocka_unit_test(test_spsc_full_drop_depth),
        cmocka_unit_test(test_spsc_batches_and_wraparound),
        cmocka_unit_test(test_spsc_across_threads),
        cmocka_unit_test(test_spsc_across_processes),
        cmocka_unit_test(test_mpsc_holds_capacity_minus_one),
        cmocka_unit_test(test_mpsc_many_producer_processes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Seqlock state: round trip, EMPTY, claim/find, no torn read ever accepted
 * under a concurrent writer, and TORN reported in bounded time when the
 * writer died in the middle of an update. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm/state.h"

#define WORDS 12

static tf_state_table *new_table(uint32_t cap)
{
    size_t len = tf_state_region_size(cap);
    tf_state_table *t = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(t != MAP_FAILED);
    tf_state_table_init(t, cap);
    return t;
}

static void test_round_trip_claim_find(void **state)
{
    (void)state;
    tf_state_table *t = new_table(4);
    tf_state_slot *a = tf_state_claim(t, 1, "alpha");
    tf_state_slot *b = tf_state_claim(t, 2, "beta");
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_equal(tf_state_find(t, 2, "beta"), b);
    assert_null(tf_state_find(t, 1, "beta"));
    assert_non_null(tf_state_claim(t, 3, "c"));
    assert_non_null(tf_state_claim(t, 3, "d"));
    assert_null(tf_state_claim(t, 3, "e")); /* full */
    uint64_t out[WORDS], when = 0;
    assert_int_equal(tf_state_read(a, out, sizeof out, 10, &when), TF_STATE_EMPTY);
    uint64_t in[WORDS];
    for (int i = 0; i < WORDS; i++)
        in[i] = 100 + (uint64_t)i;
    tf_state_write(a, in, sizeof in, 12345);
    assert_int_equal(tf_state_read(a, out, sizeof out, 10, &when), TF_STATE_OK);
    assert_memory_equal(in, out, sizeof in);
    assert_int_equal(when, 12345);
    munmap(t, tf_state_region_size(4));
}

static tf_state_slot *shared_slot;
static volatile int writer_done;

static void *writer_thread(void *arg)
{
    (void)arg;
    uint64_t w[WORDS];
    for (uint64_t v = 1; v <= 300000; v++) {
        for (int i = 0; i < WORDS; i++)
            w[i] = v;
        tf_state_write(shared_slot, w, sizeof w, v);
    }
    __atomic_store_n(&writer_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void test_no_torn_read_accepted(void **state)
{
    (void)state;
    tf_state_table *t = new_table(1);
    shared_slot = tf_state_claim(t, 1, "x");
    writer_done = 0;
    pthread_t w;
    pthread_create(&w, NULL, writer_thread, NULL);
    uint64_t ok = 0, torn = 0, last = 0;
    uint64_t deadline = tf_now_ns() + 30ull * 1000000000ull;
    while (!__atomic_load_n(&writer_done, __ATOMIC_ACQUIRE) && tf_now_ns() < deadline) {
        uint64_t out[WORDS];
        tf_state_rc rc = tf_state_read(shared_slot, out, sizeof out, 1000, NULL);
        if (rc == TF_STATE_OK) {
            for (int i = 1; i < WORDS; i++)
                if (out[i] != out[0])
                    fail_msg("torn copy accepted: word 0 = %llu, word %d = %llu",
                             (unsigned long long)out[0], i, (unsigned long long)out[i]);
            assert_true(out[0] >= last); /* never goes back */
            last = out[0];
            ok++;
        } else if (rc == TF_STATE_TORN) {
            torn++;
        }
    }
    pthread_join(w, NULL);
    assert_true(ok > 0);
    print_message("reads ok %llu, retries exhausted %llu\n", (unsigned long long)ok,
                  (unsigned long long)torn);
    munmap(t, tf_state_region_size(1));
}

static void test_dead_writer_mid_update_reports_torn(void **state)
{
    (void)state;
    tf_state_table *t = new_table(1);
    tf_state_slot *s = tf_state_claim(t, 1, "x");
    uint64_t in[WORDS] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
    tf_state_write(s, in, sizeof in, 1);
    pid_t pid = fork();
    if (pid == 0) {
        ck_sequence_write_begin(&s->seq);
        s->payload[0] = 8; /* half an update */
        raise(SIGKILL);
        _exit(1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    uint64_t out[WORDS];
    uint64_t t0 = tf_now_ns();
    assert_int_equal(tf_state_read(s, out, sizeof out, 100000, NULL), TF_STATE_TORN);
    assert_true(tf_now_ns() - t0 < 5ull * 1000000000ull); /* bounded, not forever */
    /* Recovery is a new writer re-initialising the slot (the engine's restart). */
    ck_sequence_init(&s->seq);
    tf_state_write(s, in, sizeof in, 2);
    assert_int_equal(tf_state_read(s, out, sizeof out, 10, NULL), TF_STATE_OK);
    munmap(t, tf_state_region_size(1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_claim_find),
        cmocka_unit_test(test_no_torn_read_accepted),
        cmocka_unit_test(test_dead_writer_mid_update_reports_torn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

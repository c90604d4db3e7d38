/* The MPSC request ring's consumer against producers that write the
 * shared descriptor (issue 15, defect 4): ck_ring's own dequeue takes the
 * mask and its head from shared memory, so a producer setting
 * mask = 0xffffffff and p_tail = c_head + 1 made the consumer copy from
 * far past the buffer. The consumer now keeps both privately and refuses
 * an impossible producer index. The ring is mapped with a guard page right
 * after the buffer, so a read past it faults here as it did in the engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shm/records.h"
#include "shm/ring.h"

TF_MPSC_PROTOTYPE(tf_request, tf_request)

enum { CAP = 8 };

typedef struct guarded {
    uint8_t *map;
    size_t map_len;
    tf_ring r;
} guarded;

/* The ring ends exactly where an inaccessible page begins. */
static void guarded_ring(guarded *g)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t len = (size_t)tf_ring_region_size(CAP, sizeof(struct tf_request));
    size_t body = (len + page - 1) / page * page;
    g->map_len = body + page;
    g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(g->map != MAP_FAILED);
    assert_int_equal(mprotect(g->map + body, page, PROT_NONE), 0);
    assert_int_equal(body % 128, 0);
    assert_int_equal(len % 128, 0);
    uint8_t *region = g->map + body - len;
    assert_int_equal(tf_ring_init(&g->r, region, len, "requests", TF_RING_MPSC, CAP, sizeof(struct tf_request)), 0);
}

static void offer(guarded *g, uint64_t seq)
{
    struct tf_request q = {.type = TF_REQ_PING, .client_seq = seq};
    assert_true(tf_mpsc_offer_tf_request(&g->r, &q));
}

static void test_shared_mask_and_tail_are_not_followed(void **state)
{
    (void)state;
    guarded g;
    guarded_ring(&g);
    struct tf_request out;
    offer(&g, 1);
    assert_true(tf_mpsc_poll_tf_request(&g.r, &out));
    assert_int_equal(out.client_seq, 1);

    /* The attack from the issue: a huge mask and one record "published". */
    g.r.desc->ck.mask = 0xffffffffu;
    g.r.desc->ck.c_head = 0x7ffffff0u; /* ck would index the buffer with this */
    g.r.desc->ck.p_tail = 0x7ffffff1u;
    assert_false(tf_mpsc_poll_tf_request(&g.r, &out));
    assert_true(g.r.corrupt >= 1);
    assert_int_equal(g.r.c_head, 1); /* the private head did not move */

    /* A producer index within bounds of the private head is read through
     * the private mask, inside the buffer, whatever the shared mask says. */
    g.r.desc->ck.p_tail = g.r.c_head + 1;
    assert_true(tf_mpsc_poll_tf_request(&g.r, &out));
    assert_int_equal(g.r.c_head, 2);
    assert_int_equal(g.r.desc->ck.c_head, 2); /* written back for the producers */
    assert_false(tf_mpsc_poll_tf_request(&g.r, &out));
    munmap(g.map, g.map_len);
}

static void test_index_claiming_a_full_ring_plus_one_is_refused(void **state)
{
    (void)state;
    guarded g;
    guarded_ring(&g);
    struct tf_request out;
    /* ck holds CAP - 1: that many is believable, CAP is not. */
    g.r.desc->ck.p_tail = CAP;
    assert_false(tf_mpsc_poll_tf_request(&g.r, &out));
    assert_int_equal(g.r.corrupt, 1);
    g.r.desc->ck.p_tail = CAP - 1;
    for (int i = 0; i < CAP - 1; i++)
        assert_true(tf_mpsc_poll_tf_request(&g.r, &out));
    assert_false(tf_mpsc_poll_tf_request(&g.r, &out));
    assert_int_equal(g.r.corrupt, 1);
    assert_int_equal(g.r.desc->cons.high_water, CAP - 1);
    munmap(g.map, g.map_len);
}

static void test_ring_resumes_when_the_index_is_sane_again(void **state)
{
    (void)state;
    guarded g;
    guarded_ring(&g);
    struct tf_request out;
    offer(&g, 10);
    uint32_t real_tail = g.r.desc->ck.p_tail;
    g.r.desc->ck.p_tail = real_tail + 1000;
    assert_false(tf_mpsc_poll_tf_request(&g.r, &out));
    g.r.desc->ck.p_tail = real_tail;
    assert_true(tf_mpsc_poll_tf_request(&g.r, &out));
    assert_int_equal(out.client_seq, 10);
    offer(&g, 11); /* producers still work: c_head was kept current */
    assert_true(tf_mpsc_poll_tf_request(&g.r, &out));
    assert_int_equal(out.client_seq, 11);
    munmap(g.map, g.map_len);
}

static void test_attach_resumes_at_the_shared_head(void **state)
{
    (void)state;
    guarded g;
    guarded_ring(&g);
    struct tf_request out;
    offer(&g, 1);
    offer(&g, 2);
    assert_true(tf_mpsc_poll_tf_request(&g.r, &out));
    tf_ring again;
    size_t len = (size_t)tf_ring_region_size(CAP, sizeof(struct tf_request));
    assert_int_equal(tf_ring_attach(&again, g.r.desc, len), 0);
    assert_int_equal(again.c_head, 1);
    assert_true(tf_mpsc_poll_tf_request(&again, &out));
    assert_int_equal(out.client_seq, 2);
    munmap(g.map, g.map_len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_mask_and_tail_are_not_followed),
        cmocka_unit_test(test_index_claiming_a_full_ring_plus_one_is_refused),
        cmocka_unit_test(test_ring_resumes_when_the_index_is_sane_again),
        cmocka_unit_test(test_attach_resumes_at_the_shared_head),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

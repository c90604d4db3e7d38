/* Prefaulting the engine's writable memory (engine/runtime/prefault.h):
 * pages of a fresh mapping are resident afterwards, read-only mappings and
 * regions over the size limit are left alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/mman.h>
#include <unistd.h>

#include "engine/runtime/prefault.h"

#define PAGES 64

static int resident(void *p, size_t pages)
{
    unsigned char vec[PAGES];
    assert_int_equal(mincore(p, pages * 4096, vec), 0);
    int n = 0;
    for (size_t i = 0; i < pages; i++)
        n += vec[i] & 1;
    return n;
}

static void test_fresh_pages_become_resident(void **state)
{
    (void)state;
    assert_int_equal(sysconf(_SC_PAGESIZE), 4096);
    char *rw = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *ro = mmap(NULL, PAGES * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(rw != MAP_FAILED && ro != MAP_FAILED);
    assert_int_equal(resident(rw, PAGES), 0);
    tf_prefault_result r;
    assert_int_equal(tf_prefault_writable(1ull << 30, &r), 0);
    assert_true(r.regions > 0);
    assert_true(r.bytes >= PAGES * 4096);
    assert_int_equal(resident(rw, PAGES), PAGES);
    assert_int_equal(resident(ro, PAGES), 0); /* not writable: not ours to fill */
    for (int i = 0; i < PAGES; i++)
        assert_int_equal(rw[i * 4096], 0); /* contents unchanged */
    munmap(rw, PAGES * 4096);
    munmap(ro, PAGES * 4096);
}

static void test_regions_over_the_limit_are_skipped(void **state)
{
    (void)state;
    size_t big = 256u << 20; /* a reservation larger than the limit below */
    char *p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    assert_true(p != MAP_FAILED);
    tf_prefault_result r;
    assert_int_equal(tf_prefault_writable(128u << 20, &r), 0);
    assert_true(r.skipped > 0);
    assert_int_equal(resident(p, PAGES), 0);
    munmap(p, big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_pages_become_resident),
        cmocka_unit_test(test_regions_over_the_limit_are_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

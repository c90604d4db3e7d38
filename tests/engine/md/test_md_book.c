/* L2 book by Binance's snapshot + diff procedure (engine/md/md_book.h): each
 * branch of the procedure, level handling, ordering, truncation, pending
 * overflow, and a randomized test against a brute-force reference book
 * with gaps injected and snapshots taken from the reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "engine/md/md_book.h"

static tf_book book;
static tf_md_depth_msg *d;
static tf_md_snapshot *s;

static int setup(void **state)
{
    (void)state;
    d = calloc(1, sizeof *d);
    s = calloc(1, sizeof *s);
    return d && s && tf_book_init(&book, 0, 64, 16, 256) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tf_book_free(&book);
    free(d);
    free(s);
    return 0;
}

static int reset(void **state)
{
    (void)state;
    tf_book_reset(&book);
    return 0;
}

/* diff(U, u, "b:price:qty a:price:qty ...") */
static const tf_md_depth_msg *diff(uint64_t U, uint64_t u, const int64_t (*lv)[3], int n)
{
    d->first_update_id = U;
    d->final_update_id = u;
    d->bid_count = d->ask_count = 0;
    for (int i = 0; i < n; i++) {
        tf_md_level l = {lv[i][1], lv[i][2]};
        if (lv[i][0])
            d->asks[d->ask_count++] = l;
        else
            d->bids[d->bid_count++] = l;
    }
    return d;
}

static const tf_md_snapshot *snapshot(uint64_t id, const int64_t (*lv)[3], int n)
{
    s->last_update_id = id;
    s->bid_count = s->ask_count = 0;
    for (int i = 0; i < n; i++) {
        tf_md_level l = {lv[i][1], lv[i][2]};
        if (lv[i][0])
            s->asks[s->ask_count++] = l;
        else
            s->bids[s->bid_count++] = l;
    }
    return s;
}

#define BID 0
#define ASK 1

static void test_buffer_then_snapshot(void **state)
{
    (void)state;
    const int64_t a[][3] = {{BID, 99, 5}};
    const int64_t b[][3] = {{ASK, 101, 7}};
    const int64_t c[][3] = {{BID, 98, 2}};
    assert_int_equal(tf_book_on_diff(&book, diff(10, 12, a, 1)), TF_BOOK_NEED_SNAPSHOT);
    assert_int_equal(tf_book_on_diff(&book, diff(13, 15, b, 1)), TF_BOOK_BUFFERED);
    assert_int_equal(tf_book_on_diff(&book, diff(16, 16, c, 1)), TF_BOOK_BUFFERED);
    assert_int_equal(book.state, TF_BOOK_UNSYNCED);
    /* snapshot at 13: diff 10..12 is contained (dropped), 13..15 bridges, 16 applies */
    const int64_t snap[][3] = {{BID, 99, 1}, {BID, 97, 3}, {ASK, 101, 1}, {ASK, 102, 4}};
    assert_int_equal(tf_book_on_snapshot(&book, snapshot(13, snap, 4), NULL, NULL), TF_BOOK_APPLIED);
    assert_int_equal(book.state, TF_BOOK_SYNCED);
    assert_int_equal(book.last_update_id, 16);
    tf_md_level l;
    assert_true(tf_book_best_bid(&book, &l));
    assert_int_equal(l.price, 99);
    assert_int_equal(l.qty, 1); /* the snapshot's, not the dropped diff's 5 */
    assert_true(tf_book_best_ask(&book, &l));
    assert_int_equal(l.price, 101);
    assert_int_equal(l.qty, 7); /* from the bridging diff */
    assert_int_equal(book.bid_count, 3);
}

static void test_stale_snapshot_and_gap(void **state)
{
    (void)state;
    const int64_t a[][3] = {{BID, 99, 5}};
    assert_int_equal(tf_book_on_diff(&book, diff(100, 101, a, 1)), TF_BOOK_NEED_SNAPSHOT);
    /* a snapshot older than the first buffered U: ask again */
    assert_int_equal(tf_book_on_snapshot(&book, snapshot(50, a, 1), NULL, NULL), TF_BOOK_NEED_SNAPSHOT);
    assert_int_equal(book.state, TF_BOOK_UNSYNCED);
    assert_int_equal(tf_book_on_snapshot(&book, snapshot(100, a, 1), NULL, NULL), TF_BOOK_APPLIED);
    assert_int_equal(book.last_update_id, 101);
    /* old diff: ignored */
    assert_int_equal(tf_book_on_diff(&book, diff(95, 100, a, 1)), TF_BOOK_IGNORED);
    /* continuous */
    assert_int_equal(tf_book_on_diff(&book, diff(102, 103, a, 1)), TF_BOOK_APPLIED);
    /* gap: 104 missing */
    assert_int_equal(tf_book_on_diff(&book, diff(105, 106, a, 1)), TF_BOOK_GAP);
    assert_int_equal(book.state, TF_BOOK_UNSYNCED);
    assert_int_equal(book.bid_count, 0);
    assert_int_equal(book.gaps, 1);
    /* the diff after the gap is buffered for the new sync */
    assert_int_equal(tf_book_on_snapshot(&book, snapshot(105, a, 1), NULL, NULL), TF_BOOK_APPLIED);
    assert_int_equal(book.last_update_id, 106);
}

static void test_buffered_diffs_not_bridging(void **state)
{
    (void)state;
    const int64_t a[][3] = {{BID, 99, 5}};
    tf_book_on_diff(&book, diff(10, 12, a, 1));
    tf_book_on_diff(&book, diff(20, 22, a, 1)); /* the buffer itself has a hole */
    assert_int_equal(tf_book_on_snapshot(&book, snapshot(12, a, 1), NULL, NULL), TF_BOOK_GAP);
    assert_int_equal(book.state, TF_BOOK_UNSYNCED);
}

static void test_snapshot_alone_then_bridge(void **state)
{
    (void)state;
    const int64_t a[][3] = {{BID, 99, 5}, {ASK, 100, 1}};
    /* no diff yet: the snapshot alone is the book */
    assert_int_equal(tf_book_on_snapshot(&book, snapshot(40, a, 2), NULL, NULL), TF_BOOK_APPLIED);
    assert_int_equal(book.state, TF_BOOK_SYNCED);
    const int64_t b[][3] = {{ASK, 100, 0}};
    /* U <= id+1 <= u bridges */
    assert_int_equal(tf_book_on_diff(&book, diff(39, 41, b, 1)), TF_BOOK_APPLIED);
    assert_int_equal(book.ask_count, 0); /* qty 0 removed the level */
    /* removing a level we do not hold is harmless */
    assert_int_equal(tf_book_on_diff(&book, diff(42, 42, b, 1)), TF_BOOK_APPLIED);
    assert_int_equal(book.ask_count, 0);
}

static void test_ordering_and_truncation(void **state)
{
    (void)state;
    tf_book small;
    assert_int_equal(tf_book_init(&small, 0, 4, 4, 16), 0);
    const int64_t lv[][3] = {{BID, 10, 1}, {BID, 14, 1}, {BID, 12, 1}, {BID, 11, 1}, {BID, 13, 1},
                             {BID, 9, 1},  {ASK, 20, 1}, {ASK, 16, 1}, {ASK, 18, 1}};
    assert_int_equal(tf_book_on_snapshot(&small, snapshot(1, lv, 9), NULL, NULL), TF_BOOK_APPLIED);
    tf_md_level out[8];
    uint32_t n = tf_book_levels(&small, TF_SIDE_BID, out, 8);
    assert_int_equal(n, 4); /* the best 4 kept */
    assert_int_equal(out[0].price, 14);
    assert_int_equal(out[1].price, 13);
    assert_int_equal(out[2].price, 12);
    assert_int_equal(out[3].price, 11);
    assert_true(small.levels_dropped >= 2);
    n = tf_book_levels(&small, TF_SIDE_ASK, out, 8);
    assert_int_equal(n, 3);
    assert_int_equal(out[0].price, 16);
    assert_int_equal(out[2].price, 20);
    /* a better level pushes out the worst; a worse one is dropped */
    const int64_t add[][3] = {{BID, 15, 2}, {BID, 1, 2}};
    assert_int_equal(tf_book_on_diff(&small, diff(2, 2, add, 2)), TF_BOOK_APPLIED);
    n = tf_book_levels(&small, TF_SIDE_BID, out, 8);
    assert_int_equal(out[0].price, 15);
    assert_int_equal(out[3].price, 12);
    tf_book_free(&small);
}

static void test_pending_overflow(void **state)
{
    (void)state;
    const int64_t a[][3] = {{BID, 99, 5}};
    tf_book_action last = TF_BOOK_BUFFERED;
    for (uint64_t i = 0; i < 40 && last != TF_BOOK_OVERFLOW; i++)
        last = tf_book_on_diff(&book, diff(10 + i, 10 + i, a, 1));
    assert_int_equal(last, TF_BOOK_OVERFLOW);
    assert_int_equal(book.pending_count, 0);
    assert_int_equal(book.overflows, 1);
    /* and the next diff starts a new attempt */
    assert_int_equal(tf_book_on_diff(&book, diff(100, 100, a, 1)), TF_BOOK_NEED_SNAPSHOT);
}

static int applied_calls;
static uint64_t applied_last_u;
static void on_applied(void *ctx, uint64_t U, uint64_t u, const tf_md_level *bids, uint32_t nb,
                       const tf_md_level *asks, uint32_t na)
{
    (void)ctx;
    (void)U;
    (void)bids;
    (void)asks;
    applied_calls++;
    applied_last_u = u;
    assert_int_equal(nb + na, 1);
}

/* Buffered diffs applied at sync are reported in order (for journaling). */
static void test_apply_callback(void **state)
{
    (void)state;
    const int64_t a[][3] = {{BID, 99, 5}};
    tf_book_on_diff(&book, diff(10, 12, a, 1));
    tf_book_on_diff(&book, diff(13, 15, a, 1));
    tf_book_on_diff(&book, diff(16, 17, a, 1));
    applied_calls = 0;
    assert_int_equal(tf_book_on_snapshot(&book, snapshot(11, a, 1), on_applied, NULL), TF_BOOK_APPLIED);
    assert_int_equal(applied_calls, 3); /* 10..12 bridges 11, then 13..15 and 16..17 */
    assert_int_equal(applied_last_u, 17);
    assert_int_equal(book.last_update_id, 17);
}

/* ---- randomized: the book equals a brute-force reference ------------------ */

#define PRICES 200
typedef struct ref_book {
    int64_t q[2][PRICES];
    uint64_t id;
} ref_book;

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void ref_snapshot(const ref_book *r, tf_md_snapshot *out)
{
    out->last_update_id = r->id;
    out->bid_count = out->ask_count = 0;
    for (int p = PRICES - 1; p >= 0; p--)
        if (r->q[0][p])
            out->bids[out->bid_count++] = (tf_md_level){p, r->q[0][p]};
    for (int p = 0; p < PRICES; p++)
        if (r->q[1][p])
            out->asks[out->ask_count++] = (tf_md_level){p, r->q[1][p]};
}

static void assert_equal_to_ref(const tf_book *b, const ref_book *r)
{
    tf_md_level out[PRICES];
    for (int side = 0; side < 2; side++) {
        uint32_t n = tf_book_levels(b, (tf_md_side)side, out, PRICES);
        uint32_t k = 0;
        for (int i = 0; i < PRICES; i++) {
            int p = side == 0 ? PRICES - 1 - i : i;
            if (!r->q[side][p])
                continue;
            if (k >= n || out[k].price != p || out[k].qty != r->q[side][p])
                fail_msg("side %d level %u: book %lld x %lld, reference %d x %lld", side, k,
                         k < n ? (long long)out[k].price : -1LL, k < n ? (long long)out[k].qty : -1LL, p,
                         (long long)r->q[side][p]);
            k++;
        }
        assert_int_equal(k, n);
    }
}

static void test_random_against_reference(void **state)
{
    (void)state;
    tf_book b;
    assert_int_equal(tf_book_init(&b, 0, PRICES, 64, 4096), 0);
    ref_book r;
    memset(&r, 0, sizeof r);
    r.id = 1000;
    for (int p = 0; p < 100; p++)
        r.q[0][p] = 1 + (int64_t)(rnd() % 50);
    for (int p = 100; p < PRICES; p++)
        r.q[1][p] = 1 + (int64_t)(rnd() % 50);
    int syncs = 0, gaps = 0;
    for (int step = 0; step < 20000; step++) {
        /* the venue changes a few levels: one update U..u */
        d->bid_count = d->ask_count = 0;
        d->first_update_id = r.id + 1;
        int changes = 1 + (int)(rnd() % 4);
        for (int c = 0; c < changes; c++) {
            int side = (int)(rnd() & 1);
            int p = side == 0 ? (int)(rnd() % 100) : 100 + (int)(rnd() % 100);
            int64_t q = (rnd() % 4) == 0 ? 0 : 1 + (int64_t)(rnd() % 50);
            r.q[side][p] = q;
            r.id++;
            tf_md_level l = {p, q};
            if (side)
                d->asks[d->ask_count++] = l;
            else
                d->bids[d->bid_count++] = l;
        }
        d->final_update_id = r.id;
        /* sometimes the update is lost on the way: a gap */
        if ((rnd() % 500) == 0)
            continue;
        tf_book_action a = tf_book_on_diff(&b, d);
        if (a == TF_BOOK_GAP)
            gaps++;
        if (a == TF_BOOK_NEED_SNAPSHOT || a == TF_BOOK_GAP || (b.state != TF_BOOK_SYNCED && (rnd() % 8) == 0)) {
            /* the snapshot arrives a little later than the request */
            ref_snapshot(&r, s);
            if (tf_book_on_snapshot(&b, s, NULL, NULL) == TF_BOOK_APPLIED)
                syncs++;
        }
        if (b.state == TF_BOOK_SYNCED) {
            assert_int_equal(b.last_update_id, r.id);
            if ((step % 97) == 0)
                assert_equal_to_ref(&b, &r);
        }
    }
    if (b.state == TF_BOOK_SYNCED)
        assert_equal_to_ref(&b, &r);
    assert_true(gaps > 5);
    assert_true(syncs > 5);
    tf_book_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_buffer_then_snapshot, reset),
        cmocka_unit_test_setup(test_stale_snapshot_and_gap, reset),
        cmocka_unit_test_setup(test_buffered_diffs_not_bridging, reset),
        cmocka_unit_test_setup(test_snapshot_alone_then_bridge, reset),
        cmocka_unit_test_setup(test_ordering_and_truncation, reset),
        cmocka_unit_test_setup(test_pending_overflow, reset),
        cmocka_unit_test_setup(test_apply_callback, reset),
        cmocka_unit_test_setup(test_random_against_reference, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* Execution algorithms (lib/algo/algo.h) on a simulated clock: a venue
 * played by the test fills children by a policy, the market's volume and
 * touch move as each test says. Schedules, lots, randomisation bounds,
 * catch-up, end policies, participation, POV tracking, iceberg refresh and
 * withdrawal, the guard, controls, and no over-fill under fills racing
 * cancels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/algo/algo.h"

#define S 1000000000ull
#define T0 (1800000000ull * S) /* a wall-clock start */

static const tf_algo_instrument ins = {.lot_size = 10, .tick_size = 1, .min_qty = 10};

typedef enum { FILL_ALL = 0, FILL_NONE, FILL_HALF_THEN_DONE, FILL_LIMIT_ONLY_AT_OR_BETTER } fill_policy;

/* The test's venue: what it saw of each child. */
typedef struct venue {
    fill_policy policy;
    int64_t sent_qty[4096];
    int64_t sent_px[4096];
    bool sent_mkt[4096], sent_ioc[4096];
    uint64_t sent_at[4096];
    uint32_t n;
    uint32_t cancels;
    bool working;
} venue;

/* One step at `now`: the decision carried out as the venue's policy says. */
static tf_algo_decision step(tf_algo *a, venue *v, tf_algo_market *m)
{
    tf_algo_decision d = tf_algo_step(a, m);
    if (d.op == TF_ALGO_SEND) {
        assert_false(v->working);                      /* one child at a time */
        assert_true(d.qty > 0);
        assert_int_equal(d.qty % ins.lot_size, 0);      /* whole lots */
        assert_true(d.qty <= a->p.qty - (a->filled)); /* never more than is left */
        if (a->p.limit_price && !d.is_market)
            assert_true(a->p.side == 0 ? d.price <= a->p.limit_price : d.price >= a->p.limit_price);
        if (a->p.limit_price)
            assert_false(d.is_market); /* a guarded parent sends no market child */
        v->sent_qty[v->n] = d.qty;
        v->sent_px[v->n] = d.price;
        v->sent_mkt[v->n] = d.is_market;
        v->sent_ioc[v->n] = d.ioc;
        v->sent_at[v->n] = m->now_ns;
        v->n++;
        v->working = true;
        switch (v->policy) {
        case FILL_ALL:
            tf_algo_child_fill(a, d.qty, d.is_market ? m->ask : d.price);
            tf_algo_child_done(a);
            v->working = false;
            break;
        case FILL_HALF_THEN_DONE: {
            int64_t h = d.qty / 2 - (d.qty / 2) % ins.lot_size;
            tf_algo_child_fill(a, h, d.price);
            tf_algo_child_done(a);
            v->working = false;
            break;
        }
        case FILL_NONE:
            if (d.ioc || d.is_market) { /* nothing rests: done unfilled */
                tf_algo_child_done(a);
                v->working = false;
            }
            break;
        case FILL_LIMIT_ONLY_AT_OR_BETTER:
            break;
        }
    } else if (d.op == TF_ALGO_CANCEL_CHILD) {
        assert_true(v->working);
        v->cancels++;
        tf_algo_child_done(a); /* canceled unfilled */
        v->working = false;
    }
    return d;
}

/* Step every `dt` from `from` to `to` (inclusive of from). */
static void run(tf_algo *a, venue *v, tf_algo_market *m, uint64_t from, uint64_t to, uint64_t dt)
{
    for (uint64_t t = from; t <= to; t += dt) {
        m->now_ns = t;
        step(a, v, m);
    }
}

static tf_algo_params twap(int64_t qty, uint64_t seconds, uint64_t slice_s)
{
    tf_algo_params p = {.kind = TF_ALGO_TWAP, .side = 0, .price_style = TF_ALGO_PX_MARKET, .qty = qty,
                        .start_ns = T0, .end_ns = T0 + seconds * S, .slice_ns = slice_s * S, .seed = 7};
    return p;
}

static int64_t sum_sent(const venue *v)
{
    int64_t s = 0;
    for (uint32_t i = 0; i < v->n; i++)
        s += v->sent_qty[i];
    return s;
}

static void test_twap_slices_evenly_and_carries_the_remainder(void **state)
{
    (void)state;
    tf_algo a;
    venue v = {0};
    tf_algo_market m = {.bid = 999, .ask = 1001};
    tf_algo_params p = twap(100, 3, 1); /* 10 lots over 3 slices */
    char why[128];
    assert_int_equal(tf_algo_check(&p, &ins, T0 - S, why, sizeof why), 0);
    tf_algo_init(&a, &p, &ins, NULL);
    run(&a, &v, &m, T0 - S, T0 + 3 * S, S / 10);
    assert_int_equal(v.n, 3);
    assert_int_equal(v.sent_qty[0], 30); /* 10 lots / 3 -> 3, 3, 4: floor to lots, remainder carried */
    assert_int_equal(v.sent_qty[1], 30);
    assert_int_equal(v.sent_qty[2], 40);
    assert_true(v.sent_mkt[0]);
    /* Released at the slice times, not before the start. */
    assert_int_equal(v.sent_at[0], T0);
    assert_int_equal(v.sent_at[1], T0 + S);
    assert_int_equal(v.sent_at[2], T0 + 2 * S);
    assert_int_equal(a.state, TF_ALGO_DONE);
    assert_int_equal(a.filled, 100);
}

static void test_twap_randomisation_stays_in_bounds_and_is_seeded(void **state)
{
    (void)state;
    tf_algo_params p = twap(100000, 100, 1);
    p.size_jitter_pct = 20;
    p.time_jitter_pct = 30;
    int64_t first_run[200];
    for (int r = 0; r < 2; r++) {
        tf_algo a;
        venue v = {0};
        tf_algo_market m = {.bid = 999, .ask = 1001};
        tf_algo_init(&a, &p, &ins, NULL);
        run(&a, &v, &m, T0, T0 + 101 * S, S / 100);
        assert_int_equal(sum_sent(&v), 100000); /* exactly the parent */
        assert_int_equal(a.state, TF_ALGO_DONE);
        bool varied = false;
        for (uint32_t i = 0; i + 1 < v.n; i++) {
            /* Each slice within +-20 % of the even share of what was left (a lot of rounding). */
            int64_t even = 1000;
            assert_true(v.sent_qty[i] >= even * 70 / 100 && v.sent_qty[i] <= even * 130 / 100);
            varied |= v.sent_qty[i] != v.sent_qty[0];
            if (i) { /* the slice's time within +-30 % of the interval of its due time */
                uint64_t due = T0 + i * S;
                assert_true(v.sent_at[i] + 3 * S / 10 + S / 100 >= due && v.sent_at[i] <= due + 3 * S / 10 + S / 100);
            }
            if (r == 0)
                first_run[i < 200 ? i : 199] = v.sent_qty[i];
            else if (i < 200)
                assert_int_equal(v.sent_qty[i], first_run[i]); /* the same seed decides the same */
        }
        assert_true(varied);
    }
}

static void test_twap_catches_up_after_unfilled_children(void **state)
{
    (void)state;
    tf_algo a;
    venue v = {.policy = FILL_NONE};
    tf_algo_market m = {.bid = 999, .ask = 1001};
    tf_algo_params p = twap(1000, 10, 1);
    p.price_style = TF_ALGO_PX_PASSIVE;
    p.offset_ticks = 5;
    p.resubmit_ns = S / 2;
    tf_algo_init(&a, &p, &ins, NULL);
    run(&a, &v, &m, T0, T0 + 4 * S - 1, S / 10); /* 4 slices due, nothing fills, children resubmitted */
    assert_int_equal(a.filled, 0);
    assert_true(v.cancels >= 4);
    assert_int_equal(v.sent_px[0], 999 - 5); /* passive: 5 ticks behind our touch */
    /* Now the venue fills: the next child, at the fifth slice's time, asks
     * for all five slices' worth. */
    v.policy = FILL_ALL;
    uint32_t before = v.n;
    run(&a, &v, &m, T0 + 4 * S, T0 + 4 * S + S / 2, S / 10);
    assert_true(v.n > before);
    assert_int_equal(v.sent_qty[before], 500); /* caught up in one child */
    assert_int_equal(a.filled, 500);
}

static void test_end_policies_sweep_or_stop(void **state)
{
    (void)state;
    for (int pol = 0; pol < 2; pol++) {
        tf_algo a;
        venue v = {.policy = FILL_NONE};
        tf_algo_market m = {.bid = 999, .ask = 1001};
        tf_algo_params p = twap(1000, 5, 1);
        p.price_style = TF_ALGO_PX_TOUCH;
        p.end_policy = pol ? TF_ALGO_END_STOP : TF_ALGO_END_SWEEP;
        tf_algo_init(&a, &p, &ins, NULL);
        run(&a, &v, &m, T0, T0 + 5 * S - 1, S / 10);
        assert_int_equal(a.filled, 0);
        v.policy = FILL_ALL;
        run(&a, &v, &m, T0 + 5 * S, T0 + 6 * S, S / 10);
        if (pol == 0) {
            assert_true(v.sent_mkt[v.n - 1]); /* the remainder as one market child */
            assert_int_equal(v.sent_qty[v.n - 1], 1000);
            assert_int_equal(a.state, TF_ALGO_DONE);
        } else {
            assert_int_equal(a.state, TF_ALGO_STOPPED);
            assert_int_equal(a.p.qty - a.filled, 1000); /* reported left */
        }
    }
}

static void test_sweep_with_a_guard_is_an_ioc_at_the_limit_and_then_stops(void **state)
{
    (void)state;
    tf_algo a;
    venue v = {.policy = FILL_NONE};
    tf_algo_market m = {.bid = 999, .ask = 1001};
    tf_algo_params p = twap(1000, 5, 1);
    p.price_style = TF_ALGO_PX_MID;
    p.limit_price = 995;
    tf_algo_init(&a, &p, &ins, NULL);
    run(&a, &v, &m, T0, T0 + 6 * S, S / 10);
    assert_int_equal(v.sent_px[0], 995); /* the mid (1000) is through the guard */
    assert_true(v.sent_ioc[v.n - 1]);
    assert_int_equal(v.sent_px[v.n - 1], 995);
    assert_int_equal(a.state, TF_ALGO_STOPPED); /* the IOC found nothing: no endless sweeping */
}

static void test_pov_follows_the_market_between_min_and_max(void **state)
{
    (void)state;
    tf_algo a;
    venue v = {0};
    tf_algo_market m = {.bid = 999, .ask = 1001};
    tf_algo_params p = {.kind = TF_ALGO_POV, .side = 1, .price_style = TF_ALGO_PX_MARKET, .qty = 5000,
                        .start_ns = T0, .participation_bps = 1000, .min_child = 50, .max_child = 200, .seed = 3};
    char why[128];
    assert_int_equal(tf_algo_check(&p, &ins, T0, why, sizeof why), 0);
    tf_algo_init(&a, &p, &ins, NULL);
    for (int i = 0; i < 400; i++) {
        m.now_ns = T0 + (uint64_t)i * S / 10;
        m.volume = (int64_t)i * 137; /* the market trades */
        step(&a, &v, &m);
        /* Never ahead of 10 % of the volume; behind by less than one child. */
        assert_true(a.filled <= m.volume / 10);
        if (!tf_algo_finished(&a))
            assert_true(m.volume / 10 - a.filled < 200 + 50 + 10);
    }
    for (uint32_t i = 0; i < v.n; i++)
        assert_true(v.sent_qty[i] >= 50 && v.sent_qty[i] <= 200);
    assert_int_equal(a.state, TF_ALGO_DONE);
}

static void test_vwap_follows_the_profile_and_caps_participation(void **state)
{
    (void)state;
    int64_t vols[4] = {400, 300, 200, 100}; /* front-loaded: 40 %, 70 %, 90 %, 100 % */
    tf_algo_profile pr;
    assert_int_equal(tf_algo_profile_from_volumes(&pr, vols, 4), 0);
    assert_int_equal(pr.cum_ppm[0], 400000);
    assert_int_equal(pr.cum_ppm[3], 1000000);
    tf_algo_params p = {.kind = TF_ALGO_VWAP, .price_style = TF_ALGO_PX_MARKET, .qty = 1000, .start_ns = T0,
                        .end_ns = T0 + 40 * S};
    tf_algo a;
    tf_algo_init(&a, &p, &ins, &pr);
    /* On the profile's own pace the target is the profile's share. */
    tf_algo_market m = {.now_ns = T0 + 10 * S, .volume = 400};
    assert_int_equal(tf_algo_target(&a, &m), 400);
    m = (tf_algo_market){.now_ns = T0 + 20 * S, .volume = 700};
    assert_int_equal(tf_algo_target(&a, &m), 700);
    /* A day twice as heavy so far: ahead of the profile. */
    m = (tf_algo_market){.now_ns = T0 + 10 * S, .volume = 800};
    assert_true(tf_algo_target(&a, &m) > 400);
    /* A quiet day: behind it. */
    m = (tf_algo_market){.now_ns = T0 + 10 * S, .volume = 100};
    assert_true(tf_algo_target(&a, &m) < 400);
    /* The participation cap: at most 50 % of the market's volume. */
    p.participation_bps = 5000;
    tf_algo_init(&a, &p, &ins, &pr);
    m = (tf_algo_market){.now_ns = T0 + 10 * S, .volume = 400};
    assert_int_equal(tf_algo_target(&a, &m), 200);
    /* And run to the end on the profile's pace: done. */
    venue v = {0};
    p.participation_bps = 0;
    tf_algo_init(&a, &p, &ins, &pr);
    for (int i = 0; i <= 410; i++) {
        m.now_ns = T0 + (uint64_t)i * S / 10;
        uint32_t b = i / 100 < 4 ? (uint32_t)(i / 100) : 3;
        int64_t cum_before = b ? (int64_t)pr.cum_ppm[b - 1] : 0;
        m.volume = (cum_before + ((int64_t)pr.cum_ppm[b] - cum_before) * (i % 100) / 100) / 1000;
        if (i >= 400)
            m.volume = 1000;
        m.bid = 999;
        m.ask = 1001;
        step(&a, &v, &m);
        if (i == 100)
            assert_true(a.filled >= 390 && a.filled <= 400);
    }
    assert_int_equal(a.state, TF_ALGO_DONE);
    /* A smallest child: no crumbs of a lot each, all but the last at least 100. */
    venue w = {0};
    p.min_child = 100;
    tf_algo_init(&a, &p, &ins, &pr);
    for (int i = 0; i <= 410; i++) {
        m = (tf_algo_market){.now_ns = T0 + (uint64_t)i * S / 10, .volume = i * 3, .bid = 999, .ask = 1001};
        step(&a, &w, &m);
    }
    assert_int_equal(a.state, TF_ALGO_DONE);
    for (uint32_t i = 0; i + 1 < w.n; i++)
        assert_true(w.sent_qty[i] >= 100);
}

static void test_vwap_profile_from_a_day_by_minute(void **state)
{
    (void)state;
    static int64_t day[TF_ALGO_DAY_MINUTES];
    for (uint32_t m = 0; m < TF_ALGO_DAY_MINUTES; m++)
        day[m] = 100;
    day[600] = 700; /* 10:00 UTC is busy */
    const uint64_t MIN = 60 * S, midnight = 20000 * 86400ull * S;
    tf_algo_profile pr;
    /* 09:58 to 10:02: four minutes, the third seven times the others. */
    assert_int_equal(tf_algo_profile_from_day(&pr, day, midnight + 598 * MIN, midnight + 602 * MIN), 0);
    assert_int_equal(pr.buckets, 4);
    assert_int_equal(pr.total, 1000);
    assert_int_equal(pr.cum_ppm[0], 100000);
    assert_int_equal(pr.cum_ppm[1], 200000);
    assert_int_equal(pr.cum_ppm[2], 900000);
    assert_int_equal(pr.cum_ppm[3], 1000000);
    /* A long horizon: no more than the bucket limit; half a minute counts half. */
    assert_int_equal(tf_algo_profile_from_day(&pr, day, midnight, midnight + 600 * MIN + 30 * S), 0);
    assert_int_equal(pr.buckets, TF_ALGO_PROFILE_BUCKETS);
    assert_true(pr.total <= 600 * 100 + 350 && pr.total >= 600 * 100 + 350 - TF_ALGO_PROFILE_BUCKETS); /* a unit a bucket */
    /* Across midnight it wraps; an empty day refuses. */
    assert_int_equal(tf_algo_profile_from_day(&pr, day, midnight - MIN, midnight + MIN), 0);
    assert_int_equal(pr.total, 200);
    static int64_t none[TF_ALGO_DAY_MINUTES];
    assert_int_equal(tf_algo_profile_from_day(&pr, none, midnight, midnight + MIN), -1);
}

static void test_iceberg_refreshes_only_when_done_and_withdraws(void **state)
{
    (void)state;
    tf_algo a;
    venue v = {.policy = FILL_LIMIT_ONLY_AT_OR_BETTER};
    tf_algo_market m = {.now_ns = T0, .bid = 999, .ask = 1001};
    tf_algo_params p = {.kind = TF_ALGO_ICEBERG, .side = 0, .qty = 1000, .limit_price = 1000, .start_ns = T0,
                        .min_child = 50, .max_child = 150, .seed = 11};
    char why[128];
    assert_int_equal(tf_algo_check(&p, &ins, T0, why, sizeof why), 0);
    tf_algo_init(&a, &p, &ins, NULL);
    step(&a, &v, &m);
    assert_int_equal(v.n, 1);
    assert_int_equal(v.sent_px[0], 1000); /* at the limit */
    assert_true(v.sent_qty[0] >= 50 && v.sent_qty[0] <= 150);
    /* Partly filled: no refresh while it is still working. */
    tf_algo_child_fill(&a, 20, 1000);
    m.now_ns += S;
    step(&a, &v, &m);
    assert_int_equal(v.n, 1);
    /* The market moves through the limit (bid above it): withdrawn, nothing shown. */
    m.bid = 1003;
    m.ask = 1005;
    m.now_ns += S;
    step(&a, &v, &m);
    assert_int_equal(v.cancels, 1);
    step(&a, &v, &m);
    assert_int_equal(v.n, 1);
    /* Back: shown again; sizes vary within the range over refreshes. */
    m.bid = 999;
    m.ask = 1001;
    bool varied = false;
    while (!tf_algo_finished(&a)) {
        m.now_ns += S;
        tf_algo_decision d = step(&a, &v, &m);
        if (d.op == TF_ALGO_SEND) {
            tf_algo_child_fill(&a, d.qty, 1000);
            tf_algo_child_done(&a);
            v.working = false;
        }
        assert_true(v.n < 100);
    }
    for (uint32_t i = 1; i < v.n; i++) {
        assert_true(v.sent_qty[i] <= 150);
        varied |= v.sent_qty[i] != v.sent_qty[1];
    }
    assert_true(varied);
    assert_int_equal(a.filled, 1000);
}

/* The venue's own iceberg: one child of all that is left, showing a
 * display drawn in the range; no new child while it works (the venue
 * refreshes); withdrawn while the market is through the limit, then all
 * that is left again with a fresh display; nothing to hide at the end. */
static void test_native_iceberg_one_child_the_venue_refreshes(void **state)
{
    (void)state;
    tf_algo a;
    venue v = {.policy = FILL_LIMIT_ONLY_AT_OR_BETTER};
    tf_algo_market m = {.now_ns = T0, .bid = 999, .ask = 1001};
    tf_algo_instrument vi = ins;
    vi.venue_iceberg = true;
    tf_algo_params p = {.kind = TF_ALGO_ICEBERG, .side = 0, .qty = 1000, .limit_price = 1000, .start_ns = T0,
                        .min_child = 50, .max_child = 150, .seed = 11};
    tf_algo_init(&a, &p, &vi, NULL);
    tf_algo_decision d = step(&a, &v, &m);
    assert_int_equal(d.op, TF_ALGO_SEND);
    assert_int_equal(d.qty, 1000);
    assert_int_equal(d.price, 1000);
    assert_false(d.ioc || d.is_market);
    assert_true(d.display >= 50 && d.display <= 150 && d.display % ins.lot_size == 0);
    /* Fills as the venue shows tranche after tranche: no second child. */
    tf_algo_child_fill(&a, 300, 1000);
    m.now_ns += S;
    assert_int_equal(step(&a, &v, &m).op, TF_ALGO_NONE);
    /* Through the limit: withdrawn, and nothing while it stays there. */
    m.bid = 1003;
    m.ask = 1005;
    m.now_ns += S;
    assert_int_equal(step(&a, &v, &m).op, TF_ALGO_CANCEL_CHILD);
    m.now_ns += S;
    assert_int_equal(step(&a, &v, &m).op, TF_ALGO_NONE);
    /* Back: all that is left, a display drawn again; over several rounds
     * the displays vary within the range. */
    m.bid = 999;
    m.ask = 1001;
    bool varied = false;
    int64_t first = d.display;
    for (int round = 0; round < 8; round++) {
        m.now_ns += S;
        d = step(&a, &v, &m);
        assert_int_equal(d.op, TF_ALGO_SEND);
        assert_int_equal(d.qty, 700);
        assert_true(d.display >= 50 && d.display <= 150 && d.display % ins.lot_size == 0);
        varied |= d.display != first;
        m.bid = 1003;
        m.now_ns += S;
        assert_int_equal(step(&a, &v, &m).op, TF_ALGO_CANCEL_CHILD);
        m.bid = 999;
    }
    assert_true(varied);
    /* Less left than any display: sent plain (display 0). */
    m.now_ns += S;
    d = step(&a, &v, &m);
    tf_algo_child_fill(&a, 660, 1000);
    m.bid = 1003;
    m.now_ns += S;
    assert_int_equal(step(&a, &v, &m).op, TF_ALGO_CANCEL_CHILD);
    m.bid = 999;
    m.now_ns += S;
    d = step(&a, &v, &m);
    assert_int_equal(d.op, TF_ALGO_SEND);
    assert_int_equal(d.qty, 40);
    assert_int_equal(d.display, 0);
    tf_algo_child_fill(&a, 40, 1000);
    tf_algo_child_done(&a);
    m.now_ns += S;
    step(&a, &v, &m);
    assert_int_equal(a.state, TF_ALGO_DONE);
    assert_int_equal(a.filled, 1000);
    assert_int_equal(a.children, 11);
}

static void test_no_over_fill_when_fills_race_cancels_and_amends(void **state)
{
    (void)state;
    tf_algo a;
    tf_algo_market m = {.now_ns = T0, .bid = 999, .ask = 1001};
    tf_algo_params p = twap(1000, 10, 5);
    p.price_style = TF_ALGO_PX_TOUCH;
    tf_algo_init(&a, &p, &ins, NULL);
    tf_algo_decision d = tf_algo_step(&a, &m);
    assert_int_equal(d.op, TF_ALGO_SEND);
    assert_int_equal(d.qty, 500);
    /* Amend down below what the working child may fill: refused. */
    char why[128];
    assert_int_equal(tf_algo_amend(&a, 400, 0, 0, why, sizeof why), -1);
    assert_non_null(strstr(why, "working"));
    assert_int_equal(tf_algo_amend(&a, 600, 0, 0, why, sizeof why), 0);
    /* Cancel the parent; the child fills in full before the cancel lands. */
    tf_algo_cancel(&a);
    d = tf_algo_step(&a, &m);
    assert_int_equal(d.op, TF_ALGO_CANCEL_CHILD);
    tf_algo_child_fill(&a, 500, 999);
    d = tf_algo_step(&a, &m);
    assert_int_equal(d.op, TF_ALGO_NONE); /* the cancel is out: nothing new */
    tf_algo_child_done(&a);
    d = tf_algo_step(&a, &m);
    assert_int_equal(d.op, TF_ALGO_NONE);
    assert_int_equal(a.state, TF_ALGO_CANCELED);
    assert_true(a.filled <= a.p.qty);
    assert_int_equal(tf_algo_avg_price(&a), 999);
    /* A finished parent refuses amends. */
    assert_int_equal(tf_algo_amend(&a, 700, 0, 0, why, sizeof why), -1);
}

static void test_pause_cancels_the_child_and_resume_catches_up(void **state)
{
    (void)state;
    tf_algo a;
    venue v = {.policy = FILL_NONE};
    tf_algo_market m = {.bid = 999, .ask = 1001};
    tf_algo_params p = twap(1000, 10, 1);
    p.price_style = TF_ALGO_PX_TOUCH;
    tf_algo_init(&a, &p, &ins, NULL);
    run(&a, &v, &m, T0, T0 + S / 2, S / 10);
    assert_int_equal(v.n, 1);
    tf_algo_pause(&a);
    m.now_ns = T0 + S / 2 + 1;
    step(&a, &v, &m);
    assert_int_equal(v.cancels, 1);
    run(&a, &v, &m, T0 + S, T0 + 5 * S, S / 10); /* paused: nothing goes out */
    assert_int_equal(v.n, 1);
    tf_algo_resume(&a);
    v.policy = FILL_ALL;
    m.now_ns = T0 + 5 * S + 1;
    step(&a, &v, &m);
    assert_int_equal(v.sent_qty[v.n - 1], 600); /* six slices due by now, in one child */
}

static void test_amending_the_limit_or_end(void **state)
{
    (void)state;
    tf_algo a;
    venue v = {.policy = FILL_NONE};
    tf_algo_market m = {.bid = 999, .ask = 1001};
    tf_algo_params p = twap(1000, 10, 1);
    p.price_style = TF_ALGO_PX_TOUCH;
    p.side = 1;
    tf_algo_init(&a, &p, &ins, NULL);
    run(&a, &v, &m, T0, T0 + S / 2, S / 10);
    assert_int_equal(v.sent_px[0], 1001);
    char why[128];
    /* A sell's limit raised above the child's price: the child is replaced. */
    assert_int_equal(tf_algo_amend(&a, 0, 1003, 0, why, sizeof why), 0);
    m.now_ns = T0 + S / 2 + 2;
    step(&a, &v, &m);
    assert_int_equal(v.cancels, 1);
    step(&a, &v, &m);
    assert_int_equal(v.sent_px[v.n - 1], 1003);
    /* Ending sooner: the remaining slices squeeze in. */
    assert_int_equal(tf_algo_amend(&a, 0, 0, T0 + 4 * S, why, sizeof why), 0);
    assert_int_equal(a.slices, 4);
    assert_int_equal(tf_algo_amend(&a, 0, 0, T0 - S, why, sizeof why), -1);
    assert_int_equal(tf_algo_amend(&a, 15, 0, 0, why, sizeof why), -1); /* not whole lots */
}

static void test_no_dust_is_left_behind(void **state)
{
    (void)state;
    /* The venue's smallest order is 30 here: a child that would leave 20
     * takes them too. */
    tf_algo_instrument big = {.lot_size = 10, .tick_size = 1, .min_qty = 30};
    tf_algo a;
    venue v = {0};
    tf_algo_market m = {.bid = 999, .ask = 1001};
    tf_algo_params p = twap(320, 3, 1); /* slices of 100, 100, 120 */
    tf_algo_init(&a, &p, &big, NULL);
    run(&a, &v, &m, T0, T0 + 3 * S, S / 10);
    assert_int_equal(a.state, TF_ALGO_DONE);
    for (uint32_t i = 0; i < v.n; i++)
        assert_true(v.sent_qty[i] >= 30);
    tf_algo_params ice = {.kind = TF_ALGO_ICEBERG, .qty = 120, .limit_price = 1000, .start_ns = T0, .min_child = 50,
                          .max_child = 50, .seed = 1};
    venue w = {.policy = FILL_ALL};
    tf_algo_init(&a, &ice, &big, NULL);
    run(&a, &w, &m, T0, T0 + S, S / 10);
    assert_int_equal(a.state, TF_ALGO_DONE);
    assert_int_equal(w.n, 2); /* 50, then 70 rather than 50 and a dust of 20 */
    assert_int_equal(w.sent_qty[1], 70);
}

static void test_bad_parameters_are_refused_with_a_reason(void **state)
{
    (void)state;
    char why[128];
    tf_algo_params p = twap(1000, 10, 1);
    p.qty = 15;
    assert_int_equal(tf_algo_check(&p, &ins, T0, why, sizeof why), -1);
    assert_non_null(strstr(why, "lots"));
    p = twap(1000, 10, 1);
    p.end_ns = T0;
    assert_int_equal(tf_algo_check(&p, &ins, T0 - S, why, sizeof why), -1);
    assert_non_null(strstr(why, "horizon"));
    p = twap(1000, 10, 1);
    p.slice_ns = 20 * S;
    assert_int_equal(tf_algo_check(&p, &ins, T0 - S, why, sizeof why), -1);
    assert_non_null(strstr(why, "slice"));
    p = twap(1000, 10, 1);
    p.size_jitter_pct = 60;
    assert_int_equal(tf_algo_check(&p, &ins, T0 - S, why, sizeof why), -1);
    assert_non_null(strstr(why, "jitter"));
    p = twap(1000, 10, 1);
    p.kind = 9;
    assert_int_equal(tf_algo_check(&p, &ins, T0 - S, why, sizeof why), -1);
    assert_non_null(strstr(why, "unknown algorithm"));
    tf_algo_params pov = {.kind = TF_ALGO_POV, .qty = 100, .start_ns = T0, .participation_bps = 0,
                          .min_child = 10, .max_child = 20};
    assert_int_equal(tf_algo_check(&pov, &ins, T0, why, sizeof why), -1);
    assert_non_null(strstr(why, "participation"));
    pov.participation_bps = 100;
    pov.max_child = 5;
    assert_int_equal(tf_algo_check(&pov, &ins, T0, why, sizeof why), -1);
    assert_non_null(strstr(why, "min_child"));
    tf_algo_params ice = {.kind = TF_ALGO_ICEBERG, .qty = 100, .start_ns = T0, .min_child = 10, .max_child = 10};
    assert_int_equal(tf_algo_check(&ice, &ins, T0, why, sizeof why), -1);
    assert_non_null(strstr(why, "limit_price"));
    ice.limit_price = 1000;
    assert_int_equal(tf_algo_check(&ice, &ins, T0, why, sizeof why), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_twap_slices_evenly_and_carries_the_remainder),
        cmocka_unit_test(test_twap_randomisation_stays_in_bounds_and_is_seeded),
        cmocka_unit_test(test_twap_catches_up_after_unfilled_children),
        cmocka_unit_test(test_end_policies_sweep_or_stop),
        cmocka_unit_test(test_sweep_with_a_guard_is_an_ioc_at_the_limit_and_then_stops),
        cmocka_unit_test(test_pov_follows_the_market_between_min_and_max),
        cmocka_unit_test(test_vwap_follows_the_profile_and_caps_participation),
        cmocka_unit_test(test_vwap_profile_from_a_day_by_minute),
        cmocka_unit_test(test_iceberg_refreshes_only_when_done_and_withdraws),
        cmocka_unit_test(test_native_iceberg_one_child_the_venue_refreshes),
        cmocka_unit_test(test_no_over_fill_when_fills_race_cancels_and_amends),
        cmocka_unit_test(test_pause_cancels_the_child_and_resume_catches_up),
        cmocka_unit_test(test_amending_the_limit_or_end),
        cmocka_unit_test(test_no_dust_is_left_behind),
        cmocka_unit_test(test_bad_parameters_are_refused_with_a_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

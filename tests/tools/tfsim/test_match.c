/* The tfsim matching engine: price then time priority, partial fills and
 * walking levels, IOC/FOK/market remainders, post-only, cancel and
 * cancel-replace priority rules, self-trade prevention (and its NONE mode),
 * orders restored with a filled quantity, tick/lot checks,
 * capacity limits, the market agent's level control, and a seeded
 * randomized run checking the book's invariants after every operation.
 *
 * Every event goes through on_event(), which keeps a shadow book from LEVEL
 * events and a record per order (keyed by the client tag) from ACCEPTED,
 * FILL, REPLACED, CANCELED and EXPIRED, asserting as it goes (trade ids
 * consecutive, order ids increasing, cum = sum of fills, leaves = qty - cum,
 * no fill between two orders of the same participant). check_book() after
 * each operation compares the shadow book with the engine's levels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tools/tfsim/exchange/match.h"

#define TICK 100LL
#define LOT 1000LL
#define PX0 (10000 * TICK)
#define GRID 256
#define P(k) (PX0 + (int64_t)(k) * TICK)
#define Q(n) ((int64_t)(n) * LOT)
#define LOGCAP (1u << 14)
#define RECCAP (1u << 18)
#define BUY MATCH_BUY
#define SELL MATCH_SELL

typedef struct rec {
    uint64_t id;
    uint32_t owner;
    int64_t qty, cum;
    bool used, open, post_only;
    int side;
} rec;

static struct {
    match_book *b;
    int64_t shadow[2][GRID];
    match_event ev[LOGCAP];
    uint32_t nev, rd;
    uint64_t last_trade, last_id, next_tag;
    rec *recs;
    int64_t maker_sum, taker_sum, traded, agent_filled;
    uint64_t fill_taker;
    int64_t fill_px;
    uint64_t n_ev[MATCH_EV_LEVEL + 1], n_rej[32];
    bool reenter;
    int reenter_rc;
    uint64_t reenter_id;
} T;

/* ---- the event sink ------------------------------------------------------ */

static int grid(int64_t px)
{
    assert_int_equal((px - PX0) % TICK, 0);
    int64_t k = (px - PX0) / TICK;
    assert_true(k >= 0 && k < GRID);
    return (int)k;
}

static rec *rec_of(uint64_t tag) { return tag && tag < RECCAP ? &T.recs[tag] : NULL; }

static void check_info(const match_order_info *o)
{
    assert_true(o->filled >= 0 && o->filled <= o->qty);
    assert_int_equal(o->leaves, o->qty - o->filled);
}

/* A fill moves one side's cum from what the record says to what the event says. */
static int64_t fill_side(const match_order_info *o, int64_t qty)
{
    check_info(o);
    rec *r = rec_of(o->tag);
    if (!r) { /* the agent's own orders (tag 0) are not recorded */
        T.agent_filled += qty;
        return qty;
    }
    assert_true(r->open);
    assert_int_equal(r->id, o->id);
    int64_t d = o->filled - r->cum;
    assert_int_equal(d, qty);
    r->cum = o->filled;
    r->qty = o->qty;
    if (o->leaves == 0)
        r->open = false;
    return d;
}

static void on_event(void *ctx, const match_event *e)
{
    (void)ctx;
    if (T.nev < LOGCAP)
        T.ev[T.nev++] = *e;
    assert_true(e->kind >= MATCH_EV_ACCEPTED && e->kind <= MATCH_EV_LEVEL);
    T.n_ev[e->kind]++;
    rec *r = rec_of(e->order.tag);
    switch (e->kind) {
    case MATCH_EV_LEVEL:
        assert_true(e->side <= SELL && e->qty >= 0);
        T.shadow[e->side][grid(e->price)] = e->qty;
        break;
    case MATCH_EV_ACCEPTED:
        assert_true(e->order.id > T.last_id);
        T.last_id = e->order.id;
        check_info(&e->order); /* filled: 0, or what a restored order had (match_new.filled) */
        if (r)
            *r = (rec){.id = e->order.id, .owner = e->order.owner, .qty = e->order.qty, .cum = e->order.filled,
                       .used = true, .open = true, .post_only = e->order.post_only, .side = e->order.side};
        break;
    case MATCH_EV_REJECTED:
        assert_true(e->reason < 32);
        T.n_rej[e->reason]++;
        break;
    case MATCH_EV_FILL: {
        assert_int_equal(e->trade_id, T.last_trade + 1);
        T.last_trade = e->trade_id;
        assert_true(e->qty > 0);
        grid(e->price);
        assert_int_equal(e->maker.price, e->price);
        assert_int_not_equal(e->maker.side, e->order.side);
        assert_int_equal(e->side, e->order.side);
        if (e->order.owner != MATCH_AGENT && e->order.owner == e->maker.owner && e->order.stp != MATCH_STP_NONE)
            fail_msg("self-trade of owner %u", e->order.owner);
        if (e->order.type == MATCH_LIMIT)
            assert_true(e->side == BUY ? e->price <= e->order.price : e->price >= e->order.price);
        if (T.fill_taker == e->order.id) /* one taker walks away from the touch */
            assert_true(e->side == BUY ? e->price >= T.fill_px : e->price <= T.fill_px);
        T.fill_taker = e->order.id;
        T.fill_px = e->price;
        /* Price priority: nothing better than the maker is left on its side. */
        int64_t best;
        if (match_best(T.b, e->maker.side, &best, NULL))
            assert_true(e->maker.side == SELL ? best >= e->price : best <= e->price);
        T.maker_sum += fill_side(&e->maker, e->qty);
        T.taker_sum += fill_side(&e->order, e->qty);
        T.traded += e->qty;
        break;
    }
    case MATCH_EV_REPLACED:
        check_info(&e->order);
        if (r && r->used && r->id == e->order.id) {
            assert_true(r->open);
            assert_int_equal(r->cum, e->order.filled);
            r->qty = e->order.qty;
        } else if (r) /* a new tag */
            *r = (rec){.id = e->order.id, .owner = e->order.owner, .qty = e->order.qty, .cum = e->order.filled,
                       .used = true, .open = true, .post_only = e->order.post_only, .side = e->order.side};
        break;
    case MATCH_EV_CANCELED:
    case MATCH_EV_EXPIRED:
        assert_int_equal(e->order.leaves, 0);
        assert_int_equal(e->qty, e->order.qty - e->order.filled);
        assert_true(e->qty > 0);
        if (r) {
            assert_true(r->open);
            assert_int_equal(r->id, e->order.id);
            assert_int_equal(r->cum, e->order.filled);
            r->open = false;
        }
        break;
    default:
        break;
    }
    if (T.reenter) {
        T.reenter_rc = match_cancel(T.b, 1, T.last_id);
        match_new n = {.owner = 1, .side = BUY, .price = P(1), .qty = Q(1)};
        T.reenter_id = match_submit(T.b, &n);
    }
}

/* ---- checks -------------------------------------------------------------- */

/* The shadow book equals the book; the book is not crossed. */
static void check_book(void)
{
    static match_level_info lv[GRID + 1];
    for (int s = 0; s < 2; s++) {
        uint32_t n = match_levels(T.b, s, lv, GRID + 1), nonzero = 0;
        for (uint32_t i = 0; i < n; i++) {
            int k = grid(lv[i].price);
            if (T.shadow[s][k] != lv[i].qty)
                fail_msg("side %d price %lld: shadow %lld, book %lld", s, (long long)lv[i].price,
                         (long long)T.shadow[s][k], (long long)lv[i].qty);
            assert_true(lv[i].qty > 0 && lv[i].orders > 0);
            if (i)
                assert_true(s == BUY ? lv[i].price < lv[i - 1].price : lv[i].price > lv[i - 1].price);
        }
        for (int k = 0; k < GRID; k++)
            nonzero += T.shadow[s][k] != 0;
        assert_int_equal(nonzero, n);
        int64_t px, qty;
        assert_int_equal(match_best(T.b, s, &px, &qty), n > 0);
        if (n) {
            assert_int_equal(px, lv[0].price);
            assert_int_equal(qty, lv[0].qty);
        }
    }
    int64_t bid, ask;
    if (match_best(T.b, BUY, &bid, NULL) && match_best(T.b, SELL, &ask, NULL))
        assert_true(bid < ask);
}

static int64_t agg[2][GRID];
static uint32_t seen;

static void collect(void *ctx, const match_order_info *o)
{
    uint32_t owner = *(const uint32_t *)ctx;
    assert_int_equal(o->owner, owner);
    check_info(o);
    assert_true(o->leaves > 0);
    assert_int_equal(o->type, MATCH_LIMIT);
    assert_int_equal(o->tif, MATCH_GTC);
    assert_true(o->shown > 0 && o->shown <= o->leaves);
    if (!o->display)
        assert_int_equal(o->shown, o->leaves);
    else
        assert_true(o->shown <= o->display);
    agg[o->side][grid(o->price)] += o->shown; /* a level counts what its orders show */
    seen++;
    match_order_info g;
    assert_true(match_order_get(T.b, o->id, &g));
    assert_int_equal(g.filled, o->filled);
    const rec *r = rec_of(o->tag);
    if (r) {
        assert_true(r->open);
        assert_int_equal(r->id, o->id);
        assert_int_equal(r->cum, o->filled);
        assert_int_equal(r->qty, o->qty);
    }
}

/* Every open order of owners [0, nowners): the sum of what they show per
 * level is the level, each agrees with its record; nobody else has orders. */
static void check_orders(uint32_t nowners)
{
    memset(agg, 0, sizeof agg);
    seen = 0;
    for (uint32_t w = 0; w < nowners; w++)
        match_owner_each(T.b, w, collect, &w);
    assert_int_equal(seen, match_open_orders(T.b));
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < GRID; k++)
            if (agg[s][k] != T.shadow[s][k])
                fail_msg("side %d k %d: orders sum %lld, level %lld", s, k, (long long)agg[s][k],
                         (long long)T.shadow[s][k]);
}

/* ---- helpers ------------------------------------------------------------- */

static match_book *make(uint32_t orders, uint32_t levels, uint32_t owners)
{
    match_config c = {.tick = TICK, .lot = LOT, .capacity_orders = orders, .capacity_levels = levels,
                      .capacity_owners = owners, .on_event = on_event};
    return match_create(&c);
}

/* A book of other capacities (ids and trade ids start again). */
static void remake(uint32_t orders, uint32_t levels, uint32_t owners)
{
    match_delete(T.b);
    T.b = make(orders, levels, owners);
    assert_non_null(T.b);
    memset(T.shadow, 0, sizeof T.shadow);
    T.last_id = T.last_trade = T.fill_taker = 0;
}

static int setup(void **state)
{
    (void)state;
    rec *recs = T.recs;
    memset(&T, 0, sizeof T);
    T.recs = recs ? recs : malloc(RECCAP * sizeof *T.recs);
    if (!T.recs)
        return -1;
    memset(T.recs, 0, RECCAP * sizeof *T.recs);
    T.next_tag = 1;
    T.b = make(64, 32, 16);
    return T.b ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    match_delete(T.b);
    T.b = NULL;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    free(T.recs);
    T.recs = NULL;
    return 0;
}

static void begin(void) { T.nev = T.rd = 0; }

static uint64_t submit_shown(uint32_t owner, int side, int type, int tif, int stp, bool post_only, int64_t px,
                             int64_t qty, int64_t display)
{
    begin();
    match_new n = {.owner = owner, .tag = T.next_tag++, .side = (uint8_t)side, .type = (uint8_t)type,
                   .tif = (uint8_t)tif, .stp = (uint8_t)stp, .post_only = post_only, .price = px, .qty = qty,
                   .display = display};
    uint64_t id = match_submit(T.b, &n);
    check_book();
    return id;
}

static uint64_t submit_full(uint32_t owner, int side, int type, int tif, int stp, bool post_only, int64_t px,
                            int64_t qty)
{
    return submit_shown(owner, side, type, tif, stp, post_only, px, qty, 0);
}

/* An iceberg: n lots showing d at a time. */
static uint64_t ice(uint32_t owner, int side, int k, int n, int d)
{
    return submit_shown(owner, side, MATCH_LIMIT, MATCH_GTC, MATCH_STP_EXPIRE_TAKER, false, P(k), Q(n), Q(d));
}

static uint64_t gtc(uint32_t owner, int side, int k, int n)
{
    return submit_full(owner, side, MATCH_LIMIT, MATCH_GTC, MATCH_STP_EXPIRE_TAKER, false, P(k), Q(n));
}

static uint64_t lim(uint32_t owner, int side, int tif, int k, int n)
{
    return submit_full(owner, side, MATCH_LIMIT, tif, MATCH_STP_EXPIRE_TAKER, false, P(k), Q(n));
}

static uint64_t mkt(uint32_t owner, int side, int n)
{
    return submit_full(owner, side, MATCH_MARKET, MATCH_IOC, MATCH_STP_EXPIRE_TAKER, false, 0, Q(n));
}

static uint64_t stp(uint32_t owner, int side, int mode, int k, int n)
{
    return submit_full(owner, side, MATCH_LIMIT, MATCH_GTC, mode, false, P(k), Q(n));
}

static int cxl(uint32_t owner, uint64_t id)
{
    begin();
    int rc = match_cancel(T.b, owner, id);
    check_book();
    return rc;
}

static int rep(uint32_t owner, uint64_t id, int k, int n)
{
    begin();
    match_order_info o;
    uint64_t tag = match_order_get(T.b, id, &o) ? o.tag : 0;
    int rc = match_replace(T.b, owner, id, P(k), Q(n), tag);
    check_book();
    return rc;
}

static const match_event *next(int kind)
{
    if (T.rd >= T.nev)
        fail_msg("no event %u (want kind %d)", T.rd, kind);
    const match_event *e = &T.ev[T.rd++];
    if (e->kind != kind)
        fail_msg("event %u: kind %d, want %d", T.rd - 1, e->kind, kind);
    return e;
}

static void expect_accepted(uint64_t id) { assert_int_equal(next(MATCH_EV_ACCEPTED)->order.id, id); }

static void expect_rejected(int reason)
{
    const match_event *e = next(MATCH_EV_REJECTED);
    assert_int_equal(e->reason, reason);
}

/* A fill: maker and taker ids, price k, qty n, and each side's cum after it. */
static void expect_fill(uint64_t maker, uint64_t taker, int k, int n, int maker_cum, int taker_cum)
{
    const match_event *e = next(MATCH_EV_FILL);
    assert_int_equal(e->maker.id, maker);
    assert_int_equal(e->order.id, taker);
    assert_int_equal(e->price, P(k));
    assert_int_equal(e->qty, Q(n));
    assert_int_equal(e->maker.filled, Q(maker_cum));
    assert_int_equal(e->order.filled, Q(taker_cum));
}

static void expect_level(int side, int k, int n)
{
    const match_event *e = next(MATCH_EV_LEVEL);
    assert_int_equal(e->side, side);
    assert_int_equal(e->price, P(k));
    assert_int_equal(e->qty, Q(n));
}

static void expect_end(int kind, uint64_t id, int reason, int n)
{
    const match_event *e = next(kind);
    assert_int_equal(e->order.id, id);
    assert_int_equal(e->reason, reason);
    assert_int_equal(e->qty, Q(n));
}

static void expect_done(void) { assert_int_equal(T.rd, T.nev); }

static int64_t open_filled(uint64_t id)
{
    match_order_info o;
    assert_true(match_order_get(T.b, id, &o));
    return o.filled;
}


/* ---- priority and fills -------------------------------------------------- */

static void test_price_then_time_priority(void **state)
{
    (void)state;
    uint64_t a = gtc(1, SELL, 11, 10);
    expect_accepted(a);
    expect_level(SELL, 11, 10);
    expect_done();
    uint64_t b = gtc(2, SELL, 10, 10);
    uint64_t c = gtc(3, SELL, 10, 10);
    uint64_t d = gtc(2, SELL, 12, 10);
    assert_true(a < b && b < c && c < d); /* ids increase */
    uint64_t t = gtc(4, BUY, 12, 35);
    expect_accepted(t);
    expect_fill(b, t, 10, 10, 10, 10); /* the better price first, */
    expect_level(SELL, 10, 10);
    expect_fill(c, t, 10, 10, 10, 20); /* then the next in time at it */
    expect_level(SELL, 10, 0);
    expect_fill(a, t, 11, 10, 10, 30);
    expect_level(SELL, 11, 0);
    const match_event *f = next(MATCH_EV_FILL);
    assert_int_equal(f->maker.id, d);
    assert_int_equal(f->qty, Q(5));
    assert_int_equal(f->maker.leaves, Q(5));
    assert_int_equal(f->order.leaves, 0);
    assert_int_equal(f->order.filled, Q(35));
    expect_level(SELL, 12, 5);
    expect_done();
    assert_false(match_order_get(T.b, a, NULL));
    assert_false(match_order_get(T.b, t, NULL));
    assert_int_equal(open_filled(d), Q(5));
    assert_int_equal(match_last_trade_id(T.b), 4);
}

static void test_partial_fills(void **state)
{
    (void)state;
    uint64_t m = gtc(1, SELL, 10, 10);
    uint64_t t1 = lim(2, BUY, MATCH_IOC, 10, 4);
    expect_accepted(t1);
    const match_event *f = next(MATCH_EV_FILL);
    assert_int_equal(f->maker.id, m);
    assert_int_equal(f->maker.filled, Q(4));
    assert_int_equal(f->maker.leaves, Q(6));
    assert_int_equal(f->order.filled, Q(4));
    assert_int_equal(f->order.leaves, 0);
    assert_int_equal(f->maker.owner, 1);
    assert_int_equal(f->order.owner, 2);
    expect_level(SELL, 10, 6);
    expect_done();
    uint64_t t2 = gtc(3, BUY, 10, 10);
    expect_accepted(t2);
    f = next(MATCH_EV_FILL);
    assert_int_equal(f->qty, Q(6));
    assert_int_equal(f->maker.filled, Q(10));
    assert_int_equal(f->maker.leaves, 0);
    assert_int_equal(f->order.filled, Q(6));
    assert_int_equal(f->order.leaves, Q(4));
    expect_level(SELL, 10, 0);
    expect_level(BUY, 10, 4); /* the remainder rests */
    expect_done();
    assert_int_equal(open_filled(t2), Q(6));
    assert_false(match_order_get(T.b, m, NULL));
}

static void test_market_orders(void **state)
{
    (void)state;
    uint64_t id = mkt(1, BUY, 5); /* an empty book: all of it expires */
    assert_int_not_equal(id, 0);
    expect_accepted(id);
    expect_end(MATCH_EV_EXPIRED, id, MATCH_R_MARKET, 5);
    expect_done();
    uint64_t a = gtc(2, SELL, 10, 3), b = gtc(2, SELL, 12, 4);
    id = mkt(1, BUY, 10); /* a thin book: walks it, the rest expires */
    expect_accepted(id);
    expect_fill(a, id, 10, 3, 3, 3);
    expect_level(SELL, 10, 0);
    expect_fill(b, id, 12, 4, 4, 7);
    expect_level(SELL, 12, 0);
    expect_end(MATCH_EV_EXPIRED, id, MATCH_R_MARKET, 3);
    expect_done();
    assert_false(match_best(T.b, SELL, NULL, NULL));
    a = gtc(2, BUY, 8, 5);
    b = gtc(3, BUY, 9, 5);
    id = mkt(1, SELL, 7); /* fills entirely: no expiry */
    expect_accepted(id);
    expect_fill(b, id, 9, 5, 5, 5);
    expect_level(BUY, 9, 0);
    expect_fill(a, id, 8, 2, 2, 7);
    expect_level(BUY, 8, 3);
    expect_done();
    /* A market order's price is ignored. */
    id = submit_full(1, SELL, MATCH_MARKET, MATCH_GTC, 0, false, 12345, Q(1));
    expect_accepted(id);
    assert_int_equal(T.ev[0].order.price, 0);
    assert_int_equal(T.ev[0].order.tif, MATCH_IOC);
    expect_fill(a, id, 8, 1, 3, 1);
}

static void test_ioc_remainder_expires(void **state)
{
    (void)state;
    uint64_t m = gtc(1, BUY, 10, 5);
    uint64_t t = lim(2, SELL, MATCH_IOC, 10, 8);
    expect_accepted(t);
    expect_fill(m, t, 10, 5, 5, 5);
    expect_level(BUY, 10, 0);
    const match_event *e = next(MATCH_EV_EXPIRED);
    assert_int_equal(e->reason, MATCH_R_IOC);
    assert_int_equal(e->qty, Q(3));
    assert_int_equal(e->order.filled, Q(5));
    expect_done();
    t = lim(2, SELL, MATCH_IOC, 12, 8); /* nothing to take: all expires, nothing rests */
    expect_accepted(t);
    expect_end(MATCH_EV_EXPIRED, t, MATCH_R_IOC, 8);
    expect_done();
    assert_int_equal(match_open_orders(T.b), 0);
}

static void test_fok_all_or_nothing(void **state)
{
    (void)state;
    uint64_t a = gtc(1, SELL, 10, 5), b = gtc(2, SELL, 11, 5);
    match_level_info before[4], after[4];
    memset(before, 0, sizeof before); /* padding */
    memset(after, 0, sizeof after);
    uint32_t n = match_levels(T.b, SELL, before, 4);
    uint64_t t = lim(3, BUY, MATCH_FOK, 11, 11); /* 10 available: nothing happens */
    expect_accepted(t);
    expect_end(MATCH_EV_EXPIRED, t, MATCH_R_FOK, 11);
    expect_done();
    t = lim(3, BUY, MATCH_FOK, 10, 6); /* its limit sees only 5 */
    expect_accepted(t);
    expect_end(MATCH_EV_EXPIRED, t, MATCH_R_FOK, 6);
    expect_done();
    assert_int_equal(match_levels(T.b, SELL, after, 4), n);
    assert_memory_equal(before, after, n * sizeof *before);
    assert_int_equal(open_filled(a), 0);
    assert_int_equal(open_filled(b), 0);
    assert_int_equal(match_last_trade_id(T.b), 0);
    t = lim(3, BUY, MATCH_FOK, 11, 10); /* exactly enough */
    expect_accepted(t);
    expect_fill(a, t, 10, 5, 5, 5);
    expect_level(SELL, 10, 0);
    expect_fill(b, t, 11, 5, 5, 10);
    expect_level(SELL, 11, 0);
    expect_done();
    /* Its own order first in line: STP would stop it, so it cannot fill. */
    uint64_t c = gtc(3, SELL, 12, 5), d = gtc(1, SELL, 12, 5);
    t = lim(3, BUY, MATCH_FOK, 12, 5);
    expect_accepted(t);
    expect_end(MATCH_EV_EXPIRED, t, MATCH_R_FOK, 5);
    expect_done();
    assert_int_equal(open_filled(c), 0);
    /* With EXPIRE_MAKER its own order does not count but goes. */
    t = submit_full(3, BUY, MATCH_LIMIT, MATCH_FOK, MATCH_STP_EXPIRE_MAKER, false, P(12), Q(5));
    expect_accepted(t);
    expect_end(MATCH_EV_CANCELED, c, MATCH_R_STP, 5);
    expect_level(SELL, 12, 5);
    expect_fill(d, t, 12, 5, 5, 5);
    expect_level(SELL, 12, 0);
    expect_done();
    /* A market FOK. */
    gtc(1, SELL, 13, 2);
    t = submit_full(2, BUY, MATCH_MARKET, MATCH_FOK, 0, false, 0, Q(3));
    expect_accepted(t);
    expect_end(MATCH_EV_EXPIRED, t, MATCH_R_FOK, 3);
    expect_done();
    t = submit_full(2, BUY, MATCH_MARKET, MATCH_FOK, 0, false, 0, Q(2));
    expect_accepted(t);
    next(MATCH_EV_FILL);
    expect_level(SELL, 13, 0);
    expect_done();
}

static void test_post_only(void **state)
{
    (void)state;
    gtc(1, SELL, 10, 5);
    uint64_t id = submit_full(2, BUY, MATCH_LIMIT, MATCH_GTC, 0, true, P(10), Q(1));
    assert_int_equal(id, 0);
    const match_event *e = next(MATCH_EV_REJECTED);
    assert_int_equal(e->reason, MATCH_R_WOULD_TAKE);
    assert_int_equal(e->op, MATCH_OP_NEW);
    assert_int_equal(e->order.id, 0);
    assert_int_equal(e->order.owner, 2);
    expect_done();
    id = submit_full(2, BUY, MATCH_LIMIT, MATCH_GTC, 0, true, P(9), Q(1));
    expect_accepted(id);
    expect_level(BUY, 9, 1);
    expect_done();
    assert_true(T.ev[0].order.post_only);
    assert_int_equal(rep(2, id, 10, 1), MATCH_R_WOULD_TAKE); /* it stays post-only */
    expect_rejected(MATCH_R_WOULD_TAKE);
    expect_done();
    assert_int_equal(rep(2, id, 8, 1), MATCH_OK);
    assert_int_equal(submit_full(2, BUY, MATCH_MARKET, MATCH_IOC, 0, true, 0, Q(1)), 0);
    expect_rejected(MATCH_R_BAD_PARAM);
    /* Nothing opposite: it rests. */
    id = submit_full(2, SELL, MATCH_LIMIT, MATCH_GTC, 0, true, P(20), Q(1));
    assert_int_not_equal(id, 0);
}

/* ---- cancel and replace -------------------------------------------------- */

static void test_cancel(void **state)
{
    (void)state;
    uint64_t a = gtc(1, BUY, 10, 5);
    assert_int_equal(cxl(2, a), MATCH_R_NOT_OWNER);
    const match_event *e = next(MATCH_EV_REJECTED);
    assert_int_equal(e->op, MATCH_OP_CANCEL);
    assert_int_equal(e->order.id, a);
    expect_done();
    assert_int_equal(open_filled(a), 0);
    assert_int_equal(cxl(1, 1ull << 60), MATCH_R_UNKNOWN_ORDER);
    assert_int_equal(cxl(1, 0), MATCH_R_UNKNOWN_ORDER);
    assert_int_equal(cxl(1, a), MATCH_OK);
    expect_end(MATCH_EV_CANCELED, a, MATCH_R_REQUESTED, 5);
    expect_level(BUY, 10, 0);
    expect_done();
    assert_int_equal(cxl(1, a), MATCH_R_TOO_LATE);
    expect_rejected(MATCH_R_TOO_LATE);
    uint64_t b = gtc(1, BUY, 10, 5);
    gtc(2, SELL, 10, 5);
    assert_int_equal(cxl(1, b), MATCH_R_TOO_LATE); /* filled */
    uint64_t c = gtc(1, BUY, 10, 5);
    lim(2, SELL, MATCH_IOC, 10, 2);
    assert_int_equal(cxl(1, c), MATCH_OK); /* partially filled: the rest goes */
    e = next(MATCH_EV_CANCELED);
    assert_int_equal(e->qty, Q(3));
    assert_int_equal(e->order.filled, Q(2));
    assert_int_equal(e->order.leaves, 0);
    assert_int_equal(match_open_orders(T.b), 0);
}

static void test_replace_qty_down_keeps_priority(void **state)
{
    (void)state;
    uint64_t a = gtc(1, SELL, 10, 5), b = gtc(2, SELL, 10, 5);
    assert_int_equal(rep(1, a, 10, 3), MATCH_OK);
    const match_event *e = next(MATCH_EV_REPLACED);
    assert_int_equal(e->order.id, a);
    assert_int_equal(e->order.qty, Q(3));
    assert_int_equal(e->order.leaves, Q(3));
    assert_int_equal(e->qty, Q(5)); /* the previous qty */
    assert_int_equal(e->price, P(10));
    expect_level(SELL, 10, 8);
    expect_done();
    uint64_t t = lim(3, BUY, MATCH_IOC, 10, 1);
    expect_accepted(t);
    expect_fill(a, t, 10, 1, 1, 1);
    (void)b;
}

static void test_replace_qty_up_loses_priority(void **state)
{
    (void)state;
    uint64_t a = gtc(1, SELL, 10, 5), b = gtc(2, SELL, 10, 5);
    assert_int_equal(rep(1, a, 10, 6), MATCH_OK);
    next(MATCH_EV_REPLACED);
    expect_level(SELL, 10, 11);
    expect_done();
    uint64_t t = lim(3, BUY, MATCH_IOC, 10, 6);
    expect_accepted(t);
    expect_fill(b, t, 10, 5, 5, 5);
    expect_level(SELL, 10, 6);
    expect_fill(a, t, 10, 1, 1, 6);
    assert_int_equal(open_filled(a), Q(1));
    /* Alone at the back already: more qty is no move. */
    assert_int_equal(rep(1, a, 10, 8), MATCH_OK);
    next(MATCH_EV_REPLACED);
    expect_level(SELL, 10, 7);
    expect_done();
}

static void test_replace_price_loses_priority(void **state)
{
    (void)state;
    uint64_t c = gtc(1, BUY, 5, 5), d = gtc(2, BUY, 5, 5);
    assert_int_equal(rep(1, c, 4, 5), MATCH_OK);
    next(MATCH_EV_REPLACED);
    expect_level(BUY, 5, 5);
    expect_level(BUY, 4, 5);
    expect_done();
    assert_int_equal(rep(1, c, 5, 5), MATCH_OK);
    const match_event *e = next(MATCH_EV_REPLACED);
    assert_int_equal(e->order.id, c); /* the same id */
    assert_int_equal(e->order.price, P(5));
    assert_int_equal(e->price, P(4));
    expect_level(BUY, 4, 0);
    expect_level(BUY, 5, 10);
    expect_done();
    uint64_t t = lim(3, SELL, MATCH_IOC, 5, 6);
    expect_accepted(t);
    expect_fill(d, t, 5, 5, 5, 5);
    expect_level(BUY, 5, 5);
    expect_fill(c, t, 5, 1, 1, 6);
}

static void test_replace_to_crossing_price_matches(void **state)
{
    (void)state;
    uint64_t m = gtc(1, SELL, 10, 3), o = gtc(2, BUY, 8, 5);
    assert_int_equal(rep(2, o, 10, 5), MATCH_OK);
    const match_event *e = next(MATCH_EV_REPLACED);
    assert_int_equal(e->order.id, o);
    assert_int_equal(e->order.price, P(10));
    expect_level(BUY, 8, 0);
    expect_fill(m, o, 10, 3, 3, 3);
    expect_level(SELL, 10, 0);
    expect_level(BUY, 10, 2);
    expect_done();
    assert_int_equal(open_filled(o), Q(3));
    /* A new total at or below what is filled is refused; above it is fine. */
    assert_int_equal(rep(2, o, 10, 3), MATCH_R_BAD_QTY);
    e = next(MATCH_EV_REJECTED);
    assert_int_equal(e->op, MATCH_OP_REPLACE);
    assert_int_equal(e->order.filled, Q(3)); /* the owner sees the order's state */
    expect_done();
    assert_int_equal(rep(2, o, 10, 2), MATCH_R_BAD_QTY);
    assert_int_equal(rep(3, o, 10, 4), MATCH_R_NOT_OWNER);
    assert_int_equal(rep(2, 1ull << 60, 10, 4), MATCH_R_UNKNOWN_ORDER);
    assert_int_equal(rep(2, m, 10, 4), MATCH_R_TOO_LATE);
    begin();
    assert_int_equal(match_replace(T.b, 2, o, P(10) + 1, Q(4), 0), MATCH_R_BAD_PRICE);
    assert_int_equal(match_replace(T.b, 2, o, P(10), Q(4) + 1, 0), MATCH_R_BAD_QTY);
    assert_int_equal(match_replace(T.b, 2, o, P(10), Q(4), 777), MATCH_OK); /* leaves 1, a new tag */
    e = &T.ev[T.nev - 2];
    assert_int_equal(e->kind, MATCH_EV_REPLACED);
    assert_int_equal(e->order.tag, 777);
    assert_int_equal(e->order.leaves, Q(1));
    check_book();
    match_order_info info;
    assert_true(match_order_get(T.b, o, &info));
    assert_int_equal(info.tag, 777);
    assert_int_equal(info.qty, Q(4));
}

static void test_amend_down(void **state)
{
    (void)state;
    uint64_t a = gtc(1, SELL, 10, 5);
    gtc(2, SELL, 10, 5);
    begin();
    assert_int_equal(match_amend_down(T.b, 1, a, Q(2)), MATCH_OK);
    const match_event *e = next(MATCH_EV_REPLACED);
    assert_int_equal(e->order.qty, Q(2));
    expect_level(SELL, 10, 7);
    expect_done();
    check_book();
    uint64_t t = lim(3, BUY, MATCH_IOC, 10, 1);
    expect_accepted(t);
    expect_fill(a, t, 10, 1, 1, 1); /* still first */
    assert_int_equal(match_amend_down(T.b, 1, a, Q(3)), MATCH_R_BAD_QTY); /* not down */
    assert_int_equal(match_amend_down(T.b, 1, a, Q(1)), MATCH_R_BAD_QTY); /* = filled */
    assert_int_equal(match_amend_down(T.b, 2, a, Q(2)), MATCH_R_NOT_OWNER);
    begin();
    assert_int_equal(match_amend_down(T.b, 1, a, Q(2)), MATCH_OK); /* the same: no level change */
    next(MATCH_EV_REPLACED);
    expect_done();
    check_book();
}

/* ---- self-trade prevention ----------------------------------------------- */

static uint64_t sx, sy, sz;

static void stp_book(void)
{
    sx = gtc(2, SELL, 10, 3);
    sy = gtc(1, SELL, 10, 5);
    sz = gtc(2, SELL, 11, 5);
}

static void test_stp_expire_taker(void **state)
{
    (void)state;
    stp_book();
    uint64_t t = stp(1, BUY, MATCH_STP_EXPIRE_TAKER, 11, 10);
    expect_accepted(t);
    expect_fill(sx, t, 10, 3, 3, 3);
    expect_level(SELL, 10, 5);
    expect_end(MATCH_EV_EXPIRED, t, MATCH_R_STP, 7);
    expect_done();
    assert_int_equal(open_filled(sy), 0);
    assert_int_equal(open_filled(sz), 0);
    /* The default mode (0) is EXPIRE_TAKER. */
    t = gtc(1, BUY, 10, 1);
    expect_accepted(t);
    expect_end(MATCH_EV_EXPIRED, t, MATCH_R_STP, 1);
    expect_done();
}

static void test_stp_expire_maker(void **state)
{
    (void)state;
    stp_book();
    uint64_t t = stp(1, BUY, MATCH_STP_EXPIRE_MAKER, 11, 10);
    expect_accepted(t);
    expect_fill(sx, t, 10, 3, 3, 3);
    expect_level(SELL, 10, 5);
    expect_end(MATCH_EV_CANCELED, sy, MATCH_R_STP, 5);
    expect_level(SELL, 10, 0);
    expect_fill(sz, t, 11, 5, 5, 8);
    expect_level(SELL, 11, 0);
    expect_level(BUY, 11, 2);
    expect_done();
}

static void test_stp_expire_both(void **state)
{
    (void)state;
    stp_book();
    uint64_t t = stp(1, BUY, MATCH_STP_EXPIRE_BOTH, 11, 10);
    expect_accepted(t);
    expect_fill(sx, t, 10, 3, 3, 3);
    expect_level(SELL, 10, 5);
    expect_end(MATCH_EV_CANCELED, sy, MATCH_R_STP, 5);
    expect_level(SELL, 10, 0);
    expect_end(MATCH_EV_EXPIRED, t, MATCH_R_STP, 7);
    expect_done();
    assert_int_equal(open_filled(sz), 0);
}

/* NONE: no prevention, the taker trades with its own owner's orders too. */
static void test_stp_none(void **state)
{
    (void)state;
    stp_book();
    uint64_t t = stp(1, BUY, MATCH_STP_NONE, 11, 10);
    expect_accepted(t);
    expect_fill(sx, t, 10, 3, 3, 3);
    expect_level(SELL, 10, 5);
    const match_event *f = next(MATCH_EV_FILL);
    assert_int_equal(f->maker.id, sy);
    assert_int_equal(f->maker.owner, 1);
    assert_int_equal(f->order.owner, 1);
    assert_int_equal(f->qty, Q(5));
    expect_level(SELL, 10, 0);
    expect_fill(sz, t, 11, 2, 2, 10);
    expect_level(SELL, 11, 3);
    expect_done();
    /* FOK counts its own owner's orders as liquidity under NONE */
    gtc(1, SELL, 12, 3);
    t = submit_full(1, BUY, MATCH_LIMIT, MATCH_FOK, MATCH_STP_NONE, false, P(12), Q(6));
    expect_accepted(t);
    next(MATCH_EV_FILL);
    next(MATCH_EV_LEVEL);
    next(MATCH_EV_FILL);
    next(MATCH_EV_LEVEL);
    expect_done();
}

/* An order restored after a restart: it comes with what it had filled,
 * matches and rests for the rest, and cannot be replaced below it. */
static void test_restored_filled(void **state)
{
    (void)state;
    begin();
    match_new n = {.owner = 1, .tag = T.next_tag++, .side = BUY, .type = MATCH_LIMIT, .tif = MATCH_GTC,
                   .price = P(10), .qty = Q(10), .filled = Q(4)};
    uint64_t a = match_submit(T.b, &n);
    check_book();
    const match_event *e = next(MATCH_EV_ACCEPTED);
    assert_int_equal(e->order.filled, Q(4));
    assert_int_equal(e->order.leaves, Q(6));
    expect_level(BUY, 10, 6);
    expect_done();
    uint64_t s = gtc(2, SELL, 10, 8);
    expect_accepted(s);
    expect_fill(a, s, 10, 6, 10, 6);
    expect_level(BUY, 10, 0);
    expect_level(SELL, 10, 2);
    expect_done();
    /* a taker restored: it trades for qty - filled only */
    begin();
    n = (match_new){.owner = 3, .tag = T.next_tag++, .side = BUY, .type = MATCH_LIMIT, .tif = MATCH_GTC,
                    .price = P(10), .qty = Q(5), .filled = Q(4)};
    uint64_t b = match_submit(T.b, &n);
    check_book();
    expect_accepted(b);
    expect_fill(s, b, 10, 1, 7, 5);
    expect_level(SELL, 10, 1);
    expect_done();
    /* filled out of range */
    n.filled = Q(5);
    assert_int_equal(match_submit(T.b, &n), 0);
    n.filled = -LOT;
    assert_int_equal(match_submit(T.b, &n), 0);
    n.filled = LOT / 2;
    assert_int_equal(match_submit(T.b, &n), 0);
    assert_int_equal(T.n_rej[MATCH_R_BAD_QTY], 3);
    /* resting with 2 filled of 5: a replace must stay above the filled */
    n = (match_new){.owner = 4, .tag = T.next_tag++, .side = BUY, .type = MATCH_LIMIT, .tif = MATCH_GTC,
                    .price = P(5), .qty = Q(5), .filled = Q(2)};
    uint64_t c = match_submit(T.b, &n);
    assert_int_equal(match_replace(T.b, 4, c, P(5), Q(2), 99), MATCH_R_BAD_QTY);
    assert_int_equal(match_replace(T.b, 4, c, P(5), Q(3), 99), MATCH_OK);
    match_order_info o;
    assert_true(match_order_get(T.b, c, &o));
    assert_int_equal(o.leaves, Q(1));
    check_book();
}

/* ---- icebergs ------------------------------------------------------------ */

/* A tranche shows at a time; once taken, the next goes to the back of the
 * level (behind b), and a taker still crossing meets b first. */
static void test_iceberg_tranches(void **state)
{
    (void)state;
    uint64_t a = ice(1, SELL, 10, 10, 3);
    expect_accepted(a);
    expect_level(SELL, 10, 3);
    expect_done();
    uint64_t b = gtc(2, SELL, 10, 2);
    expect_accepted(b);
    expect_level(SELL, 10, 5);
    expect_done();
    uint64_t t = lim(3, BUY, MATCH_IOC, 10, 4);
    expect_accepted(t);
    expect_fill(a, t, 10, 3, 3, 3);
    expect_level(SELL, 10, 2);
    expect_level(SELL, 10, 5);
    expect_fill(b, t, 10, 1, 1, 4);
    expect_level(SELL, 10, 4);
    expect_done();
    assert_int_equal(match_refreshes(T.b), 1);
    match_order_info f;
    assert_true(match_front(T.b, SELL, &f));
    assert_int_equal(f.id, b);
    assert_true(match_order_get(T.b, a, &f));
    assert_int_equal(f.leaves, Q(7));
    assert_int_equal(f.shown, Q(3));
    /* The hidden part comes round: b's 1, a's tranche, a fresh one. */
    uint64_t m = mkt(4, BUY, 6);
    expect_accepted(m);
    expect_fill(b, m, 10, 1, 2, 1);
    expect_level(SELL, 10, 3);
    expect_fill(a, m, 10, 3, 6, 4);
    expect_level(SELL, 10, 0);
    expect_level(SELL, 10, 3);
    expect_fill(a, m, 10, 2, 8, 6);
    expect_level(SELL, 10, 1);
    expect_done();
    /* The last tranche is what is left: 2 open, 1 shown. */
    assert_true(match_order_get(T.b, a, &f));
    assert_int_equal(f.leaves, Q(2));
    assert_int_equal(f.shown, Q(1));
    check_orders(8);
}

static void test_iceberg_fok_and_stp(void **state)
{
    (void)state;
    uint64_t a = ice(1, SELL, 10, 4, 1);
    /* FOK for all 4: only one shows, the rest comes round. */
    uint64_t t = lim(2, BUY, MATCH_FOK, 10, 4);
    expect_accepted(t);
    expect_fill(a, t, 10, 1, 1, 1);
    expect_level(SELL, 10, 0);
    expect_level(SELL, 10, 1);
    expect_fill(a, t, 10, 1, 2, 2);
    expect_level(SELL, 10, 0);
    expect_level(SELL, 10, 1);
    expect_fill(a, t, 10, 1, 3, 3);
    expect_level(SELL, 10, 0);
    expect_level(SELL, 10, 1);
    expect_fill(a, t, 10, 1, 4, 4);
    expect_level(SELL, 10, 0);
    expect_done();
    /* More than there is: nothing trades. */
    uint64_t c = ice(1, SELL, 12, 6, 2);
    t = lim(2, BUY, MATCH_FOK, 12, 7);
    expect_accepted(t);
    expect_end(MATCH_EV_EXPIRED, t, MATCH_R_FOK, 7);
    expect_done();
    /* The taker's own order behind the iceberg stops it (EXPIRE_TAKER)
     * before the hidden part comes round: so the FOK cannot fill. */
    uint64_t e = gtc(2, SELL, 12, 1);
    expect_accepted(e);
    begin();
    t = submit_full(2, BUY, MATCH_LIMIT, MATCH_FOK, MATCH_STP_EXPIRE_TAKER, false, P(12), Q(3));
    expect_accepted(t);
    expect_end(MATCH_EV_EXPIRED, t, MATCH_R_FOK, 3);
    expect_done();
    assert_int_equal(open_filled(c), 0);
    check_orders(8);
}

static void test_iceberg_replace_and_bad_display(void **state)
{
    (void)state;
    uint64_t a = ice(1, BUY, 10, 6, 2);
    expect_accepted(a);
    expect_level(BUY, 10, 2);
    /* Less qty at the same price: the tranche stands (2 of 4). */
    assert_int_equal(rep(1, a, 10, 4), MATCH_OK);
    next(MATCH_EV_REPLACED);
    expect_done();
    /* Down to 1 open: the tranche shrinks with it. */
    begin();
    assert_int_equal(match_amend_down(T.b, 1, a, Q(1)), MATCH_OK);
    check_book();
    next(MATCH_EV_REPLACED);
    expect_level(BUY, 10, 1);
    expect_done();
    /* A new price: a fresh tranche where it rests. */
    assert_int_equal(rep(1, a, 9, 5), MATCH_OK);
    next(MATCH_EV_REPLACED);
    expect_level(BUY, 10, 0);
    expect_level(BUY, 9, 2);
    expect_done();
    check_orders(8);
    /* Display off the lot, negative, or on a market order: refused. */
    assert_int_equal(submit_shown(1, BUY, MATCH_LIMIT, MATCH_GTC, 0, false, P(5), Q(5), LOT / 2), 0);
    assert_int_equal(submit_shown(1, BUY, MATCH_LIMIT, MATCH_GTC, 0, false, P(5), Q(5), -LOT), 0);
    assert_int_equal(submit_shown(1, BUY, MATCH_MARKET, MATCH_IOC, 0, false, 0, Q(5), Q(1)), 0);
    assert_int_equal(T.n_rej[MATCH_R_BAD_QTY], 3);
    /* Display not below the qty: a plain order, all shown. */
    uint64_t p = ice(1, BUY, 4, 3, 3);
    expect_accepted(p);
    expect_level(BUY, 4, 3);
    match_order_info f;
    assert_true(match_order_get(T.b, p, &f));
    assert_int_equal(f.display, 0);
}

static void test_agent_never_self_trade_prevents(void **state)
{
    (void)state;
    uint64_t a = gtc(MATCH_AGENT, SELL, 10, 5);
    uint64_t t = stp(MATCH_AGENT, BUY, MATCH_STP_EXPIRE_BOTH, 10, 2);
    expect_accepted(t);
    const match_event *f = next(MATCH_EV_FILL);
    assert_int_equal(f->maker.id, a);
    assert_int_equal(f->maker.owner, 0);
    assert_int_equal(f->order.owner, 0);
    expect_level(SELL, 10, 3);
    expect_done();
}

/* ---- validation and capacity --------------------------------------------- */

static void reject_new(int side, int type, int tif, int stp_mode, int64_t px, int64_t qty, int reason)
{
    assert_int_equal(submit_full(1, side, type, tif, stp_mode, false, px, qty), 0);
    const match_event *e = next(MATCH_EV_REJECTED);
    assert_int_equal(e->reason, reason);
    assert_int_equal(e->op, MATCH_OP_NEW);
    assert_int_equal(e->order.id, 0);
    expect_done();
}

static void test_tick_and_lot(void **state)
{
    (void)state;
    reject_new(BUY, MATCH_LIMIT, MATCH_GTC, 0, P(10) + 1, Q(1), MATCH_R_BAD_PRICE);
    reject_new(BUY, MATCH_LIMIT, MATCH_GTC, 0, 0, Q(1), MATCH_R_BAD_PRICE);
    reject_new(BUY, MATCH_LIMIT, MATCH_GTC, 0, -TICK, Q(1), MATCH_R_BAD_PRICE);
    reject_new(BUY, MATCH_LIMIT, MATCH_GTC, 0, P(10), Q(1) + 1, MATCH_R_BAD_QTY);
    reject_new(BUY, MATCH_LIMIT, MATCH_GTC, 0, P(10), 0, MATCH_R_BAD_QTY);
    reject_new(BUY, MATCH_LIMIT, MATCH_GTC, 0, P(10), -LOT, MATCH_R_BAD_QTY);
    reject_new(BUY, MATCH_LIMIT, MATCH_GTC, 0, P(10), (MATCH_QTY_MAX / LOT + 1) * LOT, MATCH_R_BAD_QTY);
    reject_new(BUY, MATCH_MARKET, MATCH_IOC, 0, 0, Q(1) + 1, MATCH_R_BAD_QTY);
    reject_new(2, MATCH_LIMIT, MATCH_GTC, 0, P(10), Q(1), MATCH_R_BAD_PARAM);
    reject_new(BUY, 2, MATCH_GTC, 0, P(10), Q(1), MATCH_R_BAD_PARAM);
    reject_new(BUY, MATCH_LIMIT, 3, 0, P(10), Q(1), MATCH_R_BAD_PARAM);
    reject_new(BUY, MATCH_LIMIT, MATCH_GTC, 4, P(10), Q(1), MATCH_R_BAD_PARAM);
    assert_int_equal(match_open_orders(T.b), 0);
    assert_int_equal(match_tick(T.b), TICK);
    assert_int_equal(match_lot(T.b), LOT);
    /* Bad configurations. */
    match_config c = {.tick = TICK, .lot = LOT, .capacity_orders = 8, .capacity_levels = 8, .on_event = on_event};
    match_book *ok = match_create(&c);
    assert_non_null(ok);
    match_delete(ok);
    match_delete(NULL);
    match_config bad = c;
    bad.tick = 0;
    assert_null(match_create(&bad));
    bad = c;
    bad.lot = -1;
    assert_null(match_create(&bad));
    bad = c;
    bad.capacity_orders = 1;
    assert_null(match_create(&bad));
    bad = c;
    bad.capacity_levels = 0;
    assert_null(match_create(&bad));
    bad = c;
    bad.on_event = NULL;
    assert_null(match_create(&bad));
    assert_null(match_create(NULL));
}

/* A level's aggregate cannot overflow: the order that would is refused. */
static void test_level_qty_overflow(void **state)
{
    (void)state;
    remake(128, 8, 8);
    int accepted = 0;
    for (int i = 0; i < 100; i++) {
        if (submit_full(1, SELL, MATCH_LIMIT, MATCH_GTC, 0, false, P(10), MATCH_QTY_MAX))
            accepted++;
        else
            expect_rejected(MATCH_R_BAD_QTY);
    }
    assert_int_equal(accepted, INT64_MAX / MATCH_QTY_MAX);
    /* The agent's FOK sums whole levels: no overflow there either. */
    uint64_t t = submit_full(MATCH_AGENT, BUY, MATCH_LIMIT, MATCH_FOK, 0, false, P(10), MATCH_QTY_MAX);
    expect_accepted(t);
    assert_int_equal(next(MATCH_EV_FILL)->qty, MATCH_QTY_MAX);
    assert_int_equal(next(MATCH_EV_LEVEL)->qty, (INT64_MAX / MATCH_QTY_MAX - 1) * MATCH_QTY_MAX);
    expect_done();
}

static void test_book_full(void **state)
{
    (void)state;
    remake(4, 2, 8);
    uint64_t a = gtc(1, BUY, 10, 1);
    gtc(1, BUY, 10, 1);
    gtc(1, BUY, 9, 1);
    assert_int_equal(gtc(1, BUY, 8, 1), 0); /* no level left */
    expect_rejected(MATCH_R_BOOK_FULL);
    assert_int_not_equal(gtc(1, BUY, 9, 1), 0); /* an existing level: fine */
    assert_int_equal(gtc(1, BUY, 10, 1), 0);    /* no order slot left */
    expect_rejected(MATCH_R_BOOK_FULL);
    assert_int_equal(lim(2, SELL, MATCH_IOC, 10, 1), 0); /* every order needs a slot */
    expect_rejected(MATCH_R_BOOK_FULL);
    assert_int_equal(cxl(1, a), MATCH_OK);
    assert_int_not_equal(lim(2, SELL, MATCH_IOC, 12, 1), 0); /* never rests: needs no level */
    expect_accepted(T.ev[0].order.id);
    expect_end(MATCH_EV_EXPIRED, T.ev[0].order.id, MATCH_R_IOC, 1);
    /* A GTC limit needs a level for its price up front, even one that would fill. */
    assert_int_equal(gtc(2, SELL, 10, 1), 0);
    expect_rejected(MATCH_R_BOOK_FULL);
    /* Replace to a new price: refused without a level, fine when it frees its own. */
    match_level_info lv[2];
    assert_int_equal(match_levels(T.b, BUY, lv, 2), 2);
    remake(8, 2, 8);
    uint64_t b = gtc(1, BUY, 10, 1), c = gtc(1, BUY, 9, 1);
    gtc(1, BUY, 9, 1);
    assert_int_equal(rep(1, c, 8, 1), MATCH_R_BOOK_FULL);
    assert_int_equal(rep(1, b, 8, 1), MATCH_OK);
    next(MATCH_EV_REPLACED);
    expect_level(BUY, 10, 0);
    expect_level(BUY, 8, 1);
    /* Fill the pool to the brim and beyond: refusals, never a crash. */
    for (int i = 0; i < 20; i++)
        gtc(3, BUY, 9, 1);
    assert_int_equal(match_open_orders(T.b), 8);
    check_orders(4);
}

static void test_owner_table_full(void **state)
{
    (void)state;
    remake(16, 8, 2);
    gtc(1, BUY, 10, 1);
    gtc(2, BUY, 10, 1);
    gtc(1, BUY, 9, 1);
    assert_int_equal(gtc(3, BUY, 10, 1), 0);
    expect_rejected(MATCH_R_BOOK_FULL);
    assert_int_equal(match_cancel_owner(T.b, 1), 2);
    check_book();
    assert_int_not_equal(gtc(3, BUY, 10, 1), 0);
    assert_int_equal(match_owner_each(T.b, 3, NULL, NULL), 1);
    assert_int_equal(match_owner_each(T.b, 2, NULL, NULL), 1);
    assert_int_equal(match_owner_each(T.b, 1, NULL, NULL), 0);
    check_orders(4);
}

/* ---- owners, queries, the agent ------------------------------------------- */

static void count_owner(void *ctx, const match_order_info *o)
{
    uint64_t *ids = ctx;
    ids[++ids[0]] = o->id;
}

static void test_cancel_owner(void **state)
{
    (void)state;
    gtc(1, BUY, 10, 1);
    uint64_t b1 = gtc(2, BUY, 10, 2);
    gtc(1, SELL, 12, 3);
    gtc(3, SELL, 12, 4);
    uint64_t b2 = gtc(2, SELL, 13, 5);
    gtc(1, BUY, 9, 6);
    uint64_t ids[8] = {0};
    assert_int_equal(match_owner_each(T.b, 2, count_owner, ids), 2);
    assert_int_equal(ids[1], b1); /* oldest first */
    assert_int_equal(ids[2], b2);
    begin();
    assert_int_equal(match_cancel_owner(T.b, 2), 2);
    expect_end(MATCH_EV_CANCELED, b1, MATCH_R_MASS, 2);
    expect_level(BUY, 10, 1);
    expect_end(MATCH_EV_CANCELED, b2, MATCH_R_MASS, 5);
    expect_level(SELL, 13, 0);
    expect_done();
    check_book();
    assert_int_equal(match_owner_each(T.b, 2, NULL, NULL), 0);
    assert_int_equal(match_owner_each(T.b, 1, NULL, NULL), 3);
    assert_int_equal(match_owner_each(T.b, 3, NULL, NULL), 1);
    assert_int_equal(match_open_orders(T.b), 4);
    assert_int_equal(match_cancel_owner(T.b, 2), 0);
    assert_int_equal(match_cancel_owner(T.b, 99), 0);
    check_orders(4);
}

static void test_queries(void **state)
{
    (void)state;
    uint64_t a = gtc(1, BUY, 10, 1);
    gtc(2, BUY, 10, 2);
    gtc(1, BUY, 8, 3);
    gtc(1, SELL, 12, 4);
    gtc(1, SELL, 15, 5);
    match_level_info lv[4];
    assert_int_equal(match_levels(T.b, BUY, lv, 4), 2);
    assert_int_equal(lv[0].price, P(10));
    assert_int_equal(lv[0].qty, Q(3));
    assert_int_equal(lv[0].orders, 2);
    assert_int_equal(lv[1].price, P(8));
    assert_int_equal(match_levels(T.b, SELL, lv, 1), 1);
    assert_int_equal(lv[0].price, P(12));
    assert_int_equal(match_levels(T.b, 7, lv, 4), 0);
    int64_t px, qty;
    assert_true(match_best(T.b, SELL, &px, &qty));
    assert_int_equal(px, P(12));
    assert_int_equal(qty, Q(4));
    assert_false(match_best(T.b, 7, &px, &qty));
    match_order_info o;
    assert_true(match_order_get(T.b, a, &o));
    assert_int_equal(o.id, a);
    assert_int_equal(o.owner, 1);
    assert_int_equal(o.side, BUY);
    assert_int_equal(o.type, MATCH_LIMIT);
    assert_int_equal(o.tif, MATCH_GTC);
    assert_int_equal(o.price, P(10));
    assert_int_equal(o.qty, Q(1));
    assert_int_equal(o.leaves, Q(1));
    assert_int_equal(o.tag, T.recs[1].id == a ? 1 : 0);
    assert_false(match_order_get(T.b, a + 1, &o)); /* not an issued id */
    assert_false(match_order_get(T.b, 0, &o));
    check_orders(4);
}

static int64_t agent_qty(int side, int64_t px)
{
    memset(agg, 0, sizeof agg);
    seen = 0;
    uint32_t w = MATCH_AGENT;
    match_owner_each(T.b, MATCH_AGENT, collect, &w);
    return agg[side][grid(px)];
}

static void test_agent_level(void **state)
{
    (void)state;
    begin();
    assert_int_equal(match_agent_level(T.b, BUY, P(10), Q(5)), MATCH_OK);
    uint64_t g1 = next(MATCH_EV_ACCEPTED)->order.id;
    expect_level(BUY, 10, 5);
    expect_done();
    uint64_t p = gtc(1, BUY, 10, 3);
    begin();
    assert_int_equal(match_agent_level(T.b, BUY, P(10), Q(2)), MATCH_OK); /* shrink */
    const match_event *e = next(MATCH_EV_REPLACED);
    assert_int_equal(e->order.id, g1);
    assert_int_equal(e->order.qty, Q(2));
    expect_level(BUY, 10, 5);
    expect_done();
    begin();
    assert_int_equal(match_agent_level(T.b, BUY, P(10), Q(4)), MATCH_OK); /* grow: at the back */
    uint64_t g2 = next(MATCH_EV_ACCEPTED)->order.id;
    expect_level(BUY, 10, 7);
    expect_done();
    check_book();
    assert_int_equal(agent_qty(BUY, P(10)), Q(4));
    begin();
    assert_int_equal(match_agent_level(T.b, BUY, P(10), Q(1)), MATCH_OK); /* newest first */
    expect_end(MATCH_EV_CANCELED, g2, MATCH_R_REQUESTED, 2);
    expect_level(BUY, 10, 5);
    e = next(MATCH_EV_REPLACED);
    assert_int_equal(e->order.id, g1);
    assert_int_equal(e->order.leaves, Q(1));
    expect_level(BUY, 10, 4);
    expect_done();
    check_book();
    uint64_t t = lim(2, SELL, MATCH_IOC, 10, 2); /* the agent kept its place ahead */
    expect_accepted(t);
    expect_fill(g1, t, 10, 1, 1, 1);
    expect_level(BUY, 10, 3);
    expect_fill(p, t, 10, 1, 1, 2);
    begin();
    assert_int_equal(match_agent_level(T.b, BUY, P(10), 0), MATCH_OK); /* nothing of its own left */
    expect_done();
    begin();
    assert_int_equal(match_agent_level(T.b, SELL, P(10), Q(5)), MATCH_OK); /* crossing: it trades */
    uint64_t g3 = next(MATCH_EV_ACCEPTED)->order.id;
    expect_fill(p, g3, 10, 2, 3, 2);
    expect_level(BUY, 10, 0);
    expect_level(SELL, 10, 3);
    expect_done();
    check_book();
    begin();
    assert_int_equal(match_agent_level(T.b, SELL, P(10) + 1, Q(1)), MATCH_R_BAD_PRICE);
    assert_int_equal(match_agent_level(T.b, SELL, P(10), -LOT), MATCH_R_BAD_QTY);
    assert_int_equal(match_agent_level(T.b, 5, P(10), Q(1)), MATCH_R_BAD_PARAM);
    e = next(MATCH_EV_REJECTED);
    assert_int_equal(e->op, MATCH_OP_AGENT);
    check_orders(4);
}

static void test_callback_cannot_reenter(void **state)
{
    (void)state;
    T.reenter = true;
    uint64_t id = gtc(1, BUY, 10, 1);
    T.reenter = false;
    assert_int_equal(T.reenter_rc, MATCH_R_BUSY);
    assert_int_equal(T.reenter_id, 0);
    expect_accepted(id);
    expect_level(BUY, 10, 1);
    expect_done();
    assert_int_equal(match_open_orders(T.b), 1);
}

/* ---- randomized ---------------------------------------------------------- */

#define R_OWNERS 8

static uint64_t rng;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static uint32_t below(uint32_t n) { return (uint32_t)(rnd() % n); }

/* A recent order, open ones preferred (a finished one now and then). */
static rec *pick(void)
{
    uint64_t lo = T.next_tag > 3000 ? T.next_tag - 3000 : 1;
    rec *r = NULL;
    for (int tries = 0; tries < 16 && T.next_tag > lo; tries++) {
        r = &T.recs[lo + rnd() % (T.next_tag - lo)];
        if (r->used && r->open)
            return r;
    }
    return r && r->used ? r : NULL;
}

static bool crossing(int side, int64_t px)
{
    int64_t best;
    return match_best(T.b, !side, &best, NULL) && (side == BUY ? best <= px : best >= px);
}

static void test_randomized_invariants(void **state)
{
    (void)state;
    remake(1024, 80, R_OWNERS); /* 80 levels for a ~70 wide range that drifts: sometimes full */
    const char *s = getenv("TFSIM_MATCH_SEED"), *n_env = getenv("TFSIM_MATCH_OPS");
    rng = s ? strtoull(s, NULL, 0) : 0x7f4a7c15u;
    rng = rng ? rng : 1;
    long ops = n_env ? strtol(n_env, NULL, 0) : 200000;
    int center = GRID / 2;
    for (long i = 0; i < ops && T.next_tag < RECCAP - 2; i++) {
        if (below(50) == 0)
            center += below(2) ? 1 : -1;
        center = center < 45 ? 45 : center > GRID - 45 ? GRID - 45 : center;
        uint32_t owner = below(R_OWNERS), what = below(1000);
        /* Mostly passive prices, some through the middle. */
        int side = (int)below(2), off = (int)below(36) - 5, n = 1 + (int)below(20);
        int k = side == BUY ? center - off : center + off;
        rec *r = what >= 600 && what < 920 ? pick() : NULL;
        if (what < 600) {
            int type = below(30) ? MATCH_LIMIT : MATCH_MARKET, tif = MATCH_GTC;
            uint32_t t = below(100);
            if (type == MATCH_MARKET)
                tif = t < 25 ? MATCH_FOK : MATCH_IOC;
            else
                tif = t < 70 ? MATCH_GTC : t < 88 ? MATCH_IOC : MATCH_FOK;
            bool po = type == MATCH_LIMIT && below(12) == 0;
            /* Icebergs (participants': the agent's level is all it has open) */
            int64_t display = type == MATCH_LIMIT && owner != MATCH_AGENT && below(6) == 0 ? Q(1 + below(4)) : 0;
            uint64_t id = submit_shown(owner, side, type, tif, (int)below(3), po, P(k), Q(n), display);
            assert_true(T.nev >= 1);
            if (id && tif == MATCH_FOK) { /* all or nothing, icebergs' hidden parts and STP included */
                int64_t got = 0;
                for (uint32_t e = 0; e < T.nev; e++)
                    got += T.ev[e].kind == MATCH_EV_FILL && T.ev[e].order.id == id ? T.ev[e].qty : 0;
                if (got != 0 && got != Q(n))
                    fail_msg("FOK %llu filled %lld of %lld", (unsigned long long)id, (long long)got,
                             (long long)Q(n));
            }
            assert_int_equal(T.ev[0].kind, id ? MATCH_EV_ACCEPTED : MATCH_EV_REJECTED);
            if (id)
                assert_int_equal(T.ev[0].order.id, id);
            else
                assert_int_equal(T.nev, 1);
        } else if (what < 750 && r) {
            uint32_t who = below(10) ? r->owner : (r->owner + 1) % R_OWNERS;
            int want = !r->open ? MATCH_R_TOO_LATE : who != r->owner ? MATCH_R_NOT_OWNER : MATCH_OK;
            assert_int_equal(cxl(who, r->id), want);
        } else if (what < 870 && r) {
            uint32_t who = below(10) ? r->owner : (r->owner + 1) % R_OWNERS;
            int64_t cum = r->cum;
            bool open = r->open, po = r->post_only;
            uint32_t r_owner = r->owner;
            begin();
            int rc = match_replace(T.b, who, r->id, P(k), Q(n), (uint64_t)(r - T.recs));
            check_book();
            if (!open)
                assert_int_equal(rc, MATCH_R_TOO_LATE);
            else if (who != r_owner)
                assert_int_equal(rc, MATCH_R_NOT_OWNER);
            else if (Q(n) <= cum)
                assert_int_equal(rc, MATCH_R_BAD_QTY);
            else if (rc != MATCH_OK && rc != MATCH_R_BOOK_FULL && !(po && rc == MATCH_R_WOULD_TAKE))
                fail_msg("replace: %d", rc);
        } else if (what < 920 && r) {
            int want = !r->open ? MATCH_R_TOO_LATE : MATCH_OK;
            int64_t q = r->open ? r->cum + LOT * (1 + (int64_t)(rnd() % (uint64_t)((r->qty - r->cum) / LOT))) : Q(1);
            begin();
            assert_int_equal(match_amend_down(T.b, r->owner, r->id, q), want);
            check_book();
        } else if (what < 990) {
            int64_t target = Q(below(30));
            bool x = crossing(side, P(k));
            begin();
            int rc = match_agent_level(T.b, side, P(k), target);
            check_book();
            if (rc != MATCH_R_BOOK_FULL)
                assert_int_equal(rc, MATCH_OK);
            if (rc == MATCH_OK && !x)
                assert_int_equal(agent_qty(side, P(k)), target);
        } else if (what < 994) {
            uint32_t before = match_owner_each(T.b, owner, NULL, NULL);
            begin();
            assert_int_equal(match_cancel_owner(T.b, owner), before);
            assert_int_equal(T.nev, 2 * before);
            check_book();
            assert_int_equal(match_owner_each(T.b, owner, NULL, NULL), 0);
        } else if (what < 997) {
            assert_int_equal(cxl(owner, (1ull << 62) | below(1000)), MATCH_R_UNKNOWN_ORDER);
        } else {
            assert_int_equal(submit_full(owner, side, MATCH_LIMIT, MATCH_GTC, 0, false, P(k) + TICK / 2, Q(n)), 0);
            expect_rejected(MATCH_R_BAD_PRICE);
        }
        if (i % 64 == 0)
            check_orders(R_OWNERS);
    }
    check_orders(R_OWNERS);
    /* Conservation: both sides of every fill moved by the same qty, and the
     * cum of all orders is twice the traded qty. */
    assert_int_equal(T.maker_sum, T.traded);
    assert_int_equal(T.taker_sum, T.traded);
    int64_t cum = T.agent_filled; /* the agent's untagged orders, counted apart */
    for (uint64_t t = 1; t < T.next_tag; t++)
        cum += T.recs[t].cum;
    assert_int_equal(cum, 2 * T.traded);
    print_message("ops %ld: %llu fills, %llu canceled, %llu expired, %llu replaced, %llu rejected "
                  "(book full %llu, would take %llu, too late %llu), %u open\n",
                  ops, (unsigned long long)T.n_ev[MATCH_EV_FILL], (unsigned long long)T.n_ev[MATCH_EV_CANCELED],
                  (unsigned long long)T.n_ev[MATCH_EV_EXPIRED], (unsigned long long)T.n_ev[MATCH_EV_REPLACED],
                  (unsigned long long)T.n_ev[MATCH_EV_REJECTED], (unsigned long long)T.n_rej[MATCH_R_BOOK_FULL],
                  (unsigned long long)T.n_rej[MATCH_R_WOULD_TAKE], (unsigned long long)T.n_rej[MATCH_R_TOO_LATE],
                  match_open_orders(T.b));
    /* The run exercised what it should. */
    assert_true(T.n_ev[MATCH_EV_FILL] > 1000);
    assert_true(T.n_ev[MATCH_EV_EXPIRED] > 100);
    assert_true(T.n_rej[MATCH_R_BOOK_FULL] > 0);
    assert_true(T.n_rej[MATCH_R_WOULD_TAKE] > 0);
    assert_true(match_refreshes(T.b) > 100);
}

/* Many owners with scattered ids through a small owner table: its counts
 * always match a model (probing and backward-shift deletion hold up). */
static void test_owner_table_churn(void **state)
{
    (void)state;
    enum { OWNERS = 100, CAP = 24 };
    remake(256, 64, CAP);
    static uint32_t count[OWNERS];
    memset(count, 0, sizeof count);
    uint32_t present = 0;
    rng = 12345;
    for (int i = 0; i < 20000; i++) {
        uint32_t w = below(OWNERS), id = 1 + w * 7919u; /* scattered ids */
        if (below(4)) {
            uint64_t oid = gtc(id, BUY, 1 + (int)below(60), 1); /* bids only: nothing trades */
            bool room = count[w] || present < CAP;
            bool pool = match_open_orders(T.b) < 256 || oid;
            if (oid) {
                present += count[w]++ == 0;
            } else {
                assert_false(room && pool && T.ev[0].reason != MATCH_R_BOOK_FULL);
                expect_rejected(MATCH_R_BOOK_FULL);
            }
        } else {
            begin();
            assert_int_equal(match_cancel_owner(T.b, id), count[w]);
            check_book();
            present -= count[w] != 0;
            count[w] = 0;
        }
        if (i % 100 == 0)
            for (uint32_t v = 0; v < OWNERS; v++)
                assert_int_equal(match_owner_each(T.b, 1 + v * 7919u, NULL, NULL), count[v]);
    }
}

#define T_(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T_(test_price_then_time_priority),
        T_(test_partial_fills),
        T_(test_market_orders),
        T_(test_ioc_remainder_expires),
        T_(test_fok_all_or_nothing),
        T_(test_post_only),
        T_(test_cancel),
        T_(test_replace_qty_down_keeps_priority),
        T_(test_replace_qty_up_loses_priority),
        T_(test_replace_price_loses_priority),
        T_(test_replace_to_crossing_price_matches),
        T_(test_amend_down),
        T_(test_stp_expire_taker),
        T_(test_stp_expire_maker),
        T_(test_stp_expire_both),
        T_(test_stp_none),
        T_(test_restored_filled),
        T_(test_iceberg_tranches),
        T_(test_iceberg_fok_and_stp),
        T_(test_iceberg_replace_and_bad_display),
        T_(test_agent_never_self_trade_prevents),
        T_(test_tick_and_lot),
        T_(test_level_qty_overflow),
        T_(test_book_full),
        T_(test_owner_table_full),
        T_(test_owner_table_churn),
        T_(test_cancel_owner),
        T_(test_queries),
        T_(test_agent_level),
        T_(test_callback_cannot_reenter),
        T_(test_randomized_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}

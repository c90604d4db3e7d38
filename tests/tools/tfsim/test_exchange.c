/* tfsim's exchange, the order side, through real FIX sessions in memory
 * (tests/tools/tfsim/exchange_harness.h): new → ack, crossing orders filling on
 * both sides with maker/taker liquidity and fees, partial fills, IOC, FOK
 * and market orders, post-only refused, cancel and replace and their
 * refusals (too late, unknown), status requests for open, finished and
 * unknown orders by original and current ClOrdID, mass status, duplicate
 * ClOrdIDs, a PossDup NewOrderSingle not placed twice, match_front, the
 * generator's taker filling a participant's order (and the trade in the
 * market data), self-trade prevention across two sessions of one account
 * (25001: 1 NONE, 2 EXPIRE_TAKER the default, 3 EXPIRE_MAKER, 4 EXPIRE_BOTH),
 * unsupported messages, and the orders dump. */
#include "tests/tools/tfsim/exchange_harness.h"

static client A, B, A2;

static void test_new_ack(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    send_new(&A, (ord){.clid = "1", .qty = "1.5", .px = "50.00"});
    rep *r = must(&A, '8', '0', "1");
    assert_int_equal(r->st, '0');
    assert_int_equal(r->qty, D("1.5"));
    assert_int_equal(r->px, D("50"));
    assert_int_equal(r->leaves, D("1.5"));
    assert_int_equal(r->cum, 0);
    assert_true(strtoull(r->oid, NULL, 10) > 0);
    /* it rests in the book: the mirror shows it */
    bool seen = false;
    for (uint32_t i = 0; i < S.sym[0].nbids; i++)
        seen |= S.sym[0].bids[i].price == D("50") && S.sym[0].bids[i].qty == D("1.5");
    assert_true(seen);
    assert_int_equal(exchange_stats(X)->orders, 1);
    h_teardown();
}

static void test_cross_fills_both_sides(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    logon(&B, "ENGINE_B", NULL);
    uint64_t trades = S.trades_out, tid = S.sym[0].trade_id;
    send_new(&A, (ord){.clid = "s1", .side = '2', .qty = "1", .px = "100.00"});
    assert_int_equal(S.sym[0].asks[0].price, D("100")); /* inside the agent's spread: the new best ask */
    send_new(&B, (ord){.clid = "b1", .side = '1', .qty = "1", .px = "100.00"});
    rep *t = must(&B, '8', 'F', "b1");
    assert_int_equal(t->st, '2');
    assert_int_equal(t->liq, '2');
    assert_int_equal(t->last_px, D("100"));
    assert_int_equal(t->last_qty, D("1"));
    assert_int_equal(t->fee, D("0.2")); /* 100 * 1 * 20 bps, taker */
    assert_int_equal(t->avg, D("100"));
    assert_int_equal(t->leaves, 0);
    rep *m = must(&A, '8', 'F', "s1");
    assert_int_equal(m->st, '2');
    assert_int_equal(m->liq, '1');
    assert_int_equal(m->fee, D("0.1")); /* maker, 10 bps */
    assert_int_equal(m->cum, D("1"));
    assert_int_equal(exchange_stats(X)->fills, 2);
    /* one trade in the market data, at the next trade id; the level is gone */
    assert_int_equal(S.trades_out, trades + 1);
    assert_int_equal(S.sym[0].trade_id, tid + 1);
    assert_int_equal(S.sym[0].asks[0].price, D("100.01"));
    h_teardown();
}

static void test_partial_fills(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    logon(&B, "ENGINE_B", NULL);
    send_new(&A, (ord){.clid = "s1", .side = '2', .qty = "1", .px = "100.00"});
    send_new(&B, (ord){.clid = "b1", .qty = "0.4", .px = "100.00"});
    rep *m = must(&A, '8', 'F', "s1");
    assert_int_equal(m->st, '1');
    assert_int_equal(m->cum, D("0.4"));
    assert_int_equal(m->leaves, D("0.6"));
    assert_int_equal(S.sym[0].asks[0].qty, D("0.6"));
    send_new(&B, (ord){.clid = "b2", .qty = "0.6", .px = "100.00"});
    m = must(&A, '8', 'F', "s1");
    assert_int_equal(m->st, '2');
    assert_int_equal(m->cum, D("1"));
    assert_int_equal(m->last_qty, D("0.6"));
    assert_int_equal(count(&A, '8', 'F'), 2);
    /* a taker walking two levels: its own 100.00 and the agent's 100.01 */
    send_new(&A, (ord){.clid = "s2", .side = '2', .qty = "0.002", .px = "100.00"});
    send_new(&B, (ord){.clid = "b3", .qty = "0.005", .px = "100.01"});
    assert_int_equal(count(&B, '8', 'F'), 4);
    rep *t = must(&B, '8', 'F', "b3");
    assert_int_equal(t->st, '2');
    assert_int_equal(t->last_px, D("100.01"));
    assert_int_equal(t->avg, D("100.006")); /* (0.002 * 100 + 0.003 * 100.01) / 0.005 */
    h_teardown();
}

static void test_ioc_fok_market(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    logon(&B, "ENGINE_B", NULL);
    /* IOC with nothing at its price: acknowledged, then expired */
    send_new(&B, (ord){.clid = "i1", .qty = "1", .px = "100.00", .tif = '3'});
    must(&B, '8', '0', "i1");
    rep *e = must(&B, '8', 'C', "i1");
    assert_int_equal(e->st, 'C');
    assert_int_equal(e->cum, 0);
    /* IOC partly filled: the rest expires */
    send_new(&A, (ord){.clid = "s1", .side = '2', .qty = "0.3", .px = "100.00"});
    send_new(&B, (ord){.clid = "i2", .qty = "0.5", .px = "100.00", .tif = '3'});
    assert_int_equal(must(&B, '8', 'F', "i2")->last_qty, D("0.3"));
    e = must(&B, '8', 'C', "i2");
    assert_int_equal(e->cum, D("0.3"));
    assert_int_equal(e->leaves, 0);
    /* FOK that cannot fill entirely: nothing trades */
    int fills = count(&B, '8', 'F');
    send_new(&B, (ord){.clid = "f1", .qty = "1000", .px = "100.01", .tif = '4'});
    must(&B, '8', 'C', "f1");
    assert_int_equal(count(&B, '8', 'F'), fills);
    /* FOK that can */
    send_new(&B, (ord){.clid = "f2", .qty = "0.001", .px = "100.01", .tif = '4'});
    assert_int_equal(must(&B, '8', 'F', "f2")->st, '2');
    /* market: fills at the agent's best ask */
    send_new(&B, (ord){.clid = "m1", .qty = "0.01"});
    rep *t = must(&B, '8', 'F', "m1");
    assert_int_equal(t->st, '2');
    assert_true(t->last_px >= D("100.01"));
    assert_int_equal(t->liq, '2');
    assert_int_equal(t->cum, D("0.01"));
    h_teardown();
}

/* An iceberg (MaxFloor 111): the book shows a tranche at a time, a taker
 * gets the hidden part tranche by tranche; a bad MaxFloor is refused. */
static void test_iceberg(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    logon(&B, "ENGINE_B", NULL);
    send_new(&A, (ord){.clid = "ice", .side = '2', .qty = "1", .px = "100.00", .max_floor = "0.2"});
    must(&A, '8', '0', "ice");
    assert_int_equal(level_at(MATCH_SELL, D("100.00")), D("0.2"));
    assert_int_equal(S.sym[0].asks[0].qty, D("0.2")); /* the market data shows the tranche only */
    send_new(&B, (ord){.clid = "b1", .qty = "0.5", .px = "100.00"});
    assert_int_equal(count(&A, '8', 'F'), 3); /* 0.2, 0.2, 0.1 */
    rep *m = must(&A, '8', 'F', "ice");
    assert_int_equal(m->last_qty, D("0.1"));
    assert_int_equal(m->cum, D("0.5"));
    assert_int_equal(m->leaves, D("0.5")); /* the hidden part counts as open */
    assert_int_equal(must(&B, '8', 'F', "b1")->st, '2');
    assert_int_equal(level_at(MATCH_SELL, D("100.00")), D("0.1"));
    /* refused: above the qty, off the lot, on a market order */
    send_new(&A, (ord){.clid = "x1", .side = '2', .qty = "1", .px = "101.00", .max_floor = "2"});
    send_new(&A, (ord){.clid = "x2", .side = '2', .qty = "1", .px = "101.00", .max_floor = "0.0005"});
    send_new(&A, (ord){.clid = "x3", .side = '2', .qty = "1", .max_floor = "0.1"});
    for (int i = 0; i < 3; i++) {
        char id[4] = {'x', (char)('1' + i), 0};
        rep *r = must(&A, '8', '8', id);
        assert_non_null(strstr(r->text, "MaxFloor (111)"));
    }
    h_teardown();
}

static void test_post_only(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    send_new(&A, (ord){.clid = "p1", .qty = "1", .px = "100.01", .post_only = true});
    rep *r = must(&A, '8', '8', "p1");
    assert_int_equal(r->st, '8');
    assert_int_equal(r->rej, 99);
    assert_non_null(strstr(r->text, "post-only"));
    send_new(&A, (ord){.clid = "p2", .qty = "1", .px = "99.00", .post_only = true});
    must(&A, '8', '0', "p2");
    /* bad tick and lot */
    send_new(&A, (ord){.clid = "t1", .qty = "1", .px = "99.001"});
    assert_int_equal(must(&A, '8', '8', "t1")->rej, 99);
    send_new(&A, (ord){.clid = "t2", .qty = "1.0005", .px = "99.00"});
    assert_int_equal(must(&A, '8', '8', "t2")->rej, 99);
    send_new(&A, (ord){.clid = "u1", .qty = "1", .px = "99.00", .sym = "NOPEUSDT"});
    assert_int_equal(must(&A, '8', '8', "u1")->rej, 1);
    h_teardown();
}

static void test_cancel_replace(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    send_new(&A, (ord){.clid = "7", .qty = "1", .px = "50.00"});
    send_change(&A, "7", "7.1", "2", "51.00");
    rep *r = must(&A, '8', '5', "7.1");
    assert_string_equal(r->orig, "7");
    assert_int_equal(r->px, D("51"));
    assert_int_equal(r->qty, D("2"));
    assert_int_equal(r->st, '0');
    assert_int_equal(r->leaves, D("2"));
    send_change(&A, "7.1", "7.2", NULL, NULL);
    r = must(&A, '8', '4', "7.2");
    assert_string_equal(r->orig, "7.1");
    assert_int_equal(r->st, '4');
    assert_int_equal(r->leaves, 0);
    /* too late */
    send_change(&A, "7.2", "7.3", NULL, NULL);
    r = must(&A, '9', 0, "7.3");
    assert_int_equal(r->cxl_reason, 0);
    assert_int_equal(r->cxl_to, 1);
    assert_int_equal(r->st, '4');
    send_change(&A, "7", "7.4", "1", "52.00");
    r = must(&A, '9', 0, "7.4");
    assert_int_equal(r->cxl_reason, 0);
    assert_int_equal(r->cxl_to, 2);
    /* unknown */
    send_change(&A, "nope", "7.5", NULL, NULL);
    r = must(&A, '9', 0, "7.5");
    assert_int_equal(r->cxl_reason, 1);
    assert_int_equal(r->st, '8');
    assert_string_equal(r->oid, "NONE");
    /* a replace that crosses trades as the taker */
    send_new(&A, (ord){.clid = "8", .qty = "0.001", .px = "99.00"});
    send_change(&A, "8", "8.1", "0.001", "100.01");
    must(&A, '8', '5', "8.1");
    rep *t = must(&A, '8', 'F', "8.1");
    assert_int_equal(t->liq, '2');
    assert_int_equal(t->st, '2');
    /* a replace the book refuses (qty not on the lot) */
    send_new(&A, (ord){.clid = "9", .qty = "1", .px = "90.00"});
    send_change(&A, "9", "9.1", "1.0001", "90.00");
    r = must(&A, '9', 0, "9.1");
    assert_int_equal(r->cxl_reason, 99);
    assert_int_equal(r->st, '0');
    h_teardown();
}

static void test_status(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    logon(&B, "ENGINE_B", NULL);
    send_new(&A, (ord){.clid = "5", .side = '2', .qty = "1", .px = "100.00"});
    send_status(&A, "5", "q1");
    rep *r = must(&A, '8', 'I', "5");
    assert_int_equal(r->st, '0');
    assert_int_equal(r->leaves, D("1"));
    send_change(&A, "5", "5.1", "2", "100.00");
    send_new(&B, (ord){.clid = "b", .qty = "0.5", .px = "100.00"});
    /* by the original ClOrdID: answered with the current one */
    send_status(&A, "5", "q2");
    r = must(&A, '8', 'I', "5.1");
    assert_int_equal(r->st, '1');
    assert_int_equal(r->cum, D("0.5"));
    assert_int_equal(r->leaves, D("1.5"));
    assert_int_equal(r->avg, D("100"));
    assert_int_equal(r->qty, D("2"));
    /* finished: its final state, by either ClOrdID */
    send_change(&A, "5.1", "5.2", NULL, NULL);
    A.n = 0;
    send_status(&A, "5", "q3");
    r = must(&A, '8', 'I', "5.2");
    assert_int_equal(r->st, '4');
    assert_int_equal(r->cum, D("0.5"));
    send_status(&A, "5.1", "q4");
    assert_int_equal(A.n, 2);
    assert_int_equal(must(&A, '8', 'I', "5.2")->st, '4');
    /* filled */
    send_status(&B, "b", "q5");
    assert_int_equal(must(&B, '8', 'I', "b")->st, '2');
    /* unknown, and another account's order is unknown too */
    send_status(&A, "zzz", "q6");
    r = must(&A, '8', 'I', "zzz");
    assert_int_equal(r->st, '8');
    assert_int_equal(r->rej, 5);
    send_status(&B, "5", "q7");
    assert_int_equal(must(&B, '8', 'I', "5")->st, '8');
    h_teardown();
}

static void test_mass_status(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    tf_fix_writer *w = tf_fix_session_begin(&A.s, "AF");
    tf_fix_put_cstr(w, TF_FIX_TAG_MASS_STATUS_REQ_ID, "m0");
    tf_fix_put_char(w, TF_FIX_TAG_MASS_STATUS_REQ_TYPE, '7');
    tf_fix_session_send(&A.s);
    pump();
    rep *r = must(&A, '8', 'I', NULL);
    assert_int_equal(r->tot, 0);
    assert_int_equal(r->last_rpt, 'Y');
    send_new(&A, (ord){.clid = "1", .qty = "1", .px = "50.00"});
    send_new(&A, (ord){.clid = "2", .side = '2', .qty = "1", .px = "150.00"});
    send_new(&A, (ord){.clid = "3", .qty = "1", .px = "40.00"});
    send_change(&A, "3", "3.1", NULL, NULL);
    A.n = 0;
    w = tf_fix_session_begin(&A.s, "AF");
    tf_fix_put_cstr(w, TF_FIX_TAG_MASS_STATUS_REQ_ID, "m1");
    tf_fix_put_char(w, TF_FIX_TAG_MASS_STATUS_REQ_TYPE, '7');
    tf_fix_session_send(&A.s);
    pump();
    assert_int_equal(A.n, 2);
    assert_int_equal(A.reps[0].tot, 2);
    assert_int_equal(A.reps[0].last_rpt, 'N');
    assert_int_equal(A.reps[1].last_rpt, 'Y');
    assert_string_equal(A.reps[0].clid, "1");
    assert_string_equal(A.reps[1].clid, "2");
    h_teardown();
}

/* A NewOrderSingle with PossDup=Y and the next sequence number (as a
 * counterparty that lost track would resend it). */
static void send_possdup_new(client *c, ord o)
{
    char buf[1024];
    tf_fix_writer w;
    tf_fix_begin(&w, buf, sizeof buf, "D");
    tf_fix_put_cstr(&w, TF_FIX_TAG_SENDER_COMP_ID, c->s.cfg.sender);
    tf_fix_put_cstr(&w, TF_FIX_TAG_TARGET_COMP_ID, "TFSIM");
    tf_fix_put_u64(&w, TF_FIX_TAG_MSG_SEQ_NUM, c->s.store.seq->next_out);
    tf_fix_put_time(&w, TF_FIX_TAG_SENDING_TIME, now_wall);
    tf_fix_put_char(&w, TF_FIX_TAG_POSS_DUP, 'Y');
    tf_fix_put_time(&w, TF_FIX_TAG_ORIG_SENDING_TIME, now_wall);
    put_new(&w, o);
    size_t n = tf_fix_finish(&w);
    assert_true(n > 0);
    c->s.store.seq->next_out++;
    exchange_conn_input(X, c->conn, w.msg, n);
    pump();
}

static void test_duplicates(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    send_new(&A, (ord){.clid = "d1", .qty = "1", .px = "50.00"});
    send_new(&A, (ord){.clid = "d1", .qty = "2", .px = "51.00"});
    rep *r = must(&A, '8', '8', "d1");
    assert_int_equal(r->rej, 6);
    assert_string_equal(r->oid, "NONE");
    assert_int_equal(match_open_orders(S.sym[0].book) - 400, 1); /* the agent's 400 levels, each one order */
    /* the first is untouched: still open, still found */
    send_status(&A, "d1", "s");
    assert_int_equal(must(&A, '8', 'I', "d1")->st, '0');
    /* PossDup=Y of a known order: its state, not a second order */
    uint64_t orders = exchange_stats(X)->orders;
    send_possdup_new(&A, (ord){.clid = "d1", .qty = "1", .px = "50.00"});
    r = must(&A, '8', 0, "d1");
    assert_int_equal(r->et, 'I');
    assert_int_equal(r->st, '0');
    assert_int_equal(match_open_orders(S.sym[0].book) - 400, 1);
    assert_int_equal(exchange_stats(X)->orders, orders + 1);
    /* PossDup=Y of an unknown one: placed */
    send_possdup_new(&A, (ord){.clid = "d2", .qty = "1", .px = "50.00"});
    must(&A, '8', '0', "d2");
    assert_int_equal(match_open_orders(S.sym[0].book) - 400, 2);
    /* a ClOrdID of a finished order may be used again */
    send_change(&A, "d2", "d2.1", NULL, NULL);
    send_new(&A, (ord){.clid = "d2", .qty = "1", .px = "50.00"});
    assert_int_equal(must(&A, '8', 0, "d2")->et, '0');
    h_teardown();
}

/* match_front: the order a taker meets next (the generator sizes its
 * one-fill takers by it). */
static void test_match_front(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    match_order_info f;
    assert_true(match_front(S.sym[0].book, MATCH_SELL, &f));
    assert_int_equal(f.price, D("100.01"));
    assert_int_equal(f.owner, MATCH_AGENT);
    send_new(&A, (ord){.clid = "f1", .side = '2', .qty = "0.5", .px = "100.00"});
    send_new(&A, (ord){.clid = "f2", .side = '2', .qty = "0.7", .px = "100.00"});
    assert_true(match_front(S.sym[0].book, MATCH_SELL, &f));
    assert_int_equal(f.price, D("100"));
    assert_int_equal(f.leaves, D("0.5"));
    assert_int_not_equal(f.owner, MATCH_AGENT);
    assert_false(match_front(S.sym[0].book, 7, &f));
    h_teardown();
}

static void test_generated_taker_fills_participant(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    send_new(&A, (ord){.clid = "g1", .side = '2', .qty = "0.001", .px = "100.00"});
    assert_int_equal(S.sym[0].asks[0].price, D("100"));
    uint64_t trades = S.trades_out;
    uint64_t t = now_mono;
    for (int k = 0; k < 20000 && !find(&A, '8', 'F', "g1"); k++) {
        t += 1000000;
        sim_gen_next(&S, t);
        pump();
    }
    rep *r = must(&A, '8', 'F', "g1");
    assert_int_equal(r->liq, '1');
    assert_int_equal(r->st, '2');
    assert_int_equal(r->last_px, D("100"));
    assert_int_equal(r->fee, D("0.0001")); /* 100 * 0.001 * 10 bps */
    assert_true(S.trades_out > trades);
    assert_true(S.sym[0].nasks == 0 || S.sym[0].asks[0].price != D("100") || S.sym[0].asks[0].qty != D("0.001"));
    h_teardown();
}

static void test_stp_across_sessions(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_1", "acct");
    logon(&A2, "ENGINE_2", "acct");
    logon(&B, "OTHER", NULL);
    send_new(&A, (ord){.clid = "s", .side = '2', .qty = "1", .px = "100.00"});
    /* default: the taker expires, nothing trades */
    send_new(&A2, (ord){.clid = "b1", .qty = "1", .px = "100.00"});
    rep *e = must(&A2, '8', 'C', "b1");
    assert_int_equal(e->cum, 0);
    assert_int_equal(count(&A, '8', 'F'), 0);
    assert_int_equal(S.sym[0].asks[0].price, D("100"));
    /* 25001=2 (EXPIRE_TAKER) says the same */
    send_new(&A2, (ord){.clid = "b0", .qty = "1", .px = "100.00", .stp = '2'});
    assert_int_equal(must(&A2, '8', 'C', "b0")->cum, 0);
    /* 25001=3 (EXPIRE_MAKER): the maker goes (reported to its own session), the taker rests */
    send_new(&A2, (ord){.clid = "b2", .qty = "1", .px = "100.00", .stp = '3'});
    rep *c = must(&A, '8', '4', "s");
    assert_int_equal(c->st, '4');
    assert_int_equal(must(&A2, '8', '0', "b2")->st, '0');
    assert_int_equal(S.sym[0].bids[0].price, D("100"));
    /* 25001=4 (EXPIRE_BOTH): both go */
    send_new(&A, (ord){.clid = "s2", .side = '2', .qty = "1", .px = "100.00", .stp = '4'});
    must(&A2, '8', '4', "b2");
    must(&A, '8', 'C', "s2");
    /* 25001=1 (NONE): no prevention, the account trades with itself */
    send_new(&A, (ord){.clid = "n1", .side = '2', .qty = "1", .px = "100.00"});
    send_new(&A2, (ord){.clid = "n2", .qty = "0.4", .px = "100.00", .stp = '1'});
    rep *f = must(&A2, '8', 'F', "n2");
    assert_int_equal(f->st, '2');
    assert_int_equal(f->liq, '2');
    f = must(&A, '8', 'F', "n1");
    assert_int_equal(f->last_qty, D("0.4"));
    assert_int_equal(f->liq, '1');
    send_change(&A, "n1", "n1.c", NULL, NULL);
    must(&A, '8', '4', "n1.c");
    /* anything else is refused */
    send_new(&A2, (ord){.clid = "bad", .qty = "1", .px = "100.00", .stp = '5'});
    assert_non_null(strstr(must(&A2, '8', '8', "bad")->text, "25001"));
    /* another account trades with it as usual */
    send_new(&A, (ord){.clid = "s3", .side = '2', .qty = "1", .px = "100.00"});
    send_new(&B, (ord){.clid = "x", .qty = "1", .px = "100.00"});
    must(&A, '8', 'F', "s3");
    h_teardown();
}

static void test_unsupported_and_dump(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", "alice");
    logon(&B, "ENGINE_B", NULL);
    tf_fix_writer *w = tf_fix_session_begin(&A.s, "R");
    tf_fix_put_cstr(w, 131, "q");
    tf_fix_session_send(&A.s);
    pump();
    assert_int_equal(must(&A, 'j', 0, NULL)->biz, 3);
    send_new(&A, (ord){.clid = "1", .qty = "1", .px = "50.00"});
    send_new(&B, (ord){.clid = "s", .side = '2', .qty = "0.002", .px = "100.00"});
    send_new(&A, (ord){.clid = "2", .qty = "0.002", .px = "100.00"});
    send_change(&A, "1", "1.1", "3", "49.00");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    exchange_dump_orders(X, f);
    fclose(f);
    assert_non_null(strstr(buf, "\"account\":\"alice\",\"clordid\":\"1.1\",\"orig_clordid\":\"1\""));
    assert_non_null(strstr(buf, "\"status\":\"NEW\",\"price\":\"49.00000000\",\"qty\":\"3.00000000\""));
    assert_non_null(strstr(buf, "\"clordid\":\"2\""));
    assert_non_null(strstr(buf, "\"status\":\"FILLED\""));
    assert_non_null(strstr(buf, "\"avg_px\":\"100.00000000\",\"fees\":\"0.00040000\""));
    free(buf);
    h_teardown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_ack),
        cmocka_unit_test(test_cross_fills_both_sides),
        cmocka_unit_test(test_partial_fills),
        cmocka_unit_test(test_ioc_fok_market),
        cmocka_unit_test(test_iceberg),
        cmocka_unit_test(test_post_only),
        cmocka_unit_test(test_cancel_replace),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_mass_status),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_match_front),
        cmocka_unit_test(test_generated_taker_fills_participant),
        cmocka_unit_test(test_stp_across_sessions),
        cmocka_unit_test(test_unsupported_and_dump),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

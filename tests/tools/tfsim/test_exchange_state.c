/* tfsim's exchange across a restart (--fix-store DIR, DIR/orders.state;
 * tests/tools/tfsim/exchange_harness.h): the orders saved by one exchange are
 * loaded by a fresh one over fresh books. Open orders rest again at their
 * prices for what they have left, keep their OrderIDs, answer status
 * requests by their original and current ClOrdIDs, and can be canceled;
 * finished ones still answer; accounts and sessions (with their sequence
 * numbers) are back; an order the new market crosses trades at once and
 * its fill reaches the account's session by resend after its Logon; new
 * orders get new OrderIDs. A file of another version, a malformed one and
 * a missing one. */
#include <unistd.h>

#include "tests/tools/tfsim/exchange_harness.h"

static client A, B;
static char dir[] = "/tmp/tfsim-test-state.XXXXXX";

static void path_of(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", dir, name); }

static void cleanup_dir(void)
{
    char p[128];
    const char *names[] = {"orders.state", "orders.state.tmp", "TFSIM-ENGINE_A.seq", "TFSIM-ENGINE_B.seq"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        path_of(p, sizeof p, names[i]);
        unlink(p);
    }
    assert_int_equal(rmdir(dir), 0);
}

/* A restarted exchange over a fresh simulator; the clients keep their
 * sequence numbers (in memory) and log on again. */
static void restart(uint64_t a_in, uint64_t a_out, uint64_t b_in, uint64_t b_out, int64_t agent_bid_at_100)
{
    h_setup();
    S.fix.store_dir = dir;
    if (agent_bid_at_100) /* the regenerated market reaches a resting sell of ours */
        assert_int_equal(match_agent_level(S.sym[0].book, MATCH_BUY, D("100.00"), agent_bid_at_100), MATCH_OK);
    h_start();
    assert_int_equal(exchange_load_state(X, dir), 0);
    client_open(&A, "ENGINE_A", "acct", NULL);
    A.s.store.seq->next_in = a_in;
    A.s.store.seq->next_out = a_out;
    client_open(&B, "ENGINE_B", NULL, NULL);
    B.s.store.seq->next_in = b_in;
    B.s.store.seq->next_out = b_out;
}

static void test_orders_survive_restart(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/tfsim-test-state.XXXXXX");
    assert_non_null(mkdtemp(dir));
    h_setup();
    S.fix.store_dir = dir;
    h_start();
    logon(&A, "ENGINE_A", "acct");
    logon(&B, "ENGINE_B", NULL);
    /* finished: f (filled), c (canceled as c.x) */
    send_new(&B, (ord){.clid = "bs", .side = '2', .qty = "1", .px = "100.00"});
    send_new(&A, (ord){.clid = "f", .qty = "1", .px = "100.00"});
    assert_int_equal(must(&A, '8', 'F', "f")->st, '2');
    send_new(&A, (ord){.clid = "c", .qty = "1", .px = "40.00"});
    send_change(&A, "c", "c.x", NULL, NULL);
    /* open: r (replaced: r → r.1), p (partly filled), B's k */
    send_new(&A, (ord){.clid = "r", .qty = "1", .px = "50.00"});
    send_change(&A, "r", "r.1", "2", "51.00");
    send_new(&A, (ord){.clid = "p", .side = '2', .qty = "1", .px = "100.00"});
    send_new(&B, (ord){.clid = "b", .qty = "0.4", .px = "100.00"});
    send_new(&B, (ord){.clid = "k", .qty = "3", .px = "60.00"});
    send_new(&B, (ord){.clid = "ice", .qty = "1", .px = "70.00", .max_floor = "0.1"}); /* an iceberg */
    assert_int_equal(level_at(MATCH_BUY, D("70.00")), D("0.1"));
    send_status(&A, "p", "before");
    rep before = *must(&A, '8', 'I', "p");
    assert_int_equal(before.st, '1');
    assert_int_equal(before.cum, D("0.4"));
    char r_oid[32];
    snprintf(r_oid, sizeof r_oid, "%s", must(&A, '8', '5', "r.1")->oid);
    uint32_t open_before = match_open_orders(S.sym[0].book);
    assert_int_equal(open_before, 400 + 4); /* r.1, p, k, ice */
    assert_int_equal(exchange_save_state(X, dir), 0);
    uint64_t a_in = A.s.store.seq->next_in, a_out = A.s.store.seq->next_out;
    uint64_t b_in = B.s.store.seq->next_in, b_out = B.s.store.seq->next_out;
    h_teardown();

    /* the restart: an agent bid of 0.3 at 100.00 now meets p */
    restart(a_in, a_out, b_in, b_out, D("0.3"));
    assert_int_equal(match_open_orders(S.sym[0].book), open_before); /* the agent's bid is gone, filled */
    assert_int_equal(S.sym[0].asks[0].price, D("100.00"));
    assert_int_equal(S.sym[0].asks[0].qty, D("0.3"));
    assert_int_equal(S.sym[0].bids[0].price, D("99.99"));
    assert_int_equal(level_at(MATCH_BUY, D("70.00")), D("0.1")); /* still an iceberg */
    A.n = 0;
    client_connect(&A);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    client_connect(&B);
    assert_int_equal(B.s.state, TF_FIX_ACTIVE);
    /* the fill made at the restart comes by resend after the Logon */
    rep *f = must(&A, '8', 'F', "p");
    assert_true(f->poss_dup);
    assert_int_equal(f->last_qty, D("0.3"));
    assert_int_equal(f->cum, D("0.7"));
    assert_int_equal(f->liq, '2');
    assert_null(find(&A, '8', '0', NULL)); /* no second New for a restored order */
    /* status by original and current ClOrdIDs */
    send_status(&A, "r", "q1");
    rep *r = must(&A, '8', 'I', "r.1");
    assert_int_equal(r->st, '0');
    assert_int_equal(r->qty, D("2"));
    assert_int_equal(r->px, D("51"));
    assert_string_equal(r->oid, r_oid);
    send_status(&A, "r.1", "q2");
    assert_string_equal(must(&A, '8', 'I', "r.1")->oid, r_oid);
    send_status(&A, "p", "q3");
    r = must(&A, '8', 'I', "p");
    assert_int_equal(r->st, '1');
    assert_int_equal(r->cum, D("0.7"));
    assert_int_equal(r->leaves, D("0.3"));
    assert_int_equal(r->avg, D("100"));
    assert_string_equal(r->oid, before.oid);
    send_status(&A, "f", "q4");
    assert_int_equal(must(&A, '8', 'I', "f")->st, '2');
    send_status(&A, "c", "q5");
    assert_int_equal(must(&A, '8', 'I', "c.x")->st, '4');
    send_status(&B, "k", "q6");
    assert_int_equal(must(&B, '8', 'I', "k")->st, '0');
    send_status(&A, "k", "q7"); /* another account's */
    assert_int_equal(must(&A, '8', 'I', "k")->st, '8');
    /* the rest of p trades as it would have; r.1 cancels */
    send_new(&B, (ord){.clid = "b2", .qty = "0.3", .px = "100.00"});
    r = must(&A, '8', 'F', "p");
    assert_int_equal(r->st, '2');
    assert_int_equal(r->cum, D("1"));
    assert_int_equal(r->liq, '1');
    send_change(&A, "r.1", "r.2", NULL, NULL);
    r = must(&A, '8', '4', "r.2");
    assert_string_equal(r->orig, "r.1");
    assert_string_equal(r->oid, r_oid);
    /* a new order: a new OrderID */
    send_new(&A, (ord){.clid = "n", .qty = "1", .px = "30.00"});
    rep *n = must(&A, '8', '0', "n");
    assert_true(strtoull(n->oid, NULL, 10) >> 17 > strtoull(r_oid, NULL, 10) >> 17);
    /* saved again and loaded again: still there */
    assert_int_equal(exchange_save_state(X, dir), 0);
    a_in = A.s.store.seq->next_in, a_out = A.s.store.seq->next_out;
    b_in = B.s.store.seq->next_in, b_out = B.s.store.seq->next_out;
    h_teardown();
    restart(a_in, a_out, b_in, b_out, 0);
    client_connect(&A);
    send_status(&A, "r", "q8");
    assert_int_equal(must(&A, '8', 'I', "r.2")->st, '4');
    send_status(&A, "p", "q9");
    assert_int_equal(must(&A, '8', 'I', "p")->st, '2');
    send_status(&A, "n", "q10");
    assert_int_equal(must(&A, '8', 'I', "n")->st, '0');
    send_change(&A, "n", "n.c", NULL, NULL);
    must(&A, '8', '4', "n.c");
    assert_int_equal(match_open_orders(S.sym[0].book), 400 + 2); /* B's k and ice */
    h_teardown();
    cleanup_dir();
}

static void write_file(const char *text)
{
    char p[128];
    path_of(p, sizeof p, "orders.state");
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_bad_files(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/tfsim-test-state.XXXXXX");
    assert_non_null(mkdtemp(dir));
    h_setup();
    S.fix.store_dir = dir;
    h_start();
    assert_int_equal(exchange_load_state(X, dir), 1); /* none */
    write_file("tfsim-orders-state 3\ncounters 0 0\nend 0\n");
    assert_int_equal(exchange_load_state(X, dir), -1); /* another version */
    write_file("something else\n");
    assert_int_equal(exchange_load_state(X, dir), -1);
    write_file("tfsim-orders-state 1\ncounters 0 0\n");
    assert_int_equal(exchange_load_state(X, dir), -1); /* ends early */
    h_teardown();
    h_setup();
    S.fix.store_dir = dir;
    h_start();
    write_file("tfsim-orders-state 1\ncounters 5 0\naccount 1 =a\nsession 0 1 =ENGINE_A\n"
               "order O 131072 1 0 =TESTUSDT 0 0 0 0 0 0 5000000000 -1 0 0 0 0 =x =x\nend 1\n");
    assert_int_equal(exchange_load_state(X, dir), -1); /* a negative quantity */
    h_teardown();
    /* the smallest good one: an empty exchange, escaped names */
    h_setup();
    S.fix.store_dir = dir;
    h_start();
    write_file("tfsim-orders-state 1\ncounters 5 7\naccount 1 =a%20b\nend 0\n");
    assert_int_equal(exchange_load_state(X, dir), 0);
    logon(&A, "ENGINE_A", "a b");
    send_new(&A, (ord){.clid = "1", .qty = "1", .px = "50.00"});
    assert_int_equal(strtoull(must(&A, '8', '0', "1")->oid, NULL, 10) >> 17, 6);
    h_teardown();
    cleanup_dir();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orders_survive_restart),
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

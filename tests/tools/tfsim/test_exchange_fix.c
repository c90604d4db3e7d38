/* tfsim's exchange, the FIX side (tests/tools/tfsim/exchange_harness.h): Logon
 * accepted and refused (username/password, Ed25519 signature, no
 * ResetSeqNumFlag with --fix-reset), a reset Logon, one connection per
 * SenderCompID,
 * sequence numbers kept across reconnects, cancel-on-disconnect, reports
 * made while a session is down arriving by resend after its next Logon, a
 * connection broken with messages in flight both ways,
 * every FIX fault (fix-drop, fix-delay, fix-reject, fix-garble,
 * fix-skip-seq, fix-refuse-logon) and the SIGUSR1 drop; Binance's
 * OrderCancelRequestAndNewOrderSingle (XCN) as the engine sends it: both
 * legs done, the new order an order of its own (found by its ClOrdID, its
 * own OrderID, filling at once), the cancel failing under STOP_ON_FAILURE
 * (nothing else) and ALLOW_FAILURE (the new order anyway), the new order
 * refused after the cancel, a request missing its fields. */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include "tests/tools/tfsim/exchange_harness.h"

static client A, B, A2;

static void test_logon(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    assert_int_equal(A.s.store.seq->next_in, 2); /* our Logon answered */
    assert_int_equal(exchange_stats(X)->logons, 1);
    /* a Logout ends it; the next connection goes on with the numbers */
    tf_fix_session_logout(&A.s, "bye");
    pump();
    assert_int_equal(A.conn, -1);
    client_connect(&A);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    assert_int_equal(A.s.store.seq->next_in, 4);
    assert_int_equal(exchange_stats(X)->logons, 2);
    h_teardown();
}

static void test_password(void **state)
{
    (void)state;
    h_setup();
    S.fix.username = "u";
    S.fix.password = "p";
    h_start();
    client_open(&A, "ENGINE_A", "u", "wrong");
    client_connect(&A);
    assert_int_equal(A.conn, -1);
    assert_int_equal(A.s.close, TF_FIX_CLOSE_LOGON_REFUSED);
    assert_int_equal(exchange_stats(X)->logons_refused, 1);
    client_open(&B, "ENGINE_B", "u", "p");
    client_connect(&B);
    assert_int_equal(B.s.state, TF_FIX_ACTIVE);
    h_teardown();
}

static void write_key(EVP_PKEY *k, const char *path, bool priv)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(priv ? PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) : PEM_write_PUBKEY(f, k));
    fclose(f);
}

static void test_ed25519(void **state)
{
    (void)state;
    char dir[] = "/tmp/tfsim-test-key.XXXXXX", pub[64], priv[64], other[64];
    assert_non_null(mkdtemp(dir));
    snprintf(pub, sizeof pub, "%s/pub.pem", dir);
    snprintf(priv, sizeof priv, "%s/priv.pem", dir);
    snprintf(other, sizeof other, "%s/other.pem", dir);
    EVP_PKEY *k1 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), *k2 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    assert_non_null(k1);
    assert_non_null(k2);
    write_key(k1, pub, false);
    write_key(k1, priv, true);
    write_key(k2, other, true);
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k2);
    h_setup();
    S.fix.ed25519_pub = pub;
    h_start();
    /* no signature, the wrong key: refused; the right one: logged on */
    client_open(&A, "ENGINE_A", "apikey", NULL);
    client_connect(&A);
    assert_int_equal(A.s.close, TF_FIX_CLOSE_LOGON_REFUSED);
    client_open(&A2, "ENGINE_C", "apikey", NULL);
    A2.key = tf_fix_key_load(other, true);
    client_connect(&A2);
    assert_int_equal(A2.s.close, TF_FIX_CLOSE_LOGON_REFUSED);
    client_open(&B, "ENGINE_B", "apikey", NULL);
    B.key = tf_fix_key_load(priv, true);
    assert_non_null(B.key);
    client_connect(&B);
    assert_int_equal(B.s.state, TF_FIX_ACTIVE);
    assert_int_equal(exchange_stats(X)->logons_refused, 2);
    tf_fix_key_free(A2.key);
    tf_fix_key_free(B.key);
    h_teardown();
    unlink(pub);
    unlink(priv);
    unlink(other);
    rmdir(dir);
}

static void test_reset_flag(void **state)
{
    (void)state;
    h_setup();
    h_start();
    /* ResetSeqNumFlag=Y is taken: both sides start again at 1 */
    client_open(&A, "ENGINE_A", NULL, NULL);
    A.s.cfg.reset_on_logon = true;
    client_connect(&A);
    send_new(&A, (ord){.clid = "1", .qty = "1", .px = "50.00"});
    client_drop(&A);
    client_connect(&A);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    assert_int_equal(A.s.store.seq->next_in, 2);
    assert_int_equal(A.s.store.seq->next_out, 2);
    h_teardown();
    /* --fix-reset: required */
    h_setup();
    S.fix.reset = true;
    h_start();
    client_open(&A, "ENGINE_A", NULL, NULL);
    client_connect(&A);
    assert_int_equal(A.s.close, TF_FIX_CLOSE_LOGON_REFUSED);
    client_open(&B, "ENGINE_B", NULL, NULL);
    B.s.cfg.reset_on_logon = true;
    client_connect(&B);
    assert_int_equal(B.s.state, TF_FIX_ACTIVE);
    h_teardown();
}

/* --fix-store: sequence numbers survive tfsim's restart. */
static void test_store_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/tfsim-test-store.XXXXXX", path[96];
    assert_non_null(mkdtemp(dir));
    h_setup();
    S.fix.store_dir = dir;
    h_start();
    logon(&A, "ENGINE_A", NULL);
    send_new(&A, (ord){.clid = "1", .qty = "1", .px = "50.00"});
    uint64_t in = A.s.store.seq->next_in, out = A.s.store.seq->next_out;
    h_teardown(); /* tfsim stops; the client keeps its numbers in memory */
    h_setup();
    S.fix.store_dir = dir;
    h_start();
    client_open(&A, "ENGINE_A", NULL, NULL);
    A.s.store.seq->next_in = in;
    A.s.store.seq->next_out = out;
    client_connect(&A);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    assert_int_equal(A.s.store.seq->next_in, in + 1); /* no gap, no reset */
    assert_int_equal(A.s.c.resend_requests_out, 0);
    h_teardown();
    snprintf(path, sizeof path, "%s/TFSIM-ENGINE_A.seq", dir);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

static void test_one_connection_per_session(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    client_open(&A2, "ENGINE_A", NULL, NULL);
    client_connect(&A2);
    assert_int_equal(A2.conn, -1);
    assert_int_equal(A2.s.close, TF_FIX_CLOSE_LOGON_REFUSED);
    assert_string_equal(A2.s.close_text, "session already logged on");
    assert_int_equal(A.s.state, TF_FIX_ACTIVE); /* the first one is untouched */
    send_new(&A, (ord){.clid = "1", .qty = "1", .px = "50.00"});
    must(&A, '8', '0', "1");
    h_teardown();
}

static void test_cancel_on_disconnect(void **state)
{
    (void)state;
    h_setup();
    h_start();
    client_open(&A, "ENGINE_A", NULL, NULL);
    A.cod = true;
    client_connect(&A);
    logon(&B, "ENGINE_B", NULL);
    send_new(&A, (ord){.clid = "c1", .qty = "1", .px = "50.00"});
    send_new(&A, (ord){.clid = "c2", .side = '2', .qty = "1", .px = "150.00"});
    send_new(&B, (ord){.clid = "k", .qty = "1", .px = "50.00"});
    assert_int_equal(match_open_orders(S.sym[0].book) - 400, 3);
    client_drop(&A);
    assert_int_equal(match_open_orders(S.sym[0].book) - 400, 1); /* B's stays */
    assert_int_equal(exchange_stats(X)->cancel_on_disconnect, 2);
    A.n = 0;
    client_connect(&A); /* the cancels arrive by resend */
    rep *r = must(&A, '8', '4', "c1");
    assert_true(r->poss_dup);
    must(&A, '8', '4', "c2");
    h_teardown();
}

static void test_reports_while_down(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    logon(&B, "ENGINE_B", NULL);
    send_new(&A, (ord){.clid = "w", .side = '2', .qty = "1", .px = "100.00"});
    client_drop(&A);
    send_new(&B, (ord){.clid = "b", .qty = "0.25", .px = "100.00"});
    send_new(&B, (ord){.clid = "b2", .qty = "0.75", .px = "100.00"});
    assert_int_equal(count(&A, '8', 'F'), 0);
    client_connect(&A);
    assert_int_equal(count(&A, '8', 'F'), 2);
    rep *r = must(&A, '8', 'F', "w");
    assert_true(r->poss_dup);
    assert_int_equal(r->st, '2');
    assert_int_equal(r->cum, D("1"));
    h_teardown();
}

/* The connection breaks with messages in flight both ways: after the next
 * Logon each side asks for what it lost and gets it (the client's order
 * is placed from the resend, the client's fill report comes again). */
static void test_gaps_both_ways(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    logon(&B, "ENGINE_B", NULL);
    send_new(&A, (ord){.clid = "r", .side = '2', .qty = "1", .px = "100.00"});
    tf_fix_writer *w = tf_fix_session_begin(&B.s, "D");
    put_new(w, (ord){.clid = "b", .qty = "1", .px = "100.00"});
    tf_fix_session_send(&B.s);
    w = tf_fix_session_begin(&A.s, "D");
    put_new(w, (ord){.clid = "lost", .qty = "1", .px = "50.00"});
    tf_fix_session_send(&A.s);
    const char *p;
    size_t n = tf_fix_session_out_peek(&B.s, &p); /* only B's order reaches the exchange */
    exchange_conn_input(X, B.conn, p, n);
    tf_fix_session_out_done(&B.s, n);
    client_drop(&A); /* A's order and A's fill report are lost with the connection */
    assert_null(find(&A, '8', 'F', "r"));
    client_connect(&A);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    /* Each side asked the other for what it lost; neither waits for ever:
     * A's fill comes again (PossDup), A's lost order arrives by resend. */
    rep *r = must(&A, '8', 'F', "r");
    assert_true(r->poss_dup);
    send_status(&A, "lost", "q");
    assert_int_equal(must(&A, '8', 'I', "lost")->st, '0');
    send_new(&A, (ord){.clid = "after", .qty = "1", .px = "50.00"});
    must(&A, '8', '0', "after");
    h_teardown();
}

static void test_fault_drop(void **state)
{
    (void)state;
    h_setup();
    S.fix.fault.drop_every = 2;
    h_start();
    logon(&A, "ENGINE_A", NULL);
    /* three orders in one read: the drop comes after the second, the third
     * is still handled, all three answered, then the connection closes */
    for (int k = 0; k < 3; k++) {
        tf_fix_writer *w = tf_fix_session_begin(&A.s, "D");
        char id[16];
        snprintf(id, sizeof id, "%d", k + 1);
        put_new(w, (ord){.clid = id, .qty = "1", .px = "50.00"});
        tf_fix_session_send(&A.s);
    }
    pump();
    assert_int_equal(A.conn, -1);
    assert_int_equal(A.n, 3);
    assert_int_equal(exchange_stats(X)->f_drops, 1);
    assert_int_equal(match_open_orders(S.sym[0].book) - 400, 3);
    client_connect(&A);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    send_new(&A, (ord){.clid = "4", .qty = "1", .px = "50.00"});
    must(&A, '8', '0', "4");
    assert_int_equal(A.n, 4);
    h_teardown();
}

static void test_fault_delay(void **state)
{
    (void)state;
    h_setup();
    S.fix.fault.delay_ms = 50;
    h_start();
    logon(&A, "ENGINE_A", NULL);
    send_new(&A, (ord){.clid = "1", .qty = "1", .px = "50.00"});
    assert_int_equal(A.n, 0);
    assert_int_equal(exchange_wake_ns(X), now_mono + 50 * MSEC);
    advance(49 * MSEC);
    pump();
    assert_int_equal(A.n, 0);
    advance(1 * MSEC);
    pump();
    must(&A, '8', '0', "1");
    assert_int_equal(exchange_wake_ns(X), 0);
    assert_int_equal(exchange_stats(X)->f_delayed, 1);
    h_teardown();
}

static void test_fault_reject(void **state)
{
    (void)state;
    h_setup();
    S.fix.fault.reject_every = 2;
    h_start();
    logon(&A, "ENGINE_A", NULL);
    send_new(&A, (ord){.clid = "1", .qty = "1", .px = "50.00"});
    send_new(&A, (ord){.clid = "2", .qty = "1", .px = "50.00"});
    send_new(&A, (ord){.clid = "3", .qty = "1", .px = "50.00"});
    must(&A, '8', '0', "1");
    rep *r = must(&A, '8', '8', "2");
    assert_int_equal(r->rej, 99);
    assert_string_equal(r->text, "simulated reject");
    must(&A, '8', '0', "3");
    assert_int_equal(exchange_stats(X)->f_rejects, 1);
    h_teardown();
}

static void test_fault_garble(void **state)
{
    (void)state;
    h_setup();
    S.fix.fault.garble_every = 2;
    h_start();
    logon(&A, "ENGINE_A", NULL);
    send_new(&A, (ord){.clid = "1", .qty = "1", .px = "50.00"});
    send_new(&A, (ord){.clid = "2", .qty = "1", .px = "50.00"});
    assert_null(find(&A, '8', '0', "2"));
    assert_int_equal(A.s.c.garbled, 1);
    send_new(&A, (ord){.clid = "3", .qty = "1", .px = "50.00"}); /* shows the gap: resent, correct */
    rep *r = must(&A, '8', '0', "2");
    assert_true(r->poss_dup);
    must(&A, '8', '0', "3");
    assert_int_equal(exchange_stats(X)->f_garbled, 1);
    h_teardown();
}

static void test_fault_skip_seq(void **state)
{
    (void)state;
    h_setup();
    S.fix.fault.skip_seq_every = 2;
    h_start();
    logon(&A, "ENGINE_A", NULL);
    send_new(&A, (ord){.clid = "1", .qty = "1", .px = "50.00"});
    send_new(&A, (ord){.clid = "2", .qty = "1", .px = "50.00"});
    must(&A, '8', '0', "2");
    assert_true(A.s.c.resend_requests_out >= 1);
    assert_true(A.s.c.gap_fills_in >= 1);
    assert_int_equal(exchange_stats(X)->f_skipped, 1);
    must(&A, '8', '0', "1");
    h_teardown();
}

static void test_fault_refuse_logon(void **state)
{
    (void)state;
    h_setup();
    S.fix.fault.refuse_logons = 1;
    h_start();
    client_open(&A, "ENGINE_A", NULL, NULL);
    client_connect(&A);
    assert_int_equal(A.s.close, TF_FIX_CLOSE_LOGON_REFUSED);
    assert_int_equal(A.conn, -1);
    client_connect(&A);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    assert_int_equal(exchange_stats(X)->f_refused, 1);
    h_teardown();
}

static void test_drop_all(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    logon(&B, "ENGINE_B", NULL);
    /* SIGUSR1: at once, even with a report queued (it comes by resend) */
    tf_fix_writer *w = tf_fix_session_begin(&A.s, "D");
    put_new(w, (ord){.clid = "1", .qty = "1", .px = "50.00"});
    tf_fix_session_send(&A.s);
    const char *p;
    size_t n = tf_fix_session_out_peek(&A.s, &p);
    exchange_conn_input(X, A.conn, p, n);
    tf_fix_session_out_done(&A.s, n);
    exchange_drop_all(X);
    pump();
    assert_int_equal(A.conn, -1);
    assert_int_equal(B.conn, -1);
    assert_int_equal(A.n, 0);
    client_connect(&A);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    assert_true(must(&A, '8', '0', "1")->poss_dup);
    h_teardown();
}

/* ---- XCN ---- */

/* What the engine sends (exio_orders.c send_cancel_new): order "7", the
 * new one "7.1", the cancel "7.2", STOP_ON_FAILURE. */
static void test_xcn(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    logon(&B, "ENGINE_B", NULL);
    send_new(&A, (ord){.clid = "7", .qty = "1", .px = "50.00"});
    char oid[32];
    snprintf(oid, sizeof oid, "%s", must(&A, '8', '0', "7")->oid);
    int n0 = A.n;
    send_xcn(&A, (xcn){.mode = '1', .orig = "7", .cancel_id = "7.2", .clid = "7.1", .qty = "2", .px = "51.00"});
    assert_int_equal(A.n, n0 + 2);
    rep *c = &A.reps[n0], *nw = &A.reps[n0 + 1]; /* the cancel first, then the new order */
    assert_int_equal(c->type, '8');
    assert_int_equal(c->et, '4');
    assert_int_equal(c->st, '4');
    assert_string_equal(c->clid, "7.2");
    assert_string_equal(c->orig, "7");
    assert_string_equal(c->oid, oid);
    assert_int_equal(nw->type, '8');
    assert_int_equal(nw->et, '0');
    assert_int_equal(nw->st, '0');
    assert_string_equal(nw->clid, "7.1");
    assert_string_not_equal(nw->oid, oid); /* an exchange order of its own */
    assert_int_equal(nw->qty, D("2"));
    assert_int_equal(nw->px, D("51"));
    assert_int_equal(nw->cum, 0);
    assert_int_equal(S.sym[0].bids[0].price, D("99.99")); /* the agent's; ours below */
    assert_int_equal(match_open_orders(S.sym[0].book) - 400, 1);
    /* found by its ClOrdID; the old one by each of its own */
    send_status(&A, "7.1", "q1");
    rep *r = must(&A, '8', 'I', "7.1");
    assert_int_equal(r->st, '0');
    assert_string_equal(r->oid, nw->oid);
    send_status(&A, "7", "q2");
    assert_int_equal(must(&A, '8', 'I', "7.2")->st, '4');
    assert_int_equal(exchange_stats(X)->cancel_news, 1);
    /* it is canceled and replaced as any order */
    send_change(&A, "7.1", "7.3", "3", "52.00");
    must(&A, '8', '5', "7.3");
    /* a new order that trades at once: 150=0, then its fill */
    send_new(&B, (ord){.clid = "s", .side = '2', .qty = "1", .px = "100.00"});
    n0 = A.n;
    send_xcn(&A, (xcn){.mode = '1', .orig = "7.3", .cancel_id = "7.5", .clid = "7.4", .qty = "1", .px = "100.00"});
    assert_int_equal(A.n, n0 + 3);
    assert_int_equal(A.reps[n0].et, '4');
    assert_int_equal(A.reps[n0 + 1].et, '0');
    rep *f = &A.reps[n0 + 2];
    assert_int_equal(f->et, 'F');
    assert_string_equal(f->clid, "7.4");
    assert_int_equal(f->st, '2');
    assert_int_equal(f->liq, '2');
    must(&B, '8', 'F', "s");
    h_teardown();
}

static void test_xcn_cancel_fails(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    /* STOP_ON_FAILURE, unknown order: the OrderCancelReject, nothing else */
    send_xcn(&A, (xcn){.mode = '1', .orig = "nope", .cancel_id = "x.c", .clid = "x.n"});
    assert_int_equal(A.n, 1);
    rep *r = &A.reps[0];
    assert_int_equal(r->type, '9');
    assert_string_equal(r->clid, "x.c");
    assert_string_equal(r->orig, "nope");
    assert_int_equal(r->cxl_to, 1);
    assert_int_equal(r->cxl_reason, 1);
    send_status(&A, "x.n", "q");
    assert_int_equal(must(&A, '8', 'I', "x.n")->st, '8'); /* never placed */
    /* STOP_ON_FAILURE, an order already done: 102=0, nothing else */
    send_new(&A, (ord){.clid = "d", .qty = "1", .px = "50.00"});
    send_change(&A, "d", "d.c", NULL, NULL);
    int n0 = A.n;
    send_xcn(&A, (xcn){.mode = '1', .orig = "d", .cancel_id = "d.c2", .clid = "d.n"});
    assert_int_equal(A.n, n0 + 1);
    assert_int_equal(A.reps[n0].type, '9');
    assert_string_equal(A.reps[n0].clid, "d.c2");
    assert_int_equal(A.reps[n0].cxl_reason, 0);
    assert_int_equal(A.reps[n0].st, '4');
    assert_int_equal(match_open_orders(S.sym[0].book) - 400, 0);
    /* ALLOW_FAILURE: the reject, then the new order anyway */
    n0 = A.n;
    send_xcn(&A, (xcn){.mode = '2', .orig = "nope", .cancel_id = "y.c", .clid = "y.n", .qty = "0.5"});
    assert_int_equal(A.n, n0 + 2);
    assert_int_equal(A.reps[n0].type, '9');
    assert_string_equal(A.reps[n0].clid, "y.c");
    assert_int_equal(A.reps[n0].cxl_reason, 1);
    assert_int_equal(A.reps[n0 + 1].type, '8');
    assert_int_equal(A.reps[n0 + 1].et, '0');
    assert_string_equal(A.reps[n0 + 1].clid, "y.n");
    assert_int_equal(match_open_orders(S.sym[0].book) - 400, 1);
    /* ALLOW_FAILURE, the order named by OrderID: canceled, then the new one */
    char oid[32];
    snprintf(oid, sizeof oid, "%s", A.reps[n0 + 1].oid);
    n0 = A.n;
    send_xcn(&A, (xcn){.mode = '2', .order_id = oid, .cancel_id = "z.c", .clid = "z.n"});
    assert_int_equal(A.n, n0 + 2);
    assert_int_equal(A.reps[n0].et, '4');
    assert_string_equal(A.reps[n0].clid, "z.c");
    assert_string_equal(A.reps[n0].orig, "y.n");
    must(&A, '8', '0', "z.n");
    assert_int_equal(match_open_orders(S.sym[0].book) - 400, 1);
    h_teardown();
}

/* The cancel done, the new order refused (ExecType 8, with 37 its own or
 * NONE, never the old order's); a request without CancelClOrdID or mode. */
static void test_xcn_new_refused(void **state)
{
    (void)state;
    h_setup();
    h_start();
    logon(&A, "ENGINE_A", NULL);
    send_new(&A, (ord){.clid = "k", .qty = "1", .px = "50.00"});
    char oid[32];
    snprintf(oid, sizeof oid, "%s", must(&A, '8', '0', "k")->oid);
    int n0 = A.n;
    send_xcn(&A, (xcn){.mode = '1', .orig = "k", .order_id = oid, .cancel_id = "k.c", .clid = "k.n", .sym = "NOPE"});
    assert_int_equal(A.n, n0 + 2);
    assert_int_equal(A.reps[n0].et, '4');
    rep *r = &A.reps[n0 + 1];
    assert_int_equal(r->et, '8');
    assert_string_equal(r->clid, "k.n");
    assert_string_equal(r->oid, "NONE");
    /* a refused new order of a known symbol is an order of its own (status answers) */
    send_new(&A, (ord){.clid = "m", .qty = "1", .px = "50.00"});
    send_xcn(&A, (xcn){.mode = '1', .orig = "m", .cancel_id = "m.c", .clid = "m.n", .qty = "0.0001"});
    r = must(&A, '8', '8', "m.n");
    assert_string_not_equal(r->oid, must(&A, '8', '0', "m")->oid);
    assert_int_equal(match_open_orders(S.sym[0].book) - 400, 0);
    /* fields missing: BusinessMessageReject, nothing done */
    send_new(&A, (ord){.clid = "q", .qty = "1", .px = "50.00"});
    n0 = A.n;
    send_xcn(&A, (xcn){.mode = '1', .orig = "q", .clid = "q.n"});
    send_xcn(&A, (xcn){.mode = '3', .orig = "q", .cancel_id = "q.c", .clid = "q.n"});
    assert_int_equal(A.n, n0 + 2);
    assert_int_equal(A.reps[n0].type, 'j');
    assert_int_equal(A.reps[n0].biz, 5);
    assert_int_equal(A.reps[n0 + 1].biz, 5);
    assert_int_equal(match_open_orders(S.sym[0].book) - 400, 1);
    h_teardown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logon),
        cmocka_unit_test(test_password),
        cmocka_unit_test(test_ed25519),
        cmocka_unit_test(test_reset_flag),
        cmocka_unit_test(test_store_dir),
        cmocka_unit_test(test_one_connection_per_session),
        cmocka_unit_test(test_cancel_on_disconnect),
        cmocka_unit_test(test_reports_while_down),
        cmocka_unit_test(test_gaps_both_ways),
        cmocka_unit_test(test_fault_drop),
        cmocka_unit_test(test_fault_delay),
        cmocka_unit_test(test_fault_reject),
        cmocka_unit_test(test_fault_garble),
        cmocka_unit_test(test_fault_skip_seq),
        cmocka_unit_test(test_fault_refuse_logon),
        cmocka_unit_test(test_drop_all),
        cmocka_unit_test(test_xcn),
        cmocka_unit_test(test_xcn_cancel_fails),
        cmocka_unit_test(test_xcn_new_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* tfsim's exchange, the FIX venue-behaviour faults
 * (tests/tools/tfsim/exchange_harness.h): fix-session-reset (a session
 * boundary after S seconds: Logout "end of session", numbers back to 1,
 * silently or announced with ResetSeqNumFlag=Y; orders stay),
 * fix-lose-book (a restarted tfsim keeps accounts and sequence numbers but
 * no order), fix-rewind-in (a restarted tfsim asks for messages it had
 * already processed; with fix-lose-book it places the old orders again),
 * fix-strict (a FIX 4.4 dictionary: a Logon with 8013 never completes, an
 * application message with a 25xxx tag or an XCN is refused by session
 * Reject and not acted on, an admin one too), fix-status-latest (H only by
 * the current ClOrdID or OrderID) and fix-fill-after-cancel (a fill
 * reported after the Canceled one, and kept in the order). Each test fails
 * without its fault's code. */
#include <unistd.h>

#include "tests/tools/tfsim/exchange_harness.h"

static client A, B;
static char dir[] = "/tmp/tfsim-test-faults.XXXXXX";

/* What the exchange wrote on a connection, parsed. */
typedef struct out_msg {
    char type[4], reset, ref_type[4], text[64];
    uint64_t seq, begin, ref_seq, ref_tag, reason;
} out_msg;

static tf_fix_msg parsed;

/* Everything the exchange has for connection conn, parsed into out (at
 * most max); handed on to client c too when c is given. */
static int take_output(int conn, client *c, out_msg *out, int max)
{
    const char *p;
    size_t n;
    int k = 0;
    while ((n = exchange_conn_peek(X, conn, &p)) > 0) {
        for (size_t off = 0, ml; off < n; off += ml) {
            assert_int_equal(tf_fix_frame(p + off, n - off, &ml), TF_FIX_FRAME_OK);
            assert_int_equal(tf_fix_parse(p + off, ml, &parsed), TF_FIX_OK);
            assert_true(k < max);
            out_msg *o = &out[k++];
            memset(o, 0, sizeof *o);
            memcpy(o->type, parsed.msg_type, sizeof o->type);
            o->seq = parsed.seq;
            tf_fix_get_char(&parsed, TF_FIX_TAG_RESET_SEQ_NUM_FLAG, &o->reset);
            tf_fix_get_u64(&parsed, TF_FIX_TAG_BEGIN_SEQ_NO, &o->begin);
            tf_fix_get_u64(&parsed, TF_FIX_TAG_REF_SEQ_NUM, &o->ref_seq);
            tf_fix_get_u64(&parsed, TF_FIX_TAG_REF_TAG_ID, &o->ref_tag);
            tf_fix_get_u64(&parsed, TF_FIX_TAG_SESSION_REJECT_REASON, &o->reason);
            get_s(&parsed, TF_FIX_TAG_REF_MSG_TYPE, o->ref_type, sizeof o->ref_type);
            get_s(&parsed, TF_FIX_TAG_TEXT, o->text, sizeof o->text);
        }
        if (c)
            tf_fix_session_on_bytes(&c->s, p, n);
        exchange_conn_written(X, conn, n);
    }
    return k;
}

/* The client connects and its Logon reaches the exchange; nothing comes back yet. */
static void raw_logon(client *c)
{
    clock_all();
    c->conn = exchange_conn_open(X);
    assert_true(c->conn >= 0);
    tf_fix_session_connected(&c->s);
    const char *p;
    size_t n;
    while ((n = tf_fix_session_out_peek(&c->s, &p)) > 0) {
        exchange_conn_input(X, c->conn, p, n);
        tf_fix_session_out_done(&c->s, n);
    }
}

/* ---- restarts over --fix-store, the clients kept (their sent messages too) ---- */

static void stop_keep_clients(void)
{
    for (int i = 0; i < NCL; i++)
        client_drop(CL[i]);
    NCL = 0;
    exchange_free(X);
    X = NULL;
    S.ex = NULL;
    S.order_events = (sim_order_ops){0};
    sim_gen_free(&S);
    free(S.msg);
    free(S.held);
}

static void start_with_store(sim_fix_fault f, bool load)
{
    h_setup();
    S.fix.store_dir = dir;
    S.fix.fault = f;
    h_start();
    if (load)
        assert_int_equal(exchange_load_state(X, dir), 0);
}

static void keep(client *c)
{
    CL[NCL++] = c;
    tf_fix_session_clock(&c->s, now_mono, now_wall);
}

static void cleanup_dir(void)
{
    const char *names[] = {"orders.state", "orders.state.tmp", "TFSIM-ENGINE_A.seq", "TFSIM-ENGINE_B.seq"};
    char p[128];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    assert_int_equal(rmdir(dir), 0);
}

/* ---- fix-session-reset ---- */

/* Up to the boundary: A logged on (asking for cancel on disconnect) with a
 * resting order; B down. */
static void before_boundary(void)
{
    client_open(&A, "ENGINE_A", NULL, NULL);
    A.cod = true;
    client_connect(&A);
    logon(&B, "ENGINE_B", NULL);
    send_new(&B, (ord){.clid = "b", .qty = "1", .px = "40.00"});
    client_drop(&B);
    send_new(&A, (ord){.clid = "g", .qty = "1", .px = "50.00"});
    advance(59 * SEC);
    pump();
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    assert_int_equal(exchange_stats(X)->f_session_resets, 0);
    advance(1 * SEC);
    pump();
    /* the Logout came; the connection closed once it was written */
    assert_int_equal(A.conn, -1);
    assert_int_equal(A.s.close, TF_FIX_CLOSE_PEER_LOGOUT);
    assert_string_equal(A.s.close_text, "end of session");
    assert_int_equal(exchange_stats(X)->f_session_resets, 1);
    assert_int_equal(match_open_orders(S.sym[0].book) - 400, 2); /* orders outlive it, 8013=Y or not */
    assert_int_equal(exchange_stats(X)->cancel_on_disconnect, 0);
    A.cod = false; /* its next Logons do not ask for it (they are broken off below) */
}

static void test_session_reset_silent(void **state)
{
    (void)state;
    h_setup();
    S.fix.fault.session_reset_after_s = 60;
    h_start();
    before_boundary();
    /* A logs on with its old, higher number: a Logon with MsgSeqNum 1 and
     * no ResetSeqNumFlag comes back, and a ResendRequest from 1 */
    uint64_t old = A.s.store.seq->next_out;
    assert_true(old > 2);
    raw_logon(&A);
    out_msg out[8];
    int n = take_output(A.conn, &A, out, 8);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].type, "A");
    assert_int_equal(out[0].seq, 1);
    assert_true(out[0].reset != 'Y');
    assert_string_equal(out[1].type, "2");
    assert_int_equal(out[1].seq, 2);
    assert_int_equal(out[1].begin, 1);
    assert_int_equal(A.s.close, TF_FIX_CLOSE_LOGON_SEQ_LOW); /* the initiator cannot go on */
    pump();
    assert_int_equal(A.conn, -1);
    /* an operator's reset: logged on again, the order is still there */
    A.s.cfg.reset_on_logon = true;
    client_connect(&A);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    send_status(&A, "g", "q");
    assert_int_equal(must(&A, '8', 'I', "g")->st, '0');
    /* once only */
    advance(120 * SEC);
    pump();
    assert_int_equal(exchange_stats(X)->f_session_resets, 1);
    h_teardown();
}

static void test_session_reset_flag(void **state)
{
    (void)state;
    h_setup();
    S.fix.fault.session_reset_after_s = 60;
    S.fix.fault.session_reset_flag = true;
    h_start();
    before_boundary();
    /* the answer to A's old Logon says ResetSeqNumFlag=Y: both start at 1 */
    raw_logon(&A);
    out_msg out[8];
    int n = take_output(A.conn, &A, out, 8);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].type, "A");
    assert_int_equal(out[0].seq, 1);
    assert_int_equal(out[0].reset, 'Y');
    pump();
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    assert_int_equal(A.s.c.seq_resets, 1);
    assert_int_equal(A.s.store.seq->next_in, 2);
    assert_int_equal(A.s.store.seq->next_out, 2);
    send_status(&A, "g", "q");
    assert_int_equal(must(&A, '8', 'I', "g")->st, '0');
    /* B was down at the boundary: reset too */
    client_connect(&B);
    assert_int_equal(B.s.state, TF_FIX_ACTIVE);
    assert_int_equal(B.s.c.seq_resets, 1);
    send_status(&B, "b", "q");
    assert_int_equal(must(&B, '8', 'I', "b")->st, '0');
    h_teardown();
}

/* ---- fix-lose-book, fix-rewind-in ---- */

/* A places o1 o2 o3 (MsgSeqNum 2, 3, 4; o2 canceled as o2.x) and tfsim stops with its state saved. */
static void three_orders_then_stop(void)
{
    strcpy(dir, "/tmp/tfsim-test-faults.XXXXXX");
    assert_non_null(mkdtemp(dir));
    start_with_store((sim_fix_fault){0}, false);
    logon(&A, "ENGINE_A", NULL);
    send_new(&A, (ord){.clid = "o1", .qty = "1", .px = "50.00"});
    send_new(&A, (ord){.clid = "o2", .qty = "1", .px = "50.00"});
    send_new(&A, (ord){.clid = "o3", .qty = "1", .px = "50.00"});
    send_change(&A, "o2", "o2.x", NULL, NULL);
    assert_int_equal(A.s.store.seq->next_out, 6);
    assert_int_equal(exchange_save_state(X, dir), 0);
    stop_keep_clients();
    A.n = 0;
}

static void test_lose_book(void **state)
{
    (void)state;
    three_orders_then_stop();
    start_with_store((sim_fix_fault){.lose_book = true}, true);
    keep(&A);
    assert_int_equal(match_open_orders(S.sym[0].book), 400);
    client_connect(&A);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    assert_int_equal(A.s.c.resend_requests_in, 0); /* the numbers were kept */
    assert_int_equal(A.s.c.resend_requests_out, 0);
    send_status(&A, "o1", "q1"); /* acknowledged before the crash */
    rep *r = must(&A, '8', 'I', "o1");
    assert_int_equal(r->st, '8');
    assert_string_equal(r->text, "unknown order");
    send_status(&A, "o2.x", "q2");
    assert_int_equal(must(&A, '8', 'I', "o2.x")->st, '8');
    send_change(&A, "o3", "o3.x", NULL, NULL);
    r = must(&A, '9', 0, "o3.x");
    assert_int_equal(r->cxl_reason, 1);
    /* new orders go on with new OrderIDs */
    send_new(&A, (ord){.clid = "n", .qty = "1", .px = "50.00"});
    assert_int_equal(strtoull(must(&A, '8', '0', "n")->oid, NULL, 10) >> 17, 4);
    h_teardown();
    cleanup_dir();
}

static void test_rewind_in(void **state)
{
    (void)state;
    three_orders_then_stop();
    start_with_store((sim_fix_fault){.rewind_in = 2}, true);
    keep(&A);
    /* expects 4 again, not 6: A's Logon (6) asks for 4 and 5, which A resends */
    client_connect(&A);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    assert_int_equal(A.s.c.resend_requests_in, 1);
    assert_int_equal(A.s.c.resent, 2);
    /* o3 again (PossDup): tfsim knows it and says what became of it; the
     * cancel of o2 again: too late */
    rep *r = must(&A, '8', 'I', "o3");
    assert_int_equal(r->st, '0');
    assert_int_equal(must(&A, '9', 0, "o2.x")->cxl_reason, 0);
    assert_null(find(&A, '8', 0, "o1"));
    assert_int_equal(match_open_orders(S.sym[0].book) - 400, 2);
    h_teardown();
    cleanup_dir();
}

/* Both: the venue lost the orders and asks for the old ones again. */
static void test_rewind_in_lost_book(void **state)
{
    (void)state;
    three_orders_then_stop();
    start_with_store((sim_fix_fault){.rewind_in = 3, .lose_book = true}, true);
    keep(&A);
    client_connect(&A);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    assert_int_equal(A.s.c.resent, 3);
    /* o2 and o3 placed again as new orders; o2's cancel, resent after
     * it, cancels the new o2 */
    must(&A, '8', '0', "o2");
    must(&A, '8', '0', "o3");
    must(&A, '8', '4', "o2.x");
    send_status(&A, "o1", "q");
    assert_int_equal(must(&A, '8', 'I', "o1")->st, '8');
    assert_int_equal(match_open_orders(S.sym[0].book) - 400, 1);
    h_teardown();
    cleanup_dir();
}

/* ---- fix-strict ---- */

static void test_strict_logon(void **state)
{
    (void)state;
    h_setup();
    S.fix.fault.strict = true;
    h_start();
    /* a Logon with 8013=Y: a Reject outside any session, MsgSeqNum 1 */
    client_open(&A, "ENGINE_A", NULL, NULL);
    A.cod = true;
    raw_logon(&A);
    int conn = A.conn;
    out_msg out[4];
    assert_int_equal(take_output(conn, NULL, out, 4), 1);
    assert_string_equal(out[0].type, "3");
    assert_int_equal(out[0].seq, 1);
    assert_int_equal(out[0].ref_seq, 1);
    assert_int_equal(out[0].ref_tag, 8013);
    assert_string_equal(out[0].ref_type, "A");
    assert_int_equal(out[0].reason, 0);
    assert_string_equal(out[0].text, "Invalid tag number: 8013");
    /* it never logs on: more input is ignored, the connection waits for its timeout */
    exchange_conn_input(X, conn, "8=FIX.4.4\x01", 10);
    assert_int_equal(take_output(conn, NULL, out, 4), 0);
    assert_false(exchange_conn_done(X, conn));
    advance(9 * SEC);
    assert_false(exchange_conn_done(X, conn));
    advance(1 * SEC);
    assert_true(exchange_conn_done(X, conn));
    client_drop(&A);
    assert_int_equal(exchange_stats(X)->sessions, 0);
    assert_int_equal(exchange_stats(X)->logons, 0);
    assert_int_equal(exchange_stats(X)->logons_refused, 1);
    assert_int_equal(exchange_stats(X)->f_strict, 1);
    /* the initiator takes the Reject as a refusal, with the venue's words */
    client_open(&B, "ENGINE_B", NULL, NULL);
    B.cod = true;
    client_connect(&B);
    assert_int_equal(B.s.close, TF_FIX_CLOSE_LOGON_REFUSED);
    assert_string_equal(B.s.reject_text, "Invalid tag number: 8013");
    /* a standard Logon is taken */
    A.cod = false;
    client_connect(&A);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    h_teardown();
}

static void test_strict_messages(void **state)
{
    (void)state;
    h_setup();
    S.fix.fault.strict = true;
    h_start();
    logon(&A, "ENGINE_A", NULL);
    /* SelfTradePreventionMode (25001): refused, not placed */
    uint64_t seq = A.s.store.seq->next_out;
    send_new(&A, (ord){.clid = "s", .qty = "1", .px = "50.00", .stp = '3'});
    assert_int_equal(A.n, 1);
    rep *r = &A.reps[0];
    assert_int_equal(r->type, '3');
    assert_int_equal(r->ref_seq, seq);
    assert_int_equal(r->ref_tag, 25001);
    assert_string_equal(r->ref_type, "D");
    assert_int_equal(r->sess_rej, 0);
    assert_string_equal(r->text, "Invalid tag number: 25001");
    assert_int_equal(match_open_orders(S.sym[0].book), 400);
    /* XCN: not a FIX 4.4 MsgType */
    send_xcn(&A, (xcn){.mode = '1', .orig = "s", .cancel_id = "s.c", .clid = "s.n"});
    assert_int_equal(A.n, 2);
    r = &A.reps[1];
    assert_int_equal(r->type, '3');
    assert_int_equal(r->sess_rej, 11);
    assert_string_equal(r->ref_type, "XCN");
    assert_int_equal(r->ref_tag, 0);
    assert_string_equal(r->text, "Invalid MsgType: XCN");
    /* an admin message with a tag outside the dictionary */
    tf_fix_writer *w = tf_fix_session_begin(&A.s, "0");
    tf_fix_put_cstr(w, 9999, "x");
    assert_true(tf_fix_session_send(&A.s) > 0);
    pump();
    assert_int_equal(A.n, 3);
    assert_string_equal(A.reps[2].ref_type, "0");
    assert_int_equal(A.reps[2].ref_tag, 9999);
    /* the numbers were taken both ways: a standard order goes on with no gap */
    send_new(&A, (ord){.clid = "ok", .qty = "1", .px = "50.00"});
    must(&A, '8', '0', "ok");
    send_change(&A, "ok", "ok.x", NULL, NULL);
    must(&A, '8', '4', "ok.x");
    assert_int_equal(A.s.c.resend_requests_out, 0);
    assert_int_equal(A.s.c.resend_requests_in, 0);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    assert_int_equal(exchange_stats(X)->f_strict, 3);
    assert_int_equal(exchange_stats(X)->orders, 1);
    h_teardown();
}

/* ---- fix-status-latest ---- */

static void send_status_oid(client *c, const char *clid, const char *oid)
{
    tf_fix_writer *w = tf_fix_session_begin(&c->s, "H");
    tf_fix_put_cstr(w, TF_FIX_TAG_CL_ORD_ID, clid);
    tf_fix_put_cstr(w, TF_FIX_TAG_ORDER_ID, oid);
    tf_fix_put_cstr(w, TF_FIX_TAG_SYMBOL, "TESTUSDT");
    tf_fix_put_char(w, TF_FIX_TAG_SIDE, '1');
    assert_true(tf_fix_session_send(&c->s) > 0);
    pump();
}

static void test_status_latest(void **state)
{
    (void)state;
    h_setup();
    S.fix.fault.status_latest = true;
    h_start();
    logon(&A, "ENGINE_A", NULL);
    send_new(&A, (ord){.clid = "r", .qty = "1", .px = "50.00"});
    send_change(&A, "r", "r.1", "2", "51.00");
    char oid[32];
    snprintf(oid, sizeof oid, "%s", must(&A, '8', '5', "r.1")->oid);
    send_status(&A, "r", "q1"); /* an earlier ClOrdID: unknown */
    rep *r = must(&A, '8', 'I', "r");
    assert_int_equal(r->st, '8');
    assert_string_equal(r->oid, "NONE");
    send_status(&A, "r.1", "q2");
    assert_int_equal(must(&A, '8', 'I', "r.1")->st, '0');
    send_status_oid(&A, "r", oid); /* the OrderID still finds it */
    r = &A.reps[A.n - 1];
    assert_int_equal(r->et, 'I');
    assert_string_equal(r->clid, "r.1");
    assert_int_equal(r->st, '0');
    /* cancels still find it by any of its ClOrdIDs */
    send_change(&A, "r", "r.2", NULL, NULL);
    must(&A, '8', '4', "r.2");
    h_teardown();
}

/* ---- fix-fill-after-cancel ---- */

static void test_fill_after_cancel(void **state)
{
    (void)state;
    h_setup();
    S.fix.fault.fill_after_cancel = 2;
    h_start();
    logon(&A, "ENGINE_A", NULL);
    send_new(&A, (ord){.clid = "a", .qty = "1", .px = "50.00"});
    send_new(&A, (ord){.clid = "b", .qty = "0.005", .px = "50.00"});
    send_new(&A, (ord){.clid = "c", .qty = "1", .px = "50.00"});
    send_new(&A, (ord){.clid = "d", .qty = "0.001", .px = "50.00"});
    send_change(&A, "zz", "zz.x", NULL, NULL); /* unknown: not a cancel that cancels */
    send_change(&A, "a", "a.x", NULL, NULL);   /* 1st */
    assert_int_equal(count(&A, '8', 'F'), 0);
    int n0 = A.n;
    send_change(&A, "b", "b.x", NULL, NULL);   /* 2nd: the racing fill */
    assert_int_equal(A.n, n0 + 2);
    rep *c = &A.reps[n0], *f = &A.reps[n0 + 1];
    assert_int_equal(c->et, '4');
    assert_int_equal(c->cum, 0);
    assert_int_equal(f->type, '8');
    assert_int_equal(f->et, 'F');
    assert_int_equal(f->st, '4');
    assert_string_equal(f->clid, "b.x");
    assert_string_equal(f->oid, c->oid);
    assert_int_equal(f->last_qty, D("0.002")); /* half of 0.005, down to the lot */
    assert_int_equal(f->last_px, D("50"));
    assert_int_equal(f->cum, D("0.002"));
    assert_int_equal(f->leaves, 0);
    assert_int_equal(f->avg, D("50"));
    assert_int_equal(f->fee, D("0.0001")); /* 0.1 notional at the maker's 10 bps */
    assert_int_equal(f->liq, '1');
    send_change(&A, "c", "c.x", NULL, NULL); /* 3rd */
    assert_int_equal(count(&A, '8', 'F'), 1);
    send_change(&A, "d", "d.x", NULL, NULL); /* 4th: one lot left, one lot fills */
    f = &A.reps[A.n - 1];
    assert_int_equal(f->et, 'F');
    assert_int_equal(f->last_qty, D("0.001"));
    assert_int_equal(f->cum, D("0.001"));
    assert_int_equal(f->st, '4');
    /* the fill is the venue's: status and the dump say so */
    send_status(&A, "b.x", "q");
    rep *r = must(&A, '8', 'I', "b.x");
    assert_int_equal(r->st, '4');
    assert_int_equal(r->cum, D("0.002"));
    assert_int_equal(exchange_stats(X)->f_fill_after_cancel, 2);
    assert_int_equal(exchange_stats(X)->fills, 2);
    char buf[4096] = "";
    FILE *dump = fmemopen(buf, sizeof buf - 1, "w");
    assert_non_null(dump);
    exchange_dump_orders(X, dump);
    fclose(dump);
    assert_non_null(strstr(buf, "\"clordid\":\"b.x\",\"orig_clordid\":\"b\""));
    char *line = strstr(buf, "\"clordid\":\"b.x\"");
    assert_non_null(line);
    *strchr(line, '\n') = 0;
    assert_non_null(strstr(line, "\"status\":\"CANCELED\",\"price\":\"50.00000000\",\"qty\":\"0.00500000\","
                                 "\"cum\":\"0.00200000\",\"avg_px\":\"50.00000000\",\"fees\":\"0.00010000\""));
    h_teardown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_reset_silent),
        cmocka_unit_test(test_session_reset_flag),
        cmocka_unit_test(test_lose_book),
        cmocka_unit_test(test_rewind_in),
        cmocka_unit_test(test_rewind_in_lost_book),
        cmocka_unit_test(test_strict_logon),
        cmocka_unit_test(test_strict_messages),
        cmocka_unit_test(test_status_latest),
        cmocka_unit_test(test_fill_after_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

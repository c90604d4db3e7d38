/* The FIX session layer, an initiator and an acceptor wired back to back in
 * memory (a pump moves each side's send queue into the other): logon,
 * heartbeats and TestRequest, the heartbeat timeout, resend in both
 * directions (messages again with PossDup, or gap fills), sequence resets,
 * a sequence number too low, garbled and malformed messages, wrong CompIDs,
 * a first message that is not a Logon, a refused Logon, logout, sequence
 * numbers kept across a restart, a message split into single bytes, and a
 * reconnect after a drop with messages in flight. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/fix/fix_session.h"
#include "tests/test_util.h"

#define SEC 1000000000ull

typedef struct side {
    tf_fix_session s;
    char got[64][24];            /* ClOrdIDs of the application messages received, in order */
    bool got_dup[64];
    int ngot;
    int rejects;                 /* session Rejects passed to the application */
    uint64_t last_reject_ref;
    bool drop_out;               /* the pump throws this side's bytes away */
} side;

static side I, A;                /* initiator, acceptor */
static uint64_t now_mono = 1000 * SEC, now_wall = 1767225600ull * SEC;

static int on_app(void *ctx, tf_fix_session *s, const tf_fix_msg *m)
{
    (void)s;
    side *x = ctx;
    if (tf_fix_is(m, "3")) {
        x->rejects++;
        tf_fix_get_u64(m, TF_FIX_TAG_REF_SEQ_NUM, &x->last_reject_ref);
        return 0;
    }
    if (!tf_fix_is(m, "D"))
        return 3;
    const char *v;
    size_t n;
    assert_int_equal(tf_fix_get_str(m, TF_FIX_TAG_CL_ORD_ID, &v, &n), 0);
    if (x->ngot < 64) {
        snprintf(x->got[x->ngot], sizeof x->got[0], "%.*s", (int)n, v);
        x->got_dup[x->ngot] = m->poss_dup;
        x->ngot++;
    }
    return 0;
}

static const tf_fix_session_ops ops = {.on_app = on_app};

static void clock_all(void)
{
    tf_fix_session_clock(&I.s, now_mono, now_wall);
    tf_fix_session_clock(&A.s, now_mono, now_wall);
}

static void advance(uint64_t ns)
{
    now_mono += ns;
    now_wall += ns;
    clock_all();
}

static void open_side(side *x, bool initiator, const char *dir, const char *user, const char *pass, bool resend_app)
{
    memset(x, 0, sizeof *x);
    tf_fix_session_config c = {.initiator = initiator, .heartbeat_s = 30, .resend_app = resend_app};
    snprintf(c.sender, sizeof c.sender, "%s", initiator ? "ENGINE" : "TFSIM");
    snprintf(c.target, sizeof c.target, "%s", initiator ? "TFSIM" : "ENGINE");
    snprintf(c.username, sizeof c.username, "%s", user);
    snprintf(c.password, sizeof c.password, "%s", pass);
    if (dir)
        snprintf(c.store_dir, sizeof c.store_dir, "%s", dir);
    assert_int_equal(tf_fix_session_init(&x->s, &c, &ops, x), 0);
    tf_fix_session_clock(&x->s, now_mono, now_wall);
}

/* Move queued bytes from one side to the other, `chunk` bytes at a time
 * (0: all at once), until both queues are empty. */
static void pump_chunks(size_t chunk)
{
    for (int round = 0; round < 100; round++) {
        int moved = 0;
        side *from[2] = {&I, &A}, *to[2] = {&A, &I};
        for (int k = 0; k < 2; k++) {
            const char *p;
            size_t n;
            while ((n = tf_fix_session_out_peek(&from[k]->s, &p)) > 0) {
                if (!from[k]->drop_out) {
                    size_t step = chunk ? chunk : n;
                    for (size_t off = 0; off < n; off += step)
                        tf_fix_session_on_bytes(&to[k]->s, p + off, n - off < step ? n - off : step);
                }
                tf_fix_session_out_done(&from[k]->s, n);
                moved = 1;
            }
        }
        if (!moved)
            return;
    }
    fail_msg("the sessions kept talking for 100 rounds");
}

static void pump(void) { pump_chunks(0); }

static void connect_both(void)
{
    clock_all();
    tf_fix_session_connected(&A.s);
    tf_fix_session_connected(&I.s);
    pump();
}

static void setup_pair(const char *dir, bool resend_app)
{
    open_side(&I, true, dir, "trader", "secret", resend_app);
    open_side(&A, false, dir, "trader", "secret", resend_app);
    connect_both();
}

static void free_pair(void)
{
    tf_fix_session_free(&I.s);
    tf_fix_session_free(&A.s);
}

static uint64_t send_order(side *x, const char *id)
{
    tf_fix_writer *w = tf_fix_session_begin(&x->s, "D");
    assert_non_null(w);
    tf_fix_put_cstr(w, TF_FIX_TAG_CL_ORD_ID, id);
    tf_fix_put_cstr(w, TF_FIX_TAG_SYMBOL, "BTCUSDT");
    tf_fix_put_char(w, TF_FIX_TAG_SIDE, '1');
    tf_fix_put_time(w, TF_FIX_TAG_TRANSACT_TIME, now_wall);
    tf_fix_put_fixed(w, TF_FIX_TAG_ORDER_QTY, 1000000);
    tf_fix_put_char(w, TF_FIX_TAG_ORD_TYPE, '2');
    tf_fix_put_fixed(w, TF_FIX_TAG_PRICE, 5000000000000);
    uint64_t seq = tf_fix_session_send(&x->s);
    assert_true(seq > 0);
    return seq;
}

/* Inject raw bytes as if the initiator had sent them. */
static void inject(side *to, const char *type, uint64_t seq, const char *extra, bool poss_dup)
{
    char buf[512];
    tf_fix_writer w;
    tf_fix_begin(&w, buf, sizeof buf, type);
    tf_fix_put_cstr(&w, TF_FIX_TAG_SENDER_COMP_ID, to == &A ? "ENGINE" : "TFSIM");
    tf_fix_put_cstr(&w, TF_FIX_TAG_TARGET_COMP_ID, to == &A ? "TFSIM" : "ENGINE");
    tf_fix_put_u64(&w, TF_FIX_TAG_MSG_SEQ_NUM, seq);
    tf_fix_put_time(&w, TF_FIX_TAG_SENDING_TIME, now_wall);
    if (poss_dup)
        tf_fix_put_char(&w, TF_FIX_TAG_POSS_DUP, 'Y');
    size_t n = tf_fix_finish(&w);
    assert_true(n > 0);
    /* extra fields go before the checksum: rebuild by hand */
    char msg[600];
    size_t body_end = n - 7;
    const char *start = w.msg;
    /* body = after "8=FIX.4.4|9=NN|" */
    const char *body = strchr(strchr(start, '\x01') + 1, '\x01') + 1;
    size_t body_len = (size_t)(start + body_end - body) + strlen(extra);
    int h = snprintf(msg, sizeof msg, "8=FIX.4.4\x01" "9=%zu\x01", body_len);
    memcpy(msg + h, body, (size_t)(start + body_end - body));
    size_t len = (size_t)h + (size_t)(start + body_end - body);
    memcpy(msg + len, extra, strlen(extra));
    len += strlen(extra);
    len += (size_t)snprintf(msg + len, sizeof msg - len, "10=%03u\x01", tf_fix_checksum(msg, len));
    tf_fix_session_on_bytes(&to->s, msg, len);
}

static void test_logon(void **state)
{
    (void)state;
    setup_pair(NULL, true);
    assert_int_equal(I.s.state, TF_FIX_ACTIVE);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    assert_int_equal(I.s.store.seq->next_out, 2);
    assert_int_equal(A.s.store.seq->next_in, 2);
    assert_int_equal(I.s.store.seq->next_in, 2);
    send_order(&I, "o1");
    send_order(&I, "o2");
    pump();
    assert_int_equal(A.ngot, 2);
    assert_string_equal(A.got[0], "o1");
    assert_string_equal(A.got[1], "o2");
    assert_false(A.got_dup[0]);
    free_pair();
}

static void test_refused_logon(void **state)
{
    (void)state;
    open_side(&I, true, NULL, "trader", "wrong", true);
    open_side(&A, false, NULL, "trader", "secret", true);
    connect_both();
    assert_int_equal(A.s.close, TF_FIX_CLOSE_LOGON_REFUSED);
    assert_int_equal(I.s.close, TF_FIX_CLOSE_LOGON_REFUSED);
    assert_int_not_equal(I.s.state, TF_FIX_ACTIVE);
    free_pair();
}

static void test_first_not_logon(void **state)
{
    (void)state;
    open_side(&A, false, NULL, "", "", true);
    tf_fix_session_connected(&A.s);
    inject(&A, "D", 1, "11=x\x01", false);
    assert_int_equal(A.s.close, TF_FIX_CLOSE_FIRST_NOT_LOGON);
    const char *p;
    assert_int_equal(tf_fix_session_out_peek(&A.s, &p), 0); /* nothing answered */
    tf_fix_session_free(&A.s);
}

static void test_logon_timeout(void **state)
{
    (void)state;
    open_side(&I, true, NULL, "", "", true);
    tf_fix_session_connected(&I.s);
    advance(11 * SEC);
    tf_fix_session_poll(&I.s);
    assert_int_equal(I.s.close, TF_FIX_CLOSE_LOGON_TIMEOUT);
    tf_fix_session_free(&I.s);
}

static void test_heartbeat_and_timeout(void **state)
{
    (void)state;
    setup_pair(NULL, true);
    /* Quiet for one interval: both send heartbeats, nobody tests. */
    advance(30 * SEC);
    tf_fix_session_poll(&I.s);
    tf_fix_session_poll(&A.s);
    assert_int_equal(I.s.c.heartbeats_out, 1);
    pump();
    assert_int_equal(I.s.c.test_requests_out, 0);
    /* The acceptor goes silent: the initiator sends a TestRequest after
     * 1.2 intervals, then gives up one interval later. */
    A.drop_out = true;
    advance(37 * SEC);
    tf_fix_session_poll(&I.s);
    assert_int_equal(I.s.c.test_requests_out, 1);
    pump();
    advance(29 * SEC);
    tf_fix_session_poll(&I.s);
    assert_int_equal(I.s.close, TF_FIX_CLOSE_NONE);
    advance(2 * SEC);
    tf_fix_session_poll(&I.s);
    assert_int_equal(I.s.close, TF_FIX_CLOSE_HEARTBEAT);
    free_pair();
}

static void test_test_request_answered(void **state)
{
    (void)state;
    setup_pair(NULL, true);
    advance(37 * SEC);
    tf_fix_session_poll(&I.s);   /* heartbeat out and TestRequest (nothing in for 37 s) */
    assert_int_equal(I.s.c.test_requests_out, 1);
    pump();                      /* the acceptor answers with a Heartbeat carrying the id */
    assert_int_equal(I.s.test_req_sent, 0);
    advance(31 * SEC);
    tf_fix_session_poll(&I.s);
    assert_int_equal(I.s.close, TF_FIX_CLOSE_NONE);
    free_pair();
}

/* Messages lost on the way are asked for again and come back with PossDup,
 * once each and in order; what arrived beyond the gap is not seen twice. */
static void resend_case(bool resend_app)
{
    setup_pair(NULL, resend_app);
    send_order(&I, "o1");
    pump();
    I.drop_out = true;
    send_order(&I, "o2");
    send_order(&I, "o3");
    pump();
    I.drop_out = false;
    send_order(&I, "o4");
    pump();
    assert_int_equal(A.s.c.resend_requests_out, 1);
    assert_int_equal(I.s.c.resend_requests_in, 1);
    if (resend_app) {
        assert_int_equal(A.ngot, 4);
        assert_string_equal(A.got[1], "o2");
        assert_true(A.got_dup[1]);
        assert_string_equal(A.got[2], "o3");
        assert_string_equal(A.got[3], "o4");
        assert_true(A.got_dup[3]);
        assert_int_equal(I.s.c.resent, 3);
    } else {
        assert_int_equal(A.ngot, 1);   /* everything after o1 gap-filled */
        assert_int_equal(A.s.c.gap_fills_in, 1);
    }
    assert_int_equal(A.s.store.seq->next_in, I.s.store.seq->next_out);
    assert_int_equal(A.s.resend_until, 0);
    /* The session goes on normally. */
    send_order(&I, "o5");
    pump();
    assert_string_equal(A.got[A.ngot - 1], "o5");
    free_pair();
}

static void test_resend_messages(void **state)
{
    (void)state;
    resend_case(true);
}

static void test_resend_gap_fill(void **state)
{
    (void)state;
    resend_case(false);
}

/* The acceptor skips sequence numbers (tfsim's fault): the initiator asks,
 * and the skipped numbers, never sent, come back as a gap fill. */
static void test_skipped_sequence(void **state)
{
    (void)state;
    setup_pair(NULL, true);
    tf_fix_session_skip_seq(&A.s, 5);
    send_order(&A, "a1");
    pump();
    assert_int_equal(I.s.c.resend_requests_out, 1);
    assert_int_equal(I.s.c.gap_fills_in, 1);
    assert_int_equal(I.ngot, 1);
    assert_string_equal(I.got[0], "a1");
    assert_int_equal(I.s.store.seq->next_in, A.s.store.seq->next_out);
    free_pair();
}

static void test_seq_too_low(void **state)
{
    (void)state;
    setup_pair(NULL, true);
    send_order(&I, "o1");
    pump();
    inject(&A, "D", 2, "11=old\x01", false);
    assert_int_equal(A.s.close, TF_FIX_CLOSE_SEQ_TOO_LOW);
    assert_non_null(strstr(A.s.close_text, "expecting 3 but received 2"));
    free_pair();
}

static void test_possdup_below_ignored(void **state)
{
    (void)state;
    setup_pair(NULL, true);
    send_order(&I, "o1");
    pump();
    inject(&A, "D", 2, "11=o1\x01", true);
    assert_int_equal(A.s.close, TF_FIX_CLOSE_NONE);
    assert_int_equal(A.s.c.possdup_ignored, 1);
    assert_int_equal(A.ngot, 1);
    free_pair();
}

/* A wrong checksum is ignored and its number asked for again; a bad field
 * is rejected with its sequence number and consumed. */
static void test_garbled_and_malformed(void **state)
{
    (void)state;
    setup_pair(NULL, true);
    send_order(&I, "o1");
    const char *p;
    size_t n = tf_fix_session_out_peek(&I.s, &p);
    char copy[512];
    memcpy(copy, p, n);
    copy[n - 2] = copy[n - 2] == '0' ? '1' : '0'; /* break the checksum */
    tf_fix_session_out_done(&I.s, n);
    tf_fix_session_on_bytes(&A.s, copy, n);
    assert_int_equal(A.s.c.garbled, 1);
    assert_int_equal(A.ngot, 0);
    send_order(&I, "o2");
    pump();                                  /* the gap brings o1 back */
    assert_int_equal(A.ngot, 2);
    assert_string_equal(A.got[0], "o1");
    /* a field without a value */
    uint64_t seq = I.s.store.seq->next_out;
    I.s.store.seq->next_out++;
    inject(&A, "D", seq, "11=\x01", false);
    pump();
    assert_int_equal(A.s.c.rejects_out, 1);
    assert_int_equal(I.rejects, 1);
    assert_int_equal(I.last_reject_ref, seq);
    assert_int_equal(A.s.store.seq->next_in, seq + 1);
    assert_int_equal(A.s.close, TF_FIX_CLOSE_NONE);
    free_pair();
}

static void test_unsupported_type(void **state)
{
    (void)state;
    setup_pair(NULL, true);
    tf_fix_writer *w = tf_fix_session_begin(&I.s, "ZZ");
    tf_fix_put_cstr(w, TF_FIX_TAG_TEXT, "what");
    assert_true(tf_fix_session_send(&I.s) > 0);
    pump();
    assert_int_equal(A.s.c.business_rejects_out, 1);
    assert_int_equal(I.s.c.business_rejects_in, 1);
    free_pair();
}

static void test_wrong_comp_id(void **state)
{
    (void)state;
    setup_pair(NULL, true);
    char buf[256];
    tf_fix_writer w;
    tf_fix_begin(&w, buf, sizeof buf, "D");
    tf_fix_put_cstr(&w, TF_FIX_TAG_SENDER_COMP_ID, "INTRUDER");
    tf_fix_put_cstr(&w, TF_FIX_TAG_TARGET_COMP_ID, "TFSIM");
    tf_fix_put_u64(&w, TF_FIX_TAG_MSG_SEQ_NUM, 2);
    tf_fix_put_time(&w, TF_FIX_TAG_SENDING_TIME, now_wall);
    size_t n = tf_fix_finish(&w);
    tf_fix_session_on_bytes(&A.s, w.msg, n);
    assert_int_equal(A.s.close, TF_FIX_CLOSE_COMP_ID);
    free_pair();
}

static void test_logout(void **state)
{
    (void)state;
    setup_pair(NULL, true);
    tf_fix_session_logout(&I.s, "done for the day");
    assert_int_equal(I.s.state, TF_FIX_LOGOUT_SENT);
    pump();
    assert_int_equal(A.s.close, TF_FIX_CLOSE_PEER_LOGOUT);
    assert_string_equal(A.s.close_text, "done for the day");
    assert_int_equal(I.s.close, TF_FIX_CLOSE_LOGOUT_DONE);
    free_pair();
}

static void test_split_bytes(void **state)
{
    (void)state;
    open_side(&I, true, NULL, "trader", "secret", true);
    open_side(&A, false, NULL, "trader", "secret", true);
    clock_all();
    tf_fix_session_connected(&A.s);
    tf_fix_session_connected(&I.s);
    pump_chunks(1);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    for (int i = 0; i < 20; i++) {
        char id[16];
        snprintf(id, sizeof id, "s%d", i);
        send_order(&I, id);
    }
    pump_chunks(7);
    assert_int_equal(A.ngot, 20);
    assert_string_equal(A.got[19], "s19");
    free_pair();
}

/* Sequence numbers survive a restart of both sides; a drop with messages
 * in flight is repaired by the resend after the next Logon. */
static void test_restart_and_reconnect(void **state)
{
    (void)state;
    setup_pair(test_dir, true);
    send_order(&I, "o1");
    pump();
    I.drop_out = true;
    send_order(&I, "o2");                /* lost with the connection */
    pump();
    I.drop_out = false;
    uint64_t out = I.s.store.seq->next_out, in = A.s.store.seq->next_in;
    tf_fix_session_disconnected(&I.s);
    tf_fix_session_disconnected(&A.s);
    free_pair();
    /* Both processes start again from their files. */
    open_side(&I, true, test_dir, "trader", "secret", true);
    open_side(&A, false, test_dir, "trader", "secret", true);
    assert_int_equal(I.s.store.seq->next_out, out);
    assert_int_equal(A.s.store.seq->next_in, in);
    connect_both();
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    /* o2 was not kept across the restart (the resend store is memory): it
     * is gap-filled, and the acceptor is back in step. */
    assert_int_equal(A.s.store.seq->next_in, I.s.store.seq->next_out);
    send_order(&I, "o3");
    pump();
    assert_string_equal(A.got[A.ngot - 1], "o3");
    assert_int_equal(A.s.close, TF_FIX_CLOSE_NONE);
    free_pair();
}

/* A venue's reports made while the engine is away wait in the store and
 * arrive, in order and once, through the resend after the next Logon. */
static void test_send_while_down(void **state)
{
    (void)state;
    setup_pair(NULL, true);
    A.s.cfg.send_while_down = true;
    tf_fix_session_disconnected(&I.s);
    tf_fix_session_disconnected(&A.s);
    send_order(&A, "r1");
    send_order(&A, "r2");
    connect_both();
    assert_int_equal(I.s.state, TF_FIX_ACTIVE);
    assert_int_equal(I.ngot, 2);
    assert_string_equal(I.got[0], "r1");
    assert_string_equal(I.got[1], "r2");
    assert_true(I.got_dup[0]);
    assert_int_equal(I.s.store.seq->next_in, A.s.store.seq->next_out);
    free_pair();
}

/* A connection broken with messages lost both ways: each side's
 * ResendRequest lies beyond the other's gap and must still be answered,
 * or both would wait for ever. */
static void test_gaps_both_ways(void **state)
{
    (void)state;
    setup_pair(NULL, true);
    I.drop_out = A.drop_out = true;
    send_order(&I, "i1");
    send_order(&A, "a1");
    pump();
    I.drop_out = A.drop_out = false;
    tf_fix_session_disconnected(&I.s);
    tf_fix_session_disconnected(&A.s);
    connect_both();
    assert_int_equal(A.ngot, 1);
    assert_string_equal(A.got[0], "i1");
    assert_int_equal(I.ngot, 1);
    assert_string_equal(I.got[0], "a1");
    assert_int_equal(A.s.resend_until, 0);
    assert_int_equal(I.s.resend_until, 0);
    send_order(&I, "i2");
    pump();
    assert_string_equal(A.got[1], "i2");
    free_pair();
}

/* The answer to a ResendRequest is lost too: after a second without
 * progress the session asks again, instead of dropping everything beyond
 * the gap for ever. */
static void test_resend_lost_asked_again(void **state)
{
    (void)state;
    setup_pair(NULL, true);
    I.drop_out = true;
    send_order(&I, "o1");
    pump();
    I.drop_out = false;
    send_order(&I, "o2");
    const char *p;
    size_t n = tf_fix_session_out_peek(&I.s, &p); /* o2 reaches A: A asks for o1 */
    tf_fix_session_on_bytes(&A.s, p, n);
    tf_fix_session_out_done(&I.s, n);
    n = tf_fix_session_out_peek(&A.s, &p);
    tf_fix_session_on_bytes(&I.s, p, n);
    tf_fix_session_out_done(&A.s, n);
    n = tf_fix_session_out_peek(&I.s, &p); /* the resend is lost */
    tf_fix_session_out_done(&I.s, n);
    send_order(&I, "o3");
    pump();
    assert_int_equal(A.ngot, 0); /* beyond the gap: dropped */
    advance(SEC + SEC / 10);
    tf_fix_session_poll(&A.s);
    pump();
    assert_int_equal(A.s.c.resend_requests_out, 2);
    assert_int_equal(A.ngot, 3);
    assert_string_equal(A.got[0], "o1");
    assert_string_equal(A.got[2], "o3");
    assert_int_equal(A.s.resend_until, 0);
    free_pair();
}

static void test_store_refuses_other_session(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/X-Y.seq", test_dir);
    FILE *f = fopen(path, "w");
    fputs("not a sequence file", f);
    fclose(f);
    tf_fix_store st;
    assert_int_equal(tf_fix_store_open(&st, test_dir, "X", "Y"), -1);
    assert_int_equal(tf_fix_store_open(&st, test_dir, "bad id", "Y"), -1);
}

/* Both sides lose the connection (no Logout) and start a new one. */
static void drop_both(void)
{
    tf_fix_session_disconnected(&I.s);
    tf_fix_session_disconnected(&A.s);
}

/* The venue resets its numbers at its session boundary and does not say
 * so: its Logon (1) is below what the engine expects. The engine stops
 * with its own reason and words (not the generic "too low"), and an
 * operator's reset (both sides) brings the session back at 1. */
static void test_venue_reset_without_flag(void **state)
{
    (void)state;
    setup_pair(NULL, true);
    send_order(&A, "r1");
    send_order(&A, "r2");
    pump();
    drop_both();
    tf_fix_store_reset(&A.s.store);      /* the venue's silent reset */
    connect_both();
    assert_int_equal(I.s.close, TF_FIX_CLOSE_LOGON_SEQ_LOW);
    assert_non_null(strstr(I.s.close_text, "Logon MsgSeqNum 1 below the expected 4"));
    assert_int_not_equal(I.s.state, TF_FIX_ACTIVE);
    drop_both();
    tf_fix_session_reset_seq(&I.s);      /* tfctl session reset */
    connect_both();
    assert_int_equal(I.s.state, TF_FIX_ACTIVE);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    assert_int_equal(I.s.store.seq->next_out, 2);
    assert_int_equal(I.s.store.seq->next_in, 2);
    assert_int_equal(A.s.store.seq->next_in, 2);
    send_order(&I, "o1");
    pump();
    assert_int_equal(A.ngot, 1);
    assert_false(A.got_dup[0]);
    free_pair();
}

/* The venue resets and announces it (ResetSeqNumFlag=Y in its answer to
 * a Logon without the flag): the engine resets too, answers with its own
 * reset Logon, and nothing it sent before is asked for or replayed. */
static void test_venue_reset_announced(void **state)
{
    (void)state;
    setup_pair(NULL, true);
    send_order(&I, "o1");
    send_order(&I, "o2");
    send_order(&A, "r1");
    pump();
    drop_both();
    tf_fix_session_reset_seq(&A.s);
    connect_both();
    assert_int_equal(I.s.state, TF_FIX_ACTIVE);
    assert_int_equal(A.s.state, TF_FIX_ACTIVE);
    assert_int_equal(I.s.close, TF_FIX_CLOSE_NONE);
    assert_int_equal(A.s.close, TF_FIX_CLOSE_NONE);
    assert_int_equal(I.s.store.seq->next_out, 2);
    assert_int_equal(A.s.store.seq->next_in, 2);
    assert_int_equal(I.s.store.seq->next_in, 2);
    assert_int_equal(A.s.c.resend_requests_out, 0);
    assert_int_equal(I.s.c.resent, 0);
    assert_true(I.s.c.seq_resets >= 1);
    int before = A.ngot;
    send_order(&I, "o3");
    pump();
    assert_int_equal(A.ngot, before + 1);
    assert_string_equal(A.got[A.ngot - 1], "o3");
    assert_false(A.got_dup[A.ngot - 1]);
    free_pair();
}

/* A reset Logon during the session: both start over, the receiver
 * answers with its own. */
static void test_reset_during_session(void **state)
{
    (void)state;
    setup_pair(NULL, true);
    send_order(&I, "o1");
    pump();
    inject(&I, "A", 1, "98=0\x01" "108=30\x01" "141=Y\x01", false);
    const char *p;
    size_t n = tf_fix_session_out_peek(&I.s, &p);
    char out[512];
    snprintf(out, sizeof out, "%.*s", (int)n, p);
    assert_non_null(strstr(out, "\x01" "35=A\x01"));
    assert_non_null(strstr(out, "\x01" "34=1\x01"));
    assert_non_null(strstr(out, "\x01" "141=Y\x01"));
    assert_int_equal(I.s.state, TF_FIX_ACTIVE);
    assert_int_equal(I.s.store.seq->next_in, 2);
    assert_int_equal(I.s.store.seq->next_out, 2);   /* its answer was 1 */
    assert_int_equal(I.s.c.seq_resets, 1);
    free_pair();
}

/* Resend safety: an order asked for again after its moment has passed is
 * gap-filled; a recent one is resent. */
static void test_stale_order_not_resent(void **state)
{
    (void)state;
    setup_pair(NULL, true);
    I.s.cfg.resend_order_max_age_ns = 1 * SEC;
    send_order(&I, "o1");
    pump();
    I.drop_out = true;
    send_order(&I, "old");               /* lost; asked for 5 s later */
    pump();
    advance(5 * SEC);
    send_order(&I, "fresh");             /* lost too, but young */
    pump();
    I.drop_out = false;
    send_order(&I, "o4");
    pump();
    assert_int_equal(I.s.c.stale_not_resent, 1);
    assert_int_equal(A.ngot, 3);
    assert_string_equal(A.got[0], "o1");
    assert_string_equal(A.got[1], "fresh");
    assert_true(A.got_dup[1]);
    assert_string_equal(A.got[2], "o4");
    assert_int_equal(A.s.store.seq->next_in, I.s.store.seq->next_out);
    free_pair();
}

/* A strict venue refuses our Logon with a session Reject: the session
 * ends as refused, with the venue's words. */
static void test_logon_rejected_with_text(void **state)
{
    (void)state;
    open_side(&I, true, NULL, "", "", true);
    clock_all();
    tf_fix_session_connected(&I.s);
    const char *p;
    size_t n = tf_fix_session_out_peek(&I.s, &p);
    tf_fix_session_out_done(&I.s, n);
    inject(&I, "3", 1, "45=1\x01" "371=8013\x01" "373=0\x01" "58=Invalid tag number: 8013\x01", false);
    assert_int_equal(I.s.close, TF_FIX_CLOSE_LOGON_REFUSED);
    assert_non_null(strstr(I.s.close_text, "Invalid tag number: 8013"));
    assert_string_equal(I.s.reject_text, "Invalid tag number: 8013");
    tf_fix_session_free(&I.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logon),
        cmocka_unit_test(test_refused_logon),
        cmocka_unit_test(test_first_not_logon),
        cmocka_unit_test(test_logon_timeout),
        cmocka_unit_test(test_heartbeat_and_timeout),
        cmocka_unit_test(test_test_request_answered),
        cmocka_unit_test(test_resend_messages),
        cmocka_unit_test(test_resend_gap_fill),
        cmocka_unit_test(test_skipped_sequence),
        cmocka_unit_test(test_seq_too_low),
        cmocka_unit_test(test_possdup_below_ignored),
        cmocka_unit_test(test_garbled_and_malformed),
        cmocka_unit_test(test_unsupported_type),
        cmocka_unit_test(test_wrong_comp_id),
        cmocka_unit_test(test_logout),
        cmocka_unit_test(test_split_bytes),
        cmocka_unit_test(test_restart_and_reconnect),
        cmocka_unit_test(test_send_while_down),
        cmocka_unit_test(test_gaps_both_ways),
        cmocka_unit_test(test_resend_lost_asked_again),
        cmocka_unit_test(test_store_refuses_other_session),
        cmocka_unit_test(test_venue_reset_without_flag),
        cmocka_unit_test(test_venue_reset_announced),
        cmocka_unit_test(test_reset_during_session),
        cmocka_unit_test(test_stale_order_not_resent),
        cmocka_unit_test(test_logon_rejected_with_text),
    };
    if (test_dir_make("tf_fix_session") != 0)
        return 1;
    int rc = cmocka_run_group_tests(tests, NULL, test_dir_remove);
    return rc;
}

/* The exchange I/O stage against a scripted FIX acceptor on loopback (the
 * acceptor is the session layer in acceptor mode over a plain socket, in
 * this process; each test says what the venue answers):
 * logon; a new order acknowledged and filled (partial, then full, with
 * fees and liquidity); a duplicate fill ignored; cancel, replace and their
 * rejects; a venue reject; a session Reject naming our request; no session
 * → venue_unavailable; a drop with an order in flight, reconnect, status
 * request, a fill missed while down recovered from CumQty/AvgPx; an order
 * the venue never saw reported rejected; no status answer → fate unknown;
 * orders seeded at restart reconciled; the message-rate limit holding a
 * command back (not dropping it). Every wait is bounded. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/venue/exio.h"
#include "shm/common.h"
#include "shm/err.h"
#include "tests/test_util.h"

/* ---- the scripted venue ---------------------------------------------------- */

typedef struct got {
    char type[4];
    char clordid[32], orig[32];
    int64_t price, qty;           /* as text → 1e-8 */
    int64_t max_floor;            /* 111 (0: none) */
    char side;
} got;

static struct venue {
    int lfd, fd;
    int port;
    tf_fix_session s;
    got msgs[256];
    int nmsgs;
    bool mute;                    /* read but never answer (status requests unanswered) */
} V;

static int venue_on_app(void *ctx, tf_fix_session *s, const tf_fix_msg *m)
{
    (void)ctx;
    (void)s;
    if (V.nmsgs < 256) {
        got *g = &V.msgs[V.nmsgs++];
        memset(g, 0, sizeof *g);
        snprintf(g->type, sizeof g->type, "%s", m->msg_type);
        const char *v;
        size_t n;
        if (tf_fix_get_str(m, TF_FIX_TAG_CL_ORD_ID, &v, &n) == 0)
            snprintf(g->clordid, sizeof g->clordid, "%.*s", (int)n, v);
        if (tf_fix_get_str(m, TF_FIX_TAG_ORIG_CL_ORD_ID, &v, &n) == 0)
            snprintf(g->orig, sizeof g->orig, "%.*s", (int)n, v);
        tf_fix_get_fixed(m, TF_FIX_TAG_PRICE, &g->price);
        tf_fix_get_fixed(m, TF_FIX_TAG_ORDER_QTY, &g->qty);
        tf_fix_get_char(m, TF_FIX_TAG_SIDE, &g->side);
        tf_fix_get_fixed(m, TF_FIX_TAG_MAX_FLOOR, &g->max_floor);
    }
    return 0;
}

static const tf_fix_session_ops venue_ops = {.on_app = venue_on_app};

static uint64_t mono(void) { return tf_now_ns(); }

static void venue_open(void)
{
    memset(&V, 0, sizeof V);
    V.fd = -1;
    V.lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(V.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(V.lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(V.lfd, 4), 0);
    socklen_t al = sizeof a;
    getsockname(V.lfd, (struct sockaddr *)&a, &al);
    V.port = ntohs(a.sin_port);
    tf_fix_session_config c = {.initiator = false, .heartbeat_s = 30, .resend_app = true};
    snprintf(c.sender, sizeof c.sender, "VENUE");
    snprintf(c.target, sizeof c.target, "ENGINE");
    assert_int_equal(tf_fix_session_init(&V.s, &c, &venue_ops, NULL), 0);
}

static void venue_drop(void)
{
    if (V.fd >= 0)
        close(V.fd);
    V.fd = -1;
    tf_fix_session_disconnected(&V.s);
}

static void venue_close(void)
{
    venue_drop();
    close(V.lfd);
    tf_fix_session_free(&V.s);
}

/* Accept, read and write what is there; never blocks. */
static void venue_pump(void)
{
    tf_fix_session_clock(&V.s, mono(), tf_realtime_ns());
    if (V.fd < 0) {
        V.fd = accept4(V.lfd, NULL, NULL, SOCK_NONBLOCK);
        if (V.fd < 0)
            return;
        int one = 1;
        setsockopt(V.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        tf_fix_session_connected(&V.s);
    }
    char buf[16384];
    for (;;) {
        ssize_t n = recv(V.fd, buf, sizeof buf, 0);
        if (n > 0) {
            tf_fix_session_on_bytes(&V.s, buf, (size_t)n);
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            venue_drop();
            return;
        }
        break;
    }
    const char *p;
    size_t n;
    while ((n = tf_fix_session_out_peek(&V.s, &p)) > 0) {
        ssize_t w = send(V.fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            break;
        tf_fix_session_out_done(&V.s, (size_t)w);
    }
}

/* An execution report from the venue; price/qty fields in 1e-8 text. */
static void venue_report(const char *clordid, char exec_type, char ord_status, int64_t last_px, int64_t last_qty,
                         int64_t cum, int64_t avg_px, const char *extra_tag_values)
{
    tf_fix_writer *w = tf_fix_session_begin(&V.s, "8");
    assert_non_null(w);
    tf_fix_put_cstr(w, TF_FIX_TAG_ORDER_ID, "V1");
    tf_fix_put_cstr(w, TF_FIX_TAG_CL_ORD_ID, clordid);
    tf_fix_put_cstr(w, TF_FIX_TAG_EXEC_ID, "E1");
    tf_fix_put_char(w, TF_FIX_TAG_EXEC_TYPE, exec_type);
    tf_fix_put_char(w, TF_FIX_TAG_ORD_STATUS, ord_status);
    tf_fix_put_cstr(w, TF_FIX_TAG_SYMBOL, "BTCUSDT");
    tf_fix_put_char(w, TF_FIX_TAG_SIDE, '1');
    tf_fix_put_fixed(w, TF_FIX_TAG_CUM_QTY, cum);
    tf_fix_put_fixed(w, TF_FIX_TAG_AVG_PX, avg_px);
    if (last_qty) {
        tf_fix_put_fixed(w, TF_FIX_TAG_LAST_PX, last_px);
        tf_fix_put_fixed(w, TF_FIX_TAG_LAST_QTY, last_qty);
    }
    if (extra_tag_values) { /* "tag=value" pairs separated by '|' */
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s", extra_tag_values);
        for (char *save = NULL, *f = strtok_r(tmp, "|", &save); f; f = strtok_r(NULL, "|", &save)) {
            char *eq = strchr(f, '=');
            *eq = 0;
            tf_fix_put_cstr(w, (uint32_t)atoi(f), eq + 1);
        }
    }
    assert_true(tf_fix_session_send(&V.s) > 0);
}

/* ---- the stage ------------------------------------------------------------------ */

static tf_config cfg;
static tf_instruments ins;
static tf_exio X;
static bool x_open;

static void open_stage(const char *extra)
{
    char yaml[4096], err[512];
    snprintf(yaml, sizeof yaml,
             "instance: tx\n"
             "instruments:\n"
             "  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: \"0.01\", "
             "lot_size: \"0.00001\", min_notional: \"5\"}\n"
             "orders: {capacity: 64}\n"
             "exchange: {host: 127.0.0.1, port: %d, sender_comp_id: ENGINE, target_comp_id: VENUE,\n"
             "           store_dir: \"%s/fix\", reconnect_min_ms: 10, reconnect_max_ms: 50,\n"
             "           reconcile_timeout_ms: 300, profile: tfsim%s}\n"
             "threads:\n  - {name: hot, stages: [risk, oms, exio]}\n",
             V.port, test_dir, extra ? extra : "");
    if (tf_config_parse(yaml, strlen(yaml), "test", 2, &cfg, err, sizeof err) != 0)
        fail_msg("config: %s", err);
    memset(&ins, 0, sizeof ins);
    assert_int_equal(tf_instruments_add(&ins, "BTCUSDT", "binance", 2, 5, 1, 1, 500, 0), 0);
    if (tf_exio_init(NULL, &X, &cfg, &ins, NULL, NULL, NULL, NULL) != 0)
        fail_msg("exio: %s", tf_err_msg());
    x_open = true;
}

static void close_stage(void)
{
    if (x_open)
        tf_exio_free(&X);
    x_open = false;
}

static void step(void)
{
    tf_exio_poll(&X, mono());
    venue_pump();
}

/* Poll both sides until cond holds (or 3 s pass: a failure). */
#define UNTIL(cond)                                                                         \
    do {                                                                                    \
        uint64_t t_end_ = mono() + 3000000000ull;                                           \
        while (!(cond)) {                                                                   \
            if (mono() > t_end_)                                                            \
                fail_msg("timed out waiting for %s", #cond);                                \
            step();                                                                         \
        }                                                                                   \
    } while (0)

static bool logged_on(void) { return V.s.state == TF_FIX_ACTIVE && X.sessions[0].fix.state == TF_FIX_ACTIVE; }

static tf_exec_report rep;
static bool next_report(void)
{
    step();
    return tf_exio_next_report(&X, &rep);
}

static void expect_report(uint8_t kind, uint64_t order_id)
{
    UNTIL(next_report());
    if (rep.kind != kind || rep.order_id != order_id)
        fail_msg("report kind %u for order %llu, want kind %u for %llu", rep.kind,
                 (unsigned long long)rep.order_id, kind, (unsigned long long)order_id);
}

static void new_order(uint64_t id, int64_t px, int64_t qty)
{
    tf_venue_cmd c = {.kind = TF_VC_NEW, .side = TF_BUY, .type = TF_LIMIT, .tif = TF_GTC, .instrument = 0,
                      .order_id = id, .price = px, .qty = qty};
    assert_int_equal(tf_exio_command(&X, &c), 0);
}

/* The stage again, with `extra` exchange settings, logged on; the venue keeps its session. */
static void reopen_stage(const char *extra)
{
    close_stage();
    venue_drop();
    open_stage(extra);
    UNTIL(logged_on());
}

/* An order placed and acknowledged. */
static void acked_order(uint64_t id, int64_t px, int64_t qty)
{
    char cl[24];
    int b = V.nmsgs;
    new_order(id, px, qty);
    UNTIL(V.nmsgs == b + 1);
    snprintf(cl, sizeof cl, "%llu", (unsigned long long)id);
    venue_report(cl, '0', '0', 0, 0, 0, 0, NULL);
    expect_report(TF_EX_ACK, id);
}

static void change(uint8_t kind, uint64_t id, int64_t px, int64_t qty)
{
    tf_venue_cmd c = {.kind = kind, .instrument = 0, .order_id = id, .price = px, .qty = qty};
    assert_int_equal(tf_exio_command(&X, &c), 0);
}

static int setup(void **state)
{
    (void)state;
    venue_open();
    open_stage(NULL);
    UNTIL(logged_on());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    close_stage();
    venue_close();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/fix'", test_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- cases ------------------------------------------------------------------------ */

static void test_order_ack_fill(void **state)
{
    (void)state;
    new_order(11, 5000000, 300); /* 50000.00, 0.003 */
    UNTIL(V.nmsgs == 1);
    assert_string_equal(V.msgs[0].type, "D");
    assert_string_equal(V.msgs[0].clordid, "11");
    assert_int_equal(V.msgs[0].price, 5000000000000);
    assert_int_equal(V.msgs[0].qty, 300000);
    venue_report("11", '0', '0', 0, 0, 0, 0, NULL);
    expect_report(TF_EX_ACK, 11);
    venue_report("11", 'F', '1', 5000000000000, 100000, 100000, 5000000000000, "12=0.050000005|851=1");
    expect_report(TF_EX_FILL, 11);
    assert_int_equal(rep.last_px, 5000000);
    assert_int_equal(rep.last_qty, 100);
    assert_int_equal(rep.fee, 5000001); /* a ninth decimal rounds */
    assert_int_equal(rep.liquidity, 1);
    /* the same fill again (a resend): ignored */
    venue_report("11", 'F', '1', 5000000000000, 100000, 100000, 5000000000000, NULL);
    venue_report("11", 'F', '2', 5000100000000, 200000, 300000, 5000066666666, "851=2");
    expect_report(TF_EX_FILL, 11);
    assert_int_equal(rep.last_qty, 200);
    assert_int_equal(rep.liquidity, 2);
    assert_int_equal(*X.c_dup_fills, 1);
    /* filled: the order is gone from the stage's table */
    tf_venue_cmd c = {.kind = TF_VC_CANCEL, .order_id = 11};
    tf_exio_command(&X, &c);
    expect_report(TF_EX_CANCEL_REJECT, 11);
    assert_int_equal(rep.reason, TF_RJ_UNKNOWN_ORDER);
}

static void test_cancel_replace(void **state)
{
    (void)state;
    new_order(21, 4000000, 100);
    UNTIL(V.nmsgs == 1);
    venue_report("21", '0', '0', 0, 0, 0, 0, NULL);
    expect_report(TF_EX_ACK, 21);
    change(TF_VC_REPLACE, 21, 4000100, 200);
    UNTIL(V.nmsgs == 2);
    assert_string_equal(V.msgs[1].type, "G");
    assert_string_equal(V.msgs[1].orig, "21");
    assert_int_equal(V.msgs[1].price, 4000100000000);
    char repl[32];
    snprintf(repl, sizeof repl, "%s", V.msgs[1].clordid);
    assert_true(strncmp(repl, "21.", 3) == 0);
    char extra[64];
    snprintf(extra, sizeof extra, "44=40001|38=0.002|41=21");
    venue_report(repl, '5', '0', 0, 0, 0, 0, extra);
    expect_report(TF_EX_REPLACED, 21);
    assert_int_equal(rep.price, 4000100);
    assert_int_equal(rep.qty, 200);
    /* a cancel refused, then one done: it names the replaced terms */
    change(TF_VC_CANCEL, 21, 0, 0);
    UNTIL(V.nmsgs == 3);
    assert_string_equal(V.msgs[2].type, "F");
    assert_string_equal(V.msgs[2].orig, repl);
    tf_fix_writer *w = tf_fix_session_begin(&V.s, "9");
    tf_fix_put_cstr(w, TF_FIX_TAG_ORDER_ID, "V1");
    tf_fix_put_cstr(w, TF_FIX_TAG_CL_ORD_ID, V.msgs[2].clordid);
    tf_fix_put_cstr(w, TF_FIX_TAG_ORIG_CL_ORD_ID, repl);
    tf_fix_put_char(w, TF_FIX_TAG_ORD_STATUS, '0');
    tf_fix_put_char(w, TF_FIX_TAG_CXL_REJ_RESPONSE_TO, '1');
    tf_fix_put_char(w, TF_FIX_TAG_CXL_REJ_REASON, '0');
    tf_fix_session_send(&V.s);
    expect_report(TF_EX_CANCEL_REJECT, 21);
    change(TF_VC_CANCEL, 21, 0, 0);
    UNTIL(V.nmsgs == 4);
    venue_report(V.msgs[3].clordid, '4', '4', 0, 0, 0, 0, NULL);
    expect_report(TF_EX_CANCELED, 21);
}

static void test_venue_reject_and_session_reject(void **state)
{
    (void)state;
    new_order(31, 4000000, 100);
    UNTIL(V.nmsgs == 1);
    venue_report("31", '8', '8', 0, 0, 0, 0, "103=3|58=exceeds limit");
    expect_report(TF_EX_REJECT, 31);
    assert_int_equal(rep.reason, TF_RJ_VENUE);
    /* a session-level Reject of our NewOrderSingle, found by RefSeqNum */
    new_order(32, 4000000, 100);
    UNTIL(V.nmsgs == 2);
    uint64_t ref = V.s.store.seq->next_in - 1;
    tf_fix_writer *w = tf_fix_session_begin(&V.s, "3");
    tf_fix_put_u64(w, TF_FIX_TAG_REF_SEQ_NUM, ref);
    tf_fix_put_u64(w, TF_FIX_TAG_SESSION_REJECT_REASON, 5);
    tf_fix_put_cstr(w, TF_FIX_TAG_TEXT, "Value is incorrect for tag 44");
    tf_fix_session_send(&V.s);
    expect_report(TF_EX_REJECT, 32);
    assert_int_equal(*X.c_venue_rejects, 2);
    /* its words reach the session's state (tfstat) */
    UNTIL(strstr(X.sessions[0].status.problem, "session Reject: Value is incorrect for tag 44") != NULL);
}

/* The connection drops with an order out; after the reconnect the stage
 * asks for its status before taking new orders, and a fill it missed comes
 * back from CumQty and AvgPx. */
static void test_reconnect_reconcile(void **state)
{
    (void)state;
    new_order(41, 5000000, 300);
    UNTIL(V.nmsgs == 1);
    venue_report("41", '0', '0', 0, 0, 0, 0, NULL);
    expect_report(TF_EX_ACK, 41);
    venue_drop();
    UNTIL(X.sessions[0].fix.state != TF_FIX_ACTIVE);
    UNTIL(logged_on());
    /* the status request comes before anything else */
    UNTIL(V.nmsgs == 2);
    assert_string_equal(V.msgs[1].type, "H");
    assert_string_equal(V.msgs[1].clordid, "41");
    assert_false(tf_exio_session_ready(&X, 0));
    tf_venue_cmd c = {.kind = TF_VC_NEW, .side = TF_BUY, .type = TF_LIMIT, .instrument = 0, .order_id = 42,
                      .price = 5000000, .qty = 100};
    assert_int_equal(tf_exio_command(&X, &c), 1); /* waits for the answer */
    venue_report("41", 'I', '1', 0, 0, 100000, 5000000000000, NULL);
    expect_report(TF_EX_FILL, 41);
    assert_int_equal(rep.last_qty, 100);
    assert_int_equal(rep.last_px, 5000000);
    assert_int_equal(*X.c_recovered_fills, 1);
    UNTIL(tf_exio_session_ready(&X, 0));
    assert_int_equal(tf_exio_command(&X, &c), 0);
    UNTIL(V.nmsgs == 3);
    assert_string_equal(V.msgs[2].clordid, "42");
}

static void test_never_seen_and_unknown(void **state)
{
    (void)state;
    new_order(51, 5000000, 100);
    new_order(52, 5000000, 100);
    UNTIL(V.nmsgs == 2);
    venue_report("52", '0', '0', 0, 0, 0, 0, NULL);
    expect_report(TF_EX_ACK, 52);
    venue_drop();
    UNTIL(logged_on());
    UNTIL(V.nmsgs == 4);
    /* 51 never reached the venue: rejected; 52 gets no answer: unknown fate */
    venue_report("51", 'I', '8', 0, 0, 0, 0, "103=5");
    expect_report(TF_EX_REJECT, 51);
    UNTIL(*X.c_unknown_fate == 1);
    assert_int_equal(*X.g_unknown, 1);
    /* trading resumes; 52 is not sent again */
    int before = V.nmsgs;
    new_order(53, 5000000, 100);
    UNTIL(V.nmsgs == before + 1);
    assert_string_equal(V.msgs[before].clordid, "53");
}

static void test_no_session(void **state)
{
    (void)state;
    close_stage();
    venue_drop();
    close(V.lfd); /* nobody listens: every connect fails */
    V.lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    open_stage(NULL);
    for (int i = 0; i < 20; i++)
        step();
    tf_venue_cmd c = {.kind = TF_VC_NEW, .instrument = 0, .order_id = 61, .price = 100, .qty = 1};
    assert_int_equal(tf_exio_command(&X, &c), 0);
    assert_true(tf_exio_next_report(&X, &rep));
    assert_int_equal(rep.kind, TF_EX_REJECT);
    assert_int_equal(rep.reason, TF_RJ_VENUE_UNAVAILABLE);
    /* a listener back, and both sides from sequence number 1, for the teardown's sake */
    close_stage();
    venue_close();
    venue_open();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/fix'", test_dir);
    assert_int_equal(system(cmd), 0);
    open_stage(NULL);
    UNTIL(logged_on());
}

static void test_restart_seed(void **state)
{
    (void)state;
    close_stage();
    venue_drop();
    open_stage(NULL);
    tf_order o = {.order_id = 71, .instrument = 0, .state = TF_OS_NEW, .side = TF_BUY, .type = TF_LIMIT,
                  .price = 5000000, .qty = 300, .cum_qty = 100, .avg_px = 5000000};
    tf_exio_seed(&X, &o, 0);
    tf_order p = {.order_id = 72, .instrument = 0, .state = TF_OS_PENDING_CANCEL, .side = TF_BUY,
                  .type = TF_LIMIT, .price = 5000000, .qty = 300};
    tf_exio_seed(&X, &p, 0);
    int before = V.nmsgs;
    UNTIL(logged_on());
    UNTIL(V.nmsgs == before + 2);
    venue_report("71", 'I', '2', 0, 0, 300000, 5000000000000, NULL);
    expect_report(TF_EX_FILL, 71);
    assert_int_equal(rep.last_qty, 200);
    venue_report("72", 'I', '4', 0, 0, 0, 0, NULL);
    expect_report(TF_EX_CANCELED, 72);
}

static void test_rate_limit_holds(void **state)
{
    (void)state;
    reopen_stage(", messages_per_s: 1, message_burst: 1");
    int before = V.nmsgs;
    new_order(81, 5000000, 100);
    tf_venue_cmd c = {.kind = TF_VC_NEW, .side = TF_BUY, .type = TF_LIMIT, .instrument = 0, .order_id = 82,
                      .price = 5000000, .qty = 100};
    assert_int_equal(tf_exio_command(&X, &c), 1); /* no budget left: it waits */
    UNTIL(V.nmsgs == before + 1);
    assert_int_equal(*X.sessions[0].c_rate_limited, 1);
}

/* Binance's replace: cancel the venue order and place a new one (XCN); the
 * OMS sees one replace, and fills on the new venue order count on top of
 * the old one's. */
static void test_cancel_new(void **state)
{
    (void)state;
    reopen_stage(", replace: cancel_new");
    int b = V.nmsgs;
    acked_order(91, 4000000, 300);
    venue_report("91", 'F', '1', 4000000000000, 100000, 100000, 4000000000000, NULL);
    expect_report(TF_EX_FILL, 91);
    change(TF_VC_REPLACE, 91, 4000100, 400);
    UNTIL(V.nmsgs == b + 2);
    assert_string_equal(V.msgs[b + 1].type, "XCN");
    assert_string_equal(V.msgs[b + 1].orig, "91");
    assert_int_equal(V.msgs[b + 1].qty, 300000); /* what the old order had not filled */
    char leg[32], cancel_leg[32];
    snprintf(leg, sizeof leg, "%s", V.msgs[b + 1].clordid);
    unsigned long long req = strtoull(strchr(leg, '.') + 1, NULL, 10);
    snprintf(cancel_leg, sizeof cancel_leg, "91.%llu", req + 1);
    venue_report(cancel_leg, '4', '4', 0, 0, 100000, 4000000000000, "41=91");
    venue_report(leg, '0', '0', 0, 0, 0, 0, NULL);
    expect_report(TF_EX_REPLACED, 91); /* nothing came for the cancel leg */
    assert_int_equal(rep.price, 4000100);
    assert_int_equal(rep.qty, 400);
    venue_report(leg, 'F', '1', 4000100000000, 100000, 100000, 4000100000000, NULL);
    expect_report(TF_EX_FILL, 91);
    assert_int_equal(rep.last_qty, 100);
    assert_int_equal(*X.c_dup_fills, 0);
}

/* A cancel-then-new in flight when the connection drops: after the Logon
 * the stage asks about both venue orders; the old one canceled and the
 * new one working means the replace happened. */
static void test_cancel_new_across_reconnect(void **state)
{
    (void)state;
    reopen_stage(", replace: cancel_new");
    int b = V.nmsgs;
    acked_order(93, 4000000, 300);
    change(TF_VC_REPLACE, 93, 4000200, 300);
    UNTIL(V.nmsgs == b + 2);
    char leg[32];
    snprintf(leg, sizeof leg, "%s", V.msgs[b + 1].clordid);
    venue_drop(); /* its answers are lost with the connection */
    UNTIL(X.sessions[0].fix.state != TF_FIX_ACTIVE);
    UNTIL(logged_on());
    UNTIL(V.nmsgs >= b + 4);
    assert_string_equal(V.msgs[b + 2].type, "H");
    assert_string_equal(V.msgs[b + 2].clordid, "93");
    assert_string_equal(V.msgs[b + 3].clordid, leg);
    /* the old order answers by its cancel's ClOrdID, as tfsim does */
    char cancel_leg[40];
    snprintf(cancel_leg, sizeof cancel_leg, "93.%llu", strtoull(strchr(leg, '.') + 1, NULL, 10) + 1);
    venue_report(cancel_leg, 'I', '4', 0, 0, 0, 0, NULL);
    venue_report(leg, 'I', '0', 0, 0, 0, 0, NULL);
    expect_report(TF_EX_REPLACED, 93);
    assert_int_equal(rep.price, 4000200);
    UNTIL(tf_exio_session_ready(&X, 0));
}

/* A cancel refused because the venue does not know the order: the stage
 * asks for its status and learns it was canceled. */
static void test_cancel_unknown_asks(void **state)
{
    (void)state;
    new_order(95, 4000000, 100);
    UNTIL(V.nmsgs == 1);
    venue_report("95", '0', '0', 0, 0, 0, 0, NULL);
    expect_report(TF_EX_ACK, 95);
    change(TF_VC_CANCEL, 95, 0, 0);
    UNTIL(V.nmsgs == 2);
    tf_fix_writer *w = tf_fix_session_begin(&V.s, "9");
    tf_fix_put_cstr(w, TF_FIX_TAG_ORDER_ID, "NONE");
    tf_fix_put_cstr(w, TF_FIX_TAG_CL_ORD_ID, V.msgs[1].clordid);
    tf_fix_put_cstr(w, TF_FIX_TAG_ORIG_CL_ORD_ID, "95");
    tf_fix_put_char(w, TF_FIX_TAG_ORD_STATUS, '8');
    tf_fix_put_char(w, TF_FIX_TAG_CXL_REJ_RESPONSE_TO, '1');
    tf_fix_put_char(w, TF_FIX_TAG_CXL_REJ_REASON, '1');
    tf_fix_session_send(&V.s);
    expect_report(TF_EX_CANCEL_REJECT, 95);
    UNTIL(V.nmsgs == 3);
    assert_string_equal(V.msgs[2].type, "H");
    venue_report("95", 'I', '4', 0, 0, 0, 0, NULL);
    expect_report(TF_EX_CANCELED, 95);
    UNTIL(tf_exio_session_ready(&X, 0));
}

/* exchange.sqpoll: a kernel thread polls the submission ring; the same
 * round trip works. */
/* Fills for an order finished here: a repeat is a duplicate; beyond what
 * was counted the venue says we hold more: out of band, to the OMS. A
 * fill under a ClOrdID that is not ours at all is out of band too. */
static void test_out_of_band_fills(void **state)
{
    (void)state;
    acked_order(81, 5000000, 300);
    venue_report("81", 'F', '2', 5000000000000, 300000, 300000, 5000000000000, NULL);
    expect_report(TF_EX_FILL, 81);
    venue_report("81", 'F', '2', 5000000000000, 300000, 300000, 5000000000000, NULL); /* a repeat */
    UNTIL(*X.c_dup_fills == 1);
    assert_false(next_report());
    venue_report("81", 'F', '2', 4990000000000, 100000, 400000, 5000000000000, "12=0.01");
    expect_report(TF_EX_OUT_OF_BAND_FILL, 81);
    assert_int_equal(rep.last_qty, 100);
    assert_int_equal(rep.last_px, 4990000);
    assert_int_equal(rep.side, TF_BUY);
    assert_int_equal(rep.instrument, 0);
    assert_int_equal(rep.fee, 1000000);
    venue_report("nobody", 'F', '2', 5000000000000, 200000, 200000, 5000000000000, NULL);
    expect_report(TF_EX_OUT_OF_BAND_FILL, 0);
    assert_int_equal(rep.last_qty, 200);
    assert_int_equal(*X.c_out_of_band, 2);
}

/* After a restart the status request names the ClOrdID the venue knows
 * the order by now; a venue that knows only the original is asked again. */
static void test_status_by_current_clordid(void **state)
{
    (void)state;
    close_stage();
    venue_drop();
    open_stage(NULL);
    tf_order o = {.order_id = 91, .instrument = 0, .state = TF_OS_NEW, .side = TF_BUY, .type = TF_LIMIT,
                  .price = 5000000, .qty = 300, .version = 1};
    tf_exio_seed(&X, &o, 17);
    int before = V.nmsgs;
    UNTIL(logged_on());
    UNTIL(V.nmsgs == before + 1);
    assert_string_equal(V.msgs[before].type, "H");
    assert_string_equal(V.msgs[before].clordid, "91.17");
    venue_report("91.17", 'I', '8', 0, 0, 0, 0, NULL); /* not by that one */
    UNTIL(V.nmsgs == before + 2);
    assert_string_equal(V.msgs[before + 1].clordid, "91");
    venue_report("91", 'I', '0', 0, 0, 0, 0, NULL);
    UNTIL(tf_exio_session_ready(&X, 0));
    assert_int_equal(*X.g_unknown, 0);
}

/* The venue resets its numbers and does not say so: the session halts (no
 * reconnect loop) until an operator's reset logs on at 1, with the flag. */
static void test_venue_seq_reset_halts(void **state)
{
    (void)state;
    acked_order(95, 5000000, 100);
    venue_drop();
    tf_fix_store_reset(&V.s.store);
    UNTIL(X.sessions[0].halted);
    assert_int_equal(*X.g_halted, 1);
    assert_non_null(strstr(X.sessions[0].status.problem, "below the expected"));
    uint64_t connects = *X.sessions[0].c_reconnects;
    for (int i = 0; i < 200; i++) {
        step();
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(*X.sessions[0].c_reconnects, connects); /* 200 ms, backoff 10-50 ms: would have retried */
    tf_venue_cmd c = {.kind = TF_VC_SESSION_RESET, .qty = -1};
    assert_int_equal(tf_exio_command(&X, &c), 0);
    UNTIL(logged_on());
    assert_false(X.sessions[0].halted);
    assert_int_equal(*X.g_halted, 0);
    assert_true(X.sessions[0].fix.c.seq_resets >= 1);
    assert_int_equal(V.s.store.seq->next_in, X.sessions[0].fix.store.seq->next_out);
    /* the open order is reconciled on the new numbering */
    UNTIL(V.nmsgs > 0 && strcmp(V.msgs[V.nmsgs - 1].type, "H") == 0);
}

static void test_sqpoll(void **state)
{
    (void)state;
    reopen_stage(", sqpoll: true");
    acked_order(97, 4000000, 100);
}

/* A native iceberg: MaxFloor (111) on the D and on every request that
 * restates the order, only when the venue is said to take icebergs;
 * otherwise the order is refused rather than sent showing all of itself. */
static void test_native_iceberg_max_floor(void **state)
{
    (void)state;
    int b = V.nmsgs;
    tf_venue_cmd c = {.kind = TF_VC_NEW, .side = TF_BUY, .type = TF_LIMIT, .tif = TF_GTC, .instrument = 0,
                      .order_id = 101, .price = 4000000, .qty = 300, .display_qty = 100};
    assert_int_equal(tf_exio_command(&X, &c), 0);
    expect_report(TF_EX_REJECT, 101);
    assert_int_equal(rep.reason, TF_RJ_BAD_REQUEST);
    for (int i = 0; i < 20; i++)
        step();
    assert_int_equal(V.nmsgs, b);
    reopen_stage(", iceberg: max_floor");
    b = V.nmsgs;
    c.order_id = 102;
    assert_int_equal(tf_exio_command(&X, &c), 0);
    UNTIL(V.nmsgs == b + 1);
    assert_string_equal(V.msgs[b].type, "D");
    assert_int_equal(V.msgs[b].qty, 300000);
    assert_int_equal(V.msgs[b].max_floor, 100000); /* 0.001 */
    venue_report("102", '0', '0', 0, 0, 0, 0, NULL);
    expect_report(TF_EX_ACK, 102);
    venue_report("102", 'F', '1', 4000000000000, 100000, 100000, 4000000000000, NULL);
    expect_report(TF_EX_FILL, 102);
    change(TF_VC_REPLACE, 102, 4000100, 400);
    UNTIL(V.nmsgs == b + 2);
    assert_string_equal(V.msgs[b + 1].type, "G");
    assert_int_equal(V.msgs[b + 1].max_floor, 100000); /* said again */
    /* A market order cannot show a part; a display not below the qty is no iceberg. */
    c = (tf_venue_cmd){.kind = TF_VC_NEW, .side = TF_BUY, .type = TF_MARKET, .tif = TF_IOC, .instrument = 0,
                       .order_id = 103, .qty = 300, .display_qty = 100};
    assert_int_equal(tf_exio_command(&X, &c), 0);
    expect_report(TF_EX_REJECT, 103);
    c.type = TF_LIMIT;
    c.price = 4000000;
    c.order_id = 104;
    c.display_qty = 300;
    assert_int_equal(tf_exio_command(&X, &c), 0);
    expect_report(TF_EX_REJECT, 104);
    /* A plain order: no 111. */
    new_order(105, 4000000, 300);
    UNTIL(V.nmsgs == b + 3);
    assert_int_equal(V.msgs[b + 2].max_floor, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_ack_fill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_venue_reject_and_session_reject, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reconnect_reconcile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_never_seen_and_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_seed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rate_limit_holds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_unknown_asks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_new_across_reconnect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_band_fills, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_by_current_clordid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_venue_seq_reset_halts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sqpoll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_iceberg_max_floor, setup, teardown),
    };
    if (test_dir_make("tf_exio") != 0)
        return 1;
    int rc = cmocka_run_group_tests(tests, NULL, test_dir_remove);
    return rc;
}

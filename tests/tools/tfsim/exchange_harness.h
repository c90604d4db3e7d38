/* Shared by the tfsim exchange tests (test_exchange.c, test_exchange_fix.c,
 * test_exchange_state.c, test_exchange_faults.c):
 * a simulator with one symbol (TESTUSDT: tick 0.01, lot 0.001, the market
 * agent's 200 levels a side around 100.00, so 100.00 itself is free), its
 * exchange driven without sockets, and FIX clients: initiator sessions of
 * the engine's own session layer whose send queues a pump moves into the
 * exchange's connections and back. Each client records every application
 * message it gets (execution reports, cancel rejects, rejects) with the
 * fields the tests look at. Everything here is static inline so each test
 * program uses what it needs. */
#ifndef TF_TESTS_TFSIM_EXCHANGE_HARNESS_H
#define TF_TESTS_TFSIM_EXCHANGE_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/fix/fix_session.h"
#include "lib/fix/fix_sign.h"
#include "tools/tfsim/exchange/exchange.h"
#include "tools/tfsim/sim.h"

#define SEC 1000000000ull
#define MSEC 1000000ull
#define MAX_REPS 512
#define MAX_CLIENTS 8

typedef struct rep {
    char type;                   /* '8', '9', 'j', '3' */
    char et, st, liq, last_rpt;  /* 150, 39, 851, 912 */
    bool poss_dup;
    char clid[48], orig[48], oid[32], text[96];
    int64_t px, qty, last_px, last_qty, cum, leaves, avg, fee; /* 1e-8 */
    uint64_t rej, cxl_reason, cxl_to, tot, biz;                /* 103, 102, 434, 911, 380 */
    uint64_t ref_seq, ref_tag, sess_rej;                       /* a Reject's 45, 371, 373 */
    char ref_type[4];                                          /* 372 */
} rep;

typedef struct client {
    tf_fix_session s;
    int conn;                    /* the exchange's connection, -1: none */
    rep reps[MAX_REPS];
    int n;
    bool cod;                    /* Logon with 8013=Y */
    void *key;                   /* Ed25519 private key signing the Logon */
} client;

static sim S;
static exchange *X;
static uint64_t now_mono = 1000 * SEC, now_wall = 1767225600ull * SEC;
static client *CL[MAX_CLIENTS];
static int NCL;

/* "123.45" → 1e-8 units */
static inline int64_t D(const char *s)
{
    int64_t v = 0, f = 0, scale = 100000000;
    bool neg = *s == '-';
    if (neg)
        s++;
    for (; *s && *s != '.'; s++)
        v = v * 10 + (*s - '0');
    if (*s == '.')
        for (s++; *s && scale > 1; s++) {
            scale /= 10;
            f += (*s - '0') * scale;
        }
    v = v * 100000000 + f;
    return neg ? -v : v;
}

static inline void clock_all(void)
{
    exchange_clock(X, now_mono, now_wall);
    for (int i = 0; i < NCL; i++)
        tf_fix_session_clock(&CL[i]->s, now_mono, now_wall);
}

static inline void advance(uint64_t ns)
{
    now_mono += ns;
    now_wall += ns;
    clock_all();
}

static inline void get_s(const tf_fix_msg *m, uint32_t tag, char *out, size_t cap)
{
    const char *v;
    size_t n;
    out[0] = 0;
    if (tf_fix_get_str(m, tag, &v, &n) == 0)
        snprintf(out, cap, "%.*s", (int)n, v);
}

static inline int client_on_app(void *ctx, tf_fix_session *s, const tf_fix_msg *m)
{
    (void)s;
    client *c = ctx;
    assert_true(c->n < MAX_REPS);
    rep *r = &c->reps[c->n++];
    memset(r, 0, sizeof *r);
    r->type = m->msg_type[0];
    r->poss_dup = m->poss_dup;
    tf_fix_get_char(m, TF_FIX_TAG_EXEC_TYPE, &r->et);
    tf_fix_get_char(m, TF_FIX_TAG_ORD_STATUS, &r->st);
    tf_fix_get_char(m, TF_FIX_TAG_LAST_LIQUIDITY_IND, &r->liq);
    tf_fix_get_char(m, TF_FIX_TAG_LAST_RPT_REQUESTED, &r->last_rpt);
    get_s(m, TF_FIX_TAG_CL_ORD_ID, r->clid, sizeof r->clid);
    get_s(m, TF_FIX_TAG_ORIG_CL_ORD_ID, r->orig, sizeof r->orig);
    get_s(m, TF_FIX_TAG_ORDER_ID, r->oid, sizeof r->oid);
    get_s(m, TF_FIX_TAG_TEXT, r->text, sizeof r->text);
    tf_fix_get_fixed(m, TF_FIX_TAG_PRICE, &r->px);
    tf_fix_get_fixed(m, TF_FIX_TAG_ORDER_QTY, &r->qty);
    tf_fix_get_fixed(m, TF_FIX_TAG_LAST_PX, &r->last_px);
    tf_fix_get_fixed(m, TF_FIX_TAG_LAST_QTY, &r->last_qty);
    tf_fix_get_fixed(m, TF_FIX_TAG_CUM_QTY, &r->cum);
    tf_fix_get_fixed(m, TF_FIX_TAG_LEAVES_QTY, &r->leaves);
    tf_fix_get_fixed(m, TF_FIX_TAG_AVG_PX, &r->avg);
    tf_fix_get_fixed(m, TF_FIX_TAG_COMMISSION, &r->fee);
    tf_fix_get_u64(m, TF_FIX_TAG_ORD_REJ_REASON, &r->rej);
    tf_fix_get_u64(m, TF_FIX_TAG_CXL_REJ_REASON, &r->cxl_reason);
    tf_fix_get_u64(m, TF_FIX_TAG_CXL_REJ_RESPONSE_TO, &r->cxl_to);
    tf_fix_get_u64(m, TF_FIX_TAG_TOT_NUM_REPORTS, &r->tot);
    tf_fix_get_u64(m, TF_FIX_TAG_BUSINESS_REJECT_REASON, &r->biz);
    tf_fix_get_u64(m, TF_FIX_TAG_REF_SEQ_NUM, &r->ref_seq);
    tf_fix_get_u64(m, TF_FIX_TAG_REF_TAG_ID, &r->ref_tag);
    tf_fix_get_u64(m, TF_FIX_TAG_SESSION_REJECT_REASON, &r->sess_rej);
    get_s(m, TF_FIX_TAG_REF_MSG_TYPE, r->ref_type, sizeof r->ref_type);
    return 0;
}

static inline void client_logon_fields(void *ctx, tf_fix_session *s, tf_fix_writer *w)
{
    (void)s;
    client *c = ctx;
    if (c->cod)
        tf_fix_put_char(w, 8013, 'Y');
    if (c->key) {
        char b64[128];
        int n = tf_fix_sign_logon(c->key, w, b64, sizeof b64);
        assert_true(n > 0);
        tf_fix_put_u64(w, TF_FIX_TAG_RAW_DATA_LENGTH, (uint64_t)n);
        tf_fix_put_str(w, TF_FIX_TAG_RAW_DATA, b64, (size_t)n);
    }
}

static const tf_fix_session_ops client_ops = {.on_app = client_on_app, .logon_fields = client_logon_fields};

static inline void client_open(client *c, const char *comp, const char *user, const char *pass)
{
    memset(c, 0, sizeof *c);
    c->conn = -1;
    tf_fix_session_config cfg = {.initiator = true, .heartbeat_s = 30, .resend_app = true};
    snprintf(cfg.sender, sizeof cfg.sender, "%s", comp);
    snprintf(cfg.target, sizeof cfg.target, "TFSIM");
    if (user)
        snprintf(cfg.username, sizeof cfg.username, "%s", user);
    if (pass)
        snprintf(cfg.password, sizeof cfg.password, "%s", pass);
    assert_int_equal(tf_fix_session_init(&c->s, &cfg, &client_ops, c), 0);
    assert_true(NCL < MAX_CLIENTS);
    CL[NCL++] = c;
    tf_fix_session_clock(&c->s, now_mono, now_wall);
}

static inline void client_drop(client *c)
{
    if (c->conn < 0)
        return;
    exchange_conn_close(X, c->conn);
    tf_fix_session_disconnected(&c->s);
    c->conn = -1;
}

/* Move bytes both ways until nothing moves; close what wants closing. */
static inline void pump(void)
{
    for (int round = 0; round < 1000; round++) {
        bool moved = false;
        for (int i = 0; i < NCL; i++) {
            client *c = CL[i];
            const char *p;
            size_t n;
            while (c->conn >= 0 && (n = tf_fix_session_out_peek(&c->s, &p)) > 0) {
                exchange_conn_input(X, c->conn, p, n);
                tf_fix_session_out_done(&c->s, n);
                moved = true;
            }
            while (c->conn >= 0 && (n = exchange_conn_peek(X, c->conn, &p)) > 0) {
                tf_fix_session_on_bytes(&c->s, p, n);
                exchange_conn_written(X, c->conn, n);
                moved = true;
            }
            if (c->conn >= 0 && (exchange_conn_done(X, c->conn) ||
                                 (c->s.close != TF_FIX_CLOSE_NONE && !tf_fix_session_out_pending(&c->s)))) {
                client_drop(c);
                moved = true;
            }
        }
        if (!moved)
            return;
    }
    fail_msg("the exchange and its clients kept talking for 1000 rounds");
}

static inline void client_connect(client *c)
{
    clock_all();
    c->conn = exchange_conn_open(X);
    assert_true(c->conn >= 0);
    tf_fix_session_connected(&c->s);
    pump();
}

/* ---- requests ---- */

typedef struct ord {
    const char *clid, *qty, *px; /* px NULL: market */
    char side, tif;              /* tif 0: none sent */
    bool post_only;
    char stp;                    /* 0: none */
    const char *sym;             /* NULL: TESTUSDT */
    const char *max_floor;       /* 111, an iceberg's display (NULL: none) */
} ord;

static inline void put_new(tf_fix_writer *w, ord o)
{
    tf_fix_put_cstr(w, TF_FIX_TAG_CL_ORD_ID, o.clid);
    tf_fix_put_cstr(w, TF_FIX_TAG_SYMBOL, o.sym ? o.sym : "TESTUSDT");
    tf_fix_put_char(w, TF_FIX_TAG_SIDE, o.side ? o.side : '1');
    tf_fix_put_time(w, TF_FIX_TAG_TRANSACT_TIME, now_wall);
    tf_fix_put_cstr(w, TF_FIX_TAG_ORDER_QTY, o.qty);
    tf_fix_put_char(w, TF_FIX_TAG_ORD_TYPE, o.px ? '2' : '1');
    if (o.px)
        tf_fix_put_cstr(w, TF_FIX_TAG_PRICE, o.px);
    if (o.tif)
        tf_fix_put_char(w, TF_FIX_TAG_TIME_IN_FORCE, o.tif);
    if (o.post_only)
        tf_fix_put_char(w, TF_FIX_TAG_EXEC_INST, '6');
    if (o.stp)
        tf_fix_put_char(w, TF_FIX_TAG_SELF_TRADE_PREVENTION, o.stp);
    if (o.max_floor)
        tf_fix_put_cstr(w, TF_FIX_TAG_MAX_FLOOR, o.max_floor);
}

/* The book's aggregate at a price on a side (0: no level). */
static inline int64_t level_at(int side, int64_t px)
{
    static match_level_info lv[1024];
    uint32_t n = match_levels(S.sym[0].book, side, lv, 1024);
    for (uint32_t i = 0; i < n; i++)
        if (lv[i].price == px)
            return lv[i].qty;
    return 0;
}

static inline void send_new(client *c, ord o)
{
    tf_fix_writer *w = tf_fix_session_begin(&c->s, "D");
    assert_non_null(w);
    put_new(w, o);
    assert_true(tf_fix_session_send(&c->s) > 0);
    pump();
}

/* F (qty/px NULL) or G. */
static inline void send_change(client *c, const char *orig, const char *clid, const char *qty, const char *px)
{
    tf_fix_writer *w = tf_fix_session_begin(&c->s, px ? "G" : "F");
    assert_non_null(w);
    tf_fix_put_cstr(w, TF_FIX_TAG_ORIG_CL_ORD_ID, orig);
    tf_fix_put_cstr(w, TF_FIX_TAG_CL_ORD_ID, clid);
    tf_fix_put_cstr(w, TF_FIX_TAG_SYMBOL, "TESTUSDT");
    tf_fix_put_char(w, TF_FIX_TAG_SIDE, '1');
    tf_fix_put_time(w, TF_FIX_TAG_TRANSACT_TIME, now_wall);
    if (qty)
        tf_fix_put_cstr(w, TF_FIX_TAG_ORDER_QTY, qty);
    if (px) {
        tf_fix_put_char(w, TF_FIX_TAG_ORD_TYPE, '2');
        tf_fix_put_cstr(w, TF_FIX_TAG_PRICE, px);
    }
    assert_true(tf_fix_session_send(&c->s) > 0);
    pump();
}

static inline void send_status(client *c, const char *clid, const char *req_id)
{
    tf_fix_writer *w = tf_fix_session_begin(&c->s, "H");
    assert_non_null(w);
    tf_fix_put_cstr(w, TF_FIX_TAG_CL_ORD_ID, clid);
    tf_fix_put_cstr(w, TF_FIX_TAG_SYMBOL, "TESTUSDT");
    tf_fix_put_char(w, TF_FIX_TAG_SIDE, '1');
    tf_fix_put_cstr(w, TF_FIX_TAG_ORD_STATUS_REQ_ID, req_id);
    assert_true(tf_fix_session_send(&c->s) > 0);
    pump();
}

/* Binance's OrderCancelRequestAndNewOrderSingle: the cancel of orig (41)
 * or order_id (37) under cancel_id (25034), then the new limit order clid. */
typedef struct xcn {
    char mode;                   /* 25033 */
    const char *orig, *order_id; /* 41, 37 (NULL: not sent) */
    const char *cancel_id, *clid; /* 25034, 11 (NULL: not sent) */
    const char *qty, *px, *sym;
    char side;
} xcn;

static inline void send_xcn(client *c, xcn q)
{
    tf_fix_writer *w = tf_fix_session_begin(&c->s, "XCN");
    assert_non_null(w);
    tf_fix_put_char(w, 25033, q.mode);
    if (q.orig)
        tf_fix_put_cstr(w, TF_FIX_TAG_ORIG_CL_ORD_ID, q.orig);
    if (q.order_id)
        tf_fix_put_cstr(w, TF_FIX_TAG_ORDER_ID, q.order_id);
    if (q.cancel_id)
        tf_fix_put_cstr(w, 25034, q.cancel_id);
    if (q.clid)
        tf_fix_put_cstr(w, TF_FIX_TAG_CL_ORD_ID, q.clid);
    tf_fix_put_cstr(w, TF_FIX_TAG_SYMBOL, q.sym ? q.sym : "TESTUSDT");
    tf_fix_put_char(w, TF_FIX_TAG_SIDE, q.side ? q.side : '1');
    tf_fix_put_time(w, TF_FIX_TAG_TRANSACT_TIME, now_wall);
    tf_fix_put_cstr(w, TF_FIX_TAG_ORDER_QTY, q.qty ? q.qty : "1");
    tf_fix_put_char(w, TF_FIX_TAG_ORD_TYPE, '2');
    tf_fix_put_cstr(w, TF_FIX_TAG_PRICE, q.px ? q.px : "50.00");
    tf_fix_put_char(w, TF_FIX_TAG_TIME_IN_FORCE, '1');
    assert_true(tf_fix_session_send(&c->s) > 0);
    pump();
}

/* The last application message of the client with this ExecType (0: any) and ClOrdID (NULL: any). */
static inline rep *find(client *c, char type, char et, const char *clid)
{
    for (int i = c->n - 1; i >= 0; i--) {
        rep *r = &c->reps[i];
        if (r->type == type && (!et || r->et == et) && (!clid || strcmp(r->clid, clid) == 0))
            return r;
    }
    return NULL;
}

static inline rep *must(client *c, char type, char et, const char *clid)
{
    rep *r = find(c, type, et, clid);
    if (!r)
        fail_msg("no %c report with 150=%c for %s among %d", type, et ? et : '*', clid ? clid : "*", c->n);
    return r;
}

static inline int count(const client *c, char type, char et)
{
    int n = 0;
    for (int i = 0; i < c->n; i++)
        n += c->reps[i].type == type && (!et || c->reps[i].et == et);
    return n;
}

/* ---- set up and tear down ---- */

static inline void h_setup(void)
{
    memset(&S, 0, sizeof S);
    S.nsym = 1;
    snprintf(S.sym[0].name, sizeof S.sym[0].name, "TESTUSDT");
    S.mix = SK_ALL;
    S.seed = 7;
    S.rate = 1000;
    S.fix.maker_fee_bps = 10;
    S.fix.taker_fee_bps = 20;
    S.msg = malloc(SIM_MSG_MAX);
    assert_non_null(S.msg);
    assert_int_equal(sim_gen_init(&S), 0);
    NCL = 0;
}

/* The wiring main.c and sim_fix_start do: market data after each book
 * operation, the books' participant events to the exchange. */
static inline void h_md_done(void *ctx, int si) { sim_md_done(ctx, si); }
static inline void h_md_tick(void *ctx, uint64_t now_ns) { sim_md_tick(ctx, now_ns); }

static inline void h_start(void)
{
    const exchange_md_ops md = {.book_done = h_md_done, .tick = h_md_tick, .ctx = &S};
    X = exchange_create(&S, &md);
    assert_non_null(X);
    exchange_set_quiet(X, true);
    S.ex = X;
    S.order_events = (sim_order_ops){.book_event = exchange_book_event_cb, .ctx = X};
    clock_all();
}

static inline void h_teardown(void)
{
    for (int i = 0; i < NCL; i++) {
        client_drop(CL[i]);
        tf_fix_session_free(&CL[i]->s);
    }
    NCL = 0;
    exchange_free(X);
    X = NULL;
    S.ex = NULL;
    S.order_events = (sim_order_ops){0};
    sim_gen_free(&S);
    free(S.msg);
    free(S.held);
}

/* One client logged on as comp (account user, or comp). */
static inline void logon(client *c, const char *comp, const char *user)
{
    client_open(c, comp, user, NULL);
    client_connect(c);
    assert_int_equal(c->s.state, TF_FIX_ACTIVE);
}

#endif

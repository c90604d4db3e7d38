/* tfsim exchange, internal: the state shared by exchange.c (records,
 * ClOrdID map, accounts, dump), exchange_conn.c (connections, sessions,
 * Logon, output faults), exchange_fault.c (the venue-behaviour faults of
 * the sessions), exchange_app.c (the requests) and
 * exchange_report.c (book events to execution reports), and
 * exchange_state.c (the orders kept across a restart). Not for other
 * modules: use exchange.h.
 *
 * Order records live in a pool of EX_OPEN_MAX + EX_FINISHED_MAX slots
 * (a slot never used is taken from `ord_fresh`, a freed one from a free
 * stack, so memory is touched only as it is needed). OrderID = (sequence
 * << EX_SLOT_BITS) | slot. The ClOrdID map is chained hashing over a pool
 * of entries: each bucket heads a list (newest first, so a ClOrdID reused
 * after its order finished names the new order), each record heads the
 * list of its own entries (removed with it). */
#ifndef TF_TFSIM_EXCHANGE_INT_H
#define TF_TFSIM_EXCHANGE_INT_H

#include "lib/fix/fix_session.h"
#include "tools/tfsim/exchange/exchange.h"
#include "tools/tfsim/sim.h"

#define EX_NIL UINT32_MAX
#define EX_SLOT_BITS 17u            /* 2^17 = EX_OPEN_MAX + EX_FINISHED_MAX record slots */
#define EX_RECORDS (EX_OPEN_MAX + EX_FINISHED_MAX)
#define EX_CLIDS (EX_RECORDS * 3u)  /* ClOrdID entries */
#define EX_BUCKETS (1u << 19)
#define EX_MARKS 1024u              /* fix-delay: held reports per connection */
#define EX_RBUF (2u * TF_FIX_MAX_MSG)
#define EX_TAG_XCN_MODE 25033u         /* OrderCancelRequestAndNewOrderSingleMode: 1 STOP_ON_FAILURE, 2 ALLOW_FAILURE */
#define EX_TAG_CANCEL_CL_ORD_ID 25034u /* CancelClOrdID: XCN's cancel */

typedef struct x_order {
    uint64_t order_id;              /* 0: free slot */
    uint64_t match_id;              /* in the book (0 until ACCEPTED) */
    uint32_t account;               /* owner id in the books */
    uint32_t clids;                 /* head of its ClOrdID entries */
    uint32_t next_free;
    uint8_t session, sym, side, type, tif, stp;
    bool post_only, open;
    char status;                    /* 39: 0 1 2 4 8 C */
    uint8_t cur_len, orig_len;
    int64_t price, qty, cum, fees;  /* 1e-8 */
    int64_t display;                /* an iceberg: MaxFloor (111); 0: none */
    __int128 cost;                  /* sum of price * qty of its fills */
    char cur[EX_CLID_MAX], orig[EX_CLID_MAX];
} x_order;

typedef struct x_clid {
    uint32_t hnext, rnext, rec, account;
    uint8_t len;
    char id[EX_CLID_MAX];
} x_clid;

typedef struct x_session {
    tf_fix_session fix;
    struct exchange *x;
    bool used, cod, logged_on;      /* cod: its Logon asked for CancelOrdersOnDisconnect */
    int conn;                       /* -1: no connection */
    uint32_t account;
    char comp_id[TF_FIX_COMP_ID_MAX];
} x_session;

typedef struct x_mark {
    uint64_t start, due;            /* a held report: its first byte in the connection's output, when due */
} x_mark;

typedef struct x_conn {
    bool used, drop, drop_now, closing; /* drop: close once what is queued is written (fix-drop); drop_now: at once */
    bool mute;                      /* fix-strict refused its Logon: input ignored until it closes */
    int session;                    /* -1 until its Logon picked one */
    uint64_t opened_mono, app_in;
    char *rbuf;                     /* a message split across inputs */
    uint32_t rlen;
    char lone[512];                 /* a refusal sent outside any session */
    uint32_t lone_len, lone_sent;
    uint64_t out_total;             /* bytes written so far */
    x_mark *marks;
    uint32_t mhead, mtail;
} x_conn;

/* How exchange_conn.c hands what comes up from a session to the requests
 * (exchange_app.c) without calling up into it: exchange_create (there)
 * sets these. */
typedef struct x_app_ops {
    /* An application message of session ss; 0, or the reject reason. */
    int (*on_app)(exchange *x, x_session *ss, const tf_fix_msg *m);
    /* Session `session` went down and its Logon asked for cancel on disconnect. */
    void (*cancel_session_orders)(exchange *x, uint32_t session);
} x_app_ops;

enum { X_OP_NONE = 0, X_OP_NEW, X_OP_CANCEL, X_OP_REPLACE, X_OP_COD, X_OP_RESTORE };

struct exchange {
    sim *s;
    const x_app_ops *app;           /* the requests (exchange_app.c) */
    exchange_md_ops md;             /* market data (md/), as given to exchange_create */
    bool quiet;
    char comp_id[TF_FIX_COMP_ID_MAX];
    void *pubkey;                   /* --fix-ed25519-pub (EVP_PKEY) */
    int64_t maker_rate, taker_rate; /* fee per 1 of notional, 1e-8 */
    uint64_t mono, wall;
    exchange_counters c;
    uint64_t exec_id, order_seq, d_count, logon_count, report_count, sent_count;
    /* accounts: owner id = index + 1 */
    char accounts[EX_MAX_ACCOUNTS][64];
    uint32_t naccounts;
    x_session sess[EX_MAX_SESSIONS];
    x_conn conn[EX_MAX_CONNS];
    tf_fix_msg first;               /* a connection's first message (its Logon) */
    /* records */
    x_order *orders;
    uint32_t ord_fresh, ord_free, nopen;
    uint32_t *fin;                  /* ring of finished records, oldest at fin_head */
    uint32_t fin_head, fin_count;
    /* ClOrdID map */
    x_clid *clids;
    uint32_t *buckets;
    uint32_t clid_fresh, clid_free;
    /* the request being handled (its reports need it) */
    int op;
    uint32_t op_rec;
    uint8_t op_session;
    const char *op_clid;
    size_t op_clid_len;
    const tf_fix_msg *op_req;
    uint64_t *scratch;              /* EX_OPEN_MAX match ids (cancel-on-disconnect) */
    uint32_t nscratch;
    uint64_t read_ns;               /* --t2t-out: when the input being handled was read */
    /* venue-behaviour faults */
    bool clocked, boundary_done;    /* fix-session-reset: start_mono set; the boundary passed */
    uint64_t start_mono;            /* the first exchange_clock */
    uint64_t cancel_count;          /* fix-fill-after-cancel: F requests that canceled */
};

/* After an operation on the book of symbol si: market data catches up
 * (exchange_md_ops.book_done, when given). */
static inline void md_done(exchange *x, int si)
{
    if (x->md.book_done)
        x->md.book_done(x->md.ctx, si);
}

/* exchange.c */
/* The object (exchange_create without its wiring); NULL with a message. */
exchange *ex_new(sim *s, const exchange_md_ops *md, const x_app_ops *app);
uint32_t ex_account(exchange *x, const char *name, size_t len);  /* owner id, 0 when the table is full */
uint32_t ex_rec_new(exchange *x);                                 /* EX_NIL when full */
void ex_rec_finish(exchange *x, uint32_t r);                      /* into the ring of finished ones */
x_order *ex_rec_by_order_id(exchange *x, uint64_t order_id, uint32_t account);
/* The record a ClOrdID names for an account, or EX_NIL. */
uint32_t ex_clid_find(const exchange *x, uint32_t account, const char *id, size_t len);
void ex_clid_add(exchange *x, uint32_t r, const char *id, size_t len);
void ex_set_cur(x_order *o, const char *id, size_t len);

/* exchange_conn.c: sessions, and the output path with its faults */
/* Set up session slot i for the counterparty's SenderCompID (its store
 * opened); -1 with a message on stderr. */
int ex_session_init(exchange *x, int i, const char *id, size_t n);
tf_fix_writer *ex_begin(exchange *x, uint32_t session, const char *msg_type);
void ex_send(exchange *x, uint32_t session);

/* exchange_fault.c: the venue-behaviour faults of the sessions */
/* From exchange_clock: the session boundary (fix-session-reset) when due. */
void ex_fault_clock(exchange *x);
/* fix-rewind-in: a session just set up from its store expects old numbers again. */
void ex_fault_rewind(exchange *x, x_session *ss);
/* fix-strict: a first message (Logon) outside the dictionary is answered
 * with a Reject built outside any session and the connection goes mute;
 * true when it was. */
bool ex_strict_logon(exchange *x, x_conn *c, const tf_fix_msg *m);
/* fix-strict: a message of a logged-on session outside the dictionary is
 * answered with a Reject through the session; true when it was (the
 * caller must not act on it). */
bool ex_strict_refuse(exchange *x, x_session *ss, const tf_fix_msg *m);
/* fix-strict: an admin message (0 1 2 4 5) at the expected number, checked
 * before the session sees it; true when it was refused (its number taken). */
bool ex_strict_admin(exchange *x, x_session *ss, const char *msg, size_t len);

/* exchange_report.c */
void ex_report(exchange *x, const x_order *o, uint32_t session, char exec_type, const char *clid, size_t clid_len,
               const char *orig, size_t orig_len);
/* A status answer (150=I); tot: TotNumReports of a mass status (0: none), last: LastRptRequested. */
void ex_report_status(exchange *x, const x_order *o, uint32_t session, const tf_fix_msg *req, uint32_t tot,
                      bool last);
void ex_report_unknown(exchange *x, uint32_t session, const tf_fix_msg *req, uint32_t tot);
void ex_report_reject(exchange *x, const x_order *o, uint32_t session, int reason, const char *text,
                      const tf_fix_msg *req);
void ex_cancel_reject(exchange *x, uint32_t session, const x_order *o, const tf_fix_msg *req, bool cancel,
                      int reason, const char *text);

#endif

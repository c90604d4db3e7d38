/* tfsim's order-entry half: FIX 4.4 participants trading in the symbols'
 * matching engines, with no sockets of its own (fix_gateway.c moves the
 * bytes; the tests call the same functions with in-memory sessions).
 *
 * Design. Connections (at most EX_MAX_CONNS) are numbered slots the
 * transport opens, feeds (exchange_conn_input), drains (exchange_conn_peek
 * / _written) and closes. The first message on a connection must be a
 * Logon: its SenderCompID picks one of at most EX_MAX_SESSIONS FIX sessions
 * (lib/fix/fix_session.h, acceptor, kept across reconnects so sequence
 * numbers survive; created at its first Logon), and every later byte goes
 * to that session. Accounts: a Logon's Username (553), else its
 * SenderCompID, names the owner of the orders placed through it (owner ids
 * 1.. in the books; 0 is the market agent), so sessions of one account
 * share self-trade prevention. Orders: one record each from a fixed pool,
 * found by any ClOrdID it ever had (a hash map per account) or by its
 * OrderID; a finished one stays findable in a ring of the last
 * EX_FINISHED_MAX. Execution reports go to the session that placed (or
 * last changed) the order, also while it is down (send_while_down: they
 * come back by resend after its next Logon). With --fix-store the orders,
 * accounts and sessions outlive a restart (exchange_state.c). Faults
 * (sim_fix_opts.fault) are applied here: on the output path
 * (exchange_conn.c), on the requests and reports (fix-reject,
 * fix-status-latest, fix-fill-after-cancel), at load (fix-lose-book) and
 * on the sessions (exchange_fault.c: fix-session-reset, fix-rewind-in,
 * fix-strict). No allocation after exchange_create
 * except a session's buffers at its first Logon; no formatted output on
 * the message path.
 *
 * The order-entry half (exchange/) owns the matching engine (match*.c, the
 * books both halves trade in), the participants' accounts, sessions and
 * orders, the FIX faults, and the FIX and echo sockets (fix_gateway.c).
 * Layers, each file calling only the ones below it:
 *   fix_gateway.c   sockets              -> the files below (exchange.h), tls.c
 *   exchange_app.c  the requests         -> exchange_report.c, exchange.c, match, t2t.c
 *   exchange_state.c --fix-store         -> exchange_conn.c, exchange.c, match
 *   exchange_report.c execution reports  -> exchange_conn.c, exchange.c
 *   exchange_conn.c connections, sessions -> exchange_fault.c, exchange.c (the requests
 *                   reach exchange_app.c through x_app_ops, set by exchange_create)
 *   exchange_fault.c the sessions' faults -> exchange.c
 *   exchange.c      records, ClOrdIDs, accounts
 *   match.c -> match_level.c            the matching engine, calls nothing else
 * It never calls into md/: after an operation on a book, and on the loop's
 * tick, it calls the exchange_md_ops it was given (main.c wires them to
 * market.c). md/ reaches it only through the matching engine's interface
 * and sim_order_ops (exchange_book_event). */
#ifndef TF_TFSIM_EXCHANGE_H
#define TF_TFSIM_EXCHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <signal.h>

#include "tools/tfsim/exchange/match.h"

typedef struct sim sim;

#define EX_MAX_CONNS 16
#define EX_MAX_SESSIONS 16
#define EX_MAX_ACCOUNTS 64
#define EX_CLID_MAX 40              /* longest ClOrdID taken */
#define EX_OPEN_MAX 65536           /* participants' open orders, all symbols */
#define EX_FINISHED_MAX 65536       /* finished orders remembered */

typedef struct exchange exchange;

/* Faults of the FIX side (--fault fix-*; main.c's header says what each does). */
typedef struct sim_fix_fault {
    uint64_t drop_every, delay_ms, reject_every, garble_every, skip_seq_every, refuse_logons;
    /* venue behaviour */
    uint64_t session_reset_after_s; /* fix-session-reset: the boundary, seconds after the first clock (0: none) */
    bool session_reset_flag;        /* ... announced with ResetSeqNumFlag=Y at the next Logon, else silent */
    bool lose_book;                 /* fix-lose-book: exchange_load_state loads no order */
    uint64_t rewind_in;             /* fix-rewind-in: loaded sessions expect this many inbound numbers again */
    bool strict;                    /* fix-strict: tags > 956 and non-4.4 MsgTypes refused (35=3) */
    bool status_latest;             /* fix-status-latest: H finds an order by its current ClOrdID or 37 only */
    uint64_t fill_after_cancel;     /* fix-fill-after-cancel: every Nth F that cancels is followed by a fill */
} sim_fix_fault;

/* The order-entry half's options (fix_gateway.c, exchange*.c). */
typedef struct sim_fix_opts {
    int port, echo_port;            /* 0: none (with a port file: any free port) */
    const char *bind, *port_file, *echo_port_file;
    const char *comp_id, *store_dir, *username, *password, *ed25519_pub, *orders_dump;
    bool tls, reset, busy_poll;
    double maker_fee_bps, taker_fee_bps;
    sim_fix_fault fault;
} sim_fix_opts;

/* What the exchange asks of market data (md/), given at exchange_create. */
typedef struct exchange_md_ops {
    /* After each operation on the book of symbol si (the aggTrade goes out,
     * the mid moves, a changed touch makes a bookTicker). */
    void (*book_done)(void *ctx, int si);
    /* Once per loop (fix_gateway.c): depth changes made by participants go out. */
    void (*tick)(void *ctx, uint64_t now_ns);
    void *ctx;
} exchange_md_ops;

typedef struct exchange_counters {
    uint64_t sessions, logons, logons_refused, connections, orders, fills, rejects, cancels, replaces,
        cancel_rejects, status_requests, mass_status, reports, report_drops, cancel_on_disconnect,
        cancel_news;                /* XCN requests (their cancel counts in cancels, their order in orders) */
    /* faults injected */
    uint64_t f_drops, f_delayed, f_rejects, f_garbled, f_skipped, f_refused;
    uint64_t f_session_resets, f_strict, f_fill_after_cancel; /* boundaries; messages refused; racing fills */
} exchange_counters;

/* Cold. Uses s->fix (options; ed25519_pub is loaded here, fault) and the
 * books of s; md: copied. NULL with a one-line message on stderr. */
exchange *exchange_create(sim *s, const exchange_md_ops *md);
/* Its counters (read only). */
const exchange_counters *exchange_counters_of(const exchange *x);
void exchange_free(exchange *x);
void exchange_set_quiet(exchange *x, bool quiet); /* no log lines (tests) */
const exchange_counters *exchange_stats(const exchange *x);

/* The clock for what follows (SendingTime, timers, the delay fault), and
 * the sessions' timers (heartbeats, TestRequest, logon timeouts). */
void exchange_clock(exchange *x, uint64_t mono_ns, uint64_t wall_ns);

/* ---- connections (the transport's side) ---- */
int exchange_conn_open(exchange *x);                   /* its slot, or -1 when all are taken */
void exchange_conn_input(exchange *x, int c, const char *p, size_t n);
/* Bytes to write now (0: nothing, or held back by fix-delay); stable
 * until _written says how many went. */
size_t exchange_conn_peek(exchange *x, int c, const char **p);
void exchange_conn_written(exchange *x, int c, size_t n);
/* The transport must close it now (dropped, or closing and drained). */
bool exchange_conn_done(const exchange *x, int c);
/* The transport closed it (either side): the session goes down, its
 * orders are canceled if its Logon asked for it (8013=Y). */
void exchange_conn_close(exchange *x, int c);
/* SIGUSR1: every connection is to be closed now. */
void exchange_drop_all(exchange *x);
/* The next time output held back by fix-delay becomes due (0: none). */
uint64_t exchange_wake_ns(const exchange *x);

/* --t2t-out: the input about to be handed over was read at mono_ns. */
void exchange_stamp_read(exchange *x, uint64_t mono_ns);

/* ---- the books (events of participants' orders, through sim_order_ops) ---- */
void exchange_book_event(exchange *x, uint32_t si, const match_event *ev);
/* The sim_order_ops.book_event of an exchange (ctx: the exchange). */
void exchange_book_event_cb(void *ctx, uint32_t si, const match_event *ev);

/* Every order known (open, and the finished ones remembered), one JSON
 * object a line: account, clordid (current), orig_clordid, order_id,
 * symbol, side, type, status, price, qty, cum, avg_px, fees. */
void exchange_dump_orders(const exchange *x, FILE *f);
/* ---- orders across a restart (exchange_state.c; --fix-store DIR) ----
 * DIR/orders.state (EX_STATE_VERSION, text): the accounts, the sessions
 * (slot and SenderCompID), every open order and the ring of finished ones
 * (ClOrdID chains, terms, status, cum, cost, fees), the OrderID and ExecID
 * counters. Save: written to DIR/orders.state.tmp, then renamed; 0, or -1
 * with a message. Load (a fresh exchange, before any connection): 0 when
 * loaded, 1 when there is no file, -1 with a message when it is of another
 * version or unreadable (tfsim exits 2). Loaded open orders go back into
 * the books as their accounts' (they may trade at once; the reports wait
 * in their sessions for the next Logon); orders keep their OrderIDs. */
#define EX_STATE_VERSION 2 /* 2: an iceberg's display */
int exchange_save_state(const exchange *x, const char *dir);
/* The same without the line saying so (the saves while it runs). */
int exchange_save_state_quietly(const exchange *x, const char *dir);
int exchange_load_state(exchange *x, const char *dir);

/* One line of counters, as the exit summary prints it. */
void exchange_print_stats(const exchange *x, FILE *f);

/* ---- fix_gateway.c: the FIX acceptor and the echo port in the main loop ---- */
/* 0, or -1 with a message (exit 2). Creates s->ex (with md) when there is a
 * FIX port and routes the books' participant events to it (s->order_events). */
int sim_fix_start(sim *s, const exchange_md_ops *md);
/* Write what is ready, wait for input up to timeout_ns (0: just look),
 * handle it and run the sessions' timers. */
void sim_fix_wait(sim *s, uint64_t timeout_ns);
void sim_fix_stop(sim *s);          /* counters on stderr, --orders-dump, close */
extern volatile sig_atomic_t sim_fix_drop_request; /* SIGUSR1: drop every FIX connection */

#endif

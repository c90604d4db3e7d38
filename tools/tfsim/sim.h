/* tfsim: the local exchange simulator. Shared types.
 *
 * One thread: the main loop services libwebsockets without blocking, runs
 * the generator on a fixed schedule (message i due at start + i/rate,
 * CLOCK_MONOTONIC; the schedule starts when the first client subscribes),
 * and waits in epoll_wait on the FIX gateway's epoll instance (FIX and echo
 * sockets) until the next message is due. Every generated message goes,
 * already framed as a WebSocket text frame, into the send buffer of each
 * session subscribed to its stream; sessions write their buffers raw (many
 * frames per send) when writable.
 *
 * The book of each symbol is a matching engine (match.h): the generator's
 * market agent (owner 0) and the FIX participants (exchange.h) trade in it;
 * bids/asks below are a mirror of it kept from its LEVEL events (market.c),
 * which also turns every fill into trade/aggTrade/kline messages.
 * --t2t-out (t2t.c) stamps trade writes (server.c) and order reads
 * (fix_gateway.c) in that one thread; off, it is a NULL pointer. */
#ifndef TF_TFSIM_SIM_H
#define TF_TFSIM_SIM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tools/tfsim/exchange/match.h"

#define SIM_MAX_SYMBOLS 8
#define SIM_LEVELS 200              /* levels per side the market agent keeps */
#define SIM_BOOK_MAX 800            /* levels per side mirrored (the best ones) */
#define SIM_MAX_SESSIONS 64
#define SIM_SEND_BUF (16u << 20)    /* per session; a client further behind is cut */
#define SIM_MSG_MAX 65536           /* one generated message */
#define SIM_T2T_SAMPLES (1u << 20)  /* --t2t-out: samples kept */
#define SIM_T2T_ENDS 4096u          /* --t2t-out: a session's unsent trade frame ends remembered */

/* Stream kinds (bits in a session's per-symbol subscription). */
enum {
    SK_TRADE = 1u << 0,
    SK_AGG = 1u << 1,
    SK_BOOK_TICKER = 1u << 2,
    SK_DEPTH_100MS = 1u << 3,
    SK_DEPTH_1S = 1u << 4,
    SK_KLINE = 1u << 5,
    SK_ALL = 0x3f,
};

typedef struct sim_level {
    int64_t price, qty;             /* price in ticks of 1e-8, qty in 1e-8 */
} sim_level;

typedef struct sim_symbol {
    char name[16], lower[16];
    struct sim *sim;                /* back pointer (the book's event context) */
    uint32_t index;
    int64_t tick, lot;              /* in 1e-8 units */
    int64_t mid;                    /* 1e-8 */
    match_book *book;               /* THE book */
    /* its mirror: bids[0] best, asks[0] best; *_cut: deeper levels were left out */
    sim_level bids[SIM_BOOK_MAX], asks[SIM_BOOK_MAX];
    uint32_t nbids, nasks;
    bool bids_cut, asks_cut;
    bool ext_changes;               /* book changed outside the generator since the last depthUpdate */
    /* the aggTrade being built: one per taker order and price */
    bool agg_open, agg_buy;
    uint64_t agg_taker, agg_first;
    int64_t agg_px, agg_qty;
    uint64_t update_id;             /* last id assigned to a book change */
    uint64_t emitted_u;             /* u of the last depthUpdate sent */
    /* changes since the last depthUpdate: price -> qty (0 removed) */
    sim_level pend_bids[1024], pend_asks[1024];
    uint32_t npend_bids, npend_asks;
    uint64_t pend_first;            /* U of the pending update (0: none) */
    uint64_t last_depth_ns, last_depth1s_ns;
    uint64_t trade_id, agg_id;
    int64_t last_bid, last_bid_qty, last_ask, last_ask_qty;
    uint64_t bt_update;             /* bookTicker u */
    /* kline 1m */
    uint64_t k_open_ms;
    int64_t k_o, k_h, k_l, k_c, k_v, k_q; /* k_q: quote volume 1e-8 */
    uint64_t k_n, k_first, k_last, k_last_ns;
} sim_symbol;

typedef struct sim_session {
    struct lws *wsi;
    bool used, combined, cut;
    uint8_t subs[SIM_MAX_SYMBOLS];
    unsigned char *buf;             /* LWS_PRE + ring of framed messages */
    size_t head, tail;              /* bytes: written into ring at head, sent from tail */
    uint64_t msgs_queued;
    uint64_t next_drop;             /* fault: close after this many messages */
    /* --t2t-out only (else NULL): ring positions where its unsent trade
     * frames end, oldest first (full: the newest is moved up) */
    uint64_t *trade_ends;
    uint32_t te_head, te_tail;
} sim_session;

typedef struct sim_fault {
    uint64_t drop_every, dup_every, reorder_every, gap_every, malformed_every, truncate_every,
        oversize_every, stall_every, stall_ms, shutdown_after;
    /* the FIX side (exchange.h) */
    uint64_t fix_drop_every, fix_delay_ms, fix_reject_every, fix_garble_every, fix_skip_seq_every,
        fix_refuse_logons;
} sim_fault;

/* The FIX order-entry half's options (fix_gateway.c, exchange*.c). */
typedef struct sim_fix_opts {
    int port, echo_port;            /* 0: none (with a port file: any free port) */
    const char *bind, *port_file, *echo_port_file;
    const char *comp_id, *store_dir, *username, *password, *ed25519_pub, *orders_dump;
    bool tls, reset, busy_poll;
    double maker_fee_bps, taker_fee_bps;
} sim_fix_opts;

typedef struct sim {
    /* options */
    int port;
    const char *bind, *port_file, *start_file, *record_file, *replay_file, *book_dump, *t2t_out;
    bool tls;
    uint64_t seed, rate, messages, ping_s;
    double duration;
    uint32_t mix;                   /* SK_* bits generated */
    sim_fault fault;
    sim_fix_opts fix;
    /* state */
    uint32_t nsym;
    sim_symbol sym[SIM_MAX_SYMBOLS];
    uint64_t rng;
    sim_session sess[SIM_MAX_SESSIONS];
    struct lws_context *ctx;
    bool started;                   /* schedule running */
    bool gen_done;
    uint64_t start_ns, generated;   /* messages generated (scheduled slots used) */
    uint64_t stall_until_ns;
    FILE *record, *replay;
    char *line;                     /* replay line buffer */
    size_t line_cap;
    char *msg;                      /* scratch for one message */
    char *held;                     /* reorder: a trade held back */
    size_t held_len;
    int held_sym;
    uint64_t trades_out;            /* trade messages published (for dup/reorder) */
    uint64_t depth_count;           /* depthUpdates made (gap fault schedule) */
    uint64_t now_ms;                /* wall clock of the book operation under way (trade times) */
    bool seeding;                   /* the agent's first levels: no depth changes published */
    bool in_gen;                    /* the generator is operating on the books */
    struct exchange *ex;            /* the FIX participants' side (NULL without --fix-port) */
    struct sim_gw *gw;              /* sockets and epoll (fix_gateway.c) */
    struct sim_t2t *t2t;            /* --t2t-out (NULL: off) */
    /* counters */
    uint64_t c_dropped, c_dup, c_reorder, c_gap, c_malformed, c_truncated, c_oversize, c_stall,
        c_shutdown, c_slow_cut, c_clients;
    char cert_dir[64];
} sim;

/* gen.c */
/* Books (match_create) and the agent's first levels; -1 when out of memory. */
int sim_gen_init(sim *s);
void sim_gen_free(sim *s);
/* Produce the next message (one schedule slot); returns 0 when nothing
 * could be produced (e.g. replay exhausted). */
int sim_gen_next(sim *s, uint64_t now_ns);
/* At the end of generation: a held-back trade and pending book changes go out. */
void sim_gen_flush(sim *s);
int sim_find_symbol(const sim *s, const char *name, size_t len);

/* market.c: the books' events to market data */
void sim_md_event(void *ctx, const match_event *ev); /* match_config.on_event; ctx: the sim_symbol */
/* After each operation on a book: the pending aggTrade goes out, the mid
 * moves; outside the generator a changed touch makes a bookTicker. */
void sim_md_done(sim *s, int si);
/* Depth changes made outside the generator go out 100 ms apart. */
void sim_md_tick(sim *s, uint64_t now_ns);
void sim_md_clear_pending(sim_symbol *y);
void sim_md_depth(sim *s, int si, uint64_t now_ms);
void sim_md_kline(sim *s, int si, uint64_t now_ms, int closed);
void sim_md_book_ticker(sim *s, int si);
void sim_md_out(sim *s, int si, uint32_t kind, const char *suffix, const char *data, size_t len);
uint64_t sim_realtime_ms(void);
/* The REST depth snapshot for symbol index i, `limit` levels. */
size_t sim_depth_json(sim *s, uint32_t i, uint32_t limit, char *out, size_t cap);
void sim_book_dump(sim *s, FILE *f);

/* fix_gateway.c: the FIX acceptor and the echo port in the main loop */
int sim_fix_start(sim *s);          /* 0, or -1 with a message (exit 2) */
/* Write what is ready, wait for input up to timeout_ns (0: just look),
 * handle it and run the sessions' timers. */
void sim_fix_wait(sim *s, uint64_t timeout_ns);
void sim_fix_stop(sim *s);          /* counters on stderr, --orders-dump, close */
extern volatile sig_atomic_t sim_fix_drop_request; /* SIGUSR1: drop every FIX connection */

/* server.c */
int sim_server_start(sim *s);
void sim_server_stop(sim *s);
/* Publish one message of `kind` for symbol `si` (-1: every session). */
void sim_publish(sim *s, int si, uint32_t kind, const char *stream, const char *data, size_t len);
/* Publish raw bytes as one text frame to every session (faults). */
void sim_publish_raw(sim *s, const char *data, size_t len);
void sim_service(sim *s);
int sim_active_sessions(const sim *s);

/* t2t.c: --t2t-out (tick-to-trade stamps) */
typedef struct sim_t2t sim_t2t;
sim_t2t *sim_t2t_open(const char *path);    /* NULL with a message when out of memory */
void sim_t2t_trade_write(sim_t2t *t, uint64_t mono_ns); /* just before a write with a trade frame */
/* A D, F, G or XCN read at read_ns (taken right after its recv). */
void sim_t2t_reaction(sim_t2t *t, uint64_t read_ns, const char *msg_type);
void sim_t2t_close(sim_t2t *t, bool write); /* write: the samples to the file, their count on stderr */

/* tls.c */
int sim_make_cert(sim *s, char *cert_path, size_t cp, char *key_path, size_t kp);

#endif

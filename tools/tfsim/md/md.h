/* tfsim's market-data half (md/): its types and the functions of gen.c,
 * market.c and server.c. It owns the symbols' mirrors of the books
 * (bids/asks, pending depth changes, trade/aggTrade/kline state), the
 * generator and its market agent, the WebSocket/REST server and its
 * sessions, and the market-data faults.
 *
 * Layers, each file calling only the ones below it:
 *   gen.c     the generator      -> market.c, server.c, the matching engine
 *   market.c  book events to messages -> server.c, the matching engine
 *   server.c  sessions, frames, REST  -> t2t.c, tls.c (tfsim's leaves)
 * server.c reaches the market (the REST snapshot) only through the
 * sim_server_ops it is given at sim_server_start (main.c wires it).
 *
 * What it may call in exchange/: only the matching engine (match.h: books
 * made and freed, the agent's levels and taker orders, levels read back).
 * Events of participants' orders go to the order-entry half only through
 * sim_order_ops (sim.order_events, which whoever creates the exchange fills
 * in); the order-entry half reaches market data only through the
 * exchange_md_ops it is given (exchange.h). */
#ifndef TF_TFSIM_MD_MD_H
#define TF_TFSIM_MD_MD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tools/tfsim/exchange/match.h"

typedef struct sim sim;

#define SIM_MAX_SYMBOLS 8
#define SIM_LEVELS 200              /* levels per side the market agent keeps */
#define SIM_BOOK_MAX 800            /* levels per side mirrored (the best ones) */
#define SIM_MAX_SESSIONS 64
#define SIM_SEND_BUF (16u << 20)    /* per session; a client further behind is cut */
#define SIM_MSG_MAX 65536           /* one generated message */

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

typedef struct sim_impact_state {
    double perm_bp, temp_bp;        /* the offsets now (signed) */
    uint64_t temp_at_ns;            /* when temp_bp was last decayed */
    int64_t shifted_ticks;          /* ticks the agent has moved its book for them */
} sim_impact_state;

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
    sim_impact_state impact;
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
    bool ws_closed;                 /* fault ws-close: our close frame is queued; nothing more */
    uint64_t pongs, close_answers;  /* the client's pongs to our pings, its answer to our close */
    /* --t2t-out only (else NULL): ring positions where its unsent trade
     * frames end, oldest first (full: the newest is moved up) */
    uint64_t *trade_ends;
    uint32_t te_head, te_tail;
} sim_session;

/* --impact: participants' trades move the market. Each unit of the
 * instrument a participant trades (buying: up, selling: down) adds perm_bp
 * basis points to a permanent offset of the fair price and temp_bp to a
 * temporary one that decays exponentially with a time constant of
 * decay_ms; the market agent shifts its book a tick at a time (one per
 * schedule slot) until its mid carries both. 0: no impact. */
typedef struct sim_impact {
    double perm_bp, temp_bp;
    double decay_ms;
} sim_impact;

typedef struct sim_fault {
    uint64_t drop_every, dup_every, reorder_every, gap_every, malformed_every, truncate_every,
        oversize_every, stall_every, stall_ms, shutdown_after;
    /* The WebSocket layer: a message split into three frames with a ping
     * between them; a close frame (1001) after N messages; a frame with a
     * reserved bit set (a protocol breach) after N. */
    uint64_t ws_fragment_every, ws_close_after, ws_badframe_after;
} sim_fault;

/* Where the books' events of participants' orders (not the market agent's
 * alone) go after market.c has made market data of them: the order-entry
 * half's execution reports. book_event NULL: nowhere (no FIX port). */
typedef struct sim_order_ops {
    void (*book_event)(void *ctx, uint32_t si, const match_event *ev);
    void *ctx;
} sim_order_ops;

/* gen.c */
/* --impact: the temporary offset decayed to now. */
void sim_impact_decay(sim *s, sim_symbol *y, uint64_t now_ns);
/* Books (match_create) and the agent's first levels; -1 when out of memory. */
int sim_gen_init(sim *s);
void sim_gen_free(sim *s);
/* Produce the next message (one schedule slot); returns 0 when nothing
 * could be produced (e.g. replay exhausted). */
int sim_gen_next(sim *s, uint64_t now_ns);
/* At the end of generation: a held-back trade and pending book changes go out. */
void sim_gen_flush(sim *s);

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
uint64_t sim_mono_ns(void);     /* CLOCK_MONOTONIC, the schedule's clock */
/* The REST depth snapshot for symbol index i, `limit` levels. */
size_t sim_depth_json(sim *s, uint32_t i, uint32_t limit, char *out, size_t cap);
void sim_book_dump(sim *s, FILE *f);

/* server.c */
/* What the server needs from above it. */
typedef struct sim_server_ops {
    /* GET /api/v3/depth: the snapshot of symbol si, at most `limit` levels a
     * side, into out; its length, 0 when it does not fit. */
    size_t (*depth_json)(void *ctx, uint32_t si, uint32_t limit, char *out, size_t cap);
    void *ctx;
} sim_server_ops;
int sim_server_start(sim *s, const sim_server_ops *ops);
void sim_server_stop(sim *s);
/* Publish one message of `kind` for symbol `si` (-1: every session). */
void sim_publish(sim *s, int si, uint32_t kind, const char *stream, const char *data, size_t len);
/* Publish raw bytes as one text frame to every session (faults). */
void sim_publish_raw(sim *s, const char *data, size_t len);
void sim_service(sim *s);
int sim_active_sessions(const sim *s);

#endif

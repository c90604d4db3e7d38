/* tfconsole: the live web console. One more out-of-band reader: it follows
 * the market-data journal (bars, trades, quotes) into the query server's
 * hot store, reads the state segment (the bar being built, the top of the
 * book) and renders tfstat's JSON frame (orders, positions, latency
 * histograms, health), and pushes what changed to every browser over a
 * WebSocket at export.console.rate_hz. The engine never knows: nothing here
 * writes to its segments; operator actions go through the client library,
 * under the engine's own authority checks (the door: this process's uid).
 *
 * Messages (JSON text frames), server to browser:
 *   hello    {instance, operator, instruments:[{symbol, exchange, price_precision, qty_precision}]}
 *   history  {symbol, bars:[...closed, oldest first], trades:[... seq > after], gap, depth}
 *   frame    {seq, t, md:{SYMBOL:{top, depth (the ladder), bar (being built), bars (closed since), trades (new)}}}
 *   record   {fills:[... seq > after], pnl:[[t_ms, daily PnL]...]}   (once, after history)
 *   state    {state: tfstat's JSON frame, open_orders:[...], fills:[new], pnl:[new points]}
 * browser to server: resume {after:{SYMBOL: journal seq of the last trade drawn}, fills_after: seq} once after
 * hello: history answers with only what the browser lacks, so a reconnect
 * neither skips nor repeats a trade. Frames are kept in a ring; a browser
 * that falls further behind than the ring is sent history again. */
#ifndef TF_TOOLS_CONSOLE_CONSOLE_H
#define TF_TOOLS_CONSOLE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/conf/config.h"
#include "tools/oob/journal_source.h"
#include "tools/oob/view.h"
#include "tools/oob/hot_store.h"

#define CON_FRAMES 64u              /* frames kept for browsers that lag */
#define CON_FRAME_MAX (256u << 10)  /* a frame's JSON at most */
#define CON_TICK_ITEMS 512u         /* trades or bars collected per instrument per frame */
#define CON_FILLS 256u              /* fills kept */
#define CON_TRADES 1024u            /* trades kept per instrument, for history and resume */
#define CON_BOOK_LEVELS 256u        /* depth levels kept a side */
#define CON_LADDER 10u              /* depth levels shown a side */
#define CON_PNL 17280u              /* the day's PnL every 5 s: 24 h */

typedef struct con_text {
    char *p;
    size_t len, cap;
} con_text;

/* What one frame carries for an instrument, collected as records arrive. */
typedef struct con_pending {
    con_text trades, bars;          /* JSON objects, comma-separated */
    uint32_t ntrades, nbars;
    bool overflow;                  /* more than CON_TICK_ITEMS: browsers resync */
} con_pending;

/* A trade as the browser gets it: with its journal sequence, the resume
 * point (trade ids can arrive out of order; the journal's order cannot). */
typedef struct con_trade {
    uint64_t seq;
    uint16_t len;
    char json[200];
} con_trade;

typedef struct con_level {
    int64_t price, qty;             /* units */
} con_level;

typedef struct con_book {
    con_level bids[CON_BOOK_LEVELS], asks[CON_BOOK_LEVELS]; /* nearest first */
    uint32_t nbids, nasks;
    uint64_t update_id;
    bool synced;                    /* a snapshot since the last clear */
    bool changed;                   /* since the last frame */
} con_book;

typedef struct con_fill {
    uint64_t seq;                   /* the order journal's */
    uint16_t len;
    char json[400];
} con_fill;

typedef struct con_pnl {
    uint64_t t_ms;
    int64_t daily;                  /* money */
} con_pnl;

typedef struct console {
    tf_config cfg;
    oob_source src;                 /* md journal + state segment */
    oob_source orders;              /* the order journal: fills */
    con_fill fills[CON_FILLS];
    uint64_t fill_total, fills_framed;
    con_pnl pnl[CON_PNL];
    uint64_t pnl_total, pnl_framed, pnl_last_ns;
    qs_store store;                 /* closed bars and trades, per instrument */
    con_pending pending[QS_MAX_INSTRUMENTS];
    con_trade *trades[QS_MAX_INSTRUMENTS];  /* CON_TRADES each, allocated on first use */
    con_book *books[QS_MAX_INSTRUMENTS];    /* allocated on the first depth record */
    uint64_t trade_total[QS_MAX_INSTRUMENTS];
    uint64_t frame_seq;             /* the newest frame's number (0: none yet) */
    con_text frames[CON_FRAMES];    /* frame seq lives at [seq % CON_FRAMES] */
    con_text state;                 /* the newest state message */
    uint64_t state_seq;
    uint64_t last_state_ns;
    tf_view view;                   /* for tfstat's frame */
    bool view_open;
    view_sample samples[2];
    int cur;
    uint64_t resyncs;               /* a new journal or an overflow: every browser gets history again */
    uint64_t top_updated[QS_MAX_INSTRUMENTS], bar_updated[QS_MAX_INSTRUMENTS]; /* the slots' last pushed */
    uint64_t md_try_ns, orders_try_ns, frame_ns;
    _Alignas(8) uint8_t rec[256];   /* one journal record read (the slot size) */
} console;

int console_init(console *c, const tf_config *cfg);
void console_free(console *c);

/* Read what the journal has; every 1/rate_hz build the next frame (0 when
 * nothing changed) and every 500 ms the state message. Returns true when
 * there is something new to push. */
bool console_poll(console *c, uint64_t now_ns);

/* The hello message (with the journal's identity: a browser that saw
 * another journal starts over), and one instrument's history after `after`
 * (journal seq; 0: all held); into t (reset first). */
void console_hello(console *c, con_text *t, bool operator_);
uint32_t console_instruments(const console *c);
const char *console_symbol(const console *c, uint32_t id);
void console_history(console *c, con_text *t, uint32_t instrument, uint64_t after);

/* The trading record (record.c): fills from the order journal, open orders
 * from the order table, the day's PnL sampled. */
void console_record_poll(console *c);
void console_fills(const console *c, con_text *t, uint64_t after_seq);
void console_open_orders(console *c, con_text *t);
void console_pnl_sample(console *c, uint64_t now_ns);
void console_pnl(const console *c, con_text *t, uint64_t from);
/* The trading history message: {"type":"record","fills":[after],"pnl":[[t, daily]...]}. */
void console_record_history(console *c, con_text *t, uint64_t after_fill_seq);

/* The depth ladder (book.c): a depth record applied; the ladder as
 * "depth":{synced, update_id, bids:[[price, qty]...], asks:[...]}. */
void console_book_apply(console *c, const tf_md_depth *d);
void console_book_json(const console *c, con_text *t, uint32_t instrument);

/* Text building (bounded by `max`; false when it would not fit). */
bool con_put(con_text *t, const char *s, size_t n, size_t max);
bool con_printf(con_text *t, size_t max, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif

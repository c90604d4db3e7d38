/* Record types carried by journals, rings and state slots. Fixed-size,
 * no pointers, multiples of 8 bytes. Numbers are append-only: they are the
 * contract with tools built earlier. */
#ifndef TF_SHM_RECORDS_H
#define TF_SHM_RECORDS_H

#include <stdint.h>

#include "shm/common.h"
#include "shm/state.h"

/* Journal record types. */
typedef enum tf_rec_type {
    TF_REC_NONE = 0,
    TF_REC_SYNTH_TICK = 1,     /* tf_synth_tick: the synthetic source's records */
    TF_REC_ENGINE_EVENT = 2,   /* tf_engine_event: start, stop, config */
    TF_REC_MD_TRADE = 3,       /* tf_md_trade: trade or aggTrade */
    TF_REC_MD_QUOTE = 4,       /* tf_md_quote: best bid/ask (bookTicker) */
    TF_REC_MD_DEPTH = 5,       /* tf_md_depth: one price level of a book update */
    TF_REC_MD_BAR = 6,         /* tf_md_bar: a 1-minute bar (built, or the venue's kline) */
    TF_REC_MD_FEED_EVENT = 7,  /* tf_md_feed_event: connects, gaps, resyncs */
    TF_REC_ORDER_EVENT = 8,    /* tf_order_event (shm/orders.h): the order journal */
    TF_REC_TYPE_COUNT
} tf_rec_type;

extern const char *const tf_rec_type_names[TF_REC_TYPE_COUNT];

/* State slot kinds. */
typedef enum tf_state_kind {
    TF_STATE_NONE = 0,
    TF_STATE_ENGINE = 1,       /* tf_engine_status */
    TF_STATE_SYNTH_LAST = 2,   /* tf_synth_tick: the last one the sink saw */
    TF_STATE_INSTRUMENT = 3,   /* tf_md_instrument_info, key = symbol */
    TF_STATE_MD_TOP = 4,       /* tf_md_top, key = symbol */
    TF_STATE_MD_LAST_TRADE = 5,/* tf_md_trade, key = symbol */
    TF_STATE_MD_BAR = 6,       /* tf_md_bar: the bar being built, key = symbol */
    TF_STATE_FEED = 7,         /* tf_md_feed_status, key = "feed" */
    TF_STATE_EXPORTER = 8,     /* tf_exporter_status, in the exporter's own segment */
    TF_STATE_POSITION = 9,     /* tf_position, key "<symbol>" or "<symbol>/<strategy>" */
    TF_STATE_RISK = 10,        /* tf_risk_status, key "risk" */
    TF_STATE_OMS = 11,         /* tf_oms_status, key "oms" */
    TF_STATE_VENUE_SESSION = 12, /* tf_venue_session_status, key "fix/<session>" */
    TF_STATE_ORDER_COUNTS = 13,  /* tf_order_counts, key = symbol */
    TF_STATE_WATCHDOG = 14,    /* tf_watchdog_status, in tfwatchdog's own segment, key "watchdog" */
    TF_STATE_KIND_COUNT
} tf_state_kind;

/* Synthetic market-data stand-in, timestamped at each hop. */
typedef struct tf_synth_tick {
    uint64_t seq;              /* source's own sequence, from 1 */
    int64_t value;             /* a random walk, fixed-point 1e-8 */
    uint64_t t_created_ns;     /* when the source made it (due time) */
    uint64_t t_enqueued_ns;    /* when it entered the ring */
    uint64_t t_dequeued_ns;    /* when the sink took it out */
    uint64_t t_journaled_ns;   /* when the sink appended it */
} tf_synth_tick;
_Static_assert(sizeof(tf_synth_tick) == 48, "fits a 64-byte journal slot");

typedef enum tf_engine_event_kind {
    TF_ENGINE_STARTED = 1,
    TF_ENGINE_STOPPING = 2,
} tf_engine_event_kind;

typedef struct tf_engine_event {
    uint32_t kind;             /* tf_engine_event_kind */
    int32_t pid;
    uint64_t realtime_ns;
    uint64_t arg;
} tf_engine_event;
_Static_assert(sizeof(tf_engine_event) == 24, "engine event");

typedef enum tf_engine_phase {
    TF_PHASE_STARTING = 1,
    TF_PHASE_RUNNING = 2,
    TF_PHASE_DRAINING = 3,
    TF_PHASE_STOPPED = 4,
} tf_engine_phase;

typedef struct tf_engine_status {
    uint32_t phase;            /* tf_engine_phase */
    int32_t pid;
    uint64_t started_realtime_ns;
    uint64_t uptime_ns;
    char config_file[64];      /* tail of the path it was started with */
} tf_engine_status;
_Static_assert(sizeof(tf_engine_status) <= TF_STATE_PAYLOAD, "fits a state slot");

/* Requests into the engine through the MPSC request ring. */
typedef enum tf_request_type {
    TF_REQ_NONE = 0,
    TF_REQ_PING = 1,           /* answered by counting; proves the path */
    TF_REQ_NEW = 2,            /* body tf_req_order (shm/orders.h) */
    TF_REQ_CANCEL = 3,         /* body tf_req_order: order_id */
    TF_REQ_REPLACE = 4,        /* body tf_req_order: order_id, new price and qty */
    TF_REQ_CANCEL_ALL = 5,     /* every open order of the strategy (strategy 0: of all) */
    TF_REQ_SET_LIMIT = 6,      /* body tf_req_limit */
    TF_REQ_KILL = 7,           /* body tf_req_control */
    TF_REQ_SET_STATE = 8,      /* body tf_req_control: on = tf_trading_state */
    TF_REQ_RESOLVE = 9,        /* body tf_req_resolve (shm/orders.h); operator (strategy 0) only */
    TF_REQ_SESSION_RESET = 10, /* body tf_req_resolve: order_id = the venue session (UINT64_MAX: all) */
    TF_REQ_ALGO_PARAMS = 11,   /* body tf_req_algo_params (shm/parents.h): for the ALGO_NEW after it */
    TF_REQ_ALGO_NEW = 12,      /* body tf_req_algo: start a parent order */
    TF_REQ_ALGO_CONTROL = 13,  /* body tf_req_algo_control: pause, resume, cancel, amend a parent */
    TF_REQ_ALGO_REPORT = 14,   /* body tf_req_algo_report: the engine's algo stage only (refused from a lane) */
    TF_REQ_TYPE_COUNT
} tf_request_type;

struct tf_request {
    uint32_t type;             /* tf_request_type */
    uint32_t source_id;        /* the submitting process's id */
    uint64_t client_seq;       /* the submitter's own sequence */
    uint64_t t_sent_ns;
    uint8_t body[40];
};
_Static_assert(sizeof(struct tf_request) == 64, "request record");

/* ---- market data --------------------------------------------------------
 * Prices are int64 fixed point in units of 10^-price_precision of the
 * instrument, quantities in 10^-qty_precision (shm/fixed.h converts exactly,
 * never through floating point). Instruments are named by their interned id
 * (TF_STATE_INSTRUMENT slots map ids to symbols and precisions). Times are
 * nanoseconds: venue times since the Unix epoch, local hop times
 * CLOCK_MONOTONIC (tf_now_ns) unless named *_realtime_ns. */

#define TF_SYMBOL_MAX 16u

/* Timestamps of one market-data event along its path. */
typedef struct tf_md_hops {
    uint64_t venue_ns;         /* the venue's event time (E), epoch ns */
    uint64_t recv_ns;          /* the frame left the socket (monotonic) */
    uint64_t decoded_ns;       /* decoded and validated (monotonic) */
    uint64_t published_ns;     /* appended to the journal (monotonic) */
} tf_md_hops;

typedef enum tf_md_trade_kind {
    TF_MD_TRADE = 1,           /* one trade ("trade" stream) */
    TF_MD_AGG_TRADE = 2,       /* aggregated trades ("aggTrade" stream) */
} tf_md_trade_kind;

enum {
    TF_MD_BUYER_MAKER = 1u << 0,  /* m: the buyer was the maker (a sell aggressor) */
    TF_MD_OUT_OF_ORDER = 1u << 1, /* arrived after a later id: fills an earlier gap */
    TF_MD_AFTER_GAP = 1u << 2,    /* ids between the previous one and this are missing */
};

typedef struct tf_md_trade {
    uint32_t instrument;
    uint16_t kind;             /* tf_md_trade_kind */
    uint16_t flags;            /* TF_MD_BUYER_MAKER ... */
    int64_t price;
    int64_t qty;
    uint64_t trade_id;         /* t, or a for aggTrade */
    uint64_t first_trade_id;   /* aggTrade f; = trade_id for a trade */
    uint64_t last_trade_id;    /* aggTrade l; = trade_id for a trade */
    uint64_t trade_time_ns;    /* T, epoch ns */
    tf_md_hops hops;
} tf_md_trade;
_Static_assert(sizeof(tf_md_trade) == 88, "trade record");

typedef struct tf_md_quote {
    uint32_t instrument;
    uint32_t flags;
    uint64_t update_id;        /* bookTicker u */
    int64_t bid_price, bid_qty;
    int64_t ask_price, ask_qty;
    tf_md_hops hops;           /* bookTicker carries no E: venue_ns is 0 */
} tf_md_quote;
_Static_assert(sizeof(tf_md_quote) == 80, "quote record");

typedef enum tf_md_side { TF_SIDE_BID = 0, TF_SIDE_ASK = 1 } tf_md_side;

enum {
    TF_MD_DEPTH_FIRST = 1u << 0,    /* first level of its update (or snapshot) */
    TF_MD_DEPTH_LAST = 1u << 1,     /* last level of its update (or snapshot) */
    TF_MD_DEPTH_SNAPSHOT = 1u << 2, /* from a REST snapshot: the book was rebuilt */
    TF_MD_DEPTH_CLEAR = 1u << 3,    /* no level: empty the book first (resync) */
};

/* One price level of a diff-depth update: qty is the new absolute quantity,
 * 0 removes the level. A book update of n levels is n records, FIRST on the
 * first and LAST on the last, all with the update's U and u. */
typedef struct tf_md_depth {
    uint32_t instrument;
    uint8_t side;              /* tf_md_side */
    uint8_t flags;             /* TF_MD_DEPTH_* */
    uint16_t level_count;      /* levels in the whole update */
    uint64_t first_update_id;  /* U (snapshot: lastUpdateId) */
    uint64_t final_update_id;  /* u (snapshot: lastUpdateId) */
    int64_t price;
    int64_t qty;
    tf_md_hops hops;
} tf_md_depth;
_Static_assert(sizeof(tf_md_depth) == 72, "depth record");

typedef enum tf_md_empty_policy {
    TF_BAR_EMPTY_SKIP = 0,     /* a minute without trades produces no bar */
    TF_BAR_EMPTY_FLAT = 1,     /* ... a flat bar at the last close, volume 0 */
} tf_md_empty_policy;

enum {
    TF_BAR_FLAT = 1u << 0,       /* no trades: o=h=l=c=previous close (policy flat) */
    TF_BAR_CLOSED = 1u << 1,     /* final for now (a late trade may still revise it) */
    TF_BAR_FROM_VENUE = 1u << 2, /* the venue's own kline, not built by us */
    TF_BAR_POLICY_FLAT = 1u << 3,/* built under the flat empty-interval policy */
};

/* Bars keep quote volume as venues report it (Binance: 8 decimals) and VWAP
 * finer than a price tick. */
#define TF_BAR_QUOTE_PRECISION 8u
#define TF_BAR_VWAP_EXTRA 4u

typedef struct tf_md_bar {
    uint32_t instrument;
    uint8_t flags;             /* TF_BAR_* */
    uint8_t _reserved;
    uint16_t revision;         /* 0 first close; +1 for each late-trade revision */
    uint64_t open_time_ns;     /* epoch ns, on the minute */
    int64_t open, high, low, close;
    int64_t volume;            /* qty units */
    int64_t quote_volume;      /* sum(price * qty) in 10^-TF_BAR_QUOTE_PRECISION of the quote currency:
                                * exact when price + qty precision <= 8 (else rounded half up) */
    int64_t vwap;              /* sum(price * qty) / volume in 10^-(price precision + TF_BAR_VWAP_EXTRA),
                                * rounded half up */
    uint32_t trade_count;
    uint32_t _reserved2;
    uint64_t first_trade_id, last_trade_id;
} tf_md_bar;
_Static_assert(sizeof(tf_md_bar) == 96, "bar record fits a state slot");

typedef enum tf_md_feed_event_kind {
    TF_FEED_CONNECTED = 1,
    TF_FEED_DISCONNECTED = 2,    /* a = reason (tf_feed_disconnect_reason) */
    TF_FEED_TRADE_GAP = 3,       /* a = first missing id, b = last missing id */
    TF_FEED_BOOK_GAP = 4,        /* a = expected U, b = received U */
    TF_FEED_BOOK_SYNCED = 5,     /* a = snapshot lastUpdateId, b = levels */
    TF_FEED_SERVER_SHUTDOWN = 6,
    TF_FEED_ROTATE = 7,          /* planned reconnect before the venue's 24 h limit */
} tf_md_feed_event_kind;

/* Why the feed's connection went (a of TF_FEED_DISCONNECTED). */
typedef enum tf_feed_disconnect_reason {
    TF_FEED_DISC_ERROR = 1,      /* connect failed or the connection broke */
    TF_FEED_DISC_CLOSED = 2,     /* the peer closed */
    TF_FEED_DISC_IDLE = 3,       /* no frame for idle_timeout */
    TF_FEED_DISC_ROTATE = 4,     /* planned, before the venue's 24 h limit */
    TF_FEED_DISC_SHUTDOWN = 5,   /* the venue sent serverShutdown */
    TF_FEED_DISC_STOP = 6,       /* the engine is stopping */
    TF_FEED_DISC_COUNT
} tf_feed_disconnect_reason;
extern const char *const tf_feed_disconnect_names[TF_FEED_DISC_COUNT]; /* [0] = "-" */

typedef struct tf_md_feed_event {
    uint32_t kind;             /* tf_md_feed_event_kind */
    uint32_t instrument;       /* UINT32_MAX: the connection, not one instrument */
    uint64_t a, b;
    uint64_t realtime_ns;
} tf_md_feed_event;
_Static_assert(sizeof(tf_md_feed_event) == 32, "feed event");

/* Instrument registry entry as published to the state segment. */
typedef struct tf_md_instrument_info {
    uint32_t id;
    uint8_t price_precision;
    uint8_t qty_precision;
    uint16_t _reserved;
    char symbol[TF_SYMBOL_MAX];
    char venue[TF_SYMBOL_MAX];
    int64_t tick_size;         /* price units */
    int64_t lot_size;          /* qty units */
    int64_t min_notional;      /* price units (price * qty scaled to price) */
} tf_md_instrument_info;
_Static_assert(sizeof(tf_md_instrument_info) <= TF_STATE_PAYLOAD, "fits a state slot");

/* Top of book and running totals, per instrument. */
typedef struct tf_md_top {
    uint32_t instrument;
    uint32_t book_state;       /* 0 unsynced, 1 synced */
    uint64_t update_id;        /* last applied u */
    int64_t bid_price, bid_qty;
    int64_t ask_price, ask_qty;
    int64_t cum_volume;        /* qty units, since engine start */
    uint64_t trade_count;      /* since engine start */
    uint64_t updated_realtime_ns;
    uint32_t bid_levels, ask_levels;
} tf_md_top;
_Static_assert(sizeof(tf_md_top) <= TF_STATE_PAYLOAD, "fits a state slot");

/* The feed connection as a whole. */
typedef struct tf_md_feed_status {
    uint32_t connected;
    uint32_t _reserved;
    uint64_t connects;
    uint64_t disconnects;
    uint64_t connected_realtime_ns;
    uint64_t last_frame_realtime_ns;
    uint64_t trade_gaps;
    uint64_t book_resyncs;
    char url[40];
} tf_md_feed_status;
_Static_assert(sizeof(tf_md_feed_status) <= TF_STATE_PAYLOAD, "fits a state slot");

/* ---- out-of-band exporters (tools/export) --------------------------------
 * Each exporter owns a small state segment, tradefan.<instance>.<exporter>,
 * with one TF_STATE_EXPORTER slot (key = "influx", "redis", "query"). */
typedef struct tf_exporter_status {
    uint64_t position;         /* next journal sequence to export: all before it are acknowledged */
    uint64_t journal_head;     /* the journal's head when last looked */
    uint64_t behind_ns;        /* how long it has not been caught up (0 = caught up) */
    uint64_t exported;         /* points / commands acknowledged by the server */
    uint64_t batches;          /* requests / pipelines acknowledged */
    uint64_t retries;          /* requests repeated after an error or timeout */
    uint64_t rejected;         /* lines the server refused (never retried) */
    uint64_t gaps;             /* times the journal lapped the exporter */
    uint64_t gap_records;      /* records lost to those gaps */
    uint64_t last_ack_realtime_ns;
    uint32_t connected;        /* 1: the last request reached the server */
    uint32_t last_status;      /* HTTP status, or 0 */
} tf_exporter_status;
_Static_assert(sizeof(tf_exporter_status) <= TF_STATE_PAYLOAD, "fits a state slot");

/* ---- tfwatchdog (tools/watchdog): stage heartbeats watched out of band ----
 * Its segment tradefan.<instance>.watchdog holds one TF_STATE_WATCHDOG slot. */
#define TF_WATCHDOG_SEGMENT "watchdog"
typedef struct tf_watchdog_status {
    uint64_t stall_ns;         /* the threshold: a stage not polled this long is stalled */
    uint32_t stalled_now;      /* stages stalled at the last look */
    uint32_t engine_live;      /* 1: the engine process is there */
    uint64_t stalls;           /* stall episodes ever (a stage going from polled to stalled) */
    uint64_t kills_sent;       /* kill-switch requests sent (watchdog.kill_switch) */
    uint64_t kills_failed;     /* ... that the engine did not take */
    uint64_t last_stall_realtime_ns;
    uint64_t worst_age_ns;     /* the longest heartbeat age at the last look */
    uint64_t looks;            /* scans made */
    char last_stage[24];       /* the stage of the last stall episode */
} tf_watchdog_status;
_Static_assert(sizeof(tf_watchdog_status) <= TF_STATE_PAYLOAD, "fits a state slot");

const char *tf_rec_type_name(uint32_t type);

#endif

/* The feed stage: venue WebSocket in, validated market data out.
 *
 * One combined-stream connection (/stream?streams=<sym>@trade/...) for
 * every configured instrument, made by the engine's own WebSocket client
 * on io_uring (feed_ws.h; feed.transport: uring, the default) or by
 * libwebsockets (feed.transport: lws), and at most one REST request
 * (/api/v3/depth snapshots for book sync, always through libwebsockets),
 * all serviced without blocking from the stage's poll().
 *
 * For each complete WebSocket message (fragments reassembled into one
 * preallocated buffer; larger than feed.max_frame_bytes -> refused):
 *   decode (engine/md/md_decode.h) -> validate (trades: engine/md/md_validate.h)
 *   -> book (engine/md/md_book.h) / bars (engine/md/md_bars.h)
 *   -> market-data journal records, state slots (top of book, last trade,
 *      current bar per instrument; the feed connection), per-hop histograms.
 * Nothing is dropped silently: each refused message or event is counted by
 * reason (counter md_rejected{reason=...}) and the first bytes of a sample
 * go to the stage's error log.
 *
 * Connection policy: reconnect after an error, a close, serverShutdown, an
 * idle feed (no frame for feed.idle_timeout_ms) or a dead peer (a ping
 * after feed.ping_interval_ms of silence; hung up after three intervals
 * with nothing back), with
 * exponential backoff from reconnect_min_ms to reconnect_max_ms and +-25 %
 * jitter; reset after a connection has delivered data. A connection older
 * than feed.rotate_after_s is replaced (the venue cuts at 24 h). Each
 * connect, disconnect and gap is journaled (tf_md_feed_event) with its
 * wall-clock time, and counted. After a reconnect every book resyncs;
 * trade ids are remembered across reconnects, so a venue that resends a
 * trade cannot put a duplicate in the journal.
 *
 * Hop times: recv_ns is when the first piece of the message was read from
 * the completion queue (own client) or handed over by lws (its socket read
 * in the same lws_service call), decoded_ns after decode and
 * validation, published_ns at the journal append.
 *
 * Thread: everything runs on the stage's thread; tf_feed_close after the
 * thread has stopped. Allocation only in tf_feed_init. */
#ifndef TF_ENGINE_FEED_H
#define TF_ENGINE_FEED_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/base/backoff.h"
#include "lib/conf/config.h"
#include "engine/md/instruments.h"
#include "engine/md/md_bars.h"
#include "engine/md/md_book.h"
#include "engine/md/md_decode.h"
#include "engine/md/ws_message.h"
#include "engine/md/md_validate.h"
#include "engine/runtime/stage.h"
#include "shm/histogram.h"
#include "shm/journal.h"
#include "shm/state.h"
#include "shm/stats.h"

struct lws_context;
struct lws;
struct tf_feed_conn_ops;
struct tf_feed_ready;
struct tf_feed_ws;

#define TF_FEED_REJECT_REASONS 16u

typedef struct tf_feed_instrument {
    tf_book book;
    tf_trade_validator trades;      /* "trade" ids */
    tf_trade_validator agg_trades;  /* "aggTrade" ids */
    tf_bar_builder bars;
    tf_state_slot *top_slot, *trade_slot, *bar_slot;
    tf_md_top top;
} tf_feed_instrument;

typedef struct tf_feed {
    const tf_cfg_feed *cfg;
    const tf_instruments *reg;
    tf_journal *journal;
    tf_stage *stage;
    tf_state_slot *status_slot;
    tf_md_feed_status status;

    /* Connection (feed_conn.c). */
    const struct tf_feed_conn_ops *conn_ops; /* how it reaches up to the stage (feed.c) */
    struct lws_context *ctx;
    struct lws *ws;                 /* the stream connection, NULL when down */
    struct lws *rest;               /* the snapshot request in flight, NULL when none */
    char ws_host[128], rest_host[128];
    char ws_path[4096];
    int ws_port, rest_port;
    bool ws_tls, rest_tls;
    bool ws_active;                 /* a connection exists or is being made */
    bool rest_active;               /* a snapshot request is in flight */
    bool connected;
    bool closing;                   /* we asked lws to close ws */
    bool destroying;                /* tf_feed_close: callbacks only tidy up */
    struct tf_feed_ws *wsc;         /* feed.transport uring: our own client for the stream (NULL: lws) */
    struct tf_feed_ready *ready;    /* lws transport: the stream socket's readiness (NULL: service every cycle) */
    bool rx_seen;                   /* the last lws_service delivered stream bytes: look again */
    int ws_fd;                      /* the stream's socket while watched (-1: none) */
    uint64_t next_service_ns;       /* lws's own timers and writes: serviced at least this often */
    uint32_t close_reason;          /* tf_feed_disconnect_reason of the close we asked for */
    uint32_t attempt;               /* reconnect attempts since data last flowed */
    uint64_t next_connect_ns;       /* monotonic; 0 = now */
    uint64_t connected_ns;
    uint64_t last_frame_ns;
    tf_backoff backoff;             /* reconnect delays (lib/base/backoff.h) */
    uint64_t bars_tick_ns;

    /* Snapshot requests. */
    uint64_t need_snapshot;         /* bit per instrument */
    uint32_t rest_instrument;
    uint32_t rest_status;
    bool rest_done;                 /* the body is complete and handled */
    uint64_t last_rest_ns;
    uint32_t rest_len, rest_cap;
    char *rest_body;
    tf_md_snapshot *snapshot;
    tf_md_level *levels;            /* scratch: a whole book, to journal it after a sync */
    uint32_t levels_cap;            /* per side */

    /* Message reassembly into a buffer of feed.max_frame_bytes. */
    tf_ws_message msg;

    tf_md_decoder *decoder;
    uint32_t instrument_count;
    tf_feed_instrument *inst;       /* one per registry entry */
    uint64_t work;                  /* messages handled, for poll()'s return */
    bool use_trade_stream;          /* bars from "trade" (else from "aggTrade") */

    /* Stats. */
    uint64_t *c_messages, *c_bytes, *c_trades, *c_agg_trades, *c_quotes, *c_depth_updates;
    uint64_t *c_bars, *c_bar_revisions, *c_klines;
    uint64_t *c_rejected[TF_FEED_REJECT_REASONS];
    uint64_t *c_trade_verdict[TF_TRADE_VERDICT_COUNT];
    uint64_t *c_trade_gaps, *c_trade_gap_ids, *c_gaps_filled;
    uint64_t *c_book_actions[TF_BOOK_ACTION_COUNT];
    uint64_t *c_snapshots, *c_snapshot_errors, *c_book_syncs;
    uint64_t *c_connects, *c_disconnects, *c_connect_errors, *c_idle_timeouts, *c_rotations;
    uint64_t *c_server_shutdowns, *c_responses, *c_venue_errors, *c_journal_errors;
    uint64_t *c_venue_ahead;
    uint64_t *g_connected;
    tf_hist *h_decode;              /* recv -> decoded */
    tf_hist *h_publish;             /* decoded -> published */
    tf_hist *h_recv_to_journal;     /* recv -> published */
    tf_hist *h_venue_skew;          /* local wall clock at recv - venue E (when E <= local) */
    tf_hist *h_kernel;              /* kernel receive stamp -> recv (feed.rx_timestamps) */
    uint64_t rx_kernel_ns;          /* the latest packet's kernel receive stamp, monotonic (0: none) */
} tf_feed;

/* Cold path: allocate everything, register stats, claim state slots, and
 * wire `stage` (poll/drain). Connecting starts at the first poll. */
int tf_feed_init(tf_stage *stage, tf_feed *f, const tf_config *cfg, const tf_instruments *reg,
                 tf_stats *stats, tf_state_table *state, tf_journal *journal);
/* After the stage's thread has stopped: close connections, free. */
void tf_feed_close(tf_feed *f);

#endif

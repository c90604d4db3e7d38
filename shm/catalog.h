/* The shared-memory catalogue: every name a reader needs to find and decode
 * what the engine publishes, in one place. The engine registers by these
 * names and every reader (libtfclient, tfstat, tfdump, the exporters,
 * tfquery) looks them up by the same ones, so a reader learns the whole
 * contract from shm/ alone:
 *
 *   segments   tradefan.<instance>.<segment> in shm.dir, and their regions
 *   records    record kinds of the journals and state slots (records.h,
 *              orders.h hold the layouts; the label tables are listed here)
 *   counters   every counter, gauge and histogram name in the stats
 *              segment, with its kind, owner stage and meaning
 *   enums      the enumerations readers turn back into words (FIX session
 *              states, order states, reject reasons, trading states ...)
 *
 * Names are append-only: a reader built against an older catalogue still
 * finds every name it knows. */
#ifndef TF_SHM_CATALOG_H
#define TF_SHM_CATALOG_H

#include <stdint.h>

/* ---- segments and their regions ------------------------------------------ */
#define TF_SEG_STATS    "stats"    /* kind stats: directory, values, histograms, errors */
#define TF_SEG_STATE    "state"    /* kind state: state [, orders, limits] */
#define TF_SEG_RINGS    "rings"    /* kind rings: one region per stage-to-stage ring */
#define TF_SEG_REQUESTS "requests" /* kind rings: requests [, lanes]; group-writable */
#define TF_SEG_MD       "md"       /* kind journal: journal (market data) */
#define TF_SEG_ORDERS   "orders"   /* kind journal: journal (order events) */
/* The exporters' and tfquery's status segments are named by their config
 * (export.*.status_segment), kind state, one region TF_REGION_STATE. */

#define TF_REGION_STATE      "state"      /* tf_state_table: seqlock slots (state.h) */
#define TF_REGION_ORDERS     "orders"     /* tf_order_slot[orders.capacity] (orders.h) */
#define TF_REGION_LIMITS     "limits"     /* one tf_limits_slot (orders.h) */
#define TF_REGION_PARENTS    "parents"    /* tf_parent_slot[orders.algo_capacity] (parents.h; with the algo stage) */
#define TF_REGION_REQUESTS   "requests"   /* MPSC ring of struct tf_request */
#define TF_REGION_LANES      "lanes"      /* tf_lanes: one SPSC lane per client (lanes.h) */
#define TF_REGION_JOURNAL    "journal"    /* tf_journal slots (journal.h) */
#define TF_REGION_DIRECTORY  "directory"  /* tf_stats_dir (stats.h) */
#define TF_REGION_VALUES     "values"     /* counter values, one writer per 128-byte line */
#define TF_REGION_HISTOGRAMS "histograms" /* tf_hist[] (histogram.h) */
#define TF_REGION_ERRORS     "errors"     /* tf_errlog (errlog.h) */

/* Regions of the rings segment: SPSC rings between stages (ring.h). */
#define TF_RING_SYNTH         "synth"         /* tf_synth_tick: synthetic source -> sink */
#define TF_RING_STRATEGY_RISK "strategy_risk" /* struct tf_request: strategy -> risk */
#define TF_RING_RISK_OMS      "risk_oms"      /* tf_order_cmd: risk -> OMS */
#define TF_RING_OMS_VENUE     "oms_venue"     /* tf_venue_cmd: OMS -> venue stage */
#define TF_RING_VENUE_OMS     "venue_oms"     /* tf_exec_report: venue stage -> OMS */
/* The engine's door (shm/door.h): the Unix socket <dir>/tradefan.<instance>.door
 * where clients get their request lanes (order path only). */
#define TF_DOOR_NAME          "door"
#define TF_RING_OMS_RISK      "oms_risk"      /* tf_risk_feedback: OMS -> risk */
#define TF_RING_RISK_ALGO     "risk_algo"     /* tf_algo_cmd (parents.h): risk -> algo stage */
#define TF_RING_ALGO_RISK     "algo_risk"     /* struct tf_request: algo stage (children, reports) -> risk */

/* ---- counters, gauges and histograms of the stats segment ----------------
 * X(ID, name, kind, stage, labels, meaning): the engine registers by ID
 * (tf_stats_counter), readers find by name. `labels` says which labels the
 * engine attaches ("reason=<enum>" means one series per value of that enum);
 * a name may be registered once per label set. */
#define TF_COUNTER_CATALOG(X) \
    X(JOURNAL_FLUSHES, "journal_flushes", TF_COUNTER, "engine", "journal=md|orders", "journal files flushed to disk by the main thread") \
    X(JOURNAL_FLUSH_ERRORS, "journal_flush_errors", TF_COUNTER, "engine", "journal=md", "journal flushes that failed") \
    X(SYNTH_GENERATED, "synth_generated", TF_COUNTER, "synth_source", "", "synthetic ticks generated") \
    X(SYNTH_BACKPRESSURE, "synth_backpressure", TF_COUNTER, "synth_source", "ring=synth", "synthetic ticks that found the ring full") \
    X(SYNTH_BEHIND_NS, "synth_behind_ns", TF_GAUGE, "synth_source", "", "how far the source runs behind its schedule") \
    X(SYNTH_RECEIVED, "synth_received", TF_COUNTER, "synth_sink", "ring=synth", "synthetic ticks received") \
    X(SYNTH_SEQ_GAPS, "synth_seq_gaps", TF_COUNTER, "synth_sink", "ring=synth", "synthetic ticks missing from the sequence") \
    X(SYNTH_SEQ_REORDERS, "synth_seq_reorders", TF_COUNTER, "synth_sink", "ring=synth", "synthetic ticks out of order") \
    X(JOURNAL_APPENDED, "journal_appended", TF_COUNTER, "synth_sink", "journal=md", "records the sink appended to the md journal") \
    X(REQUESTS_PING, "requests_ping", TF_COUNTER, "synth_sink|risk", "ring=requests (synth_sink), none (risk)", "ping requests answered") \
    X(REQUESTS_REJECTED, "requests_rejected", TF_COUNTER, "synth_sink", "ring=requests", "requests refused by the sink") \
    X(MD_MESSAGES, "md_messages", TF_COUNTER, "feed", "", "WebSocket messages received") \
    X(MD_BYTES, "md_bytes", TF_COUNTER, "feed", "", "WebSocket payload bytes received") \
    X(MD_TRADES, "md_trades", TF_COUNTER, "feed", "kind=trade|aggTrade", "trades decoded") \
    X(MD_QUOTES, "md_quotes", TF_COUNTER, "feed", "", "bookTicker quotes decoded") \
    X(MD_DEPTH_UPDATES, "md_depth_updates", TF_COUNTER, "feed", "", "depth updates decoded") \
    X(MD_BARS, "md_bars", TF_COUNTER, "feed", "", "1-minute bars closed") \
    X(MD_BAR_REVISIONS, "md_bar_revisions", TF_COUNTER, "feed", "", "closed bars revised by late trades") \
    X(MD_VENUE_KLINES, "md_venue_klines", TF_COUNTER, "feed", "", "the venue's own klines received") \
    X(MD_REJECTED, "md_rejected", TF_COUNTER, "feed", "reason=<tf_feed_reject>", "messages refused, by reason") \
    X(MD_TRADE_CHECKS, "md_trade_checks", TF_COUNTER, "feed", "verdict=<tf_trade_verdict>", "trade validation verdicts") \
    X(MD_TRADE_GAPS, "md_trade_gaps", TF_COUNTER, "feed", "", "gaps in trade ids") \
    X(MD_TRADE_GAP_IDS, "md_trade_gap_ids", TF_COUNTER, "feed", "", "trade ids missing in those gaps") \
    X(MD_TRADE_GAPS_FILLED, "md_trade_gaps_filled", TF_COUNTER, "feed", "", "late trades that filled a gap") \
    X(MD_BOOK_UPDATES, "md_book_updates", TF_COUNTER, "feed", "action=<tf_book_action>", "depth updates, by what the book did with them") \
    X(MD_SNAPSHOTS, "md_snapshots", TF_COUNTER, "feed", "", "REST depth snapshots received") \
    X(MD_SNAPSHOT_ERRORS, "md_snapshot_errors", TF_COUNTER, "feed", "", "REST depth snapshots that failed") \
    X(MD_BOOK_SYNCS, "md_book_syncs", TF_COUNTER, "feed", "", "books synchronized from a snapshot") \
    X(FEED_CONNECTS, "feed_connects", TF_COUNTER, "feed", "", "WebSocket connections made") \
    X(FEED_DISCONNECTS, "feed_disconnects", TF_COUNTER, "feed", "", "WebSocket connections lost") \
    X(FEED_CONNECT_ERRORS, "feed_connect_errors", TF_COUNTER, "feed", "", "WebSocket connections that failed") \
    X(FEED_IDLE_TIMEOUTS, "feed_idle_timeouts", TF_COUNTER, "feed", "", "connections dropped for an idle feed") \
    X(FEED_ROTATIONS, "feed_rotations", TF_COUNTER, "feed", "", "planned reconnects before the venue's 24-hour limit") \
    X(FEED_SERVER_SHUTDOWNS, "feed_server_shutdowns", TF_COUNTER, "feed", "", "serverShutdown notices from the venue") \
    X(FEED_RESPONSES, "feed_responses", TF_COUNTER, "feed", "", "answers to SUBSCRIBE requests") \
    X(FEED_VENUE_ERRORS, "feed_venue_errors", TF_COUNTER, "feed", "", "error messages from the venue") \
    X(MD_JOURNAL_ERRORS, "md_journal_errors", TF_COUNTER, "feed", "", "records the md journal refused") \
    X(MD_VENUE_CLOCK_AHEAD, "md_venue_clock_ahead", TF_COUNTER, "feed", "", "messages stamped by the venue later than we received them") \
    X(FEED_CONNECTED, "feed_connected", TF_GAUGE, "feed", "", "1 while the WebSocket is connected") \
    X(STRATEGY_MD_RECORDS, "strategy_md_records", TF_COUNTER, "strategy", "", "market-data records given to the plugin") \
    X(STRATEGY_SUBMITTED, "strategy_submitted", TF_COUNTER, "strategy", "", "requests the plugin submitted") \
    X(STRATEGY_RING_FULL, "strategy_ring_full", TF_COUNTER, "strategy", "", "plugin requests refused: strategy->risk ring full") \
    X(STRATEGY_ORDER_EVENTS, "strategy_order_events", TF_COUNTER, "strategy", "", "order events given to the plugin") \
    X(ALGO_PARENTS_STARTED, "algo_parents_started", TF_COUNTER, "algo", "", "parent orders started") \
    X(ALGO_PARENTS_FINISHED, "algo_parents_finished", TF_COUNTER, "algo", "", "parent orders finished (done, stopped or canceled)") \
    X(ALGO_CHILDREN, "algo_children", TF_COUNTER, "algo", "", "child orders sent to the risk gate") \
    X(ALGO_CHILD_CANCELS, "algo_child_cancels", TF_COUNTER, "algo", "", "child cancels sent (resubmit, pause, cancel, guard)") \
    X(ALGO_RING_FULL, "algo_ring_full", TF_COUNTER, "algo", "", "children or reports held back: algo->risk ring full") \
    X(RISK_REJECTS, "risk_rejects", TF_COUNTER, "risk", "reason=<tf_reject_reason>", "orders refused by the risk gate, by reason") \
    X(RISK_ACCEPTED, "risk_accepted", TF_COUNTER, "risk", "", "orders passed by the risk gate") \
    X(REQUESTS, "requests", TF_COUNTER, "risk", "", "requests taken from the request ring and lanes") \
    X(KILL_SWITCH_TRIPS, "kill_switch_trips", TF_COUNTER, "risk", "", "kill switch trips") \
    X(OMS_RING_FULL, "oms_ring_full", TF_COUNTER, "risk", "", "commands held: risk->OMS ring full") \
    X(ORDER_EVENTS, "order_events", TF_COUNTER, "oms", "", "order events journaled") \
    X(ORDER_ILLEGAL_REPORTS, "order_illegal_reports", TF_COUNTER, "oms", "", "venue reports the order state machine refused (journaled, nothing changed)") \
    X(VENUE_RING_FULL, "venue_ring_full", TF_COUNTER, "oms", "", "commands held: OMS->venue ring full") \
    X(FILLS, "fills", TF_COUNTER, "oms", "", "fills applied") \
    X(KILL_TO_CANCELS_NS, "kill_to_cancels_ns", TF_GAUGE, "oms", "", "time from the last kill switch to its cancels being sent") \
    X(PAPER_ACKS, "paper_acks", TF_COUNTER, "paper", "", "orders acknowledged by the paper venue") \
    X(PAPER_FILLS, "paper_fills", TF_COUNTER, "paper", "", "fills made by the paper venue") \
    X(PAPER_EXPIRED, "paper_expired", TF_COUNTER, "paper", "", "IOC/FOK orders expired by the paper venue") \
    X(PAPER_REJECTS, "paper_rejects", TF_COUNTER, "paper", "", "orders refused by the paper venue") \
    X(PAPER_MD_RECORDS, "paper_md_records", TF_COUNTER, "paper", "", "market-data records the paper venue read") \
    X(PAPER_MD_GAPS, "paper_md_gaps", TF_COUNTER, "paper", "", "md journal records the paper venue missed (lapped)") \
    X(FIX_SESSION_STATE, "fix_session_state", TF_GAUGE, "exio", "session=N", "the session's tf_fix_state (tf_fix_state_names)") \
    X(FIX_HEARTBEAT_AGE_MS, "fix_heartbeat_age_ms", TF_GAUGE, "exio", "session=N", "time since the last message from the venue") \
    X(FIX_ORDER_RTT_NS, "fix_order_rtt_ns", TF_GAUGE, "exio", "session=N", "the last order round trip (NewOrderSingle to first report)") \
    X(FIX_REJECTS_RECEIVED, "fix_rejects_received", TF_COUNTER, "exio", "session=N", "session-level Rejects (35=3) received") \
    X(FIX_MESSAGES_OUT, "fix_messages_out", TF_COUNTER, "exio", "session=N", "FIX messages sent") \
    X(FIX_MESSAGES_IN, "fix_messages_in", TF_COUNTER, "exio", "session=N", "FIX messages received") \
    X(FIX_CONNECTS, "fix_connects", TF_COUNTER, "exio", "session=N", "TCP connections made") \
    X(FIX_GARBLED, "fix_garbled", TF_COUNTER, "exio", "session=N", "garbled messages ignored (checksum, body length)") \
    X(FIX_RESEND_REQUESTS, "fix_resend_requests", TF_COUNTER, "exio", "session=N", "ResendRequests sent") \
    X(FIX_RATE_LIMITED, "fix_rate_limited", TF_COUNTER, "exio", "session=N", "commands held by the venue's message-rate limit") \
    X(FIX_ORDERS_UNKNOWN_NOW, "fix_orders_unknown_now", TF_GAUGE, "exio", "", "orders of unknown fate now") \
    X(FIX_ORDERS_SENT, "fix_orders_sent", TF_COUNTER, "exio", "", "new orders sent") \
    X(FIX_REPORTS, "fix_reports", TF_COUNTER, "exio", "", "execution reports received") \
    X(FIX_DUPLICATE_FILLS, "fix_duplicate_fills", TF_COUNTER, "exio", "", "fills ignored as already counted (CumQty)") \
    X(FIX_ORDERS_FATE_UNKNOWN, "fix_orders_fate_unknown", TF_COUNTER, "exio", "", "orders ever marked of unknown fate") \
    X(FIX_BAD_REPORTS, "fix_bad_reports", TF_COUNTER, "exio", "", "execution reports that could not be matched or read") \
    X(FIX_RECOVERED_FILLS, "fix_recovered_fills", TF_COUNTER, "exio", "", "fills recovered from CumQty/AvgPx after a reconnect") \
    X(FIX_ORDERS_RECONCILED, "fix_orders_reconciled", TF_COUNTER, "exio", "", "orders whose status was reconciled after a logon") \
    X(FIX_VENUE_REJECTS, "fix_venue_rejects", TF_COUNTER, "exio", "", "orders, cancels and replaces the venue refused") \
    X(FIX_LATE_REPORTS, "fix_late_reports", TF_COUNTER, "exio", "", "reports for orders already finished") \
    X(FIX_OUT_OF_BAND_FILLS, "fix_out_of_band_fills", TF_COUNTER, "exio", "", "fills for orders already finished or unknown, passed on as out-of-band") \
    X(FIX_STALE_NOT_RESENT, "fix_stale_not_resent", TF_COUNTER, "exio", "session=N", "messages asked for again after their moment passed: gap-filled, not resent") \
    X(FIX_SEQ_RESETS, "fix_seq_resets", TF_COUNTER, "exio", "session=N", "sequence resets (either side's ResetSeqNumFlag, the schedule, an operator)") \
    X(FIX_SESSIONS_HALTED, "fix_sessions_halted", TF_GAUGE, "exio", "", "sessions not reconnecting until an operator resets them") \
    X(ORDERS_OUT_OF_BAND_FILLS, "orders_out_of_band_fills", TF_COUNTER, "oms", "", "fills for finished or unknown orders applied to positions") \
    X(ORDERS_RESOLVED, "orders_resolved", TF_COUNTER, "oms", "", "orders of unknown fate settled by an operator") \
    X(DOOR_LANES_OPEN, "door_lanes_open", TF_GAUGE, "risk", "", "client request lanes open at the engine's door") \
    X(DOOR_GRANTED, "door_granted", TF_COUNTER, "risk", "", "lanes the door granted (a client process connected)") \
    X(DOOR_REFUSED, "door_refused", TF_COUNTER, "risk", "", "knocks the door refused (identity not allowed, bad hello)") \
    X(DOOR_LANES_CORRUPT, "door_lanes_corrupt", TF_COUNTER, "risk", "", "lanes closed because their producer index could not be true")

#define TF_HIST_CATALOG(X) \
    X(SYNTH_RING_HOP, "synth_ring_hop", "synth_sink", "ring=synth", "synthetic tick: source -> sink ring hop") \
    X(SYNTH_DUE_TO_JOURNAL, "synth_due_to_journal", "synth_sink", "journal=md", "synthetic tick: due time -> journaled") \
    X(MD_RECV_TO_DECODED_NS, "md_recv_to_decoded_ns", "feed", "", "market data: received -> decoded") \
    X(MD_DECODED_TO_PUBLISHED_NS, "md_decoded_to_published_ns", "feed", "", "market data: decoded -> published") \
    X(MD_RECV_TO_JOURNAL_NS, "md_recv_to_journal_ns", "feed", "", "market data: received -> in the journal") \
    X(MD_VENUE_TO_LOCAL_NS, "md_venue_to_local_ns", "feed", "", "venue timestamp -> our receive time (clock skew plus network)") \
    X(MD_KERNEL_TO_RECV_NS, "md_kernel_to_recv_ns", "feed", "", "tick hop: the kernel's receive stamp of the packet -> the frame handed over (feed.rx_timestamps)") \
    X(RISK_CHECK_NS, "risk_check_ns", "risk", "", "one pre-trade check") \
    X(ORDER_REQUEST_TO_VENUE_NS, "order_request_to_venue_ns", "oms", "", "request received -> command on the venue ring") \
    X(TICK_TO_ORDER_NS, "tick_to_order_ns", "oms", "", "market-data receive -> order command to the venue") \
    X(FIX_ORDER_RTT_NS, "fix_order_rtt_ns", "exio", "", "NewOrderSingle sent -> first execution report") \
    X(STRATEGY_MD_WAIT_NS, "strategy_md_wait_ns", "strategy", "", "tick hop: market data in the journal -> the strategy called") \
    X(STRATEGY_DECIDE_NS, "strategy_decide_ns", "strategy", "", "tick hop: the strategy called -> its request sent") \
    X(ALGO_RELEASE_NS, "algo_release_ns", "algo", "", "child release: its trigger (slice due, market change, last child done) -> sent to risk") \
    X(RISK_WAIT_NS, "risk_wait_ns", "risk", "", "tick hop: request sent -> the risk gate took it") \
    X(OMS_WAIT_NS, "oms_wait_ns", "oms", "", "tick hop: the risk gate passed it -> the OMS took it") \
    X(OMS_HANDLE_NS, "oms_handle_ns", "oms", "", "tick hop: the OMS took it -> command on the venue ring") \
    X(EXIO_WAIT_NS, "exio_wait_ns", "exio", "", "tick hop: command on the venue ring -> the venue stage took it") \
    X(EXIO_ENCODE_NS, "exio_encode_ns", "exio", "", "tick hop: the venue stage took it -> FIX message encoded") \
    X(EXIO_SUBMIT_NS, "exio_submit_ns", "exio", "", "tick hop: FIX message encoded -> its send submitted to the kernel") \
    X(TICK_TO_SEND_NS, "tick_to_send_ns", "exio", "", "market-data receive -> the order's send submitted to the kernel")

typedef enum tf_counter_kind { TF_COUNTER = 1, TF_GAUGE = 2 } tf_counter_kind;

typedef enum tf_counter_id {
#define TF__CTR_ENUM(id, name, kind, stage, labels, help) TF_CTR_##id,
    TF_COUNTER_CATALOG(TF__CTR_ENUM)
#undef TF__CTR_ENUM
    TF_CTR_COUNT
} tf_counter_id;

typedef enum tf_hist_id {
#define TF__HIST_ENUM(id, name, stage, labels, help) TF_HIST_##id,
    TF_HIST_CATALOG(TF__HIST_ENUM)
#undef TF__HIST_ENUM
    TF_HIST_COUNT
} tf_hist_id;

typedef struct tf_metric_def {
    const char *name;   /* as in the stats directory */
    uint32_t kind;      /* tf_counter_kind; 0 for histograms (unit ns) */
    const char *stage;  /* the stage that writes it ("a|b": either) */
    const char *labels; /* the labels it carries */
    const char *help;   /* what it counts */
} tf_metric_def;

extern const tf_metric_def tf_counter_catalog[TF_CTR_COUNT];
extern const tf_metric_def tf_hist_catalog[TF_HIST_COUNT];

/* The catalogue entry of a counter name as found in a stats segment, or NULL. */
const tf_metric_def *tf_counter_lookup(const char *name);

/* ---- enumerations readers decode ------------------------------------------
 * Where the enum and its label table live:
 *   record types           tf_rec_type, tf_rec_type_names        shm/records.h
 *   state slot kinds       tf_state_kind                         shm/records.h
 *   feed events            tf_md_feed_event_kind                 shm/records.h
 *   order states           tf_ord_state, tf_ord_state_names      shm/orders.h
 *   order event kinds      tf_event_kind, tf_event_kind_names    shm/orders.h
 *   reject reasons         tf_reject_reason, tf_reject_reason_names shm/orders.h
 *   risk limits            tf_limit_id, tf_limit_names           shm/orders.h
 *   trading states         tf_trading_state, tf_trading_state_names shm/orders.h
 *   kill triggers          tf_kill_trigger, tf_kill_trigger_names shm/orders.h
 *   segment kinds/status   tf_seg_kind, tf_seg_status            shm/segment.h
 *   FIX session states     tf_fix_state, tf_fix_state_names      below (the
 *                          value of the fix_session_state gauge) */
typedef enum tf_fix_state {
    TF_FIX_DISCONNECTED = 0,
    TF_FIX_LOGON_SENT,           /* initiator: our Logon is out, waiting for the answer */
    TF_FIX_AWAIT_LOGON,          /* acceptor: connected, waiting for the counterparty's Logon */
    TF_FIX_ACTIVE,
    TF_FIX_LOGOUT_SENT,          /* our Logout is out, waiting for the answer */
    TF_FIX_STATE_COUNT
} tf_fix_state;
extern const char *const tf_fix_state_names[TF_FIX_STATE_COUNT];

#endif

/* Engine configuration: the YAML file that says which stage runs on which
 * thread and core, ring and journal sizes, segment names and permissions.
 *
 * PROMISE: tf_config_load() either fills a fully validated tf_config or
 * fails with one message of the form "<file>:<line>:<col>: <reason>" (line
 * and column 1-based; for whole-file problems such as an impossible layout
 * the line of the offending node). Every key is known (unknown keys fail),
 * every value has the right type and range, and the layout is possible:
 * every stage runs on exactly one thread, every CPU exists on this host,
 * every ring capacity is a power of two. The struct holds no pointers, so it
 * can be copied freely and needs no free.
 *
 * Cold path only: called once at start.
 */
#ifndef TF_ENGINE_CONFIG_H
#define TF_ENGINE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TF_CFG_NAME_MAX     32   /* names: instance, thread, stage, ring */
#define TF_CFG_PATH_MAX     256
#define TF_CFG_MAX_THREADS  16
#define TF_CFG_MAX_STAGES   16   /* stages per thread and in total */

typedef enum tf_idle_kind {
    TF_IDLE_BUSY_SPIN = 0,  /* "busy-spin": pause instruction, never sleeps */
    TF_IDLE_YIELD,          /* "yield": sched_yield() when idle */
    TF_IDLE_BACKOFF,        /* "backoff": spin, then yield, then park with
                               nanosleep doubling up to park_max_ns */
    TF_IDLE_SPIN,           /* "spin": like busy-spin without the pause instruction (a hypervisor's
                               pause-loop exiting can take the vCPU away from a pause loop) */
    TF_IDLE_KIND_COUNT
} tf_idle_kind;

/* What an engine does when it finds a segment left by a crashed engine. */
typedef enum tf_stale_policy {
    TF_STALE_REFUSE = 0,    /* "refuse": report it and do not start */
    TF_STALE_REPLACE,       /* "replace": report it, unlink, create anew */
    TF_STALE_POLICY_COUNT
} tf_stale_policy;

typedef struct tf_cfg_idle {
    tf_idle_kind kind;
    uint32_t spins;          /* backoff: busy spins before yielding (default 100) */
    uint32_t yields;         /* backoff: yields before parking (default 10) */
    uint64_t park_min_ns;    /* backoff: first park (default 1000) */
    uint64_t park_max_ns;    /* backoff: longest park (default 1000000) */
} tf_cfg_idle;

/* The stages the engine knows: the one list of them. A config file names a
 * stage by tf_config_known_stages[kind]; the parsed config holds the kind;
 * engine/engine.c builds each kind. The order is the pipeline order: a
 * stage's upstream is every configured stage before it (drained first at
 * stop). */
typedef enum tf_stage_kind {
    TF_STAGE_SYNTH_SOURCE = 0, /* "synth_source" */
    TF_STAGE_SYNTH_SINK,       /* "synth_sink" */
    TF_STAGE_FEED,             /* "feed" */
    TF_STAGE_STRATEGY,         /* "strategy" */
    TF_STAGE_ALGO,             /* "algo": parent orders (execution algorithms) */
    TF_STAGE_RISK,             /* "risk" */
    TF_STAGE_OMS,              /* "oms" */
    TF_STAGE_PAPER,            /* "paper" */
    TF_STAGE_EXIO,             /* "exio" */
    TF_STAGE_KIND_COUNT
} tf_stage_kind;

typedef struct tf_cfg_thread {
    char name[TF_CFG_NAME_MAX];
    int32_t cpu;             /* -1: not pinned */
    int32_t rt_priority;     /* 0: normal scheduling; 1..99: SCHED_FIFO */
    tf_cfg_idle idle;
    uint32_t stage_count;
    tf_stage_kind stages[TF_CFG_MAX_STAGES]; /* in the order the thread polls them */
} tf_cfg_thread;

typedef struct tf_cfg_synthetic {
    uint64_t rate_per_s;     /* synthetic source: records per second; 0 = as fast as possible */
    uint32_t burst;          /* most records one poll may emit (default 64) */
} tf_cfg_synthetic;

#define TF_CFG_MAX_INSTRUMENTS 64
#define TF_CFG_DECIMAL_MAX 32

/* One instrument (engine/md/instruments.h interns them in this order). */
typedef struct tf_cfg_instrument {
    char symbol[16];                     /* as the venue spells it: BTCUSDT */
    char venue[16];                      /* default "binance" */
    uint32_t price_precision;            /* decimals of a price unit (0..12) */
    uint32_t qty_precision;              /* decimals of a quantity unit (0..12) */
    char tick_size_text[TF_CFG_DECIMAL_MAX];   /* "0.01": exact decimals as written */
    char lot_size_text[TF_CFG_DECIMAL_MAX];
    char min_notional_text[TF_CFG_DECIMAL_MAX];
    char max_price_text[TF_CFG_DECIMAL_MAX];   /* "" = no cap */
    int64_t tick_size;                   /* price units (converted from the text) */
    int64_t lot_size;                    /* qty units */
    int64_t min_notional;                /* price units */
    int64_t max_price;                   /* price units; 0 = no cap */
} tf_cfg_instrument;

/* Market-data streams the feed subscribes to, per instrument (bit set). */
typedef enum tf_feed_stream {
    TF_STREAM_TRADE = 0,      /* "trade" */
    TF_STREAM_AGG_TRADE,      /* "aggTrade" */
    TF_STREAM_BOOK_TICKER,    /* "bookTicker" */
    TF_STREAM_DEPTH_100MS,    /* "depth@100ms": diff depth, kept as an L2 book */
    TF_STREAM_DEPTH_1S,       /* "depth": the same at 1000 ms */
    TF_STREAM_KLINE_1M,       /* "kline_1m": the venue's own bars, journaled beside ours */
    TF_STREAM_COUNT
} tf_feed_stream;

extern const char *const tf_feed_stream_names[TF_STREAM_COUNT + 1];

/* The feed stream's WebSocket client: our own on io_uring (engine/md/feed_ws.h),
 * or libwebsockets' (REST snapshots always go through libwebsockets). */
typedef enum tf_feed_transport { TF_FEED_TRANSPORT_URING = 0, TF_FEED_TRANSPORT_LWS } tf_feed_transport;

typedef struct tf_cfg_feed {
    char url[TF_CFG_PATH_MAX];           /* ws://host:port or wss://...; combined streams at /stream */
    char rest_url[TF_CFG_PATH_MAX];      /* http(s)://host:port for /api/v3/depth snapshots */
    uint32_t streams;                    /* bit per tf_feed_stream; default trade, aggTrade, bookTicker, depth@100ms, kline_1m */
    uint32_t snapshot_depth;             /* levels asked for in a snapshot (default 1000, <= 5000) */
    uint32_t book_levels;                /* levels kept per side (default 5000) */
    uint64_t idle_timeout_ns;            /* no frame for this long: reconnect (default 10 s) */
    uint64_t ping_interval_ns;           /* our pings; the peer is dead after 2 unanswered (default 5 s) */
    uint64_t reconnect_min_ns;           /* first backoff (default 100 ms) */
    uint64_t reconnect_max_ns;           /* backoff cap (default 30 s); jitter +-25 % */
    uint64_t rotate_after_ns;            /* planned reconnect (default 23 h; the venue cuts at 24 h) */
    uint32_t max_frame_bytes;            /* larger messages are refused (default 1 MiB) */
    bool tls_verify;                     /* verify wss/https certificates (default true) */
    char ca_file[TF_CFG_PATH_MAX];       /* "" = system CAs */
    bool rx_timestamps;                  /* the kernel's receive stamp of each packet (SO_TIMESTAMPING, read
                                          * with a MSG_PEEK recvmsg: one more system call per read; a
                                          * diagnostic, default false) into md_kernel_to_recv_ns */
    bool service_every_cycle;            /* lws transport: call lws_service (a poll()) every duty cycle instead
                                          * of when io_uring says the socket has data, and every ms (default false) */
    uint32_t transport;                  /* tf_feed_transport: the stream's WebSocket client (default uring) */
} tf_cfg_feed;

typedef struct tf_cfg_bars {
    uint64_t grace_ns;                   /* wait after the minute before closing (default 2 s) */
    uint32_t empty_policy;               /* tf_md_empty_policy: "skip" (default) or "flat" */
    uint32_t revision_window;            /* closed bars a late trade may revise (default 10, <= 64) */
} tf_cfg_bars;

typedef struct tf_cfg_validation {
    uint32_t max_deviation_bps;          /* refuse a trade this far from the last one (default 1000 = 10 %; 0 = off) */
} tf_cfg_validation;

/* ---- out-of-band exporters and the query API (tools/export-*, tools/query).
 * Secrets are never in the YAML: each names a file or an environment
 * variable holding them. "local: true" means `make run` (tuning/run.sh)
 * starts the server itself on the configured port with its data under
 * run_dir; false means the endpoint is an existing server (a shared Redis, a
 * clustered InfluxDB). */
typedef enum tf_influx_precision {
    TF_INFLUX_NS = 0, TF_INFLUX_US, TF_INFLUX_MS, TF_INFLUX_S, TF_INFLUX_PRECISION_COUNT
} tf_influx_precision;
extern const char *const tf_influx_precision_names[TF_INFLUX_PRECISION_COUNT + 1];

typedef struct tf_cfg_secret {
    char file[TF_CFG_PATH_MAX];          /* read, trailing newline dropped; "" = none */
    char env[TF_CFG_NAME_MAX];           /* environment variable; "" = none */
} tf_cfg_secret;

typedef struct tf_cfg_influx {
    bool enabled;                        /* default true */
    bool local;                          /* started by make run (default true) */
    char url[TF_CFG_PATH_MAX];           /* default http://127.0.0.1:8086 */
    char database[64];                   /* default "tradefan" */
    char retention_policy[64];           /* "" = the database's default */
    char username[64];                   /* "" = no authentication */
    tf_cfg_secret password;
    uint32_t precision;                  /* tf_influx_precision; default ns */
    uint32_t batch_points;               /* flush at this many points (default 5000) */
    uint32_t connections;                /* batches in flight, one connection each (default 2) */
    uint64_t batch_ns;                   /* ... or this long after the first (default 200 ms) */
    uint64_t timeout_ns;                 /* per request (default 5 s) */
    uint64_t retry_min_ns, retry_max_ns; /* backoff (100 ms .. 10 s), jitter +-25 % */
    bool create_database;                /* on 404 "database not found" (default true) */
    bool gzip;                           /* Content-Encoding: gzip (default true) */
    bool trades;                         /* every trade as a point (default true) */
    uint64_t top_sample_ns;              /* top of book at most once per this, venue time; 0 = off (default 1 s) */
    /* InfluxDB 2.x (and Cloud): api 2 writes to /api/v2/write?org=&bucket=
     * with "Authorization: Token ..."; queries go to the 1.x-compatible
     * /query with the same token (a DBRP mapping of database/retention
     * policy to the bucket). api 1 (default): InfluxDB 1.x and Enterprise. */
    uint32_t api;                        /* 1 or 2 (default 1) */
    char org[64];                        /* api 2: the organization (required) */
    char bucket[128];                    /* api 2: default "<database>/<retention policy or autogen>" */
    tf_cfg_secret token;                 /* api 2: the API token (required) */
    /* History at scale (tools/oob/influx_history.h): retention policies
     * tf_raw (the market data as written, the database's default) and
     * tf_bars (1m/1h/1d bars, kept by continuous queries). */
    bool downsample;                     /* default false */
    uint32_t raw_days;                   /* tf_raw's duration (default 30) */
    uint32_t bars_days;                  /* tf_bars' duration; 0 = forever (default 0) */
} tf_cfg_influx;

typedef struct tf_cfg_redis {
    bool enabled;                        /* default true */
    bool local;                          /* default true */
    char host[64];                       /* default 127.0.0.1 */
    uint32_t port;                       /* default 6379 */
    uint32_t db;                         /* SELECT (default 0) */
    char username[64];                   /* AUTH username password (Redis 6 ACL); "" = AUTH password */
    tf_cfg_secret password;
    uint32_t pipeline;                   /* commands in flight (default 256) */
    uint32_t trades_maxlen;              /* XADD MAXLEN ~ (default 10000) */
    uint32_t bars_keep;                  /* bars kept per sorted set (default 1440) */
    uint64_t timeout_ns;                 /* connect/command (default 2 s) */
    uint64_t retry_min_ns, retry_max_ns;
    uint32_t persistence;                /* local Redis: 0 none (a cache, rebuilt from the journal), 1 aof
                                          * (appendonly, fsync every second) */
    bool cluster;                        /* host:port is a node of a Redis Cluster (redis_cluster.h); db 0 */
} tf_cfg_redis;

typedef struct tf_cfg_query {
    bool enabled;                        /* default true */
    char bind[64];                       /* default 127.0.0.1 */
    uint32_t port;                       /* default 8080; 0 = any free port */
    tf_cfg_secret token;                 /* bearer token; none = no authentication */
    uint64_t cache_bytes;                /* LRU cache memory limit (default 64 MiB) */
    uint32_t max_limit;                  /* most bars/trades per answer (default 10000) */
    uint32_t hot_bars;                   /* bars kept in memory per instrument (default 1440) */
    uint32_t hot_trades;                 /* trades kept in memory per instrument (default 1000) */
    uint32_t hot_order_events;           /* order events kept in memory (default 16384) */
    uint64_t timeout_ns;                 /* backend request timeout (default 2 s) */
    uint32_t threads;                    /* HTTP service threads (default 1) */
} tf_cfg_query;

typedef struct tf_cfg_prom {
    bool enabled;                        /* default true */
    char bind[64];                       /* default 127.0.0.1 */
    uint32_t port;                       /* default 9464 (the OpenTelemetry Prometheus port); 0 = any free port */
} tf_cfg_prom;

/* tfconsole: the live web console (tools/console/). Pages and a WebSocket
 * on bind:port; read-only for anyone who reaches it on loopback (with
 * `token` anywhere else); operator actions only with `operator_token`. */
typedef struct tf_cfg_console {
    bool enabled;                        /* default false (the environments turn it on) */
    char bind[64];                       /* default 127.0.0.1 */
    uint32_t port;                       /* default 8090; 0 = any free port */
    tf_cfg_secret token;                 /* viewers' bearer token (required off loopback) */
    tf_cfg_secret operator_token;        /* the kill switch, trading state, cancel all; none = read-only */
    char web_dir[TF_CFG_PATH_MAX];       /* the pages ("" = share/tradefan/web beside the binary, else build/web) */
    uint32_t rate_hz;                    /* updates pushed per second (default 20) */
    uint32_t history_bars;               /* bars sent on connect (default 600) */
} tf_cfg_console;

/* Backups (tuning/backup): InfluxDB, Redis, the journals and the small
 * state files, into dir/<UTC time>/, every every_ns when the supervisor
 * runs it (0: only by hand), the newest `keep` kept. */
typedef struct tf_cfg_backup {
    char dir[TF_CFG_PATH_MAX];           /* default <run_dir>/backups */
    uint64_t every_ns;                   /* default 0: by hand (tuning/backup now) */
    uint32_t keep;                       /* default 24 */
} tf_cfg_backup;

/* tfwatchdog: the engine's stage heartbeats watched from outside it. */
typedef struct tf_cfg_watchdog {
    uint64_t stall_ns;                   /* a stage not polled this long is stalled (default 250 ms) */
    uint64_t poll_ns;                    /* how often it looks (default 50 ms) */
    bool kill_switch;                    /* a stall trips the kill switch (default false) */
} tf_cfg_watchdog;

typedef struct tf_cfg_export {
    char run_dir[TF_CFG_PATH_MAX];       /* positions, local server data (default "run/<instance>") */
    int32_t cpu;                         /* pin the exporters and tfquery here, off the engine's cores (-1: not pinned) */
    uint64_t stall_ns;                   /* a store that has not answered a request this long is reported not
                                          * connected, while the request waits on to its timeout (default 500 ms) */
    tf_cfg_influx influx;
    tf_cfg_redis redis;
    tf_cfg_query query;
    tf_cfg_prom prom;                    /* tfexport-prom: GET /metrics */
    tf_cfg_console console;              /* tfconsole: the web console */
} tf_cfg_export;

/* ---- the order path (strategy, risk, oms, paper stages) ------------------
 * Money limits are decimals in the quote currency ("100000"), quantities
 * decimals in the instrument's units ("0.5"); "" or absent = no limit. */
#define TF_CFG_MAX_STRATEGIES 16

typedef struct tf_cfg_risk_instrument {
    char symbol[16];
    uint32_t instrument;                 /* resolved id */
    uint32_t collar_bps;                 /* limit price within this of the reference (0 = off; default 500) */
    bool tradable;                       /* false: new orders refused, cancels pass (default true) */
    char min_qty_text[TF_CFG_DECIMAL_MAX];
    char max_order_qty_text[TF_CFG_DECIMAL_MAX];
    char max_order_notional_text[TF_CFG_DECIMAL_MAX];
    char max_position_text[TF_CFG_DECIMAL_MAX];
    int64_t min_qty, max_order_qty, max_position; /* qty units */
    int64_t max_order_notional;          /* money (10^-8 quote) */
} tf_cfg_risk_instrument;

typedef struct tf_cfg_strategy {
    uint32_t id;                         /* 1..15: requests carry it as source_id */
    char name[TF_CFG_NAME_MAX];
    uint32_t max_open_orders;            /* 0 = no limit */
    uint32_t orders_per_s, cancels_per_s, replaces_per_s; /* 0 = no limit */
    char max_order_notional_text[TF_CFG_DECIMAL_MAX];
    char max_position_notional_text[TF_CFG_DECIMAL_MAX];
    char daily_loss_limit_text[TF_CFG_DECIMAL_MAX];
    int64_t max_order_notional, max_position_notional, daily_loss_limit; /* money */
    /* Who may trade it (checked at the engine's door, shm/door.h): this
     * local user and/or the members of this group; operators may too. */
    char user[TF_CFG_NAME_MAX], group[TF_CFG_NAME_MAX];
} tf_cfg_strategy;

typedef struct tf_cfg_risk {
    uint32_t state;                      /* tf_trading_state at start: active (default), reducing, halted */
    bool flatten_on_kill;                /* the kill switch also flattens positions (default false) */
    /* Operators (limits, the kill switch, the trading state, resolutions,
     * session resets, cancel-all of everything, any strategy): the engine's
     * own user and root always; also this user and the members of this group. */
    char operator_user[TF_CFG_NAME_MAX], operator_group[TF_CFG_NAME_MAX];
    bool kill_on_out_of_band_fill;       /* a fill for a finished or unknown order trips the kill switch
                                          * (default false: it is applied, journaled, counted and logged) */
    uint64_t reference_max_age_ns;       /* older mid/last trade = stale (default 10 s) */
    uint64_t stage_silence_ns;           /* an engine thread silent this long trips the kill switch (default 1 s; 0 = off) */
    uint32_t max_concentration_pct;      /* one instrument's share of gross exposure (0 = off) */
    uint32_t max_open_orders;            /* all strategies (0 = no limit) */
    uint32_t orders_per_s, cancels_per_s, replaces_per_s; /* global budget, the venue's limits */
    uint32_t duplicate_count;            /* same side/price/qty this many times ... (0 = off; default 5) */
    uint64_t duplicate_window_ns;        /* ... within this window (default 1 s) */
    char max_gross_exposure_text[TF_CFG_DECIMAL_MAX];
    char daily_loss_limit_text[TF_CFG_DECIMAL_MAX];
    int64_t max_gross_exposure, daily_loss_limit; /* money */
    uint32_t instrument_count;
    tf_cfg_risk_instrument instruments[TF_CFG_MAX_INSTRUMENTS];
    uint32_t strategy_count;
    tf_cfg_strategy strategies[TF_CFG_MAX_STRATEGIES];
} tf_cfg_risk;

/* What a restart does with the parents that were running (orders.algo_on_restart). */
typedef enum tf_algo_restart { TF_ALGO_RESTART_STOP = 0, TF_ALGO_RESTART_RESUME } tf_algo_restart;
/* Whose iceberg an iceberg parent uses (orders.algo_iceberg): the engine's
 * (a visible child at a time) or the venue's (one child showing a part of
 * itself, exchange.iceberg). */
typedef enum tf_algo_iceberg { TF_ALGO_ICEBERG_ENGINE = 0, TF_ALGO_ICEBERG_NATIVE } tf_algo_iceberg;

typedef struct tf_cfg_orders {
    uint32_t capacity;                   /* order table slots (power of two; default 16384) */
    uint32_t journal_capacity;           /* order journal records (power of two; default 2^20) */
    char journal_file[TF_CFG_PATH_MAX];  /* "" = shm; a path = disk-backed, replayed at restart */
    char id_file[TF_CFG_PATH_MAX];       /* persisted order id counter (default <run_dir>/order_ids) */
    char maker_fee_bps_text[TF_CFG_DECIMAL_MAX]; /* paper venue fees, "7.5" = 0.075 % */
    char taker_fee_bps_text[TF_CFG_DECIMAL_MAX];
    int64_t maker_fee_cbps, taker_fee_cbps;      /* hundredths of a basis point */
    char plugin[TF_CFG_PATH_MAX];        /* strategy stage: the shared object */
    char plugin_params[TF_CFG_PATH_MAX]; /* handed to its init */
    uint32_t plugin_strategy;            /* the strategy id its orders carry */
    uint32_t algo_capacity;              /* algo stage: parent orders at once (default 64, <= 64) */
    uint64_t algo_report_ns;             /* algo stage: a parent's fills reported at most this often (default 100 ms) */
    char algo_store[TF_CFG_PATH_MAX];    /* algo stage: running parents' parameters, kept across a restart
                                          * (default <run_dir>/algo_parents) */
    uint32_t algo_on_restart;            /* tf_algo_restart: what a restart does with running parents (default stop) */
    char algo_vwap_profile[TF_CFG_PATH_MAX]; /* VWAP volume profiles by time of day ("" = flat; algo_profile.h) */
    uint32_t algo_iceberg;               /* tf_algo_iceberg (default engine; native needs exchange.iceberg) */
} tf_cfg_orders;

/* ---- the exchange I/O stage (exio): FIX 4.4 to the venue ----------------- */
typedef enum tf_exchange_spread { TF_SPREAD_ROUND_ROBIN = 0, TF_SPREAD_BY_INSTRUMENT, TF_SPREAD_COUNT } tf_exchange_spread;
typedef enum tf_exchange_replace { TF_REPLACE_NATIVE = 0, TF_REPLACE_CANCEL_NEW, TF_REPLACE_COUNT } tf_exchange_replace;
typedef enum tf_exchange_logon { TF_LOGON_PASSWORD = 0, TF_LOGON_ED25519, TF_LOGON_COUNT } tf_exchange_logon;
/* The venue's own iceberg orders: none, or MaxFloor (111, FIX 4.4; Binance). */
typedef enum tf_exchange_iceberg { TF_ICEBERG_NONE = 0, TF_ICEBERG_MAX_FLOOR, TF_ICEBERG_COUNT } tf_exchange_iceberg;
/* Venue profiles: which optional (non-FIX 4.4) tags and messages a venue
 * accepts, so the config cannot ask for one the venue's dictionary would
 * refuse (a strict venue rejects the Logon over one unknown tag).
 *   fix44     none (a plain FIX 4.4 venue; the default)
 *   coinbase  8013 CancelOrdersOnDisconnect
 *   binance   25035 MessageHandling (ed25519 Logon), 25033/25034 and XCN (cancel_new replaces)
 *   tfsim     all of the above (the local simulator) */
typedef enum tf_exchange_profile {
    TF_PROFILE_FIX44 = 0, TF_PROFILE_COINBASE, TF_PROFILE_BINANCE, TF_PROFILE_TFSIM, TF_PROFILE_COUNT
} tf_exchange_profile;
extern const char *const tf_exchange_profile_names[TF_PROFILE_COUNT + 1];
extern const char *const tf_exchange_spread_names[TF_SPREAD_COUNT + 1];
extern const char *const tf_exchange_replace_names[TF_REPLACE_COUNT + 1];
extern const char *const tf_exchange_logon_names[TF_LOGON_COUNT + 1];
extern const char *const tf_exchange_iceberg_names[TF_ICEBERG_COUNT + 1];

typedef struct tf_cfg_exchange {
    char host[128];                      /* the venue's FIX gateway: a name or an IPv4 address, resolved
                                          * once at start (default 127.0.0.1) */
    uint32_t port;                       /* default 9878 */
    char sender_comp_id[32], target_comp_id[32];
    char username[64];                   /* Logon 553 ("" = none) */
    tf_cfg_secret password;              /* Logon 554, from a file or the environment */
    uint32_t logon;                      /* tf_exchange_logon: password (default) or ed25519 (Binance) */
    char key_file[TF_CFG_PATH_MAX];      /* ed25519: the PEM private key signing the Logon */
    uint32_t heartbeat_s;                /* HeartBtInt (default 30) */
    uint32_t sessions;                   /* the pool (default 1, at most 8) */
    uint32_t spread;                     /* tf_exchange_spread (default round_robin) */
    uint32_t replace;                    /* tf_exchange_replace: native G (default) or cancel_new (Binance XCN) */
    uint32_t iceberg;                    /* tf_exchange_iceberg: the venue takes icebergs (default none) */
    char store_dir[TF_CFG_PATH_MAX];     /* sequence numbers (default <run_dir>/fix) */
    bool reset_on_logon;                 /* ResetSeqNumFlag on every Logon (default false) */
    bool resend_orders;                  /* answer a ResendRequest with our orders (PossDup) or gap-fill (default true) */
    bool cancel_on_disconnect;           /* ask the venue to cancel our orders when a session drops (8013=Y;
                                          * default false; the profile must accept 8013) */
    uint32_t profile;                    /* tf_exchange_profile (default fix44) */
    /* Resend safety: a request the venue asks for again after this long is
     * gap-filled, not resent; reconciliation finds its fate. */
    uint64_t resend_order_max_age_ns;    /* new orders, replaces (default 1000 ms) */
    uint64_t resend_cancel_max_age_ns;   /* cancels, status requests (default 10000 ms) */
    /* The venue's session hours (like QuickFIX's StartTime/EndTime/TimeZone):
     * outside them the sessions log out and stay down; at each start both
     * sides' sequence numbers begin again at 1. start == end: one continuous
     * session a day, restarting then. All "" (the default): always on. */
    char schedule_start[16], schedule_end[16], schedule_zone[64];
    bool tls;                            /* FIX over TLS (OpenSSL over memory BIOs; default false) */
    bool tls_verify;                     /* check the venue's certificate (default true) */
    char tls_ca_file[TF_CFG_PATH_MAX];   /* "" = the system's CAs */
    char tls_server_name[64];            /* SNI and the name checked (default: host) */
    bool sqpoll;                         /* io_uring SQPOLL (a kernel thread polls; default false) */
    int32_t sqpoll_cpu;                  /* its CPU (-1: any) */
    uint64_t connect_timeout_ns, logon_timeout_ns, reconcile_timeout_ns;
    uint64_t reconnect_min_ns, reconnect_max_ns; /* backoff, doubling, +-25 % jitter */
    uint32_t messages_per_s;             /* per session, the venue's message limit (0 = none) */
    uint32_t message_burst;              /* bucket size (default messages_per_s) */
    char trace_file[TF_CFG_PATH_MAX];    /* every order command's timeline, written at stop ("" = none) */
} tf_cfg_exchange;

typedef struct tf_config {
    char source_file[TF_CFG_PATH_MAX];   /* the file this was loaded from */
    char instance[TF_CFG_NAME_MAX];      /* segment names: tradefan.<instance>.<segment> */
    char user[TF_CFG_NAME_MAX];          /* started as root, the engine becomes this user before it creates
                                          * anything, keeping CAP_SYS_NICE and CAP_IPC_LOCK ("" = stays as is) */

    /* shm: where segments live and who may read them */
    char shm_dir[TF_CFG_PATH_MAX];       /* default "/dev/shm" */
    uint32_t shm_mode;                   /* default 0640; YAML takes 0640 or "0640" as octal */
    tf_stale_policy on_stale;            /* default refuse */

    /* rings between stages */
    uint32_t ring_capacity;              /* records, power of two, 2..2^24; default 4096 */
    uint32_t request_ring_capacity;      /* MPSC request ring, power of two; default 1024 */

    /* the market-data journal */
    uint32_t md_journal_capacity;        /* records, power of two, 2^4..2^26; default 2^20 */
    char md_journal_file[TF_CFG_PATH_MAX]; /* "" = in shm_dir; else a file on local disk */

    uint64_t heartbeat_period_ns;        /* owner heartbeat; default 100 ms */
    bool lock_memory;                    /* mlockall at start (no page faults later); default false */
    bool prefault_memory;                /* touch every writable page before the threads start (default true) */

    tf_cfg_synthetic synthetic;

    uint32_t instrument_count;
    tf_cfg_instrument instruments[TF_CFG_MAX_INSTRUMENTS];
    tf_cfg_feed feed;
    tf_cfg_bars bars;
    tf_cfg_validation validation;
    tf_cfg_export export_;               /* YAML "export" */
    tf_cfg_orders orders;
    tf_cfg_risk risk;
    tf_cfg_exchange exchange;
    tf_cfg_watchdog watchdog;
    tf_cfg_backup backup;

    uint32_t thread_count;
    tf_cfg_thread threads[TF_CFG_MAX_THREADS];
} tf_config;

/* A secret's value: the environment variable if named, else the file's
 * first line (trailing newline dropped); "" when neither is set. Cold.
 * 0, or -1 with TF_ERR (variable unset, file unreadable or empty, a secret
 * of `cap` bytes or more, or a file that fails tf_config_private_file_check). */
int tf_config_secret_read(const tf_cfg_secret *sec, char *out, size_t cap);

/* A file holding a secret or a private key may be read: a regular file
 * owned by the effective user or root, with no permission for group or
 * others (mode & 077 == 0, as ssh asks of keys). 0, or -1 with TF_ERR
 * "<what> <path> ..." naming the path and, for a mode, the mode. */
int tf_config_private_file_check(const char *path, const char *what);

/* Stage names as a config file writes them, indexed by tf_stage_kind and
 * NULL-terminated; a thread naming any other stage fails. */
extern const char *const tf_config_known_stages[TF_STAGE_KIND_COUNT + 1];

/* Name of a stage kind ("synth_source", ...); "?" for anything else. */
const char *tf_stage_kind_name(tf_stage_kind kind);

/* Whether any thread of `c` runs a stage of this kind. */
bool tf_config_has_stage(const tf_config *c, tf_stage_kind kind);

/* Load and validate `path`. On failure returns -1 and writes a message
 * "<file>:<line>:<col>: <reason>" into err (NUL-terminated, truncated to
 * errlen). `ncpus` is the number of CPUs a thread may be pinned to (the
 * caller passes the host's; tests pass what they like). */
int tf_config_load(const char *path, int ncpus, tf_config *out,
                   char *err, size_t errlen);

/* The same from a string already in memory; `name` stands in for the file
 * name in messages. */
int tf_config_parse(const char *yaml, size_t len, const char *name, int ncpus,
                    tf_config *out, char *err, size_t errlen);

/* Name of an idle strategy as written in YAML ("busy-spin", ...). */
const char *tf_idle_kind_name(tf_idle_kind kind);

#endif

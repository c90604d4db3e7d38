/* The config schema: the names of every enumerated value, the defaults
 * (every default written in config.h, in one place) and one key table per
 * YAML mapping, each row saying key, type, range and where the value goes.
 * The walker that reads them is config_walk.c; checks that need code are in
 * config_checks.c.
 */
#include "lib/conf/config_internal.h"

#include "shm/orders.h"

const char *const tf_config_known_stages[TF_STAGE_KIND_COUNT + 1] = {
    [TF_STAGE_SYNTH_SOURCE] = "synth_source", [TF_STAGE_SYNTH_SINK] = "synth_sink",
    [TF_STAGE_FEED] = "feed", [TF_STAGE_STRATEGY] = "strategy", [TF_STAGE_ALGO] = "algo", [TF_STAGE_RISK] = "risk",
    [TF_STAGE_OMS] = "oms", [TF_STAGE_PAPER] = "paper", [TF_STAGE_EXIO] = "exio",
    [TF_STAGE_KIND_COUNT] = NULL};
_Static_assert(TF_STAGE_KIND_COUNT <= TF_CFG_MAX_STAGES, "known stages fit a thread");
_Static_assert(TF_STAGE_KIND_COUNT <= 32, "a stage's drain bit fits 32 bits");
_Static_assert(sizeof(tf_stage_kind) == 4, "stage kinds stored as 32 bits");
const char *const tf_exchange_spread_names[TF_SPREAD_COUNT + 1] = {"round_robin", "by_instrument", NULL};
const char *const tf_exchange_replace_names[TF_REPLACE_COUNT + 1] = {"native", "cancel_new", NULL};
const char *const tf_exchange_iceberg_names[TF_ICEBERG_COUNT + 1] = {"none", "max_floor", NULL};
const char *const tf_exchange_logon_names[TF_LOGON_COUNT + 1] = {"password", "ed25519", NULL};
const char *const tf_exchange_profile_names[TF_PROFILE_COUNT + 1] = {"fix44", "coinbase", "binance", "tfsim", NULL};

const char *const tf_feed_stream_names[TF_STREAM_COUNT + 1] = {
    "trade", "aggTrade", "bookTicker", "depth@100ms", "depth", "kline_1m", NULL};
static const char *const tf__cfg_empty_names[] = {"skip", "flat", NULL};
static const char *const tf__cfg_feed_transport_names[] = {"uring", "lws", NULL};
static const char *const tf__cfg_algo_restart_names[] = {"stop", "resume", NULL};
static const char *const tf__cfg_algo_iceberg_names[] = {"engine", "native", NULL};
const char *const tf_influx_precision_names[TF_INFLUX_PRECISION_COUNT + 1] = {
    [TF_INFLUX_NS] = "ns", [TF_INFLUX_US] = "u", [TF_INFLUX_MS] = "ms", [TF_INFLUX_S] = "s"};

static const char *const tf__cfg_idle_names[TF_IDLE_KIND_COUNT + 1] = {
    [TF_IDLE_BUSY_SPIN] = "busy-spin", [TF_IDLE_YIELD] = "yield", [TF_IDLE_BACKOFF] = "backoff",
    [TF_IDLE_SPIN] = "spin",
};
static const char *const tf__cfg_stale_names[TF_STALE_POLICY_COUNT + 1] = {
    [TF_STALE_REFUSE] = "refuse", [TF_STALE_REPLACE] = "replace",
};
_Static_assert(sizeof(tf_idle_kind) == 4 && sizeof(tf_stale_policy) == 4, "enums stored as 32 bits");

const char *tf_idle_kind_name(tf_idle_kind kind)
{
    return (unsigned)kind < TF_IDLE_KIND_COUNT ? tf__cfg_idle_names[kind] : "?";
}

const char *tf_stage_kind_name(tf_stage_kind kind)
{
    return (unsigned)kind < TF_STAGE_KIND_COUNT ? tf_config_known_stages[kind] : "?";
}

bool tf_config_has_stage(const tf_config *c, tf_stage_kind kind)
{
    for (uint32_t t = 0; t < c->thread_count; t++)
        for (uint32_t k = 0; k < c->threads[t].stage_count; k++)
            if (c->threads[t].stages[k] == kind)
                return true;
    return false;
}

/* Every default written in config.h, in one place. */
const tf_config tf__cfg_default_config = {
    .shm_dir = "/dev/shm", .shm_mode = 0640, .on_stale = TF_STALE_REFUSE,
    .ring_capacity = 4096, .request_ring_capacity = 1024,
    .md_journal_capacity = 1u << 20, .md_journal_file = "",
    .heartbeat_period_ns = 100ull * 1000000, .lock_memory = false, .prefault_memory = true,
    .synthetic = {.rate_per_s = 100000, .burst = 64},
    .feed = {.url = "ws://127.0.0.1:9443", .rest_url = "http://127.0.0.1:9443",
             .streams = (1u << TF_STREAM_TRADE) | (1u << TF_STREAM_AGG_TRADE) |
                        (1u << TF_STREAM_BOOK_TICKER) | (1u << TF_STREAM_DEPTH_100MS) |
                        (1u << TF_STREAM_KLINE_1M),
             .snapshot_depth = 1000, .book_levels = 5000, .idle_timeout_ns = 10000000000ull,
             .ping_interval_ns = 5000000000ull, .reconnect_min_ns = 100000000ull,
             .reconnect_max_ns = 30000000000ull, .rotate_after_ns = 23ull * 3600 * 1000000000ull,
             .max_frame_bytes = 1u << 20, .tls_verify = true},
    .bars = {.grace_ns = 2000000000ull, .empty_policy = 0, .revision_window = 10},
    .validation = {.max_deviation_bps = 1000},
    .watchdog = {.stall_ns = 250000000ull, .poll_ns = 50000000ull, .kill_switch = false},
    .backup = {.dir = "", .every_ns = 0, .keep = 24},
    .export_ = {
        .cpu = -1,
        .stall_ns = 500000000ull,
        .influx = {.enabled = true, .local = true, .url = "http://127.0.0.1:8086",
                   .database = "tradefan", .precision = TF_INFLUX_NS, .batch_points = 5000,
                   .connections = 2,
                   .batch_ns = 200000000ull, .timeout_ns = 5000000000ull,
                   .retry_min_ns = 100000000ull, .retry_max_ns = 10000000000ull,
                   .create_database = true, .gzip = true, .trades = true,
                   .top_sample_ns = 1000000000ull, .raw_days = 30, .api = 1},
        .redis = {.enabled = true, .local = true, .host = "127.0.0.1", .port = 6379,
                  .pipeline = 256, .trades_maxlen = 10000, .bars_keep = 1440,
                  .timeout_ns = 2000000000ull, .retry_min_ns = 100000000ull,
                  .retry_max_ns = 10000000000ull},
        .query = {.enabled = true, .bind = "127.0.0.1", .port = 8080, .cache_bytes = 64u << 20,
                  .max_limit = 10000, .hot_bars = 1440, .hot_trades = 1000, .hot_order_events = 16384,
                  .timeout_ns = 2000000000ull, .threads = 1},
        .prom = {.enabled = true, .bind = "127.0.0.1", .port = 9464},
        .console = {.enabled = false, .bind = "127.0.0.1", .port = 8090, .rate_hz = 20, .history_bars = 600},
    },
};
const tf_cfg_orders tf__cfg_default_orders = {
    .capacity = 16384, .journal_capacity = 1u << 20, .maker_fee_bps_text = "10",
    .taker_fee_bps_text = "10", .plugin_strategy = 1, .algo_capacity = 64,
    .algo_report_ns = 100000000ull};
const tf_cfg_risk tf__cfg_default_risk = {
    .state = TF_TS_ACTIVE, .reference_max_age_ns = 10000000000ull, .stage_silence_ns = 1000000000ull,
    .duplicate_count = 5,
    .duplicate_window_ns = 1000000000ull};
const tf_cfg_exchange tf__cfg_default_exchange = {
    .host = "127.0.0.1", .port = 9878, .sender_comp_id = "TRADEFAN", .target_comp_id = "TFSIM",
    .heartbeat_s = 30, .sessions = 1, .resend_orders = true, .tls_verify = true, .sqpoll_cpu = -1,
    .connect_timeout_ns = 2000000000ull, .logon_timeout_ns = 5000000000ull,
    .reconcile_timeout_ns = 5000000000ull, .reconnect_min_ns = 100000000ull,
    .reconnect_max_ns = 30000000000ull, .resend_order_max_age_ns = 1000000000ull,
    .resend_cancel_max_age_ns = 10000000000ull};
const tf_cfg_risk_instrument tf__cfg_default_risk_instrument = {.collar_bps = 500, .tradable = true};
const tf_cfg_instrument tf__cfg_default_instrument = {.venue = "binance"};
const tf_cfg_thread tf__cfg_default_thread = {
    .cpu = -1, .rt_priority = 0,
    .idle = {.kind = TF_IDLE_BACKOFF, .spins = 100, .yields = 10, .park_min_ns = 1000,
             .park_max_ns = 1000000},
};

/* ---- the key tables ------------------------------------------------------ */

#define AT(type, member) .off = offsetof(type, member), .size = sizeof(((type *)0)->member)
#define ROW(k, t, ...) {.key = (k), .type = (t), __VA_ARGS__}
#define END {.key = NULL}

static const tf__cfg_key tf__cfg_shm_keys[] = {
    ROW("dir", TF__T_PATH, AT(tf_config, shm_dir), .min = 1),
    ROW("mode", TF__T_MODE, AT(tf_config, shm_mode)),
    ROW("on_stale", TF__T_ENUM, AT(tf_config, on_stale), .sub = tf__cfg_stale_names, .what = "on_stale policy"),
    END};
static const tf__cfg_key tf__cfg_ring_keys[] = {
    ROW("capacity", TF__T_POW2, AT(tf_config, ring_capacity), .min = 2, .max = 1 << 24),
    ROW("request_capacity", TF__T_POW2, AT(tf_config, request_ring_capacity), .min = 2, .max = 1 << 20),
    END};
static const tf__cfg_key tf__cfg_md_keys[] = {
    ROW("capacity", TF__T_POW2, AT(tf_config, md_journal_capacity), .min = 1 << 4, .max = 1 << 26),
    ROW("file", TF__T_PATH, AT(tf_config, md_journal_file)),
    END};
static const tf__cfg_key tf__cfg_journal_keys[] = {ROW("md", TF__T_MAP, .sub = tf__cfg_md_keys), END};
static const tf__cfg_key tf__cfg_synth_keys[] = {
    ROW("rate_per_s", TF__T_INT, AT(tf_cfg_synthetic, rate_per_s), .max = 1000000000),
    ROW("burst", TF__T_INT, AT(tf_cfg_synthetic, burst), .min = 1, .max = 256),
    END};
const tf__cfg_key tf__cfg_idle_keys[] = {
    ROW("strategy", TF__T_ENUM, AT(tf_cfg_idle, kind), .required = true, .sub = tf__cfg_idle_names,
        .what = "idle strategy"),
    ROW("spins", TF__T_INT, AT(tf_cfg_idle, spins), .max = 1000000000),
    ROW("yields", TF__T_INT, AT(tf_cfg_idle, yields), .max = 1000000000),
    ROW("park_min_ns", TF__T_INT, AT(tf_cfg_idle, park_min_ns), .min = 1, .max = 1000000000),
    ROW("park_max_ns", TF__T_INT, AT(tf_cfg_idle, park_max_ns), .min = 1, .max = 1000000000),
    END};
const tf__cfg_key tf__cfg_thread_keys[] = {
    ROW("name", TF__T_NAME, AT(tf_cfg_thread, name), .required = true, .what = "thread name"),
    ROW("cpu", TF__T_CPU, AT(tf_cfg_thread, cpu)),
    ROW("rt_priority", TF__T_INT, AT(tf_cfg_thread, rt_priority), .max = 99),
    ROW("idle", TF__T_IDLE, AT(tf_cfg_thread, idle)),
    ROW("stages", TF__T_STAGES, .required = true),
    END};
const tf__cfg_key tf__cfg_instrument_keys[] = {
    ROW("symbol", TF__T_SYMBOL, AT(tf_cfg_instrument, symbol), .required = true),
    ROW("venue", TF__T_SYMBOL, AT(tf_cfg_instrument, venue)),
    ROW("price_precision", TF__T_INT, AT(tf_cfg_instrument, price_precision), .required = true, .max = 12),
    ROW("qty_precision", TF__T_INT, AT(tf_cfg_instrument, qty_precision), .required = true, .max = 12),
    ROW("tick_size", TF__T_DECIMAL, AT(tf_cfg_instrument, tick_size_text), .required = true),
    ROW("lot_size", TF__T_DECIMAL, AT(tf_cfg_instrument, lot_size_text), .required = true),
    ROW("min_notional", TF__T_DECIMAL, AT(tf_cfg_instrument, min_notional_text)),
    ROW("max_price", TF__T_DECIMAL, AT(tf_cfg_instrument, max_price_text)),
    END};
static const tf__cfg_key tf__cfg_feed_keys[] = {
    ROW("url", TF__T_PATH, AT(tf_cfg_feed, url), .min = 1),
    ROW("rest_url", TF__T_PATH, AT(tf_cfg_feed, rest_url), .min = 1),
    ROW("streams", TF__T_STREAMS, AT(tf_cfg_feed, streams)),
    ROW("snapshot_depth", TF__T_INT, AT(tf_cfg_feed, snapshot_depth), .min = 1, .max = 5000),
    ROW("book_levels", TF__T_INT, AT(tf_cfg_feed, book_levels), .min = 16, .max = 100000),
    ROW("idle_timeout_ms", TF__T_MS, AT(tf_cfg_feed, idle_timeout_ns), .min = 100, .max = 3600000),
    ROW("ping_interval_ms", TF__T_MS, AT(tf_cfg_feed, ping_interval_ns), .min = 1000, .max = 600000),
    ROW("reconnect_min_ms", TF__T_MS, AT(tf_cfg_feed, reconnect_min_ns), .min = 1, .max = 600000),
    ROW("reconnect_max_ms", TF__T_MS, AT(tf_cfg_feed, reconnect_max_ns), .min = 1, .max = 3600000),
    ROW("rotate_after_s", TF__T_MS, AT(tf_cfg_feed, rotate_after_ns), .min = 10, .max = 86400,
        .what = "s"),
    ROW("max_frame_bytes", TF__T_INT, AT(tf_cfg_feed, max_frame_bytes), .min = 4096, .max = 64 << 20),
    ROW("tls_verify", TF__T_BOOL, AT(tf_cfg_feed, tls_verify)),
    ROW("ca_file", TF__T_PATH, AT(tf_cfg_feed, ca_file)),
    ROW("service_every_cycle", TF__T_BOOL, AT(tf_cfg_feed, service_every_cycle)),
    ROW("rx_timestamps", TF__T_BOOL, AT(tf_cfg_feed, rx_timestamps)),
    ROW("transport", TF__T_ENUM, AT(tf_cfg_feed, transport), .sub = tf__cfg_feed_transport_names,
        .what = "feed transport"),
    END};
static const tf__cfg_key tf__cfg_bars_keys[] = {
    ROW("grace_ms", TF__T_MS, AT(tf_cfg_bars, grace_ns), .max = 59000),
    ROW("empty", TF__T_ENUM, AT(tf_cfg_bars, empty_policy), .sub = tf__cfg_empty_names,
        .what = "empty-interval policy"),
    ROW("revision_window", TF__T_INT, AT(tf_cfg_bars, revision_window), .min = 1, .max = 64),
    END};
static const tf__cfg_key tf__cfg_validation_keys[] = {
    ROW("max_deviation_bps", TF__T_INT, AT(tf_cfg_validation, max_deviation_bps), .max = 100000),
    END};
static const tf__cfg_key tf__cfg_secret_keys[] = {
    ROW("file", TF__T_PATH, AT(tf_cfg_secret, file)),
    ROW("env", TF__T_PATH, AT(tf_cfg_secret, env)),
    END};
static const tf__cfg_key tf__cfg_influx_keys[] = {
    ROW("enabled", TF__T_BOOL, AT(tf_cfg_influx, enabled)),
    ROW("local", TF__T_BOOL, AT(tf_cfg_influx, local)),
    ROW("url", TF__T_PATH, AT(tf_cfg_influx, url), .min = 1),
    ROW("database", TF__T_PATH, AT(tf_cfg_influx, database), .min = 1),
    ROW("retention_policy", TF__T_PATH, AT(tf_cfg_influx, retention_policy)),
    ROW("username", TF__T_PATH, AT(tf_cfg_influx, username)),
    ROW("password", TF__T_MAP, AT(tf_cfg_influx, password), .sub = tf__cfg_secret_keys),
    ROW("precision", TF__T_ENUM, AT(tf_cfg_influx, precision), .sub = tf_influx_precision_names,
        .what = "precision"),
    ROW("batch_points", TF__T_INT, AT(tf_cfg_influx, batch_points), .min = 1, .max = 1000000),
    ROW("batch_ms", TF__T_MS, AT(tf_cfg_influx, batch_ns), .min = 1, .max = 600000),
    ROW("connections", TF__T_INT, AT(tf_cfg_influx, connections), .min = 1, .max = 8),
    ROW("timeout_ms", TF__T_MS, AT(tf_cfg_influx, timeout_ns), .min = 10, .max = 600000),
    ROW("retry_min_ms", TF__T_MS, AT(tf_cfg_influx, retry_min_ns), .min = 1, .max = 600000),
    ROW("retry_max_ms", TF__T_MS, AT(tf_cfg_influx, retry_max_ns), .min = 1, .max = 3600000),
    ROW("create_database", TF__T_BOOL, AT(tf_cfg_influx, create_database)),
    ROW("gzip", TF__T_BOOL, AT(tf_cfg_influx, gzip)),
    ROW("trades", TF__T_BOOL, AT(tf_cfg_influx, trades)),
    ROW("top_sample_ms", TF__T_MS, AT(tf_cfg_influx, top_sample_ns), .max = 3600000),
    ROW("api", TF__T_INT, AT(tf_cfg_influx, api), .min = 1, .max = 2),
    ROW("org", TF__T_PATH, AT(tf_cfg_influx, org)),
    ROW("bucket", TF__T_PATH, AT(tf_cfg_influx, bucket)),
    ROW("token", TF__T_MAP, AT(tf_cfg_influx, token), .sub = tf__cfg_secret_keys),
    ROW("downsample", TF__T_BOOL, AT(tf_cfg_influx, downsample)),
    ROW("raw_days", TF__T_INT, AT(tf_cfg_influx, raw_days), .min = 1, .max = 36500),
    ROW("bars_days", TF__T_INT, AT(tf_cfg_influx, bars_days), .max = 36500),
    END};
static const char *const tf__cfg_persistence_names[] = {"none", "aof", NULL};
static const tf__cfg_key tf__cfg_redis_keys[] = {
    ROW("enabled", TF__T_BOOL, AT(tf_cfg_redis, enabled)),
    ROW("local", TF__T_BOOL, AT(tf_cfg_redis, local)),
    ROW("host", TF__T_PATH, AT(tf_cfg_redis, host), .min = 1),
    ROW("port", TF__T_INT, AT(tf_cfg_redis, port), .min = 1, .max = 65535),
    ROW("db", TF__T_INT, AT(tf_cfg_redis, db), .max = 15),
    ROW("username", TF__T_PATH, AT(tf_cfg_redis, username)),
    ROW("password", TF__T_MAP, AT(tf_cfg_redis, password), .sub = tf__cfg_secret_keys),
    ROW("pipeline", TF__T_INT, AT(tf_cfg_redis, pipeline), .min = 1, .max = 65536),
    ROW("trades_maxlen", TF__T_INT, AT(tf_cfg_redis, trades_maxlen), .min = 1, .max = 100000000),
    ROW("bars_keep", TF__T_INT, AT(tf_cfg_redis, bars_keep), .min = 1, .max = 10000000),
    ROW("timeout_ms", TF__T_MS, AT(tf_cfg_redis, timeout_ns), .min = 10, .max = 600000),
    ROW("retry_min_ms", TF__T_MS, AT(tf_cfg_redis, retry_min_ns), .min = 1, .max = 600000),
    ROW("retry_max_ms", TF__T_MS, AT(tf_cfg_redis, retry_max_ns), .min = 1, .max = 3600000),
    ROW("persistence", TF__T_ENUM, AT(tf_cfg_redis, persistence), .sub = tf__cfg_persistence_names,
        .what = "persistence"),
    ROW("cluster", TF__T_BOOL, AT(tf_cfg_redis, cluster)),
    END};
static const tf__cfg_key tf__cfg_query_keys[] = {
    ROW("enabled", TF__T_BOOL, AT(tf_cfg_query, enabled)),
    ROW("bind", TF__T_PATH, AT(tf_cfg_query, bind), .min = 1),
    ROW("port", TF__T_INT, AT(tf_cfg_query, port), .max = 65535),
    ROW("token", TF__T_MAP, AT(tf_cfg_query, token), .sub = tf__cfg_secret_keys),
    ROW("cache_bytes", TF__T_INT, AT(tf_cfg_query, cache_bytes), .min = 0, .max = 1ll << 40),
    ROW("max_limit", TF__T_INT, AT(tf_cfg_query, max_limit), .min = 1, .max = 1000000),
    ROW("hot_bars", TF__T_INT, AT(tf_cfg_query, hot_bars), .min = 1, .max = 1000000),
    ROW("hot_trades", TF__T_INT, AT(tf_cfg_query, hot_trades), .min = 1, .max = 1000000),
    ROW("hot_order_events", TF__T_INT, AT(tf_cfg_query, hot_order_events), .min = 1, .max = 10000000),
    ROW("timeout_ms", TF__T_MS, AT(tf_cfg_query, timeout_ns), .min = 10, .max = 600000),
    ROW("threads", TF__T_INT, AT(tf_cfg_query, threads), .min = 1, .max = 16),
    END};
static const tf__cfg_key tf__cfg_prom_keys[] = {
    ROW("enabled", TF__T_BOOL, AT(tf_cfg_prom, enabled)),
    ROW("bind", TF__T_PATH, AT(tf_cfg_prom, bind), .min = 1),
    ROW("port", TF__T_INT, AT(tf_cfg_prom, port), .max = 65535),
    END};
static const tf__cfg_key tf__cfg_console_keys[] = {
    ROW("enabled", TF__T_BOOL, AT(tf_cfg_console, enabled)),
    ROW("bind", TF__T_PATH, AT(tf_cfg_console, bind), .min = 1),
    ROW("port", TF__T_INT, AT(tf_cfg_console, port), .max = 65535),
    ROW("token", TF__T_MAP, AT(tf_cfg_console, token), .sub = tf__cfg_secret_keys),
    ROW("operator_token", TF__T_MAP, AT(tf_cfg_console, operator_token), .sub = tf__cfg_secret_keys),
    ROW("web_dir", TF__T_PATH, AT(tf_cfg_console, web_dir)),
    ROW("rate_hz", TF__T_INT, AT(tf_cfg_console, rate_hz), .min = 1, .max = 100),
    ROW("history_bars", TF__T_INT, AT(tf_cfg_console, history_bars), .min = 1, .max = 10000),
    END};
static const tf__cfg_key tf__cfg_export_keys[] = {
    ROW("run_dir", TF__T_PATH, AT(tf_cfg_export, run_dir), .min = 1),
    ROW("cpu", TF__T_CPU, AT(tf_cfg_export, cpu)),
    ROW("stall_ms", TF__T_MS, AT(tf_cfg_export, stall_ns), .min = 10, .max = 600000),
    ROW("influx", TF__T_MAP, AT(tf_cfg_export, influx), .sub = tf__cfg_influx_keys),
    ROW("redis", TF__T_MAP, AT(tf_cfg_export, redis), .sub = tf__cfg_redis_keys),
    ROW("query", TF__T_MAP, AT(tf_cfg_export, query), .sub = tf__cfg_query_keys),
    ROW("prom", TF__T_MAP, AT(tf_cfg_export, prom), .sub = tf__cfg_prom_keys),
    ROW("console", TF__T_MAP, AT(tf_cfg_export, console), .sub = tf__cfg_console_keys),
    END};
static const tf__cfg_key tf__cfg_watchdog_keys[] = {
    ROW("stall_ms", TF__T_MS, AT(tf_cfg_watchdog, stall_ns), .min = 10, .max = 600000),
    ROW("poll_ms", TF__T_MS, AT(tf_cfg_watchdog, poll_ns), .min = 1, .max = 10000),
    ROW("kill_switch", TF__T_BOOL, AT(tf_cfg_watchdog, kill_switch)),
    END};
static const tf__cfg_key tf__cfg_backup_keys[] = {
    ROW("dir", TF__T_PATH, AT(tf_cfg_backup, dir)),
    ROW("every_s", TF__T_MS, AT(tf_cfg_backup, every_ns), .max = 30 * 24 * 3600, .what = "s"),
    ROW("keep", TF__T_INT, AT(tf_cfg_backup, keep), .min = 1, .max = 100000),
    END};
static const char *const tf__cfg_trading_state_names[] = {"active", "reducing", "halted", NULL};
static const tf__cfg_key tf__cfg_orders_keys[] = {
    ROW("capacity", TF__T_POW2, AT(tf_cfg_orders, capacity), .min = 16, .max = 1 << 22),
    ROW("journal_capacity", TF__T_POW2, AT(tf_cfg_orders, journal_capacity), .min = 16, .max = 1 << 26),
    ROW("journal_file", TF__T_PATH, AT(tf_cfg_orders, journal_file)),
    ROW("id_file", TF__T_PATH, AT(tf_cfg_orders, id_file)),
    ROW("maker_fee_bps", TF__T_DECIMAL, AT(tf_cfg_orders, maker_fee_bps_text)),
    ROW("taker_fee_bps", TF__T_DECIMAL, AT(tf_cfg_orders, taker_fee_bps_text)),
    ROW("plugin", TF__T_PATH, AT(tf_cfg_orders, plugin)),
    ROW("plugin_params", TF__T_PATH, AT(tf_cfg_orders, plugin_params)),
    ROW("plugin_strategy", TF__T_INT, AT(tf_cfg_orders, plugin_strategy), .min = 1,
        .max = TF_MAX_STRATEGIES - 1),
    ROW("algo_capacity", TF__T_INT, AT(tf_cfg_orders, algo_capacity), .min = 1, .max = 64),
    ROW("algo_report_ms", TF__T_MS, AT(tf_cfg_orders, algo_report_ns), .min = 1, .max = 60000),
    ROW("algo_store", TF__T_PATH, AT(tf_cfg_orders, algo_store)),
    ROW("algo_vwap_profile", TF__T_PATH, AT(tf_cfg_orders, algo_vwap_profile)),
    ROW("algo_on_restart", TF__T_ENUM, AT(tf_cfg_orders, algo_on_restart), .sub = tf__cfg_algo_restart_names,
        .what = "restart policy"),
    ROW("algo_iceberg", TF__T_ENUM, AT(tf_cfg_orders, algo_iceberg), .sub = tf__cfg_algo_iceberg_names,
        .what = "iceberg kind"),
    END};
const tf__cfg_key tf__cfg_risk_instrument_keys[] = {
    ROW("symbol", TF__T_SYMBOL, AT(tf_cfg_risk_instrument, symbol), .required = true),
    ROW("collar_bps", TF__T_INT, AT(tf_cfg_risk_instrument, collar_bps), .max = 10000),
    ROW("tradable", TF__T_BOOL, AT(tf_cfg_risk_instrument, tradable)),
    ROW("min_qty", TF__T_DECIMAL, AT(tf_cfg_risk_instrument, min_qty_text)),
    ROW("max_order_qty", TF__T_DECIMAL, AT(tf_cfg_risk_instrument, max_order_qty_text)),
    ROW("max_order_notional", TF__T_DECIMAL, AT(tf_cfg_risk_instrument, max_order_notional_text)),
    ROW("max_position", TF__T_DECIMAL, AT(tf_cfg_risk_instrument, max_position_text)),
    END};
const tf__cfg_key tf__cfg_strategy_keys[] = {
    ROW("id", TF__T_INT, AT(tf_cfg_strategy, id), .required = true, .min = 1, .max = TF_MAX_STRATEGIES - 1),
    ROW("name", TF__T_NAME, AT(tf_cfg_strategy, name), .required = true, .what = "strategy name"),
    ROW("max_open_orders", TF__T_INT, AT(tf_cfg_strategy, max_open_orders), .max = 1 << 22),
    ROW("orders_per_s", TF__T_INT, AT(tf_cfg_strategy, orders_per_s), .max = 10000000),
    ROW("cancels_per_s", TF__T_INT, AT(tf_cfg_strategy, cancels_per_s), .max = 10000000),
    ROW("replaces_per_s", TF__T_INT, AT(tf_cfg_strategy, replaces_per_s), .max = 10000000),
    ROW("max_order_notional", TF__T_DECIMAL, AT(tf_cfg_strategy, max_order_notional_text)),
    ROW("max_position_notional", TF__T_DECIMAL, AT(tf_cfg_strategy, max_position_notional_text)),
    ROW("daily_loss_limit", TF__T_DECIMAL, AT(tf_cfg_strategy, daily_loss_limit_text)),
    ROW("user", TF__T_NAME, AT(tf_cfg_strategy, user), .what = "user name"),
    ROW("group", TF__T_NAME, AT(tf_cfg_strategy, group), .what = "group name"),
    END};
static const tf__cfg_key tf__cfg_risk_keys[] = {
    ROW("state", TF__T_ENUM, AT(tf_cfg_risk, state), .sub = tf__cfg_trading_state_names, .what = "trading state"),
    ROW("flatten_on_kill", TF__T_BOOL, AT(tf_cfg_risk, flatten_on_kill)),
    ROW("kill_on_out_of_band_fill", TF__T_BOOL, AT(tf_cfg_risk, kill_on_out_of_band_fill)),
    ROW("operator_user", TF__T_NAME, AT(tf_cfg_risk, operator_user), .what = "user name"),
    ROW("operator_group", TF__T_NAME, AT(tf_cfg_risk, operator_group), .what = "group name"),
    ROW("reference_max_age_ms", TF__T_MS, AT(tf_cfg_risk, reference_max_age_ns), .min = 1, .max = 3600000),
    ROW("stage_silence_ms", TF__T_MS, AT(tf_cfg_risk, stage_silence_ns), .max = 3600000),
    ROW("max_concentration_pct", TF__T_INT, AT(tf_cfg_risk, max_concentration_pct), .max = 100),
    ROW("max_open_orders", TF__T_INT, AT(tf_cfg_risk, max_open_orders), .max = 1 << 22),
    ROW("orders_per_s", TF__T_INT, AT(tf_cfg_risk, orders_per_s), .max = 10000000),
    ROW("cancels_per_s", TF__T_INT, AT(tf_cfg_risk, cancels_per_s), .max = 10000000),
    ROW("replaces_per_s", TF__T_INT, AT(tf_cfg_risk, replaces_per_s), .max = 10000000),
    ROW("duplicate_count", TF__T_INT, AT(tf_cfg_risk, duplicate_count), .max = 1000000),
    ROW("duplicate_window_ms", TF__T_MS, AT(tf_cfg_risk, duplicate_window_ns), .min = 1, .max = 3600000),
    ROW("max_gross_exposure", TF__T_DECIMAL, AT(tf_cfg_risk, max_gross_exposure_text)),
    ROW("daily_loss_limit", TF__T_DECIMAL, AT(tf_cfg_risk, daily_loss_limit_text)),
    ROW("instruments", TF__T_RISK_INSTRUMENTS),
    ROW("strategies", TF__T_STRATEGIES),
    END};
static const tf__cfg_key tf__cfg_schedule_keys[] = {
    ROW("start", TF__T_PATH, AT(tf_cfg_exchange, schedule_start), .required = true),
    ROW("end", TF__T_PATH, AT(tf_cfg_exchange, schedule_end), .required = true),
    ROW("time_zone", TF__T_PATH, AT(tf_cfg_exchange, schedule_zone)),
    END};
static const tf__cfg_key tf__cfg_exchange_keys[] = {
    ROW("host", TF__T_PATH, AT(tf_cfg_exchange, host), .min = 1),
    ROW("port", TF__T_INT, AT(tf_cfg_exchange, port), .min = 1, .max = 65535),
    ROW("sender_comp_id", TF__T_PATH, AT(tf_cfg_exchange, sender_comp_id), .min = 1),
    ROW("target_comp_id", TF__T_PATH, AT(tf_cfg_exchange, target_comp_id), .min = 1),
    ROW("username", TF__T_PATH, AT(tf_cfg_exchange, username)),
    ROW("password", TF__T_MAP, AT(tf_cfg_exchange, password), .sub = tf__cfg_secret_keys),
    ROW("logon", TF__T_ENUM, AT(tf_cfg_exchange, logon), .sub = tf_exchange_logon_names, .what = "logon"),
    ROW("key_file", TF__T_PATH, AT(tf_cfg_exchange, key_file)),
    ROW("heartbeat_s", TF__T_INT, AT(tf_cfg_exchange, heartbeat_s), .min = 1, .max = 3600),
    ROW("sessions", TF__T_INT, AT(tf_cfg_exchange, sessions), .min = 1, .max = 8),
    ROW("spread", TF__T_ENUM, AT(tf_cfg_exchange, spread), .sub = tf_exchange_spread_names, .what = "spread"),
    ROW("replace", TF__T_ENUM, AT(tf_cfg_exchange, replace), .sub = tf_exchange_replace_names, .what = "replace"),
    ROW("iceberg", TF__T_ENUM, AT(tf_cfg_exchange, iceberg), .sub = tf_exchange_iceberg_names, .what = "iceberg"),
    ROW("store_dir", TF__T_PATH, AT(tf_cfg_exchange, store_dir)),
    ROW("reset_on_logon", TF__T_BOOL, AT(tf_cfg_exchange, reset_on_logon)),
    ROW("resend_orders", TF__T_BOOL, AT(tf_cfg_exchange, resend_orders)),
    ROW("cancel_on_disconnect", TF__T_BOOL, AT(tf_cfg_exchange, cancel_on_disconnect)),
    ROW("profile", TF__T_ENUM, AT(tf_cfg_exchange, profile), .sub = tf_exchange_profile_names, .what = "venue profile"),
    ROW("resend_order_max_age_ms", TF__T_MS, AT(tf_cfg_exchange, resend_order_max_age_ns), .max = 3600000),
    ROW("resend_cancel_max_age_ms", TF__T_MS, AT(tf_cfg_exchange, resend_cancel_max_age_ns), .max = 3600000),
    ROW("schedule", TF__T_MAP, .sub = tf__cfg_schedule_keys),
    ROW("tls", TF__T_BOOL, AT(tf_cfg_exchange, tls)),
    ROW("tls_verify", TF__T_BOOL, AT(tf_cfg_exchange, tls_verify)),
    ROW("tls_ca_file", TF__T_PATH, AT(tf_cfg_exchange, tls_ca_file)),
    ROW("tls_server_name", TF__T_PATH, AT(tf_cfg_exchange, tls_server_name)),
    ROW("sqpoll", TF__T_BOOL, AT(tf_cfg_exchange, sqpoll)),
    ROW("sqpoll_cpu", TF__T_CPU, AT(tf_cfg_exchange, sqpoll_cpu)),
    ROW("connect_timeout_ms", TF__T_MS, AT(tf_cfg_exchange, connect_timeout_ns), .min = 10, .max = 600000),
    ROW("logon_timeout_ms", TF__T_MS, AT(tf_cfg_exchange, logon_timeout_ns), .min = 10, .max = 600000),
    ROW("reconcile_timeout_ms", TF__T_MS, AT(tf_cfg_exchange, reconcile_timeout_ns), .min = 10, .max = 600000),
    ROW("reconnect_min_ms", TF__T_MS, AT(tf_cfg_exchange, reconnect_min_ns), .min = 1, .max = 600000),
    ROW("reconnect_max_ms", TF__T_MS, AT(tf_cfg_exchange, reconnect_max_ns), .min = 1, .max = 3600000),
    ROW("messages_per_s", TF__T_INT, AT(tf_cfg_exchange, messages_per_s), .max = 1000000),
    ROW("message_burst", TF__T_INT, AT(tf_cfg_exchange, message_burst), .max = 1000000),
    ROW("trace_file", TF__T_PATH, AT(tf_cfg_exchange, trace_file)),
    END};
const tf__cfg_key tf__cfg_root_keys[] = {
    ROW("instance", TF__T_NAME, AT(tf_config, instance), .required = true, .what = "instance"),
    ROW("user", TF__T_NAME, AT(tf_config, user), .what = "user name"),
    ROW("shm", TF__T_MAP, .sub = tf__cfg_shm_keys),
    ROW("rings", TF__T_MAP, .sub = tf__cfg_ring_keys),
    ROW("journal", TF__T_MAP, .sub = tf__cfg_journal_keys),
    ROW("heartbeat_period_ms", TF__T_MS, AT(tf_config, heartbeat_period_ns), .min = 1, .max = 10000),
    ROW("lock_memory", TF__T_BOOL, AT(tf_config, lock_memory)),
    ROW("prefault_memory", TF__T_BOOL, AT(tf_config, prefault_memory)),
    ROW("synthetic", TF__T_MAP, AT(tf_config, synthetic), .sub = tf__cfg_synth_keys),
    ROW("instruments", TF__T_INSTRUMENTS),
    ROW("feed", TF__T_MAP, AT(tf_config, feed), .sub = tf__cfg_feed_keys),
    ROW("bars", TF__T_MAP, AT(tf_config, bars), .sub = tf__cfg_bars_keys),
    ROW("validation", TF__T_MAP, AT(tf_config, validation), .sub = tf__cfg_validation_keys),
    ROW("export", TF__T_MAP, AT(tf_config, export_), .sub = tf__cfg_export_keys),
    ROW("orders", TF__T_MAP, AT(tf_config, orders), .sub = tf__cfg_orders_keys),
    ROW("risk", TF__T_MAP, AT(tf_config, risk), .sub = tf__cfg_risk_keys),
    ROW("exchange", TF__T_MAP, AT(tf_config, exchange), .sub = tf__cfg_exchange_keys),
    ROW("watchdog", TF__T_MAP, AT(tf_config, watchdog), .sub = tf__cfg_watchdog_keys),
    ROW("backup", TF__T_MAP, AT(tf_config, backup), .sub = tf__cfg_backup_keys),
    ROW("threads", TF__T_THREADS, .required = true),
    END};


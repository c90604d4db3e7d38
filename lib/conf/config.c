/* Configuration loading: YAML → validated tf_config.
 *
 * DESIGN: libyaml's document API (yaml_parser_load) keeps the line and
 * column of every node, so the whole schema is a few static tables, one per
 * YAML mapping, each row saying key, type, range and where the value goes
 * (offset and size in the struct the mapping fills). One walker checks a
 * mapping for non-name, unknown and duplicate keys, then reads the rows in
 * table order; every failure is "<file>:<line>:<col>: <reason>" at the
 * offending node. libcyaml 1.3 (Debian 12) would map the structs for us but
 * reports errors without positions, which an operator editing a production
 * file needs. The walk is as deep as the tables, never as deep as the input,
 * so aliases (even cyclic ones) and odd shapes cannot recurse or crash.
 * Defaults come from one const tf_config; nothing here is mutable global
 * state. Cold path: runs once at start.
 */
#include "lib/conf/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strings.h>

#include <yaml.h>

#include "lib/fix/fix_store.h"
#include "shm/err.h"
#include "shm/fixed.h"
#include "shm/orders.h"


const char *const tf_config_known_stages[] = {"synth_source", "synth_sink", "feed", "strategy",
                                              "risk", "oms", "paper", "exio", NULL};
const char *const tf_exchange_spread_names[TF_SPREAD_COUNT + 1] = {"round_robin", "by_instrument", NULL};
const char *const tf_exchange_replace_names[TF_REPLACE_COUNT + 1] = {"native", "cancel_new", NULL};
const char *const tf_exchange_logon_names[TF_LOGON_COUNT + 1] = {"password", "ed25519", NULL};

const char *const tf_feed_stream_names[TF_STREAM_COUNT + 1] = {
    "trade", "aggTrade", "bookTicker", "depth@100ms", "depth", "kline_1m", NULL};
static const char *const tf__empty_names[] = {"skip", "flat", NULL};
const char *const tf_influx_precision_names[TF_INFLUX_PRECISION_COUNT + 1] = {
    [TF_INFLUX_NS] = "ns", [TF_INFLUX_US] = "u", [TF_INFLUX_MS] = "ms", [TF_INFLUX_S] = "s"};
#define TF__NSTAGES (sizeof tf_config_known_stages / sizeof *tf_config_known_stages - 1)
_Static_assert(TF__NSTAGES <= TF_CFG_MAX_STAGES, "known stages fit a thread");

static const char *const tf__idle_names[TF_IDLE_KIND_COUNT + 1] = {
    [TF_IDLE_BUSY_SPIN] = "busy-spin", [TF_IDLE_YIELD] = "yield", [TF_IDLE_BACKOFF] = "backoff",
};
static const char *const tf__stale_names[TF_STALE_POLICY_COUNT + 1] = {
    [TF_STALE_REFUSE] = "refuse", [TF_STALE_REPLACE] = "replace",
};
_Static_assert(sizeof(tf_idle_kind) == 4 && sizeof(tf_stale_policy) == 4, "enums stored as 32 bits");

const char *tf_idle_kind_name(tf_idle_kind kind)
{
    return (unsigned)kind < TF_IDLE_KIND_COUNT ? tf__idle_names[kind] : "?";
}

/* Every default written in config.h, in one place. */
static const tf_config tf__default_config = {
    .shm_dir = "/dev/shm", .shm_mode = 0640, .on_stale = TF_STALE_REFUSE,
    .ring_capacity = 4096, .request_ring_capacity = 1024,
    .md_journal_capacity = 1u << 20, .md_journal_file = "",
    .heartbeat_period_ns = 100ull * 1000000, .lock_memory = false,
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
    .export_ = {
        .cpu = -1,
        .influx = {.enabled = true, .local = true, .url = "http://127.0.0.1:8086",
                   .database = "tradefan", .precision = TF_INFLUX_NS, .batch_points = 5000,
                   .connections = 2,
                   .batch_ns = 200000000ull, .timeout_ns = 5000000000ull,
                   .retry_min_ns = 100000000ull, .retry_max_ns = 10000000000ull,
                   .create_database = true, .gzip = true, .trades = true,
                   .top_sample_ns = 1000000000ull},
        .redis = {.enabled = true, .local = true, .host = "127.0.0.1", .port = 6379,
                  .pipeline = 256, .trades_maxlen = 10000, .bars_keep = 1440,
                  .timeout_ns = 2000000000ull, .retry_min_ns = 100000000ull,
                  .retry_max_ns = 10000000000ull},
        .query = {.enabled = true, .bind = "127.0.0.1", .port = 8080, .cache_bytes = 64u << 20,
                  .max_limit = 10000, .hot_bars = 1440, .hot_trades = 1000,
                  .timeout_ns = 2000000000ull, .threads = 1},
    },
};
static const tf_cfg_orders tf__default_orders = {
    .capacity = 16384, .journal_capacity = 1u << 20, .maker_fee_bps_text = "10",
    .taker_fee_bps_text = "10", .plugin_strategy = 1};
static const tf_cfg_risk tf__default_risk = {
    .state = TF_TS_ACTIVE, .reference_max_age_ns = 10000000000ull, .stage_silence_ns = 1000000000ull,
    .duplicate_count = 5,
    .duplicate_window_ns = 1000000000ull};
static const tf_cfg_exchange tf__default_exchange = {
    .host = "127.0.0.1", .port = 9878, .sender_comp_id = "TRADEFAN", .target_comp_id = "TFSIM",
    .heartbeat_s = 30, .sessions = 1, .resend_orders = true, .tls_verify = true, .sqpoll_cpu = -1,
    .connect_timeout_ns = 2000000000ull, .logon_timeout_ns = 5000000000ull,
    .reconcile_timeout_ns = 5000000000ull, .reconnect_min_ns = 100000000ull,
    .reconnect_max_ns = 30000000000ull};
static const tf_cfg_risk_instrument tf__default_risk_instrument = {.collar_bps = 500, .tradable = true};
static const tf_cfg_instrument tf__default_instrument = {.venue = "binance"};
static const tf_cfg_thread tf__default_thread = {
    .cpu = -1, .rt_priority = 0,
    .idle = {.kind = TF_IDLE_BACKOFF, .spins = 100, .yields = 10, .park_min_ns = 1000,
             .park_max_ns = 1000000},
};

/* ---- the schema ---------------------------------------------------------- */

typedef enum tf__type {
    T_NAME, T_PATH,     /* [A-Za-z0-9_-]{1,31}; a string (.min 1: not empty) */
    T_INT, T_POW2,      /* decimal in .min..max (and a power of two), 4 or 8 bytes */
    T_MS, T_CPU,        /* milliseconds stored as ns; -1 or a CPU of this host */
    T_MODE, T_BOOL,     /* octal file mode 0640 / "0640"; true or false */
    T_ENUM, T_MAP,      /* one of the names in .sub; a mapping of table .sub */
    T_IDLE,             /* a strategy name, or a mapping of tf__idle_keys */
    T_STAGES, T_THREADS,/* lists of stage names and of thread mappings */
    T_DECIMAL,          /* a decimal written as a string ("0.01"), kept as text */
    T_STREAMS,          /* a list of stream names, stored as a bit set */
    T_INSTRUMENTS,      /* the list of instrument mappings */
    T_SYMBOL,           /* [A-Za-z0-9]{1,15} */
    T_RISK_INSTRUMENTS, /* risk.instruments: list of per-instrument limits */
    T_STRATEGIES        /* risk.strategies: list of per-strategy limits */
} tf__type;

typedef struct tf__key {
    const char *key;       /* first member: tf__join walks tables by it */
    tf__type type;
    bool required;
    size_t off, size;      /* where the value goes in the struct being filled */
    int64_t min, max;
    const void *sub;       /* T_MAP: a key table; T_ENUM: NULL-terminated names */
    const char *what;      /* T_NAME, T_ENUM: what messages call the value */
} tf__key;

#define AT(type, member) .off = offsetof(type, member), .size = sizeof(((type *)0)->member)
#define ROW(k, t, ...) {.key = (k), .type = (t), __VA_ARGS__}
#define END {.key = NULL}

static const tf__key tf__shm_keys[] = {
    ROW("dir", T_PATH, AT(tf_config, shm_dir), .min = 1),
    ROW("mode", T_MODE, AT(tf_config, shm_mode)),
    ROW("on_stale", T_ENUM, AT(tf_config, on_stale), .sub = tf__stale_names, .what = "on_stale policy"),
    END};
static const tf__key tf__ring_keys[] = {
    ROW("capacity", T_POW2, AT(tf_config, ring_capacity), .min = 2, .max = 1 << 24),
    ROW("request_capacity", T_POW2, AT(tf_config, request_ring_capacity), .min = 2, .max = 1 << 20),
    END};
static const tf__key tf__md_keys[] = {
    ROW("capacity", T_POW2, AT(tf_config, md_journal_capacity), .min = 1 << 4, .max = 1 << 26),
    ROW("file", T_PATH, AT(tf_config, md_journal_file)),
    END};
static const tf__key tf__journal_keys[] = {ROW("md", T_MAP, .sub = tf__md_keys), END};
static const tf__key tf__synth_keys[] = {
    ROW("rate_per_s", T_INT, AT(tf_cfg_synthetic, rate_per_s), .max = 1000000000),
    ROW("burst", T_INT, AT(tf_cfg_synthetic, burst), .min = 1, .max = 256),
    END};
static const tf__key tf__idle_keys[] = {
    ROW("strategy", T_ENUM, AT(tf_cfg_idle, kind), .required = true, .sub = tf__idle_names,
        .what = "idle strategy"),
    ROW("spins", T_INT, AT(tf_cfg_idle, spins), .max = 1000000000),
    ROW("yields", T_INT, AT(tf_cfg_idle, yields), .max = 1000000000),
    ROW("park_min_ns", T_INT, AT(tf_cfg_idle, park_min_ns), .min = 1, .max = 1000000000),
    ROW("park_max_ns", T_INT, AT(tf_cfg_idle, park_max_ns), .min = 1, .max = 1000000000),
    END};
static const tf__key tf__thread_keys[] = {
    ROW("name", T_NAME, AT(tf_cfg_thread, name), .required = true, .what = "thread name"),
    ROW("cpu", T_CPU, AT(tf_cfg_thread, cpu)),
    ROW("rt_priority", T_INT, AT(tf_cfg_thread, rt_priority), .max = 99),
    ROW("idle", T_IDLE, AT(tf_cfg_thread, idle)),
    ROW("stages", T_STAGES, .required = true),
    END};
static const tf__key tf__instrument_keys[] = {
    ROW("symbol", T_SYMBOL, AT(tf_cfg_instrument, symbol), .required = true),
    ROW("venue", T_SYMBOL, AT(tf_cfg_instrument, venue)),
    ROW("price_precision", T_INT, AT(tf_cfg_instrument, price_precision), .required = true, .max = 12),
    ROW("qty_precision", T_INT, AT(tf_cfg_instrument, qty_precision), .required = true, .max = 12),
    ROW("tick_size", T_DECIMAL, AT(tf_cfg_instrument, tick_size_text), .required = true),
    ROW("lot_size", T_DECIMAL, AT(tf_cfg_instrument, lot_size_text), .required = true),
    ROW("min_notional", T_DECIMAL, AT(tf_cfg_instrument, min_notional_text)),
    ROW("max_price", T_DECIMAL, AT(tf_cfg_instrument, max_price_text)),
    END};
static const tf__key tf__feed_keys[] = {
    ROW("url", T_PATH, AT(tf_cfg_feed, url), .min = 1),
    ROW("rest_url", T_PATH, AT(tf_cfg_feed, rest_url), .min = 1),
    ROW("streams", T_STREAMS, AT(tf_cfg_feed, streams)),
    ROW("snapshot_depth", T_INT, AT(tf_cfg_feed, snapshot_depth), .min = 1, .max = 5000),
    ROW("book_levels", T_INT, AT(tf_cfg_feed, book_levels), .min = 16, .max = 100000),
    ROW("idle_timeout_ms", T_MS, AT(tf_cfg_feed, idle_timeout_ns), .min = 100, .max = 3600000),
    ROW("ping_interval_ms", T_MS, AT(tf_cfg_feed, ping_interval_ns), .min = 1000, .max = 600000),
    ROW("reconnect_min_ms", T_MS, AT(tf_cfg_feed, reconnect_min_ns), .min = 1, .max = 600000),
    ROW("reconnect_max_ms", T_MS, AT(tf_cfg_feed, reconnect_max_ns), .min = 1, .max = 3600000),
    ROW("rotate_after_s", T_MS, AT(tf_cfg_feed, rotate_after_ns), .min = 10, .max = 86400,
        .what = "s"),
    ROW("max_frame_bytes", T_INT, AT(tf_cfg_feed, max_frame_bytes), .min = 4096, .max = 64 << 20),
    ROW("tls_verify", T_BOOL, AT(tf_cfg_feed, tls_verify)),
    ROW("ca_file", T_PATH, AT(tf_cfg_feed, ca_file)),
    END};
static const tf__key tf__bars_keys[] = {
    ROW("grace_ms", T_MS, AT(tf_cfg_bars, grace_ns), .max = 59000),
    ROW("empty", T_ENUM, AT(tf_cfg_bars, empty_policy), .sub = tf__empty_names,
        .what = "empty-interval policy"),
    ROW("revision_window", T_INT, AT(tf_cfg_bars, revision_window), .min = 1, .max = 64),
    END};
static const tf__key tf__validation_keys[] = {
    ROW("max_deviation_bps", T_INT, AT(tf_cfg_validation, max_deviation_bps), .max = 100000),
    END};
static const tf__key tf__secret_keys[] = {
    ROW("file", T_PATH, AT(tf_cfg_secret, file)),
    ROW("env", T_PATH, AT(tf_cfg_secret, env)),
    END};
static const tf__key tf__influx_keys[] = {
    ROW("enabled", T_BOOL, AT(tf_cfg_influx, enabled)),
    ROW("local", T_BOOL, AT(tf_cfg_influx, local)),
    ROW("url", T_PATH, AT(tf_cfg_influx, url), .min = 1),
    ROW("database", T_PATH, AT(tf_cfg_influx, database), .min = 1),
    ROW("retention_policy", T_PATH, AT(tf_cfg_influx, retention_policy)),
    ROW("username", T_PATH, AT(tf_cfg_influx, username)),
    ROW("password", T_MAP, AT(tf_cfg_influx, password), .sub = tf__secret_keys),
    ROW("precision", T_ENUM, AT(tf_cfg_influx, precision), .sub = tf_influx_precision_names,
        .what = "precision"),
    ROW("batch_points", T_INT, AT(tf_cfg_influx, batch_points), .min = 1, .max = 1000000),
    ROW("batch_ms", T_MS, AT(tf_cfg_influx, batch_ns), .min = 1, .max = 600000),
    ROW("connections", T_INT, AT(tf_cfg_influx, connections), .min = 1, .max = 8),
    ROW("timeout_ms", T_MS, AT(tf_cfg_influx, timeout_ns), .min = 10, .max = 600000),
    ROW("retry_min_ms", T_MS, AT(tf_cfg_influx, retry_min_ns), .min = 1, .max = 600000),
    ROW("retry_max_ms", T_MS, AT(tf_cfg_influx, retry_max_ns), .min = 1, .max = 3600000),
    ROW("create_database", T_BOOL, AT(tf_cfg_influx, create_database)),
    ROW("gzip", T_BOOL, AT(tf_cfg_influx, gzip)),
    ROW("trades", T_BOOL, AT(tf_cfg_influx, trades)),
    ROW("top_sample_ms", T_MS, AT(tf_cfg_influx, top_sample_ns), .max = 3600000),
    END};
static const tf__key tf__redis_keys[] = {
    ROW("enabled", T_BOOL, AT(tf_cfg_redis, enabled)),
    ROW("local", T_BOOL, AT(tf_cfg_redis, local)),
    ROW("host", T_PATH, AT(tf_cfg_redis, host), .min = 1),
    ROW("port", T_INT, AT(tf_cfg_redis, port), .min = 1, .max = 65535),
    ROW("db", T_INT, AT(tf_cfg_redis, db), .max = 15),
    ROW("username", T_PATH, AT(tf_cfg_redis, username)),
    ROW("password", T_MAP, AT(tf_cfg_redis, password), .sub = tf__secret_keys),
    ROW("pipeline", T_INT, AT(tf_cfg_redis, pipeline), .min = 1, .max = 65536),
    ROW("trades_maxlen", T_INT, AT(tf_cfg_redis, trades_maxlen), .min = 1, .max = 100000000),
    ROW("bars_keep", T_INT, AT(tf_cfg_redis, bars_keep), .min = 1, .max = 10000000),
    ROW("timeout_ms", T_MS, AT(tf_cfg_redis, timeout_ns), .min = 10, .max = 600000),
    ROW("retry_min_ms", T_MS, AT(tf_cfg_redis, retry_min_ns), .min = 1, .max = 600000),
    ROW("retry_max_ms", T_MS, AT(tf_cfg_redis, retry_max_ns), .min = 1, .max = 3600000),
    END};
static const tf__key tf__query_keys[] = {
    ROW("enabled", T_BOOL, AT(tf_cfg_query, enabled)),
    ROW("bind", T_PATH, AT(tf_cfg_query, bind), .min = 1),
    ROW("port", T_INT, AT(tf_cfg_query, port), .max = 65535),
    ROW("token", T_MAP, AT(tf_cfg_query, token), .sub = tf__secret_keys),
    ROW("cache_bytes", T_INT, AT(tf_cfg_query, cache_bytes), .min = 0, .max = 1ll << 40),
    ROW("max_limit", T_INT, AT(tf_cfg_query, max_limit), .min = 1, .max = 1000000),
    ROW("hot_bars", T_INT, AT(tf_cfg_query, hot_bars), .min = 1, .max = 1000000),
    ROW("hot_trades", T_INT, AT(tf_cfg_query, hot_trades), .min = 1, .max = 1000000),
    ROW("timeout_ms", T_MS, AT(tf_cfg_query, timeout_ns), .min = 10, .max = 600000),
    ROW("threads", T_INT, AT(tf_cfg_query, threads), .min = 1, .max = 16),
    END};
static const tf__key tf__export_keys[] = {
    ROW("run_dir", T_PATH, AT(tf_cfg_export, run_dir), .min = 1),
    ROW("cpu", T_CPU, AT(tf_cfg_export, cpu)),
    ROW("influx", T_MAP, AT(tf_cfg_export, influx), .sub = tf__influx_keys),
    ROW("redis", T_MAP, AT(tf_cfg_export, redis), .sub = tf__redis_keys),
    ROW("query", T_MAP, AT(tf_cfg_export, query), .sub = tf__query_keys),
    END};
static const char *const tf__trading_state_names[] = {"active", "reducing", "halted", NULL};
static const tf__key tf__orders_keys[] = {
    ROW("capacity", T_POW2, AT(tf_cfg_orders, capacity), .min = 16, .max = 1 << 22),
    ROW("journal_capacity", T_POW2, AT(tf_cfg_orders, journal_capacity), .min = 16, .max = 1 << 26),
    ROW("journal_file", T_PATH, AT(tf_cfg_orders, journal_file)),
    ROW("id_file", T_PATH, AT(tf_cfg_orders, id_file)),
    ROW("maker_fee_bps", T_DECIMAL, AT(tf_cfg_orders, maker_fee_bps_text)),
    ROW("taker_fee_bps", T_DECIMAL, AT(tf_cfg_orders, taker_fee_bps_text)),
    ROW("plugin", T_PATH, AT(tf_cfg_orders, plugin)),
    ROW("plugin_params", T_PATH, AT(tf_cfg_orders, plugin_params)),
    ROW("plugin_strategy", T_INT, AT(tf_cfg_orders, plugin_strategy), .min = 1,
        .max = TF_MAX_STRATEGIES - 1),
    END};
static const tf__key tf__risk_instrument_keys[] = {
    ROW("symbol", T_SYMBOL, AT(tf_cfg_risk_instrument, symbol), .required = true),
    ROW("collar_bps", T_INT, AT(tf_cfg_risk_instrument, collar_bps), .max = 10000),
    ROW("tradable", T_BOOL, AT(tf_cfg_risk_instrument, tradable)),
    ROW("min_qty", T_DECIMAL, AT(tf_cfg_risk_instrument, min_qty_text)),
    ROW("max_order_qty", T_DECIMAL, AT(tf_cfg_risk_instrument, max_order_qty_text)),
    ROW("max_order_notional", T_DECIMAL, AT(tf_cfg_risk_instrument, max_order_notional_text)),
    ROW("max_position", T_DECIMAL, AT(tf_cfg_risk_instrument, max_position_text)),
    END};
static const tf__key tf__strategy_keys[] = {
    ROW("id", T_INT, AT(tf_cfg_strategy, id), .required = true, .min = 1, .max = TF_MAX_STRATEGIES - 1),
    ROW("name", T_NAME, AT(tf_cfg_strategy, name), .required = true, .what = "strategy name"),
    ROW("max_open_orders", T_INT, AT(tf_cfg_strategy, max_open_orders), .max = 1 << 22),
    ROW("orders_per_s", T_INT, AT(tf_cfg_strategy, orders_per_s), .max = 10000000),
    ROW("cancels_per_s", T_INT, AT(tf_cfg_strategy, cancels_per_s), .max = 10000000),
    ROW("replaces_per_s", T_INT, AT(tf_cfg_strategy, replaces_per_s), .max = 10000000),
    ROW("max_order_notional", T_DECIMAL, AT(tf_cfg_strategy, max_order_notional_text)),
    ROW("max_position_notional", T_DECIMAL, AT(tf_cfg_strategy, max_position_notional_text)),
    ROW("daily_loss_limit", T_DECIMAL, AT(tf_cfg_strategy, daily_loss_limit_text)),
    END};
static const tf__key tf__risk_keys[] = {
    ROW("state", T_ENUM, AT(tf_cfg_risk, state), .sub = tf__trading_state_names, .what = "trading state"),
    ROW("flatten_on_kill", T_BOOL, AT(tf_cfg_risk, flatten_on_kill)),
    ROW("reference_max_age_ms", T_MS, AT(tf_cfg_risk, reference_max_age_ns), .min = 1, .max = 3600000),
    ROW("stage_silence_ms", T_MS, AT(tf_cfg_risk, stage_silence_ns), .max = 3600000),
    ROW("max_concentration_pct", T_INT, AT(tf_cfg_risk, max_concentration_pct), .max = 100),
    ROW("max_open_orders", T_INT, AT(tf_cfg_risk, max_open_orders), .max = 1 << 22),
    ROW("orders_per_s", T_INT, AT(tf_cfg_risk, orders_per_s), .max = 10000000),
    ROW("cancels_per_s", T_INT, AT(tf_cfg_risk, cancels_per_s), .max = 10000000),
    ROW("replaces_per_s", T_INT, AT(tf_cfg_risk, replaces_per_s), .max = 10000000),
    ROW("duplicate_count", T_INT, AT(tf_cfg_risk, duplicate_count), .max = 1000000),
    ROW("duplicate_window_ms", T_MS, AT(tf_cfg_risk, duplicate_window_ns), .min = 1, .max = 3600000),
    ROW("max_gross_exposure", T_DECIMAL, AT(tf_cfg_risk, max_gross_exposure_text)),
    ROW("daily_loss_limit", T_DECIMAL, AT(tf_cfg_risk, daily_loss_limit_text)),
    ROW("instruments", T_RISK_INSTRUMENTS),
    ROW("strategies", T_STRATEGIES),
    END};
static const tf__key tf__exchange_keys[] = {
    ROW("host", T_PATH, AT(tf_cfg_exchange, host), .min = 1),
    ROW("port", T_INT, AT(tf_cfg_exchange, port), .min = 1, .max = 65535),
    ROW("sender_comp_id", T_PATH, AT(tf_cfg_exchange, sender_comp_id), .min = 1),
    ROW("target_comp_id", T_PATH, AT(tf_cfg_exchange, target_comp_id), .min = 1),
    ROW("username", T_PATH, AT(tf_cfg_exchange, username)),
    ROW("password", T_MAP, AT(tf_cfg_exchange, password), .sub = tf__secret_keys),
    ROW("logon", T_ENUM, AT(tf_cfg_exchange, logon), .sub = tf_exchange_logon_names, .what = "logon"),
    ROW("key_file", T_PATH, AT(tf_cfg_exchange, key_file)),
    ROW("heartbeat_s", T_INT, AT(tf_cfg_exchange, heartbeat_s), .min = 1, .max = 3600),
    ROW("sessions", T_INT, AT(tf_cfg_exchange, sessions), .min = 1, .max = 8),
    ROW("spread", T_ENUM, AT(tf_cfg_exchange, spread), .sub = tf_exchange_spread_names, .what = "spread"),
    ROW("replace", T_ENUM, AT(tf_cfg_exchange, replace), .sub = tf_exchange_replace_names, .what = "replace"),
    ROW("store_dir", T_PATH, AT(tf_cfg_exchange, store_dir)),
    ROW("reset_on_logon", T_BOOL, AT(tf_cfg_exchange, reset_on_logon)),
    ROW("resend_orders", T_BOOL, AT(tf_cfg_exchange, resend_orders)),
    ROW("cancel_on_disconnect", T_BOOL, AT(tf_cfg_exchange, cancel_on_disconnect)),
    ROW("tls", T_BOOL, AT(tf_cfg_exchange, tls)),
    ROW("tls_verify", T_BOOL, AT(tf_cfg_exchange, tls_verify)),
    ROW("tls_ca_file", T_PATH, AT(tf_cfg_exchange, tls_ca_file)),
    ROW("tls_server_name", T_PATH, AT(tf_cfg_exchange, tls_server_name)),
    ROW("sqpoll", T_BOOL, AT(tf_cfg_exchange, sqpoll)),
    ROW("sqpoll_cpu", T_CPU, AT(tf_cfg_exchange, sqpoll_cpu)),
    ROW("connect_timeout_ms", T_MS, AT(tf_cfg_exchange, connect_timeout_ns), .min = 10, .max = 600000),
    ROW("logon_timeout_ms", T_MS, AT(tf_cfg_exchange, logon_timeout_ns), .min = 10, .max = 600000),
    ROW("reconcile_timeout_ms", T_MS, AT(tf_cfg_exchange, reconcile_timeout_ns), .min = 10, .max = 600000),
    ROW("reconnect_min_ms", T_MS, AT(tf_cfg_exchange, reconnect_min_ns), .min = 1, .max = 600000),
    ROW("reconnect_max_ms", T_MS, AT(tf_cfg_exchange, reconnect_max_ns), .min = 1, .max = 3600000),
    ROW("messages_per_s", T_INT, AT(tf_cfg_exchange, messages_per_s), .max = 1000000),
    ROW("message_burst", T_INT, AT(tf_cfg_exchange, message_burst), .max = 1000000),
    END};
static const tf__key tf__root_keys[] = {
    ROW("instance", T_NAME, AT(tf_config, instance), .required = true, .what = "instance"),
    ROW("shm", T_MAP, .sub = tf__shm_keys),
    ROW("rings", T_MAP, .sub = tf__ring_keys),
    ROW("journal", T_MAP, .sub = tf__journal_keys),
    ROW("heartbeat_period_ms", T_MS, AT(tf_config, heartbeat_period_ns), .min = 1, .max = 10000),
    ROW("lock_memory", T_BOOL, AT(tf_config, lock_memory)),
    ROW("synthetic", T_MAP, AT(tf_config, synthetic), .sub = tf__synth_keys),
    ROW("instruments", T_INSTRUMENTS),
    ROW("feed", T_MAP, AT(tf_config, feed), .sub = tf__feed_keys),
    ROW("bars", T_MAP, AT(tf_config, bars), .sub = tf__bars_keys),
    ROW("validation", T_MAP, AT(tf_config, validation), .sub = tf__validation_keys),
    ROW("export", T_MAP, AT(tf_config, export_), .sub = tf__export_keys),
    ROW("orders", T_MAP, AT(tf_config, orders), .sub = tf__orders_keys),
    ROW("risk", T_MAP, AT(tf_config, risk), .sub = tf__risk_keys),
    ROW("exchange", T_MAP, AT(tf_config, exchange), .sub = tf__exchange_keys),
    ROW("threads", T_THREADS, .required = true),
    END};

/* ---- the walker ----------------------------------------------------------- */

typedef struct tf__ctx {
    yaml_document_t *doc;
    const char *file;
    char *err;
    size_t errlen;
    int ncpus;
    tf_config *cfg;
    struct { const char *thread; size_t line; } placed[TF__NSTAGES]; /* stage → its thread */
    char got[64];          /* scratch for tf__got */
} tf__ctx;

/* "<file>:<line>:<col>: <reason>" at node n (1:1 without one); always -1. */
__attribute__((format(printf, 3, 4)))
static int tf__fail(tf__ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    yaml_mark_t m = n ? n->start_mark : (yaml_mark_t){0};
    int off = snprintf(c->err, c->errlen, "%s:%zu:%zu: ", c->file, m.line + 1, m.column + 1);
    if (off >= 0 && (size_t)off < c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err + off, c->errlen - (size_t)off, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static yaml_node_t *tf__node(tf__ctx *c, int id) { return yaml_document_get_node(c->doc, id); }

static const char *tf__str(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* How a message shows a node the user wrote: 'value' (cut short), or its shape. */
static const char *tf__got(tf__ctx *c, const yaml_node_t *n)
{
    const char *s = tf__str(n);
    if (!s)
        return n && n->type == YAML_SEQUENCE_NODE ? "a list" : "a mapping";
    if (!*s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        return "nothing";
    snprintf(c->got, sizeof c->got, strlen(s) > 40 ? "'%.40s...'" : "'%s'", s);
    return c->got;
}

/* "a, b, c" from a NULL-terminated run of names `stride` bytes apart. */
static const char *tf__join(char *buf, size_t len, const char *const *p, size_t stride)
{
    buf[0] = 0;
    for (size_t used = 0; *p && used < len; p = (const char *const *)((const char *)p + stride))
        used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", *p);
    return buf;
}

static yaml_node_t *tf__find(tf__ctx *c, const yaml_node_t *m, const char *key)
{
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const char *k = tf__str(tf__node(c, p->key));
        if (k && strcmp(k, key) == 0)
            return tf__node(c, p->value);
    }
    return NULL;
}

static size_t tf__count(const yaml_node_t *seq)
{
    return (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

/* Strict decimal or octal: optional '-', digits only, nothing after. A value
 * beyond 64 bits is clamped (so it fails the range check with its own text). */
static bool tf__parse_int(const char *s, int base, int64_t *v)
{
    char *end;
    *v = strtoll(s, &end, base);
    return (*s == '-' || (*s >= '0' && *s <= '9')) && end != s && !*end;
}

/* Integer fields are 8 or 4 bytes (int32, uint32 and enums alike: same bits). */
static void tf__store(void *dst, size_t size, int64_t v)
{
    uint64_t u64 = (uint64_t)v;
    uint32_t u32 = (uint32_t)v;
    if (size == sizeof u64)
        memcpy(dst, &u64, sizeof u64);
    else
        memcpy(dst, &u32, sizeof u32);
}

static int tf__map(tf__ctx *c, yaml_node_t *m, const tf__key *keys, char *base, const char *where);
static int tf__threads(tf__ctx *c, yaml_node_t *n);
static int tf__instruments(tf__ctx *c, yaml_node_t *n);
static int tf__risk_instruments(tf__ctx *c, yaml_node_t *n);
static int tf__strategies(tf__ctx *c, yaml_node_t *n);
static int tf__streams(tf__ctx *c, yaml_node_t *n, uint32_t *bits, const char *name);
static int tf__stages(tf__ctx *c, yaml_node_t *n, tf_cfg_thread *t);

static int tf__name(tf__ctx *c, yaml_node_t *n, const char *what, char *dst)
{
    const char *s = tf__str(n);
    if (!s)
        return tf__fail(c, n, "%s must be a name, got %s", what, tf__got(c, n));
    size_t len = strlen(s);
    if (len == 0)
        return tf__fail(c, n, "%s must not be empty", what);
    if (len >= TF_CFG_NAME_MAX)
        return tf__fail(c, n, "%s %s is too long (%zu characters, at most %d)", what, tf__got(c, n),
                        len, TF_CFG_NAME_MAX - 1);
    if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != len)
        return tf__fail(c, n, "%s %s may only use A-Z a-z 0-9 _ -", what, tf__got(c, n));
    memcpy(dst, s, len + 1);
    return 0;
}

static int tf__idle(tf__ctx *c, yaml_node_t *n, tf_cfg_idle *idle, const char *where);

/* One value `n` for row `k`; `where` names the mapping it is in. */
static int tf__value(tf__ctx *c, const tf__key *k, yaml_node_t *n, char *base, const char *where)
{
    char name[80], list[128];
    snprintf(name, sizeof name, "%s%s%s", where, *where ? "." : "", k->key);
    const char *s = tf__str(n);
    void *dst = base + k->off;
    int64_t v = 0;
    switch (k->type) {
    case T_MAP: return tf__map(c, n, k->sub, base + k->off, name);
    case T_THREADS: return tf__threads(c, n);
    case T_INSTRUMENTS: return tf__instruments(c, n);
    case T_RISK_INSTRUMENTS: return tf__risk_instruments(c, n);
    case T_STRATEGIES: return tf__strategies(c, n);
    case T_STREAMS: return tf__streams(c, n, dst, name);
    case T_SYMBOL:
        if (!s || !*s || strlen(s) >= k->size || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                         "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(s))
            return tf__fail(c, n, "%s must be 1..%zu letters and digits, got %s", name, k->size - 1,
                            tf__got(c, n));
        memcpy(dst, s, strlen(s) + 1);
        return 0;
    case T_DECIMAL:
        if (!s || !*s || strlen(s) >= k->size ||
            strspn(s, "0123456789.") != strlen(s) || s[0] == '.')
            return tf__fail(c, n, "%s must be a non-negative decimal like \"0.01\", got %s", name,
                            tf__got(c, n));
        memcpy(dst, s, strlen(s) + 1);
        return 0;
    case T_STAGES: return tf__stages(c, n, (tf_cfg_thread *)base);
    case T_IDLE: return tf__idle(c, n, dst, name);
    case T_NAME: return tf__name(c, n, k->what, dst);
    case T_PATH:
        if (!s)
            return tf__fail(c, n, "expected a path for '%s', got %s", k->key, tf__got(c, n));
        if (strlen(s) < (size_t)k->min)
            return tf__fail(c, n, "%s must not be empty", name);
        if (strlen(s) >= k->size)
            return tf__fail(c, n, "%s is too long (%zu characters, at most %zu)", name, strlen(s),
                            k->size - 1);
        memcpy(dst, s, strlen(s) + 1);
        return 0;
    case T_BOOL:
        if (!s || (strcmp(s, "true") != 0 && strcmp(s, "false") != 0))
            return tf__fail(c, n, "expected true or false for '%s', got %s", k->key, tf__got(c, n));
        *(bool *)dst = s[0] == 't';
        return 0;
    case T_ENUM:
        for (const char *const *e = k->sub; s && *e; e++)
            if (strcmp(s, *e) == 0) {
                tf__store(dst, k->size, e - (const char *const *)k->sub);
                return 0;
            }
        tf__join(list, sizeof list, k->sub, sizeof(char *));
        if (!s)
            return tf__fail(c, n, "expected one of %s for '%s', got %s", list, k->key, tf__got(c, n));
        return tf__fail(c, n, "unknown %s %s (%s)", k->what, tf__got(c, n), list);
    case T_MODE:
        if (!s || s[0] != '0' || !tf__parse_int(s, 8, &v))
            return tf__fail(c, n, "expected an octal mode with a leading 0 (like 0640) for '%s', got %s",
                            k->key, tf__got(c, n));
        if (v > 0777)
            return tf__fail(c, n, "%s %s is out of range (at most 0777)", name, s);
        if ((v & 0600) != 0600)
            return tf__fail(c, n, "%s %s must let the owner read and write (0600)", name, s);
        tf__store(dst, k->size, v);
        return 0;
    case T_INT: case T_POW2: case T_MS: case T_CPU:
        break;
    }
    if (!s || !tf__parse_int(s, 10, &v))
        return tf__fail(c, n, "expected an integer for '%s', got %s", k->key, tf__got(c, n));
    if (k->type == T_CPU) {
        if (v < -1)
            return tf__fail(c, n, "cpu %s is out of range (-1 = not pinned, or a CPU number)", s);
        if (v >= c->ncpus)
            return tf__fail(c, n, "cpu %s does not exist on this host (CPUs 0..%d)", s, c->ncpus - 1);
    } else if (v < k->min || v > k->max) {
        return tf__fail(c, n, "%s %s is out of range (%lld..%lld)", name, s, (long long)k->min,
                        (long long)k->max);
    }
    if (k->type == T_POW2 && (v & (v - 1)) != 0)
        return tf__fail(c, n, "%s %s is not a power of two", name, s);
    if (k->type == T_MS && k->what && strcmp(k->what, "s") == 0)
        v *= 1000; /* a row in seconds */
    tf__store(dst, k->size, k->type == T_MS ? v * 1000000 : v);
    return 0;
}

/* Check every key of mapping `m` (names, known, unique), then read the rows. */
static int tf__map(tf__ctx *c, yaml_node_t *m, const tf__key *keys, char *base, const char *where)
{
    const char *in = *where ? where : "the top level";
    char list[160];
    if (!m || m->type != YAML_MAPPING_NODE)
        return tf__fail(c, m, "%s must be a mapping, got %s", in, tf__got(c, m));
    yaml_node_pair_t *first = m->data.mapping.pairs.start;
    for (yaml_node_pair_t *p = first; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = tf__node(c, p->key);
        const char *key = tf__str(kn);
        if (!key)
            return tf__fail(c, kn, "keys in %s must be names, got %s", in, tf__got(c, kn));
        const tf__key *k = keys;
        while (k->key && strcmp(k->key, key) != 0)
            k++;
        if (!k->key)
            return tf__fail(c, kn, "unknown key %s in %s (known: %s)", tf__got(c, kn), in,
                            tf__join(list, sizeof list, &keys->key, sizeof *keys));
        for (yaml_node_pair_t *q = first; q < p; q++) {
            yaml_node_t *qn = tf__node(c, q->key);
            if (tf__str(qn) && strcmp(tf__str(qn), key) == 0)
                return tf__fail(c, kn, "duplicate key '%s' in %s (first on line %zu)", key, in,
                                qn->start_mark.line + 1);
        }
    }
    for (const tf__key *k = keys; k->key; k++) {
        yaml_node_t *v = tf__find(c, m, k->key);
        if (!v && k->required)
            return tf__fail(c, m, "missing required key '%s' in %s", k->key, in);
        if (v && tf__value(c, k, v, base, where) != 0)
            return -1;
    }
    return 0;
}

static int tf__idle(tf__ctx *c, yaml_node_t *n, tf_cfg_idle *idle, const char *where)
{
    if (tf__str(n)) /* "idle: backoff": the strategy alone, default parameters */
        return tf__value(c, &tf__idle_keys[0], n, (char *)idle, where);
    if (n->type != YAML_MAPPING_NODE)
        return tf__fail(c, n, "%s must be a strategy name or a mapping, got a list", where);
    if (tf__map(c, n, tf__idle_keys, (char *)idle, where) != 0)
        return -1;
    if (idle->park_min_ns > idle->park_max_ns)
        return tf__fail(c, n, "%s: park_min_ns %llu is above park_max_ns %llu", where,
                        (unsigned long long)idle->park_min_ns, (unsigned long long)idle->park_max_ns);
    return 0;
}

static int tf__stages(tf__ctx *c, yaml_node_t *n, tf_cfg_thread *t)
{
    char list[128];
    if (n->type != YAML_SEQUENCE_NODE)
        return tf__fail(c, n, "stages of thread '%s' must be a list, got %s", t->name, tf__got(c, n));
    if (tf__count(n) == 0)
        return tf__fail(c, n, "thread '%s' has no stages", t->name);
    if (tf__count(n) > TF_CFG_MAX_STAGES)
        return tf__fail(c, tf__node(c, n->data.sequence.items.start[TF_CFG_MAX_STAGES]),
                        "too many stages on thread '%s' (at most %d)", t->name, TF_CFG_MAX_STAGES);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *sn = tf__node(c, *it);
        const char *s = tf__str(sn);
        if (!s)
            return tf__fail(c, sn, "a stage must be a name, got %s", tf__got(c, sn));
        size_t i = 0;
        while (i < TF__NSTAGES && strcmp(s, tf_config_known_stages[i]) != 0)
            i++;
        if (i == TF__NSTAGES)
            return tf__fail(c, sn, "unknown stage %s (known: %s)", tf__got(c, sn),
                            tf__join(list, sizeof list, tf_config_known_stages, sizeof(char *)));
        if (c->placed[i].thread == t->name)
            return tf__fail(c, sn, "stage '%s' is listed twice on thread '%s' (lines %zu and %zu)",
                            s, t->name, c->placed[i].line, sn->start_mark.line + 1);
        if (c->placed[i].thread)
            return tf__fail(c, sn, "stage '%s' runs on two threads ('%s' line %zu and '%s' line %zu)",
                            s, c->placed[i].thread, c->placed[i].line, t->name,
                            sn->start_mark.line + 1);
        c->placed[i].thread = t->name;
        c->placed[i].line = sn->start_mark.line + 1;
        memcpy(t->stages[t->stage_count++], s, strlen(s) + 1);
    }
    return 0;
}

static int tf__threads(tf__ctx *c, yaml_node_t *n)
{
    tf_config *cfg = c->cfg;
    if (n->type != YAML_SEQUENCE_NODE)
        return tf__fail(c, n, "threads must be a list, got %s", tf__got(c, n));
    if (tf__count(n) == 0)
        return tf__fail(c, n, "threads must list at least one thread");
    if (tf__count(n) > TF_CFG_MAX_THREADS)
        return tf__fail(c, tf__node(c, n->data.sequence.items.start[TF_CFG_MAX_THREADS]),
                        "too many threads (at most %d)", TF_CFG_MAX_THREADS);
    for (uint32_t i = 0; i < tf__count(n); i++) {
        yaml_node_t *tn = tf__node(c, n->data.sequence.items.start[i]);
        tf_cfg_thread *t = &cfg->threads[i];
        char where[24];
        snprintf(where, sizeof where, "threads[%u]", i);
        *t = tf__default_thread;
        if (tf__map(c, tn, tf__thread_keys, (char *)t, where) != 0)
            return -1;
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(cfg->threads[j].name, t->name) == 0)
                return tf__fail(c, tf__find(c, tn, "name"), "thread name '%s' is used twice "
                                "(threads[%u] and threads[%u])", t->name, j, i);
        cfg->thread_count = i + 1;
    }
    return 0;
}

/* libyaml's own problem text at its mark; reader errors only give an offset. */
static int tf__streams(tf__ctx *c, yaml_node_t *n, uint32_t *bits, const char *name)
{
    char list[128];
    if (n->type != YAML_SEQUENCE_NODE || tf__count(n) == 0)
        return tf__fail(c, n, "%s must be a non-empty list of stream names, got %s", name,
                        tf__got(c, n));
    *bits = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *sn = tf__node(c, *it);
        const char *s = tf__str(sn);
        uint32_t i = 0;
        while (s && i < TF_STREAM_COUNT && strcmp(s, tf_feed_stream_names[i]) != 0)
            i++;
        if (!s || i == TF_STREAM_COUNT)
            return tf__fail(c, sn, "unknown stream %s in %s (known: %s)", tf__got(c, sn), name,
                            tf__join(list, sizeof list, tf_feed_stream_names, sizeof(char *)));
        if (*bits & (1u << i))
            return tf__fail(c, sn, "stream '%s' is listed twice in %s", s, name);
        *bits |= 1u << i;
    }
    if ((*bits & (1u << TF_STREAM_DEPTH_100MS)) && (*bits & (1u << TF_STREAM_DEPTH_1S)))
        return tf__fail(c, n, "%s: choose one of depth@100ms and depth (both feed the same book)", name);
    return 0;
}

/* A decimal text at `precision` into units; failures point at the key's value. */
static int tf__decimal(tf__ctx *c, yaml_node_t *m, const char *key, const char *text,
                       unsigned precision, const char *where, int64_t *out)
{
    if (!*text) {
        *out = 0;
        return 0;
    }
    tf_fixed_rc rc = tf_fixed_parse(text, strlen(text), precision, out);
    if (rc == TF_FIXED_OK)
        return 0;
    yaml_node_t *v = tf__find(c, m, key);
    if (rc == TF_FIXED_PRECISION)
        return tf__fail(c, v, "%s.%s \"%s\" has more decimals than its precision (%u)", where, key,
                        text, precision);
    return tf__fail(c, v, "%s.%s \"%s\" is not a decimal that fits at precision %u", where, key,
                    text, precision);
}

/* An item of a list after its mapping was read: conversions and checks
 * that span keys. */
typedef int (*tf__item_fn)(tf__ctx *c, yaml_node_t *item, void *elem, uint32_t index,
                           const char *where);

/* A list of mappings into `array` (`elem_size` bytes each, at most `max`):
 * each item starts as `defaults` (NULL: zeros), is read by `keys`, then
 * checked by `item`; *count is the number of items that passed. */
static int tf__list(tf__ctx *c, yaml_node_t *n, const char *name, uint32_t max, void *array,
                    size_t elem_size, const void *defaults, const tf__key *keys, tf__item_fn item,
                    uint32_t *count)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return tf__fail(c, n, "%s must be a list, got %s", name, tf__got(c, n));
    if (tf__count(n) > max)
        return tf__fail(c, tf__node(c, n->data.sequence.items.start[max]), "too many %s (at most %u)",
                        name, max);
    for (uint32_t i = 0; i < tf__count(n); i++) {
        yaml_node_t *in = tf__node(c, n->data.sequence.items.start[i]);
        char *elem = (char *)array + (size_t)i * elem_size;
        char where[48];
        snprintf(where, sizeof where, "%s[%u]", name, i);
        if (defaults)
            memcpy(elem, defaults, elem_size);
        else
            memset(elem, 0, elem_size);
        if (tf__map(c, in, keys, elem, where) != 0 || item(c, in, elem, i, where) != 0)
            return -1;
        *count = i + 1;
    }
    return 0;
}

/* One instrument after its mapping was read: decimals to units, sanity, uniqueness. */
static int tf__instrument_item(tf__ctx *c, yaml_node_t *in, void *elem, uint32_t i, const char *where)
{
    tf_config *cfg = c->cfg;
    tf_cfg_instrument *ins = elem;
    if (tf__decimal(c, in, "tick_size", ins->tick_size_text, ins->price_precision, where,
                    &ins->tick_size) != 0 ||
        tf__decimal(c, in, "lot_size", ins->lot_size_text, ins->qty_precision, where,
                    &ins->lot_size) != 0 ||
        tf__decimal(c, in, "min_notional", ins->min_notional_text, ins->price_precision, where,
                    &ins->min_notional) != 0 ||
        tf__decimal(c, in, "max_price", ins->max_price_text, ins->price_precision, where,
                    &ins->max_price) != 0)
        return -1;
    if (ins->tick_size <= 0)
        return tf__fail(c, tf__find(c, in, "tick_size"), "%s.tick_size must be above 0", where);
    if (ins->lot_size <= 0)
        return tf__fail(c, tf__find(c, in, "lot_size"), "%s.lot_size must be above 0", where);
    for (uint32_t j = 0; j < i; j++)
        if (strcasecmp(cfg->instruments[j].symbol, ins->symbol) == 0 &&
            strcmp(cfg->instruments[j].venue, ins->venue) == 0)
            return tf__fail(c, tf__find(c, in, "symbol"), "instrument %s on %s is listed twice "
                            "(instruments[%u] and instruments[%u])", ins->symbol, ins->venue, j, i);
    return 0;
}

static int tf__instruments(tf__ctx *c, yaml_node_t *n)
{
    tf_config *cfg = c->cfg;
    return tf__list(c, n, "instruments", TF_CFG_MAX_INSTRUMENTS, cfg->instruments,
                    sizeof *cfg->instruments, &tf__default_instrument, tf__instrument_keys,
                    tf__instrument_item, &cfg->instrument_count);
}

/* Limits of one instrument: it must be configured, once; decimals at its precision. */
static int tf__risk_instrument_item(tf__ctx *c, yaml_node_t *in, void *elem, uint32_t i,
                                    const char *where)
{
    tf_cfg_risk *r = &c->cfg->risk;
    tf_cfg_risk_instrument *ri = elem;
    const tf_cfg_instrument *ins = NULL;
    for (uint32_t k = 0; k < c->cfg->instrument_count; k++)
        if (strcasecmp(c->cfg->instruments[k].symbol, ri->symbol) == 0) {
            ins = &c->cfg->instruments[k];
            ri->instrument = k;
        }
    if (!ins)
        return tf__fail(c, tf__find(c, in, "symbol"), "%s.symbol %s is not in instruments", where,
                        ri->symbol);
    for (uint32_t j = 0; j < i; j++)
        if (r->instruments[j].instrument == ri->instrument)
            return tf__fail(c, tf__find(c, in, "symbol"), "%s: %s already has limits", where,
                            ri->symbol);
    if (tf__decimal(c, in, "min_qty", ri->min_qty_text, ins->qty_precision, where, &ri->min_qty) ||
        tf__decimal(c, in, "max_order_qty", ri->max_order_qty_text, ins->qty_precision, where,
                    &ri->max_order_qty) ||
        tf__decimal(c, in, "max_position", ri->max_position_text, ins->qty_precision, where,
                    &ri->max_position) ||
        tf__decimal(c, in, "max_order_notional", ri->max_order_notional_text, TF_MONEY_PRECISION,
                    where, &ri->max_order_notional))
        return -1;
    return 0;
}

static int tf__risk_instruments(tf__ctx *c, yaml_node_t *n)
{
    tf_cfg_risk *r = &c->cfg->risk;
    return tf__list(c, n, "risk.instruments", TF_CFG_MAX_INSTRUMENTS, r->instruments,
                    sizeof *r->instruments, &tf__default_risk_instrument, tf__risk_instrument_keys,
                    tf__risk_instrument_item, &r->instrument_count);
}

/* One strategy's limits: a unique id; money decimals. */
static int tf__strategy_item(tf__ctx *c, yaml_node_t *sn, void *elem, uint32_t i, const char *where)
{
    tf_cfg_risk *r = &c->cfg->risk;
    tf_cfg_strategy *st = elem;
    for (uint32_t j = 0; j < i; j++)
        if (r->strategies[j].id == st->id)
            return tf__fail(c, tf__find(c, sn, "id"), "%s: strategy id %u is listed twice", where,
                            st->id);
    if (tf__decimal(c, sn, "max_order_notional", st->max_order_notional_text, TF_MONEY_PRECISION,
                    where, &st->max_order_notional) ||
        tf__decimal(c, sn, "max_position_notional", st->max_position_notional_text,
                    TF_MONEY_PRECISION, where, &st->max_position_notional) ||
        tf__decimal(c, sn, "daily_loss_limit", st->daily_loss_limit_text, TF_MONEY_PRECISION,
                    where, &st->daily_loss_limit))
        return -1;
    return 0;
}

static int tf__strategies(tf__ctx *c, yaml_node_t *n)
{
    tf_cfg_risk *r = &c->cfg->risk;
    return tf__list(c, n, "risk.strategies", TF_CFG_MAX_STRATEGIES - 1, r->strategies,
                    sizeof *r->strategies, NULL, tf__strategy_keys, tf__strategy_item,
                    &r->strategy_count);
}

/* The order path's stages come as a set; money limits to units. */
static int tf__order_checks(tf__ctx *c, yaml_node_t *root)
{
    tf_config *cfg = c->cfg;
    bool has[8] = {0};
    const char *names[] = {"strategy", "risk", "oms", "paper", "exio"};
    for (uint32_t t = 0; t < cfg->thread_count; t++)
        for (uint32_t k = 0; k < cfg->threads[t].stage_count; k++)
            for (uint32_t i = 0; i < 5; i++)
                has[i] |= strcmp(cfg->threads[t].stages[k], names[i]) == 0;
    yaml_node_t *th = tf__find(c, root, "threads");
    bool venue = has[3] || has[4];
    if (has[3] && has[4])
        return tf__fail(c, th, "one venue stage: paper (dry run) or exio (FIX to the exchange), not both");
    if ((has[1] || has[2] || venue) && !(has[1] && has[2] && venue))
        return tf__fail(c, th, "the order path needs the stages risk, oms and a venue (paper or exio) "
                               "together (every order passes the risk gate; the OMS needs a venue)");
    if (has[0] && !has[1])
        return tf__fail(c, th, "the strategy stage needs the order path (risk, oms, paper or exio)");
    yaml_node_t *xn = tf__find(c, root, "exchange");
    tf_cfg_exchange *xc = &cfg->exchange;
    if (xc->reconnect_min_ns > xc->reconnect_max_ns)
        return tf__fail(c, xn ? xn : root, "exchange.reconnect_min_ms is above exchange.reconnect_max_ms");
    if (xc->logon == TF_LOGON_ED25519 && !xc->key_file[0])
        return tf__fail(c, xn ? xn : root, "exchange.logon ed25519 needs exchange.key_file (a PEM private key)");
    if (strlen(xc->sender_comp_id) >= TF_FIX_COMP_ID_MAX || strlen(xc->target_comp_id) >= TF_FIX_COMP_ID_MAX)
        return tf__fail(c, xn ? xn : root, "exchange: CompIDs are at most %u characters", TF_FIX_COMP_ID_MAX - 1);
    if (xc->message_burst == 0)
        xc->message_burst = xc->messages_per_s;
    if (!xc->store_dir[0] &&
        snprintf(xc->store_dir, sizeof xc->store_dir, "%.200s/fix", cfg->export_.run_dir) >= (int)sizeof xc->store_dir)
        return tf__fail(c, xn ? xn : root, "exchange.store_dir: export.run_dir is too long");
    if (has[0] && !cfg->orders.plugin[0])
        return tf__fail(c, tf__find(c, root, "orders") ? tf__find(c, root, "orders") : th,
                        "the strategy stage needs orders.plugin (a shared object)");
    yaml_node_t *on = tf__find(c, root, "orders");
    yaml_node_t *rn = tf__find(c, root, "risk");
    if (tf__decimal(c, on ? on : root, "maker_fee_bps", cfg->orders.maker_fee_bps_text, 2, "orders",
                    &cfg->orders.maker_fee_cbps) ||
        tf__decimal(c, on ? on : root, "taker_fee_bps", cfg->orders.taker_fee_bps_text, 2, "orders",
                    &cfg->orders.taker_fee_cbps) ||
        tf__decimal(c, rn ? rn : root, "max_gross_exposure", cfg->risk.max_gross_exposure_text,
                    TF_MONEY_PRECISION, "risk", &cfg->risk.max_gross_exposure) ||
        tf__decimal(c, rn ? rn : root, "daily_loss_limit", cfg->risk.daily_loss_limit_text,
                    TF_MONEY_PRECISION, "risk", &cfg->risk.daily_loss_limit))
        return -1;
    if (has[1])
        for (uint32_t i = 0; i < cfg->instrument_count; i++)
            if (cfg->instruments[i].price_precision > TF_MONEY_PRECISION)
                return tf__fail(c, th, "instruments[%u]: the order path handles price_precision up "
                                       "to %u", i, TF_MONEY_PRECISION);
    if (!cfg->orders.id_file[0] &&
        snprintf(cfg->orders.id_file, sizeof cfg->orders.id_file, "%.200s/order_ids",
                 cfg->export_.run_dir) >= (int)sizeof cfg->orders.id_file)
        return tf__fail(c, on ? on : root, "orders.id_file: export.run_dir is too long");
    return 0;
}

/* Rules that span several keys. */
static int tf__cross_checks(tf__ctx *c, yaml_node_t *root)
{
    const tf_config *cfg = c->cfg;
    bool feed = false;
    for (uint32_t t = 0; t < cfg->thread_count; t++)
        for (uint32_t k = 0; k < cfg->threads[t].stage_count; k++)
            feed |= strcmp(cfg->threads[t].stages[k], "feed") == 0;
    if (feed && cfg->instrument_count == 0)
        return tf__fail(c, tf__find(c, root, "threads"),
                        "the feed stage needs at least one entry in instruments");
    if (cfg->feed.reconnect_min_ns > cfg->feed.reconnect_max_ns)
        return tf__fail(c, tf__find(c, root, "feed"),
                        "feed.reconnect_min_ms is above feed.reconnect_max_ms");
    if (strncmp(cfg->feed.url, "ws://", 5) != 0 && strncmp(cfg->feed.url, "wss://", 6) != 0)
        return tf__fail(c, tf__find(c, root, "feed"), "feed.url must start with ws:// or wss://, got \"%s\"",
                        cfg->feed.url);
    if (strncmp(cfg->feed.rest_url, "http://", 7) != 0 && strncmp(cfg->feed.rest_url, "https://", 8) != 0)
        return tf__fail(c, tf__find(c, root, "feed"),
                        "feed.rest_url must start with http:// or https://, got \"%s\"", cfg->feed.rest_url);
    const tf_cfg_export *ex = &cfg->export_;
    yaml_node_t *exn = tf__find(c, root, "export");
    if (strncmp(ex->influx.url, "http://", 7) != 0 && strncmp(ex->influx.url, "https://", 8) != 0)
        return tf__fail(c, exn, "export.influx.url must start with http:// or https://, got \"%s\"",
                        ex->influx.url);
    if (ex->influx.retry_min_ns > ex->influx.retry_max_ns)
        return tf__fail(c, exn, "export.influx.retry_min_ms is above export.influx.retry_max_ms");
    if (ex->redis.retry_min_ns > ex->redis.retry_max_ns)
        return tf__fail(c, exn, "export.redis.retry_min_ms is above export.redis.retry_max_ms");
    const struct { const tf_cfg_secret *s; const char *name; } secrets[] = {
        {&ex->influx.password, "export.influx.password"}, {&ex->redis.password, "export.redis.password"},
        {&ex->query.token, "export.query.token"}};
    for (size_t i = 0; i < sizeof secrets / sizeof *secrets; i++)
        if (secrets[i].s->file[0] && secrets[i].s->env[0])
            return tf__fail(c, exn, "%s: give file or env, not both", secrets[i].name);
    if (!ex->run_dir[0])
        snprintf(c->cfg->export_.run_dir, sizeof ex->run_dir, "run/%s", cfg->instance);
    return tf__order_checks(c, root);
}

static int tf__syntax(tf__ctx *c, const yaml_parser_t *p, const char *text)
{
    yaml_mark_t m = p->problem_mark;
    char extra[96] = "";
    if (p->error == YAML_READER_ERROR) {
        m = (yaml_mark_t){0};
        for (size_t i = 0; i < p->problem_offset; i++) {
            m.column = text[i] == '\n' ? 0 : m.column + 1;
            m.line += text[i] == '\n';
        }
        if (p->problem_value >= 0)
            snprintf(extra, sizeof extra, " (byte 0x%02x)", p->problem_value);
    } else if (p->context) {
        snprintf(extra, sizeof extra, " (%s on line %zu)", p->context, p->context_mark.line + 1);
    }
    yaml_node_t at = {.start_mark = m};
    return tf__fail(c, &at, "YAML syntax error: %s%s",
                    p->error == YAML_MEMORY_ERROR ? "out of memory"
                    : p->problem                  ? p->problem
                                                  : "malformed document", extra);
}

int tf_config_parse(const char *yaml, size_t len, const char *name, int ncpus, tf_config *out,
                    char *err, size_t errlen)
{
    tf_config cfg = tf__default_config;
    cfg.orders = tf__default_orders;
    cfg.risk = tf__default_risk;
    cfg.exchange = tf__default_exchange;
    snprintf(cfg.source_file, sizeof cfg.source_file, "%s", name);
    yaml_document_t doc, next;
    tf__ctx c = {.doc = &doc, .file = name, .err = err, .errlen = errlen, .ncpus = ncpus,
                 .cfg = &cfg};
    if (errlen)
        err[0] = 0;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        snprintf(err, errlen, "%s:1:1: out of memory for the YAML parser", name);
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
    int rc = -1;
    if (!yaml_parser_load(&p, &doc)) {
        rc = tf__syntax(&c, &p, yaml);
    } else {
        /* A second document would be ignored silently: refuse it (and find its syntax errors). */
        if (!yaml_parser_load(&p, &next)) {
            tf__syntax(&c, &p, yaml);
        } else {
            yaml_node_t *second = yaml_document_get_root_node(&next);
            yaml_node_t *root = yaml_document_get_root_node(&doc);
            if (second)
                tf__fail(&c, second, "a second YAML document starts here; a config file holds one");
            else if (!root || (tf__str(root) && !*tf__str(root)))
                tf__fail(&c, root, "the file is empty");
            else
                rc = tf__map(&c, root, tf__root_keys, (char *)&cfg, "");
            if (rc == 0)
                rc = tf__cross_checks(&c, root);
            yaml_document_delete(&next);
        }
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&p);
    if (rc == 0)
        *out = cfg;
    return rc;
}

int tf_config_load(const char *path, int ncpus, tf_config *out, char *err, size_t errlen)
{
    enum { TF__FILE_MAX = 1 << 20 };
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s:1:1: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(TF__FILE_MAX + 1);
    size_t len = buf ? fread(buf, 1, TF__FILE_MAX + 1, f) : 0;
    int rc = -1;
    if (!buf)
        snprintf(err, errlen, "%s:1:1: out of memory", path);
    else if (ferror(f))
        snprintf(err, errlen, "%s:1:1: cannot read: %s", path, strerror(errno));
    else if (len > TF__FILE_MAX)
        snprintf(err, errlen, "%s:1:1: larger than %d bytes; not a config file", path, TF__FILE_MAX);
    else
        rc = tf_config_parse(buf, len, path, ncpus, out, err, errlen);
    free(buf);
    fclose(f);
    return rc;
}

int tf_config_secret_read(const tf_cfg_secret *sec, char *out, size_t cap)
{
    out[0] = 0;
    if (sec->env[0]) {
        const char *v = getenv(sec->env);
        if (!v)
            return TF_ERR("environment variable %s is not set", sec->env);
        if (strlen(v) >= cap)
            return TF_ERR("environment variable %s is too long", sec->env);
        strcpy(out, v);
        return 0;
    }
    if (!sec->file[0])
        return 0;
    FILE *f = fopen(sec->file, "r");
    if (!f)
        return TF_ERR("secret file %s: %s", sec->file, strerror(errno));
    if (!fgets(out, (int)cap, f))
        out[0] = 0;
    fclose(f);
    out[strcspn(out, "\r\n")] = 0;
    if (!out[0])
        return TF_ERR("secret file %s is empty", sec->file);
    return 0;
}

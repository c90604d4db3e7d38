/* The query API: requests (path + decoded query arguments) → JSON answers.
 *
 *   GET /v1/bars?symbol=BTCUSDT[&exchange=binance][&timeframe=1m][&start=MS][&end=MS][&limit=N]
 *                [&instance=NAME]
 *       closed bars with start <= open_time <= end (ms since the epoch;
 *       default end = now, start = end - limit timeframes), oldest first, at
 *       most limit (default 500, at most query.max_limit; the newest when
 *       more match). "source" says where they came from: "memory" (the
 *       server's own window of the journal), "redis" or "influxdb".
 *       timeframe 1m, 5m, 15m, 30m, 1h, 4h or 1d: wider than 1m comes from
 *       InfluxDB, from the coarsest stored resolution that divides it
 *       ("resolution": 1m, 1h or 1d; influx_history.h), exact OHLCV and
 *       volume-weighted VWAP. instance: another engine's bars, from the Redis
 *       and InfluxDB they share (default: this engine's).
 *   GET /v1/quote?symbol=...[&exchange=...]      top of book from the engine's state segment
 *   GET /v1/trades?symbol=...[&exchange=...][&limit=N]   the newest trades, oldest first
 *       quote, trades and positions also take instance=NAME: another
 *       engine's, from the Redis they share (api_instance.c)
 *   GET /v1/health                               engine, redis, influxdb: up or down
 *   GET /v1/orders, /v1/fills, /v1/positions, /v1/pnl   the trading record (record.h)
 *
 * Prices and quantities are decimal strings at the instrument's precision
 * (exact; JSON numbers would round). Errors: 400 bad or unknown parameter,
 * bad range, limit too large, duplicate parameter; 401 missing or wrong
 * bearer token; 404 unknown path or symbol; 405 not GET; 503 the backend
 * the range needs is down (with the reason). Every error body is
 * {"error": "..."}. */
#ifndef TF_TOOLS_QUERY_API_H
#define TF_TOOLS_QUERY_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "lib/conf/config.h"
#include "tools/oob/influx_http.h"
#include "tools/oob/journal_source.h"
#include "tools/oob/redis_cluster.h"
#include "tools/query/lru.h"
#include "tools/query/record.h"
#include "tools/oob/hot_store.h"

#define Q_MAX_ARGS 16
/* Longest name=value argument (decoded) read from a request: longer ones
 * are refused with 400 "parameter too long", never skipped. */
#define Q_MAX_ARG_LEN 255

typedef struct q_args {
    int count;
    char name[Q_MAX_ARGS][32];
    char value[Q_MAX_ARGS][128];
    bool malformed;          /* an argument without '=', or too many */
    bool too_long;           /* a name, value or name=value longer than kept */
} q_args;

typedef struct q_response {
    int status;
    char *body;
    size_t len, cap;
    const char *source;
} q_response;

typedef struct q_server {
    tf_config cfg;
    qs_store store;
    oob_source src;           /* journal + instruments + state segment; under store.lock */
    oob_source orders_src;    /* the order journal; under store.lock */
    qr_store record;          /* the newest order events; under store.lock */
    redisContext *redis;
    redis_cluster cluster;    /* export.redis.cluster: the nodes instead of `redis` */
    bool cluster_open;
    uint64_t redis_retry_ns; /* do not try to reconnect before this */
    char redis_password[256];
    influx_conn influx;
    bool influx_ok;
    lru cache;
    char token[256];
    char *scratch;           /* InfluxDB answers */
    size_t scratch_cap;
    pthread_mutex_t backend_lock; /* Redis, InfluxDB, the cache and scratch: shared by the HTTP threads */
    uint64_t requests, errors, cache_hits; /* atomics */
} q_server;

/* Fails (TF_ERR) when export.query.bind is not a loopback address
 * (127.0.0.0/8, ::1) and no export.query.token is configured. */
int q_server_open(q_server *q, const tf_config *cfg);
void q_server_close(q_server *q);

/* Add one decoded "name=value" argument of `len` bytes (need not be
 * NUL-terminated) to `a`, marking it malformed or too long as need be. */
void q_args_add(q_args *a, const char *frag, size_t len);

/* Split an undecoded query string ("a=1&b=2", len bytes) on '&' into `a`
 * (reset first). The server gets its arguments decoded from libwebsockets
 * and calls q_args_add; this is for tests and the fuzz target. */
void q_args_parse(q_args *a, const char *qs, size_t len);

/* `auth` is the Authorization header's value ("" when absent). Safe to call
 * from several HTTP threads at once. */
void q_handle(q_server *q, const char *method, const char *path, const q_args *args, const char *auth,
              q_response *r);

/* Make sure r has room for n more bytes (grows the buffer; cold path). */
bool q_reserve(q_response *r, size_t n);

/* Shared by the endpoint files (api.c, api_record.c); in reply.c. */
void q_put(q_response *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void q_put_raw(q_response *r, const char *s, size_t n);
void q_fail(q_response *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *q_arg(const q_args *a, const char *name);
bool q_args_ok(q_response *r, const q_args *a, const char *const *known);
bool q_uint_arg(q_response *r, const q_args *a, const char *name, uint64_t *v, bool *given);
bool q_time_arg(q_response *r, const q_args *a, const char *name, uint64_t *v, bool *given);
/* limit (as preset when absent) in 1..max; the refusal names `setting`, the
 * configuration that sets max, when not NULL. */
bool q_limit_arg(q_response *r, const q_args *a, uint32_t max, const char *setting, uint64_t *limit);
/* start, end (default now, ms) and limit; start after end refused. */
bool q_range_args(q_response *r, const q_args *a, uint32_t max, uint64_t *start, bool *has_start, uint64_t *end,
                  uint64_t *limit);
/* Bars from InfluxDB at any timeframe, for any instance (api_history.c). */
typedef struct q_bar_ask {
    char instance[TF_CFG_NAME_MAX], exchange[TF_SYMBOL_MAX], symbol[TF_SYMBOL_MAX]; /* checked: [A-Za-z0-9._-] only */
    const char *timeframe;   /* "1m", "5m", "15m", "30m", "1h", "4h", "1d" */
    uint64_t timeframe_ns;
    uint64_t start_ms, end_ms;
    uint32_t limit;
    bool known;              /* this engine's instrument: its registry's precisions */
    unsigned price_precision, qty_precision;
} q_bar_ask;
void q_bars_history(q_server *q, q_response *r, const q_bar_ask *ask);
/* A timeframe's width in ns; 0 when it is not one served. */
uint64_t q_timeframe_ns(const char *name);

/* Redis, shared by the endpoint files: whether it is connected (connecting
 * at most once a second), and one command on `key` (routed to its node on
 * a cluster). Under backend_lock. */
bool q_redis_ready(q_server *q);
/* A name from the request that goes into a key or a query: 1..max of [A-Za-z0-9._-]. */
bool q_plain_name(const char *s, size_t max);
redisReply *q_redis_on(q_server *q, const char *key, const char *fmt, ...);

/* /v1/quote, /v1/trades and /v1/positions with instance=<another engine>:
 * answered from the Redis the engines share (api_instance.c). False when
 * the request is not one of those (the engine's own endpoints answer it). */
bool q_handle_instance(q_server *q, const char *path, const q_args *a, q_response *r);

/* The trading record's endpoints (api_record.c); false when `path` is not one. */
bool q_handle_record(q_server *q, const char *path, const q_args *a, q_response *r);

#endif

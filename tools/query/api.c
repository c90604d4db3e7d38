#include "tools/query/api.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "lib/base/json_text.h"
#include "shm/catalog.h"
#include "shm/common.h"
#include "shm/err.h"
#include "shm/fixed.h"
#include "tools/oob/influx_history.h"
#include "tools/oob/oob_process.h"
#include "tools/oob/redis_cmds.h"
#include "tools/oob/redis_conn.h"

#define Q_DEFAULT_LIMIT 500u
#define Q_MS 1000000ull


/* ---- setup ----------------------------------------------------------------- */

int q_server_open(q_server *q, const tf_config *cfg)
{
    memset(q, 0, sizeof *q);
    q->cfg = *cfg;
    const tf_cfg_query *qc = &cfg->export_.query;
    if (tf_config_secret_read(&qc->token, q->token, sizeof q->token) != 0)
        return TF_ERR_CTX("export.query.token");
    /* token_ok compares the whole buffer: zero what follows the token. */
    size_t tlen = strlen(q->token);
    memset(q->token + tlen, 0, sizeof q->token - tlen);
    /* Off loopback anyone who can reach the port could query: not without a
     * token. Checked before anything is allocated (nothing to undo). */
    if (!q->token[0] && !oob_loopback(qc->bind))
        return TF_ERR("export.query.bind %s is not a loopback address (127.0.0.0/8, ::1) and no "
                      "export.query.token is configured: set a token, or bind to loopback", qc->bind);
    if (tf_config_secret_read(&cfg->export_.redis.password, q->redis_password, sizeof q->redis_password) != 0)
        return TF_ERR_CTX("export.redis.password");
    if (qs_store_init(&q->store, qc->hot_bars, qc->hot_trades) != 0 || lru_init(&q->cache, qc->cache_bytes) != 0 ||
        qr_store_init(&q->record, qc->hot_order_events) != 0)
        return TF_ERR("out of memory for the hot store");
    oob_source_init(&q->src, cfg);
    oob_source_init_journal(&q->orders_src, cfg, TF_SEG_ORDERS);
    pthread_mutex_init(&q->backend_lock, NULL);
    if (cfg->export_.influx.enabled) {
        tf_cfg_influx ic = cfg->export_.influx;
        ic.timeout_ns = qc->timeout_ns;
        ic.gzip = false;
        if (influx_open(&q->influx, &ic, 0) != 0)
            return -1;
        q->influx_ok = true;
    }
    q->scratch_cap = 64u << 20;
    q->scratch = malloc(q->scratch_cap);
    return q->scratch ? 0 : TF_ERR("out of memory");
}

void q_server_close(q_server *q)
{
    if (q->redis)
        redisFree(q->redis);
    if (q->cluster_open)
        rcl_close(&q->cluster);
    if (q->influx_ok)
        influx_close(&q->influx);
    lru_free(&q->cache);
    pthread_mutex_destroy(&q->backend_lock);
    oob_source_close(&q->src);
    oob_source_close(&q->orders_src);
    qs_store_free(&q->store);
    qr_store_free(&q->record);
    free(q->scratch);
}


/* The instrument named by symbol (+ exchange); NULL after failing r. */
static const tf_md_instrument_info *instrument(q_server *q, q_response *r, const q_args *a)
{
    const char *sym = q_arg(a, "symbol");
    const char *ex = q_arg(a, "exchange");
    if (!sym || !*sym) {
        q_fail(r, 400, "symbol is required");
        return NULL;
    }
    if (!ex)
        ex = "binance";
    const tf_md_instrument_info *in = oob_source_find(&q->src, ex, sym);
    if (in)
        return in;
    q_fail(r, 404, "unknown symbol '%.40s' on '%.40s'", sym, ex);
    return NULL;
}

static uint64_t now_ms(void) { return tf_realtime_ns() / Q_MS; }

/* ---- bars ---------------------------------------------------------------------- */

static void bars_header(q_response *r, const tf_md_instrument_info *in, const char *source)
{
    r->source = source;
    q_put(r, "{\"exchange\":\"%s\",\"symbol\":\"%s\",\"timeframe\":\"1m\",\"source\":\"%s\",\"bars\":[",
        in->venue, in->symbol, source);
}

/* 1 answered from Redis, 0 Redis cannot answer the whole range. */
static int bars_from_redis(q_server *q, q_response *r, const tf_md_instrument_info *in, const char *instance,
                           uint64_t start_ms, uint64_t end_ms, uint32_t limit)
{
    if (!q_redis_ready(q))
        return 0;
    char key[RC_KEY_MAX];
    redis_key(key, sizeof key, "md:bars", instance, in->venue, in->symbol, ":1m");
    redisReply *oldest = q_redis_on(q, key, "ZRANGE %s 0 0 WITHSCORES", key);
    if (!oldest || oldest->type != REDIS_REPLY_ARRAY || oldest->elements != 2 ||
        strtoull(oldest->element[1]->str, NULL, 10) > start_ms) {
        if (oldest)
            freeReplyObject(oldest);
        return 0;
    }
    freeReplyObject(oldest);
    redisReply *rep = q_redis_on(q, key, "ZRANGEBYSCORE %s %llu %llu", key, (unsigned long long)start_ms,
                                   (unsigned long long)end_ms);
    if (!rep || rep->type != REDIS_REPLY_ARRAY) {
        if (rep)
            freeReplyObject(rep);
        return 0;
    }
    bars_header(r, in, "redis");
    size_t from = rep->elements > limit ? rep->elements - limit : 0;
    for (size_t i = from; i < rep->elements; i++) {
        if (i > from)
            q_put_raw(r, ",", 1);
        q_put_raw(r, rep->element[i]->str, rep->element[i]->len);
    }
    q_put(r, "]}");
    freeReplyObject(rep);
    return 1;
}

static void put_fixed_from_double(q_response *r, const char *name, json_t *v, unsigned precision, bool comma)
{
    q_put(r, "%s\"%s\":\"%.*f\"", comma ? "," : "", name, (int)precision, json_number_value(v));
}

static void bars_from_influx(q_server *q, q_response *r, const tf_md_instrument_info *in, uint64_t start_ms,
                             uint64_t end_ms, uint32_t limit)
{
    if (!q->influx_ok) {
        q_fail(r, 503, "the range starts before the bars held in memory and Redis, and InfluxDB is not configured");
        return;
    }
    char iq[768];
    const tf_cfg_influx *ic = &q->cfg.export_.influx;
    const char *rp = ic->retention_policy[0] ? ic->retention_policy : ic->downsample ? IH_RAW_RP : "";
    /* The symbol and exchange come from the registry, never from the request. */
    snprintf(iq, sizeof iq,
             "SELECT open,high,low,close,volume,quote_volume,vwap,trades,revision,first_trade_id,"
             "last_trade_id,flat,quote_volume_e8 FROM %s%s%s\"market_data\" WHERE exchange='%s' AND instance='%s' AND "
             "symbol='%s' AND timeframe='1m' AND time >= %" PRIu64 "ms AND time <= %" PRIu64 "ms ORDER BY time DESC "
             "LIMIT %u",
             *rp ? "\"" : "", rp, *rp ? "\"." : "", in->venue, q->cfg.instance, in->symbol, start_ms, end_ms, limit);
    size_t len = 0;
    influx_rc rc = influx_query(&q->influx, iq, q->scratch, q->scratch_cap, &len);
    if (rc != INFLUX_OK) {
        q_fail(r, 503, "InfluxDB unavailable: %s", rc == INFLUX_RETRY ? q->influx.error : influx_rc_name(rc));
        return;
    }
    json_error_t jerr;
    json_t *root = json_loadb(q->scratch, len, 0, &jerr);
    json_t *res = json_array_get(json_object_get(root, "results"), 0);
    if (!res || json_object_get(res, "error")) {
        q_fail(r, 503, "InfluxDB answered an error: %s",
             res ? json_string_value(json_object_get(res, "error")) : jerr.text);
        json_decref(root);
        return;
    }
    bars_header(r, in, "influxdb");
    json_t *series = json_array_get(json_object_get(res, "series"), 0);
    json_t *values = json_object_get(series, "values");
    unsigned pp = in->price_precision, qp = in->qty_precision;
    size_t n = json_array_size(values);
    for (size_t k = 0; k < n; k++) { /* DESC from InfluxDB: answer oldest first */
        json_t *row = json_array_get(values, n - 1 - k);
        if (json_array_size(row) < 14)
            continue;
        q_put(r, "%s{\"open_time\":%" PRId64, k ? "," : "", (int64_t)json_integer_value(json_array_get(row, 0)) / (int64_t)Q_MS);
        static const char *const names[] = {"open", "high", "low", "close", "volume", "quote_volume", "vwap"};
        json_t *exact_qv = json_array_get(row, 13); /* the float64 field cannot hold 16 digits; this can */
        for (int f = 0; f < 7; f++) {
            if (f == 5 && json_is_integer(exact_qv)) {
                char t[48];
                tf_fixed_format(t, sizeof t, (int64_t)json_integer_value(exact_qv), TF_BAR_QUOTE_PRECISION);
                q_put(r, ",\"quote_volume\":\"%s\"", t);
                continue;
            }
            put_fixed_from_double(r, names[f], json_array_get(row, 1 + f),
                                  f == 4 ? qp : f == 5 ? TF_BAR_QUOTE_PRECISION : f == 6 ? pp + TF_BAR_VWAP_EXTRA : pp, true);
        }
        q_put(r, ",\"trades\":%" PRId64 ",\"revision\":%" PRId64 ",\"first_trade_id\":%" PRId64
            ",\"last_trade_id\":%" PRId64 ",\"flat\":%s}",
            (int64_t)json_integer_value(json_array_get(row, 8)), (int64_t)json_integer_value(json_array_get(row, 9)),
            (int64_t)json_integer_value(json_array_get(row, 10)), (int64_t)json_integer_value(json_array_get(row, 11)),
            json_is_true(json_array_get(row, 12)) ? "true" : "false");
    }
    q_put(r, "]}");
    json_decref(root);
}

/* Another engine's bars: Redis for 1m when it holds the range, else InfluxDB. */
static void bars_of_instance(q_server *q, q_response *r, q_bar_ask *ask)
{
    if (!q_plain_name(ask->exchange, sizeof ask->exchange - 1) || !q_plain_name(ask->symbol, sizeof ask->symbol - 1)) {
        q_fail(r, 400, "exchange and symbol are letters, digits, '.', '_' or '-'");
        return;
    }
    pthread_mutex_lock(&q->backend_lock);
    tf_md_instrument_info in = {0};
    memcpy(in.venue, ask->exchange, sizeof in.venue);
    memcpy(in.symbol, ask->symbol, sizeof in.symbol);
    if (ask->timeframe_ns != 60000000000ull ||
        !bars_from_redis(q, r, &in, ask->instance, ask->start_ms, ask->end_ms, ask->limit))
        q_bars_history(q, r, ask);
    pthread_mutex_unlock(&q->backend_lock);
}

static void bars(q_server *q, q_response *r, const q_args *a)
{
    static const char *const known[] = {"symbol", "exchange", "timeframe", "start", "end", "limit", "instance", NULL};
    if (!q_args_ok(r, a, known))
        return;
    const char *tf = q_arg(a, "timeframe");
    if (!tf)
        tf = "1m";
    uint64_t tf_ns = q_timeframe_ns(tf);
    if (!tf_ns) {
        q_fail(r, 400, "timeframe '%.20s' is not one of 1m, 5m, 15m, 30m, 1h, 4h, 1d", tf);
        return;
    }
    uint64_t start = 0, end = 0, limit = Q_DEFAULT_LIMIT;
    bool has_start;
    if (!q_range_args(r, a, q->cfg.export_.query.max_limit, &start, &has_start, &end, &limit))
        return;
    uint64_t tf_ms = tf_ns / Q_MS;
    if (!has_start)
        start = end > limit * tf_ms ? end - limit * tf_ms : 0;
    const char *inst = q_arg(a, "instance");
    q_bar_ask ask = {.timeframe = tf, .timeframe_ns = tf_ns, .start_ms = start, .end_ms = end,
                     .limit = (uint32_t)limit};
    if (inst && strcmp(inst, q->cfg.instance) != 0) {
        const char *sym = q_arg(a, "symbol"), *ex = q_arg(a, "exchange");
        if (!q_plain_name(inst, sizeof ask.instance - 1)) {
            q_fail(r, 400, "instance '%.40s' is not a name (letters, digits, '.', '_', '-')", inst);
            return;
        }
        if (!sym || !*sym) {
            q_fail(r, 400, "symbol is required");
            return;
        }
        if (!ex)
            ex = "binance";
        if (strlen(ex) >= sizeof ask.exchange || strlen(sym) >= sizeof ask.symbol) {
            q_fail(r, 400, "exchange or symbol longer than %zu characters", sizeof ask.symbol - 1);
            return;
        }
        snprintf(ask.instance, sizeof ask.instance, "%s", inst);
        memcpy(ask.exchange, ex, strlen(ex) + 1);
        memcpy(ask.symbol, sym, strlen(sym) + 1);
        bars_of_instance(q, r, &ask);
        return;
    }
    pthread_mutex_lock(&q->store.lock);
    const tf_md_instrument_info *in = instrument(q, r, a);
    if (!in) {
        pthread_mutex_unlock(&q->store.lock);
        return;
    }
    tf_md_instrument_info info = *in;
    snprintf(ask.instance, sizeof ask.instance, "%s", q->cfg.instance);
    snprintf(ask.exchange, sizeof ask.exchange, "%s", info.venue);
    snprintf(ask.symbol, sizeof ask.symbol, "%s", info.symbol);
    ask.known = true;
    ask.price_precision = info.price_precision;
    ask.qty_precision = info.qty_precision;
    const qs_bar *first;
    bool complete = false;
    uint32_t n = tf_ns == 60000000000ull ? qs_store_bars(&q->store, info.id, start * Q_MS, end * Q_MS + (Q_MS - 1),
                                                         (uint32_t)limit, &first, &complete)
                                         : 0;
    if (complete) {
        bars_header(r, &info, "memory");
        q_reserve(r, (size_t)n * (QS_JSON_MAX + 1) + 8);
        for (uint32_t i = 0; i < n; i++) {
            if (i)
                r->body[r->len++] = ',';
            memcpy(r->body + r->len, first[i].json, first[i].json_len);
            r->len += first[i].json_len;
        }
        q_put(r, "]}");
        pthread_mutex_unlock(&q->store.lock);
        return;
    }
    pthread_mutex_unlock(&q->store.lock);
    /* Older than memory: Redis if it holds the whole range, else InfluxDB;
     * answers cached (briefly while the range may still be revised). */
    char key[256];
    snprintf(key, sizeof key, "bars|%s|%s|%s|%" PRIu64 "|%" PRIu64 "|%" PRIu64, tf, info.venue, info.symbol, start,
             end, limit);
    size_t clen;
    int cstatus;
    uint64_t now = tf_now_ns();
    pthread_mutex_lock(&q->backend_lock);
    const char *cached = lru_get(&q->cache, key, now, &clen, &cstatus);
    if (cached) {
        __atomic_add_fetch(&q->cache_hits, 1, __ATOMIC_RELAXED);
        r->status = cstatus;
        r->source = "cache";
        q_put_raw(r, cached, clen);
        pthread_mutex_unlock(&q->backend_lock);
        return;
    }
    const tf_cfg_influx *ic = &q->cfg.export_.influx;
    bool raw_holds = !ic->downsample || start * Q_MS + (uint64_t)ic->raw_days * 86400000000000ull >
                                            tf_realtime_ns() + 3600000000000ull;
    if (tf_ns != 60000000000ull)
        q_bars_history(q, r, &ask);
    else if (!bars_from_redis(q, r, &info, q->cfg.instance, start, end, (uint32_t)limit)) {
        if (raw_holds)
            bars_from_influx(q, r, &info, start, end, (uint32_t)limit);
        else
            q_bars_history(q, r, &ask);
    }
    if (r->status == 200) {
        uint64_t settled_ms = (q->cfg.bars.revision_window + 2) * 60000ull + q->cfg.bars.grace_ns / Q_MS;
        uint64_t ttl = end + tf_ms + settled_ms < now_ms() ? 60000000000ull : 1000000000ull;
        lru_put(&q->cache, key, r->body, r->len, r->status, now + ttl);
    }
    pthread_mutex_unlock(&q->backend_lock);
}

/* ---- quote, trades, health ------------------------------------------------------- */

static void quote(q_server *q, q_response *r, const q_args *a)
{
    static const char *const known[] = {"symbol", "exchange", NULL};
    if (!q_args_ok(r, a, known))
        return;
    pthread_mutex_lock(&q->store.lock);
    const tf_md_instrument_info *in = instrument(q, r, a);
    tf_md_instrument_info info = in ? *in : (tf_md_instrument_info){0};
    const tf_state_slot *slot = in && q->src.state ? tf_state_find(q->src.state, TF_STATE_MD_TOP, info.symbol) : NULL;
    tf_md_top top;
    uint64_t updated;
    tf_state_rc rc = slot ? tf_state_read(slot, &top, sizeof top, 1000, &updated) : TF_STATE_EMPTY;
    pthread_mutex_unlock(&q->store.lock);
    if (!in)
        return;
    if (rc != TF_STATE_OK) {
        q_fail(r, 503, "no top of book for %s yet (engine not running, or no quote received)", info.symbol);
        return;
    }
    char b[4][48];
    tf_fixed_format(b[0], 48, top.bid_price, info.price_precision);
    tf_fixed_format(b[1], 48, top.bid_qty, info.qty_precision);
    tf_fixed_format(b[2], 48, top.ask_price, info.price_precision);
    tf_fixed_format(b[3], 48, top.ask_qty, info.qty_precision);
    r->source = "memory";
    q_put(r, "{\"exchange\":\"%s\",\"symbol\":\"%s\",\"source\":\"memory\",\"bid\":\"%s\",\"bid_qty\":\"%s\","
        "\"ask\":\"%s\",\"ask_qty\":\"%s\",\"update_id\":%" PRIu64 ",\"book_synced\":%s,\"updated_ms\":%" PRIu64 "}",
        info.venue, info.symbol, b[0], b[1], b[2], b[3], top.update_id, top.book_state ? "true" : "false",
        (uint64_t)(top.updated_realtime_ns / Q_MS));
}

static void trades(q_server *q, q_response *r, const q_args *a)
{
    static const char *const known[] = {"symbol", "exchange", "limit", NULL};
    if (!q_args_ok(r, a, known))
        return;
    uint64_t limit = 100;
    if (!q_limit_arg(r, a, q->cfg.export_.query.hot_trades, "query.hot_trades", &limit))
        return;
    pthread_mutex_lock(&q->store.lock);
    const tf_md_instrument_info *in = instrument(q, r, a);
    if (!in) {
        pthread_mutex_unlock(&q->store.lock);
        return;
    }
    r->source = "memory";
    q_put(r, "{\"exchange\":\"%s\",\"symbol\":\"%s\",\"source\":\"memory\",\"trades\":[", in->venue, in->symbol);
    uint32_t n = qs_store_trade_count(&q->store, in->id, (uint32_t)limit);
    q_reserve(r, (size_t)n * 161 + 8);
    for (uint32_t i = 0; i < n; i++) {
        const qs_trade *t = qs_store_trade(&q->store, in->id, n, i);
        if (i)
            r->body[r->len++] = ',';
        memcpy(r->body + r->len, t->json, t->json_len);
        r->len += t->json_len;
    }
    pthread_mutex_unlock(&q->store.lock);
    q_put(r, "]}");
}

static void health(q_server *q, q_response *r, const q_args *a)
{
    static const char *const known[] = {NULL};
    if (!q_args_ok(r, a, known))
        return;
    pthread_mutex_lock(&q->store.lock);
    const char *engine = "absent";
    if (q->src.attached)
        engine = tf_seg_owner_name(tf_segment_owner(&q->src.jseg, tf_now_ns(), NULL));
    uint64_t records = q->store.records;
    pthread_mutex_unlock(&q->store.lock);
    pthread_mutex_lock(&q->backend_lock);
    const char *redis = !q->cfg.export_.redis.enabled ? "off" : q_redis_ready(q) ? "up" : "down";
    const char *influx = "off";
    if (q->influx_ok) {
        size_t len;
        influx = influx_query(&q->influx, "SHOW DATABASES", q->scratch, q->scratch_cap, &len) == INFLUX_OK ? "up"
                                                                                                       : "down";
    }
    pthread_mutex_unlock(&q->backend_lock);
    q_put(r, "{\"engine\":\"%s\",\"journal_records\":%" PRIu64 ",\"redis\":\"%s\",\"influxdb\":\"%s\","
        "\"requests\":%" PRIu64 ",\"cache_hits\":%" PRIu64 "}", engine, records, redis, influx,
        __atomic_load_n(&q->requests, __ATOMIC_RELAXED), __atomic_load_n(&q->cache_hits, __ATOMIC_RELAXED));
}

/* Whether `auth` is "Bearer <the token>". CRYPTO_memcmp over the whole
 * zero-padded token buffer: the time taken tells neither where a guess
 * differs nor how long the token is (strcmp stops at the first difference). */
static bool token_ok(const q_server *q, const char *auth)
{
    if (strncmp(auth, "Bearer ", 7) != 0)
        return false;
    char given[sizeof q->token] = {0};
    size_t n = strlen(auth + 7);
    if (n >= sizeof given) /* longer than any token can be */
        return false;
    memcpy(given, auth + 7, n);
    return CRYPTO_memcmp(given, q->token, sizeof given) == 0;
}

void q_handle(q_server *q, const char *method, const char *path, const q_args *args, const char *auth,
              q_response *r)
{
    r->len = 0;
    r->status = 200;
    r->source = "";
    if (r->body)
        r->body[0] = 0;
    __atomic_add_fetch(&q->requests, 1, __ATOMIC_RELAXED);
    if (q->token[0] && !token_ok(q, auth))
        q_fail(r, 401, "a bearer token is required (Authorization: Bearer ...)");
    else if (strcmp(method, "GET") != 0)
        q_fail(r, 405, "only GET is served");
    else if (q_handle_instance(q, path, args, r))
        ; /* another engine's quote, trades or positions (api_instance.c) */
    else if (strcmp(path, "/v1/bars") == 0)
        bars(q, r, args);
    else if (strcmp(path, "/v1/quote") == 0)
        quote(q, r, args);
    else if (strcmp(path, "/v1/trades") == 0)
        trades(q, r, args);
    else if (strcmp(path, "/v1/health") == 0)
        health(q, r, args);
    else if (!q_handle_record(q, path, args, r))
        q_fail(r, 404, "no such endpoint (/v1/bars, /v1/quote, /v1/trades, /v1/orders, /v1/fills, /v1/positions, "
               "/v1/pnl, /v1/health)");
    if (r->status >= 400)
        __atomic_add_fetch(&q->errors, 1, __ATOMIC_RELAXED);
}

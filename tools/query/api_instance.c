/* Another engine's live data, from the Redis the engines share (keys in
 * tools/oob/redis_cmds.h): /v1/quote, /v1/trades and /v1/positions with
 * instance=NAME. Redis is writable by other processes: every value is
 * bounded and escaped before it reaches an answer, numbers are digits or
 * refused, and positions' JSON is parsed and written out again. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/base/json_text.h"
#include "tools/oob/redis_cmds.h"
#include "tools/query/api.h"

typedef struct who {
    const char *instance, *exchange, *symbol;
} who;

static bool digits(const char *s, size_t n)
{
    if (!n || n > 20)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* "name":"escaped value" (a string of at most 64 bytes). */
static void put_text(q_response *r, const char *name, const char *v, size_t n, bool comma)
{
    char esc[TF_JSON_ESCAPED_MAX(64)];
    size_t e = tf_json_escape(esc, sizeof esc, v, n < 64 ? n : 64);
    q_put(r, "%s\"%s\":%.*s", comma ? "," : "", name, (int)e, esc);
}

static void header(q_response *r, const who *w)
{
    r->source = "redis";
    q_put(r, "{\"instance\":\"%s\",\"exchange\":\"%s\",\"symbol\":\"%s\",\"source\":\"redis\"", w->instance,
          w->exchange, w->symbol);
}

static void quote(q_server *q, q_response *r, const who *w, const char *key)
{
    redisReply *rep = q_redis_on(q, key, "HGETALL %s", key);
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements == 0) {
        if (rep)
            q_fail(r, 404, "no quote of %s on %s for instance %s in Redis", w->symbol, w->exchange, w->instance);
        else
            q_fail(r, 503, "Redis unavailable");
        if (rep)
            freeReplyObject(rep);
        return;
    }
    header(r, w);
    static const char *const fields[] = {"bid", "bid_qty", "ask", "ask_qty", "update_id"};
    for (size_t f = 0; f < 5; f++)
        for (size_t i = 0; i + 1 < rep->elements; i += 2) {
            redisReply *k = rep->element[i], *v = rep->element[i + 1];
            if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING || strcmp(k->str, fields[f]) != 0)
                continue;
            if (f == 4 && digits(v->str, v->len))
                q_put(r, ",\"update_id\":%.*s", (int)v->len, v->str);
            else if (f < 4)
                put_text(r, fields[f], v->str, v->len, true);
        }
    q_put(r, "}");
    freeReplyObject(rep);
}

static void trades(q_server *q, q_response *r, const who *w, const char *key, uint64_t limit)
{
    redisReply *rep = q_redis_on(q, key, "XREVRANGE %s + - COUNT %llu", key, (unsigned long long)limit);
    if (!rep || rep->type != REDIS_REPLY_ARRAY) {
        q_fail(r, 503, "Redis unavailable");
        if (rep)
            freeReplyObject(rep);
        return;
    }
    header(r, w);
    q_put(r, ",\"trades\":[");
    bool any = false;
    for (size_t i = rep->elements; i-- > 0;) { /* newest first from Redis: answer oldest first */
        redisReply *e = rep->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[1]->type != REDIS_REPLY_ARRAY)
            continue;
        redisReply *f = e->element[1];
        const redisReply *val[5] = {0};
        static const char *const names[] = {"id", "price", "qty", "side", "time"};
        for (size_t j = 0; j + 1 < f->elements; j += 2)
            for (int n = 0; n < 5; n++)
                if (f->element[j]->type == REDIS_REPLY_STRING && strcmp(f->element[j]->str, names[n]) == 0 &&
                    f->element[j + 1]->type == REDIS_REPLY_STRING)
                    val[n] = f->element[j + 1];
        if (!val[0] || !val[1] || !val[2] || !val[3] || !val[4] || !digits(val[0]->str, val[0]->len) ||
            !digits(val[4]->str, val[4]->len))
            continue; /* not a trade as the exporter writes it */
        q_put(r, "%s{\"id\":%.*s", any ? "," : "", (int)val[0]->len, val[0]->str);
        put_text(r, "price", val[1]->str, val[1]->len, true);
        put_text(r, "qty", val[2]->str, val[2]->len, true);
        put_text(r, "side", val[3]->str, val[3]->len, true);
        q_put(r, ",\"time\":%.*s}", (int)val[4]->len, val[4]->str);
        any = true;
    }
    q_put(r, "]}");
    freeReplyObject(rep);
}

static void positions(q_server *q, q_response *r, const who *w, const char *key)
{
    redisReply *rep = q_redis_on(q, key, "HGETALL %s", key);
    if (!rep || rep->type != REDIS_REPLY_ARRAY) {
        q_fail(r, 503, "Redis unavailable");
        if (rep)
            freeReplyObject(rep);
        return;
    }
    header(r, w);
    q_put(r, ",\"positions\":[");
    bool any = false;
    for (size_t i = 0; i + 1 < rep->elements; i += 2) {
        redisReply *v = rep->element[i + 1];
        if (v->type != REDIS_REPLY_STRING || v->len > 4096)
            continue;
        json_t *j = json_loadb(v->str, v->len, 0, NULL);
        char *out = json_is_object(j) ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (out) {
            q_put(r, "%s%s", any ? "," : "", out);
            any = true;
            free(out);
        }
        json_decref(j);
    }
    q_put(r, "]}");
    freeReplyObject(rep);
}

bool q_handle_instance(q_server *q, const char *path, const q_args *a, q_response *r)
{
    int kind = strcmp(path, "/v1/quote") == 0 ? 0 : strcmp(path, "/v1/trades") == 0 ? 1
               : strcmp(path, "/v1/positions") == 0 ? 2 : -1;
    const char *inst = q_arg(a, "instance");
    if (kind < 0 || !inst)
        return false;
    static const char *const known[] = {"symbol", "exchange", "instance", "limit", NULL};
    if (!q_args_ok(r, a, known))
        return true;
    who w = {.instance = inst, .exchange = q_arg(a, "exchange"), .symbol = q_arg(a, "symbol")};
    if (!w.exchange)
        w.exchange = "binance";
    if (!q_plain_name(inst, TF_CFG_NAME_MAX - 1)) {
        q_fail(r, 400, "instance '%.40s' is not a name (letters, digits, '.', '_', '-')", inst);
        return true;
    }
    if (!w.symbol || !q_plain_name(w.symbol, TF_SYMBOL_MAX - 1) || !q_plain_name(w.exchange, TF_SYMBOL_MAX - 1)) {
        q_fail(r, 400, "symbol is required; symbol and exchange are letters, digits, '.', '_' or '-'");
        return true;
    }
    uint64_t limit = 100;
    if (kind == 1 && !q_limit_arg(r, a, q->cfg.export_.query.hot_trades, "query.hot_trades", &limit))
        return true;
    if (kind != 1 && q_arg(a, "limit")) {
        q_fail(r, 400, "limit is for /v1/trades");
        return true;
    }
    char key[RC_KEY_MAX];
    static const char *const kinds[] = {"md:quote", "md:trades", "positions"};
    redis_key(key, sizeof key, kinds[kind], inst, w.exchange, w.symbol, NULL);
    pthread_mutex_lock(&q->backend_lock);
    if (!q_redis_ready(q))
        q_fail(r, 503, "another instance's data comes from Redis, which is %s",
               q->cfg.export_.redis.enabled ? "down" : "not configured");
    else if (kind == 0)
        quote(q, r, &w, key);
    else if (kind == 1)
        trades(q, r, &w, key, limit);
    else
        positions(q, r, &w, key);
    pthread_mutex_unlock(&q->backend_lock);
    return true;
}

/* The query server's Redis: one server or a cluster, connected lazily and
 * at most once a second while it is down. Shared by the endpoint files. */
#include <stdarg.h>
#include <string.h>

#include "shm/common.h"
#include "tools/oob/redis_conn.h"
#include "tools/query/api.h"

bool q_redis_ready(q_server *q)
{
    const tf_cfg_redis *rc = &q->cfg.export_.redis;
    if (!rc->enabled)
        return false;
    if (rc->cluster ? q->cluster_open : q->redis && !q->redis->err)
        return true;
    if (q->redis) {
        redisFree(q->redis);
        q->redis = NULL;
    }
    uint64_t now = tf_now_ns();
    if (now < q->redis_retry_ns)
        return false;
    char err[320];
    bool ok;
    if (rc->cluster) {
        ok = rcl_open(&q->cluster, rc, q->redis_password, q->cfg.export_.query.timeout_ns, NULL, err, sizeof err) == 0;
        if (!ok)
            rcl_close(&q->cluster);
        q->cluster_open = ok;
    } else {
        ok = oob_redis_connect(rc, q->redis_password, q->cfg.export_.query.timeout_ns, &q->redis, err, sizeof err) ==
             0;
    }
    if (!ok)
        q->redis_retry_ns = now + 1000000000ull; /* a down Redis costs one try a second */
    return ok;
}

/* A command on `key`: to the one server, or to the cluster node holding
 * it (the slot map read again once when the slot has moved). */
redisReply *q_redis_on(q_server *q, const char *key, const char *fmt, ...)
{
    for (int tries = 0; tries < 2; tries++) {
        char err[320];
        redisContext *c = q->cluster_open ? rcl_node_for(&q->cluster, key, strlen(key), err, sizeof err) : q->redis;
        if (!c)
            return NULL;
        va_list ap;
        va_start(ap, fmt);
        redisReply *r = redisvCommand(c, fmt, ap);
        va_end(ap);
        if (!r || !q->cluster_open || r->type != REDIS_REPLY_ERROR || !rcl_redirected(r->str))
            return r;
        freeReplyObject(r);
        if (rcl_refresh(&q->cluster, err, sizeof err) != 0)
            return NULL;
    }
    return NULL;
}


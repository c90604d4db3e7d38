/* Redis Cluster routing (see redis_cluster.h). */
#include "tools/oob/redis_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "tools/oob/redis_conn.h"

uint16_t rcl_slot(const char *key, size_t len)
{
    const char *open = memchr(key, '{', len);
    if (open) {
        const char *close = memchr(open + 1, '}', len - (size_t)(open + 1 - key));
        if (close && close > open + 1) {
            key = open + 1;
            len = (size_t)(close - key);
        }
    }
    uint16_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)((uint8_t)key[i] << 8);
        for (int b = 0; b < 8; b++)
            crc = crc & 0x8000 ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc & (RCL_SLOTS - 1);
}

static void drop(rcl_node *n)
{
    if (n->ctx)
        redisFree(n->ctx);
    n->ctx = NULL;
}

static redisContext *connect_node(redis_cluster *c, rcl_node *n, char *err, size_t errlen)
{
    if (n->ctx && !n->ctx->err)
        return n->ctx;
    drop(n);
    tf_cfg_redis rc = c->cfg;
    snprintf(rc.host, sizeof rc.host, "%s", n->host);
    rc.port = (uint32_t)n->port;
    rc.db = 0; /* a cluster has only database 0 */
    if (oob_redis_connect(&rc, c->password, c->timeout_ns, &n->ctx, err, errlen) != 0)
        return NULL;
    if (c->replies)
        n->ctx->reader->fn = c->replies;
    return n->ctx;
}

static int node_index(redis_cluster *c, const char *host, int port)
{
    for (unsigned i = 0; i < c->nnodes; i++)
        if (c->nodes[i].port == port && strcmp(c->nodes[i].host, host) == 0)
            return (int)i;
    if (c->nnodes >= RCL_MAX_NODES)
        return -1;
    rcl_node *n = &c->nodes[c->nnodes];
    memset(n, 0, sizeof *n);
    snprintf(n->host, sizeof n->host, "%s", host);
    n->port = port;
    return (int)c->nnodes++;
}

/* CLUSTER SLOTS on one connection (hiredis' own replies): 0, -1, -2. */
static int read_map(redis_cluster *c, redisContext *ctx, const char *seed_host, char *err, size_t errlen)
{
    redisReply *r = redisCommand(ctx, "CLUSTER SLOTS");
    if (!r) {
        snprintf(err, errlen, "CLUSTER SLOTS: %s", ctx->errstr);
        return -1;
    }
    int rc = 0;
    if (r->type != REDIS_REPLY_ARRAY) {
        snprintf(err, errlen, "CLUSTER SLOTS refused: %s (export.redis.cluster is true: is this a cluster?)",
                 r->type == REDIS_REPLY_ERROR ? r->str : "not an array");
        freeReplyObject(r);
        return -2;
    }
    uint8_t map[RCL_SLOTS] = {0};
    for (size_t i = 0; i < r->elements && rc == 0; i++) {
        redisReply *e = r->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 3 || e->element[0]->type != REDIS_REPLY_INTEGER ||
            e->element[1]->type != REDIS_REPLY_INTEGER || e->element[2]->type != REDIS_REPLY_ARRAY ||
            e->element[2]->elements < 2 || e->element[2]->element[1]->type != REDIS_REPLY_INTEGER) {
            snprintf(err, errlen, "CLUSTER SLOTS: an entry of unexpected shape");
            rc = -1;
            break;
        }
        long long lo = e->element[0]->integer, hi = e->element[1]->integer;
        redisReply *m = e->element[2];
        /* An empty host means "the address you reached me on". */
        const char *host = m->element[0]->type == REDIS_REPLY_STRING && m->element[0]->len ? m->element[0]->str
                                                                                             : seed_host;
        int port = (int)m->element[1]->integer;
        if (lo < 0 || hi >= (long long)RCL_SLOTS || lo > hi || port <= 0 || port > 65535) {
            snprintf(err, errlen, "CLUSTER SLOTS: slots %lld..%lld on port %d out of range", lo, hi, port);
            rc = -1;
            break;
        }
        int idx = node_index(c, host, port);
        if (idx < 0) {
            snprintf(err, errlen, "more than %u masters", RCL_MAX_NODES);
            rc = -2;
            break;
        }
        for (long long s = lo; s <= hi; s++)
            map[s] = (uint8_t)(idx + 1);
    }
    freeReplyObject(r);
    if (rc == 0) {
        for (unsigned s = 0; s < RCL_SLOTS; s++)
            if (!map[s]) {
                snprintf(err, errlen, "slot %u has no master (the cluster is not fully covered)", s);
                return -1;
            }
        memcpy(c->slot_node, map, sizeof map);
        c->refreshes++;
    }
    return rc;
}

int rcl_refresh(redis_cluster *c, char *err, size_t errlen)
{
    /* Any known node, else the configured one; on a connection of its own
     * (the nodes' may read replies with the caller's lean functions). */
    int last = -1;
    for (unsigned i = 0; i <= c->nnodes; i++) {
        tf_cfg_redis rc = c->cfg;
        if (i < c->nnodes) {
            snprintf(rc.host, sizeof rc.host, "%s", c->nodes[i].host);
            rc.port = (uint32_t)c->nodes[i].port;
        }
        rc.db = 0;
        redisContext *ctx = NULL;
        int r = oob_redis_connect(&rc, c->password, c->timeout_ns, &ctx, err, errlen);
        if (r != 0) {
            last = r == -2 ? -2 : last;
            continue;
        }
        r = read_map(c, ctx, rc.host, err, errlen);
        redisFree(ctx);
        if (r != -1)
            return r;
    }
    return last;
}

int rcl_open(redis_cluster *c, const tf_cfg_redis *cfg, const char *password, uint64_t timeout_ns,
             redisReplyObjectFunctions *replies, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->cfg = *cfg;
    snprintf(c->password, sizeof c->password, "%s", password);
    c->timeout_ns = timeout_ns;
    c->replies = replies;
    return rcl_refresh(c, err, errlen);
}

void rcl_close(redis_cluster *c)
{
    for (unsigned i = 0; i < c->nnodes; i++)
        drop(&c->nodes[i]);
    free(c->scratch);
    memset(c, 0, sizeof *c);
}

redisContext *rcl_node_for(redis_cluster *c, const char *key, size_t len, char *err, size_t errlen)
{
    unsigned idx = c->slot_node[rcl_slot(key, len)];
    if (!idx) {
        snprintf(err, errlen, "no slot map");
        return NULL;
    }
    return connect_node(c, &c->nodes[idx - 1], err, errlen);
}

/* One RESP array command at p: its length, and its key (second element). 0 when malformed. */
static size_t command_at(const char *p, size_t left, const char **key, size_t *klen)
{
    const char *end = p + left, *q = p;
    if (q >= end || *q != '*')
        return 0;
    long n = strtol(q + 1, NULL, 10);
    q = memchr(q, '\n', (size_t)(end - q));
    if (!q || n < 1 || n > 1000)
        return 0;
    q++;
    *key = NULL;
    *klen = 0;
    for (long i = 0; i < n; i++) {
        if (q >= end || *q != '$')
            return 0;
        long l = strtol(q + 1, NULL, 10);
        q = memchr(q, '\n', (size_t)(end - q));
        if (!q || l < 0 || (size_t)(end - q - 1) < (size_t)l + 2)
            return 0;
        q++;
        if (i == 1) {
            *key = q;
            *klen = (size_t)l;
        }
        q += l + 2;
    }
    return *key ? (size_t)(q - p) : 0;
}

bool rcl_redirected(const char *error)
{
    return strncmp(error, "MOVED ", 6) == 0 || strncmp(error, "ASK ", 4) == 0;
}

int rcl_send(redis_cluster *c, const char *cmds, size_t len, uint32_t commands, int (*on_reply)(void *arg),
             void *arg, char *err, size_t errlen)
{
    if (c->scratch_cap < len) {
        free(c->scratch);
        c->scratch = malloc(len);
        c->scratch_cap = c->scratch ? len : 0;
        if (!c->scratch) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    /* Each node's commands in their order; the nodes one after another
     * (a batch is small, and this keeps the replies in step). */
    int verdict = 0;
    for (unsigned node = 1; node <= c->nnodes; node++) {
        size_t n = 0;
        uint32_t count = 0, seen = 0;
        for (size_t off = 0; off < len && seen < commands; seen++) {
            const char *key;
            size_t klen, cl = command_at(cmds + off, len - off, &key, &klen);
            if (!cl) {
                snprintf(err, errlen, "a malformed command in the pipeline at byte %zu", off);
                return -1;
            }
            if (c->slot_node[rcl_slot(key, klen)] == node) {
                memcpy(c->scratch + n, cmds + off, cl);
                n += cl;
                count++;
            }
            off += cl;
        }
        if (!count)
            continue;
        redisContext *ctx = connect_node(c, &c->nodes[node - 1], err, errlen);
        if (!ctx || redisAppendFormattedCommand(ctx, c->scratch, n) != REDIS_OK)
            return -1;
        for (uint32_t i = 0; i < count; i++) {
            void *r = NULL;
            if (redisGetReply(ctx, &r) != REDIS_OK || !r) {
                snprintf(err, errlen, "%s:%d: %s", c->nodes[node - 1].host, c->nodes[node - 1].port, ctx->errstr);
                drop(&c->nodes[node - 1]);
                return -1;
            }
            if (on_reply(arg) == 1) { /* the caller's reader functions saw the reply */
                c->moved++;
                verdict = 1;
            }
        }
    }
    return verdict;
}

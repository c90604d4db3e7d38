/* tfexport-redis: follow the engine's market-data journal into Redis, out of
 * band (the engine never waits for it): latest quote per instrument as a
 * hash, recent trades as a capped stream, recent bars as a sorted set
 * (tools/oob/redis_cmds.h has the key layout).
 *
 *   tfexport-redis -c CONFIG [--until-idle MS] [--status NAME] [--journal md|orders]
 *
 * With --journal orders it follows the order journal instead: open orders,
 * fills, positions and PnL per strategy (redis_cmds.h has the keys).
 *
 * Commands are pipelined export.redis.pipeline at a time (hiredis); once
 * every reply of a pipeline is in, the journal position is saved
 * (<run_dir>/export-redis.pos) and a restart resumes from it. A lost
 * connection is retried with backoff and jitter and the unacknowledged
 * pipeline resent whole (every command is idempotent), so a Redis outage
 * loses nothing the journal still holds; a longer one is reported as a gap.
 * Error replies are counted and sampled to stderr; a stream entry refused as
 * not newer than the stream's last one is counted as a duplicate (that is
 * what a resent trade looks like: ids are derived from the journal).
 *
 * EXIT: 0 stopped, 1 usage/config/position file, 5 Redis refuses our
 * credentials or database.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "shm/common.h"
#include "shm/err.h"
#include "shm/orders.h"
#include "tools/oob/oob_process.h"
#include "tools/oob/redis_cluster.h"
#include "tools/oob/redis_cmds.h"
#include "tools/oob/redis_conn.h"
#include "tools/oob/journal_source.h"

typedef struct rexporter {
    tf_config cfg;
    oob_source src;
    oob_status status;
    redisContext *ctx;
    redis_cluster cl;           /* export.redis.cluster: ctx unused */
    bool cl_open;
    redis_cmds rc;
    tf_backoff backoff;
    oob_position pos;
    char pos_path[TF_CFG_PATH_MAX + 32];
    char password[256];
    resp_buf buf;
    uint64_t batch_next_seq, batch_journal_id;
    uint64_t duplicates, errors;
    uint64_t saved_ns;
    oob_lag lag;
    oob_latency lat;
    uint64_t first_read_ns, last_ack_ns;
} rexporter;

/* Pipeline replies are only looked at for errors: hiredis builds them with
 * these functions, which allocate nothing (the default ones malloc a reply
 * object per command) and keep the last error's text. */
static char g_reply_error[256];
static int g_reply_is_error;
static int g_reply_token;
static void *lean_string(const redisReadTask *t, char *str, size_t len)
{
    if (t->type == REDIS_REPLY_ERROR) {
        g_reply_is_error = 1;
        snprintf(g_reply_error, sizeof g_reply_error, "%.*s", (int)(len < 255 ? len : 255), str);
    }
    return &g_reply_token;
}
static void *lean_array(const redisReadTask *t, int n)
{
    (void)t;
    (void)n;
    return &g_reply_token;
}
static void *lean_integer(const redisReadTask *t, long long v)
{
    (void)t;
    (void)v;
    return &g_reply_token;
}
static void *lean_nil(const redisReadTask *t)
{
    (void)t;
    return &g_reply_token;
}
static void lean_free(void *p) { (void)p; }
static redisReplyObjectFunctions lean_replies = {lean_string, lean_array, lean_integer, lean_nil, lean_free};

static void disconnect(rexporter *x)
{
    if (x->ctx)
        redisFree(x->ctx);
    x->ctx = NULL;
    if (x->cl_open)
        rcl_close(&x->cl);
    x->cl_open = false;
    x->status.st.connected = 0;
}

static bool connected(const rexporter *x) { return x->ctx || x->cl_open; }

/* 0 connected and ready; -1 retry later; -2 refused for good (credentials, db). */
static int connect_redis(rexporter *x)
{
    const tf_cfg_redis *rc = &x->cfg.export_.redis;
    char err[320];
    if (rc->cluster) {
        int r = rcl_open(&x->cl, rc, x->password, rc->timeout_ns, &lean_replies, err, sizeof err);
        if (r != 0) {
            fprintf(stderr, "tfexport-redis: cluster: %s\n", err);
            rcl_close(&x->cl);
            return r;
        }
        x->cl_open = true;
        x->status.st.connected = 1;
        return 0;
    }
    int r = oob_redis_connect(rc, x->password, rc->timeout_ns, &x->ctx, err, sizeof err);
    if (r != 0) {
        fprintf(stderr, "tfexport-redis: %s%s\n", err, r == -2 ? " (check export.redis.password and db)" : "");
        return r;
    }
    x->status.st.connected = 1;
    x->ctx->reader->fn = &lean_replies; /* from here on, only pipelines */
    return 0;
}

/* One reply read (by the lean functions): counted; 1 when it is a cluster
 * redirection (the batch is then resent after the slot map is read again). */
static int note_reply(void *arg)
{
    rexporter *x = arg;
    if (!g_reply_is_error)
        return 0;
    g_reply_is_error = 0;
    if (rcl_redirected(g_reply_error))
        return 1;
    if (strstr(g_reply_error, "equal or smaller")) {
        x->duplicates++;
    } else {
        if (x->errors++ < 10 || x->errors % 1000 == 0)
            fprintf(stderr, "tfexport-redis: error reply (%" PRIu64 " so far): %.200s\n", x->errors, g_reply_error);
        x->status.st.rejected++;
    }
    return 0;
}

/* Wait for the socket (events) in 50 ms slices, up to the command timeout
 * after the last progress. Once Redis has not answered for export.stall_ms
 * the status says not connected (and the log says so), so a frozen Redis is
 * seen in well under a second while the wait goes on: a slow answer is not
 * a lost connection. 0 ready, -1 timed out or stopping. */
static int wait_fd(rexporter *x, redisContext *c, short events, uint64_t progress_ns)
{
    uint64_t timeout = x->cfg.export_.redis.timeout_ns, stall = x->cfg.export_.stall_ns;
    for (;;) {
        struct pollfd p = {.fd = c->fd, .events = events};
        int n = poll(&p, 1, 50);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return -1;
        uint64_t waited = tf_now_ns() - progress_ns;
        if (waited >= timeout || oob_stop) {
            snprintf(c->errstr, sizeof c->errstr, "no answer in %" PRIu64 " ms", waited / 1000000u);
            return -1;
        }
        if (waited >= stall && x->status.st.connected) {
            x->status.st.connected = 0;
            fprintf(stderr, "tfexport-redis: Redis has not answered for %" PRIu64 " ms; waiting up to %" PRIu64
                    " ms\n", waited / 1000000u, timeout / 1000000u);
            oob_status_publish(&x->status);
        }
    }
}

/* One reply of a pipeline, its commands written first: 0, or -1 lost. */
static int get_reply(rexporter *x, redisContext *c, void **r, uint64_t *progress_ns)
{
    for (;;) {
        if (redisGetReplyFromReader(c, r) != REDIS_OK)
            return -1;
        if (*r) {
            *progress_ns = tf_now_ns();
            if (!x->status.st.connected) {
                x->status.st.connected = 1;
                fprintf(stderr, "tfexport-redis: Redis answers again\n");
            }
            return 0;
        }
        for (int done = 0; !done;) {
            if (redisBufferWrite(c, &done) != REDIS_OK)
                return -1;
            if (!done && wait_fd(x, c, POLLOUT, *progress_ns) != 0)
                return -1;
        }
        if (wait_fd(x, c, POLLIN, *progress_ns) != 0 || redisBufferRead(c) != REDIS_OK)
            return -1;
    }
}

/* Send the pipeline and read every reply: 0 done, -1 connection lost. */
static int send_pipeline(rexporter *x)
{
    g_reply_is_error = 0;
    if (x->cl_open) {
        /* Slots move (resharding, failover): read the map again and resend. */
        for (int tries = 0; tries < 5; tries++) {
            char err[320];
            int r = rcl_send(&x->cl, x->buf.p, x->buf.len, x->buf.commands, note_reply, x, err, sizeof err);
            if (r == 0)
                return 0;
            if (r < 0) {
                fprintf(stderr, "tfexport-redis: cluster: %s\n", err);
                return -1;
            }
            if (rcl_refresh(&x->cl, err, sizeof err) != 0) {
                fprintf(stderr, "tfexport-redis: cluster: slots moved, and the map cannot be read: %s\n", err);
                return -1;
            }
            fprintf(stderr, "tfexport-redis: cluster: slots moved; the map read again (%" PRIu64 " times), the "
                    "batch resent\n", x->cl.refreshes);
        }
        return -1;
    }
    if (redisAppendFormattedCommand(x->ctx, x->buf.p, x->buf.len) != REDIS_OK)
        return -1;
    uint64_t progress = tf_now_ns();
    for (uint32_t i = 0; i < x->buf.commands; i++) {
        void *r = NULL;
        if (get_reply(x, x->ctx, &r, &progress) != 0)
            return -1;
        (void)note_reply(x);
    }
    return 0;
}

static void save_position(rexporter *x)
{
    x->pos.journal_id = x->batch_journal_id;
    x->pos.next_seq = x->batch_next_seq;
    x->pos.extra[0] = x->rc.stream_ms;
    x->pos.extra[1] = x->rc.fills_ms;
    if (oob_position_save(x->pos_path, &x->pos) != 0)
        fprintf(stderr, "tfexport-redis: %s\n", tf_err_msg());
    x->saved_ns = tf_now_ns();
    x->status.st.position = x->pos.next_seq;
}

/* 0 acknowledged (position saved), -1 stop requested, -2 fatal. */
static int flush(rexporter *x)
{
    if (x->buf.commands) {
        bool announced = false;
        for (;;) {
            int rc = connected(x) ? 0 : connect_redis(x);
            if (rc == -2)
                return -2;
            uint64_t t0 = tf_now_ns();
            if (rc == 0 && send_pipeline(x) == 0) {
                oob_latency_add(&x->lat, tf_now_ns() - t0);
                break;
            }
            if (rc == 0) {
                fprintf(stderr, "tfexport-redis: connection lost: %s\n", x->ctx ? x->ctx->errstr : "(cluster)");
                disconnect(x);
            }
            x->status.st.retries++;
            uint64_t wait = tf_backoff_next(&x->backoff);
            if (!announced || x->status.st.retries % 20 == 0)
                fprintf(stderr, "tfexport-redis: retrying in %" PRIu64 " ms, position kept at %" PRIu64 "\n",
                        wait / 1000000u, x->pos.next_seq);
            announced = true;
            /* Still saying how far behind it falls while the store is away. */
            uint64_t head = oob_source_head(&x->src);
            x->status.st.journal_head = head;
            x->status.st.behind_ns = oob_lag_update(&x->lag, head, x->pos.next_seq, tf_now_ns());
            oob_status_publish(&x->status);
            oob_sleep(wait);
            if (oob_stop)
                return -1;
        }
        if (announced)
            fprintf(stderr, "tfexport-redis: Redis answers again; resumed\n");
        tf_backoff_reset(&x->backoff);
        x->status.st.exported += x->buf.commands;
        x->status.st.batches++;
        x->status.st.last_ack_realtime_ns = tf_realtime_ns();
        x->last_ack_ns = tf_now_ns();
    }
    save_position(x);
    x->buf.len = 0;
    x->buf.commands = 0;
    return 0;
}

int main(int argc, char **argv)
{
    static rexporter x;
    oob_args args = {.status_name = "export-redis"};
    int rc_start = oob_start(argc, argv, "tfexport-redis", "redis", &args, &x.cfg, x.pos_path,
                            sizeof x.pos_path, &x.pos);
    if (rc_start >= 0)
        return rc_start;
    const char *status_name = args.status_name;
    uint64_t until_idle_ns = args.until_idle_ns;
    const tf_cfg_redis *rc = &x.cfg.export_.redis;
    if (tf_config_secret_read(&rc->password, x.password, sizeof x.password) != 0) {
        fprintf(stderr, "tfexport-redis: %s\n", tf_err_msg());
        return 1;
    }
    redis_cmds_init(&x.rc, rc, x.cfg.instance);
    x.rc.stream_ms = x.pos.extra[0];
    x.rc.fills_ms = x.pos.extra[1];
    x.buf.cap = (size_t)(rc->pipeline + 3) * RC_CMD_MAX + RC_CMD_MAX * 3;
    x.buf.p = malloc(x.buf.cap);
    tf_journal_slot *rec = calloc(1, 256);
    if (!x.buf.p || !rec || oob_status_open(&x.status, &x.cfg, status_name, "redis") != 0) {
        fprintf(stderr, "tfexport-redis: %s\n", x.buf.p && rec ? tf_err_msg() : "out of memory");
        return 1;
    }
    tf_backoff_init(&x.backoff, rc->retry_min_ns, rc->retry_max_ns, tf_now_ns());
    oob_source_init_journal(&x.src, &x.cfg, args.journal);
    x.batch_journal_id = x.pos.journal_id;
    x.batch_next_seq = x.pos.next_seq;
    x.status.st.position = x.pos.next_seq;
    fprintf(stderr, "tfexport-redis: %s:%u db %u, position %" PRIu64 ", pipeline %u\n", rc->host, rc->port,
            rc->db, x.pos.next_seq, rc->pipeline);
    if (connect_redis(&x) == -2)
        return 5;

    int exit_code = 0;
    uint64_t last_publish = 0, last_record_ns = tf_now_ns(), last_attach_try = 0;
    while (!oob_stop) {
        uint64_t now = tf_now_ns();
        if (!x.src.attached && now - last_attach_try > 100000000ull) {
            last_attach_try = now;
            int a = oob_source_attach(&x.src, x.pos.journal_id, x.pos.next_seq);
            if (a < 0) {
                fprintf(stderr, "tfexport-redis: %s\n", tf_err_msg());
                exit_code = 1;
                break;
            }
            if (a == 0) {
                x.batch_journal_id = x.src.journal_id;
                x.batch_next_seq = x.src.r.next_seq;
            }
        }
        bool idle = false;
        while (x.buf.commands < rc->pipeline) {
            oob_read_rc r = oob_source_read(&x.src, rec);
            if (r == OOB_READ_OK) {
                if (!x.first_read_ns)
                    x.first_read_ns = now;
                const tf_md_instrument_info *in = NULL;
                if (rec->type >= TF_REC_MD_TRADE && rec->type <= TF_REC_MD_BAR)
                    in = oob_source_instrument(&x.src, *(const uint32_t *)rec->payload);
                else if (rec->type == TF_REC_ORDER_EVENT && rec->length >= sizeof(tf_order_event))
                    in = oob_source_instrument(&x.src, ((const tf_order_event *)(const void *)rec->payload)->instrument);
                redis_cmds_add(&x.rc, &x.buf, rec, in); /* room is kept for a record's commands */
                x.batch_next_seq = rec->seq + 1;
                last_record_ns = now;
            } else if (r == OOB_READ_GAP) {
                x.status.st.gaps++;
                x.status.st.gap_records += x.src.r.last_gap_to - x.src.r.last_gap_from + 1;
                fprintf(stderr, "tfexport-redis: GAP: the journal no longer holds sequences %" PRIu64
                        "..%" PRIu64 ": lost to Redis\n", x.src.r.last_gap_from, x.src.r.last_gap_to);
                x.batch_next_seq = x.src.r.next_seq;
            } else if (r == OOB_READ_NEW_JOURNAL) {
                if ((exit_code = flush(&x)) != 0)
                    break;
                x.batch_journal_id = x.src.journal_id;
                x.batch_next_seq = x.src.r.next_seq;
            } else {
                idle = true;
                break;
            }
        }
        if (exit_code)
            break;
        now = tf_now_ns();
        /* Redis is the hot cache: send as soon as the journal has nothing more. */
        if ((x.buf.commands && (idle || x.buf.commands >= rc->pipeline)) ||
            (!x.buf.commands && x.batch_next_seq != x.pos.next_seq && now - x.saved_ns > 1000000000ull)) {
            if ((exit_code = flush(&x)) != 0)
                break;
        }
        uint64_t head = oob_source_head(&x.src);
        x.status.st.journal_head = head;
        x.status.st.behind_ns = oob_lag_update(&x.lag, head, x.pos.next_seq, now);
        if (now - last_publish > 100000000ull) {
            oob_status_publish(&x.status);
            last_publish = now;
        }
        if (idle) {
            if (until_idle_ns && now - last_record_ns > until_idle_ns && !x.buf.commands) {
                tf_seg_owner o = x.src.attached ? tf_segment_owner(&x.src.jseg, now, NULL) : TF_OWNER_CLOSED;
                if (o != TF_OWNER_LIVE)
                    break;
            }
            oob_sleep(1000000);
        }
    }
    if (exit_code == -2)
        exit_code = 5;
    else
        exit_code = exit_code > 0 ? exit_code : 0;
    if (exit_code == 0 && x.buf.commands == 0 && x.batch_next_seq != x.pos.next_seq)
        save_position(&x);
    fprintf(stderr, "tfexport-redis: stopped at position %" PRIu64 ": %" PRIu64 " commands, %" PRIu64
            " error replies, %" PRIu64 " duplicate trades, %" PRIu64 " retries, %" PRIu64 " gaps\n",
            x.pos.next_seq, x.status.st.exported, x.status.st.rejected, x.duplicates, x.status.st.retries,
            x.status.st.gaps);
    oob_latency_print(&x.lat, "tfexport-redis");
    if (x.last_ack_ns > x.first_read_ns && x.first_read_ns)
        fprintf(stderr, "tfexport-redis: %" PRIu64 " commands in %.3f s from the first record read to the last "
                "reply: %.0f commands/s\n", x.status.st.exported, (double)(x.last_ack_ns - x.first_read_ns) / 1e9,
                (double)x.status.st.exported * 1e9 / (double)(x.last_ack_ns - x.first_read_ns));
    free(rec);
    oob_status_close(&x.status);
    oob_source_close(&x.src);
    disconnect(&x);
    free(x.buf.p);
    return exit_code;
}

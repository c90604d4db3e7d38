/* The feed's connections: the combined-stream WebSocket (our own client,
 * feed_ws.h, or libwebsockets' by feed.transport), reconnect with backoff,
 * rotation, idle detection, message reassembly, and REST depth snapshots
 * (libwebsockets). The lower half of the feed: it
 * calls no function of feed.c; messages, snapshots, connects and
 * disconnects go up through the tf_feed_conn_ops table feed.c passed to
 * tf__feed_conn_init (see feed_conn.h). Runs on the feed stage's thread.
 * Own client: its completions are read every cycle, lws is serviced only
 * for a snapshot request. lws transport: lws_service(ctx, -1) polls the
 * sockets without waiting; while the stream is up it is called only when
 * io_uring says its socket has data (feed_ready.h), after a call that
 * delivered data, and once a millisecond for lws's timers and writes. */
#include "engine/md/feed_conn.h"
#include "engine/md/feed_ready.h"
#include "engine/md/feed_ws.h"

#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <string.h>

#include <libwebsockets.h>

#include "shm/atomic.h"
#include "shm/common.h"
#include "shm/err.h"

#define TF__REST_MIN_GAP_NS 100000000ull /* at most 10 snapshot requests a second */
#define TF__SERVICE_PERIOD_NS 1000000ull  /* lws's timers, pongs and partial writes wait at most this */

/* Which connection a wsi is: tagged at connect (opaque user data), so a
 * callback that fires inside lws_client_connect_via_info, before it returns
 * the wsi, is still recognised. */
static char tf__tag_ws, tf__tag_rest;

static void tf__ws_gone(tf_feed *f, uint32_t reason, uint64_t now)
{
    if (!f->ws_active)
        return; /* already handled */
    f->ws_active = false;
    bool was_connected = f->connected;
    f->ws = NULL;
    f->connected = false;
    f->closing = false;
    if (f->ready)
        tf_feed_ready_unwatch(f->ready);
    f->ws_fd = -1;
    tf_ws_message_reset(&f->msg);
    if (f->destroying)
        return;
    if (was_connected)
        f->conn_ops->disconnected(f, reason, now);
    else
        tf_counter_inc(f->c_connect_errors, 1);
    /* Exponential backoff with +-25 % jitter, so many engines do not
     * reconnect in step; a planned reconnect after data flowed goes at once
     * (the step is still taken, so a failure after it waits twice the least). */
    uint64_t backoff = tf_backoff_next(&f->backoff);
    uint64_t delay = (reason == TF_FEED_DISC_ROTATE || reason == TF_FEED_DISC_SHUTDOWN) && f->attempt == 0
                         ? 0 : backoff;
    f->next_connect_ns = now + delay;
    f->attempt++;
}

/* feed.rx_timestamps: the kernel's receive stamp of the oldest unread
 * packet (SO_TIMESTAMPING software stamps come only as a control message of
 * a read, and lws reads with recv(): so a MSG_PEEK of one byte first, one
 * more system call per read). CLOCK_REALTIME, taken back to the monotonic
 * clock by the offset between the two now. */
static void tf__rx_stamp(tf_feed *f)
{
    char b, ctl[CMSG_SPACE(sizeof(struct scm_timestamping))];
    struct iovec iov = {.iov_base = &b, .iov_len = 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
    if (recvmsg(f->ws_fd, &m, MSG_PEEK | MSG_DONTWAIT) <= 0)
        return;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPING ||
            c->cmsg_len < CMSG_LEN(sizeof(struct scm_timestamping)))
            continue;
        struct scm_timestamping ts;
        memcpy(&ts, CMSG_DATA(c), sizeof ts);
        uint64_t rt = (uint64_t)ts.ts[0].tv_sec * 1000000000ull + (uint64_t)ts.ts[0].tv_nsec;
        uint64_t offset = tf_realtime_ns() - tf_now_ns();
        if (rt > offset)
            f->rx_kernel_ns = rt - offset;
    }
}

/* A piece of a message, from either client (flags of ws_message.h). */
static void tf__ws_receive(tf_feed *f, const char *in, size_t len, unsigned flags, uint64_t now)
{
    tf_counter_inc(f->c_bytes, len);
    tf_ws_result res = tf_ws_message_take(&f->msg, in, len, flags, now);
    if (res == TF_WS_MORE)
        return;
    f->last_frame_ns = now;
    if (f->h_kernel && f->rx_kernel_ns && f->msg.recv_ns >= f->rx_kernel_ns)
        tf_hist_record(f->h_kernel, f->msg.recv_ns - f->rx_kernel_ns);
    f->rx_kernel_ns = 0; /* the read's first message only: the stamp is its first packet's */
    if (res == TF_WS_OVERSIZED)
        f->conn_ops->refused(f, TF_FEED_REJ_OVERSIZED, f->msg.buf, f->msg.len, now);
    else if (res == TF_WS_BINARY_MSG)
        f->conn_ops->refused(f, TF_FEED_REJ_BINARY, f->msg.buf, f->msg.len, now);
    else
        f->conn_ops->message(f, f->msg.buf, f->msg.len, f->msg.recv_ns);
}

static void tf__rest_finish(tf_feed *f, uint64_t now, bool ok)
{
    if (f->rest_done || f->destroying)
        return;
    f->rest_done = true;
    f->rest_active = false;
    if (ok && f->rest_len < f->rest_cap) {
        f->conn_ops->snapshot(f, f->rest_instrument, f->rest_body, f->rest_len, f->rest_status, now);
    } else {
        tf_counter_inc(f->c_snapshot_errors, 1);
        tf_stage_error(f->stage, TF_E_MD_SNAPSHOT, f->rest_status,
                       f->rest_len >= f->rest_cap ? "snapshot too large" : "snapshot request failed",
                       now);
        f->need_snapshot |= 1ull << f->rest_instrument; /* try again */
    }
}

static int tf__callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                        size_t len)
{
    (void)user;
    struct lws_context *ctx = lws_get_context(wsi);
    tf_feed *f = ctx ? lws_context_user(ctx) : NULL;
    if (!f)
        return 0;
    void *tag = lws_get_opaque_user_data(wsi);
    bool is_ws = tag == &tf__tag_ws;
    bool is_rest = tag == &tf__tag_rest && (!f->rest || f->rest == wsi); /* not a stale one */
    uint64_t now = tf_now_ns();
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (is_ws) {
            f->ws = wsi;
            f->connected = true;
            f->connected_ns = now;
            f->last_frame_ns = now;
            f->ws_fd = lws_get_socket_fd(wsi);
            if (f->cfg->rx_timestamps) {
                int on = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
                if (setsockopt(f->ws_fd, SOL_SOCKET, SO_TIMESTAMPING, &on, sizeof on) != 0)
                    tf_stage_error(f->stage, TF_E_MD_CONNECT, 0, "rx_timestamps: SO_TIMESTAMPING refused", now);
            }
            if (f->ready && tf_feed_ready_watch(f->ready, f->ws_fd) != 0) {
                tf_feed_ready_unwatch(f->ready); /* unwatched: serviced every cycle */
                f->ws_fd = -1;
            }
            if (!f->destroying)
                f->conn_ops->connected(f, now);
        }
        return 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (is_ws && !f->destroying) {
            f->rx_seen = true;
            unsigned flags = (lws_is_first_fragment(wsi) ? TF_WS_FIRST : 0) |
                             (lws_is_final_fragment(wsi) ? TF_WS_FINAL : 0) |
                             (lws_frame_is_binary(wsi) ? TF_WS_BINARY : 0);
            tf__ws_receive(f, in, len, flags, now);
        }
        return 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (is_ws) {
            if (!f->destroying)
                tf_stage_error(f->stage, TF_E_MD_CONNECT, f->attempt,
                               in ? (const char *)in : "connect failed", now);
            tf__ws_gone(f, TF_FEED_DISC_ERROR, now);
        } else if (is_rest) {
            tf__rest_finish(f, now, false);
            f->rest = NULL;
        }
        return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (is_ws)
            tf__ws_gone(f, f->closing ? f->close_reason : TF_FEED_DISC_CLOSED, now);
        return 0;
    case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
        if (is_rest)
            f->rest_status = (uint32_t)lws_http_client_http_response(wsi);
        return 0;
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP: {
        char buf[LWS_PRE + 16384];
        char *p = buf + LWS_PRE;
        int n = (int)sizeof buf - LWS_PRE;
        return lws_http_client_read(wsi, &p, &n) < 0 ? -1 : 0;
    }
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
        if (is_rest) {
            if ((uint64_t)f->rest_len + len < f->rest_cap) {
                memcpy(f->rest_body + f->rest_len, in, len);
                f->rest_len += (uint32_t)len;
            } else {
                f->rest_len = f->rest_cap; /* marks it too large */
            }
        }
        return 0;
    case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
        if (is_rest) {
            tf__rest_finish(f, now, true);
            return -1; /* one request per connection: snapshots are rare */
        }
        return 0;
    case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
        if (is_rest) {
            tf__rest_finish(f, now, false);
            f->rest = NULL;
        }
        return 0;
    default:
        return 0;
    }
}

static const struct lws_protocols tf__protocols[] = {
    {.name = "tf-feed", .callback = tf__callback, .rx_buffer_size = 65536},
    {.name = NULL},
};

/* ---- feed.transport uring: our own client's reports (feed_ws.h) ---- */

static void tf__own_connected(void *ctx, uint64_t now)
{
    tf_feed *f = ctx;
    f->connected = true;
    f->connected_ns = now;
    f->last_frame_ns = now;
    f->conn_ops->connected(f, now);
}

static void tf__own_data(void *ctx, const char *p, size_t len, unsigned flags, uint64_t now)
{
    tf__ws_receive(ctx, p, len, flags, now);
}

static void tf__own_closed(void *ctx, bool was_up, bool peer_closed, const char *why, uint64_t now)
{
    tf_feed *f = ctx;
    if (f->destroying)
        return;
    if (!f->closing && why[0])
        tf_stage_error(f->stage, TF_E_MD_CONNECT, f->attempt, why, now);
    uint32_t reason = f->closing ? f->close_reason : peer_closed ? TF_FEED_DISC_CLOSED : TF_FEED_DISC_ERROR;
    (void)was_up; /* tf__ws_gone tells a failed connect from a lost connection by f->connected */
    tf__ws_gone(f, reason, now);
}

static const tf_feed_ws_ops tf__own_ops = {
    .connected = tf__own_connected, .data = tf__own_data, .closed = tf__own_closed};

/* Split "ws://host:port/path" into its parts. */
static int tf__parse_url(const char *url, const char *what, char *host, size_t host_cap, int *port,
                         bool *tls, char *path, size_t path_cap)
{
    char buf[TF_CFG_PATH_MAX];
    tf_copy_name(buf, sizeof buf, url);
    const char *prot = NULL, *ads = NULL, *p = NULL;
    if (lws_parse_uri(buf, &prot, &ads, port, &p) != 0 || !ads || !*ads)
        return TF_ERR("%s '%s' is not a URL", what, url);
    *tls = strcmp(prot, "wss") == 0 || strcmp(prot, "https") == 0;
    if (*port == 80 && *tls)
        *port = 443; /* lws_parse_uri defaults to 80 without a port */
    if (strlen(ads) >= host_cap)
        return TF_ERR("%s host too long", what);
    tf_copy_name(host, host_cap, ads);
    if (path)
        snprintf(path, path_cap, "/%s", p && *p == '/' ? p + 1 : (p ? p : ""));
    return 0;
}

int tf__feed_conn_init(tf_feed *f, const tf_feed_conn_ops *ops)
{
    f->conn_ops = ops;
    char base[256];
    if (tf__parse_url(f->cfg->url, "feed.url", f->ws_host, sizeof f->ws_host, &f->ws_port, &f->ws_tls,
                      base, sizeof base) != 0 ||
        tf__parse_url(f->cfg->rest_url, "feed.rest_url", f->rest_host, sizeof f->rest_host,
                      &f->rest_port, &f->rest_tls, NULL, 0) != 0)
        return -1;
    /* Combined streams: <base>stream?streams=a/b/c (base "/" for the venue root). */
    size_t blen = strlen(base);
    if (blen && base[blen - 1] == '/')
        base[--blen] = 0;
    int n = snprintf(f->ws_path, sizeof f->ws_path, "%s/stream?streams=", base);
    const char *sep = "";
    for (uint32_t i = 0; i < f->reg->count; i++)
        for (uint32_t s = 0; s < TF_STREAM_COUNT; s++) {
            if (!(f->cfg->streams & (1u << s)))
                continue;
            n += snprintf(f->ws_path + n, sizeof f->ws_path - (size_t)n, "%s%s@%s", sep,
                          f->reg->items[i].stream_symbol, tf_feed_stream_names[s]);
            sep = "/";
            if ((size_t)n >= sizeof f->ws_path)
                return TF_ERR("feed: %u instruments x streams make a URL over %zu bytes", f->reg->count,
                              sizeof f->ws_path);
        }

    lws_set_log_level(LLL_ERR, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = tf__protocols;
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.user = f;
    info.fd_limit_per_thread = 16; /* one stream, one snapshot request: keep lws's tables small */
    if (f->cfg->ca_file[0])
        info.client_ssl_ca_filepath = f->cfg->ca_file;
    f->ctx = lws_create_context(&info);
    if (!f->ctx)
        return TF_ERR("feed: libwebsockets context creation failed");
    f->ws_fd = -1;
    if (f->cfg->transport == TF_FEED_TRANSPORT_URING) {
        tf_feed_ws_cfg wc = {.host = f->ws_host, .port = f->ws_port, .tls = f->ws_tls, .tls_verify = f->cfg->tls_verify,
                             .ca_file = f->cfg->ca_file, .path = f->ws_path,
                             .ping_interval_ns = f->cfg->ping_interval_ns,
                             .handshake_timeout_ns = f->cfg->idle_timeout_ns};
        if (!(f->wsc = tf_feed_ws_open(&wc, &tf__own_ops, f)))
            return -1;
    } else if (!f->cfg->service_every_cycle && !(f->ready = tf_feed_ready_open()))
        fprintf(stderr, "tfengine: %s; the feed polls its socket every cycle\n", tf_err_msg());
    tf_backoff_init(&f->backoff, f->cfg->reconnect_min_ns, f->cfg->reconnect_max_ns, tf_now_ns());
    return 0;
}

static int tf__ssl_flags(const tf_feed *f, bool tls)
{
    if (!tls)
        return 0;
    int fl = LCCSCF_USE_SSL;
    if (!f->cfg->tls_verify)
        fl |= LCCSCF_ALLOW_SELFSIGNED | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK | LCCSCF_ALLOW_EXPIRED |
              LCCSCF_ALLOW_INSECURE;
    return fl;
}

static void tf__connect_ws(tf_feed *f, uint64_t now)
{
    /* The retry policy makes lws ping an idle connection and hang up when
     * the peer stays silent: the dead-peer timeout. */
    static lws_retry_bo_t retry; /* lws keeps the pointer; one feed per process */
    uint64_t ping_s = f->cfg->ping_interval_ns / 1000000000ull;
    retry.secs_since_valid_ping = (uint16_t)(ping_s ? ping_s : 1);
    retry.secs_since_valid_hangup = (uint16_t)(2 * retry.secs_since_valid_ping + 1);

    struct lws_client_connect_info cc;
    memset(&cc, 0, sizeof cc);
    cc.context = f->ctx;
    cc.address = f->ws_host;
    cc.port = f->ws_port;
    cc.path = f->ws_path;
    cc.host = f->ws_host;
    cc.origin = f->ws_host;
    cc.ssl_connection = tf__ssl_flags(f, f->ws_tls);
    cc.local_protocol_name = "tf-feed";
    cc.retry_and_idle_policy = &retry;
    cc.opaque_user_data = &tf__tag_ws;
    f->closing = false;
    f->connected = false;
    f->ws_active = true;
    if (f->wsc) {
        if (tf_feed_ws_connect(f->wsc, now) != 0) {
            tf_stage_error(f->stage, TF_E_MD_CONNECT, f->attempt, tf_err_msg(), now);
            tf__ws_gone(f, TF_FEED_DISC_ERROR, now);
        }
        return;
    }
    f->ws = lws_client_connect_via_info(&cc);
    if (!f->ws && f->ws_active) {
        tf_stage_error(f->stage, TF_E_MD_CONNECT, f->attempt, "connect failed at once", now);
        tf__ws_gone(f, TF_FEED_DISC_ERROR, now);
    }
}

static void tf__request_snapshot(tf_feed *f, uint64_t now)
{
    uint32_t i = (uint32_t)__builtin_ctzll(f->need_snapshot);
    f->need_snapshot &= ~(1ull << i);
    if (i >= f->reg->count)
        return;
    static char path[128]; /* lws copies it during the connect call */
    snprintf(path, sizeof path, "/api/v3/depth?symbol=%s&limit=%u", f->reg->items[i].symbol,
             f->cfg->snapshot_depth);
    struct lws_client_connect_info cc;
    memset(&cc, 0, sizeof cc);
    cc.context = f->ctx;
    cc.address = f->rest_host;
    cc.port = f->rest_port;
    cc.path = path;
    cc.host = f->rest_host;
    cc.origin = f->rest_host;
    cc.method = "GET";
    cc.ssl_connection = tf__ssl_flags(f, f->rest_tls);
    cc.local_protocol_name = "tf-feed";
    cc.opaque_user_data = &tf__tag_rest;
    f->rest_instrument = i;
    f->rest_len = 0;
    f->rest_status = 0;
    f->rest_done = false;
    f->last_rest_ns = now;
    tf_counter_inc(f->c_snapshots, 1);
    f->rest_active = true;
    f->rest = lws_client_connect_via_info(&cc);
    if (!f->rest)
        tf__rest_finish(f, now, false);
}

void tf__feed_conn_drop(tf_feed *f, uint32_t reason)
{
    if (!f->ws_active || f->closing)
        return;
    if (f->wsc) {
        f->closing = true;
        f->close_reason = reason;
        tf_feed_ws_close(f->wsc, reason == TF_FEED_DISC_ROTATE || reason == TF_FEED_DISC_STOP, tf_now_ns());
        return;
    }
    if (!f->ws)
        return;
    f->closing = true;
    f->close_reason = reason;
    lws_set_timeout(f->ws, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

void tf__feed_conn_poll(tf_feed *f, uint64_t now)
{
    if (!f->ws_active && now >= f->next_connect_ns)
        tf__connect_ws(f, now);
    if (f->connected && !f->closing) {
        if (now - f->last_frame_ns > f->cfg->idle_timeout_ns) {
            tf_counter_inc(f->c_idle_timeouts, 1);
            tf_stage_error(f->stage, TF_E_MD_IDLE, (now - f->last_frame_ns) / 1000000, "feed idle", now);
            tf__feed_conn_drop(f, TF_FEED_DISC_IDLE);
        } else if (now - f->connected_ns > f->cfg->rotate_after_ns) {
            tf_counter_inc(f->c_rotations, 1);
            f->conn_ops->event(f, TF_FEED_ROTATE, UINT32_MAX, (now - f->connected_ns) / 1000000000ull, 0);
            tf__feed_conn_drop(f, TF_FEED_DISC_ROTATE);
        }
    }
    if (f->connected && !f->rest_active && f->need_snapshot && now - f->last_rest_ns >= TF__REST_MIN_GAP_NS)
        tf__request_snapshot(f, now);
    if (f->wsc) {
        /* The stream: completions read from memory, no system call unless
         * the kernel flagged deferred work. lws has only the snapshot
         * requests: serviced while one is in flight, and once a
         * millisecond for its own timers. */
        tf_feed_ws_poll(f->wsc, now);
        if (!f->rest_active && now < f->next_service_ns)
            return;
        f->next_service_ns = now + TF__SERVICE_PERIOD_NS;
        lws_service(f->ctx, -1);
        return;
    }
    /* Look only when there may be something: a poll() per duty cycle was
     * a system call for every loop of a spinning thread (the latency of a
     * tick did not change measurably either way: bench/README.md). When
     * io_uring says the stream's socket has input, lws reads it without
     * polling again (lws_service_fd); its timers and writes get a whole
     * lws_service once a millisecond. */
    if (f->ready && f->connected && !f->closing && !f->rest_active && f->ws_fd >= 0) {
        if (tf_feed_ready_take(f->ready) || f->rx_seen) {
            struct lws_pollfd pfd = {.fd = f->ws_fd, .events = POLLIN, .revents = POLLIN};
            f->rx_seen = false;
            if (f->h_kernel)
                tf__rx_stamp(f);
            lws_service_fd(f->ctx, &pfd);
        }
        if (now < f->next_service_ns && lws_service_adjust_timeout(f->ctx, 1, 0) != 0)
            return; /* nothing buffered inside lws (TLS, flow control), no timer due */
    }
    f->rx_seen = false;
    f->next_service_ns = now + TF__SERVICE_PERIOD_NS;
    lws_service(f->ctx, -1); /* -1: do not wait */
}

void tf__feed_conn_close(tf_feed *f)
{
    if (!f->ctx)
        return;
    f->destroying = true;
    lws_context_destroy(f->ctx);
    tf_feed_ws_free(f->wsc);
    f->wsc = NULL;
    tf_feed_ready_close(f->ready);
    f->ready = NULL;
    f->ctx = NULL;
    f->ws = NULL;
    f->rest = NULL;
}

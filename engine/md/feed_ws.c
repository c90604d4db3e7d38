/* The feed's WebSocket client on io_uring (see feed_ws.h). */
#include "engine/md/feed_ws.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "engine/md/ws_proto.h"
#include "engine/runtime/net_uring.h"
#include "engine/runtime/tls_mem.h"
#include "shm/common.h"
#include "shm/err.h"

#define TF__WS_OUT_CAP 16384u              /* our bytes: the request, pongs, pings, close */
#define TF__WS_CLOSE_WAIT_NS 100000000ull  /* our close frame's time to go out */
#define TF__WS_CONNECT_TIMEOUT_MS 5000u

typedef enum { WS_IDLE = 0, WS_CONNECTING, WS_UPGRADING, WS_UP, WS_CLOSING } ws_state;

struct tf_feed_ws {
    tf_net net;
    tf_tls_ctx tls_ctx;
    tf_tls tls;
    bool tls_on, tls_ctx_ready;
    char host[128], ca_file[256];
    char *path;
    int port;
    uint64_t ping_interval_ns, handshake_timeout_ns;
    const tf_feed_ws_ops *ops;
    void *ctx;

    ws_state state;
    uint64_t started_ns, last_rx_ns, last_ping_ns, closing_ns;
    bool upgraded;                /* this connection reached WS_UP */
    bool peer_closed;
    bool close_queued;            /* our close frame is in out */
    char why[160];                /* the reason the connection is ending */
    char key[TF_WS_KEY_LEN + 1];
    char hs[TF_WS_HANDSHAKE_MAX]; /* the server's answer until it is complete */
    uint32_t hs_len;
    tf_ws_parser parser;
    uint64_t now;                 /* of the completion being handled */

    /* Plaintext to send: [out_off, out_len) waits; with TLS it goes into
     * the session at once, without TLS the send in flight covers
     * [out_off, out_off + out_inflight). */
    char out[TF__WS_OUT_CAP];
    uint32_t out_len, out_off, out_inflight;
    uint64_t mask_state;

    tf_feed_ws_counters c;
};

/* ---- sending ---- */

static uint32_t next_mask(tf_feed_ws *w)
{
    /* xorshift64 seeded from getrandom at each connect: masks only need to
     * be unpredictable to a script in a browser, which we are not. */
    uint64_t x = w->mask_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    w->mask_state = x;
    return (uint32_t)(x >> 16);
}

static void out_compact(tf_feed_ws *w)
{
    if (w->out_inflight || w->out_off == 0)
        return;
    memmove(w->out, w->out + w->out_off, w->out_len - w->out_off);
    w->out_len -= w->out_off;
    w->out_off = 0;
}

static bool out_put(tf_feed_ws *w, const char *p, size_t n)
{
    out_compact(w);
    if (w->out_len + n > TF__WS_OUT_CAP)
        return false;
    memcpy(w->out + w->out_len, p, n);
    w->out_len += (uint32_t)n;
    return true;
}

static void send_frame(tf_feed_ws *w, unsigned opcode, const void *p, size_t n)
{
    char frame[TF_WS_CONTROL_MAX + 16];
    size_t len = tf_ws_frame_write(frame, sizeof frame, opcode, p, n, next_mask(w));
    if (len)
        out_put(w, frame, len); /* no room: a slow peer; the ping timeout ends it */
}

static void flush_out(tf_feed_ws *w)
{
    if (w->net.conns[0].state != TF_NET_OPEN)
        return;
    if (w->tls_on) { /* the handshake's records go out before the session is ready */
        if (tf_tls_ready(&w->tls) && w->out_len > w->out_off && tf_tls_write(&w->tls, w->out + w->out_off, w->out_len - w->out_off) == 0)
            w->out_off = w->out_len = 0;
        const char *p;
        size_t n;
        if (tf_net_can_send(&w->net, 0) && (n = tf_tls_cipher_peek(&w->tls, &p)) > 0)
            tf_net_send(&w->net, 0, p, n);
        return;
    }
    if (tf_net_can_send(&w->net, 0) && w->out_len > w->out_off) {
        w->out_inflight = w->out_len - w->out_off;
        tf_net_send(&w->net, 0, w->out + w->out_off, w->out_inflight);
    }
}

static bool out_empty(const tf_feed_ws *w)
{
    return w->out_len == w->out_off && (!w->tls_on || w->tls.coff >= w->tls.clen) &&
           !w->net.conns[0].send_inflight;
}

/* ---- ending ---- */

static void finish(tf_feed_ws *w, const char *why)
{
    if (w->state == WS_IDLE)
        return;
    bool was_up = w->upgraded;
    w->upgraded = false;
    if (w->why[0] == 0 && why)
        snprintf(w->why, sizeof w->why, "%s", why);
    tf_net_close(&w->net, 0);
    if (w->tls_on)
        tf_tls_stop(&w->tls);
    w->state = WS_IDLE;
    w->ops->closed(w->ctx, was_up, w->peer_closed, w->why, w->now);
}

/* Start closing: our close frame, then the socket once it is out. */
static void begin_close(tf_feed_ws *w, uint16_t code, const char *why)
{
    if (w->state == WS_IDLE || w->state == WS_CLOSING)
        return;
    if (why && !w->why[0])
        snprintf(w->why, sizeof w->why, "%s", why);
    bool up = w->state == WS_UP;
    w->state = WS_CLOSING;
    w->closing_ns = w->now;
    if (up && !w->close_queued) {
        uint8_t body[2] = {(uint8_t)(code >> 8), (uint8_t)code};
        send_frame(w, TF_WS_OP_CLOSE, body, 2);
        w->close_queued = true;
    }
}

/* ---- receiving ---- */

static void on_data_piece(void *ctx, const char *p, size_t len, unsigned flags)
{
    tf_feed_ws *w = ctx;
    if (w->state == WS_UP)
        w->ops->data(w->ctx, p, len, flags, w->now);
}

static void on_control(void *ctx, unsigned opcode, const uint8_t *p, size_t len)
{
    tf_feed_ws *w = ctx;
    switch (opcode) {
    case TF_WS_OP_PING:
        w->c.pings_seen++;
        if (w->state == WS_UP) {
            send_frame(w, TF_WS_OP_PONG, p, len);
            w->c.pongs_sent++;
        }
        return;
    case TF_WS_OP_PONG:
        w->c.pongs_seen++;
        return;
    case TF_WS_OP_CLOSE: {
        w->c.closes_seen++;
        w->peer_closed = true;
        uint16_t code = len >= 2 ? (uint16_t)(p[0] << 8 | p[1]) : TF_WS_CLOSE_NORMAL;
        char why[160];
        snprintf(why, sizeof why, "the venue closed the stream (%u %.*s)", code, (int)(len > 2 ? len - 2 : 0),
                 (const char *)p + 2);
        begin_close(w, code, why); /* the answer echoes its code */
        return;
    }
    default:
        return;
    }
}

static const tf_ws_sink tf__sink = {.data = on_data_piece, .control = on_control};

static void on_ws_bytes(tf_feed_ws *w, const char *p, size_t n)
{
    w->last_rx_ns = w->now;
    if (w->state == WS_UPGRADING) {
        size_t take = n;
        if (take > sizeof w->hs - w->hs_len)
            take = sizeof w->hs - w->hs_len;
        memcpy(w->hs + w->hs_len, p, take);
        w->hs_len += (uint32_t)take;
        size_t hl = 0;
        char why[160];
        tf_ws_hs_result r = tf_ws_response_check(w->hs, w->hs_len, w->key, &hl, why, sizeof why);
        if (r == TF_WS_HS_MORE)
            return;
        if (r == TF_WS_HS_BAD) {
            snprintf(w->why, sizeof w->why, "upgrade refused: %.140s", why);
            finish(w, NULL);
            return;
        }
        /* Up. Whatever followed the header in this read is frames. */
        size_t rest = w->hs_len - hl;
        size_t from_p = n - take; /* bytes of p past what hs held (hs was full) */
        w->state = WS_UP;
        w->upgraded = true;
        w->hs_len = 0;
        w->ops->connected(w->ctx, w->now);
        if (rest && w->state == WS_UP)
            on_ws_bytes(w, w->hs + hl, rest);
        if (from_p && w->state == WS_UP)
            on_ws_bytes(w, p + take, from_p);
        return;
    }
    if (w->state != WS_UP && w->state != WS_CLOSING)
        return;
    if (tf_ws_parse(&w->parser, p, n, &tf__sink, w) != 0 && w->state == WS_UP) {
        w->c.protocol_errors++;
        char why[160];
        snprintf(why, sizeof why, "protocol error from the venue: %.100s", w->parser.why);
        begin_close(w, TF_WS_CLOSE_PROTOCOL, why);
    }
}

static void on_plain(void *ctx, const char *p, size_t n) { on_ws_bytes(ctx, p, n); }

static void queue_request(tf_feed_ws *w)
{
    char req[TF__WS_OUT_CAP];
    size_t n = tf_ws_request(req, sizeof req, w->host, w->port, w->tls_on, w->path, w->key);
    if (!n || !out_put(w, req, n))
        finish(w, "the upgrade request does not fit");
}

static void on_net(void *ctx, uint32_t conn, tf_net_event ev, int res, const char *data, size_t len)
{
    tf_feed_ws *w = ctx;
    (void)conn;
    switch (ev) {
    case TF_NET_EV_CONNECTED:
        w->state = WS_UPGRADING;
        if (w->tls_on && tf_tls_start(&w->tls, &w->tls_ctx) != 0) {
            finish(w, "TLS could not start");
            return;
        }
        queue_request(w); /* with TLS it waits in out until the handshake is done */
        return;
    case TF_NET_EV_DATA:
        w->now = tf_now_ns(); /* the message's receive stamp: after the kernel's deferred work ran */
        if (!w->tls_on) {
            on_ws_bytes(w, data, len);
            return;
        }
        if (tf_tls_feed(&w->tls, data, len, on_plain, w) != 0) {
            char why[96];
            snprintf(why, sizeof why, "TLS: %s (error %lu)", tf_tls_ready(&w->tls) ? "session failed" : "handshake failed",
                     w->tls.last_error);
            finish(w, why);
        }
        return;
    case TF_NET_EV_SENT:
        if (w->tls_on) {
            tf_tls_cipher_done(&w->tls, (size_t)res);
        } else {
            w->out_off += (uint32_t)res;
            w->out_inflight = 0;
            if (w->out_off == w->out_len)
                w->out_off = w->out_len = 0;
        }
        return;
    case TF_NET_EV_CLOSED: {
        w->out_inflight = 0;
        char why[96];
        if (w->state == WS_CONNECTING)
            snprintf(why, sizeof why, "connect: %s", strerror(-res));
        else if (res == 0)
            snprintf(why, sizeof why, "the venue hung up");
        else
            snprintf(why, sizeof why, "connection lost: %s", strerror(-res));
        if (res == 0 && w->state != WS_CONNECTING && w->state != WS_UPGRADING)
            w->peer_closed = true;
        finish(w, why);
        return;
    }
    }
}

/* ---- the owner's calls ---- */

tf_feed_ws *tf_feed_ws_open(const tf_feed_ws_cfg *cfg, const tf_feed_ws_ops *ops, void *ctx)
{
    tf_feed_ws *w = calloc(1, sizeof *w);
    if (!w) {
        TF_ERR("feed: out of memory");
        return NULL;
    }
    w->path = strdup(cfg->path);
    snprintf(w->host, sizeof w->host, "%s", cfg->host);
    snprintf(w->ca_file, sizeof w->ca_file, "%s", cfg->ca_file ? cfg->ca_file : "");
    w->port = cfg->port;
    w->tls_on = cfg->tls;
    w->ping_interval_ns = cfg->ping_interval_ns ? cfg->ping_interval_ns : 5000000000ull;
    w->handshake_timeout_ns = cfg->handshake_timeout_ns ? cfg->handshake_timeout_ns : 10000000000ull;
    w->ops = ops;
    w->ctx = ctx;
    if (!w->path) {
        TF_ERR("feed: out of memory");
        goto fail;
    }
    if (tf_net_init(&w->net, 1, false, -1, false) != 0) {
        TF_ERR_CTX("feed: io_uring transport: ");
        goto fail;
    }
    if (w->tls_on) {
        if (tf_tls_ctx_init(&w->tls_ctx, cfg->tls_verify, w->ca_file, w->host) != 0 || tf_tls_init(&w->tls) != 0) {
            TF_ERR_CTX("feed: TLS: ");
            goto fail;
        }
        w->tls_ctx_ready = true;
    }
    return w;
fail:
    tf_feed_ws_free(w);
    return NULL;
}

void tf_feed_ws_free(tf_feed_ws *w)
{
    if (!w)
        return;
    if (w->net.ring_open)
        tf_net_free(&w->net);
    if (w->tls_ctx_ready) {
        tf_tls_free(&w->tls);
        tf_tls_ctx_free(&w->tls_ctx);
    }
    free(w->path);
    free(w);
}

int tf_feed_ws_connect(tf_feed_ws *w, uint64_t now)
{
    if (w->state != WS_IDLE)
        return TF_ERR("feed: a connection is already in place");
    w->now = now;
    /* Resolved at each connect: a venue's address may change within a day. */
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai = NULL;
    int gai = getaddrinfo(w->host, NULL, &hints, &ai);
    if (gai != 0 || !ai)
        return TF_ERR("feed.url host %s: %s", w->host, gai_strerror(gai));
    struct sockaddr_in addr;
    memcpy(&addr, ai->ai_addr, sizeof addr);
    freeaddrinfo(ai);
    addr.sin_port = htons((uint16_t)w->port);
    if (tf_ws_key_new(w->key) != 0 || getrandom(&w->mask_state, sizeof w->mask_state, 0) != sizeof w->mask_state)
        return TF_ERR("feed: no random bytes for the WebSocket key: %s", strerror(errno));
    w->mask_state |= 1; /* xorshift must not start at 0 */
    w->out_len = w->out_off = w->out_inflight = 0;
    w->hs_len = 0;
    w->why[0] = 0;
    w->peer_closed = w->close_queued = w->upgraded = false;
    tf_ws_parser_init(&w->parser);
    w->started_ns = w->last_rx_ns = w->last_ping_ns = now;
    w->state = WS_CONNECTING;
    if (tf_net_connect(&w->net, 0, &addr, TF__WS_CONNECT_TIMEOUT_MS) != 0) {
        w->state = WS_IDLE;
        return TF_ERR("feed: no socket: %s", strerror(errno));
    }
    return 0;
}

void tf_feed_ws_close(tf_feed_ws *w, bool going_away, uint64_t now)
{
    w->now = now;
    if (w->state == WS_CONNECTING || w->state == WS_UPGRADING) {
        w->state = WS_CLOSING; /* nothing to say yet: the socket goes at the next poll */
        w->closing_ns = now - TF__WS_CLOSE_WAIT_NS;
        return;
    }
    begin_close(w, going_away ? TF_WS_CLOSE_GOING_AWAY : TF_WS_CLOSE_NORMAL, "");
}

/* Time since t; 0 when t is later (a receive stamp taken after this
 * cycle's clock read). */
static uint64_t since(uint64_t now, uint64_t t) { return now > t ? now - t : 0; }

static void timers(tf_feed_ws *w, uint64_t now)
{
    switch (w->state) {
    case WS_CONNECTING:
    case WS_UPGRADING:
        if (since(now, w->started_ns) > w->handshake_timeout_ns)
            finish(w, w->state == WS_CONNECTING ? "connect timed out" : "the upgrade did not finish in time");
        return;
    case WS_UP:
        if (since(now, w->last_rx_ns) > 3 * w->ping_interval_ns) {
            begin_close(w, TF_WS_CLOSE_GOING_AWAY, "no answer to pings");
        } else if (since(now, w->last_rx_ns) > w->ping_interval_ns && since(now, w->last_ping_ns) > w->ping_interval_ns) {
            w->last_ping_ns = now;
            send_frame(w, TF_WS_OP_PING, "tf", 2);
            w->c.pings_sent++;
        }
        return;
    case WS_CLOSING:
        if ((w->close_queued && out_empty(w) && w->net.conns[0].state == TF_NET_OPEN) ||
            since(now, w->closing_ns) >= TF__WS_CLOSE_WAIT_NS || w->net.conns[0].state != TF_NET_OPEN)
            finish(w, NULL);
        return;
    default:
        return;
    }
}

uint32_t tf_feed_ws_poll(tf_feed_ws *w, uint64_t now)
{
    if (w->state == WS_IDLE)
        return 0;
    w->now = now;
    uint32_t n = tf_net_reap(&w->net, on_net, w, 16);
    w->now = now;
    if (w->state != WS_IDLE)
        timers(w, now);
    if (w->state != WS_IDLE) {
        flush_out(w);
        tf_net_submit(&w->net);
    }
    return n;
}

bool tf_feed_ws_active(const tf_feed_ws *w) { return w->state != WS_IDLE; }

const tf_feed_ws_counters *tf_feed_ws_counts(const tf_feed_ws *w) { return &w->c; }

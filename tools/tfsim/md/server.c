/* tfsim's server side (libwebsockets): WebSocket sessions at /ws/<stream>
 * and /stream?streams=a/b (with the {"stream":..,"data":..} wrapper), the
 * SUBSCRIBE/UNSUBSCRIBE methods, GET /api/v3/depth, and per-session send
 * buffers of ready-made frames written raw, many frames per send().
 * --t2t-out: each session also remembers where its unsent trade and
 * aggTrade frames end in its ring, so that a write completing one is
 * stamped just before it goes to lws_write (t2t.c). The bottom of md/: it
 * calls nothing in market.c or gen.c; the REST snapshot comes from
 * sim_server_ops (market.c's sim_depth_json, wired by main.c). */
#include "tools/tfsim/sim.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libwebsockets.h>

#include "tools/tfsim/fmt.h"

typedef struct pss {
    int session;       /* index into sim.sess, -1 for HTTP */
    char *body;        /* HTTP response body */
    size_t body_len;
    int status;
} pss;

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A query argument's value; lws 4.1 hands back "name=value" for some
 * spellings of the name and just the value for others. */
static const char *urlarg(struct lws *wsi, const char *name, char *buf, int len)
{
    char key[32];
    snprintf(key, sizeof key, "%s=", name);
    const char *v = lws_get_urlarg_by_name(wsi, key, buf, len);
    if (v && strncmp(v, key, strlen(key)) == 0)
        v += strlen(key);
    return v;
}

static size_t ring_used(const sim_session *ss) { return ss->head - ss->tail; }

static void ring_put(sim_session *ss, const void *src, size_t n)
{
    unsigned char *ring = ss->buf + LWS_PRE;
    size_t off = ss->head % SIM_SEND_BUF, first = SIM_SEND_BUF - off < n ? SIM_SEND_BUF - off : n;
    memcpy(ring + off, src, first);
    memcpy(ring, (const char *)src + first, n - first);
    ss->head += n;
}

/* --t2t-out: a trade frame ends at the ring's head. */
static void trade_end(sim_session *ss)
{
    if (ss->te_tail - ss->te_head == SIM_T2T_ENDS) /* far behind: the newest end stands for both */
        ss->te_tail--;
    ss->trade_ends[ss->te_tail++ % SIM_T2T_ENDS] = ss->head;
}

/* --t2t-out: does writing ring bytes up to `upto` complete a trade frame? */
static bool trade_written(sim_session *ss, uint64_t upto)
{
    bool any = false;
    while (ss->te_head != ss->te_tail && ss->trade_ends[ss->te_head % SIM_T2T_ENDS] <= upto) {
        ss->te_head++;
        any = true;
    }
    return any;
}

static size_t frame_header(unsigned char *hdr, unsigned b0, size_t n)
{
    size_t h = 0;
    hdr[h++] = (unsigned char)b0;
    if (n < 126) {
        hdr[h++] = (unsigned char)n;
    } else if (n < 65536) {
        hdr[h++] = 126;
        hdr[h++] = (unsigned char)(n >> 8);
        hdr[h++] = (unsigned char)n;
    } else {
        hdr[h++] = 127;
        for (int i = 7; i >= 0; i--)
            hdr[h++] = (unsigned char)((uint64_t)n >> (8 * i));
    }
    return h;
}

/* Fault ws-fragment: the message [pre|data|post] as a text frame and two
 * continuations, a ping between the first two (a control frame may come
 * inside a fragmented message). */
static void queue_fragmented(sim_session *ss, const char *pre, size_t pre_len, const char *data, size_t len,
                             const char *post, size_t post_len)
{
    size_t n = pre_len + len + post_len;
    char *all = malloc(n ? n : 1);
    if (!all)
        return;
    memcpy(all, pre, pre_len);
    memcpy(all + pre_len, data, len);
    memcpy(all + pre_len + len, post, post_len);
    size_t cut1 = n / 3, cut2 = 2 * n / 3;
    unsigned char hdr[10];
    ring_put(ss, hdr, frame_header(hdr, 0x01, cut1));
    ring_put(ss, all, cut1);
    ring_put(ss, hdr, frame_header(hdr, 0x89, 4));
    ring_put(ss, "tfsp", 4);
    ring_put(ss, hdr, frame_header(hdr, 0x00, cut2 - cut1));
    ring_put(ss, all + cut1, cut2 - cut1);
    ring_put(ss, hdr, frame_header(hdr, 0x80, n - cut2));
    ring_put(ss, all + cut2, n - cut2);
    free(all);
}

/* Faults ws-close and ws-badframe, due after this session's msgs_queued. */
static void ws_layer_faults(sim *s, sim_session *ss)
{
    unsigned char hdr[10];
    if (s->fault.ws_badframe_after && ss->msgs_queued == s->fault.ws_badframe_after) {
        ring_put(ss, hdr, frame_header(hdr, 0xC1, 2)); /* RSV1 set: nothing was negotiated */
        ring_put(ss, "{}", 2);
        fprintf(stderr, "tfsim: client %d sent a frame with a reserved bit\n", (int)(ss - s->sess));
    }
    if (s->fault.ws_close_after && ss->msgs_queued == s->fault.ws_close_after) {
        static const char body[] = "\x03\xe9tfsim going away"; /* 1001 */
        ring_put(ss, hdr, frame_header(hdr, 0x88, sizeof body - 1));
        ring_put(ss, body, sizeof body - 1);
        ss->ws_closed = true;
        fprintf(stderr, "tfsim: client %d sent a close frame\n", (int)(ss - s->sess));
    }
}

/* Queue one text frame (server frames are not masked); trade: a trade
 * message (noted for --t2t-out). */
static void queue_frame(sim *s, sim_session *ss, const char *pre, size_t pre_len, const char *data, size_t len,
                        const char *post, size_t post_len, bool trade)
{
    if (ss->cut || ss->next_drop == UINT64_MAX - 1 || ss->ws_closed)
        return;
    size_t n = pre_len + len + post_len;
    unsigned char hdr[10];
    size_t h = frame_header(hdr, 0x81, n);
    if (ring_used(ss) + h + n + 64 > SIM_SEND_BUF) { /* 64: the fault frames' headers and pings */
        ss->cut = true; /* too far behind: cut it, as a venue does */
        s->c_slow_cut++;
        fprintf(stderr, "tfsim: client %d too slow (%zu bytes queued): disconnecting it\n",
                (int)(ss - s->sess), ring_used(ss));
        return;
    }
    if (s->fault.ws_fragment_every && (ss->msgs_queued + 1) % s->fault.ws_fragment_every == 0) {
        queue_fragmented(ss, pre, pre_len, data, len, post, post_len);
    } else {
        ring_put(ss, hdr, h);
        if (pre_len)
            ring_put(ss, pre, pre_len);
        ring_put(ss, data, len);
        if (post_len)
            ring_put(ss, post, post_len);
    }
    if (trade && ss->trade_ends)
        trade_end(ss);
    ss->msgs_queued++;
    ws_layer_faults(s, ss);
    if (s->fault.drop_every && ss->msgs_queued >= ss->next_drop)
        ss->next_drop = UINT64_MAX - 1; /* marks: close once what is queued is sent */
}

void sim_publish(sim *s, int si, uint32_t kind, const char *stream, const char *data, size_t len)
{
    char pre[96];
    bool trade = (kind & (SK_TRADE | SK_AGG)) != 0;
    for (int i = 0; i < SIM_MAX_SESSIONS; i++) {
        sim_session *ss = &s->sess[i];
        if (!ss->used || si < 0 || !(ss->subs[si] & kind))
            continue;
        if (ss->combined) {
            int pl = snprintf(pre, sizeof pre, "{\"stream\":\"%s\",\"data\":", stream);
            queue_frame(s, ss, pre, (size_t)pl, data, len, "}", 1, trade);
        } else {
            queue_frame(s, ss, NULL, 0, data, len, NULL, 0, trade);
        }
    }
}

void sim_publish_raw(sim *s, const char *data, size_t len)
{
    for (int i = 0; i < SIM_MAX_SESSIONS; i++)
        if (s->sess[i].used)
            queue_frame(s, &s->sess[i], NULL, 0, data, len, NULL, 0, false);
}

int sim_active_sessions(const sim *s)
{
    int n = 0;
    for (int i = 0; i < SIM_MAX_SESSIONS; i++)
        n += s->sess[i].used;
    return n;
}

static uint32_t kind_of(const char *k, size_t n)
{
    if (n == 5 && memcmp(k, "trade", 5) == 0) return SK_TRADE;
    if (n == 8 && memcmp(k, "aggTrade", 8) == 0) return SK_AGG;
    if (n == 10 && memcmp(k, "bookTicker", 10) == 0) return SK_BOOK_TICKER;
    if (n == 11 && memcmp(k, "depth@100ms", 11) == 0) return SK_DEPTH_100MS;
    if (n == 5 && memcmp(k, "depth", 5) == 0) return SK_DEPTH_1S;
    if (n == 8 && memcmp(k, "kline_1m", 8) == 0) return SK_KLINE;
    return 0;
}

/* "btcusdt@trade/ethusdt@depth@100ms" (separated by '/' or ','; quotes ignored) */
static void subscribe(sim *s, sim_session *ss, const char *list, int on)
{
    const char *p = list;
    while (*p) {
        while (*p == '/' || *p == ',' || *p == '"' || *p == ' ' || *p == '[' || *p == ']')
            p++;
        const char *e = p;
        while (*e && *e != '/' && *e != ',' && *e != '"' && *e != ']')
            e++;
        const char *at = memchr(p, '@', (size_t)(e - p));
        if (at) {
            int si = sim_find_symbol(s, p, (size_t)(at - p));
            uint32_t k = kind_of(at + 1, (size_t)(e - at - 1));
            if (si >= 0 && k) {
                if (on)
                    ss->subs[si] |= (uint8_t)k;
                else
                    ss->subs[si] &= (uint8_t)~k;
            }
        }
        p = e;
    }
}

static int on_ws_established(sim *s, struct lws *wsi, pss *ps)
{
    int idx = -1;
    for (int i = 0; i < SIM_MAX_SESSIONS && idx < 0; i++)
        if (!s->sess[i].used)
            idx = i;
    if (idx < 0)
        return -1;
    sim_session *ss = &s->sess[idx];
    memset(ss, 0, sizeof *ss);
    ss->buf = malloc(LWS_PRE + SIM_SEND_BUF);
    if (!ss->buf)
        return -1;
    if (s->t2t && !(ss->trade_ends = malloc(SIM_T2T_ENDS * sizeof *ss->trade_ends))) {
        free(ss->buf);
        ss->buf = NULL;
        return -1;
    }
    ss->wsi = wsi;
    ss->used = true;
    ss->next_drop = s->fault.drop_every ? s->fault.drop_every : UINT64_MAX;
    ps->session = idx;
    char uri[512] = "", args[4096] = "";
    const char *v = NULL;
    lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI);
    if (strncmp(uri, "/stream", 7) == 0) {
        ss->combined = true;
        v = urlarg(wsi, "streams", args, sizeof args);
        if (v)
            subscribe(s, ss, v, 1);
    } else if (strncmp(uri, "/ws/", 4) == 0) {
        subscribe(s, ss, uri + 4, 1);
    } /* "/ws": raw, subscriptions come by SUBSCRIBE */
    s->c_clients++;
    fprintf(stderr, "tfsim: client %d connected: %s%s%s\n", idx, uri, v ? "?streams=" : "", v ? v : "");
    return 0;
}

/* {"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1} */
static void on_ws_text(sim *s, sim_session *ss, const char *in, size_t len)
{
    char msg[4096];
    snprintf(msg, sizeof msg, "%.*s", (int)len, in);
    const char *m = strstr(msg, "\"method\"");
    const char *params = strstr(msg, "\"params\"");
    const char *id = strstr(msg, "\"id\"");
    long idv = id ? strtol(strchr(id, ':') ? strchr(id, ':') + 1 : "0", NULL, 10) : 0;
    char reply[128];
    int n;
    if (m && params && (strstr(m, "\"SUBSCRIBE\"") || strstr(m, "\"UNSUBSCRIBE\""))) {
        const char *open = strchr(params, '['), *close = open ? strchr(open, ']') : NULL;
        if (open && close) {
            char list[4096];
            snprintf(list, sizeof list, "%.*s", (int)(close - open - 1), open + 1);
            subscribe(s, ss, list, strstr(m, "\"SUBSCRIBE\"") != NULL);
        }
        n = snprintf(reply, sizeof reply, "{\"result\":null,\"id\":%ld}", idv);
    } else {
        n = snprintf(reply, sizeof reply, "{\"code\":2,\"msg\":\"Invalid request\",\"id\":%ld}", idv);
    }
    queue_frame(s, ss, NULL, 0, reply, (size_t)n, NULL, 0, false);
}

static int on_ws_writeable(sim *s, struct lws *wsi, sim_session *ss)
{
    if (mono_ns() < s->stall_until_ns)
        return 0;
    static unsigned char out[LWS_PRE + 65536];
    while (ring_used(ss) && !lws_send_pipe_choked(wsi)) {
        size_t off = ss->tail % SIM_SEND_BUF;
        size_t n = ring_used(ss);
        if (n > 65536)
            n = 65536;
        if (n > SIM_SEND_BUF - off)
            n = SIM_SEND_BUF - off;
        memcpy(out + LWS_PRE, ss->buf + LWS_PRE + off, n);
        if (ss->trade_ends && trade_written(ss, ss->tail + n))
            sim_t2t_trade_write(s->t2t, mono_ns()); /* just before the send */
        int w = lws_write(wsi, out + LWS_PRE, n, LWS_WRITE_RAW);
        if (w < 0)
            return -1;
        ss->tail += n; /* lws keeps any part the kernel did not take and sends it first */
        break;         /* one write per writeable callback: lws asks again */
    }
    if (ring_used(ss)) {
        lws_callback_on_writable(wsi);
        return 0;
    }
    if (ss->cut)
        return -1;
    if (ss->next_drop == UINT64_MAX - 1) {
        s->c_dropped++;
        return -1; /* fault: drop the connection */
    }
    return 0;
}

static int on_http(sim *s, struct lws *wsi, pss *ps, const char *path)
{
    unsigned char hdr[LWS_PRE + 1024], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr - 1;
    ps->session = -1;
    ps->body = malloc(SIM_MSG_MAX);
    if (!ps->body)
        return -1;
    char sym[32] = "", lim[16] = "";
    int status = 200;
    if (strcmp(path, "/api/v3/depth") != 0) {
        status = 404;
        ps->body_len = (size_t)snprintf(ps->body, SIM_MSG_MAX, "{\"code\":-1000,\"msg\":\"Unknown path.\"}");
    } else {
        const char *sv = urlarg(wsi, "symbol", sym, sizeof sym);
        if (!sv)
            sv = "";
        memmove(sym, sv, strlen(sv) + 1);
        const char *l = urlarg(wsi, "limit", lim, sizeof lim);
        long limit = l ? strtol(l, NULL, 10) : 100;
        int si = sim_find_symbol(s, sym, strlen(sym));
        if (si < 0) {
            status = 400;
            ps->body_len = (size_t)snprintf(ps->body, SIM_MSG_MAX, "{\"code\":-1121,\"msg\":\"Invalid symbol.\"}");
        } else if (limit < 1 || limit > 5000) {
            status = 400;
            ps->body_len = (size_t)snprintf(ps->body, SIM_MSG_MAX,
                                            "{\"code\":-1100,\"msg\":\"Illegal characters found in parameter 'limit'.\"}");
        } else {
            const sim_server_ops *o = &s->server_ops;
            ps->body_len = o->depth_json ? o->depth_json(o->ctx, (uint32_t)si, (uint32_t)limit, ps->body, SIM_MSG_MAX) : 0;
        }
    }
    if (lws_add_http_common_headers(wsi, (unsigned)status, "application/json", ps->body_len, &p, end) ||
        lws_finalize_write_http_header(wsi, start, &p, end))
        return 1;
    lws_callback_on_writable(wsi);
    return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    struct lws_context *ctx = lws_get_context(wsi);
    sim *s = ctx ? lws_context_user(ctx) : NULL;
    pss *ps = user;
    if (!s)
        return 0;
    switch (reason) {
    case LWS_CALLBACK_HTTP:
        return on_http(s, wsi, ps, in ? (const char *)in : "");
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (!ps || !ps->body)
            return -1;
        if (lws_write(wsi, (unsigned char *)ps->body, ps->body_len, LWS_WRITE_HTTP_FINAL) != (int)ps->body_len)
            return -1;
        free(ps->body);
        ps->body = NULL;
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    case LWS_CALLBACK_CLOSED_HTTP:
        if (ps && ps->body) {
            free(ps->body);
            ps->body = NULL;
        }
        return 0;
    case LWS_CALLBACK_ESTABLISHED:
        return on_ws_established(s, wsi, ps);
    case LWS_CALLBACK_RECEIVE:
        if (ps->session >= 0)
            on_ws_text(s, &s->sess[ps->session], in, len);
        return 0;
    case LWS_CALLBACK_RECEIVE_PONG:
        if (ps->session >= 0)
            s->sess[ps->session].pongs++;
        return 0;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (ps->session >= 0 && s->sess[ps->session].ws_closed)
            s->sess[ps->session].close_answers++;
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        if (ps->session < 0)
            return 0;
        return on_ws_writeable(s, wsi, &s->sess[ps->session]);
    case LWS_CALLBACK_CLOSED:
        if (ps->session >= 0) {
            sim_session *ss = &s->sess[ps->session];
            free(ss->buf);
            free(ss->trade_ends);
            fprintf(stderr, "tfsim: client %d gone after %llu messages, %llu pongs, %s\n", ps->session,
                    (unsigned long long)ss->msgs_queued, (unsigned long long)ss->pongs,
                    !ss->ws_closed ? "no close frame sent" : ss->close_answers ? "our close answered" : "our close unanswered");
            memset(ss, 0, sizeof *ss);
            ps->session = -1;
        }
        return 0;
    default:
        return 0;
    }
}

static struct lws_protocols protocols[] = {
    {.name = "binance", .callback = callback, .per_session_data_size = sizeof(pss), .rx_buffer_size = 4096},
    {.name = NULL},
};

static lws_retry_bo_t retry;

int sim_server_start(sim *s, const sim_server_ops *ops)
{
    if (ops)
        s->server_ops = *ops;
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    char cert[128], key[128];
    lws_set_log_level(LLL_ERR, NULL);
    info.port = s->port;
    info.iface = s->bind;
    info.protocols = protocols;
    info.user = s;
    info.fd_limit_per_thread = 1 + SIM_MAX_SESSIONS * 2;
    retry.secs_since_valid_ping = (uint16_t)s->ping_s;
    retry.secs_since_valid_hangup = (uint16_t)(s->ping_s * 3);
    info.retry_and_idle_policy = &retry;
    info.options = LWS_SERVER_OPTION_VALIDATE_UTF8 * 0;
    if (s->tls) {
        if (sim_make_cert(s, cert, sizeof cert, key, sizeof key) != 0)
            return -1;
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.ssl_cert_filepath = cert;
        info.ssl_private_key_filepath = key;
    }
    s->ctx = lws_create_context(&info);
    if (!s->ctx) {
        fprintf(stderr, "tfsim: cannot listen on %s:%d\n", s->bind, s->port);
        return -1;
    }
    if (s->port == 0) {
        struct lws_vhost *vh = lws_get_vhost_by_name(s->ctx, "default");
        s->port = vh ? lws_get_vhost_listen_port(vh) : 0;
    }
    return 0;
}

void sim_service(sim *s)
{
    lws_service(s->ctx, -1);
    for (int i = 0; i < SIM_MAX_SESSIONS; i++) {
        sim_session *ss = &s->sess[i];
        if (ss->used && (ring_used(ss) || ss->cut || ss->next_drop == UINT64_MAX - 1))
            lws_callback_on_writable(ss->wsi);
    }
}

void sim_server_stop(sim *s)
{
    if (s->ctx)
        lws_context_destroy(s->ctx);
    s->ctx = NULL;
}

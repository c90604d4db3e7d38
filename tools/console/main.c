/* tfconsole: the live web console (console.h says what it pushes).
 *
 *   tfconsole -c CONFIG [--port-file FILE]
 *
 * Serves the pages (export.console.web_dir) and the WebSocket /ws on
 * export.console.bind:port, and the operator's actions: POST
 * /v1/op/kill?on=1|0, /v1/op/state?value=ACTIVE|REDUCING|HALTED,
 * /v1/op/cancel-all, each with "Authorization: Bearer <operator_token>";
 * without it 401, with no operator token configured 403. Off loopback every
 * request needs a token (viewers': export.console.token; in the browser the
 * WebSocket offers it as the subprotocol "bearer.<token>").
 * One lws service thread; a 10 ms timer reads the segments.
 * EXIT: 0 stopped, 1 usage, config, or cannot listen. */
#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <libwebsockets.h>
#include <openssl/crypto.h>

#include "shm/common.h"
#include "shm/err.h"
#include "tools/console/console.h"
#include "tools/console/ops.h"
#include "tools/oob/oob_process.h"

static console g_c;
static struct lws_context *g_ctx;
static lws_sorted_usec_list_t g_tick;
static char g_token[256], g_operator[256];
static uint64_t g_sessions, g_messages;

enum { S_HELLO, S_RESUME, S_HISTORY, S_LIVE };

typedef struct session {
    int phase;
    bool operator_;
    uint64_t sent_frame, sent_state, resyncs;
    uint32_t hist_next;
    uint64_t after[QS_MAX_INSTRUMENTS];
    uint64_t fills_after;
    con_text out;               /* LWS_PRE bytes, then the message */
} session;

/* Constant-time comparison of a presented token with a configured one. */
static bool token_is(const char *given, size_t n, const char *want)
{
    char a[256] = {0}, b[256] = {0};
    if (!want[0] || n >= sizeof a)
        return false;
    memcpy(a, given, n);
    memcpy(b, want, strlen(want));
    return CRYPTO_memcmp(a, b, sizeof a) == 0;
}

/* ---- the WebSocket ------------------------------------------------------------- */

static int send_text(struct lws *wsi, session *s, const char *msg, size_t n)
{
    s->out.len = 0;
    static const char pre[LWS_PRE] = {0};
    if (!con_put(&s->out, pre, LWS_PRE, SIZE_MAX) || !con_put(&s->out, msg, n, SIZE_MAX))
        return -1;
    g_messages++;
    return lws_write(wsi, (unsigned char *)s->out.p + LWS_PRE, n, LWS_WRITE_TEXT) < (int)n ? -1 : 0;
}

/* One message per writable callback, in order: hello, (resume), history per
 * instrument, then frames and state as they come. */
static int on_writable(struct lws *wsi, session *s)
{
    static con_text t;
    if (s->phase == S_LIVE && s->resyncs != g_c.resyncs) {
        s->resyncs = g_c.resyncs; /* a new journal, or frames lost: history again */
        s->phase = S_HISTORY;
        s->hist_next = 0;
    }
    if (s->phase == S_LIVE && s->sent_frame < g_c.frame_seq && g_c.frame_seq - s->sent_frame >= CON_FRAMES) {
        s->phase = S_HISTORY; /* fell behind the ring */
        s->hist_next = 0;
    }
    if (s->phase == S_HELLO) {
        console_hello(&g_c, &t, s->operator_);
        s->phase = S_RESUME;
        return send_text(wsi, s, t.p, t.len);
    }
    if (s->phase == S_HISTORY) {
        uint32_t n = console_instruments(&g_c);
        while (s->hist_next < n && !console_symbol(&g_c, s->hist_next))
            s->hist_next++;
        if (s->hist_next >= n) {
            s->phase = S_LIVE;
            s->sent_frame = g_c.frame_seq; /* history holds everything up to here */
            /* The fills and PnL so far; the state messages bring what follows. */
            console_record_history(&g_c, &t, s->fills_after);
            s->sent_state = g_c.state_seq;
            lws_callback_on_writable(wsi);
            return send_text(wsi, s, t.p, t.len);
        }
        uint32_t id = s->hist_next++;
        console_history(&g_c, &t, id, s->after[id]);
        lws_callback_on_writable(wsi);
        return send_text(wsi, s, t.p, t.len);
    }
    if (s->phase != S_LIVE)
        return 0;
    int rc = 0;
    if (s->sent_frame < g_c.frame_seq) {
        const con_text *f = &g_c.frames[(s->sent_frame + 1) % CON_FRAMES];
        s->sent_frame++;
        rc = send_text(wsi, s, f->p, f->len);
    } else if (s->sent_state + 1 < g_c.state_seq && g_c.state.len) {
        /* States skipped (a slow browser): the fills they carried come
         * again whole; the page keeps each fill once, by its seq. */
        s->sent_state = g_c.state_seq - 1;
        console_record_history(&g_c, &t, 0);
        rc = send_text(wsi, s, t.p, t.len);
    } else if (s->sent_state < g_c.state_seq && g_c.state.len) {
        s->sent_state = g_c.state_seq;
        rc = send_text(wsi, s, g_c.state.p, g_c.state.len);
    }
    if (s->sent_frame < g_c.frame_seq || s->sent_state < g_c.state_seq)
        lws_callback_on_writable(wsi);
    return rc;
}

/* The browser's resume: {"type":"resume","after":{"BTCUSDT":123,...}}. */
static void on_resume(session *s, const char *in, size_t len)
{
    if (s->phase != S_RESUME || len > 16384)
        return;
    json_t *j = json_loadb(in, len, 0, NULL);
    json_t *after = json_object_get(j, "after");
    for (uint32_t id = 0; id < console_instruments(&g_c); id++) {
        const char *sym = console_symbol(&g_c, id);
        json_t *v = sym ? json_object_get(after, sym) : NULL;
        s->after[id] = json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
    }
    json_t *fa = json_object_get(j, "fills_after");
    s->fills_after = json_is_integer(fa) && json_integer_value(fa) > 0 ? (uint64_t)json_integer_value(fa) : 0;
    json_decref(j);
    s->phase = S_HISTORY;
    s->hist_next = 0;
    s->resyncs = g_c.resyncs;
}

/* The subprotocols the browser offered: "tf-console, bearer.<token>". */
static void offered_tokens(struct lws *wsi, bool *viewer, bool *operator_)
{
    char list[600] = "";
    *viewer = !g_token[0] && oob_loopback(g_c.cfg.export_.console.bind);
    *operator_ = false;
    if (lws_hdr_copy(wsi, list, sizeof list, WSI_TOKEN_PROTOCOL) <= 0)
        return;
    for (char *save = NULL, *p = strtok_r(list, ", ", &save); p; p = strtok_r(NULL, ", ", &save)) {
        if (strncmp(p, "bearer.", 7) != 0)
            continue;
        if (token_is(p + 7, strlen(p + 7), g_operator))
            *operator_ = *viewer = true;
        if (token_is(p + 7, strlen(p + 7), g_token))
            *viewer = true;
    }
}

static int on_ws(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    session *s = user;
    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
        bool viewer, op;
        offered_tokens(wsi, &viewer, &op);
        return viewer ? 0 : -1; /* off loopback without a token: the upgrade is refused */
    }
    case LWS_CALLBACK_ESTABLISHED: {
        bool viewer, op;
        offered_tokens(wsi, &viewer, &op);
        memset(s, 0, sizeof *s);
        s->operator_ = op;
        g_sessions++;
        lws_callback_on_writable(wsi);
        return 0;
    }
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return on_writable(wsi, s);
    case LWS_CALLBACK_RECEIVE:
        if (lws_is_first_fragment(wsi) && lws_is_final_fragment(wsi)) {
            on_resume(s, in, len);
            lws_callback_on_writable(wsi);
        }
        return 0;
    case LWS_CALLBACK_CLOSED:
        free(s->out.p);
        s->out.p = NULL;
        return 0;
    default:
        return 0;
    }
}

/* ---- operator actions over HTTP -------------------------------------------------- */

static int reply(struct lws *wsi, int status, const char *body)
{
    unsigned char buf[LWS_PRE + 2048];
    unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
    size_t n = strlen(body);
    if (lws_add_http_common_headers(wsi, (unsigned)status, "application/json", n, &p, end) ||
        lws_finalize_write_http_header(wsi, start, &p, end))
        return -1;
    unsigned char out[LWS_PRE + 1024];
    if (n > 1024)
        n = 1024;
    memcpy(out + LWS_PRE, body, n);
    if (lws_write(wsi, out + LWS_PRE, n, LWS_WRITE_HTTP_FINAL) != (int)n)
        return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int on_op(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    (void)user;
    if (reason != LWS_CALLBACK_HTTP)
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    char path[128], auth[300] = "", arg[64] = "", body[512];
    snprintf(path, sizeof path, "%.*s", (int)(len < sizeof path ? len : sizeof path - 1), (const char *)in);
    if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) <= 0)
        return reply(wsi, 405, "{\"error\":\"operator actions are POST\"}");
    if (!g_operator[0])
        return reply(wsi, 403, "{\"error\":\"operator actions are off: no export.console.operator_token\"}");
    lws_hdr_copy(wsi, auth, sizeof auth, WSI_TOKEN_HTTP_AUTHORIZATION);
    if (strncmp(auth, "Bearer ", 7) != 0 || !token_is(auth + 7, strlen(auth + 7), g_operator))
        return reply(wsi, 401, "{\"error\":\"the operator's bearer token is required (Authorization: Bearer ...)\"}");
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    /* lws_get_urlarg_by_name hands back "name=value": the value follows. */
    char raw[80];
    const char *want = strcmp(name, "kill") == 0 ? "on=" : "value=";
    const char *v = lws_get_urlarg_by_name(wsi, want, raw, (int)sizeof raw);
    snprintf(arg, sizeof arg, "%s", v ? v : "");
    int status = ops_do(&g_c.cfg, name, arg, body, sizeof body);
    return reply(wsi, status, body);
}

static const struct lws_protocols protocols[] = {
    {"http", lws_callback_http_dummy, 0, 0, 0, NULL, 0},
    {"tf-console", on_ws, sizeof(session), 16384, 0, NULL, 0},
    {"tf-op", on_op, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void tick(lws_sorted_usec_list_t *sul)
{
    if (console_poll(&g_c, tf_now_ns()))
        lws_callback_on_writable_all_protocol(g_ctx, &protocols[1]);
    lws_sul_schedule(g_ctx, 0, sul, tick, 10 * LWS_US_PER_MS);
}

/* The pages: configured, else share/tradefan/web beside the binary (an
 * installed release), else build/web of this tree. */
static void web_dir(char *out, size_t cap, const char *configured)
{
    if (configured[0]) {
        snprintf(out, cap, "%s", configured);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;
    snprintf(out, cap, "%.3000s/../share/tradefan/web/index.html", exe);
    if (access(out, R_OK) == 0) {
        out[strlen(out) - strlen("/index.html")] = 0;
        return;
    }
    snprintf(out, cap, "%.3000s/../web", exe); /* build/bin -> build/web */
}

int main(int argc, char **argv)
{
    const char *config = NULL, *port_file = NULL;
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"port-file", required_argument, 0, 'p'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    for (int o; (o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1;) {
        if (o == 'c')
            config = optarg;
        else if (o == 'p')
            port_file = optarg;
        else {
            fprintf(stderr, "usage: tfconsole -c CONFIG [--port-file FILE]\n");
            return o == 'h' ? 0 : 1;
        }
    }
    static tf_config cfg;
    if (oob_load_config(config, &cfg) != 0)
        return 1;
    const tf_cfg_console *cc = &cfg.export_.console;
    if (!cc->enabled) {
        fprintf(stderr, "tfconsole: export.console.enabled is false; nothing to do\n");
        return 0;
    }
    if (tf_config_secret_read(&cc->token, g_token, sizeof g_token) != 0 ||
        tf_config_secret_read(&cc->operator_token, g_operator, sizeof g_operator) != 0) {
        fprintf(stderr, "tfconsole: %s\n", tf_err_msg());
        return 1;
    }
    if (!g_token[0] && !oob_loopback(cc->bind)) {
        fprintf(stderr, "tfconsole: export.console.bind %s is not a loopback address and no export.console.token "
                        "is configured: set a token, or bind to loopback\n", cc->bind);
        return 1;
    }
    oob_install_signals();
    if (oob_pin(&cfg) != 0 || console_init(&g_c, &cfg) != 0) {
        fprintf(stderr, "tfconsole: %s\n", tf_err_msg());
        return 1;
    }
    static char dir[4096];
    web_dir(dir, sizeof dir, cc->web_dir);
    static struct lws_http_mount op_mount, mount;
    op_mount.mountpoint = "/v1/op";
    op_mount.mountpoint_len = 6;
    op_mount.origin = "tf-op";
    op_mount.origin_protocol = LWSMPRO_CALLBACK;
    mount.mount_next = &op_mount;
    mount.mountpoint = "/";
    mount.mountpoint_len = 1;
    mount.origin = dir;
    mount.def = "index.html";
    mount.origin_protocol = LWSMPRO_FILE;
    lws_set_log_level(LLL_ERR, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = (int)cc->port;
    info.iface = cc->bind;
    info.protocols = protocols;
    info.mounts = &mount;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6 | LWS_SERVER_OPTION_VALIDATE_UTF8;
    info.keepalive_timeout = 60;
    g_ctx = lws_create_context(&info);
    struct lws_vhost *vh = g_ctx ? lws_get_vhost_by_name(g_ctx, "default") : NULL;
    int port = vh ? lws_get_vhost_listen_port(vh) : -1;
    if (!g_ctx || port <= 0) {
        fprintf(stderr, "tfconsole: cannot listen on %s:%u\n", cc->bind, cc->port);
        if (g_ctx)
            lws_context_destroy(g_ctx);
        return 1;
    }
    if (port_file)
        oob_write_number_file(port_file, (uint64_t)port);
    fprintf(stderr, "tfconsole: serving http://%s:%d/ for engine '%s' (pages in %s; operator actions %s)\n", cc->bind,
            port, cfg.instance, dir, g_operator[0] ? "with the operator token" : "off");
    lws_sul_schedule(g_ctx, 0, &g_tick, tick, 10 * LWS_US_PER_MS);
    while (!oob_stop)
        if (lws_service(g_ctx, 0) < 0)
            break;
    lws_context_destroy(g_ctx);
    ops_close();
    console_free(&g_c);
    fprintf(stderr, "tfconsole: stopped after %llu sessions, %llu messages\n", (unsigned long long)g_sessions,
            (unsigned long long)g_messages);
    return 0;
}

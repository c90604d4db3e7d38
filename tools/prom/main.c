/* tfexport-prom: the engine as Prometheus sees it. Serves GET /metrics
 * (text exposition format 0.0.4) on export.prom.bind:port, rendered at
 * each scrape from the engine's segments, mapped read-only: the engine
 * never waits for it and never knows it is there (tools/prom/prom_engine.h
 * lists what is served).
 *
 *   tfexport-prom -c CONFIG [--port-file FILE]
 *
 * One lws service thread; a scrape renders into a buffer of its own and
 * sends it in pieces. Any other path answers 404, any other method 405.
 * EXIT: 0 stopped, 1 usage, config or cannot listen. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "shm/common.h"
#include "shm/err.h"
#include "tools/oob/oob_process.h"
#include "tools/prom/prom_engine.h"

static prom_source g_src;

typedef struct pss {
    prom_buf body;
    int status;
    size_t sent;
} pss;

static int answer(struct lws *wsi, pss *s, int status, const char *type)
{
    unsigned char hdr[LWS_PRE + 512];
    unsigned char *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr - 1;
    s->status = status;
    if (lws_add_http_common_headers(wsi, (unsigned)status, type, s->body.len, &p, end) ||
        lws_finalize_write_http_header(wsi, start, &p, end))
        return 1;
    s->sent = 0;
    lws_callback_on_writable(wsi);
    return 0;
}

static void text(prom_buf *b, const char *msg)
{
    prom_init(b);
    b->p = strdup(msg);
    b->len = b->p ? strlen(msg) : 0;
    b->cap = b->len + 1;
}

static int on_http(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    pss *s = user;
    switch (reason) {
    case LWS_CALLBACK_HTTP: {
        if (!s)
            return -1;
        bool get = lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0;
        char path[64];
        snprintf(path, sizeof path, "%.*s", (int)(len < sizeof path ? len : sizeof path - 1), (const char *)in);
        if (!get) {
            text(&s->body, "only GET\n");
            return answer(wsi, s, 405, "text/plain");
        }
        if (strcmp(path, "/metrics") != 0) {
            text(&s->body, "not found: the metrics are at /metrics\n");
            return answer(wsi, s, 404, "text/plain");
        }
        prom_init(&s->body);
        prom_render(&g_src, &s->body);
        if (s->body.failed) {
            prom_free(&s->body);
            text(&s->body, "out of memory\n");
            return answer(wsi, s, 500, "text/plain");
        }
        return answer(wsi, s, 200, "text/plain; version=0.0.4; charset=utf-8");
    }
    case LWS_CALLBACK_HTTP_BODY:
        return 0;
    case LWS_CALLBACK_HTTP_WRITEABLE: {
        static unsigned char buf[LWS_PRE + 65536];
        if (!s)
            return -1;
        size_t left = s->body.len - s->sent;
        size_t n = left < 65536 ? left : 65536;
        if (n)
            memcpy(buf + LWS_PRE, s->body.p + s->sent, n);
        bool final = n == left;
        if (lws_write(wsi, buf + LWS_PRE, n, final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
            return 1;
        s->sent += n;
        if (!final) {
            lws_callback_on_writable(wsi);
            return 0;
        }
        prom_free(&s->body);
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    }
    case LWS_CALLBACK_CLOSED_HTTP:
        if (s)
            prom_free(&s->body);
        return 0;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    {"http", on_http, sizeof(pss), 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

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
            fprintf(stderr, "usage: tfexport-prom -c CONFIG [--port-file FILE]\n");
            return o == 'h' ? 0 : 1;
        }
    }
    static tf_config cfg;
    if (oob_load_config(config, &cfg) != 0)
        return 1;
    const tf_cfg_prom *pc = &cfg.export_.prom;
    if (!pc->enabled) {
        fprintf(stderr, "tfexport-prom: export.prom.enabled is false; nothing to do\n");
        return 0;
    }
    oob_install_signals();
    if (oob_pin(&cfg) != 0) {
        fprintf(stderr, "tfexport-prom: %s\n", tf_err_msg());
        return 1;
    }
    prom_source_init(&g_src, cfg.shm_dir, cfg.instance);
    lws_set_log_level(LLL_ERR, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = (int)pc->port;
    info.iface = pc->bind;
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    info.keepalive_timeout = 60;
    struct lws_context *ctx = lws_create_context(&info);
    struct lws_vhost *vh = ctx ? lws_get_vhost_by_name(ctx, "default") : NULL;
    int port = vh ? lws_get_vhost_listen_port(vh) : -1;
    if (!ctx || port <= 0) {
        fprintf(stderr, "tfexport-prom: cannot listen on %s:%u\n", pc->bind, pc->port);
        if (ctx)
            lws_context_destroy(ctx);
        return 1;
    }
    if (port_file)
        oob_write_number_file(port_file, (uint64_t)port);
    fprintf(stderr, "tfexport-prom: serving http://%s:%d/metrics for engine '%s' in %s\n", pc->bind, port,
            cfg.instance, cfg.shm_dir);
    while (!oob_stop)
        if (lws_service(ctx, 100) < 0)
            break;
    lws_context_destroy(ctx);
    prom_source_close(&g_src);
    fprintf(stderr, "tfexport-prom: stopped after %llu scrapes\n", (unsigned long long)g_src.scrapes);
    return 0;
}

/* tfquery: the query API for strategies (tools/query/api.h has the
 * endpoints), served over HTTP by libwebsockets on one thread, with a
 * second thread following the engine's market-data journal into the hot
 * store. Out of band: it maps the engine's segments read-only.
 *
 *   tfquery -c CONFIG [--port-file FILE] [--status NAME]
 *
 * Binds export.query.bind:port (127.0.0.1:8080 by default; port 0 = any
 * free port, written to --port-file). Optional bearer token
 * (export.query.token), required to bind off loopback (127.0.0.0/8, ::1).
 * Exit: 0 on SIGINT/SIGTERM, 1 config or bind error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "shm/common.h"
#include "shm/err.h"
#include "tools/oob/oob_process.h"
#include "tools/oob/influx_history.h"
#include "tools/query/api.h"

static q_server g_q;
static oob_status g_status;

/* Debian's libwebsockets is built without SMP service threads, and a second
 * context cannot share the listening port: one acceptor thread owns the
 * listening socket and hands each connection to an HTTP thread's context
 * (round robin) through a small queue; lws_cancel_service wakes that thread,
 * which adopts the socket from its own service loop. */
#define Q_MAX_THREADS 16
#define Q_HANDOFF 256
typedef struct handoff {
    struct lws_context *ctx;
    pthread_mutex_t lock;
    int fds[Q_HANDOFF];
    unsigned n;
} handoff;
static handoff g_hand[Q_MAX_THREADS];
static uint32_t g_nthreads;

static void adopt_pending(struct lws *wsi)
{
    struct lws_context *ctx = lws_get_context(wsi);
    for (uint32_t i = 0; i < g_nthreads; i++) {
        if (g_hand[i].ctx != ctx)
            continue;
        pthread_mutex_lock(&g_hand[i].lock);
        int fds[Q_HANDOFF];
        unsigned n = g_hand[i].n;
        memcpy(fds, g_hand[i].fds, n * sizeof *fds);
        g_hand[i].n = 0;
        pthread_mutex_unlock(&g_hand[i].lock);
        for (unsigned k = 0; k < n; k++)
            if (!lws_adopt_socket(ctx, fds[k]))
                close(fds[k]);
    }
}

typedef struct pss {
    q_response resp;
    size_t sent;
} pss;

static void read_args(struct lws *wsi, q_args *a)
{
    memset(a, 0, sizeof *a);
    /* lws_hdr_copy_fragment fails alike for a fragment longer than the
     * buffer and for no more fragments: with room for the whole query string
     * -1 only means "no more", and q_args_add refuses the long ones. */
    char frag[4096];
    int total = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS);
    if (total >= (int)sizeof frag) {
        a->too_long = true;
        return;
    }
    for (int i = 0;; i++) {
        int n = lws_hdr_copy_fragment(wsi, frag, sizeof frag, WSI_TOKEN_HTTP_URI_ARGS, i);
        if (n < 0)
            break;
        q_args_add(a, frag, (size_t)n);
    }
}

static int send_headers(struct lws *wsi, pss *s)
{
    unsigned char hdr[LWS_PRE + 512];
    unsigned char *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr - 1;
    if (lws_add_http_common_headers(wsi, (unsigned)s->resp.status, "application/json", s->resp.len, &p, end) ||
        lws_finalize_write_http_header(wsi, start, &p, end))
        return 1;
    s->sent = 0;
    lws_callback_on_writable(wsi);
    return 0;
}

static int on_http(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    pss *s = user;
    switch (reason) {
    case LWS_CALLBACK_HTTP: {
        if (!s)
            return -1;
        q_args args;
        read_args(wsi, &args);
        char auth[300] = "";
        if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_AUTHORIZATION) > 0)
            lws_hdr_copy(wsi, auth, sizeof auth, WSI_TOKEN_HTTP_AUTHORIZATION);
        const char *method = lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0 ? "GET" : "OTHER";
        char path[128];
        snprintf(path, sizeof path, "%.*s", (int)(len < sizeof path ? len : sizeof path - 1), (const char *)in);
        q_handle(&g_q, method, path, &args, auth, &s->resp);
        if (!s->resp.body && !q_reserve(&s->resp, 1))
            return -1;
        if (strcmp(method, "GET") != 0)
            return 0; /* answered once lws has read the request body */
        return send_headers(wsi, s);
    }
    case LWS_CALLBACK_HTTP_BODY:
        return 0; /* a body is never used */
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        return s ? send_headers(wsi, s) : -1;
    case LWS_CALLBACK_HTTP_WRITEABLE: {

        static _Thread_local unsigned char buf[LWS_PRE + 65536];
        size_t left = s->resp.len - s->sent;
        size_t n = left < 65536 ? left : 65536;
        memcpy(buf + LWS_PRE, s->resp.body + s->sent, n);
        bool final = n == left;
        if (lws_write(wsi, buf + LWS_PRE, n, final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
            return 1;
        s->sent += n;
        if (!final) {
            lws_callback_on_writable(wsi);
            return 0;
        }
        /* lws may reuse or zero the session data for the next request on
         * this connection: the answer is done, free it now. */
        free(s->resp.body);
        memset(&s->resp, 0, sizeof s->resp);
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    }
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        adopt_pending(wsi);
        return 0;
    case LWS_CALLBACK_CLOSED_HTTP:
        if (!s)
            return 0; /* lws may report a close with no session data */
        free(s->resp.body);
        memset(&s->resp, 0, sizeof s->resp);
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

/* The journal follower: fills the hot store. */
static void *follow(void *arg)
{
    (void)arg;
    tf_journal_slot *rec = calloc(1, 256);
    uint64_t last_try = 0, last_publish = 0, last_orders_try = 0;
    while (!oob_stop && rec) {
        int got = 0;
        pthread_mutex_lock(&g_q.store.lock);
        if (!g_q.src.attached && tf_now_ns() - last_try > 200000000ull) {
            last_try = tf_now_ns();
            if (oob_source_attach(&g_q.src, 0, 0) < 0)
                fprintf(stderr, "tfquery: %s\n", tf_err_msg());
        }
        for (; got < 4096; got++) {
            oob_read_rc rc = oob_source_read(&g_q.src, rec);
            if (rc == OOB_READ_OK) {
                const tf_md_instrument_info *in = NULL;
                if (rec->type == TF_REC_MD_BAR || rec->type == TF_REC_MD_TRADE)
                    in = oob_source_instrument(&g_q.src, *(const uint32_t *)rec->payload);
                qs_store_add(&g_q.store, rec, in);
            }
            else if (rc == OOB_READ_NEW_JOURNAL)
                qs_store_clear(&g_q.store);
            else if (rc != OOB_READ_GAP)
                break;
        }
        /* The order journal: the window /v1/orders and /v1/fills answer from. */
        if (!g_q.orders_src.attached && tf_now_ns() - last_orders_try > 200000000ull) {
            last_orders_try = tf_now_ns();
            if (oob_source_attach(&g_q.orders_src, 0, 0) < 0)
                fprintf(stderr, "tfquery: %s\n", tf_err_msg());
        }
        for (int k = 0; k < 4096; k++, got++) {
            oob_read_rc rc = oob_source_read(&g_q.orders_src, rec);
            if (rc == OOB_READ_OK)
                qr_store_add(&g_q.record, rec);
            else if (rc == OOB_READ_NEW_JOURNAL)
                qr_store_clear(&g_q.record);
            else if (rc == OOB_READ_GAP)
                g_q.record.lost = true;
            else
                break;
        }
        g_status.st.position = g_q.src.r.next_seq;
        g_status.st.journal_head = oob_source_head(&g_q.src);
        g_status.st.exported = __atomic_load_n(&g_q.requests, __ATOMIC_RELAXED);
        g_status.st.rejected = __atomic_load_n(&g_q.errors, __ATOMIC_RELAXED);
        g_status.st.gaps = g_q.src.r.gap_events;
        g_status.st.gap_records = g_q.src.r.gap_records;
        pthread_mutex_unlock(&g_q.store.lock);
        if (tf_now_ns() - last_publish > 100000000ull) { /* like the exporters: 10 times a second */
            oob_status_publish(&g_status);
            last_publish = tf_now_ns();
        }
        if (got < 4096)
            oob_sleep(1000000);
    }
    free(rec);
    return NULL;
}

/* One HTTP service thread: its own lws context. */
static void *serve(void *ctx)
{
    while (!oob_stop)
        if (lws_service(ctx, 100) < 0)
            break;
    return NULL;
}

/* The listening socket (port 0: any free port, reported in *port). */
static int listen_on(const char *bind_addr, int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)*port)};
    int one = 1;
    socklen_t al = sizeof a;
    if (fd < 0 || inet_pton(AF_INET, bind_addr, &a.sin_addr) != 1 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 1024) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static void *acceptor(void *arg)
{
    int lfd = (int)(intptr_t)arg;
    uint32_t next = 0;
    while (!oob_stop) {
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        handoff *h = &g_hand[next++ % g_nthreads];
        pthread_mutex_lock(&h->lock);
        bool queued = h->n < Q_HANDOFF;
        if (queued)
            h->fds[h->n++] = fd;
        pthread_mutex_unlock(&h->lock);
        if (!queued)
            close(fd); /* that thread is far behind: refuse rather than queue without bound */
        else
            lws_cancel_service(h->ctx);
    }
    return NULL;
}

/* --print-env: the export settings as shell assignments, for tuning/run.sh
 * (which starts the local servers and the exporters). */
static int print_export_env(const tf_config *cfg)
{
    const tf_cfg_export *ex = &cfg->export_;
    const char *hp = strstr(ex->influx.url, "://");
    hp = hp ? hp + 3 : ex->influx.url;
    const char *colon = strrchr(hp, ':');
    int iport = colon ? atoi(colon + 1) : 8086;
    printf("TF_INSTANCE='%s'\nTF_SHM_DIR='%s'\nTF_RUN_DIR='%s'\nTF_EXPORT_CPU=%d\n", cfg->instance, cfg->shm_dir,
           ex->run_dir, ex->cpu);
    printf("TF_INFLUX_ENABLED=%d\nTF_INFLUX_LOCAL=%d\nTF_INFLUX_PORT=%d\nTF_INFLUX_URL='%s'\nTF_INFLUX_DB='%s'\n",
           ex->influx.enabled, ex->influx.local, iport, ex->influx.url, ex->influx.database);
    printf("TF_REDIS_ENABLED=%d\nTF_REDIS_LOCAL=%d\nTF_REDIS_PORT=%u\n", ex->redis.enabled, ex->redis.local,
           ex->redis.port);
    printf("TF_QUERY_ENABLED=%d\nTF_QUERY_URL='http://%s:%u'\n", ex->query.enabled, ex->query.bind,
           ex->query.port);
    printf("TF_PROM_ENABLED=%d\nTF_PROM_URL='http://%s:%u'\n", ex->prom.enabled, ex->prom.bind, ex->prom.port);
    printf("TF_CONSOLE_ENABLED=%d\nTF_CONSOLE_URL='http://%s:%u/'\n", ex->console.enabled, ex->console.bind,
           ex->console.port);
    /* What tuning/backup copies and restores. */
    printf("TF_REDIS_PERSISTENCE=%s\nTF_BACKUP_DIR='%s'\nTF_BACKUP_EVERY_S=%llu\nTF_BACKUP_KEEP=%u\n",
           ex->redis.persistence ? "aof" : "none", cfg->backup.dir,
           (unsigned long long)(cfg->backup.every_ns / 1000000000ull), cfg->backup.keep);
    printf("TF_ORDERS_JOURNAL='%s'\nTF_MD_JOURNAL='%s'\nTF_ORDER_ID_FILE='%s'\nTF_ALGO_STORE='%s'\nTF_FIX_STORE='%s'\n",
           cfg->orders.journal_file, cfg->md_journal_file, cfg->orders.id_file, cfg->orders.algo_store,
           cfg->exchange.store_dir);
    return 0;
}

/* --backfill-days N: the retention policies and continuous queries set up,
 * then the coarse bars computed for the last N days (what the continuous
 * queries would have written, had they run then): after an import of
 * history, or once downsample is turned on over data already stored. */
static int backfill(const tf_config *cfg, uint32_t days)
{
    tf_cfg_influx ic = cfg->export_.influx;
    if (!ic.enabled || !ic.downsample) {
        fprintf(stderr, "tfquery: --backfill-days needs export.influx.enabled and export.influx.downsample\n");
        return 1;
    }
    ic.timeout_ns = 600000000000ull; /* a slice of a year is a long statement */
    ic.gzip = false;
    influx_conn c;
    char err[512];
    if (influx_open(&c, &ic, 0) != 0) {
        fprintf(stderr, "tfquery: %s\n", tf_err_msg());
        return 1;
    }
    uint64_t now = tf_realtime_ns(), t0 = tf_now_ns();
    unsigned n = 0;
    int rc = influx_history_setup(&c, &ic, err, sizeof err) == 0 &&
                     influx_history_backfill(&c, now - (uint64_t)days * 86400000000000ull, now + 60000000000ull, &n,
                                             err, sizeof err) == 0
                 ? 0
                 : 1;
    if (rc)
        fprintf(stderr, "tfquery: backfill failed: %s\n", err);
    else
        printf("tfquery: backfilled %u days of 1m/1h/1d bars in %u statements, %.2f s\n", days, n,
               (double)(tf_now_ns() - t0) / 1e9);
    influx_close(&c);
    return rc;
}

int main(int argc, char **argv)
{
    const char *config = NULL, *port_file = NULL, *status_name = "query";
    bool print_env = false;
    long backfill_days = -1;
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"port-file", required_argument, 0, 'p'},
                                         {"status", required_argument, 0, 's'},
                                         {"print-env", no_argument, 0, 'e'},
                                         {"backfill-days", required_argument, 0, 'b'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    for (int o; (o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1;) {
        if (o == 'c')
            config = optarg;
        else if (o == 'p')
            port_file = optarg;
        else if (o == 's')
            status_name = optarg;
        else if (o == 'e')
            print_env = true;
        else if (o == 'b' && (backfill_days = strtol(optarg, NULL, 10)) > 0 && backfill_days <= 36500)
            ;
        else {
            if (o == 'b')
                fprintf(stderr, "tfquery: --backfill-days is 1..36500, not '%s'\n", optarg);
            fprintf(stderr, "usage: tfquery -c CONFIG [--port-file FILE] [--status NAME] [--print-env] "
                            "[--backfill-days N]\n");
            return o == 'h' ? 0 : 1;
        }
    }
    static tf_config cfg;
    if (oob_load_config(config, &cfg) != 0)
        return 1;
    const tf_cfg_query *qc = &cfg.export_.query;
    if (print_env)
        return print_export_env(&cfg);
    if (backfill_days > 0)
        return backfill(&cfg, (uint32_t)backfill_days);
    if (!qc->enabled) {
        fprintf(stderr, "tfquery: export.query.enabled is false; nothing to do\n");
        return 0;
    }
    oob_install_signals();
    if (oob_pin(&cfg) != 0) {
        fprintf(stderr, "tfquery: %s\n", tf_err_msg());
        return 1;
    }
    if (q_server_open(&g_q, &cfg) != 0 || oob_status_open(&g_status, &cfg, status_name, "query") != 0) {
        fprintf(stderr, "tfquery: %s\n", tf_err_msg());
        return 1;
    }
    int port = (int)qc->port;
    int lfd = listen_on(qc->bind, &port);
    if (lfd < 0) {
        fprintf(stderr, "tfquery: cannot listen on %s:%u: %s\n", qc->bind, qc->port, strerror(errno));
        oob_status_close(&g_status);
        return 1;
    }
    lws_set_log_level(LLL_ERR, NULL);
    uint32_t nthreads = qc->threads;
    g_nthreads = nthreads;
    struct lws_context *ctx[Q_MAX_THREADS] = {0};
    for (uint32_t i = 0; i < nthreads; i++) {
        struct lws_context_creation_info info;
        memset(&info, 0, sizeof info);
        info.port = CONTEXT_PORT_NO_LISTEN_SERVER; /* serves adopted sockets */
        info.protocols = protocols;
        info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
        info.keepalive_timeout = 60;
        ctx[i] = lws_create_context(&info);
        if (!ctx[i]) {
            fprintf(stderr, "tfquery: cannot create the HTTP service\n");
            oob_status_close(&g_status);
            return 1;
        }
        g_hand[i].ctx = ctx[i];
        pthread_mutex_init(&g_hand[i].lock, NULL);
    }
    if (port_file)
        oob_write_number_file(port_file, (uint64_t)port);
    fprintf(stderr, "tfquery: serving http://%s:%d/v1/ on %u threads (hot: %u bars, %u trades per instrument; "
            "cache %llu bytes)%s\n", qc->bind, port, nthreads, qc->hot_bars, qc->hot_trades,
            (unsigned long long)qc->cache_bytes, g_q.token[0] ? ", bearer token required" : "");
    pthread_t follower, accepting, http[Q_MAX_THREADS];
    pthread_create(&follower, NULL, follow, NULL);
    for (uint32_t i = 1; i < nthreads; i++)
        pthread_create(&http[i], NULL, serve, ctx[i]);
    pthread_create(&accepting, NULL, acceptor, (void *)(intptr_t)lfd);
    serve(ctx[0]);
    pthread_join(accepting, NULL);
    close(lfd);
    for (uint32_t i = 1; i < nthreads; i++)
        pthread_join(http[i], NULL);
    pthread_join(follower, NULL);
    for (uint32_t i = 0; i < nthreads; i++) {
        lws_context_destroy(ctx[i]);
        for (unsigned k = 0; k < g_hand[i].n; k++)
            close(g_hand[i].fds[k]);
        pthread_mutex_destroy(&g_hand[i].lock);
    }
    oob_status_close(&g_status);
    fprintf(stderr, "tfquery: stopped: %llu requests, %llu errors, %llu cache hits\n",
            (unsigned long long)g_q.requests, (unsigned long long)g_q.errors, (unsigned long long)g_q.cache_hits);
    q_server_close(&g_q);
    return 0;
}

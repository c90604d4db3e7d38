/* bench_feed: end to end, tfsim -> tfengine's feed stage -> market-data
 * journal, over loopback WebSocket, as separate processes.
 *
 *   latency:    tfsim sends trades at a fixed 100 k messages/s (message i due
 *               at start + i/rate, trade id i+1); each journaled trade is timed
 *               from its due time to its journal append (published_ns), so a
 *               late sender or a stalled engine shows up (no coordinated
 *               omission). Baseline in the same run: raw loopback TCP one-way,
 *               same message size, same rate, same CPUs, same due-time clock.
 *   throughput: tfsim sends at --max-rate (default 600 k/s, above the 500 k/s
 *               target) for a few seconds, 3 runs; journaled trades per
 *               second (median, spread) and loss (trade ids missing from the
 *               journal; tfsim cuts a client that falls 16 MiB behind).
 *   ceiling:    one run offered 1.2 M/s: what the engine journals when the
 *               offer is beyond it, and what is lost.
 * Throughput and ceiling runs alternate the engine's own WebSocket client
 * (feed.transport: uring, the default) with libwebsockets' (lws), the
 * baseline of those lines.
 * CPUs: tfsim and the TCP sender on CPU 0, the engine's feed thread and the
 * TCP receiver on CPU 1 (busy-spin). The journal is read after each run, so
 * the reader does not compete for the two CPUs.
 *
 *   bench_feed [--seconds S] [--max-rate N] [--latency-rate N]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "shm/histogram.h"
#include "shm/journal.h"
#include "shm/records.h"
#include "shm/segment.h"

#define PROG "bench_feed"
#define MSG_BYTES 200 /* about a Binance trade message in a combined-stream wrapper */

static char g_dir[128];
static char g_inst[32];
static pid_t g_sim = -1, g_engine = -1;

static void kill_children(void)
{
    if (g_engine > 0)
        kill(g_engine, SIGKILL);
    if (g_sim > 0)
        kill(g_sim, SIGKILL);
}

static const char *g_transport = "uring"; /* feed.transport of the next run */

static void write_config(const char *path, int port)
{
    FILE *f = fopen(path, "w");
    if (!f)
        bench_die(PROG, "cannot write the engine config");
    fprintf(f,
            "instance: %s\n"
            "shm: {dir: %s, mode: 0640, on_stale: replace}\n"
            "journal:\n  md: {capacity: 8388608}\n"
            "instruments:\n"
            "  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: \"0.01\", lot_size: \"0.00001\"}\n"
            "feed:\n  url: ws://127.0.0.1:%d\n  rest_url: http://127.0.0.1:%d\n  streams: [trade]\n"
            "  idle_timeout_ms: 5000\n  max_frame_bytes: 65536\n  transport: %s\n"
            "validation: {max_deviation_bps: 0}\n"
            "threads:\n  - name: feed\n    cpu: 1\n    idle: busy-spin\n    stages: [feed]\n",
            g_inst, g_dir, port, port, g_transport);
    fclose(f);
}

typedef struct run_result {
    uint64_t journaled, max_id, lost;
    double msgs_per_s;
    tf_hist *lat; /* due -> journal, ns (latency runs) */
} run_result;

/* One run: start tfsim at `rate` for `seconds`, the engine, wait, read the journal. */
static int one_run(const char *sim_bin, const char *engine_bin, uint64_t rate, double seconds,
                   run_result *res)
{
    char portf[192], startf[192], cfg[192], simlog[192], englog[192], ratebuf[32];
    snprintf(portf, sizeof portf, "%s/port", g_dir);
    snprintf(startf, sizeof startf, "%s/start", g_dir);
    snprintf(cfg, sizeof cfg, "%s/engine.yaml", g_dir);
    snprintf(simlog, sizeof simlog, "%s/sim.log", g_dir);
    snprintf(englog, sizeof englog, "%s/engine.log", g_dir);
    unlink(portf);
    unlink(startf);
    snprintf(ratebuf, sizeof ratebuf, "%" PRIu64, rate);
    /* tfsim waits for the first client before it starts its schedule. */
    char *sargv[] = {(char *)sim_bin, "--port", "0", "--port-file", portf, "--symbols", "BTCUSDT",
                     "--mix", "trade", "--rate", ratebuf, "--start-file", startf,
                     "--messages", NULL, NULL};
    char msgs[32];
    snprintf(msgs, sizeof msgs, "%.0f", (double)rate * seconds);
    sargv[14] = msgs;
    g_sim = bench_spawn(PROG, sargv, 0, simlog);
    uint64_t port = 0;
    if (bench_read_u64_file(portf, &port, 5000) != 0) {
        fprintf(stderr, PROG ": tfsim did not start (see %s)\n", simlog);
        return -1;
    }
    write_config(cfg, (int)port);
    char *eargv[] = {(char *)engine_bin, "-c", cfg, NULL};
    g_engine = bench_spawn(PROG, eargv, 1, englog);
    uint64_t start_ns = 0;
    if (bench_read_u64_file(startf, &start_ns, 10000) != 0) {
        fprintf(stderr, PROG ": tfsim never started sending (see %s, %s)\n", simlog, englog);
        return -1;
    }
    /* Attach the journal and wait until it stops growing after the schedule's end. */
    char jpath[256];
    tf_segment seg;
    tf_journal j;
    snprintf(jpath, sizeof jpath, "%s/tradefan.%s.md", g_dir, g_inst);
    int attached = 0;
    for (int i = 0; i < 500 && !attached; i++) {
        if (tf_segment_attach(&seg, jpath, TF_SEG_KIND_JOURNAL) == TF_SEG_OK) {
            if (tf_journal_attach(&j, &seg) == 0)
                attached = 1;
            else
                tf_segment_close(&seg);
        }
        if (!attached)
            usleep(10000);
    }
    if (!attached) {
        fprintf(stderr, PROG ": no journal at %s\n", jpath);
        return -1;
    }
    uint64_t end_ns = start_ns + (uint64_t)(seconds * 1e9);
    while (tf_now_ns() < end_ns)
        usleep(50000);
    uint64_t last = 0, head;
    for (int stable = 0, i = 0; stable < 5 && i < 200; i++) { /* 0.5 s without growth, 20 s at most */
        usleep(100000);
        head = tf_journal_head(&j);
        stable = head == last ? stable + 1 : 0;
        last = head;
    }
    kill(g_engine, SIGTERM);
    waitpid(g_engine, NULL, 0);
    g_engine = -1;
    kill(g_sim, SIGTERM);
    waitpid(g_sim, NULL, 0);
    g_sim = -1;

    tf_journal_reader r;
    tf_journal_reader_init(&r, &j, TF_JOURNAL_FROM_OLDEST);
    tf_journal_slot *slot = malloc(j.slot_size);
    uint64_t first_pub = 0, last_pub = 0, warm_ns = start_ns + (uint64_t)(0.5e9);
    double interval = 1e9 / (double)rate;
    memset(res, 0, sizeof *res);
    res->lat = bench_hist_new();
    tf_journal_read_rc rc;
    while ((rc = tf_journal_read(&r, slot)) != TF_JR_EMPTY) {
        if (rc != TF_JR_OK || slot->type != TF_REC_MD_TRADE)
            continue;
        tf_md_trade t;
        memcpy(&t, slot->payload, sizeof t);
        res->journaled++;
        if (t.trade_id > res->max_id)
            res->max_id = t.trade_id;
        if (!first_pub)
            first_pub = t.hops.published_ns;
        last_pub = t.hops.published_ns;
        uint64_t due = start_ns + (uint64_t)((double)(t.trade_id - 1) * interval);
        if (due >= warm_ns && t.hops.published_ns >= due)
            tf_hist_record(res->lat, t.hops.published_ns - due);
    }
    free(slot);
    tf_segment_close(&seg);
    res->lost = res->max_id > res->journaled ? res->max_id - res->journaled : 0;
    uint64_t sent = (uint64_t)((double)rate * seconds);
    if (sent > res->max_id)
        res->lost += sent - res->max_id; /* never arrived at all */
    res->msgs_per_s = last_pub > first_pub ? (double)res->journaled * 1e9 / (double)(last_pub - first_pub) : 0;
    return 0;
}

/* ---- baseline: raw loopback TCP one-way at the same rate --------------------- */

typedef struct tcp_args {
    int fd;
    uint64_t rate, count, start_ns;
    tf_hist *lat;
} tcp_args;

static void *tcp_receiver(void *p)
{
    tcp_args *a = p;
    bench_pin(PROG, 1);
    char buf[MSG_BYTES * 64];
    size_t have = 0;
    uint64_t got = 0;
    while (got < a->count) {
        /* Busy-polling, like the engine's feed thread: the baseline is the
         * wire, not a scheduler wake-up. */
        ssize_t n = recv(a->fd, buf + have, sizeof buf - have, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (n <= 0)
            break;
        uint64_t now = tf_now_ns();
        have += (size_t)n;
        size_t off = 0;
        for (; have - off >= MSG_BYTES; off += MSG_BYTES, got++) {
            uint64_t due;
            memcpy(&due, buf + off, sizeof due);
            if (due >= a->start_ns + 500000000ull && now >= due)
                tf_hist_record(a->lat, now - due);
        }
        memmove(buf, buf + off, have - off);
        have -= off;
    }
    return NULL;
}

static void tcp_baseline(uint64_t rate, double seconds, tf_hist *lat)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(ls, 1) != 0 ||
        getsockname(ls, (struct sockaddr *)&sa, &sl) != 0)
        bench_die(PROG, "tcp baseline: listen");
    int cs = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(cs, (struct sockaddr *)&sa, sizeof sa) != 0)
        bench_die(PROG, "tcp baseline: connect");
    int rs = accept(ls, NULL, NULL);
    int one = 1;
    setsockopt(cs, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    tcp_args a = {.fd = rs, .rate = rate, .count = (uint64_t)((double)rate * seconds), .lat = lat};
    a.start_ns = tf_now_ns() + 10000000ull;
    pthread_t th;
    pthread_create(&th, NULL, tcp_receiver, &a);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    char msg[MSG_BYTES];
    memset(msg, 'x', sizeof msg);
    double interval = 1e9 / (double)rate;
    for (uint64_t i = 0; i < a.count; i++) {
        uint64_t due = a.start_ns + (uint64_t)((double)i * interval);
        while (tf_now_ns() < due)
            ;
        memcpy(msg, &due, sizeof due);
        if (send(cs, msg, sizeof msg, 0) != (ssize_t)sizeof msg)
            break;
    }
    shutdown(cs, SHUT_WR);
    pthread_join(th, NULL);
    close(cs);
    close(rs);
    close(ls);
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    CPU_SET(1, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

int main(int argc, char **argv)
{
    double seconds = 3;
    uint64_t max_rate = 600000, lat_rate = 100000, ceiling_rate = 1200000;
    static const struct option opts[] = {{"seconds", required_argument, NULL, 's'},
                                         {"max-rate", required_argument, NULL, 'm'},
                                         {"latency-rate", required_argument, NULL, 'l'},
                                         {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 's')
            seconds = atof(optarg);
        else if (ch == 'm')
            max_rate = strtoull(optarg, NULL, 10);
        else if (ch == 'l')
            lat_rate = strtoull(optarg, NULL, 10);
        else
            return 2;
    }
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
        bench_die(PROG, "needs 2 CPUs");
    const char *sim = "build/bin/tfsim", *engine = "build/bin/tfengine";
    if (access(sim, X_OK) != 0 || access(engine, X_OK) != 0)
        bench_die(PROG, "run from the repository root after make (build/bin/tfsim, build/bin/tfengine)");
    snprintf(g_dir, sizeof g_dir, "/dev/shm/tf-bench-feed.%d", (int)getpid());
    snprintf(g_inst, sizeof g_inst, "bf%d", (int)getpid());
    mkdir(g_dir, 0700);
    atexit(kill_children);
    signal(SIGPIPE, SIG_IGN);

    printf("feed: tfsim (CPU 0) -> ws loopback -> tfengine feed stage (CPU 1, busy-spin) -> journal\n");
    printf("latency at %" PRIu64 " msgs/s for %.0f s, timed from each message's due time; "
           "TCP baseline same rate, size %d B, CPU 0 -> 1\n", lat_rate, seconds, MSG_BYTES);

    /* Latency, alternating ours and the TCP baseline, 2 rounds each. */
    tf_hist *ours = bench_hist_new(), *tcp = bench_hist_new();
    uint64_t lat_lost = 0, lat_journaled = 0;
    for (int round = 0; round < 2; round++) {
        run_result r;
        if (one_run(sim, engine, lat_rate, seconds, &r) != 0)
            bench_die(PROG, "latency run failed");
        tf_hist_merge(ours, r.lat);
        lat_lost += r.lost;
        lat_journaled += r.journaled;
        free(r.lat);
        tcp_baseline(lat_rate, seconds, tcp);
    }
    bench_print_hist_header();
    tf_hist_summary so, st;
    bench_print_hist("wire_to_journal", ours, "ns", &so);
    bench_print_hist("tcp_one_way", tcp, "ns", &st);
    printf("latency runs: %" PRIu64 " trades journaled, %" PRIu64 " lost\n", lat_journaled, lat_lost);

    /* Throughput: 3 runs flat out, each beside the same run with lws's client. */
    double rates[3], rates_lws[3];
    uint64_t lost_total = 0, lost_lws = 0;
    for (int i = 0; i < 3; i++) {
        for (int v = 0; v < 2; v++) {
            g_transport = v ? "lws" : "uring";
            run_result r;
            if (one_run(sim, engine, max_rate, seconds, &r) != 0)
                bench_die(PROG, "throughput run failed");
            (v ? rates_lws : rates)[i] = r.msgs_per_s;
            *(v ? &lost_lws : &lost_total) += r.lost;
            printf("run %d, %-5s: offered %" PRIu64 "/s, journaled %" PRIu64 " trades at %.0f msgs/s, lost %" PRIu64
                   "\n", i + 1, g_transport, max_rate, r.journaled, r.msgs_per_s, r.lost);
            free(r.lat);
        }
    }
    g_transport = "uring";
    double spread, spread_lws;
    double med = bench_median(rates, 3, &spread), med_lws = bench_median(rates_lws, 3, &spread_lws);
    printf("median %.0f msgs/s, spread %.1f%% (lws client: %.0f msgs/s, spread %.1f%%)\n", med, spread * 100,
           med_lws, spread_lws * 100);
    run_result rc, rcl;
    if (one_run(sim, engine, ceiling_rate, seconds, &rc) != 0)
        bench_die(PROG, "ceiling run failed");
    g_transport = "lws";
    if (one_run(sim, engine, ceiling_rate, seconds, &rcl) != 0)
        bench_die(PROG, "ceiling run failed");
    g_transport = "uring";
    printf("ceiling: offered %" PRIu64 "/s, journaled %" PRIu64 " trades at %.0f msgs/s, lost %" PRIu64
           " (lws client: %" PRIu64 " at %.0f msgs/s, lost %" PRIu64 ")\n\n",
           ceiling_rate, rc.journaled, rc.msgs_per_s, rc.lost, rcl.journaled, rcl.msgs_per_s, rcl.lost);
    free(rc.lat);
    free(rcl.lat);

    bench_line("feed", "msgs_per_s", med, med_lws, "lws_client", "1/s");
    bench_line("feed", "lost", (double)lost_total, (double)lost_lws, "lws_client", "msgs");
    bench_line("feed", "ceiling_msgs_per_s", rc.msgs_per_s, rcl.msgs_per_s, "lws_client", "1/s");
    bench_line("feed", "ceiling_lost", (double)rc.lost, (double)rcl.lost, "lws_client", "msgs");
    bench_line("feed", "wire_to_journal_p50", (double)so.p50, (double)st.p50, "tcp_one_way", "ns");
    bench_line("feed", "wire_to_journal_p99", (double)so.p99, (double)st.p99, "tcp_one_way", "ns");
    bench_line("feed", "wire_to_journal_p999", (double)so.p999, (double)st.p999, "tcp_one_way", "ns");
    bench_line("feed", "wire_to_journal_max", (double)so.max, (double)st.max, "tcp_one_way", "ns");
    printf("target: sustained >= 500000 msgs/s with zero loss: %.0f msgs/s, %" PRIu64 " lost -> %s\n", med,
           lost_total, med >= 500000 && lost_total == 0 ? "met" : "MISSED");

    char cmd[192];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    if (system(cmd) != 0)
        fprintf(stderr, PROG ": could not remove %s\n", g_dir);
    return 0;
}

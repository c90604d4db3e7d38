/* make bench-fix: the FIX order round trip against tfsim on loopback.
 *
 * tfsim runs as a separate process on CPU 0 with --busy-poll; this process
 * is pinned to CPU 1. Each sample is one IOC limit order at a price that
 * does not cross (the matching engine accepts it and expires it): the time
 * from handing the order to the sender until the first execution report
 * for it is read. Measured side by side, in alternating slices of every run:
 *  - ours: the engine's exchange I/O stage itself (engine/venue/exio.c: the FIX
 *    encoder, the session layer, io_uring send and multishot receive, the
 *    decoder, the report the OMS would get), polled on this thread;
 *  - tcp_rtt: a raw loopback TCP ping-pong with tfsim's echo port, the same
 *    number of bytes as our NewOrderSingle, through tfsim's same loop and
 *    wake-up path (nonblocking send, spin on recv): the physical floor;
 *  - quickfix: the same order round trip through a QuickFIX initiator
 *    (build/bench/quickfix_rtt, Debian's libquickfix, the engine a user
 *    would otherwise pick), against the same tfsim, on the same CPU.
 * Three runs; the median run by ours' p50 is reported, with the spread.
 * Targets (the issue): ours <= 1.2x tcp_rtt at p50; faster than QuickFIX
 * at p50 and p99. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "engine/runtime/prefault.h"
#include "engine/venue/exio.h"
#include "shm/err.h"

#define RUNS 3
#define SLICES 5                 /* ours/base alternations per run */
#define PER_SLICE 4000           /* samples per slice and kind */
#define WARMUP 2000
#define TFSIM_CPU 0
#define BENCH_CPU 1

static const char *prog = "bench_fix";
static pid_t tfsim_pid;
static char tmpdir[64];
static char answer_file[128]; /* tfsim --answer-out: its own read -> write per order */

/* Each timed order's send and first-report stamps, per run: paired with
 * tfsim's own read -> write of it, the round trip splits into tfsim's
 * share and ours (everything else: our encode, send, receive, decode, and
 * both kernels' loopback work). */
#define PER_RUN (SLICES * PER_SLICE)
static uint64_t ours_t0[RUNS][PER_RUN], ours_t1[RUNS][PER_RUN];

static void cleanup(void)
{
    if (tfsim_pid > 0) {
        kill(tfsim_pid, SIGTERM);
        waitpid(tfsim_pid, NULL, 0);
        tfsim_pid = 0;
    }
    if (tmpdir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "%s: could not remove %s\n", prog, tmpdir);
    }
}

static __attribute__((noreturn)) void die(const char *what)
{
    fprintf(stderr, "%s: %s\n", prog, what);
    cleanup();
    exit(1);
}

static int read_port(const char *path)
{
    uint64_t v;
    return bench_read_u64_file(path, &v, 5000) == 0 ? (int)v : -1;
}

static void start_tfsim(const char *tfsim, int *fix_port, int *echo_port)
{
    char ws_file[128], fix_file[128], echo_file[128];
    snprintf(ws_file, sizeof ws_file, "%s/ws.port", tmpdir);
    snprintf(fix_file, sizeof fix_file, "%s/fix.port", tmpdir);
    snprintf(echo_file, sizeof echo_file, "%s/echo.port", tmpdir);
    char log[128];
    snprintf(log, sizeof log, "%s/tfsim.log", tmpdir);
    snprintf(answer_file, sizeof answer_file, "%s/answer.txt", tmpdir);
    char *argv[] = {(char *)tfsim, "--port", "0", "--bind", "127.0.0.1", "--port-file", ws_file, "--fix-port", "0",
                    "--fix-port-file", fix_file, "--echo-port", "0", "--echo-port-file", echo_file, "--busy-poll",
                    "--symbols", "BTCUSDT", "--answer-out", answer_file, NULL};
    tfsim_pid = bench_spawn(prog, argv, TFSIM_CPU, log);
    *fix_port = read_port(fix_file);
    *echo_port = read_port(echo_file);
    if (*fix_port < 0 || *echo_port < 0)
        die("tfsim did not write its FIX and echo ports (built with make? run from the project root)");
}

/* ---- ours: the exio stage ------------------------------------------------------- */

typedef struct ours {
    tf_config cfg;
    tf_instruments ins;
    tf_exio x;
    uint64_t next_id;
} ours;

static void ours_open(ours *o, int port)
{
    char yaml[2048], err[512];
    snprintf(yaml, sizeof yaml,
             "instance: bfix\n"
             "instruments:\n"
             "  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: \"0.01\", "
             "lot_size: \"0.00001\", min_notional: \"5\"}\n"
             "orders: {capacity: 1024}\n"
             "exchange: {host: 127.0.0.1, port: %d, sender_comp_id: BENCHENG, target_comp_id: TFSIM,\n"
             "           store_dir: \"%s/fix\", reset_on_logon: true}\n"
             "threads:\n  - {name: hot, stages: [risk, oms, exio]}\n",
             port, tmpdir);
    if (tf_config_parse(yaml, strlen(yaml), "bench", 2, &o->cfg, err, sizeof err) != 0)
        die(err);
    memset(&o->ins, 0, sizeof o->ins);
    if (tf_instruments_add(&o->ins, "BTCUSDT", "binance", 2, 5, 1, 1, 500, 0) != 0 ||
        tf_exio_init(NULL, &o->x, &o->cfg, &o->ins, NULL, NULL, NULL, NULL) != 0)
        die(tf_err_msg());
    o->next_id = (uint64_t)time(NULL) << 20;
    uint64_t end = tf_now_ns() + 5000000000ull;
    while (!tf_exio_session_ready(&o->x, 0)) {
        tf_exio_poll(&o->x, tf_now_ns());
        if (tf_now_ns() > end)
            die("the exio stage did not log on to tfsim within 5 s");
    }
}

/* One order: the time to its first report; then wait (untimed) until it is done.
 * *sent and *answered (may be NULL) get the two stamps. */
static uint64_t ours_one_at(ours *o, uint64_t *sent, uint64_t *answered);
static uint64_t ours_one(ours *o) { return ours_one_at(o, NULL, NULL); }

static uint64_t ours_one_at(ours *o, uint64_t *sent, uint64_t *answered)
{
    tf_venue_cmd c = {.kind = TF_VC_NEW, .side = TF_BUY, .type = TF_LIMIT, .tif = TF_IOC, .instrument = 0,
                      .order_id = ++o->next_id, .price = 100000, .qty = 100}; /* 1000.00: far below the market */
    uint64_t t0 = tf_now_ns(), t1 = 0, end = t0 + 2000000000ull;
    if (tf_exio_command(&o->x, &c) != 0)
        die("the exio stage refused a command (session not ready)");
    bool done = false;
    while (!done) {
        uint64_t now = tf_now_ns();
        tf_exio_poll(&o->x, now);
        tf_exec_report r;
        while (tf_exio_next_report(&o->x, &r)) {
            if (r.order_id != c.order_id)
                continue;
            if (!t1)
                t1 = tf_now_ns();
            done = r.kind != TF_EX_ACK;
            if (r.kind == TF_EX_REJECT)
                die("tfsim rejected the benchmark's order");
        }
        if (now > end)
            die("no execution report within 2 s");
    }
    if (sent)
        *sent = t0;
    if (answered)
        *answered = t1;
    return t1 - t0;
}

/* The size of our NewOrderSingle on the wire (the ping-pong sends as much). */
static size_t order_size(ours *o)
{
    char buf[512];
    tf_fix_writer w;
    tf_fix_begin(&w, buf, sizeof buf, "D");
    tf_fix_put_cstr(&w, TF_FIX_TAG_SENDER_COMP_ID, o->x.sessions[0].fix.cfg.sender);
    tf_fix_put_cstr(&w, TF_FIX_TAG_TARGET_COMP_ID, "TFSIM");
    tf_fix_put_u64(&w, TF_FIX_TAG_MSG_SEQ_NUM, 12345);
    tf_fix_put_time(&w, TF_FIX_TAG_SENDING_TIME, tf_realtime_ns());
    tf_fix_put_u64(&w, TF_FIX_TAG_CL_ORD_ID, o->next_id);
    tf_fix_put_cstr(&w, TF_FIX_TAG_SYMBOL, "BTCUSDT");
    tf_fix_put_char(&w, TF_FIX_TAG_SIDE, '1');
    tf_fix_put_time(&w, TF_FIX_TAG_TRANSACT_TIME, tf_realtime_ns());
    tf_fix_put_decimal(&w, TF_FIX_TAG_ORDER_QTY, 100, 5);
    tf_fix_put_char(&w, TF_FIX_TAG_ORD_TYPE, '2');
    tf_fix_put_decimal(&w, TF_FIX_TAG_PRICE, 100000, 2);
    tf_fix_put_char(&w, TF_FIX_TAG_TIME_IN_FORCE, '3');
    return tf_fix_finish(&w);
}

/* ---- base: raw ping-pong with tfsim's echo port ------------------------------------- */

static int echo_open(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        die("cannot connect to tfsim's echo port");
    return fd;
}

static uint64_t echo_one(int fd, const char *msg, size_t n)
{
    char buf[1024];
    uint64_t t0 = tf_now_ns(), end = t0 + 2000000000ull;
    if (send(fd, msg, n, MSG_NOSIGNAL) != (ssize_t)n)
        die("echo send");
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (r > 0)
            got += (size_t)r;
        else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            die("echo connection lost");
        else if (tf_now_ns() > end)
            die("no echo within 2 s");
    }
    return tf_now_ns() - t0;
}

/* ---- QuickFIX: build/bench/quickfix_rtt against the same tfsim ------------------------- */

static void quickfix_slice(const char *bin, int port, int count, int warmup, int slice, tf_hist *h)
{
    char out[160], cnt[16], wu[16], sender[32], portbuf[16];
    snprintf(out, sizeof out, "%s/qf.samples", tmpdir);
    snprintf(cnt, sizeof cnt, "%d", count);
    snprintf(wu, sizeof wu, "%d", warmup);
    (void)slice; /* one CompID for every slice: it logs on with ResetSeqNumFlag */
    snprintf(sender, sizeof sender, "QFBENCH");
    snprintf(portbuf, sizeof portbuf, "%d", port);
    char log[160];
    snprintf(log, sizeof log, "%s/quickfix.log", tmpdir);
    char *argv[] = {(char *)bin, "--host", "127.0.0.1", "--port", portbuf, "--sender", sender, "--target", "TFSIM",
                    "--symbol", "BTCUSDT", "--price", "1000", "--qty", "0.001", "--side", "buy", "--tif", "ioc",
                    "--count", cnt, "--warmup", wu, "--wait", "block", "--timeout-s", "10", "--samples-out", out,
                    NULL};
    pid_t pid = bench_spawn(prog, argv, BENCH_CPU, log);
    int st = 0;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "%s: %s exited with %d\n", prog, bin, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        die("the QuickFIX baseline failed");
    }
    FILE *f = fopen(out, "r");
    if (!f)
        die("no samples from the QuickFIX baseline");
    unsigned long long v;
    int n = 0;
    while (fscanf(f, "%llu", &v) == 1) {
        tf_hist_record(h, v);
        n++;
    }
    fclose(f);
    if (n != count)
        die("the QuickFIX baseline wrote the wrong number of samples");
}

/* Sustained: orders offered at a fixed rate for `secs`, each timed from
 * when it was due (no coordinated omission); lost = no final report within
 * a second after the last. */
typedef struct load_result {
    double offered, achieved;
    uint64_t sent, done, lost;
    tf_hist_summary lat;
} load_result;

static void load_run(ours *o, double rate, double secs, tf_hist *h, load_result *out)
{
    tf_hist_reset(h);
    enum { WINDOW = 4096 };
    static uint64_t due_of[WINDOW]; /* by order id modulo: when it was due (0: answered) */
    memset(due_of, 0, sizeof due_of);
    uint64_t first_id = o->next_id + 1, t0 = tf_now_ns(), n_total = (uint64_t)(rate * secs);
    uint64_t sent = 0, done = 0, end_wait = 0;
    double ns_per = 1e9 / rate;
    while (done < n_total) {
        uint64_t now = tf_now_ns();
        uint64_t due = t0 + (uint64_t)((double)sent * ns_per);
        if (sent < n_total && now >= due && sent - done < WINDOW / 2) {
            tf_venue_cmd c = {.kind = TF_VC_NEW, .side = TF_BUY, .type = TF_LIMIT, .tif = TF_IOC, .instrument = 0,
                              .order_id = ++o->next_id, .price = 100000, .qty = 100};
            if (tf_exio_command(&o->x, &c) != 0)
                break; /* out of budget or not ready: counts as loss below */
            due_of[c.order_id % WINDOW] = due;
            sent++;
        }
        tf_exio_poll(&o->x, now);
        tf_exec_report r;
        while (tf_exio_next_report(&o->x, &r)) {
            if (r.order_id < first_id || r.kind == TF_EX_ACK)
                continue;
            uint64_t *d = &due_of[r.order_id % WINDOW];
            if (*d) {
                tf_hist_record(h, tf_now_ns() - *d);
                *d = 0;
                done++;
            }
        }
        if (sent == n_total && !end_wait)
            end_wait = now + 1000000000ull;
        if (end_wait && now > end_wait)
            break;
    }
    double elapsed = (double)(tf_now_ns() - t0) / 1e9;
    out->offered = rate;
    out->sent = sent;
    out->done = done;
    out->lost = n_total - done;
    out->achieved = (double)done / (elapsed > secs ? elapsed : secs);
    tf_hist_summarize(h, &out->lat);
}

typedef struct run_result {
    tf_hist_summary ours, tcp, qf;
    int run;
} run_result;

/* tfsim's own share of the median run's round trips (--answer-out, read at
 * its exit) and the round trip without it: what is ours. */
static void venue_share(int run, uint64_t tcp_p50, uint64_t tcp_p99)
{
    if (tfsim_pid > 0) {
        kill(tfsim_pid, SIGTERM);
        waitpid(tfsim_pid, NULL, 0);
        tfsim_pid = 0;
    }
    FILE *f = fopen(answer_file, "r");
    if (!f)
        die("tfsim wrote no --answer-out file");
    static uint64_t rd[1 << 20], wr[1 << 20];
    uint64_t n = 0;
    unsigned long long a, b;
    while (n < sizeof rd / sizeof rd[0] && fscanf(f, "%llu %llu", &a, &b) == 2) {
        rd[n] = a;
        wr[n] = b;
        n++;
    }
    fclose(f);
    tf_hist *share = bench_hist_new(), *net = bench_hist_new();
    uint64_t j = 0, paired = 0;
    for (uint32_t i = 0; i < PER_RUN; i++) {
        uint64_t t0 = ours_t0[run][i], t1 = ours_t1[run][i];
        while (j < n && rd[j] < t0)
            j++; /* QuickFIX's orders and other runs' fall between */
        if (j >= n || wr[j] > t1)
            continue;
        tf_hist_record(share, wr[j] - rd[j]);
        tf_hist_record(net, (t1 - t0) - (wr[j] - rd[j]));
        paired++;
        j++;
    }
    tf_hist_summary sh, nt;
    tf_hist_summarize(share, &sh);
    tf_hist_summarize(net, &nt);
    free(share);
    free(net);
    printf("the median run's round trips split (%llu of %u paired with tfsim's own stamps: after the read that\n"
           "brought the order, before the write that answers it):\n",
           (unsigned long long)paired, PER_RUN);
    bench_print_run_header();
    bench_print_run_row("", "tfsim's share", &sh, "ns");
    bench_print_run_row("", "ours (rtt - tfsim)", &nt, "ns");
    if (paired < PER_RUN / 2)
        die("too few round trips paired with tfsim's stamps");
    bench_line("fix_rtt", "tfsim_share_p50", (double)sh.p50, 0, NULL, "ns");
    bench_line("fix_rtt", "tfsim_share_p99", (double)sh.p99, 0, NULL, "ns");
    bench_line("fix_rtt", "without_tfsim_p50", (double)nt.p50, (double)tcp_p50, "tcp_rtt", "ns");
    bench_line("fix_rtt", "without_tfsim_p99", (double)nt.p99, (double)tcp_p99, "tcp_rtt", "ns");
    double ratio = tcp_p50 ? (double)nt.p50 / (double)tcp_p50 : 0;
    printf("target p50 <= 1.2x tcp_rtt, tfsim's own time taken out: %s (%.2fx)\n", ratio <= 1.2 ? "met" : "MISSED",
           ratio);
}

int main(int argc, char **argv)
{
    const char *tfsim = argc > 1 ? argv[1] : "build/bin/tfsim";
    const char *qf = argc > 2 ? argv[2] : "build/bench/quickfix_rtt";
    bench_calibrate();
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tf-bench-fix.XXXXXX");
    if (!mkdtemp(tmpdir))
        die("mkdtemp");
    signal(SIGPIPE, SIG_IGN);
    int fix_port, echo_port;
    start_tfsim(tfsim, &fix_port, &echo_port);
    int cpu = bench_pin(prog, BENCH_CPU);
    static ours o;
    ours_open(&o, fix_port);
    /* As tfengine does before its threads start (prefault_memory): no
     * first-touch page fault in the timed loop. */
    tf_prefault_result pf;
    if (tf_prefault_writable(16ull << 30, &pf) != 0)
        die(tf_err_msg());
    int efd = echo_open(echo_port);
    char ping[512];
    size_t n = order_size(&o);
    memset(ping, 'x', n);
    printf("FIX order round trip against tfsim (CPU %d, --busy-poll) from CPU %d; IOC orders that do not cross;\n"
           "%d runs x %d slices x %d samples per kind, alternating ours / tcp_rtt / quickfix; ping-pong of %zu bytes\n",
           TFSIM_CPU, cpu, RUNS, SLICES, PER_SLICE, n);
    for (int i = 0; i < WARMUP; i++) {
        ours_one(&o);
        echo_one(efd, ping, n);
    }
    tf_hist *h_ours = bench_hist_new(), *h_tcp = bench_hist_new(), *h_qf = bench_hist_new();
    run_result r[RUNS];
    bench_print_run_header();
    for (int k = 0; k < RUNS; k++) {
        tf_hist_reset(h_ours);
        tf_hist_reset(h_tcp);
        tf_hist_reset(h_qf);
        for (int s = 0; s < SLICES; s++) {
            for (int i = 0; i < PER_SLICE; i++)
                tf_hist_record(h_ours, ours_one_at(&o, &ours_t0[k][s * PER_SLICE + i], &ours_t1[k][s * PER_SLICE + i]));
            for (int i = 0; i < PER_SLICE; i++)
                tf_hist_record(h_tcp, echo_one(efd, ping, n));
            quickfix_slice(qf, fix_port, PER_SLICE, WARMUP / 4, k * SLICES + s, h_qf);
        }
        tf_hist_summarize(h_ours, &r[k].ours);
        tf_hist_summarize(h_tcp, &r[k].tcp);
        tf_hist_summarize(h_qf, &r[k].qf);
        r[k].run = k;
        char run[16];
        snprintf(run, sizeof run, "%d", k + 1);
        bench_print_run_row(run, "ours (exio)", &r[k].ours, "ns");
        bench_print_run_row("", "tcp_rtt (echo)", &r[k].tcp, "ns");
        bench_print_run_row("", "quickfix", &r[k].qf, "ns");
    }
    qsort(r, RUNS, sizeof r[0], bench_cmp_p50);
    const run_result *m = &r[RUNS / 2];
    printf("median run by ours' p50; spread of ours' p50 across runs %.0f%%\n",
           m->ours.p50 ? 100.0 * (double)(r[RUNS - 1].ours.p50 - r[0].ours.p50) / (double)m->ours.p50 : 0.0);
    bench_line("fix_rtt", "p50", (double)m->ours.p50, (double)m->tcp.p50, "tcp_rtt", "ns");
    bench_line("fix_rtt", "p99", (double)m->ours.p99, (double)m->tcp.p99, "tcp_rtt", "ns");
    bench_line("fix_rtt", "p999", (double)m->ours.p999, (double)m->tcp.p999, "tcp_rtt", "ns");
    bench_line("fix_rtt", "p50", (double)m->ours.p50, (double)m->qf.p50, "quickfix", "ns");
    bench_line("fix_rtt", "p99", (double)m->ours.p99, (double)m->qf.p99, "quickfix", "ns");
    bench_line("fix_rtt", "p999", (double)m->ours.p999, (double)m->qf.p999, "quickfix", "ns");
    double ratio = m->tcp.p50 ? (double)m->ours.p50 / (double)m->tcp.p50 : 0;
    printf("target p50 <= 1.2x tcp_rtt: %s (%.2fx); faster than QuickFIX at p50: %s, at p99: %s\n",
           ratio <= 1.2 ? "met" : "MISSED", ratio, m->ours.p50 < m->qf.p50 ? "met" : "MISSED",
           m->ours.p99 < m->qf.p99 ? "met" : "MISSED");
    /* Sustained orders/s with zero loss: a ladder of fixed rates, 2 s each. */
    static const double rates[] = {10000, 20000, 40000, 80000};
    load_result best = {0};
    tf_hist *h_load = bench_hist_new();
    printf("sustained IOC orders through exio to tfsim, each timed from when it was due:\n");
    bench_print_run_header();
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        load_result lr;
        load_run(&o, rates[i], 2.0, h_load, &lr);
        char label[32];
        snprintf(label, sizeof label, "%.0f/s offered", rates[i]);
        bench_print_run_row("", label, &lr.lat, "ns");
        printf("      %llu sent, %llu answered, %llu lost, %.0f/s achieved\n", (unsigned long long)lr.sent,
               (unsigned long long)lr.done, (unsigned long long)lr.lost, lr.achieved);
        if (lr.lost == 0 && lr.achieved >= 0.98 * lr.offered)
            best = lr;
        else
            break;
    }
    free(h_load);
    printf("highest rate served whole (no loss, >= 98%% of the offer): %.0f orders/s, p99 %llu ns from when due\n",
           best.offered, (unsigned long long)best.lat.p99);
    bench_line("fix", "orders_per_s", best.achieved, 0, NULL, "1/s");
    venue_share(m->run, m->tcp.p50, m->tcp.p99);
    close(efd);
    tf_exio_free(&o.x);
    free(h_ours);
    free(h_tcp);
    free(h_qf);
    cleanup();
    return 0;
}

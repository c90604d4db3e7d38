/* make bench-t2t: tick-to-trade wire to wire, its timeline hop by hop, and
 * orders/s through the whole path.
 *
 * Tick to trade: tfsim (CPU 0, --busy-poll) writes a trade frame to the
 * engine's WebSocket; the engine (one hot thread on CPU 1, busy-spin: feed
 * → sample strategy → risk → OMS → exio) answers with a FIX order; tfsim
 * stamps both ends with one clock (--t2t-out: before the write() of the
 * frame, after the recv() of the order) and pairs each order with the
 * frame before it. Trades come 2 ms apart (--rate 500, the default), so
 * each is answered before the next; a higher --rate keeps the path warmer.
 *
 * The timeline: the engine keeps each command's stamps (exchange.trace_file:
 * frame handed over (by our client, or lws), request sent, risk passed, on the venue ring,
 * taken by exio, encoded, send submitted; CLOCK_MONOTONIC like tfsim's), and
 * each tfsim sample is paired with the command whose frame came after its
 * write and whose send was submitted before its read: the hops between are
 * printed as p50/p90/p99/max, and the finer hops inside the engine come from
 * its histograms (tfstat, printed per run).
 *
 * Baselines in the same run: a raw loopback TCP ping-pong through tfsim's
 * echo port (same loop and wake-up path), before the engine starts and after
 * it stops, 200 us of sleep between round trips as it always was, and again
 * spaced like the trades with this thread spinning between (the kernel's
 * paths as cold as between ticks). The engine's own share = tick-to-trade
 * minus the ping-pong's median (a percentile of a difference is not a
 * difference of percentiles: this takes the wire's typical cost off). And
 * each run is made twice, alternating: the engine as configured, and
 * "before" (--before ws|feed|prefault|all: libwebsockets' client for the
 * stream instead of our own, lws also polling its socket every duty cycle,
 * memory not prefaulted, or all of it). Three runs of each; the
 * median run by t2t p50. Target (the issue): the engine's share p50 < 5 us,
 * p99 < 20 us.
 *
 * Orders/s: the engine without a strategy; this process submits IOC orders
 * that do not cross through its request lane (libtfclient) at fixed rates,
 * risk gate → OMS → FIX → tfsim's matching engine and back, each timed
 * from when it was due to its final event in the order journal; a rate
 * counts when every order was answered (zero loss) and kept up. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "include/tradefan/client.h"

#define RUNS 3
#define ECHO_N 3000
#define T2T_SECONDS 6
#define SIM_CPU 0
#define ENGINE_CPU 1

static const char *prog = "bench_t2t";
static const char *t2t_rate = "500";
static const char *idle_kind = "busy-spin"; /* --idle: the hot thread's idle strategy */
static int lock_memory; /* --lock-memory: mlockall, as production.yaml has it */
static int rx_stamps; /* --rx-stamps: feed.rx_timestamps (the kernel receive stamp; one more syscall per read) */
static const char *every = "1"; /* --every N: the strategy answers every Nth trade (the feed stays warmer) */
static char tmp[64];
static pid_t sim_pid, engine_pid;
static int ws_port, fix_port, echo_port;

static void stop(pid_t *p)
{
    if (*p > 0) {
        kill(*p, SIGTERM);
        waitpid(*p, NULL, 0);
    }
    *p = 0;
}

static void cleanup(void)
{
    stop(&engine_pid);
    stop(&sim_pid);
    if (tmp[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
        if (system(cmd) != 0)
            fprintf(stderr, "%s: could not remove %s\n", prog, tmp);
    }
}

static __attribute__((noreturn)) void die(const char *what)
{
    fprintf(stderr, "%s: %s\n", prog, what);
    cleanup();
    exit(1);
}

static void on_signal(int sig)
{
    (void)sig;
    die("interrupted");
}

static int read_port(const char *path)
{
    uint64_t v;
    return bench_read_u64_file(path, &v, 5000) == 0 ? (int)v : -1;
}

/* tfsim with its FIX and echo ports; t2t_out NULL: no stamping, no busy poll. */
static void start_sim(const char *t2t_out, const char *rate, const char *mix)
{
    char ws[96], fx[96], ec[96], log[96];
    snprintf(ws, sizeof ws, "%s/ws.port", tmp);
    snprintf(fx, sizeof fx, "%s/fix.port", tmp);
    snprintf(ec, sizeof ec, "%s/echo.port", tmp);
    snprintf(log, sizeof log, "%s/tfsim.log", tmp);
    unlink(ws);
    unlink(fx);
    unlink(ec);
    char *argv[32];
    int k = 0;
    argv[k++] = "build/bin/tfsim";
    argv[k++] = "--port"; argv[k++] = "0"; argv[k++] = "--bind"; argv[k++] = "127.0.0.1";
    argv[k++] = "--port-file"; argv[k++] = ws;
    argv[k++] = "--fix-port"; argv[k++] = "0"; argv[k++] = "--fix-port-file"; argv[k++] = fx;
    argv[k++] = "--echo-port"; argv[k++] = "0"; argv[k++] = "--echo-port-file"; argv[k++] = ec;
    argv[k++] = "--symbols"; argv[k++] = "BTCUSDT"; argv[k++] = "--rate"; argv[k++] = (char *)rate;
    argv[k++] = "--mix"; argv[k++] = (char *)mix;
    if (t2t_out) {
        argv[k++] = "--busy-poll";
        argv[k++] = "--t2t-out";
        argv[k++] = (char *)t2t_out;
    }
    argv[k] = NULL;
    sim_pid = bench_spawn(prog, argv, SIM_CPU, log);
    ws_port = read_port(ws);
    fix_port = read_port(fx);
    echo_port = read_port(ec);
    if (ws_port < 0 || fix_port < 0 || echo_port < 0)
        die("tfsim did not come up (see its log; run from the project root after make)");
}

/* The baseline variant, run in alternation with the engine as configured:
 * the engine as it was before issue 17's changes, or without one of them
 * (--before ws|feed|prefault|all, default all): ws = libwebsockets' client
 * for the stream (feed.transport: lws, its socket watched by io_uring);
 * feed = that, and lws polling every duty cycle (service_every_cycle);
 * prefault = memory not prefaulted; all = the three. */
static const char *before = "all";
static int baseline_run; /* this run is the baseline variant */
static int before_has(const char *what)
{
    return baseline_run && (strcmp(before, "all") == 0 || strcmp(before, what) == 0);
}

static void write_cfg(const char *path, int with_strategy)
{
    char plugin[256];
    snprintf(plugin, sizeof plugin,
             ", plugin: build/lib/sample_strategy.so, plugin_params: "
             "\"symbol=BTCUSDT,every=%s,offset_ticks=50,qty_lots=100\", plugin_strategy: 1", every);
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot write the engine config");
    fprintf(f,
            "instance: bt2t\nlock_memory: %s\nprefault_memory: %s\n"
            "shm: {dir: %s, mode: 0640, on_stale: replace}\n"
            "journal: {md: {capacity: 65536}}\n"
            "instruments:\n"
            "  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: \"0.01\", lot_size: \"0.00001\", "
            "min_notional: \"5\"}\n"
            "feed: {url: \"ws://127.0.0.1:%d\", rest_url: \"http://127.0.0.1:%d\", streams: [trade%s],\n"
            "       service_every_cycle: %s, rx_timestamps: %s, transport: %s}\n"
            "export: {run_dir: %s/run}\n"
            "orders: {capacity: 65536, journal_capacity: 1048576%s}\n"
            "risk:\n"
            "  max_gross_exposure: \"1000000000\"\n"
            "  daily_loss_limit: \"100000000\"\n"
            "  duplicate_count: 0\n"
            "  instruments:\n"
            "    - {symbol: BTCUSDT, max_order_qty: \"1\", max_order_notional: \"1000000\", max_position: \"100000\", "
            "collar_bps: 1000}\n"
            "  strategies:\n"
            "    - {id: 1, name: sample}\n"
            "    - {id: 2, name: bench}\n"
            "exchange: {host: 127.0.0.1, port: %d, sender_comp_id: BENCHT2T, target_comp_id: TFSIM,\n"
            "           reset_on_logon: true, store_dir: %s/fix, trace_file: %s/trace.txt}\n"
            "threads:\n"
            "  - {name: hot, cpu: %d, idle: %s, stages: [feed, %srisk, oms, exio]}\n",
            lock_memory ? "true" : "false", before_has("prefault") ? "false" : "true", tmp, ws_port, ws_port,
            with_strategy ? "" : ", bookTicker, depth@100ms", before_has("feed") ? "true" : "false",
            rx_stamps ? "true" : "false", rx_stamps || before_has("ws") || before_has("feed") ? "lws" : "uring", tmp,
            with_strategy ? plugin : "",
            fix_port, tmp, tmp, ENGINE_CPU, idle_kind, with_strategy ? "strategy, " : "");
    fclose(f);
}

/* The engine's session logged on (tfstat's venue section). */
static int logged_on(void)
{
    char cmd[256], line[512];
    snprintf(cmd, sizeof cmd, "build/bin/tfstat -n bt2t -d %s --once 2>/dev/null", tmp);
    FILE *p = popen(cmd, "r");
    int ok = 0;
    while (p && fgets(line, sizeof line, p))
        ok |= strncmp(line, "  0       active", 16) == 0;
    if (p)
        pclose(p);
    return ok;
}

static void start_engine(int with_strategy)
{
    char cfg[96], log[96];
    snprintf(cfg, sizeof cfg, "%s/engine.yaml", tmp);
    snprintf(log, sizeof log, "%s/engine.log", tmp);
    write_cfg(cfg, with_strategy);
    char *argv[] = {"build/bin/tfengine", "-c", cfg, NULL};
    engine_pid = bench_spawn(prog, argv, -1, log);
    for (int i = 0; i < 100 && !logged_on(); i++)
        usleep(100000);
    if (!logged_on())
        die("the engine did not log on to tfsim within 10 s (see its log)");
}

/* ---- the raw ping-pong ---------------------------------------------------------- */

/* n timed round trips (after 200 untimed). gap_ns 0: 200 us of sleep between
 * them (the baseline as it was); otherwise each starts gap_ns after the one
 * before, this thread spinning in between as the engine's does: the same
 * spacing as the trades, so the kernel's paths are as warm (or as cold) as
 * the engine's. */
static void echo_phase(tf_hist *h, int n, uint64_t gap_ns)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)echo_port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        die("cannot connect to tfsim's echo port");
    char msg[160], buf[512]; /* about a trade frame's size */
    memset(msg, 'x', sizeof msg);
    uint64_t due = tf_now_ns();
    for (int i = 0; i < n + 200; i++) {
        if (gap_ns) {
            due += gap_ns;
            while (tf_now_ns() < due)
                tf_cpu_relax();
        }
        uint64_t t0 = tf_now_ns(), end = t0 + 2000000000ull;
        if (send(fd, msg, sizeof msg, MSG_NOSIGNAL) != (ssize_t)sizeof msg)
            die("echo send");
        size_t got = 0;
        while (got < sizeof msg) {
            ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            if (r > 0)
                got += (size_t)r;
            else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) || tf_now_ns() > end)
                die("echo failed");
        }
        if (i >= 200) /* warm-up */
            tf_hist_record(h, tf_now_ns() - t0);
        if (!gap_ns)
            usleep(200);
    }
    close(fd);
}

/* ---- the runs ------------------------------------------------------------------- */

/* The tick's timeline: tfsim's two stamps with the engine's own between
 * them (exchange.trace_file), all CLOCK_MONOTONIC on this host. */
enum { HOP_WIRE_IN, HOP_FEED_STRATEGY, HOP_RISK, HOP_OMS, HOP_EXIO_WAIT, HOP_ENCODE, HOP_SUBMIT, HOP_WIRE_OUT,
       HOP_ENGINE, HOP_TOTAL, HOP_COUNT };
static const char *const hop_names[HOP_COUNT] = {
    "wire in: tfsim write() -> frame handed over", "decode, journal, strategy decision",
    "risk gate: request -> passed", "OMS: passed -> on the venue ring", "venue ring -> exio took it",
    "exio: FIX encode", "exio: encoded -> send submitted", "wire out: submitted -> tfsim read",
    "engine: frame handed over -> submitted", "tick to trade (tfsim write -> read)"};

typedef struct run_result {
    tf_hist_summary t2t, echo, echo_spaced;
    uint64_t samples;
    tf_hist_summary hop[HOP_COUNT];
    uint64_t paired;
} run_result;

typedef struct trace_rec {
    uint64_t t_md, t_request, t_passed, t_handed, t_taken, t_encoded, t_submitted;
} trace_rec;

static void hop_rec(tf_hist *h, uint64_t from, uint64_t to)
{
    if (from && to >= from)
        tf_hist_record(h, to - from);
}

/* Pairs each tfsim sample (write, read) with the engine command whose
 * market data arrived after the write and whose send was submitted before
 * the read (trades are 2 ms apart: at most one fits). */
static void timeline(const char *trace_path, uint64_t (*smp)[2], uint64_t n, run_result *r)
{
    static trace_rec tr[1 << 16];
    uint64_t nt = 0;
    FILE *f = fopen(trace_path, "r");
    if (!f)
        die("the engine wrote no trace file (exchange.trace_file)");
    unsigned kind;
    unsigned long long id, v[7];
    while (nt < sizeof tr / sizeof tr[0] &&
           fscanf(f, "%u %llu %llu %llu %llu %llu %llu %llu %llu", &kind, &id, &v[0], &v[1], &v[2], &v[3], &v[4],
                  &v[5], &v[6]) == 9)
        if (v[0]) /* a command from a tick (the strategy's) */
            tr[nt++] = (trace_rec){v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
    fclose(f);
    tf_hist *h[HOP_COUNT];
    for (int k = 0; k < HOP_COUNT; k++)
        h[k] = bench_hist_new();
    uint64_t j = 0;
    r->paired = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t w = smp[i][0], rd = smp[i][1];
        while (j < nt && tr[j].t_md < w)
            j++;
        if (j >= nt || tr[j].t_submitted > rd || tr[j].t_md > rd)
            continue;
        const trace_rec *t = &tr[j++];
        r->paired++;
        hop_rec(h[HOP_WIRE_IN], w, t->t_md);
        hop_rec(h[HOP_FEED_STRATEGY], t->t_md, t->t_request);
        hop_rec(h[HOP_RISK], t->t_request, t->t_passed);
        hop_rec(h[HOP_OMS], t->t_passed, t->t_handed);
        hop_rec(h[HOP_EXIO_WAIT], t->t_handed, t->t_taken);
        hop_rec(h[HOP_ENCODE], t->t_taken, t->t_encoded);
        hop_rec(h[HOP_SUBMIT], t->t_encoded, t->t_submitted);
        hop_rec(h[HOP_WIRE_OUT], t->t_submitted, rd);
        hop_rec(h[HOP_ENGINE], t->t_md, t->t_submitted);
        hop_rec(h[HOP_TOTAL], w, rd);
    }
    for (int k = 0; k < HOP_COUNT; k++) {
        tf_hist_summarize(h[k], &r->hop[k]);
        free(h[k]);
    }
}

static void t2t_run(tf_hist *h_t2t, tf_hist *h_echo, run_result *r)
{
    char out[96];
    snprintf(out, sizeof out, "%s/t2t.samples", tmp);
    unlink(out);
    tf_hist_reset(h_t2t);
    tf_hist_reset(h_echo);
    static tf_hist *h_spaced;
    if (!h_spaced)
        h_spaced = bench_hist_new();
    tf_hist_reset(h_spaced);
    uint64_t gap = (uint64_t)(1e9 / atof(t2t_rate));
    start_sim(out, t2t_rate, "trade");
    echo_phase(h_echo, ECHO_N, 0);
    echo_phase(h_spaced, ECHO_N / 2, gap);
    start_engine(1);
    sleep(T2T_SECONDS);
    /* The engine's own hop histograms for this run: where its share went. */
    char cmd[192];
    snprintf(cmd, sizeof cmd, "build/bin/tfstat -n bt2t -d %s --once 2>/dev/null | sed -n '/^histograms/,/^$/p'", tmp);
    if (!baseline_run && system(cmd) != 0)
        fprintf(stderr, "%s: tfstat did not answer\n", prog);
    stop(&engine_pid);
    echo_phase(h_echo, ECHO_N, 0);
    echo_phase(h_spaced, ECHO_N / 2, gap);
    stop(&sim_pid);
    FILE *f = fopen(out, "r");
    if (!f)
        die("tfsim wrote no tick-to-trade samples");
    unsigned long long ns, w, rd;
    char type[8];
    static uint64_t smp[1 << 16][2];
    r->samples = 0;
    while (fscanf(f, "%llu %7s %llu %llu", &ns, type, &w, &rd) == 4) {
        tf_hist_record(h_t2t, ns);
        if (r->samples < sizeof smp / sizeof smp[0]) {
            smp[r->samples][0] = w;
            smp[r->samples][1] = rd;
        }
        r->samples++;
    }
    fclose(f);
    snprintf(out, sizeof out, "%s/trace.txt", tmp);
    timeline(out, smp, r->samples < sizeof smp / sizeof smp[0] ? r->samples : sizeof smp / sizeof smp[0], r);
    unlink(out);
    if (r->samples < 100)
        die("too few tick-to-trade samples (did the strategy trade?)");
    tf_hist_summarize(h_t2t, &r->t2t);
    tf_hist_summarize(h_echo, &r->echo);
    tf_hist_summarize(h_spaced, &r->echo_spaced);
}

/* Orders/s: IOC orders at `rate` for `secs` through the whole path. */
typedef struct load_result {
    double rate;
    uint64_t sent, answered, refused;
    tf_hist_summary lat;
} load_result;

static void load_run(tfc *c, double rate, double secs, double px, tf_hist *h, load_result *out)
{
    enum { MAXN = 1 << 20 };
    static uint64_t due[MAXN];
    tf_hist_reset(h);
    uint64_t n = (uint64_t)(rate * secs), sent = 0, answered = 0, refused = 0, first = 0;
    if (n > MAXN)
        n = MAXN;
    double ns_per = 1e9 / rate;
    uint64_t t0 = tf_now_ns(), end_wait = 0;
    tf_order_event ev;
    while (answered + refused < n) {
        uint64_t now = tf_now_ns();
        while (sent < n && now >= t0 + (uint64_t)((double)sent * ns_per)) {
            char p[32];
            snprintf(p, sizeof p, "%.2f", px - (double)(sent % 50) * 0.01); /* vary: no duplicate refusals */
            uint64_t req = tfc_new_order(c, "BTCUSDT", "buy", "limit", "ioc", p, "0.001");
            if (!req)
                die(tfc_error(c));
            if (!first)
                first = req;
            if (req - first != sent)
                die("client request ids are not consecutive");
            due[sent] = t0 + (uint64_t)((double)sent * ns_per);
            sent++;
        }
        int got;
        while ((got = tfc_next_event(c, &ev)) == 1) {
            if (ev.client_req_id < first || ev.client_req_id - first >= sent)
                continue;
            uint64_t i = ev.client_req_id - first;
            if (ev.kind == TF_EV_EXPIRED || ev.kind == TF_EV_CANCELED || ev.kind == TF_EV_FILL) {
                if (due[i]) {
                    tf_hist_record(h, tf_now_ns() - due[i]);
                    due[i] = 0;
                    answered++;
                }
            } else if (ev.kind == TF_EV_REJECTED && due[i]) {
                due[i] = 0;
                refused++;
            }
        }
        if (got < 0)
            die("the order journal lapped the benchmark's reader");
        if (sent == n && !end_wait)
            end_wait = now + 2000000000ull;
        if (end_wait && now > end_wait)
            break;
    }
    out->rate = rate;
    out->sent = sent;
    out->answered = answered;
    out->refused = refused;
    tf_hist_summarize(h, &out->lat);
}

int main(int argc, char **argv)
{
    int load_only = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--load-only") == 0) /* orders/s alone */
            load_only = 1;
        else if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc) /* trades/s for tick-to-trade (default 500) */
            t2t_rate = argv[++i];
        else if (strcmp(argv[i], "--before") == 0 && i + 1 < argc) /* what the baseline variant turns off */
            before = argv[++i];
        else if (strcmp(argv[i], "--rx-stamps") == 0) /* feed.rx_timestamps: md_kernel_to_recv_ns */
            rx_stamps = 1;
        else if (strcmp(argv[i], "--every") == 0 && i + 1 < argc) /* the strategy answers every Nth trade */
            every = argv[++i];
        else if (strcmp(argv[i], "--lock-memory") == 0) /* the engine locks its memory (production.yaml) */
            lock_memory = 1;
        else if (strcmp(argv[i], "--idle") == 0 && i + 1 < argc) /* busy-spin (default) or spin (no pause) */
            idle_kind = argv[++i];
        else
            die("usage: bench_t2t [--rate TRADES_PER_S] [--idle busy-spin|spin] [--lock-memory] [--every N] [--rx-stamps] [--before ws|feed|prefault|all] [--load-only]");
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    bench_calibrate();
    snprintf(tmp, sizeof tmp, "/dev/shm/tf-bench-t2t.XXXXXX");
    if (!mkdtemp(tmp))
        die("mkdtemp");
    int cpu = bench_pin(prog, ENGINE_CPU); /* the ping-pong client: where the engine will spin */
    tf_hist *h_t2t = bench_hist_new(), *h_echo = bench_hist_new();
    run_result r[RUNS];
    if (load_only)
        goto load;
    printf("tick to trade wire to wire: tfsim on CPU %d (busy poll) writes %s trades/s; the engine's hot\n"
           "thread on CPU %d (feed, sample strategy, risk, oms, exio; busy-spin) answers over FIX; the ping-pong\n"
           "client runs on CPU %d while the engine is stopped\n", SIM_CPU, t2t_rate, ENGINE_CPU, cpu);
    printf("each run twice, alternating: as configured (the feed's own WebSocket client on io_uring, memory\n"
           "prefaulted) and \"before\": %s\n",
           strcmp(before, "all") == 0 ? "libwebsockets' client polled every duty cycle, memory not prefaulted"
           : strcmp(before, "ws") == 0 ? "libwebsockets' client (feed.transport: lws), its socket watched by io_uring"
           : strcmp(before, "feed") == 0 ? "libwebsockets' client polled every duty cycle (feed.service_every_cycle)"
                                         : "memory not prefaulted (prefault_memory: false)");
    bench_print_run_header();
    run_result rb[RUNS];
    for (int k = 0; k < RUNS; k++) {
        char run[16];
        snprintf(run, sizeof run, "%d", k + 1);
        baseline_run = 1;
        t2t_run(h_t2t, h_echo, &rb[k]);
        bench_print_run_row(run, "t2t, before", &rb[k].t2t, "ns");
        bench_print_run_row("", "tcp ping-pong (2x1way)", &rb[k].echo, "ns");
        bench_print_run_row("", "ping-pong, trade gaps", &rb[k].echo_spaced, "ns");
        baseline_run = 0;
        t2t_run(h_t2t, h_echo, &r[k]);
        bench_print_run_row(run, "tick-to-trade (wire)", &r[k].t2t, "ns");
        bench_print_run_row("", "tcp ping-pong (2x1way)", &r[k].echo, "ns");
        bench_print_run_row("", "ping-pong, trade gaps", &r[k].echo_spaced, "ns");
    }
    qsort(r, RUNS, sizeof r[0], bench_cmp_p50);
    qsort(rb, RUNS, sizeof rb[0], bench_cmp_p50);
    const run_result *m = &r[RUNS / 2], *mb = &rb[RUNS / 2];
    double wire = (double)m->echo.p50, wire_b = (double)mb->echo.p50;
    double s50 = (double)m->t2t.p50 - wire, s99 = (double)m->t2t.p99 - wire, s999 = (double)m->t2t.p999 - wire;
    double b50 = (double)mb->t2t.p50 - wire_b, b99 = (double)mb->t2t.p99 - wire_b;
    char base_before[32];
    snprintf(base_before, sizeof base_before, "before_%s", before);
    printf("median run by t2t p50 (spread %.0f%%); engine's share = t2t minus the ping-pong's median %.0f ns\n",
           m->t2t.p50 ? 100.0 * (double)(r[RUNS - 1].t2t.p50 - r[0].t2t.p50) / (double)m->t2t.p50 : 0.0, wire);
    printf("the tick's timeline, median runs (%llu of %llu samples paired with the engine's trace; one clock,\n"
           "CLOCK_MONOTONIC: tfsim's stamps around the engine's own). Inside \"decode, journal, strategy\": the\n"
           "engine's histograms above (md_recv_to_decoded_ns, md_decoded_to_published_ns, strategy_md_wait_ns,\n"
           "strategy_decide_ns). Inside \"wire in\", with --rx-stamps: md_kernel_to_recv_ns, the kernel's receive\n"
           "stamp of the packet (SO_TIMESTAMPING) to the frame handed over by lws (--rx-stamps runs lws; a MSG_PEEK recvmsg per read\n"
           "fetches the stamp, which lengthens that hop by its own cost).\n",
           (unsigned long long)m->paired, (unsigned long long)m->samples);
    printf("%-46s %7s %7s %7s %7s %8s | %-18s\n", "hop", "count", "p50", "p90", "p99", "max", "before");
    for (int k = 0; k < HOP_COUNT; k++)
        printf("%-46s %7llu %7llu %7llu %7llu %8llu | p50 %6llu p99 %6llu ns\n", hop_names[k],
               (unsigned long long)m->hop[k].count, (unsigned long long)m->hop[k].p50,
               (unsigned long long)m->hop[k].p90, (unsigned long long)m->hop[k].p99,
               (unsigned long long)m->hop[k].max, (unsigned long long)mb->hop[k].p50,
               (unsigned long long)mb->hop[k].p99);
    static const char *const hop_keys[HOP_COUNT] = {"wire_in", "feed_strategy", "risk", "oms", "exio_wait",
                                                    "encode", "submit", "wire_out", "engine", "total"};
    for (int k = 0; k < HOP_COUNT; k++) {
        char name[48];
        snprintf(name, sizeof name, "hop_%s_p50", hop_keys[k]);
        bench_line("t2t", name, (double)m->hop[k].p50, (double)mb->hop[k].p50, base_before, "ns");
        snprintf(name, sizeof name, "hop_%s_p99", hop_keys[k]);
        bench_line("t2t", name, (double)m->hop[k].p99, (double)mb->hop[k].p99, base_before, "ns");
    }
    bench_line("t2t", "wire_p50", (double)m->t2t.p50, wire, "two_loopback_one_way", "ns");
    bench_line("t2t", "wire_p99", (double)m->t2t.p99, (double)m->echo.p99, "two_loopback_one_way", "ns");
    bench_line("t2t", "engine_share_p50", s50, wire, "two_loopback_one_way", "ns");
    bench_line("t2t", "engine_share_p99", s99, wire, "two_loopback_one_way", "ns");
    bench_line("t2t", "engine_share_p999", s999, wire, "two_loopback_one_way", "ns");
    bench_line("t2t", "engine_share_p50_vs_before", s50, b50, base_before, "ns");
    bench_line("t2t", "engine_share_p99_vs_before", s99, b99, base_before, "ns");
    /* The same share against a ping-pong spaced like the trades (this thread
     * spinning between round trips as the engine's does): the kernel's paths
     * are then as cold between round trips as between ticks. */
    double sp = (double)m->echo_spaced.p50;
    double q50 = (double)m->t2t.p50 - sp, q99 = (double)m->t2t.p99 - sp;
    printf("ping-pong spaced like the trades (every %.0f us, spinning between): median %.0f ns, p99 %llu ns\n",
           1e6 / atof(t2t_rate), sp, (unsigned long long)m->echo_spaced.p99);
    bench_line("t2t", "engine_share_p50_same_gaps", q50, sp, "two_loopback_one_way_same_gaps", "ns");
    bench_line("t2t", "engine_share_p99_same_gaps", q99, sp, "two_loopback_one_way_same_gaps", "ns");
    printf("target engine share p50 < 5 us: %s (%.1f us); p99 < 20 us: %s (%.1f us)\n", s50 < 5000 ? "met" : "MISSED",
           s50 / 1000, s99 < 20000 ? "met" : "MISSED", s99 / 1000);
    printf("  against the ping-pong spaced like the trades: p50 %s (%.1f us); p99 %s (%.1f us)\n",
           q50 < 5000 ? "met" : "MISSED", q50 / 1000, q99 < 20000 ? "met" : "MISSED", q99 / 1000);

load:
    /* orders/s through the whole path: this client beside tfsim (which
     * sleeps in epoll here), the engine's hot thread alone on its CPU */
    bench_pin(prog, SIM_CPU);
    start_sim(NULL, "200", "trade,bookTicker,depth");
    start_engine(0);
    char err[256];
    tfc *c = tfc_open("bt2t", tmp, 2, err, sizeof err);
    if (!c)
        die(err);
    int ins = tfc_instrument(c, "BTCUSDT");
    int64_t bid = 0, ask = 0;
    for (int i = 0; i < 100 && tfc_quote(c, ins, &bid, &ask) != 0; i++)
        usleep(50000);
    if (!bid)
        die("no quote from the engine");
    double px = (double)bid / 100.0 * 0.995; /* 0.5 % under the bid: never crosses, inside the collar */
    static const double rates[] = {5000, 10000, 20000, 40000};
    load_result best = {0};
    tf_hist *h_load = bench_hist_new();
    printf("orders through the whole path (client lane → risk → oms → exio → FIX → tfsim → back), IOC, each timed\n"
           "from when it was due to its final event in the order journal; client and tfsim on CPU %d, engine on CPU %d:\n",
           SIM_CPU, ENGINE_CPU);
    bench_print_run_header();
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        load_result lr;
        load_run(c, rates[i], 2.0, px, h_load, &lr);
        char label[32];
        snprintf(label, sizeof label, "%.0f/s offered", rates[i]);
        bench_print_run_row("", label, &lr.lat, "ns");
        printf("      %llu sent, %llu answered, %llu refused, %llu lost\n", (unsigned long long)lr.sent,
               (unsigned long long)lr.answered, (unsigned long long)lr.refused,
               (unsigned long long)(lr.sent - lr.answered - lr.refused));
        if (lr.answered == lr.sent && lr.lat.p99 < 10000000ull)
            best = lr;
        else
            break;
    }
    printf("highest rate served whole (zero loss, p99 from when due < 10 ms): %.0f orders/s\n", best.rate);
    bench_line("t2t", "orders_per_s", best.rate, 0, NULL, "1/s");
    tfc_close(c);
    free(h_load);
    free(h_t2t);
    free(h_echo);
    cleanup();
    return 0;
}

/* bench_ring: the ring hop and ring throughput, in shared memory.
 *
 * Round trip: two threads pinned to two CPUs ping-pong a 64-byte record
 * (closed loop: one record in flight, so there is no coordinated omission
 * to correct for). Variants, measured in alternation within each round:
 *   ours           our SPSC ring (shm/ring.h), one each way
 *   ck_ring        Concurrency Kit's SPSC ring, same records, same segment
 *   cacheline_rtt  a bare cache-line ping-pong: the physical limit
 *   pipe_rtt       64 bytes through two pipes (a blocking hand-off)
 *   eventfd_rtt    record in shm, wake-up through two eventfds
 * Throughput: producer on one CPU, consumer on the other, every sequence
 * verified (loss must be 0): ours batched, ours single, ck_ring single.
 *
 * usage: bench_ring [--samples N] [--rounds N] [--seconds S] [--runs N]
 *                   [--cpus A,B] [--batch N]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <ck_ring.h>

#include "bench/bench_util.h"
#include "shm/err.h"
#include "shm/ring.h"
#include "shm/segment.h"

#define CAP 1024u

struct brec {
    uint64_t v[8];
};
_Static_assert(sizeof(struct brec) == 64, "64-byte records");
CK_RING_PROTOTYPE(brec, brec)

typedef struct ck_region {
    struct ck_ring ring;
    uint8_t pad[256 - sizeof(struct ck_ring)];
    struct brec buf[CAP];
} ck_region;

enum variant { V_OURS, V_CK, V_LINE, V_PIPE, V_EVENTFD, V_COUNT };
static const char *const variant_names[V_COUNT] = {"ours", "ck_ring", "cacheline_rtt", "pipe_rtt",
                                                   "eventfd_rtt"};

static struct {
    int cpu_a, cpu_b;
    uint64_t samples;
    int rounds, runs;
    double seconds;
    uint32_t batch;
} opt = {0, 1, 200000, 5, 3, 2.0, 32};

static tf_ring ours_ab, ours_ba;
static ck_region *ck_ab, *ck_ba;
static uint64_t *line_a, *line_b; /* on separate 128-byte lines */
static struct brec *slot_a, *slot_b;
static int pipe_ab[2], pipe_ba[2], efd_ab, efd_ba;
static uint64_t watchdog_ticks;

static void stalled(const char *what)
{
    fprintf(stderr, "bench_ring: %s: partner stopped answering for 2 s; aborting\n", what);
    exit(1);
}

/* Spin until cond; abort if the partner is gone. */
#define SPIN_UNTIL(cond, what)                                               \
    do {                                                                     \
        uint64_t t0_ = bench_ticks();                                        \
        uint32_t n_ = 0;                                                     \
        while (!(cond)) {                                                    \
            if ((++n_ & 4095u) == 0 && bench_ticks() - t0_ > watchdog_ticks) \
                stalled(what);                                               \
        }                                                                    \
    } while (0)

typedef struct echo_arg {
    enum variant v;
    uint64_t n;
} echo_arg;

static void *echo_main(void *p)
{
    echo_arg *a = p;
    bench_pin(opt.cpu_b);
    struct brec r;
    for (uint64_t i = 1; i <= a->n; i++) {
        switch (a->v) {
        case V_OURS:
            SPIN_UNTIL(tf_spsc_poll(&ours_ab, &r, sizeof r), "ours echo");
            SPIN_UNTIL(tf_spsc_offer(&ours_ba, &r, sizeof r), "ours echo send");
            break;
        case V_CK:
            SPIN_UNTIL(ck_ring_dequeue_spsc_brec(&ck_ab->ring, ck_ab->buf, &r), "ck echo");
            SPIN_UNTIL(ck_ring_enqueue_spsc_brec(&ck_ba->ring, ck_ba->buf, &r), "ck echo send");
            break;
        case V_LINE:
            SPIN_UNTIL(ck_pr_load_64(line_a) == i, "line echo");
            ck_pr_store_64(line_b, i);
            break;
        case V_PIPE:
            if (read(pipe_ab[0], &r, sizeof r) != sizeof r || write(pipe_ba[1], &r, sizeof r) != sizeof r)
                stalled("pipe echo");
            break;
        case V_EVENTFD: {
            uint64_t one;
            if (read(efd_ab, &one, sizeof one) != sizeof one)
                stalled("eventfd echo");
            memcpy(slot_b, slot_a, sizeof *slot_b);
            one = 1;
            if (write(efd_ba, &one, sizeof one) != sizeof one)
                stalled("eventfd echo send");
            break;
        }
        default:
            break;
        }
    }
    return NULL;
}

/* One round of one variant: `warmup` discarded round trips, then `n` timed. */
static void pingpong(enum variant v, uint64_t warmup, uint64_t n, tf_hist *h)
{
    echo_arg a = {v, warmup + n};
    pthread_t t;
    pthread_create(&t, NULL, echo_main, &a);
    struct brec r;
    memset(&r, 0, sizeof r);
    for (uint64_t i = 1; i <= warmup + n; i++) {
        r.v[0] = i;
        uint64_t t0 = bench_ticks();
        switch (v) {
        case V_OURS:
            SPIN_UNTIL(tf_spsc_offer(&ours_ab, &r, sizeof r), "ours send");
            SPIN_UNTIL(tf_spsc_poll(&ours_ba, &r, sizeof r), "ours reply");
            break;
        case V_CK:
            SPIN_UNTIL(ck_ring_enqueue_spsc_brec(&ck_ab->ring, ck_ab->buf, &r), "ck send");
            SPIN_UNTIL(ck_ring_dequeue_spsc_brec(&ck_ba->ring, ck_ba->buf, &r), "ck reply");
            break;
        case V_LINE:
            ck_pr_store_64(line_a, i);
            SPIN_UNTIL(ck_pr_load_64(line_b) == i, "line reply");
            break;
        case V_PIPE:
            if (write(pipe_ab[1], &r, sizeof r) != sizeof r || read(pipe_ba[0], &r, sizeof r) != sizeof r)
                stalled("pipe");
            break;
        case V_EVENTFD: {
            memcpy(slot_a, &r, sizeof r);
            uint64_t one = 1;
            if (write(efd_ab, &one, sizeof one) != sizeof one || read(efd_ba, &one, sizeof one) != sizeof one)
                stalled("eventfd");
            memcpy(&r, slot_b, sizeof r);
            break;
        }
        default:
            break;
        }
        uint64_t t1 = bench_ticks();
        if (i > warmup)
            tf_hist_record(h, bench_ticks_to_ns(t1 - t0));
    }
    pthread_join(t, NULL);
}

/* ---- throughput -------------------------------------------------------------- */

enum tmode { T_OURS_BATCH, T_OURS_SINGLE, T_CK_SINGLE, T_COUNT };
static const char *const tmode_names[T_COUNT] = {"ours_batch", "ours_single", "ck_ring_single"};

typedef struct tput_arg {
    enum tmode m;
    _Atomic uint64_t produced_total; /* set when the producer finishes */
    uint64_t received, lost;
    uint64_t t_first, t_last;
} tput_arg;

static void *consumer_main(void *p)
{
    tput_arg *a = p;
    bench_pin(opt.cpu_b);
    struct brec buf[256];
    uint64_t expect = 1;
    uint64_t idle_since = 0;
    for (;;) {
        uint32_t n = 0;
        if (a->m == T_OURS_BATCH)
            n = tf_spsc_poll_batch(&ours_ab, buf, opt.batch, sizeof buf[0]);
        else if (a->m == T_OURS_SINGLE)
            n = tf_spsc_poll(&ours_ab, buf, sizeof buf[0]) ? 1 : 0;
        else
            n = ck_ring_dequeue_spsc_brec(&ck_ab->ring, ck_ab->buf, buf) ? 1 : 0;
        if (n == 0) {
            uint64_t total = atomic_load_explicit(&a->produced_total, memory_order_acquire);
            if (total && a->received + a->lost >= total)
                break;
            uint64_t now = bench_ticks();
            if (!idle_since)
                idle_since = now;
            else if (now - idle_since > watchdog_ticks)
                stalled("throughput consumer");
            continue;
        }
        idle_since = 0;
        if (!a->t_first)
            a->t_first = bench_ticks();
        for (uint32_t i = 0; i < n; i++) {
            if (buf[i].v[0] != expect)
                a->lost += buf[i].v[0] > expect ? buf[i].v[0] - expect : 1;
            expect = buf[i].v[0] + 1;
        }
        a->received += n;
        a->t_last = bench_ticks();
    }
    return NULL;
}

static double throughput_run(enum tmode m, uint64_t *lost)
{
    tf_ring_init(&ours_ab, ours_ab.desc, tf_ring_region_size(CAP, 64), "ab", TF_RING_SPSC, CAP, 64);
    ck_ring_init(&ck_ab->ring, CAP);
    tput_arg a;
    memset(&a, 0, sizeof a);
    a.m = m;
    pthread_t t;
    pthread_create(&t, NULL, consumer_main, &a);
    struct brec buf[256];
    memset(buf, 0, sizeof buf);
    uint64_t seq = 1;
    uint64_t end = bench_ticks() + (uint64_t)(opt.seconds * 1e9 / bench_ns_per_tick);
    uint64_t max_records = (uint64_t)(opt.seconds * 500e6); /* a bound on count too */
    while (seq <= max_records) {
        if ((seq & 1023u) < opt.batch && bench_ticks() > end)
            break;
        if (m == T_OURS_BATCH) {
            for (uint32_t i = 0; i < opt.batch; i++)
                buf[i].v[0] = seq + i;
            uint32_t done = 0;
            uint64_t t0 = bench_ticks();
            while (done < opt.batch) {
                done += tf_spsc_offer_batch(&ours_ab, buf + done, opt.batch - done, sizeof buf[0]);
                if (bench_ticks() - t0 > watchdog_ticks)
                    stalled("throughput producer");
            }
            seq += opt.batch;
        } else if (m == T_OURS_SINGLE) {
            buf[0].v[0] = seq++;
            SPIN_UNTIL(tf_spsc_offer(&ours_ab, buf, sizeof buf[0]), "throughput producer");
        } else {
            buf[0].v[0] = seq++;
            SPIN_UNTIL(ck_ring_enqueue_spsc_brec(&ck_ab->ring, ck_ab->buf, buf), "throughput producer");
        }
    }
    atomic_store_explicit(&a.produced_total, seq - 1, memory_order_release);
    pthread_join(t, NULL);
    *lost = a.lost + (seq - 1 - a.received - a.lost);
    double secs = (double)(a.t_last - a.t_first) * bench_ns_per_tick / 1e9;
    return secs > 0 ? (double)a.received / secs : 0;
}

/* ---- set-up ------------------------------------------------------------------- */

static void parse_args(int argc, char **argv)
{
    static const struct option opts[] = {
        {"samples", required_argument, NULL, 's'}, {"rounds", required_argument, NULL, 'r'},
        {"seconds", required_argument, NULL, 't'}, {"runs", required_argument, NULL, 'n'},
        {"cpus", required_argument, NULL, 'c'},    {"batch", required_argument, NULL, 'b'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 's': opt.samples = strtoull(optarg, NULL, 10); break;
        case 'r': opt.rounds = atoi(optarg); break;
        case 't': opt.seconds = atof(optarg); break;
        case 'n': opt.runs = atoi(optarg); break;
        case 'c':
            if (sscanf(optarg, "%d,%d", &opt.cpu_a, &opt.cpu_b) != 2) {
                fprintf(stderr, "bench_ring: --cpus A,B\n");
                exit(1);
            }
            break;
        case 'b': opt.batch = (uint32_t)atoi(optarg); break;
        default:
            fprintf(stderr, "usage: bench_ring [--samples N] [--rounds N] [--seconds S] [--runs N] "
                            "[--cpus A,B] [--batch N]\n");
            exit(1);
        }
    }
    if (opt.samples < 1000 || opt.rounds < 1 || opt.runs < 1 || opt.batch < 1 || opt.batch > 256 ||
        opt.seconds <= 0 || opt.seconds > 60) {
        fprintf(stderr, "bench_ring: samples >= 1000, rounds/runs >= 1, batch 1..256, seconds 0..60\n");
        exit(1);
    }
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    bench_calibrate();
    watchdog_ticks = (uint64_t)(2e9 / bench_ns_per_tick);
    printf("# ring hop: threads pinned to CPUs %d and %d; %" PRIu64 " round trips x %d rounds per "
           "variant, alternating; 64-byte records\n", opt.cpu_a, opt.cpu_b, opt.samples, opt.rounds);

    char inst[32], path[256];
    snprintf(inst, sizeof inst, "bench%d", (int)getpid());
    tf_segment seg;
    tf_seg_layout layout = {.kind = TF_SEG_KIND_RINGS, .region_count = 5};
    layout.regions[0].name = "ours_ab";
    layout.regions[0].length = tf_ring_region_size(CAP, 64);
    layout.regions[1].name = "ours_ba";
    layout.regions[1].length = tf_ring_region_size(CAP, 64);
    layout.regions[2].name = "ck_ab";
    layout.regions[2].length = sizeof(ck_region);
    layout.regions[3].name = "ck_ba";
    layout.regions[3].length = sizeof(ck_region);
    layout.regions[4].name = "lines";
    layout.regions[4].length = 4096;
    if (tf_segment_path(path, sizeof path, "/dev/shm", inst, "rings") != 0 ||
        tf_segment_create(&seg, path, inst, "rings", &layout, 0600, TF_STALE_ACTION_REPLACE) != 0) {
        fprintf(stderr, "bench_ring: %s\n", tf_err_msg());
        return 1;
    }
    if (tf_segment_publish(&seg) != 0) {
        fprintf(stderr, "bench_ring: %s\n", tf_err_msg());
        return 1;
    }
    uint64_t len;
    void *r0 = tf_segment_region(&seg, "ours_ab", &len);
    tf_ring_init(&ours_ab, r0, len, "ab", TF_RING_SPSC, CAP, 64);
    void *r1 = tf_segment_region(&seg, "ours_ba", &len);
    tf_ring_init(&ours_ba, r1, len, "ba", TF_RING_SPSC, CAP, 64);
    ck_ab = tf_segment_region(&seg, "ck_ab", NULL);
    ck_ba = tf_segment_region(&seg, "ck_ba", NULL);
    ck_ring_init(&ck_ab->ring, CAP);
    ck_ring_init(&ck_ba->ring, CAP);
    uint8_t *lines = tf_segment_region(&seg, "lines", NULL);
    line_a = (uint64_t *)lines;
    line_b = (uint64_t *)(lines + 128);
    slot_a = (struct brec *)(lines + 256);
    slot_b = (struct brec *)(lines + 512);
    if (pipe(pipe_ab) || pipe(pipe_ba) || (efd_ab = eventfd(0, 0)) < 0 || (efd_ba = eventfd(0, 0)) < 0) {
        perror("bench_ring: pipe/eventfd");
        return 1;
    }
    bench_pin(opt.cpu_a);

    tf_hist *h[V_COUNT];
    for (int v = 0; v < V_COUNT; v++)
        h[v] = bench_hist_new();
    for (int round = 0; round < opt.rounds; round++) {
        for (int v = 0; v < V_COUNT; v++) {
            *line_a = *line_b = 0;
            /* The blocking hand-offs are ~100x slower; fewer samples keep the run short. */
            uint64_t n = v >= V_PIPE ? opt.samples / 10 : opt.samples;
            pingpong((enum variant)v, round == 0 ? n / 10 : 0, n, h[v]);
        }
    }
    printf("\nround trip (ns)\n");
    bench_print_hist_header();
    tf_hist_summary s[V_COUNT];
    for (int v = 0; v < V_COUNT; v++)
        bench_print_hist(variant_names[v], h[v], &s[v]);
    printf("# tails on this VM are bounded by the hypervisor (preemptions of ms); max is kept as measured\n");

    printf("\nring throughput: producer CPU %d -> consumer CPU %d, %.1f s per run, %d runs, batch %u\n",
           opt.cpu_a, opt.cpu_b, opt.seconds, opt.runs, opt.batch);
    double tput[T_COUNT][16];
    uint64_t lost_total[T_COUNT] = {0};
    int runs = opt.runs > 16 ? 16 : opt.runs;
    for (int r = 0; r < runs; r++)
        for (int m = 0; m < T_COUNT; m++) {
            uint64_t lost;
            tput[m][r] = throughput_run((enum tmode)m, &lost);
            lost_total[m] += lost;
        }
    double med[T_COUNT], spread[T_COUNT];
    for (int m = 0; m < T_COUNT; m++) {
        med[m] = bench_median(tput[m], runs, &spread[m]);
        printf("%-16s median %8.2f M records/s  spread %4.1f%%  lost %" PRIu64 "\n", tmode_names[m],
               med[m] / 1e6, spread[m] * 100, lost_total[m]);
    }

    printf("\n");
    bench_line("ring_hop", "rtt_p50", (double)s[V_OURS].p50, (double)s[V_LINE].p50, "cacheline_rtt", "ns");
    bench_line("ring_hop", "rtt_p99", (double)s[V_OURS].p99, (double)s[V_LINE].p99, "cacheline_rtt", "ns");
    bench_line("ring_hop", "rtt_p999", (double)s[V_OURS].p999, (double)s[V_LINE].p999, "cacheline_rtt", "ns");
    bench_line("ring_hop", "rtt_max", (double)s[V_OURS].max, (double)s[V_LINE].max, "cacheline_rtt", "ns");
    bench_line("ring_hop_ck", "rtt_p50", (double)s[V_CK].p50, (double)s[V_LINE].p50, "cacheline_rtt", "ns");
    bench_line("ring_hop_ck", "rtt_p99", (double)s[V_CK].p99, (double)s[V_LINE].p99, "cacheline_rtt", "ns");
    bench_line("ring_hop", "rtt_p50", (double)s[V_OURS].p50, (double)s[V_CK].p50, "ck_ring_rtt", "ns");
    bench_line("ring_hop", "rtt_p50", (double)s[V_OURS].p50, (double)s[V_PIPE].p50, "pipe_rtt", "ns");
    bench_line("ring_hop", "rtt_p50", (double)s[V_OURS].p50, (double)s[V_EVENTFD].p50, "eventfd_rtt", "ns");
    bench_line("ring_throughput", "records_per_s", med[T_OURS_BATCH], med[T_CK_SINGLE], "ck_ring_spsc", "1/s");
    bench_line("ring_throughput_single", "records_per_s", med[T_OURS_SINGLE], med[T_CK_SINGLE], "ck_ring_spsc", "1/s");
    bench_line("ring_throughput", "lost", (double)(lost_total[T_OURS_BATCH] + lost_total[T_OURS_SINGLE]),
               0, NULL, "records");

    double hop_ratio = (double)s[V_OURS].p50 / (double)(s[V_LINE].p50 ? s[V_LINE].p50 : 1);
    printf("\ntarget: ring rtt p50 <= 1.5x cacheline rtt: %.2fx -> %s\n", hop_ratio,
           hop_ratio <= 1.5 ? "met" : "MISSED");
    printf("target: ring throughput >= 50 M records/s: %.1f M/s -> %s\n", med[T_OURS_BATCH] / 1e6,
           med[T_OURS_BATCH] >= 50e6 ? "met" : "MISSED");

    for (int v = 0; v < V_COUNT; v++)
        free(h[v]);
    close(pipe_ab[0]); close(pipe_ab[1]); close(pipe_ba[0]); close(pipe_ba[1]);
    close(efd_ab); close(efd_ba);
    tf_segment_close(&seg);
    tf_segment_unlink(path);
    return lost_total[T_OURS_BATCH] + lost_total[T_OURS_SINGLE] + lost_total[T_CK_SINGLE] ? 1 : 0;
}

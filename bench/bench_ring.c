/* bench_ring: the ring hop and ring throughput, in shared memory.
 *
 * Round trip: two threads pinned to two CPUs ping-pong a 64-byte record
 * through a segment in /dev/shm. It is a closed loop (one record in flight,
 * the next ping sent when the previous pong is back), so there is no
 * coordinated omission to correct for: every round trip is timed, none is
 * skipped while an earlier one stalls. Variants, each given the same number
 * of samples and measured in alternation within every round (a warm-up is
 * discarded at the start of each):
 *   ours           our SPSC ring (shm/ring.h), one each way
 *   ck_ring        Concurrency Kit's SPSC ring, same records, same segment
 *   cacheline_rtt  a bare cache-line ping-pong: the physical limit
 *   pipe_rtt       64 bytes through two pipes (a blocking hand-off)
 *   eventfd_rtt    record in shm, wake-up through two eventfds
 *   seq_slot_rtt   an experiment, not a product ring: each 64-byte slot carries
 *                  its own sequence number (56 bytes of payload), so the
 *                  consumer waits on the slot's line and never reads the
 *                  producer's index; one line crosses per hop instead of two
 *                  (the record and the tail). In a closed loop nothing fills,
 *                  so it needs no full check. It shows what the hop of a ring
 *                  that stores indices apart from records (ours, ck_ring) costs
 *                  over the single line.
 * Throughput: producer on one CPU, consumer on the other, every sequence
 * verified (loss must be 0): ours and ck_ring, in batches and one by one.
 * ck_ring has no batch call, so its batches are loops of single calls.
 *
 * usage: bench_ring [--samples N] [--rounds N] [--seconds S] [--runs N]
 *                   [--cpus A,B] [--batch N]
 */
#include <getopt.h>
#include <inttypes.h>
#include <sys/eventfd.h>

#include <ck_ring.h>

#include "bench/bench_util.h"
#include "shm/err.h"
#include "shm/ring.h"
#include "shm/segment.h"

#define CAP 1024u
#define MAX_RUNS 15

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

enum variant { V_OURS, V_CK, V_LINE, V_PIPE, V_EVENTFD, V_SEQ, V_COUNT };
static const char *const variant_names[V_COUNT] = {"ours", "ck_ring", "cacheline_rtt", "pipe_rtt",
                                                   "eventfd_rtt", "seq_slot_rtt"};

static struct {
    int cpu_a, cpu_b;
    uint64_t samples;
    int rounds, runs;
    double seconds;
    uint32_t batch;
} opt = {0, 1, 100000, 5, 3, 2.0, 32};

static tf_ring ours_ab, ours_ba;
static ck_region *ck_ab, *ck_ba;
static uint64_t *line_a, *line_b; /* on separate 128-byte lines */
static struct brec *slot_a, *slot_b;
static struct brec *seq_ab, *seq_ba; /* V_SEQ: CAP slots each way; v[7] is the slot's sequence */

static inline void seq_send(struct brec *ring, uint64_t i, const struct brec *r)
{
    struct brec *slot = &ring[i & (CAP - 1)];
    memcpy(slot, r, 56);
    ck_pr_store_64(&slot->v[7], i); /* x86: stores are not reordered; the payload is there first */
}

static inline bool seq_take(struct brec *ring, uint64_t i, struct brec *r)
{
    struct brec *slot = &ring[i & (CAP - 1)];
    if (ck_pr_load_64(&slot->v[7]) != i)
        return false;
    ck_pr_fence_load();
    memcpy(r, slot, 56);
    return true;
}
static int pipe_ab[2], pipe_ba[2], efd_ab, efd_ba;
static uint64_t watchdog_ticks;

static void stalled(const char *what)
{
    char msg[128];
    snprintf(msg, sizeof msg, "%s: partner stopped answering for 2 s", what);
    bench_die("bench_ring", msg);
}

/* Spin until cond; abort if the partner is gone (the check costs one branch
 * per 4096 polls, outside the hand-off itself). */
#define SPIN_UNTIL(cond, what)                                               \
    do {                                                                     \
        uint64_t t0_ = bench_ticks();                                        \
        uint32_t n_ = 0;                                                     \
        while (!(cond)) {                                                    \
            if ((++n_ & 4095u) == 0 && bench_ticks() - t0_ > watchdog_ticks) \
                stalled(what);                                               \
        }                                                                    \
    } while (0)

/* ---- round trip ------------------------------------------------------------ */

typedef struct echo_arg {
    enum variant v;
    uint64_t n;
    uint64_t base; /* V_SEQ: sequence numbers go on across rounds (slots keep the last) */
    int cpu; /* where the echo thread ran */
} echo_arg;

static void *echo_main(void *p)
{
    echo_arg *a = p;
    a->cpu = bench_pin("bench_ring", opt.cpu_b);
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
        case V_SEQ:
            SPIN_UNTIL(seq_take(seq_ab, a->base + i, &r), "seq echo");
            seq_send(seq_ba, a->base + i, &r);
            break;
        case V_PIPE:
            if (read(pipe_ab[0], &r, sizeof r) != sizeof r || write(pipe_ba[1], &r, sizeof r) != sizeof r)
                bench_die("bench_ring", "pipe echo: short read or write");
            break;
        case V_EVENTFD: {
            uint64_t one;
            if (read(efd_ab, &one, sizeof one) != sizeof one)
                bench_die("bench_ring", "eventfd echo: short read");
            memcpy(slot_b, slot_a, sizeof *slot_b);
            one = 1;
            if (write(efd_ba, &one, sizeof one) != sizeof one)
                bench_die("bench_ring", "eventfd echo: short write");
            break;
        }
        default:
            break;
        }
    }
    return NULL;
}

/* One round of one variant: `warmup` discarded round trips, then `n` timed.
 * Returns the CPU the echo thread ran on. */
static int pingpong(enum variant v, uint64_t warmup, uint64_t n, tf_hist *h)
{
    static uint64_t seq_base;
    echo_arg a = {v, warmup + n, seq_base, -1};
    *line_a = *line_b = 0;
    bool blocking = v == V_PIPE || v == V_EVENTFD;
    if (blocking)
        bench_watchdog(1); /* a blocked read cannot check the clock itself */
    pthread_t t;
    if (pthread_create(&t, NULL, echo_main, &a) != 0)
        bench_die("bench_ring", "pthread_create");
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
        case V_SEQ:
            seq_send(seq_ab, seq_base + i, &r);
            SPIN_UNTIL(seq_take(seq_ba, seq_base + i, &r), "seq reply");
            break;
        case V_PIPE:
            if (write(pipe_ab[1], &r, sizeof r) != sizeof r || read(pipe_ba[0], &r, sizeof r) != sizeof r)
                bench_die("bench_ring", "pipe: short read or write");
            break;
        case V_EVENTFD: {
            memcpy(slot_a, &r, sizeof r);
            uint64_t one = 1;
            if (write(efd_ab, &one, sizeof one) != sizeof one || read(efd_ba, &one, sizeof one) != sizeof one)
                bench_die("bench_ring", "eventfd: short read or write");
            memcpy(&r, slot_b, sizeof r);
            break;
        }
        default:
            break;
        }
        uint64_t t1 = bench_ticks();
        if (r.v[0] != i && v != V_LINE)
            bench_die("bench_ring", "round trip returned the wrong record");
        if (i > warmup)
            tf_hist_record(h, bench_ticks_to_ns(t1 - t0));
        atomic_store_explicit(&bench_progress, i, memory_order_relaxed);
    }
    pthread_join(t, NULL);
    if (blocking)
        bench_watchdog(0);
    if (v == V_SEQ)
        seq_base += warmup + n;
    return a.cpu;
}

/* ---- throughput -------------------------------------------------------------- */

enum tmode { T_OURS_BATCH, T_CK_BATCH, T_OURS_SINGLE, T_CK_SINGLE, T_COUNT };
static const char *const tmode_names[T_COUNT] = {"ours_batch", "ck_ring_batch", "ours_single",
                                                 "ck_ring_single"};

typedef struct tput_arg {
    enum tmode m;
    _Atomic uint64_t produced_total; /* set when the producer finishes */
    uint64_t received, lost;
    uint64_t t_first, t_last;
    int cpu;
} tput_arg;

static void *consumer_main(void *p)
{
    tput_arg *a = p;
    a->cpu = bench_pin("bench_ring", opt.cpu_b);
    struct brec buf[256];
    uint64_t expect = 1, idle_since = 0;
    for (;;) {
        uint32_t n = 0;
        switch (a->m) {
        case T_OURS_BATCH:
            n = tf_spsc_poll_batch(&ours_ab, buf, opt.batch, sizeof buf[0]);
            break;
        case T_OURS_SINGLE:
            n = tf_spsc_poll(&ours_ab, buf, sizeof buf[0]) ? 1 : 0;
            break;
        case T_CK_BATCH:
            while (n < opt.batch && ck_ring_dequeue_spsc_brec(&ck_ab->ring, ck_ab->buf, &buf[n]))
                n++;
            break;
        default:
            n = ck_ring_dequeue_spsc_brec(&ck_ab->ring, ck_ab->buf, buf) ? 1 : 0;
            break;
        }
        if (n == 0) {
            uint64_t total = atomic_load_explicit(&a->produced_total, memory_order_acquire);
            if (total && a->received >= total)
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
            if (buf[i].v[0] != expect) /* a skipped, repeated or reordered record */
                a->lost += buf[i].v[0] > expect ? buf[i].v[0] - expect : 1;
            expect = buf[i].v[0] + 1;
        }
        a->received += n;
        a->t_last = bench_ticks();
    }
    return NULL;
}

/* One run of one mode; returns records/s seen by the consumer (first to
 * last record received). *lost: sequence mismatches plus records produced
 * but never received. */
static double throughput_run(enum tmode m, uint64_t *lost, int *consumer_cpu)
{
    tf_ring_init(&ours_ab, ours_ab.desc, tf_ring_region_size(CAP, 64), "ab", TF_RING_SPSC, CAP, 64);
    ck_ring_init(&ck_ab->ring, CAP);
    tput_arg a;
    memset(&a, 0, sizeof a);
    a.m = m;
    pthread_t t;
    if (pthread_create(&t, NULL, consumer_main, &a) != 0)
        bench_die("bench_ring", "pthread_create");
    struct brec buf[256];
    memset(buf, 0, sizeof buf);
    uint32_t per = (m == T_OURS_BATCH || m == T_CK_BATCH) ? opt.batch : 1;
    uint64_t seq = 1;
    uint64_t end = bench_ticks() + bench_ns_to_ticks(opt.seconds * 1e9);
    uint64_t max_records = (uint64_t)(opt.seconds * 500e6); /* a bound on count too */
    for (uint64_t iter = 0; seq <= max_records; iter++) {
        if ((iter & 255u) == 0 && bench_ticks() > end)
            break;
        for (uint32_t i = 0; i < per; i++)
            buf[i].v[0] = seq + i;
        if (m == T_OURS_BATCH) {
            uint32_t done = 0;
            uint64_t t0 = bench_ticks();
            while (done < per) {
                done += tf_spsc_offer_batch(&ours_ab, buf + done, per - done, sizeof buf[0]);
                if (done < per && bench_ticks() - t0 > watchdog_ticks)
                    stalled("throughput producer");
            }
        } else if (m == T_OURS_SINGLE) {
            SPIN_UNTIL(tf_spsc_offer(&ours_ab, buf, sizeof buf[0]), "throughput producer");
        } else {
            for (uint32_t i = 0; i < per; i++)
                SPIN_UNTIL(ck_ring_enqueue_spsc_brec(&ck_ab->ring, ck_ab->buf, &buf[i]),
                           "throughput producer");
        }
        seq += per;
    }
    uint64_t produced = seq - 1;
    atomic_store_explicit(&a.produced_total, produced, memory_order_release);
    pthread_join(t, NULL);
    *lost = a.lost + (produced > a.received ? produced - a.received : 0);
    *consumer_cpu = a.cpu;
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
                exit(2);
            }
            break;
        case 'b': opt.batch = (uint32_t)atoi(optarg); break;
        default:
            fprintf(stderr, "usage: bench_ring [--samples N] [--rounds N] [--seconds S] [--runs N] "
                            "[--cpus A,B] [--batch N]\n");
            exit(2);
        }
    }
    if (opt.samples < 1000 || opt.samples > 100000000 || opt.rounds < 1 || opt.rounds > 100 ||
        opt.runs < 1 || opt.runs > MAX_RUNS || opt.batch < 1 || opt.batch > 256 ||
        opt.seconds <= 0 || opt.seconds > 60 || opt.cpu_a == opt.cpu_b) {
        fprintf(stderr, "bench_ring: samples 1000..1e8, rounds 1..100, runs 1..%d, batch 1..256, "
                        "seconds 0..60, two different CPUs\n", MAX_RUNS);
        exit(2);
    }
}

static void *region(tf_segment *seg, const char *name, uint64_t *len)
{
    void *p = tf_segment_region(seg, name, len);
    if (!p)
        bench_die("bench_ring", tf_err_msg());
    return p;
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    bench_calibrate();
    watchdog_ticks = bench_ns_to_ticks(2e9);

    char inst[32], path[256];
    snprintf(inst, sizeof inst, "bench-%d", (int)getpid());
    tf_segment seg;
    tf_seg_layout layout = {.kind = TF_SEG_KIND_RINGS, .region_count = 6};
    const char *names[6] = {"ours_ab", "ours_ba", "ck_ab", "ck_ba", "lines", "seq"};
    uint64_t lens[6] = {tf_ring_region_size(CAP, 64), tf_ring_region_size(CAP, 64),
                        sizeof(ck_region), sizeof(ck_region), 4096, 2 * CAP * sizeof(struct brec)};
    for (int i = 0; i < 6; i++) {
        layout.regions[i].name = names[i];
        layout.regions[i].length = lens[i];
    }
    if (tf_segment_path(path, sizeof path, "/dev/shm", inst, "rings") != 0 ||
        tf_segment_create(&seg, path, inst, "rings", &layout, 0600, TF_STALE_ACTION_REFUSE) != 0) {
        fprintf(stderr, "bench_ring: %s\n", tf_err_msg());
        return 1;
    }
    bench_guard(path);
    if (tf_segment_publish(&seg) != 0)
        bench_die("bench_ring", tf_err_msg());
    uint64_t len;
    void *r0 = region(&seg, "ours_ab", &len);
    if (tf_ring_init(&ours_ab, r0, len, "ab", TF_RING_SPSC, CAP, 64) != 0)
        bench_die("bench_ring", tf_err_msg());
    void *r1 = region(&seg, "ours_ba", &len);
    if (tf_ring_init(&ours_ba, r1, len, "ba", TF_RING_SPSC, CAP, 64) != 0)
        bench_die("bench_ring", tf_err_msg());
    ck_ab = region(&seg, "ck_ab", NULL);
    ck_ba = region(&seg, "ck_ba", NULL);
    ck_ring_init(&ck_ab->ring, CAP);
    ck_ring_init(&ck_ba->ring, CAP);
    uint8_t *lines = region(&seg, "lines", NULL);
    line_a = (uint64_t *)lines;
    line_b = (uint64_t *)(lines + 128);
    slot_a = (struct brec *)(lines + 256);
    slot_b = (struct brec *)(lines + 512);
    seq_ab = region(&seg, "seq", NULL);
    seq_ba = seq_ab + CAP;
    if (pipe(pipe_ab) || pipe(pipe_ba) || (efd_ab = eventfd(0, 0)) < 0 || (efd_ba = eventfd(0, 0)) < 0)
        bench_die("bench_ring", "pipe/eventfd failed");
    int cpu_main = bench_pin("bench_ring", opt.cpu_a), cpu_echo = -1;
    printf("# segment %s (rings and lines in shared memory)\n", path);

    uint64_t warmup = opt.samples / 20;
    tf_hist *h[V_COUNT];
    for (int v = 0; v < V_COUNT; v++)
        h[v] = bench_hist_new();
    for (int round = 0; round < opt.rounds; round++)
        for (int v = 0; v < V_COUNT; v++)
            cpu_echo = pingpong((enum variant)v, warmup, opt.samples, h[v]);
    printf("# ring hop: pinger on CPU %d, echo on CPU %d; %" PRIu64 " round trips x %d rounds per "
           "variant, alternating, %" PRIu64 " warm-up round trips discarded per round; 64-byte "
           "records\n", cpu_main, cpu_echo, opt.samples, opt.rounds, warmup);
    printf("\nround trip (ns)\n");
    bench_print_hist_header();
    tf_hist_summary s[V_COUNT];
    for (int v = 0; v < V_COUNT; v++)
        bench_print_hist(variant_names[v], h[v], "ns", &s[v]);
    printf("# tails on this VM are bounded by the hypervisor (preemptions of ms) and, for the\n"
           "# blocking hand-offs, by waking an idle vCPU; max is kept as measured\n");

    printf("\nring throughput: producer CPU %d -> consumer CPU %d, %.1f s per run, %d runs, "
           "batch %u, modes alternating\n", opt.cpu_a, opt.cpu_b, opt.seconds, opt.runs, opt.batch);
    double tput[T_COUNT][MAX_RUNS];
    uint64_t lost_total[T_COUNT] = {0};
    int cpu_cons = -1;
    for (int r = 0; r < opt.runs; r++) {
        printf("run %d:", r + 1);
        for (int m = 0; m < T_COUNT; m++) {
            uint64_t lost;
            tput[m][r] = throughput_run((enum tmode)m, &lost, &cpu_cons);
            lost_total[m] += lost;
            printf("  %s %.1f M/s", tmode_names[m], tput[m][r] / 1e6);
        }
        printf("\n");
    }
    printf("# consumer ran on CPU %d\n", cpu_cons);
    double med[T_COUNT], spread[T_COUNT];
    for (int m = 0; m < T_COUNT; m++) {
        med[m] = bench_median(tput[m], opt.runs, &spread[m]);
        printf("%-16s median %8.2f M records/s  spread %5.1f%%  lost %" PRIu64 "\n", tmode_names[m],
               med[m] / 1e6, spread[m] * 100, lost_total[m]);
    }

    printf("\n");
    bench_line("ring_hop", "rtt_p50", (double)s[V_OURS].p50, (double)s[V_LINE].p50, "cacheline_rtt", "ns");
    bench_line("ring_hop", "rtt_p99", (double)s[V_OURS].p99, (double)s[V_LINE].p99, "cacheline_rtt", "ns");
    bench_line("ring_hop", "rtt_p999", (double)s[V_OURS].p999, (double)s[V_LINE].p999, "cacheline_rtt", "ns");
    bench_line("ring_hop", "rtt_max", (double)s[V_OURS].max, (double)s[V_LINE].max, "cacheline_rtt", "ns");
    bench_line("ring_hop_ck", "rtt_p50", (double)s[V_CK].p50, (double)s[V_LINE].p50, "cacheline_rtt", "ns");
    bench_line("ring_hop_ck", "rtt_p99", (double)s[V_CK].p99, (double)s[V_LINE].p99, "cacheline_rtt", "ns");
    bench_line("ring_hop_ck", "rtt_p999", (double)s[V_CK].p999, (double)s[V_LINE].p999, "cacheline_rtt", "ns");
    bench_line("ring_hop", "rtt_p50", (double)s[V_OURS].p50, (double)s[V_CK].p50, "ck_ring_rtt", "ns");
    bench_line("ring_hop", "rtt_p50", (double)s[V_OURS].p50, (double)s[V_SEQ].p50, "seq_slot_rtt", "ns");
    bench_line("ring_hop_seq_slot", "rtt_p50", (double)s[V_SEQ].p50, (double)s[V_LINE].p50, "cacheline_rtt", "ns");
    bench_line("ring_hop", "rtt_p50", (double)s[V_OURS].p50, (double)s[V_PIPE].p50, "pipe_rtt", "ns");
    bench_line("ring_hop", "rtt_p99", (double)s[V_OURS].p99, (double)s[V_PIPE].p99, "pipe_rtt", "ns");
    bench_line("ring_hop", "rtt_p50", (double)s[V_OURS].p50, (double)s[V_EVENTFD].p50, "eventfd_rtt", "ns");
    bench_line("ring_hop", "rtt_p99", (double)s[V_OURS].p99, (double)s[V_EVENTFD].p99, "eventfd_rtt", "ns");
    bench_line("ring_throughput", "records_per_s", med[T_OURS_BATCH], med[T_CK_BATCH], "ck_ring_spsc", "1/s");
    bench_line("ring_throughput_single", "records_per_s", med[T_OURS_SINGLE], med[T_CK_SINGLE],
               "ck_ring_spsc", "1/s");
    uint64_t lost_all = 0;
    for (int m = 0; m < T_COUNT; m++)
        lost_all += lost_total[m];
    bench_line("ring_throughput", "lost", (double)lost_all, 0, NULL, "records");

    double hop_ratio = (double)s[V_OURS].p50 / (double)(s[V_LINE].p50 ? s[V_LINE].p50 : 1);
    printf("\ntarget: ring rtt p50 <= 1.5x cacheline rtt: %.2fx -> %s\n", hop_ratio,
           hop_ratio <= 1.5 ? "met" : "MISSED");
    printf("target: ring throughput >= 50 M records/s (batch %u): %.1f M/s -> %s\n", opt.batch,
           med[T_OURS_BATCH] / 1e6, med[T_OURS_BATCH] >= 50e6 ? "met" : "MISSED");
    printf("target: no loss: %" PRIu64 " records lost -> %s\n", lost_all, lost_all ? "MISSED" : "met");

    for (int v = 0; v < V_COUNT; v++)
        free(h[v]);
    close(pipe_ab[0]); close(pipe_ab[1]); close(pipe_ba[0]); close(pipe_ba[1]);
    close(efd_ab); close(efd_ba);
    tf_segment_close(&seg);
    tf_segment_unlink(path);
    return lost_all ? 1 : 0;
}

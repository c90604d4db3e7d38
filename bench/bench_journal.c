/* bench_journal: journal publish rate with two live readers following.
 *
 * The writer (pinned) appends 64-byte slots (48-byte payload derived from
 * the sequence) for a fixed time; two readers, each with its own read-only
 * mapping of the segment, follow and verify every record (type, length, all
 * six payload words), count gaps (laps) and check that records read plus
 * records reported missed add up to records written. Reader lag (head minus
 * the sequence just read) is sampled every 1024 records.
 *
 * Each run, in alternation:
 *   flat out      the writer appends as fast as it can, readers following
 *   raw_shm_copy  baseline: the same writer storing the same 64 bytes per
 *                 record into a same-size array in the same shm segment, no
 *                 readers (the memory bound of the journal's layout; the
 *                 words are stored in place: building them on the stack and
 *                 memcpy-ing adds a store-forwarding stall, not memory work)
 *   no readers    the journal flat out with nobody reading (what the
 *                 readers cost the writer)
 *   paced         the writer at a fixed rate (default 20 M/s, blocks of 64
 *                 records due on a fixed schedule), readers following: the
 *                 target is "20 M/s, readers never lapped"
 *
 * usage: bench_journal [--seconds S] [--capacity N] [--runs N] [--cpus W,R]
 *                      [--rate R] [--reader-idle yield|spin]
 */
#include <getopt.h>
#include <inttypes.h>

#include "bench/bench_util.h"
#include "shm/err.h"
#include "shm/journal.h"
#include "shm/segment.h"

#define SLOT 64u
#define READERS 2
#define MAX_RUNS 15

static struct {
    double seconds;
    uint32_t capacity;
    int runs, cpu_w, cpu_r;
    double rate;
    bool idle_yield;
} opt = {2.0, 1u << 20, 3, 0, 1, 20e6, true};

static char path[256];
static tf_journal wj;
static uint8_t *raw_area;

typedef struct reader_arg {
    _Atomic uint64_t final_seq; /* set when the writer is done */
    uint64_t start_seq;
    uint64_t seen, gaps, gap_records, bad;
    tf_hist *lag; /* records behind the head, sampled */
    int cpu;
} reader_arg;

static inline void make_payload(uint64_t *w, uint64_t seq)
{
    w[0] = seq;
    w[1] = w[2] = w[3] = w[4] = seq ^ 0x5555;
    w[5] = seq * 7;
}

static void *reader_main(void *p)
{
    reader_arg *a = p;
    a->cpu = bench_pin("bench_journal", opt.cpu_r);
    tf_segment seg;
    tf_journal j;
    if (tf_segment_attach(&seg, path, TF_SEG_KIND_JOURNAL) != TF_SEG_OK)
        bench_die("bench_journal", tf_err_msg());
    if (tf_journal_attach(&j, &seg) != 0)
        bench_die("bench_journal", tf_err_msg());
    tf_journal_reader r;
    tf_journal_reader_init(&r, &j, a->start_seq);
    union {
        tf_journal_slot s;
        uint8_t bytes[SLOT];
    } buf;
    uint64_t idle_since = 0, n = 0, fin = 0;
    for (;;) {
        tf_journal_read_rc rc = tf_journal_read(&r, &buf.s);
        if (rc == TF_JR_OK) {
            idle_since = 0;
            uint64_t w[6], want[6];
            memcpy(w, buf.s.payload, sizeof w);
            make_payload(want, buf.s.seq);
            if (buf.s.type != 1 || buf.s.length != sizeof w || memcmp(w, want, sizeof w) != 0)
                a->bad++;
            a->seen++;
            if ((++n & 1023u) == 0) {
                uint64_t head = tf_journal_head(&j); /* may trail the slot just read */
                tf_hist_record(a->lag, head > buf.s.seq ? head - buf.s.seq : 0);
            }
            continue;
        }
        if (rc == TF_JR_GAP)
            continue;
        fin = atomic_load_explicit(&a->final_seq, memory_order_acquire);
        if (fin && r.next_seq > fin)
            break;
        uint64_t now = bench_ticks();
        if (!idle_since)
            idle_since = now;
        else if (now - idle_since > bench_ns_to_ticks(2e9))
            bench_die("bench_journal", "a reader saw nothing new for 2 s");
        if (opt.idle_yield)
            sched_yield(); /* the two readers share a CPU: let the other one run */
    }
    a->gaps = r.gap_events;
    a->gap_records = r.gap_records;
    if (a->seen + a->gap_records != fin - a->start_seq + 1) /* everything read or reported */
        a->bad++;
    tf_segment_close(&seg);
    return NULL;
}

static uint64_t deadline_ticks(void) { return bench_ticks() + bench_ns_to_ticks(opt.seconds * 1e9); }

/* Ours: append with `nreaders` readers following, as fast as possible
 * (rate 0) or paced at `rate` records/s. Returns records/s achieved. */
static double run_journal(reader_arg *ra, int nreaders, double rate)
{
    uint64_t first = tf_journal_head(&wj) + 1;
    pthread_t t[READERS];
    for (int i = 0; i < nreaders; i++) {
        tf_hist *lag = ra[i].lag;
        memset(&ra[i], 0, sizeof ra[i]);
        ra[i].lag = lag;
        ra[i].start_seq = first;
        if (pthread_create(&t[i], NULL, reader_main, &ra[i]) != 0)
            bench_die("bench_journal", "pthread_create");
    }
    usleep(20000); /* readers attached and waiting */
    uint64_t payload[6];
    uint64_t end = deadline_ticks(), t0 = bench_ticks(), seq = first, n = 0;
    uint64_t max_n = (uint64_t)(opt.seconds * 500e6); /* a bound on count too */
    double ticks_per_rec = rate > 0 ? 1e9 / rate / bench_ns_per_tick : 0;
    for (; n < max_n; n++) {
        if ((n & 63u) == 0) {
            if ((n & 1023u) == 0 && bench_ticks() > end)
                break;
            if (ticks_per_rec > 0) { /* fixed rate: each block of 64 waits for its due time */
                uint64_t due = t0 + (uint64_t)((double)n * ticks_per_rec);
                while (bench_ticks() < due)
                    tf_cpu_relax();
            }
        }
        make_payload(payload, seq);
        seq = tf_journal_append(&wj, 1, payload, sizeof payload) + 1;
    }
    uint64_t t1 = bench_ticks();
    if (seq != first + n)
        bench_die("bench_journal", "tf_journal_append refused a record");
    for (int i = 0; i < nreaders; i++)
        atomic_store_explicit(&ra[i].final_seq, seq - 1, memory_order_release);
    for (int i = 0; i < nreaders; i++)
        pthread_join(t[i], NULL);
    return (double)n / ((double)(t1 - t0) * bench_ns_per_tick / 1e9);
}

/* Baseline: the same 64 bytes per record stored into a same-size shm array. */
static double run_raw(void)
{
    uint64_t end = deadline_ticks(), t0 = bench_ticks(), n = 0;
    uint64_t mask = opt.capacity - 1, max_n = (uint64_t)(opt.seconds * 500e6);
    for (; n < max_n; n++) {
        if ((n & 1023u) == 0 && bench_ticks() > end)
            break;
        /* The eight words the journal writes per slot: seq, type/length, payload. */
        uint64_t *d = (uint64_t *)(raw_area + (n & mask) * SLOT);
        d[0] = n;
        d[1] = 1 | (48u << 16);
        make_payload(d + 2, n);
    }
    uint64_t t1 = bench_ticks();
    return (double)n / ((double)(t1 - t0) * bench_ns_per_tick / 1e9);
}

static void parse_args(int argc, char **argv)
{
    static const struct option opts[] = {
        {"seconds", required_argument, NULL, 't'}, {"capacity", required_argument, NULL, 'c'},
        {"runs", required_argument, NULL, 'n'},    {"cpus", required_argument, NULL, 'p'},
        {"rate", required_argument, NULL, 'r'},    {"reader-idle", required_argument, NULL, 'i'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 't': opt.seconds = atof(optarg); break;
        case 'c': opt.capacity = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 'n': opt.runs = atoi(optarg); break;
        case 'r': opt.rate = atof(optarg); break;
        case 'i': opt.idle_yield = strcmp(optarg, "spin") != 0; break;
        case 'p':
            if (sscanf(optarg, "%d,%d", &opt.cpu_w, &opt.cpu_r) == 2)
                break;
            /* fall through */
        default:
            fprintf(stderr, "usage: bench_journal [--seconds S] [--capacity N] [--runs N] "
                            "[--cpus W,R] [--rate R] [--reader-idle yield|spin]\n");
            exit(2);
        }
    }
    if (opt.seconds <= 0 || opt.seconds > 60 || !TF_IS_POW2(opt.capacity) || opt.capacity < 1024 ||
        opt.capacity > (1u << 26) || opt.runs < 1 || opt.runs > MAX_RUNS || opt.rate <= 0) {
        fprintf(stderr, "bench_journal: seconds 0..60, capacity a power of two in 2^10..2^26, "
                        "runs 1..%d, rate > 0\n", MAX_RUNS);
        exit(2);
    }
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    bench_calibrate();

    char inst[32];
    snprintf(inst, sizeof inst, "bench-%d", (int)getpid());
    tf_seg_layout layout;
    tf_journal_layout(&layout, opt.capacity, SLOT);
    layout.region_count = 2;
    layout.regions[1].name = "raw";
    layout.regions[1].length = (uint64_t)opt.capacity * SLOT;
    tf_segment seg;
    if (tf_segment_path(path, sizeof path, "/dev/shm", inst, "journal") != 0 ||
        tf_segment_create(&seg, path, inst, "journal", &layout, 0600, TF_STALE_ACTION_REFUSE) != 0) {
        fprintf(stderr, "bench_journal: %s\n", tf_err_msg());
        return 1;
    }
    bench_guard(path);
    if (tf_journal_init(&wj, &seg, "bench", opt.capacity, SLOT) != 0 || tf_segment_publish(&seg) != 0)
        bench_die("bench_journal", tf_err_msg());
    raw_area = tf_segment_region(&seg, "raw", NULL);
    if (!raw_area)
        bench_die("bench_journal", tf_err_msg());
    int cpu_w = bench_pin("bench_journal", opt.cpu_w);

    double ours[MAX_RUNS], base[MAX_RUNS], alone[MAX_RUNS], paced[MAX_RUNS];
    uint64_t gaps_flat = 0, gaps_paced = 0, bad = 0, seen = 0;
    reader_arg ra[READERS], rp[READERS];
    tf_hist *lag_flat = bench_hist_new(), *lag_paced = bench_hist_new();
    for (int i = 0; i < READERS; i++) {
        ra[i].lag = bench_hist_new();
        rp[i].lag = bench_hist_new();
    }
    for (int r = 0; r < opt.runs; r++) {
        ours[r] = run_journal(ra, READERS, 0);
        base[r] = run_raw();
        alone[r] = run_journal(NULL, 0, 0);
        paced[r] = run_journal(rp, READERS, opt.rate);
        uint64_t g1 = 0, g2 = 0;
        for (int i = 0; i < READERS; i++) {
            g1 += ra[i].gap_records;
            g2 += rp[i].gap_records;
            bad += ra[i].bad + rp[i].bad;
            seen += ra[i].seen + rp[i].seen;
            tf_hist_merge(lag_flat, ra[i].lag);
            tf_hist_merge(lag_paced, rp[i].lag);
            tf_hist_reset(ra[i].lag);
            tf_hist_reset(rp[i].lag);
        }
        gaps_flat += g1;
        gaps_paced += g2;
        printf("run %d: flat out %.1f M/s (readers missed %" PRIu64 ")   raw_shm_copy %.1f M/s   "
               "no readers %.1f M/s   paced at %.0f M/s: %.2f M/s (readers missed %" PRIu64 ")\n",
               r + 1, ours[r] / 1e6, g1, base[r] / 1e6, alone[r] / 1e6, opt.rate / 1e6,
               paced[r] / 1e6, g2);
    }
    printf("# writer on CPU %d; readers on CPUs %d and %d (%s), idle readers %s; %u slots of %u "
           "bytes; %.1f s per run, %d runs, variants alternating\n", cpu_w, ra[0].cpu, ra[1].cpu,
           ra[0].cpu == ra[1].cpu ? "one CPU shared by both readers: a 2-CPU host" : "one each",
           opt.idle_yield ? "yield the CPU" : "spin", opt.capacity, SLOT, opt.seconds, opt.runs);
    double so, sb, sa, sp;
    double mo = bench_median(ours, opt.runs, &so), mb = bench_median(base, opt.runs, &sb);
    double ma = bench_median(alone, opt.runs, &sa), mp = bench_median(paced, opt.runs, &sp);
    printf("median (spread): flat out %.1f M/s (%.1f%%), raw_shm_copy %.1f M/s (%.1f%%), "
           "no readers %.1f M/s (%.1f%%), paced %.2f M/s (%.1f%%)\n"
           "records verified by readers %" PRIu64 ", bad %" PRIu64 "\n",
           mo / 1e6, so * 100, mb / 1e6, sb * 100, ma / 1e6, sa * 100, mp / 1e6, sp * 100, seen, bad);
    printf("\nreader lag (records behind the head, sampled every 1024 records read)\n");
    bench_print_hist_header();
    tf_hist_summary lf, lp;
    bench_print_hist("flat out", lag_flat, "records", &lf);
    bench_print_hist("paced", lag_paced, "records", &lp);
    printf("# flat out, two readers sharing one CPU cannot keep up with the writer, so laps there\n"
           "# are expected and reported; the lapping target is about the paced rate\n\n");

    bench_line("journal", "publish_per_s", mo, mb, "raw_shm_copy", "1/s");
    bench_line("journal", "reader_gaps", (double)gaps_flat, 0, NULL, "records");
    bench_line("journal", "reader_lag_p99", (double)lf.p99, 0, NULL, "records");
    bench_line("journal", "publish_per_s_no_readers", ma, mb, "raw_shm_copy", "1/s");
    bench_line("journal", "paced_publish_per_s", mp, opt.rate, "target_rate", "1/s");
    bench_line("journal", "reader_gaps_paced", (double)gaps_paced, 0, NULL, "records");
    bench_line("journal", "reader_lag_p99_paced", (double)lp.p99, 0, NULL, "records");
    bench_line("journal", "reader_lag_max_paced", (double)lp.max, opt.capacity, "capacity", "records");
    bench_line("journal", "reader_bad_records", (double)bad, 0, NULL, "records");

    printf("\ntarget: >= 20 M records/s with two readers following: %.1f M/s flat out -> %s\n",
           mo / 1e6, mo >= 20e6 ? "met" : "MISSED");
    printf("target: readers never lapped, %u slots: at %.0f M/s (achieved %.2f M/s) %" PRIu64
           " records missed, deepest lag %.0f%% of the journal -> %s; flat out %" PRIu64
           " missed (informational)\n", opt.capacity, opt.rate / 1e6, mp / 1e6, gaps_paced,
           100.0 * (double)lp.max / opt.capacity,
           gaps_paced == 0 && mp >= 0.99 * opt.rate ? "met" : "MISSED", gaps_flat);

    for (int i = 0; i < READERS; i++) {
        free(ra[i].lag);
        free(rp[i].lag);
    }
    free(lag_flat);
    free(lag_paced);
    tf_segment_close(&seg);
    tf_segment_unlink(path);
    return bad ? 1 : 0;
}

/* Journal.
 *
 * - init refuses bad capacities, slot sizes and short regions; attach
 *   refuses a corrupt descriptor.
 * - append numbers records 1, 2, 3 ... and refuses bad lengths (0 returned,
 *   nothing written); readers from OLDEST, LIVE and a saved position read
 *   exactly what was written, in order; EMPTY when caught up.
 * - laps in one process: a reader left behind gets TF_JR_GAP saying exactly
 *   what it missed, then consecutive records; every sequence is either read
 *   or counted as missed.
 * - laps across processes: a writer process (through the creator's mapping,
 *   inherited) and three reader processes with their own read-only mappings,
 *   one deliberately slow; every accepted record is checked against its
 *   sequence (never torn) and every sequence is accounted for.
 * - a writer thread and two reader threads (for ThreadSanitizer).
 * - disk-backed: restart after a clean stop, after a crash in the middle of
 *   a write (also when the journal had wrapped), and after a writer process
 *   that died without closing.
 *
 * /dev/shm segments go in a private mkdtemp directory, disk journals in one
 * under /tmp; instance names hold the pid. Every wait is bounded in
 * iterations and in time; children are killed (by pid) if a test fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shm/err.h"
#include "shm/journal.h"
#include "shm/segment.h"
#include "tests/test_util.h"

/* ---- bounds ----------------------------------------------------------------- */

#if defined(TF_TSAN) || defined(__SANITIZE_ADDRESS__)
#define TIME_SCALE 4ull
#else
#define TIME_SCALE 1ull
#endif
#define SECONDS(s) ((uint64_t)(s) * TIME_SCALE * 1000000000ull)
#define WAIT_LIMIT SECONDS(10)       /* any single wait for a child or a pipe */
#define MAX_SPINS 4000000000ull       /* iterations of any one spin-wait */

typedef struct bound {
    uint64_t end_ns;
    uint64_t left;
    uint64_t iter;
    int expired;
} bound;

static bound bound_make(uint64_t ns, uint64_t max_iter)
{
    return (bound){.end_ns = tf_now_ns() + ns, .left = max_iter};
}

/* True while the wait may go on (clock read every 64 iterations). */
static int bound_ok(bound *b)
{
    if (b->expired)
        return 0;
    if (b->left == 0 || ((++b->iter & 63) == 0 && tf_now_ns() > b->end_ns)) {
        b->expired = 1;
        return 0;
    }
    b->left--;
    return 1;
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* ---- child processes ------------------------------------------------------------ */

#define MAX_KIDS 16
static pid_t kids[MAX_KIDS];

static pid_t spawn(int (*fn)(void *), void *arg)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn(arg)); /* never returns into cmocka in the child */
    assert_true(pid > 0);
    for (int i = 0; i < MAX_KIDS; i++) {
        if (kids[i] == 0) {
            kids[i] = pid;
            return pid;
        }
    }
    kill(pid, SIGKILL);
    fail_msg("too many children");
    return -1;
}

static void forget(pid_t pid)
{
    for (int i = 0; i < MAX_KIDS; i++)
        if (kids[i] == pid)
            kids[i] = 0;
}

/* Exit status of a child, waited for within `ns`; -1 (child killed) on a
 * timeout, 128 + signal if it died of one. */
static int reap(pid_t pid, uint64_t ns)
{
    bound b = bound_make(ns, ns / 1000000 + 1000);
    int status;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            fail_msg("waitpid %d: %s", (int)pid, strerror(errno));
        if (!bound_ok(&b)) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            forget(pid);
            print_error("child %d did not finish in time; killed\n", (int)pid);
            return -1;
        }
        sleep_us(1000);
    }
    forget(pid);
    if (WIFSIGNALED(status)) {
        print_error("child %d died of signal %d\n", (int)pid, WTERMSIG(status));
        return 128 + WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}

static char disk_dir[64]; /* the disk tests' directory, while one exists */

/* Teardown of every test: no child outlives a failed test, and a disk
 * test's directory goes even when the test failed half way. */
static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < MAX_KIDS; i++) {
        if (kids[i] > 0) {
            kill(kids[i], SIGKILL);
            waitpid(kids[i], NULL, 0);
            kids[i] = 0;
        }
    }
    if (disk_dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", disk_dir);
        disk_dir[0] = 0;
        if (system(cmd) != 0)
            return -1;
    }
    return 0;
}

/* Read exactly n bytes within `ns`; 0 on success. */
static int read_full(int fd, void *buf, size_t n, uint64_t ns)
{
    bound b = bound_make(ns, ns / 1000000 + 1000);
    size_t got = 0;
    while (got < n) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int rc = poll(&p, 1, 10);
        if (rc < 0 && errno != EINTR)
            return -1;
        if (rc > 0) {
            ssize_t k = read(fd, (uint8_t *)buf + got, n - got);
            if (k == 0)
                return -1; /* writer end closed early */
            if (k < 0 && errno != EINTR && errno != EAGAIN)
                return -1;
            if (k > 0)
                got += (size_t)k;
        }
        if (got < n && !bound_ok(&b))
            return -1;
    }
    return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
    size_t put = 0;
    while (put < n) {
        ssize_t k = write(fd, (const uint8_t *)buf + put, n - put);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        put += (size_t)k;
    }
    return 0;
}

/* ---- records --------------------------------------------------------------------- */

static uint64_t mix(uint64_t seq, unsigned i)
{
    uint64_t x = (seq + 1) * 0x9E3779B97F4A7C15ull + i * 0xBF58476D1CE4E5B9ull;
    return x ^ (x >> 29);
}

/* Type and length vary with the sequence too. */
static uint16_t rec_type(uint64_t seq) { return (uint16_t)(1 + seq % 7); }

static uint16_t rec_len(const tf_journal *j, uint64_t seq)
{
    uint32_t words = tf_journal_payload_max(j) / 8;
    return (uint16_t)(8 * (1 + seq % words));
}

static uint64_t append_rec(tf_journal *j, uint64_t seq)
{
    uint64_t w[65536 / 8];
    uint16_t len = rec_len(j, seq);
    for (unsigned i = 0; i < len / 8u; i++)
        w[i] = mix(seq, i);
    return tf_journal_append(j, rec_type(seq), w, len);
}

/* 1 if `slot` is exactly the record written as `seq`. */
static int rec_ok(const tf_journal *j, const tf_journal_slot *slot, uint64_t seq)
{
    if (slot->seq != seq || slot->type != rec_type(seq) || slot->length != rec_len(j, seq))
        return 0;
    const uint64_t *w = (const uint64_t *)slot->payload;
    for (unsigned i = 0; i < slot->length / 8u; i++)
        if (w[i] != mix(seq, i))
            return 0;
    return 1;
}

/* Slot-sized buffer, 8-byte aligned. */
typedef union slot_buf {
    tf_journal_slot s;
    uint64_t w[65536 / 8];
} slot_buf;

/* ---- segments -------------------------------------------------------------------- */

static char instance[32];
static int name_counter;

static int group_setup(void **state)
{
    (void)state;
    snprintf(instance, sizeof instance, "jr%d", (int)getpid());
    return test_dir_make("tf-test-journal");
}

/* A published journal segment in `dir`; its path in `path` (256 bytes). */
static void new_journal(tf_segment *seg, tf_journal *j, char *path, const char *dir,
                        uint32_t capacity, uint32_t slot_size)
{
    char name[32];
    snprintf(name, sizeof name, "j%d", name_counter++);
    assert_int_equal(tf_segment_path(path, 256, dir, instance, name), 0);
    tf_seg_layout l;
    tf_journal_layout(&l, capacity, slot_size);
    if (tf_segment_create(seg, path, instance, name, &l, 0640, TF_STALE_ACTION_REFUSE) != 0 ||
        tf_journal_init(j, seg, name, capacity, slot_size) != 0 || tf_segment_publish(seg) != 0)
        fail_msg("journal %s: %s", path, tf_err_msg());
}

static void drop_journal(tf_segment *seg, const char *path)
{
    tf_segment_close(seg);
    assert_int_equal(tf_segment_unlink(path), 0);
}

/* ---- init, append, positions ------------------------------------------------------ */

static void test_init_rejects_bad_parameters(void **state)
{
    (void)state;
    char path[256], name[32];
    snprintf(name, sizeof name, "bad%d", name_counter++);
    assert_int_equal(tf_segment_path(path, sizeof path, test_dir, instance, name), 0);
    tf_seg_layout l;
    tf_journal_layout(&l, 64, 64);
    assert_int_equal(l.kind, TF_SEG_KIND_JOURNAL);
    assert_int_equal(l.region_count, 1);
    assert_int_equal(l.regions[0].length, sizeof(tf_journal_desc) + 64 * 64);
    tf_segment seg;
    tf_journal j;
    if (tf_segment_create(&seg, path, instance, name, &l, 0640, TF_STALE_ACTION_REFUSE) != 0)
        fail_msg("create: %s", tf_err_msg());

    assert_int_equal(tf_journal_init(&j, &seg, "bad", 60, 64), -1);
    assert_non_null(strstr(tf_err_msg(), "capacity 60 is not a power of two >= 16"));
    assert_int_equal(tf_journal_init(&j, &seg, "bad", 8, 64), -1);
    assert_non_null(strstr(tf_err_msg(), "capacity 8 is not a power of two >= 16"));
    assert_int_equal(tf_journal_init(&j, &seg, "bad", 0, 64), -1);
    assert_non_null(strstr(tf_err_msg(), "capacity 0"));

    assert_int_equal(tf_journal_init(&j, &seg, "bad", 64, 48), -1);
    assert_non_null(strstr(tf_err_msg(), "slot size 48 is not a power of two in 64..65536"));
    assert_int_equal(tf_journal_init(&j, &seg, "bad", 64, 32), -1);
    assert_non_null(strstr(tf_err_msg(), "slot size 32"));
    assert_int_equal(tf_journal_init(&j, &seg, "bad", 64, 96), -1);
    assert_non_null(strstr(tf_err_msg(), "slot size 96"));
    assert_int_equal(tf_journal_init(&j, &seg, "bad", 64, 131072), -1);
    assert_non_null(strstr(tf_err_msg(), "slot size 131072"));

    assert_int_equal(tf_journal_init(&j, &seg, "bad", 128, 64), -1);
    assert_non_null(strstr(tf_err_msg(), "region too small for 128 slots of 64 bytes"));
    assert_int_equal(tf_journal_init(&j, &seg, "bad", 64, 128), -1);
    assert_non_null(strstr(tf_err_msg(), "region too small"));

    /* The layout's own numbers fit. */
    assert_int_equal(tf_journal_init(&j, &seg, "good", 64, 64), 0);
    assert_int_equal(j.capacity, 64);
    assert_int_equal(j.slot_size, 64);
    assert_int_equal(j.mask, 63);
    assert_int_equal(tf_journal_payload_max(&j), 48);
    assert_int_equal(tf_journal_head(&j), 0);
    assert_int_equal(j.desc->first_seq, 1);
    assert_int_equal(tf_segment_publish(&seg), 0);

    /* A reader's view of it, and of a corrupt descriptor. */
    tf_segment ro;
    tf_journal v;
    assert_int_equal(tf_segment_attach(&ro, path, TF_SEG_KIND_JOURNAL), TF_SEG_OK);
    assert_int_equal(tf_journal_attach(&v, &ro), 0);
    assert_int_equal(v.capacity, 64);
    assert_int_equal(v.slot_size, 64);
    j.desc->capacity = 48;
    assert_int_equal(tf_journal_attach(&v, &ro), -1);
    assert_non_null(strstr(tf_err_msg(), "corrupt descriptor (capacity 48"));
    j.desc->capacity = 128; /* power of two, but the slots would overrun */
    j.desc->mask = 127;
    j.desc->slots_length = 128 * 64;
    assert_int_equal(tf_journal_attach(&v, &ro), -1);
    assert_non_null(strstr(tf_err_msg(), "corrupt descriptor"));
    j.desc->capacity = 64;
    j.desc->mask = 63;
    j.desc->slots_length = 64 * 64;
    assert_int_equal(tf_journal_attach(&v, &ro), 0);
    tf_segment_close(&ro);
    drop_journal(&seg, path);
}

static void test_append_sequences_and_lengths(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg;
    tf_journal j;
    new_journal(&seg, &j, path, test_dir, 64, 64);
    for (uint64_t s = 1; s <= 10; s++) {
        assert_int_equal(append_rec(&j, s), s);
        assert_int_equal(tf_journal_head(&j), s);
    }
    static uint64_t big[65536 / 8]; /* as long as any length tried */
    assert_int_equal(tf_journal_append(&j, 1, big, 12), 0);  /* not a multiple of 8 */
    assert_int_equal(tf_journal_append(&j, 1, big, 47), 0);
    assert_int_equal(tf_journal_append(&j, 1, big, 1), 0);
    assert_int_equal(tf_journal_append(&j, 1, big, 56), 0);  /* more than 48 */
    assert_int_equal(tf_journal_append(&j, 1, big, 64), 0);
    assert_int_equal(tf_journal_append(&j, 1, big, 65528), 0);
    assert_int_equal(tf_journal_head(&j), 10);
    /* The refusals touched nothing: the next slot is still unwritten. */
    const tf_journal_slot *next = tf__journal_slot(&j, 11);
    assert_int_equal(next->seq, 0);
    /* The longest payload is fine, and numbering continues without a hole. */
    for (int i = 0; i < 6; i++)
        big[i] = 0x1111111111111111ull * (uint64_t)(i + 1);
    assert_int_equal(tf_journal_append(&j, 3, big, 48), 11);
    assert_int_equal(append_rec(&j, 12), 12);
    slot_buf b;
    tf_journal_reader r;
    tf_journal_reader_init(&r, &j, 11);
    assert_int_equal(tf_journal_read(&r, &b.s), TF_JR_OK);
    assert_int_equal(b.s.seq, 11);
    assert_int_equal(b.s.type, 3);
    assert_int_equal(b.s.length, 48);
    assert_memory_equal(b.s.payload, big, 48);
    drop_journal(&seg, path);
}

static void test_readers_oldest_live_resume(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg;
    tf_journal j;
    new_journal(&seg, &j, path, test_dir, 64, 64);
    slot_buf b;

    /* OLDEST on an empty journal waits at 1. */
    tf_journal_reader early;
    tf_journal_reader_init(&early, &j, TF_JOURNAL_FROM_OLDEST);
    assert_int_equal(early.next_seq, 1);
    assert_int_equal(tf_journal_read(&early, &b.s), TF_JR_EMPTY);
    assert_int_equal(early.next_seq, 1);

    for (uint64_t s = 1; s <= 40; s++)
        assert_int_equal(append_rec(&j, s), s);

    /* OLDEST: everything, in order, exact; then EMPTY, which moves nothing. */
    tf_journal_reader r;
    tf_journal_reader_init(&r, &j, TF_JOURNAL_FROM_OLDEST);
    for (uint64_t s = 1; s <= 40; s++) {
        memset(&b, 0xa5, 64);
        assert_int_equal(tf_journal_read(&r, &b.s), TF_JR_OK);
        assert_int_equal(b.s.seq, s);
        assert_int_equal(b.s.type, rec_type(s));
        assert_int_equal(b.s.length, rec_len(&j, s));
        if (!rec_ok(&j, &b.s, s))
            fail_msg("record %llu differs", (unsigned long long)s);
    }
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tf_journal_read(&r, &b.s), TF_JR_EMPTY);
        assert_int_equal(r.next_seq, 41);
    }
    assert_int_equal(r.gap_events, 0);
    /* The early reader catches up the same way. */
    for (uint64_t s = 1; s <= 40; s++) {
        assert_int_equal(tf_journal_read(&early, &b.s), TF_JR_OK);
        assert_true(rec_ok(&j, &b.s, s));
    }

    /* LIVE: only what comes after. */
    tf_journal_reader live;
    tf_journal_reader_init(&live, &j, TF_JOURNAL_FROM_LIVE);
    assert_int_equal(live.next_seq, 41);
    assert_int_equal(tf_journal_read(&live, &b.s), TF_JR_EMPTY);
    assert_int_equal(append_rec(&j, 41), 41);
    assert_int_equal(append_rec(&j, 42), 42);
    for (uint64_t s = 41; s <= 42; s++) {
        assert_int_equal(tf_journal_read(&live, &b.s), TF_JR_OK);
        assert_int_equal(b.s.seq, s);
        assert_true(rec_ok(&j, &b.s, s));
    }
    assert_int_equal(tf_journal_read(&live, &b.s), TF_JR_EMPTY);
    assert_int_equal(live.gap_events, 0);
    assert_int_equal(tf_journal_read(&r, &b.s), TF_JR_OK); /* r sees 41 too */
    assert_int_equal(b.s.seq, 41);

    /* Resume: read 1..17, save the position, a new reader continues there. */
    tf_journal_reader first;
    tf_journal_reader_init(&first, &j, TF_JOURNAL_FROM_OLDEST);
    for (uint64_t s = 1; s <= 17; s++)
        assert_int_equal(tf_journal_read(&first, &b.s), TF_JR_OK);
    uint64_t saved = first.next_seq;
    assert_int_equal(saved, 18);
    tf_journal_reader again;
    tf_journal_reader_init(&again, &j, saved);
    for (uint64_t s = 18; s <= 42; s++) {
        assert_int_equal(tf_journal_read(&again, &b.s), TF_JR_OK);
        assert_int_equal(b.s.seq, s);
        assert_true(rec_ok(&j, &b.s, s));
    }
    assert_int_equal(tf_journal_read(&again, &b.s), TF_JR_EMPTY);
    assert_int_equal(again.gap_events, 0);
    /* A position saved when caught up (head + 1) waits for the next one. */
    tf_journal_reader tip;
    tf_journal_reader_init(&tip, &j, 43);
    assert_int_equal(tf_journal_read(&tip, &b.s), TF_JR_EMPTY);
    assert_int_equal(append_rec(&j, 43), 43);
    assert_int_equal(tf_journal_read(&tip, &b.s), TF_JR_OK);
    assert_int_equal(b.s.seq, 43);
    drop_journal(&seg, path);
}

/* ---- laps in one process ------------------------------------------------------- */

/* Read to the end, checking consecutive records after the gap. Returns the
 * number of records read. */
static uint64_t read_rest(tf_journal_reader *r, const tf_journal *j, uint64_t from, uint64_t to)
{
    slot_buf b;
    uint64_t n = 0;
    for (uint64_t s = from; s <= to; s++) {
        tf_journal_read_rc rc = tf_journal_read(r, &b.s);
        if (rc != TF_JR_OK || !rec_ok(j, &b.s, s))
            fail_msg("wanted record %llu: rc %d seq %llu", (unsigned long long)s, (int)rc,
                     (unsigned long long)b.s.seq);
        n++;
    }
    assert_int_equal(tf_journal_read(r, &b.s), TF_JR_EMPTY);
    return n;
}

static void test_lap_single_process(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg;
    tf_journal j;
    new_journal(&seg, &j, path, test_dir, 16, 64);
    slot_buf b;
    tf_journal_reader r;
    tf_journal_reader_init(&r, &j, 1);
    for (uint64_t s = 1; s <= 100; s++)
        assert_int_equal(append_rec(&j, s), s);

    /* Held now: 85..100. The reader at 1 learns it missed 1..k, k >= 84. */
    assert_int_equal(tf_journal_read(&r, &b.s), TF_JR_GAP);
    assert_int_equal(r.gap_events, 1);
    assert_int_equal(r.last_gap_from, 1);
    assert_in_range(r.last_gap_to, 84, 99);
    assert_int_equal(r.next_seq, r.last_gap_to + 1);
    assert_int_equal(r.gap_records, r.last_gap_to - 1 + 1);
    uint64_t seen = read_rest(&r, &j, r.last_gap_to + 1, 100);
    assert_int_equal(seen + r.gap_records, 100);
    assert_int_equal(r.gap_events, 1);

    /* A saved position no longer held: GAP on the very first read. */
    tf_journal_reader old;
    tf_journal_reader_init(&old, &j, 5);
    assert_int_equal(old.next_seq, 5);
    assert_int_equal(tf_journal_read(&old, &b.s), TF_JR_GAP);
    assert_int_equal(old.last_gap_from, 5);
    assert_in_range(old.last_gap_to, 84, 99);
    assert_int_equal(old.gap_records, old.last_gap_to - 5 + 1);
    seen = read_rest(&old, &j, old.last_gap_to + 1, 100);
    assert_int_equal(seen + old.gap_records, 100 - 5 + 1);

    /* OLDEST starts at what is held: no gap at all. */
    tf_journal_reader oldest;
    tf_journal_reader_init(&oldest, &j, TF_JOURNAL_FROM_OLDEST);
    assert_int_equal(oldest.next_seq, 85);
    assert_int_equal(read_rest(&oldest, &j, 85, 100), 16);
    assert_int_equal(oldest.gap_events, 0);
    /* So does a saved position that is exactly the oldest held. */
    tf_journal_reader edge;
    tf_journal_reader_init(&edge, &j, 85);
    assert_int_equal(read_rest(&edge, &j, 85, 100), 16);
    assert_int_equal(edge.gap_events, 0);

    /* Lapped again in the middle: a reader at 96 when 100 more arrive. */
    tf_journal_reader mid;
    tf_journal_reader_init(&mid, &j, 90);
    assert_int_equal(read_rest(&mid, &j, 90, 100) , 11);
    for (uint64_t s = 101; s <= 200; s++)
        assert_int_equal(append_rec(&j, s), s);
    assert_int_equal(tf_journal_read(&mid, &b.s), TF_JR_GAP);
    assert_int_equal(mid.last_gap_from, 101);
    assert_in_range(mid.last_gap_to, 184, 199);
    assert_int_equal(mid.gap_records, mid.last_gap_to - 101 + 1);
    seen = read_rest(&mid, &j, mid.last_gap_to + 1, 200);
    assert_int_equal(11 + seen + mid.gap_records, 200 - 90 + 1);

    /* The first reader, lapped a second time: the gaps add up. */
    uint64_t before = r.gap_records;
    assert_int_equal(tf_journal_read(&r, &b.s), TF_JR_GAP);
    assert_int_equal(r.gap_events, 2);
    assert_int_equal(r.last_gap_from, 101);
    assert_int_equal(r.gap_records, before + r.last_gap_to - 101 + 1);
    read_rest(&r, &j, r.last_gap_to + 1, 200);
    drop_journal(&seg, path);
}

/* ---- a reader that checks everything (processes and threads) --------------------- */

typedef struct follow_result {
    int error;               /* 0, or where it went wrong */
    uint64_t start;          /* its first wanted sequence */
    uint64_t seen;           /* records accepted */
    uint64_t gap_events;
    uint64_t gap_records;    /* the reader's own count */
    uint64_t gap_sum;        /* the gaps as reported one by one, summed */
    uint64_t laps;           /* gaps after the first accepted record */
    uint64_t bad;            /* records whose bytes do not match their sequence */
    uint64_t disorder;       /* records or gaps not exactly where expected */
    uint64_t first_bad_seq;
    uint64_t last;           /* the last sequence read or skipped */
    uint64_t empties;
} follow_result;

typedef struct follow_args {
    const tf_journal *j;
    tf_journal_reader r;     /* initialised before the writer goes on */
    uint64_t end;            /* the writer's last sequence */
    int slow;                /* sleep every 1000 records; stall once */
} follow_args;

/* Follow the journal to `end`, checking every record and every gap. */
static follow_result follow(follow_args *a)
{
    follow_result res;
    memset(&res, 0, sizeof res);
    tf_journal_reader r = a->r;
    res.start = r.next_seq;
    uint64_t expect = r.next_seq;
    slot_buf b;
    bound bd = bound_make(SECONDS(60), MAX_SPINS);
    int stalled = 0;
    while (expect <= a->end) {
        tf_journal_read_rc rc = tf_journal_read(&r, &b.s);
        if (rc == TF_JR_OK) {
            if (b.s.seq != expect) {
                if (!res.disorder++)
                    res.first_bad_seq = b.s.seq;
            } else if (!rec_ok(a->j, &b.s, b.s.seq)) {
                if (!res.bad++)
                    res.first_bad_seq = b.s.seq;
            }
            res.seen++;
            expect = b.s.seq + 1;
            if (a->slow && res.seen % 1000 == 0)
                sleep_us(200);
            if (a->slow && !stalled && res.seen == 1000) {
                /* Deliberately fall a whole journal behind (bounded). */
                stalled = 1;
                bound st = bound_make(WAIT_LIMIT, MAX_SPINS);
                uint64_t target = expect + a->j->capacity + 1;
                if (target > a->end)
                    target = a->end;
                while (tf_journal_head(a->j) < target && bound_ok(&st))
                    sleep_us(100);
            }
        } else if (rc == TF_JR_GAP) {
            res.gap_events++;
            if (res.seen)
                res.laps++;
            if (r.last_gap_from != expect || r.last_gap_to < r.last_gap_from) {
                if (!res.disorder++)
                    res.first_bad_seq = r.last_gap_from;
            }
            res.gap_sum += r.last_gap_to - r.last_gap_from + 1;
            expect = r.last_gap_to + 1;
        } else {
            res.empties++;
            if (!bound_ok(&bd)) {
                res.error = 1; /* timed out */
                break;
            }
            if ((res.empties & 255) == 0)
                sched_yield();
        }
        if (r.next_seq != expect && !res.error) {
            res.error = 2; /* the reader's position disagrees with what it reported */
            break;
        }
    }
    res.gap_records = r.gap_records;
    res.last = expect - 1;
    if (res.gap_events != r.gap_events && !res.error)
        res.error = 3;
    return res;
}

static void check_follow(const char *who, const follow_result *res, uint64_t end)
{
    print_message("    %s: from %llu, read %llu, missed %llu in %llu gaps (%llu laps)\n", who,
                  (unsigned long long)res->start, (unsigned long long)res->seen,
                  (unsigned long long)res->gap_records, (unsigned long long)res->gap_events,
                  (unsigned long long)res->laps);
    assert_int_equal(res->error, 0);
    if (res->bad || res->disorder)
        fail_msg("%s: %llu torn, %llu out of place, first at %llu", who,
                 (unsigned long long)res->bad, (unsigned long long)res->disorder,
                 (unsigned long long)res->first_bad_seq);
    assert_int_equal(res->last, end);
    assert_int_equal(res->gap_records, res->gap_sum);
    /* Every sequence from its start to the end: read or counted as missed. */
    assert_int_equal(res->seen + res->gap_records, end - res->start + 1);
}

/* ---- laps across processes ----------------------------------------------------------- */

#define XP_CAP 4096u
#define XP_SLOT 128u
#define XP_PREFILL 10000ull
#define XP_END 5000000ull
#define XP_READERS 3

static const char *xp_path;
static tf_journal *xp_writer_view;  /* the creator's mapping, inherited */
static int xp_ready_fd, xp_go_fd;
static int xp_result_fd[XP_READERS];

static int xp_reader_child(void *arg)
{
    int idx = (int)(intptr_t)arg;
    follow_result res;
    memset(&res, 0, sizeof res);
    tf_segment seg;
    tf_journal j;
    /* Its own read-only mapping, as a tool would have. */
    if (tf_segment_attach(&seg, xp_path, TF_SEG_KIND_JOURNAL) != TF_SEG_OK || seg.writable ||
        tf_journal_attach(&j, &seg) != 0) {
        res.error = 10;
        (void)write_full(xp_result_fd[idx], &res, sizeof res);
        return 10;
    }
    /* 0: from the oldest held; 1: live; 2 (slow): a saved position long gone.
     * The position is taken before the writer goes on, so "every sequence
     * from its start" is exact. */
    follow_args a = {.j = &j, .end = XP_END, .slow = idx == 2};
    tf_journal_reader_init(&a.r, &j, idx == 0 ? TF_JOURNAL_FROM_OLDEST
                                     : idx == 1 ? TF_JOURNAL_FROM_LIVE : 1);
    if (write_full(xp_ready_fd, "r", 1) != 0)
        return 11;
    res = follow(&a);
    tf_segment_close(&seg);
    if (write_full(xp_result_fd[idx], &res, sizeof res) != 0)
        return 13;
    return 0;
}

static int xp_writer_child(void *arg)
{
    (void)arg;
    char c;
    if (read_full(xp_go_fd, &c, 1, WAIT_LIMIT) != 0)
        return 20;
    tf_journal *j = xp_writer_view;
    uint32_t lcg = 99;
    uint64_t s = tf_journal_head(j) + 1;
    while (s <= XP_END) {
        /* Bursts of 1..65536 records, then a pause of 0..300 us. */
        lcg = lcg * 1103515245u + 12345u;
        uint64_t burst = 1 + ((lcg >> 8) & 0xffff);
        for (uint64_t k = 0; k < burst && s <= XP_END; k++, s++)
            if (append_rec(j, s) != s)
                return 21;
        lcg = lcg * 1103515245u + 12345u;
        uint32_t pause = (lcg >> 8) % 4;
        if (pause)
            sleep_us(100 * pause);
    }
    return tf_journal_head(j) == XP_END ? 0 : 22;
}

static void test_lap_across_processes(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg;
    tf_journal j;
    new_journal(&seg, &j, path, test_dir, XP_CAP, XP_SLOT);
    /* Wrapped before anyone reads: 1..5904 are gone already. */
    for (uint64_t s = 1; s <= XP_PREFILL; s++)
        assert_int_equal(append_rec(&j, s), s);
    xp_path = path;
    xp_writer_view = &j;

    int ready[2], go[2], results[XP_READERS][2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);
    xp_ready_fd = ready[1];
    xp_go_fd = go[0];
    pid_t readers[XP_READERS];
    for (int i = 0; i < XP_READERS; i++) {
        assert_int_equal(pipe(results[i]), 0);
        xp_result_fd[i] = results[i][1];
    }
    for (int i = 0; i < XP_READERS; i++)
        readers[i] = spawn(xp_reader_child, (void *)(intptr_t)i);
    pid_t writer = spawn(xp_writer_child, NULL);
    close(ready[1]);
    close(go[0]);
    for (int i = 0; i < XP_READERS; i++)
        close(results[i][1]);

    /* All readers have their start position: let the writer go. */
    char c[XP_READERS];
    assert_int_equal(read_full(ready[0], c, XP_READERS, WAIT_LIMIT), 0);
    assert_int_equal(write_full(go[1], "g", 1), 0);
    uint64_t t0 = tf_now_ns();
    assert_int_equal(reap(writer, SECONDS(60)), 0);
    double secs = (double)(tf_now_ns() - t0) / 1e9;
    assert_int_equal(tf_journal_head(&j), XP_END);
    print_message("    writer: %llu records in %.2f s\n",
                  (unsigned long long)(XP_END - XP_PREFILL), secs);

    follow_result res[XP_READERS];
    for (int i = 0; i < XP_READERS; i++) {
        if (read_full(results[i][0], &res[i], sizeof res[i], SECONDS(60)) != 0)
            fail_msg("reader %d reported nothing", i);
        assert_int_equal(reap(readers[i], WAIT_LIMIT), 0);
        close(results[i][0]);
    }
    close(ready[0]);
    close(go[1]);
    check_follow("reader 0 (oldest)", &res[0], XP_END);
    check_follow("reader 1 (live)", &res[1], XP_END);
    check_follow("reader 2 (slow)", &res[2], XP_END);
    assert_int_equal(res[0].start, XP_PREFILL - XP_CAP + 1);
    assert_int_equal(res[1].start, XP_PREFILL + 1);
    assert_int_equal(res[2].start, 1);
    assert_true(res[2].gap_events >= 2); /* its lost position, then laps */
    assert_true(res[2].laps > 0);
    assert_true(res[2].gap_records > 0);
    drop_journal(&seg, path);
}

/* ---- threads -------------------------------------------------------------------------- */

#define TH_CAP 1024u
#define TH_END 300000ull

static tf_journal th_j;
static int th_writer_rc;

static void *th_writer(void *arg)
{
    (void)arg;
    for (uint64_t s = 1; s <= TH_END; s++) {
        if (append_rec(&th_j, s) != s) {
            th_writer_rc = 1;
            return NULL;
        }
        if (s % 20000 == 0)
            sleep_us(200); /* bursts: readers catch up, then fall behind again */
    }
    return NULL;
}

static void *th_reader(void *arg)
{
    follow_args *a = arg;
    follow_result *res = malloc(sizeof *res);
    if (res)
        *res = follow(a);
    return res;
}

static void test_writer_and_reader_threads(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg;
    new_journal(&seg, &th_j, path, test_dir, TH_CAP, 64);
    follow_args a[2] = {
        {.j = &th_j, .end = TH_END, .slow = 0},
        {.j = &th_j, .end = TH_END, .slow = 1},
    };
    tf_journal_reader_init(&a[0].r, &th_j, TF_JOURNAL_FROM_OLDEST);
    tf_journal_reader_init(&a[1].r, &th_j, 1);
    th_writer_rc = 0;
    pthread_t rt[2], wt;
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&rt[i], NULL, th_reader, &a[i]), 0);
    assert_int_equal(pthread_create(&wt, NULL, th_writer, NULL), 0);
    assert_int_equal(pthread_join(wt, NULL), 0);
    assert_int_equal(th_writer_rc, 0);
    follow_result *res[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(rt[i], (void **)&res[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_non_null(res[i]);
    check_follow("thread reader 0", res[0], TH_END);
    check_follow("thread reader 1 (slow)", res[1], TH_END);
    assert_int_equal(res[0]->start, 1);
    assert_int_equal(res[1]->start, 1);
    assert_true(res[1]->laps > 0);
    free(res[0]);
    free(res[1]);
    drop_journal(&seg, path);
}

/* ---- disk-backed ---------------------------------------------------------------------- */

/* On local disk, not tmpfs: "/tmp/tf-test-journal-disk.<random>"; removed
 * by the teardown. */
static void disk_dir_make(void)
{
    snprintf(disk_dir, sizeof disk_dir, "/tmp/tf-test-journal-disk.XXXXXX");
    if (!mkdtemp(disk_dir)) {
        disk_dir[0] = 0;
        fail_msg("mkdtemp: %s", strerror(errno));
    }
}

/* A disk journal of `capacity` slots holding 1..n, closed cleanly. */
static void disk_journal(char *path, tf_seg_layout *l, uint32_t capacity, uint64_t n)
{
    tf_segment seg;
    tf_journal j;
    new_journal(&seg, &j, path, disk_dir, capacity, 64);
    tf_journal_layout(l, capacity, 64);
    for (uint64_t s = 1; s <= n; s++)
        assert_int_equal(append_rec(&j, s), s);
    assert_int_equal(tf_journal_flush(&j, &seg, true), 0);
    assert_int_equal(j.desc->flushed_head, n);
    tf_segment_close(&seg);
}

static void recover(tf_segment *seg, tf_journal *j, const char *path, const tf_seg_layout *l)
{
    if (tf_segment_recover(seg, path, l) != 0 || tf_journal_recover(j, seg) != 0)
        fail_msg("recover %s: %s", path, tf_err_msg());
}

static tf_seg_owner owner_of(const char *path)
{
    tf_segment ro;
    assert_int_equal(tf_segment_attach(&ro, path, TF_SEG_KIND_JOURNAL), TF_SEG_OK);
    tf_seg_owner o = tf_segment_owner(&ro, tf_now_ns(), NULL);
    tf_segment_close(&ro);
    return o;
}

static void test_disk_restart_after_clean_stop(void **state)
{
    (void)state;
    disk_dir_make();
    char path[256];
    tf_seg_layout l;
    disk_journal(path, &l, 1024, 1000);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, TF_SEG_HEADER_SIZE + ((sizeof(tf_journal_desc) + 1024 * 64 + 4095) & ~4095ull));
    assert_int_equal(owner_of(path), TF_OWNER_CLOSED);

    tf_segment seg;
    tf_journal j;
    recover(&seg, &j, path, &l);
    assert_int_equal(tf_journal_head(&j), 1000);
    assert_int_equal(j.desc->recovered, 1000);
    assert_int_equal(j.desc->flushed_head, 1000);
    assert_int_equal(owner_of(path), TF_OWNER_LIVE);
    tf_journal_reader r;
    tf_journal_reader_init(&r, &j, TF_JOURNAL_FROM_OLDEST);
    assert_int_equal(r.next_seq, 1);
    assert_int_equal(read_rest(&r, &j, 1, 1000), 1000);
    assert_int_equal(r.gap_events, 0);
    /* Numbering carries on across the restart. */
    assert_int_equal(append_rec(&j, 1001), 1001);
    slot_buf b;
    assert_int_equal(tf_journal_read(&r, &b.s), TF_JR_OK);
    assert_true(rec_ok(&j, &b.s, 1001));
    tf_segment_close(&seg);

    recover(&seg, &j, path, &l);
    assert_int_equal(tf_journal_head(&j), 1001);
    assert_int_equal(j.desc->recovered, 1001);
    tf_segment_close(&seg);

    /* A layout that differs from the file is refused. */
    tf_seg_layout other;
    tf_journal_layout(&other, 2048, 64);
    assert_int_equal(tf_segment_recover(&seg, path, &other), -1);
    assert_non_null(strstr(tf_err_msg(), "another layout"));
}

/* Child: take the journal over, append up to `committed`, then die in the
 * middle of writing the next record: busy mark and half a payload, the way
 * tf_journal_append leaves a slot when the process stops between them. */
static const char *crash_path;
static const tf_seg_layout *crash_layout;
static uint64_t crash_committed;

static int crash_writer_child(void *arg)
{
    (void)arg;
    tf_segment seg;
    tf_journal j;
    if (tf_segment_recover(&seg, crash_path, crash_layout) != 0 || tf_journal_recover(&j, &seg) != 0)
        return 2;
    for (uint64_t s = tf_journal_head(&j) + 1; s <= crash_committed; s++)
        if (append_rec(&j, s) != s)
            return 3;
    uint64_t torn = crash_committed + 1;
    tf_journal_slot *slot = tf__journal_slot(&j, torn);
    tf_store_64(&slot->seq, torn | TF_JOURNAL_BUSY);
    ck_pr_fence_store();
    slot->type = rec_type(torn);
    memset(slot->payload, 0xdd, 16);
    _exit(0); /* no close, no msync: the page cache keeps what was written */
}

static void test_disk_crash_mid_write(void **state)
{
    (void)state;
    disk_dir_make();
    char path[256];
    tf_seg_layout l;
    disk_journal(path, &l, 1024, 1000);
    crash_path = path;
    crash_layout = &l;
    crash_committed = 1010;
    pid_t pid = spawn(crash_writer_child, NULL);
    assert_int_equal(reap(pid, WAIT_LIMIT), 0);
    assert_int_equal(owner_of(path), TF_OWNER_DEAD);

    tf_segment seg;
    tf_journal j;
    recover(&seg, &j, path, &l);
    assert_int_equal(tf_journal_head(&j), 1010); /* the last committed record */
    assert_int_equal(j.desc->recovered, 1010);
    assert_int_equal(tf__journal_slot(&j, 1011)->seq, 0); /* busy slot cleared */
    tf_journal_reader r;
    tf_journal_reader_init(&r, &j, TF_JOURNAL_FROM_OLDEST);
    assert_int_equal(read_rest(&r, &j, 1, 1010), 1010);
    assert_int_equal(append_rec(&j, 1011), 1011);
    slot_buf b;
    assert_int_equal(tf_journal_read(&r, &b.s), TF_JR_OK);
    assert_true(rec_ok(&j, &b.s, 1011));
    tf_segment_close(&seg);
}

/* The same crash after the journal has wrapped: the slot being rewritten
 * held the oldest record, which is gone. Readers must be told, and must
 * still get every record that survived. */
static void test_disk_crash_mid_write_after_wrap(void **state)
{
    (void)state;
    disk_dir_make();
    char path[256];
    tf_seg_layout l;
    disk_journal(path, &l, 16, 10);
    crash_path = path;
    crash_layout = &l;
    crash_committed = 20; /* slots hold 5..20; the crash is in 21, 5's slot */
    pid_t pid = spawn(crash_writer_child, NULL);
    assert_int_equal(reap(pid, WAIT_LIMIT), 0);
    assert_int_equal(owner_of(path), TF_OWNER_DEAD);

    tf_segment seg;
    tf_journal j;
    recover(&seg, &j, path, &l);
    assert_int_equal(tf_journal_head(&j), 20);
    assert_int_equal(j.desc->recovered, 15); /* 6..20 */
    assert_int_equal(tf__journal_slot(&j, 21)->seq, 0);

    slot_buf b;
    /* A reader from the oldest record held reads all 15 survivors. */
    tf_journal_reader oldest;
    tf_journal_reader_init(&oldest, &j, TF_JOURNAL_FROM_OLDEST);
    tf_journal_read_rc rc = tf_journal_read(&oldest, &b.s);
    if (rc == TF_JR_EMPTY)
        fail_msg("reader from OLDEST (next_seq %llu) gets EMPTY although records 6..20 are "
                 "held: recovery cleared the oldest record's slot but the journal still "
                 "counts it as held (shm/journal.c tf_journal_recover leaves first_seq at 1)",
                 (unsigned long long)oldest.next_seq);
    if (rc == TF_JR_GAP) {
        /* Acceptable: told that 5 is gone, and nothing held was skipped. */
        assert_int_equal(oldest.last_gap_from, 5);
        assert_int_equal(oldest.last_gap_to, 5);
        rc = tf_journal_read(&oldest, &b.s);
    }
    assert_int_equal(rc, TF_JR_OK);
    assert_int_equal(b.s.seq, 6);
    assert_true(rec_ok(&j, &b.s, 6));
    read_rest(&oldest, &j, 7, 20);

    /* A saved position at the lost record: a gap, then the survivors. */
    tf_journal_reader saved;
    tf_journal_reader_init(&saved, &j, 5);
    rc = tf_journal_read(&saved, &b.s);
    if (rc == TF_JR_EMPTY)
        fail_msg("reader at saved position 5 gets EMPTY for a record that is gone; it "
                 "should get TF_JR_GAP (shm/journal.h tf_journal_read treats slot seq 0 as "
                 "not yet written)");
    assert_int_equal(rc, TF_JR_GAP);
    assert_int_equal(saved.last_gap_from, 5);
    assert_in_range(saved.last_gap_to, 5, 19); /* the lap policy may skip a few more */
    uint64_t seen = read_rest(&saved, &j, saved.last_gap_to + 1, 20);
    assert_int_equal(seen + saved.gap_records, 20 - 5 + 1);

    /* The writer goes on at 21. */
    assert_int_equal(append_rec(&j, 21), 21);
    assert_int_equal(tf_journal_read(&saved, &b.s), TF_JR_OK);
    assert_true(rec_ok(&j, &b.s, 21));
    tf_segment_close(&seg);
}

/* A writer process that takes the journal over, appends (wrapping it), then
 * waits for the word and exits without closing. */
static int hold_fd, release_fd;

static int dying_writer_child(void *arg)
{
    (void)arg;
    tf_segment seg;
    tf_journal j;
    if (tf_segment_recover(&seg, crash_path, crash_layout) != 0 || tf_journal_recover(&j, &seg) != 0)
        return 2;
    for (uint64_t s = tf_journal_head(&j) + 1; s <= crash_committed; s++)
        if (append_rec(&j, s) != s)
            return 3;
    if (write_full(hold_fd, "h", 1) != 0)
        return 4;
    char c;
    if (read_full(release_fd, &c, 1, WAIT_LIMIT) != 0)
        return 5;
    _exit(0); /* no close */
}

static void test_disk_writer_dies_without_closing(void **state)
{
    (void)state;
    disk_dir_make();
    char path[256];
    tf_seg_layout l;
    disk_journal(path, &l, 1024, 100);
    crash_path = path;
    crash_layout = &l;
    crash_committed = 1500;
    int hold[2], release[2];
    assert_int_equal(pipe(hold), 0);
    assert_int_equal(pipe(release), 0);
    hold_fd = hold[1];
    release_fd = release[0];
    pid_t pid = spawn(dying_writer_child, NULL);
    close(hold[1]);
    close(release[0]);
    char c;
    assert_int_equal(read_full(hold[0], &c, 1, WAIT_LIMIT), 0);

    /* While it lives: it owns the file, and a reader can follow it. */
    assert_int_equal(owner_of(path), TF_OWNER_LIVE);
    tf_segment seg;
    assert_int_equal(tf_segment_recover(&seg, path, &l), -1);
    assert_non_null(strstr(tf_err_msg(), "running engine"));
    tf_segment ro;
    tf_journal v;
    assert_int_equal(tf_segment_attach(&ro, path, TF_SEG_KIND_JOURNAL), TF_SEG_OK);
    assert_int_equal(tf_journal_attach(&v, &ro), 0);
    assert_int_equal(tf_journal_head(&v), 1500);
    tf_segment_close(&ro);

    assert_int_equal(write_full(release[1], "x", 1), 0);
    assert_int_equal(reap(pid, WAIT_LIMIT), 0);
    close(hold[0]);
    close(release[1]);
    assert_int_equal(owner_of(path), TF_OWNER_DEAD);

    tf_journal j;
    recover(&seg, &j, path, &l);
    assert_int_equal(tf_journal_head(&j), 1500);
    assert_int_equal(j.desc->recovered, 1024); /* 477..1500 */
    tf_journal_reader r;
    tf_journal_reader_init(&r, &j, TF_JOURNAL_FROM_OLDEST);
    assert_int_equal(r.next_seq, 477);
    assert_int_equal(read_rest(&r, &j, 477, 1500), 1024);
    assert_int_equal(append_rec(&j, 1501), 1501);
    tf_segment_close(&seg);
    assert_int_equal(owner_of(path), TF_OWNER_CLOSED);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_init_rejects_bad_parameters),
        T(test_append_sequences_and_lengths),
        T(test_readers_oldest_live_resume),
        T(test_lap_single_process),
        T(test_lap_across_processes),
        T(test_writer_and_reader_threads),
        T(test_disk_restart_after_clean_stop),
        T(test_disk_crash_mid_write),
        T(test_disk_crash_mid_write_after_wrap),
        T(test_disk_writer_dies_without_closing),
    };
    return cmocka_run_group_tests(tests, group_setup, test_dir_remove);
}

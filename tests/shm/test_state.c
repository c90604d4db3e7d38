/* Seqlock state table: sizes, round trip, EMPTY before the first write,
 * claim until full, find; no torn read ever accepted under a concurrent
 * writer (several reader threads); and TF_STATE_TORN reported in bounded
 * time when the writer died (or stopped) in the middle of an update, both in
 * anonymous shared memory and in a real state segment attached by a tool.
 *
 * Recovery from a dead writer is not the reader's business: ck_sequence has
 * no way to "even out" a sequence left odd by a writer that is gone, and a
 * reader must not guess. The restarted engine re-initialises the table
 * (tf_state_table_init, i.e. ck_sequence_init on every slot) in a new
 * segment before writing again; the last test shows that sequence.
 *
 * Children never call cmocka (they report through exit status); every wait
 * is bounded; each test uses its own directory and instance name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm/err.h"
#include "shm/segment.h"
#include "shm/state.h"

#define WORDS 12 /* 12 x 8 = TF_STATE_PAYLOAD */
_Static_assert(WORDS * 8 == TF_STATE_PAYLOAD, "payload is 12 words");

#define WAIT_MS 10000
#define SEC 1000000000ull

/* ---- fixture -------------------------------------------------------------- */

static char g_dir[128];
static char g_inst[32];
static int g_seq;
static pid_t g_kid;
static void *g_map;
static size_t g_map_len;

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p) == 0 || errno == ENOENT ? 0 : -1;
}

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/dev/shm/tf-test-state.%d.XXXXXX", (int)getpid());
    if (!mkdtemp(g_dir)) {
        snprintf(g_dir, sizeof g_dir, "/tmp/tf-test-state.%d.XXXXXX", (int)getpid());
        if (!mkdtemp(g_dir))
            return -1;
    }
    snprintf(g_inst, sizeof g_inst, "tst%d-%d", (int)getpid(), g_seq++);
    g_kid = 0;
    g_map = NULL;
    g_map_len = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (g_kid > 0) {
        kill(g_kid, SIGKILL);
        waitpid(g_kid, NULL, 0);
        g_kid = 0;
    }
    if (g_map) {
        munmap(g_map, g_map_len);
        g_map = NULL;
    }
    return nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

/* A table in anonymous shared memory (survives fork; unmapped by teardown). */
static tf_state_table *new_table(uint32_t cap)
{
    g_map_len = tf_state_region_size(cap);
    void *p = mmap(NULL, g_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(p != MAP_FAILED);
    g_map = p;
    tf_state_table_init(p, cap);
    return p;
}

static void fill(uint64_t *w, uint64_t v)
{
    for (int i = 0; i < WORDS; i++)
        w[i] = v;
}

static int reap(pid_t pid)
{
    int status = 0;
    for (int i = 0; i < WAIT_MS; i++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            if (g_kid == pid)
                g_kid = 0;
            return status;
        }
        assert_int_equal(r, 0);
        usleep(1000);
    }
    fail_msg("child %d did not exit within %d ms", (int)pid, WAIT_MS);
    return -1;
}

static char read_byte_bounded(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, WAIT_MS) != 1)
        fail_msg("no word from child within %d ms", WAIT_MS);
    char c = 0;
    if (read(fd, &c, 1) != 1)
        fail_msg("child closed its pipe before reporting");
    return c;
}

/* ---- single-threaded behaviour ---------------------------------------------- */

static void test_sizes_and_init(void **state)
{
    (void)state;
    assert_int_equal(sizeof(tf_state_slot), 128);
    assert_int_equal(tf_state_region_size(0), sizeof(tf_state_table));
    assert_int_equal(tf_state_region_size(10), 128 + 10 * 128);
    tf_state_table *t = new_table(10);
    assert_int_equal(t->slot_capacity, 10);
    assert_int_equal(t->slot_count, 0);
    assert_int_equal((uintptr_t)&t->slots[0] % TF_WRITER_LINE, 0);
    assert_int_equal((uintptr_t)&t->slots[1] - (uintptr_t)&t->slots[0], TF_WRITER_LINE);
}

static void test_round_trip(void **state)
{
    (void)state;
    tf_state_table *t = new_table(2);
    tf_state_slot *s = tf_state_claim(t, 3, "book");
    assert_non_null(s);
    uint64_t in[WORDS], out[WORDS], when = 0;
    for (int i = 0; i < WORDS; i++)
        in[i] = 1000 + (uint64_t)i * 7;
    tf_state_write(s, in, sizeof in, 12345);
    assert_int_equal(s->length, sizeof in);
    assert_int_equal(s->updated_ns, 12345);
    assert_int_equal(s->seq.sequence & 1u, 0); /* even again after the write */
    memset(out, 0, sizeof out);
    assert_int_equal(tf_state_read(s, out, sizeof out, 10, &when), TF_STATE_OK);
    for (int i = 0; i < WORDS; i++)
        assert_int_equal(out[i], in[i]);
    assert_int_equal(when, 12345);

    /* The latest write wins; updated_ns is optional. */
    fill(in, 77);
    tf_state_write(s, in, sizeof in, 99999);
    assert_int_equal(tf_state_read(s, out, sizeof out, 0, NULL), TF_STATE_OK);
    assert_int_equal(out[0], 77);
    assert_int_equal(out[WORDS - 1], 77);

    /* A shorter write: length recorded, the prefix updated. */
    uint64_t two[2] = {5, 6};
    tf_state_write(s, two, sizeof two, 100000);
    assert_int_equal(s->length, 16);
    assert_int_equal(tf_state_read(s, out, sizeof out, 0, &when), TF_STATE_OK);
    assert_int_equal(out[0], 5);
    assert_int_equal(out[1], 6);
    assert_int_equal(when, 100000);

    /* A smaller output buffer gets exactly `cap` bytes, nothing past it. */
    uint64_t small[4] = {0xdeadbeef, 0xdeadbeef, 0xdeadbeef, 0xdeadbeef};
    assert_int_equal(tf_state_read(s, small, 16, 0, NULL), TF_STATE_OK);
    assert_int_equal(small[0], 5);
    assert_int_equal(small[1], 6);
    assert_int_equal(small[2], 0xdeadbeef);
    assert_int_equal(small[3], 0xdeadbeef);

    /* The other slot was never touched. */
    tf_state_slot *o = tf_state_claim(t, 3, "other");
    assert_non_null(o);
    assert_int_equal(tf_state_read(o, out, sizeof out, 0, NULL), TF_STATE_EMPTY);
}

static void test_empty_before_first_write(void **state)
{
    (void)state;
    tf_state_table *t = new_table(1);
    tf_state_slot *s = tf_state_claim(t, 1, "x");
    assert_non_null(s);
    uint64_t out[WORDS], when = 4242;
    fill(out, 0x5555);
    assert_int_equal(tf_state_read(s, out, sizeof out, 10, &when), TF_STATE_EMPTY);
    assert_int_equal(tf_state_read(s, out, sizeof out, 0, &when), TF_STATE_EMPTY);
    assert_int_equal(when, 4242);      /* untouched */
    assert_int_equal(out[0], 0x5555);  /* untouched */
    uint64_t in[WORDS];
    fill(in, 1);
    tf_state_write(s, in, sizeof in, 1);
    assert_int_equal(tf_state_read(s, out, sizeof out, 10, &when), TF_STATE_OK);
    assert_int_equal(when, 1);
}

static void test_claim_until_full(void **state)
{
    (void)state;
    enum { CAP = 5 };
    tf_state_table *t = new_table(CAP);
    assert_null(tf_state_claim(t, 0, "kind zero")); /* 0 means unused */
    assert_int_equal(t->slot_count, 0);
    tf_state_slot *got[CAP];
    for (int i = 0; i < CAP; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        got[i] = tf_state_claim(t, (uint16_t)(i + 1), key);
        assert_non_null(got[i]);
        assert_ptr_equal(got[i], &t->slots[i]);
        assert_int_equal(got[i]->kind, i + 1);
        assert_string_equal(got[i]->key, key);
        assert_int_equal(t->slot_count, i + 1);
    }
    assert_null(tf_state_claim(t, 1, "one too many"));
    assert_null(tf_state_claim(t, 1, "and another"));
    assert_int_equal(t->slot_count, CAP);

    tf_state_table *z = new_table(0);
    assert_null(tf_state_claim(z, 1, "x"));
}

static void test_find(void **state)
{
    (void)state;
    tf_state_table *t = new_table(8);
    tf_state_slot *eng = tf_state_claim(t, 1, "engine");
    tf_state_slot *sink = tf_state_claim(t, 2, "synth_sink");
    tf_state_slot *same_key = tf_state_claim(t, 3, "engine");
    tf_state_slot *full = tf_state_claim(t, 4, "fifteen_chars_k"); /* 15 + NUL: fits */
    assert_non_null(eng);
    assert_non_null(sink);
    assert_non_null(same_key);
    assert_non_null(full);
    assert_ptr_equal(tf_state_find(t, 1, "engine"), eng);
    assert_ptr_equal(tf_state_find(t, 3, "engine"), same_key); /* kind tells them apart */
    assert_ptr_equal(tf_state_find(t, 2, "synth_sink"), sink);
    assert_ptr_equal(tf_state_find(t, 4, "fifteen_chars_k"), full);
    assert_null(tf_state_find(t, 2, "engine"));
    assert_null(tf_state_find(t, 1, "engin"));   /* no prefix matching */
    assert_null(tf_state_find(t, 1, "engines"));
    assert_null(tf_state_find(t, 9, "engine"));
    assert_null(tf_state_find(t, 0, ""));         /* unclaimed slots are not found */

    /* A corrupt count (tools read other processes' tables) is clamped. */
    t->slot_count = 1000;
    assert_ptr_equal(tf_state_find(t, 2, "synth_sink"), sink);
    assert_null(tf_state_find(t, 5, "nothing"));
}

/* A key that does not fit the 16-byte field: whatever tf_state_claim does
 * with it (refuse it, or truncate it), the slot it hands out must be found
 * again by the same key. */
static void test_find_long_key(void **state)
{
    (void)state;
    tf_state_table *t = new_table(2);
    const char *key = "a_key_longer_than_16_bytes";
    tf_state_slot *s = tf_state_claim(t, 1, key);
    if (s) {
        const tf_state_slot *f = tf_state_find(t, 1, key);
        if (f != s)
            fail_msg("slot claimed with key \"%s\" (stored as \"%.16s\") not found by that key",
                     key, s->key);
    }
    /* A key of exactly 16 characters is the boundary case. */
    const char *key16 = "sixteen_chars_ky";
    assert_int_equal(strlen(key16), TF_STATE_KEY);
    s = tf_state_claim(t, 2, key16);
    if (s && tf_state_find(t, 2, key16) != s)
        fail_msg("slot claimed with 16-character key \"%s\" not found by that key", key16);
}

/* ---- concurrent writer and readers --------------------------------------------- */

/* Each reader makes at least READS attempts and goes on until it has seen
 * MIN_DISTINCT different values (so reads really overlapped writes, also on
 * a machine with fewer CPUs than threads), bounded by a deadline; meanwhile
 * the writer keeps rewriting the slot with 12 words all equal to a counter,
 * until every reader is done. */
#define READS 200000u
#define MIN_DISTINCT 2000u
#define READERS 2
#define CONC_DEADLINE_NS (60 * SEC)

typedef struct reader_result {
    uint64_t ok, torn, empty, distinct;
    uint64_t bad;              /* accepted copies with unequal words: must stay 0 */
    uint64_t bad_first, bad_other;
    int bad_word;
    uint64_t backwards;        /* a value older than one already seen */
    uint64_t when_mismatch;    /* updated_ns not the value's own */
    int timed_out;
} reader_result;

static tf_state_slot *c_slot;
static int c_start;            /* the writer's first value is in */
static int c_readers_done;
static uint64_t c_writes;
static int c_writer_timed_out;
static reader_result c_res[READERS];

static void *writer_main(void *arg)
{
    (void)arg;
    uint64_t w[WORDS];
    uint64_t deadline = tf_now_ns() + CONC_DEADLINE_NS;
    uint64_t v = 1;
    fill(w, v);
    tf_state_write(c_slot, w, sizeof w, v); /* updated_ns = the value too */
    __atomic_store_n(&c_start, 1, __ATOMIC_RELEASE);
    while (__atomic_load_n(&c_readers_done, __ATOMIC_ACQUIRE) < READERS) {
        if ((v & 1023) == 0 && tf_now_ns() > deadline) {
            c_writer_timed_out = 1;
            break;
        }
        v++;
        fill(w, v);
        tf_state_write(c_slot, w, sizeof w, v);
    }
    c_writes = v;
    return NULL;
}

static void *reader_main(void *arg)
{
    reader_result *r = arg;
    uint64_t last = 0;
    uint64_t deadline = tf_now_ns() + CONC_DEADLINE_NS;
    while (!__atomic_load_n(&c_start, __ATOMIC_ACQUIRE)) {
        if (tf_now_ns() > deadline) {
            r->timed_out = 1;
            goto out;
        }
        sched_yield();
    }
    for (uint64_t n = 0; n < READS || r->distinct < MIN_DISTINCT; n++) {
        uint64_t out[WORDS], when = 0;
        tf_state_rc rc = tf_state_read(c_slot, out, sizeof out, 1000, &when);
        if (rc == TF_STATE_OK) {
            r->ok++;
            for (int i = 1; i < WORDS; i++)
                if (out[i] != out[0]) {
                    if (!r->bad) {
                        r->bad_first = out[0];
                        r->bad_other = out[i];
                        r->bad_word = i;
                    }
                    r->bad++;
                    break;
                }
            if (out[0] < last)
                r->backwards++;
            if (out[0] != last)
                r->distinct++;
            if (when != out[0])
                r->when_mismatch++;
            last = out[0];
        } else if (rc == TF_STATE_TORN) {
            r->torn++;
        } else {
            r->empty++;
        }
        if ((n & 1023) == 0 && tf_now_ns() > deadline) {
            r->timed_out = 1;
            break;
        }
    }
out:
    __atomic_fetch_add(&c_readers_done, 1, __ATOMIC_ACQ_REL);
    return NULL;
}

static void test_concurrent_no_torn_read_accepted(void **state)
{
    (void)state;
    tf_state_table *t = new_table(1);
    c_slot = tf_state_claim(t, 1, "book");
    assert_non_null(c_slot);
    c_start = 0;
    c_readers_done = 0;
    c_writes = 0;
    c_writer_timed_out = 0;
    memset(c_res, 0, sizeof c_res);
    pthread_t rd[READERS], wr;
    for (int i = 0; i < READERS; i++)
        assert_int_equal(pthread_create(&rd[i], NULL, reader_main, &c_res[i]), 0);
    assert_int_equal(pthread_create(&wr, NULL, writer_main, NULL), 0);
    for (int i = 0; i < READERS; i++)
        assert_int_equal(pthread_join(rd[i], NULL), 0);
    assert_int_equal(pthread_join(wr, NULL), 0);

    print_message("writer: %llu writes\n", (unsigned long long)c_writes);
    for (int i = 0; i < READERS; i++) {
        reader_result *r = &c_res[i];
        print_message("reader %d: ok %llu (%llu distinct values), retries exhausted %llu, "
                      "empty %llu\n", i, (unsigned long long)r->ok,
                      (unsigned long long)r->distinct, (unsigned long long)r->torn,
                      (unsigned long long)r->empty);
        if (r->bad)
            fail_msg("reader %d accepted %llu torn copies, e.g. word 0 = %llu, word %d = %llu", i,
                     (unsigned long long)r->bad, (unsigned long long)r->bad_first, r->bad_word,
                     (unsigned long long)r->bad_other);
        assert_int_equal(r->backwards, 0);
        assert_int_equal(r->when_mismatch, 0);
        assert_int_equal(r->empty, 0); /* it was written before readers began */
        assert_false(r->timed_out);
        assert_true(r->ok >= MIN_DISTINCT);
        assert_true(r->distinct >= MIN_DISTINCT);
    }
    assert_false(c_writer_timed_out);
    assert_true(c_writes > 1);
    /* After the writer: the last value, whole. */
    uint64_t out[WORDS];
    assert_int_equal(tf_state_read(c_slot, out, sizeof out, 0, NULL), TF_STATE_OK);
    for (int i = 0; i < WORDS; i++)
        assert_int_equal(out[i], c_writes);
}

/* ---- a writer that dies mid-update -------------------------------------------------- */

/* What a writer killed between write_begin and write_end leaves behind: the
 * sequence odd, half the payload new. Child only (no cmocka). */
static void half_update(tf_state_slot *s, uint64_t v)
{
    ck_sequence_write_begin(&s->seq);
    uint64_t *p = (uint64_t *)(void *)s->payload;
    for (int i = 0; i < WORDS / 2; i++)
        tf_store_64(&p[i], v);
}

static void assert_torn_quickly(const tf_state_slot *s)
{
    uint64_t out[WORDS], when = 777;
    fill(out, 0xabcd);
    uint64_t t0 = tf_now_ns();
    tf_state_rc rc = tf_state_read(s, out, sizeof out, 1000, &when);
    uint64_t took = tf_now_ns() - t0;
    assert_int_equal(rc, TF_STATE_TORN);
    if (took > 1 * SEC)
        fail_msg("TORN took %llu ns with max_retries=1000", (unsigned long long)took);
    assert_int_equal(out[0], 0xabcd); /* nothing copied out */
    assert_int_equal(when, 777);
    /* Bounded for any retry count, including none. */
    assert_int_equal(tf_state_read(s, out, sizeof out, 0, NULL), TF_STATE_TORN);
}

static void test_torn_when_writer_killed_mid_update(void **state)
{
    (void)state;
    tf_state_table *t = new_table(1);
    tf_state_slot *s = tf_state_claim(t, 1, "x");
    assert_non_null(s);
    uint64_t in[WORDS];
    fill(in, 7);
    tf_state_write(s, in, sizeof in, 1);

    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        half_update(s, 8);
        raise(SIGKILL);
        _exit(1);
    }
    g_kid = pid;
    int st = reap(pid);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGKILL);

    /* The scene: sequence odd, half of the payload new. */
    assert_int_equal(s->seq.sequence & 1u, 1);
    const uint64_t *p = (const uint64_t *)(const void *)s->payload;
    assert_int_equal(p[0], 8);
    assert_int_equal(p[WORDS - 1], 7);

    assert_torn_quickly(s);
    assert_torn_quickly(s); /* and stays so: nobody is left to finish it */

    /* Recovery is the restarted engine re-initialising the table, then
     * writing afresh; readers see EMPTY, then the new values. */
    tf_state_table_init(t, 1);
    s = tf_state_claim(t, 1, "x");
    assert_non_null(s);
    uint64_t out[WORDS];
    assert_int_equal(tf_state_read(s, out, sizeof out, 10, NULL), TF_STATE_EMPTY);
    fill(in, 9);
    tf_state_write(s, in, sizeof in, 2);
    assert_int_equal(tf_state_read(s, out, sizeof out, 10, NULL), TF_STATE_OK);
    assert_int_equal(out[0], 9);
    assert_int_equal(out[WORDS - 1], 9);
}

/* The same through real segments: the writer (another process) stops inside
 * an update and is killed there; a tool attached read-only sees TORN both
 * while it is stuck and after it is dead. */
static void test_torn_in_segment_writer_paused_then_killed(void **state)
{
    (void)state;
    char path[256];
    assert_int_equal(tf_segment_path(path, sizeof path, g_dir, g_inst, "state"), 0);
    tf_seg_layout l;
    memset(&l, 0, sizeof l);
    l.kind = TF_SEG_KIND_STATE;
    l.region_count = 1;
    l.regions[0].name = "state";
    l.regions[0].length = tf_state_region_size(4);
    tf_segment w;
    if (tf_segment_create(&w, path, g_inst, "state", &l, 0600, TF_STALE_ACTION_REFUSE) != 0)
        fail_msg("create: %s", tf_err_msg());
    tf_state_table *t = tf_segment_region(&w, "state", NULL);
    assert_non_null(t);
    tf_state_table_init(t, 4);
    tf_state_slot *s = tf_state_claim(t, 5, "status");
    assert_non_null(s);
    uint64_t in[WORDS];
    fill(in, 100);
    tf_state_write(s, in, sizeof in, 10);
    assert_int_equal(tf_segment_publish(&w), 0);
    tf_segment_close(&w); /* the dying writer below maps it on its own */

    int pp[2];
    assert_int_equal(pipe2(pp, O_CLOEXEC), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(pp[0]);
        tf_segment ws;
        if (tf_segment_attach_writable(&ws, path, TF_SEG_KIND_STATE) != TF_SEG_OK)
            _exit(3);
        tf_state_table *ct = tf_segment_region(&ws, "state", NULL);
        tf_state_slot *cs = ct ? (tf_state_slot *)tf_state_find(ct, 5, "status") : NULL;
        if (!cs)
            _exit(4);
        half_update(cs, 101);
        (void)!write(pp[1], "M", 1); /* in the middle now */
        for (int i = 0; i < 600; i++) /* bounded: the parent kills it long before */
            sleep(1);
        _exit(5);
    }
    g_kid = pid;
    close(pp[1]);
    char c = read_byte_bounded(pp[0]);
    close(pp[0]);
    assert_int_equal(c, 'M');

    tf_segment r;
    assert_int_equal(tf_segment_attach(&r, path, TF_SEG_KIND_STATE), TF_SEG_OK);
    const tf_state_table *rt = tf_segment_region(&r, "state", NULL);
    assert_non_null(rt);
    const tf_state_slot *rs = tf_state_find(rt, 5, "status");
    assert_non_null(rs);

    assert_torn_quickly(rs); /* writer alive but stuck */
    assert_int_equal(kill(pid, SIGKILL), 0);
    int st = reap(pid);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGKILL);
    assert_torn_quickly(rs); /* writer dead */
    const uint64_t *p = (const uint64_t *)(const void *)rs->payload;
    assert_int_equal(p[0], 101);
    assert_int_equal(p[WORDS - 1], 100);
    tf_segment_close(&r);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_sizes_and_init),
        T(test_round_trip),
        T(test_empty_before_first_write),
        T(test_claim_until_full),
        T(test_find),
        T(test_find_long_key),
        T(test_concurrent_no_torn_read_accepted),
        T(test_torn_when_writer_killed_mid_update),
        T(test_torn_in_segment_writer_paused_then_killed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

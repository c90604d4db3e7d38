/* Stats segment: layout, registration by the creator and read-back through a
 * read-only attach (owners, threads, counters with names, labels and live
 * values, histograms, error log); one writer per 128-byte counter line;
 * every limit failing cleanly with a message; a histogram recorded in shared
 * memory and summarised by a reader in another process.
 *
 * Each test uses its own directory and instance name; the teardown removes
 * the directory and reaps any child, also after a failed assertion. The
 * error log itself is tested in test_errlog.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm/err.h"
#include "shm/errlog.h"
#include "shm/histogram.h"
#include "shm/stats.h"

#define WAIT_MS 10000

static char g_dir[128];
static char g_inst[32];
static int g_seq;
static pid_t g_kid;

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p) == 0 || errno == ENOENT ? 0 : -1;
}

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/dev/shm/tf-test-stats.%d.XXXXXX", (int)getpid());
    if (!mkdtemp(g_dir)) {
        snprintf(g_dir, sizeof g_dir, "/tmp/tf-test-stats.%d.XXXXXX", (int)getpid());
        if (!mkdtemp(g_dir))
            return -1;
    }
    snprintf(g_inst, sizeof g_inst, "tsx%d-%d", (int)getpid(), g_seq++);
    g_kid = 0;
    tf_err_clear();
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
    return nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

static void assert_msg_has(const char *needle)
{
    if (!strstr(tf_err_msg(), needle))
        fail_msg("message \"%s\" does not contain \"%s\"", tf_err_msg(), needle);
}

/* tf_stats_layout -> tf_segment_create -> tf_stats_init -> publish. */
static void create_stats(tf_segment *seg, tf_stats *st, char *path, size_t cap, const char *name)
{
    assert_int_equal(tf_segment_path(path, cap, g_dir, g_inst, name), 0);
    tf_seg_layout l;
    tf_stats_layout(&l);
    if (tf_segment_create(seg, path, g_inst, name, &l, 0640, TF_STALE_ACTION_REFUSE) != 0)
        fail_msg("create %s: %s", path, tf_err_msg());
    if (tf_stats_init(st, seg) != 0)
        fail_msg("stats init: %s", tf_err_msg());
    if (tf_segment_publish(seg) != 0)
        fail_msg("publish: %s", tf_err_msg());
}

static void attach_stats(tf_segment *rseg, tf_stats *rd, const char *path)
{
    tf_seg_status s = tf_segment_attach(rseg, path, TF_SEG_KIND_STATS);
    if (s != TF_SEG_OK)
        fail_msg("attach %s: %s", tf_seg_status_name(s), tf_err_msg());
    assert_false(rseg->writable);
    if (tf_stats_attach(rd, rseg) != 0)
        fail_msg("stats attach: %s", tf_err_msg());
}

static void test_layout(void **state)
{
    (void)state;
    tf_seg_layout l;
    tf_stats_layout(&l);
    assert_int_equal(l.kind, TF_SEG_KIND_STATS);
    assert_int_equal(l.region_count, 4);
    assert_string_equal(l.regions[0].name, "directory");
    assert_int_equal(l.regions[0].length, sizeof(tf_stats_dir));
    assert_string_equal(l.regions[1].name, "values");
    assert_int_equal(l.regions[1].length, TF_STATS_MAX_COUNTERS * 8);
    assert_string_equal(l.regions[2].name, "histograms");
    assert_int_equal(l.regions[2].length, TF_STATS_MAX_HISTS * sizeof(tf_hist));
    assert_string_equal(l.regions[3].name, "errors");
    assert_int_equal(l.regions[3].length, sizeof(tf_errlog));
}

static void test_register_and_read_back(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg, rseg;
    tf_stats st, rd;
    create_stats(&seg, &st, path, sizeof path, "a");
    assert_int_equal(st.dir->owner_count, 1); /* engine */
    int o1 = tf_stats_add_owner(&st, "feed");
    int o2 = tf_stats_add_owner(&st, "risk");
    assert_int_equal(o1, 1);
    assert_int_equal(o2, 2);
    assert_int_equal(tf_stats_add_thread(&st, "hot", 1, 10, 2), 0);
    assert_int_equal(tf_stats_add_thread(&st, "cold", -1, 0, 1), 1);
    uint64_t *c_eng = tf_stats_counter(&st, 0, "loops", "", TF_COUNTER);
    uint64_t *c1 = tf_stats_counter(&st, (uint32_t)o1, "msgs", "venue=sim,feed=a", TF_COUNTER);
    uint64_t *c2 = tf_stats_counter(&st, (uint32_t)o2, "rejects", NULL, TF_COUNTER);
    uint64_t *g1 = tf_stats_counter(&st, (uint32_t)o2, "open_orders", "book=x", TF_GAUGE);
    tf_hist *h = tf_stats_hist(&st, (uint32_t)o1, "decode_ns", "venue=sim");
    tf_hist *h2 = tf_stats_hist(&st, (uint32_t)o2, "check_ns", NULL);
    assert_non_null(c_eng);
    assert_non_null(c1);
    assert_non_null(c2);
    assert_non_null(g1);
    assert_non_null(h);
    assert_non_null(h2);
    tf_counter_inc(c1, 41);
    tf_counter_inc(c1, 1);
    tf_store_64(g1, 17);
    for (uint64_t v = 100; v < 200; v++)
        tf_hist_record(h, v);
    tf_errlog_note(tf_stats_errlog(&st, (uint32_t)o2), (uint32_t)o2, TF_E_SEQ_GAP, 9, "gap", 5);

    attach_stats(&rseg, &rd, path);
    const tf_stats_dir *d = rd.dir;
    assert_int_equal(d->owner_count, 3);
    assert_string_equal(d->owners[0].name, "engine");
    assert_string_equal(d->owners[1].name, "feed");
    assert_string_equal(d->owners[2].name, "risk");
    assert_int_equal(d->thread_count, 2);
    assert_string_equal(d->threads[0].name, "hot");
    assert_int_equal(d->threads[0].cpu, 1);
    assert_int_equal(d->threads[0].rt_priority, 10);
    assert_int_equal(d->threads[0].idle_kind, 2);
    assert_string_equal(d->threads[1].name, "cold");
    assert_int_equal(d->threads[1].cpu, -1);

    assert_int_equal(d->counter_count, 4);
    static const struct {
        const char *name, *labels;
        uint32_t owner, kind;
        uint64_t value;
    } want[] = {
        {"loops", "", 0, TF_COUNTER, 0},
        {"msgs", "venue=sim,feed=a", 1, TF_COUNTER, 42},
        {"rejects", "", 2, TF_COUNTER, 0},
        {"open_orders", "book=x", 2, TF_GAUGE, 17},
    };
    for (uint32_t i = 0; i < 4; i++) {
        assert_string_equal(d->counters[i].name, want[i].name);
        assert_string_equal(d->counters[i].labels, want[i].labels);
        assert_int_equal(d->counters[i].owner, want[i].owner);
        assert_int_equal(d->counters[i].kind, want[i].kind);
        assert_int_equal(tf_stats_value(&rd, i), want[i].value);
    }
    /* The writer keeps counting; the reader's mapping sees it. */
    for (int i = 0; i < 1000; i++)
        tf_counter_inc(c2, 1);
    tf_counter_inc(c_eng, 5);
    tf_store_64(g1, 3);
    assert_int_equal(tf_stats_value(&rd, 0), 5);
    assert_int_equal(tf_stats_value(&rd, 2), 1000);
    assert_int_equal(tf_stats_value(&rd, 3), 3);
    assert_int_equal(tf_stats_value(&rd, 1), 42);

    assert_int_equal(d->hist_count, 2);
    assert_string_equal(d->hists[0].name, "decode_ns");
    assert_string_equal(d->hists[0].labels, "venue=sim");
    assert_string_equal(d->hists[0].unit, "ns");
    assert_int_equal(d->hists[0].owner, 1);
    assert_string_equal(d->hists[1].name, "check_ns");
    assert_string_equal(d->hists[1].labels, "");
    assert_int_equal(d->hists[1].owner, 2);
    tf_hist *snap = malloc(sizeof *snap);
    assert_non_null(snap);
    tf_hist_snapshot(snap, &rd.hists[0]);
    tf_hist_summary s;
    tf_hist_summarize(snap, &s);
    assert_int_equal(s.count, 100);
    assert_int_equal(s.min, 100);
    assert_int_equal(s.max, 199);
    assert_true(s.mean > 149.49 && s.mean < 149.51);
    tf_hist_snapshot(snap, &rd.hists[1]); /* registered, never recorded */
    tf_hist_summarize(snap, &s);
    assert_int_equal(s.count, 0);
    free(snap);

    assert_int_equal(rd.errlog->owner_count, 3);
    const tf_errlog_entry *e = &rd.errlog->blocks[2].entries[0];
    assert_int_equal(e->code, TF_E_SEQ_GAP);
    assert_int_equal(e->owner, 2);
    assert_int_equal(e->last_arg, 9);
    assert_string_equal(e->detail, "gap");
    assert_int_equal(rd.errlog->blocks[1].entries[0].code, 0);

    tf_segment_close(&rseg);
    tf_segment_close(&seg);
}

/* Counters of different owners never share a 128-byte line, however the
 * registrations interleave; an owner's counters pack into whole lines. */
static void test_one_writer_per_line(void **state)
{
    (void)state;
    enum { OWNERS = 3, PER = 20 };
    char path[256];
    tf_segment seg, rseg;
    tf_stats st, rd;
    create_stats(&seg, &st, path, sizeof path, "b");
    uint64_t *ptr[OWNERS][PER];
    int owners[OWNERS];
    for (int o = 0; o < OWNERS; o++) {
        char name[24];
        snprintf(name, sizeof name, "stage%d", o);
        owners[o] = tf_stats_add_owner(&st, name);
        assert_int_equal(owners[o], o + 1);
    }
    /* One engine counter first, so lines are not trivially owner-ordered. */
    uint64_t *eng = tf_stats_counter(&st, 0, "engine_c", "", TF_COUNTER);
    assert_non_null(eng);
    for (int k = 0; k < PER; k++) /* interleaved registration */
        for (int o = 0; o < OWNERS; o++) {
            char name[24];
            snprintf(name, sizeof name, "c%d", k);
            ptr[o][k] = tf_stats_counter(&st, (uint32_t)owners[o], name, "", TF_COUNTER);
            assert_non_null(ptr[o][k]);
        }
    for (int o = 0; o < OWNERS; o++)
        for (int k = 0; k < PER; k++) {
            uintptr_t line = (uintptr_t)ptr[o][k] / TF_WRITER_LINE;
            assert_int_equal((uintptr_t)ptr[o][k] % 8, 0);
            if (line == (uintptr_t)eng / TF_WRITER_LINE)
                fail_msg("owner %d counter %d shares a line with the engine's", o + 1, k);
            for (int p = 0; p < OWNERS; p++)
                for (int q = 0; q < PER; q++) {
                    if (p == o && q == k)
                        continue;
                    assert_ptr_not_equal(ptr[o][k], ptr[p][q]);
                    if (p != o && line == (uintptr_t)ptr[p][q] / TF_WRITER_LINE)
                        fail_msg("owner %d counter %d and owner %d counter %d share line %p",
                                 o + 1, k, p + 1, q, (void *)(line * TF_WRITER_LINE));
                }
        }
    /* 20 counters of 8 bytes: exactly two lines per owner. */
    for (int o = 0; o < OWNERS; o++) {
        uintptr_t lines[PER];
        int n = 0;
        for (int k = 0; k < PER; k++) {
            uintptr_t line = (uintptr_t)ptr[o][k] / TF_WRITER_LINE;
            int seen = 0;
            for (int i = 0; i < n; i++)
                seen |= lines[i] == line;
            if (!seen)
                lines[n++] = line;
        }
        assert_int_equal(n, (PER * 8 + TF_WRITER_LINE - 1) / TF_WRITER_LINE);
    }
    /* Each value is independent: bump each by a different amount, and the
     * reader finds each counter's own value under its metadata. */
    for (int o = 0; o < OWNERS; o++)
        for (int k = 0; k < PER; k++)
            tf_counter_inc(ptr[o][k], (uint64_t)(o * 100 + k + 1));
    attach_stats(&rseg, &rd, path);
    assert_int_equal(rd.dir->counter_count, 1 + OWNERS * PER);
    for (uint32_t i = 1; i < rd.dir->counter_count; i++) {
        const tf_counter_meta *m = &rd.dir->counters[i];
        int o = (int)m->owner - 1, k = atoi(m->name + 1);
        assert_int_equal(tf_stats_value(&rd, i), (uint64_t)(o * 100 + k + 1));
        assert_ptr_equal(&st.values[m->slot], ptr[o][k]);
    }
    tf_segment_close(&rseg);
    tf_segment_close(&seg);
}

static void test_limit_owners(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg;
    tf_stats st;
    create_stats(&seg, &st, path, sizeof path, "lo");
    for (uint32_t i = 1; i < TF_STATS_MAX_OWNERS; i++) {
        char name[24];
        snprintf(name, sizeof name, "s%u", i);
        assert_int_equal(tf_stats_add_owner(&st, name), (int)i);
    }
    tf_err_clear();
    assert_int_equal(tf_stats_add_owner(&st, "one too many"), -1);
    assert_msg_has("more than");
    assert_int_equal(tf_stats_add_owner(&st, "again"), -1);
    assert_int_equal(st.dir->owner_count, TF_STATS_MAX_OWNERS);
    assert_int_equal(st.errlog->owner_count, TF_STATS_MAX_OWNERS);
    assert_string_equal(st.dir->owners[TF_STATS_MAX_OWNERS - 1].name, "s31");
    tf_segment_close(&seg);
}

static void test_limit_counters(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg;
    tf_stats st;
    create_stats(&seg, &st, path, sizeof path, "lc");
    assert_int_equal(tf_stats_add_owner(&st, "s1"), 1);

    tf_err_clear();
    assert_null(tf_stats_counter(&st, 2, "n", "", TF_COUNTER)); /* not registered */
    assert_msg_has("unknown owner 2");
    assert_null(tf_stats_counter(&st, 999, "n", "", TF_COUNTER));
    assert_int_equal(st.dir->counter_count, 0);

    for (uint32_t i = 0; i < TF_STATS_MAX_COUNTERS; i++)
        if (!tf_stats_counter(&st, 1, "n", "", TF_COUNTER))
            fail_msg("counter %u of %u: %s", i, TF_STATS_MAX_COUNTERS, tf_err_msg());
    tf_err_clear();
    assert_null(tf_stats_counter(&st, 1, "over", "", TF_COUNTER));
    assert_msg_has("counter over{}: no room, the stats segment holds");
    assert_null(tf_stats_counter(&st, 0, "over", "", TF_COUNTER));
    assert_int_equal(st.dir->counter_count, TF_STATS_MAX_COUNTERS);
    tf_segment_close(&seg);
}

/* The values region can fill before the counter table does: every owner
 * takes whole lines. */
static void test_limit_values_lines(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg;
    tf_stats st;
    create_stats(&seg, &st, path, sizeof path, "lv");
    for (uint32_t i = 1; i < TF_STATS_MAX_OWNERS; i++)
        assert_int_equal(tf_stats_add_owner(&st, "s"), (int)i);
    const uint32_t lines = TF_STATS_MAX_COUNTERS / TF_STATS_PER_LINE;
    assert_int_equal(lines, TF_STATS_MAX_OWNERS); /* one line each, exactly */
    for (uint32_t o = 0; o < TF_STATS_MAX_OWNERS; o++)
        assert_non_null(tf_stats_counter(&st, o, "first", "", TF_COUNTER));
    for (uint32_t k = 1; k < TF_STATS_PER_LINE; k++) /* owner 1 fills its line */
        assert_non_null(tf_stats_counter(&st, 1, "more", "", TF_COUNTER));
    tf_err_clear();
    assert_null(tf_stats_counter(&st, 1, "one line too many", "", TF_COUNTER));
    assert_msg_has("counter one line too many{}: no room, every values line");
    /* Other owners still have room on their own lines. */
    assert_non_null(tf_stats_counter(&st, 2, "second", "", TF_COUNTER));
    assert_int_equal(st.dir->counter_count, TF_STATS_MAX_OWNERS + TF_STATS_PER_LINE);
    tf_segment_close(&seg);
}

static void test_limit_histograms_and_threads(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg;
    tf_stats st;
    create_stats(&seg, &st, path, sizeof path, "lh");
    assert_int_equal(tf_stats_add_owner(&st, "s1"), 1);
    tf_err_clear();
    assert_null(tf_stats_hist(&st, 5, "h", ""));
    assert_msg_has("unknown owner 5");
    for (uint32_t i = 0; i < TF_STATS_MAX_HISTS; i++)
        assert_non_null(tf_stats_hist(&st, i % 2, "h", ""));
    tf_err_clear();
    assert_null(tf_stats_hist(&st, 1, "over", ""));
    assert_msg_has("histogram over{}: no room, the stats segment holds");
    assert_int_equal(st.dir->hist_count, TF_STATS_MAX_HISTS);

    for (uint32_t i = 0; i < TF_STATS_MAX_THREADS; i++)
        assert_int_equal(tf_stats_add_thread(&st, "t", -1, 0, 0), (int)i);
    tf_err_clear();
    assert_int_equal(tf_stats_add_thread(&st, "over", -1, 0, 0), -1);
    assert_msg_has("more than");
    assert_int_equal(st.dir->thread_count, TF_STATS_MAX_THREADS);
    tf_segment_close(&seg);
}

static void test_attach_refuses_what_is_not_a_stats_layout(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg, rseg;
    tf_stats st, rd;
    create_stats(&seg, &st, path, sizeof path, "bad");
    st.dir->counter_count = TF_STATS_MAX_COUNTERS + 1; /* corrupt */
    /* Attach validates the directory (tf_segment_validate runs tf_stats_attach). */
    tf_err_clear();
    assert_int_equal(tf_segment_attach(&rseg, path, TF_SEG_KIND_STATS), TF_SEG_CORRUPT);
    assert_msg_has("corrupt");
    /* tf_stats_attach itself still refuses it, for a handle mapped before. */
    tf_err_clear();
    assert_int_equal(tf_stats_attach(&rd, &seg), -1);
    assert_msg_has("corrupt");
    st.dir->counter_count = 0;
    assert_int_equal(tf_segment_attach(&rseg, path, TF_SEG_KIND_STATS), TF_SEG_OK);
    assert_int_equal(tf_stats_attach(&rd, &rseg), 0);
    tf_segment_close(&rseg);
    tf_segment_close(&seg);

    /* A segment without the stats regions. */
    char other[256];
    assert_int_equal(tf_segment_path(other, sizeof other, g_dir, g_inst, "other"), 0);
    tf_seg_layout l;
    memset(&l, 0, sizeof l);
    l.kind = TF_SEG_KIND_STATS;
    l.region_count = 1;
    l.regions[0].name = "directory";
    l.regions[0].length = 4096; /* and too small */
    tf_segment w;
    assert_int_equal(tf_segment_create(&w, other, g_inst, "other", &l, 0640, TF_STALE_ACTION_REFUSE), 0);
    assert_int_equal(tf_segment_publish(&w), 0);
    tf_err_clear();
    assert_int_equal(tf_segment_attach(&rseg, other, TF_SEG_KIND_STATS), TF_SEG_CORRUPT);
    assert_msg_has("no region '");
    tf_err_clear();
    assert_int_equal(tf_stats_attach(&rd, &w), -1);
    assert_msg_has("no region '");
    tf_segment_close(&w);

    /* All four regions, one smaller than this program's layout. */
    assert_int_equal(tf_segment_path(other, sizeof other, g_dir, g_inst, "small"), 0);
    tf_stats_layout(&l);
    l.regions[2].length = sizeof(tf_hist); /* one histogram instead of 16 */
    assert_int_equal(tf_segment_create(&w, other, g_inst, "small", &l, 0640, TF_STALE_ACTION_REFUSE), 0);
    assert_int_equal(tf_segment_publish(&w), 0);
    tf_err_clear();
    assert_int_equal(tf_segment_attach(&rseg, other, TF_SEG_KIND_STATS), TF_SEG_CORRUPT);
    assert_msg_has("smaller than this layout");
    tf_err_clear();
    assert_int_equal(tf_stats_attach(&rd, &w), -1);
    assert_msg_has("smaller than this layout");
    tf_segment_close(&w);
}

/* A histogram registered in shm, recorded by the owner, summarised by a
 * tool in another process through its read-only mapping. */
static void test_histogram_in_shm_seen_by_reader(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg;
    tf_stats st;
    create_stats(&seg, &st, path, sizeof path, "h");
    int o = tf_stats_add_owner(&st, "stage");
    assert_int_equal(o, 1);
    tf_hist *h = tf_stats_hist(&st, (uint32_t)o, "latency", "path=fast");
    assert_non_null(h);
    for (uint64_t v = 1; v <= 10000; v++)
        tf_hist_record(h, v);
    tf_hist_record(h, 1ull << 41); /* one overflow */

    int pp[2];
    assert_int_equal(pipe2(pp, O_CLOEXEC), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(pp[0]);
        tf_segment r;
        tf_stats rd;
        if (tf_segment_attach(&r, path, TF_SEG_KIND_STATS) != TF_SEG_OK || tf_stats_attach(&rd, &r) != 0)
            _exit(3);
        if (rd.dir->hist_count != 1 || strcmp(rd.dir->hists[0].name, "latency") != 0)
            _exit(4);
        tf_hist *snap = malloc(sizeof *snap);
        if (!snap)
            _exit(5);
        tf_hist_snapshot(snap, &rd.hists[0]);
        tf_hist_summary s;
        tf_hist_summarize(snap, &s);
        free(snap);
        if (write(pp[1], &s, sizeof s) != (ssize_t)sizeof s)
            _exit(6);
        tf_segment_close(&r);
        _exit(0);
    }
    g_kid = pid;
    close(pp[1]);
    tf_hist_summary s;
    memset(&s, 0, sizeof s);
    struct pollfd pf = {.fd = pp[0], .events = POLLIN};
    int pr = poll(&pf, 1, WAIT_MS);
    ssize_t n = pr == 1 ? read(pp[0], &s, sizeof s) : -1;
    close(pp[0]);
    int status = 0;
    pid_t got = 0;
    for (int i = 0; i < WAIT_MS && (got = waitpid(pid, &status, WNOHANG)) == 0; i++)
        usleep(1000);
    if (got != pid)
        fail_msg("reader process %d not reaped within %d ms (waitpid %d)", (int)pid, WAIT_MS, (int)got);
    g_kid = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("reader process failed (status 0x%x)", status);
    assert_int_equal(n, sizeof s);
    assert_int_equal(s.count, 10001);
    assert_int_equal(s.min, 1);
    assert_int_equal(s.max, 1ull << 41);
    assert_int_equal(s.overflow, 1);
    double mean = (10000.0 * 10001.0 / 2.0 + (double)(1ull << 41)) / 10001.0;
    assert_true(s.mean > mean * 0.999999 && s.mean < mean * 1.000001);
    assert_true(s.p50 >= 5000 && s.p50 <= 5005);
    assert_true(s.p99 >= 9900 && s.p99 <= 9910);

    /* Recording after the snapshot shows in the next one. */
    tf_hist_record(h, 3);
    tf_segment r;
    tf_stats rd;
    attach_stats(&r, &rd, path);
    tf_hist *snap = malloc(sizeof *snap);
    assert_non_null(snap);
    tf_hist_snapshot(snap, &rd.hists[0]);
    assert_int_equal(snap->count, 10002);
    assert_int_equal(snap->counts[3], 2);
    free(snap);
    tf_segment_close(&r);
    tf_segment_close(&seg);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* The engine's API registers catalogue entries: the directory holds the
 * catalogue's name and kind, and a full segment fails naming the counter. */
static void test_catalogue_registration(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg;
    tf_stats st;
    create_stats(&seg, &st, path, sizeof path, "cat");
    assert_int_equal(tf_stats_add_owner(&st, "exio"), 1);
    uint64_t *state_g = tf_stats_add_counter(&st, 1, TF_CTR_FIX_SESSION_STATE, "session=0");
    assert_non_null(state_g);
    const tf_counter_meta *m = &st.dir->counters[0];
    assert_string_equal(m->name, "fix_session_state");
    assert_string_equal(m->labels, "session=0");
    assert_int_equal(m->kind, TF_GAUGE);
    assert_int_equal(m->owner, 1);
    tf_hist *h = tf_stats_add_hist(&st, 1, TF_HIST_FIX_ORDER_RTT_NS, NULL);
    assert_non_null(h);
    assert_string_equal(st.dir->hists[0].name, "fix_order_rtt_ns");

    tf_err_clear();
    assert_null(tf_stats_add_counter(&st, 1, TF_CTR_COUNT, NULL));
    assert_msg_has("not in the catalogue");
    assert_null(tf_stats_add_hist(&st, 1, (tf_hist_id)-1, NULL));
    assert_msg_has("not in the catalogue");

    /* Fill the segment, then a table registration fails on its first entry
     * that does not fit, naming it. */
    while (st.dir->counter_count < TF_STATS_MAX_COUNTERS - 1)
        if (!tf_stats_counter(&st, 1, "filler", "", TF_COUNTER))
            fail_msg("filler %u: %s", st.dir->counter_count, tf_err_msg());
    uint64_t *a = NULL, *b = NULL;
    const tf_counter_reg regs[] = {{&a, TF_CTR_FIX_ORDERS_SENT, NULL}, {&b, TF_CTR_FIX_REPORTS, "x=1"}};
    tf_err_clear();
    assert_int_equal(tf_stats_add_counters(&st, 1, regs, 2), -1);
    assert_non_null(a);
    assert_null(b);
    assert_msg_has("counter fix_reports{x=1}: no room");
    tf_segment_close(&seg);
}

/* Every catalogue entry has a name, a kind, a stage and a meaning; a name
 * stands for one kind; lookups by name find the entry. */
static void test_catalogue_is_consistent(void **state)
{
    (void)state;
    for (int i = 0; i < TF_CTR_COUNT; i++) {
        const tf_metric_def *d = &tf_counter_catalog[i];
        assert_non_null(d->name);
        assert_true(strlen(d->name) > 0 && strlen(d->name) < TF_STATS_NAME);
        assert_true(d->kind == TF_COUNTER || d->kind == TF_GAUGE);
        assert_true(d->stage && *d->stage && d->help && *d->help && d->labels);
        for (int j = 0; j < i; j++)
            if (strcmp(tf_counter_catalog[j].name, d->name) == 0)
                fail_msg("counter %s is in the catalogue twice (%d and %d)", d->name, j, i);
        assert_ptr_equal(tf_counter_lookup(d->name), d);
    }
    for (int i = 0; i < TF_HIST_COUNT; i++) {
        const tf_metric_def *d = &tf_hist_catalog[i];
        assert_true(d->name && strlen(d->name) > 0 && strlen(d->name) < TF_STATS_NAME);
        assert_true(d->help && *d->help);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(tf_hist_catalog[j].name, d->name);
    }
    assert_null(tf_counter_lookup("no_such_counter"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_layout),
        T(test_register_and_read_back),
        T(test_one_writer_per_line),
        T(test_limit_owners),
        T(test_limit_counters),
        T(test_limit_values_lines),
        T(test_limit_histograms_and_threads),
        T(test_attach_refuses_what_is_not_a_stats_layout),
        T(test_histogram_in_shm_seen_by_reader),
        T(test_catalogue_registration),
        T(test_catalogue_is_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Journal: init checks, append/read in order, EMPTY, start positions
 * (oldest, live, a saved sequence), lap detection in one process and across
 * processes (a writer and several read-only readers, one deliberately slow,
 * every accepted record verified, every sequence accounted for), threads,
 * and a disk-backed journal recovered after a clean stop and after a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shm/err.h"
#include "tests/test_util.h"
#include "shm/journal.h"

#define SLOT 64u
#define DEADLINE_NS (60ull * 1000000000ull)

static int seq_name;

static int setup(void **state)
{
    (void)state;
    return test_dir_make("tf-test-journal");
}

typedef struct payload {
    uint64_t seq, a, b, c, d, e; /* a..e derived from seq: a torn copy shows */
} payload;

static payload make_payload(uint64_t s)
{
    return (payload){s, s * 3, s ^ 0xabcdef, s + 7, ~s, s * s};
}

static int payload_ok(const tf_journal_slot *slot)
{
    payload p;
    memcpy(&p, slot->payload, sizeof p);
    payload want = make_payload(slot->seq);
    return slot->length == sizeof p && memcmp(&p, &want, sizeof p) == 0;
}

static void new_journal(tf_segment *seg, tf_journal *j, char *path, uint32_t capacity)
{
    char name[32];
    snprintf(name, sizeof name, "j%d", seq_name++);
    assert_int_equal(tf_segment_path(path, 256, test_dir, "t", name), 0);
    tf_seg_layout l;
    tf_journal_layout(&l, capacity, SLOT);
    if (tf_segment_create(seg, path, "t", name, &l, 0640, TF_STALE_ACTION_REFUSE) != 0 ||
        tf_journal_init(j, seg, name, capacity, SLOT) != 0 || tf_segment_publish(seg) != 0)
        fail_msg("journal: %s", tf_err_msg());
}

static uint64_t append(tf_journal *j, uint64_t s)
{
    payload p = make_payload(s);
    return tf_journal_append(j, 7, &p, sizeof p);
}

static void test_init_checks(void **state)
{
    (void)state;
    char path[256];
    assert_int_equal(tf_segment_path(path, sizeof path, test_dir, "t", "bad"), 0);
    tf_seg_layout l;
    tf_journal_layout(&l, 64, SLOT);
    tf_segment seg;
    tf_journal j;
    assert_int_equal(tf_segment_create(&seg, path, "t", "bad", &l, 0640, TF_STALE_ACTION_REFUSE), 0);
    assert_int_equal(tf_journal_init(&j, &seg, "bad", 60, SLOT), -1);
    assert_non_null(strstr(tf_err_msg(), "power of two"));
    assert_int_equal(tf_journal_init(&j, &seg, "bad", 64, 48), -1);
    assert_non_null(strstr(tf_err_msg(), "slot size"));
    assert_int_equal(tf_journal_init(&j, &seg, "bad", 128, SLOT), -1);
    assert_non_null(strstr(tf_err_msg(), "too small"));
    tf_segment_close(&seg);
}

static void test_append_read_positions(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg;
    tf_journal j;
    new_journal(&seg, &j, path, 64);
    for (uint64_t s = 1; s <= 10; s++)
        assert_int_equal(append(&j, s), s);
    uint8_t big[64] = {0};
    assert_int_equal(tf_journal_append(&j, 1, big, 12), 0);   /* not a multiple of 8 */
    assert_int_equal(tf_journal_append(&j, 1, big, 56), 0);   /* longer than 48 */
    assert_int_equal(tf_journal_head(&j), 10);

    uint8_t buf[SLOT];
    tf_journal_slot *slot = (tf_journal_slot *)buf;
    tf_journal_reader r;
    tf_journal_reader_init(&r, &j, TF_JOURNAL_FROM_OLDEST);
    for (uint64_t s = 1; s <= 10; s++) {
        assert_int_equal(tf_journal_read(&r, slot), TF_JR_OK);
        assert_int_equal(slot->seq, s);
        assert_int_equal(slot->type, 7);
        assert_true(payload_ok(slot));
    }
    assert_int_equal(tf_journal_read(&r, slot), TF_JR_EMPTY);

    tf_journal_reader live;
    tf_journal_reader_init(&live, &j, TF_JOURNAL_FROM_LIVE);
    assert_int_equal(tf_journal_read(&live, slot), TF_JR_EMPTY);
    append(&j, 11);
    assert_int_equal(tf_journal_read(&live, slot), TF_JR_OK);
    assert_int_equal(slot->seq, 11);

    tf_journal_reader saved;
    tf_journal_reader_init(&saved, &j, 6); /* resume where a reader left off */
    assert_int_equal(tf_journal_read(&saved, slot), TF_JR_OK);
    assert_int_equal(slot->seq, 6);
    tf_segment_close(&seg);
}

static void test_lap_detected_single_process(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg;
    tf_journal j;
    new_journal(&seg, &j, path, 16);
    tf_journal_reader r;
    tf_journal_reader_init(&r, &j, TF_JOURNAL_FROM_OLDEST);
    for (uint64_t s = 1; s <= 100; s++)
        append(&j, s);
    uint8_t buf[SLOT];
    tf_journal_slot *slot = (tf_journal_slot *)buf;
    assert_int_equal(tf_journal_read(&r, slot), TF_JR_GAP);
    assert_int_equal(r.last_gap_from, 1);
    assert_true(r.last_gap_to >= 100 - 16); /* everything overwritten is missed */
    assert_true(r.last_gap_to < 100);
    assert_int_equal(r.gap_records, r.last_gap_to);
    uint64_t expect = r.last_gap_to + 1;
    int rc;
    while ((rc = tf_journal_read(&r, slot)) == TF_JR_OK) {
        assert_int_equal(slot->seq, expect++);
        assert_true(payload_ok(slot));
    }
    assert_int_equal(rc, TF_JR_EMPTY);
    assert_int_equal(expect, 101);

    /* A saved position that is no longer held reports a gap at once. */
    tf_journal_reader old;
    tf_journal_reader_init(&old, &j, 5);
    assert_int_equal(tf_journal_read(&old, slot), TF_JR_GAP);
    assert_int_equal(old.last_gap_from, 5);
    assert_int_equal(old.gap_events, 1);
    tf_segment_close(&seg);
}

/* ---- across processes --------------------------------------------------------- */

#define XP_CAP 4096u
#define XP_RECORDS 3000000ull
#define XP_READERS 3

typedef struct reader_result {
    uint64_t seen, gap_records, gap_events, bad, disorder, last;
} reader_result;

/* A reader child: attach read-only, follow to the end, verify everything. */
static reader_result read_to_end(const char *path, int slow)
{
    reader_result res = {0};
    tf_segment seg;
    tf_journal j;
    if (tf_segment_attach(&seg, path, TF_SEG_KIND_JOURNAL) != TF_SEG_OK || tf_journal_attach(&j, &seg) != 0) {
        res.bad = UINT64_MAX;
        return res;
    }
    tf_journal_reader r;
    tf_journal_reader_init(&r, &j, 1);
    uint8_t buf[SLOT];
    tf_journal_slot *slot = (tf_journal_slot *)buf;
    uint64_t deadline = tf_now_ns() + DEADLINE_NS;
    while (res.last < XP_RECORDS && tf_now_ns() < deadline) {
        tf_journal_read_rc rc = tf_journal_read(&r, slot);
        if (rc == TF_JR_OK) {
            if (!payload_ok(slot))
                res.bad++;
            if (slot->seq <= res.last)
                res.disorder++;
            res.last = slot->seq;
            res.seen++;
            if (slow && res.seen % 1000 == 0) {
                struct timespec ts = {0, 200000};
                nanosleep(&ts, NULL);
            }
        } else if (rc == TF_JR_GAP) {
            res.last = r.last_gap_to; /* accounted as missed */
        }
    }
    res.gap_records = r.gap_records;
    res.gap_events = r.gap_events;
    tf_segment_close(&seg);
    return res;
}

static void test_lap_detected_across_processes(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg;
    tf_journal j;
    new_journal(&seg, &j, path, XP_CAP);
    int fds[XP_READERS][2];
    pid_t readers[XP_READERS];
    for (int i = 0; i < XP_READERS; i++) {
        assert_int_equal(pipe(fds[i]), 0);
        readers[i] = fork();
        if (readers[i] == 0) {
            reader_result res = read_to_end(path, i == XP_READERS - 1);
            (void)!write(fds[i][1], &res, sizeof res);
            _exit(0);
        }
        close(fds[i][1]);
    }
    pid_t writer = fork();
    if (writer == 0) {
        usleep(50000); /* readers attached */
        for (uint64_t s = 1; s <= XP_RECORDS; s++) {
            append(&j, s);
            if (s % 100000 == 0)
                usleep(1000); /* bursts */
        }
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(writer, &status, 0), writer);
    assert_int_equal(WEXITSTATUS(status), 0);
    uint64_t total_gaps = 0;
    for (int i = 0; i < XP_READERS; i++) {
        reader_result res;
        assert_int_equal(read(fds[i][0], &res, sizeof res), sizeof res);
        close(fds[i][0]);
        waitpid(readers[i], NULL, 0);
        print_message("reader %d: seen %llu, missed %llu in %llu gaps\n", i,
                      (unsigned long long)res.seen, (unsigned long long)res.gap_records,
                      (unsigned long long)res.gap_events);
        assert_int_equal(res.bad, 0);         /* never a torn record */
        assert_int_equal(res.disorder, 0);
        assert_int_equal(res.last, XP_RECORDS);
        assert_int_equal(res.seen + res.gap_records, XP_RECORDS); /* all accounted for */
        total_gaps += res.gap_records;
        if (i == XP_READERS - 1)
            assert_true(res.gap_events > 0); /* the slow one was lapped and knows it */
    }
    assert_true(total_gaps > 0);
    tf_segment_close(&seg);
}

/* ---- threads (TSan) -------------------------------------------------------------- */

static tf_journal tj;

static void *thread_reader(void *arg)
{
    reader_result *res = arg;
    tf_journal_reader r;
    tf_journal_reader_init(&r, &tj, 1);
    uint8_t buf[SLOT];
    tf_journal_slot *slot = (tf_journal_slot *)buf;
    uint64_t deadline = tf_now_ns() + DEADLINE_NS;
    while (res->last < 200000 && tf_now_ns() < deadline) {
        tf_journal_read_rc rc = tf_journal_read(&r, slot);
        if (rc == TF_JR_OK) {
            res->bad += !payload_ok(slot);
            res->last = slot->seq;
            res->seen++;
        } else if (rc == TF_JR_GAP) {
            res->last = r.last_gap_to;
        }
    }
    res->gap_records = r.gap_records;
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    char path[256];
    tf_segment seg;
    new_journal(&seg, &tj, path, 1024);
    reader_result res[2];
    memset(res, 0, sizeof res);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, thread_reader, &res[i]);
    for (uint64_t s = 1; s <= 200000; s++)
        append(&tj, s);
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(res[i].bad, 0);
        assert_int_equal(res[i].last, 200000);
        assert_int_equal(res[i].seen + res[i].gap_records, 200000);
    }
    tf_segment_close(&seg);
}

/* ---- disk-backed --------------------------------------------------------------- */

static void test_disk_recovery(void **state)
{
    (void)state;
    char tdir[] = "/tmp/tf-test-journal-disk.XXXXXX";
    assert_non_null(mkdtemp(tdir));
    char path[256];
    snprintf(path, sizeof path, "%s/md.journal", tdir);
    tf_seg_layout l;
    tf_journal_layout(&l, 1024, SLOT);
    tf_segment seg;
    tf_journal j;
    assert_int_equal(tf_segment_create(&seg, path, "t", "md", &l, 0640, TF_STALE_ACTION_REFUSE), 0);
    assert_int_equal(tf_journal_init(&j, &seg, "md", 1024, SLOT), 0);
    assert_int_equal(tf_segment_publish(&seg), 0);
    for (uint64_t s = 1; s <= 1000; s++)
        append(&j, s);
    assert_int_equal(tf_journal_flush(&j, &seg, true), 0);
    tf_segment_close(&seg);

    /* Clean restart. */
    assert_int_equal(tf_segment_recover(&seg, path, &l), 0);
    assert_int_equal(tf_journal_recover(&j, &seg), 0);
    assert_int_equal(tf_journal_head(&j), 1000);
    assert_int_equal(j.desc->recovered, 1000);
    tf_journal_reader r;
    tf_journal_reader_init(&r, &j, TF_JOURNAL_FROM_OLDEST);
    uint8_t buf[SLOT];
    tf_journal_slot *slot = (tf_journal_slot *)buf;
    for (uint64_t s = 1; s <= 1000; s++) {
        assert_int_equal(tf_journal_read(&r, slot), TF_JR_OK);
        assert_int_equal(slot->seq, s);
        assert_true(payload_ok(slot));
    }
    assert_int_equal(append(&j, 1001), 1001);

    /* A crash mid-write: the slot of 1002 is left busy. */
    tf_journal_slot *s1002 = (tf_journal_slot *)(j.slots + (1002 & j.mask) * SLOT);
    s1002->seq = 1002 | TF_JOURNAL_BUSY;
    tf_segment_close(&seg); /* (a crash would not even close; see the fork below) */
    assert_int_equal(tf_segment_recover(&seg, path, &l), 0);
    assert_int_equal(tf_journal_recover(&j, &seg), 0);
    assert_int_equal(tf_journal_head(&j), 1001);
    tf_journal_slot *again = (tf_journal_slot *)(j.slots + (1002 & j.mask) * SLOT);
    assert_int_equal(again->seq, 0);
    tf_segment_close(&seg);

    /* A writer process that dies without closing. */
    pid_t pid = fork();
    if (pid == 0) {
        tf_segment ws;
        tf_journal wj;
        if (tf_segment_recover(&ws, path, &l) != 0 || tf_journal_recover(&wj, &ws) != 0)
            _exit(2);
        for (uint64_t s = 1002; s <= 1500; s++)
            append(&wj, s);
        _exit(0); /* no close */
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(WEXITSTATUS(status), 0);
    tf_segment rs;
    assert_int_equal(tf_segment_attach(&rs, path, TF_SEG_KIND_JOURNAL), TF_SEG_OK);
    assert_int_equal(tf_segment_owner(&rs, tf_now_ns(), NULL), TF_OWNER_DEAD);
    tf_segment_close(&rs);
    assert_int_equal(tf_segment_recover(&seg, path, &l), 0);
    assert_int_equal(tf_journal_recover(&j, &seg), 0);
    assert_int_equal(tf_journal_head(&j), 1500);
    tf_segment_close(&seg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tdir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_checks),
        cmocka_unit_test(test_append_read_positions),
        cmocka_unit_test(test_lap_detected_single_process),
        cmocka_unit_test(test_lap_detected_across_processes),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_disk_recovery),
    };
    return cmocka_run_group_tests(tests, setup, test_dir_remove);
}

/* Segments in a shared directory that someone else may have written into:
 * planted symlinks, FIFOs and other users' files are refused at create and
 * at attach (shm/segment.h, OWNERSHIP), the engine's own link to a disk
 * journal still works, and tf_segment_attach refuses a segment whose header
 * fields do not add up (tf_segment_validate: state table, limits, stats
 * directory, journal descriptor) with a message naming the field.
 *
 * The other-owner cases chown to uid 65534 (nobody) and need root, as CI
 * runs; without root only those parts are skipped, with a note. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm/catalog.h"
#include "shm/err.h"
#include "shm/journal.h"
#include "shm/orders.h"
#include "shm/records.h"
#include "shm/segment.h"
#include "shm/state.h"
#include "shm/stats.h"
#include "tests/test_util.h"

#define NOBODY 65534

static char g_path[256];
static int g_n;

static void assert_msg_has(const char *want)
{
    if (!strstr(tf_err_msg(), want))
        fail_msg("message \"%s\" lacks \"%s\"", tf_err_msg(), want);
}

static int setup(void **state)
{
    (void)state;
    unsetenv("TRADEFAN_ENGINE_UID");
    snprintf(g_path, sizeof g_path, "%s/tradefan.g.seg%d", test_dir, g_n++);
    return 0;
}

static bool as_root(const char *what)
{
    if (geteuid() == 0)
        return true;
    printf("note: not root, skipping the other-owner part of %s\n", what);
    return false;
}

/* A published state segment: a 16-slot table, and limits when asked. */
static void make_state(tf_segment *w, const char *path, bool limits)
{
    tf_seg_layout l;
    memset(&l, 0, sizeof l);
    l.kind = TF_SEG_KIND_STATE;
    l.region_count = limits ? 2 : 1;
    l.regions[0].name = TF_REGION_STATE;
    l.regions[0].length = tf_state_region_size(16);
    l.regions[1].name = TF_REGION_LIMITS;
    l.regions[1].length = sizeof(tf_limits_slot);
    if (tf_segment_create(w, path, "g", "state", &l, 0600, TF_STALE_ACTION_REPLACE) != 0)
        fail_msg("create %s: %s", path, tf_err_msg());
    tf_state_table *t = tf_segment_region(w, TF_REGION_STATE, NULL);
    assert_non_null(t);
    tf_state_table_init(t, 16);
    assert_non_null(tf_state_claim(t, TF_STATE_ENGINE, "engine"));
    assert_int_equal(tf_segment_publish(w), 0);
}

static void test_planted_symlink_refused_at_create_and_attach(void **state)
{
    (void)state;
    char target[300];
    snprintf(target, sizeof target, "%s.victim", g_path);
    int fd = open(target, O_CREAT | O_WRONLY, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(symlink(target, g_path), 0);
    if (as_root("the planted symlink")) {
        /* Someone else's link under our name. */
        assert_int_equal(lchown(g_path, NOBODY, NOBODY), 0);
        tf_segment s;
        tf_err_clear();
        assert_int_equal(tf_segment_attach(&s, g_path, 0), TF_SEG_FOREIGN);
        assert_msg_has("symlink owned by uid 65534");
        tf_seg_layout l = {.kind = TF_SEG_KIND_STATE, .region_count = 1};
        l.regions[0].name = TF_REGION_STATE;
        l.regions[0].length = tf_state_region_size(4);
        tf_err_clear();
        assert_int_equal(tf_segment_create(&s, g_path, "g", "state", &l, 0600, TF_STALE_ACTION_REPLACE), -1);
        assert_msg_has("owned by uid 65534");
        assert_msg_has(g_path);
        struct stat st;
        assert_int_equal(lstat(g_path, &st), 0); /* left alone, not replaced */
        assert_true(S_ISLNK(st.st_mode));
        assert_int_equal(stat(target, &st), 0); /* the victim untouched */
        assert_int_equal(st.st_size, 0);
    }
    /* A link to a link is never followed, whoever owns it. */
    unlink(g_path);
    char hop[300];
    snprintf(hop, sizeof hop, "%s.hop", g_path);
    assert_int_equal(symlink(target, hop), 0);
    assert_int_equal(symlink(hop, g_path), 0);
    tf_segment s;
    assert_int_equal(tf_segment_attach(&s, g_path, 0), TF_SEG_FOREIGN);
    assert_msg_has("itself a symlink");
    unlink(hop);
    unlink(target);
}

/* The engine links a disk-backed journal into shm_dir: its own link, to an
 * absolute path, is followed one level. */
static void test_own_link_to_disk_journal_still_attaches(void **state)
{
    (void)state;
    char file[300];
    snprintf(file, sizeof file, "%s.journal", g_path);
    tf_segment w, r;
    tf_seg_layout l;
    tf_journal j;
    tf_journal_layout(&l, 16, 64);
    assert_int_equal(tf_segment_create(&w, file, "g", "md", &l, 0600, TF_STALE_ACTION_REPLACE), 0);
    assert_int_equal(tf_journal_init(&j, &w, "md", 16, 64), 0);
    assert_int_equal(tf_segment_publish(&w), 0);
    assert_int_equal(symlink(file, g_path), 0);
    assert_int_equal(tf_segment_attach(&r, g_path, TF_SEG_KIND_JOURNAL), TF_SEG_OK);
    tf_segment_close(&r);
    /* A relative link is not one the engine makes. */
    unlink(g_path);
    assert_int_equal(symlink(strrchr(file, '/') + 1, g_path), 0);
    assert_int_equal(tf_segment_attach(&r, g_path, TF_SEG_KIND_JOURNAL), TF_SEG_FOREIGN);
    unlink(g_path);
    tf_segment_close(&w);
    unlink(file);
}

static void test_other_owner_refused(void **state)
{
    (void)state;
    tf_segment w, r;
    make_state(&w, g_path, false);
    tf_segment_close(&w);
    assert_int_equal(tf_segment_attach(&r, g_path, TF_SEG_KIND_STATE), TF_SEG_OK);
    tf_segment_close(&r);
    if (!as_root("test_other_owner_refused"))
        return;
    assert_int_equal(chown(g_path, NOBODY, NOBODY), 0);
    tf_err_clear();
    assert_int_equal(tf_segment_attach(&r, g_path, TF_SEG_KIND_STATE), TF_SEG_FOREIGN);
    char want[320];
    snprintf(want, sizeof want, "segment %s is owned by uid 65534, not the engine's user", g_path);
    assert_msg_has(want);
    /* Tools of another user than the engine name the engine's uid. */
    setenv("TRADEFAN_ENGINE_UID", "65534", 1);
    assert_int_equal(tf_segment_attach(&r, g_path, TF_SEG_KIND_STATE), TF_SEG_OK);
    tf_segment_close(&r);
    setenv("TRADEFAN_ENGINE_UID", "65534x", 1); /* not a uid: ignored */
    assert_int_equal(tf_segment_attach(&r, g_path, TF_SEG_KIND_STATE), TF_SEG_FOREIGN);
    unsetenv("TRADEFAN_ENGINE_UID");
    /* The creator refuses to start over it, naming the owner and the path. */
    tf_err_clear();
    tf_seg_layout l = {.kind = TF_SEG_KIND_STATE, .region_count = 1};
    l.regions[0].name = TF_REGION_STATE;
    l.regions[0].length = tf_state_region_size(4);
    assert_int_equal(tf_segment_create(&w, g_path, "g", "state", &l, 0600, TF_STALE_ACTION_REPLACE), -1);
    assert_msg_has("owned by uid 65534");
    assert_msg_has(g_path);
    struct stat st;
    assert_int_equal(stat(g_path, &st), 0);
    assert_int_equal(st.st_uid, NOBODY); /* still there, not replaced */
    /* Nor does it recover (take over) another user's file. */
    setenv("TRADEFAN_ENGINE_UID", "65534", 1);
    assert_int_equal(tf_segment_recover(&w, g_path, &l), -1);
    unsetenv("TRADEFAN_ENGINE_UID");
    unlink(g_path);
}

static void test_not_a_regular_file_refused(void **state)
{
    (void)state;
    assert_int_equal(mkfifo(g_path, 0600), 0);
    tf_segment s;
    /* O_NONBLOCK: a planted FIFO cannot hang the reader in open(). */
    assert_int_equal(tf_segment_attach(&s, g_path, 0), TF_SEG_FOREIGN);
    assert_msg_has("not a regular file");
    tf_seg_layout l = {.kind = TF_SEG_KIND_STATE, .region_count = 1};
    l.regions[0].name = TF_REGION_STATE;
    l.regions[0].length = tf_state_region_size(4);
    assert_int_equal(tf_segment_create(&s, g_path, "g", "state", &l, 0600, TF_STALE_ACTION_REPLACE), -1);
    assert_msg_has("not a regular file");
    unlink(g_path);
}

/* ---- validation at attach -------------------------------------------------- */

static void expect_corrupt(const char *path, uint32_t kind, const char *why)
{
    tf_segment r;
    tf_err_clear();
    tf_seg_status st = tf_segment_attach(&r, path, kind);
    if (st != TF_SEG_CORRUPT)
        fail_msg("attach: %s (%s), expected corrupt: %s", tf_seg_status_name(st), tf_err_msg(), why);
    assert_msg_has(why);
}

static void test_state_table_must_fit_its_region(void **state)
{
    (void)state;
    tf_segment w;
    make_state(&w, g_path, true);
    tf_state_table *t = tf_segment_region(&w, TF_REGION_STATE, NULL);
    t->slot_capacity = 17; /* one more than the region holds */
    t->slot_count = 17;
    expect_corrupt(g_path, TF_SEG_KIND_STATE, "claims 17 slots but its region holds 16");
    t->slot_capacity = 16;
    expect_corrupt(g_path, TF_SEG_KIND_STATE, "counts 17 slots of 16");
    t->slot_count = 1;
    memset(t->slots[0].key, 'k', TF_STATE_KEY);
    expect_corrupt(g_path, TF_SEG_KIND_STATE, "unterminated key");
    t->slots[0].key[0] = 0;
    t->slots[0].length = TF_STATE_PAYLOAD + 8;
    expect_corrupt(g_path, TF_SEG_KIND_STATE, "payload bytes");
    t->slots[0].length = 8;
    w.hdr->regions[1].length = sizeof(tf_limits_slot) - 8;
    expect_corrupt(g_path, TF_SEG_KIND_STATE, "less than one limits slot");
    w.hdr->regions[1].length = sizeof(tf_limits_slot);
    memset(w.hdr->regions[1].name, 'x', TF_SEG_NAME_MAX);
    expect_corrupt(g_path, TF_SEG_KIND_STATE, "unterminated name");
    strcpy(w.hdr->regions[1].name, TF_REGION_LIMITS);
    tf_segment r;
    assert_int_equal(tf_segment_attach(&r, g_path, TF_SEG_KIND_STATE), TF_SEG_OK);
    tf_segment_close(&r);
    tf_segment_close(&w);
}

static void test_stats_indices_must_fit(void **state)
{
    (void)state;
    tf_segment w;
    tf_stats st;
    tf_seg_layout l;
    tf_stats_layout(&l);
    assert_int_equal(tf_segment_create(&w, g_path, "g", "stats", &l, 0600, TF_STALE_ACTION_REPLACE), 0);
    assert_int_equal(tf_stats_init(&st, &w), 0);
    assert_non_null(tf_stats_counter(&st, 0, "c", "", TF_COUNTER));
    assert_int_equal(tf_stats_add_thread(&st, "t", -1, 0, 0), 0);
    assert_int_equal(tf_segment_publish(&w), 0);
    tf_segment r;
    assert_int_equal(tf_segment_attach(&r, g_path, TF_SEG_KIND_STATS), TF_SEG_OK);
    tf_segment_close(&r);

    uint32_t slot = st.dir->counters[0].slot;
    st.dir->counters[0].slot = TF_STATS_MAX_COUNTERS; /* one past the values region */
    expect_corrupt(g_path, TF_SEG_KIND_STATS, "names value slot 512");
    st.dir->counters[0].slot = slot;
    st.dir->counters[0].owner = TF_STATS_MAX_OWNERS;
    expect_corrupt(g_path, TF_SEG_KIND_STATS, "of owner 32");
    st.dir->counters[0].owner = 0;
    st.dir->threads[0].stage_count = 17;
    expect_corrupt(g_path, TF_SEG_KIND_STATS, "claims 17 stages");
    st.dir->threads[0].stage_count = 1;
    st.dir->threads[0].stages[0] = 200;
    expect_corrupt(g_path, TF_SEG_KIND_STATS, "polls stage 200");
    st.dir->threads[0].stages[0] = 0;
    st.errlog->owner_count = TF_ERRLOG_MAX_OWNERS + 1;
    expect_corrupt(g_path, TF_SEG_KIND_STATS, "error log claims 33 owners");
    st.errlog->owner_count = 1;
    st.dir->hist_count = TF_STATS_MAX_HISTS + 1;
    expect_corrupt(g_path, TF_SEG_KIND_STATS, "corrupt");
    st.dir->hist_count = 0;
    assert_int_equal(tf_segment_attach(&r, g_path, TF_SEG_KIND_STATS), TF_SEG_OK);
    tf_segment_close(&r);
    tf_segment_close(&w);
}

static void test_journal_must_fit_its_region(void **state)
{
    (void)state;
    tf_segment w;
    tf_seg_layout l;
    tf_journal j;
    tf_journal_layout(&l, 16, 128);
    assert_int_equal(tf_segment_create(&w, g_path, "g", "orders", &l, 0600, TF_STALE_ACTION_REPLACE), 0);
    assert_int_equal(tf_journal_init(&j, &w, "orders", 16, 128), 0);
    assert_int_equal(tf_segment_publish(&w), 0);
    tf_journal_desc *d = j.desc;
    d->capacity = 32; /* slots beyond the region */
    d->mask = 31;
    d->slots_length = 32 * 128;
    expect_corrupt(g_path, TF_SEG_KIND_JOURNAL, "corrupt descriptor");
    d->capacity = 16;
    d->mask = 15;
    d->slots_length = 16 * 128;
    /* Huge slots in a region that holds them: a reader's buffer would not. */
    d->capacity = 1;
    d->mask = 0;
    d->slot_size = 131072;
    d->slots_length = 131072;
    w.hdr->regions[0].length = sizeof *d + 131072;
    w.hdr->total_size = TF_SEG_HEADER_SIZE + sizeof *d + 131072; /* the file grows; w keeps its mapping */
    assert_int_equal(ftruncate(w.fd, (off_t)w.hdr->total_size), 0);
    expect_corrupt(g_path, TF_SEG_KIND_JOURNAL, "journal slots of 131072 bytes");
    tf_segment_close(&w);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
    if (test_dir_make("tf-test-guard") != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        T(test_planted_symlink_refused_at_create_and_attach),
        T(test_own_link_to_disk_journal_still_attaches),
        T(test_other_owner_refused),
        T(test_not_a_regular_file_refused),
        T(test_state_table_must_fit_its_region),
        T(test_stats_indices_must_fit),
        T(test_journal_must_fit_its_region),
    };
    int rc = cmocka_run_group_tests(tests, NULL, test_dir_remove);
    return rc;
}

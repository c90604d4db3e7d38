/* Segments: create/publish/attach round trip, every staged attach failure,
 * read-only mappings that really are, file modes regardless of umask, owner
 * liveness (live, closed, crashed, zombie, rebooted, pid reused), heartbeat
 * age, stale handling at create, and recovery of a dead owner's file.
 *
 * Every test gets its own directory (mkdtemp under /dev/shm, else /tmp) and
 * an instance name carrying the pid; the teardown kills and reaps any child
 * still tracked and removes the directory, also after a failed assertion.
 * Children never call cmocka: they report through their exit status. Every
 * wait is bounded in time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
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

#define WAIT_MS 10000
#define MAX_KIDS 8

/* ---- per-test fixture ---------------------------------------------------- */

static char g_dir[128];
static char g_inst[32];
static int g_seq;
static pid_t g_kids[MAX_KIDS];
static int g_kid_fds[MAX_KIDS];
static int g_saved_stderr = -1;
static mode_t g_umask;

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p) == 0 || errno == ENOENT ? 0 : -1;
}

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/dev/shm/tf-test-segment.%d.XXXXXX", (int)getpid());
    if (!mkdtemp(g_dir)) {
        snprintf(g_dir, sizeof g_dir, "/tmp/tf-test-segment.%d.XXXXXX", (int)getpid());
        if (!mkdtemp(g_dir))
            return -1;
    }
    snprintf(g_inst, sizeof g_inst, "ts%d-%d", (int)getpid(), g_seq++);
    for (int i = 0; i < MAX_KIDS; i++) {
        g_kids[i] = 0;
        g_kid_fds[i] = -1;
    }
    g_umask = umask(022);
    umask(g_umask);
    tf_err_clear();
    return 0;
}

static void stderr_restore(void)
{
    if (g_saved_stderr >= 0) {
        fflush(stderr);
        dup2(g_saved_stderr, STDERR_FILENO);
        close(g_saved_stderr);
        g_saved_stderr = -1;
    }
}

static int teardown(void **state)
{
    (void)state;
    stderr_restore();
    for (int i = 0; i < MAX_KIDS; i++) {
        if (g_kid_fds[i] >= 0)
            close(g_kid_fds[i]);
        g_kid_fds[i] = -1;
        if (g_kids[i] > 0) {
            kill(g_kids[i], SIGKILL);
            waitpid(g_kids[i], NULL, 0);
        }
        g_kids[i] = 0;
    }
    umask(g_umask);
    int rc = nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc == 0 ? 0 : -1;
}

static void seg_path(char *path, size_t cap, const char *name)
{
    assert_int_equal(tf_segment_path(path, cap, g_dir, g_inst, name), 0);
}

static void layout2(tf_seg_layout *l, uint32_t kind)
{
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->region_count = 2;
    l->regions[0].name = "alpha";
    l->regions[0].length = 100;
    l->regions[1].name = "beta";
    l->regions[1].length = 10000;
}

/* A fresh, published segment of ours. */
static void make_segment(tf_segment *seg, char *path, size_t cap, const char *name, uint32_t kind)
{
    seg_path(path, cap, name);
    tf_seg_layout l;
    layout2(&l, kind);
    if (tf_segment_create(seg, path, g_inst, name, &l, 0640, TF_STALE_ACTION_REFUSE) != 0)
        fail_msg("create %s: %s", path, tf_err_msg());
    if (tf_segment_publish(seg) != 0)
        fail_msg("publish %s: %s", path, tf_err_msg());
}

static void patch(const char *path, off_t off, const void *v, size_t n)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    assert_true(fd >= 0);
    ssize_t w = pwrite(fd, v, n, off);
    close(fd);
    assert_int_equal(w, (ssize_t)n);
}

static void patch_u32(const char *path, off_t off, uint32_t v) { patch(path, off, &v, sizeof v); }
static void patch_u64(const char *path, off_t off, uint64_t v) { patch(path, off, &v, sizeof v); }

static void write_file(const char *path, size_t len, int byte)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    char buf[512];
    memset(buf, byte, sizeof buf);
    size_t done = 0;
    while (done < len) {
        size_t n = len - done < sizeof buf ? len - done : sizeof buf;
        ssize_t w = write(fd, buf, n);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    close(fd);
    assert_int_equal(done, len);
}

/* Entries of g_dir whose name contains `needle` (NULL: all). */
static int count_files(const char *needle)
{
    DIR *d = opendir(g_dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (!needle || strstr(e->d_name, needle))
            n++;
    }
    closedir(d);
    return n;
}

static void assert_msg_has(const char *needle)
{
    if (!strstr(tf_err_msg(), needle))
        fail_msg("message \"%s\" does not contain \"%s\"", tf_err_msg(), needle);
}

/* Capture what the library prints on stderr between begin and end. */
static void stderr_capture_begin(void)
{
    char p[200];
    snprintf(p, sizeof p, "%s/stderr.capture", g_dir);
    fflush(stderr);
    int fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    g_saved_stderr = dup(STDERR_FILENO);
    assert_true(g_saved_stderr >= 0);
    dup2(fd, STDERR_FILENO);
    close(fd);
}

static void stderr_capture_end(char *out, size_t cap)
{
    stderr_restore();
    char p[200];
    snprintf(p, sizeof p, "%s/stderr.capture", g_dir);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    ssize_t n = read(fd, out, cap - 1);
    close(fd);
    unlink(p);
    out[n > 0 ? n : 0] = 0;
}

/* ---- children ------------------------------------------------------------- */

static void track_kid(pid_t pid, int fd)
{
    for (int i = 0; i < MAX_KIDS; i++)
        if (g_kids[i] == 0) {
            g_kids[i] = pid;
            g_kid_fds[i] = fd;
            return;
        }
    fail_msg("too many children");
}

static void untrack_kid(pid_t pid)
{
    for (int i = 0; i < MAX_KIDS; i++)
        if (g_kids[i] == pid) {
            if (g_kid_fds[i] >= 0)
                close(g_kid_fds[i]);
            g_kids[i] = 0;
            g_kid_fds[i] = -1;
        }
}

/* Reap `pid` within WAIT_MS; fails the test (the teardown kills it) if not. */
static int reap(pid_t pid)
{
    int status = 0;
    for (int i = 0; i < WAIT_MS; i++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            untrack_kid(pid);
            return status;
        }
        assert_int_equal(r, 0);
        usleep(1000);
    }
    fail_msg("child %d did not exit within %d ms", (int)pid, WAIT_MS);
    return -1;
}

/* Wait (bounded) until `pid` has exited but without reaping it: a zombie. */
static void wait_zombie(pid_t pid)
{
    siginfo_t si;
    for (int i = 0; i < WAIT_MS; i++) {
        memset(&si, 0, sizeof si);
        assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT), 0);
        if (si.si_pid == pid)
            return;
        usleep(1000);
    }
    fail_msg("child %d did not exit within %d ms", (int)pid, WAIT_MS);
}

static char read_byte_bounded(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = poll(&p, 1, WAIT_MS);
    if (r != 1)
        fail_msg("no word from child within %d ms", WAIT_MS);
    char c = 0;
    if (read(fd, &c, 1) != 1)
        fail_msg("child closed its pipe before reporting");
    return c;
}

enum { OWNER_EXIT = 0, OWNER_CLOSE, OWNER_HOLD };

#define MARK 42

/* A child creates and publishes a segment at `path` (alpha[0] = MARK), then:
 * OWNER_EXIT exits without closing (a crash as far as the segment can tell),
 * OWNER_CLOSE closes cleanly and exits, OWNER_HOLD stays alive blocked on a
 * pipe until the parent closes it or kills it. Returns after the segment is
 * published; for EXIT/CLOSE the child is not reaped unless `reap_it`. */
static pid_t child_owner(const char *path, const char *name, int how, bool reap_it)
{
    int ready[2], hold[2];
    assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
    assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(ready[0]);
        close(hold[1]);
        tf_seg_layout l;
        layout2(&l, TF_SEG_KIND_STATS);
        tf_segment w;
        if (tf_segment_create(&w, path, g_inst, name, &l, 0640, TF_STALE_ACTION_REPLACE) != 0 ||
            tf_segment_publish(&w) != 0) {
            (void)!write(ready[1], "E", 1);
            _exit(3);
        }
        uint8_t *a = tf_segment_region(&w, "alpha", NULL);
        if (!a)
            _exit(4);
        a[0] = MARK;
        if (how == OWNER_CLOSE)
            tf_segment_close(&w);
        (void)!write(ready[1], "R", 1);
        if (how == OWNER_HOLD) {
            char c;
            while (read(hold[0], &c, 1) < 0 && errno == EINTR) {
            }
        }
        _exit(0);
    }
    close(ready[1]);
    close(hold[0]);
    track_kid(pid, hold[1]);
    char c = read_byte_bounded(ready[0]);
    close(ready[0]);
    assert_int_equal(c, 'R');
    if (how != OWNER_HOLD && reap_it) {
        int st = reap(pid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
    }
    return pid;
}

static void kill_and_reap(pid_t pid)
{
    assert_int_equal(kill(pid, SIGKILL), 0);
    int st = reap(pid);
    assert_true(WIFSIGNALED(st));
}

static tf_seg_owner owner_of(const char *path)
{
    tf_segment r;
    tf_seg_status s = tf_segment_attach(&r, path, 0);
    if (s != TF_SEG_OK)
        fail_msg("attach %s: %s: %s", path, tf_seg_status_name(s), tf_err_msg());
    tf_seg_owner o = tf_segment_owner(&r, tf_now_ns(), NULL);
    tf_segment_close(&r);
    return o;
}

static uint8_t alpha0_of(const char *path)
{
    tf_segment r;
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_OK);
    uint8_t *a = tf_segment_region(&r, "alpha", NULL);
    assert_non_null(a);
    uint8_t v = a[0];
    tf_segment_close(&r);
    return v;
}

/* ---- names and paths -------------------------------------------------------- */

static void test_path_and_names(void **state)
{
    (void)state;
    char path[256];
    assert_int_equal(tf_segment_path(path, sizeof path, "/dev/shm", "dev", "stats"), 0);
    assert_string_equal(path, "/dev/shm/tradefan.dev.stats");
    char small[16];
    assert_int_equal(tf_segment_path(small, sizeof small, "/dev/shm", "dev", "stats"), -1);
    assert_msg_has("too long");

    for (int s = 0; s < TF_SEG_STATUS_COUNT; s++) {
        assert_true(strlen(tf_seg_status_name((tf_seg_status)s)) > 0);
        assert_string_not_equal(tf_seg_status_name((tf_seg_status)s), "?");
    }
    assert_string_equal(tf_seg_status_name(TF_SEG_STATUS_COUNT), "?");
    assert_string_equal(tf_seg_owner_name(TF_OWNER_LIVE), "live");
    assert_string_equal(tf_seg_owner_name(TF_OWNER_CLOSED), "closed");
    assert_string_equal(tf_seg_owner_name(TF_OWNER_DEAD), "dead");
    assert_string_equal(tf_seg_kind_name(TF_SEG_KIND_STATS), "stats");
    assert_string_equal(tf_seg_kind_name(TF_SEG_KIND_JOURNAL), "journal");
    assert_string_equal(tf_seg_kind_name(TF_SEG_KIND_COUNT), "unknown");
}

/* ---- create, publish, attach ------------------------------------------------ */

static void test_round_trip(void **state)
{
    (void)state;
    char path[256];
    tf_segment w, r;
    make_segment(&w, path, sizeof path, "rt", TF_SEG_KIND_STATE);
    assert_true(w.writable);
    assert_true(w.published);
    uint8_t *alpha = tf_segment_region(&w, "alpha", NULL);
    uint8_t *beta = tf_segment_region(&w, "beta", NULL);
    assert_non_null(alpha);
    assert_non_null(beta);
    memset(alpha, 0x11, 100);
    memset(beta, 0xab, 10000);

    assert_int_equal(tf_segment_attach(&r, path, TF_SEG_KIND_STATE), TF_SEG_OK);
    assert_false(r.writable);
    assert_int_equal(r.hdr->magic, TF_SEG_MAGIC);
    assert_int_equal(r.hdr->layout_version, TF_LAYOUT_VERSION);
    assert_int_equal(r.hdr->kind, TF_SEG_KIND_STATE);
    assert_int_equal(r.hdr->header_size, TF_SEG_HEADER_SIZE);
    assert_int_equal(r.hdr->region_count, 2);
    assert_string_equal(r.hdr->instance, g_inst);
    assert_string_equal(r.hdr->segment, "rt");
    assert_int_equal(r.hdr->owner_pid, getpid());
    assert_int_equal(r.hdr->owner_state, TF_OWNER_STATE_LIVE);
    assert_true(r.hdr->owner_start_ticks > 0);
    assert_true(r.hdr->created_realtime_ns > 0);
    /* Header page + alpha rounded to a page + beta rounded to pages. */
    assert_int_equal(r.hdr->total_size, 4096 + 4096 + 12288);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal((uint64_t)st.st_size, r.hdr->total_size);
    assert_int_equal(r.size, r.hdr->total_size);

    uint64_t len = 0;
    uint8_t *ra = tf_segment_region(&r, "alpha", &len);
    assert_non_null(ra);
    assert_int_equal(len, 100);
    assert_int_equal(ra - r.base, 4096);
    assert_int_equal(ra[0], 0x11);
    assert_int_equal(ra[99], 0x11);
    uint8_t *rb = tf_segment_region(&r, "beta", &len);
    assert_non_null(rb);
    assert_int_equal(len, 10000);
    assert_int_equal(rb - r.base, 8192);
    assert_int_equal((uintptr_t)(rb - r.base) % TF_SEG_REGION_ALIGN, 0);
    assert_int_equal(rb[0], 0xab);
    assert_int_equal(rb[9999], 0xab);
    assert_non_null(tf_segment_region(&r, "beta", NULL)); /* length is optional */

    uint64_t age = UINT64_MAX;
    assert_int_equal(tf_segment_owner(&r, tf_now_ns(), &age), TF_OWNER_LIVE);
    assert_true(age < 60ull * 1000000000ull);

    /* Writes by the owner after attach are seen through the reader's mapping. */
    beta[5000] = 0x5a;
    assert_int_equal(rb[5000], 0x5a);

    /* Published under its real name only: no temporary file is left behind. */
    assert_int_equal(count_files(".tmp."), 0);
    assert_int_equal(count_files(NULL), 1);

    tf_segment_close(&r);
    assert_null(r.base);
    tf_segment_close(&w);
    assert_null(w.base);
    tf_segment_close(&w); /* idempotent on a closed handle */
    assert_int_equal(owner_of(path), TF_OWNER_CLOSED);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_OK);
    assert_true(r.hdr->closed_realtime_ns >= r.hdr->created_realtime_ns);
    tf_segment_close(&r);
    assert_int_equal(tf_segment_unlink(path), 0);
    assert_int_equal(tf_segment_unlink(path), 0); /* already gone: fine */
    assert_int_equal(count_files(NULL), 0);
}

static void test_unpublished_close_leaves_no_files(void **state)
{
    (void)state;
    char path[256];
    seg_path(path, sizeof path, "unpub");
    tf_seg_layout l;
    layout2(&l, TF_SEG_KIND_STATS);
    tf_segment w, r;
    assert_int_equal(tf_segment_create(&w, path, g_inst, "unpub", &l, 0640, TF_STALE_ACTION_REFUSE), 0);
    /* Built under a temporary name; the real name does not exist yet. */
    assert_int_equal(count_files(".tmp."), 1);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_NOT_THERE);
    tf_segment_close(&w);
    assert_int_equal(count_files(NULL), 0);

    tf_segment z;
    memset(&z, 0, sizeof z);
    z.fd = -1;
    tf_segment_close(&z); /* safe on a zeroed handle */
}

static void test_create_rejects_bad_layouts(void **state)
{
    (void)state;
    char path[256];
    seg_path(path, sizeof path, "bad");
    tf_segment w;
    tf_seg_layout l;
    layout2(&l, TF_SEG_KIND_STATS);
    l.region_count = TF_SEG_MAX_REGIONS + 1;
    assert_int_equal(tf_segment_create(&w, path, g_inst, "bad", &l, 0640, TF_STALE_ACTION_REFUSE), -1);
    assert_msg_has("at most");

    layout2(&l, TF_SEG_KIND_STATS);
    l.regions[1].name = "a_region_name_that_is_too_long";
    assert_int_equal(tf_segment_create(&w, path, g_inst, "bad", &l, 0640, TF_STALE_ACTION_REFUSE), -1);
    assert_msg_has("too long");

    layout2(&l, TF_SEG_KIND_STATS);
    l.regions[0].name = NULL;
    assert_int_equal(tf_segment_create(&w, path, g_inst, "bad", &l, 0640, TF_STALE_ACTION_REFUSE), -1);
    assert_msg_has("no name");

    char nodir[300];
    snprintf(nodir, sizeof nodir, "%s/missing/tradefan.%s.bad", g_dir, g_inst);
    layout2(&l, TF_SEG_KIND_STATS);
    assert_int_equal(tf_segment_create(&w, nodir, g_inst, "bad", &l, 0640, TF_STALE_ACTION_REFUSE), -1);
    assert_msg_has("missing");
    assert_int_equal(count_files(NULL), 0);
}

/* ---- staged attach failures --------------------------------------------------- */

static void test_attach_missing(void **state)
{
    (void)state;
    char path[256];
    seg_path(path, sizeof path, "nothing");
    tf_segment r;
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_NOT_THERE);
    assert_msg_has(path);
    assert_msg_has("does not exist");
    assert_null(r.base);
    assert_int_equal(tf_segment_attach_writable(&r, path, 0), TF_SEG_NOT_THERE);
    assert_int_equal(count_files(NULL), 0); /* attach never creates */
}

static void test_attach_wrong_magic(void **state)
{
    (void)state;
    char path[256];
    tf_segment r;
    static const size_t sizes[] = {4096, 8192, 20000};
    for (size_t i = 0; i < TF_ARRAY_LEN(sizes); i++) {
        snprintf(path, sizeof path, "%s/garbage%zu", g_dir, i);
        write_file(path, sizes[i], 'x');
        assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_WRONG_MAGIC);
        assert_msg_has("not a TradeFan segment");
        assert_msg_has(path);
        assert_null(r.base);
    }
    snprintf(path, sizeof path, "%s/zeros", g_dir);
    write_file(path, 8192, 0);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_WRONG_MAGIC);
}

static void test_attach_wrong_version(void **state)
{
    (void)state;
    char path[256];
    tf_segment w, r;
    make_segment(&w, path, sizeof path, "ver", TF_SEG_KIND_STATS);
    tf_segment_close(&w);
    const off_t off = offsetof(tf_seg_header, layout_version);

    patch_u32(path, off, (TF_LAYOUT_MAJOR + 1) << 16);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_WRONG_VERSION);
    assert_msg_has(path);
    char want[16];
    snprintf(want, sizeof want, "%u.0", TF_LAYOUT_MAJOR + 1);
    assert_msg_has(want);    /* what the file has */
    snprintf(want, sizeof want, "%u.x", TF_LAYOUT_MAJOR);
    assert_msg_has(want);    /* what this program reads */
    assert_null(r.base);

    patch_u32(path, off, (7u << 16) | 3u);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_WRONG_VERSION);
    assert_msg_has("7.3");

    /* Another minor version of the same major is readable. */
    patch_u32(path, off, (TF_LAYOUT_MAJOR << 16) | 9u);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_OK);
    tf_segment_close(&r);
}

/* A file of an older layout major is taken over by recover only when the
 * layout says its records are unchanged since (compat_major), and then
 * carries the current version; attach never takes one. */
static void test_recover_takes_over_a_compatible_older_major(void **state)
{
    (void)state;
    char path[256];
    tf_segment w, r;
    make_segment(&w, path, sizeof path, "compat", TF_SEG_KIND_STATS);
    tf_segment_close(&w);
    const off_t off = offsetof(tf_seg_header, layout_version);
    patch_u32(path, off, (TF_LAYOUT_MAJOR - 1) << 16);
    tf_seg_layout l;
    layout2(&l, TF_SEG_KIND_STATS);
    assert_int_equal(tf_segment_recover(&r, path, &l), -1); /* not said to be compatible */
    assert_msg_has("wrong version");
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_WRONG_VERSION);
    l.compat_major = TF_LAYOUT_MAJOR - 1;
    assert_int_equal(tf_segment_recover(&r, path, &l), 0);
    assert_int_equal(r.hdr->layout_version, TF_LAYOUT_VERSION);
    tf_segment_close(&r);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_OK); /* the file is of this layout now */
    tf_segment_close(&r);
    /* Older than the compatible one: refused. */
    patch_u32(path, off, (TF_LAYOUT_MAJOR - 2) << 16);
    assert_int_equal(tf_segment_recover(&r, path, &l), -1);
}

static void test_attach_not_ready(void **state)
{
    (void)state;
    char path[256];
    tf_segment w, r;
    make_segment(&w, path, sizeof path, "nr", TF_SEG_KIND_STATS);
    tf_segment_close(&w);
    patch_u32(path, offsetof(tf_seg_header, layout_version), 0);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_NOT_READY);
    assert_msg_has(path);
    assert_msg_has("not finished");
    assert_null(r.base);
}

static void test_attach_truncated(void **state)
{
    (void)state;
    char path[256];
    tf_segment w, r;

    /* Files shorter than a header, including an empty one. */
    static const size_t shorts[] = {0, 5, 100, TF_SEG_HEADER_SIZE - 1};
    for (size_t i = 0; i < TF_ARRAY_LEN(shorts); i++) {
        snprintf(path, sizeof path, "%s/short%zu", g_dir, i);
        write_file(path, shorts[i], 'T');
        assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_TRUNCATED);
        assert_msg_has("shorter than a segment header");
        assert_null(r.base);
    }

    /* A real segment whose header declares more than the file holds. */
    make_segment(&w, path, sizeof path, "tr", TF_SEG_KIND_STATS);
    uint64_t total = w.hdr->total_size;
    tf_segment_close(&w);
    patch_u64(path, offsetof(tf_seg_header, total_size), total + 4096);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_TRUNCATED);
    assert_msg_has("declares");
    assert_null(r.base);

    /* The same, by cutting the file (a copy that stopped half-way). */
    patch_u64(path, offsetof(tf_seg_header, total_size), total);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_OK);
    tf_segment_close(&r);
    assert_int_equal(truncate(path, TF_SEG_HEADER_SIZE + 4096), 0);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_TRUNCATED);
    assert_msg_has("declares");
}

static void test_attach_wrong_kind(void **state)
{
    (void)state;
    char path[256];
    tf_segment w, r;
    make_segment(&w, path, sizeof path, "kind", TF_SEG_KIND_STATS);
    assert_int_equal(tf_segment_attach(&r, path, TF_SEG_KIND_JOURNAL), TF_SEG_WRONG_KIND);
    assert_msg_has("is a stats segment, expected journal");
    assert_null(r.base);
    assert_int_equal(tf_segment_attach(&r, path, TF_SEG_KIND_STATS), TF_SEG_OK);
    tf_segment_close(&r);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_OK); /* 0 accepts any */
    tf_segment_close(&r);
    tf_segment_close(&w);
}

static void test_region_missing_or_outside(void **state)
{
    (void)state;
    char path[256];
    tf_segment w, r;
    make_segment(&w, path, sizeof path, "reg", TF_SEG_KIND_STATS);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_OK);
    uint64_t len = 77;
    assert_null(tf_segment_region(&r, "gamma", &len));
    assert_int_equal(len, 77); /* untouched on failure */
    assert_msg_has("no region 'gamma'");
    assert_msg_has(path);
    assert_null(tf_segment_region(&r, "alph", NULL)); /* no prefix matching */
    assert_null(tf_segment_region(&r, "alphabet", NULL));
    tf_segment_close(&r);

    /* A region table that points outside the file is refused, not followed:
     * attach refuses the segment (tf_segment_validate), and a region lookup
     * on a handle that was mapped before the damage refuses the region. */
    w.hdr->regions[1].offset = w.hdr->total_size;
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_CORRUPT);
    assert_msg_has("outside");
    assert_null(tf_segment_region(&w, "beta", NULL));
    assert_msg_has("outside");
    w.hdr->regions[1].offset = 8192;
    w.hdr->regions[1].length = w.hdr->total_size; /* longer than what follows */
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_CORRUPT);
    assert_msg_has("outside");
    assert_null(tf_segment_region(&w, "beta", NULL));
    assert_msg_has("outside");
    w.hdr->regions[1].length = 10000;
    w.hdr->regions[0].offset = 0; /* would alias the header */
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_CORRUPT);
    assert_null(tf_segment_region(&w, "alpha", NULL));
    assert_non_null(tf_segment_region(&w, "beta", NULL));
    tf_segment_close(&w);
}

/* ---- read-only really is -------------------------------------------------------- */

static void test_read_only_mapping_faults_on_write(void **state)
{
    (void)state;
    char path[256];
    tf_segment w;
    make_segment(&w, path, sizeof path, "ro", TF_SEG_KIND_STATE);
    uint8_t *beta = tf_segment_region(&w, "beta", NULL);
    assert_non_null(beta);
    beta[0] = 7;

    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Default actions, so the fault kills the child (cmocka and the
         * sanitizers install handlers of their own). */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = SIG_DFL;
        sigaction(SIGSEGV, &sa, NULL);
        sigaction(SIGBUS, &sa, NULL);
        tf_segment r;
        if (tf_segment_attach(&r, path, 0) != TF_SEG_OK)
            _exit(3);
        uint8_t *p = tf_segment_region(&r, "beta", NULL);
        if (!p || p[0] != 7)
            _exit(4);
        *(volatile uint8_t *)p = 1; /* must fault */
        _exit(0);
    }
    track_kid(pid, -1);
    int st = reap(pid);
    if (!WIFSIGNALED(st))
        fail_msg("child was not killed: exit status %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    if (WTERMSIG(st) != SIGSEGV && WTERMSIG(st) != SIGBUS)
        fail_msg("child killed by signal %d, expected SIGSEGV or SIGBUS", WTERMSIG(st));
    assert_int_equal(beta[0], 7); /* nothing got through */

    /* The writable attach (request-ring submitters) can write. */
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        tf_segment r;
        if (tf_segment_attach_writable(&r, path, TF_SEG_KIND_STATE) != TF_SEG_OK)
            _exit(3);
        uint8_t *p = tf_segment_region(&r, "beta", NULL);
        if (!p)
            _exit(4);
        p[1] = 99;
        tf_segment_close(&r); /* not the owner: must not mark it closed */
        _exit(0);
    }
    track_kid(pid, -1);
    st = reap(pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_int_equal(beta[1], 99);
    assert_int_equal(owner_of(path), TF_OWNER_LIVE);
    tf_segment_close(&w);
}

/* ---- permissions -------------------------------------------------------------- */

static void test_permissions_ignore_umask(void **state)
{
    (void)state;
    static const unsigned modes[] = {0640, 0640, 0600, 0600, 0660};
    static const mode_t masks[] = {0077, 0000, 0077, 0000, 0022};
    for (size_t i = 0; i < TF_ARRAY_LEN(modes); i++) {
        char path[256], name[16];
        snprintf(name, sizeof name, "perm%zu", i);
        seg_path(path, sizeof path, name);
        tf_seg_layout l;
        layout2(&l, TF_SEG_KIND_STATS);
        tf_segment w;
        mode_t old = umask(masks[i]);
        int rc = tf_segment_create(&w, path, g_inst, name, &l, modes[i], TF_STALE_ACTION_REFUSE);
        int rp = rc == 0 ? tf_segment_publish(&w) : -1;
        umask(old);
        if (rc != 0 || rp != 0)
            fail_msg("create %s: %s", path, tf_err_msg());
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        if ((st.st_mode & 07777) != modes[i])
            fail_msg("mode %04o with umask %04o: file has %04o", modes[i], (unsigned)masks[i],
                     (unsigned)(st.st_mode & 07777));
        tf_segment_close(&w);
        assert_int_equal(stat(path, &st), 0); /* close keeps the mode */
        assert_int_equal(st.st_mode & 07777, modes[i]);
    }
}

/* ---- owner liveness ------------------------------------------------------------- */

static void test_owner_dead_after_exit_without_close(void **state)
{
    (void)state;
    char path[256];
    seg_path(path, sizeof path, "crashy");
    child_owner(path, "crashy", OWNER_EXIT, true);
    assert_int_equal(owner_of(path), TF_OWNER_DEAD);
    assert_int_equal(alpha0_of(path), MARK);
}

/* An owner that died but has not been reaped yet by its parent is a zombie:
 * its pid still exists (kill(pid, 0) succeeds, /proc/<pid>/stat is there
 * with the same start time), but it is dead and will never close the segment. */
static void test_owner_dead_while_zombie(void **state)
{
    (void)state;
    char path[256];
    seg_path(path, sizeof path, "zombie");
    pid_t pid = child_owner(path, "zombie", OWNER_EXIT, false);
    wait_zombie(pid);
    tf_seg_owner o = owner_of(path);
    if (o != TF_OWNER_DEAD)
        fail_msg("owner exited (zombie, not yet reaped) but reported %s, expected dead",
                 tf_seg_owner_name(o));
    reap(pid);
    assert_int_equal(owner_of(path), TF_OWNER_DEAD);
}

static void test_owner_closed_after_clean_close(void **state)
{
    (void)state;
    char path[256];
    seg_path(path, sizeof path, "tidy");
    child_owner(path, "tidy", OWNER_CLOSE, true);
    assert_int_equal(owner_of(path), TF_OWNER_CLOSED);
    assert_int_equal(alpha0_of(path), MARK); /* msync'd, contents kept */
}

static void test_owner_live_then_killed(void **state)
{
    (void)state;
    char path[256];
    seg_path(path, sizeof path, "alive");
    pid_t pid = child_owner(path, "alive", OWNER_HOLD, false);
    assert_int_equal(owner_of(path), TF_OWNER_LIVE);
    tf_segment r;
    assert_int_equal(tf_segment_attach(&r, path, TF_SEG_KIND_STATS), TF_SEG_OK);
    assert_int_equal(r.hdr->owner_pid, pid);
    tf_segment_close(&r);
    kill_and_reap(pid);
    assert_int_equal(owner_of(path), TF_OWNER_DEAD);
}

/* Host rebooted since (boot id differs), pid reused (start time differs),
 * no pid at all: all dead, even though our own pid is alive. */
static void test_owner_boot_id_and_pid_reuse(void **state)
{
    (void)state;
    char path[256];
    tf_segment w;
    make_segment(&w, path, sizeof path, "reuse", TF_SEG_KIND_STATS);
    assert_int_equal(owner_of(path), TF_OWNER_LIVE);

    char boot[40];
    memcpy(boot, w.hdr->boot_id, sizeof boot);
    if (boot[0]) { /* (no /proc/sys/kernel/random/boot_id: nothing to compare) */
        tf_copy_name(w.hdr->boot_id, sizeof w.hdr->boot_id, "00000000-1111-2222-3333-444444444444");
        assert_int_equal(owner_of(path), TF_OWNER_DEAD);
        memcpy(w.hdr->boot_id, boot, sizeof boot);
        assert_int_equal(owner_of(path), TF_OWNER_LIVE);
    }

    uint64_t ticks = w.hdr->owner_start_ticks;
    w.hdr->owner_start_ticks = ticks + 12345;
    assert_int_equal(owner_of(path), TF_OWNER_DEAD);
    w.hdr->owner_start_ticks = ticks;

    int32_t pid = w.hdr->owner_pid;
    w.hdr->owner_pid = 0;
    assert_int_equal(owner_of(path), TF_OWNER_DEAD);
    w.hdr->owner_pid = -1;
    assert_int_equal(owner_of(path), TF_OWNER_DEAD);
    w.hdr->owner_pid = pid;
    assert_int_equal(owner_of(path), TF_OWNER_LIVE);
    tf_segment_close(&w);
    assert_int_equal(owner_of(path), TF_OWNER_CLOSED);
}

static void test_heartbeat_age(void **state)
{
    (void)state;
    char path[256];
    tf_segment w, r;
    make_segment(&w, path, sizeof path, "hb", TF_SEG_KIND_STATS);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_OK);
    uint64_t now = tf_now_ns();
    uint64_t age = 1;

    tf_segment_heartbeat(&w, now - 2500000000ull);
    assert_int_equal(tf_segment_owner(&r, now, &age), TF_OWNER_LIVE);
    assert_int_equal(age, 2500000000ull);

    tf_segment_heartbeat(&w, now);
    assert_int_equal(tf_segment_owner(&r, now + 1000, &age), TF_OWNER_LIVE);
    assert_int_equal(age, 1000);

    tf_segment_heartbeat(&w, now + 5000); /* ahead of the reader's clock */
    tf_segment_owner(&r, now, &age);
    assert_int_equal(age, 0);

    tf_segment_heartbeat(&w, 0); /* never beat */
    tf_segment_owner(&r, now, &age);
    assert_int_equal(age, 0);

    /* A dead owner's heartbeat keeps ageing: tools show how long ago. */
    tf_segment_heartbeat(&w, now - 7000000000ull);
    tf_segment_close(&w);
    assert_int_equal(tf_segment_owner(&r, now, &age), TF_OWNER_CLOSED);
    assert_int_equal(age, 7000000000ull);
    tf_segment_close(&r);
}

/* ---- stale handling in tf_segment_create ------------------------------------------ */

static void test_stale_crashed_refused(void **state)
{
    (void)state;
    char path[256];
    seg_path(path, sizeof path, "stale");
    pid_t pid = child_owner(path, "stale", OWNER_EXIT, true);
    tf_seg_layout l;
    layout2(&l, TF_SEG_KIND_STATS);
    tf_segment w;
    assert_int_equal(tf_segment_create(&w, path, g_inst, "stale", &l, 0640, TF_STALE_ACTION_REFUSE), -1);
    assert_msg_has("crashed");
    assert_msg_has(path);
    char pidtxt[32];
    snprintf(pidtxt, sizeof pidtxt, "pid %d", (int)pid);
    assert_msg_has(pidtxt);
    assert_null(w.base);
    /* Untouched: still the dead engine's file, contents and all, and no
     * half-made replacement lying around. */
    assert_int_equal(owner_of(path), TF_OWNER_DEAD);
    assert_int_equal(alpha0_of(path), MARK);
    assert_int_equal(count_files(NULL), 1);
    assert_int_equal(tf_segment_clear_existing(path, TF_STALE_ACTION_REFUSE), -1);
    assert_int_equal(count_files(NULL), 1);
}

static void test_stale_crashed_replaced(void **state)
{
    (void)state;
    char path[256];
    seg_path(path, sizeof path, "stale");
    child_owner(path, "stale", OWNER_EXIT, true);
    tf_seg_layout l;
    layout2(&l, TF_SEG_KIND_STATS);
    tf_segment w;
    char err[1024];
    stderr_capture_begin();
    int rc = tf_segment_create(&w, path, g_inst, "stale", &l, 0640, TF_STALE_ACTION_REPLACE);
    stderr_capture_end(err, sizeof err);
    if (rc != 0)
        fail_msg("create: %s", tf_err_msg());
    /* Replaced, but reported. */
    if (!strstr(err, "replacing") || !strstr(err, "crashed") || !strstr(err, path))
        fail_msg("stderr does not report the replacement: \"%s\"", err);
    assert_int_equal(tf_segment_publish(&w), 0);
    assert_int_equal(w.hdr->owner_pid, getpid());
    assert_int_equal(owner_of(path), TF_OWNER_LIVE);
    tf_segment r;
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_OK);
    assert_int_equal(r.hdr->owner_pid, getpid());
    tf_segment_close(&r);
    uint8_t *a = tf_segment_region(&w, "alpha", NULL);
    assert_non_null(a);
    assert_int_equal(a[0], 0); /* a new segment, not the old contents */
    assert_int_equal(count_files(".tmp."), 0);
    tf_segment_close(&w);
}

static void test_stale_live_owner_refused_even_with_replace(void **state)
{
    (void)state;
    char path[256];
    seg_path(path, sizeof path, "busy");
    pid_t pid = child_owner(path, "busy", OWNER_HOLD, false);
    tf_seg_layout l;
    layout2(&l, TF_SEG_KIND_STATS);
    tf_segment w;
    static const tf_stale_action acts[] = {TF_STALE_ACTION_REFUSE, TF_STALE_ACTION_REPLACE};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(tf_segment_create(&w, path, g_inst, "busy", &l, 0640, acts[i]), -1);
        assert_msg_has("running engine");
        char pidtxt[32];
        snprintf(pidtxt, sizeof pidtxt, "pid %d", (int)pid);
        assert_msg_has(pidtxt);
    }
    /* Still the live child's. */
    tf_segment r;
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_OK);
    assert_int_equal(r.hdr->owner_pid, pid);
    assert_int_equal(tf_segment_owner(&r, tf_now_ns(), NULL), TF_OWNER_LIVE);
    tf_segment_close(&r);
    assert_int_equal(alpha0_of(path), MARK);
    assert_int_equal(count_files(NULL), 1);
    kill_and_reap(pid);
}

static void test_stale_closed_replaced_silently(void **state)
{
    (void)state;
    char path[256];
    seg_path(path, sizeof path, "closed");
    child_owner(path, "closed", OWNER_CLOSE, true);
    assert_int_equal(owner_of(path), TF_OWNER_CLOSED);
    tf_seg_layout l;
    layout2(&l, TF_SEG_KIND_STATS);
    tf_segment w;
    char err[1024];
    stderr_capture_begin();
    int rc = tf_segment_create(&w, path, g_inst, "closed", &l, 0640, TF_STALE_ACTION_REFUSE);
    stderr_capture_end(err, sizeof err);
    if (rc != 0)
        fail_msg("create over a cleanly closed segment: %s", tf_err_msg());
    assert_string_equal(err, ""); /* silently */
    assert_int_equal(tf_segment_publish(&w), 0);
    assert_int_equal(owner_of(path), TF_OWNER_LIVE);
    assert_int_equal(alpha0_of(path), 0);
    tf_segment_close(&w);
}

/* A cleanly closed segment this build reads as corrupt (another build sized
 * its regions, as a minor version's larger stats directory does) is
 * replaced, saying so; a crashed one like it is still refused. */
static void test_stale_closed_other_build_replaced(void **state)
{
    (void)state;
    char path[256];
    seg_path(path, sizeof path, "otherbuild");
    child_owner(path, "otherbuild", OWNER_CLOSE, true);
    assert_int_equal(owner_of(path), TF_OWNER_CLOSED);
    patch_u64(path, offsetof(tf_seg_header, regions) + offsetof(tf_seg_region, length), 1ull << 40);
    tf_segment r;
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_CORRUPT);
    tf_seg_layout l;
    layout2(&l, TF_SEG_KIND_STATS);
    tf_segment w;
    char err[1024];
    stderr_capture_begin();
    int rc = tf_segment_create(&w, path, g_inst, "otherbuild", &l, 0640, TF_STALE_ACTION_REFUSE);
    stderr_capture_end(err, sizeof err);
    if (rc != 0)
        fail_msg("create over a closed segment of another build: %s", tf_err_msg());
    assert_non_null(strstr(err, "closed by an engine of layout"));
    assert_int_equal(tf_segment_publish(&w), 0);
    assert_int_equal(owner_of(path), TF_OWNER_LIVE);
    tf_segment_close(&w);

    seg_path(path, sizeof path, "otherbuild-crashed");
    child_owner(path, "otherbuild-crashed", OWNER_EXIT, true);
    patch_u64(path, offsetof(tf_seg_header, regions) + offsetof(tf_seg_region, length), 1ull << 40);
    assert_int_equal(tf_segment_create(&w, path, g_inst, "otherbuild-crashed", &l, 0640, TF_STALE_ACTION_REFUSE),
                     -1);
    assert_msg_has("unusable");
}

static void test_stale_unusable_file(void **state)
{
    (void)state;
    char path[256];
    seg_path(path, sizeof path, "junk");
    write_file(path, 5, 'j');
    tf_seg_layout l;
    layout2(&l, TF_SEG_KIND_STATS);
    tf_segment w;
    assert_int_equal(tf_segment_create(&w, path, g_inst, "junk", &l, 0640, TF_STALE_ACTION_REFUSE), -1);
    assert_msg_has("unusable");
    assert_msg_has("truncated");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 5); /* left alone */
    char err[1024];
    stderr_capture_begin();
    int rc = tf_segment_create(&w, path, g_inst, "junk", &l, 0640, TF_STALE_ACTION_REPLACE);
    stderr_capture_end(err, sizeof err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(err, "replacing"));
    assert_int_equal(tf_segment_publish(&w), 0);
    assert_int_equal(owner_of(path), TF_OWNER_LIVE);
    tf_segment_close(&w);
}

/* ---- recovery ------------------------------------------------------------------------ */

static void test_recover_dead_owner_keeps_contents(void **state)
{
    (void)state;
    char path[256];
    seg_path(path, sizeof path, "rec");
    child_owner(path, "rec", OWNER_EXIT, true);
    assert_int_equal(owner_of(path), TF_OWNER_DEAD);
    tf_seg_layout l;
    layout2(&l, TF_SEG_KIND_STATS);
    tf_segment w;
    if (tf_segment_recover(&w, path, &l) != 0)
        fail_msg("recover: %s", tf_err_msg());
    assert_true(w.writable);
    uint8_t *a = tf_segment_region(&w, "alpha", NULL);
    assert_non_null(a);
    assert_int_equal(a[0], MARK); /* contents kept */
    a[1] = MARK + 1;              /* and writable */
    assert_int_equal(w.hdr->owner_pid, getpid());
    assert_int_equal(owner_of(path), TF_OWNER_LIVE);
    tf_segment_close(&w);
    assert_int_equal(owner_of(path), TF_OWNER_CLOSED);

    /* A cleanly closed one recovers too (the restart after a clean stop). */
    assert_int_equal(tf_segment_recover(&w, path, &l), 0);
    a = tf_segment_region(&w, "alpha", NULL);
    assert_non_null(a);
    assert_int_equal(a[0], MARK);
    assert_int_equal(a[1], MARK + 1);
    tf_segment_close(&w);
    assert_int_equal(count_files(NULL), 1);
}

static void test_recover_other_layout_refused(void **state)
{
    (void)state;
    char path[256];
    seg_path(path, sizeof path, "recl");
    child_owner(path, "recl", OWNER_EXIT, true);
    tf_seg_layout l;
    tf_segment w;

    layout2(&l, TF_SEG_KIND_STATS);
    l.regions[1].length = 20000; /* other size */
    assert_int_equal(tf_segment_recover(&w, path, &l), -1);
    assert_msg_has("another layout");
    assert_null(w.base);

    layout2(&l, TF_SEG_KIND_STATS);
    l.region_count = 1; /* other region count */
    assert_int_equal(tf_segment_recover(&w, path, &l), -1);
    assert_msg_has("another layout");

    layout2(&l, TF_SEG_KIND_STATS);
    l.regions[1].name = "gamma"; /* same size, other name */
    assert_int_equal(tf_segment_recover(&w, path, &l), -1);
    assert_msg_has("differs");

    layout2(&l, TF_SEG_KIND_STATS);
    l.regions[0].length = 200; /* same pages, other length */
    assert_int_equal(tf_segment_recover(&w, path, &l), -1);
    assert_msg_has("differs");

    layout2(&l, TF_SEG_KIND_JOURNAL); /* other kind */
    assert_int_equal(tf_segment_recover(&w, path, &l), -1);
    assert_msg_has("cannot recover");
    assert_msg_has("wrong kind");

    /* None of the refusals touched the file. */
    assert_int_equal(owner_of(path), TF_OWNER_DEAD);
    assert_int_equal(alpha0_of(path), MARK);

    char missing[256];
    seg_path(missing, sizeof missing, "none");
    layout2(&l, TF_SEG_KIND_STATS);
    assert_int_equal(tf_segment_recover(&w, missing, &l), -1);
    assert_msg_has("not there");
    assert_int_equal(count_files(NULL), 1);
}

static void test_recover_live_owner_refused(void **state)
{
    (void)state;
    char path[256];
    seg_path(path, sizeof path, "recb");
    pid_t pid = child_owner(path, "recb", OWNER_HOLD, false);
    tf_seg_layout l;
    layout2(&l, TF_SEG_KIND_STATS);
    tf_segment w;
    assert_int_equal(tf_segment_recover(&w, path, &l), -1);
    assert_msg_has("running engine");
    assert_null(w.base);
    tf_segment r;
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_OK);
    assert_int_equal(r.hdr->owner_pid, pid);
    tf_segment_close(&r);
    kill_and_reap(pid);
    assert_int_equal(tf_segment_recover(&w, path, &l), 0); /* now it may */
    tf_segment_close(&w);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_path_and_names),
        T(test_round_trip),
        T(test_unpublished_close_leaves_no_files),
        T(test_create_rejects_bad_layouts),
        T(test_attach_missing),
        T(test_attach_wrong_magic),
        T(test_attach_wrong_version),
        T(test_recover_takes_over_a_compatible_older_major),
        T(test_attach_not_ready),
        T(test_attach_truncated),
        T(test_attach_wrong_kind),
        T(test_region_missing_or_outside),
        T(test_read_only_mapping_faults_on_write),
        T(test_permissions_ignore_umask),
        T(test_owner_dead_after_exit_without_close),
        T(test_owner_dead_while_zombie),
        T(test_owner_closed_after_clean_close),
        T(test_owner_live_then_killed),
        T(test_owner_boot_id_and_pid_reuse),
        T(test_heartbeat_age),
        T(test_stale_crashed_refused),
        T(test_stale_crashed_replaced),
        T(test_stale_live_owner_refused_even_with_replace),
        T(test_stale_closed_replaced_silently),
        T(test_stale_closed_other_build_replaced),
        T(test_stale_unusable_file),
        T(test_recover_dead_owner_keeps_contents),
        T(test_recover_other_layout_refused),
        T(test_recover_live_owner_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

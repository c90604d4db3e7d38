/* Segments: create/publish/attach, every staged attach failure, read-only
 * mappings that really are, permissions, owner liveness (live, closed,
 * crashed), stale handling at create, and recovery of a dead owner's file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm/err.h"
#include "tests/test_util.h"
#include "shm/segment.h"

static int seq;

static int setup(void **state)
{
    (void)state;
    return test_dir_make("tf-test-segment");
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

/* A fresh, published segment; its path in `path`. */
static void make_segment(tf_segment *seg, char *path, size_t cap, uint32_t kind)
{
    char name[32];
    snprintf(name, sizeof name, "s%d", seq++);
    assert_int_equal(tf_segment_path(path, cap, test_dir, "t", name), 0);
    tf_seg_layout l;
    layout2(&l, kind);
    if (tf_segment_create(seg, path, "t", name, &l, 0640, TF_STALE_ACTION_REFUSE) != 0)
        fail_msg("create: %s", tf_err_msg());
    assert_int_equal(tf_segment_publish(seg), 0);
}

static void patch_u32(const char *path, off_t off, uint32_t v)
{
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, &v, sizeof v, off), sizeof v);
    close(fd);
}

static void test_round_trip(void **state)
{
    (void)state;
    char path[256];
    tf_segment w, r;
    make_segment(&w, path, sizeof path, TF_SEG_KIND_STATE);
    uint8_t *beta = tf_segment_region(&w, "beta", NULL);
    assert_non_null(beta);
    memset(beta, 0xab, 10000);
    assert_int_equal(tf_segment_attach(&r, path, TF_SEG_KIND_STATE), TF_SEG_OK);
    uint64_t len = 0;
    uint8_t *rb = tf_segment_region(&r, "beta", &len);
    assert_non_null(rb);
    assert_int_equal(len, 10000);
    assert_int_equal(rb[9999], 0xab);
    assert_string_equal(r.hdr->instance, "t");
    assert_int_equal(r.hdr->layout_version, TF_LAYOUT_VERSION);
    assert_int_equal(r.hdr->owner_pid, getpid());
    assert_int_equal(((uintptr_t)rb - (uintptr_t)r.base) % TF_SEG_REGION_ALIGN, 0);
    assert_int_equal(tf_segment_owner(&r, tf_now_ns(), NULL), TF_OWNER_LIVE);
    assert_null(tf_segment_region(&r, "gamma", NULL));
    assert_non_null(strstr(tf_err_msg(), "no region 'gamma'"));
    /* No temporary file is left behind. */
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
    assert_int_equal(access(tmp, F_OK), -1);
    tf_segment_close(&r);
    tf_segment_close(&w);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_OK);
    assert_int_equal(tf_segment_owner(&r, tf_now_ns(), NULL), TF_OWNER_CLOSED);
    tf_segment_close(&r);
}

static void test_unpublished_leaves_nothing(void **state)
{
    (void)state;
    char path[256];
    assert_int_equal(tf_segment_path(path, sizeof path, test_dir, "t", "unpub"), 0);
    tf_seg_layout l;
    layout2(&l, TF_SEG_KIND_STATS);
    tf_segment w, r;
    assert_int_equal(tf_segment_create(&w, path, "t", "unpub", &l, 0640, TF_STALE_ACTION_REFUSE), 0);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_NOT_THERE); /* not yet in place */
    tf_segment_close(&w);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "ls %s | grep -q unpub", test_dir);
    assert_int_not_equal(system(cmd), 0);
}

static void test_staged_attach_failures(void **state)
{
    (void)state;
    tf_segment r;
    char path[256];
    snprintf(path, sizeof path, "%s/tradefan.none.stats", test_dir);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_NOT_THERE);
    assert_non_null(strstr(tf_err_msg(), path));

    /* Garbage of header size: not ours. */
    snprintf(path, sizeof path, "%s/garbage", test_dir);
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 8192; i++)
        fputc('x', f);
    fclose(f);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_WRONG_MAGIC);
    assert_non_null(strstr(tf_err_msg(), "not a TradeFan segment"));

    /* Shorter than a header. */
    snprintf(path, sizeof path, "%s/short", test_dir);
    f = fopen(path, "w");
    fputs("TFSEG", f);
    fclose(f);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_TRUNCATED);

    tf_segment w;
    make_segment(&w, path, sizeof path, TF_SEG_KIND_STATS);
    tf_segment_close(&w);
    assert_int_equal(tf_segment_attach(&r, path, TF_SEG_KIND_JOURNAL), TF_SEG_WRONG_KIND);
    assert_non_null(strstr(tf_err_msg(), "is a stats segment, expected journal"));

    patch_u32(path, offsetof(tf_seg_header, layout_version), 2u << 16);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_WRONG_VERSION);
    assert_non_null(strstr(tf_err_msg(), "2.0"));
    assert_non_null(strstr(tf_err_msg(), "reads 1.x"));

    patch_u32(path, offsetof(tf_seg_header, layout_version), 0);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_NOT_READY);

    /* Declares more than the file holds. */
    patch_u32(path, offsetof(tf_seg_header, layout_version), TF_LAYOUT_VERSION);
    assert_int_equal(truncate(path, TF_SEG_HEADER_SIZE + 4096), 0);
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_TRUNCATED);
    assert_non_null(strstr(tf_err_msg(), "declares"));
}

static void test_read_only_mapping_faults_on_write(void **state)
{
    (void)state;
    char path[256];
    tf_segment w;
    make_segment(&w, path, sizeof path, TF_SEG_KIND_STATE);
    pid_t pid = fork();
    if (pid == 0) {
        tf_segment r;
        if (tf_segment_attach(&r, path, 0) != TF_SEG_OK)
            _exit(3);
        uint8_t *p = tf_segment_region(&r, "beta", NULL);
        signal(SIGSEGV, SIG_DFL); /* cmocka catches it otherwise */
        signal(SIGBUS, SIG_DFL);
        *(volatile uint8_t *)p = 1; /* must fault */
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_true(WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS);
    tf_segment_close(&w);
}

static void test_permissions_ignore_umask(void **state)
{
    (void)state;
    static const unsigned modes[] = {0640, 0600, 0660};
    static const mode_t masks[] = {0077, 0000, 0022};
    for (int i = 0; i < 3; i++) {
        mode_t old = umask(masks[i]);
        char path[256], name[16];
        snprintf(name, sizeof name, "perm%d", i);
        assert_int_equal(tf_segment_path(path, sizeof path, test_dir, "t", name), 0);
        tf_seg_layout l;
        layout2(&l, TF_SEG_KIND_STATS);
        tf_segment w;
        assert_int_equal(tf_segment_create(&w, path, "t", name, &l, modes[i], TF_STALE_ACTION_REFUSE), 0);
        assert_int_equal(tf_segment_publish(&w), 0);
        umask(old);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, modes[i]);
        tf_segment_close(&w);
    }
}

/* A child creates a segment, then: 0 exits without closing, 1 closes, 2 waits. */
static pid_t child_owner(const char *path, int how, int *hold_fd)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        tf_seg_layout l;
        layout2(&l, TF_SEG_KIND_STATS);
        tf_segment w;
        const char *name = strrchr(path, '.') + 1;
        if (tf_segment_create(&w, path, "t", name, &l, 0640, TF_STALE_ACTION_REPLACE) != 0 ||
            tf_segment_publish(&w) != 0)
            _exit(3);
        uint8_t *a = tf_segment_region(&w, "alpha", NULL);
        a[0] = 42;
        if (how == 1)
            tf_segment_close(&w);
        if (how == 2) {
            char c;
            (void)!write(STDOUT_FILENO, "", 0);
            (void)!read(p[0], &c, 1); /* until the parent closes the pipe */
        }
        _exit(0);
    }
    close(p[0]);
    if (how == 2) {
        *hold_fd = p[1];
        for (int i = 0; i < 500 && access(path, F_OK) != 0; i++)
            usleep(10000);
    } else {
        close(p[1]);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    return pid;
}

static tf_seg_owner owner_of(const char *path)
{
    tf_segment r;
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_OK);
    tf_seg_owner o = tf_segment_owner(&r, tf_now_ns(), NULL);
    tf_segment_close(&r);
    return o;
}

static void test_owner_liveness(void **state)
{
    (void)state;
    char path[256];
    int hold = -1;
    assert_int_equal(tf_segment_path(path, sizeof path, test_dir, "t", "crashy"), 0);
    child_owner(path, 0, NULL);
    assert_int_equal(owner_of(path), TF_OWNER_DEAD);

    assert_int_equal(tf_segment_path(path, sizeof path, test_dir, "t", "tidy"), 0);
    child_owner(path, 1, NULL);
    assert_int_equal(owner_of(path), TF_OWNER_CLOSED);

    assert_int_equal(tf_segment_path(path, sizeof path, test_dir, "t", "alive"), 0);
    pid_t pid = child_owner(path, 2, &hold);
    assert_int_equal(owner_of(path), TF_OWNER_LIVE);
    uint64_t age = UINT64_MAX;
    tf_segment r;
    assert_int_equal(tf_segment_attach(&r, path, 0), TF_SEG_OK);
    tf_segment_owner(&r, tf_now_ns(), &age);
    assert_true(age < 60ull * 1000000000ull);
    tf_segment_close(&r);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(hold);
    assert_int_equal(owner_of(path), TF_OWNER_DEAD);
}

static void test_stale_handling_at_create(void **state)
{
    (void)state;
    char path[256];
    tf_seg_layout l;
    layout2(&l, TF_SEG_KIND_STATS);
    tf_segment w;
    int hold = -1;

    /* Crashed owner: refused, then replaced on request. */
    assert_int_equal(tf_segment_path(path, sizeof path, test_dir, "t", "stale"), 0);
    child_owner(path, 0, NULL);
    assert_int_equal(tf_segment_create(&w, path, "t", "stale", &l, 0640, TF_STALE_ACTION_REFUSE), -1);
    assert_non_null(strstr(tf_err_msg(), "crashed"));
    assert_int_equal(owner_of(path), TF_OWNER_DEAD); /* untouched */
    assert_int_equal(tf_segment_create(&w, path, "t", "stale", &l, 0640, TF_STALE_ACTION_REPLACE), 0);
    assert_int_equal(tf_segment_publish(&w), 0);
    assert_int_equal(owner_of(path), TF_OWNER_LIVE);
    uint8_t *a = tf_segment_region(&w, "alpha", NULL);
    assert_int_equal(a[0], 0); /* a new segment, not the old contents */
    tf_segment_close(&w);

    /* Cleanly closed: replaced without fuss. */
    assert_int_equal(tf_segment_create(&w, path, "t", "stale", &l, 0640, TF_STALE_ACTION_REFUSE), 0);
    tf_segment_close(&w);

    /* Live owner: refused even with replace. */
    assert_int_equal(tf_segment_path(path, sizeof path, test_dir, "t", "busy"), 0);
    pid_t pid = child_owner(path, 2, &hold);
    assert_int_equal(tf_segment_create(&w, path, "t", "busy", &l, 0640, TF_STALE_ACTION_REPLACE), -1);
    assert_non_null(strstr(tf_err_msg(), "running engine"));
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(hold);

    /* Not ours at all: refused unless replace. */
    snprintf(path, sizeof path, "%s/tradefan.t.junk", test_dir);
    FILE *f = fopen(path, "w");
    fputs("hello", f);
    fclose(f);
    assert_int_equal(tf_segment_create(&w, path, "t", "junk", &l, 0640, TF_STALE_ACTION_REFUSE), -1);
    assert_non_null(strstr(tf_err_msg(), "unusable"));
    assert_int_equal(tf_segment_create(&w, path, "t", "junk", &l, 0640, TF_STALE_ACTION_REPLACE), 0);
    tf_segment_close(&w);
}

static void test_recover_dead_owner(void **state)
{
    (void)state;
    char path[256];
    assert_int_equal(tf_segment_path(path, sizeof path, test_dir, "t", "rec"), 0);
    child_owner(path, 0, NULL);
    tf_seg_layout l;
    layout2(&l, TF_SEG_KIND_STATS);
    tf_segment w;
    if (tf_segment_recover(&w, path, &l) != 0)
        fail_msg("recover: %s", tf_err_msg());
    uint8_t *a = tf_segment_region(&w, "alpha", NULL);
    assert_int_equal(a[0], 42); /* contents kept */
    assert_int_equal(w.hdr->owner_pid, getpid());
    assert_int_equal(owner_of(path), TF_OWNER_LIVE);
    tf_segment_close(&w);

    l.regions[1].length = 20000; /* another layout */
    assert_int_equal(tf_segment_recover(&w, path, &l), -1);
    assert_non_null(strstr(tf_err_msg(), "another layout"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_unpublished_leaves_nothing),
        cmocka_unit_test(test_staged_attach_failures),
        cmocka_unit_test(test_read_only_mapping_faults_on_write),
        cmocka_unit_test(test_permissions_ignore_umask),
        cmocka_unit_test(test_owner_liveness),
        cmocka_unit_test(test_stale_handling_at_create),
        cmocka_unit_test(test_recover_dead_owner),
    };
    return cmocka_run_group_tests(tests, setup, test_dir_remove);
}

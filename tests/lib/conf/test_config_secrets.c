/* Secrets and who may read them (lib/conf/config_private.c): a secret file
 * or exchange.key_file readable or writable by group or others, or owned by
 * another user, is refused with its path and mode; a secret longer than the
 * caller's buffer is refused, not cut short; shm.mode may not let group or
 * others write the segments. (Kept apart from test_config.c, which is
 * about the YAML walk and already long.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/conf/config.h"
#include "shm/err.h"

static char dir[] = "/tmp/tf-secrets.XXXXXX";
static tf_config cfg;
static char err[512];

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* dir/name holding `text`, with `mode`; its path into path[128]. */
static void write_file(char *path, const char *name, const char *text, mode_t mode)
{
    snprintf(path, 128, "%s/%s", dir, name);
    unlink(path);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static int read_secret(const char *path, char *out, size_t cap)
{
    tf_cfg_secret s = {0};
    snprintf(s.file, sizeof s.file, "%s", path);
    tf_err_clear();
    return tf_config_secret_read(&s, out, cap);
}

static void test_secret_file_mode(void **state)
{
    (void)state;
    char path[128], out[256], want[200];
    write_file(path, "pw", "hunter2\n", 0600);
    assert_int_equal(read_secret(path, out, sizeof out), 0);
    assert_string_equal(out, "hunter2");
    write_file(path, "pw", "hunter2\n", 0400);
    assert_int_equal(read_secret(path, out, sizeof out), 0);
    /* group or others may read, or write: refused, naming path and mode */
    static const mode_t bad[] = {0644, 0640, 0604, 0620, 0602, 0660};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        write_file(path, "pw", "hunter2\n", bad[i]);
        assert_int_equal(read_secret(path, out, sizeof out), -1);
        snprintf(want, sizeof want, "secret file %s has mode 0%03o: group or others may read or write it", path,
                 (unsigned)bad[i]);
        if (!strstr(tf_err_msg(), want))
            fail_msg("'%s' does not say '%s'", tf_err_msg(), want);
        assert_string_equal(out, "");
    }
    /* a directory is not a secret file */
    assert_int_equal(read_secret(dir, out, sizeof out), -1);
}

/* Owned by another user (not this one, not root): refused. Needs root to
 * give the file away; skipped otherwise. */
static void test_secret_file_owner(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    char path[128], out[256];
    write_file(path, "theirs", "x\n", 0600);
    assert_int_equal(chown(path, 65534, 65534), 0);
    assert_int_equal(read_secret(path, out, sizeof out), -1);
    assert_non_null(strstr(tf_err_msg(), "is owned by uid 65534, not by this user"));
    assert_int_equal(tf_config_private_file_check(path, "exchange.key_file"), -1);
}

static void test_secret_too_long(void **state)
{
    (void)state;
    char path[128], out[256], text[400];
    memset(text, 'a', 300);
    strcpy(text + 300, "\n");
    write_file(path, "long", text, 0600);
    assert_int_equal(read_secret(path, out, sizeof out), -1);
    assert_non_null(strstr(tf_err_msg(), "the secret is longer than 255 bytes"));
    assert_string_equal(out, ""); /* nothing of it is left behind */
    /* 255 bytes fit a 256-byte buffer, with or without a line end (\n, \r\n) */
    static const char *const ends[] = {"", "\n", "\r\n", "\nsecond line\n"};
    for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
        memset(text, 'b', 255);
        strcpy(text + 255, ends[i]);
        write_file(path, "fits", text, 0600);
        assert_int_equal(read_secret(path, out, sizeof out), 0);
        assert_int_equal(strlen(out), 255);
    }
    /* 256 bytes do not */
    memset(text, 'c', 256);
    text[256] = 0;
    write_file(path, "over", text, 0600);
    assert_int_equal(read_secret(path, out, sizeof out), -1);
    /* empty, and missing */
    write_file(path, "empty", "\n", 0600);
    assert_int_equal(read_secret(path, out, sizeof out), -1);
    assert_non_null(strstr(tf_err_msg(), "is empty"));
    snprintf(path, sizeof path, "%s/missing", dir);
    assert_int_equal(read_secret(path, out, sizeof out), -1);
}

#define INS "instruments:\n  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: \"0.01\", lot_size: \"0.00001\"}\n"
#define XP "threads:\n  - {name: t, stages: [risk, oms, exio]}\n"

static int parse_key(const char *path)
{
    char y[1024];
    snprintf(y, sizeof y, "instance: x\n" INS "exchange: {logon: ed25519, key_file: %s, profile: binance}\n" XP,
             path);
    err[0] = 0;
    return tf_config_parse(y, strlen(y), "t.yaml", 2, &cfg, err, sizeof err);
}

/* exchange.key_file is checked when the config is read. */
static void test_key_file_at_config_time(void **state)
{
    (void)state;
    char path[128], want[400];
    write_file(path, "k.pem", "-----BEGIN PRIVATE KEY-----\n", 0600);
    assert_int_equal(parse_key(path), 0);
    assert_string_equal(cfg.exchange.key_file, path);
    write_file(path, "k.pem", "-----BEGIN PRIVATE KEY-----\n", 0644);
    assert_int_equal(parse_key(path), -1);
    snprintf(want, sizeof want, "t.yaml:4:38: exchange.key_file %s has mode 0644: group or others may read or write "
             "it (chmod 600 %s)", path, path);
    assert_string_equal(err, want);
    snprintf(path, sizeof path, "%s/none.pem", dir);
    assert_int_equal(parse_key(path), -1);
    assert_non_null(strstr(err, "exchange.key_file "));
    assert_non_null(strstr(err, "No such file or directory"));
}

static void test_shm_mode(void **state)
{
    (void)state;
    static const struct { const char *mode; int rc; } cases[] = {
        {"0640", 0}, {"0600", 0}, {"0644", 0}, {"0666", -1}, {"0660", -1}, {"0620", -1}, {"0602", -1},
        {"0777", -1}, {"\"0662\"", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char y[256];
        snprintf(y, sizeof y, "instance: x\nshm:\n  mode: %s\nthreads:\n  - name: t\n    stages: [synth_sink]\n",
                 cases[i].mode);
        err[0] = 0;
        int rc = tf_config_parse(y, strlen(y), "t.yaml", 2, &cfg, err, sizeof err);
        if (rc != cases[i].rc)
            fail_msg("shm.mode %s: rc %d (%s)", cases[i].mode, rc, err);
        if (rc != 0 && !strstr(err, "lets group or others write the shared memory (use 0640 or 0600)"))
            fail_msg("shm.mode %s: '%s'", cases[i].mode, err);
    }
    const char *y = "instance: x\nshm:\n  mode: 0666\nthreads:\n  - name: t\n    stages: [synth_sink]\n";
    assert_int_equal(tf_config_parse(y, strlen(y), "t.yaml", 2, &cfg, err, sizeof err), -1);
    assert_string_equal(err, "t.yaml:3:9: shm.mode 0666 lets group or others write the shared memory (use 0640 or 0600)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_file_mode),        cmocka_unit_test(test_secret_file_owner),
        cmocka_unit_test(test_secret_too_long),         cmocka_unit_test(test_key_file_at_config_time),
        cmocka_unit_test(test_shm_mode),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

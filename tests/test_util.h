/* Helpers shared by the test programs: a private segment directory per
 * test binary, removed afterwards (use as cmocka group setup/teardown). */
#ifndef TF_TEST_UTIL_H
#define TF_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>

static char test_dir[128];

/* mkdtemp under /dev/shm: "<prefix>.XXXXXX". */
static inline int test_dir_make(const char *prefix)
{
    snprintf(test_dir, sizeof test_dir, "/dev/shm/%s.XXXXXX", prefix);
    return mkdtemp(test_dir) ? 0 : -1;
}

/* A small file's text into buf (NUL-terminated, at most cap - 1 bytes);
 * -1 when it cannot be opened. */
static inline long test_read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = 0;
    fclose(f);
    return (long)n;
}

static inline int test_dir_remove(void **state)
{
    (void)state;
    char cmd[192];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", test_dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif

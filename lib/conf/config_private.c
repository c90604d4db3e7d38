/* Files that hold secrets (passwords, tokens, private keys): who may read
 * them, and reading one line of them without cutting it short. Cold path.
 *
 * The rule is ssh's for private keys: a regular file owned by the user the
 * process runs as (or root, for files an operator provisions), with no
 * permission at all for group or others. A secret readable by the ops
 * group is one that every tool user holds; we refuse it and say how to fix
 * it rather than read it. The checks run on the opened descriptor (fstat)
 * so what is checked is what is read. */
#include "lib/conf/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm/err.h"

static int tf__private_stat(const struct stat *st, const char *what, const char *path)
{
    if (!S_ISREG(st->st_mode))
        return TF_ERR("%s %s is not a regular file", what, path);
    if (st->st_uid != geteuid() && st->st_uid != 0)
        return TF_ERR("%s %s is owned by uid %u, not by this user (uid %u) or root", what, path,
                      (unsigned)st->st_uid, (unsigned)geteuid());
    if (st->st_mode & 077)
        return TF_ERR("%s %s has mode 0%03o: group or others may read or write it (chmod 600 %s)", what, path,
                      (unsigned)(st->st_mode & 0777), path);
    return 0;
}

int tf_config_private_file_check(const char *path, const char *what)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return TF_ERR("%s %s: %s", what, path, strerror(errno));
    return tf__private_stat(&st, what, path);
}

int tf_config_secret_read(const tf_cfg_secret *sec, char *out, size_t cap)
{
    out[0] = 0;
    if (sec->env[0]) {
        const char *v = getenv(sec->env);
        if (!v)
            return TF_ERR("environment variable %s is not set", sec->env);
        if (strlen(v) >= cap)
            return TF_ERR("environment variable %s is too long", sec->env);
        strcpy(out, v);
        return 0;
    }
    if (!sec->file[0])
        return 0;
    int fd = open(sec->file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return TF_ERR("secret file %s: %s", sec->file, strerror(errno));
    struct stat st;
    int rc = fstat(fd, &st) != 0 ? TF_ERR("secret file %s: %s", sec->file, strerror(errno))
                                  : tf__private_stat(&st, "secret file", sec->file);
    if (rc != 0) {
        close(fd);
        return -1;
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        return TF_ERR("secret file %s: %s", sec->file, strerror(errno));
    }
    /* The first line is the secret. One that does not fit `cap` would be
     * cut short and fail as a wrong password far from here: refuse it. */
    if (!fgets(out, (int)cap, f))
        out[0] = 0;
    size_t n = strcspn(out, "\r\n");
    bool too_long = false;
    if (out[n] == 0 && n + 1 == cap) {
        int ch = fgetc(f);
        too_long = ch != EOF && ch != '\n' && ch != '\r';
    }
    fclose(f);
    out[n] = 0;
    if (too_long) {
        memset(out, 0, cap);
        return TF_ERR("secret file %s: the secret is longer than %zu bytes", sec->file, cap - 1);
    }
    if (!out[0])
        return TF_ERR("secret file %s is empty", sec->file);
    return 0;
}

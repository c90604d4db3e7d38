/* Durable small-file replace; see durable.h. */
#include "shm/durable.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shm/err.h"

int tf_file_replace(const char *path, const void *data, size_t len)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return TF_ERR("path too long: %s", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return TF_ERR("%s: %s", tmp, strerror(errno));
    bool ok = write(fd, data, len) == (ssize_t)len && fdatasync(fd) == 0;
    int err = errno;
    close(fd);
    if (!ok || rename(tmp, path) != 0) {
        int why = ok ? errno : err;
        unlink(tmp);
        return TF_ERR("saving %s: %s", path, strerror(why));
    }
    return 0;
}

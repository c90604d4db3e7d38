/* Small state files that must survive a crash whole: written to
 * "<path>.tmp", synced, then renamed over <path>, so a reader finds the old
 * content or the new, never half of either. Cold path (blocks on the disk). */
#ifndef TF_SHM_DURABLE_H
#define TF_SHM_DURABLE_H

#include <stddef.h>

/* 0, or -1 with TF_ERR naming the file and the reason. */
int tf_file_replace(const char *path, const void *data, size_t len);

#endif

/* libFuzzer target: arbitrary bytes as a FIX sequence-store file
 * ("<dir>/<sender>-<target>.seq") opened by tf_fix_store_open from a temp
 * folder. It must refuse the file (with a message) or accept it, never
 * crash; an accepted store holds numbers above 0 and takes a message and a
 * reset like a fresh one. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fix/fix_store.h"
#include "shm/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[128];

static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/tf-fuzz-store.XXXXXX");
        if (!mkdtemp(dir))
            abort();
        snprintf(path, sizeof path, "%s/ENGINE-VENUE.seq", dir);
        atexit(cleanup);
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        abort();
    if (size && write(fd, data, size) != (ssize_t)size)
        abort();
    close(fd);
    tf_fix_store st;
    tf_err_clear();
    if (tf_fix_store_open(&st, dir, "ENGINE", "VENUE") != 0) {
        if (!tf_err_msg()[0])
            abort(); /* a refusal says why */
        return 0;
    }
    if (!st.seq || st.seq->next_out == 0 || st.seq->next_in == 0)
        abort();
    tf_fix_store_keep(&st, st.seq->next_out, "D", "11=1\0011=x\001", 10, 1);
    tf_fix_store_reset(&st);
    if (st.seq->next_out != 1 || st.seq->next_in != 1)
        abort();
    tf_fix_store_close(&st);
    return 0;
}

/* FIX session memory: the mapped sequence file and the ring of sent
 * application messages (see fix_store.h). Opening is cold (files, mmap);
 * keep/get are the hot path: copies into preallocated rings. */
#include "lib/fix/fix_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shm/err.h"

static int comp_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n >= TF_FIX_COMP_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (id[i] <= ' ' || id[i] == '/' || id[i] == '=' || (unsigned char)id[i] >= 0x7f)
            return 0;
    return 1;
}

static void seq_init(tf_fix_seq_file *f, const char *sender, const char *target)
{
    memset(f, 0, sizeof *f);
    f->version = TF_FIX_SEQ_VERSION;
    f->next_out = 1;
    f->next_in = 1;
    snprintf(f->sender, sizeof f->sender, "%s", sender);
    snprintf(f->target, sizeof f->target, "%s", target);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    f->created_realtime_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    f->magic = TF_FIX_SEQ_MAGIC;
}

static int map_seq_file(tf_fix_store *st, const char *dir, const char *sender, const char *target)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s-%s.seq", dir, sender, target);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return TF_ERR("cannot create the FIX store folder %s: %s", dir, strerror(errno));
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return TF_ERR("cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return TF_ERR("cannot stat %s: %s", path, strerror(errno));
    }
    bool fresh = sb.st_size == 0;
    if (fresh && ftruncate(fd, sizeof(tf_fix_seq_file)) != 0) {
        close(fd);
        return TF_ERR("cannot size %s: %s", path, strerror(errno));
    }
    if (!fresh && (size_t)sb.st_size != sizeof(tf_fix_seq_file)) {
        close(fd);
        return TF_ERR("%s is %lld bytes, not a TradeFan FIX sequence file (%zu bytes); move it away "
                      "to start the session from 1", path, (long long)sb.st_size, sizeof(tf_fix_seq_file));
    }
    void *p = mmap(NULL, sizeof(tf_fix_seq_file), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return TF_ERR("cannot map %s: %s", path, strerror(errno));
    tf_fix_seq_file *f = p;
    if (fresh) {
        seq_init(f, sender, target);
    } else if (f->magic != TF_FIX_SEQ_MAGIC || f->version != TF_FIX_SEQ_VERSION) {
        unsigned long long magic = f->magic; /* read before the unmap */
        unsigned version = f->version;
        munmap(p, sizeof *f);
        return TF_ERR("%s: not a version %u FIX sequence file (magic %llx, version %u)", path,
                      TF_FIX_SEQ_VERSION, magic, version);
    } else if (strncmp(f->sender, sender, sizeof f->sender) != 0 ||
               strncmp(f->target, target, sizeof f->target) != 0) {
        /* The names are read before the unmap: the message used to read
         * them after it (a crash at start instead of this message). */
        char who[2 * TF_FIX_COMP_ID_MAX + 2];
        snprintf(who, sizeof who, "%.32s-%.32s", f->sender, f->target);
        munmap(p, sizeof *f);
        return TF_ERR("%s belongs to session %s", path, who);
    } else if (f->next_out == 0 || f->next_in == 0) {
        munmap(p, sizeof *f);
        return TF_ERR("%s holds sequence number 0 (damaged)", path);
    }
    st->seq = f;
    st->map_len = sizeof *f;
    return 0;
}

int tf_fix_store_open(tf_fix_store *st, const char *dir, const char *sender, const char *target)
{
    memset(st, 0, sizeof *st);
    if (!comp_id_ok(sender) || !comp_id_ok(target))
        return TF_ERR("bad CompID '%s' or '%s' (1-%u printable characters, no '/' or '=')", sender, target,
                      TF_FIX_COMP_ID_MAX - 1);
    if (dir && dir[0]) {
        if (map_seq_file(st, dir, sender, target) != 0)
            return -1;
    } else {
        seq_init(&st->mem, sender, target);
        st->seq = &st->mem;
    }
    st->slots = calloc(TF_FIX_STORE_SLOTS, sizeof *st->slots);
    st->bytes = malloc(TF_FIX_STORE_BYTES);
    if (!st->slots || !st->bytes) {
        tf_fix_store_close(st);
        return TF_ERR("out of memory for the FIX resend store");
    }
    return 0;
}

void tf_fix_store_close(tf_fix_store *st)
{
    if (st->seq && st->seq != &st->mem) {
        msync(st->seq, st->map_len, MS_SYNC);
        munmap(st->seq, st->map_len);
    }
    free(st->slots);
    free(st->bytes);
    memset(st, 0, sizeof *st);
}

void tf_fix_store_reset(tf_fix_store *st)
{
    st->seq->next_out = 1;
    st->seq->next_in = 1;
    memset(st->slots, 0, TF_FIX_STORE_SLOTS * sizeof *st->slots);
}

void tf_fix_store_keep(tf_fix_store *st, uint64_t seq, const char *msg_type, const char *fields, size_t len,
                       uint64_t sent_wall_ns)
{
    tf_fix_stored *s = &st->slots[seq & (TF_FIX_STORE_SLOTS - 1)];
    if (len > TF_FIX_STORE_BYTES / 4) {
        s->seq = 0;
        return;
    }
    /* Contiguous: a message that would cross the end starts at the beginning. */
    uint64_t off = st->byte_head & (TF_FIX_STORE_BYTES - 1);
    if (off + len > TF_FIX_STORE_BYTES)
        st->byte_head += TF_FIX_STORE_BYTES - off;
    s->seq = seq;
    s->pos = st->byte_head;
    s->len = (uint32_t)len;
    s->sent_wall_ns = sent_wall_ns;
    memset(s->msg_type, 0, sizeof s->msg_type);
    memcpy(s->msg_type, msg_type, strnlen(msg_type, sizeof s->msg_type - 1));
    memcpy(st->bytes + (st->byte_head & (TF_FIX_STORE_BYTES - 1)), fields, len);
    st->byte_head += len;
}

const tf_fix_stored *tf_fix_store_get(const tf_fix_store *st, uint64_t seq, const char **fields)
{
    const tf_fix_stored *s = &st->slots[seq & (TF_FIX_STORE_SLOTS - 1)];
    if (seq == 0 || s->seq != seq || st->byte_head - s->pos > TF_FIX_STORE_BYTES)
        return NULL;
    *fields = st->bytes + (s->pos & (TF_FIX_STORE_BYTES - 1));
    return s;
}

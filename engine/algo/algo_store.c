/* The algo stage's store (see algo_store.h). */
#include "engine/algo/algo_store.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm/atomic.h"
#include "shm/err.h"

static const char tf__magic[8] = "TFALGO";

int tf_algo_store_open(tf_algo_store *s, const char *path, uint32_t capacity)
{
    memset(s, 0, sizeof *s);
    uint64_t len = sizeof(tf_algo_store_file) + (uint64_t)capacity * sizeof(tf_algo_store_rec);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return TF_ERR("orders.algo_store %s: %s", path, strerror(errno));
    struct stat st;
    bool fresh = fstat(fd, &st) == 0 && st.st_size == 0;
    if (fresh && ftruncate(fd, (off_t)len) != 0) {
        close(fd);
        return TF_ERR("orders.algo_store %s: %s", path, strerror(errno));
    }
    if (!fresh && (uint64_t)st.st_size != len) {
        close(fd);
        return TF_ERR("orders.algo_store %s holds %lld bytes, not the %llu of %u parents "
                      "(orders.algo_capacity changed?): move it aside once no parent runs",
                      path, (long long)st.st_size, (unsigned long long)len, capacity);
    }
    void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return TF_ERR("orders.algo_store %s: mmap: %s", path, strerror(errno));
    s->f = m;
    s->len = len;
    s->capacity = capacity;
    if (fresh) {
        memcpy(s->f->magic, tf__magic, sizeof tf__magic);
        s->f->version = TF_ALGO_STORE_VERSION;
        s->f->capacity = capacity;
    } else if (memcmp(s->f->magic, tf__magic, sizeof tf__magic) != 0 || s->f->version != TF_ALGO_STORE_VERSION ||
               s->f->capacity != capacity) {
        tf_algo_store_close(s);
        return TF_ERR("orders.algo_store %s is not a version %u store of %u parents", path,
                      TF_ALGO_STORE_VERSION, capacity);
    }
    return 0;
}

void tf_algo_store_close(tf_algo_store *s)
{
    if (s->f)
        munmap(s->f, s->len);
    s->f = NULL;
}

void tf_algo_store_put(tf_algo_store *s, uint32_t k, uint64_t parent_id, uint32_t strategy,
                       const tf_algo_params *p)
{
    if (!s->f || k >= s->capacity)
        return;
    tf_algo_store_rec *r = &s->f->recs[k];
    tf_store_32(&r->used, 0);
    r->parent_id = parent_id;
    r->strategy = strategy;
    r->arrival_mid = 0;
    r->params = *p;
    tf_store_release_32(&r->used, 1);
}

void tf_algo_store_arrival(tf_algo_store *s, uint32_t k, int64_t mid)
{
    if (s->f && k < s->capacity)
        s->f->recs[k].arrival_mid = mid;
}

void tf_algo_store_clear(tf_algo_store *s, uint32_t k)
{
    if (s->f && k < s->capacity)
        tf_store_release_32(&s->f->recs[k].used, 0);
}

/* Request lanes; see lanes.h. Cold path except tf_lanes_poll (inline). */
#include "shm/lanes.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shm/err.h"
#include "shm/segment.h"

#define TF__PAGE 4096u

static uint64_t tf__stride(uint32_t capacity, uint32_t record_size)
{
    uint64_t n = tf_ring_region_size(capacity, record_size);
    return (n + TF__PAGE - 1) / TF__PAGE * TF__PAGE;
}

static uint64_t tf__ring_offset(void)
{
    return (sizeof(tf_lanes_hdr) + TF__PAGE - 1) / TF__PAGE * TF__PAGE;
}

uint64_t tf_lanes_region_size(uint32_t count, uint32_t capacity, uint32_t record_size)
{
    return tf__ring_offset() + (uint64_t)count * tf__stride(capacity, record_size);
}

int tf_lanes_init(tf_lanes *l, void *region, uint64_t length, uint32_t count, uint32_t capacity,
                  uint32_t record_size)
{
    if (count == 0 || count > TF_LANES_MAX)
        return TF_ERR("lanes: %u lanes (1..%u)", count, TF_LANES_MAX);
    if (length < tf_lanes_region_size(count, capacity, record_size))
        return TF_ERR("lanes: region of %llu bytes is too small", (unsigned long long)length);
    tf_lanes_hdr *h = region;
    h->count = count;
    h->capacity = capacity;
    h->record_size = record_size;
    h->ring_offset = tf__ring_offset();
    h->ring_stride = tf__stride(capacity, record_size);
    for (uint32_t i = 0; i < count; i++) {
        char name[32];
        snprintf(name, sizeof name, "lane%u", i);
        if (tf_ring_init(&l->rings[i], (uint8_t *)region + h->ring_offset + i * h->ring_stride,
                         h->ring_stride, name, TF_RING_SPSC, capacity, record_size) != 0)
            return -1;
    }
    return tf_lanes_attach(l, region, length);
}

int tf_lanes_attach(tf_lanes *l, void *region, uint64_t length)
{
    tf_lanes_hdr *h = region;
    memset(l, 0, sizeof *l);
    if (length < sizeof *h || h->count == 0 || h->count > TF_LANES_MAX ||
        h->ring_offset + (uint64_t)h->count * h->ring_stride > length)
        return TF_ERR("lanes: the region's layout does not fit its %llu bytes",
                      (unsigned long long)length);
    for (uint32_t i = 0; i < h->count; i++)
        if (tf_ring_attach(&l->rings[i], (uint8_t *)region + h->ring_offset + i * h->ring_stride,
                           h->ring_stride) != 0 ||
            l->rings[i].kind != TF_RING_SPSC || l->rings[i].record_size != h->record_size)
            return TF_ERR_CTX("lane %u", i);
    l->hdr = h;
    l->count = h->count;
    return 0;
}

/* The owner is gone: no such process, or the pid now names another one. */
static bool tf__owner_dead(const tf_lane_owner *o)
{
    uint64_t pid = tf_load_64(&o->pid);
    if (pid == 0)
        return false;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
        return true;
    uint64_t ticks = tf_pid_start_ticks((int)pid), want = tf_load_64(&o->start_ticks);
    return ticks == 0 || (want && ticks != want);
}

static void tf__take(tf_lanes *l, uint32_t i)
{
    tf_lane_owner *o = &l->hdr->owners[i];
    tf_store_64(&o->start_ticks, tf_pid_start_ticks(getpid()));
    tf_store_64(&o->claimed_realtime_ns, tf_realtime_ns());
    tf_add_64(&o->claims, 1);
    tf_or_64(&l->hdr->active_mask, 1ull << i);
}

int tf_lanes_claim(tf_lanes *l)
{
    uint64_t me = (uint64_t)getpid();
    for (uint32_t i = 0; i < l->count; i++)
        if (tf_cas_64(&l->hdr->owners[i].pid, 0, me)) {
            tf__take(l, i);
            return (int)i;
        }
    for (uint32_t i = 0; i < l->count; i++) {
        tf_lane_owner *o = &l->hdr->owners[i];
        uint64_t dead = tf_load_64(&o->pid);
        if (tf__owner_dead(o) && tf_cas_64(&o->pid, dead, me)) {
            tf_add_64(&l->hdr->reclaims, 1);
            tf__take(l, i);
            return (int)i;
        }
    }
    return TF_ERR("all %u request lanes are held by live processes", l->count);
}

void tf_lanes_release(tf_lanes *l, int lane)
{
    if (lane < 0 || (uint32_t)lane >= l->count)
        return;
    uint64_t me = (uint64_t)getpid();
    tf_cas_64(&l->hdr->owners[lane].pid, me, 0); /* only if still ours */
}

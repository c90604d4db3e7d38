/* Ring layout, attach-time checks and monitoring reads (cold path).
 * The hot-path operations are inline in ring.h. */
#include "shm/ring.h"

#include <inttypes.h>

#include "shm/err.h"

uint64_t tf_ring_region_size(uint32_t capacity, uint32_t record_size)
{
    return sizeof(tf_ring_desc) + (uint64_t)capacity * record_size;
}

static void tf__ring_view(tf_ring *r, tf_ring_desc *d)
{
    r->desc = d;
    r->buf = (uint8_t *)d + d->buffer_offset;
    r->mask = d->mask;
    r->capacity = d->capacity;
    r->record_size = d->record_size;
    r->kind = d->kind;
    r->c_head = d->ck.c_head; /* a consumer attaching resumes where the last one stopped */
    r->corrupt = 0;
}

int tf_ring_init(tf_ring *r, void *region, uint64_t length, const char *name,
                 tf_ring_kind kind, uint32_t capacity, uint32_t record_size)
{
    if (!TF_IS_POW2(capacity) || capacity < 2 || capacity > (1u << 30))
        return TF_ERR("ring %s: capacity %u is not a power of two in 2..2^30", name, capacity);
    if (record_size == 0 || record_size % 8 != 0)
        return TF_ERR("ring %s: record size %u is not a positive multiple of 8", name, record_size);
    if (kind != TF_RING_SPSC && kind != TF_RING_MPSC)
        return TF_ERR("ring %s: unknown kind %d", name, (int)kind);
    if (length < tf_ring_region_size(capacity, record_size))
        return TF_ERR("ring %s: region of %" PRIu64 " bytes is smaller than %" PRIu64, name,
                      length, tf_ring_region_size(capacity, record_size));
    tf_ring_desc *d = region;
    memset(d, 0, sizeof *d);
    tf_copy_name(d->name, sizeof d->name, name);
    d->kind = kind;
    d->record_size = record_size;
    d->capacity = capacity;
    d->mask = capacity - 1;
    d->buffer_offset = sizeof *d;
    d->buffer_length = (uint64_t)capacity * record_size;
    ck_ring_init(&d->ck, capacity);
    tf__ring_view(r, d);
    return 0;
}

int tf_ring_attach(tf_ring *r, void *region, uint64_t length)
{
    tf_ring_desc *d = region;
    if (length < sizeof *d)
        return TF_ERR("ring region of %" PRIu64 " bytes is too small for a descriptor", length);
    if (!TF_IS_POW2(d->capacity) || d->mask != d->capacity - 1 || d->record_size == 0 ||
        (d->kind != TF_RING_SPSC && d->kind != TF_RING_MPSC) ||
        (d->kind == TF_RING_MPSC && (d->ck.size != d->capacity || d->ck.mask != d->mask)))
        return TF_ERR("ring '%.32s' has a corrupt descriptor (capacity %u, record %u, kind %u)",
                      d->name, d->capacity, d->record_size, d->kind);
    if (d->buffer_offset < sizeof *d || d->buffer_offset > length ||
        d->buffer_length != (uint64_t)d->capacity * d->record_size ||
        d->buffer_length > length - d->buffer_offset)
        return TF_ERR("ring '%.32s' buffer lies outside its region", d->name);
    tf__ring_view(r, d);
    return 0;
}

uint64_t tf_ring_published(const tf_ring *r)
{
    if (r->kind == TF_RING_MPSC)
        return tf_load_32((const uint32_t *)&r->desc->ck.p_tail); /* a figure for readers: no ordering */
    return tf_load_64(&r->desc->prod.tail);
}

uint64_t tf_ring_consumed(const tf_ring *r)
{
    if (r->kind == TF_RING_MPSC)
        return tf_load_32((const uint32_t *)&r->desc->ck.c_head);
    return tf_load_64(&r->desc->cons.head);
}

uint64_t tf_ring_depth(const tf_ring *r)
{
    if (r->kind == TF_RING_MPSC)
        return ck_ring_size(&r->desc->ck);
    uint64_t head = tf_load_64(&r->desc->cons.head);
    uint64_t tail = tf_load_64(&r->desc->prod.tail);
    return tail >= head ? tail - head : 0;
}

/* Rings in shared memory: fixed-size records by value, no pointers.
 *
 * SPSC (between stages): our own ring on ck_pr with cached indices. The
 * producer owns one 128-byte line (tail, its cached copy of head, full and
 * drop counts), the consumer another (head, cached tail, high-water mark);
 * each side reads the other's index only when its cached copy says the ring
 * looks full or empty. ck_ring reads the other side's index on every call;
 * bench/bench_ring.c measures both and the hop difference is why this exists.
 *
 * MPSC (requests from other processes): Concurrency Kit's ck_ring, typed with
 * CK_RING_PROTOTYPE through TF_MPSC_PROTOTYPE below. ck_ring keeps one slot
 * free, so it holds capacity - 1 records. Producers enqueue with ck; the
 * consumer does not use ck's dequeue, which reads the mask and its own head
 * from the shared descriptor: any producer can write those. It keeps both
 * in this process (tf_ring.mask, tf_ring.c_head) and refuses a producer
 * index claiming more records than the ring holds (tf_ring.corrupt).
 *
 * PROMISES
 * - Capacity is a power of two; records are record_size bytes (multiple of 8).
 * - Every failed offer is counted (full_events: back-pressure seen by the
 *   producer); a record the producer then gives up on is counted by
 *   tf_ring_count_drop() (drops). Nothing is lost silently.
 * - Depth and high-water mark are readable from any process at any time.
 * - Each process passes its own mapping: the descriptor stores the buffer as
 *   an offset from itself.
 * Threads: offer/claim from the single producer, poll from the single
 * consumer; readers (tfstat) only load.
 */
#ifndef TF_SHM_RING_H
#define TF_SHM_RING_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <ck_ring.h>

#include "shm/atomic.h"
#include "shm/common.h"

typedef enum tf_ring_kind {
    TF_RING_SPSC = 1,
    TF_RING_MPSC = 2,
} tf_ring_kind;

typedef struct tf_ring_desc {
    /* Constant after init. */
    char name[32];
    uint32_t kind;          /* tf_ring_kind */
    uint32_t record_size;
    uint32_t capacity;
    uint32_t mask;
    uint64_t buffer_offset; /* from the start of this descriptor */
    uint64_t buffer_length;
    uint8_t _pad0[TF_WRITER_LINE - 64];

    /* Written by the producer(s) only. */
    struct {
        uint64_t tail;        /* SPSC: records ever published */
        uint64_t head_cache;  /* SPSC: last head seen */
        uint64_t full_events; /* offers that found the ring full */
        uint64_t drops;       /* records given up after a full ring */
    } prod TF_ALIGNED(TF_WRITER_LINE);
    uint8_t _pad1[TF_WRITER_LINE - 32];

    /* Written by the consumer only. */
    struct {
        uint64_t head;        /* SPSC: records ever consumed */
        uint64_t tail_cache;  /* SPSC: last tail seen */
        uint64_t high_water;  /* deepest the ring has been seen by the consumer */
    } cons TF_ALIGNED(TF_WRITER_LINE);
    uint8_t _pad2[TF_WRITER_LINE - 24];

    /* MPSC only: ck_ring's indices (c_head and p_head/p_tail on their own lines). */
    struct ck_ring ck TF_ALIGNED(TF_WRITER_LINE);
    uint8_t _pad3[2 * TF_WRITER_LINE - sizeof(struct ck_ring)];
} tf_ring_desc;

_Static_assert(offsetof(tf_ring_desc, prod) == 128, "producer line");
_Static_assert(offsetof(tf_ring_desc, cons) == 256, "consumer line");
_Static_assert(offsetof(tf_ring_desc, ck) == 384, "ck_ring lines");
_Static_assert(sizeof(tf_ring_desc) == 640, "descriptor size");
_Static_assert(sizeof(tf_ring_desc) % TF_WRITER_LINE == 0, "buffer starts on a writer line");

/* Process-local view; never in shared memory. */
typedef struct tf_ring {
    tf_ring_desc *desc;
    uint8_t *buf;
    uint32_t mask;
    uint32_t capacity;
    uint32_t record_size;
    uint32_t kind;
    uint32_t c_head;  /* MPSC consumer: its head, private (written back for producers) */
    uint32_t corrupt; /* MPSC consumer: polls that found an impossible producer index */
} tf_ring;

/* Bytes a ring region needs. */
uint64_t tf_ring_region_size(uint32_t capacity, uint32_t record_size);

/* Creator: lay out a ring in `region` (zeroed, `length` bytes). */
int tf_ring_init(tf_ring *r, void *region, uint64_t length, const char *name,
                 tf_ring_kind kind, uint32_t capacity, uint32_t record_size);

/* Any process: view a ring another process laid out, after checking that
 * the descriptor is sane and the buffer lies inside `length`. */
int tf_ring_attach(tf_ring *r, void *region, uint64_t length);

/* Records in the ring now (racy snapshot for monitoring). */
uint64_t tf_ring_depth(const tf_ring *r);
/* Records ever published / consumed (monitoring). */
uint64_t tf_ring_published(const tf_ring *r);
uint64_t tf_ring_consumed(const tf_ring *r);

/* Producer: count a record it gave up on after the ring stayed full. */
static inline void tf_ring_count_drop(tf_ring *r)
{
    if (r->kind == TF_RING_MPSC)
        tf_add_64(&r->desc->prod.drops, 1);
    else
        tf_counter_inc(&r->desc->prod.drops, 1);
}

/* ---- SPSC, hot path ------------------------------------------------------ */

/* Producer: copy one record in. False (and full_events counted) if full. */
static inline __attribute__((always_inline)) bool
tf_spsc_offer(tf_ring *r, const void *rec, uint32_t size)
{
    tf_ring_desc *d = r->desc;
    uint64_t tail = d->prod.tail; /* our own line */
    if (TF_UNLIKELY(tail - d->prod.head_cache >= r->capacity)) {
        d->prod.head_cache = tf_load_acquire_64(&d->cons.head);
        if (tail - d->prod.head_cache >= r->capacity) {
            tf_counter_inc(&d->prod.full_events, 1);
            return false;
        }
    }
    memcpy(r->buf + (size_t)(tail & r->mask) * size, rec, size);
    /* The record must be visible before the tail that publishes it. */
    tf_store_release_64(&d->prod.tail, tail + 1);
    return true;
}

/* Producer: is there room for one more record now? */
static inline bool tf_spsc_can_offer(tf_ring *r)
{
    tf_ring_desc *d = r->desc;
    if (d->prod.tail - d->prod.head_cache < r->capacity)
        return true;
    d->prod.head_cache = tf_load_acquire_64(&d->cons.head);
    return d->prod.tail - d->prod.head_cache < r->capacity;
}

/* Producer: copy up to n records in; returns how many fit (full_events
 * counted once if not all did). One tail store for the whole batch. */
static inline __attribute__((always_inline)) uint32_t
tf_spsc_offer_batch(tf_ring *r, const void *recs, uint32_t n, uint32_t size)
{
    tf_ring_desc *d = r->desc;
    uint64_t tail = d->prod.tail;
    uint64_t space = r->capacity - (tail - d->prod.head_cache);
    if (space < n) {
        d->prod.head_cache = tf_load_acquire_64(&d->cons.head);
        space = r->capacity - (tail - d->prod.head_cache);
    }
    uint32_t k = n < space ? n : (uint32_t)space;
    for (uint32_t i = 0; i < k; i++)
        memcpy(r->buf + (size_t)((tail + i) & r->mask) * size,
               (const uint8_t *)recs + (size_t)i * size, size);
    if (k)
        tf_store_release_64(&d->prod.tail, tail + k);
    if (k < n)
        tf_counter_inc(&d->prod.full_events, 1);
    return k;
}

/* Consumer: copy up to max records out; returns how many. One head store
 * for the batch, which frees the slots for the producer. */
static inline __attribute__((always_inline)) uint32_t
tf_spsc_poll_batch(tf_ring *r, void *out, uint32_t max, uint32_t size)
{
    tf_ring_desc *d = r->desc;
    uint64_t head = d->cons.head;
    uint64_t avail = d->cons.tail_cache - head;
    if (avail < max) {
        d->cons.tail_cache = tf_load_acquire_64(&d->prod.tail);
        avail = d->cons.tail_cache - head;
        if (avail == 0)
            return 0;
        if (avail > d->cons.high_water)
            tf_store_64(&d->cons.high_water, avail);
    }
    uint32_t k = avail < max ? (uint32_t)avail : max;
    for (uint32_t i = 0; i < k; i++)
        memcpy((uint8_t *)out + (size_t)i * size,
               r->buf + (size_t)((head + i) & r->mask) * size, size);
    /* The copies must complete before the producer may reuse the slots. */
    tf_store_release_64(&d->cons.head, head + k);
    return k;
}

/* Consumer: one record. */
static inline __attribute__((always_inline)) bool
tf_spsc_poll(tf_ring *r, void *out, uint32_t size)
{
    return tf_spsc_poll_batch(r, out, 1, size) == 1;
}

/* MPSC consumer, for a ring other processes write. Reads the producers'
 * published index only; the slot is found with this process's mask and
 * head. A published index more than capacity - 1 ahead cannot come from ck
 * producers: nothing is read, the poll is counted in r->corrupt, and the
 * ring resumes if the index comes back within bounds. */
static inline bool tf_mpsc_poll_guarded(tf_ring *r, void *out, uint32_t size)
{
    tf_ring_desc *d = r->desc;
    uint32_t head = r->c_head;
    uint32_t tail = ck_pr_load_uint(&d->ck.p_tail);
    uint32_t depth = tail - head;
    if (depth == 0)
        return false;
    if (TF_UNLIKELY(depth > r->mask || size > r->record_size)) {
        r->corrupt++;
        return false;
    }
    ck_pr_fence_load();
    memcpy(out, r->buf + (size_t)(head & r->mask) * r->record_size, size);
    ck_pr_fence_store();
    r->c_head = head + 1;
    ck_pr_store_uint(&d->ck.c_head, head + 1);
    if (depth > d->cons.high_water)
        tf_store_64(&d->cons.high_water, depth);
    return true;
}

/* ---- MPSC on ck_ring, typed ----------------------------------------------- */

/* TF_MPSC_PROTOTYPE(name, type) defines, for `struct type` records:
 *   bool tf_mpsc_offer_<name>(tf_ring *, const struct type *)   any producer
 *   bool tf_mpsc_poll_<name>(tf_ring *, struct type *)          the consumer */
#define TF_MPSC_PROTOTYPE(name, type)                                              \
    CK_RING_PROTOTYPE(name, type)                                                  \
    __attribute__((unused)) static inline bool                                      \
    tf_mpsc_offer_##name(tf_ring *r, const struct type *rec)                        \
    {                                                                              \
        if (ck_ring_enqueue_mpsc_##name(&r->desc->ck, (struct type *)r->buf,       \
                                        (struct type *)rec))                       \
            return true;                                                           \
        tf_add_64(&r->desc->prod.full_events, 1);                                  \
        return false;                                                              \
    }                                                                              \
    __attribute__((unused)) static inline bool                                      \
    tf_mpsc_poll_##name(tf_ring *r, struct type *out)                               \
    {                                                                              \
        return tf_mpsc_poll_guarded(r, out, sizeof *out);                          \
    }

#endif

/* Request lanes: one SPSC ring per client process into the engine.
 *
 * The MPSC request ring (ck_ring) makes every producer wait for the ones
 * that reserved a slot before it, and a producer killed between reserving
 * and committing blocks the ring for good — a crashed Python strategy would
 * freeze every client's order entry, the operator's kill switch included.
 * A lane has one producer: a client claims a free lane at start (CAS of its
 * pid into the lane's owner word), writes its requests there, and releases
 * it at exit. A lane whose owner died (no such pid, or the pid now names a
 * process started at another time) is reclaimed by the next client; what the
 * dead owner committed is still read, and it cannot have left half a record
 * (an SPSC producer publishes its tail after the copy). The consumer (the
 * risk gate) polls only lanes marked active, round-robin.
 *
 * Layout of the region: a header line, TF_LANES_MAX owner lines, then the
 * rings at ring_offset + lane * ring_stride. */
#ifndef TF_SHM_LANES_H
#define TF_SHM_LANES_H

#include <stdint.h>

#include "shm/common.h"
#include "shm/ring.h"

#define TF_LANES_MAX 32u

typedef struct tf_lane_owner {
    uint64_t pid;              /* 0 = free */
    uint64_t start_ticks;      /* the owner's start time (tells a reused pid) */
    uint64_t claimed_realtime_ns;
    uint64_t claims;           /* times this lane was claimed */
    uint8_t _pad[TF_WRITER_LINE - 32];
} tf_lane_owner;
_Static_assert(sizeof(tf_lane_owner) == TF_WRITER_LINE, "one owner per line");

typedef struct tf_lanes_hdr {
    uint32_t count;            /* lanes laid out */
    uint32_t capacity;         /* records per lane */
    uint32_t record_size;
    uint32_t _reserved;
    uint64_t active_mask;      /* bit per claimed lane (clients set and clear it) */
    uint64_t ring_offset;      /* from the start of this header */
    uint64_t ring_stride;
    uint64_t reclaims;         /* lanes taken over from dead owners */
    uint8_t _pad[TF_WRITER_LINE - 48];
    tf_lane_owner owners[TF_LANES_MAX];
} tf_lanes_hdr;

/* Process-local view. */
typedef struct tf_lanes {
    tf_lanes_hdr *hdr;
    uint32_t count;
    uint32_t next;             /* consumer: where the next round-robin poll starts */
    tf_ring rings[TF_LANES_MAX];
} tf_lanes;

uint64_t tf_lanes_region_size(uint32_t count, uint32_t capacity, uint32_t record_size);
/* Creator: lay out `count` lanes in a zeroed region. */
int tf_lanes_init(tf_lanes *l, void *region, uint64_t length, uint32_t count, uint32_t capacity,
                  uint32_t record_size);
/* Any process: view lanes another laid out (checks the layout fits). */
int tf_lanes_attach(tf_lanes *l, void *region, uint64_t length);
/* Client: claim a lane for this process; returns its index, or -1 with
 * TF_ERR when every lane is held by a live process. */
int tf_lanes_claim(tf_lanes *l);
/* Client: give the lane back (what it wrote is still read). */
void tf_lanes_release(tf_lanes *l, int lane);

/* Consumer: take one record from the next active lane that has one
 * (round-robin over the active lanes, so a busy client cannot starve the
 * others). A lane stays active after its owner releases it until the
 * consumer has read it empty; only then does the consumer clear its bit
 * (and sets it again if a new owner claimed it meanwhile). */
static inline bool tf_lanes_poll(tf_lanes *l, void *out, uint32_t size)
{
    uint64_t mask = tf_load_64(&l->hdr->active_mask);
    if (!mask)
        return false;
    /* Rotate so the search starts at l->next. */
    uint32_t n = l->count, start = l->next % n;
    uint64_t rot = start ? (mask >> start) | (mask << (n - start)) : mask;
    if (n < 64)
        rot &= (1ull << n) - 1;
    while (rot) {
        uint32_t i = (start + (uint32_t)__builtin_ctzll(rot)) % n;
        rot &= rot - 1;
        if (tf_spsc_poll(&l->rings[i], out, size)) {
            l->next = i + 1;
            return true;
        }
        if (tf_load_64(&l->hdr->owners[i].pid) == 0 && tf_ring_depth(&l->rings[i]) == 0) {
            tf_and_64(&l->hdr->active_mask, ~(1ull << i));
            if (tf_load_64(&l->hdr->owners[i].pid) != 0) /* claimed meanwhile */
                tf_or_64(&l->hdr->active_mask, 1ull << i);
        }
    }
    return false;
}

#endif

/* A client's request lane as the engine reads it (shm/door.h): the lane's
 * memory — descriptor, indices, records — is the client's to write, so
 * the fuzzer writes all of it (the descriptor's shared fields, the producer
 * and consumer indices, every record byte) between polls; the consumer
 * (tf_door_poll) must never read outside the ring, never return more
 * records than were plausibly published, and close the lane when its
 * producer index cannot be true. Each input is a list of (offset, bytes)
 * writes into the lane interleaved with polls. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shm/atomic.h"
#include "shm/door.h"

#define CAP 16u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tf_door d;
    static uint8_t *region;
    static size_t len;
    if (!region) {
        len = (size_t)tf_ring_region_size(CAP, sizeof(struct tf_request));
        region = aligned_alloc(4096, (len + 4095) / 4096 * 4096);
    }
    memset(&d, 0, sizeof d);
    memset(region, 0, len);
    tf_door_lane *l = &d.lanes[3];
    if (tf_ring_init(&l->ring, region, len, "lane", TF_RING_SPSC, CAP, sizeof(struct tf_request)) != 0)
        abort();
    l->state = TF_DOOR_OPEN;
    l->strategy = 2;
    size_t i = 0;
    uint64_t got = 0;
    while (i + 3 <= size) {
        uint16_t off = (uint16_t)(data[i] | data[i + 1] << 8);
        uint8_t n = data[i + 2];
        i += 3;
        if (n > size - i)
            n = (uint8_t)(size - i);
        size_t at = off % len;
        size_t m = n < len - at ? n : len - at;
        memcpy(region + at, data + i, m); /* the client writes anything anywhere in its lane */
        i += n;
        struct tf_request q;
        tf_door_lane *from = NULL;
        for (int k = 0; k < 4 && tf_door_poll(&d, &q, &from); k++) {
            if (from != l || from->strategy != 2)
                abort(); /* the identity is the lane's, whatever was written */
            got++;
        }
        if (tf_load_acquire_32(&l->state) == TF_DOOR_DRAINED)
            break; /* closed as corrupt: never read again */
    }
    /* The engine's own consumer index never passed what the producer could
     * have published in a ring of CAP. */
    if (l->head > got || got > (uint64_t)size * 4)
        abort();
    return 0;
}

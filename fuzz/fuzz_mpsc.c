/* The shared MPSC request ring as its consumer reads it (shm/ring.h,
 * tf_mpsc_poll_guarded): every byte of the ring — descriptor, ck_ring's
 * indices and mask, records — can be written by any producer process, so
 * the fuzzer writes anywhere between polls, and now and then a well-formed
 * producer enqueues. The consumer must never read outside the buffer (the
 * region is allocated to its exact size, so ASan sees one byte past it),
 * never return a record while the producer index claims more than the ring
 * holds, and advance its own head by exactly one per record returned.
 * Each input is a list of ops: [kind][offset lo][offset hi][n][n bytes]. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shm/ring.h"
#include "shm/records.h"

TF_MPSC_PROTOTYPE(tf_request, tf_request)

#define CAP 16u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len = (size_t)tf_ring_region_size(CAP, sizeof(struct tf_request));
    uint8_t *region = aligned_alloc(128, len); /* len is a multiple of 128 */
    if (!region)
        abort();
    memset(region, 0, len);
    tf_ring r;
    if (tf_ring_init(&r, region, len, "requests", TF_RING_MPSC, CAP, sizeof(struct tf_request)) != 0)
        abort();
    uint32_t head0 = r.c_head;
    uint64_t got = 0;
    size_t i = 0;
    while (i + 4 <= size) {
        uint8_t kind = data[i];
        uint16_t off = (uint16_t)(data[i + 1] | data[i + 2] << 8);
        uint8_t n = data[i + 3];
        i += 4;
        if (n > size - i)
            n = (uint8_t)(size - i);
        if (kind & 1) {
            /* A producer that follows the protocol, when ck's own view
             * still lets it (a corrupted mask is the producers' problem). */
            struct ck_ring *ck = &r.desc->ck;
            if (ck->mask == CAP - 1 && ck->size == CAP && ck->p_head == ck->p_tail) {
                struct tf_request q = {.type = TF_REQ_PING, .client_seq = got};
                (void)tf_mpsc_offer_tf_request(&r, &q);
            }
        } else {
            size_t at = off % len;
            size_t m = n < len - at ? n : len - at;
            memcpy(region + at, data + i, m); /* a producer writes anything anywhere */
        }
        i += n;
        struct tf_request q;
        for (int k = 0; k < 4; k++) {
            uint32_t before = r.c_head;
            uint32_t claimed = r.desc->ck.p_tail - before;
            if (!tf_mpsc_poll_tf_request(&r, &q))
                break;
            if (claimed == 0 || claimed > CAP - 1 || r.c_head != before + 1)
                abort(); /* read past what the ring can hold, or lost count */
            got++;
        }
    }
    if ((uint32_t)(r.c_head - head0) != (uint32_t)got)
        abort();
    free(region);
    return 0;
}

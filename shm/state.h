/* State records behind seqlocks (Concurrency Kit's ck_sequence): top of
 * book, positions, limits, engine status — anything a reader must see
 * whole, never half-updated.
 *
 * Each record has one writer thread. Readers in any process retry while
 * the record is being written, but only a bounded number of times: a writer
 * that died mid-update leaves the sequence odd forever, and the reader then
 * reports TF_STATE_TORN instead of spinning (ck_sequence_read_begin alone
 * would spin forever, so the reader loop is written here on ck_pr).
 */
#ifndef TF_SHM_STATE_H
#define TF_SHM_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ck_sequence.h>

#include "shm/atomic.h"
#include "shm/common.h"

#define TF_STATE_PAYLOAD 96u
#define TF_STATE_KEY 16u

typedef struct tf_state_slot {
    ck_sequence_t seq;         /* odd while the writer is in the middle */
    uint16_t kind;             /* tf_state_kind (shm/records.h); 0 = unused */
    uint16_t length;           /* payload bytes */
    uint64_t updated_ns;       /* CLOCK_MONOTONIC of the last write */
    char key[TF_STATE_KEY];    /* e.g. the stage or instrument it describes */
    uint8_t payload[TF_STATE_PAYLOAD];
} tf_state_slot;
_Static_assert(sizeof(tf_state_slot) == TF_WRITER_LINE, "one slot per writer line");
_Static_assert(offsetof(tf_state_slot, payload) == 32, "payload offset");

typedef struct tf_state_table {
    uint32_t slot_count;       /* slots in use (assigned at start) */
    uint32_t slot_capacity;
    uint8_t _pad[TF_WRITER_LINE - 8];
    tf_state_slot slots[];
} tf_state_table;

typedef enum tf_state_rc {
    TF_STATE_OK = 0,
    TF_STATE_EMPTY,            /* never written */
    TF_STATE_TORN,             /* still mid-update after max_retries: writer dead or stuck */
} tf_state_rc;

uint64_t tf_state_region_size(uint32_t capacity);
void tf_state_table_init(tf_state_table *t, uint32_t capacity);
/* At start, before threads run: give `key` (shorter than TF_STATE_KEY) a slot
 * of `kind`; NULL if full or the key would not fit. */
tf_state_slot *tf_state_claim(tf_state_table *t, uint16_t kind, const char *key);
/* Readers, once at attach: does the table at `t` (a region of `len` bytes)
 * add up? The header fits, slot_capacity slots fit the region, slot_count
 * is at most slot_capacity, and every counted slot has a terminated key and
 * a payload length within TF_STATE_PAYLOAD. 0, or -1 with tf_err_msg naming
 * `where` and the field. After it, slot_capacity bounds every index. */
int tf_state_table_check(const tf_state_table *t, uint64_t len, const char *where);
/* Find a slot by kind and key (tools). */
const tf_state_slot *tf_state_find(const tf_state_table *t, uint16_t kind, const char *key);

/* Writer thread only. `len` a multiple of 8, at most TF_STATE_PAYLOAD. */
static inline void tf_state_write(tf_state_slot *s, const void *payload, uint16_t len,
                                  uint64_t now_ns)
{
    ck_sequence_write_begin(&s->seq);
    tf_store_64(&s->updated_ns, now_ns);
    s->length = len;
    tf_write_racy(s->payload, payload, len);
    ck_sequence_write_end(&s->seq);
}

/* Any reader, any record behind a ck_sequence_t (an order slot, the
 * limits): copy `n` bytes (a multiple of 8) from `src` whole, retrying at
 * most `max_retries` times; false if the writer never let go (dead or stuck). */
bool tf_seqlock_copy(const ck_sequence_t *seq, void *out, const void *src, size_t n,
                     uint32_t max_retries);

/* Any reader: copy the payload (up to `cap` bytes) consistently. */
tf_state_rc tf_state_read(const tf_state_slot *s, void *out, uint32_t cap,
                          uint32_t max_retries, uint64_t *updated_ns);

#endif

/* Journals: a single writer appends sequence-numbered records into a
 * power-of-two array of fixed-size slots; any number of readers in any
 * process follow it through read-only mappings and never slow the writer.
 *
 * Each slot carries its own sequence word, used like a per-slot seqlock: the
 * writer marks the slot busy, writes the payload, then stores the sequence
 * (release). A reader loads the sequence, copies, loads it again; a changed
 * or larger sequence means the writer lapped it, and the reader jumps ahead
 * and counts the records it missed. Nothing is missed silently.
 *
 * A journal lives in a segment of kind TF_SEG_KIND_JOURNAL (region
 * "journal") in /dev/shm or in a file on local disk (durability, restart
 * recovery via tf_journal_recover()).
 *
 * PROMISES
 * - Sequences start at 1 and increase by 1 per record, for the journal's life
 *   (across a disk-backed restart too).
 * - tf_journal_read() returns each record at most once, in order, and either
 *   the exact bytes the writer wrote or a gap report — never a torn record.
 * Threads: append/claim/commit from the one writer thread; readers anywhere.
 */
#ifndef TF_SHM_JOURNAL_H
#define TF_SHM_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "shm/atomic.h"
#include "shm/common.h"
#include "shm/segment.h"

#define TF_JOURNAL_BUSY (1ull << 63)     /* slot sequence bit while written */
#define TF_JOURNAL_SLOT_HDR 16u
#define TF_JOURNAL_FROM_OLDEST 0ull      /* reader start: oldest record still held */
#define TF_JOURNAL_FROM_LIVE UINT64_MAX  /* reader start: the next record written */

typedef struct tf_journal_slot {
    uint64_t seq;      /* 0: never written; BUSY bit while being written */
    uint16_t type;     /* tf_rec_type (shm/records.h) */
    uint16_t length;   /* payload bytes used */
    uint32_t _reserved;
    uint8_t payload[]; /* slot_size - 16 bytes */
} tf_journal_slot;
_Static_assert(sizeof(tf_journal_slot) == TF_JOURNAL_SLOT_HDR, "slot header");

typedef struct tf_journal_desc {
    /* Constant after init. */
    char name[32];
    uint32_t slot_size;     /* power of two, >= 64 */
    uint32_t capacity;      /* slots, power of two */
    uint64_t mask;
    uint64_t slots_offset;  /* from the start of this descriptor */
    uint64_t slots_length;
    uint64_t first_seq;     /* first sequence written in this journal's life */
    uint8_t _pad0[TF_WRITER_LINE - 72];
    /* Written by the writer only. */
    uint64_t head TF_ALIGNED(TF_WRITER_LINE); /* last committed sequence */
    uint64_t recovered;     /* records found in the file at restart */
    uint8_t _pad1[TF_WRITER_LINE - 16];
    /* Written by the thread that flushes to disk (the engine's main thread). */
    uint64_t flushed_head TF_ALIGNED(TF_WRITER_LINE); /* head at the last flush */
    uint8_t _pad2[TF_WRITER_LINE - 8];
} tf_journal_desc;
_Static_assert(offsetof(tf_journal_desc, head) == TF_WRITER_LINE, "writer line");
_Static_assert(offsetof(tf_journal_desc, flushed_head) == 2 * TF_WRITER_LINE, "flusher line");
_Static_assert(sizeof(tf_journal_desc) == 3 * TF_WRITER_LINE, "descriptor size");

/* Process-local view. */
typedef struct tf_journal {
    tf_journal_desc *desc;
    uint8_t *slots;
    uint64_t mask;
    uint32_t slot_size;
    uint32_t capacity;
} tf_journal;

typedef enum tf_journal_read_rc {
    TF_JR_OK = 0,      /* a record was copied out */
    TF_JR_EMPTY,       /* nothing new yet */
    TF_JR_GAP,         /* lapped: records were missed; the reader moved ahead */
} tf_journal_read_rc;

typedef struct tf_journal_reader {
    tf_journal j;
    uint64_t next_seq;      /* the sequence it wants next */
    uint64_t gap_events;
    uint64_t gap_records;   /* records missed in all */
    uint64_t last_gap_from; /* first missed sequence of the latest gap */
    uint64_t last_gap_to;   /* last missed sequence of the latest gap */
} tf_journal_reader;

/* Segment layout for a journal of `capacity` slots of `slot_size` bytes. */
void tf_journal_layout(tf_seg_layout *layout, uint32_t capacity, uint32_t slot_size);

/* Writer, at start: lay out a new journal in a freshly created segment. */
int tf_journal_init(tf_journal *j, tf_segment *seg, const char *name,
                    uint32_t capacity, uint32_t slot_size);
/* Writer, at start: take over a disk-backed journal after a restart; the
 * head becomes the last fully written record; half-written slots are
 * cleared. Sets desc->recovered. */
int tf_journal_recover(tf_journal *j, tf_segment *seg);
/* Any process: view a journal in an attached segment. */
int tf_journal_attach(tf_journal *j, const tf_segment *seg);

/* Writer, cold: push records to disk (no-op cost for /dev/shm). `sync`
 * waits for the device. */
int tf_journal_flush(tf_journal *j, tf_segment *seg, bool sync);

static inline uint32_t tf_journal_payload_max(const tf_journal *j)
{
    return j->slot_size - TF_JOURNAL_SLOT_HDR;
}

static inline tf_journal_slot *tf__journal_slot(const tf_journal *j, uint64_t seq)
{
    return (tf_journal_slot *)(j->slots + (size_t)(seq & j->mask) * j->slot_size);
}

static inline uint64_t tf_journal_head(const tf_journal *j)
{
    return tf_load_acquire_64(&j->desc->head);
}

/* Writer, hot: append one record; returns its sequence, or 0 if length
 * exceeds the payload size or is not a multiple of 8 (programming errors,
 * not runtime events). */
static inline __attribute__((always_inline)) uint64_t
tf_journal_append(tf_journal *j, uint16_t type, const void *payload, uint16_t length)
{
    if (TF_UNLIKELY(length > j->slot_size - TF_JOURNAL_SLOT_HDR || (length & 7u)))
        return 0;
    tf_journal_desc *d = j->desc;
    uint64_t seq = d->head + 1;
    tf_journal_slot *s = tf__journal_slot(j, seq);
    /* Mark the slot busy before touching its payload, so a reader copying
     * the previous occupant sees its sequence change. */
    tf_store_64(&s->seq, seq | TF_JOURNAL_BUSY);
    /* Store-store: the busy mark is visible before any byte of the new payload. */
    tf_fence_store();
    uint64_t meta = (uint64_t)type | ((uint64_t)length << 16);
    tf_write_racy(&s->type, &meta, sizeof meta);
    tf_write_racy(s->payload, payload, length);
    tf_store_release_64(&s->seq, seq);
    tf_store_release_64(&d->head, seq);
    return seq;
}

/* Reader: start at `from_seq` (a saved position, TF_JOURNAL_FROM_OLDEST or
 * TF_JOURNAL_FROM_LIVE). A saved position no longer held is reported as a
 * gap by the first read. */
void tf_journal_reader_init(tf_journal_reader *r, const tf_journal *j, uint64_t from_seq);

/* Reader, cold part of a lap: move ahead, count what was missed. */
tf_journal_read_rc tf__journal_lapped(tf_journal_reader *r);

/* Reader: copy the next record (header and payload; `out` holds slot_size
 * bytes). On TF_JR_GAP, last_gap_from/to say what was missed. */
static inline tf_journal_read_rc tf_journal_read(tf_journal_reader *r, tf_journal_slot *out)
{
    uint64_t want = r->next_seq;
    const tf_journal_slot *s = tf__journal_slot(&r->j, want);
    uint64_t s1 = tf_load_acquire_64(&s->seq);
    if (s1 != want) {
        if (s1 == 0 || (s1 & ~TF_JOURNAL_BUSY) <= want) {
            /* A position before the oldest record held (after recovery) is
             * gone, not pending. */
            if (TF_UNLIKELY(want < tf_load_64(&r->j.desc->first_seq)))
                return tf__journal_lapped(r);
            return TF_JR_EMPTY; /* not written yet, or being written now */
        }
        return tf__journal_lapped(r);
    }
    tf_copy_racy(out, s, r->j.slot_size);
    tf_fence_acquire(); /* the copy completes before the second look */
    if (tf_load_64(&s->seq) != want)
        return tf__journal_lapped(r);
    out->seq = want;
    r->next_seq = want + 1;
    return TF_JR_OK;
}

#endif

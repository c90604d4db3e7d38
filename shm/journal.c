/* Journal layout, recovery, flushing and the cold half of reading (laps).
 * The append and read fast paths are inline in journal.h. */
#include "shm/journal.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/mman.h>

#include "shm/catalog.h"
#include "shm/err.h"

#define TF_JOURNAL_REGION TF_REGION_JOURNAL

void tf_journal_layout(tf_seg_layout *layout, uint32_t capacity, uint32_t slot_size)
{
    memset(layout, 0, sizeof *layout);
    layout->kind = TF_SEG_KIND_JOURNAL;
    layout->region_count = 1;
    layout->regions[0].name = TF_JOURNAL_REGION;
    layout->regions[0].length = sizeof(tf_journal_desc) + (uint64_t)capacity * slot_size;
}

static void tf__journal_view(tf_journal *j, tf_journal_desc *d)
{
    j->desc = d;
    j->slots = (uint8_t *)d + d->slots_offset;
    j->mask = d->mask;
    j->slot_size = d->slot_size;
    j->capacity = d->capacity;
}

int tf_journal_init(tf_journal *j, tf_segment *seg, const char *name, uint32_t capacity,
                    uint32_t slot_size)
{
    if (!TF_IS_POW2(capacity) || capacity < 16)
        return TF_ERR("journal %s: capacity %u is not a power of two >= 16", name, capacity);
    if (!TF_IS_POW2(slot_size) || slot_size < 64 || slot_size > 65536)
        return TF_ERR("journal %s: slot size %u is not a power of two in 64..65536", name, slot_size);
    uint64_t len;
    tf_journal_desc *d = tf_segment_region(seg, TF_JOURNAL_REGION, &len);
    if (!d)
        return -1;
    if (len < sizeof *d + (uint64_t)capacity * slot_size)
        return TF_ERR("journal %s: region too small for %u slots of %u bytes", name, capacity,
                      slot_size);
    memset(d, 0, sizeof *d);
    tf_copy_name(d->name, sizeof d->name, name);
    d->slot_size = slot_size;
    d->capacity = capacity;
    d->mask = capacity - 1;
    d->slots_offset = sizeof *d;
    d->slots_length = (uint64_t)capacity * slot_size;
    d->first_seq = 1;
    tf__journal_view(j, d);
    return 0;
}

int tf_journal_attach(tf_journal *j, const tf_segment *seg)
{
    uint64_t len;
    tf_journal_desc *d = tf_segment_region(seg, TF_JOURNAL_REGION, &len);
    if (!d)
        return -1;
    if (len < sizeof *d || !TF_IS_POW2(d->capacity) || !TF_IS_POW2(d->slot_size) ||
        d->slot_size < 64 || d->mask != d->capacity - 1u || d->slots_offset < sizeof *d ||
        d->slots_length != (uint64_t)d->capacity * d->slot_size ||
        d->slots_offset > len || d->slots_length > len - d->slots_offset)
        return TF_ERR("journal in %s has a corrupt descriptor (capacity %u, slot %u)", seg->path,
                      d->capacity, d->slot_size);
    tf__journal_view(j, d);
    return 0;
}

int tf_journal_recover(tf_journal *j, tf_segment *seg)
{
    if (tf_journal_attach(j, seg) != 0)
        return -1;
    uint64_t head = 0, count = 0, cleared = 0, lowest = UINT64_MAX;
    for (uint64_t i = 0; i < j->capacity; i++) {
        tf_journal_slot *s = (tf_journal_slot *)(j->slots + i * j->slot_size);
        if (s->seq & TF_JOURNAL_BUSY) {
            s->seq = 0; /* torn by the crash: never committed */
            cleared++;
            continue;
        }
        if (s->seq == 0)
            continue;
        if ((s->seq & j->mask) != i)
            return TF_ERR("journal %s: slot %" PRIu64 " holds sequence %" PRIu64
                          " which belongs elsewhere; the file is corrupt", seg->path, i, s->seq);
        count++;
        if (s->seq > head)
            head = s->seq;
        if (s->seq < lowest)
            lowest = s->seq;
    }
    /* Records older than head - capacity can't be present; anything below the
     * oldest surviving one was overwritten before the crash. */
    j->desc->head = head;
    j->desc->recovered = count;
    j->desc->flushed_head = head;
    /* The oldest record still held is where readers start: a crash while the
     * writer was overwriting the oldest slot leaves that slot cleared. */
    j->desc->first_seq = count ? lowest : head + 1;
    (void)cleared;
    return 0;
}

int tf_journal_flush(tf_journal *j, tf_segment *seg, bool sync)
{
    uint64_t head = tf_journal_head(j);
    if (msync(seg->base, seg->size, sync ? MS_SYNC : MS_ASYNC) != 0)
        return TF_ERR("msync %s: %s", seg->path, strerror(errno));
    tf_store_64(&j->desc->flushed_head, head);
    return 0;
}

static uint64_t tf__oldest_held(const tf_journal *j, uint64_t head)
{
    uint64_t first = tf_load_64(&j->desc->first_seq);
    uint64_t oldest = head >= j->capacity ? head - j->capacity + 1 : 1;
    return oldest > first ? oldest : first;
}

void tf_journal_reader_init(tf_journal_reader *r, const tf_journal *j, uint64_t from_seq)
{
    memset(r, 0, sizeof *r);
    r->j = *j;
    uint64_t head = tf_journal_head(j);
    if (from_seq == TF_JOURNAL_FROM_LIVE)
        r->next_seq = head + 1;
    else if (from_seq == TF_JOURNAL_FROM_OLDEST)
        r->next_seq = tf__oldest_held(j, head);
    else
        r->next_seq = from_seq; /* a lost position shows up as a gap on read */
}

tf_journal_read_rc tf__journal_lapped(tf_journal_reader *r)
{
    uint64_t head = tf_journal_head(&r->j);
    /* Land a quarter of the journal behind the head: recent history, with
     * room before the writer comes round again. */
    uint64_t back = r->j.capacity / 4;
    uint64_t resume = head >= back ? head - back + 1 : 1;
    uint64_t oldest = tf__oldest_held(&r->j, head);
    if (resume < oldest)
        resume = oldest;
    if (resume <= r->next_seq)
        resume = r->next_seq + 1; /* the slot moved on under us: skip at least it */
    r->last_gap_from = r->next_seq;
    r->last_gap_to = resume - 1;
    r->gap_events++;
    r->gap_records += resume - r->next_seq;
    r->next_seq = resume;
    return TF_JR_GAP;
}

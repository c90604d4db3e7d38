/* Seqlock state table: slot assignment and the bounded reader. */
#include "shm/state.h"

#include <inttypes.h>
#include <string.h>

#include "shm/err.h"

uint64_t tf_state_region_size(uint32_t capacity)
{
    return sizeof(tf_state_table) + (uint64_t)capacity * sizeof(tf_state_slot);
}

void tf_state_table_init(tf_state_table *t, uint32_t capacity)
{
    memset(t, 0, tf_state_region_size(capacity));
    t->slot_capacity = capacity;
}

tf_state_slot *tf_state_claim(tf_state_table *t, uint16_t kind, const char *key)
{
    /* A key that would be truncated could never be found again by its name. */
    if (t->slot_count >= t->slot_capacity || kind == 0 || strlen(key) >= TF_STATE_KEY)
        return NULL;
    tf_state_slot *s = &t->slots[t->slot_count];
    ck_sequence_init(&s->seq);
    s->kind = kind;
    tf_copy_name(s->key, sizeof s->key, key);
    /* Release: the slot's kind and key are visible before a reader that
     * sees the new count looks at them. */
    tf_store_release_32(&t->slot_count, t->slot_count + 1);
    return s;
}

int tf_state_table_check(const tf_state_table *t, uint64_t len, const char *where)
{
    if (len < sizeof *t)
        return TF_ERR("%s: the state region holds %" PRIu64 " bytes, less than a table header",
                      where, len);
    uint64_t fit = (len - sizeof *t) / sizeof(tf_state_slot);
    uint32_t cap = t->slot_capacity;
    /* Acquire: the slots counted are complete (tf_state_claim's release). */
    uint32_t n = tf_load_acquire_32((const uint32_t *)&t->slot_count);
    if (cap > fit)
        return TF_ERR("%s: the state table claims %u slots but its region holds %" PRIu64, where,
                      cap, fit);
    if (n > cap)
        return TF_ERR("%s: the state table counts %u slots of %u", where, n, cap);
    for (uint32_t i = 0; i < n; i++) {
        const tf_state_slot *s = &t->slots[i];
        if (memchr(s->key, 0, TF_STATE_KEY) == NULL)
            return TF_ERR("%s: state slot %u has an unterminated key", where, i);
        if (s->length > TF_STATE_PAYLOAD)
            return TF_ERR("%s: state slot %u claims %u payload bytes (at most %u)", where, i,
                          s->length, TF_STATE_PAYLOAD);
    }
    return 0;
}

const tf_state_slot *tf_state_find(const tf_state_table *t, uint16_t kind, const char *key)
{
    /* Acquire: pairs with tf_state_claim's release of the count. */
    uint32_t n = tf_load_acquire_32((const uint32_t *)&t->slot_count);
    if (n > t->slot_capacity)
        n = t->slot_capacity;
    for (uint32_t i = 0; i < n; i++)
        if (t->slots[i].kind == kind && strncmp(t->slots[i].key, key, TF_STATE_KEY) == 0)
            return &t->slots[i];
    return NULL;
}

bool tf_seqlock_copy(const ck_sequence_t *seq, void *out, const void *src, size_t n,
                     uint32_t max_retries)
{
    for (uint32_t attempt = 0; attempt <= max_retries; attempt++) {
        /* Acquire: the copy below reads no older data than this version. */
        unsigned int v = tf_load_acquire_32((const uint32_t *)&seq->sequence);
        if (v & 1) { /* writer inside; wait a little, boundedly */
            tf_cpu_relax();
            continue;
        }
        tf_copy_racy(out, src, n);
        if (!ck_sequence_read_retry((ck_sequence_t *)seq, v))
            return true;
    }
    return false;
}

tf_state_rc tf_state_read(const tf_state_slot *s, void *out, uint32_t cap,
                          uint32_t max_retries, uint64_t *updated_ns)
{
    uint8_t copy[TF_STATE_PAYLOAD];
    for (uint32_t attempt = 0; attempt <= max_retries; attempt++) {
        /* Acquire: pairs with the writer's ck_sequence_write_end. */
        unsigned int v = tf_load_acquire_32((const uint32_t *)&s->seq.sequence);
        if (v & 1) { /* writer inside; wait a little, boundedly */
            tf_cpu_relax();
            continue;
        }
        uint64_t when = tf_load_64((uint64_t *)&s->updated_ns);
        tf_copy_racy(copy, s->payload, TF_STATE_PAYLOAD);
        if (ck_sequence_read_retry(&s->seq, v))
            continue;
        if (v == 0)
            return TF_STATE_EMPTY;
        memcpy(out, copy, cap < TF_STATE_PAYLOAD ? cap : TF_STATE_PAYLOAD);
        if (updated_ns)
            *updated_ns = when;
        return TF_STATE_OK;
    }
    return TF_STATE_TORN;
}

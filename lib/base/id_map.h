/* A fixed-capacity map from a 64-bit id (never 0) to a 32-bit index:
 * open addressing, linear probing, backward-shift deletion (no tombstones,
 * so probe lengths do not grow over a long run). The arrays are the
 * caller's, allocated at start; nothing here allocates. Single thread. */
#ifndef TF_ENGINE_ID_MAP_H
#define TF_ENGINE_ID_MAP_H

#include <stdbool.h>
#include <stdint.h>

typedef struct tf_id_map {
    uint64_t *keys;     /* 0 = empty */
    uint32_t *values;
    uint32_t mask;      /* capacity - 1; capacity a power of two, >= 2x the entries */
    uint32_t count;
} tf_id_map;

static inline uint32_t tf_id_hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (uint32_t)k;
}

static inline bool tf_id_map_get(const tf_id_map *m, uint64_t key, uint32_t *value)
{
    for (uint32_t i = tf_id_hash(key) & m->mask;; i = (i + 1) & m->mask) {
        if (m->keys[i] == key) {
            *value = m->values[i];
            return true;
        }
        if (m->keys[i] == 0)
            return false;
    }
}

/* False if the map is at its load limit (half full). */
static inline bool tf_id_map_put(tf_id_map *m, uint64_t key, uint32_t value)
{
    if (m->count >= (m->mask + 1) / 2)
        return false;
    uint32_t i = tf_id_hash(key) & m->mask;
    while (m->keys[i] != 0 && m->keys[i] != key)
        i = (i + 1) & m->mask;
    if (m->keys[i] == 0)
        m->count++;
    m->keys[i] = key;
    m->values[i] = value;
    return true;
}

static inline void tf_id_map_del(tf_id_map *m, uint64_t key)
{
    uint32_t i = tf_id_hash(key) & m->mask;
    while (m->keys[i] != key) {
        if (m->keys[i] == 0)
            return;
        i = (i + 1) & m->mask;
    }
    m->count--;
    /* Shift back every entry of the run that would no longer be found. */
    for (uint32_t j = (i + 1) & m->mask; m->keys[j] != 0; j = (j + 1) & m->mask) {
        uint32_t home = tf_id_hash(m->keys[j]) & m->mask;
        /* Move j to the hole i if its home is not in (i, j]. */
        bool in_between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!in_between) {
            m->keys[i] = m->keys[j];
            m->values[i] = m->values[j];
            i = j;
        }
    }
    m->keys[i] = 0;
}

#endif

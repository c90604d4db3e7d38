/* The algo stage's store: each running parent's parameters in a file
 * mapped into memory (a store into the page cache, no system call; it
 * survives a crash of the process), so a restart can find the parents
 * that were running and resume or stop them (orders.algo_on_restart).
 * What they had filled comes from the order journal, not from here.
 *
 * PROMISES
 * - A record is written whole before its `used` flag is set, and cleared
 *   by that flag alone; a file of another version or capacity is refused
 *   with a message saying so (it is not overwritten: a parent may be in it).
 * One writer: the algo stage's thread (and the engine before it runs). */
#ifndef TF_ENGINE_ALGO_STORE_H
#define TF_ENGINE_ALGO_STORE_H

#include <stdint.h>

#include "shm/parents.h"

#define TF_ALGO_STORE_VERSION 1u

typedef struct tf_algo_store_rec {
    uint32_t used;
    uint32_t strategy;
    uint64_t parent_id;
    int64_t arrival_mid;         /* once known (0: not yet) */
    tf_algo_params params;
} tf_algo_store_rec;

typedef struct tf_algo_store_file {
    char magic[8];               /* "TFALGO\0\0" */
    uint32_t version, capacity;
    tf_algo_store_rec recs[];
} tf_algo_store_file;

typedef struct tf_algo_store {
    tf_algo_store_file *f;
    uint64_t len;
    uint32_t capacity;
} tf_algo_store;

/* Cold: open or create path for `capacity` records. 0, or -1 with TF_ERR. */
int tf_algo_store_open(tf_algo_store *s, const char *path, uint32_t capacity);
void tf_algo_store_close(tf_algo_store *s);
void tf_algo_store_put(tf_algo_store *s, uint32_t k, uint64_t parent_id, uint32_t strategy,
                       const tf_algo_params *p);
void tf_algo_store_arrival(tf_algo_store *s, uint32_t k, int64_t mid);
void tf_algo_store_clear(tf_algo_store *s, uint32_t k);

#endif

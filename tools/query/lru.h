/* A bounded LRU cache of answers: key (the normalised request) → body, with
 * an expiry per entry and a memory limit over keys and bodies together.
 * Single-threaded (the HTTP thread). */
#ifndef TF_TOOLS_QUERY_LRU_H
#define TF_TOOLS_QUERY_LRU_H

#include <stddef.h>
#include <stdint.h>

typedef struct lru_entry lru_entry;

typedef struct lru {
    lru_entry **buckets;
    size_t nbuckets;
    lru_entry *head, *tail;   /* head = most recently used */
    size_t bytes, limit;
    uint64_t hits, misses, evictions;
} lru;

int lru_init(lru *c, size_t limit_bytes);
void lru_free(lru *c);
/* The body for key if present and not expired at now_ns (NULL otherwise). */
const char *lru_get(lru *c, const char *key, uint64_t now_ns, size_t *len, int *status);
/* Store a copy; evicts the least recently used until under the limit. An
 * answer bigger than a quarter of the limit is not cached. */
void lru_put(lru *c, const char *key, const char *body, size_t len, int status, uint64_t expires_ns);

#endif

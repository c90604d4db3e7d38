#include "tools/query/lru.h"

#include <stdlib.h>
#include <string.h>

struct lru_entry {
    lru_entry *next_in_bucket;
    lru_entry *prev, *next;
    uint64_t hash, expires_ns;
    size_t len, cost;
    int status;
    char *key;
    char *body;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

int lru_init(lru *c, size_t limit_bytes)
{
    memset(c, 0, sizeof *c);
    c->limit = limit_bytes;
    c->nbuckets = 4096;
    c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
    return c->buckets ? 0 : -1;
}

static void unlink_list(lru *c, lru_entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void push_front(lru *c, lru_entry *e)
{
    e->next = c->head;
    e->prev = NULL;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (!c->tail)
        c->tail = e;
}

static void drop(lru *c, lru_entry *e)
{
    lru_entry **pp = &c->buckets[e->hash % c->nbuckets];
    while (*pp != e)
        pp = &(*pp)->next_in_bucket;
    *pp = e->next_in_bucket;
    unlink_list(c, e);
    c->bytes -= e->cost;
    free(e->key);
    free(e->body);
    free(e);
}

void lru_free(lru *c)
{
    while (c->head)
        drop(c, c->head);
    free(c->buckets);
    memset(c, 0, sizeof *c);
}

static lru_entry *find(lru *c, const char *key, uint64_t h)
{
    for (lru_entry *e = c->buckets[h % c->nbuckets]; e; e = e->next_in_bucket)
        if (e->hash == h && strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

const char *lru_get(lru *c, const char *key, uint64_t now_ns, size_t *len, int *status)
{
    uint64_t h = hash_str(key);
    lru_entry *e = find(c, key, h);
    if (!e || e->expires_ns <= now_ns) {
        if (e)
            drop(c, e);
        c->misses++;
        return NULL;
    }
    unlink_list(c, e);
    push_front(c, e);
    c->hits++;
    *len = e->len;
    *status = e->status;
    return e->body;
}

void lru_put(lru *c, const char *key, const char *body, size_t len, int status, uint64_t expires_ns)
{
    size_t klen = strlen(key);
    size_t cost = sizeof(lru_entry) + klen + 1 + len;
    uint64_t h = hash_str(key);
    /* The new answer replaces the old one even when it is not kept itself:
     * an older answer for the key must not be served after a newer one. */
    lru_entry *old = find(c, key, h);
    if (old)
        drop(c, old);
    if (cost > c->limit / 4)
        return;
    while (c->tail && c->bytes + cost > c->limit) {
        drop(c, c->tail);
        c->evictions++;
    }
    lru_entry *e = calloc(1, sizeof *e);
    if (!e)
        return;
    e->key = malloc(klen + 1);
    e->body = malloc(len + 1);
    if (!e->key || !e->body) {
        free(e->key);
        free(e->body);
        free(e);
        return;
    }
    memcpy(e->key, key, klen + 1);
    memcpy(e->body, body, len);
    e->body[len] = 0;
    e->len = len;
    e->cost = cost;
    e->hash = h;
    e->status = status;
    e->expires_ns = expires_ns;
    e->next_in_bucket = c->buckets[h % c->nbuckets];
    c->buckets[h % c->nbuckets] = e;
    push_front(c, e);
    c->bytes += cost;
}

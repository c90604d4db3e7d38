/* tfsim matching engine, internal: the book's memory (match_level.c) shared
 * with the operations (match.c). Not for other modules: use match.h.
 *
 * Order pool: free slots on a stack threaded through `next`. Level pool:
 * the same through `next_free`. Level index per side: parallel arrays of
 * sort keys (price for bids, -price for asks) and level indices, ascending
 * by key, so the best level is the last one. Owner table: open addressing,
 * linear probing, backward-shift deletion; an entry with count 0 is empty;
 * at most capacity_owners entries in at least twice as many slots. */
#ifndef TF_TFSIM_MATCH_INT_H
#define TF_TFSIM_MATCH_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "tools/tfsim/exchange/match.h"

#define M_NIL UINT32_MAX

enum { M_FREE = 0, M_OPEN = 1 };

typedef struct m_order {
    uint64_t id, tag;
    int64_t price, qty, filled;
    int64_t display, shown;  /* an iceberg: the tranche size, and what is left of the one resting (0: not one) */
    uint32_t owner;
    uint32_t prev, next;   /* level FIFO (next: free list when free) */
    uint32_t oprev, onext; /* owner list */
    uint32_t level;        /* M_NIL while not resting */
    uint8_t side, type, tif, stp, post_only, state;
} m_order;

typedef struct m_level {
    int64_t price, qty;    /* qty: sum of the leaves of its orders */
    uint32_t head, tail, count, next_free;
} m_level;

typedef struct m_owner {
    uint32_t owner, head, tail, count;
} m_owner;

struct match_book {
    int64_t tick, lot;
    match_event_fn on_event;
    void *ctx;
    bool busy;
    uint64_t trade_id;
    uint64_t refreshes;    /* iceberg tranches shown again */
    /* orders */
    m_order *orders;
    uint32_t cap_orders, free_order, n_orders;
    unsigned slot_bits;
    uint64_t seq, seq_max;
    /* levels */
    m_level *levels;
    uint32_t cap_levels, free_level, n_levels;
    int64_t *key[2];
    uint32_t *lvl[2];
    uint32_t nlv[2];
    /* owners */
    m_owner *owners;
    uint32_t owner_mask, cap_owners, n_owners;
    unsigned owner_shift;
};

static inline int64_t m_key(int side, int64_t price) { return side == MATCH_BUY ? price : -price; }

/* What a resting order shows (and its level counts): all it has open, or
 * an iceberg's current tranche. */
static inline int64_t m_visible(const m_order *o) { return o->display ? o->shown : o->qty - o->filled; }

/* match_level.c: pools, level index, owner table */
uint32_t m_order_alloc(match_book *b);       /* M_NIL when full; sets id */
void m_order_free(match_book *b, uint32_t oi);
uint32_t m_order_find(const match_book *b, uint64_t id); /* M_NIL unless open */
bool m_id_issued(const match_book *b, uint64_t id);
/* The level at price on side, or M_NIL; *pos: its index (or where it goes). */
uint32_t m_level_find(const match_book *b, int side, int64_t price, uint32_t *pos);
uint32_t m_level_add(match_book *b, int side, int64_t price, uint32_t pos); /* M_NIL when full */
void m_level_remove(match_book *b, int side, uint32_t li);
static inline uint32_t m_best(const match_book *b, int side)
{
    return b->nlv[side] ? b->lvl[side][b->nlv[side] - 1] : M_NIL;
}
m_owner *m_owner_find(const match_book *b, uint32_t owner);
bool m_owner_room(const match_book *b, uint32_t owner);
void m_owner_link(match_book *b, uint32_t oi);   /* needs m_owner_room */
void m_owner_unlink(match_book *b, uint32_t oi);
void m_info(const m_order *o, match_order_info *out);

#endif

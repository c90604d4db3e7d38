/* tfsim matching engine: the book's memory and indexes, and the queries.
 *
 * Everything is allocated in match_create. The order pool hands out slots
 * from a free stack and stamps each with a fresh id, (seq << slot_bits) |
 * slot, so a lookup is a mask and a compare. Each side's levels live in a
 * sorted array of keys (ascending; best last) searched by binary search; a
 * level created or removed at the touch moves nothing, deeper ones move the
 * better levels by one slot (12 bytes each). The owner table maps an owner
 * to its list of open orders (open addressing, backward-shift deletion, so
 * no tombstones accumulate as owners come and go). */
#include <stdlib.h>
#include <string.h>

#include "tools/tfsim/exchange/match_int.h"

match_book *match_create(const match_config *cfg)
{
    if (!cfg || cfg->tick <= 0 || cfg->lot <= 0 || cfg->capacity_orders < 2 || cfg->capacity_orders > (1u << 30) ||
        cfg->capacity_levels < 2 || cfg->capacity_levels > (1u << 30) || cfg->capacity_owners > (1u << 20) ||
        !cfg->on_event)
        return NULL;
    match_book *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->tick = cfg->tick;
    b->lot = cfg->lot;
    b->on_event = cfg->on_event;
    b->ctx = cfg->ctx;
    b->cap_orders = cfg->capacity_orders;
    b->cap_levels = cfg->capacity_levels;
    b->cap_owners = cfg->capacity_owners ? cfg->capacity_owners : 1024;
    while ((1u << b->slot_bits) < b->cap_orders)
        b->slot_bits++;
    b->seq_max = UINT64_MAX >> b->slot_bits;
    unsigned obits = 2;
    while ((1u << obits) < 2 * b->cap_owners)
        obits++;
    b->owner_mask = (1u << obits) - 1;
    b->owner_shift = 32 - obits;
    b->orders = calloc(b->cap_orders, sizeof *b->orders);
    b->levels = calloc(b->cap_levels, sizeof *b->levels);
    b->owners = calloc((size_t)b->owner_mask + 1, sizeof *b->owners);
    for (int s = 0; s < 2; s++) {
        b->key[s] = calloc(b->cap_levels, sizeof *b->key[s]);
        b->lvl[s] = calloc(b->cap_levels, sizeof *b->lvl[s]);
    }
    if (!b->orders || !b->levels || !b->owners || !b->key[0] || !b->key[1] || !b->lvl[0] || !b->lvl[1]) {
        match_delete(b);
        return NULL;
    }
    for (uint32_t i = 0; i < b->cap_orders; i++)
        b->orders[i].next = i + 1 < b->cap_orders ? i + 1 : M_NIL;
    for (uint32_t i = 0; i < b->cap_levels; i++)
        b->levels[i].next_free = i + 1 < b->cap_levels ? i + 1 : M_NIL;
    b->free_order = 0;
    b->free_level = 0;
    return b;
}

void match_delete(match_book *b)
{
    if (!b)
        return;
    free(b->orders);
    free(b->levels);
    free(b->owners);
    for (int s = 0; s < 2; s++) {
        free(b->key[s]);
        free(b->lvl[s]);
    }
    free(b);
}

/* ---- orders ---------------------------------------------------------------- */

uint32_t m_order_alloc(match_book *b)
{
    uint32_t oi = b->free_order;
    if (oi == M_NIL || b->seq >= b->seq_max)
        return M_NIL;
    m_order *o = &b->orders[oi];
    b->free_order = o->next;
    memset(o, 0, sizeof *o);
    o->id = (++b->seq << b->slot_bits) | oi;
    o->prev = o->next = o->oprev = o->onext = o->level = M_NIL;
    o->state = M_OPEN;
    b->n_orders++;
    return oi;
}

void m_order_free(match_book *b, uint32_t oi)
{
    m_order *o = &b->orders[oi];
    o->state = M_FREE;
    o->id = 0;
    o->next = b->free_order;
    b->free_order = oi;
    b->n_orders--;
}

uint32_t m_order_find(const match_book *b, uint64_t id)
{
    uint64_t slot = id & ((1ull << b->slot_bits) - 1);
    if (id == 0 || slot >= b->cap_orders)
        return M_NIL;
    const m_order *o = &b->orders[slot];
    return o->state == M_OPEN && o->id == id ? (uint32_t)slot : M_NIL;
}

bool m_id_issued(const match_book *b, uint64_t id)
{
    uint64_t seq = id >> b->slot_bits, slot = id & ((1ull << b->slot_bits) - 1);
    return seq >= 1 && seq <= b->seq && slot < b->cap_orders;
}

void m_info(const m_order *o, match_order_info *out)
{
    *out = (match_order_info){.id = o->id, .tag = o->tag, .owner = o->owner, .side = o->side, .type = o->type,
                              .tif = o->tif, .stp = o->stp, .post_only = o->post_only != 0, .price = o->price,
                              .qty = o->qty, .filled = o->filled, .leaves = o->qty - o->filled,
                              .display = o->display, .shown = m_visible(o)};
}

/* ---- levels ---------------------------------------------------------------- */

uint32_t m_level_find(const match_book *b, int side, int64_t price, uint32_t *pos)
{
    const int64_t *key = b->key[side];
    int64_t k = m_key(side, price);
    uint32_t lo = 0, hi = b->nlv[side];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (key[mid] < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return lo < b->nlv[side] && key[lo] == k ? b->lvl[side][lo] : M_NIL;
}

uint32_t m_level_add(match_book *b, int side, int64_t price, uint32_t pos)
{
    uint32_t li = b->free_level;
    if (li == M_NIL)
        return M_NIL;
    m_level *l = &b->levels[li];
    b->free_level = l->next_free;
    *l = (m_level){.price = price, .head = M_NIL, .tail = M_NIL, .next_free = M_NIL};
    uint32_t n = b->nlv[side];
    memmove(&b->key[side][pos + 1], &b->key[side][pos], (n - pos) * sizeof(int64_t));
    memmove(&b->lvl[side][pos + 1], &b->lvl[side][pos], (n - pos) * sizeof(uint32_t));
    b->key[side][pos] = m_key(side, price);
    b->lvl[side][pos] = li;
    b->nlv[side] = n + 1;
    b->n_levels++;
    return li;
}

void m_level_remove(match_book *b, int side, uint32_t li)
{
    uint32_t n = b->nlv[side], pos = n - 1;
    if (b->lvl[side][pos] != li)
        m_level_find(b, side, b->levels[li].price, &pos);
    memmove(&b->key[side][pos], &b->key[side][pos + 1], (n - pos - 1) * sizeof(int64_t));
    memmove(&b->lvl[side][pos], &b->lvl[side][pos + 1], (n - pos - 1) * sizeof(uint32_t));
    b->nlv[side] = n - 1;
    b->levels[li].next_free = b->free_level;
    b->free_level = li;
    b->n_levels--;
}

/* ---- owners ---------------------------------------------------------------- */

static uint32_t owner_hash(const match_book *b, uint32_t owner) { return (owner * 0x9E3779B1u) >> b->owner_shift; }

m_owner *m_owner_find(const match_book *b, uint32_t owner)
{
    for (uint32_t i = owner_hash(b, owner);; i = (i + 1) & b->owner_mask) {
        m_owner *e = &b->owners[i];
        if (e->count == 0)
            return NULL;
        if (e->owner == owner)
            return e;
    }
}

bool m_owner_room(const match_book *b, uint32_t owner)
{
    return b->n_owners < b->cap_owners || m_owner_find(b, owner) != NULL;
}

void m_owner_link(match_book *b, uint32_t oi)
{
    m_order *o = &b->orders[oi];
    uint32_t i = owner_hash(b, o->owner);
    while (b->owners[i].count && b->owners[i].owner != o->owner)
        i = (i + 1) & b->owner_mask;
    m_owner *e = &b->owners[i];
    if (e->count == 0) {
        *e = (m_owner){.owner = o->owner, .head = M_NIL, .tail = M_NIL};
        b->n_owners++;
    }
    o->oprev = e->tail;
    o->onext = M_NIL;
    if (e->tail != M_NIL)
        b->orders[e->tail].onext = oi;
    else
        e->head = oi;
    e->tail = oi;
    e->count++;
}

void m_owner_unlink(match_book *b, uint32_t oi)
{
    m_order *o = &b->orders[oi];
    m_owner *e = m_owner_find(b, o->owner);
    if (o->oprev != M_NIL)
        b->orders[o->oprev].onext = o->onext;
    else
        e->head = o->onext;
    if (o->onext != M_NIL)
        b->orders[o->onext].oprev = o->oprev;
    else
        e->tail = o->oprev;
    o->oprev = o->onext = M_NIL;
    if (--e->count)
        return;
    /* The entry is empty now: shift later members of its probe run back. */
    b->n_owners--;
    uint32_t i = (uint32_t)(e - b->owners), j = i;
    for (;;) {
        j = (j + 1) & b->owner_mask;
        m_owner *f = &b->owners[j];
        if (f->count == 0)
            return;
        uint32_t h = owner_hash(b, f->owner);
        /* f may move to i unless its home h lies cyclically in (i, j]. */
        bool stays = i <= j ? (h > i && h <= j) : (h > i || h <= j);
        if (!stays) {
            b->owners[i] = *f;
            f->count = 0;
            i = j;
        }
    }
}

/* ---- queries --------------------------------------------------------------- */

bool match_best(const match_book *b, int side, int64_t *price, int64_t *qty)
{
    if (side != MATCH_BUY && side != MATCH_SELL)
        return false;
    uint32_t li = m_best(b, side);
    if (li == M_NIL)
        return false;
    if (price)
        *price = b->levels[li].price;
    if (qty)
        *qty = b->levels[li].qty;
    return true;
}

uint32_t match_levels(const match_book *b, int side, match_level_info *out, uint32_t max)
{
    if (side != MATCH_BUY && side != MATCH_SELL)
        return 0;
    uint32_t n = b->nlv[side], k = 0;
    for (; k < max && k < n; k++) {
        const m_level *l = &b->levels[b->lvl[side][n - 1 - k]];
        out[k] = (match_level_info){.price = l->price, .qty = l->qty, .orders = l->count};
    }
    return k;
}

bool match_front(const match_book *b, int side, match_order_info *out)
{
    if (side != MATCH_BUY && side != MATCH_SELL)
        return false;
    uint32_t li = m_best(b, side);
    if (li == M_NIL)
        return false;
    m_info(&b->orders[b->levels[li].head], out);
    return true;
}

bool match_order_get(const match_book *b, uint64_t id, match_order_info *out)
{
    uint32_t oi = m_order_find(b, id);
    if (oi == M_NIL)
        return false;
    if (out)
        m_info(&b->orders[oi], out);
    return true;
}

uint32_t match_owner_each(const match_book *b, uint32_t owner, void (*fn)(void *ctx, const match_order_info *o),
                          void *ctx)
{
    const m_owner *e = m_owner_find(b, owner);
    uint32_t n = 0;
    for (uint32_t oi = e ? e->head : M_NIL; oi != M_NIL; oi = b->orders[oi].onext, n++) {
        if (fn) {
            match_order_info info;
            m_info(&b->orders[oi], &info);
            fn(ctx, &info);
        }
    }
    return n;
}

uint32_t match_open_orders(const match_book *b) { return b->n_orders; }
uint64_t match_last_trade_id(const match_book *b) { return b->trade_id; }
int64_t match_tick(const match_book *b) { return b->tick; }
int64_t match_lot(const match_book *b) { return b->lot; }

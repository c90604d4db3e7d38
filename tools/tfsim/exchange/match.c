/* tfsim matching engine: the operations (see match.h for the promises).
 *
 * Every operation validates first and changes nothing when it refuses: a
 * single REJECTED event. Capacity is checked before anything happens too
 * (an order slot, room in the owner table and, if the order could rest, a
 * level for its price), so an accepted order never fails half-way. An
 * incoming order (new, or a resting order replaced at a new price) goes
 * through run(): the FOK pre-check (walks the opposite side without touching
 * it), take() (the match loop: always the head of the best opposite level,
 * so time priority is the level's FIFO and price priority the index order),
 * then its remainder rests (GTC limit), expires, or it is done. Each fill
 * updates both orders and the level, frees a finished maker (and its level
 * if emptied), then emits FILL and LEVEL from a consistent book. */
#include <string.h>

#include "tools/tfsim/exchange/match_int.h"

static void emit(match_book *b, const match_event *ev) { b->on_event(b->ctx, ev); }

static void emit_level(match_book *b, int side, int64_t price, int64_t qty)
{
    match_event ev = {.kind = MATCH_EV_LEVEL, .side = (uint8_t)side, .price = price, .qty = qty};
    emit(b, &ev);
}

static void reject(match_book *b, int op, int why, const match_order_info *req)
{
    match_event ev = {.kind = MATCH_EV_REJECTED, .reason = (uint8_t)why, .op = (uint8_t)op, .order = *req};
    emit(b, &ev);
}

static bool crosses(int side, int64_t limit, int64_t opp_price)
{
    return side == MATCH_BUY ? opp_price <= limit : opp_price >= limit;
}

static bool would_cross(const match_book *b, int side, int64_t price)
{
    uint32_t li = m_best(b, !side);
    return li != M_NIL && crosses(side, price, b->levels[li].price);
}

static bool bad_price(const match_book *b, int64_t px) { return px <= 0 || px % b->tick != 0; }

static bool bad_qty(const match_book *b, int64_t qty) { return qty <= 0 || qty > MATCH_QTY_MAX || qty % b->lot != 0; }

/* Can `add` more rest at side/price? `frees` when the order's own level
 * (at another price) empties on the way. MATCH_OK, BOOK_FULL or BAD_QTY
 * (the level's aggregate would overflow). */
static int level_room(const match_book *b, int side, int64_t price, int64_t add, bool frees)
{
    uint32_t pos, li = m_level_find(b, side, price, &pos);
    if (li != M_NIL)
        return b->levels[li].qty > INT64_MAX - add ? MATCH_R_BAD_QTY : MATCH_OK;
    return b->free_level != M_NIL || frees ? MATCH_OK : MATCH_R_BOOK_FULL;
}

/* Take a resting order out of its level's FIFO (the level goes when
 * empty). Returns the level's new aggregate (0: gone). No event. */
static int64_t unrest(match_book *b, uint32_t oi)
{
    m_order *o = &b->orders[oi];
    uint32_t li = o->level;
    m_level *l = &b->levels[li];
    if (o->prev != M_NIL)
        b->orders[o->prev].next = o->next;
    else
        l->head = o->next;
    if (o->next != M_NIL)
        b->orders[o->next].prev = o->prev;
    else
        l->tail = o->prev;
    o->prev = o->next = o->level = M_NIL;
    l->qty -= m_visible(o);
    if (--l->count == 0)
        m_level_remove(b, o->side, li);
    return l->count ? l->qty : 0;
}

/* Append an order at the back of the level for its price (room checked). */
static void rest(match_book *b, uint32_t oi)
{
    m_order *o = &b->orders[oi];
    uint32_t pos, li = m_level_find(b, o->side, o->price, &pos);
    if (li == M_NIL)
        li = m_level_add(b, o->side, o->price, pos);
    m_level *l = &b->levels[li];
    o->prev = l->tail;
    o->next = M_NIL;
    if (l->tail != M_NIL)
        b->orders[l->tail].next = oi;
    else
        l->head = oi;
    l->tail = oi;
    l->count++;
    if (o->display) /* an iceberg shows a fresh tranche */
        o->shown = o->qty - o->filled < o->display ? o->qty - o->filled : o->display;
    l->qty += m_visible(o);
    o->level = li;
    emit_level(b, o->side, l->price, l->qty);
}

/* The order is finished: out of its owner's list and back to the pool. */
static void drop(match_book *b, uint32_t oi)
{
    m_owner_unlink(b, oi);
    m_order_free(b, oi);
}

/* CANCELED or EXPIRED for a not resting order's remainder, then drop it. */
static void finish(match_book *b, uint32_t oi, int kind, int why)
{
    const m_order *o = &b->orders[oi];
    match_event ev = {.kind = (uint8_t)kind, .reason = (uint8_t)why, .qty = o->qty - o->filled};
    m_info(o, &ev.order);
    ev.order.leaves = 0;
    drop(b, oi);
    emit(b, &ev);
}

/* Cancel a resting order: CANCELED then LEVEL. */
static void cancel_resting(match_book *b, uint32_t oi, int why)
{
    int side = b->orders[oi].side;
    int64_t px = b->orders[oi].price, lq = unrest(b, oi);
    finish(b, oi, MATCH_EV_CANCELED, why);
    emit_level(b, side, px, lq);
}

/* Would the incoming order t fill entirely? Walks the opposite side the way
 * take() would (skipping own orders that STP would cancel, stopping at one
 * that would stop the taker) without touching anything. An iceberg's
 * hidden part comes round only after every order of its level has been
 * met, so it counts once the level's walk is through. */
static bool fok_fills(const match_book *b, const m_order *t)
{
    int opp = !t->side;
    int64_t have = 0, need = t->qty - t->filled;
    for (uint32_t k = b->nlv[opp]; k-- > 0;) {
        const m_level *l = &b->levels[b->lvl[opp][k]];
        if (t->type == MATCH_LIMIT && !crosses(t->side, t->price, l->price))
            return false;
        int64_t hidden = 0;
        for (uint32_t mi = l->head; mi != M_NIL; mi = b->orders[mi].next) {
            const m_order *m = &b->orders[mi];
            if (t->owner != MATCH_AGENT && m->owner == t->owner && t->stp != MATCH_STP_NONE) {
                if (t->stp == MATCH_STP_EXPIRE_MAKER)
                    continue;
                return false;
            }
            have += m_visible(m);
            hidden += m->qty - m->filled - m_visible(m);
            if (have >= need)
                return true;
        }
        have += hidden;
        if (have >= need)
            return true;
    }
    return false;
}

/* The match loop for taker oi. Returns true when self-trade prevention
 * stopped it (its remainder must expire). */
static bool take(match_book *b, uint32_t oi)
{
    m_order *t = &b->orders[oi];
    int opp = !t->side;
    while (t->filled < t->qty) {
        uint32_t li = m_best(b, opp);
        if (li == M_NIL)
            break;
        m_level *l = &b->levels[li];
        if (t->type == MATCH_LIMIT && !crosses(t->side, t->price, l->price))
            break;
        uint32_t mi = l->head;
        m_order *m = &b->orders[mi];
        if (t->owner != MATCH_AGENT && m->owner == t->owner && t->stp != MATCH_STP_NONE) {
            if (t->stp != MATCH_STP_EXPIRE_TAKER)
                cancel_resting(b, mi, MATCH_R_STP);
            if (t->stp != MATCH_STP_EXPIRE_MAKER)
                return true;
            continue;
        }
        int64_t q = t->qty - t->filled, mleft = m_visible(m);
        if (mleft < q)
            q = mleft;
        t->filled += q;
        m->filled += q;
        if (m->display)
            m->shown -= q;
        l->qty -= q;
        match_event ev = {.kind = MATCH_EV_FILL, .side = t->side, .trade_id = ++b->trade_id, .price = l->price, .qty = q};
        m_info(t, &ev.order);
        m_info(m, &ev.maker);
        int64_t lq = l->qty;
        bool refresh = m->filled < m->qty && m->display && m->shown == 0;
        if (m->filled == m->qty) {
            lq = unrest(b, mi);
            drop(b, mi);
        } else if (refresh) {
            lq = unrest(b, mi); /* its tranche is gone: the next one goes to the back */
        }
        emit(b, &ev);
        emit_level(b, opp, ev.price, lq);
        if (refresh) {
            b->refreshes++;
            rest(b, mi);
        }
    }
    return false;
}

/* An incoming order after ACCEPTED (or REPLACED at a new price). */
static void run(match_book *b, uint32_t oi)
{
    const m_order *t = &b->orders[oi];
    int why;
    if (t->tif == MATCH_FOK && !fok_fills(b, t))
        why = MATCH_R_FOK;
    else if (take(b, oi))
        why = MATCH_R_STP;
    else if (t->filled == t->qty) {
        drop(b, oi);
        return;
    } else if (t->type == MATCH_LIMIT && t->tif == MATCH_GTC) {
        rest(b, oi);
        return;
    } else
        why = t->type == MATCH_MARKET ? MATCH_R_MARKET : MATCH_R_IOC;
    finish(b, oi, MATCH_EV_EXPIRED, why);
}

static uint64_t submit(match_book *b, const match_new *r, int op, int *why_out)
{
    match_order_info req = {.tag = r->tag, .owner = r->owner, .side = r->side, .type = r->type, .tif = r->tif,
                            .stp = r->stp, .post_only = r->post_only,
                            .price = r->type == MATCH_MARKET ? 0 : r->price, .qty = r->qty, .filled = r->filled,
                            .leaves = r->qty - r->filled};
    bool limit = r->type == MATCH_LIMIT;
    int why = MATCH_OK;
    if (r->side > MATCH_SELL || r->type > MATCH_MARKET || r->tif > MATCH_FOK || r->stp > MATCH_STP_NONE ||
        (!limit && r->post_only))
        why = MATCH_R_BAD_PARAM;
    else if (limit && bad_price(b, r->price))
        why = MATCH_R_BAD_PRICE;
    else if (bad_qty(b, r->qty) || r->filled < 0 || r->filled >= r->qty || r->filled % b->lot != 0 ||
             r->display < 0 || r->display % b->lot != 0 || (r->display && !limit))
        why = MATCH_R_BAD_QTY;
    else if (r->post_only && would_cross(b, r->side, r->price))
        why = MATCH_R_WOULD_TAKE;
    else if (b->free_order == M_NIL || b->seq >= b->seq_max || !m_owner_room(b, r->owner))
        why = MATCH_R_BOOK_FULL;
    else if (limit && r->tif == MATCH_GTC)
        why = level_room(b, r->side, r->price, r->qty - r->filled, false);
    *why_out = why;
    if (why != MATCH_OK) {
        req.leaves = 0;
        reject(b, op, why, &req);
        return 0;
    }
    uint32_t oi = m_order_alloc(b);
    m_order *o = &b->orders[oi];
    o->tag = r->tag;
    o->owner = r->owner;
    o->side = r->side;
    o->type = r->type;
    o->tif = limit ? r->tif : (r->tif == MATCH_FOK ? MATCH_FOK : MATCH_IOC);
    o->stp = r->stp;
    o->post_only = r->post_only;
    o->price = req.price;
    o->qty = r->qty;
    o->filled = r->filled;
    o->display = r->display < r->qty - r->filled ? r->display : 0;
    m_owner_link(b, oi);
    uint64_t id = o->id;
    match_event ev = {.kind = MATCH_EV_ACCEPTED};
    m_info(o, &ev.order);
    emit(b, &ev);
    run(b, oi);
    return id;
}

uint64_t match_submit(match_book *b, const match_new *o)
{
    if (b->busy)
        return 0;
    int why;
    b->busy = true;
    uint64_t id = submit(b, o, MATCH_OP_NEW, &why);
    b->busy = false;
    return id;
}

/* Look up id for an operation by owner: the order's index, or M_NIL with
 * *why set and req filled for the rejection. */
static uint32_t lookup(const match_book *b, uint32_t owner, uint64_t id, match_order_info *req, int *why)
{
    *req = (match_order_info){.id = id, .owner = owner};
    uint32_t oi = m_order_find(b, id);
    if (oi == M_NIL) {
        *why = m_id_issued(b, id) ? MATCH_R_TOO_LATE : MATCH_R_UNKNOWN_ORDER;
        return M_NIL;
    }
    if (b->orders[oi].owner != owner) {
        *why = MATCH_R_NOT_OWNER;
        return M_NIL;
    }
    m_info(&b->orders[oi], req);
    *why = MATCH_OK;
    return oi;
}

int match_cancel(match_book *b, uint32_t owner, uint64_t id)
{
    if (b->busy)
        return MATCH_R_BUSY;
    b->busy = true;
    match_order_info req;
    int why;
    uint32_t oi = lookup(b, owner, id, &req, &why);
    if (oi == M_NIL)
        reject(b, MATCH_OP_CANCEL, why, &req);
    else
        cancel_resting(b, oi, MATCH_R_REQUESTED);
    b->busy = false;
    return why;
}

/* Replace and amend-down (amend: price and tag stay, qty may only shrink). */
static int replace(match_book *b, int op, uint32_t owner, uint64_t id, int64_t px, int64_t qty, uint64_t tag)
{
    match_order_info req;
    int why;
    uint32_t oi = lookup(b, owner, id, &req, &why);
    m_order *o = oi != M_NIL ? &b->orders[oi] : NULL;
    if (o && op == MATCH_OP_AMEND) {
        px = o->price;
        tag = o->tag;
    }
    if (!o) {
        /* why is set */
    } else if (bad_price(b, px))
        why = MATCH_R_BAD_PRICE;
    else if (bad_qty(b, qty) || qty <= o->filled || (op == MATCH_OP_AMEND && qty > o->qty))
        why = MATCH_R_BAD_QTY;
    else if (px != o->price && o->post_only && would_cross(b, o->side, px))
        why = MATCH_R_WOULD_TAKE;
    else if (px != o->price)
        why = level_room(b, o->side, px, qty - o->filled, b->levels[o->level].count == 1);
    else if (qty > o->qty)
        why = level_room(b, o->side, px, qty - o->qty, false);
    if (why != MATCH_OK) {
        reject(b, op, why, &req);
        return why;
    }
    match_event ev = {.kind = MATCH_EV_REPLACED, .price = o->price, .qty = o->qty};
    int side = o->side;
    m_level *l = &b->levels[o->level];
    if (px == o->price) {
        if (qty > o->qty && l->tail != oi) { /* more: to the back of the queue */
            unrest(b, oi);
            o->qty = qty;
            o->tag = tag;
            m_info(o, &ev.order);
            emit(b, &ev);
            rest(b, oi);
            return MATCH_OK;
        }
        int64_t was = m_visible(o);
        o->qty = qty;
        o->tag = tag;
        if (o->display && o->shown > qty - o->filled)
            o->shown = qty - o->filled; /* less open: the tranche shrinks with it */
        l->qty += m_visible(o) - was;
        m_info(o, &ev.order);
        emit(b, &ev);
        if (m_visible(o) != was)
            emit_level(b, side, px, l->qty);
        return MATCH_OK;
    }
    int64_t old_px = o->price, lq = unrest(b, oi);
    o->price = px;
    o->qty = qty;
    o->tag = tag;
    m_info(o, &ev.order);
    emit(b, &ev);
    emit_level(b, side, old_px, lq);
    run(b, oi);
    return MATCH_OK;
}

int match_replace(match_book *b, uint32_t owner, uint64_t id, int64_t new_price, int64_t new_qty, uint64_t new_tag)
{
    if (b->busy)
        return MATCH_R_BUSY;
    b->busy = true;
    int why = replace(b, MATCH_OP_REPLACE, owner, id, new_price, new_qty, new_tag);
    b->busy = false;
    return why;
}

int match_amend_down(match_book *b, uint32_t owner, uint64_t id, int64_t new_qty)
{
    if (b->busy)
        return MATCH_R_BUSY;
    b->busy = true;
    int why = replace(b, MATCH_OP_AMEND, owner, id, 0, new_qty, 0);
    b->busy = false;
    return why;
}

/* Shrink the agent's orders at level li by need, from the back. */
static void agent_shrink(match_book *b, int side, uint32_t li, int64_t need)
{
    for (uint32_t mi = b->levels[li].tail; mi != M_NIL && need > 0;) {
        m_order *m = &b->orders[mi];
        uint32_t prev = m->prev;
        int64_t left = m->qty - m->filled;
        if (m->owner == MATCH_AGENT && left <= need) {
            need -= left;
            cancel_resting(b, mi, MATCH_R_REQUESTED); /* the level goes only with its last order */
        } else if (m->owner == MATCH_AGENT) {
            match_event ev = {.kind = MATCH_EV_REPLACED, .price = m->price, .qty = m->qty};
            int64_t was = m_visible(m);
            m->qty -= need;
            if (m->display && m->shown > m->qty - m->filled)
                m->shown = m->qty - m->filled;
            b->levels[li].qty += m_visible(m) - was;
            need = 0;
            m_info(m, &ev.order);
            emit(b, &ev);
            emit_level(b, side, m->price, b->levels[li].qty);
        }
        mi = prev;
    }
}

int match_agent_level(match_book *b, int side, int64_t price, int64_t qty)
{
    if (b->busy)
        return MATCH_R_BUSY;
    match_order_info req = {.owner = MATCH_AGENT, .side = (uint8_t)side, .price = price, .qty = qty};
    int why = MATCH_OK;
    if (side != MATCH_BUY && side != MATCH_SELL)
        why = MATCH_R_BAD_PARAM;
    else if (bad_price(b, price))
        why = MATCH_R_BAD_PRICE;
    else if (qty < 0 || qty > MATCH_QTY_MAX || qty % b->lot != 0)
        why = MATCH_R_BAD_QTY;
    b->busy = true;
    if (why != MATCH_OK) {
        reject(b, MATCH_OP_AGENT, why, &req);
        b->busy = false;
        return why;
    }
    uint32_t pos, li = m_level_find(b, side, price, &pos);
    int64_t cur = 0;
    for (uint32_t mi = li != M_NIL ? b->levels[li].head : M_NIL; mi != M_NIL; mi = b->orders[mi].next)
        if (b->orders[mi].owner == MATCH_AGENT)
            cur += b->orders[mi].qty - b->orders[mi].filled;
    if (qty > cur) {
        match_new n = {.owner = MATCH_AGENT, .side = (uint8_t)side, .type = MATCH_LIMIT, .tif = MATCH_GTC,
                       .price = price, .qty = qty - cur};
        submit(b, &n, MATCH_OP_AGENT, &why);
    } else if (qty < cur)
        agent_shrink(b, side, li, cur - qty);
    b->busy = false;
    return why;
}

uint32_t match_cancel_owner(match_book *b, uint32_t owner)
{
    if (b->busy)
        return 0;
    b->busy = true;
    uint32_t n = 0;
    for (const m_owner *e; (e = m_owner_find(b, owner)) != NULL; n++)
        cancel_resting(b, e->head, MATCH_R_MASS);
    b->busy = false;
    return n;
}

uint64_t match_refreshes(const match_book *b) { return b->refreshes; }

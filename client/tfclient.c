/* The client library; see include/tradefan/client.h. Cold path throughout:
 * a client process formats, parses and may wait. */
#include "include/tradefan/client.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "shm/catalog.h"
#include "shm/err.h"
#include "shm/fixed.h"
#include "shm/journal.h"
#include "shm/door.h"
#include "shm/records.h"
#include "shm/ring.h"
#include "shm/segment.h"
#include "shm/state.h"

TF_MPSC_PROTOTYPE(tf_request, tf_request)

#define TFC_MAX_INSTRUMENTS 64

struct tfc {
    uint32_t strategy;
    uint64_t next_req;
    tf_segment req_seg, state_seg, orders_seg;
    tf_ring requests;               /* without the order path: the shared MPSC ring (pings) */
    bool order_path;                /* the engine runs it: requests go through a lane from its door */
    char door_path[256];
    int door_sock;                  /* open while we hold the lane (-1: none yet) */
    void *lane_map;
    size_t lane_len;
    tf_ring lane;                   /* our lane: only we and the engine map it */
    tf_door_reply door;             /* what the engine granted (strategy, operator) */
    const tf_state_table *state;
    const tf_order_slot *table;
    const tf_limits_slot *limits;
    const tf_parent_slot *parents;  /* region "parents" (NULL: no algo stage) */
    uint32_t parent_count;
    uint32_t table_count;
    tf_journal orders;
    tf_journal_reader reader;
    uint64_t last_req;              /* the last request sent ... */
    uint64_t last_req_from;         /* ... and the journal sequence its answer cannot precede */
    uint8_t slot[256];
    uint32_t instrument_count;
    tf_md_instrument_info ins[TFC_MAX_INSTRUMENTS];
    char err[512];
};

__attribute__((format(printf, 2, 3))) static uint64_t tfc__fail(tfc *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    return 0;
}

const char *tfc_error(tfc *c) { return c->err; }

static void tfc__close_segs(tfc *c)
{
    if (c->lane_map)
        munmap(c->lane_map, c->lane_len);
    if (c->door_sock >= 0)
        close(c->door_sock); /* the engine reads what we wrote, then frees the lane */
    c->lane_map = NULL;
    c->door_sock = -1;
    tf_segment_close(&c->orders_seg);
    tf_segment_close(&c->state_seg);
    tf_segment_close(&c->req_seg);
}

tfc *tfc_open(const char *instance, const char *dir, uint32_t strategy, char *err, size_t errlen)
{
    tfc *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->req_seg.fd = c->state_seg.fd = c->orders_seg.fd = -1;
    c->door_sock = -1;
    c->strategy = strategy;
    c->next_req = tf_realtime_ns();
    char path[256];
    const char *what = "";
    tf_seg_status st = TF_SEG_OK;
    uint64_t len = 0;
    void *region;
    if (strategy >= TF_MAX_STRATEGIES) {
        snprintf(err, errlen, "strategy id %u is out of range (0..%u)", strategy, TF_MAX_STRATEGIES - 1);
        goto fail;
    }
    /* Read-only first: with the order path nobody but the engine writes the
     * request segment (requests go through a lane from the engine's door). */
    if (tf_segment_path(path, sizeof path, dir, instance, TF_SEG_REQUESTS) != 0 ||
        (st = tf_segment_attach(&c->req_seg, path, TF_SEG_KIND_RINGS)) != TF_SEG_OK) {
        what = TF_SEG_REQUESTS;
        goto seg_fail;
    }
    c->order_path = tf_segment_region(&c->req_seg, TF_REGION_LANES, &len) != NULL;
    if (!c->order_path) { /* pings into the shared ring: it must be ours to write */
        tf_segment_close(&c->req_seg);
        if ((st = tf_segment_attach_writable(&c->req_seg, path, TF_SEG_KIND_RINGS)) != TF_SEG_OK) {
            what = TF_SEG_REQUESTS;
            goto seg_fail;
        }
    }
    if (tf_segment_owner(&c->req_seg, tf_now_ns(), NULL) != TF_OWNER_LIVE) {
        snprintf(err, errlen, "engine '%s' is not running; requests would not be read", instance);
        goto fail;
    }
    region = tf_segment_region(&c->req_seg, TF_REGION_REQUESTS, &len);
    if (!region || tf_ring_attach(&c->requests, region, len) != 0 ||
        c->requests.kind != TF_RING_MPSC || c->requests.record_size != sizeof(struct tf_request)) {
        snprintf(err, errlen, "%s: not a request ring of this version", path);
        goto fail;
    }
    /* The lane comes from the engine's door at the first request (a
     * process that only reads needs none, and may not be allowed one). */
    if (c->order_path && tf_segment_path(c->door_path, sizeof c->door_path, dir, instance, TF_DOOR_NAME) != 0) {
        snprintf(err, errlen, "door path too long");
        goto fail;
    }
    if (tf_segment_path(path, sizeof path, dir, instance, TF_SEG_STATE) != 0 ||
        (st = tf_segment_attach(&c->state_seg, path, TF_SEG_KIND_STATE)) != TF_SEG_OK) {
        what = TF_SEG_STATE;
        goto seg_fail;
    }
    c->state = tf_segment_region(&c->state_seg, TF_REGION_STATE, NULL);
    if (!c->state) {
        snprintf(err, errlen, "%s: no state region", path);
        goto fail;
    }
    /* Without the order path only pings make sense; order calls say so. */
    c->table = tf_segment_region(&c->state_seg, TF_REGION_ORDERS, &len);
    c->table_count = c->table ? (uint32_t)(len / sizeof(tf_order_slot)) : 0;
    c->limits = tf_segment_region(&c->state_seg, TF_REGION_LIMITS, NULL);
    c->parents = tf_segment_region(&c->state_seg, TF_REGION_PARENTS, &len);
    c->parent_count = c->parents ? (uint32_t)(len / sizeof(tf_parent_slot)) : 0;
    if (c->table) {
        if (tf_segment_path(path, sizeof path, dir, instance, TF_SEG_ORDERS) != 0 ||
            (st = tf_segment_attach(&c->orders_seg, path, TF_SEG_KIND_JOURNAL)) != TF_SEG_OK ||
            tf_journal_attach(&c->orders, &c->orders_seg) != 0) {
            what = TF_SEG_ORDERS;
            goto seg_fail;
        }
        /* Records are copied whole into c->slot: a journal of larger slots
         * (another build, or a corrupt descriptor) would overrun it. */
        if (c->orders.slot_size > sizeof c->slot) {
            snprintf(err, errlen, "%s: order journal slots of %u bytes; this client reads at most %zu",
                     path, c->orders.slot_size, sizeof c->slot);
            goto fail;
        }
        tf_journal_reader_init(&c->reader, &c->orders, TF_JOURNAL_FROM_LIVE);
    }
    for (uint32_t i = 0; i < c->state->slot_count && i < c->state->slot_capacity; i++) {
        const tf_state_slot *s = &c->state->slots[i];
        tf_md_instrument_info info;
        /* A precision beyond what tf_fixed handles is a corrupt slot: prices
         * of that instrument could be neither parsed nor shown, so it is
         * left unknown rather than used at a made-up scale. */
        if (s->kind == TF_STATE_INSTRUMENT && c->instrument_count < TFC_MAX_INSTRUMENTS &&
            tf_state_read(s, &info, sizeof info, 1000, NULL) == TF_STATE_OK &&
            info.id < TFC_MAX_INSTRUMENTS && tf_fixed_precision_ok(info.price_precision) &&
            tf_fixed_precision_ok(info.qty_precision)) {
            info.symbol[sizeof info.symbol - 1] = 0; /* compared with strcasecmp */
            info.venue[sizeof info.venue - 1] = 0;
            c->ins[info.id] = info;
            if (info.id + 1 > c->instrument_count)
                c->instrument_count = info.id + 1;
        }
    }
    return c;
seg_fail:
    if (st == TF_SEG_NOT_THERE)
        snprintf(err, errlen, "no engine '%s' in %s (is it running?)", instance, dir);
    else
        snprintf(err, errlen, "segment %s: %s", what, tf_err_msg());
fail:
    tfc__close_segs(c);
    free(c);
    return NULL;
}

void tfc_close(tfc *c)
{
    if (!c)
        return;
    tfc__close_segs(c);
    free(c);
}

int tfc_alive(tfc *c)
{
    return tf_segment_owner(&c->req_seg, tf_now_ns(), NULL) == TF_OWNER_LIVE;
}

int tfc_instrument(tfc *c, const char *symbol)
{
    for (uint32_t i = 0; i < c->instrument_count; i++)
        if (c->ins[i].symbol[0] && strcasecmp(c->ins[i].symbol, symbol) == 0)
            return (int)i;
    return -1;
}

const char *tfc_symbol(tfc *c, int i)
{
    return i >= 0 && (uint32_t)i < c->instrument_count ? c->ins[i].symbol : "?";
}

static int tfc__units(tfc *c, int i, const char *text, unsigned prec, int64_t *out)
{
    if (!text || i < 0 || (uint32_t)i >= c->instrument_count) {
        tfc__fail(c, "a price or quantity is missing");
        return -1;
    }
    tf_fixed_rc rc = tf_fixed_parse(text, strlen(text), prec, out);
    if (rc == TF_FIXED_OK)
        return 0;
    tfc__fail(c, "%s \"%s\" %s", prec == c->ins[i].price_precision ? "price" : "quantity", text,
              rc == TF_FIXED_PRECISION ? "has more decimals than the instrument allows"
                                       : "is not a decimal number");
    return -1;
}

int tfc_price_units(tfc *c, int i, const char *t, int64_t *out)
{
    return tfc__units(c, i, t, i >= 0 && (uint32_t)i < c->instrument_count ? c->ins[i].price_precision : 0, out);
}

int tfc_qty_units(tfc *c, int i, const char *t, int64_t *out)
{
    return tfc__units(c, i, t, i >= 0 && (uint32_t)i < c->instrument_count ? c->ins[i].qty_precision : 0, out);
}

const char *tfc_price_text(tfc *c, int i, int64_t v, char *buf, size_t cap)
{
    unsigned p = i >= 0 && (uint32_t)i < c->instrument_count ? c->ins[i].price_precision : 0;
    if (!tf_fixed_precision_ok(p) || !tf_fixed_format(buf, cap, v, p))
        snprintf(buf, cap, "?");
    return buf;
}

const char *tfc_qty_text(tfc *c, int i, int64_t v, char *buf, size_t cap)
{
    unsigned p = i >= 0 && (uint32_t)i < c->instrument_count ? c->ins[i].qty_precision : 0;
    if (!tf_fixed_precision_ok(p) || !tf_fixed_format(buf, cap, v, p))
        snprintf(buf, cap, "?");
    return buf;
}

/* ---- requests ------------------------------------------------------------------ */

static uint64_t tfc__send(tfc *c, uint32_t type, const void *body, size_t len)
{
    if (type != TF_REQ_PING && !c->table)
        return tfc__fail(c, "the engine runs without the order path (no risk, oms and paper stages "
                            "in its config)");
    if (c->order_path && c->door_sock < 0 &&
        tf_door_knock(c->door_path, c->strategy, &c->door_sock, &c->lane_map, &c->lane_len, &c->lane, &c->door,
                      c->err, sizeof c->err) != 0)
        return 0; /* the engine's words are in c->err */
    struct tf_request q = {.type = type, .source_id = c->strategy, .client_seq = c->next_req};
    if (body)
        memcpy(q.body, body, len);
    uint64_t give_up = tf_now_ns() + 1000000000ull;
    /* Its answer comes after everything journaled now: tfc_wait starts there. */
    uint64_t from = c->table ? tf_journal_head(&c->orders) + 1 : 0;
    q.t_sent_ns = tf_now_ns();
    while (c->order_path ? !tf_spsc_offer(&c->lane, &q, sizeof q)
                        : !tf_mpsc_offer_tf_request(&c->requests, &q)) {
        if (tf_now_ns() > give_up)
            return tfc__fail(c, "request ring full for 1 s: the engine is not draining it");
        sched_yield();
        q.t_sent_ns = tf_now_ns();
    }
    c->last_req = c->next_req;
    c->last_req_from = from;
    return c->next_req++;
}

static int tfc__pick(const char *s, const char *const *names, int n)
{
    for (int i = 0; s && i < n; i++)
        if (strcasecmp(s, names[i]) == 0)
            return i;
    return -1;
}

uint64_t tfc_new_order(tfc *c, const char *symbol, const char *side, const char *type,
                       const char *tif, const char *price, const char *qty)
{
    static const char *const sides[] = {"buy", "sell"}, *const types[] = {"limit", "market"},
                             *const tifs[] = {"gtc", "ioc", "fok"};
    int i = tfc_instrument(c, symbol);
    if (i < 0)
        return tfc__fail(c, "unknown symbol %s", symbol ? symbol : "(none)");
    tf_req_order b = {.instrument = (uint32_t)i};
    int sd = tfc__pick(side, sides, 2), ty = tfc__pick(type ? type : "limit", types, 2),
        tf = tfc__pick(tif && *tif ? tif : (ty == TF_MARKET ? "ioc" : "gtc"), tifs, 3);
    if (sd < 0 || ty < 0 || tf < 0)
        return tfc__fail(c, "side must be buy|sell, type limit|market, tif gtc|ioc|fok");
    b.side = (uint8_t)sd;
    b.type = (uint8_t)ty;
    b.tif = (uint8_t)tf;
    if (ty == TF_LIMIT && (!price || !*price))
        return tfc__fail(c, "a limit order needs a price");
    if ((ty == TF_LIMIT && tfc_price_units(c, i, price, &b.price) != 0) ||
        tfc_qty_units(c, i, qty, &b.qty) != 0)
        return 0;
    return tfc__send(c, TF_REQ_NEW, &b, sizeof b);
}

uint64_t tfc_cancel(tfc *c, uint64_t order_id)
{
    tf_req_order b = {.order_id = order_id};
    return tfc__send(c, TF_REQ_CANCEL, &b, sizeof b);
}

uint64_t tfc_replace(tfc *c, uint64_t order_id, const char *price, const char *qty)
{
    tf_order o;
    if (!tfc_order(c, order_id, &o))
        return tfc__fail(c, "unknown order %llu", (unsigned long long)order_id);
    tf_req_order b = {.order_id = order_id, .instrument = o.instrument};
    if (tfc_price_units(c, (int)o.instrument, price, &b.price) != 0 ||
        tfc_qty_units(c, (int)o.instrument, qty, &b.qty) != 0)
        return 0;
    return tfc__send(c, TF_REQ_REPLACE, &b, sizeof b);
}

uint64_t tfc_cancel_all(tfc *c) { return tfc__send(c, TF_REQ_CANCEL_ALL, NULL, 0); }

uint64_t tfc_ping(tfc *c) { return tfc__send(c, TF_REQ_PING, NULL, 0); }

uint64_t tfc_set_limit(tfc *c, const char *limit, const char *target, const char *value)
{
    int id = tfc__pick(limit, tf_limit_names, TF_LIM_COUNT);
    if (id <= 0) {
        char known[1024] = "";
        for (int k = 1; k < TF_LIM_COUNT; k++)
            snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", k > 1 ? ", " : "",
                     tf_limit_names[k]);
        return tfc__fail(c, "unknown limit %s (known: %s)", limit ? limit : "(none)", known);
    }
    tf_req_limit b = {.limit = (uint32_t)id};
    int ins = target && *target ? tfc_instrument(c, target) : -1;
    unsigned prec = 0;
    if (id <= TF_LIM_COLLAR_BPS || id == TF_LIM_TRADABLE) {
        if (ins < 0)
            return tfc__fail(c, "limit %s needs a symbol as its target", limit);
        b.target = (uint32_t)ins;
        if (id == TF_LIM_MIN_QTY || id == TF_LIM_MAX_ORDER_QTY || id == TF_LIM_MAX_POSITION)
            prec = c->ins[ins].qty_precision;
        else if (id == TF_LIM_MAX_ORDER_NOTIONAL)
            prec = TF_MONEY_PRECISION;
    } else if (id <= TF_LIM_S_DAILY_LOSS) {
        char *end;
        unsigned long s = target ? strtoul(target, &end, 10) : 0;
        if (!target || !*target || *end)
            return tfc__fail(c, "limit %s needs a strategy id as its target", limit);
        b.target = (uint32_t)s;
        if (id == TF_LIM_S_MAX_ORDER_NOTIONAL || id == TF_LIM_S_MAX_POSITION_NOTIONAL ||
            id == TF_LIM_S_DAILY_LOSS)
            prec = TF_MONEY_PRECISION;
    } else if (id == TF_LIM_G_MAX_GROSS_EXPOSURE || id == TF_LIM_G_DAILY_LOSS) {
        prec = TF_MONEY_PRECISION;
    }
    if (!value || tf_fixed_parse(value, strlen(value), prec, &b.value) != TF_FIXED_OK || b.value < 0)
        return tfc__fail(c, "value %s for %s must be a non-negative decimal with at most %u decimals",
                         value ? value : "(none)", limit, prec);
    return tfc__send(c, TF_REQ_SET_LIMIT, &b, sizeof b);
}

uint64_t tfc_resolve(tfc *c, uint64_t order_id, const char *outcome, const char *qty, const char *price)
{
    static const char *const outcomes[] = {"canceled", "filled"};
    int k = tfc__pick(outcome, outcomes, 2);
    if (k < 0)
        return tfc__fail(c, "the outcome must be canceled or filled");
    tf_req_resolve b = {.order_id = order_id, .outcome = k == 0 ? TF_RESOLVE_CANCELED : TF_RESOLVE_FILLED,
                        .uid = (uint32_t)getuid()};
    if (k == 1) {
        tf_order o;
        if (!tfc_order(c, order_id, &o))
            return tfc__fail(c, "unknown order %llu", (unsigned long long)order_id);
        if (!qty || !price)
            return tfc__fail(c, "filled needs the quantity and the price");
        if (tfc_qty_units(c, (int)o.instrument, qty, &b.qty) != 0 ||
            tfc_price_units(c, (int)o.instrument, price, &b.price) != 0)
            return 0;
    }
    return tfc__send(c, TF_REQ_RESOLVE, &b, sizeof b);
}

uint64_t tfc_session_reset(tfc *c, int session)
{
    tf_req_resolve b = {.order_id = session < 0 ? UINT64_MAX : (uint64_t)session, .uid = (uint32_t)getuid()};
    return tfc__send(c, TF_REQ_SESSION_RESET, &b, sizeof b);
}

uint64_t tfc_kill(tfc *c, int on, int flatten)
{
    tf_req_control b = {.on = on != 0, .flatten = flatten != 0};
    return tfc__send(c, TF_REQ_KILL, &b, sizeof b);
}

uint64_t tfc_set_state(tfc *c, const char *state)
{
    int s = tfc__pick(state, tf_trading_state_names, TF_TS_COUNT);
    if (s < 0)
        return tfc__fail(c, "state must be ACTIVE, REDUCING or HALTED");
    tf_req_control b = {.on = (uint32_t)s};
    return tfc__send(c, TF_REQ_SET_STATE, &b, sizeof b);
}

/* ---- answers ----------------------------------------------------------------------- */

int tfc_has_order_path(tfc *c) { return c->table != NULL; }

int tfc_next_event(tfc *c, tf_order_event *out)
{
    if (!c->table)
        return 0;
    tf_journal_slot *s = (tf_journal_slot *)c->slot;
    for (;;) {
        tf_journal_read_rc rc = tf_journal_read(&c->reader, s);
        if (rc == TF_JR_EMPTY)
            return 0;
        if (rc == TF_JR_GAP) {
            tfc__fail(c, "order journal lapped this client: %llu events missed",
                      (unsigned long long)(c->reader.last_gap_to - c->reader.last_gap_from + 1));
            return -1;
        }
        if (s->type == TF_REC_ORDER_EVENT) {
            memcpy(out, s->payload, sizeof *out);
            return 1;
        }
    }
}

int tfc_wait_venue(tfc *c, uint64_t order_id, int timeout_ms, tf_order_event *out)
{
    if (!c->table)
        return 0;
    tf_journal_reader r;
    tf_journal_reader_init(&r, &c->orders, c->last_req_from);
    tf_journal_slot *s = (tf_journal_slot *)c->slot;
    uint64_t deadline = tf_now_ns() + (uint64_t)timeout_ms * 1000000ull;
    while (tf_now_ns() < deadline) {
        tf_journal_read_rc rc = tf_journal_read(&r, s);
        if (rc == TF_JR_OK && s->type == TF_REC_ORDER_EVENT) {
            const tf_order_event *ev = (const tf_order_event *)s->payload;
            if (ev->order_id == order_id && (ev->kind == TF_EV_NEW || ev->kind == TF_EV_REJECTED ||
                                             ev->kind == TF_EV_FILL || ev->kind == TF_EV_CANCELED ||
                                             ev->kind == TF_EV_EXPIRED || ev->kind == TF_EV_REPLACED ||
                                             ev->kind == TF_EV_CANCEL_REJECTED)) {
                *out = *ev;
                return 1;
            }
            continue;
        }
        if (rc == TF_JR_EMPTY) {
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
        }
    }
    return 0;
}

int tfc_wait(tfc *c, uint64_t req_id, int timeout_ms, tf_order_event *out)
{
    if (!c->table) {
        tfc__fail(c, "the engine runs without the order path");
        return 0;
    }
    tf_journal_reader r = c->reader; /* a private cursor: tfc_next_event keeps every event */
    if (req_id == c->last_req && c->last_req_from > r.next_seq)
        tf_journal_reader_init(&r, &c->orders, c->last_req_from); /* skip what came before it */
    tf_journal_slot *s = (tf_journal_slot *)c->slot;
    uint64_t deadline = tf_now_ns() + (uint64_t)timeout_ms * 1000000ull;
    while (tf_now_ns() < deadline) {
        tf_journal_read_rc rc = tf_journal_read(&r, s);
        if (rc == TF_JR_OK && s->type == TF_REC_ORDER_EVENT) {
            const tf_order_event *ev = (const tf_order_event *)s->payload;
            if (ev->client_req_id == req_id && ev->strategy == c->strategy) {
                *out = *ev;
                return 1;
            }
            continue;
        }
        if (rc == TF_JR_EMPTY) {
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
        }
    }
    tfc__fail(c, "no answer to request %llu within %d ms (is the engine running its order path?)",
              (unsigned long long)req_id, timeout_ms);
    return 0;
}

static int tfc__read_order(const tf_order_slot *s, tf_order *out)
{
    /* The used flag is read inside the same consistent copy as the order. */
    tf_order_slot copy;
    if (!tf_seqlock_copy(&s->seq, &copy, s, sizeof copy, 1000))
        return 0;
    *out = copy.order;
    return copy.used != 0;
}

int tfc_orders(tfc *c, tf_order *out, int max, int open_only)
{
    int n = 0;
    for (uint32_t k = 0; k < c->table_count && n < max; k++) {
        tf_order o;
        if (!tfc__read_order(&c->table[k], &o) || !o.order_id)
            continue;
        bool open = o.state != TF_OS_FILLED && o.state != TF_OS_CANCELED &&
                    o.state != TF_OS_REJECTED && o.state != TF_OS_EXPIRED;
        if (open_only && !open)
            continue;
        out[n++] = o;
    }
    return n;
}

int tfc_order(tfc *c, uint64_t id, tf_order *out)
{
    for (uint32_t k = 0; k < c->table_count; k++) {
        tf_order o;
        if (tfc__read_order(&c->table[k], &o) && o.order_id == id) {
            *out = o;
            return 1;
        }
    }
    return 0;
}

int tfc_positions(tfc *c, int strategy, tf_position *out, int max)
{
    int n = 0;
    for (uint32_t i = 0; i < c->state->slot_count && i < c->state->slot_capacity && n < max; i++) {
        const tf_state_slot *s = &c->state->slots[i];
        if (s->kind != TF_STATE_POSITION)
            continue;
        bool total = strchr(s->key, '/') == NULL;
        if ((strategy < 0) != total)
            continue;
        tf_position p;
        if (tf_state_read(s, &p, sizeof p, 1000, NULL) != TF_STATE_OK)
            continue;
        if (strategy >= 0 && p.strategy != (uint32_t)strategy)
            continue;
        out[n++] = p;
    }
    return n;
}

int tfc_quote(tfc *c, int i, int64_t *bid, int64_t *ask)
{
    const tf_state_slot *s = tf_state_find(c->state, TF_STATE_MD_TOP, tfc_symbol(c, i));
    tf_md_top top;
    if (!s || tf_state_read(s, &top, sizeof top, 1000, NULL) != TF_STATE_OK || top.bid_price <= 0 ||
        top.ask_price <= 0)
        return -1;
    *bid = top.bid_price;
    *ask = top.ask_price;
    return 0;
}

int tfc_risk(tfc *c, tf_risk_status *out)
{
    const tf_state_slot *s = tf_state_find(c->state, TF_STATE_RISK, "risk");
    return s && tf_state_read(s, out, sizeof *out, 1000, NULL) == TF_STATE_OK ? 0 : -1;
}

int tfc_limits(tfc *c, tf_risk_limits *out)
{
    return c->limits && tf_seqlock_copy(&c->limits->seq, out, &c->limits->lim, sizeof *out, 1000) ? 0 : -1;
}

const char *tfc_reason_name(unsigned r) { return r < TF_RJ_REASON_COUNT ? tf_reject_reason_names[r] : "?"; }
const char *tfc_state_name(unsigned s) { return s < TF_OS_COUNT ? tf_ord_state_names[s] : "?"; }
const char *tfc_event_name(unsigned k) { return k < TF_EV_KIND_COUNT ? tf_event_kind_names[k] : "?"; }

/* ---- parent orders ---- */

uint64_t tfc_algo_new(tfc *c, const tf_algo_params *p)
{
    tf_req_algo b;
    tf_req_algo_params x;
    tf_algo_params_split(p, &b, &x);
    /* The parameters first, their id one below the parent's: the gate pairs them. */
    if (!tfc__send(c, TF_REQ_ALGO_PARAMS, &x, sizeof x))
        return 0;
    return tfc__send(c, TF_REQ_ALGO_NEW, &b, sizeof b);
}

uint64_t tfc_algo_control(tfc *c, uint64_t parent_id, int action, int64_t qty, int64_t limit_price,
                          uint64_t end_ns)
{
    tf_req_algo_control b = {.parent_id = parent_id, .action = (uint32_t)action, .qty = qty,
                             .limit_price = limit_price, .end_ns = end_ns};
    return tfc__send(c, TF_REQ_ALGO_CONTROL, &b, sizeof b);
}

int tfc_parents(tfc *c, tf_parent_status *out, int max)
{
    if (!c->parents)
        return -1;
    int n = 0;
    for (uint32_t k = 0; k < c->parent_count && n < max; k++) {
        const tf_parent_slot *s = &c->parents[k];
        tf_parent_status p;
        if (!tf_load_32(&s->used) || !tf_seqlock_copy(&s->seq, &p, &s->p, sizeof p, 1000) || !p.parent_id)
            continue;
        out[n++] = p;
    }
    return n;
}

int tfc_lot_tick(tfc *c, int instrument, int64_t *lot, int64_t *tick)
{
    if (instrument < 0 || (uint32_t)instrument >= c->instrument_count)
        return -1;
    *lot = c->ins[instrument].lot_size;
    *tick = c->ins[instrument].tick_size;
    return 0;
}

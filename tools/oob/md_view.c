/* Market data for people: journal records and state slots as text, with
 * prices and quantities at each instrument's precision. See md_view.h. */
#include "tools/oob/md_view.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "shm/fixed.h"

/* Read every instrument slot of a state table (NULL: none known). */
void md_view_load(md_view *mv, const tf_state_table *st)
{
    memset(mv, 0, sizeof *mv);
    if (!st)
        return;
    uint32_t n = tf_load_32((uint32_t *)&st->slot_count);
    n = n < st->slot_capacity ? n : st->slot_capacity;
    for (uint32_t i = 0; i < n; i++) {
        const tf_state_slot *s = &st->slots[i];
        if (s->kind != TF_STATE_INSTRUMENT)
            continue;
        tf_md_instrument_info in;
        if (tf_state_read(s, &in, sizeof in, 1000, NULL) != TF_STATE_OK || in.id >= MD_VIEW_MAX_INSTRUMENTS)
            continue;
        /* Every consumer formats or scales by these (tf_pow10[p]): an
         * instrument with a precision no engine writes is corrupt, and its
         * figures print as raw units rather than at a made-up scale. */
        if (!tf_fixed_precision_ok(in.price_precision) || !tf_fixed_precision_ok(in.qty_precision))
            continue;
        /* Names are compared and printed as C strings by the exporters. */
        in.symbol[sizeof in.symbol - 1] = 0;
        in.venue[sizeof in.venue - 1] = 0;
        mv->info[in.id] = in;
        if (in.id + 1 > mv->count)
            mv->count = in.id + 1;
    }
}

const tf_md_instrument_info *md_view_get(const md_view *mv, uint32_t id)
{
    return id < mv->count && mv->info[id].symbol[0] ? &mv->info[id] : NULL;
}

/* Rotating buffers so several values fit in one printf. */
static char *md_view_buf(void)
{
    static char bufs[24][48];
    static unsigned next;
    return bufs[next++ % 24];
}

const char *md_view_num(int64_t v, unsigned precision)
{
    char *b = md_view_buf();
    /* tfstat passes precisions straight from a slot: refused ones print raw. */
    if (!tf_fixed_precision_ok(precision) || !tf_fixed_format(b, 48, v, precision))
        snprintf(b, 48, "%" PRId64 "u", v);
    return b;
}

const char *md_view_px(const md_view *mv, uint32_t id, int64_t v)
{
    const tf_md_instrument_info *in = md_view_get(mv, id);
    return in ? md_view_num(v, in->price_precision) : md_view_num(v, 0);
}

const char *md_view_vwap(const md_view *mv, uint32_t id, int64_t v)
{
    const tf_md_instrument_info *in = md_view_get(mv, id);
    return md_view_num(v, (in ? in->price_precision : 0) + TF_BAR_VWAP_EXTRA);
}

const char *md_view_qty(const md_view *mv, uint32_t id, int64_t v)
{
    const tf_md_instrument_info *in = md_view_get(mv, id);
    return in ? md_view_num(v, in->qty_precision) : md_view_num(v, 0);
}

const char *md_view_symbol(const md_view *mv, uint32_t id)
{
    const tf_md_instrument_info *in = md_view_get(mv, id);
    if (in) {
        char *b = md_view_buf();
        snprintf(b, 48, "%.*s", (int)sizeof in->symbol, in->symbol);
        return b;
    }
    char *b = md_view_buf();
    snprintf(b, 48, "#%u", id);
    return b;
}

/* Epoch ns as 2026-11-24T21:30:00.123Z. */
const char *md_view_time(uint64_t ns)
{
    char *b = md_view_buf();
    time_t secs = (time_t)(ns / 1000000000u);
    struct tm tm;
    if (!ns || !gmtime_r(&secs, &tm)) {
        snprintf(b, 48, "-");
        return b;
    }
    size_t n = strftime(b, 48, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(b + n, 48 - n, ".%03uZ", (unsigned)(ns / 1000000u % 1000u));
    return b;
}

static void md_view_hops(FILE *f, const tf_md_hops *h)
{
    fprintf(f, " venue_time=%s", md_view_time(h->venue_ns));
    if (h->recv_ns && h->published_ns >= h->recv_ns)
        fprintf(f, " recv_to_journal_ns=%" PRIu64, h->published_ns - h->recv_ns);
}

void md_view_bar(FILE *f, const md_view *mv, const tf_md_bar *b)
{
    uint32_t id = b->instrument;
    fprintf(f, " symbol=%s open_time=%s open_time_ms=%" PRIu64 " rev=%u o=%s h=%s l=%s c=%s v=%s qv=%s vwap=%s"
            " n=%u first_id=%" PRIu64 " last_id=%" PRIu64 " flags=%s%s%s%s",
            md_view_symbol(mv, id), md_view_time(b->open_time_ns), b->open_time_ns / 1000000u, b->revision,
            md_view_px(mv, id, b->open), md_view_px(mv, id, b->high), md_view_px(mv, id, b->low),
            md_view_px(mv, id, b->close), md_view_qty(mv, id, b->volume),
            md_view_num(b->quote_volume, TF_BAR_QUOTE_PRECISION), md_view_vwap(mv, id, b->vwap), b->trade_count,
            b->first_trade_id, b->last_trade_id, b->flags & TF_BAR_CLOSED ? "closed" : "open",
            b->flags & TF_BAR_FLAT ? ",flat" : "", b->flags & TF_BAR_POLICY_FLAT ? ",policy_flat" : "",
            b->flags & TF_BAR_FROM_VENUE ? ",venue" : "");
}

const char *md_view_event_name(uint32_t kind)
{
    switch (kind) {
    case TF_FEED_CONNECTED: return "connected";
    case TF_FEED_DISCONNECTED: return "disconnected";
    case TF_FEED_TRADE_GAP: return "trade_gap";
    case TF_FEED_BOOK_GAP: return "book_gap";
    case TF_FEED_BOOK_SYNCED: return "book_synced";
    case TF_FEED_SERVER_SHUTDOWN: return "server_shutdown";
    case TF_FEED_ROTATE: return "rotate";
    default: return "unknown";
    }
}

/* The fields of one market-data journal record (after "seq=N type=T");
 * returns 0 if `type` is not market data or the payload is too short. */
int md_view_record(FILE *f, const md_view *mv, uint32_t type, const void *payload,
                                 uint32_t len)
{
    switch (type) {
    case TF_REC_MD_TRADE: {
        tf_md_trade t;
        if (len < sizeof t)
            return 0;
        memcpy(&t, payload, sizeof t);
        fprintf(f, " symbol=%s kind=%s id=%" PRIu64 " price=%s qty=%s side=%s trade_time=%s",
                md_view_symbol(mv, t.instrument), t.kind == TF_MD_AGG_TRADE ? "aggTrade" : "trade",
                t.trade_id, md_view_px(mv, t.instrument, t.price), md_view_qty(mv, t.instrument, t.qty),
                t.flags & TF_MD_BUYER_MAKER ? "sell" : "buy", md_view_time(t.trade_time_ns));
        if (t.kind == TF_MD_AGG_TRADE)
            fprintf(f, " first_id=%" PRIu64 " last_id=%" PRIu64, t.first_trade_id, t.last_trade_id);
        if (t.flags & (TF_MD_OUT_OF_ORDER | TF_MD_AFTER_GAP))
            fprintf(f, " flags=%s%s", t.flags & TF_MD_OUT_OF_ORDER ? "out_of_order" : "",
                    t.flags & TF_MD_AFTER_GAP ? ",after_gap" : "");
        md_view_hops(f, &t.hops);
        return 1;
    }
    case TF_REC_MD_QUOTE: {
        tf_md_quote q;
        if (len < sizeof q)
            return 0;
        memcpy(&q, payload, sizeof q);
        uint32_t id = q.instrument;
        fprintf(f, " symbol=%s update_id=%" PRIu64 " bid=%s bid_qty=%s ask=%s ask_qty=%s",
                md_view_symbol(mv, id), q.update_id, md_view_px(mv, id, q.bid_price),
                md_view_qty(mv, id, q.bid_qty), md_view_px(mv, id, q.ask_price), md_view_qty(mv, id, q.ask_qty));
        md_view_hops(f, &q.hops);
        return 1;
    }
    case TF_REC_MD_DEPTH: {
        tf_md_depth d;
        if (len < sizeof d)
            return 0;
        memcpy(&d, payload, sizeof d);
        uint32_t id = d.instrument;
        fprintf(f, " symbol=%s U=%" PRIu64 " u=%" PRIu64 " levels=%u", md_view_symbol(mv, id),
                d.first_update_id, d.final_update_id, d.level_count);
        if (d.flags & TF_MD_DEPTH_CLEAR)
            fprintf(f, " clear");
        else if (d.level_count)
            fprintf(f, " side=%s price=%s qty=%s", d.side == TF_SIDE_BID ? "bid" : "ask",
                    md_view_px(mv, id, d.price), md_view_qty(mv, id, d.qty));
        fprintf(f, " flags=%s%s%s", d.flags & TF_MD_DEPTH_SNAPSHOT ? "snapshot," : "",
                d.flags & TF_MD_DEPTH_FIRST ? "first," : "", d.flags & TF_MD_DEPTH_LAST ? "last" : "");
        return 1;
    }
    case TF_REC_MD_BAR: {
        tf_md_bar b;
        if (len < sizeof b)
            return 0;
        memcpy(&b, payload, sizeof b);
        md_view_bar(f, mv, &b);
        return 1;
    }
    case TF_REC_MD_FEED_EVENT: {
        tf_md_feed_event e;
        if (len < sizeof e)
            return 0;
        memcpy(&e, payload, sizeof e);
        fprintf(f, " event=%s", md_view_event_name(e.kind));
        if (e.kind == TF_FEED_DISCONNECTED)
            fprintf(f, " reason=%s", e.a < TF_FEED_DISC_COUNT ? tf_feed_disconnect_names[e.a] : "?");
        if (e.instrument != UINT32_MAX)
            fprintf(f, " symbol=%s", md_view_symbol(mv, e.instrument));
        fprintf(f, " a=%" PRIu64 " b=%" PRIu64 " time=%s", e.a, e.b, md_view_time(e.realtime_ns));
        return 1;
    }
    default:
        return 0;
    }
}

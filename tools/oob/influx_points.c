#include "tools/oob/influx_points.h"

#include <stdio.h>
#include <string.h>

void influx_points_init(influx_points *ip, const tf_cfg_influx *cfg, const char *instance)
{
    memset(ip, 0, sizeof *ip);
    memcpy(ip->instance, instance, strnlen(instance, sizeof ip->instance - 1));
    static const uint64_t div[] = {1, 1000, 1000000, 1000000000};
    static const uint64_t slots[] = {1000000, 1000, 1, 1};
    ip->precision = cfg->precision;
    ip->divisor = div[cfg->precision];
    ip->trade_slots = slots[cfg->precision];
    ip->trades = cfg->trades;
    ip->top_sample_ns = cfg->top_sample_ns;
}

static bool tags(const influx_points *ip, lp_buf *b, const char *measurement, const tf_md_instrument_info *in)
{
    return lp_measurement(b, measurement) && lp_tag(b, "exchange", in->venue) &&
           lp_tag(b, "instance", ip->instance) && lp_tag(b, "symbol", in->symbol);
}

static int bar(influx_points *ip, lp_buf *b, const tf_md_bar *r, const tf_md_instrument_info *in)
{
    unsigned pp = in->price_precision, qp = in->qty_precision;
    bool ok = tags(ip, b, r->flags & TF_BAR_FROM_VENUE ? "venue_klines" : "market_data", in) &&
              lp_tag(b, "timeframe", "1m") && lp_field_fixed(b, "open", r->open, pp) &&
              lp_field_fixed(b, "high", r->high, pp) && lp_field_fixed(b, "low", r->low, pp) &&
              lp_field_fixed(b, "close", r->close, pp) && lp_field_fixed(b, "volume", r->volume, qp) &&
              lp_field_fixed(b, "vwap", r->vwap, pp + TF_BAR_VWAP_EXTRA) &&
              lp_field_fixed(b, "quote_volume", r->quote_volume, TF_BAR_QUOTE_PRECISION) &&
              lp_field_int(b, "quote_volume_e8", r->quote_volume) &&
              lp_field_int(b, "trades", r->trade_count) && lp_field_int(b, "revision", r->revision) &&
              lp_field_int(b, "first_trade_id", (int64_t)r->first_trade_id) &&
              lp_field_int(b, "last_trade_id", (int64_t)r->last_trade_id) &&
              lp_field_bool(b, "flat", r->flags & TF_BAR_FLAT) &&
              lp_field_int(b, "volume_units", r->volume) && lp_field_int(b, "price_precision", pp) &&
              lp_field_int(b, "qty_precision", qp) &&
              lp_point_end(b, (int64_t)(r->open_time_ns / ip->divisor));
    return ok ? 1 : -1;
}

static int trade(influx_points *ip, lp_buf *b, const tf_md_trade *r, const tf_md_instrument_info *in)
{
    if (r->hops.venue_ns > ip->venue_clock_ns)
        ip->venue_clock_ns = r->hops.venue_ns;
    if (!ip->trades)
        return 0;
    unsigned pp = in->price_precision, qp = in->qty_precision;
    uint64_t ts = r->trade_time_ns / ip->divisor + (ip->trade_slots > 1 ? r->trade_id % ip->trade_slots : 0);
    bool ok = tags(ip, b, "trades", in) && lp_field_fixed(b, "price", r->price, pp) &&
              lp_field_fixed(b, "qty", r->qty, qp) && lp_field_int(b, "id", (int64_t)r->trade_id) &&
              lp_field_bool(b, "buyer_maker", r->flags & TF_MD_BUYER_MAKER) &&
              lp_point_end(b, (int64_t)ts);
    return ok ? 1 : -1;
}

static int quote(influx_points *ip, lp_buf *b, const tf_md_quote *r, const tf_md_instrument_info *in)
{
    if (!ip->top_sample_ns || !ip->venue_clock_ns || r->instrument >= IP_MAX_SAMPLED)
        return 0;
    uint64_t bucket = ip->venue_clock_ns / ip->top_sample_ns;
    if (bucket <= ip->last_bucket[r->instrument])
        return 0;
    unsigned pp = in->price_precision, qp = in->qty_precision;
    bool ok = tags(ip, b, "quotes", in) && lp_field_fixed(b, "bid", r->bid_price, pp) &&
              lp_field_fixed(b, "bid_qty", r->bid_qty, qp) && lp_field_fixed(b, "ask", r->ask_price, pp) &&
              lp_field_fixed(b, "ask_qty", r->ask_qty, qp) &&
              lp_field_int(b, "update_id", (int64_t)r->update_id) &&
              lp_point_end(b, (int64_t)(ip->venue_clock_ns / ip->divisor));
    if (!ok)
        return -1;
    ip->last_bucket[r->instrument] = bucket;
    return 1;
}

static int feed_event(influx_points *ip, lp_buf *b, const tf_md_feed_event *e)
{
    static const char *const kinds[] = {"?", "connected", "disconnected", "trade_gap", "book_gap",
                                        "book_synced", "server_shutdown", "rotate"};
    const char *k = e->kind < sizeof kinds / sizeof *kinds ? kinds[e->kind] : "?";
    bool ok = lp_measurement(b, "feed_events") && lp_tag(b, "instance", ip->instance) && lp_tag(b, "kind", k) &&
              lp_field_int(b, "instrument", e->instrument == UINT32_MAX ? -1 : (int64_t)e->instrument) &&
              lp_field_int(b, "a", (int64_t)e->a) && lp_field_int(b, "b", (int64_t)e->b) &&
              lp_point_end(b, (int64_t)(e->realtime_ns / ip->divisor));
    return ok ? 1 : -1;
}

int influx_points_add(influx_points *ip, lp_buf *b, const tf_journal_slot *rec,
                      const tf_md_instrument_info *in)
{
    size_t start = b->len;
    int n = 0;
    if (rec->type == TF_REC_MD_DEPTH) {
        const tf_md_depth *d = (const void *)rec->payload;
        if (d->hops.venue_ns > ip->venue_clock_ns)
            ip->venue_clock_ns = d->hops.venue_ns;
        return 0;
    }
    if (rec->type == TF_REC_ORDER_EVENT)
        return influx_points_order(ip, b, rec, in);
    if (rec->type == TF_REC_MD_FEED_EVENT) {
        n = feed_event(ip, b, (const void *)rec->payload);
    } else if (rec->type == TF_REC_MD_BAR || rec->type == TF_REC_MD_TRADE || rec->type == TF_REC_MD_QUOTE) {
        if (!in) {
            ip->unknown_instrument++;
            return 0;
        }
        if (rec->type == TF_REC_MD_BAR)
            n = bar(ip, b, (const void *)rec->payload, in);
        else if (rec->type == TF_REC_MD_TRADE)
            n = trade(ip, b, (const void *)rec->payload, in);
        else
            n = quote(ip, b, (const void *)rec->payload, in);
    }
    if (n < 0)
        b->len = start;
    return n;
}

int influx_points_gap(influx_points *ip, lp_buf *b, const char *exporter, uint64_t from_seq,
                      uint64_t to_seq, uint64_t now_realtime_ns)
{
    size_t start = b->len;
    bool ok = lp_measurement(b, "export_gaps") && lp_tag(b, "exporter", exporter) &&
              lp_tag(b, "instance", ip->instance) &&
              lp_field_int(b, "from_seq", (int64_t)from_seq) && lp_field_int(b, "to_seq", (int64_t)to_seq) &&
              lp_field_int(b, "records", (int64_t)(to_seq - from_seq + 1)) &&
              lp_field_int(b, "data_until_ns", (int64_t)ip->venue_clock_ns) &&
              lp_point_end(b, (int64_t)(now_realtime_ns / ip->divisor));
    if (!ok) {
        b->len = start;
        return -1;
    }
    return 1;
}

// bench_decode's simdjson On-Demand baseline: the fields of a Binance
// combined-stream message, found by simdjson (see decode_simdjson.h).
#include "bench/decode_simdjson.h"

#include <cstring>
#include <string_view>

#include <simdjson.h>

using namespace simdjson;

static ondemand::parser parser; // its string buffer holds what get_string() returns until the next message

static bool str(ondemand::object &o, const char *k, sj_str *out)
{
    std::string_view v;
    if (o.find_field_unordered(k).get_string().get(v))
        return false;
    out->p = v.data();
    out->n = v.size();
    return true;
}

static bool u64(ondemand::object &o, const char *k, uint64_t *out)
{
    return !o.find_field_unordered(k).get_uint64().get(*out);
}

static bool levels(ondemand::object &o, const char *k, sj_str (*lv)[2], uint32_t *n)
{
    ondemand::array a;
    if (o.find_field_unordered(k).get_array().get(a))
        return false;
    *n = 0;
    for (auto e : a) {
        ondemand::array pair;
        if (e.get_array().get(pair) || *n >= SJ_MAX_LEVELS)
            return false;
        int i = 0;
        for (auto x : pair) {
            std::string_view v;
            if (i > 1 || x.get_string().get(v))
                return false;
            lv[*n][i].p = v.data();
            lv[*n][i].n = v.size();
            i++;
        }
        if (i != 2)
            return false;
        (*n)++;
    }
    return true;
}

extern "C" int sj_parse(const char *buf, size_t len, sj_fields *f)
{
    ondemand::document doc;
    if (parser.iterate(padded_string_view(buf, len, len + SJ_PADDING)).get(doc))
        return -1;
    ondemand::object root;
    if (doc.get_object().get(root))
        return -1;
    std::string_view stream;
    if (root.find_field_unordered("stream").get_string().get(stream))
        return -1;
    size_t at = stream.find('@');
    if (at == std::string_view::npos)
        return -1;
    std::string_view kind = stream.substr(at + 1);
    ondemand::object d;
    if (root.find_field_unordered("data").get_object().get(d))
        return -1;
    std::memset(f, 0, offsetof(sj_fields, bids));
    if (!str(d, "s", &f->sym))
        return -1;
    if (kind == "trade" || kind == "aggTrade") {
        bool agg = kind[0] == 'a';
        f->kind = agg ? SJ_AGG_TRADE : SJ_TRADE;
        bool m = false;
        if (!u64(d, "E", &f->event_ms) || !u64(d, agg ? "a" : "t", &f->id) || !str(d, "p", &f->px) ||
            !str(d, "q", &f->qty) || !u64(d, "T", &f->trade_ms) || d.find_field_unordered("m").get_bool().get(m))
            return -1;
        if (agg && (!u64(d, "f", &f->first) || !u64(d, "l", &f->last)))
            return -1;
        f->maker = m;
        return 0;
    }
    if (kind == "bookTicker") {
        f->kind = SJ_BOOK_TICKER;
        return u64(d, "u", &f->update_id) && str(d, "b", &f->bid) && str(d, "B", &f->bid_qty) &&
                       str(d, "a", &f->ask) && str(d, "A", &f->ask_qty)
                   ? 0
                   : -1;
    }
    if (kind.substr(0, 5) == "depth") {
        f->kind = SJ_DEPTH;
        return u64(d, "E", &f->event_ms) && u64(d, "U", &f->first_update_id) && u64(d, "u", &f->update_id) &&
                       levels(d, "b", f->bids, &f->nbids) && levels(d, "a", f->asks, &f->nasks)
                   ? 0
                   : -1;
    }
    if (kind.substr(0, 5) == "kline") {
        f->kind = SJ_KLINE;
        ondemand::object k;
        if (d.find_field_unordered("k").get_object().get(k))
            return -1;
        return u64(k, "t", &f->open_ms) && u64(k, "f", &f->first) && u64(k, "L", &f->last) &&
                       str(k, "o", &f->open) && str(k, "c", &f->close) && str(k, "h", &f->high) &&
                       str(k, "l", &f->low) && str(k, "v", &f->volume) && u64(k, "n", &f->count) &&
                       str(k, "q", &f->quote_volume)
                   ? 0
                   : -1;
    }
    return -1;
}

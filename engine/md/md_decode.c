/* Zero-allocation decoder for Binance spot market-data streams (md_decode.h).
 *
 * DESIGN: one validating pass over the object records where each field we
 * care about lies (a span per single-letter key, a few named ones), in any
 * order; unknown keys and their values are skipped (validated, never
 * stored). Then the message kind is decided (stream name, else "e", else
 * the fields bookTicker has) and the spans are converted: decimals through
 * tf_fixed_parse at the instrument's precision, integers checked. Nothing
 * is copied except the numbers that end up in the record. */
#include "engine/md/md_decode.h"

#include <string.h>

#include "shm/common.h"
#include "shm/fixed.h"

const char *const tf_md_reject_names[TF_MD_REJ_COUNT] = {
    [TF_MD_OK] = "ok",
    [TF_MD_REJ_MALFORMED] = "malformed",
    [TF_MD_REJ_UNKNOWN_TYPE] = "unknown_type",
    [TF_MD_REJ_UNKNOWN_SYMBOL] = "unknown_symbol",
    [TF_MD_REJ_MISSING_FIELD] = "missing_field",
    [TF_MD_REJ_BAD_NUMBER] = "bad_number",
    [TF_MD_REJ_PRECISION] = "precision",
    [TF_MD_REJ_TOO_MANY_LEVELS] = "too_many_levels",
};

const char *const tf_md_msg_kind_names[TF_MD_MSG_KIND_COUNT] = {
    [TF_MD_MSG_NONE] = "none",           [TF_MD_MSG_TRADE] = "trade",
    [TF_MD_MSG_AGG_TRADE] = "aggTrade",  [TF_MD_MSG_BOOK_TICKER] = "bookTicker",
    [TF_MD_MSG_DEPTH] = "depthUpdate",   [TF_MD_MSG_KLINE] = "kline",
    [TF_MD_MSG_SERVER_SHUTDOWN] = "serverShutdown", [TF_MD_MSG_RESPONSE] = "response",
    [TF_MD_MSG_ERROR] = "error",
};

#include "engine/md/json_scan.h"

/* ---- conversions ---------------------------------------------------------- */

static inline int tf__str_eq(const tf__span *s, const char *lit, size_t n)
{
    return s && s->type == J_STR && s->len == n && memcmp(s->p, lit, n) == 0;
}

/* A non-negative JSON integer (no fraction, no exponent) that fits uint64. */
static tf_md_reject tf__uint(const tf__span *s, uint64_t *out)
{
    if (!s || s->type != J_NUM)
        return TF_MD_REJ_MISSING_FIELD;
    uint64_t v = 0;
    if (s->len == 0 || s->p[0] == '-')
        return TF_MD_REJ_BAD_NUMBER;
    for (uint32_t i = 0; i < s->len; i++) {
        char ch = s->p[i];
        if (ch < '0' || ch > '9')
            return TF_MD_REJ_BAD_NUMBER;
        uint64_t d = (uint64_t)(ch - '0');
        if (v > (UINT64_MAX - d) / 10)
            return TF_MD_REJ_BAD_NUMBER;
        v = v * 10 + d;
    }
    *out = v;
    return TF_MD_OK;
}

static tf_md_reject tf__int(const tf__span *s, int64_t *out)
{
    if (!s || s->type != J_NUM)
        return TF_MD_REJ_MISSING_FIELD;
    tf__span t = *s;
    int neg = t.len && t.p[0] == '-';
    if (neg) {
        t.p++;
        t.len--;
    }
    uint64_t v;
    tf_md_reject rc = tf__uint(&t, &v);
    if (rc != TF_MD_OK || v > (uint64_t)INT64_MAX)
        return TF_MD_REJ_BAD_NUMBER;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return TF_MD_OK;
}

/* Milliseconds to ns, refusing values that would overflow. */
static tf_md_reject tf__ms(const tf__span *s, uint64_t *ns)
{
    uint64_t ms;
    tf_md_reject rc = tf__uint(s, &ms);
    if (rc != TF_MD_OK)
        return rc;
    if (ms > UINT64_MAX / 1000000u)
        return TF_MD_REJ_BAD_NUMBER;
    *ns = ms * 1000000u;
    return TF_MD_OK;
}

static tf_md_reject tf__dec(const tf__span *s, unsigned precision, int64_t *out)
{
    if (!s || s->type != J_STR)
        return TF_MD_REJ_MISSING_FIELD;
    switch (tf_fixed_parse(s->p, s->len, precision, out)) {
    case TF_FIXED_OK: return TF_MD_OK;
    case TF_FIXED_PRECISION: return TF_MD_REJ_PRECISION;
    default: return TF_MD_REJ_BAD_NUMBER;
    }
}

/* A decimal rounded half up to `precision` (a kline's quote volume). */
static tf_md_reject tf__dec_rounded(const tf__span *s, unsigned precision, int64_t *out)
{
    if (!s || s->type != J_STR)
        return TF_MD_REJ_MISSING_FIELD;
    const char *dot = memchr(s->p, '.', s->len);
    if (!dot || (uint32_t)(dot - s->p) + 1 + precision >= s->len)
        return tf__dec(s, precision, out);
    uint32_t keep = (uint32_t)(dot - s->p) + 1 + precision; /* characters kept */
    int64_t v;
    if (tf_fixed_parse(s->p, keep - (precision == 0), precision, &v) != TF_FIXED_OK)
        return TF_MD_REJ_BAD_NUMBER;
    for (uint32_t i = keep; i < s->len; i++)
        if (s->p[i] < '0' || s->p[i] > '9')
            return TF_MD_REJ_BAD_NUMBER;
    if (s->p[keep] >= '5') {
        /* Rounding away from zero can step past the int64 range when the
         * kept digits already sit at its edge ("92233720368547758.075" at
         * 2 decimals): refuse the value rather than overflow. */
        if (s->p[0] == '-' ? v == INT64_MIN : v == INT64_MAX)
            return TF_MD_REJ_BAD_NUMBER;
        v += s->p[0] == '-' ? -1 : 1;
    }
    *out = v;
    return TF_MD_OK;
}

static tf_md_reject tf__symbol(const tf_md_decoder *d, const tf__span *s, const tf_instrument **in)
{
    if (!s || s->type != J_STR)
        return TF_MD_REJ_MISSING_FIELD;
    *in = s->escaped ? NULL : tf_instruments_find(d->reg, s->p, s->len);
    return *in ? TF_MD_OK : TF_MD_REJ_UNKNOWN_SYMBOL;
}

#define TRY(expr)                          \
    do {                                   \
        tf_md_reject rc__ = (expr);        \
        if (rc__ != TF_MD_OK)              \
            return rc__;                   \
    } while (0)

/* [["price","qty"], ...] into levels. */
static tf_md_reject tf__levels(const tf__span *s, const tf_instrument *in, tf_md_level *out, uint32_t max,
                               uint32_t *count)
{
    if (!s || s->type != J_ARR)
        return TF_MD_REJ_MISSING_FIELD;
    tf__cur c = {s->p + 1, s->p + s->len - 1};
    uint32_t n = 0;
    tf__ws(&c);
    while (c.p < c.end) {
        if (*c.p != '[')
            return TF_MD_REJ_MISSING_FIELD;
        c.p++;
        tf__span px, qty;
        if (tf__value(&c, &px) != 0)
            return TF_MD_REJ_MALFORMED;
        tf__ws(&c);
        if (c.p >= c.end || *c.p != ',')
            return TF_MD_REJ_MISSING_FIELD;
        c.p++;
        if (tf__value(&c, &qty) != 0)
            return TF_MD_REJ_MALFORMED;
        tf__ws(&c);
        if (c.p >= c.end || *c.p != ']')
            return TF_MD_REJ_MISSING_FIELD; /* a level is exactly [price, qty] */
        c.p++;
        if (n >= max)
            return TF_MD_REJ_TOO_MANY_LEVELS;
        TRY(tf__dec(&px, in->price_precision, &out[n].price));
        TRY(tf__dec(&qty, in->qty_precision, &out[n].qty));
        n++;
        tf__ws(&c);
        if (c.p < c.end) {
            if (*c.p != ',')
                return TF_MD_REJ_MALFORMED;
            c.p++;
            tf__ws(&c);
        }
    }
    *count = n;
    return TF_MD_OK;
}

/* ---- message kinds -------------------------------------------------------- */

static tf_md_reject tf__trade(const tf_md_decoder *d, const tf__fields *f, int agg, uint64_t recv_ns,
                              tf_md_msg *out)
{
    const tf_instrument *in;
    TRY(tf__symbol(d, tf__get1(f, 's'), &in));
    tf_md_trade *t = &out->u.trade;
    memset(t, 0, sizeof *t);
    t->instrument = in->id;
    t->kind = agg ? TF_MD_AGG_TRADE : TF_MD_TRADE;
    TRY(tf__dec(tf__get1(f, 'p'), in->price_precision, &t->price));
    TRY(tf__dec(tf__get1(f, 'q'), in->qty_precision, &t->qty));
    TRY(tf__ms(tf__get1(f, 'T'), &t->trade_time_ns));
    TRY(tf__ms(tf__get1(f, 'E'), &t->hops.venue_ns));
    if (agg) {
        TRY(tf__uint(tf__get1(f, 'a'), &t->trade_id));
        TRY(tf__uint(tf__get1(f, 'f'), &t->first_trade_id));
        TRY(tf__uint(tf__get1(f, 'l'), &t->last_trade_id));
    } else {
        TRY(tf__uint(tf__get1(f, 't'), &t->trade_id));
        t->first_trade_id = t->last_trade_id = t->trade_id;
    }
    const tf__span *m = tf__get1(f, 'm');
    if (!m || (m->type != J_TRUE && m->type != J_FALSE))
        return TF_MD_REJ_MISSING_FIELD;
    if (m->type == J_TRUE)
        t->flags |= TF_MD_BUYER_MAKER;
    t->hops.recv_ns = recv_ns;
    out->kind = agg ? TF_MD_MSG_AGG_TRADE : TF_MD_MSG_TRADE;
    out->instrument = in->id;
    return TF_MD_OK;
}

static tf_md_reject tf__book_ticker(const tf_md_decoder *d, const tf__fields *f, uint64_t recv_ns,
                                    tf_md_msg *out)
{
    const tf_instrument *in;
    TRY(tf__symbol(d, tf__get1(f, 's'), &in));
    tf_md_quote *q = &out->u.quote;
    memset(q, 0, sizeof *q);
    q->instrument = in->id;
    TRY(tf__uint(tf__get1(f, 'u'), &q->update_id));
    TRY(tf__dec(tf__get1(f, 'b'), in->price_precision, &q->bid_price));
    TRY(tf__dec(tf__get1(f, 'B'), in->qty_precision, &q->bid_qty));
    TRY(tf__dec(tf__get1(f, 'a'), in->price_precision, &q->ask_price));
    TRY(tf__dec(tf__get1(f, 'A'), in->qty_precision, &q->ask_qty));
    if (tf__has1(f, 'E'))
        TRY(tf__ms(tf__get1(f, 'E'), &q->hops.venue_ns));
    q->hops.recv_ns = recv_ns;
    out->kind = TF_MD_MSG_BOOK_TICKER;
    out->instrument = in->id;
    return TF_MD_OK;
}

static tf_md_reject tf__depth(tf_md_decoder *d, const tf__fields *f, tf_md_msg *out)
{
    const tf_instrument *in;
    TRY(tf__symbol(d, tf__get1(f, 's'), &in));
    tf_md_depth_msg *m = &d->depth;
    m->instrument = in->id;
    TRY(tf__ms(tf__get1(f, 'E'), &m->event_time_ns));
    TRY(tf__uint(tf__get1(f, 'U'), &m->first_update_id));
    TRY(tf__uint(tf__get1(f, 'u'), &m->final_update_id));
    if (m->first_update_id > m->final_update_id)
        return TF_MD_REJ_BAD_NUMBER;
    TRY(tf__levels(tf__get1(f, 'b'), in, m->bids, TF_MD_DEPTH_MAX_LEVELS, &m->bid_count));
    TRY(tf__levels(tf__get1(f, 'a'), in, m->asks, TF_MD_DEPTH_MAX_LEVELS, &m->ask_count));
    out->kind = TF_MD_MSG_DEPTH;
    out->instrument = in->id;
    out->depth = m;
    return TF_MD_OK;
}

static tf_md_reject tf__kline(const tf_md_decoder *d, const tf__fields *outer, tf_md_msg *out)
{
    const tf__span *ks = tf__get1(outer, 'k');
    if (!ks || ks->type != J_OBJ)
        return TF_MD_REJ_MISSING_FIELD;
    tf__fields k;
    tf__cur c = {ks->p, ks->p + ks->len};
    if (tf__object(&c, &k, NULL) != 0)
        return TF_MD_REJ_MALFORMED;
    const tf_instrument *in;
    TRY(tf__symbol(d, tf__get1(outer, 's'), &in));
    const tf__span *iv = tf__get1(&k, 'i');
    if (!tf__str_eq(iv, "1m", 2))
        return TF_MD_REJ_UNKNOWN_TYPE; /* bars are 1-minute */
    tf_md_bar *b = &out->u.bar;
    memset(b, 0, sizeof *b);
    b->instrument = in->id;
    b->flags = TF_BAR_FROM_VENUE;
    TRY(tf__ms(tf__get1(&k, 't'), &b->open_time_ns));
    TRY(tf__dec(tf__get1(&k, 'o'), in->price_precision, &b->open));
    TRY(tf__dec(tf__get1(&k, 'h'), in->price_precision, &b->high));
    TRY(tf__dec(tf__get1(&k, 'l'), in->price_precision, &b->low));
    TRY(tf__dec(tf__get1(&k, 'c'), in->price_precision, &b->close));
    TRY(tf__dec(tf__get1(&k, 'v'), in->qty_precision, &b->volume));
    TRY(tf__dec_rounded(tf__get1(&k, 'q'), TF_BAR_QUOTE_PRECISION, &b->quote_volume));
    uint64_t n, first, last;
    TRY(tf__uint(tf__get1(&k, 'n'), &n));
    /* A kline without trades has f = L = -1. */
    int64_t fi, la;
    TRY(tf__int(tf__get1(&k, 'f'), &fi));
    TRY(tf__int(tf__get1(&k, 'L'), &la));
    first = fi < 0 ? 0 : (uint64_t)fi;
    last = la < 0 ? 0 : (uint64_t)la;
    if (n > UINT32_MAX)
        return TF_MD_REJ_BAD_NUMBER;
    b->trade_count = (uint32_t)n;
    b->first_trade_id = first;
    b->last_trade_id = last;
    if (b->volume > 0) {
        /* quote volume (10^-8) / volume (10^-qp) in 10^-(pp + 4): scale by
         * 10^(qp + pp + 4 - 8), on whichever side keeps it whole. */
        int e = (int)(in->qty_precision + in->price_precision + TF_BAR_VWAP_EXTRA) - (int)TF_BAR_QUOTE_PRECISION;
        __int128 num = (__int128)b->quote_volume * (e > 0 ? tf_pow10[e] : 1);
        __int128 den = (__int128)b->volume * (e < 0 ? tf_pow10[-e] : 1);
        __int128 vwap = (num + den / 2) / den;
        /* A huge quote volume over a tiny volume gives a price no int64
         * holds: a bad value, not a silently wrapped one. */
        if (vwap > INT64_MAX || vwap < INT64_MIN)
            return TF_MD_REJ_BAD_NUMBER;
        b->vwap = (int64_t)vwap;
    }
    const tf__span *x = tf__get1(&k, 'x');
    if (!x || (x->type != J_TRUE && x->type != J_FALSE))
        return TF_MD_REJ_MISSING_FIELD;
    if (x->type == J_TRUE)
        b->flags |= TF_BAR_CLOSED;
    out->kind = TF_MD_MSG_KLINE;
    out->instrument = in->id;
    return TF_MD_OK;
}

/* The kind named by a stream ("btcusdt@depth@100ms" -> depth). */
static int tf__stream_kind(const tf__span *s)
{
    const char *at = memchr(s->p, '@', s->len);
    if (!at)
        return TF_MD_MSG_NONE;
    const char *k = at + 1;
    size_t n = (size_t)(s->p + s->len - k);
    if (n == 5 && memcmp(k, "trade", 5) == 0) return TF_MD_MSG_TRADE;
    if (n == 8 && memcmp(k, "aggTrade", 8) == 0) return TF_MD_MSG_AGG_TRADE;
    if (n == 10 && memcmp(k, "bookTicker", 10) == 0) return TF_MD_MSG_BOOK_TICKER;
    if (n >= 5 && memcmp(k, "depth", 5) == 0 && (n == 5 || k[5] == '@')) return TF_MD_MSG_DEPTH;
    if (n >= 6 && memcmp(k, "kline_", 6) == 0) return TF_MD_MSG_KLINE;
    return TF_MD_MSG_NONE;
}

static int tf__event_kind(const tf__span *e)
{
    if (tf__str_eq(e, "trade", 5)) return TF_MD_MSG_TRADE;
    if (tf__str_eq(e, "aggTrade", 8)) return TF_MD_MSG_AGG_TRADE;
    if (tf__str_eq(e, "depthUpdate", 11)) return TF_MD_MSG_DEPTH;
    if (tf__str_eq(e, "kline", 5)) return TF_MD_MSG_KLINE;
    if (tf__str_eq(e, "serverShutdown", 14)) return TF_MD_MSG_SERVER_SHUTDOWN;
    if (tf__str_eq(e, "bookTicker", 10)) return TF_MD_MSG_BOOK_TICKER;
    return TF_MD_MSG_NONE;
}

void tf_md_decoder_init(tf_md_decoder *d, const tf_instruments *reg)
{
    memset(d, 0, sizeof *d);
    d->reg = reg;
}

tf_md_reject tf_md_decode(tf_md_decoder *d, const char *buf, size_t len, uint64_t recv_ns,
                          tf_md_msg *out)
{
    tf__fields top, inner;
    tf__cur c = {buf, buf + len};
    memset(out, 0, offsetof(tf_md_msg, u));
    out->instrument = UINT32_MAX; /* until a message names one */
    out->depth = NULL;
    inner.have_named = 0;
    if (tf__object(&c, &top, &inner) != 0)
        return TF_MD_REJ_MALFORMED;
    tf__ws(&c);
    if (c.p != c.end)
        return TF_MD_REJ_MALFORMED; /* trailing bytes */
    const tf__fields *f = &top;
    int kind = TF_MD_MSG_NONE;
    const tf__span *data = tf__getn(&top, K_DATA);
    const tf__span *stream = tf__getn(&top, K_STREAM);
    if (data && stream) { /* combined-stream wrapper */
        if (data->type != J_OBJ || stream->type != J_STR)
            return TF_MD_REJ_MISSING_FIELD;
        if (!(inner.have_named >> 31)) { /* more than one "data": take the last */
            tf__cur dc = {data->p, data->p + data->len};
            if (tf__object(&dc, &inner, NULL) != 0)
                return TF_MD_REJ_MALFORMED;
        }
        f = &inner;
        kind = tf__stream_kind(stream);
        if (kind == TF_MD_MSG_NONE)
            kind = tf__event_kind(tf__get1(f, 'e'));
    } else if (tf__has1(f, 'e')) {
        kind = tf__event_kind(tf__get1(f, 'e'));
    } else if (tf__has1(f, 'u') && tf__has1(f, 's') && tf__has1(f, 'b') && tf__has1(f, 'B') &&
               tf__has1(f, 'a') && tf__has1(f, 'A')) {
        kind = TF_MD_MSG_BOOK_TICKER;
    } else if (tf__getn(f, K_RESULT) && tf__getn(f, K_ID)) {
        TRY(tf__int(tf__getn(f, K_ID), &out->response_id));
        out->kind = TF_MD_MSG_RESPONSE;
        return TF_MD_OK;
    } else if (tf__getn(f, K_CODE) && tf__getn(f, K_MSG)) {
        TRY(tf__int(tf__getn(f, K_CODE), &out->response_id));
        out->kind = TF_MD_MSG_ERROR;
        return TF_MD_OK;
    }
    switch (kind) {
    case TF_MD_MSG_TRADE: return tf__trade(d, f, 0, recv_ns, out);
    case TF_MD_MSG_AGG_TRADE: return tf__trade(d, f, 1, recv_ns, out);
    case TF_MD_MSG_BOOK_TICKER: return tf__book_ticker(d, f, recv_ns, out);
    case TF_MD_MSG_DEPTH: return tf__depth(d, f, out);
    case TF_MD_MSG_KLINE: return tf__kline(d, f, out);
    case TF_MD_MSG_SERVER_SHUTDOWN:
        out->kind = TF_MD_MSG_SERVER_SHUTDOWN;
        return TF_MD_OK;
    default: return TF_MD_REJ_UNKNOWN_TYPE;
    }
}

tf_md_reject tf_md_decode_snapshot(const tf_instrument *in, const char *buf, size_t len,
                                   tf_md_snapshot *out)
{
    tf__fields f;
    tf__cur c = {buf, buf + len};
    if (tf__object(&c, &f, NULL) != 0)
        return TF_MD_REJ_MALFORMED;
    tf__ws(&c);
    if (c.p != c.end)
        return TF_MD_REJ_MALFORMED;
    out->instrument = in->id;
    TRY(tf__uint(tf__getn(&f, K_LAST_UPDATE_ID), &out->last_update_id));
    TRY(tf__levels(tf__getn(&f, K_BIDS), in, out->bids, TF_MD_SNAPSHOT_MAX_LEVELS, &out->bid_count));
    TRY(tf__levels(tf__getn(&f, K_ASKS), in, out->asks, TF_MD_SNAPSHOT_MAX_LEVELS, &out->ask_count));
    return TF_MD_OK;
}

/* bench_decode: decode throughput per core, ours beside jansson and
 * simdjson On-Demand.
 *
 * The same 4096 distinct messages (a Binance-like mix in combined-stream
 * wrappers: 45 % trades, 20 % aggTrades, 20 % bookTickers, 10 % small
 * depthUpdates, 5 % klines) are decoded by tf_md_decode and by jansson
 * doing the same job: json_loadb, find the stream and data, read every
 * field we read, and turn decimal strings into fixed point with the same
 * tf_fixed_parse; and by simdjson On-Demand finding the same fields
 * (decode_simdjson.cpp, release builds only) turned into the same records
 * the same way. Alternating ours/jansson/simdjson, 3 rounds of about 1 s each,
 * pinned to one CPU; median and spread of messages/s; and the time per
 * message over batches of 32 (p50 ... max).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bench/bench_util.h"
#include "bench/decode_simdjson.h"
#include "engine/md/md_decode.h"
#include "shm/fixed.h"

#define PROG "bench_decode"
#define NMSG 4096
#define BATCH 32

/* Linked in release builds (decode_simdjson.cpp); absent under sanitizers. */
int sj_parse(const char *buf, size_t len, sj_fields *out) __attribute__((weak));

static char *msgs[NMSG]; /* each with SJ_PADDING zero bytes after it, for simdjson */
static size_t lens[NMSG];
static tf_instruments reg;
static tf_md_decoder *dec;
static volatile uint64_t sink;

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void make_messages(void)
{
    const char *syms[] = {"BTCUSDT", "ETHUSDT"};
    const char *lower[] = {"btcusdt", "ethusdt"};
    uint64_t t = 1795557046780ull, id = 3000000000ull;
    for (int i = 0; i < NMSG; i++) {
        char b[1024];
        int s = (int)(rnd() & 1);
        uint64_t px = (s ? 230000 : 4300000) + rnd() % 2000; /* cents */
        uint64_t q = 1 + rnd() % 500000;
        int kind = (int)(rnd() % 100);
        int n;
        t += rnd() % 3;
        if (kind < 45) {
            n = snprintf(b, sizeof b, "{\"stream\":\"%s@trade\",\"data\":{\"e\":\"trade\",\"E\":%" PRIu64
                         ",\"s\":\"%s\",\"t\":%" PRIu64 ",\"p\":\"%" PRIu64 ".%02" PRIu64 "000000\",\"q\":\"0.%08" PRIu64
                         "\",\"T\":%" PRIu64 ",\"m\":%s,\"M\":true}}",
                         lower[s], t, syms[s], ++id, px / 100, px % 100, q * 1000 % 100000000, t,
                         rnd() & 1 ? "true" : "false");
        } else if (kind < 65) {
            n = snprintf(b, sizeof b, "{\"stream\":\"%s@aggTrade\",\"data\":{\"e\":\"aggTrade\",\"E\":%" PRIu64
                         ",\"s\":\"%s\",\"a\":%" PRIu64 ",\"p\":\"%" PRIu64 ".%02" PRIu64 "000000\",\"q\":\"0.%08" PRIu64
                         "\",\"f\":%" PRIu64 ",\"l\":%" PRIu64 ",\"T\":%" PRIu64 ",\"m\":true,\"M\":true}}",
                         lower[s], t, syms[s], id / 2, px / 100, px % 100, q * 1000 % 100000000, id, id + 2, t);
        } else if (kind < 85) {
            n = snprintf(b, sizeof b, "{\"stream\":\"%s@bookTicker\",\"data\":{\"u\":%" PRIu64
                         ",\"s\":\"%s\",\"b\":\"%" PRIu64 ".%02" PRIu64 "000000\",\"B\":\"0.%08" PRIu64 "\",\"a\":\"%" PRIu64
                         ".%02" PRIu64 "000000\",\"A\":\"0.%08" PRIu64 "\"}}",
                         lower[s], id * 3, syms[s], px / 100, px % 100, q * 1000 % 100000000, (px + 1) / 100,
                         (px + 1) % 100, q * 700 % 100000000);
        } else if (kind < 95) {
            n = snprintf(b, sizeof b, "{\"stream\":\"%s@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":%" PRIu64
                         ",\"s\":\"%s\",\"U\":%" PRIu64 ",\"u\":%" PRIu64 ",\"b\":[[\"%" PRIu64 ".%02" PRIu64
                         "000000\",\"0.%08" PRIu64 "\"],[\"%" PRIu64 ".%02" PRIu64 "000000\",\"0.00000000\"]],\"a\":[[\"%" PRIu64
                         ".%02" PRIu64 "000000\",\"0.%08" PRIu64 "\"]]}}",
                         lower[s], t, syms[s], id, id + 3, px / 100, px % 100, q * 1000 % 100000000, (px - 5) / 100,
                         (px - 5) % 100, (px + 3) / 100, (px + 3) % 100, q * 300 % 100000000);
        } else {
            n = snprintf(b, sizeof b, "{\"stream\":\"%s@kline_1m\",\"data\":{\"e\":\"kline\",\"E\":%" PRIu64
                         ",\"s\":\"%s\",\"k\":{\"t\":%" PRIu64 ",\"T\":%" PRIu64 ",\"s\":\"%s\",\"i\":\"1m\",\"f\":%" PRIu64
                         ",\"L\":%" PRIu64 ",\"o\":\"%" PRIu64 ".%02" PRIu64 "000000\",\"c\":\"%" PRIu64 ".%02" PRIu64
                         "000000\",\"h\":\"%" PRIu64 ".%02" PRIu64 "000000\",\"l\":\"%" PRIu64 ".%02" PRIu64
                         "000000\",\"v\":\"12.%08" PRIu64 "\",\"n\":%" PRIu64 ",\"x\":false,\"q\":\"51234.%08" PRIu64
                         "\",\"V\":\"1.00000000\",\"Q\":\"2.00000000\",\"B\":\"0\"}}}",
                         lower[s], t, syms[s], t - t % 60000, t - t % 60000 + 59999, syms[s], id - 100, id, px / 100,
                         px % 100, px / 100, px % 100, (px + 9) / 100, (px + 9) % 100, (px - 9) / 100, (px - 9) % 100,
                         q * 1000 % 100000000, 100 + q % 50, q * 33 % 100000000);
        }
        msgs[i] = calloc(1, (size_t)n + SJ_PADDING);
        memcpy(msgs[i], b, (size_t)n);
        lens[i] = (size_t)n;
    }
}

/* ---- jansson doing the same job ------------------------------------------------ */

static int j_dec(json_t *o, const char *k, unsigned prec, int64_t *out)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_string(v))
        return -1;
    return tf_fixed_parse(json_string_value(v), json_string_length(v), prec, out) == TF_FIXED_OK ? 0 : -1;
}

static int j_int(json_t *o, const char *k, uint64_t *out)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v))
        return -1;
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int j_levels(json_t *a, const tf_instrument *in, tf_md_level *lv, uint32_t *n)
{
    size_t i;
    json_t *e;
    *n = 0;
    if (!json_is_array(a))
        return -1;
    json_array_foreach(a, i, e) {
        json_t *p = json_array_get(e, 0), *q = json_array_get(e, 1);
        if (!json_is_string(p) || !json_is_string(q) || *n >= TF_MD_DEPTH_MAX_LEVELS)
            return -1;
        if (tf_fixed_parse(json_string_value(p), json_string_length(p), in->price_precision, &lv[*n].price) ||
            tf_fixed_parse(json_string_value(q), json_string_length(q), in->qty_precision, &lv[*n].qty))
            return -1;
        (*n)++;
    }
    return 0;
}

static tf_md_depth_msg jdepth;

static int jansson_decode(const char *buf, size_t len, tf_md_msg *out)
{
    json_error_t err;
    json_t *root = json_loadb(buf, len, 0, &err);
    if (!root)
        return -1;
    int rc = -1;
    json_t *stream = json_object_get(root, "stream"), *d = json_object_get(root, "data");
    if (!json_is_string(stream) || !json_is_object(d))
        goto out;
    const char *sn = json_string_value(stream), *at = strchr(sn, '@');
    json_t *sym = json_object_get(d, "s");
    if (!at || !json_is_string(sym))
        goto out;
    const tf_instrument *in = tf_instruments_find(&reg, json_string_value(sym), json_string_length(sym));
    if (!in)
        goto out;
    at++;
    memset(out, 0, sizeof *out);
    if (strcmp(at, "trade") == 0 || strcmp(at, "aggTrade") == 0) {
        tf_md_trade *t = &out->u.trade;
        int agg = at[0] == 'a';
        uint64_t e, tt;
        if (j_dec(d, "p", in->price_precision, &t->price) || j_dec(d, "q", in->qty_precision, &t->qty) ||
            j_int(d, agg ? "a" : "t", &t->trade_id) || j_int(d, "E", &e) || j_int(d, "T", &tt))
            goto out;
        if (agg && (j_int(d, "f", &t->first_trade_id) || j_int(d, "l", &t->last_trade_id)))
            goto out;
        t->trade_time_ns = tt * 1000000;
        t->hops.venue_ns = e * 1000000;
        t->flags = json_is_true(json_object_get(d, "m"));
        out->kind = agg ? TF_MD_MSG_AGG_TRADE : TF_MD_MSG_TRADE;
    } else if (strcmp(at, "bookTicker") == 0) {
        tf_md_quote *q = &out->u.quote;
        if (j_int(d, "u", &q->update_id) || j_dec(d, "b", in->price_precision, &q->bid_price) ||
            j_dec(d, "B", in->qty_precision, &q->bid_qty) || j_dec(d, "a", in->price_precision, &q->ask_price) ||
            j_dec(d, "A", in->qty_precision, &q->ask_qty))
            goto out;
        out->kind = TF_MD_MSG_BOOK_TICKER;
    } else if (strncmp(at, "depth", 5) == 0) {
        uint64_t e;
        if (j_int(d, "U", &jdepth.first_update_id) || j_int(d, "u", &jdepth.final_update_id) ||
            j_int(d, "E", &e) || j_levels(json_object_get(d, "b"), in, jdepth.bids, &jdepth.bid_count) ||
            j_levels(json_object_get(d, "a"), in, jdepth.asks, &jdepth.ask_count))
            goto out;
        out->kind = TF_MD_MSG_DEPTH;
        out->depth = &jdepth;
    } else if (strncmp(at, "kline", 5) == 0) {
        json_t *k = json_object_get(d, "k");
        tf_md_bar *b = &out->u.bar;
        uint64_t t, n, f, l;
        if (!json_is_object(k) || j_int(k, "t", &t) || j_dec(k, "o", in->price_precision, &b->open) ||
            j_dec(k, "h", in->price_precision, &b->high) || j_dec(k, "l", in->price_precision, &b->low) ||
            j_dec(k, "c", in->price_precision, &b->close) || j_int(k, "n", &n) || j_int(k, "f", &f) ||
            j_int(k, "L", &l))
            goto out;
        /* quote volume: the venue's 8 decimals, exact, as ours keeps it */
        if (j_dec(k, "v", in->qty_precision, &b->volume) || j_dec(k, "q", 8, &b->quote_volume))
            goto out;
        b->open_time_ns = t * 1000000;
        b->trade_count = (uint32_t)n;
        b->first_trade_id = f;
        b->last_trade_id = l;
        out->kind = TF_MD_MSG_KLINE;
    } else {
        goto out;
    }
    out->instrument = in->id;
    rc = 0;
out:
    json_decref(root);
    return rc;
}

/* ---- simdjson On-Demand doing the same job ------------------------------------------ */

static tf_md_depth_msg sdepth;
static sj_fields sf;

static int fx(sj_str s, unsigned prec, int64_t *out)
{
    return tf_fixed_parse(s.p, s.n, prec, out) == TF_FIXED_OK ? 0 : -1;
}

static int sj_levels(sj_str (*lv)[2], uint32_t n, const tf_instrument *in, tf_md_level *out, uint32_t *count)
{
    for (uint32_t i = 0; i < n; i++)
        if (fx(lv[i][0], in->price_precision, &out[i].price) || fx(lv[i][1], in->qty_precision, &out[i].qty))
            return -1;
    *count = n;
    return 0;
}

static int simdjson_decode(const char *buf, size_t len, tf_md_msg *out)
{
    if (sj_parse(buf, len, &sf) != 0)
        return -1;
    const tf_instrument *in = tf_instruments_find(&reg, sf.sym.p, sf.sym.n);
    if (!in)
        return -1;
    memset(out, 0, sizeof *out);
    unsigned pp = in->price_precision, qp = in->qty_precision;
    switch (sf.kind) {
    case SJ_TRADE:
    case SJ_AGG_TRADE: {
        tf_md_trade *t = &out->u.trade;
        if (fx(sf.px, pp, &t->price) || fx(sf.qty, qp, &t->qty))
            return -1;
        t->trade_id = sf.id;
        t->first_trade_id = sf.first;
        t->last_trade_id = sf.last;
        t->trade_time_ns = sf.trade_ms * 1000000;
        t->hops.venue_ns = sf.event_ms * 1000000;
        t->flags = (uint8_t)sf.maker;
        out->kind = sf.kind == SJ_TRADE ? TF_MD_MSG_TRADE : TF_MD_MSG_AGG_TRADE;
        break;
    }
    case SJ_BOOK_TICKER: {
        tf_md_quote *q = &out->u.quote;
        if (fx(sf.bid, pp, &q->bid_price) || fx(sf.bid_qty, qp, &q->bid_qty) || fx(sf.ask, pp, &q->ask_price) ||
            fx(sf.ask_qty, qp, &q->ask_qty))
            return -1;
        q->update_id = sf.update_id;
        out->kind = TF_MD_MSG_BOOK_TICKER;
        break;
    }
    case SJ_DEPTH:
        sdepth.first_update_id = sf.first_update_id;
        sdepth.final_update_id = sf.update_id;
        if (sj_levels(sf.bids, sf.nbids, in, sdepth.bids, &sdepth.bid_count) ||
            sj_levels(sf.asks, sf.nasks, in, sdepth.asks, &sdepth.ask_count))
            return -1;
        out->kind = TF_MD_MSG_DEPTH;
        out->depth = &sdepth;
        break;
    case SJ_KLINE: {
        tf_md_bar *b = &out->u.bar;
        if (fx(sf.open, pp, &b->open) || fx(sf.high, pp, &b->high) || fx(sf.low, pp, &b->low) ||
            fx(sf.close, pp, &b->close) || fx(sf.volume, qp, &b->volume) ||
            fx(sf.quote_volume, TF_BAR_QUOTE_PRECISION, &b->quote_volume))
            return -1;
        b->open_time_ns = sf.open_ms * 1000000;
        b->trade_count = (uint32_t)sf.count;
        b->first_trade_id = sf.first;
        b->last_trade_id = sf.last;
        out->kind = TF_MD_MSG_KLINE;
        break;
    }
    default:
        return -1;
    }
    out->instrument = in->id;
    return 0;
}

/* ---- measurement ------------------------------------------------------------------- */

typedef int (*decode_fn)(const char *, size_t, tf_md_msg *);

static int ours(const char *b, size_t n, tf_md_msg *m) { return tf_md_decode(dec, b, n, 1, m) == TF_MD_OK ? 0 : -1; }

/* Decode for about `secs`; returns messages/s, records ns-per-message per batch. */
static double run(decode_fn fn, double secs, tf_hist *h, uint64_t *errors)
{
    tf_md_msg m;
    uint64_t n = 0, start = tf_now_ns(), deadline = start + (uint64_t)(secs * 1e9);
    uint32_t i = 0;
    for (;;) {
        uint64_t t0 = bench_ticks();
        for (int k = 0; k < BATCH; k++, i = (i + 1) & (NMSG - 1)) {
            if (fn(msgs[i], lens[i], &m) != 0)
                (*errors)++;
            sink += m.kind;
        }
        uint64_t t1 = bench_ticks();
        n += BATCH;
        if (h)
            tf_hist_record(h, bench_ticks_to_ns(t1 - t0) / BATCH);
        if ((n & 4095) == 0 && tf_now_ns() >= deadline)
            break;
    }
    return (double)n * 1e9 / (double)(tf_now_ns() - start);
}

int main(void)
{
    bench_calibrate();
    int cpu = bench_pin(PROG, 1);
    tf_instruments_add(&reg, "BTCUSDT", "binance", 2, 8, 1, 1, 0, 0);
    tf_instruments_add(&reg, "ETHUSDT", "binance", 2, 8, 1, 1, 0, 0);
    dec = calloc(1, sizeof *dec);
    if (!dec)
        return 1;
    tf_md_decoder_init(dec, &reg);
    make_messages();
    size_t bytes = 0;
    for (int i = 0; i < NMSG; i++)
        bytes += lens[i];
    printf("decode: %d distinct messages (mean %zu bytes; 45%% trade, 20%% aggTrade, 20%% bookTicker, "
           "10%% depthUpdate, 5%% kline), pinned to CPU %d, ours vs jansson %s\n",
           NMSG, bytes / NMSG, cpu, JANSSON_VERSION);
    bool simd = sj_parse != NULL;
    if (!simd)
        printf("simdjson baseline: linked in release builds only (this is a sanitizer build)\n");
    uint64_t err_ours = 0, err_j = 0, err_s = 0;
    run(ours, 0.2, NULL, &err_ours); /* warm-up */
    run(jansson_decode, 0.2, NULL, &err_j);
    if (simd)
        run(simdjson_decode, 0.2, NULL, &err_s);
    err_ours = err_j = err_s = 0;
    double o[3], j[3], sv[3] = {1, 1, 1};
    tf_hist *ho = bench_hist_new(), *hj = bench_hist_new(), *hs = bench_hist_new();
    for (int r = 0; r < 3; r++) {
        o[r] = run(ours, 1.0, ho, &err_ours);
        j[r] = run(jansson_decode, 1.0, hj, &err_j);
        if (simd)
            sv[r] = run(simdjson_decode, 1.0, hs, &err_s);
        printf("round %d: ours %.2f M msgs/s   jansson %.2f M msgs/s   simdjson %.2f M msgs/s\n", r + 1, o[r] / 1e6,
               j[r] / 1e6, simd ? sv[r] / 1e6 : 0.0);
    }
    double so, sj, ss;
    double mo = bench_median(o, 3, &so), mj = bench_median(j, 3, &sj), ms = bench_median(sv, 3, &ss);
    printf("median: ours %.2f M msgs/s (spread %.1f%%), jansson %.2f M msgs/s (spread %.1f%%), simdjson %.2f M "
           "msgs/s (spread %.1f%%); decode errors ours %" PRIu64 ", jansson %" PRIu64 ", simdjson %" PRIu64 "\n",
           mo / 1e6, so * 100, mj / 1e6, sj * 100, simd ? ms / 1e6 : 0.0, ss * 100, err_ours, err_j, err_s);
    printf("ns per message, averaged over batches of %d messages:\n", BATCH);
    bench_print_hist_header();
    tf_hist_summary s_o, s_j, s_s;
    bench_print_hist("ours", ho, "ns", &s_o);
    bench_print_hist("jansson", hj, "ns", &s_j);
    if (simd)
        bench_print_hist("simdjson", hs, "ns", &s_s);
    printf("\n");
    if (simd) {
        bench_line("decode", "msgs_per_s_vs_simdjson", mo, ms, "simdjson_ondemand", "1/s");
        bench_line("decode", "ns_per_msg_p50_vs_simdjson", (double)s_o.p50, (double)s_s.p50, "simdjson_ondemand", "ns");
        bench_line("decode", "ns_per_msg_p99_vs_simdjson", (double)s_o.p99, (double)s_s.p99, "simdjson_ondemand", "ns");
    }
    bench_line("decode", "msgs_per_s", mo, mj, "jansson", "1/s");
    bench_line("decode", "ns_per_msg_p50", (double)s_o.p50, (double)s_j.p50, "jansson", "ns");
    bench_line("decode", "ns_per_msg_p99", (double)s_o.p99, (double)s_j.p99, "jansson", "ns");
    bench_line("decode", "ns_per_msg_max", (double)s_o.max, (double)s_j.max, "jansson", "ns");
    printf("target: >= 5 M msgs/s per core: %.2f M -> %s\n", mo / 1e6, mo >= 5e6 ? "met" : "MISSED");
    printf("target: >= 10x jansson: %.1fx -> %s\n", mo / mj, mo >= 10 * mj ? "met" : "MISSED");
    for (int i = 0; i < NMSG; i++)
        free(msgs[i]);
    free(dec);
    if (simd)
        printf("target: faster than simdjson On-Demand at p50 and p99: %s\n",
               s_o.p50 < s_s.p50 && s_o.p99 < s_s.p99 ? "met" : "MISSED");
    free(ho);
    free(hj);
    free(hs);
    return err_ours || err_s ? 1 : 0;
}

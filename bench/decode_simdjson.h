/* bench_decode's second baseline, simdjson On-Demand (Debian libsimdjson-dev):
 * the C++ side finds the fields a Binance message has (decode_simdjson.cpp);
 * bench_decode.c turns them into the same fixed-point records as ours, with
 * the same tf_fixed_parse. Plain C types only, so both languages read it.
 * `buf` must have SJ_PADDING readable bytes after `len` (simdjson reads ahead). */
#ifndef TF_BENCH_DECODE_SIMDJSON_H
#define TF_BENCH_DECODE_SIMDJSON_H

#include <stddef.h>
#include <stdint.h>

#define SJ_PADDING 64
#define SJ_MAX_LEVELS 64

enum { SJ_TRADE = 1, SJ_AGG_TRADE, SJ_BOOK_TICKER, SJ_DEPTH, SJ_KLINE };

typedef struct sj_str {
    const char *p;
    size_t n;
} sj_str;

typedef struct sj_fields {
    int kind;
    sj_str sym;
    sj_str px, qty, bid, bid_qty, ask, ask_qty, open, high, low, close, volume, quote_volume;
    uint64_t id, first, last, event_ms, trade_ms, update_id, first_update_id, open_ms, count;
    int maker;
    uint32_t nbids, nasks;
    sj_str bids[SJ_MAX_LEVELS][2], asks[SJ_MAX_LEVELS][2];
} sj_fields;

#ifdef __cplusplus
extern "C" {
#endif
/* 0, or -1 for a message it cannot read. Strings point into its own
 * scratch, valid until the next call. */
int sj_parse(const char *buf, size_t len, sj_fields *out);
#ifdef __cplusplus
}
#endif

#endif

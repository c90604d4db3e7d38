/* Instrument registry: the instruments the engine trades or follows, from
 * the configuration, each interned to a small id (its index) used in every
 * record instead of the symbol.
 *
 * PROMISE: ids are dense from 0 in configuration order and never change
 * while the engine runs; lookups are allocation-free and case-insensitive
 * on the symbol (streams say "btcusdt", payloads "BTCUSDT"). */
#ifndef TF_ENGINE_INSTRUMENTS_H
#define TF_ENGINE_INSTRUMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "shm/records.h"

#define TF_MAX_INSTRUMENTS 64u

typedef struct tf_instrument {
    uint32_t id;
    char symbol[TF_SYMBOL_MAX];   /* upper case, as the venue spells it in payloads */
    char stream_symbol[TF_SYMBOL_MAX]; /* lower case, as in stream names */
    char venue[TF_SYMBOL_MAX];
    uint8_t symbol_len;
    uint8_t price_precision;      /* decimals of a price unit */
    uint8_t qty_precision;        /* decimals of a quantity unit */
    int64_t tick_size;            /* price units */
    int64_t lot_size;             /* qty units */
    int64_t min_notional;         /* price units */
    int64_t max_price;            /* price units; a price above is absurd (0: no cap) */
} tf_instrument;

typedef struct tf_instruments {
    uint32_t count;
    tf_instrument items[TF_MAX_INSTRUMENTS];
} tf_instruments;

/* By symbol in either case; NULL if unknown. */
static inline const tf_instrument *tf_instruments_find(const tf_instruments *reg,
                                                       const char *sym, size_t len)
{
    for (uint32_t i = 0; i < reg->count; i++) {
        const tf_instrument *in = &reg->items[i];
        if (in->symbol_len != len)
            continue;
        size_t k = 0;
        for (; k < len; k++) {
            char c = sym[k];
            if (c >= 'a' && c <= 'z')
                c = (char)(c - 'a' + 'A');
            if (c != in->symbol[k])
                break;
        }
        if (k == len)
            return in;
    }
    return NULL;
}

static inline const tf_instrument *tf_instruments_get(const tf_instruments *reg, uint32_t id)
{
    return id < reg->count ? &reg->items[id] : NULL;
}

/* Add one (cold path); -1 with TF_ERR if full, duplicate or inconsistent. */
int tf_instruments_add(tf_instruments *reg, const char *symbol, const char *venue,
                       unsigned price_precision, unsigned qty_precision, int64_t tick_size,
                       int64_t lot_size, int64_t min_notional, int64_t max_price);

/* The registry entry as published to the state segment. */
void tf_instrument_info(const tf_instrument *in, tf_md_instrument_info *out);

#endif

/* Instrument registry (cold path: built from the config at start). */
#include "engine/md/instruments.h"

#include <string.h>

#include "shm/common.h"
#include "shm/err.h"
#include "shm/fixed.h"

int tf_instruments_add(tf_instruments *reg, const char *symbol, const char *venue,
                       unsigned price_precision, unsigned qty_precision, int64_t tick_size,
                       int64_t lot_size, int64_t min_notional, int64_t max_price)
{
    size_t len = strlen(symbol);
    if (reg->count >= TF_MAX_INSTRUMENTS)
        return TF_ERR("more than %u instruments", TF_MAX_INSTRUMENTS);
    if (len == 0 || len >= TF_SYMBOL_MAX)
        return TF_ERR("symbol '%s' must be 1..%u characters", symbol, TF_SYMBOL_MAX - 1);
    for (size_t i = 0; i < len; i++) {
        char c = symbol[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return TF_ERR("symbol '%s' may hold only letters and digits", symbol);
    }
    if (tf_instruments_find(reg, symbol, len))
        return TF_ERR("symbol '%s' listed twice", symbol);
    if (price_precision > 12 || qty_precision > 12)
        return TF_ERR("%s: precision above 12 decimals", symbol);
    if (tick_size <= 0 || lot_size <= 0 || min_notional < 0 || max_price < 0)
        return TF_ERR("%s: tick and lot size must be positive", symbol);
    tf_instrument *in = &reg->items[reg->count];
    memset(in, 0, sizeof *in);
    in->id = reg->count;
    for (size_t i = 0; i <= len; i++) {
        char c = symbol[i];
        in->symbol[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
        in->stream_symbol[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    in->symbol_len = (uint8_t)len;
    tf_copy_name(in->venue, sizeof in->venue, venue);
    in->price_precision = (uint8_t)price_precision;
    in->qty_precision = (uint8_t)qty_precision;
    in->tick_size = tick_size;
    in->lot_size = lot_size;
    in->min_notional = min_notional;
    in->max_price = max_price;
    reg->count++;
    return 0;
}

void tf_instrument_info(const tf_instrument *in, tf_md_instrument_info *out)
{
    memset(out, 0, sizeof *out);
    out->id = in->id;
    out->price_precision = in->price_precision;
    out->qty_precision = in->qty_precision;
    memcpy(out->symbol, in->symbol, sizeof out->symbol);
    memcpy(out->venue, in->venue, sizeof out->venue);
    out->tick_size = in->tick_size;
    out->lot_size = in->lot_size;
    out->min_notional = in->min_notional;
}

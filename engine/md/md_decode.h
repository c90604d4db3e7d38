/* Zero-allocation decoder for Binance spot market-data streams.
 *
 * Accepts a raw-stream payload ({"e":"trade",...}), a combined-stream
 * payload ({"stream":"btcusdt@trade","data":{...}}), bookTicker (which has
 * no "e": dispatched on the stream name, or on its fields when raw), the
 * serverShutdown event, and the {"result":...,"id":...} / {"code":..,"msg":..}
 * answers to SUBSCRIBE. Keys may come in any order, with any whitespace;
 * unknown keys (and their nested values) are skipped. Prices and quantities
 * become fixed-point integers at the instrument's precision, exactly
 * (shm/fixed.h); a price with more decimals than the instrument allows is
 * refused, never rounded. The one exception is a kline's quote volume (the
 * venue's own rounded sum of price*qty): rounded half up to price precision.
 *
 * PROMISE: tf_md_decode never reads outside [buf, buf+len), never allocates,
 * never crashes on any input, and either fills `out` and returns TF_MD_OK or
 * returns the reason it refused the frame. Hot path: no syscalls, no locks. */
#ifndef TF_ENGINE_MD_DECODE_H
#define TF_ENGINE_MD_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/md/instruments.h"
#include "shm/records.h"

#define TF_MD_DEPTH_MAX_LEVELS 1000u     /* per side in one diff message */
#define TF_MD_SNAPSHOT_MAX_LEVELS 5000u  /* per side in a REST snapshot (Binance's limit) */

typedef enum tf_md_msg_kind {
    TF_MD_MSG_NONE = 0,
    TF_MD_MSG_TRADE,           /* out->trade, kind TF_MD_TRADE */
    TF_MD_MSG_AGG_TRADE,       /* out->trade, kind TF_MD_AGG_TRADE */
    TF_MD_MSG_BOOK_TICKER,     /* out->quote */
    TF_MD_MSG_DEPTH,           /* out->depth (points into the decoder's scratch) */
    TF_MD_MSG_KLINE,           /* out->bar, flags TF_BAR_FROM_VENUE (| TF_BAR_CLOSED if x) */
    TF_MD_MSG_SERVER_SHUTDOWN, /* {"e":"serverShutdown","E":...}: reconnect now */
    TF_MD_MSG_RESPONSE,        /* {"result":null,"id":N}: out->response_id = N */
    TF_MD_MSG_ERROR,           /* {"code":N,"msg":"..."}: out->response_id = code */
    TF_MD_MSG_KIND_COUNT
} tf_md_msg_kind;

typedef enum tf_md_reject {
    TF_MD_OK = 0,
    TF_MD_REJ_MALFORMED,       /* not valid JSON, or truncated */
    TF_MD_REJ_UNKNOWN_TYPE,    /* valid JSON, but no stream/event we know */
    TF_MD_REJ_UNKNOWN_SYMBOL,  /* a symbol not in the registry */
    TF_MD_REJ_MISSING_FIELD,   /* a required field absent or of the wrong JSON type */
    TF_MD_REJ_BAD_NUMBER,      /* a price/qty/id that is not a number, or overflows */
    TF_MD_REJ_PRECISION,       /* more decimals than the instrument's precision */
    TF_MD_REJ_TOO_MANY_LEVELS, /* a depth message beyond TF_MD_DEPTH_MAX_LEVELS */
    TF_MD_REJ_COUNT
} tf_md_reject;

extern const char *const tf_md_reject_names[TF_MD_REJ_COUNT];
extern const char *const tf_md_msg_kind_names[TF_MD_MSG_KIND_COUNT];

typedef struct tf_md_level {
    int64_t price;
    int64_t qty;               /* absolute quantity at the level; 0 removes it */
} tf_md_level;

/* A diff-depth update ("depthUpdate"). */
typedef struct tf_md_depth_msg {
    uint32_t instrument;
    uint32_t bid_count, ask_count;
    uint32_t _reserved;
    uint64_t event_time_ns;    /* E */
    uint64_t first_update_id;  /* U */
    uint64_t final_update_id;  /* u */
    tf_md_level bids[TF_MD_DEPTH_MAX_LEVELS];
    tf_md_level asks[TF_MD_DEPTH_MAX_LEVELS];
} tf_md_depth_msg;

/* A REST depth snapshot (GET /api/v3/depth). */
typedef struct tf_md_snapshot {
    uint32_t instrument;
    uint32_t bid_count, ask_count;
    uint32_t _reserved;
    uint64_t last_update_id;
    tf_md_level bids[TF_MD_SNAPSHOT_MAX_LEVELS];
    tf_md_level asks[TF_MD_SNAPSHOT_MAX_LEVELS];
} tf_md_snapshot;

typedef struct tf_md_msg {
    uint32_t kind;             /* tf_md_msg_kind */
    uint32_t instrument;       /* UINT32_MAX for messages about the connection, not an instrument */
    int64_t response_id;
    union {
        tf_md_trade trade;
        tf_md_quote quote;
        tf_md_bar bar;
    } u;
    const tf_md_depth_msg *depth; /* TF_MD_MSG_DEPTH: valid until the next decode */
} tf_md_msg;

typedef struct tf_md_decoder {
    const tf_instruments *reg;
    tf_md_depth_msg depth;     /* scratch for depth messages (large: allocate the decoder once) */
} tf_md_decoder;

void tf_md_decoder_init(tf_md_decoder *d, const tf_instruments *reg);

/* Decode one complete WebSocket text message. `recv_ns` goes into the
 * record's hops.recv_ns; venue_ns is E in ns (0 when the message has none). */
tf_md_reject tf_md_decode(tf_md_decoder *d, const char *buf, size_t len, uint64_t recv_ns,
                          tf_md_msg *out);

/* Decode a REST depth snapshot body for instrument `in`:
 * {"lastUpdateId":N,"bids":[["p","q"],...],"asks":[...]}. */
tf_md_reject tf_md_decode_snapshot(const tf_instrument *in, const char *buf, size_t len,
                                   tf_md_snapshot *out);

#endif

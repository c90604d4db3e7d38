/* Market-data journal records → InfluxDB points (line protocol).
 *
 * Every point is tagged `instance` (the engine's instance name), so several
 * engines share one database.
 *
 * Data model (the users' seed, kept): measurement `market_data`, tags
 * exchange, instance, symbol, timeframe ("1m"), fields open, high, low, close, volume,
 * vwap (price precision + 4 decimals), quote_volume (8 decimals; a float64
 * in InfluxDB, so also exact as the integer quote_volume_e8, in 10^-8),
 * trades (i), revision (i), first_trade_id (i),
 * last_trade_id (i), flat (bool), and for exact sums when bars are
 * downsampled (influx_history.h) volume_units (i, the volume in 10^-qty
 * precision) with price_precision (i) and qty_precision (i), so a bar reads
 * back exactly without the engine's registry; timestamp = the bar's open time. A revised
 * bar is the same series and timestamp, so it overwrites the earlier one.
 * The venue's own klines go to `venue_klines` with the same shape, so they
 * never overwrite ours. Trades: `trades` (price, qty, id i, buyer_maker);
 * their venue time is in milliseconds, so the point's timestamp adds
 * trade_id mod 10^6 ns (mod 10^3 us) to keep trades of one millisecond
 * apart — deterministic, so a re-export overwrites instead of duplicating.
 * Top of book: `quotes` (bid, bid_qty, ask, ask_qty, update_id i), at most
 * one per instrument per sampling interval of venue time (bookTicker has no
 * event time: the clock is the latest venue time seen in the journal).
 * Feed events: `feed_events` (kind, a, b). Depth levels are not exported.
 *
 * The trading record, from the order journal (tfexport-influx --journal
 * orders): `orders` (tags exchange, symbol, strategy, event, status; fields
 * order_id i, client_req_id i, side, type, price, qty, filled, reason, seq i)
 * for every event of an order; `fills` (tags exchange, symbol, strategy,
 * side, liquidity, out_of_band; fields order_id i, price, qty, fee, seq i);
 * `positions` (tags exchange, symbol, strategy; fields qty, avg_price,
 * mark_price, realized, unrealized, fees — PnL in the quote currency after
 * fees, unrealized at the fill's price) after every fill; `risk_events`
 * (tags event, strategy; fields arg i, reason, reason_code i, instrument i)
 * for the kill switch, limits and the trading state. Events of one engine
 * poll share a wall-clock time; their timestamps carry the journal sequence
 * in the nanosecond digits, so each stays its own point.
 *
 * Prices and quantities are written as exact decimals at the instrument's
 * precision. Every value derives from the journal alone (and the sampling
 * state saved with the position), so exporting a record twice writes the
 * identical point. */
#ifndef TF_TOOLS_OOB_INFLUX_POINTS_H
#define TF_TOOLS_OOB_INFLUX_POINTS_H

#include <stdint.h>

#include "lib/conf/config.h"
#include "shm/journal.h"
#include "shm/records.h"
#include "tools/oob/lineproto.h"

#define IP_MAX_SAMPLED 15u   /* instruments whose quote sampling state is saved */
#define IP_LINE_MAX 512u     /* the longest point written */

typedef struct influx_points {
    char instance[TF_CFG_NAME_MAX];
    uint32_t precision;       /* tf_influx_precision */
    uint64_t divisor;         /* ns per timestamp unit */
    uint64_t trade_slots;     /* distinct timestamps inside one venue millisecond */
    bool trades;
    uint64_t top_sample_ns;
    uint64_t venue_clock_ns;  /* latest venue time seen */
    uint64_t last_bucket[IP_MAX_SAMPLED];
    uint64_t unknown_instrument;
} influx_points;

void influx_points_init(influx_points *ip, const tf_cfg_influx *cfg, const char *instance);

/* Append the points for one record: returns how many (0 when the record
 * makes none), or -1 when the buffer is full (nothing appended). `in` may be
 * NULL when the instrument is unknown (the record is then skipped). */
int influx_points_add(influx_points *ip, lp_buf *b, const tf_journal_slot *rec,
                      const tf_md_instrument_info *in);

/* One order-journal record (TF_REC_ORDER_EVENT): as influx_points_add. */
int influx_points_order(influx_points *ip, lp_buf *b, const tf_journal_slot *rec, const tf_md_instrument_info *in);

/* A gap the journal reported, as a point in `export_gaps`. */
int influx_points_gap(influx_points *ip, lp_buf *b, const char *exporter, uint64_t from_seq,
                      uint64_t to_seq, uint64_t now_realtime_ns);

#endif

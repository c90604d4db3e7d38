/* History at scale in InfluxDB 1.x (export.influx.downsample): retention
 * policies and continuous queries the project sets up, and the backfill
 * that runs the same queries over data already stored.
 *
 *   tf_raw   DEFAULT, raw_days: what the market-data exporter writes
 *            (trades, quotes, feed events, the 1-minute bars as they close)
 *   tf_bars  bars_days (0 = forever): market_data_1m, market_data_1h,
 *            market_data_1d, kept by continuous queries:
 *              tf_raw.market_data   -> market_data_1m  every 1m for the last 15m
 *              market_data_1m       -> market_data_1h  every 5m for the last 2h
 *              market_data_1h       -> market_data_1d  every 1h for the last 2d
 *            The windows re-run recent buckets, so a bar revised after it
 *            closed (bars.revision_window) reaches the coarse bars too.
 *   autogen  the trading record (orders, fills, positions: kept forever);
 *            the orders exporter writes there by name.
 *
 * Coarse bars are exact: open first(open), high max, low min, close
 * last(close) (prices written as exact decimals read back as the same
 * doubles); volume_units, quote_volume_e8 and trades are integer sums; the
 * VWAP is derived from the two sums as the engine derives it for a 1-minute
 * bar (influx_history_vwap). Tags kept: exchange, instance, symbol. */
#ifndef TF_TOOLS_OOB_INFLUX_HISTORY_H
#define TF_TOOLS_OOB_INFLUX_HISTORY_H

#include <stdint.h>

#include "lib/conf/config.h"
#include "tools/oob/influx_http.h"

#define IH_RAW_RP "tf_raw"
#define IH_BARS_RP "tf_bars"
#define IH_RECORD_RP "autogen"

typedef struct ih_series {
    const char *name;          /* "1m", "1h", "1d" */
    uint64_t width_ns;
    const char *measurement;   /* in tf_bars */
} ih_series;

/* tf_bars' series, finest first. */
extern const ih_series ih_bars[3];

/* The aggregate select list a coarse bar is made of (also what tfquery
 * asks for when it groups bars to a wider timeframe). */
extern const char ih_bar_aggregates[];

/* Create (or bring to the configured durations) the retention policies and
 * (re)create the continuous queries. 0, or -1 with the server's words in
 * err. */
int influx_history_setup(influx_conn *c, const tf_cfg_influx *cfg, char *err, size_t errlen);

/* Run the continuous queries' statements over [from_ns, to_ns) in slices,
 * finest first (what the continuous queries would have written had they
 * run then). *statements counts what ran. 0, or -1 with the reason. */
int influx_history_backfill(influx_conn *c, uint64_t from_ns, uint64_t to_ns, unsigned *statements, char *err,
                            size_t errlen);

/* The VWAP of a bar from its sums, in 10^-(price precision + 4), rounded
 * half up as the engine rounds a 1-minute bar's; `close` when no volume. */
int64_t influx_history_vwap(int64_t quote_volume_e8, int64_t volume_units, unsigned price_precision,
                            unsigned qty_precision, int64_t close_vwap_units);

#endif

/* Retention policies, continuous queries and their backfill (see
 * influx_history.h). Cold path: run once at the exporter's start. */
#include "tools/oob/influx_history.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "shm/fixed.h"
#include "shm/records.h"

const ih_series ih_bars[3] = {
    {"1m", 60000000000ull, "market_data_1m"},
    {"1h", 3600000000000ull, "market_data_1h"},
    {"1d", 86400000000000ull, "market_data_1d"},
};

const char ih_bar_aggregates[] =
    "first(open) AS open, max(high) AS high, min(low) AS low, last(close) AS close, "
    "sum(volume_units) AS volume_units, sum(quote_volume_e8) AS quote_volume_e8, sum(trades) AS trades, "
    "last(price_precision) AS price_precision, last(qty_precision) AS qty_precision";

/* Each series' source, and how often and how far back its query re-runs. */
static const struct {
    const char *from_rp, *from;
    const char *every, *window;
    uint64_t slice_ns;         /* backfill: this much per statement */
} feeds[3] = {
    {IH_RAW_RP, "market_data", "1m", "15m", 7 * 86400000000000ull},
    {IH_BARS_RP, "market_data_1m", "5m", "2h", 92 * 86400000000000ull},
    {IH_BARS_RP, "market_data_1h", "1h", "2d", 3660 * 86400000000000ull},
};

static int fail(influx_conn *c, influx_rc rc, const char *what, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s (HTTP %ld) %.300s", what, influx_rc_name(rc), c->status,
             c->error[0] ? c->error : c->body);
    return -1;
}

/* SELECT <aggregates> INTO tf_bars.<series k> FROM <its source> ... GROUP BY time, tags */
static int select_into(char *out, size_t cap, const char *db, int k, const char *where)
{
    return snprintf(out, cap,
                    "SELECT %s INTO \"%s\".\"%s\".\"%s\" FROM \"%s\".\"%s\".\"%s\"%s GROUP BY time(%s), exchange, "
                    "instance, symbol",
                    ih_bar_aggregates, db, IH_BARS_RP, ih_bars[k].measurement, db, feeds[k].from_rp, feeds[k].from,
                    where, ih_bars[k].name);
}

static int policy(influx_conn *c, const char *db, const char *name, uint32_t days, bool dflt, char *err,
                  size_t errlen)
{
    char dur[24], q[256];
    if (days)
        snprintf(dur, sizeof dur, "%" PRIu32 "d", days);
    else
        snprintf(dur, sizeof dur, "INF");
    snprintf(q, sizeof q, "CREATE RETENTION POLICY \"%s\" ON \"%s\" DURATION %s REPLICATION 1%s", name, db, dur,
             dflt ? " DEFAULT" : "");
    if (influx_exec(c, q) == INFLUX_OK)
        return 0;
    /* It exists with other settings: bring it to these. */
    snprintf(q, sizeof q, "ALTER RETENTION POLICY \"%s\" ON \"%s\" DURATION %s%s", name, db, dur,
             dflt ? " DEFAULT" : "");
    influx_rc rc = influx_exec(c, q);
    return rc == INFLUX_OK ? 0 : fail(c, rc, q, err, errlen);
}

int influx_history_setup(influx_conn *c, const tf_cfg_influx *cfg, char *err, size_t errlen)
{
    const char *db = cfg->database;
    if (cfg->bars_days && cfg->bars_days < cfg->raw_days) {
        snprintf(err, errlen, "export.influx.bars_days (%u) is shorter than raw_days (%u)", cfg->bars_days,
                 cfg->raw_days);
        return -1;
    }
    char q[2048];
    snprintf(q, sizeof q, "CREATE DATABASE \"%s\"", db);
    influx_rc rc = influx_exec(c, q);
    if (rc != INFLUX_OK)
        return fail(c, rc, q, err, errlen);
    if (policy(c, db, IH_RAW_RP, cfg->raw_days, true, err, errlen) != 0 ||
        policy(c, db, IH_BARS_RP, cfg->bars_days, false, err, errlen) != 0)
        return -1;
    for (int k = 0; k < 3; k++) {
        char name[32], sel[1536];
        snprintf(name, sizeof name, "tf_bars_%s", ih_bars[k].name);
        snprintf(q, sizeof q, "DROP CONTINUOUS QUERY \"%s\" ON \"%s\"", name, db);
        (void)influx_exec(c, q); /* absent the first time */
        select_into(sel, sizeof sel, db, k, "");
        snprintf(q, sizeof q, "CREATE CONTINUOUS QUERY \"%s\" ON \"%s\" RESAMPLE EVERY %s FOR %s BEGIN %s END", name,
                 db, feeds[k].every, feeds[k].window, sel);
        rc = influx_exec(c, q);
        if (rc != INFLUX_OK)
            return fail(c, rc, q, err, errlen);
    }
    return 0;
}

int influx_history_backfill(influx_conn *c, uint64_t from_ns, uint64_t to_ns, unsigned *statements, char *err,
                            size_t errlen)
{
    *statements = 0;
    const char *db = c->database;
    for (int k = 0; k < 3; k++) {
        uint64_t w = ih_bars[k].width_ns;
        uint64_t t = from_ns / w * w; /* whole buckets only */
        while (t < to_ns) {
            uint64_t e = t + feeds[k].slice_ns < to_ns ? t + feeds[k].slice_ns : to_ns;
            e = (e + w - 1) / w * w;
            char where[96], q[2048];
            snprintf(where, sizeof where, " WHERE time >= %" PRIu64 " AND time < %" PRIu64, t, e);
            select_into(q, sizeof q, db, k, where);
            influx_rc rc = influx_exec(c, q);
            if (rc != INFLUX_OK)
                return fail(c, rc, q, err, errlen);
            ++*statements;
            t = e;
        }
    }
    return 0;
}

int64_t influx_history_vwap(int64_t quote_volume_e8, int64_t volume_units, unsigned price_precision,
                            unsigned qty_precision, int64_t close_vwap_units)
{
    if (volume_units <= 0)
        return close_vwap_units;
    /* Back to the engine's exact sum (price units x qty units), then its formula. */
    int e = (int)TF_BAR_QUOTE_PRECISION - (int)(price_precision + qty_precision);
    __int128 qsum = e >= 0 ? (__int128)quote_volume_e8 / tf_pow10[e] : (__int128)quote_volume_e8 * tf_pow10[-e];
    return (int64_t)((qsum * tf_pow10[TF_BAR_VWAP_EXTRA] + volume_units / 2) / volume_units);
}

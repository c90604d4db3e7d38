/* Bars at any timeframe, for any instance, from InfluxDB: the coarsest
 * stored resolution that answers the range (influx_history.h), the newest
 * buckets completed from the raw 1-minute bars the continuous queries have
 * not reached yet. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "shm/common.h"
#include "shm/fixed.h"
#include "shm/records.h"
#include "tools/oob/influx_history.h"
#include "tools/query/api.h"

#define NS_MIN 60000000000ull

static const struct {
    const char *name;
    uint64_t ns;
} timeframes[] = {{"1m", NS_MIN},          {"5m", 5 * NS_MIN},   {"15m", 15 * NS_MIN}, {"30m", 30 * NS_MIN},
                  {"1h", 60 * NS_MIN},     {"4h", 240 * NS_MIN}, {"1d", 1440 * NS_MIN}};

uint64_t q_timeframe_ns(const char *name)
{
    for (size_t i = 0; i < sizeof timeframes / sizeof *timeframes; i++)
        if (strcmp(name, timeframes[i].name) == 0)
            return timeframes[i].ns;
    return 0;
}

/* The raw 1-minute bars' place: tf_raw when downsampling, the configured
 * policy, else the database's default. */
static void raw_from(const q_server *q, char *out, size_t cap)
{
    const tf_cfg_influx *ic = &q->cfg.export_.influx;
    if (ic->retention_policy[0])
        snprintf(out, cap, "\"%s\".\"market_data\"", ic->retention_policy);
    else if (ic->downsample)
        snprintf(out, cap, "\"%s\".\"market_data\"", IH_RAW_RP);
    else
        snprintf(out, cap, "\"market_data\"");
}

/* The rows of one grouped query, newest first (NULL: failed r). */
static json_t *grouped(q_server *q, q_response *r, const char *from, const q_bar_ask *ask, uint64_t s_ns,
                       uint64_t e_ns, const char *tf, uint32_t limit)
{
    char iq[1536];
    snprintf(iq, sizeof iq,
             "SELECT %s FROM %s WHERE exchange='%s' AND instance='%s' AND symbol='%s' AND time >= %" PRIu64
             " AND time < %" PRIu64 " GROUP BY time(%s) fill(none) ORDER BY time DESC LIMIT %u",
             ih_bar_aggregates, from, ask->exchange, ask->instance, ask->symbol, s_ns, e_ns, tf, limit);
    size_t len = 0;
    influx_rc rc = influx_query(&q->influx, iq, q->scratch, q->scratch_cap, &len);
    if (rc != INFLUX_OK) {
        q_fail(r, 503, "InfluxDB unavailable: %s", rc == INFLUX_RETRY ? q->influx.error : influx_rc_name(rc));
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_loadb(q->scratch, len, 0, &jerr);
    json_t *res = json_array_get(json_object_get(root, "results"), 0);
    if (!res || json_object_get(res, "error")) {
        q_fail(r, 503, "InfluxDB answered an error: %s",
               res ? json_string_value(json_object_get(res, "error")) : jerr.text);
        json_decref(root);
        return NULL;
    }
    json_t *values = json_object_get(json_array_get(json_object_get(res, "series"), 0), "values");
    json_t *rows = values ? json_incref(values) : json_array();
    json_decref(root);
    return rows;
}

/* The newest bucket a stored series holds for the instrument; 0 none, -1 failed r. */
static int newest(q_server *q, q_response *r, const char *from, const q_bar_ask *ask, uint64_t *t_ns)
{
    char iq[512];
    snprintf(iq, sizeof iq, "SELECT last(close) FROM %s WHERE exchange='%s' AND instance='%s' AND symbol='%s'", from,
             ask->exchange, ask->instance, ask->symbol);
    size_t len = 0;
    influx_rc rc = influx_query(&q->influx, iq, q->scratch, q->scratch_cap, &len);
    if (rc != INFLUX_OK) {
        q_fail(r, 503, "InfluxDB unavailable: %s", rc == INFLUX_RETRY ? q->influx.error : influx_rc_name(rc));
        return -1;
    }
    json_t *root = json_loadb(q->scratch, len, 0, NULL);
    json_t *row = json_array_get(
        json_object_get(json_array_get(json_object_get(json_array_get(json_object_get(root, "results"), 0),
                                                       "series"),
                                       0),
                        "values"),
        0);
    int found = json_is_integer(json_array_get(row, 0));
    if (found)
        *t_ns = (uint64_t)json_integer_value(json_array_get(row, 0));
    json_decref(root);
    return found;
}

/* One grouped row as a bar; false when it lacks what a bar needs. */
static bool put_bar(q_response *r, json_t *row, const q_bar_ask *ask, bool comma)
{
    if (json_array_size(row) < 10 || !json_is_number(json_array_get(row, 1)))
        return false;
    unsigned pp = ask->price_precision, qp = ask->qty_precision;
    if (!ask->known) { /* another instance's bar says its own precision */
        if (!json_is_integer(json_array_get(row, 8)) || !json_is_integer(json_array_get(row, 9)))
            return false;
        pp = (unsigned)json_integer_value(json_array_get(row, 8));
        qp = (unsigned)json_integer_value(json_array_get(row, 9));
        if (pp > TF_FIXED_MAX_PRECISION || qp > TF_FIXED_MAX_PRECISION)
            return false;
    }
    char px[4][48], vol[48], qv[48], vw[48];
    for (int f = 0; f < 4; f++)
        snprintf(px[f], sizeof px[f], "%.*f", (int)pp, json_number_value(json_array_get(row, 1 + f)));
    int64_t volume = (int64_t)json_integer_value(json_array_get(row, 5));
    int64_t qve8 = (int64_t)json_integer_value(json_array_get(row, 6));
    int64_t close_units = 0;
    tf_fixed_parse(px[3], strlen(px[3]), pp, &close_units);
    tf_fixed_format(vol, sizeof vol, volume, qp);
    tf_fixed_format(qv, sizeof qv, qve8, TF_BAR_QUOTE_PRECISION);
    tf_fixed_format(vw, sizeof vw,
                    influx_history_vwap(qve8, volume, pp, qp, close_units * tf_pow10[TF_BAR_VWAP_EXTRA]),
                    pp + TF_BAR_VWAP_EXTRA);
    q_put(r,
          "%s{\"open_time\":%" PRId64 ",\"open\":\"%s\",\"high\":\"%s\",\"low\":\"%s\",\"close\":\"%s\",\"volume\":\"%s\","
          "\"quote_volume\":\"%s\",\"vwap\":\"%s\",\"trades\":%" PRId64 "}",
          comma ? "," : "", (int64_t)json_integer_value(json_array_get(row, 0)) / 1000000, px[0], px[1], px[2], px[3],
          vol, qv, vw, (int64_t)json_integer_value(json_array_get(row, 7)));
    return true;
}

void q_bars_history(q_server *q, q_response *r, const q_bar_ask *ask)
{
    if (!q->influx_ok) {
        q_fail(r, 503, "bars of timeframe %s or of another instance come from InfluxDB, which is not configured",
               ask->timeframe);
        return;
    }
    const tf_cfg_influx *ic = &q->cfg.export_.influx;
    uint64_t tf = ask->timeframe_ns;
    uint64_t s_ns = ask->start_ms * 1000000ull / tf * tf, e_ns = ask->end_ms * 1000000ull + 1000000ull;
    char raw[160], coarse[160] = "";
    raw_from(q, raw, sizeof raw);
    /* The coarsest stored series whose width divides the timeframe; the
     * 1-minute copy only for what tf_raw no longer holds. */
    int k = -1;
    if (ic->downsample) {
        for (int i = 2; i >= 0 && k < 0; i--)
            if (tf % ih_bars[i].width_ns == 0)
                k = i;
        uint64_t raw_horizon = tf_realtime_ns() - (uint64_t)ic->raw_days * 1440 * NS_MIN + 60 * NS_MIN;
        if (k == 0 && s_ns >= raw_horizon)
            k = -1;
    }
    uint64_t split = s_ns; /* coarse below, raw from here */
    if (k >= 0) {
        snprintf(coarse, sizeof coarse, "\"%s\".\"%s\"", IH_BARS_RP, ih_bars[k].measurement);
        uint64_t t_last = 0;
        int got = newest(q, r, coarse, ask, &t_last);
        if (got < 0)
            return;
        /* The bucket holding the newest coarse bar may be partial: from raw. */
        if (got)
            split = t_last / tf * tf;
        if (split < s_ns)
            split = s_ns;
        if (split > e_ns)
            split = e_ns;
    }
    json_t *tail = split < e_ns ? grouped(q, r, raw, ask, split, e_ns, ask->timeframe, ask->limit) : json_array();
    if (!tail)
        return;
    size_t nt = json_array_size(tail);
    json_t *head = k >= 0 && split > s_ns && nt < ask->limit
                       ? grouped(q, r, coarse, ask, s_ns, split, ask->timeframe, ask->limit - (uint32_t)nt)
                       : json_array();
    if (!head) {
        json_decref(tail);
        return;
    }
    size_t nh = json_array_size(head);
    r->source = "influxdb";
    q_put(r,
          "{\"instance\":\"%s\",\"exchange\":\"%s\",\"symbol\":\"%s\",\"timeframe\":\"%s\",\"source\":\"influxdb\","
          "\"resolution\":\"%s\",\"bars\":[",
          ask->instance, ask->exchange, ask->symbol, ask->timeframe, k >= 0 && nh ? ih_bars[k].name : "1m");
    bool any = false;
    for (size_t i = nh; i-- > 0;) /* both DESC: answer oldest first */
        any |= put_bar(r, json_array_get(head, i), ask, any);
    for (size_t i = nt; i-- > 0;)
        any |= put_bar(r, json_array_get(tail, i), ask, any);
    q_put(r, "]}");
    json_decref(head);
    json_decref(tail);
}

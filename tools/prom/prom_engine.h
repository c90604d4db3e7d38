/* An engine's segments as Prometheus metrics, rendered at scrape time.
 *
 * What is served (all read-only loads from shared memory; see
 * ARCHITECTURE.md "Monitoring" for the full list):
 * - every counter and gauge of the stats catalogue (shm/catalog.h) as
 *   tradefan_<name>_total / tradefan_<name>, times in seconds (a name ending
 *   _ns or _ms becomes _seconds), labels from the engine plus `stage`;
 * - every latency histogram as trading_latency_seconds{hop="<name>"},
 *   re-bucketed from the log-linear buckets to fixed bounds from 100 ns to
 *   2.5 s (PROM_LATENCY_BOUNDS);
 * - stages (heartbeat age, polls, work), threads (busy and idle seconds,
 *   loops, heartbeat age, longest cycle), rings (depth, capacity,
 *   high-water, full events, drops);
 * - the trading record: trading_orders_total{status,symbol},
 *   trading_positions{symbol,strategy}, trading_pnl{strategy,kind},
 *   the risk gate (kill switch, trading state, daily PnL and its limit,
 *   exposure, open orders), venue sessions, the feed;
 * - the out-of-band processes (exporters, tfquery): up, lag, behind.
 * Every label set is bounded by the configuration (instruments,
 * strategies, sessions, stages), never by traffic.
 *
 * A missing engine is not an error: tradefan_engine_up is 0 and the
 * exporters' metrics are still served. A new engine (a restart) is found
 * and attached at the next scrape. */
#ifndef TF_TOOLS_PROM_ENGINE_H
#define TF_TOOLS_PROM_ENGINE_H

#include <stdbool.h>

#include "tools/oob/view.h"
#include "tools/prom/prom_text.h"

typedef struct prom_source {
    char dir[256];
    char inst[64];
    tf_view view;
    bool open;
    uint64_t scrapes;
    uint64_t opened;              /* views opened: a new engine re-indexes its counters */
    uint32_t indexed;             /* counters whose catalogue id is known */
    uint64_t indexed_scrape_of;   /* ... for view number `opened` */
    int16_t counter_id[TF_STATS_MAX_COUNTERS]; /* catalogue id per counter, -1 unknown */
} prom_source;

void prom_source_init(prom_source *s, const char *dir, const char *inst);
void prom_source_close(prom_source *s);

/* Render everything into b (which the caller initialised). */
void prom_render(prom_source *s, prom_buf *b);

/* The histogram bounds, in nanoseconds, ascending (+Inf is added). */
#define PROM_LATENCY_BOUNDS 22
extern const uint64_t prom_latency_bounds_ns[PROM_LATENCY_BOUNDS];

/* The metric name a catalogue entry is served under (buffer of 128), and
 * the factor from the engine's unit to the served one (1e-9 for _ns). */
void prom_counter_name(const char *catalog_name, int kind, char *out, size_t cap, double *scale);

#endif

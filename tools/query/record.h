/* The query API's trading record: the newest order events, kept in memory
 * from the engine's order journal (the query server follows it beside the
 * market-data journal), and the endpoints that answer from it, from the
 * engine's live order table and positions, or from InfluxDB:
 *
 *   GET /v1/orders[?symbol=...][&exchange=...][&strategy=N][&status=open|all][&limit=N]
 *       open (default): the engine's order table now ("source":"engine");
 *       all: the latest state of each order among the newest events ("memory")
 *   GET /v1/fills?symbol=...[&exchange=...][&strategy=N][&start=MS][&end=MS][&limit=N]
 *       fills with start <= time <= end, oldest first, at most limit (the
 *       newest when more match); "memory" when the window holds the range,
 *       else "influxdb" (measurement `fills`, tfexport-influx --journal orders)
 *   GET /v1/positions[?symbol=...][&exchange=...][&strategy=N]
 *       every position the engine publishes (per strategy, and "all")
 *   GET /v1/pnl[?strategy=N]
 *       realized, unrealized and fees per strategy summed over instruments,
 *       and the risk gate's daily PnL
 * Money is in the quote currency as a decimal string (8 places). */
#ifndef TF_TOOLS_QUERY_RECORD_H
#define TF_TOOLS_QUERY_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "shm/journal.h"
#include "shm/orders.h"

typedef struct qr_event {
    tf_order_event ev;
    uint64_t seq;
} qr_event;

/* A ring of the newest order and fill events; written by the follower and
 * read by request handlers under the query store's lock. */
typedef struct qr_store {
    qr_event *ring;
    uint32_t cap;
    uint64_t total;           /* events ever added */
    bool lost;                /* the journal lapped the follower: older history only in InfluxDB */
} qr_store;

int qr_store_init(qr_store *st, uint32_t cap);
void qr_store_free(qr_store *st);
void qr_store_clear(qr_store *st);
void qr_store_add(qr_store *st, const tf_journal_slot *rec);

#endif

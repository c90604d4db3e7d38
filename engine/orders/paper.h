/* The paper venue (dry run): a venue stage that fills the engine's orders
 * against the live market from the feed instead of sending them anywhere.
 *
 * The venue interface every exchange I/O stage implements is the pair of
 * rings: tf_venue_cmd in (new, cancel, replace), tf_exec_report out (ack,
 * reject, fill, canceled, replaced, cancel reject, expired). This one:
 * - follows the market-data journal and keeps its own L2 book per
 *   instrument from the depth records, with bookTicker's best bid/ask
 *   (which runs ahead of the 100 ms depth stream) overriding the top and
 *   removing levels better than it; bookTicker alone when no depth stream
 *   is subscribed;
 * - a market order, and the marketable part of a limit order, walks the
 *   opposite side level by level (taker fee), taking the liquidity it used
 *   out of its copy of the book until the feed updates that level; what a
 *   market or IOC order cannot fill expires; FOK fills whole or expires;
 * - a resting limit order fills when the market trades through its price
 *   (a trade strictly below a buy, above a sell), up to the trade's
 *   quantity, at the order's price (maker fee) — queue position unknown,
 *   so a trade at the price does not fill it;
 * - cancel-replace keeps the order id; a new quantity at or below the
 *   filled quantity is refused.
 * PROMISE: no allocation after init; reports wait in an outbox when the
 * OMS ring is full (no new work is taken meanwhile), never dropped. */
#ifndef TF_ENGINE_PAPER_H
#define TF_ENGINE_PAPER_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/conf/config.h"
#include "lib/base/id_map.h"
#include "engine/md/instruments.h"
#include "engine/md/md_decode.h"
#include "engine/runtime/stage.h"
#include "shm/journal.h"
#include "shm/orders.h"
#include "shm/ring.h"
#include "shm/stats.h"

#define TF_PAPER_LEVELS 2048u      /* levels kept per side */
#define TF_PAPER_OUTBOX 4096u      /* power of two */

typedef struct tf_paper_order {
    uint64_t order_id;
    uint32_t instrument;
    uint8_t side, type, tif, used;
    int64_t price, qty, cum;
    uint32_t next, prev;
} tf_paper_order;

typedef struct tf_paper_book {
    tf_md_level *bids, *asks;      /* bids best (highest) first, asks best (lowest) first */
    uint32_t bid_count, ask_count;
    tf_md_level quote_bid, quote_ask; /* bookTicker */
    uint64_t quote_update_id;      /* its u: depth updates older than it cannot better its top */
    uint32_t resting_head;         /* this instrument's resting orders */
} tf_paper_book;

typedef struct tf_paper {
    const tf_instruments *instruments;
    tf_ring *in, *out;
    const tf_journal *md;
    tf_journal_reader reader;
    bool following;
    int64_t maker_cbps, taker_cbps;
    tf_paper_order *orders;
    uint32_t capacity, free_head;
    tf_id_map ids;
    tf_paper_book books[TF_MAX_INSTRUMENTS];
    tf_exec_report outbox[TF_PAPER_OUTBOX];
    uint32_t out_head, out_tail;
    uint8_t *rec;                  /* one journal slot */
    uint64_t rt_now;               /* wall clock for reports, read once per batch */
    uint64_t *c_acks, *c_fills, *c_expired, *c_rejects, *c_md, *c_md_gaps;
} tf_paper;

int tf_paper_init(tf_stage *stage, tf_paper *p, const tf_config *cfg, const tf_instruments *ins,
                  tf_stats *stats, tf_ring *in, tf_ring *out, const tf_journal *md);
void tf_paper_free(tf_paper *p);

/* The pieces, for tests. */
void tf_paper_on_cmd(tf_paper *p, const tf_venue_cmd *c);
void tf_paper_on_md(tf_paper *p, uint16_t type, const void *payload);
/* Restart: take over an order the OMS replayed as open (cold). */
void tf_paper_seed(tf_paper *p, const tf_order *o);
/* Reports waiting (tests read them here when `out` is NULL). */
bool tf_paper_next_report(tf_paper *p, tf_exec_report *x);

#endif

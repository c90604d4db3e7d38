/* The query server's hot data: the newest closed bars and trades of every
 * instrument, kept in memory from the engine's market-data journal (the
 * server follows it like an exporter does), so recent queries never leave
 * the process. One follower thread writes; request handlers read under the
 * store's mutex (this is the query server, not the engine's hot path).
 * Bars are kept sorted by open time; a revision replaces its bar. */
#ifndef TF_TOOLS_OOB_HOT_STORE_H
#define TF_TOOLS_OOB_HOT_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "shm/journal.h"
#include "shm/records.h"

#define QS_MAX_INSTRUMENTS 64u
#define QS_JSON_MAX 320u

/* Answers are assembled from JSON rendered once, when the record arrives
 * (by the follower), so a request only copies bytes. */
typedef struct qs_bar {
    tf_md_bar bar;
    uint16_t json_len;
    char json[QS_JSON_MAX];
} qs_bar;

typedef struct qs_trade {
    tf_md_trade trade;
    uint16_t json_len;
    char json[160];
} qs_trade;

typedef struct qs_series {
    qs_bar *bars;             /* hot_bars slots, sorted by open_time_ns */
    uint32_t bar_count;
    qs_trade *trades;         /* ring of hot_trades */
    uint64_t trade_total;     /* trades ever added (ring position) */
    uint64_t oldest_complete_ns; /* bars from here on are all in memory (0: none) */
} qs_series;

typedef struct qs_store {
    pthread_mutex_t lock;
    uint32_t hot_bars, hot_trades;
    qs_series s[QS_MAX_INSTRUMENTS];
    uint64_t records;         /* journal records seen */
} qs_store;

int qs_store_init(qs_store *st, uint32_t hot_bars, uint32_t hot_trades);
void qs_store_free(qs_store *st);
/* Follower thread, with the lock held. `in` is the record's instrument
 * (records of unknown instruments are skipped). */
void qs_store_add(qs_store *st, const tf_journal_slot *rec, const tf_md_instrument_info *in);
/* A new journal: forget everything (the follower restarts at its oldest). */
void qs_store_clear(qs_store *st);

/* Readers, with the lock held. Bars with start_ns <= open_time <= end_ns,
 * oldest first, at most `limit` (the newest ones when more match): returns
 * the count, and *complete says whether memory holds the whole range. */
uint32_t qs_store_bars(const qs_store *st, uint32_t instrument, uint64_t start_ns, uint64_t end_ns,
                       uint32_t limit, const qs_bar **first, bool *complete);
/* The newest `limit` trades, oldest first: the i-th is
 * qs_store_trade(st, instrument, n, i). */
uint32_t qs_store_trade_count(const qs_store *st, uint32_t instrument, uint32_t limit);
const qs_trade *qs_store_trade(const qs_store *st, uint32_t instrument, uint32_t n, uint32_t i);

#endif

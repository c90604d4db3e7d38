/* Validation and de-duplication of trades, per instrument and trade kind.
 *
 * Stated policy (trade ids are the venue's, increasing by one per trade):
 *  - id == highest+1: accepted.
 *  - id > highest+1: accepted with TF_MD_AFTER_GAP; the missing ids are a
 *    gap (reported through gap_first/gap_last).
 *  - id <= highest and within the last TF_TRADE_WINDOW ids: a duplicate if
 *    already seen (dropped), else accepted with TF_MD_OUT_OF_ORDER (it fills
 *    part of an earlier gap; gaps_filled counts it).
 *  - id older than the window: dropped as TF_TRADE_TOO_OLD (cannot tell).
 *  - price <= 0, qty <= 0, price above the instrument's max_price, or a
 *    price more than max_deviation_bps away from the last accepted price:
 *    refused (TF_TRADE_BAD_PRICE / TF_TRADE_BAD_QTY) and the id is not
 *    marked seen.
 *
 * PROMISE: pure logic, no allocation, single thread. */
#ifndef TF_ENGINE_MD_VALIDATE_H
#define TF_ENGINE_MD_VALIDATE_H

#include <stdint.h>

#include "engine/md/instruments.h"
#include "shm/records.h"

#define TF_TRADE_WINDOW 4096u     /* ids remembered for duplicate detection (power of two) */

typedef enum tf_trade_verdict {
    TF_TRADE_ACCEPT = 0,
    TF_TRADE_DUPLICATE,
    TF_TRADE_TOO_OLD,
    TF_TRADE_BAD_PRICE,
    TF_TRADE_BAD_QTY,
    TF_TRADE_VERDICT_COUNT
} tf_trade_verdict;

extern const char *const tf_trade_verdict_names[TF_TRADE_VERDICT_COUNT];

typedef struct tf_trade_validator {
    uint64_t highest_id;          /* 0: nothing accepted yet */
    int64_t last_price;
    int64_t max_price;            /* 0: no cap */
    uint32_t max_deviation_bps;   /* 0: no band */
    uint32_t _reserved;
    uint64_t seen[TF_TRADE_WINDOW / 64]; /* bit per id, indexed id % window */
    uint64_t accepted, duplicates, too_old, bad_price, bad_qty;
    uint64_t gaps, gap_ids, gaps_filled;
} tf_trade_validator;

void tf_trade_validator_init(tf_trade_validator *v, int64_t max_price, uint32_t max_deviation_bps);
/* Forget ids (after a reconnect the venue may resend): keeps the price reference. */
void tf_trade_validator_reset_ids(tf_trade_validator *v);

/* Check `t` (its trade_id; last_trade_id for aggTrades spans are not
 * expanded) and set TF_MD_AFTER_GAP / TF_MD_OUT_OF_ORDER in t->flags. On a
 * new gap, *gap_first..*gap_last are the missing ids (else both 0). */
tf_trade_verdict tf_trade_check(tf_trade_validator *v, tf_md_trade *t, uint64_t *gap_first,
                                uint64_t *gap_last);

#endif

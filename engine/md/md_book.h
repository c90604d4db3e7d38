/* L2 order book for one instrument, kept by Binance's documented
 * snapshot + diff procedure ("How to manage a local order book correctly"):
 *
 *  1. Diffs arriving before a snapshot are buffered (first U noted).
 *  2. The caller fetches a REST snapshot (on TF_BOOK_NEED_SNAPSHOT).
 *  3. If the snapshot's lastUpdateId < the first buffered U, it is too old:
 *     TF_BOOK_NEED_SNAPSHOT again.
 *  4. Buffered diffs with u <= lastUpdateId are discarded; the first one
 *     kept must have U <= lastUpdateId+1 <= u; the book is the snapshot
 *     with the kept diffs applied in order; local update id = last u.
 *  5. Then each diff: u < local id -> ignored (old); U > local id + 1 -> a
 *     gap: the book is cleared and sync starts again (TF_BOOK_GAP);
 *     otherwise apply (qty is absolute, 0 removes the level) and local id = u.
 *
 * PROMISE: pure logic, no I/O; all memory allocated in tf_book_init; the
 * book never holds a crossed or duplicate level from applied data it was
 * given in order; when the buffer of pending diffs fills up, the oldest
 * sync attempt is abandoned (TF_BOOK_OVERFLOW), never grown. Single thread. */
#ifndef TF_ENGINE_MD_BOOK_H
#define TF_ENGINE_MD_BOOK_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/md/md_decode.h"

typedef enum tf_book_state {
    TF_BOOK_UNSYNCED = 0,      /* buffering diffs, waiting for a snapshot */
    TF_BOOK_SYNCED = 1,
} tf_book_state;

typedef enum tf_book_action {
    TF_BOOK_APPLIED = 0,       /* diff applied (caller journals it) */
    TF_BOOK_BUFFERED,          /* held until a snapshot arrives */
    TF_BOOK_IGNORED,           /* old: u < local update id */
    TF_BOOK_NEED_SNAPSHOT,     /* buffered; caller should fetch a snapshot now */
    TF_BOOK_GAP,               /* U/u gap: book cleared, buffering; fetch a snapshot */
    TF_BOOK_OVERFLOW,          /* too many pending diffs or levels: cleared, start again */
    TF_BOOK_ACTION_COUNT
} tf_book_action;

extern const char *const tf_book_action_names[TF_BOOK_ACTION_COUNT];

/* Called for each buffered diff that tf_book_on_snapshot applies, in order. */
typedef void (*tf_book_apply_fn)(void *ctx, uint64_t first_update_id, uint64_t final_update_id,
                                 const tf_md_level *bids, uint32_t bid_count,
                                 const tf_md_level *asks, uint32_t ask_count);

typedef struct tf_book_pending {
    uint64_t first_update_id, final_update_id;
    uint32_t offset;           /* into levels[]: bids then asks */
    uint32_t bid_count, ask_count;
} tf_book_pending;

typedef struct tf_book {
    uint32_t instrument;
    uint32_t state;            /* tf_book_state */
    uint64_t last_update_id;   /* local update id when synced */
    uint32_t max_levels;       /* per side */
    uint32_t bid_count, ask_count;
    tf_md_level *bids;         /* internal order is the implementation's */
    tf_md_level *asks;
    bool snapshot_requested;   /* NEED_SNAPSHOT already returned for this attempt */
    /* Diffs waiting for a snapshot. */
    uint32_t pending_max, pending_count;
    uint32_t pending_level_max, pending_level_count;
    tf_book_pending *pending;
    tf_md_level *pending_levels;
    /* Counters (single writer: the owning thread). */
    uint64_t applied, ignored, gaps, overflows, syncs, levels_dropped;
} tf_book;

/* Allocate (cold path). max_levels per side; pending_max diffs holding at
 * most pending_level_max levels in total while unsynced. 0 ok, -1 on ENOMEM. */
int tf_book_init(tf_book *b, uint32_t instrument, uint32_t max_levels, uint32_t pending_max,
                 uint32_t pending_level_max);
void tf_book_free(tf_book *b);
/* Forget everything and start a new sync (e.g. after a reconnect). */
void tf_book_reset(tf_book *b);

tf_book_action tf_book_on_diff(tf_book *b, const tf_md_depth_msg *m);
/* TF_BOOK_APPLIED when now synced (buffered diffs applied through `fn`,
 * which may be NULL); TF_BOOK_NEED_SNAPSHOT if the snapshot is too old or
 * no diff has arrived yet to bridge it; TF_BOOK_GAP if the buffered diffs
 * do not connect to it. A snapshot deeper than max_levels keeps the best
 * max_levels (levels_dropped counts the rest). */
tf_book_action tf_book_on_snapshot(tf_book *b, const tf_md_snapshot *s, tf_book_apply_fn fn,
                                   void *ctx);

/* Best bid / ask; false (and zeroed level) for an empty side. */
bool tf_book_best_bid(const tf_book *b, tf_md_level *out);
bool tf_book_best_ask(const tf_book *b, tf_md_level *out);
/* Copy up to max levels of one side, best first; returns how many. */
uint32_t tf_book_levels(const tf_book *b, tf_md_side side, tf_md_level *out, uint32_t max);

#endif

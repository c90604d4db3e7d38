/* libFuzzer target: the input is a program of book operations (diffs with
 * small ids and prices, snapshots, resets), interpreted against the L2
 * book. Checked after every step: each
 * side sorted strictly (best last in storage, best first from
 * tf_book_levels), no zero quantity, counts within max_levels and the
 * pending buffer. (Equality with a brute-force model is the unit test's job:
 * tests/engine/md/test_md_book.c.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/md/md_book.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXLV 16
#define PRICES 64

static tf_md_depth_msg *diff;
static tf_md_snapshot *snap;

static void check_side(const tf_book *b, tf_md_side side)
{
    tf_md_level lv[MAXLV + 1];
    uint32_t n = tf_book_levels(b, side, lv, MAXLV + 1);
    if (n > MAXLV)
        abort();
    for (uint32_t i = 0; i < n; i++) {
        if (lv[i].qty <= 0)
            abort();
        if (i && (side == TF_SIDE_BID ? lv[i].price >= lv[i - 1].price : lv[i].price <= lv[i - 1].price))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!diff) {
        diff = calloc(1, sizeof *diff);
        snap = calloc(1, sizeof *snap);
        if (!diff || !snap)
            abort();
    }
    tf_book b;
    if (tf_book_init(&b, 0, MAXLV, 8, 64) != 0)
        abort();
    size_t i = 0;
    uint64_t id = 1;
    while (i + 3 <= size) {
        uint8_t op = data[i] % 4, a = data[i + 1], c = data[i + 2];
        i += 3;
        if (op == 0 || op == 1) { /* a diff: U = id + (a%4 - 1), a few levels */
            memset(diff, 0, offsetof(tf_md_depth_msg, bids));
            int64_t U = (int64_t)id + (a % 4) - 1;
            if (U < 1)
                U = 1;
            diff->first_update_id = (uint64_t)U;
            diff->final_update_id = diff->first_update_id + (c % 3);
            id = diff->final_update_id + 1;
            uint32_t nl = (a >> 2) % 5;
            for (uint32_t k = 0; k < nl && i + 2 <= size; k++, i += 2) {
                tf_md_level l = {data[i] % PRICES, data[i + 1] % 4};
                if (data[i] & 0x80)
                    diff->asks[diff->ask_count++] = l;
                else
                    diff->bids[diff->bid_count++] = l;
            }
            tf_book_on_diff(&b, diff);
        } else if (op == 2) { /* a snapshot at some id */
            memset(snap, 0, offsetof(tf_md_snapshot, bids));
            snap->last_update_id = id > 2 ? id - (a % 3) : id;
            uint32_t nl = c % 12;
            for (uint32_t k = 0; k < nl && i + 2 <= size; k++, i += 2) {
                tf_md_level l = {data[i] % PRICES, 1 + data[i + 1] % 4};
                if (data[i] & 0x80)
                    snap->asks[snap->ask_count++] = l;
                else
                    snap->bids[snap->bid_count++] = l;
            }
            tf_book_on_snapshot(&b, snap, NULL, NULL);
        } else {
            tf_book_reset(&b);
        }
        check_side(&b, TF_SIDE_BID);
        check_side(&b, TF_SIDE_ASK);
        if (b.bid_count > MAXLV || b.ask_count > MAXLV || b.pending_count > b.pending_max)
            abort();
    }
    tf_book_free(&b);
    return 0;
}

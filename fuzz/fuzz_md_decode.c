/* libFuzzer target: any bytes into the market-data decoder and the REST
 * snapshot decoder. Properties checked beyond "no crash, no sanitizer
 * report": a decoded message names a registered instrument, depth level
 * counts stay within bounds, and decoding is deterministic. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/md/md_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tf_instruments reg;
static tf_md_decoder *dec;
static tf_md_snapshot *snap;

static void setup(void)
{
    if (dec)
        return;
    tf_instruments_add(&reg, "BTCUSDT", "binance", 2, 5, 1, 1, 500, 0);
    tf_instruments_add(&reg, "BNBBTC", "binance", 8, 8, 1, 1, 0, 0);
    dec = calloc(1, sizeof *dec);
    snap = calloc(1, sizeof *snap);
    if (!dec || !snap)
        abort();
    tf_md_decoder_init(dec, &reg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    /* A private copy of exactly `size` bytes: ASan sees any read past it. */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    tf_md_msg a, b;
    tf_md_reject ra = tf_md_decode(dec, buf, size, 1, &a);
    if (ra >= TF_MD_REJ_COUNT)
        abort();
    if (ra == TF_MD_OK) {
        if (a.kind == TF_MD_MSG_NONE || a.kind >= TF_MD_MSG_KIND_COUNT)
            abort();
        if ((a.kind == TF_MD_MSG_TRADE || a.kind == TF_MD_MSG_AGG_TRADE || a.kind == TF_MD_MSG_DEPTH ||
             a.kind == TF_MD_MSG_BOOK_TICKER || a.kind == TF_MD_MSG_KLINE) &&
            a.instrument >= reg.count)
            abort();
        if (a.kind == TF_MD_MSG_DEPTH && (!a.depth || a.depth->bid_count > TF_MD_DEPTH_MAX_LEVELS ||
                                          a.depth->ask_count > TF_MD_DEPTH_MAX_LEVELS))
            abort();
        tf_md_reject rb = tf_md_decode(dec, buf, size, 1, &b);
        if (rb != ra || b.kind != a.kind)
            abort();
        if ((a.kind == TF_MD_MSG_TRADE || a.kind == TF_MD_MSG_AGG_TRADE) &&
            memcmp(&a.u.trade, &b.u.trade, sizeof a.u.trade) != 0)
            abort();
    }
    for (uint32_t i = 0; i < reg.count; i++) {
        tf_md_reject rs = tf_md_decode_snapshot(&reg.items[i], buf, size, snap);
        if (rs >= TF_MD_REJ_COUNT)
            abort();
        if (rs == TF_MD_OK && (snap->bid_count > TF_MD_SNAPSHOT_MAX_LEVELS ||
                               snap->ask_count > TF_MD_SNAPSHOT_MAX_LEVELS))
            abort();
    }
    free(buf);
    return 0;
}

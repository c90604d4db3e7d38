/* Market-data journal records → Redis commands, written as RESP by hand into
 * one buffer (no formatting, no allocation per command).
 *
 * Key layout. Every key names the engine instance, so several engines share
 * one Redis; the part in braces is the Redis Cluster hash tag, so one
 * instance's keys of one instrument live in one slot (one node) and a batch
 * for an instrument goes to one node, while instruments and instances spread
 * over the cluster. <is> below is "<instance>:<exchange>:<symbol>".
 *   md:quote:{<is>}                       hash: bid bid_qty ask ask_qty update_id
 *   md:trades:{<is>}                      stream, XADD MAXLEN ~ N, entry id
 *                                         <ms>-<journal seq>: price qty id side time
 *   md:bars:{<is>}:1m                     sorted set scored by open time (ms); member
 *                                         a JSON bar; trimmed to the newest N
 *   md:venue_bars:{<is>}:1m               the venue's own klines, the same way
 *
 * The trading record (tfexport-redis --journal orders, redis_orders.c):
 *   orders:open:{<is>}                    hash: order id -> JSON of the open order;
 *                                         deleted when it is filled, canceled,
 *                                         rejected or expired
 *   orders:fills:{<is>}                   stream, MAXLEN ~ trades_maxlen, id
 *                                         <ms>-<journal seq>: order_id strategy side
 *                                         price qty fee liquidity time_ns
 *   positions:{<is>}                      hash: strategy -> JSON position after its
 *                                         latest fill (qty, avg_price, mark_price,
 *                                         realized, unrealized, fees)
 *   pnl:{<instance>}:<strategy>           hash: <exchange>:<symbol> -> the same JSON
 *   parents:{<instance>}:<strategy>       hash: parent id -> the parent's latest JSON
 *
 * Every command is idempotent, so a batch resent after a reconnect or a
 * crash changes nothing twice: HSET overwrites; a stream entry id that is
 * not above the stream's last is refused by Redis (counted, harmless); a bar
 * first removes whatever member holds its score (a revision replaces it). */
#ifndef TF_TOOLS_OOB_REDIS_CMDS_H
#define TF_TOOLS_OOB_REDIS_CMDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/conf/config.h"
#include "shm/journal.h"
#include "shm/records.h"

#define RC_CMD_MAX 1024u   /* the longest command one record makes, in bytes */

typedef struct resp_buf {
    char *p;
    size_t len, cap;
    uint32_t commands;
} resp_buf;

#define RC_KEY_MAX 112u   /* the longest key */

typedef struct redis_cmds {
    char instance[TF_CFG_NAME_MAX];
    uint32_t trades_maxlen;
    uint32_t bars_keep;
    /* Stream ids must grow, but trades arrive out of order now and then: the
     * id's milliseconds are the latest trade time seen (saved with the
     * position, so a resent record gets the same id) and its sequence part
     * the journal sequence. The trade's own time is a field. */
    uint64_t stream_ms;
    uint64_t fills_ms;       /* the same for the fills stream */
    /* Keys built once per instrument (quote, trades, bars, venue bars). */
    struct {
        bool built;
        uint8_t len[4];
        char key[4][RC_KEY_MAX];
    } keys[64];
} redis_cmds;

void redis_cmds_init(redis_cmds *rc, const tf_cfg_redis *cfg, const char *instance);

/* An instrument's key: "<kind>:{<instance>:<exchange>:<symbol>}<suffix>";
 * a strategy's (symbol NULL): "<kind>:{<instance>}:<exchange>" with the
 * strategy number in `exchange`. Returns its length, 0 when it does not fit.
 * (Inline: every file that names a key uses it.) */
static inline size_t redis_key(char *out, size_t cap, const char *kind, const char *instance, const char *exchange,
                               const char *symbol, const char *suffix)
{
    int n = symbol ? snprintf(out, cap, "%s:{%s:%s:%s}%s", kind, instance, exchange, symbol, suffix ? suffix : "")
                   : snprintf(out, cap, "%s:{%s}:%s", kind, instance, exchange);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* Append the commands for one record; returns how many (0: none), -1 when
 * `b` has less than RC_CMD_MAX * 3 bytes free (nothing appended). */
int redis_cmds_add(redis_cmds *rc, resp_buf *b, const tf_journal_slot *rec,
                   const tf_md_instrument_info *in);

/* One order-journal record (TF_REC_ORDER_EVENT), `in` not NULL; the caller
 * keeps RC_CMD_MAX * 3 bytes free. Returns how many commands. */
int redis_cmds_order(redis_cmds *rc, resp_buf *b, const tf_journal_slot *rec, const tf_md_instrument_info *in);

/* The JSON member a bar is stored as (also what the query server serves). */
size_t redis_bar_json(char *out, size_t cap, const tf_md_bar *bar, const tf_md_instrument_info *in);

#endif

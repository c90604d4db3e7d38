#include "tools/oob/redis_cmds.h"

#include <stdio.h>
#include <string.h>

#include "shm/fixed.h"
#include "tools/oob/oob_process.h"
#include "tools/oob/resp.h"

void redis_cmds_init(redis_cmds *rc, const tf_cfg_redis *cfg, const char *instance)
{
    memset(rc, 0, sizeof *rc);
    memcpy(rc->instance, instance, strnlen(instance, sizeof rc->instance - 1));
    rc->trades_maxlen = cfg->trades_maxlen;
    rc->bars_keep = cfg->bars_keep;
    rc->stream_ms = 0;
}

enum { K_QUOTE, K_TRADES, K_BARS, K_VENUE_BARS };

/* The instrument's key of that kind (built on first use; ids >= 64 each time). */
static const char *key(redis_cmds *rc, int kind, const tf_md_instrument_info *in, size_t *len)
{
    static const char *const kinds[] = {"md:quote", "md:trades", "md:bars", "md:venue_bars"};
    static const char *const suffix[] = {"", "", ":1m", ":1m"};
    static char spare[RC_KEY_MAX];
    if (in->id < 64 && rc->keys[in->id].built) {
        *len = rc->keys[in->id].len[kind];
        return rc->keys[in->id].key[kind];
    }
    if (in->id >= 64) {
        *len = redis_key(spare, sizeof spare, kinds[kind], rc->instance, in->venue, in->symbol, suffix[kind]);
        return spare;
    }
    char inst[sizeof rc->instance]; /* a copy: gcc cannot tell the key buffer from the name it is built of */
    memcpy(inst, rc->instance, sizeof inst);
    for (int k = 0; k < 4; k++)
        rc->keys[in->id].len[k] = (uint8_t)redis_key(rc->keys[in->id].key[k], RC_KEY_MAX, kinds[k], inst,
                                                     in->venue, in->symbol, suffix[k]);
    rc->keys[in->id].built = true;
    *len = rc->keys[in->id].len[kind];
    return rc->keys[in->id].key[kind];
}

size_t redis_bar_json(char *out, size_t cap, const tf_md_bar *r, const tf_md_instrument_info *in)
{
    char o[48], h[48], l[48], c[48], v[48], qv[48], vw[48];
    unsigned pp = in->price_precision, qp = in->qty_precision;
    tf_fixed_format(o, sizeof o, r->open, pp);
    tf_fixed_format(h, sizeof h, r->high, pp);
    tf_fixed_format(l, sizeof l, r->low, pp);
    tf_fixed_format(c, sizeof c, r->close, pp);
    tf_fixed_format(v, sizeof v, r->volume, qp);
    tf_fixed_format(qv, sizeof qv, r->quote_volume, TF_BAR_QUOTE_PRECISION);
    tf_fixed_format(vw, sizeof vw, r->vwap, pp + TF_BAR_VWAP_EXTRA);
    int n = snprintf(out, cap,
                     "{\"open_time\":%llu,\"open\":\"%s\",\"high\":\"%s\",\"low\":\"%s\",\"close\":\"%s\","
                     "\"volume\":\"%s\",\"quote_volume\":\"%s\",\"vwap\":\"%s\",\"trades\":%u,"
                     "\"revision\":%u,\"first_trade_id\":%llu,\"last_trade_id\":%llu,\"flat\":%s}",
                     (unsigned long long)(r->open_time_ns / 1000000u), o, h, l, c, v, qv, vw,
                     r->trade_count, r->revision, (unsigned long long)r->first_trade_id,
                     (unsigned long long)r->last_trade_id, r->flags & TF_BAR_FLAT ? "true" : "false");
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static int bar(redis_cmds *rc, resp_buf *b, const tf_md_bar *r, const tf_md_instrument_info *in)
{
    char member[512];
    size_t kn;
    const char *k = key(rc, r->flags & TF_BAR_FROM_VENUE ? K_VENUE_BARS : K_BARS, in, &kn);
    size_t mn = redis_bar_json(member, sizeof member, r, in);
    if (!mn)
        return 0;
    int64_t score = (int64_t)(r->open_time_ns / 1000000u);
    cmd c;
    cmd_begin(&c, b);
    arg_s(&c, "ZREMRANGEBYSCORE");
    arg(&c, k, kn);
    arg_i(&c, score);
    arg_i(&c, score);
    cmd_end(&c);
    cmd_begin(&c, b);
    arg_s(&c, "ZADD");
    arg(&c, k, kn);
    arg_i(&c, score);
    arg(&c, member, mn);
    cmd_end(&c);
    cmd_begin(&c, b);
    arg_s(&c, "ZREMRANGEBYRANK");
    arg(&c, k, kn);
    arg_i(&c, 0);
    arg_i(&c, -(int64_t)rc->bars_keep - 1);
    cmd_end(&c);
    return 3;
}

static int trade(redis_cmds *rc, resp_buf *b, const tf_md_trade *r, uint64_t seq,
                 const tf_md_instrument_info *in)
{
    char id[48];
    size_t kn;
    const char *k = key(rc, K_TRADES, in, &kn);
    uint64_t ms = r->trade_time_ns / 1000000u;
    if (ms > rc->stream_ms)
        rc->stream_ms = ms;
    size_t idn = tf_u64_text(id, rc->stream_ms);
    id[idn++] = '-';
    idn += tf_u64_text(id + idn, seq);
    cmd c;
    cmd_begin(&c, b);
    arg_s(&c, "XADD");
    arg(&c, k, kn);
    arg_s(&c, "MAXLEN");
    arg_s(&c, "~");
    arg_i(&c, rc->trades_maxlen);
    arg(&c, id, idn);
    arg_s(&c, "price");
    arg_fixed(&c, r->price, in->price_precision);
    arg_s(&c, "qty");
    arg_fixed(&c, r->qty, in->qty_precision);
    arg_s(&c, "id");
    arg_i(&c, (int64_t)r->trade_id);
    arg_s(&c, "side");
    arg_s(&c, r->flags & TF_MD_BUYER_MAKER ? "sell" : "buy");
    arg_s(&c, "time");
    arg_i(&c, (int64_t)ms);
    cmd_end(&c);
    return 1;
}

static int quote(redis_cmds *rc, resp_buf *b, const tf_md_quote *r, const tf_md_instrument_info *in)
{
    size_t kn;
    const char *k = key(rc, K_QUOTE, in, &kn);
    unsigned pp = in->price_precision, qp = in->qty_precision;
    cmd c;
    cmd_begin(&c, b);
    arg_s(&c, "HSET");
    arg(&c, k, kn);
    arg_s(&c, "bid");
    arg_fixed(&c, r->bid_price, pp);
    arg_s(&c, "bid_qty");
    arg_fixed(&c, r->bid_qty, qp);
    arg_s(&c, "ask");
    arg_fixed(&c, r->ask_price, pp);
    arg_s(&c, "ask_qty");
    arg_fixed(&c, r->ask_qty, qp);
    arg_s(&c, "update_id");
    arg_i(&c, (int64_t)r->update_id);
    cmd_end(&c);
    return 1;
}

int redis_cmds_add(redis_cmds *rc, resp_buf *b, const tf_journal_slot *rec,
                   const tf_md_instrument_info *in)
{
    if (b->cap - b->len < RC_CMD_MAX * 3)
        return -1;
    if (!in)
        return 0;
    switch (rec->type) {
    case TF_REC_MD_BAR: return bar(rc, b, (const void *)rec->payload, in);
    case TF_REC_MD_TRADE: return trade(rc, b, (const void *)rec->payload, rec->seq, in);
    case TF_REC_MD_QUOTE: return quote(rc, b, (const void *)rec->payload, in);
    case TF_REC_ORDER_EVENT: return redis_cmds_order(rc, b, rec, in);
    default: return 0;
    }
}
